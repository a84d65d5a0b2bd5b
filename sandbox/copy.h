/* SPDX-License-Identifier: Apache-2.0 */
/* cordon cp: copies between the host and a running sandbox's root without
 * ever resolving a sandbox path on the host.  The sandbox side is reached
 * only through `rootfd` (its init's root, opened O_PATH from
 * /proc/PID/root): the named path resolves with openat2(RESOLVE_IN_ROOT),
 * so that `..` and symlinks stay inside, and everything below it is
 * opened one component at a time from the directory fd already held, with
 * RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS: a workload that swaps a directory
 * for a symlink while the copy runs makes the copy fail or land inside,
 * never read or write a host path (docker cp, CVE-2018-15664 and
 * CVE-2019-14271).  Files, directories (recursively), symlinks (as
 * symlinks) and modes are copied; FIFOs, sockets and devices are skipped;
 * set-user-id and set-group-id bits never leave a sandbox.  */
#ifndef CORDON_SANDBOX_COPY_H
#define CORDON_SANDBOX_COPY_H

#include <stdint.h>

#include "common/error.h"

struct sandbox_copy
{
  int rootfd;
  /* As root: the host ids of the sandbox's root, which the copy takes
   * (setfsuid) while it writes inside, so that what it makes belongs to
   * the sandbox and its user-namespace filesystems accept it.  -1: as we
   * are (rootless, where we are the sandbox's root).  */
  int64_t fsuid, fsgid;
  unsigned files, dirs, symlinks, skipped;
};

/* Host path `src` into sandbox path `dst`, with docker cp's rules: into
 * `dst` when it is a directory (SRC/. copies a directory's contents), as
 * `dst` otherwise.  */
int sandbox_copy_in (struct sandbox_copy *c, const char *src, const char *dst, struct cordon_error *err);

/* Sandbox path `src` to host path `dst`, with the same rules.  */
int sandbox_copy_out (struct sandbox_copy *c, const char *src, const char *dst, struct cordon_error *err);

#endif
