/* SPDX-License-Identifier: Apache-2.0 */
/* Identity and capabilities of the workload.  Runs in the workload process
 * just before no_new_privs, seccomp and execve; the order inside
 * caps_apply matters because each step needs a capability that a later
 * step removes:
 *
 *   setgroups           needs CAP_SETGID
 *   bounding set drop   needs CAP_SETPCAP
 *   setresgid/setresuid needs CAP_SETGID/CAP_SETUID; PR_SET_KEEPCAPS keeps
 *                       the permitted set across a switch away from uid 0
 *   capset (libcap-ng)  only lowers sets, needs nothing
 *   ambient raise       needs the cap in permitted and inheritable
 *
 * The bounding set is what stops a uid-0 workload from getting every
 * capability back at execve (root's file capabilities are "all"), so it is
 * dropped for every capability the kernel has, including ones this build
 * has no name for.  */
#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "sandbox/caps.h"

/* Capability numbers are bits of a uint64_t mask in struct cordon_process.  */
#define CAPS_MASK_BITS 64

static const char *const caps_names[] = {
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_DAC_READ_SEARCH",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE",
  "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",
  "CAP_NET_RAW",
  "CAP_IPC_LOCK",
  "CAP_IPC_OWNER",
  "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO",
  "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",
  "CAP_SYS_ADMIN",
  "CAP_SYS_BOOT",
  "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME",
  "CAP_SYS_TTY_CONFIG",
  "CAP_MKNOD",
  "CAP_LEASE",
  "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL",
  "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",
  "CAP_MAC_ADMIN",
  "CAP_SYSLOG",
  "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ",
  "CAP_PERFMON",
  "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE",
};

#define CAPS_N_NAMES ((int)(sizeof caps_names / sizeof caps_names[0]))

/* The highest capability the running kernel has: PR_CAPBSET_READ answers
 * EINVAL past it.  Asked of the kernel rather than /proc, which may not be
 * mounted (or may be the sandbox's) where this runs.  */
static int
caps_kernel_last_cap (void)
{
  int last = -1;
  for (int cap = 0; cap < CAPS_MASK_BITS; cap++)
    {
      if (prctl (PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0) < 0)
        break;
      last = cap;
    }
  return last >= 0 ? last : CAP_LAST_CAP;
}

int
caps_last_cap (void)
{
  int kernel = caps_kernel_last_cap ();
  return kernel < CAPS_N_NAMES - 1 ? kernel : CAPS_N_NAMES - 1;
}

int
caps_from_name (const char *name)
{
  if (name == NULL)
    return -1;
  if (strncasecmp (name, "CAP_", 4) == 0)
    name += 4;
  for (int i = 0; i < CAPS_N_NAMES; i++)
    if (strcasecmp (name, caps_names[i] + 4) == 0)
      return i;
  return -1;
}

const char *
caps_to_name (int cap)
{
  if (cap < 0 || cap >= CAPS_N_NAMES)
    return NULL;
  return caps_names[cap];
}

static bool
caps_has (uint64_t mask, int cap)
{
  return cap < CAPS_MASK_BITS && (mask & (UINT64_C (1) << cap)) != 0;
}

static const char *
caps_describe (int cap, char *buf, size_t size)
{
  const char *name = caps_to_name (cap);
  if (name != NULL)
    return name;
  snprintf (buf, size, "capability %d", cap);
  return buf;
}

static int
caps_set_groups (const struct cordon_process *process, bool can_setgroups, struct cordon_error *err)
{
  _Static_assert(sizeof (gid_t) == sizeof (uint32_t), "gid_t is 32 bits");

  /* In a user namespace with setgroups denied (a rootless single-id map)
   * the process keeps the one group it has; additional gids cannot be
   * granted there, which only ever means less access.  */
  if (!can_setgroups)
    return 0;
  /* Always called, with an empty list too: the runner's own supplementary
   * groups (root's, when run as root) must not reach the workload.  */
  if (setgroups (process->n_additional_gids, (const gid_t *)process->additional_gids) < 0)
    return cordon_error_set (err, errno, "setgroups");
  return 0;
}

