// SPDX-License-Identifier: GPL-2.0-only
/*
 * announce: {mode: bgp, table, protocol, metric}: the routes an active fleet's xlbd keeps for
 * BIRD to export (agent/announce_routes.h). The numbers are the kernel's: a table and a route
 * protocol that no other part of the system may take, since xlbd deletes what it finds there.
 */
#include <stdio.h>

#include "config/keys.h"
#include "config/schema.h"

static const struct xlb_cfg_word xlb_cfg_announce_modes[] = {
	{ "bgp", XLB_ANNOUNCE_BGP },
	{},
};

/* The tables every Linux host already uses for its own routes. */
static int xlb_cfg_announce_table(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_announce *a = &((struct xlb_config *)obj)->announce;
	static const char *const reserved[] = { [253] = "default", [254] = "main",
						 [255] = "local" };
	uint32_t v;
	int ret;

	ret = xlb_cfg_int_val(p, "table", 1, UINT32_MAX, &v);
	if (ret)
		return ret;
	if (v >= 253 && v <= 255)
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "table %u is the kernel's '%s' table: give xlbd one of its own "
				      "(e.g. 100)", v, reserved[v]);
	a->table = v;
	return 0;
}

/*
 * Protocols whose routes BIRD's kernel protocol would not learn as another daemon's: unspec and
 * kernel ones it skips (kernel's without `learn all`), redirects it deletes, and its own (12) it
 * takes for stale exports of its own and removes.
 */
static int xlb_cfg_announce_protocol(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_announce *a = &((struct xlb_config *)obj)->announce;
	static const char *const refused[] = { [0] = "unspec", [1] = "redirect", [2] = "kernel",
						[12] = "bird" };
	uint32_t v;
	int ret;

	ret = xlb_cfg_int_val(p, "protocol", 0, 255, &v);
	if (ret)
		return ret;
	if (v < sizeof(refused) / sizeof(refused[0]) && refused[v])
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "protocol %u is '%s': BIRD would not learn such routes "
				      "(default %u)", v, refused[v], XLB_ANNOUNCE_DEFAULT_PROTOCOL);
	a->protocol = v;
	return 0;
}

enum {
	XLB_CFG_ANN_MODE,
	XLB_CFG_ANN_TABLE,
	XLB_CFG_ANN_PROTOCOL,
	XLB_CFG_ANN_METRIC,
};

static int xlb_cfg_announce_end(struct xlb_cfg_parser *p, void *obj, struct xlb_cfg_pos start,
				const struct xlb_cfg_mark *seen)
{
	struct xlb_cfg_announce *a = &((struct xlb_config *)obj)->announce;

	a->pos = start;
	if (!seen[XLB_CFG_ANN_PROTOCOL].at.line)
		a->protocol = XLB_ANNOUNCE_DEFAULT_PROTOCOL;
	/* Without a valid mode or table the rest of xlbd must not see a half section. */
	if (!seen[XLB_CFG_ANN_MODE].ok || !seen[XLB_CFG_ANN_TABLE].ok)
		a->mode = XLB_ANNOUNCE_NONE;
	return p->stop;
}

static const struct xlb_cfg_key xlb_cfg_announce_keys[] = {
	[XLB_CFG_ANN_MODE] = XLB_CFG_KEY_WORD("mode", true, struct xlb_config, announce.mode,
					      xlb_cfg_announce_modes, "announce mode", "bgp"),
	[XLB_CFG_ANN_TABLE] = XLB_CFG_KEY_FN("table", XLB_CFG_SCALAR, true, xlb_cfg_announce_table),
	[XLB_CFG_ANN_PROTOCOL] = XLB_CFG_KEY_FN("protocol", XLB_CFG_SCALAR, false,
						xlb_cfg_announce_protocol),
	[XLB_CFG_ANN_METRIC] = XLB_CFG_KEY_UINT("metric", false, struct xlb_config, announce.metric,
						0, UINT32_MAX),
};

const struct xlb_cfg_section xlb_cfg_announce_section =
	XLB_CFG_SECTION("in announce", xlb_cfg_announce_keys, xlb_cfg_announce_end);

/*
 * A fleet and a pair answer the same question two ways: every node attracts traffic, or only
 * the master does. Running both would have the standby announce too, so the file says one.
 */
void xlb_cfg_announce_check(struct xlb_cfg_parser *p, struct xlb_cfg_pos announce,
			    struct xlb_cfg_pos failover)
{
	if (!announce.line || !failover.line)
		return;
	xlb_cfg_error(p, xlb_cfg_pos_after(announce, failover) ? announce : failover,
		      "announce and failover exclude each other (failover at line %u, announce "
		      "at line %u): a fleet has every node serve, a pair only its master",
		      failover.line, announce.line);
}
