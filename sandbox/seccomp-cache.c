/* SPDX-License-Identifier: Apache-2.0 */
#include "sandbox/seccomp-cache.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/hex.h"
#include "common/userns.h"

#define CACHE_MAGIC "cordon-bpf-v1\n\0\0"
#define CACHE_MAX_INSNS 4096

struct cache_header
{
  char magic[16];
  uint8_t key[SECCOMP_CACHE_KEY_SIZE];
  uint8_t digest[SHA256_DIGEST_SIZE]; /* of the instructions */
  uint32_t n_insns;
  uint32_t flags;
};

static void
hash_bytes (struct sha256_ctx *h, const void *p, size_t n)
{
  uint64_t len = n;

  /* Length-prefixed, so that ("ab","c") and ("a","bc") differ.  */
  sha256_update (h, sizeof len, (const uint8_t *)&len);
  sha256_update (h, n, p);
}

static void
hash_str (struct sha256_ctx *h, const char *s)
{
  hash_bytes (h, s ? s : "", s ? strlen (s) : 0);
}

static void
hash_u64 (struct sha256_ctx *h, uint64_t v)
{
  sha256_update (h, sizeof v, (const uint8_t *)&v);
}

static void
hash_strv (struct sha256_ctx *h, char **v)
{
  uint64_t n = 0;

  while (v && v[n])
    n++;
  hash_u64 (h, n);
  for (uint64_t i = 0; i < n; i++)
    hash_str (h, v[i]);
}

void
seccomp_cache_key (const struct cordon_seccomp *f, uint8_t key[SECCOMP_CACHE_KEY_SIZE])
{
  const struct scmp_version *v = seccomp_version ();
  struct sha256_ctx h;
  struct utsname u;

  sha256_init (&h);
  hash_str (&h, CACHE_MAGIC);
  hash_u64 (&h, v ? ((uint64_t)v->major << 32) | ((uint64_t)v->minor << 16) | v->micro : 0);
  hash_u64 (&h, seccomp_api_get ());
  if (uname (&u) == 0)
    {
      hash_str (&h, u.release);
      hash_str (&h, u.version);
      hash_str (&h, u.machine);
    }
  hash_u64 (&h, f->default_action);
  hash_u64 (&h, f->has_default_errno_ret);
  hash_u64 (&h, f->default_errno_ret);
  hash_strv (&h, f->architectures);
  hash_strv (&h, f->flags);
  hash_u64 (&h, f->n_rules);
  for (size_t i = 0; i < f->n_rules; i++)
    {
      const struct cordon_seccomp_rule *r = &f->rules[i];
      hash_strv (&h, r->names);
      hash_u64 (&h, r->action);
      hash_u64 (&h, r->has_errno_ret);
      hash_u64 (&h, r->errno_ret);
      hash_u64 (&h, r->n_args);
      for (size_t k = 0; k < r->n_args; k++)
        {
          hash_u64 (&h, r->args[k].index);
          hash_u64 (&h, r->args[k].value);
          hash_u64 (&h, r->args[k].value_two);
          hash_u64 (&h, r->args[k].op);
        }
    }
  sha256_digest (&h, SHA256_DIGEST_SIZE, key);
}

static void
digest_program (const struct sock_filter *insns, size_t n, uint8_t out[SHA256_DIGEST_SIZE])
{
  struct sha256_ctx h;

  sha256_init (&h);
  sha256_update (&h, n * sizeof *insns, (const uint8_t *)insns);
  sha256_digest (&h, SHA256_DIGEST_SIZE, out);
}

/* The cache directory, created 0700 when missing.  NULL when there is none
 * we can trust (then the cache is simply not used).  */
static int
open_cache_dir (const char *dir)
{
  cleanup_free char *path = NULL;
  const char *base;
  struct stat st;
  int fd;

  if (dir == NULL)
    {
      if (userns_host_root ())
        path = strdup ("/var/cache/cordon/seccomp");
      else if ((base = getenv ("XDG_CACHE_HOME")) != NULL && base[0] == '/')
        {
          if (asprintf (&path, "%s/cordon/seccomp", base) < 0)
            path = NULL;
        }
      else if ((base = getenv ("HOME")) != NULL && base[0] == '/')
        {
          if (asprintf (&path, "%s/.cache/cordon/seccomp", base) < 0)
            path = NULL;
        }
      if (path == NULL)
        return -ENOENT;
      dir = path;
    }
  fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno == ENOENT)
    {
      /* mkdir -p, each level private to us.  */
      cleanup_free char *copy = strdup (dir);
      for (char *p = copy ? copy + 1 : NULL; p && *p; p++)
        if (*p == '/')
          {
            *p = '\0';
            mkdir (copy, 0700);
            *p = '/';
          }
      if (mkdir (dir, 0700) < 0 && errno != EEXIST)
        return -errno;
      fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    }
  if (fd < 0)
    return -errno;
  if (fstat (fd, &st) < 0 || st.st_uid != geteuid () || (st.st_mode & 022))
    {
      close (fd);
      return -EPERM;
    }
  return fd;
}

