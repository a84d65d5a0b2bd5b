/* SPDX-License-Identifier: Apache-2.0 */
/* Loading the trust policy: the subset of containers-policy.json(5) cordon
 * can enforce, parsed so that anything outside it fails the load.  A policy
 * that asks for GPG, Fulcio or Rekor and got silently weakened to "any
 * signature" would be worse than no policy.  */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "image/base64.h"
#include "image/cosign.h"
#include "image/digest.h"
#include "image/policy-internal.h"
#include "image/reference.h"

#define POLICY_MAX_BYTES (4 * 1024 * 1024)
#define POLICY_KEY_MAX (64 * 1024)
#define POLICY_WHERE_MAX 512

static const struct json_limits policy_limits = {
  .max_bytes = POLICY_MAX_BYTES, .max_items = 65536, .max_string = 1024 * 1024, /* keyData carries a whole PEM file */
};

struct policy_parse_ctx
{
  const char *base_dir; /* for relative keyPath; NULL refuses them */
};

const char *
policy_requirement_name (enum policy_requirement_type type)
{
  switch (type)
    {
    case POLICY_REJECT:
      return "reject";
    case POLICY_INSECURE_ACCEPT_ANYTHING:
      return "insecureAcceptAnything";
    case POLICY_SIGSTORE_SIGNED:
      return "sigstoreSigned";
    }
  return "?";
}

const char *
policy_identity_name (enum policy_identity_type type)
{
  switch (type)
    {
    case POLICY_MATCH_REPO_DIGEST_OR_EXACT:
      return "matchRepoDigestOrExact";
    case POLICY_MATCH_EXACT:
      return "matchExact";
    case POLICY_MATCH_REPOSITORY:
      return "matchRepository";
    case POLICY_EXACT_REFERENCE:
      return "exactReference";
    case POLICY_EXACT_REPOSITORY:
      return "exactRepository";
    case POLICY_REMAP_IDENTITY:
      return "remapIdentity";
    }
  return "?";
}

static void
policy_scope_release (struct policy_scope *scope)
{
  for (size_t i = 0; i < scope->n_reqs; i++)
    {
      struct policy_requirement *req = &scope->reqs[i];
      for (size_t k = 0; k < req->n_keys; k++)
        {
          free (req->keys[k].pem);
          free (req->keys[k].fingerprint);
          free (req->keys[k].path);
        }
      free (req->keys);
      free (req->identity_ref);
      free (req->prefix);
      free (req->signed_prefix);
    }
  free (scope->reqs);
  free (scope->name);
  memset (scope, 0, sizeof *scope);
}

void
trust_policy_free (struct trust_policy *policy)
{
  if (policy == NULL)
    return;
  policy_scope_release (&policy->fallback);
  for (size_t i = 0; i < policy->n_docker; i++)
    policy_scope_release (&policy->docker[i]);
  free (policy->docker);
  free (policy->source);
  free (policy->digest);
  free (policy);
}

const char *
trust_policy_digest (const struct trust_policy *policy)
{
  return policy->digest;
}

const char *
trust_policy_source (const struct trust_policy *policy)
{
  return policy->source;
}

/* Fails on any member of `obj` not in `allowed` (NULL-terminated).  */
static int
policy_check_members (yajl_val obj, const char *const *allowed, const char *where, struct cordon_error *err)
{
  for (size_t i = 0; i < obj->u.object.len; i++)
    {
      const char *key = obj->u.object.keys[i];
      bool known = false;
      for (size_t k = 0; allowed[k] && !known; k++)
        known = strcmp (key, allowed[k]) == 0;
      if (!known)
        return cordon_error_set (err, 0, "%s: unknown member \"%.64s\"", where, key);
    }
  return 0;
}

static int
policy_key_add (struct policy_requirement *req, char *pem, size_t pem_len, const char *path, const char *where,
                struct cordon_error *err)
{
  cleanup_free char *owned = pem;
  cleanup_free char *fingerprint = NULL;
  struct policy_key *keys;
  int r;

