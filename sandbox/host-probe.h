/* SPDX-License-Identifier: Apache-2.0 */
/* What this host lets cordon do.  Every probe tests for real (namespaces are
 * created in a forked child, never in the caller) and says in one line why
 * a layer holds or not.  `cordon check` prints the report; the runner uses
 * the id-range helpers so that check and run agree on where ids map.
 * Nothing here creates or changes a cgroup or any other host state.  */
#ifndef CORDON_SANDBOX_HOST_PROBE_H
#define CORDON_SANDBOX_HOST_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

/* As root, container ids map into this range unless /etc/subuid has an
 * entry for root; never onto host root.  */
#define HOST_IDMAP_DEFAULT_START 1000000000u
#define HOST_IDMAP_DEFAULT_SIZE 65536u

enum host_layer_state
{
  HOST_LAYER_OK,      /* holds */
  HOST_LAYER_LIMITED, /* holds with a caveat named in the detail */
  HOST_LAYER_MISSING, /* does not hold here */
};

#define HOST_LAYER_DETAIL_MAX 256
#define HOST_LAYERS_MAX 20

struct host_layer
{
  const char *name; /* static, e.g. "user-namespace" */
  enum host_layer_state state;
  bool required; /* cordon cannot run without it */
  char detail[HOST_LAYER_DETAIL_MAX];
};

enum host_idmap_mode
{
  HOST_IDMAP_SINGLE,      /* rootless: container root = the caller, one id */
  HOST_IDMAP_SUBORDINATE, /* rootless with newuidmap and /etc/subuid ranges */
  HOST_IDMAP_ROOT_RANGE,  /* root: container ids map into an unprivileged range */
};

struct host_idmap
{
  enum host_idmap_mode mode;
  uid_t host_uid;     /* who container root is on the host */
  uint32_t sub_start; /* SUBORDINATE, ROOT_RANGE: first host id of the range */
  uint32_t sub_size;  /* ... and its length */
  bool from_subuid;   /* ROOT_RANGE: taken from /etc/subuid, not the default */
};

struct host_report
{
  uid_t uid; /* real uid of the caller */
  struct host_layer layers[HOST_LAYERS_MAX];
  size_t n_layers;
  int landlock_abi; /* 0 when Landlock is unavailable */
  struct host_idmap idmap;
};

/* Runs every probe and fills `report`.  Probe failures are results, not
 * errors; an error (negative errno, `err` set) means the probing itself
 * failed, e.g. fork or pipe.  */
int host_probe_all (struct host_report *report, struct cordon_error *err);

/* True when every required layer is not HOST_LAYER_MISSING.  */
bool host_report_ready (const struct host_report *report);

/* The layer called `name`, or NULL.  */
const struct host_layer *host_report_find (const struct host_report *report, const char *name);

/* "ok", "limited", "missing".  */
const char *host_layer_state_name (enum host_layer_state state);

/* One line describing the id mapping, e.g. "container root = uid 1000
 * (single mapping)".  Returns the length written, like snprintf.  */
int host_idmap_describe (const struct host_idmap *idmap, char *buf, size_t len);

/* The first "NAME:START:COUNT" entry of `file` (/etc/subuid or /etc/subgid
 * format) whose NAME is `user` (may be NULL) or the decimal `uid`.  Returns 0
 * and fills start/size, -ENOENT when no entry matches or the file is absent,
 * another negative errno when it cannot be read.  Malformed lines are
 * skipped; a range past 2^32 is malformed.  */
int host_subid_range (const char *file, uid_t uid, const char *user, uint32_t *start, uint32_t *size);

/* The host range that container ids map into when cordon runs as root: the
 * first 65536 ids of root's /etc/subuid entry ("root" or "0", fewer when the
 * entry is shorter) if one exists, otherwise HOST_IDMAP_DEFAULT_START/SIZE.
 * Returns 1 when taken from /etc/subuid, 0 for the default, negative errno
 * when /etc/subuid exists but cannot be read.  */
int host_idmap_root_range (uint32_t *start, uint32_t *size);

/* host_idmap_root_range reading `file` instead of /etc/subuid (for tests).  */
int host_idmap_root_range_from (const char *file, uint32_t *start, uint32_t *size);

/* The cgroup v2 path ("/a/b") from the contents of /proc/PID/cgroup (the
 * "0::" line).  Returns a heap string, or NULL when there is no v2 line.  */
char *host_cgroup_v2_path (const char *proc_cgroup);

#endif
