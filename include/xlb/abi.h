/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The map ABI between the XDP data path and userspace: key/value structs, flag bits, counter
 * indices and limits. Both sides include this file; nothing here is mirrored by hand elsewhere.
 * Only <linux/types.h> types, explicit padding, a comment per field.
 */
#ifndef XLB_ABI_H
#define XLB_ABI_H

#include <linux/types.h>

/* Limits, overridable at build time (-DXLB_MAX_VIPS=...). */
#ifndef XLB_MAX_VIPS
#define XLB_MAX_VIPS 256
#endif
#ifndef XLB_MAX_BACKENDS
#define XLB_MAX_BACKENDS 4096
#endif
#ifndef XLB_MAX_CONNS
#define XLB_MAX_CONNS 262144
#endif
/* Unproven TCP flows and pending templates (syns): a flood churns this table, never conns. */
#ifndef XLB_MAX_SYNS
#define XLB_MAX_SYNS 65536
#endif
/* Persistence templates: one per {VIP, client address}. */
#ifndef XLB_MAX_TEMPLATES
#define XLB_MAX_TEMPLATES 65536
#endif
/* lc / wlc scan the VIP's live backends for each new flow: at most this many. */
#define XLB_LC_MAX_BACKENDS 256
#define XLB_MAGLEV_DEFAULT_SIZE 65537
#define XLB_MAGLEV_MIN_SIZE 3
#define XLB_MAGLEV_MAX_SIZE 1048573 /* largest prime below 2^20 */
#define XLB_WEIGHT_MAX 65535

/* A slot of a Maglev table, or a conn's backend, that names no backend. */
#define XLB_NO_BACKEND 0xffffffffu

/* Address families as the data path spells them (no libc in BPF). */
enum xlb_family {
	XLB_FAMILY_NONE = 0,
	XLB_FAMILY_V4 = 4,
	XLB_FAMILY_V6 = 6,
};

/*
 * How a VIP picks the backend of a new flow; each reads the VIP's table (maglev_tables), which
 * xlbd builds for the scheduler. maglev and sh are stateless: a flow's packets get the same answer
 * every time while the table stays, so a SYN is scheduled without remembering anything. The others
 * depend on state (a position, live counts), so a SYN's choice is kept in syns until its flow is
 * proven.
 */
enum xlb_sched {
	XLB_SCHED_MAGLEV = 0, /* table: Maglev over weights; slot = hash of the 5-tuple */
	XLB_SCHED_SH = 1,     /* table: Maglev over weights; slot = hash of the client address */
	XLB_SCHED_WRR = 2,    /* table: a smooth weighted sequence; slot = a per-CPU position */
	XLB_SCHED_WLC = 3,    /* table: the live backends; the least active * 256 + inactive per weight */
	XLB_SCHED_RR = 4,     /* as wrr, every weight equal */
	XLB_SCHED_LC = 5,     /* as wlc, weights ignored */
};

enum xlb_fwd {
	XLB_FWD_DR = 0,  /* direct server return: rewrite L2, XDP_TX */
	XLB_FWD_TUN = 1, /* IPIP / IP6IP6 / IPv4-in-IPv6 to the backend's address, next hop from the FIB */
	XLB_FWD_NAT = 2, /* destination NAT, two-armed: replies come back through nat_flows */
};

/*
 * vips key. An IPv4 address lives in addr[0], the rest zero. port 0 matches every port of
 * {addr, proto}; an exact-port VIP wins over a port-0 one.
 */
struct xlb_vip_key {
	__be32 addr[4]; /* VIP address, network order */
	__be16 port;    /* L4 destination port, network order; 0 = every port */
	__u8 proto;     /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 family;    /* enum xlb_family */
};

/* vips value. */
struct xlb_vip {
	__u32 id;        /* vip_stats and maglev_tables index (XLB_VIP_F_BANK), < XLB_MAX_VIPS */
	__u32 ring_size; /* slots in this VIP's Maglev table (prime) */
	__u8 sched;      /* enum xlb_sched */
	__u8 fwd;        /* enum xlb_fwd */
	__u16 flags;     /* XLB_VIP_F_* */
	__u32 fallback;  /* backend for new flows when the table is empty, or XLB_NO_BACKEND */
};

#define XLB_VIP_F_NONE 0
/*
 * The VIP's table is maglev_tables[id + XLB_MAX_VIPS], not [id]. A table of a new size goes
 * into the bank the VIP does not read; one vips update then switches ring_size and table
 * together, so no packet pairs a table with another table's size.
 */
