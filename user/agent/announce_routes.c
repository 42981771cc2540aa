// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "agent/announce_routes.h"
#include "common/log.h"
#include "common/output.h"
#include "common/rtnl.h"
#include "dispatch/fwd.h"

/* Backend health has no event to follow: looked at as often as VRRP's VIP tracks are. */
#define LOOK_NS (200 * XLB_MS)

static size_t alen_of(uint8_t family)
{
	return family == XLB_FAMILY_V6 ? 16 : 4;
}

int xlb_ann_route_msg(void *buf, uint16_t type, const struct xlb_cfg_announce *c,
		      const struct xlb_addr *dst, uint8_t dst_len, uint32_t metric)
{
	struct nlmsghdr *nh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nh->nlmsg_type = type;
	/* EXCL: a route of ours already there is not an error (the caller says so), but one
	 * that differs is never silently replaced. */
	nh->nlmsg_flags = type == RTM_NEWROUTE ? NLM_F_CREATE | NLM_F_EXCL : 0;
	rtm = mnl_nlmsg_put_extra_header(nh, sizeof(*rtm));
	rtm->rtm_family = dst->family == XLB_FAMILY_V6 ? AF_INET6 : AF_INET;
	rtm->rtm_dst_len = dst_len;
	/* Past 255 the table travels in RTA_TABLE only. */
	rtm->rtm_table = c->table < 256 ? c->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = c->protocol;
	/* A delete, as ip(8) sends one, matches any type and scope: a stale route of ours may be
	 * another kind than what this run writes. */
	rtm->rtm_scope = type == RTM_NEWROUTE ? RT_SCOPE_UNIVERSE : RT_SCOPE_NOWHERE;
	rtm->rtm_type = type == RTM_NEWROUTE ? RTN_BLACKHOLE : RTN_UNSPEC;
	mnl_attr_put(nh, RTA_DST, alen_of(dst->family), dst->w);
	mnl_attr_put_u32(nh, RTA_TABLE, c->table);
	mnl_attr_put_u32(nh, RTA_PRIORITY, metric);
	return nh->nlmsg_len;
}

static int route_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, RTA_MAX) < 0)
		return MNL_CB_OK;
	if ((type == RTA_TABLE || type == RTA_PRIORITY) &&
	    mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
		return MNL_CB_ERROR;
	if (type == RTA_DST && mnl_attr_get_payload_len(attr) != 4 &&
	    mnl_attr_get_payload_len(attr) != 16)
		return MNL_CB_ERROR;
	tb[type] = attr;
	return MNL_CB_OK;
}

int xlb_ann_route_parse(const struct nlmsghdr *nh, const struct xlb_cfg_announce *c,
			struct xlb_ann_route *out)
{
	const struct nlattr *tb[RTA_MAX + 1] = {};
	const struct rtmsg *rtm;
	uint32_t table;
	size_t alen;

	if (nh->nlmsg_type != RTM_NEWROUTE)
		return -ENOENT;
	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)))
		return -EBADMSG;
	rtm = mnl_nlmsg_get_payload(nh);
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return -ENOENT;
	if (mnl_attr_parse(nh, sizeof(*rtm), route_attr, tb) < 0)
		return -EBADMSG;
	table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (table != c->table || rtm->rtm_protocol != c->protocol)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	out->dst.family = rtm->rtm_family == AF_INET6 ? XLB_FAMILY_V6 : XLB_FAMILY_V4;
	alen = alen_of(out->dst.family);
	if (tb[RTA_DST]) {
		if (mnl_attr_get_payload_len(tb[RTA_DST]) != alen)
			return -EBADMSG;
		memcpy(out->dst.w, mnl_attr_get_payload(tb[RTA_DST]), alen);
	}
	out->dst_len = rtm->rtm_dst_len;
	out->metric = tb[RTA_PRIORITY] ? mnl_attr_get_u32(tb[RTA_PRIORITY]) : 0;
	/* What this run would have written itself: it may keep it. */
	out->exact = rtm->rtm_type == RTN_BLACKHOLE && out->dst_len == 8 * alen &&
		     out->metric == c->metric;
	return 0;
}

struct dump_ctx {
	const struct xlb_cfg_announce *cfg;
	struct xlb_ann_route *v;
	size_t n;
	int err;
};

