#include "engine/runtime/records.h"

#include <array>

namespace ledgerflow::rt {
namespace {

constexpr std::array<std::string_view, 5> kInstanceStatus = {"running", "waiting", "succeeded",
                                                             "failed", "cancelled"};
constexpr std::array<std::string_view, 3> kTaskStatus = {"open", "completed", "cancelled"};

}  // namespace

std::string_view to_string(InstanceStatus s) {
  return kInstanceStatus[static_cast<std::size_t>(s)];
}

std::optional<InstanceStatus> instance_status_from(std::string_view s) {
  for (std::size_t i = 0; i < kInstanceStatus.size(); ++i) {
    if (kInstanceStatus[i] == s) return static_cast<InstanceStatus>(i);
  }
  return std::nullopt;
}

std::string_view to_string(TaskStatus s) {
  return kTaskStatus[static_cast<std::size_t>(s)];
}

std::optional<TaskStatus> task_status_from(std::string_view s) {
  for (std::size_t i = 0; i < kTaskStatus.size(); ++i) {
    if (kTaskStatus[i] == s) return static_cast<TaskStatus>(i);
  }
  return std::nullopt;
}

bool WriteSet::empty() const {
  return definitions.empty() && instances.empty() && history.empty() && tasks.empty() &&
         timers.empty() && timers_deleted.empty() && outbox.empty() && outbox_done.empty() &&
         idempotency.empty() && events.empty() && outcomes.empty();
}

}  // namespace ledgerflow::rt