  r = cosign_public_key_check (pem, pem_len, err);
  if (r == 0)
    r = cosign_key_fingerprint (pem, pem_len, &fingerprint, err);
  if (r < 0)
    return cordon_error_wrap (err, "%s", where);
  keys = reallocarray (req->keys, req->n_keys + 1, sizeof *keys);
  if (keys == NULL)
    return cordon_error_set (err, ENOMEM, "%s", where);
  req->keys = keys;
  keys[req->n_keys] = (struct policy_key){ .pem = owned, .pem_len = pem_len, .fingerprint = fingerprint };
  if (path)
    {
      keys[req->n_keys].path = strdup (path);
      if (keys[req->n_keys].path == NULL)
        return cordon_error_set (err, ENOMEM, "%s", where);
    }
  owned = NULL;
  fingerprint = NULL;
  req->n_keys++;
  return 0;
}

static int
policy_key_from_path (yajl_val v, const struct policy_parse_ctx *ctx, struct policy_requirement *req, const char *where,
                      struct cordon_error *err)
{
  cleanup_free char *path = NULL;
  cleanup_free char *full = NULL;
  char *pem = NULL;
  size_t pem_len = 0;
  int r;

  r = json_string (v, &policy_limits, where, &path, err);
  if (r < 0)
    return r;
  if (path[0] == '\0')
    return cordon_error_set (err, 0, "%s: empty path", where);
  if (path[0] != '/')
    {
      /* containers/image uses a relative path as given (relative to the
       * caller's working directory); cordon resolves it against the policy
       * file's directory, so the policy means one thing wherever cordon
       * runs.  */
      if (ctx->base_dir == NULL)
        return cordon_error_set (err, 0, "%s: relative key path `%s` in a policy read from memory", where, path);
      if (asprintf (&full, "%s/%s", ctx->base_dir, path) < 0)
        return cordon_error_set (err, ENOMEM, "%s", where);
    }
  else
    full = steal_pointer (&path);
  r = json_read_file (full, POLICY_KEY_MAX, &pem, &pem_len, err);
  if (r < 0)
    return cordon_error_wrap (err, "%s", where);
  return policy_key_add (req, pem, pem_len, full, where, err);
}

static int
policy_key_from_data (yajl_val v, struct policy_requirement *req, const char *where, struct cordon_error *err)
{
  uint8_t *pem = NULL;
  size_t pem_len = 0;
  int r;

  if (v == NULL || !YAJL_IS_STRING (v))
    return cordon_error_set (err, 0, "%s: expected a string", where);
  r = base64_decode (v->u.string, strlen (v->u.string), &pem, &pem_len);
  if (r == -ENOMEM)
    return cordon_error_set (err, ENOMEM, "%s", where);
  if (r < 0)
    return cordon_error_set (err, 0, "%s: not canonical base64 (of the PEM public key file)", where);
  return policy_key_add (req, (char *)pem, pem_len, NULL, where, err);
}

static int
policy_parse_keys (yajl_val obj, const struct policy_parse_ctx *ctx, struct policy_requirement *req, const char *where,
                   struct cordon_error *err)
{
  static const char *const sources[] = { "keyPath", "keyPaths", "keyData", "keyDatas" };
  char item[POLICY_WHERE_MAX];
  const char *source = NULL;
  yajl_val v = NULL;
  int r;

