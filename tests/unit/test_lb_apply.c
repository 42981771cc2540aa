// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of the state-to-maps writer (user/agent/lb.c), the fixture in lb_test.h: what a first
 * apply, a reload and a health or admin change leave in the maps and in what order they write
 * it, on one interface and on two.
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

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <cmocka.h>
#include <linux/bpf.h>

#include "common/loop.h"
#include "lb_test.h"

/* Initial apply and reloads. */

/*
 * Test that a first apply installs every VIP, backend and table — unique VIP ids below
 * XLB_MAX_VIPS with the table size as ring_size, named in vip_names; every backend USED|LIVE with
 * its address, weight and VIP id; each table naming only its own VIP's backends, in proportion to
 * their weights; written backends first, tables next, VIP keys last.
 */
static void test_initial_apply(void **state)
{
	struct fixture *f = *state;
	const struct vip_ref *vips[] = { &WEB, &DNS, &V6 };
	const struct be_ref *bes[] = { WEB_BE, DNS_BE, V6_BE };
	size_t n_bes[] = { ARRAY_SIZE(WEB_BE), ARRAY_SIZE(DNS_BE), ARRAY_SIZE(V6_BE) };
	bool vip_seen[XLB_MAX_VIPS] = {}, be_seen[XLB_MAX_BACKENDS] = {};
	const struct snap *s;
	size_t i, j, n_tables = 0;

	apply_ok(&f->lb, BASE);
	s = snap_take(f, &f->dp[0]);

	assert_int_equal(s->n_vips, 3);
	for (i = 0; i < ARRAY_SIZE(vips); i++) {
		const struct xlb_vip *v = snap_vip_find(s, vips[i]);
		struct xlb_vip_key key;
		int tbl;

		assert_non_null(v);
		assert_true(v->id < XLB_MAX_VIPS);
		assert_false(vip_seen[v->id]);
		vip_seen[v->id] = true;
		assert_int_equal(v->ring_size, TABLE);
		assert_int_equal(v->sched, XLB_SCHED_MAGLEV);
		assert_int_equal(v->fwd, XLB_FWD_DR);
		assert_int_equal(v->flags, XLB_VIP_F_NONE);
		assert_int_equal(v->fallback, XLB_NO_BACKEND);
		assert_string_equal(s->names[v->id].name, vips[i]->name);
		assert_true(counters_zero(f->dp[0].vip_stats_fd, v->id));

		vip_key(vips[i], &key);
		tbl = op_first('u', f->dp[0].maglev_fd, &v->id);
		assert_before(tbl, "the VIP's table", op_first('u', f->dp[0].vips_fd, &key),
			      "its vips key");
		for (j = 0; j < n_bes[i]; j++) {
			uint32_t id = snap_be_id(s, v->id, bes[i][j].addr);
			const struct xlb_backend *b = &s->be[id];
			struct xlb_addr a;

			assert_false(be_seen[id]);
			be_seen[id] = true;
			assert_int_equal(xlb_addr_parse(bes[i][j].addr, &a), 0);
			assert_int_equal(b->flags, XLB_BE_F_USED | XLB_BE_F_LIVE);
			assert_int_equal(b->family, a.family);
			assert_memory_equal(b->addr, a.w, sizeof(b->addr));
			assert_int_equal(b->weight, bes[i][j].weight);
			assert_int_equal(b->vip_id, v->id);
			assert_int_equal(b->port, 0);
			assert_true(counters_zero(f->dp[0].backend_stats_fd, id));
			assert_before(op_first('u', f->dp[0].backends_fd, &id), "a backend's entry",
				      tbl, "its VIP's table");
		}
		assert_shares(s, vips[i], bes[i], n_bes[i]);
	}
	assert_int_equal(snap_used(s), 6);
	for (i = 0; i < XLB_MAX_VIPS; i++)
		n_tables += !!s->inner[i];
	assert_int_equal(n_tables, 3);
}

/*
 * Test that applying the running config again writes nothing — the same ids, the same inner
 * maps in maglev_tables (no rebuild), the same backend entries, not one map write.
 */
static void test_reapply_same(void **state)
{
	struct fixture *f = *state;
	const struct snap *before, *after;

	apply_ok(&f->lb, BASE);
	before = snap_take(f, &f->dp[0]);
	ops_reset();
	apply_ok(&f->lb, BASE);
	assert_int_equal(n_ops, 0);
	assert_int_equal(n_creates, 0);
	after = snap_take(f, &f->dp[0]);
	assert_snap_equal(after, before, true, "after the same config again");
}

/*
 * Test that changing one backend's weight rebuilds only its VIP's table — every id kept, a new
 * inner map for that VIP holding the new shares, the other VIPs' inner maps untouched, the
 * backend's entry carrying the new weight before the table that uses it.
 */
