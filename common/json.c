/* SPDX-License-Identifier: Apache-2.0 */
#include "common/json.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/strv.h"

/* yajl's tree parser recurses once per nesting level, and it keeps the
 * decoded strings NUL-terminated (an escaped \u0000 would silently cut a
 * string short): both are checked on the raw text first.  */
static int
json_precheck (const char *text, size_t len, const char *what, struct cordon_error *err)
{
  size_t depth = 0;
  bool in_string = false;

  for (size_t i = 0; i < len; i++)
    {
      char c = text[i];

      if (c == '\0')
        return cordon_error_set (err, EINVAL, "%s: NUL byte at offset %zu", what, i);
      if (in_string)
        {
          if (c == '\\')
            {
              if (i + 5 < len && text[i + 1] == 'u' && strncmp (text + i + 2, "0000", 4) == 0)
                return cordon_error_set (err, EINVAL, "%s: \\u0000 in a string at offset %zu", what, i);
              i++;
            }
          else if (c == '"')
            in_string = false;
          continue;
        }
      if (c == '"')
        in_string = true;
      else if (c == '{' || c == '[')
        {
          if (++depth > JSON_MAX_DEPTH)
            return cordon_error_set (err, EINVAL, "%s: nested deeper than %d levels", what, JSON_MAX_DEPTH);
        }
      else if ((c == '}' || c == ']') && depth > 0)
        depth--;
    }
  return 0;
}

int
json_parse (const char *text, size_t len, const struct json_limits *limits, const char *what, yajl_val *out,
            struct cordon_error *err)
{
  cleanup_free char *copy = NULL;
  char errbuf[256] = "";
  int r;

  *out = NULL;
  if (len > limits->max_bytes)
    return cordon_error_set (err, EFBIG, "%s: larger than %zu bytes", what, limits->max_bytes);
  r = json_precheck (text, len, what, err);
  if (r < 0)
    return r;
  copy = malloc (len + 1);
  if (copy == NULL)
    return cordon_error_set (err, ENOMEM, "%s", what);
  memcpy (copy, text, len);
  copy[len] = '\0';
  *out = yajl_tree_parse (copy, errbuf, sizeof errbuf);
  if (*out == NULL)
    {
      /* yajl's message spans lines and quotes the input; keep its first line.  */
      errbuf[strcspn (errbuf, "\n")] = '\0';
      return cordon_error_set (err, EINVAL, "%s: invalid JSON: %s", what, errbuf[0] ? errbuf : "parse error");
    }
  return 0;
}

int
json_read_file (const char *path, size_t max_bytes, char **text, size_t *len, struct cordon_error *err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  cleanup_free char *buf = NULL;
  struct stat st;
  size_t off = 0;

  if (fd < 0)
    return cordon_error_set (err, errno, "%s", path);
  if (fstat (fd, &st) < 0)
    return cordon_error_set (err, errno, "%s", path);
  if (!S_ISREG (st.st_mode))
    return cordon_error_set (err, EINVAL, "%s: not a regular file", path);
  if ((uint64_t)st.st_size > max_bytes)
    return cordon_error_set (err, EFBIG, "%s: larger than %zu bytes", path, max_bytes);
  buf = malloc (max_bytes + 1);
  if (buf == NULL)
    return cordon_error_set (err, ENOMEM, "%s", path);
  for (;;)
    {
      ssize_t r = read (fd, buf + off, max_bytes + 1 - off);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return cordon_error_set (err, errno, "%s: read", path);
      if (r == 0)
        break;
      off += (size_t)r;
      if (off > max_bytes)
        return cordon_error_set (err, EFBIG, "%s: larger than %zu bytes", path, max_bytes);
    }
  buf[off] = '\0';
  *text = steal_pointer (&buf);
  *len = off;
  return 0;
}

void
json_path (char *buf, size_t size, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (buf, size, fmt, ap);
  va_end (ap);
}

yajl_val
json_get (yajl_val obj, const char *key)
{
  if (obj == NULL || !YAJL_IS_OBJECT (obj))
    return NULL;
  for (size_t i = 0; i < obj->u.object.len; i++)
    if (strcmp (obj->u.object.keys[i], key) == 0)
      return obj->u.object.values[i];
  return NULL;
}

