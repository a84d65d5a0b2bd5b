/* SPDX-License-Identifier: Apache-2.0 */
#include "sandbox/result.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "common/cleanup.h"

static const char *const status_names[] = {
  [RESULT_OK] = "ok",
  [RESULT_RUNTIME_ERROR] = "runtime-error",
  [RESULT_SIGNAL] = "signal",
  [RESULT_SANDBOX_ERROR] = "sandbox-error",
  [RESULT_TIME_LIMIT] = "time-limit",
  [RESULT_WALL_LIMIT] = "wall-limit",
  [RESULT_MEMORY_LIMIT] = "memory-limit",
  [RESULT_OUTPUT_LIMIT] = "output-limit",
  [RESULT_FSIZE_LIMIT] = "fsize-limit",
};

static const char *const limit_names[LIMIT__COUNT] = {
  [LIMIT_MEMORY] = "memory",         [LIMIT_PIDS] = "pids",          [LIMIT_CPUS] = "cpus",
  [LIMIT_CPU_SHARES] = "cpu_shares", [LIMIT_CPUSET] = "cpuset_cpus", [LIMIT_CPU_TIME] = "cpu_time",
  [LIMIT_WALL_TIME] = "wall_time",   [LIMIT_OUTPUT] = "output",      [LIMIT_FSIZE] = "fsize",
  [LIMIT_NOFILE] = "nofile",         [LIMIT_STACK] = "stack",
};

static const char *const mechanism_names[] = {
  [LIMIT_MECH_NONE] = "none",
  [LIMIT_MECH_CGROUP_V2] = "cgroup-v2",
  [LIMIT_MECH_CGROUP_V1] = "cgroup-v1",
  [LIMIT_MECH_RLIMIT] = "rlimit",
  [LIMIT_MECH_MONITOR] = "monitor",
  [LIMIT_MECH_RLIMIT_MONITOR] = "rlimit+monitor",
  [LIMIT_MECH_UNAVAILABLE] = "unavailable",
};

const char *
result_limit_name (enum limit limit)
{
  return (size_t)limit < LIMIT__COUNT ? limit_names[limit] : "unknown";
}

const char *
result_limit_mechanism_name (enum limit_mechanism m)
{
  return (size_t)m < sizeof mechanism_names / sizeof mechanism_names[0] ? mechanism_names[m] : "unavailable";
}

static const char *const layer_names[LAYER__COUNT] = {
  [LAYER_USER_NS] = "user_namespace",
  [LAYER_MOUNT_NS] = "mount_namespace",
  [LAYER_PID_NS] = "pid_namespace",
  [LAYER_NET_NS] = "network_namespace",
  [LAYER_IPC_NS] = "ipc_namespace",
  [LAYER_UTS_NS] = "uts_namespace",
  [LAYER_CGROUP_NS] = "cgroup_namespace",
  [LAYER_TIME_NS] = "time_namespace",
  [LAYER_READONLY_ROOT] = "readonly_root",
  [LAYER_CAPABILITIES] = "capabilities",
  [LAYER_NO_NEW_PRIVS] = "no_new_privileges",
  [LAYER_SECCOMP] = "seccomp",
  [LAYER_LANDLOCK] = "landlock",
  [LAYER_APPARMOR] = "apparmor",
  [LAYER_CGROUP_LIMITS] = "cgroup_limits",
};

static const char *const state_names[] = {
  [LAYER_STATE_ENFORCED] = "enforced",
  [LAYER_STATE_UNAVAILABLE] = "unavailable",
  [LAYER_STATE_DISABLED] = "disabled",
};

const char *
result_status_name (enum result_status status)
{
  return (size_t)status < sizeof status_names / sizeof status_names[0] ? status_names[status] : "sandbox-error";
}

const char *
result_layer_name (enum layer layer)
{
  return (size_t)layer < LAYER__COUNT ? layer_names[layer] : "unknown";
}

const char *
result_layer_state_name (enum layer_state state)
{
  return (size_t)state < sizeof state_names / sizeof state_names[0] ? state_names[state] : "unavailable";
}

static void
gen_str (yajl_gen g, const char *s)
{
  yajl_gen_string (g, (const unsigned char *)s, strlen (s));
}

static void
gen_kv_str (yajl_gen g, const char *k, const char *v)
{
  gen_str (g, k);
  if (v)
    gen_str (g, v);
  else
    yajl_gen_null (g);
}

static void
gen_kv_num (yajl_gen g, const char *k, double v)
{
  char buf[64];
  int n = snprintf (buf, sizeof buf, "%.6f", v);

  gen_str (g, k);
  yajl_gen_number (g, buf, (size_t)n);
}

