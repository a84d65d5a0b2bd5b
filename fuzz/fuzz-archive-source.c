/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the outer tar of a `docker save` or oci-archive.  Its
 * members are copied under the store's tmp/ and looked up by name; links
 * are followed once inside the archive.  Nothing may be written outside
 * the store, and the spill directory must go away.  */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "image/source.h"
#include "image/store.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const char *const names[] = { "manifest.json", "index.json", "oci-layout", "a/layer.tar", "x.tar", "blobs/sha256/x" };

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static char dir[64];
  char path[96];
  struct cordon_error err = { 0 };
  struct image_store *store = NULL;
  struct image_source *src = NULL;
  FILE *f;

  if (dir[0] == '\0')
    {
      snprintf (dir, sizeof dir, "/tmp/fuzz-archive.XXXXXX");
      if (mkdtemp (dir) == NULL)
        abort ();
    }
  snprintf (path, sizeof path, "%s/in.tar", dir);
  f = fopen (path, "w");
  if (f == NULL || fwrite (data, 1, size, f) != size || fclose (f) != 0)
    abort ();
  snprintf (path, sizeof path, "%s/store", dir);
  if (image_store_open (path, LOCK_SH, &store, &err) < 0)
    abort ();
  snprintf (path, sizeof path, "%s/in.tar", dir);
  if (image_source_open_archive (path, store, &src, &err) >= 0)
    {
      for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        {
          char *buf = NULL;
          size_t len;
          if (image_source_read_member (src, names[i], 1 << 20, &buf, &len, &err) >= 0)
            free (buf);
          cordon_error_release (&err);
        }
      image_source_close (src);
    }
  else if (err.msg == NULL)
    abort ();
  cordon_error_release (&err);
  image_store_close (store);
  return 0;
}
