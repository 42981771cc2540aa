// SPDX-License-Identifier: GPL-2.0-only
/*
 * The load balancer's schema: interfaces, maglev, vips with their backends, notify, control,
 * and the top level that holds them, failover (schema_pair.c), announce (schema_announce.c) and
 * metrics (schema_metrics.c). Checks that span keys (a backend's family against its VIP's,
 * defaults, duplicates) run when a mapping ends, whatever order its keys came in. One check
 * spans sections: a VRRP track may name a VIP written anywhere in the file, so it runs when the
 * top level ends.
 */
#include <arpa/inet.h>
#include <string.h>

#include "common/names.h"
#include "config/keys.h"
#include "config/schema.h"
#include "dispatch/fwd.h"
#include "dispatch/maglev.h"
#include "dispatch/sched.h"

#define XLB_CFG_DEFAULT_WEIGHT 100

/* "203.0.113.100:80/tcp", "[2001:db8::100]:443/udp": the default name, and how messages say it. */
static const char *xlb_cfg_vip_str(const struct xlb_cfg_vip *vip, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], pn[XLB_PROTO_NAME_LEN];

	xlb_addr_str(&vip->addr, a, sizeof(a));
	snprintf(buf, len, vip->addr.family == XLB_FAMILY_V6 ? "[%s]:%u/%s" : "%s:%u/%s", a,
		 vip->port, xlb_proto_name(vip->proto, pn));
	return buf;
}

/* interfaces: [{name, xdp_mode}] */

static const struct xlb_cfg_word xlb_cfg_xdp_modes[] = {
	{ "auto", XLB_XDP_AUTO },
	{ "native", XLB_XDP_NATIVE },
	{ "generic", XLB_XDP_GENERIC },
	{},
};

static int xlb_cfg_iface_name(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_iface *ifc = obj;
	struct xlb_cfg_mark *m = &p->st->if_name[ifc - p->cfg->ifaces];
	int ret;

	m->at = xlb_cfg_at(p);
	ret = xlb_cfg_ifname_val(p, ifc->name);
	m->ok = !ret;
	return ret;
}

static int xlb_cfg_iface_end(struct xlb_cfg_parser *p, void *obj, struct xlb_cfg_pos start,
			     const struct xlb_cfg_mark *seen)
{
	struct xlb_config *cfg = p->cfg;
	struct xlb_cfg_iface *ifc = obj;
	size_t i, n = ifc - cfg->ifaces;

	(void)start;
	(void)seen;
	if (!p->st->if_name[n].ok)
		return p->stop;
	for (i = 0; i < n; i++) {
		if (p->st->if_name[i].ok && !strcmp(cfg->ifaces[i].name, ifc->name)) {
			xlb_cfg_error(p, p->st->if_name[n].at,
				      "duplicate interface '%s' (first at line %u)", ifc->name,
				      p->st->if_name[i].at.line);
			break;
		}
	}
	return p->stop;
}

static const struct xlb_cfg_key xlb_cfg_iface_keys[] = {
	XLB_CFG_KEY_FN("name", XLB_CFG_SCALAR, true, xlb_cfg_iface_name),
	XLB_CFG_KEY_WORD("xdp_mode", false, struct xlb_cfg_iface, xdp_mode, xlb_cfg_xdp_modes,
			 "xdp_mode", "auto, native or generic"),
};

static const struct xlb_cfg_section xlb_cfg_iface_section =
	XLB_CFG_SECTION("in interface", xlb_cfg_iface_keys, xlb_cfg_iface_end);

static int xlb_cfg_iface(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_config *cfg = p->cfg;
	struct xlb_cfg_iface *ifc;
	size_t n = cfg->n_ifaces;

	(void)obj;
	if (xlb_cfg_grow(p, cfg->ifaces, n) || xlb_cfg_grow(p, p->st->if_name, n))
		return p->stop;
	ifc = &cfg->ifaces[n];
	*ifc = (struct xlb_cfg_iface){ .xdp_mode = XLB_XDP_AUTO, .pos = xlb_cfg_at(p) };
	p->st->if_name[n] = (struct xlb_cfg_mark){};
	cfg->n_ifaces++;
	return xlb_cfg_walk_map(p, &xlb_cfg_iface_section, ifc);
}

