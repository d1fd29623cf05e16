// `ledgerflow import`: business records from CSV/JSON/NDJSON files into a database file
// (--db) or through a running daemon (--server + --key, POST /v1/records/{type}).
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "apps/ledgerflow/commands.h"
#include "apps/ledgerflow/engine_session.h"
#include "engine/definition/document_parser.h"
#include "engine/definition/problem.h"
#include "plugins/finance/records/importer.h"
#include "plugins/http/http_call.h"

namespace ledgerflow::cli {
namespace {

namespace fs = std::filesystem;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;

constexpr std::uintmax_t kMaxFileBytes = std::uintmax_t{1} << 30;  // 1 GiB

struct ImportArgs {
  SessionOptions session;
  std::string type_or_dir, file, server, key, mode = "per_row";
  std::vector<std::string> start;  // WORKFLOW, or TYPE=WORKFLOW (repeatable for a directory)
  bool allow_extra = false, dry_run = false, quiet = false;
};

Result<std::string> read_whole(const std::string& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return Error::io(path + ": " + ec.message());
  if (size > kMaxFileBytes) {
    return Error::invalid(path + ": " + std::to_string(size) + " bytes is more than the " +
                          std::to_string(kMaxFileBytes) + "-byte limit of one import; split it");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::io(path + ": cannot be read");
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (!in) return Error::io(path + ": read failed");
  return text;
}

void print_report(const nlohmann::json& r, const std::string& file, bool quiet) {
  std::cout << file << ": " << r.value("type", "") << ": " << r.value("rows", 0) << " rows, "
            << r.value("accepted", 0) << " accepted (" << r.value("inserted", 0) << " new, "
            << r.value("updated", 0) << " updated, " << r.value("unchanged", 0) << " unchanged), "
            << r.value("rejected", 0) << " rejected"
            << (r.value("committed", false) ? "" : "; nothing stored") << "\n";
  if (r.contains("workflows")) {
    const auto& w = r["workflows"];
    std::cout << "  workflows: " << w.value("started", 0) << " started, "
              << w.value("already_started", 0) << " already running or done, "
              << w.value("failed", 0) << " failed\n";
    for (const auto& e : w["errors"]) std::cout << "    " << e.get<std::string>() << "\n";
  }
  if (quiet) return;
  for (const auto& e : r.value("errors", nlohmann::json::array())) {
    std::cout << "  row " << e.value("row", 0);
    if (e.contains("line")) std::cout << " (line " << e["line"].get<std::size_t>() << ")";
    if (e.contains("column")) std::cout << ", column " << e["column"].get<std::string>();
    if (e.contains("value")) std::cout << " '" << e["value"].get<std::string>() << "'";
    std::cout << ": " << e.value("reason", "") << "\n";
  }
  if (r.value("errors_truncated", false)) {
    std::cout << "  ... " << r.value("error_count", 0) << " problems in all\n";
  }
}

// One POST to the daemon; the answer's status and JSON body.
Result<std::pair<int, nlohmann::json>> post(const std::string& server, const std::string& key,
                                            const std::string& target,
                                            const std::string& content_type, std::string body) {
  auto url = plugins::parse_url(server);
  if (!url) return Error::invalid("--server: " + url.error().message);
  if (url->scheme != "http") return Error::invalid("--server: only http:// is supported");
  try {
    net::io_context ioc;
    net::ip::tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::minutes(10));
    stream.connect(resolver.resolve(url->host, std::to_string(url->port)));
    bhttp::request<bhttp::string_body> req{bhttp::verb::post, target, 11};
    req.set(bhttp::field::host, url->host_header());
    req.set(bhttp::field::authorization, "Bearer " + key);
    req.set(bhttp::field::content_type, content_type);
    req.set(bhttp::field::user_agent, "ledgerflow-import");
    req.body() = std::move(body);
    req.prepare_payload();
    bhttp::write(stream, req);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64u << 20);
    bhttp::read(stream, buffer, parser);
    const auto& res = parser.get();
    nlohmann::json j = nlohmann::json::parse(res.body(), nullptr, false);
    if (j.is_discarded()) j = {{"detail", res.body()}};
    beast::error_code ignored;
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    return std::make_pair(static_cast<int>(res.result_int()), std::move(j));
  } catch (const std::exception& e) {
    return Error::io("--server " + server + ": " + e.what());
  }
}

std::string url_escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// The files to import: one (TYPE FILE) or every known <type>.csv of a directory, in
// dependency order. `start` applies to the type it names (TYPE=WORKFLOW) or, in single
// file mode, to the file's type.
struct Job {
  const records::RecordType* type;
  std::string file;
  std::string start;
};

Result<std::vector<Job>> plan(const ImportArgs& a) {
  std::map<std::string, std::string> starts;  // type -> workflow ("" type: single file mode)
  for (const std::string& s : a.start) {
    std::string type, workflow = s;
    if (auto eq = s.find('='); eq != std::string::npos) {
      type = s.substr(0, eq);
      workflow = s.substr(eq + 1);
      if (records::find_record_type(type) == nullptr) {
        return Error::invalid("--start: no record type '" + type + "'");
      }
    }
    if (workflow.empty()) return Error::invalid("--start " + s + ": no workflow named");
    if (!starts.emplace(type, workflow).second) {
      return Error::invalid("--start: type " + (type.empty() ? "(the file's)" : type) +
                            " is given twice");
    }
  }
  if (starts.size() > 1 && starts.count("")) {
    return Error::invalid("--start: give TYPE=WORKFLOW for each when starting several");
  }
  std::vector<Job> jobs;
  std::error_code ec;
  if (a.file.empty() && fs::is_directory(a.type_or_dir, ec)) {
    if (starts.count("")) {
      return Error::invalid(
          "--start: importing a directory, say which type starts it: "
          "--start invoices=ap_invoice_approval");
    }
    // Workflows start once every file is in (an invoice's lines come in their own file,
    // after the invoices): the start type is imported again at the end, which changes
    // nothing and starts the workflows.
    std::map<std::string, Job> starters;  // by type
    for (const auto& type : records::record_types()) {
      for (const char* ext : {".csv", ".json", ".ndjson"}) {
        const fs::path f = fs::path(a.type_or_dir) / (std::string(type.name) + ext);
        if (fs::is_regular_file(f, ec)) {
          jobs.push_back({&type, f.string(), ""});
          if (auto it = starts.find(std::string(type.name)); it != starts.end()) {
            starters.emplace(it->first, Job{&type, f.string(), it->second});
          }
          break;
        }
      }
    }
    // Starts run in the order the options were given (e.g. cash application before
    // collections, so a backfill scores invoices with the payments already applied).
    for (const std::string& s : a.start) {
      const std::string type = s.substr(0, s.find('='));
      auto it = starters.find(type);
      if (it == starters.end()) {
        return Error::invalid("--start: " + a.type_or_dir + " has no " + type + " file");
      }
      jobs.push_back(it->second);
    }
    if (jobs.empty()) {
      return Error::invalid(a.type_or_dir + ": no record files (<type>.csv for the types " +
                            records::record_type_names() + ")");
    }
    return jobs;
  }
  const records::RecordType* type = records::find_record_type(a.type_or_dir);
  if (type == nullptr) {
    return Error::invalid("'" + a.type_or_dir + "' is neither a record type (" +
                          records::record_type_names() + ") nor a directory");
  }
  if (a.file.empty())
    return Error::invalid("give the file to import: import " + a.type_or_dir + " FILE");
  if (starts.size() > 1) {
    return Error::invalid("--start: one file starts one workflow; give a directory for several");
  }
  std::string start_workflow;
  if (!starts.empty()) {
    const auto& [start_type, workflow] = *starts.begin();
    if (!start_type.empty() && start_type != type->name) {
      return Error::invalid("--start names type " + start_type + " but the file holds " +
                            std::string(type->name));
    }
    start_workflow = workflow;
  }
  jobs.push_back({type, a.file, start_workflow});
  return jobs;
}

}  // namespace

