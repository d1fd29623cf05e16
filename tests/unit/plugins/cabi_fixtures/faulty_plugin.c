/* A plugin that misbehaves on request, for the loader's defensive checks. The config
 * names the fault: {"mode": "<mode>"} with one of the modes below; without a mode it is a
 * well-behaved regression model (score = a + b, features "a" and "b"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledgerflow/plugin.h"

enum mode {
  kOk,
  kCreateFails,
  kCreateFailsSilently,
  kInfoFails,
  kDuplicateFeatures,
  kScoreFails,
  kUnterminatedError,
  kNanScore,
  kTooManyContributions,
  kBadFeatureIndex,
  kUnterminatedLabel,
  kProbabilityOutOfRange,
  kModeCount
};

static const char* const kModes[kModeCount] = {"ok",
                                               "create_fails",
                                               "create_fails_silently",
                                               "info_fails",
                                               "dup_features",
                                               "score_fails",
                                               "unterminated_error",
                                               "nan_score",
                                               "too_many_contributions",
                                               "bad_feature_index",
                                               "unterminated_label",
                                               "probability_out_of_range"};

static const char* const kFeatures[2] = {"a", "b"};
static const char* const kDuplicates[2] = {"a", "a"};

typedef struct faulty {
  enum mode mode;
} faulty;

int ledgerflow_plugin_abi_version(void) {
  return LEDGERFLOW_PLUGIN_ABI_VERSION;
}

void* ledgerflow_plugin_create(const char* config_json, char* err, size_t err_len) {
  enum mode mode = kOk;
  int i;
  faulty* f;
  char quoted[64];
  for (i = 0; i < kModeCount; ++i) {
    snprintf(quoted, sizeof quoted, "\"%s\"", kModes[i]);
    if (strstr(config_json, quoted) != NULL) mode = (enum mode)i;
  }
  if (mode == kCreateFails) {
    snprintf(err, err_len, "the weights file is corrupt");
    return NULL;
  }
  if (mode == kCreateFailsSilently) return NULL;
  f = (faulty*)malloc(sizeof *f);
  if (f == NULL) return NULL;
  f->mode = mode;
  return f;
}

int ledgerflow_plugin_info(void* instance, ledgerflow_plugin_info_t* out, char* err,
                           size_t err_len) {
  const faulty* f = (const faulty*)instance;
  if (f->mode == kInfoFails) {
    snprintf(err, err_len, "no model loaded");
    return 1;
  }
  out->model_name = "faulty";
  out->model_version = "0";
  out->objective = f->mode == kProbabilityOutOfRange ? "binary:logistic" : "reg:squarederror";
  out->feature_count = 2;
  out->feature_names = f->mode == kDuplicateFeatures ? kDuplicates : kFeatures;
  return 0;
}

int ledgerflow_plugin_score(void* instance, const double* features, size_t n, size_t top_k,
                            ledgerflow_score_result* out, char* err, size_t err_len) {
  const faulty* f = (const faulty*)instance;
  (void)n;
  switch (f->mode) {
    case kScoreFails:
      snprintf(err, err_len, "upstream feature store unavailable");
      return 7;
    case kUnterminatedError:
      memset(err, 'x', err_len);
      return 1;
    case kNanScore:
      out->score = NAN;
      return 0;
    case kTooManyContributions:
      out->contributions_count = top_k + 5;
      return 0;
    case kBadFeatureIndex:
      if (top_k > 0) {
        out->contribution_feature[0] = 42;
        out->contribution_value[0] = 1;
        out->contributions_count = 1;
      }
      return 0;
    case kUnterminatedLabel:
      memset(out->label, 'l', sizeof out->label);
      return 0;
    case kProbabilityOutOfRange:
      out->score = 1.5;
      out->has_probability = 1;
      out->probability = 1.5;
      return 0;
    default:
      out->score = features[0] + features[1];
      return 0;
  }
}

void ledgerflow_plugin_destroy(void* instance) {
  free(instance);
}
