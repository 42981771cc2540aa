/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the importer's parts share while they map one keepalived.conf: import.c (the file's
 * top, virtual servers), vrrp.c (instances and sync groups), sync.c (failover.sync).
 */
#ifndef XLB_IMPORT_IM_H
#define XLB_IMPORT_IM_H

#include <stdio.h>
#include <strings.h>

#include "config/config.h"
#include "import/import.h"
#include "import/kconf.h"

#define XLB_IM_MAX_IFACES 8
/* vrrp_instance and vrrp_sync_group blocks: what failover.vrrp and sync_groups take. */
#define XLB_IM_MAX_INST XLB_CFG_VRRP_MAX_INSTANCES
/* failover.sync's default port (XLB_CFG_SYNC_DEFAULT_PORT, private to config/) */
#define XLB_IM_SYNC_PORT 8849

struct xlb_im {
	const struct xlb_import_env *env;
	const struct xlb_import_opts *opts;
	const char *path;
	FILE *err;
	int warned;
	const struct xlb_kc_node *global;
	const struct xlb_kc_node *inst[XLB_IM_MAX_INST]; /* vrrp_instance, in the file's order */
	int ninst;
	const struct xlb_kc_node *group[XLB_IM_MAX_INST];
	int ngroup;
	char ifaces[XLB_IM_MAX_IFACES][64];
	char ifwhy[XLB_IM_MAX_IFACES][96];
	int nifaces;
	char tun_if[64];
};

/* One "FILE:LINE: keepalived KEYWORD: ..." line for n; the import then exits 3. */
void xlb_im_warn(struct xlb_im *m, const struct xlb_kc_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* n's first kid spelled kw, or NULL. */
const struct xlb_kc_node *xlb_im_child(const struct xlb_kc_node *n, const char *kw);
/* Name an interface in the output's `interfaces`, with why it is there (first reason kept). */
void xlb_im_iface(struct xlb_im *m, const char *name, const char *why);
/* keepalived durations are seconds, maybe fractional: "1" -> "1s", "0.5" -> "500ms". */
void xlb_im_secs(char *buf, size_t len, const char *s);

/* failover: {mode: vrrp, vrrp, sync_groups}, when the file has a vrrp_instance. */
void xlb_im_vrrp(struct xlb_im *m, FILE *o, const struct xlb_kc_node *root);
/* failover.sync, from lvs_sync_daemon or the command line's --sync-peer and --sync-key. */
void xlb_im_sync(struct xlb_im *m, FILE *o);

static inline const char *im_arg(const struct xlb_kc_node *n, int i)
{
	return i < n->nwords ? n->words[i] : "";
}

static inline int im_is(const struct xlb_kc_node *n, const char *kw)
{
	return !strcasecmp(n->words[0], kw);
}

#endif /* XLB_IMPORT_IM_H */
