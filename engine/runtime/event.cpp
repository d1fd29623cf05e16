#include "engine/runtime/event.h"

#include <array>
#include <stdexcept>

namespace ledgerflow::rt {
namespace {

constexpr std::array<std::string_view, 8> kTypes = {"start",         "effect_result", "timer_fired",
                                                    "signal",        "task_complete", "task_claim",
                                                    "task_delegate", "cancel"};

}  // namespace

std::string_view to_string(Event::Type type) {
  return kTypes[static_cast<std::size_t>(type)];
}

nlohmann::json to_json(const Event& e) {
  nlohmann::json j = {{"type", to_string(e.type)}};
  switch (e.type) {
    case Event::Type::start:
      j["input"] = e.input;
      if (!e.business_key.empty()) j["business_key"] = e.business_key;
      break;
    case Event::Type::effect_result:
      j["effect_id"] = e.effect_id;
      j["ok"] = e.ok;
      if (e.ok) {
        j["output"] = e.output;
      } else {
        j["error"] = e.error;
        j["message"] = e.message;
      }
      if (e.signals.is_array() && !e.signals.empty()) j["signals"] = e.signals;
      break;
    case Event::Type::timer_fired:
      j["timer_id"] = e.timer_id;
      j["payload"] = e.payload;
      break;
    case Event::Type::signal:
      j["name"] = e.name;
      j["correlation"] = e.correlation;
      j["payload"] = e.payload;
      break;
    case Event::Type::task_complete:
      j["task_id"] = e.task_id;
      j["outcome"] = e.outcome;
      j["comment"] = e.comment;
      break;
    case Event::Type::task_claim:
      j["task_id"] = e.task_id;
      break;
    case Event::Type::task_delegate:
      j["task_id"] = e.task_id;
      j["to"] = e.to;
      j["to_roles"] = e.to_roles;
      break;
    case Event::Type::cancel:
      j["comment"] = e.comment;
      break;
  }
  return j;
}

Event event_from_json(const nlohmann::json& j) {
  Event e;
  std::string type = j.at("type").get<std::string>();
  std::size_t i = 0;
  while (i < kTypes.size() && kTypes[i] != type) ++i;
  if (i == kTypes.size()) throw std::invalid_argument("unknown event type '" + type + "'");
  e.type = static_cast<Event::Type>(i);
  e.input = j.value("input", nlohmann::json());
  e.business_key = j.value("business_key", std::string());
  e.effect_id = j.value("effect_id", std::string());
  e.ok = j.value("ok", true);
  e.output = j.value("output", nlohmann::json());
  e.error = j.value("error", std::string());
  e.message = j.value("message", std::string());
  e.signals = j.value("signals", nlohmann::json());
  e.timer_id = j.value("timer_id", std::string());
  e.payload = j.value("payload", nlohmann::json());
  e.name = j.value("name", std::string());
  e.correlation = j.value("correlation", nlohmann::json());
  e.task_id = j.value("task_id", std::string());
  e.outcome = j.value("outcome", std::string());
  e.comment = j.value("comment", std::string());
  e.to = j.value("to", std::string());
  if (auto it = j.find("to_roles"); it != j.end() && it->is_array()) {
    for (const auto& r : *it) {
      if (r.is_string()) e.to_roles.push_back(r.get<std::string>());
    }
  }
  return e;
}

}  // namespace ledgerflow::rt