Handler add_import(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "import", "Import business records (CSV, JSON or NDJSON) into a database or a daemon");
  auto a = std::make_shared<ImportArgs>();
  cmd->add_option("type", a->type_or_dir,
                  "Record type (vendors, purchase_orders, receipts, invoices, invoice_lines, "
                  "outgoing_payments, customers, orders, ar_invoices, incoming_payments), or a "
                  "directory holding <type>.csv files (imported in dependency order)")
      ->required();
  cmd->add_option("file", a->file, "The file (.csv, .json = an array, .ndjson = one per line)");
  cmd->add_option("--server", a->server, "A running ledgerflowd (http://host:port)");
  cmd->add_option("--key", a->key, "API key for --server (role integration or admin)");
  cmd->add_option("--start", a->start,
                  "Start this workflow for every imported record (business key = the record "
                  "key; never twice): WORKFLOW, or TYPE=WORKFLOW for a directory (repeat it "
                  "for several types; they start after every file is in, in the order given)");
  cmd->add_option("--mode", a->mode,
                  "per_row: store the good rows; all_or_nothing: one bad row "
                  "rejects the file")
      ->check(CLI::IsMember({"per_row", "all_or_nothing"}))
      ->capture_default_str();
  cmd->add_flag("--allow-extra", a->allow_extra, "Ignore columns the type does not have");
  cmd->add_flag("--dry-run", a->dry_run, "Validate only; store nothing");
  cmd->add_flag("--quiet", a->quiet, "Print counts, not every rejected row");
  add_session_options(*cmd, a->session, true);
  cmd->footer(
      "Rejected rows are listed with row, line, column, value and reason; the good rows of a\n"
      "file are stored in one transaction. Re-importing a file changes nothing. Exit 0 when\n"
      "every row was accepted (and every workflow started), 1 when some were rejected or a\n"
      "start failed, 2 on usage or IO errors.");
  return [a]() {
    auto jobs = plan(*a);
    if (!jobs) return report(jobs.error(), "import");
    const bool remote = !a->server.empty();
    if (remote && a->key.empty()) return report(Error::invalid("--server needs --key"), "import");
    std::unique_ptr<EngineSession> session;
    if (!remote) {
      auto s = EngineSession::open(a->session);
      if (!s) return report(s.error(), "import");
      session = std::move(*s);
    }
    bool any_rejected = false;
    for (const Job& job : *jobs) {
      auto format = records::format_from_file_name(job.file);
      if (!format) {
        return report(Error::invalid(job.file + ": the name must end in .csv, .json or .ndjson"),
                      "import");
      }
      auto text = read_whole(job.file);
      if (!text) return report(text.error(), "import");
      nlohmann::json result;
      if (remote) {
        std::string target = "/v1/records/" + std::string(job.type->name) + "?mode=" + a->mode;
        if (a->allow_extra) target += "&allow_extra=true";
        if (a->dry_run) target += "&dry_run=true";
        if (!job.start.empty()) target += "&start=" + url_escape(job.start);
        const char* type = *format == records::PayloadFormat::csv    ? "text/csv"
                           : *format == records::PayloadFormat::json ? "application/json"
                                                                     : "application/x-ndjson";
        auto answer = post(a->server, a->key, target, type, std::move(*text));
        if (!answer) return report(answer.error(), "import");
        auto& [status, body] = *answer;
        if (status == 422 && body.contains("report")) {
          result = body["report"];
        } else if (status != 200) {
          std::cerr << "import: " << job.file << ": HTTP " << status << ": "
                    << body.value("detail", body.dump()) << "\n";
          return status == 401 || status == 403 || status >= 500 ? kExitUsage : kExitInvalid;
        } else {
          result = body;
        }
      } else {
        records::ImportOptions o;
        o.type = job.type;
        o.format = *format;
        o.source = job.file;
        o.all_or_nothing = a->mode == "all_or_nothing";
        o.allow_extra_columns = a->allow_extra;
        o.dry_run = a->dry_run;
        o.user = session->actor().user;
        o.roles = session->actor().roles;
        o.now_us = rt::SystemClock().now_us();
        o.start_workflow = job.start;
        if (!job.start.empty()) {
          if (auto v = session->definitions().latest_version(job.start); !v) {
            return report(Error::invalid("--start: no deployed workflow '" + job.start + "' in " +
                                         a->session.db + " (deploy it first)"),
                          "import");
          }
        }
        auto r = records::import_records(*text, o, session->records(), &session->executor());
        if (!r) {
          std::cerr << "import: " << r.error().message << "\n";
          return r.error().code == ErrorCode::invalid_argument ? kExitInvalid : kExitUsage;
        }
        result = r->to_json();
        // The workflows this job started run to their first wait before the next job's
        // start: payments are applied before invoices are scored, in the order given.
        if (!job.start.empty()) session->executor().wait_idle();
      }
      print_report(result, job.file, a->quiet);
      any_rejected = any_rejected || result.value("rejected", 0) > 0 ||
                     (result.contains("workflows") && result["workflows"].value("failed", 0) > 0);
    }
    if (session) session->settle();
    return any_rejected ? kExitInvalid : kExitOk;
  };
}

}  // namespace ledgerflow::cli

