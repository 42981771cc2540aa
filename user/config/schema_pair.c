// SPDX-License-Identifier: GPL-2.0-only
/*
 * failover: {mode, vrrp: {...} | [{...}, ...], sync_groups, sync: {listen, peer, key_file},
 * zookeeper: {...} (schema_zk.c)}.
 * VRRPv3 virtual routers (RFC 5798), or VRRPv2 (RFC 3768, keepalived's default) with its PASS
 * authentication, with keepalived's names and defaults where it has them; keepalived's sync
 * groups of them; and the flow sync to the peer. Whether a track's vip names a VIP is only
 * known once the whole file is read: see xlb_cfg_top_end() in schema_lb.c.
 */
#include <arpa/inet.h>
#include <string.h>

#include "config/keys.h"
#include "config/schema.h"

#define XLB_CFG_VRRP_MAX_ADDRS 255	/* the advert's Count IPvX Addr is 8 bits */
#define XLB_CFG_VRRP_MAX_CS 4095	/* the advert's Max Adver Int: 12 bits of centiseconds */
#define XLB_CFG_FAILOVER_MAX_MS (60 * 60 * 1000) /* an hour: delays and refresh at most */
#define XLB_CFG_VRRP_V2_MAX_S 255	/* the v2 advert's Adver Int: 8 bits of seconds */
#define XLB_CFG_VRRP_AUTH_LEN 8		/* the v2 advert's Authentication Data */
#define XLB_CFG_VRRP_AUTH_AH 2		/* RFC 2338's IP AH: named only to be refused */

/*
 * The instance being read, and where its items are: instances are read one after another, each
 * appended before its mapping is walked.
 */
static struct xlb_cfg_vrrp *xlb_cfg_cur_vrrp(struct xlb_cfg_parser *p)
{
	return &p->cfg->vrrps[p->cfg->n_vrrps - 1];
}

static struct xlb_cfg_vrrp_marks *xlb_cfg_cur_marks(struct xlb_cfg_parser *p)
{
	return &p->st->vrrp_at[p->cfg->n_vrrps - 1];
}

static const struct xlb_cfg_word xlb_cfg_failover_modes[] = {
	{ "none", XLB_FAILOVER_NONE },
	{ "vrrp", XLB_FAILOVER_VRRP },
	{ "zookeeper", XLB_FAILOVER_ZK },
	{},
};

/*
 * "ADDR:PORT", "[IPV6]:PORT", or either without ":PORT" for default_port (schema.h). A bare IPv6
 * address is refused rather than guessed at: in 2001:db8::2:8849 the last group may be meant as
 * a port.
 */
int xlb_cfg_hostport_val(struct xlb_cfg_parser *p, const char *what, uint16_t default_port,
			 unsigned int flags, struct xlb_addr *addr, uint16_t *port)
{
	const char *s = xlb_cfg_str(p), *host = s, *end, *ps = NULL, *why;
	struct xlb_cfg_pos at = xlb_cfg_at(p);
	char buf[INET6_ADDRSTRLEN];
	uint32_t v = default_port;
	struct xlb_addr a;
	size_t len;
	bool any;
	int err;

	if (s[0] == '[') {
		host = s + 1;
		end = strchr(host, ']');
		if (!end || (end[1] && end[1] != ':'))
			goto bad;
		len = end - host;
		if (end[1])
			ps = end + 2;
	} else {
		end = strchr(s, ':');
		if (end && strchr(end + 1, ':')) {
			if (xlb_addr_parse(s, &a))
				goto bad;
			return xlb_cfg_reject(p, at,
					      "%s '%.48s': write an IPv6 address in brackets, "
					      "as [2001:db8::2]:%u",
					      what, s, default_port);
		}
		len = end ? (size_t)(end - s) : strlen(s);
		if (end)
			ps = end + 1;
	}
	if (len >= sizeof(buf))
		goto bad;
	memcpy(buf, host, len);
	buf[len] = '\0';
	if (xlb_addr_parse(buf, &a))
		return xlb_cfg_reject(p, at,
				      "bad address '%.48s' in %s '%.48s': not an IPv4 or IPv6 "
				      "address",
				      buf, what, s);
	if (host != s && a.family != XLB_FAMILY_V6)
		return xlb_cfg_reject(p, at, "%s '%.48s': brackets are for IPv6 addresses only",
				      what, s);
	/* A listener's unspecified address is every address of the host. */
	any = !(a.w[0] | a.w[1] | a.w[2] | a.w[3]);
	why = (flags & XLB_CFG_HP_ANY) && any ? NULL : xlb_cfg_addr_unusable(&a);
	if (why)
		return xlb_cfg_reject(p, at, "address %s %s", buf, why);
	if (ps) {
		err = xlb_cfg_uint(ps, 1, 65535, &v);
		if (err == -EINVAL)
			return xlb_cfg_reject(p, at,
					      "%s port '%.16s' is not a decimal integer "
					      "(expected 1..65535)",
					      what, ps);
		if (err)
			return xlb_cfg_reject(p, at, "%s port %.16s is out of range (1..65535)",
					      what, ps);
	} else if (flags & XLB_CFG_HP_NEED_PORT) {
		return xlb_cfg_reject(p, at, "%s '%.48s' needs a port (like %s%s%s:%u)", what, s,
				      host != s ? "[" : "", buf, host != s ? "]" : "",
				      default_port);
	}
	*addr = a;
	*port = v;
	return 0;
bad:
	return xlb_cfg_reject(p, at,
			      "%s '%.48s' is not ADDRESS%s (like 192.0.2.2:%u or "
			      "[2001:db8::2]:%u)",
			      what, s, flags & XLB_CFG_HP_NEED_PORT ? ":PORT" : "[:PORT]",
			      default_port, default_port);
}

/*
 * track: [{interface | vip, weight}]. Without a weight a down track is keepalived's FAULT (its
 * track_interface and track_script without weight): the router leaves until it is up again.
 */

enum {
	XLB_CFG_TRACK_INTERFACE,
	XLB_CFG_TRACK_VIP,
	XLB_CFG_TRACK_WEIGHT,
};

static int xlb_cfg_track_interface(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_track *t = obj;

	xlb_cfg_cur_marks(p)->track_at[t - xlb_cfg_cur_vrrp(p)->tracks].at = xlb_cfg_at(p);
	t->is_vip = 0;
	return xlb_cfg_ifname_val(p, t->name);
}