static int
caps_drop_bounding (uint64_t keep, struct cordon_error *err)
{
  int last = caps_kernel_last_cap ();
  char buf[32];

  for (int cap = 0; cap <= last; cap++)
    {
      int r;
      if (caps_has (keep, cap))
        continue;
      r = prctl (PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0);
      if (r < 0)
        return cordon_error_set (err, errno, "read the bounding set for %s", caps_describe (cap, buf, sizeof buf));
      if (r == 0)
        continue; /* already gone: dropping again would need CAP_SETPCAP for nothing */
      if (prctl (PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) < 0)
        return cordon_error_set (err, errno, "drop %s from the bounding set", caps_describe (cap, buf, sizeof buf));
    }
  return 0;
}

static int
caps_switch_ids (const struct cordon_process *process, struct cordon_error *err)
{
  /* Without KEEPCAPS, leaving uid 0 empties the permitted set before we
   * can set it to what the process asks for.  */
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return cordon_error_set (err, errno, "prctl PR_SET_KEEPCAPS");
  if (setresgid (process->gid, process->gid, process->gid) < 0)
    return cordon_error_set (err, errno, "setresgid to %u", process->gid);
  if (setresuid (process->uid, process->uid, process->uid) < 0)
    return cordon_error_set (err, errno, "setresuid to %u", process->uid);
  if (prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return cordon_error_set (err, errno, "prctl PR_SET_KEEPCAPS");
  return 0;
}

static int
caps_set_sets (const struct cordon_process *process, struct cordon_error *err)
{
  static const struct
  {
    capng_type_t type;
    const char *what;
  } sets[] = {
    { CAPNG_EFFECTIVE, "effective" },
    { CAPNG_PERMITTED, "permitted" },
    { CAPNG_INHERITABLE, "inheritable" },
  };
  int last = caps_last_cap ();
  char buf[32];

  if ((process->caps_effective & ~process->caps_permitted) != 0)
    return cordon_error_set (err, EINVAL, "effective capabilities must be a subset of the permitted ones");
  capng_clear (CAPNG_SELECT_CAPS);
  for (int cap = 0; cap <= last; cap++)
    {
      uint64_t masks[] = { process->caps_effective, process->caps_permitted, process->caps_inheritable };
      for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        if (caps_has (masks[i], cap) && capng_update (CAPNG_ADD, sets[i].type, (unsigned int)cap) < 0)
          return cordon_error_set (err, EINVAL, "add %s to the %s set", caps_describe (cap, buf, sizeof buf),
                                   sets[i].what);
    }
  if (capng_apply (CAPNG_SELECT_CAPS) < 0)
    return cordon_error_set (err, errno ? errno : EPERM, "capset");
  return 0;
}

static int
caps_set_ambient (const struct cordon_process *process, struct cordon_error *err)
{
  /* The kernel keeps an ambient cap only while it is both permitted and
   * inheritable; raise exactly those the process lists.  */
  uint64_t raise = process->caps_ambient & process->caps_permitted & process->caps_inheritable;
  int last = caps_last_cap ();
  char buf[32];

  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
    return cordon_error_set (err, errno, "clear the ambient set");
  for (int cap = 0; cap <= last; cap++)
    if (caps_has (raise, cap) && prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)cap, 0, 0) < 0)
      return cordon_error_set (err, errno, "raise %s in the ambient set", caps_describe (cap, buf, sizeof buf));
  return 0;
}

int
caps_apply (const struct cordon_process *process, bool can_setgroups, struct cordon_error *err)
{
  int r;

  r = caps_set_groups (process, can_setgroups, err);
  if (r == 0)
    r = caps_drop_bounding (process->caps_bounding, err);
  if (r == 0)
    r = caps_switch_ids (process, err);
  if (r == 0)
    r = caps_set_sets (process, err);
  if (r == 0)
    r = caps_set_ambient (process, err);
  return r;
}
