// The Open Inference Protocol (KServe v2 REST) messages a KserveScorer exchanges, as pure
// functions so the wire format is tested without sockets:
//
//   request   {"inputs": [{"name": "input-0", "shape": [1, N], "datatype": "FP64",
//                          "data": [x1, ..., xN]}]}
//   response  {"model_name": ..., "outputs": [{"name": ..., "shape": [...],
//                                             "datatype": "FP64", "data": [...]}]}
//
// The score is the first value of the first output. A response is checked, not trusted:
// it must be an object with a non-empty "outputs" array whose first entry has a numeric
// datatype (FP64, FP32, FP16), a shape of non-negative integers whose product equals the
// number of values, and a flat "data" array of numbers (JSON has no NaN: a null or a
// non-number is refused), at most kMaxOutputValues of them. Errors say what was wrong,
// with a short excerpt of the offending value.
// Thread-safety: stateless functions.
#pragma once

#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/common/result.h"

namespace ledgerflow::plugins {

inline constexpr std::size_t kMaxOutputValues = 1u << 16;

nlohmann::json build_infer_request(std::span<const double> row, const std::string& input_name);

// `body` is the response body as the http client gives it: parsed JSON when the server
// said application/json and it parsed, otherwise a string (not JSON). invalid_argument
// naming the first problem ("outputs[0].shape: ...").
Result<double> parse_infer_response(const nlohmann::json& body);

}  // namespace ledgerflow::plugins
