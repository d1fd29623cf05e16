#include "api/service/model_performance.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <string>

namespace ledgerflow::api {
namespace {

struct Point {
  double score;
  double actual;
};

// Mann-Whitney U / (P * N), ties sharing their average rank; nullopt without both classes.
std::optional<double> auc(std::vector<Point> points) {
  std::sort(points.begin(), points.end(),
            [](const Point& a, const Point& b) { return a.score < b.score; });
  double positives = 0, rank_sum = 0;
  for (std::size_t i = 0; i < points.size();) {
    std::size_t j = i;
    while (j < points.size() && points[j].score == points[i].score) ++j;
    const double average_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (std::size_t k = i; k < j; ++k) {
      if (points[k].actual == 1) {
        positives += 1;
        rank_sum += average_rank;
      }
    }
    i = j;
  }
  const double negatives = static_cast<double>(points.size()) - positives;
  if (positives == 0 || negatives == 0) return std::nullopt;
  return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

nlohmann::json binary_figures(const std::vector<Point>& points) {
  double positives = 0, correct = 0, brier = 0, score_sum = 0;
  for (const auto& p : points) {
    positives += p.actual;
    correct += ((p.score >= 0.5 ? 1.0 : 0.0) == p.actual) ? 1 : 0;
    brier += (p.score - p.actual) * (p.score - p.actual);
    score_sum += p.score;
  }
  const double n = static_cast<double>(points.size());
  auto a = auc(points);
  return {{"kind", "binary"},
          {"count", points.size()},
          {"positives", static_cast<std::int64_t>(positives)},
          {"accuracy", correct / n},
          {"brier", brier / n},
          {"auc", a ? nlohmann::json(*a) : nlohmann::json()},
          {"mean_score", score_sum / n}};
}

nlohmann::json regression_figures(const std::vector<Point>& points) {
  double abs_sum = 0, sq_sum = 0;
  for (const auto& p : points) {
    abs_sum += std::fabs(p.score - p.actual);
    sq_sum += (p.score - p.actual) * (p.score - p.actual);
  }
  const double n = static_cast<double>(points.size());
  return {{"kind", "regression"},
          {"count", points.size()},
          {"mae", abs_sum / n},
          {"rmse", std::sqrt(sq_sum / n)}};
}

}  // namespace

nlohmann::json performance_by_version(const std::vector<rt::ScoredOutcome>& outcomes) {
  // Versions are numbers written as text: order "2" before "10".
  auto by_number = [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  };
  std::map<std::string, std::vector<Point>, decltype(by_number)> versions(by_number);
  for (const auto& o : outcomes) {
    if (std::isfinite(o.score) && std::isfinite(o.actual)) {
      versions[o.model_version].push_back({o.score, o.actual});
    }
  }
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [version, points] : versions) {
    const bool binary = std::all_of(points.begin(), points.end(),
                                    [](const Point& p) { return p.actual == 0 || p.actual == 1; });
    nlohmann::json figures = binary ? binary_figures(points) : regression_figures(points);
    figures["version"] = version;
    out.push_back(std::move(figures));
  }
  return out;
}

}  // namespace ledgerflow::api