#define XLB_VIP_F_BANK 0x0001
/*
 * Persistence (LVS's persistence_timeout): a client address keeps its backend for every new flow
 * to this VIP, any port, through its template in templates. xlbd expires idle templates.
 */
#define XLB_VIP_F_PERSIST 0x0002
/*
 * The VIP's table changed a moment ago (maglev, sh): its SYNs keep their pick in syns, as a
 * stateful scheduler's always do, so a handshake whose SYN was answered by the old table and
 * whose ACK comes after the swap stays on one backend (else the new table's backend, knowing
 * no such connection, resets it). xlbd sets it before a swap and clears it a handshake's time
 * after (XLB_SETTLE_NS); the syns lookups it costs are paid only then.
 */
#define XLB_VIP_F_SETTLING 0x0004
#define XLB_SETTLE_NS (2ull * 1000 * 1000 * 1000)

/* backends value, indexed by backend id (< XLB_MAX_BACKENDS). */
struct xlb_backend {
	__be32 addr[4]; /* real server address; IPv4 in addr[0] */
	__u8 mac[6];    /* next-hop MAC, learned from the kernel's neighbour table */
	__u8 family;    /* enum xlb_family */
	__u8 flags;     /* XLB_BE_F_* */
	__u32 vip_id;   /* the VIP this backend serves; a conn is only valid for its own VIP */
	__u16 weight;   /* configured weight, for schedulers and for xlbctl */
	__be16 port;    /* nat: the backend's port, network order; 0 = the port the client asked for */
};

#define XLB_BE_F_USED 0x01 /* slot holds a configured backend */
#define XLB_BE_F_LIVE 0x02 /* established flows may keep using it (up, or draining) */
#define XLB_BE_F_MAC 0x04  /* mac is resolved; without it the backend gets no traffic */

/* vip_names value: what the operator called the VIP; for xlbctl only, the data path never reads it. */
struct xlb_vip_name {
	char name[64]; /* NUL-terminated */
};

/*
 * tunnel value, the map's only entry (key 0): the outer source addresses of tun forwarding.
 * Written by xlbd from the config; a family without its XLB_TUN_F_* bit has no source.
 */
struct xlb_tunnel {
	__be32 src4;    /* outer IPv4 source, network order */
	__be32 src6[4]; /* outer IPv6 source, network order */
	__u32 flags;    /* XLB_TUN_F_* */
};

#define XLB_TUN_F_SRC4 0x01 /* src4 is set */
#define XLB_TUN_F_SRC6 0x02 /* src6 is set */

/*
 * tun_hops value, per CPU, by backend id: the FIB's last answer for the backend, so an
 * established flow does not pay a FIB lookup per packet. Data path only; xlbd never reads it.
 */
struct xlb_tun_hop {
	__be32 daddr[4];  /* the backend address the answer is for */
	__u64 stamp;      /* bpf_ktime_get_coarse_ns() of the lookup */
	__u32 ifindex;    /* egress interface */
	__u32 mtu;        /* the path's MTU, as the FIB said */
	__u8 dmac[6];     /* next hop's MAC */
	__u8 smac[6];     /* egress interface's MAC */
};

/*
 * conns and syns key: a flow as the client sent it. In syns, a key of kind XLB_FLOW_K_TEMPLATE is
 * a pending persistence template instead: src = the client, dst / dport = the VIP's address and
 * port (0 for an every-port VIP), sport 0.
 */
struct xlb_flow {
	__be32 src[4]; /* client address */
	__be32 dst[4]; /* VIP address */
	__be16 sport;  /* client port */
	__be16 dport;  /* VIP port */
	__u8 proto;    /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 family;   /* enum xlb_family */
	__u8 pad[2];   /* pad[0]: enum xlb_flow_kind (0 in conns); pad[1] zero */
};

enum xlb_flow_kind {
	XLB_FLOW_K_CONN = 0,     /* a connection (every conns key) */
	XLB_FLOW_K_TEMPLATE = 1, /* a persistence template (syns, flow_events) */
};

/*
 * A flow's state as the dispatcher sees it, from the client's packets only (dr and tun never see
 * the backend's half; nat's replies do not change it either). ActiveConn counts TCP entries in
 * XLB_CS_ACTIVE; InActConn counts every other entry of conns and syns, UDP included (as LVS).
 */
enum xlb_conn_state {
	XLB_CS_ACTIVE = 0,  /* TCP: established (proven by a non-SYN packet); UDP: active */
	XLB_CS_CLOSING = 1, /* TCP: the client sent FIN or RST */
	XLB_CS_SYN = 2,     /* TCP: SYN seen, not proven (syns; or conns, a port reused by a new SYN) */
	XLB_CS_MAX,
};

