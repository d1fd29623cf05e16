#include "plugins/finance/finance_actions.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "engine/expr/timestamp.h"
#include "plugins/finance/action_args.h"
#include "plugins/finance/records/decimal.h"
#include "plugins/finance/records/duplicate_rules.h"
#include "plugins/finance/records/iso_codes.h"
#include "plugins/finance/three_way_match.h"

namespace ledgerflow::finance {
namespace {

using rt::ActionResult;

constexpr std::size_t kMaxLookup = 5000;    // rows per index lookup (flagged when hit)
constexpr std::size_t kMaxCandidates = 20;  // candidates returned (all are counted)
constexpr std::size_t kMaxSharedVendors = 50;

const records::RecordType& type_of(std::string_view name) {
  return *records::find_record_type(name);
}

// Attempt-independent: a retried step posts (or finds) the same entry.
std::string posting_key(const rt::ActionRequest& r) {
  return r.instance_id + "/" + r.state;
}

// An absolute tolerance (an amount or a quantity) in e4: a decimal string or a JSON
// number with at most four decimals; negative ones are refused.
std::int64_t tolerance_e4(const nlohmann::json& tolerances, const char* name,
                          std::int64_t fallback) {
  if (!tolerances.contains(name)) return fallback;
  const std::int64_t v = e4_field(tolerances, name, "tolerances");
  if (v < 0) throw BadArgument{std::string("tolerances.") + name + " must not be negative"};
  return v;
}

}  // namespace

std::span<const FinanceActionRunner::Entry> FinanceActionRunner::actions() {
  using R = const rt::ActionRequest&;
  static const Entry kActions[] = {
      {"ap.duplicate_candidates",
       [](FinanceActionRunner& s, R r) { return s.duplicate_candidates(r); }},
      {"ap.three_way_match", [](FinanceActionRunner& s, R r) { return s.match(r); }},
      {"ledger.post", [](FinanceActionRunner& s, R r) { return s.post_invoice(r); }},
      {"ap.vendor_payment_history",
       [](FinanceActionRunner& s, R r) { return s.payment_history(r); }},
      {"treasury.release_payment",
       [](FinanceActionRunner& s, R r) { return s.release_payment(r); }},
  };
  return kActions;
}

Result<void> FinanceActionRunner::install(const std::shared_ptr<FinanceActionRunner>& runner,
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

ActionResult FinanceActionRunner::run(const rt::ActionRequest& request) {
  for (const Entry& e : actions()) {
    if (request.action == e.name) return call(e.perform, request);
  }
  return ActionResult::failure("action_error", "unknown finance action " + request.action);
}

ActionResult FinanceActionRunner::call(Perform perform, const rt::ActionRequest& request) {
  try {
    return perform(*this, request);
  } catch (const BadArgument& e) {
    return ActionResult::failure("action_error", request.action + ": " + e.message);
  } catch (const Error& e) {
    return ActionResult::failure(e.code == ErrorCode::conflict ? "conflict" : "action_error",
                                 request.action + ": " + e.message);
  } catch (const std::exception& e) {
    return ActionResult::failure("action_error", request.action + ": " + e.what());
  }
}

ActionResult FinanceActionRunner::duplicate_candidates(const rt::ActionRequest& r) {
  const nlohmann::json& inv = object_arg(r.args, "invoice");
  const std::string invoice_id = text_field(inv, "invoice_id", "invoice");
  const std::string vendor_id = text_field(inv, "vendor_id", "invoice");
  const std::string number = text_field(inv, "invoice_number", "invoice");
  const int day = day_of(text_field(inv, "invoice_date", "invoice"), "invoice.invoice_date");
  const int lookback = static_cast<int>(number_arg(r.args, "lookback_days", 365, 0, 3650));
  const int split_window = static_cast<int>(number_arg(r.args, "split_window_days", 3, 0, 31));
  std::int64_t amount = e4_field(inv, "amount", "invoice");

  // Only invoices that arrived before this one count (an original is not a duplicate of
  // its own later copy). An invoice not on file (started by hand) is compared to all.
  std::int64_t own_seq = INT64_MAX;
  if (auto stored = must(store_.get(type_of("invoices"), {invoice_id}))) {
    own_seq = stored->seq;
    amount = e4_field(stored->data, "amount", "stored invoice");
  }
  std::string iban;
  if (auto vendor = must(store_.get(type_of("vendors"), {vendor_id}))) {
    iban = optional_text(vendor->data, "iban");
  }
  const records::DuplicateProbe probe{vendor_id, iban, records::normalize_invoice_number(number),
                                      day, amount};

  std::map<std::string, records::InvoiceRow> pool;  // invoice_id -> row
  bool truncated = false;  // a lookup hit its bound: candidates may be missing
  auto add = [&](std::vector<records::InvoiceRow> rows) {
    truncated = truncated || rows.size() >= kMaxLookup;
    for (auto& row : rows) {
      if (row.seq < own_seq && row.invoice_id != invoice_id)
        pool.emplace(row.invoice_id, std::move(row));
    }
  };
  add(must(store_.invoices_by_number(vendor_id, probe.normalized_number, kMaxLookup)));
  add(must(store_.invoices_by_day(vendor_id, day - std::max(7, split_window),
                                  day + std::max(7, split_window), kMaxLookup)));
  std::set<std::string> shared_vendors;
  if (!iban.empty()) {
    for (auto& other : must(store_.vendors_by_iban(iban, kMaxSharedVendors))) {
      if (other == vendor_id) continue;
      shared_vendors.insert(other);
      add(must(store_.invoices_by_day(other, day, day, kMaxLookup)));
    }
  }

  struct Hit {
    const records::InvoiceRow* row;
    records::DuplicateRule rule;
  };
  std::vector<Hit> hits;
  std::size_t exact = 0;
  std::int64_t split_total = amount;
  std::size_t split_count = 0;
  for (const auto& [id, row] : pool) {
    if (std::abs(row.day - day) > lookback) continue;
    const records::DuplicateProbe earlier{
        row.vendor_id,
        row.vendor_id == vendor_id || shared_vendors.count(row.vendor_id) ? iban : "",
        records::normalize_invoice_number(row.invoice_number), row.day, row.amount_e4};
    const auto rule = records::match_duplicate(earlier, probe);
    if (rule != records::DuplicateRule::none) {
      hits.push_back({&row, rule});
      exact += rule == records::DuplicateRule::exact ? 1 : 0;
    } else if (row.vendor_id == vendor_id && std::abs(row.day - day) <= split_window) {
      split_total += row.amount_e4;
      ++split_count;
    }
  }
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    const double sa = records::rule_similarity(a.rule), sb = records::rule_similarity(b.rule);
    return sa != sb ? sa > sb : a.row->seq < b.row->seq;
  });
  nlohmann::json candidates = nlohmann::json::array();
  double best = 0;
  for (const Hit& h : hits) {
    best = std::max(best, records::rule_similarity(h.rule));
    if (candidates.size() >= kMaxCandidates) continue;
    candidates.push_back({{"invoice_id", h.row->invoice_id},
                          {"vendor_id", h.row->vendor_id},
                          {"invoice_number", h.row->invoice_number},
                          {"invoice_date", expr::format_date(h.row->day)},
                          {"amount", records::format_e4(h.row->amount_e4)},
                          {"rule", std::string(records::rule_name(h.rule))},
                          {"similarity", records::rule_similarity(h.rule)}});
  }
  // The vendor's earlier invoices (any date): the amount_vs_vendor_mean feature.
  const auto totals = must(store_.vendor_invoice_totals(vendor_id, own_seq));
  nlohmann::json vendor_history = {{"invoice_count", totals.count}, {"mean_amount", nullptr}};
  if (totals.count > 0) {
    // A statistic for the amount_vs_vendor_mean feature (not posted): a double is fine.
    vendor_history["mean_amount"] =
        records::e4_to_double(totals.amount_e4) / static_cast<double>(totals.count);
  }
  return ActionResult::success({{"candidates", std::move(candidates)},
                                {"vendor_history", std::move(vendor_history)},
                                {"candidate_count", hits.size()},
                                {"best_similarity", best},
                                {"exact_count", exact},
                                {"lookups_truncated", truncated},
                                {"lookback_days", lookback},
                                {"same_vendor_recent",
                                 {{"count", split_count},
                                  {"window_days", split_window},
                                  {"total_with_this", records::format_e4(split_total)}}}});
}

