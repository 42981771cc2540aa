// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Harness for `make bench` (tests/bench/bench.c): BPF_PROG_TEST_RUN with repeat runs a program
 * again and again on one buffer, so a second run would see the frame the first one rewrote. Every
 * run therefore enters bench_wrap, which puts the input back the way it was (DR rewrites the
 * 12 MAC bytes; tun also prepends an outer header, which the wrapper strips again and then
 * restores the Ethernet header it overwrote; nat rewrites the IP and TCP headers too, which the
 * wrapper restores on its paths only), optionally turns the frame into a flow never seen before
 * (or the next of a fixed set of flows, cycled over), and tail-calls the program under test:
 * xlb_xdp from the xlb skeleton, or bench_floor. Both go through the same wrapper doing the same
 * work, so the difference between them is the balancer alone.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

/* Slot 0: bench_floor; slot 1: xlb_xdp. Filled by bench.c; an empty slot makes the run abort. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} targets SEC(".maps");

/* Where the bench frame keeps its TCP source port and IPv4 source address; set before load so
 * the verifier sees constants. Defaults: Ethernet + IPv4 without options. */
const volatile __u32 sport_off = ETH_HLEN + 20;
const volatile __u32 saddr_off = ETH_HLEN + 12;

/* The nat paths' Ethernet, IP and TCP headers: IPv4's, or IPv6's. */
#define HEAD4_LEN (ETH_HLEN + 20 + 20)
#define HEAD6_LEN (ETH_HLEN + 40 + 20)

/* Written by bench.c between runs (mmapped .bss). */
__u8 orig_head[HEAD6_LEN];    /* the input frame's first bytes: Ethernet header, then IP, TCP */
__u32 head_len;               /* how many of them a run restores: ETH_HLEN, HEAD4_LEN, HEAD6_LEN */
__u32 frame_len;              /* the input frame's length; a longer one was encapsulated */
__u32 target_slot;            /* which targets slot to tail-call */
__u32 rotate;                 /* non-zero: make every run a new flow */
__u32 flow_seq;               /* runs so far with rotate set; the flow's identity */
__u32 cycle;                  /* non-zero (with rotate): cycle over this many flows instead */
__u32 cycle_pos;              /* the next of them */

SEC("xdp")
int bench_wrap(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;

	/* The test run loop hands the next run the frame as the last one left it. */
	if (data_end - data > frame_len) {
		if (bpf_xdp_adjust_head(ctx, (int)(data_end - data - frame_len)))
			return XDP_ABORTED;
		data_end = (void *)(long)ctx->data_end;
		data = (void *)(long)ctx->data;
	}
	/* Constant sizes, one branch each: a variable-length copy would cost more than the
	 * headers it restores. */
	if (head_len == HEAD6_LEN) {
		if (data + HEAD6_LEN > data_end)
			return XDP_ABORTED;
		__builtin_memcpy(data, orig_head, HEAD6_LEN);
	} else if (head_len == HEAD4_LEN) {
		if (data + HEAD4_LEN > data_end)
			return XDP_ABORTED;
		__builtin_memcpy(data, orig_head, HEAD4_LEN);
	} else {
		if (data + ETH_HLEN > data_end)
			return XDP_ABORTED;
		__builtin_memcpy(data, orig_head, ETH_HLEN);
	}

	if (rotate) {
		__u16 *sport = data + sport_off;
		__u16 *saddr_lo = data + saddr_off + 2;
		__u32 seq;

		if ((void *)(sport + 1) > data_end || (void *)(saddr_lo + 1) > data_end)
			return XDP_ABORTED;
		if (cycle) {
			/* A compare, not a modulo: the floor pays for this too. The top bit keeps
			 * these flows apart from the rotating ones. */
			seq = cycle_pos | 0x80000000;
			if (++cycle_pos >= cycle)
				cycle_pos = 0;
		} else {
			seq = ++flow_seq;
		}
		/*
		 * The port alone repeats after 65536 runs, well inside the conns LRU, and the
		 * repeats would be hits: the counter's upper half goes into the low half of the
		 * source address, so no flow repeats within 2^31 runs.
		 */
		*sport = (__u16)seq;
		*saddr_lo = (__u16)(seq >> 16);
	}

	bpf_tail_call(ctx, &targets, target_slot);
	return XDP_ABORTED;
}

/* The floor: everything but the balancer. */
SEC("xdp")
int bench_floor(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
