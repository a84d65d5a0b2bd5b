/* SPDX-License-Identifier: Apache-2.0 */
/* Line and column for JSON messages.  The tree parser forgets where a value
 * was; an author fixing a profile wants "file:12:5".  A second pass with
 * yajl's event parser finds the byte offset of a path ("seccomp.syscalls[3]
 * .names[0]") or of a syntax error; offsets become 1-based line:column.  */
#ifndef CORDON_COMMON_JSON_LOCATE_H
#define CORDON_COMMON_JSON_LOCATE_H

#include <stdbool.h>
#include <stddef.h>

struct json_position
{
  unsigned line;   /* 1-based; 0 when unknown */
  unsigned column; /* 1-based */
};

/* The position of the value (or object key) at `path` in `text`; `path`
 * uses the json_path() spelling: keys joined by '.', array indices as
 * "[N]".  Returns false when the path is not found.  */
bool json_locate_path (const char *text, size_t len, const char *path, struct json_position *pos);

/* The position of the first syntax error, or false when `text` parses.  */
bool json_locate_syntax_error (const char *text, size_t len, struct json_position *pos);

/* Byte offset -> line:column.  */
struct json_position json_position_of_offset (const char *text, size_t len, size_t offset);

#endif
