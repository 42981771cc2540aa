// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a scrape reads: the counters of every data path's per-CPU maps (vip_stats,
 * backend_stats, reason_stats) summed over CPUs — and, for VIPs and backends, over interfaces,
 * since each interface counts what it forwarded —, backend_conns (one map, shared), the health
 * checkers' state, and the pair's and xlbd's own. Names and units by Prometheus' conventions:
 * counters end in _total, times are seconds.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "agent/metrics.h"
#include "agent/xlbd.h"
#include "check/health.h"
#include "common/log.h"
#include "common/names.h"
#include "common/prom.h"
#include "xlb.skel.h"

/* One scrape: the per-CPU read buffer, and the sums of every VIP and backend, in lb's order. */
struct scrape {
	struct xlbd *d;
	FILE *f;
	int ncpu;
	struct xlb_counters *cpu;  /* ncpu slots */
	struct xlb_counters *vips; /* by index into d->lb.vips */
	struct xlb_counters *bes;  /* by backend, VIP after VIP */
	size_t n_bes;
};

/* Entry idx of the per-CPU counters map fd, summed over CPUs, added to *sum. */
static int percpu_add(struct scrape *s, int fd, uint32_t idx, struct xlb_counters *sum)
{
	int cpu;

	if (bpf_map_lookup_elem(fd, &idx, s->cpu))
		return -errno;
	for (cpu = 0; cpu < s->ncpu; cpu++) {
		sum->packets += s->cpu[cpu].packets;
		sum->bytes += s->cpu[cpu].bytes;
		sum->new_flows += s->cpu[cpu].new_flows;
	}
	return 0;
}

static int sum_counters(struct scrape *s)
{
	const struct xlb_lb *lb = &s->d->lb;
	size_t i, j, k, n = 0;
	int err;

	for (i = 0; i < lb->n_vips; i++)
		n += lb->vips[i].n_backends;
	s->vips = calloc(lb->n_vips ?: 1, sizeof(*s->vips));
	s->bes = calloc(n ?: 1, sizeof(*s->bes));
	if (!s->vips || !s->bes)
		return -ENOMEM;
	s->n_bes = n;
	for (k = 0; k < s->d->dps.n; k++) {
		const struct xlb_dp *dp = &s->d->dps.v[k];

		for (i = 0, n = 0; i < lb->n_vips; i++) {
			err = percpu_add(s, dp->vip_stats_fd, lb->vips[i].val.id, &s->vips[i]);
			for (j = 0; !err && j < lb->vips[i].n_backends; j++, n++)
				err = percpu_add(s, dp->backend_stats_fd, lb->vips[i].backends[j].id,
						 &s->bes[n]);
			if (err)
				return err;
		}
	}
	return 0;
}

#define FIELD(m) offsetof(struct xlb_counters, m)
#define COUNT(c, off) (*(const uint64_t *)((const char *)(c) + (off)))

static void vip_counter(const struct scrape *s, const char *name, size_t off, const char *help)
{
	size_t i;

	xlb_prom_family(s->f, name, XLB_PROM_COUNTER, help);
	for (i = 0; i < s->d->lb.n_vips; i++)
		xlb_prom_uint(s->f, name, COUNT(&s->vips[i], off), "vip", s->d->lb.vips[i].name,
			      NULL);
}

/*
 * A family with one sample per backend: the counter at off of its sums (fn NULL), or what fn
 * says of the backend (a gauge).
 */
static void backend_family(const struct scrape *s, const char *name, enum xlb_prom_type type,
			   size_t off, double (*fn)(const struct xlb_lb_backend *b, void *arg),
			   void *arg, const char *help)
{
	const struct xlb_lb *lb = &s->d->lb;
	char bs[XLB_ADDR_PORT_STRLEN];
	size_t i, j, n = 0;

	xlb_prom_family(s->f, name, type, help);
	for (i = 0; i < lb->n_vips; i++) {
		const struct xlb_lb_vip *v = &lb->vips[i];

		for (j = 0; j < v->n_backends; j++, n++) {
			const struct xlb_lb_backend *b = &v->backends[j];

			xlb_lb_backend_label(v, b, bs, sizeof(bs));
			if (fn)
				xlb_prom_double(s->f, name, fn(b, arg), "vip", v->name, "backend", bs,
						NULL);
			else
				xlb_prom_uint(s->f, name, COUNT(&s->bes[n], off), "vip", v->name,
					      "backend", bs, NULL);
		}
	}
}

