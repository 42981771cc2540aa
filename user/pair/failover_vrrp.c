// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VRRP failover backend: one or more instances (keepalived's vrrp_instance), each VRRPv3
 * or VRRPv2 (with PASS authentication) on its own raw socket (IP protocol 112, multicast or
 * unicast peers), with priority tracking (interfaces, VIPs with no backend up), notify, and
 * the virtual addresses it holds and announces through its announcer; and the sync groups
 * that move instances together (vrrp_group.c decides, this file carries it out). The protocol
 * itself is vrrp.c's; this file is its sockets and its effects. The node's role follows the
 * first instance.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "common/output.h"
#include "common/prom.h"
#include "common/spawn.h"
#include "pair/announce.h"
#include "pair/failover.h"
#include "pair/vaddr.h"
#include "pair/vrrp.h"
#include "pair/vrrp_group.h"

#define TRACK_NS (200 * XLB_MS)

_Static_assert(XLB_CFG_VRRP_AUTH_NONE == XLB_VRRP_AUTH_NONE &&
		       XLB_CFG_VRRP_AUTH_PASS == XLB_VRRP_AUTH_PASS,
	       "the config's auth types are the advert's");
#define NOTIFY_TIMEOUT_NS (30000 * XLB_MS)

struct fo_all;

/* One instance. */
struct fo_vrrp {
	struct fo_all *all;
	const struct xlb_failover_host *host;
	const struct xlb_cfg_vrrp *cfg;
	bool first; /* the node's role follows it */
	struct xlb_vrrp vr;
	bool vr_ready;
	int ifindex;
	int fd;
	struct xlb_rtnl_sub link_sub; /* link states, for the fault and the tracked interfaces */
	struct xlb_timer track_timer; /* VIP tracks only: links are events */
	uint32_t penalty;
	bool fault; /* its interface or a weightless track is down: VRRP stopped until it is up */
	bool left;  /* its sync group stopped it, for another member's fault */
	/* what it does now is the group's doing (or a fault's): not an event of its own */
	bool quiet;
	struct xlb_vrrp_group *group; /* NULL: in none */
	size_t group_k;               /* its index in the group */
	struct xlb_vaddr_set vaddrs;
	struct xlb_announcer an;
};

/* The backend's state: every instance, and the groups over them. */
struct fo_all {
	const struct xlb_failover_host *host;
	struct fo_vrrp *inst;
	size_t n;
	struct xlb_vrrp_group *groups;
	size_t n_groups;
	size_t *members; /* per group, its members' instance indexes: groups[g] from members_of[g] */
	size_t *members_of;
	struct xlb_timer group_timer; /* groups act out of their members' callbacks */
};

static const struct xlb_cfg_vrrp *fo_cfg(const struct fo_vrrp *fo)
{
	return fo->cfg;
}

static int af_of(uint8_t family)
{
	return family == XLB_FAMILY_V6 ? AF_INET6 : AF_INET;
}

/*
 * The advert source: the interface's first IPv4 address that is not a virtual one, or its IPv6
 * link-local address (RFC 5798 5.1.2.1). It also breaks priority ties, so it must be stable.
 */
