// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "lb.h"
#include "log.h"
#include "maglev.h"

/* Ids an earlier xlbd used: {vip key or backend address} -> id, read from the pinned maps. */
struct xlb_lb_seed {
	struct xlb_vip_key vkey;
	struct xlb_addr addr; /* family 0 for a VIP seed */
	uint32_t vip_id;
	uint32_t id;
};

static struct xlb_lb_seed *seeds;
static size_t n_seeds;

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

static void be_to_map(const struct xlb_lb_backend *b, uint32_t vip_id, struct xlb_backend *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->addr, b->addr.w, sizeof(out->addr));
	memcpy(out->mac, b->mac, sizeof(out->mac));
	out->family = b->addr.family;
	out->flags = XLB_BE_F_USED | XLB_BE_F_LIVE | (b->has_mac ? XLB_BE_F_MAC : 0);
	out->vip_id = vip_id;
	out->weight = b->weight;
}

/* Write one key to the same map of every interface. */
static int lb_update(struct xlb_lb *lb, size_t fd_off, const void *key, const void *val)
{
	size_t i;

	for (i = 0; i < lb->n_dps; i++) {
		int fd = *(int *)((char *)&lb->dps[i] + fd_off);

		if (bpf_map_update_elem(fd, key, val, BPF_ANY))
			return -errno;
	}
	return 0;
}

static void lb_delete(struct xlb_lb *lb, size_t fd_off, const void *key)
{
	size_t i;

	for (i = 0; i < lb->n_dps; i++)
		bpf_map_delete_elem(*(int *)((char *)&lb->dps[i] + fd_off), key);
}

#define LB_FD(field) offsetof(struct xlb_dp, field)

static int lb_zero(struct xlb_lb *lb, size_t fd_off, uint32_t id)
{
	size_t i;
	int err;

	for (i = 0; i < lb->n_dps; i++) {
		err = xlb_dp_zero_counters(*(int *)((char *)&lb->dps[i] + fd_off), id);
		if (err)
			return err;
	}
	return 0;
}

static int id_alloc(uint8_t *used, size_t n, uint32_t want)
{
	size_t i;

	if (want < n && !used[want]) {
		used[want] = 1;
		return want;
	}
	for (i = 0; i < n; i++) {
		if (!used[i]) {
			used[i] = 1;
			return i;
		}
	}
	return -ENOSPC;
}

int xlb_lb_init(struct xlb_lb *lb, struct xlb_dp *dps, size_t n_dps)
{
	struct xlb_vip_key key, next;
	struct xlb_vip vip;
	uint32_t i;
	void *prev = NULL;

	memset(lb, 0, sizeof(*lb));
	lb->dps = dps;
	lb->n_dps = n_dps;
	if (!n_dps)
		return 0;

	/* What the first interface's pinned maps say is what an earlier xlbd installed. */
	while (!bpf_map_get_next_key(dps[0].vips_fd, prev, &next)) {
		struct xlb_lb_seed *s;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(dps[0].vips_fd, &key, &vip) || vip.id >= XLB_MAX_VIPS)
			continue;
		s = realloc(seeds, (n_seeds + 1) * sizeof(*s));
		if (!s)
			return -ENOMEM;
		seeds = s;
		memset(&seeds[n_seeds], 0, sizeof(*s));
		seeds[n_seeds].vkey = key;
		seeds[n_seeds++].id = vip.id;
	}
	for (i = 0; i < XLB_MAX_BACKENDS; i++) {
		struct xlb_backend be;
		struct xlb_lb_seed *s;

		if (bpf_map_lookup_elem(dps[0].backends_fd, &i, &be) || !(be.flags & XLB_BE_F_USED))
			continue;
		s = realloc(seeds, (n_seeds + 1) * sizeof(*s));
		if (!s)
			return -ENOMEM;
		seeds = s;
		memset(&seeds[n_seeds], 0, sizeof(*s));
		seeds[n_seeds].addr.family = be.family;
		memcpy(seeds[n_seeds].addr.w, be.addr, sizeof(be.addr));
		seeds[n_seeds].vip_id = be.vip_id;
		seeds[n_seeds++].id = i;
	}
	if (n_seeds)
		pr_info("found %zu VIPs and backends installed by an earlier xlbd; keeping their ids",
			n_seeds);
	return 0;
}

