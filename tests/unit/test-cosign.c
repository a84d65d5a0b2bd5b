/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "image/base64.h"
#include "image/cosign.h"
#include "image/digest.h"
#include "test-keys.h"

#define DIGEST "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define REPO "example.com/sandbox/busybox"

static char *
sign (const struct test_key *k, const char *payload)
{
  struct cordon_error err = { 0 };
  char *sig = NULL;

  cr_assert_eq (cosign_sign (payload, strlen (payload), k->private_path, &sig, &err), 0, "%s", err.msg);
  return sig;
}

static int
verify (const char *payload, const char *sig, const struct test_key *k, char **msg)
{
  struct cordon_error err = { 0 };
  int r = cosign_verify (payload, strlen (payload), sig, k->public_pem, k->public_len, &err);

  if (msg)
    *msg = err.msg;
  else
    cordon_error_release (&err);
  return r;
}

Test (cosign, build_is_cosign_bytes)
{
  char *p = cosign_payload_build (DIGEST, REPO);

  cr_assert_str_eq (p, "{\"critical\":{\"identity\":{\"docker-reference\":\"" REPO
                       "\"},\"image\":{\"docker-manifest-digest\":\"" DIGEST
                       "\"},\"type\":\"cosign container image signature\"},\"optional\":null}");
  free (p);
  cr_assert_null (cosign_payload_build ("sha256:abc", REPO));
  cr_assert_null (cosign_payload_build (DIGEST, "a\"b"));
  cr_assert_null (cosign_payload_build (DIGEST, ""));
}

Test (cosign, round_trip)
{
  struct test_key k, other;
  char *payload = cosign_payload_build (DIGEST, REPO);
  char *sig, *msg = NULL;

  test_key_generate (&k, "P-256", false);
  test_key_generate (&other, "P-256", false);
  sig = sign (&k, payload);
  cr_assert_eq (verify (payload, sig, &k, &msg), 0, "%s", msg);

  /* one byte changed */
  payload[20] ^= 1;
  cr_assert_eq (verify (payload, sig, &k, NULL), -EBADMSG);
  payload[20] ^= 1;
  /* another key */
  cr_assert_eq (verify (payload, sig, &other, &msg), -EBADMSG);
  cr_assert_not_null (strstr (msg, "does not verify"), "%s", msg);
  free (msg);

  free (sig);
  free (payload);
  test_key_release (&k);
  test_key_release (&other);
}

Test (cosign, sec1_private_key)
{
  struct test_key k;
  char *sig;

  test_key_generate (&k, "P-256", true);
  sig = sign (&k, "hello");
  cr_assert_eq (verify ("hello", sig, &k, NULL), 0);
  free (sig);
  test_key_release (&k);
}

Test (cosign, other_key_types_refused)
{
  static const char *const types[] = { "P-384", "ED25519" };
  struct test_key p256;

  test_key_generate (&p256, "P-256", false);
  char *good = sign (&p256, "x");
  for (size_t i = 0; i < 2; i++)
    {
      struct cordon_error err = { 0 };
      struct test_key k;
      char *sig = NULL;

      test_key_generate (&k, types[i], false);
      cr_assert_lt (cosign_sign ("x", 1, k.private_path, &sig, &err), 0, "%s", types[i]);
      cr_assert_not_null (strstr (err.msg, "P-256"), "%s", err.msg);
      cordon_error_release (&err);
      cr_assert_lt (cosign_public_key_check (k.public_pem, k.public_len, &err), 0);
      cordon_error_release (&err);
      cr_assert_lt (verify ("x", good, &k, NULL), 0);
      test_key_release (&k);
    }
  free (good);
  test_key_release (&p256);
}

