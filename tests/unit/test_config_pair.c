// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of the pair's schema (user/config/schema_pair.c): failover, VRRP, track and sync come
 * out with keepalived's names and defaults, the shipped pair configs mirror each other, and
 * each mistake is reported at its line:column.
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
	r = &cfg.vrrps[0];
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
	assert_null(cfg.vrrps);
}

/* The vrrp defaults, as every instance carries them: keepalived's. */
static void assert_vrrp_defaults(const struct xlb_config *cfg)
{
	const struct xlb_cfg_vrrp *r = &cfg->vrrps[0];

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
	/* Without failover there is no instance: nothing can read one's defaults by mistake. */
	parse_ok(IFACE "vips: []\n", &cfg);
	assert_int_equal(cfg.failover_mode, XLB_FAILOVER_NONE);
	assert_int_equal(cfg.n_vrrps, 0);
	assert_null(cfg.vrrps);
	xlb_cfg_free(&cfg);

	parse_ok(IFACE "vips: []\nfailover: {mode: none}\n", &cfg);
	assert_int_equal(cfg.failover_mode, XLB_FAILOVER_NONE);
	assert_int_equal(cfg.n_vrrps, 0);
	xlb_cfg_free(&cfg);

	parse_ok(vrrp, &cfg);
	assert_int_equal(cfg.failover_mode, XLB_FAILOVER_VRRP);
	assert_string_equal(cfg.vrrps[0].interface, "eth0");
	assert_int_equal(cfg.vrrps[0].vrid, 1);
	assert_int_equal(cfg.vrrps[0].pos.line, 5);
	assert_int_equal(cfg.vrrps[0].pos.col, 9);
	assert_int_equal(cfg.vrrps[0].n_vaddrs, 1);
	assert_addr(&cfg.vrrps[0].vaddrs[0].addr, "192.0.2.100");
	assert_int_equal(cfg.vrrps[0].vaddrs[0].prefix, 32);
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
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse_okf(&cfg,
			  IFACE "vips: []\nfailover:\n  mode: vrrp\n  vrrp:\n"
				"    {interface: eth0, vrid: 1, virtual_addresses: [192.0.2.1],\n"
				"     %s}\n",
			  cases[i].line);
		if (cfg.vrrps[0].preempt != cases[i].preempt)
			fail_msg("%s: preempt %u", cases[i].line, cfg.vrrps[0].preempt);
		xlb_cfg_free(&cfg);
	}
}

/*
 * Test several instances (keepalived's vrrp_instance) and a sync group: names given and
 * defaulted, each with its own defaults, and membership resolved whatever the order of keys.
 */
