#include "plugins/forest/forest_model.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>

#include "plugins/forest/xgboost_json.h"

namespace ledgerflow::plugins {
namespace {

using nlohmann::json;

constexpr std::string_view kNativeObjectives =
    "binary:logistic, reg:logistic, reg:squarederror, multi:softprob";
constexpr std::string_view kModelPath = "learner.gradient_booster.model";

std::string describe(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::string:
      return "the string " + v.dump();
    case json::value_t::array:
      return "a list";
    case json::value_t::object:
      return "an object";
    default:
      return "the number " + v.dump();
  }
}

std::optional<ForestObjective> native_objective(std::string_view name) {
  if (name == "binary:logistic") return ForestObjective::binary_logistic;
  if (name == "reg:logistic") return ForestObjective::reg_logistic;
  if (name == "reg:squarederror") return ForestObjective::reg_squarederror;
  if (name == "multi:softprob") return ForestObjective::multi_softprob;
  return std::nullopt;
}

// Typed access to the document; every failure names the source and the JSON path.
class Reader {
 public:
  explicit Reader(const std::string& source) : source_(source) {}

  Error fail(const std::string& where, const std::string& what) const {
    return Error::invalid(source_ + ": " + where + ": " + what);
  }

  static std::string join(const std::string& where, std::string_view key) {
    return where.empty() ? std::string(key) : where + "." + std::string(key);
  }

  Result<const json*> member(const json& parent, const std::string& where, std::string_view key,
                             json::value_t type, std::string_view expected) const {
    auto it = parent.find(key);
    std::string path = join(where, key);
    if (it == parent.end()) return fail(path, "missing; expected " + std::string(expected));
    if (it->type() != type) {
      return fail(path, "expected " + std::string(expected) + ", got " + describe(*it));
    }
    return &*it;
  }
  Result<const json*> object(const json& parent, const std::string& where,
                             std::string_view key) const {
    return member(parent, where, key, json::value_t::object, "an object");
  }
  Result<const json*> array(const json& parent, const std::string& where,
                            std::string_view key) const {
    return member(parent, where, key, json::value_t::array, "a list");
  }
  Result<std::string> string(const json& parent, const std::string& where,
                             std::string_view key) const {
    auto v = member(parent, where, key, json::value_t::string, "a string");
    if (!v) return v.error();
    return (*v)->get<std::string>();
  }

  // XGBoost writes counts as decimal strings ("100"); integers are accepted too.
  Result<std::int64_t> count(const json& parent, const std::string& where, std::string_view key,
                             std::int64_t min, std::int64_t max,
                             std::optional<std::int64_t> fallback = std::nullopt) const {
    auto it = parent.find(key);
    std::string path = join(where, key);
    if (it == parent.end()) {
      if (fallback) return *fallback;
      return fail(path, "missing; expected a count");
    }
    std::int64_t value = 0;
    if (it->is_number_integer()) {
      value = it->get<std::int64_t>();
    } else if (it->is_string()) {
      const auto& s = it->get_ref<const std::string&>();
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
      if (ec != std::errc() || end != s.data() + s.size() || s.empty()) {
        return fail(path, "expected an integer, got " + describe(*it));
      }
    } else {
      return fail(path, "expected an integer, got " + describe(*it));
    }
    if (value < min || value > max) {
      return fail(path, std::to_string(value) + " is outside [" + std::to_string(min) + ", " +
                            std::to_string(max) + "]");
    }
    return value;
  }

  // A float32 written as a string ("5E-1") or, from XGBoost 2, a one-element list string
  // ("[5E-1]"); plain numbers are accepted too.
  Result<float> float_text(const json& parent, const std::string& where,
                           std::string_view key) const {
    auto it = parent.find(key);
    std::string path = join(where, key);
    if (it == parent.end()) return fail(path, "missing; expected a number");
    float value = 0;
    if (it->is_number()) {
      value = static_cast<float>(it->get<double>());
    } else if (it->is_string()) {
      std::string_view s = it->get_ref<const std::string&>();
      if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
      if (ec != std::errc() || end != s.data() + s.size() || s.empty()) {
        return fail(path, "expected a number, got " + describe(*it));
      }
    } else {
      return fail(path, "expected a number, got " + describe(*it));
    }
    if (!std::isfinite(value)) return fail(path, "must be a finite float32");
    return value;
  }

