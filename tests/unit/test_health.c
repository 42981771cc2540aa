// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the health checkers (user/check/health.c), driven by the real xlb_loop.
 *
 * Every fake backend lives in the test process on 127.0.0.1 or ::1 and is served from the same
 * loop as the checker, through non-blocking fd callbacks: a TCP listener that accepts and
 * closes, an HTTP server that answers, stays silent, closes without a word or answers late, a
 * UDP server that follows a script per datagram ('e' echo, 'o' reply "ok", 'x' reply "bad",
 * '-' drop; the script cycles). "Closed" TCP ports are sockets bound but not listening, so the
 * kernel refuses them and no other process can take the port meanwhile.
 *
 * A test runs the loop until a predicate holds (polled every millisecond) or a deadline passes.
 * The teardown stops the checker and asserts that the process has exactly the fds it had before
 * the test, so every test is also an fd-leak test. Time bounds are generous (a timeout test
 * asserts timeout <= elapsed < timeout + 500 ms) so a loaded machine or valgrind passes too.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>

#include <cmocka.h>

#include "check/health.h"
#include "common/log.h"
#include "common/loop.h"
#include "common/spawn.h"
#include "child_env.h"
#include "fds.h"

#define MS 1000000ull
#define SLACK_MS 500 /* how late a timed event may be before a test calls it wrong */
#define DEADLINE_MS 3000

enum srv_mode {
	SRV_ACCEPT_CLOSE, /* tcp: accept and close at once */
	SRV_REPLY,        /* http: answer the request with srv->reply, then close */
	SRV_SILENT,       /* http: read the request, never answer */
	SRV_HANGUP,       /* http: read the request, close without a word */
	SRV_LATE,         /* http: answer after delay_ms */
};

#define MAX_CLIENTS 8

struct fixture;

struct srv {
	struct fixture *f;
	int fd;
	int family;
	uint16_t port;
	enum srv_mode mode;
	const char *reply;
	uint32_t delay_ms;
	struct xlb_timer late;
	int clients[MAX_CLIENTS];
	int n_clients;
	int accepted;
	char req[1024]; /* the last request, NUL-terminated */
	size_t req_len;
	const char *script; /* udp */
	int datagrams;
};

struct fixture {
	struct xlb_loop loop;
	struct xlb_hc hc;
	bool hc_inited;
	struct srv srv;
	int fds_before;

	/* on_change */
	int changes;
	uint64_t change_checks; /* hc.checks when on_change last ran */
	bool change_up;
	uint64_t change_since;

	/* run_until */
	struct xlb_timer poll, deadline;
	bool (*until)(struct fixture *f);
	uint64_t want;
	bool expired;
	pid_t seen_pid;
	uint64_t starts[64]; /* distinct hc.started_ns seen, in order */
	int n_starts;
};

/* --- helpers --- */


/* The running exec check's pid, 0 when none. */
static pid_t hc_pid(const struct fixture *f)
{
	return f->hc.child ? xlb_child_pid(f->hc.child) : 0;
}

static struct xlb_addr lo_addr(int family)
{
	struct xlb_addr a = {};

	if (family == AF_INET6) {
		a.family = XLB_FAMILY_V6;
		a.w[3] = htonl(1);
	} else {
		a.family = XLB_FAMILY_V4;
		a.w[0] = htonl(INADDR_LOOPBACK);
	}
	return a;
}

static struct xlb_cfg_health hc_conf(enum xlb_hc_type type)
{
	struct xlb_cfg_health c = {
		.type = type,
		.interval_ms = 1000, /* one check per test unless the test says otherwise */
		.timeout_ms = 100,
		.rise = 1,
		.fall = 1,
		.expect_status = 200,
	};

	strcpy(c.path, "/");
	return c;
}

static void on_change(struct xlb_hc *hc, void *arg)
{
	struct fixture *f = arg;

	f->changes++;
	f->change_checks = hc->checks;
	f->change_up = hc->up;
	f->change_since = hc->since_ns;
}

static void start_hc(struct fixture *f, const struct xlb_cfg_health *c, int family,
		     uint16_t vip_port, bool initially_up)
{
	struct xlb_addr a = lo_addr(family);

	xlb_hc_init(&f->hc, c, &a, vip_port, initially_up, on_change, f);
	f->hc_inited = true;
	assert_int_equal(xlb_hc_start(&f->loop, &f->hc, 0), 0);
}

static void poll_cb(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct fixture *f = t->arg;

	if (hc_pid(f) > 0)
		f->seen_pid = hc_pid(f);
	if (f->hc.started_ns && f->n_starts < 64 &&
	    (!f->n_starts || f->starts[f->n_starts - 1] != f->hc.started_ns))
		f->starts[f->n_starts++] = f->hc.started_ns;
	if (f->until(f))
		xlb_loop_stop(loop);
	else
		xlb_timer_arm(loop, t, MS);
}

static void deadline_cb(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct fixture *f = t->arg;

	f->expired = true;
	xlb_loop_stop(loop);
}

/* Run the loop until f->until holds or deadline_ms passes; returns the elapsed ms. */
static uint64_t run_until(struct fixture *f, bool (*until)(struct fixture *), uint64_t want,
			  uint32_t deadline_ms)
{
	uint64_t t0 = xlb_now_ns();

	f->until = until;
	f->want = want;
	f->expired = false;
	xlb_timer_init(&f->poll, poll_cb, f);
	xlb_timer_init(&f->deadline, deadline_cb, f);
	assert_int_equal(xlb_timer_arm(&f->loop, &f->poll, 0), 0);
	assert_int_equal(xlb_timer_arm(&f->loop, &f->deadline, deadline_ms * MS), 0);
	f->loop.stop = false;
	assert_int_equal(xlb_loop_run(&f->loop), 0);
	f->loop.stop = false;
	xlb_timer_cancel(&f->loop, &f->poll);
	xlb_timer_cancel(&f->loop, &f->deadline);
	return (xlb_now_ns() - t0) / MS;
}