Test (cosign, malformed_base64_refused)
{
  struct test_key k;
  char *sig, *bad;
  size_t n;

  test_key_generate (&k, "P-256", false);
  sig = sign (&k, "x");
  n = strlen (sig);
  cr_assert_eq (verify ("x", sig, &k, NULL), 0);
  bad = calloc (1, n + 8);

  sprintf (bad, "%s\n", sig); /* trailing newline */
  cr_assert_eq (verify ("x", bad, &k, NULL), -EBADMSG);
  sprintf (bad, " %s", sig);
  cr_assert_eq (verify ("x", bad, &k, NULL), -EBADMSG);
  memcpy (bad, sig, n + 1);
  bad[10] = '\n';
  cr_assert_eq (verify ("x", bad, &k, NULL), -EBADMSG);
  memcpy (bad, sig, n + 1);
  bad[n - 1] = '\0'; /* padding cut */
  cr_assert_eq (verify ("x", bad, &k, NULL), -EBADMSG);
  memcpy (bad, sig, n + 1);
  bad[3] = '!';
  cr_assert_eq (verify ("x", bad, &k, NULL), -EBADMSG);
  cr_assert_eq (verify ("x", "", &k, NULL), -EBADMSG);
  cr_assert_eq (verify ("x", "AAAA", &k, NULL), -EBADMSG); /* decodes, but no DER signature */
  free (bad);
  free (sig);
  test_key_release (&k);
}

Test (cosign, base64_strict)
{
  uint8_t *out;
  size_t n;

  cr_assert_eq (base64_decode ("aGk=", 4, &out, &n), 0);
  cr_assert_eq (n, 2);
  cr_assert_str_eq ((char *)out, "hi");
  free (out);
  cr_assert_eq (base64_decode ("", 0, &out, &n), 0);
  cr_assert_eq (n, 0);
  free (out);
  cr_assert_eq (base64_decode ("aGl=", 4, &out, &n), -EINVAL); /* non-zero trailing bits */
  cr_assert_eq (base64_decode ("aGk", 3, &out, &n), -EINVAL);
  cr_assert_eq (base64_decode ("aG==k===", 8, &out, &n), -EINVAL);
  cr_assert_eq (base64_decode ("a===", 4, &out, &n), -EINVAL);
  cr_assert_eq (base64_decode ("aGk=aGk=", 8, &out, &n), -EINVAL);
  char *e = base64_encode ((const uint8_t *)"hello", 5);
  cr_assert_str_eq (e, "aGVsbG8=");
  free (e);
}

Test (cosign, encrypted_private_key_refused)
{
  struct cordon_error err = { 0 };
  char path[] = "/tmp/cordon-test-enc.XXXXXX";
  char *sig = NULL;
  int fd = mkstemp (path);
  const char pem[] = "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\neyJrZGYiOnt9fQ==\n"
                     "-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n";

  cr_assert_geq (fd, 0);
  cr_assert_eq (write (fd, pem, sizeof pem - 1), (ssize_t)(sizeof pem - 1));
  close (fd);
  cr_assert_lt (cosign_sign ("x", 1, path, &sig, &err), 0);
  cr_assert_not_null (strstr (err.msg, "unencrypted"), "%s", err.msg);
  cordon_error_release (&err);
  unlink (path);
}

Test (cosign, fingerprint)
{
  struct cordon_error err = { 0 };
  struct test_key a, b;
  char *fa, *fa2, *fb;

  test_key_generate (&a, "P-256", false);
  test_key_generate (&b, "P-256", false);
  cr_assert_eq (cosign_key_fingerprint (a.public_pem, a.public_len, &fa, &err), 0);
  cr_assert_eq (cosign_key_fingerprint (a.public_pem, a.public_len, &fa2, &err), 0);
  cr_assert_eq (cosign_key_fingerprint (b.public_pem, b.public_len, &fb, &err), 0);
  cr_assert_eq (strlen (fa), 7 + 64);
  cr_assert_eq (strncmp (fa, "SHA256:", 7), 0);
  cr_assert_str_eq (fa, fa2);
  cr_assert_str_neq (fa, fb);
  cr_assert_lt (cosign_key_fingerprint ("junk", 4, &fb, &err), 0);
  cordon_error_release (&err);
  free (fa);
  free (fa2);
  free (fb);
  test_key_release (&a);
  test_key_release (&b);
}

