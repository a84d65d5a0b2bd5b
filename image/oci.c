/* SPDX-License-Identifier: Apache-2.0 */
#include "image/oci.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"
#include "image/digest.h"

static const struct json_limits oci_limits = {
  .max_bytes = OCI_MAX_DOCUMENT,
  .max_items = 1u << 16,
  .max_string = 1u << 20,
};

static const char *const index_types[] = {
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
};
static const char *const manifest_types[] = {
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
};
static const char *const config_types[] = {
  "application/vnd.oci.image.config.v1+json",
  "application/vnd.docker.container.image.v1+json",
};

static bool
in_list (const char *s, const char *const *list, size_t n)
{
  for (size_t i = 0; s && i < n; i++)
    if (strcmp (s, list[i]) == 0)
      return true;
  return false;
}

bool
oci_media_type_is_index (const char *mt)
{
  return in_list (mt, index_types, 2);
}

bool
oci_media_type_is_manifest (const char *mt)
{
  return in_list (mt, manifest_types, 2);
}

bool
oci_media_type_is_config (const char *mt)
{
  return in_list (mt, config_types, 2);
}

const char *
oci_host_architecture (void)
{
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__i386__)
  return "386";
#elif defined(__arm__)
  return "arm";
#elif defined(__riscv) && __riscv_xlen == 64
  return "riscv64";
#elif defined(__s390x__)
  return "s390x";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return "ppc64le";
#else
  return "unknown";
#endif
}

static int
parse_document (const char *text, size_t len, const char *what, yajl_val *tree, struct cordon_error *err)
{
  int r = json_check_unique_keys (text, len, what, err);

  if (r < 0)
    return r;
  r = json_parse (text, len, &oci_limits, what, tree, err);
  if (r < 0)
    return r;
  return json_want_object (*tree, what, err);
}

static int
opt_string (yajl_val obj, const char *key, const char *where, char **out, struct cordon_error *err)
{
  yajl_val v = json_get (obj, key);
  char path[256];

  if (v == NULL)
    return 0;
  json_path (path, sizeof path, "%s.%s", where, key);
  return json_string (v, &oci_limits, path, out, err);
}

static int
schema_version_2 (yajl_val tree, const char *what, struct cordon_error *err)
{
  yajl_val v = json_get (tree, "schemaVersion");

  if (v == NULL || !YAJL_IS_INTEGER (v) || YAJL_GET_INTEGER (v) != 2)
    return cordon_error_set (err, EINVAL, "%s: schemaVersion must be 2 (Docker schema 1 is not supported)", what);
  return 0;
}

/* A document with schemaVersion 2 whose mediaType, when present, is `kind`.  */
static int
parse_versioned (const char *text, size_t len, const char *what, bool (*is_type) (const char *), const char *kind,
                 yajl_val *tree, struct cordon_error *err)
{
  cleanup_free char *mt = NULL;
  int r = parse_document (text, len, what, tree, err);

  if (r < 0)
    return r;
  r = schema_version_2 (*tree, what, err);
  if (r < 0)
    return r;
  r = opt_string (*tree, "mediaType", what, &mt, err);
  if (r < 0)
    return r;
  if (mt && !is_type (mt))
    return cordon_error_set (err, EINVAL, "%s: mediaType `%s` is not %s", what, mt, kind);
  return 0;
}

static int
parse_annotations (yajl_val obj, const char *where, struct oci_descriptor *d, struct cordon_error *err)
{
  yajl_val a = json_get (obj, "annotations");
  char path[256];
  int r;

  if (a == NULL)
    return 0;
  json_path (path, sizeof path, "%s.annotations", where);
  r = json_want_object (a, path, err);
  if (r < 0)
    return r;
  for (size_t i = 0; i < a->u.object.len; i++)
    if (!YAJL_IS_STRING (a->u.object.values[i]))
      return cordon_error_set (err, EINVAL, "%s[\"%s\"]: expected a string", path, a->u.object.keys[i]);
  r = opt_string (a, OCI_REF_NAME_ANNOTATION, path, &d->ref_name, err);
  if (r >= 0)
    r = opt_string (a, CONTAINERD_NAME_ANNOTATION, path, &d->image_name, err);
  if (r >= 0)
    r = opt_string (a, "kind", path, &d->kind, err);
  if (r >= 0)
    r = opt_string (a, "dev.cosignproject.cosign/signature", path, &d->signature, err);
  return r;
}

