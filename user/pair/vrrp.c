// SPDX-License-Identifier: GPL-2.0-only
/* The RFC 5798 6.4 state machine of one virtual router; see vrrp.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/addr.h"
#include "common/log.h"
#include "pair/vrrp.h"

#define NS_PER_MS 1000000ull
#define NS_PER_CS 10000000ull
/* A flood of adverts must not flood the log: one line per kind per 10 s, the rest at debug. */
#define LOG_EVERY_NS (10 * 1000 * NS_PER_MS)

static size_t addr_size(uint8_t family)
{
	return family == XLB_FAMILY_V4 ? 4 : family == XLB_FAMILY_V6 ? 16 : 0;
}

/* Unsigned comparison in network order, as RFC 5798 6.4.3 orders primary addresses. */
static int addr_cmp(const struct xlb_addr *a, const struct xlb_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->w, b->w, addr_size(a->family));
}

const char *xlb_vrrp_state_str(enum xlb_vrrp_state state)
{
	switch (state) {
	case XLB_VRRP_INIT:
		return "INIT";
	case XLB_VRRP_BACKUP:
		return "BACKUP";
	case XLB_VRRP_MASTER:
		return "MASTER";
	}
	return "?";
}

static uint8_t effective_priority(const struct xlb_vrrp *vr)
{
	uint32_t p = vr->cfg.priority;

	/* keepalived never lowers an address owner: it owns the addresses whatever it tracks. */
	if (p == XLB_VRRP_PRIO_OWNER)
		return XLB_VRRP_PRIO_OWNER;
	/* Priority 0 means "leaving" on the wire, so a penalty can take us down to 1, not 0. */
	if (vr->penalty >= p)
		return 1;
	return (uint8_t)(p - vr->penalty);
}

uint64_t xlb_vrrp_skew_ns(const struct xlb_vrrp *vr)
{
	/* RFC 3768 6.1: (256 - Priority) / 256 seconds, whatever the interval */
	if (vr->cfg.version == XLB_VRRP_V2)
		return (256 - (uint64_t)vr->eff_priority) * 1000 * NS_PER_MS / 256;
	/* RFC 5798 6.1: ((256 - Priority) * Master_Adver_Interval) / 256; in ns, not whole cs */
	return (256 - (uint64_t)vr->eff_priority) * vr->master_adver_int_cs * NS_PER_CS / 256;
}

uint64_t xlb_vrrp_master_down_ns(const struct xlb_vrrp *vr)
{
	return 3 * vr->master_adver_int_cs * NS_PER_CS + xlb_vrrp_skew_ns(vr);
}

static void arm_in(struct xlb_vrrp *vr, struct xlb_timer *t, uint64_t delay_ns)
{
	int err = xlb_timer_arm(vr->loop, t, delay_ns);

	if (err)
		pr_err("vrrp %u: cannot arm a timer: %s", vr->cfg.vrid, strerror(-err));
}

static void cancel_master_timers(struct xlb_vrrp *vr)
{
	xlb_timer_cancel(vr->loop, &vr->adver_timer);
	xlb_timer_cancel(vr->loop, &vr->garp_timer);
	xlb_timer_cancel(vr->loop, &vr->refresh_timer);
}

static void do_send_advert(struct xlb_vrrp *vr, uint8_t priority)
{
	int err = 0;

	vr->stats.tx_adverts++;
	if (!priority)
		vr->stats.tx_prio0++;
	if (vr->ops->send_advert)
		err = vr->ops->send_advert(vr, priority, vr->ops_arg);
	if (err) {
		vr->stats.tx_errors++;
		pr_debug("vrrp %u: sending an advert failed: %s", vr->cfg.vrid, strerror(-err));
	}
}

static void garp_burst(struct xlb_vrrp *vr, uint32_t rounds)
{
	int err;

	for (; rounds && vr->ops->send_garp; rounds--) {
		vr->stats.garp_rounds++;
		err = vr->ops->send_garp(vr, vr->ops_arg);
		if (err)
			vr->stats.tx_errors++;
	}
}

