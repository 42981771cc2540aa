// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of the state-to-maps writer (user/agent/lb.c): what a first apply, a reload, a health or admin
 * change and a restart leave in the maps, and in what order they write it. The maps are real,
 * created here with the types, sizes and flags of bpf/maps.h; no XDP program is loaded, so a
 * struct xlb_dp has its *_fd fields and nothing else (lb.c never touches the skeleton).
 *
 * Every check reads the maps back whole (a "snapshot": vips, backends, vip_names, and each
 * maglev_tables slot's inner map id and slots), so a case can say both what changed and that
 * nothing else did. The order of the writes is checked on a log: this file defines
 * bpf_map_update_elem(), bpf_map_delete_elem() and bpf_map_create() itself. The executable's
 * definitions are the ones the objects of libxlb.a link to; each records the call and hands it
 * on to libbpf's own (dlsym(RTLD_NEXT)). The same seam makes a chosen call fail, for the
 * failed-apply cases.
 *
 * Needs root (CAP_BPF): exits 77, skipped, without it.
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

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A small prime keeps building and reading tables fast; every config here uses it. */
#define TABLE 251

/* Configs, one backend per line. Every VIP of these is on 203.0.113.0/24 or 2001:db8::/32. */
#define HEAD                           \
	"interfaces: [{name: eth0}]\n" \
	"maglev: {table_size: 251}\n"  \
	"vips:\n"
#define VIP(name, addr, port, proto)       \
	"  - name: " name "\n"             \
	"    address: " addr "\n"          \
	"    port: " #port "\n"            \
	"    protocol: " proto "\n"        \
	"    backends:\n"
#define BE(addr, weight) "      - {address: " addr ", weight: " #weight "}\n"
#define FALLBACK(addr) "    fallback: " addr "\n"

#define WEB_VIP VIP("web", "203.0.113.1", 80, "tcp")
#define WEB_3 WEB_VIP BE("192.0.2.11", 1) BE("192.0.2.12", 2) BE("192.0.2.13", 3)
#define DNS_2 VIP("dns", "203.0.113.2", 53, "udp") BE("192.0.2.21", 100) BE("192.0.2.22", 100)
#define V6_1 VIP("v6", "2001:db8::1", 443, "tcp") BE("2001:db8::11", 100)
#define API_2 VIP("api", "203.0.113.3", 8080, "tcp") BE("192.0.2.31", 1) BE("192.0.2.32", 1)

/* web 1:2:3, dns 1:1, v6 alone. */
#define BASE HEAD WEB_3 DNS_2 V6_1
/* A reload touching every kind of thing: a weight, a new backend, a new VIP; v6 as it was. */
#define CHANGED                                                                          \
	HEAD WEB_VIP BE("192.0.2.11", 1) BE("192.0.2.12", 5) BE("192.0.2.13", 3) DNS_2 BE( \
		"192.0.2.23", 100) V6_1 API_2

struct vip_ref {
	const char *name;
	const char *addr;
	uint16_t port;
	uint8_t proto;
};

static const struct vip_ref WEB = { "web", "203.0.113.1", 80, IPPROTO_TCP };
static const struct vip_ref DNS = { "dns", "203.0.113.2", 53, IPPROTO_UDP };
static const struct vip_ref V6 = { "v6", "2001:db8::1", 443, IPPROTO_TCP };
static const struct vip_ref API = { "api", "203.0.113.3", 8080, IPPROTO_TCP };

struct be_ref {
	const char *addr;
	uint32_t weight;
};

static const struct be_ref WEB_BE[] = { { "192.0.2.11", 1 },
					 { "192.0.2.12", 2 },
					 { "192.0.2.13", 3 } };
static const struct be_ref DNS_BE[] = { { "192.0.2.21", 100 }, { "192.0.2.22", 100 } };
static const struct be_ref V6_BE[] = { { "2001:db8::11", 100 } };

/* The log of map writes, and the failure to inject. */

enum map_role {
	R_NONE = 0,
	R_VIPS,
	R_BACKENDS,
	R_MAGLEV,
	R_CONNS,
	R_VIP_STATS,
	R_BE_STATS,
	R_NAMES,
};

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
static size_t n_ops, n_creates;
static bool ops_overflow;

static struct {
	int create_at;    /* fail the n-th bpf_map_create() from now (1-based); 0 = never */
	int update_fd;    /* fail an update of this map ... */
	int update_at;    /* ... the n-th from now; 0 = never */
	bool fired;
} inject;

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

static void ops_reset(void)
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
static void watch_start(const struct xlb_dp *dp)
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
static void watch_stop(void)
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

static int op_first(char kind, int fd, const void *key)
{
	return op_find(kind, fd, key, false);
}

static int op_last(char kind, int fd, const void *key)
{
	return op_find(kind, fd, key, true);
}

/* How many logged ops touched a map of this role. */
static size_t ops_on(enum map_role role)
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
static void assert_before(int a, const char *what_a, int b, const char *what_b)
{
	if (a < 0)
		fail_msg("no write found: %s", what_a);
	if (b < 0)
		fail_msg("no write found: %s", what_b);
	if (a >= b)
		fail_msg("%s (write #%d) must come before %s (write #%d)", what_a, a, what_b, b);
}

/* The maps. */

static int ncpu;

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
static void dp_create(struct xlb_dp *dp, int inner_fd)
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
}

static void dp_close(struct xlb_dp *dp)
{
	int *fds[] = { &dp->vips_fd,	 &dp->backends_fd,	&dp->maglev_fd,	  &dp->conns_fd,
		       &dp->vip_stats_fd, &dp->backend_stats_fd, &dp->vip_names_fd };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		if (*fds[i] > 0) {
			known_del(*fds[i]);
			close(*fds[i]);
		}
		*fds[i] = -1;
	}
}

/* Everything the maps hold that lb.c writes, read back. */
struct snap {
	size_t n_vips;
	struct {
		struct xlb_vip_key key;
		struct xlb_vip val;
	} vips[XLB_MAX_VIPS * 2]; /* sorted by key */
	struct xlb_vip_name names[XLB_MAX_VIPS];
	struct xlb_backend be[XLB_MAX_BACKENDS];
	uint32_t inner[XLB_MAX_VIPS]; /* id of the inner map the VIP of this id reads; 0 = none */
	uint32_t size[XLB_MAX_VIPS];  /* its slots (only the first TABLE are in table[]) */
	uint32_t table[XLB_MAX_VIPS][TABLE];
};

#define MAX_SNAPS 16

struct fail_case;

struct fixture {
	int fds_before; /* open fds before setup; teardown wants the same number back */
	int inner_fd;   /* maglev_tables' inner map template */
	struct xlb_dp dp[2];
	struct xlb_dps dps;  /* lb's: dp[0], or both */
	struct xlb_dps dps2; /* lb2's: dp[1] alone */
	struct xlb_lb lb, lb2;
	bool lb2_used;
	const struct fail_case *fail_case; /* for the table of failed-apply cases */
	struct snap *snaps[MAX_SNAPS]; /* freed by teardown, so a failed assertion leaks nothing */
};

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own fd */
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

static struct snap *snap_take(struct fixture *f, const struct xlb_dp *dp)
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

static void vip_key(const struct vip_ref *r, struct xlb_vip_key *k)
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
static const struct xlb_vip *snap_vip_find(const struct snap *s, const struct vip_ref *r)
{
	struct xlb_vip_key k;
	size_t i;

	vip_key(r, &k);
	for (i = 0; i < s->n_vips; i++)
		if (!memcmp(&s->vips[i].key, &k, sizeof(k)))
			return &s->vips[i].val;
	return NULL;
}

static uint32_t snap_vip_id(const struct snap *s, const struct vip_ref *r)
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
static uint32_t snap_be_find(const struct snap *s, uint32_t vip_id, const char *addr)
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

static uint32_t snap_be_id(const struct snap *s, uint32_t vip_id, const char *addr)
{
	uint32_t id = snap_be_find(s, vip_id, addr);

	if (id == UINT32_MAX)
		fail_msg("backend %s of vip %u: no entry in backends", addr, vip_id);
	return id;
}

static size_t snap_used(const struct snap *s)
{
	size_t i, n = 0;

	for (i = 0; i < XLB_MAX_BACKENDS; i++)
		n += !!(s->be[i].flags & XLB_BE_F_USED);
	return n;
}