/* maglev: {table_size} */

static int xlb_cfg_maglev_size(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_config *cfg = obj;
	uint32_t v, next;
	int ret;

	ret = xlb_cfg_int_val(p, "table_size", XLB_MAGLEV_MIN_SIZE, XLB_MAGLEV_MAX_SIZE, &v);
	if (ret)
		return ret;
	/* Maglev's permutations only cover every slot when the size is prime. */
	if (!xlb_is_prime(v)) {
		for (next = v + 1; next < XLB_MAGLEV_MAX_SIZE && !xlb_is_prime(next); next++)
			;
		return xlb_cfg_reject(p, xlb_cfg_at(p), "table_size %u is not prime (try %u)", v,
				      next);
	}
	cfg->maglev_size = v;
	return 0;
}

static const struct xlb_cfg_key xlb_cfg_maglev_keys[] = {
	XLB_CFG_KEY_FN("table_size", XLB_CFG_SCALAR, false, xlb_cfg_maglev_size),
};

static const struct xlb_cfg_section xlb_cfg_maglev_section =
	XLB_CFG_SECTION("in maglev", xlb_cfg_maglev_keys, NULL);

/*
 * vips: [{name, address, port, protocol, scheduler, forwarding, health, fallback,
 *         backends: [{address, weight, port, health}]}]
 */

static const struct xlb_cfg_word xlb_cfg_protos[] = {
	{ "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP },
	{},
};

enum {
	XLB_CFG_VIP_NAME,
	XLB_CFG_VIP_ADDRESS,
	XLB_CFG_VIP_PORT,
	XLB_CFG_VIP_PROTOCOL,
	XLB_CFG_VIP_SCHEDULER,
	XLB_CFG_VIP_FORWARDING,
	XLB_CFG_VIP_BACKENDS,
	XLB_CFG_VIP_HEALTH,
	XLB_CFG_VIP_FALLBACK,
	XLB_CFG_VIP_PERSISTENCE,
};

/* A VIP's name, given to the VIP or naming one (a track's vip). */
int xlb_cfg_vip_name_val(struct xlb_cfg_parser *p, char *name, size_t size)
{
	struct xlb_cfg_pos at = xlb_cfg_at(p);
	const char *s = xlb_cfg_str(p);
	size_t len = strlen(s);

	if (!len)
		return xlb_cfg_reject(p, at, "VIP name must not be empty");
	if (len >= size)
		return xlb_cfg_reject(p, at, "VIP name '%.32s...' is longer than %zu characters", s,
				      size - 1);
	memcpy(name, s, len + 1);
	return 0;
}

static int xlb_cfg_vip_name(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vip *vip = obj;
	struct xlb_cfg_mark *m = &p->st->vip_name[vip - p->cfg->vips];
	int ret;

	m->at = xlb_cfg_at(p);
	ret = xlb_cfg_vip_name_val(p, vip->name, sizeof(vip->name));
	m->ok = !ret;
	return ret;
}

static int xlb_cfg_vip_address(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vip *vip = obj;
	struct xlb_cfg_mark *m = &p->st->vip_addr[vip - p->cfg->vips];
	int ret;

	m->at = xlb_cfg_at(p);
	ret = xlb_cfg_addr_val(p, &vip->addr);
	m->ok = !ret;
	return ret;
}

#define XLB_CFG_SCHEDS "maglev, mh, sh, rr, wrr, lc or wlc"

static int xlb_cfg_vip_scheduler(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vip *vip = obj;
	const struct xlb_scheduler *sched;
	int err = xlb_sched_lookup(xlb_cfg_str(p), &sched);

	if (err == -EOPNOTSUPP)
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "scheduler '%s' is not supported yet (expected " XLB_CFG_SCHEDS
				      ")", xlb_cfg_str(p));
	if (err)
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "unknown scheduler '%.32s' (expected " XLB_CFG_SCHEDS ")",
				      xlb_cfg_str(p));
	vip->sched = sched->id;
	return 0;
}

