// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of the load balancer's schema (user/config/schema_lb.c): interfaces, maglev, VIPs and
 * their backends, fallback, notify and control come out with every field and default as
 * documented, the shipped configs parse, and each mistake is reported at its line:column.
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

/* Test that every scheduler keepalived names (lb_algo rr wrr lc wlc sh mh) is taken, any case. */
static void test_valid_schedulers(void **state)
{
	static const struct {
		const char *word;
		unsigned int id;
	} rows[] = {
		{ "maglev", XLB_SCHED_MAGLEV }, { "mh", XLB_SCHED_MAGLEV }, { "sh", XLB_SCHED_SH },
		{ "rr", XLB_SCHED_RR },		{ "wrr", XLB_SCHED_WRR },   { "lc", XLB_SCHED_LC },
		{ "WLC", XLB_SCHED_WLC },
	};
	struct xlb_config cfg;
	char yaml[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(yaml, sizeof(yaml), IFACE VIP80 "    scheduler: %s\n    backends: []\n",
			 rows[i].word);
		parse_ok(yaml, &cfg);
		assert_int_equal(cfg.vips[0].sched, rows[i].id);
		xlb_cfg_free(&cfg);
	}
}

/* A VIP of n backends 10.0.0.1, 10.0.1.1, ... (backend i on line 7 + i), scheduler sched. */
static void lc_vip(FILE *f, const char *sched, int n)
{
	int i;

	fprintf(f, IFACE VIP80 "    scheduler: %s\n    backends:\n", sched);
	for (i = 0; i < n; i++)
		fprintf(f, "      - {address: 10.%d.%d.1}\n", i / 256, i % 256);
}

/*
 * Test that lc and wlc take at most XLB_LC_MAX_BACKENDS backends (the data path scans them all
 * per new flow): refused at the first past the cap; the other schedulers are not capped so.
 */
