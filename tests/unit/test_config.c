// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of the config parser (user/config/config.c): that valid configs come out with every field and
 * default as documented, and that each kind of mistake is reported at the exact line:column of
 * the offending key or value. YAML is written as C literals, one line per literal, so the line
 * numbers in the tables can be checked by eye. Run from the repo root (it reads configs/).
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

#include "config/config.h"

/* One interface on line 1, so a case's own lines start at 2. */
#define IFACE "interfaces: [{name: eth0}]\n"

/* After IFACE, a VIP on lines 2-4 still taking keys, so a case's own lines start at 5. */
#define VIP80                        \
	"vips:\n"                    \
	"  - address: 203.0.113.1\n" \
	"    port: 80\n"

/* Values longer than the fields they go to. */
#define X16 "xxxxxxxxxxxxxxxx"
#define X64 X16 X16 X16 X16
#define X256 X64 X64 X64 X64

/* After IFACE, no VIPs and a vrrp mapping that has its interface: a case's lines start at 7. */
#define VRRP_HEAD                         \
	"vips: []\n"            /* 2 */   \
	"failover:\n"           /* 3 */   \
	"  mode: vrrp\n"        /* 4 */   \
	"  vrrp:\n"             /* 5 */   \
	"    interface: eth0\n" /* 6 */

/* ... and the rest a vrrp mapping needs: a case's lines start at 9. */
#define VRRP                                               \
	VRRP_HEAD                                          \
	"    vrid: 51\n"                             /* 7 */ \
	"    virtual_addresses: [203.0.113.100/24]\n" /* 8 */

/* ... and a sync mapping still taking keys: a case's lines start at 10. */
#define SYNC VRRP "  sync:\n" /* 9 */

static int parse(const char *yaml, struct xlb_config *cfg, struct xlb_cfg_errors *errs)
{
	return xlb_cfg_parse_string("test.yaml", yaml, strlen(yaml), cfg, errs);
}

static void dump_errors(const struct xlb_cfg_errors *errs)
{
	xlb_cfg_errors_print(errs, "test.yaml", stderr);
}

/* Parse a config that must be valid; on failure show why. */
static void parse_ok(const char *yaml, struct xlb_config *cfg)
{
	struct xlb_cfg_errors errs;
	int err;

	err = parse(yaml, cfg, &errs);
	if (err) {
		dump_errors(&errs);
		xlb_cfg_errors_free(&errs);
		fail_msg("valid config rejected: %d", err);
	}
	assert_int_equal(errs.n, 0);
}

static uint32_t v4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static void assert_addr(const struct xlb_addr *a, const char *want)
{
	char buf[INET6_ADDRSTRLEN];

	assert_string_equal(xlb_addr_str(a, buf, sizeof(buf)), want);
}

/* A check nobody configured: tcp on the VIP's port, every setting its default. */
static void assert_health_defaults(const struct xlb_cfg_health *h)
{
	assert_int_equal(h->type, XLB_HC_TCP);
	assert_int_equal(h->port, 0);
	assert_int_equal(h->interval_ms, XLB_HC_DEFAULT_INTERVAL_MS);
	assert_int_equal(h->timeout_ms, XLB_HC_DEFAULT_TIMEOUT_MS);
	assert_int_equal(h->rise, XLB_HC_DEFAULT_RISE);
	assert_int_equal(h->fall, XLB_HC_DEFAULT_FALL);
	assert_string_equal(h->path, "/");
	assert_int_equal(h->expect_status, 200);
	assert_string_equal(h->expect_body, "");
	assert_string_equal(h->payload, "");
	assert_string_equal(h->expect, "");
	assert_string_equal(h->command, "");
	assert_int_equal(h->set, 0);
	assert_int_equal(h->pos.line, 0);
	assert_int_equal(h->pos.col, 0);
}

/* Valid configs. */

/* Test that a config setting every key comes out with every field as written. */
static void test_valid_full(void **state)
{
	static const char yaml[] =
		"interfaces:\n"                 /* 1 */
		"  - name: eth0\n"              /* 2 */
		"    xdp_mode: native\n"        /* 3 */
		"  - name: eth1\n"              /* 4 */
		"    xdp_mode: generic\n"       /* 5 */
		"  - name: veth-xlb.1\n"        /* 6 */
		"maglev:\n"                     /* 7 */
		"  table_size: 251\n"           /* 8 */
		"vips:\n"                       /* 9 */
		"  - name: dns\n"               /* 10 */
		"    address: 198.51.100.53\n"  /* 11 */
		"    port: 53\n"                /* 12 */
		"    protocol: udp\n"           /* 13 */
		"    scheduler: maglev\n"       /* 14 */
		"    forwarding: dr\n"          /* 15 */
		"    backends:\n"               /* 16 */
		"      - address: 192.0.2.21\n" /* 17 */
		"        weight: 0\n"           /* 18 */
		"      - address: 192.0.2.22\n" /* 19 */
		"        weight: 65535\n"       /* 20 */
		"      - weight: 7\n"           /* 21 */
		"        address: 192.0.2.23\n" /* 22 */
		"  - name: web\n"               /* 23 */
		"    address: 198.51.100.80\n"  /* 24 */
		"    port: 80\n"                /* 25 */
		"    protocol: tcp\n"           /* 26 */
		"    backends:\n"               /* 27 */
		"      - address: 192.0.2.31\n" /* 28 */
		"        weight: 1\n";          /* 29 */
	struct xlb_config cfg;
	const struct xlb_cfg_vip *v;

	(void)state;
	parse_ok(yaml, &cfg);
	assert_string_equal(cfg.path, "test.yaml");

	assert_int_equal(cfg.n_ifaces, 3);
	assert_string_equal(cfg.ifaces[0].name, "eth0");
	assert_int_equal(cfg.ifaces[0].xdp_mode, XLB_XDP_NATIVE);
	assert_int_equal(cfg.ifaces[0].pos.line, 2);
	assert_int_equal(cfg.ifaces[0].pos.col, 5);
	assert_string_equal(cfg.ifaces[1].name, "eth1");
	assert_int_equal(cfg.ifaces[1].xdp_mode, XLB_XDP_GENERIC);
	assert_string_equal(cfg.ifaces[2].name, "veth-xlb.1");
	assert_int_equal(cfg.ifaces[2].xdp_mode, XLB_XDP_AUTO);
	assert_int_equal(cfg.ifaces[2].pos.line, 6);

	assert_int_equal(cfg.maglev_size, 251);

	assert_int_equal(cfg.n_vips, 2);
	v = &cfg.vips[0];
	assert_string_equal(v->name, "dns");
	assert_int_equal(v->addr.family, XLB_FAMILY_V4);
	assert_int_equal(v->addr.w[0], v4("198.51.100.53"));
	assert_int_equal(v->addr.w[1] | v->addr.w[2] | v->addr.w[3], 0);
	assert_int_equal(v->port, 53);
	assert_int_equal(v->proto, IPPROTO_UDP);
	assert_int_equal(v->sched, XLB_SCHED_MAGLEV);
	assert_int_equal(v->fwd, XLB_FWD_DR);
	assert_int_equal(v->pos.line, 10);
	assert_int_equal(v->pos.col, 5);
	assert_int_equal(v->n_backends, 3);
	assert_addr(&v->backends[0].addr, "192.0.2.21");
	assert_int_equal(v->backends[0].addr.family, XLB_FAMILY_V4);
	assert_int_equal(v->backends[0].weight, 0);
	assert_int_equal(v->backends[0].pos.line, 17);
	assert_int_equal(v->backends[0].pos.col, 9);
	assert_addr(&v->backends[1].addr, "192.0.2.22");
	assert_int_equal(v->backends[1].weight, 65535);
	assert_addr(&v->backends[2].addr, "192.0.2.23");
	assert_int_equal(v->backends[2].weight, 7);
	assert_int_equal(v->backends[2].pos.line, 21);

	v = &cfg.vips[1];
	assert_string_equal(v->name, "web");
	assert_addr(&v->addr, "198.51.100.80");
	assert_int_equal(v->port, 80);
	assert_int_equal(v->proto, IPPROTO_TCP);
	assert_int_equal(v->pos.line, 23);
	assert_int_equal(v->n_backends, 1);
	assert_addr(&v->backends[0].addr, "192.0.2.31");
	assert_int_equal(v->backends[0].weight, 1);

	xlb_cfg_free(&cfg);
	assert_null(cfg.vips);
}

/* Test that every optional key left out gets its documented default. */
static void test_valid_defaults(void **state)
{
	static const char yaml[] =
		IFACE
		"vips:\n"
		"  - address: 203.0.113.1\n"
		"    port: 80\n"
		"    backends:\n"
		"      - address: 192.0.2.1\n";
	struct xlb_config cfg;
	const struct xlb_cfg_vip *v;

	(void)state;
	parse_ok(yaml, &cfg);
	assert_int_equal(cfg.n_ifaces, 1);
	assert_int_equal(cfg.ifaces[0].xdp_mode, XLB_XDP_AUTO);
	assert_int_equal(cfg.maglev_size, XLB_MAGLEV_DEFAULT_SIZE);
	v = &cfg.vips[0];
	assert_string_equal(v->name, "203.0.113.1:80/tcp");
	assert_int_equal(v->proto, IPPROTO_TCP);
	assert_int_equal(v->sched, XLB_SCHED_MAGLEV);
	assert_int_equal(v->fwd, XLB_FWD_DR);
	assert_int_equal(v->n_backends, 1);
	assert_int_equal(v->backends[0].weight, 100);
	assert_int_equal(v->fallback.family, XLB_FAMILY_NONE);
	assert_health_defaults(&v->health);
	assert_health_defaults(&v->backends[0].health);
	assert_string_equal(cfg.notify, "");
	assert_string_equal(cfg.control_socket, XLB_CONTROL_SOCKET);
	xlb_cfg_free(&cfg);
}

/* Test that an IPv6 VIP and its backends parse, and its default name brackets the address. */
static void test_valid_ipv6(void **state)
{
	static const char yaml[] =
		IFACE
		"vips:\n"
		"  - address: 2001:db8::100\n"
		"    port: 443\n"
		"    protocol: udp\n"
		"    backends:\n"
		"      - address: 2001:db8::11\n"
		"      - address: 2001:DB8:0:0::12\n"
		"        weight: 50\n";
	struct xlb_config cfg;
	const struct xlb_cfg_vip *v;

	(void)state;
	parse_ok(yaml, &cfg);
	v = &cfg.vips[0];
	assert_int_equal(v->addr.family, XLB_FAMILY_V6);
	assert_int_equal(v->addr.w[0], htonl(0x20010db8));
	assert_int_equal(v->addr.w[1], 0);
	assert_int_equal(v->addr.w[2], 0);
	assert_int_equal(v->addr.w[3], htonl(0x100));
	assert_string_equal(v->name, "[2001:db8::100]:443/udp");
	assert_int_equal(v->n_backends, 2);
	assert_int_equal(v->backends[0].addr.family, XLB_FAMILY_V6);
	assert_addr(&v->backends[0].addr, "2001:db8::11");
	assert_addr(&v->backends[1].addr, "2001:db8::12");
	assert_int_equal(v->backends[1].weight, 50);
	xlb_cfg_free(&cfg);
}

/* Test that port 0 (every port) and an empty backends list are accepted. */
static void test_valid_port0_no_backends(void **state)
{
	static const char yaml[] =
		IFACE
		"vips:\n"
		"  - address: 203.0.113.1\n"
		"    port: 0\n"
		"    backends: []\n";
	struct xlb_config cfg;

	(void)state;
	parse_ok(yaml, &cfg);
	assert_int_equal(cfg.n_vips, 1);
	assert_int_equal(cfg.vips[0].port, 0);
	assert_string_equal(cfg.vips[0].name, "203.0.113.1:0/tcp");
	assert_int_equal(cfg.vips[0].n_backends, 0);
	assert_null(cfg.vips[0].backends);
	xlb_cfg_free(&cfg);
}

