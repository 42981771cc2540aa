/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Forwarding. Direct server return today; TUN and NAT slot in beside it, chosen by xlb_vip.fwd. */
#ifndef XLB_BPF_FWD_H
#define XLB_BPF_FWD_H

#include "common.h"

/* The attached interface's MAC, set by xlbd between open and load. */
const volatile __u8 iface_mac[ETH_ALEN] = {};

/*
 * Whether the frame was sent to this interface. A NIC in promiscuous mode (a bridge port, a
 * capture) also hands up frames for other hosts: the backup's copy of the master's traffic must
 * not be forwarded a second time.
 */
static __always_inline int xlb_frame_is_ours(const struct ethhdr *eth)
{
	int i;

	for (i = 0; i < ETH_ALEN; i++)
		if (eth->h_dest[i] != iface_mac[i])
			return 0;
	return 1;
}

/* DR: the backend holds the VIP on loopback; only the L2 header changes, L3/L4 stay byte-exact. */
static __always_inline int xlb_fwd_dr(struct ethhdr *eth, const struct xlb_backend *be)
{
	int i;

	__builtin_memcpy(eth->h_dest, be->mac, ETH_ALEN);
	/* Byte by byte through the volatile: a memcpy would let clang fold in the all-zero
	 * initialiser instead of the MAC xlbd writes before load. */
	for (i = 0; i < ETH_ALEN; i++)
		eth->h_source[i] = iface_mac[i];
	return XDP_TX;
}

#endif /* XLB_BPF_FWD_H */
