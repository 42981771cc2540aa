// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of the route query (user/common/route.c) and its two users in the agent, the DR
 * on-link check (user/agent/onlink.c) and the next hops of tun backends (agent/nexthop.c),
 * against the real kernel in a network namespace of the test's own (unshare, so the host's
 * routes are never read or touched):
 *
 *   xo0 (192.0.2.1/24, 2001:db8:1::1/64)        the interface xlbd runs on
 *   xo2 (198.51.100.1/24)                        another interface
 *   192.0.2.99, 2001:db8:99::9 via 198.51.100.254 / the IPv6 peer on xo2: behind a router
 *   203.0.113.0/24: no route
 *
 * Test that an on-link backend passes, and that one behind a gateway, one on another
 * interface, one without a route and one of the host's own addresses are each an error at
 * the backend's line:col that says why; and that tun backends' next hops (user/agent/nexthop.c)
 * are their routes'. Needs root (CAP_NET_ADMIN): exits 77 without it.
 */
#include <errno.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/nexthop.h"
#include "agent/onlink.h"
#include "common/log.h"
#include "common/route.h"

static const char *const net_setup[] = {
	"ip link set lo up",
	"ip link add xo0 type veth peer name xo1",
	"ip link add xo2 type veth peer name xo3",
	"for i in xo0 xo1 xo2 xo3; do ip link set $i up || exit 1; done",
	"ip addr add 192.0.2.1/24 dev xo0",
	"ip addr add 2001:db8:1::1/64 dev xo0 nodad",
	"ip addr add 198.51.100.1/24 dev xo2",
	"ip addr add 2001:db8:2::1/64 dev xo2 nodad",
	"ip route add 192.0.2.99/32 via 198.51.100.254",
	"ip -6 route add 2001:db8:99::/64 via 2001:db8:2::fe",
};

static int ifindex_xo0, ifindex_xo2;

static struct xlb_addr addr(const char *s)
{
	struct xlb_addr a;

	assert_int_equal(xlb_addr_parse(s, &a), 0);
	return a;
}

/* Test that the route of an on-link address names its device and no gateway. */
static void test_route_onlink(void **state)
{
	struct xlb_addr a = addr("192.0.2.11"), a6 = addr("2001:db8:1::11");
	struct xlb_route r;

	(void)state;
	assert_int_equal(xlb_route_get(&a, &r), 0);
	assert_int_equal(r.type, RTN_UNICAST);
	assert_int_equal(r.oif, ifindex_xo0);
	assert_false(r.has_gw);
	assert_ptr_equal(xlb_route_hop(&r, &a), &a);
	assert_int_equal(xlb_route_get(&a6, &r), 0);
	assert_int_equal(r.type, RTN_UNICAST);
	assert_int_equal(r.oif, ifindex_xo0);
	assert_false(r.has_gw);
}

/* Test that a routed address gets its gateway and the gateway's device, in both families. */
static void test_route_gateway(void **state)
{
	struct xlb_addr a = addr("192.0.2.99"), a6 = addr("2001:db8:99::9");
	struct xlb_route r;
	char gw[INET6_ADDRSTRLEN];

	(void)state;
	assert_int_equal(xlb_route_get(&a, &r), 0);
	assert_int_equal(r.type, RTN_UNICAST);
	assert_int_equal(r.oif, ifindex_xo2);
	assert_true(r.has_gw);
	assert_string_equal(xlb_addr_str(xlb_route_hop(&r, &a), gw, sizeof(gw)), "198.51.100.254");
	assert_int_equal(xlb_route_get(&a6, &r), 0);
	assert_int_equal(r.oif, ifindex_xo2);
	assert_true(r.has_gw);
	assert_string_equal(xlb_addr_str(&r.gw, gw, sizeof(gw)), "2001:db8:2::fe");
}

