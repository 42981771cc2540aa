// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
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

#define SPAWN_MAX_ENV 16

struct spawned {
	pid_t pid;
	int pidfd;
	struct xlb_timer timeout;
	struct xlb_loop *loop;
	char command[64]; /* for messages */
	struct spawned *next;
};

/* Every child not reaped yet, so xlb_spawn_fini() can let go of them. */
static struct spawned *spawned_live;

static void spawned_free(struct spawned *s)
{
	struct spawned **p;

	for (p = &spawned_live; *p; p = &(*p)->next) {
		if (*p == s) {
			*p = s->next;
			break;
		}
	}
	xlb_timer_cancel(s->loop, &s->timeout);
	xlb_loop_del_fd(s->loop, s->pidfd);
	close(s->pidfd);
	free(s);
}

void xlb_spawn_fini(struct xlb_loop *loop)
{
	struct spawned *s, *next;

	for (s = spawned_live; s; s = next) {
		next = s->next;
		if (s->loop == loop)
			spawned_free(s);
	}
}

static void spawned_exit(struct xlb_loop *loop, int fd, uint32_t events, void *arg)
{
	struct spawned *s = arg;
	siginfo_t si = {};

	(void)loop;
	(void)fd;
	(void)events;
	if (waitid(P_PID, s->pid, &si, WEXITED | WNOHANG) || !si.si_pid)
		return;
	if (si.si_code != CLD_EXITED || si.si_status)
		pr_warn("'%s' %s %d", s->command, si.si_code == CLD_EXITED ? "exited with" : "killed by signal",
			si.si_status);
	spawned_free(s);
}

static void spawned_timeout(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct spawned *s = t->arg;

	(void)loop;
	pr_warn("'%s' still running at its timeout: killed", s->command);
	kill(-s->pid, SIGKILL);
	/* The pidfd turns readable once it is dead; spawned_exit() reaps it. */
}

int xlb_spawn(struct xlb_loop *loop, const char *command, char *const env[], uint64_t timeout_ns)
{
	char *envp[SPAWN_MAX_ENV + 2];
	struct spawned *s;
	sigset_t all;
	int i, n = 0, err;

	envp[n++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (i = 0; env && env[i] && n < SPAWN_MAX_ENV + 1; i++)
		envp[n++] = env[i];
	envp[n] = NULL;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->loop = loop;
	snprintf(s->command, sizeof(s->command), "%s", command);
	s->pid = fork();
	if (s->pid < 0) {
		err = -errno;
		free(s);
		return err;
	}
	if (!s->pid) {
		int devnull = open("/dev/null", O_RDWR);

		/* xlbd blocks the signals its signalfd takes; a child must not inherit that. */
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		setpgid(0, 0);
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
		}
		execle("/bin/sh", "sh", "-c", command, (char *)NULL, envp);
		_exit(127);
	}
	/* Also here, so a kill at the timeout finds the group even if the child has not run yet. */
	setpgid(s->pid, s->pid);
	s->pidfd = syscall(SYS_pidfd_open, s->pid, 0);
	if (s->pidfd < 0) {
		err = -errno;
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
		free(s);
		return err;
	}
	err = xlb_loop_add_fd(loop, s->pidfd, EPOLLIN, spawned_exit, s);
	if (err) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
		close(s->pidfd);
		free(s);
		return err;
	}
	xlb_timer_init(&s->timeout, spawned_timeout, s);
	xlb_timer_arm(loop, &s->timeout, timeout_ns);
	s->next = spawned_live;
	spawned_live = s;
	return 0;
}
