// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of health checks in the config (user/config/schema_health.c): a VIP's health and each
 * backend's overrides merge key by key, durations read as written, and each mistake, in a value
 * or in how keys fit together after merging, is reported where it was written, once.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "config_test.h"

/* Test that every http key parses into the VIP's health, and a backend without one inherits it. */
static void test_valid_health_http(void **state)
{
	static const char yaml[] =
		IFACE
		"vips:\n"                          /* 2 */
		"  - name: web\n"                  /* 3 */
		"    address: 203.0.113.100\n"     /* 4 */
		"    port: 80\n"                   /* 5 */
		"    health:\n"                    /* 6 */
		"      type: HTTP\n"               /* 7 */
		"      port: 8080\n"               /* 8 */
		"      interval: 1.5s\n"           /* 9 */
		"      timeout: 500ms\n"           /* 10 */
		"      rise: 1\n"                  /* 11 */
		"      fall: 100\n"                /* 12 */
		"      path: /healthz?full=1\n"    /* 13 */
		"      expect_status: 204\n"       /* 14 */
		"      expect_body: \"ok: ready\"\n" /* 15 */
		"    backends:\n"                  /* 16 */
		"      - address: 192.0.2.11\n";   /* 17 */
	struct xlb_config cfg;
	const struct xlb_cfg_health *h;

	(void)state;
	parse_ok(yaml, &cfg);
	h = &cfg.vips[0].health;
	assert_int_equal(h->type, XLB_HC_HTTP);
	assert_int_equal(h->port, 8080);
	assert_int_equal(h->interval_ms, 1500);
	assert_int_equal(h->timeout_ms, 500);
	assert_int_equal(h->rise, 1);
	assert_int_equal(h->fall, 100);
	assert_string_equal(h->path, "/healthz?full=1");
	assert_int_equal(h->expect_status, 204);
	assert_string_equal(h->expect_body, "ok: ready");
	assert_string_equal(h->payload, "");
	assert_string_equal(h->expect, "");
	assert_string_equal(h->command, "");
	assert_int_equal(h->set, XLB_HC_SET_TYPE | XLB_HC_SET_PORT | XLB_HC_SET_INTERVAL |
					 XLB_HC_SET_TIMEOUT | XLB_HC_SET_RISE | XLB_HC_SET_FALL |
					 XLB_HC_SET_PATH | XLB_HC_SET_STATUS | XLB_HC_SET_BODY);
	/* A block mapping starts at its first key. */
	assert_int_equal(h->pos.line, 7);
	assert_int_equal(h->pos.col, 7);
	/* Byte for byte, as xlbd compares them across reloads. */
	assert_memory_equal(&cfg.vips[0].backends[0].health, h, sizeof(*h));
	xlb_cfg_free(&cfg);
}

/*
 * Test that a backend's health overrides its VIP's key by key, the VIP's health may come after
 * the backends, and keys that do not apply to the type a backend picks are not inherited.
 */