/* Test that no route is the kernel's -ENETUNREACH, and a local address has type local. */
static void test_route_unreachable_local(void **state)
{
	struct xlb_addr a = addr("203.0.113.7"), local = addr("192.0.2.1");
	struct xlb_route r;

	(void)state;
	assert_int_equal(xlb_route_get(&a, &r), -ENETUNREACH);
	assert_int_equal(xlb_route_get(&local, &r), 0);
	assert_int_equal(r.type, RTN_LOCAL);
}

static const char check_yaml[] =
	"interfaces:\n"                   /* 1 */
	"  - name: xo0\n"                 /* 2 */
	"vips:\n"                         /* 3 */
	"  - name: web\n"                 /* 4 */
	"    address: 203.0.113.100\n"    /* 5 */
	"    port: 80\n"                  /* 6 */
	"    backends:\n"                 /* 7 */
	"      - address: 192.0.2.11\n"   /* 8  on-link */
	"      - address: 192.0.2.99\n"   /* 9  via a gateway */
	"      - address: 198.51.100.7\n" /* 10 another interface */
	"      - address: 203.0.113.7\n"  /* 11 no route */
	"      - address: 192.0.2.1\n"    /* 12 this host's */
	"    fallback: 198.51.100.9\n"    /* 13 another interface */
	"  - name: web6\n"                /* 14 */
	"    address: 2001:db8:100::100\n" /* 15 */
	"    port: 80\n"                  /* 16 */
	"    backends:\n"                 /* 17 */
	"      - address: 2001:db8:1::11\n" /* 18 on-link */
	"      - address: 2001:db8:99::9\n" /* 19 via a gateway */
	"  - name: tunnelled\n"           /* 20 */
	"    address: 203.0.113.101\n"    /* 21 */
	"    port: 80\n"                  /* 22 */
	"    forwarding: tun\n"           /* 23 */
	"    backends:\n"                 /* 24 */
	"      - address: 192.0.2.99\n"   /* 25 tun: routed is fine */
	"tunnel:\n"                       /* 26 */
	"  source: 192.0.2.1\n";          /* 27 */

#define SUFFIX "; dr needs a backend on the interfaces' segment; use forwarding: tun or nat"

/* Test the check over a config: every off-link dr backend reported at its line:col, why. */
static void test_check_config(void **state)
{
	static const struct {
		unsigned int line, col;
		const char *msg;
	} want[] = {
		{ 9, 9, "192.0.2.99 is not on-link: route via 198.51.100.254 dev xo2" SUFFIX },
		{ 10, 9, "198.51.100.7 is not on-link: route dev xo2, not in interfaces (xo0)"
			 SUFFIX },
		{ 11, 9, "203.0.113.7 is not on-link: no route (Network is unreachable)" SUFFIX },
		{ 12, 9, "192.0.2.1 is not on-link: route type local (an address of this host)"
			 SUFFIX },
		{ 13, 15, "198.51.100.9 is not on-link: route dev xo2, not in interfaces (xo0)"
			  SUFFIX },
		{ 19, 9, "2001:db8:99::9 is not on-link: route via 2001:db8:2::fe dev xo2" SUFFIX },
	};
	struct xlb_cfg_errors errs = {};
	struct xlb_config cfg;
	size_t i;

	(void)state;
	assert_int_equal(xlb_cfg_parse_string("t.yaml", check_yaml, sizeof(check_yaml) - 1, &cfg,
					      &errs), 0);
	assert_int_equal(xlb_onlink_check(&cfg, &ifindex_xo0, 1, &errs), 6);
	assert_int_equal(errs.n, 6);
	for (i = 0; i < errs.n; i++) {
		assert_string_equal(errs.v[i].msg, want[i].msg);
		assert_int_equal(errs.v[i].pos.line, want[i].line);
		assert_int_equal(errs.v[i].pos.col, want[i].col);
	}
	xlb_cfg_errors_free(&errs);

	/* xo2 among the interfaces: the backend and the fallback on its segment pass. */
	{
		int both[] = { ifindex_xo0, ifindex_xo2 };

		assert_int_equal(xlb_onlink_check(&cfg, both, 2, &errs), 4);
		assert_int_equal(errs.v[0].pos.line, 9);
		assert_int_equal(errs.v[1].pos.line, 11);
		xlb_cfg_errors_free(&errs);
	}
	xlb_cfg_free(&cfg);
}