/* Test that an empty vips list is a valid (idle) config. */
static void test_valid_no_vips(void **state)
{
	struct xlb_config cfg;

	(void)state;
	parse_ok(IFACE "vips: []\n", &cfg);
	assert_int_equal(cfg.n_vips, 0);
	xlb_cfg_free(&cfg);
}

/* Test that keepalived's spellings (lb_algo mh, lb_kind DR, protocol TCP) mean the same. */
static void test_valid_keepalived_names(void **state)
{
	static const char yaml[] =
		IFACE
		"vips:\n"
		"  - address: 203.0.113.1\n"
		"    port: 80\n"
		"    protocol: UDP\n"
		"    scheduler: mh\n"
		"    forwarding: DR\n"
		"    backends: []\n";
	struct xlb_config cfg;

	(void)state;
	parse_ok(yaml, &cfg);
	assert_int_equal(cfg.vips[0].proto, IPPROTO_UDP);
	assert_int_equal(cfg.vips[0].sched, XLB_SCHED_MAGLEV);
	assert_int_equal(cfg.vips[0].fwd, XLB_FWD_DR);
	xlb_cfg_free(&cfg);
}

/* Test that VIPs sharing an address but not {port, protocol} are distinct. */
static void test_valid_same_address(void **state)
{
	static const char yaml[] =
		IFACE
		"vips:\n"
		"  - {address: 203.0.113.1, port: 80, backends: []}\n"
		"  - {address: 203.0.113.1, port: 80, protocol: udp, backends: []}\n"
		"  - {address: 203.0.113.1, port: 443, backends: []}\n"
		"  - {address: 203.0.113.1, port: 0, backends: []}\n";
	struct xlb_config cfg;

	(void)state;
	parse_ok(yaml, &cfg);
	assert_int_equal(cfg.n_vips, 4);
	assert_string_equal(cfg.vips[1].name, "203.0.113.1:80/udp");
	xlb_cfg_free(&cfg);
}

/* Test that key order does not matter: backends before the VIP address they are checked against. */
static void test_valid_key_order(void **state)
{
	static const char yaml[] =
		IFACE
		"vips:\n"
		"  - backends:\n"
		"      - weight: 3\n"
		"        address: 2001:db8::11\n"
		"    port: 80\n"
		"    address: 2001:db8::100\n";
	struct xlb_config cfg;

	(void)state;
	parse_ok(yaml, &cfg);
	assert_int_equal(cfg.vips[0].backends[0].weight, 3);
	xlb_cfg_free(&cfg);
}

/* Test the bounds of every ranged integer and duration. */
static void test_valid_bounds(void **state)
{
	static const char lo[] =
		IFACE
		"maglev: {table_size: 3}\n"
		"vips: [{address: 203.0.113.1, port: 65535,\n"
		"        health: {port: 1, interval: 10ms, timeout: 1ms, rise: 1, fall: 1,\n"
		"                 type: http, expect_status: 100},\n"
		"        backends: [{address: 192.0.2.1, weight: 0}]}]\n";
	/* A port-0 VIP's checks need a port of their own. */
	static const char hi[] =
		IFACE
		"maglev: {table_size: 1048573}\n"
		"vips: [{address: 203.0.113.1, port: 0,\n"
		"        health: {port: 65535, interval: 60m, timeout: 3599999ms, rise: 100,\n"
		"                 fall: 100, type: http, expect_status: 599},\n"
		"        backends: [{address: 192.0.2.1, weight: 65535}]}]\n";
	const struct xlb_cfg_health *h;
	struct xlb_config cfg;

	(void)state;
	parse_ok(lo, &cfg);
	assert_int_equal(cfg.maglev_size, XLB_MAGLEV_MIN_SIZE);
	assert_int_equal(cfg.vips[0].port, 65535);
	assert_int_equal(cfg.vips[0].backends[0].weight, 0);
	h = &cfg.vips[0].backends[0].health;
	assert_int_equal(h->port, 1);
	assert_int_equal(h->interval_ms, 10);
	assert_int_equal(h->timeout_ms, 1);
	assert_int_equal(h->rise, 1);
	assert_int_equal(h->fall, 1);
	assert_int_equal(h->expect_status, 100);
	xlb_cfg_free(&cfg);
	parse_ok(hi, &cfg);
	assert_int_equal(cfg.maglev_size, XLB_MAGLEV_MAX_SIZE);
	assert_int_equal(cfg.vips[0].backends[0].weight, XLB_WEIGHT_MAX);
	h = &cfg.vips[0].backends[0].health;
	assert_int_equal(h->port, 65535);
	assert_int_equal(h->interval_ms, 3600000);
	assert_int_equal(h->timeout_ms, 3599999);
	assert_int_equal(h->rise, 100);
	assert_int_equal(h->fall, 100);
	assert_int_equal(h->expect_status, 599);
	xlb_cfg_free(&cfg);
}

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
	char yaml[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(yaml, sizeof(yaml),
			 IFACE "vips: [{address: 203.0.113.1, port: 80, backends: [],\n"
			       "        health: {interval: %s, timeout: 1ms}}]\n",
			 cases[i].in);
		parse_ok(yaml, &cfg);
		if (cfg.vips[0].health.interval_ms != cases[i].ms)
			fail_msg("'%s': %u ms, want %u", cases[i].in,
				 cfg.vips[0].health.interval_ms, cases[i].ms);
		xlb_cfg_free(&cfg);
	}
}

/* Test that a fallback parses in either family, wherever it sits among the VIP's keys. */
static void test_valid_fallback(void **state)
{
	static const char yaml[] =
		IFACE
		"vips:\n"
		"  - fallback: 192.0.2.50\n"
		"    address: 203.0.113.100\n"
		"    port: 80\n"
		"    backends: [{address: 192.0.2.11}]\n"
		"  - address: 2001:db8::100\n"
		"    port: 443\n"
		"    backends: [{address: 2001:db8::11}]\n"
		"    fallback: 2001:db8::50\n";
	struct xlb_config cfg;

	(void)state;
	parse_ok(yaml, &cfg);
	assert_int_equal(cfg.vips[0].fallback.family, XLB_FAMILY_V4);
	assert_addr(&cfg.vips[0].fallback, "192.0.2.50");
	assert_int_equal(cfg.vips[1].fallback.family, XLB_FAMILY_V6);
	assert_addr(&cfg.vips[1].fallback, "2001:db8::50");
	/* A fallback is not a backend. */
	assert_int_equal(cfg.vips[0].n_backends, 1);
	xlb_cfg_free(&cfg);
}

/* Test the top-level notify and control socket; an empty control keeps the default socket. */
static void test_valid_notify_control(void **state)
{
	static const char yaml[] =
		IFACE
		"vips: []\n"
		"notify: \"/usr/local/bin/xlb-notify --syslog\"\n"
		"control:\n"
		"  socket: /var/run/xlbd.sock\n";
	struct xlb_config cfg;

	(void)state;
	parse_ok(yaml, &cfg);
	assert_string_equal(cfg.notify, "/usr/local/bin/xlb-notify --syslog");
	assert_string_equal(cfg.control_socket, "/var/run/xlbd.sock");
	xlb_cfg_free(&cfg);

	parse_ok(IFACE "vips: []\ncontrol: {}\n", &cfg);
	assert_string_equal(cfg.control_socket, XLB_CONTROL_SOCKET);
	assert_string_equal(cfg.notify, "");
	xlb_cfg_free(&cfg);
}

/* Test that a vrrp + sync config setting every key comes out as written, positions included. */
static void test_valid_failover_full(void **state)
{
	static const char yaml[] =
		IFACE
		"vips:\n"                                        /* 2 */
		"  - name: web\n"                                /* 3 */
		"    address: 203.0.113.100\n"                   /* 4 */
		"    port: 80\n"                                 /* 5 */
		"    backends: [{address: 192.0.2.11}]\n"        /* 6 */
		"failover:\n"                                    /* 7 */
		"  mode: VRRP\n"                                 /* 8 */
		"  vrrp:\n"                                      /* 9 */
		"    interface: eth0\n"                          /* 10 */
		"    vrid: 51\n"                                 /* 11 */
		"    priority: 150\n"                            /* 12 */
		"    advert_interval: 100ms\n"                   /* 13 */
		"    preempt: False\n"                           /* 14 */
		"    preempt_delay: 1.5s\n"                      /* 15 */
		"    unicast_peers: [192.0.2.3, 192.0.2.4]\n"    /* 16 */
		"    virtual_addresses:\n"                       /* 17 */
		"      - 203.0.113.100/24\n"                     /* 18 */
		"      - 203.0.113.101\n"                        /* 19 */
		"    garp_repeat: 3\n"                           /* 20 */
		"    garp_delay: 0s\n"                           /* 21 */
		"    garp_refresh: 1m\n"                         /* 22 */
		"    notify: \"/usr/local/bin/on-vrrp-change\"\n" /* 23 */
		"    track:\n"                                   /* 24 */
		"      - interface: eth1\n"                      /* 25 */
		"        weight: 50\n"                           /* 26 */
		"      - {vip: web, weight: 60}\n"               /* 27 */
		"  sync:\n"                                      /* 28 */
		"    listen: 192.0.2.2:8849\n"                   /* 29 */
		"    peer: 192.0.2.3:9000\n"                     /* 30 */
		"    key_file: /etc/xlb/sync.key\n";             /* 31 */
	const struct xlb_cfg_vrrp *r;
	const struct xlb_cfg_sync *s;
	struct xlb_config cfg;

	(void)state;
	parse_ok(yaml, &cfg);
	assert_int_equal(cfg.failover_mode, XLB_FAILOVER_VRRP);
	r = &cfg.vrrp;
	assert_int_equal(r->pos.line, 10);
	assert_int_equal(r->pos.col, 5);
	assert_string_equal(r->interface, "eth0");
	assert_int_equal(r->vrid, 51);
	assert_int_equal(r->priority, 150);
	assert_int_equal(r->advert_cs, 10);
	assert_int_equal(r->preempt, 0);
	assert_int_equal(r->preempt_delay_ms, 1500);
	assert_int_equal(r->n_unicast_peers, 2);
	assert_addr(&r->unicast_peers[0], "192.0.2.3");
	assert_addr(&r->unicast_peers[1], "192.0.2.4");
	assert_int_equal(r->n_vaddrs, 2);
	assert_addr(&r->vaddrs[0].addr, "203.0.113.100");
	assert_int_equal(r->vaddrs[0].addr.family, XLB_FAMILY_V4);
	assert_int_equal(r->vaddrs[0].prefix, 24);
	assert_int_equal(r->vaddrs[0].pos.line, 18);
	assert_int_equal(r->vaddrs[0].pos.col, 9);
	assert_addr(&r->vaddrs[1].addr, "203.0.113.101");
	assert_int_equal(r->vaddrs[1].prefix, 32);
	assert_int_equal(r->vaddrs[1].pos.line, 19);
	assert_int_equal(r->garp_repeat, 3);
	assert_int_equal(r->garp_delay_ms, 0);
	assert_int_equal(r->garp_refresh_ms, 60000);
	assert_string_equal(r->notify, "/usr/local/bin/on-vrrp-change");
	assert_int_equal(r->n_tracks, 2);
	assert_string_equal(r->tracks[0].name, "eth1");
	assert_int_equal(r->tracks[0].is_vip, 0);
	assert_int_equal(r->tracks[0].weight, 50);
	assert_int_equal(r->tracks[0].pos.line, 25);
	assert_int_equal(r->tracks[0].pos.col, 9);
	assert_string_equal(r->tracks[1].name, "web");
	assert_int_equal(r->tracks[1].is_vip, 1);
	assert_int_equal(r->tracks[1].weight, 60);
	assert_int_equal(r->tracks[1].pos.line, 27);
	assert_int_equal(r->tracks[1].pos.col, 9);

	s = &cfg.sync;
	assert_int_equal(s->enabled, 1);
	assert_int_equal(s->pos.line, 29);
	assert_int_equal(s->pos.col, 5);
	assert_addr(&s->listen_addr, "192.0.2.2");
	assert_int_equal(s->listen_port, 8849);
	assert_addr(&s->peer_addr, "192.0.2.3");
	assert_int_equal(s->peer_port, 9000);
	assert_string_equal(s->key_file, "/etc/xlb/sync.key");
	/* The top-level notify is the backends' and stays apart. */
	assert_string_equal(cfg.notify, "");
	xlb_cfg_free(&cfg);
	assert_null(cfg.vrrp.vaddrs);
}

