/* SPDX-License-Identifier: Apache-2.0 */
#include "image/import.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "image/cosign.h"
#include "image/digest.h"
#include "image/import-private.h"
#include "image/oci.h"
#include "image/reference.h"
#include "image/source.h"

#define MAX_INDEX_DEPTH 4
#define MAX_SIGNATURES 16
#define MAX_LAYER_BLOB (4ull << 30)

void
import_progress (struct import_state *st, const char *what)
{
  if (!st->opts->progress)
    return;
  fprintf (stderr, "\r\033[Kimporting %s: layer %zu/%zu, %.1f MiB%s", st->rec->id ? st->rec->id : "", st->layers_done,
           st->layers_total, (double)st->bytes / (1 << 20), what ? what : "");
  fflush (stderr);
}

static int
copy_blob (struct import_state *st, const struct oci_descriptor *d, uint64_t max, struct cordon_error *err)
{
  cleanup_free char *name = NULL;
  cleanup_close int fd = -1;

  if ((uint64_t)d->size > max)
    return cordon_error_set (err, EFBIG, "blob %s: %" PRId64 " bytes is more than the %" PRIu64 " allowed", d->digest,
                             d->size, max);
  if (asprintf (&name, "blobs/sha256/%s", digest_hex (d->digest)) < 0)
    return cordon_error_set (err, ENOMEM, "out of memory");
  fd = image_source_open_member (st->src, name, err);
  if (fd < 0)
    return cordon_error_wrap (err, "blob %s", d->digest);
  st->bytes += (uint64_t)d->size;
  return image_store_put_blob (st->store, fd, d->digest, d->size, max, NULL, err);
}

static int
read_stored (struct import_state *st, const struct oci_descriptor *d, char **text, size_t *len,
             struct cordon_error *err)
{
  int r = copy_blob (st, d, OCI_MAX_DOCUMENT, err);

  if (r < 0)
    return r;
  return image_store_read_blob (st->store, d->digest, OCI_MAX_DOCUMENT, text, len, err);
}

static bool
is_signature_entry (const struct oci_descriptor *d)
{
  return (d->ref_name && strncmp (d->ref_name, "sha256-", 7) == 0 && strlen (d->ref_name) == 7 + 64 + 4
          && strcmp (d->ref_name + 71, ".sig") == 0)
         || (d->kind && strcmp (d->kind, "dev.cosignproject.cosign/sigs") == 0);
}

static bool
matches_tag (const struct oci_descriptor *d, const char *tag)
{
  size_t n, t = strlen (tag);

  if (d->ref_name && strcmp (d->ref_name, tag) == 0)
    return true;
  if (d->image_name == NULL)
    return false;
  n = strlen (d->image_name);
  if (strcmp (d->image_name, tag) == 0)
    return true;
  return n > t && d->image_name[n - t - 1] == ':' && strcmp (d->image_name + n - t, tag) == 0;
}

/* The image manifest for this host from a (nested) index.  */
static int
pick_platform (struct import_state *st, const struct oci_descriptor *d, int depth, struct oci_descriptor *out,
               struct cordon_error *err)
{
  cleanup_free char *text = NULL;
  struct oci_index idx = { 0 };
  size_t len;
  int r;

  if (oci_media_type_is_manifest (d->media_type))
    {
      *out = *d;
      return 1; /* borrowed */
    }
  if (!oci_media_type_is_index (d->media_type))
    return cordon_error_set (err, EINVAL, "%s: media type `%s` is not an image", d->digest, d->media_type);
  if (depth >= MAX_INDEX_DEPTH)
    return cordon_error_set (err, ELOOP, "image indexes nested more than %d deep", MAX_INDEX_DEPTH);
  r = read_stored (st, d, &text, &len, err);
  if (r >= 0)
    r = oci_index_parse (text, len, d->digest, &idx, err);
  for (size_t i = 0; r >= 0 && i < idx.n_manifests; i++)
    {
      struct oci_descriptor *m = &idx.manifests[i];
      if ((m->os && strcmp (m->os, "linux") != 0)
          || (m->architecture && strcmp (m->architecture, oci_host_architecture ()) != 0))
        continue;
      r = pick_platform (st, m, depth + 1, out, err);
      if (r == 1)
        {
          /* Take ownership out of the index being freed.  */
          *out = *m;
          memset (m, 0, sizeof *m);
          r = 2;
        }
      break;
    }
  oci_index_release (&idx);
  if (r == 0)
    return cordon_error_set (err, ENOENT, "index %s has no image for linux/%s", d->digest, oci_host_architecture ());
  return r;
}

