/* SPDX-License-Identifier: Apache-2.0 */
/* bench/floor: what the kernel alone costs to start a sandbox, the floor
 * that bench/startup compares `cordon run` against.  It clones into new
 * user, mount, pid, net, ipc, uts and cgroup namespaces, writes the id maps
 * (container root = the caller rootless; the unprivileged root range as
 * root, by the same rule as the runner), execve's PROGRAM and waits.  No
 * rootfs, no mounts, no seccomp: everything cordon adds is above this.
 *
 * Usage: floor PROGRAM [ARGS...]; exits with PROGRAM's status (128+N when
 * killed by signal N, 125 when floor itself failed).  */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/host-probe.h"

#define FLOOR_FAILED 125
#define FLOOR_STACK_SIZE (256 * 1024)

struct floor_child
{
  char **argv;
  int go_fd; /* the parent writes one byte once the id maps are in place */
  bool root;
};

static int
floor_write (pid_t pid, const char *file, const char *content)
{
  char path[64];
  size_t len = strlen (content);
  ssize_t n;
  int fd;

  snprintf (path, sizeof path, "/proc/%d/%s", (int)pid, file);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    {
      fprintf (stderr, "floor: open %s: %s\n", path, strerror (errno));
      return -1;
    }
  n = write (fd, content, len);
  if (n != (ssize_t)len)
    {
      fprintf (stderr, "floor: write %s: %s\n", path, n < 0 ? strerror (errno) : "short write");
      close (fd);
      return -1;
    }
  return close (fd);
}

static int
floor_child_main (void *arg)
{
  struct floor_child *c = arg;
  char byte;

  if (read (c->go_fd, &byte, 1) != 1)
    _exit (FLOOR_FAILED); /* the parent failed and said why */
  /* As root the maps leave us host uid 0, unmapped: become container root,
   * as the runner's init does.  Rootless we already are.  */
  if (c->root && (setgroups (0, NULL) < 0 || setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0))
    {
      fprintf (stderr, "floor: become container root: %s\n", strerror (errno));
      _exit (FLOOR_FAILED);
    }
  execv (c->argv[0], c->argv);
  fprintf (stderr, "floor: execve %s: %s\n", c->argv[0], strerror (errno));
  _exit (errno == ENOENT ? 127 : 126);
}

int
main (int argc, char **argv)
{
  const int flags
      = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP;
  struct floor_child child = { .argv = argv + 1, .root = geteuid () == 0 };
  char uid_map[64], gid_map[64];
  uint32_t start, size;
  int go[2];
  int status;
  char *stack;
  pid_t pid;

  if (argc < 2 || strcmp (argv[1], "--help") == 0)
    {
      fprintf (argc < 2 ? stderr : stdout, "Usage: floor PROGRAM [ARGS...]\n");
      return argc < 2 ? 2 : 0;
    }
  if (child.root)
    {
      if (host_idmap_root_range (&start, &size) < 0)
        {
          fprintf (stderr, "floor: read /etc/subuid: %s\n", strerror (errno));
          return FLOOR_FAILED;
        }
      snprintf (uid_map, sizeof uid_map, "0 %u %u\n", start, size);
      snprintf (gid_map, sizeof gid_map, "0 %u %u\n", start, size);
    }
  else
    {
      snprintf (uid_map, sizeof uid_map, "0 %u 1\n", (unsigned)getuid ());
      snprintf (gid_map, sizeof gid_map, "0 %u 1\n", (unsigned)getgid ());
    }
  if (pipe2 (go, O_CLOEXEC) < 0)
    {
      perror ("floor: pipe");
      return FLOOR_FAILED;
    }
  child.go_fd = go[0];
  stack = mmap (NULL, FLOOR_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED)
    {
      perror ("floor: mmap stack");
      return FLOOR_FAILED;
    }
  pid = clone (floor_child_main, stack + FLOOR_STACK_SIZE, flags | SIGCHLD, &child);
  if (pid < 0)
    {
      perror ("floor: clone");
      return FLOOR_FAILED;
    }
  close (go[0]);
  /* setgroups must be denied before an unprivileged gid_map is accepted.  */
  if ((!child.root && floor_write (pid, "setgroups", "deny") < 0) || floor_write (pid, "uid_map", uid_map) < 0
      || floor_write (pid, "gid_map", gid_map) < 0)
    {
      close (go[1]);
      waitpid (pid, NULL, 0);
      return FLOOR_FAILED;
    }
  if (write (go[1], "g", 1) != 1)
    perror ("floor: wake the child");
  close (go[1]);
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      {
        perror ("floor: waitpid");
        return FLOOR_FAILED;
      }
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return WEXITSTATUS (status);
}