/* The vrrp defaults, as every config carries them whether or not it has a vrrp mapping. */
static void assert_vrrp_defaults(const struct xlb_config *cfg)
{
	const struct xlb_cfg_vrrp *r = &cfg->vrrp;

	assert_int_equal(r->priority, 100);
	assert_int_equal(r->advert_cs, 100);
	assert_int_equal(r->preempt, 1);
	assert_int_equal(r->preempt_delay_ms, 0);
	assert_int_equal(r->n_unicast_peers, 0);
	assert_null(r->unicast_peers);
	assert_int_equal(r->garp_repeat, 5);
	assert_int_equal(r->garp_delay_ms, 5000);
	assert_int_equal(r->garp_refresh_ms, 0);
	assert_int_equal(r->n_tracks, 0);
	assert_null(r->tracks);
	assert_string_equal(r->notify, "");
	assert_int_equal(cfg->sync.enabled, 0);
	assert_int_equal(cfg->sync.listen_port, 8849);
	assert_int_equal(cfg->sync.peer_port, 8849);
	assert_int_equal(cfg->sync.listen_addr.family, XLB_FAMILY_NONE);
	assert_string_equal(cfg->sync.key_file, "");
}

/* Test the failover defaults: none without a failover mapping or with mode none; vrrp's own. */
static void test_valid_failover_defaults(void **state)
{
	static const char vrrp[] =
		IFACE
		"vips: []\n"
		"failover:\n"
		"  mode: vrrp\n"
		"  vrrp: {interface: eth0, vrid: 1, virtual_addresses: [192.0.2.100]}\n";
	struct xlb_config cfg;

	(void)state;
	parse_ok(IFACE "vips: []\n", &cfg);
	assert_int_equal(cfg.failover_mode, XLB_FAILOVER_NONE);
	assert_int_equal(cfg.vrrp.n_vaddrs, 0);
	assert_int_equal(cfg.vrrp.vrid, 0);
	assert_int_equal(cfg.vrrp.pos.line, 0);
	assert_vrrp_defaults(&cfg);
	xlb_cfg_free(&cfg);

	parse_ok(IFACE "vips: []\nfailover: {mode: none}\n", &cfg);
	assert_int_equal(cfg.failover_mode, XLB_FAILOVER_NONE);
	assert_vrrp_defaults(&cfg);
	xlb_cfg_free(&cfg);

	parse_ok(vrrp, &cfg);
	assert_int_equal(cfg.failover_mode, XLB_FAILOVER_VRRP);
	assert_string_equal(cfg.vrrp.interface, "eth0");
	assert_int_equal(cfg.vrrp.vrid, 1);
	assert_int_equal(cfg.vrrp.pos.line, 5);
	assert_int_equal(cfg.vrrp.pos.col, 9);
	assert_int_equal(cfg.vrrp.n_vaddrs, 1);
	assert_addr(&cfg.vrrp.vaddrs[0].addr, "192.0.2.100");
	assert_int_equal(cfg.vrrp.vaddrs[0].prefix, 32);
	assert_vrrp_defaults(&cfg);
	xlb_cfg_free(&cfg);
}

/* Test preempt and keepalived's nopreempt, in any case, each meaning the other's opposite. */
static void test_valid_failover_preempt(void **state)
{
	static const struct {
		const char *line;
		uint8_t preempt;
	} cases[] = {
		{ "preempt: true", 1 },   { "preempt: TRUE", 1 },    { "preempt: false", 0 },
		{ "nopreempt: true", 0 }, { "nopreempt: True", 0 }, { "nopreempt: false", 1 },
	};
	struct xlb_config cfg;
	char yaml[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(yaml, sizeof(yaml),
			 IFACE "vips: []\nfailover:\n  mode: vrrp\n  vrrp:\n"
			       "    {interface: eth0, vrid: 1, virtual_addresses: [192.0.2.1],\n"
			       "     %s}\n",
			 cases[i].line);
		parse_ok(yaml, &cfg);
		if (cfg.vrrp.preempt != cases[i].preempt)
			fail_msg("%s: preempt %u", cases[i].line, cfg.vrrp.preempt);
		xlb_cfg_free(&cfg);
	}
}

/* Test IPv6 virtual addresses with and without a prefix, IPv6 peers, and sync over IPv6. */
static void test_valid_failover_ipv6(void **state)
{
	static const char yaml[] =
		IFACE
		"vips: []\n"
		"failover:\n"
		"  mode: vrrp\n"
		"  vrrp:\n"
		"    interface: bond0.100\n"
		"    vrid: 7\n"
		"    unicast_peers: [\"fe80::3\"]\n"
		"    virtual_addresses: [\"2001:db8:100::100/64\", 2001:db8:100::101]\n"
		"  sync:\n"
		"    listen: \"[2001:db8::2]:8850\"\n"
		"    peer: \"[2001:DB8::3]\"\n"
		"    key_file: /k\n";
	const struct xlb_cfg_vrrp *r;
	struct xlb_config cfg;

	(void)state;
	parse_ok(yaml, &cfg);
	r = &cfg.vrrp;
	assert_string_equal(r->interface, "bond0.100");
	assert_int_equal(r->n_vaddrs, 2);
	assert_int_equal(r->vaddrs[0].addr.family, XLB_FAMILY_V6);
	assert_addr(&r->vaddrs[0].addr, "2001:db8:100::100");
	assert_int_equal(r->vaddrs[0].prefix, 64);
	assert_addr(&r->vaddrs[1].addr, "2001:db8:100::101");
	assert_int_equal(r->vaddrs[1].prefix, 128);
	assert_int_equal(r->n_unicast_peers, 1);
	assert_addr(&r->unicast_peers[0], "fe80::3");
	assert_int_equal(cfg.sync.listen_addr.family, XLB_FAMILY_V6);
	assert_addr(&cfg.sync.listen_addr, "2001:db8::2");
	assert_int_equal(cfg.sync.listen_port, 8850);
	assert_addr(&cfg.sync.peer_addr, "2001:db8::3");
	assert_int_equal(cfg.sync.peer_port, 8849);
	assert_string_equal(cfg.sync.key_file, "/k");
	xlb_cfg_free(&cfg);
}

/* Test the bounds of every ranged vrrp key, and the centisecond conversion. */
static void test_valid_failover_bounds(void **state)
{
	static const char lo[] =
		IFACE
		"vips: []\n"
		"failover:\n"
		"  mode: vrrp\n"
		"  vrrp: {interface: eth0, vrid: 1, priority: 1, advert_interval: 10ms,\n"
		"         preempt_delay: 0ms, garp_repeat: 1, garp_delay: 0s, garp_refresh: 0m,\n"
		"         virtual_addresses: [192.0.2.100/1],\n"
		"         track: [{interface: eth1, weight: 1}]}\n"
		"  sync: {listen: 192.0.2.2:1, peer: 192.0.2.3, key_file: /k}\n";
	static const char hi[] =
		IFACE
		"vips: [{name: x, address: 203.0.113.1, port: 80, backends: []}]\n"
		"failover:\n"
		"  mode: vrrp\n"
		"  vrrp: {interface: eth0, vrid: 255, priority: 255, advert_interval: 40.95s,\n"
		"         preempt_delay: 60m, garp_repeat: 100, garp_delay: 3600s,\n"
		"         garp_refresh: 60m, virtual_addresses: [\"2001:db8::1/128\"],\n"
		"         track: [{vip: x, weight: 254}]}\n"
		"  sync: {listen: \"[2001:db8::2]:65535\", peer: \"[2001:db8::2]:65534\",\n"
		"         key_file: /k}\n";
	struct xlb_config cfg;

	(void)state;
	parse_ok(lo, &cfg);
	assert_int_equal(cfg.vrrp.vrid, 1);
	assert_int_equal(cfg.vrrp.priority, 1);
	assert_int_equal(cfg.vrrp.advert_cs, 1);
	assert_int_equal(cfg.vrrp.preempt_delay_ms, 0);
	assert_int_equal(cfg.vrrp.garp_repeat, 1);
	assert_int_equal(cfg.vrrp.garp_delay_ms, 0);
	assert_int_equal(cfg.vrrp.garp_refresh_ms, 0);
	assert_int_equal(cfg.vrrp.vaddrs[0].prefix, 1);
	assert_int_equal(cfg.vrrp.tracks[0].weight, 1);
	assert_int_equal(cfg.sync.listen_port, 1);
	xlb_cfg_free(&cfg);

	parse_ok(hi, &cfg);
	assert_int_equal(cfg.vrrp.vrid, 255);
	assert_int_equal(cfg.vrrp.priority, 255);
	assert_int_equal(cfg.vrrp.advert_cs, 4095);
	assert_int_equal(cfg.vrrp.preempt_delay_ms, 3600000);
	assert_int_equal(cfg.vrrp.garp_repeat, 100);
	assert_int_equal(cfg.vrrp.garp_delay_ms, 3600000);
	assert_int_equal(cfg.vrrp.garp_refresh_ms, 3600000);
	assert_int_equal(cfg.vrrp.vaddrs[0].prefix, 128);
	assert_int_equal(cfg.vrrp.tracks[0].weight, 254);
	/* One address, two ports: a pair on one host, for tests. */
	assert_int_equal(cfg.sync.listen_port, 65535);
	assert_int_equal(cfg.sync.peer_port, 65534);
	xlb_cfg_free(&cfg);
}

/* Test that a track may name a VIP written after it, by its given or its default name. */
static void test_valid_failover_track_order(void **state)
{
	static const char yaml[] =
		IFACE
		"failover:\n"
		"  mode: vrrp\n"
		"  vrrp:\n"
		"    interface: eth0\n"
		"    vrid: 51\n"
		"    virtual_addresses: [203.0.113.100/24]\n"
		"    track:\n"
		"      - {vip: web, weight: 10}\n"
		"      - {vip: \"203.0.113.1:53/udp\", weight: 20}\n"
		"      - {interface: web, weight: 30}\n"
		"vips:\n"
		"  - {name: web, address: 203.0.113.100, port: 80, backends: []}\n"
		"  - {address: 203.0.113.1, port: 53, protocol: udp, backends: []}\n";
	struct xlb_config cfg;

	(void)state;
	parse_ok(yaml, &cfg);
	assert_int_equal(cfg.vrrp.n_tracks, 3);
	assert_string_equal(cfg.vrrp.tracks[1].name, "203.0.113.1:53/udp");
	assert_int_equal(cfg.vrrp.tracks[1].is_vip, 1);
	/* An interface may share a VIP's name: they are different things. */
	assert_string_equal(cfg.vrrp.tracks[2].name, "web");
	assert_int_equal(cfg.vrrp.tracks[2].is_vip, 0);
	xlb_cfg_free(&cfg);
}

