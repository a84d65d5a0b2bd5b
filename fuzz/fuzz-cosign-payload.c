/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: a signature payload is parsed only after its signature
 * verified, but the signer may still be hostile.  Every input gets a payload
 * or an error; an accepted payload rebuilds into a payload that parses to
 * the same values.  */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/cosign.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct cordon_error err = { 0 };
  struct cosign_payload p, again;
  char *rebuilt;

  if (cosign_payload_parse ((const char *)data, size, &p, &err) < 0)
    {
      if (err.msg == NULL)
        abort ();
      cordon_error_release (&err);
      return 0;
    }
  rebuilt = cosign_payload_build (p.manifest_digest, p.identity);
  /* An identity needing JSON escapes cannot be rebuilt; anything else must
   * come back identical.  */
  if (rebuilt != NULL)
    {
      if (cosign_payload_parse (rebuilt, strlen (rebuilt), &again, &err) < 0)
        abort ();
      if (strcmp (again.manifest_digest, p.manifest_digest) != 0 || strcmp (again.identity, p.identity) != 0)
        abort ();
      cosign_payload_release (&again);
      free (rebuilt);
    }
  cosign_payload_release (&p);
  return 0;
}