static int local_addr(struct fo_vrrp *fo, uint8_t family, struct xlb_addr *out)
{
	const struct xlb_cfg_vrrp *c = fo_cfg(fo);
	struct ifaddrs *ifa, *i;
	size_t k;
	int found = 0;

	if (getifaddrs(&ifa))
		return -errno;
	for (i = ifa; i && !found; i = i->ifa_next) {
		struct xlb_addr a = { .family = family };
		bool virt = false;

		if (!i->ifa_addr || strcmp(i->ifa_name, c->interface) ||
		    i->ifa_addr->sa_family != af_of(family))
			continue;
		if (family == XLB_FAMILY_V4) {
			memcpy(a.w, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
		} else {
			struct in6_addr *in6 = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;

			if (!IN6_IS_ADDR_LINKLOCAL(in6))
				continue;
			memcpy(a.w, in6, 16);
		}
		for (k = 0; k < c->n_vaddrs; k++)
			if (!memcmp(a.w, c->vaddrs[k].addr.w, sizeof(a.w)))
				virt = true;
		if (virt)
			continue;
		*out = a;
		found = 1;
	}
	freeifaddrs(ifa);
	return found ? 0 : -EADDRNOTAVAIL;
}

static int send_advert(struct xlb_vrrp *vr, uint8_t priority, void *arg)
{
	static struct xlb_vrrp_advert a;
	struct fo_vrrp *fo = arg;
	const struct xlb_cfg_vrrp *c = fo_cfg(fo);
	uint8_t pkt[XLB_VRRP_IP6_HDR_LEN + XLB_VRRP_HDR_LEN + 16 * XLB_VRRP_MAX_ADDRS];
	struct xlb_addr group, *dsts = c->unicast_peers;
	size_t i, n = c->n_unicast_peers;
	int off = 0, len, err = 0;

	xlb_vrrp_fill_advert(vr, priority, &a);
	if (!n) {
		xlb_vrrp_group(vr->cfg.family, &group);
		dsts = &group;
		n = 1;
	}
	for (i = 0; i < n; i++) {
		struct sockaddr_storage ss;
		unsigned int sl;

		/* IPv4 goes out with our own header (IP_HDRINCL), byte for byte keepalived's. */
		off = vr->cfg.family == XLB_FAMILY_V4 ? XLB_VRRP_IP4_HDR_LEN : 0;
		len = xlb_vrrp_encode(&a, &vr->cfg.local, &dsts[i], pkt + off, sizeof(pkt) - off);
		if (len < 0)
			return len;
		if (off)
			xlb_vrrp_ip4_build(pkt, off, &vr->cfg.local, &dsts[i], 0, len);
		xlb_addr_sockaddr(&dsts[i], 0, fo->ifindex, &ss, &sl);
		if (sendto(fo->fd, pkt, off + len, MSG_DONTWAIT, (struct sockaddr *)&ss, sl) < 0)
			err = -errno;
	}
	return err;
}

/* A change of a member's own, for its group to act on once the change is over. */
static void group_event(struct fo_vrrp *fo, enum xlb_vrrp_group_ev ev)
{
	if (fo->group && !fo->quiet && xlb_vrrp_group_event(fo->group, fo->group_k, ev))
		xlb_timer_arm(fo->host->loop, &fo->all->group_timer, 0);
}

/*
 * The addresses held (master) or released (backup), then the host told of the new role if
 * this is the first instance, and the group of a change of the instance's own.
 */
static int hold_vaddrs(struct fo_vrrp *fo, bool master)
{
	int ret;

	ret = master ? fo->an.ops->hold(fo->an.arg) : fo->an.ops->release(fo->an.arg);
	if (fo->first)
		fo->host->role_changed(fo->host->arg, master);
	group_event(fo, master ? XLB_VRRP_GROUP_MASTER : XLB_VRRP_GROUP_BACKUP);
	return ret;
}

static int become_master(struct xlb_vrrp *vr, void *arg)
{
	(void)vr;
	return hold_vaddrs(arg, true);
}

static int become_backup(struct xlb_vrrp *vr, void *arg)
{
	(void)vr;
	return hold_vaddrs(arg, false);
}

static int send_garp(struct xlb_vrrp *vr, void *arg)
{
	struct fo_vrrp *fo = arg;

	(void)vr;
	return fo->an.ops->announce(fo->an.arg);
}

static void notify(struct xlb_vrrp *vr, const char *state, void *arg)
{
	struct fo_vrrp *fo = arg;
	const struct xlb_cfg_vrrp *c = fo_cfg(fo);
	char e_state[32], e_vrid[32], e_prio[32], e_inst[64], e_group[64];
	char *env[] = { e_state, e_vrid, e_prio, e_inst, e_group, NULL };
	int err;

	pr_info("vrrp %s: vrid %u is %s (priority %u)", c->name, c->vrid, state,
		vr->eff_priority);
	if (!c->notify[0])
		return;
	snprintf(e_state, sizeof(e_state), "XLB_VRRP_STATE=%s", state);
	snprintf(e_vrid, sizeof(e_vrid), "XLB_VRRP_VRID=%u", c->vrid);
	snprintf(e_prio, sizeof(e_prio), "XLB_VRRP_PRIORITY=%u", vr->eff_priority);
	snprintf(e_inst, sizeof(e_inst), "XLB_VRRP_INSTANCE=%s", c->name);
	snprintf(e_group, sizeof(e_group), "XLB_VRRP_SYNC_GROUP=%s",
		 fo->group ? fo->group->name : "");
	err = xlb_spawn(fo->host->loop, c->notify, env, NOTIFY_TIMEOUT_NS);
	if (err)
		pr_warn("vrrp notify '%s': %s", c->notify, strerror(-err));
}

static const struct xlb_vrrp_ops fo_ops = {
	.send_advert = send_advert,
	.become_master = become_master,
	.become_backup = become_backup,
	.send_garp = send_garp,
	.notify = notify,
};

static void on_packet(struct xlb_loop *loop, int fd, uint32_t events, void *arg)
{
	struct fo_vrrp *fo = arg;
	uint8_t buf[4096], cbuf[256];
	struct sockaddr_storage from;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = {
		.msg_name = &from,
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
	};
	ssize_t n;

	(void)loop;
	(void)events;
	for (;;) {
		struct xlb_addr src = {}, dst = {};
		size_t off = 0, len;
		uint8_t ttl = 0;
		struct cmsghdr *cm;

		msg.msg_namelen = sizeof(from);
		msg.msg_controllen = sizeof(cbuf);
		n = recvmsg(fd, &msg, MSG_DONTWAIT);
		if (n < 0)
			return;
		if (fo->vr.cfg.family == XLB_FAMILY_V4) {
			if (xlb_vrrp_ip4_parse(buf, n, &src, &dst, &ttl, &off, &len))
				continue;
		} else {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&from;

			src.family = dst.family = XLB_FAMILY_V6;
			memcpy(src.w, &s6->sin6_addr, 16);
			for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
				if (cm->cmsg_level != IPPROTO_IPV6)
					continue;
				if (cm->cmsg_type == IPV6_HOPLIMIT)
					ttl = *(int *)CMSG_DATA(cm);
				else if (cm->cmsg_type == IPV6_PKTINFO)
					memcpy(dst.w, &((struct in6_pktinfo *)CMSG_DATA(cm))->ipi6_addr,
					       16);
			}
			len = n;
		}
		xlb_vrrp_input(&fo->vr, buf + off, len, &src, &dst, ttl);
	}
}

