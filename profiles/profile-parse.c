/* SPDX-License-Identifier: Apache-2.0 */
/* Profile JSON -> struct cordon_profile.  Strict: an unknown key, a wrong
 * type, `no_new_privs: false` or an unknown layer is an error, reported as
 * "FILE:LINE:COL: path: what" so that an author can jump to it.  The tree
 * parser does the reading; common/json-locate.c finds the position of the
 * path an error names.  */
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json-locate.h"
#include "common/json.h"
#include "common/strv.h"
#include "profiles/profile.h"
#include "netpolicy/egress.h"
#include "sandbox/caps.h"
#include "sandbox/spec-seccomp.h"

static const struct json_limits profile_limits = {
  .max_bytes = PROFILE_MAX_BYTES,
  .max_items = SPEC_MAX_ITEMS,
  .max_string = 4096,
};

/* The text being read and its name, for positions in messages.  */
struct source
{
  const char *text;
  size_t len;
  const char *file;
};

static const char *const layer_names[PROFILE_LAYER__COUNT] = {
  [PROFILE_LAYER_SECCOMP] = "seccomp",
  [PROFILE_LAYER_LANDLOCK] = "landlock",
  [PROFILE_LAYER_APPARMOR] = "apparmor",
  [PROFILE_LAYER_CAPABILITIES] = "capabilities",
};

const char *
profile_layer_name (enum profile_layer layer)
{
  return (size_t)layer < PROFILE_LAYER__COUNT ? layer_names[layer] : "unknown";
}

int
profile_layer_from_name (const char *name)
{
  for (int i = 0; i < PROFILE_LAYER__COUNT; i++)
    if (strcmp (name, layer_names[i]) == 0)
      return i;
  return -1;
}

/* "FILE:LINE:COL: PATH: message".  `path` is located in the text; when it
 * cannot be, the message has no position.  */
static int __attribute__ ((format (printf, 4, 5)))
fail_at (const struct source *src, const char *path, struct cordon_error *err, const char *fmt, ...)
{
  struct json_position pos = { 0, 0 };
  cleanup_free char *msg = NULL;
  va_list ap;
  int n;

  va_start (ap, fmt);
  n = vasprintf (&msg, fmt, ap);
  va_end (ap);
  if (n < 0)
    return cordon_error_set (err, ENOMEM, "%s", src->file);
  if (path && json_locate_path (src->text, src->len, path, &pos))
    return cordon_error_set (err, 0, "%s:%u:%u: %s", src->file, pos.line, pos.column, msg);
  return cordon_error_set (err, 0, "%s: %s", src->file, msg);
}

/* A message from the shared JSON readers starts with the path it is about
 * ("seccomp.syscalls[3].action: expected ..."): re-issued with a position.  */
static int
relocate (const struct source *src, const char *strip_prefix, struct cordon_error *err)
{
  cleanup_free char *msg = err->msg ? strdup (err->msg) : NULL;
  const char *path;
  char *colon;

  if (msg == NULL)
    return cordon_error_code (err);
  colon = strstr (msg, ": ");
  if (colon == NULL)
    return cordon_error_code (err);
  *colon = '\0';
  path = msg;
  if (strip_prefix && strncmp (path, strip_prefix, strlen (strip_prefix)) == 0)
    path += strlen (strip_prefix);
  cordon_error_release (err);
  return fail_at (src, path, err, "%s: %s", msg, colon + 2);
}

static int
check_keys (const struct source *src, yajl_val obj, const char *where, const char *const *known,
            struct cordon_error *err)
{
  if (!YAJL_IS_OBJECT (obj))
    return fail_at (src, where, err, "%s: expected an object", where[0] ? where : "profile");
  for (size_t i = 0; i < obj->u.object.len; i++)
    {
      const char *k = obj->u.object.keys[i];
      const char *const *p;
      char at[512];

      for (p = known; *p; p++)
        if (strcmp (*p, k) == 0)
          break;
      json_path (at, sizeof at, "%s%s%s", where, where[0] ? "." : "", k);
      if (*p == NULL)
        return fail_at (src, at, err, "%s: unknown key `%s`", at, k);
      /* A key given twice has two readings: which would the runner use?  */
      for (size_t j = 0; j < i; j++)
        if (strcmp (obj->u.object.keys[j], k) == 0)
          return fail_at (src, at, err, "%s: key given twice", at);
    }
  return 0;
}

