// DefinitionRegistry: deployed workflow definitions, versioned. Deploying changed
// content under a name creates version N+1; deploying content identical to the current
// version (same canonical form, whatever the spelling) returns it. Content identical to an
// older version only (a rollback) becomes current as version N+1: the latest deployment
// is always what runs. Instances stay pinned to
// the version they started with, so every version stays loadable.
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "engine/definition/loader.h"
#include "engine/runtime/store.h"

namespace ledgerflow::rt {

struct Deployment {
  std::string name;
  int version = 0;
  bool created = false;  // false when identical content was already deployed
  std::shared_ptr<const def::Definition> definition;
  std::vector<def::Problem> problems;  // set (and nothing else) when the source is invalid
};

// SHA-256 of the definition's canonical JSON, hex.
std::string content_hash(const def::Definition& d);

class DefinitionRegistry {
 public:
  // Checks a valid definition against the world outside it (e.g. that its score states'
  // features match the models they name: engine/scoring/feature_check.h). Problems make
  // the deployment fail as validation problems do.
  using DeployCheck = std::function<std::vector<def::Problem>(const def::Definition&)>;

  explicit DefinitionRegistry(EngineStore& store, DeployCheck check = {})
      : store_(store), check_(std::move(check)) {}

  // Validates, then stores a new version unless the current version has identical content.
  // Invalid
  // source returns a Deployment with problems (and version 0).
  Result<Deployment> deploy(const std::string& source, def::Format format, const std::string& user,
                            std::int64_t now_us);

  // The deploy check's problems for a valid definition (none without a check).
  std::vector<def::Problem> check(const def::Definition& d) const {
    return check_ ? check_(d) : std::vector<def::Problem>{};
  }

  // A deployed version (0 = latest), parsed once and cached.
  Result<std::shared_ptr<const def::Definition>> get(const std::string& name, int version);
  // The latest version number of a workflow (not_found if never deployed).
  Result<int> latest_version(const std::string& name);

 private:
  EngineStore& store_;
  DeployCheck check_;
  std::mutex mu_;
  std::map<std::pair<std::string, int>, std::shared_ptr<const def::Definition>> cache_;
  std::mutex deploy_mu_;  // deployments of one process are serialised (version numbers)
};

}  // namespace ledgerflow::rt