static uint32_t seed_vip(const struct xlb_vip_key *key)
{
	size_t i;

	for (i = 0; i < n_seeds; i++)
		if (!seeds[i].addr.family && !memcmp(&seeds[i].vkey, key, sizeof(*key)))
			return seeds[i].id;
	return UINT32_MAX;
}

static uint32_t seed_backend(uint32_t vip_id, const struct xlb_addr *a)
{
	size_t i;

	for (i = 0; i < n_seeds; i++)
		if (seeds[i].addr.family && seeds[i].vip_id == vip_id && addr_eq(&seeds[i].addr, a))
			return seeds[i].id;
	return UINT32_MAX;
}

static void vip_free(struct xlb_lb_vip *v)
{
	free(v->backends);
	v->backends = NULL;
	v->n_backends = 0;
}

void xlb_lb_fini(struct xlb_lb *lb)
{
	size_t i;

	for (i = 0; i < lb->n_vips; i++)
		vip_free(&lb->vips[i]);
	free(lb->vips);
	lb->vips = NULL;
	lb->n_vips = 0;
	free(seeds);
	seeds = NULL;
	n_seeds = 0;
}

static struct xlb_lb_vip *find_vip(struct xlb_lb_vip *v, size_t n, const struct xlb_vip_key *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!memcmp(&v[i].key, key, sizeof(*key)))
			return &v[i];
	return NULL;
}

static struct xlb_lb_backend *find_backend(struct xlb_lb_vip *v, const struct xlb_addr *a)
{
	size_t i;

	for (i = 0; v && i < v->n_backends; i++)
		if (addr_eq(&v->backends[i].addr, a))
			return &v->backends[i];
	return NULL;
}

/* Build a VIP's Maglev table into a fresh inner map and swap it in on every interface. */
static int lb_install_table(struct xlb_lb *lb, struct xlb_lb_vip *v)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_INNER_MAP);
	struct xlb_maglev_backend *mb = NULL;
	uint32_t *table = NULL, slot;
	size_t i;
	int fd, err;

	table = malloc(lb->maglev_size * sizeof(*table));
	mb = calloc(v->n_backends + 1, sizeof(*mb));
	if (!table || !mb) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < v->n_backends; i++) {
		mb[i].key = v->backends[i].addr.w;
		mb[i].key_len = sizeof(v->backends[i].addr.w);
		mb[i].weight = v->backends[i].weight;
		mb[i].id = v->backends[i].id;
	}
	err = xlb_maglev_build(mb, v->n_backends, table, lb->maglev_size);
	if (err)
		goto out;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "maglev_table", sizeof(uint32_t), sizeof(uint32_t),
			    lb->maglev_size, &opts);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	/* One batch would be faster; slot by slot keeps to what libbpf 1.1 and every kernel do. */
	for (slot = 0; slot < lb->maglev_size; slot++) {
		if (bpf_map_update_elem(fd, &slot, &table[slot], BPF_ANY)) {
			err = -errno;
			close(fd);
			goto out;
		}
	}
	/* The outer maps hold the table now; the swap is one update per interface. */
	err = lb_update(lb, LB_FD(maglev_fd), &v->val.id, &fd);
	close(fd);
	if (!err)
		v->val.ring_size = lb->maglev_size;
out:
	free(table);
	free(mb);
	return err;
}

static int build_vip(struct xlb_lb *lb, const struct xlb_cfg_vip *cv, struct xlb_lb_vip *old,
		     struct xlb_lb_vip *nv)
{
	size_t i;
	int id;

