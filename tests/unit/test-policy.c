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
#include "image/policy.h"
#include "test-keys.h"

#define DIGEST "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define OTHER_DIGEST "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define REPO "example.com/sandbox/busybox"
#define IMAGE REPO ":latest"

static struct test_key key, other;
static char *key_b64;

static void
setup (void)
{
  test_key_generate (&key, "P-256", false);
  test_key_generate (&other, "P-256", false);
  key_b64 = base64_encode ((const uint8_t *)key.public_pem, key.public_len);
}

static void
teardown (void)
{
  test_key_release (&key);
  test_key_release (&other);
  free (key_b64);
}

TestSuite (policy, .init = setup, .fini = teardown);

static struct trust_policy *
parse_ok (const char *text)
{
  struct cordon_error err = { 0 };
  struct trust_policy *p = NULL;

  cr_assert_eq (trust_policy_parse (text, strlen (text), NULL, &p, &err), 0, "%s: %s", text, err.msg);
  return p;
}

/* A policy whose docker scope `scope` holds one sigstoreSigned requirement
 * with the test key and `identity` (a JSON object, or NULL).  */
static struct trust_policy *
sigstore_policy (const char *scope, const char *identity)
{
  cleanup_free char *text = NULL;
  struct trust_policy *p;

  cr_assert_geq (asprintf (&text,
                           "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"%s\":[{\"type\":"
                           "\"sigstoreSigned\",\"keyData\":\"%s\"%s%s}]}}}",
                           scope, key_b64, identity ? ",\"signedIdentity\":" : "", identity ? identity : ""),
                 0);
  p = parse_ok (text);
  return p;
}

struct sig
{
  char *payload;
  char *b64;
};

static struct sig
make_sig (const struct test_key *k, const char *digest, const char *identity)
{
  struct cordon_error err = { 0 };
  struct sig s;

  s.payload = cosign_payload_build (digest, identity);
  cr_assert_not_null (s.payload);
  cr_assert_eq (cosign_sign (s.payload, strlen (s.payload), k->private_path, &s.b64, &err), 0, "%s", err.msg);
  return s;
}

static void
free_sig (struct sig *s)
{
  free (s->payload);
  free (s->b64);
}

static struct trust_verdict
evaluate (const struct trust_policy *p, const char *image, const char *digest, const struct sig *sigs, size_t n)
{
  struct cordon_error err = { 0 };
  struct image_signature is[8];
  struct trust_verdict v;

  for (size_t i = 0; i < n; i++)
    is[i] = (struct image_signature){ sigs[i].payload, strlen (sigs[i].payload), sigs[i].b64 };
  cr_assert_eq (trust_policy_evaluate (p, image, digest, is, n, &v, &err), 0, "%s", err.msg);
  cr_assert_not_null (v.reason);
  cr_assert_not_null (v.requirement);
  cr_assert_not_null (v.scope);
  return v;
}

Test (policy, accepts_a_good_signature)
{
  struct trust_policy *p = sigstore_policy (REPO, "{\"type\":\"matchRepository\"}");
  struct sig s = make_sig (&key, DIGEST, REPO);
  struct trust_verdict v = evaluate (p, IMAGE, DIGEST, &s, 1);
  cleanup_free char *fp = NULL;
  struct cordon_error err = { 0 };

  cr_assert (v.accepted, "%s", v.reason);
  cr_assert_str_eq (v.scope, REPO);
  cr_assert_str_eq (v.requirement, "sigstoreSigned");
  cr_assert_eq (cosign_key_fingerprint (key.public_pem, key.public_len, &fp, &err), 0);
  cr_assert_str_eq (v.key, fp);
  trust_verdict_release (&v);

  /* The familiar spelling is the same image.  */
  v = evaluate (p, "example.com/sandbox/busybox", DIGEST, &s, 1);
  cr_assert (v.accepted, "%s", v.reason);
  trust_verdict_release (&v);
  free_sig (&s);
  trust_policy_free (p);
}