static int
select_manifest (struct import_state *st, const struct oci_index *idx, const char *tag, struct cordon_error *err)
{
  const struct oci_descriptor *pick = NULL;
  size_t candidates = 0;

  for (size_t i = 0; i < idx->n_manifests; i++)
    {
      const struct oci_descriptor *d = &idx->manifests[i];
      if (is_signature_entry (d) || !(oci_media_type_is_manifest (d->media_type) || oci_media_type_is_index (d->media_type)))
        continue; /* unknown media types are skipped, as the spec says */
      candidates++;
      if (tag == NULL || matches_tag (d, tag))
        {
          if (pick && tag)
            return cordon_error_set (err, EINVAL, "several images in the layout are tagged `%s`", tag);
          pick = d;
        }
    }
  if (tag == NULL && candidates > 1)
    return cordon_error_set (err, EINVAL, "the layout holds %zu images: name one with oci:DIR:TAG", candidates);
  if (pick == NULL)
    return cordon_error_set (err, ENOENT, tag ? "no image tagged `%s` in the layout" : "the layout holds no image%s",
                             tag ? tag : "");
  if (st->name == NULL && pick->image_name)
    st->name = strdup (pick->image_name);
  int r = pick_platform (st, pick, 0, &st->manifest_desc, err);
  if (r == 2)
    st->manifest_desc_owned = true;
  return r < 0 ? r : 0;
}

/* cosign's sha256-<hex>.sig manifest, if the layout has one: its payloads
 * go into the store and the record.  */
static int
collect_signatures (struct import_state *st, const struct oci_index *idx, struct cordon_error *err)
{
  char tag[80];
  const struct oci_descriptor *sigd = NULL;
  cleanup_free char *text = NULL;
  struct oci_manifest sm = { 0 };
  size_t len;
  int r;

  snprintf (tag, sizeof tag, "sha256-%s.sig", digest_hex (st->rec->manifest));
  for (size_t i = 0; i < idx->n_manifests; i++)
    if (idx->manifests[i].ref_name && strcmp (idx->manifests[i].ref_name, tag) == 0)
      sigd = &idx->manifests[i];
  if (sigd == NULL)
    return 0;
  if (!oci_media_type_is_manifest (sigd->media_type))
    return cordon_error_set (err, EINVAL, "signature entry %s is not a manifest", tag);
  r = read_stored (st, sigd, &text, &len, err);
  if (r >= 0)
    r = oci_manifest_parse (text, len, tag, &sm, err);
  if (r < 0)
    goto out;
  st->rec->sigs = calloc (sm.n_layers + 1, sizeof *st->rec->sigs);
  if (st->rec->sigs == NULL)
    {
      r = cordon_error_set (err, ENOMEM, "out of memory");
      goto out;
    }
  for (size_t i = 0; i < sm.n_layers && st->rec->n_sigs < MAX_SIGNATURES; i++)
    {
      struct oci_descriptor *l = &sm.layers[i];
      struct image_record_signature *s;
      if (strcmp (l->media_type, COSIGN_PAYLOAD_MEDIA_TYPE) != 0 || l->signature == NULL)
        continue;
      r = copy_blob (st, l, OCI_MAX_DOCUMENT, err);
      if (r < 0)
        goto out;
      s = &st->rec->sigs[st->rec->n_sigs++];
      s->payload = strdup (l->digest);
      s->signature = strdup (l->signature);
      if (s->payload == NULL || s->signature == NULL)
        {
          r = cordon_error_set (err, ENOMEM, "out of memory");
          goto out;
        }
    }
out:
  oci_manifest_release (&sm);
  return r;
}

/* The name the image is imported as, in full ("docker.io/library/x:tag").  */
int
import_resolve_name (struct import_state *st, struct cordon_error *err)
{
  struct image_reference ref = { 0 };
  const char *given = st->opts->name ? st->opts->name : st->name;
  char *full;
  int r;

  if (given == NULL)
    return cordon_error_set (err, EINVAL, "the image carries no name: give one with --name NAME[:TAG]");
  r = image_reference_parse (given, &ref, err);
  if (r < 0)
    return cordon_error_wrap (err, "image name");
  full = image_reference_string (&ref);
  image_reference_release (&ref);
  if (full == NULL || strv_append (&st->rec->names, full) < 0)
    {
      free (full);
      return cordon_error_set (err, ENOMEM, "out of memory");
    }
  free (full);
  return 0;
}