static int xlb_cfg_vip_forwarding(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vip *vip = obj;
	const struct xlb_fwd_mode *fwd;
	int err = xlb_fwd_lookup(xlb_cfg_str(p), &fwd);

	if (err == -EOPNOTSUPP)
		return xlb_cfg_reject(p, xlb_cfg_at(p), "forwarding '%s' is not supported yet",
				      xlb_cfg_str(p));
	if (err)
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "unknown forwarding '%.32s' (expected dr, tun or nat)",
				      xlb_cfg_str(p));
	vip->fwd = fwd->id;
	return 0;
}

static int xlb_cfg_be_address(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_backend *be = obj;
	struct xlb_cfg_mark *m = &p->st->be_addr[be - p->st->vip->backends];
	int ret;

	m->at = xlb_cfg_at(p);
	ret = xlb_cfg_addr_val(p, &be->addr);
	m->ok = !ret;
	return ret;
}

static int xlb_cfg_be_health(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_backend *be = obj;

	return xlb_cfg_health(p, &be->health, &p->st->be_hc[be - p->st->vip->backends]);
}

enum {
	XLB_CFG_BE_ADDRESS,
	XLB_CFG_BE_WEIGHT,
	XLB_CFG_BE_PORT,
	XLB_CFG_BE_HEALTH,
};

/* Whether the port may be given is the VIP's to say, and its forwarding may come later. */
static int xlb_cfg_be_end(struct xlb_cfg_parser *p, void *obj, struct xlb_cfg_pos start,
			  const struct xlb_cfg_mark *seen)
{
	struct xlb_cfg_backend *be = obj;

	(void)start;
	p->st->be_port[be - p->st->vip->backends] = seen[XLB_CFG_BE_PORT];
	return p->stop;
}

static const struct xlb_cfg_key xlb_cfg_be_keys[] = {
	[XLB_CFG_BE_ADDRESS] = XLB_CFG_KEY_FN("address", XLB_CFG_SCALAR, true, xlb_cfg_be_address),
	[XLB_CFG_BE_WEIGHT] = XLB_CFG_KEY_UINT("weight", false, struct xlb_cfg_backend, weight, 0,
					       XLB_WEIGHT_MAX),
	[XLB_CFG_BE_PORT] = XLB_CFG_KEY_UINT("port", false, struct xlb_cfg_backend, port, 1, 65535),
	[XLB_CFG_BE_HEALTH] = XLB_CFG_KEY_FN("health", XLB_CFG_MAP, false, xlb_cfg_be_health),
};

static const struct xlb_cfg_section xlb_cfg_be_section =
	XLB_CFG_SECTION("in backend", xlb_cfg_be_keys, xlb_cfg_be_end);

static int xlb_cfg_backend(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vip *vip = obj;
	struct xlb_cfg_backend *be;
	size_t n = vip->n_backends;

	if (xlb_cfg_grow(p, vip->backends, n) || xlb_cfg_grow(p, p->st->be_addr, n) ||
	    xlb_cfg_grow(p, p->st->be_hc, n) || xlb_cfg_grow(p, p->st->be_port, n))
		return p->stop;
	be = &vip->backends[n];
	memset(be, 0, sizeof(*be));
	be->weight = XLB_CFG_DEFAULT_WEIGHT;
	be->pos = xlb_cfg_at(p);
	p->st->be_addr[n] = p->st->be_port[n] = (struct xlb_cfg_mark){};
	memset(&p->st->be_hc[n], 0, sizeof(p->st->be_hc[n]));
	vip->n_backends++;
	if (++p->st->n_backends == XLB_MAX_BACKENDS + 1)
		xlb_cfg_error(p, be->pos, "too many backends (at most %d over all VIPs)",
			      XLB_MAX_BACKENDS);
	return xlb_cfg_walk_map(p, &xlb_cfg_be_section, be);
}

