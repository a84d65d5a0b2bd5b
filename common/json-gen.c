/* SPDX-License-Identifier: Apache-2.0 */
#include "common/json-gen.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
jg_str (yajl_gen g, const char *s)
{
  if (s == NULL)
    yajl_gen_null (g);
  else
    yajl_gen_string (g, (const unsigned char *)s, strlen (s));
}

void
jg_kv_str (yajl_gen g, const char *key, const char *value)
{
  jg_str (g, key);
  jg_str (g, value);
}

void
jg_kv_u64 (yajl_gen g, const char *key, uint64_t value)
{
  char buf[32];
  int n = snprintf (buf, sizeof buf, "%" PRIu64, value);

  jg_str (g, key);
  yajl_gen_number (g, buf, (size_t)n);
}

void
jg_kv_i64 (yajl_gen g, const char *key, int64_t value)
{
  char buf[32];
  int n = snprintf (buf, sizeof buf, "%" PRId64, value);

  jg_str (g, key);
  yajl_gen_number (g, buf, (size_t)n);
}

void
jg_kv_bool (yajl_gen g, const char *key, bool value)
{
  jg_str (g, key);
  yajl_gen_bool (g, value);
}

void
jg_kv_strv (yajl_gen g, const char *key, char *const *values)
{
  jg_str (g, key);
  yajl_gen_array_open (g);
  for (; values && *values; values++)
    jg_str (g, *values);
  yajl_gen_array_close (g);
}

yajl_gen
jg_new (bool pretty)
{
  yajl_gen g = yajl_gen_alloc (NULL);

  if (g && pretty)
    yajl_gen_config (g, yajl_gen_beautify, 1);
  return g;
}

int
jg_finish (yajl_gen g, char **text, size_t *len, struct cordon_error *err)
{
  const unsigned char *buf;
  size_t n;

  if (yajl_gen_get_buf (g, &buf, &n) != yajl_gen_status_ok)
    return cordon_error_set (err, EINVAL, "internal error: unbalanced JSON");
  *text = malloc (n + 1);
  if (*text == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  memcpy (*text, buf, n);
  (*text)[n] = '\0';
  if (len)
    *len = n;
  return 0;
}
