/* SPDX-License-Identifier: Apache-2.0 */
/* struct cordon_spec -> config.json text (what `cordon spec` prints).  It
 * parses back to the same spec.  */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "sandbox/caps.h"
#include "sandbox/spec-seccomp.h"
#include "sandbox/spec.h"

static void
str (yajl_gen g, const char *s)
{
  yajl_gen_string (g, (const unsigned char *)s, strlen (s));
}

static void
key_str (yajl_gen g, const char *k, const char *v)
{
  str (g, k);
  str (g, v);
}

static void
key_u64 (yajl_gen g, const char *k, uint64_t v)
{
  char buf[32];
  int n = snprintf (buf, sizeof buf, "%llu", (unsigned long long)v);

  str (g, k);
  yajl_gen_number (g, buf, (size_t)n);
}

static void
strv (yajl_gen g, char **v)
{
  yajl_gen_array_open (g);
  for (; v && *v; v++)
    str (g, *v);
  yajl_gen_array_close (g);
}

static void
write_caps (yajl_gen g, const struct cordon_process *p)
{
  const char *names[5] = { "bounding", "effective", "inheritable", "permitted", "ambient" };
  uint64_t sets[5] = { p->caps_bounding, p->caps_effective, p->caps_inheritable, p->caps_permitted, p->caps_ambient };

  str (g, "capabilities");
  yajl_gen_map_open (g);
  for (int k = 0; k < 5; k++)
    {
      str (g, names[k]);
      yajl_gen_array_open (g);
      for (int cap = 0; cap < 64; cap++)
        if ((sets[k] & (1ull << cap)) && caps_to_name (cap))
          str (g, caps_to_name (cap));
      yajl_gen_array_close (g);
    }
  yajl_gen_map_close (g);
}

static void
write_process (yajl_gen g, const struct cordon_process *p)
{
  str (g, "process");
  yajl_gen_map_open (g);
  str (g, "terminal");
  yajl_gen_bool (g, p->terminal);
  str (g, "user");
  yajl_gen_map_open (g);
  key_u64 (g, "uid", p->uid);
  key_u64 (g, "gid", p->gid);
  if (p->n_additional_gids)
    {
      str (g, "additionalGids");
      yajl_gen_array_open (g);
      for (size_t i = 0; i < p->n_additional_gids; i++)
        {
          char buf[16];
          int n = snprintf (buf, sizeof buf, "%u", (unsigned)p->additional_gids[i]);
          yajl_gen_number (g, buf, (size_t)n);
        }
      yajl_gen_array_close (g);
    }
  yajl_gen_map_close (g);
  str (g, "args");
  strv (g, p->args);
  str (g, "env");
  strv (g, p->env);
  key_str (g, "cwd", p->cwd ? p->cwd : "/");
  write_caps (g, p);
  if (p->n_rlimits)
    {
      str (g, "rlimits");
      yajl_gen_array_open (g);
      for (size_t i = 0; i < p->n_rlimits; i++)
        {
          yajl_gen_map_open (g);
          key_str (g, "type", spec_rlimit_name (p->rlimits[i].resource) ?: "RLIMIT_NOFILE");
          key_u64 (g, "hard", p->rlimits[i].hard);
          key_u64 (g, "soft", p->rlimits[i].soft);
          yajl_gen_map_close (g);
        }
      yajl_gen_array_close (g);
    }
  if (p->apparmor_profile)
    key_str (g, "apparmorProfile", p->apparmor_profile);
  str (g, "noNewPrivileges");
  yajl_gen_bool (g, 1);
  yajl_gen_map_close (g);
}

static void
write_mounts (yajl_gen g, const struct cordon_spec *s)
{
  str (g, "mounts");
  yajl_gen_array_open (g);
  for (size_t i = 0; i < s->n_mounts; i++)
    {
      const struct cordon_mount *m = &s->mounts[i];
      yajl_gen_map_open (g);
      key_str (g, "destination", m->destination);
      key_str (g, "type", m->type);
      if (m->source)
        key_str (g, "source", m->source);
      str (g, "options");
      strv (g, m->options);
      yajl_gen_map_close (g);
    }
  yajl_gen_array_close (g);
}

static void
write_mappings (yajl_gen g, const char *key, const struct cordon_id_mapping *m, size_t n)
{
  str (g, key);
  yajl_gen_array_open (g);
  for (size_t i = 0; i < n; i++)
    {
      yajl_gen_map_open (g);
      key_u64 (g, "containerID", m[i].container_id);
      key_u64 (g, "hostID", m[i].host_id);
      key_u64 (g, "size", m[i].size);
      yajl_gen_map_close (g);
    }
  yajl_gen_array_close (g);
}

void
seccomp_gen_json (yajl_gen g, const struct cordon_seccomp *sc)
{
  yajl_gen_map_open (g);
  key_str (g, "defaultAction", seccomp_action_name (sc->default_action));
  if (sc->has_default_errno_ret)
    key_u64 (g, "defaultErrnoRet", sc->default_errno_ret);
  if (sc->architectures)
    {
      str (g, "architectures");
      strv (g, sc->architectures);
    }
  if (sc->flags)
    {
      str (g, "flags");
      strv (g, sc->flags);
    }
  str (g, "syscalls");
  yajl_gen_array_open (g);
  for (size_t i = 0; i < sc->n_rules; i++)
    {
      const struct cordon_seccomp_rule *r = &sc->rules[i];
      yajl_gen_map_open (g);
      str (g, "names");
      strv (g, r->names);
      key_str (g, "action", seccomp_action_name (r->action));
      if (r->has_errno_ret)
        key_u64 (g, "errnoRet", r->errno_ret);
      if (r->n_args)
        {
          str (g, "args");
          yajl_gen_array_open (g);
          for (size_t k = 0; k < r->n_args; k++)
            {
              yajl_gen_map_open (g);
              key_u64 (g, "index", r->args[k].index);
              key_u64 (g, "value", r->args[k].value);
              key_u64 (g, "valueTwo", r->args[k].value_two);
              key_str (g, "op", seccomp_op_name (r->args[k].op));
              yajl_gen_map_close (g);
            }
          yajl_gen_array_close (g);
        }
      yajl_gen_map_close (g);
    }
  yajl_gen_array_close (g);
  yajl_gen_map_close (g);
}

