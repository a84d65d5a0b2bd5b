/* SPDX-License-Identifier: Apache-2.0 */
/* `cordon run --image REF`: the image's record is found and held (a shared
 * lock that `image rm` respects), its signatures are verified again against
 * the policy in force (a run never trusts an old verdict), and its layers
 * become an overlay root: a per-run directory of mount points on top, then
 * the layers, read-only unless --read-write gives an upper directory.  The
 * image config supplies the command, environment, working directory and
 * user, with Docker's precedence for flags.  */
#ifndef CORDON_CLI_RUN_IMAGE_H
#define CORDON_CLI_RUN_IMAGE_H

#include <stdbool.h>

#include "common/error.h"
#include "image/oci.h"
#include "image/policy.h"
#include "image/record.h"
#include "image/store.h"
#include "sandbox/overlay.h"
#include "sandbox/result.h"
#include "sandbox/spec.h"

struct run_image
{
  struct image_store *store;
  struct image_record *rec;
  struct oci_image_config cfg;
  struct trust_verdict verdict;
  const char *name; /* the name the policy was evaluated for (in rec->names) */
  char *policy_source;
  int record_lock;
  char *run_dir; /* store-relative tmp/ directory of this run */
  bool keep;
  struct overlay_plan plan;
  char *root_dir;  /* absolute: the mount-point layer, the spec's root.path */
  int passwd_root; /* the topmost layer with etc/passwd, for -u and HOME */
};

struct run_image_options
{
  const char *ref;
  const char *store;
  const char *policy;
  bool read_write;
  bool keep;
};

int run_image_open (struct run_image *ri, const struct run_image_options *opts, struct cordon_error *err);

/* Sets root.path, args, env, cwd from the image.  `entrypoint` and
 * `command` are --entrypoint and the command line (either may be empty).
 * Call before the flags are applied, so that -e and -w win.  */
int run_image_apply (struct run_image *ri, struct cordon_spec *spec, const char *entrypoint, char *const *command,
                     struct cordon_error *err);

/* What the result JSON and the audit log say about the image.  */
int run_image_describe (const struct run_image *ri, char **json, struct cordon_error *err);

void run_image_close (struct run_image *ri);

#endif
