/* SPDX-License-Identifier: Apache-2.0 */
/* cosign's key-based signatures with OpenSSL 3: ECDSA P-256 over SHA-256 of
 * the payload bytes, DER-encoded, in standard base64.  Only P-256 is
 * accepted: cosign's required scheme, and one key type means one code path
 * to get right.  */
#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "image/base64.h"
#include "image/cosign.h"
#include "image/digest.h"

#define COSIGN_KEY_MAX (64 * 1024)
#define COSIGN_SIG_B64_MAX 1024 /* a P-256 DER signature is at most 72 bytes */

static inline void
cosign_bio_freep (BIO **b)
{
  if (*b)
    BIO_free (*b);
}

static inline void
cosign_pkey_freep (EVP_PKEY **k)
{
  if (*k)
    EVP_PKEY_free (*k);
}

static inline void
cosign_md_ctx_freep (EVP_MD_CTX **c)
{
  if (*c)
    EVP_MD_CTX_free (*c);
}

#define cleanup_bio __attribute__ ((cleanup (cosign_bio_freep)))
#define cleanup_pkey __attribute__ ((cleanup (cosign_pkey_freep)))
#define cleanup_md_ctx __attribute__ ((cleanup (cosign_md_ctx_freep)))

/* Sets `err` to "what: <OpenSSL's first reason>" and empties OpenSSL's
 * thread-local queue, so that no stale reason shows up in a later call.  */
static int
cosign_ssl_error (struct cordon_error *err, int errnum, const char *what)
{
  unsigned long e = ERR_peek_error ();
  const char *reason = e ? ERR_reason_error_string (e) : NULL;
  int r;

  if (reason)
    r = cordon_error_set (err, errnum, "%s: %s", what, reason);
  else
    r = cordon_error_set (err, errnum, "%s", what);
  ERR_clear_error ();
  return r;
}

static int
cosign_check_p256 (EVP_PKEY *key, const char *what, struct cordon_error *err)
{
  char group[64] = "";
  size_t group_len = 0;

  if (EVP_PKEY_get_base_id (key) != EVP_PKEY_EC)
    return cordon_error_set (err, 0, "%s: not an ECDSA key (cordon verifies ECDSA P-256 keys only)", what);
  if (EVP_PKEY_get_group_name (key, group, sizeof group, &group_len) != 1)
    return cosign_ssl_error (err, 0, what);
  if (strcmp (group, "prime256v1") != 0 && strcmp (group, "P-256") != 0)
    return cordon_error_set (err, 0, "%s: ECDSA curve %s (cordon verifies P-256 keys only)", what, group);
  return 0;
}

static int
cosign_read_public_key (const char *key_pem, size_t key_pem_len, EVP_PKEY **out, struct cordon_error *err)
{
  cleanup_bio BIO *bio = NULL;

  if (key_pem_len == 0 || key_pem_len > COSIGN_KEY_MAX)
    return cordon_error_set (err, 0, "public key: empty or larger than %d bytes", COSIGN_KEY_MAX);
  bio = BIO_new_mem_buf (key_pem, (int)key_pem_len);
  if (bio == NULL)
    return cosign_ssl_error (err, ENOMEM, "public key");
  *out = PEM_read_bio_PUBKEY (bio, NULL, NULL, NULL);
  if (*out == NULL)
    return cosign_ssl_error (err, 0, "public key: no PEM \"PUBLIC KEY\" block");
  return 0;
}

int
cosign_public_key_check (const char *key_pem, size_t key_pem_len, struct cordon_error *err)
{
  cleanup_pkey EVP_PKEY *key = NULL;
  int r;

  r = cosign_read_public_key (key_pem, key_pem_len, &key, err);
  if (r < 0)
    return r;
  return cosign_check_p256 (key, "public key", err);
}

int
cosign_verify (const void *payload, size_t payload_len, const char *sig_b64, const char *key_pem, size_t key_pem_len,
               struct cordon_error *err)
{
  cleanup_pkey EVP_PKEY *key = NULL;
  cleanup_md_ctx EVP_MD_CTX *ctx = NULL;
  cleanup_free uint8_t *sig = NULL;
  size_t sig_len = 0, b64_len;
  int r;

