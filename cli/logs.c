/* SPDX-License-Identifier: Apache-2.0 */
/* cordon logs: the output of a detached sandbox, each stream back on its
 * own (stdout on stdout, stderr on stderr), as `docker logs` gives it.  */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/lifecycle.h"
#include "common/cleanup.h"
#include "common/fd-util.h"
#include "sandbox/log.h"

static const char logs_usage[] = "Usage: cordon logs [-f] [--tail N] [-t] [--root DIR] ID|NAME\n"
                                 "\n"
                                 "Prints what the sandbox wrote to stdout and stderr (each to ours).\n"
                                 "\n"
                                 "  -f, --follow       keep printing until the sandbox ends\n"
                                 "  -n, --tail N       only the last N lines (all: every line)\n"
                                 "  -t, --timestamps   each line with the time it was written\n";

struct printer
{
  bool timestamps;
  bool line_start[2]; /* the next text of that stream starts a line */
};

static void
print_record (struct printer *p, const struct log_line *l)
{
  FILE *out = l->stream ? stderr : stdout;

  if (p->timestamps && p->line_start[l->stream])
    fprintf (out, "%s ", l->time);
  fwrite (l->text, 1, l->text_len, out);
  if (!l->partial)
    fputc ('\n', out);
  p->line_start[l->stream] = !l->partial;
}

/* Every complete record in buf[0..len); returns how many bytes it used (a
 * record still being written stays for the next read).  `skip` records are
 * passed over first.  */
static size_t
print_records (struct printer *p, char *buf, size_t len, size_t *skip)
{
  size_t used = 0;

  for (;;)
    {
      char *nl = memchr (buf + used, '\n', len - used);
      struct log_line l;

      if (nl == NULL)
        return used;
      if (log_parse_line (buf + used, (size_t)(nl - (buf + used)), &l))
        {
          if (*skip > 0)
            {
              if (!l.partial)
                (*skip)--;
            }
          else
            print_record (p, &l);
        }
      used = (size_t)(nl + 1 - buf);
    }
}

/* Lines (complete records) in a log.  */
static size_t
count_full_lines (char *text, size_t len)
{
  size_t n = 0, used = 0;
  char *copy = malloc (len + 1);

  if (copy == NULL)
    return 0;
  memcpy (copy, text, len);
  for (;;)
    {
      char *nl = memchr (copy + used, '\n', len - used);
      struct log_line l;
      if (nl == NULL)
        break;
      if (log_parse_line (copy + used, (size_t)(nl - (copy + used)), &l) && !l.partial)
        n++;
      used = (size_t)(nl + 1 - copy);
    }
  free (copy);
  return n;
}