/* "defaultErrno" and a rule's "errno" are containers/common's (podman's
 * seccomp.json): the errno's name beside the number it also gives.  */
static const char *const seccomp_keys[] = {
  "defaultAction",    "defaultErrnoRet", "defaultErrno", "architectures", "archMap", "flags", "syscalls",
  "listenerPath", "listenerMetadata", "comment",      NULL,
};
static const char *const rule_keys[] = {
  "names", "name", "action", "errnoRet", "errno", "args", "comment", "includes", "excludes", NULL,
};
static const char *const arg_keys[] = { "index", "value", "valueTwo", "op", NULL };

/* The Docker/OCI seccomp object, checked key by key before the shared
 * reader (which ignores keys it does not know) takes it.  */
static int
check_seccomp_keys (const struct source *src, yajl_val sc, const char *where, struct cordon_error *err)
{
  yajl_val rules;
  int r;

  if ((r = check_keys (src, sc, where, seccomp_keys, err)) < 0)
    return r;
  rules = json_get (sc, "syscalls");
  if (rules == NULL || !YAJL_IS_ARRAY (rules))
    return 0;
  for (size_t i = 0; i < rules->u.array.len; i++)
    {
      yajl_val rule = rules->u.array.values[i], args;
      char at[512];

      json_path (at, sizeof at, "%s%ssyscalls[%zu]", where, where[0] ? "." : "", i);
      if ((r = check_keys (src, rule, at, rule_keys, err)) < 0)
        return r;
      args = json_get (rule, "args");
      if (args == NULL || !YAJL_IS_ARRAY (args))
        continue;
      for (size_t k = 0; k < args->u.array.len; k++)
        {
          char arg_at[600];
          json_path (arg_at, sizeof arg_at, "%s.args[%zu]", at, k);
          if ((r = check_keys (src, args->u.array.values[k], arg_at, arg_keys, err)) < 0)
            return r;
        }
    }
  return 0;
}

static int
parse_seccomp_tree (const struct source *src, yajl_val sc, const char *where, uint64_t caps,
                    struct cordon_seccomp **out, struct cordon_error *err)
{
  struct seccomp_parse_options opts = { .docker = true, .kept_caps = caps };
  int r;

  if ((r = check_seccomp_keys (src, sc, where, err)) < 0)
    return r;
  r = seccomp_from_json (sc, &profile_limits, where[0] ? where : "seccomp", &opts, out, err);
  if (r < 0)
    return relocate (src, where[0] ? NULL : "seccomp.", err);
  return 0;
}

/* {"file": PATH}: a Docker/OCI policy beside the profile.  */
static int
parse_seccomp_file (const struct source *src, yajl_val v, uint64_t caps, struct cordon_profile *p,
                    struct cordon_error *err)
{
  cleanup_free char *text = NULL;
  cleanup_free char *dir = NULL;
  cleanup_json yajl_val tree = NULL;
  struct source file_src;
  size_t len;
  int r;

