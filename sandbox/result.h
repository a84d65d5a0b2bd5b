/* SPDX-License-Identifier: Apache-2.0 */
/* The machine-readable result of a run (schema: doc/result.md).  */
#ifndef CORDON_SANDBOX_RESULT_H
#define CORDON_SANDBOX_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define RESULT_SCHEMA_VERSION 1

enum result_status
{
  RESULT_OK,            /* exit code 0 */
  RESULT_RUNTIME_ERROR, /* non-zero exit, or the command could not be executed */
  RESULT_SIGNAL,        /* killed by a signal */
  RESULT_SANDBOX_ERROR, /* cordon failed: the workload did not run */
  RESULT_TIME_LIMIT,    /* CPU time limit */
  RESULT_WALL_LIMIT,    /* wall-clock limit */
  RESULT_MEMORY_LIMIT,  /* memory limit (an OOM kill, or the monitor's) */
  RESULT_OUTPUT_LIMIT,  /* more output than allowed */
  RESULT_FSIZE_LIMIT,   /* a file grew past --fsize (SIGXFSZ) */
};

enum limit
{
  LIMIT_MEMORY,
  LIMIT_PIDS,
  LIMIT_CPUS,
  LIMIT_CPU_SHARES,
  LIMIT_CPUSET,
  LIMIT_CPU_TIME,
  LIMIT_WALL_TIME,
  LIMIT_OUTPUT,
  LIMIT_FSIZE,
  LIMIT_NOFILE,
  LIMIT_STACK,
  LIMIT__COUNT,
};

/* How a requested limit was enforced on this run.  */
enum limit_mechanism
{
  LIMIT_MECH_NONE, /* not requested */
  LIMIT_MECH_CGROUP_V2,
  LIMIT_MECH_CGROUP_V1,
  LIMIT_MECH_RLIMIT,
  LIMIT_MECH_MONITOR,
  LIMIT_MECH_RLIMIT_MONITOR, /* an rlimit per process, the monitor for the whole sandbox */
  LIMIT_MECH_UNAVAILABLE,    /* requested, not enforceable here: the run went on without it */
};

struct limit_report
{
  uint64_t value;
  enum limit_mechanism mechanism;
  const char *note; /* static: why it is weaker, or unavailable */
};

enum layer
{
  LAYER_USER_NS,
  LAYER_MOUNT_NS,
  LAYER_PID_NS,
  LAYER_NET_NS,
  LAYER_IPC_NS,
  LAYER_UTS_NS,
  LAYER_CGROUP_NS,
  LAYER_TIME_NS,
  LAYER_READONLY_ROOT,
  LAYER_CAPABILITIES,
  LAYER_NO_NEW_PRIVS,
  LAYER_SECCOMP,
  LAYER_LANDLOCK,
  LAYER_APPARMOR,
  LAYER_CGROUP_LIMITS,
  LAYER__COUNT,
};

enum layer_state
{
  LAYER_STATE_ENFORCED,
  LAYER_STATE_UNAVAILABLE, /* this host cannot enforce it */
  LAYER_STATE_DISABLED,    /* turned off by request */
};

#define RESULT_MAX_DENIED 64

/* A syscall refused under report_denied.  */
struct result_denied
{
  char syscall[32];
  uint64_t count;
  uint64_t args[6]; /* of the first call */
};

struct sandbox_result
{
  enum result_status status;
  int exit_code;     /* what cordon exits with */
  int signal;        /* 0 when not killed */
  double wall_time;  /* seconds */
  double cpu_user;   /* seconds */
  double cpu_system; /* seconds */
  long peak_rss_kib;
  enum layer_state layers[LAYER__COUNT];
  const char *layer_reasons[LAYER__COUNT]; /* static strings; NULL when enforced */
  const char *network;                     /* "none", "host" */
  char *error;                             /* what failed, for sandbox-error and exec failures */
  struct limit_report limits[LIMIT__COUNT];
  uint64_t memory_peak_bytes; /* the whole sandbox: cgroup peak or polled sum; 0 unknown */
  uint64_t context_switches;  /* voluntary + involuntary */
  uint64_t output_bytes;      /* stdout+stderr bytes passed on (when the monitor relays them) */
  bool output_truncated;
  bool pids_limit_reached; /* a fork failed at the pids limit (cgroup only) */
  char *audit;             /* how the run was recorded: "recorded", or why not (heap) */
  struct
  {
    char *name, *id, *manifest, *key, *policy; /* heap; name NULL without --image */
  } image;
  const char *profile;     /* the security profile's name, or NULL (not owned) */
  bool report_denied;      /* refused syscalls were counted (below) */
  struct result_denied denied[RESULT_MAX_DENIED];
  size_t n_denied;
  uint64_t denied_dropped; /* calls of syscalls beyond the table */
};

const char *result_status_name (enum result_status status);
const char *result_layer_name (enum layer layer);
const char *result_layer_state_name (enum layer_state state);
const char *result_limit_name (enum limit limit);
const char *result_limit_mechanism_name (enum limit_mechanism mechanism);

/* Serialises `result` as JSON (heap, NUL-terminated).  */
int result_to_json (const struct sandbox_result *result, char **out, size_t *len, struct cordon_error *err);

/* Writes the JSON to `path` atomically (temporary file + rename).  */
int result_write_file (const struct sandbox_result *result, const char *path, struct cordon_error *err);

void result_release (struct sandbox_result *result);

#endif
