#include "plugins/registry/directory_registry.h"

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "plugins/cabi/plugin_scorer.h"
#include "plugins/common/json_file.h"
#include "plugins/forest/xgboost_json.h"
#include "plugins/kserve/kserve_scorer.h"
#include "plugins/logistic/linear_model.h"
#include "plugins/logistic/linear_scorer.h"
#include "plugins/rules/rules_scorer.h"
#include "plugins/xgboost/tree_model_loader.h"

namespace ledgerflow::plugins {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxAliases = 64;
constexpr std::size_t kMaxListed = 20;  // names listed in a not_found message

// "12" -> 12; anything that is not a canonical positive integer of at most 9 digits -> 0.
int parse_version(std::string_view text) {
  if (text.empty() || text.size() > 9 || text[0] == '0') return 0;
  int v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return 0;
    v = v * 10 + (c - '0');
  }
  return v;
}

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

template <typename Range, typename Fn>
std::string join(const Range& items, Fn to_text) {
  std::string out;
  std::size_t n = 0;
  for (const auto& item : items) {
    if (n == kMaxListed) return out + ", ...";
    out += (n++ ? ", " : "") + to_text(item);
  }
  return out;
}

std::string versions_text(const std::vector<int>& versions) {
  return join(versions, [](int v) { return std::to_string(v); });
}

// The model names present under `dir`, for "did you mean" style listings.
std::vector<std::string> model_names(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    auto name = it->path().filename().string();
    if (it->is_directory(ec) && is_model_name(name)) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::map<std::string, int>> read_aliases(const std::string& path) {
  JsonFileLimits limits;
  limits.max_bytes = 64u << 10;
  auto doc = read_json_file(path, limits);
  if (!doc) return doc.error();
  if (doc->size() > kMaxAliases) {
    return Error::invalid(path + ": more than " + std::to_string(kMaxAliases) + " aliases");
  }
  std::map<std::string, int> aliases;
  for (const auto& [alias, value] : doc->items()) {
    if (!is_model_name(alias)) {
      return Error::invalid(path + ": '" + alias + "' is not an alias name ([a-z][a-z0-9_]*)");
    }
    bool ok = value.is_number_integer() && value.get<std::int64_t>() >= 1 &&
              value.get<std::int64_t>() <= 999'999'999;
    if (!ok) {
      return Error::invalid(path + ": " + alias + ": expected a positive integer version, got " +
                            value.dump());
    }
    aliases[alias] = value.get<int>();
  }
  return aliases;
}

// Picks the scorer for a model file: XGBoost JSON models (a top-level "learner", no
// "format") go to the tree scorers, others by their "format" field.
Result<std::unique_ptr<scoring::Scorer>> load_model_file(
    const std::string& path, const std::string& name, int version,
    const DirectoryRegistry::LoadNotice& notice, const std::string& plugins_dir) {
  // XGBoost JSON models (plugins/xgboost/tree_model_loader.h) can be far larger than
  // read_json_file's limits: sniff them first.
  if (starts_like_xgboost_model(path)) return load_tree_model(path, name, version, notice);
  auto doc = read_json_file(path);
  if (!doc) return doc.error();
  auto format = doc->is_object() ? doc->find("format") : doc->end();
  if (format != doc->end() && format->is_string() && *format == kLinearModelFormat) {
    auto scorer = LinearScorer::from_json(*doc, path);
    if (!scorer) return scorer.error();
    return std::unique_ptr<scoring::Scorer>(std::move(*scorer));
  }
  if (format != doc->end() && format->is_string() && *format == kKserveModelFormat) {
    auto scorer = KserveScorer::from_model_file(*doc, path, name, std::to_string(version));
    if (!scorer) return scorer.error();
    return std::unique_ptr<scoring::Scorer>(std::move(*scorer));
  }
  if (format != doc->end() && format->is_string() && *format == kRulesModelFormat) {
    // Read again as a located tree: a condition's error points at its line and column.
    auto scorer = RulesScorer::load(path, name, std::to_string(version));
    if (!scorer) return scorer.error();
    return std::unique_ptr<scoring::Scorer>(std::move(*scorer));
  }
  if (format != doc->end() && format->is_string() && *format == kPluginModelFormat) {
    auto scorer =
        PluginScorer::from_model_file(*doc, path, name, std::to_string(version), plugins_dir);
    if (!scorer) return scorer.error();
    return std::unique_ptr<scoring::Scorer>(std::move(*scorer));
  }
  if (format == doc->end() && doc->is_object() && doc->contains("learner")) {
    return load_tree_model(path, name, version, notice);
  }
  std::string got = format == doc->end() ? "none (no \"format\" field)" : format->dump();
  return Error::invalid(path + ": unsupported model format " + got +
                        "; this registry reads: " + std::string(kLinearModelFormat) + ", " +
                        std::string(kRulesModelFormat) + ", " + std::string(kKserveModelFormat) +
                        ", " + std::string(kPluginModelFormat) +
                        " and XGBoost JSON models (a top-level \"learner\")");
}

}  // namespace

Result<std::unique_ptr<DirectoryRegistry>> DirectoryRegistry::open(const std::string& dir,
                                                                   LoadNotice notice,
                                                                   std::string plugins_dir) {
  std::error_code ec;
  auto status = fs::status(dir, ec);
  if (status.type() == fs::file_type::not_found) {
    return Error{ErrorCode::not_found, "model directory " + dir + " does not exist"};
  }
  if (ec) return Error::io("model directory " + dir + ": " + ec.message());
  if (status.type() != fs::file_type::directory) {
    return Error::io("model directory " + dir + " is not a directory");
  }
  return std::make_unique<DirectoryRegistry>(dir, std::move(notice), std::move(plugins_dir));
}

