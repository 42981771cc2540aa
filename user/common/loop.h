/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xlbd's one event loop: epoll for file descriptors, one timerfd armed to the earliest timer
 * (timers live in a binary heap, so thousands of health checks cost log n each), signalfd for
 * signals. Callbacks must not block.
 */
#ifndef XLB_LOOP_H
#define XLB_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xlb_loop;
struct xlb_timer;
struct xlb_fd_watch;

typedef void (*xlb_fd_cb)(struct xlb_loop *loop, int fd, uint32_t events, void *arg);
typedef void (*xlb_timer_cb)(struct xlb_loop *loop, struct xlb_timer *t);
typedef void (*xlb_signal_cb)(struct xlb_loop *loop, int signo, void *arg);

/*
 * A zeroed timer is a valid disarmed one: objects that hold timers are memset or calloc'd, and
 * their stop paths may run before any xlb_timer_init(). So `pos` counts from 1 and 0 is "not
 * armed"; cancelling a timer that is not armed, in this loop's heap, does nothing.
 */
struct xlb_timer {
	uint64_t deadline; /* CLOCK_MONOTONIC ns */
	size_t pos;        /* 1 + its index in the heap; 0 when not armed */
	xlb_timer_cb cb;
	void *arg;
};

struct xlb_loop {
	int epfd;
	int tfd;
	int sfd;
	bool stop;
	struct xlb_timer **heap;
	size_t n_heap, cap_heap;
	struct xlb_fd_watch **watches; /* every fd watched; dead ones are reaped between batches */
	size_t n_watches, cap_watches;
	xlb_signal_cb on_signal;
	void *signal_arg;
};

/* Timers take ns; this spells a millisecond of them. */
#define XLB_MS (1000000ull)

uint64_t xlb_now_ns(void);

/* Block `signals` (0-terminated list) and deliver them through on_signal. */
int xlb_loop_init(struct xlb_loop *loop, const int *signals, xlb_signal_cb on_signal, void *arg);
/*
 * After xlb_loop_init(), failed or not (not on a merely zeroed loop: its fds read as 0). Timers
 * still armed are disarmed; the loop is then as zeroed, and may be initialised again.
 */
void xlb_loop_fini(struct xlb_loop *loop);
int xlb_loop_add_fd(struct xlb_loop *loop, int fd, uint32_t events, xlb_fd_cb cb, void *arg);
int xlb_loop_mod_fd(struct xlb_loop *loop, int fd, uint32_t events, xlb_fd_cb cb, void *arg);
void xlb_loop_del_fd(struct xlb_loop *loop, int fd);

/* Set the callback of a zeroed or disarmed timer (it stays disarmed). */
void xlb_timer_init(struct xlb_timer *t, xlb_timer_cb cb, void *arg);
/* (Re)arm t to fire once, delay_ns from now. */
int xlb_timer_arm(struct xlb_loop *loop, struct xlb_timer *t, uint64_t delay_ns);
/* Disarm t; a no-op on a zeroed or disarmed timer, and with a NULL or finished loop. */
void xlb_timer_cancel(struct xlb_loop *loop, struct xlb_timer *t);
static inline bool xlb_timer_armed(const struct xlb_timer *t)
{
	return t->pos != 0;
}

/* Run until xlb_loop_stop(); returns 0, or -errno if waiting failed. */
int xlb_loop_run(struct xlb_loop *loop);
static inline void xlb_loop_stop(struct xlb_loop *loop)
{
	loop->stop = true;
}

#endif /* XLB_LOOP_H */
