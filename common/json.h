/* SPDX-License-Identifier: Apache-2.0 */
/* Reading hostile JSON with yajl's tree parser: bounded before parsing
 * (size, nesting depth, NUL bytes), then typed getters whose errors name the
 * JSON path ("config.json: process.args[2]: expected a string").  */
#ifndef CORDON_COMMON_JSON_H
#define CORDON_COMMON_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

#include "common/error.h"

#define JSON_MAX_DEPTH 64

struct json_limits
{
  size_t max_bytes;
  size_t max_items;  /* entries of one array or object */
  size_t max_string; /* bytes of one string */
};

/* Parses `text` (`len` bytes, need not be NUL-terminated) after checking the
 * limits.  `what` names the input in errors ("config.json").  */
int json_parse (const char *text, size_t len, const struct json_limits *limits, const char *what, yajl_val *out,
                struct cordon_error *err);

/* Fails when any object in `text` has the same key twice.  yajl's tree
 * parser keeps both silently; signature payloads and trust policies must
 * not have two readings (which one would a verifier believe?).  */
int json_check_unique_keys (const char *text, size_t len, const char *what, struct cordon_error *err);

/* Reads a regular file of at most `max_bytes` into a NUL-terminated buffer.  */
int json_read_file (const char *path, size_t max_bytes, char **text, size_t *len, struct cordon_error *err);

/* The value of `key` in object `obj`, or NULL (also when obj is not an
 * object).  */
yajl_val json_get (yajl_val obj, const char *key);

/* Formats a JSON path for messages ("process.args[2]").  A path too long for
 * `buf` is cut short: it only shortens a message.  */
void json_path (char *buf, size_t size, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

/* Typed reads.  `where` is the path for messages.  */
int json_want_object (yajl_val v, const char *where, struct cordon_error *err);
int json_want_array (yajl_val v, const struct json_limits *limits, const char *where, struct cordon_error *err);
int json_string (yajl_val v, const struct json_limits *limits, const char *where, char **out, struct cordon_error *err);
int json_bool (yajl_val v, const char *where, bool *out, struct cordon_error *err);
int json_u64 (yajl_val v, const char *where, uint64_t *out, struct cordon_error *err);
int json_i64 (yajl_val v, const char *where, int64_t *out, struct cordon_error *err);
int json_u32 (yajl_val v, const char *where, uint32_t *out, struct cordon_error *err);
/* An array of strings into a NULL-terminated vector.  */
int json_strv (yajl_val v, const struct json_limits *limits, const char *where, char ***out, struct cordon_error *err);

static inline void
cleanup_yajl_valp (yajl_val *v)
{
  if (*v)
    yajl_tree_free (*v);
}
#define cleanup_json __attribute__ ((cleanup (cleanup_yajl_valp)))

#endif