/* Test that the shipped demo config parses to the demo's topology. */
static void test_file_demo(void **state)
{
	struct xlb_cfg_errors errs;
	struct xlb_config cfg;
	const struct xlb_cfg_vip *v;
	int err;

	(void)state;
	err = xlb_cfg_parse_file("configs/demo.yaml", &cfg, &errs);
	if (err)
		xlb_cfg_errors_print(&errs, "configs/demo.yaml", stderr);
	assert_int_equal(err, 0);
	assert_string_equal(cfg.path, "configs/demo.yaml");
	assert_int_equal(cfg.n_ifaces, 1);
	assert_string_equal(cfg.ifaces[0].name, "eth0");
	assert_int_equal(cfg.maglev_size, 65537);
	assert_int_equal(cfg.n_vips, 1);
	v = &cfg.vips[0];
	assert_string_equal(v->name, "web");
	assert_addr(&v->addr, "203.0.113.100");
	assert_int_equal(v->port, 80);
	assert_int_equal(v->proto, IPPROTO_TCP);
	assert_int_equal(v->sched, XLB_SCHED_MAGLEV);
	assert_int_equal(v->fwd, XLB_FWD_DR);
	assert_int_equal(v->n_backends, 3);
	assert_addr(&v->backends[0].addr, "192.0.2.11");
	assert_addr(&v->backends[1].addr, "192.0.2.12");
	assert_addr(&v->backends[2].addr, "192.0.2.13");
	assert_int_equal(v->backends[0].weight, 100);
	assert_int_equal(v->backends[1].weight, 100);
	assert_int_equal(v->backends[2].weight, 100);
	xlb_cfg_free(&cfg);
}

/* Test that the shipped example config parses, its IPv6 VIP, health and failover examples too. */
static void test_file_example(void **state)
{
	struct xlb_cfg_errors errs;
	struct xlb_config cfg;
	const struct xlb_cfg_vip *v;
	int err;

	(void)state;
	err = xlb_cfg_parse_file("configs/example.yaml", &cfg, &errs);
	if (err)
		xlb_cfg_errors_print(&errs, "configs/example.yaml", stderr);
	assert_int_equal(err, 0);
	assert_int_equal(cfg.n_vips, 2);
	assert_int_equal(cfg.vips[0].addr.family, XLB_FAMILY_V4);
	assert_int_equal(cfg.vips[1].addr.family, XLB_FAMILY_V6);
	assert_addr(&cfg.vips[1].addr, "2001:db8::100");
	assert_int_equal(cfg.vips[1].n_backends, 2);
	assert_addr(&cfg.vips[1].backends[0].addr, "2001:db8::11");
	assert_addr(&cfg.vips[1].backends[1].addr, "2001:db8::12");
	assert_int_not_equal(cfg.vips[1].backends[0].weight, cfg.vips[1].backends[1].weight);
	assert_health_defaults(&cfg.vips[1].backends[0].health);

	v = &cfg.vips[0];
	assert_int_equal(v->health.type, XLB_HC_HTTP);
	assert_int_equal(v->health.port, 8080);
	assert_string_equal(v->health.path, "/healthz");
	assert_string_equal(v->health.expect_body, "ok");
	assert_addr(&v->fallback, "192.0.2.50");
	assert_memory_equal(&v->backends[0].health, &v->health, sizeof(v->health));
	assert_string_equal(v->backends[1].health.path, "/status");
	assert_int_equal(v->backends[1].health.fall, 5);
	assert_int_equal(v->backends[2].health.type, XLB_HC_TCP);
	assert_int_equal(v->backends[2].health.port, 8080);
	assert_string_equal(v->backends[2].health.path, "/");
	assert_string_equal(cfg.notify, "");
	assert_string_equal(cfg.control_socket, XLB_CONTROL_SOCKET);

	assert_int_equal(cfg.failover_mode, XLB_FAILOVER_VRRP);
	assert_int_equal(cfg.vrrp.vrid, 51);
	assert_int_equal(cfg.vrrp.advert_cs, 10);
	assert_int_equal(cfg.vrrp.preempt_delay_ms, 10000);
	assert_int_equal(cfg.vrrp.n_unicast_peers, 1);
	assert_int_equal(cfg.vrrp.n_vaddrs, 1);
	assert_int_equal(cfg.vrrp.vaddrs[0].prefix, 24);
	assert_int_equal(cfg.vrrp.n_tracks, 2);
	assert_int_equal(cfg.vrrp.tracks[0].is_vip, 0);
	assert_string_equal(cfg.vrrp.tracks[1].name, "web");
	assert_int_equal(cfg.sync.enabled, 1);
	assert_string_equal(cfg.sync.key_file, "/etc/xlb/sync.key");
	xlb_cfg_free(&cfg);
}

/* Test that the two halves of the shipped hot-standby pair parse, and mirror each other. */
static void test_file_pair(void **state)
{
	static const char *const files[] = { "configs/pair-a.yaml", "configs/pair-b.yaml" };
	static const char *const me[] = { "192.0.2.2", "192.0.2.3" };
	static const uint8_t prio[] = { 150, 100 };
	const struct xlb_cfg_vrrp *r;
	const struct xlb_cfg_vip *v;
	struct xlb_cfg_errors errs;
	struct xlb_config cfg;
	size_t i;
	int err;

	(void)state;
	for (i = 0; i < 2; i++) {
		err = xlb_cfg_parse_file(files[i], &cfg, &errs);
		if (err)
			xlb_cfg_errors_print(&errs, files[i], stderr);
		assert_int_equal(err, 0);
		assert_int_equal(cfg.n_ifaces, 1);
		assert_string_equal(cfg.ifaces[0].name, "eth0");
		assert_int_equal(cfg.n_vips, 1);
		v = &cfg.vips[0];
		assert_string_equal(v->name, "web");
		assert_addr(&v->addr, "203.0.113.100");
		assert_int_equal(v->port, 80);
		assert_int_equal(v->n_backends, 3);
		assert_addr(&v->backends[0].addr, "192.0.2.11");
		assert_addr(&v->backends[1].addr, "192.0.2.12");
		assert_addr(&v->backends[2].addr, "192.0.2.13");

		assert_int_equal(cfg.failover_mode, XLB_FAILOVER_VRRP);
		r = &cfg.vrrp;
		assert_string_equal(r->interface, "eth0");
		assert_int_equal(r->vrid, 51);
		assert_int_equal(r->priority, prio[i]);
		assert_int_equal(r->advert_cs, 10);
		assert_int_equal(r->preempt, 1);
		assert_int_equal(r->n_unicast_peers, 0);
		assert_int_equal(r->n_vaddrs, 1);
		assert_addr(&r->vaddrs[0].addr, "203.0.113.100");
		assert_int_equal(r->vaddrs[0].prefix, 24);
		assert_int_equal(r->n_tracks, 1);
		assert_int_equal(r->tracks[0].is_vip, 1);
		assert_string_equal(r->tracks[0].name, "web");
		/* A lone failure takes the master below the backup, and only then. */
		assert_true(prio[0] - r->tracks[0].weight < prio[1]);
		assert_true(prio[0] - r->tracks[0].weight > prio[1] - r->tracks[0].weight);

		assert_int_equal(cfg.sync.enabled, 1);
		assert_addr(&cfg.sync.listen_addr, me[i]);
		assert_addr(&cfg.sync.peer_addr, me[1 - i]);
		assert_int_equal(cfg.sync.listen_port, 8849);
		assert_int_equal(cfg.sync.peer_port, 8849);
		assert_string_equal(cfg.sync.key_file, "/etc/xlb/sync.key");
		xlb_cfg_free(&cfg);
	}
}

/* Test that a file that cannot be read is an errno, with no config errors. */
static void test_file_errors(void **state)
{
	struct xlb_cfg_errors errs;
	struct xlb_config cfg;

	(void)state;
	assert_int_equal(xlb_cfg_parse_file("configs/no-such-file.yaml", &cfg, &errs), -ENOENT);
	assert_int_equal(errs.n, 0);
	assert_null(errs.v);
	assert_null(cfg.path);
	assert_int_equal(xlb_cfg_parse_file("/", &cfg, &errs), -EISDIR);
	assert_int_equal(errs.n, 0);
}

/* Invalid configs: one mistake each, at an exact position. */

struct bad_case {
	const char *desc;
	const char *yaml;
	unsigned int line;
	unsigned int col;
	const char *msg;    /* substring of the error at line:col */
	unsigned int n_errs; /* errors in all; 0 means 1 */
};