ActionResult FinanceActionRunner::match(const rt::ActionRequest& r) {
  const nlohmann::json& inv = object_arg(r.args, "invoice");
  MatchInput in;
  in.invoice_id = text_field(inv, "invoice_id", "invoice");
  in.vendor_id = text_field(inv, "vendor_id", "invoice");
  in.currency = text_field(inv, "currency", "invoice");
  in.amount_e4 = e4_field(inv, "amount", "invoice");
  in.po_number = r.args.contains("po_number") && r.args["po_number"].is_string()
                     ? r.args["po_number"].get<std::string>()
                     : optional_text(inv, "po_number");
  if (in.po_number.empty()) throw BadArgument{"argument 'po_number' must name the invoice's PO"};
  const int day = day_of(text_field(inv, "invoice_date", "invoice"), "invoice.invoice_date");
  const std::int64_t cutoff_us = static_cast<std::int64_t>(day + 1) * expr::kMicrosPerDay;

  MatchTolerances tol;
  if (auto t = r.args.find("tolerances"); t != r.args.end() && t->is_object()) {
    tol.price_pct = number_arg(*t, "price_pct", tol.price_pct, 0, 100);
    tol.price_abs_e4 = tolerance_e4(*t, "price_abs", tol.price_abs_e4);
    tol.qty_pct = number_arg(*t, "qty_pct", tol.qty_pct, 0, 100);
    tol.qty_abs_e4 = tolerance_e4(*t, "qty_abs", tol.qty_abs_e4);
    tol.header_pct = number_arg(*t, "header_pct", tol.header_pct, 0, 100);
    tol.header_abs_e4 = tolerance_e4(*t, "header_abs", tol.header_abs_e4);
  }

  // The invoice's lines: on file (exact), else as the workflow data carries them.
  std::vector<nlohmann::json> lines;
  for (auto& l : must(store_.by_key_prefix(type_of("invoice_lines"), {in.invoice_id}, 1000))) {
    lines.push_back(std::move(l.data));
  }
  if (lines.empty() && inv.contains("lines") && inv["lines"].is_array()) {
    for (const auto& l : inv["lines"]) lines.push_back(l);
  }
  for (const auto& l : lines) {
    MatchInvoiceLine line;
    line.line_no = l.value("line_no", 0);
    if (l.contains("po_line_no") && l["po_line_no"].is_number_integer()) {
      line.po_line_no = l["po_line_no"].get<int>();
    }
    line.qty_e4 = e4_field(l, "qty", "invoice line");
    line.unit_price_e4 = e4_field(l, "unit_price", "invoice line");
    in.lines.push_back(line);
  }
  auto po_lines = must(store_.by_key_prefix(type_of("purchase_orders"), {in.po_number}, 1000));
  in.po_found = !po_lines.empty();
  for (const auto& p : po_lines) {
    MatchPoLine line;
    line.line_no = p.data.value("line_no", 0);
    line.qty_e4 = e4_field(p.data, "qty", "PO line");
    line.unit_price_e4 = e4_field(p.data, "unit_price", "PO line");
    line.currency = optional_text(p.data, "currency");
    line.vendor_id = optional_text(p.data, "vendor_id");
    for (const auto& receipt : must(store_.receipts_for(in.po_number, line.line_no, 1000))) {
      auto at = expr::parse_timestamp(optional_text(receipt.data, "received_at"));
      if (at && *at < cutoff_us)
        line.received_e4 += e4_field(receipt.data, "qty_received", "receipt");
    }
    in.po_lines.push_back(line);
  }
  return ActionResult::success(three_way_match(in, tol));
}

