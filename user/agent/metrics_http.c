// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "agent/metrics_http.h"
#include "common/log.h"
#include "common/prom.h"

/* Scrapers are few; a connection that stalls is dropped before it ties up a slot for long. */
#define HTTP_MAX_CONNS 16
#define HTTP_TIMEOUT_S 10

struct xlb_metrics_http {
	struct MHD_Daemon *mhd;
	struct xlb_loop *loop;
	int epfd;               /* libmicrohttpd's, watched by the loop */
	struct xlb_timer timer; /* its next timeout */
	uint16_t port;
	xlb_metrics_collect_fn collect;
	void *arg;
};

static const char index_page[] =
	"<html><head><title>xlbd</title></head><body><h1>xlbd</h1>"
	"<p><a href=\"/metrics\">Metrics</a></p></body></html>\n";

static void mhd_log(void *arg, const char *fmt, va_list ap)
{
	char msg[256];

	(void)arg;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	pr_warn("metrics: %s", msg);
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status, const char *type,
			     void *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned int status, const char *s)
{
	return reply(c, status, "text/plain; charset=utf-8", (void *)s, strlen(s),
		     MHD_RESPMEM_PERSISTENT);
}

/* The whole scrape into memory first: its status is known before the first byte goes out. */
static enum MHD_Result scrape(struct xlb_metrics_http *h, struct MHD_Connection *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int err;

	f = open_memstream(&buf, &len);
	if (!f)
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	err = h->collect(h->arg, f);
	if (fclose(f) && !err)
		err = -ENOMEM;
	if (err) {
		pr_warn("metrics: a scrape failed: %s", strerror(-err));
		free(buf);
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "collecting failed\n");
	}
	return reply(c, MHD_HTTP_OK, XLB_PROM_CONTENT_TYPE, buf, len, MHD_RESPMEM_MUST_FREE);
}

/* Every request is answered at its first call: none of them takes a body. */
static enum MHD_Result on_request(void *arg, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *data_size, void **req)
{
	(void)version;
	(void)data;
	(void)data_size;
	(void)req;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
	if (!strcmp(url, "/metrics"))
		return scrape(arg, c);
	if (!strcmp(url, "/"))
		return reply(c, MHD_HTTP_OK, "text/html; charset=utf-8", (void *)index_page,
			     sizeof(index_page) - 1, MHD_RESPMEM_PERSISTENT);
	return reply_text(c, MHD_HTTP_NOT_FOUND, "not found: try /metrics\n");
}

/* libmicrohttpd's next deadline onto the loop's timer; 0 when it has work ready now. */
static void rearm(struct xlb_metrics_http *h)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (MHD_get_timeout(h->mhd, &ms) == MHD_YES)
		xlb_timer_arm(h->loop, &h->timer, ms * XLB_MS);
	else
		xlb_timer_cancel(h->loop, &h->timer);
}

static void on_ready(struct xlb_loop *loop, int fd, uint32_t events, void *arg)
{
	struct xlb_metrics_http *h = arg;

	(void)loop;
	(void)fd;
	(void)events;
	MHD_run(h->mhd);
	rearm(h);
}

static void on_timer(struct xlb_loop *loop, struct xlb_timer *t)
{
	on_ready(loop, -1, 0, t->arg);
}

static int listen_on(const struct xlb_addr *addr, uint16_t port, uint16_t *bound)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	unsigned int len;
	int fd, one = 1, err;

	xlb_addr_sockaddr(addr, port, 0, &ss, &len);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A restart rebinds at once, whatever connections of the last run are in TIME_WAIT. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (ss.ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one))) ||
	    bind(fd, (struct sockaddr *)&ss, len) || listen(fd, HTTP_MAX_CONNS) ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl)) {
		err = -errno;
		close(fd);
		return err;
	}
	*bound = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						: ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

int xlb_metrics_http_start(struct xlb_metrics_http **out, struct xlb_loop *loop,
			   const struct xlb_addr *addr, uint16_t port, xlb_metrics_collect_fn collect,
			   void *arg)
{
	const union MHD_DaemonInfo *info;
	struct xlb_metrics_http *h;
	char as[INET6_ADDRSTRLEN];
	bool v6 = addr->family == XLB_FAMILY_V6;
	int fd, err;

	*out = NULL;
	xlb_addr_str(addr, as, sizeof(as));
	h = calloc(1, sizeof(*h));
	if (!h) {
		pr_err("metrics: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	h->loop = loop;
	h->collect = collect;
	h->arg = arg;
	xlb_timer_init(&h->timer, on_timer, h);
	fd = listen_on(addr, port, &h->port);
	if (fd < 0) {
		pr_err("metrics: listening on %s%s%s:%u: %s", v6 ? "[" : "", as, v6 ? "]" : "", port,
		       strerror(-fd));
		free(h);
		return fd;
	}
	h->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, h,
				  /* first, so that every message comes through it */
				  MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h,
				  MHD_OPTION_LISTEN_SOCKET, fd,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP_MAX_CONNS,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_TIMEOUT_S,
				  MHD_OPTION_END);
	if (!h->mhd) {
		/* Single-threaded: the fd is still ours unless MHD closed it on its way out. */
		if (fcntl(fd, F_GETFD) >= 0)
			close(fd);
		pr_err("metrics: libmicrohttpd would not start on %s port %u", as, h->port);
		free(h);
		return -EIO;
	}
	info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	h->epfd = info ? info->epoll_fd : -1;
	err = h->epfd < 0 ? -EIO : xlb_loop_add_fd(loop, h->epfd, EPOLLIN, on_ready, h);
	if (err) {
		pr_err("metrics: watching libmicrohttpd's epoll fd: %s", strerror(-err));
		MHD_stop_daemon(h->mhd);
		free(h);
		return err;
	}
	rearm(h);
	pr_info("metrics: serving http://%s%s%s:%u/metrics", v6 ? "[" : "", as, v6 ? "]" : "",
		h->port);
	*out = h;
	return 0;
}

uint16_t xlb_metrics_http_port(const struct xlb_metrics_http *h)
{
	return h->port;
}

void xlb_metrics_http_stop(struct xlb_metrics_http *h)
{
	if (!h)
		return;
	xlb_timer_cancel(h->loop, &h->timer);
	xlb_loop_del_fd(h->loop, h->epfd);
	/* Closes the listener too: it was handed over at start. */
	MHD_stop_daemon(h->mhd);
	free(h);
}
