// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "agent/lb.h"
#include "common/log.h"
#include "common/loop.h"
#include "dispatch/fwd.h"
#include "dispatch/sched.h"

void xlb_vip_key_from(struct xlb_vip_key *key, const struct xlb_cfg_vip *v)
{
	memset(key, 0, sizeof(*key));
	memcpy(key->addr, v->addr.w, sizeof(key->addr));
	key->port = htons(v->port);
	key->proto = v->proto;
	key->family = v->addr.family;
}

static bool addr_eq(const struct xlb_addr *a, const struct xlb_addr *b)
{
	return a->family == b->family && !memcmp(a->w, b->w, sizeof(a->w));
}

bool xlb_lb_backend_up(const struct xlb_lb_backend *b)
{
	return b->admin == XLB_ADMIN_ENABLED && b->healthy && (b->weight || b->is_fallback);
}

const char *xlb_lb_backend_label(const struct xlb_lb_vip *v, const struct xlb_lb_backend *b,
				 char *buf, size_t len)
{
	return xlb_addr_port_str(&b->addr, b->port ? b->port : ntohs(v->key.port), buf, len);
}

const char *xlb_lb_backend_state(const struct xlb_lb_backend *b)
{
	if (b->admin == XLB_ADMIN_DISABLED)
		return "disabled";
	if (!b->healthy)
		return "down";
	if (!xlb_lb_backend_up(b))
		return "drain";
	return "up";
}

/* The weight a backend has in its VIP's table: none unless it is up and enabled. */
static uint32_t table_weight_of(const struct xlb_lb_backend *b)
{
	if (b->is_fallback || !b->healthy || b->admin != XLB_ADMIN_ENABLED)
		return 0;
	return b->weight;
}

/* The entry of b in the backends map of the data path whose view of it is h. */
static void be_to_map(const struct xlb_lb_backend *b, const struct xlb_lb_hop *h, uint32_t vip_id,
		      struct xlb_backend *out)
{
	bool live = b->is_fallback || (b->healthy && b->admin != XLB_ADMIN_DISABLED);

	memset(out, 0, sizeof(*out));
	memcpy(out->addr, b->addr.w, sizeof(out->addr));
	memcpy(out->mac, h->mac, sizeof(out->mac));
	out->family = b->addr.family;
	out->flags = XLB_BE_F_USED | (live ? XLB_BE_F_LIVE : 0) | (h->has_mac ? XLB_BE_F_MAC : 0);
	out->vip_id = vip_id;
	out->weight = b->weight;
	out->port = htons(b->port);
}

/* The maglev_tables slot the data path reads for a VIP with this vips value. */
static uint32_t table_key(const struct xlb_vip *val)
{
	return val->id + (val->flags & XLB_VIP_F_BANK ? XLB_MAX_VIPS : 0);
}

/*
 * Bring a backend's map entry up to date. With gaining_only, an entry that would lose LIVE is
 * left for later: its flows must not move before the new table stops sending new ones to it.
 */
static int be_write(struct xlb_lb *lb, struct xlb_lb_backend *b, uint32_t vip_id, bool gaining_only)
{
	struct xlb_backend m;
	size_t i;
	int err;

	/* Each interface's entry carries the next hop on its own segment: one write each. */
	for (i = 0; i < lb->dps->n; i++) {
		const struct xlb_dp *dp = &lb->dps->v[i];
		struct xlb_lb_hop *h = &b->hop[i];

		be_to_map(b, h, vip_id, &m);
		if (!memcmp(&m, &h->written, sizeof(m)))
			continue;
		if (gaining_only && (h->written.flags & XLB_BE_F_LIVE) && !(m.flags & XLB_BE_F_LIVE))
			continue;
		if (!(h->written.flags & XLB_BE_F_USED)) {
			/* A fresh id starts from zero, whatever its last owner counted. */
			err = xlb_dp_zero_counters(dp->backend_stats_fd, b->id);
			if (err)
				return err;
		}
		err = xlb_dp_update(dp, XLB_DP_BACKENDS, &b->id, &m);
		if (err)
			return err;
		h->written = m;
	}
	return 0;
}

static int id_alloc(uint8_t *used, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!used[i]) {
			used[i] = 1;
			return i;
		}
	}
	return -ENOSPC;
}

/*
 * Room for element n of an array that xlb_lb_init() alone grows, from empty: the capacity
 * doubles when n reaches a power of two. One element at a time copied the whole array on each
 * append where realloc cannot grow in place (always, under ASan): 2100 backends took 40 s there.
 */
static void *append_room(void *arr, size_t n, size_t size)
{
	if (n & (n - 1))
		return arr;
	return reallocarray(arr, n ? 2 * n : 1, size);
}

static struct xlb_lb_vip *vip_append(struct xlb_lb *lb)
{
	struct xlb_lb_vip *v = append_room(lb->vips, lb->n_vips, sizeof(*v));

	if (!v)
		return NULL;
	lb->vips = v;
	v = &lb->vips[lb->n_vips++];
	memset(v, 0, sizeof(*v));
	return v;
}

static struct xlb_lb_backend *backend_append(struct xlb_lb_vip *v)
{
	struct xlb_lb_backend *b = append_room(v->backends, v->n_backends, sizeof(*b));

	if (!b)
		return NULL;
	v->backends = b;
	b = &v->backends[v->n_backends++];
	memset(b, 0, sizeof(*b));
	return b;
}

/*
 * Take what an earlier xlbd left in the pinned maps as the installed state, so the first apply
 * is an ordinary diff against it: kept VIPs and backends keep their ids (flows pinned to them
 * keep their meaning), dropped ones are removed in the safe order, counters carry on.
 */
