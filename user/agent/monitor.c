// SPDX-License-Identifier: GPL-2.0-only
/*
 * xlbd's health monitor: one checker per backend, started when the backend appears or its check
 * settings change, retired when it goes; a checker's verdict, or the operator's, becomes a table
 * swap through xlb_lb_set_state(), and a notify command.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/monitor.h"
#include "check/health.h"
#include "common/log.h"
#include "common/spawn.h"

#define NOTIFY_TIMEOUT_NS (30ull * 1000000000)

static bool find_checker(struct xlb_mon *m, const struct xlb_hc *hc, struct xlb_lb_vip **vp,
			 struct xlb_lb_backend **bp)
{
	size_t i, j;

	for (i = 0; i < m->lb->n_vips; i++) {
		for (j = 0; j < m->lb->vips[i].n_backends; j++) {
			if (m->lb->vips[i].backends[j].checker == hc) {
				*vp = &m->lb->vips[i];
				*bp = &m->lb->vips[i].backends[j];
				return true;
			}
		}
	}
	return false;
}

static void notify(struct xlb_mon *m, const struct xlb_lb_vip *v, const struct xlb_lb_backend *b)
{
	char e_vip[96], e_be[96], e_state[32], as[INET6_ADDRSTRLEN];
	char *env[] = { e_vip, e_be, e_state, NULL };
	int err;

	if (!m->notify[0])
		return;
	snprintf(e_vip, sizeof(e_vip), "XLB_VIP=%s", v->name);
	snprintf(e_be, sizeof(e_be), "XLB_BACKEND=%s", xlb_addr_str(&b->addr, as, sizeof(as)));
	snprintf(e_state, sizeof(e_state), "XLB_STATE=%s", xlb_lb_backend_state(b));
	err = xlb_spawn(m->loop, m->notify, env, NOTIFY_TIMEOUT_NS);
	if (err)
		pr_warn("notify '%s': %s", m->notify, strerror(-err));
}

static void log_vip(const struct xlb_lb_vip *v)
{
	size_t i, n = 0, up = 0;

	for (i = 0; i < v->n_backends; i++) {
		if (v->backends[i].is_fallback)
			continue;
		n++;
		up += xlb_lb_backend_up(&v->backends[i]);
	}
	if (!up && v->val.fallback != XLB_NO_BACKEND)
		pr_warn("vip %s: no backend up: new flows go to the fallback", v->name);
	else if (!up)
		pr_warn("vip %s: no backend up: new flows are dropped", v->name);
	else
		pr_info("vip %s: %zu of %zu backends take new flows", v->name, up, n);
}

static void hc_changed(struct xlb_hc *hc, void *arg)
{
	char as[XLB_ADDR_PORT_STRLEN];
	struct xlb_mon *m = arg;
	struct xlb_lb_backend *b;
	struct xlb_lb_vip *v;

	if (!find_checker(m, hc, &v, &b))
		return;
	/* "backend 192.0.2.11:80 of web down: connection refused (3 failures in a row)" */
	xlb_log(hc->up ? XLB_LOG_INFO : XLB_LOG_WARN, "backend %s of %s %s: %s (%u %s in a row)",
		xlb_lb_backend_label(v, b, as, sizeof(as)), v->name, hc->up ? "up" : "down",
		hc->last_result, hc->up ? hc->ok_run : hc->fail_run,
		hc->up ? (hc->ok_run == 1 ? "success" : "successes")
		       : (hc->fail_run == 1 ? "failure" : "failures"));
	xlb_lb_set_state(m->lb, v, b, hc->up, b->admin);
	log_vip(v);
	notify(m, v, b);
}

void xlb_mon_init(struct xlb_mon *m, struct xlb_loop *loop, struct xlb_lb *lb, const char *notify)
{
	m->loop = loop;
	m->lb = lb;
	m->notify = notify;
}

void xlb_mon_sync(struct xlb_mon *m)
{
	size_t i, j;

	for (i = 0; i < m->lb->n_vips; i++) {
		struct xlb_lb_vip *v = &m->lb->vips[i];

		for (j = 0; j < v->n_backends; j++) {
			struct xlb_lb_backend *b = &v->backends[j];
			struct xlb_hc *hc;
			uint64_t spread;

			if (b->checker || b->is_fallback)
				continue;
			if (b->health.type == XLB_HC_NONE) {
				xlb_lb_set_state(m->lb, v, b, true, b->admin);
				continue;
			}
			hc = calloc(1, sizeof(*hc));
			if (!hc) {
				pr_err("vip %s: no memory for a health checker", v->name);
				continue;
			}
			xlb_hc_init(hc, &b->health, &b->addr, ntohs(v->key.port), b->healthy,
				    hc_changed, m);
			/* Spread first checks over an interval, so a big pool is not probed at once. */
			spread = (uint64_t)(rand() % (b->health.interval_ms + 1)) * 1000000;
			if (xlb_hc_start(m->loop, hc, spread)) {
				pr_err("vip %s: cannot start a health checker", v->name);
				free(hc);
				continue;
			}
			b->checker = hc;
		}
	}
}

void xlb_mon_retire(struct xlb_lb_backend *b, void *arg)
{
	(void)arg;
	xlb_hc_stop(b->checker);
	free(b->checker);
	b->checker = NULL;
}

int xlb_mon_set_admin(struct xlb_mon *m, const char *backend, const char *vip,
		      enum xlb_admin admin, unsigned int *changed)
{
	struct xlb_addr addr;
	unsigned int matched = 0;
	size_t i, j;

	*changed = 0;
	if (xlb_addr_parse(backend, &addr))
		return -EINVAL;
	for (i = 0; i < m->lb->n_vips; i++) {
		struct xlb_lb_vip *v = &m->lb->vips[i];

		if (vip && strcmp(vip, v->name))
			continue;
		for (j = 0; j < v->n_backends; j++) {
			struct xlb_lb_backend *b = &v->backends[j];
			char as[XLB_ADDR_PORT_STRLEN];

			if (b->is_fallback || b->addr.family != addr.family ||
			    memcmp(b->addr.w, addr.w, sizeof(addr.w)))
				continue;
			matched++;
			if (b->admin == admin)
				continue;
			if (xlb_lb_set_state(m->lb, v, b, b->healthy, admin))
				return -EIO;
			(*changed)++;
			pr_info("backend %s of %s set to %s by the operator",
				xlb_lb_backend_label(v, b, as, sizeof(as)), v->name, xlb_lb_backend_state(b));
			log_vip(v);
			notify(m, v, b);
		}
	}
	return matched ? 0 : -ENOENT;
}