static int open_socket(struct fo_vrrp *fo)
{
	const struct xlb_cfg_vrrp *c = fo_cfg(fo);
	int one = 1, zero = 0, ttl = 255, tos = XLB_VRRP_TOS;
	struct xlb_addr group;
	int fd, err;

	fd = socket(af_of(fo->vr.cfg.family), SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    XLB_VRRP_PROTO);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, c->interface, strlen(c->interface) + 1))
		goto fail;
	xlb_vrrp_group(fo->vr.cfg.family, &group);
	if (fo->vr.cfg.family == XLB_FAMILY_V4) {
		struct ip_mreqn mr = { .imr_ifindex = fo->ifindex };

		memcpy(&mr.imr_multiaddr, group.w, 4);
		if (setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &zero, sizeof(zero)) ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)) ||
		    setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)))
			goto fail;
	} else {
		struct ipv6_mreq mr = { .ipv6mr_interface = fo->ifindex };
		struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_scope_id = fo->ifindex };

		memcpy(&mr.ipv6mr_multiaddr, group.w, 16);
		memcpy(&sa.sin6_addr, fo->vr.cfg.local.w, 16);
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof(ttl)) ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl)) ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof(tos)) ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof(zero)) ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &fo->ifindex,
			       sizeof(fo->ifindex)) ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one)) ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mr, sizeof(mr)) ||
		    bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
			goto fail;
	}
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

/* Operstate up or unknown, as the kernel last said; a link it does not know is down. */
static bool link_up(const struct fo_vrrp *fo, const char *ifname)
{
	const struct xlb_rtnl_link *l = xlb_rtnl_watch_link(fo->host->rtnl, ifname);

	return l && l->up;
}

/*
 * keepalived's track_interface / track_script: a sick node lowers its priority. Run when a
 * link changes and, for the VIP tracks, on a timer; links are judged only once the kernel has
 * told all of them.
 */
