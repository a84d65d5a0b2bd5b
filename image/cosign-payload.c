/* SPDX-License-Identifier: Apache-2.0 */
/* The cosign "simple signing" payload, parsed as strictly as containers/image
 * does (signature/internal/sigstore_payload.go): exactly the members the
 * format has, so that no two verifiers read one signed text two ways.  */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "image/cosign.h"
#include "image/digest.h"

#define COSIGN_PAYLOAD_MAX (4 * 1024 * 1024)
#define COSIGN_SIGNATURE_TYPE "cosign container image signature"

static const struct json_limits cosign_payload_limits = {
  .max_bytes = COSIGN_PAYLOAD_MAX,
  .max_items = 4096,
  .max_string = 64 * 1024,
};

void
cosign_payload_release (struct cosign_payload *p)
{
  free (p->manifest_digest);
  free (p->identity);
  p->manifest_digest = NULL;
  p->identity = NULL;
}

/* `v` is an object with exactly the members in `keys` (NULL-terminated).  */
static int
cosign_want_exact_object (yajl_val v, const char *const *keys, const char *where, struct cordon_error *err)
{
  size_t n_keys = 0;
  int r;

  r = json_want_object (v, where, err);
  if (r < 0)
    return r;
  for (; keys[n_keys]; n_keys++)
    if (json_get (v, keys[n_keys]) == NULL)
      return cordon_error_set (err, 0, "%s: missing member \"%s\"", where, keys[n_keys]);
  for (size_t i = 0; i < v->u.object.len; i++)
    {
      bool known = false;
      for (size_t k = 0; k < n_keys && !known; k++)
        known = strcmp (v->u.object.keys[i], keys[k]) == 0;
      if (!known)
        return cordon_error_set (err, 0, "%s: unexpected member \"%.64s\"", where, v->u.object.keys[i]);
    }
  return 0;
}

/* `optional`: null (cosign) or an object (containers/image) whose unknown
 * members are ignored; the two it defines must have their types.  */
static int
cosign_check_optional (yajl_val v, struct cordon_error *err)
{
  yajl_val creator, timestamp;

  if (YAJL_IS_NULL (v))
    return 0;
  if (!YAJL_IS_OBJECT (v))
    return cordon_error_set (err, 0, "signature payload: optional: expected an object or null");
  creator = json_get (v, "creator");
  if (creator != NULL && !YAJL_IS_STRING (creator))
    return cordon_error_set (err, 0, "signature payload: optional.creator: expected a string");
  timestamp = json_get (v, "timestamp");
  if (timestamp != NULL)
    {
      /* Go reads it as float64 and demands an integral value: 1 and 1.0
       * pass, 1.5 and "1" do not.  */
      double d = YAJL_IS_DOUBLE (timestamp) ? YAJL_GET_DOUBLE (timestamp) : 0.5;

      if (YAJL_IS_INTEGER (timestamp))
        return 0;
      if (!(d > -9.2e18 && d < 9.2e18) || (double)(long long)d != d)
        return cordon_error_set (err, 0, "signature payload: optional.timestamp: expected an integer");
    }
  return 0;
}

int
cosign_payload_parse (const char *text, size_t len, struct cosign_payload *out, struct cordon_error *err)
{
  static const char *const top_keys[] = { "critical", "optional", NULL };
  static const char *const critical_keys[] = { "type", "image", "identity", NULL };
  static const char *const image_keys[] = { "docker-manifest-digest", NULL };
  static const char *const identity_keys[] = { "docker-reference", NULL };
  cleanup_json yajl_val root = NULL;
  cleanup_free char *type = NULL;
  cleanup_free char *digest = NULL;
  cleanup_free char *identity = NULL;
  yajl_val critical;
  int r;

  memset (out, 0, sizeof *out);
  if (len > COSIGN_PAYLOAD_MAX)
    return cordon_error_set (err, EFBIG, "signature payload: larger than %d bytes", COSIGN_PAYLOAD_MAX);
  r = json_check_unique_keys (text, len, "signature payload", err);
  if (r < 0)
    return r;
  r = json_parse (text, len, &cosign_payload_limits, "signature payload", &root, err);
  if (r < 0)
    return r;
  r = cosign_want_exact_object (root, top_keys, "signature payload", err);
  if (r < 0)
    return r;
  r = cosign_check_optional (json_get (root, "optional"), err);
  if (r < 0)
    return r;
  critical = json_get (root, "critical");
  r = cosign_want_exact_object (critical, critical_keys, "signature payload: critical", err);
  if (r < 0)
    return r;
  r = json_string (json_get (critical, "type"), &cosign_payload_limits, "signature payload: critical.type", &type, err);
  if (r < 0)
    return r;
  if (strcmp (type, COSIGN_SIGNATURE_TYPE) != 0)
    return cordon_error_set (err, 0, "signature payload: critical.type is \"%.64s\", not \"%s\"", type,
                             COSIGN_SIGNATURE_TYPE);
  r = cosign_want_exact_object (json_get (critical, "image"), image_keys, "signature payload: critical.image", err);
  if (r < 0)
    return r;
  r = cosign_want_exact_object (json_get (critical, "identity"), identity_keys, "signature payload: critical.identity",
                                err);
  if (r < 0)
    return r;
  r = json_string (json_get (json_get (critical, "image"), "docker-manifest-digest"), &cosign_payload_limits,
                   "signature payload: critical.image.docker-manifest-digest", &digest, err);
  if (r < 0)
    return r;
  if (!digest_is_valid (digest))
    return cordon_error_set (err, 0, "signature payload: critical.image.docker-manifest-digest: not a sha256 digest");
  r = json_string (json_get (json_get (critical, "identity"), "docker-reference"), &cosign_payload_limits,
                   "signature payload: critical.identity.docker-reference", &identity, err);
  if (r < 0)
    return r;
  if (identity[0] == '\0')
    return cordon_error_set (err, 0, "signature payload: critical.identity.docker-reference is empty");
  out->manifest_digest = steal_pointer (&digest);
  out->identity = steal_pointer (&identity);
  return 0;
}

char *
cosign_payload_build (const char *manifest_digest, const char *identity)
{
  char *s = NULL;

  /* Neither value may need JSON escaping: a digest never does, and a
   * reference has no quotes, backslashes or control characters.  */
  if (!digest_is_valid (manifest_digest) || identity == NULL || identity[0] == '\0')
    {
      errno = EINVAL;
      return NULL;
    }
  for (const char *p = identity; *p; p++)
    if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20)
      {
        errno = EINVAL;
        return NULL;
      }
  /* Key order and spacing are cosign's (Go's encoding/json of its structs);
   * the bytes are what gets signed.  */
  if (asprintf (&s,
                "{\"critical\":{\"identity\":{\"docker-reference\":\"%s\"},\"image\":{\"docker-manifest-digest\":"
                "\"%s\"},\"type\":\"" COSIGN_SIGNATURE_TYPE "\"},\"optional\":null}",
                identity, manifest_digest)
      < 0)
    return NULL;
  return s;
}
