/* SPDX-License-Identifier: Apache-2.0 */
#include "sandbox/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

int
log_writer_open (struct log_writer *w, int dirfd, uint64_t max, struct cordon_error *err)
{
  struct stat sb;

  w->fd = -1;
  w->dirfd = fcntl (dirfd, F_DUPFD_CLOEXEC, 3);
  if (w->dirfd < 0)
    return cordon_error_set (err, errno, "log directory");
  w->fd = openat (w->dirfd, "log", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (w->fd < 0 || fstat (w->fd, &sb) < 0)
    return cordon_error_set (err, errno, "open the log");
  w->size = (uint64_t)sb.st_size;
  w->max = max ? max : LOG_DEFAULT_MAX;
  return 0;
}

static void
rotate (struct log_writer *w)
{
  int fd;

  /* log.1 goes first: a reader opens log.1 then log, and never finds the
   * same lines twice.  */
  if (renameat (w->dirfd, "log", w->dirfd, "log.1") < 0)
    return;
  fd = openat (w->dirfd, "log", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return; /* keep writing to the old file past its cap rather than lose the output */
  close (w->fd);
  w->fd = fd;
  w->size = 0;
}

static void
write_record (struct log_writer *w, const char *stamp, int stream, bool partial, const char *text, size_t len)
{
  char head[80];
  int n = snprintf (head, sizeof head, "%s %s %c ", stamp, stream ? "stderr" : "stdout", partial ? 'P' : 'F');
  struct iovec iov[3] = {
    { head, (size_t)n },
    { (void *)text, len },
    { (void *)"\n", 1 },
  };
  size_t total = (size_t)n + len + 1;
  ssize_t r;

  if (w->size > 0 && w->size + total > w->max)
    rotate (w);
  do
    r = writev (w->fd, iov, 3);
  while (r < 0 && errno == EINTR);
  if (r > 0)
    w->size += (uint64_t)r;
}

void
log_writer_write (struct log_writer *w, int stream, const char *buf, size_t len)
{
  struct timespec ts;
  struct tm tm;
  char stamp[48];
  size_t n;

  if (w->fd < 0)
    return;
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  n = strftime (stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (stamp + n, sizeof stamp - n, ".%09ldZ", ts.tv_nsec);
  while (len > 0)
    {
      const char *nl = memchr (buf, '\n', len);
      size_t line = nl ? (size_t)(nl - buf) : len;

      write_record (w, stamp, stream, nl == NULL, buf, line);
      if (nl == NULL)
        break;
      buf += line + 1;
      len -= line + 1;
    }
}

void
log_writer_close (struct log_writer *w)
{
  if (w->fd >= 0)
    close (w->fd);
  if (w->dirfd >= 0)
    close (w->dirfd);
  w->fd = w->dirfd = -1;
}

bool
log_parse_line (char *line, size_t len, struct log_line *out)
{
  char *sp1 = memchr (line, ' ', len), *sp2, *sp3;

  if (sp1 == NULL)
    return false;
  sp2 = memchr (sp1 + 1, ' ', len - (size_t)(sp1 + 1 - line));
  if (sp2 == NULL || sp2 + 2 >= line + len || sp2[2] != ' ')
    {
      /* "TIME STREAM T" with an empty text has no trailing text at all.  */
      if (sp2 == NULL || sp2 + 2 != line + len)
        return false;
    }
  *sp1 = '\0';
  *sp2 = '\0';
  out->time = line;
  if (strcmp (sp1 + 1, "stdout") == 0)
    out->stream = 0;
  else if (strcmp (sp1 + 1, "stderr") == 0)
    out->stream = 1;
  else
    return false;
  if (sp2[1] != 'P' && sp2[1] != 'F')
    return false;
  out->partial = sp2[1] == 'P';
  sp3 = sp2 + 2;
  if (sp3 >= line + len)
    {
      out->text = sp3;
      out->text_len = 0;
      return true;
    }
  out->text = sp3 + 1;
  out->text_len = len - (size_t)(sp3 + 1 - line);
  return true;
}
