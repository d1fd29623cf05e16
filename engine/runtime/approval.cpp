// Approval states: the human task, its candidates, and segregation of duties.
//
// Rules enforced here (never by the caller):
//  * only a candidate (by user, by role, by delegation or escalation) or the assignee acts;
//  * the instance's submitter and every user the `forbid` list names never act;
//  * one user never gives two of the `min_approvals` approvals;
//  * a task acts once: completing a completed task is a conflict.
#include <algorithm>

#include "engine/runtime/stepper.h"

namespace ledgerflow::rt::detail {
namespace {

bool contains(const nlohmann::json& list, const std::string& v) {
  if (!list.is_array()) return false;
  return std::any_of(list.begin(), list.end(),
                     [&](const nlohmann::json& x) { return x.is_string() && x == v; });
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
  r.id = t.at("id").get<std::string>();
  r.instance_id = rec_.id;
  r.workflow = rec_.workflow;
  r.state = f.state;
  r.status = status;
  r.title = t.value("title", std::string());
  r.candidate_roles = t.at("roles").get<std::vector<std::string>>();
  r.candidate_users = t.at("users").get<std::vector<std::string>>();
  for (const auto& d : t.at("delegates")) r.candidate_users.push_back(d.get<std::string>());
  r.assignee = t.value("assignee", std::string());
  if (t.contains("due_at_us")) r.due_at_us = t.at("due_at_us").get<std::int64_t>();
  r.created_at_us = t.at("created_at_us").get<std::int64_t>();
  if (status != TaskStatus::open) r.completed_at_us = ctx_.now_us;
  r.outcome = outcome;
  r.detail = {{"approvals", t.at("approvals")},
              {"min_approvals", t.at("min_approvals")},
              {"forbidden", t.at("forbidden")}};
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
  if (contains(t.at("forbidden"), user)) {
    bool submitter = user == rec_.created_by;
    return Error{
        ErrorCode::forbidden,
        std::string("segregation of duties: ") +
            (submitter ? "the submitter of an item may not " : "user '" + user + "' may not ") +
            action + " its task '" + t.at("id").get<std::string>() + "'" +
            (submitter ? " (user '" + user + "' started this instance)"
                       : " (excluded by 'forbid')"),
        ErrorReason::segregation_of_duties};
  }
  bool candidate = contains(t.at("users"), user) || contains(t.at("delegates"), user) ||
                   t.value("assignee", std::string()) == user;
  for (const auto& role : ctx_.actor.roles) candidate = candidate || contains(t.at("roles"), role);
  if (!candidate) {
    return Error{ErrorCode::forbidden,
                 "user '" + user + "' is not a candidate for task '" +
                     t.at("id").get<std::string>() + "'",
                 ErrorReason::not_a_candidate};
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
    std::string assignee = t.value("assignee", std::string());
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
    if (contains(t.at("forbidden"), e.to)) {
      return Error{ErrorCode::forbidden, "segregation of duties: user '" + e.to +
                                             "' may not act on task '" + e.task_id +
                                             "', so it cannot be delegated to them"};
    }
    if (!contains(t["delegates"], e.to)) t["delegates"].push_back(e.to);
    if (t.value("assignee", std::string()) == user) t["assignee"] = e.to;
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
  for (const auto& a : t.at("approvals")) {
    if (a.at("user") == user) {
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
  for (const auto& a : t.at("approvals")) approvals += a.at("outcome") == "approved" ? 1 : 0;
  if (e.outcome == "approved" && approvals < t.at("min_approvals").get<int>()) {
    write_task(*found, TaskStatus::open, "");  // waits for more approvers
    return {};
  }
  write_task(*found, TaskStatus::completed, e.outcome);
  nlohmann::json output = {{"outcome", e.outcome}, {"approvals", t.at("approvals")}};
  Frame& f = frame(id);
  const def::State& s = state_of(f);
  f.task = nullptr;
  if (!s.output.empty()) set_path(f.data, s.output, output);
  history("state_completed", s.name, {{"outcome", e.outcome}, {"next", route->second}});
  go_to(id, route->second);
  return {};
}

}  // namespace ledgerflow::rt::detail
