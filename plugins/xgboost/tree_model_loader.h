// load_tree_model: how a model registry serves an XGBoost JSON model from a version
// directory (<dir>/<name>/<version>/model.json):
//
//   * input names from the sibling meta.json ({"features": [{"name": ...}, ...]}, plus
//     optional objective, classes, labels; plugins/forest/model_meta.h), checked against
//     the model's own feature_names when it has them; without meta.json, the model's own
//     feature_names; with neither, the model is refused (inputs are matched by name);
//   * the native ForestScorer, Ledgerflow's default serving path;
//   * XgboostScorer through the C API when the native evaluator refuses the model as
//     unsupported (dart, gblinear, other objectives, categorical splits). `notice` is
//     then told "<path>: served by the XGBoost C API: ... because <reason>". A malformed
//     model (truncated, NaN leaves, bad indices) is refused outright, never passed on.
//
// Split out of DirectoryRegistry so that the registry stays about names, versions and
// aliases, and any other registry can serve tree models the same way.
// Thread-safety: stateless; may run on many threads at once.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "engine/common/result.h"
#include "engine/scoring/scorer.h"

namespace ledgerflow::plugins {

using LoadNoticeFn = std::function<void(const std::string& message)>;

// ModelInfo name/version are `name` and `version`; meta.json's, when given, must match.
Result<std::unique_ptr<scoring::Scorer>> load_tree_model(const std::string& path,
                                                         const std::string& name, int version,
                                                         const LoadNoticeFn& notice);

}  // namespace ledgerflow::plugins
