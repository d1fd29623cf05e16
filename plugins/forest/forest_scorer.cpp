#include "plugins/forest/forest_scorer.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "plugins/common/score_output.h"
#include "plugins/forest/tree_shap.h"
#include "plugins/forest/xgboost_json.h"

namespace ledgerflow::plugins {
namespace {

constexpr std::size_t kBlockRows = 64;  // batch rows per pass over the trees

constexpr std::size_t kLanes = 8;  // trees (one row) or rows (batch) walked together

// The child of split `node` a float32 row goes to: left when x < threshold, NaN by
// default_left. Written without branches: which way a row goes is data, and a
// mispredicted branch per level costs more than computing both conditions.
inline std::uint32_t next_node(const ForestNode& node, const float* row) {
  const float x = row[node.feature_index()];
  const bool left = (x < node.value) | (std::isnan(x) & node.default_left());
  return node.left + static_cast<std::uint32_t>(!left);
}

}  // namespace

Result<std::unique_ptr<ForestScorer>> ForestScorer::load(const std::string& path,
                                                         TreeModelOptions options) {
  auto doc = read_xgboost_json(path);
  if (!doc) return doc.error();
  return from_json(*doc, path, std::move(options));
}

Result<std::unique_ptr<ForestScorer>> ForestScorer::from_json(const nlohmann::json& doc,
                                                              const std::string& source,
                                                              TreeModelOptions options) {
  auto model = parse_forest_model(doc, source);
  if (!model) return model.error();
  return create(std::move(*model), std::move(options), source);
}

Result<std::unique_ptr<ForestScorer>> ForestScorer::create(ForestModel model,
                                                           TreeModelOptions options,
                                                           const std::string& source) {
  auto info = tree_model_info(options, "forest", model.objective_name, model.num_features,
                              model.num_groups, model.feature_names, source);
  if (!info) return info.error();
  return std::unique_ptr<ForestScorer>(
      new ForestScorer(std::move(model), std::move(options), std::move(*info)));
}

ForestScorer::ForestScorer(ForestModel model, TreeModelOptions options, scoring::ModelInfo info)
    : TreeScorer(std::move(options), std::move(info), model.num_groups), model_(std::move(model)) {
  group_bias_.assign(model_.num_groups, model_.base_margin);
  for (std::size_t t = 0; t < model_.roots.size(); ++t) {
    group_bias_[model_.groups[t]] += model_.expected_values[t];
  }
}

void ForestScorer::margins(const float* row, float* out) const {
  const ForestNode* nodes = model_.nodes.data();
  const std::size_t trees = model_.roots.size();
  // kLanes trees are walked together (their node loads are independent, so the CPU
  // overlaps them), then their leaves are added in float onto the base margin in tree
  // order: XGBoost's CPU predictor sums the same way, so margins are bit-identical.
  const bool single = model_.num_groups == 1;
  float sum = model_.base_margin;  // the single-output total, kept in a register
  std::fill(out, out + model_.num_groups, model_.base_margin);
  for (std::size_t first = 0; first < trees; first += kLanes) {
    const std::size_t lanes = std::min(kLanes, trees - first);
    std::array<std::uint32_t, kLanes> at;
    std::uint32_t depth = 0;
    for (std::size_t l = 0; l < lanes; ++l) {
      at[l] = model_.roots[first + l];
      depth = std::max(depth, model_.depths[first + l]);
    }
    for (std::uint32_t level = 0; level < depth; ++level) {
      for (std::size_t l = 0; l < lanes; ++l) {
        const ForestNode& node = nodes[at[l]];
        if (!node.is_leaf()) at[l] = next_node(node, row);
      }
    }
    for (std::size_t l = 0; l < lanes; ++l) {
      if (single) {
        sum += nodes[at[l]].value;
      } else {
        out[model_.groups[first + l]] += nodes[at[l]].value;
      }
    }
  }
  if (single) out[0] = sum;
}

void ForestScorer::margin_block(const float* rows, std::size_t count, float* out) const {
  const ForestNode* nodes = model_.nodes.data();
  const std::size_t width = model_.num_features;
  const std::size_t groups = model_.num_groups;
  std::fill(out, out + count * groups, model_.base_margin);
  for (std::size_t t = 0; t < model_.roots.size(); ++t) {
    const std::uint32_t root = model_.roots[t];
    const std::uint32_t depth = model_.depths[t];
    float* target = out + model_.groups[t];
    // kLanes rows walk the tree level by level together: their node loads are
    // independent, so the CPU overlaps them instead of waiting on one row's chain.
    for (std::size_t first = 0; first < count; first += kLanes) {
      const std::size_t lanes = std::min(kLanes, count - first);
      std::array<std::uint32_t, kLanes> at;
      at.fill(root);
      for (std::uint32_t level = 0; level < depth; ++level) {
        for (std::size_t l = 0; l < lanes; ++l) {
          const ForestNode& node = nodes[at[l]];
          if (node.is_leaf()) continue;
          at[l] = next_node(node, rows + (first + l) * width);
        }
      }
      for (std::size_t l = 0; l < lanes; ++l) {
        target[(first + l) * groups] += nodes[at[l]].value;
      }
    }
  }
}

void ForestScorer::transform(const float* margins, double* values) const {
  switch (model_.objective) {
    case ForestObjective::binary_logistic:
    case ForestObjective::reg_logistic:
      values[0] = sigmoid(margins[0]);
      return;
    case ForestObjective::reg_squarederror:
      values[0] = margins[0];
      return;
    case ForestObjective::multi_softprob: {
      const std::size_t groups = model_.num_groups;
      double top = *std::max_element(margins, margins + groups);
      double total = 0;
      for (std::size_t g = 0; g < groups; ++g) {
        values[g] = std::exp(static_cast<double>(margins[g]) - top);
        total += values[g];
      }
      for (std::size_t g = 0; g < groups; ++g) values[g] /= total;
      return;
    }
  }
}

Result<void> ForestScorer::row_values(const float* row, double* values) const {
  // One output (the common case) stays on the stack.
  std::array<float, 1> one_margin;
  std::vector<float> many_margins;
  float* margin = one_margin.data();
  if (model_.num_groups > 1) {
    many_margins.resize(model_.num_groups);
    margin = many_margins.data();
  }
  margins(row, margin);
  transform(margin, values);
  return {};
}

Result<void> ForestScorer::row_contributions(std::span<const float> row, std::size_t group,
                                             std::vector<double>& phi) const {
  phi.assign(model_.num_features + 1, 0.0);
  TreeShap shap(model_);
  shap.explain(row, group, phi);
  phi.pop_back();  // the bias, which group_bias_ already holds
  return {};
}

Result<void> ForestScorer::predict_rows(const float* rows, std::size_t count, PredictKind kind,
                                        double* out) const {
  const std::size_t groups = model_.num_groups;
  const std::size_t width = model_.num_features;
  std::vector<float> block(kBlockRows * groups);
  for (std::size_t begin = 0; begin < count; begin += kBlockRows) {
    std::size_t n = std::min(kBlockRows, count - begin);
    margin_block(rows + begin * width, n, block.data());
    for (std::size_t r = 0; r < n; ++r) {
      double* target = out + (begin + r) * groups;
      const float* m = block.data() + r * groups;
      if (kind == PredictKind::margin) {
        std::copy(m, m + groups, target);
      } else {
        transform(m, target);
      }
    }
  }
  return {};
}

Result<void> ForestScorer::contribution_rows(std::span<const float> rows, std::size_t count,
                                             std::span<double> out) const {
  const std::size_t width = model_.num_features;
  const std::size_t groups = model_.num_groups;
  const std::size_t per_group = width + 1;
  std::fill(out.begin(), out.end(), 0.0);
  TreeShap shap(model_);
  for (std::size_t r = 0; r < count; ++r) {
    auto row = rows.subspan(r * width, width);
    for (std::size_t g = 0; g < groups; ++g) {
      shap.explain(row, g, out.subspan((r * groups + g) * per_group, per_group));
    }
  }
  return {};
}

}  // namespace ledgerflow::plugins