static int xlb_cfg_track_vip(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_track *t = obj;

	xlb_cfg_cur_marks(p)->track_at[t - xlb_cfg_cur_vrrp(p)->tracks].at = xlb_cfg_at(p);
	t->is_vip = 1;
	return xlb_cfg_vip_name_val(p, t->name, sizeof(t->name));
}

static int xlb_cfg_track_end(struct xlb_cfg_parser *p, void *obj, struct xlb_cfg_pos start,
			     const struct xlb_cfg_mark *seen)
{
	const struct xlb_cfg_mark *ifc = &seen[XLB_CFG_TRACK_INTERFACE];
	const struct xlb_cfg_mark *vip = &seen[XLB_CFG_TRACK_VIP];
	const struct xlb_cfg_vrrp *vrrp = xlb_cfg_cur_vrrp(p);
	struct xlb_cfg_mark *track_at = xlb_cfg_cur_marks(p)->track_at;
	const struct xlb_cfg_track *t = obj;
	size_t i, n = t - vrrp->tracks;
	struct xlb_cfg_mark *m = &track_at[n];

	if (ifc->at.line && vip->at.line) {
		xlb_cfg_error(p, xlb_cfg_pos_after(vip->at, ifc->at) ? vip->at : ifc->at,
			      "a track takes interface or vip, not both");
		return p->stop;
	}
	if (!ifc->at.line && !vip->at.line) {
		xlb_cfg_error(p, start, "a track needs interface or vip");
		return p->stop;
	}
	m->ok = ifc->ok || vip->ok;
	for (i = 0; m->ok && i < n; i++) {
		if (track_at[i].ok && vrrp->tracks[i].is_vip == t->is_vip &&
		    !strcmp(vrrp->tracks[i].name, t->name)) {
			xlb_cfg_error(p, m->at, "duplicate track of %s '%s' (first at line %u)",
				      t->is_vip ? "VIP" : "interface", t->name,
				      track_at[i].at.line);
			m->ok = false;
		}
	}
	return p->stop;
}

static const struct xlb_cfg_key xlb_cfg_track_keys[] = {
	[XLB_CFG_TRACK_INTERFACE] = XLB_CFG_KEY_FN("interface", XLB_CFG_SCALAR, false,
						   xlb_cfg_track_interface),
	[XLB_CFG_TRACK_VIP] = XLB_CFG_KEY_FN("vip", XLB_CFG_SCALAR, false, xlb_cfg_track_vip),
	/* 255 would take any priority to 0, which is "master leaving", not a priority. */
	[XLB_CFG_TRACK_WEIGHT] = XLB_CFG_KEY_UINT("weight", false, struct xlb_cfg_track, weight, 1,
						  254),
};

static const struct xlb_cfg_section xlb_cfg_track_section =
	XLB_CFG_SECTION("in track", xlb_cfg_track_keys, xlb_cfg_track_end);

static int xlb_cfg_track(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vrrp_marks *m = xlb_cfg_cur_marks(p);
	struct xlb_cfg_vrrp *vrrp = obj;
	struct xlb_cfg_track *t;
	size_t n = vrrp->n_tracks;

	if (xlb_cfg_grow(p, vrrp->tracks, n) || xlb_cfg_grow(p, m->track_at, n))
		return p->stop;
	t = &vrrp->tracks[n];
	memset(t, 0, sizeof(*t));
	t->pos = xlb_cfg_at(p);
	m->track_at[n] = (struct xlb_cfg_mark){};
	vrrp->n_tracks++;
	return xlb_cfg_walk_map(p, &xlb_cfg_track_section, t);
}

/* authentication: {type: none | pass, password} (keepalived's auth_type, auth_pass) */

enum {
	XLB_CFG_AUTH_TYPE,
	XLB_CFG_AUTH_PASSWORD,
};

static const struct xlb_cfg_word xlb_cfg_auth_types[] = {
	{ "none", XLB_CFG_VRRP_AUTH_NONE },
	{ "pass", XLB_CFG_VRRP_AUTH_PASS },
	{ "ah", XLB_CFG_VRRP_AUTH_AH },
	{},
};

static int xlb_cfg_auth_type(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vrrp *vrrp = obj;
	int v = xlb_cfg_lookup(xlb_cfg_auth_types, xlb_cfg_str(p));

	if (v == XLB_CFG_VRRP_AUTH_AH)
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "authentication type ah is not supported: keepalived's AH is "
				      "deprecated and broken; use pass or none");
	if (v < 0)
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "unknown authentication type '%.32s' (expected pass or none)",
				      xlb_cfg_str(p));
	vrrp->auth_type = v;
	return 0;
}

/* The advert has 8 bytes for it; keepalived cuts a longer one silently, which hides typos. */
static int xlb_cfg_auth_password(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vrrp *vrrp = obj;
	const char *s = xlb_cfg_str(p);
	size_t len = strlen(s);

	if (!len)
		return xlb_cfg_reject(p, xlb_cfg_at(p), "password is empty (1 to 8 bytes)");
	if (len > XLB_CFG_VRRP_AUTH_LEN)
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "password is %zu bytes: the advert carries 8 and keepalived "
				      "uses only the first 8 (give at most 8)",
				      len);
	memset(vrrp->auth_pass, 0, sizeof(vrrp->auth_pass));
	memcpy(vrrp->auth_pass, s, len);
	vrrp->auth_pass_len = len;
	return 0;
}

static int xlb_cfg_auth_end(struct xlb_cfg_parser *p, void *obj, struct xlb_cfg_pos start,
			    const struct xlb_cfg_mark *seen)
{
	const struct xlb_cfg_mark *pw = &seen[XLB_CFG_AUTH_PASSWORD];
	const struct xlb_cfg_vrrp *vrrp = obj;

	if (!seen[XLB_CFG_AUTH_TYPE].ok)
		return p->stop;
	if (vrrp->auth_type == XLB_CFG_VRRP_AUTH_PASS && !pw->at.line)
		xlb_cfg_error(p, start, "missing required key 'password' in authentication "
					"(type is pass)");
	else if (vrrp->auth_type == XLB_CFG_VRRP_AUTH_NONE && pw->at.line)
		xlb_cfg_error(p, pw->at, "password does not apply to type none");
	return p->stop;
}

static const struct xlb_cfg_key xlb_cfg_auth_keys[] = {
	[XLB_CFG_AUTH_TYPE] = XLB_CFG_KEY_FN("type", XLB_CFG_SCALAR, true, xlb_cfg_auth_type),
	[XLB_CFG_AUTH_PASSWORD] = XLB_CFG_KEY_FN("password", XLB_CFG_SCALAR, false,
						 xlb_cfg_auth_password),
};

