/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the rootless network holder's record
 * (networks/.holder), read back by every command that works on networks;
 * a crash or another process may have left anything there.  What
 * netns_holder_record_parse accepts must format and parse back the same.  */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netpolicy/holder.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct netns_holder h = { 0 }, again = { 0 };
  char text[HOLDER_RECORD_MAX + 1];
  int n;

  if (netns_holder_record_parse ((const char *)data, size, &h) < 0)
    return 0;
  n = netns_holder_record_format (&h, text);
  if (n <= 0 || n > HOLDER_RECORD_MAX || netns_holder_record_parse (text, (size_t)n, &again) < 0)
    abort (); /* what we write, we must read */
  if (again.pid != h.pid || again.start != h.start || again.outside_pid != h.outside_pid
      || strcmp (again.outside, h.outside) != 0)
    abort ();
  return 0;
}
