/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a reload changes: the VIPs and backends one config has and another has not, or has
 * otherwise. xlbd reports it in the reload's reply and its log line; nothing here applies it.
 */
#ifndef XLB_CFG_DIFF_H
#define XLB_CFG_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"
#include "config/config.h"

struct xlb_json;

enum xlb_cfg_change_kind {
	XLB_CHG_VIP_ADDED,
	XLB_CHG_VIP_REMOVED,
	XLB_CHG_VIP_CHANGED, /* same name; what says how */
	XLB_CHG_BACKEND_ADDED,
	XLB_CHG_BACKEND_REMOVED,
	XLB_CHG_BACKEND_REWEIGHTED, /* from -> to */
	XLB_CHG_MAX,
};

struct xlb_cfg_change {
	uint8_t kind;			    /* enum xlb_cfg_change_kind */
	char vip[64];			    /* the VIP's name */
	char backend[XLB_ADDR_PORT_STRLEN]; /* address:port, for the backend kinds */
	uint32_t from, to;		    /* reweighted: the old and new weight */
	char what[96];			    /* vip changed: "scheduler maglev -> wrr, ..." */
};

struct xlb_cfg_changes {
	struct xlb_cfg_change *v; /* in the new config's order; removed VIPs last */
	size_t n;
	size_t count[XLB_CHG_MAX];
};

/*
 * The changes from old to new: VIPs by name, backends by address and port within their VIP
 * (a fallback is a VIP setting, not a backend). 0, or -ENOMEM with *c empty.
 */
int xlb_cfg_diff(const struct xlb_config *old, const struct xlb_config *new,
		 struct xlb_cfg_changes *c);
void xlb_cfg_changes_free(struct xlb_cfg_changes *c);

/* What a line for people lists at most: the log's, the reply's summary. */
#define XLB_CFG_CHANGES_LINE_MAX 8

/*
 * One line for people: "vip api added; backend 192.0.2.14:80 of web added; backend
 * 192.0.2.11:80 of web weight 100 -> 50"; after max changes, or the last whole one that fits
 * len, "; and N more". "nothing changed" when there is nothing.
 */
void xlb_cfg_changes_line(const struct xlb_cfg_changes *c, size_t max, char *buf, size_t len);
/*
 * The same as members of an open JSON object: "changes": {counts, "details": [the first max],
 * "details_omitted": N}, "summary": the line above (XLB_CFG_CHANGES_LINE_MAX of them).
 */
void xlb_cfg_changes_json(const struct xlb_cfg_changes *c, size_t max, struct xlb_json *j);

#endif /* XLB_CFG_DIFF_H */
