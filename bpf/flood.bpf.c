// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Spoofed SYNs for tests/packet/test_packet_conn.c: BPF_PROG_TEST_RUN with repeat runs this on one
 * frame a million times in one call, where a million calls would take the suite past its time.
 * Each run puts back the 12 MAC bytes xlb rewrote (DR), gives the frame a random source address
 * in a /25 and a random port, and tail-calls xlb_xdp: every run a SYN from a source never seen.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

/* Slot 0: xlb_xdp, filled by the test; an empty slot makes the run abort. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} target SEC(".maps");

/* Ethernet + IPv4 without options: the IPv4 source's last byte, the TCP source port. */
#define SADDR_LAST (ETH_HLEN + 15)
#define SPORT (ETH_HLEN + 20)

/* Written by the test before the run (mmapped .bss). */
__u8 orig_eth[ETH_HLEN]; /* the input frame's Ethernet header */
__u8 saddr_base;         /* the source's last byte is saddr_base | 0..127 */

SEC("xdp")
int flood_wrap(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u8 *last = data + SADDR_LAST;
	__u16 *sport = data + SPORT;
	__u32 r;

	if ((void *)(sport + 1) > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(data, orig_eth, ETH_HLEN);
	r = bpf_get_prandom_u32();
	*last = saddr_base | (r & 0x7f);
	/* 1024..65535, network order does not matter for a random value. */
	*sport = (__u16)(1024 + (r >> 16) % 64512);
	bpf_tail_call(ctx, &target, 0);
	return XDP_ABORTED;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