  for (size_t i = 0; i < 4; i++)
    if (json_get (obj, sources[i]) != NULL)
      {
        if (source != NULL)
          return cordon_error_set (err, 0, "%s: both %s and %s; exactly one key source is allowed", where, source,
                                   sources[i]);
        source = sources[i];
        v = json_get (obj, sources[i]);
      }
  if (source == NULL)
    return cordon_error_set (err, 0, "%s: sigstoreSigned needs one of keyPath, keyPaths, keyData, keyDatas", where);
  json_path (item, sizeof item, "%s.%s", where, source);
  if (strcmp (source, "keyPath") == 0)
    return policy_key_from_path (v, ctx, req, item, err);
  if (strcmp (source, "keyData") == 0)
    return policy_key_from_data (v, req, item, err);
  r = json_want_array (v, &policy_limits, item, err);
  if (r < 0)
    return r;
  if (v->u.array.len == 0)
    return cordon_error_set (err, 0, "%s: empty list of keys", item);
  for (size_t i = 0; i < v->u.array.len; i++)
    {
      char one[POLICY_WHERE_MAX];
      json_path (one, sizeof one, "%s[%zu]", item, i);
      if (strcmp (source, "keyPaths") == 0)
        r = policy_key_from_path (v->u.array.values[i], ctx, req, one, err);
      else
        r = policy_key_from_data (v->u.array.values[i], req, one, err);
      if (r < 0)
        return r;
    }
  return 0;
}

/* A remapIdentity prefix: a host[:port], or a repository or namespace in
 * its canonical form (no tag, no digest).  */
static bool
policy_prefix_is_valid (const char *prefix)
{
  struct image_reference ref;
  struct cordon_error err = { 0 };
  cleanup_free char *probe = NULL;
  cleanup_free char *repo = NULL;
  bool ok;

  if (strchr (prefix, '/') == NULL)
    {
      /* A host: "host/x" must keep it as its registry.  */
      if (asprintf (&probe, "%s/x", prefix) < 0)
        return false;
      if (image_reference_parse (probe, &ref, &err) < 0)
        {
          cordon_error_release (&err);
          return false;
        }
      ok = strcmp (ref.domain, prefix) == 0;
      image_reference_release (&ref);
      return ok;
    }
  if (image_reference_parse (prefix, &ref, &err) < 0)
    {
      cordon_error_release (&err);
      return false;
    }
  repo = image_reference_repository (&ref);
  ok = ref.name_only && repo != NULL && strcmp (repo, prefix) == 0;
  image_reference_release (&ref);
  return ok;
}

static int
policy_parse_reference_member (yajl_val obj, const char *key, bool want_repository, char **out, const char *where,
                               struct cordon_error *err)
{
  struct image_reference ref;
  cleanup_free char *text = NULL;
  char item[POLICY_WHERE_MAX];
  int r;

  json_path (item, sizeof item, "%s.%s", where, key);
  r = json_string (json_get (obj, key), &policy_limits, item, &text, err);
  if (r < 0)
    return r;
  r = image_reference_parse (text, &ref, err);
  if (r < 0)
    return cordon_error_wrap (err, "%s", item);
  if (!want_repository && ref.name_only)
    {
      image_reference_release (&ref);
      return cordon_error_set (err, 0, "%s: `%s` needs a tag or a digest", item, text);
    }
  *out = want_repository ? image_reference_repository (&ref) : image_reference_string (&ref);
  image_reference_release (&ref);
  if (*out == NULL)
    return cordon_error_set (err, ENOMEM, "%s", item);
  return 0;
}

