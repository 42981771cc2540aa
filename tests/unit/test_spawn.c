// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for fire-and-forget children (user/common/spawn.c) on the real loop: a child that exits
 * is reaped from the loop and leaves no fd behind; one still running when xlbd stops is let go
 * by xlb_spawn_fini(), which closes its pidfd and frees what tracked it (before, that struct
 * leaked at every shutdown with a notify running: LSan, spawn.c's calloc), without killing it.
 * Every test compares the process's open fds with those it had before.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/loop.h"
#include "common/spawn.h"


static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the DIR's own */
}

/* Is every child of ours reaped (by spawn.c)? WNOWAIT: look, never reap one ourselves. */
static bool all_reaped(void)
{
	siginfo_t si = {};

	return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) && errno == ECHILD;
}

struct poll {
	struct xlb_timer t;
	uint64_t until;
};

static void poll_cb(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct poll *p = t->arg;

	if (all_reaped() || xlb_now_ns() > p->until)
		xlb_loop_stop(loop);
	else
		xlb_timer_arm(loop, t, XLB_MS);
}

/* A child that exits is reaped from the loop, and its pidfd closed. */
static void test_exit_reaped(void **state)
{
	struct xlb_loop loop;
	struct poll p = {};
	int fds;

	(void)state;
	fds = count_fds();
	assert_int_equal(xlb_loop_init(&loop, NULL, NULL, NULL), 0);
	assert_int_equal(xlb_spawn(&loop, "exit 0", NULL, 5000 * XLB_MS), 0);
	assert_false(all_reaped());
	p.until = xlb_now_ns() + 5000 * XLB_MS;
	xlb_timer_init(&p.t, poll_cb, &p);
	assert_int_equal(xlb_timer_arm(&loop, &p.t, XLB_MS), 0);
	assert_int_equal(xlb_loop_run(&loop), 0);
	assert_true(all_reaped());
	xlb_spawn_fini(&loop);
	xlb_loop_fini(&loop);
	assert_int_equal(count_fds(), fds);
}

/*
 * A child still running at shutdown: xlb_spawn_fini() closes its pidfd and frees its state, and
 * the child carries on (it is not killed).
 */
static void test_fini_lets_go(void **state)
{
	struct xlb_loop loop;
	siginfo_t si = {};
	int fds;

	(void)state;
	fds = count_fds();
	assert_int_equal(xlb_loop_init(&loop, NULL, NULL, NULL), 0);
	assert_int_equal(xlb_spawn(&loop, "sleep 0.3", NULL, 5000 * XLB_MS), 0);
	xlb_spawn_fini(&loop);
	xlb_loop_fini(&loop);
	assert_int_equal(count_fds(), fds);
	/* Still running after fini, then exits by itself, status 0. */
	assert_int_equal(waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT), 0);
	assert_int_equal(si.si_pid, 0);
	assert_int_equal(waitid(P_ALL, 0, &si, WEXITED), 0);
	assert_int_equal(si.si_code, CLD_EXITED);
	assert_int_equal(si.si_status, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_reaped),
		cmocka_unit_test(test_fini_lets_go),
	};

	return cmocka_run_group_tests_name("spawn", tests, NULL, NULL);
}
