/* SPDX-License-Identifier: Apache-2.0 */
/* state.json: writing it, and reading it back as hostile input (another
 * process of the same user wrote it; a crash may have left anything).  */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json-gen.h"
#include "common/json.h"
#include "common/strv.h"
#include "netpolicy/network.h"
#include "sandbox/state.h"

#define STATE_VERSION 1

static const struct json_limits state_limits = {
  .max_bytes = STATE_MAX_FILE_BYTES,
  .max_items = 4096,
  .max_string = 65536,
};

static const char *const status_names[] = {
  [STATE_CREATED] = "created",
  [STATE_RUNNING] = "running",
  [STATE_EXITED] = "exited",
  [STATE_STOPPED] = "stopped",
};

const char *
state_status_name (enum state_status status)
{
  if ((size_t)status < sizeof status_names / sizeof status_names[0])
    return status_names[status];
  return "unknown";
}

int
state_to_json (const struct sandbox_state *st, bool pretty, char **out, size_t *len, struct cordon_error *err)
{
  cleanup_jgen yajl_gen g = jg_new (pretty);

  if (g == NULL)
    return cordon_error_set (err, ENOMEM, "state.json");
  yajl_gen_map_open (g);
  jg_kv_i64 (g, "version", STATE_VERSION);
  jg_kv_str (g, "id", st->id);
  jg_kv_str (g, "name", st->name);
  jg_kv_str (g, "status", state_status_name (st->status));
  jg_kv_str (g, "reason", st->reason);
  jg_kv_i64 (g, "created", st->created);
  jg_kv_i64 (g, "started", st->started);
  jg_kv_i64 (g, "finished", st->finished);
  jg_kv_i64 (g, "monitor_pid", st->monitor_pid);
  jg_kv_u64 (g, "monitor_start", st->monitor_start);
  jg_kv_i64 (g, "init_pid", st->init_pid);
  jg_kv_u64 (g, "init_start", st->init_start);
  jg_kv_i64 (g, "exit_code", st->exit_code);
  jg_kv_strv (g, "command", st->command);
  jg_kv_str (g, "image", st->image);
  jg_kv_str (g, "rootfs", st->rootfs);
  jg_kv_str (g, "bundle", st->bundle);
  jg_kv_str (g, "log_path", st->log_path);
  jg_kv_str (g, "result_path", st->result_path);
  jg_kv_str (g, "audit_log", st->audit_log);
  jg_kv_bool (g, "auto_remove", st->auto_remove);
  jg_kv_bool (g, "pending_start", st->pending_start);
  jg_kv_bool (g, "paused", st->paused);
  jg_kv_strv (g, "volumes", st->volumes);
  jg_kv_str (g, "restart", st->restart);
  jg_kv_i64 (g, "restart_count", st->restart_count);
  jg_kv_str (g, "network_mode", st->network_mode);
  jg_kv_strv (g, "networks", st->networks);
  yajl_gen_map_close (g);
  return jg_finish (g, out, len, err);
}

static bool
id_valid (const char *s)
{
  if (strlen (s) != STATE_ID_HEX)
    return false;
  for (; *s; s++)
    if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
      return false;
  return true;
}

/* An optional string: absent and null are NULL.  */
static int
opt_string (yajl_val obj, const char *key, char **out, struct cordon_error *err)
{
  yajl_val v = json_get (obj, key);

  if (v == NULL || YAJL_IS_NULL (v))
    return 0;
  return json_string (v, &state_limits, key, out, err);
}

static int
opt_i64 (yajl_val obj, const char *key, int64_t min, int64_t max, int64_t *out, struct cordon_error *err)
{
  yajl_val v = json_get (obj, key);
  int r;

  if (v == NULL)
    return 0;
  r = json_i64 (v, key, out, err);
  if (r < 0)
    return r;
  if (*out < min || *out > max)
    return cordon_error_set (err, ERANGE, "state.json: %s: out of range", key);
  return 0;
}

static int
opt_u64 (yajl_val obj, const char *key, uint64_t *out, struct cordon_error *err)
{
  yajl_val v = json_get (obj, key);

  if (v == NULL)
    return 0;
  return json_u64 (v, key, out, err);
}

static int
parse_status (yajl_val obj, enum state_status *out, struct cordon_error *err)
{
  yajl_val v = json_get (obj, "status");

  if (v == NULL || !YAJL_IS_STRING (v))
    return cordon_error_set (err, EINVAL, "state.json: status: expected a string");
  for (size_t i = 0; i < sizeof status_names / sizeof status_names[0]; i++)
    if (strcmp (v->u.string, status_names[i]) == 0)
      {
        *out = (enum state_status)i;
        return 0;
      }
  return cordon_error_set (err, EINVAL, "state.json: status: unknown value");
}