ActionResult FinanceActionRunner::post_invoice(const rt::ActionRequest& r) {
  const nlohmann::json& inv = object_arg(r.args, "invoice");
  const std::string invoice_id = text_field(inv, "invoice_id", "invoice");
  records::JournalPosting p;
  p.idempotency_key = posting_key(r);
  p.instance_id = r.instance_id;
  p.document_type = "invoice";
  p.document_id = invoice_id;
  p.currency = text_field(inv, "currency", "invoice");
  p.amount_e4 = e4_field(inv, "amount", "invoice");
  if (auto stored = must(store_.get(type_of("invoices"), {invoice_id}))) {
    // What was approved is what gets posted: an invoice re-imported with another amount
    // or currency after its approval is refused, not posted at the new figures.
    const std::int64_t on_file = e4_field(stored->data, "amount", "stored invoice");
    const std::string currency = optional_text(stored->data, "currency");
    if (on_file != p.amount_e4 || currency != p.currency) {
      throw Error{ErrorCode::conflict,
                  "invoice " + invoice_id + " changed since it was approved: on file " +
                      records::format_e4(on_file) + " " + currency + ", approved " +
                      records::format_e4(p.amount_e4) + " " + p.currency};
    }
  }
  p.data = {{"vendor_id", optional_text(inv, "vendor_id")},
            {"invoice_number", optional_text(inv, "invoice_number")},
            {"due_date", optional_text(inv, "due_date")},
            {"debit", "expenses"},
            {"credit", "accounts_payable"},
            {"amount", records::format_e4(p.amount_e4)}};
  if (r.args.contains("approval_tier")) p.data["approval_tier"] = r.args["approval_tier"];
  p.posted_at_us = clock_.now_us();
  records::JournalEntry e = must(store_.post(p));
  return ActionResult::success({{"entry_id", e.entry_id},
                                {"posted_at", expr::format_timestamp(e.posted_at_us)},
                                {"already_posted", e.already_posted},
                                {"amount", records::format_e4(p.amount_e4)},
                                {"currency", p.currency}});
}