static int xlb_cfg_vip_health(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vip *vip = obj;

	return xlb_cfg_health(p, &vip->health, &p->st->vip_hc);
}

/* keepalived's sorry_server: where new flows go while no backend is up. */
static int xlb_cfg_vip_fallback(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vip *vip = obj;
	struct xlb_cfg_mark *m = &p->st->fallback;
	int ret;

	m->at = vip->fallback_pos = xlb_cfg_at(p);
	/* It gets a backend id like any backend. */
	if (++p->st->n_backends == XLB_MAX_BACKENDS + 1)
		xlb_cfg_error(p, m->at,
			      "too many backends (at most %d over all VIPs, fallbacks too)",
			      XLB_MAX_BACKENDS);
	ret = xlb_cfg_addr_val(p, &vip->fallback);
	m->ok = !ret;
	return ret;
}

/* Backends are checked against each other and their VIP here: the VIP's address may come last. */
static void xlb_cfg_vip_check_backends(struct xlb_cfg_parser *p, const struct xlb_cfg_vip *vip,
				       bool vip_addr_ok)
{
	const struct xlb_cfg_backend *be = vip->backends;
	struct xlb_cfg_mark *m = p->st->be_addr;
	char a[INET6_ADDRSTRLEN];
	size_t i, j;

	for (i = 0; i < vip->n_backends; i++) {
		if (!m[i].ok)
			continue;
		/* tun carries either family in either (IPv4 in IPv6, IPv6 in IPv4). */
		if (vip_addr_ok && be[i].addr.family != vip->addr.family &&
		    vip->fwd != XLB_FWD_TUN) {
			xlb_cfg_error(p, m[i].at,
				      "backend family differs from the VIP "
				      "(%s is IPv%u, the VIP IPv%u)",
				      xlb_addr_str(&be[i].addr, a, sizeof(a)), be[i].addr.family,
				      vip->addr.family);
			m[i].ok = false;
			continue;
		}
		for (j = 0; j < i; j++) {
			if (m[j].ok && xlb_addr_eq(&be[i].addr, &be[j].addr)) {
				xlb_cfg_error(p, m[i].at, "duplicate backend %s (first at line %u)",
					      xlb_addr_str(&be[i].addr, a, sizeof(a)),
					      m[j].at.line);
				break;
			}
		}
	}
}

/*
 * A backend's port: only where the mode rewrites the destination, and only to replace one port
 * (a port-0 VIP keeps each client's). Where it is taken it defaults to the VIP's and is where
 * the backend's health check connects, as keepalived checks the real server's port.
 */
static void xlb_cfg_vip_check_ports(struct xlb_cfg_parser *p, struct xlb_cfg_vip *vip,
				    bool vip_port_ok)
{
	const struct xlb_fwd_mode *fwd = xlb_fwd_get(vip->fwd);
	const struct xlb_cfg_mark *m = p->st->be_port;
	size_t i;

	for (i = 0; i < vip->n_backends; i++) {
		struct xlb_cfg_backend *be = &vip->backends[i];

		if (m[i].at.line && !fwd->backend_port) {
			xlb_cfg_error(p, m[i].at, "port applies to nat forwarding only (this VIP is %s)",
				      fwd->name);
			be->port = 0;
		} else if (m[i].ok && vip_port_ok && !vip->port) {
			xlb_cfg_error(p, m[i].at,
				      "a backend port needs a VIP port: this VIP takes every port "
				      "(port 0)");
			be->port = 0;
		} else if (fwd->backend_port && !m[i].at.line) {
			be->port = vip->port;
		} else if (m[i].ok && !(be->health.set & XLB_HC_SET_PORT)) {
			be->health.port = be->port;
		}
	}
}

