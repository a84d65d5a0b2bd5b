/* SPDX-License-Identifier: Apache-2.0 */
/* Running a sandbox in the foreground: the calling process is the monitor.
 * One path for every spec, whether it came from `run` flags or a bundle.  */
#ifndef CORDON_SANDBOX_CONTAINER_H
#define CORDON_SANDBOX_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "sandbox/cgroup.h"
#include "sandbox/log.h"
#include "sandbox/oci-hooks.h"
#include "sandbox/result.h"
#include "sandbox/seccomp-learn.h"
#include "sandbox/spec.h"

struct sandbox_options
{
  const char *base_dir;    /* relative root and bind paths resolve against it; NULL: the cwd */
  bool keep_stdin;         /* -i: the workload reads our stdin; otherwise /dev/null */
  const char *stdin_path;  /* --stdin FILE instead */
  const char *stdout_path; /* --stdout FILE: written by the monitor */
  const char *stderr_path; /* --stderr FILE */
  /* The filter applied when spec->cordon.seccomp_mode is BASELINE; it lives
   * in profiles/, which this layer does not depend on.  */
  const struct cordon_seccomp *baseline_seccomp;
  /* An image root: the overlay replaces spec->root_path, which is then only
   * the directory it is attached over (and where mount points are made).  */
  const struct overlay_plan *overlay;
  /* cordon profile learn: the workload runs under the learning filter
   * (sandbox/seccomp-learn.h) instead of the spec's, and what it calls is
   * recorded here.  NULL: the spec's filter.  */
  struct seccomp_learned *learn;
  /* Detached: stdout and stderr go to this log (stdin is /dev/null).  */
  struct log_writer *log;
  /* Called once the workload was executed, with init's pid and pidfd
   * (a detached run then lets its CLI return).  */
  void (*on_started) (void *data, pid_t init_pid, int pidfd);
  void *on_started_data;
  /* The OCI runtime's create: the caller's stdio go to the workload, init
   * waits for `start` on oci_start_fd (see init_context), and sandbox_run
   * returns as soon as the sandbox is created, leaving init without a
   * monitor.  Limits that need the monitor are refused.  */
  bool oci;
  int oci_start_fd;
  const struct oci_hooks *oci_hooks;
  int preserve_fds;
  /* OCI: after the id maps are written, before init builds anything (the
   * prestart, createRuntime and createContainer hooks); an error stops the
   * run.  Then once init is built: its pid, the terminal's master (-1
   * without one) and the cgroup it was put in (the caller keeps the
   * paths: sandbox_run leaves the cgroup in place).  */
  int (*oci_on_spawned) (void *data, pid_t init_pid, int pidfd, struct cordon_error *err);
  void (*oci_on_created) (void *data, pid_t init_pid, int terminal_fd, const struct cgroup *cgroup);
  void *oci_data;
  /* Called once init exists in its namespaces and before it may go on
   * (it waits for SYNC_GO): a bridge network's eth0 is moved into its
   * network namespace here.  A failure ends the run.  */
  int (*on_namespaces) (void *data, pid_t init_pid, struct cordon_error *err);
  void *on_namespaces_data;
  /* result->network: the network's name; NULL: "none" or "host".  */
  const char *network_name;
};

/* Runs `spec` to completion.  Returns 0 when the workload ran (whatever its
 * exit status, which is in `result`), or a negative errno when the sandbox
 * could not be built (result->status is then RESULT_SANDBOX_ERROR and `err`
 * says what failed).  */
int sandbox_run (const struct cordon_spec *spec, const struct sandbox_options *opts, struct sandbox_result *result,
                 struct cordon_error *err);

#endif