static const struct bad_case bad_cases[] = {
	/* YAML itself */
	{ "syntax: bad indentation",
	  "interfaces:\n"
	  "  - name: eth0\n"
	  "   xdp_mode: auto\n",
	  3, 4, "YAML syntax error: did not find expected '-' indicator" },
	{ "syntax: unterminated quote",
	  "interfaces: [{name: \"eth0}]\n"
	  "vips: []\n",
	  3, 1, "YAML syntax error: found unexpected end of stream" },
	{ "syntax: unclosed flow list",
	  "interfaces: [{name: eth0}\n"
	  "vips: []\n",
	  2, 1, "did not find expected ',' or ']'" },
	{ "syntax: tab indentation",
	  "interfaces:\n"
	  "\t- name: eth0\n",
	  2, 1, "found character that cannot start any token" },
	{ "syntax: invalid UTF-8",
	  IFACE
	  "vips: [] # \xff\n",
	  2, 12, "invalid leading UTF-8 octet" },
	{ "empty config",
	  "# nothing here\n",
	  1, 1, "config is empty" },
	{ "top level is a list",
	  "- interfaces\n"
	  "- vips\n",
	  1, 1, "top level must be a mapping, not a list" },
	{ "top level is a scalar",
	  "interfaces\n",
	  1, 1, "top level must be a mapping, not a scalar" },
	{ "two documents",
	  IFACE
	  "vips: []\n"
	  "---\n"
	  "vips: []\n",
	  3, 1, "only one YAML document is allowed" },
	{ "alias",
	  "interfaces: &i [{name: eth0}]\n"
	  "vips: *i\n",
	  2, 7, "YAML aliases are not supported" },
	{ "key is not a scalar",
	  IFACE
	  "vips: []\n"
	  "[a]: 1\n",
	  3, 1, "keys must be scalars, not a list" },
	{ "duplicate key",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: 80\n"
	  "    backends: []\n"
	  "    port: 81\n",
	  6, 5, "duplicate key 'port' (first at line 4)" },

	/* keys: unknown, missing, wrong kind */
	{ "unknown top-level key",
	  IFACE
	  "vips: []\n"
	  "health: {}\n",
	  3, 1, "unknown key 'health' at the top level" },
	{ "unknown key in vip (typo)",
	  IFACE
	  "vips:\n"
	  "  - adress: 203.0.113.1\n"
	  "    port: 80\n"
	  "    backends: []\n",
	  3, 5, "unknown key 'adress' in vip", 2 },
	{ "missing address, reported at the entry",
	  IFACE
	  "vips:\n"
	  "  - adress: 203.0.113.1\n"
	  "    port: 80\n"
	  "    backends: []\n",
	  3, 5, "missing required key 'address' in vip", 2 },
	{ "missing interfaces",
	  "vips: []\n",
	  1, 1, "missing required key 'interfaces' at the top level" },
	{ "missing vips",
	  "\n"
	  IFACE,
	  2, 1, "missing required key 'vips'" },
	{ "missing port",
	  IFACE
	  "vips:\n"
	  "  - name: web\n"
	  "    address: 203.0.113.1\n"
	  "    backends: []\n",
	  3, 5, "missing required key 'port' in vip" },
	{ "missing backends",
	  IFACE
	  "vips:\n"
	  "  - {address: 203.0.113.1, port: 80}\n",
	  3, 5, "missing required key 'backends' in vip" },
	{ "missing backend address",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: 80\n"
	  "    backends:\n"
	  "      - weight: 5\n",
	  6, 9, "missing required key 'address' in backend" },
	{ "missing interface name",
	  "interfaces:\n"
	  "  - xdp_mode: native\n"
	  "vips: []\n",
	  2, 5, "missing required key 'name' in interface" },
	{ "interfaces is a scalar",
	  "interfaces: eth0\n"
	  "vips: []\n",
	  1, 13, "'interfaces' must be a list, not a scalar" },
	{ "interfaces has no value",
	  "interfaces:\n"
	  "vips: []\n",
	  1, 12, "'interfaces' must be a list, not an empty value" },
	{ "port is a list",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: [80, 443]\n"
	  "    backends: []\n",
	  4, 11, "'port' must be a scalar, not a list" },
	{ "maglev is a list",
	  IFACE
	  "maglev: [65537]\n"
	  "vips: []\n",
	  2, 9, "'maglev' must be a mapping, not a list" },
	{ "name has no value",
	  IFACE
	  "vips:\n"
	  "  - name:\n"
	  "    address: 203.0.113.1\n"
	  "    port: 80\n"
	  "    backends: []\n",
	  3, 10, "missing value for 'name'" },
	{ "vip entry is not a mapping",
	  IFACE
	  "vips:\n"
	  "  - 203.0.113.1:80\n",
	  3, 5, "an entry of 'vips' must be a mapping, not a scalar" },
	{ "NUL in a value",
	  "interfaces: [{name: \"et\\0h0\"}]\n"
	  "vips: []\n",
	  1, 21, "'name' contains a NUL character" },

	/* interfaces */
	{ "empty interfaces",
	  "interfaces: []\n"
	  "vips: []\n",
	  1, 13, "'interfaces' must list at least one interface" },
	{ "interface name too long",
	  "interfaces:\n"
	  "  - name: abcdefghijklmnop\n"
	  "vips: []\n",
	  2, 11, "interface name 'abcdefghijklmnop' is longer than 15 characters" },
	{ "interface name empty",
	  "interfaces:\n"
	  "  - name: ''\n"
	  "vips: []\n",
	  2, 11, "interface name must not be empty" },
	{ "interface name with a slash",
	  "interfaces:\n"
	  "  - name: eth0/1\n"
	  "vips: []\n",
	  2, 11, "'eth0/1' is not a valid interface name" },
	{ "bad xdp_mode",
	  "interfaces:\n"
	  "  - name: eth0\n"
	  "    xdp_mode: offload\n"
	  "vips: []\n",
	  3, 15, "bad xdp_mode 'offload'" },
	{ "duplicate interface",
	  "interfaces:\n"
	  "  - name: eth0\n"
	  "  - name: eth1\n"
	  "  - name: eth0\n"
	  "vips: []\n",
	  4, 11, "duplicate interface 'eth0' (first at line 2)" },

	/* maglev */
	{ "table_size not prime",
	  IFACE
	  "maglev:\n"
	  "  table_size: 65536\n"
	  "vips: []\n",
	  3, 15, "table_size 65536 is not prime (try 65537)" },
	{ "table_size too small",
	  IFACE
	  "maglev:\n"
	  "  table_size: 2\n"
	  "vips: []\n",
	  3, 15, "table_size 2 is out of range (3..1048573)" },
	{ "table_size too large (though prime)",
	  IFACE
	  "maglev:\n"
	  "  table_size: 1048583\n"
	  "vips: []\n",
	  3, 15, "table_size 1048583 is out of range" },
	{ "table_size in scientific notation",
	  IFACE
	  "maglev:\n"
	  "  table_size: 6.5537e4\n"
	  "vips: []\n",
	  3, 15, "table_size '6.5537e4' is not a decimal integer" },
	{ "unknown key in maglev",
	  IFACE
	  "maglev:\n"
	  "  size: 65537\n"
	  "vips: []\n",
	  3, 3, "unknown key 'size' in maglev (expected table_size)" },

	/* vip address, port, protocol, scheduler, forwarding, name */
	{ "bad address: octet > 255",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.300\n"
	  "    port: 80\n"
	  "    backends: []\n",
	  3, 14, "bad address '203.0.113.300'" },
	{ "bad address: prefix length",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1/32\n"
	  "    port: 80\n"
	  "    backends: []\n",
	  3, 14, "not an IPv4 or IPv6 address" },
	{ "bad address: hostname",
	  IFACE
	  "vips:\n"
	  "  - address: web.example.com\n"
	  "    port: 80\n"
	  "    backends: []\n",
	  3, 14, "bad address 'web.example.com'" },
	{ "bad address: multicast",
	  IFACE
	  "vips:\n"
	  "  - address: 239.1.1.1\n"
	  "    port: 80\n"
	  "    backends: []\n",
	  3, 14, "address 239.1.1.1 is multicast" },
	{ "bad address: unspecified IPv6",
	  IFACE
	  "vips:\n"
	  "  - address: '::'\n"
	  "    port: 80\n"
	  "    backends: []\n",
	  3, 14, "address :: is unspecified" },
	{ "port too large",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: 65536\n"
	  "    backends: []\n",
	  4, 11, "port 65536 is out of range (0..65535)" },
	{ "port negative",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: -1\n"
	  "    backends: []\n",
	  4, 11, "port -1 is out of range" },
	{ "port in scientific notation",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: 1e3\n"
	  "    backends: []\n",
	  4, 11, "port '1e3' is not a decimal integer" },
	{ "port in hex",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: 0x50\n"
	  "    backends: []\n",
	  4, 11, "port '0x50' is not a decimal integer" },
	{ "port with a leading zero (octal to YAML 1.1)",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: 080\n"
	  "    backends: []\n",
	  4, 11, "port '080' is not a decimal integer" },
	{ "port empty string",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: \"\"\n"
	  "    backends: []\n",
	  4, 11, "port '' is not a decimal integer" },
	{ "port with trailing junk",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: 80/tcp\n"
	  "    backends: []\n",
	  4, 11, "port '80/tcp' is not a decimal integer" },
	{ "port overflowing 64 bits",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: 18446744073709551696\n"
	  "    backends: []\n",
	  4, 11, "port 18446744073709551696 is out of range" },
	{ "bad protocol",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: 80\n"
	  "    protocol: sctp\n"
	  "    backends: []\n",
	  5, 15, "bad protocol 'sctp' (expected tcp or udp)" },
	{ "scheduler not supported yet",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: 80\n"
	  "    scheduler: wrr\n"
	  "    backends: []\n",
	  5, 16, "scheduler 'wrr' is not supported yet" },
	{ "unknown scheduler",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: 80\n"
	  "    scheduler: random\n"
	  "    backends: []\n",
	  5, 16, "unknown scheduler 'random'" },
	{ "forwarding not supported yet (keepalived spelling)",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: 80\n"
	  "    forwarding: TUN\n"
	  "    backends: []\n",
	  5, 17, "forwarding 'TUN' is not supported yet" },
	{ "forwarding nat not supported yet",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: 80\n"
	  "    forwarding: nat\n"
	  "    backends: []\n",
	  5, 17, "forwarding 'nat' is not supported yet" },
	{ "unknown forwarding",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: 80\n"
	  "    forwarding: gre\n"
	  "    backends: []\n",
	  5, 17, "unknown forwarding 'gre'" },
	{ "vip name too long",
	  IFACE
	  "vips:\n"
	  "  - name: a234567890123456789012345678901234567890123456789012345678901234\n"
	  "    address: 203.0.113.1\n"
	  "    port: 80\n"
	  "    backends: []\n",
	  3, 11, "is longer than 63 characters" },
	{ "duplicate VIP",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: 80\n"
	  "    backends: []\n"
	  "  - name: again\n"
	  "    address: 203.0.113.1\n"
	  "    port: 80\n"
	  "    protocol: tcp\n"
	  "    backends: []\n",
	  7, 14, "duplicate VIP 203.0.113.1:80/tcp (first at line 3)" },
	{ "duplicate VIP, IPv6 spelt differently",
	  IFACE
	  "vips:\n"
	  "  - {address: 2001:db8::100, port: 0, backends: []}\n"
	  "  - {address: 2001:DB8:0:0:0:0:0:100, port: 0, backends: []}\n",
	  4, 15, "duplicate VIP [2001:db8::100]:0/tcp (first at line 3)" },
	{ "duplicate VIP name",
	  IFACE
	  "vips:\n"
	  "  - name: web\n"
	  "    address: 203.0.113.1\n"
	  "    port: 80\n"
	  "    backends: []\n"
	  "  - name: web\n"
	  "    address: 203.0.113.1\n"
	  "    port: 443\n"
	  "    backends: []\n",
	  7, 11, "duplicate VIP name 'web' (first at line 3)" },

	/* backends */
	{ "backends is a mapping",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: 80\n"
	  "    backends: {address: 192.0.2.1}\n",
	  5, 15, "'backends' must be a list, not a mapping" },
	{ "duplicate backend",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: 80\n"
	  "    backends:\n"
	  "      - address: 192.0.2.1\n"
	  "      - address: 192.0.2.2\n"
	  "      - address: 192.0.2.1\n",
	  8, 18, "duplicate backend 192.0.2.1 (first at line 6)" },
	{ "backend family differs from the VIP",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: 80\n"
	  "    backends:\n"
	  "      - address: 2001:db8::11\n",
	  6, 18, "backend family differs from the VIP" },
	{ "bad backend address",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: 80\n"
	  "    backends:\n"
	  "      - address: 192.0.2\n",
	  6, 18, "bad address '192.0.2'" },
	{ "weight too large",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: 80\n"
	  "    backends:\n"
	  "      - address: 192.0.2.1\n"
	  "        weight: 65536\n",
	  7, 17, "weight 65536 is out of range (0..65535)" },
	{ "weight negative",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: 80\n"
	  "    backends:\n"
	  "      - address: 192.0.2.1\n"
	  "        weight: -5\n",
	  7, 17, "weight -5 is out of range" },
	{ "weight not an integer",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: 80\n"
	  "    backends:\n"
	  "      - address: 192.0.2.1\n"
	  "        weight: 1.5\n",
	  7, 17, "weight '1.5' is not a decimal integer" },
	{ "unknown key in backend",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: 80\n"
	  "    backends:\n"
	  "      - address: 192.0.2.1\n"
	  "        port: 8080\n",
	  7, 9, "unknown key 'port' in backend (expected address, weight, health)" },
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
	  IFACE VIP80
	  "    backends:\n"
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

	/* fallback */
	{ "fallback: bad address",
	  IFACE VIP80
	  "    fallback: 192.0.2\n"
	  "    backends: []\n",
	  5, 15, "bad address '192.0.2'" },
	{ "fallback: multicast",
	  IFACE VIP80
	  "    fallback: 224.0.0.1\n"
	  "    backends: []\n",
	  5, 15, "address 224.0.0.1 is multicast" },
	{ "fallback: family differs from the VIP",
	  IFACE VIP80
	  "    fallback: 2001:db8::50\n"
	  "    backends: []\n",
	  5, 15, "fallback family differs from the VIP (2001:db8::50 is IPv6, the VIP IPv4)" },
	{ "fallback: also a backend",
	  IFACE VIP80
	  "    backends:\n"
	  "      - address: 192.0.2.11\n"
	  "      - address: 192.0.2.12\n"
	  "    fallback: 192.0.2.12\n",
	  8, 15, "fallback 192.0.2.12 is also a backend of this VIP (line 7)" },
	{ "fallback: the VIP itself",
	  IFACE VIP80
	  "    fallback: 203.0.113.1\n"
	  "    backends: []\n",
	  5, 15, "fallback 203.0.113.1 is the VIP's own address" },

	/* notify, control */
	{ "notify is a list",
	  IFACE
	  "vips: []\n"
	  "notify: [/bin/a, /bin/b]\n",
	  3, 9, "'notify' must be a scalar, not a list" },
	{ "notify empty",
	  IFACE
	  "vips: []\n"
	  "notify: ''\n",
	  3, 9, "notify must not be empty" },
	{ "control is a scalar",
	  IFACE
	  "vips: []\n"
	  "control: /run/xlb/xlbd.sock\n",
	  3, 10, "'control' must be a mapping, not a scalar" },
	{ "control socket: relative path",
	  IFACE
	  "vips: []\n"
	  "control:\n"
	  "  socket: run/xlbd.sock\n",
	  4, 11, "control socket 'run/xlbd.sock' must be an absolute path" },
	{ "control socket: a directory",
	  IFACE
	  "vips: []\n"
	  "control:\n"
	  "  socket: /run/xlb/\n",
	  4, 11, "control socket '/run/xlb/' names a directory" },
	{ "control socket: longer than sun_path",
	  IFACE
	  "vips: []\n"
	  "control:\n"
	  "  socket: /" X64 X64 "\n",
	  4, 11, "is longer than 107 characters" },
	{ "control: unknown key",
	  IFACE
	  "vips: []\n"
	  "control:\n"
	  "  path: /run/xlbd.sock\n",
	  4, 3, "unknown key 'path' in control (expected socket)" },

	/* failover */
	{ "failover: not a mapping",
	  IFACE
	  "vips: []\n"
	  "failover: vrrp\n",
	  3, 11, "'failover' must be a mapping, not a scalar" },
	{ "failover: mode bogus",
	  IFACE
	  "vips: []\n"
	  "failover:\n"
	  "  mode: keepalived\n",
	  4, 9, "unknown failover mode 'keepalived' (expected vrrp or none)" },
	{ "failover: mode zookeeper, not yet",
	  IFACE
	  "vips: []\n"
	  "failover:\n"
	  "  mode: zookeeper\n",
	  4, 9, "failover mode 'zookeeper' is not supported yet (expected vrrp or none)" },
	{ "failover: mode missing",
	  IFACE
	  "vips: []\n"
	  "failover:\n"
	  "  vrrp: {interface: eth0, vrid: 1, virtual_addresses: [192.0.2.1]}\n",
	  4, 3, "missing required key 'mode' in failover" },
	{ "failover: mode vrrp without vrrp",
	  IFACE
	  "vips: []\n"
	  "failover:\n"
	  "  mode: vrrp\n",
	  4, 3, "missing required key 'vrrp' in failover (mode is vrrp)" },
	{ "failover: vrrp with mode none",
	  IFACE
	  "vips: []\n"
	  "failover:\n"
	  "  mode: none\n"
	  "  vrrp: {interface: eth0, vrid: 1, virtual_addresses: [192.0.2.1]}\n",
	  5, 3, "vrrp does not apply to mode none" },
	{ "failover: sync with mode none",
	  IFACE
	  "vips: []\n"
	  "failover:\n"
	  "  mode: none\n"
	  "  sync: {listen: 192.0.2.2, peer: 192.0.2.3, key_file: /etc/xlb/sync.key}\n",
	  5, 3, "sync needs mode vrrp (mode is none)" },
	{ "failover: vrrp is a list",
	  IFACE
	  "vips: []\n"
	  "failover:\n"
	  "  mode: vrrp\n"
	  "  vrrp: []\n",
	  5, 9, "'vrrp' must be a mapping, not a list" },
	{ "failover: unknown key",
	  IFACE
	  "vips: []\n"
	  "failover:\n"
	  "  mode: none\n"
	  "  zookeeper: {}\n",
	  5, 3, "unknown key 'zookeeper' in failover (expected mode, vrrp, sync)" },

	/* failover: vrrp */
	{ "vrrp: unknown key lists every key",
	  IFACE VRRP
	  "    prempt: true\n",
	  9, 5, "unknown key 'prempt' in vrrp (expected interface, vrid, priority, "
		"advert_interval, preempt, preempt_delay, nopreempt, unicast_peers, "
		"virtual_addresses, garp_repeat, garp_delay, garp_refresh, notify, track)" },
	{ "vrrp: interface missing, at the mapping",
	  IFACE
	  "vips: []\n"
	  "failover:\n"
	  "  mode: vrrp\n"
	  "  vrrp:\n"
	  "    vrid: 51\n"
	  "    virtual_addresses: [203.0.113.100]\n",
	  6, 5, "missing required key 'interface' in vrrp" },
	{ "vrrp: interface name too long",
	  IFACE
	  "vips: []\n"
	  "failover:\n"
	  "  mode: vrrp\n"
	  "  vrrp:\n"
	  "    interface: eth0123456789abc\n"
	  "    vrid: 51\n"
	  "    virtual_addresses: [203.0.113.100]\n",
	  6, 16, "interface name 'eth0123456789abc' is longer than 15 characters" },
	{ "vrrp: vrid missing",
	  IFACE VRRP_HEAD
	  "    virtual_addresses: [203.0.113.100]\n",
	  6, 5, "missing required key 'vrid' in vrrp" },
	{ "vrrp: vrid 0",
	  IFACE VRRP_HEAD
	  "    vrid: 0\n"
	  "    virtual_addresses: [203.0.113.100]\n",
	  7, 11, "vrid 0 is out of range (1..255)" },
	{ "vrrp: vrid 256",
	  IFACE VRRP_HEAD
	  "    vrid: 256\n"
	  "    virtual_addresses: [203.0.113.100]\n",
	  7, 11, "vrid 256 is out of range (1..255)" },
	{ "vrrp: priority 0 (a leaving master's)",
	  IFACE VRRP
	  "    priority: 0\n",
	  9, 15, "priority 0 is out of range (1..255)" },
	{ "vrrp: priority 256",
	  IFACE VRRP
	  "    priority: 256\n",
	  9, 15, "priority 256 is out of range (1..255)" },
	{ "vrrp: advert_interval not whole centiseconds",
	  IFACE VRRP
	  "    advert_interval: 15ms\n",
	  9, 22, "advert_interval 15ms is not a whole number of centiseconds" },
	{ "vrrp: advert_interval too big for 12 bits of centiseconds",
	  IFACE VRRP
	  "    advert_interval: 50s\n",
	  9, 22, "advert_interval 50s is out of range (10ms..40950ms)" },
	{ "vrrp: advert_interval below a centisecond",
	  IFACE VRRP
	  "    advert_interval: 5ms\n",
	  9, 22, "advert_interval 5ms is out of range (10ms..40950ms)" },
	{ "vrrp: advert_interval without a unit",
	  IFACE VRRP
	  "    advert_interval: 1\n",
	  9, 22, "duration '1' needs a unit" },
	{ "vrrp: preempt maybe",
	  IFACE VRRP
	  "    preempt: maybe\n",
	  9, 14, "preempt 'maybe' is not a boolean (expected true or false)" },
	{ "vrrp: preempt yes (YAML 1.1 only)",
	  IFACE VRRP
	  "    preempt: yes\n",
	  9, 14, "preempt 'yes' is not a boolean (expected true or false)" },
	{ "vrrp: preempt and nopreempt, at the later",
	  IFACE VRRP
	  "    nopreempt: true\n"
	  "    preempt: true\n",
	  10, 5, "give preempt or nopreempt, not both" },
	{ "vrrp: preempt_delay over an hour",
	  IFACE VRRP
	  "    preempt_delay: 61m\n",
	  9, 20, "preempt_delay 61m is out of range (0ms..60m)" },
	{ "vrrp: virtual_addresses missing",
	  IFACE VRRP_HEAD
	  "    vrid: 51\n",
	  6, 5, "missing required key 'virtual_addresses' in vrrp" },
	{ "vrrp: virtual_addresses empty",
	  IFACE VRRP_HEAD
	  "    vrid: 51\n"
	  "    virtual_addresses: []\n",
	  8, 24, "'virtual_addresses' must list at least one address" },
	{ "vrrp: virtual_addresses a scalar",
	  IFACE VRRP_HEAD
	  "    vrid: 51\n"
	  "    virtual_addresses: 203.0.113.100\n",
	  8, 24, "'virtual_addresses' must be a list, not a scalar" },
	{ "vrrp: virtual address a mapping",
	  IFACE VRRP_HEAD
	  "    vrid: 51\n"
	  "    virtual_addresses: [{address: 203.0.113.100}]\n",
	  8, 25, "an entry of 'virtual_addresses' must be a scalar, not a mapping" },
	{ "vrrp: virtual_addresses mix IPv4 and IPv6",
	  IFACE VRRP_HEAD
	  "    vrid: 51\n"
	  "    virtual_addresses: [203.0.113.100/24, \"2001:db8::100/64\"]\n",
	  8, 43,
	  "virtual_addresses mix IPv4 and IPv6 (2001:db8::100, and 203.0.113.100 at line 8)" },
	{ "vrrp: prefix /33",
	  IFACE VRRP_HEAD
	  "    vrid: 51\n"
	  "    virtual_addresses: [203.0.113.100/33]\n",
	  8, 25, "prefix /33 is out of range for IPv4 (/1../32)" },
	{ "vrrp: prefix /129",
	  IFACE VRRP_HEAD
	  "    vrid: 51\n"
	  "    virtual_addresses: [\"2001:db8::100/129\"]\n",
	  8, 25, "prefix /129 is out of range for IPv6 (/1../128)" },
	{ "vrrp: prefix /0",
	  IFACE VRRP_HEAD
	  "    vrid: 51\n"
	  "    virtual_addresses: [203.0.113.100/0]\n",
	  8, 25, "prefix /0 is out of range for IPv4 (/1../32)" },
	{ "vrrp: prefix not a number",
	  IFACE VRRP_HEAD
	  "    vrid: 51\n"
	  "    virtual_addresses: [203.0.113.100/255.255.255.0]\n",
	  8, 25,
	  "bad prefix '/255.255.255.0' in '203.0.113.100/255.255.255.0' (expected /1../32)" },
	{ "vrrp: duplicate virtual address, prefix aside",
	  IFACE VRRP_HEAD
	  "    vrid: 51\n"
	  "    virtual_addresses: [203.0.113.100/24, 203.0.113.100/32]\n",
	  8, 43, "duplicate virtual address 203.0.113.100 (first at line 8)" },
	{ "vrrp: virtual address not an address",
	  IFACE VRRP_HEAD
	  "    vrid: 51\n"
	  "    virtual_addresses: [203.0.113/24]\n",
	  8, 25, "bad address '203.0.113/24': not an IPv4 or IPv6 address" },
	{ "vrrp: virtual address multicast",
	  IFACE VRRP_HEAD
	  "    vrid: 51\n"
	  "    virtual_addresses: [224.0.0.18]\n",
	  8, 25, "address 224.0.0.18 is multicast" },
	{ "vrrp: unicast peer of the other family",
	  IFACE VRRP
	  "    unicast_peers: [\"2001:db8::3\"]\n",
	  9, 21, "unicast peer 2001:db8::3 is IPv6, the virtual addresses IPv4" },
	{ "vrrp: unicast peer before the addresses it must match",
	  IFACE VRRP_HEAD
	  "    unicast_peers: [192.0.2.3]\n"
	  "    vrid: 51\n"
	  "    virtual_addresses: [\"2001:db8::100\"]\n",
	  7, 21, "unicast peer 192.0.2.3 is IPv4, the virtual addresses IPv6" },
	{ "vrrp: IPv6 unicast peer not link-local (adverts come from link-local)",
	  IFACE VRRP_HEAD
	  "    vrid: 51\n"
	  "    virtual_addresses: [\"2001:db8::100\"]\n"
	  "    unicast_peers: [\"fe80::3\", \"2001:db8::3\"]\n",
	  9, 32, "unicast peer 2001:db8::3: IPv6 adverts come from the peer's link-local "
		 "address (fe80::/10); give that" },
	{ "vrrp: duplicate unicast peer",
	  IFACE VRRP
	  "    unicast_peers: [192.0.2.3, 192.0.2.3]\n",
	  9, 32, "duplicate unicast peer 192.0.2.3 (first at line 9)" },
	{ "vrrp: unicast peer a mapping",
	  IFACE VRRP
	  "    unicast_peers: [{address: 192.0.2.3}]\n",
	  9, 21, "an entry of 'unicast_peers' must be a scalar, not a mapping" },
	{ "vrrp: garp_repeat 0",
	  IFACE VRRP
	  "    garp_repeat: 0\n",
	  9, 18, "garp_repeat 0 is out of range (1..100)" },
	{ "vrrp: garp_delay without a unit",
	  IFACE VRRP
	  "    garp_delay: 5\n",
	  9, 17, "duration '5' needs a unit" },
	{ "vrrp: garp_refresh in hours",
	  IFACE VRRP
	  "    garp_refresh: 2h\n",
	  9, 19, "duration '2h' has an unknown unit 'h'" },
	{ "vrrp: notify empty",
	  IFACE VRRP
	  "    notify: ''\n",
	  9, 13, "notify must not be empty" },

	/* failover: vrrp: track */
	{ "track: both interface and vip, at the later",
	  IFACE VRRP
	  "    track:\n"
	  "      - interface: eth1\n"
	  "        vip: web\n"
	  "        weight: 50\n",
	  11, 9, "a track takes interface or vip, not both" },
	{ "track: neither interface nor vip",
	  IFACE VRRP
	  "    track:\n"
	  "      - weight: 50\n",
	  10, 9, "a track needs interface or vip" },
	{ "track: weight 255",
	  IFACE VRRP
	  "    track:\n"
	  "      - interface: eth1\n"
	  "        weight: 255\n",
	  11, 17, "weight 255 is out of range (1..254)" },
	{ "track: weight 0",
	  IFACE VRRP
	  "    track:\n"
	  "      - {interface: eth1, weight: 0}\n",
	  10, 35, "weight 0 is out of range (1..254)" },
	{ "track: weight missing",
	  IFACE VRRP
	  "    track:\n"
	  "      - interface: eth1\n",
	  10, 9, "missing required key 'weight' in track" },
	{ "track: vip names no VIP",
	  IFACE VRRP
	  "    track:\n"
	  "      - vip: web\n"
	  "        weight: 60\n",
	  10, 14, "no VIP named 'web'" },
	{ "track: vip names no VIP, the VIPs written after",
	  IFACE
	  "failover:\n"
	  "  mode: vrrp\n"
	  "  vrrp:\n"
	  "    interface: eth0\n"
	  "    vrid: 51\n"
	  "    virtual_addresses: [203.0.113.100/24]\n"
	  "    track: [{vip: webb, weight: 60}]\n"
	  "vips: [{name: web, address: 203.0.113.100, port: 80, backends: []}]\n",
	  8, 19, "no VIP named 'webb'" },
	{ "track: duplicate interface",
	  IFACE VRRP
	  "    track:\n"
	  "      - {interface: eth1, weight: 10}\n"
	  "      - {interface: eth1, weight: 20}\n",
	  11, 21, "duplicate track of interface 'eth1' (first at line 10)" },
	{ "track: bad interface name",
	  IFACE VRRP
	  "    track:\n"
	  "      - {interface: eth/1, weight: 10}\n",
	  10, 21, "'eth/1' is not a valid interface name" },

	/* failover: sync */
	{ "sync: listen port out of range",
	  IFACE SYNC
	  "    listen: 192.0.2.2:99999\n"
	  "    peer: 192.0.2.3\n"
	  "    key_file: /etc/xlb/sync.key\n",
	  10, 13, "listen port 99999 is out of range (1..65535)" },
	{ "sync: listen port 0",
	  IFACE SYNC
	  "    listen: 192.0.2.2:0\n"
	  "    peer: 192.0.2.3\n"
	  "    key_file: /etc/xlb/sync.key\n",
	  10, 13, "listen port 0 is out of range (1..65535)" },
	{ "sync: listen port empty",
	  IFACE SYNC
	  "    listen: \"192.0.2.2:\"\n"
	  "    peer: 192.0.2.3\n"
	  "    key_file: /etc/xlb/sync.key\n",
	  10, 13, "listen port '' is not a decimal integer (expected 1..65535)" },
	{ "sync: listen IPv6 without brackets",
	  IFACE SYNC
	  "    listen: 2001:db8::2\n"
	  "    peer: \"[2001:db8::3]\"\n"
	  "    key_file: /etc/xlb/sync.key\n",
	  10, 13, "listen '2001:db8::2': write an IPv6 address in brackets" },
	{ "sync: listen IPv4 in brackets",
	  IFACE SYNC
	  "    listen: \"[192.0.2.2]:8849\"\n"
	  "    peer: 192.0.2.3\n"
	  "    key_file: /etc/xlb/sync.key\n",
	  10, 13, "listen '[192.0.2.2]:8849': brackets are for IPv6 addresses only" },
	{ "sync: listen not ADDRESS:PORT",
	  IFACE SYNC
	  "    listen: 192.0.2.2:80:90\n"
	  "    peer: 192.0.2.3\n"
	  "    key_file: /etc/xlb/sync.key\n",
	  10, 13, "listen '192.0.2.2:80:90' is not ADDRESS[:PORT]" },
	{ "sync: listen a host name",
	  IFACE SYNC
	  "    listen: dispatcher-a:8849\n"
	  "    peer: 192.0.2.3\n"
	  "    key_file: /etc/xlb/sync.key\n",
	  10, 13, "bad address 'dispatcher-a' in listen 'dispatcher-a:8849'" },
	{ "sync: peer of the other family",
	  IFACE SYNC
	  "    listen: 192.0.2.2:8849\n"
	  "    peer: \"[2001:db8::3]:8849\"\n"
	  "    key_file: /etc/xlb/sync.key\n",
	  11, 11, "sync peer 2001:db8::3 is IPv6, listen IPv4" },
	{ "sync: peer is listen",
	  IFACE SYNC
	  "    listen: 192.0.2.2\n"
	  "    peer: 192.0.2.2:8849\n"
	  "    key_file: /etc/xlb/sync.key\n",
	  11, 11, "sync peer 192.0.2.2 port 8849 is the listen address itself" },
	{ "sync: key_file relative",
	  IFACE SYNC
	  "    listen: 192.0.2.2\n"
	  "    peer: 192.0.2.3\n"
	  "    key_file: sync.key\n",
	  12, 15, "key_file 'sync.key' must be an absolute path" },
	{ "sync: key_file a directory",
	  IFACE SYNC
	  "    listen: 192.0.2.2\n"
	  "    peer: 192.0.2.3\n"
	  "    key_file: /etc/xlb/\n",
	  12, 15, "key_file '/etc/xlb/' names a directory" },
	{ "sync: key_file too long",
	  IFACE SYNC
	  "    listen: 192.0.2.2\n"
	  "    peer: 192.0.2.3\n"
	  "    key_file: /" X256 "\n",
	  12, 15, "is longer than 255 characters" },
	{ "sync: key_file missing",
	  IFACE SYNC
	  "    listen: 192.0.2.2\n"
	  "    peer: 192.0.2.3\n",
	  10, 5, "missing required key 'key_file' in sync" },
	{ "sync: unknown key",
	  IFACE SYNC
	  "    listen: 192.0.2.2\n"
	  "    peer: 192.0.2.3\n"
	  "    key_file: /k\n"
	  "    port: 8849\n",
	  13, 5, "unknown key 'port' in sync (expected listen, peer, key_file)" },
};