 private:
  const std::string& source_;
};

// The per-node arrays of one tree, each checked to hold num_nodes elements.
struct TreeArrays {
  const json* left = nullptr;
  const json* right = nullptr;
  const json* feature = nullptr;
  const json* condition = nullptr;
  const json* default_left = nullptr;
  const json* cover = nullptr;
  const json* split_type = nullptr;  // optional (absent before XGBoost 1.5)
};

Result<TreeArrays> tree_arrays(const Reader& r, const json& tree, const std::string& where,
                               std::size_t num_nodes) {
  TreeArrays out;
  struct Field {
    std::string_view key;
    const json** slot;
  };
  for (auto [key, slot] :
       {Field{"left_children", &out.left}, Field{"right_children", &out.right},
        Field{"split_indices", &out.feature}, Field{"split_conditions", &out.condition},
        Field{"default_left", &out.default_left}, Field{"sum_hessian", &out.cover}}) {
    auto a = r.array(tree, where, key);
    if (!a) return a.error();
    if ((*a)->size() != num_nodes) {
      return r.fail(Reader::join(where, key), std::to_string((*a)->size()) +
                                                  " entries, but tree_param.num_nodes is " +
                                                  std::to_string(num_nodes));
    }
    *slot = *a;
  }
  if (auto it = tree.find("split_type"); it != tree.end()) {
    if (!it->is_array() || it->size() != num_nodes) {
      return r.fail(Reader::join(where, "split_type"),
                    "expected a list of " + std::to_string(num_nodes) + " entries");
    }
    out.split_type = &*it;
  }
  return out;
}

// Element access for the node arrays.
class NodeReader {
 public:
  NodeReader(const Reader& r, const std::string& where) : r_(r), where_(where) {}

  Result<std::int64_t> integer(const json& arr, std::string_view name, std::size_t i) const {
    const json& e = arr[i];
    if (!e.is_number_integer()) return fail(name, i, "expected an integer, got " + describe(e));
    return e.get<std::int64_t>();
  }
  Result<float> number(const json& arr, std::string_view name, std::size_t i) const {
    const json& e = arr[i];
    if (!e.is_number()) return fail(name, i, "expected a number, got " + describe(e));
    // read_xgboost_json stores float32 values exactly, so this narrowing is exact.
    float v = static_cast<float>(e.get<double>());
    if (!std::isfinite(v)) {
      return fail(name, i, "the value " + e.dump() + " is not a finite float32 (NaN/inf)");
    }
    return v;
  }
  Result<bool> flag(const json& arr, std::string_view name, std::size_t i) const {
    const json& e = arr[i];
    if (e.is_boolean()) return e.get<bool>();
    if (e.is_number_integer() && (e.get<std::int64_t>() == 0 || e.get<std::int64_t>() == 1)) {
      return e.get<std::int64_t>() == 1;
    }
    return fail(name, i, "expected 0 or 1, got " + describe(e));
  }
  Error fail(std::string_view name, std::size_t i, const std::string& what) const {
    return r_.fail(where_ + "." + std::string(name) + "[" + std::to_string(i) + "]", what);
  }

