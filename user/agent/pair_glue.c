// SPDX-License-Identifier: GPL-2.0-only
/*
 * The agent's side of the pair: it owns the failover backend and flow sync, and wires them to
 * each other (a role change turns sync's direction; a peer that asks for a bulk sync gets an
 * announcement) and to what only the agent has: the VIP table and the data paths' maps.
 */
#include <errno.h>
#include <string.h>

#include "agent/xlbd.h"

/* ---- sync's view of this node ---- */

static int sync_resolve(void *arg, const struct xlb_vip_key *vip, const struct xlb_addr *backend,
			uint32_t *vip_id, uint32_t *backend_id)
{
	struct xlbd *d = arg;
	struct xlb_lb_vip *v = xlb_lb_vip_by_key(&d->lb, vip);
	struct xlb_lb_backend *b = xlb_lb_backend_by_addr(v, backend);

	if (!b)
		return -ENOENT;
	*vip_id = v->val.id;
	*backend_id = b->id;
	return 0;
}

static int sync_describe(void *arg, uint32_t vip_id, uint32_t backend_id, struct xlb_vip_key *vip,
			 struct xlb_addr *backend)
{
	struct xlbd *d = arg;
	struct xlb_lb_vip *v = xlb_lb_vip_by_id(&d->lb, vip_id);
	struct xlb_lb_backend *b = xlb_lb_backend_by_id(v, backend_id);

	if (!b)
		return -ENOENT;
	*vip = v->key;
	*backend = b->addr;
	return 0;
}

static void sync_install(void *arg, const struct xlb_flow *flow, const struct xlb_conn *c)
{
	struct xlbd *d = arg;

	xlb_lb_install_flow(&d->lb, flow, c);
}

static void sync_install_template(void *arg, const struct xlb_template_key *k,
				  const struct xlb_template *t)
{
	struct xlbd *d = arg;

	xlb_lb_install_template(&d->lb, k, t);
}

static int sync_conns_fd(void *arg)
{
	struct xlbd *d = arg;

	/* Every data path holds the same bindings (each installed on all): one is walked. */
	return xlb_dps_primary(&d->dps)->conns_fd;
}

static int sync_templates_fd(void *arg)
{
	struct xlbd *d = arg;

	return xlb_dps_primary(&d->dps)->templates_fd;
}

static void sync_set_streaming(void *arg, bool on)
{
	struct xlbd *d = arg;

	xlb_dps_set_sync_flows(&d->dps, on);
	if (d->sweep_on)
		xlb_sweep_standby(&d->sweep, !on, xlb_sweep_now_ns());
}

static int sync_ring_fd(void *arg, size_t i)
{
	struct xlbd *d = arg;

	return xlb_dps_flow_events_fd(&d->dps, i);
}

static void sync_peer_became_backup(void *arg)
{
	struct xlbd *d = arg;

	xlb_fo_announce(&d->fo);
}

static const struct xlb_sync_ops sync_ops = {
	.resolve = sync_resolve,
	.describe = sync_describe,
	.install = sync_install,
	.install_template = sync_install_template,
	.conns_fd = sync_conns_fd,
	.templates_fd = sync_templates_fd,
	.set_streaming = sync_set_streaming,
	.ring_fd = sync_ring_fd,
	.peer_became_backup = sync_peer_became_backup,
};

/* ---- the failover backend's view of this node ---- */

static bool fo_vip_has_backend(void *arg, const char *name)
{
	struct xlbd *d = arg;
	size_t i, j;

	for (i = 0; i < d->lb.n_vips; i++) {
		if (strcmp(d->lb.vips[i].name, name))
			continue;
		for (j = 0; j < d->lb.vips[i].n_backends; j++)
			if (xlb_lb_backend_up(&d->lb.vips[i].backends[j]))
				return true;
	}
	return false;
}

static void fo_role_changed(void *arg, bool master)
{
	struct xlbd *d = arg;

	if (d->sync_on)
		xlb_sync_set_master(&d->sync, master);
}

int xlbd_pair_start(struct xlbd *d)
{
	const struct xlb_failover_ops *ops = xlb_fo_backend(d->cfg.failover_mode);
	const struct xlb_failover_host host = {
		.loop = &d->loop,
		.rtnl = &d->rtnl,
		.vrrps = d->cfg.vrrps,
		.n_vrrps = d->cfg.n_vrrps,
		.sync_groups = d->cfg.sync_groups,
		.n_sync_groups = d->cfg.n_sync_groups,
		.zk = d->cfg.zk,
		.vip_has_backend = fo_vip_has_backend,
		.role_changed = fo_role_changed,
		.arg = d,
	};
	int err;

	if (!ops)
		return 0;
	/* Sync first: the backend's first role change, as it starts, turns sync's direction. */
	if (d->cfg.sync.enabled) {
		err = xlb_sync_start(&d->sync, &d->loop, &d->cfg.sync, &sync_ops, d);
		if (err)
			return err;
		d->sync_on = true;
	}
	err = xlb_fo_start(&d->fo, ops, &host);
	if (err) {
		xlbd_pair_stop(d);
		return err;
	}
	d->fo_on = true;
	return 0;
}

void xlbd_pair_stop(struct xlbd *d)
{
	/* Graceful: a priority-0 advert, so the backup takes over now, not in 3 intervals. */
	if (d->fo_on)
		xlb_fo_stop(&d->fo, true);
	d->fo_on = false;
	if (d->sync_on)
		xlb_sync_stop(&d->sync);
	d->sync_on = false;
}

void xlbd_pair_state_json(struct xlbd *d, struct xlb_json *j)
{
	if (!d->fo_on)
		return;
	xlb_fo_state_json(&d->fo, j);
	if (d->sync_on)
		xlb_sync_state_json(&d->sync, j);
}

void xlbd_pair_metrics(struct xlbd *d, FILE *f)
{
	if (!d->fo_on)
		return;
	xlb_fo_metrics(&d->fo, f);
	if (d->sync_on)
		xlb_sync_metrics(&d->sync, f);
}