/*
 * conns and syns value. Was {backend, __u32 vip_id, last_seen}: vip_id < 256 in the low half of a
 * little-endian word, so an entry pinned by an older xlbd reads as state XLB_CS_ACTIVE.
 */
struct xlb_conn {
	__u32 backend;   /* backend id */
	__u16 vip_id;    /* VIP the flow was scheduled for */
	__u8 state;      /* enum xlb_conn_state */
	__u8 flags;      /* zero */
	__u64 last_seen; /* bpf_ktime_get_coarse_ns() of a recent packet, refreshed at most every second */
};

/* templates key: one client of one VIP. IPv4 in client[0], the rest zero. */
struct xlb_template_key {
	__be32 client[4]; /* client address */
	__u32 vip_id;     /* the VIP */
	__u8 family;      /* enum xlb_family */
	__u8 pad[3];      /* zero */
};

/* templates value: the client's backend while it keeps coming back. */
struct xlb_template {
	__u32 backend;   /* backend id */
	__u32 pad;       /* zero */
	__u64 last_seen; /* bpf_ktime_get_coarse_ns() the template last chose a flow's backend; xlbd's
			  * sweep also refreshes it while a flow of the client is in conns */
};

/*
 * backend_conns value, by backend id: the backend's connections (ipvsadm's ActiveConn /
 * InActConn), shared by every CPU and interface (atomic adds). The data path adds on each insert
 * and state change; LRU evictions go unseen, so xlbd's sweep recounts the tables and corrects.
 */
struct xlb_backend_conns {
	__s32 active;   /* TCP connections in XLB_CS_ACTIVE */
	__s32 inactive; /* every other entry: SYN seen, closing, UDP */
};

/*
 * flow_events record: a flow the data path just bound to a backend or whose state changed, or a
 * persistence template it proved (flow.pad[0] == XLB_FLOW_K_TEMPLATE), for xlbd to stream to its
 * standby peer. Only produced while the `sync_flows` global is set.
 */
struct xlb_flow_event {
	struct xlb_flow flow; /* the conns key (or the template, as syns keys it) */
	__u32 backend;        /* backend id it was bound to */
	__u32 vip_id;         /* its VIP */
	__u8 state;           /* enum xlb_conn_state; XLB_CS_ACTIVE for a template */
	__u8 pad[7];          /* zero */
};

#define XLB_FLOW_EVENTS_SIZE (1 << 20) /* bytes; about 16k events between two reads */

/*
 * neigh_wants record: a destination the FIB routed but had no neighbour for (bpf_fib_lookup
 * never resolves one), for xlbd to probe so the kernel resolves the hop its route takes. The
 * packet itself was dropped (drop_no_route); the sender's retransmit finds the neighbour.
 */
struct xlb_neigh_want {
	__be32 addr[4]; /* the packet's destination; IPv4 in addr[0], the rest zero */
	__u32 ifindex;  /* egress interface the FIB named (informative: xlbd probes unbound) */
	__u8 family;    /* enum xlb_family */
	__u8 pad[3];    /* zero */
};

#define XLB_NEIGH_WANTS_SIZE (1 << 14) /* bytes; 512 records between two reads */

/* neigh_slots value (per CPU, indexed by a hash of the destination): the last want sent. */
struct xlb_neigh_slot {
	__be32 addr[4]; /* destination of the last want from this slot */
	__u64 stamp;    /* bpf_ktime_get_ns() it was sent at */
	__u8 family;    /* enum xlb_family; 0: never used */
	__u8 pad[7];    /* zero */
};

#define XLB_NEIGH_SLOTS 64                      /* per CPU; a power of two */
#define XLB_NEIGH_WANT_NS (5ull * 1000 * 1000) /* one want per destination per CPU per 5 ms */

/*
 * frags key: one fragmented datagram, as its first fragment (offset 0, the one with the ports)
 * named it. Later fragments carry no ports, only these fields. An IPv4 address lives in src[0] /
 * dst[0], the rest zero.
 */
struct xlb_frag_key {
	__be32 src[4]; /* client address */
	__be32 dst[4]; /* VIP address */
	__be32 id;     /* IPv4 identification (16 bits, network order, zero-extended) / IPv6 fragment id */
	__u8 proto;    /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 family;   /* enum xlb_family */
	__u8 pad[2];   /* zero */
};

