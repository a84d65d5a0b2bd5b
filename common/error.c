/* SPDX-License-Identifier: Apache-2.0 */
#include "common/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *
format_message (int errnum, const char *fmt, va_list ap)
{
  char *base = NULL;
  char *msg = NULL;

  if (vasprintf (&base, fmt, ap) < 0)
    return NULL;
  if (errnum == 0)
    return base;
  if (asprintf (&msg, "%s: %s", base, strerror (errnum)) < 0)
    msg = NULL;
  free (base);
  return msg;
}

int
cordon_error_set (struct cordon_error *err, int errnum, const char *fmt, ...)
{
  va_list ap;

  if (errnum < 0)
    errnum = -errnum;
  /* The first error is the interesting one: later ones are consequences.  */
  if (err != NULL && err->msg == NULL)
    {
      va_start (ap, fmt);
      err->msg = format_message (errnum, fmt, ap);
      va_end (ap);
      err->status = errnum;
    }
  return errnum ? -errnum : -EINVAL;
}

int
cordon_error_wrap (struct cordon_error *err, const char *fmt, ...)
{
  va_list ap;
  char *prefix = NULL;
  char *msg = NULL;
  int r;

  if (err == NULL)
    return -EINVAL;
  va_start (ap, fmt);
  r = vasprintf (&prefix, fmt, ap);
  va_end (ap);
  if (r >= 0 && asprintf (&msg, "%s: %s", prefix, err->msg ? err->msg : "unknown error") >= 0)
    {
      free (err->msg);
      err->msg = msg;
    }
  free (prefix);
  return cordon_error_code (err);
}

void
cordon_error_release (struct cordon_error *err)
{
  if (err == NULL)
    return;
  free (err->msg);
  err->msg = NULL;
  err->status = 0;
}

int
cordon_error_code (const struct cordon_error *err)
{
  if (err == NULL || err->status == 0)
    return -EINVAL;
  return -err->status;
}
