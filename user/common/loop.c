// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/loop.h"

/* epoll data for a file descriptor; the loop's own fds carry NULL callbacks. */
struct xlb_fd_watch {
	xlb_fd_cb cb;
	void *arg;
	int fd;
};

uint64_t xlb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void heap_swap(struct xlb_loop *l, size_t a, size_t b)
{
	struct xlb_timer *t = l->heap[a];

	l->heap[a] = l->heap[b];
	l->heap[b] = t;
	l->heap[a]->pos = a + 1;
	l->heap[b]->pos = b + 1;
}

static void heap_up(struct xlb_loop *l, size_t i)
{
	while (i && l->heap[(i - 1) / 2]->deadline > l->heap[i]->deadline) {
		heap_swap(l, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_down(struct xlb_loop *l, size_t i)
{
	for (;;) {
		size_t c = 2 * i + 1, m = i;

		if (c < l->n_heap && l->heap[c]->deadline < l->heap[m]->deadline)
			m = c;
		if (c + 1 < l->n_heap && l->heap[c + 1]->deadline < l->heap[m]->deadline)
			m = c + 1;
		if (m == i)
			return;
		heap_swap(l, i, m);
		i = m;
	}
}

/* Is t in l's heap where it says? False for a zeroed timer, or one of another loop. */
static bool heap_holds(const struct xlb_loop *l, const struct xlb_timer *t)
{
	return t->pos && t->pos <= l->n_heap && l->heap[t->pos - 1] == t;
}

static void heap_remove(struct xlb_loop *l, struct xlb_timer *t)
{
	size_t i = t->pos - 1;

	l->n_heap--;
	if (i != l->n_heap) {
		heap_swap(l, i, l->n_heap);
		heap_down(l, i);
		heap_up(l, i);
	}
	t->pos = 0;
}

/* Arm the timerfd to the earliest deadline; absolute time, so a late re-arm cannot drift. */
static int loop_rearm(struct xlb_loop *l)
{
	struct itimerspec its = {};

	if (l->n_heap) {
		uint64_t d = l->heap[0]->deadline;

		its.it_value.tv_sec = d / 1000000000ull;
		its.it_value.tv_nsec = d % 1000000000ull;
		if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
			its.it_value.tv_nsec = 1; /* zero would disarm */
	}
	if (timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL))
		return -errno;
	return 0;
}

void xlb_timer_init(struct xlb_timer *t, xlb_timer_cb cb, void *arg)
{
	t->deadline = 0;
	t->pos = 0;
	t->cb = cb;
	t->arg = arg;
}

int xlb_timer_arm(struct xlb_loop *l, struct xlb_timer *t, uint64_t delay_ns)
{
	if (heap_holds(l, t))
		heap_remove(l, t);
	if (l->n_heap == l->cap_heap) {
		size_t cap = l->cap_heap ? 2 * l->cap_heap : 64;
		struct xlb_timer **h = realloc(l->heap, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		l->heap = h;
		l->cap_heap = cap;
	}
	t->deadline = xlb_now_ns() + delay_ns;
	l->heap[l->n_heap++] = t;
	t->pos = l->n_heap;
	heap_up(l, l->n_heap - 1);
	return loop_rearm(l);
}

void xlb_timer_cancel(struct xlb_loop *l, struct xlb_timer *t)
{
	if (!l || !heap_holds(l, t))
		return;
	heap_remove(l, t);
	loop_rearm(l);
}

int xlb_loop_add_fd(struct xlb_loop *l, int fd, uint32_t events, xlb_fd_cb cb, void *arg)
{
	struct epoll_event ev = { .events = events };
	struct xlb_fd_watch *w;
	int err;

	if (l->n_watches == l->cap_watches) {
		size_t cap = l->cap_watches ? 2 * l->cap_watches : 16;
		struct xlb_fd_watch **v = realloc(l->watches, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->watches = v;
		l->cap_watches = cap;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->cb = cb;
	w->arg = arg;
	w->fd = fd;
	ev.data.ptr = w;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		err = -errno;
		free(w);
		return err;
	}
	l->watches[l->n_watches++] = w;
	return 0;
}

/*
 * Removal only marks the watch dead: an event for it may sit in the batch being dispatched.
 * Dead watches are freed once the batch is done.
 */
void xlb_loop_del_fd(struct xlb_loop *l, int fd)
{
	size_t i;

	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	for (i = 0; i < l->n_watches; i++) {
		if (l->watches[i]->fd == fd) {
			l->watches[i]->cb = NULL;
			l->watches[i]->fd = -1;
		}
	}
}

int xlb_loop_mod_fd(struct xlb_loop *l, int fd, uint32_t events, xlb_fd_cb cb, void *arg)
{
	xlb_loop_del_fd(l, fd);
	return xlb_loop_add_fd(l, fd, events, cb, arg);
}

static void loop_reap(struct xlb_loop *l)
{
	size_t i, j = 0;

	for (i = 0; i < l->n_watches; i++) {
		if (l->watches[i]->cb)
			l->watches[j++] = l->watches[i];
		else
			free(l->watches[i]);
	}
	l->n_watches = j;
}

int xlb_loop_init(struct xlb_loop *l, const int *signals, xlb_signal_cb on_signal, void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN };
	sigset_t mask;
	int err;

	memset(l, 0, sizeof(*l));
	l->epfd = l->tfd = l->sfd = -1;
	l->on_signal = on_signal;
	l->signal_arg = arg;

	sigemptyset(&mask);
	for (; signals && *signals; signals++)
		sigaddset(&mask, *signals);
	if (sigprocmask(SIG_BLOCK, &mask, NULL))
		return -errno;

	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	l->sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (l->epfd < 0 || l->tfd < 0 || l->sfd < 0)
		goto err;
	ev.data.ptr = &l->tfd;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->tfd, &ev))
		goto err;
	ev.data.ptr = &l->sfd;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->sfd, &ev))
		goto err;
	return 0;
