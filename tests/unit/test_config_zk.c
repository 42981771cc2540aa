// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of failover.zookeeper's schema (user/config/schema_zk.c): a full section and the
 * defaults come out as written, sync goes with it as in a VRRP pair, and each mistake is
 * reported at its line:column.
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

/* After IFACE, mode zookeeper and a zookeeper mapping still taking keys: lines start at 6. */
#define ZK_HEAD                      \
	FAILOVER                     \
	"  mode: zookeeper\n" /* 4 */ \
	"  zookeeper:\n"      /* 5 */

/* ... with everything but hosts: lines start at 9. */
#define ZK_NO_HOSTS                                        \
	ZK_HEAD                                            \
	"    path: /xlb/web\n"                       /* 6 */ \
	"    interface: eth0\n"                      /* 7 */ \
	"    virtual_addresses: [203.0.113.100/24]\n" /* 8 */

/* Test that a zookeeper + sync config setting every key comes out as written. */
static void test_valid_zk_full(void **state)
{
	static const char yaml[] =
		"interfaces: [{name: eth0}, {name: eth1}]\n"      /* 1 */
		"vips: []\n"                                      /* 2 */
		"failover:\n"                                     /* 3 */
		"  mode: ZooKeeper\n"                             /* 4 */
		"  zookeeper:\n"                                  /* 5 */
		"    hosts: \"192.0.2.31:2181,zk2:2182,[2001:db8::3]:2181\"\n" /* 6 */
		"    path: /xlb/web-1\n"                          /* 7 */
		"    session_timeout: 6s\n"                       /* 8 */
		"    interface: eth0\n"                           /* 9 */
		"    name: lb-a\n"                                /* 10 */
		"    virtual_addresses:\n"                        /* 11 */
		"      - 203.0.113.100/24\n"                      /* 12 */
		"      - 198.51.100.1/24 dev eth1\n"              /* 13 */
		"      - {address: 203.0.113.101, interface: eth0}\n" /* 14 */
		"  sync:\n"                                       /* 15 */
		"    listen: 192.0.2.2:8849\n"                    /* 16 */
		"    peer: 192.0.2.3\n"                           /* 17 */
		"    key_file: /etc/xlb/sync.key\n";              /* 18 */
	const struct xlb_cfg_zk *zk;
	struct xlb_config cfg;

	(void)state;
	parse_ok(yaml, &cfg);
	assert_int_equal(cfg.failover_mode, XLB_FAILOVER_ZK);
	zk = cfg.zk;
	assert_non_null(zk);
	assert_string_equal(zk->hosts, "192.0.2.31:2181,zk2:2182,[2001:db8::3]:2181");
	assert_string_equal(zk->path, "/xlb/web-1");
	assert_int_equal(zk->session_timeout_ms, 6000);
	assert_string_equal(zk->interface, "eth0");
	assert_string_equal(zk->name, "lb-a");
	assert_int_equal(zk->pos.line, 6);
	assert_int_equal(zk->n_vaddrs, 3);
	assert_addr(&zk->vaddrs[0].addr, "203.0.113.100");
	assert_int_equal(zk->vaddrs[0].prefix, 24);
	assert_string_equal(zk->vaddrs[0].interface, "");
	assert_int_equal(zk->vaddrs[0].pos.line, 12);
	assert_addr(&zk->vaddrs[1].addr, "198.51.100.1");
	assert_string_equal(zk->vaddrs[1].interface, "eth1");
	assert_addr(&zk->vaddrs[2].addr, "203.0.113.101");
	assert_int_equal(zk->vaddrs[2].prefix, 32);
	assert_int_equal(cfg.n_vrrps, 0);
	assert_int_equal(cfg.sync.enabled, 1);
	assert_addr(&cfg.sync.peer_addr, "192.0.2.3");
	assert_int_equal(cfg.sync.peer_port, 8849);
	xlb_cfg_free(&cfg);
	assert_null(cfg.zk);
}

