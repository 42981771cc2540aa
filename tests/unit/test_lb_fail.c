// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of the state-to-maps writer (user/agent/lb.c), the fixture in lb_test.h: configs of
 * more backends than old and new together fit, watched between every two writes, and applies
 * that fail part-way (an injected failure), which must leave the maps as they were.
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


/*
 * A table rebuilt under a live VIP leaves it settling (XLB_VIP_F_SETTLING) for XLB_SETTLE_NS,
 * which moves no packet: "as they were" is compared once that is over.
 */
static void settle_all(struct xlb_lb *lb)
{
	assert_int_equal(xlb_lb_settle(lb, xlb_now_ns() + XLB_SETTLE_NS), 0);
}

/* Failed applies. */

/* Apply a config of web with n_web backends on web_net.0.0/16 and, with n_api, api with n_api on
 * api_net.0.0/16; all of weight 100. */
static int apply_two(struct xlb_lb *lb, const char *head, const char *web_net, size_t n_web,
		     const char *api_net, size_t n_api)
{
	size_t cap = 512 + (n_web + n_api) * 64, len, i;
	char *y = malloc(cap);
	int err;

	assert_non_null(y);
	len = snprintf(y, cap, "%s" WEB_VIP, head);
	for (i = 0; i < n_web && len < cap; i++)
		len += snprintf(y + len, cap - len, "      - {address: %s.%zu.%zu}\n", web_net,
				i / 250, i % 250 + 1);
	if (n_api && len < cap)
		len += snprintf(y + len, cap - len, VIP("api", "203.0.113.3", 8080, "tcp"));
	for (i = 0; i < n_api && len < cap; i++)
		len += snprintf(y + len, cap - len, "      - {address: %s.%zu.%zu}\n", api_net,
				i / 250, i % 250 + 1);
	err = len < cap ? apply(lb, y) : -E2BIG;
	free(y);
	return err;
}

/* Apply a config of one VIP, web, with n backends of weight 100 on net.0.0/16. */
static int apply_many(struct xlb_lb *lb, const char *net, size_t n)
{
	return apply_two(lb, HEAD, net, n, NULL, 0);
}

/* The maps hold exactly n backends of the VIP, the ones on net.0.0/16 that apply_two() writes. */
static void assert_backends(struct fixture *f, const struct vip_ref *r, const char *net, size_t n)
{
	const struct snap *s = snap_take(f, &f->dp[0]);
	uint32_t vip = snap_vip_id(s, r);
	size_t i, in_vip = 0;
	char addr[32];

	for (i = 0; i < XLB_MAX_BACKENDS; i++)
		in_vip += (s->be[i].flags & XLB_BE_F_USED) && s->be[i].vip_id == vip;
	if (in_vip != n)
		fail_msg("vip %s: %zu backends in the maps, want %zu", r->name, in_vip, n);
	for (i = 0; i < n; i++) {
		snprintf(addr, sizeof(addr), "%s.%zu.%zu", net, i / 250, i % 250 + 1);
		snap_be_id(s, vip, addr);
	}
}

/* Run an apply (call), watching every write it makes; fail if it fails. */
#define WATCHED(f, call)                                \
	do {                                            \
		watch_start(&(f)->dp[0]);               \
		int err_ = (call);                      \
		watch_stop();                           \
		if (err_)                               \
			fail_msg("apply failed: %s", strerror(-err_)); \
	} while (0)

/*
 * Test that a config of 2100 backends replaces another of 2100 others, both ways, although old
 * and new together (4200) would not fit the backends map (4096) — the maps then hold exactly
 * the new set, and between any two writes every slot of the VIP's table names a live backend of
 * it.
 */
static void test_replace_2100_one_vip(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(apply_many(&f->lb, "10.1", 2100), 0);
	WATCHED(f, apply_many(&f->lb, "10.2", 2100));
	assert_backends(f, &WEB, "10.2", 2100);
	WATCHED(f, apply_many(&f->lb, "10.1", 2100));
	assert_backends(f, &WEB, "10.1", 2100);
	assert_int_equal(snap_used(snap_take(f, &f->dp[0])), 2100);
}

/*
 * Test that 2100 backends move between VIPs by reload, both ways — web's 2100 give way to web
 * 100 others and a new VIP api with 2000; back again, api goes and web has its 2100 — each
 * VIP always seeing a whole table of live backends of its own.
 */