 private:
  const Reader& r_;
  const std::string& where_;
};

struct TreeContext {
  std::size_t num_features = 0;
  bool categorical_ok = false;  // the C API path checks shapes only
};

// The categorical-split tables XGBoost indexes without checking (C API path only):
// categories_nodes[i] is a node whose categories are
// categories[segments[i] .. segments[i] + sizes[i]).
Result<void> check_categories(const Reader& r, const json& tree, const std::string& where,
                              std::size_t num_nodes) {
  const json* lists[4] = {};
  const char* keys[4] = {"categories", "categories_nodes", "categories_segments",
                         "categories_sizes"};
  for (int k = 0; k < 4; ++k) {
    auto it = tree.find(keys[k]);
    if (it == tree.end()) return {};  // no categorical data at all (older writers)
    if (!it->is_array()) return r.fail(Reader::join(where, keys[k]), "expected a list");
    for (const json& v : *it) {
      if (!v.is_number_integer() || v.get<std::int64_t>() < 0) {
        return r.fail(Reader::join(where, keys[k]), "expected non-negative integers");
      }
    }
    lists[k] = &*it;
  }
  const json& nodes = *lists[1];
  if (lists[2]->size() != nodes.size() || lists[3]->size() != nodes.size()) {
    return r.fail(Reader::join(where, "categories_nodes"),
                  "categories_nodes, categories_segments and categories_sizes differ in length");
  }
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    auto node = nodes[i].get<std::uint64_t>();
    auto begin = (*lists[2])[i].get<std::uint64_t>();
    auto size = (*lists[3])[i].get<std::uint64_t>();
    if (node >= num_nodes || begin > lists[0]->size() || size > lists[0]->size() - begin) {
      return r.fail(Reader::join(where, "categories_nodes[" + std::to_string(i) + "]"),
                    "node or category range out of bounds");
    }
  }
  return {};
}

