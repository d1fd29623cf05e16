// Accounts receivable through the real daemon: customers, AR invoices and incoming
// payments imported over POST /v1/records with ar_collections / ar_cash_application
// started per record; then the collections worklist (order, filters, bad parameters), the
// 13-week cash forecast, a promise to pay sent as a signal, and cash application (a
// confident match closing an invoice and ending its dunning, an ambiguous payment becoming
// a task for the cash appliers, a payment of nobody flagged).
//
// The daemon runs on the real clock, so every date here is relative to today (UTC). The
// fixture's models directory has no AR models: the test writes two small linear ones
// (ar_late_payment: P(late) grows with the amount; ar_days_late: 5 days late) and restarts
// the daemon with the AR workflows.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include "engine/expr/timestamp.h"
#include "integration/daemon_fixture.h"
#include "integration/daemon_helpers.h"

namespace {

// A forecast figure ("1234.50", a decimal string like every amount in the API) as a
// number for the range comparisons below (the test's arithmetic, not the product's).
double amount(const nlohmann::json& v) {
  REQUIRE(v.is_string());
  return std::stod(v.get<std::string>());
}

using namespace ledgerflow::daemon_test;
using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;
namespace expr = ledgerflow::expr;

const std::string kCsv = "Content-Type: text/csv\r\n";

int today() {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  return static_cast<int>(us / expr::kMicrosPerDay);
}

std::string date(int day) {
  return expr::format_timestamp(static_cast<std::int64_t>(day) * expr::kMicrosPerDay).substr(0, 10);
}

void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::trunc);
  out << text;
  REQUIRE(out.good());
}

// The two AR models, with exactly the feature names of ar_collections.yaml's score states.
void write_ar_models(const fs::path& models) {
  const std::vector<std::string> names = {
      "amount",        "payment_terms_days", "days_to_due",       "customer_age_days",
      "avg_days_late", "late_ratio",         "credit_utilisation"};
  auto model = [&](const std::string& name, const std::string& kind, double amount_coef,
                   double intercept) {
    json features = json::array();
    for (const auto& n : names)
      features.push_back({{"name", n}, {"coef", n == "amount" ? amount_coef : 0.0}});
    json doc = {{"format", "ledgerflow-linear/1"},
                {"kind", kind},
                {"name", name},
                {"version", "1"},
                {"features", features},
                {"intercept", intercept}};
    write_file(models / name / "1" / "model.json", doc.dump(2));
    write_file(models / name / "aliases.json", "{\"champion\": 1}\n");
  };
  model("ar_late_payment", "logistic", 0.0002, -0.5);
  model("ar_days_late", "linear", 0.0, 5.0);
}

json post_records(const Daemon& d, const std::string& type, const std::string& query,
                  const std::string& body) {
  auto reply = d.request("POST", "/v1/records/" + type + query, "erp", body, kCsv);
  REQUIRE(reply);
  INFO(reply->body);
  REQUIRE(reply->status == 200);
  json report = json::parse(reply->body);
  REQUIRE(report["rejected"] == 0);
  return report;
}

std::string instance_of(const Daemon& d, const std::string& workflow, const std::string& key) {
  const json page =
      d.call("GET", "/v1/instances?workflow=" + workflow + "&business_key=" + key, "olga", 200);
  REQUIRE(page["items"].size() == 1);
  return page["items"][0]["id"].get<std::string>();
}

template <typename Done>
json until(const Daemon& d, const std::string& id, Done done) {
  return poll_instance(d, id, "olga", done);
}

json settled(const Daemon& d, const std::string& id) {
  return settled_instance(d, id, "olga");
}

json worklist(const Daemon& d, const std::string& query = "", const std::string& user = "erin") {
  return d.call("GET", "/v1/collections/worklist" + query, user, 200);
}

const json* item_of(const json& list, const std::string& invoice_id) {
  for (const auto& i : list["items"]) {
    if (i["invoice_id"] == invoice_id) return &i;
  }
  return nullptr;
}

std::vector<std::string> ids_of(const json& list) {
  std::vector<std::string> out;
  for (const auto& i : list["items"]) out.push_back(i["invoice_id"]);
  return out;
}

}  // namespace

