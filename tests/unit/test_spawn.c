// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for fire-and-forget children (user/common/spawn.c) on the real loop: a child that exits
 * is reaped from the loop and leaves no fd behind; one still running when xlbd stops is let go
 * by xlb_spawn_fini(), which closes its pidfd and frees what tracked it (before, that struct
 * leaked at every shutdown with a notify running: LSan, spawn.c's calloc), without killing it.
 * A notify child starts clean (child_env.h) and keeps xlbd's stderr; a child with an on_exit
 * callback gets its status, is killed at its timeout, and xlb_child_stop() reaps it at once.
 * Every test compares the process's open fds with those it had before.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

#include "child_env.h"
#include "fds.h"
#include "common/loop.h"
#include "common/spawn.h"


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

/* Run the loop until every child is reaped (or 5 s pass). */
static void run_until_reaped(struct xlb_loop *loop)
{
	struct poll p = { .until = xlb_now_ns() + 5000 * XLB_MS };

	xlb_timer_init(&p.t, poll_cb, &p);
	assert_int_equal(xlb_timer_arm(loop, &p.t, XLB_MS), 0);
	loop->stop = false;
	assert_int_equal(xlb_loop_run(loop), 0);
	xlb_timer_cancel(loop, &p.t);
	assert_true(all_reaped());
}

/*
 * A notify child starts with default dispositions, an empty mask and no fd of ours beyond 0-2,
 * although the loop blocks SIGTERM and SIGUSR1, SIGPIPE and SIGUSR2 are ignored and an fd
 * lacks O_CLOEXEC (before, notify reset only the mask and closed nothing). It writes its
 * verdict to stderr, which it keeps: the log, where a failing script says why.
 */
static void test_notify_clean_child(void **state)
{
	int sigs[] = { SIGTERM, SIGUSR1, 0 };
	struct xlb_loop loop;
	struct child_env e;
	char cmd[512], out[16] = "";
	int p[2], err2, fds;
	sigset_t set;

	(void)state;
	fds = count_fds();
	assert_int_equal(xlb_loop_init(&loop, sigs, NULL, NULL), 0);
	child_env_dirty(&e);
	assert_true(e.leaky > 2 && e.leaky < CHILD_ENV_MAX_FD);
	child_env_cmd(cmd, sizeof(cmd), "echo $rc >&2; ");
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	err2 = fcntl(2, F_DUPFD_CLOEXEC, 3);
	assert_true(err2 > 2);
	assert_int_equal(dup2(p[1], 2), 2);
	assert_int_equal(xlb_spawn(&loop, cmd, NULL, 5000 * XLB_MS), 0);
	dup2(err2, 2);
	close(err2);
	close(p[1]);
	child_env_clean(&e);
	run_until_reaped(&loop);
	assert_true(read(p[0], out, sizeof(out) - 1) > 0);
	close(p[0]);
	xlb_spawn_fini(&loop);
	xlb_loop_fini(&loop);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	assert_string_equal(out, "0\n");
	assert_int_equal(count_fds(), fds);
}

struct exit_seen {
	int calls;
	siginfo_t si;
};

static void exit_cb(const siginfo_t *si, void *arg)
{
	struct exit_seen *x = arg;

	x->calls++;
	x->si = *si;
}

/* Start command with an on_exit callback and run until it is reaped. */
static void child_run(const char *command, uint64_t timeout_ns, struct exit_seen *x)
{
	char path[] = "PATH=/usr/bin:/bin";
	char *envp[] = { path, NULL };
	struct xlb_child_conf conf = {
		.command = command,
		.envp = envp,
		.timeout_ns = timeout_ns,
		.stderr_null = true,
		.on_exit = exit_cb,
		.arg = x,
	};
	struct xlb_child *c = NULL;
	struct xlb_loop loop;
	int fds;

	fds = count_fds();
	assert_int_equal(xlb_loop_init(&loop, NULL, NULL, NULL), 0);
	assert_int_equal(xlb_child_start(&loop, &conf, &c), 0);
	assert_non_null(c);
	assert_true(xlb_child_pid(c) > 0);
	run_until_reaped(&loop);
	xlb_spawn_fini(&loop);
	xlb_loop_fini(&loop);
	assert_int_equal(count_fds(), fds);
}

/* on_exit gets the exit status, once. */
static void test_child_exit_status(void **state)
{
	struct exit_seen x = {};

	(void)state;
	child_run("exit 3", 0, &x);
	assert_int_equal(x.calls, 1);
	assert_int_equal(x.si.si_code, CLD_EXITED);
	assert_int_equal(x.si.si_status, 3);
}

/* At its timeout the child is SIGKILLed, and on_exit says so. */
static void test_child_timeout_kills(void **state)
{
	struct exit_seen x = {};
	uint64_t t0 = xlb_now_ns();

	(void)state;
	child_run("sleep 5", 50 * XLB_MS, &x);
	assert_true(xlb_now_ns() - t0 < 2500 * XLB_MS);
	assert_int_equal(x.calls, 1);
	assert_int_equal(x.si.si_code, CLD_KILLED);
	assert_int_equal(x.si.si_status, SIGKILL);
}

/* xlb_child_stop() kills and reaps before it returns, frees the handle, and calls nobody. */
static void test_child_stop_reaps(void **state)
{
	char path[] = "PATH=/usr/bin:/bin";
	char *envp[] = { path, NULL };
	struct exit_seen x = {};
	struct xlb_child_conf conf = {
		.command = "sleep 5",
		.envp = envp,
		.on_exit = exit_cb,
		.arg = &x,
	};
	struct xlb_child *c = NULL;
	struct xlb_loop loop;
	pid_t pid;
	int fds;

	(void)state;
	fds = count_fds();
	assert_int_equal(xlb_loop_init(&loop, NULL, NULL, NULL), 0);
	assert_int_equal(xlb_child_start(&loop, &conf, &c), 0);
	pid = xlb_child_pid(c);
	assert_int_equal(xlb_child_stop(c), 0);
	assert_true(all_reaped());
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	assert_int_equal(loop.n_heap, 0);
	xlb_spawn_fini(&loop);
	xlb_loop_fini(&loop);
	assert_int_equal(x.calls, 0);
	assert_int_equal(count_fds(), fds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_reaped),
		cmocka_unit_test(test_fini_lets_go),
		cmocka_unit_test(test_notify_clean_child),
		cmocka_unit_test(test_child_exit_status),
		cmocka_unit_test(test_child_timeout_kills),
		cmocka_unit_test(test_child_stop_reaps),
	};

	return cmocka_run_group_tests_name("spawn", tests, NULL, NULL);
}