static void test_weight_change(void **state)
{
	static const struct be_ref web_new[] = { { "192.0.2.11", 1 }, { "192.0.2.12", 5 },
						 { "192.0.2.13", 3 } };
	struct fixture *f = *state;
	const struct snap *before, *after, *settled;
	struct xlb_vip_key web_key;
	uint32_t web, id12;
	size_t i;

	apply_ok(&f->lb, BASE);
	before = snap_take(f, &f->dp[0]);
	/* A first install settles nothing: no handshake was in flight. */
	assert_int_equal(snap_vip_find(before, &WEB)->flags, XLB_VIP_F_NONE);
	ops_reset();
	apply_ok(&f->lb, HEAD WEB_VIP BE("192.0.2.11", 1) BE("192.0.2.12", 5)
				 BE("192.0.2.13", 3) DNS_2 V6_1);
	after = snap_take(f, &f->dp[0]);

	web = snap_vip_id(before, &WEB);
	id12 = snap_be_id(before, web, "192.0.2.12");
	assert_int_equal(n_creates, 1);
	/* web's vips entry only: settling before its new table (then once more at the commit,
	 * which finds its value changed by the flag), and off again once settled. */
	vip_key(&WEB, &web_key);
	assert_int_equal(snap_vip_find(after, &WEB)->flags, XLB_VIP_F_SETTLING);
	assert_int_equal(snap_vip_find(after, &DNS)->flags, XLB_VIP_F_NONE);
	assert_int_equal(ops_on(R_VIPS), 2);
	assert_before(op_first('u', f->dp[0].vips_fd, &web_key), "web settling",
		      op_first('u', f->dp[0].maglev_fd, &web), "its new table");
	assert_int_equal(xlb_lb_settle(&f->lb, xlb_now_ns()), 1);
	assert_int_equal(xlb_lb_settle(&f->lb, xlb_now_ns() + XLB_SETTLE_NS), 0);
	settled = snap_take(f, &f->dp[0]);
	assert_memory_equal(settled->vips, before->vips, sizeof(before->vips));
	for (i = 0; i < XLB_MAX_BACKENDS; i++) {
		if (i == id12)
			continue;
		if (memcmp(&after->be[i], &before->be[i], sizeof(after->be[i])))
			fail_msg("backends[%zu] changed, only %u should", i, id12);
	}
	assert_int_equal(after->be[id12].weight, 5);
	assert_int_equal(after->be[id12].flags, before->be[id12].flags);
	assert_table_rebuilt(after, before, &WEB);
	assert_table_kept(after, before, &DNS);
	assert_table_kept(after, before, &V6);
	assert_shares(after, &WEB, web_new, ARRAY_SIZE(web_new));
	assert_before(op_first('u', f->dp[0].backends_fd, &id12), "the new weight's entry",
		      op_first('u', f->dp[0].maglev_fd, &web), "the new table");
}

/*
 * Test that adding a backend allocates it a fresh id and keeps every other — the new entry
 * USED|LIVE with zeroed counters (whatever the id counted before), written before the rebuilt
 * table that gives it its share.
 */
static void test_add_backend(void **state)
{
	static const struct be_ref web_new[] = { { "192.0.2.11", 1 }, { "192.0.2.12", 2 },
						 { "192.0.2.13", 3 }, { "192.0.2.14", 4 } };
	struct fixture *f = *state;
	const struct snap *before, *after;
	uint32_t web, id, i;

	apply_ok(&f->lb, BASE);
	before = snap_take(f, &f->dp[0]);
	/* Whichever free id it gets, it has counts to lose. */
	for (i = 0; i < XLB_MAX_BACKENDS; i++)
		if (!(before->be[i].flags & XLB_BE_F_USED))
			counters_junk(f->dp[0].backend_stats_fd, i);
	ops_reset();
	apply_ok(&f->lb, HEAD WEB_3 BE("192.0.2.14", 4) DNS_2 V6_1);
	after = snap_take(f, &f->dp[0]);

	web = snap_vip_id(before, &WEB);
	id = snap_be_id(after, web, "192.0.2.14");
	assert_false(before->be[id].flags & XLB_BE_F_USED);
	assert_int_equal(after->be[id].flags, XLB_BE_F_USED | XLB_BE_F_LIVE);
	assert_int_equal(after->be[id].weight, 4);
	assert_int_equal(after->be[id].vip_id, web);
	assert_true(counters_zero(f->dp[0].backend_stats_fd, id));
	for (i = 0; i < XLB_MAX_BACKENDS; i++) {
		if (i == id)
			continue;
		if (memcmp(&after->be[i], &before->be[i], sizeof(after->be[i])))
			fail_msg("backends[%u] changed, only the new %u should", i, id);
	}
	assert_int_equal(snap_used(after), 7);
	assert_table_rebuilt(after, before, &WEB);
	assert_table_kept(after, before, &DNS);
	assert_shares(after, &WEB, web_new, ARRAY_SIZE(web_new));
	assert_before(op_first('u', f->dp[0].backend_stats_fd, &id), "zeroing its counters",
		      op_first('u', f->dp[0].backends_fd, &id), "the new backend's entry");
	assert_before(op_first('u', f->dp[0].backends_fd, &id), "the new backend's entry",
		      op_first('u', f->dp[0].maglev_fd, &web), "the table naming it");
}

/*
 * Test that removing a backend clears its entry only after its VIP's new table stops naming it
 * — flags 0, no slot with its id, every other id kept.
 */
static void test_remove_backend(void **state)
{
	static const struct be_ref web_new[] = { { "192.0.2.11", 1 }, { "192.0.2.13", 3 } };
	static const struct xlb_backend zero;
	struct fixture *f = *state;
	const struct snap *before, *after;
	uint32_t web, id12, i;

	apply_ok(&f->lb, BASE);
	before = snap_take(f, &f->dp[0]);
	web = snap_vip_id(before, &WEB);
	id12 = snap_be_id(before, web, "192.0.2.12");
	ops_reset();
	apply_ok(&f->lb, HEAD WEB_VIP BE("192.0.2.11", 1) BE("192.0.2.13", 3) DNS_2 V6_1);
	after = snap_take(f, &f->dp[0]);

	assert_memory_equal(&after->be[id12], &zero, sizeof(zero));
	assert_int_equal(slots_of(after, web, id12), 0);
	for (i = 0; i < XLB_MAX_BACKENDS; i++) {
		if (i == id12)
			continue;
		if (memcmp(&after->be[i], &before->be[i], sizeof(after->be[i])))
			fail_msg("backends[%u] changed, only the removed %u should", i, id12);
	}
	assert_table_rebuilt(after, before, &WEB);
	assert_table_kept(after, before, &DNS);
	assert_table_kept(after, before, &V6);
	assert_shares(after, &WEB, web_new, ARRAY_SIZE(web_new));
	assert_before(op_last('u', f->dp[0].maglev_fd, &web), "the table without it",
		      op_first('u', f->dp[0].backends_fd, &id12), "clearing its entry");
}

