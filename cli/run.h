/* SPDX-License-Identifier: Apache-2.0 */
/* cordon run's pipeline, shared with cordon profile learn: the same flags,
 * root, mounts, limits and audit record, with the learning filter in place
 * of the profile's.  */
#ifndef CORDON_CLI_RUN_H
#define CORDON_CLI_RUN_H

#include <stdbool.h>

#include "sandbox/seccomp-learn.h"

struct run_learn
{
  const char *from;                /* --from PROFILE: the layers but seccomp (NULL: default's) */
  const char *output;              /* -o FILE (NULL: stdout) */
  const char *name;                /* --name NAME (NULL: from -o, or "learned") */
  struct seccomp_learned *learned; /* filled while the workload runs */
  char **command;                  /* the command given (points into argv) */
  bool ran;                        /* the workload started (whatever its status) */
};

/* cordon run's argv (argv[0] the command's name) with learn's options
 * (--from, -o, --name) accepted; returns what cordon run would exit with.  */
int cli_run_learning (int argc, char **argv, struct run_learn *learn);

/* Docker's create/start: run -d in two steps.  */
struct run_lifecycle
{
  bool create_only;     /* cordon create: record the sandbox, run nothing */
  const char *start_id; /* cordon start: run the sandbox recorded under this id */
};

/* cordon run's argv, as cordon create takes it, or as cordon start finds
 * it in args.json.  */
int cli_run_lifecycle (int argc, char **argv, const struct run_lifecycle *lc);

#endif