static void do_op(struct xlb_vrrp *vr, int (*op)(struct xlb_vrrp *, void *), const char *what)
{
	int err;

	if (!op)
		return;
	err = op(vr, vr->ops_arg);
	if (err) {
		vr->stats.op_errors++;
		pr_err("vrrp %u: %s failed: %s", vr->cfg.vrid, what,
		       strerror(err < 0 ? -err : err));
	}
}

static void do_notify(struct xlb_vrrp *vr, const char *state)
{
	if (vr->ops->notify)
		vr->ops->notify(vr, state, vr->ops_arg);
}

/*
 * Arm the Adver_Timer one interval after `from` (the previous ideal deadline, or now). Counting
 * from the deadline rather than from when the callback ran keeps the adverts from drifting
 * late under load; after a stall longer than an interval we skip ahead instead of bursting.
 */
static void adver_schedule(struct xlb_vrrp *vr, uint64_t from)
{
	uint64_t now = xlb_now_ns(), iv = vr->cfg.advert_interval_cs * NS_PER_CS;

	vr->adver_next_ns = from + iv;
	if (vr->adver_next_ns <= now)
		vr->adver_next_ns = now + iv;
	arm_in(vr, &vr->adver_timer, vr->adver_next_ns - now);
}

static void enter_master(struct xlb_vrrp *vr, const char *why)
{
	uint64_t now = xlb_now_ns();

	xlb_timer_cancel(vr->loop, &vr->down_timer);
	vr->state = XLB_VRRP_MASTER;
	vr->state_since_ns = now;
	vr->stats.to_master++;
	vr->master_adver_int_cs = vr->cfg.advert_interval_cs;
	vr->master_addr = vr->cfg.local;
	vr->master_priority = vr->eff_priority;
	vr->preempt_until_ns = 0;
	pr_info("vrrp %u: entering MASTER (%s), priority %u", vr->cfg.vrid, why, vr->eff_priority);

	/*
	 * Advert first: a lower-priority master that still holds the VIPs hears it and lets go
	 * before our GARPs land, as keepalived orders it.
	 */
	do_send_advert(vr, vr->eff_priority);
	do_op(vr, vr->ops->become_master, "become_master");
	garp_burst(vr, vr->cfg.garp_repeat);
	adver_schedule(vr, now);
	if (vr->cfg.garp_delay_ms)
		arm_in(vr, &vr->garp_timer, vr->cfg.garp_delay_ms * NS_PER_MS);
	if (vr->cfg.garp_refresh_ms)
		arm_in(vr, &vr->refresh_timer, vr->cfg.garp_refresh_ms * NS_PER_MS);
	do_notify(vr, "MASTER");
}

/* master: who we now defer to (NULL on start: nobody heard yet). */
static void enter_backup(struct xlb_vrrp *vr, uint16_t interval_cs, const struct xlb_addr *master,
			 uint8_t master_priority, const char *why)
{
	char buf[INET6_ADDRSTRLEN];

	cancel_master_timers(vr);
	vr->state = XLB_VRRP_BACKUP;
	vr->state_since_ns = xlb_now_ns();
	vr->stats.to_backup++;
	vr->master_adver_int_cs = interval_cs;
	if (master)
		vr->master_addr = *master;
	else
		memset(&vr->master_addr, 0, sizeof(vr->master_addr));
	vr->master_priority = master_priority;
	if (master)
		pr_info("vrrp %u: entering BACKUP (%s), master %s priority %u", vr->cfg.vrid, why,
			xlb_addr_str(master, buf, sizeof(buf)), master_priority);
	else
		pr_info("vrrp %u: entering BACKUP (%s)", vr->cfg.vrid, why);

	do_op(vr, vr->ops->become_backup, "become_backup");
	arm_in(vr, &vr->down_timer, xlb_vrrp_master_down_ns(vr));
	do_notify(vr, "BACKUP");
}

