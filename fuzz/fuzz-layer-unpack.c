/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: a layer tar is hostile input.  Any bytes, unpacked
 * (uncompressed) into a fresh directory, must give a DiffID or an error with
 * a message, and must leave nothing outside that directory; the directory is
 * then removed with layer_remove_tree, which must cope with whatever the
 * unpacker left (mode 000 directories, whiteout devices, symlinks).  */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "image/unpack.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct cordon_error err = { 0 };
  struct unpack_limits limits;
  char dir[] = "/tmp/cordon-fuzz-unpack-XXXXXX";
  char diff_id[72];
  int blob, dest, r;

  blob = memfd_create ("layer", MFD_CLOEXEC);
  if (blob < 0 || (size > 0 && write (blob, data, size) != (ssize_t)size) || lseek (blob, 0, SEEK_SET) != 0)
    abort ();
  if (mkdtemp (dir) == NULL)
    abort ();
  dest = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dest < 0)
    abort ();
  /* Small limits keep one input cheap; the limits themselves are tested.  */
  unpack_limits_default (&limits);
  limits.max_bytes = 8 << 20;
  limits.max_entries = 4096;
  r = layer_unpack (blob, LAYER_COMPRESSION_NONE, dest, &limits, -1, -1, diff_id, NULL, &err);
  if (r < 0 && err.msg == NULL)
    abort ();
  if (r == 0 && strncmp (diff_id, "sha256:", 7) != 0)
    abort ();
  cordon_error_release (&err);
  close (dest);
  close (blob);
  if (layer_remove_tree (AT_FDCWD, dir, &err) < 0)
    {
      fprintf (stderr, "layer_remove_tree: %s\n", err.msg);
      abort ();
    }
  return 0;
}
