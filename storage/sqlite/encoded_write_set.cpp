#include "storage/sqlite/encoded_write_set.h"

#include <string_view>

namespace ledgerflow::storage {
namespace {

std::string q(std::string_view s) {
  return "'" + std::string(s) + "'";
}

// Serialises `value` into `out` and releases it; records the first failure in `error`.
// `what` names the value, and is only called on failure.
template <typename What>
void take(nlohmann::json& value, std::vector<std::string>& out, std::optional<Error>& error,
          What&& what) {
  if (error) return;
  try {
    out.push_back(value.dump());
  } catch (const nlohmann::json::exception& ex) {
    error = Error::invalid(what() + " cannot be stored as JSON: " + ex.what());
    return;
  }
  value = nullptr;
}

}  // namespace

EncodedWriteSet encode(rt::WriteSet ws) {
  EncodedWriteSet e;
  auto& error = e.error;
  if (ws.expected_row_versions.size() != ws.instances.size()) {
    error = Error::invalid("write set has " + std::to_string(ws.instances.size()) +
                           " instances but " + std::to_string(ws.expected_row_versions.size()) +
                           " expected_row_versions (one per instance; 0 = new)");
  }
  for (auto& i : ws.instances)
    take(i.state, e.instance_state, error, [&] { return "state of instance " + q(i.id); });
  for (auto& h : ws.history) {
    take(h.data, e.history_data, error, [&] {
      return "data of history of instance " + q(h.instance_id) + " seq " + std::to_string(h.seq);
    });
  }
  for (auto& t : ws.tasks) {
    nlohmann::json roles(t.candidate_roles);
    nlohmann::json users(t.candidate_users);
    take(roles, e.task_roles, error, [&] { return "candidate roles of task " + q(t.id); });
    take(users, e.task_users, error, [&] { return "candidate users of task " + q(t.id); });
    take(t.detail, e.task_detail, error, [&] { return "detail of task " + q(t.id); });
  }
  for (auto& t : ws.timers)
    take(t.payload, e.timer_payload, error, [&] { return "payload of timer " + q(t.id); });
  for (auto& o : ws.outbox) {
    take(o.payload, e.outbox_payload, error, [&] { return "payload of outbox entry " + q(o.id); });
  }
  for (auto& k : ws.idempotency) {
    take(k.response, e.idempotency_response, error,
         [&] { return "response of idempotency key " + q(k.key); });
  }
  for (auto& ev : ws.events) {
    take(ev.payload, e.event_payload, error,
         [&] { return "payload of a " + q(ev.kind) + " event"; });
  }
  e.records = std::move(ws);
  return e;
}

}  // namespace ledgerflow::storage
