#include "integration/daemon_fixture.h"

#include <signal.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <random>
#include <sstream>

namespace ledgerflow::daemon_test {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

Daemon::Daemon(const std::vector<std::string>& workflow_files,
               std::vector<std::string> extra_args) {
  std::random_device rd;
  dir_ = fs::temp_directory_path() /
         ("lf_daemon_test_" + std::to_string(::getpid()) + "_" + std::to_string(rd()));
  fs::create_directories(dir_ / "workflows");
  for (const auto& f : workflow_files) {
    fs::copy_file(fs::path(LF_SOURCE_DIR) / f, dir_ / "workflows" / fs::path(f).filename());
  }
  // The test models (invoice_risk): deploying a workflow with score states checks them
  // against the registry, so the registry is there from the first start. A copy, because
  // alias changes write into it.
  fs::copy(fs::path(LF_SOURCE_DIR) / "tests/data/daemon/models", dir_ / "models",
           fs::copy_options::recursive);
  start(std::move(extra_args));
}

Daemon::~Daemon() {
  if (child_) {
    child_->send_signal(SIGTERM);
    child_->wait();
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void Daemon::start(std::vector<std::string> extra_args) {
  std::vector<std::string> args = {
      "--demo",
      "--listen",
      "127.0.0.1:0",
      "--db",
      db_path(),
      "--workflows",
      (dir_ / "workflows").string(),
      "--models",
      (dir_ / "models").string(),
      "--set",
      std::string("demo_users=") + LF_SOURCE_DIR + "/config/demo-users.yaml",
      "--set",
      std::string("dashboard=") + LF_SOURCE_DIR + "/api/dashboard/dist",
      "--set",
      "limits.read_timeout_ms=1500"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  auto child = crash::ChildProcess::spawn(LF_DAEMON_PATH, args, (dir_ / "daemon.log").string());
  REQUIRE(child);
  child_ = std::move(*child);
  std::vector<std::string> lines;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline && lines.empty()) {
    if (!child_->read_lines(std::chrono::steady_clock::now() + 50ms, lines)) break;
  }
  INFO("daemon log:\n" << log());
  REQUIRE(!lines.empty());
  const auto at = lines[0].rfind(':');
  REQUIRE(lines[0].find("listening on http://127.0.0.1:") != std::string::npos);
  port_ = static_cast<std::uint16_t>(std::stoi(lines[0].substr(at + 1)));
}

void Daemon::restart(std::vector<std::string> extra_args) {
  if (child_) {
    child_->send_signal(SIGTERM);
    REQUIRE(child_->wait() == 0);
  }
  start(std::move(extra_args));
}

int Daemon::stop() {
  child_->send_signal(SIGTERM);
  const int code = child_->wait();
  child_.reset();
  return code;
}

std::string Daemon::log() const {
  std::ifstream in(dir_ / "daemon.log");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::optional<Reply> Daemon::request(const std::string& method, const std::string& target,
                                     const std::string& user, const std::string& body,
                                     const std::string& extra_headers) const {
  api::http::test::RawClient client(port_);
  std::string headers = extra_headers;
  if (!user.empty()) headers += "Authorization: Bearer " + key_of(user) + "\r\n";
  if (!body.empty() && headers.find("Content-Type") == std::string::npos) {
    headers += "Content-Type: application/json\r\n";
  }
  return client.request(method, target, body, headers);
}

nlohmann::json Daemon::call(const std::string& method, const std::string& target,
                            const std::string& user, int expected_status,
                            const nlohmann::json& body, const std::string& extra_headers) const {
  auto reply =
      request(method, target, user, body.is_null() ? std::string() : body.dump(), extra_headers);
  INFO(method << " " << target << " as " << user);
  REQUIRE(reply);
  INFO("body: " << reply->body);
  REQUIRE(reply->status == expected_status);
  if (reply->body.empty()) return nullptr;
  return nlohmann::json::parse(reply->body);
}

std::vector<SseEvent> parse_sse(const std::string& all) {
  std::vector<SseEvent> out;
  const auto body_at = all.find("\r\n\r\n");
  if (body_at == std::string::npos) return out;
  std::istringstream in(all.substr(body_at + 4));
  std::string line;
  SseEvent ev;
  bool any = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("id: ", 0) == 0) {
      ev.id = std::stoull(line.substr(4));
      any = true;
    } else if (line.rfind("event: ", 0) == 0) {
      ev.event = line.substr(7);
    } else if (line.rfind("data: ", 0) == 0) {
      // Data that is not JSON is kept as the text it was.
      ev.data = nlohmann::json::parse(line.substr(6), nullptr, false);
      if (ev.data.is_discarded()) ev.data = line.substr(6);
    } else if (line.empty() && any) {
      out.push_back(ev);
      ev = SseEvent{};
      any = false;
    }
  }
  return out;
}

std::vector<SseEvent> read_events(std::uint16_t port, const std::string& user,
                                  std::optional<std::uint64_t> last_event_id, std::size_t count,
                                  std::chrono::milliseconds timeout) {
  api::http::test::RawClient client(port);
  std::string headers = "Authorization: Bearer " + key_of(user) + "\r\n";
  if (last_event_id) headers += "Last-Event-ID: " + std::to_string(*last_event_id) + "\r\n";
  REQUIRE(client.send_request("GET", "/v1/events", "", headers));
  std::vector<SseEvent> out;
  client.read_until(
      [&](const std::string& all) {
        out = parse_sse(all);
        return out.size() >= count;
      },
      timeout);
  return out;
}

}  // namespace ledgerflow::daemon_test
