// POST /v1/outcomes (what really happened to scored items) and
// GET /v1/models/{name}/performance (realised accuracy per model version).
//
// Outcome semantics (also in api/openapi.yaml and docs/operations.md): the decision must
// exist (found through its instance's history: a decision id is "<instance id>-e<n>");
// binary models (objective binary:*, rules tables) take 0 or 1; an array is stored all or
// nothing; write-once per decision — the same value again is "unchanged" (retries are
// safe), a different value is 409.
#include <boost/asio/post.hpp>
#include <cmath>
#include <filesystem>
#include <map>

#include "api/http/problem.h"
#include "api/service/api_service.h"
#include "api/service/model_performance.h"
#include "engine/scoring/scorer.h"
#include "engine/expr/json_input.h"

namespace ledgerflow::api {
namespace {

namespace fs = std::filesystem;
using http::Request;
using http::Responder;
using http::Response;

constexpr std::size_t kMaxOutcomesPerRequest = 1000;
constexpr std::size_t kMaxNoteBytes = 1000;
constexpr std::size_t kMaxOutcomesScanned = 100'000;
constexpr int kMaxHistoryPages = 100;

struct OutcomeInput {
  std::string decision_id;
  double actual = 0;
  std::string note;
};

// Validates the body: one outcome object or an array of them.
Result<std::vector<OutcomeInput>> parse_outcomes(const std::string& body) {
  auto parsed = expr::parse_json_input(body);
  if (!parsed) return Error::invalid("the request body: " + parsed.error().message);
  nlohmann::json doc = std::move(*parsed);
  if (doc.is_object()) doc = nlohmann::json::array({std::move(doc)});
  if (!doc.is_array() || doc.empty()) {
    return Error::invalid("expected an outcome object or a non-empty array of them");
  }
  if (doc.size() > kMaxOutcomesPerRequest) {
    return Error::invalid("at most " + std::to_string(kMaxOutcomesPerRequest) +
                          " outcomes per request, got " + std::to_string(doc.size()));
  }
  std::vector<OutcomeInput> out;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const auto& item = doc[i];
    const std::string at = doc.size() > 1 ? "outcome " + std::to_string(i) + ": " : "";
    if (!item.is_object()) return Error::invalid(at + "expected an object");
    for (const auto& [key, value] : item.items()) {
      if (key != "decision_id" && key != "actual" && key != "label" && key != "note") {
        return Error::invalid(at + "unknown field '" + key +
                              "' (expected decision_id, actual, note)");
      }
    }
    OutcomeInput o;
    auto id = item.find("decision_id");
    if (id == item.end() || !id->is_string() || id->get<std::string>().empty() ||
        id->get<std::string>().size() > 200) {
      return Error::invalid(at + "'decision_id' must be a non-empty string");
    }
    o.decision_id = id->get<std::string>();
    const bool has_actual = item.contains("actual"), has_label = item.contains("label");
    if (has_actual == has_label)
      return Error::invalid(at + "give exactly one of 'actual' or 'label'");
    const auto& actual = item.at(has_actual ? "actual" : "label");
    if (!actual.is_number() || !std::isfinite(actual.get<double>())) {
      return Error::invalid(at + "'actual' must be a finite number (0 or 1 for binary models)");
    }
    o.actual = actual.get<double>();
    if (auto note = item.find("note"); note != item.end()) {
      if (!note->is_string() || note->get<std::string>().size() > kMaxNoteBytes) {
        return Error::invalid(at + "'note' must be a string of at most " +
                              std::to_string(kMaxNoteBytes) + " bytes");
      }
      o.note = note->get<std::string>();
    }
    out.push_back(std::move(o));
  }
  return out;
}

// The decision record with this id, found in its instance's history.
Result<rt::OutcomeRecord> find_decision(rt::Store& store, const std::string& decision_id) {
  const auto dash = decision_id.rfind("-e");
  const bool well_formed =
      dash != std::string::npos && dash > 0 && dash + 2 < decision_id.size() &&
      decision_id.find_first_not_of("0123456789", dash + 2) == std::string::npos;
  const Error missing{ErrorCode::not_found, "no decision '" + decision_id + "'"};
  if (!well_formed) return missing;
  const std::string instance_id = decision_id.substr(0, dash);
  auto instance = store.instance(instance_id);
  if (!instance) return instance.error().code == ErrorCode::not_found ? missing : instance.error();
  std::uint64_t after = 0;
  for (int page = 0; page < kMaxHistoryPages; ++page) {
    auto rows = store.history(instance_id, after, 1000);
    if (!rows) return rows.error();
    for (const auto& h : *rows) {
      after = h.seq;
      if (h.type != "decision" || h.data.value("decision_id", std::string()) != decision_id) {
        continue;
      }
      rt::OutcomeRecord o;
      o.decision_id = decision_id;
      o.instance_id = instance_id;
      o.workflow = instance->workflow;
      o.model = h.data.value("model", std::string());
      o.model_version = h.data.value("version", std::string());
      return o;
    }
    if (rows->size() < 1000) break;
  }
  return missing;
}

struct OutcomePlan {
  rt::WriteSet writes;  // the outcomes not stored yet
  nlohmann::json items = nlohmann::json::array();
};

// Checks every outcome against its decision and what is stored. not_found: an unknown
// decision; invalid_argument: not 0/1 for a binary model, or one decision twice with
// different values; conflict: a different value is stored already.
Result<OutcomePlan> plan_outcomes(rt::Store& store, const scoring::ScorerRegistry* scorers,
                                  const std::vector<OutcomeInput>& inputs, const std::string& user,
                                  std::int64_t now_us) {
  OutcomePlan plan;
  std::map<std::string, double> seen;
  for (const auto& in : inputs) {
    if (auto it = seen.find(in.decision_id); it != seen.end()) {
      if (it->second != in.actual) {
        return Error::invalid("decision '" + in.decision_id +
                              "' appears twice in the request with different values");
      }
      continue;
    }
    seen.emplace(in.decision_id, in.actual);
    auto record = find_decision(store, in.decision_id);
    if (!record) return record.error();
    if (scorers) {
      auto scorer = scorers->resolve(record->model + "@" + record->model_version);
      const bool binary = scorer && (*scorer)->info().objective.rfind("binary:", 0) == 0;
      if (binary && in.actual != 0 && in.actual != 1) {
        return Error::invalid("decision '" + in.decision_id + "' was made by binary model '" +
                              record->model + "' version " + record->model_version +
                              "; its outcome is 0 or 1");
      }
    }
    auto stored = store.outcome(in.decision_id);
    if (!stored) return stored.error();
    std::string status = "created";
    if (*stored) {
      if ((*stored)->actual != in.actual) {
        return Error{ErrorCode::conflict,
                     "decision '" + in.decision_id + "' already has the outcome " +
                         nlohmann::json((*stored)->actual).dump() + " (recorded by " +
                         (*stored)->recorded_by + "); outcomes are write-once"};
      }
      status = "unchanged";
    } else {
      record->actual = in.actual;
      record->note = in.note;
      record->recorded_by = user;
      record->recorded_at_us = now_us;
      plan.writes.outcomes.push_back(*record);
    }
    plan.items.push_back({{"decision_id", in.decision_id},
                          {"status", status},
                          {"instance_id", record->instance_id},
                          {"model", record->model},
                          {"version", record->model_version},
                          {"actual", in.actual}});
  }
  return plan;
}

}  // namespace

