// ActivitySummary: aggregates over instances and tasks for dashboards (GET /v1/stats):
// counts by workflow and status, where the unfinished instances stand, open and overdue
// tasks, starts and finishes per minute over a recent window, and the newest failures.
// Plain values; Store::activity_summary() fills one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ledgerflow::rt {

struct ActivitySummary {
  struct StatusCount {
    std::string workflow;
    std::string status;  // InstanceStatus as text
    std::int64_t count = 0;
  };
  // Unfinished instances (running, waiting) by the state their root frame is in.
  struct StateCount {
    std::string workflow;
    int version = 0;
    std::string state;
    std::int64_t count = 0;
  };
  struct TaskCount {
    std::string workflow;
    std::int64_t open = 0;
    std::int64_t overdue = 0;  // open with due_at before now
  };
  // One minute of the window; minute 0 starts at since_us.
  struct Minute {
    std::int64_t minute = 0;
    std::int64_t started = 0;
    std::int64_t succeeded = 0;
    std::int64_t failed = 0;
    std::int64_t cancelled = 0;
  };
  struct Failure {
    std::string id;
    std::string workflow;
    std::string business_key;
    std::int64_t updated_at_us = 0;
    std::string error;
    std::string error_message;
  };

  std::vector<StatusCount> statuses;
  std::vector<StateCount> states;
  std::vector<TaskCount> tasks;
  std::vector<Minute> minutes;    // only minutes with activity, ascending
  std::vector<Failure> failures;  // newest first, at most kMaxRecentFailures
  static constexpr std::size_t kMaxRecentFailures = 10;
};

}  // namespace ledgerflow::rt