Test (policy, rejections_say_why)
{
  struct trust_policy *p = sigstore_policy (REPO, "{\"type\":\"matchRepository\"}");
  struct sig wrong_key = make_sig (&other, DIGEST, REPO);
  struct sig wrong_id = make_sig (&key, DIGEST, "example.com/sandbox/other");
  struct sig wrong_digest = make_sig (&key, OTHER_DIGEST, REPO);
  struct sig good = make_sig (&key, DIGEST, REPO);
  struct sig tampered = { strdup (good.payload), strdup (good.b64) };
  struct trust_verdict v;

  tampered.payload[strlen (tampered.payload) - 3] = 'X';

  v = evaluate (p, IMAGE, DIGEST, NULL, 0);
  cr_assert_not (v.accepted);
  cr_assert_str_eq (v.reason, "no signature");
  trust_verdict_release (&v);

  v = evaluate (p, IMAGE, DIGEST, &wrong_key, 1);
  cr_assert_not (v.accepted);
  cr_assert_not_null (strstr (v.reason, "signature does not verify with any trusted key"), "%s", v.reason);
  cr_assert_null (v.key);
  trust_verdict_release (&v);

  v = evaluate (p, IMAGE, DIGEST, &tampered, 1);
  cr_assert_not (v.accepted);
  cr_assert_not_null (strstr (v.reason, "does not verify"), "%s", v.reason);
  trust_verdict_release (&v);

  v = evaluate (p, IMAGE, DIGEST, &wrong_id, 1);
  cr_assert_not (v.accepted);
  cr_assert_str_eq (v.reason, "signed identity example.com/sandbox/other does not match " REPO " (matchRepository)");
  trust_verdict_release (&v);

  v = evaluate (p, IMAGE, DIGEST, &wrong_digest, 1);
  cr_assert_not (v.accepted);
  cr_assert_str_eq (v.reason, "signed manifest digest " OTHER_DIGEST " does not match the image's " DIGEST);
  trust_verdict_release (&v);

  /* The furthest-got failure is reported; one good signature among bad
   * ones is enough.  */
  struct sig mixed[3] = { wrong_key, wrong_digest, wrong_id };
  v = evaluate (p, IMAGE, DIGEST, mixed, 3);
  cr_assert_not (v.accepted);
  cr_assert_not_null (strstr (v.reason, "signed identity"), "%s", v.reason);
  trust_verdict_release (&v);
  struct sig mixed_ok[3] = { wrong_key, wrong_digest, good };
  v = evaluate (p, IMAGE, DIGEST, mixed_ok, 3);
  cr_assert (v.accepted, "%s", v.reason);
  trust_verdict_release (&v);

  /* legacy docker-save: no manifest digest, no signature possible */
  v = evaluate (p, IMAGE, NULL, &good, 1);
  cr_assert_not (v.accepted);
  cr_assert_not_null (strstr (v.reason, "no manifest digest"), "%s", v.reason);
  trust_verdict_release (&v);

  /* another image falls to `default` */
  v = evaluate (p, "busybox", DIGEST, &good, 1);
  cr_assert_not (v.accepted);
  cr_assert_str_eq (v.scope, "default");
  cr_assert_str_eq (v.requirement, "reject");
  cr_assert_str_eq (v.reason, "policy rejects docker.io/library/busybox:latest (scope default)");
  trust_verdict_release (&v);

  free_sig (&wrong_key);
  free_sig (&wrong_id);
  free_sig (&wrong_digest);
  free_sig (&good);
  free_sig (&tampered);
  trust_policy_free (p);
}

Test (policy, legacy_needs_insecure_accept_anything)
{
  struct trust_policy *p = parse_ok ("{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}");
  struct trust_verdict v = evaluate (p, "busybox", NULL, NULL, 0);

  cr_assert (v.accepted);
  cr_assert_str_eq (v.requirement, "insecureAcceptAnything");
  cr_assert_null (v.key);
  trust_verdict_release (&v);
  trust_policy_free (p);
}

