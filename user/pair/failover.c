// SPDX-License-Identifier: GPL-2.0-only
/* The failover interface: a mode picks its backend; the node drives it through these calls. */
#include <stddef.h>

#include "pair/failover.h"

const struct xlb_failover_ops *xlb_fo_backend(uint8_t mode)
{
	switch (mode) {
	case XLB_FAILOVER_VRRP:
		return &xlb_fo_vrrp;
	case XLB_FAILOVER_ZK:
		return &xlb_fo_zk;
	default:
		return NULL;
	}
}

int xlb_fo_start(struct xlb_failover *fo, const struct xlb_failover_ops *ops,
		 const struct xlb_failover_host *host)
{
	int err;

	fo->ops = NULL;
	fo->state = NULL;
	fo->host = *host;
	err = ops->start(fo);
	if (!err)
		fo->ops = ops;
	return err;
}

void xlb_fo_stop(struct xlb_failover *fo, bool graceful)
{
	if (!fo->ops)
		return;
	fo->ops->stop(fo, graceful);
	fo->ops = NULL;
}

void xlb_fo_announce(struct xlb_failover *fo)
{
	if (fo->ops)
		fo->ops->announce(fo);
}

void xlb_fo_state_json(const struct xlb_failover *fo, struct xlb_json *j)
{
	if (fo->ops)
		fo->ops->state_json(fo, j);
}

void xlb_fo_metrics(const struct xlb_failover *fo, FILE *f)
{
	if (fo->ops)
		fo->ops->metrics(fo, f);
}