static void track(struct fo_vrrp *fo)
{
	const struct xlb_cfg_vrrp *c = fo_cfg(fo);
	const char *down = link_up(fo, c->interface) ? NULL : c->interface;
	uint32_t penalty = 0;
	size_t i;

	if (!xlb_rtnl_watch_synced(fo->host->rtnl, XLB_RTNL_LINKS))
		return;
	for (i = 0; i < c->n_tracks; i++) {
		const struct xlb_cfg_track *tr = &c->tracks[i];
		bool ok = tr->is_vip ? fo->host->vip_has_backend(fo->host->arg, tr->name)
				     : link_up(fo, tr->name);

		if (ok)
			continue;
		/* keepalived's track without a weight: down is FAULT, not a lower priority */
		if (!tr->weight && !down)
			down = tr->name;
		penalty += tr->weight;
	}
	/*
	 * Its own interface is watched always (keepalived's FAULT): with the link down no advert
	 * leaves, so holding MASTER and the VIPs would only hide them from the peer; with the
	 * link back it starts again as backup, and preempts (with GARPs) if it should.
	 */
	if (!!down != fo->fault) {
		fo->fault = !fo->fault;
		fo->quiet = true;
		if (fo->fault) {
			pr_warn("vrrp %s: %s is down: leaving the virtual router (fault)", c->name,
				down);
			xlb_vrrp_stop(&fo->vr, false);
		} else if (!fo->left) {
			pr_info("vrrp %s: no track is down any more: rejoining as backup", c->name);
			xlb_vrrp_start(&fo->vr);
		}
		fo->quiet = false;
		group_event(fo, fo->fault ? XLB_VRRP_GROUP_FAULT : XLB_VRRP_GROUP_RECOVER);
	}
	if (penalty != fo->penalty) {
		pr_info("vrrp %s: tracking penalty %u -> %u", c->name, fo->penalty, penalty);
		fo->penalty = penalty;
		xlb_vrrp_set_penalty(&fo->vr, penalty);
	}
}

static bool tracks_vips(const struct fo_vrrp *fo)
{
	const struct xlb_cfg_vrrp *c = fo_cfg(fo);
	size_t i;

	for (i = 0; i < c->n_tracks; i++)
		if (c->tracks[i].is_vip)
			return true;
	return false;
}

/* Whether a VIP has a backend up is the host's to say, and it does not call: asked in turn. */
static void on_track(struct xlb_loop *loop, struct xlb_timer *t)
{
	track(t->arg);
	xlb_timer_arm(loop, t, TRACK_NS);
}

static void on_link(const struct xlb_rtnl_link *l, void *arg)
{
	(void)l;
	track(arg);
}

static void on_links_synced(unsigned int what, void *arg)
{
	if (what & XLB_RTNL_LINKS)
		track(arg);
}

/* ---- sync groups: what a group asks of its members, carried out quietly ---- */

static struct fo_vrrp *group_inst(struct xlb_vrrp_group *g, size_t k)
{
	struct fo_all *all = g->arg;
	size_t i;

	for (i = 0; i < all->n; i++)
		if (all->inst[i].group == g && all->inst[i].group_k == k)
			return &all->inst[i];
	return NULL;
}

static void group_set_master(struct xlb_vrrp_group *g, size_t k, bool master)
{
	struct fo_vrrp *fo = group_inst(g, k);

	if (!fo || !fo->vr_ready)
		return;
	fo->quiet = true;
	xlb_vrrp_set_state(&fo->vr, master ? XLB_VRRP_MASTER : XLB_VRRP_BACKUP);
	fo->quiet = false;
}

/* Graceful: a priority-0 advert, so the peer's member takes over now, as a faulted one's did. */
static void group_leave(struct xlb_vrrp_group *g, size_t k)
{
	struct fo_vrrp *fo = group_inst(g, k);

	if (!fo || fo->left)
		return;
	fo->left = true;
	fo->quiet = true;
	xlb_vrrp_stop(&fo->vr, true);
	fo->quiet = false;
}

static void group_rejoin(struct xlb_vrrp_group *g, size_t k)
{
	struct fo_vrrp *fo = group_inst(g, k);

	if (!fo || !fo->left)
		return;
	fo->left = false;
	if (fo->fault)
		return;
	fo->quiet = true;
	xlb_vrrp_start(&fo->vr);
	fo->quiet = false;
}

