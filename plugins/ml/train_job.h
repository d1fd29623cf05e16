// run_train_job(): `ledgerflow train` as a library. Reads a CSV training table
// (numeric_csv.h), trains an XGBoost model through plugins::train() with a seeded
// holdout, and publishes it in a model registry directory as the next version:
//
//   <out>/<name>/<version>/model.json   the XGBoost JSON model (with feature names)
//   <out>/<name>/<version>/meta.json    format "ledgerflow-model-meta/1": name, version,
//       objective, features [{name, type: "number"}], label, training {rows,
//       train_rows, holdout_rows, holdout_fraction, seed, rounds, max_depth, eta,
//       nthread, params, data_file, data_sha256}, metrics on the holdout {auc, pr_auc,
//       log_loss, rmse, ...}, reference distributions of every feature and of the score
//       on the training rows (reference_stats.h)
//
// which DirectoryRegistry (plugins/registry) serves as "<name>" (the highest version
// unless an alias says otherwise). The version directory is assembled under a temporary
// name beside it and renamed into place, so a registry never sees half a version; when
// two jobs race for a version number, the loser takes the next one.
//
// Deterministic: nthread 1 (the default) and the same data, spec and data_file give
// byte-identical model.json and meta.json (meta.json holds no time stamp or host name).
// Thread-safety: jobs may run concurrently, also into the same directory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/common/result.h"
#include "plugins/ml/numeric_csv.h"
#include "plugins/ml/trainer.h"

namespace ledgerflow::datagen {

inline constexpr const char* kModelMetaFormat = "ledgerflow-model-meta/1";

struct TrainJob {
  std::string data_path;              // CSV with a header row
  std::string label;                  // the label column
  std::vector<std::string> features;  // empty: numeric_csv.h's default choice
  std::string objective = "binary:logistic";
  int rounds = 100;
  int max_depth = 6;
  double eta = 0.3;
  std::uint64_t seed = 0;
  double holdout_fraction = 0.2;
  int nthread = 1;
  std::vector<std::pair<std::string, std::string>> params;  // further XGBoost parameters
  std::string name;                                         // the model name: [a-z][a-z0-9_]*
  std::string out_dir;                                      // the registry directory
};

struct TrainJobResult {
  int version = 0;
  std::string version_dir;
  plugins::TrainResult train;
  nlohmann::json meta;
};

// invalid_argument for a bad spec or bad data (CSV errors name row and column);
// not_found / io_error for files; XGBoost's message when it refuses a parameter.
Result<TrainJobResult> run_train_job(const TrainJob& job);

// The trainer's spec for `job` on `table`: the rows, the hyperparameters, num_class for
// multi-class objectives (the largest label + 1) and job.holdout_fraction; the model is
// written to `model_path`. Shared by run_train_job() and cross_validate().
plugins::TrainSpec train_spec(const TrainJob& job, const NumericTable& table,
                              const std::string& model_path);

// The next free version number under <out_dir>/<name> (1 when there is none).
int next_model_version(const std::string& out_dir, const std::string& name);

}  // namespace ledgerflow::datagen
