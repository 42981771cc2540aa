// SPDX-License-Identifier: GPL-2.0-only
/*
 * health: {type, port, interval, timeout, rise, fall, path, expect_status, expect_body, payload,
 * expect, command}, under a VIP (defaults for its backends) or under a backend (overrides, key by
 * key): the one section read in two layers. Both are kept as written, with where each key was,
 * until the VIP ends; then each backend's check is merged and validated, and a mistake is
 * reported where it was written, once, however many backends inherit it.
 */
#include <string.h>

#include "config/keys.h"
#include "config/schema.h"

#define XLB_CFG_HC_MAX_MS (60 * 60 * 1000) /* an hour: interval and timeout at most */
/* What every check but none takes; exec gets its port in XLB_PORT. */
#define XLB_CFG_HC_COMMON                                                               \
	(XLB_HC_SET_TYPE | XLB_HC_SET_PORT | XLB_HC_SET_INTERVAL | XLB_HC_SET_TIMEOUT | \
	 XLB_HC_SET_RISE | XLB_HC_SET_FALL)

static const struct xlb_cfg_word xlb_cfg_hc_types[] = {
	{ "none", XLB_HC_NONE },
	{ "tcp", XLB_HC_TCP },
	{ "http", XLB_HC_HTTP },
	{ "udp", XLB_HC_UDP },
	{ "exec", XLB_HC_EXEC },
	{},
};

/* The keys each type of check takes; any other key given with it is a mistake. */
static const uint32_t xlb_cfg_hc_takes[] = {
	[XLB_HC_NONE] = XLB_HC_SET_TYPE,
	[XLB_HC_TCP] = XLB_CFG_HC_COMMON,
	[XLB_HC_HTTP] = XLB_CFG_HC_COMMON | XLB_HC_SET_PATH | XLB_HC_SET_STATUS | XLB_HC_SET_BODY,
	[XLB_HC_UDP] = XLB_CFG_HC_COMMON | XLB_HC_SET_PAYLOAD | XLB_HC_SET_EXPECT,
	[XLB_HC_EXEC] = XLB_CFG_HC_COMMON | XLB_HC_SET_COMMAND,
};

const char *xlb_hc_type_name(int type)
{
	const struct xlb_cfg_word *w;

	for (w = xlb_cfg_hc_types; w->word; w++)
		if (w->val == type)
			return w->word;
	return "unknown";
}

/* Sent as written in "GET <path> HTTP/1.1", so it must already be a valid request target. */
static int xlb_cfg_hc_path(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_health *h = obj;
	struct xlb_cfg_pos at = xlb_cfg_at(p);
	const unsigned char *c = (const unsigned char *)xlb_cfg_str(p);

	if (*c != '/')
		return xlb_cfg_reject(p, at, "path '%.32s' must start with '/'", xlb_cfg_str(p));
	for (; *c; c++)
		if (*c <= ' ' || *c >= 0x7f)
			return xlb_cfg_reject(p, at,
					      "path '%.32s' must be printable ASCII without spaces "
					      "(percent-encode the rest)",
					      xlb_cfg_str(p));
	return xlb_cfg_text_val(p, "path", h->path, sizeof(h->path));
}

static int xlb_cfg_hc_command(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_health *h = obj;
	struct xlb_cfg_pos at = xlb_cfg_at(p);

	if (!*xlb_cfg_str(p))
		return xlb_cfg_reject(p, at, "command must not be empty");
	return xlb_cfg_text_val(p, "command", h->command, sizeof(h->command));
}

/* Which keys were given, and where, for the merge at the VIP's end. */
static int xlb_cfg_hc_end(struct xlb_cfg_parser *p, void *obj, struct xlb_cfg_pos start,
			  const struct xlb_cfg_mark *seen)
{
	struct xlb_cfg_health *h = obj;
	struct xlb_cfg_hc_marks *m = p->st->hc;
	int i;

	(void)start;
	for (i = 0; i < XLB_CFG_HC_N_KEYS; i++) {
		m->key[i] = seen[i].at;
		m->val[i] = seen[i].val;
		if (seen[i].ok)
			h->set |= 1u << i;
		else if (seen[i].at.line)
			m->bad |= 1u << i;
	}
	return p->stop;
}

