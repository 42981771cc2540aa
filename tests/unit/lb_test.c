// SPDX-License-Identifier: GPL-2.0-only
/*
 * The lb tests' fixture (lb_test.h): the maps are real, created here with the types, sizes and
 * flags of bpf/maps.h; no XDP program is loaded, so a struct xlb_dp has its *_fd fields and
 * nothing else (lb.c never touches the skeleton).
 *
 * Every check reads the maps back whole (a "snapshot": vips, backends, vip_names, and each
 * maglev_tables slot's inner map id and slots), so a case can say both what changed and that
 * nothing else did. The order of the writes is checked on a log: this file defines
 * bpf_map_update_elem(), bpf_map_delete_elem() and bpf_map_create() itself. The executable's
 * definitions are the ones the objects of libxlb.a link to; each records the call and hands it
 * on to libbpf's own (dlsym(RTLD_NEXT)). The same seam makes a chosen call fail, for the
 * failed-apply cases.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <cmocka.h>
#include <linux/bpf.h>
#include <netinet/in.h>

#include "agent/dataplane.h"
#include "agent/lb.h"
#include "common/log.h"
#include "config/config.h"

#include "lb_test.h"
#include "fds.h"

/* The log of map writes, and the failure to inject. */

struct lb_inject inject;


/* Maps this file created, so the log knows a key's size and what a value is. */
static struct {
	int fd;
	enum map_role role;
	uint32_t key_size;
} known[32];

struct op {
	char kind; /* 'u' update, 'd' delete */
	int fd;
	union {
		struct xlb_vip_key vip;
		uint32_t id;
	} key;
	struct xlb_backend be; /* the value, for backends updates */
};

static struct op ops[8192];
size_t n_ops, n_creates;
static bool ops_overflow;


static size_t known_find(int fd)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(known); i++)
		if (known[i].role && known[i].fd == fd)
			return i;
	return SIZE_MAX;
}

static void known_add(int fd, enum map_role role, uint32_t key_size)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(known); i++) {
		if (!known[i].role) {
			known[i].fd = fd;
			known[i].role = role;
			known[i].key_size = key_size;
			return;
		}
	}
	fail_msg("more maps than the log can tell apart");
}

static void known_del(int fd)
{
	size_t i = known_find(fd);

	if (i != SIZE_MAX)
		known[i].role = R_NONE;
}

void ops_reset(void)
{
	n_ops = n_creates = 0;
	ops_overflow = false;
}

static void op_log(char kind, int fd, const void *key, const void *value)
{
	size_t k = known_find(fd);
	struct op *o;

	if (n_ops == ARRAY_SIZE(ops)) {
		ops_overflow = true;
		return;
	}
	o = &ops[n_ops++];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->fd = fd;
	memcpy(&o->key, key, k != SIZE_MAX ? known[k].key_size : sizeof(uint32_t));
	if (value && k != SIZE_MAX && known[k].role == R_BACKENDS)
		memcpy(&o->be, value, sizeof(o->be));
}

/*
 * What a packet would find between any two writes: a copy of vips, backends and maglev_tables
 * (with each inner map's slots), kept from the writes the seam sees. After every write it
 * checks each VIP: its table is there and has ring_size slots, and every slot and its fallback
 * name a USED|LIVE backend of that VIP. The first breach is kept, to fail the test once lb.c is
 * out of the call (failing inside the seam would leave lb half-way).
 */
static struct {
	bool on;
	const struct xlb_dp *dp;
	struct xlb_backend be[XLB_MAX_BACKENDS];
	size_t n_vips;
	struct {
		struct xlb_vip_key key;
		struct xlb_vip val;
	} vips[XLB_MAX_VIPS * 2];
	uint32_t size[XLB_MAX_VIPS * 2]; /* 0 = no table in this slot */
	uint32_t *slots[XLB_MAX_VIPS * 2];
	size_t writes;
	char bad[256];
} watch;

static void watch_table(uint32_t key, int inner_fd)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info), i;

	free(watch.slots[key]);
	watch.slots[key] = NULL;
	watch.size[key] = 0;
	if (inner_fd < 0 || bpf_obj_get_info_by_fd(inner_fd, &info, &len))
		return;
	watch.slots[key] = calloc(info.max_entries, sizeof(uint32_t));
	if (!watch.slots[key])
		return;
	watch.size[key] = info.max_entries;
	for (i = 0; i < info.max_entries; i++)
		bpf_map_lookup_elem(inner_fd, &i, &watch.slots[key][i]);
}