int xlb_lb_init(struct xlb_lb *lb, const struct xlb_dps *dps)
{
	/* Every data path holds the same VIPs and backends: the primary's say what is installed.
	 * Only a backend's next hop differs per interface; that is read from each. */
	const struct xlb_dp *pri = xlb_dps_primary(dps);
	struct xlb_vip_key key, next;
	struct xlb_backend zero = {};
	size_t n_backends = 0;
	void *prev = NULL;
	uint32_t i;

	memset(lb, 0, sizeof(*lb));
	lb->dps = dps;
	if (!pri)
		return 0;

	while (!bpf_map_get_next_key(pri->vips_fd, prev, &next)) {
		struct xlb_vip_name name = {};
		struct xlb_lb_vip *v;
		struct xlb_vip vip;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(pri->vips_fd, &key, &vip) || vip.id >= XLB_MAX_VIPS ||
		    lb->vip_used[vip.id])
			continue;
		v = vip_append(lb);
		if (!v)
			return -ENOMEM;
		v->key = key;
		v->val = vip;
		/* The weights its table was built with are not in the maps: rebuild it, which
		 * swaps in the same table when nothing changed. */
		v->table_dirty = true;
		bpf_map_lookup_elem(pri->vip_names_fd, &vip.id, &name);
		snprintf(v->name, sizeof(v->name), "%s", name.name);
		lb->vip_used[vip.id] = 1;
	}
	/* A table no VIP reads is of no use: a gone VIP's, or a bank written by an xlbd that
	 * stopped before it switched its VIP to it. */
	for (i = 0; i < XLB_MAX_VIPS * 2; i++) {
		size_t j;

		for (j = 0; j < lb->n_vips && table_key(&lb->vips[j].val) != i; j++)
			;
		if (j == lb->n_vips)
			xlb_dps_delete(lb->dps, XLB_DP_MAGLEV, &i);
	}
	for (i = 0; i < XLB_MAX_BACKENDS; i++) {
		struct xlb_lb_backend *b;
		struct xlb_lb_vip *v;
		struct xlb_backend be;
		size_t k;

		if (bpf_map_lookup_elem(pri->backends_fd, &i, &be) || !(be.flags & XLB_BE_F_USED))
			continue;
		v = xlb_lb_vip_by_id(lb, be.vip_id);
		if (!v) {
			/* A backend of no VIP can carry nothing; clear it so its id is free. */
			xlb_dps_update(lb->dps, XLB_DP_BACKENDS, &i, &zero);
			continue;
		}
		b = backend_append(v);
		if (!b)
			return -ENOMEM;
		b->addr.family = be.family;
		memcpy(b->addr.w, be.addr, sizeof(be.addr));
		b->id = i;
		b->weight = be.weight;
		b->port = ntohs(be.port);
		b->is_fallback = v->val.fallback == i;
		b->healthy = true;
		b->since_ns = xlb_now_ns();
		for (k = 0; k < dps->n; k++) {
			struct xlb_lb_hop *h = &b->hop[k];

			/* An interface added since has no entry: it is written, and its counters
			 * zeroed, at the first apply. */
			if (bpf_map_lookup_elem(dps->v[k].backends_fd, &i, &h->written))
				continue;
			memcpy(h->mac, h->written.mac, sizeof(h->mac));
			h->has_mac = h->written.flags & XLB_BE_F_MAC;
		}
		lb->be_used[i] = 1;
		n_backends++;
	}
	if (lb->n_vips)
		pr_info("found %zu VIPs and %zu backends installed by an earlier xlbd; keeping their "
			"ids", lb->n_vips, n_backends);
	return 0;
}

static void vip_free(struct xlb_lb_vip *v)
{
	free(v->backends);
	v->backends = NULL;
	v->n_backends = 0;
}

static void retire(struct xlb_lb *lb, struct xlb_lb_backend *b)
{
	if (b->checker && lb->retire)
		lb->retire(b, lb->retire_arg);
	b->checker = NULL;
}

void xlb_lb_fini(struct xlb_lb *lb)
{
	size_t i, j;

	for (i = 0; i < lb->n_vips; i++) {
		for (j = 0; j < lb->vips[i].n_backends; j++)
			retire(lb, &lb->vips[i].backends[j]);
		vip_free(&lb->vips[i]);
	}
	free(lb->vips);
	lb->vips = NULL;
	lb->n_vips = 0;
}

static struct xlb_lb_vip *find_vip(struct xlb_lb_vip *v, size_t n, const struct xlb_vip_key *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!memcmp(&v[i].key, key, sizeof(*key)))
			return &v[i];
	return NULL;
}

static struct xlb_lb_backend *find_backend(struct xlb_lb_vip *v, const struct xlb_addr *a,
					   bool fallback)
{
	size_t i;

	for (i = 0; v && i < v->n_backends; i++)
		if (v->backends[i].is_fallback == fallback && addr_eq(&v->backends[i].addr, a))
			return &v->backends[i];
	return NULL;
}

static void table_delete_both(struct xlb_lb *lb, uint32_t vip_id)
{
	uint32_t key = vip_id + XLB_MAX_VIPS;

	xlb_dps_delete(lb->dps, XLB_DP_MAGLEV, &vip_id);
	xlb_dps_delete(lb->dps, XLB_DP_MAGLEV, &key);
}

/*
 * What the VIP's scheduler is told of its backends: mb[0..v->n_backends), with the weights the
 * table is to have. NULL when out of memory.
 */
static struct xlb_sched_backend *table_members(const struct xlb_lb_vip *v)
{
	struct xlb_sched_backend *mb = calloc(v->n_backends + 1, sizeof(*mb));
	size_t i;

	for (i = 0; mb && i < v->n_backends; i++) {
		mb[i].key = v->backends[i].addr.w;
		mb[i].key_len = sizeof(v->backends[i].addr.w);
		mb[i].weight = table_weight_of(&v->backends[i]);
		mb[i].id = v->backends[i].id;
	}
	return mb;
}

/*
 * The slots of the VIP's table: the configured Maglev size for maglev and sh, what the live
 * backends need for the others (so a health change can change it). 0 when unknown.
 */
