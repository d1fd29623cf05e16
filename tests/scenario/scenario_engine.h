// Scenario tests: the whole engine in-process (no daemon), built by the engine builder
// (apps/host/engine_builder.h) with the finance module, as the CLI builds it (without the
// http action) — plus the helpers the
// scenarios share: a temp directory, training a model on generated data, importing a
// generated directory in dependency order, reading every instance back, and printing a
// confusion matrix.
//
// The store runs with synchronous=NORMAL: the scenarios measure decisions, not
// durability, and a temp file does not need to survive a power cut.
// Thread-safety: one scenario drives one ScenarioEngine from one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "apps/host/engine_builder.h"
#include "engine/runtime/clock.h"
#include "engine/runtime/definition_registry.h"
#include "engine/runtime/executor.h"
#include "plugins/finance/finance_module.h"
#include "plugins/finance/records/importer.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace ledgerflow::scenario {

// The HMAC key of the engines here: decision records carry features computed from
// `sensitive:` data as pseudonyms under it (engine/scoring/pseudonym.h).
inline constexpr const char* kPseudonymKey = "scenario-test-key";

using TempDir = ledgerflow::test::TempDir;

// Seconds of wall time since construction (printed, never asserted).
class Stopwatch {
 public:
  Stopwatch();
  double seconds() const;

 private:
  std::int64_t start_ns_;
};

std::string read_text(const std::filesystem::path& file);

// A CSV written by gen-data (no quoted commas in the columns read here): the header and
// the rows, indexed by the first column.
struct CsvIndex {
  std::vector<std::string> header;
  std::map<std::string, std::vector<std::string>> rows;
  std::size_t column(const std::string& name) const;  // throws when missing
  const std::string& at(const std::string& id, const std::string& column_name) const;
};
CsvIndex read_csv_index(const std::filesystem::path& file);

// Trains `name` on `<data_dir>/features.csv` into `models_dir` (train_job.h) with the
// demo models' options (scripts/make-demo-models) and makes that version both champion
// and challenger. Returns the holdout AUC.
double train_model(const std::filesystem::path& data_dir, const std::filesystem::path& models_dir,
                   const std::string& name, const std::string& label,
                   const std::vector<std::string>& features);

// train_model with the objective named (e.g. "reg:squarederror" for a regression such as
// ar_days_late): returns the version and the holdout metrics of meta.json ("auc",
// "pr_auc", "log_loss" for binary models, "rmse" for regressions; whatever train_job.h
// computed for that objective).
struct TrainedModel {
  int version = 0;
  nlohmann::json metrics = nlohmann::json::object();
  // The metric when meta.json has it, else NaN.
  double metric(const std::string& name) const;
};
TrainedModel train_model_with(const std::filesystem::path& data_dir,
                              const std::filesystem::path& models_dir, const std::string& name,
                              const std::string& label, const std::vector<std::string>& features,
                              const std::string& objective = "binary:logistic");

// One instance as a scenario sees it: where it stopped and the data it had there.
struct InstanceView {
  std::string business_key;
  rt::InstanceStatus status = rt::InstanceStatus::running;
  std::string state;  // the root frame's state while unfinished, else empty
  int wait = 0;       // the root frame's rt::WaitKind while unfinished
  nlohmann::json data;
  nlohmann::json result;
  std::string error;
  std::string error_message;
};

class ScenarioEngine {
 public:
  // `clock`: the engine's "now" (actions, timers, imports); nullptr = the system clock. A
  // scenario that simulates time passes an rt::FakeClock it moves itself (it must outlive
  // the engine); settle() then fires the timers due by that clock.
  ScenarioEngine(const std::filesystem::path& db, const std::filesystem::path& models_dir,
                 const rt::Clock* clock = nullptr);
  ~ScenarioEngine();

  // Deploys a workflow file of the repository (relative to LF_SOURCE_DIR).
  void deploy(const std::string& relative_path);
  // Imports every <type>.csv of `dir` that `types` names, in dependency order, then
  // `start_type` again with `workflow` started for each record. Requires every row to be
  // accepted. Returns the report of the starting import.
  records::ImportReport import_dir(const std::filesystem::path& dir,
                                   const std::vector<std::string>& types,
                                   const std::string& start_type, const std::string& workflow);
  // Imports one CSV payload of `type` (records::import_records, stamped with the clock's
  // now), with `workflow` started for each accepted record unless it is empty. Requires
  // every row to be accepted and every start to succeed. `source` names the payload in
  // messages (default "<type>.csv").
  records::ImportReport import_csv(const std::string& type, const std::string& csv,
                                   const std::string& workflow = "",
                                   const std::string& source = "");
  // Lets everything in flight finish (effects, commits, timers already due).
  void settle();
  // Tasks of `workflow` (every workflow when empty) in `state` (any when empty) with
  // `status` (any when nullopt), in id order.
  std::vector<rt::TaskRecord> tasks(const std::string& workflow, const std::string& state = "",
                                    std::optional<rt::TaskStatus> status = rt::TaskStatus::open);
  // Completes a task with `outcome` as `actor` (who must be a candidate) and waits until
  // the engine is idle again. Returns the engine's answer (forbidden, invalid outcome...).
  Result<rt::InstanceRecord> complete_task(const std::string& task_id, const std::string& outcome,
                                           const rt::Actor& actor);
  const rt::Clock& clock() const { return engine_->clock(); }
  rt::Executor& executor() { return engine_->executor(); }
  storage::SqliteStore& store() { return engine_->store(); }
  // Every instance of `workflow`, by business key.
  std::map<std::string, InstanceView> instances(const std::string& workflow);
  records::RecordStore& records() { return finance_->records(); }
  records::ArLedger& ar_ledger() { return finance_->ar_ledger(); }

 private:
  std::shared_ptr<finance::FinanceModule> finance_;
  std::unique_ptr<host::Engine> engine_;
};

// A 2x2 confusion matrix of predicted vs actual, printed with recall and precision.
struct Confusion {
  std::size_t tp = 0, fp = 0, fn = 0, tn = 0;
  void add(bool predicted, bool actual);
  double recall() const;
  double precision() const;
  double false_positive_rate() const;
  std::string format(const std::string& title, const std::string& positive) const;
};

}  // namespace ledgerflow::scenario
