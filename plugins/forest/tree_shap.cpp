#include "plugins/forest/tree_shap.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>

namespace ledgerflow::plugins {
namespace {

// 1/k for the path lengths and positions TreeSHAP divides by: divisions dominated its
// cost (two per step of the O(depth^2) work at every leaf); multiplying by a table does not.
struct Reciprocals {
  std::array<double, kMaxForestDepth + 4> of{};
  Reciprocals() {
    for (std::size_t k = 1; k < of.size(); ++k) of[k] = 1.0 / static_cast<double>(k);
  }
};
const Reciprocals kInverse;

}  // namespace

TreeShap::TreeShap(const ForestModel& model) : model_(model) {
  // Level d of the recursion holds a path of at most d + 1 elements, and a leaf sits at
  // most max_depth levels below the root.
  std::size_t levels = model.max_depth + 2;
  paths_.resize(levels * (levels + 1) / 2);
}

void TreeShap::explain(std::span<const float> row, std::size_t group, std::span<double> phi) {
  assert(row.size() == model_.num_features && phi.size() == model_.num_features + 1);
  double expected = model_.base_margin;
  for (std::size_t t = 0; t < model_.roots.size(); ++t) {
    if (model_.groups[t] != group) continue;
    expected += model_.expected_values[t];
    add_tree(t, row, phi);
  }
  phi[model_.num_features] += expected;
}

void TreeShap::add_tree(std::size_t tree, std::span<const float> row, std::span<double> phi) {
  row_ = row;
  phi_ = phi.data();
  // The root enters with a placeholder feature (-1) that every path starts with.
  recurse(model_.roots[tree], paths_.data(), 0, 1.0, 1.0, -1);
}

// Adds a feature to the path: every subset size shifts weight between "feature in the
// subset" (one_fraction) and "feature not in it" (zero_fraction).
void TreeShap::extend(PathElement* path, std::size_t length, double zero_fraction,
                      double one_fraction, std::int64_t feature) {
  path[length] = {feature, zero_fraction, one_fraction, length == 0 ? 1.0 : 0.0};
  const double inv_n = kInverse.of[length + 1];
  for (std::size_t i = length; i-- > 0;) {
    path[i + 1].weight += one_fraction * path[i].weight * static_cast<double>(i + 1) * inv_n;
    path[i].weight = zero_fraction * path[i].weight * static_cast<double>(length - i) * inv_n;
  }
}

// The inverse of extend for the element at `index` (a feature split on again lower in
// the tree is taken out, then put back with the combined fractions).
void TreeShap::unwind(PathElement* path, std::size_t length, std::size_t index) {
  const std::size_t last = length - 1;
  const double one = path[index].one_fraction;
  const double zero = path[index].zero_fraction;
  const double n = static_cast<double>(length);
  const double inv_n = kInverse.of[length];
  if (one != 0) {
    const double scale = n / one;
    double carried = path[last].weight;
    for (std::size_t j = last; j-- > 0;) {
      double previous = path[j].weight;
      path[j].weight = carried * scale * kInverse.of[j + 1];
      carried = previous - path[j].weight * zero * static_cast<double>(last - j) * inv_n;
    }
  } else {
    const double scale = n / zero;
    for (std::size_t j = last; j-- > 0;) {
      path[j].weight = path[j].weight * scale * kInverse.of[last - j];
    }
  }
  for (std::size_t j = index; j < last; ++j) {
    path[j].feature = path[j + 1].feature;
    path[j].zero_fraction = path[j + 1].zero_fraction;
    path[j].one_fraction = path[j + 1].one_fraction;
  }
}

// At a leaf, every feature on the path gets (unwound weight) x (one - zero) x value,
// the unwound weight being the total weight unwind() would leave for that element
// (the paper's UNWOUNDSUM). Computed for all path elements at once: their recurrences are
// independent, so running them side by side (inner loop over elements) overlaps their
// multiply chains instead of waiting on one at a time; this is where TreeSHAP spends
// its time. Elements whose one_fraction is 0 share one weighted sum of the path.
void TreeShap::add_leaf(const PathElement* path, std::size_t length, double value) {
  constexpr std::size_t kMaxPath = kMaxForestDepth + 2;
  const std::size_t last = length - 1;
  const double n = static_cast<double>(length);
  const double inv_n = kInverse.of[length];
  std::array<double, kMaxPath> carried;
  std::array<double, kMaxPath> total;
  std::array<double, kMaxPath> scale;
  std::array<double, kMaxPath> zero_scaled;
  std::array<std::size_t, kMaxPath> element;
  std::size_t m = 0;
  bool any_cold = false;
  for (std::size_t i = 1; i < length; ++i) {
    if (path[i].one_fraction != 0) {
      element[m] = i;
      scale[m] = n / path[i].one_fraction;
      zero_scaled[m] = path[i].zero_fraction * inv_n;
      carried[m] = path[last].weight;
      total[m] = 0;
      ++m;
    } else {
      any_cold = true;
    }
  }
  for (std::size_t j = last; j-- > 0;) {
    const double a = kInverse.of[j + 1];
    const double b = static_cast<double>(last - j);
    const double wj = path[j].weight;
    for (std::size_t k = 0; k < m; ++k) {
      double t = carried[k] * scale[k] * a;
      total[k] += t;
      carried[k] = wj - t * zero_scaled[k] * b;
    }
  }
  for (std::size_t k = 0; k < m; ++k) {
    const PathElement& e = path[element[k]];
    phi_[e.feature] += total[k] * (e.one_fraction - e.zero_fraction) * value;
  }
  if (!any_cold) return;
  double shared = 0;  // sum over j of weight_j / (last - j)
  for (std::size_t j = 0; j < last; ++j) shared += path[j].weight * kInverse.of[last - j];
  for (std::size_t i = 1; i < length; ++i) {
    const PathElement& e = path[i];
    if (e.one_fraction != 0) continue;
    double w = shared * n / e.zero_fraction;
    phi_[e.feature] += w * (e.one_fraction - e.zero_fraction) * value;
  }
}

void TreeShap::recurse(std::uint32_t node_index, PathElement* parent, std::size_t parent_length,
                       double zero_fraction, double one_fraction, std::int64_t feature) {
  // Neither the row nor the background reaches this node: every weight below is zero
  // (and unwinding such an element would divide by zero).
  if (zero_fraction == 0 && one_fraction == 0) return;
  PathElement* path = parent + parent_length;  // this level's slice, after the parent's
  std::copy(parent, parent + parent_length, path);
  extend(path, parent_length, zero_fraction, one_fraction, feature);
  std::size_t length = parent_length + 1;

  const ForestNode& node = model_.nodes[node_index];
  if (node.is_leaf()) {
    add_leaf(path, length, node.value);
    return;
  }

  const std::uint32_t split = node.feature_index();
  const float x = row_[split];
  bool go_left = std::isnan(x) ? node.default_left() : x < node.value;
  const std::uint32_t hot = go_left ? node.left : node.left + 1;
  const std::uint32_t cold = go_left ? node.left + 1 : node.left;
  const double cover = model_.covers[node_index];

  // A feature already on the path is taken out and re-entered with both splits' fractions.
  double incoming_zero = 1;
  double incoming_one = 1;
  for (std::size_t k = 1; k < length; ++k) {
    if (path[k].feature == static_cast<std::int64_t>(split)) {
      incoming_zero = path[k].zero_fraction;
      incoming_one = path[k].one_fraction;
      unwind(path, length, k);
      --length;
      break;
    }
  }
  recurse(hot, path, length, incoming_zero * model_.covers[hot] / cover, incoming_one, split);
  recurse(cold, path, length, incoming_zero * model_.covers[cold] / cover, 0.0, split);
}

}  // namespace ledgerflow::plugins
