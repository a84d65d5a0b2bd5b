/* SPDX-License-Identifier: Apache-2.0 */
/* cordon image import|ls|inspect|verify|sign|tag|rm|gc.  */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "image/cosign.h"
#include "image/import.h"
#include "image/record.h"
#include "image/reference.h"

static const char image_usage[]
    = "Usage: cordon image import SRC [--name NAME[:TAG]]   SRC: oci:DIR[:TAG], oci-archive:FILE[:TAG],\n"
      "                                                      docker-archive:FILE[:NAME:TAG]\n"
      "       cordon image ls [--json]\n"
      "       cordon image inspect REF [--json]\n"
      "       cordon image verify REF\n"
      "       cordon image sign REF --key KEY [--identity REPOSITORY]\n"
      "       cordon image tag REF NEW\n"
      "       cordon image rm REF...\n"
      "       cordon image gc\n"
      "       cordon image keygen PRIVATE.key PUBLIC.pub   a P-256 key pair for sign and a policy\n"
      "\n"
      "Options for every subcommand:\n"
      "      --store DIR     the image store (default ~/.local/share/cordon, as root /var/lib/cordon)\n"
      "      --policy FILE   the trust policy (default ~/.config/cordon/policy.json, then\n"
      "                      /etc/cordon/policy.json, else one that rejects everything)\n"
      "REF is a name (busybox, example.com/x:1), sha256:DIGEST or a unique id prefix.\n";

struct image_args
{
  const char *store;
  const char *policy;
  const char *name;
  const char *key;
  const char *identity;
  bool json;
  char **rest;
  int n_rest;
};

enum
{
  OPT_STORE = 256,
  OPT_POLICY,
  OPT_NAME,
  OPT_KEY,
  OPT_IDENTITY,
  OPT_JSON,
};

static int
parse_image_args (int argc, char **argv, struct image_args *a)
{
  static const struct option longopts[] = {
    { "store", required_argument, NULL, OPT_STORE }, { "policy", required_argument, NULL, OPT_POLICY },
    { "name", required_argument, NULL, OPT_NAME },   { "key", required_argument, NULL, OPT_KEY },
    { "identity", required_argument, NULL, OPT_IDENTITY }, { "json", no_argument, NULL, OPT_JSON },
    { "help", no_argument, NULL, 'h' },              { NULL, 0, NULL, 0 },
  };
  int c;

  optind = 1;
  while ((c = getopt_long (argc, argv, "h", longopts, NULL)) != -1)
    switch (c)
      {
      case OPT_STORE: a->store = optarg; break;
      case OPT_POLICY: a->policy = optarg; break;
      case OPT_NAME: a->name = optarg; break;
      case OPT_KEY: a->key = optarg; break;
      case OPT_IDENTITY: a->identity = optarg; break;
      case OPT_JSON: a->json = true; break;
      case 'h': fputs (image_usage, stdout); exit (0);
      default: fputs (image_usage, stderr); return -1;
      }
  a->rest = argv + optind;
  a->n_rest = argc - optind;
  return 0;
}

static int
need_args (const struct image_args *a, int min, int max, const char *cmd)
{
  if (a->n_rest < min || (max >= 0 && a->n_rest > max))
    {
      fprintf (stderr, "cordon: image %s: wrong number of arguments\n%s", cmd, image_usage);
      return -1;
    }
  return 0;
}

static int
cmd_import (struct image_args *a)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_image_store struct image_store *store = NULL;
  cleanup_trust_policy struct trust_policy *policy = NULL;
  cleanup_image_record struct image_record *rec = NULL;
  struct image_import_options opts = { .name = a->name, .progress = isatty (STDERR_FILENO) };

  if (need_args (a, 1, 1, "import") < 0)
    return EXIT_USAGE;
  opts.source = a->rest[0];
  if (image_policy_load (a->policy, &policy, &err) < 0 || image_store_open (a->store, LOCK_SH, &store, &err) < 0)
    return cli_fail (&err);
  opts.policy = policy;
  if (image_import (store, &opts, &rec, &err) < 0)
    return cli_fail (&err);
  printf ("%s %s\n", rec->manifest ? rec->manifest : rec->config, rec->names[0]);
  if (rec->verdict.key)
    fprintf (stderr, "cordon: signature verified with %s\n", rec->verdict.key);
  return 0;
}

