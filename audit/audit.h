/* SPDX-License-Identifier: Apache-2.0 */
/* The audit log: one JSON object a line, each carrying the SHA-256 of the
 * line before it, appended under flock with one write() and made durable
 * with fdatasync (schema: doc/audit.md).  Hashing uses nettle, which costs
 * nothing at exec; OpenSSL stays off the run path.  */
#ifndef CORDON_AUDIT_AUDIT_H
#define CORDON_AUDIT_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/error.h"

#define AUDIT_SCHEMA_VERSION 1
#define AUDIT_MAX_LINE 65536
#define AUDIT_HASH_HEX 64

struct audit_log; /* opaque: the open file */

/* One record to append.  Strings may be NULL (left out).  `data_json`, when
 * set, is a JSON object written as the record's "data".  */
struct audit_event
{
  const char *event;   /* create, start, exit, sandbox-error, layer-unavailable, ... */
  const char *sandbox; /* the sandbox id */
  const char *image;
  const char *profile;
  char *const *argv; /* the command line, NULL-terminated */
  const char *data_json;
};

/* The default path: $XDG_STATE_HOME/cordon/audit.log (rootless, default
 * ~/.local/state) or /var/log/cordon/audit.log (root).  Heap string.  */
char *audit_default_path (void);

#define AUDIT_DEFAULT_ROTATE_SIZE (64ull << 20)
#define AUDIT_KEY_MAX 1024

struct audit_options
{
  uint64_t rotate_size; /* start a new file past this size (0: the default) */
  const uint8_t *key;   /* HMAC-SHA256 key for checkpoints, or NULL */
  size_t key_len;
  bool syslog; /* mirror each record to syslog(3) */
};

/* Opens (creating it and its directories, mode 0600/0700) for appending.  */
int audit_log_open (const char *path, struct audit_log **out, struct cordon_error *err);
void audit_log_configure (struct audit_log *log, const struct audit_options *opts);

/* Reads an operator key file (at most AUDIT_KEY_MAX bytes, not empty).  */
int audit_read_key (const char *path, uint8_t *key, size_t *len, struct cordon_error *err);

/* HMAC-SHA256 of a chain hash (hex), as hex.  */
void audit_checkpoint_mac (const uint8_t *key, size_t key_len, const char *chain_hex, char out[AUDIT_HASH_HEX + 1]);

/* Appends one record: locks, seals a torn last line with a `recovery`
 * record, writes the whole line at once, and with `durable` fdatasyncs
 * before it returns.  */
int audit_log_append (struct audit_log *log, const struct audit_event *ev, bool durable, struct cordon_error *err);

/* Appends `n` records under one lock, consecutive in the chain.  */
int audit_log_append_many (struct audit_log *log, const struct audit_event *evs, size_t n, bool durable,
                           struct cordon_error *err);

/* Makes everything appended so far durable.  */
int audit_log_sync (struct audit_log *log, struct cordon_error *err);

void audit_log_close (struct audit_log *log);

/* SHA-256 of `len` bytes, as 64 hex characters plus NUL.  */
void audit_hash_hex (const void *data, size_t len, char out[AUDIT_HASH_HEX + 1]);

/* A fresh sandbox id: 64 hex characters.  */
int audit_new_id (char out[AUDIT_HASH_HEX + 1]);

/* Verifies the chain of `path`.  Returns 0 when intact (with the number of
 * records in *n_records), or -EBADMSG with `err` naming the first bad
 * record ("FILE:LINE: seq N: why").  */
int audit_verify_file (const char *path, size_t *n_records, struct cordon_error *err);
int audit_verify_stream (FILE *f, const char *name, size_t *n_records, struct cordon_error *err);

/* Verifies a log and its rotated predecessors (PATH.N ... PATH.1, PATH) as
 * one chain; with a key, every `exit` must be followed by a checkpoint whose
 * MAC holds.  */
int audit_verify_series (const char *path, const uint8_t *key, size_t key_len, size_t *n_records,
                         struct cordon_error *err);

#endif