static uint32_t table_size(const struct xlb_lb *lb, const struct xlb_lb_vip *v,
			   const struct xlb_sched_backend *mb)
{
	/* The config takes only schedulers that have a builder. */
	const struct xlb_scheduler *sched = xlb_sched_get(v->val.sched);

	return sched && sched->size ? sched->size(mb, v->n_backends, lb->maglev_size) : 0;
}

/*
 * Build a VIP's table into a fresh inner map and swap it in on every interface. A table of the
 * VIP's current ring_size replaces the one it reads, in one update. A table of another size
 * goes into the bank the VIP does not read: v->val then names that bank and the new size, and
 * only the caller's write of the vips entry switches a packet from the old (table, size) to the
 * new one; lb_commit() and xlb_lb_set_state() empty the old bank after that.
 */
/*
 * Before a maglev or sh VIP's table changes under handshakes in flight: the VIP, as the data
 * paths hold it, takes XLB_VIP_F_SETTLING, so SYNs keep their pick from here on; xlb_lb_settle()
 * takes it off XLB_SETTLE_NS after the last change; v->val carries it for the VIP's next writes.
 * 0 or -errno.
 */
static int settle_begin(struct xlb_lb *lb, struct xlb_lb_vip *v)
{
	const struct xlb_dp *pri = xlb_dps_primary(lb->dps);
	struct xlb_vip cur;
	int err;

	/* A VIP not in vips yet has no handshake in flight. */
	if (v->val.sched > XLB_SCHED_SH || !pri || bpf_map_lookup_elem(pri->vips_fd, &v->key, &cur))
		return 0;
	v->settle_until_ns = xlb_now_ns() + XLB_SETTLE_NS;
	v->val.flags |= XLB_VIP_F_SETTLING;
	if (cur.flags & XLB_VIP_F_SETTLING)
		return 0;
	/* What the data paths run on, flagged: v->val may already hold a reload's new settings,
	 * which lb_commit() writes in its own order. */
	cur.flags |= XLB_VIP_F_SETTLING;
	err = xlb_dps_update(lb->dps, XLB_DP_VIPS, &v->key, &cur);
	return err;
}

int xlb_lb_settle(struct xlb_lb *lb, uint64_t now_ns)
{
	size_t i;
	int n = 0;

	for (i = 0; i < lb->n_vips; i++) {
		struct xlb_lb_vip *v = &lb->vips[i];

		if (!(v->val.flags & XLB_VIP_F_SETTLING))
			continue;
		if (now_ns < v->settle_until_ns) {
			n++;
			continue;
		}
		v->val.flags &= ~XLB_VIP_F_SETTLING;
		/* Not cleared: the next round tries again. */
		if (xlb_dps_update(lb->dps, XLB_DP_VIPS, &v->key, &v->val)) {
			v->val.flags |= XLB_VIP_F_SETTLING;
			n++;
		}
	}
	return n;
}

static int lb_install_table(struct xlb_lb *lb, struct xlb_lb_vip *v)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_INNER_MAP);
	const struct xlb_scheduler *sched = xlb_sched_get(v->val.sched);
	struct xlb_sched_backend *mb = NULL;
	uint32_t *table = NULL, *keys = NULL, slot, count, key, size = 0;
	bool flip, bank;
	size_t i;
	int fd, err;

	mb = table_members(v);
	if (mb)
		size = table_size(lb, v, mb);
	if (mb && size)
		table = malloc(size * sizeof(*table));
	if (!mb || !table) {
		err = mb && !size ? -EOPNOTSUPP : -ENOMEM;
		goto out;
	}
	flip = v->val.ring_size && v->val.ring_size != size;
	err = sched->build(mb, v->n_backends, table, size);
	if (err)
		goto out;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "maglev_table", sizeof(uint32_t), sizeof(uint32_t),
			    size, &opts);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	/* One syscall for the whole table: slot by slot took ~80 ms for 65537 slots. */
	keys = malloc(size * sizeof(*keys));
	if (!keys) {
		err = -ENOMEM;
		close(fd);
		goto out;
	}
	for (slot = 0; slot < size; slot++)
		keys[slot] = slot;
	count = size;
	if (bpf_map_update_batch(fd, keys, table, &count, NULL) || count != size) {
		err = errno ? -errno : -EIO;
		close(fd);
		goto out;
	}
	err = settle_begin(lb, v);
	if (err) {
		close(fd);
		goto out;
	}
	/* The outer maps hold the table now; the swap is one update per interface. */
	bank = !!(v->val.flags & XLB_VIP_F_BANK) != flip;
	key = v->val.id + (bank ? XLB_MAX_VIPS : 0);
	err = xlb_dps_update(lb->dps, XLB_DP_MAGLEV, &key, &fd);
	close(fd);
	if (err)
		goto out;
	if (flip)
		v->val.flags ^= XLB_VIP_F_BANK;
	v->val.ring_size = size;
	for (i = 0; i < v->n_backends; i++)
		v->backends[i].table_weight = mb[i].weight;
	v->table_dirty = false;
out:
	free(keys);
	free(table);
	free(mb);
	return err;
}

static bool table_stale(const struct xlb_lb *lb, const struct xlb_lb_vip *v)
{
	struct xlb_sched_backend *mb;
	bool stale;
	size_t i;

	if (v->table_dirty)
		return true;
	for (i = 0; i < v->n_backends; i++)
		if (table_weight_of(&v->backends[i]) != v->backends[i].table_weight)
			return true;
	/* Same weights: only a new table_size can change the size (maglev, sh). */
	mb = table_members(v);
	stale = !mb || v->val.ring_size != table_size(lb, v, mb);
	free(mb);
	return stale;
}

/* A new VIP's or backend's id before assign_ids() gives it one. */
#define ID_NONE UINT32_MAX

