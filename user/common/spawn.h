/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one way xlbd starts a child: a command run by /bin/sh -c in its own process group, with
 * default signal dispositions, an empty signal mask, /dev/null for stdin and stdout and no fd
 * of ours beyond 0-2. It is watched through a pidfd in the event loop (every few ms where the
 * kernel or valgrind has none) and reaped with WNOHANG, so xlbd never waits for it. Exec health
 * checks want the exit status (an on_exit callback); notify scripts are fire and forget.
 */
#ifndef XLB_SPAWN_H
#define XLB_SPAWN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/loop.h"

struct xlb_child;

/*
 * The child was reaped; its handle is already freed, so the callback may start another or free
 * its owner. si is waitid()'s answer; si_code 0 when the status was lost (reaped elsewhere).
 */
typedef void (*xlb_child_exit_cb)(const siginfo_t *si, void *arg);

struct xlb_child_conf {
	const char *command; /* for /bin/sh -c; also names the child in messages */
	char *const *envp;   /* the whole environment, PATH included; NULL-terminated */
	uint64_t timeout_ns; /* 0: none; else the group is SIGKILLed at it, and that is logged */
	bool stderr_null;    /* /dev/null for stderr too; else it keeps xlbd's (the log) */
	/* NULL: fire and forget, and an exit other than 0 is logged here. */
	xlb_child_exit_cb on_exit;
	void *arg;
};

/*
 * Start conf->command. *childp (may be NULL for fire and forget) is the handle until on_exit
 * runs, xlb_child_stop() or xlb_spawn_fini(). Returns 0 or -errno (fork failed; nothing runs).
 */
int xlb_child_start(struct xlb_loop *loop, const struct xlb_child_conf *conf,
		    struct xlb_child **childp);
pid_t xlb_child_pid(const struct xlb_child *c);
/* SIGKILL the child's whole process group (a shell's children go with it); on_exit follows. */
void xlb_child_kill(struct xlb_child *c);
/*
 * Kill and reap it now, waiting a bounded time, and free the handle; on_exit is not called. For
 * an owner about to free what on_exit would touch. Returns 0, or -ETIMEDOUT when the child
 * outlived SIGKILL (stuck in the kernel) and was let go unreaped.
 */
int xlb_child_stop(struct xlb_child *c);

/* A notify script: PATH plus env ("NAME=value", NULL-terminated), fire and forget. 0 or -errno. */
int xlb_spawn(struct xlb_loop *loop, const char *command, char *const env[], uint64_t timeout_ns);
/*
 * Before xlb_loop_fini(): stop watching the children started on loop and free their handles.
 * Those still running carry on (a STOP notify must be able to finish) and are not killed. An
 * owner with an on_exit callback stops its children first (xlb_child_stop()).
 */
void xlb_spawn_fini(struct xlb_loop *loop);

#endif /* XLB_SPAWN_H */
