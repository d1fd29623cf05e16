#include "engine/expr/json_input.h"

#include <cmath>
#include <optional>
#include <string>

#include "engine/common/json_nesting.h"
#include "engine/expr/decimal.h"

namespace ledgerflow::expr {
namespace {

using Json = nlohmann::json;

// Builds the document like nlohmann's own DOM parser, checking each floating point number
// on the way; the first problem is kept and parsing stops there.
class CheckingSax : public nlohmann::detail::json_sax_dom_parser<Json> {
 public:
  CheckingSax(Json& out, const JsonInputOptions& options)
      : json_sax_dom_parser(out, /*allow_exceptions_=*/false), options_(options) {}

  bool number_float(double value, const std::string& text) {
    const bool plain = text.find_first_of("eE") == std::string::npos;
    if (options_.keep_decimal_text && plain) {
      std::string copy = text;
      return string(copy);
    }
    if (!std::isfinite(value)) {
      problem_ = "the number " + shorten(text) + " is beyond the range of a JSON number";
      number_problem_ = true;
      return false;
    }
    if (!options_.keep_decimal_text && !json_number_is_exact(text, value)) {
      problem_ = "the number " + shorten(text) +
                 " has more digits than a JSON number carries exactly; send it as a decimal "
                 "string (\"" + shorten(text) + "\")";
      number_problem_ = true;
      return false;
    }
    return json_sax_dom_parser::number_float(value, text);
  }

  bool parse_error(std::size_t position, const std::string& token,
                   const nlohmann::detail::exception& e) {
    if (problem_.empty() && e.id == 406) {  // out_of_range: a number beyond a double
      problem_ = "the number " + shorten(token) + " is beyond the range of a JSON number";
      number_problem_ = true;
    } else if (problem_.empty()) {
      problem_ = std::string(e.what());
      // nlohmann's text starts with "[json.exception.parse_error.101] "; keep what follows.
      if (auto at = problem_.find("] "); at != std::string::npos) problem_.erase(0, at + 2);
      if (problem_.size() > 200) problem_ = problem_.substr(0, 200) + "...";
      (void)position;
    }
    return false;
  }

  const std::string& problem() const { return problem_; }
  bool number_problem() const { return number_problem_; }

 private:
  static std::string shorten(const std::string& text) {
    return text.size() <= 64 ? text : text.substr(0, 60) + "...";
  }

  const JsonInputOptions& options_;
  std::string problem_;
  bool number_problem_ = false;
};

}  // namespace

bool json_number_is_exact(std::string_view text, double value) {
  Decimal written;
  if (Decimal::parse(text, Decimal::Rounding::exact, &written) != Decimal::ParseStatus::ok) {
    return false;  // more than 18 fractional digits or 38 significant ones
  }
  Decimal held;
  if (!Decimal::from_double(value, &held)) return false;
  return written == held;
}

Result<Json> parse_json_input(std::string_view text, const JsonInputOptions& options) {
  if (auto at = find_too_deep_json(text, options.max_depth); at != std::string_view::npos) {
    return Error::invalid("nesting is deeper than " + std::to_string(options.max_depth) +
                          " levels (the limit) at byte " + std::to_string(at));
  }
  Json out;
  CheckingSax sax(out, options);
  bool ok = false;
  try {
    ok = Json::sax_parse(text, &sax);
  } catch (const Json::exception& e) {  // defensive: the SAX interface reports, not throws
    return Error::invalid(std::string("not valid JSON: ") + e.what());
  }
  if (!ok || out.is_discarded()) {
    if (sax.number_problem()) return Error::invalid(sax.problem());
    return Error::invalid("not valid JSON: " +
                          (sax.problem().empty() ? std::string("malformed") : sax.problem()));
  }
  return out;
}

}  // namespace ledgerflow::expr
