#include "engine/scoring/feature_check.h"

#include <algorithm>
#include <set>

namespace ledgerflow::scoring {
namespace {

std::string listed(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

class Checker {
 public:
  Checker(const ScorerRegistry* registry, const std::string& no_registry_reason)
      : registry_(registry), no_registry_reason_(no_registry_reason) {}

  void flow(const def::Flow& f) {
    for (const auto& s : f.states) state(s);
  }

  std::vector<def::Problem> problems;

 private:
  void state(const def::State& s) {
    if (const auto* p = std::get_if<def::ParallelSpec>(&s.spec)) {
      for (const auto& b : p->branches) flow(b);
    } else if (const auto* m = std::get_if<def::MapSpec>(&s.spec)) {
      flow(m->iterator);
    } else if (const auto* sc = std::get_if<def::ScoreSpec>(&s.spec)) {
      std::vector<std::string> names;
      for (const auto& [name, expr] : sc->features) names.push_back(name);
      model(s, sc->model, sc->model_loc, names, sc->features_loc, "model");
      for (std::size_t i = 0; i < sc->shadow.size(); ++i) {
        def::Location at = i < sc->shadow_locs.size() ? sc->shadow_locs[i] : sc->model_loc;
        model(s, sc->shadow[i], at, names, sc->features_loc, "shadow model");
      }
    }
  }

  void model(const def::State& s, const std::string& reference, def::Location ref_loc,
             const std::vector<std::string>& features, def::Location features_loc,
             const char* what) {
    if (!registry_) {
      report(ref_loc, s,
             std::string(what) + " '" + reference +
                 "' cannot be checked or scored: " + no_registry_reason_);
      return;
    }
    auto scorer = registry_->resolve(reference);
    if (!scorer) {
      report(
          ref_loc, s,
          std::string(what) + " '" + reference + "' does not resolve: " + scorer.error().message);
      return;
    }
    const ModelInfo& info = (*scorer)->info();
    std::set<std::string> given(features.begin(), features.end());
    std::set<std::string> wanted(info.features.begin(), info.features.end());
    std::vector<std::string> missing, unexpected;
    for (const auto& f : info.features) {
      if (!given.count(f)) missing.push_back(f);
    }
    for (const auto& f : features) {
      if (!wanted.count(f)) unexpected.push_back(f);
    }
    if (missing.empty() && unexpected.empty()) return;
    std::string msg = "'features' do not match " + std::string(what) + " '" + info.name +
                      "' version " + info.version + " (resolved from '" + reference + "')";
    if (!missing.empty()) msg += "; missing: " + listed(missing);
    if (!unexpected.empty()) msg += "; unexpected: " + listed(unexpected);
    msg += "; the model's features are: " + listed(info.features);
    report(features_loc, s, msg);
  }

  void report(def::Location loc, const def::State& s, std::string message) {
    problems.push_back(def::Problem{loc.line ? loc : s.loc, s.name, std::move(message)});
  }

  const ScorerRegistry* registry_;
  const std::string& no_registry_reason_;
};

}  // namespace

std::vector<def::Problem> check_score_features(const def::Definition& d,
                                               const ScorerRegistry* registry,
                                               const std::string& no_registry_reason) {
  Checker c(registry, no_registry_reason);
  c.flow(d.flow);
  def::sort_problems(c.problems);
  return std::move(c.problems);
}

}  // namespace ledgerflow::scoring
