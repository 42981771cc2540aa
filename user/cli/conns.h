/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xlbctl conns and xlbctl lookup: the connection tables as they stand (conns of each interface,
 * syns and templates of the pin root), and where one flow would go and why, computed as the
 * data path computes it (bpf/sched.h).
 */
#ifndef XLB_CLI_CONNS_H
#define XLB_CLI_CONNS_H

#include <stdbool.h>

#include "cli/maps_view.h"
#include "common/addr.h"

struct xlb_conns_opts {
	const char *pin_dir;
	bool json;
	bool templates;                 /* list the persistence templates instead of the flows */
	const bool *want_vip;           /* by VIP id; NULL: every VIP */
	const struct xlb_addr *backend; /* NULL: every backend */
};

/* v loaded with XLB_VIEW_VIPS | XLB_VIEW_BACKENDS | XLB_VIEW_CONNS. 0 or -errno, said. */
int xlb_conns_show(const struct xlb_view *v, const struct xlb_conns_opts *o);

/*
 * `lookup PROTO SRC:PORT DST:PORT` against v (loaded as for xlb_conns_show). 0, -EINVAL for
 * arguments it cannot read (said), or -errno.
 */
int xlb_lookup_show(const struct xlb_view *v, const struct xlb_conns_opts *o, char **argv);

#endif /* XLB_CLI_CONNS_H */