static void test_lc_backend_cap(void **state)
{
	static const char *const capped[] = { "lc", "wlc" };
	struct xlb_config cfg;
	char *yaml;
	size_t len, i;
	FILE *f;

	(void)state;
	for (i = 0; i < 2; i++) {
		f = yaml_stream(&yaml, &len);
		lc_vip(f, capped[i], XLB_LC_MAX_BACKENDS);
		fclose(f);
		parse_ok(yaml, &cfg);
		assert_int_equal(cfg.vips[0].n_backends, XLB_LC_MAX_BACKENDS);
		xlb_cfg_free(&cfg);
		free(yaml);

		f = yaml_stream(&yaml, &len);
		lc_vip(f, capped[i], XLB_LC_MAX_BACKENDS + 1);
		fclose(f);
		refused_once(yaml, 7 + XLB_LC_MAX_BACKENDS, 9, "too many backends for");
		free(yaml);
	}
	f = yaml_stream(&yaml, &len);
	lc_vip(f, "wrr", XLB_LC_MAX_BACKENDS + 1);
	fclose(f);
	parse_ok(yaml, &cfg);
	xlb_cfg_free(&cfg);
	free(yaml);
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
	/* What each comes to, lowest and highest. */
	static const struct {
		const char *yaml;
		uint32_t maglev, weight, interval, timeout, rise, fall;
		uint16_t port, hc_port, status;
	} cases[] = {
		{ lo, XLB_MAGLEV_MIN_SIZE, 0, 10, 1, 1, 1, 65535, 1, 100 },
		{ hi, XLB_MAGLEV_MAX_SIZE, XLB_WEIGHT_MAX, 3600000, 3599999, 100, 100, 0, 65535, 599 },
	};
	const struct xlb_cfg_health *h;
	struct xlb_config cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse_ok(cases[i].yaml, &cfg);
		assert_int_equal(cfg.maglev_size, cases[i].maglev);
		assert_int_equal(cfg.vips[0].port, cases[i].port);
		assert_int_equal(cfg.vips[0].backends[0].weight, cases[i].weight);
		h = &cfg.vips[0].backends[0].health;
		assert_int_equal(h->port, cases[i].hc_port);
		assert_int_equal(h->interval_ms, cases[i].interval);
		assert_int_equal(h->timeout_ms, cases[i].timeout);
		assert_int_equal(h->rise, cases[i].rise);
		assert_int_equal(h->fall, cases[i].fall);
		assert_int_equal(h->expect_status, cases[i].status);
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

/* Test tun VIPs with both tunnel sources, in either order of the keys; an empty tunnel is none. */
static void test_valid_tunnel(void **state)
{
	static const char yaml[] =
		IFACE
		"tunnel:\n"
		"  source6: 2001:db8:b::1\n"
		"  source: 198.51.100.1\n"
		"vips:\n"
		"  - address: 203.0.113.100\n"
		"    port: 80\n"
		"    forwarding: TUN\n"
		"    backends: [{address: 192.0.2.11}, {address: 2001:db8::11}]\n"
		"  - address: 2001:db8::100\n"
		"    port: 443\n"
		"    forwarding: tun\n"
		"    backends: [{address: 2001:db8::12}]\n";
	static const char none[] = IFACE "vips: []\ntunnel: {}\n";
	struct xlb_config cfg;

	(void)state;
	parse_ok(yaml, &cfg);
	assert_int_equal(cfg.tunnel.source.family, XLB_FAMILY_V4);
	assert_addr(&cfg.tunnel.source, "198.51.100.1");
	assert_int_equal(cfg.tunnel.source6.family, XLB_FAMILY_V6);
	assert_addr(&cfg.tunnel.source6, "2001:db8:b::1");
	assert_int_equal(cfg.vips[0].fwd, XLB_FWD_TUN);
	assert_int_equal(cfg.vips[1].fwd, XLB_FWD_TUN);
	xlb_cfg_free(&cfg);
	parse_ok(none, &cfg);
	assert_int_equal(cfg.tunnel.source.family, 0);
	assert_int_equal(cfg.tunnel.source6.family, 0);
	xlb_cfg_free(&cfg);
}

/*
 * Test NAT VIPs: keepalived's and ipvsadm's spellings without case; a backend's port replaces
 * the VIP's, defaults to it, and is where its health check connects unless health says otherwise.
 */
static void test_valid_nat(void **state)
{
	static const char yaml[] =
		IFACE
		"vips:\n"
		"  - address: 203.0.113.100\n"
		"    port: 80\n"
		"    forwarding: NAT\n"
		"    backends:\n"
		"      - {address: 198.51.100.11, port: 8080}\n"
		"      - {address: 198.51.100.12}\n"
		"      - {address: 198.51.100.13, port: 8081, health: {port: 9000}}\n"
		"  - address: 2001:db8::100\n"
		"    port: 443\n"
		"    forwarding: masq\n"
		"    backends: [{address: 2001:db8:b::11, port: 65535}]\n"
		"  - address: 203.0.113.101\n"
		"    port: 53\n"
		"    protocol: udp\n"
		"    forwarding: Masq\n"
		"    backends: [{address: 198.51.100.21, port: 1}]\n";
	struct xlb_config cfg;
	const struct xlb_cfg_vip *v;

	(void)state;
	parse_ok(yaml, &cfg);
	v = &cfg.vips[0];
	assert_int_equal(v->fwd, XLB_FWD_NAT);
	assert_int_equal(v->backends[0].port, 8080);
	assert_int_equal(v->backends[0].health.port, 8080);
	assert_int_equal(v->backends[1].port, 80);
	assert_int_equal(v->backends[1].health.port, 0); /* the VIP's, as for any backend */
	assert_int_equal(v->backends[2].port, 8081);
	assert_int_equal(v->backends[2].health.port, 9000);
	v = &cfg.vips[1];
	assert_int_equal(v->fwd, XLB_FWD_NAT);
	assert_int_equal(v->backends[0].port, 65535);
	assert_int_equal(v->backends[0].health.port, 65535);
	v = &cfg.vips[2];
	assert_int_equal(v->fwd, XLB_FWD_NAT);
	assert_int_equal(v->backends[0].port, 1);
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

/* Test that the shipped demo config parses to the demo's topology. */
static void test_file_demo(void **state)
{
	struct xlb_config cfg;
	const struct xlb_cfg_vip *v;

	(void)state;
	parse_file_ok("configs/demo.yaml", &cfg);
	assert_string_equal(cfg.path, "configs/demo.yaml");
	assert_int_equal(cfg.maglev_size, 65537);
	assert_demo_topology(&cfg);
	v = &cfg.vips[0];
	assert_int_equal(v->proto, IPPROTO_TCP);
	assert_int_equal(v->sched, XLB_SCHED_MAGLEV);
	assert_int_equal(v->fwd, XLB_FWD_DR);
	assert_int_equal(v->backends[0].weight, 100);
	assert_int_equal(v->backends[1].weight, 100);
	assert_int_equal(v->backends[2].weight, 100);
	xlb_cfg_free(&cfg);
}

/* Test that the shipped example config parses, its IPv6 VIP, health and failover examples too. */
static void test_file_example(void **state)
{
	struct xlb_config cfg;
	const struct xlb_cfg_vip *v;

	(void)state;
	parse_file_ok("configs/example.yaml", &cfg);
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
	assert_int_equal(cfg.vrrps[0].vrid, 51);
	assert_int_equal(cfg.vrrps[0].advert_cs, 10);
	assert_int_equal(cfg.vrrps[0].preempt_delay_ms, 10000);
	assert_int_equal(cfg.vrrps[0].n_unicast_peers, 1);
	assert_int_equal(cfg.vrrps[0].n_vaddrs, 1);
	assert_int_equal(cfg.vrrps[0].vaddrs[0].prefix, 24);
	assert_int_equal(cfg.vrrps[0].n_tracks, 2);
	assert_int_equal(cfg.vrrps[0].tracks[0].is_vip, 0);
	assert_string_equal(cfg.vrrps[0].tracks[1].name, "web");
	assert_int_equal(cfg.sync.enabled, 1);
	assert_string_equal(cfg.sync.key_file, "/etc/xlb/sync.key");
	xlb_cfg_free(&cfg);
}

/* Invalid configs: one mistake each, at an exact position. */

static const struct bad_case lb_cases[] = {
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
	  IFACE VIP80
	  "    protocol: sctp\n"
	  "    backends: []\n",
	  5, 15, "bad protocol 'sctp' (expected tcp or udp)" },
	{ "scheduler not supported yet",
	  IFACE VIP80
	  "    scheduler: lblc\n"
	  "    backends: []\n",
	  5, 16, "scheduler 'lblc' is not supported yet" },
	{ "unknown scheduler",
	  IFACE VIP80
	  "    scheduler: random\n"
	  "    backends: []\n",
	  5, 16, "unknown scheduler 'random'" },
	{ "unknown forwarding",
	  IFACE VIP80
	  "    forwarding: gre\n"
	  "    backends: []\n",
	  5, 17, "unknown forwarding 'gre' (expected dr, tun or nat)" },
	/* nat and a backend's port */
	{ "backend port on a dr VIP",
	  IFACE BACKENDS
	  "      - {address: 192.0.2.11, port: 8080}\n",
	  6, 31, "port applies to nat forwarding only (this VIP is dr)" },
	{ "backend port on a tun VIP, forwarding after the backends",
	  IFACE BACKENDS
	  "      - address: 192.0.2.11\n"
	  "        port: 8080\n"
	  "    forwarding: tun\n"
	  "tunnel: {source: 198.51.100.1}\n",
	  7, 9, "port applies to nat forwarding only (this VIP is tun)" },
	{ "backend port on a port-0 nat VIP",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: 0\n"
	  "    forwarding: nat\n"
	  "    backends: [{address: 192.0.2.11, port: 8080}]\n",
	  6, 38, "a backend port needs a VIP port: this VIP takes every port (port 0)" },
	{ "backend port 0",
	  IFACE VIP80
	  "    forwarding: nat\n"
	  "    backends: [{address: 192.0.2.11, port: 0}]\n",
	  6, 44, "port 0 is out of range" },
	{ "backend port too large",
	  IFACE VIP80
	  "    forwarding: nat\n"
	  "    backends: [{address: 192.0.2.11, port: 65536}]\n",
	  6, 44, "port 65536 is out of range" },
	{ "nat backend of the other family (no NAT46)",
	  IFACE VIP80
	  "    forwarding: nat\n"
	  "    backends: [{address: 2001:db8::11}]\n",
	  6, 26, "backend family differs from the VIP (2001:db8::11 is IPv6, the VIP IPv4)" },
	/* tunnel */
	{ "tun backend without an ipv4 tunnel source",
	  IFACE VIP80
	  "    forwarding: tun\n"
	  "    backends:\n"
	  "      - address: 192.0.2.11\n",
	  7, 9, "tun backend 192.0.2.11 needs an IPv4 tunnel source (tunnel: {source: ...})" },
	{ "tun backend without an ipv6 tunnel source, tunnel after the vips",
	  IFACE
	  "vips:\n"
	  "  - address: 2001:db8::100\n"
	  "    port: 443\n"
	  "    forwarding: tun\n"
	  "    backends: [{address: 2001:db8::11}]\n"
	  "tunnel: {source: 198.51.100.1}\n",
	  6, 16, "tun backend 2001:db8::11 needs an IPv6 tunnel source (tunnel: {source6: ...})" },
	{ "tun fallback without a tunnel source",
	  IFACE VIP80
	  "    forwarding: tun\n"
	  "    fallback: 192.0.2.50\n"
	  "    backends: []\n",
	  3, 5, "tun backend 192.0.2.50 needs an IPv4 tunnel source" },
	{ "tunnel source is ipv6",
	  IFACE
	  "vips: []\n"
	  "tunnel:\n"
	  "  source: 2001:db8::1\n",
	  4, 11, "source 2001:db8::1 is not an IPv4 address" },
	{ "tunnel source6 is ipv4",
	  IFACE
	  "vips: []\n"
	  "tunnel:\n"
	  "  source6: 198.51.100.1\n",
	  4, 12, "source6 198.51.100.1 is not an IPv6 address" },
	{ "tunnel source not an address",
	  IFACE
	  "vips: []\n"
	  "tunnel: {source: gateway}\n",
	  3, 18, "bad address 'gateway'" },
	{ "tunnel source multicast",
	  IFACE
	  "vips: []\n"
	  "tunnel: {source: 224.0.0.1}\n",
	  3, 18, "address 224.0.0.1 is multicast" },
	{ "tunnel: unknown key",
	  IFACE
	  "vips: []\n"
	  "tunnel: {src: 198.51.100.1}\n",
	  3, 10, "unknown key 'src' in tunnel (expected source, source6)" },
	{ "dr backend of the other family is still refused",
	  IFACE VIP80
	  "    forwarding: dr\n"
	  "    backends: [{address: 2001:db8::11}]\n",
	  6, 26, "backend family differs from the VIP" },
	{ "vip name too long",
	  IFACE
	  "vips:\n"
	  "  - name: a234567890123456789012345678901234567890123456789012345678901234\n"
	  "    address: 203.0.113.1\n"
	  "    port: 80\n"
	  "    backends: []\n",
	  3, 11, "is longer than 63 characters" },
	{ "duplicate VIP",
	  IFACE VIP80
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
	  IFACE VIP80
	  "    backends: {address: 192.0.2.1}\n",
	  5, 15, "'backends' must be a list, not a mapping" },
	{ "duplicate backend",
	  IFACE BACKENDS
	  "      - address: 192.0.2.1\n"
	  "      - address: 192.0.2.2\n"
	  "      - address: 192.0.2.1\n",
	  8, 18, "duplicate backend 192.0.2.1 (first at line 6)" },
	{ "backend family differs from the VIP",
	  IFACE BACKENDS
	  "      - address: 2001:db8::11\n",
	  6, 18, "backend family differs from the VIP" },
	{ "bad backend address",
	  IFACE BACKENDS
	  "      - address: 192.0.2\n",
	  6, 18, "bad address '192.0.2'" },
	{ "weight too large",
	  IFACE BACKENDS
	  "      - address: 192.0.2.1\n"
	  "        weight: 65536\n",
	  7, 17, "weight 65536 is out of range (0..65535)" },
	{ "weight negative",
	  IFACE BACKENDS
	  "      - address: 192.0.2.1\n"
	  "        weight: -5\n",
	  7, 17, "weight -5 is out of range" },
	{ "weight not an integer",
	  IFACE BACKENDS
	  "      - address: 192.0.2.1\n"
	  "        weight: 1.5\n",
	  7, 17, "weight '1.5' is not a decimal integer" },
	{ "unknown key in backend",
	  IFACE BACKENDS
	  "      - address: 192.0.2.1\n"
	  "        gateway: 192.0.2.254\n",
	  7, 9, "unknown key 'gateway' in backend (expected address, weight, port, health)" },
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
	  IFACE BACKENDS
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

};

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_full),
		cmocka_unit_test(test_valid_defaults),
		cmocka_unit_test(test_valid_ipv6),
		cmocka_unit_test(test_valid_port0_no_backends),
		cmocka_unit_test(test_valid_no_vips),
		cmocka_unit_test(test_valid_keepalived_names),
		cmocka_unit_test(test_valid_schedulers),
		cmocka_unit_test(test_lc_backend_cap),
		cmocka_unit_test(test_valid_same_address),
		cmocka_unit_test(test_valid_key_order),
		cmocka_unit_test(test_valid_bounds),
		cmocka_unit_test(test_valid_fallback),
		cmocka_unit_test(test_valid_notify_control),
		cmocka_unit_test(test_valid_tunnel),
		cmocka_unit_test(test_valid_nat),
		cmocka_unit_test(test_file_demo),
		cmocka_unit_test(test_file_example),
	};

	return run_config_tests("config_lb", tests, sizeof(tests) / sizeof(tests[0]), lb_cases,
				sizeof(lb_cases) / sizeof(lb_cases[0]));
}
