/* SPDX-License-Identifier: Apache-2.0 */
/* Seccomp enforcement.  The monitor compiles the filter (libseccomp) before
 * the sandbox is created, so that the workload's last steps before execve
 * are a single seccomp(2) call with a ready program.  */
#ifndef CORDON_SANDBOX_SECCOMP_H
#define CORDON_SANDBOX_SECCOMP_H

#include <linux/filter.h>
#include <stddef.h>

#include "sandbox/spec.h"

struct cordon_bpf
{
  struct sock_filter *insns;
  size_t n_insns;
  unsigned int flags; /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
};

/* Compiles `filter` for the native architecture and its compat ones (and any
 * listed in filter->architectures).  Fills `out`; free with seccomp_bpf_free.  */
int seccomp_filter_compile (const struct cordon_seccomp *filter, struct cordon_bpf *out, struct cordon_error *err);

/* Loads a compiled program into the calling thread with seccomp(2).  Needs
 * no_new_privs (or CAP_SYS_ADMIN).  Async-signal-safe apart from `err`.  */
int seccomp_bpf_install (const struct cordon_bpf *bpf, struct cordon_error *err);

void seccomp_bpf_free (struct cordon_bpf *bpf);

#endif
