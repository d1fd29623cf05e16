// ap_features() and ap_files(): the AP training table and the record files.
#include <cmath>
#include <limits>
#include <map>

#include "plugins/finance/datagen/ap_data.h"
#include "plugins/finance/datagen/calendar.h"
#include "plugins/finance/datagen/tables.h"
#include "plugins/finance/records/duplicate_rules.h"
#include "plugins/ml/csv_writer.h"

namespace ledgerflow::datagen {
using records::DuplicateProbe;
using records::DuplicateRule;
using records::match_duplicate;
using records::normalize_invoice_number;
using records::rule_similarity;
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kLookbackDays = 365;          // the workflow's duplicate lookback
constexpr double kPriceTolerancePct = 2.0;  // three-way match: unit price vs PO
constexpr std::int64_t kTiers[] = {1'000, 10'000, 50'000};

const std::vector<std::string> kExtraFeatures = {"log_amount",
                                                 "exact_dup_count",
                                                 "near_dup_count",
                                                 "po_price_variance_pct",
                                                 "receipt_qty_variance_pct",
                                                 "vendor_invoices_7d",
                                                 "just_under_tier"};
const std::vector<std::string> kLabels = {"label_error_or_duplicate", "label_duplicate",
                                          "label_error", "label_split"};

std::string_view pattern_name(ApPattern p) {
  switch (p) {
    case ApPattern::exact_duplicate:
      return "exact_duplicate";
    case ApPattern::near_duplicate:
      return "near_duplicate";
    case ApPattern::resubmission:
      return "resubmission";
    case ApPattern::cross_vendor_duplicate:
      return "cross_vendor_duplicate";
    case ApPattern::split:
      return "split";
    case ApPattern::price_mismatch:
      return "price_mismatch";
    case ApPattern::quantity_mismatch:
      return "quantity_mismatch";
    case ApPattern::none:
      break;
  }
  return "";
}

struct MatchResult {
  double discrepancies = 0;
  double price_variance_pct = kNaN;
  double qty_variance_pct = kNaN;
};

// The three-way match of one invoice against its PO lines and the receipts booked up
// to the end of the invoice date.
class Matcher {
 public:
  explicit Matcher(const ApData& data) {
    for (const auto& l : data.po_lines) po_lines_[{l.po_number, l.line_no}] = &l;
    for (const auto& r : data.receipts) receipts_[{r.po_number, r.line_no}].push_back(&r);
  }

  MatchResult match(const Invoice& inv) const {
    MatchResult m;
    if (inv.po_number.empty()) return m;
    std::int64_t cutoff = day_start(inv.invoice_date + 1);
    for (const auto& line : inv.lines) {
      auto po =
          line.po_line_no ? po_lines_.find({inv.po_number, *line.po_line_no}) : po_lines_.end();
      if (po == po_lines_.end()) {
        m.discrepancies += 1;
        continue;
      }
      double po_price = static_cast<double>(po->second->unit_price_cents);
      double price_pct = (static_cast<double>(line.unit_price_cents) - po_price) / po_price * 100;
      std::int64_t received = 0;
      if (auto r = receipts_.find({inv.po_number, *line.po_line_no}); r != receipts_.end()) {
        for (const Receipt* receipt : r->second) {
          if (receipt->received_at < cutoff) received += receipt->qty_received;
        }
      }
      double qty_pct = static_cast<double>(line.qty - received) /
                       static_cast<double>(std::max<std::int64_t>(received, 1)) * 100;
      m.discrepancies += std::fabs(price_pct) > kPriceTolerancePct || line.qty > received;
      m.price_variance_pct =
          std::isnan(m.price_variance_pct) ? price_pct : std::max(m.price_variance_pct, price_pct);
      m.qty_variance_pct =
          std::isnan(m.qty_variance_pct) ? qty_pct : std::max(m.qty_variance_pct, qty_pct);
    }
    return m;
  }

 private:
  std::map<std::pair<std::string, int>, const PurchaseOrderLine*> po_lines_;
  std::map<std::pair<std::string, int>, std::vector<const Receipt*>> receipts_;
};

struct DuplicateCounts {
  double best_similarity = 0;
  double candidates = 0;
  double exact = 0;
  double near = 0;  // near, resubmission, cross-vendor
  double same_vendor_7d = 0;
};

bool just_under_tier(std::int64_t cents) {
  for (std::int64_t tier : kTiers) {
    if (cents < tier * 100 && cents >= tier * 93) return true;
  }
  return false;
}

}  // namespace

const std::vector<std::string>& ap_model_features() {
  static const std::vector<std::string> names = {"amount",
                                                 "dup_best_similarity",
                                                 "dup_candidate_count",
                                                 "match_discrepancy_count",
                                                 "has_po",
                                                 "vendor_age_days",
                                                 "days_to_due",
                                                 "round_amount",
                                                 "weekend_invoice_date",
                                                 "days_since_bank_change",
                                                 "amount_vs_vendor_mean"};
  return names;
}

FeatureTable ap_features(const ApData& data) {
  FeatureTable table;
  table.id_name = "invoice_id";
  table.columns = ap_model_features();
  table.columns.insert(table.columns.end(), kExtraFeatures.begin(), kExtraFeatures.end());
  table.columns.insert(table.columns.end(), kLabels.begin(), kLabels.end());
  table.text_name = "label_pattern";

  std::map<std::string, std::size_t> vendor_index;
  std::map<std::string, std::vector<std::size_t>> vendors_by_iban;
  for (std::size_t v = 0; v < data.vendors.size(); ++v) {
    vendor_index[data.vendors[v].vendor_id] = v;
    vendors_by_iban[data.vendors[v].iban].push_back(v);
  }
  Matcher matcher(data);
  std::vector<std::vector<std::size_t>> earlier(data.vendors.size());  // per vendor, arrival order
  std::vector<DuplicateProbe> probes;
  std::vector<double> amount_sum(data.vendors.size(), 0);

  for (std::size_t i = 0; i < data.invoices.size(); ++i) {
    const Invoice& inv = data.invoices[i];
    auto vi = vendor_index.find(inv.vendor_id);
    std::size_t v = vi == vendor_index.end() ? 0 : vi->second;  // generated data: always found
    const Vendor& vendor = data.vendors[v];
    probes.push_back({inv.vendor_id, vendor.iban, normalize_invoice_number(inv.invoice_number),
                      inv.invoice_date, inv.amount_cents});
    DuplicateCounts dup;
    for (std::size_t u : vendors_by_iban[vendor.iban]) {
      for (std::size_t j : earlier[u]) {
        int gap = std::abs(probes[j].invoice_date - inv.invoice_date);
        if (gap > kLookbackDays) continue;
        if (u == v && gap <= 7) dup.same_vendor_7d += 1;
        DuplicateRule rule = match_duplicate(probes[j], probes[i]);
        if (rule == DuplicateRule::none) continue;
        dup.candidates += 1;
        dup.best_similarity = std::max(dup.best_similarity, rule_similarity(rule));
        (rule == DuplicateRule::exact ? dup.exact : dup.near) += 1;
      }
    }
    MatchResult match = matcher.match(inv);
    double amount = static_cast<double>(inv.amount_cents) / 100;
    std::int64_t invoice_day = day_start(inv.invoice_date);
    double bank_change =
        vendor.bank_changed_at && *vendor.bank_changed_at <= invoice_day
            ? static_cast<double>(days_between(*vendor.bank_changed_at, invoice_day))
            : kNaN;
    double prior = static_cast<double>(earlier[v].size());
    double vs_mean = prior > 0 ? amount / (amount_sum[v] / prior) : kNaN;
    bool duplicate = !inv.label_duplicate_of.empty();
    table.ids.push_back(inv.invoice_id);
    table.rows.push_back(
        {amount, dup.best_similarity, dup.candidates, match.discrepancies,
         inv.po_number.empty() ? 0.0 : 1.0,
         static_cast<double>(days_between(vendor.created_at, invoice_day)),
         static_cast<double>(inv.due_date - inv.invoice_date),
         inv.amount_cents % 10'000 == 0 ? 1.0 : 0.0, is_weekend(inv.invoice_date) ? 1.0 : 0.0,
         bank_change, vs_mean,
         // extras
         std::log1p(std::max(amount, 0.0)), dup.exact, dup.near, match.price_variance_pct,
         match.qty_variance_pct, dup.same_vendor_7d, just_under_tier(inv.amount_cents) ? 1.0 : 0.0,
         // labels
         duplicate || inv.label_error ? 1.0 : 0.0, duplicate ? 1.0 : 0.0,
         inv.label_error ? 1.0 : 0.0, inv.pattern == ApPattern::split ? 1.0 : 0.0});
    table.texts.emplace_back(pattern_name(inv.pattern));
    earlier[v].push_back(i);
    amount_sum[v] += amount;
  }
  return table;
}

std::vector<GeneratedFile> ap_files(const ApData& data, const FeatureTable& features) {
  std::vector<GeneratedFile> files;
  auto add = [&](std::string name, const CsvWriter& csv) {
    files.push_back(csv_file(std::move(name), csv));
  };
  files.push_back(vendors_file(data.vendors));
  CsvWriter pos({"po_number", "vendor_id", "line_no", "item", "qty", "unit_price", "currency"});
  for (const auto& l : data.po_lines) {
    pos.text(l.po_number).text(l.vendor_id).integer(l.line_no).text(l.item).integer(l.qty);
    pos.money(l.unit_price_cents).text(l.currency).end_row();
  }
  add("purchase_orders.csv", pos);
  CsvWriter receipts({"receipt_id", "po_number", "line_no", "qty_received", "received_at"});
  for (const auto& r : data.receipts) {
    receipts.text(r.receipt_id).text(r.po_number).integer(r.line_no).integer(r.qty_received);
    receipts.text(format_timestamp(r.received_at)).end_row();
  }
  add("receipts.csv", receipts);
  CsvWriter invoices({"invoice_id", "vendor_id", "invoice_number", "invoice_date", "due_date",
                      "currency", "amount", "po_number", "submitted_by", "label_duplicate_of",
                      "label_error"});
  CsvWriter lines({"invoice_id", "line_no", "po_line_no", "qty", "unit_price"});
  for (const auto& inv : data.invoices) {
    invoices.text(inv.invoice_id).text(inv.vendor_id).text(inv.invoice_number);
    invoices.text(format_date(inv.invoice_date)).text(format_date(inv.due_date));
    invoices.text(inv.currency).money(inv.amount_cents).text(inv.po_number).text(inv.submitted_by);
    invoices.text(inv.label_duplicate_of).integer(inv.label_error ? 1 : 0).end_row();
    for (const auto& l : inv.lines) {
      lines.text(inv.invoice_id).integer(l.line_no);
      l.po_line_no ? lines.integer(*l.po_line_no) : lines.empty();
      lines.integer(l.qty).money(l.unit_price_cents).end_row();
    }
  }
  add("invoices.csv", invoices);
  add("invoice_lines.csv", lines);
  files.push_back(features_file(features));
  return files;
}

}  // namespace ledgerflow::datagen
