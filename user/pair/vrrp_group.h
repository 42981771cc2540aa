/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keepalived's vrrp_sync_group: VRRP instances that change state together. A NAT pair holds the
 * clients' VIP on one link and the backends' gateway on another; were they held by different
 * nodes, replies would reach a node that never saw the request. So when one member becomes
 * master on its own (a peer's timeout, a preemption), the others follow; when one falls back
 * to backup, they do too; when one faults (its link or a weightless track is down), the others
 * leave their virtual routers as well (priority 0: the peer takes them over at once), and all
 * come back, as backups, once no member is faulted.
 *
 * The group only decides. Its host reports what members did on their own and carries out what
 * the group asks, from a callback of its own (never from inside a member's transition): events
 * are queued by xlb_vrrp_group_event() and acted on by xlb_vrrp_group_run(). What a member does
 * because the group asked it is not reported back.
 */
#ifndef XLB_VRRP_GROUP_H
#define XLB_VRRP_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XLB_VRRP_GROUP_MAX 32 /* members; the config's XLB_CFG_VRRP_MAX_INSTANCES */

enum xlb_vrrp_group_ev {
	XLB_VRRP_GROUP_NONE = 0,
	XLB_VRRP_GROUP_MASTER,  /* the member became master on its own */
	XLB_VRRP_GROUP_BACKUP,  /* the member became backup on its own */
	XLB_VRRP_GROUP_FAULT,   /* the member's own link or track went down: it stopped */
	XLB_VRRP_GROUP_RECOVER, /* ... and came back */
};

struct xlb_vrrp_group;

/* What the group asks of its member k (its index in the group); g->arg is the host's. */
struct xlb_vrrp_group_ops {
	void (*set_master)(struct xlb_vrrp_group *g, size_t k, bool master); /* a running one */
	void (*leave)(struct xlb_vrrp_group *g, size_t k);  /* stop gracefully, as in a fault */
	void (*rejoin)(struct xlb_vrrp_group *g, size_t k); /* undo leave: start as backup */
	const char *(*name)(struct xlb_vrrp_group *g, size_t k); /* for the log */
};

struct xlb_vrrp_group {
	const char *name;
	size_t n;
	const struct xlb_vrrp_group_ops *ops;
	void *arg;
	uint64_t seq;
	struct {
		bool fault;  /* its own fault, as last reported and acted on */
		bool left;   /* stopped by the group */
		uint8_t ev;  /* enum xlb_vrrp_group_ev not yet acted on */
		uint64_t ev_seq;
	} m[XLB_VRRP_GROUP_MAX];
	uint64_t followed; /* transitions the group made members follow, for xlbctl state */
};

/* 0, or -EINVAL for fewer than 2 or more than XLB_VRRP_GROUP_MAX members. */
int xlb_vrrp_group_init(struct xlb_vrrp_group *g, const char *name, size_t n,
			const struct xlb_vrrp_group_ops *ops, void *arg);
/*
 * Member k did ev on its own. Returns true when the host must call xlb_vrrp_group_run() soon
 * (from its loop, out of the member's callback).
 */
bool xlb_vrrp_group_event(struct xlb_vrrp_group *g, size_t k, enum xlb_vrrp_group_ev ev);
/* Act on the queued events, oldest first; a member's newer event replaces its older one. */
void xlb_vrrp_group_run(struct xlb_vrrp_group *g);
/* Is member k stopped by the group (shown as FAULT)? */
bool xlb_vrrp_group_left(const struct xlb_vrrp_group *g, size_t k);

#endif /* XLB_VRRP_GROUP_H */