static void build_backend(struct xlb_lb_vip *nv, struct xlb_lb_vip *old,
			  const struct xlb_addr *addr, uint32_t weight, uint16_t port,
			  const struct xlb_cfg_health *health, bool fallback)
{
	struct xlb_lb_backend *b = &nv->backends[nv->n_backends];
	struct xlb_lb_backend *ob = find_backend(old, addr, fallback);

	memset(b, 0, sizeof(*b));
	if (ob) {
		*b = *ob;
		if (memcmp(&b->health, health, sizeof(*health)))
			b->checker = NULL; /* new settings, new checker; the old one retires at commit */
	} else {
		b->id = ID_NONE;
		b->healthy = true;
		b->since_ns = xlb_now_ns();
	}
	b->addr = *addr;
	b->weight = weight;
	b->port = port;
	b->is_fallback = fallback;
	b->health = *health;
	nv->n_backends++;
}

static int build_vip(const struct xlb_cfg_vip *cv, struct xlb_lb_vip *old, struct xlb_lb_vip *nv)
{
	struct xlb_cfg_health none = {};
	size_t i;

	memset(nv, 0, sizeof(*nv));
	snprintf(nv->name, sizeof(nv->name), "%s", cv->name);
	xlb_vip_key_from(&nv->key, cv);
	if (old) {
		nv->val = old->val;
		nv->table_dirty = old->table_dirty;
		nv->settle_until_ns = old->settle_until_ns;
	} else {
		nv->val.id = ID_NONE;
		nv->table_dirty = true;
	}
	/* Two schedulers' tables may be alike in size and differ in content. */
	if (nv->val.sched != cv->sched)
		nv->table_dirty = true;
	nv->val.sched = cv->sched;
	nv->val.fwd = cv->fwd;
	/* The templates stay in their map either way: the sweep retires a VIP's without it. */
	nv->val.flags &= ~XLB_VIP_F_PERSIST;
	if (cv->persistence_ms)
		nv->val.flags |= XLB_VIP_F_PERSIST;
	nv->persistence_ms = cv->persistence_ms;
	nv->val.fallback = XLB_NO_BACKEND;

	nv->backends = calloc(cv->n_backends + 1, sizeof(*nv->backends));
	if (!nv->backends)
		return -ENOMEM;
	for (i = 0; i < cv->n_backends; i++) {
		struct xlb_cfg_health h = cv->backends[i].health;

		memset(&h.pos, 0, sizeof(h.pos));
		build_backend(nv, old, &cv->backends[i].addr, cv->backends[i].weight,
			      cv->backends[i].port, &h, false);
	}
	/* A sorry server has no port of its own: it gets the client's (the VIP's). */
	if (cv->fallback.family)
		build_backend(nv, old, &cv->fallback, 0, 0, &none, true);
	/* A backend that left with slots in the table leaves holes to refill. */
	for (i = 0; old && i < old->n_backends; i++)
		if (old->backends[i].table_weight &&
		    !find_backend(nv, &old->backends[i].addr, old->backends[i].is_fallback))
			nv->table_dirty = true;
	return 0;
}

/* The next backend of old, from *at on, that nv no longer has. */
static struct xlb_lb_backend *departing(struct xlb_lb_vip *old, struct xlb_lb_vip *nv, size_t *at)
{
	while (old && *at < old->n_backends) {
		struct xlb_lb_backend *ob = &old->backends[(*at)++];

		if (!find_backend(nv, &ob->addr, ob->is_fallback))
			return ob;
	}
	return NULL;
}

/* nv needs more ids than its departing backends give back. */
static bool grows(struct xlb_lb_vip *nv, struct xlb_lb_vip *old)
{
	size_t i, arriving = 0, leaving = 0;

	for (i = 0; i < nv->n_backends; i++)
		arriving += nv->backends[i].id == ID_NONE;
	for (i = 0; i < old->n_backends; i++)
		leaving += !find_backend(nv, &old->backends[i].addr, old->backends[i].is_fallback);
	return arriving > leaving;
}

/*
 * Give the new VIPs and backends their ids. A new backend takes a free id, or, when none is
 * left, the id of one of its own VIP's departing backends: that entry is then rewritten in one
 * update from the backend that leaves to the one that comes, both of this VIP and both fit for
 * a new flow, so the old table stays valid until the new one replaces it (the departing
 * backend's flows move to its successor, as they would move anyway). With take_over_first, a
 * VIP's departing ids go before free ones, so no VIP uses up free ids another needs beyond its
 * own departing ones. -ENOSPC when that is not enough: the ids other VIPs hold only come free
 * after their own tables changed.
 */
static int assign_ids(struct xlb_lb *lb, struct xlb_lb_vip *nv, size_t n, bool take_over_first)
{
	size_t i, j;
	int id;

	for (i = 0; i < n; i++) {
		struct xlb_lb_vip *old = find_vip(lb->vips, lb->n_vips, &nv[i].key);
		struct xlb_lb_backend *b, *ob;
		size_t at = 0; /* each departing backend's id goes to one successor */

		if (nv[i].val.id == ID_NONE) {
			id = id_alloc(lb->vip_used, XLB_MAX_VIPS);
			if (id < 0)
				return id;
			nv[i].val.id = id;
		}
		for (j = 0; j < nv[i].n_backends; j++) {
			b = &nv[i].backends[j];
			if (b->id != ID_NONE)
				continue;
			ob = take_over_first ? departing(old, &nv[i], &at) : NULL;
			id = ob ? (int)ob->id : id_alloc(lb->be_used, XLB_MAX_BACKENDS);
			if (id < 0) {
				ob = departing(old, &nv[i], &at);
				if (!ob)
					return -ENOSPC;
				id = ob->id;
			}
			b->id = id;
		}
		b = nv[i].n_backends ? &nv[i].backends[nv[i].n_backends - 1] : NULL;
		if (b && b->is_fallback)
			nv[i].val.fallback = b->id;
	}
	return 0;
}

