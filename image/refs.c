/* SPDX-License-Identifier: Apache-2.0 */
/* refs.json: {"name": "id", ...}, read whole and replaced atomically under
 * refs.lock, so that concurrent imports never lose each other's names.  */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fd-util.h"
#include "common/json-gen.h"
#include "common/json.h"
#include "common/strv.h"
#include "image/digest.h"
#include "image/record.h"
#include "image/reference.h"

static const struct json_limits refs_limits = {
  .max_bytes = 16u << 20,
  .max_items = 1u << 20,
  .max_string = 4096,
};

/* name, id, name, id, ..., NULL  */
static int
read_refs (struct image_store *store, char ***pairs, struct cordon_error *err)
{
  cleanup_close int fd = openat (store->dirfd, "refs.json", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  cleanup_free char *text = NULL;
  cleanup_json yajl_val tree = NULL;
  cleanup_strv char **out = calloc (1, sizeof *out);
  size_t len;
  int r;

  if (out == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  if (fd < 0 && errno == ENOENT)
    {
      *pairs = steal_pointer (&out);
      return 0;
    }
  if (fd < 0)
    return cordon_error_set (err, errno, "open `%s/refs.json`", store->path);
  r = fd_read_all (fd, refs_limits.max_bytes, &text, &len);
  if (r < 0)
    return cordon_error_set (err, -r, "read `%s/refs.json`", store->path);
  r = json_parse (text, len, &refs_limits, "refs.json", &tree, err);
  if (r >= 0)
    r = json_want_object (tree, "refs.json", err);
  if (r < 0)
    return r;
  for (size_t i = 0; i < tree->u.object.len; i++)
    {
      yajl_val v = tree->u.object.values[i];
      if (!YAJL_IS_STRING (v))
        return cordon_error_set (err, EINVAL, "refs.json: %s: expected a string", tree->u.object.keys[i]);
      if (strv_append (&out, tree->u.object.keys[i]) < 0 || strv_append (&out, YAJL_GET_STRING (v)) < 0)
        return cordon_error_set (err, ENOMEM, "out of memory");
    }
  *pairs = steal_pointer (&out);
  return 0;
}

static int
write_refs (struct image_store *store, char **pairs, struct cordon_error *err)
{
  cleanup_jgen yajl_gen g = jg_new (true);
  cleanup_free char *text = NULL;
  size_t len;
  int r;

  if (g == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  yajl_gen_map_open (g);
  for (size_t i = 0; pairs[i] && pairs[i + 1]; i += 2)
    jg_kv_str (g, pairs[i], pairs[i + 1]);
  yajl_gen_map_close (g);
  r = jg_finish (g, &text, &len, err);
  if (r < 0)
    return r;
  return image_store_write_file (store, "refs.json", text, len, err);
}

static int
lock_refs (struct image_store *store, struct cordon_error *err)
{
  int fd = openat (store->dirfd, "refs.lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0)
    return cordon_error_set (err, errno, "open `%s/refs.lock`", store->path);
  if (flock (fd, LOCK_EX) < 0)
    {
      int e = errno;
      close (fd);
      return cordon_error_set (err, e, "lock `%s/refs.lock`", store->path);
    }
  return fd;
}

/* Sets (id != NULL) or removes (id == NULL) `name`.  */
static int
update_ref (struct image_store *store, const char *name, const char *id, struct cordon_error *err)
{
  cleanup_close int lockfd = lock_refs (store, err);
  cleanup_strv char **pairs = NULL;
  cleanup_strv char **next = calloc (1, sizeof *next);
  bool found = false;
  int r;

  if (lockfd < 0)
    return lockfd;
  if (next == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  r = read_refs (store, &pairs, err);
  if (r < 0)
    return r;
  for (size_t i = 0; pairs[i] && pairs[i + 1]; i += 2)
    {
      const char *value = pairs[i + 1];
      if (strcmp (pairs[i], name) == 0)
        {
          found = true;
          if (id == NULL)
            continue;
          value = id;
        }
      if (strv_append (&next, pairs[i]) < 0 || strv_append (&next, value) < 0)
        return cordon_error_set (err, ENOMEM, "out of memory");
    }
  if (!found && id == NULL)
    return cordon_error_set (err, ENOENT, "no image named %s", name);
  if (!found && (strv_append (&next, name) < 0 || strv_append (&next, id) < 0))
    return cordon_error_set (err, ENOMEM, "out of memory");
  return write_refs (store, next, err);
}

int
image_refs_set (struct image_store *store, const char *name, const char *id, struct cordon_error *err)
{
  return update_ref (store, name, id, err);
}

int
image_refs_remove (struct image_store *store, const char *name, struct cordon_error *err)
{
  return update_ref (store, name, NULL, err);
}

int
image_refs_list (struct image_store *store, char ***pairs, struct cordon_error *err)
{
  return read_refs (store, pairs, err);
}

static int
lookup_id_prefix (struct image_store *store, const char *prefix, char **id, struct cordon_error *err)
{
  cleanup_strv char **ids = NULL;
  const char *match = NULL;
  size_t n = strlen (prefix);
  int r = image_record_list (store, &ids, err);

  if (r < 0)
    return r;
  for (char **p = ids; *p; p++)
    if (strncmp (*p, prefix, n) == 0)
      {
        if (match)
          return cordon_error_set (err, EINVAL, "image id prefix `%s` is ambiguous", prefix);
        match = *p;
      }
  if (match == NULL)
    return cordon_error_set (err, ENOENT, "no such image: %s", prefix);
  *id = strdup (match);
  return *id ? 0 : cordon_error_set (err, ENOMEM, "out of memory");
}

static bool
looks_like_id_prefix (const char *s)
{
  size_t n = strspn (s, "0123456789abcdef");

  return n >= 4 && n <= 64 && s[n] == '\0';
}

int
image_lookup (struct image_store *store, const char *text, char **id, struct cordon_error *err)
{
  cleanup_strv char **pairs = NULL;
  cleanup_free char *full = NULL;
  struct image_reference ref = { 0 };
  cleanup_error struct cordon_error ref_err = { 0 };
  int r;

  if (strncmp (text, "sha256:", 7) == 0)
    {
      if (!digest_is_valid (text))
        return cordon_error_set (err, EINVAL, "malformed digest `%s`", text);
      return lookup_id_prefix (store, digest_hex (text), id, err);
    }
  r = read_refs (store, &pairs, err);
  if (r < 0)
    return r;
  if (image_reference_parse (text, &ref, &ref_err) >= 0)
    {
      full = image_reference_string (&ref);
      image_reference_release (&ref);
      for (size_t i = 0; full && pairs[i] && pairs[i + 1]; i += 2)
        if (strcmp (pairs[i], full) == 0)
          {
            *id = strdup (pairs[i + 1]);
            return *id ? 0 : cordon_error_set (err, ENOMEM, "out of memory");
          }
    }
  /* Docker: an id prefix when no name matches.  */
  if (looks_like_id_prefix (text))
    return lookup_id_prefix (store, text, id, err);
  return cordon_error_set (err, ENOENT, "no such image: %s%s%s%s", text, ref_err.msg ? " (" : "",
                           ref_err.msg ? ref_err.msg : "", ref_err.msg ? ")" : "");
}

const char *
image_record_name_for (const struct image_record *rec, const char *ref)
{
  struct image_reference parsed = { 0 };
  cleanup_error struct cordon_error ignored = { 0 };
  cleanup_free char *full = NULL;

  if (image_reference_parse (ref, &parsed, &ignored) >= 0)
    {
      full = image_reference_string (&parsed);
      image_reference_release (&parsed);
    }
  for (char **n = rec->names; full && n && *n; n++)
    if (strcmp (*n, full) == 0)
      return *n;
  return rec->names ? rec->names[0] : NULL;
}
