// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of the lb writer (user/agent/lb.c) with the stateful schedulers: a VIP's table is the
 * size its scheduler asks for (maglev: table_size; rr, wrr, lc, wlc: what the live backends
 * need), and a health change that resizes it goes through the other bank: new table, then the
 * vips entry naming it, then the old bank emptied, so no packet pairs a table with another's size.
 */
#include <string.h>

#include "lb_test.h"

#define SCHED_VIP(name, addr, sched)       \
	"  - name: " name "\n"             \
	"    address: " addr "\n"          \
	"    port: 80\n"                   \
	"    protocol: tcp\n"              \
	"    scheduler: " sched "\n"       \
	"    backends:\n"

static const struct vip_ref WLC = { "wlc", "203.0.113.5", 80, IPPROTO_TCP };
static const struct vip_ref WRR = { "wrr", "203.0.113.6", 80, IPPROTO_TCP };
static const struct vip_ref RR = { "rr", "203.0.113.7", 80, IPPROTO_TCP };

#define SCHEDS                                                                        \
	HEAD WEB_3 SCHED_VIP("wlc", "203.0.113.5", "wlc") BE("192.0.2.51", 1)             \
		BE("192.0.2.52", 2) BE("192.0.2.53", 3)                                   \
		SCHED_VIP("wrr", "203.0.113.6", "wrr") BE("192.0.2.61", 2)                \
		BE("192.0.2.62", 4) BE("192.0.2.63", 6)                                   \
		SCHED_VIP("rr", "203.0.113.7", "rr") BE("192.0.2.71", 5) BE("192.0.2.72", 1)

/* The VIP's table, slot by slot, as backend addresses. */
static void assert_table(const struct snap *s, const struct vip_ref *r, const char *const *addrs,
			 uint32_t n)
{
	uint32_t id = snap_vip_id(s, r), i;

	assert_int_equal(snap_vip_find(s, r)->ring_size, n);
	assert_int_equal(s->size[id], n);
	for (i = 0; i < n; i++)
		assert_int_equal(s->table[id][i], snap_be_id(s, id, addrs[i]));
}

/* Test that each VIP gets its scheduler's table: maglev table_size, wlc its backends once,
 * wrr the smooth sequence of weight / gcd, rr each once whatever its weight. */
static void test_table_per_scheduler(void **state)
{
	static const char *const wlc[] = { "192.0.2.51", "192.0.2.52", "192.0.2.53" };
	static const char *const wrr[] = { "192.0.2.63", "192.0.2.62", "192.0.2.61",
					   "192.0.2.63", "192.0.2.62", "192.0.2.63" };
	static const char *const rr[] = { "192.0.2.71", "192.0.2.72" };
	struct fixture *f = *state;
	const struct snap *s;

	apply_ok(&f->lb, SCHEDS);
	s = snap_take(f, &f->dp[0]);
	assert_int_equal(snap_vip_find(s, &WEB)->ring_size, TABLE);
	assert_shares(s, &WEB, WEB_BE, ARRAY_SIZE(WEB_BE));
	assert_int_equal(snap_vip_find(s, &WLC)->sched, XLB_SCHED_WLC);
	assert_table(s, &WLC, wlc, 3);
	assert_table(s, &WRR, wrr, 6);
	assert_table(s, &RR, rr, 2);
}

/*
 * Test that a wlc backend going down and up resizes the table through the other bank: the new
 * table before the vips entry that names it, the old bank emptied after (snap_take checks that
 * the bank a VIP does not read is empty and ring_size matches its table); the others untouched.
 */
static void test_health_resizes_through_bank(void **state)
{
	static const char *const two[] = { "192.0.2.51", "192.0.2.53" };
	static const char *const three[] = { "192.0.2.51", "192.0.2.52", "192.0.2.53" };
	struct fixture *f = *state;
	const struct snap *before, *down, *up;
	struct xlb_vip_key key;
	uint32_t id, was, now;
	struct xlb_lb_vip *v;

	apply_ok(&f->lb, SCHEDS);
	before = snap_take(f, &f->dp[0]);
	id = snap_vip_id(before, &WLC);
	v = lb_vip(&f->lb, &WLC);
	vip_key(&WLC, &key);
	was = id + (snap_vip_find(before, &WLC)->flags & XLB_VIP_F_BANK ? XLB_MAX_VIPS : 0);
	now = was == id ? id + XLB_MAX_VIPS : id;

	ops_reset();
	assert_int_equal(set_state(&f->lb, v, "192.0.2.52", false, XLB_ADMIN_ENABLED), 0);
	down = snap_take(f, &f->dp[0]);
	assert_table(down, &WLC, two, 2);
	assert_before(op_first('u', f->dp[0].maglev_fd, &now), "the new table in the other bank",
		      op_first('u', f->dp[0].vips_fd, &key), "the vips entry naming it");
	assert_before(op_last('u', f->dp[0].vips_fd, &key), "the vips entry",
		      op_first('d', f->dp[0].maglev_fd, &was), "the old bank emptied");
	assert_table_kept(down, before, &WEB);
	assert_table_kept(down, before, &WRR);

	assert_int_equal(set_state(&f->lb, v, "192.0.2.52", true, XLB_ADMIN_ENABLED), 0);
	up = snap_take(f, &f->dp[0]);
	assert_table(up, &WLC, three, 3);
}

/* Test that a reload changing a VIP's scheduler rebuilds its table, at the new size. */
static void test_scheduler_change(void **state)
{
	static const char *const wlc[] = { "192.0.2.11", "192.0.2.12", "192.0.2.13" };
	struct fixture *f = *state;
	const struct snap *s;

	apply_ok(&f->lb, BASE);
	apply_ok(&f->lb, HEAD "  - name: web\n    address: 203.0.113.1\n    port: 80\n"
			  "    protocol: tcp\n    scheduler: lc\n    backends:\n" BE("192.0.2.11", 1)
				  BE("192.0.2.12", 2) BE("192.0.2.13", 3) DNS_2 V6_1);
	s = snap_take(f, &f->dp[0]);
	assert_int_equal(snap_vip_find(s, &WEB)->sched, XLB_SCHED_LC);
	assert_table(s, &WEB, wlc, 3);
	apply_ok(&f->lb, BASE);
	s = snap_take(f, &f->dp[0]);
	assert_int_equal(snap_vip_find(s, &WEB)->ring_size, TABLE);
	assert_shares(s, &WEB, WEB_BE, ARRAY_SIZE(WEB_BE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		LB_CASE(test_table_per_scheduler),
		LB_CASE(test_health_resizes_through_bank),
		LB_CASE(test_scheduler_change),
	};
	const struct lb_test_group groups[] = { { "lb_sched", tests, ARRAY_SIZE(tests) } };

	return lb_test_main("test_lb_sched", groups, ARRAY_SIZE(groups));
}
