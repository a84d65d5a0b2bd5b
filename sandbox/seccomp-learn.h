/* SPDX-License-Identifier: Apache-2.0 */
/* Learning what a workload calls (cordon profile learn).  The workload runs
 * under a filter that sends every syscall but a tiny bootstrap set to the
 * monitor (SECCOMP_RET_USER_NOTIF); the monitor records the syscall, and for
 * clone, unshare, socket and personality the argument that a profile filters
 * on, then lets the call go on (SECCOMP_USER_NOTIF_FLAG_CONTINUE).  Letting
 * every call through is safe only because the sandbox's other layers
 * (namespaces, no capabilities, no_new_privs, Landlock, the read-only root)
 * still hold: the filter observes, it does not confine.  */
#ifndef CORDON_SANDBOX_SECCOMP_LEARN_H
#define CORDON_SANDBOX_SECCOMP_LEARN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandbox/seccomp.h"

#define SECCOMP_LEARN_MAX_NAMES 512
#define SECCOMP_LEARN_MAX_PERSONALITIES 16

/* The namespace flags clone and unshare take; a learned profile allows only
 * those of them that were used.  */
/* CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET; not NEWTIME
 * (0x80), which in clone's flags is a bit of the exit signal.  */
#define SECCOMP_LEARN_NS_FLAGS 0x7e020000ull

/* What the monitor saw.  Fixed-size: it is filled one notification at a
 * time while the workload waits, and must not fail on allocation.  */
struct seccomp_learned
{
  char names[SECCOMP_LEARN_MAX_NAMES][32]; /* in the order first seen */
  size_t n_names;
  uint64_t names_dropped;   /* syscalls beyond the table: the profile would lack them */
  uint64_t calls;           /* notifications answered */
  uint64_t clone_ns;        /* namespace flags seen in clone's flags */
  uint64_t unshare_ns;      /* ... in unshare's */
  bool unshare_other;       /* unshare of something but namespaces (CLONE_FILES, ...) */
  uint64_t socket_families; /* 1 << AF_* */
  bool socket_any;          /* a family past 63, or socketcall: no family filter */
  uint32_t personalities[SECCOMP_LEARN_MAX_PERSONALITIES];
  size_t n_personalities;
  bool personality_any; /* more values than the table holds */
};

/* Compiles the learning filter: NOTIFY for everything but close, exit,
 * exit_group and sendmsg on `handover_fd` (what the workload does between
 * installing the filter and handing the listener over), and ENOSYS for
 * clone3 (its flags sit behind a pointer a filter cannot read; every libc
 * then falls back to clone, whose flags it can), with
 * SECCOMP_FILTER_FLAG_NEW_LISTENER.  */
int seccomp_learn_compile (int handover_fd, struct cordon_bpf *out, struct cordon_error *err);

/* Records one pending notification on `listener` in `learned` and lets the
 * syscall go on.  Returns 0, or -errno when the listener is unusable.  */
int seccomp_learn_answer (int listener, struct seccomp_learned *learned);

/* Records one syscall by name with its arguments (what seccomp_learn_answer
 * does after resolving the number); for tests.  */
void seccomp_learned_add (struct seccomp_learned *learned, const char *name, const uint64_t args[6]);

/* Whether `name` was seen.  */
bool seccomp_learned_has (const struct seccomp_learned *learned, const char *name);

#endif