static void test_valid_health_merge(void **state)
{
	static const char yaml[] =
		IFACE
		"vips:\n"                                      /* 2 */
		"  - address: 203.0.113.100\n"                 /* 3 */
		"    port: 80\n"                               /* 4 */
		"    backends:\n"                              /* 5 */
		"      - address: 192.0.2.11\n"                /* 6 */
		"      - address: 192.0.2.12\n"                /* 7 */
		"        health:\n"                            /* 8 */
		"          path: /status\n"                    /* 9 */
		"          fall: 5\n"                          /* 10 */
		"      - address: 192.0.2.13\n"                /* 11 */
		"        health: {type: tcp, port: 22}\n"      /* 12 */
		"      - address: 192.0.2.14\n"                /* 13 */
		"        health: {type: exec, command: \"/usr/local/bin/check --fast\"}\n" /* 14 */
		"      - address: 192.0.2.15\n"                /* 15 */
		"        health: {type: none}\n"               /* 16 */
		"      - address: 192.0.2.16\n"                /* 17 */
		"        health: {}\n"                         /* 18 */
		"    health:\n"                                /* 19 */
		"      type: http\n"                           /* 20 */
		"      path: /healthz\n"                       /* 21 */
		"      interval: 5s\n"                         /* 22 */
		"      rise: 4\n"                              /* 23 */
		"      expect_body: ok\n";                     /* 24 */
	static const uint32_t vip_set = XLB_HC_SET_TYPE | XLB_HC_SET_PATH | XLB_HC_SET_INTERVAL |
					XLB_HC_SET_RISE | XLB_HC_SET_BODY;
	struct xlb_config cfg;
	const struct xlb_cfg_vip *v;
	const struct xlb_cfg_health *h;

	(void)state;
	parse_ok(yaml, &cfg);
	v = &cfg.vips[0];
	assert_int_equal(v->n_backends, 6);
	assert_int_equal(v->health.set, vip_set);
	assert_int_equal(v->health.pos.line, 20);

	/* No health of its own: the VIP's, exactly. */
	assert_memory_equal(&v->backends[0].health, &v->health, sizeof(v->health));

	/* Two keys overridden, the rest the VIP's. */
	h = &v->backends[1].health;
	assert_int_equal(h->type, XLB_HC_HTTP);
	assert_string_equal(h->path, "/status");
	assert_int_equal(h->fall, 5);
	assert_int_equal(h->rise, 4);
	assert_int_equal(h->interval_ms, 5000);
	assert_int_equal(h->timeout_ms, XLB_HC_DEFAULT_TIMEOUT_MS);
	assert_string_equal(h->expect_body, "ok");
	assert_int_equal(h->expect_status, 200);
	assert_int_equal(h->set, vip_set | XLB_HC_SET_FALL);
	assert_int_equal(h->pos.line, 9);
	assert_int_equal(h->pos.col, 11);

	/* tcp: the VIP's timing, not its path or body. */
	h = &v->backends[2].health;
	assert_int_equal(h->type, XLB_HC_TCP);
	assert_int_equal(h->port, 22);
	assert_int_equal(h->interval_ms, 5000);
	assert_int_equal(h->rise, 4);
	assert_string_equal(h->path, "/");
	assert_string_equal(h->expect_body, "");
	assert_int_equal(h->set, XLB_HC_SET_TYPE | XLB_HC_SET_PORT | XLB_HC_SET_INTERVAL |
					 XLB_HC_SET_RISE);
	assert_int_equal(h->pos.line, 12);
	assert_int_equal(h->pos.col, 17);

	h = &v->backends[3].health;
	assert_int_equal(h->type, XLB_HC_EXEC);
	assert_string_equal(h->command, "/usr/local/bin/check --fast");
	assert_int_equal(h->interval_ms, 5000);
	assert_string_equal(h->path, "/");
	assert_int_equal(h->set, XLB_HC_SET_TYPE | XLB_HC_SET_COMMAND | XLB_HC_SET_INTERVAL |
					 XLB_HC_SET_RISE);

	/* none keeps nothing of the VIP's. */
	h = &v->backends[4].health;
	assert_int_equal(h->type, XLB_HC_NONE);
	assert_int_equal(h->interval_ms, XLB_HC_DEFAULT_INTERVAL_MS);
	assert_int_equal(h->rise, XLB_HC_DEFAULT_RISE);
	assert_string_equal(h->path, "/");
	assert_string_equal(h->expect_body, "");
	assert_int_equal(h->set, XLB_HC_SET_TYPE);

	/* An empty mapping overrides nothing but its position. */
	h = &v->backends[5].health;
	assert_memory_equal(h, &v->health, offsetof(struct xlb_cfg_health, pos));
	assert_int_equal(h->pos.line, 18);
	xlb_cfg_free(&cfg);
}

/*
 * Test udp and exec checks, and the ways a port-0 VIP's checks get a port: a VIP-wide one, one
 * per backend, or none needed (exec, none). An exec VIP may leave the command to its backends.
 */
