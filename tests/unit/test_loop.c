// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the event loop's timers (user/common/loop.c).
 *
 * The contract under test: a zeroed struct xlb_timer is a disarmed one. Every object that holds
 * a timer is calloc'd or memset, and its stop path may run before xlb_timer_init() did (a start
 * that failed half-way); cancelling such a timer must leave the heap as it was. Before this was
 * so, a zeroed timer read as armed in slot 0 and its cancel pulled whatever timer was first out
 * of the heap (a use-after-free later, or a NULL heap dereferenced when the heap was empty).
 *
 * The same for every object that holds timers: its stop on the zeroed object does nothing.
 *
 * Each test also checks the heap's own invariants after every step: n_heap entries, each armed,
 * each no earlier than its parent.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/dataplane.h"
#include "agent/lb.h"
#include "check/health.h"
#include "common/loop.h"
#include "ctl/control.h"
#include "pair/failover.h"
#include "pair/sync.h"
#include "pair/vrrp.h"

#define MS 1000000ull
#define N_TIMERS 64

struct fired {
	struct xlb_timer *order[N_TIMERS];
	size_t n;
	size_t stop_after;
};

static struct fired fired;

static void record_cb(struct xlb_loop *loop, struct xlb_timer *t)
{
	fired.order[fired.n++] = t;
	if (fired.n >= fired.stop_after)
		xlb_loop_stop(loop);
}

static void heap_check(const struct xlb_loop *l, size_t want)
{
	size_t i;

	assert_int_equal(l->n_heap, want);
	for (i = 0; i < l->n_heap; i++) {
		assert_true(xlb_timer_armed(l->heap[i]));
		if (i)
			assert_true(l->heap[(i - 1) / 2]->deadline <= l->heap[i]->deadline);
	}
}

static int setup(void **state)
{
	static struct xlb_loop loop;

	if (xlb_loop_init(&loop, NULL, NULL, NULL))
		return -1;
	memset(&fired, 0, sizeof(fired));
	*state = &loop;
	return 0;
}

static int teardown(void **state)
{
	xlb_loop_fini(*state);
	return 0;
}

/* A zeroed timer, and one just initialised, read as not armed. */
static void test_zeroed_timer_is_disarmed(void **state)
{
	struct xlb_timer z, t;

	(void)state;
	memset(&z, 0, sizeof(z));
	assert_false(xlb_timer_armed(&z));
	memset(&t, 0xff, sizeof(t));
	xlb_timer_init(&t, record_cb, NULL);
	assert_false(xlb_timer_armed(&t));
}

/*
 * Cancelling a zeroed timer (never initialised) with three timers armed leaves all three in the
 * heap, and they fire in deadline order. On the old code the zeroed timer's slot 0 took the
 * earliest timer out of the heap.
 */
static void test_cancel_zeroed_keeps_heap(void **state)
{
	struct xlb_loop *l = *state;
	struct xlb_timer a, b, c, z;

	xlb_timer_init(&a, record_cb, NULL);
	xlb_timer_init(&b, record_cb, NULL);
	xlb_timer_init(&c, record_cb, NULL);
	assert_int_equal(xlb_timer_arm(l, &a, 1 * MS), 0);
	assert_int_equal(xlb_timer_arm(l, &b, 2 * MS), 0);
	assert_int_equal(xlb_timer_arm(l, &c, 3 * MS), 0);
	heap_check(l, 3);

	memset(&z, 0, sizeof(z));
	xlb_timer_cancel(l, &z);
	xlb_timer_cancel(l, &z);
	heap_check(l, 3);
	assert_false(xlb_timer_armed(&z));
	assert_true(xlb_timer_armed(&a));

	fired.stop_after = 3;
	assert_int_equal(xlb_loop_run(l), 0);
	assert_int_equal(fired.n, 3);
	assert_ptr_equal(fired.order[0], &a);
	assert_ptr_equal(fired.order[1], &b);
	assert_ptr_equal(fired.order[2], &c);
	heap_check(l, 0);
}

/* The same on a loop whose heap was never allocated (no timer armed yet): no NULL dereference. */
static void test_cancel_zeroed_on_empty_heap(void **state)
{
	struct xlb_loop *l = *state;
	struct xlb_timer z;

	memset(&z, 0, sizeof(z));
	assert_null(l->heap);
	xlb_timer_cancel(l, &z);
	heap_check(l, 0);
	/* Nor with no loop at all (an object stopped before it was ever given one). */
	xlb_timer_cancel(NULL, &z);
	/* A zeroed timer, given a callback, arms and fires like any other. */
	z.cb = record_cb;
	fired.stop_after = 1;
	assert_int_equal(xlb_timer_arm(l, &z, 0), 0);
	heap_check(l, 1);
	assert_int_equal(xlb_loop_run(l), 0);
	assert_int_equal(fired.n, 1);
	assert_false(xlb_timer_armed(&z));
}

