/* SPDX-License-Identifier: Apache-2.0 */
#include "image/base64.h"

#include <errno.h>
#include <stdlib.h>

static const char base64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
base64_value (char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

int
base64_decode (const char *in, size_t len, uint8_t **out, size_t *out_len)
{
  size_t pad = 0, n = 0;
  uint8_t *buf;

  if (len % 4 != 0)
    return -EINVAL;
  if (len > 0 && in[len - 1] == '=')
    pad = (len > 1 && in[len - 2] == '=') ? 2 : 1;
  buf = malloc (len / 4 * 3 + 1);
  if (buf == NULL)
    return -ENOMEM;
  for (size_t i = 0; i < len; i += 4)
    {
      int v[4];
      size_t valid = (i + 4 == len) ? 4 - pad : 4;
      uint32_t word = 0;

      for (size_t j = 0; j < 4; j++)
        {
          v[j] = j < valid ? base64_value (in[i + j]) : 0;
          if (v[j] < 0)
            goto bad;
          word = (word << 6) | (uint32_t)v[j];
        }
      /* The bits a padded group leaves over must be zero.  */
      if ((valid == 3 && (v[2] & 3)) || (valid == 2 && (v[1] & 15)))
        goto bad;
      buf[n++] = (uint8_t)(word >> 16);
      if (valid > 2)
        buf[n++] = (uint8_t)(word >> 8);
      if (valid > 3)
        buf[n++] = (uint8_t)word;
    }
  buf[n] = '\0';
  *out = buf;
  *out_len = n;
  return 0;

bad:
  free (buf);
  return -EINVAL;
}

char *
base64_encode (const uint8_t *in, size_t len)
{
  char *out = malloc ((len + 2) / 3 * 4 + 1);
  size_t n = 0;

  if (out == NULL)
    return NULL;
  for (size_t i = 0; i < len; i += 3)
    {
      uint32_t word = (uint32_t)in[i] << 16;
      if (i + 1 < len)
        word |= (uint32_t)in[i + 1] << 8;
      if (i + 2 < len)
        word |= in[i + 2];
      out[n++] = base64_alphabet[(word >> 18) & 63];
      out[n++] = base64_alphabet[(word >> 12) & 63];
      out[n++] = i + 1 < len ? base64_alphabet[(word >> 6) & 63] : '=';
      out[n++] = i + 2 < len ? base64_alphabet[word & 63] : '=';
    }
  out[n] = '\0';
  return out;
}
