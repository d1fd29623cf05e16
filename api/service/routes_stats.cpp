// GET /v1/stats: the aggregates the dashboard's overview and workflow graphs show —
// instances by workflow and status, unfinished instances by state, open and overdue
// tasks, starts and finishes per minute over the last hour, and the newest failures.
// Read-only; any authenticated user (the figures are counts, no instance data). It also
// names the caller and their roles (`viewer`), so a client can hide what they may not do.
#include "api/http/problem.h"
#include "api/service/api_service.h"
#include "engine/expr/timestamp.h"

namespace ledgerflow::api {
namespace {

using http::Request;
using http::Responder;
using http::Response;

constexpr std::int64_t kWindowMinutes = 60;
constexpr std::int64_t kMinuteUs = 60'000'000;

// Dense: one entry per minute of the window, oldest first.
nlohmann::json throughput_view(const rt::ActivitySummary& s, std::int64_t since_us) {
  nlohmann::json minutes = nlohmann::json::array();
  auto it = s.minutes.begin();
  for (std::int64_t m = 0; m < kWindowMinutes; ++m) {
    while (it != s.minutes.end() && it->minute < m) ++it;
    const bool hit = it != s.minutes.end() && it->minute == m;
    minutes.push_back({{"at", expr::format_timestamp(since_us + m * kMinuteUs)},
                       {"started", hit ? it->started : 0},
                       {"succeeded", hit ? it->succeeded : 0},
                       {"failed", hit ? it->failed : 0},
                       {"cancelled", hit ? it->cancelled : 0}});
  }
  return minutes;
}

nlohmann::json failures_view(const rt::ActivitySummary& s) {
  nlohmann::json failures = nlohmann::json::array();
  for (const auto& f : s.failures) {
    failures.push_back({{"id", f.id},
                        {"workflow", f.workflow},
                        {"business_key", f.business_key},
                        {"at", expr::format_timestamp(f.updated_at_us)},
                        {"error", f.error},
                        {"message", f.error_message}});
  }
  return failures;
}

nlohmann::json stats_view(const rt::ActivitySummary& s, std::int64_t now_us,
                          std::int64_t since_us) {
  nlohmann::json workflows = nlohmann::json::object();
  auto workflow = [&](const std::string& name) -> nlohmann::json& {
    auto& w = workflows[name];
    if (w.is_null()) {
      w = {{"name", name},
           {"instances", nlohmann::json::object()},
           {"states", nlohmann::json::array()},
           {"open_tasks", 0},
           {"overdue_tasks", 0}};
    }
    return w;
  };
  nlohmann::json totals = {
      {"instances", nlohmann::json::object()}, {"open_tasks", 0}, {"overdue_tasks", 0}};
  for (const auto& c : s.statuses) {
    workflow(c.workflow)["instances"][c.status] = c.count;
    auto& t = totals["instances"][c.status];
    t = t.is_null() ? c.count : t.get<std::int64_t>() + c.count;
  }
  for (const auto& c : s.states) {
    workflow(c.workflow)["states"].push_back(
        {{"version", c.version}, {"state", c.state}, {"count", c.count}});
  }
  std::int64_t open = 0;
  std::int64_t overdue = 0;
  for (const auto& c : s.tasks) {
    auto& w = workflow(c.workflow);
    w["open_tasks"] = c.open;
    w["overdue_tasks"] = c.overdue;
    open += c.open;
    overdue += c.overdue;
  }
  totals["open_tasks"] = open;
  totals["overdue_tasks"] = overdue;
  nlohmann::json minutes = throughput_view(s, since_us);
  nlohmann::json failures = failures_view(s);
  nlohmann::json list = nlohmann::json::array();
  for (auto& [name, w] : workflows.items()) list.push_back(std::move(w));
  return {{"at", expr::format_timestamp(now_us)}, {"since", expr::format_timestamp(since_us)},
          {"totals", std::move(totals)},          {"workflows", std::move(list)},
          {"throughput", std::move(minutes)},     {"recent_failures", std::move(failures)}};
}

}  // namespace

http::Response ApiService::stats(const Principal& p, const http::Request&) {
  const std::int64_t now_us = host_.clock().now_us();
  // The window starts on a whole minute, so a refresh keeps the buckets aligned.
  const std::int64_t since_us = (now_us / kMinuteUs - (kWindowMinutes - 1)) * kMinuteUs;
  auto summary = host_.store().activity_summary(now_us, since_us);
  if (!summary) return http::problem_from_error(summary.error());
  nlohmann::json body = stats_view(*summary, now_us, since_us);
  body["viewer"] = {{"user", p.user}, {"roles", p.roles}, {"read_only", p.read_only()}};
  return Response::json(200, body);
}

}  // namespace ledgerflow::api
