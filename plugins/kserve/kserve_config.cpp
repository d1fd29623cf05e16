#include "plugins/kserve/kserve_config.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

namespace ledgerflow::plugins {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxRemoteNameBytes = 128;
constexpr std::size_t kMaxFeatureNameBytes = 256;

class Fields {
 public:
  explicit Fields(const json& doc, const std::string& source) : doc_(doc), source_(source) {}

  Error fail(const std::string& field, const std::string& why) const {
    return Error::invalid(source_ + ": " + field + ": " + why);
  }

  Result<std::string> string(const std::string& key, std::optional<std::string> fallback) const {
    auto it = doc_.find(key);
    if (it == doc_.end()) {
      if (fallback) return *fallback;
      return fail(key, "missing");
    }
    if (!it->is_string()) return fail(key, "expected a string, got " + it->dump());
    return it->get<std::string>();
  }

  // An integer in [min, max]; `fallback` when absent.
  Result<std::int64_t> integer(const json& object, const std::string& key, std::int64_t fallback,
                               std::int64_t min, std::int64_t max,
                               const std::string& prefix = "") const {
    auto it = object.find(key);
    if (it == object.end()) return fallback;
    std::string field = prefix + key;
    if (!it->is_number_integer()) return fail(field, "expected an integer, got " + it->dump());
    auto v = it->get<std::int64_t>();
    if (v < min || v > max) {
      return fail(field, std::to_string(v) + " is outside " + std::to_string(min) + ".." +
                             std::to_string(max));
    }
    return v;
  }

 private:
  const json& doc_;
  const std::string& source_;
};

bool is_remote_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxRemoteNameBytes || name == "." || name == "..") {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

Result<void> only_known_keys(const json& doc, const Fields& f) {
  static const std::set<std::string> known = {
      "format",     "name",      "version",    "description",   "url",     "model",      "features",
      "timeout_ms", "objective", "input_name", "missing_value", "retries", "backoff_ms", "circuit"};
  for (const auto& [key, value] : doc.items()) {
    if (!known.contains(key)) return f.fail(key, "unknown field");
  }
  return {};
}

Result<Url> parse_base_url(const Fields& f) {
  auto text = f.string("url", std::nullopt);
  if (!text) return text.error();
  auto url = parse_url(*text);
  if (!url) return f.fail("url", url.error().message);
  if (url->scheme == "https") {
    return f.fail("url", "https is not supported yet (no TLS); use http://");
  }
  if (text->find_first_of("?#") != std::string::npos) {
    return f.fail("url", "a base URL has no query string or fragment");
  }
  while (url->target.ends_with('/')) url->target.pop_back();
  while (url->text.ends_with('/')) url->text.pop_back();
  return url;
}

Result<std::vector<std::string>> parse_features(const json& doc, const Fields& f) {
  auto it = doc.find("features");
  if (it == doc.end()) return f.fail("features", "missing; the input names in order");
  if (!it->is_array() || it->empty() || it->size() > kKserveMaxFeatures) {
    return f.fail("features", "expected an array of 1 to " + std::to_string(kKserveMaxFeatures) +
                                  " feature names");
  }
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& v = (*it)[i];
    std::string field = "features[" + std::to_string(i) + "]";
    if (!v.is_string() || v.get<std::string>().empty() ||
        v.get<std::string>().size() > kMaxFeatureNameBytes) {
      return f.fail(field, "expected a non-empty name of at most 256 bytes");
    }
    if (!seen.insert(v.get<std::string>()).second) {
      return f.fail(field, "'" + v.get<std::string>() + "' is listed twice");
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

Result<void> parse_limits(const json& doc, const Fields& f, KserveConfig& c) {
  auto timeout = f.integer(doc, "timeout_ms", c.timeout_ms, 1, kKserveMaxTimeoutMs);
  if (!timeout) return timeout.error();
  c.timeout_ms = *timeout;
  auto retries = f.integer(doc, "retries", c.retries, 0, kKserveMaxRetries);
  if (!retries) return retries.error();
  c.retries = static_cast<int>(*retries);
  auto backoff = f.integer(doc, "backoff_ms", c.backoff_ms, 0, kKserveMaxBackoffMs);
  if (!backoff) return backoff.error();
  c.backoff_ms = *backoff;
  auto circuit = doc.find("circuit");
  if (circuit == doc.end()) return {};
  if (!circuit->is_object()) return f.fail("circuit", "expected {failures, open_ms}");
  for (const auto& [key, value] : circuit->items()) {
    if (key != "failures" && key != "open_ms") return f.fail("circuit." + key, "unknown field");
  }
  auto failures =
      f.integer(*circuit, "failures", c.circuit_failures, 1, kKserveMaxCircuitFailures, "circuit.");
  if (!failures) return failures.error();
  c.circuit_failures = static_cast<int>(*failures);
  auto open = f.integer(*circuit, "open_ms", c.circuit_open_ms, 1, kKserveMaxOpenMs, "circuit.");
  if (!open) return open.error();
  c.circuit_open_ms = *open;
  return {};
}

}  // namespace

std::string KserveConfig::infer_url() const {
  return base_url.text + "/v2/models/" + remote_model + "/infer";
}

Result<KserveConfig> parse_kserve_config(const json& doc, const std::string& source,
                                         const std::string& name, const std::string& version) {
  if (!doc.is_object()) return Error::invalid(source + ": a model file is a JSON object");
  Fields f(doc, source);
  auto format = f.string("format", std::nullopt);
  if (!format) return format.error();
  if (*format != kKserveModelFormat) {
    return f.fail("format", "expected \"" + std::string(kKserveModelFormat) + "\"");
  }
  if (auto r = only_known_keys(doc, f); !r) return r.error();
  KserveConfig c;
  auto n = f.string("name", name);
  if (!n) return n.error();
  c.name = *n;
  auto v = f.string("version", version);
  if (!v) return v.error();
  c.version = *v;
  if (auto d = doc.find("description"); d != doc.end() && !d->is_string()) {
    return f.fail("description", "expected a string");
  }
  auto url = parse_base_url(f);
  if (!url) return url.error();
  c.base_url = std::move(*url);
  auto remote = f.string("model", std::nullopt);
  if (!remote) return remote.error();
  if (!is_remote_name(*remote)) {
    return f.fail("model", "'" + *remote + "' is not a model name (letters, digits, . _ -)");
  }
  c.remote_model = *remote;
  auto features = parse_features(doc, f);
  if (!features) return features.error();
  c.features = std::move(*features);
  auto objective = f.string("objective", c.objective);
  if (!objective) return objective.error();
  if (*objective != "binary:logistic" && *objective != "reg:squarederror") {
    return f.fail("objective", "expected \"binary:logistic\" or \"reg:squarederror\"");
  }
  c.objective = *objective;
  auto input = f.string("input_name", c.input_name);
  if (!input) return input.error();
  if (!is_remote_name(*input)) return f.fail("input_name", "letters, digits, . _ - only");
  c.input_name = *input;
  if (auto m = doc.find("missing_value"); m != doc.end()) {
    if (!m->is_number() || !std::isfinite(m->get<double>())) {
      return f.fail("missing_value", "expected a finite number");
    }
    c.missing_value = m->get<double>();
  }
  if (auto r = parse_limits(doc, f, c); !r) return r.error();
  return c;
}

}  // namespace ledgerflow::plugins