// Appends one tree to `out` breadth first from its root, checking every reachable node.
// Unreachable nodes (XGBoost keeps pruned nodes in the arrays, marked deleted) are skipped.
Result<void> append_tree(const Reader& r, const json& tree, const std::string& where,
                         const TreeContext& ctx, std::size_t num_nodes, ForestModel* out) {
  auto arrays = tree_arrays(r, tree, where, num_nodes);
  if (!arrays) return arrays.error();
  if (ctx.categorical_ok) {
    if (auto c = check_categories(r, tree, where, num_nodes); !c) return c.error();
  }
  const TreeArrays& a = *arrays;
  NodeReader n(r, where);

  const auto base = static_cast<std::uint32_t>(out->nodes.size());
  std::vector<std::int64_t> file_index{0};  // file index of each appended node
  std::vector<std::uint32_t> depth{0};
  std::vector<bool> seen(num_nodes, false);
  seen[0] = true;
  std::uint32_t max_depth = 0;
  for (std::size_t k = 0; k < file_index.size(); ++k) {
    auto f = static_cast<std::size_t>(file_index[k]);
    auto left = n.integer(*a.left, "left_children", f);
    if (!left) return left.error();
    auto right = n.integer(*a.right, "right_children", f);
    if (!right) return right.error();
    auto cover = n.number(*a.cover, "sum_hessian", f);
    if (!cover) return cover.error();
    if (*cover < 0) return n.fail("sum_hessian", f, "a cover must not be negative");
    auto value = n.number(*a.condition, "split_conditions", f);
    ForestNode node;
    if (*left == -1 && *right == -1) {
      if (!value) return value.error();  // a leaf's value: NaN/inf refused here
      node.value = *value;
      node.feature = ForestNode::kLeaf;
      max_depth = std::max(max_depth, depth[k]);
    } else {
      auto nodes = static_cast<std::int64_t>(num_nodes);
      if (*left < 1 || *left >= nodes || *right < 1 || *right >= nodes) {
        return n.fail("left_children", f,
                      "children " + std::to_string(*left) + " and " + std::to_string(*right) +
                          " are not node indices of this " + std::to_string(num_nodes) +
                          "-node tree (-1 and -1 mark a leaf)");
      }
      if (*right != *left + 1) {
        // XGBoost evaluates the right child as left + 1, whatever the file says.
        return n.fail("right_children", f,
                      "right child " + std::to_string(*right) + " is not left child + 1 (" +
                          std::to_string(*left + 1) +
                          "); XGBoost writes siblings adjacently and relies on it");
      }
      if (seen[*left] || seen[*right]) {
        return n.fail("left_children", f,
                      "node " + std::to_string(*left) + " or " + std::to_string(*right) +
                          " is reached twice: the tree has a cycle or a shared node");
      }
      if (depth[k] + 1 > kMaxForestDepth) {
        return r.fail(where,
                      "deeper than " + std::to_string(kMaxForestDepth) + " levels, the limit");
      }
      auto feature = n.integer(*a.feature, "split_indices", f);
      if (!feature) return feature.error();
      if (*feature < 0 || static_cast<std::size_t>(*feature) >= ctx.num_features) {
        return n.fail("split_indices", f,
                      "feature " + std::to_string(*feature) + " is out of range; the model has " +
                          std::to_string(ctx.num_features) + " features");
      }
      bool categorical = false;
      if (a.split_type) {
        auto type = n.integer(*a.split_type, "split_type", f);
        if (!type) return type.error();
        if (*type != 0 && (*type != 1 || !ctx.categorical_ok)) {
          return n.fail("split_type", f, "categorical splits are not supported natively");
        }
        categorical = *type == 1;
      }
      if (!categorical && !value) return value.error();
      auto default_left = n.flag(*a.default_left, "default_left", f);
      if (!default_left) return default_left.error();
      if (!(*cover > 0)) {
        return n.fail("sum_hessian", f,
                      "a split node needs a positive cover (TreeSHAP divides by it)");
      }
      seen[*left] = seen[*right] = true;
      node.value = categorical ? 0.0f : *value;
      node.feature =
          static_cast<std::uint32_t>(*feature) | (*default_left ? ForestNode::kDefaultLeft : 0u);
      node.left = base + static_cast<std::uint32_t>(file_index.size());
      file_index.push_back(*left);
      file_index.push_back(*right);
      depth.push_back(depth[k] + 1);
      depth.push_back(depth[k] + 1);
    }
    out->nodes.push_back(node);
    out->covers.push_back(*cover);
  }

  // Cover-weighted mean of the leaves below each node, children before parents (they
  // come later breadth first): TreeSHAP's expected value, as XGBoost computes it.
  std::vector<double> mean(file_index.size());
  for (std::size_t k = mean.size(); k-- > 0;) {
    const ForestNode& node = out->nodes[base + k];
    if (node.is_leaf()) {
      mean[k] = node.value;
    } else {
      std::size_t l = node.left - base;
      mean[k] = (mean[l] * out->covers[base + l] + mean[l + 1] * out->covers[base + l + 1]) /
                out->covers[base + k];
    }
  }
  out->roots.push_back(base);
  out->depths.push_back(max_depth);
  out->expected_values.push_back(mean[0]);
  out->max_depth = std::max<std::size_t>(out->max_depth, max_depth);
  return {};
}

