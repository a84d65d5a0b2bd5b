/* SPDX-License-Identifier: Apache-2.0 */
/* Compiled seccomp programs cached on disk, keyed by a SHA-256 (nettle: no
 * start-up cost) of everything the program depends on: the filter, the
 * libseccomp version, the kernel and the architecture.  Compiling cordon's
 * baseline with libseccomp costs ~10 ms; reading it back costs ~50 us.
 *
 * The cache is an optimisation, never a trust anchor: a file is used only
 * when it is a regular file owned by us in a directory owned by us and not
 * writable by others, its key matches, and its program matches the digest
 * stored with it.  Anything else is compiled afresh.  */
#ifndef CORDON_SANDBOX_SECCOMP_CACHE_H
#define CORDON_SANDBOX_SECCOMP_CACHE_H

#include <stdint.h>

#include "sandbox/seccomp.h"

#define SECCOMP_CACHE_KEY_SIZE 32

/* Like seccomp_filter_compile, through the cache in `dir` (NULL: the
 * default, $XDG_CACHE_HOME/cordon/seccomp or /var/cache/cordon/seccomp as
 * root).  *hit tells whether the cache answered.  */
int seccomp_filter_compile_cached (const struct cordon_seccomp *filter, const char *dir, struct cordon_bpf *out,
                                   bool *hit, struct cordon_error *err);

/* The cache key of `filter` on this host.  */
void seccomp_cache_key (const struct cordon_seccomp *filter, uint8_t key[SECCOMP_CACHE_KEY_SIZE]);

#endif
