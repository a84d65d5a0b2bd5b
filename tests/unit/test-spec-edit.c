/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/spec-edit.h"

static struct cordon_spec *
new_spec (void)
{
  struct cordon_error err = { 0 };
  struct cordon_spec *spec = NULL;

  cr_assert_eq (spec_new_default (false, &spec, &err), 0, "%s", err.msg);
  return spec;
}

static const struct cordon_mount *
find_mount (const struct cordon_spec *spec, const char *dest)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    if (strcmp (spec->mounts[i].destination, dest) == 0)
      return &spec->mounts[i];
  return NULL;
}

static bool
has_option (const struct cordon_mount *m, const char *opt)
{
  for (char **o = m->options; o && *o; o++)
    if (strcmp (*o, opt) == 0)
      return true;
  return false;
}

Test (spec_edit, sizes_follow_docker_suffixes)
{
  uint64_t v;

  cr_assert_eq (spec_parse_size ("100", &v), 0);
  cr_assert_eq (v, 100);
  cr_assert_eq (spec_parse_size ("64m", &v), 0);
  cr_assert_eq (v, 64ull << 20);
  cr_assert_eq (spec_parse_size ("1G", &v), 0);
  cr_assert_eq (v, 1ull << 30);
  cr_assert_eq (spec_parse_size ("512kb", &v), 0);
  cr_assert_eq (v, 512ull << 10);
  cr_assert_lt (spec_parse_size ("", &v), 0);
  cr_assert_lt (spec_parse_size ("-1", &v), 0);
  cr_assert_lt (spec_parse_size ("12x", &v), 0);
  cr_assert_lt (spec_parse_size ("99999999999999999999", &v), 0);
  cr_assert_lt (spec_parse_size ("18446744073709551615g", &v), 0);
}

Test (spec_edit, volume_is_a_recursive_bind_with_options)
{
  struct cordon_error err = { 0 };
  struct cordon_spec *spec = new_spec ();
  const struct cordon_mount *m;

  cr_assert_eq (spec_add_volume (spec, "/srv/data:/data:ro", &err), 0, "%s", err.msg);
  m = find_mount (spec, "/data");
  cr_assert_not_null (m);
  cr_assert_str_eq (m->type, "bind");
  cr_assert_str_eq (m->source, "/srv/data");
  cr_assert (has_option (m, "rbind"));
  cr_assert (has_option (m, "ro"));
  spec_free (spec);
}

Test (spec_edit, volume_errors_name_the_argument)
{
  struct cordon_error err = { 0 };
  struct cordon_spec *spec = new_spec ();

  cr_assert_lt (spec_add_volume (spec, "/only-one-part", &err), 0);
  cr_assert (strstr (err.msg, "/only-one-part") != NULL, "%s", err.msg);
  cordon_error_release (&err);
  cr_assert_lt (spec_add_volume (spec, "/a:/b:bogus", &err), 0);
  cr_assert (strstr (err.msg, "bogus") != NULL, "%s", err.msg);
  cordon_error_release (&err);
  cr_assert_lt (spec_add_volume (spec, "/a:relative", &err), 0);
  cordon_error_release (&err);
  cr_assert_lt (spec_add_volume (spec, "/a:/x/../../etc", &err), 0);
  cr_assert (strstr (err.msg, "..") != NULL, "%s", err.msg);
  cordon_error_release (&err);
  spec_free (spec);
}

Test (spec_edit, tmpfs_replaces_the_default_tmp)
{
  struct cordon_error err = { 0 };
  struct cordon_spec *spec = new_spec ();
  size_t before = spec->n_mounts;
  const struct cordon_mount *m;

  cr_assert_not_null (find_mount (spec, "/tmp"));
  cr_assert_eq (spec_add_tmpfs (spec, "/tmp:size=1g,mode=1777", &err), 0, "%s", err.msg);
  cr_assert_eq (spec->n_mounts, before);
  m = find_mount (spec, "/tmp");
  cr_assert (has_option (m, "size=1g"));
  cr_assert (has_option (m, "nosuid"));
  cr_assert_lt (spec_add_tmpfs (spec, "/x:size=lots", &err), 0);
  cordon_error_release (&err);
  spec_free (spec);
}

