/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xlbd's Prometheus metrics (README, "Scraping with Prometheus"): per VIP and per backend
 * counters summed over CPUs and interfaces, backend health, connections and check latency,
 * verdict reasons per interface, the pair's failover and flow sync, and xlbd's own reloads.
 * Served on metrics.listen by agent/metrics_http.h.
 */
#ifndef XLB_METRICS_H
#define XLB_METRICS_H

#include <stdio.h>

struct xlbd;
struct xlb_config;

/* Serve d->cfg.metrics if it is given: 0 or -errno, logged. */
int xlbd_metrics_start(struct xlbd *d);
/* A no-op when not serving. */
void xlbd_metrics_stop(struct xlbd *d);
/*
 * A reload's new listen address, before cfg becomes the running config: served if it can be,
 * else the running one stays, in cfg too, with a warning. Never fails the reload.
 */
void xlbd_metrics_reload(struct xlbd *d, struct xlb_config *cfg);
/* Every family, as a scrape gets them: 0 or -errno (a map could not be read). */
int xlbd_metrics_write(struct xlbd *d, FILE *f);

#endif /* XLB_METRICS_H */
