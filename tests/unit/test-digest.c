/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>
#include <string.h>

#include "image/digest.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

Test (digest, valid)
{
  cr_assert (digest_is_valid ("sha256:" HEX64));
  cr_assert_str_eq (digest_hex ("sha256:" HEX64), HEX64);
}

Test (digest, invalid)
{
  cr_assert_not (digest_is_valid (NULL));
  cr_assert_not (digest_is_valid (""));
  cr_assert_not (digest_is_valid ("sha256:"));
  cr_assert_not (digest_is_valid ("sha256:../../x"));
  cr_assert_not (digest_is_valid ("sha256:" HEX64 "0")); /* too long */
  cr_assert_not (digest_is_valid ("sha256:" HEX64 "/")); /* a path after it */
  cr_assert_not (digest_is_valid ("sha256:0123456789abcdef"));
  cr_assert_not (digest_is_valid ("sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"));
  cr_assert_not (digest_is_valid ("SHA256:" HEX64));
  cr_assert_not (digest_is_valid ("sha512:" HEX64 HEX64));
  cr_assert_not (digest_is_valid ("sha256-" HEX64));
  cr_assert_not (digest_is_valid (" sha256:" HEX64));
}

Test (digest, of_buffer)
{
  char out[DIGEST_SHA256_LEN + 1];

  digest_of_buffer ("", 0, out);
  cr_assert_str_eq (out, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  digest_of_buffer ("abc", 3, out);
  cr_assert_str_eq (out, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  cr_assert (digest_is_valid (out));
  cr_assert_eq (strlen (out), DIGEST_SHA256_LEN);
}