/*
 * Test that removing a VIP takes it out key first, then table, then backends — its vips key
 * gone, its maglev_tables slot empty, its name cleared, its backends cleared, the others
 * untouched; and that its ids are free again: a VIP added next starts with zeroed counters.
 */
static void test_remove_vip(void **state)
{
	static const struct xlb_backend zero;
	struct fixture *f = *state;
	const struct snap *before, *after, *added;
	uint32_t dns, id21, id22, api, i;
	struct xlb_vip_key key;
	int del_key, del_table;

	apply_ok(&f->lb, BASE);
	before = snap_take(f, &f->dp[0]);
	dns = snap_vip_id(before, &DNS);
	id21 = snap_be_id(before, dns, "192.0.2.21");
	id22 = snap_be_id(before, dns, "192.0.2.22");
	ops_reset();
	apply_ok(&f->lb, HEAD WEB_3 V6_1);
	after = snap_take(f, &f->dp[0]);

	assert_int_equal(after->n_vips, 2);
	assert_null(snap_vip_find(after, &DNS));
	assert_int_equal(after->inner[dns], 0);
	assert_string_equal(after->names[dns].name, "");
	assert_memory_equal(&after->be[id21], &zero, sizeof(zero));
	assert_memory_equal(&after->be[id22], &zero, sizeof(zero));
	for (i = 0; i < XLB_MAX_BACKENDS; i++)
		if (i != id21 && i != id22 && memcmp(&after->be[i], &before->be[i], sizeof(zero)))
			fail_msg("backends[%u] changed", i);
	assert_table_kept(after, before, &WEB);
	assert_table_kept(after, before, &V6);
	assert_int_equal(n_creates, 0);

	vip_key(&DNS, &key);
	del_key = op_first('d', f->dp[0].vips_fd, &key);
	del_table = op_first('d', f->dp[0].maglev_fd, &dns);
	assert_before(del_key, "deleting its vips key", del_table, "emptying its table slot");
	assert_before(del_table, "emptying its table slot",
		      op_first('u', f->dp[0].backends_fd, &id21), "clearing its first backend");
	assert_before(del_table, "emptying its table slot",
		      op_first('u', f->dp[0].backends_fd, &id22), "clearing its second backend");

	assert_false(f->lb.vip_used[dns]);
	assert_false(f->lb.be_used[id21]);
	assert_false(f->lb.be_used[id22]);

	/* Whichever ids the next VIP gets, they have counts to lose. */
	for (i = 0; i < XLB_MAX_VIPS; i++)
		if (i != snap_vip_id(after, &WEB) && i != snap_vip_id(after, &V6))
			counters_junk(f->dp[0].vip_stats_fd, i);
	for (i = 0; i < XLB_MAX_BACKENDS; i++)
		if (!(after->be[i].flags & XLB_BE_F_USED))
			counters_junk(f->dp[0].backend_stats_fd, i);
	apply_ok(&f->lb, HEAD WEB_3 V6_1 API_2);
	added = snap_take(f, &f->dp[0]);
	api = snap_vip_id(added, &API);
	assert_true(counters_zero(f->dp[0].vip_stats_fd, api));
	assert_string_equal(added->names[api].name, "api");
	assert_true(counters_zero(f->dp[0].backend_stats_fd, snap_be_id(added, api, "192.0.2.31")));
	assert_true(counters_zero(f->dp[0].backend_stats_fd, snap_be_id(added, api, "192.0.2.32")));
}

/*
 * Test that a weight-0 backend is installed but drained — USED|LIVE (its established flows
 * stay) with no slot in its VIP's table, which is the table its VIP has without it.
 */
static void test_weight_zero(void **state)
{
	struct fixture *f = *state;
	const struct snap *before, *after;
	uint32_t web, id;

	apply_ok(&f->lb, BASE);
	before = snap_take(f, &f->dp[0]);
	apply_ok(&f->lb, HEAD WEB_3 BE("192.0.2.14", 0) DNS_2 V6_1);
	after = snap_take(f, &f->dp[0]);

	web = snap_vip_id(after, &WEB);
	id = snap_be_id(after, web, "192.0.2.14");
	assert_int_equal(after->be[id].flags, XLB_BE_F_USED | XLB_BE_F_LIVE);
	assert_int_equal(after->be[id].weight, 0);
	assert_int_equal(slots_of(after, web, id), 0);
	assert_memory_equal(after->table[web], before->table[web], sizeof(after->table[web]));
	assert_string_equal(xlb_lb_backend_state(lb_be(lb_vip(&f->lb, &WEB), "192.0.2.14")),
			    "drain");
}

/* Health and admin state. */

/*
 * Test that a backend whose check fails leaves its VIP's table before it loses LIVE, and that
 * one whose check passes again gains LIVE before the table names it again — the same table as
 * before it went down.
 */
