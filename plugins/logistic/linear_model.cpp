#include "plugins/logistic/linear_model.h"

#include <cmath>
#include <initializer_list>
#include <map>

#include "engine/definition/problem.h"

namespace ledgerflow::plugins {
namespace {

using nlohmann::json;

// A value as a message shows it: "the string \"NaN\"", "an object", "true", "1e+300".
std::string describe(const json& v) {
  if (v.is_object()) return "an object";
  if (v.is_array()) return "an array";
  if (v.is_null()) return "null";
  if (v.is_number_float() && !std::isfinite(v.get<double>())) {
    return std::isnan(v.get<double>()) ? "NaN" : "an infinite number";
  }
  std::string text = v.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return v.is_string() ? "the string " + text : text;
}

std::string path_of(const std::string& where, std::string_view key) {
  return where.empty() ? std::string(key) : where + "." + std::string(key);
}

// Field-level checks that all report "source: field.path: message".
class Checker {
 public:
  explicit Checker(const std::string& source) : source_(source) {}

  Error fail(const std::string& field, const std::string& message) const {
    return Error::invalid(source_ + ": " + field + ": " + message);
  }

  Result<void> only_keys(const json& obj, const std::string& where,
                         std::initializer_list<std::string_view> allowed) const {
    for (const auto& [key, value] : obj.items()) {
      bool known = false;
      for (auto a : allowed) known = known || key == a;
      if (known) continue;
      std::string hint = def::did_you_mean(key, std::vector<std::string_view>(allowed));
      if (!hint.empty()) hint = " (did you mean '" + hint + "'?)";
      return fail(path_of(where, key), "unknown field" + hint);
    }
    return {};
  }

  // A finite number; `fallback` when the key is absent (required when it is nullopt).
  Result<double> number(const json& obj, const std::string& where, std::string_view key,
                        std::optional<double> fallback) const {
    auto it = obj.find(key);
    std::string field = path_of(where, key);
    if (it == obj.end()) {
      if (fallback) return *fallback;
      return fail(field, "missing; expected a number");
    }
    if (!it->is_number()) return fail(field, "expected a finite number, got " + describe(*it));
    double v = it->get<double>();
    if (!std::isfinite(v)) return fail(field, "expected a finite number, got " + describe(*it));
    return v;
  }

  Result<std::string> string(const json& obj, const std::string& where,
                             std::string_view key) const {
    auto it = obj.find(key);
    std::string field = path_of(where, key);
    if (it == obj.end()) return fail(field, "missing; expected a string");
    if (!it->is_string()) return fail(field, "expected a string, got " + describe(*it));
    auto s = it->get<std::string>();
    if (s.empty()) return fail(field, "must not be empty");
    return s;
  }

