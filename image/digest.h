/* SPDX-License-Identifier: Apache-2.0 */
/* Content digests ("sha256:<64 lower-case hex>"), validated with the
 * image-spec grammar before one is ever used as a file name
 * ("sha256:../../x" must never reach openat).  */
#ifndef CORDON_IMAGE_DIGEST_H
#define CORDON_IMAGE_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define DIGEST_SHA256_LEN 71 /* "sha256:" + 64 */

/* True for sha256:[a-f0-9]{64}; sha512 and other algorithms are refused.  */
bool digest_is_valid (const char *digest);
/* The hex part of a valid digest.  */
const char *digest_hex (const char *digest);
/* out = "sha256:" + hex(SHA-256(buf)) */
void digest_of_buffer (const void *buf, size_t len, char out[DIGEST_SHA256_LEN + 1]);

#endif
