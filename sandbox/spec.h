/* SPDX-License-Identifier: Apache-2.0 */
/* The one model: an OCI runtime-spec config (config.json), plus cordon's own
 * fields under the top-level key "cordon".  `cordon run --rootfs` builds one
 * from flags, `cordon run --bundle` reads one from a file; both then take the
 * same path (sandbox_run).  The structures mirror config.json closely: what a
 * field means is decided by the code that enforces it, not here.  */
#ifndef CORDON_SANDBOX_SPEC_H
#define CORDON_SANDBOX_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* Bounds on hostile input: a config is refused past these.  */
#define SPEC_MAX_FILE_BYTES (4u << 20)
#define SPEC_MAX_ITEMS 4096   /* entries of any one array */
#define SPEC_MAX_STRING 65536 /* bytes of any one string */

struct cordon_mount
{
  char *destination; /* absolute path inside the container */
  char *type;        /* "bind", "tmpfs", "proc", "sysfs", "devpts", "mqueue", ... */
  char *source;      /* host path for binds; fs source otherwise (may be NULL) */
  char **options;    /* NULL-terminated, as in config.json ("ro", "nosuid", "size=64m", ...) */
};

struct cordon_id_mapping
{
  uint32_t container_id;
  uint32_t host_id;
  uint32_t size;
};

struct cordon_rlimit
{
  int resource; /* RLIMIT_* */
  uint64_t soft;
  uint64_t hard;
};

struct cordon_namespace
{
  int type;   /* CLONE_NEW* */
  char *path; /* join an existing namespace (NULL: create a new one) */
};

enum cordon_seccomp_action
{
  SECCOMP_ACTION_ALLOW,
  SECCOMP_ACTION_ERRNO,
  SECCOMP_ACTION_KILL_THREAD, /* SCMP_ACT_KILL and SCMP_ACT_KILL_THREAD */
  SECCOMP_ACTION_KILL_PROCESS,
  SECCOMP_ACTION_TRAP,
  SECCOMP_ACTION_TRACE,
  SECCOMP_ACTION_LOG,
  SECCOMP_ACTION_NOTIFY,
};

enum cordon_seccomp_op
{
  SECCOMP_OP_NE,
  SECCOMP_OP_LT,
  SECCOMP_OP_LE,
  SECCOMP_OP_EQ,
  SECCOMP_OP_GE,
  SECCOMP_OP_GT,
  SECCOMP_OP_MASKED_EQ,
};

struct cordon_seccomp_arg
{
  unsigned int index; /* 0..5 */
  uint64_t value;
  uint64_t value_two;
  enum cordon_seccomp_op op;
};

struct cordon_seccomp_rule
{
  char **names; /* NULL-terminated syscall names */
  enum cordon_seccomp_action action;
  bool has_errno_ret;
  uint32_t errno_ret; /* for ERRNO (default EPERM) and TRACE */
  struct cordon_seccomp_arg *args;
  size_t n_args;
  size_t source_index; /* its index in the JSON "syscalls" array (rules may be dropped by includes) */
};

/* linux.seccomp, in the OCI format; the Docker format is read into the same
 * structure (its includes/excludes already resolved).  */
struct cordon_seccomp
{
  enum cordon_seccomp_action default_action;
  bool has_default_errno_ret;
  uint32_t default_errno_ret;
  char **architectures; /* "SCMP_ARCH_X86_64", ...; NULL: native only */
  char **flags;         /* "SECCOMP_FILTER_FLAG_LOG", ... */
  struct cordon_seccomp_rule *rules;
  size_t n_rules;
};

struct cordon_process
{
  bool terminal;
  uint32_t uid;
  uint32_t gid;
  uint32_t *additional_gids;
  size_t n_additional_gids;
  char **args; /* NULL-terminated; args[0] is the program */
  char **env;  /* NULL-terminated "K=V" */
  char *cwd;   /* absolute, inside the container */
  /* Capability sets as bit masks indexed by CAP_* numbers.  */
  uint64_t caps_bounding;
  uint64_t caps_effective;
  uint64_t caps_inheritable;
  uint64_t caps_permitted;
  uint64_t caps_ambient;
  bool no_new_privileges; /* cordon forces it on whatever the config says */
  struct cordon_rlimit *rlimits;
  size_t n_rlimits;
  char *apparmor_profile;
};

enum cordon_seccomp_mode
{
  SECCOMP_MODE_BASELINE,   /* cordon's built-in filter (the default) */
  SECCOMP_MODE_SPEC,       /* linux.seccomp from the config */
  SECCOMP_MODE_UNCONFINED, /* asked for explicitly: "cordon": {"seccomp": "unconfined"} */
};