static int
policy_parse_identity (yajl_val obj, struct policy_requirement *req, const char *where, struct cordon_error *err)
{
  static const char *const only_type[] = { "type", NULL };
  static const char *const exact_reference[] = { "type", "dockerReference", NULL };
  static const char *const exact_repository[] = { "type", "dockerRepository", NULL };
  static const char *const remap[] = { "type", "prefix", "signedPrefix", NULL };
  yajl_val type = json_get (obj, "type");
  const char *t;
  int r;

  r = json_want_object (obj, where, err);
  if (r < 0)
    return r;
  if (type == NULL || !YAJL_IS_STRING (type))
    return cordon_error_set (err, 0, "%s.type: expected a string", where);
  t = type->u.string;
  if (strcmp (t, "matchRepoDigestOrExact") == 0)
    {
      req->identity = POLICY_MATCH_REPO_DIGEST_OR_EXACT;
      return policy_check_members (obj, only_type, where, err);
    }
  if (strcmp (t, "matchExact") == 0)
    {
      req->identity = POLICY_MATCH_EXACT;
      return policy_check_members (obj, only_type, where, err);
    }
  if (strcmp (t, "matchRepository") == 0)
    {
      req->identity = POLICY_MATCH_REPOSITORY;
      return policy_check_members (obj, only_type, where, err);
    }
  if (strcmp (t, "exactReference") == 0)
    {
      req->identity = POLICY_EXACT_REFERENCE;
      r = policy_check_members (obj, exact_reference, where, err);
      return r < 0 ? r : policy_parse_reference_member (obj, "dockerReference", false, &req->identity_ref, where, err);
    }
  if (strcmp (t, "exactRepository") == 0)
    {
      req->identity = POLICY_EXACT_REPOSITORY;
      r = policy_check_members (obj, exact_repository, where, err);
      return r < 0 ? r : policy_parse_reference_member (obj, "dockerRepository", true, &req->identity_ref, where, err);
    }
  if (strcmp (t, "remapIdentity") == 0)
    {
      char item[POLICY_WHERE_MAX];
      req->identity = POLICY_REMAP_IDENTITY;
      r = policy_check_members (obj, remap, where, err);
      if (r < 0)
        return r;
      json_path (item, sizeof item, "%s.prefix", where);
      r = json_string (json_get (obj, "prefix"), &policy_limits, item, &req->prefix, err);
      if (r < 0)
        return r;
      if (!policy_prefix_is_valid (req->prefix))
        return cordon_error_set (err, 0, "%s: `%.255s` is not a host or a repository name", item, req->prefix);
      json_path (item, sizeof item, "%s.signedPrefix", where);
      r = json_string (json_get (obj, "signedPrefix"), &policy_limits, item, &req->signed_prefix, err);
      if (r < 0)
        return r;
      if (!policy_prefix_is_valid (req->signed_prefix))
        return cordon_error_set (err, 0, "%s: `%.255s` is not a host or a repository name", item, req->signed_prefix);
      return 0;
    }
  return cordon_error_set (err, 0, "%s.type: unknown signedIdentity type \"%.64s\"", where, t);
}

static int
policy_parse_sigstore (yajl_val obj, const struct policy_parse_ctx *ctx, struct policy_requirement *req,
                       const char *where, struct cordon_error *err)
{
  static const char *const allowed[] = { "type", "keyPath", "keyPaths", "keyData", "keyDatas", "signedIdentity", NULL };
  yajl_val identity;
  int r;

  /* Named refusals first: "unknown member" would read like a typo.  */
  if (json_get (obj, "fulcio"))
    return cordon_error_set (err, 0, "%s: fulcio (keyless signing) is not supported", where);
  if (json_get (obj, "pki"))
    return cordon_error_set (err, 0, "%s: pki (certificate signing) is not supported", where);
  for (size_t i = 0; i < obj->u.object.len; i++)
    if (strncmp (obj->u.object.keys[i], "rekorPublicKey", 14) == 0)
      return cordon_error_set (err, 0, "%s: %.64s (Rekor transparency log) is not supported", where,
                               obj->u.object.keys[i]);
  r = policy_check_members (obj, allowed, where, err);
  if (r < 0)
    return r;
  req->type = POLICY_SIGSTORE_SIGNED;
  req->identity = POLICY_MATCH_REPO_DIGEST_OR_EXACT;
  r = policy_parse_keys (obj, ctx, req, where, err);
  if (r < 0)
    return r;
  identity = json_get (obj, "signedIdentity");
  if (identity != NULL)
    {
      char item[POLICY_WHERE_MAX];
      json_path (item, sizeof item, "%s.signedIdentity", where);
      return policy_parse_identity (identity, req, item, err);
    }
  return 0;
}

