#include "api/http/url_codec.h"

namespace ledgerflow::api::http {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) {
        return Error::invalid("truncated percent-escape in URL");
      }
      int hi = hex_value(text[i + 1]);
      int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return Error::invalid("malformed percent-escape in URL");
      char decoded = static_cast<char>(hi * 16 + lo);
      if (decoded == '\0') return Error::invalid("encoded NUL byte in URL");
      out.push_back(decoded);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Result<std::vector<std::string>> split_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return Error::invalid("path must start with '/'");
  std::vector<std::string> segments;
  if (path == "/") return segments;
  std::size_t start = 1;
  while (true) {
    std::size_t end = path.find('/', start);
    std::string_view raw =
        path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (segments.size() == kMaxPathSegments) return Error::invalid("too many path segments");
    auto decoded = percent_decode(raw, /*plus_is_space=*/false);
    if (!decoded) return decoded.error();
    if (*decoded == "." || *decoded == "..") return Error::invalid("dot segment in path");
    segments.push_back(std::move(*decoded));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return segments;
}

Result<QueryParams> parse_query(std::string_view query) {
  QueryParams params;
  std::size_t start = 0;
  while (start <= query.size()) {
    std::size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view piece = query.substr(start, end - start);
    if (!piece.empty()) {
      if (params.size() == kMaxQueryParams) return Error::invalid("too many query parameters");
      std::size_t eq = piece.find('=');
      auto key = percent_decode(piece.substr(0, eq), /*plus_is_space=*/true);
      if (!key) return key.error();
      std::string value;
      if (eq != std::string_view::npos) {
        auto decoded = percent_decode(piece.substr(eq + 1), /*plus_is_space=*/true);
        if (!decoded) return decoded.error();
        value = std::move(*decoded);
      }
      params.emplace_back(std::move(*key), std::move(value));
    }
    start = end + 1;
  }
  return params;
}

}  // namespace ledgerflow::api::http