static void test_set_state_health(void **state)
{
	static const struct be_ref WEB_WITHOUT_12[] = { { "192.0.2.11", 1 }, { "192.0.2.13", 3 } };
	struct fixture *f = *state;
	const struct snap *before, *down, *up;
	struct xlb_lb_backend *b;
	struct xlb_lb_vip *v;
	uint32_t web, id;

	apply_ok(&f->lb, BASE);
	before = snap_take(f, &f->dp[0]);
	web = snap_vip_id(before, &WEB);
	id = snap_be_id(before, web, "192.0.2.12");
	v = lb_vip(&f->lb, &WEB);
	b = lb_be(v, "192.0.2.12");

	ops_reset();
	assert_int_equal(xlb_lb_set_state(&f->lb, v, b, false, XLB_ADMIN_ENABLED), 0);
	down = snap_take(f, &f->dp[0]);
	assert_int_equal(down->be[id].flags, XLB_BE_F_USED);
	assert_int_equal(slots_of(down, web, id), 0);
	assert_shares(down, &WEB, WEB_WITHOUT_12, ARRAY_SIZE(WEB_WITHOUT_12));
	assert_before(op_first('u', f->dp[0].maglev_fd, &web), "the table without it",
		      op_first('u', f->dp[0].backends_fd, &id), "its entry losing LIVE");
	assert_string_equal(xlb_lb_backend_state(b), "down");
	assert_false(xlb_lb_backend_up(b));
	assert_table_kept(down, before, &DNS);

	ops_reset();
	assert_int_equal(xlb_lb_set_state(&f->lb, v, b, true, XLB_ADMIN_ENABLED), 0);
	assert_int_equal(xlb_lb_settle(&f->lb, xlb_now_ns() + XLB_SETTLE_NS), 0);
	up = snap_take(f, &f->dp[0]);
	assert_int_equal(up->be[id].flags, XLB_BE_F_USED | XLB_BE_F_LIVE);
	assert_before(op_first('u', f->dp[0].backends_fd, &id), "its entry gaining LIVE",
		      op_first('u', f->dp[0].maglev_fd, &web), "the table with it");
	assert_snap_equal(up, before, false, "after down and up again, settled");
	assert_string_equal(xlb_lb_backend_state(b), "up");
	assert_true(xlb_lb_backend_up(b));

	/* No change, no write. */
	ops_reset();
	assert_int_equal(xlb_lb_set_state(&f->lb, v, b, true, XLB_ADMIN_ENABLED), 0);
	assert_int_equal(n_ops, 0);
}

/*
 * Test the operator's states — DRAIN takes a backend out of the table but keeps it LIVE,
 * DISABLED takes it out and off LIVE (table first), ENABLED brings it back (LIVE first).
 */
static void test_set_state_admin(void **state)
{
	struct fixture *f = *state;
	const struct snap *before, *s;
	struct xlb_lb_backend *b12, *b13;
	struct xlb_lb_vip *v;
	uint32_t web, id12, id13;

	apply_ok(&f->lb, BASE);
	before = snap_take(f, &f->dp[0]);
	web = snap_vip_id(before, &WEB);
	id12 = snap_be_id(before, web, "192.0.2.12");
	id13 = snap_be_id(before, web, "192.0.2.13");
	v = lb_vip(&f->lb, &WEB);
	b12 = lb_be(v, "192.0.2.12");
	b13 = lb_be(v, "192.0.2.13");

	/* enabled -> drain: a new table, the entry as it was */
	ops_reset();
	assert_int_equal(xlb_lb_set_state(&f->lb, v, b12, true, XLB_ADMIN_DRAIN), 0);
	s = snap_take(f, &f->dp[0]);
	assert_int_equal(s->be[id12].flags, XLB_BE_F_USED | XLB_BE_F_LIVE);
	assert_int_equal(slots_of(s, web, id12), 0);
	assert_int_equal(ops_on(R_BACKENDS), 0);
	assert_int_equal(n_creates, 1);
	assert_string_equal(xlb_lb_backend_state(b12), "drain");
	assert_false(xlb_lb_backend_up(b12));

	/* drain -> disabled: already out of the table, so only the entry changes */
	ops_reset();
	assert_int_equal(xlb_lb_set_state(&f->lb, v, b12, true, XLB_ADMIN_DISABLED), 0);
	s = snap_take(f, &f->dp[0]);
	assert_int_equal(s->be[id12].flags, XLB_BE_F_USED);
	assert_int_equal(slots_of(s, web, id12), 0);
	assert_int_equal(n_creates, 0);
	assert_string_equal(xlb_lb_backend_state(b12), "disabled");
	assert_false(xlb_lb_backend_up(b12));

	/* enabled -> disabled at once: table first, then the entry */
	ops_reset();
	assert_int_equal(xlb_lb_set_state(&f->lb, v, b13, true, XLB_ADMIN_DISABLED), 0);
	s = snap_take(f, &f->dp[0]);
	assert_int_equal(s->be[id13].flags, XLB_BE_F_USED);
	assert_int_equal(slots_of(s, web, id13), 0);
	assert_shares(s, &WEB, (const struct be_ref[]){ { "192.0.2.11", 1 } }, 1);
	assert_before(op_first('u', f->dp[0].maglev_fd, &web), "the table without it",
		      op_first('u', f->dp[0].backends_fd, &id13), "its entry losing LIVE");

	/* disabled -> enabled, both: entries first, then the table, which is the first one again */
	ops_reset();
	assert_int_equal(xlb_lb_set_state(&f->lb, v, b12, true, XLB_ADMIN_ENABLED), 0);
	assert_before(op_first('u', f->dp[0].backends_fd, &id12), "its entry gaining LIVE",
		      op_first('u', f->dp[0].maglev_fd, &web), "the table with it");
	assert_int_equal(xlb_lb_set_state(&f->lb, v, b13, true, XLB_ADMIN_ENABLED), 0);
	assert_int_equal(xlb_lb_settle(&f->lb, xlb_now_ns() + XLB_SETTLE_NS), 0);
	s = snap_take(f, &f->dp[0]);
	assert_snap_equal(s, before, false, "after every backend is enabled again, settled");
}

/*
 * Test that the operator's say survives a reload of the same config, backends matched by
 * address — a drained and a disabled backend stay so with their lines reordered, and with
 * a changed weight too.
 */
