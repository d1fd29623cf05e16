#include "plugins/cabi/plugin_scorer.h"

#include <dlfcn.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <set>
#include <vector>

#include <ledgerflow/plugin.h>

namespace ledgerflow::plugins {
namespace fs = std::filesystem;

struct PluginScorer::Symbols {
  ledgerflow_plugin_abi_version_fn abi_version = nullptr;
  ledgerflow_plugin_create_fn create = nullptr;
  ledgerflow_plugin_info_fn info = nullptr;
  ledgerflow_plugin_score_fn score = nullptr;
  ledgerflow_plugin_destroy_fn destroy = nullptr;
};

namespace {

constexpr std::string_view kHeader = "plugins/include/ledgerflow/plugin.h";
constexpr std::size_t kMaxConfigBytes = 64u << 10;
constexpr std::size_t kMaxLibraryNameBytes = 255;

using ErrorBuffer = std::array<char, LEDGERFLOW_PLUGIN_ERROR_BYTES>;

// Text a plugin wrote is untrusted: cut at the buffer's end, invalid UTF-8 replaced, so it
// can go into a JSON event later without throwing.
std::string plugin_message(ErrorBuffer& buffer) {
  buffer.back() = '\0';
  std::string text(buffer.data());
  if (text.empty()) return "(the plugin gave no message)";
  try {
    return nlohmann::json::parse(
               nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
        .get<std::string>();
  } catch (const nlohmann::json::exception&) {
    return "(the plugin's message could not be read)";
  }
}

bool is_printable_utf8(const std::string& text) {
  bool control = std::any_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
  if (control) return false;
  try {
    (void)nlohmann::json(text).dump();
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

// A C string from the plugin's info: present, bounded, printable UTF-8.
Result<std::string> info_text(const char* text, const std::string& what) {
  if (text == nullptr) return Error::invalid("the plugin's info has no " + what);
  std::size_t length = strnlen(text, LEDGERFLOW_PLUGIN_MAX_NAME_BYTES + 1);
  if (length == 0) return Error::invalid("the plugin's info has an empty " + what);
  if (length > LEDGERFLOW_PLUGIN_MAX_NAME_BYTES) {
    return Error::invalid("the plugin's " + what + " is longer than " +
                          std::to_string(LEDGERFLOW_PLUGIN_MAX_NAME_BYTES) + " bytes");
  }
  std::string out(text, length);
  if (!is_printable_utf8(out)) {
    return Error::invalid("the plugin's " + what + " is not printable UTF-8 text");
  }
  return out;
}

template <typename Fn>
Fn lookup(void* handle, const char* name, std::vector<std::string>& missing) {
  void* address = dlsym(handle, name);
  if (address == nullptr) missing.emplace_back(name);
  return reinterpret_cast<Fn>(address);
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "'" : ", '") + n + "'";
  return out;
}

bool is_library_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxLibraryNameBytes || name.front() == '.' ||
      !name.ends_with(".so")) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
           c == '+';
  });
}

// The library's file: `plugins_dir` first (the operator's installed plugins), then the
// model's own directory (a plugin shipped with the model version).
Result<std::string> find_library(const std::string& library, const std::string& path,
                                 const std::string& plugins_dir) {
  std::vector<std::string> dirs;
  if (!plugins_dir.empty()) dirs.push_back(plugins_dir);
  dirs.push_back(fs::path(path).parent_path().string());
  std::string searched;
  for (const auto& dir : dirs) {
    auto candidate = fs::path(dir) / library;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
    searched += (searched.empty() ? "" : " or ") + dir;
  }
  return Error{ErrorCode::not_found, path + ": library '" + library + "' not found in " + searched};
}

Result<void> only_known_keys(const nlohmann::json& doc, const std::string& path) {
  static const std::set<std::string> known = {"format", "library", "config",
                                              "name",   "version", "description"};
  for (const auto& [key, value] : doc.items()) {
    if (!known.contains(key)) {
      return Error::invalid(path + ": unknown field '" + key +
                            "'; a plugin model file has format, library, config, name, "
                            "version, description");
    }
  }
  return {};
}

Result<std::string> optional_string(const nlohmann::json& doc, const std::string& key,
                                    const std::string& fallback, const std::string& path) {
  auto it = doc.find(key);
  if (it == doc.end()) return fallback;
  if (!it->is_string()) return Error::invalid(path + ": " + key + ": expected a string");
  return it->get<std::string>();
}

}  // namespace

