// TreeShap: exact SHAP values of a ForestModel's trees for one row, by the polynomial-
// time algorithm of Lundberg, Erion & Lee, "Consistent Individualized Feature
// Attribution for Tree Ensembles" (2018), Algorithm 2, with XGBoost's covers
// (sum_hessian) as the node weights, so the values agree with XGBoost's pred_contribs.
//
// Written here rather than calling XGBoost because the native evaluator must explain
// without a booster (that is its point), and the algorithm is short. Computed in double
// (XGBoost uses float): results differ from XGBoost's by float rounding only.
//
// Per row and tree: phi[f] for every feature f split on along the paths; the sum over
// features plus the tree's expected value (ForestModel::expected_values) is the tree's
// output for the row, up to the rounding of covers (XGBoost's node covers are float sums).
//
// Thread-safety: a TreeShap owns scratch buffers; use one per thread (they are cheap).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "plugins/forest/forest_model.h"

namespace ledgerflow::plugins {

class TreeShap {
 public:
  explicit TreeShap(const ForestModel& model);

  // Adds the contributions of every tree in output group `group` for `row` (float32
  // features, NaN = missing, model.num_features of them) to phi[0..num_features), and
  // the group's expected value (base margin + the trees' expected values) to
  // phi[num_features]. phi must hold num_features + 1 values.
  void explain(std::span<const float> row, std::size_t group, std::span<double> phi);

  // One tree's contributions (without its expected value) added to phi[0..num_features).
  void add_tree(std::size_t tree, std::span<const float> row, std::span<double> phi);

 private:
  // One feature on the path from the root: the fraction of "zero" (feature absent:
  // follow covers) and "one" (feature present: follow the row) paths that flow
  // through, and the permutation weight of subsets of the path's size.
  struct PathElement {
    std::int64_t feature;
    double zero_fraction;
    double one_fraction;
    double weight;
  };

  void recurse(std::uint32_t node, PathElement* parent, std::size_t parent_length,
               double zero_fraction, double one_fraction, std::int64_t feature);
  static void extend(PathElement* path, std::size_t length, double zero_fraction,
                     double one_fraction, std::int64_t feature);
  static void unwind(PathElement* path, std::size_t length, std::size_t index);
  void add_leaf(const PathElement* path, std::size_t length, double value);

  const ForestModel& model_;
  std::vector<PathElement> paths_;  // one slice per recursion level
  std::span<const float> row_;
  double* phi_ = nullptr;
};

}  // namespace ledgerflow::plugins
