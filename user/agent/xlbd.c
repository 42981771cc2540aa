// SPDX-License-Identifier: GPL-2.0-only
/*
 * xlbd: loads the XDP data path onto the configured interfaces, fills its maps from the YAML
 * config and keeps them true — backend MACs from the neighbour table, reloads on SIGHUP — from
 * one event loop.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net/if.h>

#include <arpa/inet.h>
#include <bpf/libbpf.h>

#include "agent/dataplane.h"
#include "agent/lb.h"
#include "agent/metrics.h"
#include "agent/neigh.h"
#include "agent/onlink.h"
#include "agent/stale_pins.h"
#include "agent/xlbd.h"
#include "common/log.h"
#include "common/loop.h"
#include "common/notify.h"
#include "common/spawn.h"
#include "config/config.h"
#include "dispatch/fwd.h"

enum xlb_exit {
	XLB_EXIT_OK = 0,
	XLB_EXIT_FAIL = 1,
	XLB_EXIT_CONFIG = 2, /* an invalid config, or a bad command line */
};

#define NEIGH_FAST_MS 200   /* while some backend has no MAC */
#define NEIGH_SLOW_MS 5000  /* otherwise: follow MAC changes, keep kernel entries fresh */
#define READY_WAIT_MS 3000  /* "ready" even if some MAC is still missing, after this long */


static void usage(FILE *f)
{
	fprintf(f,
		"usage: xlbd -c FILE [--check] [--xdp-mode MODE] [--pin-dir DIR] [--control PATH] [-v]\n"
		"  -c, --config FILE   YAML configuration\n"
		"      --check         validate the configuration and exit (0 valid, 2 invalid)\n"
		"      --xdp-mode MODE override every interface's xdp_mode\n"
		"      --pin-dir DIR   where maps are pinned (default " XLB_PIN_ROOT ")\n"
		"      --control PATH  control socket (default: the config's, else " XLB_CONTROL_SOCKET ")\n"
		"  -v, --verbose       debug logging (libbpf's too)\n"
		"  -h, --help          this text\n"
		"      --version       print the version and exit\n"
		"Exit status: 0 ok (or a valid config with --check), 1 the start failed past the\n"
		"config, 2 an invalid config or bad usage.\n");
}

/*
 * The interfaces a DR backend must be on-link on: the running ones (dps, at a reload, since
 * interface changes wait for a restart), else the file's. 0, or -ENODEV and *missing when one
 * of the file's is not on this machine (--check on another host; at start, opening it fails).
 */
static int dr_ifaces(const struct xlb_dps *dps, const struct xlb_config *cfg, int *ifindex,
		     size_t *n, const char **missing)
{
	size_t i;

	*n = dps ? dps->n : cfg->n_ifaces;
	for (i = 0; i < *n; i++) {
		ifindex[i] = dps ? dps->v[i].ifindex : (int)if_nametoindex(cfg->ifaces[i].name);
		if (!ifindex[i]) {
			*missing = cfg->ifaces[i].name;
			return -ENODEV;
		}
	}
	return 0;
}

/*
 * Parse path into *cfg and check its DR backends against the routes (agent/onlink.h), on the
 * running interfaces when dps is given. Errors go to stderr, one "file:line:col: message" each,
 * and to err (joined by "; ") when it is given. 0, or XLB_EXIT_CONFIG (*cfg then empty).
 * *unchecked, when given, names an interface this machine lacks: the DR check did not run.
 */
