// SPDX-License-Identifier: GPL-2.0-only
/*
 * fork + execve rather than posix_spawn: the child must close every fd beyond 0-2, which
 * posix_spawn says only through a glibc >= 2.34 extension (addclosefrom_np), and its
 * CLONE_VM|CLONE_VFORK child is one valgrind (the sanitize tier) runs as a plain fork anyway.
 * xlbd is single-threaded with a small heap, and children start at most every interval, so
 * fork's copy costs nothing that matters. Between fork and execve the child makes only
 * async-signal-safe calls, on memory prepared before the fork.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/spawn.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

#define SPAWN_MAX_ENV 16
/* Without a pidfd, how often to look whether the child exited. */
#define CHILD_POLL_NS (5 * XLB_MS)
/* How long xlb_child_stop() waits for a SIGKILLed child to die before letting it go. */
#define CHILD_STOP_REAP_MS 1000

struct xlb_child {
	pid_t pid;
	int pidfd; /* -1: polled through poll_timer instead */
	struct xlb_loop *loop;
	struct xlb_timer poll_timer;
	struct xlb_timer timeout;
	xlb_child_exit_cb on_exit;
	void *arg;
	char command[64]; /* for messages */
	struct xlb_child *next;
};

/* Every child not reaped yet, so xlb_spawn_fini() can let go of them. */
static struct xlb_child *children;

static void child_free(struct xlb_child *c)
{
	struct xlb_child **p;

	for (p = &children; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	xlb_timer_cancel(c->loop, &c->timeout);
	xlb_timer_cancel(c->loop, &c->poll_timer);
	if (c->pidfd >= 0) {
		xlb_loop_del_fd(c->loop, c->pidfd);
		close(c->pidfd);
	}
	free(c);
}

void xlb_spawn_fini(struct xlb_loop *loop)
{
	struct xlb_child *c, *next;

	for (c = children; c; c = next) {
		next = c->next;
		if (c->loop == loop)
			child_free(c);
	}
}

/*
 * Reap the child if it has exited; true when it is gone, si its status. P_PID is as safe as
 * P_PIDFD: an unreaped child keeps its pid, so it cannot be reused.
 */
static bool child_reap(struct xlb_child *c, siginfo_t *si)
{
	int ret;

	memset(si, 0, sizeof(*si));
	do
		ret = c->pidfd >= 0 ? waitid(P_PIDFD, c->pidfd, si, WEXITED | WNOHANG)
				    : waitid(P_PID, c->pid, si, WEXITED | WNOHANG);
	while (ret < 0 && errno == EINTR);
	if (ret < 0) {
		/* ECHILD: reaped behind our back (a waitpid(-1) somewhere); gone either way. */
		pr_debug("spawn: waitid pid %d: %s", (int)c->pid, strerror(errno));
		si->si_code = 0;
		return true;
	}
	return si->si_pid != 0;
}

/* The child may have exited: its pidfd is readable, or the poll timer ran out. */
static void child_event(struct xlb_child *c)
{
	xlb_child_exit_cb on_exit = c->on_exit;
	char command[sizeof(c->command)];
	void *arg = c->arg;
	siginfo_t si;

	if (!child_reap(c, &si)) {
		if (c->pidfd < 0)
			xlb_timer_arm(c->loop, &c->poll_timer, CHILD_POLL_NS);
		return;
	}
	memcpy(command, c->command, sizeof(command));
	child_free(c);
	if (on_exit)
		on_exit(&si, arg);
	else if (si.si_code && (si.si_code != CLD_EXITED || si.si_status))
		pr_warn("'%s' %s %d", command, si.si_code == CLD_EXITED ? "exited with" : "killed by signal",
			si.si_status);
}

static void child_pidfd_cb(struct xlb_loop *loop, int fd, uint32_t events, void *arg)
{
	(void)loop;
	(void)fd;
	(void)events;
	child_event(arg);
}

static void child_poll_cb(struct xlb_loop *loop, struct xlb_timer *t)
{
	(void)loop;
	child_event(t->arg);
}

void xlb_child_kill(struct xlb_child *c)
{
	if (kill(-c->pid, SIGKILL) && errno == ESRCH)
		kill(c->pid, SIGKILL); /* no group yet: setpgid raced with us */
	/* The pidfd turns readable once it is dead; child_event() reaps it. */
}

static void child_timeout_cb(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct xlb_child *c = t->arg;

	(void)loop;
	pr_warn("'%s' still running at its timeout: killed", c->command);
	xlb_child_kill(c);
}

pid_t xlb_child_pid(const struct xlb_child *c)
{
	return c->pid;
}

/*
 * The caller may free what on_exit would touch as soon as this returns, so the child is reaped
 * here. A SIGKILLed process is gone within microseconds unless stuck in the kernel (D state);
 * the wait is bounded so such a child cannot hang xlbd.
 */
int xlb_child_stop(struct xlb_child *c)
{
	uint64_t until = xlb_now_ns() + CHILD_STOP_REAP_MS * XLB_MS;
	struct pollfd pfd = { .fd = c->pidfd, .events = POLLIN };
	siginfo_t si;
	int err = 0;

	xlb_child_kill(c);
	if (c->pidfd >= 0)
		poll(&pfd, 1, CHILD_STOP_REAP_MS);
	while (!child_reap(c, &si)) {
		if (c->pidfd >= 0 || xlb_now_ns() >= until) {
			err = -ETIMEDOUT;
			break;
		}
		usleep(1000);
	}
	child_free(c);
	return err;
}

/*
 * xlbd blocks the signals its signalfd reads and may ignore others, and a blocked mask and
 * ignored dispositions survive execve: the command would start unable to die of SIGTERM or
 * SIGPIPE. The raw rt_sigaction, because glibc's sigaction refuses the two signals it keeps
 * for itself (32, 33), which whatever started xlbd may have ignored (make does); all zeroes is
 * SIG_DFL, no flags, an empty mask in every architecture's struct. Our fds are all O_CLOEXEC;
 * close_range also catches one a library opened without.
 */
static void __attribute__((noreturn)) child_exec(char *const argv[], char *const envp[],
						 bool stderr_null)
{
	static const unsigned long dfl[8];
	sigset_t none;
	int sig, devnull;

	setpgid(0, 0);
	for (sig = 1; sig < NSIG; sig++)
		syscall(SYS_rt_sigaction, sig, dfl, NULL, NSIG / 8);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	devnull = open("/dev/null", O_RDWR);
	if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 ||
	    (stderr_null && dup2(devnull, 2) < 0))
		_exit(127);
	close_range(3, ~0U, 0);
	execve("/bin/sh", argv, envp);
	_exit(127);
}

