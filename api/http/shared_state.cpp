#include "api/http/shared_state.h"

#include <exception>

#include <spdlog/spdlog.h>

namespace ledgerflow::api::http {

SharedState::SharedState(ServerOptions options, Router router, AccessLogFn access_log)
    : options_(std::move(options)),
      router_(std::move(router)),
      access_log_(std::move(access_log)) {}

void SharedState::log_access(const AccessLogEntry& entry) const {
  if (!access_log_) return;
  try {
    access_log_(entry);
  } catch (const std::exception& e) {
    spdlog::error("access log hook threw: {}", e.what());
  } catch (...) {
    spdlog::error("access log hook threw a non-exception");
  }
}

std::uint64_t SharedState::add(const std::shared_ptr<HttpSession>& session, bool counted) {
  std::lock_guard lock(mu_);
  std::uint64_t id = next_id_++;
  sessions_.emplace(id, Entry{session, counted});
  if (counted) ++counted_;
  return id;
}

void SharedState::remove(std::uint64_t id) {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  if (it->second.counted) --counted_;
  sessions_.erase(it);
  if (sessions_.empty()) emptied_.notify_all();
}

std::size_t SharedState::connections() const {
  std::lock_guard lock(mu_);
  return counted_;
}

std::size_t SharedState::rejecting() const {
  std::lock_guard lock(mu_);
  return sessions_.size() - counted_;
}

std::vector<std::shared_ptr<HttpSession>> SharedState::sessions() const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<HttpSession>> out;
  out.reserve(sessions_.size());
  for (const auto& [id, entry] : sessions_) {
    if (auto s = entry.session.lock()) out.push_back(std::move(s));
  }
  return out;
}

bool SharedState::wait_until_empty(std::chrono::steady_clock::time_point deadline) const {
  std::unique_lock lock(mu_);
  return emptied_.wait_until(lock, deadline, [&] { return sessions_.empty(); });
}

}  // namespace ledgerflow::api::http
