#include "plugins/finance/api/finance_routes.h"

namespace ledgerflow::finance {

Result<void> FinanceRoutes::define_access(api::AccessPolicy& policy) const {
  policy.define(
      {"records", {"admin", "integration"}, "may not import records (needs role {roles})"});
  // Read scopes of the two books: the payables side (vendors, invoices, purchase orders,
  // receipts, outgoing payments) and the receivables side (customers, AR invoices,
  // incoming payments, orders), with the collections worklist and the cash forecast.
  policy.define({"ap_records",
                 {"admin", "auditor", "integration", "ap_clerk", "ap_manager", "finance_director",
                  "treasury"},
                 "may not read payables records (needs role {roles})"});
  policy.define({"ar_records",
                 {"admin", "auditor", "integration", "collector", "cash_applier", "ar_manager",
                  "credit_controller", "finance_director", "treasury"},
                 "may not read receivables records (needs role {roles})"});
  return policy.grant("outcomes", {"ap_manager", "finance_director", "credit_controller"});
}

api::PoolHandler FinanceRoutes::bind(Handler h) {
  return [this, h](const api::Principal& p, const api::http::Request& rq) {
    return (this->*h)(p, rq);
  };
}

std::vector<api::Route> FinanceRoutes::routes(const api::RouteContext& context) {
  context_ = &context;
  return {
      {"POST", "/v1/records/{type}", "records", bind(&FinanceRoutes::import_records)},
      {"GET", "/v1/records/{type}/{key}", "read", bind(&FinanceRoutes::get_record)},
      {"GET", "/v1/collections/worklist", "ar_records", bind(&FinanceRoutes::worklist)},
      {"GET", "/v1/collections/payments", "ar_records", bind(&FinanceRoutes::unapplied_payments)},
      {"GET", "/v1/forecast/cash", "ar_records", bind(&FinanceRoutes::cash_forecast)},
  };
}

}  // namespace ledgerflow::finance
