// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the VRRP state machine (v3 and v2) (user/pair/vrrp.c) on the real xlb_loop.
 *
 * The owner callbacks are fakes that record what was asked and when. A fake
 * peer feeds adverts through xlb_vrrp_input() from loop timers, or the test feeds one directly.
 * Intervals are 5 cs (50 ms), so Master_Down_Interval for priority 100 is 150 + 30.5 ms. A
 * timed event may not come early (1 ms rounding) and may come up to SLACK_MS late, which
 * keeps the suite stable on a loaded machine and under valgrind.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/log.h"
#include "common/loop.h"
#include "pair/vrrp.h"
#include "pair/vrrp_pkt.h"

#include "vrrp_test.h"

#define SLACK_MS 100
#define IV_CS 5 /* advert interval of the state machine tests */

/* ---- state machine ----------------------------------------------------------------------- */

#define MAX_EVENTS 512

struct fx;

/* A fake router on the segment, advertising from a loop timer. */
struct peer {
	struct fx *f;
	struct xlb_timer t;
	struct xlb_addr src;
	uint8_t vrid, priority, ttl;
	uint16_t interval_cs;
	int left;              /* adverts still to send; -1 = until stopped */
	uint8_t last_priority; /* sent after the others when left reaches 0; 255 = nothing */
	bool wrong_count;      /* advertise one address too many */
	bool wrong_vip;        /* right count, other address */
	uint64_t last_sent_ns;
	unsigned int sent;
};

struct fx {
	struct xlb_loop loop;
	struct xlb_vrrp vr;
	bool vr_inited;
	struct xlb_vrrp_config cfg;
	struct xlb_addr vips[2];
	uint64_t t0;

	uint64_t advert_t[MAX_EVENTS];
	uint8_t advert_prio[MAX_EVENTS];
	unsigned int n_adverts;
	uint64_t garp_t[MAX_EVENTS];
	unsigned int n_garps;
	unsigned int n_master, n_backup;
	uint64_t master_t, backup_t;
	char notified[MAX_EVENTS / 8][8];
	unsigned int n_notify;

	struct peer peer;
	struct xlb_timer poll, action;
	bool (*pred)(struct fx *f);
	uint64_t deadline;
	void (*action_fn)(struct fx *f);
};

static double ms_since(uint64_t from, uint64_t t)
{
	return (double)(int64_t)(t - from) / 1e6;
}

static int op_send_advert(struct xlb_vrrp *vr, uint8_t priority, void *arg)
{
	struct fx *f = arg;
	struct xlb_vrrp_advert *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	struct xlb_addr grp;
	uint8_t buf[512];
	int n;

	/* build it as the owner will, and check it decodes to what was asked */
	assert_int_equal(xlb_vrrp_group(vr->cfg.family, &grp), 0);
	xlb_vrrp_fill_advert(vr, priority, a);
	n = xlb_vrrp_encode(a, &vr->cfg.local, &grp, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(xlb_vrrp_decode(buf, (size_t)n, &vr->cfg.local, &grp, 255, b), 0);
	assert_int_equal(b->priority, priority);
	assert_int_equal(b->vrid, vr->cfg.vrid);
	assert_int_equal(b->interval_cs, vr->cfg.advert_interval_cs);
	free(a);
	free(b);

	assert_true(f->n_adverts < MAX_EVENTS);
	f->advert_t[f->n_adverts] = xlb_now_ns();
	f->advert_prio[f->n_adverts++] = priority;
	return 0;
}

static int op_become_master(struct xlb_vrrp *vr, void *arg)
{
	struct fx *f = arg;

	(void)vr;
	f->n_master++;
	f->master_t = xlb_now_ns();
	return 0;
}

static int op_become_backup(struct xlb_vrrp *vr, void *arg)
{
	struct fx *f = arg;

	(void)vr;
	f->n_backup++;
	f->backup_t = xlb_now_ns();
	return 0;
}

static int op_send_garp(struct xlb_vrrp *vr, void *arg)
{
	struct fx *f = arg;

	(void)vr;
	assert_true(f->n_garps < MAX_EVENTS);
	f->garp_t[f->n_garps++] = xlb_now_ns();
	return 0;
}

static void op_notify(struct xlb_vrrp *vr, const char *state, void *arg)
{
	struct fx *f = arg;

	(void)vr;
	assert_true(f->n_notify < MAX_EVENTS / 8);
	snprintf(f->notified[f->n_notify++], sizeof(f->notified[0]), "%s", state);
}

static const struct xlb_vrrp_ops fake_ops = {
	.send_advert = op_send_advert,
	.become_master = op_become_master,
	.become_backup = op_become_backup,
	.send_garp = op_send_garp,
	.notify = op_notify,
};

static const char *last_notify(const struct fx *f)
{
	return f->n_notify ? f->notified[f->n_notify - 1] : "";
}

/* Feed one advert from src through the whole receive path (encode -> xlb_vrrp_input). */
static int feed_full(struct fx *f, const struct xlb_addr *src, uint8_t vrid, uint8_t priority,
		     uint16_t interval_cs, uint8_t ttl, bool wrong_count, bool wrong_vip)
{
	struct xlb_vrrp_advert *a = calloc(1, sizeof(*a));
	struct xlb_addr grp;
	uint8_t buf[512];
	size_t i;
	int n;

	assert_int_equal(xlb_vrrp_group(src->family, &grp), 0);
	a->vrid = vrid;
	a->priority = priority;
	a->family = src->family;
	a->interval_cs = interval_cs;
	a->n_addrs = (uint8_t)f->cfg.n_vips;
	/* a sender of the other family cannot carry our VIPs: it advertises itself */
	for (i = 0; i < f->cfg.n_vips; i++)
		a->addrs[i] = src->family == f->cfg.family ? f->cfg.vips[i] : *src;
	if (wrong_count)
		a->addrs[a->n_addrs++] = *src;
	if (wrong_vip)
		a->addrs[0] = *src;
	n = xlb_vrrp_encode(a, src, &grp, buf, sizeof(buf));
	assert_true(n > 0);
	free(a);
	return xlb_vrrp_input(&f->vr, buf, (size_t)n, src, &grp, ttl);
}

static int feed(struct fx *f, const char *src, uint8_t priority, uint16_t interval_cs)
{
	struct xlb_addr s = A(src);

	return feed_full(f, &s, f->cfg.vrid, priority, interval_cs, 255, false, false);
}

static void peer_cb(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct peer *p = t->arg;
	uint8_t prio = p->priority;

	if (!p->left) {
		if (p->last_priority == 255)
			return;
		prio = p->last_priority;
		p->last_priority = 255;
	} else if (p->left > 0) {
		p->left--;
	}
	feed_full(p->f, &p->src, p->vrid, prio, p->interval_cs, p->ttl, p->wrong_count,
		  p->wrong_vip);
	p->last_sent_ns = xlb_now_ns();
	p->sent++;
	if (p->left || p->last_priority != 255)
		xlb_timer_arm(loop, t, p->interval_cs * 10 * XLB_MS);
}

/* Start the fake peer now: `count` adverts (-1 forever) every interval_cs. */
static void peer_start(struct fx *f, const char *src, uint8_t priority, uint16_t interval_cs,
		       int count)
{
	struct peer *p = &f->peer;

	p->src = A(src);
	p->vrid = f->cfg.vrid;
	p->priority = priority;
	p->interval_cs = interval_cs;
	p->ttl = 255;
	p->left = count;
	p->last_priority = 255;
	assert_int_equal(xlb_timer_arm(&f->loop, &p->t, 0), 0);
}

static void poll_cb(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct fx *f = t->arg;

	if ((f->pred && f->pred(f)) || xlb_now_ns() >= f->deadline) {
		xlb_loop_stop(loop);
		return;
	}
	xlb_timer_arm(loop, t, XLB_MS);
}

static void action_cb(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct fx *f = t->arg;

	(void)loop;
	f->action_fn(f);
}

/* Run the loop until pred holds or max_ms passed; returns whether pred held. */
static bool run_until(struct fx *f, bool (*pred)(struct fx *f), unsigned int max_ms)
{
	f->pred = pred;
	f->deadline = xlb_now_ns() + max_ms * XLB_MS;
	if (pred && pred(f))
		return true;
	f->loop.stop = false;
	assert_int_equal(xlb_timer_arm(&f->loop, &f->poll, XLB_MS), 0);
	assert_int_equal(xlb_loop_run(&f->loop), 0);
	xlb_timer_cancel(&f->loop, &f->poll);
	return pred && pred(f);
}

static void run_for(struct fx *f, unsigned int ms)
{
	run_until(f, NULL, ms);
}

static bool is_master(struct fx *f)
{
	return f->vr.state == XLB_VRRP_MASTER;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(xlb_loop_init(&f->loop, NULL, NULL, NULL), 0);
	xlb_timer_init(&f->poll, poll_cb, f);
	xlb_timer_init(&f->action, action_cb, f);
	xlb_timer_init(&f->peer.t, peer_cb, &f->peer);
	f->peer.f = f;
	xlb_vrrp_config_init(&f->cfg);
	f->cfg.vrid = 51;
	f->cfg.priority = 100;
	f->cfg.family = XLB_FAMILY_V4;
	f->cfg.advert_interval_cs = IV_CS;
	f->cfg.local = A("10.250.0.1");
	f->vips[0] = A("10.250.0.100");
	f->vips[1] = A("10.250.0.101");
	f->cfg.vips = f->vips;
	f->cfg.n_vips = 2;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f->vr_inited)
		xlb_vrrp_fini(&f->vr);
	xlb_timer_cancel(&f->loop, &f->peer.t);
	xlb_timer_cancel(&f->loop, &f->action);
	xlb_timer_cancel(&f->loop, &f->poll);
	xlb_loop_fini(&f->loop);
	free(f);
	return 0;
}

