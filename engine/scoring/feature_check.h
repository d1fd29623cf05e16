// Deploy-time check of score states against the model registry: every model a `score`
// state names (and each of its `shadow:` models) must resolve, and its feature names
// must be exactly the state's `features` keys. A mismatch is a located problem at the
// state's `features` key naming the missing and unexpected features and the model
// version; a model that does not resolve is a problem at the reference.
//
// Run by DefinitionRegistry::deploy through its DeployCheck (the daemon's EngineHost and
// the CLI's engine session install it), so no path deploys a workflow that cannot score.
// Thread-safety: as safe as the registry's resolve() (which is thread-safe).
#pragma once

#include <string>
#include <vector>

#include "engine/definition/definition.h"
#include "engine/definition/problem.h"
#include "engine/scoring/scorer.h"

namespace ledgerflow::scoring {

// `registry` null: every score state is a problem saying why there is no registry
// (`no_registry_reason`, e.g. "the models directory 'models' does not exist").
std::vector<def::Problem> check_score_features(const def::Definition& d,
                                               const ScorerRegistry* registry,
                                               const std::string& no_registry_reason);

}  // namespace ledgerflow::scoring