static void xlb_cfg_vip_check_fallback(struct xlb_cfg_parser *p, const struct xlb_cfg_vip *vip,
				       bool vip_addr_ok)
{
	const struct xlb_cfg_mark *m = &p->st->fallback, *be = p->st->be_addr;
	char a[INET6_ADDRSTRLEN];
	size_t i;

	if (!m->ok)
		return;
	xlb_addr_str(&vip->fallback, a, sizeof(a));
	if (vip_addr_ok && vip->fallback.family != vip->addr.family && vip->fwd != XLB_FWD_TUN) {
		xlb_cfg_error(p, m->at,
			      "fallback family differs from the VIP (%s is IPv%u, the VIP IPv%u)",
			      a, vip->fallback.family, vip->addr.family);
		return;
	}
	if (vip_addr_ok && xlb_addr_eq(&vip->fallback, &vip->addr)) {
		xlb_cfg_error(p, m->at, "fallback %s is the VIP's own address", a);
		return;
	}
	/* It would be in the table and out of it at once. */
	for (i = 0; i < vip->n_backends; i++) {
		if (be[i].ok && xlb_addr_eq(&vip->fallback, &vip->backends[i].addr)) {
			xlb_cfg_error(p, m->at,
				      "fallback %s is also a backend of this VIP (line %u)", a,
				      be[i].at.line);
			return;
		}
	}
}

static int xlb_cfg_vip_end(struct xlb_cfg_parser *p, void *obj, struct xlb_cfg_pos start,
			   const struct xlb_cfg_mark *seen)
{
	struct xlb_config *cfg = p->cfg;
	struct xlb_cfg_vip *vip = obj;
	size_t i, n = vip - cfg->vips;
	struct xlb_cfg_mark *addr = &p->st->vip_addr[n], *name = &p->st->vip_name[n];
	const struct xlb_cfg_mark *proto = &seen[XLB_CFG_VIP_PROTOCOL];
	char s[96];

	if (n == XLB_MAX_VIPS)
		xlb_cfg_error(p, start, "too many VIPs (at most %d)", XLB_MAX_VIPS);

	xlb_cfg_vip_check_backends(p, vip, addr->ok);
	/* The data path scans an lc / wlc VIP's backends for each new flow: a bounded loop. */
	if ((vip->sched == XLB_SCHED_LC || vip->sched == XLB_SCHED_WLC) &&
	    vip->n_backends > XLB_LC_MAX_BACKENDS)
		xlb_cfg_error(p, vip->backends[XLB_LC_MAX_BACKENDS].pos,
			      "too many backends for %s (at most %d)", xlb_sched_name(vip->sched),
			      XLB_LC_MAX_BACKENDS);
	xlb_cfg_vip_check_fallback(p, vip, addr->ok);
	xlb_cfg_vip_health_end(p, vip, seen[XLB_CFG_VIP_PORT].ok);
	xlb_cfg_vip_check_ports(p, vip, seen[XLB_CFG_VIP_PORT].ok);

	/* From here on addr->ok means the whole key {family, address, port, protocol} is known. */
	addr->ok = addr->ok && seen[XLB_CFG_VIP_PORT].ok && (proto->ok || !proto->at.line);
	if (addr->ok && !seen[XLB_CFG_VIP_NAME].at.line) {
		xlb_cfg_vip_str(vip, vip->name, sizeof(vip->name));
		*name = (struct xlb_cfg_mark){ .at = addr->at, .ok = true };
	}

	for (i = 0; addr->ok && i < n; i++) {
		const struct xlb_cfg_vip *o = &cfg->vips[i];

		if (p->st->vip_addr[i].ok && xlb_addr_eq(&o->addr, &vip->addr) &&
		    o->port == vip->port && o->proto == vip->proto) {
			xlb_cfg_error(p, addr->at, "duplicate VIP %s (first at line %u)",
				      xlb_cfg_vip_str(vip, s, sizeof(s)), p->st->vip_addr[i].at.line);
			/* Its default name would collide too; one error is enough. */
			return p->stop;
		}
	}

	for (i = 0; name->ok && i < n; i++) {
		if (p->st->vip_name[i].ok && !strcmp(cfg->vips[i].name, vip->name)) {
			xlb_cfg_error(p, name->at, "duplicate VIP name '%s' (first at line %u)",
				      vip->name, p->st->vip_name[i].at.line);
			break;
		}
	}
	return p->stop;
}