static bool watch_be_ok(uint32_t id, uint32_t vip_id)
{
	const uint32_t want = XLB_BE_F_USED | XLB_BE_F_LIVE;

	return id < XLB_MAX_BACKENDS && (watch.be[id].flags & want) == want &&
	       watch.be[id].vip_id == vip_id;
}

static void watch_check(void)
{
	size_t i;
	uint32_t s;

	for (i = 0; i < watch.n_vips && !watch.bad[0]; i++) {
		const struct xlb_vip *v = &watch.vips[i].val;
		uint32_t key = v->id + (v->flags & XLB_VIP_F_BANK ? XLB_MAX_VIPS : 0);

		if (key >= XLB_MAX_VIPS * 2 || watch.size[key] != v->ring_size) {
			snprintf(watch.bad, sizeof(watch.bad),
				 "after write %zu: vip %u has ring_size %u, its table %u slots",
				 watch.writes, v->id, v->ring_size,
				 key < XLB_MAX_VIPS * 2 ? watch.size[key] : 0);
			return;
		}
		if (v->fallback != XLB_NO_BACKEND && !watch_be_ok(v->fallback, v->id))
			snprintf(watch.bad, sizeof(watch.bad),
				 "after write %zu: vip %u's fallback %u is no live backend of it",
				 watch.writes, v->id, v->fallback);
		for (s = 0; s < watch.size[key] && !watch.bad[0]; s++) {
			uint32_t id = watch.slots[key][s];

			if (id != XLB_NO_BACKEND && !watch_be_ok(id, v->id))
				snprintf(watch.bad, sizeof(watch.bad),
					 "after write %zu: vip %u slot %u names backend %u "
					 "(flags %#x, vip %u): no live backend of it",
					 watch.writes, v->id, s, id,
					 id < XLB_MAX_BACKENDS ? watch.be[id].flags : 0,
					 id < XLB_MAX_BACKENDS ? watch.be[id].vip_id : 0);
		}
	}
}

/* A write the kernel took: make the copy say the same, then check it. */
static void watch_write(char kind, int fd, const void *key, const void *value)
{
	size_t i;

	if (!watch.on || (fd != watch.dp->vips_fd && fd != watch.dp->backends_fd &&
			  fd != watch.dp->maglev_fd))
		return;
	watch.writes++;
	if (fd == watch.dp->backends_fd) {
		uint32_t id = *(const uint32_t *)key;

		if (id < XLB_MAX_BACKENDS)
			watch.be[id] = kind == 'u' ? *(const struct xlb_backend *)value
						   : (struct xlb_backend){};
	} else if (fd == watch.dp->maglev_fd) {
		uint32_t k = *(const uint32_t *)key;

		if (k < XLB_MAX_VIPS * 2)
			watch_table(k, kind == 'u' ? *(const int *)value : -1);
	} else {
		for (i = 0; i < watch.n_vips; i++)
			if (!memcmp(&watch.vips[i].key, key, sizeof(watch.vips[i].key)))
				break;
		if (kind == 'd') {
			if (i < watch.n_vips)
				watch.vips[i] = watch.vips[--watch.n_vips];
		} else if (i < ARRAY_SIZE(watch.vips)) {
			if (i == watch.n_vips)
				watch.n_vips++;
			watch.vips[i].key = *(const struct xlb_vip_key *)key;
			watch.vips[i].val = *(const struct xlb_vip *)value;
		}
	}
	watch_check();
}

