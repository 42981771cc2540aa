/* SPDX-License-Identifier: GPL-2.0-only */
/* xlbctl's side of xlbd's control socket (ctl/wire.h). */
#ifndef XLB_CLI_CLIENT_H
#define XLB_CLI_CLIENT_H

/* Send one request (argv joined by spaces) and read the reply line into *reply (malloc'd).
 * 0, or -errno. */
int xlb_ctl_request(const char *path, int argc, char **argv, char **reply);

#endif /* XLB_CLI_CLIENT_H */
