/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/seccomp-cache.h"

static char dir[] = "/tmp/cordon-bpf-cache.XXXXXX";

static void
setup (void)
{
  cr_assert_not_null (mkdtemp (dir));
}

static void
teardown (void)
{
  char cmd[128];
  snprintf (cmd, sizeof cmd, "rm -rf %s", dir);
  cr_assert_eq (system (cmd), 0);
}

/* A small filter: default allow, getcwd -> EACCES.  */
static struct cordon_seccomp *
small_filter (uint32_t errno_ret)
{
  struct cordon_seccomp *f = calloc (1, sizeof *f);
  f->default_action = SECCOMP_ACTION_ALLOW;
  f->rules = calloc (1, sizeof *f->rules);
  f->n_rules = 1;
  f->rules[0].names = calloc (2, sizeof (char *));
  f->rules[0].names[0] = strdup ("getcwd");
  f->rules[0].action = SECCOMP_ACTION_ERRNO;
  f->rules[0].has_errno_ret = true;
  f->rules[0].errno_ret = errno_ret;
  return f;
}

static char *
cache_file (void)
{
  glob_t g;
  char pattern[128];
  char *path;

  snprintf (pattern, sizeof pattern, "%s/*.bpf", dir);
  cr_assert_eq (glob (pattern, 0, NULL, &g), 0, "no cache file");
  cr_assert_eq (g.gl_pathc, 1);
  path = strdup (g.gl_pathv[0]);
  globfree (&g);
  return path;
}

static void
same_program (const struct cordon_bpf *a, const struct cordon_bpf *b)
{
  cr_assert_eq (a->n_insns, b->n_insns);
  cr_assert_eq (memcmp (a->insns, b->insns, a->n_insns * sizeof *a->insns), 0);
}

Test (seccomp_cache, a_second_compile_is_a_hit, .init = setup, .fini = teardown)
{
  struct cordon_error err = { 0 };
  struct cordon_seccomp *f = small_filter (EACCES);
  struct cordon_bpf a = { 0 }, b = { 0 };
  bool hit;

  cr_assert_eq (seccomp_filter_compile_cached (f, dir, &a, &hit, &err), 0, "%s", err.msg);
  cr_assert_not (hit);
  cr_assert_eq (seccomp_filter_compile_cached (f, dir, &b, &hit, &err), 0, "%s", err.msg);
  cr_assert (hit);
  same_program (&a, &b);
  seccomp_bpf_free (&a);
  seccomp_bpf_free (&b);
  seccomp_spec_free (f);
}

Test (seccomp_cache, another_filter_has_another_key, .init = setup, .fini = teardown)
{
  struct cordon_seccomp *f = small_filter (EACCES);
  struct cordon_seccomp *g = small_filter (EPERM);
  uint8_t kf[SECCOMP_CACHE_KEY_SIZE], kg[SECCOMP_CACHE_KEY_SIZE];

  seccomp_cache_key (f, kf);
  seccomp_cache_key (g, kg);
  cr_assert_neq (memcmp (kf, kg, sizeof kf), 0);
  seccomp_spec_free (f);
  seccomp_spec_free (g);
}

Test (seccomp_cache, a_corrupted_file_is_not_used, .init = setup, .fini = teardown)
{
  struct cordon_error err = { 0 };
  struct cordon_seccomp *f = small_filter (EACCES);
  struct cordon_bpf a = { 0 }, b = { 0 };
  char *path;
  bool hit;
  int fd;

  cr_assert_eq (seccomp_filter_compile_cached (f, dir, &a, &hit, &err), 0);
  path = cache_file ();
  /* Flip a byte of the program: the stored digest no longer matches.  */
  fd = open (path, O_RDWR);
  cr_assert_geq (fd, 0);
  cr_assert_eq (pwrite (fd, "\xff", 1, 200), 1);
  close (fd);
  cr_assert_eq (seccomp_filter_compile_cached (f, dir, &b, &hit, &err), 0);
  cr_assert_not (hit, "a corrupted program must be compiled again");
  same_program (&a, &b);
  /* A truncated file, and one others may write, are ignored too.  */
  cr_assert_eq (truncate (path, 100), 0);
  seccomp_bpf_free (&b);
  cr_assert_eq (seccomp_filter_compile_cached (f, dir, &b, &hit, &err), 0);
  cr_assert_not (hit);
  cr_assert_eq (chmod (path, 0666), 0);
  seccomp_bpf_free (&b);
  cr_assert_eq (seccomp_filter_compile_cached (f, dir, &b, &hit, &err), 0);
  cr_assert_not (hit, "a world-writable cache file must not be trusted");
  free (path);
  seccomp_bpf_free (&a);
  seccomp_bpf_free (&b);
  seccomp_spec_free (f);
}

Test (seccomp_cache, a_directory_others_can_write_is_not_used, .init = setup, .fini = teardown)
{
  struct cordon_error err = { 0 };
  struct cordon_seccomp *f = small_filter (EACCES);
  struct cordon_bpf a = { 0 };
  bool hit;

  cr_assert_eq (chmod (dir, 0777), 0);
  cr_assert_eq (seccomp_filter_compile_cached (f, dir, &a, &hit, &err), 0);
  seccomp_bpf_free (&a);
  cr_assert_eq (seccomp_filter_compile_cached (f, dir, &a, &hit, &err), 0);
  cr_assert_not (hit);
  seccomp_bpf_free (&a);
  seccomp_spec_free (f);
}