/* A backend of nv that old did not have, on an id old does not hold: it was free before. */
static bool took_free_id(struct xlb_lb_vip *old, const struct xlb_lb_backend *b)
{
	return b->id != ID_NONE && !find_backend(old, &b->addr, b->is_fallback) &&
	       !xlb_lb_backend_by_id(old, b->id);
}

/*
 * Copy of a VIP's installed state, for the first of xlb_lb_apply()'s two steps: it stays as it
 * is while the VIPs that give ids back change.
 */
static int copy_vip(const struct xlb_lb_vip *old, struct xlb_lb_vip *nv)
{
	*nv = *old;
	nv->backends = calloc(old->n_backends + 1, sizeof(*nv->backends));
	if (!nv->backends) {
		nv->n_backends = 0;
		return -ENOMEM;
	}
	memcpy(nv->backends, old->backends, old->n_backends * sizeof(*nv->backends));
	return 0;
}

/*
 * Wait until no program still runs on what the vips map held before: every update of a
 * map-in-map returns only after an RCU grace period, so putting a table back where it already
 * is makes one. Then a bank no VIP names any more can go without a packet that read the old
 * VIP entry finding its table missing.
 */
static void wait_for_readers(struct xlb_lb *lb, uint32_t key)
{
	/* One data path's grace period is every one's: RCU is the kernel's, not the map's. */
	const struct xlb_dp *pri = xlb_dps_primary(lb->dps);
	uint32_t map_id;
	int fd;

	if (!pri || bpf_map_lookup_elem(pri->maglev_fd, &key, &map_id))
		return;
	fd = bpf_map_get_fd_by_id(map_id);
	if (fd < 0)
		return;
	xlb_dp_update(pri, XLB_DP_MAGLEV, &key, &fd);
	close(fd);
}

/*
 * A failed apply may have written part of the new state: take out what only it held, then write
 * the old state again in the usual order (every entry rewritten, every table rebuilt), so the
 * maps and lb agree again. Best effort: it runs when writing has just failed.
 */
static void lb_restore(struct xlb_lb *lb, struct xlb_lb_vip *nv, size_t n, const bool *swapped)
{
	struct xlb_vip_name noname = {};
	struct xlb_backend zero = {};
	bool waited = false;
	size_t i, j;

	for (i = 0; i < n; i++) {
		struct xlb_lb_vip *old = find_vip(lb->vips, lb->n_vips, &nv[i].key);

		if (!old && nv[i].backends && nv[i].val.id != ID_NONE) {
			xlb_dps_delete(lb->dps, XLB_DP_VIPS, &nv[i].key);
			table_delete_both(lb, nv[i].val.id);
			xlb_dps_update(lb->dps, XLB_DP_VIP_NAMES, &nv[i].val.id, &noname);
		}
		/* Its table was swapped: the old VIP's must come back. */
		if (old && swapped[i])
			old->table_dirty = true;
		/* An id taken over from a departing backend gets that backend back below. */
		for (j = 0; j < nv[i].n_backends; j++)
			if (took_free_id(old, &nv[i].backends[j]))
				xlb_dps_update(lb->dps, XLB_DP_BACKENDS, &nv[i].backends[j].id, &zero);
	}
	for (i = 0; i < lb->n_vips; i++) {
		for (j = 0; j < lb->vips[i].n_backends; j++) {
			size_t k;

			/* Not a value any entry holds, so be_write() writes; USED stays, so the
			 * counters are not zeroed. */
			for (k = 0; k < lb->dps->n; k++)
				lb->vips[i].backends[j].hop[k].written.vip_id = UINT32_MAX;
			be_write(lb, &lb->vips[i].backends[j], lb->vips[i].val.id, true);
		}
	}
	for (i = 0; i < lb->n_vips; i++) {
		struct xlb_lb_vip *v = &lb->vips[i];

		if ((v->table_dirty && lb_install_table(lb, v)) ||
		    xlb_dps_update(lb->dps, XLB_DP_VIPS, &v->key, &v->val))
			pr_err("vip %s: cannot restore its previous state", v->name);
		for (j = 0; j < v->n_backends; j++)
			be_write(lb, &v->backends[j], v->val.id, false);
	}
	/* A table written into the bank the VIP reads no more is of no use. */
	for (i = 0; i < n; i++) {
		struct xlb_lb_vip *old = find_vip(lb->vips, lb->n_vips, &nv[i].key);
		uint32_t key = table_key(&nv[i].val);

		if (!old || !swapped[i] || key == table_key(&old->val))
			continue;
		if (!waited)
			wait_for_readers(lb, table_key(&old->val));
		waited = true;
		xlb_dps_delete(lb->dps, XLB_DP_MAGLEV, &key);
	}
}

/* Undo assign_ids(): give back the free ids it took; new VIPs and backends have none again. */
static void unassign_ids(struct xlb_lb *lb, struct xlb_lb_vip *nv, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		struct xlb_lb_vip *old = find_vip(lb->vips, lb->n_vips, &nv[i].key);

		if (!old && nv[i].val.id != ID_NONE) {
			lb->vip_used[nv[i].val.id] = 0;
			nv[i].val.id = ID_NONE;
		}
		for (j = 0; j < nv[i].n_backends; j++) {
			struct xlb_lb_backend *b = &nv[i].backends[j];

			if (find_backend(old, &b->addr, b->is_fallback))
				continue;
			if (took_free_id(old, b))
				lb->be_used[b->id] = 0;
			b->id = ID_NONE;
		}
	}
}

/* Give back ids the new state took that the old state does not hold (a failed apply). */
static void release_new_ids(struct xlb_lb *lb, struct xlb_lb_vip *nv, size_t n)
{
	size_t i;

	unassign_ids(lb, nv, n);
	for (i = 0; i < n; i++)
		vip_free(&nv[i]);
	free(nv);
}

