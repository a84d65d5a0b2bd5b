/* SPDX-License-Identifier: Apache-2.0 */
/* Changes to a spec, in Docker's terms: what `cordon run` flags do to the
 * config.  Kept beside the model (not in cli/) so that they are tested and
 * shared by every command that builds a spec.  */
#ifndef CORDON_SANDBOX_SPEC_EDIT_H
#define CORDON_SANDBOX_SPEC_EDIT_H

#include <stdbool.h>

#include "sandbox/spec.h"

/* Appends a mount, replacing any mount with the same destination (so that
 * `--tmpfs /tmp:size=1g` replaces the default /tmp).  Takes copies.  */
int spec_add_mount (struct cordon_spec *spec, const char *destination, const char *type, const char *source,
                    const char *const *options, struct cordon_error *err);

/* -v SRC:DST[:OPTS], where OPTS is a comma list of ro, rw and the like.  */
int spec_add_volume (struct cordon_spec *spec, const char *arg, struct cordon_error *err);
/* --mount type=bind|tmpfs,source=..,target=..,readonly,tmpfs-size=N,tmpfs-mode=M  */
int spec_add_mount_arg (struct cordon_spec *spec, const char *arg, struct cordon_error *err);
/* --tmpfs DST[:OPTS]  */
int spec_add_tmpfs (struct cordon_spec *spec, const char *arg, struct cordon_error *err);

/* Sets K=V in process.env (replacing K).  "K" alone takes the caller's value
 * of K, and is skipped when the caller has none (Docker's -e K).  */
int spec_set_env (struct cordon_spec *spec, const char *arg, struct cordon_error *err);
/* Sets K=V only when K is not set yet.  */
int spec_default_env (struct cordon_spec *spec, const char *key, const char *value, struct cordon_error *err);
/* --env-file: one K=V a line; blank lines and lines starting with # skipped.  */
int spec_load_env_file (struct cordon_spec *spec, const char *path, struct cordon_error *err);
const char *spec_get_env (const struct cordon_spec *spec, const char *key);

/* Replaces process.args (copies).  */
int spec_set_args (struct cordon_spec *spec, char *const *args, struct cordon_error *err);
/* --entrypoint: args become ENTRYPOINT followed by the given command.  */
int spec_set_entrypoint (struct cordon_spec *spec, const char *entrypoint, char *const *cmd, struct cordon_error *err);

/* -u UID[:GID]; numbers only (names need the root's /etc/passwd: see
 * spec_resolve_user).  */
int spec_set_user (struct cordon_spec *spec, const char *arg, struct cordon_error *err);
int spec_add_group (struct cordon_spec *spec, const char *arg, struct cordon_error *err);

/* --cap-add / --cap-drop NAME or ALL: bounding, effective and permitted.  */
int spec_cap_add (struct cordon_spec *spec, const char *name, struct cordon_error *err);
int spec_cap_drop (struct cordon_spec *spec, const char *name, struct cordon_error *err);

/* Replaces a string field (heap copy).  */
int spec_set_string (char **field, const char *value, struct cordon_error *err);

/* Parses "64m", "1g", "512k", "100" (bytes) as Docker does.  */
int spec_parse_size (const char *text, uint64_t *out);

/* Parses seconds ("2", "0.5", "1.25") into milliseconds.  */
int spec_parse_seconds (const char *text, uint64_t *ms);

/* Sets (or replaces) an rlimit of process.rlimits.  */
int spec_set_rlimit (struct cordon_spec *spec, int resource, uint64_t soft, uint64_t hard, struct cordon_error *err);

/* --ulimit NAME=SOFT[:HARD], Docker's names (nofile, nproc, fsize, stack,
 * core, cpu, as, data, memlock, ...), -1 for unlimited.  */
int spec_add_ulimit (struct cordon_spec *spec, const char *arg, struct cordon_error *err);

#endif