/* Test that what the section leaves out takes its default: 4 s, the host's name. */
static void test_valid_zk_defaults(void **state)
{
	static const char yaml[] =
		IFACE ZK_NO_HOSTS
		"    hosts: 192.0.2.31:2181\n"; /* 9 */
	struct xlb_config cfg;

	(void)state;
	parse_ok(yaml, &cfg);
	assert_int_equal(cfg.failover_mode, XLB_FAILOVER_ZK);
	assert_int_equal(cfg.zk->session_timeout_ms, XLB_CFG_ZK_DEFAULT_SESSION_MS);
	assert_string_equal(cfg.zk->name, "");
	assert_int_equal(cfg.zk->n_vaddrs, 1);
	assert_int_equal(cfg.sync.enabled, 0);
	xlb_cfg_free(&cfg);
}

/* Test that the VRRP modes carry no zookeeper section. */
static void test_valid_vrrp_no_zk(void **state)
{
	struct xlb_config cfg;

	(void)state;
	parse_ok(IFACE VRRP, &cfg);
	assert_null(cfg.zk);
	xlb_cfg_free(&cfg);
}

static const struct bad_case zk_cases[] = {
	{ "zookeeper: mode zookeeper without the section",
	  IFACE FAILOVER
	  "  mode: zookeeper\n",
	  4, 3, "missing required key 'zookeeper' in failover (mode is zookeeper)" },
	{ "zookeeper: section with mode vrrp",
	  IFACE VRRP
	  "  zookeeper: {hosts: \"a:1\", path: /x, interface: eth0, virtual_addresses: [192.0.2.1]}\n",
	  9, 3, "zookeeper needs mode zookeeper (mode is vrrp)" },
	{ "zookeeper: section with mode none",
	  IFACE FAILOVER
	  "  mode: none\n"
	  "  zookeeper: {hosts: \"a:1\", path: /x, interface: eth0, virtual_addresses: [192.0.2.1]}\n",
	  5, 3, "zookeeper needs mode zookeeper (mode is none)" },
	{ "zookeeper: vrrp beside it",
	  IFACE ZK_NO_HOSTS
	  "    hosts: \"a:1\"\n"
	  "  vrrp: {interface: eth0, vrid: 1, virtual_addresses: [192.0.2.1]}\n",
	  10, 3, "vrrp does not apply to mode zookeeper" },
	{ "zookeeper: sync_groups beside it",
	  IFACE ZK_NO_HOSTS
	  "    hosts: \"a:1\"\n"
	  "  sync_groups: [{name: G, members: [A, B]}]\n",
	  10, 3, "sync_groups does not apply to mode zookeeper" },
	{ "zookeeper: hosts missing",
	  IFACE ZK_NO_HOSTS,
	  6, 5, "missing required key 'hosts' in zookeeper" },
	{ "zookeeper: host without port",
	  IFACE ZK_NO_HOSTS
	  "    hosts: \"192.0.2.31:2181,zk2\"\n",
	  9, 12, "zookeeper host 'zk2' has no :PORT" },
	{ "zookeeper: port out of range",
	  IFACE ZK_NO_HOSTS
	  "    hosts: zk1:65536\n",
	  9, 12, "zookeeper host 'zk1:65536' has a bad port (expected 1..65535)" },
	{ "zookeeper: empty host in the list",
	  IFACE ZK_NO_HOSTS
	  "    hosts: \"zk1:2181,,zk2:2181\"\n",
	  9, 12, "zookeeper host '' is empty" },
	{ "zookeeper: bare IPv6 host",
	  IFACE ZK_NO_HOSTS
	  "    hosts: \"2001:db8::3:2181\"\n",
	  9, 12, "zookeeper host '2001:db8::3:2181' is an IPv6 address: write it in brackets, "
	  "as [2001:db8::3]:2181" },
	{ "zookeeper: bad bracketed IPv6",
	  IFACE ZK_NO_HOSTS
	  "    hosts: \"[2001:db8::zz]:2181\"\n",
	  9, 12, "has a bad IPv6 address" },
	{ "zookeeper: chroot suffix",
	  IFACE ZK_NO_HOSTS
	  "    hosts: \"zk1:2181/xlb\"\n",
	  9, 12, "has a chroot suffix: give the znode as path instead" },
	{ "zookeeper: relative path",
	  IFACE ZK_HEAD
	  "    hosts: zk1:2181\n"
	  "    path: xlb/web\n"
	  "    interface: eth0\n"
	  "    virtual_addresses: [203.0.113.100]\n",
	  7, 11, "path 'xlb/web' is not an absolute znode path" },
	{ "zookeeper: path with a trailing slash",
	  IFACE ZK_HEAD
	  "    hosts: zk1:2181\n"
	  "    path: /xlb/web/\n"
	  "    interface: eth0\n"
	  "    virtual_addresses: [203.0.113.100]\n",
	  7, 11, "has an empty, '.' or '..' component" },
	{ "zookeeper: path with ..",
	  IFACE ZK_HEAD
	  "    hosts: zk1:2181\n"
	  "    path: /xlb/../web\n"
	  "    interface: eth0\n"
	  "    virtual_addresses: [203.0.113.100]\n",
	  7, 11, "has an empty, '.' or '..' component" },
	{ "zookeeper: path under /zookeeper",
	  IFACE ZK_HEAD
	  "    hosts: zk1:2181\n"
	  "    path: /zookeeper/xlb\n"
	  "    interface: eth0\n"
	  "    virtual_addresses: [203.0.113.100]\n",
	  7, 11, "is under /zookeeper, the servers' own" },
	{ "zookeeper: session_timeout too short",
	  IFACE ZK_NO_HOSTS
	  "    hosts: zk1:2181\n"
	  "    session_timeout: 500ms\n",
	  10, 22, "session_timeout" },
	{ "zookeeper: no virtual address",
	  IFACE ZK_HEAD
	  "    hosts: zk1:2181\n"
	  "    path: /xlb/web\n"
	  "    interface: eth0\n"
	  "    virtual_addresses: []\n",
	  9, 24, "'virtual_addresses' must list at least one address" },
	{ "zookeeper: virtual addresses mix families",
	  IFACE ZK_HEAD
	  "    hosts: zk1:2181\n"
	  "    path: /xlb/web\n"
	  "    interface: eth0\n"
	  "    virtual_addresses: [203.0.113.100, 2001:db8::100]\n",
	  9, 40, "virtual_addresses mix IPv4 and IPv6" },
	{ "zookeeper: virtual address on an unknown interface",
	  IFACE ZK_HEAD
	  "    hosts: zk1:2181\n"
	  "    path: /xlb/web\n"
	  "    interface: eth0\n"
	  "    virtual_addresses: [198.51.100.1/24 dev eth9]\n",
	  9, 25, "unknown interface 'eth9' (neither zookeeper's interface nor one of interfaces)" },
	{ "zookeeper: bad node name",
	  IFACE ZK_NO_HOSTS
	  "    hosts: zk1:2181\n"
	  "    name: \"lb a\"\n",
	  10, 11, "node name 'lb a' must be 1 to 63 of" },
	{ "zookeeper: unknown key",
	  IFACE ZK_NO_HOSTS
	  "    hosts: zk1:2181\n"
	  "    vrid: 51\n",
	  10, 5, "unknown key 'vrid' in zookeeper" },
};

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_zk_full),
		cmocka_unit_test(test_valid_zk_defaults),
		cmocka_unit_test(test_valid_vrrp_no_zk),
	};

	return run_config_tests("config_zk", tests, sizeof(tests) / sizeof(tests[0]), zk_cases,
				sizeof(zk_cases) / sizeof(zk_cases[0]));
}
