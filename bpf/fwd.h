/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Forwarding. Direct server return today; TUN and NAT slot in beside it, chosen by xlb_vip.fwd. */
#ifndef XLB_BPF_FWD_H
#define XLB_BPF_FWD_H

#include "common.h"

/* The attached interface's MAC, set by xlbd between open and load; 2-aligned for the 16-bit
 * reads below. */
const volatile __u8 iface_mac[ETH_ALEN] __attribute__((aligned(2))) = {};

/*
 * MACs are read and written as three 16-bit words, not six bytes: half the instructions on the
 * path every forwarded packet takes (it was a measurable share of DR's). 16 bits, not 32: an
 * Ethernet header is only 2-aligned where the IP header behind it is 4-aligned (NET_IP_ALIGN),
 * and a verifier enforcing alignment accepts these.
 */
typedef __u16 __attribute__((may_alias)) xlb_mac_word;

/*
 * Whether the frame was sent to this interface. A NIC in promiscuous mode (a bridge port, a
 * capture) also hands up frames for other hosts: the backup's copy of the master's traffic must
 * not be forwarded a second time.
 */
static __always_inline int xlb_frame_is_ours(const struct ethhdr *eth)
{
	const xlb_mac_word *d = (const void *)eth->h_dest;
	const volatile xlb_mac_word *m = (const volatile void *)iface_mac;

	return !((d[0] ^ m[0]) | (d[1] ^ m[1]) | (d[2] ^ m[2]));
}

/* DR: the backend holds the VIP on loopback; only the L2 header changes, L3/L4 stay byte-exact. */
static __always_inline int xlb_fwd_dr(struct ethhdr *eth, const struct xlb_backend *be)
{
	const xlb_mac_word *b = (const void *)be->mac;
	/* Through the volatile: a memcpy would let clang fold in the all-zero initialiser
	 * instead of the MAC xlbd writes before load. */
	const volatile xlb_mac_word *m = (const volatile void *)iface_mac;
	xlb_mac_word *e = (void *)eth;

	e[0] = b[0];
	e[1] = b[1];
	e[2] = b[2];
	e[3] = m[0];
	e[4] = m[1];
	e[5] = m[2];
	return XDP_TX;
}

#endif /* XLB_BPF_FWD_H */
