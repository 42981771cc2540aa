// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>

#include "common/route.h"

/* Copy an address attribute's payload of the family's size into a. */
static int addr_from(struct xlb_addr *a, uint8_t family, const void *p, size_t len)
{
	size_t want = family == XLB_FAMILY_V4 ? 4 : 16;

	if (len != want)
		return -EBADMSG;
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->w, p, want);
	return 0;
}

static uint8_t family_of(int af)
{
	return af == AF_INET ? XLB_FAMILY_V4 : af == AF_INET6 ? XLB_FAMILY_V6 : XLB_FAMILY_NONE;
}

static int parse_route(const struct nlmsghdr *nh, struct xlb_route *out)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nh);
	const struct nlattr *a;

	if (mnl_nlmsg_get_payload_len(nh) < sizeof(*rtm))
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	out->type = rtm->rtm_type;
	mnl_attr_for_each(a, nh, sizeof(*rtm)) {
		const void *p = mnl_attr_get_payload(a);
		size_t len = mnl_attr_get_payload_len(a);

		switch (mnl_attr_get_type(a)) {
		case RTA_OIF:
			if (mnl_attr_validate(a, MNL_TYPE_U32))
				return -EBADMSG;
			out->oif = (int)mnl_attr_get_u32(a);
			break;
		case RTA_GATEWAY:
			if (addr_from(&out->gw, family_of(rtm->rtm_family), p, len))
				return -EBADMSG;
			out->has_gw = true;
			break;
		case RTA_VIA: {
			const struct rtvia *via = p;

			/* IPv4 through an IPv6 gateway (RFC 5549). */
			if (len < sizeof(*via) ||
			    addr_from(&out->gw, family_of(via->rtvia_family), via->rtvia_addr,
				      len - sizeof(*via)))
				return -EBADMSG;
			out->has_gw = true;
			break;
		}
		}
	}
	return 0;
}

int xlb_route_get(const struct xlb_addr *dst, struct xlb_route *out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	bool v4 = dst->family == XLB_FAMILY_V4;
	struct mnl_socket *nl;
	struct nlmsghdr *nh;
	struct rtmsg *rtm;
	uint32_t seq = (uint32_t)time(NULL);
	ssize_t got;
	int n, err;

	nh = mnl_nlmsg_put_header(buf);
	nh->nlmsg_type = RTM_GETROUTE;
	nh->nlmsg_flags = NLM_F_REQUEST;
	nh->nlmsg_seq = seq;
	rtm = mnl_nlmsg_put_extra_header(nh, sizeof(*rtm));
	rtm->rtm_family = v4 ? AF_INET : AF_INET6;
	rtm->rtm_dst_len = v4 ? 32 : 128;
	mnl_attr_put(nh, RTA_DST, v4 ? 4 : 16, dst->w);

	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) ||
	    mnl_socket_sendto(nl, nh, nh->nlmsg_len) < 0) {
		err = -errno;
		goto out;
	}
	/* One answer, the route or an error; anything else (not ours) is read past. */
	for (;;) {
		got = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (got < 0) {
			err = -errno;
			goto out;
		}
		n = (int)got;
		for (nh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nh, n);
		     nh = mnl_nlmsg_next(nh, &n)) {
			if (nh->nlmsg_seq != seq)
				continue;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(nh);

				err = mnl_nlmsg_get_payload_len(nh) < sizeof(*e) ? -EBADMSG :
				      e->error ? e->error : -ENOENT;
				goto out;
			}
			if (nh->nlmsg_type == RTM_NEWROUTE) {
				err = parse_route(nh, out);
				goto out;
			}
		}
	}
out:
	mnl_socket_close(nl);
	return err;
}

const struct xlb_addr *xlb_route_hop(const struct xlb_route *r, const struct xlb_addr *dst)
{
	return r->has_gw ? &r->gw : dst;
}

const char *xlb_route_type_name(unsigned char type, char *buf, size_t len)
{
	static const char *const names[] = {
		[RTN_UNICAST] = "unicast",     [RTN_LOCAL] = "local",
		[RTN_BROADCAST] = "broadcast", [RTN_ANYCAST] = "anycast",
		[RTN_MULTICAST] = "multicast", [RTN_BLACKHOLE] = "blackhole",
		[RTN_UNREACHABLE] = "unreachable", [RTN_PROHIBIT] = "prohibit",
		[RTN_THROW] = "throw",         [RTN_NAT] = "nat",
	};

	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	snprintf(buf, len, "type %u", type);
	return buf;
}
