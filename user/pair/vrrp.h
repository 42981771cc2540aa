/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One VRRPv3 (or VRRPv2, RFC 3768) virtual router: the RFC 5798 6.4 state machine (Initialize, Backup, Master) with
 * keepalived 2.2's choices where the RFC leaves room (answer a lower-priority master with an
 * advert and GARPs, preempt_delay, tracking penalties, a second GARP burst after
 * garp_delay). Timers are xlb_loop timers; every packet and address change goes through the
 * owner's callbacks (struct xlb_vrrp_ops), so the socket/netlink side lives elsewhere and the
 * state machine runs against fakes in tests.
 *
 * Receive path for the owner: IPv4 raw socket -> xlb_vrrp_ip4_parse() -> xlb_vrrp_input();
 * IPv6 raw socket (hop limit from IPV6_RECVHOPLIMIT, destination from IPV6_RECVPKTINFO: the
 * checksum covers both addresses) -> xlb_vrrp_input(). Several routers on one socket: call
 * xlb_vrrp_input() on each, or decode once and hand the advert to the one with its VRID
 * through xlb_vrrp_rx_advert().
 */
#ifndef XLB_VRRP_H
#define XLB_VRRP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/loop.h"
#include "config/config.h"
#include "pair/vrrp_pkt.h"

struct xlb_vrrp;

#define XLB_VRRP_PRIO_OWNER 255
#define XLB_VRRP_PRIO_STOP 0

enum xlb_vrrp_state {
	XLB_VRRP_INIT = 0, /* not started, or stopped */
	XLB_VRRP_BACKUP,
	XLB_VRRP_MASTER,
};

struct xlb_vrrp_config {
	uint8_t vrid;                /* 1..255 */
	uint8_t priority;            /* 1..255; 255 = address owner: master at once */
	uint8_t family;              /* enum xlb_family of adverts and VIPs */
	bool preempt;                /* a higher-priority backup takes over from a live master */
	uint16_t advert_interval_cs; /* 1..4095 centiseconds */
	uint32_t preempt_delay_ms;   /* after start, a backup waits this long before preempting */
	uint32_t garp_repeat;        /* GARP/NA rounds back to back on becoming master */
	uint32_t garp_delay_ms;      /* second burst this long after becoming master; 0 = none */
	uint32_t garp_refresh_ms;    /* one round every this while master; 0 = none */
	struct xlb_addr local;       /* our primary address: advert source; breaks priority ties */
	const struct xlb_addr *vips; /* the virtual addresses, copied by xlb_vrrp_init() */
	size_t n_vips;               /* 1..255 */
	/*
	 * Unicast peers: when set, adverts are taken only from these sources (copied by
	 * xlb_vrrp_init()); a source is spoofable on the link, so this narrows, not authenticates.
	 */
	const struct xlb_addr *peers;
	size_t n_peers;              /* 0 = any source on the link */
	/*
	 * RFC 3768 (VRRPv2) instead of RFC 5798: IPv4 only, advert_interval_cs a whole number of
	 * seconds (100..25500), adverts of the other version refused (_VERSION), a v2 advert with
	 * another Adver Int refused (_INTERVAL, RFC 3768 7.1, as keepalived), Skew_Time
	 * (256 - priority) / 256 s whatever the interval. auth_type other than NONE with v3: -EINVAL.
	 */
	uint8_t version;             /* XLB_VRRP_V2 or XLB_VRRP_V3 (0 = 3) */
	uint8_t auth_type;           /* v2: XLB_VRRP_AUTH_NONE or _PASS; adverts must match */
	uint8_t auth_data[XLB_VRRP_AUTH_LEN]; /* PASS: the password, zero-padded, compared whole */
	/*
	 * keepalived's `state MASTER`, as 2.2.7 does it (vrrp_complete_instance, vrrp_init_state;
	 * checked against the real daemon, see tests/data/keepalived-2.2.7/README.md): for a
	 * non-owner it does NOT take over at once. preempt is forced on and preempt_delay
	 * dropped (keepalived clears both with a warning; so does xlb_vrrp_init()); the router
	 * starts in Backup, sends nothing and becomes Master after a normal Master_Down_Interval
	 * unless it hears a master. Only the owner (255) is Master at once, as without the flag.
	 * (In a keepalived sync group whose state is BACKUP the first down timer of a `state
	 * MASTER` member is one interval + the minimal skew; that is the sync group's business.)
	 */
	bool start_master;
};

