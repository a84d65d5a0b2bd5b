/* SPDX-License-Identifier: Apache-2.0 */
#include "common/strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

size_t
strv_length (char *const *v)
{
  size_t n = 0;

  while (v && v[n])
    n++;
  return n;
}

int
strv_append (char ***v, const char *s)
{
  size_t n = strv_length (*v);
  char *copy = strdup (s);
  char **grown;

  if (copy == NULL)
    return -ENOMEM;
  grown = realloc (*v, (n + 2) * sizeof *grown);
  if (grown == NULL)
    {
      free (copy);
      return -ENOMEM;
    }
  grown[n] = copy;
  grown[n + 1] = NULL;
  *v = grown;
  return 0;
}

char **
strv_copy (char *const *v)
{
  size_t n = strv_length (v);
  char **out;

  if (v == NULL)
    return NULL;
  out = calloc (n + 1, sizeof *out);
  if (out == NULL)
    return NULL;
  for (size_t i = 0; i < n; i++)
    if ((out[i] = strdup (v[i])) == NULL)
      {
        strv_free (out);
        errno = ENOMEM;
        return NULL;
      }
  return out;
}

void
strv_free (char **v)
{
  for (char **p = v; p && *p; p++)
    free (*p);
  free (v);
}

bool
strv_contains (char *const *v, const char *s)
{
  for (char *const *p = v; p && *p; p++)
    if (strcmp (*p, s) == 0)
      return true;
  return false;
}

size_t
strv_remove (char **v, const char *s)
{
  size_t out = 0, gone = 0;

  for (size_t i = 0; v && v[i]; i++)
    if (strcmp (v[i], s) == 0)
      {
        free (v[i]);
        gone++;
      }
    else
      v[out++] = v[i];
  if (v)
    v[out] = NULL;
  return gone;
}
