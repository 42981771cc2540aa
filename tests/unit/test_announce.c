// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of the active fleet's announcer without a kernel: which VIPs are announced given their
 * backends' health and the links (agent/announce_plan.h), the route changes that make the table
 * match, and the rtnetlink messages the routes travel in (agent/announce_routes.h), built and
 * read back as the kernel's dump would tell them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "agent/announce_plan.h"
#include "agent/announce_routes.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static struct xlb_addr addr(const char *s)
{
	struct xlb_addr a;

	assert_int_equal(xlb_addr_parse(s, &a), 0);
	return a;
}

static struct xlb_ann_vip vip(const char *name, const char *a, bool live)
{
	struct xlb_ann_vip v = { .addr = addr(a), .live = live };

	snprintf(v.name, sizeof(v.name), "%s", name);
	return v;
}

static const struct xlb_ann_links links_up = { .known = true };

/* Test that a VIP with a live backend on up links is announced, one without is not. */
static void test_decide_health(void **state)
{
	struct xlb_ann_vip v[] = { vip("web", "203.0.113.1", true), vip("db", "203.0.113.2", false),
				   vip("v6", "2001:db8::1", true) };

	(void)state;
	xlb_ann_decide(v, ARRAY_SIZE(v), &links_up, false);
	assert_int_equal(v[0].why, XLB_ANN_ANNOUNCED);
	assert_int_equal(v[1].why, XLB_ANN_NO_BACKEND);
	assert_int_equal(v[2].why, XLB_ANN_ANNOUNCED);
	assert_string_equal(xlb_ann_why_name(v[1].why), "no live backend");
	assert_true(xlb_ann_wanted(v, ARRAY_SIZE(v), &v[0].addr));
	assert_false(xlb_ann_wanted(v, ARRAY_SIZE(v), &v[1].addr));
}

/* Test that a link down withdraws every VIP, links not yet known and stopping too, in order. */
static void test_decide_links(void **state)
{
	const struct xlb_ann_links down = { .known = true, .down = "eth1" };
	const struct xlb_ann_links unknown = { .known = false, .down = "eth1" };
	struct xlb_ann_vip v[] = { vip("web", "203.0.113.1", true), vip("db", "203.0.113.2", false) };

	(void)state;
	xlb_ann_decide(v, ARRAY_SIZE(v), &down, false);
	assert_int_equal(v[0].why, XLB_ANN_LINK_DOWN);
	assert_int_equal(v[1].why, XLB_ANN_LINK_DOWN);
	assert_string_equal(xlb_ann_why_name(v[0].why), "interface down");
	xlb_ann_decide(v, ARRAY_SIZE(v), &unknown, false);
	assert_int_equal(v[0].why, XLB_ANN_LINKS_UNKNOWN);
	xlb_ann_decide(v, ARRAY_SIZE(v), &links_up, true);
	assert_int_equal(v[0].why, XLB_ANN_STOPPING);
	assert_int_equal(v[1].why, XLB_ANN_STOPPING);
	assert_false(xlb_ann_wanted(v, ARRAY_SIZE(v), &v[0].addr));
	/* Back up: announced again. */
	xlb_ann_decide(v, ARRAY_SIZE(v), &links_up, false);
	assert_int_equal(v[0].why, XLB_ANN_ANNOUNCED);
}

