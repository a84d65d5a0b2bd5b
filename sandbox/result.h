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

struct sandbox_result
{
  enum result_status status;
  int exit_code;   /* what cordon exits with */
  int signal;      /* 0 when not killed */
  double wall_time;  /* seconds */
  double cpu_user;   /* seconds */
  double cpu_system; /* seconds */
  long peak_rss_kib;
  enum layer_state layers[LAYER__COUNT];
  const char *layer_reasons[LAYER__COUNT]; /* static strings; NULL when enforced */
  const char *network; /* "none", "host" */
  char *error;         /* what failed, for sandbox-error and exec failures */
};

const char *result_status_name (enum result_status status);
const char *result_layer_name (enum layer layer);
const char *result_layer_state_name (enum layer_state state);

/* Serialises `result` as JSON (heap, NUL-terminated).  */
int result_to_json (const struct sandbox_result *result, char **out, size_t *len, struct cordon_error *err);

/* Writes the JSON to `path` atomically (temporary file + rename).  */
int result_write_file (const struct sandbox_result *result, const char *path, struct cordon_error *err);

void result_release (struct sandbox_result *result);

#endif