 private:
  const std::string& source_;
};

bool is_version(std::string_view v) {
  if (v.empty() || v.size() > 9 || v[0] < '1' || v[0] > '9') return false;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Result<LinearFeature> parse_feature(const Checker& check, const json& f, const std::string& where) {
  if (!f.is_object()) return check.fail(where, "expected an object, got " + describe(f));
  if (auto r = check.only_keys(f, where, {"name", "coef", "mean", "scale", "missing"}); !r) {
    return r.error();
  }
  LinearFeature out;
  auto name = check.string(f, where, "name");
  if (!name) return name.error();
  out.name = *name;
  auto coef = check.number(f, where, "coef", std::nullopt);
  if (!coef) return coef.error();
  auto mean = check.number(f, where, "mean", 0.0);
  if (!mean) return mean.error();
  auto scale = check.number(f, where, "scale", 1.0);
  if (!scale) return scale.error();
  if (*scale <= 0) return check.fail(where + ".scale", "must be greater than 0");
  auto missing = check.number(f, where, "missing", *mean);  // default: contributes nothing
  if (!missing) return missing.error();
  out.coef = *coef;
  out.mean = *mean;
  out.scale = *scale;
  out.missing = *missing;
  return out;
}

Result<std::vector<LinearFeature>> parse_features(const Checker& check, const json& doc) {
  auto it = doc.find("features");
  if (it == doc.end()) return check.fail("features", "missing; expected a list of features");
  if (!it->is_array()) return check.fail("features", "expected a list, got " + describe(*it));
  if (it->empty()) return check.fail("features", "must list at least one feature");
  if (it->size() > kMaxLinearFeatures) {
    return check.fail("features", std::to_string(it->size()) + " features; the limit is " +
                                      std::to_string(kMaxLinearFeatures));
  }
  std::vector<LinearFeature> out;
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < it->size(); ++i) {
    std::string where = "features[" + std::to_string(i) + "]";
    auto f = parse_feature(check, (*it)[i], where);
    if (!f) return f.error();
    auto [pos, fresh] = seen.emplace(f->name, i);
    if (!fresh) {
      return check.fail(where + ".name", "duplicate feature '" + f->name + "' (also features[" +
                                             std::to_string(pos->second) + "])");
    }
    out.push_back(std::move(*f));
  }
  return out;
}

Result<std::optional<LinearLabels>> parse_labels(const Checker& check, const json& doc,
                                                 LinearKind kind) {
  auto it = doc.find("labels");
  if (it == doc.end()) return std::optional<LinearLabels>{};
  if (!it->is_object()) return check.fail("labels", "expected an object, got " + describe(*it));
  if (auto r = check.only_keys(*it, "labels", {"threshold", "above", "below"}); !r) {
    return r.error();
  }
  LinearLabels out;
  auto threshold = check.number(*it, "labels", "threshold", std::nullopt);
  if (!threshold) return threshold.error();
  if (kind == LinearKind::logistic && (*threshold < 0 || *threshold > 1)) {
    return check.fail("labels.threshold",
                      "a logistic model's threshold is a probability in [0, 1]");
  }
  auto above = check.string(*it, "labels", "above");
  if (!above) return above.error();
  auto below = check.string(*it, "labels", "below");
  if (!below) return below.error();
  out.threshold = *threshold;
  out.above = *above;
  out.below = *below;
  return std::optional<LinearLabels>(std::move(out));
}

Result<void> check_format(const Checker& check, const json& doc) {
  auto it = doc.find("format");
  std::string expected = "\"" + std::string(kLinearModelFormat) + "\"";
  if (it == doc.end()) return check.fail("format", "missing; expected " + expected);
  if (!it->is_string())
    return check.fail("format", "expected " + expected + ", got " + describe(*it));
  if (it->get<std::string>() != kLinearModelFormat) {
    return check.fail("format",
                      "unsupported model format " + it->dump() + "; this loader reads " + expected);
  }
  return {};
}

}  // namespace

bool is_model_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name[0] < 'a' || name[0] > 'z') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

Result<LinearModel> parse_linear_model(const nlohmann::json& doc, const std::string& source) {
  if (!doc.is_object()) {
    return Error::invalid(source + ": a model file is a JSON object, got " + describe(doc));
  }
  Checker check(source);
  if (auto r = check_format(check, doc); !r) return r.error();
  if (auto r = check.only_keys(doc, "",
                               {"format", "kind", "name", "version", "description", "features",
                                "intercept", "labels", "metadata"});
      !r) {
    return r.error();
  }
  if (auto d = doc.find("description"); d != doc.end() && !d->is_string()) {
    return check.fail("description", "expected a string, got " + describe(*d));
  }
  if (auto m = doc.find("metadata"); m != doc.end() && !m->is_object()) {
    return check.fail("metadata", "expected an object, got " + describe(*m));
  }
  LinearModel model;
  auto kind = check.string(doc, "", "kind");
  if (!kind) return kind.error();
  if (*kind != "logistic" && *kind != "linear") {
    return check.fail("kind", "expected \"logistic\" or \"linear\", got \"" + *kind + "\"");
  }
  model.kind = *kind == "logistic" ? LinearKind::logistic : LinearKind::linear;
  auto name = check.string(doc, "", "name");
  if (!name) return name.error();
  if (!is_model_name(*name)) {
    return check.fail("name", "'" + *name + "' is not a model name ([a-z][a-z0-9_]*)");
  }
  model.name = *name;
  auto version = check.string(doc, "", "version");
  if (!version) return version.error();
  if (!is_version(*version)) {
    return check.fail("version", "'" + *version + "' is not a positive integer");
  }
  model.version = *version;
  auto features = parse_features(check, doc);
  if (!features) return features.error();
  model.features = std::move(*features);
  auto intercept = check.number(doc, "", "intercept", std::nullopt);
  if (!intercept) return intercept.error();
  model.intercept = *intercept;
  auto labels = parse_labels(check, doc, model.kind);
  if (!labels) return labels.error();
  model.labels = std::move(*labels);
  return model;
}

}  // namespace ledgerflow::plugins
