/* SPDX-License-Identifier: Apache-2.0 */
/* The trust policy: a strict subset of containers-policy.json(5).
 * `default` plus `transports.docker.<scope>`; requirement types `reject`,
 * `insecureAcceptAnything` and `sigstoreSigned` (keyPath, keyPaths, keyData,
 * keyDatas; signedIdentity).  Everything else inside those sections
 * (signedBy, fulcio, pki, rekor*, unknown or duplicate keys) fails the load:
 * a policy we cannot enforce must not be half-enforced.  Other transports
 * are syntax-checked and ignored (they never apply to file imports).  See
 * ../shared/docs/images-and-signatures.md §4.4.  */
#ifndef CORDON_IMAGE_POLICY_H
#define CORDON_IMAGE_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

struct trust_policy;

/* Loads `path`.  Relative keyPath values resolve against the policy file's
 * directory (containers/image uses them as given; documented deviation).
 * Keys are read at load time.  */
int trust_policy_load (const char *path, struct trust_policy **out, struct cordon_error *err);
/* Same, from memory; `base_dir` resolves relative key paths.  */
int trust_policy_parse (const char *text, size_t len, const char *base_dir, struct trust_policy **out,
                        struct cordon_error *err);
/* The built-in policy when no file exists: reject everything (unsigned
 * images need a policy that says so).  */
int trust_policy_builtin (struct trust_policy **out, struct cordon_error *err);
void trust_policy_free (struct trust_policy *policy);
#define cleanup_trust_policy __attribute__ ((cleanup (trust_policy_freep)))
static inline void
trust_policy_freep (struct trust_policy **p)
{
  if (*p)
    trust_policy_free (*p);
}

/* "sha256:<hex>" of the policy text ("builtin" for the built-in one).  */
const char *trust_policy_digest (const struct trust_policy *policy);
/* Where it came from ("/etc/cordon/policy.json", "built-in").  */
const char *trust_policy_source (const struct trust_policy *policy);

/* One signature found beside the image: the payload bytes (verified by
 * digest already) and the base64 signature from the annotation.  */
struct image_signature
{
  const char *payload;
  size_t payload_len;
  const char *sig_b64;
};

struct trust_verdict
{
  bool accepted;
  char *scope;       /* the policy scope that applied: "example.com/x", "", "default" */
  char *requirement; /* "reject", "insecureAcceptAnything", "sigstoreSigned" */
  char *key;         /* fingerprint (and keyPath when there is one) of the key that verified, or NULL */
  char *reason;      /* one line: why accepted or rejected */
};

void trust_verdict_release (struct trust_verdict *v);

/* Evaluates the policy for the image imported as `image_name` (a full
 * reference, e.g. "example.com/sandbox/busybox:latest") whose manifest has
 * digest `manifest_digest` (NULL for a legacy docker-save archive, which only
 * an insecureAcceptAnything scope accepts).  Returns 0 with `verdict` filled
 * for accepted and rejected images alike; < 0 only when evaluation itself
 * failed.  */
int trust_policy_evaluate (const struct trust_policy *policy, const char *image_name, const char *manifest_digest,
                           const struct image_signature *sigs, size_t n_sigs, struct trust_verdict *verdict,
                           struct cordon_error *err);

#endif