	memset(nv, 0, sizeof(*nv));
	snprintf(nv->name, sizeof(nv->name), "%s", cv->name);
	xlb_vip_key_from(&nv->key, cv);
	if (old) {
		nv->val = old->val;
		nv->table_dirty = old->table_dirty;
	} else {
		id = id_alloc(lb->vip_used, XLB_MAX_VIPS, seed_vip(&nv->key));
		if (id < 0)
			return id;
		nv->val.id = id;
		nv->val.fallback = XLB_NO_BACKEND;
		nv->table_dirty = true;
	}
	nv->val.sched = cv->sched;
	nv->val.fwd = cv->fwd;

	nv->backends = calloc(cv->n_backends ? cv->n_backends : 1, sizeof(*nv->backends));
	if (!nv->backends)
		return -ENOMEM;
	for (i = 0; i < cv->n_backends; i++) {
		const struct xlb_cfg_backend *cb = &cv->backends[i];
		struct xlb_lb_backend *ob = find_backend(old, &cb->addr), *b = &nv->backends[i];

		b->addr = cb->addr;
		b->weight = cb->weight;
		if (ob) {
			b->id = ob->id;
			memcpy(b->mac, ob->mac, sizeof(b->mac));
			b->has_mac = ob->has_mac;
			if (ob->weight != b->weight)
				nv->table_dirty = true;
		} else {
			id = id_alloc(lb->be_used, XLB_MAX_BACKENDS, seed_backend(nv->val.id, &b->addr));
			if (id < 0)
				return id;
			b->id = id;
			nv->table_dirty = true;
		}
		nv->n_backends++;
	}
	if (old && old->n_backends != nv->n_backends)
		nv->table_dirty = true;
	return 0;
}

/* Give back ids the new state took that the old state does not hold (a failed apply). */
static void release_new_ids(struct xlb_lb *lb, struct xlb_lb_vip *nv, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		struct xlb_lb_vip *old = find_vip(lb->vips, lb->n_vips, &nv[i].key);

		if (!old)
			lb->vip_used[nv[i].val.id] = 0;
		for (j = 0; j < nv[i].n_backends; j++)
			if (!find_backend(old, &nv[i].backends[j].addr))
				lb->be_used[nv[i].backends[j].id] = 0;
		vip_free(&nv[i]);
	}
	free(nv);
}

