#include "plugins/ml/cross_validation.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>

#include "plugins/ml/rng.h"

namespace ledgerflow::datagen {
namespace fs = std::filesystem;

namespace {

void shuffle(std::vector<std::size_t>& items, Rng& rng) {
  for (std::size_t i = items.size(); i > 1; --i) {
    auto j = static_cast<std::size_t>(rng.uniform_int(0, static_cast<std::int64_t>(i) - 1));
    std::swap(items[i - 1], items[j]);
  }
}

std::optional<double> mean_of(const std::vector<plugins::HoldoutMetrics>& folds,
                              std::optional<double> plugins::HoldoutMetrics::*metric) {
  double sum = 0;
  std::size_t n = 0;
  for (const auto& f : folds) {
    if (!(f.*metric)) continue;
    sum += *(f.*metric);
    ++n;
  }
  if (n == 0) return std::nullopt;
  return sum / static_cast<double>(n);
}

}  // namespace

std::vector<int> assign_folds(const std::vector<float>& labels, int folds, std::uint64_t seed) {
  bool binary = std::all_of(labels.begin(), labels.end(), [](float y) { return y == 0 || y == 1; });
  std::vector<std::vector<std::size_t>> groups(binary ? 2 : 1);
  for (std::size_t i = 0; i < labels.size(); ++i)
    groups[binary && labels[i] == 1 ? 1 : 0].push_back(i);
  Rng rng(seed);
  std::vector<int> fold(labels.size(), 0);
  std::size_t dealt = 0;
  for (auto& group : groups) {
    shuffle(group, rng);
    for (std::size_t i : group)
      fold[i] = static_cast<int>(dealt++ % static_cast<std::size_t>(folds));
  }
  return fold;
}

Result<CvResult> cross_validate(const NumericTable& table, const TrainJob& job, int folds) {
  if (folds < 2 || folds > kMaxFolds) {
    return Error::invalid("cross-validation: folds must be in [2, " + std::to_string(kMaxFolds) +
                          "]");
  }
  if (table.rows() < static_cast<std::size_t>(folds) * 2) {
    return Error::invalid("cross-validation: " + std::to_string(table.rows()) +
                          " rows are too few for " + std::to_string(folds) + " folds");
  }
  static std::atomic<unsigned> counter{0};
  fs::path work = fs::temp_directory_path() /
                  ("lf-cv-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::error_code ec;
  fs::create_directories(work, ec);
  if (ec)
    return Error::io("cross-validation: cannot create " + work.string() + ": " + ec.message());
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ignored;
      fs::remove_all(dir, ignored);
    }
  } cleanup{work};

  std::vector<int> fold = assign_folds(table.labels, folds, job.seed);
  CvResult out;
  for (int k = 0; k < folds; ++k) {
    plugins::TrainSpec spec =
        train_spec(job, table, (work / ("fold" + std::to_string(k) + ".json")).string());
    spec.holdout_fraction = plugins::TrainSpec{}.holdout_fraction;  // the folds decide
    for (std::size_t i = 0; i < fold.size(); ++i) {
      if (fold[i] == k) spec.holdout_indices.push_back(i);
    }
    auto trained = plugins::train(spec);
    if (!trained) return trained.error();
    out.folds.push_back(trained->holdout);
  }
  using M = plugins::HoldoutMetrics;
  out.mean_auc = mean_of(out.folds, &M::auc);
  out.mean_pr_auc = mean_of(out.folds, &M::pr_auc);
  out.mean_log_loss = mean_of(out.folds, &M::log_loss);
  out.mean_rmse = mean_of(out.folds, &M::rmse);
  if (out.mean_auc) {
    double ss = 0;
    std::size_t n = 0;
    for (const auto& f : out.folds) {
      if (!f.auc) continue;
      ss += (*f.auc - *out.mean_auc) * (*f.auc - *out.mean_auc);
      ++n;
    }
    if (n > 1) out.sd_auc = std::sqrt(ss / static_cast<double>(n - 1));
  }
  return out;
}

}  // namespace ledgerflow::datagen