static void test_replace_2100_across_vips(void **state)
{
	struct fixture *f = *state;
	struct xlb_vip_key api;

	assert_int_equal(apply_many(&f->lb, "10.1", 2100), 0);
	WATCHED(f, apply_two(&f->lb, HEAD, "10.2", 100, "10.3", 2000));
	assert_backends(f, &WEB, "10.2", 100);
	assert_backends(f, &API, "10.3", 2000);
	WATCHED(f, apply_many(&f->lb, "10.1", 2100));
	assert_backends(f, &WEB, "10.1", 2100);
	vip_key(&API, &api);
	assert_null(xlb_lb_vip_by_key(&f->lb, &api));
	assert_int_equal(snap_used(snap_take(f, &f->dp[0])), 2100);
}

/* Append backends i = from .. from + n - 1 on net.0.0/16, as apply_two() numbers them. */
static size_t yaml_range(char *y, size_t len, size_t cap, const char *net, size_t from, size_t n)
{
	size_t i;

	for (i = from; i < from + n && len < cap; i++)
		len += snprintf(y + len, cap - len, "      - {address: %s.%zu.%zu}\n", net, i / 250,
				i % 250 + 1);
	return len;
}

/*
 * Test that ids free for some VIPs' successors are not used up by others' — web and api of 2000
 * backends each; the reload drops 50 of each and adds 98 to each (4096 in all, 96 ids free):
 * taking free ids first, web would take all 96 and api would lack 48; each VIP's departing ids
 * go to its own successors first, and the reload goes through.
 */
static void test_replace_two_growing_vips(void **state)
{
	struct fixture *f = *state;
	size_t cap = 512 + 4200 * 64, len;
	char *y = malloc(cap);
	const struct snap *s;
	uint32_t api;
	int err;

	assert_non_null(y);
	assert_int_equal(apply_two(&f->lb, HEAD, "10.1", 2000, "10.2", 2000), 0);
	len = snprintf(y, cap, HEAD WEB_VIP);
	len = yaml_range(y, len, cap, "10.1", 50, 1950);
	len = yaml_range(y, len, cap, "10.3", 0, 98);
	if (len < cap)
		len += snprintf(y + len, cap - len, VIP("api", "203.0.113.3", 8080, "tcp"));
	len = yaml_range(y, len, cap, "10.2", 50, 1950);
	len = yaml_range(y, len, cap, "10.4", 0, 98);
	assert_true(len < cap);
	watch_start(&f->dp[0]);
	err = apply(&f->lb, y);
	watch_stop();
	free(y);
	if (err)
		fail_msg("apply failed: %s", strerror(-err));
	s = snap_take(f, &f->dp[0]);
	assert_int_equal(snap_used(s), XLB_MAX_BACKENDS);
	api = snap_vip_id(s, &API);
	assert_int_equal(snap_be_find(s, api, "10.2.0.50"), UINT32_MAX);
	snap_be_id(s, api, "10.2.0.51");
	snap_be_id(s, api, "10.4.0.98");
}

/*
 * Test that a restart on the maps of a 2100-backend config starts with another 2100-backend
 * config, and back — the state an earlier xlbd left is replaced as a reload replaces it.
 */
static void test_restart_2100(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(apply_many(&f->lb, "10.1", 2100), 0);
	restart(f);
	WATCHED(f, apply_many(&f->lb, "10.2", 2100));
	assert_backends(f, &WEB, "10.2", 2100);
	restart(f);
	WATCHED(f, apply_two(&f->lb, HEAD, "10.2", 100, "10.3", 2000));
	assert_backends(f, &API, "10.3", 2000);
}

#define HEAD_257                       \
	"interfaces: [{name: eth0}]\n" \
	"maglev: {table_size: 257}\n"  \
	"vips:\n"

/*
 * Test that changing maglev.table_size switches each VIP's table and ring_size together — at no
 * point between two writes does a VIP's ring_size differ from the slots of the table it reads
 * (a packet would hash past its end, or into part of it); afterwards every VIP reads a table of
 * the new size, and the other bank is empty. Both ways, and with a backend change in the same
 * reload.
 */
static void test_table_size_change(void **state)
{
	struct fixture *f = *state;
	const struct snap *s;

	apply_ok(&f->lb, BASE);
	WATCHED(f, apply(&f->lb, HEAD_257 WEB_3 DNS_2 V6_1));
	s = snap_take(f, &f->dp[0]);
	assert_int_equal(snap_vip_find(s, &WEB)->ring_size, 257);
	assert_int_equal(s->size[snap_vip_id(s, &DNS)], 257);
	WATCHED(f, apply(&f->lb, CHANGED));
	s = snap_take(f, &f->dp[0]);
	assert_int_equal(snap_vip_find(s, &API)->ring_size, TABLE);
	assert_int_equal(snap_vip_find(s, &V6)->ring_size, TABLE);
	assert_shares(s, &DNS, (const struct be_ref[]){ { "192.0.2.21", 100 },
							{ "192.0.2.22", 100 },
							{ "192.0.2.23", 100 } }, 3);
	/* A restart on maps of another size does the same. */
	restart(f);
	WATCHED(f, apply(&f->lb, HEAD_257 WEB_3 DNS_2 V6_1));
	assert_int_equal(snap_vip_find(snap_take(f, &f->dp[0]), &V6)->ring_size, 257);
}

