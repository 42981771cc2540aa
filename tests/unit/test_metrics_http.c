// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of the metrics endpoint's HTTP side (user/agent/metrics_http.c) on a real loop and a
 * real socket: GET /metrics answers with what collect wrote and Prometheus' content type, HEAD
 * with no body, / with a link page; another path is a 404, another method a 405, a failed
 * collect a 500; a port in use is -EADDRINUSE; stop leaves no fd and no timer behind, also with
 * a client still connected. (libmicrohttpd answers an HTTP/1.0 request as HTTP/1.1, which RFC
 * 9110 allows.)
 */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "fds.h"
#include "agent/metrics_http.h"
#include "common/log.h"
#include "common/loop.h"
#include "common/prom.h"

#define DEADLINE_MS 3000

struct fixture {
	struct xlb_loop loop;
	struct xlb_metrics_http *h;
	struct xlb_addr lo;
	int fds_before;
	int collect_err; /* what collect returns */
	unsigned int collected;
	/* the client */
	int fd;
	char reply[8192];
	size_t len;
	bool timed_out;
	struct xlb_timer deadline;
};

static int collect(void *arg, FILE *f)
{
	struct fixture *fx = arg;

	fx->collected++;
	xlb_prom_family(f, "xlb_test_total", XLB_PROM_COUNTER, "A test.");
	xlb_prom_uint(f, "xlb_test_total", 42, "vip", "web", NULL);
	return fx->collect_err;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	fx->fds_before = count_fds();
	assert_int_equal(xlb_loop_init(&fx->loop, (const int[]){ 0 }, NULL, NULL), 0);
	assert_int_equal(xlb_addr_parse("127.0.0.1", &fx->lo), 0);
	assert_int_equal(xlb_metrics_http_start(&fx->h, &fx->loop, &fx->lo, 0, collect, fx), 0);
	assert_non_null(fx->h);
	assert_int_not_equal(xlb_metrics_http_port(fx->h), 0);
	fx->fd = -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	xlb_metrics_http_stop(fx->h);
	if (fx->fd >= 0)
		close(fx->fd);
	xlb_timer_cancel(&fx->loop, &fx->deadline);
	assert_int_equal(fx->loop.n_heap, 0);
	xlb_loop_fini(&fx->loop);
	assert_int_equal(count_fds(), fx->fds_before);
	free(fx);
	return 0;
}

static void on_reply(struct xlb_loop *loop, int fd, uint32_t events, void *arg)
{
	struct fixture *fx = arg;
	ssize_t n;

	(void)events;
	n = read(fd, fx->reply + fx->len, sizeof(fx->reply) - 1 - fx->len);
	if (n > 0) {
		fx->len += n;
		return;
	}
	xlb_loop_del_fd(loop, fd);
	xlb_loop_stop(loop);
}

static void on_deadline(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct fixture *fx = t->arg;

	fx->timed_out = true;
	xlb_loop_stop(loop);
}

