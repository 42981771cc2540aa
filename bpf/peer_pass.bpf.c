// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * For test topologies only: a veth delivers frames that its peer sends with XDP_TX only when it
 * runs NAPI, which an XDP program of its own guarantees (GRO alone did not on kernel 6.18: the
 * peer's ring filled after 256 frames and the rest were dropped). This one passes everything.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xlb_peer_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
