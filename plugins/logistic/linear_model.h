// LinearModel: the validated contents of a "ledgerflow-linear/1" model file (a logistic
// or linear regression), and the strict parser that produces it. The file format is
// documented in plugins/logistic/README.md.
//
// Strict because a model that loads with a silently wrong coefficient makes wrong
// decisions that nobody notices: unknown fields, missing or non-finite numbers, duplicate
// feature names and empty feature lists are all refused, naming the file and the field.
// Thread-safety: plain value type; stateless parser.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/common/result.h"

namespace ledgerflow::plugins {

inline constexpr std::string_view kLinearModelFormat = "ledgerflow-linear/1";
inline constexpr std::size_t kMaxLinearFeatures = 10'000;

enum class LinearKind { logistic, linear };

struct LinearFeature {
  std::string name;
  double coef = 0;
  double mean = 0;     // standardisation: x' = (x - mean) / scale
  double scale = 1;    // > 0
  double missing = 0;  // raw value (before standardisation) used when the input is NaN
};

struct LinearLabels {
  double threshold = 0.5;  // label = score >= threshold ? above : below
  std::string above;
  std::string below;
};

struct LinearModel {
  LinearKind kind = LinearKind::logistic;
  std::string name;
  std::string version;
  std::vector<LinearFeature> features;  // input order
  double intercept = 0;
  std::optional<LinearLabels> labels;
};

// Validates a parsed model document. `source` (usually the file path) starts every
// error message: "models/risk/1/model.json: features[2].coef: expected a finite number".
// Errors are invalid_argument.
Result<LinearModel> parse_linear_model(const nlohmann::json& doc, const std::string& source);

// "[a-z][a-z0-9_]*", at most 64 characters: the model-name grammar of the DSL.
bool is_model_name(std::string_view name);

}  // namespace ledgerflow::plugins