static int
parse (const char *text, char **msg)
{
  struct cordon_error err = { 0 };
  struct cosign_payload p;
  int r = cosign_payload_parse (text, strlen (text), &p, &err);

  if (r == 0)
    cosign_payload_release (&p);
  *msg = err.msg;
  return r;
}

#define CRIT_OK                                                                                                        \
  "\"critical\":{\"identity\":{\"docker-reference\":\"" REPO "\"},\"image\":{\"docker-manifest-digest\":\"" DIGEST     \
  "\"},\"type\":\"cosign container image signature\"}"

Test (cosign, payload_accepts)
{
  static const char *const ok[] = {
    "{" CRIT_OK ",\"optional\":null}",
    "{" CRIT_OK ",\"optional\":{}}",
    "{\"optional\":{\"creator\":\"c\",\"timestamp\":1700000000,\"other\":[1,{\"x\":2}]}, " CRIT_OK "}",
    "{" CRIT_OK ",\"optional\":{\"timestamp\":1.0}}",
    " {" CRIT_OK ",\"optional\":null}\n",
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
    {
      char *msg = NULL;
      cr_assert_eq (parse (ok[i], &msg), 0, "%s: %s", ok[i], msg);
    }

  struct cordon_error err = { 0 };
  struct cosign_payload p;
  cr_assert_eq (cosign_payload_parse (ok[0], strlen (ok[0]), &p, &err), 0);
  cr_assert_str_eq (p.manifest_digest, DIGEST);
  cr_assert_str_eq (p.identity, REPO);
  cosign_payload_release (&p);
}

Test (cosign, payload_strict)
{
  static const struct
  {
    const char *text, *msg;
  } bad[] = {
    { "{" CRIT_OK ",\"optional\":null,\"optional\":null}", "duplicate key" },
    { "{" CRIT_OK ",\"optional\":{\"a\":1,\"a\":2}}", "duplicate key" },
    { "{" CRIT_OK "}", "missing member \"optional\"" },
    { "{\"optional\":null}", "missing member \"critical\"" },
    { "{" CRIT_OK ",\"optional\":null,\"extra\":1}", "unexpected member \"extra\"" },
    { "{\"critical\":{\"identity\":{\"docker-reference\":\"" REPO "\"},\"image\":{\"docker-manifest-digest\":\"" DIGEST
      "\"},\"type\":\"cosign container image signature\",\"extra\":1},\"optional\":null}",
      "critical: unexpected member \"extra\"" },
    { "{\"critical\":{\"identity\":{\"docker-reference\":\"" REPO "\"},\"image\":{\"docker-manifest-digest\":\"" DIGEST
      "\"},\"type\":\"atomic container signature\"},\"optional\":null}",
      "critical.type" },
    { "{\"critical\":{\"identity\":{\"docker-reference\":\"" REPO "\"},\"image\":{\"docker-manifest-digest\":\"" DIGEST
      "\"},\"type\":1},\"optional\":null}",
      "expected a string" },
    { "{\"critical\":{\"identity\":{\"docker-reference\":\"" REPO
      "\",\"x\":1},\"image\":{\"docker-manifest-digest\":\"" DIGEST
      "\"},\"type\":\"cosign container image signature\"},\"optional\":null}",
      "identity: unexpected member" },
    { "{\"critical\":{\"identity\":{\"docker-reference\":\"" REPO
      "\"},\"image\":{\"docker-manifest-digest\":\"sha512:00\"},"
      "\"type\":\"cosign container image signature\"},\"optional\":null}",
      "not a sha256 digest" },
    { "{\"critical\":{\"identity\":{\"docker-reference\":5},\"image\":{\"docker-manifest-digest\":\"" DIGEST
      "\"},\"type\":\"cosign container image signature\"},\"optional\":null}",
      "expected a string" },
    { "{\"critical\":[],\"optional\":null}", "expected an object" },
    { "{" CRIT_OK ",\"optional\":[]}", "expected an object or null" },
    { "{" CRIT_OK ",\"optional\":{\"timestamp\":1.5}}", "timestamp" },
    { "{" CRIT_OK ",\"optional\":{\"timestamp\":\"1\"}}", "timestamp" },
    { "{" CRIT_OK ",\"optional\":{\"creator\":1}}", "creator" },
    { "{" CRIT_OK ",\"optional\":null} {}", "invalid JSON" },
    { "[]", "expected an object" },
    { "", "invalid JSON" },
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      char *msg = NULL;
      cr_assert_lt (parse (bad[i].text, &msg), 0, "%s accepted", bad[i].text);
      cr_assert_not_null (strstr (msg, bad[i].msg), "%s: %s", bad[i].text, msg);
      free (msg);
    }
}

static char *
read_data (const char *name, size_t *len)
{
  struct cordon_error err = { 0 };
  char path[4096];
  char *text = NULL;

  snprintf (path, sizeof path, "%s/tests/data/interop-cosign/%s", CORDON_SOURCE_ROOT, name);
  cr_assert_eq (json_read_file (path, 1 << 20, &text, len, &err), 0, "%s", err.msg);
  return text;
}

/* A signature made by the real cosign (containers/image's test vector). */
Test (cosign, interop_vector)
{
  static const struct json_limits limits = { .max_bytes = 1 << 20, .max_items = 64, .max_string = 1 << 16 };
  static const char prefix[] = "\0sigstore-json\n";
  struct cordon_error err = { 0 };
  struct cosign_payload p;
  cleanup_free char *sigfile = NULL, *manifest = NULL, *pub = NULL, *rebuilt = NULL, *fp = NULL;
  cleanup_free uint8_t *payload = NULL;
  size_t sig_len, manifest_len, pub_len, payload_len;
  char manifest_digest[DIGEST_SHA256_LEN + 1];
  yajl_val root = NULL, b64, sig;

  sigfile = read_data ("signature-1", &sig_len);
  manifest = read_data ("manifest.json", &manifest_len);
  pub = read_data ("cosign.pub", &pub_len);
  cr_assert_gt (sig_len, sizeof prefix - 1);
  cr_assert_eq (memcmp (sigfile, prefix, sizeof prefix - 1), 0);
  cr_assert_eq (
      json_parse (sigfile + sizeof prefix - 1, sig_len - (sizeof prefix - 1), &limits, "signature-1", &root, &err), 0,
      "%s", err.msg);
  b64 = json_get (root, "payload");
  sig = json_get (json_get (root, "annotations"), COSIGN_SIGNATURE_ANNOTATION);
  cr_assert (b64 && YAJL_IS_STRING (b64));
  cr_assert (sig && YAJL_IS_STRING (sig));
  cr_assert_eq (base64_decode (b64->u.string, strlen (b64->u.string), &payload, &payload_len), 0);

  cr_assert_eq (cosign_verify (payload, payload_len, sig->u.string, pub, pub_len, &err), 0, "%s", err.msg);
  cr_assert_eq (cosign_payload_parse ((char *)payload, payload_len, &p, &err), 0, "%s", err.msg);
  digest_of_buffer (manifest, manifest_len, manifest_digest);
  cr_assert_str_eq (p.manifest_digest, manifest_digest);
  cr_assert_str_eq (p.manifest_digest, "sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00");
  cr_assert_str_eq (p.identity, "192.168.64.2:5000/cosign-signed-single-sample");
  /* cosign_payload_build writes what cosign writes, byte for byte.  */
  rebuilt = cosign_payload_build (p.manifest_digest, p.identity);
  cr_assert_eq (strlen (rebuilt), payload_len);
  cr_assert_eq (memcmp (rebuilt, payload, payload_len), 0);
  cosign_payload_release (&p);

  /* `openssl pkey -pubin -outform DER | sha256sum` */
  cr_assert_eq (cosign_key_fingerprint (pub, pub_len, &fp, &err), 0);
  cr_assert_str_eq (fp, "SHA256:c87a79018f346cc02482448b77296b0bea143ef2ccab99b04776fb0f638f301f");

  /* The same signature over other bytes fails.  */
  payload[payload_len - 2] = 'X';
  cr_assert_eq (cosign_verify (payload, payload_len, sig->u.string, pub, pub_len, &err), -EBADMSG);
  cordon_error_release (&err);
  yajl_tree_free (root);
}
