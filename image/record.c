/* SPDX-License-Identifier: Apache-2.0 */
#include "image/record.h"

#include <dirent.h>
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

static const struct json_limits record_limits = {
  .max_bytes = 16u << 20,
  .max_items = 1u << 16,
  .max_string = 1u << 20,
};

void
image_record_free (struct image_record *rec)
{
  if (rec == NULL)
    return;
  free (rec->id);
  free (rec->manifest);
  free (rec->config);
  strv_free (rec->names);
  free (rec->source);
  for (size_t i = 0; i < rec->n_layers; i++)
    {
      free (rec->layers[i].digest);
      free (rec->layers[i].media_type);
      free (rec->layers[i].diff_id);
    }
  free (rec->layers);
  for (size_t i = 0; i < rec->n_sigs; i++)
    {
      free (rec->sigs[i].payload);
      free (rec->sigs[i].signature);
    }
  free (rec->sigs);
  free (rec->verdict.scope);
  free (rec->verdict.requirement);
  free (rec->verdict.key);
  free (rec->verdict.reason);
  free (rec->verdict.policy);
  free (rec);
}

static void
config_to_json (yajl_gen g, const struct oci_image_config *c)
{
  jg_str (g, "config");
  yajl_gen_map_open (g);
  jg_kv_str (g, "os", c->os);
  jg_kv_str (g, "architecture", c->architecture);
  jg_kv_str (g, "User", c->user);
  jg_kv_str (g, "WorkingDir", c->working_dir);
  jg_kv_str (g, "StopSignal", c->stop_signal);
  jg_kv_strv (g, "Env", c->env);
  jg_kv_strv (g, "Entrypoint", c->entrypoint);
  jg_kv_strv (g, "Cmd", c->cmd);
  jg_kv_strv (g, "ExposedPorts", c->exposed_ports);
  yajl_gen_map_close (g);
}

int
image_record_to_json (const struct image_record *rec, bool pretty, char **text, struct cordon_error *err)
{
  return image_record_to_json_with_config (rec, NULL, pretty, text, err);
}