/* frags value: where the first fragment went, and the ports later fragments lack. */
struct xlb_frag {
	__u32 backend; /* backend id the first fragment was forwarded to */
	__u32 vip_id;  /* its VIP; a later fragment follows only while the VIP is the same */
	__be16 sport;  /* the datagram's client port, so a later fragment finds its VIP again... */
	__be16 dport;  /* ...by {address, port, protocol}, exact-port VIPs included */
};

#ifndef XLB_MAX_FRAGS
#define XLB_MAX_FRAGS 8192
#endif

/*
 * nat_flows key: a NAT flow as its backend's replies carry it (source = backend, destination =
 * client). One map shared by the programs of every interface, since the replies come back on
 * another interface than the one the client's packets arrived on. IPv4 in [0], the rest zero.
 */
struct xlb_nat_key {
	__be32 backend[4]; /* the backend's address: the reply's source */
	__be32 client[4];  /* the client's address: the reply's destination */
	__be16 bport;      /* the backend's port */
	__be16 cport;      /* the client's port */
	__u8 proto;        /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 family;       /* enum xlb_family */
	__u8 pad[2];       /* zero */
};

/* nat_flows value: what a reply's source becomes again. */
struct xlb_nat {
	__be32 vip[4];   /* the VIP address the client sent to */
	__be16 vport;    /* the port the client sent to */
	__u16 pad;       /* zero */
	__u32 vip_id;    /* its VIP, for counting */
	__u32 backend;   /* backend id, for counting */
	__u32 pad2;      /* zero */
	__u64 last_seen; /* bpf_ktime_get_coarse_ns() of a recent packet either way, refreshed at most every second */
};

/* One counter set; per CPU in vip_stats, backend_stats and reason_stats. */
struct xlb_counters {
	__u64 packets;   /* packets */
	__u64 bytes;     /* bytes, from the Ethernet header on */
	__u64 new_flows; /* flows scheduled (conns inserts); unused in reason_stats */
};

/* reason_stats index: why a packet got the verdict it got. */
enum xlb_reason {
	XLB_R_FORWARDED = 0,   /* balanced and sent on (XDP_TX) */
	XLB_R_PASS_NOT_IP,     /* ARP, LLDP, other ethertypes: XDP_PASS */
	XLB_R_PASS_NOT_VIP,    /* IP, but no VIP matches: XDP_PASS */
	XLB_R_PASS_NOT_L4,     /* VIP address, not TCP/UDP (ICMP, ...): XDP_PASS */
	XLB_R_PASS_FRAGMENT,   /* fragment of a datagram that is not TCP/UDP: XDP_PASS */
	XLB_R_PASS_IP_EXT,     /* IPv6 extension chain we do not walk: XDP_PASS */
	XLB_R_DROP_TRUNCATED,  /* a header runs past the frame or the IP length: XDP_DROP */
	XLB_R_DROP_BAD_HEADER, /* IPv4 IHL < 5, version mismatch: XDP_DROP */
	XLB_R_DROP_NO_BACKEND, /* VIP has no backend to take a new flow: XDP_DROP */
	XLB_R_DROP_NO_MAC,     /* chosen backend's MAC is not resolved yet: XDP_DROP */
	XLB_R_PASS_OTHER_HOST, /* VIP traffic sent to another MAC (promiscuous NIC): XDP_PASS */
	XLB_R_PASS_FRAG_UNKNOWN, /* later IP fragment whose first one is not in frags: XDP_PASS */
	XLB_R_PASS_VLAN_DEPTH, /* more than two 802.1Q / 802.1ad tags: XDP_PASS */
	XLB_R_DROP_NO_TUN_SRC, /* tun: no outer source address for the backend's family: XDP_DROP */
	XLB_R_DROP_NO_ROUTE,   /* tun: the FIB has no route or no neighbour to the backend: XDP_DROP */
	XLB_R_DROP_TOO_BIG,    /* too big for the way on, and no ICMP answer may go (no DF, MTU under the minimum, ...): XDP_DROP */
	XLB_R_NAT_REPLY,       /* nat: a backend's reply, its source made VIP:port again, sent on */
	XLB_R_PASS_TTL,        /* nat: TTL / hop limit <= 1, the kernel answers as a router: XDP_PASS */
	XLB_R_DROP_NO_TX_PORT, /* nat: the egress interface is not in tx_ports: XDP_DROP */
	XLB_R_PASS_NAT_VLAN,   /* nat: an 802.1Q-tagged frame of a NAT flow: XDP_PASS */
	XLB_R_ICMP_TOO_BIG,    /* too big for the way on: answered with ICMP frag needed / packet too big, XDP_TX */
	XLB_R_MAX,
};

#endif /* XLB_ABI_H */
