#include "plugins/kserve/kserve_protocol.h"

#include <cmath>

namespace ledgerflow::plugins {
namespace {

using nlohmann::json;

constexpr std::size_t kExcerptBytes = 80;

// A short, printable excerpt of text for an error message.
std::string excerpt(std::string text) {
  if (text.size() > kExcerptBytes) text = text.substr(0, kExcerptBytes) + "...";
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return text;
}

// A value as JSON text (strings quoted), shortened.
std::string excerpt(const json& value) {
  return excerpt(value.dump(-1, ' ', false, json::error_handler_t::replace));
}

Error bad(const std::string& where, const std::string& why) {
  return Error::invalid("bad inference response: " + where + ": " + why);
}

// Product of the shape's dimensions, or an error; bounded so it cannot overflow.
Result<std::size_t> shape_size(const json& shape) {
  if (!shape.is_array() || shape.empty() || shape.size() > 8) {
    return bad("outputs[0].shape", "expected an array of 1 to 8 dimensions, got " + excerpt(shape));
  }
  std::size_t product = 1;
  for (const auto& dim : shape) {
    if (!dim.is_number_integer() || dim.get<std::int64_t>() < 0 ||
        dim.get<std::int64_t>() > static_cast<std::int64_t>(kMaxOutputValues)) {
      return bad("outputs[0].shape",
                 "expected non-negative integer dimensions, got " + excerpt(shape));
    }
    product *= dim.get<std::size_t>();
    if (product > kMaxOutputValues) {
      return bad("outputs[0].shape", "more than " + std::to_string(kMaxOutputValues) + " values");
    }
  }
  return product;
}

}  // namespace

json build_infer_request(std::span<const double> row, const std::string& input_name) {
  json data = json::array();
  for (double x : row) data.push_back(x);
  return {{"inputs", json::array({{{"name", input_name},
                                   {"shape", {1, row.size()}},
                                   {"datatype", "FP64"},
                                   {"data", std::move(data)}}})}};
}

Result<double> parse_infer_response(const json& body) {
  if (body.is_string()) {
    return Error::invalid("bad inference response: not JSON: '" + excerpt(body.get<std::string>()) +
                          "'");
  }
  if (!body.is_object()) return bad("body", "expected a JSON object, got " + excerpt(body));
  auto outputs = body.find("outputs");
  if (outputs == body.end()) return bad("outputs", "missing");
  if (!outputs->is_array() || outputs->empty()) {
    return bad("outputs", "expected a non-empty array, got " + excerpt(*outputs));
  }
  const json& out = (*outputs)[0];
  if (!out.is_object()) return bad("outputs[0]", "expected an object, got " + excerpt(out));
  auto datatype = out.find("datatype");
  if (datatype == out.end()) return bad("outputs[0].datatype", "missing");
  if (!datatype->is_string() ||
      (*datatype != "FP64" && *datatype != "FP32" && *datatype != "FP16")) {
    return bad("outputs[0].datatype", "expected FP64, FP32 or FP16, got " + excerpt(*datatype));
  }
  auto shape = out.find("shape");
  if (shape == out.end()) return bad("outputs[0].shape", "missing");
  auto size = shape_size(*shape);
  if (!size) return size.error();
  auto data = out.find("data");
  if (data == out.end()) return bad("outputs[0].data", "missing");
  if (!data->is_array()) return bad("outputs[0].data", "expected an array, got " + excerpt(*data));
  if (data->size() != *size) {
    return bad("outputs[0].shape", excerpt(*shape) + " describes " + std::to_string(*size) +
                                       " values but data has " + std::to_string(data->size()));
  }
  if (data->empty()) return bad("outputs[0].data", "no values");
  const json& first = (*data)[0];
  if (!first.is_number()) {
    return bad("outputs[0].data[0]", "expected a number, got " + excerpt(first));
  }
  double value = first.get<double>();
  if (!std::isfinite(value)) return bad("outputs[0].data[0]", "not a finite number");
  return value;
}

}  // namespace ledgerflow::plugins
