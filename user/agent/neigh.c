// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent/neigh.h"
#include "common/rtnl.h"

#define XLB_DISCARD_PORT 9

struct neigh_dump {
	int ifindex;
	xlb_neigh_cb cb;
	void *arg;
};

static void neigh_msg(struct nlmsghdr *nh, void *arg)
{
	struct neigh_dump *q = arg;
	struct ndmsg *nd = NLMSG_DATA(nh);
	int len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*nd));
	const uint8_t *mac = NULL;
	struct xlb_addr addr = {};
	struct rtattr *rta;

	if (nh->nlmsg_type != RTM_NEWNEIGH || len < 0 || nd->ndm_ifindex != q->ifindex)
		return;
	/* INCOMPLETE and FAILED carry no usable address; NOARP entries are not neighbours. */
	if (nd->ndm_state & (NUD_INCOMPLETE | NUD_FAILED | NUD_NOARP) || nd->ndm_state == NUD_NONE)
		return;
	for (rta = RTM_RTA(nd); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == NDA_LLADDR && RTA_PAYLOAD(rta) == 6)
			mac = RTA_DATA(rta);
		else if (rta->rta_type == NDA_DST && RTA_PAYLOAD(rta) == 4) {
			addr.family = XLB_FAMILY_V4;
			memcpy(addr.w, RTA_DATA(rta), 4);
		} else if (rta->rta_type == NDA_DST && RTA_PAYLOAD(rta) == 16) {
			addr.family = XLB_FAMILY_V6;
			memcpy(addr.w, RTA_DATA(rta), 16);
		}
	}
	if (mac && addr.family)
		q->cb(&addr, mac, q->arg);
}

int xlb_neigh_dump(int ifindex, xlb_neigh_cb cb, void *arg)
{
	struct {
		struct nlmsghdr nh;
		struct ndmsg nd;
	} req = {
		.nh = {
			.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg)),
			.nlmsg_type = RTM_GETNEIGH,
		},
		.nd = { .ndm_family = AF_UNSPEC, .ndm_ifindex = ifindex },
	};
	struct neigh_dump q = { .ifindex = ifindex, .cb = cb, .arg = arg };

	return xlb_rtnl_dump(&req.nh, neigh_msg, &q);
}

int xlb_neigh_probe(const char *ifname, const struct xlb_addr *addr)
{
	struct sockaddr_storage ss;
	unsigned int sl;
	int fd, err = 0;

	xlb_addr_sockaddr(addr, XLB_DISCARD_PORT, 0, &ss, &sl);
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, strlen(ifname) + 1) ||
	    sendto(fd, "", 0, 0, (struct sockaddr *)&ss, sl) < 0)
		err = -errno;
	close(fd);
	return err;
}
