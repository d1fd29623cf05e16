#include "plugins/xgboost/xgboost_api.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>

namespace ledgerflow::plugins::xgb {

Error last_error(ErrorCode code, const std::string& what) {
  const char* message = XGBGetLastError();
  return Error{code, what + ": " + (message && *message ? message : "unknown XGBoost error")};
}

Result<DMatrix> make_dmatrix(std::span<const float> rows, std::size_t width, int nthread) {
  if (width == 0 || rows.size() % width != 0) {
    return Error::invalid("XGBoost matrix: " + std::to_string(rows.size()) +
                          " values are not whole rows of " + std::to_string(width));
  }
  DMatrixHandle handle = nullptr;
  if (XGDMatrixCreateFromMat_omp(rows.data(), rows.size() / width, width, std::nanf(""), &handle,
                                 nthread) != 0) {
    return last_error(ErrorCode::invalid_argument, "XGBoost cannot build a matrix");
  }
  return DMatrix(handle);
}

std::string dense_array_interface(const float* data, std::size_t rows, std::size_t cols) {
  char text[160];
  std::snprintf(text, sizeof(text),
                "{\"data\":[%" PRIuPTR
                ",true],\"shape\":[%zu,%zu],\"typestr\":\"<f4\","
                "\"version\":3}",
                reinterpret_cast<std::uintptr_t>(data), rows, cols);
  return text;
}

std::string predict_config(int type, bool inplace) {
  std::string config = "{\"type\":" + std::to_string(type) +
                       ",\"training\":false,\"iteration_begin\":0,\"iteration_end\":0,"
                       "\"strict_shape\":false";
  if (inplace) config += ",\"missing\":NaN,\"cache_id\":0";
  return config + "}";
}

}  // namespace ledgerflow::plugins::xgb