TEST_CASE("Collections: worklist, cash forecast, promises and cash application over HTTP",
          "[integration][ar]") {
  Daemon d({});
  write_ar_models(d.dir() / "models");
  for (const char* w : {"workflows/ar_collections.yaml", "workflows/ar_cash_application.yaml"}) {
    fs::copy_file(fs::path(LF_SOURCE_DIR) / w, d.dir() / "workflows" / fs::path(w).filename());
  }
  d.restart();
  {
    const json workflows = d.call("GET", "/v1/workflows", "olga", 200);
    INFO(workflows.dump());
    CHECK(workflows.dump().find("ar_collections") != std::string::npos);
    CHECK(workflows.dump().find("ar_cash_application") != std::string::npos);
  }

  const int t = today();
  post_records(d, "customers", "",
               "customer_id,name,country,credit_limit,currency,payment_terms_days,created_at\n"
               "CU1,Contoso AG,DE,50000,EUR,30,2020-01-01T00:00:00Z\n"
               "CU2,Fabrikam Ltd,GB,20000,EUR,30,2021-01-01T00:00:00Z\n"
               "CU3,Northwind SA,FR,10000,EUR,30,2022-01-01T00:00:00Z\n");
  // X1: 50 days overdue (dunning up to the collector call); X2: 10 days overdue (two
  // stages done); X3, X4: not yet due; X5: disputed; X6, X7: the same amount.
  auto row = [&](const std::string& id, const std::string& customer, const std::string& number,
                 int issued, int due, const std::string& amount, int disputed = 0) {
    return id + "," + customer + "," + number + "," + date(t + issued) + "," + date(t + due) +
           ",EUR," + amount + "," + std::to_string(disputed) + "\n";
  };
  const json started = post_records(
      d, "ar_invoices", "?start=ar_collections",
      "invoice_id,customer_id,invoice_number,invoice_date,due_date,currency,amount,disputed\n" +
          row("X1", "CU1", "SI-9000101", -80, -50, "9000") +
          row("X2", "CU1", "SI-9000102", -40, -10, "2000") +
          row("X3", "CU2", "SI-9000201", -10, 20, "5000") +
          row("X4", "CU2", "SI-9000202", -5, 25, "300") +
          row("X5", "CU3", "SI-9000301", -5, 25, "1200", 1) +
          row("X6", "CU3", "SI-9000302", -4, 26, "450") +
          row("X7", "CU3", "SI-9000303", -3, 27, "450"));
  REQUIRE(started["workflows"]["started"] == 7);

  std::map<std::string, std::string> instance;
  for (const char* id : {"X1", "X2", "X3", "X4", "X5", "X6", "X7"}) {
    instance[id] = instance_of(d, "ar_collections", id);
    const json view = settled(d, instance[id]);
    INFO(id << ": " << view.dump(2).substr(0, 4000));
    REQUIRE(view["status"] == "waiting");
    // Scored by both models, and the risk recorded for the worklist.
    CHECK(view["data"]["risk"]["probability"].is_number());
    CHECK(view["data"]["lateness"]["score"] == Approx(5.0));
  }
  // Dunning: X1 went through three stages and waits for a collector's call; X2 had two.
  {
    const json x1 = d.call("GET", "/v1/instances/" + instance["X1"], "olga", 200);
    CHECK(x1["data"]["stage"]["level"] == "collector_call");
    const json calls = d.call("GET", "/v1/tasks?mine=true", "erin", 200);
    bool call_task = false;
    for (const auto& task : calls["items"]) {
      if (task["instance_id"] == instance["X1"] && task["state"] == "collector_call")
        call_task = true;
    }
    CHECK(call_task);
    // X5 came disputed: a dispute-resolution task for the AR managers, not dunning.
    const json disputes = d.call("GET", "/v1/tasks?mine=true", "fay", 200);
    bool dispute_task = false;
    for (const auto& task : disputes["items"]) {
      if (task["instance_id"] == instance["X5"] && task["state"] == "decide_dispute") {
        dispute_task = true;
      }
    }
    CHECK(dispute_task);
  }

  SECTION("the worklist: ordered by priority, filtered, limited; bad parameters are 400s") {
    const json list = worklist(d);
    INFO(list.dump(2));
    CHECK(list["as_of"] == date(t));
    CHECK(list["total"] == 6);  // X5 is disputed
    CHECK(list["open_invoices"] == 7);
    CHECK(list["truncated"] == false);
    REQUIRE(list["items"].size() == 6);
    for (std::size_t i = 1; i < list["items"].size(); ++i) {
      CHECK(list["items"][i - 1]["priority"].get<double>() >=
            list["items"][i]["priority"].get<double>());
    }
    // X1 is the largest and the most overdue; X3 (5,000 not yet due) outweighs X2 (2,000,
    // 10 days overdue); X6 and X7 differ by a day of ageing.
    CHECK(ids_of(list) == std::vector<std::string>{"X1", "X3", "X2", "X6", "X7", "X4"});
    CHECK(item_of(list, "X5") == nullptr);
    const json& x1 = list["items"][0];
    CHECK(x1["days_overdue"] == 50);
    CHECK(x1["outstanding"] == "9000.00");
    CHECK(x1["scored"] == true);
    CHECK(x1["p_late"].get<double>() > 0.5);
    CHECK(x1["expected_days_late"] == Approx(5.0));
    CHECK(x1["dunning_level"] == "second_notice");
    CHECK(x1["collector"] == "erin");
    CHECK(x1["due_date"] == date(t - 50));
    CHECK((*item_of(list, "X2"))["dunning_level"] == "first_notice");
    CHECK((*item_of(list, "X3"))["dunning_level"] == "");
    CHECK((*item_of(list, "X3"))["days_overdue"] == 0);

    // erin is the only collector: her list is everyone's.
    const json mine = worklist(d, "?collector=erin", "olga");
    CHECK(ids_of(mine) == ids_of(list));
    CHECK(mine["collector"] == "erin");
    const json limited = worklist(d, "?limit=2");
    CHECK(limited["items"].size() == 2);
    CHECK(limited["total"] == 6);
    CHECK(ids_of(limited) == std::vector<std::string>{"X1", "X3"});
    const json disputed = worklist(d, "?include_disputed=true");
    CHECK(disputed["total"] == 7);
    REQUIRE(item_of(disputed, "X5") != nullptr);
    CHECK((*item_of(disputed, "X5"))["disputed"] == true);
    CHECK((*item_of(disputed, "X5"))["priority"] == 0.0);
    CHECK(worklist(d, "?currency=USD")["total"] == 0);
    CHECK(worklist(d, "?currency=EUR")["total"] == 6);
    // Ageing follows as_of: a month later X3 is overdue too.
    const json later = worklist(d, "?as_of=" + date(t + 30));
    CHECK(later["as_of"] == date(t + 30));
    CHECK((*item_of(later, "X3"))["days_overdue"] == 10);
    CHECK((*item_of(later, "X1"))["days_overdue"] == 80);

    auto bad = [&](const std::string& query, const std::string& mentions) {
      const json problem =
          require_problem(d.request("GET", "/v1/collections/worklist" + query, "erin"), 400);
      CHECK_THAT(problem["detail"].get<std::string>(), Catch::Contains(mentions));
    };
    bad("?collector=nobody", "nobody");
    bad("?collector=fay", "collector role");  // an AR manager, not a collector
    bad("?as_of=2026-13-01", "as_of");
    bad("?as_of=yesterday", "as_of");
    bad("?as_of=2026-01-01T00:00:00Z", "as_of");
    bad("?as_of=" + date(t - 1), "today or later");  // the ledger holds today's state
    bad("?limit=0", "limit");
    bad("?limit=abc", "limit");
    require_problem(d.request("GET", "/v1/collections/worklist", ""), 401);
  }

  SECTION("the cash forecast: 13 weeks inside their band; bad weeks are 400s") {
    const json f = d.call("GET", "/v1/forecast/cash?weeks=13", "carol", 200);
    INFO(f.dump(2));
    CHECK(f["weeks"] == 13);
    CHECK(f["as_of"] == date(t));
    CHECK(f["band"] == "P10-P90");
    REQUIRE(f["currencies"].size() == 1);
    const json& eur = f["currencies"][0];
    CHECK(eur["currency"] == "EUR");
    CHECK(eur["open_ar_invoices"] == 7);
    CHECK(eur["ap_invoices"] == 0);
    REQUIRE(eur["weeks"].size() == 13);
    double inflow = 0;
    for (std::size_t k = 0; k < 13; ++k) {
      const json& w = eur["weeks"][k];
      INFO("week " << k << ": " << w.dump());
      CHECK(w["week_start"] == date(t + 7 * static_cast<int>(k)));
      CHECK(amount(w["inflow_p10"]) <= amount(w["inflow"]) + 1e-9);
      CHECK(amount(w["inflow"]) <= amount(w["inflow_p90"]) + 1e-9);
      CHECK(amount(w["inflow_p10"]) >= 0);
      CHECK(w["outflow"] == "0.00");
      CHECK(amount(w["net"]) == Approx(amount(w["inflow"])).margin(0.011));
      inflow += amount(w["inflow"]);
    }
    // Everything open arrives within the 13 weeks or beyond them.
    CHECK(inflow + amount(eur["beyond_horizon"]) == Approx(18400.0).margin(1.0));
    // The overdue invoices are expected in the first weeks: X1 and X2 (11,000) are
    // 50 and 10 days overdue, expected 5 days late.
    CHECK(amount(eur["weeks"][0]["inflow"]) > 5000);

    const json one = d.call("GET", "/v1/forecast/cash?weeks=1", "erin", 200);
    CHECK(one["currencies"][0]["weeks"].size() == 1);
    const json fifty_two =
        d.call("GET", "/v1/forecast/cash?weeks=52&as_of=" + date(t + 7), "erin", 200);
    CHECK(fifty_two["currencies"][0]["weeks"].size() == 52);
    CHECK(fifty_two["as_of"] == date(t + 7));
    require_problem(d.request("GET", "/v1/forecast/cash?as_of=" + date(t - 7), "erin"), 400);
    const json default_weeks = d.call("GET", "/v1/forecast/cash", "erin", 200);
    CHECK(default_weeks["weeks"] == 13);

    for (const char* q : {"?weeks=0", "?weeks=53", "?weeks=abc", "?weeks=", "?weeks=-1",
                          "?weeks=13&as_of=tomorrow"}) {
      INFO(q);
      require_problem(d.request("GET", std::string("/v1/forecast/cash") + q, "erin"), 400);
    }
  }

  SECTION("a promise to pay moves the invoice's promised date and lowers its priority") {
    const double before = (*item_of(worklist(d), "X3"))["priority"].get<double>();
    const std::string promised = date(t + 10);
    d.call("POST", "/v1/instances/" + instance["X3"] + "/signals/promise_to_pay", "erin", 200,
           {{"correlation", "X3"}, {"payload", {{"promised_date", promised}}}});
    const json view = until(d, instance["X3"], [](const json& v) {
      return v["data"].contains("promise") && v["data"]["promise"].is_object() &&
             v["data"]["promise"].contains("watch_until");
    });
    INFO(view.dump(2).substr(0, 4000));
    CHECK(view["data"]["promise"]["promised_date"] == promised);
    CHECK(view["status"] == "waiting");
    const json list = worklist(d);
    const json* x3 = item_of(list, "X3");
    REQUIRE(x3 != nullptr);
    CHECK((*x3)["promised_date"] == promised);
    CHECK((*x3)["priority"].get<double>() == Approx(before * 0.3).margin(0.02));

    // A promise for another invoice does not reach this instance.
    auto wrong =
        d.request("POST", "/v1/instances/" + instance["X4"] + "/signals/promise_to_pay", "erin",
                  json{{"correlation", "X3"}, {"payload", {{"promised_date", promised}}}}.dump());
    REQUIRE(wrong);
    CHECK(wrong->status != 200);
    CHECK((*item_of(worklist(d), "X4"))["promised_date"].is_null());
  }

  SECTION("cash application: applied, ambiguous (a task), and flagged") {
    const std::string received = date(t - 1) + "T09:00:00Z";
    const json report =
        post_records(d, "incoming_payments", "?start=ar_cash_application",
                     "payment_id,customer_id,amount,currency,received_at,reference\n"
                     "PB,CU2,300.00,EUR," +
                         received +
                         ",Invoice SI-9000202\n"  // X4 exactly
                         "PA,CU3,450.00,EUR," +
                         received +
                         ",thanks\n"  // X6 or X7?
                         "PC,,123.45,EUR," +
                         received + ",???\n");  // nobody's
    REQUIRE(report["workflows"]["started"] == 3);
    // The same bank file again starts nothing twice.
    const json again = post_records(d, "incoming_payments", "?start=ar_cash_application",
                                    "payment_id,customer_id,amount,currency,received_at,reference\n"
                                    "PB,CU2,300.00,EUR," +
                                        received + ",Invoice SI-9000202\n");
    CHECK(again["workflows"]["started"] == 0);
    CHECK(again["workflows"]["already_started"] == 1);

    // PB closes X4, whose dunning ends (cash application signals it).
    const json pb = settled(d, instance_of(d, "ar_cash_application", "PB"));
    INFO(pb.dump(2).substr(0, 4000));
    CHECK(pb["status"] == "succeeded");
    CHECK(pb["data"]["match"]["status"] == "matched");
    CHECK(pb["data"]["applied"]["closed"] == json::array({"X4"}));
    const json x4 =
        until(d, instance["X4"], [](const json& v) { return v["status"] != "waiting"; });
    INFO(x4.dump(2).substr(0, 4000));
    CHECK(x4["status"] == "succeeded");
    CHECK(x4["result"]["outcome"] == "paid");
    CHECK(item_of(worklist(d), "X4") == nullptr);
    CHECK(worklist(d)["total"] == 5);

    // PA fits X6 and X7 equally: a task for the cash appliers and AR managers.
    const std::string pa_id = instance_of(d, "ar_cash_application", "PA");
    const json pa = settled(d, pa_id);
    INFO(pa.dump(2).substr(0, 4000));
    CHECK(pa["status"] == "waiting");
    CHECK(pa["data"]["match"]["status"] == "ambiguous");
    CHECK(pa["data"]["match"]["suggestions"].size() >= 2);
    json task;
    for (const char* user : {"erin", "fay"}) {
      const json inbox = d.call("GET", "/v1/tasks?mine=true", user, 200);
      bool found = false;
      for (const auto& item : inbox["items"]) {
        if (item["instance_id"] == pa_id) {
          found = true;
          task = item;
        }
      }
      INFO(user << ": " << inbox.dump(2).substr(0, 4000));
      CHECK(found);
    }
    REQUIRE(task.is_object());
    CHECK(task["state"] == "review");
    CHECK(task["workflow"] == "ar_cash_application");
    CHECK(task["candidate_roles"] == json::array({"cash_applier", "ar_manager"}));
    CHECK_THAT(task["title"].get<std::string>(), Catch::Contains("PA"));
    // A collector without the role does not see it... (carol is a finance director)
    const json carol = d.call("GET", "/v1/tasks?mine=true", "carol", 200);
    for (const auto& item : carol["items"]) CHECK(item["instance_id"] != pa_id);
    // Approving applies the first suggestion.
    d.call("POST", "/v1/tasks/" + task["id"].get<std::string>() + "/complete", "fay", 200,
           {{"outcome", "approved"}});
    const json pa_done = settled(d, pa_id);
    INFO(pa_done.dump(2).substr(0, 4000));
    CHECK(pa_done["status"] == "succeeded");
    REQUIRE(pa_done["data"]["applied"]["closed"].size() == 1);
    const std::string closed = pa_done["data"]["applied"]["closed"][0];
    CHECK((closed == "X6" || closed == "X7"));
    CHECK(item_of(worklist(d), closed) == nullptr);

    // PC has no customer and names nothing: left unapplied and flagged.
    const json pc = settled(d, instance_of(d, "ar_cash_application", "PC"));
    INFO(pc.dump(2).substr(0, 4000));
    CHECK(pc["status"] == "succeeded");
    CHECK(pc["result"]["outcome"] == "unapplied");
    CHECK(pc["data"]["match"]["flags"].dump().find("unknown_payer") != std::string::npos);
    CHECK(worklist(d)["total"] == 4);

    // Bad input: a zero payment and one in another currency than the invoice it names are
    // never applied; a negative amount is refused at import.
    const json bad = post_records(d, "incoming_payments", "?start=ar_cash_application",
                                  "payment_id,customer_id,amount,currency,received_at,reference\n"
                                  "PZ,CU1,0.00,EUR," +
                                      received +
                                      ",SI-9000101\n"
                                      "PU,CU1,2000.00,USD," +
                                      received + ",SI-9000102\n");
    REQUIRE(bad["workflows"]["started"] == 2);
    const json pz = settled(d, instance_of(d, "ar_cash_application", "PZ"));
    INFO(pz.dump(2).substr(0, 4000));
    CHECK(pz["status"] == "succeeded");
    CHECK(pz["result"]["outcome"] == "unapplied");
    CHECK(pz["data"]["match"]["flags"].dump().find("invalid_amount") != std::string::npos);
    const json pu = settled(d, instance_of(d, "ar_cash_application", "PU"));
    INFO(pu.dump(2).substr(0, 4000));
    CHECK(pu["data"]["match"]["status"] != "matched");
    CHECK(pu["data"]["match"]["flags"].dump().find("currency_mismatch") != std::string::npos);
    CHECK_FALSE(pu["data"].contains("applied"));
    // The cash that is not applied is listed, newest first, with why.
    const json unapplied = d.call("GET", "/v1/collections/payments", "fay", 200);
    INFO(unapplied.dump(2).substr(0, 4000));
    std::set<std::string> listed;
    for (const auto& p : unapplied["items"]) listed.insert(p["payment_id"].get<std::string>());
    CHECK(listed.count("PC") == 1);
    CHECK(listed.count("PZ") == 1);
    CHECK(listed.count("PB") == 0);  // applied in full
    for (const auto& p : unapplied["items"]) {
      if (p["payment_id"] == "PC") {
        CHECK(p["status"] == "unapplied");
        CHECK(p["amount"] == "123.45");
        CHECK(p["unapplied"] == "123.45");
        CHECK(p["reference"] == "???");
        CHECK(p["flags"].dump().find("unknown_payer") != std::string::npos);
      }
    }
    const json one = d.call("GET", "/v1/collections/payments?limit=1", "fay", 200);
    REQUIRE(one["items"].size() == 1);
    REQUIRE(one["next_cursor"].is_string());
    const json next = d.call(
        "GET", "/v1/collections/payments?limit=1&cursor=" + one["next_cursor"].get<std::string>(),
        "fay", 200);
    REQUIRE(next["items"].size() == 1);
    CHECK(next["items"][0]["payment_id"] != one["items"][0]["payment_id"]);
    require_problem(d.request("GET", "/v1/collections/payments?status=lost", "fay"), 400);
    require_problem(d.request("GET", "/v1/collections/payments?cursor=abc", "fay"), 400);
    const json still = worklist(d);
    CHECK(item_of(still, "X1") != nullptr);
    CHECK(item_of(still, "X2") != nullptr);
    auto negative =
        d.request("POST", "/v1/records/incoming_payments?start=ar_cash_application", "erp",
                  "payment_id,customer_id,amount,currency,received_at,reference\n"
                  "PN,CU1,-5.00,EUR," +
                      received + ",SI-9000101\n",
                  kCsv);
    REQUIRE(negative);
    INFO(negative->body);
    CHECK(negative->status == 422);
    CHECK(negative->body.find("negative") != std::string::npos);
    CHECK(d.call("GET", "/v1/instances?workflow=ar_cash_application&business_key=PN", "olga",
                 200)["items"]
              .empty());

    // A short payment within tolerance closes X2 (bank charges for the rest) and ends its
    // dunning like a full one.
    const json short_paid =
        post_records(d, "incoming_payments", "?start=ar_cash_application",
                     "payment_id,customer_id,amount,currency,received_at,reference\n"
                     "PS,CU1,1990.00,EUR," +
                         received + ",SI-9000102 less charges\n");
    REQUIRE(short_paid["workflows"]["started"] == 1);
    const json ps = settled(d, instance_of(d, "ar_cash_application", "PS"));
    INFO(ps.dump(2).substr(0, 4000));
    CHECK(ps["status"] == "succeeded");
    CHECK(ps["data"]["applied"]["bank_charges"] == "10.00");
    CHECK(ps["data"]["applied"]["closed"] == json::array({"X2"}));
    const json x2 =
        until(d, instance["X2"], [](const json& v) { return v["status"] != "waiting"; });
    INFO(x2.dump(2).substr(0, 4000));
    CHECK(x2["status"] == "succeeded");
    CHECK(x2["result"]["outcome"] == "paid");
    CHECK(item_of(worklist(d), "X2") == nullptr);
  }
}