static const char *group_name(struct xlb_vrrp_group *g, size_t k)
{
	struct fo_vrrp *fo = group_inst(g, k);

	return fo ? fo->cfg->name : "?";
}

static const struct xlb_vrrp_group_ops group_ops = {
	.set_master = group_set_master,
	.leave = group_leave,
	.rejoin = group_rejoin,
	.name = group_name,
};

static void on_group_timer(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct fo_all *all = t->arg;
	size_t i;

	(void)loop;
	for (i = 0; i < all->n_groups; i++)
		xlb_vrrp_group_run(&all->groups[i]);
}

static void inst_stop(struct fo_vrrp *fo, bool graceful);

/* Instance fo of the config c: its addresses, its router and its socket, not started yet. */
static int inst_init(struct fo_all *all, struct fo_vrrp *fo, const struct xlb_cfg_vrrp *c)
{
	struct xlb_vrrp_config vc;
	struct xlb_addr *vips;
	size_t i;
	int err;

	fo->all = all;
	fo->host = all->host;
	fo->cfg = c;
	fo->fd = -1;
	fo->link_sub = (struct xlb_rtnl_sub){ .link = on_link, .synced = on_links_synced, .arg = fo };
	xlb_timer_init(&fo->track_timer, on_track, fo);
	fo->ifindex = if_nametoindex(c->interface);
	if (!fo->ifindex) {
		err = -errno;
		pr_err("vrrp %s: interface %s: %s", c->name, c->interface, strerror(-err));
		return err;
	}
	err = xlb_vaddr_set_init(&fo->vaddrs, c->interface, c->vaddrs, c->n_vaddrs);
	if (err)
		return err;
	fo->an.ops = &xlb_vaddr_announcer;
	fo->an.arg = &fo->vaddrs;

	xlb_vrrp_config_init(&vc);
	vc.vrid = c->vrid;
	vc.priority = c->priority;
	vc.family = c->vaddrs[0].addr.family;
	vc.preempt = c->preempt;
	vc.advert_interval_cs = c->advert_cs;
	vc.preempt_delay_ms = c->preempt_delay_ms;
	vc.garp_repeat = c->garp_repeat;
	vc.garp_delay_ms = c->garp_delay_ms;
	vc.garp_refresh_ms = c->garp_refresh_ms;
	vc.version = c->version;
	vc.auth_type = c->auth_type;
	memcpy(vc.auth_data, c->auth_pass, sizeof(vc.auth_data));
	vc.start_master = c->start_master;
	err = local_addr(fo, vc.family, &vc.local);
	if (err) {
		pr_err("vrrp %s: %s has no %s address to send adverts from", c->name, c->interface,
		       vc.family == XLB_FAMILY_V6 ? "link-local IPv6" : "IPv4");
		return err;
	}
	vips = calloc(c->n_vaddrs, sizeof(*vips));
	if (!vips)
		return -ENOMEM;
	for (i = 0; i < c->n_vaddrs; i++)
		vips[i] = c->vaddrs[i].addr;
	vc.vips = vips;
	vc.n_vips = c->n_vaddrs;
	/* the peers we send to are the only ones we listen to */
	vc.peers = c->unicast_peers;
	vc.n_peers = c->n_unicast_peers;
	err = xlb_vrrp_init(&fo->vr, all->host->loop, &vc, &fo_ops, fo);
	free(vips);
	if (err) {
		pr_err("vrrp %s: %s", c->name, strerror(-err));
		return err;
	}
	fo->vr_ready = true;

	fo->fd = open_socket(fo);
	if (fo->fd < 0) {
		err = fo->fd;
		pr_err("vrrp %s: socket on %s: %s", c->name, c->interface, strerror(-err));
		return err;
	}
	err = xlb_loop_add_fd(all->host->loop, fo->fd, EPOLLIN, on_packet, fo);
	if (err) {
		pr_err("vrrp %s: watching its socket: %s", c->name, strerror(-err));
		close(fo->fd);
		fo->fd = -1;
	}
	return err;
}

