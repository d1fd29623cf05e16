// Engine commands of the CLI: run, instances, history, complete, signal, cancel. Each
// opens the database and goes through the executor, as the daemon does.
#include <fstream>
#include <iostream>
#include <sstream>

#include "apps/ledgerflow/commands.h"
#include "apps/ledgerflow/engine_session.h"
#include "engine/definition/document_parser.h"
#include "engine/expr/timestamp.h"

namespace ledgerflow::cli {
namespace {

Result<nlohmann::json> parse_json_arg(const std::string& text, const std::string& what) {
  std::string body = text;
  if (!text.empty() && text[0] == '@') {
    std::ifstream in(text.substr(1), std::ios::binary);
    if (!in) return Error::io(what + ": cannot read " + text.substr(1));
    std::ostringstream ss;
    ss << in.rdbuf();
    body = ss.str();
  }
  if (body.empty()) return nlohmann::json::object();
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    return Error::invalid(what + ": invalid JSON: " + e.what());
  }
}

}  // namespace

Handler add_run(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "run", "Deploy a definition and run one instance until it finishes or waits");
  struct Args {
    SessionOptions session;
    std::string file, input, business_key;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("file", a->file, "Definition file (.yaml, .yml or .json)")->required();
  cmd->add_option("--input", a->input, "The start input: JSON, or @file")->required();
  cmd->add_option("--business-key", a->business_key, "A business key (unique per workflow)");
  add_session_options(*cmd, a->session, true);
  cmd->footer("Prints the history as the instance runs, then its status, open tasks and waits.");
  return [a]() {
    auto input = parse_json_arg(a->input, "--input");
    if (!input) return report(input.error(), "run");
    std::ifstream in(a->file, std::ios::binary);
    if (!in) return report(Error::io(a->file + ": cannot be read"), "run");
    std::ostringstream ss;
    ss << in.rdbuf();
    auto session = EngineSession::open(a->session);
    if (!session) return report(session.error(), "run");
    auto& s = **session;
    auto deployed = s.definitions().deploy(ss.str(), def::format_for_path(a->file), s.actor().user,
                                           rt::SystemClock().now_us());
    if (!deployed) return report(deployed.error(), "run");
    if (!deployed->problems.empty()) {
      for (const auto& p : deployed->problems) std::cerr << def::format_problem(a->file, p) << "\n";
      return kExitInvalid;
    }
    std::cout << (deployed->created ? "deployed " : "already deployed ") << deployed->name
              << " version " << deployed->version << "\n";
    rt::StartRequest req;
    req.workflow = deployed->name;
    req.version = deployed->version;
    req.input = std::move(*input);
    req.business_key = a->business_key;
    req.actor = s.actor();
    auto started = s.executor().start_sync(std::move(req));
    if (!started) return report(started.error(), "run");
    std::cout << "started instance " << started->id << "\n";
    s.settle();
    s.print_history(started->id, 0);
    s.print_status(started->id);
    return kExitOk;
  };
}

