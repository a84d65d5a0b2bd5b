/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CORDON_COMMON_FD_UTIL_H
#define CORDON_COMMON_FD_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Closes every fd >= 3 except those in `keep` (close_range(2)).  Returns 0
 * or -errno.  */
int fd_close_all_except (const int *keep, size_t n_keep);
/* The same from `from` up: the OCI runtime's --preserve-fds keeps 3..from-1.  */
int fd_close_from_except (unsigned int from, const int *keep, size_t n_keep);

/* Points stdin, stdout and stderr at /dev/null (a process that leaves its
 * caller: its pipes and terminal must not stay open in it).  An fd to keep
 * must be above 2 first.  0 or -errno.  */
int fd_stdio_to_devnull (void);

/* Reads a small file (procfs, cgroupfs) into `buf`, NUL-terminated; at most
 * size-1 bytes.  Returns the length or -errno.  */
ssize_t fd_read_small (const char *path, int extra_flags, char *buf, size_t size);

/* Writes all of `buf`, retrying on EINTR and short writes.  false when the
 * fd failed (a closed reader, a full disk).  */
bool fd_write_all (int fd, const void *buf, size_t len);

/* Reads all of the regular file `fd` (at most `max` bytes, else -EFBIG) into
 * a NUL-terminated heap buffer.  Returns 0 or -errno.  */
int fd_read_all (int fd, size_t max, char **buf, size_t *len);

#endif