Test (policy, identities)
{
  static const struct
  {
    const char *identity_json; /* signedIdentity, NULL for the default */
    const char *signed_as;
    const char *image;
    bool accepted;
  } cases[] = {
    /* cosign signs a repository; the default needs a tag or digest */
    { NULL, REPO, IMAGE, false },
    { NULL, REPO ":latest", IMAGE, true },
    { NULL, REPO ":v2", IMAGE, false },
    { NULL, REPO ":v2", REPO "@" DIGEST, true }, /* digest reference: repositories compared */
    { "{\"type\":\"matchRepoDigestOrExact\"}", REPO, REPO "@" DIGEST, false },
    { "{\"type\":\"matchExact\"}", REPO ":latest", IMAGE, true },
    { "{\"type\":\"matchExact\"}", REPO, IMAGE, false },
    { "{\"type\":\"matchExact\"}", REPO ":v2", IMAGE, false },
    { "{\"type\":\"matchRepository\"}", REPO ":v2", IMAGE, true },
    { "{\"type\":\"exactRepository\",\"dockerRepository\":\"example.com/signed/as\"}", "example.com/signed/as", IMAGE,
      true },
    { "{\"type\":\"exactRepository\",\"dockerRepository\":\"example.com/signed/as\"}", REPO, IMAGE, false },
    { "{\"type\":\"exactReference\",\"dockerReference\":\"example.com/signed/as:1\"}", "example.com/signed/as:1", IMAGE,
      true },
    { "{\"type\":\"exactReference\",\"dockerReference\":\"example.com/signed/as:1\"}", "example.com/signed/as", IMAGE,
      false },
    { "{\"type\":\"remapIdentity\",\"prefix\":\"example.com/sandbox\",\"signedPrefix\":\"upstream.org/lib\"}",
      "upstream.org/lib/busybox:latest", IMAGE, true },
    { "{\"type\":\"remapIdentity\",\"prefix\":\"example.com/sandbox\",\"signedPrefix\":\"upstream.org/lib\"}",
      REPO ":latest", IMAGE, false },
    { "{\"type\":\"remapIdentity\",\"prefix\":\"example.com\",\"signedPrefix\":\"mirror.org:5000\"}",
      "mirror.org:5000/sandbox/busybox:latest", IMAGE, true },
    /* "example.com/sand" is not a prefix at a component boundary */
    { "{\"type\":\"remapIdentity\",\"prefix\":\"example.com/sand\",\"signedPrefix\":\"upstream.org\"}",
      "upstream.orgbox/busybox:latest", IMAGE, false },
  };

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      struct trust_policy *p = sigstore_policy (REPO, cases[i].identity_json);
      struct sig s = make_sig (&key, DIGEST, cases[i].signed_as);
      struct trust_verdict v = evaluate (p, cases[i].image, DIGEST, &s, 1);

      cr_assert_eq (v.accepted, cases[i].accepted, "case %zu (%s, %s): %s", i, cases[i].signed_as, cases[i].image,
                    v.reason);
      trust_verdict_release (&v);
      free_sig (&s);
      trust_policy_free (p);
    }
}

Test (policy, cosign_identity_hint)
{
  struct trust_policy *p = sigstore_policy (REPO, NULL);
  struct sig s = make_sig (&key, DIGEST, REPO);
  struct trust_verdict v = evaluate (p, IMAGE, DIGEST, &s, 1);

  cr_assert_not (v.accepted);
  cr_assert_not_null (strstr (v.reason, "use matchRepository"), "%s", v.reason);
  trust_verdict_release (&v);
  free_sig (&s);
  trust_policy_free (p);
}

