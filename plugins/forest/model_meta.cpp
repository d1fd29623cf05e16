#include "plugins/forest/model_meta.h"

#include <cmath>
#include <set>

#include "plugins/common/json_file.h"
#include "plugins/forest/forest_model.h"

namespace ledgerflow::plugins {
namespace {

using nlohmann::json;

Error fail(const std::string& source, const std::string& where, const std::string& what) {
  return Error::invalid(source + ": " + where + ": " + what);
}

Result<std::string> text(const json& v, const std::string& source, const std::string& where) {
  if (!v.is_string() || v.get_ref<const std::string&>().empty()) {
    return fail(source, where, "expected a non-empty string, got " + v.dump());
  }
  return v.get<std::string>();
}

Result<std::vector<std::string>> feature_names(const json& doc, const std::string& source) {
  auto it = doc.find("features");
  if (it == doc.end()) {
    return fail(source, "features", "missing; expected a list like [{\"name\": \"amount\"}]");
  }
  if (!it->is_array() || it->empty() || it->size() > kMaxForestFeatures) {
    return fail(source, "features",
                "expected a list of 1 to " + std::to_string(kMaxForestFeatures) + " features");
  }
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < it->size(); ++i) {
    std::string where = "features[" + std::to_string(i) + "]";
    const json& f = (*it)[i];
    if (!f.is_object()) return fail(source, where, "expected an object with a \"name\"");
    auto name = f.find("name");
    if (name == f.end()) return fail(source, where + ".name", "missing");
    auto value = text(*name, source, where + ".name");
    if (!value) return value.error();
    if (auto type = f.find("type"); type != f.end() && !type->is_string()) {
      return fail(source, where + ".type", "expected a string, got " + type->dump());
    }
    if (!seen.insert(*value).second) {
      return fail(source, where + ".name", "duplicate feature '" + *value + "'");
    }
    names.push_back(*value);
  }
  return names;
}

Result<std::optional<ScoreLabels>> labels(const json& doc, const std::string& source) {
  auto it = doc.find("labels");
  if (it == doc.end()) return std::optional<ScoreLabels>{};
  if (!it->is_object()) return fail(source, "labels", "expected {threshold, above, below}");
  ScoreLabels out;
  auto threshold = it->find("threshold");
  if (threshold == it->end() || !threshold->is_number() ||
      !std::isfinite(threshold->get<double>())) {
    return fail(source, "labels.threshold", "expected a finite number");
  }
  out.threshold = threshold->get<double>();
  for (auto [key, slot] : {std::pair{"above", &out.above}, std::pair{"below", &out.below}}) {
    auto v = it->find(key);
    if (v == it->end()) return fail(source, std::string("labels.") + key, "missing");
    auto value = text(*v, source, std::string("labels.") + key);
    if (!value) return value.error();
    *slot = *value;
  }
  return std::optional<ScoreLabels>(std::move(out));
}

}  // namespace

Result<ModelMeta> parse_model_meta(const nlohmann::json& doc, const std::string& source) {
  if (!doc.is_object()) return Error::invalid(source + ": expected a JSON object");
  ModelMeta meta;
  auto names = feature_names(doc, source);
  if (!names) return names.error();
  meta.features = std::move(*names);
  if (auto it = doc.find("objective"); it != doc.end()) {
    auto value = text(*it, source, "objective");
    if (!value) return value.error();
    meta.objective = *value;
  }
  if (auto it = doc.find("classes"); it != doc.end()) {
    if (!it->is_array() || it->size() < 2 || it->size() > kMaxForestClasses) {
      return fail(source, "classes",
                  "expected a list of 2 to " + std::to_string(kMaxForestClasses) + " labels");
    }
    for (std::size_t i = 0; i < it->size(); ++i) {
      auto value = text((*it)[i], source, "classes[" + std::to_string(i) + "]");
      if (!value) return value.error();
      meta.classes.push_back(*value);
    }
  }
  auto score_labels = labels(doc, source);
  if (!score_labels) return score_labels.error();
  meta.labels = std::move(*score_labels);
  if (auto it = doc.find("name"); it != doc.end()) {
    auto value = text(*it, source, "name");
    if (!value) return value.error();
    meta.name = *value;
  }
  if (auto it = doc.find("version"); it != doc.end()) {
    if (it->is_number_unsigned()) {
      meta.version = std::to_string(it->get<std::uint64_t>());
    } else {
      auto value = text(*it, source, "version");
      if (!value) return value.error();
      meta.version = *value;
    }
  }
  return meta;
}

Result<ModelMeta> read_model_meta(const std::string& path) {
  JsonFileLimits limits;
  limits.max_bytes = 64u << 20;  // reference distributions can be sizeable
  limits.max_depth = 32;
  limits.max_nodes = 4'000'000;
  auto doc = read_json_file(path, limits);
  if (!doc) return doc.error();
  return parse_model_meta(*doc, path);
}

}  // namespace ledgerflow::plugins
