// Result/Error: the reason callers branch on travels with the error (copies, LF_TRY), and
// LF_TRY / LF_TRY_ASSIGN return early with the error or go on with the value.
#include <catch2/catch.hpp>
#include <set>

#include "engine/common/result.h"

namespace {

using namespace ledgerflow;

int evaluations = 0;

Result<int> number(bool ok) {
  ++evaluations;
  if (!ok) return Error{ErrorCode::conflict, "taken", ErrorReason::business_key_taken};
  return 7;
}

Result<void> check(bool ok) {
  if (!ok) return Error{ErrorCode::forbidden, "no", ErrorReason::not_a_candidate};
  return {};
}

Result<int> doubled(bool ok) {
  LF_TRY_ASSIGN(const int n, number(ok));
  return 2 * n;
}

Result<std::string> checked(bool ok) {
  LF_TRY(check(ok));
  return std::string("passed");
}

}  // namespace

TEST_CASE("LF_TRY_ASSIGN returns the error or goes on with the value once", "[unit][common]") {
  evaluations = 0;
  auto good = doubled(true);
  REQUIRE(good);
  CHECK(*good == 14);
  CHECK(evaluations == 1);
  auto bad = doubled(false);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == ErrorCode::conflict);
  CHECK(bad.error().is(ErrorReason::business_key_taken));
  CHECK(evaluations == 2);
}

TEST_CASE("LF_TRY propagates a Result<void> error with its reason", "[unit][common]") {
  auto good = checked(true);
  REQUIRE(good);
  CHECK(*good == "passed");
  auto bad = checked(false);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == ErrorCode::forbidden);
  CHECK(bad.error().reason == ErrorReason::not_a_candidate);
  CHECK(bad.error().message == "no");
}

TEST_CASE("An error has no reason unless its producer sets one", "[unit][common]") {
  const Error plain = Error::invalid("bad");
  CHECK(plain.reason == ErrorReason::none);
  CHECK_FALSE(plain.is(ErrorReason::idempotency_key_taken));
  const Error tagged = Error(plain).with_reason(ErrorReason::idempotency_key_taken);
  CHECK(tagged.is(ErrorReason::idempotency_key_taken));
  CHECK(tagged.code == ErrorCode::invalid_argument);
  CHECK(tagged.message == "bad");
}

TEST_CASE("Every error reason has a distinct name", "[unit][common]") {
  const ErrorReason all[] = {ErrorReason::none,
                             ErrorReason::idempotency_key_taken,
                             ErrorReason::idempotency_key_reused,
                             ErrorReason::business_key_taken,
                             ErrorReason::segregation_of_duties,
                             ErrorReason::not_a_candidate};
  std::set<std::string_view> names;
  for (auto r : all) names.insert(to_string(r));
  CHECK(names.size() == std::size(all));
  CHECK(to_string(ErrorReason::business_key_taken) == "business_key_taken");
}
