/* SPDX-License-Identifier: Apache-2.0 */
/* A root filesystem made of image layers: a read-only overlayfs whose lower
 * directories are unpacked layers (whiteouts as 0/0 devices, opaque
 * directories as user.overlay.opaque, hence `userxattr`), optionally with a
 * writable upper directory.  Built with the new mount API as a detached
 * mount; the sandbox attaches it as its root.  */
#ifndef CORDON_SANDBOX_OVERLAY_H
#define CORDON_SANDBOX_OVERLAY_H

#include <stddef.h>

#include "common/error.h"

struct overlay_plan
{
  char **lowers; /* absolute paths, topmost first, NULL-terminated */
  char *upper;   /* NULL: read-only */
  char *work;    /* with upper: an empty directory on the same filesystem */
};

/* Creates the overlay as a detached mount (read-only unless there is an
 * upper; always nosuid and nodev) and returns its fd.  Lower directories go
 * one by one ("lowerdir+", Linux 6.8) or, on older kernels, as one
 * colon-separated option.  */
int overlay_mount (const struct overlay_plan *plan, struct cordon_error *err);

void overlay_plan_release (struct overlay_plan *plan);

#endif
