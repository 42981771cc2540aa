/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the config's schemas share (only user/config/ includes it): the state they keep between
 * sections, and the few entry points one schema file calls in another. The load-balancer schema
 * (schema_lb.c: interfaces, VIPs, backends, the top level) reads health mappings through
 * schema_health.c and the failover section through schema_pair.c.
 */
#ifndef XLB_CONFIG_SCHEMA_H
#define XLB_CONFIG_SCHEMA_H

#include "config/walk.h"

#define XLB_CFG_SYNC_DEFAULT_PORT 8849

/* A health mapping's keys, in the order of their XLB_HC_SET_* bits: key i is bit 1 << i. */
enum {
	XLB_CFG_HC_TYPE,
	XLB_CFG_HC_PORT,
	XLB_CFG_HC_INTERVAL,
	XLB_CFG_HC_TIMEOUT,
	XLB_CFG_HC_RISE,
	XLB_CFG_HC_FALL,
	XLB_CFG_HC_PATH,
	XLB_CFG_HC_STATUS,
	XLB_CFG_HC_BODY,
	XLB_CFG_HC_PAYLOAD,
	XLB_CFG_HC_EXPECT,
	XLB_CFG_HC_COMMAND,
	XLB_CFG_HC_N_KEYS,
};
_Static_assert(XLB_HC_SET_TYPE == 1u << XLB_CFG_HC_TYPE &&
		       XLB_HC_SET_PORT == 1u << XLB_CFG_HC_PORT &&
		       XLB_HC_SET_INTERVAL == 1u << XLB_CFG_HC_INTERVAL &&
		       XLB_HC_SET_TIMEOUT == 1u << XLB_CFG_HC_TIMEOUT &&
		       XLB_HC_SET_RISE == 1u << XLB_CFG_HC_RISE &&
		       XLB_HC_SET_FALL == 1u << XLB_CFG_HC_FALL &&
		       XLB_HC_SET_PATH == 1u << XLB_CFG_HC_PATH &&
		       XLB_HC_SET_STATUS == 1u << XLB_CFG_HC_STATUS &&
		       XLB_HC_SET_BODY == 1u << XLB_CFG_HC_BODY &&
		       XLB_HC_SET_PAYLOAD == 1u << XLB_CFG_HC_PAYLOAD &&
		       XLB_HC_SET_EXPECT == 1u << XLB_CFG_HC_EXPECT &&
		       XLB_HC_SET_COMMAND == 1u << XLB_CFG_HC_COMMAND,
	       "health keys out of step with XLB_HC_SET_*");

/* Where one health mapping's keys were, for the checks that run once it is merged. */
struct xlb_cfg_hc_marks {
	struct xlb_cfg_pos key[XLB_CFG_HC_N_KEYS]; /* line 0: not given */
	struct xlb_cfg_pos val[XLB_CFG_HC_N_KEYS];
	uint32_t bad; /* XLB_HC_SET_* given but rejected: checks that need them are skipped */
};

/* Where one VRRP instance's items were. */
struct xlb_cfg_vrrp_marks {
	struct xlb_cfg_pos *peer_at;	/* parallel to its unicast_peers */
	struct xlb_cfg_mark *track_at;	/* parallel to its tracks: the interface or vip value;
					 * ok = the track is whole */
	struct xlb_cfg_mark name;	/* its name value; line 0: defaulted */
};

/* A sync group's member as written: resolved to its instance at failover's end. */
struct xlb_cfg_group_member {
	char name[XLB_CFG_NAME_SIZE];
	int group; /* index into cfg->sync_groups */
	struct xlb_cfg_pos at;
};

/* Positions and verdicts the schemas compare items by, kept beside the arrays of cfg. */
struct xlb_cfg_state {
	struct xlb_cfg_mark *if_name;	/* parallel to cfg->ifaces: the name value */
	struct xlb_cfg_mark *vip_addr;	/* parallel to cfg->vips: address; ok = whole key valid */
	struct xlb_cfg_mark *vip_name;	/* parallel to cfg->vips: name (address if defaulted) */
	struct xlb_cfg_vip *vip;	/* the VIP whose backends are being read */
	struct xlb_cfg_mark *be_addr;	/* parallel to vip->backends: the address value */
	struct xlb_cfg_hc_marks *be_hc;	/* parallel to vip->backends: their health mappings */
	struct xlb_cfg_mark *be_port;	/* parallel to vip->backends: the port key */
	struct xlb_cfg_hc_marks vip_hc;	/* the current VIP's health mapping */
	struct xlb_cfg_hc_marks *hc;	/* the health mapping being read */
	struct xlb_cfg_mark fallback;	/* the current VIP's fallback value */
	size_t n_backends;		/* over all VIPs, fallbacks too: ids share one map */
	struct xlb_cfg_vrrp_marks *vrrp_at; /* parallel to cfg->vrrps */
	struct xlb_cfg_group_member *members; /* of every sync group, in file order */
	size_t n_members;
	struct xlb_cfg_pos sync_peer_at; /* the sync peer value */
	bool tun_bad;			/* a tunnel source was rejected: no "needs a source" */
};

