/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: state.json is read back by every lifecycle command and
 * may have been left half-written or planted.  state_parse must answer
 * every byte string with a state or an error, and what it accepts must
 * serialise and parse back to the same thing.  */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/state.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct cordon_error err = { 0 };
  struct sandbox_state st, again;
  char *json = NULL, *json2 = NULL;
  size_t len, len2;

  if (state_parse ((const char *)data, size, &st, &err) < 0)
    {
      if (err.msg == NULL)
        abort ();
      cordon_error_release (&err);
      return 0;
    }
  if (state_to_json (&st, true, &json, &len, &err) < 0)
    abort ();
  if (state_parse (json, len, &again, &err) < 0)
    abort (); /* what we write, we must read */
  if (state_to_json (&again, true, &json2, &len2, &err) < 0 || len != len2 || memcmp (json, json2, len) != 0)
    abort ();
  free (json);
  free (json2);
  state_release (&again);
  state_release (&st);
  return 0;
}