static void adver_timer_cb(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct xlb_vrrp *vr = t->arg;

	(void)loop;
	if (vr->state != XLB_VRRP_MASTER)
		return;
	do_send_advert(vr, vr->eff_priority);
	adver_schedule(vr, vr->adver_next_ns);
}

static void down_timer_cb(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct xlb_vrrp *vr = t->arg;

	(void)loop;
	if (vr->state == XLB_VRRP_BACKUP)
		enter_master(vr, "master down");
}

static void garp_timer_cb(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct xlb_vrrp *vr = t->arg;

	(void)loop;
	if (vr->state == XLB_VRRP_MASTER)
		garp_burst(vr, vr->cfg.garp_repeat);
}

static void refresh_timer_cb(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct xlb_vrrp *vr = t->arg;

	(void)loop;
	if (vr->state != XLB_VRRP_MASTER)
		return;
	garp_burst(vr, 1);
	arm_in(vr, &vr->refresh_timer, vr->cfg.garp_refresh_ms * NS_PER_MS);
}

void xlb_vrrp_config_init(struct xlb_vrrp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->priority = XLB_VRRP_DEFAULT_PRIORITY;
	cfg->family = XLB_FAMILY_V4;
	cfg->preempt = true;
	cfg->advert_interval_cs = XLB_VRRP_DEFAULT_INTERVAL_CS;
	cfg->garp_repeat = XLB_VRRP_DEFAULT_GARP_REPEAT;
	cfg->garp_delay_ms = XLB_VRRP_DEFAULT_GARP_DELAY_MS;
}

static int config_check(const struct xlb_vrrp_config *cfg)
{
	size_t i;

	if (!cfg->vrid || !cfg->priority || !addr_size(cfg->family))
		return -EINVAL;
	if (!cfg->advert_interval_cs ||
	    (cfg->version != XLB_VRRP_V2 && cfg->advert_interval_cs > XLB_VRRP_INTERVAL_MAX_CS))
		return -EINVAL;
	/* RFC 5798 5.2.5: at least one address; the count field holds at most 255 */
	if (!cfg->n_vips || cfg->n_vips > XLB_VRRP_MAX_ADDRS || !cfg->vips)
		return -EINVAL;
	/* the tie-break between equal priorities needs our own address */
	if (cfg->local.family != cfg->family)
		return -EINVAL;
	for (i = 0; i < cfg->n_vips; i++)
		if (cfg->vips[i].family != cfg->family)
			return -EINVAL;
	if (cfg->n_peers && !cfg->peers)
		return -EINVAL;
	if (cfg->version == XLB_VRRP_V2) {
		/* RFC 3768: IPv4 only, Adver Int in whole seconds (8 bits) */
		if (cfg->family != XLB_FAMILY_V4 || cfg->advert_interval_cs % 100 ||
		    cfg->advert_interval_cs > XLB_VRRP_V2_INTERVAL_MAX_S * 100)
			return -EINVAL;
		if (cfg->auth_type != XLB_VRRP_AUTH_NONE && cfg->auth_type != XLB_VRRP_AUTH_PASS)
			return -EINVAL;
	} else if (cfg->version && cfg->version != XLB_VRRP_V3) {
		return -EINVAL;
	} else if (cfg->auth_type != XLB_VRRP_AUTH_NONE) {
		return -EINVAL; /* RFC 5798 removed authentication */
	}
	for (i = 0; i < cfg->n_peers; i++)
		if (cfg->peers[i].family != cfg->family)
			return -EINVAL;
	return 0;
}

static struct xlb_addr *addrs_dup(const struct xlb_addr *a, size_t n)
{
	struct xlb_addr *copy = calloc(n ? n : 1, sizeof(*copy));