/* schema_lb.c: the top level, and a VIP's name (a track's vip names one). */
extern const struct xlb_cfg_section xlb_cfg_top_section;
int xlb_cfg_vip_name_val(struct xlb_cfg_parser *p, char *name, size_t size);

/* schema_health.c: read a health mapping into h (what was given; the rest stays 0) and its
 * positions into m; at the VIP's end, merge the VIP's and each backend's and check them. */
int xlb_cfg_health(struct xlb_cfg_parser *p, struct xlb_cfg_health *h,
		   struct xlb_cfg_hc_marks *m);
void xlb_cfg_vip_health_end(struct xlb_cfg_parser *p, struct xlb_cfg_vip *vip, bool vip_port_ok);

/* schema_conns.c: the connection table's keys: a VIP's persistence_timeout, top-level timeouts. */
int xlb_cfg_vip_persistence(struct xlb_cfg_parser *p, void *obj);
extern const struct xlb_cfg_section xlb_cfg_timeouts_section;

/* schema_pair.c: failover: {mode, vrrp, sync}; at the top's end, the interfaces of
 * virtual addresses against the config's. */
extern const struct xlb_cfg_section xlb_cfg_failover_section;
void xlb_cfg_vaddr_check_ifaces(struct xlb_cfg_parser *p, const struct xlb_config *cfg);

/* Where a virtual_addresses list goes: a VRRP instance's or zookeeper's. */
struct xlb_cfg_vaddr_list {
	struct xlb_cfg_vaddr **vaddrs;
	size_t *n;
};
/* One virtual_addresses entry, "ADDR[/P] [dev IF]" or {address, interface}, into l. */
int xlb_cfg_vaddr_entry(struct xlb_cfg_parser *p, struct xlb_cfg_vaddr_list *l);

/* schema_zk.c: failover.zookeeper, and what the failover mapping's end checks of it. */
int xlb_cfg_failover_zk(struct xlb_cfg_parser *p, void *obj);
void xlb_cfg_zk_mode_check(struct xlb_cfg_parser *p, uint8_t mode, struct xlb_cfg_pos start,
			   const struct xlb_cfg_mark *zk, const struct xlb_cfg_mark *vrrp,
			   const struct xlb_cfg_mark *groups);
void xlb_cfg_zk_free(struct xlb_cfg_zk *zk);

/*
 * schema_pair.c: "ADDR:PORT" or "[IPV6]:PORT" into addr and port; without ":PORT" the port is
 * default_port, or, with XLB_CFG_HP_NEED_PORT, an error (default_port then only shows in
 * messages). Returns 0, 1 (rejected) or p->stop, as a key's parse().
 */
enum {
	XLB_CFG_HP_NEED_PORT = 1u << 0, /* the port must be given */
	XLB_CFG_HP_ANY = 1u << 1,       /* 0.0.0.0 and [::] are taken: a listener's every address */
};
int xlb_cfg_hostport_val(struct xlb_cfg_parser *p, const char *what, uint16_t default_port,
			 unsigned int flags, struct xlb_addr *addr, uint16_t *port);

/* schema_metrics.c: metrics: {listen}, the Prometheus endpoint. */
extern const struct xlb_cfg_section xlb_cfg_metrics_section;

/* schema_announce.c: announce: {mode, table, protocol, metric}; at the top's end, whether it
 * is given beside failover (where each key was; line 0: not given). */
extern const struct xlb_cfg_section xlb_cfg_announce_section;
void xlb_cfg_announce_check(struct xlb_cfg_parser *p, struct xlb_cfg_pos announce,
			    struct xlb_cfg_pos failover);

#endif /* XLB_CONFIG_SCHEMA_H */
