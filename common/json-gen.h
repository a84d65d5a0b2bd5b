/* SPDX-License-Identifier: Apache-2.0 */
/* Small helpers over yajl_gen for the JSON cordon writes (records, results,
 * listings): keys with string, number, bool or string-array values.  A NULL
 * string is written as null.  */
#ifndef CORDON_COMMON_JSON_GEN_H
#define CORDON_COMMON_JSON_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>

#include "common/error.h"

void jg_str (yajl_gen g, const char *s);
void jg_kv_str (yajl_gen g, const char *key, const char *value);
void jg_kv_u64 (yajl_gen g, const char *key, uint64_t value);
void jg_kv_i64 (yajl_gen g, const char *key, int64_t value);
void jg_kv_bool (yajl_gen g, const char *key, bool value);
void jg_kv_strv (yajl_gen g, const char *key, char *const *values);

/* A generator (pretty-printed when `pretty`) and, when done, its text as a
 * heap string.  */
yajl_gen jg_new (bool pretty);
int jg_finish (yajl_gen g, char **text, size_t *len, struct cordon_error *err);

static inline void
cleanup_yajl_genp (yajl_gen *g)
{
  if (*g)
    yajl_gen_free (*g);
}
#define cleanup_jgen __attribute__ ((cleanup (cleanup_yajl_genp)))

#endif
