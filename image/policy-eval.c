/* SPDX-License-Identifier: Apache-2.0 */
/* Evaluating the trust policy for one image, after containers/image
 * (signature/policy_eval.go, policy_eval_sigstore.go,
 * policy_reference_match.go): the most specific scope wins, every
 * requirement in it must pass, and a sigstoreSigned requirement passes with
 * one signature that verifies with a trusted key, names this manifest
 * digest, and carries an acceptable identity.  */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "image/cosign.h"
#include "image/digest.h"
#include "image/policy-internal.h"
#include "image/reference.h"

#define POLICY_MAX_SIGNATURES 16

void
trust_verdict_release (struct trust_verdict *v)
{
  free (v->scope);
  free (v->requirement);
  free (v->key);
  free (v->reason);
  memset (v, 0, sizeof *v);
}

static const struct policy_scope *
policy_lookup (const struct trust_policy *policy, const char *name)
{
  for (size_t i = 0; i < policy->n_docker; i++)
    if (strcmp (policy->docker[i].name, name) == 0)
      return &policy->docker[i];
  return NULL;
}

/* containers/image's docker PolicyConfigurationIdentity, then
 * PolicyConfigurationNamespaces: the full reference, the repository, each
 * parent namespace up to the host[:port], then "*.domain" wildcards of the
 * host without its port; then transports.docker[""]; then `default`.  */
static int
policy_find_scope (const struct trust_policy *policy, const struct image_reference *ref,
                   const struct policy_scope **out)
{
  cleanup_free char *full = image_reference_string (ref);
  cleanup_free char *name = image_reference_repository (ref);
  const struct policy_scope *scope;
  char *slash, *dot;

  if (full == NULL || name == NULL)
    return -ENOMEM;
  if ((scope = policy_lookup (policy, full)) != NULL)
    goto found;
  for (;;)
    {
      if ((scope = policy_lookup (policy, name)) != NULL)
        goto found;
      slash = strrchr (name, '/');
      if (slash == NULL)
        break;
      *slash = '\0';
    }
  /* `name` is now the host[:port].  An IPv6 literal has no wildcards.  */
  if (name[0] != '[')
    {
      name[strcspn (name, ":")] = '\0';
      for (dot = strchr (name, '.'); dot != NULL; dot = strchr (dot + 1, '.'))
        {
          cleanup_free char *wildcard = NULL;
          if (asprintf (&wildcard, "*%s", dot) < 0)
            return -ENOMEM;
          if ((scope = policy_lookup (policy, wildcard)) != NULL)
            goto found;
        }
    }
  if ((scope = policy_lookup (policy, "")) != NULL)
    goto found;
  scope = &policy->fallback;
found:
  *out = scope;
  return 0;
}

/* containers/image's refMatchesPrefix: the prefix ends at a component,
 * port, tag or digest boundary.  */
static bool
policy_ref_matches_prefix (const char *ref, const char *prefix)
{
  size_t n = strlen (prefix);

  if (strncmp (ref, prefix, n) != 0)
    return false;
  return ref[n] == '\0' || ref[n] == '/' || ref[n] == ':' || ref[n] == '@';
}

/* matchRepoDigestOrExactReferenceValues: a signature naming only a
 * repository (as cosign's do) never satisfies it.  */
static bool
policy_match_repo_digest_or_exact (const struct image_reference *intended, const char *intended_str,
                                   const struct image_reference *signature, const char *signature_str,
                                   const char *signature_repo)
{
  cleanup_free char *intended_repo = NULL;

  if (signature->name_only)
    return false;
  if (intended->tag != NULL)
    return strcmp (signature_str, intended_str) == 0;
  intended_repo = image_reference_repository (intended);
  return intended_repo != NULL && strcmp (signature_repo, intended_repo) == 0;
}

/* Whether the signed `identity` is acceptable for the image `intended`
 * under `req`'s signedIdentity.  On a mismatch `*why` says so.  */
