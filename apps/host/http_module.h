// HttpModule: the `http` action (plugins/http/http_action_runner.h) as an engine module.
// Generic, so the host provides it; the daemon and the CLI add it.
// Thread-safety: see module.h.
#pragma once

#include <memory>
#include <string>

#include "apps/host/module.h"
#include "plugins/http/http_call.h"

namespace ledgerflow::host {

class HttpModule final : public Module {
 public:
  explicit HttpModule(plugins::HttpLimits limits = {}) : limits_(limits) {}
  std::string name() const override { return "http"; }
  Result<void> open(const ModuleContext& context) override;

 private:
  plugins::HttpLimits limits_;
};

}  // namespace ledgerflow::host