/* init + start with f->cfg; t0 is taken just before the start. */
static void start(struct fx *f)
{
	assert_int_equal(xlb_vrrp_init(&f->vr, &f->loop, &f->cfg, &fake_ops, f), 0);
	f->vr_inited = true;
	f->t0 = xlb_now_ns();
	assert_int_equal(xlb_vrrp_start(&f->vr), 0);
}

/* Get to Master fast: a master's priority-0 advert makes us wait Skew_Time only. */
static void make_master(struct fx *f)
{
	start(f);
	assert_int_equal(feed(f, "10.250.0.200", 0, IV_CS), 0);
	assert_true(run_until(f, is_master, 500));
}

static void assert_between_ms(double v, double lo, double hi, const char *what)
{
	if (v < lo || v > hi)
		fail_msg("%s: %.1f ms, want %.1f..%.1f", what, v, lo, hi);
}

/* Test that a backup that hears nobody is Master after 3 x interval + skew, GARPs, adverts. */
static void test_backup_to_master_after_down_interval(void **state)
{
	struct fx *f = *state;
	double want, got;
	unsigned int n;

	start(f);
	assert_int_equal(f->vr.state, XLB_VRRP_BACKUP);
	assert_int_equal(f->n_backup, 1); /* stale VIPs of a crashed run cleared */
	assert_string_equal(last_notify(f), "BACKUP");
	want = (double)xlb_vrrp_master_down_ns(&f->vr) / 1e6;
	assert_between_ms(want, 180.4, 180.5, "priority 100, 50 ms interval: down interval");

	assert_true(run_until(f, is_master, 1000));
	got = ms_since(f->t0, f->vr.state_since_ns);
	assert_between_ms(got, want - 1, want + SLACK_MS, "backup -> master");
	assert_int_equal(f->n_master, 1);
	assert_string_equal(last_notify(f), "MASTER");
	assert_int_equal(f->n_adverts, 1);
	assert_int_equal(f->advert_prio[0], 100);
	assert_int_equal(f->n_garps, 5);
	/* advert before the VIPs, VIPs before the GARPs: the old master lets go first */
	assert_true(f->advert_t[0] <= f->master_t && f->master_t <= f->garp_t[0]);
	assert_true(addr_eq(&f->vr.master_addr, &f->cfg.local));

	run_for(f, 260);
	n = f->n_adverts;
	if (n < 5 || n > 7)
		fail_msg("%u adverts in the first 260 ms as master, want 6", n);
	assert_int_equal(f->vr.stats.to_master, 1);
	assert_int_equal(f->vr.stats.tx_adverts, n);
}

