// Reads an XGBoost JSON model file (XGBoosterSaveModel to a *.json path) into a JSON
// document, with limits, and with every number that has a fraction or an exponent
// rounded to float32 straight from its decimal text.
//
// Why not plugins/common/json_file.h: XGBoost models are far larger than the 16 MiB /
// 1M-value limits that suit hand-written files, and XGBoost writes float32 values as
// shortest decimals ("3.984064E-2"); parsing those as double and then narrowing to
// float can, rarely, round twice and land one ulp away from the float XGBoost itself
// reads. Converting the decimal text directly (std::from_chars) gives the same float
// XGBoost's own reader does, so thresholds compare exactly as XGBoost compares them.
// Numbers outside float32's range become +/-infinity, for the model checks to refuse.
//
// Also refused, with file:line:column where the parser knows it: truncated or invalid
// JSON, NaN/Infinity literals (not JSON, but what a model with NaN leaves looks like),
// duplicate keys, nesting deeper than the limit, more values than the limit.
// Thread-safety: stateless functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/common/result.h"

namespace ledgerflow::plugins {

struct XgboostJsonLimits {
  std::size_t max_bytes = 256u << 20;   // 256 MiB: a 1M-node model is about 150 MiB
  std::size_t max_depth = 32;           // XGBoost's own documents nest 7 deep
  std::size_t max_values = 30'000'000;  // about 12 values per node, plus headroom
};

// not_found: no such file. io_error: unreadable or a directory. invalid_argument: too
// large, not a JSON object, or not valid JSON. Messages start with `path`.
Result<nlohmann::json> read_xgboost_json(const std::string& path,
                                         const XgboostJsonLimits& limits = {});

// The file's bytes, with the same size limit and errors (for callers that hand the very
// bytes they checked to XGBoost).
Result<std::string> read_xgboost_text(const std::string& path,
                                      const XgboostJsonLimits& limits = {});

// Parses text already in memory; `source` starts every message.
Result<nlohmann::json> parse_xgboost_json(std::string_view text, const std::string& source,
                                          const XgboostJsonLimits& limits = {});

// True when the file's first key is "learner", as in every model XGBoost writes (its
// writer orders keys alphabetically, and "learner" < "version"). A cheap sniff that
// reads at most a few bytes; callers still check the parsed document.
bool starts_like_xgboost_model(const std::string& path);

}  // namespace ledgerflow::plugins