static int
policy_parse_requirement (yajl_val obj, const struct policy_parse_ctx *ctx, struct policy_requirement *req,
                          const char *where, struct cordon_error *err)
{
  static const char *const only_type[] = { "type", NULL };
  yajl_val type;
  const char *t;
  int r;

  r = json_want_object (obj, where, err);
  if (r < 0)
    return r;
  type = json_get (obj, "type");
  if (type == NULL || !YAJL_IS_STRING (type))
    return cordon_error_set (err, 0, "%s.type: expected a string", where);
  t = type->u.string;
  if (strcmp (t, "reject") == 0 || strcmp (t, "insecureAcceptAnything") == 0)
    {
      req->type = t[0] == 'r' ? POLICY_REJECT : POLICY_INSECURE_ACCEPT_ANYTHING;
      return policy_check_members (obj, only_type, where, err);
    }
  if (strcmp (t, "sigstoreSigned") == 0)
    return policy_parse_sigstore (obj, ctx, req, where, err);
  if (strcmp (t, "signedBy") == 0)
    return cordon_error_set (err, 0, "%s: signedBy (GPG) is not supported", where);
  return cordon_error_set (err, 0, "%s: unknown requirement type \"%.64s\"", where, t);
}

static int
policy_parse_scope (yajl_val arr, const struct policy_parse_ctx *ctx, const char *name, struct policy_scope *scope,
                    const char *where, struct cordon_error *err)
{
  int r;

  r = json_want_array (arr, &policy_limits, where, err);
  if (r < 0)
    return r;
  /* containers/image refuses an empty list too: it would accept anything.  */
  if (arr->u.array.len == 0)
    return cordon_error_set (err, 0, "%s: empty list of requirements", where);
  scope->name = strdup (name);
  scope->reqs = calloc (arr->u.array.len, sizeof *scope->reqs);
  if (scope->name == NULL || scope->reqs == NULL)
    return cordon_error_set (err, ENOMEM, "%s", where);
  for (size_t i = 0; i < arr->u.array.len; i++)
    {
      char item[POLICY_WHERE_MAX];
      json_path (item, sizeof item, "%s[%zu]", where, i);
      scope->n_reqs = i + 1; /* released on failure */
      r = policy_parse_requirement (arr->u.array.values[i], ctx, &scope->reqs[i], item, err);
      if (r < 0)
        return r;
    }
  return 0;
}

/* Scope names are compared with fully expanded references, so a scope
 * that is not in that form ("busybox", "index.docker.io/x") could never
 * match: refuse it rather than let the policy fall through to `default`
 * unnoticed.  */
static int
policy_check_docker_scope (const char *scope, const char *where, struct cordon_error *err)
{
  cleanup_free char *probe = NULL;
  cleanup_free char *canonical = NULL;
  struct cordon_error ignored = { 0 };
  struct image_reference ref;
  const char *host = scope;

  if (scope[0] == '\0')
    return 0;
  if (strncmp (scope, "*.", 2) == 0)
    {
      host = scope + 2;
      if (strchr (host, ':') != NULL || strchr (host, '/') != NULL)
        return cordon_error_set (err, 0, "%s: a wildcard scope is a domain only (no port, no path)", where);
    }
  if (strchr (scope, '/') == NULL)
    {
      /* A host: "host/x" must keep it as its registry.  A wildcard's rest
       * ("com" in "*.com") is tried as "x.com".  */
      bool wildcard = host != scope;
      if (asprintf (&probe, "%s%s/x", wildcard ? "x." : "", host) < 0)
        return cordon_error_set (err, ENOMEM, "%s", where);
      if (image_reference_parse (probe, &ref, &ignored) < 0 || strncmp (ref.domain, probe, strlen (probe) - 2) != 0
          || ref.domain[strlen (probe) - 2] != '\0')
        {
          image_reference_release (&ref); /* zeroed when the parse failed */
          cordon_error_release (&ignored);
          return cordon_error_set (err, 0,
                                   "%s: scope is not a registry host, repository or reference in the fully "
                                   "expanded form (\"docker.io/library/busybox\")",
                                   where);
        }
      image_reference_release (&ref);
      return 0;
    }
  if (image_reference_parse (scope, &ref, &ignored) < 0)
    {
      int r = cordon_error_set (err, 0, "%s: %s", where, ignored.msg);
      cordon_error_release (&ignored);
      return r;
    }
  canonical = ref.name_only ? image_reference_repository (&ref) : image_reference_string (&ref);
  image_reference_release (&ref);
  if (canonical == NULL)
    return cordon_error_set (err, ENOMEM, "%s", where);
  if (strcmp (canonical, scope) != 0)
    return cordon_error_set (err, 0, "%s: scopes are matched in the fully expanded form; write \"%s\"", where,
                             canonical);
  return 0;
}

