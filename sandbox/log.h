/* SPDX-License-Identifier: Apache-2.0 */
/* The log of a detached sandbox: what the workload writes to stdout and
 * stderr, one record a line in the CRI format conmon writes
 * ("2024-05-01T10:00:00.000000000Z stdout F text"; P marks a line cut
 * short, continued by the next record), so that `cordon logs` can give each
 * stream back and add times.  The file is capped: past `max` bytes it is
 * renamed to log.1 (replacing the previous one) and a new one is started,
 * so a sandbox never holds more than twice the cap on disk.  */
#ifndef CORDON_SANDBOX_LOG_H
#define CORDON_SANDBOX_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define LOG_DEFAULT_MAX (8u << 20)

struct log_writer
{
  int dirfd; /* the sandbox's directory (owned) */
  int fd;    /* "log", O_APPEND */
  uint64_t size;
  uint64_t max;
};

/* Opens "log" in `dirfd` (duplicated) for appending.  */
int log_writer_open (struct log_writer *w, int dirfd, uint64_t max, struct cordon_error *err);
/* Records `len` bytes of stream 0 (stdout) or 1 (stderr).  Write errors are
 * dropped: a full disk must not stop the sandbox's monitor.  */
void log_writer_write (struct log_writer *w, int stream, const char *buf, size_t len);
void log_writer_close (struct log_writer *w);

struct log_line
{
  const char *time; /* NUL-terminated inside the parsed line */
  int stream;       /* 0 stdout, 1 stderr */
  bool partial;
  const char *text;
  size_t text_len;
};

/* Splits one record (without its newline; modified in place).  false when
 * it is not a record.  */
bool log_parse_line (char *line, size_t len, struct log_line *out);

#endif
