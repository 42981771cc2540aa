// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <errno.h>
#include <net/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/icmp6.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/iface.h"
#include "common/log.h"
#include "common/rtnl.h"
#include "pair/vaddr.h"

static int af_of(const struct xlb_addr *a)
{
	return a->family == XLB_FAMILY_V6 ? AF_INET6 : AF_INET;
}

static size_t alen_of(const struct xlb_addr *a)
{
	return a->family == XLB_FAMILY_V6 ? 16 : 4;
}

static int vaddr_change(int type, int flags, int ifindex, const struct xlb_addr *addr,
			uint8_t prefix)
{
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
		char attrs[64];
	} req = {
		.nh = {
			.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)),
			.nlmsg_type = type,
			.nlmsg_flags = flags,
		},
		.ifa = {
			.ifa_family = af_of(addr),
			.ifa_prefixlen = prefix,
			.ifa_index = ifindex,
			/* An address that moves between nodes must not wait for DAD to be usable. */
			.ifa_flags = addr->family == XLB_FAMILY_V6 ? IFA_F_NODAD : 0,
		},
	};
	static const int types[] = { IFA_LOCAL, IFA_ADDRESS };
	struct rtattr *rta;
	size_t i;

	/* Both, as ip(8) sends them: without the address a delete would match by prefix alone. */
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		rta = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));
		rta->rta_type = types[i];
		rta->rta_len = RTA_LENGTH(alen_of(addr));
		memcpy(RTA_DATA(rta), addr->w, alen_of(addr));
		req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
	}
	return xlb_rtnl_talk(&req.nh);
}

int xlb_vaddr_add(int ifindex, const struct xlb_addr *addr, uint8_t prefix)
{
	int err = vaddr_change(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex, addr, prefix);

	return err == -EEXIST ? 0 : err;
}

int xlb_vaddr_del(int ifindex, const struct xlb_addr *addr, uint8_t prefix)
{
	int err = vaddr_change(RTM_DELADDR, 0, ifindex, addr, prefix);

	return err == -EADDRNOTAVAIL || err == -ENOENT ? 0 : err;
}

int xlb_garp_send(int ifindex, const uint8_t mac[6], const struct xlb_addr *addr)
{
	struct __attribute__((packed)) {
		struct ethhdr eth;
		struct arphdr arp;
		uint8_t sha[6];
		uint8_t spa[4];
		uint8_t tha[6];
		uint8_t tpa[4];
	} f = {};
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ARP),
		.sll_ifindex = ifindex,
		.sll_halen = ETH_ALEN,
	};
	int fd, err = 0;

	memset(f.eth.h_dest, 0xff, ETH_ALEN);
	memcpy(f.eth.h_source, mac, ETH_ALEN);
	f.eth.h_proto = htons(ETH_P_ARP);
	f.arp.ar_hrd = htons(ARPHRD_ETHER);
	f.arp.ar_pro = htons(ETH_P_IP);
	f.arp.ar_hln = ETH_ALEN;
	f.arp.ar_pln = 4;
	/* A request, as keepalived sends: some hosts only update their caches from requests. */
	f.arp.ar_op = htons(ARPOP_REQUEST);
	memcpy(f.sha, mac, ETH_ALEN);
	memcpy(f.spa, addr->w, 4);
	memcpy(f.tpa, addr->w, 4);
	memset(sll.sll_addr, 0xff, ETH_ALEN);

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, &f, sizeof(f), 0, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		err = -errno;
	close(fd);
	return err;
}

int xlb_una_send(int ifindex, const uint8_t mac[6], const struct xlb_addr *addr)
{
	struct __attribute__((packed)) {
		struct nd_neighbor_advert na;
		struct nd_opt_hdr opt;
		uint8_t lladdr[6];
	} m = {};
	struct sockaddr_in6 dst = { .sin6_family = AF_INET6, .sin6_scope_id = ifindex };
	int fd, hops = 255, err = 0;

	m.na.nd_na_type = ND_NEIGHBOR_ADVERT;
	/* Override: the address has a new owner; not Solicited, nobody asked. */
	m.na.nd_na_flags_reserved = ND_NA_FLAG_OVERRIDE;
	memcpy(&m.na.nd_na_target, addr->w, 16);
	m.opt.nd_opt_type = ND_OPT_TARGET_LINKADDR;
	m.opt.nd_opt_len = 1;
	memcpy(m.lladdr, mac, 6);
	inet_pton(AF_INET6, "ff02::1", &dst.sin6_addr);

	/* The kernel fills in the ICMPv6 checksum for raw ICMPv6 sockets. */
	fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)) ||
	    sendto(fd, &m, sizeof(m), 0, (struct sockaddr *)&dst, sizeof(dst)) < 0)
		err = -errno;
	close(fd);
	return err;
}