  if ((r = check_keys (src, v, "seccomp", (const char *const[]){ "file", NULL }, err)) < 0)
    return r;
  if (!YAJL_IS_STRING (json_get (v, "file")))
    return fail_at (src, "seccomp.file", err, "seccomp.file: expected a path");
  if (json_get (v, "file")->u.string[0] == '/' || src->file[0] == '<')
    p->seccomp_file = strdup (json_get (v, "file")->u.string);
  else
    {
      dir = strdup (src->file);
      if (dir == NULL || asprintf (&p->seccomp_file, "%s/%s", dirname (dir), json_get (v, "file")->u.string) < 0)
        p->seccomp_file = NULL;
    }
  if (p->seccomp_file == NULL)
    return cordon_error_set (err, ENOMEM, "%s", src->file);
  r = json_read_file (p->seccomp_file, PROFILE_MAX_BYTES, &text, &len, err);
  if (r < 0)
    return fail_at (src, "seccomp.file", err, "seccomp.file: %s", err->msg);
  file_src = (struct source){ .text = text, .len = len, .file = p->seccomp_file };
  r = json_parse (text, len, &profile_limits, p->seccomp_file, &tree, err);
  if (r < 0)
    {
      struct json_position pos;
      if (json_locate_syntax_error (text, len, &pos))
        {
          cleanup_free char *m = err->msg ? strdup (err->msg) : NULL;
          cordon_error_release (err);
          return cordon_error_set (err, 0, "%s:%u:%u: %s", p->seccomp_file, pos.line, pos.column,
                                   m ? m : "syntax error");
        }
      return r;
    }
  return parse_seccomp_tree (&file_src, tree, "", caps, &p->seccomp, err);
}

static int
parse_string (const struct source *src, yajl_val v, const char *key, char **out, struct cordon_error *err)
{
  if (v == NULL)
    return 0;
  if (!YAJL_IS_STRING (v))
    return fail_at (src, key, err, "%s: expected a string", key);
  if (strlen (v->u.string) > profile_limits.max_string)
    return fail_at (src, key, err, "%s: longer than %zu bytes", key, profile_limits.max_string);
  *out = strdup (v->u.string);
  if (*out == NULL)
    return cordon_error_set (err, ENOMEM, "%s", key);
  return 0;
}

static int
parse_string_list (const struct source *src, yajl_val v, const char *key, char ***out, struct cordon_error *err)
{
  if (!YAJL_IS_ARRAY (v))
    return fail_at (src, key, err, "%s: expected a list of strings", key);
  if (v->u.array.len > profile_limits.max_items)
    return fail_at (src, key, err, "%s: more than %zu entries", key, profile_limits.max_items);
  *out = calloc (v->u.array.len + 1, sizeof **out);
  if (*out == NULL)
    return cordon_error_set (err, ENOMEM, "%s", key);
  for (size_t i = 0; i < v->u.array.len; i++)
    {
      char at[256];
      json_path (at, sizeof at, "%s[%zu]", key, i);
      if (!YAJL_IS_STRING (v->u.array.values[i]))
        return fail_at (src, at, err, "%s: expected a string", at);
      (*out)[i] = strdup (v->u.array.values[i]->u.string);
      if ((*out)[i] == NULL)
        return cordon_error_set (err, ENOMEM, "%s", key);
    }
  return 0;
}

static int
parse_capabilities (const struct source *src, yajl_val v, struct cordon_profile *p, struct cordon_error *err)
{
  cleanup_strv char **names = NULL;
  int r = parse_string_list (src, v, "capabilities", &names, err);

  if (r < 0)
    return r;
  p->has_capabilities = true;
  for (size_t i = 0; names[i]; i++)
    {
      int cap = caps_from_name (names[i]);
      char at[64];

      json_path (at, sizeof at, "capabilities[%zu]", i);
      if (cap < 0 || cap > 63)
        return fail_at (src, at, err, "%s: unknown capability `%s`", at, names[i]);
      p->capabilities |= 1ull << cap;
    }
  return 0;
}

static int
parse_path_list (const struct source *src, yajl_val v, const char *key, char ***out, struct cordon_error *err)
{
  int r = parse_string_list (src, v, key, out, err);

  for (size_t i = 0; r >= 0 && (*out)[i]; i++)
    if ((*out)[i][0] != '/')
      {
        char at[256];
        json_path (at, sizeof at, "%s[%zu]", key, i);
        return fail_at (src, at, err, "%s: `%s` is not an absolute path", at, (*out)[i]);
      }
  return r;
}

/* "tcp_bind": [80, 443]: ports, each 1..65535.  Present (even empty): TCP
 * is restricted by Landlock to the listed ports.  */