int
import_check_policy (struct import_state *st, struct cordon_error *err)
{
  struct trust_verdict v = { 0 };
  int r = image_verify (st->store, st->rec, st->rec->names[0], st->opts->policy, &v, err);

  if (r >= 0)
    r = image_record_set_verdict (st->rec, &v, trust_policy_digest (st->opts->policy), err);
  if (r >= 0 && !v.accepted)
    r = cordon_error_set (err, 0, "%s is rejected by the trust policy (%s): %s", st->rec->names[0],
                          trust_policy_source (st->opts->policy), v.reason ? v.reason : "no reason given");
  trust_verdict_release (&v);
  return r;
}

int
import_layers (struct import_state *st, const struct oci_image_config *cfg, struct cordon_error *err)
{
  st->layers_total = st->rec->n_layers;
  if (cfg->n_diff_ids != st->rec->n_layers)
    return cordon_error_set (err, EINVAL, "the config lists %zu layers (rootfs.diff_ids), the manifest %zu",
                             cfg->n_diff_ids, st->rec->n_layers);
  for (size_t i = 0; i < st->rec->n_layers; i++)
    {
      struct image_record_layer *l = &st->rec->layers[i];
      struct unpack_stats stats = { 0 };
      enum layer_compression c;
      int r;

      l->diff_id = strdup (cfg->diff_ids[i]);
      if (l->diff_id == NULL)
        return cordon_error_set (err, ENOMEM, "out of memory");
      if (st->sniff_compression)
        {
          cleanup_close int fd = image_store_open_blob (st->store, l->digest, err);
          r = fd < 0 ? fd : layer_compression_sniff (fd, &c, err);
        }
      else
        r = layer_compression_from_media_type (l->media_type, &c, err);
      if (r >= 0)
        r = image_store_unpack_layer (st->store, l->digest, c, l->diff_id, &stats, err);
      if (r < 0)
        return r;
      st->layers_done++;
      import_progress (st, NULL);
    }
  return 0;
}

static int
import_oci (struct import_state *st, const char *tag, struct cordon_error *err)
{
  cleanup_free char *text = NULL;
  struct oci_index idx = { 0 };
  struct oci_manifest m = { 0 };
  struct oci_image_config cfg = { 0 };
  size_t len;
  int r;

  r = image_source_read_member (st->src, "oci-layout", 4096, &text, &len, err);
  if (r >= 0 && strstr (text, "\"imageLayoutVersion\"") == NULL)
    r = cordon_error_set (err, EINVAL, "oci-layout: no imageLayoutVersion");
  free (steal_pointer (&text));
  if (r >= 0)
    r = image_source_read_member (st->src, "index.json", OCI_MAX_DOCUMENT, &text, &len, err);
  if (r >= 0)
    r = oci_index_parse (text, len, "index.json", &idx, err);
  free (steal_pointer (&text));
  if (r >= 0)
    r = select_manifest (st, &idx, tag, err);
  if (r < 0)
    goto out;
  st->rec->manifest = strdup (st->manifest_desc.digest);
  st->rec->id = strdup (digest_hex (st->manifest_desc.digest));
  if (st->rec->manifest == NULL || st->rec->id == NULL)
    {
      r = cordon_error_set (err, ENOMEM, "out of memory");
      goto out;
    }
  r = read_stored (st, &st->manifest_desc, &text, &len, err);
  /* Signatures are checked before the manifest is parsed further.  */
  if (r >= 0)
    r = import_resolve_name (st, err);
  if (r >= 0)
    r = collect_signatures (st, &idx, err);
  if (r >= 0)
    r = import_check_policy (st, err);
  if (r >= 0)
    r = oci_manifest_parse (text, len, st->rec->manifest, &m, err);
  free (steal_pointer (&text));
  if (r < 0)
    goto out;
  if (!oci_media_type_is_config (m.config.media_type))
    {
      r = cordon_error_set (err, EINVAL, "%s is not a runnable image (config media type `%s`)", st->rec->manifest,
                            m.config.media_type);
      goto out;
    }
  r = read_stored (st, &m.config, &text, &len, err);
  if (r >= 0)
    r = oci_config_parse (text, len, m.config.digest, &cfg, err);
  if (r < 0)
    goto out;
  st->rec->config = strdup (m.config.digest);
  st->rec->layers = calloc (m.n_layers + 1, sizeof *st->rec->layers);
  if (st->rec->config == NULL || st->rec->layers == NULL)
    {
      r = cordon_error_set (err, ENOMEM, "out of memory");
      goto out;
    }
  st->rec->size = (uint64_t)st->manifest_desc.size + (uint64_t)m.config.size;
  for (size_t i = 0; i < m.n_layers; i++)
    {
      struct image_record_layer *l = &st->rec->layers[st->rec->n_layers++];
      enum layer_compression c;
      r = layer_compression_from_media_type (m.layers[i].media_type, &c, err);
      if (r >= 0)
        r = copy_blob (st, &m.layers[i], MAX_LAYER_BLOB, err);
      if (r < 0)
        goto out;
      l->digest = strdup (m.layers[i].digest);
      l->media_type = strdup (m.layers[i].media_type);
      l->size = m.layers[i].size;
      st->rec->size += (uint64_t)l->size;
      if (l->digest == NULL || l->media_type == NULL)
        {
          r = cordon_error_set (err, ENOMEM, "out of memory");
          goto out;
        }
    }
  r = import_layers (st, &cfg, err);
out:
  oci_index_release (&idx);
  oci_manifest_release (&m);
  oci_config_release (&cfg);
  return r;
}

