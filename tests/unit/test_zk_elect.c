// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of ZooKeeper leader election's decisions (user/pair/zk_elect.c), without a server: the
 * lowest sequence number is master, our node is found by its session prefix, strangers take no
 * part, the release deadline comes before the session can expire, and PATH/master's JSON
 * reads back.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/loop.h"
#include "pair/zk_elect.h"

/* Test that a session's prefix is its id in 16 hex digits and a dash. */
static void test_prefix(void **state)
{
	char p[XLB_ZK_PREFIX_SIZE];

	(void)state;
	xlb_zk_node_prefix(0x1000a2b3c4d0001ll, p);
	assert_string_equal(p, "01000a2b3c4d0001-");
	xlb_zk_node_prefix(-1, p);
	assert_string_equal(p, "ffffffffffffffff-");
}

/* Test that only "<16 hex>-<10 digits>" has a sequence number. */
static void test_seq(void **state)
{
	(void)state;
	assert_int_equal(xlb_zk_seq("01000a2b3c4d0001-0000000012"), 12);
	assert_int_equal(xlb_zk_seq("01000a2b3c4d0001-2147483648"), 2147483648ll);
	assert_int_equal(xlb_zk_seq("01000a2b3c4d0001-000000012"), -1);  /* 9 digits */
	assert_int_equal(xlb_zk_seq("01000a2b3c4d000-00000000012"), -1); /* 15 hex */
	assert_int_equal(xlb_zk_seq("01000A2B3C4D0001-0000000012"), -1); /* upper case */
	assert_int_equal(xlb_zk_seq("01000a2b3c4d0001-00000000x2"), -1);
	assert_int_equal(xlb_zk_seq("lock-0000000001"), -1);
	assert_int_equal(xlb_zk_seq(""), -1);
}

/* Test that the lowest number is master whatever the order, and ours is found by prefix. */
static void test_elect(void **state)
{
	const char *names[] = {
		"00000000000000bb-0000000007",
		"00000000000000aa-0000000003",
		"somebody-elses",
		"00000000000000cc-0000000005",
	};
	struct xlb_zk_view v;

	(void)state;
	xlb_zk_elect(names, 4, "00000000000000cc-", &v);
	assert_int_equal(v.lowest, 1);
	assert_int_equal(v.mine, 3);
	xlb_zk_elect(names, 4, "00000000000000aa-", &v);
	assert_int_equal(v.lowest, 1);
	assert_int_equal(v.mine, 1);
	/* our node gone (the session expired): no mine, the others still elect */
	xlb_zk_elect(names, 4, "00000000000000dd-", &v);
	assert_int_equal(v.mine, -1);
	assert_int_equal(v.lowest, 1);
	/* the master leaves: the next lowest */
	xlb_zk_elect(names + 2, 2, "00000000000000cc-", &v);
	assert_int_equal(v.lowest, 1);
	assert_int_equal(v.mine, 1);
	/* nothing valid */
	xlb_zk_elect(names + 2, 1, "00000000000000cc-", &v);
	assert_int_equal(v.lowest, -1);
	assert_int_equal(v.mine, -1);
	xlb_zk_elect(NULL, 0, "00000000000000cc-", &v);
	assert_int_equal(v.lowest, -1);
}

/* Test that a session with two nodes (a create retried after a lost answer) counts its lowest. */
static void test_elect_two_of_ours(void **state)
{
	const char *names[] = {
		"00000000000000aa-0000000009",
		"00000000000000bb-0000000004",
		"00000000000000aa-0000000002",
	};
	struct xlb_zk_view v;

	(void)state;
	xlb_zk_elect(names, 3, "00000000000000aa-", &v);
	assert_int_equal(v.mine, 2);
	assert_int_equal(v.lowest, 2);
}

/* Test that the release comes at 2/3 of the timeout, before the servers may expire the session,
 * and that heartbeats come often enough for two to be lost before it. */
static void test_deadlines(void **state)
{
	uint64_t t0 = 1000 * XLB_MS;

	(void)state;
	assert_int_equal(xlb_zk_release_at(t0, 4000), t0 + 2666 * XLB_MS);
	assert_true(xlb_zk_release_at(t0, 4000) < t0 + 4000 * XLB_MS);
	assert_int_equal(xlb_zk_release_at(t0, 6000), t0 + 4000 * XLB_MS);
	assert_int_equal(xlb_zk_heartbeat_ns(4000), 666 * XLB_MS);
	assert_true(t0 + 3 * xlb_zk_heartbeat_ns(4000) < xlb_zk_release_at(t0, 4000));
}

/* Test that PATH/master's JSON is what xlbctl master reads, and too small a buffer says so. */
static void test_master_json(void **state)
{
	struct xlb_cfg_vaddr v[2] = {};
	struct timespec since = { .tv_sec = 1764684000, .tv_nsec = 42 * 1000000 };
	char buf[512], out[64];
	int n;

	(void)state;
	assert_int_equal(xlb_addr_parse("203.0.113.100", &v[0].addr), 0);
	v[0].prefix = 24;
	assert_int_equal(xlb_addr_parse("203.0.113.101", &v[1].addr), 0);
	v[1].prefix = 32;
	n = xlb_zk_master_json(buf, sizeof(buf), "lb-a", "/xlb/web/nodes/00000000000000aa-0000000002",
			       0xaa, v, 2, &since);
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf,
			    "{\"node\":\"lb-a\",\"znode\":\"/xlb/web/nodes/00000000000000aa-0000000002\","
			    "\"session\":\"0xaa\",\"addresses\":[\"203.0.113.100/24\","
			    "\"203.0.113.101/32\"],\"since\":\"2025-12-02T14:00:00.042Z\"}");
	assert_int_equal(xlb_zk_json_str(buf, n, "node", out, sizeof(out)), 0);
	assert_string_equal(out, "lb-a");
	assert_int_equal(xlb_zk_json_str(buf, n, "session", out, sizeof(out)), 0);
	assert_string_equal(out, "0xaa");
	assert_int_equal(xlb_zk_json_str(buf, n, "addresses", out, sizeof(out)), -ENOENT);
	assert_int_equal(xlb_zk_json_str(buf, n, "nope", out, sizeof(out)), -ENOENT);
	assert_int_equal(xlb_zk_json_str(buf, n, "znode", out, 8), -ENOENT);
	/* cut anywhere: refused, never a truncated object */
	assert_int_equal(xlb_zk_master_json(buf, 40, "lb-a", "/x", 1, v, 2, &since), -ENOSPC);
	assert_int_equal(xlb_zk_master_json(buf, n, "lb-a", "/xlb/web/nodes/00000000000000aa-"
							   "0000000002", 0xaa, v, 2, &since),
			 -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_seq),
		cmocka_unit_test(test_elect),
		cmocka_unit_test(test_elect_two_of_ours),
		cmocka_unit_test(test_deadlines),
		cmocka_unit_test(test_master_json),
	};

	return cmocka_run_group_tests_name("zk_elect", tests, NULL, NULL);
}