static const struct xlb_cfg_section xlb_cfg_auth_section =
	XLB_CFG_SECTION("in authentication", xlb_cfg_auth_keys, xlb_cfg_auth_end);

static int xlb_cfg_vrrp_auth(struct xlb_cfg_parser *p, void *obj)
{
	return xlb_cfg_walk_map(p, &xlb_cfg_auth_section, obj);
}

static const struct xlb_cfg_word xlb_cfg_vrrp_states[] = {
	{ "backup", 0 },
	{ "master", 1 },
	{},
};

/*
 * vrrp: {interface, vrid, version, priority, advert_interval, preempt, preempt_delay, nopreempt,
 *        state, authentication, unicast_peers, virtual_addresses, garp_repeat, garp_delay,
 *        garp_refresh, notify, track}
 */

enum {
	XLB_CFG_VRRP_INTERFACE,
	XLB_CFG_VRRP_VRID,
	XLB_CFG_VRRP_PRIORITY,
	XLB_CFG_VRRP_ADVERT_INTERVAL,
	XLB_CFG_VRRP_PREEMPT,
	XLB_CFG_VRRP_PREEMPT_DELAY,
	XLB_CFG_VRRP_NOPREEMPT,
	XLB_CFG_VRRP_UNICAST_PEERS,
	XLB_CFG_VRRP_VIRTUAL_ADDRESSES,
	XLB_CFG_VRRP_GARP_REPEAT,
	XLB_CFG_VRRP_GARP_DELAY,
	XLB_CFG_VRRP_GARP_REFRESH,
	XLB_CFG_VRRP_NOTIFY,
	XLB_CFG_VRRP_TRACK,
	XLB_CFG_VRRP_VERSION,
	XLB_CFG_VRRP_AUTHENTICATION,
	XLB_CFG_VRRP_STATE,
	XLB_CFG_VRRP_NAME,
};

/* keepalived's names (vrrp_instance VI_1, vrrp_sync_group VG1), in what xlb can print bare. */
static int xlb_cfg_name_val(struct xlb_cfg_parser *p, const char *what, char *name)
{
	const char *s = xlb_cfg_str(p);
	size_t len = strlen(s);

	if (!len || len >= XLB_CFG_NAME_SIZE || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
							  "abcdefghijklmnopqrstuvwxyz"
							  "0123456789_.-") != len)
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "%s name '%.40s' must be 1 to %u of A-Z a-z 0-9 _ . -", what,
				      s, XLB_CFG_NAME_SIZE - 1);
	memcpy(name, s, len + 1);
	return 0;
}

static int xlb_cfg_vrrp_name(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vrrp *vrrp = obj;
	struct xlb_cfg_mark *m = &xlb_cfg_cur_marks(p)->name;
	int ret;

	m->at = xlb_cfg_at(p);
	ret = xlb_cfg_name_val(p, "instance", vrrp->name);
	m->ok = !ret;
	return ret;
}

/*
 * The advert carries it in centiseconds: a duration that is not a whole number of them is a
 * mistake somewhere, not something to round.
 */
static int xlb_cfg_vrrp_advert_interval(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vrrp *vrrp = obj;
	uint32_t ms;
	int ret;

	/* v2's longest: which version holds is only known at the mapping's end */
	ret = xlb_cfg_duration_val(p, "advert_interval", 10, XLB_CFG_VRRP_V2_MAX_S * 1000,
				   &ms);
	if (ret)
		return ret;
	if (ms % 10)
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "advert_interval %.32s is not a whole number of centiseconds "
				      "(VRRPv3 counts it in 10ms steps)",
				      xlb_cfg_str(p));
	vrrp->advert_cs = ms / 10;
	return 0;
}

/* keepalived's spelling; with preempt too it is an error (xlb_cfg_vrrp_end()). */
static int xlb_cfg_vrrp_nopreempt(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vrrp *vrrp = obj;
	bool b = false;
	int ret;

	ret = xlb_cfg_bool_val(p, "nopreempt", &b);
	if (!ret)
		vrrp->preempt = !b;
	return ret;
}

static int xlb_cfg_vrrp_peer(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vrrp_marks *m = xlb_cfg_cur_marks(p);
	struct xlb_cfg_vrrp *vrrp = obj;
	struct xlb_cfg_pos at = xlb_cfg_at(p);
	size_t i, n = vrrp->n_unicast_peers;
	char s[INET6_ADDRSTRLEN];
	struct xlb_addr a;
	int ret;

	ret = xlb_cfg_addr_val(p, &a);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		if (xlb_addr_eq(&a, &vrrp->unicast_peers[i]))
			return xlb_cfg_reject(p, at, "duplicate unicast peer %s (first at line %u)",
					      xlb_addr_str(&a, s, sizeof(s)), m->peer_at[i].line);
	if (xlb_cfg_grow(p, vrrp->unicast_peers, n) || xlb_cfg_grow(p, m->peer_at, n))
		return p->stop;
	vrrp->unicast_peers[n] = a;
	m->peer_at[n] = at;
	vrrp->n_unicast_peers++;
	return 0;
}

/* "ADDR" or "ADDR/PREFIX", as `ip addr add` takes it; the prefix defaults to a host route. */
static int xlb_cfg_vaddr_addr(struct xlb_cfg_parser *p, struct xlb_cfg_pos at, const char *s,
			      struct xlb_cfg_vaddr *v)
{
	const char *slash = strchr(s, '/'), *why;
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	char buf[INET6_ADDRSTRLEN];
	uint32_t max, prefix;
	int err;

	if (len >= sizeof(buf))
		len = sizeof(buf) - 1; /* too long for any address: fails to parse */
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (xlb_addr_parse(buf, &v->addr))
		return xlb_cfg_reject(p, at,
				      "bad address '%.48s': not an IPv4 or IPv6 address "
				      "(with an optional /prefix)",
				      s);
	why = xlb_cfg_addr_unusable(&v->addr);
	if (why)
		return xlb_cfg_reject(p, at, "address %s %s", buf, why);
	max = v->addr.family == XLB_FAMILY_V4 ? 32 : 128;
	prefix = max;
	if (slash) {
		/* xlb_cfg_uint() would call a netmask's leading 255 out of range. */
		err = strspn(slash + 1, "0123456789") == strlen(slash + 1)
			      ? xlb_cfg_uint(slash + 1, 1, max, &prefix)
			      : -EINVAL;
		if (err == -EINVAL)
			return xlb_cfg_reject(p, at,
					      "bad prefix '/%.16s' in '%.48s' (expected /1../%u)",
					      slash + 1, s, max);
		if (err)
			return xlb_cfg_reject(p, at,
					      "prefix /%.16s is out of range for IPv%u (/1../%u)",
					      slash + 1, v->addr.family, max);
	}
	v->prefix = prefix;
	return 0;
}

