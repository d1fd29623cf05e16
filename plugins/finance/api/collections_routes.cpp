// GET /v1/collections/worklist, /v1/collections/payments and /v1/forecast/cash: the AR
// collections worklist ordered by priority (amount x P(late) x ageing), the incoming
// payments whose cash is not (all) applied, and the 13-week cash-flow forecast, recomputed
// from the ledger on every call (plugins/finance/collections.h).
// Read-only; any authenticated user.
#include <algorithm>
#include <charconv>
#include <limits>

#include "api/http/problem.h"
#include "api/service/authenticator.h"
#include "api/service/handler_support.h"
#include "engine/expr/timestamp.h"
#include "engine/runtime/clock.h"
#include "plugins/finance/api/finance_routes.h"
#include "plugins/finance/collections.h"
#include "plugins/finance/records/decimal.h"

namespace ledgerflow::finance {

namespace http = api::http;
using api::Principal;
using http::Request;
using http::Response;

namespace {

// ?as_of=YYYY-MM-DD, default today by the daemon's clock. Today or later only: the ledger
// holds today's state, so a past day would count what was paid or issued since.
Result<int> as_of_param(const Request& req, std::int64_t now_us) {
  const int today = expr::day_of(now_us);
  auto v = req.query_param("as_of");
  if (!v) return today;
  const std::string text(*v);
  auto us = text.size() == 10 ? expr::parse_timestamp(text) : std::nullopt;
  if (!us) return Error::invalid("as_of must be a date (YYYY-MM-DD), got '" + text + "'");
  if (expr::day_of(*us) < today) {
    return Error::invalid("as_of must be today or later (" + expr::format_date(today) + "), got '" +
                          text + "': the ledger holds today's state, not a past day's");
  }
  return expr::day_of(*us);
}

nlohmann::json item_view(const finance::WorklistItem& i) {
  return {{"invoice_id", i.invoice_id},
          {"invoice_number", i.invoice_number},
          {"customer_id", i.customer_id},
          {"currency", i.currency},
          {"outstanding", records::format_e4(i.outstanding_e4)},
          {"due_date", expr::format_date(i.due_day)},
          {"days_overdue", i.days_overdue},
          {"p_late", i.p_late},
          {"scored", i.scored},
          {"expected_days_late", i.expected_days_late},
          {"priority", std::round(i.priority * 100) / 100},
          {"dunning_level", i.dunning_level},
          {"promised_date",
           i.promised_day ? nlohmann::json(expr::format_date(*i.promised_day)) : nullptr},
          {"disputed", i.disputed},
          {"collector", i.collector}};
}

}  // namespace

Response FinanceRoutes::worklist(const Principal&, const Request& rq) {
  auto limit = api::parse_limit(rq);
  if (!limit) return http::problem_from_error(limit.error());
  auto as_of = as_of_param(rq, context_->clock.now_us());
  if (!as_of) return http::problem_from_error(as_of.error());
  finance::WorklistQuery q;
  q.as_of_day = *as_of;
  q.collector = std::string(rq.query_param("collector").value_or(""));
  q.currency = std::string(rq.query_param("currency").value_or(""));
  q.include_disputed = rq.query_param("include_disputed").value_or("false") == "true";
  q.collectors = context_->auth.users_with_role("collector");
  if (!q.collector.empty() &&
      std::find(q.collectors.begin(), q.collectors.end(), q.collector) == q.collectors.end()) {
    return http::problem_from_error(
        Error::invalid("collector '" + q.collector + "' is not a user with the collector role"));
  }
  auto list = finance::build_worklist(ledger_, q);
  if (!list) return http::problem_from_error(list.error());
  nlohmann::json items = nlohmann::json::array();
  for (std::size_t i = 0; i < list->items.size() && i < *limit; ++i) {
    items.push_back(item_view(list->items[i]));
  }
  return Response::json(200, {{"as_of", expr::format_date(*as_of)},
                              {"collector", q.collector},
                              {"currency", q.currency},
                              {"total", list->items.size()},
                              {"open_invoices", list->open_invoices},
                              {"truncated", list->truncated},
                              {"items", std::move(items)}});
}

Response FinanceRoutes::unapplied_payments(const Principal&, const Request& rq) {
  auto limit = api::parse_limit(rq);
  if (!limit) return http::problem_from_error(limit.error());
  const std::string status(rq.query_param("status").value_or(""));
  if (!status.empty() && status != "review" && status != "unapplied" && status != "applied") {
    return http::problem_from_error(Error::invalid(
        "status must be review, unapplied or applied (with a remainder), got '" + status + "'"));
  }
  // The cursor is "<updated_at_us>:<payment_id>" of the last item of the previous page.
  std::int64_t before_us = std::numeric_limits<std::int64_t>::max();
  std::string before_id;
  if (auto c = rq.query_param("cursor")) {
    const auto colon = c->find(':');
    std::int64_t us = 0;
    auto [p, ec] = std::from_chars(c->data(), c->data() + std::min(colon, c->size()), us);
    if (colon == std::string_view::npos || ec != std::errc() || p != c->data() + colon) {
      return http::problem_from_error(
          Error::invalid("cursor must be the next_cursor of the previous page"));
    }
    before_us = us;
    before_id = std::string(c->substr(colon + 1));
  }
  auto rows = ledger_.unapplied_payments(status, before_us, before_id, *limit + 1);
  if (!rows) return http::problem_from_error(rows.error());
  nlohmann::json items = nlohmann::json::array();
  for (std::size_t i = 0; i < rows->size() && i < *limit; ++i) {
    const auto& p = (*rows)[i];
    nlohmann::json flags = nlohmann::json::array();
    for (std::size_t at = 0; at < p.flags.size();) {
      const auto comma = p.flags.find(',', at);
      const auto end = comma == std::string::npos ? p.flags.size() : comma;
      if (end > at) flags.push_back(p.flags.substr(at, end - at));
      at = end + 1;
    }
    items.push_back({{"payment_id", p.payment_id},
                     {"status", p.status},
                     {"customer_id", p.customer_id},
                     {"amount", records::format_e4(p.amount_e4)},
                     {"currency", p.currency},
                     {"received_at", p.received_at},
                     {"reference", p.reference},
                     {"applied", records::format_e4(p.applied_e4)},
                     {"unapplied", records::format_e4(p.unapplied_e4)},
                     {"flags", std::move(flags)},
                     {"instance_id", p.instance_id},
                     {"updated_at", expr::format_timestamp(p.updated_at_us)}});
  }
  nlohmann::json next = nullptr;
  if (rows->size() > *limit) {
    const auto& last = (*rows)[*limit - 1];
    next = std::to_string(last.updated_at_us) + ":" + last.payment_id;
  }
  return Response::json(200, {{"items", std::move(items)}, {"next_cursor", next}});
}

Response FinanceRoutes::cash_forecast(const Principal&, const Request& rq) {
  int weeks = 13;
  if (auto v = rq.query_param("weeks")) {
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), weeks);
    if (ec != std::errc() || p != v->data() + v->size() || weeks < 1 ||
        weeks > finance::kMaxForecastWeeks) {
      return http::problem_from_error(Error::invalid("weeks must be an integer from 1 to " +
                                                     std::to_string(finance::kMaxForecastWeeks) +
                                                     ", got '" + std::string(*v) + "'"));
    }
  }
  auto as_of = as_of_param(rq, context_->clock.now_us());
  if (!as_of) return http::problem_from_error(as_of.error());
  auto f = finance::build_forecast(ledger_, *as_of, weeks);
  if (!f) return http::problem_from_error(f.error());
  nlohmann::json currencies = nlohmann::json::array();
  for (const auto& c : f->forecast.currencies) {
    nlohmann::json w = nlohmann::json::array();
    for (const auto& week : c.weeks) {
      w.push_back({{"week_start", expr::format_date(week.start_day)},
                   {"inflow", records::format_e4(week.inflow_e4)},
                   {"inflow_p10", records::format_e4(week.inflow_p10_e4)},
                   {"inflow_p90", records::format_e4(week.inflow_p90_e4)},
                   {"naive_inflow", records::format_e4(week.naive_inflow_e4)},
                   {"outflow", records::format_e4(week.outflow_e4)},
                   {"net", records::format_e4(week.net_e4)}});
    }
    currencies.push_back({{"currency", c.currency},
                          {"open_ar_invoices", c.open_invoices},
                          {"ap_invoices", c.ap_invoices},
                          {"beyond_horizon", records::format_e4(c.beyond_horizon_e4)},
                          {"weeks", std::move(w)}});
  }
  return Response::json(200, {{"as_of", expr::format_date(*as_of)},
                              {"weeks", weeks},
                              {"band", "P10-P90"},
                              {"truncated", f->truncated},
                              {"currencies", std::move(currencies)}});
}

}  // namespace ledgerflow::finance
