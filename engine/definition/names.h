// The shapes of names in a definition (workflow, state, error names and data paths),
// checked by linear scans. std::regex is not used on definition text: libstdc++ matches
// by recursive backtracking, so a long enough name would exhaust the stack.
// Thread-safety: pure functions.
#pragma once

#include <string_view>

namespace ledgerflow::def {

// [a-z][a-z0-9_]*  (workflow names)
bool is_workflow_name(std::string_view s);
// [A-Za-z_][A-Za-z0-9_-]*  (state names)
bool is_state_name(std::string_view s);
// [a-z][a-z0-9_.]*  (error names: "http.timeout", "vendor_unknown")
bool is_error_name(std::string_view s);
// [A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*|\[[0-9]+\])*  ("invoice.lines[0].amount")
bool is_data_path(std::string_view s);
// [A-Za-z_][A-Za-z0-9_.-]*  (signal names)
bool is_signal_name(std::string_view s);
// two or more workflow names joined by '.'  (plugin actions: "finance.post_journal")
bool is_plugin_action(std::string_view s);
// name, name@alias or name@version  (model references: "ap_risk@champion", "ap_risk@3")
bool is_model_ref(std::string_view s);
// [-+]?[0-9]+
bool is_integer_text(std::string_view s);

}  // namespace ledgerflow::def
