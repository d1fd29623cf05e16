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

std::string_view to_string(ErrorReason reason) {
  switch (reason) {
    case ErrorReason::none:
      return "none";
    case ErrorReason::idempotency_key_taken:
      return "idempotency_key_taken";
    case ErrorReason::idempotency_key_reused:
      return "idempotency_key_reused";
    case ErrorReason::business_key_taken:
      return "business_key_taken";
    case ErrorReason::segregation_of_duties:
      return "segregation_of_duties";
    case ErrorReason::not_a_candidate:
      return "not_a_candidate";
    case ErrorReason::not_permitted:
      return "not_permitted";
  }
  return "unknown";
}

}  // namespace ledgerflow
