// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the control socket server (user/ctl/control.c), on the real loop: a client in the
 * same process sends raw bytes and the loop runs until its reply has come and the server has
 * closed, or a bound passes. The server gives a client 2 s to finish its line; a request it can
 * already judge must be answered long before that (the bound here is 500 ms).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/loop.h"
#include "ctl/control.h"

#define MS 1000000ull
#define BOUND_MS 500

static int cmd_ping(void *arg, int argc, char **argv, struct xlb_json *j, char *err, size_t errlen)
{
	(void)arg;
	(void)argc;
	(void)argv;
	(void)err;
	(void)errlen;
	xlb_json_kv_string(j, "pong", "yes");
	return 0;
}

static const struct xlb_ctl_cmd cmds[] = {
	{ "ping", 0, 1, cmd_ping },
	{ NULL, 0, 0, NULL },
};

struct fixture {
	struct xlb_loop loop;
	struct xlb_ctl_server srv;
	char dir[64];
	char path[108];
	int cfd;
	char reply[8192];
	size_t reply_len;
	bool closed;   /* the server closed the connection */
	bool timed_out;
	struct xlb_timer bound;
};

static void on_bound(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct fixture *f = t->arg;

	f->timed_out = true;
	xlb_loop_stop(loop);
}

static void on_client(struct xlb_loop *loop, int fd, uint32_t events, void *arg)
{
	struct fixture *f = arg;
	ssize_t n;

	(void)events;
	n = recv(fd, f->reply + f->reply_len, sizeof(f->reply) - 1 - f->reply_len, MSG_DONTWAIT);
	if (n < 0 && errno == EAGAIN)
		return;
	if (n <= 0) {
		f->closed = true;
		xlb_loop_del_fd(loop, fd);
		xlb_loop_stop(loop);
		return;
	}
	f->reply_len += n;
	f->reply[f->reply_len] = '\0';
}

static int setup(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/xlb-test-ctl-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/s", f->dir);
	assert_int_equal(xlb_loop_init(&f->loop, (const int[]){ 0 }, NULL, NULL), 0);
	assert_int_equal(xlb_ctl_listen(&f->srv, &f->loop, f->path, cmds, NULL), 0);
	f->cfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(f->cfd >= 0);
	strcpy(sun.sun_path, f->path);
	assert_int_equal(connect(f->cfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	xlb_timer_init(&f->bound, on_bound, f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	xlb_timer_cancel(&f->loop, &f->bound);
	if (!f->closed)
		xlb_loop_del_fd(&f->loop, f->cfd);
	close(f->cfd);
	xlb_ctl_close(&f->srv);
	xlb_loop_fini(&f->loop);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Send len bytes, then run the loop until the server has answered and closed, or BOUND_MS. */
static uint64_t exchange(struct fixture *f, const char *req, size_t len)
{
	uint64_t t0 = xlb_now_ns();

	assert_int_equal(send(f->cfd, req, len, MSG_NOSIGNAL), (ssize_t)len);
	assert_int_equal(xlb_loop_add_fd(&f->loop, f->cfd, EPOLLIN, on_client, f), 0);
	assert_int_equal(xlb_timer_arm(&f->loop, &f->bound, BOUND_MS * MS), 0);
	f->loop.stop = false;
	assert_int_equal(xlb_loop_run(&f->loop), 0);
	return (xlb_now_ns() - t0) / MS;
}

/* Test that a well-formed request gets its handler's reply: the fixture itself works. */
static void test_request_ok(void **state)
{
	struct fixture *f = *state;
	static const char req[] = "ping\n";

	exchange(f, req, sizeof(req) - 1);
	assert_false(f->timed_out);
	assert_true(f->closed);
	if (getuid() == 0)
		assert_non_null(strstr(f->reply, "\"pong\":\"yes\""));
	else
		assert_non_null(strstr(f->reply, "permission denied"));
}

/* Test that a NUL inside the line gets an error reply at once, not silence until the deadline. */
static void test_request_nul(void **state)
{
	struct fixture *f = *state;
	static const char req[] = "pi\0ng\n";
	uint64_t ms;

	ms = exchange(f, req, sizeof(req) - 1);
	if (f->timed_out)
		fail_msg("no reply to a request with a NUL within %d ms", BOUND_MS);
	assert_true(f->closed);
	assert_true(ms < BOUND_MS);
	assert_non_null(strstr(f->reply, "\"ok\":false"));
	if (getuid() == 0)
		assert_non_null(strstr(f->reply, "control characters"));
}

/* Test that a control character is refused as soon as it arrives, before any newline. */
static void test_request_ctrl_no_newline(void **state)
{
	struct fixture *f = *state;
	static const char req[] = "ping\x01";

	exchange(f, req, sizeof(req) - 1);
	if (f->timed_out)
		fail_msg("no reply to a request with a control character within %d ms", BOUND_MS);
	assert_non_null(strstr(f->reply, "\"ok\":false"));
}

/* Test that a line longer than XLB_CTL_MAX_LINE is refused, not waited on. */
static void test_request_too_long(void **state)
{
	struct fixture *f = *state;
	char *req = malloc(XLB_CTL_MAX_LINE + 10);

	assert_non_null(req);
	memset(req, 'a', XLB_CTL_MAX_LINE + 10);
	exchange(f, req, XLB_CTL_MAX_LINE + 10);
	free(req);
	assert_false(f->timed_out);
	assert_non_null(strstr(f->reply, "\"ok\":false"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_request_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_nul, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_ctrl_no_newline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_too_long, setup, teardown),
	};

	return cmocka_run_group_tests_name("control", tests, NULL, NULL);
}
