/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xlbd's configuration: what the YAML file says, validated. Parsed with libyaml; every error is
 * reported as "file:line:col: message" (1-based, pointing at the offending key or value).
 */
#ifndef XLB_CONFIG_H
#define XLB_CONFIG_H

#include <net/if.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/addr.h"
#include "xlb/abi.h"

/* Where a value sat in the file, 1-based. */
struct xlb_cfg_pos {
	unsigned int line;
	unsigned int col;
};

enum xlb_xdp_mode {
	XLB_XDP_AUTO = 0, /* native, generic with a warning when native is refused */
	XLB_XDP_NATIVE,
	XLB_XDP_GENERIC,
};

struct xlb_cfg_iface {
	char name[IF_NAMESIZE];
	enum xlb_xdp_mode xdp_mode;
	struct xlb_cfg_pos pos;
};

enum xlb_hc_type {
	XLB_HC_NONE = 0, /* no check: the backend is always up */
	XLB_HC_TCP,      /* connect() succeeds */
	XLB_HC_HTTP,     /* GET path answers expect_status (and contains expect_body) */
	XLB_HC_UDP,      /* payload gets a reply (containing expect); ICMP unreachable = down */
	XLB_HC_EXEC,     /* command exits 0 */
};

/* The word the config spells a type with; "unknown" for none. */
const char *xlb_hc_type_name(int type);

/* Bits of xlb_cfg_health.set: which keys the file gave, so a backend's override merges key by key. */
enum {
	XLB_HC_SET_TYPE = 1u << 0,
	XLB_HC_SET_PORT = 1u << 1,
	XLB_HC_SET_INTERVAL = 1u << 2,
	XLB_HC_SET_TIMEOUT = 1u << 3,
	XLB_HC_SET_RISE = 1u << 4,
	XLB_HC_SET_FALL = 1u << 5,
	XLB_HC_SET_PATH = 1u << 6,
	XLB_HC_SET_STATUS = 1u << 7,
	XLB_HC_SET_BODY = 1u << 8,
	XLB_HC_SET_PAYLOAD = 1u << 9,
	XLB_HC_SET_EXPECT = 1u << 10,
	XLB_HC_SET_COMMAND = 1u << 11,
};

/* Defaults, in the spirit of keepalived's connect_timeout / retry / delay_before_retry. */
#define XLB_HC_DEFAULT_INTERVAL_MS 2000
#define XLB_HC_DEFAULT_TIMEOUT_MS 1000
#define XLB_HC_DEFAULT_RISE 2
#define XLB_HC_DEFAULT_FALL 3

struct xlb_cfg_health {
	uint8_t type;          /* enum xlb_hc_type; default tcp */
	uint16_t port;         /* port checked on the backend's real address; 0 = the VIP's port */
	uint32_t interval_ms;  /* between the start of two checks */
	uint32_t timeout_ms;   /* a check not done by then failed; must be < interval */
	uint32_t rise;         /* successes in a row that bring a down backend up */
	uint32_t fall;         /* failures in a row that take an up backend down */
	char path[256];        /* http: request path; default "/" */
	uint16_t expect_status; /* http: default 200 */
	char expect_body[256]; /* http: substring the body must contain; "" = any */
	char payload[256];     /* udp: datagram sent; default "" (empty datagram) */
	char expect[256];      /* udp: substring the reply must contain; "" = any reply */
	char command[512];     /* exec: run by /bin/sh -c, backend in XLB_BACKEND / XLB_PORT */
	uint32_t set;          /* XLB_HC_SET_* */
	struct xlb_cfg_pos pos;
};

struct xlb_cfg_backend {
	struct xlb_addr addr;
	uint32_t weight; /* 0..XLB_WEIGHT_MAX; default 100; 0 = no new flows */
	/* nat: the port it listens on (keepalived's real_server ADDR PORT); default the VIP's,
	 * 0 elsewhere (other modes keep the VIP's port, a port-0 VIP the client's) */
	uint16_t port;
	struct xlb_cfg_health health; /* the VIP's health with this backend's overrides merged in */
	struct xlb_cfg_pos pos;
};

