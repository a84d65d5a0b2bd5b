/* SPDX-License-Identifier: Apache-2.0 */
/* Which user namespace cordon itself runs in.  Root of the host, root of a
 * user namespace (rootless podman runs its runtime in one; a rootless
 * sandbox on a bridge network runs in the per-user network holder's, see
 * netpolicy/holder.h) and an unprivileged user are three different cases:
 * euid 0 alone does not tell them apart.  */
#ifndef CORDON_COMMON_USERNS_H
#define CORDON_COMMON_USERNS_H

#include <stdbool.h>
#include <sys/types.h>

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