Result<std::unique_ptr<PluginScorer::Symbols>> PluginScorer::open_library(const std::string& path) {
  dlerror();  // clear a stale message
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return Error::io(path + ": cannot load the plugin: " + (why ? why : "dlopen failed"));
  }
  auto symbols = std::make_unique<Symbols>();
  std::vector<std::string> missing;
  symbols->abi_version =
      lookup<ledgerflow_plugin_abi_version_fn>(handle, "ledgerflow_plugin_abi_version", missing);
  // The version decides which symbols to expect, so it is checked first.
  if (symbols->abi_version) {
    int version = 0;
    try {
      version = symbols->abi_version();
    } catch (...) {
      return Error::invalid(path + ": ledgerflow_plugin_abi_version threw an exception");
    }
    if (version != LEDGERFLOW_PLUGIN_ABI_VERSION) {
      return Error::invalid(path + ": plugin ABI version " + std::to_string(version) +
                            " is not supported; this Ledgerflow loads ABI version " +
                            std::to_string(LEDGERFLOW_PLUGIN_ABI_VERSION) +
                            " (rebuild the plugin against " + std::string(kHeader) + ")");
    }
  }
  symbols->create =
      lookup<ledgerflow_plugin_create_fn>(handle, "ledgerflow_plugin_create", missing);
  symbols->info = lookup<ledgerflow_plugin_info_fn>(handle, "ledgerflow_plugin_info", missing);
  symbols->score = lookup<ledgerflow_plugin_score_fn>(handle, "ledgerflow_plugin_score", missing);
  symbols->destroy =
      lookup<ledgerflow_plugin_destroy_fn>(handle, "ledgerflow_plugin_destroy", missing);
  if (!missing.empty()) {
    return Error::invalid(path + ": not a Ledgerflow plugin: missing symbol" +
                          (missing.size() > 1 ? "s " : " ") + quoted_list(missing) + " (see " +
                          std::string(kHeader) + ")");
  }
  return symbols;
}

Result<std::unique_ptr<PluginScorer>> PluginScorer::load(const std::string& library_path,
                                                         const std::string& config_json,
                                                         const std::string& name,
                                                         const std::string& version) {
  if (config_json.size() > kMaxConfigBytes) {
    return Error::invalid(library_path + ": the plugin config is larger than " +
                          std::to_string(kMaxConfigBytes) + " bytes");
  }
  auto symbols = open_library(library_path);
  if (!symbols) return symbols.error();
  ErrorBuffer err{};
  void* instance = nullptr;
  try {
    instance = (*symbols)->create(config_json.c_str(), err.data(), err.size());
  } catch (...) {
    return Error::invalid(library_path + ": ledgerflow_plugin_create threw an exception");
  }
  if (instance == nullptr) {
    return Error::invalid(library_path +
                          ": the plugin could not create the model: " + plugin_message(err));
  }
  // From here the instance is owned: a failed info check destroys it.
  std::unique_ptr<PluginScorer> scorer(
      new PluginScorer(std::move(*symbols), instance, library_path));
  if (auto r = scorer->read_info(name, version); !r) return r.error();
  return scorer;
}

PluginScorer::PluginScorer(std::unique_ptr<Symbols> symbols, void* instance,
                           std::string library_path)
    : symbols_(std::move(symbols)),
      instance_(instance),
      library_path_(std::move(library_path)),
      label_("plugin " + fs::path(library_path_).filename().string()) {}

PluginScorer::~PluginScorer() {
  try {
    symbols_->destroy(instance_);
  } catch (...) {  // nothing to do: the plugin broke its own promise
  }
}

Result<void> PluginScorer::read_info(const std::string& name, const std::string& version) {
  auto fail = [&](const std::string& why) { return Error::invalid(library_path_ + ": " + why); };
  ledgerflow_plugin_info_t raw{};
  ErrorBuffer err{};
  int rc = 0;
  try {
    rc = symbols_->info(instance_, &raw, err.data(), err.size());
  } catch (...) {
    return fail("ledgerflow_plugin_info threw an exception");
  }
  if (rc != 0) return fail("the plugin could not describe its model: " + plugin_message(err));
  auto model_name = info_text(raw.model_name, "model_name");
  if (!model_name) return fail(model_name.error().message);
  auto model_version = info_text(raw.model_version, "model_version");
  if (!model_version) return fail(model_version.error().message);
  auto objective = info_text(raw.objective, "objective");
  if (!objective) return fail(objective.error().message);
  if (*objective != "binary:logistic" && *objective != "reg:squarederror") {
    return fail("objective '" + *objective +
                "' is not supported; a plugin is binary:logistic or reg:squarederror");
  }
  if (raw.feature_count == 0 || raw.feature_count > LEDGERFLOW_PLUGIN_MAX_FEATURES ||
      raw.feature_names == nullptr) {
    return fail("the plugin must name 1 to " + std::to_string(LEDGERFLOW_PLUGIN_MAX_FEATURES) +
                " features, got " + std::to_string(raw.feature_count));
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < raw.feature_count; ++i) {
    auto feature = info_text(raw.feature_names[i], "feature name " + std::to_string(i));
    if (!feature) return fail(feature.error().message);
    if (!seen.insert(*feature).second) return fail("feature '" + *feature + "' is named twice");
    info_.features.push_back(std::move(*feature));
  }
  plugin_model_ = *model_name + " " + *model_version;
  label_ += " (" + plugin_model_ + ")";
  info_.name = name;
  info_.version = version;
  info_.kind = "plugin";
  info_.objective = *objective;
  return {};
}