static bool checks_done(struct fixture *f)
{
	return f->hc.checks >= f->want;
}

/* The check finished and its resources are gone (an exec child is reaped). */
static bool checks_done_idle(struct fixture *f)
{
	return f->hc.checks >= f->want && f->hc.fd < 0 && !f->hc.child;
}

static bool never(struct fixture *f)
{
	(void)f;
	return false;
}

/* Run until want checks finished; fail the test if that takes longer than the deadline. */
static uint64_t run_checks(struct fixture *f, uint64_t want)
{
	uint64_t ms = run_until(f, checks_done, want, DEADLINE_MS);

	assert_false(f->expired);
	return ms;
}

/* --- fake servers --- */

static void srv_drop(struct srv *s, int i)
{
	xlb_loop_del_fd(&s->f->loop, s->clients[i]);
	close(s->clients[i]);
	s->clients[i] = s->clients[--s->n_clients];
}

static void srv_reply_all(struct srv *s)
{
	while (s->n_clients) {
		if (send(s->clients[0], s->reply, strlen(s->reply), MSG_NOSIGNAL) < 0)
			fprintf(stderr, "fake server send: %s\n", strerror(errno));
		srv_drop(s, 0);
	}
}

static void srv_late_cb(struct xlb_loop *loop, struct xlb_timer *t)
{
	(void)loop;
	srv_reply_all(t->arg);
}

static void srv_client_cb(struct xlb_loop *loop, int fd, uint32_t events, void *arg)
{
	struct srv *s = arg;
	ssize_t n;
	int i;

	(void)events;
	for (i = 0; i < s->n_clients && s->clients[i] != fd; i++)
		;
	if (i == s->n_clients)
		return;
	n = recv(fd, s->req + s->req_len, sizeof(s->req) - 1 - s->req_len, 0);
	if (n < 0 && errno == EAGAIN)
		return;
	if (n <= 0) { /* the checker went away (EOF or its RST) */
		srv_drop(s, i);
		return;
	}
	s->req_len += n;
	s->req[s->req_len] = '\0';
	if (!strstr(s->req, "\r\n\r\n"))
		return;
	switch (s->mode) {
	case SRV_REPLY:
		srv_reply_all(s);
		break;
	case SRV_HANGUP:
		srv_drop(s, i);
		break;
	case SRV_LATE:
		xlb_timer_arm(loop, &s->late, s->delay_ms * MS);
		break;
	default:
		break;
	}
}

static void srv_accept_cb(struct xlb_loop *loop, int fd, uint32_t events, void *arg)
{
	struct srv *s = arg;
	int c;

	(void)events;
	while ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		s->accepted++;
		if (s->mode == SRV_ACCEPT_CLOSE || s->n_clients == MAX_CLIENTS) {
			close(c);
			continue;
		}
		s->req_len = 0;
		s->req[0] = '\0';
		s->clients[s->n_clients++] = c;
		assert_int_equal(xlb_loop_add_fd(loop, c, EPOLLIN, srv_client_cb, s), 0);
	}
}

static void srv_udp_cb(struct xlb_loop *loop, int fd, uint32_t events, void *arg)
{
	struct srv *s = arg;
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	char buf[512];
	ssize_t n;
	char c;

	(void)loop;
	(void)events;
	while ((n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl)) >= 0) {
		c = s->script[s->datagrams++ % strlen(s->script)];
		if (c == 'e')
			sendto(fd, buf, n, 0, (struct sockaddr *)&from, fl);
		else if (c == 'o')
			sendto(fd, "ok", 2, 0, (struct sockaddr *)&from, fl);
		else if (c == 'x')
			sendto(fd, "bad", 3, 0, (struct sockaddr *)&from, fl);
		fl = sizeof(from);
	}
}

/* A socket bound to an ephemeral port on the loopback of `family`. */
static int srv_socket(struct srv *s, int family, int sotype)
{
	struct sockaddr_storage ss = {};
	socklen_t sl;
	int fd, err;

	fd = socket(family, sotype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 && family == AF_INET6 && errno == EAFNOSUPPORT) {
		fprintf(stderr, "skipped: no IPv6 in this kernel\n");
		skip();
	}
	assert_true(fd >= 0);
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		sl = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sl = sizeof(*a);
	}
	err = bind(fd, (struct sockaddr *)&ss, sl) ? errno : 0;
	if (err == EADDRNOTAVAIL && family == AF_INET6) {
		close(fd);
		fprintf(stderr, "skipped: no ::1 on lo (IPv6 disabled)\n");
		skip();
	}
	assert_int_equal(err, 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &sl), 0);
	s->port = ntohs(family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					   : ((struct sockaddr_in *)&ss)->sin_port);
	s->fd = fd;
	s->family = family;
	return fd;
}

static void srv_tcp(struct fixture *f, int family, enum srv_mode mode, const char *reply)
{
	struct srv *s = &f->srv;
	int fd = srv_socket(s, family, SOCK_STREAM);

	s->mode = mode;
	s->reply = reply;
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(xlb_loop_add_fd(&f->loop, fd, EPOLLIN, srv_accept_cb, s), 0);
}

/* Bound, not listening: the kernel answers a SYN with RST, i.e. "connection refused". */
static void srv_tcp_closed(struct fixture *f, int family)
{
	srv_socket(&f->srv, family, SOCK_STREAM);
}

/*
 * A listener nobody accepts from, its queue already full (backlog 0 holds one connection):
 * further SYNs are dropped, so a connect stays in SYN_SENT until the checker's timeout.
 */
static void srv_tcp_full(struct fixture *f, int family)
{
	struct srv *s = &f->srv;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int c, fd = srv_socket(s, family, SOCK_STREAM);

	assert_int_equal(listen(fd, 0), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &sl), 0);
	c = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0); /* blocking: the queue has room */
	assert_true(c >= 0);
	assert_int_equal(connect(c, (struct sockaddr *)&ss, sl), 0);
	s->clients[s->n_clients++] = c; /* not watched; closed at teardown */
}

