// SPDX-License-Identifier: GPL-2.0-only
/*
 * Health checks. Each checker is a small state machine driven by xlbd's loop:
 *
 *   interval timer -> start (connect / send / fork) -> fd or pidfd events -> done -> rise/fall
 *
 * plus a timeout timer armed at the start of every check. Nothing here blocks: sockets are
 * non-blocking, a connect is finished by EPOLLOUT + SO_ERROR, an exec check's child is started,
 * watched and reaped by common/spawn (xlb_child_*), its exit status being the check's result.
 * The one exception is xlb_hc_stop(), which may wait (bounded) for a child it has just
 * SIGKILLed, because the caller is allowed to free the checker as soon as stop returns.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check/health.h"
#include "common/addr.h"
#include "common/log.h"
#include "common/spawn.h"

#define NS_PER_MS 1000000ull

enum hc_phase {
	HC_IDLE = 0, /* between checks */
	HC_CONNECT,  /* tcp, http: connect() in flight, waiting for EPOLLOUT */
	HC_SEND,     /* http: request partly sent, waiting for EPOLLOUT */
	HC_RECV,     /* http: reading the reply; udp: waiting for the reply */
	HC_EXEC,     /* exec: child running, waiting for it to exit */
	HC_REAP,     /* exec: timed out and killed, result recorded; waiting to reap the child */
};

/* "192.0.2.11:80", "[2001:db8::1]:80", or the bare address when there is no port (exec). */
static const char *hc_name(const struct xlb_hc *hc, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	xlb_addr_str(&hc->addr, a, sizeof(a));
	if (!hc->conf.port)
		snprintf(buf, len, "%s", a);
	else if (hc->addr.family == XLB_FAMILY_V6)
		snprintf(buf, len, "[%s]:%u", a, hc->conf.port);
	else
		snprintf(buf, len, "%s:%u", a, hc->conf.port);
	return buf;
}

static socklen_t hc_sockaddr(const struct xlb_hc *hc, struct sockaddr_storage *ss)
{
	unsigned int len;

	xlb_addr_sockaddr(&hc->addr, hc->conf.port, 0, ss, &len);
	return len;
}

/* Short, lower-case reasons: they end up in last_result, xlbctl's output and the log. */
static const char *hc_strerror(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return "connection refused";
	case ECONNRESET:
	case EPIPE:
		return "connection reset";
	case ETIMEDOUT:
		return "timeout";
	case EHOSTUNREACH:
		return "host unreachable";
	case ENETUNREACH:
		return "network unreachable";
	}
	return strerror(err);
}

/*
 * Close the check's socket. A TCP check connects, learns what it needs and goes, so closing
 * normally would leave the checker as the active closer with a TIME_WAIT socket for 60 s per
 * check: with thousands of backends every couple of seconds that is tens of thousands of
 * TIME_WAIT entries and ephemeral ports held toward the same backend:port. An RST close
 * (SO_LINGER {1, 0}), as HAProxy and other checkers do, leaves nothing behind on either side;
 * a timed-out or failed HTTP exchange is cut the same way. Only after an HTTP reply read to EOF
 * do we close normally: the server closed first ("Connection: close"), so the TIME_WAIT is its
 * own and our FIN is the polite end of the exchange.
 */