/* Starts as backup (removing VIPs a crashed predecessor left), or master if owner. */
static int inst_start(struct fo_vrrp *fo)
{
	int err;

	xlb_rtnl_watch_subscribe(fo->host->rtnl, &fo->link_sub);
	if (tracks_vips(fo))
		xlb_timer_arm(fo->host->loop, &fo->track_timer, TRACK_NS);
	fo->quiet = true;
	err = xlb_vrrp_start(&fo->vr);
	fo->quiet = false;
	if (err)
		pr_err("vrrp %s: cannot start: %s", fo->cfg->name, strerror(-err));
	return err;
}

static void inst_stop(struct fo_vrrp *fo, bool graceful)
{
	if (!fo->all)
		return; /* never initialised */
	fo->quiet = true; /* a stopping node's groups do nothing more */
	if (fo->vr_ready) {
		xlb_vrrp_stop(&fo->vr, graceful);
		xlb_vrrp_fini(&fo->vr);
		fo->vr_ready = false;
	}
	xlb_timer_cancel(fo->host->loop, &fo->track_timer);
	xlb_rtnl_watch_unsubscribe(fo->host->rtnl, &fo->link_sub);
	if (fo->fd >= 0) {
		xlb_loop_del_fd(fo->host->loop, fo->fd);
		close(fo->fd);
		fo->fd = -1;
	}
	xlb_vaddr_set_fini(&fo->vaddrs);
}

/* The groups, and each member told its group and its place in it. */
static int groups_init(struct fo_all *all)
{
	const struct xlb_failover_host *h = all->host;
	size_t g, i, k;
	int err;

	if (!h->n_sync_groups)
		return 0;
	all->groups = calloc(h->n_sync_groups, sizeof(*all->groups));
	if (!all->groups)
		return -ENOMEM;
	all->n_groups = h->n_sync_groups;
	for (g = 0; g < all->n_groups; g++) {
		for (i = 0, k = 0; i < all->n; i++) {
			if (h->vrrps[i].sync_group != (int)g)
				continue;
			all->inst[i].group = &all->groups[g];
			all->inst[i].group_k = k++;
		}
		err = xlb_vrrp_group_init(&all->groups[g], h->sync_groups[g].name, k, &group_ops,
					  all);
		if (err) {
			pr_err("vrrp sync group %s: %zu members", h->sync_groups[g].name, k);
			return err;
		}
	}
	return 0;
}

static void vrrp_stop(struct xlb_failover *f, bool graceful);

static int vrrp_start(struct xlb_failover *f)
{
	struct fo_all *all;
	size_t i;
	int err;

	all = calloc(1, sizeof(*all));
	if (!all)
		return -ENOMEM;
	f->state = all;
	all->host = &f->host;
	xlb_timer_init(&all->group_timer, on_group_timer, all);
	all->inst = calloc(f->host.n_vrrps, sizeof(*all->inst));
	if (!all->inst) {
		err = -ENOMEM;
		goto fail;
	}
	all->n = f->host.n_vrrps;
	for (i = 0; i < all->n; i++) {
		all->inst[i].first = i == 0;
		err = inst_init(all, &all->inst[i], &f->host.vrrps[i]);
		if (err)
			goto fail;
	}
	err = groups_init(all);
	if (err)
		goto fail;
	for (i = 0; i < all->n; i++) {
		err = inst_start(&all->inst[i]);
		if (err)
			goto fail;
	}
	return 0;
fail:
	vrrp_stop(f, false);
	return err;
}

static void vrrp_stop(struct xlb_failover *f, bool graceful)
{
	struct fo_all *all = f->state;
	size_t i;

	if (!all)
		return;
	xlb_timer_cancel(f->host.loop, &all->group_timer);
	for (i = 0; all->inst && i < all->n; i++)
		inst_stop(&all->inst[i], graceful);
	free(all->inst);
	free(all->groups);
	free(all);
	f->state = NULL;
}

static void vrrp_announce(struct xlb_failover *f)
{
	struct fo_all *all = f->state;
	size_t i;

	for (i = 0; i < all->n; i++) {
		struct fo_vrrp *fo = &all->inst[i];

		if (fo->vr_ready && fo->vr.state == XLB_VRRP_MASTER)
			send_garp(&fo->vr, fo);
	}
}