// gbtree_model_param, tree_info and trees of a gbtree model object.
Result<void> append_trees(const Reader& r, const json& model, const std::string& where,
                          const TreeContext& ctx, std::size_t num_groups, ForestModel* out) {
  auto param = r.object(model, where, "gbtree_model_param");
  if (!param) return param.error();
  std::string param_where = Reader::join(where, "gbtree_model_param");
  auto num_trees = r.count(**param, param_where, "num_trees", 0, kMaxForestTrees);
  if (!num_trees) return num_trees.error();
  auto parallel = r.count(**param, param_where, "num_parallel_tree", 1, kMaxForestTrees, 1);
  if (!parallel) return parallel.error();
  auto trees = r.array(model, where, "trees");
  if (!trees) return trees.error();
  auto info = r.array(model, where, "tree_info");
  if (!info) return info.error();
  auto count = static_cast<std::size_t>(*num_trees);
  if ((*trees)->size() != count || (*info)->size() != count) {
    return r.fail(where, "gbtree_model_param.num_trees is " + std::to_string(count) +
                             " but there are " + std::to_string((*trees)->size()) + " trees and " +
                             std::to_string((*info)->size()) + " tree_info entries");
  }
  std::size_t file_nodes = 0;
  for (std::size_t t = 0; t < count; ++t) {
    std::string tw = Reader::join(where, "trees[" + std::to_string(t) + "]");
    const json& tree = (**trees)[t];
    if (!tree.is_object()) return r.fail(tw, "expected an object, got " + describe(tree));
    const json& group = (**info)[t];
    if (!group.is_number_integer() || group.get<std::int64_t>() < 0 ||
        group.get<std::int64_t>() >= static_cast<std::int64_t>(num_groups)) {
      return r.fail(Reader::join(where, "tree_info[" + std::to_string(t) + "]"),
                    "expected an output group in [0, " + std::to_string(num_groups) + "), got " +
                        describe(group));
    }
    auto tree_param = r.object(tree, tw, "tree_param");
    if (!tree_param) return tree_param.error();
    std::string pw = Reader::join(tw, "tree_param");
    auto num_nodes = r.count(**tree_param, pw, "num_nodes", 1, kMaxForestNodes);
    if (!num_nodes) return num_nodes.error();
    auto leaf_vector = r.count(**tree_param, pw, "size_leaf_vector", 0, 0, 0);
    if (!leaf_vector) return r.fail(pw, "vector leaves (multi-target trees) are not supported");
    file_nodes += static_cast<std::size_t>(*num_nodes);
    if (file_nodes > kMaxForestNodes) {
      return r.fail(where, "more than " + std::to_string(kMaxForestNodes) +
                               " nodes over all trees, the limit");
    }
    auto appended = append_tree(r, tree, tw, ctx, static_cast<std::size_t>(*num_nodes), out);
    if (!appended) return appended.error();
    out->groups.push_back(static_cast<std::uint32_t>(group.get<std::int64_t>()));
  }
  return {};
}

struct LearnerHeader {
  const json* learner = nullptr;
  const json* booster = nullptr;
  std::string booster_name;
  std::string objective;
  float base_score = 0.5f;
  std::size_t num_features = 0;
  std::size_t num_class = 0;
  std::vector<std::string> feature_names;
};

Result<LearnerHeader> read_header(const Reader& r, const json& doc) {
  if (!doc.is_object()) return r.fail("the document", "expected a JSON object");
  LearnerHeader h;
  auto learner = r.object(doc, "", "learner");
  if (!learner) return learner.error();
  h.learner = *learner;
  auto booster = r.object(**learner, "learner", "gradient_booster");
  if (!booster) return booster.error();
  h.booster = *booster;
  auto name = r.string(**booster, "learner.gradient_booster", "name");
  if (!name) return name.error();
  h.booster_name = *name;
  auto objective = r.object(**learner, "learner", "objective");
  if (!objective) return objective.error();
  auto objective_name = r.string(**objective, "learner.objective", "name");
  if (!objective_name) return objective_name.error();
  h.objective = *objective_name;
  auto param = r.object(**learner, "learner", "learner_model_param");
  if (!param) return param.error();
  const std::string pw = "learner.learner_model_param";
  auto base_score = r.float_text(**param, pw, "base_score");
  if (!base_score) return base_score.error();
  h.base_score = *base_score;
  auto num_features = r.count(**param, pw, "num_feature", 1, kMaxForestFeatures);
  if (!num_features) return num_features.error();
  h.num_features = static_cast<std::size_t>(*num_features);
  auto num_class = r.count(**param, pw, "num_class", 0, kMaxForestClasses, 0);
  if (!num_class) return num_class.error();
  h.num_class = static_cast<std::size_t>(*num_class);
  auto num_target = r.count(**param, pw, "num_target", 0, 1, 1);
  if (!num_target) return r.fail(pw + ".num_target", "multi-target models are not supported");

  if (auto it = (*learner)->find("feature_names"); it != (*learner)->end()) {
    if (!it->is_array()) return r.fail("learner.feature_names", "expected a list of strings");
    if (!it->empty() && it->size() != h.num_features) {
      return r.fail("learner.feature_names", std::to_string(it->size()) + " names for " +
                                                 std::to_string(h.num_features) + " features");
    }
    for (std::size_t i = 0; i < it->size(); ++i) {
      const json& name_i = (*it)[i];
      if (!name_i.is_string() || name_i.get_ref<const std::string&>().empty()) {
        return r.fail("learner.feature_names[" + std::to_string(i) + "]",
                      "expected a non-empty string, got " + describe(name_i));
      }
      h.feature_names.push_back(name_i.get<std::string>());
    }
  }
  return h;
}