static double be_healthy(const struct xlb_lb_backend *b, void *arg)
{
	(void)arg;
	return b->healthy;
}

static double be_weight(const struct xlb_lb_backend *b, void *arg)
{
	(void)arg;
	return b->weight;
}

/* backend_conns: the fd of the shared map, the member's offset. */
struct conns_arg {
	int fd;
	size_t off;
	int err;
};

static double be_conns(const struct xlb_lb_backend *b, void *arg)
{
	struct conns_arg *c = arg;
	struct xlb_backend_conns bc = {};

	if (bpf_map_lookup_elem(c->fd, &b->id, &bc) && !c->err)
		c->err = -errno;
	return *(const int32_t *)((const char *)&bc + c->off);
}

static double be_checks(const struct xlb_lb_backend *b, void *arg)
{
	const struct xlb_hc *hc = b->checker;

	(void)arg;
	return hc ? hc->checks : 0;
}

static double be_check_failures(const struct xlb_lb_backend *b, void *arg)
{
	const struct xlb_hc *hc = b->checker;

	(void)arg;
	return hc ? hc->failed : 0;
}

/*
 * One series per state, 1 for the backend's: what xlbctl backends shows in its state column,
 * xlb_lb_backend_state()'s words (agent/lb.h).
 */
static void backend_states(const struct scrape *s)
{
	static const char *const states[] = { "up", "down", "drain", "disabled" };
	const struct xlb_lb *lb = &s->d->lb;
	char bs[XLB_ADDR_PORT_STRLEN];
	size_t i, j, k;

	xlb_prom_family(s->f, "xlb_backend_state", XLB_PROM_GAUGE,
			"1 for a backend's state (up: takes new flows; down: failed its checks; "
			"drain, disabled: the operator's), 0 for the others.");
	for (i = 0; i < lb->n_vips; i++) {
		const struct xlb_lb_vip *v = &lb->vips[i];

		for (j = 0; j < v->n_backends; j++) {
			const char *st = xlb_lb_backend_state(&v->backends[j]);

			xlb_lb_backend_label(v, &v->backends[j], bs, sizeof(bs));
			for (k = 0; k < sizeof(states) / sizeof(states[0]); k++)
				xlb_prom_uint(s->f, "xlb_backend_state", !strcmp(st, states[k]),
					      "vip", v->name, "backend", bs, "state", states[k], NULL);
		}
	}
}

static void backend_latency(const struct scrape *s)
{
	const struct xlb_lb *lb = &s->d->lb;
	double le[XLB_HC_LAT_BUCKETS];
	char bs[XLB_ADDR_PORT_STRLEN];
	size_t i, j;

	for (i = 0; i < XLB_HC_LAT_BUCKETS; i++)
		le[i] = xlb_hc_lat_le_us[i] / 1e6;
	xlb_prom_family(s->f, "xlb_backend_check_duration_seconds", XLB_PROM_HISTOGRAM,
			"How long a backend's health checks took, failed ones too (a timeout at "
			"its timeout).");
	for (i = 0; i < lb->n_vips; i++) {
		const struct xlb_lb_vip *v = &lb->vips[i];

		for (j = 0; j < v->n_backends; j++) {
			const struct xlb_hc *hc = v->backends[j].checker;

			if (!hc)
				continue;
			xlb_prom_histogram(s->f, "xlb_backend_check_duration_seconds", le,
					   hc->lat_count, XLB_HC_LAT_BUCKETS, hc->lat_sum_us / 1e6,
					   "vip", v->name, "backend",
					   xlb_lb_backend_label(v, &v->backends[j], bs, sizeof(bs)), NULL);
		}
	}
}