Test (policy, scope_precedence)
{
  static const char text[] = "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{"
                             "\"\":[{\"type\":\"insecureAcceptAnything\"}],"
                             "\"*.example.com\":[{\"type\":\"insecureAcceptAnything\"}],"
                             "\"*.com\":[{\"type\":\"insecureAcceptAnything\"}],"
                             "\"registry.example.com\":[{\"type\":\"insecureAcceptAnything\"}],"
                             "\"registry.example.com/ns\":[{\"type\":\"insecureAcceptAnything\"}],"
                             "\"registry.example.com/ns/repo\":[{\"type\":\"insecureAcceptAnything\"}],"
                             "\"registry.example.com/ns/repo:v1\":[{\"type\":\"reject\"}],"
                             "\"localhost:5000\":[{\"type\":\"reject\"}]"
                             "}}}";
  static const struct
  {
    const char *image, *scope;
  } cases[] = {
    { "registry.example.com/ns/repo:v1", "registry.example.com/ns/repo:v1" },
    { "registry.example.com/ns/repo:v2", "registry.example.com/ns/repo" },
    { "registry.example.com/ns/repo", "registry.example.com/ns/repo" },
    { "registry.example.com/ns/other:1", "registry.example.com/ns" },
    { "registry.example.com/ns/sub/x", "registry.example.com/ns" },
    { "registry.example.com/x:1", "registry.example.com" },
    { "a.b.example.com/x", "*.example.com" },
    { "registry.example.com:5000/x", "*.example.com" }, /* wildcards drop the port */
    { "other.com/x", "*.com" },
    { "localhost:5000/x", "localhost:5000" },
    { "localhost/x", "" },
    { "busybox", "" },
  };
  struct trust_policy *p = parse_ok (text);

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      struct trust_verdict v = evaluate (p, cases[i].image, DIGEST, NULL, 0);
      cr_assert_str_eq (v.scope, cases[i].scope, "%s", cases[i].image);
      cr_assert_eq (v.accepted, strcmp (cases[i].scope, "registry.example.com/ns/repo:v1") != 0
                                    && strcmp (cases[i].scope, "localhost:5000") != 0);
      trust_verdict_release (&v);
    }
  trust_policy_free (p);

  /* without transports.docker[""] the policy default applies */
  p = parse_ok ("{\"default\":[{\"type\":\"insecureAcceptAnything\"}],\"transports\":{\"docker\":{"
                "\"registry.example.com\":[{\"type\":\"reject\"}]}}}");
  struct trust_verdict v = evaluate (p, "busybox", DIGEST, NULL, 0);
  cr_assert_str_eq (v.scope, "default");
  cr_assert (v.accepted);
  trust_verdict_release (&v);
  v = evaluate (p, "registry.example.com/a", DIGEST, NULL, 0);
  cr_assert_not (v.accepted);
  cr_assert_str_eq (v.reason,
                    "policy rejects registry.example.com/a:latest (scope transports.docker[\"registry.example.com\"])");
  trust_verdict_release (&v);
  trust_policy_free (p);
}

Test (policy, all_requirements_must_pass)
{
  cleanup_free char *text = NULL;
  struct trust_policy *p;
  struct sig s = make_sig (&key, DIGEST, REPO);
  struct trust_verdict v;

  cr_assert_geq (asprintf (&text,
                           "{\"default\":[{\"type\":\"insecureAcceptAnything\"},{\"type\":\"sigstoreSigned\","
                           "\"keyData\":\"%s\",\"signedIdentity\":{\"type\":\"matchRepository\"}}]}",
                           key_b64),
                 0);
  p = parse_ok (text);
  v = evaluate (p, IMAGE, DIGEST, &s, 1);
  cr_assert (v.accepted, "%s", v.reason);
  cr_assert_str_eq (v.requirement, "sigstoreSigned");
  trust_verdict_release (&v);
  v = evaluate (p, IMAGE, DIGEST, NULL, 0);
  cr_assert_not (v.accepted);
  cr_assert_str_eq (v.requirement, "sigstoreSigned");
  trust_verdict_release (&v);
  free_sig (&s);
  trust_policy_free (p);
}

