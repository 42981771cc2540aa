/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * IP fragments of VIP flows. The first fragment (offset 0) carries the ports: it is balanced like
 * any packet of its flow and its choice is recorded in frags under {src, dst, id, proto, family}.
 * Later fragments carry no ports: they take the recorded ports (to find the same VIP, exact-port
 * ones included) and the recorded backend, and are forwarded byte-exact like the first.
 *
 * A later fragment with no record (its first fragment not seen yet, or evicted) goes to the
 * kernel, counted as pass_frag_unknown: without ports the data path cannot tell a VIP's fragment
 * from one of the host's own datagrams to the same address (a VIP may be an exact-port one), and
 * dropping would break the host's fragmented traffic; the kernel's reassembly queue is bounded
 * (ipfrag_high_thresh) and times such a datagram out. IPVS likewise leaves fragments to the
 * kernel's defragmentation; Katran drops every fragment.
 */
#ifndef XLB_BPF_FRAG_H
#define XLB_BPF_FRAG_H

#include "maps.h"
#include "parse.h"

static __always_inline void xlb_frag_key(const struct xlb_pkt *pkt, struct xlb_frag_key *key)
{
	__builtin_memcpy(key->src, pkt->flow.src, sizeof(key->src));
	__builtin_memcpy(key->dst, pkt->flow.dst, sizeof(key->dst));
	key->id = pkt->frag_id;
	key->proto = pkt->flow.proto;
	key->family = pkt->flow.family;
}

/*
 * A later fragment: fill in its flow's ports from its first fragment's record. NULL when there
 * is none; the caller passes the fragment on.
 */
static __always_inline struct xlb_frag *xlb_frag_follow(struct xlb_pkt *pkt)
{
	struct xlb_frag_key key = {};
	struct xlb_frag *fr;

	xlb_frag_key(pkt, &key);
	fr = bpf_map_lookup_elem(&frags, &key);
	if (!fr)
		return NULL;
	pkt->flow.sport = fr->sport;
	pkt->flow.dport = fr->dport;
	return fr;
}

/* A first fragment went to backend id of vip_id: its later fragments must go there too. */
static __always_inline void xlb_frag_record(const struct xlb_pkt *pkt, __u32 id, __u32 vip_id)
{
	struct xlb_frag_key key = {};
	struct xlb_frag fr = {
		.backend = id,
		.vip_id = vip_id,
		.sport = pkt->flow.sport,
		.dport = pkt->flow.dport,
	};

	xlb_frag_key(pkt, &key);
	/* A failed insert only costs the later fragments their way (pass_frag_unknown). */
	bpf_map_update_elem(&frags, &key, &fr, BPF_ANY);
}

#endif /* XLB_BPF_FRAG_H */
