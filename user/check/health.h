/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Health checks: one non-blocking state machine per backend, driven by xlbd's event loop
 * (keepalived's shape: connect -> check -> epilog, then re-arm). A check never blocks the loop;
 * an exec check is a child process (common/spawn) killed at its timeout.
 */
#ifndef XLB_HEALTH_H
#define XLB_HEALTH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/loop.h"
#include "config/config.h"

struct xlb_hc;
struct xlb_child;

/* Called when hc->up flips (after rise successes / fall failures in a row). */
typedef void (*xlb_hc_change_cb)(struct xlb_hc *hc, void *arg);

/*
 * Upper bounds, in microseconds, of the buckets finished checks are counted in by latency (the
 * metrics' histogram): 0.5 ms to 5 s, Prometheus' default buckets with a finer start, since a
 * check of a backend next door takes well under a millisecond.
 */
#define XLB_HC_LAT_BUCKETS 13
extern const uint32_t xlb_hc_lat_le_us[XLB_HC_LAT_BUCKETS];

struct xlb_hc {
	/* Set by xlb_hc_init(); read-only afterwards. */
	struct xlb_cfg_health conf; /* port resolved: never 0 unless type is exec or none */
	struct xlb_addr addr;       /* the backend's real address, not the VIP */
	xlb_hc_change_cb on_change;
	void *arg;

	/* State, for xlbctl; owned by the checker. */
	bool up;
	uint32_t ok_run;   /* successes in a row */
	uint32_t fail_run; /* failures in a row */
	uint64_t since_ns; /* CLOCK_MONOTONIC time up last changed (or the checker started) */
	bool has_result;   /* at least one check finished */
	bool last_ok;
	char last_result[96];     /* "ok", "connection refused", "timeout", "status 503", ... */
	uint64_t last_latency_us; /* of the last finished check */
	uint64_t checks;          /* finished checks */
	uint64_t failed;          /* of which failed */
	/* finished checks by latency: [i] at most xlb_hc_lat_le_us[i] (and above the one
	 * before), the last above them all; and their latencies added up */
	uint64_t lat_count[XLB_HC_LAT_BUCKETS + 1];
	uint64_t lat_sum_us;

	/* Private. */
	struct xlb_loop *loop;
	struct xlb_timer interval_timer; /* next check */
	struct xlb_timer timeout_timer;  /* the running check's deadline */
	int phase;
	int fd;
	struct xlb_child *child; /* exec: the running command, NULL when none */
	uint64_t started_ns;
	char buf[2048];
	size_t len;
	bool due; /* the interval ran out while a check was running: start one when it ends */
};

/*
 * Prepare a checker. vip_port fills conf->port when it is 0. initially_up is the state before
 * the first check (xlbd starts backends up so a restart or reload does not empty a VIP).
 */
void xlb_hc_init(struct xlb_hc *hc, const struct xlb_cfg_health *conf, const struct xlb_addr *addr,
		 uint16_t vip_port, bool initially_up, xlb_hc_change_cb on_change, void *arg);

/* Start checking, the first check after first_delay_ns (spread checks out; 0 = now). */
int xlb_hc_start(struct xlb_loop *loop, struct xlb_hc *hc, uint64_t first_delay_ns);

/* Stop checking: cancel timers, close the socket, kill and reap a running exec check. */
void xlb_hc_stop(struct xlb_hc *hc);

#endif /* XLB_HEALTH_H */
