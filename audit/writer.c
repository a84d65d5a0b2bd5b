/* SPDX-License-Identifier: Apache-2.0 */
#include "audit/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <nettle/hmac.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "common/cleanup.h"
#include "common/hex.h"
#include "common/json.h"
#include "common/userns.h"

struct audit_log
{
  int fd;
  char *path;
  char host[256];
  uid_t uid; /* the host's uid of the user, taken at open (see userns_outer_uid) */
  struct audit_options opts;
  uint8_t key[AUDIT_KEY_MAX];
};

void
audit_log_configure (struct audit_log *log, const struct audit_options *opts)
{
  log->opts = *opts;
  if (log->opts.rotate_size == 0)
    log->opts.rotate_size = AUDIT_DEFAULT_ROTATE_SIZE;
  if (opts->key && opts->key_len <= AUDIT_KEY_MAX)
    {
      memcpy (log->key, opts->key, opts->key_len);
      log->opts.key = log->key;
    }
  else
    log->opts.key = NULL;
  if (log->opts.syslog)
    openlog ("cordon", LOG_PID, LOG_AUTHPRIV);
}

int
audit_read_key (const char *path, uint8_t *key, size_t *len, struct cordon_error *err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  ssize_t n;

  if (fd < 0)
    return cordon_error_set (err, errno, "--audit-key `%s`", path);
  n = read (fd, key, AUDIT_KEY_MAX);
  if (n <= 0)
    return cordon_error_set (err, n < 0 ? errno : EINVAL, "--audit-key `%s`: empty or unreadable", path);
  *len = (size_t)n;
  return 0;
}

void
audit_checkpoint_mac (const uint8_t *key, size_t key_len, const char *chain_hex, char out[AUDIT_HASH_HEX + 1])
{
  struct hmac_sha256_ctx h;
  uint8_t mac[SHA256_DIGEST_SIZE];

  hmac_sha256_set_key (&h, key_len, key);
  hmac_sha256_update (&h, strlen (chain_hex), (const uint8_t *)chain_hex);
  hmac_sha256_digest (&h, sizeof mac, mac);
  hex_encode (mac, sizeof mac, out);
}

void
audit_hash_hex (const void *data, size_t len, char out[AUDIT_HASH_HEX + 1])
{
  uint8_t digest[SHA256_DIGEST_SIZE];
  struct sha256_ctx h;

  sha256_init (&h);
  sha256_update (&h, len, data);
  sha256_digest (&h, sizeof digest, digest);
  hex_encode (digest, sizeof digest, out);
}

int
audit_new_id (char out[AUDIT_HASH_HEX + 1])
{
  uint8_t raw[32];

  if (getrandom (raw, sizeof raw, 0) != (ssize_t)sizeof raw)
    return -EIO;
  audit_hash_hex (raw, sizeof raw, out);
  return 0;
}

char *
audit_default_path (void)
{
  const char *base;
  char *path = NULL;

  if (geteuid () == 0)
    return strdup ("/var/log/cordon/audit.log");
  if ((base = getenv ("XDG_STATE_HOME")) != NULL && base[0] == '/')
    return asprintf (&path, "%s/cordon/audit.log", base) < 0 ? NULL : path;
  if ((base = getenv ("HOME")) != NULL && base[0] == '/')
    return asprintf (&path, "%s/.local/state/cordon/audit.log", base) < 0 ? NULL : path;
  return NULL;
}

static int
mkdir_parents (const char *path)
{
  cleanup_free char *copy = strdup (path);

  if (copy == NULL)
    return -ENOMEM;
  for (char *p = copy + 1; *p; p++)
    if (*p == '/')
      {
        *p = '\0';
        if (mkdir (copy, 0700) < 0 && errno != EEXIST)
          return -errno;
        *p = '/';
      }
  return 0;
}

