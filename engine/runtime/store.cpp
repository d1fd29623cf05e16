#include "engine/runtime/store.h"

#include <future>

namespace ledgerflow::rt {

Result<void> EngineStore::submit_sync(WriteSet ws) {
  std::promise<Result<void>> promise;
  auto future = promise.get_future();
  submit(std::move(ws), [&promise](Result<void> r) { promise.set_value(std::move(r)); });
  return future.get();
}

}  // namespace ledgerflow::rt
