// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of the metrics schema (user/config/schema_metrics.c): metrics: {listen: ADDR:PORT} in
 * both families and on every address, the port required, and each mistake at its line:column.
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

/* After IFACE, no VIPs and a metrics mapping still taking keys: a case's lines start at 4. */
#define METRICS            \
	"vips: []\n" /* 2 */ \
	"metrics:\n" /* 3 */

/* Test that a config without metrics serves none. */
static void test_absent(void **state)
{
	struct xlb_config cfg;

	(void)state;
	parse_ok(IFACE "vips: []\n", &cfg);
	assert_false(cfg.metrics.enabled);
	xlb_cfg_free(&cfg);
}

/* Test the listen addresses a scraper may be given, with the position of the mapping. */
static void test_listen(void **state)
{
	static const struct {
		const char *yaml, *addr;
		uint16_t port;
	} cases[] = {
		{ "{listen: 127.0.0.1:9542}", "127.0.0.1", 9542 },
		{ "{listen: '[::1]:9542'}", "::1", 9542 },
		{ "{listen: '[2001:db8::7]:1'}", "2001:db8::7", 1 },
		{ "{listen: 192.0.2.1:65535}", "192.0.2.1", 65535 },
		{ "{listen: 0.0.0.0:9542}", "0.0.0.0", 9542 },
		{ "{listen: '[::]:9100'}", "::", 9100 },
	};
	struct xlb_config cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse_okf(&cfg, IFACE "vips: []\nmetrics: %s\n", cases[i].yaml);
		assert_true(cfg.metrics.enabled);
		assert_addr(&cfg.metrics.listen_addr, cases[i].addr);
		assert_int_equal(cfg.metrics.listen_port, cases[i].port);
		assert_int_equal(cfg.metrics.pos.line, 3);
		assert_int_equal(cfg.metrics.pos.col, 10);
		xlb_cfg_free(&cfg);
	}
}

/* Test that the shipped demo config serves metrics on the loopback. */
static void test_demo(void **state)
{
	struct xlb_config cfg;

	(void)state;
	parse_file_ok("configs/demo.yaml", &cfg);
	assert_true(cfg.metrics.enabled);
	assert_addr(&cfg.metrics.listen_addr, "127.0.0.1");
	assert_int_equal(cfg.metrics.listen_port, 9542);
	xlb_cfg_free(&cfg);
}

static const struct bad_case metrics_cases[] = {
	{ "metrics: listen missing",
	  IFACE METRICS
	  "  {}\n",
	  4, 3, "missing required key 'listen' in metrics" },
	{ "metrics: no port",
	  IFACE METRICS
	  "  listen: 127.0.0.1\n",
	  4, 11, "metrics listen '127.0.0.1' needs a port (like 127.0.0.1:9542)" },
	{ "metrics: IPv6 without a port",
	  IFACE METRICS
	  "  listen: '[::1]'\n",
	  4, 11, "metrics listen '[::1]' needs a port (like [::1]:9542)" },
	{ "metrics: IPv6 without brackets",
	  IFACE METRICS
	  "  listen: '::1:9542'\n",
	  4, 11, "write an IPv6 address in brackets" },
	{ "metrics: port 0",
	  IFACE METRICS
	  "  listen: 127.0.0.1:0\n",
	  4, 11, "metrics listen port 0 is out of range (1..65535)" },
	{ "metrics: port past 16 bits",
	  IFACE METRICS
	  "  listen: 127.0.0.1:65536\n",
	  4, 11, "metrics listen port 65536 is out of range" },
	{ "metrics: port not a number",
	  IFACE METRICS
	  "  listen: 127.0.0.1:http\n",
	  4, 11, "metrics listen port 'http' is not a decimal integer" },
	{ "metrics: a host name",
	  IFACE METRICS
	  "  listen: localhost:9542\n",
	  4, 11, "bad address 'localhost' in metrics listen" },
	{ "metrics: multicast",
	  IFACE METRICS
	  "  listen: 224.0.0.1:9542\n",
	  4, 11, "address 224.0.0.1 is multicast" },
	{ "metrics: brackets on IPv4",
	  IFACE METRICS
	  "  listen: '[127.0.0.1]:9542'\n",
	  4, 11, "brackets are for IPv6 addresses only" },
	{ "metrics: unknown key",
	  IFACE METRICS
	  "  listen: 127.0.0.1:9542\n"
	  "  path: /metrics\n",
	  5, 3, "unknown key 'path' in metrics (expected listen)" },
	{ "metrics: a scalar",
	  IFACE "vips: []\n"
	  "metrics: 127.0.0.1:9542\n",
	  3, 10, "metrics" },
};

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absent),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_demo),
	};

	return run_config_tests("config_metrics", tests, sizeof(tests) / sizeof(tests[0]),
				metrics_cases,
				sizeof(metrics_cases) / sizeof(metrics_cases[0]));
}