int xlb_vaddr_set_init(struct xlb_vaddr_set *vs, const char *ifname,
		       const struct xlb_cfg_vaddr *vaddrs, size_t n)
{
	size_t i;
	int err;

	vs->vaddrs = vaddrs;
	vs->n_vaddrs = 0;
	vs->links = calloc(n ? n : 1, sizeof(*vs->links));
	if (!vs->links)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const char *name = vaddrs[i].interface[0] ? vaddrs[i].interface : ifname;
		struct xlb_vaddr_link *l = &vs->links[i];
		size_t j;

		/* Most share vrrp's interface: asked once. */
		for (j = 0; j < i && strcmp(vaddrs[j].interface[0] ? vaddrs[j].interface : ifname,
					    name);
		     j++)
			;
		if (j < i) {
			*l = vs->links[j];
			continue;
		}
		l->ifindex = if_nametoindex(name);
		if (!l->ifindex) {
			err = -errno;
			pr_err("vrrp: interface %s of a virtual address: %s", name, strerror(-err));
			return err;
		}
		err = xlb_iface_mac(name, l->mac);
		if (err) {
			pr_err("vrrp: interface %s: cannot read its MAC: %s", name, strerror(-err));
			return err;
		}
	}
	vs->n_vaddrs = n;
	return 0;
}

void xlb_vaddr_set_fini(struct xlb_vaddr_set *vs)
{
	free(vs->links);
	vs->links = NULL;
	vs->n_vaddrs = 0;
}

/*
 * Every address on (master) or off (backup) its interface; one failure does not stop the rest.
 * Failures are logged here, where the address is known.
 */
static int vaddr_set_hold(struct xlb_vaddr_set *vs, bool on)
{
	char a[INET6_ADDRSTRLEN];
	size_t i;
	int err, ret = 0;

	for (i = 0; i < vs->n_vaddrs; i++) {
		const struct xlb_cfg_vaddr *v = &vs->vaddrs[i];
		int ifindex = vs->links[i].ifindex;

		err = on ? xlb_vaddr_add(ifindex, &v->addr, v->prefix)
			 : xlb_vaddr_del(ifindex, &v->addr, v->prefix);
		if (err) {
			pr_err("vrrp: cannot %s virtual address %s: %s", on ? "add" : "remove",
			       xlb_addr_str(&v->addr, a, sizeof(a)), strerror(-err));
			ret = err;
		}
	}
	return ret;
}

static int vaddr_hold(void *arg)
{
	return vaddr_set_hold(arg, true);
}

static int vaddr_release(void *arg)
{
	return vaddr_set_hold(arg, false);
}

/* One round of GARP / unsolicited NA; the caller counts failures, so none is logged here. */
static int vaddr_announce(void *arg)
{
	const struct xlb_vaddr_set *vs = arg;
	size_t i;
	int err, ret = 0;

	for (i = 0; i < vs->n_vaddrs; i++) {
		const struct xlb_addr *a = &vs->vaddrs[i].addr;
		const struct xlb_vaddr_link *l = &vs->links[i];

		err = a->family == XLB_FAMILY_V6 ? xlb_una_send(l->ifindex, l->mac, a)
						 : xlb_garp_send(l->ifindex, l->mac, a);
		if (err)
			ret = err;
	}
	return ret;
}

const struct xlb_announcer_ops xlb_vaddr_announcer = {
	.name = "virtual addresses",
	.hold = vaddr_hold,
	.release = vaddr_release,
	.announce = vaddr_announce,
};
