/* SPDX-License-Identifier: Apache-2.0 */
/* Test helper, not installed: unpack-tool COMPRESSION BLOB DESTDIR [OWNER]
 * unpacks one layer blob (COMPRESSION: none, gzip, zstd or auto) into the
 * existing directory DESTDIR and prints its DiffID.  OWNER (a number) maps
 * tar ids to OWNER + id; without it everything stays the caller's.
 * Environment: UNPACK_MAX_BYTES, UNPACK_MAX_ENTRIES override the limits.  */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "image/unpack.h"

int
main (int argc, char **argv)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_close int blob = -1;
  cleanup_close int dest = -1;
  struct unpack_limits limits;
  struct unpack_stats stats;
  enum layer_compression c = LAYER_COMPRESSION_NONE;
  int64_t owner = -1;
  char diff_id[72];
  const char *env;

  if (argc != 4 && argc != 5)
    {
      fprintf (stderr, "usage: unpack-tool none|gzip|zstd|auto BLOB DESTDIR [OWNER]\n");
      return 2;
    }
  unpack_limits_default (&limits);
  if ((env = getenv ("UNPACK_MAX_BYTES")) != NULL)
    limits.max_bytes = strtoull (env, NULL, 10);
  if ((env = getenv ("UNPACK_MAX_ENTRIES")) != NULL)
    limits.max_entries = strtoull (env, NULL, 10);
  if (argc == 5)
    owner = strtoll (argv[4], NULL, 10);
  blob = open (argv[2], O_RDONLY | O_CLOEXEC);
  dest = open (argv[3], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (blob < 0 || dest < 0)
    {
      fprintf (stderr, "unpack-tool: open %s: %s\n", blob < 0 ? argv[2] : argv[3], strerror (errno));
      return 1;
    }
  if (strcmp (argv[1], "gzip") == 0)
    c = LAYER_COMPRESSION_GZIP;
  else if (strcmp (argv[1], "zstd") == 0)
    c = LAYER_COMPRESSION_ZSTD;
  else if (strcmp (argv[1], "auto") == 0 && layer_compression_sniff (blob, &c, &err) < 0)
    {
      fprintf (stderr, "unpack-tool: %s\n", err.msg);
      return 1;
    }
  else if (strcmp (argv[1], "none") != 0 && strcmp (argv[1], "auto") != 0)
    {
      fprintf (stderr, "unpack-tool: unknown compression `%s`\n", argv[1]);
      return 2;
    }
  if (layer_unpack (blob, c, dest, &limits, owner, owner, diff_id, &stats, &err) < 0)
    {
      fprintf (stderr, "unpack-tool: %s\n", err.msg ? err.msg : "failed");
      return 1;
    }
  printf ("%s\n", diff_id);
  fprintf (stderr, "entries=%llu bytes=%llu whiteouts=%llu opaque=%llu stripped=%llu\n",
           (unsigned long long)stats.entries, (unsigned long long)stats.bytes, (unsigned long long)stats.whiteouts,
           (unsigned long long)stats.opaque_dirs, (unsigned long long)stats.stripped);
  return 0;
}
