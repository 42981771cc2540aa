/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel's word on links and neighbours: one rtnetlink socket in the event loop, subscribed
 * to RTNLGRP_LINK and RTNLGRP_NEIGH, non-blocking, read only when epoll says so. It starts with
 * a dump of each table, on the same socket and read the same way, so nothing waits for it;
 * subscribers hear each change as it comes, and when a table is whole again (synced).
 *
 * Events can be lost: the socket overflows (ENOBUFS) or a table changes while it is dumped
 * (NLM_F_DUMP_INTR). Either way the table is dumped again and its subscribers told so (begin,
 * then synced), so what they hold is true again after it, not only until the first loss.
 *
 * The address groups are not subscribed: nothing in xlbd follows addresses while it runs (the
 * VRRP advert source is read once, at start).
 */
#ifndef XLB_RTNL_WATCH_H
#define XLB_RTNL_WATCH_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"
#include "common/loop.h"

struct nlmsghdr;

/* The tables a watch follows, as bits: what a dump is of. */
enum {
	XLB_RTNL_LINKS = 1 << 0,
	XLB_RTNL_NEIGHS = 1 << 1,
};

struct xlb_rtnl_link {
	int ifindex;
	char ifname[IF_NAMESIZE];
	bool up; /* operstate up, or unknown (what sysfs spells "unknown": no carrier notion) */
	bool gone; /* in an event: the link was deleted */
	uint64_t gen; /* the dump or event that last saw it (the watch's own) */
};

struct xlb_rtnl_neigh {
	int ifindex;
	struct xlb_addr addr;
	uint8_t mac[6];
	bool has_mac; /* carried a 6-byte link-layer address */
	uint16_t state; /* NUD_* */
	bool gone; /* RTM_DELNEIGH */
};

/*
 * A subscriber: any callback may be NULL. Callbacks run from the loop, and may subscribe or
 * unsubscribe others but not free the watch.
 */
struct xlb_rtnl_sub {
	/* A link appeared, changed its state or went (l->gone). */
	void (*link)(const struct xlb_rtnl_link *l, void *arg);
	/* A neighbour entry appeared, changed, or went (n->gone). */
	void (*neigh)(const struct xlb_rtnl_neigh *n, void *arg);
	/* A dump of `what` (XLB_RTNL_*) starts: what was learnt of that table may be stale. */
	void (*begin)(unsigned int what, void *arg);
	/* A dump of `what` ended: every entry of that table has been told since begin. */
	void (*synced)(unsigned int what, void *arg);
	void *arg;
	struct xlb_rtnl_sub *next;
};

struct mnl_socket;

struct xlb_rtnl_watch {
	struct xlb_loop *loop;
	struct mnl_socket *nl; /* NULL: fed by hand (the unit tests) */
	char *buf;
	uint32_t seq;
	unsigned int pending; /* dumps still to run */
	unsigned int dumping; /* the dump under way, 0 if none */
	bool intr;            /* the dump under way was interrupted: run it again */
	unsigned int synced;  /* tables whole, and told */
	uint64_t gen;
	struct xlb_rtnl_link *links; /* every link, by the last word on it */
	size_t n_links, cap_links;
	struct xlb_rtnl_sub *subs;
	uint64_t redumps; /* dumps run again after a loss */
	uint64_t refused; /* malformed messages */
};

/*
 * Open the socket, put it in the loop and ask for the first dumps. 0 or -errno, logged. After a
 * failure, and after success, xlb_rtnl_watch_close() releases it.
 */
int xlb_rtnl_watch_open(struct xlb_rtnl_watch *w, struct xlb_loop *loop);
void xlb_rtnl_watch_close(struct xlb_rtnl_watch *w);

void xlb_rtnl_watch_subscribe(struct xlb_rtnl_watch *w, struct xlb_rtnl_sub *sub);
void xlb_rtnl_watch_unsubscribe(struct xlb_rtnl_watch *w, struct xlb_rtnl_sub *sub);

/* Dump `what` again (XLB_RTNL_*), after the one under way: begin and synced follow. */
void xlb_rtnl_watch_dump(struct xlb_rtnl_watch *w, unsigned int what);

/* Whether `what` is whole: every table in it dumped, and no dump of it under way. */
static inline bool xlb_rtnl_watch_synced(const struct xlb_rtnl_watch *w, unsigned int what)
{
	return (w->synced & what) == what;
}

/* The link named ifname, as last told; NULL when there is none (or its table is not synced). */
const struct xlb_rtnl_link *xlb_rtnl_watch_link(const struct xlb_rtnl_watch *w,
						const char *ifname);

/*
 * Handle len bytes as read from the socket: every message in them, in order. Malformed ones
 * are refused (counted, logged at debug) and the rest still read. 0, or -EBADMSG when some
 * message was refused.
 */
int xlb_rtnl_watch_feed(struct xlb_rtnl_watch *w, const void *buf, size_t len);

/* The parsers under feed. 0, -ENOENT when the message is not of interest, -EBADMSG. */
int xlb_rtnl_parse_link(const struct nlmsghdr *nh, struct xlb_rtnl_link *out);
int xlb_rtnl_parse_neigh(const struct nlmsghdr *nh, struct xlb_rtnl_neigh *out);

/* A neighbour state xlbd can forward to: resolved, not failed, not a NOARP pseudo-entry. */
bool xlb_rtnl_neigh_usable(const struct xlb_rtnl_neigh *n);

#endif /* XLB_RTNL_WATCH_H */
