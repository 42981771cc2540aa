/* SPDX-License-Identifier: GPL-2.0-only */
/* xlbd's control socket, the server side; the protocol is in ctl/wire.h. */
#ifndef XLB_CONTROL_H
#define XLB_CONTROL_H

#include <stddef.h>

#include "common/loop.h"
#include "common/output.h"
#include "ctl/wire.h"

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

/* A request line split into words; argv points into the parsed buffer. */
struct xlb_ctl_req {
	const struct xlb_ctl_cmd *cmd;
	int argc;
	char *argv[XLB_CTL_MAX_ARGS];
};

/*
 * Judge the first len bytes a client has sent (no socket here, so it can be fuzzed alone).
 * Returns 0 while the line is incomplete and could still be valid; 1 for a complete request
 * naming a command of cmds with an argument count it takes (req filled in, in modified in
 * place: the newline and the separators become NULs; bytes after the newline are ignored); or
 * -EINVAL with the reason in err as soon as the request can be refused: a control character
 * (NUL included) or DEL before the newline, XLB_CTL_MAX_LINE bytes without one, more than
 * XLB_CTL_MAX_ARGS words, no word, an unknown command, a wrong argument count. Words are
 * separated by spaces.
 */
int xlb_ctl_parse(char *in, size_t len, const struct xlb_ctl_cmd *cmds, struct xlb_ctl_req *req,
		  char *err, size_t errlen);

/*
 * Serve path. A stale socket file there is replaced; one a live process answers on is not:
 * -EADDRINUSE. 0 or -errno; the caller logs.
 */
int xlb_ctl_listen(struct xlb_ctl_server *s, struct xlb_loop *loop, const char *path,
		   const struct xlb_ctl_cmd *cmds, void *arg);
/* Stop serving and remove the socket file; a no-op on a zeroed or never-listening server. */
void xlb_ctl_close(struct xlb_ctl_server *s);

#endif /* XLB_CONTROL_H */