/* cordon's own fields: "cordon": { ... } at the top level of config.json.  */
/* Limits OCI has no field for ("cordon": {"limits": {...}}); 0 = none.  */
struct cordon_limits
{
  uint64_t cpu_time_ms;  /* CPU time of the whole sandbox, then killed */
  uint64_t wall_time_ms; /* wall-clock time, then killed */
  uint64_t output_bytes; /* stdout+stderr kept; past it the run ends */
};

struct cordon_extension
{
  enum cordon_seccomp_mode seccomp_mode;
  bool landlock_unconfined; /* "landlock": "unconfined"; default "mount-plan" */
  /* A profile's Landlock rules narrow the mount plan: only these trees are
   * readable (NULL: the whole root) and writable (NULL: the plan's
   * writable mounts).  */
  char **landlock_read;
  char **landlock_write;
  /* TCP ports a profile allows to bind and connect to (Landlock ABI 4);
   * with landlock_tcp unset, TCP is not restricted by Landlock.  */
  bool landlock_tcp;
  uint16_t *landlock_tcp_bind, *landlock_tcp_connect;
  size_t n_landlock_tcp_bind, n_landlock_tcp_connect;
  /* A profile's report_denied: refused syscalls go to the monitor (seccomp
   * user notification), which answers with the same errno and counts them.  */
  bool report_denied;
  /* A profile's "network": on a bridge network, anything may be reached
   * (egress_allow_all), or only the sandbox's own network and these
   * --egress-allow entries (netpolicy/egress.h), every refusal audited.  */
  bool egress_allow_all;
  char **egress_allow;
  char *profile; /* the profile's name, for the result and the audit log */
  struct cordon_limits limits;
};

/* linux.resources, the part cordon enforces; 0 (or NULL) = not set.  */
struct cordon_resources
{
  uint64_t memory_limit; /* bytes: memory.max / memory.limit_in_bytes */
  int64_t memory_swap;   /* bytes of memory+swap; -1 unlimited; 0 unset */
  int64_t pids_limit;    /* pids.max; 0 unset */
  uint64_t cpu_quota;    /* us per period */
  uint64_t cpu_period;   /* us */
  uint64_t cpu_shares;
  char *cpuset_cpus;
};

struct cordon_spec
{
  char *oci_version;
  char *root_path; /* as written; relative paths are relative to the bundle */
  bool root_readonly;
  char *hostname;
  struct cordon_process process;
  struct cordon_mount *mounts;
  size_t n_mounts;
  struct cordon_namespace *namespaces;
  size_t n_namespaces;
  struct cordon_id_mapping *uid_mappings;
  size_t n_uid_mappings;
  struct cordon_id_mapping *gid_mappings;
  size_t n_gid_mappings;
  char **masked_paths;            /* NULL-terminated */
  char **readonly_paths;          /* NULL-terminated */
  struct cordon_seccomp *seccomp; /* linux.seccomp, or NULL */
  struct cordon_resources resources;
  struct cordon_extension cordon;
};

/* The default config, as `cordon spec` prints it: every namespace, the
 * default mounts, masked and read-only paths, no capabilities, `sh` as the
 * process.  With `rootless`, uid/gid mappings for the caller are included.  */
int spec_new_default (bool rootless, struct cordon_spec **out, struct cordon_error *err);

/* Parses config.json text.  The input is hostile: bounded by the SPEC_MAX_*
 * limits, validated, and answered with an error naming the field.  */
int spec_parse (const char *text, size_t len, struct cordon_spec **out, struct cordon_error *err);

/* Replaces s->process by a "process" object's text (the OCI runtime's
 * `exec --process FILE`).  */
int spec_parse_process (const char *text, size_t len, struct cordon_spec *s, struct cordon_error *err);

/* Reads and parses `path` (at most SPEC_MAX_FILE_BYTES).  */
int spec_load_file (const char *path, struct cordon_spec **out, struct cordon_error *err);

/* Serialises to config.json text (NUL-terminated, heap).  */
int spec_to_json (const struct cordon_spec *spec, char **out, size_t *len, struct cordon_error *err);

void spec_free (struct cordon_spec *spec);
void seccomp_spec_free (struct cordon_seccomp *seccomp);

/* "network" for CLONE_NEWNET, "RLIMIT_NOFILE" for RLIMIT_NOFILE; NULL when
 * unknown.  */
const char *spec_namespace_name (int type);
const char *spec_rlimit_name (int resource);

/* Namespace helpers.  */
bool spec_has_namespace (const struct cordon_spec *spec, int type);
int spec_remove_namespace (struct cordon_spec *spec, int type);

static inline void
cleanup_specp (struct cordon_spec **s)
{
  if (*s)
    spec_free (*s);
}
#define cleanup_spec __attribute__ ((cleanup (cleanup_specp)))

#endif