static int backends(struct scrape *s)
{
	struct xlb_dp *pri = xlb_dps_primary(&s->d->dps);
	struct conns_arg ca = { .fd = pri ? pri->backend_conns_fd : -1 };

	backend_family(s, "xlb_backend_packets_total", XLB_PROM_COUNTER, FIELD(packets), NULL,
		       NULL, "Packets forwarded to a backend, over every interface.");
	backend_family(s, "xlb_backend_bytes_total", XLB_PROM_COUNTER, FIELD(bytes), NULL, NULL,
		       "Bytes forwarded to a backend, from the Ethernet header on.");
	backend_family(s, "xlb_backend_new_flows_total", XLB_PROM_COUNTER, FIELD(new_flows), NULL,
		       NULL, "Flows the data path scheduled to a backend.");
	ca.off = offsetof(struct xlb_backend_conns, active);
	backend_family(s, "xlb_backend_active_connections", XLB_PROM_GAUGE, 0, be_conns, &ca,
		       "A backend's established TCP connections (ipvsadm's ActiveConn).");
	ca.off = offsetof(struct xlb_backend_conns, inactive);
	backend_family(s, "xlb_backend_inactive_connections", XLB_PROM_GAUGE, 0, be_conns, &ca,
		       "A backend's other connection table entries: SYN seen, closing, UDP "
		       "(ipvsadm's InActConn).");
	backend_family(s, "xlb_backend_up", XLB_PROM_GAUGE, 0, be_healthy, NULL,
		       "1 while a backend passes its health checks.");
	backend_family(s, "xlb_backend_weight", XLB_PROM_GAUGE, 0, be_weight, NULL,
		       "A backend's configured weight.");
	backend_states(s);
	backend_family(s, "xlb_backend_checks_total", XLB_PROM_COUNTER, 0, be_checks, NULL,
		       "Health checks of a backend that finished.");
	backend_family(s, "xlb_backend_check_failures_total", XLB_PROM_COUNTER, 0,
		       be_check_failures, NULL, "Health checks of a backend that failed.");
	backend_latency(s);
	return ca.err;
}

/* Per interface: its program's verdicts are its own, not a share of a VIP's. */
static int reasons(struct scrape *s)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} fams[] = {
		{ "xlb_packets_total", "Packets an interface's XDP program handled, by verdict reason.",
		  FIELD(packets) },
		{ "xlb_bytes_total", "Bytes an interface's XDP program handled, by verdict reason.",
		  FIELD(bytes) },
	};
	struct xlb_counters (*sums)[XLB_R_MAX];
	size_t k, m;
	unsigned int r;
	int err = 0;

	sums = calloc(s->d->dps.n ?: 1, sizeof(*sums));
	if (!sums)
		return -ENOMEM;
	for (k = 0; k < s->d->dps.n && !err; k++) {
		int fd = bpf_map__fd(s->d->dps.v[k].skel->maps.reason_stats);

		for (r = 0; r < XLB_R_MAX && !err; r++)
			err = percpu_add(s, fd, r, &sums[k][r]);
	}
	for (m = 0; !err && m < sizeof(fams) / sizeof(fams[0]); m++) {
		xlb_prom_family(s->f, fams[m].name, XLB_PROM_COUNTER, fams[m].help);
		for (k = 0; k < s->d->dps.n; k++)
			for (r = 0; r < XLB_R_MAX; r++)
				xlb_prom_uint(s->f, fams[m].name, COUNT(&sums[k][r], fams[m].off),
					      "interface", s->d->dps.v[k].ifname, "reason",
					      xlb_reason_name(r), NULL);
	}
	free(sums);
	return err;
}

static double wall_s(const struct timespec *ts)
{
	return ts->tv_sec + ts->tv_nsec / 1e9;
}