static int load_config(const char *path, const struct xlb_dps *dps, struct xlb_config *cfg,
		       const char **unchecked, char *err, size_t errlen)
{
	struct xlb_cfg_errors errs = {};
	int ifindex[XLB_DPS_MAX];
	const char *missing = NULL;
	size_t n_if;
	int ret;

	ret = xlb_cfg_parse_file(path, cfg, &errs);
	if (!ret && cfg->n_ifaces <= XLB_DPS_MAX &&
	    !dr_ifaces(dps, cfg, ifindex, &n_if, &missing)) {
		ret = xlb_onlink_check(cfg, ifindex, n_if, &errs);
		if (ret > 0) {
			xlb_cfg_free(cfg);
			ret = -EINVAL;
		}
	}
	if (unchecked)
		*unchecked = missing;
	if (ret == -EINVAL) {
		xlb_cfg_errors_print(&errs, path, stderr);
		if (err) {
			size_t i, off = 0;

			off = snprintf(err, errlen, "invalid configuration:");
			for (i = 0; i < errs.n && off < errlen; i++)
				off += snprintf(err + off, errlen - off, "%s %s:%u:%u: %s",
						i ? ";" : "", path, errs.v[i].pos.line,
						errs.v[i].pos.col, errs.v[i].msg);
		}
	} else if (ret) {
		pr_err("%s: %s", path, strerror(-ret));
		if (err)
			snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		xlb_cfg_free(cfg);
	}
	xlb_cfg_errors_free(&errs);
	return ret ? XLB_EXIT_CONFIG : 0;
}

/* The next hops of the backends reached through the FIB, after lb changed. */
static void nhs_sync(struct xlbd *d)
{
	if (xlb_nhs_sync(&d->nhs, &d->lb) < 0)
		pr_err("no memory for the backends' next hops: tun/nat backends may not resolve");
}

/* A lost notification is systemd's to time out on; xlbd serves on. Logged, not fatal. */
static void notify_ret(int ret)
{
	if (ret < 0)
		pr_warn("sd_notify to $NOTIFY_SOCKET: %s", strerror(-ret));
}

static void notify(const char *state)
{
	notify_ret(xlb_notify(state));
}

/*
 * Say "ready" once: every DR backend has a MAC and every next hop of a tun/nat backend is
 * resolved (so the first packet to each finds what it needs), or READY_WAIT passed. Returns how
 * many are still missing.
 */
static size_t neigh_ready(struct xlbd *d)
{
	const struct xlb_lb_backend *first = NULL;
	size_t missing = xlb_lb_unresolved(&d->lb, &first), hops = 0, i;
	const struct xlb_nh *hop = NULL;

	for (i = 0; i < d->nhs.n; i++)
		if (!d->nhs.v[i].seen && !hops++)
			hop = &d->nhs.v[i];
	if (!d->ready &&
	    (!(missing + hops) || xlb_now_ns() - d->started > READY_WAIT_MS * XLB_MS)) {
		char as[INET6_ADDRSTRLEN] = "";

		if (missing)
			pr_warn("%zu backends have no MAC yet (%s, ...): they get no traffic until "
				"they answer ARP/ND", missing, xlb_addr_str(&first->addr, as, sizeof(as)));
		if (hops)
			pr_warn("%zu tun/nat backends have no resolved next hop yet (%s, ...): "
				"their packets are dropped as drop_no_route until it answers "
				"ARP/ND", hops, xlb_addr_str(&hop->dst, as, sizeof(as)));
		pr_info("ready: %zu VIPs on %zu interfaces", d->lb.n_vips, d->dps.n);
		d->ready = true;
		notify("READY=1");
	}
	return missing + hops;
}

/*
 * Ask the kernel to resolve every backend it holds no usable entry for, on each interface: a
 * backend that fell out of the table keeps its last MAC (XDP bypasses the kernel, so nothing
 * else keeps the entry warm) and is probed so the entry, and any change of MAC, comes back.
 * Backends reached through the FIB get their next hop resolved instead (agent/nexthop.h).
 * The answers arrive as neighbour events. This timer is us asking, not polling: it runs only
 * while some backend is not in some interface's table, fast while some has no MAC at all or
 * no next hop.
 */