/* What xlbctl state and the metrics call an instance's state. */
static const char *inst_state(const struct fo_vrrp *fo)
{
	return fo->fault || fo->left ? "FAULT" : xlb_vrrp_state_str(fo->vr.state);
}

static void inst_state_json(const struct fo_vrrp *fo, struct xlb_json *j)
{
	const struct xlb_vrrp *vr = &fo->vr;
	char as[INET6_ADDRSTRLEN];
	uint64_t rejected = 0;
	int i;

	for (i = 1; i < XLB_VRRP_E_MAX; i++)
		if (i != XLB_VRRP_E_VRID)
			rejected += vr->stats.rx_rejected[i];
	xlb_json_object_begin(j);
	xlb_json_kv_string(j, "name", fo->cfg->name);
	xlb_json_kv_string(j, "interface", fo->cfg->interface);
	xlb_json_kv_string(j, "sync_group", fo->group ? fo->group->name : NULL);
	xlb_json_kv_uint(j, "vrid", vr->cfg.vrid);
	xlb_json_kv_uint(j, "version", vr->cfg.version ?: XLB_VRRP_VERSION);
	/* the type only: the password stays out of anything xlbctl prints */
	xlb_json_kv_string(j, "authentication",
			   vr->cfg.auth_type == XLB_VRRP_AUTH_PASS ? "pass" : "none");
	xlb_json_kv_string(j, "state", inst_state(fo));
	/* why FAULT: its own link or track, or another member of its group */
	xlb_json_kv_string(j, "fault", fo->fault ? "own" : fo->left ? "sync_group" : NULL);
	xlb_json_kv_uint(j, "priority", vr->cfg.priority);
	xlb_json_kv_uint(j, "effective_priority", vr->eff_priority);
	xlb_json_kv_string(j, "master", vr->master_addr.family ?
				       xlb_addr_str(&vr->master_addr, as, sizeof(as)) : NULL);
	xlb_json_kv_uint(j, "master_priority", vr->master_priority);
	xlb_json_kv_uint(j, "in_state_ms", (xlb_now_ns() - vr->state_since_ns) / XLB_MS);
	xlb_json_kv_uint(j, "adverts_sent", vr->stats.tx_adverts);
	xlb_json_kv_uint(j, "adverts_received", vr->stats.rx_adverts);
	xlb_json_kv_uint(j, "adverts_rejected", rejected);
	/* per reason, so a refused impostor (not_a_peer) tells from a misconfigured peer */
	xlb_json_key(j, "adverts_rejected_by");
	xlb_json_object_begin(j);
	for (i = 1; i < XLB_VRRP_E_MAX; i++)
		if (i != XLB_VRRP_E_VRID)
			xlb_json_kv_uint(j, xlb_vrrp_err_str(i), vr->stats.rx_rejected[i]);
	xlb_json_object_end(j);
	xlb_json_kv_uint(j, "to_master", vr->stats.to_master);
	xlb_json_kv_uint(j, "to_backup", vr->stats.to_backup);
	xlb_json_kv_uint(j, "sync_group_followed", fo->group ? fo->group->followed : 0);
	xlb_json_object_end(j);
}

/* "vrrp": the first instance, the node's role, as before instances; "vrrp_instances": all. */
static void vrrp_state_json(const struct xlb_failover *f, struct xlb_json *j)
{
	const struct fo_all *all = f->state;
	size_t i;

	xlb_json_key(j, "vrrp");
	inst_state_json(&all->inst[0], j);
	xlb_json_key(j, "vrrp_instances");
	xlb_json_array_begin(j);
	for (i = 0; i < all->n; i++)
		inst_state_json(&all->inst[i], j);
	xlb_json_array_end(j);
}

/* One counter of every instance, from the stats member at offset off. */
static void vrrp_counter(const struct fo_all *all, FILE *f, const char *name, const char *help,
			 size_t off)
{
	size_t i;

	xlb_prom_family(f, name, XLB_PROM_COUNTER, help);
	for (i = 0; i < all->n; i++)
		xlb_prom_uint(f, name, *(const uint64_t *)((const char *)&all->inst[i].vr.stats + off),
			      "instance", all->inst[i].cfg->name, NULL);
}

