#include "plugins/ml/reference_stats.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace ledgerflow::datagen {
namespace {

constexpr int kLevels = 10;  // deciles

// The shortest decimal that reads back as the same float32, as a double: 0.3f -> 0.3.
double tidy(float v) {
  char text[32];
  auto [end, ec] = std::to_chars(text, text + sizeof(text), v);
  double out = v;
  if (ec == std::errc()) std::from_chars(text, end, out);
  return out;
}

// Rounds a statistic (a mean, a share) to 9 significant digits for a readable file.
double round9(double v) {
  if (v == 0 || !std::isfinite(v)) return v;
  char text[40];
  std::snprintf(text, sizeof(text), "%.9g", v);
  return std::strtod(text, nullptr);
}

template <typename T>
std::vector<double> quantiles(const std::vector<T>& sorted) {
  std::vector<double> q;
  for (int k = 0; k <= kLevels; ++k) {
    auto i = static_cast<std::size_t>(
        std::floor(static_cast<double>(k) / kLevels * static_cast<double>(sorted.size() - 1)));
    q.push_back(static_cast<double>(sorted[i]));
  }
  return q;
}

// Histogram of sorted values: distinct values when there are few, else decile cuts.
template <typename T>
nlohmann::json histogram(const std::vector<T>& sorted, const std::vector<double>& q,
                         double (*show)(double)) {
  std::vector<double> distinct;
  std::vector<std::size_t> counts;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (i == 0 || sorted[i] != sorted[i - 1]) {
      if (distinct.size() == kMaxDiscreteValues) {
        distinct.clear();
        break;
      }
      distinct.push_back(static_cast<double>(sorted[i]));
      counts.push_back(0);
    }
    ++counts.back();
  }
  if (!distinct.empty()) {
    for (double& d : distinct) d = show(d);
    return {{"values", distinct}, {"counts", counts}};
  }
  std::vector<double> cuts;
  for (int k = 1; k < kLevels; ++k) {
    if (cuts.empty() || q[k] != cuts.back()) cuts.push_back(q[k]);
  }
  std::vector<std::size_t> bins(cuts.size() + 1, 0);
  for (const T& v : sorted) {
    auto at = std::upper_bound(cuts.begin(), cuts.end(), static_cast<double>(v)) - cuts.begin();
    ++bins[static_cast<std::size_t>(at)];
  }
  for (double& c : cuts) c = show(c);
  return {{"cuts", cuts}, {"counts", bins}};
}

double show_float(double v) {
  return tidy(static_cast<float>(v));
}
double show_double(double v) {
  return round9(v);
}

}  // namespace

nlohmann::json quantile_levels() {
  std::vector<double> levels;
  for (int k = 0; k <= kLevels; ++k) levels.push_back(round9(static_cast<double>(k) / kLevels));
  return levels;
}

nlohmann::json feature_reference(std::span<const float> values) {
  std::vector<float> present;
  double sum = 0;
  for (float v : values) {
    if (std::isnan(v)) continue;
    present.push_back(v);
    sum += v;
  }
  std::size_t missing = values.size() - present.size();
  nlohmann::json out = {
      {"count", present.size()},
      {"missing_share",
       values.empty() ? 0.0
                      : round9(static_cast<double>(missing) / static_cast<double>(values.size()))}};
  if (present.empty()) return out;
  std::sort(present.begin(), present.end());
  auto q = quantiles(present);
  out["min"] = tidy(present.front());
  out["max"] = tidy(present.back());
  out["mean"] = round9(sum / static_cast<double>(present.size()));
  std::vector<double> shown;
  for (double v : q) shown.push_back(show_float(v));
  out["quantiles"] = shown;
  out["histogram"] = histogram(present, q, show_float);
  return out;
}

nlohmann::json score_reference(std::span<const double> scores, bool probabilities) {
  std::vector<double> sorted(scores.begin(), scores.end());
  std::sort(sorted.begin(), sorted.end());
  nlohmann::json out = {{"count", sorted.size()}};
  if (sorted.empty()) return out;
  double sum = 0;
  for (double s : sorted) sum += s;
  out["mean"] = round9(sum / static_cast<double>(sorted.size()));
  auto q = quantiles(sorted);
  std::vector<double> shown;
  for (double v : q) shown.push_back(round9(v));
  out["quantiles"] = shown;
  if (!probabilities) {
    out["histogram"] = histogram(sorted, q, show_double);
    return out;
  }
  std::vector<double> edges;
  for (int k = 0; k <= kLevels; ++k) edges.push_back(round9(static_cast<double>(k) / kLevels));
  std::vector<std::size_t> counts(kLevels, 0);
  for (double s : sorted) {
    auto bin = static_cast<int>(std::floor(s * kLevels));
    ++counts[static_cast<std::size_t>(std::clamp(bin, 0, kLevels - 1))];
  }
  out["histogram"] = {{"edges", edges}, {"counts", counts}};
  return out;
}

}  // namespace ledgerflow::datagen