	if (copy && n)
		memcpy(copy, a, n * sizeof(*copy));
	return copy;
}

int xlb_vrrp_init(struct xlb_vrrp *vr, struct xlb_loop *loop, const struct xlb_vrrp_config *cfg,
		  const struct xlb_vrrp_ops *ops, void *arg)
{
	struct xlb_addr *vips, *peers;
	int err;

	memset(vr, 0, sizeof(*vr));
	err = config_check(cfg);
	if (err)
		return err;
	vips = addrs_dup(cfg->vips, cfg->n_vips);
	peers = addrs_dup(cfg->peers, cfg->n_peers);
	if (!vips || !peers) {
		free(vips);
		free(peers);
		return -ENOMEM;
	}
	vr->cfg = *cfg;
	vr->cfg.vips = vips;
	vr->cfg.peers = peers;
	if (!vr->cfg.version)
		vr->cfg.version = XLB_VRRP_V3;
	if (vr->cfg.auth_type == XLB_VRRP_AUTH_NONE)
		memset(vr->cfg.auth_data, 0, sizeof(vr->cfg.auth_data));
	if (cfg->start_master && cfg->priority != XLB_VRRP_PRIO_OWNER &&
	    (!cfg->preempt || cfg->preempt_delay_ms)) {
		/* keepalived 2.2.7 clears both for `state MASTER`, with a warning */
		pr_warn("vrrp %u: start_master: preempt forced on, preempt_delay ignored", cfg->vrid);
		vr->cfg.preempt = true;
		vr->cfg.preempt_delay_ms = 0;
	}
	vr->ops = ops;
	vr->ops_arg = arg;
	vr->loop = loop;
	vr->state = XLB_VRRP_INIT;
	vr->state_since_ns = xlb_now_ns();
	vr->eff_priority = effective_priority(vr);
	vr->master_adver_int_cs = cfg->advert_interval_cs;
	xlb_timer_init(&vr->adver_timer, adver_timer_cb, vr);
	xlb_timer_init(&vr->down_timer, down_timer_cb, vr);
	xlb_timer_init(&vr->garp_timer, garp_timer_cb, vr);
	xlb_timer_init(&vr->refresh_timer, refresh_timer_cb, vr);
	return 0;
}

void xlb_vrrp_fini(struct xlb_vrrp *vr)
{
	if (!vr->loop)
		return;
	xlb_vrrp_stop(vr, false);
	free((void *)vr->cfg.vips);
	free((void *)vr->cfg.peers);
	memset(vr, 0, sizeof(*vr));
}

int xlb_vrrp_start(struct xlb_vrrp *vr)
{
	if (vr->state != XLB_VRRP_INIT)
		return -EALREADY;
	vr->eff_priority = effective_priority(vr);
	if (vr->eff_priority == XLB_VRRP_PRIO_OWNER) {
		enter_master(vr, "address owner");
		return 0;
	}
	/* keepalived counts preempt_delay from startup as well as from a lower master's advert */
	vr->preempt_until_ns = vr->cfg.preempt_delay_ms ?
		xlb_now_ns() + vr->cfg.preempt_delay_ms * NS_PER_MS : 0;
	enter_backup(vr, vr->cfg.advert_interval_cs, NULL, 0, "startup");
	return 0;
}

void xlb_vrrp_stop(struct xlb_vrrp *vr, bool graceful)
{
	if (vr->state == XLB_VRRP_INIT)
		return;
	cancel_master_timers(vr);
	xlb_timer_cancel(vr->loop, &vr->down_timer);
	if (vr->state == XLB_VRRP_MASTER) {
		if (graceful)
			do_send_advert(vr, XLB_VRRP_PRIO_STOP);
		do_op(vr, vr->ops->become_backup, "become_backup");
	}
	pr_info("vrrp %u: stopped in %s%s", vr->cfg.vrid, xlb_vrrp_state_str(vr->state),
		graceful ? ", priority 0 sent" : "");
	vr->state = XLB_VRRP_INIT;
	vr->state_since_ns = xlb_now_ns();
	vr->preempt_until_ns = 0;
	memset(&vr->master_addr, 0, sizeof(vr->master_addr));
	vr->master_priority = 0;
	do_notify(vr, "STOP");
}

