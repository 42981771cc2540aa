// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>

#include "common/log.h"
#include "common/rtnl_watch.h"

/* A dump's replies come in skbs of up to 32 KiB (the kernel sizes them to the reader's buffer). */
#define WATCH_BUF 32768
/* RFC 2863 operstates as linux/if.h numbers them (that header clashes with net/if.h). */
enum { OPER_UNKNOWN = 0, OPER_UP = 6 };
/* Room for bursts of events between two reads: a link flap is a few, a neighbour storm many. */
#define WATCH_RCVBUF (1 << 20)

static const char *table_name(unsigned int what)
{
	return what == XLB_RTNL_LINKS ? "links" : "neighbours";
}

/*
 * Every attribute of nh after its fixed header of hdr_len bytes, into tb by type (the last of
 * a type wins); -EBADMSG when the header or an attribute runs past the message.
 */
static int parse_attrs(const struct nlmsghdr *nh, size_t hdr_len, const struct nlattr **tb,
		       uint16_t max)
{
	const struct nlattr *a;
	long left;

	if (mnl_nlmsg_get_payload_len(nh) < hdr_len)
		return -EBADMSG;
	mnl_attr_for_each(a, nh, hdr_len) {
		uint16_t type = mnl_attr_get_type(a);

		if (type <= max)
			tb[type] = a;
	}
	/* mnl_attr_for_each stops, silently, at an attribute longer than what is left. */
	left = (const char *)mnl_nlmsg_get_payload_tail(nh) - (const char *)a;
	return left > 0 ? -EBADMSG : 0;
}

int xlb_rtnl_parse_link(const struct nlmsghdr *nh, struct xlb_rtnl_link *out)
{
	const struct nlattr *tb[IFLA_MAX + 1] = {};
	const struct ifinfomsg *ifi;

	if (nh->nlmsg_type != RTM_NEWLINK && nh->nlmsg_type != RTM_DELLINK)
		return -ENOENT;
	if (parse_attrs(nh, sizeof(*ifi), tb, IFLA_MAX))
		return -EBADMSG;
	ifi = mnl_nlmsg_get_payload(nh);
	memset(out, 0, sizeof(*out));
	out->ifindex = ifi->ifi_index;
	out->gone = nh->nlmsg_type == RTM_DELLINK;
	if (tb[IFLA_IFNAME]) {
		if (mnl_attr_validate(tb[IFLA_IFNAME], MNL_TYPE_NUL_STRING) ||
		    mnl_attr_get_payload_len(tb[IFLA_IFNAME]) > IF_NAMESIZE)
			return -EBADMSG;
		strcpy(out->ifname, mnl_attr_get_str(tb[IFLA_IFNAME]));
	}
	if (tb[IFLA_OPERSTATE]) {
		uint8_t op;

		if (mnl_attr_validate(tb[IFLA_OPERSTATE], MNL_TYPE_U8))
			return -EBADMSG;
		op = mnl_attr_get_u8(tb[IFLA_OPERSTATE]);
		/* What /sys/class/net/<if>/operstate reads as "up" or "unknown". */
		out->up = op == OPER_UP || op == OPER_UNKNOWN;
	} else {
		out->up = (ifi->ifi_flags & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING);
	}
	return 0;
}