static int
parse_fields (yajl_val root, struct sandbox_state *st, struct cordon_error *err)
{
  cleanup_free char *id = NULL;
  int64_t v;
  yajl_val x;
  int r;

  r = json_want_object (root, "state.json", err);
  if (r < 0)
    return r;
  r = json_string (json_get (root, "id"), &state_limits, "state.json: id", &id, err);
  if (r < 0)
    return r;
  if (!id_valid (id))
    return cordon_error_set (err, EINVAL, "state.json: id: expected 64 lowercase hex digits");
  memcpy (st->id, id, STATE_ID_HEX + 1);
  r = parse_status (root, &st->status, err);
  if (r < 0)
    return r;
  if ((r = opt_string (root, "name", &st->name, err)) < 0 || (r = opt_string (root, "reason", &st->reason, err)) < 0
      || (r = opt_string (root, "image", &st->image, err)) < 0
      || (r = opt_string (root, "rootfs", &st->rootfs, err)) < 0
      || (r = opt_string (root, "bundle", &st->bundle, err)) < 0
      || (r = opt_string (root, "log_path", &st->log_path, err)) < 0
      || (r = opt_string (root, "result_path", &st->result_path, err)) < 0
      || (r = opt_string (root, "audit_log", &st->audit_log, err)) < 0
      || (r = opt_string (root, "restart", &st->restart, err)) < 0
      || (r = opt_string (root, "network_mode", &st->network_mode, err)) < 0)
    return r;
  if (st->name && !state_name_valid (st->name))
    return cordon_error_set (err, EINVAL, "state.json: name: not a valid name");
  if ((r = opt_i64 (root, "created", 0, INT64_MAX, &st->created, err)) < 0
      || (r = opt_i64 (root, "started", 0, INT64_MAX, &st->started, err)) < 0
      || (r = opt_i64 (root, "finished", 0, INT64_MAX, &st->finished, err)) < 0)
    return r;
  v = 0;
  if ((r = opt_i64 (root, "monitor_pid", 0, INT32_MAX, &v, err)) < 0)
    return r;
  st->monitor_pid = (pid_t)v;
  v = 0;
  if ((r = opt_i64 (root, "init_pid", 0, INT32_MAX, &v, err)) < 0)
    return r;
  st->init_pid = (pid_t)v;
  v = -1;
  if ((r = opt_i64 (root, "exit_code", -1, 255, &v, err)) < 0)
    return r;
  st->exit_code = (int)v;
  if ((r = opt_u64 (root, "monitor_start", &st->monitor_start, err)) < 0
      || (r = opt_u64 (root, "init_start", &st->init_start, err)) < 0)
    return r;
  x = json_get (root, "command");
  if (x && !YAJL_IS_NULL (x) && (r = json_strv (x, &state_limits, "state.json: command", &st->command, err)) < 0)
    return r;
  x = json_get (root, "auto_remove");
  if (x && (r = json_bool (x, "state.json: auto_remove", &st->auto_remove, err)) < 0)
    return r;
  x = json_get (root, "pending_start");
  if (x && (r = json_bool (x, "state.json: pending_start", &st->pending_start, err)) < 0)
    return r;
  x = json_get (root, "paused");
  if (x && (r = json_bool (x, "state.json: paused", &st->paused, err)) < 0)
    return r;
  x = json_get (root, "volumes");
  if (x && !YAJL_IS_NULL (x) && (r = json_strv (x, &state_limits, "state.json: volumes", &st->volumes, err)) < 0)
    return r;
  for (char **p = st->volumes; p && *p; p++)
    if (!state_name_valid (*p))
      return cordon_error_set (err, EINVAL, "state.json: volumes: not a valid volume name");
  v = 0;
  if ((r = opt_i64 (root, "restart_count", 0, INT32_MAX, &v, err)) < 0)
    return r;
  st->restart_count = (int)v;
  x = json_get (root, "networks");
  if (x && !YAJL_IS_NULL (x) && (r = json_strv (x, &state_limits, "state.json: networks", &st->networks, err)) < 0)
    return r;
  for (char **p = st->networks; p && *p; p++)
    if (!network_name_valid (*p))
      return cordon_error_set (err, EINVAL, "state.json: networks: not a valid network name");
  if (st->network_mode && strlen (st->network_mode) > 64)
    return cordon_error_set (err, EINVAL, "state.json: network_mode: too long");
  return 0;
}

int
state_parse (const char *text, size_t len, struct sandbox_state *st, struct cordon_error *err)
{
  cleanup_json yajl_val root = NULL;
  int r;

  *st = (struct sandbox_state){ .exit_code = -1 };
  r = json_parse (text, len, &state_limits, "state.json", &root, err);
  if (r < 0)
    return r;
  r = parse_fields (root, st, err);
  if (r < 0)
    state_release (st);
  return r;
}

void
state_release (struct sandbox_state *st)
{
  free (st->name);
  free (st->reason);
  strv_free (st->command);
  free (st->image);
  free (st->rootfs);
  free (st->bundle);
  free (st->log_path);
  free (st->result_path);
  free (st->audit_log);
  strv_free (st->volumes);
  free (st->restart);
  free (st->network_mode);
  strv_free (st->networks);
  *st = (struct sandbox_state){ .exit_code = -1 };
}