static void test_valid_health_udp_exec(void **state)
{
	static const char yaml[] =
		IFACE
		"vips:\n"                                      /* 2 */
		"  - address: 203.0.113.53\n"                  /* 3 */
		"    port: 53\n"                               /* 4 */
		"    protocol: udp\n"                          /* 5 */
		"    health:\n"                                /* 6 */
		"      type: udp\n"                            /* 7 */
		"      payload: \"ping\\n\"\n"                 /* 8 */
		"      expect: pong\n"                         /* 9 */
		"      timeout: 250ms\n"                       /* 10 */
		"      interval: 1m\n"                         /* 11 */
		"    backends: [{address: 192.0.2.53}]\n"      /* 12 */
		"  - address: 203.0.113.1\n"                   /* 13 */
		"    port: 0\n"                                /* 14 */
		"    health: {type: exec, command: '/usr/local/bin/check \"$XLB_BACKEND\"'}\n"
		"    backends: [{address: 192.0.2.1}]\n"       /* 16 */
		"  - address: 203.0.113.2\n"                   /* 17 */
		"    port: 0\n"                                /* 18 */
		"    health: {port: 443}\n"                    /* 19 */
		"    backends: [{address: 192.0.2.2}]\n"       /* 20 */
		"  - address: 203.0.113.3\n"                   /* 21 */
		"    port: 0\n"                                /* 22 */
		"    backends:\n"                              /* 23 */
		"      - {address: 192.0.2.3, health: {port: 22}}\n"
		"      - {address: 192.0.2.4, health: {type: none}}\n"
		"  - address: 203.0.113.4\n"                   /* 26 */
		"    port: 80\n"                               /* 27 */
		"    health: {type: exec, port: 8080}\n"       /* 28 */
		"    backends:\n"                              /* 29 */
		"      - {address: 192.0.2.5, health: {command: /bin/true}}\n";
	struct xlb_config cfg;
	const struct xlb_cfg_vip *v;
	const struct xlb_cfg_health *h;

	(void)state;
	parse_ok(yaml, &cfg);
	assert_int_equal(cfg.n_vips, 5);

	h = &cfg.vips[0].backends[0].health;
	assert_int_equal(h->type, XLB_HC_UDP);
	assert_string_equal(h->payload, "ping\n");
	assert_string_equal(h->expect, "pong");
	assert_int_equal(h->timeout_ms, 250);
	assert_int_equal(h->interval_ms, 60000);
	assert_int_equal(h->port, 0);

	h = &cfg.vips[1].backends[0].health;
	assert_int_equal(h->type, XLB_HC_EXEC);
	assert_string_equal(h->command, "/usr/local/bin/check \"$XLB_BACKEND\"");
	assert_int_equal(h->port, 0);

	assert_int_equal(cfg.vips[2].backends[0].health.type, XLB_HC_TCP);
	assert_int_equal(cfg.vips[2].backends[0].health.port, 443);

	/* No health mapping on a port-0 VIP: nothing to connect to, so no check by default. */
	v = &cfg.vips[3];
	assert_int_equal(v->health.type, XLB_HC_NONE);
	assert_int_equal(v->backends[0].health.type, XLB_HC_TCP);
	assert_int_equal(v->backends[0].health.port, 22);
	assert_int_equal(v->backends[1].health.type, XLB_HC_NONE);

	/* The VIP says exec and the port; the backend says what to run. */
	v = &cfg.vips[4];
	assert_int_equal(v->health.type, XLB_HC_EXEC);
	assert_string_equal(v->health.command, "");
	assert_string_equal(v->backends[0].health.command, "/bin/true");
	assert_int_equal(v->backends[0].health.port, 8080);
	xlb_cfg_free(&cfg);
}

/* Test that a UDP VIP without a health mapping is not tcp-checked (a connect proves nothing). */
static void test_valid_udp_unchecked(void **state)
{
	static const char yaml[] =
		IFACE
		"vips:\n"
		"  - address: 203.0.113.53\n"
		"    port: 53\n"
		"    protocol: udp\n"
		"    backends: [{address: 192.0.2.53}]\n";
	struct xlb_config cfg;

	(void)state;
	parse_ok(yaml, &cfg);
	assert_int_equal(cfg.vips[0].health.type, XLB_HC_NONE);
	assert_int_equal(cfg.vips[0].backends[0].health.type, XLB_HC_NONE);
	xlb_cfg_free(&cfg);
}

/* Test every way of writing a duration that is accepted, and what it comes to. */
static void test_valid_durations(void **state)
{
	static const struct {
		const char *in;
		uint32_t ms;
	} cases[] = {
		{ "10ms", 10 },       { "100ms", 100 },   { "2s", 2000 },       { "1m", 60000 },
		{ "60m", 3600000 },   { "3600s", 3600000 }, { "1.5s", 1500 },   { "0.25s", 250 },
		{ "1.001s", 1001 },   { "0.5m", 30000 },  { "0.001m", 60 },     { "\"2s\"", 2000 },
		{ "1.500000s", 1500 },
	};
	struct xlb_config cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse_okf(&cfg,
			  IFACE "vips: [{address: 203.0.113.1, port: 80, backends: [],\n"
				"        health: {interval: %s, timeout: 1ms}}]\n",
			  cases[i].in);
		if (cfg.vips[0].health.interval_ms != cases[i].ms)
			fail_msg("'%s': %u ms, want %u", cases[i].in,
				 cfg.vips[0].health.interval_ms, cases[i].ms);
		xlb_cfg_free(&cfg);
	}
}

/* Invalid configs: one mistake each, at an exact position. */

