/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xlbd's health monitor: one checker (check/health.h) per backend of the lb state, a verdict or
 * the operator's word turned into a table swap and a notify command.
 */
#ifndef XLB_MONITOR_H
#define XLB_MONITOR_H

#include "agent/lb.h"
#include "common/loop.h"

struct xlb_mon {
	struct xlb_loop *loop;
	struct xlb_lb *lb;
	const char *notify; /* run on every backend state change; "" = none; read at each change */
};

void xlb_mon_init(struct xlb_mon *m, struct xlb_loop *loop, struct xlb_lb *lb, const char *notify);
/* Start a checker for every backend that has none (new, or its check settings changed). */
void xlb_mon_sync(struct xlb_mon *m);
/* The lb state's retire hook: a backend leaves, its checker goes with it. */
void xlb_mon_retire(struct xlb_lb_backend *b, void *arg);
/* Set the admin state of every backend with address `backend` (of VIP `vip` if not NULL). */
int xlb_mon_set_admin(struct xlb_mon *m, const char *backend, const char *vip,
		      enum xlb_admin admin, unsigned int *changed);

#endif /* XLB_MONITOR_H */
