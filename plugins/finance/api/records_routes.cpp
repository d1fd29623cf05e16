// /v1/records/{type}: importing business records (CSV, JSON array or NDJSON; role
// integration or admin), optionally starting a workflow per record, and reading one
// record back (IBANs and tax ids masked).
#include <set>

#include "api/http/problem.h"
#include "api/service/handler_support.h"
#include "engine/runtime/clock.h"
#include "engine/runtime/definition_registry.h"
#include "engine/runtime/executor.h"
#include "plugins/finance/api/finance_routes.h"
#include "plugins/finance/records/importer.h"

namespace ledgerflow::finance {

namespace http = api::http;
using api::Principal;
using http::Request;
using http::Response;

namespace {

// "DE89370400440532013000" -> "****3000": enough to recognise, not to pay into.
void mask_record(nlohmann::json& data) {
  for (const char* key : {"iban", "tax_id"}) {
    auto it = data.find(key);
    if (it == data.end() || !it->is_string()) continue;
    const std::string v = it->get<std::string>();
    *it = "****" + (v.size() > 4 ? v.substr(v.size() - 4) : std::string());
  }
}

std::optional<bool> flag_param(const Request& req, std::string_view name) {
  auto v = req.query_param(name);
  if (!v) return false;
  if (*v == "true" || *v == "1") return true;
  if (*v == "false" || *v == "0") return false;
  return std::nullopt;
}

}  // namespace

Response FinanceRoutes::import_records(const Principal& p, const Request& rq) {
  const std::string type_name(rq.param("type").value_or(""));
  records::ImportOptions o;
  o.type = records::find_record_type(type_name);
  if (o.type == nullptr) {
    return http::problem(
        404, "Not Found",
        "no record type '" + type_name + "' (types: " + records::record_type_names() + ")");
  }
  auto format = records::format_from_content_type(rq.header("Content-Type").value_or(""));
  if (!format) {
    return http::problem(415, "Unsupported Media Type",
                         "send text/csv, application/json (an array of records) or "
                         "application/x-ndjson (one record per line)");
  }
  o.format = *format;
  o.source = "request body";
  auto mode = rq.query_param("mode").value_or("per_row");
  if (mode != "per_row" && mode != "all_or_nothing") {
    return http::problem(400, "Bad Request", "mode must be per_row or all_or_nothing");
  }
  o.all_or_nothing = mode == "all_or_nothing";
  auto extra = flag_param(rq, "allow_extra");
  auto dry = flag_param(rq, "dry_run");
  if (!extra || !dry) {
    return http::problem(400, "Bad Request", "allow_extra and dry_run are true or false");
  }
  o.allow_extra_columns = *extra;
  o.dry_run = *dry;
  o.user = p.user;
  o.roles = p.roles;
  o.now_us = context_->clock.now_us();
  if (auto start = rq.query_param("start")) {
    o.start_workflow = std::string(*start);
    auto latest = context_->definitions.latest_version(o.start_workflow);
    if (!latest) {
      return http::problem(404, "Not Found",
                           "start: no deployed workflow '" + o.start_workflow + "'");
    }
  }
  auto report = records::import_records(rq.body(), o, records_, &context_->executor);
  if (!report) return http::problem_from_error(report.error(), 422);
  if (report->started > 0) context_->nudge_events();
  nlohmann::json body = report->to_json();
  if (!report->committed && report->rejected > 0 && !o.dry_run) {
    return http::problem(422, "Unprocessable Content",
                         std::to_string(report->rejected) + " of " + std::to_string(report->rows) +
                             " rows were rejected; nothing was stored",
                         {{"code", "invalid_argument"}, {"report", std::move(body)}});
  }
  return Response::json(200, body);
}

Response FinanceRoutes::get_record(const Principal& p, const Request& rq) {
  const std::string type_name(rq.param("type").value_or(""));
  const records::RecordType* type = records::find_record_type(type_name);
  if (type == nullptr) {
    return http::problem(404, "Not Found", "no record type '" + type_name + "'");
  }
  static const std::set<std::string> kReceivables = {"customers", "ar_invoices",
                                                     "incoming_payments", "orders"};
  const std::string rule = kReceivables.count(type_name) ? "ar_records" : "ap_records";
  if (auto why = context_->access.refusal(p, rule)) {
    return http::problem(403, "Forbidden", "user '" + p.user + "' " + *why, {{"code", "forbidden"}});
  }
  if (type->key.size() != 1) {
    return http::problem(400, "Bad Request",
                         type_name + " has a composite key; read it through its parent");
  }
  const std::string key(rq.param("key").value_or(""));
  auto got = records_.get(*type, {key});
  if (!got) return http::problem_from_error(got.error());
  if (!got->has_value()) {
    return http::problem(404, "Not Found",
                         std::string(type->singular) + " " + key + " is not on file");
  }
  nlohmann::json data = (*got)->data;
  mask_record(data);
  if (type->name == "invoices") {
    auto lines = records_.by_key_prefix(*records::find_record_type("invoice_lines"), {key}, 1000);
    if (!lines) return http::problem_from_error(lines.error());
    data["lines"] = nlohmann::json::array();
    for (auto& l : *lines) data["lines"].push_back(std::move(l.data));
  }
  return Response::json(
      200, {{"type", type_name}, {"key", key}, {"seq", (*got)->seq}, {"record", std::move(data)}});
}

}  // namespace ledgerflow::finance