/*
 * What the owner does for the state machine. Called from loop callbacks: none may block, and
 * none may call back into this router (the owner defers through a timer if it must). A NULL
 * member is a no-op. Non-zero returns are counted and logged, never retried.
 */
struct xlb_vrrp_ops {
	/*
	 * Send one advert: VRID, this priority (0 on a graceful stop; otherwise the effective
	 * priority), cfg.advert_interval_cs and the VIPs; xlb_vrrp_fill_advert() and
	 * xlb_vrrp_encode() build it.
	 */
	int (*send_advert)(struct xlb_vrrp *vr, uint8_t priority, void *arg);
	/* Add the VIPs to the interface. */
	int (*become_master)(struct xlb_vrrp *vr, void *arg);
	/* Remove the VIPs; must be idempotent (also called on start, to clear a crashed run's). */
	int (*become_backup)(struct xlb_vrrp *vr, void *arg);
	/* One round of gratuitous ARP (IPv4) or unsolicited NA (IPv6) for every VIP. */
	int (*send_garp)(struct xlb_vrrp *vr, void *arg);
	/* "MASTER", "BACKUP" or "STOP", after the transition is done. */
	void (*notify)(struct xlb_vrrp *vr, const char *state, void *arg);
};

/* Counters for `xlbctl state`; never reset while the router lives. */
struct xlb_vrrp_stats {
	uint64_t tx_adverts;   /* adverts handed to send_advert, priority 0 included */
	uint64_t tx_prio0;     /* of which priority 0 (graceful stop) */
	uint64_t tx_errors;    /* send_advert or send_garp returned an error */
	uint64_t op_errors;    /* become_master or become_backup returned an error */
	uint64_t garp_rounds;  /* send_garp calls */
	uint64_t rx_adverts;   /* adverts that passed every check */
	uint64_t rx_prio0;     /* of which priority 0 */
	uint64_t rx_self;      /* our own address as source (looped back): ignored */
	uint64_t rx_rejected[XLB_VRRP_E_MAX]; /* per reason; _VRID counts other routers' adverts */
	uint64_t to_master;    /* transitions into Master */
	uint64_t to_backup;    /* transitions into Backup */
};

struct xlb_vrrp {
	struct xlb_vrrp_config cfg;    /* cfg.vips points at our own copy */
	const struct xlb_vrrp_ops *ops;
	void *ops_arg;
	struct xlb_loop *loop;

	enum xlb_vrrp_state state;
	uint64_t state_since_ns;       /* CLOCK_MONOTONIC when the state was entered */
	uint8_t eff_priority;          /* priority minus penalty, what adverts carry */
	uint32_t penalty;              /* last xlb_vrrp_set_penalty() total */
	uint16_t master_adver_int_cs;  /* Master_Adver_Interval: learned from the master */
	struct xlb_addr master_addr;   /* current master (ours when Master); family 0 = unknown */
	uint8_t master_priority;       /* its advertised priority */
	uint64_t preempt_until_ns;     /* preemption held off until then; 0 = not held */
	uint64_t adver_next_ns;        /* ideal time of the next advert: re-arming cannot drift */

	struct xlb_timer adver_timer;  /* Master: Adver_Timer */
	struct xlb_timer down_timer;   /* Backup: Master_Down_Timer */
	struct xlb_timer garp_timer;   /* Master: the delayed second GARP burst */
	struct xlb_timer refresh_timer; /* Master: periodic GARP refresh */

