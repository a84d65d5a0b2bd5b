/* SPDX-License-Identifier: Apache-2.0 */
/* Checking the chain: every record's `prev` is the SHA-256 of the line
 * before it and `seq` counts up by one, so an edited, deleted, inserted or
 * reordered record breaks the chain at the first place it touches.  The log
 * is hostile input here: lines are bounded and parsed with limits.  */
#include <errno.h>
#include <inttypes.h>
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
};

/* Checks one line against the chain so far and advances it.  */
static int
check_line (const char *path, size_t lineno, const char *line, size_t len, struct chain *c,
            struct cordon_error *err)
{
  cleanup_json yajl_val rec = NULL;
  cleanup_error struct cordon_error perr = { 0 };
  yajl_val v, seq, prev;

  if (json_parse (line, len, &record_limits, "record", &rec, &perr) < 0 || !YAJL_IS_OBJECT (rec))
    return cordon_error_set (err, EBADMSG, "%s:%zu: not a record (%s)", path, lineno,
                             perr.msg ? perr.msg : "not an object");
  v = json_get (rec, "v");
  seq = json_get (rec, "seq");
  prev = json_get (rec, "prev");
  if (v == NULL || !YAJL_IS_INTEGER (v) || YAJL_GET_INTEGER (v) != AUDIT_SCHEMA_VERSION)
    return cordon_error_set (err, EBADMSG, "%s:%zu: unknown schema version", path, lineno);
  if (seq == NULL || !YAJL_IS_INTEGER (seq) || prev == NULL || !YAJL_IS_STRING (prev))
    return cordon_error_set (err, EBADMSG, "%s:%zu: no seq or prev", path, lineno);
  if ((uint64_t) YAJL_GET_INTEGER (seq) != c->seq + 1)
    return cordon_error_set (err, EBADMSG,
                             "%s:%zu: seq %lld where %" PRIu64 " was expected: a record was deleted, inserted or moved",
                             path, lineno, YAJL_GET_INTEGER (seq), c->seq + 1);
  if (strcmp (prev->u.string, c->hash) != 0)
    return cordon_error_set (err, EBADMSG,
                             "%s:%zu: seq %lld: the hash of the record before does not match: it was edited, or this "
                             "record was moved",
                             path, lineno, YAJL_GET_INTEGER (seq));
  c->seq++;
  audit_hash_hex (line, len, c->hash);
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
  *len = (size_t) n;
  return 1;
}

static bool
is_recovery (const char *line)
{
  return strstr (line, "\"event\":\"recovery\"") != NULL;
}

int
audit_verify_file (const char *path, size_t *n_records, struct cordon_error *err)
{
  cleanup_file FILE *f = fopen (path, "re");

  *n_records = 0;
  if (f == NULL)
    return cordon_error_set (err, errno, "audit log `%s`", path);
  return audit_verify_stream (f, path, n_records, err);
}

int
audit_verify_stream (FILE *f, const char *path, size_t *n_records, struct cordon_error *err)
{
  cleanup_free char *line = NULL;
  struct chain c = { 0 };
  size_t cap = 0, lineno = 0, len = 0;
  int got;
  int r;

  memset (c.hash, '0', AUDIT_HASH_HEX);
  c.hash[AUDIT_HASH_HEX] = '\0';
  *n_records = 0;
  while ((got = next_line (f, &line, &cap, &len)) != 0)
    {
      lineno++;
      if (got < 0)
        return cordon_error_set (err, EBADMSG,
                                 "%s:%zu: the last record is cut short (a torn write not yet sealed, or a truncated file)",
                                 path, lineno);
      if (len > AUDIT_MAX_LINE)
        return cordon_error_set (err, EBADMSG, "%s:%zu: record longer than %d bytes", path, lineno, AUDIT_MAX_LINE);
      r = check_line (path, lineno, line, len, &c, err);
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
        size_t bad = lineno;
        got = next_line (f, &line, &cap, &len);
        lineno++;
        if (got <= 0 || !is_recovery (line) || check_line (path, lineno, line, len, &c, &ferr) < 0)
          {
            cordon_error_release (&ferr);
            cordon_error_release (err);
            return cordon_error_set (err, EBADMSG, "%s:%zu: not a valid record of the chain (edited or inserted)",
                                     path, bad);
          }
        cordon_error_release (err);
        (*n_records)++;
      }
    }
  return 0;
}
