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

/* The probes of host-probe-kernel.c, appended to `report` in order.  */
int host_probe_kernel_layers (const struct host_probe_ctx *ctx, struct host_report *report, struct cordon_error *err);

#endif
