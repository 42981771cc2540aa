/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xlbd's control socket: a unix stream socket, root only (checked by peer credentials). A client
 * sends one request line, "COMMAND [ARG...]\n", and reads one JSON reply line,
 * {"ok":true,...} or {"ok":false,"error":"..."}, then the server closes. A malformed request
 * gets an error reply and changes nothing.
 */
#ifndef XLB_CONTROL_H
#define XLB_CONTROL_H

#include <stddef.h>

#include "ctl_output.h"
#include "loop.h"

#define XLB_CTL_MAX_LINE 4096
#define XLB_CTL_MAX_ARGS 8

/*
 * A command handler writes its reply members into j (inside the reply object, after "ok"),
 * or returns -errno with a message in err.
 */
typedef int (*xlb_ctl_fn)(void *arg, int argc, char **argv, struct xlb_json *j, char *err,
			  size_t errlen);

struct xlb_ctl_cmd {
	const char *name;
	int min_args;
	int max_args;
	xlb_ctl_fn fn;
};

struct xlb_ctl_server {
	struct xlb_loop *loop;
	int fd;
	char path[108];
	const struct xlb_ctl_cmd *cmds; /* ends with a NULL name */
	void *arg;
};

/*
 * Serve path. A stale socket file there is replaced; one a live process answers on is not:
 * -EADDRINUSE. 0 or -errno; the caller logs.
 */
int xlb_ctl_listen(struct xlb_ctl_server *s, struct xlb_loop *loop, const char *path,
		   const struct xlb_ctl_cmd *cmds, void *arg);
/* Stop serving and remove the socket file; a no-op on a zeroed or never-listening server. */
void xlb_ctl_close(struct xlb_ctl_server *s);

/* Client side: send one request (argv joined by spaces) and read the reply line into *reply
 * (malloc'd). 0, or -errno. */
int xlb_ctl_request(const char *path, int argc, char **argv, char **reply);

#endif /* XLB_CONTROL_H */