int
result_to_json (const struct sandbox_result *r, char **out, size_t *len, struct cordon_error *err)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  const unsigned char *buf;
  size_t n;

  if (g == NULL)
    return cordon_error_set (err, ENOMEM, "result");
  yajl_gen_config (g, yajl_gen_beautify, 1);
  yajl_gen_map_open (g);
  gen_str (g, "version");
  yajl_gen_integer (g, RESULT_SCHEMA_VERSION);
  gen_kv_str (g, "status", result_status_name (r->status));
  gen_str (g, "exit_code");
  yajl_gen_integer (g, r->exit_code);
  gen_str (g, "signal");
  if (r->signal)
    yajl_gen_integer (g, r->signal);
  else
    yajl_gen_null (g);
  gen_kv_num (g, "wall_time", r->wall_time);
  gen_kv_num (g, "cpu_user", r->cpu_user);
  gen_kv_num (g, "cpu_system", r->cpu_system);
  gen_str (g, "peak_rss_kib");
  yajl_gen_integer (g, r->peak_rss_kib);
  gen_kv_str (g, "network", r->network);
  gen_kv_str (g, "error", r->error);
  if (r->audit)
    gen_kv_str (g, "audit", r->audit);
  if (r->image.name)
    {
      gen_str (g, "image");
      yajl_gen_map_open (g);
      gen_kv_str (g, "name", r->image.name);
      gen_kv_str (g, "id", r->image.id);
      gen_kv_str (g, "manifest", r->image.manifest);
      gen_kv_str (g, "verified_by", r->image.key);
      gen_kv_str (g, "policy", r->image.policy);
      yajl_gen_map_close (g);
    }
  gen_str (g, "memory_peak_bytes");
  yajl_gen_integer (g, (long long)r->memory_peak_bytes);
  gen_str (g, "context_switches");
  yajl_gen_integer (g, (long long)r->context_switches);
  gen_str (g, "output_bytes");
  yajl_gen_integer (g, (long long)r->output_bytes);
  gen_str (g, "output_truncated");
  yajl_gen_bool (g, r->output_truncated);
  gen_str (g, "pids_limit_reached");
  yajl_gen_bool (g, r->pids_limit_reached);
  /* Every requested limit with how it was enforced: never dropped silently.  */
  gen_str (g, "limits");
  yajl_gen_map_open (g);
  for (int i = 0; i < LIMIT__COUNT; i++)
    if (r->limits[i].mechanism != LIMIT_MECH_NONE)
      {
        gen_str (g, limit_names[i]);
        yajl_gen_map_open (g);
        gen_str (g, "value");
        yajl_gen_integer (g, (long long)r->limits[i].value);
        gen_kv_str (g, "enforced_by", result_limit_mechanism_name (r->limits[i].mechanism));
        if (r->limits[i].note)
          gen_kv_str (g, "note", r->limits[i].note);
        yajl_gen_map_close (g);
      }
  yajl_gen_map_close (g);
  /* A sandbox that failed to start enforced nothing: no layers to report.  */
  if (r->profile)
    gen_kv_str (g, "profile", r->profile);
  if (r->report_denied)
    {
      gen_str (g, "denied");
      yajl_gen_array_open (g);
      for (size_t i = 0; i < r->n_denied; i++)
        {
          yajl_gen_map_open (g);
          gen_kv_str (g, "syscall", r->denied[i].syscall);
          gen_str (g, "count");
          yajl_gen_integer (g, (long long)r->denied[i].count);
          gen_str (g, "args");
          yajl_gen_array_open (g);
          for (int k = 0; k < 6; k++)
            yajl_gen_integer (g, (long long)r->denied[i].args[k]);
          yajl_gen_array_close (g);
          yajl_gen_map_close (g);
        }
      yajl_gen_array_close (g);
      if (r->denied_dropped)
        {
          gen_str (g, "denied_dropped");
          yajl_gen_integer (g, (long long)r->denied_dropped);
        }
    }
  gen_str (g, "layers");
  yajl_gen_map_open (g);
  if (r->status != RESULT_SANDBOX_ERROR)
    for (int i = 0; i < LAYER__COUNT; i++)
      gen_kv_str (g, layer_names[i], result_layer_state_name (r->layers[i]));
  yajl_gen_map_close (g);
  gen_str (g, "layer_reasons");
  yajl_gen_map_open (g);
  if (r->status != RESULT_SANDBOX_ERROR)
    for (int i = 0; i < LAYER__COUNT; i++)
      if (r->layer_reasons[i])
        gen_kv_str (g, layer_names[i], r->layer_reasons[i]);
  yajl_gen_map_close (g);
  yajl_gen_map_close (g);

  if (yajl_gen_get_buf (g, &buf, &n) != yajl_gen_status_ok)
    {
      yajl_gen_free (g);
      return cordon_error_set (err, EINVAL, "result: JSON generation failed");
    }
  *out = strndup ((const char *)buf, n);
  *len = n;
  yajl_gen_free (g);
  if (*out == NULL)
    return cordon_error_set (err, ENOMEM, "result");
  return 0;
}

int
result_write_file (const struct sandbox_result *result, const char *path, struct cordon_error *err)
{
  cleanup_free char *json = NULL;
  cleanup_free char *tmp = NULL;
  cleanup_close int fd = -1;
  size_t len;
  int r;

  r = result_to_json (result, &json, &len, err);
  if (r < 0)
    return r;
  if (strcmp (path, "-") == 0)
    {
      fwrite (json, 1, len, stdout);
      fflush (stdout);
      return 0;
    }
  if (asprintf (&tmp, "%s.tmp.%d", path, (int)getpid ()) < 0)
    return cordon_error_set (err, ENOMEM, "result");
  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0)
    return cordon_error_set (err, errno, "--result `%s`", path);
  if (write (fd, json, len) != (ssize_t)len || write (fd, "\n", 1) != 1 || fsync (fd) < 0)
    {
      r = cordon_error_set (err, errno ? errno : EIO, "--result `%s`: write", path);
      unlink (tmp);
      return r;
    }
  if (rename (tmp, path) < 0)
    {
      r = cordon_error_set (err, errno, "--result `%s`", path);
      unlink (tmp);
      return r;
    }
  return 0;
}

void
result_release (struct sandbox_result *result)
{
  free (result->error);
  result->error = NULL;
  free (result->audit);
  result->audit = NULL;
  free (result->image.name);
  free (result->image.id);
  free (result->image.manifest);
  free (result->image.key);
  free (result->image.policy);
  memset (&result->image, 0, sizeof result->image);
}
