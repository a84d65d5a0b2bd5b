/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: policy.json is read from a system path but may be
 * edited by anyone with write access to it.  Every input gets a policy or an
 * error; a policy that loads evaluates without crashing.  Relative keyPath
 * values are refused (no base directory), absolute ones read whatever
 * exists, which is harmless.  */
#include <stdint.h>
#include <stdlib.h>

#include "image/policy.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const char payload[] = "{\"critical\":{\"identity\":{\"docker-reference\":\"example.com/a/b\"},\"image\":{"
                                "\"docker-manifest-digest\":\"sha256:"
                                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"},\"type\":"
                                "\"cosign container image signature\"},\"optional\":null}";
  static const char *const images[] = { "example.com/a/b:latest", "busybox",
                                        ("x.example.com:5000/n/r@sha256:"
                                         "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef") };
  struct cordon_error err = { 0 };
  struct trust_policy *policy = NULL;
  struct image_signature sig
      = { payload, sizeof payload - 1,
          "MEUCIQDx3Q3A9m4nzQZ8nM0Z0l2pQd3m1pMZ2qk0Q0b6m0b6AgIgYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo"
          "xMjM0NTY=" };

  if (trust_policy_parse ((const char *)data, size, NULL, &policy, &err) < 0)
    {
      if (err.msg == NULL || policy != NULL)
        abort ();
      cordon_error_release (&err);
      return 0;
    }
  for (size_t i = 0; i < 3; i++)
    for (int legacy = 0; legacy < 2; legacy++)
      {
        struct trust_verdict v;
        if (trust_policy_evaluate (policy, images[i],
                                   legacy ? NULL
                                          : "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                                   &sig, 1, &v, &err)
            < 0)
          abort (); /* the names are valid: evaluation cannot fail */
        if (v.reason == NULL || v.scope == NULL || v.requirement == NULL)
          abort ();
        if (legacy && v.accepted && v.key != NULL)
          abort ();
        trust_verdict_release (&v);
      }
  trust_policy_free (policy);
  return 0;
}
