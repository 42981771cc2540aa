// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli/maps_view.h"
#include "cli/report.h"
#include "common/addr.h"
#include "common/names.h"
#include "common/output.h"

/* Distinct keys the vips map can hold: its max_entries. */
#define VIEW_MAX_VIP_KEYS (XLB_MAX_VIPS * 2)
/*
 * A hash walk restarts from the first key when the key it stands on is deleted under it, so
 * walks are capped; duplicates from a restart merge away by key.
 */
#define VIEW_MAX_VIP_STEPS (VIEW_MAX_VIP_KEYS * 4)

/* Per-CPU values come back as one 8-byte-aligned slot per possible CPU. */
_Static_assert(sizeof(struct xlb_counters) % 8 == 0, "per-CPU slots of xlb_counters are unpadded");

enum pin_map {
	PIN_VIPS,
	PIN_VIP_NAMES,
	PIN_VIP_STATS,
	PIN_BACKENDS,
	PIN_BACKEND_STATS,
	PIN_REASON_STATS,
	PIN_CONNS,
	PIN_MAX,
};

/* The pinned maps xlbctl reads, and what it relies on of each (type 0, value_size 0: anything). */
static const struct pin_spec {
	const char *name;
	unsigned int part;
	__u32 type;
	__u32 key_size;
	__u32 value_size;
} pin_specs[PIN_MAX] = {
	[PIN_VIPS] = { "vips", XLB_VIEW_VIPS, 0, sizeof(struct xlb_vip_key), sizeof(struct xlb_vip) },
	[PIN_VIP_NAMES] = { "vip_names", XLB_VIEW_VIPS, 0, sizeof(__u32),
			    sizeof(struct xlb_vip_name) },
	[PIN_VIP_STATS] = { "vip_stats", XLB_VIEW_VIPS, BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u32),
			    sizeof(struct xlb_counters) },
	[PIN_BACKENDS] = { "backends", XLB_VIEW_BACKENDS, 0, sizeof(__u32),
			   sizeof(struct xlb_backend) },
	[PIN_BACKEND_STATS] = { "backend_stats", XLB_VIEW_BACKENDS, BPF_MAP_TYPE_PERCPU_ARRAY,
				sizeof(__u32), sizeof(struct xlb_counters) },
	[PIN_REASON_STATS] = { "reason_stats", XLB_VIEW_REASONS, BPF_MAP_TYPE_PERCPU_ARRAY,
			       sizeof(__u32), sizeof(struct xlb_counters) },
	[PIN_CONNS] = { "conns", XLB_VIEW_REASONS | XLB_VIEW_CONNS, 0, sizeof(struct xlb_flow),
			sizeof(struct xlb_conn) },
};

/* One interface directory being read. */
struct iface {
	const char *dir;
	int fd[PIN_MAX];           /* read-only; -1 when not asked for */
	__u32 max_entries[PIN_MAX];
	struct xlb_counters *percpu; /* ncpus slots */
	int ncpus;
};

static int map_err(const struct iface *f, enum pin_map m, int err)
{
	xlb_cli_err("%s/%s: %s", f->dir, pin_specs[m].name, strerror(-err));
	return err;
}

static int check_layout(struct iface *f, enum pin_map m)
{
	const struct pin_spec *spec = &pin_specs[m];
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int err;

	err = bpf_obj_get_info_by_fd(f->fd[m], &info, &len);
	if (err)
		return map_err(f, m, -errno);
	if ((spec->type && info.type != spec->type) || info.key_size != spec->key_size ||
	    (spec->value_size && info.value_size != spec->value_size)) {
		const char *type = libbpf_bpf_map_type_str(info.type);

		xlb_cli_err("%s/%s: map type %s, %u-byte keys, %u-byte values: not the layout "
			    "this xlbctl reads (xlbd and xlbctl from different builds?)",
			    f->dir, spec->name, type ? type : "unknown", info.key_size,
			    info.value_size);
		return -EPROTO;
	}
	f->max_entries[m] = info.max_entries;
	return 0;
}

