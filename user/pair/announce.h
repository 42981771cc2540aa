/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * How a node that should attract a pair's traffic makes it so, whatever decided that it should
 * (a failover backend). Today's announcer puts the virtual addresses on an interface and sends
 * gratuitous ARP / unsolicited NA (vaddr.h); one exporting routes to a BGP speaker is the next.
 */
#ifndef XLB_ANNOUNCE_H
#define XLB_ANNOUNCE_H

/*
 * Called from loop callbacks: none may block. 0 or -errno; each member logs its own failures
 * (an address it could not add is worth a line even when the others went on).
 */
struct xlb_announcer_ops {
	const char *name;
	/* Attract the traffic: this node serves the addresses now. */
	int (*hold)(void *arg);
	/* Stop attracting it; idempotent (also run on start, to clear a crashed run's). */
	int (*release)(void *arg);
	/* Held already: tell the neighbours again (after a takeover, a healed split, a refresh). */
	int (*announce)(void *arg);
};

struct xlb_announcer {
	const struct xlb_announcer_ops *ops;
	void *arg; /* the implementation's state */
};

#endif /* XLB_ANNOUNCE_H */
