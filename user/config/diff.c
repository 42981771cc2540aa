// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reload's report. VIPs are matched by name, the one thing an operator keeps while changing the
 * rest; backends by address and port inside their VIP, as xlb_lb_apply() matches them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/names.h"
#include "common/output.h"
#include "config/diff.h"
#include "dispatch/fwd.h"
#include "dispatch/sched.h"

static const char *const kind_names[XLB_CHG_MAX] = {
	[XLB_CHG_VIP_ADDED] = "vip_added",
	[XLB_CHG_VIP_REMOVED] = "vip_removed",
	[XLB_CHG_VIP_CHANGED] = "vip_changed",
	[XLB_CHG_BACKEND_ADDED] = "backend_added",
	[XLB_CHG_BACKEND_REMOVED] = "backend_removed",
	[XLB_CHG_BACKEND_REWEIGHTED] = "backend_reweighted",
};

/* The counts' JSON keys, plural as a reader says them. */
static const char *const count_names[XLB_CHG_MAX] = {
	[XLB_CHG_VIP_ADDED] = "vips_added",
	[XLB_CHG_VIP_REMOVED] = "vips_removed",
	[XLB_CHG_VIP_CHANGED] = "vips_changed",
	[XLB_CHG_BACKEND_ADDED] = "backends_added",
	[XLB_CHG_BACKEND_REMOVED] = "backends_removed",
	[XLB_CHG_BACKEND_REWEIGHTED] = "backends_reweighted",
};

struct differ {
	struct xlb_cfg_changes *c;
	size_t cap;
	int err;
};

static struct xlb_cfg_change *add(struct differ *d, uint8_t kind, const char *vip)
{
	struct xlb_cfg_change *ch;

	if (d->err)
		return NULL;
	if (d->c->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		void *v = realloc(d->c->v, cap * sizeof(*d->c->v));

		if (!v) {
			d->err = -ENOMEM;
			return NULL;
		}
		d->c->v = v;
		d->cap = cap;
	}
	ch = &d->c->v[d->c->n++];
	memset(ch, 0, sizeof(*ch));
	ch->kind = kind;
	snprintf(ch->vip, sizeof(ch->vip), "%s", vip);
	d->c->count[kind]++;
	return ch;
}

static const struct xlb_cfg_vip *find_vip(const struct xlb_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_vips; i++)
		if (!strcmp(cfg->vips[i].name, name))
			return &cfg->vips[i];
	return NULL;
}

static const struct xlb_cfg_backend *find_backend(const struct xlb_cfg_vip *v,
						  const struct xlb_cfg_backend *b)
{
	size_t i;

	for (i = 0; i < v->n_backends; i++)
		if (xlb_addr_eq(&v->backends[i].addr, &b->addr) && v->backends[i].port == b->port)
			return &v->backends[i];
	return NULL;
}

/* The port a backend is reached on: its own (nat), else the VIP's (0: every port). */
static uint16_t backend_port(const struct xlb_cfg_vip *v, const struct xlb_cfg_backend *b)
{
	return b->port ? b->port : v->port;
}

