// `ledgerflow train`: trains an XGBoost model on a CSV table and publishes it as the
// next version in a model registry directory (model.json + meta.json), or, with --cv,
// cross-validates without publishing. The library behind it is
// plugins/ml/train_job.h and cross_validation.h; this file parses and prints.
#include <cstdio>
#include <iostream>
#include <sstream>

#include "apps/ledgerflow/commands.h"
#include "plugins/ml/cross_validation.h"
#include "plugins/ml/numeric_csv.h"
#include "plugins/ml/train_job.h"

namespace ledgerflow::cli {
namespace {

int report(const Error& e) {
  std::cerr << "ledgerflow train: " << e.message << "\n";
  return e.code == ErrorCode::invalid_argument ? kExitInvalid : kExitUsage;
}

std::string fixed(const std::optional<double>& v, int decimals = 4) {
  if (!v) return "n/a";
  char text[32];
  std::snprintf(text, sizeof(text), "%.*f", decimals, *v);
  return text;
}

std::string metrics_line(const plugins::HoldoutMetrics& m) {
  std::ostringstream out;
  if (m.auc || m.log_loss) {
    out << "AUC " << fixed(m.auc) << "  PR-AUC " << fixed(m.pr_auc) << "  log loss "
        << fixed(m.log_loss);
  } else if (m.multi_log_loss) {
    out << "multi log loss " << fixed(m.multi_log_loss) << "  accuracy " << fixed(m.accuracy);
  } else {
    out << "RMSE " << fixed(m.rmse);
  }
  return out.str();
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) {
    auto b = item.find_first_not_of(' ');
    auto e = item.find_last_not_of(' ');
    out.push_back(b == std::string::npos ? "" : item.substr(b, e - b + 1));
  }
  return out;
}

int cross_validate(const datagen::TrainJob& job, int folds) {
  auto table = datagen::read_numeric_csv(job.data_path, {job.label, job.features});
  if (!table) return report(table.error());
  auto cv = datagen::cross_validate(*table, job, folds);
  if (!cv) return report(cv.error());
  std::cout << folds << "-fold cross-validation on " << table->rows() << " rows, "
            << table->features.size() << " features, " << job.rounds << " rounds, depth "
            << job.max_depth << ", eta " << job.eta << ", seed " << job.seed << "\n";
  for (std::size_t k = 0; k < cv->folds.size(); ++k) {
    std::cout << "  fold " << k + 1 << " (" << cv->folds[k].rows
              << " rows): " << metrics_line(cv->folds[k]) << "\n";
  }
  if (cv->mean_auc) {
    std::cout << "mean: AUC " << fixed(cv->mean_auc) << " (sd " << fixed(cv->sd_auc) << ")  PR-AUC "
              << fixed(cv->mean_pr_auc) << "  log loss " << fixed(cv->mean_log_loss) << "\n";
  } else {
    std::cout << "mean: RMSE " << fixed(cv->mean_rmse) << "\n";
  }
  return kExitOk;
}

}  // namespace

Handler add_train(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "train", "Train an XGBoost model on a CSV table and publish it as the next version");
  struct Args {
    datagen::TrainJob job;
    std::string features;
    std::vector<std::string> params;
    int folds = 0;
  };
  auto a = std::make_shared<Args>();
  auto& job = a->job;
  cmd->add_option("--data", job.data_path, "Training table: CSV with a header row")->required();
  cmd->add_option("--label", job.label, "The label column (0/1 for binary:logistic)")->required();
  cmd->add_option("--features", a->features,
                  "Feature columns, comma-separated, in model input order (default: every column "
                  "but the label, label_* and *_id)");
  cmd->add_option("--objective", job.objective, "XGBoost objective")->capture_default_str();
  cmd->add_option("--rounds", job.rounds, "Boosting rounds")
      ->capture_default_str()
      ->check(CLI::Range(1, plugins::kMaxTrainRounds));
  cmd->add_option("--max-depth", job.max_depth, "Maximum tree depth")
      ->capture_default_str()
      ->check(CLI::Range(1, plugins::kMaxTrainDepth));
  cmd->add_option("--eta", job.eta, "Learning rate, in (0, 1]")
      ->capture_default_str()
      ->check(CLI::Range(1e-9, 1.0));
  cmd->add_option("--seed", job.seed, "Seed of the holdout split and of XGBoost")
      ->capture_default_str();
  cmd->add_option("--holdout", job.holdout_fraction,
                  "Share of rows held out for the metrics, in [0, 0.9]")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.9));
  cmd->add_option("--param", a->params,
                  "A further XGBoost parameter, key=value (repeatable), e.g. subsample=0.8");
  cmd->add_option("--cv", a->folds,
                  "Cross-validate with this many folds instead (publishes nothing)")
      ->check(CLI::Range(2, datagen::kMaxFolds));
  auto* name = cmd->add_option("--name", job.name, "Model name, [a-z][a-z0-9_]*");
  auto* out = cmd->add_option("--out", job.out_dir, "Model registry directory, e.g. models/");
  cmd->footer(
      "Writes <out>/<name>/<next version>/model.json and meta.json (features, training data\n"
      "summary with its SHA-256, holdout metrics, reference distributions for drift\n"
      "monitoring) and prints AUC, PR-AUC and log loss on the holdout. The same data, options\n"
      "and seed give byte-identical files. Empty CSV cells are missing values.\n"
      "Exit status: 0 trained, 1 invalid data or parameters, 2 usage or IO error.");
  return [a, name, out]() {
    auto& job = a->job;
    if (!a->features.empty()) job.features = split_list(a->features);
    for (const auto& p : a->params) {
      auto eq = p.find('=');
      if (eq == std::string::npos || eq == 0) {
        std::cerr << "ledgerflow train: --param " << p << ": expected key=value\n";
        return kExitUsage;
      }
      job.params.emplace_back(p.substr(0, eq), p.substr(eq + 1));
    }
    if (a->folds > 0) return cross_validate(job, a->folds);
    if (name->count() == 0 || out->count() == 0) {
      std::cerr << "ledgerflow train: --name and --out are required (unless --cv)\n";
      return kExitUsage;
    }
    auto result = datagen::run_train_job(job);
    if (!result) return report(result.error());
    const auto& t = result->train;
    std::cout << "trained " << job.name << " version " << result->version << " on " << t.train_rows
              << " rows (" << t.holdout_rows << " held out), " << job.rounds << " rounds, depth "
              << job.max_depth << ", eta " << job.eta << ", seed " << job.seed << "\n";
    if (t.holdout_rows > 0) std::cout << "holdout: " << metrics_line(t.holdout) << "\n";
    std::cout << "wrote " << result->version_dir << "/model.json and meta.json\n";
    return kExitOk;
  };
}

}  // namespace ledgerflow::cli