static void test_admin_survives_reapply(void **state)
{
	struct fixture *f = *state;
	const struct snap *s;
	struct xlb_lb_vip *v;
	uint32_t web, id12, id13;

	apply_ok(&f->lb, BASE);
	v = lb_vip(&f->lb, &WEB);
	assert_int_equal(set_state(&f->lb, v, "192.0.2.12", true, XLB_ADMIN_DRAIN), 0);
	assert_int_equal(set_state(&f->lb, v, "192.0.2.13", true, XLB_ADMIN_DISABLED), 0);

	ops_reset();
	apply_ok(&f->lb, BASE);
	assert_int_equal(n_ops, 0);

	apply_ok(&f->lb, HEAD WEB_VIP BE("192.0.2.13", 3) BE("192.0.2.12", 2) BE("192.0.2.11", 1)
				 DNS_2 V6_1);
	apply_ok(&f->lb, HEAD WEB_VIP BE("192.0.2.13", 3) BE("192.0.2.12", 7) BE("192.0.2.11", 1)
				 DNS_2 V6_1);
	s = snap_take(f, &f->dp[0]);
	web = snap_vip_id(s, &WEB);
	id12 = snap_be_id(s, web, "192.0.2.12");
	id13 = snap_be_id(s, web, "192.0.2.13");
	assert_int_equal(s->be[id12].flags, XLB_BE_F_USED | XLB_BE_F_LIVE);
	assert_int_equal(s->be[id12].weight, 7);
	assert_int_equal(s->be[id13].flags, XLB_BE_F_USED);
	assert_shares(s, &WEB, (const struct be_ref[]){ { "192.0.2.11", 1 } }, 1);
	v = lb_vip(&f->lb, &WEB);
	assert_int_equal(lb_be(v, "192.0.2.12")->admin, XLB_ADMIN_DRAIN);
	assert_int_equal(lb_be(v, "192.0.2.13")->admin, XLB_ADMIN_DISABLED);
}

/*
 * Test that a fallback is the VIP's sorry server — vip.fallback is its id, its entry USED|LIVE
 * but in no slot, still LIVE with every real backend down; dropped from the config, the VIP stops
 * naming it before its entry is cleared.
 */
static void test_fallback(void **state)
{
	static const struct xlb_backend zero;
	struct fixture *f = *state;
	const struct snap *s;
	struct xlb_lb_vip *v;
	struct xlb_vip_key key;
	uint32_t web, fb;
	size_t i;

	apply_ok(&f->lb, HEAD WEB_3 FALLBACK("192.0.2.50") DNS_2 V6_1);
	s = snap_take(f, &f->dp[0]);
	web = snap_vip_id(s, &WEB);
	fb = snap_be_id(s, web, "192.0.2.50");
	assert_int_equal(snap_vip_find(s, &WEB)->fallback, fb);
	assert_int_equal(snap_vip_find(s, &DNS)->fallback, XLB_NO_BACKEND);
	assert_int_equal(s->be[fb].flags, XLB_BE_F_USED | XLB_BE_F_LIVE);
	assert_int_equal(s->be[fb].weight, 0);
	assert_int_equal(slots_of(s, web, fb), 0);
	assert_shares(s, &WEB, WEB_BE, ARRAY_SIZE(WEB_BE));

	v = lb_vip(&f->lb, &WEB);
	for (i = 0; i < ARRAY_SIZE(WEB_BE); i++)
		assert_int_equal(set_state(&f->lb, v, WEB_BE[i].addr, false, XLB_ADMIN_ENABLED), 0);
	s = snap_take(f, &f->dp[0]);
	for (i = 0; i < TABLE; i++)
		assert_int_equal(s->table[web][i], XLB_NO_BACKEND);
	assert_int_equal(s->be[fb].flags, XLB_BE_F_USED | XLB_BE_F_LIVE);
	assert_int_equal(snap_vip_find(s, &WEB)->fallback, fb);

	ops_reset();
	apply_ok(&f->lb, BASE);
	s = snap_take(f, &f->dp[0]);
	assert_int_equal(snap_vip_find(s, &WEB)->fallback, XLB_NO_BACKEND);
	assert_memory_equal(&s->be[fb], &zero, sizeof(zero));
	vip_key(&WEB, &key);
	assert_before(op_first('u', f->dp[0].vips_fd, &key), "the VIP without a fallback",
		      op_first('u', f->dp[0].backends_fd, &fb), "clearing the fallback's entry");
}

/*
 * Test that with two interfaces every write reaches both — the same VIPs, backends and names,
 * and the very same inner map in both maglev_tables, after an apply, a reload and a state change.
 */
static void test_two_interfaces(void **state)
{
	struct fixture *f = *state;
	struct xlb_lb_vip *v;

	dp_create(&f->dp[1], f->inner_fd);
	xlb_lb_fini(&f->lb);
	f->dps.n = 2;
	assert_int_equal(xlb_lb_init(&f->lb, &f->dps), 0);

	apply_ok(&f->lb, BASE);
	assert_snap_equal(snap_take(f, &f->dp[1]), snap_take(f, &f->dp[0]), true,
			  "second interface");
	apply_ok(&f->lb, HEAD WEB_3 BE("192.0.2.14", 4) V6_1 API_2);
	v = lb_vip(&f->lb, &WEB);
	assert_int_equal(set_state(&f->lb, v, "192.0.2.11", false, XLB_ADMIN_ENABLED), 0);
	assert_snap_equal(snap_take(f, &f->dp[1]), snap_take(f, &f->dp[0]), true,
			  "second interface after a reload");
}

/* The entry of backend addr of VIP r in one interface's backends map. */
static struct xlb_backend dp_be(struct fixture *f, const struct xlb_dp *dp,
				const struct vip_ref *r, const char *addr)
{
	const struct snap *s = snap_take(f, dp);

	return s->be[snap_be_id(s, snap_vip_id(s, r), addr)];
}

/*
 * Test that each interface's backends map carries the next hop learnt on that interface: a MAC
 * learnt on the second reaches only the second, one learnt on both gives each its own, and a
 * restart adopts each interface's MAC from its own map. Also that a fresh id's counters are
 * zeroed on both interfaces, not only the first.
 */