/* Start the copy from what dp's maps hold now. */
void watch_start(const struct xlb_dp *dp)
{
	struct xlb_vip_key k, none = {}, *prev = &none;
	uint32_t i, map_id;
	int fd;

	memset(&watch, 0, sizeof(watch));
	watch.dp = dp;
	for (i = 0; i < XLB_MAX_BACKENDS; i++)
		assert_int_equal(bpf_map_lookup_elem(dp->backends_fd, &i, &watch.be[i]), 0);
	while (!bpf_map_get_next_key(dp->vips_fd, prev, &k)) {
		watch.vips[watch.n_vips].key = k;
		assert_int_equal(bpf_map_lookup_elem(dp->vips_fd, &k,
						     &watch.vips[watch.n_vips].val), 0);
		prev = &watch.vips[watch.n_vips++].key;
	}
	for (i = 0; i < XLB_MAX_VIPS * 2; i++) {
		if (bpf_map_lookup_elem(dp->maglev_fd, &i, &map_id))
			continue;
		fd = bpf_map_get_fd_by_id(map_id);
		assert_true(fd >= 0);
		watch_table(i, fd);
		close(fd);
	}
	watch_check();
	watch.on = true;
}

/* Stop watching; fail with the first breach seen. */
void watch_stop(void)
{
	size_t i;

	watch.on = false;
	for (i = 0; i < ARRAY_SIZE(watch.slots); i++) {
		free(watch.slots[i]);
		watch.slots[i] = NULL;
	}
	if (watch.bad[0])
		fail_msg("a packet could have seen a half-made change: %s", watch.bad);
}

typedef int (*update_fn)(int, const void *, const void *, __u64);
typedef int (*delete_fn)(int, const void *);
typedef int (*create_fn)(enum bpf_map_type, const char *, __u32, __u32, __u32,
			 const struct bpf_map_create_opts *);

int bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags)
{
	static update_fn real;
	int err;

	if (!real)
		real = (update_fn)dlsym(RTLD_NEXT, "bpf_map_update_elem");
	if (inject.update_at && fd == inject.update_fd && !--inject.update_at) {
		inject.fired = true;
		errno = EIO;
		return -EIO;
	}
	op_log('u', fd, key, value);
	err = real(fd, key, value, flags);
	if (!err)
		watch_write('u', fd, key, value);
	return err;
}

int bpf_map_delete_elem(int fd, const void *key)
{
	static delete_fn real;
	int err;

	if (!real)
		real = (delete_fn)dlsym(RTLD_NEXT, "bpf_map_delete_elem");
	op_log('d', fd, key, NULL);
	err = real(fd, key);
	if (!err)
		watch_write('d', fd, key, NULL);
	return err;
}

int bpf_map_create(enum bpf_map_type type, const char *name, __u32 key_size, __u32 value_size,
		   __u32 max_entries, const struct bpf_map_create_opts *opts)
{
	static create_fn real;

	if (!real)
		real = (create_fn)dlsym(RTLD_NEXT, "bpf_map_create");
	if (inject.create_at && !--inject.create_at) {
		inject.fired = true;
		errno = ENOMEM;
		return -ENOMEM;
	}
	n_creates++;
	return real(type, name, key_size, value_size, max_entries, opts);
}

/* Index of the first (or last) logged op of this kind on fd with this key; -1 when none. */
static int op_find(char kind, int fd, const void *key, bool last)
{
	size_t k = known_find(fd), ks = k != SIZE_MAX ? known[k].key_size : sizeof(uint32_t);
	int found = -1;
	size_t i;

	assert_false(ops_overflow);
	for (i = 0; i < n_ops; i++) {
		if (ops[i].kind != kind || ops[i].fd != fd || memcmp(&ops[i].key, key, ks))
			continue;
		found = i;
		if (!last)
			break;
	}
	return found;
}

int op_first(char kind, int fd, const void *key)
{
	return op_find(kind, fd, key, false);
}

int op_last(char kind, int fd, const void *key)
{
	return op_find(kind, fd, key, true);
}

/* How many logged ops touched a map of this role. */
size_t ops_on(enum map_role role)
{
	size_t i, n = 0, k;

	assert_false(ops_overflow);
	for (i = 0; i < n_ops; i++) {
		k = known_find(ops[i].fd);
		n += k != SIZE_MAX && known[k].role == role;
	}
	return n;
}

/* Say that op a (first thing) came before op b (second thing), both present. */
void assert_before(int a, const char *what_a, int b, const char *what_b)
{
	if (a < 0)
		fail_msg("no write found: %s", what_a);
	if (b < 0)
		fail_msg("no write found: %s", what_b);
	if (a >= b)
		fail_msg("%s (write #%d) must come before %s (write #%d)", what_a, a, what_b, b);
}

