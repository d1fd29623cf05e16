#include "plugins/finance/records/vendor_bank.h"

#include "engine/expr/timestamp.h"

namespace ledgerflow::records {
namespace {

std::string field_text(const nlohmann::json& data, const char* field) {
  if (!data.is_object()) return {};
  auto it = data.find(field);
  if (it == data.end() || it->is_null()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace

std::optional<BankAccountChange> bank_account_change(const Record& record,
                                                     const nlohmann::json* before,
                                                     const std::string& user, std::int64_t now_us) {
  if (record.type == nullptr || record.type->name != "vendors") return std::nullopt;
  const std::string iban = field_text(record.data, "iban");
  const std::string old_iban = before != nullptr ? field_text(*before, "iban") : std::string();
  if (old_iban == iban) return std::nullopt;
  std::string at = field_text(record.data, "bank_changed_at");
  if (at.empty() && before == nullptr) at = field_text(record.data, "created_at");
  BankAccountChange change;
  change.vendor_id = field_text(record.data, "vendor_id");
  change.changed_at_us = at.empty() ? now_us : expr::parse_timestamp(at).value_or(0);
  change.iban = iban;
  change.changed_by = field_text(record.data, "bank_changed_by");
  if (change.changed_by.empty()) change.changed_by = user;
  return change;
}

}  // namespace ledgerflow::records
