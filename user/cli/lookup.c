// SPDX-License-Identifier: GPL-2.0-only
/*
 * xlbctl lookup (conns.h): where a flow goes and why, in the data path's order (bpf/sched.h,
 * design of the connection table v2): its conns entry while that names a live backend; for a
 * TCP flow of a stateful scheduler, the syns entry its SYN left; for a persistent VIP, the
 * client's template (or the pending one in syns); else the VIP's table. maglev and sh answer
 * from the slot the flow's (or client's) hash names, exactly; rr / wrr and lc / wlc decide each
 * new flow by a per-CPU position or the live counts, so the answer names the next candidate.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli/conns.h"
#include "cli/report.h"
#include "common/names.h"
#include "common/output.h"
#include "dispatch/sched.h"
#include "xlb/hash.h"

struct verdict {
	const char *reason; /* a word scripts match */
	uint32_t backend;   /* XLB_NO_BACKEND: none */
	char detail[192];
};

/* "203.0.113.1:80", "[2001:db8::1]:443". */
static int parse_endpoint(const char *s, struct xlb_addr *a, __be16 *port)
{
	char buf[INET6_ADDRSTRLEN + 8], *p, *host = buf;
	unsigned long n;
	char *end;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	if (buf[0] == '[') {
		p = strchr(buf, ']');
		if (!p || p[1] != ':')
			return -EINVAL;
		*p = '\0';
		host = buf + 1;
		p += 2;
	} else {
		p = strrchr(buf, ':');
		if (!p || strchr(buf, ':') != p)
			return -EINVAL;
		*p++ = '\0';
	}
	if (*p < '0' || *p > '9')
		return -EINVAL;
	errno = 0;
	n = strtoul(p, &end, 10);
	if (errno || *end || n > 65535 || xlb_addr_parse(host, a))
		return -EINVAL;
	*port = htons(n);
	return 0;
}

static bool be_live(const struct xlb_view *v, uint32_t id, uint32_t vip_id)
{
	const struct xlb_backend *be;

	if (id >= XLB_MAX_BACKENDS)
		return false;
	be = &v->backends[id].be;
	return be->vip_id == vip_id &&
	       (be->flags & (XLB_BE_F_USED | XLB_BE_F_LIVE)) == (XLB_BE_F_USED | XLB_BE_F_LIVE);
}

static const struct xlb_view_vip *find_vip(const struct xlb_view *v, const struct xlb_flow *f)
{
	const struct xlb_view_vip *any = NULL;
	size_t i;

	for (i = 0; i < v->n_vips; i++) {
		const struct xlb_vip_key *k = &v->vips[i].key;

		if (k->family != f->family || k->proto != f->proto ||
		    memcmp(k->addr, f->dst, sizeof(k->addr)))
			continue;
		if (k->port == f->dport)
			return &v->vips[i];
		if (!k->port)
			any = &v->vips[i];
	}
	return any;
}

static const struct xlb_view_conn *find_entry(const struct xlb_view *v, const struct xlb_flow *f,
					      bool shared)
{
	size_t i;

	for (i = 0; i < v->n_conn_list; i++)
		if ((v->conn_list[i].iface == XLB_VIEW_SHARED) == shared &&
		    !memcmp(&v->conn_list[i].flow, f, sizeof(*f)))
			return &v->conn_list[i];
	return NULL;
}

/* The VIP's table, slots [0, n), as the first interface holds it. 0 or -errno (said). */
static int read_table(const struct xlb_view *v, const char *pin_dir, const struct xlb_vip *vip,
		      uint32_t *ids, uint32_t n)
{
	__u32 key = vip->id + (vip->flags & XLB_VIP_F_BANK ? XLB_MAX_VIPS : 0), inner, i;
	int outer, fd = -1, err = 0;

	outer = xlb_view_open_map(v, pin_dir, 0, "maglev_tables");
	if (outer < 0)
		return outer;
	if (bpf_map_lookup_elem(outer, &key, &inner) || (fd = bpf_map_get_fd_by_id(inner)) < 0)
		err = -errno;
	for (i = 0; !err && i < n; i++)
		if (bpf_map_lookup_elem(fd, &i, &ids[i]))
			err = -errno;
	if (err)
		xlb_cli_err("the table of VIP id %u: %s", vip->id, strerror(-err));
	if (fd >= 0)
		close(fd);
	close(outer);
	return err;
}

/* rr / wrr: where CPU 0's position stands (each CPU walks the table from its own). */
static int read_pos(const struct xlb_view *v, const char *pin_dir, uint32_t vip_id, uint32_t *pos)
{
	int ncpus = libbpf_num_possible_cpus(), fd, err = 0;
	uint64_t *vals;

	if (ncpus <= 0)
		return -EINVAL;
	vals = calloc(ncpus, sizeof(*vals));
	fd = xlb_view_open_map(v, pin_dir, 0, "sched_pos");
	if (!vals || fd < 0) {
		err = fd < 0 ? fd : -ENOMEM;
		goto out;
	}
	if (bpf_map_lookup_elem(fd, &vip_id, vals))
		err = -errno;
	else
		*pos = (uint32_t)vals[0];
out:
	if (fd >= 0)
		close(fd);
	free(vals);
	return err;
}