#define VRRP_COUNTER(all, f, name, member, help) \
	vrrp_counter(all, f, name, help, offsetof(struct xlb_vrrp_stats, member))

static void vrrp_metrics(const struct xlb_failover *fo, FILE *f)
{
	static const char *const states[] = { "INIT", "BACKUP", "MASTER", "FAULT" };
	const struct fo_all *all = fo->state;
	size_t i, k;
	int e;

	xlb_prom_family(f, "xlb_vrrp_state", XLB_PROM_GAUGE,
			"1 for the state a VRRP instance is in, 0 for the others.");
	for (i = 0; i < all->n; i++)
		for (k = 0; k < sizeof(states) / sizeof(states[0]); k++)
			xlb_prom_uint(f, "xlb_vrrp_state", !strcmp(states[k], inst_state(&all->inst[i])),
				      "instance", all->inst[i].cfg->name, "state", states[k], NULL);
	xlb_prom_family(f, "xlb_vrrp_priority", XLB_PROM_GAUGE,
			"A VRRP instance's priority: configured, and effective (what its adverts "
			"carry, less the penalties of failed tracks).");
	for (i = 0; i < all->n; i++) {
		const struct fo_vrrp *in = &all->inst[i];

		xlb_prom_uint(f, "xlb_vrrp_priority", in->vr.cfg.priority, "instance",
			      in->cfg->name, "kind", "configured", NULL);
		xlb_prom_uint(f, "xlb_vrrp_priority", in->vr.eff_priority, "instance",
			      in->cfg->name, "kind", "effective", NULL);
	}
	xlb_prom_family(f, "xlb_vrrp_master_priority", XLB_PROM_GAUGE,
			"The priority the current master of a VRRP instance advertises.");
	for (i = 0; i < all->n; i++)
		xlb_prom_uint(f, "xlb_vrrp_master_priority", all->inst[i].vr.master_priority,
			      "instance", all->inst[i].cfg->name, NULL);
	xlb_prom_family(f, "xlb_vrrp_transitions_total", XLB_PROM_COUNTER,
			"Transitions of a VRRP instance, by the state entered.");
	for (i = 0; i < all->n; i++) {
		const struct fo_vrrp *in = &all->inst[i];

		xlb_prom_uint(f, "xlb_vrrp_transitions_total", in->vr.stats.to_master, "instance",
			      in->cfg->name, "state", "MASTER", NULL);
		xlb_prom_uint(f, "xlb_vrrp_transitions_total", in->vr.stats.to_backup, "instance",
			      in->cfg->name, "state", "BACKUP", NULL);
	}
	VRRP_COUNTER(all, f, "xlb_vrrp_adverts_sent_total", tx_adverts,
		     "Adverts a VRRP instance sent, priority 0 (handing over) included.");
	VRRP_COUNTER(all, f, "xlb_vrrp_adverts_received_total", rx_adverts,
		     "Adverts a VRRP instance received and accepted.");
	VRRP_COUNTER(all, f, "xlb_vrrp_send_errors_total", tx_errors,
		     "Adverts and gratuitous ARP / NA a VRRP instance failed to send.");
	/* other_vrid is another router's advert on the segment, not a refusal (xlbctl state) */
	xlb_prom_family(f, "xlb_vrrp_adverts_refused_total", XLB_PROM_COUNTER,
			"Adverts a VRRP instance refused, by reason (not_a_peer: a source that is "
			"none of its unicast peers).");
	for (i = 0; i < all->n; i++)
		for (e = 1; e < XLB_VRRP_E_MAX; e++)
			if (e != XLB_VRRP_E_VRID)
				xlb_prom_uint(f, "xlb_vrrp_adverts_refused_total",
					      all->inst[i].vr.stats.rx_rejected[e], "instance",
					      all->inst[i].cfg->name, "reason", xlb_vrrp_err_str(e),
					      NULL);
}

const struct xlb_failover_ops xlb_fo_vrrp = {
	.name = "vrrp",
	.start = vrrp_start,
	.stop = vrrp_stop,
	.announce = vrrp_announce,
	.state_json = vrrp_state_json,
	.metrics = vrrp_metrics,
};
