/* SPDX-License-Identifier: Apache-2.0 */
/* Checking the chain: every record's `prev` is the SHA-256 of the line
 * before it and `seq` counts up by one, so an edited, deleted, inserted or
 * reordered record breaks the chain at the first place it touches.  The log
 * is hostile input here: lines are bounded and parsed with limits.  */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "common/cleanup.h"
#include "common/json.h"

static const struct json_limits record_limits = {
  .max_bytes = AUDIT_MAX_LINE,
  .max_items = 4096,
  .max_string = AUDIT_MAX_LINE,
};

struct chain
{
  uint64_t seq;
  char hash[AUDIT_HASH_HEX + 1];
  bool started;       /* a record was seen (in this or an earlier file) */
  const uint8_t *key; /* with a key: every exit needs a checkpoint after it */
  size_t key_len;
  bool want_checkpoint;
};

/* A verdict about the log, not a system error: no strerror suffix.  */
__attribute__ ((format (printf, 2, 3))) static int
bad (struct cordon_error *err, const char *fmt, ...)
{
  va_list ap;
  char buf[1024];

  va_start (ap, fmt);
  vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  cordon_error_set (err, 0, "%s", buf);
  if (err)
    err->status = EBADMSG;
  return -EBADMSG;
}

static const char *
str_or_empty (yajl_val v)
{
  return v && YAJL_IS_STRING (v) ? v->u.string : "";
}

/* Checks one line against the chain so far and advances it.  */
static int
check_line (const char *path, size_t lineno, const char *line, size_t len, struct chain *c, struct cordon_error *err)
{
  cleanup_json yajl_val rec = NULL;
  cleanup_error struct cordon_error perr = { 0 };
  yajl_val v, seq, prev;

  if (json_parse (line, len, &record_limits, "record", &rec, &perr) < 0 || !YAJL_IS_OBJECT (rec))
    return bad (err, "%s:%zu: not a record (%s)", path, lineno, perr.msg ? perr.msg : "not an object");
  v = json_get (rec, "v");
  seq = json_get (rec, "seq");
  prev = json_get (rec, "prev");
  if (v == NULL || !YAJL_IS_INTEGER (v) || YAJL_GET_INTEGER (v) != AUDIT_SCHEMA_VERSION)
    return bad (err, "%s:%zu: unknown schema version", path, lineno);
  if (seq == NULL || !YAJL_IS_INTEGER (seq) || prev == NULL || !YAJL_IS_STRING (prev))
    return bad (err, "%s:%zu: no seq or prev", path, lineno);
  if (!c->started && strcmp (str_or_empty (json_get (rec, "event")), "rotate") == 0)
    {
      /* The oldest file left begins with a rotation: what came before it
       * was removed.  */
      return bad (err,
                  "%s:%zu: the chain begins with a rotation: the file before this one is missing (a removed "
                  "rotation file)",
                  path, lineno);
    }
  if (c->want_checkpoint)
    {
      yajl_val mac = json_get (json_get (rec, "data"), "mac");
      char expected[AUDIT_HASH_HEX + 1];
      if (strcmp (str_or_empty (json_get (rec, "event")), "checkpoint") != 0 || mac == NULL || !YAJL_IS_STRING (mac))
        return bad (err, "%s:%zu: an exit without its keyed checkpoint (the chain was rewritten?)", path, lineno);
      audit_checkpoint_mac (c->key, c->key_len, c->hash, expected);
      if (strcmp (mac->u.string, expected) != 0)
        return bad (err,
                    "%s:%zu: the checkpoint's MAC does not match the key: the chain was recomputed by "
                    "someone without it",
                    path, lineno);
      c->want_checkpoint = false;
    }
  if ((uint64_t)YAJL_GET_INTEGER (seq) != c->seq + 1 && c->started)
    return bad (err, "%s:%zu: seq %lld where %" PRIu64 " was expected: a record was deleted, inserted or moved", path,
                lineno, YAJL_GET_INTEGER (seq), c->seq + 1);
  if (!c->started && YAJL_GET_INTEGER (seq) != 1)
    return bad (err, "%s:%zu: the log starts at seq %lld: records before it were removed", path, lineno,
                YAJL_GET_INTEGER (seq));
  if (strcmp (prev->u.string, c->hash) != 0)
    return bad (err,
                "%s:%zu: seq %lld: the hash of the record before does not match: it was edited, or this "
                "record was moved",
                path, lineno, YAJL_GET_INTEGER (seq));
  c->seq = (uint64_t)YAJL_GET_INTEGER (seq);
  c->started = true;
  audit_hash_hex (line, len, c->hash);
  if (c->key && strcmp (str_or_empty (json_get (rec, "event")), "exit") == 0)
    c->want_checkpoint = true;
  return 0;
}

