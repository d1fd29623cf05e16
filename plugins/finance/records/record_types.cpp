#include "plugins/finance/records/record_types.h"

#include <algorithm>
#include <charconv>

#include "engine/common/utf8.h"
#include "engine/expr/timestamp.h"
#include "plugins/finance/records/decimal.h"
#include "plugins/finance/records/iso_codes.h"

namespace ledgerflow::records {
namespace {

using K = ColumnKind;
using D = Derive;

std::vector<RecordType> build_types() {
  std::vector<RecordType> t;
  t.push_back({"vendors",
               "vendor",
               {{"vendor_id", K::id},
                {"name", K::text},
                {"country", K::country},
                {"iban", K::iban},
                {"tax_id", K::id},
                {"created_at", K::timestamp},
                {"bank_changed_at", K::timestamp, false},
                // Ledgerflow's addition to the record formats: who changed the bank details (for the
                // payment-release segregation of duties); the importing user otherwise.
                {"bank_changed_by", K::user, false}},
               {"vendor_id"},
               {},
               "rec_vendors",
               {{"iban", "iban", D::text}}});
  t.push_back({"purchase_orders",
               "purchase_order",
               {{"po_number", K::id},
                {"vendor_id", K::id},
                {"line_no", K::line_no},
                {"item", K::text},
                {"qty", K::quantity},
                {"unit_price", K::money},
                {"currency", K::currency}},
               {"po_number", "line_no"},
               {{{"vendor_id"}, "vendors"}},
               "rec_purchase_orders",
               {{"vendor_id", "vendor_id", D::text}}});
  t.push_back({"receipts",
               "receipt",
               {{"receipt_id", K::id},
                {"po_number", K::id},
                {"line_no", K::line_no},
                {"qty_received", K::quantity},
                {"received_at", K::timestamp}},
               {"receipt_id"},
               {{{"po_number", "line_no"}, "purchase_orders"}},
               "rec_receipts",
               {{"po_number", "po_number", D::text}, {"line_no", "line_no", D::integer}}});
  t.push_back({"invoices",
               "invoice",
               {{"invoice_id", K::id},
                {"vendor_id", K::id},
                {"invoice_number", K::text},
                {"invoice_date", K::date},
                {"due_date", K::date},
                {"currency", K::currency},
                {"amount", K::money},
                {"po_number", K::id, false},
                {"submitted_by", K::user},
                {"label_duplicate_of", K::id, false},
                {"label_error", K::flag, false}},
               {"invoice_id"},
               {{{"vendor_id"}, "vendors"}, {{"po_number"}, "purchase_orders"}},
               "rec_invoices",
               {{"vendor_id", "vendor_id", D::text},
                {"number_norm", "invoice_number", D::inv_norm},
                {"invoice_day", "invoice_date", D::day},
                {"amount_e4", "amount", D::e4},
                {"po_number", "po_number", D::text},
                {"due_day", "due_date", D::day}}});
  t.push_back({"invoice_lines",
               "invoice_line",
               {{"invoice_id", K::id},
                {"line_no", K::line_no},
                {"po_line_no", K::line_no, false},
                {"qty", K::quantity},
                {"unit_price", K::money}},
               {"invoice_id", "line_no"},
               {{{"invoice_id"}, "invoices"}},
               "rec_invoice_lines",
               {}});
  t.push_back({"outgoing_payments",
               "payment",
               {{"payment_id", K::id},
                {"vendor_id", K::id},
                {"amount", K::money},
                {"currency", K::currency},
                {"iban", K::iban},
                {"requested_by", K::user},
                {"requested_at", K::timestamp},
                {"label_fraud", K::flag, false}},
               {"payment_id"},
               {{{"vendor_id"}, "vendors"}},
               "rec_outgoing_payments",
               {
                   {"vendor_id", "vendor_id", D::text},
                   {"requested_at_us", "requested_at", D::micros},
               }});
  t.push_back({"customers",
               "customer",
               {{"customer_id", K::id},
                {"name", K::text},
                {"country", K::country},
                {"credit_limit", K::money},
                {"currency", K::currency},
                {"payment_terms_days", K::days},
                {"created_at", K::timestamp}},
               {"customer_id"},
               {},
               "rec_customers",
               {}});
  t.push_back({"orders",
               "order",
               {{"order_id", K::id},
                {"customer_id", K::id},
                {"order_date", K::date},
                {"currency", K::currency},
                {"amount", K::money},
                {"label_default", K::flag, false}},
               {"order_id"},
               {{{"customer_id"}, "customers"}},
               "rec_orders",
               {{"customer_id", "customer_id", D::text},
                {"order_day", "order_date", D::day},
                {"amount_e4", "amount", D::e4}}});
  t.push_back({"ar_invoices",
               "ar_invoice",
               {{"invoice_id", K::id},
                {"customer_id", K::id},
                {"invoice_number", K::text},
                {"invoice_date", K::date},
                {"due_date", K::date},
                {"currency", K::currency},
                {"amount", K::money},
                {"disputed", K::flag},
                {"disputed_at", K::date, false},
                {"order_id", K::id, false},
                {"label_days_late", K::days_late, false}},
               {"invoice_id"},
               {{{"customer_id"}, "customers"}, {{"order_id"}, "orders"}},
               "rec_ar_invoices",
               {{"customer_id", "customer_id", D::text},
                {"number_norm", "invoice_number", D::inv_norm},
                {"due_day", "due_date", D::day},
                {"amount_e4", "amount", D::e4},
                {"invoice_day", "invoice_date", D::day},
                {"order_id", "order_id", D::text},
                {"number_key", "invoice_number", D::inv_key}}});
  t.push_back({"incoming_payments",
               "payment",
               {{"payment_id", K::id},
                {"customer_id", K::id, false},
                {"amount", K::money},
                {"currency", K::currency},
                {"received_at", K::timestamp},
                {"reference", K::text}},
               {"payment_id"},
               {{{"customer_id"}, "customers"}},
               "rec_incoming_payments",
               {
                   {"customer_id", "customer_id", D::text},
                   {"received_at_us", "received_at", D::micros},
               }});
  return t;
}

std::string shorten(std::string_view value) {
  if (value.size() <= 60) return std::string(value);
  return std::string(value.substr(0, 57)) + "...";
}

bool printable(std::string_view s) {
  return std::none_of(s.begin(), s.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t v = 0;
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// The canonical JSON value of `text` for a column of `kind`, or the reason it is wrong.
std::optional<nlohmann::json> canonical(ColumnKind kind, const std::string& text,
                                        std::string& why) {
  switch (kind) {
    case K::id:
    case K::user:
      if (text.size() > 64) return why = "is longer than 64 characters", std::nullopt;
      if (!printable(text)) return why = "contains control characters", std::nullopt;
      if (text.front() == ' ' || text.back() == ' ') {
        return why = "has leading or trailing spaces", std::nullopt;
      }
      return nlohmann::json(text);
    case K::text:
      if (text.size() > 512) return why = "is longer than 512 characters", std::nullopt;
      if (!printable(text)) return why = "contains control characters", std::nullopt;
      return nlohmann::json(text);
    case K::date: {
      if (text.size() != 10 || !expr::parse_timestamp(text)) {
        return why = "is not a date (YYYY-MM-DD, a real calendar day)", std::nullopt;
      }
      return nlohmann::json(text);
    }
    case K::timestamp: {
      if (text.find('T') == std::string::npos || !expr::parse_timestamp(text)) {
        return why =
                   "is not an ISO 8601 timestamp with an offset (2026-03-01T09:30:00+01:00 or "
                   "...Z)",
               std::nullopt;
      }
      return nlohmann::json(text);
    }
    case K::money:
    case K::quantity: {
      auto e4 = parse_decimal_e4(text, &why);
      if (!e4) return std::nullopt;
      if (*e4 < 0) return why = "is negative", std::nullopt;
      return nlohmann::json(format_e4(*e4));
    }
    case K::line_no:
    case K::days:
    case K::days_late: {
      auto v = parse_int(text);
      if (!v) return why = "is not a whole number", std::nullopt;
      const auto [lo, hi] = kind == K::line_no ? std::pair<std::int64_t, std::int64_t>{1, 100000}
                            : kind == K::days  ? std::pair<std::int64_t, std::int64_t>{0, 3650}
                                               : std::pair<std::int64_t, std::int64_t>{-3650, 3650};
      if (*v < lo || *v > hi) {
        return why = "is outside " + std::to_string(lo) + ".." + std::to_string(hi), std::nullopt;
      }
      return nlohmann::json(*v);
    }
    case K::currency:
      if (!is_currency(text)) {
        return why = "is not an ISO 4217 currency code (e.g. EUR, USD, GBP)", std::nullopt;
      }
      return nlohmann::json(text);
    case K::country:
      if (!is_country(text)) {
        return why = "is not an ISO 3166 country code (e.g. DE, FR, US)", std::nullopt;
      }
      return nlohmann::json(text);
    case K::iban: {
      why = iban_problem(text);
      if (!why.empty()) return std::nullopt;
      return nlohmann::json(normalize_iban(text));
    }
    case K::flag:
      if (text == "1" || text == "true" || text == "TRUE") return nlohmann::json(1);
      if (text == "0" || text == "false" || text == "FALSE") return nlohmann::json(0);
      return why = "is not 0 or 1", std::nullopt;
  }
  return why = "has an unknown column kind", std::nullopt;
}

}  // namespace

const ColumnSpec* RecordType::column(std::string_view column_name) const {
  for (const auto& c : columns) {
    if (c.name == column_name) return &c;
  }
  return nullptr;
}

const std::vector<RecordType>& record_types() {
  static const std::vector<RecordType> types = build_types();
  return types;
}

std::vector<StoredColumn> RecordType::key_columns() const {
  std::vector<StoredColumn> out;
  for (std::string_view k : key) {
    const ColumnSpec* c = column(k);
    out.push_back({k, k, c != nullptr && c->kind == K::line_no ? D::integer : D::text});
  }
  return out;
}

const RecordType* find_record_type(std::string_view name) {
  for (const auto& t : record_types()) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::string record_type_names() {
  std::string out;
  for (const auto& t : record_types()) out.append(out.empty() ? "" : ", ").append(t.name);
  return out;
}

std::string Record::key_text() const {
  std::string out;
  for (const auto& part : key) out.append(out.empty() ? "" : "/").append(part);
  return out;
}

const std::string* RowCells::find(std::string_view name) const {
  for (const auto& [k, v] : cells) {
    if (k == name) return &v;
  }
  return nullptr;
}

std::optional<Record> validate_row(const RecordType& type, const RowCells& row,
                                   std::vector<RowProblem>& problems) {
  const std::size_t before = problems.size();
  Record record;
  record.type = &type;
  record.data = nlohmann::json::object();
  for (const ColumnSpec& column : type.columns) {
    const std::string* text = row.find(column.name);
    if (text == nullptr || text->empty()) {
      if (column.required) problems.push_back({std::string(column.name), "", "is missing"});
      continue;
    }
    if (!utf8::is_valid(*text)) {
      problems.push_back({std::string(column.name), "",
                          "is not UTF-8 text (save the file as UTF-8, e.g. \"CSV UTF-8\")"});
      continue;
    }
    std::string why;
    auto value = canonical(column.kind, *text, why);
    if (!value) {
      problems.push_back({std::string(column.name), shorten(*text), why});
      continue;
    }
    record.data[std::string(column.name)] = std::move(*value);
  }
  // Rules across columns.
  if (type.column("due_date") != nullptr && record.data.contains("due_date") &&
      record.data.contains("invoice_date") &&
      record.data["due_date"].get_ref<const std::string&>() <
          record.data["invoice_date"].get_ref<const std::string&>()) {
    problems.push_back(
        {"due_date", record.data["due_date"].get<std::string>(),
         "is before invoice_date " + record.data["invoice_date"].get<std::string>()});
  }
  if (problems.size() != before) return std::nullopt;
  for (std::string_view k : type.key) {
    const auto& v = record.data[std::string(k)];
    record.key.push_back(v.is_string() ? v.get<std::string>() : v.dump());
  }
  return record;
}

nlohmann::json to_workflow_json(const RecordType& type, const nlohmann::json& data) {
  nlohmann::json out = nlohmann::json::object();
  // label_* columns are generated ground truth (for training and tests): a workflow
  // never sees them, so it cannot route on the answer.
  for (const auto& [k, v] : data.items()) {
    if (k.rfind("label_", 0) != 0) out[k] = v;
  }
  // Money and quantities stay the stored decimal strings ("1000000000000000.01"): a
  // double cannot hold them, and the expression language reads them exactly with
  // number() (docs/records.md, "Money").
  for (const ColumnSpec& column : type.columns) {
    if (column.kind != K::flag) continue;  // stored 0/1; workflows see booleans
    auto it = out.find(std::string(column.name));
    if (it != out.end() && it->is_number_integer()) *it = it->get<int>() != 0;
  }
  return out;
}

}  // namespace ledgerflow::records