/* Test that an address owner (255) is Master at once and advertises on time, without drift. */
static void test_owner_master_at_once(void **state)
{
	struct fx *f = *state;
	unsigned int i;

	f->cfg.priority = 255;
	start(f);
	assert_int_equal(f->vr.state, XLB_VRRP_MASTER);
	assert_int_equal(f->n_backup, 0);
	assert_int_equal(f->n_master, 1);
	assert_int_equal(f->n_adverts, 1);
	assert_int_equal(f->advert_prio[0], 255);
	assert_int_equal(f->n_garps, 5);

	run_for(f, 1025);
	if (f->n_adverts < 20 || f->n_adverts > 22)
		fail_msg("%u adverts in 1025 ms at 50 ms, want 21", f->n_adverts);
	/* the k-th advert is due at k x 50 ms from the first: re-armed from the deadline */
	for (i = 1; i < f->n_adverts; i++)
		assert_between_ms(ms_since(f->advert_t[0], f->advert_t[i]), i * 50.0 - 1,
				  i * 50.0 + SLACK_MS / 2, "advert schedule");
	/* an owner is never lowered by tracking */
	i = f->n_adverts;
	assert_int_equal(xlb_vrrp_set_penalty(&f->vr, 50), 0);
	assert_int_equal(f->vr.eff_priority, 255);
	assert_int_equal(f->n_adverts, i);
}

/* Test that a backup that keeps hearing a higher-priority master stays Backup and learns it. */
static void test_backup_stays_backup(void **state)
{
	struct fx *f = *state;

	start(f);
	peer_start(f, "10.250.0.2", 200, IV_CS, -1);
	run_for(f, 600);
	assert_int_equal(f->vr.state, XLB_VRRP_BACKUP);
	assert_int_equal(f->n_master, 0);
	assert_int_equal(f->n_adverts, 0);
	assert_true(addr_eq(&f->vr.master_addr, &f->peer.src));
	assert_int_equal(f->vr.master_priority, 200);
	assert_true(f->vr.stats.rx_adverts >= 8);
	assert_int_equal(f->vr.stats.rx_adverts, f->peer.sent);
}

/* Test that a backup takes the master's advert interval: down interval from the 10 cs it heard. */
static void test_backup_learns_interval(void **state)
{
	struct fx *f = *state;
	double want = 3 * 100 + 156 * 100 / 256.0, got;

	start(f);
	peer_start(f, "10.250.0.2", 200, 10, 3);
	assert_false(run_until(f, is_master, 250));
	assert_int_equal(f->vr.master_adver_int_cs, 10);
	assert_true(run_until(f, is_master, 1000));
	assert_int_equal(f->peer.sent, 3);
	got = ms_since(f->peer.last_sent_ns, f->vr.state_since_ns);
	assert_between_ms(got, want - 1, want + SLACK_MS, "last 10 cs advert -> master");
	/* as Master we advertise our own interval again */
	assert_int_equal(f->vr.master_adver_int_cs, IV_CS);
}

/* Test that a priority-0 advert makes a backup take over after Skew_Time, not the down interval. */
static void test_backup_prio0_fast_takeover(void **state)
{
	struct fx *f = *state;
	double skew = 156 * 50 / 256.0, got;

	start(f);
	peer_start(f, "10.250.0.2", 200, IV_CS, 3);
	f->peer.last_priority = 0;
	assert_true(run_until(f, is_master, 1000));
	assert_int_equal(f->peer.sent, 4);
	assert_int_equal(f->vr.stats.rx_prio0, 1);
	got = ms_since(f->peer.last_sent_ns, f->vr.state_since_ns);
	assert_between_ms(got, skew - 1, skew + SLACK_MS, "priority 0 -> master");
	assert_true(got < 180.0); /* sooner than Master_Down_Interval */
}

/* Test that a master hearing a higher priority yields at once, drops the VIPs, falls silent. */
static void test_master_yields_to_higher(void **state)
{
	struct fx *f = *state;
	unsigned int adverts, backups;

	make_master(f);
	adverts = f->n_adverts;
	backups = f->n_backup;
	assert_int_equal(feed(f, "10.250.0.2", 200, 10), 0);
	assert_int_equal(f->vr.state, XLB_VRRP_BACKUP);
	assert_int_equal(f->n_backup, backups + 1);
	assert_string_equal(last_notify(f), "BACKUP");
	assert_true(addr_is(&f->vr.master_addr, "10.250.0.2"));
	assert_int_equal(f->vr.master_priority, 200);
	assert_int_equal(f->vr.master_adver_int_cs, 10);
	assert_int_equal(f->n_adverts, adverts);

	/* silent as a backup; the new master's learned 10 cs interval sets the down timer */
	run_for(f, 300);
	assert_int_equal(f->vr.state, XLB_VRRP_BACKUP);
	assert_int_equal(f->n_adverts, adverts);
	assert_true(run_until(f, is_master, 500));
}

/* Test the equal-priority tie-break on the sender's address, IPv4 and IPv6. */
static void test_master_equal_priority_tiebreak(void **state)
{
	static const struct {
		uint8_t family;
		const char *local, *vip, *lower, *higher;
	} fam[] = {
		{ XLB_FAMILY_V4, "10.250.0.5", "10.250.0.100", "10.250.0.4", "10.250.0.6" },
		{ XLB_FAMILY_V6, "fe80::5", "fd25:250::100", "fe80::4", "fe80::1:0" },
	};
	struct fx *f = *state;
	unsigned int i, adverts, garps;

	for (i = 0; i < 2; i++) {
		if (f->vr_inited)
			xlb_vrrp_fini(&f->vr);
		f->vr_inited = false;
		f->cfg.family = fam[i].family;
		f->cfg.local = A(fam[i].local);
		f->vips[0] = A(fam[i].vip);
		f->cfg.n_vips = 1;
		start(f);
		assert_int_equal(feed(f, fam[i].lower, 0, IV_CS), 0);
		assert_true(run_until(f, is_master, 500));

		adverts = f->n_adverts;
		garps = f->n_garps;
		assert_int_equal(feed(f, fam[i].lower, 100, IV_CS), 0);
		assert_int_equal(f->vr.state, XLB_VRRP_MASTER);
		assert_int_equal(f->n_adverts, adverts + 1); /* answered at once */
		assert_int_equal(f->n_garps, garps + 5);

		assert_int_equal(feed(f, fam[i].higher, 100, IV_CS), 0);
		assert_int_equal(f->vr.state, XLB_VRRP_BACKUP);
		assert_true(addr_is(&f->vr.master_addr, fam[i].higher));
	}
}

