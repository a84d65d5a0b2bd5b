/* SPDX-License-Identifier: Apache-2.0 */
/* The default config (what `cordon spec` prints and `cordon run --rootfs`
 * starts from), and freeing.  */
#include "sandbox/spec.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/strv.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

struct default_mount
{
  const char *destination;
  const char *type;
  const char *source;
  const char *options[8];
};

/* runc's and crun's defaults, with /tmp added as a bounded tmpfs: the root
 * is always read-only, and programs expect a writable /tmp.  */
static const struct default_mount default_mounts[] = {
  { "/proc", "proc", "proc", { "nosuid", "noexec", "nodev", NULL } },
  { "/dev", "tmpfs", "tmpfs", { "nosuid", "strictatime", "mode=755", "size=65536k", NULL } },
  { "/dev/pts", "devpts", "devpts", { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", NULL } },
  { "/dev/shm", "tmpfs", "shm", { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL } },
  { "/dev/mqueue", "mqueue", "mqueue", { "nosuid", "noexec", "nodev", NULL } },
  { "/sys", "sysfs", "sysfs", { "nosuid", "noexec", "nodev", "ro", NULL } },
  { "/tmp", "tmpfs", "tmpfs", { "nosuid", "nodev", "mode=1777", "size=64m", NULL } },
};

static const char *const default_masked_paths[] = {
  "/proc/acpi",
  "/proc/asound",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/sched_debug",
  "/proc/scsi",
  "/sys/firmware",
  "/sys/devices/virtual/powercap",
  NULL,
};

static const char *const default_readonly_paths[] = {
  "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static const int default_namespaces[] = {
  CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUSER, CLONE_NEWTIME,
};

static int
strv_from_static (char ***out, const char *const *list)
{
  for (const char *const *p = list; *p; p++)
    if (strv_append (out, *p) < 0)
      return -ENOMEM;
  return 0;
}

static int
fill_default (struct cordon_spec *s, bool rootless)
{
  size_t n_mounts = sizeof default_mounts / sizeof default_mounts[0];
  size_t n_ns = sizeof default_namespaces / sizeof default_namespaces[0];

  if ((s->oci_version = strdup ("1.0.2")) == NULL || (s->root_path = strdup ("rootfs")) == NULL
      || (s->hostname = strdup ("cordon")) == NULL || (s->process.cwd = strdup ("/")) == NULL)
    return -ENOMEM;
  s->root_readonly = true;
  s->process.no_new_privileges = true;
  if (strv_append (&s->process.args, "sh") < 0
      || strv_append (&s->process.env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") < 0)
    return -ENOMEM;

  s->process.rlimits = calloc (1, sizeof *s->process.rlimits);
  if (s->process.rlimits == NULL)
    return -ENOMEM;
  s->process.rlimits[0] = (struct cordon_rlimit){ RLIMIT_NOFILE, 1024, 1024 };
  s->process.n_rlimits = 1;

  s->mounts = calloc (n_mounts, sizeof *s->mounts);
  if (s->mounts == NULL)
    return -ENOMEM;
  for (size_t i = 0; i < n_mounts; i++, s->n_mounts++)
    {
      struct cordon_mount *m = &s->mounts[i];
      m->destination = strdup (default_mounts[i].destination);
      m->type = strdup (default_mounts[i].type);
      m->source = strdup (default_mounts[i].source);
      if (m->destination == NULL || m->type == NULL || m->source == NULL
          || strv_from_static (&m->options, default_mounts[i].options) < 0)
        {
          s->n_mounts++;
          return -ENOMEM;
        }
    }

  s->namespaces = calloc (n_ns, sizeof *s->namespaces);
  if (s->namespaces == NULL)
    return -ENOMEM;
  for (size_t i = 0; i < n_ns; i++)
    s->namespaces[i].type = default_namespaces[i];
  s->n_namespaces = n_ns;

  if (strv_from_static (&s->masked_paths, default_masked_paths) < 0
      || strv_from_static (&s->readonly_paths, default_readonly_paths) < 0)
    return -ENOMEM;

  if (rootless)
    {
      s->uid_mappings = calloc (1, sizeof *s->uid_mappings);
      s->gid_mappings = calloc (1, sizeof *s->gid_mappings);
      if (s->uid_mappings == NULL || s->gid_mappings == NULL)
        return -ENOMEM;
      s->uid_mappings[0] = (struct cordon_id_mapping){ 0, (uint32_t)getuid (), 1 };
      s->gid_mappings[0] = (struct cordon_id_mapping){ 0, (uint32_t)getgid (), 1 };
      s->n_uid_mappings = s->n_gid_mappings = 1;
    }
  s->cordon.seccomp_mode = SECCOMP_MODE_BASELINE;
  return 0;
}

int
spec_new_default (bool rootless, struct cordon_spec **out, struct cordon_error *err)
{
  struct cordon_spec *s = calloc (1, sizeof *s);
  int r;

  if (s == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  r = fill_default (s, rootless);
  if (r < 0)
    {
      spec_free (s);
      return cordon_error_set (err, -r, "default config");
    }
  *out = s;
  return 0;
}

bool
spec_has_namespace (const struct cordon_spec *spec, int type)
{
  for (size_t i = 0; i < spec->n_namespaces; i++)
    if (spec->namespaces[i].type == type)
      return true;
  return false;
}

int
spec_remove_namespace (struct cordon_spec *spec, int type)
{
  for (size_t i = 0; i < spec->n_namespaces; i++)
    if (spec->namespaces[i].type == type)
      {
        free (spec->namespaces[i].path);
        memmove (&spec->namespaces[i], &spec->namespaces[i + 1],
                 (spec->n_namespaces - i - 1) * sizeof *spec->namespaces);
        spec->n_namespaces--;
        return 0;
      }
  return 0;
}

void
seccomp_spec_free (struct cordon_seccomp *seccomp)
{
  if (seccomp == NULL)
    return;
  strv_free (seccomp->architectures);
  strv_free (seccomp->flags);
  for (size_t i = 0; i < seccomp->n_rules; i++)
    {
      strv_free (seccomp->rules[i].names);
      free (seccomp->rules[i].args);
    }
  free (seccomp->rules);
  free (seccomp);
}

void
spec_free (struct cordon_spec *spec)
{
  if (spec == NULL)
    return;
  free (spec->oci_version);
  free (spec->root_path);
  free (spec->hostname);
  free (spec->process.additional_gids);
  strv_free (spec->process.args);
  strv_free (spec->process.env);
  free (spec->process.cwd);
  free (spec->process.rlimits);
  strv_free (spec->cordon.egress_allow);
  free (spec->cordon.landlock_tcp_bind);
  free (spec->cordon.landlock_tcp_connect);
  free (spec->process.apparmor_profile);
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      free (spec->mounts[i].destination);
      free (spec->mounts[i].type);
      free (spec->mounts[i].source);
      strv_free (spec->mounts[i].options);
    }
  free (spec->mounts);
  for (size_t i = 0; i < spec->n_namespaces; i++)
    free (spec->namespaces[i].path);
  free (spec->namespaces);
  free (spec->uid_mappings);
  free (spec->gid_mappings);
  strv_free (spec->masked_paths);
  strv_free (spec->readonly_paths);
  seccomp_spec_free (spec->seccomp);
  free (spec->resources.cpuset_cpus);
  strv_free (spec->cordon.landlock_read);
  strv_free (spec->cordon.landlock_write);
  free (spec->cordon.profile);
  free (spec);
}
