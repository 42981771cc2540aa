/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * DR backends must be on-link. dr forwards a frame out of the interface it came in on, with
 * only its destination MAC changed to the backend's: a backend behind a router, or on a
 * segment of an interface xlbd does not run on, never gets it (it was a silent drop_no_mac).
 * So xlbd asks the kernel for each one's route, at start, at reload and in --check, and a
 * backend whose route has a gateway, is not unicast, or leaves by another interface is a
 * config error at its position. The config cannot check this itself: it builds without the
 * kernel; this is the agent's part of validating a file.
 */
#ifndef XLB_ONLINK_H
#define XLB_ONLINK_H

#include <stddef.h>

#include "config/config.h"

/*
 * Check every backend, fallback too, of each VIP whose forwarding needs the backend's MAC
 * (dispatch/fwd.h), against the interfaces ifindex[0..n): one error per backend that is not
 * on-link through one of them, added to errs as
 *   "ADDR is not on-link: WHY; MODE needs a backend on the interfaces' segment; use forwarding:
 *   tun or nat"
 * Returns how many it added, or -ENOMEM.
 */
int xlb_onlink_check(const struct xlb_config *cfg, const int *ifindex, size_t n,
		     struct xlb_cfg_errors *errs);

#endif /* XLB_ONLINK_H */
