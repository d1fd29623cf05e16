// Approval states: candidates, N-of-M approvals, segregation of duties, due dates,
// escalation and delegation.
#include <catch2/catch.hpp>

#include "support/step_harness.h"

using ledgerflow::testing::StepHarness;
using namespace ledgerflow;

namespace {

const rt::Actor kAlice{"alice", {"ap_clerk"}};
const rt::Actor kBob{"bob", {"ap_manager"}};
const rt::Actor kBen{"ben", {"ap_manager"}};
const rt::Actor kCarol{"carol", {"finance_director"}};
const rt::Actor kErin{"erin", {"collector"}};

const char* kTwoApprovals = R"(
workflow: t
start: approve
states:
  approve:
    type: approval
    title: "Invoice ${invoice.id}"
    candidates: {roles: [ap_manager]}
    min_approvals: 2
    forbid: [invoice.submitted_by]
    due: PT48H
    escalate: {after: PT24H, to: {roles: [finance_director]}}
    output: approval
    on: {approved: done, rejected: rejected}
  done: {type: succeed}
  rejected: {type: fail, error: invoice_rejected}
)";

void require_ok(const Result<void>& r) {
  INFO((r.ok() ? std::string() : r.error().message));
  REQUIRE(r.ok());
}

}  // namespace

TEST_CASE("an approval creates a task for its candidates with a due date", "[unit][runtime][sod]") {
  StepHarness h(kTwoApprovals);
  require_ok(h.start({{"invoice", {{"id", "I-1"}, {"submitted_by", "dora"}}}}, kAlice));
  const auto* t = h.open_task();
  REQUIRE(t);
  CHECK(t->title == "Invoice I-1");
  CHECK(t->candidate_roles == std::vector<std::string>{"ap_manager"});
  REQUIRE(t->due_at_us);
  CHECK(*t->due_at_us == h.now + 48LL * 3600 * 1'000'000);
  CHECK(h.rec.status == rt::InstanceStatus::waiting);
}

TEST_CASE("the submitter can never approve their own item", "[unit][runtime][sod]") {
  StepHarness h(kTwoApprovals);
  // alice starts it and also holds the candidate role: still refused.
  rt::Actor alice_manager{"alice", {"ap_manager"}};
  require_ok(h.start({{"invoice", {{"id", "I-1"}, {"submitted_by", "alice"}}}}, alice_manager));
  auto r = h.act(h.open_task()->id, "approved", alice_manager);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::forbidden);
  CHECK_THAT(r.error().message,
             Catch::Contains("segregation of duties") && Catch::Contains("submitter"));
  CHECK(h.open_task()->detail["approvals"].empty());
}

TEST_CASE("users named by forbid may not act", "[unit][runtime][sod]") {
  StepHarness h(kTwoApprovals);
  require_ok(h.start({{"invoice", {{"id", "I-1"}, {"submitted_by", "bob"}}}}, kAlice));
  auto r = h.act(h.open_task()->id, "approved", kBob);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::forbidden);
  CHECK_THAT(r.error().message, Catch::Contains("forbid"));
}

TEST_CASE("one user cannot give two of the N approvals", "[unit][runtime][sod]") {
  StepHarness h(kTwoApprovals);
  require_ok(h.start({{"invoice", {{"id", "I-1"}, {"submitted_by", "dora"}}}}, kAlice));
  std::string task = h.open_task()->id;
  require_ok(h.act(task, "approved", kBob));
  CHECK(h.rec.status == rt::InstanceStatus::waiting);  // one of two
  auto twice = h.act(task, "approved", kBob);
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().code == ErrorCode::forbidden);
  CHECK_THAT(twice.error().message, Catch::Contains("distinct"));
  require_ok(h.act(task, "approved", kBen));
  CHECK(h.rec.status == rt::InstanceStatus::succeeded);
  CHECK(h.data()["approval"]["approvals"].size() == 2);
  CHECK(h.tasks[task].status == rt::TaskStatus::completed);
  CHECK(h.tasks[task].outcome == "approved");
}

TEST_CASE("a user outside the candidates is refused", "[unit][runtime][sod]") {
  StepHarness h(kTwoApprovals);
  require_ok(h.start({{"invoice", {{"id", "I-1"}}}}, kAlice));
  auto r = h.act(h.open_task()->id, "approved", kErin);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::forbidden);
  CHECK_THAT(r.error().message, Catch::Contains("not a candidate"));
}

TEST_CASE("completing a task twice is a conflict", "[unit][runtime][sod]") {
  StepHarness h(kTwoApprovals);
  require_ok(h.start({{"invoice", {{"id", "I-1"}}}}, kAlice));
  std::string task = h.open_task()->id;
  require_ok(h.act(task, "rejected", kBob));
  CHECK(h.rec.status == rt::InstanceStatus::failed);
  auto again = h.act(task, "rejected", kBen);
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == ErrorCode::conflict);
}

TEST_CASE("an unknown outcome is refused", "[unit][runtime][sod]") {
  StepHarness h(kTwoApprovals);
  require_ok(h.start({{"invoice", {{"id", "I-1"}}}}, kAlice));
  auto r = h.act(h.open_task()->id, "maybe", kBob);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::invalid_argument);
  CHECK_THAT(r.error().message, Catch::Contains("approved, rejected"));
}