/* Into the list, unless it mixes families or repeats an address. */
static int xlb_cfg_vaddr_take(struct xlb_cfg_parser *p, struct xlb_cfg_vaddr_list *l,
			      const struct xlb_cfg_vaddr *v)
{
	char buf[INET6_ADDRSTRLEN], first[INET6_ADDRSTRLEN];
	/* Only addresses taken are in the array: vaddrs[0] is the first good one. */
	const struct xlb_cfg_vaddr *o = *l->vaddrs;
	size_t i, n = *l->n;

	xlb_addr_str(&v->addr, buf, sizeof(buf));
	if (n && o[0].addr.family != v->addr.family)
		return xlb_cfg_reject(p, v->pos,
				      "virtual_addresses mix IPv4 and IPv6 (%s, and %s at line "
				      "%u): VRRPv3 runs one family per virtual router",
				      buf, xlb_addr_str(&o[0].addr, first, sizeof(first)),
				      o[0].pos.line);
	for (i = 0; i < n && !xlb_addr_eq(&o[i].addr, &v->addr); i++)
		;
	if (i < n)
		return xlb_cfg_reject(p, v->pos, "duplicate virtual address %s (first at line %u)",
				      buf, o[i].pos.line);
	if (xlb_cfg_grow(p, *l->vaddrs, n))
		return p->stop;
	(*l->vaddrs)[(*l->n)++] = *v;
	/* Once, at the first past the limit. */
	if (n == XLB_CFG_VRRP_MAX_ADDRS)
		return xlb_cfg_reject(p, v->pos,
				      "too many virtual addresses (at most %d in an advert)",
				      XLB_CFG_VRRP_MAX_ADDRS);
	return 0;
}

/* keepalived's virtual_ipaddress line: "ADDR[/PREFIX]", or "ADDR[/PREFIX] dev IFNAME". */
static int xlb_cfg_vaddr_line(struct xlb_cfg_parser *p, struct xlb_cfg_vaddr_list *l)
{
	struct xlb_cfg_vaddr v = { .pos = xlb_cfg_at(p) };
	const char *s = xlb_cfg_str(p);
	char buf[128], *tok[4] = { buf }, *save = NULL, *t;
	size_t n = 0;
	int ret;

	if (strlen(s) >= sizeof(buf))
		return xlb_cfg_reject(p, v.pos, "virtual address '%.48s...' is too long", s);
	memcpy(buf, s, strlen(s) + 1);
	for (t = strtok_r(buf, " \t", &save); t; t = strtok_r(NULL, " \t", &save))
		if (n < sizeof(tok) / sizeof(tok[0]))
			tok[n++] = t;
		else
			n++;
	if (n > 1 && (n != 3 || strcmp(tok[1], "dev")))
		return xlb_cfg_reject(p, v.pos,
				      "bad virtual address '%.64s' (expected ADDRESS[/PREFIX] "
				      "[dev INTERFACE])",
				      s);
	ret = xlb_cfg_vaddr_addr(p, v.pos, n ? tok[0] : s, &v);
	if (!ret && n == 3) {
		v.if_pos = v.pos;
		ret = xlb_cfg_ifname_str(p, v.pos, tok[2], v.interface);
	}
	return ret ?: xlb_cfg_vaddr_take(p, l, &v);
}

/* {address: ADDR[/PREFIX], interface: IFNAME}: the mapping the "dev" line stands for. */
struct xlb_cfg_vaddr_map {
	struct xlb_cfg_vaddr_list *l;
	struct xlb_cfg_vaddr v;
};

enum {
	XLB_CFG_VADDR_ADDRESS,
	XLB_CFG_VADDR_INTERFACE,
};

static int xlb_cfg_vaddr_address(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vaddr_map *m = obj;

	m->v.pos = xlb_cfg_at(p);
	return xlb_cfg_vaddr_addr(p, m->v.pos, xlb_cfg_str(p), &m->v);
}

static int xlb_cfg_vaddr_interface(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vaddr_map *m = obj;

	m->v.if_pos = xlb_cfg_at(p);
	return xlb_cfg_ifname_val(p, m->v.interface);
}

static int xlb_cfg_vaddr_end(struct xlb_cfg_parser *p, void *obj, struct xlb_cfg_pos start,
			     const struct xlb_cfg_mark *seen)
{
	struct xlb_cfg_vaddr_map *m = obj;

	(void)start;
	/* A rejected key has its error; the address is left out rather than taken half-read. */
	if (seen[XLB_CFG_VADDR_ADDRESS].ok &&
	    (seen[XLB_CFG_VADDR_INTERFACE].ok || !seen[XLB_CFG_VADDR_INTERFACE].at.line))
		xlb_cfg_vaddr_take(p, m->l, &m->v);
	return p->stop;
}

static const struct xlb_cfg_key xlb_cfg_vaddr_keys[] = {
	[XLB_CFG_VADDR_ADDRESS] = XLB_CFG_KEY_FN("address", XLB_CFG_SCALAR, true,
						 xlb_cfg_vaddr_address),
	[XLB_CFG_VADDR_INTERFACE] = XLB_CFG_KEY_FN("interface", XLB_CFG_SCALAR, false,
						   xlb_cfg_vaddr_interface),
};

static const struct xlb_cfg_section xlb_cfg_vaddr_section =
	XLB_CFG_SECTION("in virtual address", xlb_cfg_vaddr_keys, xlb_cfg_vaddr_end);

int xlb_cfg_vaddr_entry(struct xlb_cfg_parser *p, struct xlb_cfg_vaddr_list *l)
{
	struct xlb_cfg_vaddr_map m = { .l = l };

	if (p->ev.type == YAML_MAPPING_START_EVENT)
		return xlb_cfg_walk_map(p, &xlb_cfg_vaddr_section, &m);
	return xlb_cfg_vaddr_line(p, l);
}

static int xlb_cfg_vrrp_vaddr(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vrrp *vrrp = obj;
	struct xlb_cfg_vaddr_list l = { &vrrp->vaddrs, &vrrp->n_vaddrs };

	return xlb_cfg_vaddr_entry(p, &l);
}