/* Whether a rate-limited line is due; *last is when it was last written (0 = never). */
static bool log_due(uint64_t *last)
{
	uint64_t now = xlb_now_ns();

	if (*last && now - *last < LOG_EVERY_NS)
		return false;
	*last = now;
	return true;
}

static int reject(struct xlb_vrrp *vr, int reason, const struct xlb_addr *src)
{
	char buf[INET6_ADDRSTRLEN];

	vr->stats.rx_rejected[reason]++;
	if (reason == XLB_VRRP_E_VRID)
		return -reason; /* another router on the segment: normal, not worth a line */
	if (log_due(&vr->rej_logged_ns[reason])) {
		pr_warn("vrrp %u: advert from %s rejected: %s (repeats for 10 s at debug level)",
			vr->cfg.vrid, xlb_addr_str(src, buf, sizeof(buf)), xlb_vrrp_err_str(reason));
	} else {
		pr_debug("vrrp %u: advert from %s rejected: %s", vr->cfg.vrid,
			 xlb_addr_str(src, buf, sizeof(buf)), xlb_vrrp_err_str(reason));
	}
	return -reason;
}

static bool advert_has(const struct xlb_vrrp_advert *a, const struct xlb_addr *vip)
{
	unsigned int i;

	for (i = 0; i < a->n_addrs; i++)
		if (!addr_cmp(&a->addrs[i], vip))
			return true;
	return false;
}

/* Without unicast peers anyone on the link may speak (RFC 5798); with them, only they. */
static bool source_allowed(const struct xlb_vrrp *vr, const struct xlb_addr *src)
{
	size_t i;

	if (!vr->cfg.n_peers || !addr_cmp(src, &vr->cfg.local))
		return true;
	for (i = 0; i < vr->cfg.n_peers; i++)
		if (!addr_cmp(src, &vr->cfg.peers[i]))
			return true;
	return false;
}

/* RFC 5798 6.4.2, with keepalived's preempt_delay. */
static void backup_rx(struct xlb_vrrp *vr, const struct xlb_vrrp_advert *a,
		      const struct xlb_addr *src)
{
	uint64_t now = xlb_now_ns();
	bool held = vr->cfg.preempt_delay_ms &&
		    (!vr->preempt_until_ns || now < vr->preempt_until_ns);
	char buf[INET6_ADDRSTRLEN];

	if (!a->priority) {
		/* the master is leaving: take over after Skew_Time, the highest backup first */
		arm_in(vr, &vr->down_timer, xlb_vrrp_skew_ns(vr));
		return;
	}
	vr->master_addr = *src;
	vr->master_priority = a->priority;
	if (!vr->cfg.preempt || a->priority >= vr->eff_priority || held) {
		vr->master_adver_int_cs = a->interval_cs;
		arm_in(vr, &vr->down_timer, xlb_vrrp_master_down_ns(vr));
		if (!vr->cfg.preempt_delay_ms)
			return;
		/* the delay runs from the first lower advert and restarts after a higher one */
		if (a->priority >= vr->eff_priority)
			vr->preempt_until_ns = 0;
		else if (!vr->preempt_until_ns)
			vr->preempt_until_ns = now + vr->cfg.preempt_delay_ms * NS_PER_MS;
		return;
	}
	/*
	 * Lower priority and we may preempt: discard it, so the Master_Down_Timer is not reset
	 * and runs out; then we advertise our higher priority and the old master yields.
	 */
	pr_debug("vrrp %u: lower priority %u advert from %s discarded, preempting", vr->cfg.vrid,
		 a->priority, xlb_addr_str(src, buf, sizeof(buf)));
}