static int
policy_match_identity (const struct policy_requirement *req, const struct image_reference *intended,
                       const char *identity, char **why)
{
  struct image_reference signature = { 0 };
  struct image_reference remapped = { 0 };
  struct cordon_error ignored = { 0 };
  cleanup_free char *intended_str = image_reference_string (intended);
  cleanup_free char *intended_repo = image_reference_repository (intended);
  cleanup_free char *signature_str = NULL;
  cleanup_free char *signature_repo = NULL;
  cleanup_free char *rewritten = NULL;
  const char *expected = intended_str;
  bool ok = false, name_only;

  *why = NULL;
  if (intended_str == NULL || intended_repo == NULL)
    return -ENOMEM;
  if (image_reference_parse (identity, &signature, &ignored) < 0)
    {
      cordon_error_release (&ignored);
      if (asprintf (why, "signed identity is not a valid reference (%s)", policy_identity_name (req->identity)) < 0)
        return -ENOMEM;
      return 0;
    }
  signature_str = image_reference_string (&signature);
  signature_repo = image_reference_repository (&signature);
  if (signature_str == NULL || signature_repo == NULL)
    {
      image_reference_release (&signature);
      return -ENOMEM;
    }
  switch (req->identity)
    {
    case POLICY_MATCH_REPOSITORY:
      expected = intended_repo;
      ok = strcmp (signature_repo, intended_repo) == 0;
      break;
    case POLICY_EXACT_REPOSITORY:
      expected = req->identity_ref;
      ok = strcmp (signature_repo, req->identity_ref) == 0;
      break;
    case POLICY_MATCH_EXACT:
      ok = !signature.name_only && strcmp (signature_str, intended_str) == 0;
      break;
    case POLICY_EXACT_REFERENCE:
      expected = req->identity_ref;
      ok = !signature.name_only && strcmp (signature_str, req->identity_ref) == 0;
      break;
    case POLICY_MATCH_REPO_DIGEST_OR_EXACT:
      ok = policy_match_repo_digest_or_exact (intended, intended_str, &signature, signature_str, signature_repo);
      break;
    case POLICY_REMAP_IDENTITY:
      if (policy_ref_matches_prefix (intended_str, req->prefix))
        {
          if (asprintf (&rewritten, "%s%s", req->signed_prefix, intended_str + strlen (req->prefix)) < 0)
            {
              image_reference_release (&signature);
              return -ENOMEM;
            }
          if (image_reference_parse (rewritten, &remapped, &ignored) < 0)
            {
              cordon_error_release (&ignored);
              break;
            }
          free (intended_str);
          intended_str = image_reference_string (&remapped);
          expected = intended_str;
          ok = intended_str != NULL
               && policy_match_repo_digest_or_exact (&remapped, intended_str, &signature, signature_str,
                                                     signature_repo);
          image_reference_release (&remapped);
          break;
        }
      ok = policy_match_repo_digest_or_exact (intended, intended_str, &signature, signature_str, signature_repo);
      break;
    }
  name_only = signature.name_only;
  image_reference_release (&signature);
  if (ok)
    return 0;
  if (name_only && req->identity != POLICY_MATCH_REPOSITORY && req->identity != POLICY_EXACT_REPOSITORY)
    {
      if (asprintf (why,
                    "signed identity %s does not match %s (%s; the signature names only a repository, as cosign "
                    "signatures do: use matchRepository)",
                    identity, expected ? expected : "?", policy_identity_name (req->identity))
          < 0)
        return -ENOMEM;
      return 0;
    }
  if (asprintf (why, "signed identity %s does not match %s (%s)", identity, expected ? expected : "?",
                policy_identity_name (req->identity))
      < 0)
    return -ENOMEM;
  return 0;
}

/* The stages a signature gets through; the reason reported for a rejection
 * is that of the signature that got furthest.  */
enum policy_stage
{
  STAGE_NONE,
  STAGE_VERIFIED,
  STAGE_PAYLOAD_OK,
  STAGE_DIGEST_OK,
};

static char *
policy_key_label (const struct policy_key *key)
{
  char *s = NULL;

  int r = key->path ? asprintf (&s, "%s (%s)", key->fingerprint, key->path) : asprintf (&s, "%s", key->fingerprint);

  return r < 0 ? NULL : s;
}

static int
policy_eval_sigstore (const struct policy_requirement *req, const struct image_reference *intended,
                      const char *manifest_digest, const struct image_signature *sigs, size_t n_sigs,
                      struct trust_verdict *verdict)
{
  cleanup_free char *reason = NULL;
  enum policy_stage best = STAGE_NONE;
  int r;