static void srv_udp(struct fixture *f, int family, const char *script)
{
	struct srv *s = &f->srv;
	int fd = srv_socket(s, family, SOCK_DGRAM);

	s->script = script;
	assert_int_equal(xlb_loop_add_fd(&f->loop, fd, EPOLLIN, srv_udp_cb, s), 0);
}

/* A UDP port nothing listens on: bound to learn a free port, then closed. */
static void srv_udp_closed(struct fixture *f, int family)
{
	srv_socket(&f->srv, family, SOCK_DGRAM);
	close(f->srv.fd);
	f->srv.fd = -1;
}

static void srv_close(struct fixture *f)
{
	struct srv *s = &f->srv;
	int i;

	xlb_timer_cancel(&f->loop, &s->late);
	for (i = 0; i < s->n_clients; i++) {
		xlb_loop_del_fd(&f->loop, s->clients[i]);
		close(s->clients[i]);
	}
	s->n_clients = 0;
	if (s->fd >= 0) {
		xlb_loop_del_fd(&f->loop, s->fd);
		close(s->fd);
	}
	s->fd = -1;
}

/* --- setup / teardown --- */

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->fds_before = count_fds();
	if (xlb_loop_init(&f->loop, NULL, NULL, NULL)) {
		free(f);
		return -1;
	}
	f->srv.f = f;
	f->srv.fd = -1;
	xlb_timer_init(&f->srv.late, srv_late_cb, &f->srv);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int fds;

	if (f->hc_inited)
		xlb_hc_stop(&f->hc);
	srv_close(f);
	xlb_loop_fini(&f->loop);
	fds = count_fds();
	if (fds != f->fds_before) {
		fprintf(stderr, "fd leak: %d open before the test, %d after\n", f->fds_before, fds);
		free(f);
		return -1;
	}
	free(f);
	return 0;
}

/* Latency of the last check, in ms. */
static uint64_t latency_ms(const struct fixture *f)
{
	return f->hc.last_latency_us / 1000;
}

static void assert_result(const struct fixture *f, bool ok, const char *result)
{
	assert_true(f->hc.has_result);
	assert_int_equal(f->hc.last_ok, ok);
	assert_string_equal(f->hc.last_result, result);
}

/* --- API basics --- */

/* Test that every type has its config name, and an unknown one says so. */
static void test_type_names(void **state)
{
	(void)state;
	assert_string_equal(xlb_hc_type_name(XLB_HC_NONE), "none");
	assert_string_equal(xlb_hc_type_name(XLB_HC_TCP), "tcp");
	assert_string_equal(xlb_hc_type_name(XLB_HC_HTTP), "http");
	assert_string_equal(xlb_hc_type_name(XLB_HC_UDP), "udp");
	assert_string_equal(xlb_hc_type_name(XLB_HC_EXEC), "exec");
	assert_string_equal(xlb_hc_type_name(99), "unknown");
}

/* Test that init takes the VIP's port only when the check names none. */
static void test_init_port_from_vip(void **state)
{
	struct fixture *f = *state;
	struct xlb_cfg_health c = hc_conf(XLB_HC_TCP);
	struct xlb_addr a = lo_addr(AF_INET);

	xlb_hc_init(&f->hc, &c, &a, 8080, true, on_change, f);
	assert_int_equal(f->hc.conf.port, 8080);
	c.port = 81;
	xlb_hc_init(&f->hc, &c, &a, 8080, false, on_change, f);
	assert_int_equal(f->hc.conf.port, 81);
	assert_false(f->hc.up);
	assert_false(f->hc.has_result);
	assert_int_equal(f->hc.fd, -1);
	assert_null(f->hc.child);
}

/* Test that stop on a checker never started, twice, does nothing and breaks nothing. */
static void test_stop_never_started(void **state)
{
	struct fixture *f = *state;
	struct xlb_cfg_health c = hc_conf(XLB_HC_EXEC);
	struct xlb_addr a = lo_addr(AF_INET);

	xlb_hc_init(&f->hc, &c, &a, 80, true, on_change, f);
	f->hc_inited = true;
	xlb_hc_stop(&f->hc);
	xlb_hc_stop(&f->hc);
	assert_int_equal(f->hc.fd, -1);
	assert_null(f->hc.child);
	assert_int_equal(f->loop.n_heap, 0);
}

/* Test that type none is up whatever it was told, and start arms nothing. */
static void test_none_always_up(void **state)
{
	struct fixture *f = *state;
	struct xlb_cfg_health c = hc_conf(XLB_HC_NONE);

	start_hc(f, &c, AF_INET, 80, false);
	assert_true(f->hc.up);
	assert_int_equal(f->loop.n_heap, 0);
	run_until(f, never, 0, 30);
	assert_int_equal(f->hc.checks, 0);
	assert_int_equal(f->changes, 0);
	assert_true(f->hc.up);
}

/* Test that start never runs a check (or on_change) inside the call, even with no delay. */
static void test_start_defers_first_check(void **state)
{
	struct fixture *f = *state;
	struct xlb_cfg_health c = hc_conf(XLB_HC_TCP);

	srv_tcp_closed(f, AF_INET);
	c.port = f->srv.port;
	start_hc(f, &c, AF_INET, 0, true);
	assert_int_equal(f->hc.checks, 0);
	assert_int_equal(f->hc.fd, -1);
	assert_int_equal(xlb_hc_start(&f->loop, &f->hc, 0), -EBUSY);
	run_checks(f, 1);
	assert_int_equal(f->changes, 1);
}

/*
 * After the first check: it is counted once, in the bucket of its latency (the first whose bound
 * it does not pass), and the latencies' sum is its own.
 */
