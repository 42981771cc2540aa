/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The HTTP side of xlbd's Prometheus endpoint: GET /metrics answers with what a collect callback
 * writes, / with a link to it, anything else 404 (or 405 for a method other than GET and HEAD).
 * libmicrohttpd runs in its external mode on xlbd's loop: its epoll fd is one of the loop's, its
 * connection timeouts one of the loop's timers; no thread, and no call that blocks.
 */
#ifndef XLB_METRICS_HTTP_H
#define XLB_METRICS_HTTP_H

#include <stdint.h>
#include <stdio.h>

#include "common/addr.h"
#include "common/loop.h"

struct xlb_metrics_http;

/* Write the metrics to f: 0, or -errno (the scrape gets a 500). Must not block. */
typedef int (*xlb_metrics_collect_fn)(void *arg, FILE *f);

/*
 * Listen on addr:port (the unspecified address: every one; port 0: one the kernel picks) and
 * serve into *out. 0 or -errno, logged; *out is then NULL.
 */
int xlb_metrics_http_start(struct xlb_metrics_http **out, struct xlb_loop *loop,
			   const struct xlb_addr *addr, uint16_t port, xlb_metrics_collect_fn collect,
			   void *arg);
/* The port it listens on. */
uint16_t xlb_metrics_http_port(const struct xlb_metrics_http *h);
/* Close the listener and every connection, and free h; a no-op on NULL. */
void xlb_metrics_http_stop(struct xlb_metrics_http *h);

#endif /* XLB_METRICS_HTTP_H */