static const struct xlb_cfg_key xlb_cfg_vip_keys[] = {
	[XLB_CFG_VIP_NAME] = XLB_CFG_KEY_FN("name", XLB_CFG_SCALAR, false, xlb_cfg_vip_name),
	[XLB_CFG_VIP_ADDRESS] = XLB_CFG_KEY_FN("address", XLB_CFG_SCALAR, true,
					       xlb_cfg_vip_address),
	[XLB_CFG_VIP_PORT] = XLB_CFG_KEY_UINT("port", true, struct xlb_cfg_vip, port, 0, 65535),
	[XLB_CFG_VIP_PROTOCOL] = XLB_CFG_KEY_WORD("protocol", false, struct xlb_cfg_vip, proto,
						  xlb_cfg_protos, "protocol", "tcp or udp"),
	[XLB_CFG_VIP_SCHEDULER] = XLB_CFG_KEY_FN("scheduler", XLB_CFG_SCALAR, false,
						 xlb_cfg_vip_scheduler),
	[XLB_CFG_VIP_FORWARDING] = XLB_CFG_KEY_FN("forwarding", XLB_CFG_SCALAR, false,
						  xlb_cfg_vip_forwarding),
	[XLB_CFG_VIP_BACKENDS] = XLB_CFG_KEY_LIST("backends", true, XLB_CFG_MAP, xlb_cfg_backend,
						  NULL),
	[XLB_CFG_VIP_HEALTH] = XLB_CFG_KEY_FN("health", XLB_CFG_MAP, false, xlb_cfg_vip_health),
	[XLB_CFG_VIP_FALLBACK] = XLB_CFG_KEY_FN("fallback", XLB_CFG_SCALAR, false,
						xlb_cfg_vip_fallback),
	[XLB_CFG_VIP_PERSISTENCE] = XLB_CFG_KEY_FN("persistence_timeout", XLB_CFG_SCALAR, false,
						   xlb_cfg_vip_persistence),
};

static const struct xlb_cfg_section xlb_cfg_vip_section =
	XLB_CFG_SECTION("in vip", xlb_cfg_vip_keys, xlb_cfg_vip_end);

static int xlb_cfg_vip(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_config *cfg = p->cfg;
	struct xlb_cfg_vip *vip;
	size_t n = cfg->n_vips;

	(void)obj;
	if (xlb_cfg_grow(p, cfg->vips, n) || xlb_cfg_grow(p, p->st->vip_addr, n) ||
	    xlb_cfg_grow(p, p->st->vip_name, n))
		return p->stop;
	vip = &cfg->vips[n];
	memset(vip, 0, sizeof(*vip));
	vip->proto = IPPROTO_TCP;
	vip->sched = XLB_SCHED_MAGLEV;
	vip->fwd = XLB_FWD_DR;
	vip->pos = xlb_cfg_at(p);
	p->st->vip_addr[n] = p->st->vip_name[n] = p->st->fallback = (struct xlb_cfg_mark){};
	memset(&p->st->vip_hc, 0, sizeof(p->st->vip_hc));
	p->st->vip = vip;
	cfg->n_vips++;
	return xlb_cfg_walk_map(p, &xlb_cfg_vip_section, vip);
}