/* "docker.io/library/busybox:latest" -> repository and tag columns.  */
static void
split_name (const char *full, char *repo, size_t n, const char **tag)
{
  struct image_reference ref = { 0 };
  cleanup_error struct cordon_error err = { 0 };
  cleanup_free char *familiar = NULL;

  *tag = "<none>";
  snprintf (repo, n, "%s", full);
  if (image_reference_parse (full, &ref, &err) < 0)
    return;
  familiar = image_reference_familiar (&ref);
  if (familiar)
    {
      char *colon = strrchr (familiar, ':');
      char *slash = strrchr (familiar, '/');
      if (colon && (slash == NULL || colon > slash))
        *colon = '\0';
      snprintf (repo, n, "%s", familiar);
    }
  *tag = ref.tag ? full + strlen (full) - strlen (ref.tag) : "<none>";
  image_reference_release (&ref);
}

static int
cmd_ls (struct image_args *a)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_image_store struct image_store *store = NULL;
  cleanup_strv char **ids = NULL;
  bool first = true;

  if (need_args (a, 0, 0, "ls") < 0)
    return EXIT_USAGE;
  if (image_store_open (a->store, LOCK_SH, &store, &err) < 0 || image_record_list (store, &ids, &err) < 0)
    return cli_fail (&err);
  if (a->json)
    putchar ('[');
  else
    printf ("%-40s %-12s %-12s %10s  %s\n", "REPOSITORY", "TAG", "IMAGE ID", "SIZE", "SIGNATURE");
  for (char **id = ids; *id; id++)
    {
      cleanup_image_record struct image_record *rec = NULL;
      if (image_record_load (store, *id, &rec, &err) < 0)
        return cli_fail (&err);
      if (a->json)
        {
          cleanup_free char *text = NULL;
          if (image_record_to_json (rec, false, &text, &err) < 0)
            return cli_fail (&err);
          printf ("%s%s", first ? "" : ",", text);
          first = false;
          continue;
        }
      for (size_t i = 0; rec->names[i] || i == 0; i++)
        {
          char repo[256];
          const char *tag = "<none>";
          if (rec->names[i])
            split_name (rec->names[i], repo, sizeof repo, &tag);
          else
            snprintf (repo, sizeof repo, "<none>");
          printf ("%-40s %-12s %-12.12s %9.1fM  %s\n", repo, tag, rec->id, (double)rec->size / (1 << 20),
                  rec->n_sigs ? (rec->verdict.key ? "verified" : "present") : "none");
          if (rec->names[i] == NULL)
            break;
        }
    }
  if (a->json)
    puts ("]");
  return 0;
}

/* With `records_lock`, the record is read under records.lock, which stays
 * held (in *records_lock) for the caller's update.  */
static int
open_record_locked (struct image_args *a, const char *ref, int lock, struct image_store **store,
                    struct image_record **rec, int *records_lock, struct cordon_error *err)
{
  cleanup_free char *id = NULL;

  if (image_store_open (a->store, lock, store, err) < 0)
    return cordon_error_code (err);
  if (records_lock)
    {
      *records_lock = image_records_lock (*store, err);
      if (*records_lock < 0)
        return *records_lock;
    }
  if (image_lookup (*store, ref, &id, err) < 0)
    return cordon_error_code (err);
  return image_record_load (*store, id, rec, err);
}

static int
open_record (struct image_args *a, const char *ref, int lock, struct image_store **store, struct image_record **rec,
             struct cordon_error *err)
{
  return open_record_locked (a, ref, lock, store, rec, NULL, err);
}

