/* SPDX-License-Identifier: Apache-2.0 */
#include "sandbox/passwd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/safe-path.h"

#define PASSWD_MAX_BYTES (1u << 20)

/* Opens a regular file of the root for reading, bounded (a FIFO or a huge
 * file planted in the root must not hang or exhaust us).  */
static FILE *
open_root_file (int rootfd, const char *path, int *error)
{
  int fd = safe_openat_in_root (rootfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
  struct stat st;
  FILE *f;

  if (fd < 0)
    {
      *error = fd;
      return NULL;
    }
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_size > PASSWD_MAX_BYTES)
    {
      close (fd);
      *error = -EINVAL;
      return NULL;
    }
  f = fdopen (fd, "r");
  if (f == NULL)
    {
      *error = -errno;
      close (fd);
    }
  return f;
}

static bool
parse_u32 (const char *s, uint32_t *out)
{
  char *end;
  unsigned long long v;

  if (*s < '0' || *s > '9')
    return false;
  errno = 0;
  v = strtoull (s, &end, 10);
  if (errno || *end || v >= UINT32_MAX)
    return false;
  *out = (uint32_t)v;
  return true;
}

/* Splits a colon-separated line in place into at most `max` fields.  */
static size_t
split_fields (char *line, char **fields, size_t max)
{
  size_t n = 0;

  line[strcspn (line, "\n")] = '\0';
  while (n < max)
    {
      fields[n++] = line;
      line = strchr (line, ':');
      if (line == NULL)
        break;
      *line++ = '\0';
    }
  return n;
}

static int
passwd_find (int rootfd, const char *name, const uint32_t *uid, struct passwd_entry *out)
{
  int error = -ENOENT;
  cleanup_file FILE *f = open_root_file (rootfd, "/etc/passwd", &error);
  cleanup_free char *line = NULL;
  size_t cap = 0;

  if (f == NULL)
    return error;
  while (getline (&line, &cap, f) > 0)
    {
      char *fields[7];
      uint32_t u, g;

      if (split_fields (line, fields, 7) < 7 || !parse_u32 (fields[2], &u) || !parse_u32 (fields[3], &g))
        continue;
      if ((name && strcmp (fields[0], name) == 0) || (uid && *uid == u))
        {
          out->uid = u;
          out->gid = g;
          out->home = strdup (fields[5][0] ? fields[5] : "/");
          return out->home ? 0 : -ENOMEM;
        }
    }
  return -ENOENT;
}

int
passwd_lookup_uid (int rootfd, uint32_t uid, struct passwd_entry *out)
{
  return passwd_find (rootfd, NULL, &uid, out);
}

int
passwd_lookup_user (int rootfd, const char *user, struct passwd_entry *out)
{
  uint32_t uid;

  if (parse_u32 (user, &uid))
    return passwd_find (rootfd, NULL, &uid, out);
  return passwd_find (rootfd, user, NULL, out);
}

int
passwd_lookup_group (int rootfd, const char *group, uint32_t *gid)
{
  int error = -ENOENT;
  cleanup_file FILE *f = NULL;
  cleanup_free char *line = NULL;
  size_t cap = 0;

  if (parse_u32 (group, gid))
    return 0;
  f = open_root_file (rootfd, "/etc/group", &error);
  if (f == NULL)
    return error;
  while (getline (&line, &cap, f) > 0)
    {
      char *fields[4];
      if (split_fields (line, fields, 4) >= 3 && strcmp (fields[0], group) == 0 && parse_u32 (fields[2], gid))
        return 0;
    }
  return -ENOENT;
}