// XGBoost's ProbToMargin, in float as XGBoost computes it.
Result<float> base_margin(const Reader& r, ForestObjective objective, float base_score) {
  if (objective == ForestObjective::binary_logistic || objective == ForestObjective::reg_logistic) {
    if (!(base_score > 0.0f && base_score < 1.0f)) {
      return r.fail(
          "learner.learner_model_param.base_score",
          "a logistic model's base_score must lie in (0, 1), got " + std::to_string(base_score));
    }
    return -std::log(1.0f / base_score - 1.0f);
  }
  return base_score;
}

const json* find_path(const json& doc, std::initializer_list<std::string_view> keys) {
  const json* at = &doc;
  for (auto key : keys) {
    if (!at->is_object()) return nullptr;
    auto it = at->find(key);
    if (it == at->end()) return nullptr;
    at = &*it;
  }
  return at;
}

}  // namespace

std::optional<std::string> forest_unsupported_reason(const nlohmann::json& doc) {
  const json* booster = find_path(doc, {"learner", "gradient_booster", "name"});
  if (booster && booster->is_string() && *booster != "gbtree") {
    std::string name = booster->get<std::string>();
    if (name == "dart") return "the gradient booster is 'dart' (trees with dropout weights)";
    if (name == "gblinear") return "the gradient booster is 'gblinear' (a linear model)";
    return std::nullopt;  // unknown boosters are malformed, not unsupported
  }
  const json* objective = find_path(doc, {"learner", "objective", "name"});
  if (objective && objective->is_string() && !native_objective(objective->get<std::string>())) {
    return "objective '" + objective->get<std::string>() +
           "' is not one the native evaluator implements (" + std::string(kNativeObjectives) + ")";
  }
  const json* target = find_path(doc, {"learner", "learner_model_param", "num_target"});
  if (target && target->is_string() && *target != "1" && *target != "0") {
    return "it is a multi-target model (num_target " + target->get<std::string>() + ")";
  }
  const json* trees = find_path(doc, {"learner", "gradient_booster", "model", "trees"});
  if (!trees || !trees->is_array()) return std::nullopt;
  for (const json& tree : *trees) {
    const json* leaf_vector = find_path(tree, {"tree_param", "size_leaf_vector"});
    if (leaf_vector && leaf_vector->is_string() && *leaf_vector != "0") {
      return "its trees have vector leaves (multi-target trees)";
    }
    const json* types = tree.is_object() ? find_path(tree, {"split_type"}) : nullptr;
    if (!types || !types->is_array()) continue;
    for (const json& type : *types) {
      if (type.is_number_integer() && type.get<std::int64_t>() == 1) {
        return "it has categorical splits";
      }
    }
  }
  return std::nullopt;
}

