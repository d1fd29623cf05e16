// What every in-process scorer (linear, forest, XGBoost) computes the same way when it
// builds a ScoreResult: the logistic link, the order of an explanation's contributions,
// and how an error names a model.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "engine/scoring/scorer.h"

namespace ledgerflow::plugins {

// 1 / (1 + e^-x) without overflow: e^y is only taken of a non-positive y.
double sigmoid(double x);

// The positions of the (at most) k values of largest |value|, largest first; ties keep
// input order so explanations are deterministic. With skip_zero, values exactly 0 are
// never chosen.
std::vector<std::size_t> top_magnitudes(std::span<const double> values, std::size_t k,
                                        bool skip_zero);

// "model 'risk' version 3": how errors name a model.
std::string model_label(const scoring::ModelInfo& info);

}  // namespace ledgerflow::plugins