namespace ledgerflow::cli {

Handler add_deploy(CLI::App& app) {
  auto* cmd = app.add_subcommand("deploy", "Deploy workflow definitions into a database file");
  struct Args {
    SessionOptions session;
    std::vector<std::string> files;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("files", a->files, "Definition files (.yaml, .yml, .json) or directories")
      ->required();
  add_session_options(*cmd, a->session, true);
  cmd->footer("Changed content becomes the next version; identical content is left alone.");
  return [a]() {
    std::vector<std::string> files;
    for (const auto& f : a->files) {
      std::error_code ec;
      if (!fs::is_directory(f, ec)) {
        files.push_back(f);
        continue;
      }
      std::vector<std::string> in_dir;
      for (fs::directory_iterator it(f, ec), end; !ec && it != end; it.increment(ec)) {
        const auto ext = it->path().extension().string();
        if (it->is_regular_file(ec) && (ext == ".yaml" || ext == ".yml" || ext == ".json")) {
          in_dir.push_back(it->path().string());
        }
      }
      std::sort(in_dir.begin(), in_dir.end());
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    }
    auto session = EngineSession::open(a->session);
    if (!session) return report(session.error(), "deploy");
    auto& s = **session;
    int status = kExitOk;
    for (const auto& file : files) {
      auto text = read_whole(file);
      if (!text) return report(text.error(), "deploy");
      auto deployed = s.definitions().deploy(*text, def::format_for_path(file), s.actor().user,
                                             rt::SystemClock().now_us());
      if (!deployed) return report(deployed.error(), "deploy");
      if (!deployed->problems.empty()) {
        for (const auto& p : deployed->problems) std::cerr << def::format_problem(file, p) << "\n";
        status = kExitInvalid;
        continue;
      }
      std::cout << file << ": " << (deployed->created ? "deployed " : "unchanged ")
                << deployed->name << " version " << deployed->version << "\n";
    }
    return status;
  };
}

}  // namespace ledgerflow::cli
