/* SPDX-License-Identifier: Apache-2.0 */
/* The host report: id ranges (/etc/subuid), AppArmor, cgroups and the
 * newuidmap helpers, read from host files; the kernel probes live in
 * host-probe-kernel.c.  Read-only: check never creates a cgroup.  */
#include "common/fd-util.h"
#include "netpolicy/holder.h"
#include "sandbox/host-probe-private.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/cleanup.h"

#define PROC_CGROUP_MAX 16384

struct host_layer *
host_report_add (struct host_report *report, const char *name, bool required)
{
  struct host_layer *layer;

  if (report->n_layers >= HOST_LAYERS_MAX)
    abort ();
  layer = &report->layers[report->n_layers++];
  layer->name = name;
  layer->required = required;
  layer->state = HOST_LAYER_MISSING;
  snprintf (layer->detail, sizeof layer->detail, "not probed");
  return layer;
}

void
host_layer_set (struct host_layer *layer, enum host_layer_state state, const char *fmt, ...)
{
  char buf[HOST_LAYER_DETAIL_MAX];
  va_list ap;

  /* Through a copy: callers pass layer->detail itself as an argument.  */
  va_start (ap, fmt);
  vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  memcpy (layer->detail, buf, sizeof buf);
  layer->state = state;
}

int
host_read_file (const char *path, char *buf, size_t len)
{
  ssize_t n;
  size_t got;

  if (len == 0)
    return -EINVAL;
  n = fd_read_small (path, O_NOCTTY, buf, len);
  if (n < 0)
    return (int)n;
  got = (size_t)n;
  if (got > 0 && buf[got - 1] == '\n')
    buf[--got] = '\0';
  return (int)got;
}

const char *
host_layer_state_name (enum host_layer_state state)
{
  switch (state)
    {
    case HOST_LAYER_OK:
      return "ok";
    case HOST_LAYER_LIMITED:
      return "limited";
    case HOST_LAYER_MISSING:
    default:
      return "missing";
    }
}

const struct host_layer *
host_report_find (const struct host_report *report, const char *name)
{
  for (size_t i = 0; i < report->n_layers; i++)
    if (strcmp (report->layers[i].name, name) == 0)
      return &report->layers[i];
  return NULL;
}

bool
host_report_ready (const struct host_report *report)
{
  for (size_t i = 0; i < report->n_layers; i++)
    if (report->layers[i].required && report->layers[i].state == HOST_LAYER_MISSING)
      return false;
  return true;
}

/* ---- cgroups ------------------------------------------------------------- */

char *
host_cgroup_v2_path (const char *proc_cgroup)
{
  const char *p = proc_cgroup;

  while (p != NULL && *p != '\0')
    {
      if (strncmp (p, "0::", 3) == 0)
        return strndup (p + 3, strcspn (p + 3, "\n"));
      p = strchr (p, '\n');
      if (p != NULL)
        p++;
    }
  return NULL;
}

/* The path of `controller` in a v1 "ID:LIST:PATH" line of /proc/self/cgroup.  */
static char *
cgroup_v1_path (const char *proc_cgroup, const char *controller)
{
  size_t clen = strlen (controller);

  for (const char *p = proc_cgroup; p != NULL && *p != '\0';)
    {
      const char *list = strchr (p, ':');
      const char *end = strchr (p, '\n');
      const char *path = list ? strchr (list + 1, ':') : NULL;

      if (end == NULL)
        end = p + strlen (p);
      if (list != NULL && path != NULL && path < end)
        for (const char *c = list + 1; c < path;)
          {
            size_t n = strcspn (c, ",:");
            if (n == clen && strncmp (c, controller, clen) == 0)
              return strndup (path + 1, (size_t)(end - path - 1));
            c += n;
            if (*c != ',')
              break;
            c++;
          }
      p = *end ? end + 1 : NULL;
    }
  return NULL;
}

