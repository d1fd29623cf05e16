// Reference distributions for drift monitoring, stored in meta.json under "reference":
// how each feature and the model's score were distributed on the training rows, so that
// live traffic can later be compared against them (e.g. by the population stability
// index over the same bins).
//
//   "quantile_levels": [0, 0.1, ..., 1]
//   "features": {"<name>": {
//       "count": non-missing values, "missing_share": share of NaN,
//       "min", "max", "mean", "quantiles": [value at each level],
//       "histogram": {"values": [v1, ...], "counts": [...]}           <= 10 distinct values
//                 or {"cuts": [c1, ..., ck], "counts": [k + 1 counts]} otherwise: bins
//                    (-inf, c1), [c1, c2), ..., [ck, +inf); cuts are the distinct deciles
//   }}
//   "score": {"count", "mean", "quantiles", "histogram": {"edges": [0, 0.1, ..., 1],
//             "counts": [10]}} for probabilities (the last bin includes 1), else the
//             feature form.
//
// Quantiles are order statistics (the value at index floor(level * (n - 1)) of the
// sorted values), printed as the shortest decimal of their float32 value, so the file is
// byte-identical for the same data. Thread-safety: stateless functions.
#pragma once

#include <span>

#include <nlohmann/json.hpp>

namespace ledgerflow::datagen {

inline constexpr std::size_t kMaxDiscreteValues = 10;

// One feature's values on the training rows (NaN = missing).
nlohmann::json feature_reference(std::span<const float> values);
// The model's outputs on the training rows; `probabilities` selects the fixed [0, 1] bins.
nlohmann::json score_reference(std::span<const double> scores, bool probabilities);
// The quantile levels used above.
nlohmann::json quantile_levels();

}  // namespace ledgerflow::datagen