static int
cmd_inspect (struct image_args *a)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_image_store struct image_store *store = NULL;
  cleanup_image_record struct image_record *rec = NULL;
  cleanup_free char *text = NULL;
  cleanup_oci_config struct oci_image_config cfg = { 0 };
  char when[64];
  time_t t;

  if (need_args (a, 1, 1, "inspect") < 0)
    return EXIT_USAGE;
  if (open_record (a, a->rest[0], LOCK_SH, &store, &rec, &err) < 0)
    return cli_fail (&err);
  {
    cleanup_free char *ctext = NULL;
    size_t clen;
    if (image_store_read_blob (store, rec->config, OCI_MAX_DOCUMENT, &ctext, &clen, &err) < 0
        || oci_config_parse (ctext, clen, rec->config, &cfg, &err) < 0)
      return cli_fail (&err);
  }
  if (a->json)
    {
      if (image_record_to_json_with_config (rec, &cfg, true, &text, &err) < 0)
        return cli_fail (&err);
      puts (text);
      return 0;
    }
  t = (time_t)rec->imported;
  strftime (when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime (&t));
  printf ("Id:         %s\nNames:     ", rec->id);
  for (char **n = rec->names; n && *n; n++)
    printf (" %s", *n);
  printf ("\nManifest:   %s\nConfig:     %s\nSource:     %s\nImported:   %s\nSize:       %llu bytes\nLayers:\n",
          rec->manifest ? rec->manifest : "(none: legacy docker save)", rec->config, rec->source ? rec->source : "",
          when, (unsigned long long)rec->size);
  for (size_t i = 0; i < rec->n_layers; i++)
    printf ("  %s  %s\n", rec->layers[i].diff_id, rec->layers[i].media_type);
  printf ("Signatures: %zu\nTrust:      %s%s%s\n", rec->n_sigs, rec->verdict.accepted ? "accepted" : "rejected",
          rec->verdict.reason ? ": " : "", rec->verdict.reason ? rec->verdict.reason : "");
  if (rec->verdict.key)
    printf ("Key:        %s\n", rec->verdict.key);
  printf ("Platform:   %s/%s\nUser:       %s\nWorkingDir: %s\nEntrypoint:", cfg.os ? cfg.os : "?",
          cfg.architecture ? cfg.architecture : "?", cfg.user ? cfg.user : "", cfg.working_dir ? cfg.working_dir : "");
  for (char **p = cfg.entrypoint; p && *p; p++)
    printf (" %s", *p);
  printf ("\nCmd:       ");
  for (char **p = cfg.cmd; p && *p; p++)
    printf (" %s", *p);
  printf ("\nEnv:\n");
  for (char **p = cfg.env; p && *p; p++)
    printf ("  %s\n", *p);
  return 0;
}

static int
cmd_verify (struct image_args *a)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_image_store struct image_store *store = NULL;
  cleanup_image_record struct image_record *rec = NULL;
  cleanup_trust_policy struct trust_policy *policy = NULL;
  struct trust_verdict v = { 0 };
  int code;

  if (need_args (a, 1, 1, "verify") < 0)
    return EXIT_USAGE;
  if (image_policy_load (a->policy, &policy, &err) < 0 || open_record (a, a->rest[0], LOCK_SH, &store, &rec, &err) < 0
      || image_verify (store, rec, image_record_name_for (rec, a->rest[0]), policy, &v, &err) < 0)
    return cli_fail (&err);
  printf ("%s: %s\n  policy: %s (scope %s, %s)\n", image_record_name_for (rec, a->rest[0]) ?: rec->id,
          v.accepted ? "accepted" : "rejected", trust_policy_source (policy), v.scope ? v.scope : "default",
          v.requirement ? v.requirement : "?");
  if (v.key)
    printf ("  key: %s\n", v.key);
  printf ("  why: %s\n", v.reason ? v.reason : "");
  code = v.accepted ? 0 : 1;
  trust_verdict_release (&v);
  return code;
}

