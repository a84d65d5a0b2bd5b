/* SPDX-License-Identifier: Apache-2.0 */
/* Finding profiles by name, resolving inheritance, and writing a resolved
 * profile into a spec.  */
#include "profiles/profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "config.h"
#include "profiles/profile-builtin.h"
#include "sandbox/caps.h"
#include "sandbox/spec-seccomp.h"

const char *
profile_builtin_name (size_t i)
{
  for (size_t k = 0; profile_builtins[k].name; k++)
    if (k == i)
      return profile_builtins[k].name;
  return NULL;
}

const char *
profile_builtin_text (const char *name, size_t *len)
{
  for (size_t i = 0; profile_builtins[i].name; i++)
    if (strcmp (profile_builtins[i].name, name) == 0)
      {
        *len = profile_builtins[i].len;
        return profile_builtins[i].text;
      }
  return NULL;
}

static bool
is_file_argument (const char *s)
{
  size_t n = strlen (s);
  return strchr (s, '/') != NULL || (n > 5 && strcmp (s + n - 5, ".json") == 0);
}

static bool
valid_name (const char *s)
{
  if (s[0] == '\0' || strlen (s) > 64)
    return false;
  return strspn (s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == strlen (s) && s[0] != '.';
}

int
profile_load (const char *name_or_file, struct cordon_profile **out, struct cordon_error *err)
{
  cleanup_free char *installed = NULL;
  const char *text;
  size_t len;
  char source[128];

  if (is_file_argument (name_or_file))
    return profile_load_file (name_or_file, out, err);
  if (!valid_name (name_or_file))
    return cordon_error_set (err, EINVAL, "profile `%s`: not a profile name (letters, digits, - _ .)", name_or_file);
  /* An installed file wins, so that an administrator can edit the built-in
   * profiles where cordon is installed.  */
  if (asprintf (&installed, "%s/profiles/%s.json", CORDON_DATADIR, name_or_file) < 0)
    return cordon_error_set (err, ENOMEM, "profile");
  if (access (installed, R_OK) == 0)
    return profile_load_file (installed, out, err);
  text = profile_builtin_text (name_or_file, &len);
  if (text == NULL)
    return cordon_error_set (err, ENOENT, "profile `%s`: no such profile (cordon profile list)", name_or_file);
  snprintf (source, sizeof source, "builtin:%s", name_or_file);
  return profile_parse (text, len, source, out, err);
}

static int
seccomp_copy (const struct cordon_seccomp *in, struct cordon_seccomp **out)
{
  struct cordon_seccomp *s = calloc (1, sizeof *s);

  if (s == NULL)
    return -ENOMEM;
  *s = (struct cordon_seccomp){
    .default_action = in->default_action,
    .has_default_errno_ret = in->has_default_errno_ret,
    .default_errno_ret = in->default_errno_ret,
  };
  if ((in->architectures && (s->architectures = strv_copy (in->architectures)) == NULL)
      || (in->flags && (s->flags = strv_copy (in->flags)) == NULL)
      || (s->rules = calloc (in->n_rules + 1, sizeof *s->rules)) == NULL)
    goto fail;
  for (size_t i = 0; i < in->n_rules; i++, s->n_rules++)
    {
      const struct cordon_seccomp_rule *r = &in->rules[i];
      struct cordon_seccomp_rule *c = &s->rules[i];
      *c = *r;
      c->names = NULL;
      c->args = NULL;
      if ((c->names = strv_copy (r->names)) == NULL)
        goto fail;
      if (r->n_args)
        {
          c->args = calloc (r->n_args, sizeof *c->args);
          if (c->args == NULL)
            goto fail;
          memcpy (c->args, r->args, r->n_args * sizeof *c->args);
        }
    }
  *out = s;
  return 0;
fail:
  seccomp_spec_free (s);
  return -ENOMEM;
}

static bool
rule_names (const struct cordon_seccomp *s, const char *name)
{
  for (size_t i = 0; i < s->n_rules; i++)
    for (char **n = s->rules[i].names; n && *n; n++)
      if (strcmp (*n, name) == 0)
        return true;
  return false;
}

/* The child's rules first; then the parent's, minus every syscall the
 * child names: a child decides a syscall wholly or not at all (mixing the
 * two sets of argument conditions would give an answer neither wrote).  */
static int
seccomp_merge (const struct cordon_seccomp *parent, const struct cordon_seccomp *child, struct cordon_seccomp **out)
{
  struct cordon_seccomp *m = NULL;
  struct cordon_seccomp_rule *rules;
  int r = seccomp_copy (child, &m);

  if (r < 0)
    return r;
  if (m->architectures == NULL && parent->architectures
      && (m->architectures = strv_copy (parent->architectures)) == NULL)
    goto fail;
  rules = reallocarray (m->rules, m->n_rules + parent->n_rules + 1, sizeof *rules);
  if (rules == NULL)
    goto fail;
  m->rules = rules;
  for (size_t i = 0; i < parent->n_rules; i++)
    {
      const struct cordon_seccomp_rule *pr = &parent->rules[i];
      struct cordon_seccomp_rule *c = &m->rules[m->n_rules];
      char **names = NULL;

      for (char **n = pr->names; n && *n; n++)
        if (!rule_names (child, *n) && strv_append (&names, *n) < 0)
          {
            strv_free (names);
            goto fail;
          }
      if (names == NULL)
        continue;
      *c = *pr;
      c->names = names;
      c->args = NULL;
      m->n_rules++;
      if (pr->n_args)
        {
          c->args = calloc (pr->n_args, sizeof *c->args);
          if (c->args == NULL)
            goto fail;
          memcpy (c->args, pr->args, pr->n_args * sizeof *c->args);
        }
    }
  *out = m;
  return 0;
fail:
  seccomp_spec_free (m);
  return -ENOMEM;
}

/* A copy of `n` ports (NULL stays NULL).  */
static int
dup_ports (const uint16_t *in, size_t n, uint16_t **out, size_t *n_out)
{
  *out = NULL;
  *n_out = 0;
  if (in == NULL)
    return 0;
  *out = calloc (n + 1, sizeof **out);
  if (*out == NULL)
    return -1;
  memcpy (*out, in, n * sizeof *in);
  *n_out = n;
  return 0;
}

static int
dup_strv (char **in, char ***out)
{
  if (in == NULL)
    return 0;
  *out = strv_copy (in);
  return *out ? 0 : -ENOMEM;
}

static int
dup_str (const char *in, char **out)
{
  if (in == NULL)
    return 0;
  *out = strdup (in);
  return *out ? 0 : -ENOMEM;
}

/* `child` over a resolved `parent`, into a new resolved profile.  With
 * `merge` (the child names its parent), a child's seccomp adds to the
 * parent's; otherwise it replaces it.  */
static int
profile_overlay (const struct cordon_profile *parent, const struct cordon_profile *child, bool merge,
                 struct cordon_profile **out, struct cordon_error *err)
{
  cleanup_profile struct cordon_profile *p = calloc (1, sizeof *p);
  const struct cordon_profile *ll, *eg;
  int r = 0;

  if (p == NULL)
    return cordon_error_set (err, ENOMEM, "profile");
  r |= dup_str (child->name, &p->name);
  r |= dup_str (child->description ? child->description : (parent ? parent->description : NULL), &p->description);
  r |= dup_str (child->source, &p->source);
  r |= dup_str (child->seccomp_file ? child->seccomp_file : (parent ? parent->seccomp_file : NULL), &p->seccomp_file);
  if (child->seccomp_unconfined || (child->seccomp == NULL && parent && parent->seccomp_unconfined))
    p->seccomp_unconfined = true;
  else if (child->seccomp && parent && parent->seccomp && merge)
    r |= seccomp_merge (parent->seccomp, child->seccomp, &p->seccomp);
  else if (child->seccomp || (parent && parent->seccomp))
    r |= seccomp_copy (child->seccomp ? child->seccomp : parent->seccomp, &p->seccomp);
  else
    p->seccomp_unconfined = true; /* nothing in the chain asks for a filter */
  p->has_capabilities = true;
  p->capabilities = child->has_capabilities ? child->capabilities : parent ? parent->capabilities : 0;
  ll = child->landlock != PROFILE_LANDLOCK_UNSET || parent == NULL ? child : parent;
  p->landlock = ll->landlock == PROFILE_LANDLOCK_UNSET ? PROFILE_LANDLOCK_MOUNT_PLAN : ll->landlock;
  r |= dup_strv (ll->landlock_read, &p->landlock_read);
  r |= dup_strv (ll->landlock_write, &p->landlock_write);
  p->landlock_tcp = ll->landlock_tcp;
  r |= dup_ports (ll->tcp_bind, ll->n_tcp_bind, &p->tcp_bind, &p->n_tcp_bind);
  r |= dup_ports (ll->tcp_connect, ll->n_tcp_connect, &p->tcp_connect, &p->n_tcp_connect);
  r |= dup_str (child->apparmor ? child->apparmor : parent ? parent->apparmor : NULL, &p->apparmor);
  p->has_required = true;
  p->required = child->has_required ? child->required : parent ? parent->required : 0;
  p->has_report_denied = true;
  p->report_denied = child->has_report_denied ? child->report_denied : parent ? parent->report_denied : false;
  p->pids_limit = child->pids_limit ? child->pids_limit : parent ? parent->pids_limit : 0;
  /* Egress: the child's mode and list when it says, else the parent's;
   * deny when nobody says.  */
  eg = child->egress != PROFILE_EGRESS_UNSET || parent == NULL ? child : parent;
  p->egress = eg->egress == PROFILE_EGRESS_UNSET ? PROFILE_EGRESS_DENY : eg->egress;
  r |= dup_strv (eg->egress_allow, &p->egress_allow);
  if (r != 0)
    return cordon_error_set (err, ENOMEM, "profile `%s`", child->name);
  *out = steal_pointer (&p);
  return 0;
}

static int
resolve_depth (struct cordon_profile *profile, int depth, struct cordon_profile **out, struct cordon_error *err)
{
  cleanup_profile struct cordon_profile *parent = NULL;
  cleanup_profile struct cordon_profile *resolved_parent = NULL;
  const char *parent_name = profile->inherits;
  int r;

  /* Every profile but `default` stands on `default` when it names no
   * other: what a profile leaves out is confined as by default (but a
   * seccomp policy it gives is taken whole).  */
  if (parent_name == NULL && strcmp (profile->name, "default") != 0)
    parent_name = "default";
  if (parent_name == NULL || (strcmp (profile->name, "default") == 0 && strcmp (parent_name, "default") == 0))
    return profile_overlay (NULL, profile, false, out, err);
  if (depth >= PROFILE_MAX_DEPTH)
    return cordon_error_set (err, ELOOP, "profile `%s`: inheritance deeper than %d (a loop?)", profile->name,
                             PROFILE_MAX_DEPTH);
  r = profile_load (parent_name, &parent, err);
  if (r < 0)
    return cordon_error_wrap (err, "profile `%s` inherits `%s`", profile->name, parent_name);
  r = resolve_depth (parent, depth + 1, &resolved_parent, err);
  if (r < 0)
    return r;
  return profile_overlay (resolved_parent, profile, profile->inherits != NULL, out, err);
}

int
profile_resolve_loaded (struct cordon_profile *profile, struct cordon_profile **out, struct cordon_error *err)
{
  return resolve_depth (profile, 0, out, err);
}

int
profile_resolve (const char *name_or_file, struct cordon_profile **out, struct cordon_error *err)
{
  cleanup_profile struct cordon_profile *p = NULL;
  int r = profile_load (name_or_file, &p, err);

  if (r < 0)
    return r;
  return resolve_depth (p, 0, out, err);
}

int
profile_apply (const struct cordon_profile *p, struct cordon_spec *spec, struct cordon_error *err)
{
  struct cordon_process *proc = &spec->process;

  seccomp_spec_free (spec->seccomp);
  spec->seccomp = NULL;
  if (p->seccomp_unconfined || p->seccomp == NULL)
    spec->cordon.seccomp_mode = SECCOMP_MODE_UNCONFINED;
  else
    {
      if (seccomp_copy (p->seccomp, &spec->seccomp) < 0)
        return cordon_error_set (err, ENOMEM, "profile `%s`", p->name);
      spec->cordon.seccomp_mode = SECCOMP_MODE_SPEC;
    }
  proc->caps_bounding = proc->caps_effective = proc->caps_permitted = p->capabilities;
  proc->caps_inheritable = proc->caps_ambient = 0;
  proc->no_new_privileges = true;
  spec->cordon.landlock_unconfined = p->landlock == PROFILE_LANDLOCK_UNCONFINED;
  strv_free (spec->cordon.landlock_read);
  strv_free (spec->cordon.landlock_write);
  spec->cordon.landlock_read = spec->cordon.landlock_write = NULL;
  free (proc->apparmor_profile);
  free (spec->cordon.profile);
  proc->apparmor_profile = spec->cordon.profile = NULL;
  if ((p->landlock == PROFILE_LANDLOCK_RULES
       && (dup_strv (p->landlock_read, &spec->cordon.landlock_read) < 0
           || dup_strv (p->landlock_write, &spec->cordon.landlock_write) < 0))
      || dup_str (p->apparmor, &proc->apparmor_profile) < 0 || dup_str (p->name, &spec->cordon.profile) < 0)
    return cordon_error_set (err, ENOMEM, "profile `%s`", p->name);
  spec->cordon.report_denied = p->report_denied;
  spec->cordon.egress_allow_all = p->egress == PROFILE_EGRESS_ALLOW;
  strv_free (spec->cordon.egress_allow);
  spec->cordon.egress_allow = NULL;
  if (dup_strv (p->egress_allow, &spec->cordon.egress_allow) < 0)
    return cordon_error_set (err, ENOMEM, "profile `%s`", p->name);
  if (p->pids_limit && spec->resources.pids_limit == 0)
    spec->resources.pids_limit = p->pids_limit;
  free (spec->cordon.landlock_tcp_bind);
  free (spec->cordon.landlock_tcp_connect);
  spec->cordon.landlock_tcp_bind = spec->cordon.landlock_tcp_connect = NULL;
  spec->cordon.n_landlock_tcp_bind = spec->cordon.n_landlock_tcp_connect = 0;
  spec->cordon.landlock_tcp = p->landlock == PROFILE_LANDLOCK_RULES && p->landlock_tcp;
  if (spec->cordon.landlock_tcp
      && (dup_ports (p->tcp_bind, p->n_tcp_bind, &spec->cordon.landlock_tcp_bind, &spec->cordon.n_landlock_tcp_bind) < 0
          || dup_ports (p->tcp_connect, p->n_tcp_connect, &spec->cordon.landlock_tcp_connect,
                        &spec->cordon.n_landlock_tcp_connect)
                 < 0))
    return cordon_error_set (err, ENOMEM, "profile `%s`", p->name);
  return 0;
}

static void
gen_str (yajl_gen g, const char *s)
{
  yajl_gen_string (g, (const unsigned char *)s, strlen (s));
}

static void
gen_strv (yajl_gen g, const char *key, char **v)
{
  gen_str (g, key);
  yajl_gen_array_open (g);
  for (; v && *v; v++)
    gen_str (g, *v);
  yajl_gen_array_close (g);
}

static void
gen_ports (yajl_gen g, const char *key, const uint16_t *ports, size_t n)
{
  gen_str (g, key);
  yajl_gen_array_open (g);
  for (size_t i = 0; i < n; i++)
    yajl_gen_integer (g, ports[i]);
  yajl_gen_array_close (g);
}

int
profile_to_json (const struct cordon_profile *p, char **out, struct cordon_error *err)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  const unsigned char *buf;
  size_t n;

  if (g == NULL)
    return cordon_error_set (err, ENOMEM, "profile");
  yajl_gen_config (g, yajl_gen_beautify, 1);
  yajl_gen_config (g, yajl_gen_indent_string, "  ");
  yajl_gen_map_open (g);
  gen_str (g, "name");
  gen_str (g, p->name);
  if (p->description)
    {
      gen_str (g, "description");
      gen_str (g, p->description);
    }
  if (p->inherits)
    {
      gen_str (g, "inherits");
      gen_str (g, p->inherits);
    }
  gen_str (g, "no_new_privs");
  yajl_gen_bool (g, 1);
  gen_str (g, "capabilities");
  yajl_gen_array_open (g);
  for (int c = 0; c < 64; c++)
    if ((p->capabilities >> c) & 1)
      gen_str (g, caps_to_name (c) ? caps_to_name (c) : "?");
  yajl_gen_array_close (g);
  gen_str (g, "landlock");
  if (p->landlock == PROFILE_LANDLOCK_RULES)
    {
      yajl_gen_map_open (g);
      if (p->landlock_read)
        gen_strv (g, "read", p->landlock_read);
      if (p->landlock_write)
        gen_strv (g, "write", p->landlock_write);
      if (p->landlock_tcp)
        {
          gen_ports (g, "tcp_bind", p->tcp_bind, p->n_tcp_bind);
          gen_ports (g, "tcp_connect", p->tcp_connect, p->n_tcp_connect);
        }
      yajl_gen_map_close (g);
    }
  else
    gen_str (g, p->landlock == PROFILE_LANDLOCK_UNCONFINED ? "unconfined" : "mount-plan");
  if (p->apparmor)
    {
      gen_str (g, "apparmor");
      gen_str (g, p->apparmor);
    }
  gen_str (g, "required");
  yajl_gen_array_open (g);
  for (int i = 0; i < PROFILE_LAYER__COUNT; i++)
    if (p->required & (1u << i))
      gen_str (g, profile_layer_name ((enum profile_layer)i));
  yajl_gen_array_close (g);
  gen_str (g, "report_denied");
  yajl_gen_bool (g, p->report_denied);
  if (p->pids_limit)
    {
      gen_str (g, "pids_limit");
      yajl_gen_integer (g, p->pids_limit);
    }
  if (p->egress != PROFILE_EGRESS_UNSET)
    {
      gen_str (g, "network");
      yajl_gen_map_open (g);
      gen_str (g, "egress");
      gen_str (g, p->egress == PROFILE_EGRESS_ALLOW ? "allow" : "deny");
      if (p->egress_allow)
        gen_strv (g, "allow", p->egress_allow);
      yajl_gen_map_close (g);
    }
  gen_str (g, "seccomp");
  if (p->seccomp_unconfined || p->seccomp == NULL)
    gen_str (g, "unconfined");
  else
    seccomp_gen_json (g, p->seccomp);
  yajl_gen_map_close (g);
  if (yajl_gen_get_buf (g, &buf, &n) != yajl_gen_status_ok || (*out = strndup ((const char *)buf, n)) == NULL)
    {
      yajl_gen_free (g);
      return cordon_error_set (err, ENOMEM, "profile JSON");
    }
  yajl_gen_free (g);
  return 0;
}
