// ForestModel: an XGBoost gbtree model flattened into one node array for fast
// evaluation, and the strict loader that builds it from XGBoost's JSON model format
// (what XGBoosterSaveModel writes to a *.json path). Semantics and limits are in
// plugins/forest/README.md.
//
// Why one flat array: scoring a row walks ~100 trees x ~6 levels; with 12-byte nodes
// laid out breadth first, siblings adjacent and every tree in one allocation, a
// 100-tree depth-6 model is ~150 KiB and each step is one load and one compare, which
// is what makes native scoring several times faster than a call into libxgboost.
// TreeSHAP's per-node covers live in a separate array so they do not dilute the cache
// lines the prediction path reads.
//
// Strict because a model that loads with a silently wrong number makes wrong decisions
// nobody notices: bad child indices, cycles, features out of range, NaN/inf values,
// arrays of the wrong length and sizes over the limits are refused naming the file and
// the JSON path. Models that are well formed but need XGBoost itself (dart, gblinear,
// categorical splits, other objectives) are told apart by forest_unsupported_reason()
// so that a registry can serve them through the C API instead.
// Thread-safety: plain value type; stateless functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/common/result.h"

namespace ledgerflow::plugins {

inline constexpr std::size_t kMaxForestTrees = 100'000;
inline constexpr std::size_t kMaxForestNodes = 1'000'000;  // all trees, as stored in the file
inline constexpr std::size_t kMaxForestFeatures = 100'000;
inline constexpr std::size_t kMaxForestClasses = 1'000;
inline constexpr std::size_t kMaxForestDepth = 64;  // TreeSHAP recursion and path buffers

enum class ForestObjective { binary_logistic, reg_logistic, reg_squarederror, multi_softprob };

struct ForestNode {
  static constexpr std::uint32_t kLeaf = 0xFFFF'FFFFu;
  static constexpr std::uint32_t kDefaultLeft = 0x8000'0000u;
  static constexpr std::uint32_t kFeatureMask = 0x7FFF'FFFFu;

  float value = 0;            // split: go left when x < value; leaf: the leaf value
  std::uint32_t feature = 0;  // split: feature index | kDefaultLeft; leaf: kLeaf
  std::uint32_t left = 0;     // split: index of the left child in nodes; right is left + 1

  bool is_leaf() const { return feature == kLeaf; }
  std::uint32_t feature_index() const { return feature & kFeatureMask; }
  bool default_left() const { return (feature & kDefaultLeft) != 0; }
};
static_assert(sizeof(ForestNode) == 12);

struct ForestModel {
  ForestObjective objective = ForestObjective::binary_logistic;
  std::string objective_name;  // XGBoost's name, e.g. "binary:logistic"
  std::size_t num_features = 0;
  std::size_t num_groups = 1;           // outputs per row: num_class for multi:softprob, else 1
  float base_score = 0.5f;              // learner_model_param.base_score, in output space
  float base_margin = 0;                // the same in margin space: logit(base_score) for logistic
  std::vector<ForestNode> nodes;        // every tree, breadth first, siblings adjacent
  std::vector<float> covers;            // per node: sum_hessian, for TreeSHAP
  std::vector<std::uint32_t> roots;     // per tree: index of its root in nodes
  std::vector<std::uint32_t> groups;    // per tree: the output group it adds to
  std::vector<std::uint32_t> depths;    // per tree: depth of its deepest leaf
  std::vector<double> expected_values;  // per tree: cover-weighted mean leaf value
  std::vector<std::string> feature_names;  // from the file; empty when it has none
  std::size_t max_depth = 0;               // over all trees
};

// Why the native evaluator cannot serve this otherwise well-formed XGBoost model while
// the XGBoost C API can ("the gradient booster is 'dart'", "objective 'count:poisson' ...",
// categorical splits, vector leaves), or nullopt. Only looks at those markers; a
// malformed document yields nullopt and is reported by parse_forest_model.
std::optional<std::string> forest_unsupported_reason(const nlohmann::json& doc);

// Builds the flat model from a parsed XGBoost JSON document (see read_xgboost_json,
// which keeps float32 values exact). invalid_argument naming `source` and the JSON path.
Result<ForestModel> parse_forest_model(const nlohmann::json& doc, const std::string& source);

// Reads and builds; not_found / io_error for an absent or unreadable file.
Result<ForestModel> load_forest_model(const std::string& path);

// What check_xgboost_model learns about a model.
struct XgboostModelSummary {
  std::string booster;    // "gbtree", "dart", "gblinear"
  std::string objective;  // e.g. "binary:logistic"
  std::size_t num_features = 0;
  std::size_t num_class = 0;               // 0 for single-output models
  std::vector<std::string> feature_names;  // from the file; may be empty
};

// For models served through the C API: checks what XGBoost itself does not check before
// it would index out of bounds (tree shapes, child indices, feature range, array
// lengths; gblinear weight counts) and the limits. Accepts dart, categorical splits and
// any objective name.
Result<XgboostModelSummary> check_xgboost_model(const nlohmann::json& doc,
                                                const std::string& source);

}  // namespace ledgerflow::plugins