static const struct xlb_cfg_key xlb_cfg_hc_keys[] = {
	[XLB_CFG_HC_TYPE] = XLB_CFG_KEY_WORD("type", false, struct xlb_cfg_health, type,
					     xlb_cfg_hc_types, "health check type",
					     "tcp, http, udp, exec or none"),
	[XLB_CFG_HC_PORT] = XLB_CFG_KEY_UINT("port", false, struct xlb_cfg_health, port, 1, 65535),
	[XLB_CFG_HC_INTERVAL] = XLB_CFG_KEY_MS("interval", false, struct xlb_cfg_health,
					       interval_ms, 10, XLB_CFG_HC_MAX_MS),
	[XLB_CFG_HC_TIMEOUT] = XLB_CFG_KEY_MS("timeout", false, struct xlb_cfg_health, timeout_ms,
					      1, XLB_CFG_HC_MAX_MS),
	[XLB_CFG_HC_RISE] = XLB_CFG_KEY_UINT("rise", false, struct xlb_cfg_health, rise, 1, 100),
	[XLB_CFG_HC_FALL] = XLB_CFG_KEY_UINT("fall", false, struct xlb_cfg_health, fall, 1, 100),
	[XLB_CFG_HC_PATH] = XLB_CFG_KEY_FN("path", XLB_CFG_SCALAR, false, xlb_cfg_hc_path),
	[XLB_CFG_HC_STATUS] = XLB_CFG_KEY_UINT("expect_status", false, struct xlb_cfg_health,
					       expect_status, 100, 599),
	[XLB_CFG_HC_BODY] = XLB_CFG_KEY_STR("expect_body", false, TEXT, struct xlb_cfg_health,
					    expect_body, NULL),
	[XLB_CFG_HC_PAYLOAD] = XLB_CFG_KEY_STR("payload", false, TEXT, struct xlb_cfg_health,
					       payload, NULL),
	[XLB_CFG_HC_EXPECT] = XLB_CFG_KEY_STR("expect", false, TEXT, struct xlb_cfg_health, expect,
					      NULL),
	[XLB_CFG_HC_COMMAND] = XLB_CFG_KEY_FN("command", XLB_CFG_SCALAR, false, xlb_cfg_hc_command),
};
_Static_assert(XLB_CFG_ARRAY_SIZE(xlb_cfg_hc_keys) == XLB_CFG_HC_N_KEYS, "a health key is missing");

static const struct xlb_cfg_section xlb_cfg_hc_section =
	XLB_CFG_SECTION("in health", xlb_cfg_hc_keys, xlb_cfg_hc_end);

int xlb_cfg_health(struct xlb_cfg_parser *p, struct xlb_cfg_health *h, struct xlb_cfg_hc_marks *m)
{
	h->pos = xlb_cfg_at(p);
	p->st->hc = m;
	return xlb_cfg_walk_map(p, &xlb_cfg_hc_section, h);
}

/* A health as it applies to a VIP or a backend, with where each of its keys was written. */
struct xlb_cfg_hc_view {
	struct xlb_cfg_health h;
	struct xlb_cfg_hc_marks at; /* line 0: a default */
	uint32_t own;               /* keys written in the mapping being checked, not inherited */
};

static void xlb_cfg_hc_defaults(struct xlb_cfg_health *h)
{
	/* memset, not an initialiser: the padding too is zero, so resolved checks compare. */
	memset(h, 0, sizeof(*h));
	h->type = XLB_HC_TCP;
	h->interval_ms = XLB_HC_DEFAULT_INTERVAL_MS;
	h->timeout_ms = XLB_HC_DEFAULT_TIMEOUT_MS;
	h->rise = XLB_HC_DEFAULT_RISE;
	h->fall = XLB_HC_DEFAULT_FALL;
	h->path[0] = '/';
	h->expect_status = 200;
}

/* Copy the values of `keys` (XLB_HC_SET_*) from src to dst. */
static void xlb_cfg_hc_copy(struct xlb_cfg_health *dst, const struct xlb_cfg_health *src,
			    uint32_t keys)
{
	if (keys & XLB_HC_SET_TYPE)
		dst->type = src->type;
	if (keys & XLB_HC_SET_PORT)
		dst->port = src->port;
	if (keys & XLB_HC_SET_INTERVAL)
		dst->interval_ms = src->interval_ms;
	if (keys & XLB_HC_SET_TIMEOUT)
		dst->timeout_ms = src->timeout_ms;
	if (keys & XLB_HC_SET_RISE)
		dst->rise = src->rise;
	if (keys & XLB_HC_SET_FALL)
		dst->fall = src->fall;
	if (keys & XLB_HC_SET_PATH)
		memcpy(dst->path, src->path, sizeof(dst->path));
	if (keys & XLB_HC_SET_STATUS)
		dst->expect_status = src->expect_status;
	if (keys & XLB_HC_SET_BODY)
		memcpy(dst->expect_body, src->expect_body, sizeof(dst->expect_body));
	if (keys & XLB_HC_SET_PAYLOAD)
		memcpy(dst->payload, src->payload, sizeof(dst->payload));
	if (keys & XLB_HC_SET_EXPECT)
		memcpy(dst->expect, src->expect, sizeof(dst->expect));
	if (keys & XLB_HC_SET_COMMAND)
		memcpy(dst->command, src->command, sizeof(dst->command));
}

