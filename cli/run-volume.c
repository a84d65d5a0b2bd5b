/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/run-volume.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "image/volume.h"
#include "sandbox/spec-edit.h"

int
run_volumes_add (struct run_volumes *rv, const char *store_path, struct cordon_spec *spec, const char *arg,
                 struct cordon_error *err)
{
  cleanup_image_store struct image_store *store = NULL;
  cleanup_free char *name = NULL, *path = NULL, *bind = NULL;
  const char *colon = strchr (arg, ':');
  int *fds;
  int fd, r;

  if (colon == NULL)
    return cordon_error_set (err, EINVAL, "-v `%s`: expected NAME:DST[:OPTIONS]", arg);
  name = strndup (arg, (size_t)(colon - arg));
  if (name == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  if (!volume_name_valid (name))
    return cordon_error_set (err, EINVAL,
                             "-v `%s`: \"%s\" includes invalid characters for a local volume name, only "
                             "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed; a host path is absolute",
                             arg, name);
  r = image_store_open (store_path, LOCK_SH, &store, err);
  if (r < 0)
    return r;
  fd = volume_acquire (store, name, err);
  if (fd < 0)
    return fd;
  fds = realloc (rv->lock_fds, (rv->n + 1) * sizeof *fds);
  if (fds == NULL)
    {
      close (fd);
      return cordon_error_set (err, ENOMEM, "out of memory");
    }
  rv->lock_fds = fds;
  rv->lock_fds[rv->n++] = fd;
  if (strv_append (&rv->names, name) < 0 || (path = volume_data_path (store, name)) == NULL
      || asprintf (&bind, "%s%s", path, colon) < 0)
    return cordon_error_set (err, ENOMEM, "out of memory");
  return spec_add_volume (spec, bind, err);
}

void
run_volumes_release (struct run_volumes *rv)
{
  for (size_t i = 0; i < rv->n; i++)
    close (rv->lock_fds[i]);
  free (rv->lock_fds);
  strv_free (rv->names);
  *rv = (struct run_volumes){ 0 };
}
