/* SPDX-License-Identifier: Apache-2.0 */
#include "common/json-locate.h"

#include <stdio.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "common/json.h"

/* One open container of the event walk.  */
struct frame
{
  bool is_array;
  size_t index;  /* arrays: elements started so far (the current one is index - 1) */
  char key[128]; /* objects: the current key */
  bool key_cut;  /* the key did not fit: never matches */
};

struct locator
{
  yajl_handle h;
  const char *target;
  struct frame stack[JSON_MAX_DEPTH + 1];
  size_t depth;
  bool found;
  size_t offset;
};

/* The path of the value about to be read, in json_path() spelling.  */
static bool
current_path (const struct locator *l, char *buf, size_t size)
{
  size_t n = 0;

  buf[0] = '\0';
  for (size_t i = 0; i < l->depth; i++)
    {
      const struct frame *f = &l->stack[i];
      int w;

      if (f->key_cut)
        return false;
      if (f->is_array)
        w = snprintf (buf + n, size - n, "[%zu]", f->index - 1);
      else
        w = snprintf (buf + n, size - n, "%s%s", n ? "." : "", f->key);
      if (w < 0 || (size_t)w >= size - n)
        return false;
      n += (size_t)w;
    }
  return true;
}

/* Called as each value starts; an array element's path needs its index.  */
static int
on_value (struct locator *l, size_t token_len)
{
  char path[1024];

  if (l->depth > 0 && l->stack[l->depth - 1].is_array)
    {
      l->stack[l->depth - 1].index++;
      if (current_path (l, path, sizeof path) && strcmp (path, l->target) == 0)
        goto found;
    }
  return 1;
found:
  l->found = true;
  l->offset = yajl_get_bytes_consumed (l->h);
  l->offset = l->offset >= token_len ? l->offset - token_len : 0;
  return 0; /* stop the parse */
}

static int
on_scalar (void *ctx)
{
  return on_value (ctx, 4);
}

static int
on_bool (void *ctx, int b)
{
  return on_value (ctx, b ? 4 : 5);
}

static int
on_number (void *ctx, const char *s, size_t n)
{
  (void)s;
  return on_value (ctx, n);
}

static int
on_string (void *ctx, const unsigned char *s, size_t n)
{
  (void)s;
  return on_value (ctx, n + 2);
}

static int
on_open (struct locator *l, bool is_array)
{
  if (on_value (l, 1) == 0)
    return 0;
  if (l->depth > JSON_MAX_DEPTH)
    return 0;
  memset (&l->stack[l->depth], 0, sizeof l->stack[l->depth]);
  l->stack[l->depth].is_array = is_array;
  l->depth++;
  return 1;
}

static int
on_start_map (void *ctx)
{
  return on_open (ctx, false);
}

static int
on_start_array (void *ctx)
{
  return on_open (ctx, true);
}

static int
on_end (void *ctx)
{
  struct locator *l = ctx;
  if (l->depth > 0)
    l->depth--;
  return 1;
}

static int
on_key (void *ctx, const unsigned char *key, size_t n)
{
  struct locator *l = ctx;
  struct frame *f = &l->stack[l->depth - 1];
  char path[1024];

  f->key_cut = n >= sizeof f->key;
  if (!f->key_cut)
    {
      memcpy (f->key, key, n);
      f->key[n] = '\0';
    }
  if (current_path (l, path, sizeof path) && strcmp (path, l->target) == 0)
    {
      /* The offset is just past the key: point at the key itself.  */
      l->found = true;
      l->offset = yajl_get_bytes_consumed (l->h);
      l->offset = l->offset >= n + 2 ? l->offset - n - 2 : 0;
      return 0;
    }
  return 1;
}

static const yajl_callbacks callbacks = {
  .yajl_null = on_scalar,
  .yajl_boolean = on_bool,
  .yajl_number = on_number,
  .yajl_string = on_string,
  .yajl_start_map = on_start_map,
  .yajl_map_key = on_key,
  .yajl_end_map = on_end,
  .yajl_start_array = on_start_array,
  .yajl_end_array = on_end,
};

struct json_position
json_position_of_offset (const char *text, size_t len, size_t offset)
{
  struct json_position pos = { 1, 1 };

  for (size_t i = 0; i < offset && i < len; i++)
    {
      if (text[i] == '\n')
        {
          pos.line++;
          pos.column = 1;
        }
      else
        pos.column++;
    }
  return pos;
}

bool
json_locate_path (const char *text, size_t len, const char *path, struct json_position *pos)
{
  struct locator l = { .target = path };
  yajl_status st;

  l.h = yajl_alloc (&callbacks, NULL, &l);
  if (l.h == NULL)
    return false;
  st = yajl_parse (l.h, (const unsigned char *)text, len);
  if (st == yajl_status_ok)
    yajl_complete_parse (l.h);
  yajl_free (l.h);
  if (!l.found)
    return false;
  *pos = json_position_of_offset (text, len, l.offset);
  return true;
}

bool
json_locate_syntax_error (const char *text, size_t len, struct json_position *pos)
{
  static const yajl_callbacks none = { 0 };
  yajl_handle h = yajl_alloc (&none, NULL, NULL);
  yajl_status st;
  size_t offset;

  if (h == NULL)
    return false;
  st = yajl_parse (h, (const unsigned char *)text, len);
  if (st == yajl_status_ok)
    st = yajl_complete_parse (h);
  offset = yajl_get_bytes_consumed (h);
  yajl_free (h);
  if (st == yajl_status_ok)
    return false;
  *pos = json_position_of_offset (text, len, st == yajl_status_error && offset < len ? offset : len);
  return true;
}
