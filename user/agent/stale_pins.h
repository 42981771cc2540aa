/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Pin folders of interfaces the config no longer names: an earlier xlbd's maps that nothing
 * attaches to any more. Left alone, `xlbctl` would keep showing their VIPs and counters.
 */
#ifndef XLB_STALE_PINS_H
#define XLB_STALE_PINS_H

#include "config/config.h"

/*
 * Under pin_root (locked by the caller), remove each <ifname>/ holding xlb's per-interface maps
 * whose ifname is not among cfg's interfaces, unless an XDP program on ifname still uses them
 * (then a warning: the operator detaches it). Shared maps at the root stay: the configured
 * interfaces use them. Logs what it did; never fails the start.
 */
void xlb_stale_pins_remove(const char *pin_root, const struct xlb_config *cfg);

#endif /* XLB_STALE_PINS_H */