static void iface_close(struct iface *f)
{
	int m;

	for (m = PIN_MAX - 1; m >= 0; m--)
		if (f->fd[m] >= 0)
			close(f->fd[m]);
}

static int iface_open(struct iface *f, unsigned int parts)
{
	LIBBPF_OPTS(bpf_obj_get_opts, opts, .file_flags = BPF_F_RDONLY);
	char path[PATH_MAX];
	int m, err;

	for (m = 0; m < PIN_MAX; m++)
		f->fd[m] = -1;
	for (m = 0; m < PIN_MAX; m++) {
		if (!(pin_specs[m].part & parts))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", f->dir, pin_specs[m].name) >=
		    (int)sizeof(path))
			return map_err(f, m, -ENAMETOOLONG);
		f->fd[m] = bpf_obj_get_opts(path, &opts);
		if (f->fd[m] < 0) {
			err = -errno;
			f->fd[m] = -1;
			return map_err(f, m, err);
		}
		err = check_layout(f, m);
		if (err)
			return err;
	}
	return 0;
}

/* Add entry idx of per-CPU counters map m, summed over CPUs, to *sum. */
static int percpu_add(struct iface *f, enum pin_map m, __u32 idx, struct xlb_counters *sum)
{
	int cpu;

	if (idx >= f->max_entries[m])
		return 0;
	if (bpf_map_lookup_elem(f->fd[m], &idx, f->percpu))
		return map_err(f, m, -errno);
	for (cpu = 0; cpu < f->ncpus; cpu++) {
		sum->packets += f->percpu[cpu].packets;
		sum->bytes += f->percpu[cpu].bytes;
		sum->new_flows += f->percpu[cpu].new_flows;
	}
	return 0;
}

static struct xlb_view_vip *view_vip(struct xlb_view *v, const struct xlb_vip_key *key,
				     const struct xlb_vip *vip)
{
	size_t i;

	for (i = 0; i < v->n_vips; i++)
		if (!memcmp(&v->vips[i].key, key, sizeof(*key)))
			return &v->vips[i];
	if (v->n_vips == VIEW_MAX_VIP_KEYS)
		return NULL;
	v->vips[v->n_vips].key = *key;
	v->vips[v->n_vips].vip = *vip;
	return &v->vips[v->n_vips++];
}

static int load_vips(struct xlb_view *v, struct iface *f)
{
	bool seen[VIEW_MAX_VIP_KEYS] = {}; /* by index into v->vips, for this interface */
	struct xlb_vip_key key, next;
	struct xlb_view_vip *vv;
	struct xlb_vip_name name;
	struct xlb_vip vip;
	void *prev = NULL;
	__u32 id, n;
	int steps, err;

	for (steps = 0; steps < VIEW_MAX_VIP_STEPS; steps++) {
		if (bpf_map_get_next_key(f->fd[PIN_VIPS], prev, &next)) {
			err = -errno;
			if (err == -ENOENT)
				break;
			return map_err(f, PIN_VIPS, err);
		}
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(f->fd[PIN_VIPS], &key, &vip)) {
			err = -errno;
			if (err == -ENOENT) /* deleted since get_next_key */
				continue;
			return map_err(f, PIN_VIPS, err);
		}
		vv = view_vip(v, &key, &vip);
		/* A restarted walk sees a key twice; count its traffic once per interface. */
		if (!vv || seen[vv - v->vips])
			continue;
		seen[vv - v->vips] = true;
		err = percpu_add(f, PIN_VIP_STATS, vip.id, &vv->stats);
		if (err)
			return err;
	}

	n = f->max_entries[PIN_VIP_NAMES] < XLB_MAX_VIPS ? f->max_entries[PIN_VIP_NAMES] : XLB_MAX_VIPS;
	for (id = 0; id < n; id++) {
		if (v->names[id].name[0])
			continue;
		if (bpf_map_lookup_elem(f->fd[PIN_VIP_NAMES], &id, &name))
			return map_err(f, PIN_VIP_NAMES, -errno);
		name.name[sizeof(name.name) - 1] = '\0';
		v->names[id] = name;
	}
	return 0;
}