struct xlb_cfg_vip {
	char name[64];        /* unique; default "<address>:<port>/<proto>" */
	struct xlb_addr addr;
	uint16_t port;        /* host order; 0 = every port */
	uint8_t proto;        /* IPPROTO_TCP / IPPROTO_UDP; default tcp */
	uint8_t sched;        /* enum xlb_sched; default maglev */
	uint8_t fwd;          /* enum xlb_fwd; default dr */
	struct xlb_cfg_health health; /* defaults for its backends */
	struct xlb_addr fallback; /* sorry server for new flows when no backend is up; family 0 = none */
	struct xlb_cfg_pos fallback_pos;
	struct xlb_cfg_backend *backends;
	size_t n_backends;
	/* persistence_timeout (LVS's): a client keeps its backend for new flows until idle this
	 * long; 0 = no persistence */
	uint32_t persistence_ms;
	struct xlb_cfg_pos pos;
};

/*
 * A virtual address the VRRP master holds: on vrrp's interface, or on its own (keepalived's
 * `ADDR dev IFNAME`: a NAT pair's backends' gateway, on the backends' side).
 */
struct xlb_cfg_vaddr {
	struct xlb_addr addr;
	uint8_t prefix; /* default /32 or /128 */
	char interface[IF_NAMESIZE]; /* "" = vrrp's interface */
	struct xlb_cfg_pos pos;
	struct xlb_cfg_pos if_pos; /* where interface was given; line 0 = not given */
};

/* Something whose failure lowers the VRRP priority (keepalived's track_interface / track_script). */
struct xlb_cfg_track {
	char name[64];   /* an interface name, or a VIP's name */
	uint8_t is_vip;  /* 0: interface (down = link down), 1: VIP (down = no backend up) */
	uint8_t weight;  /* 1..254: subtracted from the priority while down; 0: down is FAULT */
	struct xlb_cfg_pos pos;
};

/* An instance's or sync group's name, as keepalived's: 1..31 of [A-Za-z0-9_.-]. */
#define XLB_CFG_NAME_SIZE 32
/* VRRP instances one xlbd runs: each has its own socket and timers. */
#define XLB_CFG_VRRP_MAX_INSTANCES 32

enum xlb_failover_mode {
	XLB_FAILOVER_NONE = 0,
	XLB_FAILOVER_VRRP,
	XLB_FAILOVER_ZK, /* ZooKeeper leader election (failover.zookeeper) */
};

/* keepalived's VRRP defaults: the parser's and xlb_vrrp_config_init()'s. */
#define XLB_VRRP_DEFAULT_PRIORITY 100
#define XLB_VRRP_DEFAULT_INTERVAL_CS 100 /* 1 s, as keepalived */
#define XLB_VRRP_DEFAULT_GARP_REPEAT 5
#define XLB_VRRP_DEFAULT_GARP_DELAY_MS 5000

/* vrrp.authentication's type: the advert's Auth Type (RFC 3768 5.3.6), as pair/vrrp_pkt.h's. */
enum xlb_cfg_vrrp_auth {
	XLB_CFG_VRRP_AUTH_NONE = 0,
	XLB_CFG_VRRP_AUTH_PASS = 1,
};

struct xlb_cfg_vrrp {
	char interface[IF_NAMESIZE]; /* required */
	uint8_t vrid;                /* 1..255, required */
	uint8_t priority;            /* 1..255; 255 = address owner; default 100 */
	uint16_t advert_cs;          /* advert_interval in cs: v3 1..4095, v2 100..25500 by 100s;
				      * default 100 (1s) */
	uint8_t preempt;             /* default 1 */
	uint32_t preempt_delay_ms;   /* 0..1h; default 0 */
	struct xlb_addr *unicast_peers; /* empty: multicast to 224.0.0.18 / ff02::12 */
	size_t n_unicast_peers;
	struct xlb_cfg_vaddr *vaddrs; /* virtual_addresses, required, one family */
	size_t n_vaddrs;
	uint32_t garp_repeat;        /* GARPs/NAs per burst on becoming master; default 5 */
	uint32_t garp_delay_ms;      /* second burst after becoming master; default 5000; 0 = none */
	uint32_t garp_refresh_ms;    /* periodic burst while master; default 0 = none */
	struct xlb_cfg_track *tracks;
	size_t n_tracks;
	char notify[512];            /* run on every state change; "" = none */
	uint8_t version;             /* 2 (RFC 3768) or 3 (RFC 5798); default 3 */
	uint8_t auth_type;           /* v2: enum xlb_cfg_vrrp_auth; default none */
	uint8_t auth_pass[8];        /* PASS: the password, zero-padded, as the advert carries it */
	uint8_t auth_pass_len;       /* 1..8 with PASS */
	uint8_t start_master;        /* keepalived's `state MASTER`; default 0 (BACKUP) */
	char name[XLB_CFG_NAME_SIZE]; /* keepalived's vrrp_instance NAME; default VI_<n>, 1-based */
	int sync_group;              /* index into sync_groups; -1: in none */
	struct xlb_cfg_pos pos;
};

