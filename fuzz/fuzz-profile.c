/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: a profile file is hostile input (a user's --profile,
 * a file in a shared directory).  Parse, and for what parses, write it back
 * out: every field the parser fills is read again.  No inheritance: that
 * would read files.  */
#include <stdint.h>
#include <stdlib.h>

#include "profiles/profile.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct cordon_error err = { 0 };
  struct cordon_profile *p = NULL;
  char *json = NULL;

  if (profile_parse ((const char *)data, size, "<fuzz>", &p, &err) < 0)
    {
      if (err.msg == NULL)
        abort ();
      cordon_error_release (&err);
      return 0;
    }
  if (profile_to_json (p, &json, &err) < 0)
    cordon_error_release (&err);
  free (json);
  profile_free (p);
  return 0;
}
