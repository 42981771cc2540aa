// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of the rtnetlink watch (user/common/rtnl_watch.c) fed by hand: crafted messages, as
 * the kernel would send them on the socket, go through xlb_rtnl_watch_feed() into the link
 * cache and the subscriber's callbacks. No socket is opened; a dump is "asked for" with the
 * watch's socket absent, so only its replies are crafted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>

#include "common/log.h"
#include "common/rtnl_watch.h"

enum { OPER_DOWN = 2, OPER_UP = 6 };

/* What the subscriber was told, last and in all. */
struct seen {
	int links, neighs, begins, synced;
	unsigned int last_begin, last_synced;
	struct xlb_rtnl_link link;
	struct xlb_rtnl_neigh neigh;
};

static void on_link(const struct xlb_rtnl_link *l, void *arg)
{
	struct seen *s = arg;

	s->links++;
	s->link = *l;
}

static void on_neigh(const struct xlb_rtnl_neigh *n, void *arg)
{
	struct seen *s = arg;

	s->neighs++;
	s->neigh = *n;
}

static void on_begin(unsigned int what, void *arg)
{
	struct seen *s = arg;

	s->begins++;
	s->last_begin = what;
}

static void on_synced(unsigned int what, void *arg)
{
	struct seen *s = arg;

	s->synced++;
	s->last_synced = what;
}

struct fixture {
	struct xlb_rtnl_watch w;
	struct xlb_rtnl_sub sub;
	struct seen seen;
	char buf[4096] __attribute__((aligned(4)));
	size_t len; /* of the messages put in buf so far */
};

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	f.sub = (struct xlb_rtnl_sub){ .link = on_link, .neigh = on_neigh, .begin = on_begin,
				       .synced = on_synced, .arg = &f.seen };
	xlb_rtnl_watch_subscribe(&f.w, &f.sub);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	xlb_rtnl_watch_close(&f->w);
	return 0;
}

static struct nlmsghdr *put(struct fixture *f, uint16_t type, uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nh = mnl_nlmsg_put_header(f->buf + f->len);

	nh->nlmsg_type = type;
	nh->nlmsg_flags = flags;
	nh->nlmsg_seq = seq;
	return nh;
}

static void done(struct fixture *f, struct nlmsghdr *nh)
{
	f->len += MNL_ALIGN(nh->nlmsg_len);
	assert_true(f->len <= sizeof(f->buf));
}

static int feed(struct fixture *f)
{
	int ret = xlb_rtnl_watch_feed(&f->w, f->buf, f->len);

	f->len = 0;
	return ret;
}

static void put_link(struct fixture *f, uint16_t type, uint32_t seq, uint16_t flags, int ifindex,
		     const char *name, uint8_t oper)
{
	struct nlmsghdr *nh = put(f, type, flags, seq);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	mnl_attr_put_strz(nh, IFLA_IFNAME, name);
	mnl_attr_put_u8(nh, IFLA_OPERSTATE, oper);
	done(f, nh);
}

static void put_done(struct fixture *f, uint32_t seq, uint16_t flags)
{
	struct nlmsghdr *nh = put(f, NLMSG_DONE, NLM_F_MULTI | flags, seq);

	mnl_nlmsg_put_extra_header(nh, sizeof(int));
	done(f, nh);
}

/* A neighbour message; mac NULL for none. Returns it, for the cases that break it after. */
static struct nlmsghdr *put_neigh(struct fixture *f, uint16_t type, int ifindex, const char *v4,
				  const uint8_t *mac, uint16_t nud)
{
	struct nlmsghdr *nh = put(f, type, 0, 0);
	struct ndmsg *nd = mnl_nlmsg_put_extra_header(nh, sizeof(*nd));
	struct xlb_addr a;

	assert_int_equal(xlb_addr_parse(v4, &a), 0);
	nd->ndm_family = AF_INET;
	nd->ndm_ifindex = ifindex;
	nd->ndm_state = nud;
	mnl_attr_put(nh, NDA_DST, 4, a.w);
	if (mac)
		mnl_attr_put(nh, NDA_LLADDR, 6, mac);
	done(f, nh);
	return nh;
}

/* The links table dumped with these links, and synced. */
static void links_dumped(struct fixture *f, int n, const int *ifindex, const char *const *names)
{
	int i;

	xlb_rtnl_watch_dump(&f->w, XLB_RTNL_LINKS);
	for (i = 0; i < n; i++)
		put_link(f, RTM_NEWLINK, f->w.seq, NLM_F_MULTI, ifindex[i], names[i], OPER_UP);
	put_done(f, f->w.seq, 0);
	assert_int_equal(feed(f), 0);
}

static const uint8_t MAC[6] = { 0x02, 0, 0x5e, 0, 0, 0x11 };

/*
 * Test that the links are unknown until their dump ends, then known by name; that link down
 * and up each reach the subscriber and the cache; and that a deleted link is gone from both.
 */