static void assert_latency_counted(const struct fixture *f)
{
	uint64_t us = f->hc.last_latency_us, n = 0;
	size_t i, want;

	for (want = 0; want < XLB_HC_LAT_BUCKETS && us > xlb_hc_lat_le_us[want]; want++)
		;
	for (i = 0; i <= XLB_HC_LAT_BUCKETS; i++) {
		assert_int_equal(f->hc.lat_count[i], i == want);
		n += f->hc.lat_count[i];
	}
	assert_int_equal(n, f->hc.checks);
	assert_int_equal(f->hc.lat_sum_us, us);
}

/* --- tcp --- */

static void tcp_up(void **state, int family)
{
	struct fixture *f = *state;
	struct xlb_cfg_health c = hc_conf(XLB_HC_TCP);

	srv_tcp(f, family, SRV_ACCEPT_CLOSE, NULL);
	start_hc(f, &c, family, f->srv.port, false); /* port 0: the VIP's */
	run_checks(f, 1);
	assert_result(f, true, "ok");
	assert_true(f->hc.up);
	assert_int_equal(f->changes, 1);
	assert_true(f->change_up);
	assert_true(latency_ms(f) < 100);
	assert_int_equal(f->hc.failed, 0);
	assert_latency_counted(f);
}

/* Test that a listening port is up, IPv4 and IPv6. */
static void test_tcp_up_v4(void **state)
{
	tcp_up(state, AF_INET);
}

static void test_tcp_up_v6(void **state)
{
	tcp_up(state, AF_INET6);
}

static void tcp_refused(void **state, int family)
{
	struct fixture *f = *state;
	struct xlb_cfg_health c = hc_conf(XLB_HC_TCP);

	srv_tcp_closed(f, family);
	c.port = f->srv.port;
	start_hc(f, &c, family, 9, true);
	run_checks(f, 1);
	assert_result(f, false, "connection refused");
	assert_false(f->hc.up);
	assert_int_equal(f->changes, 1);
	assert_int_equal(f->hc.failed, 1);
	assert_true(latency_ms(f) < 100);
}

/* Test that a closed port is down with "connection refused", IPv4 and IPv6. */
static void test_tcp_refused_v4(void **state)
{
	tcp_refused(state, AF_INET);
}

static void test_tcp_refused_v6(void **state)
{
	tcp_refused(state, AF_INET6);
}

/* Test that a connect whose SYN goes unanswered fails at the timeout, not at the kernel's. */
static void test_tcp_timeout(void **state)
{
	struct fixture *f = *state;
	struct xlb_cfg_health c = hc_conf(XLB_HC_TCP);

	c.timeout_ms = 80;
	srv_tcp_full(f, AF_INET);
	start_hc(f, &c, AF_INET, f->srv.port, true);
	run_checks(f, 1);
	assert_result(f, false, "timeout");
	assert_in_range(latency_ms(f), 80, 80 + SLACK_MS);
	assert_int_equal(f->hc.fd, -1);
	/* a failed check is timed too: at its timeout, in the 100 ms bucket or above */
	assert_latency_counted(f);
	assert_int_equal(f->hc.lat_count[0], 0);
}

/* --- http --- */

#define REPLY_200 "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall healthy\n"

static void http_up(void **state, int family, const char *host)
{
	struct fixture *f = *state;
	struct xlb_cfg_health c = hc_conf(XLB_HC_HTTP);
	char want[256];

	strcpy(c.path, "/healthz?full=1");
	srv_tcp(f, family, SRV_REPLY, REPLY_200);
	start_hc(f, &c, family, f->srv.port, false);
	run_checks(f, 1);
	assert_result(f, true, "ok");
	assert_true(f->hc.up);
	snprintf(want, sizeof(want),
		 "GET /healthz?full=1 HTTP/1.0\r\nHost: %s\r\nUser-Agent: xlb-health\r\n"
		 "Connection: close\r\n\r\n",
		 host);
	assert_string_equal(f->srv.req, want);
}

/* Test that 200 is up and the request is exactly the documented one (Host bracketed for v6). */
static void test_http_200_v4(void **state)
{
	http_up(state, AF_INET, "127.0.0.1");
}

static void test_http_200_v6(void **state)
{
	http_up(state, AF_INET6, "[::1]");
}

/* Run one http check against a server in `mode` replying `reply`; expect_body optional. */
static void http_one(struct fixture *f, enum srv_mode mode, const char *reply,
		     const char *expect_body, uint16_t expect_status)
{
	struct xlb_cfg_health c = hc_conf(XLB_HC_HTTP);

	if (expect_body)
		strcpy(c.expect_body, expect_body);
	c.expect_status = expect_status;
	c.timeout_ms = 80;
	srv_tcp(f, AF_INET, mode, reply);
	c.port = f->srv.port;
	start_hc(f, &c, AF_INET, 0, true);
	run_checks(f, 1);
}

/* Test that a status other than the expected one is down, named by its code. */
static void test_http_wrong_status(void **state)
{
	struct fixture *f = *state;

	http_one(f, SRV_REPLY, "HTTP/1.1 503 Service Unavailable\r\n\r\nbusy\n", NULL, 200);
	assert_result(f, false, "status 503");
	assert_false(f->hc.up);
}

/* Test that expect_status is honoured when it is not 200. */
static void test_http_expect_other_status(void **state)
{
	struct fixture *f = *state;

	http_one(f, SRV_REPLY, "HTTP/1.0 204 No Content\r\n\r\n", NULL, 204);
	assert_result(f, true, "ok");
}

/* Test that a body containing expect_body is up. */
static void test_http_body_match(void **state)
{
	struct fixture *f = *state;

	http_one(f, SRV_REPLY, REPLY_200, "healthy", 200);
	assert_result(f, true, "ok");
}

/* Test that a body without expect_body is down, even if the headers contain it. */
static void test_http_body_mismatch(void **state)
{
	struct fixture *f = *state;

	http_one(f, SRV_REPLY, "HTTP/1.1 200 OK\r\nX-State: healthy\r\n\r\nsick\n", "healthy", 200);
	assert_result(f, false, "body mismatch");
}