static void
key_name (const uint8_t key[SECCOMP_CACHE_KEY_SIZE], char name[2 * SECCOMP_CACHE_KEY_SIZE + 5])
{
  hex_encode (key, SECCOMP_CACHE_KEY_SIZE, name);
  memcpy (name + 2 * SECCOMP_CACHE_KEY_SIZE, ".bpf", 5);
}

static bool
cache_read (int dirfd, const char *name, const uint8_t *key, struct cordon_bpf *out)
{
  cleanup_close int fd = openat (dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  struct cache_header hdr;
  uint8_t digest[SHA256_DIGEST_SIZE];
  struct sock_filter *insns;
  struct stat st;
  size_t bytes;

  if (fd < 0 || fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_uid != geteuid () || (st.st_mode & 022))
    return false;
  if (read (fd, &hdr, sizeof hdr) != (ssize_t)sizeof hdr || memcmp (hdr.magic, CACHE_MAGIC, sizeof hdr.magic) != 0
      || memcmp (hdr.key, key, SECCOMP_CACHE_KEY_SIZE) != 0 || hdr.n_insns == 0 || hdr.n_insns > CACHE_MAX_INSNS)
    return false;
  bytes = hdr.n_insns * sizeof *insns;
  if ((uint64_t)st.st_size != sizeof hdr + bytes)
    return false;
  insns = malloc (bytes);
  if (insns == NULL)
    return false;
  if (read (fd, insns, bytes) != (ssize_t)bytes)
    {
      free (insns);
      return false;
    }
  digest_program (insns, hdr.n_insns, digest);
  if (memcmp (digest, hdr.digest, sizeof digest) != 0)
    {
      free (insns);
      return false;
    }
  out->insns = insns;
  out->n_insns = hdr.n_insns;
  out->flags = hdr.flags;
  return true;
}

/* Best effort: a failure to write leaves the next run to compile again.  */
static void
cache_write (int dirfd, const char *name, const uint8_t *key, const struct cordon_bpf *bpf)
{
  struct cache_header hdr = { .n_insns = (uint32_t)bpf->n_insns, .flags = bpf->flags };
  char tmp[128];
  size_t bytes = bpf->n_insns * sizeof *bpf->insns;
  int fd;

  if (bpf->n_insns == 0 || bpf->n_insns > CACHE_MAX_INSNS)
    return;
  memcpy (hdr.magic, CACHE_MAGIC, sizeof hdr.magic);
  memcpy (hdr.key, key, SECCOMP_CACHE_KEY_SIZE);
  digest_program (bpf->insns, bpf->n_insns, hdr.digest);
  snprintf (tmp, sizeof tmp, ".%s.%d", name, (int)getpid ());
  fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return;
  if (write (fd, &hdr, sizeof hdr) != (ssize_t)sizeof hdr || write (fd, bpf->insns, bytes) != (ssize_t)bytes
      || close (fd) < 0 || renameat (dirfd, tmp, dirfd, name) < 0)
    unlinkat (dirfd, tmp, 0);
}

int
seccomp_filter_compile_cached (const struct cordon_seccomp *filter, const char *dir, struct cordon_bpf *out, bool *hit,
                               struct cordon_error *err)
{
  uint8_t key[SECCOMP_CACHE_KEY_SIZE];
  char name[2 * SECCOMP_CACHE_KEY_SIZE + 5];
  cleanup_close int dirfd = open_cache_dir (dir);
  int r;

  *hit = false;
  seccomp_cache_key (filter, key);
  key_name (key, name);
  if (dirfd >= 0 && cache_read (dirfd, name, key, out))
    {
      *hit = true;
      return 0;
    }
  r = seccomp_filter_compile (filter, out, err);
  if (r < 0)
    return r;
  if (dirfd >= 0)
    cache_write (dirfd, name, key, out);
  return 0;
}