/*
 * An address on an interface of its own goes on one xlbd drives (its replies come through XDP)
 * or on vrrp's; the interfaces may be written after failover, so this runs at the top's end.
 */
static void xlb_cfg_vaddr_check_list(struct xlb_cfg_parser *p, const struct xlb_config *cfg,
				     const char *who, const char *ifname,
				     const struct xlb_cfg_vaddr *vaddrs, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const struct xlb_cfg_vaddr *v = &vaddrs[i];

		if (!v->interface[0] || !strcmp(v->interface, ifname))
			continue;
		for (j = 0; j < cfg->n_ifaces && strcmp(cfg->ifaces[j].name, v->interface); j++)
			;
		if (j == cfg->n_ifaces)
			xlb_cfg_error(p, v->if_pos,
				      "unknown interface '%s' (neither %s's interface nor one of "
				      "interfaces)",
				      v->interface, who);
	}
}

void xlb_cfg_vaddr_check_ifaces(struct xlb_cfg_parser *p, const struct xlb_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->n_vrrps; i++)
		xlb_cfg_vaddr_check_list(p, cfg, "vrrp", cfg->vrrps[i].interface,
					 cfg->vrrps[i].vaddrs, cfg->vrrps[i].n_vaddrs);
	if (cfg->zk)
		xlb_cfg_vaddr_check_list(p, cfg, "zookeeper", cfg->zk->interface, cfg->zk->vaddrs,
					 cfg->zk->n_vaddrs);
}

/*
 * keepalived (vrrp_complete_instance()) reports nopreempt and preempt_delay with state MASTER as
 * config errors and clears them; xlb refuses the file, as for any other config error.
 */
static void xlb_cfg_vrrp_state_check(struct xlb_cfg_parser *p, const struct xlb_cfg_vrrp *vrrp,
				     const struct xlb_cfg_mark *seen)
{
	const struct xlb_cfg_mark *st = &seen[XLB_CFG_VRRP_STATE];
	const struct xlb_cfg_mark *pre = &seen[XLB_CFG_VRRP_PREEMPT];
	const struct xlb_cfg_mark *nopre = &seen[XLB_CFG_VRRP_NOPREEMPT];
	const struct xlb_cfg_mark *delay = &seen[XLB_CFG_VRRP_PREEMPT_DELAY];

	if (!st->ok || !vrrp->start_master)
		return;
	if (!vrrp->preempt && (pre->ok || nopre->ok))
		xlb_cfg_error(p, nopre->at.line ? nopre->at : pre->at,
			      "%s does not work with state master (keepalived clears it too)",
			      nopre->at.line ? "nopreempt" : "preempt: false");
	if (delay->ok && vrrp->preempt_delay_ms)
		xlb_cfg_error(p, delay->at,
			      "preempt_delay does not work with state master (keepalived clears "
			      "it too)");
}

/* VRRPv2 (RFC 3768) is IPv4 only, counts the interval in seconds and has authentication. */
static void xlb_cfg_vrrp_version_check(struct xlb_cfg_parser *p, const struct xlb_cfg_vrrp *vrrp,
				       const struct xlb_cfg_mark *seen)
{
	const struct xlb_cfg_mark *ai = &seen[XLB_CFG_VRRP_ADVERT_INTERVAL];
	const struct xlb_cfg_mark *auth = &seen[XLB_CFG_VRRP_AUTHENTICATION];
	char a[INET6_ADDRSTRLEN];

	if (!seen[XLB_CFG_VRRP_VERSION].ok && seen[XLB_CFG_VRRP_VERSION].at.line)
		return;
	if (vrrp->version == 3) {
		if (ai->ok && vrrp->advert_cs > XLB_CFG_VRRP_MAX_CS)
			xlb_cfg_error(p, ai->at,
				      "advert_interval %us is out of range (10ms..%ums) with version 3",
				      vrrp->advert_cs / 100, XLB_CFG_VRRP_MAX_CS * 10);
		if (auth->at.line)
			xlb_cfg_error(p, auth->at,
				      "authentication needs version 2 (VRRPv3 has none, RFC 5798)");
		return;
	}
	if (ai->ok && (vrrp->advert_cs % 100 || vrrp->advert_cs / 100 > XLB_CFG_VRRP_V2_MAX_S))
		xlb_cfg_error(p, ai->at,
			      "advert_interval must be a whole number of seconds, 1s..%us, with "
			      "version 2 (VRRPv2 counts it in seconds)",
			      XLB_CFG_VRRP_V2_MAX_S);
	if (vrrp->n_vaddrs && vrrp->vaddrs[0].addr.family != XLB_FAMILY_V4)
		xlb_cfg_error(p, vrrp->vaddrs[0].pos,
			      "virtual address %s is IPv6: version 2 is IPv4 only (use version 3)",
			      xlb_addr_str(&vrrp->vaddrs[0].addr, a, sizeof(a)));
}

/* Peers may come before the addresses whose family they must share. */
static int xlb_cfg_vrrp_end(struct xlb_cfg_parser *p, void *obj, struct xlb_cfg_pos start,
			    const struct xlb_cfg_mark *seen)
{
	const struct xlb_cfg_mark *pre = &seen[XLB_CFG_VRRP_PREEMPT];
	const struct xlb_cfg_mark *nopre = &seen[XLB_CFG_VRRP_NOPREEMPT];
	const struct xlb_cfg_vrrp *vrrp = obj;
	char a[INET6_ADDRSTRLEN];
	uint8_t family;
	size_t i;

	(void)start;
	if (pre->at.line && nopre->at.line)
		xlb_cfg_error(p, xlb_cfg_pos_after(pre->at, nopre->at) ? pre->at : nopre->at,
			      "give preempt or nopreempt, not both (nopreempt: true is "
			      "preempt: false)");
	xlb_cfg_vrrp_state_check(p, vrrp, seen);
	xlb_cfg_vrrp_version_check(p, vrrp, seen);
	if (!vrrp->n_vaddrs)
		return p->stop;
	family = vrrp->vaddrs[0].addr.family;
	for (i = 0; i < vrrp->n_unicast_peers; i++) {
		const struct xlb_addr *peer = &vrrp->unicast_peers[i];

		xlb_addr_str(peer, a, sizeof(a));
		if (peer->family != family)
			xlb_cfg_error(p, xlb_cfg_cur_marks(p)->peer_at[i],
				      "unicast peer %s is IPv%u, the virtual addresses IPv%u", a,
				      peer->family, family);
		/*
		 * Unicast peers are also the only sources adverts are taken from, and IPv6
		 * adverts come from the sender's link-local address (RFC 5798 5.1.2.1): a
		 * global address here would refuse the real peer and leave two masters.
		 */
		else if (family == XLB_FAMILY_V6 && !IN6_IS_ADDR_LINKLOCAL((struct in6_addr *)peer->w))
			xlb_cfg_error(p, xlb_cfg_cur_marks(p)->peer_at[i],
				      "unicast peer %s: IPv6 adverts come from the peer's link-local "
				      "address (fe80::/10); give that", a);
	}
	return p->stop;
}