/*
 * Write nv, a state built against lb's, to the maps in the safe order, and make it lb's. On
 * failure the maps and lb hold the previous state again.
 */
static int lb_commit(struct xlb_lb *lb, struct xlb_lb_vip *nv, size_t n, uint32_t new_size)
{
	uint32_t old_size = lb->maglev_size;
	struct xlb_vip_name noname = {};
	struct xlb_backend zero = {};
	bool *swapped, *flipped, waited = false;
	size_t i, j;
	int err = 0;

	swapped = calloc(n ? n : 1, sizeof(*swapped));
	flipped = calloc(n ? n : 1, sizeof(*flipped));
	if (!swapped || !flipped) {
		err = -ENOMEM;
		goto fail_nowrite;
	}
	lb->maglev_size = new_size;

	/* 1. Backends gaining LIVE or changing, before any table can name them. */
	for (i = 0; i < n; i++) {
		for (j = 0; j < nv[i].n_backends; j++) {
			err = be_write(lb, &nv[i].backends[j], nv[i].val.id, true);
			if (err)
				goto fail;
		}
	}
	/* 2. Tables, each built whole and swapped in with one update (or into the other bank). */
	for (i = 0; i < n; i++) {
		if (!table_stale(lb, &nv[i]))
			continue;
		err = lb_install_table(lb, &nv[i]);
		if (err)
			goto fail;
		swapped[i] = true;
	}
	/* 3. VIPs, so they only ever point at a complete table of their ring_size. */
	for (i = 0; i < n; i++) {
		struct xlb_lb_vip *old = find_vip(lb->vips, lb->n_vips, &nv[i].key);
		struct xlb_vip_name name = {};

		if (old && !memcmp(&old->val, &nv[i].val, sizeof(old->val)) &&
		    !strcmp(old->name, nv[i].name))
			continue;
		if (!old) {
			err = xlb_dps_zero_counters(lb->dps, XLB_DP_VIP_STATS, nv[i].val.id);
			if (err)
				goto fail;
		}
		snprintf(name.name, sizeof(name.name), "%s", nv[i].name);
		err = xlb_dps_update(lb->dps, XLB_DP_VIP_NAMES, &nv[i].val.id, &name);
		if (!err)
			err = xlb_dps_update(lb->dps, XLB_DP_VIPS, &nv[i].key, &nv[i].val);
		if (err)
			goto fail;
		flipped[i] = old && table_key(&old->val) != table_key(&nv[i].val);
	}

	/*
	 * 4. From here nothing fails the apply. Banks no VIP reads; backends losing LIVE; gone
	 * VIPs stop matching, then lose their table; gone backends are in no table any more, so
	 * clearing them only moves the flows they still had. An id a new backend took over is
	 * already its successor's.
	 */
	for (i = 0; i < n; i++) {
		uint32_t now = table_key(&nv[i].val);
		uint32_t was = now == nv[i].val.id ? now + XLB_MAX_VIPS : nv[i].val.id;

		if (!flipped[i])
			continue;
		if (!waited)
			wait_for_readers(lb, now);
		waited = true;
		xlb_dps_delete(lb->dps, XLB_DP_MAGLEV, &was);
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < nv[i].n_backends; j++)
			if (be_write(lb, &nv[i].backends[j], nv[i].val.id, false))
				pr_warn("vip %s: backend entry %u not updated", nv[i].name,
					nv[i].backends[j].id);
	for (i = 0; i < lb->n_vips; i++) {
		struct xlb_lb_vip *ov = &lb->vips[i];
		struct xlb_lb_vip *keep = find_vip(nv, n, &ov->key);

		if (!keep) {
			xlb_dps_delete(lb->dps, XLB_DP_VIPS, &ov->key);
			table_delete_both(lb, ov->val.id);
			/* xlbctl would otherwise name a reused id after the VIP that left. */
			xlb_dps_update(lb->dps, XLB_DP_VIP_NAMES, &ov->val.id, &noname);
			lb->vip_used[ov->val.id] = 0;
			pr_info("vip %s removed", ov->name);
		}
		for (j = 0; j < ov->n_backends; j++) {
			struct xlb_lb_backend *ob = &ov->backends[j];
			struct xlb_lb_backend *nb = keep ? find_backend(keep, &ob->addr, ob->is_fallback)
							 : NULL;

			if (nb) {
				if (ob->checker && !nb->checker)
					retire(lb, ob);
				continue;
			}
			retire(lb, ob);
			if (xlb_lb_backend_by_id(keep, ob->id))
				continue;
			xlb_dps_update(lb->dps, XLB_DP_BACKENDS, &ob->id, &zero);
			lb->be_used[ob->id] = 0;
		}
		vip_free(ov);
	}
	free(lb->vips);
	free(swapped);
	free(flipped);
	lb->vips = nv;
	lb->n_vips = n;
	return 0;
fail:
	lb->maglev_size = old_size;
	lb_restore(lb, nv, n, swapped);
fail_nowrite:
	release_new_ids(lb, nv, n);
	free(swapped);
	free(flipped);
	return err;
}

/*
 * Build the state cfg asks for against lb's, with ids. With first_step, only the VIPs that
 * need no more ids than they give back take their new state; the others stay as they are and
 * new VIPs wait, so that committing it frees the ids the full state needs.
 */
static int lb_build(struct xlb_lb *lb, const struct xlb_config *cfg, bool first_step,
		    struct xlb_lb_vip **out, size_t *n_out)
{
	struct xlb_lb_vip *nv = calloc(cfg->n_vips ? cfg->n_vips : 1, sizeof(*nv));
	size_t i, n = 0;
	int err = 0;