TEST_CASE("escalation adds candidates after the delay", "[unit][runtime][sod]") {
  StepHarness h(kTwoApprovals);
  require_ok(h.start({{"invoice", {{"id", "I-1"}}}}, kAlice));
  std::string task = h.open_task()->id;
  CHECK_FALSE(h.act(task, "approved", kCarol).ok());
  h.advance_ms(24LL * 3600 * 1000);
  CHECK(h.tasks[task].candidate_roles ==
        std::vector<std::string>{"ap_manager", "finance_director"});
  require_ok(h.act(task, "approved", kCarol));
  require_ok(h.act(task, "approved", kBob));
  CHECK(h.rec.status == rt::InstanceStatus::succeeded);
}

TEST_CASE("delegation lets the delegate act, never a forbidden user", "[unit][runtime][sod]") {
  StepHarness h(R"(
workflow: t
start: approve
states:
  approve:
    type: approval
    candidates: {users: [bob], roles: [collector]}
    forbid: [submitted_by]
    on: {approved: done}
  done: {type: succeed}
)");
  require_ok(h.start({{"submitted_by", "dora"}}, kAlice));
  std::string task = h.open_task()->id;
  auto to_forbidden =
      h.act(task, "", kBob, rt::Event::Type::task_delegate, "dora", {"collector"});
  REQUIRE_FALSE(to_forbidden.ok());
  CHECK(to_forbidden.error().code == ErrorCode::forbidden);
  require_ok(h.act(task, "", kBob, rt::Event::Type::task_delegate, "erin", {"collector"}));
  CHECK(h.tasks[task].candidate_users == std::vector<std::string>{"bob", "erin"});
  require_ok(h.act(task, "approved", kErin));
  CHECK(h.rec.status == rt::InstanceStatus::succeeded);
}

// The dual-control bypass: a manager gives approval 1 of 2 and hands the task to someone
// of their choosing (or to a service account) for approval 2.
TEST_CASE("delegation never lets one person choose the second approver of a dual control",
          "[unit][runtime][sod][attack]") {
  StepHarness h(kTwoApprovals);
  require_ok(h.start({{"invoice", {{"id", "I-1"}}}}, kAlice));
  const std::string task = h.open_task()->id;
  require_ok(h.act(task, "approved", kBob));

  // Bob approved: he may not hand the task on, not even to a fellow manager.
  auto by_approver = h.act(task, "", kBob, rt::Event::Type::task_delegate, "ben", {"ap_manager"});
  REQUIRE_FALSE(by_approver.ok());
  CHECK(by_approver.error().code == ErrorCode::forbidden);
  CHECK_THAT(by_approver.error().message, Catch::Contains("already gave an approval"));

  // Ben may not delegate to the integration account, nor back to bob, nor to someone
  // without a candidate role, nor to himself.
  for (const auto& [to, roles] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"erp", {"integration"}},
           {"bob", {"ap_manager"}},
           {"erin", {"collector"}},
           {"ben", {"ap_manager"}}}) {
    INFO("delegate to " << to);
    auto r = h.act(task, "", kBen, rt::Event::Type::task_delegate, to, roles);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::forbidden);
  }
  // A service account never approves, even when it holds a candidate role.
  auto by_service =
      h.act(task, "approved", rt::Actor{"erp", {"integration", "ap_manager"}});
  REQUIRE_FALSE(by_service.ok());
  CHECK(by_service.error().is(ErrorReason::segregation_of_duties));
  CHECK(h.rec.status != rt::InstanceStatus::succeeded);

  // The second approval still comes from a second person.
  require_ok(h.act(task, "approved", kBen));
  CHECK(h.rec.status == rt::InstanceStatus::succeeded);
}

TEST_CASE("claiming assigns the task, another candidate cannot claim it", "[unit][runtime][sod]") {
  StepHarness h(kTwoApprovals);
  require_ok(h.start({{"invoice", {{"id", "I-1"}}}}, kAlice));
  std::string task = h.open_task()->id;
  require_ok(h.act(task, "", kBob, rt::Event::Type::task_claim));
  CHECK(h.tasks[task].assignee == "bob");
  auto r = h.act(task, "", kBen, rt::Event::Type::task_claim);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::conflict);
}

TEST_CASE("a state timeout on an approval cancels its task", "[unit][runtime][sod]") {
  StepHarness h(R"(
workflow: t
start: approve
states:
  approve:
    type: approval
    candidates: {roles: [ap_manager]}
    timeout: P3D
    catch: [{errors: [timeout], next: expired}]
    on: {approved: done}
  expired: {type: fail, error: approval_expired}
  done: {type: succeed}
)");
  require_ok(h.start(nlohmann::json::object(), kAlice));
  std::string task = h.open_task()->id;
  h.advance_ms(3LL * 24 * 3600 * 1000);
  CHECK(h.tasks[task].status == rt::TaskStatus::cancelled);
  CHECK(h.rec.state["error"] == "approval_expired");
}