Test (policy, bad_policies)
{
  static const struct
  {
    const char *text, *msg;
  } bad[] = {
    { "{}", "\"default\" is missing" },
    { "[]", "expected an object" },
    { "{\"default\":[]}", "empty list" },
    { "{\"default\":{}}", "expected an array" },
    { "{\"default\":[{\"type\":\"reject\"}],\"default\":[{\"type\":\"reject\"}]}", "duplicate key \"default\"" },
    { "{\"default\":[{\"type\":\"reject\",\"type\":\"insecureAcceptAnything\"}]}", "duplicate key \"type\"" },
    { "{\"default\":[{\"type\":\"reject\"}],\"other\":1}", "unknown member \"other\"" },
    { "{\"default\":[{\"type\":\"reject\",\"x\":1}]}", "default[0]: unknown member \"x\"" },
    { "{\"default\":[{\"type\":\"nope\"}]}", "unknown requirement type" },
    { "{\"default\":[{}]}", "default[0].type: expected a string" },
    { "{\"default\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"/k\"}]}",
      "policy.json: default[0]: signedBy (GPG) is not supported" },
    { "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"example.com/x\":[{\"type\":\"signedBy\"}]}}}",
      "policy.json: transports.docker[\"example.com/x\"][0]: signedBy (GPG) is not supported" },
    { "{\"default\":[{\"type\":\"sigstoreSigned\",\"fulcio\":{}}]}", "fulcio" },
    { "{\"default\":[{\"type\":\"sigstoreSigned\",\"pki\":{}}]}", "pki" },
    { "{\"default\":[{\"type\":\"sigstoreSigned\",\"keyData\":\"eA==\",\"rekorPublicKeyPath\":\"/r\"}]}",
      "rekorPublicKeyPath (Rekor" },
    { "{\"default\":[{\"type\":\"sigstoreSigned\"}]}", "needs one of keyPath" },
    { "{\"default\":[{\"type\":\"sigstoreSigned\",\"keyPath\":\"/a\",\"keyData\":\"eA==\"}]}",
      "exactly one key source" },
    { "{\"default\":[{\"type\":\"sigstoreSigned\",\"keyData\":\"not base64\"}]}", "base64" },
    { "{\"default\":[{\"type\":\"sigstoreSigned\",\"keyData\":\"eA==\"}]}", "keyData: public key" },
    { "{\"default\":[{\"type\":\"sigstoreSigned\",\"keyDatas\":[]}]}", "empty list of keys" },
    { "{\"default\":[{\"type\":\"sigstoreSigned\",\"keyPath\":\"relative.pub\"}]}", "relative key path" },
    { "{\"default\":[{\"type\":\"sigstoreSigned\",\"keyPath\":\"/nonexistent/key.pub\"}]}", "/nonexistent/key.pub" },
    { "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"busybox\":[{\"type\":\"reject\"}]}}}",
      "fully expanded" },
    { "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"docker.io/"
      "busybox\":[{\"type\":\"reject\"}]}}}",
      "write \"docker.io/library/busybox\"" },
    { "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"*.example.com:5000\":[{\"type\":\"reject\"}]}"
      "}}",
      "wildcard" },
    { "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"example.com/x\":[]}}}", "empty list" },
    { "{\"default\":[{\"type\":\"reject\"}],\"transports\":[]}", "transports: expected an object" },
    { "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"atomic\":{\"x\":{}}}}",
      "transports.atomic[\"x\"]: expected an array" },
    { "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"atomic\":{\"x\":[{}]}}}", "type: expected a string" },
    { "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"atomic\":{\"x\":[{\"type\":\"a\",\"type\":\"b\"}]}}}",
      "duplicate key" },
    { "{\"default\":[{\"type\":\"reject\"}]} x", "invalid JSON" },
  };

  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      struct cordon_error err = { 0 };
      struct trust_policy *p = NULL;

      cr_assert_lt (trust_policy_parse (bad[i].text, strlen (bad[i].text), NULL, &p, &err), 0, "%s accepted",
                    bad[i].text);
      cr_assert_null (p);
      cr_assert_not_null (strstr (err.msg, bad[i].msg), "%s: %s", bad[i].text, err.msg);
      cordon_error_release (&err);
    }
}

Test (policy, bad_identities)
{
  static const char *const bad[] = {
    "{\"type\":\"matchRepository\",\"x\":1}",
    "{\"type\":\"sameAsBefore\"}",
    "{\"type\":\"exactReference\"}",
    "{\"type\":\"exactReference\",\"dockerReference\":\"example.com/x\"}", /* no tag */
    "{\"type\":\"exactRepository\",\"dockerRepository\":\"Example/X\"}",
    "{\"type\":\"remapIdentity\",\"prefix\":\"example.com/x:tag\",\"signedPrefix\":\"a.org\"}",
    "{\"type\":\"remapIdentity\",\"prefix\":\"busybox\",\"signedPrefix\":\"a.org\"}",
    "{\"type\":\"remapIdentity\",\"prefix\":\"example.com\"}",
    "[]",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      cleanup_free char *text = NULL;
      struct cordon_error err = { 0 };
      struct trust_policy *p = NULL;

      cr_assert_geq (asprintf (&text,
                               "{\"default\":[{\"type\":\"sigstoreSigned\",\"keyData\":\"%s\","
                               "\"signedIdentity\":%s}]}",
                               key_b64, bad[i]),
                     0);
      cr_assert_lt (trust_policy_parse (text, strlen (text), NULL, &p, &err), 0, "%s accepted", bad[i]);
      cr_assert_not_null (strstr (err.msg, "signedIdentity"), "%s: %s", bad[i], err.msg);
      cordon_error_release (&err);
    }
}

