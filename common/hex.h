/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CORDON_COMMON_HEX_H
#define CORDON_COMMON_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Lower-case hex of `n` bytes into `out` (2n characters and a NUL).  */
void hex_encode (const uint8_t *in, size_t n, char *out);

#endif