/* The maps. */

int ncpu;

static int map_new(enum map_role role, enum bpf_map_type type, const char *name, uint32_t key_size,
		   uint32_t value_size, uint32_t max, uint32_t flags, int inner_fd)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = flags, .inner_map_fd = inner_fd);
	int fd = bpf_map_create(type, name, key_size, value_size, max, &opts);

	if (fd < 0)
		fail_msg("bpf_map_create(%s): %s", name, strerror(errno));
	if (role)
		known_add(fd, role, key_size);
	return fd;
}

/* One interface's maps, shaped as bpf/maps.h declares them. */
void dp_create(struct xlb_dp *dp, int inner_fd)
{
	memset(dp, 0, sizeof(*dp));
	snprintf(dp->ifname, sizeof(dp->ifname), "test");
	dp->vips_fd = map_new(R_VIPS, BPF_MAP_TYPE_HASH, "vips", sizeof(struct xlb_vip_key),
			      sizeof(struct xlb_vip), XLB_MAX_VIPS * 2, BPF_F_NO_PREALLOC, -1);
	dp->backends_fd = map_new(R_BACKENDS, BPF_MAP_TYPE_ARRAY, "backends", sizeof(uint32_t),
				  sizeof(struct xlb_backend), XLB_MAX_BACKENDS, 0, -1);
	dp->maglev_fd = map_new(R_MAGLEV, BPF_MAP_TYPE_ARRAY_OF_MAPS, "maglev_tables",
				sizeof(uint32_t), sizeof(uint32_t), XLB_MAX_VIPS * 2, 0, inner_fd);
	dp->conns_fd = map_new(R_CONNS, BPF_MAP_TYPE_LRU_HASH, "conns", sizeof(struct xlb_flow),
			       sizeof(struct xlb_conn), 1024, 0, -1);
	dp->vip_stats_fd = map_new(R_VIP_STATS, BPF_MAP_TYPE_PERCPU_ARRAY, "vip_stats",
				   sizeof(uint32_t), sizeof(struct xlb_counters), XLB_MAX_VIPS, 0,
				   -1);
	dp->backend_stats_fd = map_new(R_BE_STATS, BPF_MAP_TYPE_PERCPU_ARRAY, "backend_stats",
				       sizeof(uint32_t), sizeof(struct xlb_counters),
				       XLB_MAX_BACKENDS, 0, -1);
	dp->vip_names_fd = map_new(R_NAMES, BPF_MAP_TYPE_ARRAY, "vip_names", sizeof(uint32_t),
				   sizeof(struct xlb_vip_name), XLB_MAX_VIPS, 0, -1);
	dp->tunnel_fd = map_new(R_TUNNEL, BPF_MAP_TYPE_ARRAY, "tunnel", sizeof(uint32_t),
				sizeof(struct xlb_tunnel), 1, 0, -1);
	/* One per data path here; xlbd's share one pin, which the tests write through dp[0]. */
	dp->nat_flows_fd = map_new(R_NAT_FLOWS, BPF_MAP_TYPE_LRU_HASH, "nat_flows",
				   sizeof(struct xlb_nat_key), sizeof(struct xlb_nat), 1024, 0, -1);
	dp->templates_fd = map_new(R_TEMPLATES, BPF_MAP_TYPE_LRU_HASH, "templates",
				   sizeof(struct xlb_template_key), sizeof(struct xlb_template),
				   1024, 0, -1);
}

static void dp_close(struct xlb_dp *dp)
{
	int *fds[] = { &dp->vips_fd,	 &dp->backends_fd,	&dp->maglev_fd,	  &dp->conns_fd,
		       &dp->vip_stats_fd, &dp->backend_stats_fd, &dp->vip_names_fd,
		       &dp->tunnel_fd,	 &dp->nat_flows_fd,	&dp->templates_fd };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		if (*fds[i] > 0) {
			known_del(*fds[i]);
			close(*fds[i]);
		}
		*fds[i] = -1;
	}
}

static int vip_key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct xlb_vip_key));
}

