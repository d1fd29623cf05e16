// PluginScorer: a scoring::Scorer backed by an external shared library speaking the C ABI
// in plugins/include/ledgerflow/plugin.h, so a model can be served by code built outside
// this tree (another compiler, another language) without sharing any C++ type.
//
// Loading refuses, with a message naming the file, anything that is not a plugin of this
// ABI: a file dlopen rejects, a missing symbol (all missing ones are named), another ABI
// version, a failing create or info, or info that breaks the header's rules (no features,
// duplicate or over-long names, an unknown objective). Scoring checks what the plugin
// returns (finite numbers, a probability in [0, 1], contribution indexes in range, a
// terminated label) so a buggy plugin becomes an error on the step, not a bad decision.
//
// What cannot be contained: the plugin runs in-process, so a crash in it ends the daemon
// and a hang holds the scoring thread; there is no per-call timeout (see plugin.h).
//
// Libraries are opened with RTLD_NOW | RTLD_LOCAL and never dlclose()d: unloading code
// whose thread-local destructors or atexit handlers may still run is a crash risk, and
// dlopen reference-counts, so the cost is one mapping per distinct library file.
//
// Thread-safety: immutable after load; score() may run on many threads at once (the
// plugin promises the same of its score function).
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/scoring/scorer.h"

namespace ledgerflow::plugins {

inline constexpr std::string_view kPluginModelFormat = "ledgerflow-plugin/1";

class PluginScorer final : public scoring::Scorer {
 public:
  // Opens `library_path`, checks it, and creates one instance from `config_json` (JSON
  // text handed to the plugin as is). The scorer is registered as `name` version
  // `version`; the plugin's own model name and version are kept in plugin_model().
  static Result<std::unique_ptr<PluginScorer>> load(const std::string& library_path,
                                                    const std::string& config_json,
                                                    const std::string& name,
                                                    const std::string& version);

  // A "ledgerflow-plugin/1" model file {"format", "library": "x.so", "config"?: {...},
  // "name"?, "version"?, "description"?}. The library is a bare file name looked up in
  // `plugins_dir` (when not empty) and then next to the model file. Every error message
  // starts with `path`.
  static Result<std::unique_ptr<PluginScorer>> from_model_file(const nlohmann::json& doc,
                                                               const std::string& path,
                                                               const std::string& name,
                                                               const std::string& version,
                                                               const std::string& plugins_dir);

  ~PluginScorer() override;
  PluginScorer(const PluginScorer&) = delete;
  PluginScorer& operator=(const PluginScorer&) = delete;

  const scoring::ModelInfo& info() const override { return info_; }
  const std::string& library_path() const { return library_path_; }
  const std::string& plugin_model() const { return plugin_model_; }  // "threshold 1.0"

  // invalid_argument for a wrong width, an error the plugin reports (its message, after
  // the library's name), or output that breaks the ABI's rules.
  Result<scoring::ScoreResult> score(std::span<const double> features,
                                     std::size_t explain_top_k) const override;

 private:
  struct Symbols;  // the resolved functions, kept out of this header with the C types

  // dlopen()s `path`, resolves every symbol and checks the ABI version.
  static Result<std::unique_ptr<Symbols>> open_library(const std::string& path);
  Result<void> read_info(const std::string& name, const std::string& version);

  PluginScorer(std::unique_ptr<Symbols> symbols, void* instance, std::string library_path);

  std::unique_ptr<Symbols> symbols_;
  void* instance_;
  std::string library_path_;
  std::string label_;  // "plugin threshold_plugin.so (threshold 1.0)", for messages
  std::string plugin_model_;
  scoring::ModelInfo info_;
};

}  // namespace ledgerflow::plugins
