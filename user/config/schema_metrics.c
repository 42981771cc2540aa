// SPDX-License-Identifier: GPL-2.0-only
/*
 * metrics: {listen: "ADDR:PORT"}: where xlbd serves its Prometheus metrics (agent/metrics.h).
 * The port is required, and an unspecified address (0.0.0.0, [::]) is taken: a scraper on
 * another host is the common case, so every address is a choice the file may make.
 */
#include "config/keys.h"
#include "config/schema.h"

enum {
	XLB_CFG_METRICS_LISTEN,
};

static int xlb_cfg_metrics_listen(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_metrics *m = &((struct xlb_config *)obj)->metrics;

	return xlb_cfg_hostport_val(p, "metrics listen", XLB_CFG_METRICS_EXAMPLE_PORT,
				    XLB_CFG_HP_NEED_PORT | XLB_CFG_HP_ANY, &m->listen_addr,
				    &m->listen_port);
}

/* Without a valid listen address xlbd must not serve on a half-read one. */
static int xlb_cfg_metrics_end(struct xlb_cfg_parser *p, void *obj, struct xlb_cfg_pos start,
			       const struct xlb_cfg_mark *seen)
{
	struct xlb_cfg_metrics *m = &((struct xlb_config *)obj)->metrics;

	m->pos = start;
	m->enabled = seen[XLB_CFG_METRICS_LISTEN].ok;
	return p->stop;
}

static const struct xlb_cfg_key xlb_cfg_metrics_keys[] = {
	[XLB_CFG_METRICS_LISTEN] = XLB_CFG_KEY_FN("listen", XLB_CFG_SCALAR, true,
						  xlb_cfg_metrics_listen),
};

const struct xlb_cfg_section xlb_cfg_metrics_section =
	XLB_CFG_SECTION("in metrics", xlb_cfg_metrics_keys, xlb_cfg_metrics_end);