/* lc / wlc: LVS's overhead (active * 256 + inactive), the least per weight (lc: unweighted). */
static uint32_t least_conns(const struct xlb_view *v, const uint32_t *ids, uint32_t n,
			    uint32_t vip_id, bool weighted)
{
	uint64_t best_oh = 0, best_w = 1;
	uint32_t best = XLB_NO_BACKEND, i;

	for (i = 0; i < n; i++) {
		const struct xlb_view_backend *b;
		uint64_t oh, w;

		if (!be_live(v, ids[i], vip_id))
			continue;
		b = &v->backends[ids[i]];
		w = weighted ? b->be.weight : 1;
		if (!w)
			continue;
		oh = (uint64_t)(b->conns.active > 0 ? b->conns.active : 0) * 256 +
		     (b->conns.inactive > 0 ? b->conns.inactive : 0);
		if (best == XLB_NO_BACKEND || oh * best_w < best_oh * w) {
			best = ids[i];
			best_oh = oh;
			best_w = w;
		}
	}
	return best;
}

static int schedule(const struct xlb_view *v, const char *pin_dir, const struct xlb_view_vip *vv,
		    const struct xlb_flow *f, struct verdict *out)
{
	const struct xlb_vip *vip = &vv->vip;
	bool by_client = vip->sched == XLB_SCHED_SH ||
			 (vip->sched == XLB_SCHED_MAGLEV && (vip->flags & XLB_VIP_F_PERSIST));
	uint32_t n = vip->ring_size, slot = 0, pos = 0, *ids;
	int err;

	if (!n || n > XLB_MAGLEV_MAX_SIZE)
		goto fallback;
	ids = calloc(n, sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	switch (vip->sched) {
	case XLB_SCHED_WLC:
	case XLB_SCHED_LC:
		err = read_table(v, pin_dir, vip, ids, n);
		if (!err)
			out->backend = least_conns(v, ids, n, vip->id, vip->sched == XLB_SCHED_WLC);
		out->reason = "least_conns";
		snprintf(out->detail, sizeof(out->detail),
			 "decided by the live counts: the next new flow goes to the least loaded "
			 "of %u backends%s", n, vip->sched == XLB_SCHED_WLC ? " per weight" : "");
		break;
	case XLB_SCHED_RR:
	case XLB_SCHED_WRR:
		err = read_pos(v, pin_dir, vip->id, &pos);
		if (!err) {
			slot = pos % n;
			err = read_table(v, pin_dir, vip, ids, slot + 1);
		}
		if (!err)
			out->backend = be_live(v, ids[slot], vip->id) ? ids[slot] : XLB_NO_BACKEND;
		out->reason = "position";
		snprintf(out->detail, sizeof(out->detail),
			 "decided by position: CPU 0's next new flow takes slot %u of %u (each CPU "
			 "keeps its own position)", slot, n);
		break;
	default:
		slot = (by_client ? xlb_client_hash(f) : xlb_flow_hash(f)) % n;
		err = read_table(v, pin_dir, vip, ids, slot + 1);
		if (!err)
			out->backend = be_live(v, ids[slot], vip->id) ? ids[slot] : XLB_NO_BACKEND;
		out->reason = "table";
		snprintf(out->detail, sizeof(out->detail), "slot %u of %u, by the %s hash", slot, n,
			 by_client ? "client" : "flow");
		break;
	}
	free(ids);
	if (err)
		return err;
	if (out->backend != XLB_NO_BACKEND)
		return 0;
fallback:
	out->backend = vip->fallback != XLB_NO_BACKEND && be_live(v, vip->fallback, vip->id)
			       ? vip->fallback
			       : XLB_NO_BACKEND;
	out->reason = out->backend == XLB_NO_BACKEND ? "no_backend" : "fallback";
	snprintf(out->detail, sizeof(out->detail), "%s",
		 out->backend == XLB_NO_BACKEND ? "no live backend: new flows are dropped"
						: "no live backend in the table: the fallback");
	return 0;
}

static int decide(const struct xlb_view *v, const char *pin_dir, const struct xlb_view_vip *vv,
		  const struct xlb_flow *f, struct verdict *out)
{
	const struct xlb_vip *vip = &vv->vip;
	bool stateful = vip->sched > XLB_SCHED_SH, tcp = f->proto == IPPROTO_TCP;
	const struct xlb_view_conn *e = find_entry(v, f, false);
	size_t i;

	if (e && be_live(v, e->c.backend, vip->id)) {
		out->reason = "conn";
		out->backend = e->c.backend;
		snprintf(out->detail, sizeof(out->detail), "conns entry on %s, %s, idle %llus",
			 v->ifnames[e->iface], xlb_conn_state_name(e->c.state, f->proto),
			 (unsigned long long)xlb_view_idle_s(e->c.last_seen));
		return 0;
	}
	if (tcp && stateful && (e = find_entry(v, f, true)) && be_live(v, e->c.backend, vip->id)) {
		out->reason = "syn";
		out->backend = e->c.backend;
		snprintf(out->detail, sizeof(out->detail), "syns entry: its SYN was scheduled there");
		return 0;
	}
	if (vip->flags & XLB_VIP_F_PERSIST) {
		struct xlb_template_key k = { .vip_id = vip->id, .family = f->family };
		struct xlb_flow pk = *f;

		memcpy(k.client, f->src, sizeof(k.client));
		for (i = 0; i < v->n_templates; i++) {
			if (memcmp(&v->templates[i].key, &k, sizeof(k)) ||
			    !be_live(v, v->templates[i].t.backend, vip->id))
				continue;
			out->reason = "template";
			out->backend = v->templates[i].t.backend;
			snprintf(out->detail, sizeof(out->detail),
				 "persistence template of the client");
			return 0;
		}
		pk.sport = 0;
		pk.dport = vv->key.port;
		pk.pad[0] = XLB_FLOW_K_TEMPLATE;
		if (stateful && (e = find_entry(v, &pk, true)) &&
		    be_live(v, e->c.backend, vip->id)) {
			out->reason = "pending_template";
			out->backend = e->c.backend;
			snprintf(out->detail, sizeof(out->detail),
				 "pending template: the client's unproven first SYN went there");
			return 0;
		}
	}
	return schedule(v, pin_dir, vv, f, out);
}

int xlb_lookup_show(const struct xlb_view *v, const struct xlb_conns_opts *o, char **argv)
{
	struct verdict out = { .backend = XLB_NO_BACKEND };
	struct xlb_flow f = {};
	const struct xlb_view_vip *vv;
	struct xlb_addr src, dst;
	char be[INET6_ADDRSTRLEN];
	int err = 0;

	if (!strcmp(argv[0], "tcp"))
		f.proto = IPPROTO_TCP;
	else if (!strcmp(argv[0], "udp"))
		f.proto = IPPROTO_UDP;
	if (!f.proto || parse_endpoint(argv[1], &src, &f.sport) ||
	    parse_endpoint(argv[2], &dst, &f.dport) || src.family != dst.family) {
		xlb_cli_err("lookup wants tcp|udp SRC:PORT DST:PORT, one family "
			    "([ADDR6]:PORT for IPv6)");
		return -EINVAL;
	}
	f.family = src.family;
	memcpy(f.src, src.w, sizeof(f.src));
	memcpy(f.dst, dst.w, sizeof(f.dst));
	vv = find_vip(v, &f);
	if (!vv) {
		out.reason = "no_vip";
		snprintf(out.detail, sizeof(out.detail), "no VIP: the kernel gets the packet");
	} else {
		err = decide(v, o->pin_dir, vv, &f, &out);
		if (err)
			return err;
	}
	xlb_view_backend_addr(v, out.backend, be, sizeof(be));
	if (o->json) {
		struct xlb_json j;

		xlb_json_init(&j, stdout);
		xlb_json_object_begin(&j);
		xlb_json_kv_string(&j, "vip", vv ? xlb_view_vip_name(v, vv->vip.id) : NULL);
		xlb_json_kv_string(&j, "scheduler", vv ? xlb_sched_name(vv->vip.sched) : NULL);
		xlb_json_kv_string(&j, "backend", out.backend == XLB_NO_BACKEND ? NULL : be);
		xlb_json_key(&j, "backend_id");
		if (out.backend == XLB_NO_BACKEND)
			xlb_json_string(&j, NULL);
		else
			xlb_json_uint(&j, out.backend);
		xlb_json_kv_string(&j, "reason", out.reason);
		xlb_json_kv_string(&j, "detail", out.detail);
		xlb_json_object_end(&j);
		err = xlb_json_finish(&j);
	} else {
		const char *name = vv ? xlb_view_vip_name(v, vv->vip.id) : NULL;

		if (vv)
			printf("%s %s -> %s: VIP %s (%s): backend %s (%s: %s)\n", argv[0], argv[1],
			       argv[2], name ? name : "-", xlb_sched_name(vv->vip.sched),
			       out.backend == XLB_NO_BACKEND ? "none" : be, out.reason, out.detail);
		else
			printf("%s %s -> %s: %s\n", argv[0], argv[1], argv[2], out.detail);
	}
	return err;
}
