/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: image references come from the command line, from
 * archive annotations and from signature payloads.  What parses must
 * normalise to a fixed point: parsing the normalised string gives it back.  */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/reference.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_fixed_point (const char *s)
{
  struct cordon_error err = { 0 };
  struct image_reference ref;
  char *again;

  if (s == NULL)
    abort ();
  if (image_reference_parse (s, &ref, &err) < 0)
    abort ();
  again = image_reference_string (&ref);
  if (again == NULL || strcmp (again, s) != 0)
    abort ();
  free (again);
  image_reference_release (&ref);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct cordon_error err = { 0 };
  struct image_reference ref;
  char *text, *full, *familiar;

  if (size > 1024)
    return 0;
  text = strndup ((const char *)data, size);
  if (text == NULL)
    return 0;
  if (image_reference_parse (text, &ref, &err) < 0)
    {
      if (err.msg == NULL)
        abort ();
      cordon_error_release (&err);
      free (text);
      return 0;
    }
  if (ref.tag == NULL && ref.digest == NULL)
    abort ();
  full = image_reference_string (&ref);
  familiar = image_reference_familiar (&ref);
  image_reference_release (&ref);
  check_fixed_point (full);
  /* the familiar form names the same image */
  if (familiar == NULL || image_reference_parse (familiar, &ref, &err) < 0)
    abort ();
  char *full2 = image_reference_string (&ref);
  if (full2 == NULL || strcmp (full2, full) != 0)
    abort ();
  free (full2);
  image_reference_release (&ref);
  free (full);
  free (familiar);
  free (text);
  return 0;
}