void ApiService::record_outcomes(const Principal& p, const http::Request& rq,
                                 std::shared_ptr<http::Responder> out) {
  auto inputs = parse_outcomes(rq.body());
  if (!inputs) {
    (*out)(http::problem_from_error(inputs.error()));
    return;
  }
  boost::asio::post(pool_, [this, p, inputs = std::move(*inputs), out] {
    auto plan =
        plan_outcomes(host_.store(), host_.scorers(), inputs, p.user, host_.clock().now_us());
    if (!plan) {
      (*out)(http::problem_from_error(plan.error(), 422));
      return;
    }
    nlohmann::json body = {{"items", std::move(plan->items)}};
    if (plan->writes.empty()) {
      (*out)(Response::json(200, body));
      return;
    }
    host_.store().submit(std::move(plan->writes), [out, body = std::move(body)](Result<void> w) {
      if (!w) {
        (*out)(http::problem_from_error(w.error()));
        return;
      }
      (*out)(Response::json(201, body));
    });
  });
}

http::Response ApiService::model_performance(const Principal&, const http::Request& rq) {
  const std::string name(rq.param("name").value_or(""));
  std::error_code ec;
  if (options_.models_dir.empty() || name.empty() || name.find('/') != std::string::npos ||
      name.front() == '.' || !fs::is_directory(fs::path(options_.models_dir) / name, ec)) {
    return http::problem(404, "Not Found", "no model named '" + name + "'",
                         {{"code", "not_found"}});
  }
  auto rows = host_.store().scored_outcomes(name, kMaxOutcomesScanned);
  if (!rows) return http::problem_from_error(rows.error());
  return Response::json(
      200,
      {{"name", name}, {"outcomes", rows->size()}, {"versions", performance_by_version(*rows)}});
}

}  // namespace ledgerflow::api
