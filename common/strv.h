/* SPDX-License-Identifier: Apache-2.0 */
/* NULL-terminated vectors of heap strings, as config.json arrays are kept.  */
#ifndef CORDON_COMMON_STRV_H
#define CORDON_COMMON_STRV_H

#include <stddef.h>

size_t strv_length (char *const *v);
/* Appends a copy of `s`.  Returns 0 or -ENOMEM.  */
int strv_append (char ***v, const char *s);
/* A deep copy of `v` (NULL for NULL), or NULL with errno ENOMEM.  */
char **strv_copy (char *const *v);
void strv_free (char **v);

#endif