Result<scoring::ScoreResult> PluginScorer::score(std::span<const double> features,
                                                 std::size_t explain_top_k) const {
  const std::size_t n = info_.features.size();
  if (features.size() != n) {
    return Error::invalid(label_ + " expects " + std::to_string(n) + " features, got " +
                          std::to_string(features.size()));
  }
  const std::size_t k = std::min(explain_top_k, n);
  std::vector<std::size_t> indexes(k);
  std::vector<double> values(k);
  ledgerflow_score_result out{};
  out.contributions_capacity = k;
  out.contribution_feature = k ? indexes.data() : nullptr;
  out.contribution_value = k ? values.data() : nullptr;
  ErrorBuffer err{};
  int rc = 0;
  try {
    rc = symbols_->score(instance_, features.data(), n, k, &out, err.data(), err.size());
  } catch (...) {
    return Error::invalid(label_ + ": ledgerflow_plugin_score threw an exception");
  }
  if (rc != 0) return Error::invalid(label_ + ": " + plugin_message(err));

  auto broken = [&](const std::string& why) {
    return Error::invalid(label_ + ": the plugin returned " + why);
  };
  if (!std::isfinite(out.score)) return broken("a score that is not finite");
  if (!std::isfinite(out.bias)) return broken("a bias that is not finite");
  if (out.has_probability && !(out.probability >= 0 && out.probability <= 1)) {
    return broken("a probability outside [0, 1]");
  }
  if (std::memchr(out.label, '\0', sizeof out.label) == nullptr) {
    return broken("a label that is not NUL-terminated within " + std::to_string(sizeof out.label) +
                  " bytes");
  }
  if (out.contributions_count > k) {
    return broken(std::to_string(out.contributions_count) + " contributions, more than the " +
                  std::to_string(k) + " asked for");
  }
  scoring::ScoreResult result;
  result.score = out.score;
  if (out.has_probability) result.probability = out.probability;
  result.label = out.label;
  if (!result.label.empty() && !is_printable_utf8(result.label)) {
    return broken("a label that is not printable UTF-8 text");
  }
  result.bias = out.bias;
  for (std::size_t i = 0; i < out.contributions_count; ++i) {
    if (indexes[i] >= n) {
      return broken("contribution " + std::to_string(i) + " for feature index " +
                    std::to_string(indexes[i]) + ", but there are " + std::to_string(n) +
                    " features");
    }
    if (!std::isfinite(values[i])) return broken("a contribution that is not finite");
    result.contributions.push_back({info_.features[indexes[i]], values[i]});
  }
  return result;
}

Result<std::unique_ptr<PluginScorer>> PluginScorer::from_model_file(
    const nlohmann::json& doc, const std::string& path, const std::string& name,
    const std::string& version, const std::string& plugins_dir) {
  if (!doc.is_object()) return Error::invalid(path + ": a model file is a JSON object");
  if (auto r = only_known_keys(doc, path); !r) return r.error();
  auto library = doc.find("library");
  if (library == doc.end() || !library->is_string()) {
    return Error::invalid(path + ": library: missing; the plugin's file name, e.g. \"x.so\"");
  }
  std::string library_name = library->get<std::string>();
  if (!is_library_name(library_name)) {
    return Error::invalid(path + ": library: '" + library_name +
                          "' is not a plugin file name (letters, digits, . _ - +, ending "
                          "in .so, no directories)");
  }
  std::string config = "{}";
  if (auto c = doc.find("config"); c != doc.end()) {
    if (!c->is_object()) return Error::invalid(path + ": config: expected an object");
    try {
      config = c->dump();
    } catch (const nlohmann::json::exception& e) {  // invalid UTF-8 in a string
      return Error::invalid(path + ": config: " + e.what());
    }
  }
  auto model_name = optional_string(doc, "name", name, path);
  if (!model_name) return model_name.error();
  auto model_version = optional_string(doc, "version", version, path);
  if (!model_version) return model_version.error();
  if (auto d = doc.find("description"); d != doc.end() && !d->is_string()) {
    return Error::invalid(path + ": description: expected a string");
  }
  auto library_path = find_library(library_name, path, plugins_dir);
  if (!library_path) return library_path.error();
  auto scorer = load(*library_path, config, *model_name, *model_version);
  if (!scorer) return Error{scorer.error().code, path + ": " + scorer.error().message};
  return scorer;
}

}  // namespace ledgerflow::plugins