/* Lay the mapping h (positions m) over v: its keys now win, and are the ones v's checks own. */
static void xlb_cfg_hc_overlay(struct xlb_cfg_hc_view *v, const struct xlb_cfg_health *h,
			       const struct xlb_cfg_hc_marks *m)
{
	int i;

	xlb_cfg_hc_copy(&v->h, h, h->set);
	for (i = 0; i < XLB_CFG_HC_N_KEYS; i++) {
		if (!((h->set | m->bad) & (1u << i)))
			continue;
		v->at.key[i] = m->key[i];
		v->at.val[i] = m->val[i];
	}
	v->h.set |= h->set;
	v->h.pos = h->pos;
	/* A key rejected here hides the inherited one; one given here clears an inherited bad. */
	v->at.bad = (v->at.bad & ~h->set) | m->bad;
	v->own = h->set;
}

/*
 * Inherited keys that do not apply to the type a backend's own mapping gives go back to their
 * defaults: an http VIP's path says nothing about the one backend that is checked over tcp.
 */
static void xlb_cfg_hc_drop_foreign(struct xlb_cfg_hc_view *v, const struct xlb_cfg_health *be,
				    const struct xlb_cfg_hc_marks *m)
{
	struct xlb_cfg_health dflt;
	unsigned int type = be->set & XLB_HC_SET_TYPE ? be->type : v->h.type;
	uint32_t drop;
	int i;

	if (m->bad & XLB_HC_SET_TYPE)
		return;
	drop = v->h.set & ~be->set & ~xlb_cfg_hc_takes[type];
	xlb_cfg_hc_defaults(&dflt);
	xlb_cfg_hc_copy(&v->h, &dflt, drop);
	v->h.set &= ~drop;
	for (i = 0; i < XLB_CFG_HC_N_KEYS; i++) {
		if (drop & (1u << i)) {
			v->at.key[i] = (struct xlb_cfg_pos){};
			v->at.val[i] = (struct xlb_cfg_pos){};
		}
	}
}

/* "path only applies to http checks": the one type of check that takes key i. */
static const char *xlb_cfg_hc_taker(int i)
{
	unsigned int t;

	for (t = XLB_HC_TCP; t < XLB_CFG_ARRAY_SIZE(xlb_cfg_hc_takes); t++)
		if (xlb_cfg_hc_takes[t] & (1u << i))
			return xlb_hc_type_name(t);
	return "?";
}

/*
 * Check a merged health: keys owned by the mapping being checked must apply to its type (error at
 * the key) and timeout must be less than interval (at the value written last in the chain). With
 * `runs`, it is a backend's and is about to be run, so what a check needs must be there too: an
 * exec check's command, and a port when the VIP's is 0. Mistakes inherited from the VIP are
 * reported where the VIP wrote them, once.
 */
