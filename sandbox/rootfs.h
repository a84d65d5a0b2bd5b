/* SPDX-License-Identifier: Apache-2.0 */
/* The sandbox's root filesystem: the caller's root directory bound
 * read-only (nosuid, nodev), the config's mounts on top (new mount API, every
 * destination resolved inside the root with openat2), a minimal /dev, then
 * pivot_root with the old root detached, then masked and read-only paths.  */
#ifndef CORDON_SANDBOX_ROOTFS_H
#define CORDON_SANDBOX_ROOTFS_H

#include <stdbool.h>
#include <stdint.h>

#include "sandbox/overlay.h"
#include "sandbox/spec.h"

struct rootfs_context
{
  const struct cordon_spec *spec;
  const int *bind_fds;           /* per spec mount: a detached tree the monitor cloned (as root), else -1 */
  const char *const *bind_paths; /* per spec mount: absolute host source for binds, else NULL */
  const struct overlay_plan *overlay; /* image root: layers to mount rootless, else NULL */
  int overlay_fd;                     /* image root the monitor mounted (as root), else -1 */
  bool has_netns;                /* sysfs can only be mounted by the owner of a network namespace */
  uint64_t tmpfs_max_bytes;      /* when no cgroup bounds memory: no tmpfs may hold more (0: no cap) */
};

/* Monitor side, before the sandbox exists: creates the missing mount points
 * that lie directly in the root (not inside another mount of the config), so
 * that the root can be made read-only before anything is mounted on it.  */
int rootfs_prepare_mount_points (const struct cordon_spec *spec, int rootfd, const char *const *bind_paths,
                                 struct cordon_error *err);

/* Monitor side, as root only: clones every bind source into a detached mount
 * while the host's view is still ours (the sandbox's mapped root may not be
 * able to reach the source path).  `fds` has spec->n_mounts entries.  */
int rootfs_open_bind_sources (const struct cordon_spec *spec, const char *const *bind_paths, int *fds,
                              struct cordon_error *err);

/* Init side, in the new mount namespace with the working directory at the
 * root directory: builds and enters the root.  */
int rootfs_setup (const struct rootfs_context *ctx, struct cordon_error *err);

/* After pivot_root: masks linux.maskedPaths and makes linux.readonlyPaths
 * read-only.  */
int rootfs_apply_path_policies (const struct cordon_spec *spec, struct cordon_error *err);

/* Populates a /dev tmpfs: binds of the host's null, zero, full, random,
 * urandom and tty, plus the usual symlinks.  `rootfd` is the new root.  */
int devices_populate (int rootfd, struct cordon_error *err);

#endif