	if (!nv)
		return -ENOMEM;
	for (i = 0; i < cfg->n_vips && !err; i++) {
		struct xlb_lb_vip *old;
		struct xlb_vip_key key;

		xlb_vip_key_from(&key, &cfg->vips[i]);
		old = find_vip(lb->vips, lb->n_vips, &key);
		if (first_step && !old)
			continue;
		err = build_vip(&cfg->vips[i], old, &nv[n++]);
		if (!err && first_step && grows(&nv[n - 1], old)) {
			vip_free(&nv[n - 1]);
			err = copy_vip(old, &nv[n - 1]);
		}
	}
	if (!err)
		err = assign_ids(lb, nv, n, false);
	if (err == -ENOSPC) {
		/* Free ids first keeps entries from changing hands while there are enough; when
		 * short, one VIP may have taken free ids another needs. */
		unassign_ids(lb, nv, n);
		err = assign_ids(lb, nv, n, true);
	}
	if (err) {
		release_new_ids(lb, nv, n);
		return err;
	}
	*out = nv;
	*n_out = n;
	return 0;
}

/*
 * Old and new ids must fit the maps together while both can be read. When they do not (a
 * config replacing most of another that fills the maps), apply in two steps, each safe on its
 * own: first the VIPs that shrink, keep their size or go, which gives ids back; then the rest.
 * Between the two every VIP has its old or its new state, never a mix.
 */
/*
 * tun forwarding's outer sources, written where a data path holds other ones: an adopted map
 * keeps an earlier xlbd's, an interface added since has none. Before the VIPs, so a new tun
 * VIP never meets an empty map; a commit that fails after it leaves the new sources, which
 * only the new config's tun VIPs needed.
 */
static int tunnel_write(struct xlb_lb *lb, const struct xlb_config *cfg)
{
	struct xlb_tunnel t = {}, cur;
	uint32_t key = 0;
	size_t i;
	int err;

	if (cfg->tunnel.source.family) {
		t.src4 = cfg->tunnel.source.w[0];
		t.flags |= XLB_TUN_F_SRC4;
	}
	if (cfg->tunnel.source6.family) {
		memcpy(t.src6, cfg->tunnel.source6.w, sizeof(t.src6));
		t.flags |= XLB_TUN_F_SRC6;
	}
	for (i = 0; i < lb->dps->n; i++) {
		const struct xlb_dp *dp = &lb->dps->v[i];

		if (!bpf_map_lookup_elem(dp->tunnel_fd, &key, &cur) && !memcmp(&cur, &t, sizeof(t)))
			continue;
		err = xlb_dp_update(dp, XLB_DP_TUNNEL, &key, &t);
		if (err)
			return err;
	}
	return 0;
}

int xlb_lb_apply(struct xlb_lb *lb, const struct xlb_config *cfg)
{
	struct xlb_lb_vip *nv;
	size_t n;
	int err;

	err = tunnel_write(lb, cfg);
	if (err) {
		pr_err("cannot write the tunnel sources: %s", strerror(-err));
		return err;
	}
	err = lb_build(lb, cfg, false, &nv, &n);
	if (err == -ENOSPC) {
		pr_info("the new configuration's ids do not fit beside the old ones: applying the "
			"VIPs that give ids back first");
		err = lb_build(lb, cfg, true, &nv, &n);
		if (!err)
			err = lb_commit(lb, nv, n, cfg->maglev_size);
		if (!err)
			err = lb_build(lb, cfg, false, &nv, &n);
	}
	if (!err)
		err = lb_commit(lb, nv, n, cfg->maglev_size);
	if (err)
		pr_err("cannot install the configuration: %s", strerror(-err));
	return err;
}

/*
 * lb_install_table() outside a reload: rr, wrr, lc and wlc tables change size with the live
 * backends, so the new table may be in the other bank; then the VIP is switched to it and the
 * old bank emptied once no packet reads it, as lb_commit() does.
 */
static int lb_install_flip(struct xlb_lb *lb, struct xlb_lb_vip *v)
{
	struct xlb_vip was = v->val;
	uint32_t key;
	int err;

	err = lb_install_table(lb, v);
	if (err || table_key(&v->val) == table_key(&was))
		return err;
	err = xlb_dps_update(lb->dps, XLB_DP_VIPS, &v->key, &v->val);
	if (err) {
		/* Back to the (table, size) the data paths still read; the next change retries. */
		key = table_key(&v->val);
		xlb_dps_update(lb->dps, XLB_DP_VIPS, &v->key, &was);
		xlb_dps_delete(lb->dps, XLB_DP_MAGLEV, &key);
		v->val = was;
		v->table_dirty = true;
		return err;
	}
	key = table_key(&was);
	wait_for_readers(lb, table_key(&v->val));
	xlb_dps_delete(lb->dps, XLB_DP_MAGLEV, &key);
	return 0;
}

int xlb_lb_set_state(struct xlb_lb *lb, struct xlb_lb_vip *v, struct xlb_lb_backend *b,
		     bool healthy, enum xlb_admin admin)
{
	int err;

	if (b->healthy == healthy && b->admin == admin)
		return 0;
	b->healthy = healthy;
	b->admin = admin;
	b->since_ns = xlb_now_ns();
	/* Same order as a reload: gain LIVE, swap the table, then lose LIVE. */
	err = be_write(lb, b, v->val.id, true);
	if (!err && table_stale(lb, v))
		err = lb_install_flip(lb, v);
	if (!err)
		err = be_write(lb, b, v->val.id, false);
	if (err)
		pr_err("vip %s: cannot apply a backend's new state: %s", v->name, strerror(-err));
	return err;
}

