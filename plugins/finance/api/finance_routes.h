// FinanceRoutes: the finance package's REST routes, added to the generic API as a route
// module (api/service/route_module.h):
//   POST /v1/records/{type}          import records (rule `records`)
//   GET  /v1/records/{type}/{key}    one record, IBANs and tax ids masked
//   GET  /v1/collections/worklist    the AR collections worklist
//   GET  /v1/collections/payments    incoming payments whose cash is not (all) applied
//   GET  /v1/forecast/cash           the 13-week cash-flow forecast
// Access: the rule `records` (default roles admin, integration) for imports, any
// authenticated user for the reads. It also grants the finance roles that confirm
// outcomes (ap_manager, finance_director, credit_controller) on the service's `outcomes`
// rule. The daemon configuration's `access:` section replaces either list.
// Thread-safety: handlers run concurrently on the API's worker pool; the record store and
// the ledger are thread-safe.
#pragma once

#include <vector>

#include "api/service/route_module.h"
#include "plugins/finance/records/ar_ledger.h"
#include "plugins/finance/records/record_store.h"

namespace ledgerflow::finance {

class FinanceRoutes : public api::RouteModule {
 public:
  // Both must outlive this module.
  FinanceRoutes(records::RecordStore& records, records::ArLedger& ledger)
      : records_(records), ledger_(ledger) {}

  Result<void> define_access(api::AccessPolicy& policy) const override;
  std::vector<api::Route> routes(const api::RouteContext& context) override;

 private:
  using Handler = api::http::Response (FinanceRoutes::*)(const api::Principal&,
                                                         const api::http::Request&);
  api::PoolHandler bind(Handler h);

  // records_routes.cpp
  api::http::Response import_records(const api::Principal& p, const api::http::Request& rq);
  api::http::Response get_record(const api::Principal& p, const api::http::Request& rq);
  // collections_routes.cpp
  api::http::Response worklist(const api::Principal& p, const api::http::Request& rq);
  api::http::Response unapplied_payments(const api::Principal& p, const api::http::Request& rq);
  api::http::Response cash_forecast(const api::Principal& p, const api::http::Request& rq);

  records::RecordStore& records_;
  records::ArLedger& ledger_;
  const api::RouteContext* context_ = nullptr;  // set by routes()
};

}  // namespace ledgerflow::finance