static void test_two_interfaces_macs(void **state)
{
	static const uint8_t m0[6] = { 2, 0, 0, 0, 0, 0x10 }, m1[6] = { 2, 0, 0, 0, 1, 0x11 };
	struct fixture *f = *state;
	struct xlb_backend be0, be1;
	struct xlb_addr a11, a12;
	struct xlb_lb_backend *b;
	uint32_t id;

	dp_create(&f->dp[1], f->inner_fd);
	xlb_lb_fini(&f->lb);
	f->dps.n = 2;
	assert_int_equal(xlb_lb_init(&f->lb, &f->dps), 0);
	apply_ok(&f->lb, BASE);
	assert_int_equal(xlb_addr_parse("192.0.2.11", &a11), 0);
	assert_int_equal(xlb_addr_parse("192.0.2.12", &a12), 0);

	xlb_lb_set_mac(&f->lb, 1, &a12, m1);
	be0 = dp_be(f, &f->dp[0], &WEB, "192.0.2.12");
	be1 = dp_be(f, &f->dp[1], &WEB, "192.0.2.12");
	assert_false(be0.flags & XLB_BE_F_MAC);
	assert_true(be1.flags & XLB_BE_F_MAC);
	assert_memory_equal(be1.mac, m1, 6);
	assert_int_equal(xlb_lb_unresolved(&f->lb, NULL), 5);

	xlb_lb_set_mac(&f->lb, 0, &a11, m0);
	xlb_lb_set_mac(&f->lb, 1, &a11, m1);
	be0 = dp_be(f, &f->dp[0], &WEB, "192.0.2.11");
	be1 = dp_be(f, &f->dp[1], &WEB, "192.0.2.11");
	assert_true(be0.flags & be1.flags & XLB_BE_F_MAC);
	assert_memory_equal(be0.mac, m0, 6);
	assert_memory_equal(be1.mac, m1, 6);

	/* A health change rewrites both entries, each with its own MAC. */
	assert_int_equal(set_state(&f->lb, lb_vip(&f->lb, &WEB), "192.0.2.11", false,
				   XLB_ADMIN_ENABLED), 0);
	be0 = dp_be(f, &f->dp[0], &WEB, "192.0.2.11");
	be1 = dp_be(f, &f->dp[1], &WEB, "192.0.2.11");
	assert_false(be0.flags & XLB_BE_F_LIVE);
	assert_false(be1.flags & XLB_BE_F_LIVE);
	assert_memory_equal(be0.mac, m0, 6);
	assert_memory_equal(be1.mac, m1, 6);

	xlb_lb_fini(&f->lb);
	assert_int_equal(xlb_lb_init(&f->lb, &f->dps), 0);
	b = lb_be(lb_vip(&f->lb, &WEB), "192.0.2.11");
	assert_true(b->hop[0].has_mac && b->hop[1].has_mac);
	assert_memory_equal(b->hop[0].mac, m0, 6);
	assert_memory_equal(b->hop[1].mac, m1, 6);
	b = lb_be(lb_vip(&f->lb, &WEB), "192.0.2.12");
	assert_false(b->hop[0].has_mac);
	assert_true(b->hop[1].has_mac);

	/* The next free id, with junk left in both interfaces' counters by its last owner. */
	apply_ok(&f->lb, BASE);
	id = 0;
	while (id < XLB_MAX_BACKENDS && f->lb.be_used[id])
		id++;
	counters_junk(f->dp[0].backend_stats_fd, id);
	counters_junk(f->dp[1].backend_stats_fd, id);
	apply_ok(&f->lb, HEAD WEB_3 BE("192.0.2.14", 4) DNS_2 V6_1);
	assert_int_equal(lb_be(lb_vip(&f->lb, &WEB), "192.0.2.14")->id, id);
	assert_true(counters_zero(f->dp[0].backend_stats_fd, id));
	assert_true(counters_zero(f->dp[1].backend_stats_fd, id));
}

#define TUNNEL "tunnel: {source: 198.51.100.1, source6: 2001:db8:b::1}\n"

static void assert_tunnel(const struct xlb_dp *dp, uint32_t flags)
{
	struct xlb_tunnel t, want = { .flags = flags };
	uint32_t key = 0;

	if (flags & XLB_TUN_F_SRC4)
		assert_int_equal(inet_pton(AF_INET, "198.51.100.1", &want.src4), 1);
	if (flags & XLB_TUN_F_SRC6)
		assert_int_equal(inet_pton(AF_INET6, "2001:db8:b::1", want.src6), 1);
	assert_int_equal(bpf_map_lookup_elem(dp->tunnel_fd, &key, &t), 0);
	assert_memory_equal(&t, &want, sizeof(t));
}

/*
 * Test that the tunnel sources reach every interface's tunnel map before any VIP, are not
 * written again when nothing changed, are rewritten on an interface whose map lost them (one
 * added since, or adopted from an xlbd with other ones), and are cleared by a config without.
 */
static void test_tunnel_sources(void **state)
{
	struct fixture *f = *state;
	struct xlb_tunnel zero = {};
	struct xlb_vip_key web;
	uint32_t key = 0;

	dp_create(&f->dp[1], f->inner_fd);
	xlb_lb_fini(&f->lb);
	f->dps.n = 2;
	assert_int_equal(xlb_lb_init(&f->lb, &f->dps), 0);

	ops_reset();
	apply_ok(&f->lb, BASE TUNNEL);
	assert_tunnel(&f->dp[0], XLB_TUN_F_SRC4 | XLB_TUN_F_SRC6);
	assert_tunnel(&f->dp[1], XLB_TUN_F_SRC4 | XLB_TUN_F_SRC6);
	vip_key(&WEB, &web);
	assert_before(op_first('u', f->dp[1].tunnel_fd, &key), "tunnel sources",
		      op_first('u', f->dp[0].vips_fd, &web), "a VIP");

	ops_reset();
	apply_ok(&f->lb, BASE TUNNEL);
	assert_int_equal(ops_on(R_TUNNEL), 0);

	assert_int_equal(bpf_map_update_elem(f->dp[1].tunnel_fd, &key, &zero, BPF_ANY), 0);
	ops_reset();
	apply_ok(&f->lb, BASE TUNNEL);
	assert_int_equal(ops_on(R_TUNNEL), 1);
	assert_tunnel(&f->dp[1], XLB_TUN_F_SRC4 | XLB_TUN_F_SRC6);

	apply_ok(&f->lb, BASE "tunnel: {source6: 2001:db8:b::1}\n");
	assert_tunnel(&f->dp[0], XLB_TUN_F_SRC6);
	apply_ok(&f->lb, BASE);
	assert_tunnel(&f->dp[0], 0);
	assert_tunnel(&f->dp[1], 0);
}

