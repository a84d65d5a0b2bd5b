/* SPDX-License-Identifier: Apache-2.0 */
/* Which user namespace cordon itself runs in.  Root of the host, root of a
 * user namespace (rootless podman runs its runtime in one; a rootless
 * sandbox on a bridge network runs in the per-user network holder's, see
 * netpolicy/holder.h) and an unprivileged user are three different cases:
 * euid 0 alone does not tell them apart.  */
#ifndef CORDON_COMMON_USERNS_H
#define CORDON_COMMON_USERNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One line of /proc/PID/uid_map or gid_map: `count` ids from `inside`
 * are `outside` onward in the parent namespace.  */
struct userns_extent
{
  uint32_t inside, outside, count;
};
/* The kernel allows 340 lines; the namespaces cordon makes have 1 or 2.  */
#define USERNS_EXTENTS_MAX 16

/* Reads a map file (/proc/self/uid_map).  Returns the number of lines
 * read (at most `max`), or -errno.  */
int userns_read_map (const char *file, struct userns_extent *out, size_t max);

/* True in the initial user namespace (uid_map "0 0 4294967295").  */
bool userns_is_initial (void);

/* Root of the host: euid 0 in the initial user namespace.  */
bool userns_host_root (void);

/* euid 0 in the user namespace that owns our mount namespace: mounts made
 * here are ours to make (host root, or root of an engine's user namespace
 * with its own mount namespace).  False in the network holder's user
 * namespace, which has no mount namespace of its own.  */
bool userns_can_mount (void);

/* `id` of our user namespace as its parent sees it (the host's uid when
 * the parent is the initial namespace); `id` itself when unmapped or in
 * the initial namespace.  For records that name the user.  */
uid_t userns_outer_uid (uid_t id);

#endif
