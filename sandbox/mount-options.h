/* SPDX-License-Identifier: Apache-2.0 */
/* OCI mount options ("ro", "nosuid", "size=64m", ...) split into what the new
 * mount API wants: MOUNT_ATTR_* bits for mount_setattr/fsmount, and the
 * filesystem parameters for fsconfig.  */
#ifndef CORDON_SANDBOX_MOUNT_OPTIONS_H
#define CORDON_SANDBOX_MOUNT_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "sandbox/spec.h"

#define MOUNT_MAX_FS_PARAMS 32

struct mount_options
{
  uint64_t attr_set;
  uint64_t attr_clr;
  bool recursive;                                 /* rbind (the default for binds) */
  bool is_bind;                                   /* type "bind" or a bind/rbind option */
  const char *fs_params[MOUNT_MAX_FS_PARAMS + 1]; /* borrowed from the spec; "key=value" or "flag" */
  size_t n_fs_params;
};

/* Parses `mount`'s type and options.  Fails on an option that makes no sense
 * for the mount (e.g. "size=" on a bind) or on too many parameters.  */
int mount_options_parse (const struct cordon_mount *mount, struct mount_options *out, struct cordon_error *err);

/* Applies one "key=value" / "flag" parameter to an fsopen() context.  */
int mount_options_fsconfig (int fsfd, const char *param, struct cordon_error *err);

#endif