ActionResult FinanceActionRunner::payment_history(const rt::ActionRequest& r) {
  const std::string vendor_id = text_field(r.args, "vendor_id", "arguments");
  const double lookback = number_arg(r.args, "lookback_days", 365, 1, 3650);
  std::int64_t as_of = clock_.now_us();
  if (auto at = optional_text(r.args, "as_of"); !at.empty()) {
    auto us = expr::parse_timestamp(at);
    if (!us) throw BadArgument{"argument 'as_of' must be an ISO 8601 timestamp"};
    as_of = *us;
  }
  const std::string payment_id = optional_text(r.args, "payment_id");
  const std::int64_t from = as_of - static_cast<std::int64_t>(lookback) * expr::kMicrosPerDay;
  auto payments = must(store_.payments_by_vendor(vendor_id, from, as_of, 5000));
  double sum = 0, sum_sq = 0;
  std::size_t n = 0;
  std::set<std::string> ibans;
  std::string last_at;
  for (const auto& p : payments) {
    if (optional_text(p.data, "payment_id") == payment_id) continue;
    // The mean and spread feed the fraud model's amount_zscore feature: statistics, not
    // amounts that are posted, so binary floating point is fine here.
    const double amount = records::e4_to_double(e4_field(p.data, "amount", "payment"));
    sum += amount;
    sum_sq += amount * amount;
    ++n;
    ibans.insert(optional_text(p.data, "iban"));
    last_at = optional_text(p.data, "requested_at");
  }
  const double mean = n > 0 ? sum / static_cast<double>(n) : 0;
  const double var = n > 1 ? std::max(0.0, (sum_sq - static_cast<double>(n) * mean * mean) /
                                               static_cast<double>(n - 1))
                           : 0;
  nlohmann::json out = {
      {"payment_count", n},
      {"mean_amount", mean},
      {"stddev_amount", std::sqrt(var)},
      {"ibans_used", nlohmann::json(std::vector<std::string>(ibans.begin(), ibans.end()))},
      {"lookback_days", lookback}};
  if (!last_at.empty()) out["last_payment_at"] = last_at;
  // The latest bank-detail change at or before the request, and who made it (an entry
  // at the vendor's creation is its first account, not a change).
  std::int64_t created_us = INT64_MIN;
  if (auto vendor = must(store_.get(type_of("vendors"), {vendor_id}))) {
    created_us =
        expr::parse_timestamp(optional_text(vendor->data, "created_at")).value_or(INT64_MIN);
  }
  // Kept in a local: `last` points into it after the loop.
  const std::vector<records::BankChange> changes = must(store_.bank_history(vendor_id, 1000));
  const records::BankChange* last = nullptr;
  for (const auto& change : changes) {
    if (change.changed_at_us > as_of) break;
    last = &change;
  }
  if (last != nullptr) {
    out["iban_as_of"] = last->iban;
    if (last->changed_at_us > created_us) {
      out["bank_changed_by"] = last->changed_by;
      out["bank_changed_at"] = expr::format_timestamp(last->changed_at_us);
    }
  }
  return ActionResult::success(std::move(out));
}