Result<std::shared_ptr<const scoring::Scorer>> DirectoryRegistry::resolve(
    std::string_view reference) const {
  auto at = reference.find('@');
  std::string name(reference.substr(0, at));
  std::string_view selector = at == std::string_view::npos ? "" : reference.substr(at + 1);
  bool selector_ok = at == std::string_view::npos || is_model_name(selector) ||
                     (all_digits(selector) && selector.size() <= 9);
  if (!is_model_name(name) || !selector_ok) {
    return Error::invalid("'" + std::string(reference) +
                          "' is not a model reference (name, name@alias or name@version)");
  }
  auto index = index_for(name);
  if (!index) return index.error();
  auto version = pick_version(name, *index, selector);
  if (!version) return version.error();
  return model_for(name, *version);
}

void DirectoryRegistry::refresh() {
  std::lock_guard lock(mu_);
  indexes_.clear();
}

Result<DirectoryRegistry::Index> DirectoryRegistry::index_for(const std::string& name) const {
  {
    std::lock_guard lock(mu_);
    if (auto it = indexes_.find(name); it != indexes_.end()) return it->second;
  }
  auto index = read_index(name);
  if (!index) return index.error();
  std::lock_guard lock(mu_);
  return indexes_.try_emplace(name, std::move(*index)).first->second;
}

Result<DirectoryRegistry::Index> DirectoryRegistry::read_index(const std::string& name) const {
  std::string model_dir = (fs::path(dir_) / name).string();
  std::error_code ec;
  if (!fs::is_directory(model_dir, ec)) {
    auto names = model_names(dir_);
    std::string known =
        names.empty() ? "there are no models" : "models: " + join(names, [](auto& s) { return s; });
    return Error{ErrorCode::not_found, "model '" + name + "' not found in " + dir_ + "; " + known};
  }
  Index index;
  for (fs::directory_iterator it(model_dir, ec), end; !ec && it != end; it.increment(ec)) {
    int v = parse_version(it->path().filename().string());
    if (v > 0 && it->is_directory(ec)) index.versions.push_back(v);
  }
  if (ec) return Error::io(model_dir + ": cannot list: " + ec.message());
  std::sort(index.versions.begin(), index.versions.end());
  if (index.versions.empty()) {
    return Error{ErrorCode::not_found, "model '" + name + "' has no versions in " + model_dir +
                                           " (expected <version>/model.json, e.g. 1/model.json)"};
  }
  std::string aliases_path = (fs::path(model_dir) / "aliases.json").string();
  if (fs::exists(aliases_path, ec)) {
    auto aliases = read_aliases(aliases_path);
    if (!aliases) return aliases.error();
    index.aliases = std::move(*aliases);
  }
  return index;
}

Result<int> DirectoryRegistry::pick_version(const std::string& name, const Index& index,
                                            std::string_view selector) const {
  auto exists = [&](int v) {
    return std::binary_search(index.versions.begin(), index.versions.end(), v);
  };
  if (all_digits(selector)) {
    int v = parse_version(selector);
    if (exists(v)) return v;
    return Error{ErrorCode::not_found, "model '" + name + "' has no version " +
                                           std::string(selector) +
                                           "; versions: " + versions_text(index.versions)};
  }
  std::string alias = selector.empty() ? "champion" : std::string(selector);
  auto it = index.aliases.find(alias);
  if (it == index.aliases.end()) {
    // Without a champion alias the model's default is its highest version.
    if (alias == "champion") return index.versions.back();
    std::string known = index.aliases.empty()
                            ? "it has no aliases"
                            : "aliases: " + join(index.aliases, [](auto& a) { return a.first; });
    return Error{ErrorCode::not_found,
                 "model '" + name + "' has no alias '" + alias + "'; " + known};
  }
  if (!exists(it->second)) {
    return Error{ErrorCode::not_found,
                 "model '" + name + "' alias '" + alias + "' points to version " +
                     std::to_string(it->second) +
                     ", which does not exist; versions: " + versions_text(index.versions)};
  }
  return it->second;
}

Result<std::shared_ptr<const scoring::Scorer>> DirectoryRegistry::model_for(const std::string& name,
                                                                            int version) const {
  auto key = std::make_pair(name, version);
  {
    std::lock_guard lock(mu_);
    if (auto it = models_.find(key); it != models_.end()) return it->second;
  }
  // Loaded outside the lock so one slow model does not stall every other resolve; two
  // threads may both load it, and the first to insert wins (both get the same pointer).
  std::string path = (fs::path(dir_) / name / std::to_string(version) / "model.json").string();
  auto scorer = load_model_file(
      path, name, version,
      notice_ ? notice_ : [](const std::string& m) { std::cerr << "ledgerflow: " << m << "\n"; },
      plugins_dir_);
  if (!scorer) return scorer.error();
  const auto& info = (*scorer)->info();
  if (info.name != name || info.version != std::to_string(version)) {
    return Error::invalid(path + ": the file says model '" + info.name + "' version " +
                          info.version + " but lives at " + name + "/" + std::to_string(version));
  }
  std::shared_ptr<const scoring::Scorer> shared(std::move(*scorer));
  std::lock_guard lock(mu_);
  return models_.try_emplace(key, std::move(shared)).first->second;
}

}  // namespace ledgerflow::plugins