/* Send req on a fresh connection and run the loop until the server closes it. */
static const char *request(struct fixture *fx, const char *req)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(xlb_metrics_http_port(fx->h)),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	fx->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fx->fd >= 0);
	/* the backlog takes it before the loop runs: connect does not wait for an accept */
	assert_int_equal(connect(fx->fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(write(fx->fd, req, strlen(req)), (ssize_t)strlen(req));
	assert_int_equal(xlb_loop_add_fd(&fx->loop, fx->fd, EPOLLIN, on_reply, fx), 0);
	xlb_timer_init(&fx->deadline, on_deadline, fx);
	xlb_timer_arm(&fx->loop, &fx->deadline, DEADLINE_MS * XLB_MS);
	fx->loop.stop = false;
	assert_int_equal(xlb_loop_run(&fx->loop), 0);
	assert_false(fx->timed_out);
	xlb_timer_cancel(&fx->loop, &fx->deadline);
	close(fx->fd);
	fx->fd = -1;
	fx->reply[fx->len] = '\0';
	return fx->reply;
}

static void assert_status(const char *reply, const char *status)
{
	if (strncmp(reply, status, strlen(status)))
		fail_msg("reply does not start with '%s': %s", status, reply);
}

static const char *body_of(const char *reply)
{
	const char *b = strstr(reply, "\r\n\r\n");

	assert_non_null(b);
	return b + 4;
}

/* Test that GET /metrics answers what collect wrote, in Prometheus' text format. */
static void test_get_metrics(void **state)
{
	struct fixture *fx = *state;
	const char *r = request(fx, "GET /metrics HTTP/1.0\r\n\r\n");

	assert_status(r, "HTTP/1.1 200");
	assert_non_null(strstr(r, "Content-Type: " XLB_PROM_CONTENT_TYPE "\r\n"));
	assert_string_equal(body_of(r), "# HELP xlb_test_total A test.\n"
					"# TYPE xlb_test_total counter\n"
					"xlb_test_total{vip=\"web\"} 42\n");
	assert_int_equal(fx->collected, 1);
}

/* Test that an HTTP/1.1 GET is answered the same, and the connection closed when asked. */
static void test_get_http11(void **state)
{
	struct fixture *fx = *state;
	const char *r = request(fx, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

	assert_status(r, "HTTP/1.1 200");
	assert_non_null(strstr(body_of(r), "xlb_test_total{vip=\"web\"} 42\n"));
}

/* Test that HEAD has the headers of a GET and no body. */
static void test_head(void **state)
{
	struct fixture *fx = *state;
	const char *r = request(fx, "HEAD /metrics HTTP/1.0\r\n\r\n");

	assert_status(r, "HTTP/1.1 200");
	assert_string_equal(body_of(r), "");
}

/* Test that / is a page linking to /metrics, and collects nothing. */
static void test_index(void **state)
{
	struct fixture *fx = *state;
	const char *r = request(fx, "GET / HTTP/1.0\r\n\r\n");

	assert_status(r, "HTTP/1.1 200");
	assert_non_null(strstr(r, "Content-Type: text/html"));
	assert_non_null(strstr(body_of(r), "<a href=\"/metrics\">"));
	assert_int_equal(fx->collected, 0);
}

/* Test that another path is a 404. */
static void test_not_found(void **state)
{
	struct fixture *fx = *state;

	assert_status(request(fx, "GET /metricsx HTTP/1.0\r\n\r\n"), "HTTP/1.1 404");
	assert_status(request(fx, "GET /metrics/ HTTP/1.0\r\n\r\n"), "HTTP/1.1 404");
	assert_int_equal(fx->collected, 0);
}

/* Test that a method other than GET and HEAD is a 405 that says which are allowed. */
static void test_method(void **state)
{
	struct fixture *fx = *state;
	const char *r = request(fx, "POST /metrics HTTP/1.0\r\nContent-Length: 0\r\n\r\n");

	assert_status(r, "HTTP/1.1 405");
	assert_non_null(strstr(r, "Allow: GET, HEAD\r\n"));
	assert_int_equal(fx->collected, 0);
	assert_status(request(fx, "DELETE / HTTP/1.0\r\n\r\n"), "HTTP/1.1 405");
}

/* Test that a collect that fails is a 500 with none of what it wrote. */
static void test_collect_fails(void **state)
{
	struct fixture *fx = *state;
	const char *r;

	fx->collect_err = -EIO;
	r = request(fx, "GET /metrics HTTP/1.0\r\n\r\n");
	assert_status(r, "HTTP/1.1 500");
	assert_null(strstr(r, "xlb_test_total"));
}

/* Test that a port in use is -EADDRINUSE, with nothing left open. */
static void test_port_in_use(void **state)
{
	struct fixture *fx = *state;
	struct xlb_metrics_http *h2 = (void *)1;
	int before = count_fds();

	assert_int_equal(xlb_metrics_http_start(&h2, &fx->loop, &fx->lo,
						xlb_metrics_http_port(fx->h), collect, fx),
			 -EADDRINUSE);
	assert_null(h2);
	assert_int_equal(count_fds(), before);
}

/* Test that stop with a client still connected closes it (teardown counts the fds). */
static void test_stop_with_client(void **state)
{
	struct fixture *fx = *state;
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(xlb_metrics_http_port(fx->h)),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	fx->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(connect(fx->fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(write(fx->fd, "GET /met", 8), 8);
	/* one turn of the loop: accepted, half a request read */
	xlb_timer_init(&fx->deadline, on_deadline, fx);
	xlb_timer_arm(&fx->loop, &fx->deadline, 50 * XLB_MS);
	assert_int_equal(xlb_loop_run(&fx->loop), 0);
	xlb_metrics_http_stop(fx->h);
	fx->h = NULL;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_get_metrics), T(test_get_http11), T(test_head),
		T(test_index),       T(test_not_found),  T(test_method),
		T(test_collect_fails), T(test_port_in_use), T(test_stop_with_client),
	};

	/* "serving ..." logs at info; keep the output to cmocka's lines and what goes wrong. */
	xlb_log_init("test_metrics_http", XLB_LOG_WARN);
	return cmocka_run_group_tests_name("metrics_http", tests, NULL, NULL);
}
