#include "unit/plugins/http/test_http_server.h"

#include <cctype>

#include <nlohmann/json.hpp>

namespace ledgerflow::plugins::test {
namespace {

LoopbackReply echo(const LoopbackRequest& req) {
  nlohmann::json headers = nlohmann::json::object();
  for (const auto& [field, value] : req.headers) {
    std::string name = field;
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    headers[name] = value;
  }
  nlohmann::json out = {
      {"method", req.method}, {"target", req.target}, {"headers", headers}, {"body", req.body}};
  return {200, "application/json", out.dump()};
}

LoopbackReply route(const LoopbackRequest& req) {
  const std::string& target = req.target;
  if (target == "/slow") return {200, "text/plain", "late", 5000};
  if (target.starts_with("/echo")) return echo(req);
  if (target == "/status/503") return {503, "text/plain", "down"};
  if (target == "/big") return {200, "text/plain", std::string(2u << 20, 'x')};
  if (target == "/text") return {200, "text/plain", "hello, ledgerflow"};
  if (target == "/bad-json") return {200, "application/json", "{not json"};
  if (target == "/empty") return {204, "", ""};
  return {404, "text/plain", "no route"};
}

}  // namespace

TestHttpServer::TestHttpServer() : server_(route) {}

}  // namespace ledgerflow::plugins::test
