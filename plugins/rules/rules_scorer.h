// RulesScorer: the built-in decision-table scorer ("ledgerflow-rules/1", format in
// plugins/rules/README.md). Each rule is a condition in the expression language
// (engine/expr, docs/dsl.md) over the model's features, with the score and the reason it
// gives; `hit: first` takes the first rule that holds, `hit: max` the highest score of
// those that hold; `default` answers when none does.
//
// A result carries the score (also the probability: rule scores lie in [0, 1]), the
// reason as the label, and which rule decided as the explanation ("rules[2]: amount >
// 10000" or "default"), which the decision record keeps.
//
// Conditions are compiled once at load, and every problem in the file is an error that
// names the file, line and column ("models/r/1/model.json:7:22: rules[1].when: ...").
// A feature's value is a number, or null when it is missing (NaN): a condition that
// compares a missing feature fails the step (a catchable scorer_error) unless it guards
// with `x != null && ...`.
//
// Thread-safety: immutable after load; score() may run on many threads at once.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/expr/program.h"
#include "engine/scoring/scorer.h"

namespace ledgerflow::plugins {

inline constexpr std::string_view kRulesModelFormat = "ledgerflow-rules/1";

class RulesScorer final : public scoring::Scorer {
 public:
  enum class Hit { first, max };

  struct Rule {
    expr::Program when;
    double score = 0;
    std::string reason;
  };

  // Reads and validates a model file. `name` and `version` come from the registry; the
  // file's own "name"/"version", when present, must agree. not_found / io_error for an
  // absent or unreadable file; invalid_argument (located) for bad content.
  static Result<std::unique_ptr<RulesScorer>> load(const std::string& path, const std::string& name,
                                                   const std::string& version);

  // Validates model text; `source` names it in messages (usually the path).
  static Result<std::unique_ptr<RulesScorer>> from_text(std::string_view text,
                                                        const std::string& source,
                                                        const std::string& name,
                                                        const std::string& version);

  const scoring::ModelInfo& info() const override { return info_; }

  // invalid_argument when features.size() differs from the model's width, a value is
  // infinite, or a condition fails to evaluate (naming the rule).
  Result<scoring::ScoreResult> score(std::span<const double> features,
                                     std::size_t explain_top_k) const override;

 private:
  RulesScorer() = default;

  scoring::ModelInfo info_;
  Hit hit_ = Hit::first;
  std::vector<Rule> rules_;
  double default_score_ = 0;
  std::string default_reason_;
};

}  // namespace ledgerflow::plugins
