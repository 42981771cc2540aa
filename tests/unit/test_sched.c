// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the tables of the stateful schedulers (user/dispatch/seq.c): wrr's smooth
 * weighted sequence (nginx's), rr's, and the live list lc and wlc scan. Keys are IPv4 address
 * bytes 192.0.2.1, .2, ...; ids start at ID_BASE so no test can pass by confusing an id with an
 * index. Measured figures (deviation, scaled error, build time) are printed so they can be quoted.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "dispatch/sched.h"
#include "dispatch/seq.h"
#include "xlb/abi.h"

#define MAX_BE 4096
#define ID_BASE 1000u

static uint8_t keys[MAX_BE][4];
static struct xlb_sched_backend be[MAX_BE];

/* Backend i: key 192.0.2.(i+1) (198.18.x.y past 254), id ID_BASE + i, weight w[i]. */
static void set_backends(const uint32_t *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t host = i + 1;
		uint8_t v4[4] = { 192, 0, 2, host };
		uint8_t more[4] = { 198, 18, host >> 8, host & 0xff };

		memcpy(keys[i], host < 255 ? v4 : more, 4);
		be[i] = (struct xlb_sched_backend){ keys[i], 4, w[i], ID_BASE + i };
	}
}

static uint64_t rng_state;

static uint32_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dULL) >> 32);
}

/* Build wrr (or rr with flat) over be[0..n): the table, its size in *size. */
static uint32_t *build(size_t n, int flat, uint32_t *size)
{
	uint32_t *t;

	*size = flat ? xlb_rr_size(be, n, 0) : xlb_wrr_size(be, n, 0);
	t = malloc(*size * sizeof(*t));
	assert_non_null(t);
	assert_int_equal(flat ? xlb_rr_build(be, n, t, *size) : xlb_wrr_build(be, n, t, *size), 0);
	return t;
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	return b ? gcd(b, a % b) : a;
}

/* Test that wrr's cycle is nginx's sequence: 5 1 1 gives a a b a c a a, exactly. */
static void test_wrr_nginx_sequence(void **state)
{
	static const uint32_t w[] = { 5, 1, 1 };
	static const uint32_t want[] = { 0, 0, 1, 0, 2, 0, 0 };
	uint32_t size, *t, i;

	(void)state;
	set_backends(w, 3);
	t = build(3, 0, &size);
	assert_int_equal(size, 7);
	for (i = 0; i < size; i++)
		assert_int_equal(t[i], ID_BASE + want[i]);
	free(t);
}

/*
 * Test that over one cycle each backend gets exactly weight / gcd slots (random weights, zero
 * weights owning none), and that the sequence is smooth: after any t slots a backend of weight w
 * (of W) has had t * w / W of them, less than one off.
 */
static void test_wrr_exact_and_smooth(void **state)
{
	uint32_t w[32], cnt[32], size, *t, trial;
	double worst = 0;

	(void)state;
	rng_state = 0x5eed5eedULL;
	for (trial = 0; trial < 200; trial++) {
		size_t n = 1 + rng_next() % 32, i;
		uint64_t g = 0, sum = 0, s;

		for (i = 0; i < n; i++) {
			w[i] = rng_next() % 8 == 0 ? 0 : 1 + rng_next() % 200;
			if (trial % 3 == 0)
				w[i] *= 6; /* a common factor the cycle must drop */
			g = gcd(g, w[i]);
		}
		if (!g) {
			w[0] = 1;
			g = 1;
		}
		for (i = 0; i < n; i++)
			sum += w[i] / g;
		set_backends(w, n);
		t = build(n, 0, &size);
		assert_int_equal(size, sum);
		memset(cnt, 0, sizeof(cnt));
		for (s = 0; s < size; s++) {
			assert_in_range(t[s], ID_BASE, ID_BASE + n - 1);
			cnt[t[s] - ID_BASE]++;
			for (i = 0; i < n; i++) {
				double d = cnt[i] - (double)(s + 1) * (w[i] / g) / sum;

				if (d < 0)
					d = -d;
				if (d > worst)
					worst = d;
			}
		}
		for (i = 0; i < n; i++)
			assert_int_equal(cnt[i], w[i] / g);
		free(t);
	}
	printf("wrr: worst lead or lag over 200 random cycles: %.3f slots\n", worst);
	assert_true(worst < 1.0);
}

