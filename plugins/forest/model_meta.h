// ModelMeta: the parts of a model's meta.json (next to model.json in the registry) that
// serving a tree model needs: input feature names in order, and optionally the
// objective (checked against the model), class labels and score labels.
//
//   {"features": [{"name": "amount", "type": "number"}, ...],
//    "objective": "binary:logistic",
//    "classes": ["low", "medium", "high"],                        (multi-class only)
//    "labels": {"threshold": 0.5, "above": "high", "below": "low"}, (single-output only)
//    ...training summary, metrics, reference distributions...}
//
// Other keys belong to training and monitoring and are ignored here, so meta.json can
// grow without breaking serving; the keys above are checked strictly.
// Thread-safety: stateless function.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/common/result.h"
#include "plugins/forest/tree_output.h"

namespace ledgerflow::plugins {

struct ModelMeta {
  std::vector<std::string> features;  // names, input order
  std::string objective;              // empty when not given
  std::vector<std::string> classes;   // empty when not given
  std::optional<ScoreLabels> labels;
  std::optional<std::string> name;     // when given, must match the registry directory
  std::optional<std::string> version;  // likewise
};

// not_found / io_error for an absent or unreadable file; invalid_argument naming the
// file and the key for bad content.
Result<ModelMeta> read_model_meta(const std::string& path);
Result<ModelMeta> parse_model_meta(const nlohmann::json& doc, const std::string& source);

}  // namespace ledgerflow::plugins
