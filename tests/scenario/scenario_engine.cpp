#include "scenario/scenario_engine.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "engine/definition/document_parser.h"
#include "engine/definition/problem.h"
#include "engine/runtime/state.h"
#include "engine/scoring/feature_check.h"
#include "plugins/finance/records/record_types.h"
#include "plugins/ml/train_job.h"

namespace ledgerflow::scenario {
namespace fs = std::filesystem;

namespace {

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

template <typename T>
T need(Result<T> r, const std::string& what) {
  if (!r) throw std::runtime_error(what + ": " + r.error().message);
  return std::move(*r);
}

std::vector<std::string> split_line(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : line) {
    if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else if (c != '\r') {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

}  // namespace

Stopwatch::Stopwatch() : start_ns_(steady_ns()) {}

double Stopwatch::seconds() const {
  return static_cast<double>(steady_ns() - start_ns_) / 1e9;
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot be read");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::size_t CsvIndex::column(const std::string& name) const {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  throw std::runtime_error("no column " + name);
}

const std::string& CsvIndex::at(const std::string& id, const std::string& column_name) const {
  auto it = rows.find(id);
  if (it == rows.end()) throw std::runtime_error("no row " + id);
  return it->second.at(column(column_name));
}

CsvIndex read_csv_index(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file.string() + ": cannot be read");
  CsvIndex index;
  std::string line;
  if (std::getline(in, line)) index.header = split_line(line);
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto fields = split_line(line);
    if (fields.size() != index.header.size()) {
      throw std::runtime_error(file.string() + ": a row with a quoted comma: " + line);
    }
    std::string id = fields.front();
    index.rows.emplace(std::move(id), std::move(fields));
  }
  return index;
}

double train_model(const fs::path& data_dir, const fs::path& models_dir, const std::string& name,
                   const std::string& label, const std::vector<std::string>& features) {
  const double auc = train_model_with(data_dir, models_dir, name, label, features).metric("auc");
  return std::isnan(auc) ? 0.0 : auc;
}

double TrainedModel::metric(const std::string& name) const {
  auto it = metrics.find(name);
  return it != metrics.end() && it->is_number() ? it->get<double>()
                                                : std::numeric_limits<double>::quiet_NaN();
}

TrainedModel train_model_with(const fs::path& data_dir, const fs::path& models_dir,
                              const std::string& name, const std::string& label,
                              const std::vector<std::string>& features,
                              const std::string& objective) {
  datagen::TrainJob job;
  job.objective = objective;
  job.data_path = (data_dir / "features.csv").string();
  job.label = label;
  job.features = features;
  job.rounds = 100;
  job.max_depth = 4;
  job.eta = 0.1;
  job.seed = 7;
  job.name = name;
  job.out_dir = models_dir.string();
  auto trained = need(datagen::run_train_job(job), "train " + name);
  std::ofstream aliases(models_dir / name / "aliases.json", std::ios::trunc);
  aliases << "{\"champion\": " << trained.version << ", \"challenger\": " << trained.version
          << "}\n";
  TrainedModel out;
  out.version = trained.version;
  if (trained.meta.contains("metrics") && trained.meta["metrics"].is_object()) {
    out.metrics = trained.meta["metrics"];
  }
  return out;
}

ScenarioEngine::ScenarioEngine(const fs::path& db, const fs::path& models_dir,
                               const rt::Clock* clock) {
  host::EngineConfig c;
  c.database = db.string();
  c.synchronous_full = false;
  c.models = models_dir.string();
  c.clock = clock;
  c.pseudonym_key = kPseudonymKey;
  c.shards = 2;
  c.effect_threads = 2;
  host::EngineBuilder builder(std::move(c));
  finance_ = finance::install(builder);
  engine_ = need(builder.build(), "build the engine");
}

ScenarioEngine::~ScenarioEngine() = default;

void ScenarioEngine::deploy(const std::string& relative_path) {
  const fs::path file = fs::path(LF_SOURCE_DIR) / relative_path;
  auto deployed =
      need(engine_->definitions().deploy(read_text(file), def::format_for_path(file.string()),
                                         "scenario", engine_->clock().now_us()),
           "deploy " + relative_path);
  if (!deployed.problems.empty()) {
    std::string all;
    for (const auto& p : deployed.problems) all += def::format_problem(file.string(), p) + "\n";
    throw std::runtime_error("deploy " + relative_path + ":\n" + all);
  }
}

records::ImportReport ScenarioEngine::import_dir(const fs::path& dir,
                                                 const std::vector<std::string>& types,
                                                 const std::string& start_type,
                                                 const std::string& workflow) {
  auto import_one = [&](const records::RecordType& type, const std::string& start) {
    const fs::path file = dir / (std::string(type.name) + ".csv");
    records::ImportOptions o;
    o.type = &type;
    o.format = records::PayloadFormat::csv;
    o.source = file.filename().string();
    o.user = "scenario";
    o.roles = {"integration"};  // the shipped workflows start from the integration path
    o.now_us = engine_->clock().now_us();
    o.start_workflow = start;
    auto report = need(records::import_records(read_text(file), o, finance_->records(),
                                               start.empty() ? nullptr : &engine_->executor()),
                       "import " + file.string());
    if (report.rejected > 0 || !report.committed) {
      throw std::runtime_error("import " + file.string() + ": " + report.to_json().dump());
    }
    return report;
  };
  // Dependency order is the order of record_types().
  for (const auto& type : records::record_types()) {
    for (const auto& wanted : types) {
      if (wanted == type.name) import_one(type, "");
    }
  }
  auto report = import_one(*records::find_record_type(start_type), workflow);
  if (report.start_failed > 0) {
    throw std::runtime_error("starting " + workflow + ": " + report.to_json().dump());
  }
  return report;
}

records::ImportReport ScenarioEngine::import_csv(const std::string& type, const std::string& csv,
                                                 const std::string& workflow,
                                                 const std::string& source) {
  const records::RecordType* record_type = records::find_record_type(type);
  if (record_type == nullptr) throw std::runtime_error("no record type " + type);
  records::ImportOptions o;
  o.type = record_type;
  o.format = records::PayloadFormat::csv;
  o.source = source.empty() ? type + ".csv" : source;
  o.user = "scenario";
  o.roles = {"integration"};  // the shipped workflows start from the integration path
  o.now_us = engine_->clock().now_us();
  o.start_workflow = workflow;
  auto report = need(records::import_records(csv, o, finance_->records(),
                                             workflow.empty() ? nullptr : &engine_->executor()),
                     "import " + o.source);
  if (report.rejected > 0 || !report.committed || report.start_failed > 0) {
    throw std::runtime_error("import " + o.source + ": " + report.to_json().dump());
  }
  return report;
}

std::vector<rt::TaskRecord> ScenarioEngine::tasks(const std::string& workflow,
                                                  const std::string& state,
                                                  std::optional<rt::TaskStatus> status) {
  std::vector<rt::TaskRecord> out;
  rt::TaskFilter filter;
  filter.status = status;
  filter.limit = 1000;
  for (;;) {
    auto page = need(engine_->store().tasks(filter), "list tasks");
    for (auto& t : page) {
      if ((workflow.empty() || t.workflow == workflow) && (state.empty() || t.state == state)) {
        out.push_back(t);
      }
    }
    if (page.size() < filter.limit) break;
    filter.after_id = page.back().id;
  }
  return out;
}

Result<rt::InstanceRecord> ScenarioEngine::complete_task(const std::string& task_id,
                                                         const std::string& outcome,
                                                         const rt::Actor& actor) {
  rt::Event e;
  e.type = rt::Event::Type::task_complete;
  e.task_id = task_id;
  e.outcome = outcome;
  auto r = engine_->executor().task_sync(std::move(e), actor);
  engine_->executor().wait_idle();
  return r;
}

void ScenarioEngine::settle() {
  engine_->settle();
}

std::map<std::string, InstanceView> ScenarioEngine::instances(const std::string& workflow) {
  std::map<std::string, InstanceView> out;
  rt::InstanceFilter filter;
  filter.workflow = workflow;
  filter.limit = 1000;
  for (;;) {
    auto page = need(engine_->store().instances(filter), "list instances");
    for (auto& rec : page) {
      InstanceView v;
      v.business_key = rec.business_key;
      v.status = rec.status;
      const nlohmann::json& s = rec.state;
      const auto frames = s.value("frames", nlohmann::json::array());
      if (!frames.empty()) {
        v.state = frames[0].value("state", std::string());
        v.wait = frames[0].value("wait", 0);
        v.data = frames[0].value("data", nlohmann::json::object());
      } else {
        v.data = s.value("data", nlohmann::json::object());
      }
      v.result = s.value("result", nlohmann::json());
      v.error = s.value("error", std::string());
      v.error_message = s.value("error_message", std::string());
      out[rec.business_key] = std::move(v);
    }
    if (page.size() < filter.limit) break;
    filter.after_id = page.back().id;
  }
  return out;
}

void Confusion::add(bool predicted, bool actual) {
  (predicted ? (actual ? tp : fp) : (actual ? fn : tn)) += 1;
}

double Confusion::recall() const {
  return tp + fn == 0 ? 1.0 : static_cast<double>(tp) / static_cast<double>(tp + fn);
}

double Confusion::precision() const {
  return tp + fp == 0 ? 1.0 : static_cast<double>(tp) / static_cast<double>(tp + fp);
}

double Confusion::false_positive_rate() const {
  return fp + tn == 0 ? 0.0 : static_cast<double>(fp) / static_cast<double>(fp + tn);
}

std::string Confusion::format(const std::string& title, const std::string& positive) const {
  char buf[768];
  std::snprintf(buf, sizeof(buf),
                "%s\n"
                "                       actual %-12s  actual not\n"
                "  predicted %-10s %12zu  %10zu\n"
                "  predicted not      %12zu  %10zu\n"
                "  recall %.2f%% (%zu/%zu)  precision %.2f%% (%zu/%zu)  false-positive rate "
                "%.3f%%\n",
                title.c_str(), positive.c_str(), positive.c_str(), tp, fp, fn, tn, 100 * recall(),
                tp, tp + fn, 100 * precision(), tp, tp + fp, 100 * false_positive_rate());
  return buf;
}

}  // namespace ledgerflow::scenario