Handler add_instances(CLI::App& app) {
  auto* cmd = app.add_subcommand("instances", "List instances");
  struct Args {
    SessionOptions session;
    std::string status, workflow;
    std::size_t limit = 100;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--status", a->status, "running, waiting, succeeded, failed or cancelled");
  cmd->add_option("--workflow", a->workflow, "Only this workflow");
  cmd->add_option("--limit", a->limit, "At most this many (1-1000)")->check(CLI::Range(1, 1000));
  add_session_options(*cmd, a->session, false);
  return [a]() {
    rt::InstanceFilter f;
    f.workflow = a->workflow;
    f.limit = a->limit;
    if (!a->status.empty()) {
      f.status = rt::instance_status_from(a->status);
      if (!f.status) return report(Error::io("unknown status '" + a->status + "'"), "instances");
    }
    auto session = EngineSession::open(a->session);
    if (!session) return report(session.error(), "instances");
    auto list = (*session)->store().instances(f);
    if (!list) return report(list.error(), "instances");
    for (const auto& r : *list) {
      std::cout << r.id << "  " << r.workflow << "@" << r.version << "  " << rt::to_string(r.status)
                << "  " << expr::format_timestamp(r.updated_at_us);
      if (!r.business_key.empty()) std::cout << "  key=" << r.business_key;
      std::cout << "\n";
    }
    return kExitOk;
  };
}

Handler add_history(CLI::App& app) {
  auto* cmd = app.add_subcommand("history", "Print an instance's history");
  struct Args {
    SessionOptions session;
    std::string id;
    bool verify = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("id", a->id, "Instance id")->required();
  cmd->add_flag("--verify", a->verify,
                "Replay the history through the engine and compare with the stored state");
  add_session_options(*cmd, a->session, false);
  return [a]() {
    auto session = EngineSession::open(a->session);
    if (!session) return report(session.error(), "history");
    auto& s = **session;
    auto rec = s.store().instance(a->id);
    if (!rec) return report(rec.error(), "history");
    s.print_history(a->id, 0);
    s.print_status(a->id);
    if (!a->verify) return kExitOk;
    auto d = s.definitions().get(rec->workflow, rec->version);
    if (!d) return report(d.error(), "history");
    auto h = s.store().history(a->id, 0, 1000000);
    if (!h) return report(h.error(), "history");
    auto replayed = rt::replay(**d, *h);
    if (!replayed) return report(replayed.error(), "history");
    bool same = replayed->state == rec->state && replayed->status == rec->status &&
                replayed->seq == rec->seq;
    std::cout << (same ? "verified: replaying the history reproduces the stored state\n"
                       : "MISMATCH: replaying the history does not reproduce the stored state\n");
    return same ? kExitOk : kExitInvalid;
  };
}

Handler add_complete(CLI::App& app) {
  auto* cmd = app.add_subcommand("complete", "Complete a human task (approve, reject, ...)");
  struct Args {
    SessionOptions session;
    std::string task, outcome, comment;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("task", a->task, "Task id")->required();
  cmd->add_option("--outcome", a->outcome, "approved, rejected, or another outcome of the task")
      ->required();
  cmd->add_option("--comment", a->comment, "A comment recorded with the decision");
  add_session_options(*cmd, a->session, true);
  cmd->get_option("--as")->required();
  return [a]() {
    auto session = EngineSession::open(a->session);
    if (!session) return report(session.error(), "complete");
    auto& s = **session;
    rt::Event e;
    e.type = rt::Event::Type::task_complete;
    e.task_id = a->task;
    e.outcome = a->outcome;
    e.comment = a->comment;
    auto task = s.store().task(a->task);
    if (!task) return report(task.error(), "complete");
    auto before = s.store().instance(task->instance_id);
    auto r = s.executor().task_sync(std::move(e), s.actor());
    if (!r) return report(r.error(), "complete");
    s.settle();
    s.print_history(r->id, before ? before->seq : 0);
    s.print_status(r->id);
    return kExitOk;
  };
}

Handler add_signal(CLI::App& app) {
  auto* cmd = app.add_subcommand("signal", "Send a named signal to an instance");
  struct Args {
    SessionOptions session;
    std::string id, name, data, correlation;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("id", a->id, "Instance id")->required();
  cmd->add_option("name", a->name, "Signal name")->required();
  cmd->add_option("--data", a->data, "The signal's payload: JSON, or @file");
  cmd->add_option("--correlation", a->correlation,
                  "The correlation key, as JSON (e.g. '\"INV-1\"')");
  add_session_options(*cmd, a->session, true);
  return [a]() {
    auto data = parse_json_arg(a->data, "--data");
    if (!data) return report(data.error(), "signal");
    nlohmann::json correlation;
    if (!a->correlation.empty()) {
      auto c = parse_json_arg(a->correlation, "--correlation");
      if (!c) return report(c.error(), "signal");
      correlation = *c;
    }
    auto session = EngineSession::open(a->session);
    if (!session) return report(session.error(), "signal");
    auto& s = **session;
    auto before = s.store().instance(a->id);
    if (!before) return report(before.error(), "signal");
    rt::Event e;
    e.type = rt::Event::Type::signal;
    e.name = a->name;
    e.correlation = correlation;
    e.payload = *data;
    auto r = s.executor().send_sync(a->id, std::move(e), s.actor());
    if (!r) return report(r.error(), "signal");
    s.settle();
    s.print_history(a->id, before->seq);
    s.print_status(a->id);
    return kExitOk;
  };
}

}  // namespace ledgerflow::cli
