/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CORDON_COMMON_FD_UTIL_H
#define CORDON_COMMON_FD_UTIL_H

#include <stddef.h>

/* Closes every fd >= 3 except those in `keep` (close_range(2)).  Returns 0
 * or -errno.  */
int fd_close_all_except (const int *keep, size_t n_keep);

#endif