static int
policy_parse_docker (yajl_val obj, const struct policy_parse_ctx *ctx, struct trust_policy *policy, const char *where,
                     struct cordon_error *err)
{
  int r;

  r = json_want_object (obj, where, err);
  if (r < 0)
    return r;
  if (obj->u.object.len > policy_limits.max_items)
    return cordon_error_set (err, E2BIG, "%s: more than %zu scopes", where, policy_limits.max_items);
  policy->docker = calloc (obj->u.object.len ? obj->u.object.len : 1, sizeof *policy->docker);
  if (policy->docker == NULL)
    return cordon_error_set (err, ENOMEM, "%s", where);
  for (size_t i = 0; i < obj->u.object.len; i++)
    {
      const char *name = obj->u.object.keys[i];
      char item[POLICY_WHERE_MAX];
      json_path (item, sizeof item, "%s[\"%.255s\"]", where, name);
      r = policy_check_docker_scope (name, item, err);
      if (r < 0)
        return r;
      policy->n_docker = i + 1;
      r = policy_parse_scope (obj->u.object.values[i], ctx, name, &policy->docker[i], item, err);
      if (r < 0)
        return r;
    }
  return 0;
}

/* Other transports never apply to file imports; their sections only need to
 * be well-formed so that a typo there is not silently carried along.  */
static int
policy_check_other_transport (yajl_val obj, const char *where, struct cordon_error *err)
{
  int r = json_want_object (obj, where, err);

  if (r < 0)
    return r;
  for (size_t i = 0; i < obj->u.object.len; i++)
    {
      yajl_val arr = obj->u.object.values[i];
      char item[POLICY_WHERE_MAX];
      json_path (item, sizeof item, "%s[\"%.255s\"]", where, obj->u.object.keys[i]);
      r = json_want_array (arr, &policy_limits, item, err);
      if (r < 0)
        return r;
      for (size_t k = 0; k < arr->u.array.len; k++)
        {
          char req[POLICY_WHERE_MAX];
          yajl_val type;
          json_path (req, sizeof req, "%s[%zu]", item, k);
          r = json_want_object (arr->u.array.values[k], req, err);
          if (r < 0)
            return r;
          type = json_get (arr->u.array.values[k], "type");
          if (type == NULL || !YAJL_IS_STRING (type))
            return cordon_error_set (err, 0, "%s.type: expected a string", req);
        }
    }
  return 0;
}

static int
policy_parse_root (yajl_val root, const struct policy_parse_ctx *ctx, struct trust_policy *policy, const char *what,
                   struct cordon_error *err)
{
  static const char *const top[] = { "default", "transports", NULL };
  char where[POLICY_WHERE_MAX];
  yajl_val transports;
  int r;

