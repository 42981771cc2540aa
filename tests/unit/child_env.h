/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a child of xlbd must start with, whichever path started it (an exec check, a notify
 * script): default signal dispositions, an empty signal mask, and none of the parent's fds
 * beyond 0-2, CLOEXEC or not. child_env_dirty() makes the test process look like a busy xlbd
 * (signals ignored, a leaky fd); child_env_cmd() is a shell command that exits 0 when its shell
 * sees none of that, else 1 (a signal blocked or ignored) or 2 (an fd leaked). Builtins only: an
 * exec check has 100 ms, which a loaded machine does not give a pipeline of forks.
 */
#ifndef XLB_TEST_CHILD_ENV_H
#define XLB_TEST_CHILD_ENV_H

#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#define CHILD_ENV_MAX_FD 64

struct child_env {
	struct sigaction pipe, usr2;
	int leaky;
};

/* Ignore SIGPIPE and SIGUSR2 (as a daemon does), and hold an fd without O_CLOEXEC. */
static inline void child_env_dirty(struct child_env *e)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };

	sigaction(SIGPIPE, &ign, &e->pipe);
	sigaction(SIGUSR2, &ign, &e->usr2);
	e->leaky = dup(0);
}

static inline void child_env_clean(struct child_env *e)
{
	sigaction(SIGPIPE, &e->pipe, NULL);
	sigaction(SIGUSR2, &e->usr2, NULL);
	close(e->leaky);
}

/* The check, then tail (may be ""), e.g. to report $rc somewhere other than the exit status. */
static inline void child_env_cmd(char *buf, size_t len, const char *tail)
{
	size_t n;
	int fd;

	n = snprintf(buf, len, "rc=0; for i in");
	for (fd = 3; fd < CHILD_ENV_MAX_FD && n < len; fd++)
		n += snprintf(buf + n, len - n, " %d", fd);
	if (n < len)
		snprintf(buf + n, len - n,
			 "; do test ! -e /proc/$$/fd/$i || rc=2; done; "
			 "while read k v; do case $k in SigBlk:|SigIgn:) "
			 "test $v = 0000000000000000 || rc=1;; esac; done </proc/$$/status; %s"
			 "exit $rc",
			 tail);
}

#endif /* XLB_TEST_CHILD_ENV_H */