static void neigh_tick(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct xlbd *d = t->arg;
	bool unseen = false;
	size_t i, j, k, moved;

	/* A dump under way tells what is there; its end runs this again. */
	if (!xlb_rtnl_watch_synced(&d->rtnl, XLB_RTNL_NEIGHS))
		return;
	for (i = 0; i < d->lb.n_vips; i++) {
		const struct xlb_fwd_mode *fwd = xlb_fwd_get(d->lb.vips[i].val.fwd);

		if (fwd && !fwd->needs_mac)
			continue;
		for (j = 0; j < d->lb.vips[i].n_backends; j++) {
			struct xlb_lb_backend *b = &d->lb.vips[i].backends[j];

			for (k = 0; k < d->dps.n; k++) {
				if (b->hop[k].neigh_seen)
					continue;
				xlb_neigh_probe(d->dps.v[k].ifname, &b->addr);
				unseen = true;
			}
		}
	}
	if (xlb_nhs_probe(&d->nhs, &moved))
		unseen = true;
	/* A route that now takes another hop: the kernel may hold that one already. */
	if (moved)
		xlb_rtnl_watch_dump(&d->rtnl, XLB_RTNL_NEIGHS);
	if (neigh_ready(d))
		xlb_timer_arm(loop, t, NEIGH_FAST_MS * XLB_MS);
	else if (unseen)
		xlb_timer_arm(loop, t, NEIGH_SLOW_MS * XLB_MS);
}

static void on_neigh(const struct xlb_rtnl_neigh *n, void *arg)
{
	struct xlbd *d = arg;
	int k = xlb_dps_index(&d->dps, n->ifindex);

	/* A next hop may be on any device, one xlbd runs on or not. */
	if (xlb_nhs_neigh(&d->nhs, n)) {
		if (!xlb_timer_armed(&d->neigh_timer) &&
		    xlb_rtnl_watch_synced(&d->rtnl, XLB_RTNL_NEIGHS))
			xlb_timer_arm(&d->loop, &d->neigh_timer, 0);
	} else if (xlb_rtnl_neigh_usable(n)) {
		neigh_ready(d);
	}
	if (k < 0)
		return;
	if (xlb_rtnl_neigh_usable(n)) {
		xlb_lb_set_mac(&d->lb, k, &n->addr, n->mac);
		neigh_ready(d);
		return;
	}
	xlb_lb_neigh_gone(&d->lb, k, &n->addr);
	/* Probe it now, unless the timer already will; the timer paces what follows. */
	if (!xlb_timer_armed(&d->neigh_timer) && xlb_rtnl_watch_synced(&d->rtnl, XLB_RTNL_NEIGHS))
		xlb_timer_arm(&d->loop, &d->neigh_timer, 0);
}

/* A neighbour dump starts: what each interface holds is told again from scratch. */
static void on_neigh_begin(unsigned int what, void *arg)
{
	struct xlbd *d = arg;
	size_t k;

	if (!(what & XLB_RTNL_NEIGHS))
		return;
	for (k = 0; k < d->dps.n; k++)
		xlb_lb_neigh_forget(&d->lb, k);
	xlb_nhs_forget(&d->nhs);
}

static void on_neigh_synced(unsigned int what, void *arg)
{
	struct xlbd *d = arg;

	if (what & XLB_RTNL_NEIGHS)
		xlb_timer_arm(&d->loop, &d->neigh_timer, 0);
}

/*
 * The pair's settings stay as started: VRRP and sync hold sockets, addresses and a peer's trust
 * that a reload must not pull from under them. The new file's are swapped out and freed.
 */
static bool vrrps_differ(const struct xlb_config *a, const struct xlb_config *b)
{
	size_t i;

	if (a->n_vrrps != b->n_vrrps || a->n_sync_groups != b->n_sync_groups)
		return true;
	for (i = 0; i < a->n_vrrps; i++) {
		const struct xlb_cfg_vrrp *x = &a->vrrps[i], *y = &b->vrrps[i];

		if (x->vrid != y->vrid || x->priority != y->priority ||
		    x->advert_cs != y->advert_cs || x->n_vaddrs != y->n_vaddrs ||
		    x->sync_group != y->sync_group || strcmp(x->interface, y->interface) ||
		    strcmp(x->name, y->name))
			return true;
	}
	return false;
}

