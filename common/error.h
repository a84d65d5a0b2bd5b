/* SPDX-License-Identifier: Apache-2.0 */
/* Errors as values, after crun: every fallible function takes a
 * `struct cordon_error *err`, returns 0 (or a non-negative value) on success
 * and a negative errno on failure, and fills `err` with a message that names
 * the thing that failed.  Wrappers add context on the way up; the CLI prints
 * the message once.  */
#ifndef CORDON_COMMON_ERROR_H
#define CORDON_COMMON_ERROR_H

#include <stdarg.h>

struct cordon_error
{
  int status; /* errno value, or 0 when the failure has no errno */
  char *msg;  /* heap-allocated, owned by the error */
};

/* Fills `err` (when no error is set yet) with "fmt: strerror(errnum)" when
 * errnum != 0, or "fmt" alone.  Returns -errnum, or -EINVAL for errnum 0.  */
int cordon_error_set (struct cordon_error *err, int errnum, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* Prefixes the message in `err` with "fmt: ".  Returns -err->status (or
 * -EINVAL).  Used to add context while an error travels up.  */
int cordon_error_wrap (struct cordon_error *err, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* Frees the message and resets `err`.  */
void cordon_error_release (struct cordon_error *err);

/* The return value that matches `err`: -status, or -EINVAL.  */
int cordon_error_code (const struct cordon_error *err);

#define cleanup_error __attribute__ ((cleanup (cordon_error_release)))

#define LIKELY(x) __builtin_expect (!!(x), 1)
#define UNLIKELY(x) __builtin_expect (!!(x), 0)

#endif
