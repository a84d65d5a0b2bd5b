/* SPDX-License-Identifier: Apache-2.0 */
#include "netpolicy/hosts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"

static void
put_lease (FILE *f, const struct ipam_lease *l)
{
  char ip[NET_ADDR_STRLEN];

  if (l->names == NULL || l->names[0] == NULL)
    return;
  net_format_ipv4 (l->ip, ip);
  fputs (ip, f);
  for (char **p = l->names; *p; p++)
    fprintf (f, "\t%s", *p);
  fputc ('\n', f);
}

int
hosts_render (const struct network_config *cfg, const struct ipam_table *t, const struct ipam_lease *self, char **out,
              size_t *len, struct cordon_error *err)
{
  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream (&buf, &size);

  if (f == NULL)
    return cordon_error_set (err, errno, "open_memstream");
  fputs ("# Written by cordon for this sandbox; changes are lost.\n"
         "127.0.0.1\tlocalhost\n"
         "::1\tlocalhost ip6-localhost ip6-loopback\n",
         f);
  put_lease (f, self);
  /* The default network has no names between sandboxes, as in Docker.  */
  if (cfg->names)
    for (size_t i = 0; i < t->n; i++)
      if (&t->leases[i] != self && strcmp (t->leases[i].id, self->id) != 0)
        put_lease (f, &t->leases[i]);
  for (char **p = self->hosts; p && *p; p++)
    {
      const char *colon = strrchr (*p, ':');
      fprintf (f, "%s\t%.*s\n", colon + 1, (int)(colon - *p), *p);
    }
  if (fclose (f) != 0)
    {
      free (buf);
      return cordon_error_set (err, ENOMEM, "hosts");
    }
  *out = buf;
  *len = size;
  return 0;
}

static int
write_in_place (int dfd, const char *name, const char *text, size_t len)
{
  cleanup_close int fd = openat (dfd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  size_t off = 0;

  if (fd < 0)
    return -errno;
  /* Write, then cut: a reader sees the old text, the new, or the new with
   * the old's tail; never an empty file.  */
  while (off < len)
    {
      ssize_t n = pwrite (fd, text + off, len - off, (off_t)off);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return n < 0 ? -errno : -EIO;
      off += (size_t)n;
    }
  if (ftruncate (fd, (off_t)len) < 0)
    return -errno;
  return 0;
}

int
hosts_update (int netdfd, const struct network_config *cfg, const struct ipam_table *t, struct cordon_error *err)
{
  cleanup_close int dfd = openat (netdfd, "hosts.d", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

  if (dfd < 0)
    return cordon_error_set (err, errno, "network %s: hosts.d", cfg->name);
  for (size_t i = 0; i < t->n; i++)
    {
      cleanup_free char *text = NULL;
      size_t len;
      int r = hosts_render (cfg, t, &t->leases[i], &text, &len, err);
      if (r < 0)
        return r;
      r = write_in_place (dfd, t->leases[i].id, text, len);
      if (r < 0)
        return cordon_error_set (err, -r, "network %s: hosts.d/%.12s", cfg->name, t->leases[i].id);
    }
  return 0;
}

void
hosts_remove (int netdfd, const char *id)
{
  cleanup_close int dfd = openat (netdfd, "hosts.d", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

  if (dfd >= 0)
    unlinkat (dfd, id, 0);
}