static void test_valid_instances_groups(void **state)
{
	static const char yaml[] =
		"interfaces: [{name: eth0}, {name: eth1}]\n"                          /* 1 */
		"vips: []\n"                                                          /* 2 */
		"failover:\n"                                                         /* 3 */
		"  sync_groups:\n"                                                    /* 4 */
		"    - name: VG1\n"                                                   /* 5 */
		"      members: [VI_GW, VI_1]\n"                                      /* 6 */
		"  mode: vrrp\n"                                                      /* 7 */
		"  vrrp:\n"                                                           /* 8 */
		"    - name: VI_1\n"                                                  /* 9 */
		"      interface: eth0\n"                                             /* 10 */
		"      vrid: 51\n"                                                    /* 11 */
		"      priority: 150\n"                                               /* 12 */
		"      virtual_addresses: [203.0.113.100/24]\n"                       /* 13 */
		"    - name: VI_GW\n"                                                 /* 14 */
		"      interface: eth1\n"                                             /* 15 */
		"      vrid: 52\n"                                                    /* 16 */
		"      version: 2\n"                                                  /* 17 */
		"      virtual_addresses: [198.51.100.1/24]\n"                        /* 18 */
		"    - interface: eth1\n"                                             /* 19 */
		"      vrid: 51\n"                                                    /* 20 */
		"      virtual_addresses: [198.51.100.2]\n";                          /* 21 */
	struct xlb_config cfg;

	(void)state;
	parse_ok(yaml, &cfg);
	assert_int_equal(cfg.n_vrrps, 3);
	assert_string_equal(cfg.vrrps[0].name, "VI_1");
	assert_string_equal(cfg.vrrps[1].name, "VI_GW");
	assert_string_equal(cfg.vrrps[2].name, "VI_3");
	assert_int_equal(cfg.vrrps[0].priority, 150);
	/* each instance has keepalived's defaults of its own */
	assert_int_equal(cfg.vrrps[1].priority, 100);
	assert_int_equal(cfg.vrrps[1].advert_cs, 100);
	assert_int_equal(cfg.vrrps[1].preempt, 1);
	assert_int_equal(cfg.vrrps[1].garp_repeat, 5);
	assert_int_equal(cfg.vrrps[1].garp_delay_ms, 5000);
	assert_int_equal(cfg.vrrps[1].version, 2);
	assert_int_equal(cfg.vrrps[2].version, 3);
	assert_int_equal(cfg.vrrps[2].priority, 100);
	/* vrid 51 again, on another link: another virtual router */
	assert_int_equal(cfg.vrrps[2].vrid, 51);
	assert_int_equal(cfg.vrrps[0].pos.line, 9);
	assert_int_equal(cfg.vrrps[2].pos.line, 19);
	assert_int_equal(cfg.n_sync_groups, 1);
	assert_string_equal(cfg.sync_groups[0].name, "VG1");
	assert_int_equal(cfg.sync_groups[0].pos.line, 5);
	assert_int_equal(cfg.vrrps[0].sync_group, 0);
	assert_int_equal(cfg.vrrps[1].sync_group, 0);
	assert_int_equal(cfg.vrrps[2].sync_group, -1);
	xlb_cfg_free(&cfg);
	assert_null(cfg.vrrps);
	assert_null(cfg.sync_groups);

	/* One mapping is one instance, named VI_1, in no group. */
	parse_ok(IFACE FAILOVER
		 "  mode: vrrp\n"
		 "  vrrp: {interface: eth0, vrid: 1, virtual_addresses: [192.0.2.100]}\n",
		 &cfg);
	assert_int_equal(cfg.n_vrrps, 1);
	assert_string_equal(cfg.vrrps[0].name, "VI_1");
	assert_int_equal(cfg.vrrps[0].sync_group, -1);
	assert_int_equal(cfg.n_sync_groups, 0);
	xlb_cfg_free(&cfg);
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
	r = &cfg.vrrps[0];
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
	/* What each comes to, lowest and highest; lo's peer takes the default port. */
	static const struct {
		const char *yaml;
		uint8_t vrid, priority, prefix, track_weight;
		uint16_t advert_cs, listen_port, peer_port;
		uint32_t preempt_delay, garp_repeat, garp_delay, garp_refresh;
	} cases[] = {
		{ lo, 1, 1, 1, 1, 1, 1, 8849, 0, 1, 0, 0 },
		/* One address, two ports: a pair on one host, for tests. */
		{ hi, 255, 255, 128, 254, 4095, 65535, 65534, 3600000, 100, 3600000, 3600000 },
	};
	const struct xlb_cfg_vrrp *r;
	struct xlb_config cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse_ok(cases[i].yaml, &cfg);
		r = &cfg.vrrps[0];
		assert_int_equal(r->vrid, cases[i].vrid);
		assert_int_equal(r->priority, cases[i].priority);
		assert_int_equal(r->advert_cs, cases[i].advert_cs);
		assert_int_equal(r->preempt_delay_ms, cases[i].preempt_delay);
		assert_int_equal(r->garp_repeat, cases[i].garp_repeat);
		assert_int_equal(r->garp_delay_ms, cases[i].garp_delay);
		assert_int_equal(r->garp_refresh_ms, cases[i].garp_refresh);
		assert_int_equal(r->vaddrs[0].prefix, cases[i].prefix);
		assert_int_equal(r->tracks[0].weight, cases[i].track_weight);
		assert_int_equal(cfg.sync.listen_port, cases[i].listen_port);
		assert_int_equal(cfg.sync.peer_port, cases[i].peer_port);
		xlb_cfg_free(&cfg);
	}
}

