#include "unit/plugins/kserve/kserve_test_server.h"

#include <nlohmann/json.hpp>

namespace ledgerflow::plugins::test {

std::string infer_response(double score) {
  nlohmann::json out = {
      {"model_name", "risk"},
      {"outputs",
       nlohmann::json::array(
           {{{"name", "output-0"}, {"shape", {1, 1}}, {"datatype", "FP64"}, {"data", {score}}}})}};
  return out.dump();
}

KserveTestServer::KserveTestServer()
    : fallback_{200, "application/json", infer_response(0.25), 0},
      server_([this](const LoopbackRequest& request) { return next(request); }) {}

LoopbackReply KserveTestServer::next(const LoopbackRequest& request) {
  std::lock_guard lock(mu_);
  recorded_.push_back(request);
  if (queue_.empty()) return fallback_;
  KserveReply r = std::move(queue_.front());
  queue_.pop_front();
  return r;
}

void KserveTestServer::enqueue(KserveReply reply) {
  std::lock_guard lock(mu_);
  queue_.push_back(std::move(reply));
}

void KserveTestServer::set_default(KserveReply reply) {
  std::lock_guard lock(mu_);
  fallback_ = std::move(reply);
}

std::vector<RecordedRequest> KserveTestServer::requests() const {
  std::lock_guard lock(mu_);
  return recorded_;
}

std::size_t KserveTestServer::request_count() const {
  std::lock_guard lock(mu_);
  return recorded_.size();
}

}  // namespace ledgerflow::plugins::test