static size_t slots_of(const struct snap *s, uint32_t vip_id, uint32_t be_id)
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
static void assert_shares(const struct snap *s, const struct vip_ref *r, const struct be_ref *be,
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

static void assert_snap_equal(const struct snap *a, const struct snap *b, bool same_objects,
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
static void assert_table_kept(const struct snap *now, const struct snap *was,
			      const struct vip_ref *r)
{
	uint32_t id = snap_vip_id(was, r);

	if (!now->inner[id] || now->inner[id] != was->inner[id])
		fail_msg("vip %s: maglev_tables[%u] holds map %u, was %u: rebuilt", r->name, id,
			 now->inner[id], was->inner[id]);
}

/* The VIP has a table, and not the map it had: rebuilt and swapped in. */
static void assert_table_rebuilt(const struct snap *now, const struct snap *was,
				 const struct vip_ref *r)
{
	uint32_t id = snap_vip_id(was, r);

	if (!now->inner[id] || now->inner[id] == was->inner[id])
		fail_msg("vip %s: maglev_tables[%u] holds map %u, was %u: not rebuilt", r->name,
			 id, now->inner[id], was->inner[id]);
}

/* Per-CPU counters. */

static bool counters_zero(int fd, uint32_t id)
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

static void counters_junk(int fd, uint32_t id)
{
	struct xlb_counters c[ncpu];
	int i;

	for (i = 0; i < ncpu; i++)
		c[i] = (struct xlb_counters){ 1000 + i, 64000 + i, 10 + i };
	assert_int_equal(bpf_map_update_elem(fd, &id, c, BPF_ANY), 0);
}

/* Configs. */

static int apply(struct xlb_lb *lb, const char *yaml)
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

static void apply_ok(struct xlb_lb *lb, const char *yaml)
{
	int err = apply(lb, yaml);

	if (err)
		fail_msg("apply failed: %s", strerror(-err));
}

/* lb.c's own view, for xlb_lb_set_state(). */
static struct xlb_lb_vip *lb_vip(struct xlb_lb *lb, const struct vip_ref *r)
{
	struct xlb_vip_key k;
	struct xlb_lb_vip *v;

	vip_key(r, &k);
	v = xlb_lb_vip_by_key(lb, &k);
	if (!v)
		fail_msg("vip %s unknown to lb", r->name);
	return v;
}

static struct xlb_lb_backend *lb_be(struct xlb_lb_vip *v, const char *addr)
{
	struct xlb_lb_backend *b;
	struct xlb_addr a;

	assert_int_equal(xlb_addr_parse(addr, &a), 0);
	b = xlb_lb_backend_by_addr(v, &a);
	if (!b)
		fail_msg("backend %s unknown to lb", addr);
	return b;
}

static int set_state(struct xlb_lb *lb, struct xlb_lb_vip *v, const char *addr, bool healthy,
		     enum xlb_admin admin)
{
	return xlb_lb_set_state(lb, v, lb_be(v, addr), healthy, admin);
}

/* Fixture: one interface's maps, an lb over them, nothing applied. */

static int setup(void **state)
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

static int teardown(void **state)
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

/* Initial apply and reloads. */

/*
 * Test that a first apply installs every VIP, backend and table — unique VIP ids below
 * XLB_MAX_VIPS with the table size as ring_size, named in vip_names; every backend USED|LIVE with
 * its address, weight and VIP id; each table naming only its own VIP's backends, in proportion to
 * their weights; written backends first, tables next, VIP keys last.
 */
static void test_initial_apply(void **state)
{
	struct fixture *f = *state;
	const struct vip_ref *vips[] = { &WEB, &DNS, &V6 };
	const struct be_ref *bes[] = { WEB_BE, DNS_BE, V6_BE };
	size_t n_bes[] = { ARRAY_SIZE(WEB_BE), ARRAY_SIZE(DNS_BE), ARRAY_SIZE(V6_BE) };
	bool vip_seen[XLB_MAX_VIPS] = {}, be_seen[XLB_MAX_BACKENDS] = {};
	const struct snap *s;
	size_t i, j, n_tables = 0;

	apply_ok(&f->lb, BASE);
	s = snap_take(f, &f->dp[0]);

	assert_int_equal(s->n_vips, 3);
	for (i = 0; i < ARRAY_SIZE(vips); i++) {
		const struct xlb_vip *v = snap_vip_find(s, vips[i]);
		struct xlb_vip_key key;
		int tbl;

		assert_non_null(v);
		assert_true(v->id < XLB_MAX_VIPS);
		assert_false(vip_seen[v->id]);
		vip_seen[v->id] = true;
		assert_int_equal(v->ring_size, TABLE);
		assert_int_equal(v->sched, XLB_SCHED_MAGLEV);
		assert_int_equal(v->fwd, XLB_FWD_DR);
		assert_int_equal(v->flags, XLB_VIP_F_NONE);
		assert_int_equal(v->fallback, XLB_NO_BACKEND);
		assert_string_equal(s->names[v->id].name, vips[i]->name);
		assert_true(counters_zero(f->dp[0].vip_stats_fd, v->id));

		vip_key(vips[i], &key);
		tbl = op_first('u', f->dp[0].maglev_fd, &v->id);
		assert_before(tbl, "the VIP's table", op_first('u', f->dp[0].vips_fd, &key),
			      "its vips key");
		for (j = 0; j < n_bes[i]; j++) {
			uint32_t id = snap_be_id(s, v->id, bes[i][j].addr);
			const struct xlb_backend *b = &s->be[id];
			struct xlb_addr a;

			assert_false(be_seen[id]);
			be_seen[id] = true;
			assert_int_equal(xlb_addr_parse(bes[i][j].addr, &a), 0);
			assert_int_equal(b->flags, XLB_BE_F_USED | XLB_BE_F_LIVE);
			assert_int_equal(b->family, a.family);
			assert_memory_equal(b->addr, a.w, sizeof(b->addr));
			assert_int_equal(b->weight, bes[i][j].weight);
			assert_int_equal(b->vip_id, v->id);
			assert_int_equal(b->pad, 0);
			assert_true(counters_zero(f->dp[0].backend_stats_fd, id));
			assert_before(op_first('u', f->dp[0].backends_fd, &id), "a backend's entry",
				      tbl, "its VIP's table");
		}
		assert_shares(s, vips[i], bes[i], n_bes[i]);
	}
	assert_int_equal(snap_used(s), 6);
	for (i = 0; i < XLB_MAX_VIPS; i++)
		n_tables += !!s->inner[i];
	assert_int_equal(n_tables, 3);
}

/*
 * Test that applying the running config again writes nothing — the same ids, the same inner
 * maps in maglev_tables (no rebuild), the same backend entries, not one map write.
 */
static void test_reapply_same(void **state)
{
	struct fixture *f = *state;
	const struct snap *before, *after;

	apply_ok(&f->lb, BASE);
	before = snap_take(f, &f->dp[0]);
	ops_reset();
	apply_ok(&f->lb, BASE);
	assert_int_equal(n_ops, 0);
	assert_int_equal(n_creates, 0);
	after = snap_take(f, &f->dp[0]);
	assert_snap_equal(after, before, true, "after the same config again");
}

/*
 * Test that changing one backend's weight rebuilds only its VIP's table — every id kept, a new
 * inner map for that VIP holding the new shares, the other VIPs' inner maps untouched, the
 * backend's entry carrying the new weight before the table that uses it.
 */
static void test_weight_change(void **state)
{
	static const struct be_ref web_new[] = { { "192.0.2.11", 1 }, { "192.0.2.12", 5 },
						 { "192.0.2.13", 3 } };
	struct fixture *f = *state;
	const struct snap *before, *after;
	uint32_t web, id12;
	size_t i;

	apply_ok(&f->lb, BASE);
	before = snap_take(f, &f->dp[0]);
	ops_reset();
	apply_ok(&f->lb, HEAD WEB_VIP BE("192.0.2.11", 1) BE("192.0.2.12", 5)
				 BE("192.0.2.13", 3) DNS_2 V6_1);
	after = snap_take(f, &f->dp[0]);

	web = snap_vip_id(before, &WEB);
	id12 = snap_be_id(before, web, "192.0.2.12");
	assert_int_equal(n_creates, 1);
	assert_memory_equal(after->vips, before->vips, sizeof(before->vips));
	for (i = 0; i < XLB_MAX_BACKENDS; i++) {
		if (i == id12)
			continue;
		if (memcmp(&after->be[i], &before->be[i], sizeof(after->be[i])))
			fail_msg("backends[%zu] changed, only %u should", i, id12);
	}
	assert_int_equal(after->be[id12].weight, 5);
	assert_int_equal(after->be[id12].flags, before->be[id12].flags);
	assert_table_rebuilt(after, before, &WEB);
	assert_table_kept(after, before, &DNS);
	assert_table_kept(after, before, &V6);
	assert_shares(after, &WEB, web_new, ARRAY_SIZE(web_new));
	assert_before(op_first('u', f->dp[0].backends_fd, &id12), "the new weight's entry",
		      op_first('u', f->dp[0].maglev_fd, &web), "the new table");
	assert_int_equal(ops_on(R_VIPS), 0);
}

/*
 * Test that adding a backend allocates it a fresh id and keeps every other — the new entry
 * USED|LIVE with zeroed counters (whatever the id counted before), written before the rebuilt
 * table that gives it its share.
 */
static void test_add_backend(void **state)
{
	static const struct be_ref web_new[] = { { "192.0.2.11", 1 }, { "192.0.2.12", 2 },
						 { "192.0.2.13", 3 }, { "192.0.2.14", 4 } };
	struct fixture *f = *state;
	const struct snap *before, *after;
	uint32_t web, id, i;

	apply_ok(&f->lb, BASE);
	before = snap_take(f, &f->dp[0]);
	/* Whichever free id it gets, it has counts to lose. */
	for (i = 0; i < XLB_MAX_BACKENDS; i++)
		if (!(before->be[i].flags & XLB_BE_F_USED))
			counters_junk(f->dp[0].backend_stats_fd, i);
	ops_reset();
	apply_ok(&f->lb, HEAD WEB_3 BE("192.0.2.14", 4) DNS_2 V6_1);
	after = snap_take(f, &f->dp[0]);

	web = snap_vip_id(before, &WEB);
	id = snap_be_id(after, web, "192.0.2.14");
	assert_false(before->be[id].flags & XLB_BE_F_USED);
	assert_int_equal(after->be[id].flags, XLB_BE_F_USED | XLB_BE_F_LIVE);
	assert_int_equal(after->be[id].weight, 4);
	assert_int_equal(after->be[id].vip_id, web);
	assert_true(counters_zero(f->dp[0].backend_stats_fd, id));
	for (i = 0; i < XLB_MAX_BACKENDS; i++) {
		if (i == id)
			continue;
		if (memcmp(&after->be[i], &before->be[i], sizeof(after->be[i])))
			fail_msg("backends[%u] changed, only the new %u should", i, id);
	}
	assert_int_equal(snap_used(after), 7);
	assert_table_rebuilt(after, before, &WEB);
	assert_table_kept(after, before, &DNS);
	assert_shares(after, &WEB, web_new, ARRAY_SIZE(web_new));
	assert_before(op_first('u', f->dp[0].backend_stats_fd, &id), "zeroing its counters",
		      op_first('u', f->dp[0].backends_fd, &id), "the new backend's entry");
	assert_before(op_first('u', f->dp[0].backends_fd, &id), "the new backend's entry",
		      op_first('u', f->dp[0].maglev_fd, &web), "the table naming it");
}

/*
 * Test that removing a backend clears its entry only after its VIP's new table stops naming it
 * — flags 0, no slot with its id, every other id kept.
 */
static void test_remove_backend(void **state)
{
	static const struct be_ref web_new[] = { { "192.0.2.11", 1 }, { "192.0.2.13", 3 } };
	static const struct xlb_backend zero;
	struct fixture *f = *state;
	const struct snap *before, *after;
	uint32_t web, id12, i;

	apply_ok(&f->lb, BASE);
	before = snap_take(f, &f->dp[0]);
	web = snap_vip_id(before, &WEB);
	id12 = snap_be_id(before, web, "192.0.2.12");
	ops_reset();
	apply_ok(&f->lb, HEAD WEB_VIP BE("192.0.2.11", 1) BE("192.0.2.13", 3) DNS_2 V6_1);
	after = snap_take(f, &f->dp[0]);

	assert_memory_equal(&after->be[id12], &zero, sizeof(zero));
	assert_int_equal(slots_of(after, web, id12), 0);
	for (i = 0; i < XLB_MAX_BACKENDS; i++) {
		if (i == id12)
			continue;
		if (memcmp(&after->be[i], &before->be[i], sizeof(after->be[i])))
			fail_msg("backends[%u] changed, only the removed %u should", i, id12);
	}
	assert_table_rebuilt(after, before, &WEB);
	assert_table_kept(after, before, &DNS);
	assert_table_kept(after, before, &V6);
	assert_shares(after, &WEB, web_new, ARRAY_SIZE(web_new));
	assert_before(op_last('u', f->dp[0].maglev_fd, &web), "the table without it",
		      op_first('u', f->dp[0].backends_fd, &id12), "clearing its entry");
}

/*
 * Test that removing a VIP takes it out key first, then table, then backends — its vips key
 * gone, its maglev_tables slot empty, its name cleared, its backends cleared, the others
 * untouched; and that its ids are free again: a VIP added next starts with zeroed counters.
 */
static void test_remove_vip(void **state)
{
	static const struct xlb_backend zero;
	struct fixture *f = *state;
	const struct snap *before, *after, *added;
	uint32_t dns, id21, id22, api, i;
	struct xlb_vip_key key;
	int del_key, del_table;

	apply_ok(&f->lb, BASE);
	before = snap_take(f, &f->dp[0]);
	dns = snap_vip_id(before, &DNS);
	id21 = snap_be_id(before, dns, "192.0.2.21");
	id22 = snap_be_id(before, dns, "192.0.2.22");
	ops_reset();
	apply_ok(&f->lb, HEAD WEB_3 V6_1);
	after = snap_take(f, &f->dp[0]);

	assert_int_equal(after->n_vips, 2);
	assert_null(snap_vip_find(after, &DNS));
	assert_int_equal(after->inner[dns], 0);
	assert_string_equal(after->names[dns].name, "");
	assert_memory_equal(&after->be[id21], &zero, sizeof(zero));
	assert_memory_equal(&after->be[id22], &zero, sizeof(zero));
	for (i = 0; i < XLB_MAX_BACKENDS; i++)
		if (i != id21 && i != id22 && memcmp(&after->be[i], &before->be[i], sizeof(zero)))
			fail_msg("backends[%u] changed", i);
	assert_table_kept(after, before, &WEB);
	assert_table_kept(after, before, &V6);
	assert_int_equal(n_creates, 0);

	vip_key(&DNS, &key);
	del_key = op_first('d', f->dp[0].vips_fd, &key);
	del_table = op_first('d', f->dp[0].maglev_fd, &dns);
	assert_before(del_key, "deleting its vips key", del_table, "emptying its table slot");
	assert_before(del_table, "emptying its table slot",
		      op_first('u', f->dp[0].backends_fd, &id21), "clearing its first backend");
	assert_before(del_table, "emptying its table slot",
		      op_first('u', f->dp[0].backends_fd, &id22), "clearing its second backend");

	assert_false(f->lb.vip_used[dns]);
	assert_false(f->lb.be_used[id21]);
	assert_false(f->lb.be_used[id22]);

	/* Whichever ids the next VIP gets, they have counts to lose. */
	for (i = 0; i < XLB_MAX_VIPS; i++)
		if (i != snap_vip_id(after, &WEB) && i != snap_vip_id(after, &V6))
			counters_junk(f->dp[0].vip_stats_fd, i);
	for (i = 0; i < XLB_MAX_BACKENDS; i++)
		if (!(after->be[i].flags & XLB_BE_F_USED))
			counters_junk(f->dp[0].backend_stats_fd, i);
	apply_ok(&f->lb, HEAD WEB_3 V6_1 API_2);
	added = snap_take(f, &f->dp[0]);
	api = snap_vip_id(added, &API);
	assert_true(counters_zero(f->dp[0].vip_stats_fd, api));
	assert_string_equal(added->names[api].name, "api");
	assert_true(counters_zero(f->dp[0].backend_stats_fd, snap_be_id(added, api, "192.0.2.31")));
	assert_true(counters_zero(f->dp[0].backend_stats_fd, snap_be_id(added, api, "192.0.2.32")));
}

/*
 * Test that a weight-0 backend is installed but drained — USED|LIVE (its established flows
 * stay) with no slot in its VIP's table, which is the table its VIP has without it.
 */
static void test_weight_zero(void **state)
{
	struct fixture *f = *state;
	const struct snap *before, *after;
	uint32_t web, id;

	apply_ok(&f->lb, BASE);
	before = snap_take(f, &f->dp[0]);
	apply_ok(&f->lb, HEAD WEB_3 BE("192.0.2.14", 0) DNS_2 V6_1);
	after = snap_take(f, &f->dp[0]);

	web = snap_vip_id(after, &WEB);
	id = snap_be_id(after, web, "192.0.2.14");
	assert_int_equal(after->be[id].flags, XLB_BE_F_USED | XLB_BE_F_LIVE);
	assert_int_equal(after->be[id].weight, 0);
	assert_int_equal(slots_of(after, web, id), 0);
	assert_memory_equal(after->table[web], before->table[web], sizeof(after->table[web]));
	assert_string_equal(xlb_lb_backend_state(lb_be(lb_vip(&f->lb, &WEB), "192.0.2.14")),
			    "drain");
}

/* Health and admin state. */

/*
 * Test that a backend whose check fails leaves its VIP's table before it loses LIVE, and that
 * one whose check passes again gains LIVE before the table names it again — the same table as
 * before it went down.
 */
static void test_set_state_health(void **state)
{
	static const struct be_ref WEB_WITHOUT_12[] = { { "192.0.2.11", 1 }, { "192.0.2.13", 3 } };
	struct fixture *f = *state;
	const struct snap *before, *down, *up;
	struct xlb_lb_backend *b;
	struct xlb_lb_vip *v;
	uint32_t web, id;

	apply_ok(&f->lb, BASE);
	before = snap_take(f, &f->dp[0]);
	web = snap_vip_id(before, &WEB);
	id = snap_be_id(before, web, "192.0.2.12");
	v = lb_vip(&f->lb, &WEB);
	b = lb_be(v, "192.0.2.12");

	ops_reset();
	assert_int_equal(xlb_lb_set_state(&f->lb, v, b, false, XLB_ADMIN_ENABLED), 0);
	down = snap_take(f, &f->dp[0]);
	assert_int_equal(down->be[id].flags, XLB_BE_F_USED);
	assert_int_equal(slots_of(down, web, id), 0);
	assert_shares(down, &WEB, WEB_WITHOUT_12, ARRAY_SIZE(WEB_WITHOUT_12));
	assert_before(op_first('u', f->dp[0].maglev_fd, &web), "the table without it",
		      op_first('u', f->dp[0].backends_fd, &id), "its entry losing LIVE");
	assert_string_equal(xlb_lb_backend_state(b), "down");
	assert_false(xlb_lb_backend_up(b));
	assert_table_kept(down, before, &DNS);

	ops_reset();
	assert_int_equal(xlb_lb_set_state(&f->lb, v, b, true, XLB_ADMIN_ENABLED), 0);
	up = snap_take(f, &f->dp[0]);
	assert_int_equal(up->be[id].flags, XLB_BE_F_USED | XLB_BE_F_LIVE);
	assert_before(op_first('u', f->dp[0].backends_fd, &id), "its entry gaining LIVE",
		      op_first('u', f->dp[0].maglev_fd, &web), "the table with it");
	assert_snap_equal(up, before, false, "after down and up again");
	assert_string_equal(xlb_lb_backend_state(b), "up");
	assert_true(xlb_lb_backend_up(b));

	/* No change, no write. */
	ops_reset();
	assert_int_equal(xlb_lb_set_state(&f->lb, v, b, true, XLB_ADMIN_ENABLED), 0);
	assert_int_equal(n_ops, 0);
}

/*
 * Test the operator's states — DRAIN takes a backend out of the table but keeps it LIVE,
 * DISABLED takes it out and off LIVE (table first), ENABLED brings it back (LIVE first).
 */
static void test_set_state_admin(void **state)
{
	struct fixture *f = *state;
	const struct snap *before, *s;
	struct xlb_lb_backend *b12, *b13;
	struct xlb_lb_vip *v;
	uint32_t web, id12, id13;

	apply_ok(&f->lb, BASE);
	before = snap_take(f, &f->dp[0]);
	web = snap_vip_id(before, &WEB);
	id12 = snap_be_id(before, web, "192.0.2.12");
	id13 = snap_be_id(before, web, "192.0.2.13");
	v = lb_vip(&f->lb, &WEB);
	b12 = lb_be(v, "192.0.2.12");
	b13 = lb_be(v, "192.0.2.13");

	/* enabled -> drain: a new table, the entry as it was */
	ops_reset();
	assert_int_equal(xlb_lb_set_state(&f->lb, v, b12, true, XLB_ADMIN_DRAIN), 0);
	s = snap_take(f, &f->dp[0]);
	assert_int_equal(s->be[id12].flags, XLB_BE_F_USED | XLB_BE_F_LIVE);
	assert_int_equal(slots_of(s, web, id12), 0);
	assert_int_equal(ops_on(R_BACKENDS), 0);
	assert_int_equal(n_creates, 1);
	assert_string_equal(xlb_lb_backend_state(b12), "drain");
	assert_false(xlb_lb_backend_up(b12));

	/* drain -> disabled: already out of the table, so only the entry changes */
	ops_reset();
	assert_int_equal(xlb_lb_set_state(&f->lb, v, b12, true, XLB_ADMIN_DISABLED), 0);
	s = snap_take(f, &f->dp[0]);
	assert_int_equal(s->be[id12].flags, XLB_BE_F_USED);
	assert_int_equal(slots_of(s, web, id12), 0);
	assert_int_equal(n_creates, 0);
	assert_string_equal(xlb_lb_backend_state(b12), "disabled");
	assert_false(xlb_lb_backend_up(b12));

	/* enabled -> disabled at once: table first, then the entry */
	ops_reset();
	assert_int_equal(xlb_lb_set_state(&f->lb, v, b13, true, XLB_ADMIN_DISABLED), 0);
	s = snap_take(f, &f->dp[0]);
	assert_int_equal(s->be[id13].flags, XLB_BE_F_USED);
	assert_int_equal(slots_of(s, web, id13), 0);
	assert_shares(s, &WEB, (const struct be_ref[]){ { "192.0.2.11", 1 } }, 1);
	assert_before(op_first('u', f->dp[0].maglev_fd, &web), "the table without it",
		      op_first('u', f->dp[0].backends_fd, &id13), "its entry losing LIVE");

	/* disabled -> enabled, both: entries first, then the table, which is the first one again */
	ops_reset();
	assert_int_equal(xlb_lb_set_state(&f->lb, v, b12, true, XLB_ADMIN_ENABLED), 0);
	assert_before(op_first('u', f->dp[0].backends_fd, &id12), "its entry gaining LIVE",
		      op_first('u', f->dp[0].maglev_fd, &web), "the table with it");
	assert_int_equal(xlb_lb_set_state(&f->lb, v, b13, true, XLB_ADMIN_ENABLED), 0);
	s = snap_take(f, &f->dp[0]);
	assert_snap_equal(s, before, false, "after every backend is enabled again");
}

/*
 * Test that the operator's say survives a reload of the same config, backends matched by
 * address — a drained and a disabled backend stay so with their lines reordered, and with
 * a changed weight too.
 */
static void test_admin_survives_reapply(void **state)
{
	struct fixture *f = *state;
	const struct snap *s;
	struct xlb_lb_vip *v;
	uint32_t web, id12, id13;

	apply_ok(&f->lb, BASE);
	v = lb_vip(&f->lb, &WEB);
	assert_int_equal(set_state(&f->lb, v, "192.0.2.12", true, XLB_ADMIN_DRAIN), 0);
	assert_int_equal(set_state(&f->lb, v, "192.0.2.13", true, XLB_ADMIN_DISABLED), 0);

	ops_reset();
	apply_ok(&f->lb, BASE);
	assert_int_equal(n_ops, 0);

	apply_ok(&f->lb, HEAD WEB_VIP BE("192.0.2.13", 3) BE("192.0.2.12", 2) BE("192.0.2.11", 1)
				 DNS_2 V6_1);
	apply_ok(&f->lb, HEAD WEB_VIP BE("192.0.2.13", 3) BE("192.0.2.12", 7) BE("192.0.2.11", 1)
				 DNS_2 V6_1);
	s = snap_take(f, &f->dp[0]);
	web = snap_vip_id(s, &WEB);
	id12 = snap_be_id(s, web, "192.0.2.12");
	id13 = snap_be_id(s, web, "192.0.2.13");
	assert_int_equal(s->be[id12].flags, XLB_BE_F_USED | XLB_BE_F_LIVE);
	assert_int_equal(s->be[id12].weight, 7);
	assert_int_equal(s->be[id13].flags, XLB_BE_F_USED);
	assert_shares(s, &WEB, (const struct be_ref[]){ { "192.0.2.11", 1 } }, 1);
	v = lb_vip(&f->lb, &WEB);
	assert_int_equal(lb_be(v, "192.0.2.12")->admin, XLB_ADMIN_DRAIN);
	assert_int_equal(lb_be(v, "192.0.2.13")->admin, XLB_ADMIN_DISABLED);
}

/*
 * Test that a fallback is the VIP's sorry server — vip.fallback is its id, its entry USED|LIVE
 * but in no slot, still LIVE with every real backend down; dropped from the config, the VIP stops
 * naming it before its entry is cleared.
 */
static void test_fallback(void **state)
{
	static const struct xlb_backend zero;
	struct fixture *f = *state;
	const struct snap *s;
	struct xlb_lb_vip *v;
	struct xlb_vip_key key;
	uint32_t web, fb;
	size_t i;

	apply_ok(&f->lb, HEAD WEB_3 FALLBACK("192.0.2.50") DNS_2 V6_1);
	s = snap_take(f, &f->dp[0]);
	web = snap_vip_id(s, &WEB);
	fb = snap_be_id(s, web, "192.0.2.50");
	assert_int_equal(snap_vip_find(s, &WEB)->fallback, fb);
	assert_int_equal(snap_vip_find(s, &DNS)->fallback, XLB_NO_BACKEND);
	assert_int_equal(s->be[fb].flags, XLB_BE_F_USED | XLB_BE_F_LIVE);
	assert_int_equal(s->be[fb].weight, 0);
	assert_int_equal(slots_of(s, web, fb), 0);
	assert_shares(s, &WEB, WEB_BE, ARRAY_SIZE(WEB_BE));

	v = lb_vip(&f->lb, &WEB);
	for (i = 0; i < ARRAY_SIZE(WEB_BE); i++)
		assert_int_equal(set_state(&f->lb, v, WEB_BE[i].addr, false, XLB_ADMIN_ENABLED), 0);
	s = snap_take(f, &f->dp[0]);
	for (i = 0; i < TABLE; i++)
		assert_int_equal(s->table[web][i], XLB_NO_BACKEND);
	assert_int_equal(s->be[fb].flags, XLB_BE_F_USED | XLB_BE_F_LIVE);
	assert_int_equal(snap_vip_find(s, &WEB)->fallback, fb);

	ops_reset();
	apply_ok(&f->lb, BASE);
	s = snap_take(f, &f->dp[0]);
	assert_int_equal(snap_vip_find(s, &WEB)->fallback, XLB_NO_BACKEND);
	assert_memory_equal(&s->be[fb], &zero, sizeof(zero));
	vip_key(&WEB, &key);
	assert_before(op_first('u', f->dp[0].vips_fd, &key), "the VIP without a fallback",
		      op_first('u', f->dp[0].backends_fd, &fb), "clearing the fallback's entry");
}

/*
 * Test that with two interfaces every write reaches both — the same VIPs, backends and names,
 * and the very same inner map in both maglev_tables, after an apply, a reload and a state change.
 */
static void test_two_interfaces(void **state)
{
	struct fixture *f = *state;
	struct xlb_lb_vip *v;

	dp_create(&f->dp[1], f->inner_fd);
	xlb_lb_fini(&f->lb);
	f->dps.n = 2;
	assert_int_equal(xlb_lb_init(&f->lb, &f->dps), 0);

	apply_ok(&f->lb, BASE);
	assert_snap_equal(snap_take(f, &f->dp[1]), snap_take(f, &f->dp[0]), true,
			  "second interface");
	apply_ok(&f->lb, HEAD WEB_3 BE("192.0.2.14", 4) V6_1 API_2);
	v = lb_vip(&f->lb, &WEB);
	assert_int_equal(set_state(&f->lb, v, "192.0.2.11", false, XLB_ADMIN_ENABLED), 0);
	assert_snap_equal(snap_take(f, &f->dp[1]), snap_take(f, &f->dp[0]), true,
			  "second interface after a reload");
}

/* The entry of backend addr of VIP r in one interface's backends map. */
static struct xlb_backend dp_be(struct fixture *f, const struct xlb_dp *dp,
				const struct vip_ref *r, const char *addr)
{
	const struct snap *s = snap_take(f, dp);

	return s->be[snap_be_id(s, snap_vip_id(s, r), addr)];
}

/*
 * Test that each interface's backends map carries the next hop learnt on that interface: a MAC
 * learnt on the second reaches only the second, one learnt on both gives each its own, and a
 * restart adopts each interface's MAC from its own map. Also that a fresh id's counters are
 * zeroed on both interfaces, not only the first.
 */
static void test_two_interfaces_macs(void **state)
{
	static const uint8_t m0[6] = { 2, 0, 0, 0, 0, 0x10 }, m1[6] = { 2, 0, 0, 0, 1, 0x11 };
	struct fixture *f = *state;
	struct xlb_backend be0, be1;
	struct xlb_addr a11, a12;
	struct xlb_lb_backend *b;
	uint32_t id;

	dp_create(&f->dp[1], f->inner_fd);
	xlb_lb_fini(&f->lb);
	f->dps.n = 2;
	assert_int_equal(xlb_lb_init(&f->lb, &f->dps), 0);
	apply_ok(&f->lb, BASE);
	assert_int_equal(xlb_addr_parse("192.0.2.11", &a11), 0);
	assert_int_equal(xlb_addr_parse("192.0.2.12", &a12), 0);

	xlb_lb_set_mac(&f->lb, 1, &a12, m1);
	be0 = dp_be(f, &f->dp[0], &WEB, "192.0.2.12");
	be1 = dp_be(f, &f->dp[1], &WEB, "192.0.2.12");
	assert_false(be0.flags & XLB_BE_F_MAC);
	assert_true(be1.flags & XLB_BE_F_MAC);
	assert_memory_equal(be1.mac, m1, 6);
	assert_int_equal(xlb_lb_unresolved(&f->lb, NULL), 5);

	xlb_lb_set_mac(&f->lb, 0, &a11, m0);
	xlb_lb_set_mac(&f->lb, 1, &a11, m1);
	be0 = dp_be(f, &f->dp[0], &WEB, "192.0.2.11");
	be1 = dp_be(f, &f->dp[1], &WEB, "192.0.2.11");
	assert_true(be0.flags & be1.flags & XLB_BE_F_MAC);
	assert_memory_equal(be0.mac, m0, 6);
	assert_memory_equal(be1.mac, m1, 6);

	/* A health change rewrites both entries, each with its own MAC. */
	assert_int_equal(set_state(&f->lb, lb_vip(&f->lb, &WEB), "192.0.2.11", false,
				   XLB_ADMIN_ENABLED), 0);
	be0 = dp_be(f, &f->dp[0], &WEB, "192.0.2.11");
	be1 = dp_be(f, &f->dp[1], &WEB, "192.0.2.11");
	assert_false(be0.flags & XLB_BE_F_LIVE);
	assert_false(be1.flags & XLB_BE_F_LIVE);
	assert_memory_equal(be0.mac, m0, 6);
	assert_memory_equal(be1.mac, m1, 6);

	xlb_lb_fini(&f->lb);
	assert_int_equal(xlb_lb_init(&f->lb, &f->dps), 0);
	b = lb_be(lb_vip(&f->lb, &WEB), "192.0.2.11");
	assert_true(b->hop[0].has_mac && b->hop[1].has_mac);
	assert_memory_equal(b->hop[0].mac, m0, 6);
	assert_memory_equal(b->hop[1].mac, m1, 6);
	b = lb_be(lb_vip(&f->lb, &WEB), "192.0.2.12");
	assert_false(b->hop[0].has_mac);
	assert_true(b->hop[1].has_mac);

	/* The next free id, with junk left in both interfaces' counters by its last owner. */
	apply_ok(&f->lb, BASE);
	id = 0;
	while (id < XLB_MAX_BACKENDS && f->lb.be_used[id])
		id++;
	counters_junk(f->dp[0].backend_stats_fd, id);
	counters_junk(f->dp[1].backend_stats_fd, id);
	apply_ok(&f->lb, HEAD WEB_3 BE("192.0.2.14", 4) DNS_2 V6_1);
	assert_int_equal(lb_be(lb_vip(&f->lb, &WEB), "192.0.2.14")->id, id);
	assert_true(counters_zero(f->dp[0].backend_stats_fd, id));
	assert_true(counters_zero(f->dp[1].backend_stats_fd, id));
}

/* Restarts: a fresh struct xlb_lb over maps an earlier one filled. */

static void restart(struct fixture *f)
{
	xlb_lb_fini(&f->lb);
	f->dps.n = 1;
	assert_int_equal(xlb_lb_init(&f->lb, &f->dps), 0);
}

/* Fill the maps so that no id is where a first-fit allocator would put it. */
static const struct snap *prior_life(struct fixture *f)
{
	apply_ok(&f->lb, BASE);
	apply_ok(&f->lb, HEAD DNS_2 V6_1); /* web's ids are free now, the lowest ones */
	return snap_take(f, &f->dp[0]);
}

/*
 * Test that a restart adopts the ids it finds in the maps — the same config on a fresh lb keeps
 * every VIP and backend id, so the tables it rebuilds are the same, slot for slot.
 */
static void test_restart_same_config(void **state)
{
	struct fixture *f = *state;
	const struct snap *before, *after;

	before = prior_life(f);
	restart(f);
	apply_ok(&f->lb, HEAD V6_1 DNS_2); /* VIPs in another order, for good measure */
	after = snap_take(f, &f->dp[0]);
	assert_snap_equal(after, before, false, "after a restart");
}

/*
 * Test that a restart whose config lists a new VIP first still adopts the old ids — the new VIP
 * and its backends take free ids, not ones the maps say are in use.
 */
static void test_restart_new_vip_first(void **state)
{
	const struct vip_ref *vips[] = { &WEB, &DNS, &V6 };
	const struct be_ref *bes[] = { WEB_BE, DNS_BE, V6_BE };
	size_t n_bes[] = { ARRAY_SIZE(WEB_BE), ARRAY_SIZE(DNS_BE), ARRAY_SIZE(V6_BE) };
	struct fixture *f = *state;
	const struct snap *before, *after;
	uint32_t vip_was, vip_now, was, now;
	size_t i, j;

	apply_ok(&f->lb, BASE);
	before = snap_take(f, &f->dp[0]);
	restart(f);
	apply_ok(&f->lb, HEAD API_2 WEB_3 DNS_2 V6_1);
	after = snap_take(f, &f->dp[0]);
	for (i = 0; i < ARRAY_SIZE(vips); i++) {
		vip_was = snap_vip_id(before, vips[i]);
		vip_now = snap_vip_id(after, vips[i]);
		if (vip_was != vip_now)
			fail_msg("vip %s: id %u before the restart, %u after", vips[i]->name,
				 vip_was, vip_now);
		for (j = 0; j < n_bes[i]; j++) {
			was = snap_be_id(before, vip_was, bes[i][j].addr);
			now = snap_be_id(after, vip_now, bes[i][j].addr);
			if (was != now)
				fail_msg("vip %s: backend %s: id %u before the restart, %u after",
					 vips[i]->name, bes[i][j].addr, was, now);
		}
	}
}

/*
 * Test that a restart whose config no longer has a backend takes it out of the maps — its entry
 * cleared, the rest of its VIP kept.
 */
static void test_restart_drops_backend(void **state)
{
	static const struct xlb_backend zero;
	struct fixture *f = *state;
	const struct snap *before, *after;
	uint32_t dns, id21, id22;

	before = prior_life(f);
	dns = snap_vip_id(before, &DNS);
	id21 = snap_be_id(before, dns, "192.0.2.21");
	id22 = snap_be_id(before, dns, "192.0.2.22");
	restart(f);
	apply_ok(&f->lb, HEAD V6_1 VIP("dns", "203.0.113.2", 53, "udp") BE("192.0.2.22", 100));
	after = snap_take(f, &f->dp[0]);
	assert_int_equal(snap_vip_id(after, &DNS), dns);
	assert_int_equal(snap_be_id(after, dns, "192.0.2.22"), id22);
	assert_int_equal(slots_of(after, dns, id21), 0);
	if (memcmp(&after->be[id21], &zero, sizeof(zero)))
		fail_msg("backends[%u], dropped from the config, still has flags %#x", id21,
			 after->be[id21].flags);
	assert_int_equal(snap_used(after), 2);
}

/*
 * Test that a restart whose config no longer has a VIP takes it out of the maps — its vips key,
 * its maglev_tables slot and its backends' entries gone.
 */
static void test_restart_drops_vip(void **state)
{
	static const struct xlb_backend zero;
	struct fixture *f = *state;
	const struct snap *before, *after;
	uint32_t dns, id21, id22;

	before = prior_life(f);
	dns = snap_vip_id(before, &DNS);
	id21 = snap_be_id(before, dns, "192.0.2.21");
	id22 = snap_be_id(before, dns, "192.0.2.22");
	restart(f);
	apply_ok(&f->lb, HEAD V6_1);
	after = snap_take(f, &f->dp[0]);
	if (snap_vip_find(after, &DNS))
		fail_msg("vip dns, dropped from the config, still in vips with id %u (table %s)",
			 snap_vip_id(after, &DNS), after->inner[dns] ? "installed" : "empty");
	assert_int_equal(after->n_vips, 1);
	assert_int_equal(after->inner[dns], 0);
	assert_memory_equal(&after->be[id21], &zero, sizeof(zero));
	assert_memory_equal(&after->be[id22], &zero, sizeof(zero));
	assert_int_equal(snap_used(after), 1);
}

/*
 * Test that a restart takes out tables no VIP reads — one in the bank a VIP does not read (an
 * xlbd stopped between writing a new-size table and switching its VIP to it) and one in the
 * slot of an id no VIP has — the maps then say what they said before.
 */
static void test_restart_clears_unread_tables(void **state)
{
	struct fixture *f = *state;
	const struct snap *before, *after;
	uint32_t other, spare = XLB_MAX_VIPS - 1;

	apply_ok(&f->lb, BASE);
	before = snap_take(f, &f->dp[0]);
	other = snap_vip_id(before, &WEB) + XLB_MAX_VIPS;
	assert_int_equal(bpf_map_update_elem(f->dp[0].maglev_fd, &other, &f->inner_fd, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(f->dp[0].maglev_fd, &spare, &f->inner_fd, BPF_ANY), 0);
	restart(f);
	apply_ok(&f->lb, BASE);
	after = snap_take(f, &f->dp[0]);
	assert_snap_equal(after, before, false, "after a restart on maps with unread tables");
}

/* Failed applies. */

/* Apply a config of web with n_web backends on web_net.0.0/16 and, with n_api, api with n_api on
 * api_net.0.0/16; all of weight 100. */
static int apply_two(struct xlb_lb *lb, const char *head, const char *web_net, size_t n_web,
		     const char *api_net, size_t n_api)
{
	size_t cap = 512 + (n_web + n_api) * 64, len, i;
	char *y = malloc(cap);
	int err;

	assert_non_null(y);
	len = snprintf(y, cap, "%s" WEB_VIP, head);
	for (i = 0; i < n_web && len < cap; i++)
		len += snprintf(y + len, cap - len, "      - {address: %s.%zu.%zu}\n", web_net,
				i / 250, i % 250 + 1);
	if (n_api && len < cap)
		len += snprintf(y + len, cap - len, VIP("api", "203.0.113.3", 8080, "tcp"));
	for (i = 0; i < n_api && len < cap; i++)
		len += snprintf(y + len, cap - len, "      - {address: %s.%zu.%zu}\n", api_net,
				i / 250, i % 250 + 1);
	err = len < cap ? apply(lb, y) : -E2BIG;
	free(y);
	return err;
}

/* Apply a config of one VIP, web, with n backends of weight 100 on net.0.0/16. */
static int apply_many(struct xlb_lb *lb, const char *net, size_t n)
{
	return apply_two(lb, HEAD, net, n, NULL, 0);
}

/* The maps hold exactly n backends of the VIP, the ones on net.0.0/16 that apply_two() writes. */
static void assert_backends(struct fixture *f, const struct vip_ref *r, const char *net, size_t n)
{
	const struct snap *s = snap_take(f, &f->dp[0]);
	uint32_t vip = snap_vip_id(s, r);
	size_t i, in_vip = 0;
	char addr[32];

	for (i = 0; i < XLB_MAX_BACKENDS; i++)
		in_vip += (s->be[i].flags & XLB_BE_F_USED) && s->be[i].vip_id == vip;
	if (in_vip != n)
		fail_msg("vip %s: %zu backends in the maps, want %zu", r->name, in_vip, n);
	for (i = 0; i < n; i++) {
		snprintf(addr, sizeof(addr), "%s.%zu.%zu", net, i / 250, i % 250 + 1);
		snap_be_id(s, vip, addr);
	}
}

/* Run an apply (call), watching every write it makes; fail if it fails. */
#define WATCHED(f, call)                                \
	do {                                            \
		watch_start(&(f)->dp[0]);               \
		int err_ = (call);                      \
		watch_stop();                           \
		if (err_)                               \
			fail_msg("apply failed: %s", strerror(-err_)); \
	} while (0)

/*
 * Test that a config of 2100 backends replaces another of 2100 others, both ways, although old
 * and new together (4200) would not fit the backends map (4096) — the maps then hold exactly
 * the new set, and between any two writes every slot of the VIP's table names a live backend of
 * it.
 */
static void test_replace_2100_one_vip(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(apply_many(&f->lb, "10.1", 2100), 0);
	WATCHED(f, apply_many(&f->lb, "10.2", 2100));
	assert_backends(f, &WEB, "10.2", 2100);
	WATCHED(f, apply_many(&f->lb, "10.1", 2100));
	assert_backends(f, &WEB, "10.1", 2100);
	assert_int_equal(snap_used(snap_take(f, &f->dp[0])), 2100);
}

/*
 * Test that 2100 backends move between VIPs by reload, both ways — web's 2100 give way to web
 * 100 others and a new VIP api with 2000; back again, api goes and web has its 2100 — each
 * VIP always seeing a whole table of live backends of its own.
 */
static void test_replace_2100_across_vips(void **state)
{
	struct fixture *f = *state;
	struct xlb_vip_key api;

	assert_int_equal(apply_many(&f->lb, "10.1", 2100), 0);
	WATCHED(f, apply_two(&f->lb, HEAD, "10.2", 100, "10.3", 2000));
	assert_backends(f, &WEB, "10.2", 100);
	assert_backends(f, &API, "10.3", 2000);
	WATCHED(f, apply_many(&f->lb, "10.1", 2100));
	assert_backends(f, &WEB, "10.1", 2100);
	vip_key(&API, &api);
	assert_null(xlb_lb_vip_by_key(&f->lb, &api));
	assert_int_equal(snap_used(snap_take(f, &f->dp[0])), 2100);
}

/* Append backends i = from .. from + n - 1 on net.0.0/16, as apply_two() numbers them. */
static size_t yaml_range(char *y, size_t len, size_t cap, const char *net, size_t from, size_t n)
{
	size_t i;

	for (i = from; i < from + n && len < cap; i++)
		len += snprintf(y + len, cap - len, "      - {address: %s.%zu.%zu}\n", net, i / 250,
				i % 250 + 1);
	return len;
}

/*
 * Test that ids free for some VIPs' successors are not used up by others' — web and api of 2000
 * backends each; the reload drops 50 of each and adds 98 to each (4096 in all, 96 ids free):
 * taking free ids first, web would take all 96 and api would lack 48; each VIP's departing ids
 * go to its own successors first, and the reload goes through.
 */
static void test_replace_two_growing_vips(void **state)
{
	struct fixture *f = *state;
	size_t cap = 512 + 4200 * 64, len;
	char *y = malloc(cap);
	const struct snap *s;
	uint32_t api;
	int err;

	assert_non_null(y);
	assert_int_equal(apply_two(&f->lb, HEAD, "10.1", 2000, "10.2", 2000), 0);
	len = snprintf(y, cap, HEAD WEB_VIP);
	len = yaml_range(y, len, cap, "10.1", 50, 1950);
	len = yaml_range(y, len, cap, "10.3", 0, 98);
	if (len < cap)
		len += snprintf(y + len, cap - len, VIP("api", "203.0.113.3", 8080, "tcp"));
	len = yaml_range(y, len, cap, "10.2", 50, 1950);
	len = yaml_range(y, len, cap, "10.4", 0, 98);
	assert_true(len < cap);
	watch_start(&f->dp[0]);
	err = apply(&f->lb, y);
	watch_stop();
	free(y);
	if (err)
		fail_msg("apply failed: %s", strerror(-err));
	s = snap_take(f, &f->dp[0]);
	assert_int_equal(snap_used(s), XLB_MAX_BACKENDS);
	api = snap_vip_id(s, &API);
	assert_int_equal(snap_be_find(s, api, "10.2.0.50"), UINT32_MAX);
	snap_be_id(s, api, "10.2.0.51");
	snap_be_id(s, api, "10.4.0.98");
}

/*
 * Test that a restart on the maps of a 2100-backend config starts with another 2100-backend
 * config, and back — the state an earlier xlbd left is replaced as a reload replaces it.
 */
static void test_restart_2100(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(apply_many(&f->lb, "10.1", 2100), 0);
	restart(f);
	WATCHED(f, apply_many(&f->lb, "10.2", 2100));
	assert_backends(f, &WEB, "10.2", 2100);
	restart(f);
	WATCHED(f, apply_two(&f->lb, HEAD, "10.2", 100, "10.3", 2000));
	assert_backends(f, &API, "10.3", 2000);
}

#define HEAD_257                       \
	"interfaces: [{name: eth0}]\n" \
	"maglev: {table_size: 257}\n"  \
	"vips:\n"

/*
 * Test that changing maglev.table_size switches each VIP's table and ring_size together — at no
 * point between two writes does a VIP's ring_size differ from the slots of the table it reads
 * (a packet would hash past its end, or into part of it); afterwards every VIP reads a table of
 * the new size, and the other bank is empty. Both ways, and with a backend change in the same
 * reload.
 */
static void test_table_size_change(void **state)
{
	struct fixture *f = *state;
	const struct snap *s;

	apply_ok(&f->lb, BASE);
	WATCHED(f, apply(&f->lb, HEAD_257 WEB_3 DNS_2 V6_1));
	s = snap_take(f, &f->dp[0]);
	assert_int_equal(snap_vip_find(s, &WEB)->ring_size, 257);
	assert_int_equal(s->size[snap_vip_id(s, &DNS)], 257);
	WATCHED(f, apply(&f->lb, CHANGED));
	s = snap_take(f, &f->dp[0]);
	assert_int_equal(snap_vip_find(s, &API)->ring_size, TABLE);
	assert_int_equal(snap_vip_find(s, &V6)->ring_size, TABLE);
	assert_shares(s, &DNS, (const struct be_ref[]){ { "192.0.2.21", 100 },
							{ "192.0.2.22", 100 },
							{ "192.0.2.23", 100 } }, 3);
	/* A restart on maps of another size does the same. */
	restart(f);
	WATCHED(f, apply(&f->lb, HEAD_257 WEB_3 DNS_2 V6_1));
	assert_int_equal(snap_vip_find(snap_take(f, &f->dp[0]), &V6)->ring_size, 257);
}

/*
 * Test that a 2100 -> 2100 reload failing after some new backends took over departing ones' ids
 * leaves the maps as they were — each taken-over entry back to its old backend, no free id
 * lost — and that between any two of its writes and of the restore's, every slot names a live
 * backend of its VIP; the same reload then succeeds.
 */
static void test_failed_apply_handover(void **state)
{
	struct fixture *f = *state;
	const struct snap *before, *after;
	uint8_t be_used[XLB_MAX_BACKENDS];

	assert_int_equal(apply_many(&f->lb, "10.1", 2100), 0);
	before = snap_take(f, &f->dp[0]);
	memcpy(be_used, f->lb.be_used, sizeof(be_used));
	memset(&inject, 0, sizeof(inject));
	inject.update_fd = f->dp[0].backends_fd;
	inject.update_at = 2050; /* the pool has 1996 ids: 54 take-overs are written by then */
	watch_start(&f->dp[0]);
	assert_true(apply_many(&f->lb, "10.2", 2100) < 0);
	watch_stop();
	assert_true(inject.fired);
	memset(&inject, 0, sizeof(inject));
	assert_memory_equal(f->lb.be_used, be_used, sizeof(be_used));
	after = snap_take(f, &f->dp[0]);
	assert_snap_equal(after, before, false, "after a failed reload that took over ids");
	WATCHED(f, apply_many(&f->lb, "10.2", 2100));
	assert_backends(f, &WEB, "10.2", 2100);
}

/*
 * Test that a reload failing in its second step (api's table cannot be created, after web gave
 * its ids back) leaves every VIP whole — web new, api not there — with lb saying the same as
 * the maps, and that the same reload then completes.
 */
static void test_failed_second_step(void **state)
{
	struct fixture *f = *state;
	struct xlb_vip_key api;
	const struct snap *s;

	assert_int_equal(apply_many(&f->lb, "10.1", 2100), 0);
	memset(&inject, 0, sizeof(inject));
	inject.create_at = 2; /* web's table in the first step, api's in the second */
	watch_start(&f->dp[0]);
	assert_true(apply_two(&f->lb, HEAD, "10.2", 100, "10.3", 2000) < 0);
	watch_stop();
	assert_true(inject.fired);
	memset(&inject, 0, sizeof(inject));
	assert_backends(f, &WEB, "10.2", 100);
	s = snap_take(f, &f->dp[0]);
	assert_null(snap_vip_find(s, &API));
	assert_int_equal(snap_used(s), 100);
	vip_key(&API, &api);
	assert_null(xlb_lb_vip_by_key(&f->lb, &api));
	assert_int_equal(f->lb.vips[0].n_backends, 100);
	WATCHED(f, apply_two(&f->lb, HEAD, "10.2", 100, "10.3", 2000));
	assert_backends(f, &API, "10.3", 2000);
}

struct fail_case {
	const char *desc;
	bool create;         /* fail a bpf_map_create(); otherwise an update of role */
	enum map_role role;
	int nth;
};

/* CHANGED over BASE writes: backends .12 then .23 then api's; tables web, dns, api; vips api. */
static const struct fail_case fail_cases[] = {
	{ "Test that a reload whose second backend write fails "
	  "— leaves the maps as they were",
	  false, R_BACKENDS, 2 },
	{ "Test that a reload whose second table cannot be created "
	  "— leaves the maps as they were",
	  true, R_NONE, 2 },
	{ "Test that a reload whose second table swap fails "
	  "— leaves the maps as they were",
	  false, R_MAGLEV, 2 },
	{ "Test that a reload whose new VIP's key cannot be written "
	  "— leaves the maps as they were",
	  false, R_VIPS, 1 },
};

static int fd_of(const struct xlb_dp *dp, enum map_role role)
{
	switch (role) {
	case R_VIPS:
		return dp->vips_fd;
	case R_BACKENDS:
		return dp->backends_fd;
	case R_MAGLEV:
		return dp->maglev_fd;
	default:
		return -1;
	}
}

static void fail_apply(struct fixture *f, const struct fail_case *c)
{
	uint8_t vip_used[XLB_MAX_VIPS], be_used[XLB_MAX_BACKENDS];
	struct xlb_vip_key api;
	int err;

	memcpy(vip_used, f->lb.vip_used, sizeof(vip_used));
	memcpy(be_used, f->lb.be_used, sizeof(be_used));
	memset(&inject, 0, sizeof(inject));
	if (c->create) {
		inject.create_at = c->nth;
	} else {
		inject.update_fd = fd_of(&f->dp[0], c->role);
		inject.update_at = c->nth;
	}
	err = apply(&f->lb, CHANGED);
	assert_true(inject.fired);
	memset(&inject, 0, sizeof(inject));
	assert_true(err < 0);
	/* lb's own view is the old one */
	assert_int_equal(f->lb.n_vips, 3);
	vip_key(&API, &api);
	assert_null(xlb_lb_vip_by_key(&f->lb, &api));
	assert_memory_equal(f->lb.vip_used, vip_used, sizeof(vip_used));
	assert_memory_equal(f->lb.be_used, be_used, sizeof(be_used));
	assert_int_equal(lb_be(lb_vip(&f->lb, &WEB), "192.0.2.12")->weight, 2);
}

static void test_failed_apply(void **state)
{
	struct fixture *f = *state;
	const struct fail_case *c = f->fail_case;
	const struct snap *before, *after;

	apply_ok(&f->lb, BASE);
	before = snap_take(f, &f->dp[0]);
	fail_apply(f, c);
	after = snap_take(f, &f->dp[0]);
	/* A table the failed attempt swapped out comes back rebuilt: the same slots in a new map
	 * (what a packet sees), not the same map object. */
	assert_snap_equal(after, before, false, c->desc);
}

/* setup(), for a row of fail_cases (cmocka hands the row in as the initial state). */
static int setup_case(void **state)
{
	const struct fail_case *c = *state;
	int err = setup(state);

	if (!err)
		((struct fixture *)*state)->fail_case = c;
	return err;
}

/*
 * Test that after a failed reload, the running config applied again gets the maps back to it —
 * what the failed attempt wrote does not stay behind.
 */
static void test_failed_apply_then_old(void **state)
{
	struct fixture *f = *state;
	const struct snap *before, *after;

	apply_ok(&f->lb, BASE);
	before = snap_take(f, &f->dp[0]);
	fail_apply(f, &fail_cases[1]);
	apply_ok(&f->lb, BASE);
	after = snap_take(f, &f->dp[0]);
	assert_snap_equal(after, before, false, "the running config again after a failed reload");
}

/*
 * Test that after a failed reload, the new config applied again gives what a clean reload gives
 * — the same ids, entries and slots as BASE then CHANGED on fresh maps.
 */
static void test_failed_apply_then_new(void **state)
{
	struct fixture *f = *state;
	const struct snap *clean, *retried;

	dp_create(&f->dp[1], f->inner_fd);
	f->dps2 = (struct xlb_dps){ &f->dp[1], 1 };
	assert_int_equal(xlb_lb_init(&f->lb2, &f->dps2), 0);
	f->lb2_used = true;
	apply_ok(&f->lb2, BASE);
	apply_ok(&f->lb2, CHANGED);
	clean = snap_take(f, &f->dp[1]);

	apply_ok(&f->lb, BASE);
	fail_apply(f, &fail_cases[1]);
	apply_ok(&f->lb, CHANGED);
	retried = snap_take(f, &f->dp[0]);
	assert_snap_equal(retried, clean, false, "the new config again after a failed reload");
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_initial_apply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reapply_same, setup, teardown),
		cmocka_unit_test_setup_teardown(test_weight_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_backend, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_backend, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_vip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_weight_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_state_health, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_state_admin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_admin_survives_reapply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_interfaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_interfaces_macs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_same_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_new_vip_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_drops_backend, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_drops_vip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace_2100_one_vip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace_2100_across_vips, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace_two_growing_vips, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_2100, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_clears_unread_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_size_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_apply_handover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_second_step, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_apply_then_old, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_apply_then_new, setup, teardown),
	};
	struct CMUnitTest cases[ARRAY_SIZE(fail_cases)];
	size_t i;
	int failed;

	if (!can_bpf()) {
		fprintf(stderr, "test_lb: creating BPF maps needs root (CAP_BPF); skipped\n");
		return 77;
	}
	ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0) {
		fprintf(stderr, "test_lb: cannot count CPUs: %s\n", strerror(-ncpu));
		return 1;
	}
	xlb_log_init("test_lb", XLB_LOG_WARN);

	failed = cmocka_run_group_tests_name("lb", tests, NULL, NULL);

	/* One named test per row, so a failure names the case. */
	for (i = 0; i < ARRAY_SIZE(fail_cases); i++)
		cases[i] = (struct CMUnitTest){
			.name = fail_cases[i].desc,
			.test_func = test_failed_apply,
			.setup_func = setup_case,
			.teardown_func = teardown,
			.initial_state = (void *)&fail_cases[i],
		};
	failed += _cmocka_run_group_tests("lb_failed_apply", cases, ARRAY_SIZE(cases), NULL, NULL);
	return failed ? 1 : 0;
}
