/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the table-driven packet tests (test_packet_tun, test_packet_nat) share under cmocka:
 * the reason_stats snapshot around one frame and its check that exactly one reason moved, by
 * that frame, and the filling of a test array from a case table. Include after cmocka.h and
 * fixture.h.
 */
#ifndef XLB_TEST_CASES_H
#define XLB_TEST_CASES_H

#include <inttypes.h>

#include "common/names.h"
#include "fixture.h"

static inline void pc_snapshot(const struct xlb_fixture *fx, struct xlb_counters *c)
{
	uint32_t r;

	for (r = 0; r < XLB_R_MAX; r++)
		assert_int_equal(fx_counters(fx, fx->skel->maps.reason_stats, r, &c[r]), 0);
}

/* Between the two snapshots exactly reason moved, by one frame of len bytes. */
static inline void pc_one_reason(const struct xlb_counters *before,
				 const struct xlb_counters *after, uint32_t reason, uint32_t len)
{
	uint32_t r;

	for (r = 0; r < XLB_R_MAX; r++) {
		uint64_t dp = after[r].packets - before[r].packets;
		uint64_t db = after[r].bytes - before[r].bytes;

		if (dp != (r == reason) || db != (r == reason ? len : 0))
			fail_msg("reason_stats[%s] moved by %" PRIu64 " packets, %" PRIu64
				 " bytes; want %s by one frame of %u", xlb_reason_name(r), dp, db,
				 xlb_reason_name(reason), len);
	}
}

/*
 * tests[0..n) run func once per case of a table whose elements (size bytes each) start with
 * their name; the case is the test's state. Returns n, where the caller's own tests go on.
 */
static inline size_t pc_table(struct CMUnitTest *tests, const void *cases, size_t n, size_t size,
			      CMUnitTestFunction func)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const void *c = (const char *)cases + i * size;

		memset(&tests[i], 0, sizeof(tests[i]));
		tests[i].name = *(const char *const *)c;
		tests[i].test_func = func;
		tests[i].initial_state = (void *)c;
	}
	return n;
}

#endif /* XLB_TEST_CASES_H */
