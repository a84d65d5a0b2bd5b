/* SPDX-License-Identifier: Apache-2.0 */
/* Duplicate keys, found with yajl's event parser: the tree parser keeps both
 * members of {"a":1,"a":2} and json_get() would believe the first, another
 * verifier the last.  Each open object collects its keys; when it closes
 * they are sorted and compared, so a hostile object with many keys costs
 * n log n, not n².  */
#include "common/json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "common/cleanup.h"

struct json_key
{
  unsigned char *text; /* a copy: yajl reuses its buffer for the next token */
  size_t len;
};

struct json_level
{
  bool is_map;
  struct json_key *keys;
  size_t n_keys;
  size_t cap_keys;
};

struct json_unique_state
{
  struct json_level levels[JSON_MAX_DEPTH];
  size_t depth;
  const char *what;
  struct cordon_error *err;
  bool failed;
};

static void
json_level_clear (struct json_level *level)
{
  for (size_t i = 0; i < level->n_keys; i++)
    free (level->keys[i].text);
  free (level->keys);
  memset (level, 0, sizeof *level);
}

static int json_unique_fail (struct json_unique_state *s, int errnum, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* Records the first failure; returning 0 from a callback cancels the parse.  */
static int
json_unique_fail (struct json_unique_state *s, int errnum, const char *fmt, ...)
{
  char msg[160];
  va_list ap;

  if (!s->failed)
    {
      va_start (ap, fmt);
      vsnprintf (msg, sizeof msg, fmt, ap);
      va_end (ap);
      cordon_error_set (s->err, errnum, "%s: %s", s->what, msg);
    }
  s->failed = true;
  return 0;
}

static int
json_unique_open (struct json_unique_state *s, bool is_map)
{
  if (s->depth >= JSON_MAX_DEPTH)
    return json_unique_fail (s, 0, "nested deeper than %d levels", JSON_MAX_DEPTH);
  s->levels[s->depth++].is_map = is_map;
  return 1;
}

static int
json_key_compare (const void *a, const void *b)
{
  const struct json_key *x = a, *y = b;
  size_t n = x->len < y->len ? x->len : y->len;
  int c = memcmp (x->text, y->text, n);

  if (c != 0)
    return c;
  return (x->len > y->len) - (x->len < y->len);
}

/* The key for a message: printable ASCII kept, the rest as '?', cut at 64.  */
static void
json_key_describe (const struct json_key *key, char *buf, size_t size)
{
  size_t n = 0;

  for (size_t i = 0; i < key->len && n + 4 < size && i < 64; i++)
    buf[n++] = (key->text[i] >= 0x20 && key->text[i] < 0x7f) ? (char)key->text[i] : '?';
  if (key->len > 64 && n + 4 < size)
    {
      memcpy (buf + n, "...", 3);
      n += 3;
    }
  buf[n] = '\0';
}

static int
json_unique_close (struct json_unique_state *s)
{
  struct json_level *level;

  if (s->depth == 0)
    return json_unique_fail (s, 0, "unbalanced JSON");
  level = &s->levels[--s->depth];
  if (level->n_keys > 1)
    {
      qsort (level->keys, level->n_keys, sizeof *level->keys, json_key_compare);
      for (size_t i = 1; i < level->n_keys; i++)
        if (json_key_compare (&level->keys[i - 1], &level->keys[i]) == 0)
          {
            char name[80];
            json_key_describe (&level->keys[i], name, sizeof name);
            json_level_clear (level);
            return json_unique_fail (s, 0, "duplicate key \"%s\"", name);
          }
    }
  json_level_clear (level);
  return 1;
}

static int
json_unique_start_map (void *ctx)
{
  return json_unique_open (ctx, true);
}

static int
json_unique_start_array (void *ctx)
{
  return json_unique_open (ctx, false);
}

static int
json_unique_end (void *ctx)
{
  return json_unique_close (ctx);
}

static int
json_unique_map_key (void *ctx, const unsigned char *key, size_t len)
{
  struct json_unique_state *s = ctx;
  struct json_level *level;
  unsigned char *copy;

  if (s->depth == 0 || !s->levels[s->depth - 1].is_map)
    return json_unique_fail (s, 0, "key outside an object");
  level = &s->levels[s->depth - 1];
  if (level->n_keys == level->cap_keys)
    {
      size_t cap = level->cap_keys ? level->cap_keys * 2 : 8;
      struct json_key *keys = reallocarray (level->keys, cap, sizeof *keys);
      if (keys == NULL)
        return json_unique_fail (s, ENOMEM, "out of memory in the duplicate-key check");
      level->keys = keys;
      level->cap_keys = cap;
    }
  copy = malloc (len ? len : 1);
  if (copy == NULL)
    return json_unique_fail (s, ENOMEM, "out of memory in the duplicate-key check");
  memcpy (copy, key, len);
  level->keys[level->n_keys++] = (struct json_key){ .text = copy, .len = len };
  return 1;
}

static int
json_unique_scalar (void *ctx)
{
  (void)ctx;
  return 1;
}

static int
json_unique_bool (void *ctx, int v)
{
  (void)v;
  return json_unique_scalar (ctx);
}

static int
json_unique_number (void *ctx, const char *s, size_t len)
{
  (void)s;
  (void)len;
  return json_unique_scalar (ctx);
}

static int
json_unique_string (void *ctx, const unsigned char *s, size_t len)
{
  (void)s;
  (void)len;
  return json_unique_scalar (ctx);
}

static const yajl_callbacks json_unique_callbacks = {
  .yajl_null = json_unique_scalar,
  .yajl_boolean = json_unique_bool,
  .yajl_number = json_unique_number, /* raw numbers: no overflow errors here */
  .yajl_string = json_unique_string,
  .yajl_start_map = json_unique_start_map,
  .yajl_map_key = json_unique_map_key,
  .yajl_end_map = json_unique_end,
  .yajl_start_array = json_unique_start_array,
  .yajl_end_array = json_unique_end,
};

int
json_check_unique_keys (const char *text, size_t len, const char *what, struct cordon_error *err)
{
  struct json_unique_state s = { .what = what, .err = err };
  yajl_handle h;
  yajl_status st;
  int ret = 0;

  h = yajl_alloc (&json_unique_callbacks, NULL, &s);
  if (h == NULL)
    return cordon_error_set (err, ENOMEM, "%s", what);
  st = yajl_parse (h, (const unsigned char *)text, len);
  if (st == yajl_status_ok)
    st = yajl_complete_parse (h);
  if (s.failed)
    ret = cordon_error_code (err);
  else if (st != yajl_status_ok)
    {
      unsigned char *msg = yajl_get_error (h, 0, (const unsigned char *)text, len);
      if (msg)
        msg[strcspn ((char *)msg, "\n")] = '\0';
      ret = cordon_error_set (err, 0, "%s: invalid JSON: %s", what, msg ? (const char *)msg : "parse error");
      if (msg)
        yajl_free_error (h, msg);
    }
  while (s.depth > 0)
    json_level_clear (&s.levels[--s.depth]);
  yajl_free (h);
  return ret;
}
