// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of the active fleet's schema (user/config/schema_announce.c): announce: {mode: bgp,
 * table, protocol, metric} with its defaults, the kernel's reserved tables and the route
 * protocols BIRD would not learn refused, and announce beside failover refused, each mistake at
 * its line:column.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "config_test.h"

/* After IFACE, no VIPs and an announce mapping still taking keys: a case's lines start at 4. */
#define ANNOUNCE            \
	"vips: []\n"  /* 2 */ \
	"announce:\n" /* 3 */

/* Test that a config without announce announces nothing. */
static void test_absent(void **state)
{
	struct xlb_config cfg;

	(void)state;
	parse_ok(IFACE "vips: []\n", &cfg);
	assert_int_equal(cfg.announce.mode, XLB_ANNOUNCE_NONE);
	xlb_cfg_free(&cfg);
}

/* Test that mode and table are enough: protocol 252 and metric 0 by default, pos at the map. */
static void test_defaults(void **state)
{
	struct xlb_config cfg;

	(void)state;
	parse_ok(IFACE ANNOUNCE "  mode: bgp\n"
				"  table: 100\n",
		 &cfg);
	assert_int_equal(cfg.announce.mode, XLB_ANNOUNCE_BGP);
	assert_int_equal(cfg.announce.table, 100);
	assert_int_equal(cfg.announce.protocol, XLB_ANNOUNCE_DEFAULT_PROTOCOL);
	assert_int_equal(cfg.announce.protocol, 252);
	assert_int_equal(cfg.announce.metric, 0);
	assert_int_equal(cfg.announce.pos.line, 4);
	assert_int_equal(cfg.announce.pos.col, 3);
	assert_int_equal(cfg.failover_mode, XLB_FAILOVER_NONE);
	xlb_cfg_free(&cfg);
}

/* Test every key given, in flow style and any order, with the bounds of each accepted. */
static void test_full(void **state)
{
	static const struct {
		const char *yaml;
		uint32_t table, metric;
		uint8_t protocol;
	} cases[] = {
		{ "{metric: 20, protocol: 18, table: 4200000000, mode: BGP}", 4200000000u, 20, 18 },
		{ "{mode: bgp, table: 1, protocol: 3, metric: 4294967295}", 1, 4294967295u, 3 },
		{ "{mode: bgp, table: 252, protocol: 255}", 252, 0, 255 },
		{ "{mode: bgp, table: 256, protocol: 13}", 256, 0, 13 },
	};
	struct xlb_config cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse_okf(&cfg, IFACE "vips: []\nannounce: %s\n", cases[i].yaml);
		assert_int_equal(cfg.announce.mode, XLB_ANNOUNCE_BGP);
		assert_int_equal(cfg.announce.table, cases[i].table);
		assert_int_equal(cfg.announce.protocol, cases[i].protocol);
		assert_int_equal(cfg.announce.metric, cases[i].metric);
		xlb_cfg_free(&cfg);
	}
}

/* Test that the announce section and VIPs of both families live side by side. */
static void test_with_vips(void **state)
{
	struct xlb_config cfg;

	(void)state;
	parse_ok(IFACE "vips:\n"
		       "  - {address: 203.0.113.1, port: 80, backends: [{address: 192.0.2.1}]}\n"
		       "  - {address: '2001:db8::1', port: 80, backends: [{address: '2001:db8:1::1'}]}\n"
		       "announce: {mode: bgp, table: 100}\n",
		 &cfg);
	assert_int_equal(cfg.n_vips, 2);
	assert_int_equal(cfg.announce.table, 100);
	xlb_cfg_free(&cfg);
}

