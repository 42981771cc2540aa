/* SPDX-License-Identifier: GPL-2.0-only */
/* Facts about a network interface that the data paths and the pair both read. */
#ifndef XLB_IFACE_H
#define XLB_IFACE_H

#include <stdint.h>

/* The interface's own MAC address. */
int xlb_iface_mac(const char *ifname, uint8_t mac[6]);

#endif /* XLB_IFACE_H */
