// AccessPolicy: the built-in rules, role rules with their refusal text, roles granted by
// route modules, and roles replaced by configuration (unknown rules refused).
#include <catch2/catch.hpp>

#include "api/service/daemon_config.h"
#include "api/service/route_module.h"

namespace {

using namespace ledgerflow;
using api::AccessPolicy;
using api::Principal;

AccessPolicy shipped_policy() {
  AccessPolicy policy;
  policy.define(
      {"outcomes", {"admin", "integration"}, "may not record outcomes (needs role {roles})"});
  policy.define({"admin", {"admin"}, "is not an admin"});
  return policy;
}

}  // namespace

TEST_CASE("Built-in rules: read admits everyone, write refuses read-only users",
          "[api][service][access]") {
  const AccessPolicy policy;
  const Principal auditor{"audrey", {"auditor"}};
  const Principal clerk{"carl", {"ap_clerk"}};
  CHECK_FALSE(policy.refusal(auditor, "read"));
  CHECK_FALSE(policy.refusal(auditor, "public"));
  CHECK(policy.refusal(auditor, "write") == "has read-only access (auditor)");
  CHECK_FALSE(policy.refusal(clerk, "write"));
  CHECK(policy.knows("write"));
  CHECK_FALSE(policy.knows("records"));
}

TEST_CASE("A role rule admits any of its roles and names them when refusing",
          "[api][service][access]") {
  AccessPolicy policy = shipped_policy();
  REQUIRE(policy.grant("outcomes", {"ap_manager", "admin", "credit_controller"}));
  CHECK(policy.roles_of("outcomes") ==
        std::vector<std::string>{"admin", "integration", "ap_manager", "credit_controller"});
  CHECK_FALSE(policy.refusal({"m", {"ap_clerk", "ap_manager"}}, "outcomes"));
  CHECK(policy.refusal({"c", {"ap_clerk"}}, "outcomes") ==
        "may not record outcomes (needs role admin, integration, ap_manager or "
        "credit_controller)");
  CHECK(policy.refusal({"c", {"ap_clerk"}}, "admin") == "is not an admin");
  CHECK_FALSE(policy.grant("nope", {"x"}));
}

TEST_CASE("Configuration replaces a rule's roles and refuses unknown rules",
          "[api][service][access]") {
  AccessPolicy policy = shipped_policy();
  REQUIRE(policy.configure({{"outcomes", {"data_steward"}}}));
  CHECK(policy.refusal({"a", {"admin"}}, "outcomes") ==
        "may not record outcomes (needs role data_steward)");
  CHECK_FALSE(policy.refusal({"d", {"data_steward"}}, "outcomes"));
  auto unknown = policy.configure({{"outcome", {"admin"}}});
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == ErrorCode::invalid_argument);
  CHECK_FALSE(policy.configure({{"admin", {}}}));
}

TEST_CASE("join_roles reads as a list", "[api][service][access]") {
  CHECK(api::join_roles({"admin"}) == "admin");
  CHECK(api::join_roles({"admin", "integration"}) == "admin or integration");
  CHECK(api::join_roles({"a", "b", "c"}) == "a, b or c");
}

TEST_CASE("The daemon config reads access rules from the environment and --set",
          "[api][service][access]") {
  auto c = api::load_config("", {"LEDGERFLOW_ACCESS_RECORDS=admin, loader"});
  REQUIRE(c);
  CHECK(c->access.at("records") == std::vector<std::string>{"admin", "loader"});
  REQUIRE(api::set_config_value(*c, "access.outcomes", "admin,integration"));
  CHECK(c->access.at("outcomes") == std::vector<std::string>{"admin", "integration"});
  CHECK_FALSE(api::set_config_value(*c, "access.outcomes", "admin,,x"));
}

TEST_CASE("The shipped config file lists the access rules' default roles",
          "[api][service][access]") {
  auto c = api::load_config(std::string(LF_SOURCE_DIR) + "/config/ledgerflow.yaml", {});
  REQUIRE(c);
  CHECK(c->access.at("records") == std::vector<std::string>{"admin", "integration"});
  CHECK(c->access.at("outcomes") == std::vector<std::string>{"admin", "integration", "ap_manager",
                                                             "finance_director",
                                                             "credit_controller"});
  CHECK(c->access.at("author") == std::vector<std::string>{"admin", "workflow_author"});
}
