/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Every map of the data path. Pinned by name under /sys/fs/bpf/xlb/<ifname>/ by xlbd. */
#ifndef XLB_BPF_MAPS_H
#define XLB_BPF_MAPS_H

#include "common.h"

/* {address, port, protocol} -> VIP; port 0 entries match every port. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XLB_MAX_VIPS * 2);
	__type(key, struct xlb_vip_key);
	__type(value, struct xlb_vip);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} vips SEC(".maps");

/* Backend id -> address, MAC and state. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xlb_backend);
} backends SEC(".maps");

/*
 * One VIP's Maglev table: slot -> backend id. BPF_F_INNER_MAP lets tables of any size share the
 * outer map; the size the data path must use travels in xlb_vip.ring_size.
 */
struct maglev_table {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_MAGLEV_DEFAULT_SIZE);
	__uint(map_flags, BPF_F_INNER_MAP);
	__type(key, __u32);
	__type(value, __u32);
};

/*
 * VIP id (+ XLB_MAX_VIPS with XLB_VIP_F_BANK) -> its Maglev table; a rebuilt table of the same
 * size replaces the old one in one update, one of a new size goes into the other bank.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, XLB_MAX_VIPS * 2);
	__type(key, __u32);
	__array(values, struct maglev_table);
} maglev_tables SEC(".maps");

/* Flow -> backend, so a flow stays put while its VIP's backend set changes. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XLB_MAX_CONNS);
	__type(key, struct xlb_flow);
	__type(value, struct xlb_conn);
} conns SEC(".maps");

/*
 * TCP flows whose SYN was scheduled by a stateful scheduler (rr, wrr, lc, wlc), until their first
 * non-SYN packet moves them into conns; and pending persistence templates (kind
 * XLB_FLOW_K_TEMPLATE) until a flow of that client is proven. Spoofed SYNs churn this table
 * only; conns holds proven flows. Shared by every interface (pinned at the pin root).
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XLB_MAX_SYNS);
	__type(key, struct xlb_flow);
	__type(value, struct xlb_conn);
} syns SEC(".maps");

/* {VIP, client} -> backend: LVS's persistence templates. Shared by every interface. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XLB_MAX_TEMPLATES);
	__type(key, struct xlb_template_key);
	__type(value, struct xlb_template);
} templates SEC(".maps");

/*
 * Backend id -> its active / inactive connections, for lc / wlc and xlbctl. Not per CPU: the
 * scheduler needs the sum at once. Mmapable, so xlbd's sweep corrects it with atomic adds of
 * its own rather than a write that would lose the data path's. Shared by every interface.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_MAX_BACKENDS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct xlb_backend_conns);
} backend_conns SEC(".maps");

/* VIP id -> the position of rr / wrr in the VIP's table, per CPU (each CPU walks it whole). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_MAX_VIPS);
	__type(key, __u32);
	__type(value, __u32);
} sched_pos SEC(".maps");

/*
 * NAT replies: the backend side of a NAT flow -> the VIP:port its source becomes again. Written
 * beside the conns entry of each new NAT flow, and like conns an LRU as large (an entry lives as
 * long as its flow is used). Shared by the programs of every interface (xlbd pins it once, at
 * the pin root): the client's packets create it on one interface, the replies read it on another.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XLB_MAX_CONNS);
	__type(key, struct xlb_nat_key);
	__type(value, struct xlb_nat);
} nat_flows SEC(".maps");

/* ifindex -> the same ifindex: the interfaces NAT may redirect to (every configured one). */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} tx_ports SEC(".maps");

/*
 * Fragmented datagram -> the backend its first fragment went to, for the later fragments that
 * carry no ports. An entry is needed only while a datagram's fragments are in flight (they come
 * back to back, microseconds apart), so the table holds the datagrams of the last few ms even at
 * millions of fragments a second; 8192 x ~100 bytes is under 1 MB. LRU: nothing deletes an
 * entry (a duplicate or reordered fragment may still come), the oldest make room.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XLB_MAX_FRAGS);
	__type(key, struct xlb_frag_key);
	__type(value, struct xlb_frag);
} frags SEC(".maps");

/* VIP id -> counters, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_MAX_VIPS);
	__type(key, __u32);
	__type(value, struct xlb_counters);
} vip_stats SEC(".maps");

/* Backend id -> counters, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xlb_counters);
} backend_stats SEC(".maps");

/* enum xlb_reason -> counters, per CPU: why packets got their verdict. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_R_MAX);
	__type(key, __u32);
	__type(value, struct xlb_counters);
} reason_stats SEC(".maps");

/* New flow bindings, for xlbd's flow sync to the standby. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, XLB_FLOW_EVENTS_SIZE);
} flow_events SEC(".maps");

/* Destinations routed but without a neighbour, for xlbd to probe (bpf/neigh.h). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, XLB_NEIGH_WANTS_SIZE);
} neigh_wants SEC(".maps");

/* neigh_wants' rate limit: the last want per destination hash, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_NEIGH_SLOTS);
	__type(key, __u32);
	__type(value, struct xlb_neigh_slot);
} neigh_slots SEC(".maps");

/* VIP id -> the operator's name for it; written by xlbd for xlbctl, never read here. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_MAX_VIPS);
	__type(key, __u32);
	__type(value, struct xlb_vip_name);
} vip_names SEC(".maps");

/* Key 0 -> tun forwarding's outer source addresses; written by xlbd. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_tunnel);
} tunnel SEC(".maps");

/* Backend id -> the FIB's last answer for it (tun), per CPU; a cache, never written by xlbd. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xlb_tun_hop);
} tun_hops SEC(".maps");

/* stats.h's clock: the jiffy it last read bpf_ktime_get_coarse_ns() in, and what it read. */
struct xlb_clock {
	__u64 jiffies;
	__u64 coarse_ns;
};

/* Key 0 -> the clock, per CPU; a cache, never written by xlbd (pinned like the others, harmless). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_clock);
} clock SEC(".maps");

#endif /* XLB_BPF_MAPS_H */
