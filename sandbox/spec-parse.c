/* SPDX-License-Identifier: Apache-2.0 */
/* config.json -> struct cordon_spec.  The file is hostile input: bounded by
 * the SPEC_MAX_* limits, every field type-checked, and every error names the
 * field it is about.  Unknown keys are ignored, as the OCI spec asks.  */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "common/safe-path.h"
#include "common/strv.h"
#include "sandbox/caps.h"
#include "sandbox/spec-seccomp.h"
#include "sandbox/spec.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#define WHERE_MAX 256

static const struct json_limits spec_limits = {
  .max_bytes = SPEC_MAX_FILE_BYTES,
  .max_items = SPEC_MAX_ITEMS,
  .max_string = SPEC_MAX_STRING,
};

static const struct
{
  const char *name;
  int type;
} namespace_names[] = {
  { "pid", CLONE_NEWPID }, { "network", CLONE_NEWNET }, { "mount", CLONE_NEWNS },      { "ipc", CLONE_NEWIPC },
  { "uts", CLONE_NEWUTS }, { "user", CLONE_NEWUSER },   { "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
};

static const struct
{
  const char *name;
  int resource;
} rlimit_names[] = {
  { "RLIMIT_AS", RLIMIT_AS },
  { "RLIMIT_CORE", RLIMIT_CORE },
  { "RLIMIT_CPU", RLIMIT_CPU },
  { "RLIMIT_DATA", RLIMIT_DATA },
  { "RLIMIT_FSIZE", RLIMIT_FSIZE },
  { "RLIMIT_LOCKS", RLIMIT_LOCKS },
  { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
  { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
  { "RLIMIT_NICE", RLIMIT_NICE },
  { "RLIMIT_NOFILE", RLIMIT_NOFILE },
  { "RLIMIT_NPROC", RLIMIT_NPROC },
  { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
  { "RLIMIT_RTTIME", RLIMIT_RTTIME },
  { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
  { "RLIMIT_STACK", RLIMIT_STACK },
};

const char *
spec_namespace_name (int type)
{
  for (size_t i = 0; i < sizeof namespace_names / sizeof namespace_names[0]; i++)
    if (namespace_names[i].type == type)
      return namespace_names[i].name;
  return NULL;
}

const char *
spec_rlimit_name (int resource)
{
  for (size_t i = 0; i < sizeof rlimit_names / sizeof rlimit_names[0]; i++)
    if (rlimit_names[i].resource == resource)
      return rlimit_names[i].name;
  return NULL;
}

static int
opt_string (yajl_val obj, const char *key, const char *where, char **out, struct cordon_error *err)
{
  yajl_val v = json_get (obj, key);
  char at[WHERE_MAX];

  if (v == NULL || YAJL_IS_NULL (v))
    return 0;
  json_path (at, sizeof at, "%s.%s", where, key);
  free (*out);
  *out = NULL;
  return json_string (v, &spec_limits, at, out, err);
}

static int
absolute_path (const char *path, const char *where, struct cordon_error *err)
{
  if (path == NULL || path[0] != '/')
    return cordon_error_set (err, EINVAL, "%s: must be an absolute path", where);
  if (!safe_path_is_clean (path))
    return cordon_error_set (err, EINVAL, "%s: `..` and `.` are not allowed in `%s`", where, path);
  return 0;
}

static int
parse_caps (yajl_val caps, uint64_t *sets[5], struct cordon_error *err)
{
  static const char *const names[5] = { "bounding", "effective", "inheritable", "permitted", "ambient" };
  char at[WHERE_MAX];
  int r;

  if ((r = json_want_object (caps, "config.json: process.capabilities", err)) < 0)
    return r;
  for (int k = 0; k < 5; k++)
    {
      yajl_val list = json_get (caps, names[k]);
      json_path (at, sizeof at, "config.json: process.capabilities.%s", names[k]);
      *sets[k] = 0;
      if (list == NULL || YAJL_IS_NULL (list))
        continue;
      if ((r = json_want_array (list, &spec_limits, at, err)) < 0)
        return r;
      for (size_t i = 0; i < list->u.array.len; i++)
        {
          yajl_val c = list->u.array.values[i];
          int cap = (c && YAJL_IS_STRING (c)) ? caps_from_name (c->u.string) : -1;
          if (cap < 0 || cap > 63)
            return cordon_error_set (err, EINVAL, "%s[%zu]: unknown capability", at, i);
          *sets[k] |= 1ull << cap;
        }
    }
  return 0;
}

static int
parse_rlimits (yajl_val list, struct cordon_process *p, struct cordon_error *err)
{
  const char *where = "config.json: process.rlimits";
  int r;

  if ((r = json_want_array (list, &spec_limits, where, err)) < 0)
    return r;
  p->rlimits = calloc (list->u.array.len + 1, sizeof *p->rlimits);
  if (p->rlimits == NULL)
    return cordon_error_set (err, ENOMEM, "%s", where);
  for (size_t i = 0; i < list->u.array.len; i++)
    {
      yajl_val e = list->u.array.values[i], type;
      struct cordon_rlimit *rl = &p->rlimits[p->n_rlimits];
      char at[WHERE_MAX];
      bool known = false;

      json_path (at, sizeof at, "%s[%zu]", where, i);
      if ((r = json_want_object (e, at, err)) < 0)
        return r;
      type = json_get (e, "type");
      for (size_t k = 0; type && YAJL_IS_STRING (type) && k < sizeof rlimit_names / sizeof rlimit_names[0]; k++)
        if (strcmp (type->u.string, rlimit_names[k].name) == 0)
          {
            rl->resource = rlimit_names[k].resource;
            known = true;
          }
      if (!known)
        return cordon_error_set (err, EINVAL, "%s.type: expected an RLIMIT_* name", at);
      json_path (at, sizeof at, "%s[%zu].soft", where, i);
      if ((r = json_u64 (json_get (e, "soft"), at, &rl->soft, err)) < 0)
        return r;
      json_path (at, sizeof at, "%s[%zu].hard", where, i);
      if ((r = json_u64 (json_get (e, "hard"), at, &rl->hard, err)) < 0)
        return r;
      if (rl->soft > rl->hard)
        return cordon_error_set (err, EINVAL, "%s[%zu]: soft is above hard", where, i);
      p->n_rlimits++;
    }
  return 0;
}

static int
parse_user (yajl_val user, struct cordon_process *p, struct cordon_error *err)
{
  yajl_val gids;
  int r;

  if ((r = json_want_object (user, "config.json: process.user", err)) < 0)
    return r;
  if (json_get (user, "uid")
      && (r = json_u32 (json_get (user, "uid"), "config.json: process.user.uid", &p->uid, err)) < 0)
    return r;
  if (json_get (user, "gid")
      && (r = json_u32 (json_get (user, "gid"), "config.json: process.user.gid", &p->gid, err)) < 0)
    return r;
  if (p->uid == UINT32_MAX || p->gid == UINT32_MAX)
    return cordon_error_set (err, EINVAL, "config.json: process.user: 4294967295 is not a valid id");
  gids = json_get (user, "additionalGids");
  if (gids == NULL || YAJL_IS_NULL (gids))
    return 0;
  if ((r = json_want_array (gids, &spec_limits, "config.json: process.user.additionalGids", err)) < 0)
    return r;
  if (gids->u.array.len > 64)
    return cordon_error_set (err, E2BIG, "config.json: process.user.additionalGids: at most 64 groups");
  p->additional_gids = calloc (gids->u.array.len + 1, sizeof *p->additional_gids);
  if (p->additional_gids == NULL)
    return cordon_error_set (err, ENOMEM, "additionalGids");
  for (size_t i = 0; i < gids->u.array.len; i++)
    {
      char at[WHERE_MAX];
      json_path (at, sizeof at, "config.json: process.user.additionalGids[%zu]", i);
      if ((r = json_u32 (gids->u.array.values[i], at, &p->additional_gids[i], err)) < 0)
        return r;
      p->n_additional_gids++;
    }
  return 0;
}

static int
parse_process (yajl_val proc, struct cordon_spec *s, struct cordon_error *err)
{
  struct cordon_process *p = &s->process;
  uint64_t *sets[5]
      = { &p->caps_bounding, &p->caps_effective, &p->caps_inheritable, &p->caps_permitted, &p->caps_ambient };
  yajl_val v;
  int r;

  if ((r = json_want_object (proc, "config.json: process", err)) < 0)
    return r;
  if ((v = json_get (proc, "terminal")) && (r = json_bool (v, "config.json: process.terminal", &p->terminal, err)) < 0)
    return r;
  if ((v = json_get (proc, "user")) && (r = parse_user (v, p, err)) < 0)
    return r;
  if ((r = json_strv (json_get (proc, "args"), &spec_limits, "config.json: process.args", &p->args, err)) < 0)
    return r;
  if (p->args[0] == NULL || p->args[0][0] == '\0')
    return cordon_error_set (err, EINVAL, "config.json: process.args: no command");
  if ((v = json_get (proc, "env")) && !YAJL_IS_NULL (v))
    {
      if ((r = json_strv (v, &spec_limits, "config.json: process.env", &p->env, err)) < 0)
        return r;
      for (size_t i = 0; p->env[i]; i++)
        if (strchr (p->env[i], '=') == NULL || p->env[i][0] == '=')
          return cordon_error_set (err, EINVAL, "config.json: process.env[%zu]: expected KEY=VALUE", i);
    }
  if ((r = opt_string (proc, "cwd", "config.json: process", &p->cwd, err)) < 0)
    return r;
  if (p->cwd == NULL)
    return cordon_error_set (err, EINVAL, "config.json: process.cwd: missing");
  if ((r = absolute_path (p->cwd, "config.json: process.cwd", err)) < 0)
    return r;
  if ((v = json_get (proc, "capabilities")) && !YAJL_IS_NULL (v) && (r = parse_caps (v, sets, err)) < 0)
    return r;
  if ((v = json_get (proc, "rlimits")) && !YAJL_IS_NULL (v) && (r = parse_rlimits (v, p, err)) < 0)
    return r;
  if ((r = opt_string (proc, "apparmorProfile", "config.json: process", &p->apparmor_profile, err)) < 0)
    return r;
  /* noNewPrivileges may say anything: cordon always sets it.  */
  if ((v = json_get (proc, "noNewPrivileges")))
    {
      bool ignored;
      if ((r = json_bool (v, "config.json: process.noNewPrivileges", &ignored, err)) < 0)
        return r;
    }
  p->no_new_privileges = true;
  return 0;
}

static int
parse_mounts (yajl_val list, struct cordon_spec *s, struct cordon_error *err)
{
  int r;

  if ((r = json_want_array (list, &spec_limits, "config.json: mounts", err)) < 0)
    return r;
  s->mounts = calloc (list->u.array.len + 1, sizeof *s->mounts);
  if (s->mounts == NULL)
    return cordon_error_set (err, ENOMEM, "mounts");
  for (size_t i = 0; i < list->u.array.len; i++)
    {
      yajl_val m = list->u.array.values[i];
      struct cordon_mount *dst = &s->mounts[i];
      char at[WHERE_MAX];

      s->n_mounts++;
      json_path (at, sizeof at, "config.json: mounts[%zu]", i);
      if ((r = json_want_object (m, at, err)) < 0)
        return r;
      if ((r = opt_string (m, "destination", at, &dst->destination, err)) < 0
          || (r = opt_string (m, "type", at, &dst->type, err)) < 0
          || (r = opt_string (m, "source", at, &dst->source, err)) < 0)
        return r;
      json_path (at, sizeof at, "config.json: mounts[%zu].destination", i);
      if ((r = absolute_path (dst->destination, at, err)) < 0)
        return r;
      if (dst->type == NULL && (dst->type = strdup ("bind")) == NULL)
        return cordon_error_set (err, ENOMEM, "mounts");
      if (json_get (m, "options") && !YAJL_IS_NULL (json_get (m, "options")))
        {
          json_path (at, sizeof at, "config.json: mounts[%zu].options", i);
          if ((r = json_strv (json_get (m, "options"), &spec_limits, at, &dst->options, err)) < 0)
            return r;
        }
    }
  return 0;
}

static int
parse_namespaces (yajl_val list, struct cordon_spec *s, struct cordon_error *err)
{
  int r;

  if ((r = json_want_array (list, &spec_limits, "config.json: linux.namespaces", err)) < 0)
    return r;
  if (list->u.array.len > 16)
    return cordon_error_set (err, E2BIG, "config.json: linux.namespaces: too many entries");
  s->namespaces = calloc (list->u.array.len + 1, sizeof *s->namespaces);
  if (s->namespaces == NULL)
    return cordon_error_set (err, ENOMEM, "namespaces");
  for (size_t i = 0; i < list->u.array.len; i++)
    {
      yajl_val e = list->u.array.values[i], type;
      struct cordon_namespace *ns = &s->namespaces[s->n_namespaces];
      char at[WHERE_MAX];
      bool known = false;

      json_path (at, sizeof at, "config.json: linux.namespaces[%zu]", i);
      if ((r = json_want_object (e, at, err)) < 0)
        return r;
      type = json_get (e, "type");
      for (size_t k = 0; type && YAJL_IS_STRING (type) && k < sizeof namespace_names / sizeof namespace_names[0]; k++)
        if (strcmp (type->u.string, namespace_names[k].name) == 0)
          {
            ns->type = namespace_names[k].type;
            known = true;
          }
      if (!known)
        return cordon_error_set (err, EINVAL, "%s.type: expected pid, network, mount, ipc, uts, user, cgroup or time",
                                 at);
      for (size_t k = 0; k < s->n_namespaces; k++)
        if (s->namespaces[k].type == ns->type)
          return cordon_error_set (err, EINVAL, "%s: namespace `%s` listed twice", at, type->u.string);
      s->n_namespaces++;
      if ((r = opt_string (e, "path", at, &ns->path, err)) < 0)
        return r;
    }
  return 0;
}

static int
parse_mappings (yajl_val list, const char *where, struct cordon_id_mapping **out, size_t *n, struct cordon_error *err)
{
  int r;

  if ((r = json_want_array (list, &spec_limits, where, err)) < 0)
    return r;
  if (list->u.array.len > 340)
    return cordon_error_set (err, E2BIG, "%s: the kernel takes at most 340 mappings", where);
  *out = calloc (list->u.array.len + 1, sizeof **out);
  if (*out == NULL)
    return cordon_error_set (err, ENOMEM, "%s", where);
  for (size_t i = 0; i < list->u.array.len; i++)
    {
      yajl_val e = list->u.array.values[i];
      struct cordon_id_mapping *m = &(*out)[i];
      char at[WHERE_MAX];

      json_path (at, sizeof at, "%s[%zu]", where, i);
      if ((r = json_want_object (e, at, err)) < 0)
        return r;
      json_path (at, sizeof at, "%s[%zu].containerID", where, i);
      if ((r = json_u32 (json_get (e, "containerID"), at, &m->container_id, err)) < 0)
        return r;
      json_path (at, sizeof at, "%s[%zu].hostID", where, i);
      if ((r = json_u32 (json_get (e, "hostID"), at, &m->host_id, err)) < 0)
        return r;
      json_path (at, sizeof at, "%s[%zu].size", where, i);
      if ((r = json_u32 (json_get (e, "size"), at, &m->size, err)) < 0)
        return r;
      if (m->size == 0 || m->size > UINT32_MAX - m->container_id || m->size > UINT32_MAX - m->host_id)
        return cordon_error_set (err, ERANGE, "%s[%zu]: the range overflows or is empty", where, i);
      (*n)++;
    }
  return 0;
}

/* An optional integer field of `obj`: 0 when absent or null.  */
static int
opt_i64 (yajl_val obj, const char *key, const char *where, int64_t min, int64_t *out, struct cordon_error *err)
{
  yajl_val v = json_get (obj, key);
  char at[WHERE_MAX];
  int r;

  *out = 0;
  if (v == NULL || YAJL_IS_NULL (v))
    return 0;
  json_path (at, sizeof at, "%s.%s", where, key);
  if ((r = json_i64 (v, at, out, err)) < 0)
    return r;
  if (*out < min)
    return cordon_error_set (err, ERANGE, "%s: below %lld", at, (long long)min);
  return 0;
}

static int
parse_resources (yajl_val res, struct cordon_resources *out, struct cordon_error *err)
{
  const char *where = "config.json: linux.resources";
  yajl_val mem = json_get (res, "memory"), pids = json_get (res, "pids"), cpu = json_get (res, "cpu");
  int64_t v;
  int r;

  if ((r = json_want_object (res, where, err)) < 0)
    return r;
  if (mem && !YAJL_IS_NULL (mem))
    {
      if ((r = json_want_object (mem, "config.json: linux.resources.memory", err)) < 0
          || (r = opt_i64 (mem, "limit", "config.json: linux.resources.memory", 0, &v, err)) < 0)
        return r;
      out->memory_limit = (uint64_t)v;
      if ((r = opt_i64 (mem, "swap", "config.json: linux.resources.memory", -1, &out->memory_swap, err)) < 0)
        return r;
    }
  if (pids && !YAJL_IS_NULL (pids))
    {
      if ((r = json_want_object (pids, "config.json: linux.resources.pids", err)) < 0
          || (r = opt_i64 (pids, "limit", "config.json: linux.resources.pids", -1, &out->pids_limit, err)) < 0)
        return r;
    }
  if (cpu && !YAJL_IS_NULL (cpu))
    {
      if ((r = json_want_object (cpu, "config.json: linux.resources.cpu", err)) < 0)
        return r;
      if ((r = opt_i64 (cpu, "quota", "config.json: linux.resources.cpu", -1, &v, err)) < 0)
        return r;
      out->cpu_quota = v > 0 ? (uint64_t)v : 0;
      if ((r = opt_i64 (cpu, "period", "config.json: linux.resources.cpu", 0, &v, err)) < 0)
        return r;
      out->cpu_period = (uint64_t)v;
      if ((r = opt_i64 (cpu, "shares", "config.json: linux.resources.cpu", 0, &v, err)) < 0)
        return r;
      out->cpu_shares = (uint64_t)v;
      if ((r = opt_string (cpu, "cpus", "config.json: linux.resources.cpu", &out->cpuset_cpus, err)) < 0)
        return r;
      if (out->cpuset_cpus && strspn (out->cpuset_cpus, "0123456789,-") != strlen (out->cpuset_cpus))
        return cordon_error_set (err, EINVAL, "config.json: linux.resources.cpu.cpus: expected a list like 0-2,4");
    }
  return 0;
}

static int
parse_linux (yajl_val lx, struct cordon_spec *s, struct cordon_error *err)
{
  static const struct seccomp_parse_options oci = { .docker = false };
  yajl_val v;
  int r;

  if ((r = json_want_object (lx, "config.json: linux", err)) < 0)
    return r;
  if ((v = json_get (lx, "namespaces")) && !YAJL_IS_NULL (v) && (r = parse_namespaces (v, s, err)) < 0)
    return r;
  if ((v = json_get (lx, "uidMappings")) && !YAJL_IS_NULL (v)
      && (r = parse_mappings (v, "config.json: linux.uidMappings", &s->uid_mappings, &s->n_uid_mappings, err)) < 0)
    return r;
  if ((v = json_get (lx, "gidMappings")) && !YAJL_IS_NULL (v)
      && (r = parse_mappings (v, "config.json: linux.gidMappings", &s->gid_mappings, &s->n_gid_mappings, err)) < 0)
    return r;
  if ((v = json_get (lx, "maskedPaths")) && !YAJL_IS_NULL (v)
      && (r = json_strv (v, &spec_limits, "config.json: linux.maskedPaths", &s->masked_paths, err)) < 0)
    return r;
  if ((v = json_get (lx, "readonlyPaths")) && !YAJL_IS_NULL (v)
      && (r = json_strv (v, &spec_limits, "config.json: linux.readonlyPaths", &s->readonly_paths, err)) < 0)
    return r;
  for (char **p = s->masked_paths; p && *p; p++)
    if ((r = absolute_path (*p, "config.json: linux.maskedPaths", err)) < 0)
      return r;
  for (char **p = s->readonly_paths; p && *p; p++)
    if ((r = absolute_path (*p, "config.json: linux.readonlyPaths", err)) < 0)
      return r;
  if ((v = json_get (lx, "resources")) && !YAJL_IS_NULL (v) && (r = parse_resources (v, &s->resources, err)) < 0)
    return r;
  if ((v = json_get (lx, "seccomp")) && !YAJL_IS_NULL (v))
    {
      r = seccomp_from_json (v, &spec_limits, "config.json: linux.seccomp", &oci, &s->seccomp, err);
      if (r < 0)
        return r;
    }
  return 0;
}

static int
parse_extension (yajl_val ext, struct cordon_spec *s, struct cordon_error *err)
{
  yajl_val v;
  int r;

  if ((r = json_want_object (ext, "config.json: cordon", err)) < 0)
    return r;
  if ((v = json_get (ext, "limits")) && !YAJL_IS_NULL (v))
    {
      struct cordon_limits *l = &s->cordon.limits;
      if ((r = json_want_object (v, "config.json: cordon.limits", err)) < 0)
        return r;
      if ((json_get (v, "cpuTimeMs")
           && (r = json_u64 (json_get (v, "cpuTimeMs"), "config.json: cordon.limits.cpuTimeMs", &l->cpu_time_ms, err))
                  < 0)
          || (json_get (v, "wallTimeMs")
              && (r = json_u64 (json_get (v, "wallTimeMs"), "config.json: cordon.limits.wallTimeMs", &l->wall_time_ms,
                                err))
                     < 0)
          || (json_get (v, "outputBytes")
              && (r = json_u64 (json_get (v, "outputBytes"), "config.json: cordon.limits.outputBytes", &l->output_bytes,
                                err))
                     < 0))
        return r;
    }
  if ((v = json_get (ext, "landlock")) && !YAJL_IS_NULL (v))
    {
      if (!YAJL_IS_STRING (v) || (strcmp (v->u.string, "unconfined") != 0 && strcmp (v->u.string, "mount-plan") != 0))
        return cordon_error_set (err, EINVAL, "config.json: cordon.landlock: expected \"mount-plan\" or \"unconfined\"");
      s->cordon.landlock_unconfined = strcmp (v->u.string, "unconfined") == 0;
    }
  v = json_get (ext, "seccomp");
  if (v == NULL)
    return 0;
  if (!YAJL_IS_STRING (v))
    return cordon_error_set (err, EINVAL, "config.json: cordon.seccomp: expected \"baseline\" or \"unconfined\"");
  if (strcmp (v->u.string, "unconfined") == 0)
    s->cordon.seccomp_mode = SECCOMP_MODE_UNCONFINED;
  else if (strcmp (v->u.string, "baseline") == 0)
    s->cordon.seccomp_mode = SECCOMP_MODE_BASELINE;
  else
    return cordon_error_set (err, EINVAL, "config.json: cordon.seccomp: expected \"baseline\" or \"unconfined\"");
  return 0;
}

static int
parse_root (yajl_val root, struct cordon_spec *s, struct cordon_error *err)
{
  yajl_val v;
  int r;

  if ((r = json_want_object (root, "config.json: root", err)) < 0)
    return r;
  if ((r = json_string (json_get (root, "path"), &spec_limits, "config.json: root.path", &s->root_path, err)) < 0)
    return r;
  if (s->root_path[0] == '\0')
    return cordon_error_set (err, EINVAL, "config.json: root.path: empty");
  s->root_readonly = false;
  if ((v = json_get (root, "readonly"))
      && (r = json_bool (v, "config.json: root.readonly", &s->root_readonly, err)) < 0)
    return r;
  return 0;
}

static int
parse_spec (yajl_val tree, struct cordon_spec *s, struct cordon_error *err)
{
  yajl_val v;
  int r;

  if ((r = json_want_object (tree, "config.json", err)) < 0)
    return r;
  if ((r = json_string (json_get (tree, "ociVersion"), &spec_limits, "config.json: ociVersion", &s->oci_version, err))
      < 0)
    return r;
  if ((r = parse_process (json_get (tree, "process"), s, err)) < 0)
    return r;
  if ((r = parse_root (json_get (tree, "root"), s, err)) < 0)
    return r;
  if ((r = opt_string (tree, "hostname", "config.json", &s->hostname, err)) < 0)
    return r;
  if (s->hostname && strlen (s->hostname) > 64)
    return cordon_error_set (err, EINVAL, "config.json: hostname: longer than 64 bytes");
  if ((v = json_get (tree, "mounts")) && !YAJL_IS_NULL (v) && (r = parse_mounts (v, s, err)) < 0)
    return r;
  if ((v = json_get (tree, "linux")) && !YAJL_IS_NULL (v) && (r = parse_linux (v, s, err)) < 0)
    return r;
  s->cordon.seccomp_mode = s->seccomp ? SECCOMP_MODE_SPEC : SECCOMP_MODE_BASELINE;
  if ((v = json_get (tree, "cordon")) && !YAJL_IS_NULL (v) && (r = parse_extension (v, s, err)) < 0)
    return r;
  if (s->cordon.seccomp_mode == SECCOMP_MODE_BASELINE && s->seccomp)
    s->cordon.seccomp_mode = SECCOMP_MODE_SPEC;
  return 0;
}

int
spec_parse (const char *text, size_t len, struct cordon_spec **out, struct cordon_error *err)
{
  cleanup_json yajl_val tree = NULL;
  struct cordon_spec *s;
  int r;

  r = json_parse (text, len, &spec_limits, "config.json", &tree, err);
  if (r < 0)
    return r;
  s = calloc (1, sizeof *s);
  if (s == NULL)
    return cordon_error_set (err, ENOMEM, "config.json");
  r = parse_spec (tree, s, err);
  if (r < 0)
    {
      spec_free (s);
      return r;
    }
  *out = s;
  return 0;
}

int
spec_load_file (const char *path, struct cordon_spec **out, struct cordon_error *err)
{
  cleanup_free char *text = NULL;
  size_t len;
  int r;

  r = json_read_file (path, SPEC_MAX_FILE_BYTES, &text, &len, err);
  if (r < 0)
    return r;
  return spec_parse (text, len, out, err);
}

int
spec_parse_process (const char *text, size_t len, struct cordon_spec *s, struct cordon_error *err)
{
  cleanup_json yajl_val tree = NULL;
  struct cordon_process *p = &s->process;
  int r;

  r = json_parse (text, len, &spec_limits, "process.json", &tree, err);
  if (r < 0)
    return r;
  free (p->additional_gids);
  strv_free (p->args);
  strv_free (p->env);
  free (p->cwd);
  free (p->rlimits);
  free (p->apparmor_profile);
  memset (p, 0, sizeof *p);
  return parse_process (tree, s, err);
}