static void hc_close(struct xlb_hc *hc, bool rst)
{
	if (hc->fd < 0)
		return;
	if (rst && hc->conf.type != XLB_HC_UDP) {
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(hc->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	xlb_loop_del_fd(hc->loop, hc->fd);
	close(hc->fd);
	hc->fd = -1;
}

const uint32_t xlb_hc_lat_le_us[XLB_HC_LAT_BUCKETS] = {
	500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000,
	5000000,
};

static void hc_count_latency(struct xlb_hc *hc, uint64_t us)
{
	size_t i;

	for (i = 0; i < XLB_HC_LAT_BUCKETS && us > xlb_hc_lat_le_us[i]; i++)
		;
	hc->lat_count[i]++;
	hc->lat_sum_us += us;
}

static void hc_done(struct xlb_hc *hc, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * A check ended: record it, apply rise/fall. The change is logged by on_change, which knows the
 * backend's VIP: the line names its subject whole. on_change is called last because it may stop and
 * free the checker; nothing may touch hc after it, here or in our callers.
 */
static void hc_done(struct xlb_hc *hc, bool ok, const char *fmt, ...)
{
	uint64_t now = xlb_now_ns();
	bool changed = false;
	char name[64];
	va_list ap;

	xlb_timer_cancel(hc->loop, &hc->timeout_timer);
	hc_close(hc, true);
	if (hc->phase != HC_REAP)
		hc->phase = HC_IDLE;

	va_start(ap, fmt);
	vsnprintf(hc->last_result, sizeof(hc->last_result), fmt, ap);
	va_end(ap);
	hc->has_result = true;
	hc->last_ok = ok;
	hc->last_latency_us = (now - hc->started_ns) / 1000;
	hc->checks++;
	hc_count_latency(hc, hc->last_latency_us);
	if (ok) {
		hc->ok_run++;
		hc->fail_run = 0;
		if (!hc->up && hc->ok_run >= hc->conf.rise) {
			hc->up = true;
			changed = true;
		}
	} else {
		hc->failed++;
		hc->fail_run++;
		hc->ok_run = 0;
		if (hc->up && hc->fail_run >= hc->conf.fall) {
			hc->up = false;
			changed = true;
		}
	}
	pr_debug("health: %s %s %s in %llu us", xlb_hc_type_name(hc->conf.type),
		 hc_name(hc, name, sizeof(name)), hc->last_result,
		 (unsigned long long)hc->last_latency_us);

	/* The interval ran out during this check: the next one is already late. */
	if (hc->phase == HC_IDLE && hc->due) {
		hc->due = false;
		xlb_timer_arm(hc->loop, &hc->interval_timer, 0);
	}
	if (changed) {
		hc->since_ns = now;
		if (hc->on_change)
			hc->on_change(hc, hc->arg);
	}
}

/* --- http --- */

/* The status code of "HTTP/1.x NNN ...", or -1 when the reply does not start like that. */
static int hc_http_status(const char *p, const char *end)
{
	if (end - p < 12 || memcmp(p, "HTTP/1.", 7) || p[7] < '0' || p[7] > '9' || p[8] != ' ')
		return -1;
	p += 9;
	while (p < end && *p == ' ')
		p++;
	if (end - p < 3 || p[0] < '1' || p[0] > '9' || p[1] < '0' || p[1] > '9' || p[2] < '0' ||
	    p[2] > '9')
		return -1;
	if (end - p > 3 && p[3] != ' ' && p[3] != '\r' && p[3] != '\n')
		return -1;
	return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
}

/* Does the body (after the blank line) contain expect_body? Bare-LF servers exist. */
static bool hc_http_body_ok(const struct xlb_hc *hc)
{
	const char *end = hc->buf + hc->len, *body;

	body = memmem(hc->buf, hc->len, "\r\n\r\n", 4);
	if (body) {
		body += 4;
	} else {
		body = memmem(hc->buf, hc->len, "\n\n", 2);
		if (!body)
			return false;
		body += 2;
	}
	return memmem(body, end - body, hc->conf.expect_body, strlen(hc->conf.expect_body));
}

/* Judge a reply. Only what fits in hc->buf is looked at. */
static void hc_http_judge(struct xlb_hc *hc)
{
	int status = hc_http_status(hc->buf, hc->buf + hc->len);

	if (status < 0)
		hc_done(hc, false, "bad reply");
	else if (status != hc->conf.expect_status)
		hc_done(hc, false, "status %d", status);
	else if (hc->conf.expect_body[0] && !hc_http_body_ok(hc))
		hc_done(hc, false, "body mismatch");
	else
		hc_done(hc, true, "ok");
}

static void hc_http_recv(struct xlb_hc *hc)
{
	ssize_t n;

	for (;;) {
		n = recv(hc->fd, hc->buf + hc->len, sizeof(hc->buf) - 1 - hc->len, 0);
		if (n > 0) {
			hc->len += n;
			if (hc->len < sizeof(hc->buf) - 1)
				continue;
			hc_http_judge(hc); /* enough to judge; the rest is cut */
			return;
		}
		if (n == 0) {
			hc_close(hc, false); /* the server closed first: see hc_close() */
			hc_http_judge(hc);
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN)
			return;
		/* A reply then an RST (server closed with our request unread) still counts. */
		if (errno == ECONNRESET && hc->len)
			hc_http_judge(hc);
		else
			hc_done(hc, false, "%s", hc_strerror(errno));
		return;
	}
}

static void hc_fd_cb(struct xlb_loop *loop, int fd, uint32_t events, void *arg);

static void hc_http_send(struct xlb_hc *hc)
{
	size_t total = strlen(hc->buf);
	ssize_t n;
	int err;

	while (hc->len < total) {
		n = send(hc->fd, hc->buf + hc->len, total - hc->len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				hc_done(hc, false, "%s", hc_strerror(errno));
			return; /* EAGAIN: still registered for EPOLLOUT */
		}
		hc->len += n;
	}
	hc->phase = HC_RECV;
	hc->len = 0;
	err = xlb_loop_mod_fd(hc->loop, hc->fd, EPOLLIN, hc_fd_cb, hc);
	if (err)
		hc_done(hc, false, "epoll: %s", strerror(-err));
}

/* HTTP/1.0 with Connection: close, so the reply ends at EOF and needs no chunked parsing. */
static void hc_http_start(struct xlb_hc *hc)
{
	char a[INET6_ADDRSTRLEN];
	bool v6 = hc->addr.family == XLB_FAMILY_V6;

	xlb_addr_str(&hc->addr, a, sizeof(a));
	snprintf(hc->buf, sizeof(hc->buf),
		 "GET %s HTTP/1.0\r\nHost: %s%s%s\r\nUser-Agent: xlb-health\r\n"
		 "Connection: close\r\n\r\n",
		 hc->conf.path, v6 ? "[" : "", a, v6 ? "]" : "");
	hc->phase = HC_SEND;
	hc->len = 0;
	hc_http_send(hc);
}

/* --- tcp (and http's connect) --- */

static void hc_connected(struct xlb_hc *hc)
{
	if (hc->conf.type == XLB_HC_HTTP)
		hc_http_start(hc);
	else
		hc_done(hc, true, "ok");
}

static void hc_connect_event(struct xlb_hc *hc)
{
	socklen_t len = sizeof(int);
	int soerr = 0;

	if (getsockopt(hc->fd, SOL_SOCKET, SO_ERROR, &soerr, &len))
		soerr = errno;
	if (soerr)
		hc_done(hc, false, "%s", hc_strerror(soerr));
	else
		hc_connected(hc);
}

static void hc_tcp_start(struct xlb_hc *hc)
{
	struct sockaddr_storage ss;
	socklen_t sl = hc_sockaddr(hc, &ss);
	bool connected;
	int err;

	hc->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (hc->fd < 0) {
		hc_done(hc, false, "socket: %s", strerror(errno));
		return;
	}
	connected = !connect(hc->fd, (struct sockaddr *)&ss, sl);
	if (!connected && errno != EINPROGRESS) {
		hc_done(hc, false, "%s", hc_strerror(errno));
		return;
	}
	/* Watched even when connected at once: http still has its exchange to do. */
	hc->phase = HC_CONNECT;
	err = xlb_loop_add_fd(hc->loop, hc->fd, EPOLLOUT, hc_fd_cb, hc);
	if (err)
		hc_done(hc, false, "epoll: %s", strerror(-err));
	else if (connected)
		hc_connected(hc);
}

/* --- udp --- */

/* The kernel turns an ICMP port unreachable into ECONNREFUSED on a connected socket. */
static void hc_udp_fail(struct xlb_hc *hc, int err)
{
	if (err == ECONNREFUSED)
		hc_done(hc, false, "port unreachable");
	else
		hc_done(hc, false, "%s", hc_strerror(err));
}

static void hc_udp_recv(struct xlb_hc *hc)
{
	size_t elen = strlen(hc->conf.expect);
	ssize_t n;

	do
		n = recv(hc->fd, hc->buf, sizeof(hc->buf) - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return;
	if (n < 0) {
		hc_udp_fail(hc, errno);
		return;
	}
	hc->len = n;
	if (elen && !memmem(hc->buf, hc->len, hc->conf.expect, elen))
		hc_done(hc, false, "reply mismatch");
	else
		hc_done(hc, true, "ok");
}

/* connect() so the kernel reports ICMP errors for this peer to this socket. */
static void hc_udp_start(struct xlb_hc *hc)
{
	struct sockaddr_storage ss;
	socklen_t sl = hc_sockaddr(hc, &ss);
	int err;

	hc->fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (hc->fd < 0) {
		hc_done(hc, false, "socket: %s", strerror(errno));
		return;
	}
	if (connect(hc->fd, (struct sockaddr *)&ss, sl)) {
		hc_done(hc, false, "%s", hc_strerror(errno));
		return;
	}
	if (send(hc->fd, hc->conf.payload, strlen(hc->conf.payload), 0) < 0) {
		hc_udp_fail(hc, errno);
		return;
	}
	hc->phase = HC_RECV;
	err = xlb_loop_add_fd(hc->loop, hc->fd, EPOLLIN, hc_fd_cb, hc);
	if (err)
		hc_done(hc, false, "epoll: %s", strerror(-err));
}

static void hc_fd_cb(struct xlb_loop *loop, int fd, uint32_t events, void *arg)
{
	struct xlb_hc *hc = arg;

	(void)loop;
	(void)fd;
	(void)events;
	if (hc->phase == HC_CONNECT)
		hc_connect_event(hc);
	else if (hc->phase == HC_SEND)
		hc_http_send(hc);
	else if (hc->phase == HC_RECV && hc->conf.type == XLB_HC_UDP)
		hc_udp_recv(hc);
	else if (hc->phase == HC_RECV)
		hc_http_recv(hc);
}

/* --- exec --- */

static void hc_exec_exit(const siginfo_t *si, void *arg)
{
	struct xlb_hc *hc = arg;

	hc->child = NULL;
	if (hc->phase == HC_REAP) {
		/* The timeout already recorded this check; only the next one may be waiting. */
		hc->phase = HC_IDLE;
		if (hc->due) {
			hc->due = false;
			xlb_timer_arm(hc->loop, &hc->interval_timer, 0);
		}
		return;
	}
	if (si->si_code == CLD_EXITED && si->si_status == 0)
		hc_done(hc, true, "ok");
	else if (si->si_code == CLD_EXITED)
		hc_done(hc, false, "exit %d", si->si_status);
	else if (si->si_code == CLD_KILLED || si->si_code == CLD_DUMPED)
		hc_done(hc, false, "signal %d", si->si_status);
	else
		hc_done(hc, false, "exit status lost");
}

static void hc_exec_start(struct xlb_hc *hc)
{
	char a[INET6_ADDRSTRLEN], env_backend[16 + INET6_ADDRSTRLEN], env_port[24];
	char env_path[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
	char *envp[] = { env_backend, env_port, env_path, NULL };
	/* The check's own timeout timer kills it: one deadline for every type of check. */
	struct xlb_child_conf conf = {
		.command = hc->conf.command,
		.envp = envp,
		.stderr_null = true,
		.on_exit = hc_exec_exit,
		.arg = hc,
	};
	int err;

	snprintf(env_backend, sizeof(env_backend), "XLB_BACKEND=%s",
		 xlb_addr_str(&hc->addr, a, sizeof(a)));
	snprintf(env_port, sizeof(env_port), "XLB_PORT=%u", hc->conf.port);
	err = xlb_child_start(hc->loop, &conf, &hc->child);
	if (err) {
		hc_done(hc, false, "fork: %s", strerror(-err));
		return;
	}
	hc->phase = HC_EXEC;
}

/* --- timers --- */

static void hc_timeout_cb(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct xlb_hc *hc = t->arg;

	(void)loop;
	if (hc->phase == HC_EXEC) {
		/*
		 * The child dies asynchronously: record the result now, and let hc_exec_exit()
		 * see it reaped before the next check starts.
		 */
		xlb_child_kill(hc->child);
		hc->phase = HC_REAP;
	}
	if (hc->phase != HC_IDLE)
		hc_done(hc, false, "timeout");
}

static void hc_interval_cb(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct xlb_hc *hc = t->arg;
	int err;

	if (hc->phase != HC_IDLE) {
		hc->due = true; /* checks never overlap; the running one starts the next */
		return;
	}
	hc->started_ns = xlb_now_ns();
	hc->len = 0;
	/* From the start of this check, so a slow check does not stretch the period. */
	err = xlb_timer_arm(loop, &hc->interval_timer, hc->conf.interval_ms * NS_PER_MS);
	if (!err)
		err = xlb_timer_arm(loop, &hc->timeout_timer, hc->conf.timeout_ms * NS_PER_MS);
	if (err)
		pr_warn("health: arming timers: %s", strerror(-err));

	if (hc->conf.type == XLB_HC_TCP || hc->conf.type == XLB_HC_HTTP)
		hc_tcp_start(hc);
	else if (hc->conf.type == XLB_HC_UDP)
		hc_udp_start(hc);
	else if (hc->conf.type == XLB_HC_EXEC)
		hc_exec_start(hc);
}

/* --- API --- */

void xlb_hc_init(struct xlb_hc *hc, const struct xlb_cfg_health *conf, const struct xlb_addr *addr,
		 uint16_t vip_port, bool initially_up, xlb_hc_change_cb on_change, void *arg)
{
	memset(hc, 0, sizeof(*hc));
	hc->conf = *conf;
	hc->addr = *addr;
	hc->on_change = on_change;
	hc->arg = arg;
	if (!hc->conf.port)
		hc->conf.port = vip_port;
	/* The parser sets these; a zero would mean flapping on every check, or never checking. */
	if (!hc->conf.interval_ms)
		hc->conf.interval_ms = XLB_HC_DEFAULT_INTERVAL_MS;
	if (!hc->conf.timeout_ms)
		hc->conf.timeout_ms = XLB_HC_DEFAULT_TIMEOUT_MS;
	if (!hc->conf.rise)
		hc->conf.rise = 1;
	if (!hc->conf.fall)
		hc->conf.fall = 1;
	if (!hc->conf.path[0])
		strcpy(hc->conf.path, "/");
	if (!hc->conf.expect_status)
		hc->conf.expect_status = 200;

	hc->up = hc->conf.type == XLB_HC_NONE || initially_up;
	hc->since_ns = xlb_now_ns();
	hc->fd = -1;
	xlb_timer_init(&hc->interval_timer, hc_interval_cb, hc);
	xlb_timer_init(&hc->timeout_timer, hc_timeout_cb, hc);
}

int xlb_hc_start(struct xlb_loop *loop, struct xlb_hc *hc, uint64_t first_delay_ns)
{
	int err;

	if (hc->conf.type == XLB_HC_NONE)
		return 0;
	if (hc->loop)
		return -EBUSY;
	hc->loop = loop;
	hc->since_ns = xlb_now_ns();
	/* Even with no delay, start from the loop: on_change must never run inside this call. */
	err = xlb_timer_arm(loop, &hc->interval_timer, first_delay_ns);
	if (err) {
		hc->loop = NULL;
		pr_err("health: starting checker: %s", strerror(-err));
	}
	return err;
}

void xlb_hc_stop(struct xlb_hc *hc)
{
	if (!hc->loop)
		return;
	xlb_timer_cancel(hc->loop, &hc->interval_timer);
	xlb_timer_cancel(hc->loop, &hc->timeout_timer);
	hc_close(hc, true);
	/* Reaped now: the caller may free hc as soon as this returns. */
	if (hc->child) {
		pid_t pid = xlb_child_pid(hc->child);
		char name[64];

		if (xlb_child_stop(hc->child))
			pr_warn("health: %s: exec check pid %d survived SIGKILL; not reaped",
				hc_name(hc, name, sizeof(name)), (int)pid);
		hc->child = NULL;
	}
	hc->phase = HC_IDLE;
	hc->due = false;
	hc->loop = NULL;
}
