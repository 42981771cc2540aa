/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Persistence (LVS's persistence templates): a client of a XLB_VIP_F_PERSIST VIP keeps its
 * backend for every new flow, any port, while its template in templates is used. A template is
 * written when a flow of the client is proven (its first non-SYN packet), never by a SYN, so a
 * spoofed SYN cannot pin a client. A stateful VIP's SYN remembers its pick in syns as a pending
 * template instead (kind XLB_FLOW_K_TEMPLATE), so the client's next SYNs, and the ACK, find it.
 */
#ifndef XLB_BPF_PERSIST_H
#define XLB_BPF_PERSIST_H

#include "maps.h"
#include "sched.h"

/* Refresh a template's last_seen at most this often, as a conn's. */
#define XLB_TEMPLATE_TOUCH_NS XLB_CONN_TOUCH_NS

/* Where a flow without a usable conn got its backend. */
enum xlb_via {
	XLB_VIA_CONN = 0, /* its conns entry (a SYN: one already in state SYN, a retransmit) */
	XLB_VIA_TEMPLATE, /* the client's proven template */
	XLB_VIA_PENDING,  /* the client's pending template in syns */
	XLB_VIA_SYNS,     /* the flow's own syns entry (its SYN was scheduled by a stateful VIP) */
	XLB_VIA_SCHED,    /* scheduled now */
};

static __always_inline void xlb_template_key(const struct xlb_vip *vip, const struct xlb_flow *f,
					     struct xlb_template_key *key)
{
	__builtin_memcpy(key->client, f->src, sizeof(key->client));
	key->vip_id = vip->id;
	key->family = f->family;
}

/*
 * The syns key of the client's pending template, also the key a template's sync event carries:
 * the client, the VIP's address and the port of the vips key that matched (0: every port).
 * Only a template miss pays the vips lookup that tells the port.
 */
static __always_inline void xlb_pending_key(const struct xlb_vip *vip, const struct xlb_flow *f,
					    struct xlb_flow *key)
{
	struct xlb_vip_key vk = { .port = f->dport, .proto = f->proto, .family = f->family };
	struct xlb_vip *exact;

	__builtin_memcpy(vk.addr, f->dst, sizeof(vk.addr));
	exact = bpf_map_lookup_elem(&vips, &vk);
	__builtin_memcpy(key->src, f->src, sizeof(key->src));
	__builtin_memcpy(key->dst, f->dst, sizeof(key->dst));
	key->dport = exact && exact->id == vip->id ? f->dport : 0;
	key->proto = f->proto;
	key->family = f->family;
	key->pad[0] = XLB_FLOW_K_TEMPLATE;
}

/*
 * The backend a persistent VIP's client is bound to: its template, else (a stateful VIP, TCP)
 * its pending template; NULL when neither names a live backend of the VIP.
 */
static __always_inline struct xlb_backend *xlb_persist_find(const struct xlb_vip *vip,
							    const struct xlb_flow *f, int stateful,
							    __u64 now, __u32 *id, __u8 *via)
{
	struct xlb_template_key tk = {};
	struct xlb_flow pk = {};
	struct xlb_backend *be;
	struct xlb_template *t;
	struct xlb_conn *p;

	xlb_template_key(vip, f, &tk);
	t = bpf_map_lookup_elem(&templates, &tk);
	if (t) {
		be = xlb_backend_live(t->backend, vip->id);
		if (be) {
			if (now - t->last_seen > XLB_TEMPLATE_TOUCH_NS)
				t->last_seen = now;
			*id = t->backend;
			*via = XLB_VIA_TEMPLATE;
			return be;
		}
	}
	if (!stateful || f->proto != IPPROTO_TCP)
		return NULL;
	xlb_pending_key(vip, f, &pk);
	p = bpf_map_lookup_elem(&syns, &pk);
	if (!p)
		return NULL;
	be = xlb_backend_live(p->backend, vip->id);
	if (be) {
		*id = p->backend;
		*via = XLB_VIA_PENDING;
	}
	return be;
}

/* A stateful persistent VIP's SYN was scheduled: the client's next SYNs go the same way. */
static __always_inline void xlb_pending_insert(const struct xlb_vip *vip, const struct xlb_flow *f,
					       __u32 id, __u64 now)
{
	struct xlb_conn c = {
		.backend = id, .vip_id = vip->id, .state = XLB_CS_SYN, .last_seen = now,
	};
	struct xlb_flow pk = {};

	xlb_pending_key(vip, f, &pk);
	bpf_map_update_elem(&syns, &pk, &c, BPF_ANY);
}

/*
 * A flow of the client was proven on backend id: its template says so from now on (a template
 * whose backend left is replaced), and a pending one is done. 1 with *ev the template's event
 * key when a template was written, 0 when the client's template already named id.
 */
static __always_inline int xlb_persist_prove(const struct xlb_vip *vip, const struct xlb_flow *f,
					     __u32 id, __u8 via, __u64 now, struct xlb_flow *ev)
{
	struct xlb_template t = { .backend = id, .last_seen = now };
	struct xlb_template_key tk = {};
	struct xlb_template *old;

	xlb_template_key(vip, f, &tk);
	old = bpf_map_lookup_elem(&templates, &tk);
	if (old && old->backend == id)
		return 0;
	bpf_map_update_elem(&templates, &tk, &t, BPF_ANY);
	xlb_pending_key(vip, f, ev);
	if (via == XLB_VIA_PENDING)
		bpf_map_delete_elem(&syns, ev);
	return 1;
}

#endif /* XLB_BPF_PERSIST_H */