static int load_backends(struct xlb_view *v, struct iface *f)
{
	const __u8 sticky = XLB_BE_F_LIVE | XLB_BE_F_MAC;
	struct xlb_view_backend *vb;
	struct xlb_backend be;
	__u32 id, n;
	int err;

	n = f->max_entries[PIN_BACKENDS] < XLB_MAX_BACKENDS ? f->max_entries[PIN_BACKENDS]
							    : XLB_MAX_BACKENDS;
	for (id = 0; id < n; id++) {
		if (bpf_map_lookup_elem(f->fd[PIN_BACKENDS], &id, &be))
			return map_err(f, PIN_BACKENDS, -errno);
		if (!(be.flags & XLB_BE_F_USED))
			continue;
		vb = &v->backends[id];
		if (vb->be.flags & XLB_BE_F_USED)
			vb->be.flags &= be.flags | ~sticky;
		else
			vb->be = be;
		err = percpu_add(f, PIN_BACKEND_STATS, id, &vb->stats);
		if (err)
			return err;
	}
	return 0;
}

static int load_reasons(struct xlb_view *v, struct iface *f)
{
	__u8 key[sizeof(struct xlb_flow)], next[sizeof(struct xlb_flow)];
	void *prev = NULL;
	uint64_t conns;
	__u32 r;
	int err;

	for (r = 0; r < XLB_R_MAX; r++) {
		err = percpu_add(f, PIN_REASON_STATS, r, &v->reasons[r]);
		if (err)
			return err;
	}
	/* An LRU walk can restart under churn (see VIEW_MAX_VIP_STEPS): never more than it holds. */
	for (conns = 0; conns < XLB_MAX_CONNS; conns++) {
		if (bpf_map_get_next_key(f->fd[PIN_CONNS], prev, next)) {
			err = -errno;
			if (err == -ENOENT)
				break;
			return map_err(f, PIN_CONNS, err);
		}
		memcpy(key, next, sizeof(key));
		prev = key;
	}
	v->conns += conns;
	return 0;
}

/*
 * Every entry of a hash map, a batch at a time, appended to *out (n_out of them, elem bytes
 * each: the key, then the value at voff). A map missing from an older xlbd's pins is empty.
 */
#define VIEW_BATCH 4096u

static int batch_read(int fd, size_t ksz, size_t vsz, size_t elem, size_t voff, void **out,
		      size_t *n_out, const char *what)
{
	uint8_t *keys = malloc(VIEW_BATCH * ksz), *vals = malloc(VIEW_BATCH * vsz);
	uint64_t in = 0, next = 0;
	bool first = true;
	int err = 0;

	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);
		__u32 count = VIEW_BATCH, i;
		uint8_t *grown;
		int ret;

		ret = bpf_map_lookup_batch(fd, first ? NULL : &in, &next, keys, vals, &count, &opts);
		ret = ret ? -errno : 0;
		if (ret && ret != -ENOENT) {
			err = ret;
			break;
		}
		grown = realloc(*out, (*n_out + count + 1) * elem);
		if (!grown) {
			err = -ENOMEM;
			break;
		}
		*out = grown;
		for (i = 0; i < count; i++) {
			uint8_t *e = grown + (*n_out + i) * elem;

			memset(e, 0, elem);
			memcpy(e, keys + i * ksz, ksz);
			memcpy(e + voff, vals + i * vsz, vsz);
		}
		*n_out += count;
		if (ret == -ENOENT)
			break;
		in = next;
		first = false;
	}
out:
	if (err)
		xlb_cli_err("%s: %s", what, strerror(-err));
	free(vals);
	free(keys);
	return err;
}

/* conns or syns entries, tagged with where they are. */
static int load_conn_list(struct xlb_view *v, int fd, unsigned int iface, const char *what)
{
	size_t i, from = v->n_conn_list;
	int err;

	err = batch_read(fd, sizeof(struct xlb_flow), sizeof(struct xlb_conn),
			 sizeof(struct xlb_view_conn), offsetof(struct xlb_view_conn, c),
			 (void **)&v->conn_list, &v->n_conn_list, what);
	for (i = from; i < v->n_conn_list; i++)
		v->conn_list[i].iface = iface;
	return err;
}

