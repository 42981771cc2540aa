// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sweep (sweep.h). Each map is walked with BPF_MAP_LOOKUP_BATCH, a few thousand entries a
 * call, and what expired in a batch is deleted with one BPF_MAP_DELETE_BATCH before the next:
 * a hash map's batch cursor is a bucket index, so deleting behind it moves nothing the walk has
 * yet to see. A batch lookup does not set the LRU's reference bit, so the walk does not keep
 * idle entries from eviction.
 *
 * The recount: the counts are read before the walk (S), the walk counts what stays (W), and
 * W - S is added to each count atomically. What the data path adds during the walk is kept, and
 * what the sweep deletes is taken away; an entry inserted during the walk and also seen by it is
 * counted twice until the next pass (a bounded, transient error the next pass removes).
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <netinet/in.h>

#include "agent/sweep.h"
#include "common/log.h"

/* Entries per batch call: 4096 flows of 56 bytes is a quarter of a megabyte of buffers. */
#define SWEEP_BATCH 4096u
/* A kept template's last_seen is rewritten at most this often (the data path's touch rate). */
#define SWEEP_REFRESH_NS 1000000000ull
#define NS_PER_MS 1000000ull

struct sweep_count {
	int64_t active;
	int64_t inactive;
};

/*
 * One pass, kept between the steps of xlbd's loop: where it stands (the stage: each conns, then
 * syns, then templates; the batch cursor in it), batch buffers, the counts it began from (S) and
 * its recount (W), the clients with a flow of a persistent VIP.
 */
struct sweep_pass {
	uint64_t now;
	uint64_t floor; /* s->age_floor_ns when the pass began */
	size_t stage;
	uint64_t in, out; /* batch cursors (a hash map's is a bucket index) */
	bool first;
	int fd; /* the map being walked */
	uint8_t *keys, *vals, *del;
	struct sweep_count *was;   /* by backend id, at the start */
	struct sweep_count *count; /* by backend id, what stays */
	struct xlb_template_key *live;
	size_t n_live, cap_live;
	int err;
};

/* true: delete the entry. */
typedef bool (*sweep_visit)(struct xlb_sweep *s, struct sweep_pass *p, void *key, void *val);

uint64_t xlb_sweep_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t idle_ns(const struct sweep_pass *p, uint64_t last_seen)
{
	if (last_seen < p->floor)
		last_seen = p->floor;
	return p->now > last_seen ? p->now - last_seen : 0;
}

static void count_add(struct xlb_sweep *s, struct sweep_pass *p, uint32_t backend, bool active)
{
	if (backend >= s->n_backends)
		return;
	if (active)
		p->count[backend].active++;
	else
		p->count[backend].inactive++;
}

static bool visit_conn(struct xlb_sweep *s, struct sweep_pass *p, void *key, void *val)
{
	const struct xlb_flow *f = key;
	const struct xlb_conn *c = val;
	bool tcp = f->proto == IPPROTO_TCP;
	uint32_t ms;

	switch (c->state) {
	case XLB_CS_CLOSING:
		ms = s->timeouts.tcp_fin_ms;
		break;
	case XLB_CS_SYN:
		ms = s->timeouts.tcp_syn_ms;
		break;
	default: /* ACTIVE, or a state this xlbd does not know: the longest-lived reading */
		ms = tcp ? s->timeouts.tcp_ms : s->timeouts.udp_ms;
		break;
	}
	if (idle_ns(p, c->last_seen) > ms * NS_PER_MS)
		return true;
	count_add(s, p, c->backend, tcp && c->state == XLB_CS_ACTIVE);
	if (c->vip_id < XLB_MAX_VIPS && s->persist_ms[c->vip_id]) {
		struct xlb_template_key *t;

		if (p->n_live == p->cap_live) {
			size_t cap = p->cap_live ? p->cap_live * 2 : 1024;

			t = realloc(p->live, cap * sizeof(*t));
			if (!t) {
				/* Without the list a template could expire under a live flow. */
				p->err = -ENOMEM;
				return false;
			}
			p->live = t;
			p->cap_live = cap;
		}
		t = &p->live[p->n_live++];
		memset(t, 0, sizeof(*t));
		memcpy(t->client, f->src, sizeof(t->client));
		t->vip_id = c->vip_id;
		t->family = f->family;
	}
	return false;
}

