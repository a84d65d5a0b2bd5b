/* SPDX-License-Identifier: Apache-2.0 */
/* Throw-away signing keys for the cosign and policy tests, made with
 * OpenSSL in the test itself (no fixture files needed).  */
#ifndef CORDON_TEST_KEYS_H
#define CORDON_TEST_KEYS_H

#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct test_key
{
  char private_path[64]; /* PKCS#8 PEM, a temporary file */
  char *public_pem;      /* SPKI PEM */
  size_t public_len;
};

/* `type`: "P-256", "P-384" or "ED25519".  `traditional` writes the private
 * key as SEC1 "EC PRIVATE KEY" instead of PKCS#8.  */
static inline void
test_key_generate (struct test_key *k, const char *type, bool traditional)
{
  EVP_PKEY *pkey = strcmp (type, "ED25519") == 0 ? EVP_PKEY_Q_keygen (NULL, NULL, "ED25519") : EVP_EC_gen (type);
  BIO *mem = BIO_new (BIO_s_mem ());
  char *data = NULL;
  long len;
  BIO *out;
  int fd;

  cr_assert_not_null (pkey);
  cr_assert_not_null (mem);
  cr_assert_eq (PEM_write_bio_PUBKEY (mem, pkey), 1);
  len = BIO_get_mem_data (mem, &data);
  k->public_pem = strndup (data, (size_t)len);
  k->public_len = (size_t)len;
  BIO_free (mem);

  strcpy (k->private_path, "/tmp/cordon-test-key.XXXXXX");
  fd = mkstemp (k->private_path);
  cr_assert_geq (fd, 0);
  close (fd);
  out = BIO_new_file (k->private_path, "w");
  cr_assert_not_null (out);
  if (traditional)
    cr_assert_eq (PEM_write_bio_PrivateKey_traditional (out, pkey, NULL, NULL, 0, NULL, NULL), 1);
  else
    cr_assert_eq (PEM_write_bio_PrivateKey (out, pkey, NULL, NULL, 0, NULL, NULL), 1);
  BIO_free (out);
  EVP_PKEY_free (pkey);
}

static inline void
test_key_release (struct test_key *k)
{
  unlink (k->private_path);
  free (k->public_pem);
}

#endif