static void keep_failover(struct xlbd *d, struct xlb_config *cfg)
{
	struct xlb_config kept = {
		.vrrps = cfg->vrrps,
		.n_vrrps = cfg->n_vrrps,
		.sync_groups = cfg->sync_groups,
		.n_sync_groups = cfg->n_sync_groups,
		.sync = cfg->sync,
		.failover_mode = cfg->failover_mode,
		.zk = cfg->zk,
	};

	if (kept.failover_mode != d->cfg.failover_mode || vrrps_differ(&kept, &d->cfg) ||
	    kept.sync.enabled != d->cfg.sync.enabled)
		pr_warn("reload: failover settings take effect at the next start");
	cfg->vrrps = d->cfg.vrrps;
	cfg->n_vrrps = d->cfg.n_vrrps;
	cfg->sync_groups = d->cfg.sync_groups;
	cfg->n_sync_groups = d->cfg.n_sync_groups;
	cfg->sync = d->cfg.sync;
	cfg->failover_mode = d->cfg.failover_mode;
	cfg->zk = d->cfg.zk;
	d->cfg.zk = kept.zk;
	d->cfg.vrrps = kept.vrrps;
	d->cfg.n_vrrps = kept.n_vrrps;
	d->cfg.sync_groups = kept.sync_groups;
	d->cfg.n_sync_groups = kept.n_sync_groups;
	d->cfg.sync = kept.sync;
	d->cfg.failover_mode = kept.failover_mode;
}

static int reload(struct xlbd *d, char *err, size_t errlen, struct xlb_cfg_changes *changes)
{
	struct xlb_config cfg = {};
	char line[1024];
	size_t i;
	int ret;

	memset(changes, 0, sizeof(*changes));
	if (load_config(d->cfg_path, &d->dps, &cfg, NULL, err, errlen)) {
		pr_err("reload refused: the running configuration stays");
		d->reload_errors++;
		return -EINVAL;
	}
	if (cfg.n_ifaces != d->cfg.n_ifaces)
		pr_warn("reload: interface changes take effect at the next start");
	for (i = 0; i < cfg.n_ifaces && i < d->cfg.n_ifaces; i++)
		if (strcmp(cfg.ifaces[i].name, d->cfg.ifaces[i].name))
			pr_warn("reload: interface changes take effect at the next start");
	/* Before apply: a report that cannot be made is no reason to refuse the config. */
	if (xlb_cfg_diff(&d->cfg, &cfg, changes))
		pr_warn("reload: no memory to say what changed");
	ret = xlb_lb_apply(&d->lb, &cfg);
	if (ret) {
		xlb_cfg_changes_free(changes);
		snprintf(err, errlen, "cannot install the configuration: %s", strerror(-ret));
		pr_err("reload failed: the running configuration stays");
		xlb_cfg_free(&cfg);
		d->reload_errors++;
		return ret;
	}
	/* Keep the control socket and interfaces of the running config: they need a restart. */
	snprintf(cfg.control_socket, sizeof(cfg.control_socket), "%s", d->cfg.control_socket);
	keep_failover(d, &cfg);
	/* The announcer holds routes in the running table: a new one needs a restart. */
	if (cfg.announce.mode != d->cfg.announce.mode || cfg.announce.table != d->cfg.announce.table ||
	    cfg.announce.protocol != d->cfg.announce.protocol ||
	    cfg.announce.metric != d->cfg.announce.metric)
		pr_warn("reload: announce settings take effect at the next start");
	cfg.announce = d->cfg.announce;
	xlbd_metrics_reload(d, &cfg);
	xlb_cfg_free(&d->cfg);
	d->cfg = cfg;
	d->reloads++;
	clock_gettime(CLOCK_REALTIME, &d->reloaded_wall);
	xlb_mon_sync(&d->mon);
	nhs_sync(d);
	xlb_announce_update(&d->ann);
	if (d->sweep_on)
		xlb_sweep_configure(&d->sweep, &d->cfg.timeouts, &d->lb);
	xlb_cfg_changes_line(changes, XLB_CFG_CHANGES_LINE_MAX, line, sizeof(line));
	pr_info("reload: %zu VIPs: %s", d->lb.n_vips, line);
	/* New backends want their MACs now: what the kernel holds, then probes for the rest. */
	xlb_rtnl_watch_dump(&d->rtnl, XLB_RTNL_NEIGHS);
	return 0;
}

