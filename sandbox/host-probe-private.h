/* SPDX-License-Identifier: Apache-2.0 */
/* Shared between host-probe.c (report, id ranges, host files) and
 * host-probe-kernel.c (probes that create namespaces in a child).  */
#ifndef CORDON_SANDBOX_HOST_PROBE_PRIVATE_H
#define CORDON_SANDBOX_HOST_PROBE_PRIVATE_H

#include "sandbox/host-probe.h"

struct host_probe_ctx
{
  uid_t uid;
  gid_t gid;
  bool root;
  /* Where container ids map in the probes: the caller's single id when
   * rootless, the root range when root, as the runner does.  */
  uint32_t map_start;
  uint32_t map_size;
};

/* Appends a layer to the report and returns it, so the caller can fill it.
 * More than HOST_LAYERS_MAX layers is a programming error (abort), which
 * the unit tests would hit first.  */
struct host_layer *host_report_add (struct host_report *report, const char *name, bool required);

void host_layer_set (struct host_layer *layer, enum host_layer_state state, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* Reads at most len-1 bytes of a small file (sysctl, sysfs), NUL-terminated,
 * trailing newline dropped.  Returns the length or a negative errno.  */
int host_read_file (const char *path, char *buf, size_t len);

typedef void (*host_probe_fn) (const struct host_probe_ctx *ctx, struct host_layer *layer);

/* Runs `fn` in a forked child (in a new user namespace mapped by us when
 * `userns`) and fills `layer` from its reply.  Only failing to fork or make
 * a pipe is an error; whatever happens in the child is the probe's result.  */
int host_probe_in_child (const struct host_probe_ctx *ctx, bool userns, host_probe_fn fn, struct host_layer *layer,
                         struct cordon_error *err);

/* host-probe-filters.c: each appends its layer to `report`.  */
int host_probe_seccomp (const struct host_probe_ctx *ctx, struct host_report *report, struct cordon_error *err);
int host_probe_seccomp_notify (const struct host_probe_ctx *ctx, struct host_report *report, struct cordon_error *err);
int host_probe_landlock (const struct host_probe_ctx *ctx, struct host_report *report, struct cordon_error *err);

/* The probes of host-probe-kernel.c (which calls those of
 * host-probe-filters.c), appended to `report` in order.  */
int host_probe_kernel_layers (const struct host_probe_ctx *ctx, struct host_report *report, struct cordon_error *err);

#endif