static int
parse_ports (const struct source *src, yajl_val v, const char *key, struct cordon_profile *p, uint16_t **out,
             size_t *n, struct cordon_error *err)
{
  char at[64];

  if (v == NULL)
    return 0;
  if (!YAJL_IS_ARRAY (v) || v->u.array.len > 65535)
    return fail_at (src, key, err, "%s: expected an array of TCP ports", key);
  p->landlock_tcp = true;
  *out = calloc (v->u.array.len + 1, sizeof **out);
  if (*out == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < v->u.array.len; i++)
    {
      yajl_val e = v->u.array.values[i];
      json_path (at, sizeof at, "%s[%zu]", key, i);
      if (!YAJL_IS_INTEGER (e) || YAJL_GET_INTEGER (e) < 1 || YAJL_GET_INTEGER (e) > 65535)
        return fail_at (src, at, err, "%s: expected a port from 1 to 65535", at);
      (*out)[(*n)++] = (uint16_t)YAJL_GET_INTEGER (e);
    }
  return 0;
}

static int
parse_landlock (const struct source *src, yajl_val v, struct cordon_profile *p, struct cordon_error *err)
{
  int r;

  if (YAJL_IS_STRING (v) && strcmp (v->u.string, "mount-plan") == 0)
    p->landlock = PROFILE_LANDLOCK_MOUNT_PLAN;
  else if (YAJL_IS_STRING (v) && strcmp (v->u.string, "unconfined") == 0)
    p->landlock = PROFILE_LANDLOCK_UNCONFINED;
  else if (YAJL_IS_OBJECT (v))
    {
      if ((r = check_keys (src, v, "landlock", (const char *const[]){ "read", "write", "tcp_bind", "tcp_connect", NULL },
                           err))
          < 0)
        return r;
      if ((r = parse_ports (src, json_get (v, "tcp_bind"), "landlock.tcp_bind", p, &p->tcp_bind, &p->n_tcp_bind, err)) < 0
          || (r = parse_ports (src, json_get (v, "tcp_connect"), "landlock.tcp_connect", p, &p->tcp_connect,
                               &p->n_tcp_connect, err))
                 < 0)
        return r;
      p->landlock = PROFILE_LANDLOCK_RULES;
      if (json_get (v, "read")
          && (r = parse_path_list (src, json_get (v, "read"), "landlock.read", &p->landlock_read, err)) < 0)
        return r;
      if (json_get (v, "write")
          && (r = parse_path_list (src, json_get (v, "write"), "landlock.write", &p->landlock_write, err)) < 0)
        return r;
    }
  else
    return fail_at (src, "landlock", err,
                    "landlock: expected \"mount-plan\", \"unconfined\" or {\"read\": [...], \"write\": [...], "
                    "\"tcp_bind\": [ports], \"tcp_connect\": [ports]}");
  return 0;
}

/* "network": {"egress": "deny"|"allow", "allow": [...]}.  The entries
 * are --egress-allow's; host names are resolved when a sandbox starts.  */
static int
parse_network (const struct source *src, yajl_val v, struct cordon_profile *p, struct cordon_error *err)
{
  yajl_val egress;
  int r;

  if (!YAJL_IS_OBJECT (v))
    return fail_at (src, "network", err, "network: expected {\"egress\": \"deny\"|\"allow\", \"allow\": [...]}");
  if ((r = check_keys (src, v, "network", (const char *const[]){ "egress", "allow", NULL }, err)) < 0)
    return r;
  egress = json_get (v, "egress");
  if (egress && YAJL_IS_STRING (egress) && strcmp (egress->u.string, "deny") == 0)
    p->egress = PROFILE_EGRESS_DENY;
  else if (egress && YAJL_IS_STRING (egress) && strcmp (egress->u.string, "allow") == 0)
    p->egress = PROFILE_EGRESS_ALLOW;
  else if (egress)
    return fail_at (src, "network.egress", err, "network.egress: expected \"deny\" or \"allow\"");
  if (json_get (v, "allow") == NULL)
    return 0;
  if (p->egress == PROFILE_EGRESS_ALLOW)
    return fail_at (src, "network.allow", err, "network.allow: a list only narrows \"egress\": \"deny\"");
  p->egress = PROFILE_EGRESS_DENY;
  if ((r = parse_string_list (src, json_get (v, "allow"), "network.allow", &p->egress_allow, err)) < 0)
    return r;
  for (size_t i = 0; p->egress_allow[i]; i++)
    {
      cleanup_error struct cordon_error why = { 0 };
      char at[64];
      if (egress_entry_check (p->egress_allow[i], &why) < 0)
        {
          json_path (at, sizeof at, "network.allow[%zu]", i);
          return fail_at (src, at, err, "%s: %s", at, why.msg);
        }
    }
  return 0;
}