  if (manifest_digest == NULL)
    return asprintf (&verdict->reason, "the image has no manifest digest (a legacy docker-save archive), so it "
                                       "cannot carry a signature")
                   < 0
               ? -ENOMEM
               : 0;
  if (n_sigs == 0)
    return asprintf (&verdict->reason, "no signature") < 0 ? -ENOMEM : 0;
  if (n_sigs > POLICY_MAX_SIGNATURES)
    return asprintf (&verdict->reason, "%zu signatures, more than the %d cordon checks", n_sigs, POLICY_MAX_SIGNATURES)
                   < 0
               ? -ENOMEM
               : 0;
  for (size_t i = 0; i < n_sigs; i++)
    {
      struct cosign_payload payload = { 0 };
      struct cordon_error err = { 0 };
      const struct policy_key *key = NULL;
      cleanup_free char *why = NULL;

      for (size_t k = 0; k < req->n_keys && key == NULL; k++)
        {
          if (cosign_verify (sigs[i].payload, sigs[i].payload_len, sigs[i].sig_b64, req->keys[k].pem,
                             req->keys[k].pem_len, &err)
              == 0)
            key = &req->keys[k];
          cordon_error_release (&err);
        }
      if (key == NULL)
        continue;
      /* Only a verified payload is parsed: its bytes are the signer's.  */
      if (cosign_payload_parse (sigs[i].payload, sigs[i].payload_len, &payload, &err) < 0)
        {
          if (best < STAGE_VERIFIED)
            {
              best = STAGE_VERIFIED;
              free (reason);
              if (asprintf (&reason, "the signature verifies but its payload is invalid: %s", err.msg) < 0)
                reason = NULL;
            }
          cordon_error_release (&err);
          continue;
        }
      if (strcmp (payload.manifest_digest, manifest_digest) != 0)
        {
          if (best < STAGE_PAYLOAD_OK)
            {
              best = STAGE_PAYLOAD_OK;
              free (reason);
              if (asprintf (&reason, "signed manifest digest %s does not match the image's %s", payload.manifest_digest,
                            manifest_digest)
                  < 0)
                reason = NULL;
            }
          cosign_payload_release (&payload);
          continue;
        }
      r = policy_match_identity (req, intended, payload.identity, &why);
      if (r < 0)
        {
          cosign_payload_release (&payload);
          return r;
        }
      if (why != NULL)
        {
          if (best < STAGE_DIGEST_OK)
            {
              best = STAGE_DIGEST_OK;
              free (reason);
              reason = steal_pointer (&why);
            }
          cosign_payload_release (&payload);
          continue;
        }
      verdict->accepted = true;
      verdict->key = policy_key_label (key);
      r = asprintf (&verdict->reason, "signed by %s as %s (%s)", key->fingerprint, payload.identity,
                    policy_identity_name (req->identity));
      cosign_payload_release (&payload);
      if (verdict->key == NULL || r < 0)
        return -ENOMEM;
      return 0;
    }
  if (best == STAGE_NONE)
    return asprintf (&verdict->reason, "signature does not verify with any trusted key (%zu signature%s, %zu key%s)",
                     n_sigs, n_sigs == 1 ? "" : "s", req->n_keys, req->n_keys == 1 ? "" : "s")
                   < 0
               ? -ENOMEM
               : 0;
  if (reason == NULL)
    return -ENOMEM;
  verdict->reason = steal_pointer (&reason);
  return 0;
}

static char *
policy_scope_label (const struct trust_policy *policy, const struct policy_scope *scope)
{
  char *s = NULL;

  if (scope == &policy->fallback)
    return strdup ("default");
  if (asprintf (&s, "transports.docker[\"%s\"]", scope->name) < 0)
    return NULL;
  return s;
}

int
trust_policy_evaluate (const struct trust_policy *policy, const char *image_name, const char *manifest_digest,
                       const struct image_signature *sigs, size_t n_sigs, struct trust_verdict *verdict,
                       struct cordon_error *err)
{
  struct image_reference ref;
  const struct policy_scope *scope = NULL;
  cleanup_free char *label = NULL;
  cleanup_free char *full = NULL;
  int r;

  memset (verdict, 0, sizeof *verdict);
  if (manifest_digest != NULL && !digest_is_valid (manifest_digest))
    return cordon_error_set (err, 0, "trust policy: manifest digest is not a sha256 digest");
  r = image_reference_parse (image_name, &ref, err);
  if (r < 0)
    return cordon_error_wrap (err, "trust policy");
  r = policy_find_scope (policy, &ref, &scope);
  if (r == 0)
    {
      full = image_reference_string (&ref);
      label = policy_scope_label (policy, scope);
      verdict->scope = strdup (scope->name);
      if (full == NULL || label == NULL || verdict->scope == NULL)
        r = -ENOMEM;
    }
  for (size_t i = 0; r == 0 && i < scope->n_reqs; i++)
    {
      const struct policy_requirement *req = &scope->reqs[i];
      struct trust_verdict one = { 0 };
      bool accepted;

      switch (req->type)
        {
        case POLICY_REJECT:
          r = asprintf (&one.reason, "policy rejects %s (scope %s)", full, label) < 0 ? -ENOMEM : 0;
          break;
        case POLICY_INSECURE_ACCEPT_ANYTHING:
          one.accepted = true;
          break;
        case POLICY_SIGSTORE_SIGNED:
          r = policy_eval_sigstore (req, &ref, manifest_digest, sigs, n_sigs, &one);
          break;
        }
      if (r < 0)
        {
          trust_verdict_release (&one);
          break;
        }
      /* The verdict names the requirement that decided: the first that
       * rejected, or else the strongest that accepted.  */
      if (!one.accepted || verdict->requirement == NULL || req->type == POLICY_SIGSTORE_SIGNED)
        {
          free (verdict->requirement);
          free (verdict->key);
          free (verdict->reason);
          verdict->requirement = strdup (policy_requirement_name (req->type));
          verdict->key = steal_pointer (&one.key);
          verdict->reason = steal_pointer (&one.reason);
          if (verdict->requirement == NULL)
            r = -ENOMEM;
        }
      accepted = one.accepted;
      trust_verdict_release (&one);
      if (!accepted)
        {
          verdict->accepted = false;
          break;
        }
      verdict->accepted = true;
    }
  if (r == 0 && verdict->accepted && verdict->reason == NULL
      && asprintf (&verdict->reason, "accepted without checking signatures (insecureAcceptAnything, scope %s)", label)
             < 0)
    r = -ENOMEM;
  image_reference_release (&ref);
  if (r < 0)
    {
      trust_verdict_release (verdict);
      return cordon_error_set (err, -r, "trust policy: evaluating %s", image_name);
    }
  return 0;
}
