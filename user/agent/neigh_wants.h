/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The data paths' neigh_wants rings (bpf/neigh.h): destinations routed without a neighbour,
 * each probed unbound (agent/neigh.h) so the kernel resolves the hop its route takes. A NAT
 * pair's new master learns its clients' router this way on the first reply it must send.
 */
#ifndef XLB_NEIGH_WANTS_H
#define XLB_NEIGH_WANTS_H

#include <stdint.h>

#include "agent/dps.h"
#include "common/addr.h"
#include "common/loop.h"

#define XLB_NEIGH_RECENT 16 /* destinations remembered for deduplication */

struct ring_buffer;

struct xlb_neigh_wants {
	struct xlb_loop *loop;
	struct ring_buffer *rb;
	int rb_fd;
	/* Every CPU of every data path may ask for the same destination at once. */
	struct {
		struct xlb_addr addr;
		uint64_t ns;
	} recent[XLB_NEIGH_RECENT];
	unsigned int next;
	uint64_t probes; /* sent */
};

/* Read every data path's ring from loop. 0 or -errno (logged). */
int xlb_neigh_wants_open(struct xlb_neigh_wants *w, struct xlb_loop *loop,
			 const struct xlb_dps *dps);
void xlb_neigh_wants_close(struct xlb_neigh_wants *w);

#endif /* XLB_NEIGH_WANTS_H */