/* Test that an address shared by two VIPs stays announced while one of them is live. */
static void test_shared_address(void **state)
{
	struct xlb_ann_vip v[] = { vip("http", "203.0.113.1", false),
				   vip("https", "203.0.113.1", true) };
	struct xlb_addr add[2], del[2];
	size_t n_add, n_del;

	(void)state;
	xlb_ann_decide(v, ARRAY_SIZE(v), &links_up, false);
	assert_int_equal(v[0].why, XLB_ANN_NO_BACKEND);
	assert_true(xlb_ann_wanted(v, ARRAY_SIZE(v), &v[0].addr));
	/* Announced once, though two VIPs want it. */
	assert_int_equal(xlb_ann_diff(v, ARRAY_SIZE(v), NULL, 0, add, &n_add, del, &n_del), 1);
	assert_int_equal(n_add, 1);
	assert_true(xlb_addr_eq(&add[0], &v[0].addr));
	/* Both dead: withdrawn. */
	v[1].live = false;
	xlb_ann_decide(v, ARRAY_SIZE(v), &links_up, false);
	assert_int_equal(xlb_ann_diff(v, ARRAY_SIZE(v), add, 1, add + 1, &n_add, del, &n_del), 1);
	assert_int_equal(n_del, 1);
	assert_true(xlb_addr_eq(&del[0], &v[0].addr));
}

/* Test the diff: new addresses added, held ones kept, dead and unknown (a crashed run's) removed. */
static void test_diff(void **state)
{
	struct xlb_ann_vip v[] = { vip("a", "203.0.113.1", true), vip("b", "203.0.113.2", false),
				   vip("d", "203.0.113.4", true), vip("d6", "2001:db8::4", true) };
	const struct xlb_addr held[] = { addr("203.0.113.1"), addr("203.0.113.2"),
					 addr("203.0.113.3") };
	struct xlb_addr add[ARRAY_SIZE(v)], del[ARRAY_SIZE(held)];
	size_t n_add, n_del;

	(void)state;
	xlb_ann_decide(v, ARRAY_SIZE(v), &links_up, false);
	assert_int_equal(xlb_ann_diff(v, ARRAY_SIZE(v), held, ARRAY_SIZE(held), add, &n_add, del,
				      &n_del),
			 4);
	assert_int_equal(n_del, 2);
	assert_true(xlb_addr_eq(&del[0], &held[1]));
	assert_true(xlb_addr_eq(&del[1], &held[2]));
	assert_int_equal(n_add, 2);
	assert_true(xlb_addr_eq(&add[0], &v[2].addr));
	assert_true(xlb_addr_eq(&add[1], &v[3].addr));
	/* Stopping: every held route goes, nothing is added. */
	xlb_ann_decide(v, ARRAY_SIZE(v), &links_up, true);
	xlb_ann_diff(v, ARRAY_SIZE(v), held, ARRAY_SIZE(held), add, &n_add, del, &n_del);
	assert_int_equal(n_add, 0);
	assert_int_equal(n_del, 3);
}

static const struct xlb_cfg_announce cfg100 = {
	.mode = XLB_ANNOUNCE_BGP, .table = 100, .protocol = 252, .metric = 7,
};

/* Test that the request is a blackhole route of the table, protocol and metric, to dst/32. */
static void test_route_msg(void **state)
{
	char buf[256] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	const struct xlb_addr dst = addr("203.0.113.9");
	struct xlb_ann_route r;
	struct rtmsg *rtm;
	int len;

	(void)state;
	len = xlb_ann_route_msg(buf, RTM_NEWROUTE, &cfg100, &dst, 32, 7);
	assert_int_equal(len, nh->nlmsg_len);
	assert_int_equal(nh->nlmsg_flags, NLM_F_CREATE | NLM_F_EXCL);
	rtm = mnl_nlmsg_get_payload(nh);
	assert_int_equal(rtm->rtm_family, AF_INET);
	assert_int_equal(rtm->rtm_type, RTN_BLACKHOLE);
	assert_int_equal(rtm->rtm_table, 100);
	assert_int_equal(rtm->rtm_protocol, 252);
	assert_int_equal(rtm->rtm_dst_len, 32);
	/* Read back as a dump tells it: ours, and exactly what this run writes. */
	assert_int_equal(xlb_ann_route_parse(nh, &cfg100, &r), 0);
	assert_true(xlb_addr_eq(&r.dst, &dst));
	assert_int_equal(r.dst_len, 32);
	assert_int_equal(r.metric, 7);
	assert_true(r.exact);
	xlb_ann_route_msg(buf, RTM_DELROUTE, &cfg100, &dst, 32, 7);
	assert_int_equal(nh->nlmsg_flags, 0);
	assert_int_equal(rtm->rtm_type, RTN_UNSPEC);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_NOWHERE);
	assert_int_equal(rtm->rtm_table, 100);
	assert_int_equal(xlb_ann_route_parse(nh, &cfg100, &r), -ENOENT);
}

