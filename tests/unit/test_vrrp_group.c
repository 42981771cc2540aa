// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for a VRRP sync group's decisions (user/pair/vrrp_group.c): members follow the
 * one that changed on its own, a fault makes the others leave and the last recovery brings
 * them back, and events are acted on once, oldest first, out of the members' callbacks.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pair/vrrp_group.h"

/* A fake host: each member's state as the group left it, and a log of what it was asked. */
enum { M_BACKUP, M_MASTER, M_STOPPED };

struct fake {
	int state[4];
	char log[256];
};

static void logf_(struct fake *f, const char *what, size_t k)
{
	size_t n = strlen(f->log);

	snprintf(f->log + n, sizeof(f->log) - n, "%s%s%zu", n ? " " : "", what, k);
}

static void fake_set_master(struct xlb_vrrp_group *g, size_t k, bool master)
{
	struct fake *f = g->arg;

	assert_int_not_equal(f->state[k], M_STOPPED); /* the group asks running members only */
	f->state[k] = master ? M_MASTER : M_BACKUP;
	logf_(f, master ? "master" : "backup", k);
}

static void fake_leave(struct xlb_vrrp_group *g, size_t k)
{
	struct fake *f = g->arg;

	f->state[k] = M_STOPPED;
	logf_(f, "leave", k);
}

static void fake_rejoin(struct xlb_vrrp_group *g, size_t k)
{
	struct fake *f = g->arg;

	f->state[k] = M_BACKUP;
	logf_(f, "rejoin", k);
}

static const char *fake_name(struct xlb_vrrp_group *g, size_t k)
{
	static const char *const names[] = { "VI_0", "VI_1", "VI_2", "VI_3" };

	(void)g;
	return k < 4 ? names[k] : "VI_?";
}

static const struct xlb_vrrp_group_ops fake_ops = {
	.set_master = fake_set_master,
	.leave = fake_leave,
	.rejoin = fake_rejoin,
	.name = fake_name,
};

static void setup(struct xlb_vrrp_group *g, struct fake *f, size_t n)
{
	memset(f, 0, sizeof(*f));
	assert_int_equal(xlb_vrrp_group_init(g, "VG1", n, &fake_ops, f), 0);
}

/* A member's own event, as the host reports it; the host then runs the group. */
static void own(struct xlb_vrrp_group *g, struct fake *f, size_t k, enum xlb_vrrp_group_ev ev)
{
	if (ev == XLB_VRRP_GROUP_MASTER)
		f->state[k] = M_MASTER;
	else if (ev == XLB_VRRP_GROUP_BACKUP)
		f->state[k] = M_BACKUP;
	else if (ev == XLB_VRRP_GROUP_FAULT)
		f->state[k] = M_STOPPED;
	else if (ev == XLB_VRRP_GROUP_RECOVER && !xlb_vrrp_group_left(g, k))
		f->state[k] = M_BACKUP;
	assert_true(xlb_vrrp_group_event(g, k, ev));
}

static void test_init_bounds(void **state)
{
	struct xlb_vrrp_group g;
	struct fake f;

	(void)state;
	assert_int_equal(xlb_vrrp_group_init(&g, "G", 1, &fake_ops, &f), -EINVAL);
	assert_int_equal(xlb_vrrp_group_init(&g, "G", XLB_VRRP_GROUP_MAX + 1, &fake_ops, &f),
			 -EINVAL);
	assert_int_equal(xlb_vrrp_group_init(&g, "G", XLB_VRRP_GROUP_MAX, &fake_ops, &f), 0);
	/* a member out of range or no event: nothing to run */
	assert_false(xlb_vrrp_group_event(&g, XLB_VRRP_GROUP_MAX, XLB_VRRP_GROUP_MASTER));
	assert_false(xlb_vrrp_group_event(&g, 0, XLB_VRRP_GROUP_NONE));
}

/* One member becomes master (its peer timed out): the others follow; then back to backup. */
static void test_follow_master_and_backup(void **state)
{
	struct xlb_vrrp_group g;
	struct fake f;

	(void)state;
	setup(&g, &f, 3);
	own(&g, &f, 1, XLB_VRRP_GROUP_MASTER);
	/* nothing happens inside the member's callback: only when the host runs the group */
	assert_string_equal(f.log, "");
	xlb_vrrp_group_run(&g);
	assert_string_equal(f.log, "master0 master2");
	assert_int_equal(g.followed, 2);
	/* run again: the event was acted on once */
	xlb_vrrp_group_run(&g);
	assert_string_equal(f.log, "master0 master2");

	f.log[0] = '\0';
	own(&g, &f, 2, XLB_VRRP_GROUP_BACKUP);
	xlb_vrrp_group_run(&g);
	assert_string_equal(f.log, "backup0 backup1");
	assert_int_equal(f.state[0], M_BACKUP);
	assert_int_equal(f.state[1], M_BACKUP);
}

