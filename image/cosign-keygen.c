/* SPDX-License-Identifier: Apache-2.0 */
/* `cordon image keygen`: a P-256 key pair for `image sign` and a policy's
 * keyPath, as unencrypted PKCS#8 and SPKI PEM (cosign's own private key
 * format is encrypted; cordon reads plain PEM).  */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <unistd.h>

#include "image/cosign.h"

static int
write_pem (const char *path, mode_t mode, EVP_PKEY *key, bool private_key, struct cordon_error *err)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  FILE *f;
  int ok;

  if (fd < 0)
    return cordon_error_set (err, errno, "create `%s`", path);
  f = fdopen (fd, "w");
  if (f == NULL)
    {
      close (fd);
      return cordon_error_set (err, errno, "open `%s`", path);
    }
  ok = private_key ? PEM_write_PrivateKey (f, key, NULL, NULL, 0, NULL, NULL) : PEM_write_PUBKEY (f, key);
  if (fclose (f) != 0 || ok != 1)
    {
      unlink (path);
      return cordon_error_set (err, EIO, "write `%s`", path);
    }
  return 0;
}

int
cosign_generate_key_pair (const char *private_path, const char *public_path, struct cordon_error *err)
{
  EVP_PKEY *key = EVP_EC_gen ("P-256");
  int r;

  if (key == NULL)
    return cordon_error_set (err, EIO, "generate a P-256 key");
  r = write_pem (private_path, 0600, key, true, err);
  if (r >= 0)
    {
      r = write_pem (public_path, 0644, key, false, err);
      if (r < 0)
        unlink (private_path);
    }
  EVP_PKEY_free (key);
  return r;
}