/* Reads the next line without its newline; 0 at EOF, 1 for a line, -1
 * for a last line cut short.  */
static int
next_line (FILE *f, char **line, size_t *cap, size_t *len)
{
  ssize_t n = getline (line, cap, f);

  if (n <= 0)
    return 0;
  if ((*line)[n - 1] != '\n')
    return -1;
  (*line)[--n] = '\0';
  *len = (size_t)n;
  return 1;
}

static bool
is_recovery (const char *line)
{
  return strstr (line, "\"event\":\"recovery\"") != NULL;
}

static int verify_stream (FILE *f, const char *path, struct chain *c_in, size_t *n_records, struct cordon_error *err);

int
audit_verify_file (const char *path, size_t *n_records, struct cordon_error *err)
{
  return audit_verify_series (path, NULL, 0, n_records, err);
}

int
audit_verify_series (const char *path, const uint8_t *key, size_t key_len, size_t *n_records, struct cordon_error *err)
{
  struct chain c = { .key = key, .key_len = key_len };
  char name[4096];
  int n = 0;
  int r;

  memset (c.hash, '0', AUDIT_HASH_HEX);
  c.hash[AUDIT_HASH_HEX] = '\0';
  *n_records = 0;
  while (n < 100000)
    {
      snprintf (name, sizeof name, "%s.%d", path, n + 1);
      if (access (name, F_OK) < 0)
        break;
      n++;
    }
  /* Oldest first: PATH.N ... PATH.1, then PATH.  */
  for (; n >= 0; n--)
    {
      cleanup_file FILE *f = NULL;
      size_t got = 0;
      if (n > 0)
        snprintf (name, sizeof name, "%s.%d", path, n);
      else
        snprintf (name, sizeof name, "%s", path);
      f = fopen (name, "re");
      if (f == NULL)
        return cordon_error_set (err, errno, "audit log `%s`", name);
      r = verify_stream (f, name, &c, &got, err);
      *n_records += got;
      if (r < 0)
        return r;
    }
  if (c.want_checkpoint)
    return bad (err, "%s: the last exit has no keyed checkpoint (the chain was rewritten?)", path);
  return 0;
}

int
audit_verify_stream (FILE *f, const char *path, size_t *n_records, struct cordon_error *err)
{
  struct chain c = { 0 };

  memset (c.hash, '0', AUDIT_HASH_HEX);
  c.hash[AUDIT_HASH_HEX] = '\0';
  *n_records = 0;
  return verify_stream (f, path, &c, n_records, err);
}

static int
verify_stream (FILE *f, const char *path, struct chain *c_in, size_t *n_records, struct cordon_error *err)
{
  cleanup_free char *line = NULL;
  struct chain *c = c_in;
  size_t cap = 0, lineno = 0, len = 0;
  int got;
  int r;

  while ((got = next_line (f, &line, &cap, &len)) != 0)
    {
      lineno++;
      if (got < 0)
        return bad (err, "%s:%zu: the last record is cut short (a torn write not yet sealed, or a truncated file)",
                    path, lineno);
      if (len > AUDIT_MAX_LINE)
        return bad (err, "%s:%zu: record longer than %d bytes", path, lineno, AUDIT_MAX_LINE);
      r = check_line (path, lineno, line, len, c, err);
      if (r >= 0)
        {
          (*n_records)++;
          continue;
        }
      /* The one break the writer makes on purpose: a torn fragment, ended
       * with a newline and followed by a recovery record that chains to the
       * record before the fragment.  */
      {
        struct cordon_error ferr = { 0 };
        got = next_line (f, &line, &cap, &len);
        lineno++;
        if (got <= 0 || !is_recovery (line) || check_line (path, lineno, line, len, c, &ferr) < 0)
          {
            /* Not the torn-write case: the first error stands.  */
            cordon_error_release (&ferr);
            return r;
          }
        cordon_error_release (err);
        (*n_records)++;
      }
    }
  return 0;
}
