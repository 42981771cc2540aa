// SPDX-License-Identifier: GPL-2.0-only
/*
 * Health checks. Each checker is a small state machine driven by xlbd's loop:
 *
 *   interval timer -> start (connect / send / fork) -> fd or pidfd events -> done -> rise/fall
 *
 * plus a timeout timer armed at the start of every check. Nothing here blocks: sockets are
 * non-blocking, a connect is finished by EPOLLOUT + SO_ERROR, an exec check's child is watched
 * through a pidfd (or, where there is none, a 5 ms poll) and reaped with WNOHANG once it exited.
 * The one exception is xlb_hc_stop(), which may wait (bounded) for a child it has just
 * SIGKILLed, because the caller is allowed to free the checker as soon as stop returns.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check/health.h"
#include "common/addr.h"
#include "common/log.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

#define NS_PER_MS 1000000ull

/* How long xlb_hc_stop() waits for a SIGKILLed child to die before giving up on reaping it. */
#define HC_STOP_REAP_MS 1000
/* Without a pidfd, how often to look whether the exec child exited. */
#define HC_REAP_POLL_MS 5

enum hc_phase {
	HC_IDLE = 0, /* between checks */
	HC_CONNECT,  /* tcp, http: connect() in flight, waiting for EPOLLOUT */
	HC_SEND,     /* http: request partly sent, waiting for EPOLLOUT */
	HC_RECV,     /* http: reading the reply; udp: waiting for the reply */
	HC_EXEC,     /* exec: child running, waiting for its pidfd */
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

static void hc_close_pidfd(struct xlb_hc *hc)
{
	if (hc->pidfd < 0)
		return;
	xlb_loop_del_fd(hc->loop, hc->pidfd);
	close(hc->pidfd);
	hc->pidfd = -1;
}

/*
 * Reap the exec child if it has exited; true when it is gone. siginfo gets its exit status.
 * P_PID is as safe as P_PIDFD here: an unreaped child keeps its pid, so it cannot be reused.
 */
static bool hc_try_reap(struct xlb_hc *hc, siginfo_t *si)
{
	int ret;

	memset(si, 0, sizeof(*si));
	do
		ret = hc->pidfd >= 0 ? waitid(P_PIDFD, hc->pidfd, si, WEXITED | WNOHANG)
				     : waitid(P_PID, hc->pid, si, WEXITED | WNOHANG);
	while (ret < 0 && errno == EINTR);
	if (ret < 0) {
		/* ECHILD: reaped behind our back (a waitpid(-1) somewhere); gone either way. */
		pr_debug("health: waitid pid %d: %s", (int)hc->pid, strerror(errno));
		si->si_code = 0;
		return true;
	}
	return si->si_pid != 0;
}

/* SIGKILL the child's whole process group: a shell's children go with it. */
static void hc_kill(struct xlb_hc *hc)
{
	if (kill(-hc->pid, SIGKILL) && errno == ESRCH)
		kill(hc->pid, SIGKILL); /* no group yet: setpgid raced with us */
}

static void hc_done(struct xlb_hc *hc, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * A check ended: record it, apply rise/fall. on_change is called last because it may stop and
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
	if (ok) {
		hc->ok_run++;
		hc->fail_run = 0;
		if (!hc->up && hc->ok_run >= hc->conf.rise) {
			hc->up = true;
			changed = true;
			pr_info("backend %s is up (%u success%s)", hc_name(hc, name, sizeof(name)),
				hc->ok_run, hc->ok_run == 1 ? "" : "es");
		}
	} else {
		hc->failed++;
		hc->fail_run++;
		hc->ok_run = 0;
		if (hc->up && hc->fail_run >= hc->conf.fall) {
			hc->up = false;
			changed = true;
			pr_info("backend %s is down (%u failure%s: %s)",
				hc_name(hc, name, sizeof(name)), hc->fail_run,
				hc->fail_run == 1 ? "" : "s", hc->last_result);
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

/*
 * In the child, between fork and execve: async-signal-safe calls only. xlbd blocks the signals
 * its signalfd reads, and a blocked mask and ignored dispositions survive execve, so the command
 * would otherwise start unable to die of SIGTERM or SIGPIPE.
 */
static void __attribute__((noreturn)) hc_exec_child(int devnull, char *const argv[],
						    char *const envp[])
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;
	int sig;

	setpgid(0, 0);
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 || dup2(devnull, 2) < 0)
		_exit(127);
	/* Ours are all O_CLOEXEC; this also catches any fd a library opened without it. */
	close_range(3, ~0U, 0);
	execve("/bin/sh", argv, envp);
	_exit(127);
}

/* The child may have exited (pidfd readable, or the poll timer without one). */
static void hc_child_event(struct xlb_hc *hc)
{
	siginfo_t si;

	if (!hc_try_reap(hc, &si)) {
		if (hc->pidfd < 0)
			xlb_timer_arm(hc->loop, &hc->reap_timer, HC_REAP_POLL_MS * NS_PER_MS);
		return;
	}
	hc_close_pidfd(hc);
	hc->pid = 0;
	if (hc->phase == HC_REAP) {
		/* The timeout already recorded this check; only the next one may be waiting. */
		hc->phase = HC_IDLE;
		if (hc->due) {
			hc->due = false;
			xlb_timer_arm(hc->loop, &hc->interval_timer, 0);
		}
		return;
	}
	if (si.si_code == CLD_EXITED && si.si_status == 0)
		hc_done(hc, true, "ok");
	else if (si.si_code == CLD_EXITED)
		hc_done(hc, false, "exit %d", si.si_status);
	else if (si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED)
		hc_done(hc, false, "signal %d", si.si_status);
	else
		hc_done(hc, false, "exit status lost");
}

static void hc_pidfd_cb(struct xlb_loop *loop, int fd, uint32_t events, void *arg)
{
	(void)loop;
	(void)fd;
	(void)events;
	hc_child_event(arg);
}

static void hc_reap_cb(struct xlb_loop *loop, struct xlb_timer *t)
{
	(void)loop;
	hc_child_event(t->arg);
}

static void hc_exec_start(struct xlb_hc *hc)
{
	char a[INET6_ADDRSTRLEN], env_backend[16 + INET6_ADDRSTRLEN], env_port[24];
	char env_path[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
	char *envp[] = { env_backend, env_port, env_path, NULL };
	char sh[] = "sh", dash_c[] = "-c";
	char *argv[] = { sh, dash_c, hc->conf.command, NULL };
	int devnull, err;
	pid_t pid;

	snprintf(env_backend, sizeof(env_backend), "XLB_BACKEND=%s",
		 xlb_addr_str(&hc->addr, a, sizeof(a)));
	snprintf(env_port, sizeof(env_port), "XLB_PORT=%u", hc->conf.port);

	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0) {
		hc_done(hc, false, "/dev/null: %s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid < 0) {
		err = errno;
		close(devnull);
		hc_done(hc, false, "fork: %s", strerror(err));
		return;
	}
	if (!pid)
		hc_exec_child(devnull, argv, envp);
	close(devnull);
	/* Also from this side, so the group exists before we could need kill(-pid). */
	setpgid(pid, pid);
	hc->pid = pid;
	hc->phase = HC_EXEC;

	/* The child is not reaped until we say so, so its pid cannot be reused before this. */
	hc->pidfd = syscall(SYS_pidfd_open, pid, 0); /* always O_CLOEXEC */
	if (hc->pidfd >= 0) {
		err = xlb_loop_add_fd(hc->loop, hc->pidfd, EPOLLIN, hc_pidfd_cb, hc);
		if (!err)
			return;
		close(hc->pidfd);
		hc->pidfd = -1;
	} else {
		err = -errno;
	}
	/*
	 * No pidfd (valgrind does not know pidfd_open, nor do kernels before 5.3, nor some
	 * seccomp filters): look for the exit every few ms instead. SIGCHLD is not ours to take,
	 * and a blocking wait is not an option.
	 */
	pr_debug("health: pidfd: %s; polling pid %d", strerror(-err), (int)pid);
	xlb_timer_arm(hc->loop, &hc->reap_timer, HC_REAP_POLL_MS * NS_PER_MS);
}

/* --- timers --- */

static void hc_timeout_cb(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct xlb_hc *hc = t->arg;
	siginfo_t si;

	(void)loop;
	if (hc->phase == HC_EXEC) {
		hc_kill(hc);
		/*
		 * The child dies asynchronously; usually it is not reapable yet. Keep the pidfd
		 * watched and reap it when it says so, with the result already recorded.
		 */
		if (hc_try_reap(hc, &si)) {
			hc_close_pidfd(hc);
			xlb_timer_cancel(hc->loop, &hc->reap_timer);
			hc->pid = 0;
		} else {
			hc->phase = HC_REAP;
		}
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
	hc->pidfd = -1;
	xlb_timer_init(&hc->interval_timer, hc_interval_cb, hc);
	xlb_timer_init(&hc->timeout_timer, hc_timeout_cb, hc);
	xlb_timer_init(&hc->reap_timer, hc_reap_cb, hc);
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

/*
 * Kill the exec child and reap it before returning, since the caller may free hc as soon as
 * xlb_hc_stop() returns. A SIGKILLed process is gone within microseconds unless stuck in the
 * kernel (D state); the wait is bounded so such a child cannot hang xlbd.
 */
static void hc_kill_reap(struct xlb_hc *hc)
{
	uint64_t until = xlb_now_ns() + HC_STOP_REAP_MS * NS_PER_MS;
	struct pollfd pfd = { .fd = hc->pidfd, .events = POLLIN };
	siginfo_t si;
	char name[64];

	hc_kill(hc);
	if (hc->pidfd >= 0)
		poll(&pfd, 1, HC_STOP_REAP_MS);
	while (!hc_try_reap(hc, &si)) {
		if (hc->pidfd >= 0 || xlb_now_ns() >= until) {
			pr_warn("health: %s: exec check pid %d survived SIGKILL; not reaped",
				hc_name(hc, name, sizeof(name)), (int)hc->pid);
			break;
		}
		usleep(1000);
	}
	hc->pid = 0;
}

void xlb_hc_stop(struct xlb_hc *hc)
{
	if (!hc->loop)
		return;
	xlb_timer_cancel(hc->loop, &hc->interval_timer);
	xlb_timer_cancel(hc->loop, &hc->timeout_timer);
	xlb_timer_cancel(hc->loop, &hc->reap_timer);
	hc_close(hc, true);
	if (hc->pid > 0)
		hc_kill_reap(hc);
	hc_close_pidfd(hc);
	hc->phase = HC_IDLE;
	hc->due = false;
	hc->loop = NULL;
}
