#include "plugins/finance/ar_actions.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "engine/expr/timestamp.h"
#include "plugins/finance/action_args.h"
#include "plugins/finance/cash_matcher.h"
#include "plugins/finance/records/decimal.h"
#include "plugins/finance/records/duplicate_rules.h"

namespace ledgerflow::finance {
namespace {

using rt::ActionResult;

constexpr std::size_t kMaxCustomerOpen = 200;  // a payer's open invoices considered
constexpr std::size_t kMaxByNumber = 20;       // invoices per reference key
constexpr std::size_t kMaxByAmount = 50;       // open invoices with the payment's amount
constexpr int kDunningHourUtc = 8;             // notices go out at 08:00 UTC

nlohmann::json opt_number(bool present, double value) {
  return present ? nlohmann::json(value) : nlohmann::json(nullptr);
}

std::string timestamp_at(int day, int hour) {
  return expr::format_timestamp(static_cast<std::int64_t>(day) * expr::kMicrosPerDay +
                                static_cast<std::int64_t>(hour) * 3'600'000'000LL);
}

nlohmann::json state_json(const records::ArInvoiceState& s) {
  return {{"invoice_id", s.invoice_id},
          {"customer_id", s.customer_id},
          {"invoice_number", s.invoice_number},
          {"currency", s.currency},
          {"status", s.status},
          {"amount", records::format_e4(s.amount_e4)},
          {"outstanding", records::format_e4(s.outstanding_e4())},
          {"due_date", expr::format_date(s.due_day)},
          {"dunning_level", s.dunning_level},
          {"promised_date",
           s.promised_day ? nlohmann::json(expr::format_date(*s.promised_day)) : nullptr},
          {"disputed", s.in_dispute()}};
}

records::ArInvoiceState invoice_or_throw(records::ArLedger& ledger, const std::string& id) {
  auto s = must(ledger.ar_invoice(id));
  if (!s) throw Error{ErrorCode::not_found, "no AR invoice " + id};
  return *s;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out.append(out.empty() ? "" : ",").append(i);
  return out;
}

std::vector<std::string> flags_arg(const nlohmann::json& args) {
  std::vector<std::string> out;
  auto it = args.find("flags");
  if (it == args.end() || it->is_null()) return out;
  if (!it->is_array()) throw BadArgument{"argument 'flags' must be a list of strings"};
  for (const auto& f : *it) {
    if (!f.is_string()) throw BadArgument{"argument 'flags' must be a list of strings"};
    out.push_back(f.get<std::string>());
  }
  return out;
}

}  // namespace

std::span<const ArActionRunner::Entry> ArActionRunner::actions() {
  using R = const rt::ActionRequest&;
  using S = ArActionRunner&;
  static const Entry kActions[] = {
      {"ar.customer_history", [](S s, R r) { return s.customer_history(r); }},
      {"ar.track_invoice", [](S s, R r) { return s.track_invoice(r); }},
      {"ar.dunning_next", [](S s, R r) { return s.dunning_next(r); }},
      {"ar.record_dunning", [](S s, R r) { return s.record_dunning(r); }},
      {"ar.record_promise", [](S s, R r) { return s.record_promise(r); }},
      {"ar.promise_broken", [](S s, R r) { return s.promise_broken(r); }},
      {"ar.record_dispute", [](S s, R r) { return s.record_dispute(r); }},
      {"ar.resolve_dispute", [](S s, R r) { return s.resolve_dispute(r); }},
      {"ar.issue_credit_note", [](S s, R r) { return s.close_invoice(r, "credit_note"); }},
      {"ar.write_off", [](S s, R r) { return s.close_invoice(r, "write_off"); }},
      {"ar.place_credit_hold", [](S s, R r) { return s.credit_hold(r, true); }},
      {"ar.release_credit_hold", [](S s, R r) { return s.credit_hold(r, false); }},
      {"ar.match_payment", [](S s, R r) { return s.match_payment(r); }},
      {"ar.apply_payment", [](S s, R r) { return s.apply_payment(r); }},
      {"ar.leave_unapplied", [](S s, R r) { return s.leave_unapplied(r); }},
      {"o2c.credit_exposure", [](S s, R r) { return s.credit_exposure(r); }},
      {"o2c.release_order", [](S s, R r) { return s.order_decision(r, "released"); }},
      {"o2c.block_order", [](S s, R r) { return s.order_decision(r, "blocked"); }},
      {"o2c.update_credit_limit", [](S s, R r) { return s.update_credit_limit(r); }},
  };
  return kActions;
}

Result<void> ArActionRunner::install(const std::shared_ptr<ArActionRunner>& runner,
                                     rt::ActionTable& table) {
  for (const Entry& e : actions()) {
    Perform perform = e.perform;
    auto added = table.add(e.name, [runner, perform](const rt::ActionRequest& request) {
      return runner->call(perform, request);
    });
    if (!added) return added;
  }
  return {};
}

ActionResult ArActionRunner::run(const rt::ActionRequest& r) {
  for (const Entry& e : actions()) {
    if (r.action == e.name) return call(e.perform, r);
  }
  return ActionResult::failure("action_error", "unknown AR/O2C action " + r.action);
}

ActionResult ArActionRunner::call(Perform perform, const rt::ActionRequest& r) {
  try {
    return perform(*this, r);
  } catch (const BadArgument& e) {
    return ActionResult::failure("action_error", r.action + ": " + e.message);
  } catch (const Error& e) {
    return ActionResult::failure(e.code == ErrorCode::conflict ? "conflict" : "action_error",
                                 r.action + ": " + e.message);
  } catch (const std::exception& e) {
    return ActionResult::failure("action_error", r.action + ": " + e.what());
  }
}

int ArActionRunner::today() const {
  return expr::day_of(clock_.now_us());
}

ActionResult ArActionRunner::customer_history(const rt::ActionRequest& r) {
  const std::string customer = text_field(r.args, "customer_id", "with");
  const int day = day_of(text_field(r.args, "as_of", "with"), "with.as_of");
  const int lookback = static_cast<int>(number_arg(r.args, "lookback_days", 365, 1, 3650));
  const auto h = must(ledger_.customer_history(customer, day, lookback));
  const bool settled = h.settled_count > 0;
  return ActionResult::success({
      {"as_of", expr::format_date(day)},
      {"settled_count", h.settled_count},
      {"avg_days_late", opt_number(settled, h.avg_days_late)},
      {"late_ratio", opt_number(settled, h.late_ratio)},
      {"sd_days_late", opt_number(h.settled_count > 1, h.sd_days_late)},
      {"recent_days_late", opt_number(h.recent_count > 0, h.recent_days_late)},
      {"open_count", h.open_count},
      {"open_amount", records::format_e4(h.open_e4)},
      {"overdue_amount", records::format_e4(h.overdue_e4)},
      {"overdue_30_count", h.overdue_30_count},
      {"disputed_open_count", h.disputed_open_count},
      {"disputes", h.disputes},
      {"issued_count", h.issued_count},
      // A statistic for features (not posted): a number. Open and overdue sums are money.
      {"mean_amount", opt_number(h.issued_count > 0, records::e4_to_double(h.issued_mean_e4))},
      {"on_credit_hold", h.on_credit_hold},
  });
}

ActionResult ArActionRunner::track_invoice(const rt::ActionRequest& r) {
  const std::string id = text_field(r.args, "invoice_id", "with");
  const double p = number_arg(r.args, "p_late", 0.5, 0, 1);
  const double days = number_arg(r.args, "expected_days_late", 0, -3650, 3650);
  const double sd = number_arg(r.args, "sd_days_late", 10, 0, 3650);
  must(ledger_.record_risk(id, p, days, std::max(1.0, sd), optional_text(r.args, "model_version"),
                           clock_.now_us()));
  return ActionResult::success({{"invoice_id", id}, {"p_late", p}, {"expected_days_late", days}});
}

ActionResult ArActionRunner::dunning_next(const rt::ActionRequest& r) {
  const std::string id = text_field(r.args, "invoice_id", "with");
  auto stages = r.args.find("stages");
  if (stages == r.args.end() || !stages->is_array() || stages->empty() || stages->size() > 20) {
    throw BadArgument{"argument 'stages' must be a list of 1..20 {level, days, action}"};
  }
  const auto s = invoice_or_throw(ledger_, id);
  nlohmann::json out = state_json(s);
  if (!s.open()) {
    out["level"] = "closed";
    return ActionResult::success(out);
  }
  // The stage after the last one done (none done: the first).
  std::size_t next = 0;
  for (std::size_t i = 0; i < stages->size(); ++i) {
    const auto& st = (*stages)[i];
    if (!st.is_object()) throw BadArgument{"stages[" + std::to_string(i) + "] must be an object"};
    const std::string level = text_field(st, "level", "stages[]");
    if (level == s.dunning_level) next = i + 1;
  }
  if (next >= stages->size()) {
    out["level"] = "done";
    return ActionResult::success(out);
  }
  const auto& st = (*stages)[next];
  auto days = st.find("days");
  if (days == st.end() || !days->is_number_integer()) {
    throw BadArgument{"stages[" + std::to_string(next) + "].days must be an integer"};
  }
  out["level"] = st["level"];
  out["action"] = optional_text(st, "action").empty() ? "notice" : optional_text(st, "action");
  out["days"] = *days;
  out["at"] = timestamp_at(s.due_day + days->get<int>(), kDunningHourUtc);
  out["days_overdue"] = std::max(0, today() - s.due_day);
  return ActionResult::success(out);
}

ActionResult ArActionRunner::record_dunning(const rt::ActionRequest& r) {
  const std::string id = text_field(r.args, "invoice_id", "with");
  const std::string level = text_field(r.args, "level", "with");
  must(ledger_.record_dunning(id, level, clock_.now_us()));
  return ActionResult::success({{"invoice_id", id}, {"level", level}});
}

ActionResult ArActionRunner::record_promise(const rt::ActionRequest& r) {
  const std::string id = text_field(r.args, "invoice_id", "with");
  const int day = day_of(text_field(r.args, "promised_date", "with"), "with.promised_date");
  const int max_days = static_cast<int>(number_arg(r.args, "max_days", 60, 0, 365));
  const int grace = static_cast<int>(number_arg(r.args, "grace_days", 3, 0, 60));
  const int now = today();
  if (day < now || day > now + max_days) {
    throw BadArgument{"promised_date " + expr::format_date(day) + " must be between today (" +
                      expr::format_date(now) + ") and " + std::to_string(max_days) +
                      " days from now"};
  }
  const auto s = invoice_or_throw(ledger_, id);
  if (!s.open()) throw Error{ErrorCode::conflict, "AR invoice " + id + " is " + s.status};
  must(ledger_.set_promise(id, day, clock_.now_us()));
  return ActionResult::success({{"invoice_id", id},
                                {"promised_date", expr::format_date(day)},
                                {"watch_until", timestamp_at(day + grace + 1, 0)}});
}

ActionResult ArActionRunner::promise_broken(const rt::ActionRequest& r) {
  const std::string id = text_field(r.args, "invoice_id", "with");
  must(ledger_.set_promise(id, std::nullopt, clock_.now_us()));
  return ActionResult::success(state_json(invoice_or_throw(ledger_, id)));
}

ActionResult ArActionRunner::record_dispute(const rt::ActionRequest& r) {
  const std::string id = text_field(r.args, "invoice_id", "with");
  must(ledger_.record_dispute(id, today(), clock_.now_us()));
  return ActionResult::success(state_json(invoice_or_throw(ledger_, id)));
}

ActionResult ArActionRunner::resolve_dispute(const rt::ActionRequest& r) {
  const std::string id = text_field(r.args, "invoice_id", "with");
  must(ledger_.resolve_dispute(id, today(), clock_.now_us()));
  return ActionResult::success(state_json(invoice_or_throw(ledger_, id)));
}

ActionResult ArActionRunner::close_invoice(const rt::ActionRequest& r, const std::string& kind) {
  const std::string id = text_field(r.args, "invoice_id", "with");
  auto result = must(ledger_.close_invoice(
      id, kind, today(),
      optional_text(r.args, "by").empty() ? "system" : optional_text(r.args, "by"), r.instance_id,
      clock_.now_us()));
  std::int64_t closed = 0;
  for (const auto& i : result.invoices) closed += i.applied_e4;
  return ActionResult::success({{"invoice_id", id},
                                {"kind", kind},
                                {"amount", records::format_e4(closed)},
                                {"already_done", result.already_applied}});
}

ActionResult ArActionRunner::credit_hold(const rt::ActionRequest& r, bool place) {
  const std::string customer = text_field(r.args, "customer_id", "with");
  const std::string invoice = optional_text(r.args, "invoice_id");
  const std::string by =
      optional_text(r.args, "by").empty() ? "system" : optional_text(r.args, "by");
  if (place) {
    if (invoice.empty()) throw BadArgument{"with.invoice_id must be a non-empty string"};
    must(ledger_.place_credit_hold(customer, invoice, by, clock_.now_us()));
    return ActionResult::success({{"customer_id", customer}, {"on_hold", true}});
  }
  const std::size_t released =
      must(ledger_.release_credit_holds(customer, invoice, by, clock_.now_us()));
  const auto h = must(ledger_.customer_history(customer, today() + 1, 1));
  return ActionResult::success(
      {{"customer_id", customer}, {"released", released}, {"on_hold", h.on_credit_hold}});
}

ActionResult ArActionRunner::match_payment(const rt::ActionRequest& r) {
  const auto& payment = object_arg(r.args, "payment");
  PaymentToMatch p;
  p.payment_id = text_field(payment, "payment_id", "payment");
  p.customer_id = optional_text(payment, "customer_id");
  p.currency = text_field(payment, "currency", "payment");
  p.reference = optional_text(payment, "reference");
  p.amount_e4 = e4_field(payment, "amount", "payment");
  p.received_day = day_of(text_field(payment, "received_at", "payment"), "payment.received_at");
  MatchPolicy policy;
  if (auto it = r.args.find("policy"); it != r.args.end() && it->is_object()) {
    if (it->contains("short_tolerance")) {
      policy.short_tolerance_e4 = e4_field(*it, "short_tolerance", "policy");
    }
    policy.short_tolerance_pct = number_arg(*it, "short_tolerance_pct", 1.0, 0, 100);
    policy.auto_apply_min = number_arg(*it, "auto_apply_min", 0.9, 0, 1);
  }

  // Candidates: what the reference names, the payer's open invoices, and open invoices
  // with exactly this amount (a payer without a customer id and without a usable number).
  std::vector<OpenInvoice> candidates;
  std::set<std::string> seen;
  bool truncated = false;
  auto add = [&](const std::vector<records::ArInvoiceState>& rows, std::size_t limit) {
    truncated = truncated || rows.size() >= limit;
    for (const auto& s : rows) {
      if (!s.open() || !seen.insert(s.invoice_id).second) continue;
      candidates.push_back({s.invoice_id, s.customer_id, s.invoice_number, s.currency,
                            s.invoice_day, s.due_day, s.outstanding_e4()});
    }
  };
  std::vector<std::string> closed_named;  // referenced invoices that are no longer open
  for (const auto& key : reference_keys(p.reference)) {
    auto rows = must(ledger_.ar_by_number_key(key, kMaxByNumber));
    for (const auto& s : rows) {
      if (!s.open()) closed_named.push_back(s.invoice_id);
    }
    add(rows, kMaxByNumber);
  }
  if (!p.customer_id.empty()) {
    add(must(ledger_.open_ar_of_customer(p.customer_id, kMaxCustomerOpen)), kMaxCustomerOpen);
  }
  add(must(ledger_.open_ar_by_outstanding(p.amount_e4, kMaxByAmount)), kMaxByAmount);
  // The inferred payer's other open invoices (sums, typos in a number).
  if (p.customer_id.empty()) {
    std::set<std::string> payers;
    for (const auto& c : candidates) payers.insert(c.customer_id);
    if (payers.size() == 1) {
      add(must(ledger_.open_ar_of_customer(*payers.begin(), kMaxCustomerOpen)), kMaxCustomerOpen);
    }
  }

  const MatchResult m = finance::match_payment(p, candidates, policy);
  std::map<std::string, const OpenInvoice*> by_id;
  for (const auto& c : candidates) by_id[c.invoice_id] = &c;
  nlohmann::json suggestions = nlohmann::json::array();
  for (const auto& s : m.suggestions) {
    nlohmann::json allocations = nlohmann::json::array();
    for (const auto& a : s.allocations) {
      const OpenInvoice* inv = by_id.count(a.invoice_id) ? by_id[a.invoice_id] : nullptr;
      allocations.push_back({{"invoice_id", a.invoice_id},
                             {"invoice_number", inv ? inv->invoice_number : ""},
                             {"customer_id", inv ? inv->customer_id : ""},
                             {"amount", records::format_e4(a.amount_e4)}});
    }
    suggestions.push_back({{"allocations", allocations},
                           {"short_amount", records::format_e4(s.short_e4)},
                           {"confidence", s.confidence},
                           {"reason", s.reason}});
  }
  std::vector<std::string> flags = m.flags;
  if (!closed_named.empty()) flags.push_back("reference_names_closed_invoice");
  if (truncated) flags.push_back("candidates_truncated");
  return ActionResult::success({{"payment_id", p.payment_id},
                                {"status", std::string(to_string(m.status))},
                                {"customer_id", m.customer_id},
                                {"suggestions", suggestions},
                                {"flags", flags},
                                {"unapplied", records::format_e4(m.unapplied_e4)},
                                {"short_amount", records::format_e4(m.short_e4)},
                                {"candidates", candidates.size()}});
}

ActionResult ArActionRunner::apply_payment(const rt::ActionRequest& r) {
  const auto& payment = object_arg(r.args, "payment");
  records::PaymentApplication a;
  a.payment_id = text_field(payment, "payment_id", "payment");
  a.customer_id = optional_text(r.args, "customer_id");
  if (a.customer_id.empty()) a.customer_id = optional_text(payment, "customer_id");
  a.applied_day = day_of(text_field(payment, "received_at", "payment"), "payment.received_at");
  const std::int64_t amount = e4_field(payment, "amount", "payment");
  a.now_us = clock_.now_us();
  a.by = optional_text(r.args, "by").empty() ? "system" : optional_text(r.args, "by");
  a.instance_id = r.instance_id;
  a.flags = joined(flags_arg(r.args));
  auto allocations = r.args.find("allocations");
  if (allocations == r.args.end() || !allocations->is_array() || allocations->empty() ||
      allocations->size() > 100) {
    throw BadArgument{"argument 'allocations' must be a list of 1..100 {invoice_id, amount}"};
  }
  std::int64_t cash = 0;
  for (const auto& item : *allocations) {
    if (!item.is_object()) throw BadArgument{"allocations[] must be objects"};
    records::Allocation al{text_field(item, "invoice_id", "allocations[]"),
                           e4_field(item, "amount", "allocations[]"), "cash"};
    if (al.amount_e4 <= 0) {
      throw BadArgument{"allocations[].amount must be positive (invoice " + al.invoice_id + ")"};
    }
    cash += al.amount_e4;
    a.allocations.push_back(std::move(al));
  }
  // A short payment within tolerance: the allocations name what each invoice had open;
  // the shortfall is booked as bank charges on the last one.
  std::int64_t short_e4 = 0;
  if (auto it = r.args.find("short_amount"); it != r.args.end() && !it->is_null()) {
    short_e4 = e4_field(r.args, "short_amount", "with");
  }
  if (short_e4 < 0 || short_e4 >= cash) {
    throw BadArgument{"short_amount " + records::format_e4(short_e4) +
                      " must be at least 0 and less than the allocations' total " +
                      records::format_e4(cash)};
  }
  if (cash - short_e4 > amount) {
    throw BadArgument{"allocations total " + records::format_e4(cash) + " less short_amount " +
                      records::format_e4(short_e4) + " exceeds the payment's " +
                      records::format_e4(amount) + " (payment " + a.payment_id + ")"};
  }
  // The shortfall is booked as bank charges on the invoices, largest first (an invoice
  // smaller than the charges takes what it can).
  if (short_e4 > 0) {
    std::vector<std::size_t> order(a.allocations.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
      return a.allocations[x].amount_e4 > a.allocations[y].amount_e4;
    });
    std::int64_t left = short_e4;
    std::vector<records::Allocation> charges;
    for (std::size_t i : order) {
      if (left == 0) break;
      auto& cash_part = a.allocations[i];
      // Keep at least 0.0001 of cash on an invoice: the charges ride on a payment.
      const std::int64_t take = std::min(left, cash_part.amount_e4 - 1);
      if (take <= 0) continue;
      cash_part.amount_e4 -= take;
      charges.push_back({cash_part.invoice_id, take, "bank_charges"});
      left -= take;
    }
    if (left > 0) {
      throw BadArgument{"short_amount " + records::format_e4(short_e4) +
                        " is more than the allocations can carry (" + records::format_e4(cash) +
                        ")"};
    }
    a.allocations.insert(a.allocations.end(), charges.begin(), charges.end());
  }
  a.unapplied_e4 = amount - (cash - short_e4);
  a.status = "applied";
  auto result = must(ledger_.apply(a));
  nlohmann::json closed = nlohmann::json::array();
  nlohmann::json invoices = nlohmann::json::array();
  // One entry per invoice: a short payment reports its cash and then its bank charges on
  // the same invoice; what is left is after the last, and it is closed if either closed it.
  std::vector<records::AppliedInvoice> per_invoice;
  for (const auto& i : result.invoices) {
    auto seen = std::find_if(
        per_invoice.begin(), per_invoice.end(),
        [&](const records::AppliedInvoice& p) { return p.invoice_id == i.invoice_id; });
    if (seen == per_invoice.end()) {
      per_invoice.push_back(i);
      continue;
    }
    seen->outstanding_e4 = i.outstanding_e4;
    seen->closed = seen->closed || i.closed;
  }
  for (const auto& i : per_invoice) {
    invoices.push_back({{"invoice_id", i.invoice_id},
                        {"outstanding", records::format_e4(i.outstanding_e4)},
                        {"closed", i.closed || i.outstanding_e4 == 0}});
    if (i.closed || i.outstanding_e4 == 0) closed.push_back(i.invoice_id);
  }
  auto out = ActionResult::success({{"payment_id", a.payment_id},
                                    {"applied", records::format_e4(cash - short_e4)},
                                    {"bank_charges", records::format_e4(short_e4)},
                                    {"unapplied", records::format_e4(a.unapplied_e4)},
                                    {"invoices", invoices},
                                    {"closed", closed},
                                    {"already_applied", result.already_applied}});
  for (const auto& id : closed) {
    out.signals.push_back(
        paid_signal(id.get<std::string>(), {{"payment_id", a.payment_id},
                                            {"received_at", payment.value("received_at", "")},
                                            {"instance_id", r.instance_id}}));
  }
  return out;
}

rt::SignalRequest ArActionRunner::paid_signal(const std::string& invoice_id,
                                              const nlohmann::json& payload) {
  // The engine delivers it after this result commits. Best effort: an invoice no
  // ar_collections instance collects drops it, and an instance not waiting for it (in a
  // task, or finished) finds the invoice paid at its next dunning step, which reads the
  // ledger.
  rt::SignalRequest s;
  s.workflow = "ar_collections";
  s.business_key = invoice_id;
  s.name = "payment_received";
  s.correlation = invoice_id;
  s.payload = payload;
  return s;
}

ActionResult ArActionRunner::leave_unapplied(const rt::ActionRequest& r) {
  const auto& payment = object_arg(r.args, "payment");
  records::PaymentApplication d;
  d.payment_id = text_field(payment, "payment_id", "payment");
  d.customer_id = optional_text(r.args, "customer_id");
  if (d.customer_id.empty()) d.customer_id = optional_text(payment, "customer_id");
  d.status = text_field(r.args, "status", "with");
  if (d.status != "review" && d.status != "unapplied") {
    throw BadArgument{"with.status must be review or unapplied"};
  }
  d.unapplied_e4 = e4_field(payment, "amount", "payment");
  d.flags = joined(flags_arg(r.args));
  d.instance_id = r.instance_id;
  d.now_us = clock_.now_us();
  must(ledger_.set_payment_state(d));
  return ActionResult::success({{"payment_id", d.payment_id},
                                {"status", d.status},
                                {"unapplied", records::format_e4(d.unapplied_e4)}});
}

ActionResult ArActionRunner::credit_exposure(const rt::ActionRequest& r) {
  const auto& order = object_arg(r.args, "order");
  const auto& customer = object_arg(r.args, "customer");
  const std::string order_id = text_field(order, "order_id", "order");
  const std::string customer_id = text_field(order, "customer_id", "order");
  if (text_field(customer, "customer_id", "customer") != customer_id) {
    throw BadArgument{"customer.customer_id must be the order's customer " + customer_id};
  }
  const int day = day_of(text_field(order, "order_date", "order"), "order.order_date");
  const int lookback = static_cast<int>(number_arg(r.args, "lookback_days", 365, 1, 3650));
  const std::int64_t amount = e4_field(order, "amount", "order");
  const std::int64_t limit = e4_field(customer, "credit_limit", "customer");
  // The order's arrival: open orders are those that arrived before it.
  const auto* type = records::find_record_type("orders");
  auto stored = must(records_.get(*type, {order_id}));
  const std::int64_t seq = stored ? stored->seq : std::numeric_limits<std::int64_t>::max();
  const auto h = must(ledger_.customer_history(customer_id, day, lookback));
  const auto orders = must(ledger_.open_orders(customer_id, seq, day, lookback));
  const std::int64_t total = h.open_e4 + orders.amount_e4 + amount;
  const double utilisation =
      limit > 0 ? static_cast<double>(total) / static_cast<double>(limit) : 10.0;
  return ActionResult::success({
      {"open_ar", records::format_e4(h.open_e4)},
      {"open_ar_count", h.open_count},
      {"open_orders", records::format_e4(orders.amount_e4)},
      {"open_order_count", orders.count},
      {"this_order", records::format_e4(amount)},
      {"total", records::format_e4(total)},
      {"credit_limit", records::format_e4(limit)},
      {"within_limit", limit > 0 && total <= limit},
      {"utilisation", utilisation},
      {"overdue_ar_amount", records::format_e4(h.overdue_e4)},
      {"overdue_invoice_count", h.overdue_30_count},
      {"disputed_invoice_count", h.disputed_open_count},
      {"on_credit_hold", h.on_credit_hold},
      {"late_ratio", opt_number(h.settled_count > 0, h.late_ratio)},
  });
}

ActionResult ArActionRunner::order_decision(const rt::ActionRequest& r, const std::string& status) {
  const std::string order_id = text_field(r.args, "order_id", "with");
  const auto* type = records::find_record_type("orders");
  if (!must(records_.get(*type, {order_id}))) {
    throw Error{ErrorCode::not_found, "no order " + order_id};
  }
  const std::string by =
      optional_text(r.args, "by").empty() ? "system" : optional_text(r.args, "by");
  must(ledger_.record_order_decision(order_id, status, by, r.instance_id,
                                     optional_text(r.args, "reason"), clock_.now_us()));
  return ActionResult::success({{"order_id", order_id}, {"status", status}, {"by", by}});
}

ActionResult ArActionRunner::update_credit_limit(const rt::ActionRequest& r) {
  const std::string customer = text_field(r.args, "customer_id", "with");
  const std::int64_t limit = e4_field(r.args, "new_limit", "with");
  const std::string by = text_field(r.args, "approved_by", "with");
  const auto change = must(ledger_.update_credit_limit(
      customer, limit, by, optional_text(r.args, "reason"), r.instance_id, clock_.now_us()));
  return ActionResult::success({{"customer_id", customer},
                                {"old_limit", records::format_e4(change.old_limit_e4)},
                                {"new_limit", records::format_e4(change.new_limit_e4)},
                                {"approved_by", by}});
}

}  // namespace ledgerflow::finance
