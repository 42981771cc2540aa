/* SPDX-License-Identifier: GPL-2.0-only */
/* Whose XDP program runs on an interface: the question xlbd and xlbctl ask of a pin folder. */
#ifndef XLB_XDP_QUERY_H
#define XLB_XDP_QUERY_H

/*
 * 1 if an XDP program attached to ifname (driver, generic or offloaded) uses the map pinned at
 * map_pin, 0 if none does or ifname is gone, or -errno (nothing logged: *what names the step
 * that failed, "reading its pinned vips map", ..., for the caller's message). Map ids, not
 * program names: a program left by another tool, or an xlbd started on other pins, is not the
 * one these maps belong to.
 */
int xlb_xdp_uses_pinned_map(const char *ifname, const char *map_pin, const char **what);

#endif /* XLB_XDP_QUERY_H */
