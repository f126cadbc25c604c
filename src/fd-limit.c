/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fd-limit.c -- how many more descriptors this process may open, for
   the walks that keep directories open (copy-tree, snap-diff).  */

#include "system.h"

#include <limits.h>
#include <sys/resource.h>

#include "fd-limit.h"

/* The descriptors left; see fd-limit.h.  */
int
fd_limit_free (void)
{
  struct rlimit rl;
  if (getrlimit (RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY
      || INT_MAX / 2 < rl.rlim_cur)
    return INT_MAX / 2;
  int limit = rl.rlim_cur;
  /* Under a limit of thousands, a descriptor passed on high up cannot
     matter: only the first 256 are looked at then.  */
  int look = limit <= 4096 ? limit : 256;
  int open_fds = 0;
  for (int fd = 0; fd < look; fd++)
    if (0 <= fcntl (fd, F_GETFD))
      open_fds++;
  return limit - open_fds;
}