/*
 * keepalived's vrrp_sync_group: instances that change state together, so a NAT pair's VIP on
 * the clients' side and the backends' gateway on theirs are always held by the same node.
 * Members are the instances whose sync_group is this one's index.
 */
struct xlb_cfg_sync_group {
	char name[XLB_CFG_NAME_SIZE];
	struct xlb_cfg_pos pos;
};

/* failover.zookeeper's defaults and bounds (the servers clamp to 2..20 of their tickTime). */
#define XLB_CFG_ZK_DEFAULT_SESSION_MS 4000
#define XLB_CFG_ZK_MIN_SESSION_MS 1000
#define XLB_CFG_ZK_MAX_SESSION_MS 120000

/*
 * ZooKeeper leader election: every node holds an ephemeral sequential znode under path/nodes/;
 * the lowest holds the virtual addresses and publishes itself at path/master.
 */
struct xlb_cfg_zk {
	char hosts[512];             /* "ADDR:PORT,...", as zookeeper_init() takes it; required */
	char path[256];              /* the election's znode, absolute; required */
	uint32_t session_timeout_ms; /* asked of the servers; default 4 s */
	char interface[IF_NAMESIZE]; /* where the addresses go and are announced; required */
	struct xlb_cfg_vaddr *vaddrs; /* virtual_addresses, required, one family */
	size_t n_vaddrs;
	char name[64];               /* this node in path/master; "" = the host name */
	struct xlb_cfg_pos pos;
};

struct xlb_cfg_sync {
	uint8_t enabled;             /* the sync mapping is present */
	struct xlb_addr listen_addr;
	uint16_t listen_port;        /* default 8849 */
	struct xlb_addr peer_addr;
	uint16_t peer_port;          /* default 8849 */
	char key_file[256];          /* required: 32 raw bytes or 64 hex characters, mode 0600 */
	struct xlb_cfg_pos pos;
};

/*
 * timeouts: how long an entry of the connection table may stay idle in each state before xlbd's
 * sweep retires it. LVS's defaults (ipvsadm --set tcp tcpfin udp), and its SYN_RECV's 60 s.
 */
#define XLB_CFG_DEFAULT_TCP_MS (900u * 1000)
#define XLB_CFG_DEFAULT_TCP_FIN_MS (120u * 1000)
#define XLB_CFG_DEFAULT_UDP_MS (300u * 1000)
#define XLB_CFG_DEFAULT_TCP_SYN_MS (60u * 1000)
#define XLB_CFG_TIMEOUTS_DEFAULT                                                          \
	((struct xlb_cfg_timeouts){ .tcp_ms = XLB_CFG_DEFAULT_TCP_MS,                      \
				    .tcp_fin_ms = XLB_CFG_DEFAULT_TCP_FIN_MS,              \
				    .udp_ms = XLB_CFG_DEFAULT_UDP_MS,                      \
				    .tcp_syn_ms = XLB_CFG_DEFAULT_TCP_SYN_MS })
/* The longest timeout or persistence_timeout: 30 days, in a u32 of ms. */
#define XLB_CFG_MAX_TIMEOUT_MS (30u * 24 * 3600 * 1000)

struct xlb_cfg_timeouts {
	uint32_t tcp_ms;     /* TCP established */
	uint32_t tcp_fin_ms; /* TCP after the client's FIN or RST */
	uint32_t udp_ms;     /* UDP */
	uint32_t tcp_syn_ms; /* TCP SYN seen, not proven; and pending persistence templates */
};

/* tun forwarding's outer source addresses: a tun backend's family needs its own. */
struct xlb_cfg_tunnel {
	struct xlb_addr source;  /* IPv4; family 0 = none */
	struct xlb_addr source6; /* IPv6; family 0 = none */
};

/*
 * announce: how an active fleet attracts its traffic, with no standby. With mode bgp xlbd keeps
 * a route to each VIP it can serve (a /32 or /128) in a kernel routing table of its own, which
 * BIRD's kernel protocol learns and exports over BGP (README, "An active fleet behind BGP").
 */
enum xlb_announce_mode {
	XLB_ANNOUNCE_NONE = 0, /* no announce section */
	XLB_ANNOUNCE_BGP,
};

