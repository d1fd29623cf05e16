#include "plugins/finance/records/ar_rules.h"

#include "plugins/finance/records/decimal.h"

namespace ledgerflow::records {

std::string status_after(const std::string& kind) {
  if (kind == "credit_note") return "credited";
  if (kind == "write_off") return "written_off";
  return "paid";
}

Result<void> check_allocation(const PaymentApplication& p, std::size_t i,
                              const std::string& doing) {
  const Allocation& a = p.allocations.at(i);
  if (a.kind != "cash" && a.kind != "bank_charges" && a.kind != "credit_note" &&
      a.kind != "write_off") {
    return Error::invalid(doing + ": unknown allocation kind " + a.kind);
  }
  if (a.amount_e4 <= 0) {
    return Error::invalid(doing + ": the amount for invoice " + a.invoice_id + " must be positive");
  }
  for (std::size_t j = 0; j < i; ++j) {
    if (p.allocations[j].invoice_id == a.invoice_id && p.allocations[j].kind == a.kind) {
      return Error::invalid(doing + ": invoice " + a.invoice_id + " is allocated twice");
    }
  }
  return {};
}

Result<bool> allocation_closes(const Allocation& a, std::int64_t amount, std::int64_t applied,
                               const std::string& status, const std::string& doing) {
  if (status != "open") {
    return Error{ErrorCode::conflict, doing + ": invoice " + a.invoice_id + " is " + status};
  }
  if (a.amount_e4 > amount - applied) {
    return Error{ErrorCode::conflict, doing + ": " + format_e4(a.amount_e4) + " is more than the " +
                                          format_e4(amount - applied) + " still open on invoice " +
                                          a.invoice_id};
  }
  return applied + a.amount_e4 >= amount;
}

}  // namespace ledgerflow::records
