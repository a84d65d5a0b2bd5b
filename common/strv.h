/* SPDX-License-Identifier: Apache-2.0 */
/* NULL-terminated vectors of heap strings, as config.json arrays are kept.  */
#ifndef CORDON_COMMON_STRV_H
#define CORDON_COMMON_STRV_H

#include <stdbool.h>
#include <stddef.h>

size_t strv_length (char *const *v);
/* Appends a copy of `s`.  Returns 0 or -ENOMEM.  */
int strv_append (char ***v, const char *s);
/* A deep copy of `v` (NULL for NULL), or NULL with errno ENOMEM.  */
char **strv_copy (char *const *v);
void strv_free (char **v);
/* `s` is one of `v` (NULL is empty).  */
bool strv_contains (char *const *v, const char *s);
/* Removes (and frees) every `s` of `v`, in place.  Returns how many.  */
size_t strv_remove (char **v, const char *s);

#endif
