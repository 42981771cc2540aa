/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One rtnetlink change and its ack, on a socket of its own (what the kernel tells unasked is
 * common/rtnl_watch.h's). The wait for the ack is bounded although the recv blocks: rtnetlink
 * handles a request inside the sender's sendto(), under rtnl_lock, and queues the ack before
 * sendto() returns, so the recv finds it there; what can take time is the lock, held by the
 * kernel, never by a peer.
 */
#ifndef XLB_RTNL_H
#define XLB_RTNL_H

#include <linux/netlink.h>

/* Send req (NLM_F_REQUEST | NLM_F_ACK are added) and wait for the ack: 0 or the kernel's -errno. */
int xlb_rtnl_talk(struct nlmsghdr *req);

#endif /* XLB_RTNL_H */
