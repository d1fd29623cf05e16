#include "plugins/common/score_output.h"

#include <algorithm>
#include <cmath>

namespace ledgerflow::plugins {

double sigmoid(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  double e = std::exp(x);
  return e / (1.0 + e);
}

std::vector<std::size_t> top_magnitudes(std::span<const double> values, std::size_t k,
                                        bool skip_zero) {
  std::vector<std::size_t> order;
  order.reserve(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!skip_zero || values[i] != 0) order.push_back(i);
  }
  k = std::min(k, order.size());
  auto larger = [&](std::size_t a, std::size_t b) {
    double ma = std::fabs(values[a]);
    double mb = std::fabs(values[b]);
    return ma != mb ? ma > mb : a < b;
  };
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                    larger);
  order.resize(k);
  return order;
}

std::string model_label(const scoring::ModelInfo& info) {
  return "model '" + info.name + "' version " + info.version;
}

}  // namespace ledgerflow::plugins