static bool visit_syn(struct xlb_sweep *s, struct sweep_pass *p, void *key, void *val)
{
	const struct xlb_flow *f = key;
	const struct xlb_conn *c = val;

	if (idle_ns(p, c->last_seen) > s->timeouts.tcp_syn_ms * NS_PER_MS)
		return true;
	/* A pending template is no connection. */
	if (f->pad[0] == XLB_FLOW_K_CONN)
		count_add(s, p, c->backend, false);
	return false;
}

static int cmp_tkey(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct xlb_template_key));
}

static bool visit_template(struct xlb_sweep *s, struct sweep_pass *p, void *key, void *val)
{
	const struct xlb_template_key *k = key;
	struct xlb_template *t = val;
	uint32_t ms = k->vip_id < XLB_MAX_VIPS ? s->persist_ms[k->vip_id] : 0;
	uint64_t idle = idle_ns(p, t->last_seen);

	if (!ms)
		return true;
	if (p->n_live && bsearch(k, p->live, p->n_live, sizeof(*p->live), cmp_tkey)) {
		if (idle >= SWEEP_REFRESH_NS) {
			t->last_seen = p->now;
			/* BPF_EXIST: one the data path just replaced or the LRU evicted stays so. */
			if (!bpf_map_update_elem(p->fd, k, t, BPF_EXIST))
				s->last.refreshed++;
		}
		return false;
	}
	return idle > ms * NS_PER_MS;
}

/* Delete n keys; one gone meanwhile (evicted, or deleted by another) is skipped. */
static void delete_keys(int fd, const uint8_t *keys, size_t n, size_t ksz)
{
	size_t done = 0;

	while (done < n) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);
		__u32 count = n - done;
		int err = bpf_map_delete_batch(fd, keys + done * ksz, &count, &opts);

		done += count;
		if (!err)
			break;
		if (errno != ENOENT) {
			pr_warn("sweep: deleting expired entries: %s", strerror(errno));
			break;
		}
		done++; /* the key the kernel stopped at */
	}
}

/* The map, key and value sizes and visitor of each stage: every conns, syns, templates. */
static int stage_of(const struct xlb_sweep *s, size_t stage, size_t *ksz, size_t *vsz,
		    sweep_visit *visit)
{
	*ksz = sizeof(struct xlb_flow);
	*vsz = sizeof(struct xlb_conn);
	*visit = visit_conn;
	if (stage < s->n_conns)
		return s->conns_fd[stage];
	*visit = visit_syn;
	if (stage == s->n_conns)
		return s->syns_fd;
	*ksz = sizeof(struct xlb_template_key);
	*vsz = sizeof(struct xlb_template);
	*visit = visit_template;
	return s->templates_fd;
}

/* One batch of the current stage's map: 1 when the stage has more, 0 at its end, or -errno. */
static int walk_batch(struct xlb_sweep *s, struct sweep_pass *p)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 count = SWEEP_BATCH, i;
	size_t ksz, vsz, n_del = 0;
	sweep_visit visit;
	int err;

	p->fd = stage_of(s, p->stage, &ksz, &vsz, &visit);
	err = bpf_map_lookup_batch(p->fd, p->first ? NULL : &p->in, &p->out, p->keys, p->vals,
				   &count, &opts);
	err = err ? -errno : 0;
	if (err && err != -ENOENT) {
		pr_warn("sweep: walking map fd %d: %s", p->fd, strerror(-err));
		return err;
	}
	for (i = 0; i < count; i++) {
		s->last.entries++;
		if (visit(s, p, p->keys + i * ksz, p->vals + i * vsz))
			memcpy(p->del + n_del++ * ksz, p->keys + i * ksz, ksz);
	}
	if (p->err)
		return p->err;
	delete_keys(p->fd, p->del, n_del, ksz);
	s->last.expired += n_del;
	if (err == -ENOENT)
		return 0;
	p->in = p->out;
	p->first = false;
	return 1;
}

