/* SPDX-License-Identifier: Apache-2.0 */
#include "sandbox/spec-edit.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "common/cleanup.h"
#include "common/safe-path.h"
#include "common/strv.h"
#include "sandbox/caps.h"

int
spec_set_string (char **field, const char *value, struct cordon_error *err)
{
  char *copy = value ? strdup (value) : NULL;

  if (value && copy == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  free (*field);
  *field = copy;
  return 0;
}

int
spec_parse_size (const char *text, uint64_t *out)
{
  char *end;
  unsigned long long v;
  uint64_t mult = 1;

  if (text == NULL || *text < '0' || *text > '9')
    return -EINVAL;
  errno = 0;
  v = strtoull (text, &end, 10);
  if (errno)
    return -ERANGE;
  switch (*end)
    {
    case '\0':
      break;
    case 'b':
    case 'B':
      end++;
      break;
    case 'k':
    case 'K':
      mult = 1ull << 10;
      end++;
      break;
    case 'm':
    case 'M':
      mult = 1ull << 20;
      end++;
      break;
    case 'g':
    case 'G':
      mult = 1ull << 30;
      end++;
      break;
    case 't':
    case 'T':
      mult = 1ull << 40;
      end++;
      break;
    default:
      return -EINVAL;
    }
  /* Docker accepts "64mb", "1gb", "512kb" too.  */
  if (mult > 1 && (*end == 'b' || *end == 'B'))
    end++;
  if (*end != '\0')
    return -EINVAL;
  if (v > UINT64_MAX / mult)
    return -ERANGE;
  *out = v * mult;
  return 0;
}

int
spec_parse_seconds (const char *text, uint64_t *ms)
{
  char *end;
  double v;

  if (text == NULL || *text < '0' || *text > '9')
    return -EINVAL;
  errno = 0;
  v = strtod (text, &end);
  if (errno || *end != '\0' || v <= 0 || v > 1e9)
    return -EINVAL;
  *ms = (uint64_t)(v * 1000.0 + 0.5);
  return *ms ? 0 : -EINVAL;
}

int
spec_set_rlimit (struct cordon_spec *spec, int resource, uint64_t soft, uint64_t hard, struct cordon_error *err)
{
  struct cordon_process *p = &spec->process;
  struct cordon_rlimit *grown;

  if (soft > hard)
    return cordon_error_set (err, EINVAL, "rlimit: the soft limit is above the hard one");
  for (size_t i = 0; i < p->n_rlimits; i++)
    if (p->rlimits[i].resource == resource)
      {
        p->rlimits[i].soft = soft;
        p->rlimits[i].hard = hard;
        return 0;
      }
  grown = realloc (p->rlimits, (p->n_rlimits + 1) * sizeof *grown);
  if (grown == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  grown[p->n_rlimits++] = (struct cordon_rlimit){ resource, soft, hard };
  p->rlimits = grown;
  return 0;
}

static const struct
{
  const char *name;
  int resource;
  bool is_size;
} ulimit_names[] = {
  { "core", RLIMIT_CORE, true },         { "cpu", RLIMIT_CPU, false },
  { "data", RLIMIT_DATA, true },         { "fsize", RLIMIT_FSIZE, true },
  { "locks", RLIMIT_LOCKS, false },      { "memlock", RLIMIT_MEMLOCK, true },
  { "msgqueue", RLIMIT_MSGQUEUE, true }, { "nice", RLIMIT_NICE, false },
  { "nofile", RLIMIT_NOFILE, false },    { "nproc", RLIMIT_NPROC, false },
  { "rss", RLIMIT_RSS, true },           { "rtprio", RLIMIT_RTPRIO, false },
  { "rttime", RLIMIT_RTTIME, false },    { "sigpending", RLIMIT_SIGPENDING, false },
  { "stack", RLIMIT_STACK, true },       { "as", RLIMIT_AS, true },
};

static int
parse_limit_value (const char *text, bool is_size, uint64_t *out)
{
  char *end;

  if (strcmp (text, "-1") == 0 || strcmp (text, "unlimited") == 0)
    {
      *out = RLIM_INFINITY;
      return 0;
    }
  if (is_size)
    return spec_parse_size (text, out);
  if (*text < '0' || *text > '9')
    return -EINVAL;
  errno = 0;
  *out = strtoull (text, &end, 10);
  return errno || *end ? -EINVAL : 0;
}

int
spec_add_ulimit (struct cordon_spec *spec, const char *arg, struct cordon_error *err)
{
  cleanup_free char *copy = strdup (arg);
  char *eq, *colon;
  uint64_t soft, hard;

  if (copy == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  eq = strchr (copy, '=');
  if (eq == NULL)
    return cordon_error_set (err, EINVAL, "--ulimit `%s`: expected NAME=SOFT[:HARD]", arg);
  *eq++ = '\0';
  colon = strchr (eq, ':');
  if (colon)
    *colon++ = '\0';
  for (size_t i = 0; i < sizeof ulimit_names / sizeof ulimit_names[0]; i++)
    if (strcmp (copy, ulimit_names[i].name) == 0)
      {
        if (parse_limit_value (eq, ulimit_names[i].is_size, &soft) < 0
            || parse_limit_value (colon ? colon : eq, ulimit_names[i].is_size, &hard) < 0)
          return cordon_error_set (err, EINVAL, "--ulimit `%s`: bad value", arg);
        if (spec_set_rlimit (spec, ulimit_names[i].resource, soft, hard, err) < 0)
          return cordon_error_wrap (err, "--ulimit `%s`", arg);
        return 0;
      }
  return cordon_error_set (err, EINVAL, "--ulimit `%s`: unknown limit `%s`", arg, copy);
}

static void
mount_clear (struct cordon_mount *m)
{
  free (m->destination);
  free (m->type);
  free (m->source);
  strv_free (m->options);
  memset (m, 0, sizeof *m);
}

int
spec_add_mount (struct cordon_spec *spec, const char *destination, const char *type, const char *source,
                const char *const *options, struct cordon_error *err)
{
  struct cordon_mount m = { 0 };
  struct cordon_mount *grown;

  if (!safe_path_is_clean (destination))
    return cordon_error_set (err, EINVAL, "mount destination `%s` must be an absolute path without `.` or `..`",
                             destination);
  if (spec->n_mounts >= SPEC_MAX_ITEMS)
    return cordon_error_set (err, E2BIG, "too many mounts");
  m.destination = strdup (destination);
  m.type = strdup (type);
  m.source = source ? strdup (source) : NULL;
  for (const char *const *o = options; o && *o; o++)
    if (strv_append (&m.options, *o) < 0)
      {
        mount_clear (&m);
        return cordon_error_set (err, ENOMEM, "out of memory");
      }
  if (m.destination == NULL || m.type == NULL || (source && m.source == NULL))
    {
      mount_clear (&m);
      return cordon_error_set (err, ENOMEM, "out of memory");
    }
  /* Normalise a trailing slash so that "/tmp/" replaces "/tmp".  */
  for (size_t n = strlen (m.destination); n > 1 && m.destination[n - 1] == '/'; n--)
    m.destination[n - 1] = '\0';
  for (size_t i = 0; i < spec->n_mounts; i++)
    if (strcmp (spec->mounts[i].destination, m.destination) == 0)
      {
        mount_clear (&spec->mounts[i]);
        memmove (&spec->mounts[i], &spec->mounts[i + 1], (spec->n_mounts - i - 1) * sizeof m);
        spec->n_mounts--;
        break;
      }
  grown = realloc (spec->mounts, (spec->n_mounts + 1) * sizeof *grown);
  if (grown == NULL)
    {
      mount_clear (&m);
      return cordon_error_set (err, ENOMEM, "out of memory");
    }
  spec->mounts = grown;
  spec->mounts[spec->n_mounts++] = m;
  return 0;
}

/* Splits a comma list into `out` (at most `max` entries, pointers into buf).  */
static int
split_commas (char *buf, char **out, size_t max)
{
  size_t n = 0;

  for (char *tok = strtok (buf, ","); tok; tok = strtok (NULL, ","))
    {
      if (n >= max)
        return -E2BIG;
      out[n++] = tok;
    }
  out[n] = NULL;
  return (int)n;
}

int
spec_add_volume (struct cordon_spec *spec, const char *arg, struct cordon_error *err)
{
  cleanup_free char *copy = strdup (arg);
  const char *options[20] = { "rbind", NULL };
  char *parts[4] = { 0 };
  char *opts[16];
  size_t n = 0, k = 1;
  int r;

  if (copy == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  for (char *p = copy, *colon; p && n < 4; p = colon ? colon + 1 : NULL)
    {
      colon = strchr (p, ':');
      if (colon)
        *colon = '\0';
      parts[n++] = p;
    }
  if (n < 2 || n > 3 || parts[0][0] == '\0' || parts[1][0] == '\0')
    return cordon_error_set (err, EINVAL, "-v `%s`: expected SRC:DST[:OPTIONS]", arg);
  if (parts[0][0] != '/' && parts[0][0] != '.')
    return cordon_error_set (err, EINVAL, "-v `%s`: named volumes are not supported yet; give a host path", arg);
  if (n == 3)
    {
      r = split_commas (parts[2], opts, 15);
      if (r < 0)
        return cordon_error_set (err, E2BIG, "-v `%s`: too many options", arg);
      for (int i = 0; i < r; i++)
        {
          if (strcmp (opts[i], "ro") != 0 && strcmp (opts[i], "rw") != 0 && strcmp (opts[i], "z") != 0
              && strcmp (opts[i], "Z") != 0 && strcmp (opts[i], "nosuid") != 0 && strcmp (opts[i], "nodev") != 0
              && strcmp (opts[i], "noexec") != 0)
            return cordon_error_set (err, EINVAL, "-v `%s`: unknown option `%s`", arg, opts[i]);
          options[k++] = opts[i];
        }
    }
  options[k] = NULL;
  return spec_add_mount (spec, parts[1], "bind", parts[0], options, err);
}

int
spec_add_tmpfs (struct cordon_spec *spec, const char *arg, struct cordon_error *err)
{
  cleanup_free char *copy = strdup (arg);
  const char *options[24] = { "nosuid", "nodev", NULL };
  char *opts[20];
  char *colon;
  size_t k = 2;

  if (copy == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  colon = strchr (copy, ':');
  if (colon)
    {
      int r;
      *colon = '\0';
      r = split_commas (colon + 1, opts, 19);
      if (r < 0)
        return cordon_error_set (err, E2BIG, "--tmpfs `%s`: too many options", arg);
      for (int i = 0; i < r; i++)
        {
          uint64_t bytes;
          if (strncmp (opts[i], "size=", 5) == 0 && spec_parse_size (opts[i] + 5, &bytes) < 0)
            return cordon_error_set (err, EINVAL, "--tmpfs `%s`: bad size `%s`", arg, opts[i] + 5);
          options[k++] = opts[i];
        }
    }
  options[k] = NULL;
  return spec_add_mount (spec, copy, "tmpfs", "tmpfs", options, err);
}

int
spec_add_mount_arg (struct cordon_spec *spec, const char *arg, struct cordon_error *err)
{
  cleanup_free char *copy = strdup (arg);
  cleanup_free char *size_opt = NULL;
  cleanup_free char *mode_opt = NULL;
  const char *type = NULL, *src = NULL, *dst = NULL;
  const char *options[8];
  bool readonly = false;
  char *fields[16];
  size_t k = 0;
  int n;

  if (copy == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  n = split_commas (copy, fields, 15);
  if (n < 0)
    return cordon_error_set (err, E2BIG, "--mount `%s`: too many fields", arg);
  for (int i = 0; i < n; i++)
    {
      char *eq = strchr (fields[i], '=');
      const char *key = fields[i];
      const char *val = eq ? eq + 1 : NULL;

      if (eq)
        *eq = '\0';
      if (strcmp (key, "type") == 0 && val)
        type = val;
      else if ((strcmp (key, "source") == 0 || strcmp (key, "src") == 0) && val)
        src = val;
      else if ((strcmp (key, "destination") == 0 || strcmp (key, "dst") == 0 || strcmp (key, "target") == 0) && val)
        dst = val;
      else if (strcmp (key, "readonly") == 0 || strcmp (key, "ro") == 0)
        readonly = val == NULL || strcmp (val, "true") == 0 || strcmp (val, "1") == 0;
      else if (strcmp (key, "tmpfs-size") == 0 && val)
        {
          uint64_t bytes;
          if (spec_parse_size (val, &bytes) < 0 || asprintf (&size_opt, "size=%" PRIu64, bytes) < 0)
            return cordon_error_set (err, EINVAL, "--mount `%s`: bad tmpfs-size `%s`", arg, val);
        }
      else if (strcmp (key, "tmpfs-mode") == 0 && val)
        {
          if (strspn (val, "01234567") != strlen (val) || asprintf (&mode_opt, "mode=%s", val) < 0)
            return cordon_error_set (err, EINVAL, "--mount `%s`: bad tmpfs-mode `%s`", arg, val);
        }
      else
        return cordon_error_set (err, EINVAL, "--mount `%s`: unknown field `%s`", arg, key);
    }
  if (type == NULL)
    type = "volume";
  if (dst == NULL)
    return cordon_error_set (err, EINVAL, "--mount `%s`: no target", arg);
  if (strcmp (type, "bind") == 0)
    {
      if (src == NULL)
        return cordon_error_set (err, EINVAL, "--mount `%s`: a bind needs a source", arg);
      if (size_opt || mode_opt)
        return cordon_error_set (err, EINVAL, "--mount `%s`: tmpfs options on a bind", arg);
      options[k++] = "rbind";
    }
  else if (strcmp (type, "tmpfs") == 0)
    {
      if (src != NULL)
        return cordon_error_set (err, EINVAL, "--mount `%s`: a tmpfs has no source", arg);
      src = "tmpfs";
      options[k++] = "nosuid";
      options[k++] = "nodev";
      if (size_opt)
        options[k++] = size_opt;
      if (mode_opt)
        options[k++] = mode_opt;
    }
  else
    return cordon_error_set (err, EINVAL, "--mount `%s`: type `%s` is not supported (bind, tmpfs)", arg, type);
  options[k++] = readonly ? "ro" : "rw";
  options[k] = NULL;
  return spec_add_mount (spec, dst, strcmp (type, "bind") == 0 ? "bind" : "tmpfs", src, options, err);
}

const char *
spec_get_env (const struct cordon_spec *spec, const char *key)
{
  size_t n = strlen (key);

  for (char **e = spec->process.env; e && *e; e++)
    if (strncmp (*e, key, n) == 0 && (*e)[n] == '=')
      return *e + n + 1;
  return NULL;
}

static int
env_put (struct cordon_spec *spec, const char *key, size_t keylen, const char *kv, bool replace,
         struct cordon_error *err)
{
  char **env = spec->process.env;

  for (size_t i = 0; env && env[i]; i++)
    if (strncmp (env[i], key, keylen) == 0 && env[i][keylen] == '=')
      {
        char *copy;
        if (!replace)
          return 0;
        copy = strdup (kv);
        if (copy == NULL)
          return cordon_error_set (err, ENOMEM, "out of memory");
        free (env[i]);
        env[i] = copy;
        return 0;
      }
  if (strv_length (env) >= SPEC_MAX_ITEMS)
    return cordon_error_set (err, E2BIG, "too many environment variables");
  if (strv_append (&spec->process.env, kv) < 0)
    return cordon_error_set (err, ENOMEM, "out of memory");
  return 0;
}

int
spec_set_env (struct cordon_spec *spec, const char *arg, struct cordon_error *err)
{
  const char *eq = strchr (arg, '=');
  cleanup_free char *kv = NULL;

  if (arg[0] == '\0' || eq == arg)
    return cordon_error_set (err, EINVAL, "-e `%s`: expected KEY=VALUE or KEY", arg);
  if (eq)
    return env_put (spec, arg, (size_t)(eq - arg), arg, true, err);
  /* Docker: "-e KEY" passes the caller's KEY, or nothing when unset.  */
  if (getenv (arg) == NULL)
    return 0;
  if (asprintf (&kv, "%s=%s", arg, getenv (arg)) < 0)
    return cordon_error_set (err, ENOMEM, "out of memory");
  return env_put (spec, arg, strlen (arg), kv, true, err);
}

int
spec_default_env (struct cordon_spec *spec, const char *key, const char *value, struct cordon_error *err)
{
  cleanup_free char *kv = NULL;

  if (asprintf (&kv, "%s=%s", key, value) < 0)
    return cordon_error_set (err, ENOMEM, "out of memory");
  return env_put (spec, key, strlen (key), kv, false, err);
}

int
spec_load_env_file (struct cordon_spec *spec, const char *path, struct cordon_error *err)
{
  cleanup_file FILE *f = fopen (path, "re");
  cleanup_free char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  unsigned lineno = 0;
  int r;

  if (f == NULL)
    return cordon_error_set (err, errno, "--env-file `%s`", path);
  while ((n = getline (&line, &cap, f)) >= 0)
    {
      char *s = line;
      lineno++;
      while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
      while (*s == ' ' || *s == '\t')
        s++;
      if (*s == '\0' || *s == '#')
        continue;
      r = spec_set_env (spec, s, err);
      if (r < 0)
        return cordon_error_wrap (err, "--env-file `%s` line %u", path, lineno);
    }
  if (ferror (f))
    return cordon_error_set (err, EIO, "--env-file `%s`", path);
  return 0;
}

int
spec_set_args (struct cordon_spec *spec, char *const *args, struct cordon_error *err)
{
  char **copy = strv_copy (args);

  if (args && copy == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  strv_free (spec->process.args);
  spec->process.args = copy;
  return 0;
}

int
spec_set_entrypoint (struct cordon_spec *spec, const char *entrypoint, char *const *cmd, struct cordon_error *err)
{
  char **args = NULL;

  if (strv_append (&args, entrypoint) < 0)
    return cordon_error_set (err, ENOMEM, "out of memory");
  for (char *const *c = cmd; c && *c; c++)
    if (strv_append (&args, *c) < 0)
      {
        strv_free (args);
        return cordon_error_set (err, ENOMEM, "out of memory");
      }
  strv_free (spec->process.args);
  spec->process.args = args;
  return 0;
}

static int
parse_id (const char *text, uint32_t *out)
{
  char *end;
  unsigned long long v;

  if (text == NULL || *text < '0' || *text > '9')
    return -EINVAL;
  errno = 0;
  v = strtoull (text, &end, 10);
  if (errno || *end != '\0' || v >= UINT32_MAX)
    return -EINVAL;
  *out = (uint32_t)v;
  return 0;
}

int
spec_set_user (struct cordon_spec *spec, const char *arg, struct cordon_error *err)
{
  cleanup_free char *copy = strdup (arg);
  char *colon;
  uint32_t uid, gid;

  if (copy == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  colon = strchr (copy, ':');
  if (colon)
    *colon = '\0';
  if (parse_id (copy, &uid) < 0 || (colon && parse_id (colon + 1, &gid) < 0))
    return cordon_error_set (err, EINVAL, "-u `%s`: expected UID[:GID] (numbers)", arg);
  spec->process.uid = uid;
  spec->process.gid = colon ? gid : uid;
  return 0;
}

int
spec_add_group (struct cordon_spec *spec, const char *arg, struct cordon_error *err)
{
  uint32_t gid;
  uint32_t *grown;

  if (parse_id (arg, &gid) < 0)
    return cordon_error_set (err, EINVAL, "--group-add `%s`: expected a numeric gid", arg);
  if (spec->process.n_additional_gids >= 64)
    return cordon_error_set (err, E2BIG, "--group-add: too many groups");
  grown = realloc (spec->process.additional_gids, (spec->process.n_additional_gids + 1) * sizeof *grown);
  if (grown == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  grown[spec->process.n_additional_gids++] = gid;
  spec->process.additional_gids = grown;
  return 0;
}

static int
cap_mask (const char *name, uint64_t *mask, struct cordon_error *err)
{
  int cap;

  if (strcasecmp (name, "ALL") == 0)
    {
      int last = caps_last_cap ();
      *mask = last >= 63 ? UINT64_MAX : (1ull << (last + 1)) - 1;
      return 0;
    }
  cap = caps_from_name (name);
  if (cap < 0)
    return cordon_error_set (err, EINVAL, "unknown capability `%s`", name);
  *mask = 1ull << cap;
  return 0;
}

int
spec_cap_add (struct cordon_spec *spec, const char *name, struct cordon_error *err)
{
  uint64_t mask;
  int r = cap_mask (name, &mask, err);

  if (r < 0)
    return cordon_error_wrap (err, "--cap-add");
  spec->process.caps_bounding |= mask;
  spec->process.caps_effective |= mask;
  spec->process.caps_permitted |= mask;
  return 0;
}

int
spec_cap_drop (struct cordon_spec *spec, const char *name, struct cordon_error *err)
{
  uint64_t mask;
  int r = cap_mask (name, &mask, err);

  if (r < 0)
    return cordon_error_wrap (err, "--cap-drop");
  spec->process.caps_bounding &= ~mask;
  spec->process.caps_effective &= ~mask;
  spec->process.caps_permitted &= ~mask;
  spec->process.caps_inheritable &= ~mask;
  spec->process.caps_ambient &= ~mask;
  return 0;
}
