// Small helpers over the XGBoost C API (libxgboost 1.7): owning handles, error mapping
// and the JSON strings its prediction calls take. Shared by XgboostScorer and train().
//
// Why: every C API call returns -1 and leaves its message in a thread-local
// (XGBGetLastError); handles must be freed on every path. Wrapping both once keeps the
// callers to one line per call and guarantees no C++ exception or leaked handle crosses
// the plugin boundary.
// Thread-safety: stateless functions; a handle is as thread-safe as XGBoost makes it
// (prediction is thread-safe since 1.4; setting parameters and training are not).
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <xgboost/c_api.h>

#include "engine/common/result.h"

namespace ledgerflow::plugins::xgb {

struct BoosterFree {
  void operator()(void* handle) const noexcept { XGBoosterFree(handle); }
};
struct DMatrixFree {
  void operator()(void* handle) const noexcept { XGDMatrixFree(handle); }
};
using Booster = std::unique_ptr<void, BoosterFree>;
using DMatrix = std::unique_ptr<void, DMatrixFree>;

// `what` + XGBoost's last error message on this thread.
Error last_error(ErrorCode code, const std::string& what);

// A DMatrix over whole rows of `width` float32 values (NaN = missing); the data is copied.
Result<DMatrix> make_dmatrix(std::span<const float> rows, std::size_t width, int nthread = 1);

// The __array_interface__ JSON that in-place prediction reads a dense float32 matrix from.
std::string dense_array_interface(const float* data, std::size_t rows, std::size_t cols);

// Prediction config. type: 0 value, 1 margin, 2 contributions. In-place prediction in
// 1.7.4 fails without "cache_id": 0 and needs "missing".
std::string predict_config(int type, bool inplace);

}  // namespace ledgerflow::plugins::xgb