/* RFC 5798 6.4.3, with keepalived's answer to a lower-priority master. */
static void master_rx(struct xlb_vrrp *vr, const struct xlb_vrrp_advert *a,
		      const struct xlb_addr *src)
{
	int cmp = addr_cmp(src, &vr->cfg.local);
	char buf[INET6_ADDRSTRLEN];

	if (!a->priority) {
		/* someone else stepped down: assert ourselves now so nobody's skew timer fires */
		do_send_advert(vr, vr->eff_priority);
		adver_schedule(vr, xlb_now_ns());
		return;
	}
	if (a->priority > vr->eff_priority || (a->priority == vr->eff_priority && cmp > 0)) {
		enter_backup(vr, a->interval_cs, src, a->priority,
			     a->priority > vr->eff_priority ? "higher priority advert" :
							      "equal priority, higher address");
		return;
	}
	if (a->priority == XLB_VRRP_PRIO_OWNER)
		pr_warn("vrrp %u: %s also claims to own the addresses (priority 255); the higher "
			"address wins, fix the configuration", vr->cfg.vrid,
			xlb_addr_str(src, buf, sizeof(buf)));
	/*
	 * A lower-priority master (e.g. after a partition healed): answer at once with our advert
	 * so it yields now rather than at its next advert, and GARP so the switches and hosts
	 * that followed it come back to us. keepalived does both; split brain converges in one
	 * round trip.
	 */
	if (log_due(&vr->lower_logged_ns))
		pr_info("vrrp %u: lower priority %u advert from %s, answering (repeats for 10 s at "
			"debug level)", vr->cfg.vrid, a->priority,
			xlb_addr_str(src, buf, sizeof(buf)));
	else
		pr_debug("vrrp %u: lower priority %u advert from %s, answering", vr->cfg.vrid,
			 a->priority, xlb_addr_str(src, buf, sizeof(buf)));
	do_send_advert(vr, vr->eff_priority);
	garp_burst(vr, vr->cfg.garp_repeat);
}

int xlb_vrrp_rx_advert(struct xlb_vrrp *vr, const struct xlb_vrrp_advert *a,
		       const struct xlb_addr *src)
{
	size_t i;

	if (a->vrid != vr->cfg.vrid)
		return reject(vr, XLB_VRRP_E_VRID, src);
	if ((a->version ? a->version : XLB_VRRP_V3) != vr->cfg.version)
		return reject(vr, XLB_VRRP_E_VERSION, src);
	/* keepalived compares all 8 bytes of the password, so do we (PASS is no secret anyway) */
	if (vr->cfg.version == XLB_VRRP_V2 &&
	    (a->auth_type != vr->cfg.auth_type ||
	     (a->auth_type == XLB_VRRP_AUTH_PASS &&
	      memcmp(a->auth_data, vr->cfg.auth_data, XLB_VRRP_AUTH_LEN))))
		return reject(vr, XLB_VRRP_E_AUTH, src);
	if (a->family != vr->cfg.family || src->family != vr->cfg.family)
		return reject(vr, XLB_VRRP_E_FAMILY, src);
	if (!source_allowed(vr, src))
		return reject(vr, XLB_VRRP_E_SOURCE, src);
	if (!a->interval_cs || a->interval_cs > XLB_VRRP_V2_INTERVAL_MAX_S * 100 ||
	    (vr->cfg.version == XLB_VRRP_V3 && a->interval_cs > XLB_VRRP_INTERVAL_MAX_CS))
		return reject(vr, XLB_VRRP_E_INTERVAL, src);
	/* RFC 3768 7.1 (and keepalived): a v2 Adver Int must be ours, else two masters */
	if (vr->cfg.version == XLB_VRRP_V2 && a->interval_cs != vr->cfg.advert_interval_cs)
		return reject(vr, XLB_VRRP_E_INTERVAL, src);
	/*
	 * RFC 5798 7.1 "MAY verify" the addresses; keepalived does, and so do we: peers that
	 * disagree on the VIP list must not silently fight over them.
	 */
	if (a->n_addrs != vr->cfg.n_vips)
		return reject(vr, XLB_VRRP_E_ADDR_COUNT, src);
	for (i = 0; i < vr->cfg.n_vips; i++)
		if (!advert_has(a, &vr->cfg.vips[i]))
			return reject(vr, XLB_VRRP_E_ADDR_MISMATCH, src);

	if (!addr_cmp(src, &vr->cfg.local)) {
		vr->stats.rx_self++; /* our own advert looped back */
		return 0;
	}
	vr->stats.rx_adverts++;
	if (!a->priority)
		vr->stats.rx_prio0++;
	if (vr->state == XLB_VRRP_BACKUP)
		backup_rx(vr, a, src);
	else if (vr->state == XLB_VRRP_MASTER)
		master_rx(vr, a, src);
	return 0;
}