/* Unassigned in <linux/rtnetlink.h>'s RTPROT_* list: `ip route` shows it as proto 252. */
#define XLB_ANNOUNCE_DEFAULT_PROTOCOL 252

struct xlb_cfg_announce {
	uint8_t mode;     /* enum xlb_announce_mode */
	uint32_t table;   /* the routing table xlbd owns: required; not 0, 253 (default), 254
			   * (main) or 255 (local) */
	uint8_t protocol; /* the routes' rtm_protocol, by which a restart knows its own; not 0,
			   * 1 (redirect), 2 (kernel) or 12 (BIRD's own); default 252 */
	uint32_t metric;  /* the routes' RTA_PRIORITY (BIRD's krt_metric); default 0 */
	struct xlb_cfg_pos pos;
};

/*
 * metrics: where xlbd serves Prometheus' text exposition format (README, "Scraping with
 * Prometheus"). The port is required: the one messages suggest is this.
 */
#define XLB_CFG_METRICS_EXAMPLE_PORT 9542

struct xlb_cfg_metrics {
	uint8_t enabled;             /* a metrics mapping with a valid listen address */
	struct xlb_addr listen_addr; /* the unspecified address: every address of the host */
	uint16_t listen_port;        /* required */
	struct xlb_cfg_pos pos;
};

struct xlb_config {
	char *path;
	struct xlb_cfg_iface *ifaces;
	size_t n_ifaces;
	uint32_t maglev_size; /* prime; default XLB_MAGLEV_DEFAULT_SIZE */
	struct xlb_cfg_vip *vips;
	size_t n_vips;
	char notify[512];         /* run by /bin/sh -c on every backend state change; "" = none */
	uint8_t failover_mode;    /* enum xlb_failover_mode */
	/* when failover_mode is vrrp: at least one; the node's role (flow sync, the standby's
	 * sweep) follows the first */
	struct xlb_cfg_vrrp *vrrps;
	size_t n_vrrps;
	struct xlb_cfg_sync_group *sync_groups;
	size_t n_sync_groups;
	struct xlb_cfg_zk *zk;    /* when failover_mode is zookeeper; NULL otherwise */
	struct xlb_cfg_sync sync; /* flow sync to the peer; optional */
	struct xlb_cfg_announce announce; /* routes for BGP; optional; excludes failover */
	struct xlb_cfg_tunnel tunnel; /* outer sources of tun VIPs; optional */
	struct xlb_cfg_timeouts timeouts; /* idle timeouts of the connection table */
	char control_socket[108]; /* unix socket for xlbctl; default XLB_CONTROL_SOCKET */
	struct xlb_cfg_metrics metrics; /* the Prometheus endpoint; optional */
};

#define XLB_CONTROL_SOCKET "/run/xlb/xlbd.sock"
/* Where xlbd pins its maps (--pin-dir) and xlbctl reads them: <root>/<ifname>/. */
#define XLB_PIN_ROOT "/sys/fs/bpf/xlb"

struct xlb_cfg_error {
	struct xlb_cfg_pos pos;
	char msg[320]; /* room for the longest "unknown key" list (vrrp's) */
};

struct xlb_cfg_errors {
	struct xlb_cfg_error *v;
	size_t n;
};

/*
 * Parse and validate. On success returns 0 and fills *cfg (free with xlb_cfg_free()). On a bad
 * config returns -EINVAL with every error found in *errs (free with xlb_cfg_errors_free());
 * other failures return -errno (-ENOENT for a missing file, ...). `name` is what messages call
 * the file.
 */
int xlb_cfg_parse_file(const char *path, struct xlb_config *cfg, struct xlb_cfg_errors *errs);
int xlb_cfg_parse_string(const char *name, const char *text, size_t len, struct xlb_config *cfg,
			 struct xlb_cfg_errors *errs);
void xlb_cfg_free(struct xlb_config *cfg);
void xlb_cfg_errors_free(struct xlb_cfg_errors *errs);
/*
 * Add an error found after parsing, by a check the config cannot make itself (xlbd's, against
 * the kernel's routes): 0, or -ENOMEM and the list as it was.
 */
int xlb_cfg_errors_add(struct xlb_cfg_errors *errs, struct xlb_cfg_pos at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Print each error as "file:line:col: message\n". */
void xlb_cfg_errors_print(const struct xlb_cfg_errors *errs, const char *name, FILE *out);

#endif /* XLB_CONFIG_H */
