/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The connection table's sweep, run from xlbd's loop every XLB_SWEEP_INTERVAL_MS: it retires
 * the entries of conns (every data path's), syns and templates that have been idle longer than
 * their state allows, and recounts backend_conns from what stays. The data path only ever adds
 * to the counts, and misses what LRU evictions and per-CPU races take away; the sweep's recount
 * is what keeps ActiveConn / InActConn true to the tables.
 *
 * Timeouts by entry: conns ACTIVE tcp (or udp, by protocol), CLOSING tcp_fin, SYN tcp_syn; every
 * syns entry (unproven flows, pending templates) tcp_syn; a template its VIP's
 * persistence_timeout, but one whose client still has a flow of that VIP in conns is kept and
 * its last_seen refreshed (LVS keeps a template while its connections live); a template of a VIP
 * no longer persistent, or gone, is deleted. Times are bpf_ktime_get_coarse_ns(), which is
 * CLOCK_MONOTONIC_COARSE.
 */
#ifndef XLB_SWEEP_H
#define XLB_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/dps.h"
#include "agent/lb.h"
#include "config/config.h"
#include "xlb/abi.h"

#define XLB_SWEEP_INTERVAL_MS 2000
/*
 * xlbd walks at most this many batches (of 4096 entries) per turn of its loop, then yields for
 * XLB_SWEEP_YIELD_MS: a full table never holds the loop (VRRP adverts, health checks) for long.
 */
#define XLB_SWEEP_BATCHES_PER_STEP 8
#define XLB_SWEEP_YIELD_MS 1

struct sweep_pass;

struct xlb_sweep_stats {
	uint64_t entries;  /* looked at: conns, syns and templates */
	uint64_t expired;  /* deleted */
	uint64_t refreshed; /* templates kept alive by a flow in conns */
	uint64_t took_ns;  /* the pass's time in the sweep (its steps' wall time, summed) */
};

struct xlb_sweep {
	int conns_fd[XLB_DPS_MAX]; /* every data path's conns */
	size_t n_conns;
	int syns_fd;
	int templates_fd;
	struct xlb_backend_conns *counts; /* backend_conns, mmapped; the data path adds atomically */
	size_t counts_len;                /* bytes mapped */
	uint32_t n_backends;              /* entries of backend_conns */
	/* What the config says; xlb_sweep_configure() fills them. */
	struct xlb_cfg_timeouts timeouts;
	uint32_t persist_ms[XLB_MAX_VIPS]; /* by VIP id: persistence_timeout; 0 = not persistent */
	struct xlb_sweep_stats last;       /* the last pass (the running one's so far) */
	struct sweep_pass *pass;           /* the pass under way, between steps */
	bool standby;                      /* a backup: nothing ages (xlb_sweep_standby()) */
	uint64_t age_floor_ns;             /* no entry is idle from before this */
};

/*
 * Take the maps (fds stay the caller's) and map backend_conns. 0 or -errno, logged (-EINVAL
 * when backend_conns is not the mmapable array of struct xlb_backend_conns).
 */
int xlb_sweep_init(struct xlb_sweep *s, const int *conns_fds, size_t n_conns, int syns_fd,
		   int templates_fd, int backend_conns_fd);
/* The same from the data paths' maps (the shared ones through the primary). */
int xlb_sweep_init_dps(struct xlb_sweep *s, const struct xlb_dps *dps);
void xlb_sweep_fini(struct xlb_sweep *s);
/* The timeouts of cfg and the persistence of lb's VIPs, after every apply. */
void xlb_sweep_configure(struct xlb_sweep *s, const struct xlb_cfg_timeouts *t,
			 const struct xlb_lb *lb);
/*
 * Walk up to batches batches of the pass under way, beginning one at now_ns (CLOCK_MONOTONIC_COARSE,
 * the time the whole pass judges idleness by) when none is: 1 while the pass has more to walk,
 * 0 when it is done (the counts corrected, last complete), or -errno, logged: the pass is then
 * dropped and the counts are not corrected (they would be from a partial walk).
 */
int xlb_sweep_step(struct xlb_sweep *s, uint64_t now_ns, unsigned int batches);
/*
 * A backup's entries (synced flows and templates) see no packets: while standby, none of them
 * ages, and once the node takes over they age from then on, not from when they were synced
 * (a 20-minute connection synced at its start would otherwise be retired at the takeover).
 */
void xlb_sweep_standby(struct xlb_sweep *s, bool standby, uint64_t now_ns);
/* One whole pass at now_ns: 0 or -errno, as xlb_sweep_step(). */
int xlb_sweep_run(struct xlb_sweep *s, uint64_t now_ns);
/* CLOCK_MONOTONIC_COARSE in ns: the data path's clock. */
uint64_t xlb_sweep_now_ns(void);

#endif /* XLB_SWEEP_H */