static void test_link_down_up(void **state)
{
	struct fixture *f = *state;
	const struct xlb_rtnl_link *l;

	xlb_rtnl_watch_dump(&f->w, XLB_RTNL_LINKS);
	assert_int_equal(f->seen.begins, 1);
	put_link(f, RTM_NEWLINK, f->w.seq, NLM_F_MULTI, 2, "eth0", OPER_UP);
	assert_int_equal(feed(f), 0);
	assert_null(xlb_rtnl_watch_link(&f->w, "eth0"));
	put_done(f, f->w.seq, 0);
	assert_int_equal(feed(f), 0);
	assert_int_equal(f->seen.synced, 1);
	assert_int_equal(f->seen.last_synced, XLB_RTNL_LINKS);
	l = xlb_rtnl_watch_link(&f->w, "eth0");
	assert_non_null(l);
	assert_true(l->up);
	assert_int_equal(l->ifindex, 2);

	put_link(f, RTM_NEWLINK, 0, 0, 2, "eth0", OPER_DOWN);
	assert_int_equal(feed(f), 0);
	assert_int_equal(f->seen.links, 2);
	assert_false(f->seen.link.up);
	assert_false(xlb_rtnl_watch_link(&f->w, "eth0")->up);
	/* The same state again (the kernel says so for other reasons) is no news. */
	put_link(f, RTM_NEWLINK, 0, 0, 2, "eth0", OPER_DOWN);
	assert_int_equal(feed(f), 0);
	assert_int_equal(f->seen.links, 2);

	put_link(f, RTM_NEWLINK, 0, 0, 2, "eth0", OPER_UP);
	assert_int_equal(feed(f), 0);
	assert_int_equal(f->seen.links, 3);
	assert_true(f->seen.link.up);

	put_link(f, RTM_DELLINK, 0, 0, 2, "eth0", OPER_DOWN);
	assert_int_equal(feed(f), 0);
	assert_true(f->seen.link.gone);
	assert_null(xlb_rtnl_watch_link(&f->w, "eth0"));
}

/*
 * Test that a dump the kernel marks interrupted (NLM_F_DUMP_INTR) does not count as whole: it
 * is run again, and the table is synced only after a clean one; and that a link the clean dump
 * does not name (its deletion was lost) is told gone.
 */
static void test_dump_interrupted(void **state)
{
	static const int idx[] = { 2, 3 };
	static const char *const names[] = { "eth0", "eth1" };
	struct fixture *f = *state;
	uint32_t first;

	links_dumped(f, 2, idx, names);
	assert_int_equal(f->seen.synced, 1);

	xlb_rtnl_watch_dump(&f->w, XLB_RTNL_LINKS);
	first = f->w.seq;
	assert_false(xlb_rtnl_watch_synced(&f->w, XLB_RTNL_LINKS));
	put_link(f, RTM_NEWLINK, first, NLM_F_MULTI | NLM_F_DUMP_INTR, 2, "eth0", OPER_UP);
	put_done(f, first, NLM_F_DUMP_INTR);
	assert_int_equal(feed(f), 0);
	assert_int_equal(f->seen.synced, 1);
	assert_int_equal(f->seen.begins, 3); /* first dump, the asked one, the one again */
	assert_int_equal(f->w.redumps, 1);
	assert_int_not_equal(f->w.seq, first);

	put_link(f, RTM_NEWLINK, f->w.seq, NLM_F_MULTI, 2, "eth0", OPER_UP);
	put_done(f, f->w.seq, 0);
	assert_int_equal(feed(f), 0);
	assert_int_equal(f->seen.synced, 2);
	assert_non_null(xlb_rtnl_watch_link(&f->w, "eth0"));
	assert_null(xlb_rtnl_watch_link(&f->w, "eth1"));
	assert_true(f->seen.link.gone);
	assert_int_equal(f->seen.link.ifindex, 3);
}

/* Test that a dump the kernel answers with an error is run again, and not taken as whole. */
static void test_dump_error(void **state)
{
	struct fixture *f = *state;
	struct nlmsghdr *nh;
	struct nlmsgerr *e;

	xlb_rtnl_watch_dump(&f->w, XLB_RTNL_NEIGHS);
	nh = put(f, NLMSG_ERROR, 0, f->w.seq);
	e = mnl_nlmsg_put_extra_header(nh, sizeof(*e));
	e->error = -EBUSY;
	done(f, nh);
	assert_int_equal(feed(f), 0);
	assert_false(xlb_rtnl_watch_synced(&f->w, XLB_RTNL_NEIGHS));
	assert_int_equal(f->w.dumping, XLB_RTNL_NEIGHS);
	assert_int_equal(f->w.redumps, 1);
}

/*
 * Test that neighbour events reach the subscriber with interface, address, MAC and state: a
 * resolved one is usable; one without a link-layer address (INCOMPLETE), a FAILED one and a
 * deleted one are not; a bridge forwarding entry is not a neighbour at all.
 */