/* Test that a master answers a lower-priority master with an advert and a GARP burst at once. */
static void test_master_answers_lower_priority(void **state)
{
	struct fx *f = *state;
	unsigned int adverts, garps;
	uint64_t t;

	make_master(f);
	adverts = f->n_adverts;
	garps = f->n_garps;
	t = xlb_now_ns();
	assert_int_equal(feed(f, "10.250.0.9", 50, IV_CS), 0);
	assert_int_equal(f->vr.state, XLB_VRRP_MASTER);
	assert_int_equal(f->n_adverts, adverts + 1);
	assert_int_equal(f->advert_prio[adverts], 100);
	assert_true(f->advert_t[adverts] >= t);
	assert_int_equal(f->n_garps, garps + 5);
	assert_int_equal(f->n_backup, 1); /* only the one from startup */
}

/* Test that a master hearing priority 0 advertises at once and restarts its Adver_Timer. */
static void test_master_hears_prio0(void **state)
{
	struct fx *f = *state;
	unsigned int adverts;

	make_master(f);
	run_for(f, 20);
	adverts = f->n_adverts;
	assert_int_equal(feed(f, "10.250.0.9", 0, IV_CS), 0);
	assert_int_equal(f->n_adverts, adverts + 1);
	run_for(f, 120);
	assert_true(f->n_adverts >= adverts + 3);
	assert_between_ms(ms_since(f->advert_t[adverts], f->advert_t[adverts + 1]), 49,
			  50 + SLACK_MS / 2, "next advert after the answer to priority 0");
}

/* Test that without preempt a higher-priority backup leaves a live lower master alone. */
static void test_no_preempt(void **state)
{
	struct fx *f = *state;

	f->cfg.priority = 200;
	f->cfg.preempt = false;
	start(f);
	peer_start(f, "10.250.0.2", 100, IV_CS, -1);
	run_for(f, 600);
	assert_int_equal(f->vr.state, XLB_VRRP_BACKUP);
	assert_int_equal(f->n_master, 0);
	assert_int_equal(f->vr.master_priority, 100);
}

static bool peer_ran_and_master(struct fx *f)
{
	return f->peer.sent && is_master(f);
}

/* Test that with preempt a higher-priority backup takes over within one down interval. */
static void test_preempt(void **state)
{
	struct fx *f = *state;
	double down = 3 * 50 + 56 * 50 / 256.0, got;

	f->cfg.priority = 200;
	start(f);
	peer_start(f, "10.250.0.2", 100, IV_CS, -1);
	assert_true(run_until(f, peer_ran_and_master, 1000));
	got = ms_since(f->t0, f->vr.state_since_ns);
	/* the lower adverts are discarded, so the startup down timer simply runs out */
	assert_between_ms(got, down - 1, down + SLACK_MS, "preempting a priority 100 master");
	assert_true(f->peer.sent >= 3);
	assert_true(f->vr.stats.rx_adverts >= 3);
}

/* Test that preempt_delay holds a higher-priority backup back that long after startup. */
static void test_preempt_delay(void **state)
{
	struct fx *f = *state;
	double down = 3 * 50 + 56 * 50 / 256.0, got;

	f->cfg.priority = 200;
	f->cfg.preempt_delay_ms = 300;
	start(f);
	peer_start(f, "10.250.0.2", 100, IV_CS, -1);
	assert_true(run_until(f, is_master, 1500));
	got = ms_since(f->t0, f->vr.state_since_ns);
	/* the last advert accepted arrived before 300 ms; the down timer runs out after it */
	assert_between_ms(got, 300 + down - 50 - 1, 300 + down + SLACK_MS, "delayed preemption");
}

/*
 * Test that stop(graceful) from Master sends priority 0 and removes the VIPs, a hard stop only
 * removes them, and a stopped Backup has nothing to give up.
 */
static void test_stop(void **state)
{
	struct fx *f = *state;
	unsigned int adverts, backups;

	f->cfg.priority = 255;
	start(f);
	run_for(f, 60);
	adverts = f->n_adverts;
	backups = f->n_backup;
	xlb_vrrp_stop(&f->vr, true);
	assert_int_equal(f->vr.state, XLB_VRRP_INIT);
	assert_int_equal(f->n_adverts, adverts + 1);
	assert_int_equal(f->advert_prio[adverts], 0);
	assert_int_equal(f->vr.stats.tx_prio0, 1);
	assert_int_equal(f->n_backup, backups + 1);
	assert_string_equal(last_notify(f), "STOP");
	run_for(f, 120); /* nothing after a stop */
	assert_int_equal(f->n_adverts, adverts + 1);
	xlb_vrrp_stop(&f->vr, true); /* a second stop is a no-op */
	assert_int_equal(f->n_adverts, adverts + 1);

	/* restart, stop hard: VIPs removed, no priority 0 */
	assert_int_equal(xlb_vrrp_start(&f->vr), 0);
	assert_int_equal(xlb_vrrp_start(&f->vr), -EALREADY);
	adverts = f->n_adverts;
	backups = f->n_backup;
	xlb_vrrp_stop(&f->vr, false);
	assert_int_equal(f->n_adverts, adverts);
	assert_int_equal(f->n_backup, backups + 1);

	/* a backup has nothing to give up */
	f->vr.cfg.priority = 100;
	assert_int_equal(xlb_vrrp_start(&f->vr), 0);
	assert_int_equal(f->vr.state, XLB_VRRP_BACKUP);
	adverts = f->n_adverts;
	backups = f->n_backup;
	xlb_vrrp_stop(&f->vr, true);
	assert_int_equal(f->n_adverts, adverts);
	assert_int_equal(f->n_backup, backups);
}

/* Test that a penalty lowers the advertised priority at once and a lowered master yields. */
static void test_penalty(void **state)
{
	struct fx *f = *state;
	unsigned int adverts;

	make_master(f);
	adverts = f->n_adverts;
	assert_int_equal(xlb_vrrp_set_penalty(&f->vr, 30), 0);
	assert_int_equal(f->vr.eff_priority, 70);
	assert_int_equal(f->n_adverts, adverts + 1);
	assert_int_equal(f->advert_prio[adverts], 70);
	assert_int_equal(xlb_vrrp_set_penalty(&f->vr, 30), 0); /* unchanged: no advert */
	assert_int_equal(f->n_adverts, adverts + 1);
	run_for(f, 60);
	assert_int_equal(f->advert_prio[f->n_adverts - 1], 70);

	/* 80 would have lost to our configured 100, but beats the effective 70 */
	assert_int_equal(feed(f, "10.250.0.2", 80, IV_CS), 0);
	assert_int_equal(f->vr.state, XLB_VRRP_BACKUP);
	/* skew follows the effective priority */
	assert_int_equal(xlb_vrrp_skew_ns(&f->vr), (256 - 70) * 50 * XLB_MS / 256);

	assert_int_equal(xlb_vrrp_set_penalty(&f->vr, 1000), 0);
	assert_int_equal(f->vr.eff_priority, 1); /* 0 would mean "leaving" */
	assert_int_equal(xlb_vrrp_set_penalty(&f->vr, 0), 0);
	assert_int_equal(f->vr.eff_priority, 100);
}

