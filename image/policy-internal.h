/* SPDX-License-Identifier: Apache-2.0 */
/* The loaded trust policy, shared by the parser (policy.c) and the
 * evaluator (policy-eval.c).  Not part of the module's contract.  */
#ifndef CORDON_IMAGE_POLICY_INTERNAL_H
#define CORDON_IMAGE_POLICY_INTERNAL_H

#include <stddef.h>

#include "image/policy.h"

enum policy_requirement_type
{
  POLICY_REJECT,
  POLICY_INSECURE_ACCEPT_ANYTHING,
  POLICY_SIGSTORE_SIGNED,
};

enum policy_identity_type
{
  POLICY_MATCH_REPO_DIGEST_OR_EXACT, /* containers/image's default */
  POLICY_MATCH_EXACT,
  POLICY_MATCH_REPOSITORY,
  POLICY_EXACT_REFERENCE,
  POLICY_EXACT_REPOSITORY,
  POLICY_REMAP_IDENTITY,
};

struct policy_key
{
  char *pem; /* the PEM bytes, read when the policy loaded */
  size_t pem_len;
  char *fingerprint; /* "SHA256:<hex>" */
  char *path;        /* the resolved keyPath, NULL for keyData */
};

struct policy_requirement
{
  enum policy_requirement_type type;
  struct policy_key *keys;
  size_t n_keys;
  enum policy_identity_type identity;
  char *identity_ref;  /* exactReference: normalised reference; exactRepository: repository */
  char *prefix;        /* remapIdentity */
  char *signed_prefix; /* remapIdentity */
};

struct policy_scope
{
  char *name; /* the scope as written; "" for transports.docker[""], "default" */
  struct policy_requirement *reqs;
  size_t n_reqs;
};

struct trust_policy
{
  char *source;
  char *digest;
  struct policy_scope fallback; /* `default` */
  struct policy_scope *docker;  /* transports.docker, "" included */
  size_t n_docker;
};

const char *policy_requirement_name (enum policy_requirement_type type);
const char *policy_identity_name (enum policy_identity_type type);

#endif
