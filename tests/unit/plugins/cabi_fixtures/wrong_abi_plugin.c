/* A plugin built against a future ABI version: the loader must refuse it before calling
 * anything else. Every other symbol is present so only the version is wrong. */
#include <stddef.h>

#include "ledgerflow/plugin.h"

int ledgerflow_plugin_abi_version(void) {
  return 99;
}

void* ledgerflow_plugin_create(const char* config_json, char* err, size_t err_len) {
  (void)config_json;
  (void)err;
  (void)err_len;
  static int instance;
  return &instance;
}

int ledgerflow_plugin_info(void* instance, ledgerflow_plugin_info_t* out, char* err,
                           size_t err_len) {
  (void)instance;
  (void)out;
  (void)err;
  (void)err_len;
  return 1;
}

int ledgerflow_plugin_score(void* instance, const double* features, size_t n, size_t top_k,
                            ledgerflow_score_result* out, char* err, size_t err_len) {
  (void)instance;
  (void)features;
  (void)n;
  (void)top_k;
  (void)out;
  (void)err;
  (void)err_len;
  return 1;
}

void ledgerflow_plugin_destroy(void* instance) {
  (void)instance;
}