static void clear_penalty(struct fx *f)
{
	xlb_vrrp_set_penalty(&f->vr, 0);
}

/* Test that a backup whose penalty clears, now outranking the master, preempts it. */
static void test_penalty_cleared_backup_preempts(void **state)
{
	struct fx *f = *state;
	double down = 3 * 50 + 156 * 50 / 256.0, got;

	start(f);
	assert_int_equal(xlb_vrrp_set_penalty(&f->vr, 20), 0); /* 80 */
	peer_start(f, "10.250.0.2", 90, IV_CS, -1);
	f->action_fn = clear_penalty;
	assert_int_equal(xlb_timer_arm(&f->loop, &f->action, 300 * XLB_MS), 0);
	assert_true(run_until(f, is_master, 1500));
	got = ms_since(f->t0, f->vr.state_since_ns);
	assert_between_ms(got, 300, 300 + down + SLACK_MS, "preempting after the penalty cleared");
	assert_int_equal(f->advert_prio[0], 100);
}

/* Test that adverts with a wrong address list are counted and ignored: master on time anyway. */
static void test_rejected_address_list(void **state)
{
	struct fx *f = *state;
	struct xlb_addr peer = A("10.250.0.2"), v6 = A("fe80::2");
	double want = 3 * 50 + 156 * 50 / 256.0, got;

	start(f);
	assert_int_equal(feed_full(f, &peer, 51, 200, IV_CS, 255, true, false),
			 -XLB_VRRP_E_ADDR_COUNT);
	assert_int_equal(feed_full(f, &peer, 51, 200, IV_CS, 255, false, true),
			 -XLB_VRRP_E_ADDR_MISMATCH);
	assert_int_equal(feed_full(f, &peer, 52, 200, IV_CS, 255, false, false),
			 -XLB_VRRP_E_VRID);
	assert_int_equal(feed_full(f, &peer, 51, 200, IV_CS, 254, false, false),
			 -XLB_VRRP_E_TTL);
	assert_int_equal(feed_full(f, &v6, 51, 200, IV_CS, 255, false, false),
			 -XLB_VRRP_E_FAMILY);
	assert_int_equal(feed_full(f, &f->cfg.local, 51, 200, IV_CS, 255, false, false), 0);
	assert_int_equal(f->vr.stats.rx_self, 1);
	assert_int_equal(f->vr.stats.rx_adverts, 0);

	/* a peer that keeps advertising the wrong list is as good as silent */
	peer_start(f, "10.250.0.2", 200, IV_CS, -1);
	f->peer.wrong_count = true;
	assert_true(run_until(f, is_master, 1000));
	got = ms_since(f->t0, f->vr.state_since_ns);
	assert_between_ms(got, want - 1, want + SLACK_MS, "master despite rejected adverts");
	assert_int_equal(f->vr.stats.rx_rejected[XLB_VRRP_E_ADDR_COUNT], 1 + f->peer.sent);
	assert_int_equal(f->vr.stats.rx_rejected[XLB_VRRP_E_ADDR_MISMATCH], 1);
	assert_int_equal(f->vr.stats.rx_rejected[XLB_VRRP_E_VRID], 1);
	assert_int_equal(f->vr.stats.rx_rejected[XLB_VRRP_E_TTL], 1);
	assert_int_equal(f->vr.stats.rx_rejected[XLB_VRRP_E_FAMILY], 1);
	assert_int_equal(f->vr.stats.rx_adverts, 0);
}

/*
 * Test that with unicast peers an on-link impostor (TTL 255, valid advert, priority 254) is
 * refused as not_a_peer and counted: the backup becomes master on time regardless, stays
 * master under its adverts, and still yields to the configured peer. IPv6 alike.
 */
static void test_unicast_peers_filter_source(void **state)
{
	struct fx *f = *state;
	struct xlb_addr peers[2] = { A("10.250.0.2"), A("10.250.0.3") };
	struct xlb_addr rogue = A("10.250.0.9"), peer6 = A("fe80::2"), rogue6 = A("fe80::9");
	double want = 3 * 50 + 156 * 50 / 256.0, got;
	unsigned int adverts;

	f->cfg.peers = peers;
	f->cfg.n_peers = 2;
	start(f);
	peers[0] = A("192.0.2.1"); /* the caller's array changes after init */
	assert_int_equal(feed_full(f, &rogue, 51, 254, IV_CS, 255, false, false),
			 -XLB_VRRP_E_SOURCE);
	assert_int_equal(f->vr.stats.rx_rejected[XLB_VRRP_E_SOURCE], 1);
	assert_int_equal(f->vr.master_addr.family, 0);
	assert_string_equal(xlb_vrrp_err_str(XLB_VRRP_E_SOURCE), "not_a_peer");
	/* our own advert looped back is ours, not an impostor's */
	assert_int_equal(feed_full(f, &f->cfg.local, 51, 100, IV_CS, 255, false, false), 0);
	assert_int_equal(f->vr.stats.rx_self, 1);

	/* the impostor advertising 254 all along is as good as silent */
	peer_start(f, "10.250.0.9", 254, IV_CS, -1);
	assert_true(run_until(f, is_master, 1000));
	got = ms_since(f->t0, f->vr.state_since_ns);
	assert_between_ms(got, want - 1, want + SLACK_MS, "master despite an impostor");
	adverts = f->n_adverts;
	run_for(f, 300);
	assert_int_equal(f->vr.state, XLB_VRRP_MASTER);
	assert_int_equal(f->n_backup, 1); /* only the one from startup */
	assert_true(f->n_adverts >= adverts + 4);
	assert_int_equal(f->vr.stats.rx_rejected[XLB_VRRP_E_SOURCE], 1 + f->peer.sent);
	assert_true(f->peer.sent >= 8);
	assert_int_equal(f->vr.stats.rx_adverts, 0);

	/* a configured peer is heard: the second one at 200 takes over */
	assert_int_equal(feed(f, "10.250.0.3", 200, IV_CS), 0);
	assert_int_equal(f->vr.state, XLB_VRRP_BACKUP);
	assert_true(addr_is(&f->vr.master_addr, "10.250.0.3"));
	assert_int_equal(f->vr.stats.rx_adverts, 1);

	/* IPv6: the peers are link-local, the adverts' source (RFC 5798 5.1.2.1) */
	xlb_timer_cancel(&f->loop, &f->peer.t);
	xlb_vrrp_fini(&f->vr);
	f->vr_inited = false;
	f->cfg.family = XLB_FAMILY_V6;
	f->cfg.local = A("fe80::1");
	f->vips[0] = A("fd25:250::100");
	f->cfg.n_vips = 1;
	f->cfg.peers = &peer6;
	f->cfg.n_peers = 1;
	start(f);
	assert_int_equal(feed_full(f, &rogue6, 51, 254, IV_CS, 255, false, false),
			 -XLB_VRRP_E_SOURCE);
	assert_int_equal(feed_full(f, &peer6, 51, 254, IV_CS, 255, false, false), 0);
	assert_true(addr_is(&f->vr.master_addr, "fe80::2"));
}