/*
 * Test virtual addresses on interfaces of their own, in keepalived's "dev" line and as a
 * mapping, beside one on vrrp's interface; the interfaces may be listed after failover.
 */
static void test_valid_vaddr_interfaces(void **state)
{
	static const char yaml[] =
		"vips: []\n"
		"failover:\n"
		"  mode: vrrp\n"
		"  vrrp:\n"
		"    interface: eth0\n"
		"    vrid: 51\n"
		"    virtual_addresses:\n"
		"      - 203.0.113.100/24\n"
		"      - 198.51.100.1/24 dev eth1\n"
		"      - \"198.51.100.2\tdev  eth1\"\n"
		"      - {address: 198.51.100.3/25, interface: eth1}\n"
		"      - {address: 203.0.113.101, interface: eth0}\n"
		"      - {address: 203.0.113.102}\n"
		"interfaces: [{name: eth0}, {name: eth1}]\n";
	static const struct {
		const char *addr, *ifname;
		uint8_t prefix;
	} want[] = {
		{ "203.0.113.100", "", 24 }, { "198.51.100.1", "eth1", 24 },
		{ "198.51.100.2", "eth1", 32 }, { "198.51.100.3", "eth1", 25 },
		{ "203.0.113.101", "eth0", 32 }, { "203.0.113.102", "", 32 },
	};
	struct xlb_config cfg;
	size_t i;

	(void)state;
	parse_ok(yaml, &cfg);
	assert_int_equal(cfg.vrrps[0].n_vaddrs, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < cfg.vrrps[0].n_vaddrs; i++) {
		assert_addr(&cfg.vrrps[0].vaddrs[i].addr, want[i].addr);
		assert_string_equal(cfg.vrrps[0].vaddrs[i].interface, want[i].ifname);
		assert_int_equal(cfg.vrrps[0].vaddrs[i].prefix, want[i].prefix);
	}
	assert_int_equal(cfg.vrrps[0].vaddrs[1].if_pos.line, 9);
	assert_int_equal(cfg.vrrps[0].vaddrs[3].if_pos.line, 11);
	assert_int_equal(cfg.vrrps[0].vaddrs[3].if_pos.col, 47);
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
	assert_int_equal(cfg.vrrps[0].n_tracks, 3);
	assert_string_equal(cfg.vrrps[0].tracks[1].name, "203.0.113.1:53/udp");
	assert_int_equal(cfg.vrrps[0].tracks[1].is_vip, 1);
	/* An interface may share a VIP's name: they are different things. */
	assert_string_equal(cfg.vrrps[0].tracks[2].name, "web");
	assert_int_equal(cfg.vrrps[0].tracks[2].is_vip, 0);
	xlb_cfg_free(&cfg);
}

