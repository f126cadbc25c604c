/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fd-limit.h -- how many more descriptors this process may open.  */

#ifndef COWUTILS_FD_LIMIT_H
#define COWUTILS_FD_LIMIT_H

/* Return how many more descriptors this process may open: its soft
   limit, less the descriptors open below it (not only the standard
   three: a shell or a test harness may pass more on, and under a small
   limit each one counts).  */
int fd_limit_free (void);

#endif
