// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of the connection table's keys (user/config/schema_conns.c): a VIP's
 * persistence_timeout (a duration, or keepalived's bare seconds; absent or 0 = off) and the
 * top-level timeouts with LVS's defaults, each mistake at its line:column.
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

/* Test that a config without the keys gets LVS's timeouts and no persistence. */
static void test_defaults(void **state)
{
	struct xlb_config cfg;

	(void)state;
	parse_ok(IFACE BACKENDS "      - address: 192.0.2.1\n", &cfg);
	assert_int_equal(cfg.vips[0].persistence_ms, 0);
	assert_int_equal(cfg.timeouts.tcp_ms, 900000);
	assert_int_equal(cfg.timeouts.tcp_fin_ms, 120000);
	assert_int_equal(cfg.timeouts.udp_ms, 300000);
	assert_int_equal(cfg.timeouts.tcp_syn_ms, 60000);
	xlb_cfg_free(&cfg);
}

/* Test persistence_timeout as a duration, as bare seconds, and 0 as off. */
static void test_persistence(void **state)
{
	static const struct {
		const char *val;
		uint32_t ms;
	} cases[] = {
		{ "600s", 600000 }, { "600", 600000 }, { "3s", 3000 }, { "1.5s", 1500 },
		{ "10m", 600000 },  { "0", 0 },	       { "0s", 0 },    { "2592000", 2592000000u },
	};
	struct xlb_config cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse_okf(&cfg, IFACE VIP80 "    persistence_timeout: %s\n"
					    "    backends: [{address: 192.0.2.1}]\n",
			  cases[i].val);
		assert_int_equal(cfg.vips[0].persistence_ms, cases[i].ms);
		xlb_cfg_free(&cfg);
	}
}

/* Test that every timeout is read, in any order, and the ones left out keep their default. */
static void test_timeouts(void **state)
{
	struct xlb_config cfg;

	(void)state;
	parse_ok(IFACE "vips: []\n"
		       "timeouts: {udp: 30s, tcp: 1m, tcp_syn: 5s, tcp_fin: 2s}\n",
		 &cfg);
	assert_int_equal(cfg.timeouts.tcp_ms, 60000);
	assert_int_equal(cfg.timeouts.tcp_fin_ms, 2000);
	assert_int_equal(cfg.timeouts.udp_ms, 30000);
	assert_int_equal(cfg.timeouts.tcp_syn_ms, 5000);
	xlb_cfg_free(&cfg);
	parse_ok(IFACE "vips: []\n"
		       "timeouts: {tcp_fin: 10s}\n",
		 &cfg);
	assert_int_equal(cfg.timeouts.tcp_ms, 900000);
	assert_int_equal(cfg.timeouts.tcp_fin_ms, 10000);
	xlb_cfg_free(&cfg);
}

static const struct bad_case conns_cases[] = {
	{ "persistence_timeout: not a duration",
	  IFACE VIP80
	  "    persistence_timeout: soon\n"
	  "    backends: []\n",
	  5, 26, "persistence_timeout 'soon' is not a duration" },
	{ "persistence_timeout: negative",
	  IFACE VIP80
	  "    persistence_timeout: -1\n"
	  "    backends: []\n",
	  5, 26, "is not a duration" },
	{ "persistence_timeout: bare seconds out of range",
	  IFACE VIP80
	  "    persistence_timeout: 2592001\n"
	  "    backends: []\n",
	  5, 26, "persistence_timeout 2592001 is out of range (0..2592000s)" },
	{ "persistence_timeout: duration out of range",
	  IFACE VIP80
	  "    persistence_timeout: 43201m\n"
	  "    backends: []\n",
	  5, 26, "persistence_timeout 43201m is out of range (0ms..43200m)" },
	{ "persistence_timeout: a mapping",
	  IFACE VIP80
	  "    persistence_timeout: {s: 1}\n"
	  "    backends: []\n",
	  5, 26, "persistence_timeout" },
	{ "timeouts: tcp zero",
	  IFACE "vips: []\n"
	  "timeouts:\n"
	  "  tcp: 0s\n",
	  4, 8, "tcp 0s is out of range (1s..43200m)" },
	{ "timeouts: tcp_fin without a unit",
	  IFACE "vips: []\n"
	  "timeouts: {tcp_fin: 120}\n",
	  3, 21, "duration '120' needs a unit" },
	{ "timeouts: udp too long",
	  IFACE "vips: []\n"
	  "timeouts:\n"
	  "  udp: 43201m\n",
	  4, 8, "udp 43201m is out of range" },
	{ "timeouts: tcp_syn under a second",
	  IFACE "vips: []\n"
	  "timeouts:\n"
	  "  tcp_syn: 500ms\n",
	  4, 12, "tcp_syn 500ms is out of range" },
	{ "timeouts: unknown key",
	  IFACE "vips: []\n"
	  "timeouts:\n"
	  "  tcp_synack: 5s\n",
	  4, 3, "unknown key 'tcp_synack' in timeouts (expected tcp, tcp_fin, udp, tcp_syn)" },
	{ "timeouts: a list",
	  IFACE "vips: []\n"
	  "timeouts: [900s]\n",
	  3, 11, "timeouts" },
};

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_persistence),
		cmocka_unit_test(test_timeouts),
	};

	return run_config_tests("config_conns", tests, sizeof(tests) / sizeof(tests[0]),
				conns_cases, sizeof(conns_cases) / sizeof(conns_cases[0]));
}