static void what_add(char *what, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void what_add(char *what, size_t len, const char *fmt, ...)
{
	size_t used = strlen(what);
	va_list ap;

	if (used && used + 2 < len) {
		memcpy(what + used, ", ", 3);
		used += 2;
	}
	if (used >= len - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(what + used, len - used, fmt, ap);
	va_end(ap);
}

/* The VIP's own settings that differ, as "KEY OLD -> NEW" items; "" when none do. */
static void vip_settings(const struct xlb_cfg_vip *o, const struct xlb_cfg_vip *n, char *what,
			 size_t len)
{
	char a[XLB_ADDR_PORT_STRLEN], b[XLB_ADDR_PORT_STRLEN];
	char pa[XLB_PROTO_NAME_LEN], pb[XLB_PROTO_NAME_LEN];

	what[0] = '\0';
	if (!xlb_addr_eq(&o->addr, &n->addr) || o->port != n->port || o->proto != n->proto)
		what_add(what, len, "address %s/%s -> %s/%s",
			 xlb_addr_port_str(&o->addr, o->port, a, sizeof(a)),
			 xlb_proto_name(o->proto, pa),
			 xlb_addr_port_str(&n->addr, n->port, b, sizeof(b)),
			 xlb_proto_name(n->proto, pb));
	if (o->sched != n->sched)
		what_add(what, len, "scheduler %s -> %s", xlb_sched_name(o->sched),
			 xlb_sched_name(n->sched));
	if (o->fwd != n->fwd)
		what_add(what, len, "forwarding %s -> %s", xlb_fwd_name(o->fwd),
			 xlb_fwd_name(n->fwd));
	if (o->persistence_ms != n->persistence_ms)
		what_add(what, len, "persistence_timeout %u -> %u s", o->persistence_ms / 1000,
			 n->persistence_ms / 1000);
	if (!xlb_addr_eq(&o->fallback, &n->fallback))
		what_add(what, len, "fallback %s -> %s",
			 o->fallback.family ? xlb_addr_str(&o->fallback, a, sizeof(a)) : "none",
			 n->fallback.family ? xlb_addr_str(&n->fallback, b, sizeof(b)) : "none");
}

static void backends(struct differ *d, const struct xlb_cfg_vip *o, const struct xlb_cfg_vip *n)
{
	struct xlb_cfg_change *ch;
	size_t i;

	for (i = 0; i < n->n_backends; i++) {
		const struct xlb_cfg_backend *nb = &n->backends[i];
		const struct xlb_cfg_backend *ob = o ? find_backend(o, nb) : NULL;

		if (ob && ob->weight == nb->weight)
			continue;
		ch = add(d, ob ? XLB_CHG_BACKEND_REWEIGHTED : XLB_CHG_BACKEND_ADDED, n->name);
		if (!ch)
			return;
		xlb_addr_port_str(&nb->addr, backend_port(n, nb), ch->backend, sizeof(ch->backend));
		ch->from = ob ? ob->weight : 0;
		ch->to = nb->weight;
	}
	for (i = 0; o && i < o->n_backends; i++) {
		const struct xlb_cfg_backend *ob = &o->backends[i];

		if (find_backend(n, ob))
			continue;
		ch = add(d, XLB_CHG_BACKEND_REMOVED, n->name);
		if (!ch)
			return;
		xlb_addr_port_str(&ob->addr, backend_port(o, ob), ch->backend, sizeof(ch->backend));
		ch->from = ob->weight;
	}
}

int xlb_cfg_diff(const struct xlb_config *old, const struct xlb_config *new,
		 struct xlb_cfg_changes *c)
{
	struct differ d = {.c = c};
	struct xlb_cfg_change *ch;
	char what[sizeof(ch->what)];
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < new->n_vips; i++) {
		const struct xlb_cfg_vip *n = &new->vips[i];
		const struct xlb_cfg_vip *o = find_vip(old, n->name);

		if (!o) {
			add(&d, XLB_CHG_VIP_ADDED, n->name);
		} else {
			vip_settings(o, n, what, sizeof(what));
			if (what[0] && (ch = add(&d, XLB_CHG_VIP_CHANGED, n->name)))
				snprintf(ch->what, sizeof(ch->what), "%s", what);
		}
		/* A new VIP's backends come with it: listing them would say it twice. */
		if (o)
			backends(&d, o, n);
	}
	for (i = 0; i < old->n_vips; i++)
		if (!find_vip(new, old->vips[i].name))
			add(&d, XLB_CHG_VIP_REMOVED, old->vips[i].name);
	if (d.err)
		xlb_cfg_changes_free(c);
	return d.err;
}

void xlb_cfg_changes_free(struct xlb_cfg_changes *c)
{
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static size_t change_str(const struct xlb_cfg_change *ch, char *buf, size_t len)
{
	switch (ch->kind) {
	case XLB_CHG_VIP_ADDED:
		return snprintf(buf, len, "vip %s added", ch->vip);
	case XLB_CHG_VIP_REMOVED:
		return snprintf(buf, len, "vip %s removed", ch->vip);
	case XLB_CHG_VIP_CHANGED:
		return snprintf(buf, len, "vip %s: %s", ch->vip, ch->what);
	case XLB_CHG_BACKEND_ADDED:
		return snprintf(buf, len, "backend %s of %s added (weight %u)", ch->backend,
				ch->vip, ch->to);
	case XLB_CHG_BACKEND_REMOVED:
		return snprintf(buf, len, "backend %s of %s removed", ch->backend, ch->vip);
	default:
		return snprintf(buf, len, "backend %s of %s weight %u -> %u", ch->backend, ch->vip,
				ch->from, ch->to);
	}
}

/* Room kept at the end of a line for "; and 4294967295 more". */
#define MORE_ROOM 32

void xlb_cfg_changes_line(const struct xlb_cfg_changes *c, size_t max, char *buf, size_t len)
{
	char item[sizeof(c->v->vip) + sizeof(c->v->backend) + sizeof(c->v->what) + 64];
	size_t i, used = 0, n;

	if (len)
		buf[0] = '\0';
	if (len < MORE_ROOM + 1)
		return;
	if (!c->n) {
		snprintf(buf, len, "nothing changed");
		return;
	}
	/* Whole items only: one that would not fit ends the line, counted in "and N more". */
	for (i = 0; i < c->n && i < max; i++) {
		n = change_str(&c->v[i], item, sizeof(item));
		n = n < sizeof(item) ? n : sizeof(item) - 1;
		if (used + (i ? 2 : 0) + n + MORE_ROOM >= len)
			break;
		used += snprintf(buf + used, len - used, "%s%s", i ? "; " : "", item);
	}
	if (i < c->n)
		snprintf(buf + used, len - used, "%sand %zu more", i ? "; " : "", c->n - i);
}

void xlb_cfg_changes_json(const struct xlb_cfg_changes *c, size_t max, struct xlb_json *j)
{
	char line[1024];
	size_t i;

	xlb_json_key(j, "changes");
	xlb_json_object_begin(j);
	for (i = 0; i < XLB_CHG_MAX; i++)
		xlb_json_kv_uint(j, count_names[i], c->count[i]);
	xlb_json_key(j, "details");
	xlb_json_array_begin(j);
	for (i = 0; i < c->n && i < max; i++) {
		const struct xlb_cfg_change *ch = &c->v[i];

		xlb_json_object_begin(j);
		xlb_json_kv_string(j, "change", kind_names[ch->kind]);
		xlb_json_kv_string(j, "vip", ch->vip);
		if (ch->kind >= XLB_CHG_BACKEND_ADDED)
			xlb_json_kv_string(j, "backend", ch->backend);
		if (ch->kind == XLB_CHG_VIP_CHANGED)
			xlb_json_kv_string(j, "what", ch->what);
		if (ch->kind == XLB_CHG_BACKEND_REWEIGHTED)
			xlb_json_kv_uint(j, "from", ch->from);
		if (ch->kind == XLB_CHG_BACKEND_REWEIGHTED || ch->kind == XLB_CHG_BACKEND_ADDED)
			xlb_json_kv_uint(j, "weight", ch->to);
		xlb_json_object_end(j);
	}
	xlb_json_array_end(j);
	xlb_json_kv_uint(j, "details_omitted", c->n > max ? c->n - max : 0);
	xlb_json_object_end(j);
	xlb_cfg_changes_line(c, XLB_CFG_CHANGES_LINE_MAX, line, sizeof(line));
	xlb_json_kv_string(j, "summary", line);
}
