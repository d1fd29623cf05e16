// Approval states: the human task, its candidates, and segregation of duties.
//
// Rules enforced here (never by the caller):
//  * only a candidate (by user, by role, by delegation or escalation) or the assignee acts;
//  * the instance's submitter and every user the `forbid` list names never act;
//  * one user never gives two of the `min_approvals` approvals;
//  * a task acts once: completing a completed task is a conflict;
//  * delegation goes only to a user who could act on the task anyway (a candidate user or
//    the holder of a candidate role), never to a service account, never by or to a user
//    who already gave an approval on it: a second approval cannot be handed to someone
//    the first approver chose;
//  * approvals count distinct humans: a service account never gives one.
#include <algorithm>
#include <array>
#include <string_view>

#include "engine/runtime/stepper.h"

namespace ledgerflow::rt::detail {
namespace {

// Roles of accounts that are programs, not people (the ERP feed, other systems): they may
// start work and send data, but never approve or receive a delegated task.
constexpr std::array<std::string_view, 2> kServiceRoles = {"integration", "service"};

bool is_service_account(const std::vector<std::string>& roles) {
  return std::any_of(roles.begin(), roles.end(), [](const std::string& r) {
    return std::find(kServiceRoles.begin(), kServiceRoles.end(), r) != kServiceRoles.end();
  });
}

bool contains(const nlohmann::json& list, const std::string& v) {
  if (!list.is_array()) return false;
  return std::any_of(list.begin(), list.end(),
                     [&](const nlohmann::json& x) { return x.is_string() && x == v; });
}

// The task JSON lives in the stored instance state, so it may come from an older build
// or be damaged: fields are read without throwing (a missing list is empty, a missing
// text ""), and check_may_act() refuses a task with no id as corrupt.
const nlohmann::json& field(const nlohmann::json& task, const char* key) {
  static const nlohmann::json kNull;
  if (!task.is_object()) return kNull;
  auto it = task.find(key);
  return it == task.end() ? kNull : *it;
}

std::string text(const nlohmann::json& task, const char* key) {
  const auto& v = field(task, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

std::vector<std::string> strings(const nlohmann::json& task, const char* key) {
  std::vector<std::string> out;
  const auto& v = field(task, key);
  if (!v.is_array()) return out;
  for (const auto& x : v) {
    if (x.is_string()) out.push_back(x.get<std::string>());
  }
  return out;
}

std::int64_t integer(const nlohmann::json& task, const char* key, std::int64_t fallback) {
  const auto& v = field(task, key);
  return v.is_number_integer() ? v.get<std::int64_t>() : fallback;
}

nlohmann::json array(const nlohmann::json& task, const char* key) {
  const auto& v = field(task, key);
  return v.is_array() ? v : nlohmann::json::array();
}

}  // namespace

void Stepper::enter_approval(std::uint32_t id, const def::State& s) {
  const auto& spec = std::get<def::ApprovalSpec>(s.spec);
  Frame& f = frame(id);
  nlohmann::json forbidden = nlohmann::json::array();
  if (!rec_.created_by.empty() && rec_.created_by != "system") forbidden.push_back(rec_.created_by);
  for (const auto& e : spec.forbid) {
    auto v = e.evaluate(f.data, eval_context());
    if (!v) return fail_state(id, {"expression_error", v.error().message});
    nlohmann::json users = expr::to_json(*v);
    if (!users.is_array()) users = nlohmann::json::array({users});
    for (const auto& u : users) {
      if (u.is_string() && !contains(forbidden, u.get<std::string>())) forbidden.push_back(u);
    }
  }
  std::string title = s.name;
  if (spec.title) {
    auto r = spec.title->render(f.data, eval_context());
    if (r && r->is_string()) title = r->get<std::string>();
  }
  Frame& g = frame(id);
  std::string task_id = next_id("k");
  g.task = {{"id", task_id},
            {"title", title},
            {"roles", spec.candidates.roles},
            {"users", spec.candidates.users},
            {"delegates", nlohmann::json::array()},
            {"forbidden", forbidden},
            {"approvals", nlohmann::json::array()},
            {"min_approvals", spec.min_approvals},
            {"assignee", ""},
            {"created_at_us", ctx_.now_us}};
  if (spec.due) g.task["due_at_us"] = ctx_.now_us + spec.due->ms * 1000;
  if (spec.escalate)
    g.timers.push_back(arm_timer(g, ctx_.now_us + spec.escalate->after.ms * 1000, "escalate"));
  g.wait = WaitKind::task;
  g.wait_key = task_id;
  history("task_created", s.name,
          {{"task_id", task_id}, {"title", title}, {"forbidden", forbidden}});
  write_task(g, TaskStatus::open, "");
}

void Stepper::write_task(const Frame& f, TaskStatus status, const std::string& outcome) {
  const nlohmann::json& t = f.task;
  TaskRecord r;
  r.id = text(t, "id");
  r.instance_id = rec_.id;
  r.workflow = rec_.workflow;
  r.state = f.state;
  r.status = status;
  r.title = text(t, "title");
  r.candidate_roles = strings(t, "roles");
  r.candidate_users = strings(t, "users");
  for (auto& d : strings(t, "delegates")) r.candidate_users.push_back(std::move(d));
  r.assignee = text(t, "assignee");
  if (field(t, "due_at_us").is_number_integer()) r.due_at_us = integer(t, "due_at_us", 0);
  r.created_at_us = integer(t, "created_at_us", 0);
  if (status != TaskStatus::open) r.completed_at_us = ctx_.now_us;
  r.outcome = outcome;
  r.detail = {{"approvals", array(t, "approvals")},
              {"min_approvals", integer(t, "min_approvals", 1)},
              {"forbidden", array(t, "forbidden")}};
  tr_.tasks.push_back(r);
  tr_.events.push_back(EventRecord{0,
                                   ctx_.now_us,
                                   "task",
                                   rec_.id,
                                   r.id,
                                   {{"task_id", r.id},
                                    {"status", to_string(status)},
                                    {"state", f.state},
                                    {"outcome", outcome}}});
}

Result<void> Stepper::check_may_act(const Frame& f, const std::string& action) {
  const nlohmann::json& t = f.task;
  const std::string& user = ctx_.actor.user;
  const std::string task_id = text(t, "id");
  if (task_id.empty()) {
    return Error{ErrorCode::corruption, "instance " + rec_.id + " has a malformed task in state '" +
                                            f.state + "' (no id)"};
  }
  if (contains(field(t, "forbidden"), user)) {
    bool submitter = user == rec_.created_by;
    return Error{
        ErrorCode::forbidden,
        std::string("segregation of duties: ") +
            (submitter ? "the submitter of an item may not " : "user '" + user + "' may not ") +
            action + " its task '" + task_id + "'" +
            (submitter ? " (user '" + user + "' started this instance)"
                       : " (excluded by 'forbid')"),
        ErrorReason::segregation_of_duties};
  }
  bool candidate = contains(field(t, "users"), user) || contains(field(t, "delegates"), user) ||
                   text(t, "assignee") == user;
  for (const auto& role : ctx_.actor.roles) {
    candidate = candidate || contains(field(t, "roles"), role);
  }
  if (!candidate) {
    return Error{ErrorCode::forbidden,
                 "user '" + user + "' is not a candidate for task '" + task_id + "'",
                 ErrorReason::not_a_candidate};
  }
  return {};
}

Result<void> Stepper::check_delegation(const nlohmann::json& t, const Event& e) const {
  const std::string& user = ctx_.actor.user;
  const std::string task_id = text(t, "id");
  auto refuse = [&](std::string why) {
    return Error{ErrorCode::forbidden, "task '" + task_id + "' cannot be delegated to '" + e.to +
                                           "': " + std::move(why),
                 ErrorReason::segregation_of_duties};
  };
  if (e.to == user) return refuse("a user cannot delegate to themselves");
  if (contains(field(t, "forbidden"), e.to)) {
    return Error{ErrorCode::forbidden, "segregation of duties: user '" + e.to +
                                           "' may not act on task '" + task_id +
                                           "', so it cannot be delegated to them",
                 ErrorReason::segregation_of_duties};
  }
  for (const auto& a : array(t, "approvals")) {
    if (text(a, "user") == user) {
      return refuse("user '" + user +
                    "' already gave an approval on it and may not choose who gives the next");
    }
    if (text(a, "user") == e.to) return refuse("they already gave an approval on it");
  }
  if (is_service_account(e.to_roles)) return refuse("it is a service account, not a person");
  bool eligible = contains(field(t, "users"), e.to);
  for (const auto& role : e.to_roles) eligible = eligible || contains(field(t, "roles"), role);
  if (!eligible) {
    return refuse("they hold none of the task's candidate roles (" + array(t, "roles").dump() +
                  ")");
  }
  return {};
}

Result<void> Stepper::on_task(const Event& e) {
  Frame* found = nullptr;
  for (auto& f : st_.frames) {
    if (f.wait == WaitKind::task && f.wait_key == e.task_id) found = &f;
  }
  if (!found) {
    return Error{ErrorCode::conflict, "task '" + e.task_id + "' is not open in instance " +
                                          rec_.id + " (already completed, cancelled or unknown)"};
  }
  std::uint32_t id = found->id;
  const auto& spec = std::get<def::ApprovalSpec>(state_of(*found).spec);
  if (auto ok = check_may_act(
          *found, e.type == Event::Type::task_complete ? "act on" : "claim or delegate");
      !ok) {
    return ok;
  }
  nlohmann::json& t = found->task;
  const std::string& user = ctx_.actor.user;
  if (e.type == Event::Type::task_claim) {
    std::string assignee = text(t, "assignee");
    if (!assignee.empty() && assignee != user) {
      return Error{ErrorCode::conflict,
                   "task '" + e.task_id + "' is already claimed by '" + assignee + "'"};
    }
    t["assignee"] = user;
    history("task_claimed", found->state, {{"task_id", e.task_id}, {"user", user}});
    write_task(*found, TaskStatus::open, "");
    return {};
  }
  if (e.type == Event::Type::task_delegate) {
    if (e.to.empty()) return Error::invalid("delegate needs 'to': the user to delegate to");
    if (auto ok = check_delegation(t, e); !ok) return ok;
    if (contains(field(t, "forbidden"), e.to)) {
      return Error{ErrorCode::forbidden, "segregation of duties: user '" + e.to +
                                             "' may not act on task '" + e.task_id +
                                             "', so it cannot be delegated to them"};
    }
    if (!field(t, "delegates").is_array()) t["delegates"] = nlohmann::json::array();
    if (!contains(t["delegates"], e.to)) t["delegates"].push_back(e.to);
    if (text(t, "assignee") == user) t["assignee"] = e.to;
    history("task_delegated", found->state, {{"task_id", e.task_id}, {"from", user}, {"to", e.to}});
    write_task(*found, TaskStatus::open, "");
    return {};
  }
  // complete
  auto route = std::find_if(spec.on.begin(), spec.on.end(),
                            [&](const auto& o) { return o.first == e.outcome; });
  if (route == spec.on.end()) {
    std::string known;
    for (const auto& o : spec.on) known += (known.empty() ? "" : ", ") + o.first;
    return Error::invalid("outcome '" + e.outcome +
                          "' is not one of this task's outcomes: " + known);
  }
  if (is_service_account(ctx_.actor.roles)) {
    return Error{ErrorCode::forbidden,
                 "segregation of duties: service account '" + user + "' may not act on task '" +
                     e.task_id + "'; approvals come from people",
                 ErrorReason::segregation_of_duties};
  }
  if (!field(t, "approvals").is_array()) t["approvals"] = nlohmann::json::array();
  for (const auto& a : t["approvals"]) {
    if (text(a, "user") == user) {
      return Error{ErrorCode::forbidden, "segregation of duties: user '" + user +
                                             "' already gave an approval on task '" + e.task_id +
                                             "'; the approvals must come from distinct users"};
    }
  }
  t["approvals"].push_back(
      {{"user", user}, {"outcome", e.outcome}, {"comment", e.comment}, {"at_us", ctx_.now_us}});
  history("task_acted", found->state,
          {{"task_id", e.task_id}, {"user", user}, {"outcome", e.outcome}, {"comment", e.comment}});
  int approvals = 0;
  for (const auto& a : t["approvals"]) approvals += text(a, "outcome") == "approved" ? 1 : 0;
  if (e.outcome == "approved" && approvals < integer(t, "min_approvals", 1)) {
    write_task(*found, TaskStatus::open, "");  // waits for more approvers
    return {};
  }
  write_task(*found, TaskStatus::completed, e.outcome);
  nlohmann::json output = {{"outcome", e.outcome}, {"approvals", t["approvals"]}};
  Frame& f = frame(id);
  const def::State& s = state_of(f);
  f.task = nullptr;
  if (!s.output.empty()) set_path(f.data, s.output, output);
  history("state_completed", s.name, {{"outcome", e.outcome}, {"next", route->second}});
  go_to(id, route->second);
  return {};
}

}  // namespace ledgerflow::rt::detail
