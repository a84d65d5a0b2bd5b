/* SPDX-License-Identifier: Apache-2.0 */
/* Security profiles (schema: doc/profiles.md): one JSON file that bundles
 * what confines a workload (a seccomp policy in the Docker/OCI format, the
 * capabilities kept, Landlock, AppArmor) and says which of those layers are
 * required.  Profiles inherit from one another by name; the built-in ones
 * (default, strict, grading, ci) are compiled in and installed under
 * CORDON_DATADIR/profiles.  */
#ifndef CORDON_PROFILES_PROFILE_H
#define CORDON_PROFILES_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "sandbox/spec.h"

#define PROFILE_MAX_BYTES (1u << 20)
#define PROFILE_MAX_DEPTH 8 /* inheritance chain */

enum profile_layer
{
  PROFILE_LAYER_SECCOMP,
  PROFILE_LAYER_LANDLOCK,
  PROFILE_LAYER_APPARMOR,
  PROFILE_LAYER_CAPABILITIES,
  PROFILE_LAYER__COUNT,
};

enum profile_landlock
{
  PROFILE_LANDLOCK_UNSET, /* inherited; mount-plan at the root of the chain */
  PROFILE_LANDLOCK_MOUNT_PLAN,
  PROFILE_LANDLOCK_UNCONFINED,
  PROFILE_LANDLOCK_RULES, /* the mount plan narrowed to `read` / `write` */
};

/* "network": {"egress": ...}: what a sandbox on a bridge network may reach
 * beyond its own network.  */
enum profile_egress
{
  PROFILE_EGRESS_UNSET, /* inherited; deny at the root of the chain */
  PROFILE_EGRESS_DENY,  /* only "allow" and --egress-allow, audited */
  PROFILE_EGRESS_ALLOW, /* anything, unless --egress-allow narrows it */
};

struct cordon_profile
{
  char *name;
  char *description;
  char *inherits;                 /* a profile name, or NULL */
  char *source;                   /* "builtin:strict" or the file it came from */
  char *seccomp_file;             /* {"file": PATH} as written (resolved against the profile's directory) */
  struct cordon_seccomp *seccomp; /* NULL: inherited (or none at the root: unconfined) */
  bool seccomp_unconfined;        /* "seccomp": "unconfined" */
  bool has_capabilities;
  uint64_t capabilities; /* kept, as a CAP_* bit mask */
  enum profile_landlock landlock;
  char **landlock_read;  /* RULES: readable trees (NULL: the whole root) */
  char **landlock_write; /* RULES: writable trees (NULL: the plan's writable mounts) */
  bool landlock_tcp;     /* RULES: tcp_bind/tcp_connect given: TCP restricted to them */
  uint16_t *tcp_bind, *tcp_connect;
  size_t n_tcp_bind, n_tcp_connect;
  char *apparmor;        /* template name or file; NULL: none asked */
  bool has_required;
  unsigned required; /* 1u << enum profile_layer */
  int64_t pids_limit; /* 0: none asked */
  bool has_report_denied;
  bool report_denied;
  enum profile_egress egress;
  char **egress_allow; /* "network": {"allow": [...]}: CIDR, IP, IP:PORT, HOST:PORT */
};

const char *profile_layer_name (enum profile_layer layer);
int profile_layer_from_name (const char *name);

/* Parses profile text.  `file` names it in messages and resolves a relative
 * {"file": PATH}.  A seccomp policy file given alone (a Docker default.json)
 * is read as a profile that inherits `default` and replaces its seccomp.
 * Errors read "FILE:LINE:COL: message".  */
int profile_parse (const char *text, size_t len, const char *file, struct cordon_profile **out,
                   struct cordon_error *err);

/* Reads a profile file (at most PROFILE_MAX_BYTES).  */
int profile_load_file (const char *path, struct cordon_profile **out, struct cordon_error *err);

/* The built-in profiles, as compiled in: the i-th name (NULL past the
 * last), and the JSON text of one (NULL when unknown).  */
const char *profile_builtin_name (size_t i);
const char *profile_builtin_text (const char *name, size_t *len);

/* Loads by name or file: a name is looked up in CORDON_DATADIR/profiles
 * (as installed), then among the compiled-in ones; anything with a '/' or
 * ending in ".json" is a file.  */
int profile_load (const char *name_or_file, struct cordon_profile **out, struct cordon_error *err);

/* Loads and resolves the inheritance chain into one self-contained profile
 * (no `inherits`): scalars and lists of the child win; a child's seccomp
 * rules decide every syscall they name, the parent's rules decide the
 * rest, and the child's defaultAction wins.  */
int profile_resolve (const char *name_or_file, struct cordon_profile **out, struct cordon_error *err);
int profile_resolve_loaded (struct cordon_profile *profile, struct cordon_profile **out, struct cordon_error *err);

/* Writes the profile's confinement into `spec`: seccomp (mode SPEC, or
 * UNCONFINED), kept capabilities (every set), Landlock, AppArmor,
 * no_new_privs.  */
int profile_apply (const struct cordon_profile *profile, struct cordon_spec *spec, struct cordon_error *err);

/* Serialises a (resolved) profile as profile JSON.  */
int profile_to_json (const struct cordon_profile *profile, char **out, struct cordon_error *err);

void profile_free (struct cordon_profile *profile);

static inline void
cleanup_profilep (struct cordon_profile **p)
{
  if (*p)
    profile_free (*p);
}
#define cleanup_profile __attribute__ ((cleanup (cleanup_profilep)))

#endif