/* A NAT VIP: one backend on its own port, one on the VIP's, and a sorry server. */
#define APP_NAT                                          \
	"  - name: app\n"                                \
	"    address: 203.0.113.4\n"                     \
	"    port: 80\n"                                 \
	"    forwarding: nat\n"                          \
	"    fallback: 192.0.2.49\n"                     \
	"    backends:\n"                                \
	"      - {address: 192.0.2.41, port: " APP_PORT "}\n" \
	"      - {address: 192.0.2.42}\n"

static const struct vip_ref APP = { "app", "203.0.113.4", 80, IPPROTO_TCP };

/*
 * Test that a NAT backend's entry carries its port in network order, the VIP's when it names
 * none and 0 (the client's) for a sorry server and for dr backends; that a reload changing the
 * port rewrites the entry; and that a restart adopts the port, so it rewrites nothing.
 */
static void test_nat_ports(void **state)
{
	struct fixture *f = *state;
	const struct snap *s;
	uint32_t app, web;

#define APP_PORT "8080"
	apply_ok(&f->lb, BASE APP_NAT);
	s = snap_take(f, &f->dp[0]);
	app = snap_vip_id(s, &APP);
	web = snap_vip_id(s, &WEB);
	assert_int_equal(snap_vip_find(s, &APP)->fwd, XLB_FWD_NAT);
	assert_int_equal(s->be[snap_be_id(s, app, "192.0.2.41")].port, htons(8080));
	assert_int_equal(s->be[snap_be_id(s, app, "192.0.2.42")].port, htons(80));
	assert_int_equal(s->be[snap_be_id(s, app, "192.0.2.49")].port, 0);
	assert_int_equal(s->be[snap_be_id(s, web, "192.0.2.11")].port, 0);
#undef APP_PORT
#define APP_PORT "8081"
	apply_ok(&f->lb, BASE APP_NAT);
	s = snap_take(f, &f->dp[0]);
	assert_int_equal(s->be[snap_be_id(s, app, "192.0.2.41")].port, htons(8081));

	restart(f);
	assert_int_equal(lb_be(lb_vip(&f->lb, &APP), "192.0.2.41")->port, 8081);
	ops_reset();
	apply_ok(&f->lb, BASE APP_NAT);
	assert_int_equal(ops_on(R_BACKENDS), 0);
#undef APP_PORT
}

static void flow4(struct xlb_flow *fl, const char *client, uint16_t sport, const char *vip,
		  uint16_t dport)
{
	memset(fl, 0, sizeof(*fl));
	assert_int_equal(inet_pton(AF_INET, client, fl->src), 1);
	assert_int_equal(inet_pton(AF_INET, vip, fl->dst), 1);
	fl->sport = htons(sport);
	fl->dport = htons(dport);
	fl->proto = IPPROTO_TCP;
	fl->family = XLB_FAMILY_V4;
}

/* The nat_flows key of a reply from backend:bport to the client of fl. */
static void nat_key4(struct xlb_nat_key *k, const char *backend, uint16_t bport,
		     const struct xlb_flow *fl)
{
	memset(k, 0, sizeof(*k));
	assert_int_equal(inet_pton(AF_INET, backend, k->backend), 1);
	memcpy(k->client, fl->src, sizeof(k->client));
	k->bport = htons(bport);
	k->cport = fl->sport;
	k->proto = fl->proto;
	k->family = fl->family;
}

static size_t map_count(int fd, uint32_t key_size)
{
	uint8_t key[64], next[64];
	size_t n = 0;

	assert_true(key_size <= sizeof(key));
	for (void *prev = NULL; !bpf_map_get_next_key(fd, prev, next); prev = key, n++)
		memcpy(key, next, key_size);
	return n;
}

/*
 * Test that a synced flow of a NAT VIP gets, before its conns entry on every interface, the
 * nat_flows entry its backend's replies are translated by: the backend's own port (or the VIP's)
 * and the client's, back to the VIP's address and port with the flow's ids and age. A dr flow
 * gets its conns entry alone, and a flow of a backend this node does not have gets nothing.
 */
