/* SPDX-License-Identifier: Apache-2.0 */
/* The state of detached sandboxes: one directory a sandbox under the state
 * root ($XDG_RUNTIME_DIR/cordon rootless, /run/cordon as root, or --root),
 * holding state.json (written atomically: temporary file + rename, under
 * the directory's `lock`), config.json (the spec as run), the log and the
 * result.  No daemon keeps this: each sandbox's monitor writes its own, and
 * readers reconcile it with the kernel (a monitor that is gone, or whose pid
 * now belongs to another process, cannot be running a sandbox).
 *
 * The fields are a superset of the OCI runtime state (id, status, pid,
 * bundle): `cordon state` can be derived from state.json.  */
#ifndef CORDON_SANDBOX_STATE_H
#define CORDON_SANDBOX_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

#define STATE_ID_HEX 64
#define STATE_SHORT_ID 12
#define STATE_MAX_FILE_BYTES (256u << 10)
#define STATE_NAME_MAX 128

enum state_status
{
  STATE_CREATED, /* the directory exists, the workload has not started */
  STATE_RUNNING,
  STATE_EXITED,  /* the workload ended and its monitor recorded how */
  STATE_STOPPED, /* the monitor is gone without recording an end (see reason) */
};

struct sandbox_state
{
  char id[STATE_ID_HEX + 1];
  char *name; /* NULL: none given */
  enum state_status status;
  char *reason;                       /* why stopped (or how the start failed); NULL */
  int64_t created, started, finished; /* Unix seconds; 0: not yet */
  pid_t monitor_pid;
  uint64_t monitor_start; /* /proc/PID/stat starttime: tells a reused pid */
  pid_t init_pid;
  uint64_t init_start;
  int exit_code; /* -1 until it exited */
  char **command;
  char *image;  /* --image reference, or NULL */
  char *rootfs; /* the root directory (--rootfs, the bundle's root.path) */
  char *bundle; /* --bundle DIR, or NULL */
  char *log_path;
  char *result_path;
  char *audit_log;  /* where its audit records go (lifecycle commands append there) */
  bool auto_remove; /* --rm: the monitor removes the directory at the end */
  bool pending_start; /* made by `cordon create`: no monitor until `cordon start` */
  bool paused;        /* frozen by `cordon pause` (cgroup freezer) */
  char **volumes;     /* the named volumes it mounts (volume rm refuses them) */
  char *restart;      /* --restart policy as given ("no", "on-failure:3"), or NULL */
  int restart_count;  /* how often the monitor restarted the workload */
  char *network_mode; /* --network as given: "none", "host" or the first network; NULL: before networks */
  char **networks;    /* the bridge networks it is on: the first, then `network connect`'s */
};

/* The state root, open.  */
struct state_root
{
  int dfd;
  char *path;
};

/* Opens (creating it 0700 when missing) `override`, or the default root.
 * A root that is not a directory owned by us, or that others can write, is
 * refused: another user could plant state there.  */
int state_root_open (const char *override, struct state_root *root, struct cordon_error *err);
void state_root_close (struct state_root *root);

/* Takes the root's lock (flock on .lock): held while a name is claimed or a
 * directory is created or removed.  Returns the fd (close to unlock).  */
int state_root_lock (const struct state_root *root, struct cordon_error *err);

/* Takes sandbox `id`'s lock: held around read-modify-write of state.json.  */
int state_lock (const struct state_root *root, const char *id, struct cordon_error *err);

/* A fresh id (64 hex), unless `id` is given (the audit log's sandbox id).  */
int state_new_id (char id[STATE_ID_HEX + 1]);

/* Validates a name as Docker does: [a-zA-Z0-9][a-zA-Z0-9_.-]+.  */
bool state_name_valid (const char *name);

/* Creates the directory of st->id, refusing a name that is taken (Docker's
 * message), and writes state.json.  Takes the root lock itself.  */
int state_create (const struct state_root *root, struct sandbox_state *st, struct cordon_error *err);

/* state.json of `id`: parse, then reconcile with the kernel.  */
int state_load (const struct state_root *root, const char *id, struct sandbox_state *st, struct cordon_error *err);
/* Writes state.json atomically.  The caller holds state_lock or owns the
 * sandbox (the monitor).  */
int state_save (const struct state_root *root, const struct sandbox_state *st, struct cordon_error *err);

/* Removes the directory of `id` and everything in it.  */
int state_remove (const struct state_root *root, const char *id, struct cordon_error *err);

/* Every sandbox id under the root (NULL-terminated, heap).  */
int state_list (const struct state_root *root, char ***ids, struct cordon_error *err);

/* Docker's lookup: an exact id, then an exact name, then a unique id prefix.
 * Errors, in Docker's words: "No such sandbox: REF", "multiple IDs found
 * with provided prefix: REF".  */
int state_lookup (const struct state_root *root, const char *ref, char id[STATE_ID_HEX + 1], struct cordon_error *err);

/* Path of FILE in the directory of `id` (heap).  */
char *state_path (const struct state_root *root, const char *id, const char *file);

/* A running or created sandbox whose monitor is gone (or whose pid is now
 * another process) becomes STOPPED with a reason.  Returns true when it
 * changed `st`.  */
bool state_reconcile (struct sandbox_state *st);

/* The monitor of `st` is alive and still the same process.  */
bool state_monitor_alive (const struct sandbox_state *st);

/* starttime (field 22) of /proc/PID/stat; 0 when the process is gone.  */
uint64_t state_proc_start_time (pid_t pid);

/* JSON of `st` (pretty) and back.  The parser takes hostile input: bounded,
 * typed, and every refusal names the field.  */
int state_to_json (const struct sandbox_state *st, bool pretty, char **out, size_t *len, struct cordon_error *err);
int state_parse (const char *text, size_t len, struct sandbox_state *st, struct cordon_error *err);

const char *state_status_name (enum state_status status);

void state_release (struct sandbox_state *st);

#endif
