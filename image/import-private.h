/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the import paths (OCI layout, legacy docker save).  */
#ifndef CORDON_IMAGE_IMPORT_PRIVATE_H
#define CORDON_IMAGE_IMPORT_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/import.h"
#include "image/oci.h"
#include "image/source.h"

struct import_state
{
  struct image_store *store;
  const struct image_import_options *opts;
  struct image_source *src;
  struct image_record *rec;
  char *name; /* the name the source carries, when --name is not given */
  struct oci_descriptor manifest_desc;
  bool manifest_desc_owned;
  bool sniff_compression; /* docker save: layer.tar may be compressed */
  size_t layers_done, layers_total;
  uint64_t bytes;
};

/* Fills rec->names[0] from --name or st->name.  */
int import_resolve_name (struct import_state *st, struct cordon_error *err);
/* Evaluates the trust policy; fails when it rejects the image.  */
int import_check_policy (struct import_state *st, struct cordon_error *err);
/* Unpacks rec->layers (blobs already stored) and checks their DiffIDs.  */
int import_layers (struct import_state *st, const struct oci_image_config *cfg, struct cordon_error *err);
int import_docker_legacy (struct import_state *st, const char *name, struct cordon_error *err);
void import_progress (struct import_state *st, const char *what);

#endif
