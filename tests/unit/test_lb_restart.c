// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of the state-to-maps writer (user/agent/lb.c), the fixture in lb_test.h: a restart, a
 * fresh struct xlb_lb over maps an earlier one filled, adopts what it finds and clears the rest.
 *
 * Needs root (CAP_BPF): exits 77, skipped, without it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <cmocka.h>
#include <linux/bpf.h>

#include "common/loop.h"
#include "lb_test.h"

/* Restarts: a fresh struct xlb_lb over maps an earlier one filled. */

/* Fill the maps so that no id is where a first-fit allocator would put it. */
static const struct snap *prior_life(struct fixture *f)
{
	apply_ok(&f->lb, BASE);
	apply_ok(&f->lb, HEAD DNS_2 V6_1); /* web's ids are free now, the lowest ones */
	return snap_take(f, &f->dp[0]);
}

/*
 * Test that a restart adopts the ids it finds in the maps — the same config on a fresh lb keeps
 * every VIP and backend id, so the tables it rebuilds are the same, slot for slot.
 */
static void test_restart_same_config(void **state)
{
	struct fixture *f = *state;
	const struct snap *before, *after;

	before = prior_life(f);
	restart(f);
	apply_ok(&f->lb, HEAD V6_1 DNS_2); /* VIPs in another order, for good measure */
	/* Their tables were rebuilt under live VIPs: settling, until it is over. */
	assert_int_equal(xlb_lb_settle(&f->lb, xlb_now_ns()), 2);
	assert_int_equal(xlb_lb_settle(&f->lb, xlb_now_ns() + XLB_SETTLE_NS), 0);
	after = snap_take(f, &f->dp[0]);
	assert_snap_equal(after, before, false, "after a restart");
}

/*
 * Test that a restart whose config lists a new VIP first still adopts the old ids — the new VIP
 * and its backends take free ids, not ones the maps say are in use.
 */
static void test_restart_new_vip_first(void **state)
{
	const struct vip_ref *vips[] = { &WEB, &DNS, &V6 };
	const struct be_ref *bes[] = { WEB_BE, DNS_BE, V6_BE };
	size_t n_bes[] = { ARRAY_SIZE(WEB_BE), ARRAY_SIZE(DNS_BE), ARRAY_SIZE(V6_BE) };
	struct fixture *f = *state;
	const struct snap *before, *after;
	uint32_t vip_was, vip_now, was, now;
	size_t i, j;

	apply_ok(&f->lb, BASE);
	before = snap_take(f, &f->dp[0]);
	restart(f);
	apply_ok(&f->lb, HEAD API_2 WEB_3 DNS_2 V6_1);
	after = snap_take(f, &f->dp[0]);
	for (i = 0; i < ARRAY_SIZE(vips); i++) {
		vip_was = snap_vip_id(before, vips[i]);
		vip_now = snap_vip_id(after, vips[i]);
		if (vip_was != vip_now)
			fail_msg("vip %s: id %u before the restart, %u after", vips[i]->name,
				 vip_was, vip_now);
		for (j = 0; j < n_bes[i]; j++) {
			was = snap_be_id(before, vip_was, bes[i][j].addr);
			now = snap_be_id(after, vip_now, bes[i][j].addr);
			if (was != now)
				fail_msg("vip %s: backend %s: id %u before the restart, %u after",
					 vips[i]->name, bes[i][j].addr, was, now);
		}
	}
}

/*
 * Test that a restart whose config no longer has a backend takes it out of the maps — its entry
 * cleared, the rest of its VIP kept.
 */
static void test_restart_drops_backend(void **state)
{
	static const struct xlb_backend zero;
	struct fixture *f = *state;
	const struct snap *before, *after;
	uint32_t dns, id21, id22;

	before = prior_life(f);
	dns = snap_vip_id(before, &DNS);
	id21 = snap_be_id(before, dns, "192.0.2.21");
	id22 = snap_be_id(before, dns, "192.0.2.22");
	restart(f);
	apply_ok(&f->lb, HEAD V6_1 VIP("dns", "203.0.113.2", 53, "udp") BE("192.0.2.22", 100));
	after = snap_take(f, &f->dp[0]);
	assert_int_equal(snap_vip_id(after, &DNS), dns);
	assert_int_equal(snap_be_id(after, dns, "192.0.2.22"), id22);
	assert_int_equal(slots_of(after, dns, id21), 0);
	if (memcmp(&after->be[id21], &zero, sizeof(zero)))
		fail_msg("backends[%u], dropped from the config, still has flags %#x", id21,
			 after->be[id21].flags);
	assert_int_equal(snap_used(after), 2);
}

/*
 * Test that a restart whose config no longer has a VIP takes it out of the maps — its vips key,
 * its maglev_tables slot and its backends' entries gone.
 */
static void test_restart_drops_vip(void **state)
{
	static const struct xlb_backend zero;
	struct fixture *f = *state;
	const struct snap *before, *after;
	uint32_t dns, id21, id22;

	before = prior_life(f);
	dns = snap_vip_id(before, &DNS);
	id21 = snap_be_id(before, dns, "192.0.2.21");
	id22 = snap_be_id(before, dns, "192.0.2.22");
	restart(f);
	apply_ok(&f->lb, HEAD V6_1);
	after = snap_take(f, &f->dp[0]);
	if (snap_vip_find(after, &DNS))
		fail_msg("vip dns, dropped from the config, still in vips with id %u (table %s)",
			 snap_vip_id(after, &DNS), after->inner[dns] ? "installed" : "empty");
	assert_int_equal(after->n_vips, 1);
	assert_int_equal(after->inner[dns], 0);
	assert_memory_equal(&after->be[id21], &zero, sizeof(zero));
	assert_memory_equal(&after->be[id22], &zero, sizeof(zero));
	assert_int_equal(snap_used(after), 1);
}

/*
 * Test that a restart takes out tables no VIP reads — one in the bank a VIP does not read (an
 * xlbd stopped between writing a new-size table and switching its VIP to it) and one in the
 * slot of an id no VIP has — the maps then say what they said before.
 */
static void test_restart_clears_unread_tables(void **state)
{
	struct fixture *f = *state;
	const struct snap *before, *after;
	uint32_t other, spare = XLB_MAX_VIPS - 1;

	apply_ok(&f->lb, BASE);
	before = snap_take(f, &f->dp[0]);
	other = snap_vip_id(before, &WEB) + XLB_MAX_VIPS;
	assert_int_equal(bpf_map_update_elem(f->dp[0].maglev_fd, &other, &f->inner_fd, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(f->dp[0].maglev_fd, &spare, &f->inner_fd, BPF_ANY), 0);
	restart(f);
	apply_ok(&f->lb, BASE);
	assert_int_equal(xlb_lb_settle(&f->lb, xlb_now_ns() + XLB_SETTLE_NS), 0);
	after = snap_take(f, &f->dp[0]);
	assert_snap_equal(after, before, false, "after a restart on maps with unread tables");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		LB_CASE(test_restart_same_config),
		LB_CASE(test_restart_new_vip_first),
		LB_CASE(test_restart_drops_backend),
		LB_CASE(test_restart_drops_vip),
		LB_CASE(test_restart_clears_unread_tables),
	};
	const struct lb_test_group groups[] = { { "lb_restart", tests, ARRAY_SIZE(tests) } };

	return lb_test_main("test_lb_restart", groups, ARRAY_SIZE(groups));
}