/*
 * The NAT pair's case: the clients' side (0) loses its link; the gateway (1) leaves too, so the
 * peer takes both. The link back: both rejoin as backups (and preempt by their own adverts).
 */
static void test_fault_leaves_and_recovers(void **state)
{
	struct xlb_vrrp_group g;
	struct fake f;

	(void)state;
	setup(&g, &f, 2);
	own(&g, &f, 0, XLB_VRRP_GROUP_MASTER);
	xlb_vrrp_group_run(&g);
	assert_int_equal(f.state[1], M_MASTER);

	f.log[0] = '\0';
	own(&g, &f, 0, XLB_VRRP_GROUP_FAULT);
	xlb_vrrp_group_run(&g);
	assert_string_equal(f.log, "leave1");
	assert_true(xlb_vrrp_group_left(&g, 1));
	assert_false(xlb_vrrp_group_left(&g, 0));

	f.log[0] = '\0';
	own(&g, &f, 0, XLB_VRRP_GROUP_RECOVER);
	xlb_vrrp_group_run(&g);
	assert_string_equal(f.log, "rejoin1");
	assert_false(xlb_vrrp_group_left(&g, 1));
	assert_int_equal(f.state[0], M_BACKUP);
	assert_int_equal(f.state[1], M_BACKUP);
}

/* Two members faulted: the group comes back only when the last one recovers. */
static void test_two_faults(void **state)
{
	struct xlb_vrrp_group g;
	struct fake f;

	(void)state;
	setup(&g, &f, 3);
	own(&g, &f, 0, XLB_VRRP_GROUP_FAULT);
	xlb_vrrp_group_run(&g);
	assert_string_equal(f.log, "leave1 leave2");
	/* 1, stopped by the group, now faults on its own too: nothing more to do */
	own(&g, &f, 1, XLB_VRRP_GROUP_FAULT);
	xlb_vrrp_group_run(&g);
	assert_string_equal(f.log, "leave1 leave2");

	own(&g, &f, 0, XLB_VRRP_GROUP_RECOVER);
	xlb_vrrp_group_run(&g);
	assert_string_equal(f.log, "leave1 leave2"); /* 1 is still faulted */
	assert_int_equal(f.state[2], M_STOPPED);

	f.log[0] = '\0';
	own(&g, &f, 1, XLB_VRRP_GROUP_RECOVER);
	xlb_vrrp_group_run(&g);
	/* 1 was left as well as faulted: it rejoins with 2 */
	assert_string_equal(f.log, "rejoin1 rejoin2");
	assert_int_equal(f.state[0], M_BACKUP);
	assert_int_equal(f.state[1], M_BACKUP);
	assert_int_equal(f.state[2], M_BACKUP);
}

/*
 * Events queued before the group runs: the oldest first, and a member's newer event replaces
 * its older one (a fault and recovery in one loop pass is no fault).
 */
static void test_queue_order(void **state)
{
	struct xlb_vrrp_group g;
	struct fake f;

	(void)state;
	setup(&g, &f, 3);
	own(&g, &f, 2, XLB_VRRP_GROUP_FAULT);
	own(&g, &f, 2, XLB_VRRP_GROUP_RECOVER);
	own(&g, &f, 0, XLB_VRRP_GROUP_MASTER);
	xlb_vrrp_group_run(&g);
	assert_string_equal(f.log, "master1 master2");

	/* 1 faults, then (older event first) 0's stale master is ignored: 0 was left by then */
	f.log[0] = '\0';
	own(&g, &f, 1, XLB_VRRP_GROUP_FAULT);
	assert_true(xlb_vrrp_group_event(&g, 0, XLB_VRRP_GROUP_MASTER));
	xlb_vrrp_group_run(&g);
	assert_string_equal(f.log, "leave0 leave2");
	assert_int_equal(f.state[0], M_STOPPED);
}

/* A faulted or left member's master/backup is stale: the others are not moved by it. */
static void test_stale_events(void **state)
{
	struct xlb_vrrp_group g;
	struct fake f;

	(void)state;
	setup(&g, &f, 2);
	own(&g, &f, 0, XLB_VRRP_GROUP_FAULT);
	xlb_vrrp_group_run(&g);
	f.log[0] = '\0';
	assert_true(xlb_vrrp_group_event(&g, 1, XLB_VRRP_GROUP_MASTER));
	assert_true(xlb_vrrp_group_event(&g, 0, XLB_VRRP_GROUP_BACKUP));
	xlb_vrrp_group_run(&g);
	assert_string_equal(f.log, "");
	assert_int_equal(g.followed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_bounds),
		cmocka_unit_test(test_follow_master_and_backup),
		cmocka_unit_test(test_fault_leaves_and_recovers),
		cmocka_unit_test(test_two_faults),
		cmocka_unit_test(test_queue_order),
		cmocka_unit_test(test_stale_events),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