/* Test that bytes refused by decode (checksum, v2) are counted per reason by xlb_vrrp_input. */
static void test_input_counts_decode_errors(void **state)
{
	struct fx *f = *state;
	struct xlb_addr src = A("10.250.0.2"), grp = A("224.0.0.18");
	static const uint8_t v2[20] = { 0x21, 0x33, 0x64, 0x01, 0x00, 0x01, 0x6f, 0x6c,
					0x0a, 0xfa, 0x00, 0x64 };
	uint8_t buf[12];

	start(f);
	memcpy(buf, adv4, sizeof(buf));
	buf[7] ^= 0xff;
	assert_int_equal(xlb_vrrp_input(&f->vr, buf, sizeof(buf), &src, &grp, 255),
			 -XLB_VRRP_E_CHECKSUM);
	assert_int_equal(xlb_vrrp_input(&f->vr, v2, sizeof(v2), &src, &grp, 255),
			 -XLB_VRRP_E_VERSION);
	assert_int_equal(xlb_vrrp_input(&f->vr, buf, 5, &src, &grp, 255), -XLB_VRRP_E_LENGTH);
	assert_int_equal(f->vr.stats.rx_rejected[XLB_VRRP_E_CHECKSUM], 1);
	assert_int_equal(f->vr.stats.rx_rejected[XLB_VRRP_E_VERSION], 1);
	assert_int_equal(f->vr.stats.rx_rejected[XLB_VRRP_E_LENGTH], 1);
	assert_int_equal(f->vr.state, XLB_VRRP_BACKUP);
}

static unsigned int garps_between(const struct fx *f, uint64_t from, double lo_ms, double hi_ms)
{
	unsigned int i, n = 0;

	for (i = 0; i < f->n_garps; i++) {
		double t = ms_since(from, f->garp_t[i]);

		n += t >= lo_ms && t < hi_ms;
	}
	return n;
}

/* Test the GARP schedule: a burst on becoming master, a second after garp_delay, refreshes. */
static void test_garp_schedule(void **state)
{
	struct fx *f = *state;
	uint64_t t;

	f->cfg.priority = 255;
	f->cfg.garp_repeat = 3;
	f->cfg.garp_delay_ms = 200;
	f->cfg.garp_refresh_ms = 120;
	start(f);
	t = f->vr.state_since_ns;
	run_for(f, 300);
	assert_int_equal(garps_between(f, t, 0, 10), 3);     /* the burst */
	assert_int_equal(garps_between(f, t, 10, 119), 0);
	assert_int_equal(garps_between(f, t, 119, 190), 1);  /* refresh at 120 */
	assert_int_equal(garps_between(f, t, 199, 235), 3);  /* the second burst at 200 */
	assert_int_equal(garps_between(f, t, 239, 300), 1);  /* refresh at 240 */
	assert_int_equal(f->vr.stats.garp_rounds, f->n_garps);

	/* yielding before garp_delay cancels the second burst and the refresh */
	xlb_vrrp_fini(&f->vr);
	f->vr_inited = false;
	f->n_garps = 0;
	f->cfg.priority = 100;
	make_master(f);
	assert_int_equal(f->n_garps, 3);
	assert_int_equal(feed(f, "10.250.0.2", 200, 100), 0); /* its 1 s interval keeps us backup */
	run_for(f, 300);
	assert_int_equal(f->vr.state, XLB_VRRP_BACKUP);
	assert_int_equal(f->n_garps, 3);
}

/* Test that bad configurations are refused and the VIP list is copied, not borrowed. */
static void test_config(void **state)
{
	struct fx *f = *state;
	struct xlb_vrrp_config c;
	struct xlb_vrrp vr;
	struct xlb_addr v6 = A("fd00::1");

	xlb_vrrp_config_init(&c);
	assert_int_equal(c.priority, 100);
	assert_int_equal(c.advert_interval_cs, 100);
	assert_int_equal(c.garp_repeat, 5);
	assert_int_equal(c.garp_delay_ms, 5000);
	assert_true(c.preempt);

#define BAD(field, value)                                                                  \
	do {                                                                               \
		c = f->cfg;                                                                \
		c.field = value;                                                           \
		assert_int_equal(xlb_vrrp_init(&vr, &f->loop, &c, &fake_ops, f), -EINVAL); \
	} while (0)
	BAD(vrid, 0);
	BAD(priority, 0);
	BAD(family, 5);
	BAD(advert_interval_cs, 0);
	BAD(advert_interval_cs, 4096);
	BAD(n_vips, 0);
	BAD(n_vips, 256);
	BAD(vips, NULL);
	BAD(local, v6);
	BAD(vips, &v6);
	BAD(n_peers, 1); /* and no array */
	c = f->cfg;
	c.peers = &v6;
	c.n_peers = 1;
	assert_int_equal(xlb_vrrp_init(&vr, &f->loop, &c, &fake_ops, f), -EINVAL);
#undef BAD

	start(f);
	f->vips[0] = A("192.0.2.1"); /* the caller's array changes after init */
	assert_true(addr_is(&f->vr.cfg.vips[0], "10.250.0.100"));
	assert_int_equal(feed(f, "10.250.0.2", 200, IV_CS), -XLB_VRRP_E_ADDR_MISMATCH);
	assert_string_equal(xlb_vrrp_state_str(XLB_VRRP_MASTER), "MASTER");
}