static int
parse_descriptor (yajl_val obj, const char *where, struct oci_descriptor *d, struct cordon_error *err)
{
  char path[256];
  int r;

  r = json_want_object (obj, where, err);
  if (r < 0)
    return r;
  json_path (path, sizeof path, "%s.mediaType", where);
  r = json_string (json_get (obj, "mediaType"), &oci_limits, path, &d->media_type, err);
  if (r < 0)
    return r;
  json_path (path, sizeof path, "%s.digest", where);
  r = json_string (json_get (obj, "digest"), &oci_limits, path, &d->digest, err);
  if (r < 0)
    return r;
  if (!digest_is_valid (d->digest))
    return cordon_error_set (err, EINVAL, "%s: unsupported or malformed digest `%s` (only sha256 is accepted)", path,
                             d->digest);
  json_path (path, sizeof path, "%s.size", where);
  r = json_i64 (json_get (obj, "size"), path, &d->size, err);
  if (r < 0)
    return r;
  if (d->size < 0)
    return cordon_error_set (err, EINVAL, "%s: negative size", path);
  r = parse_annotations (obj, where, d, err);
  if (r < 0)
    return r;
  yajl_val platform = json_get (obj, "platform");
  if (platform)
    {
      json_path (path, sizeof path, "%s.platform", where);
      r = json_want_object (platform, path, err);
      if (r >= 0)
        r = opt_string (platform, "os", path, &d->os, err);
      if (r >= 0)
        r = opt_string (platform, "architecture", path, &d->architecture, err);
      if (r >= 0)
        r = opt_string (platform, "variant", path, &d->variant, err);
    }
  return r;
}

static int
parse_descriptor_array (yajl_val arr, const char *where, size_t max, struct oci_descriptor **out, size_t *n,
                        struct cordon_error *err)
{
  int r = json_want_array (arr, &oci_limits, where, err);

  if (r < 0)
    return r;
  if (arr->u.array.len > max)
    return cordon_error_set (err, E2BIG, "%s: more than %zu entries", where, max);
  *out = calloc (arr->u.array.len + 1, sizeof **out);
  if (*out == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < arr->u.array.len; i++)
    {
      char path[256];
      json_path (path, sizeof path, "%s[%zu]", where, i);
      (*n)++;
      r = parse_descriptor (arr->u.array.values[i], path, &(*out)[i], err);
      if (r < 0)
        return r;
    }
  return 0;
}

int
oci_index_parse (const char *text, size_t len, const char *what, struct oci_index *out, struct cordon_error *err)
{
  cleanup_json yajl_val tree = NULL;
  char path[256];
  int r;

  r = parse_versioned (text, len, what, oci_media_type_is_index, "an image index", &tree, err);
  if (r < 0)
    return r;
  json_path (path, sizeof path, "%s: manifests", what);
  return parse_descriptor_array (json_get (tree, "manifests"), path, 4096, &out->manifests, &out->n_manifests, err);
}

int
oci_manifest_parse (const char *text, size_t len, const char *what, struct oci_manifest *out, struct cordon_error *err)
{
  cleanup_json yajl_val tree = NULL;
  char path[256];
  int r;

  r = parse_versioned (text, len, what, oci_media_type_is_manifest, "an image manifest", &tree, err);
  if (r < 0)
    return r;
  json_path (path, sizeof path, "%s: config", what);
  r = parse_descriptor (json_get (tree, "config"), path, &out->config, err);
  if (r < 0)
    return r;
  json_path (path, sizeof path, "%s: layers", what);
  return parse_descriptor_array (json_get (tree, "layers"), path, OCI_MAX_LAYERS, &out->layers, &out->n_layers, err);
}

static int
opt_strv (yajl_val obj, const char *key, const char *where, char ***out, struct cordon_error *err)
{
  yajl_val v = json_get (obj, key);
  char path[256];

  if (v == NULL || YAJL_IS_NULL (v))
    return 0;
  json_path (path, sizeof path, "%s.%s", where, key);
  return json_strv (v, &oci_limits, path, out, err);
}

static int
parse_exposed_ports (yajl_val cfg, struct oci_image_config *out, struct cordon_error *err)
{
  yajl_val ports = json_get (cfg, "ExposedPorts");

  if (ports == NULL || YAJL_IS_NULL (ports))
    return 0;
  if (!YAJL_IS_OBJECT (ports))
    return cordon_error_set (err, EINVAL, "config.ExposedPorts: expected an object");
  for (size_t i = 0; i < ports->u.object.len; i++)
    if (strv_append (&out->exposed_ports, ports->u.object.keys[i]) < 0)
      return cordon_error_set (err, ENOMEM, "out of memory");
  return 0;
}

