// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"
#include "ctl/control.h"

#define CTL_DEADLINE_NS (2000ull * 1000000) /* a client gets this long to send and to read */

/* One client connection: read a line, answer, close. */
struct ctl_conn {
	struct xlb_ctl_server *srv;
	int fd;
	char in[XLB_CTL_MAX_LINE];
	size_t in_len;
	char *out;
	size_t out_len, out_off;
	struct xlb_timer deadline;
};

static void conn_free(struct ctl_conn *c)
{
	xlb_timer_cancel(c->srv->loop, &c->deadline);
	xlb_loop_del_fd(c->srv->loop, c->fd);
	close(c->fd);
	free(c->out);
	free(c);
}

static void conn_deadline(struct xlb_loop *loop, struct xlb_timer *t)
{
	(void)loop;
	conn_free(t->arg);
}

/* A byte no request may hold: every control character but the closing newline, and DEL. */
static bool ctl_byte_bad(unsigned char ch)
{
	return ch < 0x20 || ch == 0x7f;
}

int xlb_ctl_parse(char *in, size_t len, const struct xlb_ctl_cmd *cmds, struct xlb_ctl_req *req,
		  char *err, size_t errlen)
{
	char *save = NULL, *tok, *nl;
	size_t i;

	memset(req, 0, sizeof(*req));
	/* Refused as soon as it arrives: memchr/strchr would stop at a NUL and wait for ever. */
	for (i = 0; i < len && in[i] != '\n'; i++) {
		if (ctl_byte_bad(in[i])) {
			snprintf(err, errlen, "malformed request: control characters");
			return -EINVAL;
		}
	}
	if (i == len) {
		if (len < XLB_CTL_MAX_LINE)
			return 0;
		snprintf(err, errlen, "malformed request: longer than %d bytes",
			 XLB_CTL_MAX_LINE - 1);
		return -EINVAL;
	}
	nl = in + i;
	*nl = '\0';
	for (tok = strtok_r(in, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (req->argc == XLB_CTL_MAX_ARGS) {
			snprintf(err, errlen, "malformed request: more than %d words",
				 XLB_CTL_MAX_ARGS);
			return -EINVAL;
		}
		req->argv[req->argc++] = tok;
	}
	if (!req->argc) {
		snprintf(err, errlen, "malformed request: empty");
		return -EINVAL;
	}
	for (req->cmd = cmds; req->cmd->name; req->cmd++)
		if (!strcmp(req->cmd->name, req->argv[0]))
			break;
	if (!req->cmd->name) {
		snprintf(err, errlen, "unknown command '%.64s'", req->argv[0]);
		return -EINVAL;
	}
	if (req->argc - 1 < req->cmd->min_args || req->argc - 1 > req->cmd->max_args) {
		snprintf(err, errlen, "%s takes %d to %d arguments", req->cmd->name,
			 req->cmd->min_args, req->cmd->max_args);
		return -EINVAL;
	}
	return 1;
}

/* Answer the request in c->in (parse's verdict in parsed) and leave the reply line in c->out. */
static void conn_dispatch(struct ctl_conn *c, bool allowed, int parsed, struct xlb_ctl_req *req,
			  char *err, size_t errlen)
{
	struct xlb_json j;
	FILE *f;
	int ret = parsed;

	f = open_memstream(&c->out, &c->out_len);
	if (!f)
		return;
	xlb_json_init(&j, f);
	xlb_json_object_begin(&j);

	if (!allowed) {
		ret = -EPERM;
		snprintf(err, errlen, "permission denied: the control socket is for root");
	}
	if (ret == 1) {
		/* The handler's members follow "ok"; on failure the reply is rebuilt below. */
		xlb_json_kv_bool(&j, "ok", true);
		ret = req->cmd->fn(c->srv->arg, req->argc - 1, req->argv + 1, &j, err, errlen);
	}
	if (ret < 0) {
		fclose(f);
		free(c->out);
		c->out = NULL;
		f = open_memstream(&c->out, &c->out_len);
		if (!f)
			return;
		xlb_json_init(&j, f);
		xlb_json_object_begin(&j);
		xlb_json_kv_bool(&j, "ok", false);
		xlb_json_kv_string(&j, "error", err[0] ? err : strerror(-ret));
		if (allowed && req->argc > 0)
			pr_info("control: refused '%s': %s", req->argv[0],
				err[0] ? err : strerror(-ret));
	}
	xlb_json_object_end(&j);
	xlb_json_finish(&j);
	fclose(f);
}

static void conn_event(struct xlb_loop *loop, int fd, uint32_t events, void *arg);

static void conn_write(struct ctl_conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EAGAIN) {
			xlb_loop_mod_fd(c->srv->loop, c->fd, EPOLLOUT, conn_event, c);
			return;
		}
		if (n <= 0)
			break;
		c->out_off += n;
	}
	conn_free(c);
}

