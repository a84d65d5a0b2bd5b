/* SPDX-License-Identifier: Apache-2.0 */
/* Named volumes, as Docker has them, in the image store:
 *
 *   STORE/volumes/NAME/        0700, flocked: shared by every run that
 *                              mounts it, exclusive by `volume rm`
 *   STORE/volumes/NAME/_data   what the sandbox sees; owned by the
 *                              sandbox's root (the caller rootless, the
 *                              mapped range's root as root)
 *
 * A volume appears whole (made under tmp/, published by rename) and
 * disappears whole (renamed into tmp/, then removed).  It belongs to no
 * sandbox: removing a sandbox leaves its volumes.  */
#ifndef CORDON_IMAGE_VOLUME_H
#define CORDON_IMAGE_VOLUME_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "image/store.h"

#define VOLUME_NAME_MAX 128

/* Docker's rule for a local volume name: [a-zA-Z0-9][a-zA-Z0-9_.-]+.  */
bool volume_name_valid (const char *name);

/* Is the source of `-v SRC:DST` a volume name (not a host path)?  */
bool volume_arg_is_named (const char *arg);

/* Creates volume `name` unless it exists; *created says which.  */
int volume_create (struct image_store *store, const char *name, bool *created, struct cordon_error *err);

bool volume_exists (struct image_store *store, const char *name);

/* Absolute path of the volume's _data (heap).  */
char *volume_data_path (const struct image_store *store, const char *name);

/* Creates `name` when missing and takes the shared lock a run holds while
 * the volume is mounted.  Returns the lock fd (close to release; it is
 * O_CLOEXEC, and the monitor of a detached run inherits it).  */
int volume_acquire (struct image_store *store, const char *name, struct cordon_error *err);

/* Every volume name, sorted (NULL-terminated, heap).  */
int volume_list (struct image_store *store, char ***names, struct cordon_error *err);

/* Seconds since the epoch it was made, 0 when unknown.  */
int64_t volume_created (struct image_store *store, const char *name);

/* Bytes used by its data.  */
uint64_t volume_size (struct image_store *store, const char *name);

/* Removes `name`, refusing (-EBUSY, Docker's words) while a run holds it.
 * The caller has checked that no sandbox record names it.  */
int volume_remove (struct image_store *store, const char *name, struct cordon_error *err);

#endif