/* "transport:path[:tag]"; a bare path is guessed: a directory is an OCI
 * layout, a file an archive (OCI inside when it has index.json).  */
static int
parse_source (const char *spec, char **transport, char **path, char **tag, struct cordon_error *err)
{
  const char *colon = strchr (spec, ':');
  const char *rest = spec;
  const char *last;
  struct stat st;

  if (colon && (strncmp (spec, "oci:", 4) == 0 || strncmp (spec, "oci-archive:", 12) == 0
                || strncmp (spec, "docker-archive:", 15) == 0))
    {
      *transport = strndup (spec, (size_t)(colon - spec));
      rest = colon + 1;
    }
  else
    *transport = NULL;
  /* A tag after the last ':' only when the whole string is not a file.  */
  last = strrchr (rest, ':');
  if (last && stat (rest, &st) < 0)
    {
      *path = strndup (rest, (size_t)(last - rest));
      *tag = strdup (last + 1);
      if (*path == NULL || *tag == NULL)
        return cordon_error_set (err, ENOMEM, "out of memory");
    }
  else
    {
      *path = strdup (rest);
      *tag = NULL;
      if (*path == NULL)
        return cordon_error_set (err, ENOMEM, "out of memory");
    }
  if (*transport == NULL)
    {
      if (stat (*path, &st) < 0)
        return cordon_error_set (err, errno, "image source `%s`", *path);
      *transport = strdup (S_ISDIR (st.st_mode) ? "oci" : "archive");
    }
  return *transport ? 0 : cordon_error_set (err, ENOMEM, "out of memory");
}

static int
open_source (struct import_state *st, const char *transport, const char *path, struct cordon_error *err)
{
  if (strcmp (transport, "oci") == 0)
    return image_source_open_dir (path, &st->src, err);
  return image_source_open_archive (path, st->store, &st->src, err);
}

/* The record and its names, merged with what an earlier import of the same
 * image recorded.  */
static int
save_record (struct image_store *store, struct image_record *rec, struct cordon_error *err)
{
  cleanup_close int lockfd = image_records_lock (store, err);
  cleanup_image_record struct image_record *old = NULL;
  cleanup_error struct cordon_error none = { 0 };
  int r = 0;

  if (lockfd < 0)
    return lockfd;
  if (image_record_load (store, rec->id, &old, &none) >= 0)
    r = image_record_merge (rec, old, err);
  if (r >= 0)
    r = image_record_save (store, rec, err);
  for (char **n = rec->names; r >= 0 && n && *n; n++)
    r = image_refs_set (store, *n, rec->id, err);
  return r;
}

int
image_import (struct image_store *store, const struct image_import_options *opts, struct image_record **out,
              struct cordon_error *err)
{
  cleanup_free char *transport = NULL;
  cleanup_free char *path = NULL;
  cleanup_free char *tag = NULL;
  struct import_state st = { .store = store, .opts = opts };
  int r;

  st.rec = calloc (1, sizeof *st.rec);
  if (st.rec == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  r = parse_source (opts->source, &transport, &path, &tag, err);
  if (r >= 0)
    r = open_source (&st, transport, path, err);
  if (r < 0)
    goto out;
  st.rec->source = strdup (opts->source);
  st.rec->imported = (int64_t)time (NULL);
  if (image_source_has (st.src, "index.json") || strcmp (transport, "oci") == 0
      || strcmp (transport, "oci-archive") == 0)
    r = import_oci (&st, tag, err);
  else
    r = import_docker_legacy (&st, tag, err);
  if (r < 0)
    goto out;
  r = save_record (store, st.rec, err);
  if (r >= 0)
    *out = steal_pointer (&st.rec);
out:
  if (opts->progress)
    fputs ("\r\033[K", stderr);
  image_source_close (st.src);
  image_record_free (st.rec);
  free (st.name);
  if (st.manifest_desc_owned)
    oci_descriptor_release (&st.manifest_desc);
  return r < 0 ? cordon_error_wrap (err, "import %s", opts->source) : 0;
}