int xlb_rtnl_parse_neigh(const struct nlmsghdr *nh, struct xlb_rtnl_neigh *out)
{
	const struct nlattr *tb[NDA_MAX + 1] = {};
	const struct ndmsg *nd;
	size_t alen;

	if (nh->nlmsg_type != RTM_NEWNEIGH && nh->nlmsg_type != RTM_DELNEIGH)
		return -ENOENT;
	if (parse_attrs(nh, sizeof(*nd), tb, NDA_MAX))
		return -EBADMSG;
	nd = mnl_nlmsg_get_payload(nh);
	/* The same group carries bridge forwarding entries (AF_BRIDGE): not neighbours. */
	if (nd->ndm_family != AF_INET && nd->ndm_family != AF_INET6)
		return -ENOENT;
	if (!tb[NDA_DST])
		return -EBADMSG;
	alen = nd->ndm_family == AF_INET ? 4 : 16;
	if (mnl_attr_get_payload_len(tb[NDA_DST]) != alen)
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	out->ifindex = nd->ndm_ifindex;
	out->state = nd->ndm_state;
	out->gone = nh->nlmsg_type == RTM_DELNEIGH;
	out->addr.family = nd->ndm_family == AF_INET ? XLB_FAMILY_V4 : XLB_FAMILY_V6;
	memcpy(out->addr.w, mnl_attr_get_payload(tb[NDA_DST]), alen);
	/* Other link layers' addresses are other lengths; xlb forwards over Ethernet only. */
	if (tb[NDA_LLADDR] && mnl_attr_get_payload_len(tb[NDA_LLADDR]) == 6) {
		memcpy(out->mac, mnl_attr_get_payload(tb[NDA_LLADDR]), 6);
		out->has_mac = true;
	}
	return 0;
}

bool xlb_rtnl_neigh_usable(const struct xlb_rtnl_neigh *n)
{
	/* INCOMPLETE and FAILED carry no usable address; NOARP entries are not neighbours. */
	return !n->gone && n->has_mac && n->state != NUD_NONE &&
	       !(n->state & (NUD_INCOMPLETE | NUD_FAILED | NUD_NOARP));
}

/* ---- subscribers ---- */

void xlb_rtnl_watch_subscribe(struct xlb_rtnl_watch *w, struct xlb_rtnl_sub *sub)
{
	sub->next = w->subs;
	w->subs = sub;
}

void xlb_rtnl_watch_unsubscribe(struct xlb_rtnl_watch *w, struct xlb_rtnl_sub *sub)
{
	struct xlb_rtnl_sub **p;

	for (p = &w->subs; *p; p = &(*p)->next) {
		if (*p == sub) {
			*p = sub->next;
			return;
		}
	}
}

/* Call member cb of every subscriber that has it; one may unsubscribe itself meanwhile. */
#define NOTIFY(w, cb, x)                                              \
	do {                                                          \
		struct xlb_rtnl_sub *s_, *n_;                          \
		for (s_ = (w)->subs; s_; s_ = n_) {                    \
			n_ = s_->next;                                 \
			if (s_->cb)                                    \
				s_->cb((x), s_->arg);                  \
		}                                                     \
	} while (0)

/* ---- the link cache ---- */

static struct xlb_rtnl_link *link_find(const struct xlb_rtnl_watch *w, int ifindex)
{
	size_t i;

	for (i = 0; i < w->n_links; i++)
		if (w->links[i].ifindex == ifindex)
			return &w->links[i];
	return NULL;
}

const struct xlb_rtnl_link *xlb_rtnl_watch_link(const struct xlb_rtnl_watch *w,
						const char *ifname)
{
	size_t i;

	if (!xlb_rtnl_watch_synced(w, XLB_RTNL_LINKS))
		return NULL;
	for (i = 0; i < w->n_links; i++)
		if (!strcmp(w->links[i].ifname, ifname))
			return &w->links[i];
	return NULL;
}

static void link_drop(struct xlb_rtnl_watch *w, struct xlb_rtnl_link *l)
{
	struct xlb_rtnl_link gone = *l;

	*l = w->links[--w->n_links];
	gone.gone = true;
	gone.up = false;
	NOTIFY(w, link, &gone);
}