/* Test that a reply longer than the buffer is judged on what fits. */
static void test_http_long_reply(void **state)
{
	struct fixture *f = *state;
	static char reply[8192];
	size_t n;

	n = snprintf(reply, sizeof(reply), "HTTP/1.1 200 OK\r\n\r\nhealthy\n");
	memset(reply + n, 'z', sizeof(reply) - n - 1);
	http_one(f, SRV_REPLY, reply, "healthy", 200);
	assert_result(f, true, "ok");
}

/* Test that an answer later than the timeout is "timeout", at the timeout. */
static void test_http_slow_reply(void **state)
{
	struct fixture *f = *state;

	f->srv.delay_ms = 300;
	http_one(f, SRV_LATE, REPLY_200, NULL, 200);
	assert_result(f, false, "timeout");
	assert_in_range(latency_ms(f), 80, 80 + SLACK_MS);
}

/* Test that a server closing without a reply, or answering non-HTTP, is "bad reply". */
static void test_http_hangup(void **state)
{
	struct fixture *f = *state;

	http_one(f, SRV_HANGUP, NULL, NULL, 200);
	assert_result(f, false, "bad reply");
	assert_true(latency_ms(f) < 80);
}

static void test_http_garbage(void **state)
{
	struct fixture *f = *state;

	http_one(f, SRV_REPLY, "SSH-2.0-OpenSSH_9.2\r\n", NULL, 200);
	assert_result(f, false, "bad reply");
}

/* Test that a closed http port is "connection refused". */
static void test_http_refused(void **state)
{
	struct fixture *f = *state;
	struct xlb_cfg_health c = hc_conf(XLB_HC_HTTP);

	srv_tcp_closed(f, AF_INET6);
	c.port = f->srv.port;
	start_hc(f, &c, AF_INET6, 0, true);
	run_checks(f, 1);
	assert_result(f, false, "connection refused");
}

/* --- udp --- */

static void udp_up(void **state, int family)
{
	struct fixture *f = *state;
	struct xlb_cfg_health c = hc_conf(XLB_HC_UDP);

	strcpy(c.payload, "ping xlb");
	strcpy(c.expect, "xlb");
	srv_udp(f, family, "e");
	start_hc(f, &c, family, f->srv.port, false);
	run_checks(f, 1);
	assert_result(f, true, "ok");
	assert_true(f->hc.up);
	assert_int_equal(f->srv.datagrams, 1);
}

/* Test that an echoed payload containing expect is up, IPv4 and IPv6. */
static void test_udp_echo_v4(void **state)
{
	udp_up(state, AF_INET);
}

static void test_udp_echo_v6(void **state)
{
	udp_up(state, AF_INET6);
}

/* Test that an empty payload and empty expect take any reply. */
static void test_udp_empty_payload(void **state)
{
	struct fixture *f = *state;
	struct xlb_cfg_health c = hc_conf(XLB_HC_UDP);

	srv_udp(f, AF_INET, "x");
	start_hc(f, &c, AF_INET, f->srv.port, false);
	run_checks(f, 1);
	assert_result(f, true, "ok");
}

static void udp_unreachable(void **state, int family)
{
	struct fixture *f = *state;
	struct xlb_cfg_health c = hc_conf(XLB_HC_UDP);

	strcpy(c.payload, "ping");
	srv_udp_closed(f, family);
	start_hc(f, &c, family, f->srv.port, true);
	run_checks(f, 1);
	assert_result(f, false, "port unreachable");
	assert_true(latency_ms(f) < 100); /* at the ICMP, not at the timeout */
	assert_false(f->hc.up);
}

/* Test that ICMP port unreachable is down at once, IPv4 and IPv6. */
static void test_udp_unreachable_v4(void **state)
{
	udp_unreachable(state, AF_INET);
}

static void test_udp_unreachable_v6(void **state)
{
	udp_unreachable(state, AF_INET6);
}

/* Test that a server that never replies is "timeout", at the timeout. */
static void test_udp_no_reply(void **state)
{
	struct fixture *f = *state;
	struct xlb_cfg_health c = hc_conf(XLB_HC_UDP);

	c.timeout_ms = 60;
	srv_udp(f, AF_INET, "-");
	start_hc(f, &c, AF_INET, f->srv.port, true);
	run_checks(f, 1);
	assert_result(f, false, "timeout");
	assert_in_range(latency_ms(f), 60, 60 + SLACK_MS);
	assert_int_equal(f->srv.datagrams, 1);
}

/* Test that a reply without expect is down. */
static void test_udp_expect_mismatch(void **state)
{
	struct fixture *f = *state;
	struct xlb_cfg_health c = hc_conf(XLB_HC_UDP);

	strcpy(c.expect, "ok");
	srv_udp(f, AF_INET, "x");
	start_hc(f, &c, AF_INET, f->srv.port, true);
	run_checks(f, 1);
	assert_result(f, false, "reply mismatch");
}

/* --- exec --- */

static void exec_one(struct fixture *f, const char *command, int family, uint16_t vip_port,
		     bool initially_up)
{
	struct xlb_cfg_health c = hc_conf(XLB_HC_EXEC);

	snprintf(c.command, sizeof(c.command), "%s", command);
	start_hc(f, &c, family, vip_port, initially_up);
	run_until(f, checks_done_idle, 1, DEADLINE_MS);
	assert_false(f->expired);
}

/* Test that exit 0 is up, and the child is reaped. */
static void test_exec_exit0(void **state)
{
	struct fixture *f = *state;

	exec_one(f, "exit 0", AF_INET, 80, false);
	assert_result(f, true, "ok");
	assert_true(f->hc.up);
	assert_true(f->seen_pid > 0);
	assert_int_equal(kill(f->seen_pid, 0), -1);
	assert_int_equal(errno, ESRCH);
}

/* Test that another exit code is down, named by the code. */
static void test_exec_exit3(void **state)
{
	struct fixture *f = *state;

	exec_one(f, "exit 3", AF_INET, 80, true);
	assert_result(f, false, "exit 3");
	assert_false(f->hc.up);
}