static void test_install_flow(void **state)
{
	struct fixture *f = *state;
	struct xlb_conn c, got;
	struct xlb_nat_key k;
	struct xlb_flow fl;
	struct xlb_nat n, want;
	const struct snap *s;
	uint32_t app, web;

#define APP_PORT "8080"
	dp_create(&f->dp[1], f->inner_fd);
	xlb_lb_fini(&f->lb);
	f->dps.n = 2;
	assert_int_equal(xlb_lb_init(&f->lb, &f->dps), 0);
	apply_ok(&f->lb, BASE APP_NAT);
	s = snap_take(f, &f->dp[0]);
	app = snap_vip_id(s, &APP);
	web = snap_vip_id(s, &WEB);

	flow4(&fl, "198.51.100.7", 40000, "203.0.113.4", 80);
	c = (struct xlb_conn){ .backend = snap_be_id(s, app, "192.0.2.41"), .vip_id = app,
			       .state = XLB_CS_CLOSING, .last_seen = 12345 };
	ops_reset();
	assert_int_equal(xlb_lb_install_flow(&f->lb, &fl, &c), 0);
	nat_key4(&k, "192.0.2.41", 8080, &fl);
	assert_int_equal(bpf_map_lookup_elem(f->dp[0].nat_flows_fd, &k, &n), 0);
	memset(&want, 0, sizeof(want));
	memcpy(want.vip, fl.dst, sizeof(want.vip));
	want.vport = htons(80);
	want.vip_id = app;
	want.backend = c.backend;
	want.last_seen = 12345;
	assert_memory_equal(&n, &want, sizeof(n));
	assert_int_equal(bpf_map_lookup_elem(f->dp[0].conns_fd, &fl, &got), 0);
	assert_memory_equal(&got, &c, sizeof(c));
	assert_int_equal(bpf_map_lookup_elem(f->dp[1].conns_fd, &fl, &got), 0);
	assert_before(op_first('u', f->dp[0].nat_flows_fd, &k), "the nat_flows entry",
		      op_first('u', f->dp[0].conns_fd, &fl), "the conns entry");
	/* The shared map is written once, through the first data path. */
	assert_int_equal(map_count(f->dp[1].nat_flows_fd, sizeof(k)), 0);

	/* A backend without a port of its own answers from the VIP's. */
	flow4(&fl, "198.51.100.8", 40001, "203.0.113.4", 80);
	c.backend = snap_be_id(s, app, "192.0.2.42");
	assert_int_equal(xlb_lb_install_flow(&f->lb, &fl, &c), 0);
	nat_key4(&k, "192.0.2.42", 80, &fl);
	assert_int_equal(bpf_map_lookup_elem(f->dp[0].nat_flows_fd, &k, &n), 0);
	assert_int_equal(n.backend, c.backend);

	flow4(&fl, "198.51.100.9", 40002, "203.0.113.1", 80);
	c = (struct xlb_conn){ .backend = snap_be_id(s, web, "192.0.2.11"), .vip_id = web };
	assert_int_equal(xlb_lb_install_flow(&f->lb, &fl, &c), 0);
	assert_int_equal(bpf_map_lookup_elem(f->dp[1].conns_fd, &fl, &got), 0);
	assert_int_equal(map_count(f->dp[0].nat_flows_fd, sizeof(k)), 2);

	flow4(&fl, "198.51.100.10", 40003, "203.0.113.4", 80);
	c = (struct xlb_conn){ .backend = XLB_MAX_BACKENDS - 1, .vip_id = app };
	ops_reset();
	assert_int_equal(xlb_lb_install_flow(&f->lb, &fl, &c), -ENOENT);
	assert_int_equal(ops_on(R_CONNS) + ops_on(R_NAT_FLOWS), 0);
#undef APP_PORT
}

/*
 * Test that a synced persistence template is written once, into the templates map shared by the
 * data paths (through the first), as the peer sent it; one naming a backend this node does not
 * have, or another VIP's backend, writes nothing.
 */
static void test_install_template(void **state)
{
	struct fixture *f = *state;
	struct xlb_template_key k = { .family = XLB_FAMILY_V4 };
	struct xlb_template t, got;
	const struct snap *s;
	uint32_t web, dns;

	dp_create(&f->dp[1], f->inner_fd);
	xlb_lb_fini(&f->lb);
	f->dps.n = 2;
	assert_int_equal(xlb_lb_init(&f->lb, &f->dps), 0);
	apply_ok(&f->lb, BASE);
	s = snap_take(f, &f->dp[0]);
	web = snap_vip_id(s, &WEB);
	dns = snap_vip_id(s, &DNS);
	assert_int_equal(inet_pton(AF_INET, "198.51.100.7", k.client), 1);
	k.vip_id = web;
	t = (struct xlb_template){ .backend = snap_be_id(s, web, "192.0.2.12"), .last_seen = 777 };
	ops_reset();
	assert_int_equal(xlb_lb_install_template(&f->lb, &k, &t), 0);
	assert_int_equal(ops_on(R_TEMPLATES), 1);
	assert_int_equal(ops_on(R_CONNS) + ops_on(R_NAT_FLOWS), 0);
	assert_int_equal(bpf_map_lookup_elem(f->dp[0].templates_fd, &k, &got), 0);
	assert_memory_equal(&got, &t, sizeof(t));
	assert_int_equal(map_count(f->dp[1].templates_fd, sizeof(k)), 0);

	ops_reset();
	k.vip_id = dns; /* web's backend under another VIP */
	assert_int_equal(xlb_lb_install_template(&f->lb, &k, &t), -ENOENT);
	k.vip_id = web;
	t.backend = XLB_MAX_BACKENDS - 1;
	assert_int_equal(xlb_lb_install_template(&f->lb, &k, &t), -ENOENT);
	assert_int_equal(ops_on(R_TEMPLATES), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		LB_CASE(test_initial_apply),
		LB_CASE(test_reapply_same),
		LB_CASE(test_weight_change),
		LB_CASE(test_add_backend),
		LB_CASE(test_remove_backend),
		LB_CASE(test_remove_vip),
		LB_CASE(test_weight_zero),
		LB_CASE(test_set_state_health),
		LB_CASE(test_set_state_admin),
		LB_CASE(test_admin_survives_reapply),
		LB_CASE(test_fallback),
		LB_CASE(test_two_interfaces),
		LB_CASE(test_two_interfaces_macs),
		LB_CASE(test_tunnel_sources),
		LB_CASE(test_nat_ports),
		LB_CASE(test_install_flow),
		LB_CASE(test_install_template),
	};
	const struct lb_test_group groups[] = { { "lb_apply", tests, ARRAY_SIZE(tests) } };

	return lb_test_main("test_lb_apply", groups, ARRAY_SIZE(groups));
}
