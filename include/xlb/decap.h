/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The map ABI of bpf/decap.bpf.c, the backends' tunnel endpoint: the outer destinations it
 * accepts and what it counts. Separate from abi.h: the dispatcher and the decap program are
 * attached on different hosts and share no map. Both sides include this file.
 */
#ifndef XLB_DECAP_H
#define XLB_DECAP_H

#include <linux/types.h>

#define XLB_DECAP_MAX_ADDRS 64

/*
 * decap_addrs key: an outer destination address this host accepts tunnelled packets on. An IPv4
 * address lives in addr[0], the rest zero. An empty map accepts nothing: a tunnel endpoint that
 * decapsulates for any destination would hand the kernel inner packets nobody meant for it.
 */
struct xlb_decap_addr {
	__be32 addr[4]; /* network order */
	__u8 family;    /* XLB_FAMILY_V4 or XLB_FAMILY_V6 (xlb/abi.h) */
	__u8 pad[3];    /* zero */
};

/* decap_stats index: what happened to a packet. Every verdict other than STRIPPED is XDP_PASS
 * with the frame unchanged, so the kernel decides (and without tunnel modules, drops). */
enum xlb_decap_reason {
	XLB_DECAP_R_STRIPPED = 0,    /* outer header removed, inner packet passed */
	XLB_DECAP_R_NOT_TUNNEL = 1,  /* not IPv4/IPv6 carrying IPv4/IPv6 (VLAN tags included) */
	XLB_DECAP_R_NOT_ALLOWED = 2, /* outer destination not in decap_addrs */
	XLB_DECAP_R_TRUNCATED = 3,   /* outer or inner header cut short, or lengths disagree */
	XLB_DECAP_R_OPTIONS = 4,     /* outer IPv4 header with options */
	XLB_DECAP_R_FRAGMENT = 5,    /* outer IPv4 fragment: the kernel reassembles it */
	XLB_DECAP_R_BAD_CSUM = 6,    /* outer IPv4 header checksum wrong */
	XLB_DECAP_R_BAD_INNER = 7,   /* inner version does not match the outer protocol */
	XLB_DECAP_R_ADJUST = 8,      /* bpf_xdp_adjust_head refused */
	XLB_DECAP_R_MAX,
};

/* decap_stats value, per CPU. */
struct xlb_decap_counters {
	__u64 packets;
	__u64 bytes; /* frame bytes as received */
};

#endif /* XLB_DECAP_H */
