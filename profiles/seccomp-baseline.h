/* SPDX-License-Identifier: Apache-2.0 */
/* cordon's default seccomp filter, as data.  The profile system may replace
 * or edit it; sandbox/seccomp.c compiles whatever it is given.  */
#ifndef CORDON_PROFILES_SECCOMP_BASELINE_H
#define CORDON_PROFILES_SECCOMP_BASELINE_H

#include "sandbox/spec.h"

/* Builds the baseline filter: an allow-list of ordinary syscalls, EPERM for
 * the kernel attack surface a sandbox never needs (keys, bpf, perf,
 * userfaultfd, io_uring, ptrace, modules, mounts, new user namespaces, ...),
 * ENOSYS for everything else so that libc falls back (clone3 -> clone).
 * Free with seccomp_spec_free.  */
int seccomp_baseline_new (struct cordon_seccomp **out, struct cordon_error *err);

#endif