	uint64_t rej_logged_ns[XLB_VRRP_E_MAX]; /* rate limit of rejection warnings */
	uint64_t lower_logged_ns;      /* rate limit of "answering a lower master" */
	struct xlb_vrrp_stats stats;
};

/* Defaults: priority 100, interval 100 cs, preempt, garp 5 rounds, second burst after 5 s. */
void xlb_vrrp_config_init(struct xlb_vrrp_config *cfg);

/* Validate cfg and copy it (VIPs included). Returns 0, -EINVAL or -ENOMEM. State INIT. */
int xlb_vrrp_init(struct xlb_vrrp *vr, struct xlb_loop *loop, const struct xlb_vrrp_config *cfg,
		  const struct xlb_vrrp_ops *ops, void *arg);
/* Stop (not gracefully) if running and free the copy. */
void xlb_vrrp_fini(struct xlb_vrrp *vr);

/*
 * Leave Initialize: the owner (255) sends an advert, takes the VIPs and is Master at once;
 * anyone else (start_master too) calls become_backup and waits Master_Down_Interval. 0 or
 * -EALREADY.
 */
int xlb_vrrp_start(struct xlb_vrrp *vr);
/*
 * Back to Initialize. A Master removes its VIPs (become_backup); graceful also sends a
 * priority-0 advert first so a backup takes over after Skew_Time instead of
 * Master_Down_Interval. Notifies "STOP". No-op when not running.
 */
void xlb_vrrp_stop(struct xlb_vrrp *vr, bool graceful);

/*
 * A received packet's VRRP part: byte 1 (the VRID in both versions) first, so another router's
 * advert of either version is _VRID and nothing else; then xlb_vrrp_decode() and
 * xlb_vrrp_rx_advert(). Returns 0 or the negated reason, already counted in stats.rx_rejected.
 */
int xlb_vrrp_input(struct xlb_vrrp *vr, const uint8_t *buf, size_t len, const struct xlb_addr *src,
		   const struct xlb_addr *dst, uint8_t ttl_or_hoplimit);
/*
 * A decoded advert from src: VRID (another router's: -XLB_VRRP_E_VRID, silently), version
 * (not ours: _VERSION), v2 auth type or any of the 8 auth bytes differing (_AUTH), family,
 * source (one of cfg.peers when there are any: else -XLB_VRRP_E_SOURCE), interval, address
 * count and every VIP present, then RFC 5798 6.4.2 / 6.4.3. Returns 0 or the negated reason,
 * counted.
 */
int xlb_vrrp_rx_advert(struct xlb_vrrp *vr, const struct xlb_vrrp_advert *a,
		       const struct xlb_addr *src);

/*
 * For a sync group (its members change state together): move a running router to Master
 * (as if its Master_Down_Timer had fired: advert, become_master, GARPs) or to Backup (as if a
 * higher-priority advert had come: become_backup, Master_Down_Timer armed). No-op when already
 * in that state; -EINVAL for INIT (stopped) or another target. The caller defers it out of the
 * router's own callbacks.
 */
int xlb_vrrp_set_state(struct xlb_vrrp *vr, enum xlb_vrrp_state want);

/*
 * Total of the active tracking penalties. The effective priority becomes priority - total,
 * clamped to 1..254; an address owner stays 255. A Master whose priority changes sends an
 * advert at once. Returns 0.
 */
int xlb_vrrp_set_penalty(struct xlb_vrrp *vr, uint32_t total);

/* The advert this router sends with this priority, for the owner's send_advert. */
void xlb_vrrp_fill_advert(const struct xlb_vrrp *vr, uint8_t priority, struct xlb_vrrp_advert *out);

/* Skew_Time and Master_Down_Interval now, in ns (effective priority, learned interval). */
uint64_t xlb_vrrp_skew_ns(const struct xlb_vrrp *vr);
uint64_t xlb_vrrp_master_down_ns(const struct xlb_vrrp *vr);

const char *xlb_vrrp_state_str(enum xlb_vrrp_state state);

#endif /* XLB_VRRP_H */
