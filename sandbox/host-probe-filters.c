/* SPDX-License-Identifier: Apache-2.0 */
/* The probes for the filters cordon applies last: seccomp (filter mode,
 * KILL_PROCESS, user notification) and Landlock (ABI, enforcement).  Each
 * filter is installed in a forked child, never in the caller.  */
#include "sandbox/host-probe-private.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"

/* ---- seccomp ------------------------------------------------------------- */

static bool
seccomp_action_avail (uint32_t action)
{
  return syscall (SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}

/* A filter that allows everything but getppid, which gets `action`; NULL
 * (with the layer marked missing) when the kernel refuses the basics.  */
static scmp_filter_ctx
probe_filter_with (struct host_layer *layer, uint32_t action, int *e)
{
  scmp_filter_ctx filter;

  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    {
      host_layer_set (layer, HOST_LAYER_MISSING, "PR_SET_NO_NEW_PRIVS: %s", strerror (errno));
      return NULL;
    }
  filter = seccomp_init (SCMP_ACT_ALLOW);
  if (filter == NULL)
    {
      host_layer_set (layer, HOST_LAYER_MISSING, "seccomp_init failed");
      return NULL;
    }
  *e = seccomp_rule_add (filter, action, SCMP_SYS (getppid), 0);
  return filter;
}

static void
probe_seccomp_fn (const struct host_probe_ctx *ctx, struct host_layer *layer)
{
  scmp_filter_ctx filter;
  long r;
  int e;

  (void)ctx;
  filter = probe_filter_with (layer, SCMP_ACT_ERRNO (E2BIG), &e);
  if (filter == NULL)
    return;
  if (e == 0)
    e = seccomp_load (filter);
  seccomp_release (filter);
  if (e < 0)
    {
      host_layer_set (layer, HOST_LAYER_MISSING, "load a seccomp filter: %s", strerror (-e));
      return;
    }
  /* The filter must answer for real, not merely load.  */
  r = syscall (SYS_getppid);
  if (r != -1 || errno != E2BIG)
    host_layer_set (layer, HOST_LAYER_MISSING, "seccomp filter loaded but not enforced");
  else
    host_layer_set (layer, HOST_LAYER_OK, "enforced");
}

int
host_probe_seccomp (const struct host_probe_ctx *ctx, struct host_report *report, struct cordon_error *err)
{
  struct host_layer *layer = host_report_add (report, "seccomp", true);
  int mode = prctl (PR_GET_SECCOMP, 0, 0, 0, 0);
  bool kill_process;
  int r;

  if (mode < 0)
    {
      host_layer_set (layer, HOST_LAYER_MISSING, "kernel without seccomp (PR_GET_SECCOMP: %s)", strerror (errno));
      return 0;
    }
  r = host_probe_in_child (ctx, false, probe_seccomp_fn, layer, err);
  if (r < 0 || layer->state != HOST_LAYER_OK)
    return r;
  kill_process = seccomp_action_avail (SECCOMP_RET_KILL_PROCESS);
  host_layer_set (layer, kill_process ? HOST_LAYER_OK : HOST_LAYER_LIMITED, "filter mode enforced%s; %s",
                  mode == 2 ? " (cordon itself already runs under a filter)" : "",
                  kill_process ? "KILL_PROCESS available" : "no KILL_PROCESS action (kills only the thread)");
  return 0;
}

static void
probe_seccomp_notify_fn (const struct host_probe_ctx *ctx, struct host_layer *layer)
{
  scmp_filter_ctx filter;
  int e;

  (void)ctx;
  filter = probe_filter_with (layer, SCMP_ACT_NOTIFY, &e);
  if (filter == NULL)
    return;
  if (e == 0)
    e = seccomp_load (filter);
  if (e < 0)
    host_layer_set (layer, HOST_LAYER_MISSING, "load a filter with a notify listener: %s", strerror (-e));
  else if (seccomp_notify_fd (filter) < 0)
    host_layer_set (layer, HOST_LAYER_MISSING, "filter loaded but no listener fd");
  else
    host_layer_set (layer, HOST_LAYER_OK, "USER_NOTIF available, listener fd received");
  seccomp_release (filter);
}

int
host_probe_seccomp_notify (const struct host_probe_ctx *ctx, struct host_report *report, struct cordon_error *err)
{
  struct host_layer *layer = host_report_add (report, "seccomp-notify", false);

  if (!seccomp_action_avail (SECCOMP_RET_USER_NOTIF))
    {
      host_layer_set (layer, HOST_LAYER_MISSING, "SECCOMP_RET_USER_NOTIF not available (%s)", strerror (errno));
      return 0;
    }
  return host_probe_in_child (ctx, false, probe_seccomp_notify_fn, layer, err);
}

/* ---- Landlock ------------------------------------------------------------ */

static void
probe_landlock_fn (const struct host_probe_ctx *ctx, struct host_layer *layer)
{
  struct landlock_ruleset_attr attr = { .handled_access_fs = LANDLOCK_ACCESS_FS_READ_FILE };
  cleanup_close int rfd = -1;
  cleanup_close int fd = -1;

  (void)ctx;
  rfd = (int)syscall (SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
  if (rfd < 0)
    {
      host_layer_set (layer, HOST_LAYER_MISSING, "landlock_create_ruleset: %s", strerror (errno));
      return;
    }
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || syscall (SYS_landlock_restrict_self, rfd, 0) < 0)
    {
      host_layer_set (layer, HOST_LAYER_MISSING, "landlock_restrict_self: %s", strerror (errno));
      return;
    }
  /* A ruleset that handles file reads and allows none must deny this.  */
  fd = open ("/etc/passwd", O_RDONLY | O_CLOEXEC);
  if (fd >= 0 || errno != EACCES)
    host_layer_set (layer, HOST_LAYER_MISSING, "ruleset applied but reading /etc/passwd was not denied");
  else
    host_layer_set (layer, HOST_LAYER_OK, "enforced");
}

int
host_probe_landlock (const struct host_probe_ctx *ctx, struct host_report *report, struct cordon_error *err)
{
  struct host_layer *layer = host_report_add (report, "landlock", false);
  int abi = (int)syscall (SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
  int r;

  if (abi < 0)
    {
      if (errno == EOPNOTSUPP)
        host_layer_set (layer, HOST_LAYER_MISSING, "Landlock built in but disabled (add landlock to lsm= at boot)");
      else if (errno == ENOSYS)
        host_layer_set (layer, HOST_LAYER_MISSING, "kernel built without Landlock");
      else
        host_layer_set (layer, HOST_LAYER_MISSING, "landlock ABI query: %s", strerror (errno));
      return 0;
    }
  report->landlock_abi = abi;
  r = host_probe_in_child (ctx, false, probe_landlock_fn, layer, err);
  if (r < 0)
    return r;
  if (layer->state == HOST_LAYER_OK)
    host_layer_set (layer, HOST_LAYER_OK, "ABI %d, enforced in a test child", abi);
  else
    host_layer_set (layer, layer->state, "ABI %d, but %.200s", abi, layer->detail);
  return 0;
}