static const struct xlb_cfg_key xlb_cfg_vrrp_keys[] = {
	[XLB_CFG_VRRP_INTERFACE] = XLB_CFG_KEY_IFNAME("interface", true, struct xlb_cfg_vrrp,
						      interface),
	[XLB_CFG_VRRP_VRID] = XLB_CFG_KEY_UINT("vrid", true, struct xlb_cfg_vrrp, vrid, 1, 255),
	/* 0 is what a leaving master sends; 255 says this box owns the addresses. */
	[XLB_CFG_VRRP_PRIORITY] = XLB_CFG_KEY_UINT("priority", false, struct xlb_cfg_vrrp,
						   priority, 1, 255),
	[XLB_CFG_VRRP_ADVERT_INTERVAL] = XLB_CFG_KEY_FN("advert_interval", XLB_CFG_SCALAR, false,
							xlb_cfg_vrrp_advert_interval),
	[XLB_CFG_VRRP_PREEMPT] = XLB_CFG_KEY_BOOL("preempt", false, struct xlb_cfg_vrrp, preempt),
	[XLB_CFG_VRRP_PREEMPT_DELAY] = XLB_CFG_KEY_MS("preempt_delay", false, struct xlb_cfg_vrrp,
						      preempt_delay_ms, 0,
						      XLB_CFG_FAILOVER_MAX_MS),
	[XLB_CFG_VRRP_NOPREEMPT] = XLB_CFG_KEY_FN("nopreempt", XLB_CFG_SCALAR, false,
						  xlb_cfg_vrrp_nopreempt),
	[XLB_CFG_VRRP_UNICAST_PEERS] = XLB_CFG_KEY_LIST("unicast_peers", false, XLB_CFG_SCALAR,
							xlb_cfg_vrrp_peer, NULL),
	[XLB_CFG_VRRP_VIRTUAL_ADDRESSES] = XLB_CFG_KEY_LIST("virtual_addresses", true,
							    XLB_CFG_SCALAR_OR_MAP,
							    xlb_cfg_vrrp_vaddr, "address"),
	[XLB_CFG_VRRP_GARP_REPEAT] = XLB_CFG_KEY_UINT("garp_repeat", false, struct xlb_cfg_vrrp,
						      garp_repeat, 1, 100),
	[XLB_CFG_VRRP_GARP_DELAY] = XLB_CFG_KEY_MS("garp_delay", false, struct xlb_cfg_vrrp,
						   garp_delay_ms, 0, XLB_CFG_FAILOVER_MAX_MS),
	[XLB_CFG_VRRP_GARP_REFRESH] = XLB_CFG_KEY_MS("garp_refresh", false, struct xlb_cfg_vrrp,
						     garp_refresh_ms, 0, XLB_CFG_FAILOVER_MAX_MS),
	[XLB_CFG_VRRP_NOTIFY] = XLB_CFG_KEY_STR("notify", false, COMMAND, struct xlb_cfg_vrrp,
						notify, NULL),
	[XLB_CFG_VRRP_TRACK] = XLB_CFG_KEY_LIST("track", false, XLB_CFG_MAP, xlb_cfg_track, NULL),
	[XLB_CFG_VRRP_VERSION] = XLB_CFG_KEY_UINT("version", false, struct xlb_cfg_vrrp, version,
						  2, 3),
	[XLB_CFG_VRRP_AUTHENTICATION] = XLB_CFG_KEY_FN("authentication", XLB_CFG_MAP, false,
						       xlb_cfg_vrrp_auth),
	[XLB_CFG_VRRP_STATE] = XLB_CFG_KEY_WORD("state", false, struct xlb_cfg_vrrp, start_master,
						xlb_cfg_vrrp_states, "state", "master or backup"),
	[XLB_CFG_VRRP_NAME] = XLB_CFG_KEY_FN("name", XLB_CFG_SCALAR, false, xlb_cfg_vrrp_name),
};

static const struct xlb_cfg_section xlb_cfg_vrrp_section =
	XLB_CFG_SECTION("in vrrp", xlb_cfg_vrrp_keys, xlb_cfg_vrrp_end);

/* sync: {listen, peer, key_file} */

enum {
	XLB_CFG_SYNC_LISTEN,
	XLB_CFG_SYNC_PEER,
	XLB_CFG_SYNC_KEY_FILE,
};

static int xlb_cfg_sync_listen(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_sync *sync = obj;

	return xlb_cfg_hostport_val(p, "listen", XLB_CFG_SYNC_DEFAULT_PORT, 0, &sync->listen_addr,
				    &sync->listen_port);
}

static int xlb_cfg_sync_peer(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_sync *sync = obj;

	p->st->sync_peer_at = xlb_cfg_at(p);
	return xlb_cfg_hostport_val(p, "peer", XLB_CFG_SYNC_DEFAULT_PORT, 0, &sync->peer_addr,
				    &sync->peer_port);
}

static int xlb_cfg_sync_end(struct xlb_cfg_parser *p, void *obj, struct xlb_cfg_pos start,
			    const struct xlb_cfg_mark *seen)
{
	const struct xlb_cfg_sync *sync = obj;
	char a[INET6_ADDRSTRLEN];

	(void)start;
	if (!seen[XLB_CFG_SYNC_LISTEN].ok || !seen[XLB_CFG_SYNC_PEER].ok)
		return p->stop;
	xlb_addr_str(&sync->peer_addr, a, sizeof(a));
	if (sync->peer_addr.family != sync->listen_addr.family)
		xlb_cfg_error(p, p->st->sync_peer_at, "sync peer %s is IPv%u, listen IPv%u", a,
			      sync->peer_addr.family, sync->listen_addr.family);
	else if (xlb_addr_eq(&sync->peer_addr, &sync->listen_addr) &&
		 sync->peer_port == sync->listen_port)
		xlb_cfg_error(p, p->st->sync_peer_at,
			      "sync peer %s port %u is the listen address itself", a,
			      sync->peer_port);
	return p->stop;
}

