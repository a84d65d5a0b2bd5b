/* SPDX-License-Identifier: Apache-2.0 */
/* `cordon run -d`: the sandbox gets a directory in the state root and a
 * monitor of its own, double-forked and in a new session, that outlives the
 * CLI (no daemon: one monitor a sandbox, as conmon is for podman).  The CLI
 * returns once the monitor reports that the workload was executed (or why
 * it was not).  The monitor writes the output to the capped log, then the
 * result, the audit records and the final state.  */
#ifndef CORDON_CLI_RUN_DETACH_H
#define CORDON_CLI_RUN_DETACH_H

#include <stdbool.h>
#include <sys/types.h>

#include "sandbox/log.h"
#include "sandbox/result.h"
#include "sandbox/spec.h"
#include "sandbox/state.h"

struct run_detach
{
  const char *root_override; /* --root */
  const char *name;          /* --name */
  bool auto_remove;          /* --rm */
  const char *adopt_id;      /* cordon start: run the sandbox `cordon create` recorded */
  char *const *volumes;      /* the named volumes it mounts (for the state) */
  const char *restart;       /* --restart as given */
  const char *network;       /* the last --network, or NULL */
  struct state_root root;
  struct sandbox_state st;
  struct log_writer log;
  int ready_fd; /* the monitor's report to the CLI; -1 once sent */
  bool started;
};

/* Chooses the id, claims the name and creates the directory with
 * state.json (created) and config.json.  `audit_log` is where the records
 * go (kept for the lifecycle commands).  */
int run_detach_prepare (struct run_detach *d, const struct cordon_spec *spec, const char *image, const char *bundle,
                        const char *audit_log, struct cordon_error *err);

/* Records how to run it again (the working directory and the run's argv,
 * in args.json) for `cordon start`.  `pending` (cordon create): it stays
 * `created`, with no monitor, until then.  */
int run_detach_record_args (struct run_detach *d, char *const *argv, bool pending, struct cordon_error *err);

/* `cordon start`: the working directory and argv `create` recorded for
 * sandbox `id` (heap, NULL-terminated).  */
int run_detach_load_args (const struct state_root *root, const char *id, char **cwd, char ***argv,
                          struct cordon_error *err);

/* In the monitor, before a restart (--restart on-failure): false when it
 * must not restart (stopped or killed by hand: the `no-restart` mark).  */
bool run_detach_restarting (struct run_detach *d, int exit_code);

/* Forks the monitor.  Returns 1 in the monitor, which goes on to run the
 * sandbox; 0 in the CLI once the monitor reported, with the exit status
 * the CLI should end with in *exit_code (0: started, and the id printed);
 * or a negative errno.  */
int run_detach_fork (struct run_detach *d, int *exit_code, struct cordon_error *err);

/* sandbox_options.on_started, in the monitor.  */
void run_detach_started (void *data, pid_t init_pid, int pidfd);

/* In the monitor, when the run is over: result.json, the final state (or
 * the directory removed with --rm), and the report to the CLI when the
 * workload never started.  */
void run_detach_finish (struct run_detach *d, const struct sandbox_result *result);

/* Removes the directory after a failure before the fork.  */
void run_detach_abort (struct run_detach *d);

#endif