  b64_len = sig_b64 ? strnlen (sig_b64, COSIGN_SIG_B64_MAX + 1) : 0;
  if (b64_len == 0 || b64_len > COSIGN_SIG_B64_MAX)
    {
      cordon_error_set (err, 0, "signature: empty or longer than %d characters", COSIGN_SIG_B64_MAX);
      return -EBADMSG;
    }
  r = base64_decode (sig_b64, b64_len, &sig, &sig_len);
  if (r == -ENOMEM)
    return cordon_error_set (err, ENOMEM, "signature");
  if (r < 0)
    {
      cordon_error_set (err, 0, "signature: not canonical base64");
      return -EBADMSG;
    }
  r = cosign_read_public_key (key_pem, key_pem_len, &key, err);
  if (r < 0)
    return r;
  r = cosign_check_p256 (key, "public key", err);
  if (r < 0)
    return r;
  ctx = EVP_MD_CTX_new ();
  if (ctx == NULL)
    return cosign_ssl_error (err, ENOMEM, "signature");
  if (EVP_DigestVerifyInit (ctx, NULL, EVP_sha256 (), NULL, key) != 1)
    return cosign_ssl_error (err, 0, "signature: verifier setup");
  /* 1 is the only success; 0 is a wrong signature, < 0 a malformed one.  */
  if (EVP_DigestVerify (ctx, sig, sig_len, payload, payload_len) != 1)
    {
      ERR_clear_error ();
      /* The message is the whole story: no errno text after it.  */
      cordon_error_set (err, 0, "signature does not verify with this key");
      return -EBADMSG;
    }
  return 0;
}

/* Private keys never come with a passphrase prompt: cordon runs
 * unattended.  */
static int
cosign_no_passphrase (char *buf, int size, int rwflag, void *u)
{
  (void)buf;
  (void)size;
  (void)rwflag;
  (void)u;
  return -1;
}

int
cosign_sign (const void *payload, size_t payload_len, const char *key_path, char **sig_b64, struct cordon_error *err)
{
  cleanup_free char *pem = NULL;
  cleanup_bio BIO *bio = NULL;
  cleanup_pkey EVP_PKEY *key = NULL;
  cleanup_md_ctx EVP_MD_CTX *ctx = NULL;
  cleanup_free uint8_t *sig = NULL;
  size_t pem_len = 0, sig_len = 0;
  int r;

  r = json_read_file (key_path, COSIGN_KEY_MAX, &pem, &pem_len, err);
  if (r < 0)
    return r;
  if (strstr (pem, "ENCRYPTED SIGSTORE PRIVATE KEY") || strstr (pem, "ENCRYPTED COSIGN PRIVATE KEY")
      || strstr (pem, "BEGIN ENCRYPTED PRIVATE KEY"))
    return cordon_error_set (err, 0,
                             "%s: an encrypted private key; cordon signs with an unencrypted PEM key, e.g. from "
                             "`openssl ecparam -genkey -name prime256v1 | openssl pkcs8 -topk8 -nocrypt`",
                             key_path);
  bio = BIO_new_mem_buf (pem, (int)pem_len);
  if (bio == NULL)
    return cosign_ssl_error (err, ENOMEM, key_path);
  key = PEM_read_bio_PrivateKey (bio, NULL, cosign_no_passphrase, NULL);
  if (key == NULL)
    return cosign_ssl_error (err, 0, "private key: no PEM \"PRIVATE KEY\" or \"EC PRIVATE KEY\" block");
  r = cosign_check_p256 (key, key_path, err);
  if (r < 0)
    return r;
  ctx = EVP_MD_CTX_new ();
  if (ctx == NULL)
    return cosign_ssl_error (err, ENOMEM, "signing");
  if (EVP_DigestSignInit (ctx, NULL, EVP_sha256 (), NULL, key) != 1
      || EVP_DigestSign (ctx, NULL, &sig_len, payload, payload_len) != 1)
    return cosign_ssl_error (err, 0, "signing");
  sig = malloc (sig_len);
  if (sig == NULL)
    return cordon_error_set (err, ENOMEM, "signing");
  if (EVP_DigestSign (ctx, sig, &sig_len, payload, payload_len) != 1)
    return cosign_ssl_error (err, 0, "signing");
  *sig_b64 = base64_encode (sig, sig_len);
  if (*sig_b64 == NULL)
    return cordon_error_set (err, ENOMEM, "signing");
  return 0;
}

int
cosign_key_fingerprint (const char *key_pem, size_t key_pem_len, char **out, struct cordon_error *err)
{
  cleanup_pkey EVP_PKEY *key = NULL;
  unsigned char *der = NULL;
  char digest[DIGEST_SHA256_LEN + 1];
  int der_len, r;

  r = cosign_read_public_key (key_pem, key_pem_len, &key, err);
  if (r < 0)
    return r;
  der_len = i2d_PUBKEY (key, &der);
  if (der_len <= 0)
    return cosign_ssl_error (err, 0, "public key: DER encoding");
  digest_of_buffer (der, (size_t)der_len, digest);
  OPENSSL_free (der);
  /* ssh-keygen's spelling, with hex: "SHA256:<hex>".  */
  if (asprintf (out, "SHA256:%s", digest_hex (digest)) < 0)
    return cordon_error_set (err, ENOMEM, "public key fingerprint");
  return 0;
}