Test (policy, other_transports_are_ignored)
{
  struct trust_policy *p
      = parse_ok ("{\"default\":[{\"type\":\"insecureAcceptAnything\"}],\"transports\":{"
                  "\"atomic\":{\"x\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"/nope\"}]},"
                  "\"docker-daemon\":{\"\":[{\"type\":\"insecureAcceptAnything\"}]},\"oci\":{}}}");
  trust_policy_free (p);
}

Test (policy, key_paths_and_digest)
{
  char dir[] = "/tmp/cordon-test-policy.XXXXXX";
  char path[128], keypath[128], cmd[160];
  struct cordon_error err = { 0 };
  struct trust_policy *p = NULL;
  char digest[DIGEST_SHA256_LEN + 1];
  cleanup_free char *text = NULL;
  FILE *f;

  cr_assert_not_null (mkdtemp (dir));
  snprintf (keypath, sizeof keypath, "%s/cosign.pub", dir);
  f = fopen (keypath, "w");
  fputs (other.public_pem, f);
  fclose (f);
  snprintf (path, sizeof path, "%s/other.pub", dir);
  f = fopen (path, "w");
  fputs (key.public_pem, f);
  fclose (f);
  /* relative keyPath: against the policy file's directory */
  cr_assert_geq (asprintf (&text,
                           "{\"default\":[{\"type\":\"sigstoreSigned\",\"keyPaths\":[\"cosign.pub\",\"%s\"],"
                           "\"signedIdentity\":{\"type\":\"matchRepository\"}}]}",
                           path),
                 0);
  snprintf (path, sizeof path, "%s/policy.json", dir);
  f = fopen (path, "w");
  fputs (text, f);
  fclose (f);

  cr_assert_eq (trust_policy_load (path, &p, &err), 0, "%s", err.msg);
  cr_assert_str_eq (trust_policy_source (p), path);
  digest_of_buffer (text, strlen (text), digest);
  cr_assert_str_eq (trust_policy_digest (p), digest);

  struct sig s = make_sig (&key, DIGEST, REPO); /* the second key */
  struct trust_verdict v = evaluate (p, IMAGE, DIGEST, &s, 1);
  cr_assert (v.accepted, "%s", v.reason);
  cr_assert_not_null (strstr (v.key, "/other.pub)"), "%s", v.key);
  cr_assert_eq (strncmp (v.key, "SHA256:", 7), 0);
  trust_verdict_release (&v);
  free_sig (&s);
  trust_policy_free (p);

  snprintf (cmd, sizeof cmd, "rm -rf %s", dir);
  cr_assert_eq (system (cmd), 0);
}

Test (policy, builtin_rejects)
{
  struct cordon_error err = { 0 };
  struct trust_policy *p = NULL;

  cr_assert_eq (trust_policy_builtin (&p, &err), 0);
  cr_assert_str_eq (trust_policy_source (p), "built-in");
  cr_assert_str_eq (trust_policy_digest (p), "builtin");
  struct trust_verdict v = evaluate (p, "busybox", DIGEST, NULL, 0);
  cr_assert_not (v.accepted);
  cr_assert_str_eq (v.scope, "default");
  cr_assert_str_eq (v.requirement, "reject");
  trust_verdict_release (&v);
  v = evaluate (p, "busybox", NULL, NULL, 0);
  cr_assert_not (v.accepted);
  trust_verdict_release (&v);
  trust_policy_free (p);
}

Test (policy, bad_inputs_to_evaluate)
{
  struct cordon_error err = { 0 };
  struct trust_policy *p = NULL;
  struct trust_verdict v;

  cr_assert_eq (trust_policy_builtin (&p, &err), 0);
  cr_assert_lt (trust_policy_evaluate (p, "Not/Valid", DIGEST, NULL, 0, &v, &err), 0);
  cordon_error_release (&err);
  cr_assert_lt (trust_policy_evaluate (p, "busybox", "sha256:../../x", NULL, 0, &v, &err), 0);
  cordon_error_release (&err);
  trust_policy_free (p);
}

/* The generated fixtures (make-test-images), when CORDON_FIXTURES names them:
 * the fixture policy's keyData, and the fixture layouts' signatures.  */
static char *
fixture_read (const char *rel, size_t *len)
{
  struct cordon_error err = { 0 };
  char path[4096];
  char *text = NULL;

  snprintf (path, sizeof path, "%s/%s", getenv ("CORDON_FIXTURES"), rel);
  cr_assert_eq (json_read_file (path, 4 << 20, &text, len, &err), 0, "%s", err.msg);
  return text;
}