/* Test that a table past 255 travels in RTA_TABLE only, and IPv6 as a /128. */
static void test_route_msg_big_table_v6(void **state)
{
	const struct xlb_cfg_announce c = { .table = 70000, .protocol = 18 };
	char buf[256] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	const struct xlb_addr dst = addr("2001:db8::9");
	struct xlb_ann_route r;
	struct rtmsg *rtm;

	(void)state;
	xlb_ann_route_msg(buf, RTM_NEWROUTE, &c, &dst, 128, 0);
	rtm = mnl_nlmsg_get_payload(nh);
	assert_int_equal(rtm->rtm_family, AF_INET6);
	assert_int_equal(rtm->rtm_table, RT_TABLE_UNSPEC);
	assert_int_equal(xlb_ann_route_parse(nh, &c, &r), 0);
	assert_true(xlb_addr_eq(&r.dst, &dst));
	assert_true(r.exact);
	/* Another table, another protocol: not ours. */
	assert_int_equal(xlb_ann_route_parse(nh, &cfg100, &r), -ENOENT);
}

/* Test which routes of ours a restart keeps: only what it would write, blackhole /32, its metric. */
static void test_route_parse_stale(void **state)
{
	char buf[256] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	const struct xlb_addr dst = addr("203.0.113.0");
	struct xlb_cfg_announce other = cfg100;
	struct xlb_ann_route r;
	struct rtmsg *rtm;

	(void)state;
	xlb_ann_route_msg(buf, RTM_NEWROUTE, &cfg100, &dst, 24, 7);
	assert_int_equal(xlb_ann_route_parse(nh, &cfg100, &r), 0);
	assert_false(r.exact);
	assert_int_equal(r.dst_len, 24);
	xlb_ann_route_msg(buf, RTM_NEWROUTE, &cfg100, &dst, 32, 8);
	assert_int_equal(xlb_ann_route_parse(nh, &cfg100, &r), 0);
	assert_false(r.exact);
	rtm = mnl_nlmsg_get_payload(nh);
	rtm->rtm_type = RTN_UNICAST;
	other.metric = 8;
	assert_int_equal(xlb_ann_route_parse(nh, &other, &r), 0);
	assert_false(r.exact);
	other.protocol = 4;
	assert_int_equal(xlb_ann_route_parse(nh, &other, &r), -ENOENT);
}

/* Test that malformed messages are refused: short, and an IPv4 route with a 16-byte RTA_DST. */
static void test_route_parse_bad(void **state)
{
	char buf[256] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	const struct xlb_addr v6 = addr("2001:db8::9");
	struct xlb_ann_route r;
	struct rtmsg *rtm;

	(void)state;
	xlb_ann_route_msg(buf, RTM_NEWROUTE, &cfg100, &v6, 128, 7);
	rtm = mnl_nlmsg_get_payload(nh);
	rtm->rtm_family = AF_INET;
	assert_int_equal(xlb_ann_route_parse(nh, &cfg100, &r), -EBADMSG);
	nh->nlmsg_len = NLMSG_LENGTH(2);
	assert_int_equal(xlb_ann_route_parse(nh, &cfg100, &r), -EBADMSG);
	nh->nlmsg_type = RTM_NEWADDR;
	assert_int_equal(xlb_ann_route_parse(nh, &cfg100, &r), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide_health),
		cmocka_unit_test(test_decide_links),
		cmocka_unit_test(test_shared_address),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_route_msg),
		cmocka_unit_test(test_route_msg_big_table_v6),
		cmocka_unit_test(test_route_parse_stale),
		cmocka_unit_test(test_route_parse_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
