/* SPDX-License-Identifier: Apache-2.0 */
/* Where container ids map: the /etc/subuid rules shared by `cordon check`,
 * the runner and bench/floor.  Kept apart from the probes so that a small
 * program can link it alone.  */
#include "sandbox/host-probe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"

/* A decimal uint32 and nothing else: no sign, no spaces, no overflow.  */
static bool
parse_u32 (const char *s, uint32_t *out)
{
  uint64_t v = 0;

  if (*s == '\0')
    return false;
  for (; *s; s++)
    {
      if (*s < '0' || *s > '9')
        return false;
      v = v * 10 + (uint64_t)(*s - '0');
      if (v > UINT32_MAX)
        return false;
    }
  *out = (uint32_t)v;
  return true;
}

int
host_subid_range (const char *file, uid_t uid, const char *user, uint32_t *start, uint32_t *size)
{
  cleanup_file FILE *f = NULL;
  cleanup_free char *line = NULL;
  size_t cap = 0;
  char uid_str[16];

  f = fopen (file, "re");
  if (f == NULL)
    return -errno;
  snprintf (uid_str, sizeof uid_str, "%u", (unsigned)uid);
  while (getline (&line, &cap, f) >= 0)
    {
      char *name = line, *first, *count;
      uint32_t s, n;

      line[strcspn (line, "\r\n")] = '\0';
      if (line[0] == '\0' || line[0] == '#')
        continue;
      first = strchr (name, ':');
      if (first == NULL)
        continue;
      *first++ = '\0';
      count = strchr (first, ':');
      if (count == NULL)
        continue;
      *count++ = '\0';
      if (!(user != NULL && strcmp (name, user) == 0) && strcmp (name, uid_str) != 0)
        continue;
      /* Malformed or past 2^32: skip it, as shadow's tools do.  */
      if (!parse_u32 (first, &s) || !parse_u32 (count, &n) || n == 0 || (uint64_t)s + n > (uint64_t)UINT32_MAX + 1)
        continue;
      *start = s;
      *size = n;
      return 0;
    }
  if (ferror (f))
    return -EIO;
  return -ENOENT;
}

int
host_idmap_root_range_from (const char *file, uint32_t *start, uint32_t *size)
{
  uint32_t s, n;
  int r;

  r = host_subid_range (file, 0, "root", &s, &n);
  if (r == -ENOENT)
    {
      *start = HOST_IDMAP_DEFAULT_START;
      *size = HOST_IDMAP_DEFAULT_SIZE;
      return 0;
    }
  if (r < 0)
    return r;
  *start = s;
  *size = n < HOST_IDMAP_DEFAULT_SIZE ? n : HOST_IDMAP_DEFAULT_SIZE;
  return 1;
}

int
host_idmap_root_range (uint32_t *start, uint32_t *size)
{
  return host_idmap_root_range_from ("/etc/subuid", start, size);
}

int
host_idmap_describe (const struct host_idmap *idmap, char *buf, size_t len)
{
  uint32_t last = idmap->sub_start + (idmap->sub_size ? idmap->sub_size - 1 : 0);

  switch (idmap->mode)
    {
    case HOST_IDMAP_SUBORDINATE:
      return snprintf (buf, len, "container root = uid %u, with subordinate ids %u-%u", (unsigned)idmap->host_uid,
                       idmap->sub_start, last);
    case HOST_IDMAP_ROOT_RANGE:
      return snprintf (buf, len, "container ids 0-%u map to host ids %u-%u (%s)", idmap->sub_size - 1, idmap->sub_start,
                       last, idmap->from_subuid ? "root's /etc/subuid entry" : "default range");
    case HOST_IDMAP_SINGLE:
    default:
      return snprintf (buf, len, "container root = uid %u (single mapping)", (unsigned)idmap->host_uid);
    }
}
