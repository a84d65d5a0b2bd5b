/* SPDX-License-Identifier: Apache-2.0 */
#include "image/digest.h"

#include <nettle/sha2.h>
#include <string.h>

#include "common/hex.h"

bool
digest_is_valid (const char *digest)
{
  if (digest == NULL || strncmp (digest, "sha256:", 7) != 0)
    return false;
  for (size_t i = 7; i < DIGEST_SHA256_LEN; i++)
    {
      char c = digest[i];
      /* Lower-case only: the image-spec forbids "A-F" for sha256, and two
       * spellings of one digest would be two store entries.  */
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
        return false;
    }
  return digest[DIGEST_SHA256_LEN] == '\0';
}

const char *
digest_hex (const char *digest)
{
  return digest + 7;
}

void
digest_of_buffer (const void *buf, size_t len, char out[DIGEST_SHA256_LEN + 1])
{
  struct sha256_ctx ctx;
  uint8_t sum[SHA256_DIGEST_SIZE];

  sha256_init (&ctx);
  sha256_update (&ctx, len, buf);
  sha256_digest (&ctx, sizeof sum, sum);
  memcpy (out, "sha256:", 7);
  hex_encode (sum, sizeof sum, out + 7);
}
