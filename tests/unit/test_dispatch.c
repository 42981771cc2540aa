// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the per-VIP policy tables (user/dispatch/sched.c, fwd.c): every enum value has
 * a row whose name reads back to it, the config's words (keepalived's spellings too) find their
 * row without case, what xlb does not implement is refused as "not yet" rather than "unknown",
 * and an implemented scheduler's builder fills a table.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dispatch/fwd.h"
#include "dispatch/maglev.h"
#include "dispatch/sched.h"
#include "xlb/abi.h"

static const struct {
	unsigned int id;
	const char *name;
	bool implemented;
} sched_rows[] = {
	{ XLB_SCHED_MAGLEV, "maglev", true },
	{ XLB_SCHED_SH, "sh", true },
	{ XLB_SCHED_WRR, "wrr", true },
	{ XLB_SCHED_WLC, "wlc", true },
	{ XLB_SCHED_RR, "rr", true },
	{ XLB_SCHED_LC, "lc", true },
};

/* Each row is at its id, named as xlbctl shows it, with a builder exactly when implemented. */
static void test_sched_rows(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sched_rows) / sizeof(sched_rows[0]); i++) {
		const struct xlb_scheduler *s = xlb_sched_get(sched_rows[i].id);

		assert_non_null(s);
		assert_int_equal(s->id, sched_rows[i].id);
		assert_string_equal(s->name, sched_rows[i].name);
		assert_string_equal(xlb_sched_name(sched_rows[i].id), sched_rows[i].name);
		assert_int_equal(s->implemented, sched_rows[i].implemented);
		assert_int_equal(s->build != NULL, s->implemented);
		assert_int_equal(s->size != NULL, s->implemented);
		assert_non_null(s->aliases[0]);
	}
	assert_null(xlb_sched_get(XLB_SCHED_LC + 1));
	assert_string_equal(xlb_sched_name(200), "unknown");
}

/* Every alias of an implemented row finds that row, in any case; the name is one of them. */
static void test_sched_lookup(void **state)
{
	static const struct {
		const char *word;
		int err;
		unsigned int id;
	} cases[] = {
		{ "maglev", 0, XLB_SCHED_MAGLEV },
		{ "MAGLEV", 0, XLB_SCHED_MAGLEV },
		{ "mh", 0, XLB_SCHED_MAGLEV },
		{ "Mh", 0, XLB_SCHED_MAGLEV },
		/* keepalived's lb_algo names: rr wrr lc wlc sh mh. */
		{ "sh", 0, XLB_SCHED_SH },
		{ "wrr", 0, XLB_SCHED_WRR },
		{ "WLC", 0, XLB_SCHED_WLC },
		{ "rr", 0, XLB_SCHED_RR },
		{ "lc", 0, XLB_SCHED_LC },
		/* keepalived's other lb_algo names: known, not yet. */
		{ "lblcr", -EOPNOTSUPP },
		{ "dh", -EOPNOTSUPP },
		{ "twos", -EOPNOTSUPP },
		{ "random", -ENOENT },
		{ "", -ENOENT },
		{ "maglev ", -ENOENT },
	};
	const struct xlb_scheduler *s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = NULL;
		assert_int_equal(xlb_sched_lookup(cases[i].word, &s), cases[i].err);
		if (cases[i].err)
			assert_null(s);
		else
			assert_int_equal(s->id, cases[i].id);
	}
	/* The name xlbctl shows reads back through the config's words. */
	assert_int_equal(xlb_sched_lookup(xlb_sched_name(XLB_SCHED_MAGLEV), &s), 0);
	assert_int_equal(s->id, XLB_SCHED_MAGLEV);
}

/* maglev's row builds what xlb_maglev_build() builds. */
static void test_sched_build(void **state)
{
	static const uint8_t k[2][4] = { { 192, 0, 2, 1 }, { 192, 0, 2, 2 } };
	const struct xlb_sched_backend be[] = {
		{ k[0], sizeof(k[0]), 100, 7 },
		{ k[1], sizeof(k[1]), 100, 9 },
	};
	uint32_t a[13], b[13];
	const struct xlb_scheduler *s = xlb_sched_get(XLB_SCHED_MAGLEV);

	(void)state;
	assert_int_equal(s->build(be, 2, a, 13), 0);
	assert_int_equal(xlb_maglev_build(be, 2, b, 13), 0);
	assert_memory_equal(a, b, sizeof(a));
}

static void test_fwd_rows(void **state)
{
	static const struct {
		unsigned int id;
		const char *name;
		bool implemented, needs_mac, backend_port;
	} rows[] = {
		{ XLB_FWD_DR, "dr", true, true, false },
		{ XLB_FWD_TUN, "tun", true, false, false },
		{ XLB_FWD_NAT, "nat", true, false, true },
	};
	const struct xlb_fwd_mode *f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		f = xlb_fwd_get(rows[i].id);
		assert_non_null(f);
		assert_int_equal(f->id, rows[i].id);
		assert_string_equal(f->name, rows[i].name);
		assert_string_equal(xlb_fwd_name(rows[i].id), rows[i].name);
		assert_int_equal(f->implemented, rows[i].implemented);
		assert_int_equal(f->needs_mac, rows[i].needs_mac);
		assert_int_equal(f->backend_port, rows[i].backend_port);
	}
	assert_null(xlb_fwd_get(XLB_FWD_NAT + 1));
	assert_string_equal(xlb_fwd_name(200), "unknown");
}

static void test_fwd_lookup(void **state)
{
	/* Without case; keepalived's NAT, ipvsadm's masq. */
	static const struct {
		const char *word;
		unsigned int id;
	} words[] = {
		{ "dr", XLB_FWD_DR },	{ "DR", XLB_FWD_DR },	{ "TUN", XLB_FWD_TUN },
		{ "NAT", XLB_FWD_NAT }, { "Masq", XLB_FWD_NAT },
	};
	const struct xlb_fwd_mode *f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		f = NULL;
		assert_int_equal(xlb_fwd_lookup(words[i].word, &f), 0);
		assert_int_equal(f->id, words[i].id);
	}
	f = NULL;
	assert_int_equal(xlb_fwd_lookup("gre", &f), -ENOENT);
	assert_int_equal(xlb_fwd_lookup("", &f), -ENOENT);
	assert_null(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sched_rows),
		cmocka_unit_test(test_sched_lookup),
		cmocka_unit_test(test_sched_build),
		cmocka_unit_test(test_fwd_rows),
		cmocka_unit_test(test_fwd_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