int xlb_lb_apply(struct xlb_lb *lb, const struct xlb_config *cfg)
{
	struct xlb_lb_vip *nv;
	struct xlb_backend be;
	size_t i, j, n = cfg->n_vips;
	int err = 0;

	if (lb->maglev_size && lb->maglev_size != cfg->maglev_size)
		for (i = 0; i < lb->n_vips; i++)
			lb->vips[i].table_dirty = true;

	nv = calloc(n ? n : 1, sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct xlb_vip_key key;

		xlb_vip_key_from(&key, &cfg->vips[i]);
		err = build_vip(lb, &cfg->vips[i], find_vip(lb->vips, lb->n_vips, &key), &nv[i]);
		if (err)
			goto fail;
	}
	lb->maglev_size = cfg->maglev_size;

	/* 1. Backends, before any table can name them; fresh ids start with zeroed counters. */
	for (i = 0; i < n; i++) {
		struct xlb_lb_vip *old = find_vip(lb->vips, lb->n_vips, &nv[i].key);

		for (j = 0; j < nv[i].n_backends; j++) {
			struct xlb_lb_backend *b = &nv[i].backends[j];
			struct xlb_lb_backend *ob = find_backend(old, &b->addr);

			if (ob && ob->weight == b->weight)
				continue;
			if (!ob) {
				err = lb_zero(lb, LB_FD(backend_stats_fd), b->id);
				if (err)
					goto fail;
			}
			be_to_map(b, nv[i].val.id, &be);
			err = lb_update(lb, LB_FD(backends_fd), &b->id, &be);
			if (err)
				goto fail;
		}
	}
	/* 2. Tables, each built whole and swapped in with one update. */
	for (i = 0; i < n; i++) {
		if (!nv[i].table_dirty && nv[i].val.ring_size == lb->maglev_size)
			continue;
		err = lb_install_table(lb, &nv[i]);
		if (err)
			goto fail;
	}
	/* 3. VIPs, last, so they only ever point at a complete table. */
	for (i = 0; i < n; i++) {
		struct xlb_lb_vip *old = find_vip(lb->vips, lb->n_vips, &nv[i].key);
		struct xlb_vip_name name = {};

		if (old && !memcmp(&old->val, &nv[i].val, sizeof(old->val)) &&
		    !strcmp(old->name, nv[i].name))
			continue;
		if (!old) {
			err = lb_zero(lb, LB_FD(vip_stats_fd), nv[i].val.id);
			if (err)
				goto fail;
		}
		snprintf(name.name, sizeof(name.name), "%s", nv[i].name);
		err = lb_update(lb, LB_FD(vip_names_fd), &nv[i].val.id, &name);
		if (!err)
			err = lb_update(lb, LB_FD(vips_fd), &nv[i].key, &nv[i].val);
		if (err)
			goto fail;
	}

	/*
	 * From here on nothing fails: removals. Gone VIPs stop matching first, then lose their
	 * table; gone backends are no longer in any table, so clearing them only moves the flows
	 * they still had.
	 */
	for (i = 0; i < lb->n_vips; i++) {
		struct xlb_lb_vip *ov = &lb->vips[i];
		struct xlb_lb_vip *keep = find_vip(nv, n, &ov->key);

		if (!keep) {
			lb_delete(lb, LB_FD(vips_fd), &ov->key);
			lb_delete(lb, LB_FD(maglev_fd), &ov->val.id);
			lb->vip_used[ov->val.id] = 0;
			pr_info("vip %s removed", ov->name);
		}
		for (j = 0; j < ov->n_backends; j++) {
			struct xlb_lb_backend *ob = &ov->backends[j];

			if (keep && find_backend(keep, &ob->addr))
				continue;
			memset(&be, 0, sizeof(be));
			lb_update(lb, LB_FD(backends_fd), &ob->id, &be);
			lb->be_used[ob->id] = 0;
		}
	}
	for (i = 0; i < n; i++)
		nv[i].table_dirty = false;
	for (i = 0; i < lb->n_vips; i++)
		vip_free(&lb->vips[i]);
	free(lb->vips);
	lb->vips = nv;
	lb->n_vips = n;
	return 0;
fail:
	pr_err("cannot install the configuration: %s", strerror(-err));
	release_new_ids(lb, nv, n);
	return err;
}

void xlb_lb_set_mac(struct xlb_lb *lb, const struct xlb_addr *addr, const uint8_t mac[6])
{
	struct xlb_backend be;
	size_t i, j;

	for (i = 0; i < lb->n_vips; i++) {
		for (j = 0; j < lb->vips[i].n_backends; j++) {
			struct xlb_lb_backend *b = &lb->vips[i].backends[j];
			char as[INET6_ADDRSTRLEN];

			if (!addr_eq(&b->addr, addr))
				continue;
			b->neigh_seen = true;
			if (b->has_mac && !memcmp(b->mac, mac, 6))
				continue;
			memcpy(b->mac, mac, 6);
			b->has_mac = true;
			be_to_map(b, lb->vips[i].val.id, &be);
			if (lb_update(lb, LB_FD(backends_fd), &b->id, &be))
				pr_warn("backend %s: cannot update its MAC: %s",
					xlb_addr_str(addr, as, sizeof(as)), strerror(errno));
			else
				pr_info("backend %s of %s: MAC %02x:%02x:%02x:%02x:%02x:%02x",
					xlb_addr_str(addr, as, sizeof(as)), lb->vips[i].name, mac[0],
					mac[1], mac[2], mac[3], mac[4], mac[5]);
		}
	}
}

size_t xlb_lb_unresolved(const struct xlb_lb *lb, const struct xlb_lb_backend **first)
{
	size_t i, j, n = 0;

	for (i = 0; i < lb->n_vips; i++) {
		for (j = 0; j < lb->vips[i].n_backends; j++) {
			if (lb->vips[i].backends[j].has_mac)
				continue;
			if (!n++ && first)
				*first = &lb->vips[i].backends[j];
		}
	}
	return n;
}
