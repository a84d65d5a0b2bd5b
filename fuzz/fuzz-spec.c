/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: config.json is hostile input.  spec_parse must answer
 * every byte string with a spec or an error, and what it accepts must
 * serialise and parse back.  */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/spec.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct cordon_error err = { 0 };
  struct cordon_spec *spec = NULL;
  struct cordon_spec *again = NULL;
  char *json = NULL;
  size_t len;

  if (spec_parse ((const char *)data, size, &spec, &err) < 0)
    {
      /* Every refusal says why.  */
      if (err.msg == NULL)
        abort ();
      cordon_error_release (&err);
      return 0;
    }
  if (spec_to_json (spec, &json, &len, &err) < 0)
    abort ();
  if (spec_parse (json, len, &again, &err) < 0)
    abort (); /* what we write, we must read */
  spec_free (again);
  free (json);
  spec_free (spec);
  return 0;
}