void xlb_lb_set_mac(struct xlb_lb *lb, size_t dp, const struct xlb_addr *addr,
		    const uint8_t mac[6])
{
	size_t i, j;

	for (i = 0; i < lb->n_vips; i++) {
		const struct xlb_fwd_mode *fwd = xlb_fwd_get(lb->vips[i].val.fwd);

		/* The FIB gives those modes their next hop's MAC (agent/nexthop.h). */
		if (fwd && !fwd->needs_mac)
			continue;
		for (j = 0; j < lb->vips[i].n_backends; j++) {
			struct xlb_lb_backend *b = &lb->vips[i].backends[j];
			struct xlb_lb_hop *h = &b->hop[dp];
			char as[INET6_ADDRSTRLEN];
			int err;

			if (!addr_eq(&b->addr, addr))
				continue;
			h->neigh_seen = true;
			if (h->has_mac && !memcmp(h->mac, mac, 6))
				continue;
			memcpy(h->mac, mac, 6);
			h->has_mac = true;
			err = be_write(lb, b, lb->vips[i].val.id, false);
			if (err)
				pr_warn("backend %s: cannot update its MAC: %s",
					xlb_addr_str(addr, as, sizeof(as)), strerror(-err));
			else
				pr_info("backend %s of %s: MAC %02x:%02x:%02x:%02x:%02x:%02x",
					xlb_addr_str(addr, as, sizeof(as)), lb->vips[i].name, mac[0],
					mac[1], mac[2], mac[3], mac[4], mac[5]);
		}
	}
}

void xlb_lb_neigh_gone(struct xlb_lb *lb, size_t dp, const struct xlb_addr *addr)
{
	size_t i, j;

	for (i = 0; i < lb->n_vips; i++)
		for (j = 0; j < lb->vips[i].n_backends; j++)
			if (addr_eq(&lb->vips[i].backends[j].addr, addr))
				lb->vips[i].backends[j].hop[dp].neigh_seen = false;
}

void xlb_lb_neigh_forget(struct xlb_lb *lb, size_t dp)
{
	size_t i, j;

	for (i = 0; i < lb->n_vips; i++)
		for (j = 0; j < lb->vips[i].n_backends; j++)
			lb->vips[i].backends[j].hop[dp].neigh_seen = false;
}

bool xlb_lb_backend_has_mac(const struct xlb_lb_backend *b)
{
	size_t k;

	for (k = 0; k < XLB_DPS_MAX; k++)
		if (b->hop[k].has_mac)
			return true;
	return false;
}

size_t xlb_lb_unresolved(const struct xlb_lb *lb, const struct xlb_lb_backend **first)
{
	size_t i, j, n = 0;

	for (i = 0; i < lb->n_vips; i++) {
		const struct xlb_fwd_mode *fwd = xlb_fwd_get(lb->vips[i].val.fwd);

		if (fwd && !fwd->needs_mac)
			continue;
		for (j = 0; j < lb->vips[i].n_backends; j++) {
			if (xlb_lb_backend_has_mac(&lb->vips[i].backends[j]))
				continue;
			if (!n++ && first)
				*first = &lb->vips[i].backends[j];
		}
	}
	return n;
}

struct xlb_lb_vip *xlb_lb_vip_by_id(struct xlb_lb *lb, uint32_t id)
{
	size_t i;

	for (i = 0; i < lb->n_vips; i++)
		if (lb->vips[i].val.id == id)
			return &lb->vips[i];
	return NULL;
}

struct xlb_lb_vip *xlb_lb_vip_by_key(struct xlb_lb *lb, const struct xlb_vip_key *key)
{
	return find_vip(lb->vips, lb->n_vips, key);
}

struct xlb_lb_backend *xlb_lb_backend_by_id(struct xlb_lb_vip *v, uint32_t id)
{
	size_t i;

	for (i = 0; v && i < v->n_backends; i++)
		if (v->backends[i].id == id)
			return &v->backends[i];
	return NULL;
}

struct xlb_lb_backend *xlb_lb_backend_by_addr(struct xlb_lb_vip *v, const struct xlb_addr *a)
{
	return find_backend(v, a, false) ?: find_backend(v, a, true);
}

/* The nat_flows entry a NAT flow's replies are read by: the flow as its backend sends back. */
static void nat_entry(const struct xlb_lb_backend *b, const struct xlb_flow *flow,
		      const struct xlb_conn *c, struct xlb_nat_key *k, struct xlb_nat *n)
{
	memset(k, 0, sizeof(*k));
	memset(n, 0, sizeof(*n));
	memcpy(k->backend, b->addr.w, sizeof(k->backend));
	memcpy(k->client, flow->src, sizeof(k->client));
	k->bport = b->port ? htons(b->port) : flow->dport;
	k->cport = flow->sport;
	k->proto = flow->proto;
	k->family = flow->family;
	memcpy(n->vip, flow->dst, sizeof(n->vip));
	n->vport = flow->dport;
	n->vip_id = c->vip_id;
	n->backend = c->backend;
	n->last_seen = c->last_seen;
}

int xlb_lb_install_flow(struct xlb_lb *lb, const struct xlb_flow *flow, const struct xlb_conn *c)
{
	struct xlb_lb_vip *v = xlb_lb_vip_by_id(lb, c->vip_id);
	struct xlb_lb_backend *b = xlb_lb_backend_by_id(v, c->backend);
	struct xlb_nat_key k;
	struct xlb_nat n;
	int err;

	if (!b)
		return -ENOENT;
	/* The translation first: a reply must never find the flow without it. One map serves
	 * every interface, so one write. */
	if (v->val.fwd == XLB_FWD_NAT) {
		nat_entry(b, flow, c, &k, &n);
		err = xlb_dp_update(xlb_dps_primary(lb->dps), XLB_DP_NAT_FLOWS, &k, &n);
		if (err)
			return err;
	}
	return xlb_dps_update(lb->dps, XLB_DP_CONNS, flow, c);
}

int xlb_lb_install_template(struct xlb_lb *lb, const struct xlb_template_key *k,
			    const struct xlb_template *t)
{
	struct xlb_lb_vip *v = xlb_lb_vip_by_id(lb, k->vip_id);

	if (!xlb_lb_backend_by_id(v, t->backend))
		return -ENOENT;
	return xlb_dp_update(xlb_dps_primary(lb->dps), XLB_DP_TEMPLATES, k, t);
}
