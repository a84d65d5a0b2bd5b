/* SPDX-License-Identifier: Apache-2.0 */
/* Image records (images/<id>.json) and names (refs.json).  A record is what
 * an import proved: the manifest and config digests, the layers with their
 * DiffIDs, the signatures found beside the image, and the trust verdict.
 * `run --image` verifies the signatures again against the policy in force.  */
#ifndef CORDON_IMAGE_RECORD_H
#define CORDON_IMAGE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "image/oci.h"
#include "image/store.h"

struct image_record_layer
{
  char *digest; /* blob as stored (compressed) */
  char *media_type;
  int64_t size;
  char *diff_id;
};

struct image_record_signature
{
  char *payload; /* digest of the payload blob */
  char *signature;
};

struct image_record
{
  char *id;       /* 64 hex: of the manifest, or of the config for a legacy docker save */
  char *manifest; /* NULL for a legacy docker save (no manifest, no signature) */
  char *config;
  char **names; /* full references */
  char *source;
  int64_t imported; /* unix time */
  uint64_t size;    /* bytes of blobs */
  struct image_record_layer *layers;
  size_t n_layers;
  struct image_record_signature *sigs;
  size_t n_sigs;
  struct
  {
    bool accepted;
    char *scope, *requirement, *key, *reason, *policy;
  } verdict;
};

void image_record_free (struct image_record *rec);
#define cleanup_image_record __attribute__ ((cleanup (image_record_freep)))
static inline void
image_record_freep (struct image_record **r)
{
  if (*r)
    image_record_free (*r);
}

/* Serialises read-modify-write of records (import merging into an existing
 * record, sign, tag, rm): an fd holding records.lock exclusively.  */
int image_records_lock (struct image_store *store, struct cordon_error *err);

/* Adds the names and signatures of `old` that `rec` lacks: importing an
 * image again under another name, or unsigned, keeps what it had.  */
int image_record_merge (struct image_record *rec, const struct image_record *old, struct cordon_error *err);

int image_record_save (struct image_store *store, const struct image_record *rec, struct cordon_error *err);
int image_record_load (struct image_store *store, const char *id, struct image_record **out, struct cordon_error *err);
/* Every record id in the store.  */
int image_record_list (struct image_store *store, char ***ids, struct cordon_error *err);
/* The record as JSON text (what `image inspect --json` prints).  */
int image_record_to_json (const struct image_record *rec, bool pretty, char **text, struct cordon_error *err);
/* The same with the image config's run settings under "config".  */
int image_record_to_json_with_config (const struct image_record *rec, const struct oci_image_config *cfg, bool pretty,
                                      char **text, struct cordon_error *err);

/* refs.json.  `name` is a full reference ("docker.io/library/busybox:latest").  */
int image_refs_set (struct image_store *store, const char *name, const char *id, struct cordon_error *err);
int image_refs_remove (struct image_store *store, const char *name, struct cordon_error *err);
/* Pairs name, id, name, id, ..., NULL.  */
int image_refs_list (struct image_store *store, char ***pairs, struct cordon_error *err);

/* Finds the record meant by `text`: a name (Docker's short forms allowed),
 * "sha256:<hex>", or a unique prefix of an id.  */
int image_lookup (struct image_store *store, const char *text, char **id, struct cordon_error *err);

/* The policy is evaluated for the name a command was given (as
 * containers/image does for the reference it pulls): `ref` when it names
 * `rec`, else the record's first name (an id or digest was given).  */
const char *image_record_name_for (const struct image_record *rec, const char *ref);

#endif