/*
 * Test that death by a signal is named by the signal — and that the child starts with the
 * signals xlbd's loop blocks unblocked (else `kill -USR1 $$` would do nothing and it exits 0).
 */
static void test_exec_signal(void **state)
{
	struct fixture *f = *state;
	int sigs[] = { SIGUSR1, 0 };
	sigset_t usr1;
	char want[32];

	xlb_loop_fini(&f->loop);
	assert_int_equal(xlb_loop_init(&f->loop, sigs, NULL, NULL), 0);
	exec_one(f, "kill -USR1 $$; exit 0", AF_INET, 80, true);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	snprintf(want, sizeof(want), "signal %d", SIGUSR1);
	assert_result(f, false, want);
}

/* Test that the command sees XLB_BACKEND, XLB_PORT (the VIP's when unset) and a fixed PATH. */
static void test_exec_env_v4(void **state)
{
	struct fixture *f = *state;

	exec_one(f,
		 "test \"$XLB_BACKEND\" = 127.0.0.1 && test \"$XLB_PORT\" = 8080 && "
		 "test \"$PATH\" = /usr/sbin:/usr/bin:/sbin:/bin",
		 AF_INET, 8080, false);
	assert_result(f, true, "ok");
}

static void test_exec_env_v6(void **state)
{
	struct fixture *f = *state;

	exec_one(f, "test \"$XLB_BACKEND\" = ::1", AF_INET6, 80, false);
	assert_result(f, true, "ok");
}

/*
 * Test that the command gets /dev/null for stdio and none of our fds, CLOEXEC or not. Shell
 * builtins only: a readlink per fd is three forks, which a loaded machine does not fit into the
 * 100 ms timeout (seen: "timeout").
 */
static void test_exec_fds(void **state)
{
	struct fixture *f = *state;
	char cmd[512];
	int leaky = dup(0); /* no O_CLOEXEC on purpose */

	assert_true(leaky > 2);
	snprintf(cmd, sizeof(cmd),
		 "for i in 0 1 2; do test /proc/$$/fd/$i -ef /dev/null || exit 1; "
		 "done; test ! -e /proc/$$/fd/%d || exit 2; test ! -e /proc/$$/fd/%d || exit 3",
		 leaky, f->loop.epfd);
	exec_one(f, cmd, AF_INET, 80, false);
	close(leaky);
	assert_result(f, true, "ok");
}

/*
 * Test that the command starts with default dispositions and an empty mask although xlbd's
 * loop blocks signals and the process ignores some (a blocked mask and ignored dispositions
 * survive execve), and with no fd of ours beyond 0-2.
 */
static void test_exec_clean_child(void **state)
{
	struct fixture *f = *state;
	int sigs[] = { SIGTERM, SIGUSR1, 0 };
	struct child_env e;
	char cmd[512];
	sigset_t set;

	xlb_loop_fini(&f->loop);
	assert_int_equal(xlb_loop_init(&f->loop, sigs, NULL, NULL), 0);
	child_env_dirty(&e);
	assert_true(e.leaky > 2 && e.leaky < CHILD_ENV_MAX_FD);
	child_env_cmd(cmd, sizeof(cmd), "");
	exec_one(f, cmd, AF_INET, 80, false);
	child_env_clean(&e);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	assert_result(f, true, "ok");
}

/*
 * Test that a command outliving the timeout is killed at it — its whole process group, a
 * shell's children too — and reaped: "timeout", at the timeout, and no process left. The test
 * becomes a child subreaper so the orphaned grandchild is ours to reap (PID 1 in a container
 * may not reap), else it would linger as a zombie and still count as a group member.
 */
static void test_exec_timeout_kills_group(void **state)
{
	struct fixture *f = *state;
	struct xlb_cfg_health c = hc_conf(XLB_HC_EXEC);
	uint64_t t0, elapsed;
	pid_t pid;
	int i;

	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	strcpy(c.command, "sleep 5; exit 0"); /* sh forks sleep: a second group member */
	c.timeout_ms = 100;
	t0 = xlb_now_ns();
	start_hc(f, &c, AF_INET, 80, true);
	run_until(f, checks_done_idle, 1, DEADLINE_MS);
	elapsed = (xlb_now_ns() - t0) / MS;
	assert_false(f->expired);
	assert_result(f, false, "timeout");
	assert_in_range(latency_ms(f), 100, 100 + SLACK_MS);
	assert_in_range(elapsed, 100, 100 + SLACK_MS);
	pid = f->seen_pid;
	assert_true(pid > 0);
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);

	/* Reap the orphaned sleep (SIGKILLed with the group), then the group must be empty. */
	for (i = 0; i < 500 && kill(-pid, 0) == 0; i++) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		usleep(1000);
	}
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	assert_int_equal(kill(-pid, 0), -1);
	assert_int_equal(errno, ESRCH);
}

/* --- timing --- */

/* Test that checks start every interval while they are quick. */
static void test_interval(void **state)
{
	struct fixture *f = *state;
	struct xlb_cfg_health c = hc_conf(XLB_HC_TCP);

	c.interval_ms = 50;
	c.timeout_ms = 30;
	srv_tcp(f, AF_INET, SRV_ACCEPT_CLOSE, NULL);
	start_hc(f, &c, AF_INET, f->srv.port, true);
	run_until(f, never, 0, 520); /* checks at 0, 50, ..., 500 ms */
	assert_in_range(f->hc.checks, 8, 12);
	assert_int_equal(f->hc.failed, 0);
}

