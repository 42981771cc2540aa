/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* BPF-side basics: includes every data path header needs, and the verdict conventions. */
#ifndef XLB_BPF_COMMON_H
#define XLB_BPF_COMMON_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "xlb/abi.h"

#define XLB_HASH_INLINE static __always_inline
#include "xlb/hash.h"

/*
 * Helpers return an XDP action when the packet's fate is decided, or XLB_CONTINUE to go on.
 * Actions are 0..4, so the sentinel cannot collide with one.
 */
#define XLB_CONTINUE (-1)

/*
 * The checksum of a 20-byte IPv4 header (unrolled; the headers xlb writes or strips have no
 * options): what ip->check must be with check zeroed, and 0 over a header whose check is right.
 */
static __always_inline __u16 xlb_ipv4_csum(const struct iphdr *ip)
{
	const __u16 *w = (const __u16 *)ip;
	__u32 sum = 0;
	int i;

#pragma unroll
	for (i = 0; i < (int)(sizeof(*ip) / 2); i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

#endif /* XLB_BPF_COMMON_H */