int
audit_log_open (const char *path, struct audit_log **out, struct cordon_error *err)
{
  struct audit_log *log;
  int r;

  r = mkdir_parents (path);
  if (r < 0)
    return cordon_error_set (err, -r, "audit log `%s`", path);
  log = calloc (1, sizeof *log);
  if (log == NULL)
    return cordon_error_set (err, ENOMEM, "audit log");
  /* O_APPEND: every write lands at the end, whoever else appends.  The fd is
   * close-on-exec and never passed to a sandbox.  */
  log->fd = open (path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (log->fd < 0)
    {
      r = cordon_error_set (err, errno, "audit log `%s`", path);
      free (log);
      return r;
    }
  log->path = strdup (path);
  log->opts.rotate_size = AUDIT_DEFAULT_ROTATE_SIZE;
  if (gethostname (log->host, sizeof log->host) < 0)
    strcpy (log->host, "unknown");
  log->host[sizeof log->host - 1] = '\0';
  /* A monitor may append after joining a user namespace (the network
   * holder's), where it is uid 0: the record names the user as the host
   * knows them.  */
  log->uid = userns_outer_uid (getuid ());
  *out = log;
  return 0;
}

void
audit_log_close (struct audit_log *log)
{
  if (log == NULL)
    return;
  close (log->fd);
  free (log->path);
  free (log);
}

/* The tail of the file: the last complete line's seq and hash, and whether
 * a torn line (no final newline) follows it.  */
struct log_tail
{
  uint64_t seq; /* of the last complete record; 0 when none */
  char hash[AUDIT_HASH_HEX + 1];
  off_t size;
  off_t torn_from; /* start of a torn last line, or -1 */
};

static int read_tail_window (int fd, struct log_tail *t, off_t window);

/* Most records are short: look at the last 8 KiB first, and at two
 * maximal records only when the last line is longer than that.  */
static int
read_tail (int fd, struct log_tail *t)
{
  int r = read_tail_window (fd, t, 8192);

  if (r == -EAGAIN)
    r = read_tail_window (fd, t, 2 * AUDIT_MAX_LINE);
  return r;
}

static int
read_tail_window (int fd, struct log_tail *t, off_t window)
{
  cleanup_free char *buf = NULL;
  struct stat st;
  off_t start;
  ssize_t n;
  char *end, *line;

  memset (t->hash, '0', AUDIT_HASH_HEX);
  t->hash[AUDIT_HASH_HEX] = '\0';
  t->seq = 0;
  t->torn_from = -1;
  if (fstat (fd, &st) < 0)
    return -errno;
  t->size = st.st_size;
  if (st.st_size == 0)
    return 0;
  start = st.st_size > window ? st.st_size - window : 0;
  buf = malloc ((size_t)(st.st_size - start) + 1);
  if (buf == NULL)
    return -ENOMEM;
  n = pread (fd, buf, (size_t)(st.st_size - start), start);
  if (n < 0)
    return -errno;
  buf[n] = '\0';
  end = buf + n;
  if (n > 0 && end[-1] != '\n')
    {
      char *nl = memrchr (buf, '\n', (size_t)n);
      if (nl == NULL && start > 0)
        return -EAGAIN;
      t->torn_from = nl ? start + (nl - buf) + 1 : start;
      end = nl ? nl + 1 : buf;
    }
  if (end == buf)
    return 0;
  /* The last complete line: between the newline before it and its own.  */
  end--;
  *end = '\0';
  line = memrchr (buf, '\n', (size_t)(end - buf));
  if (line == NULL && start > 0)
    return -EAGAIN; /* the window began inside the last line */
  line = line ? line + 1 : buf;
  audit_hash_hex (line, strlen (line), t->hash);
  {
    const char *s = strstr (line, "\"seq\":");
    t->seq = s ? strtoull (s + 6, NULL, 10) : 0;
  }
  return 0;
}

static void
gen_str (yajl_gen g, const char *s)
{
  yajl_gen_string (g, (const unsigned char *)s, strlen (s));
}

static void
gen_kv (yajl_gen g, const char *k, const char *v)
{
  if (v == NULL)
    return;
  gen_str (g, k);
  gen_str (g, v);
}

/* Builds the line for `ev` as record `seq` after `prev` (no newline).  */
static int
format_record (const struct audit_log *log, const struct audit_event *ev, uint64_t seq, const char *prev, char **out,
               size_t *len)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  struct timespec rt, mono;
  struct tm tm;
  char when[64];
  const unsigned char *buf;
  size_t n;

  if (g == NULL)
    return -ENOMEM;
  clock_gettime (CLOCK_REALTIME, &rt);
  clock_gettime (CLOCK_MONOTONIC, &mono);
  gmtime_r (&rt.tv_sec, &tm);
  snprintf (when, sizeof when, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
            tm.tm_hour, tm.tm_min, tm.tm_sec, rt.tv_nsec);
  yajl_gen_map_open (g);
  gen_str (g, "v");
  yajl_gen_integer (g, AUDIT_SCHEMA_VERSION);
  gen_str (g, "seq");
  yajl_gen_integer (g, (long long)seq);
  gen_kv (g, "time", when);
  gen_str (g, "mono");
  yajl_gen_integer (g, (long long)mono.tv_sec * 1000000000LL + mono.tv_nsec);
  gen_kv (g, "host", log->host);
  gen_kv (g, "event", ev->event);
  gen_kv (g, "sandbox", ev->sandbox);
  gen_str (g, "uid");
  yajl_gen_integer (g, (long long)log->uid);
  gen_kv (g, "image", ev->image);
  gen_kv (g, "profile", ev->profile);
  if (ev->argv)
    {
      gen_str (g, "argv");
      yajl_gen_array_open (g);
      for (char *const *a = ev->argv; *a; a++)
        gen_str (g, *a);
      yajl_gen_array_close (g);
    }
  yajl_gen_map_close (g);
  if (yajl_gen_get_buf (g, &buf, &n) != yajl_gen_status_ok)
    {
      yajl_gen_free (g);
      return -EINVAL;
    }
  /* data and prev are spliced in as text: data is already JSON, prev last so
   * that a reader finds it at a fixed place.  */
  n--; /* drop the closing brace */
  if (asprintf (out, "%.*s%s%s,\"prev\":\"%s\"}", (int)n, (const char *)buf, ev->data_json ? ",\"data\":" : "",
                ev->data_json ? ev->data_json : "", prev)
      < 0)
    {
      yajl_gen_free (g);
      return -ENOMEM;
    }
  yajl_gen_free (g);
  *len = strlen (*out);
  return *len + 1 > AUDIT_MAX_LINE ? -E2BIG : 0;
}