/* Cancel twice, and cancel after firing: both no-ops that leave the others armed. */
static void test_cancel_is_idempotent(void **state)
{
	struct xlb_loop *l = *state;
	struct xlb_timer a, b;

	xlb_timer_init(&a, record_cb, NULL);
	xlb_timer_init(&b, record_cb, NULL);
	assert_int_equal(xlb_timer_arm(l, &a, 0), 0);
	assert_int_equal(xlb_timer_arm(l, &b, 1000 * MS), 0);
	fired.stop_after = 1;
	assert_int_equal(xlb_loop_run(l), 0);
	assert_ptr_equal(fired.order[0], &a);
	xlb_timer_cancel(l, &a);
	heap_check(l, 1);
	xlb_timer_cancel(l, &b);
	xlb_timer_cancel(l, &b);
	heap_check(l, 0);
	assert_false(xlb_timer_armed(&b));
}

/*
 * Many timers armed in a scrambled order, every third cancelled, some re-armed: the heap keeps
 * its invariants throughout and the rest fire in deadline order.
 */
static void test_heap_order_with_cancels(void **state)
{
	struct xlb_loop *l = *state;
	static struct xlb_timer t[N_TIMERS];
	size_t i, n = 0, want = 0;

	for (i = 0; i < N_TIMERS; i++) {
		xlb_timer_init(&t[i], record_cb, NULL);
		/* 37 is prime to 64: a permutation of 0..63 ms. */
		assert_int_equal(xlb_timer_arm(l, &t[i], ((i * 37) % N_TIMERS) * MS / 4), 0);
		heap_check(l, ++n);
	}
	for (i = 0; i < N_TIMERS; i += 3) {
		xlb_timer_cancel(l, &t[i]);
		heap_check(l, --n);
	}
	/* Re-arming an armed timer moves it, never duplicates it. */
	for (i = 1; i < N_TIMERS; i += 6) {
		assert_int_equal(xlb_timer_arm(l, &t[i], 20 * MS), 0);
		heap_check(l, n);
	}
	for (i = 0; i < N_TIMERS; i++)
		want += xlb_timer_armed(&t[i]);
	assert_int_equal(want, n);

	fired.stop_after = n;
	assert_int_equal(xlb_loop_run(l), 0);
	assert_int_equal(fired.n, n);
	for (i = 1; i < fired.n; i++)
		assert_true(fired.order[i - 1]->deadline <= fired.order[i]->deadline);
	heap_check(l, 0);
}

/* Timers still armed when the loop is finished read as disarmed; cancelling them is safe. */
static void test_fini_disarms(void **state)
{
	struct xlb_loop *l = *state;
	struct xlb_timer a, b;

	xlb_timer_init(&a, record_cb, NULL);
	xlb_timer_init(&b, record_cb, NULL);
	assert_int_equal(xlb_timer_arm(l, &a, 1000 * MS), 0);
	assert_int_equal(xlb_timer_arm(l, &b, 2000 * MS), 0);
	xlb_loop_fini(l);
	assert_false(xlb_timer_armed(&a));
	assert_false(xlb_timer_armed(&b));
	xlb_timer_cancel(l, &a);
	xlb_timer_cancel(l, &b);
	heap_check(l, 0);
	/* A finished loop can be started again. */
	assert_int_equal(xlb_loop_init(l, NULL, NULL, NULL), 0);
	assert_int_equal(xlb_timer_arm(l, &a, 0), 0);
	heap_check(l, 1);
}

/*
 * Every stop / fini of an object that holds timers or fds is a no-op on the zeroed object, the
 * state a failed start leaves it in before its own init ran. Each is called twice, with armed
 * timers of others in the heap, which must come out untouched. (Before, a zeroed control server
 * closed fd 0 through a NULL loop.)
 */
static void test_zeroed_objects_stop(void **state)
{
	struct xlb_loop *l = *state;
	static struct xlb_ctl_server ctl;
	static struct xlb_failover fo;
	static struct xlb_sync sync;
	static struct xlb_vrrp vr;
	static struct xlb_lb lb;
	static struct xlb_dp dp;
	static struct xlb_hc hc;
	struct xlb_timer a, b;
	int i;

	xlb_timer_init(&a, record_cb, NULL);
	xlb_timer_init(&b, record_cb, NULL);
	assert_int_equal(xlb_timer_arm(l, &a, 1000 * MS), 0);
	assert_int_equal(xlb_timer_arm(l, &b, 2000 * MS), 0);
	for (i = 0; i < 2; i++) {
		xlb_ctl_close(&ctl);
		xlb_fo_stop(&fo, true);
		xlb_sync_stop(&sync);
		xlb_vrrp_stop(&vr, true);
		xlb_vrrp_fini(&vr);
		xlb_hc_stop(&hc);
		xlb_lb_fini(&lb);
		xlb_dp_detach(&dp);
		xlb_dp_close(&dp, false);
		heap_check(l, 2);
	}
	/* fd 0 is still open (a zeroed server's fd is 0: it must not have been closed). */
	assert_true(fcntl(0, F_GETFD) >= 0 || errno != EBADF);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_zeroed_timer_is_disarmed),
		T(test_cancel_zeroed_keeps_heap),
		T(test_cancel_zeroed_on_empty_heap),
		T(test_cancel_is_idempotent),
		T(test_heap_order_with_cancels),
		T(test_fini_disarms),
		T(test_zeroed_objects_stop),
	};

	return cmocka_run_group_tests_name("loop", tests, NULL, NULL);
}