static void table_read(uint32_t map_id, uint32_t *slots, uint32_t *size)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info), i;
	int fd = bpf_map_get_fd_by_id(map_id), err = 0;

	if (fd < 0)
		fail_msg("bpf_map_get_fd_by_id(%u): %s", map_id, strerror(errno));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		err = -errno;
	for (i = 0; !err && i < TABLE && i < info.max_entries; i++)
		if (bpf_map_lookup_elem(fd, &i, &slots[i]))
			err = -errno;
	close(fd);
	assert_int_equal(err, 0);
	assert_int_equal(info.type, BPF_MAP_TYPE_ARRAY);
	assert_int_equal(info.key_size, sizeof(uint32_t));
	assert_int_equal(info.value_size, sizeof(uint32_t));
	assert_true(info.map_flags & BPF_F_INNER_MAP);
	*size = info.max_entries;
}

struct snap *snap_take(struct fixture *f, const struct xlb_dp *dp)
{
	/* No VIP has family 0: that key starts the walk as NULL would, and valgrind takes it. */
	struct xlb_vip_key k, none = {}, *prev = &none;
	struct snap *s = calloc(1, sizeof(*s));
	uint32_t i, raw[XLB_MAX_VIPS * 2];
	size_t slot;

	assert_non_null(s);
	for (slot = 0; slot < MAX_SNAPS && f->snaps[slot]; slot++)
		;
	assert_true(slot < MAX_SNAPS);
	f->snaps[slot] = s;

	while (!bpf_map_get_next_key(dp->vips_fd, prev, &k)) {
		assert_true(s->n_vips < ARRAY_SIZE(s->vips));
		s->vips[s->n_vips].key = k;
		assert_int_equal(bpf_map_lookup_elem(dp->vips_fd, &k, &s->vips[s->n_vips].val), 0);
		prev = &s->vips[s->n_vips++].key;
	}
	qsort(s->vips, s->n_vips, sizeof(s->vips[0]), vip_key_cmp);
	for (i = 0; i < XLB_MAX_BACKENDS; i++)
		assert_int_equal(bpf_map_lookup_elem(dp->backends_fd, &i, &s->be[i]), 0);
	for (i = 0; i < XLB_MAX_VIPS * 2; i++) {
		if (bpf_map_lookup_elem(dp->maglev_fd, &i, &raw[i])) {
			assert_int_equal(errno, ENOENT);
			raw[i] = 0;
		}
	}
	for (i = 0; i < XLB_MAX_VIPS; i++) {
		uint32_t bank = 0;

		for (slot = 0; slot < s->n_vips; slot++)
			if (s->vips[slot].val.id == i && (s->vips[slot].val.flags & XLB_VIP_F_BANK))
				bank = XLB_MAX_VIPS;
		/* Once an apply is done, the bank a VIP does not read holds nothing. */
		if (raw[i + (XLB_MAX_VIPS - bank)])
			fail_msg("maglev_tables[%u] holds map %u, in the bank vip %u does not read",
				 i + (XLB_MAX_VIPS - bank), raw[i + (XLB_MAX_VIPS - bank)], i);
		assert_int_equal(bpf_map_lookup_elem(dp->vip_names_fd, &i, &s->names[i]), 0);
		s->inner[i] = raw[i + bank];
		if (s->inner[i])
			table_read(s->inner[i], s->table[i], &s->size[i]);
	}
	for (slot = 0; slot < s->n_vips; slot++) {
		const struct xlb_vip *v = &s->vips[slot].val;

		if (v->id < XLB_MAX_VIPS && s->inner[v->id] && s->size[v->id] != v->ring_size)
			fail_msg("vip %u: ring_size %u, its table has %u slots", v->id,
				 v->ring_size, s->size[v->id]);
	}
	return s;
}

void vip_key(const struct vip_ref *r, struct xlb_vip_key *k)
{
	struct xlb_addr a;

	assert_int_equal(xlb_addr_parse(r->addr, &a), 0);
	memset(k, 0, sizeof(*k));
	memcpy(k->addr, a.w, sizeof(k->addr));
	k->port = htons(r->port);
	k->proto = r->proto;
	k->family = a.family;
}

