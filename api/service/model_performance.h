// Realised-accuracy figures of a model from its outcomes (GET /v1/models/{name}/performance).
//
// Per version: when every outcome is 0 or 1 the version is treated as binary — count,
// positives, accuracy at a 0.5 threshold, Brier score (mean squared difference between
// score and outcome), AUC by the Mann-Whitney rank sum with ties averaged (null until
// both classes occur) and the mean score; otherwise as a regression — count, mean
// absolute error and root mean squared error.
// Thread-safety: pure function.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "engine/runtime/records.h"

namespace ledgerflow::api {

// [{version, kind, count, ...}] ordered by version number.
nlohmann::json performance_by_version(const std::vector<rt::ScoredOutcome>& outcomes);

}  // namespace ledgerflow::api