static int
write_line (int fd, const char *line, size_t len)
{
  cleanup_free char *withnl = malloc (len + 1);
  ssize_t w;

  if (withnl == NULL)
    return -ENOMEM;
  memcpy (withnl, line, len);
  withnl[len] = '\n';
  /* One write of the whole line: under the lock and O_APPEND, records from
   * concurrent writers never interleave.  */
  w = write (fd, withnl, len + 1);
  if (w < 0)
    return -errno;
  return w == (ssize_t)(len + 1) ? 0 : -EIO;
}

/* Appends one formatted record after `t` and advances it.  */
static int
put_record (struct audit_log *log, const struct audit_event *ev, struct log_tail *t)
{
  cleanup_free char *line = NULL;
  size_t len;
  int r;

  r = format_record (log, ev, t->seq + 1, t->hash, &line, &len);
  if (r >= 0)
    r = write_line (log->fd, line, len);
  if (r < 0)
    return r;
  if (log->opts.syslog)
    syslog (LOG_INFO, "%s", line);
  audit_hash_hex (line, len, t->hash);
  t->seq++;
  return 0;
}

static bool
fd_is_current (const struct audit_log *log)
{
  struct stat a, b;

  return fstat (log->fd, &a) == 0 && stat (log->path, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static int
append_locked (struct audit_log *log, const struct audit_event *evs, size_t n, struct cordon_error *err)
{
  struct log_tail t;
  int r;

  r = read_tail (log->fd, &t);
  if (r < 0)
    return cordon_error_set (err, -r, "audit log `%s`: read", log->path);
  if (t.torn_from >= 0)
    {
      /* A write cut short (power loss, kill -9): end the torn line and seal
       * it with a record naming it; nothing before it is lost.  */
      char data[128];
      struct audit_event recovery = { .event = "recovery", .data_json = data };

      snprintf (data, sizeof data, "{\"torn_from\":%lld,\"torn_to\":%lld}", (long long)t.torn_from, (long long)t.size);
      if (write (log->fd, "\n", 1) != 1)
        return cordon_error_set (err, errno, "audit log `%s`: seal a torn line", log->path);
      r = put_record (log, &recovery, &t);
      if (r < 0)
        return cordon_error_set (err, -r, "audit log `%s`: recovery record", log->path);
    }
  for (size_t i = 0; i < n; i++)
    {
      const struct audit_event *ev = &evs[i];
      r = put_record (log, ev, &t);
      if (r < 0)
        return cordon_error_set (err, -r, "audit log `%s`: append", log->path);
      if (log->opts.key && ev->event && strcmp (ev->event, "exit") == 0)
        {
          /* A checkpoint an attacker without the key cannot recompute.  */
          char mac[AUDIT_HASH_HEX + 1], data[128];
          struct audit_event cp = { .event = "checkpoint", .data_json = data };
          audit_checkpoint_mac (log->opts.key, log->opts.key_len, t.hash, mac);
          snprintf (data, sizeof data, "{\"mac\":\"%s\"}", mac);
          r = put_record (log, &cp, &t);
          if (r < 0)
            return cordon_error_set (err, -r, "audit log `%s`: checkpoint", log->path);
        }
    }
  return 0;
}

/* Starts a new file when the current one passed the size limit, with the
 * lock on the old one held.  `path` never disappears: the new file is
 * written (its first record, `rotate`, carries the chain) under a temporary
 * name, the old one is linked as PATH.1, then the new one renamed over PATH.
 * Writers waiting on the old file's lock then see it is no longer PATH and
 * reopen.  */
static int
maybe_rotate (struct audit_log *log, struct cordon_error *err)
{
  struct log_tail t;
  char from[4096], to[4096], tmp[4096], data[512];
  struct audit_event ev = { .event = "rotate", .data_json = data };
  const char *base = strrchr (log->path, '/') ? strrchr (log->path, '/') + 1 : log->path;
  int n = 1, fd, old, r;

  r = read_tail (log->fd, &t);
  if (r < 0)
    return cordon_error_set (err, -r, "audit log `%s`: read", log->path);
  if ((uint64_t)t.size < log->opts.rotate_size || t.torn_from >= 0)
    return 0;
  while (n < 100000)
    {
      snprintf (from, sizeof from, "%s.%d", log->path, n);
      if (access (from, F_OK) < 0)
        break;
      n++;
    }
  for (; n > 1; n--)
    {
      snprintf (from, sizeof from, "%s.%d", log->path, n - 1);
      snprintf (to, sizeof to, "%s.%d", log->path, n);
      if (rename (from, to) < 0)
        return cordon_error_set (err, errno, "audit log: rotate `%s`", from);
    }
  snprintf (tmp, sizeof tmp, "%s.new.%d", log->path, (int)getpid ());
  fd = open (tmp, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return cordon_error_set (err, errno, "audit log `%s`", tmp);
  snprintf (data, sizeof data, "{\"previous\":\"%s.1\",\"last_seq\":%llu}", base, (unsigned long long)t.seq);
  old = log->fd;
  log->fd = fd;
  r = put_record (log, &ev, &t);
  snprintf (to, sizeof to, "%s.1", log->path);
  if (r >= 0 && (fdatasync (fd) < 0 || link (log->path, to) < 0 || rename (tmp, log->path) < 0))
    r = -errno;
  if (r < 0)
    {
      unlink (tmp);
      close (fd);
      log->fd = old;
      return cordon_error_set (err, -r, "audit log `%s`: rotate", log->path);
    }
  flock (old, LOCK_UN);
  close (old);
  if (flock (log->fd, LOCK_EX) < 0)
    return cordon_error_set (err, errno, "audit log `%s`: lock", log->path);
  return 0;
}

int
audit_log_append (struct audit_log *log, const struct audit_event *ev, bool durable, struct cordon_error *err)
{
  return audit_log_append_many (log, ev, 1, durable, err);
}

int
audit_log_append_many (struct audit_log *log, const struct audit_event *evs, size_t n, bool durable,
                       struct cordon_error *err)
{
  int r;

  for (int tries = 0;; tries++)
    {
      if (flock (log->fd, LOCK_EX) < 0)
        return cordon_error_set (err, errno, "audit log `%s`: lock", log->path);
      /* Another writer may have rotated the file since we opened it.  */
      if (fd_is_current (log) || tries > 10)
        break;
      flock (log->fd, LOCK_UN);
      {
        int fd = open (log->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
          return cordon_error_set (err, errno, "audit log `%s`", log->path);
        close (log->fd);
        log->fd = fd;
      }
    }
  r = maybe_rotate (log, err);
  if (r >= 0)
    r = append_locked (log, evs, n, err);
  if (r >= 0 && durable && fdatasync (log->fd) < 0)
    r = cordon_error_set (err, errno, "audit log `%s`: fdatasync", log->path);
  flock (log->fd, LOCK_UN);
  return r;
}

int
audit_log_sync (struct audit_log *log, struct cordon_error *err)
{
  if (fdatasync (log->fd) < 0)
    return cordon_error_set (err, errno, "audit log `%s`: fdatasync", log->path);
  return 0;
}
