/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/run-image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/json-gen.h"
#include "common/safe-path.h"
#include "common/strv.h"
#include "image/import.h"
#include "image/reference.h"
#include "sandbox/spec-edit.h"

static int
lock_record (struct run_image *ri, struct cordon_error *err)
{
  cleanup_free char *rel = NULL;

  if (asprintf (&rel, "images/%s.json", ri->rec->id) < 0)
    return cordon_error_set (err, ENOMEM, "out of memory");
  ri->record_lock = openat (ri->store->dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (ri->record_lock < 0 || flock (ri->record_lock, LOCK_SH) < 0)
    return cordon_error_set (err, errno, "hold image %.12s", ri->rec->id);
  return 0;
}

static int
verify (struct run_image *ri, const char *ref, const char *policy_path, struct cordon_error *err)
{
  cleanup_trust_policy struct trust_policy *policy = NULL;
  int r = image_policy_load (policy_path, &policy, err);

  ri->name = image_record_name_for (ri->rec, ref);
  if (ri->name == NULL)
    ri->name = ri->rec->names[0];
  if (r >= 0)
    r = image_verify (ri->store, ri->rec, ri->name, policy, &ri->verdict, err);
  if (r < 0)
    return r;
  ri->policy_source = strdup (trust_policy_source (policy));
  if (!ri->verdict.accepted)
    return cordon_error_set (err, 0, "image %s is rejected by the trust policy (%s): %s",
                             ri->name ? ri->name : ri->rec->id, trust_policy_source (policy),
                             ri->verdict.reason ? ri->verdict.reason : "no reason given");
  return 0;
}

static int
load_config (struct run_image *ri, struct cordon_error *err)
{
  cleanup_free char *text = NULL;
  size_t len;
  int r = image_store_read_blob (ri->store, ri->rec->config, OCI_MAX_DOCUMENT, &text, &len, err);

  if (r < 0)
    return r;
  return oci_config_parse (text, len, ri->rec->config, &ri->cfg, err);
}

static int
make_dir (struct run_image *ri, const char *name, char **abs, struct cordon_error *err)
{
  cleanup_free char *rel = NULL;

  if (asprintf (&rel, "%s/%s", ri->run_dir, name) < 0 || asprintf (abs, "%s/%s", ri->store->path, rel) < 0)
    return cordon_error_set (err, ENOMEM, "out of memory");
  if (mkdirat (ri->store->dirfd, rel, 0755) < 0)
    return cordon_error_set (err, errno, "create `%s`", *abs);
  /* As root the sandbox's root is the mapped range's first id.  */
  if (ri->store->owner_uid >= 0
      && fchownat (ri->store->dirfd, rel, (uid_t)ri->store->owner_uid, (gid_t)ri->store->owner_gid,
                   AT_SYMLINK_NOFOLLOW)
             < 0)
    return cordon_error_set (err, errno, "chown `%s`", *abs);
  return 0;
}

static int
plan_overlay (struct run_image *ri, bool read_write, struct cordon_error *err)
{
  size_t n = ri->rec->n_layers;
  int r;

  r = image_store_tmp_name (ri->store, &ri->run_dir, err);
  if (r < 0)
    return r;
  if (mkdirat (ri->store->dirfd, ri->run_dir, 0711) < 0)
    return cordon_error_set (err, errno, "create `%s/%s`", ri->store->path, ri->run_dir);
  r = make_dir (ri, "root", &ri->root_dir, err);
  if (r >= 0 && read_write)
    r = make_dir (ri, "upper", &ri->plan.upper, err);
  if (r >= 0 && read_write)
    r = make_dir (ri, "work", &ri->plan.work, err);
  if (r < 0)
    return r;
  ri->plan.lowers = calloc (n + 2, sizeof (char *));
  if (ri->plan.lowers == NULL || (ri->plan.lowers[0] = strdup (ri->root_dir)) == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  for (size_t i = 0; i < n; i++)
    {
      ri->plan.lowers[i + 1] = image_store_layer_path (ri->store, ri->rec->layers[n - 1 - i].diff_id);
      if (ri->plan.lowers[i + 1] == NULL)
        return cordon_error_set (err, ENOMEM, "out of memory");
      if (access (ri->plan.lowers[i + 1], F_OK) < 0)
        return cordon_error_set (err, errno, "layer %s of image %.12s is missing from the store",
                                 ri->rec->layers[n - 1 - i].diff_id, ri->rec->id);
    }
  return 0;
}

/* Users are looked up in the image's /etc/passwd as data (never through
 * NSS): the topmost layer that has the file.  */
static int
find_passwd_root (struct run_image *ri, struct cordon_error *err)
{
  for (size_t i = 1; ri->plan.lowers[i]; i++)
    {
      cleanup_close int dir = open (ri->plan.lowers[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
      int fd;
      if (dir < 0)
        return cordon_error_set (err, errno, "open layer `%s`", ri->plan.lowers[i]);
      fd = safe_openat_in_root (dir, "/etc/passwd", O_RDONLY | O_NOFOLLOW, 0);
      if (fd >= 0)
        {
          close (fd);
          ri->passwd_root = steal_fd (&dir);
          return 0;
        }
    }
  ri->passwd_root = open (ri->root_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  return ri->passwd_root < 0 ? cordon_error_set (err, errno, "open `%s`", ri->root_dir) : 0;
}

int
run_image_open (struct run_image *ri, const struct run_image_options *opts, struct cordon_error *err)
{
  cleanup_free char *id = NULL;
  int r;

  ri->record_lock = ri->passwd_root = -1;
  ri->keep = opts->keep;
  r = image_store_open (opts->store, LOCK_SH, &ri->store, err);
  if (r >= 0)
    r = image_lookup (ri->store, opts->ref, &id, err);
  if (r >= 0)
    r = image_record_load (ri->store, id, &ri->rec, err);
  if (r >= 0)
    r = lock_record (ri, err);
  if (r >= 0)
    r = verify (ri, opts->ref, opts->policy, err);
  if (r >= 0)
    r = load_config (ri, err);
  if (r >= 0)
    r = plan_overlay (ri, opts->read_write, err);
  if (r >= 0)
    r = find_passwd_root (ri, err);
  if (r < 0)
    return cordon_error_wrap (err, "--image %s", opts->ref);
  /* The record lock keeps the image; gc and imports need not wait for us.  */
  flock (ri->store->lockfd, LOCK_UN);
  return 0;
}

int
run_image_apply (struct run_image *ri, struct cordon_spec *spec, const char *entrypoint, char *const *command,
                 struct cordon_error *err)
{
  cleanup_strv char **args = NULL;
  int r = spec_set_string (&spec->root_path, ri->root_dir, err);

  if (r < 0)
    return r;
  /* Docker: --entrypoint replaces Entrypoint and drops the image's Cmd;
   * a command replaces Cmd.  */
  if (entrypoint)
    r = strv_append (&args, entrypoint);
  else
    for (char **p = ri->cfg.entrypoint; r >= 0 && p && *p; p++)
      r = strv_append (&args, *p);
  if (command && command[0])
    for (char *const *p = command; r >= 0 && *p; p++)
      r = strv_append (&args, *p);
  else if (entrypoint == NULL)
    for (char **p = ri->cfg.cmd; r >= 0 && p && *p; p++)
      r = strv_append (&args, *p);
  if (r < 0)
    return cordon_error_set (err, ENOMEM, "out of memory");
  if (args == NULL || args[0] == NULL)
    return cordon_error_set (err, EINVAL, "image %.12s has no Entrypoint or Cmd: give a command", ri->rec->id);
  r = spec_set_args (spec, args, err);
  for (char **e = ri->cfg.env; r >= 0 && e && *e; e++)
    r = spec_set_env (spec, *e, err);
  /* --read-write: the overlay has an upper; Landlock must agree.  */
  spec->root_readonly = ri->plan.upper == NULL;
  if (r >= 0 && ri->cfg.working_dir && ri->cfg.working_dir[0] == '/')
    r = spec_set_string (&spec->process.cwd, ri->cfg.working_dir, err);
  return r;
}

int
run_image_describe (const struct run_image *ri, char **json, struct cordon_error *err)
{
  cleanup_jgen yajl_gen g = jg_new (false);

  if (g == NULL)
    return cordon_error_set (err, ENOMEM, "out of memory");
  yajl_gen_map_open (g);
  jg_kv_str (g, "name", ri->name);
  jg_kv_str (g, "id", ri->rec->id);
  jg_kv_str (g, "manifest", ri->rec->manifest);
  jg_kv_bool (g, "verified", ri->verdict.key != NULL);
  jg_kv_str (g, "key", ri->verdict.key);
  jg_kv_str (g, "scope", ri->verdict.scope);
  jg_kv_str (g, "requirement", ri->verdict.requirement);
  jg_kv_str (g, "policy", ri->policy_source);
  jg_kv_bool (g, "read_write", ri->plan.upper != NULL);
  yajl_gen_map_close (g);
  return jg_finish (g, json, NULL, err);
}

/* --keep: out of tmp/ (which the next command sweeps) into runs/.  */
static void
keep_or_discard (struct run_image *ri)
{
  cleanup_free char *kept = NULL;

  if (ri->keep && (mkdirat (ri->store->dirfd, "runs", 0700) == 0 || errno == EEXIST)
      && asprintf (&kept, "runs/%s", strrchr (ri->run_dir, '/') + 1) >= 0
      && renameat (ri->store->dirfd, ri->run_dir, ri->store->dirfd, kept) == 0)
    {
      fprintf (stderr, "cordon: kept the run's directory %s/%s\n", ri->store->path, kept);
      return;
    }
  image_store_tmp_discard (ri->store, ri->run_dir);
}

void
run_image_close (struct run_image *ri)
{
  if (ri->store && ri->run_dir)
    keep_or_discard (ri);
  if (ri->record_lock >= 0)
    close (ri->record_lock);
  if (ri->passwd_root >= 0)
    close (ri->passwd_root);
  overlay_plan_release (&ri->plan);
  oci_config_release (&ri->cfg);
  trust_verdict_release (&ri->verdict);
  image_record_free (ri->rec);
  image_store_close (ri->store);
  free (ri->run_dir);
  free (ri->root_dir);
  free (ri->policy_source);
  memset (ri, 0, sizeof *ri);
  ri->record_lock = ri->passwd_root = -1;
}