static int dump_one(const struct nlmsghdr *nh, void *data)
{
	struct dump_ctx *ctx = data;
	struct xlb_ann_route r, *v;

	if (xlb_ann_route_parse(nh, ctx->cfg, &r))
		return MNL_CB_OK;
	v = reallocarray(ctx->v, ctx->n + 1, sizeof(*v));
	if (!v) {
		ctx->err = -ENOMEM;
		return MNL_CB_ERROR;
	}
	ctx->v = v;
	v[ctx->n++] = r;
	return MNL_CB_OK;
}

/*
 * Every route of our table and protocol, as the kernel holds them now: a blocking dump, at start
 * only, whose answer the kernel has queued by the time it is read (common/rtnl.h).
 */
static int routes_dump(const struct xlb_cfg_announce *c, struct xlb_ann_route **out, size_t *n)
{
	static char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct dump_ctx ctx = { .cfg = c };
	unsigned int seq = time(NULL), portid;
	struct mnl_socket *nl;
	struct nlmsghdr *nh;
	struct rtmsg *rtm;
	ssize_t len;
	int ret;

	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nh = mnl_nlmsg_put_header(buf);
	nh->nlmsg_type = RTM_GETROUTE;
	nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nh->nlmsg_seq = seq;
	rtm = mnl_nlmsg_put_extra_header(nh, sizeof(*rtm));
	rtm->rtm_family = AF_UNSPEC;
	if (mnl_socket_sendto(nl, nh, nh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	do {
		len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (len < 0) {
			ret = -errno;
			goto out;
		}
		ret = mnl_cb_run(buf, len, seq, portid, dump_one, &ctx);
	} while (ret > 0);
	ret = ret < 0 ? (ctx.err ?: -errno) : 0;
out:
	mnl_socket_close(nl);
	if (ret)
		free(ctx.v);
	else
		*out = ctx.v, *n = ctx.n;
	return ret;
}

static int route_change(const struct xlb_announce *a, uint16_t type, const struct xlb_addr *dst,
			uint8_t dst_len, uint32_t metric)
{
	char buf[256] __attribute__((aligned(NLMSG_ALIGNTO)));
	int err;

	xlb_ann_route_msg(buf, type, &a->cfg, dst, dst_len, metric);
	err = xlb_rtnl_talk((struct nlmsghdr *)buf);
	if (type == RTM_NEWROUTE && err == -EEXIST)
		return 0;
	if (type == RTM_DELROUTE && err == -ESRCH)
		return 0;
	return err;
}

/* A failure is logged when it is new, not at every look that retries it. */
static void route_failed(struct xlb_announce *a, const char *what, const struct xlb_addr *dst,
			 int err)
{
	char as[INET6_ADDRSTRLEN];

	a->failed++;
	if (err == a->last_err)
		return;
	a->last_err = err;
	pr_err("announce: cannot %s the route to %s in table %u: %s", what,
	       xlb_addr_str(dst, as, sizeof(as)), a->cfg.table, strerror(-err));
}

/* What a crashed run left: ours to keep where this run would write the same, else removed. */
static int adopt(struct xlb_announce *a)
{
	struct xlb_ann_route *v = NULL;
	char as[INET6_ADDRSTRLEN];
	size_t i, n = 0;
	int err;

	err = routes_dump(&a->cfg, &v, &n);
	if (err) {
		pr_err("announce: cannot read routing table %u: %s", a->cfg.table, strerror(-err));
		return err;
	}
	for (i = 0; i < n; i++) {
		if (v[i].exact && a->n_held < XLB_MAX_VIPS) {
			a->held[a->n_held++] = v[i].dst;
			continue;
		}
		err = route_change(a, RTM_DELROUTE, &v[i].dst, v[i].dst_len, v[i].metric);
		if (err)
			route_failed(a, "remove", &v[i].dst, err);
		else
			pr_info("announce: removed a stale route to %s/%u from table %u",
				xlb_addr_str(&v[i].dst, as, sizeof(as)), v[i].dst_len, a->cfg.table);
	}
	if (a->n_held)
		pr_info("announce: %zu routes of an earlier run kept until the links are known",
			a->n_held);
	free(v);
	return 0;
}

static void look_links(struct xlb_announce *a)
{
	size_t i;

	/* The neighbours too: a restart's dr backends have their MACs from the kernel's table by
	 * then, so what a crashed run announced is not withdrawn for a moment. */
	a->links.known = xlb_rtnl_watch_synced(a->rtnl, XLB_RTNL_LINKS | XLB_RTNL_NEIGHS);
	a->links.down = NULL;
	for (i = 0; a->links.known && i < a->n_ifnames; i++) {
		const struct xlb_rtnl_link *l = xlb_rtnl_watch_link(a->rtnl, a->ifnames[i]);

		if (!l || !l->up) {
			a->links.down = a->ifnames[i];
			break;
		}
	}
}

/*
 * Up, and reachable: a dr backend whose MAC no interface knows yet would drop what the routers
 * send (a start announces once the neighbour table has answered, not before).
 */
static bool backend_live(const struct xlb_lb_vip *v, const struct xlb_lb_backend *b)
{
	const struct xlb_fwd_mode *fwd = xlb_fwd_get(v->val.fwd);

	return xlb_lb_backend_up(b) && (!fwd || !fwd->needs_mac || xlb_lb_backend_has_mac(b));
}

static void look_vips(struct xlb_announce *a)
{
	size_t i, j;

	a->n_vips = a->lb->n_vips < XLB_MAX_VIPS ? a->lb->n_vips : XLB_MAX_VIPS;
	for (i = 0; i < a->n_vips; i++) {
		const struct xlb_lb_vip *lv = &a->lb->vips[i];
		struct xlb_ann_vip *v = &a->vips[i];

		memset(v, 0, sizeof(*v));
		snprintf(v->name, sizeof(v->name), "%s", lv->name);
		v->addr.family = lv->key.family;
		memcpy(v->addr.w, lv->key.addr, sizeof(v->addr.w));
		for (j = 0; j < lv->n_backends && !v->live; j++)
			v->live = backend_live(lv, &lv->backends[j]);
	}
}

/* Why the first VIP of address dst is not announced, for the log. */
static const char *why_not(const struct xlb_announce *a, const struct xlb_addr *dst)
{
	size_t i;

	for (i = 0; i < a->n_vips; i++)
		if (xlb_addr_eq(&a->vips[i].addr, dst))
			return xlb_ann_why_name(a->vips[i].why);
	return "no VIP has it";
}

static void held_drop(struct xlb_announce *a, const struct xlb_addr *dst)
{
	size_t i;

	for (i = 0; i < a->n_held; i++) {
		if (xlb_addr_eq(&a->held[i], dst)) {
			a->held[i] = a->held[--a->n_held];
			return;
		}
	}
}

/* Make the table say what the verdicts say; while the links are unknown it stays as it is. */
static void reconcile(struct xlb_announce *a, bool stopping)
{
	struct xlb_addr add[XLB_MAX_VIPS], del[XLB_MAX_VIPS];
	char as[INET6_ADDRSTRLEN];
	size_t i, n_add, n_del;
	uint64_t failed = a->failed;
	int err;

	look_links(a);
	look_vips(a);
	xlb_ann_decide(a->vips, a->n_vips, &a->links, stopping);
	if (!stopping && !a->links.known)
		return;
	if (!xlb_ann_diff(a->vips, a->n_vips, a->held, a->n_held, add, &n_add, del, &n_del))
		return;
	for (i = 0; i < n_del; i++) {
		xlb_addr_str(&del[i], as, sizeof(as));
		err = route_change(a, RTM_DELROUTE, &del[i], 8 * alen_of(del[i].family),
				   a->cfg.metric);
		if (err) {
			route_failed(a, "withdraw", &del[i], err);
			continue;
		}
		held_drop(a, &del[i]);
		a->withdrawn++;
		pr_info("announce: withdrew %s (%s%s%s)", as, why_not(a, &del[i]),
			a->links.down && !stopping ? ": " : "",
			a->links.down && !stopping ? a->links.down : "");
	}
	for (i = 0; i < n_add && a->n_held < XLB_MAX_VIPS; i++) {
		err = route_change(a, RTM_NEWROUTE, &add[i], 8 * alen_of(add[i].family),
				   a->cfg.metric);
		if (err) {
			route_failed(a, "add", &add[i], err);
			continue;
		}
		a->held[a->n_held++] = add[i];
		a->added++;
		pr_info("announce: announced %s (table %u)", xlb_addr_str(&add[i], as, sizeof(as)),
			a->cfg.table);
	}
	if (a->failed == failed)
		a->last_err = 0;
}

static void on_look(struct xlb_loop *loop, struct xlb_timer *t)
{
	reconcile(t->arg, false);
	xlb_timer_arm(loop, t, LOOK_NS);
}

static void on_link(const struct xlb_rtnl_link *l, void *arg)
{
	(void)l;
	reconcile(arg, false);
}

static void on_links_synced(unsigned int what, void *arg)
{
	if (what & (XLB_RTNL_LINKS | XLB_RTNL_NEIGHS))
		reconcile(arg, false);
}

int xlb_announce_start(struct xlb_announce *a, struct xlb_loop *loop, struct xlb_rtnl_watch *rtnl,
		       const struct xlb_lb *lb, const struct xlb_config *cfg)
{
	size_t i;
	int err;

	memset(a, 0, sizeof(*a));
	a->loop = loop;
	a->rtnl = rtnl;
	a->lb = lb;
	a->cfg = cfg->announce;
	for (i = 0; i < cfg->n_ifaces && i < XLB_DPS_MAX; i++)
		snprintf(a->ifnames[i], sizeof(a->ifnames[i]), "%s", cfg->ifaces[i].name);
	a->n_ifnames = i;
	err = adopt(a);
	if (err)
		return err;
	a->sub = (struct xlb_rtnl_sub){ .link = on_link, .synced = on_links_synced, .arg = a };
	xlb_rtnl_watch_subscribe(rtnl, &a->sub);
	xlb_timer_init(&a->timer, on_look, a);
	xlb_timer_arm(loop, &a->timer, 0);
	a->on = true;
	pr_info("announce: bgp through routing table %u (protocol %u)", a->cfg.table,
		a->cfg.protocol);
	return 0;
}

void xlb_announce_update(struct xlb_announce *a)
{
	if (a->on)
		reconcile(a, false);
}

void xlb_announce_stop(struct xlb_announce *a)
{
	if (!a->on)
		return;
	reconcile(a, true);
	if (a->n_held)
		pr_err("announce: %zu routes left in table %u", a->n_held, a->cfg.table);
	xlb_timer_cancel(a->loop, &a->timer);
	xlb_rtnl_watch_unsubscribe(a->rtnl, &a->sub);
	a->on = false;
}

static bool held(const struct xlb_announce *a, const struct xlb_addr *dst)
{
	size_t i;

	for (i = 0; i < a->n_held; i++)
		if (xlb_addr_eq(&a->held[i], dst))
			return true;
	return false;
}

void xlb_announce_state_json(const struct xlb_announce *a, struct xlb_json *j)
{
	char as[INET6_ADDRSTRLEN];
	size_t i;

	if (!a->on)
		return;
	xlb_json_key(j, "announce");
	xlb_json_object_begin(j);
	xlb_json_kv_string(j, "mode", "bgp");
	xlb_json_kv_uint(j, "table", a->cfg.table);
	xlb_json_kv_uint(j, "protocol", a->cfg.protocol);
	xlb_json_kv_uint(j, "metric", a->cfg.metric);
	xlb_json_kv_bool(j, "links_known", a->links.known);
	xlb_json_key(j, "link_down");
	xlb_json_string(j, a->links.down);
	xlb_json_kv_uint(j, "added", a->added);
	xlb_json_kv_uint(j, "withdrawn", a->withdrawn);
	xlb_json_kv_uint(j, "failed", a->failed);
	xlb_json_key(j, "routes");
	xlb_json_array_begin(j);
	for (i = 0; i < a->n_held; i++)
		xlb_json_string(j, xlb_addr_str(&a->held[i], as, sizeof(as)));
	xlb_json_array_end(j);
	xlb_json_key(j, "vips");
	xlb_json_array_begin(j);
	for (i = 0; i < a->n_vips; i++) {
		const struct xlb_ann_vip *v = &a->vips[i];

		xlb_json_object_begin(j);
		xlb_json_kv_string(j, "name", v->name);
		xlb_json_kv_string(j, "address", xlb_addr_str(&v->addr, as, sizeof(as)));
		/* The route of its address is in the table: another VIP of it may hold it. */
		xlb_json_kv_bool(j, "announced", held(a, &v->addr));
		xlb_json_kv_string(j, "reason", xlb_ann_why_name(v->why));
		xlb_json_object_end(j);
	}
	xlb_json_array_end(j);
	xlb_json_object_end(j);
}
