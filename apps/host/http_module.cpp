#include "apps/host/http_module.h"

#include "plugins/http/http_action_runner.h"

namespace ledgerflow::host {

Result<void> HttpModule::open(const ModuleContext& context) {
  // The table holds the runner (and its io thread) until the executor is gone.
  return context.actions.add(plugins::HttpActionRunner::kAction,
                             std::make_shared<plugins::HttpActionRunner>(limits_));
}

}  // namespace ledgerflow::host