static int load_iface(struct xlb_view *v, struct iface *f, unsigned int parts)
{
	int err;

	err = iface_open(f, parts);
	if (!err && (parts & XLB_VIEW_VIPS))
		err = load_vips(v, f);
	if (!err && (parts & XLB_VIEW_BACKENDS))
		err = load_backends(v, f);
	if (!err && (parts & XLB_VIEW_REASONS))
		err = load_reasons(v, f);
	if (!err && (parts & XLB_VIEW_CONNS))
		err = load_conn_list(v, f->fd[PIN_CONNS], v->n_ifaces, f->dir);
	iface_close(f);
	if (!err)
		v->n_ifaces++;
	return err;
}

/* An interface directory is one holding a pinned vips map: 1 if dir is one, 0 if not, or -errno. */
static int is_xlb_dir(int dirfd, const char *dir)
{
	char path[PATH_MAX];
	struct stat st;
	int err;

	if (snprintf(path, sizeof(path), "%s/vips", dir) >= (int)sizeof(path))
		return 0;
	if (!fstatat(dirfd, path, &st, 0))
		return !S_ISDIR(st.st_mode);
	err = -errno;
	/* Not an xlb directory; anything else, such as EACCES when not root, is worth saying. */
	return err == -ENOENT || err == -ENOTDIR ? 0 : err;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	while (n--)
		free(names[n]);
	free(names);
}

/* The interface directories under pin_dir, sorted; *n is 0 when there are none. */
static int list_ifaces(const char *pin_dir, char ***out, size_t *n)
{
	char **names = NULL, **grown;
	struct dirent *de;
	size_t cap = 0;
	DIR *d;
	int err;

	*n = 0;
	d = opendir(pin_dir);
	if (!d) {
		err = -errno;
		if (err == -ENOENT || err == -ENOTDIR)
			return 0;
		xlb_cli_err("%s: %s", pin_dir, strerror(-err));
		return err;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		err = is_xlb_dir(dirfd(d), de->d_name);
		if (err < 0) {
			xlb_cli_err("%s/%s: %s", pin_dir, de->d_name, strerror(-err));
			goto fail;
		}
		if (!err)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			grown = realloc(names, cap * sizeof(*names));
			if (!grown)
				goto oom;
			names = grown;
		}
		names[*n] = strdup(de->d_name);
		if (!names[*n])
			goto oom;
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(names, *n, sizeof(*names), cmp_name);
	*out = names;
	return 0;
oom:
	err = -ENOMEM;
	xlb_cli_err("%s", strerror(-err));
fail:
	closedir(d);
	free_names(names, *n);
	*n = 0;
	return err;
}

static int load_dir(struct xlb_view *v, const char *dir, unsigned int parts,
		    struct xlb_counters *percpu, int ncpus)
{
	struct iface f = { .dir = dir, .percpu = percpu, .ncpus = ncpus };
	const char *base = strrchr(dir, '/');
	char(*grown)[64];

