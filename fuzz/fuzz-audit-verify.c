/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: `cordon audit verify` reads a log that an attacker may
 * have written.  Any bytes must give "intact" or an error naming a line.  */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "audit/audit.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct cordon_error err = { 0 };
  size_t n;
  FILE *f;

  if (size == 0)
    return 0;
  f = fmemopen ((void *)data, size, "r");
  if (f == NULL)
    return 0;
  if (audit_verify_stream (f, "fuzz", &n, &err) < 0 && err.msg == NULL)
    abort ();
  cordon_error_release (&err);
  fclose (f);
  return 0;
}