static void daemon_families(struct xlbd *d, FILE *f)
{
	xlb_prom_family(f, "xlb_build_info", XLB_PROM_GAUGE, "1, labelled with xlbd's version.");
	xlb_prom_uint(f, "xlb_build_info", 1, "version", XLB_VERSION, NULL);
	xlb_prom_family(f, "xlb_start_time_seconds", XLB_PROM_GAUGE,
			"When xlbd started, in seconds since the Unix epoch.");
	xlb_prom_double(f, "xlb_start_time_seconds", wall_s(&d->started_wall), NULL);
	xlb_prom_family(f, "xlb_reloads_total", XLB_PROM_COUNTER,
			"Reloads (SIGHUP, xlbctl reload): applied (ok) or refused (error).");
	xlb_prom_uint(f, "xlb_reloads_total", d->reloads, "result", "ok", NULL);
	xlb_prom_uint(f, "xlb_reloads_total", d->reload_errors, "result", "error", NULL);
	xlb_prom_family(f, "xlb_last_reload_success_timestamp_seconds", XLB_PROM_GAUGE,
			"When the running configuration was applied (the start, or the last good "
			"reload), in seconds since the Unix epoch.");
	xlb_prom_double(f, "xlb_last_reload_success_timestamp_seconds",
			wall_s(&d->reloaded_wall), NULL);
}

int xlbd_metrics_write(struct xlbd *d, FILE *f)
{
	struct scrape s = { .d = d, .f = f, .ncpu = libbpf_num_possible_cpus() };
	int err;

	if (s.ncpu < 0)
		return s.ncpu;
	s.cpu = calloc(s.ncpu, sizeof(*s.cpu));
	err = s.cpu ? sum_counters(&s) : -ENOMEM;
	if (!err) {
		daemon_families(d, f);
		vip_counter(&s, "xlb_vip_packets_total", FIELD(packets),
			    "Packets to a VIP, over every interface.");
		vip_counter(&s, "xlb_vip_bytes_total", FIELD(bytes),
			    "Bytes to a VIP, from the Ethernet header on.");
		vip_counter(&s, "xlb_vip_new_flows_total", FIELD(new_flows),
			    "Flows the data path scheduled for a VIP.");
		err = backends(&s);
	}
	if (!err)
		err = reasons(&s);
	if (!err)
		xlbd_pair_metrics(d, f);
	free(s.cpu);
	free(s.vips);
	free(s.bes);
	return err;
}

static int collect(void *arg, FILE *f)
{
	return xlbd_metrics_write(arg, f);
}

int xlbd_metrics_start(struct xlbd *d)
{
	const struct xlb_cfg_metrics *m = &d->cfg.metrics;

	if (!m->enabled)
		return 0;
	return xlb_metrics_http_start(&d->metrics, &d->loop, &m->listen_addr, m->listen_port,
				      collect, d);
}

void xlbd_metrics_stop(struct xlbd *d)
{
	xlb_metrics_http_stop(d->metrics);
	d->metrics = NULL;
}

static bool same_listen(const struct xlb_cfg_metrics *a, const struct xlb_cfg_metrics *b)
{
	return a->enabled == b->enabled &&
	       (!a->enabled ||
		(xlb_addr_eq(&a->listen_addr, &b->listen_addr) && a->listen_port == b->listen_port));
}

static int serve(struct xlbd *d, struct xlb_metrics_http **h, const struct xlb_cfg_metrics *m)
{
	return xlb_metrics_http_start(h, &d->loop, &m->listen_addr, m->listen_port, collect, d);
}

/*
 * The new listener first, so scrapes go on when it cannot be had. On the running one's port (on
 * another address, which may overlap it: 0.0.0.0 holds 127.0.0.1's) the running one is closed
 * first, and comes back if the new one still fails.
 */
void xlbd_metrics_reload(struct xlbd *d, struct xlb_config *cfg)
{
	struct xlb_cfg_metrics *now = &d->cfg.metrics, *want = &cfg->metrics;
	struct xlb_metrics_http *next;
	bool same_port;
	int err;

	if (same_listen(now, want))
		return;
	if (!want->enabled) {
		xlbd_metrics_stop(d);
		pr_info("metrics: no longer served");
		return;
	}
	same_port = d->metrics && now->listen_port == want->listen_port;
	if (same_port)
		xlbd_metrics_stop(d);
	err = serve(d, &next, want);
	if (err) {
		if (same_port && serve(d, &d->metrics, now))
			now->enabled = false;
		pr_warn("reload: metrics stay %s", now->enabled ? "where they were" : "unserved");
		*want = *now;
		return;
	}
	xlbd_metrics_stop(d);
	d->metrics = next;
}