Result<ForestModel> parse_forest_model(const nlohmann::json& doc, const std::string& source) {
  if (auto reason = forest_unsupported_reason(doc)) {
    return Error::invalid(source + ": the native forest evaluator cannot load this model: " +
                          *reason + "; serve it through the XGBoost C API (XgboostScorer)");
  }
  Reader r(source);
  auto header = read_header(r, doc);
  if (!header) return header.error();
  if (header->booster_name != "gbtree") {
    return r.fail("learner.gradient_booster.name",
                  "unknown gradient booster \"" + header->booster_name + "\"");
  }
  ForestModel out;
  out.objective_name = header->objective;
  out.objective = *native_objective(header->objective);  // checked by the reason above
  out.num_features = header->num_features;
  out.feature_names = header->feature_names;
  if (out.objective == ForestObjective::multi_softprob) {
    if (header->num_class < 2) {
      return r.fail(
          "learner.learner_model_param.num_class",
          "multi:softprob needs at least 2 classes, got " + std::to_string(header->num_class));
    }
    out.num_groups = header->num_class;
  } else if (header->num_class > 1) {
    return r.fail("learner.learner_model_param.num_class",
                  header->objective + " has one output, but num_class is " +
                      std::to_string(header->num_class));
  }
  out.base_score = header->base_score;
  auto margin = base_margin(r, out.objective, out.base_score);
  if (!margin) return margin.error();
  out.base_margin = *margin;

  auto model = r.object(*header->booster, "learner.gradient_booster", "model");
  if (!model) return model.error();
  TreeContext ctx{out.num_features, /*categorical_ok=*/false};
  auto trees = append_trees(r, **model, std::string(kModelPath), ctx, out.num_groups, &out);
  if (!trees) return trees.error();
  return out;
}

Result<ForestModel> load_forest_model(const std::string& path) {
  auto doc = read_xgboost_json(path);
  if (!doc) return doc.error();
  return parse_forest_model(*doc, path);
}

Result<XgboostModelSummary> check_xgboost_model(const nlohmann::json& doc,
                                                const std::string& source) {
  Reader r(source);
  auto header = read_header(r, doc);
  if (!header) return header.error();
  XgboostModelSummary summary{header->booster_name, header->objective, header->num_features,
                              header->num_class, header->feature_names};
  std::size_t groups = std::max<std::size_t>(header->num_class, 1);
  TreeContext ctx{header->num_features, /*categorical_ok=*/true};
  ForestModel scratch;
  if (header->booster_name == "gbtree") {
    auto model = r.object(*header->booster, "learner.gradient_booster", "model");
    if (!model) return model.error();
    auto checked = append_trees(r, **model, std::string(kModelPath), ctx, groups, &scratch);
    if (!checked) return checked.error();
    return summary;
  }
  if (header->booster_name == "dart") {
    const std::string where = "learner.gradient_booster.gbtree";
    auto inner = r.object(*header->booster, "learner.gradient_booster", "gbtree");
    if (!inner) return inner.error();
    auto model = r.object(**inner, where, "model");
    if (!model) return model.error();
    auto checked = append_trees(r, **model, where + ".model", ctx, groups, &scratch);
    if (!checked) return checked.error();
    auto drops = r.array(*header->booster, "learner.gradient_booster", "weight_drop");
    if (!drops) return drops.error();
    if ((*drops)->size() != scratch.roots.size()) {
      return r.fail("learner.gradient_booster.weight_drop",
                    std::to_string((*drops)->size()) + " weights for " +
                        std::to_string(scratch.roots.size()) + " trees");
    }
    return summary;
  }
  if (header->booster_name == "gblinear") {
    const std::string where = "learner.gradient_booster.model";
    auto model = r.object(*header->booster, "learner.gradient_booster", "model");
    if (!model) return model.error();
    auto weights = r.array(**model, where, "weights");
    if (!weights) return weights.error();
    std::size_t expected = (header->num_features + 1) * groups;
    if ((*weights)->size() != expected) {
      return r.fail(where + ".weights", std::to_string((*weights)->size()) + " weights; expected " +
                                            std::to_string(expected) +
                                            " ((features + 1) x groups)");
    }
    for (std::size_t i = 0; i < expected; ++i) {
      const json& w = (**weights)[i];
      if (!w.is_number() || !std::isfinite(w.get<double>())) {
        return r.fail(where + ".weights[" + std::to_string(i) + "]",
                      "expected a finite number, got " + describe(w));
      }
    }
    return summary;
  }
  return r.fail("learner.gradient_booster.name",
                "unknown gradient booster \"" + header->booster_name + "\"");
}

}  // namespace ledgerflow::plugins