/* Test that the interval runs from the start of a check, not its end: a 40 ms check every 60 ms. */
static void test_interval_from_start(void **state)
{
	struct fixture *f = *state;
	struct xlb_cfg_health c = hc_conf(XLB_HC_HTTP);
	uint64_t mean;
	int n;

	c.interval_ms = 60;
	c.timeout_ms = 55;
	f->srv.delay_ms = 40;
	srv_tcp(f, AF_INET, SRV_LATE, REPLY_200);
	start_hc(f, &c, AF_INET, f->srv.port, true);
	run_checks(f, 5);
	assert_int_equal(f->hc.failed, 0);
	n = f->n_starts;
	assert_true(n >= 5);
	mean = (f->starts[n - 1] - f->starts[0]) / (n - 1) / MS;
	assert_in_range(mean, 60, 60 + 40 / 2); /* from the end it would be 100 */
}

/* Test that with timeout > interval checks never overlap: each waits for the previous. */
static void test_no_overlap(void **state)
{
	struct fixture *f = *state;
	struct xlb_cfg_health c = hc_conf(XLB_HC_HTTP);
	uint64_t elapsed;

	c.interval_ms = 30;
	c.timeout_ms = 100;
	srv_tcp(f, AF_INET, SRV_SILENT, NULL);
	start_hc(f, &c, AF_INET, f->srv.port, true);
	elapsed = run_checks(f, 3);
	assert_in_range(elapsed, 300, 300 + SLACK_MS);
	assert_in_range(f->srv.accepted, 3, 4); /* a 4th may have begun as we stopped */
	assert_string_equal(f->hc.last_result, "timeout");
	assert_in_range(latency_ms(f), 100, 100 + SLACK_MS);
}

/* --- rise / fall --- */

/* Run a udp checker against a scripted server ('o' passes, 'x' fails) for `checks` checks. */
static void scripted(struct fixture *f, const char *script, bool initially_up, uint32_t rise,
		     uint32_t fall, uint64_t checks)
{
	struct xlb_cfg_health c = hc_conf(XLB_HC_UDP);

	c.interval_ms = 15;
	c.timeout_ms = 10;
	c.rise = rise;
	c.fall = fall;
	strcpy(c.expect, "ok");
	srv_udp(f, AF_INET, script);
	start_hc(f, &c, AF_INET, f->srv.port, initially_up);
	run_checks(f, checks);
}

/* Test that up with fall=3 goes down once, at exactly the 3rd failure, and stays down quietly. */
static void test_fall_after_exactly_3(void **state)
{
	struct fixture *f = *state;
	uint64_t t0 = xlb_now_ns();

	scripted(f, "x", true, 2, 3, 6);
	assert_int_equal(f->changes, 1);
	assert_int_equal(f->change_checks, 3);
	assert_false(f->change_up);
	assert_true(f->change_since > t0);
	assert_false(f->hc.up);
	assert_int_equal(f->hc.failed, f->hc.checks);
	assert_int_equal(f->hc.fail_run, f->hc.checks);
}

/* Test that down with rise=2 comes up once, at exactly the 2nd success. */
static void test_rise_after_exactly_2(void **state)
{
	struct fixture *f = *state;

	scripted(f, "o", false, 2, 3, 5);
	assert_int_equal(f->changes, 1);
	assert_int_equal(f->change_checks, 2);
	assert_true(f->change_up);
	assert_true(f->hc.up);
	assert_int_equal(f->hc.failed, 0);
	assert_int_equal(f->hc.ok_run, f->hc.checks);
}

/* Test that alternating results never flip either state (rise = fall = 2). */
static void test_alternating_never_flips_up(void **state)
{
	struct fixture *f = *state;

	scripted(f, "ox", true, 2, 2, 8);
	assert_int_equal(f->changes, 0);
	assert_true(f->hc.up);
	assert_int_equal(f->hc.failed, f->hc.checks / 2);
}

static void test_alternating_never_flips_down(void **state)
{
	struct fixture *f = *state;

	scripted(f, "xo", false, 2, 2, 8);
	assert_int_equal(f->changes, 0);
	assert_false(f->hc.up);
	/* The last check (8th, 'o') passed: a success resets the failure run and vice versa. */
	assert_int_equal(f->hc.ok_run, 1);
	assert_int_equal(f->hc.fail_run, 0);
}

/* Test that a success in between restarts the failure count: down at the 6th check of xxoxxx. */
static void test_success_resets_fall(void **state)
{
	struct fixture *f = *state;

	scripted(f, "xxoxxx", true, 2, 3, 6);
	assert_int_equal(f->changes, 1);
	assert_int_equal(f->change_checks, 6);
	assert_false(f->hc.up);
}

/* Test that a full cycle goes down then up again, on_change once each way. */
static void test_down_then_up(void **state)
{
	struct fixture *f = *state;

	scripted(f, "xxoo", true, 2, 2, 4);
	assert_int_equal(f->changes, 2);
	assert_int_equal(f->change_checks, 4);
	assert_true(f->hc.up);
}

/* --- logging --- */

/*
 * Test that the checker logs nothing at info level, a state change included: the monitor logs
 * it, with the backend's VIP in the line (agent/monitor.c), so the checker saying it too would
 * be the same event twice.
 */
static void test_logs_nothing_at_info(void **state)
{
	struct fixture *f = *state;
	struct xlb_cfg_health c = hc_conf(XLB_HC_TCP);
	char log[1024] = "";
	int mfd, saved;
	ssize_t n;

	srv_tcp_closed(f, AF_INET);
	c.port = f->srv.port;
	c.interval_ms = 15;
	c.fall = 3;
	mfd = memfd_create("log", MFD_CLOEXEC);
	assert_true(mfd >= 0);
	saved = dup(2);
	dup2(mfd, 2);
	xlb_log_init("test_health", XLB_LOG_INFO);
	start_hc(f, &c, AF_INET, 80, true);
	run_until(f, checks_done, 5, DEADLINE_MS);
	xlb_log_init("test_health", XLB_LOG_WARN);
	dup2(saved, 2);
	close(saved);
	n = pread(mfd, log, sizeof(log) - 1, 0);
	close(mfd);
	assert_false(f->expired);
	/* It did change: up, then down after 3 failures. */
	assert_false(f->hc.up);
	assert_int_equal(n, 0);
}

/* --- stop --- */

