/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "image/cosign.h"
#include "image/import.h"

int
image_verify (struct image_store *store, const struct image_record *rec, const char *name,
              const struct trust_policy *policy, struct trust_verdict *verdict, struct cordon_error *err)
{
  struct image_signature *sigs = calloc (rec->n_sigs + 1, sizeof *sigs);
  char **payloads = calloc (rec->n_sigs + 1, sizeof *payloads);
  int r = 0;

  if (sigs == NULL || payloads == NULL)
    {
      r = cordon_error_set (err, ENOMEM, "out of memory");
      goto out;
    }
  if (name == NULL)
    name = rec->names && rec->names[0] ? rec->names[0] : NULL;
  if (name == NULL)
    {
      r = cordon_error_set (err, EINVAL, "image %.12s has no name to check against the trust policy", rec->id);
      goto out;
    }
  for (size_t i = 0; i < rec->n_sigs; i++)
    {
      size_t len;
      r = image_store_read_blob (store, rec->sigs[i].payload, 4u << 20, &payloads[i], &len, err);
      if (r < 0)
        goto out;
      sigs[i].payload = payloads[i];
      sigs[i].payload_len = len;
      sigs[i].sig_b64 = rec->sigs[i].signature;
    }
  r = trust_policy_evaluate (policy, name, rec->manifest, sigs, rec->n_sigs, verdict, err);
out:
  for (size_t i = 0; payloads && i < rec->n_sigs; i++)
    free (payloads[i]);
  free (payloads);
  free (sigs);
  return r;
}

static int
dup_or_null (const char *s, char **out)
{
  free (*out);
  *out = NULL;
  if (s == NULL)
    return 0;
  *out = strdup (s);
  return *out ? 0 : -ENOMEM;
}

int
image_record_set_verdict (struct image_record *rec, const struct trust_verdict *v, const char *policy_digest,
                          struct cordon_error *err)
{
  rec->verdict.accepted = v->accepted;
  if (dup_or_null (v->scope, &rec->verdict.scope) < 0 || dup_or_null (v->requirement, &rec->verdict.requirement) < 0
      || dup_or_null (v->key, &rec->verdict.key) < 0 || dup_or_null (v->reason, &rec->verdict.reason) < 0
      || dup_or_null (policy_digest, &rec->verdict.policy) < 0)
    return cordon_error_set (err, ENOMEM, "out of memory");
  return 0;
}