static int link_update(struct xlb_rtnl_watch *w, const struct xlb_rtnl_link *in)
{
	struct xlb_rtnl_link *l = link_find(w, in->ifindex);

	if (in->gone) {
		if (l)
			link_drop(w, l);
		return 0;
	}
	if (!l) {
		if (w->n_links == w->cap_links) {
			size_t cap = w->cap_links ? 2 * w->cap_links : 16;
			struct xlb_rtnl_link *v = realloc(w->links, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			w->links = v;
			w->cap_links = cap;
		}
		l = &w->links[w->n_links++];
		*l = *in;
		l->gen = w->gen;
		NOTIFY(w, link, l);
		return 0;
	}
	l->gen = w->gen;
	if (l->up == in->up && (!in->ifname[0] || !strcmp(l->ifname, in->ifname)))
		return 0;
	l->up = in->up;
	if (in->ifname[0])
		memcpy(l->ifname, in->ifname, sizeof(l->ifname));
	NOTIFY(w, link, l);
	return 0;
}

/* ---- dumps ---- */

static int dump_send(struct xlb_rtnl_watch *w, unsigned int what)
{
	char req[MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct ifinfomsg))] = {};
	struct nlmsghdr *nh = mnl_nlmsg_put_header(req);

	nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nh->nlmsg_seq = w->seq;
	if (what == XLB_RTNL_LINKS) {
		nh->nlmsg_type = RTM_GETLINK;
		mnl_nlmsg_put_extra_header(nh, sizeof(struct ifinfomsg));
	} else {
		nh->nlmsg_type = RTM_GETNEIGH;
		mnl_nlmsg_put_extra_header(nh, sizeof(struct ndmsg));
	}
	if (mnl_socket_sendto(w->nl, nh, nh->nlmsg_len) < 0)
		return -errno;
	return 0;
}

/* Start the next pending dump unless one is under way (the kernel runs one per socket). */
static void dump_next(struct xlb_rtnl_watch *w)
{
	unsigned int what;
	int err;

	if (w->dumping || !w->pending)
		return;
	what = w->pending & XLB_RTNL_LINKS ? XLB_RTNL_LINKS : XLB_RTNL_NEIGHS;
	w->pending &= ~what;
	w->dumping = what;
	w->synced &= ~what;
	w->intr = false;
	w->seq++;
	w->gen++;
	NOTIFY(w, begin, what);
	if (!w->nl)
		return;
	err = dump_send(w, what);
	if (err) {
		/* Left pending: the next readable socket, or the next request, tries again. */
		pr_warn("rtnetlink: cannot ask for the %s: %s", table_name(what), strerror(-err));
		w->dumping = 0;
		w->pending |= what;
	}
}

void xlb_rtnl_watch_dump(struct xlb_rtnl_watch *w, unsigned int what)
{
	w->pending |= what;
	dump_next(w);
}

static void dump_end(struct xlb_rtnl_watch *w, int err)
{
	unsigned int what = w->dumping;
	size_t i;

	w->dumping = 0;
	if (what == XLB_RTNL_LINKS && !err && !w->intr) {
		/* A link the dump did not name is gone (its deletion was among what was lost). */
		for (i = w->n_links; i-- > 0;)
			if (w->links[i].gen != w->gen)
				link_drop(w, &w->links[i]);
	}
	if (err || w->intr) {
		w->redumps++;
		if (err)
			pr_warn("rtnetlink: dump of the %s failed: %s; again", table_name(what),
				strerror(-err));
		else
			pr_debug("rtnetlink: the %s changed while dumped; again", table_name(what));
		w->pending |= what;
	} else {
		w->synced |= what;
		NOTIFY(w, synced, what);
	}
	dump_next(w);
}

/* ---- reading ---- */

