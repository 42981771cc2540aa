// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "neigh.h"

#define XLB_DISCARD_PORT 9

static int neigh_parse(struct nlmsghdr *nh, int ifindex, xlb_neigh_cb cb, void *arg)
{
	struct ndmsg *nd = NLMSG_DATA(nh);
	int len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*nd));
	const uint8_t *mac = NULL;
	struct xlb_addr addr = {};
	struct rtattr *rta;

	if (len < 0 || nd->ndm_ifindex != ifindex)
		return 0;
	/* INCOMPLETE and FAILED carry no usable address; NOARP entries are not neighbours. */
	if (nd->ndm_state & (NUD_INCOMPLETE | NUD_FAILED | NUD_NOARP) || nd->ndm_state == NUD_NONE)
		return 0;
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
		cb(&addr, mac, arg);
	return 0;
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
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = 1,
		},
		.nd = { .ndm_family = AF_UNSPEC, .ndm_ifindex = ifindex },
	};
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	int fd, err = 0;
	ssize_t n;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0) {
		err = -errno;
		goto out;
	}
	for (;;) {
		struct nlmsghdr *nh;

		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			err = -errno;
			goto out;
		}
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, n); nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_type == NLMSG_DONE)
				goto out;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nh);

				err = e->error;
				goto out;
			}
			if (nh->nlmsg_type == RTM_NEWNEIGH)
				neigh_parse(nh, ifindex, cb, arg);
		}
	}
out:
	close(fd);
	return err;
}

int xlb_neigh_probe(const char *ifname, const struct xlb_addr *addr)
{
	struct sockaddr_storage ss = {};
	socklen_t sl;
	int fd, err = 0;

	if (addr->family == XLB_FAMILY_V4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(XLB_DISCARD_PORT);
		memcpy(&sin->sin_addr, addr->w, 4);
		sl = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(XLB_DISCARD_PORT);
		memcpy(&sin6->sin6_addr, addr->w, 16);
		sl = sizeof(*sin6);
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, strlen(ifname) + 1) ||
	    sendto(fd, "", 0, 0, (struct sockaddr *)&ss, sl) < 0)
		err = -errno;
	close(fd);
	return err;
}

int xlb_iface_mac(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr = {};
	int fd, err = 0;

	if (strlen(ifname) >= sizeof(ifr.ifr_name))
		return -EINVAL;
	strcpy(ifr.ifr_name, ifname);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		err = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return err;
}
