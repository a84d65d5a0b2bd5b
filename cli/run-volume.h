/* SPDX-License-Identifier: Apache-2.0 */
/* `-v NAME:/dst[:ro]` in cordon run: the named volume is made on first
 * use, held (a shared flock) for as long as the run lasts, so that `volume
 * rm` refuses it, and bound like a host path.  */
#ifndef CORDON_CLI_RUN_VOLUME_H
#define CORDON_CLI_RUN_VOLUME_H

#include <stddef.h>

#include "common/error.h"
#include "sandbox/spec.h"

struct run_volumes
{
  int *lock_fds;
  char **names; /* NULL-terminated, for the sandbox's state */
  size_t n;
};

/* Adds the volume mount `arg` (NAME:DST[:OPTS]) to `spec`, from the store
 * at `store_path` (NULL: the default).  */
int run_volumes_add (struct run_volumes *rv, const char *store_path, struct cordon_spec *spec, const char *arg,
                     struct cordon_error *err);

void run_volumes_release (struct run_volumes *rv);

#endif