static bool
statfs_is (const char *path, long magic)
{
  struct statfs sfs;

  return statfs (path, &sfs) == 0 && (long)sfs.f_type == magic;
}

/* Whether the caller could create children under `dir` and move processes
 * into them: what delegation means.  */
static bool
cgroup_dir_writable (const char *dir, bool v2)
{
  char path[4096];

  if (faccessat (AT_FDCWD, dir, W_OK, AT_EACCESS) < 0)
    return false;
  snprintf (path, sizeof path, "%s/cgroup.procs", dir);
  if (faccessat (AT_FDCWD, path, W_OK, AT_EACCESS) < 0)
    return false;
  if (!v2)
    return true;
  snprintf (path, sizeof path, "%s/cgroup.subtree_control", dir);
  return faccessat (AT_FDCWD, path, W_OK, AT_EACCESS) == 0;
}

static void
probe_cgroup_v1 (struct host_layer *layer, const char *proc_cgroup, const char *v2_note)
{
  static const char *const wanted[] = { "memory", "pids", "cpu", "cpuacct" };
  char present[64] = "", writable[64] = "";
  size_t n_writable = 0;

  for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++)
    {
      char mnt[128], dir[4096];
      cleanup_free char *own = NULL;

      snprintf (mnt, sizeof mnt, "/sys/fs/cgroup/%s", wanted[i]);
      if (!statfs_is (mnt, CGROUP_SUPER_MAGIC))
        continue;
      strcat (present, " ");
      strcat (present, wanted[i]);
      own = cgroup_v1_path (proc_cgroup, wanted[i]);
      snprintf (dir, sizeof dir, "%s%s", mnt, own && strcmp (own, "/") != 0 ? own : "");
      if (cgroup_dir_writable (dir, false))
        {
          strcat (writable, " ");
          strcat (writable, wanted[i]);
          n_writable++;
        }
    }
  if (present[0] == '\0')
    host_layer_set (layer, HOST_LAYER_MISSING, "no cgroup v2 with controllers and no v1 hierarchies%s", v2_note);
  else if (n_writable == 0)
    host_layer_set (layer, HOST_LAYER_MISSING, "cgroup v1 (%s) not writable by this user%s", present + 1, v2_note);
  else
    host_layer_set (layer, HOST_LAYER_LIMITED, "cgroup v1 only: writable%s (of%s)%s", writable, present, v2_note);
}

