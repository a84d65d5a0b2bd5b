/* SPDX-License-Identifier: Apache-2.0 */
/* Standard base64 (RFC 4648 §4) for signatures and policy keyData.  The
 * decoder is strict: no whitespace, padding exactly where it belongs, zero
 * trailing bits, so one blob has exactly one spelling.  */
#ifndef CORDON_IMAGE_BASE64_H
#define CORDON_IMAGE_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Decodes `len` characters into a new buffer (NUL-terminated for
 * convenience, `*out_len` excludes the NUL).  -EINVAL for anything but
 * canonical padded base64, -ENOMEM.  */
int base64_decode (const char *in, size_t len, uint8_t **out, size_t *out_len);
/* A new NUL-terminated padded base64 string, or NULL (ENOMEM).  */
char *base64_encode (const uint8_t *in, size_t len);

#endif