int
image_record_to_json_with_config (const struct image_record *rec, const struct oci_image_config *cfg, bool pretty,
                                  char **text, struct cordon_error *err)
{
  cleanup_jgen yajl_gen g = jg_new (pretty);

  if (g == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  yajl_gen_map_open (g);
  jg_kv_str (g, "id", rec->id);
  jg_kv_str (g, "manifest", rec->manifest);
  jg_kv_str (g, "config", rec->config);
  jg_kv_strv (g, "names", rec->names);
  jg_kv_str (g, "source", rec->source);
  jg_kv_i64 (g, "imported", rec->imported);
  jg_kv_u64 (g, "size", rec->size);
  jg_str (g, "layers");
  yajl_gen_array_open (g);
  for (size_t i = 0; i < rec->n_layers; i++)
    {
      yajl_gen_map_open (g);
      jg_kv_str (g, "digest", rec->layers[i].digest);
      jg_kv_str (g, "mediaType", rec->layers[i].media_type);
      jg_kv_i64 (g, "size", rec->layers[i].size);
      jg_kv_str (g, "diffID", rec->layers[i].diff_id);
      yajl_gen_map_close (g);
    }
  yajl_gen_array_close (g);
  jg_str (g, "signatures");
  yajl_gen_array_open (g);
  for (size_t i = 0; i < rec->n_sigs; i++)
    {
      yajl_gen_map_open (g);
      jg_kv_str (g, "payload", rec->sigs[i].payload);
      jg_kv_str (g, "signature", rec->sigs[i].signature);
      yajl_gen_map_close (g);
    }
  yajl_gen_array_close (g);
  jg_str (g, "verdict");
  yajl_gen_map_open (g);
  jg_kv_bool (g, "accepted", rec->verdict.accepted);
  jg_kv_str (g, "scope", rec->verdict.scope);
  jg_kv_str (g, "requirement", rec->verdict.requirement);
  jg_kv_str (g, "key", rec->verdict.key);
  jg_kv_str (g, "reason", rec->verdict.reason);
  jg_kv_str (g, "policy", rec->verdict.policy);
  yajl_gen_map_close (g);
  if (cfg)
    config_to_json (g, cfg);
  yajl_gen_map_close (g);
  return jg_finish (g, text, NULL, err);
}

int
image_record_save (struct image_store *store, const struct image_record *rec, struct cordon_error *err)
{
  cleanup_free char *text = NULL;
  cleanup_free char *rel = NULL;
  size_t len;
  int r = image_record_to_json (rec, true, &text, err);

  if (r < 0)
    return r;
  len = strlen (text);
  if (asprintf (&rel, "images/%s.json", rec->id) < 0)
    return cordon_error_set (err, ENOMEM, "out of memory");
  return image_store_write_file (store, rel, text, len, err);
}

static int
get_str (yajl_val obj, const char *key, bool optional, char **out, struct cordon_error *err)
{
  yajl_val v = json_get (obj, key);

  if (v == NULL || YAJL_IS_NULL (v))
    return optional ? 0 : cordon_error_set (err, EINVAL, "image record: missing %s", key);
  return json_string (v, &record_limits, key, out, err);
}

static bool
is_hex64 (const char *s)
{
  size_t n = 0;

  for (; s[n]; n++)
    if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
      return false;
  return n == 64;
}

static int
load_layers (yajl_val arr, struct image_record *rec, struct cordon_error *err)
{
  int r = json_want_array (arr, &record_limits, "image record: layers", err);

  if (r < 0)
    return r;
  rec->layers = calloc (arr->u.array.len + 1, sizeof *rec->layers);
  if (rec->layers == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < arr->u.array.len; i++)
    {
      yajl_val l = arr->u.array.values[i];
      struct image_record_layer *dst = &rec->layers[rec->n_layers++];
      r = get_str (l, "digest", false, &dst->digest, err);
      if (r >= 0)
        r = get_str (l, "mediaType", false, &dst->media_type, err);
      if (r >= 0)
        r = get_str (l, "diffID", false, &dst->diff_id, err);
      if (r >= 0)
        r = json_i64 (json_get (l, "size"), "image record: layers.size", &dst->size, err);
      if (r < 0)
        return r;
      if (!digest_is_valid (dst->digest) || !digest_is_valid (dst->diff_id))
        return cordon_error_set (err, EINVAL, "image record: malformed layer digest");
    }
  return 0;
}

static int
load_sigs (yajl_val arr, struct image_record *rec, struct cordon_error *err)
{
  int r = json_want_array (arr, &record_limits, "image record: signatures", err);

  if (r < 0)
    return r;
  rec->sigs = calloc (arr->u.array.len + 1, sizeof *rec->sigs);
  if (rec->sigs == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < arr->u.array.len; i++)
    {
      struct image_record_signature *dst = &rec->sigs[rec->n_sigs++];
      r = get_str (arr->u.array.values[i], "payload", false, &dst->payload, err);
      if (r >= 0)
        r = get_str (arr->u.array.values[i], "signature", false, &dst->signature, err);
      if (r < 0)
        return r;
      if (!digest_is_valid (dst->payload))
        return cordon_error_set (err, EINVAL, "image record: malformed payload digest");
    }
  return 0;
}

static int
load_verdict (yajl_val v, struct image_record *rec, struct cordon_error *err)
{
  int r = json_want_object (v, "image record: verdict", err);

  if (r >= 0)
    r = json_bool (json_get (v, "accepted"), "image record: verdict.accepted", &rec->verdict.accepted, err);
  if (r >= 0)
    r = get_str (v, "scope", true, &rec->verdict.scope, err);
  if (r >= 0)
    r = get_str (v, "requirement", true, &rec->verdict.requirement, err);
  if (r >= 0)
    r = get_str (v, "key", true, &rec->verdict.key, err);
  if (r >= 0)
    r = get_str (v, "reason", true, &rec->verdict.reason, err);
  if (r >= 0)
    r = get_str (v, "policy", true, &rec->verdict.policy, err);
  return r;
}

int
image_record_load (struct image_store *store, const char *id, struct image_record **out, struct cordon_error *err)
{
  cleanup_free char *rel = NULL;
  cleanup_free char *text = NULL;
  cleanup_close int fd = -1;
  cleanup_json yajl_val tree = NULL;
  struct image_record *rec;
  size_t len;
  int r;

  if (!is_hex64 (id))
    return cordon_error_set (err, EINVAL, "malformed image id `%s`", id);
  if (asprintf (&rel, "images/%s.json", id) < 0)
    return cordon_error_set (err, ENOMEM, "out of memory");
  fd = openat (store->dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return cordon_error_set (err, errno, "no image %.12s in the store", id);
  r = fd_read_all (fd, record_limits.max_bytes, &text, &len);
  if (r < 0)
    return cordon_error_set (err, -r, "read image record %.12s", id);
  r = json_parse (text, len, &record_limits, "image record", &tree, err);
  if (r < 0)
    return r;
  rec = calloc (1, sizeof *rec);
  if (rec == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  r = get_str (tree, "id", false, &rec->id, err);
  if (r >= 0)
    r = get_str (tree, "manifest", true, &rec->manifest, err);
  if (r >= 0)
    r = get_str (tree, "config", false, &rec->config, err);
  if (r >= 0)
    r = json_strv (json_get (tree, "names"), &record_limits, "image record: names", &rec->names, err);
  if (r >= 0)
    r = get_str (tree, "source", true, &rec->source, err);
  if (r >= 0)
    r = json_i64 (json_get (tree, "imported"), "image record: imported", &rec->imported, err);
  if (r >= 0)
    r = json_u64 (json_get (tree, "size"), "image record: size", &rec->size, err);
  if (r >= 0)
    r = load_layers (json_get (tree, "layers"), rec, err);
  if (r >= 0)
    r = load_sigs (json_get (tree, "signatures"), rec, err);
  if (r >= 0)
    r = load_verdict (json_get (tree, "verdict"), rec, err);
  if (r >= 0 && (strcmp (rec->id, id) != 0 || !digest_is_valid (rec->config)
                 || (rec->manifest && !digest_is_valid (rec->manifest))))
    r = cordon_error_set (err, EINVAL, "image record %.12s is inconsistent", id);
  if (r < 0)
    {
      image_record_free (rec);
      return r;
    }
  *out = rec;
  return 0;
}

int
image_record_list (struct image_store *store, char ***ids, struct cordon_error *err)
{
  cleanup_strv char **out = calloc (1, sizeof *out);
  int fd = openat (store->dirfd, "images", O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  DIR *d;
  struct dirent *e;

  if (out == NULL)
    {
      if (fd >= 0)
        close (fd);
      return cordon_error_set (err, ENOMEM, "out of memory");
    }
  if (fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      int e2 = errno;
      if (fd >= 0)
        close (fd);
      return cordon_error_set (err, e2, "list `%s/images`", store->path);
    }
  while ((e = readdir (d)))
    {
      size_t n = strlen (e->d_name);
      char id[65];
      if (n != 69 || strcmp (e->d_name + 64, ".json") != 0)
        continue;
      memcpy (id, e->d_name, 64);
      id[64] = '\0';
      if (is_hex64 (id) && strv_append (&out, id) < 0)
        {
          closedir (d);
          return cordon_error_set (err, ENOMEM, "out of memory");
        }
    }
  closedir (d);
  *ids = steal_pointer (&out);
  return 0;
}

int
image_records_lock (struct image_store *store, struct cordon_error *err)
{
  int fd = openat (store->dirfd, "records.lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0)
    return cordon_error_set (err, errno, "open `%s/records.lock`", store->path);
  if (flock (fd, LOCK_EX) < 0)
    {
      int e = errno;
      close (fd);
      return cordon_error_set (err, e, "lock `%s/records.lock`", store->path);
    }
  return fd;
}

static bool
has_payload (const struct image_record *rec, const char *payload)
{
  for (size_t i = 0; i < rec->n_sigs; i++)
    if (strcmp (rec->sigs[i].payload, payload) == 0)
      return true;
  return false;
}

int
image_record_merge (struct image_record *rec, const struct image_record *old, struct cordon_error *err)
{
  struct image_record_signature *sigs;

  for (char **n = old->names; n && *n; n++)
    {
      bool seen = false;
      for (char **m = rec->names; m && *m; m++)
        seen |= strcmp (*m, *n) == 0;
      if (!seen && strv_append (&rec->names, *n) < 0)
        return cordon_error_set (err, ENOMEM, "out of memory");
    }
  sigs = realloc (rec->sigs, (rec->n_sigs + old->n_sigs + 1) * sizeof *sigs);
  if (sigs == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  rec->sigs = sigs;
  for (size_t i = 0; i < old->n_sigs; i++)
    {
      struct image_record_signature *dst;
      if (has_payload (rec, old->sigs[i].payload))
        continue;
      dst = &rec->sigs[rec->n_sigs];
      dst->payload = strdup (old->sigs[i].payload);
      dst->signature = strdup (old->sigs[i].signature);
      if (dst->payload == NULL || dst->signature == NULL)
        {
          free (dst->payload);
          free (dst->signature);
          return cordon_error_set (err, ENOMEM, "out of memory");
        }
      rec->n_sigs++;
    }
  return 0;
}
