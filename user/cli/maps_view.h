/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What xlbctl shows, read from the maps xlbd pins under <pin_dir>/<ifname>/: for one interface, or
 * for every interface directory found there with their counters added up. A VIP is the same VIP on
 * every interface when its key is; a backend is the same backend when its id is (xlbd hands out
 * the same ids on every interface).
 */
#ifndef XLB_MAPS_VIEW_H
#define XLB_MAPS_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "xlb/abi.h"

/* Which maps to read; xlb_view_load() leaves the parts not asked for empty. */
enum xlb_view_part {
	XLB_VIEW_VIPS = 1 << 0,     /* vips, vip_names, vip_stats */
	XLB_VIEW_BACKENDS = 1 << 1, /* backends, backend_stats; with VIPS also xlb_view_vip.n_backends */
	XLB_VIEW_REASONS = 1 << 2,  /* reason_stats, conns */
	/* every entry of conns (each interface's), syns and templates (the pin root's) */
	XLB_VIEW_CONNS = 1 << 3,
};

/* An entry of a connection table: conns of an interface, or syns. */
struct xlb_view_conn {
	struct xlb_flow flow;
	struct xlb_conn c;
	unsigned int iface; /* index into xlb_view.ifnames; XLB_VIEW_SHARED for syns */
};

/* Not an interface's: a map pinned once at the pin root (syns, templates, backend_conns). */
#define XLB_VIEW_SHARED UINT32_MAX

struct xlb_view_template {
	struct xlb_template_key key;
	struct xlb_template t;
};

struct xlb_view_vip {
	struct xlb_vip_key key;
	struct xlb_vip vip;        /* as the first interface holding this key has it */
	struct xlb_counters stats; /* vip_stats, summed over CPUs and interfaces */
	unsigned int n_backends;   /* used backends whose vip_id is vip.id */
};

struct xlb_view_backend {
	/* Copied from the first interface using the slot; LIVE and MAC stay set only when every
	 * interface has them, since a backend without a MAC on one interface loses that
	 * interface's new flows. */
	struct xlb_backend be;
	struct xlb_counters stats; /* backend_stats, summed over CPUs and interfaces */
	struct xlb_backend_conns conns; /* backend_conns (shared by the interfaces) */
};

struct xlb_view {
	struct xlb_view_vip *vips; /* n_vips of them, by vip id, then key */
	size_t n_vips;
	struct xlb_view_backend *backends; /* XLB_MAX_BACKENDS, by backend id; unused slots zero */
	struct xlb_vip_name *names;        /* XLB_MAX_VIPS, by vip id; first non-empty name wins */
	struct xlb_counters reasons[XLB_R_MAX]; /* reason_stats, by enum xlb_reason */
	uint64_t conns;                         /* conns entries, summed over interfaces */
	unsigned int n_ifaces;
	char (*ifnames)[64];       /* n_ifaces: the interfaces read, as their folders are named */
	struct xlb_view_conn *conn_list; /* XLB_VIEW_CONNS: conns then syns entries */
	size_t n_conn_list;
	struct xlb_view_template *templates; /* XLB_VIEW_CONNS */
	size_t n_templates;
};

/*
 * Read one interface (ifname) or every one (ifname NULL). 0, or -errno after logging to stderr:
 * -ENOENT when there are no xlb maps there, -EPROTO when a map's layout is not this ABI's.
 */
int xlb_view_load(struct xlb_view *v, const char *pin_dir, const char *ifname, unsigned int parts);
void xlb_view_free(struct xlb_view *v);
/*
 * Open the pinned map name of the view's interface i, or of the pin root (XLB_VIEW_SHARED),
 * read-only: an fd, or -errno after logging.
 */
int xlb_view_open_map(const struct xlb_view *v, const char *pin_dir, unsigned int i,
		      const char *name);
/* The address of backend id, or "-" when no backend has that id. */
const char *xlb_view_backend_addr(const struct xlb_view *v, uint32_t id, char *buf, size_t len);
/*
 * Whole seconds since last_seen, on the data path's clock (bpf_ktime_get_coarse_ns(), that is
 * CLOCK_MONOTONIC_COARSE); it refreshes last_seen at most once a second.
 */
uint64_t xlb_view_idle_s(uint64_t last_seen);
/* Room for "[v6-address]:65535/255" and anything shorter. */
#define XLB_VIEW_VIP_STR_LEN (46 + sizeof("[]:65535/255"))
/* 203.0.113.100:80/tcp, [2001:db8::100]:80/tcp; port 0 (every port) as '*'. */
const char *xlb_view_vip_str(const struct xlb_vip_key *k, char *buf, size_t len);
struct xlb_json;
/* A VIP's identity as members of the open JSON object: name, address, port, protocol. */
void xlb_view_vip_json(struct xlb_json *j, const struct xlb_view *v, const struct xlb_view_vip *vv);
/* The operator's name for a VIP id, or NULL when it has none. */
const char *xlb_view_vip_name(const struct xlb_view *v, uint32_t vip_id);

#endif /* XLB_MAPS_VIEW_H */
