/* SPDX-License-Identifier: Apache-2.0 */
/* The monitor's side of a running sandbox: it stays in the host's
 * namespaces, holds init's pidfd, forwards signals, relays a terminal, and
 * turns what init reports and what wait4 says into the result.  */
#ifndef CORDON_SANDBOX_MONITOR_H
#define CORDON_SANDBOX_MONITOR_H

#include <signal.h>
#include <sys/types.h>
#include <time.h>

#include "sandbox/limits.h"
#include "sandbox/output.h"
#include "sandbox/pty.h"
#include "sandbox/result.h"
#include "sandbox/seccomp-learn.h"
#include "sandbox/seccomp.h"

struct monitor
{
  pid_t init_pid;
  int pidfd;
  int sync_fd;
  int sigfd;             /* the signals we forward */
  struct pty_relay *pty; /* NULL without -t */
  struct limits_plan *limits;
  struct output_relay *output; /* NULL when the workload writes to our fds */
  struct timespec started;
  int notify_sock;                    /* report_denied: the listener arrives here; else -1 */
  const struct cordon_bpf *plain_bpf; /* report_denied: the filter whose errno each answer gives */
  struct seccomp_learned *learn;      /* profile learn: each notification is recorded and let through */
  void (*on_started) (void *data, pid_t init_pid, int pidfd); /* NULL: none */
  void *on_started_data;
};

/* Blocks the signals the monitor forwards and returns a signalfd for them;
 * `old` receives the previous mask.  */
int monitor_block_signals (sigset_t *old, struct cordon_error *err);

/* Runs until init is gone and fills `result` (status, exit code, times,
 * rusage).  Returns 0 when the workload ran, or a negative errno with `err`
 * set when the sandbox failed before it did.  */
int monitor_wait (struct monitor *m, struct sandbox_result *result, struct cordon_error *err);

#endif