ActionResult FinanceActionRunner::release_payment(const rt::ActionRequest& r) {
  const std::string payment_id = text_field(r.args, "payment_id", "arguments");
  auto stored = must(store_.get(type_of("outgoing_payments"), {payment_id}));
  if (!stored) throw BadArgument{"payment " + payment_id + " is not on file (import it first)"};
  // What was screened is what gets paid: a payment re-imported with another amount,
  // currency or account after screening is refused.
  if (auto it = r.args.find("payment"); it != r.args.end() && it->is_object()) {
    const std::int64_t screened = e4_field(*it, "amount", "payment");
    const std::int64_t on_file = e4_field(stored->data, "amount", "stored payment");
    const std::string iban = records::normalize_iban(optional_text(*it, "iban"));
    if (screened != on_file ||
        optional_text(*it, "currency") != optional_text(stored->data, "currency") ||
        iban != optional_text(stored->data, "iban")) {
      throw Error{ErrorCode::conflict, "payment " + payment_id +
                                           " changed since it was screened (amount, currency or "
                                           "account); screen it again"};
    }
  }
  records::JournalPosting p;
  p.idempotency_key = posting_key(r);
  p.instance_id = r.instance_id;
  p.document_type = "payment";
  p.document_id = payment_id;
  p.amount_e4 = e4_field(stored->data, "amount", "stored payment");
  p.currency = optional_text(stored->data, "currency");
  p.data = {{"vendor_id", optional_text(stored->data, "vendor_id")},
            {"iban", optional_text(stored->data, "iban")},
            {"debit", "accounts_payable"},
            {"credit", "bank"},
            {"amount", records::format_e4(p.amount_e4)}};
  if (r.args.contains("screening_score")) p.data["screening_score"] = r.args["screening_score"];
  p.posted_at_us = clock_.now_us();
  records::JournalEntry e = must(store_.post(p));
  return ActionResult::success({{"entry_id", e.entry_id},
                                {"released_at", expr::format_timestamp(e.posted_at_us)},
                                {"already_released", e.already_posted}});
}

}  // namespace ledgerflow::finance