static void xlb_cfg_hc_check(struct xlb_cfg_parser *p, const struct xlb_cfg_hc_view *v,
			     const struct xlb_cfg_vip *vip, bool vip_port_ok, bool runs)
{
	const struct xlb_cfg_health *h = &v->h;
	const struct xlb_cfg_hc_marks *at = &v->at;
	const char *type = xlb_hc_type_name(h->type);
	bool type_ok = !(at->bad & XLB_HC_SET_TYPE);
	bool type_given = at->val[XLB_CFG_HC_TYPE].line;
	char to[16], iv[16];
	struct xlb_cfg_pos pos;
	uint32_t foreign;
	int k;

	foreign = type_ok ? v->own & ~at->bad & ~xlb_cfg_hc_takes[h->type] : 0;
	for (k = 0; k < XLB_CFG_HC_N_KEYS; k++) {
		if (!(foreign & (1u << k)))
			continue;
		if (h->type == XLB_HC_NONE)
			xlb_cfg_error_once(p, at->key[k], "%s does not apply to type none",
					   xlb_cfg_hc_keys[k].name);
		else
			xlb_cfg_error_once(p, at->key[k], "%s only applies to %s checks, not %s",
					   xlb_cfg_hc_keys[k].name, xlb_cfg_hc_taker(k), type);
	}

	if (h->type != XLB_HC_NONE && !(at->bad & (XLB_HC_SET_INTERVAL | XLB_HC_SET_TIMEOUT)) &&
	    h->timeout_ms >= h->interval_ms) {
		if (v->own & XLB_HC_SET_TIMEOUT)
			pos = at->val[XLB_CFG_HC_TIMEOUT];
		else if (v->own & XLB_HC_SET_INTERVAL)
			pos = at->val[XLB_CFG_HC_INTERVAL];
		else if (at->val[XLB_CFG_HC_TIMEOUT].line)
			pos = at->val[XLB_CFG_HC_TIMEOUT];
		else
			pos = at->val[XLB_CFG_HC_INTERVAL];
		xlb_cfg_error_once(p, pos, "timeout %s%s must be less than interval %s%s",
				   xlb_cfg_ms_str(h->timeout_ms, to, sizeof(to)),
				   at->val[XLB_CFG_HC_TIMEOUT].line ? "" : " (the default)",
				   xlb_cfg_ms_str(h->interval_ms, iv, sizeof(iv)),
				   at->val[XLB_CFG_HC_INTERVAL].line ? "" : " (the default)");
	}

	if (!runs || !type_ok)
		return;
	/* exec is never the default, so the type was written somewhere. */
	if (h->type == XLB_HC_EXEC && !(h->set & XLB_HC_SET_COMMAND) &&
	    !(at->bad & XLB_HC_SET_COMMAND))
		xlb_cfg_error_once(p, at->val[XLB_CFG_HC_TYPE], "exec check needs a command");
	if ((h->type == XLB_HC_TCP || h->type == XLB_HC_HTTP || h->type == XLB_HC_UDP) &&
	    vip_port_ok && !vip->port && !h->port && !(at->bad & XLB_HC_SET_PORT)) {
		/* At the type that asks for a port, else the mapping, else the VIP left it out. */
		pos = type_given ? at->val[XLB_CFG_HC_TYPE] : h->pos.line ? h->pos : vip->pos;
		xlb_cfg_error_once(p, pos,
				   "%s check%s needs a port: the VIP's port is 0 (every port); "
				   "set health port, or type none",
				   type, type_given ? "" : " (the default)");
	}
}

/*
 * Resolve the VIP's health (defaults under what it gave) and each backend's (the VIP's under what
 * the backend gave), and check each. The VIP's is checked as a whole for consistency only: what
 * a check needs to run (command, port) is asked of the backends that run it, so a VIP may leave
 * the command or the port to each of its backends.
 */
void xlb_cfg_vip_health_end(struct xlb_cfg_parser *p, struct xlb_cfg_vip *vip, bool vip_port_ok)
{
	struct xlb_cfg_hc_view v, b;
	size_t i;

	memset(&v, 0, sizeof(v));
	xlb_cfg_hc_defaults(&v.h);
	/* A tcp connect says nothing about a UDP service, and a port-0 VIP has no port to try:
	 * without any health mapping, those are not checked. */
	if (!vip->health.pos.line && (vip->proto != IPPROTO_TCP || !vip->port))
		v.h.type = XLB_HC_NONE;
	if (vip->health.pos.line)
		xlb_cfg_hc_overlay(&v, &vip->health, &p->st->vip_hc);
	xlb_cfg_hc_check(p, &v, vip, vip_port_ok, false);

	for (i = 0; i < vip->n_backends; i++) {
		struct xlb_cfg_backend *be = &vip->backends[i];

		memcpy(&b, &v, sizeof(b));
		b.own = 0;
		/* A backend's own mapping asks for a check: tcp unless it says otherwise. */
		if (be->health.pos.line && !vip->health.pos.line)
			b.h.type = XLB_HC_TCP;
		if (be->health.pos.line) {
			xlb_cfg_hc_drop_foreign(&b, &be->health, &p->st->be_hc[i]);
			xlb_cfg_hc_overlay(&b, &be->health, &p->st->be_hc[i]);
		}
		xlb_cfg_hc_check(p, &b, vip, vip_port_ok, true);
		memcpy(&be->health, &b.h, sizeof(be->health));
	}
	memcpy(&vip->health, &v.h, sizeof(vip->health));
}
