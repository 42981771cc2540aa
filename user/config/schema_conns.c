// SPDX-License-Identifier: GPL-2.0-only
/*
 * The connection table's keys: a VIP's persistence_timeout and the top-level timeouts of each
 * state, which xlbd's sweep applies (agent/sweep.c).
 */
#include <string.h>

#include "config/keys.h"
#include "config/schema.h"

/*
 * persistence_timeout: a duration, or keepalived's bare seconds (its persistence_timeout 600),
 * since configs are carried over from keepalived; 0 turns persistence off.
 */
int xlb_cfg_vip_persistence(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vip *vip = obj;
	const char *s = xlb_cfg_str(p);
	uint32_t v;
	int err;

	if (*s && strspn(s, "0123456789") == strlen(s)) {
		err = xlb_cfg_uint(s, 0, XLB_CFG_MAX_TIMEOUT_MS / 1000, &v);
		if (err)
			return xlb_cfg_reject(p, xlb_cfg_at(p),
					      "persistence_timeout %.32s is out of range (0..%us)", s,
					      XLB_CFG_MAX_TIMEOUT_MS / 1000);
		vip->persistence_ms = v * 1000;
		return 0;
	}
	return xlb_cfg_duration_val(p, "persistence_timeout", 0, XLB_CFG_MAX_TIMEOUT_MS,
				    &vip->persistence_ms);
}

/* timeouts: {tcp, tcp_fin, udp, tcp_syn}; an entry must be allowed some idle time. */
static const struct xlb_cfg_key xlb_cfg_timeouts_keys[] = {
	XLB_CFG_KEY_MS("tcp", false, struct xlb_config, timeouts.tcp_ms, 1000,
		       XLB_CFG_MAX_TIMEOUT_MS),
	XLB_CFG_KEY_MS("tcp_fin", false, struct xlb_config, timeouts.tcp_fin_ms, 1000,
		       XLB_CFG_MAX_TIMEOUT_MS),
	XLB_CFG_KEY_MS("udp", false, struct xlb_config, timeouts.udp_ms, 1000,
		       XLB_CFG_MAX_TIMEOUT_MS),
	XLB_CFG_KEY_MS("tcp_syn", false, struct xlb_config, timeouts.tcp_syn_ms, 1000,
		       XLB_CFG_MAX_TIMEOUT_MS),
};

const struct xlb_cfg_section xlb_cfg_timeouts_section =
	XLB_CFG_SECTION("in timeouts", xlb_cfg_timeouts_keys, NULL);
