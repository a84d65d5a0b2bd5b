/* SPDX-License-Identifier: Apache-2.0 */
/* The audit records of one `cordon run`: `create` before the sandbox exists
 * (durable: a run that cannot be recorded is refused unless best-effort),
 * then `start`, one `layer-unavailable` per layer the host could not
 * enforce, and `exit` with the result or `sandbox-error`.  */
#ifndef CORDON_CLI_RUN_AUDIT_H
#define CORDON_CLI_RUN_AUDIT_H

#include <stdbool.h>

#include "audit/audit.h"
#include "sandbox/result.h"
#include "sandbox/spec.h"

struct run_audit
{
  struct audit_log *log;
  char id[AUDIT_HASH_HEX + 1];
  char *const *argv;
  bool best_effort;
  char *unavailable; /* why the run is not recorded (best-effort only) */
};

/* Opens `path` (NULL: the default) and writes `create`.  Fails (fail
 * closed) unless `best_effort`, which records why in ra->unavailable.  */
int run_audit_begin (struct run_audit *ra, const char *path, bool best_effort, const struct audit_options *opts,
                     char *const *argv, const struct cordon_spec *spec, struct cordon_error *err);

/* Records which image the run uses and how it was verified (`data_json`:
 * name, id, manifest, key, policy).  */
void run_audit_image (struct run_audit *ra, const char *image, const char *data_json);

/* Writes what happened and makes it durable; sets result->audit.  */
void run_audit_end (struct run_audit *ra, const struct sandbox_result *result, bool ran, struct sandbox_result *out);

#endif
