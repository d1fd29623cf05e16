/* Ledgerflow scorer plugins: the stable C ABI between the daemon and a shared library
 * that scores feature vectors (a model Ledgerflow cannot evaluate itself, a vendor
 * library, a model written in another language).
 *
 * Why C: a C++ ABI changes with the compiler, the standard library and its flags, so a
 * plugin built elsewhere could silently corrupt memory. Only C scalars, C strings and
 * plain structs cross this boundary; nothing is allocated on one side and freed on the
 * other. Any change to a struct or a signature below increments
 * LEDGERFLOW_PLUGIN_ABI_VERSION, and the loader refuses plugins of another version.
 *
 * A plugin exports these five functions (extern "C" when written in C++):
 *
 *   ledgerflow_plugin_abi_version   which version of this header the plugin was built with
 *   ledgerflow_plugin_create        one model instance from its JSON configuration
 *   ledgerflow_plugin_info          the instance's model name, version, objective, features
 *   ledgerflow_plugin_score         scores one feature vector (called concurrently)
 *   ledgerflow_plugin_destroy       frees an instance
 *
 * and the loader (plugins/cabi/plugin_scorer.h) refuses a library that lacks any of them,
 * naming the file and the missing symbol.
 *
 * Lifecycle: the loader calls abi_version, then create once per configured model, then
 * info once; then score any number of times from any number of threads at once; then
 * destroy once, after every score call has returned. create may be called several times
 * in one process (one instance per model version using the library).
 *
 * Thread-safety: score MUST be safe to call concurrently on the same instance (treat the
 * instance as immutable after create). create, info and destroy are not called
 * concurrently on the same instance.
 *
 * Containment: a plugin runs inside the daemon. An error the plugin reports becomes a
 * clear error on that workflow step, but a plugin that crashes (SIGSEGV, abort) takes
 * the daemon down, and one that hangs holds a scoring thread forever: the daemon cannot
 * interrupt a call into native code. Plugins must not crash, must not block
 * indefinitely, must not call exit, must not install signal handlers, and (when written
 * in C++) must not let exceptions escape. Put a model that may misbehave behind a
 * remote model server instead (the "ledgerflow-kserve/1" format), where timeouts and a
 * circuit breaker apply.
 *
 * Error reporting: functions that can fail take `char* err, size_t err_len`; on failure
 * they write a NUL-terminated, human-readable message of at most err_len bytes there
 * (the loader passes LEDGERFLOW_PLUGIN_ERROR_BYTES) and return a non-zero value (NULL for
 * create). The loader prefixes the message with the library's path.
 */
#ifndef LEDGERFLOW_PLUGIN_H
#define LEDGERFLOW_PLUGIN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LEDGERFLOW_PLUGIN_ABI_VERSION 1

/* The size of the error buffer the loader passes (a message is cut to fit). */
#define LEDGERFLOW_PLUGIN_ERROR_BYTES 1024
/* The size of ledgerflow_score_result.label, including the terminating NUL. */
#define LEDGERFLOW_PLUGIN_LABEL_BYTES 64
/* Limits the loader enforces on what a plugin reports. */
#define LEDGERFLOW_PLUGIN_MAX_FEATURES 10000
#define LEDGERFLOW_PLUGIN_MAX_NAME_BYTES 256

/* Mark the five exported functions; lets a plugin build with -fvisibility=hidden. */
#if defined(__GNUC__)
#define LEDGERFLOW_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define LEDGERFLOW_PLUGIN_EXPORT
#endif

/* What an instance scores. Filled by ledgerflow_plugin_info. Every pointer is owned by
 * the plugin instance and must stay valid and unchanged until destroy; the loader
 * copies them right after the call. */
typedef struct ledgerflow_plugin_info_t {
  const char* model_name;           /* the plugin's own name for the model, e.g. "threshold" */
  const char* model_version;        /* the plugin's own version text, e.g. "2024.1" */
  const char* objective;            /* "binary:logistic" (score is a probability) or
                                       "reg:squarederror" (score is a raw value) */
  size_t feature_count;             /* 1..LEDGERFLOW_PLUGIN_MAX_FEATURES */
  const char* const* feature_names; /* feature_count distinct, non-empty names, in the
                                       order score() expects its inputs */
} ledgerflow_plugin_info_t;

/* One score. The caller owns this struct and the two contribution arrays: the plugin
 * writes into them and keeps no pointer to them after score returns. The caller zeroes
 * the outputs before each call. */
typedef struct ledgerflow_score_result {
  /* Set by the caller: room for contributions_capacity entries (== top_k, at most
   * feature_count; 0 means no explanation is wanted and both pointers may be NULL). */
  size_t contributions_capacity;
  size_t* contribution_feature; /* index into info.feature_names */
  double* contribution_value;   /* contribution to the raw score (log-odds when logistic) */

  /* Set by the plugin. */
  double score;               /* finite; the probability for binary:logistic models */
  int has_probability;        /* non-zero when `probability` is set (binary classifiers) */
  double probability;         /* in [0, 1] */
  double bias;                /* the raw-score intercept the contributions add to */
  size_t contributions_count; /* <= contributions_capacity; largest |value| first */
  char label[LEDGERFLOW_PLUGIN_LABEL_BYTES]; /* NUL-terminated, "" for no label */
} ledgerflow_score_result;

/* Returns LEDGERFLOW_PLUGIN_ABI_VERSION as compiled into the plugin. Must not fail. */
typedef int (*ledgerflow_plugin_abi_version_fn)(void);

/* Creates an instance from `config_json`, the model file's "config" value as JSON text
 * ("{}" when absent; NUL-terminated, UTF-8). Returns NULL and fills `err` on failure. */
typedef void* (*ledgerflow_plugin_create_fn)(const char* config_json, char* err, size_t err_len);

/* Describes the instance (see ledgerflow_plugin_info_t). Returns 0, or non-zero and
 * fills `err`. */
typedef int (*ledgerflow_plugin_info_fn)(void* instance, ledgerflow_plugin_info_t* out, char* err,
                                         size_t err_len);

/* Scores `features` (n == feature_count values in info order; NaN means missing).
 * Explains with at most top_k contributions (top_k == out->contributions_capacity).
 * Returns 0 and fills `out`, or non-zero and fills `err` (e.g. a value out of range).
 * Must be callable from many threads at once on the same instance. */
typedef int (*ledgerflow_plugin_score_fn)(void* instance, const double* features, size_t n,
                                          size_t top_k, ledgerflow_score_result* out, char* err,
                                          size_t err_len);

/* Frees an instance created by create. Never called while a score call is running. */
typedef void (*ledgerflow_plugin_destroy_fn)(void* instance);

/* The declarations a plugin defines (its prototypes are checked against the typedefs). */
LEDGERFLOW_PLUGIN_EXPORT int ledgerflow_plugin_abi_version(void);
LEDGERFLOW_PLUGIN_EXPORT void* ledgerflow_plugin_create(const char* config_json, char* err,
                                                        size_t err_len);
LEDGERFLOW_PLUGIN_EXPORT int ledgerflow_plugin_info(void* instance, ledgerflow_plugin_info_t* out,
                                                    char* err, size_t err_len);
LEDGERFLOW_PLUGIN_EXPORT int ledgerflow_plugin_score(void* instance, const double* features,
                                                     size_t n, size_t top_k,
                                                     ledgerflow_score_result* out, char* err,
                                                     size_t err_len);
LEDGERFLOW_PLUGIN_EXPORT void ledgerflow_plugin_destroy(void* instance);

#ifdef __cplusplus
}
#endif

#endif /* LEDGERFLOW_PLUGIN_H */
