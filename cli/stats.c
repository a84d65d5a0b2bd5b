/* SPDX-License-Identifier: Apache-2.0 */
/* cordon stats: CPU, memory and pids of running sandboxes, as `docker
 * stats` shows them, summed over the processes of each sandbox's pid
 * namespace (/proc): the same numbers with or without a cgroup.  */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/lifecycle.h"
#include "common/cleanup.h"
#include "common/fd-util.h"
#include "sandbox/freezer.h"
#include "sandbox/spec.h"

struct sample
{
  uint64_t cpu_ticks;
  uint64_t rss_bytes;
  uint64_t tasks;
};

static void
add_process (pid_t pid, void *data)
{
  struct sample *s = data;
  char path[64], buf[1024];
  unsigned long utime, stime;
  long threads, rss;
  const char *p;

  snprintf (path, sizeof path, "/proc/%d/stat", (int)pid);
  if (fd_read_small (path, 0, buf, sizeof buf) <= 0 || (p = strrchr (buf, ')')) == NULL)
    return;
  /* Fields 14, 15 (utime, stime), 20 (threads) and 24 (rss pages).  */
  if (sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %*d %*d %*d %*d %ld %*d %*u %*u %ld", &utime,
              &stime, &threads, &rss)
      != 4)
    return;
  s->cpu_ticks += utime + stime;
  s->tasks += (uint64_t)threads;
  s->rss_bytes += (uint64_t)rss * (uint64_t)sysconf (_SC_PAGESIZE);
}

static int
take_sample (const struct sandbox_state *st, struct sample *s)
{
  *s = (struct sample){ 0 };
  return freezer_for_each_process (st->init_pid, add_process, s);
}

static double
now_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
human (uint64_t bytes, char *buf, size_t size)
{
  static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
  double v = (double)bytes;
  int u = 0;

  while (v >= 1024 && u < 4)
    {
      v /= 1024;
      u++;
    }
  snprintf (buf, size, u ? "%.2f%s" : "%.0f%s", v, units[u]);
}

/* The memory limit the sandbox was given (its config.json), or the host's.  */
static uint64_t
memory_limit (const struct state_root *root, const char *id)
{
  cleanup_error struct cordon_error err = { 0 };
  cleanup_free char *path = state_path (root, id, "config.json");
  struct cordon_spec *spec = NULL;
  uint64_t limit = 0;

  if (path && spec_load_file (path, &spec, &err) >= 0)
    {
      limit = spec->resources.memory_limit;
      spec_free (spec);
    }
  if (limit == 0)
    limit = (uint64_t)sysconf (_SC_PHYS_PAGES) * (uint64_t)sysconf (_SC_PAGESIZE);
  return limit;
}

static volatile sig_atomic_t interrupted;

static void
on_signal (int sig)
{
  (void)sig;
  interrupted = 1;
}

int
cli_stats (int argc, char **argv)
{
  static const struct option options[] = {
    { "no-stream", no_argument, NULL, 'n' },
    { "format", required_argument, NULL, 'F' },
    { "root", required_argument, NULL, 'R' },
    { "help", no_argument, NULL, 'H' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_error struct cordon_error err = { 0 };
  const char *root_dir = NULL;
  bool stream = true, json = false;
  struct state_root root;
  struct sandbox_state st;
  uint64_t limit;
  long hz = sysconf (_SC_CLK_TCK);
  int c;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+", options, NULL)) != -1)
    switch (c)
      {
      case 'n':
        stream = false;
        break;
      case 'F':
        json = strcmp (optarg, "json") == 0;
        break;
      case 'R':
        root_dir = optarg;
        break;
      case 'H':
        printf ("Usage: cordon stats [--no-stream] [--format json] [--root DIR] ID|NAME\n\n"
                "CPU, memory and pids of a running sandbox, every second (--no-stream: once).\n");
        return 0;
      default:
        fprintf (stderr, "cordon: stats: unknown or incomplete option `%s`\n", argv[optind - 1]);
        return EXIT_USAGE;
      }
  if (optind + 1 != argc)
    {
      fputs ("Usage: cordon stats [--no-stream] ID|NAME\n", stderr);
      return EXIT_USAGE;
    }
  if (lifecycle_open (root_dir, argv[optind], &root, &st, &err) < 0)
    return cli_fail (&err);
  if (!lifecycle_is_running (&st) || st.status != STATE_RUNNING)
    {
      cordon_error_set (&err, 0, "Container %s is not running", st.id);
      state_release (&st);
      state_root_close (&root);
      return cli_fail (&err);
    }
  limit = memory_limit (&root, st.id);
  signal (SIGINT, on_signal);
  signal (SIGTERM, on_signal);
  if (!json)
    printf ("%-14s %-20s %-8s %-22s %-7s %s\n", "SANDBOX ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "PIDS");
  for (;;)
    {
      struct sample a, b;
      double t0 = now_seconds (), t1;
      char used[32], lim[32];
      double cpu;

      cleanup_close int pidfd = lifecycle_pidfd (st.init_pid, st.init_start);

      /* The pidfd keeps init's pid from naming another process meanwhile.  */
      if (pidfd < 0 || take_sample (&st, &a) < 0)
        break;
      nanosleep (&(struct timespec){ 0, stream ? 999000000L : 500000000L }, NULL);
      if (take_sample (&st, &b) <= 0)
        break;
      t1 = now_seconds ();
      cpu = b.cpu_ticks >= a.cpu_ticks ? (double)(b.cpu_ticks - a.cpu_ticks) / (double)hz / (t1 - t0) * 100.0 : 0;
      human (b.rss_bytes, used, sizeof used);
      human (limit, lim, sizeof lim);
      if (json)
        printf ("{\"id\":\"%s\",\"name\":\"%s\",\"cpu_percent\":%.2f,\"memory_bytes\":%llu,\"memory_limit\":%llu,"
                "\"pids\":%llu}\n",
                st.id, st.name ? st.name : "", cpu, (unsigned long long)b.rss_bytes, (unsigned long long)limit,
                (unsigned long long)b.tasks);
      else
        {
          char mem[80], cpu_text[16], mem_pct[16];
          snprintf (mem, sizeof mem, "%s / %s", used, lim);
          snprintf (cpu_text, sizeof cpu_text, "%.2f%%", cpu);
          snprintf (mem_pct, sizeof mem_pct, "%.2f%%", limit ? 100.0 * (double)b.rss_bytes / (double)limit : 0);
          printf ("%-14.12s %-20s %-8s %-22s %-7s %llu\n", st.id, st.name ? st.name : "--", cpu_text, mem, mem_pct,
                  (unsigned long long)b.tasks);
        }
      fflush (stdout);
      if (!stream || interrupted)
        break;
    }
  state_release (&st);
  state_root_close (&root);
  return 0;
}
