#include "engine/runtime/state.h"

namespace ledgerflow::rt {

Frame* RuntimeState::frame(std::uint32_t id) {
  for (auto& f : frames) {
    if (f.id == id) return &f;
  }
  return nullptr;
}

const Frame* RuntimeState::frame(std::uint32_t id) const {
  for (const auto& f : frames) {
    if (f.id == id) return &f;
  }
  return nullptr;
}

namespace {

nlohmann::json frame_to_json(const Frame& f) {
  nlohmann::json j = {{"id", f.id},           {"state", f.state},
                      {"attempt", f.attempt}, {"entered_at_us", f.entered_at_us},
                      {"data", f.data},       {"wait", static_cast<int>(f.wait)}};
  if (f.parent) {
    j["parent"] = *f.parent;
    j["slot"] = f.slot;
  }
  if (!f.wait_key.empty()) j["wait_key"] = f.wait_key;
  if (!f.correlation.is_null()) j["correlation"] = f.correlation;
  if (!f.timers.empty()) j["timers"] = f.timers;
  if (!f.task.is_null()) j["task"] = f.task;
  if (f.wait == WaitKind::children) {
    j["results"] = f.results;
    j["finished"] = f.finished;
    j["running_children"] = f.running_children;
    j["next_item"] = f.next_item;
    if (!f.items.is_null()) j["items"] = f.items;
  }
  return j;
}

Frame frame_from_json(const nlohmann::json& j) {
  Frame f;
  f.id = j.at("id").get<std::uint32_t>();
  f.state = j.at("state").get<std::string>();
  f.attempt = j.at("attempt").get<std::uint32_t>();
  f.entered_at_us = j.at("entered_at_us").get<std::int64_t>();
  f.data = j.at("data");
  f.wait = static_cast<WaitKind>(j.at("wait").get<int>());
  if (j.contains("parent")) {
    f.parent = j.at("parent").get<std::uint32_t>();
    f.slot = j.at("slot").get<std::uint32_t>();
  }
  f.wait_key = j.value("wait_key", std::string());
  f.correlation = j.value("correlation", nlohmann::json());
  f.timers = j.value("timers", std::vector<std::string>());
  f.task = j.value("task", nlohmann::json());
  if (f.wait == WaitKind::children) {
    f.results = j.at("results").get<std::vector<nlohmann::json>>();
    f.finished = j.at("finished").get<std::vector<bool>>();
    f.running_children = j.at("running_children").get<std::uint32_t>();
    f.next_item = j.at("next_item").get<std::uint32_t>();
    f.items = j.value("items", nlohmann::json());
  }
  return f;
}

}  // namespace

nlohmann::json to_json(const RuntimeState& s) {
  nlohmann::json frames = nlohmann::json::array();
  for (const auto& f : s.frames) frames.push_back(frame_to_json(f));
  nlohmann::json j = {
      {"frames", std::move(frames)}, {"next_frame_id", s.next_frame_id}, {"counter", s.counter}};
  if (!s.data.is_null()) j["data"] = s.data;
  if (!s.result.is_null()) j["result"] = s.result;
  if (!s.error.empty()) {
    j["error"] = s.error;
    j["error_message"] = s.error_message;
  }
  if (!s.instance_timer.empty()) j["instance_timer"] = s.instance_timer;
  if (!s.parent_effect.empty()) j["parent_effect"] = s.parent_effect;
  if (!s.jitter.empty()) j["jitter"] = s.jitter;
  return j;
}

RuntimeState runtime_state_from_json(const nlohmann::json& j) {
  RuntimeState s;
  for (const auto& f : j.at("frames")) s.frames.push_back(frame_from_json(f));
  s.next_frame_id = j.at("next_frame_id").get<std::uint32_t>();
  s.counter = j.at("counter").get<std::uint64_t>();
  s.data = j.value("data", nlohmann::json());
  s.result = j.value("result", nlohmann::json());
  s.error = j.value("error", std::string());
  s.error_message = j.value("error_message", std::string());
  s.instance_timer = j.value("instance_timer", std::string());
  s.parent_effect = j.value("parent_effect", std::string());
  s.jitter = j.value("jitter", std::string());
  return s;
}

}  // namespace ledgerflow::rt