/* Test that the case's error is reported at its line:col, and nothing else is. */
static void test_bad_case(void **state)
{
	const struct bad_case *c = *state;
	unsigned int want_n = c->n_errs ?: 1;
	struct xlb_cfg_errors errs;
	struct xlb_config cfg;
	bool found = false;
	size_t i;
	int err;

	err = parse(c->yaml, &cfg, &errs);
	for (i = 0; i < errs.n; i++)
		if (errs.v[i].pos.line == c->line && errs.v[i].pos.col == c->col &&
		    strstr(errs.v[i].msg, c->msg))
			found = true;
	if (err != -EINVAL || !found || errs.n != want_n) {
		print_error("%s: want %u error(s), one at %u:%u containing \"%s\"; got %d:\n",
			    c->desc, want_n, c->line, c->col, c->msg, err);
		dump_errors(&errs);
	}
	/* A rejected config leaves nothing to free. */
	assert_null(cfg.path);
	assert_null(cfg.vips);
	assert_int_equal(err, -EINVAL);
	assert_true(found);
	assert_int_equal(errs.n, want_n);
	xlb_cfg_errors_free(&errs);
}

/* Test that one run reports every mistake, in file order. */
static void test_many_errors(void **state)
{
	static const char yaml[] =
		"interfaces:\n"                /* 1 */
		"  - name: eth0\n"             /* 2 */
		"    xdp_mode: turbo\n"        /* 3 */
		"maglev:\n"                    /* 4 */
		"  table_size: 100\n"          /* 5 */
		"vips:\n"                      /* 6 */
		"  - address: 203.0.113.1\n"   /* 7 */
		"    port: 99999\n"            /* 8 */
		"    protocol: sctp\n"         /* 9 */
		"    backends:\n"              /* 10 */
		"      - address: 192.0.2.1\n" /* 11 */
		"        weight: heavy\n"      /* 12 */
		"      - address: 192.0.2.1\n" /* 13 */
		"  - port: 80\n"               /* 14 */
		"    backends: []\n"           /* 15 */
		"    colour: blue\n";          /* 16 */
	static const struct {
		unsigned int line, col;
		const char *msg;
	} want[] = {
		{ 3, 15, "bad xdp_mode 'turbo'" },
		{ 5, 15, "table_size 100 is not prime (try 101)" },
		{ 8, 11, "port 99999 is out of range" },
		{ 9, 15, "bad protocol 'sctp'" },
		{ 12, 17, "weight 'heavy' is not a decimal integer" },
		{ 13, 18, "duplicate backend 192.0.2.1 (first at line 11)" },
		{ 14, 5, "missing required key 'address' in vip" },
		{ 16, 5, "unknown key 'colour' in vip" },
	};
	struct xlb_cfg_errors errs;
	struct xlb_config cfg;
	size_t i;

	(void)state;
	assert_int_equal(parse(yaml, &cfg, &errs), -EINVAL);
	if (errs.n != sizeof(want) / sizeof(want[0]))
		dump_errors(&errs);
	assert_int_equal(errs.n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < errs.n; i++) {
		assert_int_equal(errs.v[i].pos.line, want[i].line);
		assert_int_equal(errs.v[i].pos.col, want[i].col);
		assert_non_null(strstr(errs.v[i].msg, want[i].msg));
	}
	xlb_cfg_errors_free(&errs);
	assert_null(errs.v);
}

