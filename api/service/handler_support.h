// Helpers for route handlers, shared by the service and route modules: the `limit` query
// parameter, a page of a list route, and strict JSON object bodies.
// Thread-safety: free functions without shared state.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/http/request.h"
#include "api/http/response.h"
#include "engine/common/result.h"

namespace ledgerflow::api {

// The `limit` query parameter of list routes: 1..1000, default 50.
Result<std::size_t> parse_limit(const http::Request& req);

// One page of a list route: {items: [view(row)...], next_cursor}. `rows` holds up to
// limit + 1 rows (the extra one only says that a next page exists); the cursor is the
// id of the last row returned.
// `visible(row)` drops rows the caller may not read (the cursor still moves past them).
template <typename Row, typename View, typename Visible = bool (*)(const Row&)>
http::Response page_response(std::vector<Row>& rows, std::size_t limit, View view,
                             Visible visible = [](const Row&) { return true; }) {
  const bool more = rows.size() > limit;
  if (more) rows.resize(limit);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& row : rows) {
    if (visible(row)) items.push_back(view(row));
  }
  nlohmann::json body = {{"items", std::move(items)}, {"next_cursor", nullptr}};
  if (more) body["next_cursor"] = rows.back().id;
  return http::Response::json(200, body);
}

// Parses a JSON request body that must be an object with only `allowed` members.
// invalid_argument naming the problem (not JSON, not an object, an unknown field).
// (See also not_found_instance: what a caller outside an instance's read scope gets.)
Result<nlohmann::json> parse_object_body(const std::string& body,
                                         const std::set<std::string>& allowed,
                                         bool empty_ok = true);

}  // namespace ledgerflow::api