static void test_neigh(void **state)
{
	struct fixture *f = *state;
	struct nlmsghdr *nh;
	struct xlb_addr a;

	put_neigh(f, RTM_NEWNEIGH, 4, "192.0.2.11", MAC, NUD_REACHABLE);
	assert_int_equal(feed(f), 0);
	assert_int_equal(f->seen.neighs, 1);
	assert_int_equal(f->seen.neigh.ifindex, 4);
	assert_int_equal(xlb_addr_parse("192.0.2.11", &a), 0);
	assert_memory_equal(&f->seen.neigh.addr, &a, sizeof(a));
	assert_true(f->seen.neigh.has_mac);
	assert_memory_equal(f->seen.neigh.mac, MAC, 6);
	assert_true(xlb_rtnl_neigh_usable(&f->seen.neigh));

	put_neigh(f, RTM_NEWNEIGH, 4, "192.0.2.12", NULL, NUD_INCOMPLETE);
	assert_int_equal(feed(f), 0);
	assert_int_equal(f->seen.neighs, 2);
	assert_false(f->seen.neigh.has_mac);
	assert_false(xlb_rtnl_neigh_usable(&f->seen.neigh));

	put_neigh(f, RTM_NEWNEIGH, 4, "192.0.2.13", MAC, NUD_FAILED);
	assert_int_equal(feed(f), 0);
	assert_int_equal(f->seen.neigh.state, NUD_FAILED);
	assert_false(xlb_rtnl_neigh_usable(&f->seen.neigh));

	put_neigh(f, RTM_NEWNEIGH, 4, "192.0.2.14", MAC, NUD_STALE);
	assert_int_equal(feed(f), 0);
	assert_true(xlb_rtnl_neigh_usable(&f->seen.neigh));

	put_neigh(f, RTM_DELNEIGH, 4, "192.0.2.11", MAC, NUD_REACHABLE);
	assert_int_equal(feed(f), 0);
	assert_true(f->seen.neigh.gone);
	assert_false(xlb_rtnl_neigh_usable(&f->seen.neigh));

	nh = put_neigh(f, RTM_NEWNEIGH, 4, "192.0.2.15", MAC, NUD_REACHABLE);
	((struct ndmsg *)mnl_nlmsg_get_payload(nh))->ndm_family = AF_BRIDGE;
	assert_int_equal(feed(f), 0);
	assert_int_equal(f->seen.neighs, 5);
	assert_int_equal(f->w.refused, 0);
}

/*
 * Test that malformed messages are refused, counted, and reach no subscriber, while the good
 * ones beside them still do: an attribute longer than its message, an address of the wrong
 * length, a message too short for its header, and a message longer than what was read.
 */
static void test_malformed(void **state)
{
	struct fixture *f = *state;
	struct nlmsghdr *nh;
	struct nlattr *at;

	/* NDA_LLADDR claims 12 bytes where 8 are left. */
	nh = put_neigh(f, RTM_NEWNEIGH, 4, "192.0.2.11", MAC, NUD_REACHABLE);
	at = (struct nlattr *)((char *)mnl_nlmsg_get_payload_tail(nh) - MNL_ALIGN(4 + 6));
	assert_int_equal(mnl_attr_get_type(at), NDA_LLADDR);
	at->nla_len = 4 + 12;
	put_neigh(f, RTM_NEWNEIGH, 4, "192.0.2.12", MAC, NUD_REACHABLE);
	assert_int_equal(feed(f), -EBADMSG);
	assert_int_equal(f->w.refused, 1);
	assert_int_equal(f->seen.neighs, 1);
	assert_int_equal(f->seen.neigh.addr.w[0], htonl(0xc000020c));

	/* NDA_DST of 3 bytes for AF_INET. */
	nh = put(f, RTM_NEWNEIGH, 0, 0);
	((struct ndmsg *)mnl_nlmsg_put_extra_header(nh, sizeof(struct ndmsg)))->ndm_family = AF_INET;
	mnl_attr_put(nh, NDA_DST, 3, "\xc0\x00\x02");
	done(f, nh);
	assert_int_equal(feed(f), -EBADMSG);

	/* A link message with no room for its ifinfomsg. */
	nh = put(f, RTM_NEWLINK, 0, 0);
	mnl_nlmsg_put_extra_header(nh, 4);
	done(f, nh);
	assert_int_equal(feed(f), -EBADMSG);

	/* An operstate of 2 bytes. */
	nh = put(f, RTM_NEWLINK, 0, 0);
	mnl_nlmsg_put_extra_header(nh, sizeof(struct ifinfomsg));
	mnl_attr_put_u16(nh, IFLA_OPERSTATE, OPER_UP);
	done(f, nh);
	assert_int_equal(feed(f), -EBADMSG);

	/* A message whose length runs past the bytes read. */
	nh = put_neigh(f, RTM_NEWNEIGH, 4, "192.0.2.13", MAC, NUD_REACHABLE);
	nh->nlmsg_len += 64;
	assert_int_equal(feed(f), -EBADMSG);

	assert_int_equal(f->w.refused, 5);
	assert_int_equal(f->seen.neighs, 1);
	assert_int_equal(f->seen.links, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_link_down_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump_interrupted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_neigh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
	};

	xlb_log_init("test_rtnl_watch", XLB_LOG_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
