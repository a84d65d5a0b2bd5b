/* SPDX-License-Identifier: Apache-2.0 */
/* cordon run's command line: Docker's flags, kept in order to be applied to
 * the spec once it exists.  Shared by run and profile learn.  */
#ifndef CORDON_CLI_RUN_ARGS_H
#define CORDON_CLI_RUN_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"
#include "cli/run-image.h"
#include "cli/run-volume.h"
#include "cli/run.h"
#include "common/error.h"

enum
{
  OPT_ROOTFS = 256,
  OPT_BUNDLE,
  OPT_MOUNT,
  OPT_TMPFS,
  OPT_READ_ONLY,
  OPT_ENV_FILE,
  OPT_GROUP_ADD,
  OPT_ENTRYPOINT,
  OPT_NETWORK,
  OPT_CAP_ADD,
  OPT_CAP_DROP,
  OPT_SECURITY_OPT,
  OPT_RESULT,
  OPT_HELP,
  OPT_MEMORY_SWAP,
  OPT_PIDS_LIMIT,
  OPT_CPUS,
  OPT_CPU_SHARES,
  OPT_CPUSET_CPUS,
  OPT_CPU_TIME,
  OPT_WALL_TIME,
  OPT_OUTPUT_LIMIT,
  OPT_FSIZE,
  OPT_NOFILE,
  OPT_STACK,
  OPT_ULIMIT,
  OPT_STDIN,
  OPT_STDOUT,
  OPT_STDERR,
  OPT_AUDIT_LOG,
  OPT_AUDIT,
  OPT_AUDIT_KEY,
  OPT_AUDIT_ROTATE,
  OPT_AUDIT_SYSLOG,
  OPT_IMAGE,
  OPT_STORE,
  OPT_POLICY,
  OPT_READ_WRITE,
  OPT_KEEP,
  OPT_PROFILE,
  OPT_NAME,
  OPT_RM,
  OPT_ROOT,
  OPT_FROM,
  OPT_IP,
  OPT_ADD_HOST,
  OPT_DNS_NAME,
  OPT_RESTART,
  OPT_EGRESS_ALLOW,
};

/* A flag with its argument, kept in order: they are applied to the spec
 * once it exists (after --rootfs or --bundle is known).  */
struct flag
{
  int opt;
  const char *arg;
};

struct run_args
{
  struct run_image_options image;
  struct run_image *ri; /* with --image, once opened */
  const char *rootfs;
  const char *bundle;
  const char *result_path;
  const char *entrypoint;
  const char *user;
  const char *seccomp_file;
  const char *profile;  /* --profile; NULL: `default` with --rootfs, the config's own with --bundle */
  const char *apparmor; /* --security-opt apparmor=NAME */
  const char *stdin_path;
  const char *stdout_path;
  const char *stderr_path;
  const char *audit_log;
  bool audit_best_effort;
  struct audit_options audit_opts;
  uint8_t audit_key[AUDIT_KEY_MAX];
  bool seccomp_unconfined;
  bool landlock_unconfined;
  bool quiet;
  bool interactive;
  bool tty;
  struct flag *flags;
  size_t n_flags;
  char **command; /* points into argv */
  struct run_learn *learn; /* cordon profile learn; NULL for run */
  bool detach;
  bool auto_remove;
  const char *name;
  const char *root;
  const char *restart; /* --restart no|on-failure[:N] (run -d) */
  int restart_max;     /* on-failure:N; 0: no restart; -1: no limit */
  struct run_volumes volumes; /* -v NAME:DST, held for the run */
};

/* Parses argv into `a` (a->learn set by profile learn beforehand).  */
int run_parse_args (int argc, char **argv, struct run_args *a, struct cordon_error *err);

/* The long name of option `opt` (for messages).  */
const char *run_option_name (int opt);

#endif