static const struct bad_case announce_cases[] = {
	{ "announce: mode missing",
	  IFACE ANNOUNCE
	  "  table: 100\n",
	  4, 3, "missing required key 'mode' in announce" },
	{ "announce: table missing",
	  IFACE ANNOUNCE
	  "  mode: bgp\n",
	  4, 3, "missing required key 'table' in announce" },
	{ "announce: unknown mode",
	  IFACE ANNOUNCE
	  "  mode: ospf\n"
	  "  table: 100\n",
	  4, 9, "bad announce mode 'ospf' (expected bgp)" },
	{ "announce: table 0",
	  IFACE ANNOUNCE
	  "  mode: bgp\n"
	  "  table: 0\n",
	  5, 10, "table 0 is out of range (1..4294967295)" },
	{ "announce: table main",
	  IFACE ANNOUNCE
	  "  mode: bgp\n"
	  "  table: 254\n",
	  5, 10, "table 254 is the kernel's 'main' table" },
	{ "announce: table local",
	  IFACE "vips: []\n"
	  "announce: {mode: bgp, table: 255}\n",
	  3, 30, "table 255 is the kernel's 'local' table" },
	{ "announce: table past 32 bits",
	  IFACE ANNOUNCE
	  "  mode: bgp\n"
	  "  table: 4294967296\n",
	  5, 10, "table 4294967296 is out of range" },
	{ "announce: table not a number",
	  IFACE ANNOUNCE
	  "  mode: bgp\n"
	  "  table: vips\n",
	  5, 10, "table 'vips' is not a decimal integer" },
	{ "announce: protocol bird's own",
	  IFACE ANNOUNCE
	  "  mode: bgp\n"
	  "  table: 100\n"
	  "  protocol: 12\n",
	  6, 13, "protocol 12 is 'bird': BIRD would not learn such routes (default 252)" },
	{ "announce: protocol kernel",
	  IFACE ANNOUNCE
	  "  mode: bgp\n"
	  "  table: 100\n"
	  "  protocol: 2\n",
	  6, 13, "protocol 2 is 'kernel'" },
	{ "announce: protocol redirect",
	  IFACE ANNOUNCE
	  "  mode: bgp\n"
	  "  table: 100\n"
	  "  protocol: 1\n",
	  6, 13, "protocol 1 is 'redirect'" },
	{ "announce: protocol over 255",
	  IFACE ANNOUNCE
	  "  mode: bgp\n"
	  "  table: 100\n"
	  "  protocol: 256\n",
	  6, 13, "protocol 256 is out of range (0..255)" },
	{ "announce: metric negative",
	  IFACE ANNOUNCE
	  "  mode: bgp\n"
	  "  table: 100\n"
	  "  metric: -1\n",
	  6, 11, "metric" },
	{ "announce: unknown key",
	  IFACE ANNOUNCE
	  "  mode: bgp\n"
	  "  table: 100\n"
	  "  hold_time: 3s\n",
	  6, 3, "unknown key 'hold_time' in announce (expected mode, table, protocol, metric)" },
	{ "announce: a list",
	  IFACE "vips: []\n"
	  "announce: [bgp]\n",
	  3, 11, "announce" },
	{ "announce after failover",
	  IFACE "vips: []\n"
	  "failover:\n"
	  "  mode: vrrp\n"
	  "  vrrp: {interface: eth0, vrid: 51, virtual_addresses: [203.0.113.100/24]}\n"
	  "announce: {mode: bgp, table: 100}\n",
	  6, 1, "announce and failover exclude each other (failover at line 3, announce at line 6)" },
	{ "failover after announce",
	  IFACE "vips: []\n"
	  "announce: {mode: bgp, table: 100}\n"
	  "failover:\n"
	  "  mode: vrrp\n"
	  "  vrrp: {interface: eth0, vrid: 51, virtual_addresses: [203.0.113.100/24]}\n",
	  4, 1, "announce and failover exclude each other" },
};

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absent),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_with_vips),
	};

	return run_config_tests("config_announce", tests, sizeof(tests) / sizeof(tests[0]),
				announce_cases,
				sizeof(announce_cases) / sizeof(announce_cases[0]));
}