static int handle(struct xlb_rtnl_watch *w, const struct nlmsghdr *nh)
{
	bool ours = w->dumping && nh->nlmsg_seq == w->seq;
	struct xlb_rtnl_neigh n;
	struct xlb_rtnl_link l;
	int err;

	if (ours && (nh->nlmsg_flags & NLM_F_DUMP_INTR))
		w->intr = true;
	switch (nh->nlmsg_type) {
	case NLMSG_DONE:
		if (ours)
			dump_end(w, 0);
		return 0;
	case NLMSG_ERROR:
		if (mnl_nlmsg_get_payload_len(nh) < sizeof(struct nlmsgerr))
			return -EBADMSG;
		if (ours)
			dump_end(w, ((const struct nlmsgerr *)mnl_nlmsg_get_payload(nh))->error);
		return 0;
	case RTM_NEWLINK:
	case RTM_DELLINK:
		err = xlb_rtnl_parse_link(nh, &l);
		if (err)
			return err;
		err = link_update(w, &l);
		if (err)
			pr_warn("rtnetlink: link %d: %s", l.ifindex, strerror(-err));
		return 0;
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		err = xlb_rtnl_parse_neigh(nh, &n);
		if (err)
			return err == -ENOENT ? 0 : err;
		NOTIFY(w, neigh, &n);
		return 0;
	}
	return 0;
}

int xlb_rtnl_watch_feed(struct xlb_rtnl_watch *w, const void *buf, size_t len)
{
	const struct nlmsghdr *nh = buf;
	int left = len, ret = 0;

	for (; mnl_nlmsg_ok(nh, left); nh = mnl_nlmsg_next(nh, &left)) {
		if (handle(w, nh) == -EBADMSG) {
			w->refused++;
			pr_debug("rtnetlink: malformed message (type %u, %u bytes) refused",
				 nh->nlmsg_type, nh->nlmsg_len);
			ret = -EBADMSG;
		}
	}
	if (left > 0) {
		w->refused++;
		pr_debug("rtnetlink: %d bytes of a truncated message refused", left);
		ret = -EBADMSG;
	}
	return ret;
}

static void on_readable(struct xlb_loop *loop, int fd, uint32_t events, void *arg)
{
	struct xlb_rtnl_watch *w = arg;
	ssize_t n;

	(void)loop;
	(void)fd;
	(void)events;
	for (;;) {
		n = mnl_socket_recvfrom(w->nl, w->buf, WATCH_BUF);
		if (n >= 0) {
			xlb_rtnl_watch_feed(w, w->buf, n);
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == ENOBUFS) {
			/* Events were dropped: what is known may be wrong until both are dumped. */
			pr_info("rtnetlink: events lost (socket overflowed): reading links and "
				"neighbours again");
			w->redumps++;
			xlb_rtnl_watch_dump(w, XLB_RTNL_LINKS | XLB_RTNL_NEIGHS);
			continue;
		}
		if (errno != EAGAIN)
			pr_warn("rtnetlink: %s", strerror(errno));
		break;
	}
	dump_next(w);
}

int xlb_rtnl_watch_open(struct xlb_rtnl_watch *w, struct xlb_loop *loop)
{
	int err, fd, rcvbuf = WATCH_RCVBUF;

	memset(w, 0, sizeof(*w));
	w->loop = loop;
	w->buf = malloc(WATCH_BUF);
	if (!w->buf) {
		err = -ENOMEM;
		goto fail;
	}
	w->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!w->nl) {
		err = -errno;
		goto fail;
	}
	fd = mnl_socket_get_fd(w->nl);
	/* FORCE, as root, past rmem_max; the plain one else (it is capped, not refused). */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (mnl_socket_bind(w->nl, RTMGRP_LINK | RTMGRP_NEIGH, MNL_SOCKET_AUTOPID)) {
		err = -errno;
		goto fail;
	}
	err = xlb_loop_add_fd(loop, fd, EPOLLIN, on_readable, w);
	if (err)
		goto fail;
	xlb_rtnl_watch_dump(w, XLB_RTNL_LINKS | XLB_RTNL_NEIGHS);
	return 0;
fail:
	pr_err("rtnetlink: %s", strerror(-err));
	return err;
}

void xlb_rtnl_watch_close(struct xlb_rtnl_watch *w)
{
	if (w->nl) {
		if (w->loop)
			xlb_loop_del_fd(w->loop, mnl_socket_get_fd(w->nl));
		mnl_socket_close(w->nl);
	}
	free(w->buf);
	free(w->links);
	memset(w, 0, sizeof(*w));
}