int xlb_vrrp_input(struct xlb_vrrp *vr, const uint8_t *buf, size_t len, const struct xlb_addr *src,
		   const struct xlb_addr *dst, uint8_t ttl_or_hoplimit)
{
	struct xlb_vrrp_advert a;
	int err;

	/*
	 * Byte 1 is the VRID in both versions: another router's advert, of either version, is
	 * ignored before anything else is checked, so v2 and v3 routers can share a segment.
	 */
	if (len >= 2 && buf[1] != vr->cfg.vrid)
		return reject(vr, XLB_VRRP_E_VRID, src);
	err = xlb_vrrp_decode(buf, len, src, dst, ttl_or_hoplimit, &a);
	if (err)
		return reject(vr, -err, src);
	return xlb_vrrp_rx_advert(vr, &a, src);
}

int xlb_vrrp_set_penalty(struct xlb_vrrp *vr, uint32_t total)
{
	uint8_t old = vr->eff_priority;

	vr->penalty = total;
	vr->eff_priority = effective_priority(vr);
	if (vr->eff_priority == old)
		return 0;
	pr_info("vrrp %u: effective priority %u -> %u (penalty %u)", vr->cfg.vrid, old,
		vr->eff_priority, total);
	if (vr->state == XLB_VRRP_MASTER) {
		/* tell the backups now: one that now outranks us should not wait for our timer */
		vr->master_priority = vr->eff_priority;
		do_send_advert(vr, vr->eff_priority);
	}
	return 0;
}

void xlb_vrrp_fill_advert(const struct xlb_vrrp *vr, uint8_t priority, struct xlb_vrrp_advert *out)
{
	out->version = vr->cfg.version;
	out->auth_type = vr->cfg.version == XLB_VRRP_V2 ? vr->cfg.auth_type : XLB_VRRP_AUTH_NONE;
	memcpy(out->auth_data, vr->cfg.auth_data, XLB_VRRP_AUTH_LEN);
	out->vrid = vr->cfg.vrid;
	out->priority = priority;
	out->family = vr->cfg.family;
	out->n_addrs = (uint8_t)vr->cfg.n_vips;
	out->interval_cs = vr->cfg.advert_interval_cs;
	memcpy(out->addrs, vr->cfg.vips, vr->cfg.n_vips * sizeof(out->addrs[0]));
}

int xlb_vrrp_set_state(struct xlb_vrrp *vr, enum xlb_vrrp_state want)
{
	if (vr->state == XLB_VRRP_INIT)
		return -EINVAL;
	if (want != XLB_VRRP_MASTER && want != XLB_VRRP_BACKUP)
		return -EINVAL;
	if (vr->state == want)
		return 0;
	if (want == XLB_VRRP_MASTER)
		enter_master(vr, "sync group");
	else
		enter_backup(vr, vr->cfg.advert_interval_cs, NULL, 0, "sync group");
	return 0;
}