Test (spec_edit, mount_flag)
{
  struct cordon_error err = { 0 };
  struct cordon_spec *spec = new_spec ();
  const struct cordon_mount *m;

  cr_assert_eq (spec_add_mount_arg (spec, "type=tmpfs,target=/scratch,tmpfs-size=1m,tmpfs-mode=700", &err), 0, "%s",
                err.msg);
  m = find_mount (spec, "/scratch");
  cr_assert (has_option (m, "size=1048576"));
  cr_assert (has_option (m, "mode=700"));
  cr_assert_eq (spec_add_mount_arg (spec, "type=bind,src=/srv,dst=/srv,readonly", &err), 0, "%s", err.msg);
  cr_assert (has_option (find_mount (spec, "/srv"), "ro"));
  cr_assert_lt (spec_add_mount_arg (spec, "type=bind,dst=/x", &err), 0);
  cordon_error_release (&err);
  cr_assert_lt (spec_add_mount_arg (spec, "type=volume,src=v,dst=/x", &err), 0);
  cordon_error_release (&err);
  cr_assert_lt (spec_add_mount_arg (spec, "type=tmpfs,dst=/x,colour=blue", &err), 0);
  cr_assert (strstr (err.msg, "colour") != NULL);
  cordon_error_release (&err);
  spec_free (spec);
}

Test (spec_edit, env_replaces_and_defaults)
{
  struct cordon_error err = { 0 };
  struct cordon_spec *spec = new_spec ();

  cr_assert_eq (spec_set_env (spec, "A=1", &err), 0);
  cr_assert_eq (spec_set_env (spec, "A=2", &err), 0);
  cr_assert_str_eq (spec_get_env (spec, "A"), "2");
  cr_assert_eq (spec_default_env (spec, "A", "3", &err), 0);
  cr_assert_str_eq (spec_get_env (spec, "A"), "2");
  unsetenv ("CORDON_UNIT_UNSET");
  cr_assert_eq (spec_set_env (spec, "CORDON_UNIT_UNSET", &err), 0);
  cr_assert_null (spec_get_env (spec, "CORDON_UNIT_UNSET"));
  setenv ("CORDON_UNIT_SET", "v", 1);
  cr_assert_eq (spec_set_env (spec, "CORDON_UNIT_SET", &err), 0);
  cr_assert_str_eq (spec_get_env (spec, "CORDON_UNIT_SET"), "v");
  cr_assert_lt (spec_set_env (spec, "=x", &err), 0);
  cordon_error_release (&err);
  spec_free (spec);
}

Test (spec_edit, user_and_groups)
{
  struct cordon_error err = { 0 };
  struct cordon_spec *spec = new_spec ();

  cr_assert_eq (spec_set_user (spec, "1000:100", &err), 0);
  cr_assert_eq (spec->process.uid, 1000);
  cr_assert_eq (spec->process.gid, 100);
  cr_assert_eq (spec_set_user (spec, "7", &err), 0);
  cr_assert_eq (spec->process.gid, 7);
  cr_assert_lt (spec_set_user (spec, "4294967295", &err), 0);
  cordon_error_release (&err);
  cr_assert_lt (spec_set_user (spec, "nobody", &err), 0);
  cordon_error_release (&err);
  cr_assert_eq (spec_add_group (spec, "27", &err), 0);
  cr_assert_eq (spec->process.n_additional_gids, 1);
  spec_free (spec);
}

Test (spec_edit, capabilities)
{
  struct cordon_error err = { 0 };
  struct cordon_spec *spec = new_spec ();

  cr_assert_eq (spec->process.caps_effective, 0, "the default keeps no capability");
  cr_assert_eq (spec_cap_add (spec, "NET_BIND_SERVICE", &err), 0, "%s", err.msg);
  cr_assert_eq (spec->process.caps_effective, 1ull << 10);
  cr_assert_eq (spec->process.caps_bounding, 1ull << 10);
  cr_assert_eq (spec_cap_add (spec, "ALL", &err), 0);
  cr_assert_eq (spec_cap_drop (spec, "CAP_NET_BIND_SERVICE", &err), 0);
  cr_assert_eq (spec->process.caps_permitted & (1ull << 10), 0);
  cr_assert_neq (spec->process.caps_permitted, 0);
  cr_assert_lt (spec_cap_add (spec, "CAP_MAKE_COFFEE", &err), 0);
  cr_assert (strstr (err.msg, "CAP_MAKE_COFFEE") != NULL);
  cordon_error_release (&err);
  spec_free (spec);
}

Test (spec_edit, entrypoint_prepends)
{
  struct cordon_error err = { 0 };
  struct cordon_spec *spec = new_spec ();
  char *cmd[] = { "x", "y", NULL };

  cr_assert_eq (spec_set_entrypoint (spec, "/bin/echo", cmd, &err), 0);
  cr_assert_str_eq (spec->process.args[0], "/bin/echo");
  cr_assert_str_eq (spec->process.args[2], "y");
  cr_assert_null (spec->process.args[3]);
  spec_free (spec);
}
