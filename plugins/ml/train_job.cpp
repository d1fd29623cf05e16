#include "plugins/ml/train_job.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>

#include "plugins/forest/forest_scorer.h"
#include "plugins/logistic/linear_model.h"
#include "plugins/ml/csv_writer.h"
#include "plugins/ml/file_digest.h"
#include "plugins/ml/numeric_csv.h"
#include "plugins/ml/reference_stats.h"
#include "plugins/xgboost/xgboost_scorer.h"

namespace ledgerflow::datagen {
namespace fs = std::filesystem;
using nlohmann::ordered_json;

namespace {

constexpr int kMaxPublishAttempts = 100;

bool is_multiclass(const std::string& objective) {
  return objective.rfind("multi:", 0) == 0;
}
bool is_probability(const std::string& objective) {
  return objective == "binary:logistic" || objective == "reg:logistic" || is_multiclass(objective);
}

// Removes a temporary version directory unless it was published.
class TempDir {
 public:
  explicit TempDir(fs::path path) : path_(std::move(path)) {}
  ~TempDir() {
    std::error_code ec;
    if (!published_) fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  void published() { published_ = true; }

 private:
  fs::path path_;
  bool published_ = false;
};

Result<void> check_job(const TrainJob& job) {
  if (!plugins::is_model_name(job.name)) {
    return Error::invalid("train: '" + job.name +
                          "' is not a model name ([a-z][a-z0-9_]*, at most 64 characters)");
  }
  if (job.out_dir.empty()) return Error::invalid("train: the output directory is empty");
  for (const auto& f : job.features) {
    if (f.empty() || f.find_first_of("[]<,") != std::string::npos) {
      return Error::invalid("train: feature name '" + f +
                            "' is empty or holds one of [ ] < , (XGBoost refuses them)");
    }
  }
  return {};
}

// The rows train() trained on (those not held out), row-major.
std::vector<float> training_rows(const NumericTable& table,
                                 const std::vector<std::size_t>& holdout) {
  std::vector<float> out;
  std::size_t width = table.features.size();
  std::size_t h = 0;
  for (std::size_t r = 0; r < table.rows(); ++r) {
    if (h < holdout.size() && holdout[h] == r) {
      ++h;
      continue;
    }
    out.insert(out.end(), table.values.begin() + static_cast<std::ptrdiff_t>(r * width),
               table.values.begin() + static_cast<std::ptrdiff_t>((r + 1) * width));
  }
  return out;
}

// The model's score for every row: its output, or for multi-class models the
// probability of the predicted class. Native evaluator first, the C API for the rest.
template <typename Scorer>
Result<std::vector<double>> predict_with(const Scorer& scorer, std::span<const float> rows,
                                         std::size_t width) {
  std::size_t n = rows.size() / width;
  std::size_t groups = scorer.outputs_per_row();
  std::vector<double> out(n * groups);
  for (std::size_t start = 0; start < n; start += plugins::kMaxBatchRows) {
    std::size_t count = std::min(plugins::kMaxBatchRows, n - start);
    auto r = scorer.predict(rows.subspan(start * width, count * width),
                            std::span<double>(out).subspan(start * groups, count * groups));
    if (!r) return r.error();
  }
  if (groups == 1) return out;
  std::vector<double> best(n);
  for (std::size_t i = 0; i < n; ++i) {
    best[i] = *std::max_element(out.begin() + static_cast<std::ptrdiff_t>(i * groups),
                                out.begin() + static_cast<std::ptrdiff_t>((i + 1) * groups));
  }
  return best;
}

Result<std::vector<double>> predict_rows(const std::string& model_path, std::span<const float> rows,
                                         std::size_t width) {
  if (auto forest = plugins::ForestScorer::load(model_path); forest) {
    return predict_with(**forest, rows, width);
  }
  auto xgb = plugins::XgboostScorer::load(model_path);
  if (!xgb) return xgb.error();
  return predict_with(**xgb, rows, width);
}

ordered_json metrics_json(const plugins::HoldoutMetrics& m) {
  ordered_json out = ordered_json::object();
  auto put = [&](const char* key, const std::optional<double>& v) {
    if (v && std::isfinite(*v)) out[key] = *v;
  };
  put("auc", m.auc);
  put("pr_auc", m.pr_auc);
  put("log_loss", m.log_loss);
  put("rmse", m.rmse);
  put("multi_log_loss", m.multi_log_loss);
  put("accuracy", m.accuracy);
  return out;
}

ordered_json build_meta(const TrainJob& job, const NumericTable& table,
                        const plugins::TrainResult& trained, const std::string& sha256,
                        std::span<const float> train_values, std::span<const double> scores) {
  ordered_json features = ordered_json::array();
  for (const auto& f : table.features) features.push_back({{"name", f}, {"type", "number"}});
  ordered_json params = ordered_json::object();
  for (const auto& [k, v] : job.params) params[k] = v;
  ordered_json training = {{"rows", table.rows()},
                           {"train_rows", trained.train_rows},
                           {"holdout_rows", trained.holdout_rows},
                           {"holdout_fraction", job.holdout_fraction},
                           {"seed", job.seed},
                           {"rounds", job.rounds},
                           {"max_depth", job.max_depth},
                           {"eta", job.eta},
                           {"nthread", job.nthread},
                           {"params", params},
                           {"data_file", job.data_path},
                           {"data_sha256", sha256}};
  ordered_json reference_features = ordered_json::object();
  std::size_t width = table.features.size();
  std::vector<float> column(train_values.size() / width);
  for (std::size_t c = 0; c < width; ++c) {
    for (std::size_t r = 0; r < column.size(); ++r) column[r] = train_values[r * width + c];
    reference_features[table.features[c]] = ordered_json::parse(feature_reference(column).dump());
  }
  ordered_json reference = {
      {"rows", column.size()},
      {"quantile_levels", ordered_json::parse(quantile_levels().dump())},
      {"features", std::move(reference_features)},
      {"score",
       ordered_json::parse(score_reference(scores, is_probability(job.objective)).dump())}};
  return {{"format", kModelMetaFormat},
          {"name", job.name},
          {"version", 0},
          {"objective", job.objective},
          {"features", std::move(features)},
          {"label", table.label},
          {"training", std::move(training)},
          {"metrics", metrics_json(trained.holdout)},
          {"reference", std::move(reference)}};
}

// Renames the assembled directory to the next free version, rewriting meta.json's
// version each time another job took the number first.
Result<int> publish(TempDir& temp, const fs::path& model_dir, ordered_json& meta,
                    const std::string& name) {
  for (int attempt = 0; attempt < kMaxPublishAttempts; ++attempt) {
    int version = next_model_version(model_dir.parent_path().string(), name);
    meta["version"] = version;
    auto written = write_file_atomically((temp.path() / "meta.json").string(), meta.dump(2) + "\n");
    if (!written) return written.error();
    std::error_code ec;
    fs::path target = model_dir / std::to_string(version);
    if (fs::exists(target, ec)) continue;
    fs::rename(temp.path(), target, ec);
    if (!ec) {
      temp.published();
      return version;
    }
    if (ec != std::errc::directory_not_empty && ec != std::errc::file_exists) {
      return Error::io("train: cannot publish " + target.string() + ": " + ec.message());
    }
  }
  return Error{ErrorCode::conflict, "train: no free version under " + model_dir.string() +
                                        " after " + std::to_string(kMaxPublishAttempts) +
                                        " attempts"};
}

}  // namespace

plugins::TrainSpec train_spec(const TrainJob& job, const NumericTable& table,
                              const std::string& model_path) {
  plugins::TrainSpec spec;
  spec.features = table.values;
  spec.num_features = table.features.size();
  spec.labels = table.labels;
  spec.feature_names = table.features;
  spec.objective = job.objective;
  if (is_multiclass(job.objective)) {
    float top = *std::max_element(table.labels.begin(), table.labels.end());
    spec.num_class = std::isfinite(top) && top >= 1 ? static_cast<std::size_t>(top) + 1 : 2;
  }
  spec.rounds = job.rounds;
  spec.max_depth = job.max_depth;
  spec.eta = job.eta;
  spec.seed = job.seed;
  spec.holdout_fraction = job.holdout_fraction;
  spec.nthread = job.nthread;
  spec.extra_params = job.params;
  spec.model_path = model_path;
  return spec;
}

int next_model_version(const std::string& out_dir, const std::string& name) {
  int top = 0;
  std::error_code ec;
  for (fs::directory_iterator it(fs::path(out_dir) / name, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::string v = it->path().filename().string();
    if (v.empty() || v.size() > 9 || v[0] == '0' ||
        !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    top = std::max(top, std::stoi(v));
  }
  return top + 1;
}

Result<TrainJobResult> run_train_job(const TrainJob& job) {
  if (auto r = check_job(job); !r) return r.error();
  auto table = read_numeric_csv(job.data_path, {job.label, job.features});
  if (!table) return table.error();
  TrainJob effective = job;
  effective.features = table->features;
  if (auto r = check_job(effective); !r) return r.error();
  auto sha256 = file_sha256(job.data_path);
  if (!sha256) return sha256.error();
  fs::path model_dir = fs::path(job.out_dir) / job.name;
  std::error_code ec;
  fs::create_directories(model_dir, ec);
  if (ec) return Error::io("train: cannot create " + model_dir.string() + ": " + ec.message());
  static std::atomic<unsigned> counter{0};
  TempDir temp(model_dir /
               (".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++)));
  fs::create_directories(temp.path(), ec);
  if (ec) return Error::io("train: cannot create " + temp.path().string() + ": " + ec.message());

  std::string model_path = (temp.path() / "model.json").string();
  auto trained = plugins::train(train_spec(job, *table, model_path));
  if (!trained) return trained.error();
  std::vector<float> train_values = training_rows(*table, trained->holdout_indices);
  auto scores = predict_rows(model_path, train_values, table->features.size());
  if (!scores) return scores.error();
  ordered_json meta = build_meta(effective, *table, *trained, *sha256, train_values, *scores);
  auto version = publish(temp, model_dir, meta, job.name);
  if (!version) return version.error();

  TrainJobResult out;
  out.version = *version;
  out.version_dir = (model_dir / std::to_string(*version)).string();
  out.train = std::move(*trained);
  out.train.model_path = (fs::path(out.version_dir) / "model.json").string();
  out.meta = nlohmann::json::parse(meta.dump());
  return out;
}

}  // namespace ledgerflow::datagen