/* The VIP's vips value; NULL when its key is not there. */
const struct xlb_vip *snap_vip_find(const struct snap *s, const struct vip_ref *r)
{
	struct xlb_vip_key k;
	size_t i;

	vip_key(r, &k);
	for (i = 0; i < s->n_vips; i++)
		if (!memcmp(&s->vips[i].key, &k, sizeof(k)))
			return &s->vips[i].val;
	return NULL;
}

uint32_t snap_vip_id(const struct snap *s, const struct vip_ref *r)
{
	const struct xlb_vip *v = snap_vip_find(s, r);

	if (!v)
		fail_msg("vip %s: no key in vips", r->name);
	return v->id;
}

static bool be_is(const struct xlb_backend *b, uint32_t vip_id, const struct xlb_addr *a)
{
	return (b->flags & XLB_BE_F_USED) && b->vip_id == vip_id && b->family == a->family &&
	       !memcmp(b->addr, a->w, sizeof(b->addr));
}

/* The id of the one USED backend entry with this VIP and address; UINT32_MAX when none. */
uint32_t snap_be_find(const struct snap *s, uint32_t vip_id, const char *addr)
{
	uint32_t i, id = UINT32_MAX;
	struct xlb_addr a;

	assert_int_equal(xlb_addr_parse(addr, &a), 0);
	for (i = 0; i < XLB_MAX_BACKENDS; i++) {
		if (!be_is(&s->be[i], vip_id, &a))
			continue;
		if (id != UINT32_MAX)
			fail_msg("backend %s of vip %u: two entries, %u and %u", addr, vip_id, id,
				 i);
		id = i;
	}
	return id;
}

uint32_t snap_be_id(const struct snap *s, uint32_t vip_id, const char *addr)
{
	uint32_t id = snap_be_find(s, vip_id, addr);

	if (id == UINT32_MAX)
		fail_msg("backend %s of vip %u: no entry in backends", addr, vip_id);
	return id;
}

size_t snap_used(const struct snap *s)
{
	size_t i, n = 0;

	for (i = 0; i < XLB_MAX_BACKENDS; i++)
		n += !!(s->be[i].flags & XLB_BE_F_USED);
	return n;
}

size_t slots_of(const struct snap *s, uint32_t vip_id, uint32_t be_id)
{
	size_t i, n = 0;

	assert_true(s->inner[vip_id]);
	for (i = 0; i < TABLE; i++)
		n += s->table[vip_id][i] == be_id;
	return n;
}

/*
 * The VIP's table names exactly these backends, each in proportion to its weight: a backend of
 * weight w owns TABLE * w / sum slots, give or take one (Maglev's claims are integral).
 */
void assert_shares(const struct snap *s, const struct vip_ref *r, const struct be_ref *be,
		   size_t n)
{
	uint32_t vip_id = snap_vip_id(s, r);
	uint64_t sum = 0, want;
	size_t i, got, total = 0;

	for (i = 0; i < n; i++)
		sum += be[i].weight;
	for (i = 0; i < n; i++) {
		got = slots_of(s, vip_id, snap_be_id(s, vip_id, be[i].addr));
		want = sum ? TABLE * be[i].weight : 0;
		/* |got - TABLE * w / sum| <= 1, without division */
		if ((uint64_t)got * sum > want + sum || (uint64_t)got * sum + sum < want)
			fail_msg("vip %s: backend %s (weight %u of %llu) owns %zu of %u slots",
				 r->name, be[i].addr, be[i].weight, (unsigned long long)sum, got,
				 TABLE);
		total += got;
	}
	if (sum && total != TABLE)
		fail_msg("vip %s: %zu of %u slots name one of its backends", r->name, total, TABLE);
	if (!sum)
		for (i = 0; i < TABLE; i++)
			assert_int_equal(s->table[vip_id][i], XLB_NO_BACKEND);
}

/*
 * Two snapshots say the same. With same_objects, maglev_tables also holds the very same inner
 * maps (nothing rebuilt); without, tables only have to hold the same slots. Every difference is
 * printed (a table's first differing slot only), then the check fails.
 */
#define DIFF(...)                                   \
	do {                                        \
		if (n_diff++ < 20)                  \
			print_error(__VA_ARGS__);   \
	} while (0)