static int
parse_required (const struct source *src, yajl_val v, struct cordon_profile *p, struct cordon_error *err)
{
  cleanup_strv char **names = NULL;
  int r = parse_string_list (src, v, "required", &names, err);

  if (r < 0)
    return r;
  p->has_required = true;
  for (size_t i = 0; names[i]; i++)
    {
      int layer = profile_layer_from_name (names[i]);
      char at[64];

      json_path (at, sizeof at, "required[%zu]", i);
      if (layer < 0)
        return fail_at (src, at, err, "%s: unknown layer `%s` (seccomp, landlock, apparmor, capabilities)", at,
                        names[i]);
      p->required |= 1u << layer;
    }
  return 0;
}

static const char *const profile_keys[] = {
  "name",     "description",  "inherits", "seccomp",       "capabilities", "landlock",
  "apparmor", "no_new_privs", "required", "report_denied", "pids_limit", "network", NULL,
};

static int
parse_profile (const struct source *src, yajl_val tree, struct cordon_profile *p, struct cordon_error *err)
{
  yajl_val v;
  int r;

  if ((r = check_keys (src, tree, "", profile_keys, err)) < 0)
    return r;
  if ((r = parse_string (src, json_get (tree, "name"), "name", &p->name, err)) < 0
      || (r = parse_string (src, json_get (tree, "description"), "description", &p->description, err)) < 0
      || (r = parse_string (src, json_get (tree, "inherits"), "inherits", &p->inherits, err)) < 0
      || (r = parse_string (src, json_get (tree, "apparmor"), "apparmor", &p->apparmor, err)) < 0)
    return r;
  if (p->name == NULL)
    return fail_at (src, NULL, err, "a profile needs a \"name\"");
  if (p->inherits && strcmp (p->inherits, p->name) == 0)
    return fail_at (src, "inherits", err, "inherits: a profile cannot inherit from itself");
  if ((v = json_get (tree, "no_new_privs")) != NULL)
    {
      if (!YAJL_IS_TRUE (v) && !YAJL_IS_FALSE (v))
        return fail_at (src, "no_new_privs", err, "no_new_privs: expected true");
      if (YAJL_IS_FALSE (v))
        return fail_at (src, "no_new_privs", err,
                        "no_new_privs: cordon always sets no_new_privs; false cannot be honoured");
    }
  /* Processes and threads of the whole sandbox, unless --pids-limit says
   * otherwise: how strict bounds process creation.  */
  if ((v = json_get (tree, "pids_limit")) != NULL)
    {
      if (!YAJL_IS_INTEGER (v) || YAJL_GET_INTEGER (v) < 1 || YAJL_GET_INTEGER (v) > 4194304)
        return fail_at (src, "pids_limit", err, "pids_limit: expected a number of processes from 1 to 4194304");
      p->pids_limit = YAJL_GET_INTEGER (v);
    }
  if ((v = json_get (tree, "report_denied")) != NULL)
    {
      if (!YAJL_IS_TRUE (v) && !YAJL_IS_FALSE (v))
        return fail_at (src, "report_denied", err, "report_denied: expected true or false");
      p->has_report_denied = true;
      p->report_denied = YAJL_IS_TRUE (v);
    }
  if ((v = json_get (tree, "capabilities")) != NULL && (r = parse_capabilities (src, v, p, err)) < 0)
    return r;
  if ((v = json_get (tree, "landlock")) != NULL && (r = parse_landlock (src, v, p, err)) < 0)
    return r;
  if ((v = json_get (tree, "required")) != NULL && (r = parse_required (src, v, p, err)) < 0)
    return r;
  if ((v = json_get (tree, "network")) != NULL && (r = parse_network (src, v, p, err)) < 0)
    return r;
  if ((v = json_get (tree, "seccomp")) != NULL)
    {
      if (YAJL_IS_STRING (v) && strcmp (v->u.string, "unconfined") == 0)
        p->seccomp_unconfined = true;
      else if (YAJL_IS_OBJECT (v) && json_get (v, "file") != NULL)
        r = parse_seccomp_file (src, v, p->capabilities, p, err);
      else if (YAJL_IS_OBJECT (v))
        r = parse_seccomp_tree (src, v, "seccomp", p->capabilities, &p->seccomp, err);
      else
        r = fail_at (src, "seccomp", err,
                     "seccomp: expected a Docker/OCI seccomp object, {\"file\": PATH} or "
                     "\"unconfined\"");
      if (r < 0)
        return r;
    }
  return 0;
}