/* Test that a flood of mistakes is cut off rather than printed without end. */
static void test_error_cap(void **state)
{
	struct xlb_cfg_errors errs;
	struct xlb_config cfg;
	char *yaml = NULL;
	size_t len = 0;
	FILE *f;
	int i;

	(void)state;
	f = open_memstream(&yaml, &len);
	assert_non_null(f);
	fprintf(f, IFACE "vips:\n");
	for (i = 0; i < 150; i++)
		fprintf(f, "  - {address: 203.0.113.%d, port: x, backends: []}\n", i);
	fclose(f);
	assert_int_equal(parse(yaml, &cfg, &errs), -EINVAL);
	assert_int_equal(errs.n, 100);
	assert_non_null(strstr(errs.v[0].msg, "port 'x'"));
	assert_non_null(strstr(errs.v[99].msg, "too many errors"));
	xlb_cfg_errors_free(&errs);
	free(yaml);
}

/*
 * Test that the map limits are enforced, at the first entry past each; fallbacks count. So does
 * the advert's limit on virtual addresses.
 */
static void test_limits(void **state)
{
	struct xlb_cfg_errors errs;
	struct xlb_config cfg;
	char *yaml = NULL;
	size_t len = 0;
	FILE *f;
	int i;

	(void)state;
	f = open_memstream(&yaml, &len);
	assert_non_null(f);
	fprintf(f, IFACE "vips:\n"); /* VIP i on line 3 + i */
	for (i = 0; i <= XLB_MAX_VIPS; i++)
		fprintf(f, "  - {address: 10.0.%d.%d, port: 80, backends: []}\n", i / 256, i % 256);
	fclose(f);
	assert_int_equal(parse(yaml, &cfg, &errs), -EINVAL);
	assert_int_equal(errs.n, 1);
	assert_int_equal(errs.v[0].pos.line, 3 + XLB_MAX_VIPS);
	assert_int_equal(errs.v[0].pos.col, 5);
	assert_non_null(strstr(errs.v[0].msg, "too many VIPs"));
	xlb_cfg_errors_free(&errs);
	free(yaml);

	yaml = NULL;
	f = open_memstream(&yaml, &len);
	assert_non_null(f);
	fprintf(f, IFACE "vips:\n  - address: 203.0.113.1\n    port: 80\n    backends:\n");
	for (i = 0; i <= XLB_MAX_BACKENDS; i++) /* backend i on line 6 + i */
		fprintf(f, "      - {address: 10.%d.%d.1}\n", i / 256, i % 256);
	fclose(f);
	assert_int_equal(parse(yaml, &cfg, &errs), -EINVAL);
	assert_int_equal(errs.n, 1);
	assert_int_equal(errs.v[0].pos.line, 6 + XLB_MAX_BACKENDS);
	assert_int_equal(errs.v[0].pos.col, 9);
	assert_non_null(strstr(errs.v[0].msg, "too many backends"));
	xlb_cfg_errors_free(&errs);
	free(yaml);

	/* A fallback takes a backend id too. */
	yaml = NULL;
	f = open_memstream(&yaml, &len);
	assert_non_null(f);
	fprintf(f, IFACE "vips:\n  - address: 203.0.113.1\n    port: 80\n    backends:\n");
	for (i = 0; i < XLB_MAX_BACKENDS; i++) /* backend i on line 6 + i */
		fprintf(f, "      - {address: 10.%d.%d.1}\n", i / 256, i % 256);
	fprintf(f, "    fallback: 192.0.2.50\n");
	fclose(f);
	assert_int_equal(parse(yaml, &cfg, &errs), -EINVAL);
	assert_int_equal(errs.n, 1);
	assert_int_equal(errs.v[0].pos.line, 6 + XLB_MAX_BACKENDS);
	assert_int_equal(errs.v[0].pos.col, 15);
	assert_non_null(strstr(errs.v[0].msg, "too many backends"));
	xlb_cfg_errors_free(&errs);
	free(yaml);

	/* An advert counts its addresses in 8 bits. */
	yaml = NULL;
	f = open_memstream(&yaml, &len);
	assert_non_null(f);
	fprintf(f, IFACE "vips: []\nfailover:\n  mode: vrrp\n  vrrp:\n    interface: eth0\n"
		       "    vrid: 1\n    virtual_addresses:\n");
	for (i = 0; i <= 255; i++) /* address i on line 9 + i */
		fprintf(f, "      - 10.%d.%d.1\n", i / 256, i % 256);
	fclose(f);
	assert_int_equal(parse(yaml, &cfg, &errs), -EINVAL);
	assert_int_equal(errs.n, 1);
	assert_int_equal(errs.v[0].pos.line, 9 + 255);
	assert_int_equal(errs.v[0].pos.col, 9);
	assert_non_null(strstr(errs.v[0].msg, "too many virtual addresses (at most 255"));
	xlb_cfg_errors_free(&errs);
	free(yaml);
}