/* Feed one v2 (or v3 when version 3) advert for our VIPs with this auth through xlb_vrrp_input. */
static int feed_v(struct fx *f, uint8_t version, uint8_t vrid, uint8_t priority,
		  uint16_t interval_cs, uint8_t auth_type, const char *pass)
{
	struct xlb_vrrp_advert *a = calloc(1, sizeof(*a));
	struct xlb_addr src = A("10.250.0.2"), grp = A("224.0.0.18");
	uint8_t buf[512];
	int n;

	a->version = version;
	a->auth_type = auth_type;
	memcpy(a->auth_data, pass, strlen(pass));
	a->vrid = vrid;
	a->priority = priority;
	a->family = XLB_FAMILY_V4;
	a->interval_cs = interval_cs;
	a->n_addrs = (uint8_t)f->cfg.n_vips;
	memcpy(a->addrs, f->cfg.vips, f->cfg.n_vips * sizeof(a->addrs[0]));
	n = xlb_vrrp_encode(a, &src, &grp, buf, sizeof(buf));
	assert_true(n > 0);
	free(a);
	return xlb_vrrp_input(&f->vr, buf, (size_t)n, &src, &grp, 255);
}

static void v2_pass(struct fx *f, const char *pass)
{
	f->cfg.version = XLB_VRRP_V2;
	f->cfg.advert_interval_cs = 100;
	f->cfg.auth_type = pass ? XLB_VRRP_AUTH_PASS : XLB_VRRP_AUTH_NONE;
	memset(f->cfg.auth_data, 0, sizeof(f->cfg.auth_data));
	if (pass)
		memcpy(f->cfg.auth_data, pass, strlen(pass));
}

/*
 * Test that a v2 PASS router takes the right password and refuses a wrong one, another auth
 * type, no auth, a v3 advert (_VERSION) and another interval; another VRID of either version
 * is _VRID, silently.
 */
static void test_v2_auth(void **state)
{
	struct fx *f = *state;

	v2_pass(f, "1111");
	start(f);
	assert_int_equal(feed_v(f, 2, 51, 150, 100, XLB_VRRP_AUTH_PASS, "1111"), 0);
	assert_int_equal(f->vr.stats.rx_adverts, 1);
	assert_int_equal(feed_v(f, 2, 51, 150, 100, XLB_VRRP_AUTH_PASS, "1112"), -XLB_VRRP_E_AUTH);
	assert_int_equal(feed_v(f, 2, 51, 150, 100, XLB_VRRP_AUTH_PASS, "11110"),
			 -XLB_VRRP_E_AUTH); /* all 8 bytes compared */
	assert_int_equal(feed_v(f, 2, 51, 150, 100, XLB_VRRP_AUTH_NONE, ""), -XLB_VRRP_E_AUTH);
	assert_int_equal(feed_v(f, 2, 51, 150, 100, XLB_VRRP_AUTH_AH, "1111"), -XLB_VRRP_E_AUTH);
	assert_int_equal(f->vr.stats.rx_rejected[XLB_VRRP_E_AUTH], 4);
	assert_int_equal(feed_v(f, 3, 51, 150, 100, 0, ""), -XLB_VRRP_E_VERSION);
	assert_int_equal(feed_v(f, 3, 52, 150, 100, 0, ""), -XLB_VRRP_E_VRID);
	assert_int_equal(feed_v(f, 2, 52, 150, 100, XLB_VRRP_AUTH_NONE, ""), -XLB_VRRP_E_VRID);
	/* RFC 3768 7.1: a v2 advert's interval must be ours */
	assert_int_equal(feed_v(f, 2, 51, 150, 200, XLB_VRRP_AUTH_PASS, "1111"),
			 -XLB_VRRP_E_INTERVAL);
	assert_int_equal(f->vr.stats.rx_adverts, 1);

	/* a router without auth refuses PASS */
	xlb_vrrp_fini(&f->vr);
	v2_pass(f, NULL);
	start(f);
	assert_int_equal(feed_v(f, 2, 51, 150, 100, XLB_VRRP_AUTH_PASS, "1111"), -XLB_VRRP_E_AUTH);
	assert_int_equal(feed_v(f, 2, 51, 150, 100, XLB_VRRP_AUTH_NONE, ""), 0);
	/* and fills its adverts as v2 */
	{
		struct xlb_vrrp_advert *a = calloc(1, sizeof(*a));

		xlb_vrrp_fill_advert(&f->vr, 100, a);
		assert_int_equal(a->version, XLB_VRRP_V2);
		assert_int_equal(a->auth_type, XLB_VRRP_AUTH_NONE);
		free(a);
	}
}

/* Test that a v3 router refuses a v2 advert of its VRID and ignores one of another VRID. */
static void test_v3_refuses_v2(void **state)
{
	struct fx *f = *state;

	f->cfg.advert_interval_cs = 100;
	start(f);
	assert_int_equal(feed_v(f, 2, 51, 150, 100, XLB_VRRP_AUTH_NONE, ""), -XLB_VRRP_E_VERSION);
	assert_int_equal(feed_v(f, 2, 52, 150, 100, XLB_VRRP_AUTH_PASS, "x"), -XLB_VRRP_E_VRID);
	assert_int_equal(f->vr.stats.rx_rejected[XLB_VRRP_E_VERSION], 1);
	assert_int_equal(f->vr.stats.rx_rejected[XLB_VRRP_E_VRID], 1);
	assert_int_equal(f->vr.state, XLB_VRRP_BACKUP);
}

/* Test RFC 3768's timers: skew (256 - prio) / 256 s whatever the interval, down 3 x + skew. */
static void test_v2_timers(void **state)
{
	struct fx *f = *state;

	v2_pass(f, NULL);
	start(f);
	assert_int_equal(xlb_vrrp_skew_ns(&f->vr), 609375000ull);       /* 156/256 s */
	assert_int_equal(xlb_vrrp_master_down_ns(&f->vr), 3609375000ull);
	xlb_vrrp_fini(&f->vr);
	f->cfg.advert_interval_cs = 200;
	start(f);
	assert_int_equal(xlb_vrrp_skew_ns(&f->vr), 609375000ull);
	assert_int_equal(xlb_vrrp_master_down_ns(&f->vr), 6609375000ull);
}