static int
cmd_sign (struct image_args *a)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_image_store struct image_store *store = NULL;
  cleanup_image_record struct image_record *rec = NULL;
  cleanup_free char *payload = NULL;
  cleanup_free char *sig = NULL;
  cleanup_free char *repo = NULL;
  char digest[DIGEST_SHA256_LEN + 1];
  struct image_record_signature *sigs;
  cleanup_close int records_lock = -1;

  if (need_args (a, 1, 1, "sign") < 0)
    return EXIT_USAGE;
  if (a->key == NULL)
    {
      fputs ("cordon: image sign: --key KEY is required\n", stderr);
      return EXIT_USAGE;
    }
  if (open_record_locked (a, a->rest[0], LOCK_SH, &store, &rec, &records_lock, &err) < 0)
    return cli_fail (&err);
  if (rec->manifest == NULL)
    {
      cordon_error_set (&err, EINVAL, "image %.12s has no manifest digest (legacy docker save): it cannot be signed",
                        rec->id);
      return cli_fail (&err);
    }
  if (a->identity)
    repo = strdup (a->identity);
  else if (rec->names[0])
    {
      struct image_reference ref = { 0 };
      if (image_reference_parse (rec->names[0], &ref, &err) < 0)
        return cli_fail (&err);
      repo = image_reference_repository (&ref);
      image_reference_release (&ref);
    }
  if (repo == NULL)
    {
      cordon_error_set (&err, EINVAL, "image %.12s has no name: give --identity REPOSITORY", rec->id);
      return cli_fail (&err);
    }
  payload = cosign_payload_build (rec->manifest, repo);
  if (payload == NULL || cosign_sign (payload, strlen (payload), a->key, &sig, &err) < 0
      || image_store_put_blob_buffer (store, payload, strlen (payload), digest, &err) < 0)
    return err.msg ? cli_fail (&err) : (cordon_error_set (&err, ENOMEM, "out of memory"), cli_fail (&err));
  sigs = realloc (rec->sigs, (rec->n_sigs + 1) * sizeof *sigs);
  if (sigs == NULL)
    return cordon_error_set (&err, ENOMEM, "out of memory"), cli_fail (&err);
  rec->sigs = sigs;
  rec->sigs[rec->n_sigs].payload = strdup (digest);
  rec->sigs[rec->n_sigs].signature = steal_pointer (&sig);
  rec->n_sigs++;
  if (image_record_save (store, rec, &err) < 0)
    return cli_fail (&err);
  printf ("signed %s as %s\n", rec->manifest, repo);
  return 0;
}

static int
cmd_tag (struct image_args *a)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_image_store struct image_store *store = NULL;
  cleanup_image_record struct image_record *rec = NULL;
  cleanup_free char *full = NULL;
  struct image_reference ref = { 0 };
  cleanup_close int records_lock = -1;

  if (need_args (a, 2, 2, "tag") < 0)
    return EXIT_USAGE;
  if (open_record_locked (a, a->rest[0], LOCK_SH, &store, &rec, &records_lock, &err) < 0
      || image_reference_parse (a->rest[1], &ref, &err) < 0)
    return cli_fail (&err);
  full = image_reference_string (&ref);
  image_reference_release (&ref);
  if (full == NULL)
    return cordon_error_set (&err, ENOMEM, "out of memory"), cli_fail (&err);
  for (char **n = rec->names; *n; n++)
    if (strcmp (*n, full) == 0)
      return 0;
  if (strv_append (&rec->names, full) < 0)
    return cordon_error_set (&err, ENOMEM, "out of memory"), cli_fail (&err);
  if (image_record_save (store, rec, &err) < 0 || image_refs_set (store, full, rec->id, &err) < 0)
    return cli_fail (&err);
  return 0;
}

