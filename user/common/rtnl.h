/* SPDX-License-Identifier: GPL-2.0-only */
/* rtnetlink requests, the two shapes xlbd needs: one change and its ack, or a dump. */
#ifndef XLB_RTNL_H
#define XLB_RTNL_H

#include <linux/netlink.h>

/* Send req (NLM_F_REQUEST | NLM_F_ACK are added) and wait for the ack: 0 or the kernel's -errno. */
int xlb_rtnl_talk(struct nlmsghdr *req);

/* Send req (NLM_F_REQUEST | NLM_F_DUMP are added) and call cb for every message until the dump
 * ends. 0, or -errno. */
int xlb_rtnl_dump(struct nlmsghdr *req, void (*cb)(struct nlmsghdr *nh, void *arg), void *arg);

#endif /* XLB_RTNL_H */