/*
 * systemd hears of the reload (RELOADING=1, then READY=1 whatever the outcome: a refused one
 * keeps the running configuration); before "ready", systemd still waits for the first READY=1.
 */
int xlbd_reload(struct xlbd *d, char *err, size_t errlen, struct xlb_cfg_changes *changes)
{
	struct xlb_cfg_changes none;
	int ret;

	pr_info("reload: reading %s", d->cfg_path);
	if (d->ready)
		notify_ret(xlb_notify_reloading());
	ret = reload(d, err, errlen, changes ? changes : &none);
	if (!changes)
		xlb_cfg_changes_free(&none);
	if (d->ready)
		notify("READY=1");
	return ret;
}

/* A pass every XLB_SWEEP_INTERVAL_MS, walked a few batches per turn of the loop. */
static void sweep_tick(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct xlbd *d = t->arg;
	const struct xlb_sweep_stats *st = &d->sweep.last;
	int ret;

	if (!d->sweep.pass)
		d->sweep_began = xlb_now_ns();
	ret = xlb_sweep_step(&d->sweep, xlb_sweep_now_ns(), XLB_SWEEP_BATCHES_PER_STEP);
	if (ret > 0) {
		xlb_timer_arm(loop, t, XLB_SWEEP_YIELD_MS * XLB_MS);
		return;
	}
	if (!ret)
		pr_debug("sweep: %llu entries, %llu expired, %llu templates kept, %.1f ms",
			 (unsigned long long)st->entries, (unsigned long long)st->expired,
			 (unsigned long long)st->refreshed, st->took_ns / 1e6);
	xlb_timer_arm(loop, t, d->sweep_began + XLB_SWEEP_INTERVAL_MS * XLB_MS > xlb_now_ns()
				       ? d->sweep_began + XLB_SWEEP_INTERVAL_MS * XLB_MS - xlb_now_ns()
				       : 0);
}

/* Every second: a changed table has settled XLB_SETTLE_NS after its change (lb.c). */
static void settle_tick(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct xlbd *d = t->arg;

	xlb_lb_settle(&d->lb, xlb_now_ns());
	xlb_timer_arm(loop, t, 1000 * XLB_MS);
}

static void on_signal(struct xlb_loop *loop, int signo, void *arg)
{
	char err[2048];

	if (signo == SIGHUP) {
		xlbd_reload(arg, err, sizeof(err), NULL);
		return;
	}
	pr_info("%s: stopping", strsignal(signo));
	notify("STOPPING=1");
	xlb_loop_stop(loop);
}

/*
 * Start, serve, stop. Every failure exit goes through the same teardown, which is safe on
 * whatever part started: the XDP programs come off the interfaces (no data path runs without
 * its agent) while the pinned maps stay for the next start to adopt.
 */