static const struct bad_case health_cases[] = {
	/* health: values */
	{ "health: duration without a unit",
	  IFACE VIP80
	  "    health:\n"
	  "      interval: 5\n"
	  "    backends: []\n",
	  6, 17, "duration '5' needs a unit (ms, s, m)" },
	{ "health: decimal duration without a unit",
	  IFACE VIP80
	  "    health:\n"
	  "      interval: 1.5\n"
	  "    backends: []\n",
	  6, 17, "duration '1.5' needs a unit (ms, s, m)" },
	{ "health: duration with a space",
	  IFACE VIP80
	  "    health:\n"
	  "      interval: 2 seconds\n"
	  "    backends: []\n",
	  6, 17, "interval '2 seconds' is not a duration" },
	{ "health: duration in hours",
	  IFACE VIP80
	  "    health:\n"
	  "      interval: 1h\n"
	  "    backends: []\n",
	  6, 17, "duration '1h' has an unknown unit 'h' (expected ms, s or m)" },
	{ "health: duration finer than 1ms",
	  IFACE VIP80
	  "    health:\n"
	  "      timeout: 1.0005s\n"
	  "    backends: []\n",
	  6, 16, "duration '1.0005s' is finer than 1ms" },
	{ "health: duration with a leading zero",
	  IFACE VIP80
	  "    health:\n"
	  "      interval: 05s\n"
	  "    backends: []\n",
	  6, 17, "interval '05s' is not a duration" },
	{ "health: negative duration",
	  IFACE VIP80
	  "    health:\n"
	  "      timeout: -1s\n"
	  "    backends: []\n",
	  6, 16, "timeout '-1s' is not a duration" },
	{ "health: interval too short",
	  IFACE VIP80
	  "    health:\n"
	  "      interval: 5ms\n"
	  "      timeout: 1ms\n"
	  "    backends: []\n",
	  6, 17, "interval 5ms is out of range (10ms..60m)" },
	{ "health: interval too long",
	  IFACE VIP80
	  "    health:\n"
	  "      interval: 61m\n"
	  "    backends: []\n",
	  6, 17, "interval 61m is out of range (10ms..60m)" },
	{ "health: rise 0",
	  IFACE VIP80
	  "    health:\n"
	  "      rise: 0\n"
	  "    backends: []\n",
	  6, 13, "rise 0 is out of range (1..100)" },
	{ "health: fall 101",
	  IFACE VIP80
	  "    health:\n"
	  "      fall: 101\n"
	  "    backends: []\n",
	  6, 13, "fall 101 is out of range (1..100)" },
	{ "health: bad type",
	  IFACE VIP80
	  "    health:\n"
	  "      type: icmp\n"
	  "    backends: []\n",
	  6, 13, "bad health check type 'icmp' (expected tcp, http, udp, exec or none)" },
	{ "health: port 0",
	  IFACE VIP80
	  "    health: {port: 0}\n"
	  "    backends: []\n",
	  5, 20, "port 0 is out of range (1..65535)" },
	{ "health: path without a leading '/'",
	  IFACE VIP80
	  "    health:\n"
	  "      type: http\n"
	  "      path: healthz\n"
	  "    backends: []\n",
	  7, 13, "path 'healthz' must start with '/'" },
	{ "health: path with a space",
	  IFACE VIP80
	  "    health:\n"
	  "      type: http\n"
	  "      path: \"/health z\"\n"
	  "    backends: []\n",
	  7, 13, "path '/health z' must be printable ASCII without spaces" },
	{ "health: path too long",
	  IFACE VIP80
	  "    health:\n"
	  "      type: http\n"
	  "      path: /" X256 "\n"
	  "    backends: []\n",
	  7, 13, "is longer than 255 characters" },
	{ "health: expect_status 700",
	  IFACE VIP80
	  "    health: {type: http, expect_status: 700}\n"
	  "    backends: []\n",
	  5, 41, "expect_status 700 is out of range (100..599)" },
	{ "health: empty command",
	  IFACE VIP80
	  "    health: {type: exec, command: ''}\n"
	  "    backends: []\n",
	  5, 35, "command must not be empty" },
	{ "health: command too long",
	  IFACE VIP80
	  "    health:\n"
	  "      type: exec\n"
	  "      command: " X256 X256 "\n"
	  "    backends: []\n",
	  7, 16, "is longer than 511 characters" },
	{ "health: unknown key",
	  IFACE VIP80
	  "    health:\n"
	  "      retries: 3\n"
	  "    backends: []\n",
	  6, 7, "unknown key 'retries' in health (expected type, port, interval" },
	{ "health: a list",
	  IFACE VIP80
	  "    health: [tcp]\n"
	  "    backends: []\n",
	  5, 13, "'health' must be a mapping, not a list" },

	/* health: how keys fit together, after merging */
	{ "health: timeout equal to interval, at the timeout",
	  IFACE VIP80
	  "    health:\n"
	  "      timeout: 2s\n"
	  "      interval: 2s\n"
	  "    backends: []\n",
	  6, 16, "timeout 2s must be less than interval 2s" },
	{ "health: interval below the default timeout, at the interval",
	  IFACE VIP80
	  "    health: {interval: 500ms}\n"
	  "    backends: []\n",
	  5, 24, "timeout 1s (the default) must be less than interval 500ms" },
	{ "health: a backend's interval below the VIP's timeout, at the backend's",
	  IFACE VIP80
	  "    health: {timeout: 1s}\n"
	  "    backends:\n"
	  "      - address: 192.0.2.1\n"
	  "        health: {interval: 800ms}\n",
	  8, 28, "timeout 1s must be less than interval 800ms" },
	{ "health: a rejected timeout is not compared with interval",
	  IFACE VIP80
	  "    health: {interval: 500ms, timeout: 5}\n"
	  "    backends: []\n",
	  5, 40, "duration '5' needs a unit" },
	{ "health: path on a tcp check, at the key",
	  IFACE VIP80
	  "    health:\n"
	  "      type: tcp\n"
	  "      path: /healthz\n"
	  "    backends: []\n",
	  7, 7, "path only applies to http checks, not tcp" },
	{ "health: path on the default check, reported once for every backend",
	  IFACE VIP80
	  "    health: {path: /healthz}\n"
	  "    backends:\n"
	  "      - address: 192.0.2.1\n"
	  "      - address: 192.0.2.2\n"
	  "      - address: 192.0.2.3\n",
	  5, 14, "path only applies to http checks, not tcp" },
	{ "health: a rejected path is not also out of place",
	  IFACE VIP80
	  "    health: {path: healthz, rise: 0}\n"
	  "    backends: []\n",
	  5, 20, "path 'healthz' must start with '/'", 2 },
	{ "health: expect on an http check",
	  IFACE VIP80
	  "    health: {type: http, expect: pong}\n"
	  "    backends: []\n",
	  5, 26, "expect only applies to udp checks, not http" },
	{ "health: a backend's key that its VIP's type does not take",
	  IFACE VIP80
	  "    health: {type: udp}\n"
	  "    backends:\n"
	  "      - address: 192.0.2.1\n"
	  "        health: {expect_status: 204}\n",
	  8, 18, "expect_status only applies to http checks, not udp" },
	{ "health: a backend's key that its own type does not take",
	  IFACE VIP80
	  "    health: {type: exec, command: /bin/check}\n"
	  "    backends:\n"
	  "      - address: 192.0.2.1\n"
	  "        health: {type: tcp, command: /bin/true}\n",
	  8, 29, "command only applies to exec checks, not tcp" },
	{ "health: interval with type none",
	  IFACE VIP80
	  "    health: {type: none, interval: 5s}\n"
	  "    backends: []\n",
	  5, 26, "interval does not apply to type none" },
	{ "health: exec without a command, once at the VIP's type",
	  IFACE VIP80
	  "    health: {type: exec}\n"
	  "    backends:\n"
	  "      - address: 192.0.2.1\n"
	  "      - address: 192.0.2.2\n",
	  5, 20, "exec check needs a command" },
	{ "health: exec without a command, at the backend's type",
	  IFACE BACKENDS
	  "      - address: 192.0.2.1\n"
	  "        health: {type: exec}\n",
	  7, 24, "exec check needs a command" },
	{ "health: port-0 VIP, tcp check without a port, at the type",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: 0\n"
	  "    health: {type: tcp}\n"
	  "    backends: [{address: 192.0.2.1}]\n",
	  5, 20, "tcp check needs a port: the VIP's port is 0 (every port)" },
	{ "health: port-0 VIP, http check of a backend without a port",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: 0\n"
	  "    backends:\n"
	  "      - address: 192.0.2.1\n"
	  "        health: {type: http, path: /}\n",
	  7, 24, "http check needs a port" },
	{ "health: port-0 VIP, default check without a port, at the mapping",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: 0\n"
	  "    health:\n"
	  "      rise: 3\n"
	  "    backends: [{address: 192.0.2.1}]\n",
	  6, 7, "tcp check (the default) needs a port" },

};

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_health_http),
		cmocka_unit_test(test_valid_health_merge),
		cmocka_unit_test(test_valid_health_udp_exec),
		cmocka_unit_test(test_valid_udp_unchecked),
		cmocka_unit_test(test_valid_durations),
	};

	return run_config_tests("config_health", tests, sizeof(tests) / sizeof(tests[0]), health_cases,
				sizeof(health_cases) / sizeof(health_cases[0]));
}
