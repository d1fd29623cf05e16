#include "engine/common/result.h"

namespace ledgerflow {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument:
      return "invalid_argument";
    case ErrorCode::not_found:
      return "not_found";
    case ErrorCode::conflict:
      return "conflict";
    case ErrorCode::unauthenticated:
      return "unauthenticated";
    case ErrorCode::forbidden:
      return "forbidden";
    case ErrorCode::unavailable:
      return "unavailable";
    case ErrorCode::io_error:
      return "io_error";
    case ErrorCode::corruption:
      return "corruption";
  }
  return "unknown";
}

}  // namespace ledgerflow