/* Test the "file:line:col: message" format the operator sees. */
static void test_errors_print(void **state)
{
	struct xlb_cfg_errors errs;
	struct xlb_config cfg;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(parse("interfaces: []\nvips: []\nfoo: 1\n", &cfg, &errs), -EINVAL);
	f = open_memstream(&out, &len);
	assert_non_null(f);
	xlb_cfg_errors_print(&errs, "xlbd.yaml", f);
	fclose(f);
	assert_string_equal(out,
			    "xlbd.yaml:1:13: 'interfaces' must list at least one interface\n"
			    "xlbd.yaml:3:1: unknown key 'foo' at the top level "
			    "(expected interfaces, maglev, vips, notify, failover, control)\n");
	free(out);
	xlb_cfg_errors_free(&errs);
}

/* Addresses. */

/* Test that addresses survive parse -> str in canonical form, in the maps' layout. */
static void test_addr_round_trip(void **state)
{
	static const struct {
		const char *in, *out;
		uint8_t family;
	} cases[] = {
		{ "192.0.2.1", "192.0.2.1", XLB_FAMILY_V4 },
		{ "0.0.0.0", "0.0.0.0", XLB_FAMILY_V4 },
		{ "255.255.255.255", "255.255.255.255", XLB_FAMILY_V4 },
		{ "2001:db8::1", "2001:db8::1", XLB_FAMILY_V6 },
		{ "2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1", XLB_FAMILY_V6 },
		{ "::", "::", XLB_FAMILY_V6 },
		{ "::1", "::1", XLB_FAMILY_V6 },
		{ "fe80::1:2:3:4", "fe80::1:2:3:4", XLB_FAMILY_V6 },
		{ "::ffff:192.0.2.1", "::ffff:192.0.2.1", XLB_FAMILY_V6 },
	};
	char buf[INET6_ADDRSTRLEN];
	struct xlb_addr a, b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(xlb_addr_parse(cases[i].in, &a), 0);
		assert_int_equal(a.family, cases[i].family);
		assert_string_equal(xlb_addr_str(&a, buf, sizeof(buf)), cases[i].out);
		assert_int_equal(xlb_addr_parse(buf, &b), 0);
		assert_int_equal(b.family, a.family);
		assert_memory_equal(b.w, a.w, sizeof(a.w));
	}

	/* IPv4 in w[0], network order, the rest zero. */
	assert_int_equal(xlb_addr_parse("192.0.2.1", &a), 0);
	assert_int_equal(a.w[0], htonl(0xc0000201));
	assert_int_equal(a.w[1] | a.w[2] | a.w[3], 0);
	assert_int_equal(xlb_addr_parse("2001:db8::1", &a), 0);
	assert_int_equal(a.w[0], htonl(0x20010db8));
	assert_int_equal(a.w[3], htonl(1));

	/* A buffer too small, or no family, gives "?" rather than garbage. */
	assert_string_equal(xlb_addr_str(&a, buf, 4), "?");
	a.family = XLB_FAMILY_NONE;
	assert_string_equal(xlb_addr_str(&a, buf, sizeof(buf)), "?");
}

/* Test that only plain IPv4 / IPv6 literals parse, and a failure leaves the output alone. */
static void test_addr_parse_invalid(void **state)
{
	static const char *const bad[] = {
		"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "0x7f.0.0.1", " 1.2.3.4",
		"1.2.3.4 ", "1.2.3.4/32", "2001:db8::1::2", "2001:db8::g", "fe80::1%eth0",
		"[2001:db8::1]", "localhost",
	};
	struct xlb_addr a = { .family = 99 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (xlb_addr_parse(bad[i], &a) != -EINVAL)
			fail_msg("'%s' parsed", bad[i]);
		assert_int_equal(a.family, 99);
	}
}

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * Parse yaml, which must be refused; whether an error at line:col says msg (shown when it does
 * not and want), and the CPU ms it took.
 */
static bool refused_at(const char *yaml, unsigned int line, unsigned int col, const char *msg,
		       bool want, double *ms)
{
	struct xlb_cfg_errors errs;
	struct xlb_config cfg;
	double t0 = cpu_ms();
	bool found = false;
	size_t i;

	assert_int_equal(parse(yaml, &cfg, &errs), -EINVAL);
	*ms = cpu_ms() - t0;
	for (i = 0; i < errs.n; i++)
		if (errs.v[i].pos.line == line && errs.v[i].pos.col == col &&
		    strstr(errs.v[i].msg, msg))
			found = true;
	if (!found && want) {
		print_error("want an error at %u:%u containing \"%s\", got:\n", line, col, msg);
		dump_errors(&errs);
	}
	xlb_cfg_errors_free(&errs);
	return found;
}

/*
 * Test that nesting deeper than 64 collections is refused where it goes past 64, at once: 40k
 * '[' after "vips: " kept libyaml busy for seconds, on the loop, at a reload.
 */
static void test_nesting_bound(void **state)
{
	const int deep = 40000;
	char *yaml = malloc(deep + 64);
	double ms;
	int i;

	(void)state;
	assert_non_null(yaml);
	/* The top mapping is level 1, so the 64th '[' (column 7 + 63) is level 65. */
	for (const char *open = "[{"; *open; open++) {
		strcpy(yaml, "vips: ");
		memset(yaml + 6, *open, deep);
		yaml[6 + deep] = '\0';
		assert_true(refused_at(yaml, 1, 70, "nested deeper than 64 levels", true, &ms));
		if (ms > 200)
			fail_msg("40000 '%c' took %.0f ms of CPU to refuse", *open, ms);
	}

	/* Block nesting counts alike: key i sits on line i + 1, at column i + 1. */
	yaml[0] = '\0';
	for (i = 0; i < 70; i++)
		sprintf(yaml + strlen(yaml), "%*sk%d:\n", i, "", i);
	assert_true(refused_at(yaml, 65, 65, "nested deeper than 64 levels", true, &ms));

	/* 64 levels are not refused for their depth. */
	strcpy(yaml, "vips: ");
	memset(yaml + 6, '[', 63);
	memset(yaml + 69, ']', 63);
	yaml[132] = '\0';
	assert_false(refused_at(yaml, 1, 70, "nested deeper", false, &ms));
	free(yaml);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_full),
		cmocka_unit_test(test_valid_defaults),
		cmocka_unit_test(test_valid_ipv6),
		cmocka_unit_test(test_valid_port0_no_backends),
		cmocka_unit_test(test_valid_no_vips),
		cmocka_unit_test(test_valid_keepalived_names),
		cmocka_unit_test(test_valid_same_address),
		cmocka_unit_test(test_valid_key_order),
		cmocka_unit_test(test_valid_bounds),
		cmocka_unit_test(test_valid_health_http),
		cmocka_unit_test(test_valid_health_merge),
		cmocka_unit_test(test_valid_health_udp_exec),
		cmocka_unit_test(test_valid_udp_unchecked),
		cmocka_unit_test(test_valid_durations),
		cmocka_unit_test(test_valid_fallback),
		cmocka_unit_test(test_valid_notify_control),
		cmocka_unit_test(test_valid_failover_full),
		cmocka_unit_test(test_valid_failover_defaults),
		cmocka_unit_test(test_valid_failover_preempt),
		cmocka_unit_test(test_valid_failover_ipv6),
		cmocka_unit_test(test_valid_failover_bounds),
		cmocka_unit_test(test_valid_failover_track_order),
		cmocka_unit_test(test_file_demo),
		cmocka_unit_test(test_file_example),
		cmocka_unit_test(test_file_pair),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_many_errors),
		cmocka_unit_test(test_error_cap),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_nesting_bound),
		cmocka_unit_test(test_errors_print),
		cmocka_unit_test(test_addr_round_trip),
		cmocka_unit_test(test_addr_parse_invalid),
	};
	size_t n_bad = sizeof(bad_cases) / sizeof(bad_cases[0]), i;
	struct CMUnitTest *bad;
	int failed;

	failed = cmocka_run_group_tests_name("config", tests, NULL, NULL);

	/* One named test per table row, so a failure names the case. */
	bad = calloc(n_bad, sizeof(*bad));
	if (!bad)
		return 1;
	for (i = 0; i < n_bad; i++)
		bad[i] = (struct CMUnitTest){
			.name = bad_cases[i].desc,
			.test_func = test_bad_case,
			.initial_state = (void *)&bad_cases[i],
		};
	failed += _cmocka_run_group_tests("config_invalid", bad, n_bad, NULL, NULL);
	free(bad);
	return failed ? 1 : 0;
}