static void conn_event(struct xlb_loop *loop, int fd, uint32_t events, void *arg)
{
	struct ctl_conn *c = arg;
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	struct xlb_ctl_req req;
	char err[2048] = "";
	int parsed;
	ssize_t n;

	(void)loop;
	(void)events;
	if (c->out) {
		conn_write(c);
		return;
	}
	n = recv(fd, c->in + c->in_len, XLB_CTL_MAX_LINE - c->in_len, MSG_DONTWAIT);
	if (n < 0 && errno == EAGAIN)
		return;
	if (n <= 0) {
		conn_free(c);
		return;
	}
	c->in_len += n;
	parsed = xlb_ctl_parse(c->in, c->in_len, c->srv->cmds, &req, err, sizeof(err));
	if (!parsed)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl))
		cred.uid = (uid_t)-1;
	conn_dispatch(c, cred.uid == 0, parsed, &req, err, sizeof(err));
	if (!c->out) {
		conn_free(c);
		return;
	}
	conn_write(c);
}

static void srv_accept(struct xlb_loop *loop, int fd, uint32_t events, void *arg)
{
	struct xlb_ctl_server *s = arg;
	struct ctl_conn *c;
	int cfd;

	(void)events;
	while ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		c = calloc(1, sizeof(*c));
		if (!c || xlb_loop_add_fd(loop, cfd, EPOLLIN, conn_event, c)) {
			free(c);
			close(cfd);
			continue;
		}
		c->srv = s;
		c->fd = cfd;
		xlb_timer_init(&c->deadline, conn_deadline, c);
		xlb_timer_arm(loop, &c->deadline, CTL_DEADLINE_NS);
	}
}

int xlb_ctl_listen(struct xlb_ctl_server *s, struct xlb_loop *loop, const char *path,
		   const struct xlb_ctl_cmd *cmds, void *arg)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[sizeof(sun.sun_path)], *slash;
	int err;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			return -errno;
	}
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -errno;
	/*
	 * A socket file left by an xlbd that did not stop cleanly would make bind fail: remove it,
	 * but only when nobody answers on it. A live xlbd there keeps its socket (and, since this
	 * comes first, its pins and interfaces too).
	 */
	if (!connect(s->fd, (struct sockaddr *)&sun, sizeof(sun)) || errno == EAGAIN) {
		err = -EADDRINUSE;
		goto fail;
	}
	close(s->fd);
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -errno;
	unlink(path);
	if (bind(s->fd, (struct sockaddr *)&sun, sizeof(sun)) || chmod(path, 0600) ||
	    listen(s->fd, 16)) {
		err = -errno;
		goto fail;
	}
	err = xlb_loop_add_fd(loop, s->fd, EPOLLIN, srv_accept, s);
	if (err)
		goto fail;
	s->loop = loop;
	s->cmds = cmds;
	s->arg = arg;
	snprintf(s->path, sizeof(s->path), "%s", path);
	return 0;
fail:
	close(s->fd);
	s->fd = -1;
	return err;
}

void xlb_ctl_close(struct xlb_ctl_server *s)
{
	if (!s->loop)
		return;
	xlb_loop_del_fd(s->loop, s->fd);
	close(s->fd);
	unlink(s->path);
	s->fd = -1;
	s->loop = NULL;
}
