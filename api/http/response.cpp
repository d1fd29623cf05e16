#include "api/http/response.h"

#include <boost/beast/http/status.hpp>

namespace ledgerflow::api::http {

Response Response::json(int status, const nlohmann::json& value) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response Response::text(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

Response Response::empty(int status) {
  Response r;
  r.status = status;
  r.content_type.clear();
  return r;
}

std::string reason_phrase(int status) {
  if (status < 100 || status > 999) return {};
  auto text = boost::beast::http::obsolete_reason(
      static_cast<boost::beast::http::status>(static_cast<unsigned>(status)));
  if (text == "<unknown-status>") return {};
  return std::string(text.data(), text.size());
}

}  // namespace ledgerflow::api::http
