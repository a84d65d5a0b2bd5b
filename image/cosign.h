/* SPDX-License-Identifier: Apache-2.0 */
/* cosign "simple signing" signatures: the payload JSON and the ECDSA P-256 /
 * SHA-256 signature over its exact bytes (OpenSSL 3).  The payload is parsed
 * only after its signature verified.  See
 * ../shared/docs/images-and-signatures.md §4.1–4.2.  */
#ifndef CORDON_IMAGE_COSIGN_H
#define CORDON_IMAGE_COSIGN_H

#include <stddef.h>

#include "common/error.h"

#define COSIGN_PAYLOAD_MEDIA_TYPE "application/vnd.dev.cosign.simplesigning.v1+json"
#define COSIGN_SIGNATURE_ANNOTATION "dev.cosignproject.cosign/signature"

struct cosign_payload
{
  char *manifest_digest; /* critical.image.docker-manifest-digest */
  char *identity;        /* critical.identity.docker-reference */
};

void cosign_payload_release (struct cosign_payload *p);

/* Strict parse: exactly the members the format has, no duplicate keys,
 * critical.type "cosign container image signature", optional an object or
 * null.  */
int cosign_payload_parse (const char *text, size_t len, struct cosign_payload *out, struct cordon_error *err);

/* The payload cosign writes for `manifest_digest` signed as repository
 * `identity` (no tag), byte for byte.  NULL with errno EINVAL when the digest
 * is not a sha256 digest or the identity would need JSON escaping, ENOMEM.  */
char *cosign_payload_build (const char *manifest_digest, const char *identity);

/* 0 when `sig_b64` (standard base64 of a DER ECDSA signature) verifies
 * `payload` with the PEM SPKI public key `key_pem` (P-256 only), -EBADMSG
 * with a reason otherwise.  */
int cosign_verify (const void *payload, size_t payload_len, const char *sig_b64, const char *key_pem,
                   size_t key_pem_len, struct cordon_error *err);

/* Signs `payload` with the PEM PKCS#8 (unencrypted) or SEC1 EC P-256 private
 * key in `key_path`; `*sig_b64` receives the base64 signature.  */
int cosign_sign (const void *payload, size_t payload_len, const char *key_path, char **sig_b64,
                 struct cordon_error *err);

/* 0 when `key_pem` holds a PEM SPKI public key cordon can verify with
 * (ECDSA P-256); the policy checks its keys when it loads.  */
int cosign_public_key_check (const char *key_pem, size_t key_pem_len, struct cordon_error *err);

/* "SHA256:<hex>" fingerprint of the SPKI DER of a PEM public key, for the
 * result and audit log ("which key verified it").  */
int cosign_key_fingerprint (const char *key_pem, size_t key_pem_len, char **out, struct cordon_error *err);

/* Writes a new P-256 key pair: `private_path` (PKCS#8 PEM, 0600) and
 * `public_path` (SPKI PEM).  Neither may exist.  */
int cosign_generate_key_pair (const char *private_path, const char *public_path, struct cordon_error *err);

#endif