/* Test that the two halves of the shipped hot-standby pair parse, and mirror each other. */
static void test_file_pair(void **state)
{
	static const char *const files[] = { "configs/pair-a.yaml", "configs/pair-b.yaml" };
	static const char *const me[] = { "192.0.2.2", "192.0.2.3" };
	static const uint8_t prio[] = { 150, 100 };
	const struct xlb_cfg_vrrp *r;
	struct xlb_config cfg;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		parse_file_ok(files[i], &cfg);
		assert_demo_topology(&cfg);

		assert_int_equal(cfg.failover_mode, XLB_FAILOVER_VRRP);
		r = &cfg.vrrps[0];
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

/* Invalid configs: one mistake each, at an exact position. */

#define TWO_INSTANCES                                                                       \
	"  mode: vrrp\n"                                                         /* 4 */  \
	"  vrrp:\n"                                                              /* 5 */  \
	"    - {name: A, interface: eth0, vrid: 1, virtual_addresses: [192.0.2.100]}\n" /* 6 */ \
	"    - {name: B, interface: eth0, vrid: 2, virtual_addresses: [192.0.2.101]}\n" /* 7 */ \
	"  sync_groups:\n"                                                       /* 8 */

static const struct bad_case pair_cases[] = {
	/* several instances and sync groups */
	{ "instances: duplicate name",
	  IFACE FAILOVER
	  "  mode: vrrp\n"
	  "  vrrp:\n"
	  "    - {name: VI_1, interface: eth0, vrid: 1, virtual_addresses: [192.0.2.100]}\n"
	  "    - {name: VI_1, interface: eth0, vrid: 2, virtual_addresses: [192.0.2.101]}\n",
	  7, 14, "duplicate instance name 'VI_1' (first at line 6)" },
	{ "instances: a default name taken",
	  IFACE FAILOVER
	  "  mode: vrrp\n"
	  "  vrrp:\n"
	  "    - {name: VI_2, interface: eth0, vrid: 1, virtual_addresses: [192.0.2.100]}\n"
	  "    - {interface: eth0, vrid: 2, virtual_addresses: [192.0.2.101]}\n",
	  7, 7, "duplicate instance name 'VI_2' (first at line 6)" },
	{ "instances: one vrid twice on a link",
	  IFACE FAILOVER
	  "  mode: vrrp\n"
	  "  vrrp:\n"
	  "    - {name: A, interface: eth0, vrid: 1, virtual_addresses: [192.0.2.100]}\n"
	  "    - {name: B, interface: eth0, vrid: 1, virtual_addresses: [192.0.2.101]}\n",
	  7, 7, "instances A and B are both vrid 1 on eth0" },
	{ "instances: bad name",
	  IFACE FAILOVER
	  "  mode: vrrp\n"
	  "  vrrp:\n"
	  "    - {name: \"a b\", interface: eth0, vrid: 1, virtual_addresses: [192.0.2.100]}\n",
	  6, 14, "instance name 'a b' must be 1 to 31 of A-Z a-z 0-9 _ . -" },
	{ "instances: an entry that is no mapping",
	  IFACE FAILOVER
	  "  mode: vrrp\n"
	  "  vrrp:\n"
	  "    - eth0\n",
	  6, 7, "an entry of 'vrrp' must be a mapping, not a scalar" },
	{ "sync group: member is no instance",
	  IFACE FAILOVER TWO_INSTANCES
	  "    - {name: G, members: [A, C]}\n",
	  9, 30, "sync group member 'C' is no vrrp instance" },
	{ "sync group: one member",
	  IFACE FAILOVER TWO_INSTANCES
	  "    - {name: G, members: [A]}\n",
	  9, 26, "a sync group needs 2 members or more" },
	{ "sync group: an instance in two",
	  IFACE FAILOVER TWO_INSTANCES
	  "    - {name: G, members: [A, B]}\n"
	  "    - {name: H, members: [B, A]}\n",
	  10, 27, "instance B is in sync group G already", 2 },
	{ "sync group: duplicate name",
	  IFACE FAILOVER
	  "  mode: vrrp\n"
	  "  vrrp:\n"
	  "    - {name: A, interface: eth0, vrid: 1, virtual_addresses: [192.0.2.100]}\n"
	  "    - {name: B, interface: eth0, vrid: 2, virtual_addresses: [192.0.2.101]}\n"
	  "    - {name: C, interface: eth0, vrid: 3, virtual_addresses: [192.0.2.102]}\n"
	  "    - {name: D, interface: eth0, vrid: 4, virtual_addresses: [192.0.2.103]}\n"
	  "  sync_groups:\n"
	  "    - {name: G, members: [A, B]}\n"
	  "    - {name: G, members: [C, D]}\n",
	  12, 7, "duplicate sync group name 'G' (first at line 11)" },
	{ "sync group: no name",
	  IFACE FAILOVER TWO_INSTANCES
	  "    - {members: [A, B]}\n",
	  9, 7, "missing required key 'name' in sync_groups" },
	{ "sync group: needs mode vrrp",
	  IFACE FAILOVER
	  "  mode: none\n"
	  "  sync_groups: [{name: G, members: [A, B]}]\n",
	  5, 3, "sync_groups needs mode vrrp (mode is none)" },
	/* failover */
	{ "failover: not a mapping",
	  IFACE
	  "vips: []\n"
	  "failover: vrrp\n",
	  3, 11, "'failover' must be a mapping, not a scalar" },
	{ "failover: mode bogus",
	  IFACE FAILOVER
	  "  mode: keepalived\n",
	  4, 9, "unknown failover mode 'keepalived' (expected vrrp, zookeeper or none)" },
	{ "failover: mode missing",
	  IFACE FAILOVER
	  "  vrrp: {interface: eth0, vrid: 1, virtual_addresses: [192.0.2.1]}\n",
	  4, 3, "missing required key 'mode' in failover" },
	{ "failover: mode vrrp without vrrp",
	  IFACE FAILOVER
	  "  mode: vrrp\n",
	  4, 3, "missing required key 'vrrp' in failover (mode is vrrp)" },
	{ "failover: vrrp with mode none",
	  IFACE FAILOVER
	  "  mode: none\n"
	  "  vrrp: {interface: eth0, vrid: 1, virtual_addresses: [192.0.2.1]}\n",
	  5, 3, "vrrp does not apply to mode none" },
	{ "failover: sync with mode none",
	  IFACE FAILOVER
	  "  mode: none\n"
	  "  sync: {listen: 192.0.2.2, peer: 192.0.2.3, key_file: /etc/xlb/sync.key}\n",
	  5, 3, "sync needs mode vrrp (mode is none)" },
	{ "failover: vrrp is an empty list",
	  IFACE FAILOVER
	  "  mode: vrrp\n"
	  "  vrrp: []\n",
	  5, 9, "vrrp has no instance" },
	{ "failover: vrrp is a scalar",
	  IFACE FAILOVER
	  "  mode: vrrp\n"
	  "  vrrp: eth0\n",
	  5, 9, "'vrrp' must be a mapping or a list of mappings, not a scalar" },
	{ "failover: unknown key",
	  IFACE FAILOVER
	  "  mode: none\n"
	  "  consul: {}\n",
	  5, 3, "unknown key 'consul' in failover (expected mode, vrrp, sync, sync_groups, "
	  "zookeeper)" },

	/* failover: vrrp */
	{ "vrrp: unknown key lists every key",
	  IFACE VRRP
	  "    prempt: true\n",
	  9, 5, "unknown key 'prempt' in vrrp (expected interface, vrid, priority, "
		"advert_interval, preempt, preempt_delay, nopreempt, unicast_peers, "
		"virtual_addresses, garp_repeat, garp_delay, garp_refresh, notify, track, "
		"version, authentication, state, name)" },
	{ "vrrp: interface missing, at the mapping",
	  IFACE FAILOVER
	  "  mode: vrrp\n"
	  "  vrrp:\n"
	  "    vrid: 51\n"
	  "    virtual_addresses: [203.0.113.100]\n",
	  6, 5, "missing required key 'interface' in vrrp" },
	{ "vrrp: interface name too long",
	  IFACE FAILOVER
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
	  9, 5, "advert_interval 50s is out of range (10ms..40950ms) with version 3" },
	{ "vrrp: advert_interval below a centisecond",
	  IFACE VRRP
	  "    advert_interval: 5ms\n",
	  9, 22, "advert_interval 5ms is out of range (10ms..255s)" },
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
	{ "vrrp: virtual address a list",
	  IFACE VRRP_HEAD
	  "    vrid: 51\n"
	  "    virtual_addresses: [[203.0.113.100]]\n",
	  8, 25, "an entry of 'virtual_addresses' must be a scalar or a mapping, not a list" },
	/* virtual addresses on an interface of their own (a NAT pair's backends' gateway) */
	{ "vrrp: virtual address dev on an unknown interface",
	  IFACE VRRP_HEAD
	  "    vrid: 51\n"
	  "    virtual_addresses: [\"198.51.100.1/24 dev eth9\"]\n",
	  8, 25, "unknown interface 'eth9' (neither vrrp's interface nor one of interfaces)" },
	{ "vrrp: virtual address mapping on an unknown interface",
	  IFACE VRRP_HEAD
	  "    vrid: 51\n"
	  "    virtual_addresses:\n"
	  "      - {address: 198.51.100.1, interface: eth2}\n",
	  9, 44, "unknown interface 'eth2' (neither vrrp's interface nor one of interfaces)" },
	{ "vrrp: virtual address with a word other than dev",
	  IFACE VRRP_HEAD
	  "    vrid: 51\n"
	  "    virtual_addresses: [\"198.51.100.1/24 on eth1\"]\n",
	  8, 25, "bad virtual address '198.51.100.1/24 on eth1' (expected ADDRESS[/PREFIX] "
	  "[dev INTERFACE])" },
	{ "vrrp: virtual address dev without an interface",
	  IFACE VRRP_HEAD
	  "    vrid: 51\n"
	  "    virtual_addresses: [\"198.51.100.1 dev\"]\n",
	  8, 25, "bad virtual address '198.51.100.1 dev'" },
	{ "vrrp: virtual address dev with a bad interface name",
	  IFACE VRRP_HEAD
	  "    vrid: 51\n"
	  "    virtual_addresses: [\"198.51.100.1 dev eth1:0\"]\n",
	  8, 25, "'eth1:0' is not a valid interface name" },
	{ "vrrp: virtual address dev with a bad address",
	  IFACE VRRP_HEAD
	  "    vrid: 51\n"
	  "    virtual_addresses: [\"203.0.113/24 dev eth0\"]\n",
	  8, 25, "bad address '203.0.113/24': not an IPv4 or IPv6 address" },
	{ "vrrp: virtual address mapping without its address",
	  IFACE VRRP_HEAD
	  "    vrid: 51\n"
	  "    virtual_addresses: [{interface: eth0}]\n",
	  8, 25, "missing required key 'address' in virtual address" },
	{ "vrrp: virtual address mapping with an unknown key",
	  IFACE VRRP_HEAD
	  "    vrid: 51\n"
	  "    virtual_addresses: [{address: 198.51.100.1, dev: eth1}]\n",
	  8, 49, "unknown key 'dev' in virtual address (expected address, interface)" },
	{ "vrrp: virtual address mapping duplicates a line",
	  IFACE VRRP_HEAD
	  "    vrid: 51\n"
	  "    virtual_addresses:\n"
	  "      - 198.51.100.1/24\n"
	  "      - {address: 198.51.100.1, interface: eth0}\n",
	  10, 19, "duplicate virtual address 198.51.100.1 (first at line 9)" },
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

	/* failover: vrrp: version, authentication, state */
	{ "vrrp: version 1",
	  IFACE VRRP
	  "    version: 1\n",
	  9, 14, "version 1 is out of range (2..3)" },
	{ "vrrp: version 2 with IPv6 addresses, at the first",
	  IFACE VRRP_HEAD
	  "    vrid: 51\n"
	  "    version: 2\n"
	  "    virtual_addresses: [2001:db8::100]\n",
	  9, 25, "virtual address 2001:db8::100 is IPv6: version 2 is IPv4 only (use version 3)" },
	{ "vrrp: version 2 with centiseconds",
	  IFACE VRRP
	  "    version: 2\n"
	  "    advert_interval: 1500ms\n",
	  10, 5, "advert_interval must be a whole number of seconds, 1s..255s, with version 2" },
	{ "vrrp: version 2 with more than 255 s",
	  IFACE VRRP
	  "    advert_interval: 256s\n"
	  "    version: 2\n",
	  9, 22, "advert_interval 256s is out of range (10ms..255s)" },
	{ "vrrp: version 3 with more than 40.95 s",
	  IFACE VRRP
	  "    advert_interval: 41s\n",
	  9, 5, "advert_interval 41s is out of range (10ms..40950ms) with version 3" },
	{ "vrrp: bare advert_interval needs a unit",
	  IFACE VRRP
	  "    version: 2\n"
	  "    advert_interval: 1\n",
	  10, 22, "duration '1' needs a unit (ms, s, m)" },
	{ "vrrp: authentication with version 3",
	  IFACE VRRP
	  "    authentication: {type: pass, password: \"1111\"}\n",
	  9, 5, "authentication needs version 2 (VRRPv3 has none, RFC 5798)" },
	{ "vrrp: authentication with the default version",
	  IFACE VRRP
	  "    version: 3\n"
	  "    authentication: {type: none}\n",
	  10, 5, "authentication needs version 2 (VRRPv3 has none, RFC 5798)" },
	{ "vrrp: authentication type ah",
	  IFACE VRRP
	  "    version: 2\n"
	  "    authentication: {type: AH}\n",
	  10, 28, "authentication type ah is not supported: keepalived's AH is deprecated and "
		  "broken; use pass or none" },
	{ "vrrp: authentication type bogus",
	  IFACE VRRP
	  "    version: 2\n"
	  "    authentication: {type: md5}\n",
	  10, 28, "unknown authentication type 'md5' (expected pass or none)" },
	{ "vrrp: authentication type missing",
	  IFACE VRRP
	  "    version: 2\n"
	  "    authentication: {password: \"1111\"}\n",
	  10, 21, "missing required key 'type' in authentication" },
	{ "vrrp: authentication pass without password",
	  IFACE VRRP
	  "    version: 2\n"
	  "    authentication:\n"
	  "      type: pass\n",
	  11, 7, "missing required key 'password' in authentication (type is pass)" },
	{ "vrrp: authentication none with a password",
	  IFACE VRRP
	  "    version: 2\n"
	  "    authentication:\n"
	  "      type: none\n"
	  "      password: secret\n",
	  12, 7, "password does not apply to type none" },
	{ "vrrp: password longer than 8",
	  IFACE VRRP
	  "    version: 2\n"
	  "    authentication: {type: pass, password: 123456789}\n",
	  10, 44, "password is 9 bytes: the advert carries 8 and keepalived uses only the first 8" },
	{ "vrrp: password empty",
	  IFACE VRRP
	  "    version: 2\n"
	  "    authentication: {type: pass, password: ''}\n",
	  10, 44, "password is empty (1 to 8 bytes)" },
	{ "vrrp: authentication not a mapping",
	  IFACE VRRP
	  "    version: 2\n"
	  "    authentication: pass\n",
	  10, 21, "'authentication' must be a mapping, not a scalar" },
	{ "vrrp: state bogus",
	  IFACE VRRP
	  "    state: fault\n",
	  9, 12, "bad state 'fault' (expected master or backup)" },
	{ "vrrp: nopreempt with state master",
	  IFACE VRRP
	  "    state: MASTER\n"
	  "    nopreempt: true\n",
	  10, 5, "nopreempt does not work with state master (keepalived clears it too)" },
	{ "vrrp: preempt false with state master",
	  IFACE VRRP
	  "    preempt: false\n"
	  "    state: master\n",
	  9, 5, "preempt: false does not work with state master" },
	{ "vrrp: preempt_delay with state master",
	  IFACE VRRP
	  "    preempt_delay: 2s\n"
	  "    state: master\n",
	  9, 5, "preempt_delay does not work with state master (keepalived clears it too)" },

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

/* Test keepalived's default VRRPv2 with PASS, state MASTER and a weightless (FAULT) track. */
static void test_valid_failover_v2(void **state)
{
	static const char yaml[] =
		IFACE VRRP
		"    version: 2\n"                                       /* 9 */
		"    advert_interval: 3s\n"                              /* 10 */
		"    state: Master\n"                                    /* 11 */
		"    authentication: {type: PASS, password: \"1111\"}\n" /* 12 */
		"    track: [{interface: eth1}, {interface: eth2, weight: 5}]\n"
		"    unicast_peers: [192.0.2.3]\n";
	static const char eight[] =
		IFACE VRRP
		"    version: 2\n"
		"    state: backup\n"
		"    authentication: {type: pass, password: \"12345678\"}\n";
	static const char none[] =
		IFACE VRRP
		"    version: 2\n"
		"    advert_interval: 255s\n"
		"    authentication: {type: none}\n";
	static const uint8_t pw[8] = { '1', '1', '1', '1' };
	const struct xlb_cfg_vrrp *r;
	struct xlb_config cfg;

	(void)state;
	parse_ok(yaml, &cfg);
	r = &cfg.vrrps[0];
	assert_int_equal(r->version, 2);
	assert_int_equal(r->advert_cs, 300);
	assert_int_equal(r->start_master, 1);
	assert_int_equal(r->auth_type, XLB_CFG_VRRP_AUTH_PASS);
	assert_int_equal(r->auth_pass_len, 4);
	assert_memory_equal(r->auth_pass, pw, sizeof(pw));
	assert_int_equal(r->n_tracks, 2);
	assert_int_equal(r->tracks[0].weight, 0);
	assert_int_equal(r->tracks[1].weight, 5);
	xlb_cfg_free(&cfg);

	parse_ok(eight, &cfg);
	assert_int_equal(cfg.vrrps[0].start_master, 0);
	assert_int_equal(cfg.vrrps[0].auth_pass_len, 8);
	assert_memory_equal(cfg.vrrps[0].auth_pass, "12345678", 8);
	xlb_cfg_free(&cfg);

	parse_ok(none, &cfg);
	assert_int_equal(cfg.vrrps[0].auth_type, XLB_CFG_VRRP_AUTH_NONE);
	assert_int_equal(cfg.vrrps[0].advert_cs, 25500);
	assert_int_equal(cfg.vrrps[0].auth_pass_len, 0);
	xlb_cfg_free(&cfg);

	/* the defaults: VRRPv3, no authentication, backup */
	parse_ok(IFACE VRRP, &cfg);
	assert_int_equal(cfg.vrrps[0].version, 3);
	assert_int_equal(cfg.vrrps[0].auth_type, XLB_CFG_VRRP_AUTH_NONE);
	assert_int_equal(cfg.vrrps[0].start_master, 0);
	xlb_cfg_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_failover_full),
		cmocka_unit_test(test_valid_failover_defaults),
		cmocka_unit_test(test_valid_failover_preempt),
		cmocka_unit_test(test_valid_failover_ipv6),
		cmocka_unit_test(test_valid_instances_groups),
		cmocka_unit_test(test_valid_failover_bounds),
		cmocka_unit_test(test_valid_failover_track_order),
		cmocka_unit_test(test_valid_vaddr_interfaces),
		cmocka_unit_test(test_file_pair),
		cmocka_unit_test(test_valid_failover_v2),
	};

	return run_config_tests("config_pair", tests, sizeof(tests) / sizeof(tests[0]), pair_cases,
				sizeof(pair_cases) / sizeof(pair_cases[0]));
}
