// The HMAC key file: created once next to the database with mode 0600, read back the
// same; short, world-readable and absent configured files are refused with a clear message.
#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "storage/key_file.h"
#include "support/temp_dir.h"

using namespace ledgerflow;
namespace fs = std::filesystem;

namespace {

using test::TempDir;

void write(const fs::path& p, const std::string& text, fs::perms perms) {
  std::ofstream(p, std::ios::binary) << text;
  fs::permissions(p, perms);
}

}  // namespace

TEST_CASE("hmac key: the default file is created once, private, and reused", "[unit][keyfile]") {
  TempDir dir;
  const std::string db = (dir.path() / "ledger.db").string();
  auto first = storage::hmac_key_for("", db);
  INFO((first.ok() ? "" : first.error().message));
  REQUIRE(first.ok());
  CHECK(first->size() == 32);
  const auto path = dir.path() / "ledger.db.hmac-key";
  REQUIRE(fs::exists(path));
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto again = storage::hmac_key_for("", db);
  REQUIRE(again.ok());
  CHECK(*again == *first);
  auto other = storage::hmac_key_for("", (dir.path() / "other.db").string());
  REQUIRE(other.ok());
  CHECK(*other != *first);
}

TEST_CASE("hmac key: bad key files are refused", "[unit][keyfile]") {
  TempDir dir;
  const auto key = dir.path() / "key";
  SECTION("a configured file is never created") {
    auto r = storage::hmac_key_for(key.string(), "x.db");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::not_found);
    CHECK(r.error().message.find("does not exist") != std::string::npos);
    CHECK_FALSE(fs::exists(key));
  }
  SECTION("shorter than 32 bytes") {
    write(key, "short", fs::perms::owner_read | fs::perms::owner_write);
    auto r = storage::hmac_key_for(key.string(), "x.db");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::invalid_argument);
    CHECK(r.error().message.find("holds 5 bytes; a key needs at least 32") != std::string::npos);
  }
  SECTION("readable by every user") {
    write(key, std::string(40, 'k'),
          fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
    auto r = storage::hmac_key_for(key.string(), "x.db");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("accessible to every user (mode 604)") != std::string::npos);
    CHECK(r.error().message.find("chmod 600") != std::string::npos);
  }
  SECTION("a good configured file is read as it is") {
    write(key, std::string(64, 'f'), fs::perms::owner_read);
    auto r = storage::hmac_key_for(key.string(), "x.db");
    REQUIRE(r.ok());
    CHECK(*r == std::string(64, 'f'));
  }
}
