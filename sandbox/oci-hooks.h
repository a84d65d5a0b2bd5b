/* SPDX-License-Identifier: Apache-2.0 */
/* OCI hooks (config.json "hooks") and annotations, read from the bundle's
 * config for the OCI runtime commands.  A hook runs with the container's
 * state JSON on its stdin, its own args and env (nothing of ours), and a
 * timeout after which it is killed.  Where each kind runs (which process,
 * which namespaces) is decided by the caller: see doc/oci-runtime.md.  */
#ifndef CORDON_SANDBOX_OCI_HOOKS_H
#define CORDON_SANDBOX_OCI_HOOKS_H

#include <stddef.h>

#include "common/error.h"

enum oci_hook_kind
{
  OCI_HOOK_PRESTART,
  OCI_HOOK_CREATE_RUNTIME,
  OCI_HOOK_CREATE_CONTAINER,
  OCI_HOOK_START_CONTAINER,
  OCI_HOOK_POSTSTART,
  OCI_HOOK_POSTSTOP,
  OCI_HOOK__COUNT,
};

struct oci_hook
{
  char *path;
  char **args; /* NULL: { path } */
  char **env;  /* NULL: empty */
  int timeout; /* seconds; 0: none */
};

struct oci_hooks
{
  struct oci_hook *list[OCI_HOOK__COUNT];
  size_t n[OCI_HOOK__COUNT];
  char *annotations_json; /* the "annotations" object as JSON text, "{}" when absent */
};

/* Reads "hooks" and "annotations" from config.json text (hostile: bounded,
 * typed; every path absolute).  */
int oci_hooks_parse (const char *text, size_t len, struct oci_hooks *hooks, struct cordon_error *err);
void oci_hooks_release (struct oci_hooks *hooks);

/* Runs the hooks of `kind` in order, each to completion, `state_json` on its
 * stdin.  Stops at the first that fails (exit status, signal, timeout) and
 * says which.  */
int oci_hooks_run (const struct oci_hooks *hooks, enum oci_hook_kind kind, const char *state_json,
                   struct cordon_error *err);

const char *oci_hook_kind_name (enum oci_hook_kind kind);

#endif
