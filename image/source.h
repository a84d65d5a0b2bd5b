/* SPDX-License-Identifier: Apache-2.0 */
/* Where an import reads from: an OCI layout directory, or a tar (an
 * oci-archive or a `docker save`) that is never extracted: its regular
 * members are copied under the store's tmp/ with generated names and looked
 * up by their exact archive name, so a hostile member name never becomes a
 * path.  A symlink member is followed once, inside the archive (skopeo's
 * docker-archive writes `<id>/layer.tar -> ../<hex>.tar`).  */
#ifndef CORDON_IMAGE_SOURCE_H
#define CORDON_IMAGE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "image/store.h"

struct image_source;

int image_source_open_dir (const char *path, struct image_source **out, struct cordon_error *err);
int image_source_open_archive (const char *path, struct image_store *store, struct image_source **out,
                               struct cordon_error *err);
void image_source_close (struct image_source *src);
#define cleanup_image_source __attribute__ ((cleanup (image_source_closep)))
static inline void
image_source_closep (struct image_source **s)
{
  if (*s)
    image_source_close (*s);
}

bool image_source_has (struct image_source *src, const char *name);
/* A regular file of the source, open for reading.  */
int image_source_open_member (struct image_source *src, const char *name, struct cordon_error *err);
int image_source_read_member (struct image_source *src, const char *name, size_t max, char **buf, size_t *len,
                              struct cordon_error *err);

#endif
