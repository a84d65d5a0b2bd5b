/* SPDX-License-Identifier: Apache-2.0 */
/* The smallest profile that lets a learned workload run (cordon profile
 * learn): an allow-list of exactly the syscalls it made, argument filters
 * for the namespace flags of clone and unshare, the socket families and
 * the personalities it used, and ENOSYS for everything else, as the
 * built-in profiles answer.  */
#ifndef CORDON_PROFILES_PROFILE_LEARN_H
#define CORDON_PROFILES_PROFILE_LEARN_H

#include "profiles/profile.h"
#include "sandbox/seccomp-learn.h"

struct profile_learn_options
{
  const char *name;    /* the profile's name (a valid profile name) */
  const char *command; /* what was run, for the description; may be NULL */
  /* The other layers (capabilities, Landlock, AppArmor, required) are taken
   * from this resolved profile; NULL: no capabilities, Landlock from the
   * mount plan, seccomp and capabilities required.  */
  const struct cordon_profile *from;
};

/* Syscalls every learned profile allows, seen or not: what cordon itself
 * calls to start the workload under the profile (execve, close) and what
 * the kernel may make a process call without asking (rt_sigreturn,
 * restart_syscall, exit, exit_group).  NULL-terminated.  */
extern const char *const profile_learn_always[];

int profile_from_learned (const struct seccomp_learned *learned, const struct profile_learn_options *opts,
                          struct cordon_profile **out, struct cordon_error *err);

#endif