static bool hc_busy(struct fixture *f)
{
	return f->hc.fd >= 0 || f->hc.child;
}

static bool http_request_seen(struct fixture *f)
{
	return strstr(f->srv.req, "\r\n\r\n") != NULL;
}

/* Stop a checker in the middle of its check; twice; then nothing of it may be left. */
static void stop_midway(struct fixture *f, bool (*busy)(struct fixture *))
{
	pid_t pid;

	run_until(f, busy, 0, DEADLINE_MS);
	assert_false(f->expired);
	assert_int_equal(f->hc.checks, 0);
	pid = hc_pid(f);
	xlb_hc_stop(&f->hc);
	xlb_hc_stop(&f->hc);
	assert_int_equal(f->hc.fd, -1);
	assert_null(f->hc.child);
	assert_int_equal(f->loop.n_heap, 0);
	if (pid > 0) {
		assert_int_equal(kill(pid, 0), -1);
		assert_int_equal(errno, ESRCH);
	}
	/* Nothing fires later either. */
	run_until(f, never, 0, 40);
	assert_int_equal(f->hc.checks, 0);
	assert_int_equal(f->changes, 0);
}

/* Test that stopping during a connect, an HTTP exchange, a UDP wait or a command leaks nothing. */
static void test_stop_during_tcp(void **state)
{
	struct fixture *f = *state;
	struct xlb_cfg_health c = hc_conf(XLB_HC_TCP);

	c.timeout_ms = 1000;
	srv_tcp_full(f, AF_INET);
	start_hc(f, &c, AF_INET, f->srv.port, true);
	stop_midway(f, hc_busy);
}

static void test_stop_during_http(void **state)
{
	struct fixture *f = *state;
	struct xlb_cfg_health c = hc_conf(XLB_HC_HTTP);

	c.timeout_ms = 1000;
	srv_tcp(f, AF_INET6, SRV_SILENT, NULL);
	start_hc(f, &c, AF_INET6, f->srv.port, true);
	stop_midway(f, http_request_seen);
}

static void test_stop_during_udp(void **state)
{
	struct fixture *f = *state;
	struct xlb_cfg_health c = hc_conf(XLB_HC_UDP);

	c.timeout_ms = 1000;
	srv_udp(f, AF_INET, "-");
	start_hc(f, &c, AF_INET, f->srv.port, true);
	stop_midway(f, hc_busy);
}

static void test_stop_during_exec(void **state)
{
	struct fixture *f = *state;
	struct xlb_cfg_health c = hc_conf(XLB_HC_EXEC);
	uint64_t t0;

	c.timeout_ms = 1000;
	strcpy(c.command, "sleep 5");
	start_hc(f, &c, AF_INET, 80, true);
	t0 = xlb_now_ns();
	stop_midway(f, hc_busy);
	assert_true((xlb_now_ns() - t0) / MS < 1000); /* killed, not waited for */
}

/* on_change for the test below: the owner drops the backend from inside the callback. */
static void free_on_change(struct xlb_hc *hc, void *arg)
{
	int *calls = arg;

	(*calls)++;
	xlb_hc_stop(hc);
	free(hc);
}

/* Test that on_change may stop and free its checker (valgrind sees any later touch). */
static void test_on_change_may_free(void **state)
{
	struct fixture *f = *state;
	struct xlb_cfg_health c = hc_conf(XLB_HC_TCP);
	struct xlb_hc *hc = malloc(sizeof(*hc));
	struct xlb_addr a = lo_addr(AF_INET);
	int calls = 0;

	assert_non_null(hc);
	srv_tcp_closed(f, AF_INET);
	c.port = f->srv.port;
	c.interval_ms = 10;
	xlb_hc_init(hc, &c, &a, 0, true, free_on_change, &calls);
	assert_int_equal(xlb_hc_start(&f->loop, hc, 0), 0);
	run_until(f, never, 0, 60);
	assert_int_equal(calls, 1);
	assert_int_equal(f->loop.n_heap, 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_type_names),
		T(test_init_port_from_vip),
		T(test_stop_never_started),
		T(test_none_always_up),
		T(test_start_defers_first_check),
		T(test_tcp_up_v4),
		T(test_tcp_up_v6),
		T(test_tcp_refused_v4),
		T(test_tcp_refused_v6),
		T(test_tcp_timeout),
		T(test_http_200_v4),
		T(test_http_200_v6),
		T(test_http_wrong_status),
		T(test_http_expect_other_status),
		T(test_http_body_match),
		T(test_http_body_mismatch),
		T(test_http_long_reply),
		T(test_http_slow_reply),
		T(test_http_hangup),
		T(test_http_garbage),
		T(test_http_refused),
		T(test_udp_echo_v4),
		T(test_udp_echo_v6),
		T(test_udp_empty_payload),
		T(test_udp_unreachable_v4),
		T(test_udp_unreachable_v6),
		T(test_udp_no_reply),
		T(test_udp_expect_mismatch),
		T(test_exec_exit0),
		T(test_exec_exit3),
		T(test_exec_signal),
		T(test_exec_env_v4),
		T(test_exec_env_v6),
		T(test_exec_fds),
		T(test_exec_clean_child),
		T(test_exec_timeout_kills_group),
		T(test_interval),
		T(test_interval_from_start),
		T(test_no_overlap),
		T(test_fall_after_exactly_3),
		T(test_rise_after_exactly_2),
		T(test_alternating_never_flips_up),
		T(test_alternating_never_flips_down),
		T(test_success_resets_fall),
		T(test_down_then_up),
		T(test_logs_nothing_at_info),
		T(test_stop_during_tcp),
		T(test_stop_during_http),
		T(test_stop_during_udp),
		T(test_stop_during_exec),
		T(test_on_change_may_free),
	};

	/* State changes log at info; keep the test output to cmocka's lines. */
	xlb_log_init("test_health", XLB_LOG_WARN);
	return cmocka_run_group_tests_name("health", tests, NULL, NULL);
}