/* A sandbox running the image holds a shared lock on its record.  */
static int
record_in_use (struct image_store *store, const char *id)
{
  cleanup_free char *rel = NULL;
  cleanup_close int fd = -1;

  if (asprintf (&rel, "images/%s.json", id) < 0)
    return -ENOMEM;
  fd = openat (store->dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return 0;
  return flock (fd, LOCK_EX | LOCK_NB) < 0 ? 1 : 0;
}

static int
remove_one (struct image_store *store, const char *text, struct cordon_error *err)
{
  cleanup_free char *id = NULL;
  cleanup_image_record struct image_record *rec = NULL;
  cleanup_free char *rel = NULL;
  struct image_reference ref = { 0 };
  cleanup_free char *full = NULL;
  cleanup_error struct cordon_error ignored = { 0 };

  if (image_lookup (store, text, &id, err) < 0 || image_record_load (store, id, &rec, err) < 0)
    return cordon_error_code (err);
  /* A name of an image with several: only the name goes (Docker's untag).  */
  if (strv_length (rec->names) > 1 && image_reference_parse (text, &ref, &ignored) >= 0)
    {
      full = image_reference_string (&ref);
      image_reference_release (&ref);
      for (size_t i = 0; full && rec->names[i]; i++)
        if (strcmp (rec->names[i], full) == 0)
          {
            free (rec->names[i]);
            memmove (&rec->names[i], &rec->names[i + 1], (strv_length (rec->names + i + 1) + 1) * sizeof (char *));
            printf ("Untagged: %s\n", full);
            if (image_refs_remove (store, full, err) < 0)
              return cordon_error_code (err);
            return image_record_save (store, rec, err);
          }
    }
  if (record_in_use (store, id) > 0)
    return cordon_error_set (err, EBUSY, "image %.12s is in use by a running sandbox", id);
  for (char **n = rec->names; *n; n++)
    {
      image_refs_remove (store, *n, &ignored);
      printf ("Untagged: %s\n", *n);
    }
  if (asprintf (&rel, "images/%s.json", id) < 0)
    return cordon_error_set (err, ENOMEM, "out of memory");
  if (unlinkat (store->dirfd, rel, 0) < 0)
    return cordon_error_set (err, errno, "remove image %.12s", id);
  printf ("Deleted: %s\n", id);
  return 0;
}

static int
cmd_rm (struct image_args *a)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_image_store struct image_store *store = NULL;
  size_t blobs, layers;
  cleanup_close int records_lock = -1;
  int status = 0;

  if (need_args (a, 1, -1, "rm") < 0)
    return EXIT_USAGE;
  if (image_store_open (a->store, LOCK_EX, &store, &err) < 0)
    return cli_fail (&err);
  records_lock = image_records_lock (store, &err);
  if (records_lock < 0)
    return cli_fail (&err);
  for (int i = 0; i < a->n_rest; i++)
    if (remove_one (store, a->rest[i], &err) < 0)
      {
        fprintf (stderr, "cordon: %s\n", err.msg);
        cordon_error_release (&err);
        status = 1;
      }
  if (image_store_gc (store, &blobs, &layers, &err) < 0)
    return cli_fail (&err);
  return status;
}

static int
cmd_gc (struct image_args *a)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_image_store struct image_store *store = NULL;
  size_t blobs, layers;

  if (need_args (a, 0, 0, "gc") < 0)
    return EXIT_USAGE;
  if (image_store_open (a->store, LOCK_EX, &store, &err) < 0 || image_store_gc (store, &blobs, &layers, &err) < 0)
    return cli_fail (&err);
  printf ("removed %zu blobs and %zu layers\n", blobs, layers);
  return 0;
}

static int
cmd_keygen (struct image_args *a)
{
  cleanup_error struct cordon_error err = { 0 };

  if (need_args (a, 2, 2, "keygen") < 0)
    return EXIT_USAGE;
  if (cosign_generate_key_pair (a->rest[0], a->rest[1], &err) < 0)
    return cli_fail (&err);
  return 0;
}

int
cli_image (int argc, char **argv)
{
  static const struct
  {
    const char *name;
    int (*fn) (struct image_args *);
  } subs[] = {
    { "import", cmd_import }, { "ls", cmd_ls },     { "inspect", cmd_inspect }, { "verify", cmd_verify },
    { "sign", cmd_sign },     { "tag", cmd_tag },   { "rm", cmd_rm },           { "gc", cmd_gc },
    { "keygen", cmd_keygen },
  };
  struct image_args a = { 0 };

  /* Options may come before or after the subcommand (getopt permutes).  */
  if (parse_image_args (argc, argv, &a) < 0)
    return EXIT_USAGE;
  if (a.n_rest < 1)
    {
      fputs (image_usage, stderr);
      return EXIT_USAGE;
    }
  for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
    if (strcmp (a.rest[0], subs[i].name) == 0)
      {
        a.rest++;
        a.n_rest--;
        return subs[i].fn (&a);
      }
  fprintf (stderr, "cordon: image: unknown command `%s`\n%s", a.rest[0], image_usage);
  return EXIT_USAGE;
}