/*
 * Test that the next hops of tun backends are their routes' (the gateway for a routed one, the
 * backend itself on-link), one per address, not dr backends'; that a usable neighbour entry of
 * the hop on the route's device marks it seen, one on another device or of another address
 * does not, and its loss is reported (probe now); that a dump forgets them.
 */
static void test_nexthops(void **state)
{
	struct xlb_lb_backend tun_be[3] = {}, dr_be[1] = {};
	struct xlb_lb_vip vips[2] = {};
	struct xlb_lb lb = { .vips = vips, .n_vips = 2 };
	struct xlb_rtnl_neigh n = { .has_mac = true, .state = NUD_REACHABLE };
	struct xlb_nhs s = {};
	char a[INET6_ADDRSTRLEN];
	size_t moved;

	(void)state;
	tun_be[0].addr = addr("192.0.2.99");  /* via 198.51.100.254 on xo2 */
	tun_be[1].addr = addr("192.0.2.11");  /* on-link on xo0 */
	tun_be[2].addr = addr("192.0.2.99");  /* again: one next hop */
	dr_be[0].addr = addr("192.0.2.12");
	vips[0] = (struct xlb_lb_vip){ .val.fwd = XLB_FWD_TUN, .backends = tun_be,
				       .n_backends = 3 };
	vips[1] = (struct xlb_lb_vip){ .val.fwd = XLB_FWD_DR, .backends = dr_be,
				       .n_backends = 1 };

	assert_int_equal(xlb_nhs_sync(&s, &lb), 2);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.v[0].ifindex, ifindex_xo2);
	assert_string_equal(xlb_addr_str(&s.v[0].hop, a, sizeof(a)), "198.51.100.254");
	assert_int_equal(s.v[1].ifindex, ifindex_xo0);
	assert_string_equal(xlb_addr_str(&s.v[1].hop, a, sizeof(a)), "192.0.2.11");

	/* The gateway's address on the wrong device, then on its own. */
	n.addr = addr("198.51.100.254");
	n.ifindex = ifindex_xo0;
	assert_false(xlb_nhs_neigh(&s, &n));
	assert_false(s.v[0].seen);
	n.ifindex = ifindex_xo2;
	assert_false(xlb_nhs_neigh(&s, &n));
	assert_true(s.v[0].seen);
	assert_int_equal(xlb_nhs_probe(&s, &moved), 1);
	assert_int_equal(moved, 0);
	/* Its entry fails: lost, probe now. A second word on it is no news. */
	n.state = NUD_FAILED;
	assert_true(xlb_nhs_neigh(&s, &n));
	assert_false(xlb_nhs_neigh(&s, &n));
	assert_int_equal(xlb_nhs_probe(&s, &moved), 2);

	/* A reload keeps what is known while the hop stays; a dump forgets it. */
	n.state = NUD_STALE;
	xlb_nhs_neigh(&s, &n);
	assert_int_equal(xlb_nhs_sync(&s, &lb), 0);
	assert_true(s.v[0].seen);
	xlb_nhs_forget(&s);
	assert_false(s.v[0].seen);
	xlb_nhs_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_onlink),
		cmocka_unit_test(test_route_gateway),
		cmocka_unit_test(test_route_unreachable_local),
		cmocka_unit_test(test_check_config),
		cmocka_unit_test(test_nexthops),
	};
	size_t i;

	xlb_log_init("test_onlink", XLB_LOG_WARN);
	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "test_onlink: unshare(CLONE_NEWNET): %s: skipped\n",
			strerror(errno));
		return 77;
	}
	for (i = 0; i < sizeof(net_setup) / sizeof(net_setup[0]); i++) {
		if (system(net_setup[i])) {
			fprintf(stderr, "test_onlink: failed: %s\n", net_setup[i]);
			return 1;
		}
	}
	ifindex_xo0 = (int)if_nametoindex("xo0");
	ifindex_xo2 = (int)if_nametoindex("xo2");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