static int run(struct xlbd *d)
{
	static const int signals[] = { SIGTERM, SIGINT, SIGHUP, 0 };
	int err, pin_lock = -1;

	err = xlb_loop_init(&d->loop, signals, on_signal, d);
	if (err) {
		pr_err("event loop: %s", strerror(-err));
		return XLB_EXIT_FAIL;
	}
	/* First: a second xlbd on a live one's socket must stop before it touches its pins. */
	err = xlb_ctl_listen(&d->ctl, &d->loop, d->cfg.control_socket, xlbd_ctl_cmds, d);
	if (err == -EADDRINUSE) {
		pr_err("control socket %s: a running xlbd serves it", d->cfg.control_socket);
		goto out;
	} else if (err) {
		pr_err("control socket %s: %s", d->cfg.control_socket, strerror(-err));
		goto out;
	}
	err = xlb_bpffs_ensure(d->pin_root);
	if (err)
		goto out;
	pin_lock = xlb_pin_lock(d->pin_root);
	if (pin_lock < 0) {
		err = pin_lock;
		goto out;
	}
	/* Under the lock: no other xlbd is pinning there while we look. */
	xlb_stale_pins_remove(d->pin_root, &d->cfg);
	err = xlb_dps_open(&d->dps, d->pin_root, &d->cfg);
	if (err)
		goto out;
	err = xlb_dps_tx_ports(&d->dps);
	if (err)
		goto out;
	xlb_dps_check_forwarding(&d->dps, &d->cfg);
	err = xlb_lb_init(&d->lb, &d->dps);
	if (err) {
		pr_err("reading the pinned maps: %s", strerror(-err));
		goto out;
	}
	xlb_mon_init(&d->mon, &d->loop, &d->lb, d->cfg.notify);
	d->lb.retire = xlb_mon_retire;
	d->lb.retire_arg = &d->mon;
	err = xlb_lb_apply(&d->lb, &d->cfg);
	if (err)
		goto out;
	nhs_sync(d);
	/* Maps first, attach second: the program never runs on empty maps. */
	err = xlb_dps_attach(&d->dps, &d->cfg, d->xdp_mode);
	if (err)
		goto out;
	err = xlb_neigh_wants_open(&d->wants, &d->loop, &d->dps);
	if (err)
		goto out;

	/* Without the sweep the data path still balances; only idle entries and counts drift. */
	if (!xlb_sweep_init_dps(&d->sweep, &d->dps)) {
		d->sweep_on = true;
		xlb_sweep_configure(&d->sweep, &d->cfg.timeouts, &d->lb);
		xlb_timer_init(&d->sweep_timer, sweep_tick, d);
		xlb_timer_arm(&d->loop, &d->sweep_timer, XLB_SWEEP_INTERVAL_MS * XLB_MS);
	} else {
		pr_warn("no connection table sweep: idle entries stay until evicted");
	}

	xlb_timer_init(&d->settle_timer, settle_tick, d);
	xlb_timer_arm(&d->loop, &d->settle_timer, 1000 * XLB_MS);

	d->started = xlb_now_ns();
	clock_gettime(CLOCK_REALTIME, &d->started_wall);
	d->reloaded_wall = d->started_wall;
	xlb_timer_init(&d->neigh_timer, neigh_tick, d);
	d->neigh_sub = (struct xlb_rtnl_sub){ .neigh = on_neigh, .begin = on_neigh_begin,
					      .synced = on_neigh_synced, .arg = d };
	err = xlb_rtnl_watch_open(&d->rtnl, &d->loop);
	if (err)
		goto out;
	xlb_rtnl_watch_subscribe(&d->rtnl, &d->neigh_sub);
	xlb_mon_sync(&d->mon);
	/* The maps are filled: a scrape reads what the data path runs on. */
	err = xlbd_metrics_start(d);
	if (err)
		goto out;
	err = xlbd_pair_start(d);
	if (err)
		goto out;
	if (d->cfg.announce.mode == XLB_ANNOUNCE_BGP) {
		err = xlb_announce_start(&d->ann, &d->loop, &d->rtnl, &d->lb, &d->cfg);
		if (err)
			goto out;
	}
	err = xlb_loop_run(&d->loop);
	if (err)
		pr_err("event loop: %s", strerror(-err));
	xlbd_pair_stop(d);
out:
	/* First: the routers stop sending while the data path still forwards. */
	xlb_announce_stop(&d->ann);
	xlbd_metrics_stop(d);
	xlb_ctl_close(&d->ctl);
	xlb_timer_cancel(&d->loop, &d->sweep_timer);
	xlb_timer_cancel(&d->loop, &d->settle_timer);
	xlb_sweep_fini(&d->sweep);
	/* Checkers and children hold loop resources: stop them while the loop still exists. */
	xlb_lb_fini(&d->lb);
	xlb_nhs_free(&d->nhs);
	xlb_neigh_wants_close(&d->wants);
	xlb_spawn_fini(&d->loop);
	xlb_rtnl_watch_close(&d->rtnl);
	xlb_dps_close(&d->dps);
	xlb_loop_fini(&d->loop);
	if (pin_lock >= 0)
		close(pin_lock);
	return err ? XLB_EXIT_FAIL : XLB_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'C' },
		{ "xdp-mode", required_argument, NULL, 'm' },
		{ "pin-dir", required_argument, NULL, 'p' },
		{ "control", required_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{},
	};
	struct xlbd d = { .pin_root = XLB_PIN_ROOT, .xdp_mode = -1 };
	bool check = false, verbose = false;
	const char *unchecked;
	int c, ret;

	while ((c = getopt_long(argc, argv, "c:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			d.cfg_path = optarg;
			break;
		case 'C':
			check = true;
			break;
		case 'm':
			if (!strcmp(optarg, "auto"))
				d.xdp_mode = XLB_XDP_AUTO;
			else if (!strcmp(optarg, "native"))
				d.xdp_mode = XLB_XDP_NATIVE;
			else if (!strcmp(optarg, "generic"))
				d.xdp_mode = XLB_XDP_GENERIC;
			else {
				fprintf(stderr, "xlbd: --xdp-mode: '%s' is not auto, native or generic\n",
					optarg);
				return XLB_EXIT_CONFIG;
			}
			break;
		case 'p':
			d.pin_root = optarg;
			break;
		case 's':
			d.ctl_path = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			return XLB_EXIT_OK;
		case 'V':
			printf("xlbd %s\n", XLB_VERSION);
			return XLB_EXIT_OK;
		default:
			usage(stderr);
			return XLB_EXIT_CONFIG;
		}
	}
	if (!d.cfg_path || optind != argc) {
		if (!d.cfg_path)
			fprintf(stderr, "xlbd: no configuration given (-c FILE)\n");
		else
			fprintf(stderr, "xlbd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return XLB_EXIT_CONFIG;
	}
	xlb_log_init("xlbd", verbose ? XLB_LOG_DEBUG : XLB_LOG_INFO);
	/* --check is a command: its lines stay as a terminal and the startup tests read them. */
	if (!check)
		xlb_log_daemon();
	xlb_log_libbpf();

	ret = load_config(d.cfg_path, NULL, &d.cfg, &unchecked, NULL, 0);
	if (!ret && check && unchecked)
		pr_warn("%s: interface %s is not on this machine: dr backends are not checked for "
			"being on-link (xlbd checks them at start and reload)", d.cfg_path,
			unchecked);
	if (ret || check) {
		if (!ret)
			printf("%s: configuration is valid (%zu VIPs)\n", d.cfg_path, d.cfg.n_vips);
		xlb_cfg_free(&d.cfg);
		return ret;
	}
	if (d.ctl_path)
		snprintf(d.cfg.control_socket, sizeof(d.cfg.control_socket), "%s", d.ctl_path);
	ret = run(&d);
	xlb_cfg_free(&d.cfg);
	return ret;
}