/* notify: "command"; control: {socket} */

static const struct xlb_cfg_key xlb_cfg_control_keys[] = {
	/* sun_path's size, NUL included. */
	XLB_CFG_KEY_STR("socket", false, PATH, struct xlb_config, control_socket,
			"control socket"),
};

static const struct xlb_cfg_section xlb_cfg_control_section =
	XLB_CFG_SECTION("in control", xlb_cfg_control_keys, NULL);

/* tunnel: {source: IPv4, source6: IPv6}, the outer source addresses of tun forwarding. */

static int xlb_cfg_tunnel_src(struct xlb_cfg_parser *p, struct xlb_addr *a, uint8_t family,
			      const char *key)
{
	char buf[INET6_ADDRSTRLEN];
	int ret = xlb_cfg_addr_val(p, a);

	if (!ret && a->family != family)
		ret = xlb_cfg_reject(p, xlb_cfg_at(p), "%s %s is not an %s address", key,
				     xlb_addr_str(a, buf, sizeof(buf)),
				     family == XLB_FAMILY_V4 ? "IPv4" : "IPv6");
	if (ret) {
		memset(a, 0, sizeof(*a));
		p->st->tun_bad = true;
	}
	return ret;
}

static int xlb_cfg_tunnel_source(struct xlb_cfg_parser *p, void *obj)
{
	return xlb_cfg_tunnel_src(p, &((struct xlb_config *)obj)->tunnel.source, XLB_FAMILY_V4,
				  "source");
}

static int xlb_cfg_tunnel_source6(struct xlb_cfg_parser *p, void *obj)
{
	return xlb_cfg_tunnel_src(p, &((struct xlb_config *)obj)->tunnel.source6, XLB_FAMILY_V6,
				  "source6");
}

static const struct xlb_cfg_key xlb_cfg_tunnel_keys[] = {
	XLB_CFG_KEY_FN("source", XLB_CFG_SCALAR, false, xlb_cfg_tunnel_source),
	XLB_CFG_KEY_FN("source6", XLB_CFG_SCALAR, false, xlb_cfg_tunnel_source6),
};

static const struct xlb_cfg_section xlb_cfg_tunnel_section =
	XLB_CFG_SECTION("in tunnel", xlb_cfg_tunnel_keys, NULL);

/*
 * Every backend of a tun VIP (its fallback too) is reached in its own family, so that family
 * needs an outer source. The tunnel key may come after the vips: checked at the end.
 */
static void xlb_cfg_tunnel_check(struct xlb_cfg_parser *p, const struct xlb_config *cfg)
{
	char a[INET6_ADDRSTRLEN];
	size_t i, j;

	if (p->st->tun_bad)
		return;
	for (i = 0; i < cfg->n_vips; i++) {
		const struct xlb_cfg_vip *vip = &cfg->vips[i];

		if (vip->fwd != XLB_FWD_TUN)
			continue;
		for (j = 0; j <= vip->n_backends; j++) {
			const struct xlb_addr *be = j < vip->n_backends ? &vip->backends[j].addr :
									   &vip->fallback;
			bool v4 = be->family == XLB_FAMILY_V4;

			if (!be->family ||
			    (v4 ? cfg->tunnel.source.family : cfg->tunnel.source6.family))
				continue;
			xlb_cfg_error(p, j < vip->n_backends ? vip->backends[j].pos : vip->pos,
				      "tun backend %s needs an %s tunnel source (tunnel: {%s: ...})",
				      xlb_addr_str(be, a, sizeof(a)), v4 ? "IPv4" : "IPv6",
				      v4 ? "source" : "source6");
		}
	}
}

/* The top level. */