static const struct xlb_cfg_key xlb_cfg_sync_keys[] = {
	[XLB_CFG_SYNC_LISTEN] = XLB_CFG_KEY_FN("listen", XLB_CFG_SCALAR, true, xlb_cfg_sync_listen),
	[XLB_CFG_SYNC_PEER] = XLB_CFG_KEY_FN("peer", XLB_CFG_SCALAR, true, xlb_cfg_sync_peer),
	/* Only the name: xlbd reads the key when it starts, so --check works without it. */
	[XLB_CFG_SYNC_KEY_FILE] = XLB_CFG_KEY_STR("key_file", true, PATH, struct xlb_cfg_sync,
						  key_file, NULL),
};

static const struct xlb_cfg_section xlb_cfg_sync_section =
	XLB_CFG_SECTION("in sync", xlb_cfg_sync_keys, xlb_cfg_sync_end);

/* failover: {mode, vrrp, sync} */

enum {
	XLB_CFG_FAILOVER_MODE,
	XLB_CFG_FAILOVER_VRRP,
	XLB_CFG_FAILOVER_SYNC,
	XLB_CFG_FAILOVER_SYNC_GROUPS,
	XLB_CFG_FAILOVER_ZOOKEEPER,
};

static int xlb_cfg_failover_mode(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_config *cfg = obj;
	int v = xlb_cfg_lookup(xlb_cfg_failover_modes, xlb_cfg_str(p));

	if (v < 0)
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "unknown failover mode '%.32s' (expected vrrp, zookeeper or "
				      "none)",
				      xlb_cfg_str(p));
	cfg->failover_mode = v;
	return 0;
}

/* One instance, with keepalived's defaults for what its mapping leaves out. */
static int xlb_cfg_vrrp_instance(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_config *cfg = obj;
	size_t n = cfg->n_vrrps;
	struct xlb_cfg_vrrp *v;

	if (n == XLB_CFG_VRRP_MAX_INSTANCES) {
		xlb_cfg_error(p, xlb_cfg_at(p), "more than %u vrrp instances",
			      XLB_CFG_VRRP_MAX_INSTANCES);
		return xlb_cfg_skip(p) ?: 1;
	}
	if (xlb_cfg_grow(p, cfg->vrrps, n) || xlb_cfg_grow(p, p->st->vrrp_at, n))
		return p->stop;
	v = &cfg->vrrps[n];
	*v = (struct xlb_cfg_vrrp){
		.priority = XLB_VRRP_DEFAULT_PRIORITY,
		.advert_cs = XLB_VRRP_DEFAULT_INTERVAL_CS,
		.preempt = 1,
		.version = 3,
		.garp_repeat = XLB_VRRP_DEFAULT_GARP_REPEAT,
		.garp_delay_ms = XLB_VRRP_DEFAULT_GARP_DELAY_MS,
		.sync_group = -1,
		.pos = xlb_cfg_at(p),
	};
	snprintf(v->name, sizeof(v->name), "VI_%zu", n + 1);
	p->st->vrrp_at[n] = (struct xlb_cfg_vrrp_marks){};
	cfg->n_vrrps++;
	return xlb_cfg_walk_map(p, &xlb_cfg_vrrp_section, v);
}

/* vrrp: one instance (a mapping) or several (a list of them, keepalived's vrrp_instance). */
static int xlb_cfg_failover_vrrp(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_pos at = xlb_cfg_at(p);
	int n;

	if (p->ev.type == YAML_MAPPING_START_EVENT)
		return xlb_cfg_vrrp_instance(p, obj);
	n = xlb_cfg_walk_list(p, "vrrp", XLB_CFG_MAP, xlb_cfg_vrrp_instance, obj);
	if (n < 0)
		return n;
	return n ? 0 : xlb_cfg_reject(p, at, "vrrp has no instance");
}

/* sync_groups: [{name, members: [INSTANCE, ...]}] (keepalived's vrrp_sync_group) */

enum {
	XLB_CFG_GROUP_NAME,
	XLB_CFG_GROUP_MEMBERS,
};

static int xlb_cfg_group_name(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_sync_group *g = obj;

	return xlb_cfg_name_val(p, "sync group", g->name);
}

/*
 * Members are named before or after their instances (the key order is free), so a name is
 * looked up at the failover mapping's end; here it is only kept, as the group index the
 * instance will carry, in a list the end resolves.
 */
static int xlb_cfg_group_member(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_sync_group *g = obj;
	struct xlb_cfg_group_member *m;
	size_t n = p->st->n_members;
	char name[XLB_CFG_NAME_SIZE];
	int ret;

	ret = xlb_cfg_name_val(p, "instance", name);
	if (ret)
		return ret;
	if (xlb_cfg_grow(p, p->st->members, n))
		return p->stop;
	m = &p->st->members[n];
	memcpy(m->name, name, sizeof(name));
	m->group = g - p->cfg->sync_groups;
	m->at = xlb_cfg_at(p);
	p->st->n_members++;
	return 0;
}

static int xlb_cfg_group_members(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_pos at = xlb_cfg_at(p);
	int n;

	n = xlb_cfg_walk_list(p, "members", XLB_CFG_SCALAR, xlb_cfg_group_member, obj);
	if (n < 0)
		return n;
	/* keepalived only warns of a group of one, and then drops it: a mistake either way */
	return n >= 2 ? 0 : xlb_cfg_reject(p, at, "a sync group needs 2 members or more");
}

static const struct xlb_cfg_key xlb_cfg_group_keys[] = {
	[XLB_CFG_GROUP_NAME] = XLB_CFG_KEY_FN("name", XLB_CFG_SCALAR, true, xlb_cfg_group_name),
	[XLB_CFG_GROUP_MEMBERS] = XLB_CFG_KEY_FN("members", XLB_CFG_LIST, true,
						 xlb_cfg_group_members),
};

static const struct xlb_cfg_section xlb_cfg_group_section =
	XLB_CFG_SECTION("in sync_groups", xlb_cfg_group_keys, NULL);