/*
 * Test that a 2100 -> 2100 reload failing after some new backends took over departing ones' ids
 * leaves the maps as they were — each taken-over entry back to its old backend, no free id
 * lost — and that between any two of its writes and of the restore's, every slot names a live
 * backend of its VIP; the same reload then succeeds.
 */
static void test_failed_apply_handover(void **state)
{
	struct fixture *f = *state;
	const struct snap *before, *after;
	uint8_t be_used[XLB_MAX_BACKENDS];

	assert_int_equal(apply_many(&f->lb, "10.1", 2100), 0);
	before = snap_take(f, &f->dp[0]);
	memcpy(be_used, f->lb.be_used, sizeof(be_used));
	memset(&inject, 0, sizeof(inject));
	inject.update_fd = f->dp[0].backends_fd;
	inject.update_at = 2050; /* the pool has 1996 ids: 54 take-overs are written by then */
	watch_start(&f->dp[0]);
	assert_true(apply_many(&f->lb, "10.2", 2100) < 0);
	watch_stop();
	assert_true(inject.fired);
	memset(&inject, 0, sizeof(inject));
	assert_memory_equal(f->lb.be_used, be_used, sizeof(be_used));
	settle_all(&f->lb);
	after = snap_take(f, &f->dp[0]);
	assert_snap_equal(after, before, false, "after a failed reload that took over ids");
	WATCHED(f, apply_many(&f->lb, "10.2", 2100));
	assert_backends(f, &WEB, "10.2", 2100);
}

/*
 * Test that a reload failing in its second step (api's table cannot be created, after web gave
 * its ids back) leaves every VIP whole — web new, api not there — with lb saying the same as
 * the maps, and that the same reload then completes.
 */
static void test_failed_second_step(void **state)
{
	struct fixture *f = *state;
	struct xlb_vip_key api;
	const struct snap *s;

	assert_int_equal(apply_many(&f->lb, "10.1", 2100), 0);
	memset(&inject, 0, sizeof(inject));
	inject.create_at = 2; /* web's table in the first step, api's in the second */
	watch_start(&f->dp[0]);
	assert_true(apply_two(&f->lb, HEAD, "10.2", 100, "10.3", 2000) < 0);
	watch_stop();
	assert_true(inject.fired);
	memset(&inject, 0, sizeof(inject));
	assert_backends(f, &WEB, "10.2", 100);
	s = snap_take(f, &f->dp[0]);
	assert_null(snap_vip_find(s, &API));
	assert_int_equal(snap_used(s), 100);
	vip_key(&API, &api);
	assert_null(xlb_lb_vip_by_key(&f->lb, &api));
	assert_int_equal(f->lb.vips[0].n_backends, 100);
	WATCHED(f, apply_two(&f->lb, HEAD, "10.2", 100, "10.3", 2000));
	assert_backends(f, &API, "10.3", 2000);
}

struct fail_case {
	const char *desc;
	bool create;         /* fail a bpf_map_create(); otherwise an update of role */
	enum map_role role;
	int nth;
};

/* CHANGED over BASE writes: backends .12 then .23 then api's; tables web, dns, api; vips api. */
static const struct fail_case fail_cases[] = {
	{ "Test that a reload whose second backend write fails "
	  "— leaves the maps as they were",
	  false, R_BACKENDS, 2 },
	{ "Test that a reload whose second table cannot be created "
	  "— leaves the maps as they were",
	  true, R_NONE, 2 },
	{ "Test that a reload whose second table swap fails "
	  "— leaves the maps as they were",
	  false, R_MAGLEV, 2 },
	{ "Test that a reload whose new VIP's key cannot be written "
	  "— leaves the maps as they were",
	  false, R_VIPS, 1 },
};

static int fd_of(const struct xlb_dp *dp, enum map_role role)
{
	switch (role) {
	case R_VIPS:
		return dp->vips_fd;
	case R_BACKENDS:
		return dp->backends_fd;
	case R_MAGLEV:
		return dp->maglev_fd;
	default:
		return -1;
	}
}

