/* A plugin that forgot ledgerflow_plugin_score: the loader must refuse it, naming the
 * symbol, without creating an instance. */
#include <stddef.h>

#include "ledgerflow/plugin.h"

int ledgerflow_plugin_abi_version(void) {
  return LEDGERFLOW_PLUGIN_ABI_VERSION;
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

void ledgerflow_plugin_destroy(void* instance) {
  (void)instance;
}