void assert_snap_equal(const struct snap *a, const struct snap *b, bool same_objects,
		       const char *what)
{
	size_t i, j, n_diff = 0;

	if (a->n_vips != b->n_vips)
		DIFF("%s: vips holds %zu keys, was %zu\n", what, a->n_vips, b->n_vips);
	for (i = 0; i < a->n_vips && i < b->n_vips; i++)
		if (memcmp(&a->vips[i], &b->vips[i], sizeof(a->vips[i])))
			DIFF("%s: vips key %zu: id %u ring %u fallback %#x, was id %u ring %u "
			     "fallback %#x\n",
			     what, i, a->vips[i].val.id, a->vips[i].val.ring_size,
			     a->vips[i].val.fallback, b->vips[i].val.id, b->vips[i].val.ring_size,
			     b->vips[i].val.fallback);
	for (i = 0; i < XLB_MAX_BACKENDS; i++)
		if (memcmp(&a->be[i], &b->be[i], sizeof(a->be[i])))
			DIFF("%s: backends[%zu]: flags %#x weight %u vip %u, "
			     "was flags %#x weight %u vip %u\n",
			     what, i, a->be[i].flags, a->be[i].weight, a->be[i].vip_id,
			     b->be[i].flags, b->be[i].weight, b->be[i].vip_id);
	for (i = 0; i < XLB_MAX_VIPS; i++) {
		if (strcmp(a->names[i].name, b->names[i].name))
			DIFF("%s: vip_names[%zu] is \"%s\", was \"%s\"\n", what, i,
			     a->names[i].name, b->names[i].name);
		if (!a->inner[i] != !b->inner[i] || (same_objects && a->inner[i] != b->inner[i])) {
			DIFF("%s: maglev_tables[%zu] holds map %u, was %u\n", what, i, a->inner[i],
			     b->inner[i]);
			continue;
		}
		for (j = 0; a->inner[i] && j < TABLE; j++) {
			if (a->table[i][j] != b->table[i][j]) {
				DIFF("%s: table of vip %zu, slot %zu names %#x, was %#x\n", what, i,
				     j, a->table[i][j], b->table[i][j]);
				break;
			}
		}
	}
	if (n_diff)
		fail_msg("%s: %zu differences", what, n_diff);
}

/* The VIP's table is the very map it was: not rebuilt. */
void assert_table_kept(const struct snap *now, const struct snap *was,
		       const struct vip_ref *r)
{
	uint32_t id = snap_vip_id(was, r);

	if (!now->inner[id] || now->inner[id] != was->inner[id])
		fail_msg("vip %s: maglev_tables[%u] holds map %u, was %u: rebuilt", r->name, id,
			 now->inner[id], was->inner[id]);
}

/* The VIP has a table, and not the map it had: rebuilt and swapped in. */
void assert_table_rebuilt(const struct snap *now, const struct snap *was,
			  const struct vip_ref *r)
{
	uint32_t id = snap_vip_id(was, r);

	if (!now->inner[id] || now->inner[id] == was->inner[id])
		fail_msg("vip %s: maglev_tables[%u] holds map %u, was %u: not rebuilt", r->name,
			 id, now->inner[id], was->inner[id]);
}

/* Per-CPU counters. */

bool counters_zero(int fd, uint32_t id)
{
	struct xlb_counters c[ncpu];
	int i;

	/* The kernel fills all of it; valgrind only knows of one CPU's value and would object. */
	memset(c, 0, sizeof(c));
	assert_int_equal(bpf_map_lookup_elem(fd, &id, c), 0);
	for (i = 0; i < ncpu; i++)
		if (c[i].packets || c[i].bytes || c[i].new_flows)
			return false;
	return true;
}

void counters_junk(int fd, uint32_t id)
{
	struct xlb_counters c[ncpu];
	int i;

	for (i = 0; i < ncpu; i++)
		c[i] = (struct xlb_counters){ 1000 + i, 64000 + i, 10 + i };
	assert_int_equal(bpf_map_update_elem(fd, &id, c, BPF_ANY), 0);
}

/* Configs. */