static int
read_file_at (int dfd, const char *name, char **text, size_t *len, int *fd_out)
{
  cleanup_close int fd = openat (dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  int r;

  *text = NULL;
  *len = 0;
  if (fd < 0)
    return errno == ENOENT ? 0 : -errno;
  r = fd_read_all (fd, 64u << 20, text, len);
  if (r < 0)
    return r;
  if (fd_out)
    *fd_out = steal_fd (&fd);
  return 0;
}

static void
follow (struct printer *p, const struct sandbox_state *st, int dfd, int fd, char *carry, size_t carry_len)
{
  char *buf = malloc (1 << 20);
  size_t have = 0, none = 0;
  struct stat a, b;

  if (buf == NULL)
    return;
  if (carry_len < (1 << 20))
    {
      memcpy (buf, carry, carry_len);
      have = carry_len;
    }
  for (;;)
    {
      ssize_t n = fd >= 0 ? read (fd, buf + have, (1 << 20) - have) : 0;
      if (n > 0)
        {
          size_t used;
          have += (size_t)n;
          used = print_records (p, buf, have, &none);
          memmove (buf, buf + used, have - used);
          have -= used;
          if (have == (1 << 20))
            have = 0; /* a record longer than the buffer: drop it */
          fflush (stdout);
          fflush (stderr);
          continue;
        }
      /* Rotated: the file we read is now log.1; go on with the new one.  */
      if (fd < 0 || (fstatat (dfd, "log", &b, AT_SYMLINK_NOFOLLOW) == 0 && fstat (fd, &a) == 0 && a.st_ino != b.st_ino))
        {
          int nfd = openat (dfd, "log", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
          if (nfd >= 0)
            {
              if (fd >= 0)
                close (fd);
              fd = nfd;
              have = 0;
              continue;
            }
        }
      if (!state_monitor_alive (st))
        {
          /* One last read: what the monitor wrote before it exited.  */
          if (fd >= 0 && (n = read (fd, buf + have, (1 << 20) - have)) > 0)
            {
              have += (size_t)n;
              print_records (p, buf, have, &none);
            }
          break;
        }
      nanosleep (&(struct timespec){ 0, 100 * 1000 * 1000 }, NULL);
    }
  if (fd >= 0)
    close (fd);
  free (buf);
}

int
cli_logs (int argc, char **argv)
{
  static const struct option options[] = {
    { "follow", no_argument, NULL, 'f' },     { "tail", required_argument, NULL, 'n' },
    { "timestamps", no_argument, NULL, 't' }, { "root", required_argument, NULL, 'R' },
    { "help", no_argument, NULL, 'H' },       { NULL, 0, NULL, 0 },
  };
  cleanup_error struct cordon_error err = { 0 };
  struct printer p = { .line_start = { true, true } };
  struct state_root root;
  struct sandbox_state st;
  cleanup_free char *old = NULL, *cur = NULL;
  cleanup_close int dfd = -1;
  const char *root_dir = NULL;
  size_t old_len, cur_len, skip = 0, used;
  long tail = -1;
  bool follow_on = false;
  int fd = -1, c, r;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+fn:t", options, NULL)) != -1)
    switch (c)
      {
      case 'f':
        follow_on = true;
        break;
      case 'n':
        if (strcmp (optarg, "all") == 0)
          tail = -1;
        else
          {
            char *end;
            tail = strtol (optarg, &end, 10);
            if (*end || tail < 0)
              {
                fprintf (stderr, "cordon: logs: --tail `%s`: expected a number or all\n", optarg);
                return EXIT_USAGE;
              }
          }
        break;
      case 't':
        p.timestamps = true;
        break;
      case 'R':
        root_dir = optarg;
        break;
      case 'H':
        fputs (logs_usage, stdout);
        return 0;
      default:
        fprintf (stderr, "cordon: logs: unknown or incomplete option `%s`\n%s", argv[optind - 1], logs_usage);
        return EXIT_USAGE;
      }
  if (optind + 1 != argc)
    {
      fputs (logs_usage, stderr);
      return EXIT_USAGE;
    }
  if (lifecycle_open (root_dir, argv[optind], &root, &st, &err) < 0)
    return cli_fail (&err);
  dfd = openat (root.dfd, st.id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  r = dfd < 0 ? -errno : read_file_at (dfd, "log.1", &old, &old_len, NULL);
  if (r >= 0)
    r = read_file_at (dfd, "log", &cur, &cur_len, &fd);
  if (r < 0)
    {
      state_release (&st);
      state_root_close (&root);
      cordon_error_set (&err, -r, "sandbox %.12s: read the log", st.id);
      return cli_fail (&err);
    }
  if (tail >= 0)
    {
      size_t total = count_full_lines (old, old_len) + count_full_lines (cur, cur_len);
      skip = total > (size_t)tail ? total - (size_t)tail : 0;
    }
  if (old)
    print_records (&p, old, old_len, &skip);
  used = cur ? print_records (&p, cur, cur_len, &skip) : 0;
  fflush (stdout);
  fflush (stderr);
  if (follow_on)
    follow (&p, &st, dfd, fd, cur ? cur + used : NULL, cur ? cur_len - used : 0);
  else if (fd >= 0)
    close (fd);
  state_release (&st);
  state_root_close (&root);
  return 0;
}
