/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/run-audit.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"

static char *
json_escape_min (const char *s)
{
  /* Only for short, known strings (paths, reasons): escape what JSON needs.  */
  size_t n = strlen (s);
  char *out = malloc (n * 6 + 1), *o = out;

  if (out == NULL)
    return NULL;
  for (; *s; s++)
    {
      unsigned char c = (unsigned char)*s;
      if (c == '"' || c == '\\')
        {
          *o++ = '\\';
          *o++ = (char)c;
        }
      else if (c < 0x20)
        o += sprintf (o, "\\u%04x", c);
      else
        *o++ = (char)c;
    }
  *o = '\0';
  return out;
}

int
run_audit_begin (struct run_audit *ra, const char *path, bool best_effort, const struct audit_options *opts,
                 char *const *argv, const struct cordon_spec *spec, struct cordon_error *err)
{
  cleanup_free char *deflt = NULL;
  cleanup_free char *root = NULL;
  cleanup_free char *profile = NULL;
  cleanup_free char *data = NULL;
  cleanup_error struct cordon_error werr = { 0 };
  struct audit_event ev = { .event = "create", .sandbox = ra->id, .argv = argv };
  int r;

  ra->argv = argv;
  ra->best_effort = best_effort;
  /* A detached sandbox's id is chosen first (its directory is named by
   * it); its records carry the same id.  */
  if (ra->id[0] == '\0' && audit_new_id (ra->id) < 0)
    return cordon_error_set (err, EIO, "getrandom");
  if (path == NULL)
    path = deflt = audit_default_path ();
  if (path == NULL)
    r = cordon_error_set (&werr, ENOENT, "no audit log path (set HOME or --audit-log)");
  else
    r = audit_log_open (path, &ra->log, &werr);
  if (r >= 0)
    {
      audit_log_configure (ra->log, opts);
      root = json_escape_min (spec && spec->root_path ? spec->root_path : "");
      profile = json_escape_min (spec && spec->cordon.profile ? spec->cordon.profile : "");
      if (root == NULL || profile == NULL
          || asprintf (&data, "{\"root\":\"%s\",\"network\":\"%s\",\"profile\":\"%s\"}", root,
                       spec && !spec_has_namespace (spec, CLONE_NEWNET) ? "host" : "none", profile)
                 < 0)
        r = cordon_error_set (&werr, ENOMEM, "audit");
      else
        {
          ev.data_json = data;
          r = audit_log_append (ra->log, &ev, true, &werr);
        }
    }
  if (r >= 0)
    return 0;
  if (!best_effort)
    return cordon_error_set (err, werr.status,
                             "%s: refusing to run a sandbox that cannot be recorded "
                             "(--audit=best-effort runs it anyway)",
                             werr.msg);
  audit_log_close (ra->log);
  ra->log = NULL;
  if (asprintf (&ra->unavailable, "unavailable: %s", werr.msg) < 0)
    ra->unavailable = NULL;
  return 0;
}

void
run_audit_end (struct run_audit *ra, const struct sandbox_result *result, bool ran, struct sandbox_result *out)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_free char *json = NULL;
  struct audit_event evs[2 + LAYER__COUNT];
  char *datas[LAYER__COUNT] = { 0 };
  cleanup_free char *start_data = NULL;
  size_t n = 0, len;
  int r = 0;

  if (ra->log == NULL)
    {
      out->audit = ra->unavailable ? ra->unavailable : strdup ("unavailable");
      ra->unavailable = NULL;
      return;
    }
  /* start, each unenforced layer and the end, under one lock and one
   * fdatasync: consecutive in the chain, and cheap.  */
  if (ran)
    {
      cleanup_free char *profile = json_escape_min (result->profile ? result->profile : "");
      if (profile && asprintf (&start_data, "{\"profile\":\"%s\"}", profile) < 0)
        start_data = NULL;
      evs[n++] = (struct audit_event){ .event = "start", .sandbox = ra->id, .data_json = start_data };
      for (int i = 0; i < LAYER__COUNT; i++)
        if (result->layers[i] == LAYER_STATE_UNAVAILABLE)
          {
            cleanup_free char *reason = json_escape_min (result->layer_reasons[i] ? result->layer_reasons[i] : "");
            if (reason == NULL
                || asprintf (&datas[i], "{\"layer\":\"%s\",\"reason\":\"%s\"}", result_layer_name ((enum layer)i),
                             reason)
                       < 0)
              {
                datas[i] = NULL;
                continue;
              }
            evs[n++] = (struct audit_event){ .event = "layer-unavailable", .sandbox = ra->id, .data_json = datas[i] };
          }
    }
  if (result_to_json (result, &json, &len, &err) >= 0)
    {
      /* The result, on one line.  */
      for (char *p = json; *p; p++)
        if (*p == '\n')
          *p = ' ';
      evs[n++] = (struct audit_event){ .event = ran ? "exit" : "sandbox-error", .sandbox = ra->id, .data_json = json };
      r = audit_log_append_many (ra->log, evs, n, true, &err);
    }
  for (int i = 0; i < LAYER__COUNT; i++)
    free (datas[i]);
  if (r < 0 || err.msg)
    {
      fprintf (stderr, "cordon: warning: %s\n", err.msg ? err.msg : "audit log");
      if (asprintf (&out->audit, "incomplete: %s", err.msg ? err.msg : "write failed") < 0)
        out->audit = NULL;
    }
  else
    out->audit = strdup ("recorded");
  audit_log_close (ra->log);
  ra->log = NULL;
}

void
run_audit_image (struct run_audit *ra, const char *image, const char *data_json)
{
  cleanup_error struct cordon_error err = { 0 };
  struct audit_event ev = { .event = "image-verified", .sandbox = ra->id, .image = image, .data_json = data_json };

  /* Made durable with the records that follow.  */
  if (ra->log && audit_log_append (ra->log, &ev, false, &err) < 0)
    fprintf (stderr, "cordon: audit: %s\n", err.msg);
}
