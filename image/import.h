/* SPDX-License-Identifier: Apache-2.0 */
/* Importing an image from files: OCI layout directories (oci:DIR[:TAG]),
 * tars of them (oci-archive:FILE[:TAG]) and `docker save` archives, legacy
 * and Docker >= 25 (docker-archive:FILE[:NAME]).  Every blob is verified by
 * digest and size as it is copied, the signatures beside the image are
 * checked against the trust policy before the manifest is used, each layer
 * is unpacked safely and its DiffID checked, and the record and the name are
 * written last.  */
#ifndef CORDON_IMAGE_IMPORT_H
#define CORDON_IMAGE_IMPORT_H

#include <stdbool.h>

#include "common/error.h"
#include "image/policy.h"
#include "image/record.h"
#include "image/store.h"

struct image_import_options
{
  const char *source; /* transport:path[:tag] */
  const char *name;   /* --name; NULL: the name the archive carries */
  const struct trust_policy *policy;
  bool progress; /* a progress line on stderr (a terminal) */
};

int image_import (struct image_store *store, const struct image_import_options *opts, struct image_record **out,
                  struct cordon_error *err);

/* Evaluates `policy` for `rec` as `name` (NULL: its first name) using the
 * signature payloads kept in the store.  */
int image_verify (struct image_store *store, const struct image_record *rec, const char *name,
                  const struct trust_policy *policy, struct trust_verdict *verdict, struct cordon_error *err);

/* Copies a verdict into the record.  */
int image_record_set_verdict (struct image_record *rec, const struct trust_verdict *v, const char *policy_digest,
                              struct cordon_error *err);

/* The policy in force: `path` (--policy), else
 * $XDG_CONFIG_HOME/cordon/policy.json (rootless), else
 * /etc/cordon/policy.json, else the built-in one (rejects everything).  */
int image_policy_load (const char *path, struct trust_policy **out, struct cordon_error *err);

/* Removes the blobs and layers no record refers to (store locked
 * exclusively).  Counts what went.  */
int image_store_gc (struct image_store *store, size_t *blobs, size_t *layers, struct cordon_error *err);

#endif