err:
	err = -errno;
	xlb_loop_fini(l);
	return err;
}

void xlb_loop_fini(struct xlb_loop *l)
{
	size_t i;

	for (i = 0; i < l->n_watches; i++)
		free(l->watches[i]);
	/* Timers still armed now never fire: say so, for whoever looks at them after. */
	for (i = 0; i < l->n_heap; i++)
		l->heap[i]->pos = 0;
	free(l->watches);
	free(l->heap);
	if (l->sfd >= 0)
		close(l->sfd);
	if (l->tfd >= 0)
		close(l->tfd);
	if (l->epfd >= 0)
		close(l->epfd);
	l->watches = NULL;
	l->heap = NULL;
	l->n_watches = l->n_heap = l->cap_watches = l->cap_heap = 0;
	l->epfd = l->tfd = l->sfd = -1;
}

/* Fire every timer that is due; a callback may re-arm its own timer or others. */
static void loop_timers(struct xlb_loop *l)
{
	uint64_t expirations, now = xlb_now_ns();

	if (read(l->tfd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		pr_warn("timerfd read: %s", strerror(errno));
	while (l->n_heap && l->heap[0]->deadline <= now) {
		struct xlb_timer *t = l->heap[0];

		heap_remove(l, t);
		t->cb(l, t);
	}
	loop_rearm(l);
}

static void loop_signals(struct xlb_loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->sfd, &si, sizeof(si)) == sizeof(si)) {
		if (l->on_signal)
			l->on_signal(l, si.ssi_signo, l->signal_arg);
	}
}

int xlb_loop_run(struct xlb_loop *l)
{
	struct epoll_event ev[32];
	int i, n;

	while (!l->stop) {
		n = epoll_wait(l->epfd, ev, 32, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		/* Timers first: an advert deadline must not wait behind a burst of socket work. */
		for (i = 0; i < n; i++)
			if (ev[i].data.ptr == &l->tfd)
				loop_timers(l);
		for (i = 0; i < n && !l->stop; i++) {
			struct xlb_fd_watch *w = ev[i].data.ptr;

			if (ev[i].data.ptr == &l->tfd)
				continue;
			if (ev[i].data.ptr == &l->sfd) {
				loop_signals(l);
				continue;
			}
			if (w->cb)
				w->cb(l, w->fd, ev[i].events, w->arg);
		}
		loop_reap(l);
	}
	return 0;
}