	grown = realloc(v->ifnames, (v->n_ifaces + 1) * sizeof(*grown));
	if (!grown) {
		xlb_cli_err("%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	v->ifnames = grown;
	snprintf(grown[v->n_ifaces], sizeof(*grown), "%s", base ? base + 1 : dir);
	return load_iface(v, &f, parts);
}

int xlb_view_open_map(const struct xlb_view *v, const char *pin_dir, unsigned int i,
		      const char *name)
{
	LIBBPF_OPTS(bpf_obj_get_opts, opts, .file_flags = BPF_F_RDONLY);
	char path[PATH_MAX];
	int fd;

	if (i == XLB_VIEW_SHARED)
		snprintf(path, sizeof(path), "%s/%s", pin_dir, name);
	else if (i < v->n_ifaces)
		snprintf(path, sizeof(path), "%s/%s/%s", pin_dir, v->ifnames[i], name);
	else
		return -ENOENT;
	fd = bpf_obj_get_opts(path, &opts);
	if (fd < 0) {
		fd = -errno;
		if (fd != -ENOENT)
			xlb_cli_err("%s: %s", path, strerror(-fd));
	}
	return fd;
}

/* The maps pinned once at the pin root; an older xlbd's pins lack them: nothing to add. */
static int load_shared(struct xlb_view *v, const char *pin_dir, unsigned int parts)
{
	int fd, err = 0;
	__u32 id;

	if (parts & XLB_VIEW_BACKENDS) {
		fd = xlb_view_open_map(v, pin_dir, XLB_VIEW_SHARED, "backend_conns");
		if (fd < 0 && fd != -ENOENT)
			return fd;
		for (id = 0; fd >= 0 && id < XLB_MAX_BACKENDS; id++)
			if (bpf_map_lookup_elem(fd, &id, &v->backends[id].conns))
				break;
		if (fd >= 0)
			close(fd);
	}
	if (!(parts & XLB_VIEW_CONNS))
		return 0;
	fd = xlb_view_open_map(v, pin_dir, XLB_VIEW_SHARED, "syns");
	if (fd >= 0) {
		err = load_conn_list(v, fd, XLB_VIEW_SHARED, "syns");
		close(fd);
	} else if (fd != -ENOENT) {
		return fd;
	}
	fd = xlb_view_open_map(v, pin_dir, XLB_VIEW_SHARED, "templates");
	if (!err && fd >= 0)
		err = batch_read(fd, sizeof(struct xlb_template_key), sizeof(struct xlb_template),
				 sizeof(struct xlb_view_template),
				 offsetof(struct xlb_view_template, t), (void **)&v->templates,
				 &v->n_templates, "templates");
	if (fd >= 0)
		close(fd);
	return err ? err : fd == -ENOENT || fd >= 0 ? 0 : fd;
}

static int load_all(struct xlb_view *v, const char *pin_dir, const char *ifname,
		    unsigned int parts, struct xlb_counters *percpu, int ncpus)
{
	char dir[PATH_MAX], **names = NULL;
	size_t n = 0, i;
	int err = 0;

	if (ifname) {
		if (snprintf(dir, sizeof(dir), "%s/%s", pin_dir, ifname) >= (int)sizeof(dir)) {
			xlb_cli_err("%s/%s: %s", pin_dir, ifname, strerror(ENAMETOOLONG));
			return -ENAMETOOLONG;
		}
		err = is_xlb_dir(AT_FDCWD, dir);
		if (err < 0) {
			xlb_cli_err("%s: %s", dir, strerror(-err));
			return err;
		}
		if (!err) {
			xlb_cli_err("no xlb maps under %s (is xlbd running?)", dir);
			return -ENOENT;
		}
		return load_dir(v, dir, parts, percpu, ncpus);
	}

	err = list_ifaces(pin_dir, &names, &n);
	if (err)
		return err;
	if (!n) {
		xlb_cli_err("no xlb maps under %s (is xlbd running?)", pin_dir);
		return -ENOENT;
	}
	for (i = 0; i < n && !err; i++) {
		snprintf(dir, sizeof(dir), "%s/%s", pin_dir, names[i]);
		err = load_dir(v, dir, parts, percpu, ncpus);
	}
	free_names(names, n);
	return err;
}

static int cmp_vip(const void *a, const void *b)
{
	const struct xlb_view_vip *x = a, *y = b;

	if (x->vip.id != y->vip.id)
		return x->vip.id < y->vip.id ? -1 : 1;
	return memcmp(&x->key, &y->key, sizeof(x->key));
}

/* Per-VIP backend counts, once every interface's backends are in. */
static void count_backends(struct xlb_view *v)
{
	unsigned int count[XLB_MAX_VIPS] = {};
	size_t i;

	for (i = 0; i < XLB_MAX_BACKENDS; i++)
		if ((v->backends[i].be.flags & XLB_BE_F_USED) && v->backends[i].be.vip_id < XLB_MAX_VIPS)
			count[v->backends[i].be.vip_id]++;
	for (i = 0; i < v->n_vips; i++)
		if (v->vips[i].vip.id < XLB_MAX_VIPS)
			v->vips[i].n_backends = count[v->vips[i].vip.id];
}

int xlb_view_load(struct xlb_view *v, const char *pin_dir, const char *ifname, unsigned int parts)
{
	struct xlb_counters *percpu = NULL;
	int ncpus, err;

	memset(v, 0, sizeof(*v));
	ncpus = libbpf_num_possible_cpus();
	if (ncpus < 0) {
		xlb_cli_err("cannot count possible CPUs: %s", strerror(-ncpus));
		return ncpus;
	}
	percpu = calloc(ncpus, sizeof(*percpu));
	v->vips = calloc(VIEW_MAX_VIP_KEYS, sizeof(*v->vips));
	v->backends = calloc(XLB_MAX_BACKENDS, sizeof(*v->backends));
	v->names = calloc(XLB_MAX_VIPS, sizeof(*v->names));
	if (!percpu || !v->vips || !v->backends || !v->names) {
		xlb_cli_err("%s", strerror(ENOMEM));
		err = -ENOMEM;
		goto cleanup;
	}
	err = load_all(v, pin_dir, ifname, parts, percpu, ncpus);
	if (!err)
		err = load_shared(v, pin_dir, parts);
	if (err)
		goto cleanup;
	count_backends(v);
	qsort(v->vips, v->n_vips, sizeof(*v->vips), cmp_vip);
cleanup:
	free(percpu);
	if (err)
		xlb_view_free(v);
	return err;
}

void xlb_view_free(struct xlb_view *v)
{
	free(v->templates);
	free(v->conn_list);
	free(v->ifnames);
	free(v->names);
	free(v->backends);
	free(v->vips);
	memset(v, 0, sizeof(*v));
}

const char *xlb_view_vip_str(const struct xlb_vip_key *k, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN], port[sizeof("65535")], proto[XLB_PROTO_NAME_LEN];
	bool v6 = k->family == XLB_FAMILY_V6;

	xlb_addr_ntop(k->family, k->addr, addr, sizeof(addr));
	if (k->port)
		snprintf(port, sizeof(port), "%u", ntohs(k->port));
	else
		snprintf(port, sizeof(port), "*");
	snprintf(buf, len, "%s%s%s:%s/%s", v6 ? "[" : "", addr, v6 ? "]" : "", port,
		 xlb_proto_name(k->proto, proto));
	return buf;
}

void xlb_view_vip_json(struct xlb_json *j, const struct xlb_view *v, const struct xlb_view_vip *vv)
{
	char addr[INET6_ADDRSTRLEN], proto[XLB_PROTO_NAME_LEN];

	xlb_json_kv_string(j, "name", xlb_view_vip_name(v, vv->vip.id));
	xlb_json_kv_string(j, "address", xlb_addr_ntop(vv->key.family, vv->key.addr, addr,
							sizeof(addr)));
	xlb_json_kv_uint(j, "port", ntohs(vv->key.port));
	xlb_json_kv_string(j, "protocol", xlb_proto_name(vv->key.proto, proto));
}

const char *xlb_view_vip_name(const struct xlb_view *v, uint32_t vip_id)
{
	if (vip_id >= XLB_MAX_VIPS || !v->names[vip_id].name[0])
		return NULL;
	return v->names[vip_id].name;
}

const char *xlb_view_backend_addr(const struct xlb_view *v, uint32_t id, char *buf, size_t len)
{
	const struct xlb_backend *be = id < XLB_MAX_BACKENDS ? &v->backends[id].be : NULL;

	if (!be || !(be->flags & XLB_BE_F_USED))
		return "-";
	return xlb_addr_ntop(be->family, be->addr, buf, len);
}

uint64_t xlb_view_idle_s(uint64_t last_seen)
{
	struct timespec ts;
	uint64_t now;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	return now > last_seen ? (now - last_seen) / 1000000000ull : 0;
}