static int xlb_cfg_sync_group(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_config *cfg = obj;
	size_t n = cfg->n_sync_groups;
	struct xlb_cfg_sync_group *g;

	if (n == XLB_CFG_VRRP_MAX_INSTANCES) {
		xlb_cfg_error(p, xlb_cfg_at(p), "more than %u sync groups",
			      XLB_CFG_VRRP_MAX_INSTANCES);
		return xlb_cfg_skip(p) ?: 1;
	}
	if (xlb_cfg_grow(p, cfg->sync_groups, n))
		return p->stop;
	g = &cfg->sync_groups[n];
	*g = (struct xlb_cfg_sync_group){ .pos = xlb_cfg_at(p) };
	cfg->n_sync_groups++;
	return xlb_cfg_walk_map(p, &xlb_cfg_group_section, g);
}

/*
 * What only the whole list can tell: names and (interface, vrid) are unique, for VRRP's
 * virtual router is known on its link by its VRID alone; groups' names are unique, each member
 * names an instance, and an instance is in one group at most.
 */
static void xlb_cfg_instances_check(struct xlb_cfg_parser *p, struct xlb_config *cfg)
{
	const struct xlb_cfg_vrrp_marks *at = p->st->vrrp_at;
	size_t i, j;

	for (i = 0; i < cfg->n_vrrps; i++) {
		const struct xlb_cfg_vrrp *v = &cfg->vrrps[i];

		for (j = 0; j < i; j++) {
			const struct xlb_cfg_vrrp *o = &cfg->vrrps[j];

			if (!strcmp(v->name, o->name))
				xlb_cfg_error(p, at[i].name.at.line ? at[i].name.at : v->pos,
					      "duplicate instance name '%s' (first at line %u)",
					      v->name, o->pos.line);
			else if (v->vrid && v->vrid == o->vrid && v->interface[0] &&
				 !strcmp(v->interface, o->interface))
				xlb_cfg_error(p, v->pos,
					      "instances %s and %s are both vrid %u on %s: one "
					      "virtual router per vrid and link",
					      o->name, v->name, v->vrid, v->interface);
		}
	}
	for (i = 0; i < cfg->n_sync_groups; i++)
		for (j = 0; j < i; j++)
			if (cfg->sync_groups[i].name[0] &&
			    !strcmp(cfg->sync_groups[i].name, cfg->sync_groups[j].name))
				xlb_cfg_error(p, cfg->sync_groups[i].pos,
					      "duplicate sync group name '%s' (first at line %u)",
					      cfg->sync_groups[i].name, cfg->sync_groups[j].pos.line);
	for (i = 0; i < p->st->n_members; i++) {
		const struct xlb_cfg_group_member *m = &p->st->members[i];
		struct xlb_cfg_vrrp *v = NULL;

		for (j = 0; j < cfg->n_vrrps && !v; j++)
			if (!strcmp(cfg->vrrps[j].name, m->name))
				v = &cfg->vrrps[j];
		if (!v)
			xlb_cfg_error(p, m->at, "sync group member '%s' is no vrrp instance",
				      m->name);
		else if (v->sync_group >= 0)
			xlb_cfg_error(p, m->at, "instance %s is in sync group %s already", m->name,
				      cfg->sync_groups[v->sync_group].name);
		else
			v->sync_group = m->group;
	}
}

static int xlb_cfg_failover_sync(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_config *cfg = obj;

	cfg->sync.enabled = 1;
	cfg->sync.pos = xlb_cfg_at(p);
	return xlb_cfg_walk_map(p, &xlb_cfg_sync_section, &cfg->sync);
}

/* What the mode needs, and what only another mode takes; nothing to say if the mode is bad. */
static int xlb_cfg_failover_end(struct xlb_cfg_parser *p, void *obj, struct xlb_cfg_pos start,
				const struct xlb_cfg_mark *seen)
{
	struct xlb_config *cfg = obj;

	if (!seen[XLB_CFG_FAILOVER_MODE].ok)
		return p->stop;
	xlb_cfg_zk_mode_check(p, cfg->failover_mode, start, &seen[XLB_CFG_FAILOVER_ZOOKEEPER],
			      &seen[XLB_CFG_FAILOVER_VRRP], &seen[XLB_CFG_FAILOVER_SYNC_GROUPS]);
	if (cfg->failover_mode == XLB_FAILOVER_VRRP)
		xlb_cfg_instances_check(p, cfg);
	if (cfg->failover_mode == XLB_FAILOVER_VRRP && !seen[XLB_CFG_FAILOVER_VRRP].at.line)
		xlb_cfg_error(p, start, "missing required key 'vrrp' in failover (mode is vrrp)");
	if (cfg->failover_mode != XLB_FAILOVER_NONE)
		return p->stop;
	if (seen[XLB_CFG_FAILOVER_VRRP].at.line)
		xlb_cfg_error(p, seen[XLB_CFG_FAILOVER_VRRP].at,
			      "vrrp does not apply to mode none (set mode: vrrp, or leave it out)");
	/* Flows are synced to the standby: without VRRP there is none. */
	if (seen[XLB_CFG_FAILOVER_SYNC].at.line)
		xlb_cfg_error(p, seen[XLB_CFG_FAILOVER_SYNC].at,
			      "sync needs mode vrrp (mode is none)");
	if (seen[XLB_CFG_FAILOVER_SYNC_GROUPS].at.line)
		xlb_cfg_error(p, seen[XLB_CFG_FAILOVER_SYNC_GROUPS].at,
			      "sync_groups needs mode vrrp (mode is none)");
	return p->stop;
}

static const struct xlb_cfg_key xlb_cfg_failover_keys[] = {
	[XLB_CFG_FAILOVER_MODE] = XLB_CFG_KEY_FN("mode", XLB_CFG_SCALAR, true,
						 xlb_cfg_failover_mode),
	[XLB_CFG_FAILOVER_VRRP] = XLB_CFG_KEY_FN("vrrp", XLB_CFG_MAP_OR_LIST, false,
						 xlb_cfg_failover_vrrp),
	[XLB_CFG_FAILOVER_SYNC] = XLB_CFG_KEY_FN("sync", XLB_CFG_MAP, false, xlb_cfg_failover_sync),
	[XLB_CFG_FAILOVER_SYNC_GROUPS] = XLB_CFG_KEY_LIST("sync_groups", false, XLB_CFG_MAP,
							  xlb_cfg_sync_group, "sync group"),
	[XLB_CFG_FAILOVER_ZOOKEEPER] = XLB_CFG_KEY_FN("zookeeper", XLB_CFG_MAP, false,
						      xlb_cfg_failover_zk),
};

const struct xlb_cfg_section xlb_cfg_failover_section =
	XLB_CFG_SECTION("in failover", xlb_cfg_failover_keys, xlb_cfg_failover_end);