/* Test that the table depends on the backends, not on the order the caller lists them in. */
static void test_wrr_order_independent(void **state)
{
	static const uint32_t w[] = { 3, 7, 2, 9, 4 };
	struct xlb_sched_backend rev[5];
	uint32_t size, size2, *a, *b, i;

	(void)state;
	set_backends(w, 5);
	a = build(5, 0, &size);
	for (i = 0; i < 5; i++)
		rev[i] = be[4 - i];
	memcpy(be, rev, sizeof(rev));
	b = build(5, 0, &size2);
	assert_int_equal(size, size2);
	assert_memory_equal(a, b, size * sizeof(*a));
	free(a);
	free(b);
}

/*
 * Test the cap: a cycle longer than XLB_MAGLEV_MAX_SIZE is scaled to fit, a backend whose
 * weight scales to nothing keeps one slot, and every share stays within the bound
 * dispatch/seq.h states, (1 + n * p) / (M - 2 n).
 */
static void test_wrr_cap(void **state)
{
	const double m = XLB_MAGLEV_MAX_SIZE;
	uint32_t w[64], size, *t, cnt[64] = { 0 }, s;
	size_t n = 41, i;
	double sum = 0, worst = 0;
	struct timespec t0, t1;

	(void)state;
	for (i = 0; i < n - 1; i++)
		w[i] = XLB_WEIGHT_MAX - i; /* pairwise near-coprime: a cycle of ~2.6M */
	w[n - 1] = 1;
	for (i = 0; i < n; i++)
		sum += w[i];
	set_backends(w, n);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	t = build(n, 0, &size);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(size <= XLB_MAGLEV_MAX_SIZE);
	assert_true(size > XLB_MAGLEV_MAX_SIZE - 2 * n);
	for (s = 0; s < size; s++)
		cnt[t[s] - ID_BASE]++;
	assert_true(cnt[n - 1] >= 1);
	for (i = 0; i < n; i++) {
		double p = w[i] / sum, got = (double)cnt[i] / size, d = got > p ? got - p : p - got;

		assert_true(d <= (1 + n * p) / (m - 2 * n));
		if (d > worst)
			worst = d;
	}
	printf("wrr cap: cycle %.0f scaled to %u slots, worst share error %.2e, built in %.0f ms\n",
	       sum, size, worst,
	       (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	free(t);
}

/* Test that rr lists every backend of non-zero weight once, in key order, whatever its weight. */
static void test_rr(void **state)
{
	static const uint32_t w[] = { 9, 0, 1, 100 };
	uint32_t size, *t;

	(void)state;
	set_backends(w, 4);
	t = build(4, 1, &size);
	assert_int_equal(size, 3);
	assert_int_equal(t[0], ID_BASE + 0);
	assert_int_equal(t[1], ID_BASE + 2);
	assert_int_equal(t[2], ID_BASE + 3);
	free(t);
}

/* Test the empty tables: no backend of weight, one slot naming none; a size that is not the
 * scheduler's own is refused. */
static void test_empty_and_bad_size(void **state)
{
	static const uint32_t w[] = { 0, 0, 5, 5 };
	uint32_t t[4];

	(void)state;
	set_backends(w, 2);
	assert_int_equal(xlb_wrr_size(be, 2, 0), 1);
	assert_int_equal(xlb_lc_size(be, 2, 0), 1);
	assert_int_equal(xlb_wrr_build(be, 2, t, 1), 0);
	assert_int_equal(t[0], XLB_NO_BACKEND);
	assert_int_equal(xlb_lc_build(be, 0, t, 1), 0);
	assert_int_equal(t[0], XLB_NO_BACKEND);
	assert_int_equal(xlb_wrr_build(be, 2, t, 2), -EINVAL);
	set_backends(w, 4);
	assert_int_equal(xlb_wrr_size(be, 4, 0), 2);
	assert_int_equal(xlb_wrr_build(be, 4, t, 3), -EINVAL);
	assert_int_equal(xlb_lc_build(be, 4, t, 1), -EINVAL);
	assert_int_equal(xlb_wrr_build(be, 4, NULL, 2), -EINVAL);
	be[2].id = XLB_NO_BACKEND;
	assert_int_equal(xlb_wrr_build(be, 4, t, 2), -EINVAL);
}

/*
 * Test lc / wlc's list: each live backend (non-zero weight) once, in key order, up to
 * XLB_LC_MAX_BACKENDS; one more is refused, as the config refuses it.
 */
static void test_lc_list(void **state)
{
	static uint32_t w[XLB_LC_MAX_BACKENDS + 1];
	uint32_t t[XLB_LC_MAX_BACKENDS + 1], size, i, k;
	struct xlb_sched_backend tmp;

	(void)state;
	for (i = 0; i <= XLB_LC_MAX_BACKENDS; i++)
		w[i] = i % 5 == 0 ? 0 : 1 + i % 7;
	set_backends(w, XLB_LC_MAX_BACKENDS + 1);
	/* Shuffled: the list must not follow the caller's order. */
	rng_state = 42;
	for (i = XLB_LC_MAX_BACKENDS; i > 0; i--) {
		k = rng_next() % (i + 1);
		tmp = be[i];
		be[i] = be[k];
		be[k] = tmp;
	}
	size = xlb_lc_size(be, XLB_LC_MAX_BACKENDS + 1, 0);
	assert_int_equal(size, XLB_LC_MAX_BACKENDS + 1 - (XLB_LC_MAX_BACKENDS / 5 + 1));
	assert_int_equal(xlb_lc_build(be, XLB_LC_MAX_BACKENDS + 1, t, size), 0);
	for (i = 0, k = 0; i <= XLB_LC_MAX_BACKENDS; i++) {
		if (i % 5 == 0)
			continue;
		assert_int_equal(t[k++], ID_BASE + i);
	}
	assert_int_equal(k, size);

	for (i = 0; i <= XLB_LC_MAX_BACKENDS; i++)
		w[i] = 1;
	set_backends(w, XLB_LC_MAX_BACKENDS + 1);
	assert_int_equal(xlb_lc_size(be, XLB_LC_MAX_BACKENDS, 0), XLB_LC_MAX_BACKENDS);
	assert_int_equal(xlb_lc_build(be, XLB_LC_MAX_BACKENDS, t, XLB_LC_MAX_BACKENDS), 0);
	assert_int_equal(xlb_lc_build(be, XLB_LC_MAX_BACKENDS + 1, t, XLB_LC_MAX_BACKENDS),
			 -EINVAL);
}

/* Test that each scheduler's row builds a table of the size it asks for. */
static void test_rows_size_and_build(void **state)
{
	static const uint32_t w[] = { 2, 3, 0, 5 };
	static const unsigned int ids[] = { XLB_SCHED_MAGLEV, XLB_SCHED_SH, XLB_SCHED_WRR,
					    XLB_SCHED_WLC, XLB_SCHED_RR, XLB_SCHED_LC };
	static const uint32_t want[] = { 13, 13, 10, 3, 3, 3 };
	uint32_t t[13];
	size_t i;

	(void)state;
	set_backends(w, 4);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const struct xlb_scheduler *s = xlb_sched_get(ids[i]);

		assert_int_equal(s->size(be, 4, 13), want[i]);
		assert_int_equal(s->build(be, 4, t, want[i]), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrr_nginx_sequence),
		cmocka_unit_test(test_wrr_exact_and_smooth),
		cmocka_unit_test(test_wrr_order_independent),
		cmocka_unit_test(test_wrr_cap),
		cmocka_unit_test(test_rr),
		cmocka_unit_test(test_empty_and_bad_size),
		cmocka_unit_test(test_lc_list),
		cmocka_unit_test(test_rows_size_and_build),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