static void
key_i64 (yajl_gen g, const char *k, int64_t v)
{
  str (g, k);
  yajl_gen_integer (g, v);
}

static void
write_resources (yajl_gen g, const struct cordon_resources *r)
{
  str (g, "resources");
  yajl_gen_map_open (g);
  if (r->memory_limit || r->memory_swap)
    {
      str (g, "memory");
      yajl_gen_map_open (g);
      if (r->memory_limit)
        key_u64 (g, "limit", r->memory_limit);
      if (r->memory_swap)
        key_i64 (g, "swap", r->memory_swap);
      yajl_gen_map_close (g);
    }
  if (r->pids_limit)
    {
      str (g, "pids");
      yajl_gen_map_open (g);
      key_i64 (g, "limit", r->pids_limit);
      yajl_gen_map_close (g);
    }
  if (r->cpu_quota || r->cpu_period || r->cpu_shares || r->cpuset_cpus)
    {
      str (g, "cpu");
      yajl_gen_map_open (g);
      if (r->cpu_quota)
        key_u64 (g, "quota", r->cpu_quota);
      if (r->cpu_period)
        key_u64 (g, "period", r->cpu_period);
      if (r->cpu_shares)
        key_u64 (g, "shares", r->cpu_shares);
      if (r->cpuset_cpus)
        key_str (g, "cpus", r->cpuset_cpus);
      yajl_gen_map_close (g);
    }
  yajl_gen_map_close (g);
}

static void
write_linux (yajl_gen g, const struct cordon_spec *s)
{
  str (g, "linux");
  yajl_gen_map_open (g);
  if (s->n_uid_mappings)
    write_mappings (g, "uidMappings", s->uid_mappings, s->n_uid_mappings);
  if (s->n_gid_mappings)
    write_mappings (g, "gidMappings", s->gid_mappings, s->n_gid_mappings);
  str (g, "namespaces");
  yajl_gen_array_open (g);
  for (size_t i = 0; i < s->n_namespaces; i++)
    {
      yajl_gen_map_open (g);
      key_str (g, "type", spec_namespace_name (s->namespaces[i].type) ?: "mount");
      if (s->namespaces[i].path)
        key_str (g, "path", s->namespaces[i].path);
      yajl_gen_map_close (g);
    }
  yajl_gen_array_close (g);
  str (g, "maskedPaths");
  strv (g, s->masked_paths);
  str (g, "readonlyPaths");
  strv (g, s->readonly_paths);
  write_resources (g, &s->resources);
  if (s->seccomp)
    {
      str (g, "seccomp");
      seccomp_gen_json (g, s->seccomp);
    }
  yajl_gen_map_close (g);
}

int
spec_to_json (const struct cordon_spec *s, char **out, size_t *len, struct cordon_error *err)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  const unsigned char *buf;
  size_t n;

  if (g == NULL)
    return cordon_error_set (err, ENOMEM, "config.json");
  yajl_gen_config (g, yajl_gen_beautify, 1);
  yajl_gen_config (g, yajl_gen_indent_string, "  ");
  yajl_gen_map_open (g);
  key_str (g, "ociVersion", s->oci_version ? s->oci_version : "1.0.2");
  write_process (g, &s->process);
  str (g, "root");
  yajl_gen_map_open (g);
  key_str (g, "path", s->root_path ? s->root_path : "rootfs");
  str (g, "readonly");
  yajl_gen_bool (g, s->root_readonly);
  yajl_gen_map_close (g);
  if (s->hostname)
    key_str (g, "hostname", s->hostname);
  write_mounts (g, s);
  write_linux (g, s);
  str (g, "cordon");
  yajl_gen_map_open (g);
  key_str (g, "seccomp", s->cordon.seccomp_mode == SECCOMP_MODE_UNCONFINED ? "unconfined" : "baseline");
  key_str (g, "landlock", s->cordon.landlock_unconfined ? "unconfined" : "mount-plan");
  str (g, "limits");
  yajl_gen_map_open (g);
  if (s->cordon.limits.cpu_time_ms)
    key_u64 (g, "cpuTimeMs", s->cordon.limits.cpu_time_ms);
  if (s->cordon.limits.wall_time_ms)
    key_u64 (g, "wallTimeMs", s->cordon.limits.wall_time_ms);
  if (s->cordon.limits.output_bytes)
    key_u64 (g, "outputBytes", s->cordon.limits.output_bytes);
  yajl_gen_map_close (g);
  yajl_gen_map_close (g);
  yajl_gen_map_close (g);
  if (yajl_gen_get_buf (g, &buf, &n) != yajl_gen_status_ok)
    {
      yajl_gen_free (g);
      return cordon_error_set (err, EINVAL, "config.json: generation failed");
    }
  *out = strndup ((const char *)buf, n);
  *len = n;
  yajl_gen_free (g);
  if (*out == NULL)
    return cordon_error_set (err, ENOMEM, "config.json");
  return 0;
}