/* Add W - S to each count: the data path's own adds since S stay. */
static void correct_counts(struct xlb_sweep *s, const struct sweep_count *was,
			   const struct sweep_count *now)
{
	uint32_t i;

	for (i = 0; i < s->n_backends; i++) {
		int32_t da = (int32_t)(now[i].active - was[i].active);
		int32_t di = (int32_t)(now[i].inactive - was[i].inactive);

		if (da)
			__atomic_fetch_add(&s->counts[i].active, da, __ATOMIC_RELAXED);
		if (di)
			__atomic_fetch_add(&s->counts[i].inactive, di, __ATOMIC_RELAXED);
	}
}

static void pass_free(struct xlb_sweep *s)
{
	struct sweep_pass *p = s->pass;

	if (!p)
		return;
	free(p->was);
	free(p->live);
	free(p->count);
	free(p->del);
	free(p->vals);
	free(p->keys);
	free(p);
	s->pass = NULL;
}

/* A pass begins: its buffers, and the counts as they stand (S). */
static int pass_begin(struct xlb_sweep *s, uint64_t now_ns)
{
	size_t nb = s->n_backends ? s->n_backends : 1, i;
	struct sweep_pass *p = calloc(1, sizeof(*p));

	_Static_assert(sizeof(struct xlb_template_key) <= sizeof(struct xlb_flow) &&
			       sizeof(struct xlb_template) <= sizeof(struct xlb_conn),
		       "the batch buffers are sized for conns");
	s->pass = p;
	if (p) {
		p->keys = malloc(SWEEP_BATCH * sizeof(struct xlb_flow));
		p->vals = malloc(SWEEP_BATCH * sizeof(struct xlb_conn));
		p->del = malloc(SWEEP_BATCH * sizeof(struct xlb_flow));
		p->count = calloc(nb, sizeof(*p->count));
		p->was = calloc(nb, sizeof(*p->was));
	}
	if (!p || !p->keys || !p->vals || !p->del || !p->count || !p->was) {
		pass_free(s);
		pr_warn("sweep: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	p->now = now_ns;
	/* A standby's entries see no packets: they are kept as synced until it takes over. */
	if (s->standby)
		s->age_floor_ns = now_ns;
	p->floor = s->age_floor_ns;
	p->first = true;
	memset(&s->last, 0, sizeof(s->last));
	for (i = 0; i < s->n_backends; i++) {
		p->was[i].active = __atomic_load_n(&s->counts[i].active, __ATOMIC_RELAXED);
		p->was[i].inactive = __atomic_load_n(&s->counts[i].inactive, __ATOMIC_RELAXED);
	}
	return 0;
}

int xlb_sweep_step(struct xlb_sweep *s, uint64_t now_ns, unsigned int batches)
{
	uint64_t t0 = xlb_sweep_now_ns();
	struct sweep_pass *p;
	int ret = 1;

	if (!s->pass && (ret = pass_begin(s, now_ns)))
		return ret;
	p = s->pass;
	while (batches-- && p->stage <= s->n_conns + 1) {
		ret = walk_batch(s, p);
		if (ret < 0)
			break;
		if (ret)
			continue;
		/* The templates' stage reads which clients still have flows: all of conns is in. */
		/* qsort's base may not be NULL, even for no element. */
		if (++p->stage == s->n_conns + 1 && p->n_live)
			qsort(p->live, p->n_live, sizeof(*p->live), cmp_tkey);
		p->first = true;
		ret = p->stage <= s->n_conns + 1;
	}
	s->last.took_ns += xlb_sweep_now_ns() - t0;
	if (ret < 0) {
		pass_free(s);
		return ret;
	}
	if (p->stage <= s->n_conns + 1)
		return 1;
	correct_counts(s, p->was, p->count);
	pass_free(s);
	return 0;
}

void xlb_sweep_standby(struct xlb_sweep *s, bool standby, uint64_t now_ns)
{
	s->standby = standby;
	s->age_floor_ns = now_ns;
}

int xlb_sweep_run(struct xlb_sweep *s, uint64_t now_ns)
{
	int ret;

	pass_free(s); /* a pass begun at another time is not this one */
	while ((ret = xlb_sweep_step(s, now_ns, UINT_MAX)) > 0)
		;
	return ret;
}

int xlb_sweep_init(struct xlb_sweep *s, const int *conns_fds, size_t n_conns, int syns_fd,
		   int templates_fd, int backend_conns_fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	long page = sysconf(_SC_PAGESIZE);
	void *m;
	int err;

	memset(s, 0, sizeof(*s));
	if (n_conns > XLB_DPS_MAX)
		return -E2BIG;
	memcpy(s->conns_fd, conns_fds, n_conns * sizeof(*conns_fds));
	s->n_conns = n_conns;
	s->syns_fd = syns_fd;
	s->templates_fd = templates_fd;
	s->timeouts = XLB_CFG_TIMEOUTS_DEFAULT;
	if (bpf_obj_get_info_by_fd(backend_conns_fd, &info, &len)) {
		err = -errno;
		pr_err("sweep: backend_conns: %s", strerror(-err));
		return err;
	}
	if (info.type != BPF_MAP_TYPE_ARRAY || !(info.map_flags & BPF_F_MMAPABLE) ||
	    info.value_size != sizeof(struct xlb_backend_conns)) {
		pr_err("sweep: backend_conns is not an mmapable array of %zu-byte counts",
		       sizeof(struct xlb_backend_conns));
		return -EINVAL;
	}
	s->n_backends = info.max_entries;
	s->counts_len = ((size_t)info.max_entries * info.value_size + page - 1) / page * page;
	m = mmap(NULL, s->counts_len, PROT_READ | PROT_WRITE, MAP_SHARED, backend_conns_fd, 0);
	if (m == MAP_FAILED) {
		err = -errno;
		pr_err("sweep: mapping backend_conns: %s", strerror(-err));
		s->counts_len = 0;
		return err;
	}
	s->counts = m;
	return 0;
}

int xlb_sweep_init_dps(struct xlb_sweep *s, const struct xlb_dps *dps)
{
	const struct xlb_dp *pri = xlb_dps_primary(dps);
	int fds[XLB_DPS_MAX];
	size_t i;

	if (!pri)
		return -ENODEV;
	for (i = 0; i < dps->n && i < XLB_DPS_MAX; i++)
		fds[i] = dps->v[i].conns_fd;
	return xlb_sweep_init(s, fds, i, pri->syns_fd, pri->templates_fd, pri->backend_conns_fd);
}

void xlb_sweep_fini(struct xlb_sweep *s)
{
	pass_free(s);
	if (s->counts)
		munmap(s->counts, s->counts_len);
	s->counts = NULL;
	s->counts_len = 0;
}

void xlb_sweep_configure(struct xlb_sweep *s, const struct xlb_cfg_timeouts *t,
			 const struct xlb_lb *lb)
{
	size_t i;

	s->timeouts = *t;
	memset(s->persist_ms, 0, sizeof(s->persist_ms));
	for (i = 0; i < lb->n_vips; i++)
		if (lb->vips[i].val.id < XLB_MAX_VIPS)
			s->persist_ms[lb->vips[i].val.id] = lb->vips[i].persistence_ms;
}
