/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI runtime command line (runc's and crun's), so that podman and
 * other engines can name cordon as their runtime: create, start, state,
 * kill, delete, exec --process, ps, list, features.  A container is a
 * sandbox in the state root whose name is the OCI id; no monitor stays:
 * its init is the container process (the pid in --pid-file), reaped by
 * whoever reaps orphans there (conmon, a subreaper), and the state is read
 * from the kernel.  See doc/oci-runtime.md.  */
#ifndef CORDON_CLI_OCI_H
#define CORDON_CLI_OCI_H

#include "sandbox/oci-hooks.h"
#include "sandbox/state.h"

/* Files of the container's state directory.  */
#define OCI_CONFIG_FILE "oci-config.json" /* the bundle's config.json as given */
#define OCI_CGROUPS_FILE "cgroups"        /* the cgroup directories to remove, one a line */
#define OCI_START_SOCKET "start.sock"     /* init waits on it for `start` */

enum oci_status
{
  OCI_CREATING,
  OCI_CREATED,
  OCI_RUNNING,
  OCI_STOPPED,
};

/* Opens the state root and loads container `id` (the exact OCI id).  */
int oci_open (const char *root_override, const char *id, struct state_root *root, struct sandbox_state *st,
              struct cordon_error *err);

/* The status the kernel shows: init alive (not a zombie) and started or
 * not; stopped otherwise.  */
enum oci_status oci_status_of (const struct sandbox_state *st);
const char *oci_status_name (enum oci_status status);

/* The OCI state JSON (runtime-spec "state"), heap.  `annotations_json` is
 * an object's text, or NULL for {}.  */
int oci_state_json (const struct sandbox_state *st, enum oci_status status, const char *annotations_json, bool pretty,
                    char **out, struct cordon_error *err);

/* The container's hooks and annotations, from its saved config.  */
int oci_load_hooks (const struct state_root *root, const struct sandbox_state *st, struct oci_hooks *hooks,
                    struct cordon_error *err);

/* Removes the container's cgroups (from OCI_CGROUPS_FILE).  */
void oci_remove_cgroups (const struct state_root *root, const struct sandbox_state *st);

/* Writes `pid` to `path` atomically (a temporary file, then rename).  */
int oci_write_pid_file (const char *path, pid_t pid, struct cordon_error *err);

/* Sends `fd` to the console socket at `path` (SCM_RIGHTS), as runc does.  */
int oci_send_console (const char *path, int fd, struct cordon_error *err);

#endif