/* Test v2 configurations: IPv4 only, whole seconds 1..255, auth only with v2. */
static void test_v2_config(void **state)
{
	struct fx *f = *state;
	struct xlb_addr v6[2] = { A("fd00::1"), A("fd00::2") };
	struct xlb_vrrp_config c;
	struct xlb_vrrp vr;

	v2_pass(f, "1111");
	c = f->cfg;
	c.family = XLB_FAMILY_V6;
	c.local = v6[0];
	c.vips = &v6[1];
	c.n_vips = 1;
	assert_int_equal(xlb_vrrp_init(&vr, &f->loop, &c, &fake_ops, f), -EINVAL);
	c.version = XLB_VRRP_V3; /* the same as v3 without auth is fine */
	c.auth_type = XLB_VRRP_AUTH_NONE;
	assert_int_equal(xlb_vrrp_init(&vr, &f->loop, &c, &fake_ops, f), 0);
	xlb_vrrp_fini(&vr);
#define BAD(field, value)                                                                  \
	do {                                                                               \
		c = f->cfg;                                                                \
		c.field = value;                                                           \
		assert_int_equal(xlb_vrrp_init(&vr, &f->loop, &c, &fake_ops, f), -EINVAL); \
	} while (0)
	BAD(advert_interval_cs, 150);
	BAD(advert_interval_cs, 50);
	BAD(advert_interval_cs, 25600);
	BAD(auth_type, XLB_VRRP_AUTH_AH);
	BAD(version, 4);
	BAD(version, 1);
	c = f->cfg;
	c.version = 0; /* = 3, which has no auth */
	assert_int_equal(xlb_vrrp_init(&vr, &f->loop, &c, &fake_ops, f), -EINVAL);
#undef BAD
	c = f->cfg;
	c.advert_interval_cs = 25500;
	assert_int_equal(xlb_vrrp_init(&vr, &f->loop, &c, &fake_ops, f), 0);
	xlb_vrrp_fini(&vr);
}

/* Test set_state: Backup -> Master -> Backup, a no-op for the current state, -EINVAL else. */
static void test_set_state(void **state)
{
	struct fx *f = *state;

	assert_int_equal(xlb_vrrp_init(&f->vr, &f->loop, &f->cfg, &fake_ops, f), 0);
	f->vr_inited = true;
	assert_int_equal(xlb_vrrp_set_state(&f->vr, XLB_VRRP_MASTER), -EINVAL); /* not started */
	assert_int_equal(xlb_vrrp_start(&f->vr), 0);
	assert_int_equal(xlb_vrrp_set_state(&f->vr, XLB_VRRP_BACKUP), 0); /* already */
	assert_int_equal(f->vr.stats.to_backup, 1);
	assert_int_equal(xlb_vrrp_set_state(&f->vr, XLB_VRRP_MASTER), 0);
	assert_int_equal(f->vr.state, XLB_VRRP_MASTER);
	assert_int_equal(f->n_master, 1);
	assert_int_equal(f->n_adverts, 1);
	assert_int_equal(f->n_garps, f->cfg.garp_repeat);
	assert_string_equal(last_notify(f), "MASTER");
	assert_int_equal(xlb_vrrp_set_state(&f->vr, XLB_VRRP_MASTER), 0);
	assert_int_equal(f->n_adverts, 1);
	assert_int_equal(xlb_vrrp_set_state(&f->vr, XLB_VRRP_INIT), -EINVAL);
	assert_int_equal(f->vr.state, XLB_VRRP_MASTER);
	assert_int_equal(xlb_vrrp_set_state(&f->vr, XLB_VRRP_BACKUP), 0);
	assert_int_equal(f->vr.state, XLB_VRRP_BACKUP);
	assert_string_equal(last_notify(f), "BACKUP");
	/* the Master_Down_Timer runs again: nobody speaks, we come back */
	assert_true(run_until(f, is_master, 180 + SLACK_MS));
	xlb_vrrp_stop(&f->vr, false);
	assert_int_equal(xlb_vrrp_set_state(&f->vr, XLB_VRRP_BACKUP), -EINVAL);
}

/*
 * Test start_master as keepalived 2.2.7 does `state MASTER` for a non-owner: preempt forced on,
 * preempt_delay dropped, Backup at start with nothing sent, Master after Master_Down_Interval.
 */
static void test_start_master(void **state)
{
	struct fx *f = *state;

	f->cfg.start_master = true;
	f->cfg.preempt = false;
	f->cfg.preempt_delay_ms = 1000;
	start(f);
	assert_true(f->vr.cfg.preempt);
	assert_int_equal(f->vr.cfg.preempt_delay_ms, 0);
	assert_int_equal(f->vr.state, XLB_VRRP_BACKUP);
	assert_int_equal(f->n_adverts, 0);
	assert_true(run_until(f, is_master, 181 + SLACK_MS));
	assert_between_ms(ms_since(f->t0, f->master_t), 179.5, 181 + SLACK_MS, "start_master");
	/* a higher priority still wins */
	assert_int_equal(feed(f, "10.250.0.2", 200, IV_CS), 0);
	assert_int_equal(f->vr.state, XLB_VRRP_BACKUP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_backup_to_master_after_down_interval),
		T(test_owner_master_at_once),
		T(test_backup_stays_backup),
		T(test_backup_learns_interval),
		T(test_backup_prio0_fast_takeover),
		T(test_master_yields_to_higher),
		T(test_master_equal_priority_tiebreak),
		T(test_master_answers_lower_priority),
		T(test_master_hears_prio0),
		T(test_no_preempt),
		T(test_preempt),
		T(test_preempt_delay),
		T(test_stop),
		T(test_penalty),
		T(test_penalty_cleared_backup_preempts),
		T(test_rejected_address_list),
		T(test_unicast_peers_filter_source),
		T(test_input_counts_decode_errors),
		T(test_garp_schedule),
		T(test_config),
		T(test_v2_auth),
		T(test_v3_refuses_v2),
		T(test_v2_timers),
		T(test_v2_config),
		T(test_set_state),
		T(test_start_master),
#undef T
	};

	xlb_log_init("test_vrrp_fsm", getenv("XLB_TEST_VERBOSE") ? XLB_LOG_DEBUG : XLB_LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
