/* SPDX-License-Identifier: Apache-2.0 */
/* Legacy `docker save` archives (Docker < 25, and skopeo's docker-archive):
 * manifest.json names a config file and layer tars.  There is no manifest
 * digest, hence no signature: only a policy that accepts anything lets one
 * in.  The record is keyed by the config digest (Docker's image id).  */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"
#include "image/digest.h"
#include "image/import-private.h"

static const struct json_limits docker_limits = {
  .max_bytes = OCI_MAX_DOCUMENT,
  .max_items = 4096,
  .max_string = 4096,
};

struct save_item
{
  char *config;
  char **repo_tags;
  char **layers;
};

static void
save_item_release (struct save_item *it)
{
  free (it->config);
  strv_free (it->repo_tags);
  strv_free (it->layers);
}

static bool
item_has_tag (const struct save_item *it, const char *name)
{
  for (char **t = it->repo_tags; t && *t; t++)
    if (strcmp (*t, name) == 0)
      return true;
  return false;
}

static int
pick_item (struct import_state *st, const char *name, struct save_item *out, struct cordon_error *err)
{
  cleanup_free char *text = NULL;
  cleanup_json yajl_val tree = NULL;
  size_t len;
  int r;

  r = image_source_read_member (st->src, "manifest.json", OCI_MAX_DOCUMENT, &text, &len, err);
  if (r < 0)
    return cordon_error_wrap (err, "not an OCI layout nor a docker save archive");
  r = json_check_unique_keys (text, len, "manifest.json", err);
  if (r >= 0)
    r = json_parse (text, len, &docker_limits, "manifest.json", &tree, err);
  if (r >= 0)
    r = json_want_array (tree, &docker_limits, "manifest.json", err);
  if (r < 0)
    return r;
  if (tree->u.array.len == 0)
    return cordon_error_set (err, ENOENT, "manifest.json lists no image");
  if (name == NULL && tree->u.array.len > 1)
    return cordon_error_set (err, EINVAL, "the archive holds %zu images: name one with docker-archive:FILE:NAME:TAG",
                             tree->u.array.len);
  for (size_t i = 0; i < tree->u.array.len; i++)
    {
      yajl_val item = tree->u.array.values[i];
      struct save_item it = { 0 };
      yajl_val tags = json_get (item, "RepoTags");
      r = json_want_object (item, "manifest.json[]", err);
      if (r >= 0)
        r = json_string (json_get (item, "Config"), &docker_limits, "manifest.json[].Config", &it.config, err);
      if (r >= 0)
        r = json_strv (json_get (item, "Layers"), &docker_limits, "manifest.json[].Layers", &it.layers, err);
      if (r >= 0 && tags && !YAJL_IS_NULL (tags))
        r = json_strv (tags, &docker_limits, "manifest.json[].RepoTags", &it.repo_tags, err);
      if (r < 0)
        {
          save_item_release (&it);
          return r;
        }
      if (name == NULL || item_has_tag (&it, name))
        {
          *out = it;
          return 0;
        }
      save_item_release (&it);
    }
  return cordon_error_set (err, ENOENT, "no image tagged `%s` in the archive", name);
}

/* Docker names the config "<hex>.json" (legacy) or "blobs/sha256/<hex>":
 * either way the name is a digest the content must have.  */
static int
check_config_name (const char *member, const char *digest, struct cordon_error *err)
{
  const char *base = strrchr (member, '/') ? strrchr (member, '/') + 1 : member;
  size_t n = strlen (base);

  if (n >= 64 && strncmp (base, digest_hex (digest), 64) == 0 && (n == 64 || strcmp (base + 64, ".json") == 0))
    return 0;
  if (n == 69 || n == 64)
    return cordon_error_set (err, EBADMSG, "config `%s` does not hash to its name (%s)", member, digest);
  return 0; /* some writers use other names: the DiffIDs still bind the layers */
}

int
import_docker_legacy (struct import_state *st, const char *name, struct cordon_error *err)
{
  struct save_item it = { 0 };
  struct oci_image_config cfg = { 0 };
  cleanup_free char *text = NULL;
  char digest[DIGEST_SHA256_LEN + 1];
  size_t len, n_layers;
  int r;

  r = pick_item (st, name, &it, err);
  if (r < 0)
    return r;
  if (st->name == NULL && it.repo_tags && it.repo_tags[0])
    st->name = strdup (it.repo_tags[0]);
  r = image_source_read_member (st->src, it.config, OCI_MAX_DOCUMENT, &text, &len, err);
  if (r >= 0)
    r = image_store_put_blob_buffer (st->store, text, len, digest, err);
  if (r >= 0)
    r = check_config_name (it.config, digest, err);
  if (r >= 0)
    r = oci_config_parse (text, len, it.config, &cfg, err);
  if (r < 0)
    goto out;
  st->rec->config = strdup (digest);
  st->rec->id = strdup (digest_hex (digest));
  st->rec->size = len;
  n_layers = strv_length (it.layers);
  st->rec->layers = calloc (n_layers + 1, sizeof *st->rec->layers);
  if (st->rec->config == NULL || st->rec->id == NULL || st->rec->layers == NULL)
    {
      r = cordon_error_set (err, ENOMEM, "out of memory");
      goto out;
    }
  r = import_resolve_name (st, err);
  if (r >= 0)
    r = import_check_policy (st, err);
  if (r < 0)
    goto out;
  for (size_t i = 0; i < n_layers; i++)
    {
      struct image_record_layer *l = &st->rec->layers[st->rec->n_layers++];
      cleanup_close int fd = image_source_open_member (st->src, it.layers[i], err);
      char blob[DIGEST_SHA256_LEN + 1];
      if (fd < 0)
        {
          r = fd;
          goto out;
        }
      r = image_store_put_blob (st->store, fd, NULL, -1, 4ull << 30, blob, err);
      if (r < 0)
        goto out;
      l->digest = strdup (blob);
      l->media_type = strdup ("application/vnd.docker.image.rootfs.diff.tar");
      if (l->digest == NULL || l->media_type == NULL)
        {
          r = cordon_error_set (err, ENOMEM, "out of memory");
          goto out;
        }
    }
  st->sniff_compression = true;
  r = import_layers (st, &cfg, err);
out:
  save_item_release (&it);
  oci_config_release (&cfg);
  return r;
}
