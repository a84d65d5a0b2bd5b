/* SPDX-License-Identifier: Apache-2.0 */
/* What the lifecycle commands (ps, inspect, logs, stop, kill, wait, rm,
 * exec) share: finding a sandbox by id, prefix or name, signalling it and
 * waiting for its monitor.  */
#ifndef CORDON_CLI_LIFECYCLE_H
#define CORDON_CLI_LIFECYCLE_H

#include <stdbool.h>
#include <sys/types.h>

#include "sandbox/state.h"

/* Opens the state root and loads the sandbox `ref` names (reconciled).  */
int lifecycle_open (const char *root_override, const char *ref, struct state_root *root, struct sandbox_state *st,
                    struct cordon_error *err);

/* The monitor is alive and the sandbox runs (or is starting).  */
bool lifecycle_is_running (const struct sandbox_state *st);

/* Sends `sig` the way Docker's kill means it: to the workload.  The signals
 * the monitor forwards go through it (and init); SIGKILL goes to init (its
 * death ends the pid namespace); any other goes to the workload's main
 * process.  Every target is re-checked by start time against pid reuse.  */
int lifecycle_signal (const struct sandbox_state *st, int sig, struct cordon_error *err);

/* Waits until the monitor is gone, at most `timeout_ms` (-1: forever).
 * Returns 0, or -ETIMEDOUT.  */
int lifecycle_wait_monitor (const struct sandbox_state *st, int timeout_ms);

/* A pidfd on `pid`, checked to be the process started at `start` (from
 * /proc/PID/stat): from then on it cannot reach another process.  -errno
 * (-ESRCH when the pid was reused).  */
int lifecycle_pidfd (pid_t pid, uint64_t start);

/* The workload's main process (init's only child, found in /proc), or 0.  */
pid_t lifecycle_find_workload (pid_t init_pid);

/* "TERM", "SIGTERM" or "15" -> 15; -1 when unknown.  */
int lifecycle_parse_signal (const char *text);

/* Appends a lifecycle record (stop, kill, rm, exec) to the sandbox's audit
 * log, best effort: the log was chosen when it was started.  */
void lifecycle_audit (const struct sandbox_state *st, const char *event, char *const *argv, const char *data_json);

/* Stopped or killed by hand: its monitor must not restart it
 * (--restart on-failure), as Docker ignores the policy after a stop.  */
void lifecycle_mark_no_restart (const struct state_root *root, const struct sandbox_state *st);

/* The sandboxes under the state root that name volume `name` (any status,
 * as Docker counts a stopped container's volumes as used): their short
 * ids, comma-separated, or NULL when none does (heap).  */
char *lifecycle_volume_users (const struct state_root *root, const char *name);

/* Docker's "one or more IDs" loop: runs `one` on argv[first..argc), prints
 * each operand that succeeded and each error ("cordon: PREFIXmessage"), and
 * returns 0, 1 when one failed, or EXIT_USAGE with `usage` when there is
 * no operand.  */
int lifecycle_each (int argc, char **argv, int first, const char *usage, const char *error_prefix,
                    int (*one) (const char *ref, void *data, struct cordon_error *err), void *data);

/* Follows the sandbox's log (from its start with `history`, else from
 * now) until it ends; returns its exit code (cli/attach.c).  */
int lifecycle_attach (const char *root_dir, const char *ref, bool history);

#endif