/* A bare Docker/OCI seccomp policy: the profile that runs it as Docker
 * would, cordon's default with that seccomp.  */
static int
parse_bare_seccomp (const struct source *src, yajl_val tree, struct cordon_profile *p, struct cordon_error *err)
{
  cleanup_free char *copy = strdup (src->file);

  if (copy == NULL || (p->name = strdup (basename (copy))) == NULL || (p->inherits = strdup ("default")) == NULL
      || (p->seccomp_file = strdup (src->file)) == NULL)
    return cordon_error_set (err, ENOMEM, "%s", src->file);
  return parse_seccomp_tree (src, tree, "", 0, &p->seccomp, err);
}

int
profile_parse (const char *text, size_t len, const char *file, struct cordon_profile **out, struct cordon_error *err)
{
  struct source src = { .text = text, .len = len, .file = file };
  cleanup_json yajl_val tree = NULL;
  cleanup_profile struct cordon_profile *p = NULL;
  int r;

  r = json_parse (text, len, &profile_limits, file, &tree, err);
  if (r < 0)
    {
      struct json_position pos;
      cleanup_free char *m = err->msg ? strdup (err->msg) : NULL;
      const char *suffix = ": Invalid argument";
      if (m && strlen (m) > strlen (suffix) && strcmp (m + strlen (m) - strlen (suffix), suffix) == 0)
        m[strlen (m) - strlen (suffix)] = '\0';
      if (json_locate_syntax_error (text, len, &pos))
        {
          cordon_error_release (err);
          /* json_parse's message already starts with the file name.  */
          return cordon_error_set (err, 0, "%s:%u:%u: %s", file, pos.line, pos.column,
                                   m && strncmp (m, file, strlen (file)) == 0 && m[strlen (file)] == ':'
                                       ? m + strlen (file) + 2
                                       : (m ? m : "syntax error"));
        }
      return r;
    }
  p = calloc (1, sizeof *p);
  if (p == NULL || (p->source = strdup (file)) == NULL)
    return cordon_error_set (err, ENOMEM, "%s", file);
  if (YAJL_IS_OBJECT (tree) && json_get (tree, "defaultAction") != NULL)
    r = parse_bare_seccomp (&src, tree, p, err);
  else
    r = parse_profile (&src, tree, p, err);
  if (r < 0)
    return r;
  *out = steal_pointer (&p);
  return 0;
}

int
profile_load_file (const char *path, struct cordon_profile **out, struct cordon_error *err)
{
  cleanup_free char *text = NULL;
  size_t len;
  int r;

  r = json_read_file (path, PROFILE_MAX_BYTES, &text, &len, err);
  if (r < 0)
    return r;
  return profile_parse (text, len, path, out, err);
}

void
profile_free (struct cordon_profile *p)
{
  if (p == NULL)
    return;
  free (p->name);
  free (p->description);
  free (p->inherits);
  free (p->source);
  free (p->seccomp_file);
  seccomp_spec_free (p->seccomp);
  strv_free (p->landlock_read);
  strv_free (p->landlock_write);
  strv_free (p->egress_allow);
  free (p->tcp_bind);
  free (p->tcp_connect);
  free (p->apparmor);
  free (p);
}