static void
probe_cgroups (const struct host_probe_ctx *ctx, struct host_report *report)
{
  struct host_layer *layer = host_report_add (report, "cgroups", false);
  char proc_cgroup[PROC_CGROUP_MAX];
  char controllers[512] = "";
  char dir[4096], file[4200];
  cleanup_free char *own = NULL;
  const char *root = NULL;
  int r;

  (void)ctx;
  r = host_read_file ("/proc/self/cgroup", proc_cgroup, sizeof proc_cgroup);
  if (r < 0)
    {
      host_layer_set (layer, HOST_LAYER_MISSING, "read /proc/self/cgroup: %s", strerror (-r));
      return;
    }
  if (statfs_is ("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC))
    root = "/sys/fs/cgroup";
  else if (statfs_is ("/sys/fs/cgroup/unified", CGROUP2_SUPER_MAGIC))
    root = "/sys/fs/cgroup/unified";
  own = host_cgroup_v2_path (proc_cgroup);
  if (root != NULL && own != NULL)
    {
      snprintf (dir, sizeof dir, "%s%s", root, strcmp (own, "/") == 0 ? "" : own);
      snprintf (file, sizeof file, "%s/cgroup.controllers", dir);
      (void)host_read_file (file, controllers, sizeof controllers);
    }
  /* Without memory and pids the v2 tree cannot enforce cordon's limits (a
   * hybrid host's "unified" mount usually has none bound to it).  */
  if (root != NULL && own != NULL && strstr (controllers, "memory") != NULL && strstr (controllers, "pids") != NULL)
    {
      if (cgroup_dir_writable (dir, true))
        host_layer_set (layer, HOST_LAYER_OK, "cgroup v2, own cgroup %.60s delegated; controllers: %.100s", own,
                        controllers);
      else
        host_layer_set (layer, HOST_LAYER_LIMITED,
                        "cgroup v2, own cgroup %.60s not writable (no delegation): limits fall back to rlimits", own);
      return;
    }
  probe_cgroup_v1 (layer, proc_cgroup,
                   root == NULL                           ? ""
                   : strcmp (root, "/sys/fs/cgroup") == 0 ? "; v2 has no memory/pids controllers"
                                                          : "; v2 unified mount has no memory/pids");
}

/* ---- AppArmor ------------------------------------------------------------ */

static void
probe_apparmor (struct host_report *report)
{
  struct host_layer *layer = host_report_add (report, "apparmor", false);
  char enabled[8], current[128] = "";

  if (host_read_file ("/sys/module/apparmor/parameters/enabled", enabled, sizeof enabled) < 0)
    {
      host_layer_set (layer, HOST_LAYER_MISSING, "AppArmor not in this kernel (no /sys/module/apparmor)");
      return;
    }
  if (enabled[0] != 'Y')
    {
      host_layer_set (layer, HOST_LAYER_MISSING, "AppArmor built in but disabled (boot with apparmor=1)");
      return;
    }
  if (access ("/sys/kernel/security/apparmor", F_OK) < 0)
    {
      host_layer_set (layer, HOST_LAYER_LIMITED,
                      "enabled, but securityfs /sys/kernel/security/apparmor is not mounted: no profiles can load");
      return;
    }
  if (host_read_file ("/proc/self/attr/apparmor/current", current, sizeof current) < 0)
    (void)host_read_file ("/proc/self/attr/current", current, sizeof current);
  host_layer_set (layer, HOST_LAYER_OK, "enabled, securityfs mounted; cordon runs as `%.100s`",
                  current[0] ? current : "?");
}

/* ---- newuidmap / newgidmap ----------------------------------------------- */

/* Whether `name` is in PATH and can map ids: setuid root or file caps.  */
static bool
helper_usable (const char *name, char *found, size_t len)
{
  const char *path = getenv ("PATH");
  char dirs[4096];
  char *save = NULL;

  snprintf (dirs, sizeof dirs, "%s:/usr/sbin:/usr/bin:/sbin:/bin",
            path != NULL && path[0] != '\0' ? path : "/usr/local/bin");
  for (char *d = strtok_r (dirs, ":", &save); d != NULL; d = strtok_r (NULL, ":", &save))
    {
      struct stat st;

      snprintf (found, len, "%s/%s", d, name);
      if (stat (found, &st) < 0 || !S_ISREG (st.st_mode))
        continue;
      if ((st.st_mode & S_ISUID) && st.st_uid == 0)
        return true;
      if (getxattr (found, "security.capability", NULL, 0) > 0)
        return true;
      return false; /* the first one in PATH is the one that runs */
    }
  found[0] = '\0';
  return false;
}

static void
probe_subids (const struct host_probe_ctx *ctx, struct host_report *report)
{
  struct host_layer *layer = host_report_add (report, "newuidmap", false);
  struct passwd pw, *res = NULL;
  char pwbuf[4096];
  char uid_helper[512], gid_helper[512];
  uint32_t us = 0, un = 0, gs = 0, gn = 0;
  bool helpers, ranges;
  const char *user = NULL;

  if (getpwuid_r (ctx->uid, &pw, pwbuf, sizeof pwbuf, &res) == 0 && res != NULL)
    user = res->pw_name;
  helpers = helper_usable ("newuidmap", uid_helper, sizeof uid_helper)
            && helper_usable ("newgidmap", gid_helper, sizeof gid_helper);
  ranges = host_subid_range ("/etc/subuid", ctx->uid, user, &us, &un) == 0
           && host_subid_range ("/etc/subgid", ctx->uid, user, &gs, &gn) == 0;
  if (helpers && ranges)
    {
      host_layer_set (layer, HOST_LAYER_OK, "newuidmap/newgidmap usable; subordinate uids %u-%u, gids %u-%u", us,
                      us + un - 1, gs, gs + gn - 1);
      if (!ctx->root)
        {
          report->idmap.mode = HOST_IDMAP_SUBORDINATE;
          report->idmap.sub_start = us;
          report->idmap.sub_size = un;
        }
    }
  else if (helpers)
    host_layer_set (layer, HOST_LAYER_LIMITED,
                    "newuidmap/newgidmap usable, but no /etc/subuid and /etc/subgid entries for %s",
                    user ? user : "this uid");
  else if (ranges)
    host_layer_set (layer, HOST_LAYER_LIMITED, "subordinate ids %u-%u, but no setuid newuidmap/newgidmap in PATH", us,
                    us + un - 1);
  else
    host_layer_set (layer, HOST_LAYER_MISSING,
                    "no newuidmap/newgidmap and no subordinate ids (cordon does not need them)");
}

/* ---- networks ------------------------------------------------------------ */

/* Bridge networks (cordon network, run --network NAME): rtnetlink (libnl,
 * linked in) and libnftables (loaded when a network needs it); as root in
 * the host's network namespace, rootless in the per-user one of the
 * network holder (netpolicy/holder.h), linked to the outside by pasta when
 * it can run.  */
static void
probe_networks (const struct host_probe_ctx *ctx, struct host_report *report)
{
  struct host_layer *layer = host_report_add (report, "bridge-networks", false);
  const char *path = NULL, *why = NULL;
  const char *outside = ctx->root ? NULL : netns_outside_tool (&path, &why);
  void *nft;

  nft = dlopen ("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
  if (nft == NULL)
    {
      host_layer_set (layer, HOST_LAYER_MISSING,
                      "libnftables is not installed (apt-get install libnftables1): no masquerade or isolation rules");
      return;
    }
  dlclose (nft);
  if (ctx->root)
    host_layer_set (layer, HOST_LAYER_OK, "bridges and veth pairs over rtnetlink (libnl), rules with libnftables");
  else if (strcmp (outside, "none") != 0)
    host_layer_set (layer, HOST_LAYER_OK,
                    "rootless: bridges in a per-user network namespace (held by cordon-netns), rules with "
                    "libnftables; outside link: %s (%s)",
                    outside, path);
  else
    host_layer_set (layer, HOST_LAYER_OK,
                    "rootless: bridges in a per-user network namespace (held by cordon-netns), rules with "
                    "libnftables; outside link: none (%s): sandboxes reach each other and published ports only",
                    why);
}

/* ---- the report ---------------------------------------------------------- */

int
host_probe_all (struct host_report *report, struct cordon_error *err)
{
  struct host_probe_ctx ctx = { .uid = getuid (), .gid = getgid () };
  int r;

  memset (report, 0, sizeof *report);
  ctx.root = geteuid () == 0;
  report->uid = ctx.uid;
  report->idmap.host_uid = ctx.uid;
  report->idmap.mode = HOST_IDMAP_SINGLE;
  if (ctx.root)
    {
      r = host_idmap_root_range (&ctx.map_start, &ctx.map_size);
      if (r < 0)
        return cordon_error_set (err, -r, "read `/etc/subuid`");
      report->idmap.mode = HOST_IDMAP_ROOT_RANGE;
      report->idmap.sub_start = ctx.map_start;
      report->idmap.sub_size = ctx.map_size;
      report->idmap.from_subuid = r == 1;
    }
  else
    {
      ctx.map_start = ctx.uid;
      ctx.map_size = 1;
    }
  r = host_probe_kernel_layers (&ctx, report, err);
  if (r < 0)
    return r;
  probe_apparmor (report);
  probe_cgroups (&ctx, report);
  probe_subids (&ctx, report);
  probe_networks (&ctx, report);
  return 0;
}
