/* SPDX-License-Identifier: Apache-2.0 */
/* What runs inside the sandbox: init (pid 1), which builds the root and then
 * forks the workload, reaps zombies and forwards signals; and the workload's
 * last steps before execve.  */
#ifndef CORDON_SANDBOX_INIT_H
#define CORDON_SANDBOX_INIT_H

#include <stdbool.h>
#include <stdint.h>

#include "sandbox/idmap.h"
#include "sandbox/oci-hooks.h"
#include "sandbox/rootfs.h"
#include "sandbox/seccomp.h"
#include "sandbox/spec.h"

/* What the workload writes to init when it cannot execve.  */
struct exec_report
{
  int32_t exit_code;
  char text[1000];
};

struct init_context
{
  const struct cordon_spec *spec;
  const struct idmap_plan *idmap;
  const struct cordon_bpf *bpf; /* NULL: no seccomp filter (unconfined by request) */
  struct rootfs_context rootfs;
  int sync_fd;                               /* our end of the monitor's socket pair */
  int stdin_fd;                              /* dup'ed onto fd 0 unless -1 (keep the caller's stdin) */
  int stdout_fd;                             /* dup'ed onto fd 1 unless -1 (the monitor's output pipe) */
  int stderr_fd;                             /* dup'ed onto fd 2 unless -1 */
  int landlock_abi; /* > 0: enforce Landlock with this ABI */
  const char *apparmor_profile; /* the exec enters this AppArmor profile; NULL: none */
  int notify_fd;    /* report_denied: where the workload sends its seccomp listener; else -1 */
  const struct cordon_rlimit *extra_rlimits; /* the limits plan's, after process.rlimits */
  size_t n_extra_rlimits;
  bool has_netns;
  bool has_utsns;
  /* The OCI runtime's create/start: init outlives the process that made it
   * (no parent-death signal), reports SYNC_CREATED once built, waits for
   * `cordon start` on oci_start_fd (a listening SOCK_SEQPACKET socket: the
   * start command sends the state JSON, init answers with one sync_msg),
   * runs the startContainer hooks, and exits with the workload's status.  */
  bool oci;
  int oci_start_fd;
  const struct oci_hooks *oci_hooks;
  int preserve_fds; /* fds 3..3+N-1 pass to the workload (--preserve-fds) */
};

/* The sandbox's init.  Never returns.  */
__attribute__ ((noreturn)) void init_main (const struct init_context *ctx);

/* The workload, forked by init.  Never returns: execve or _exit with 125
 * (setup), 126 (cannot execute) or 127 (not found) after writing what failed
 * to `errfd`.  `tty` is the terminal's slave for -t, else -1.  */
__attribute__ ((noreturn)) void workload_main (const struct init_context *ctx, int errfd, int tty);

#endif
