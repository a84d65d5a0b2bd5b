/* SPDX-License-Identifier: Apache-2.0 */
/* Disk space of a tree (what `du` counts: allocated blocks), walked through
 * directory fds without following symlinks: `cordon system df`.  */
#ifndef CORDON_COMMON_TREE_SIZE_H
#define CORDON_COMMON_TREE_SIZE_H

#include <stdint.h>

/* Bytes allocated to `name` under `dirfd` and everything below it (hard
 * links counted once a directory).  Unreadable parts are skipped: a size
 * is an estimate, never a reason to fail.  */
uint64_t tree_size_at (int dirfd, const char *name);

#endif