static struct trust_verdict
fixture_evaluate (const struct trust_policy *p, const char *layout)
{
  static const struct json_limits limits = { .max_bytes = 4 << 20, .max_items = 1024, .max_string = 1 << 20 };
  struct cordon_error err = { 0 };
  cleanup_free char *index = NULL;
  char rel[512], digest[DIGEST_SHA256_LEN + 1] = "";
  yajl_val root = NULL, manifests, sigman = NULL;
  struct image_signature sigs[16];
  char *payloads[16];
  size_t len, n = 0;
  struct trust_verdict v;

  snprintf (rel, sizeof rel, "%s/index.json", layout);
  index = fixture_read (rel, &len);
  cr_assert_eq (json_parse (index, len, &limits, rel, &root, &err), 0, "%s", err.msg);
  manifests = json_get (root, "manifests");
  for (size_t i = 0; i < manifests->u.array.len; i++)
    {
      yajl_val name
          = json_get (json_get (manifests->u.array.values[i], "annotations"), "org.opencontainers.image.ref.name");
      if (name && strcmp (name->u.string, "latest") == 0)
        snprintf (digest, sizeof digest, "%s", json_get (manifests->u.array.values[i], "digest")->u.string);
    }
  cr_assert (digest_is_valid (digest));
  for (size_t i = 0; i < manifests->u.array.len; i++)
    {
      yajl_val name
          = json_get (json_get (manifests->u.array.values[i], "annotations"), "org.opencontainers.image.ref.name");
      char want[128];
      snprintf (want, sizeof want, "sha256-%s.sig", digest_hex (digest));
      if (name && strcmp (name->u.string, want) == 0)
        {
          cleanup_free char *m = NULL;
          snprintf (rel, sizeof rel, "%s/blobs/sha256/%s", layout,
                    digest_hex (json_get (manifests->u.array.values[i], "digest")->u.string));
          m = fixture_read (rel, &len);
          cr_assert_eq (json_parse (m, len, &limits, rel, &sigman, &err), 0, "%s", err.msg);
        }
    }
  if (sigman != NULL)
    {
      yajl_val layers = json_get (sigman, "layers");
      for (size_t i = 0; i < layers->u.array.len && n < 16; i++, n++)
        {
          yajl_val l = layers->u.array.values[i];
          snprintf (rel, sizeof rel, "%s/blobs/sha256/%s", layout, digest_hex (json_get (l, "digest")->u.string));
          payloads[n] = fixture_read (rel, &len);
          sigs[n] = (struct image_signature){
            payloads[n], len, json_get (json_get (l, "annotations"), COSIGN_SIGNATURE_ANNOTATION)->u.string
          };
        }
    }
  cr_assert_eq (trust_policy_evaluate (p, "example.com/sandbox/busybox:latest", digest, sigs, n, &v, &err), 0, "%s",
                err.msg);
  for (size_t i = 0; i < n; i++)
    free (payloads[i]);
  if (sigman)
    yajl_tree_free (sigman);
  yajl_tree_free (root);
  return v;
}

Test (policy, fixtures)
{
  struct cordon_error err = { 0 };
  struct trust_policy *p = NULL;
  char path[4096];
  static const struct
  {
    const char *layout;
    bool accepted;
  } cases[] = {
    { "oci/signed", true },
    { "oci/signed-zstd", true },
    { "oci/unsigned", false },
    { "oci/wrong-key", false },
    { "oci/wrong-identity", false },
    { "oci/bad-signature", false },
    { "oci/tampered-rehashed", false },
  };

  if (getenv ("CORDON_FIXTURES") == NULL)
    cr_skip_test ("CORDON_FIXTURES is not set");
  snprintf (path, sizeof path, "%s/policy.json", getenv ("CORDON_FIXTURES"));
  cr_assert_eq (trust_policy_load (path, &p, &err), 0, "%s", err.msg);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      struct trust_verdict v = fixture_evaluate (p, cases[i].layout);
      cr_assert_eq (v.accepted, cases[i].accepted, "%s: %s", cases[i].layout, v.reason);
      cr_log_info ("%s: %s (%s)", cases[i].layout, v.accepted ? "accepted" : "rejected", v.reason);
      trust_verdict_release (&v);
    }
  trust_policy_free (p);
}