static int
parse_run_config (yajl_val cfg, const char *what, struct oci_image_config *out, struct cordon_error *err)
{
  char where[256];
  int r;

  if (cfg == NULL || YAJL_IS_NULL (cfg))
    return 0;
  json_path (where, sizeof where, "%s: config", what);
  r = json_want_object (cfg, where, err);
  if (r >= 0)
    r = opt_string (cfg, "User", where, &out->user, err);
  if (r >= 0)
    r = opt_string (cfg, "WorkingDir", where, &out->working_dir, err);
  if (r >= 0)
    r = opt_string (cfg, "StopSignal", where, &out->stop_signal, err);
  if (r >= 0)
    r = opt_strv (cfg, "Env", where, &out->env, err);
  if (r >= 0)
    r = opt_strv (cfg, "Entrypoint", where, &out->entrypoint, err);
  if (r >= 0)
    r = opt_strv (cfg, "Cmd", where, &out->cmd, err);
  if (r >= 0)
    r = parse_exposed_ports (cfg, out, err);
  return r;
}

int
oci_config_parse (const char *text, size_t len, const char *what, struct oci_image_config *out,
                  struct cordon_error *err)
{
  cleanup_json yajl_val tree = NULL;
  cleanup_free char *type = NULL;
  yajl_val rootfs;
  char where[256];
  int r;

  r = parse_document (text, len, what, &tree, err);
  if (r < 0)
    return r;
  r = opt_string (tree, "os", what, &out->os, err);
  if (r >= 0)
    r = opt_string (tree, "architecture", what, &out->architecture, err);
  if (r >= 0)
    r = opt_string (tree, "variant", what, &out->variant, err);
  if (r >= 0)
    r = parse_run_config (json_get (tree, "config"), what, out, err);
  if (r < 0)
    return r;
  rootfs = json_get (tree, "rootfs");
  json_path (where, sizeof where, "%s: rootfs", what);
  r = json_want_object (rootfs, where, err);
  if (r >= 0)
    r = opt_string (rootfs, "type", where, &type, err);
  if (r < 0)
    return r;
  if (type == NULL || strcmp (type, "layers") != 0)
    return cordon_error_set (err, EINVAL, "%s.type must be \"layers\"", where);
  json_path (where, sizeof where, "%s: rootfs.diff_ids", what);
  r = json_strv (json_get (rootfs, "diff_ids"), &oci_limits, where, &out->diff_ids, err);
  if (r < 0)
    return r;
  out->n_diff_ids = strv_length (out->diff_ids);
  if (out->n_diff_ids > OCI_MAX_LAYERS)
    return cordon_error_set (err, E2BIG, "%s: more than %d layers", where, OCI_MAX_LAYERS);
  for (size_t i = 0; i < out->n_diff_ids; i++)
    if (!digest_is_valid (out->diff_ids[i]))
      return cordon_error_set (err, EINVAL, "%s[%zu]: malformed digest `%s`", where, i, out->diff_ids[i]);
  return 0;
}

void
oci_descriptor_release (struct oci_descriptor *d)
{
  char **fields[] = { &d->media_type, &d->digest, &d->ref_name, &d->image_name, &d->kind,
                      &d->signature,  &d->os,     &d->architecture, &d->variant };

  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    {
      free (*fields[i]);
      *fields[i] = NULL;
    }
}

static void
release_descriptors (struct oci_descriptor *d, size_t n)
{
  for (size_t i = 0; d && i < n; i++)
    oci_descriptor_release (&d[i]);
  free (d);
}

void
oci_index_release (struct oci_index *idx)
{
  release_descriptors (idx->manifests, idx->n_manifests);
  idx->manifests = NULL;
  idx->n_manifests = 0;
}

void
oci_manifest_release (struct oci_manifest *m)
{
  oci_descriptor_release (&m->config);
  release_descriptors (m->layers, m->n_layers);
  m->layers = NULL;
  m->n_layers = 0;
}

void
oci_config_release (struct oci_image_config *c)
{
  char **strs[] = { &c->os, &c->architecture, &c->variant, &c->user, &c->working_dir, &c->stop_signal };
  char ***vecs[] = { &c->env, &c->entrypoint, &c->cmd, &c->exposed_ports, &c->diff_ids };

  for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
    {
      free (*strs[i]);
      *strs[i] = NULL;
    }
  for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++)
    {
      strv_free (*vecs[i]);
      *vecs[i] = NULL;
    }
  c->n_diff_ids = 0;
}
