/* threshold_plugin: the example Ledgerflow scorer plugin (plugins/include/ledgerflow/plugin.h).
 *
 * A logistic model over three features, written in plain C99 to show that the ABI needs
 * nothing from C++:
 *
 *   raw         = bias + 0.001 * amount + 0.05 * days_overdue + 0.8 * prior_disputes
 *   probability = 1 / (1 + e^-raw)
 *   label       = probability >= threshold ? "high" : "low"
 *
 * A missing feature (NaN) contributes nothing. A negative amount is refused with an error
 * (so tests can see a plugin error become a step error). Configuration, all optional:
 * {"bias": -3.0, "threshold": 0.5}. The config reader below only looks up those two keys;
 * a real plugin should use a real JSON parser.
 *
 * Thread-safety: an instance is immutable after create; score uses only its stack.
 * Build: gcc -std=c99 -shared -fPIC -I plugins/include threshold_plugin.c -o threshold.so -lm
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledgerflow/plugin.h"

#define FEATURE_COUNT 3

static const char* const kFeatureNames[FEATURE_COUNT] = {"amount", "days_overdue",
                                                         "prior_disputes"};
static const double kWeights[FEATURE_COUNT] = {0.001, 0.05, 0.8};

typedef struct threshold_model {
  double bias;
  double threshold;
} threshold_model;

/* Finds `"key"` followed by ':' and a number in `json`. Returns 1 when found and parsed,
 * 0 when the key is absent, -1 when it is present but not followed by a number. */
static int find_number(const char* json, const char* key, double* out) {
  char quoted[64];
  const char* at;
  char* end;
  snprintf(quoted, sizeof quoted, "\"%s\"", key);
  at = strstr(json, quoted);
  if (at == NULL) return 0;
  at += strlen(quoted);
  while (isspace((unsigned char)*at)) ++at;
  if (*at != ':') return -1;
  ++at;
  errno = 0;
  *out = strtod(at, &end);
  if (end == at || errno != 0 || !isfinite(*out)) return -1;
  return 1;
}

LEDGERFLOW_PLUGIN_EXPORT int ledgerflow_plugin_abi_version(void) {
  return LEDGERFLOW_PLUGIN_ABI_VERSION;
}

LEDGERFLOW_PLUGIN_EXPORT void* ledgerflow_plugin_create(const char* config_json, char* err,
                                                        size_t err_len) {
  threshold_model* model;
  double bias = -3.0;
  double threshold = 0.5;
  if (find_number(config_json, "bias", &bias) < 0) {
    snprintf(err, err_len, "config.bias: expected a finite number");
    return NULL;
  }
  if (find_number(config_json, "threshold", &threshold) < 0 || threshold < 0 || threshold > 1) {
    snprintf(err, err_len, "config.threshold: expected a probability in [0, 1]");
    return NULL;
  }
  model = (threshold_model*)malloc(sizeof *model);
  if (model == NULL) {
    snprintf(err, err_len, "out of memory");
    return NULL;
  }
  model->bias = bias;
  model->threshold = threshold;
  return model;
}

LEDGERFLOW_PLUGIN_EXPORT int ledgerflow_plugin_info(void* instance, ledgerflow_plugin_info_t* out,
                                                    char* err, size_t err_len) {
  (void)instance;
  (void)err;
  (void)err_len;
  out->model_name = "threshold";
  out->model_version = "1.0";
  out->objective = "binary:logistic";
  out->feature_count = FEATURE_COUNT;
  out->feature_names = kFeatureNames;
  return 0;
}

/* Orders contribution indexes by |value| descending, ties by index (deterministic). */
static void sort_by_magnitude(const double* values, size_t* order, size_t n) {
  size_t i, j;
  for (i = 0; i < n; ++i) order[i] = i;
  for (i = 1; i < n; ++i) {
    size_t key = order[i];
    j = i;
    while (j > 0 && fabs(values[order[j - 1]]) < fabs(values[key])) {
      order[j] = order[j - 1];
      --j;
    }
    order[j] = key;
  }
}

LEDGERFLOW_PLUGIN_EXPORT int ledgerflow_plugin_score(void* instance, const double* features,
                                                     size_t n, size_t top_k,
                                                     ledgerflow_score_result* out, char* err,
                                                     size_t err_len) {
  const threshold_model* model = (const threshold_model*)instance;
  double contributions[FEATURE_COUNT];
  size_t order[FEATURE_COUNT];
  double raw = model->bias;
  size_t i;
  if (n != FEATURE_COUNT) {
    snprintf(err, err_len, "expected %d features, got %zu", FEATURE_COUNT, n);
    return 1;
  }
  if (features[0] < 0) {
    snprintf(err, err_len, "amount must be >= 0, got %g", features[0]);
    return 1;
  }
  for (i = 0; i < FEATURE_COUNT; ++i) {
    contributions[i] = isnan(features[i]) ? 0.0 : kWeights[i] * features[i];
    raw += contributions[i];
  }
  if (!isfinite(raw)) {
    snprintf(err, err_len, "the raw score overflowed");
    return 1;
  }
  out->score = 1.0 / (1.0 + exp(-raw));
  out->has_probability = 1;
  out->probability = out->score;
  out->bias = model->bias;
  snprintf(out->label, sizeof out->label, "%s", out->score >= model->threshold ? "high" : "low");
  sort_by_magnitude(contributions, order, FEATURE_COUNT);
  if (top_k > out->contributions_capacity) top_k = out->contributions_capacity;
  if (top_k > FEATURE_COUNT) top_k = FEATURE_COUNT;
  for (i = 0; i < top_k; ++i) {
    out->contribution_feature[i] = order[i];
    out->contribution_value[i] = contributions[order[i]];
  }
  out->contributions_count = top_k;
  return 0;
}

LEDGERFLOW_PLUGIN_EXPORT void ledgerflow_plugin_destroy(void* instance) {
  free(instance);
}