int apply(struct xlb_lb *lb, const char *yaml)
{
	struct xlb_cfg_errors errs = {};
	struct xlb_config cfg = {};
	int err;

	err = xlb_cfg_parse_string("test.yaml", yaml, strlen(yaml), &cfg, &errs);
	if (err) {
		xlb_cfg_errors_print(&errs, "test.yaml", stderr);
		xlb_cfg_errors_free(&errs);
		fail_msg("valid config rejected: %d", err);
	}
	/* lb.c keeps nothing of the config: it can go before anything is checked. */
	err = xlb_lb_apply(lb, &cfg);
	xlb_cfg_free(&cfg);
	return err;
}

void apply_ok(struct xlb_lb *lb, const char *yaml)
{
	int err = apply(lb, yaml);

	if (err)
		fail_msg("apply failed: %s", strerror(-err));
}

/* lb.c's own view, for xlb_lb_set_state(). */
struct xlb_lb_vip *lb_vip(struct xlb_lb *lb, const struct vip_ref *r)
{
	struct xlb_vip_key k;
	struct xlb_lb_vip *v;

	vip_key(r, &k);
	v = xlb_lb_vip_by_key(lb, &k);
	if (!v)
		fail_msg("vip %s unknown to lb", r->name);
	return v;
}

struct xlb_lb_backend *lb_be(struct xlb_lb_vip *v, const char *addr)
{
	struct xlb_lb_backend *b;
	struct xlb_addr a;

	assert_int_equal(xlb_addr_parse(addr, &a), 0);
	b = xlb_lb_backend_by_addr(v, &a);
	if (!b)
		fail_msg("backend %s unknown to lb", addr);
	return b;
}

int set_state(struct xlb_lb *lb, struct xlb_lb_vip *v, const char *addr, bool healthy,
	      enum xlb_admin admin)
{
	return xlb_lb_set_state(lb, v, lb_be(v, addr), healthy, admin);
}

/* Fixture: one interface's maps, an lb over them, nothing applied. */

int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->fds_before = count_fds();
	f->inner_fd = map_new(R_NONE, BPF_MAP_TYPE_ARRAY, "maglev_table", sizeof(uint32_t),
			      sizeof(uint32_t), XLB_MAGLEV_DEFAULT_SIZE, BPF_F_INNER_MAP, -1);
	dp_create(&f->dp[0], f->inner_fd);
	f->dp[1].vips_fd = -1;
	f->dps = (struct xlb_dps){ f->dp, 1 };
	if (xlb_lb_init(&f->lb, &f->dps))
		return -1;
	memset(&inject, 0, sizeof(inject));
	ops_reset();
	*state = f;
	return 0;
}

int teardown(void **state)
{
	struct fixture *f = *state;
	size_t i;
	int fds;

	memset(&inject, 0, sizeof(inject));
	xlb_lb_fini(&f->lb);
	if (f->lb2_used)
		xlb_lb_fini(&f->lb2);
	dp_close(&f->dp[0]);
	if (f->dp[1].vips_fd > 0)
		dp_close(&f->dp[1]);
	close(f->inner_fd);
	for (i = 0; i < MAX_SNAPS; i++)
		free(f->snaps[i]);
	fds = count_fds();
	if (fds != f->fds_before) {
		fprintf(stderr, "fd leak: %d open fds, %d before the test\n", fds, f->fds_before);
		free(f);
		return -1;
	}
	free(f);
	return 0;
}

void restart(struct fixture *f)
{
	xlb_lb_fini(&f->lb);
	f->dps.n = 1;
	assert_int_equal(xlb_lb_init(&f->lb, &f->dps), 0);
}

/* Without CAP_BPF nothing here can run. */
static bool can_bpf(void)
{
	int fd;

	if (geteuid() != 0)
		return false;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "probe", 4, 4, 1, NULL);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}


int lb_test_main(const char *prog, const struct lb_test_group *groups, size_t n)
{
	size_t i;
	int failed = 0;

	if (!can_bpf()) {
		fprintf(stderr, "%s: creating BPF maps needs root (CAP_BPF); skipped\n", prog);
		return 77;
	}
	ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0) {
		fprintf(stderr, "%s: cannot count CPUs: %s\n", prog, strerror(-ncpu));
		return 1;
	}
	xlb_log_init(prog, XLB_LOG_WARN);
	for (i = 0; i < n; i++)
		failed += _cmocka_run_group_tests(groups[i].name, groups[i].tests, groups[i].n, NULL,
						  NULL);
	return failed ? 1 : 0;
}