enum {
	XLB_CFG_TOP_INTERFACES,
	XLB_CFG_TOP_MAGLEV,
	XLB_CFG_TOP_VIPS,
	XLB_CFG_TOP_NOTIFY,
	XLB_CFG_TOP_FAILOVER,
	XLB_CFG_TOP_CONTROL,
	XLB_CFG_TOP_TUNNEL,
	XLB_CFG_TOP_TIMEOUTS,
	XLB_CFG_TOP_ANNOUNCE,
	XLB_CFG_TOP_METRICS,
};

/*
 * A track's vip must name a VIP of this config, wherever in the file the vips are. When a VIP's
 * name is unknown (its address was rejected), that VIP already has its error; a name not found
 * may be its, so none is reported.
 */
static int xlb_cfg_top_end(struct xlb_cfg_parser *p, void *obj, struct xlb_cfg_pos start,
			   const struct xlb_cfg_mark *seen)
{
	const struct xlb_config *cfg = obj;
	size_t i, j, k;

	(void)start;
	xlb_cfg_vaddr_check_ifaces(p, cfg);
	xlb_cfg_announce_check(p, seen[XLB_CFG_TOP_ANNOUNCE].at, seen[XLB_CFG_TOP_FAILOVER].at);
	if (!seen[XLB_CFG_TOP_VIPS].ok)
		return p->stop;
	xlb_cfg_tunnel_check(p, cfg);
	for (j = 0; j < cfg->n_vips; j++)
		if (!p->st->vip_name[j].ok)
			return p->stop;
	for (k = 0; k < cfg->n_vrrps; k++) {
		const struct xlb_cfg_vrrp *vrrp = &cfg->vrrps[k];
		const struct xlb_cfg_mark *track_at = p->st->vrrp_at[k].track_at;

		for (i = 0; i < vrrp->n_tracks; i++) {
			if (!vrrp->tracks[i].is_vip || !track_at[i].ok)
				continue;
			for (j = 0; j < cfg->n_vips &&
				    strcmp(cfg->vips[j].name, vrrp->tracks[i].name);
			     j++)
				;
			if (j == cfg->n_vips)
				xlb_cfg_error(p, track_at[i].at, "no VIP named '%s'",
					      vrrp->tracks[i].name);
		}
	}
	return p->stop;
}

static const struct xlb_cfg_key xlb_cfg_top_keys[] = {
	[XLB_CFG_TOP_INTERFACES] = XLB_CFG_KEY_LIST("interfaces", true, XLB_CFG_MAP, xlb_cfg_iface,
						    "interface"),
	[XLB_CFG_TOP_MAGLEV] = XLB_CFG_KEY_SECTION("maglev", false, &xlb_cfg_maglev_section),
	[XLB_CFG_TOP_VIPS] = XLB_CFG_KEY_LIST("vips", true, XLB_CFG_MAP, xlb_cfg_vip, NULL),
	[XLB_CFG_TOP_NOTIFY] = XLB_CFG_KEY_STR("notify", false, COMMAND, struct xlb_config, notify,
					       NULL),
	[XLB_CFG_TOP_FAILOVER] = XLB_CFG_KEY_SECTION("failover", false, &xlb_cfg_failover_section),
	[XLB_CFG_TOP_CONTROL] = XLB_CFG_KEY_SECTION("control", false, &xlb_cfg_control_section),
	[XLB_CFG_TOP_TUNNEL] = XLB_CFG_KEY_SECTION("tunnel", false, &xlb_cfg_tunnel_section),
	[XLB_CFG_TOP_TIMEOUTS] = XLB_CFG_KEY_SECTION("timeouts", false, &xlb_cfg_timeouts_section),
	[XLB_CFG_TOP_ANNOUNCE] = XLB_CFG_KEY_SECTION("announce", false, &xlb_cfg_announce_section),
	[XLB_CFG_TOP_METRICS] = XLB_CFG_KEY_SECTION("metrics", false, &xlb_cfg_metrics_section),
};

const struct xlb_cfg_section xlb_cfg_top_section =
	XLB_CFG_SECTION("at the top level", xlb_cfg_top_keys, xlb_cfg_top_end);