int
json_want_object (yajl_val v, const char *where, struct cordon_error *err)
{
  if (v == NULL || !YAJL_IS_OBJECT (v))
    return cordon_error_set (err, EINVAL, "%s: expected an object", where);
  return 0;
}

int
json_want_array (yajl_val v, const struct json_limits *limits, const char *where, struct cordon_error *err)
{
  if (v == NULL || !YAJL_IS_ARRAY (v))
    return cordon_error_set (err, EINVAL, "%s: expected an array", where);
  if (v->u.array.len > limits->max_items)
    return cordon_error_set (err, E2BIG, "%s: more than %zu entries", where, limits->max_items);
  return 0;
}

int
json_string (yajl_val v, const struct json_limits *limits, const char *where, char **out, struct cordon_error *err)
{
  size_t n;

  if (v == NULL || !YAJL_IS_STRING (v))
    return cordon_error_set (err, EINVAL, "%s: expected a string", where);
  n = strlen (v->u.string);
  if (n > limits->max_string)
    return cordon_error_set (err, E2BIG, "%s: longer than %zu bytes", where, limits->max_string);
  *out = strndup (v->u.string, n);
  if (*out == NULL)
    return cordon_error_set (err, ENOMEM, "%s", where);
  return 0;
}

int
json_bool (yajl_val v, const char *where, bool *out, struct cordon_error *err)
{
  if (v != NULL && YAJL_IS_TRUE (v))
    *out = true;
  else if (v != NULL && YAJL_IS_FALSE (v))
    *out = false;
  else
    return cordon_error_set (err, EINVAL, "%s: expected true or false", where);
  return 0;
}

int
json_u64 (yajl_val v, const char *where, uint64_t *out, struct cordon_error *err)
{
  const char *s;
  char *end;
  unsigned long long n;

  /* The raw text, not yajl's long long: values up to 2^64-1 are legal
   * (rlimits, seccomp arguments).  */
  if (v == NULL || !YAJL_IS_NUMBER (v) || (s = YAJL_GET_NUMBER (v)) == NULL || *s < '0' || *s > '9')
    return cordon_error_set (err, EINVAL, "%s: expected a non-negative integer", where);
  errno = 0;
  n = strtoull (s, &end, 10);
  if (errno || *end != '\0')
    return cordon_error_set (err, ERANGE, "%s: `%s` is not an integer from 0 to %" PRIu64, where, s, UINT64_MAX);
  *out = n;
  return 0;
}

int
json_i64 (yajl_val v, const char *where, int64_t *out, struct cordon_error *err)
{
  if (v == NULL || !YAJL_IS_INTEGER (v))
    return cordon_error_set (err, EINVAL, "%s: expected an integer", where);
  *out = YAJL_GET_INTEGER (v);
  return 0;
}

int
json_u32 (yajl_val v, const char *where, uint32_t *out, struct cordon_error *err)
{
  uint64_t n;
  int r = json_u64 (v, where, &n, err);

  if (r < 0)
    return r;
  if (n > UINT32_MAX)
    return cordon_error_set (err, ERANGE, "%s: %" PRIu64 " is larger than %" PRIu32, where, n, UINT32_MAX);
  *out = (uint32_t)n;
  return 0;
}

int
json_strv (yajl_val v, const struct json_limits *limits, const char *where, char ***out, struct cordon_error *err)
{
  char **vec;
  int r;

  r = json_want_array (v, limits, where, err);
  if (r < 0)
    return r;
  vec = calloc (v->u.array.len + 1, sizeof *vec);
  if (vec == NULL)
    return cordon_error_set (err, ENOMEM, "%s", where);
  for (size_t i = 0; i < v->u.array.len; i++)
    {
      char item[256];
      json_path (item, sizeof item, "%s[%zu]", where, i);
      r = json_string (v->u.array.values[i], limits, item, &vec[i], err);
      if (r < 0)
        {
          strv_free (vec);
          return r;
        }
    }
  *out = vec;
  return 0;
}
