/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: a Docker seccomp profile (--security-opt seccomp=FILE)
 * is hostile input.  The first byte picks the capabilities kept, so that
 * includes/excludes take both branches.  */
#include <stdint.h>
#include <stdlib.h>

#include "profiles/seccomp-docker.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct cordon_error err = { 0 };
  struct cordon_seccomp *filter = NULL;
  uint64_t caps = 0;

  if (size == 0)
    return 0;
  if (data[0] & 1)
    caps |= 1ull << 21; /* CAP_SYS_ADMIN */
  if (data[0] & 2)
    caps |= 1ull << 19; /* CAP_SYS_PTRACE */
  if (seccomp_docker_parse ((const char *)data + 1, size - 1, caps, &filter, &err) < 0)
    {
      if (err.msg == NULL)
        abort ();
      cordon_error_release (&err);
      return 0;
    }
  seccomp_spec_free (filter);
  return 0;
}