int xlb_child_start(struct xlb_loop *loop, const struct xlb_child_conf *conf,
		    struct xlb_child **childp)
{
	char sh[] = "sh", dash_c[] = "-c";
	char *argv[] = { sh, dash_c, (char *)conf->command, NULL };
	struct xlb_child *c;
	int err;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->loop = loop;
	c->on_exit = conf->on_exit;
	c->arg = conf->arg;
	snprintf(c->command, sizeof(c->command), "%s", conf->command);
	xlb_timer_init(&c->poll_timer, child_poll_cb, c);
	xlb_timer_init(&c->timeout, child_timeout_cb, c);
	c->pid = fork();
	if (c->pid < 0) {
		err = -errno;
		free(c);
		return err;
	}
	if (!c->pid)
		child_exec(argv, conf->envp, conf->stderr_null);
	/* Also from this side, so the group exists before we could need kill(-pid). */
	setpgid(c->pid, c->pid);
	c->next = children;
	children = c;
	if (childp)
		*childp = c;

	/* The child is not reaped until we say so, so its pid cannot be reused before this. */
	c->pidfd = syscall(SYS_pidfd_open, c->pid, 0); /* always O_CLOEXEC */
	if (c->pidfd >= 0) {
		err = xlb_loop_add_fd(loop, c->pidfd, EPOLLIN, child_pidfd_cb, c);
		if (err) {
			close(c->pidfd);
			c->pidfd = -1;
		}
	} else {
		err = -errno;
	}
	/*
	 * No pidfd (valgrind does not know pidfd_open, nor do kernels before 5.3, nor some
	 * seccomp filters): look for the exit every few ms instead. SIGCHLD is not ours to take,
	 * and a blocking wait is not an option.
	 */
	if (c->pidfd < 0) {
		pr_debug("spawn: pidfd: %s; polling pid %d", strerror(-err), (int)c->pid);
		xlb_timer_arm(loop, &c->poll_timer, CHILD_POLL_NS);
	}
	if (conf->timeout_ns)
		xlb_timer_arm(loop, &c->timeout, conf->timeout_ns);
	return 0;
}

int xlb_spawn(struct xlb_loop *loop, const char *command, char *const env[], uint64_t timeout_ns)
{
	char path[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	char *envp[SPAWN_MAX_ENV + 2];
	struct xlb_child_conf conf = {
		.command = command,
		.envp = envp,
		.timeout_ns = timeout_ns,
	};
	int i, n = 0;

	envp[n++] = path;
	for (i = 0; env && env[i] && n < SPAWN_MAX_ENV + 1; i++)
		envp[n++] = env[i];
	envp[n] = NULL;
	return xlb_child_start(loop, &conf, NULL);
}