  r = json_want_object (root, what, err);
  if (r < 0)
    return r;
  r = policy_check_members (root, top, what, err);
  if (r < 0)
    return r;
  if (json_get (root, "default") == NULL)
    return cordon_error_set (err, 0, "%s: the mandatory \"default\" is missing", what);
  json_path (where, sizeof where, "%s: default", what);
  r = policy_parse_scope (json_get (root, "default"), ctx, "default", &policy->fallback, where, err);
  if (r < 0)
    return r;
  transports = json_get (root, "transports");
  if (transports == NULL)
    return 0;
  json_path (where, sizeof where, "%s: transports", what);
  r = json_want_object (transports, where, err);
  if (r < 0)
    return r;
  for (size_t i = 0; i < transports->u.object.len; i++)
    {
      const char *name = transports->u.object.keys[i];
      json_path (where, sizeof where, "%s: transports.%.64s", what, name);
      if (strcmp (name, "docker") == 0)
        r = policy_parse_docker (transports->u.object.values[i], ctx, policy, where, err);
      else
        r = policy_check_other_transport (transports->u.object.values[i], where, err);
      if (r < 0)
        return r;
    }
  return 0;
}

static int
policy_parse_named (const char *text, size_t len, const char *base_dir, const char *what, const char *source,
                    struct trust_policy **out, struct cordon_error *err)
{
  struct policy_parse_ctx ctx = { .base_dir = base_dir };
  cleanup_json yajl_val root = NULL;
  struct trust_policy *policy;
  char digest[DIGEST_SHA256_LEN + 1];
  int r;

  *out = NULL;
  if (len > POLICY_MAX_BYTES)
    return cordon_error_set (err, EFBIG, "%s: larger than %d bytes", what, POLICY_MAX_BYTES);
  r = json_check_unique_keys (text, len, what, err);
  if (r < 0)
    return r;
  r = json_parse (text, len, &policy_limits, what, &root, err);
  if (r < 0)
    return r;
  policy = calloc (1, sizeof *policy);
  if (policy == NULL)
    return cordon_error_set (err, ENOMEM, "%s", what);
  digest_of_buffer (text, len, digest);
  policy->digest = strdup (digest);
  policy->source = strdup (source);
  if (policy->digest == NULL || policy->source == NULL)
    r = cordon_error_set (err, ENOMEM, "%s", what);
  else
    r = policy_parse_root (root, &ctx, policy, what, err);
  if (r < 0)
    {
      trust_policy_free (policy);
      return r;
    }
  *out = policy;
  return 0;
}

int
trust_policy_parse (const char *text, size_t len, const char *base_dir, struct trust_policy **out,
                    struct cordon_error *err)
{
  return policy_parse_named (text, len, base_dir, "policy.json", "(memory)", out, err);
}

int
trust_policy_load (const char *path, struct trust_policy **out, struct cordon_error *err)
{
  cleanup_free char *text = NULL;
  cleanup_free char *dir = NULL;
  const char *slash = strrchr (path, '/');
  size_t len = 0;
  int r;

  r = json_read_file (path, POLICY_MAX_BYTES, &text, &len, err);
  if (r < 0)
    return r;
  if (slash == NULL)
    dir = strdup (".");
  else if (slash == path)
    dir = strdup ("/");
  else
    dir = strndup (path, (size_t)(slash - path));
  if (dir == NULL)
    return cordon_error_set (err, ENOMEM, "%s", path);
  return policy_parse_named (text, len, dir, path, path, out, err);
}

int
trust_policy_builtin (struct trust_policy **out, struct cordon_error *err)
{
  struct trust_policy *policy = calloc (1, sizeof *policy);

  *out = NULL;
  if (policy == NULL)
    return cordon_error_set (err, ENOMEM, "built-in policy");
  policy->source = strdup ("built-in");
  policy->digest = strdup ("builtin");
  policy->fallback.name = strdup ("default");
  policy->fallback.reqs = calloc (1, sizeof *policy->fallback.reqs);
  if (policy->source == NULL || policy->digest == NULL || policy->fallback.name == NULL
      || policy->fallback.reqs == NULL)
    {
      trust_policy_free (policy);
      return cordon_error_set (err, ENOMEM, "built-in policy");
    }
  policy->fallback.reqs[0].type = POLICY_REJECT;
  policy->fallback.n_reqs = 1;
  *out = policy;
  return 0;
}