static void fail_apply(struct fixture *f, const struct fail_case *c)
{
	uint8_t vip_used[XLB_MAX_VIPS], be_used[XLB_MAX_BACKENDS];
	struct xlb_vip_key api;
	int err;

	memcpy(vip_used, f->lb.vip_used, sizeof(vip_used));
	memcpy(be_used, f->lb.be_used, sizeof(be_used));
	memset(&inject, 0, sizeof(inject));
	if (c->create) {
		inject.create_at = c->nth;
	} else {
		inject.update_fd = fd_of(&f->dp[0], c->role);
		inject.update_at = c->nth;
	}
	err = apply(&f->lb, CHANGED);
	assert_true(inject.fired);
	memset(&inject, 0, sizeof(inject));
	assert_true(err < 0);
	/* lb's own view is the old one */
	assert_int_equal(f->lb.n_vips, 3);
	vip_key(&API, &api);
	assert_null(xlb_lb_vip_by_key(&f->lb, &api));
	assert_memory_equal(f->lb.vip_used, vip_used, sizeof(vip_used));
	assert_memory_equal(f->lb.be_used, be_used, sizeof(be_used));
	assert_int_equal(lb_be(lb_vip(&f->lb, &WEB), "192.0.2.12")->weight, 2);
}

static void test_failed_apply(void **state)
{
	struct fixture *f = *state;
	const struct fail_case *c = f->fail_case;
	const struct snap *before, *after;

	apply_ok(&f->lb, BASE);
	before = snap_take(f, &f->dp[0]);
	fail_apply(f, c);
	settle_all(&f->lb);
	after = snap_take(f, &f->dp[0]);
	/* A table the failed attempt swapped out comes back rebuilt: the same slots in a new map
	 * (what a packet sees), not the same map object. */
	assert_snap_equal(after, before, false, c->desc);
}

/* setup(), for a row of fail_cases (cmocka hands the row in as the initial state). */
static int setup_case(void **state)
{
	const struct fail_case *c = *state;
	int err = setup(state);

	if (!err)
		((struct fixture *)*state)->fail_case = c;
	return err;
}

/*
 * Test that after a failed reload, the running config applied again gets the maps back to it —
 * what the failed attempt wrote does not stay behind.
 */
static void test_failed_apply_then_old(void **state)
{
	struct fixture *f = *state;
	const struct snap *before, *after;

	apply_ok(&f->lb, BASE);
	before = snap_take(f, &f->dp[0]);
	fail_apply(f, &fail_cases[1]);
	apply_ok(&f->lb, BASE);
	settle_all(&f->lb);
	after = snap_take(f, &f->dp[0]);
	assert_snap_equal(after, before, false, "the running config again after a failed reload");
}

/*
 * Test that after a failed reload, the new config applied again gives what a clean reload gives
 * — the same ids, entries and slots as BASE then CHANGED on fresh maps.
 */
static void test_failed_apply_then_new(void **state)
{
	struct fixture *f = *state;
	const struct snap *clean, *retried;

	dp_create(&f->dp[1], f->inner_fd);
	f->dps2 = (struct xlb_dps){ &f->dp[1], 1 };
	assert_int_equal(xlb_lb_init(&f->lb2, &f->dps2), 0);
	f->lb2_used = true;
	apply_ok(&f->lb2, BASE);
	apply_ok(&f->lb2, CHANGED);
	settle_all(&f->lb2);
	clean = snap_take(f, &f->dp[1]);

	apply_ok(&f->lb, BASE);
	fail_apply(f, &fail_cases[1]);
	apply_ok(&f->lb, CHANGED);
	settle_all(&f->lb);
	retried = snap_take(f, &f->dp[0]);
	assert_snap_equal(retried, clean, false, "the new config again after a failed reload");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		LB_CASE(test_replace_2100_one_vip),
		LB_CASE(test_replace_2100_across_vips),
		LB_CASE(test_replace_two_growing_vips),
		LB_CASE(test_restart_2100),
		LB_CASE(test_table_size_change),
		LB_CASE(test_failed_apply_handover),
		LB_CASE(test_failed_second_step),
		LB_CASE(test_failed_apply_then_old),
		LB_CASE(test_failed_apply_then_new),
	};
	struct CMUnitTest cases[ARRAY_SIZE(fail_cases)];
	const struct lb_test_group groups[] = {
		{ "lb_fail", tests, ARRAY_SIZE(tests) },
		{ "lb_failed_apply", cases, ARRAY_SIZE(cases) },
	};
	size_t i;

	/* One named test per row, so a failure names the case. */
	for (i = 0; i < ARRAY_SIZE(fail_cases); i++)
		cases[i] = (struct CMUnitTest){
			.name = fail_cases[i].desc,
			.test_func = test_failed_apply,
			.setup_func = setup_case,
			.teardown_func = teardown,
			.initial_state = (void *)&fail_cases[i],
		};
	return lb_test_main("test_lb_fail", groups, ARRAY_SIZE(groups));
}
