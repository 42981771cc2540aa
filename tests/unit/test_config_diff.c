// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of reload's report (user/config/diff.c): VIPs added, removed and changed by name,
 * backends added, removed and reweighted by address and port, the line it logs and the JSON it
 * replies with.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "common/output.h"
#include "config/diff.h"
#include "config_test.h"

/* web on 203.0.113.1:80 with b1 and b2 (weight 100), then what a case adds. */
#define WEB(b2, rest)                                   \
	IFACE                                           \
	"vips:\n"                                       \
	"  - name: web\n"                               \
	"    address: 203.0.113.1\n"                    \
	"    port: 80\n"                                \
	rest                                            \
	"    backends:\n"                               \
	"      - {address: 192.0.2.11, weight: 100}\n"  \
	"      - {address: 192.0.2.12, weight: " b2 "}\n"

static void diff(const char *a, const char *b, struct xlb_cfg_changes *c)
{
	struct xlb_config old, new;

	parse_ok(a, &old);
	parse_ok(b, &new);
	assert_int_equal(xlb_cfg_diff(&old, &new, c), 0);
	xlb_cfg_free(&old);
	xlb_cfg_free(&new);
}

static void assert_line(const struct xlb_cfg_changes *c, size_t max, const char *want)
{
	char line[512];

	xlb_cfg_changes_line(c, max, line, sizeof(line));
	assert_string_equal(line, want);
}

/* Test that the same config twice changes nothing, and says so. */
static void test_nothing(void **state)
{
	struct xlb_cfg_changes c;

	(void)state;
	diff(WEB("100", ""), WEB("100", ""), &c);
	assert_int_equal(c.n, 0);
	assert_line(&c, 8, "nothing changed");
	xlb_cfg_changes_free(&c);
}

/* Test that a new weight is a reweight, with both weights, on the VIP's port. */
static void test_reweight(void **state)
{
	struct xlb_cfg_changes c;

	(void)state;
	diff(WEB("100", ""), WEB("50", ""), &c);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.count[XLB_CHG_BACKEND_REWEIGHTED], 1);
	assert_int_equal(c.v[0].from, 100);
	assert_int_equal(c.v[0].to, 50);
	assert_line(&c, 8, "backend 192.0.2.12:80 of web weight 100 -> 50");
	xlb_cfg_changes_free(&c);
}

/* Test that backends are added and removed by address; a new VIP does not list its backends. */
static void test_add_remove(void **state)
{
	const char *b = IFACE
		"vips:\n"
		"  - name: web\n"
		"    address: 203.0.113.1\n"
		"    port: 80\n"
		"    backends:\n"
		"      - {address: 192.0.2.11, weight: 100}\n"
		"      - {address: 192.0.2.13, weight: 7}\n"
		"  - name: api\n"
		"    address: 2001:db8::1\n"
		"    port: 443\n"
		"    backends: [{address: 2001:db8::11}]\n";
	struct xlb_cfg_changes c;

	(void)state;
	diff(WEB("100", ""), b, &c);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.count[XLB_CHG_BACKEND_ADDED], 1);
	assert_int_equal(c.count[XLB_CHG_BACKEND_REMOVED], 1);
	assert_int_equal(c.count[XLB_CHG_VIP_ADDED], 1);
	assert_line(&c, 8, "backend 192.0.2.13:80 of web added (weight 7); "
			   "backend 192.0.2.12:80 of web removed; vip api added");
	/* Past max, the line counts what it left out. */
	assert_line(&c, 1, "backend 192.0.2.13:80 of web added (weight 7); and 2 more");
	xlb_cfg_changes_free(&c);

	/* And back: api removed (last), 192.0.2.12 back. */
	diff(b, WEB("100", ""), &c);
	assert_int_equal(c.count[XLB_CHG_VIP_REMOVED], 1);
	assert_int_equal(c.v[c.n - 1].kind, XLB_CHG_VIP_REMOVED);
	assert_string_equal(c.v[c.n - 1].vip, "api");
	xlb_cfg_changes_free(&c);
}

/* Test that a VIP's own settings are one change naming each of them, old -> new. */
static void test_vip_changed(void **state)
{
	struct xlb_cfg_changes c;

	(void)state;
	diff(WEB("100", ""),
	     WEB("100", "    scheduler: wrr\n    persistence_timeout: 600\n"), &c);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.v[0].kind, XLB_CHG_VIP_CHANGED);
	assert_line(&c, 8, "vip web: scheduler maglev -> wrr, persistence_timeout 0 -> 600 s");
	xlb_cfg_changes_free(&c);
}

/* Test that a nat backend is told by its own port, and a new port is a new backend. */
static void test_nat_port(void **state)
{
	const char *a = IFACE
		"vips:\n"
		"  - {name: n, address: 203.0.113.1, port: 80, forwarding: nat,\n"
		"     backends: [{address: 192.0.2.11, port: 8080}]}\n";
	const char *b = IFACE
		"vips:\n"
		"  - {name: n, address: 203.0.113.1, port: 80, forwarding: nat,\n"
		"     backends: [{address: 192.0.2.11, port: 8081}]}\n";
	struct xlb_cfg_changes c;

	(void)state;
	diff(a, b, &c);
	assert_line(&c, 8, "backend 192.0.2.11:8081 of n added (weight 100); "
			   "backend 192.0.2.11:8080 of n removed");
	xlb_cfg_changes_free(&c);
}

/* Test that a line too short for every change holds whole ones and counts the rest. */
static void test_line_fits(void **state)
{
	const char *b = WEB("50", "    scheduler: sh\n");
	struct xlb_cfg_changes c;
	char line[64];

	(void)state;
	diff(WEB("100", ""), b, &c);
	xlb_cfg_changes_line(&c, 8, line, sizeof(line));
	assert_string_equal(line, "vip web: scheduler maglev -> sh; and 1 more");
	/* Too short for the first: only the count. */
	xlb_cfg_changes_line(&c, 8, line, 40);
	assert_string_equal(line, "and 2 more");
	xlb_cfg_changes_free(&c);
}

/* Test the reply's members: exact counts, details up to max, how many were left out. */
static void test_json(void **state)
{
	struct xlb_cfg_changes c;
	struct xlb_json j;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	diff(WEB("100", ""), WEB("50", "    scheduler: sh\n"), &c);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	xlb_json_init(&j, f);
	xlb_json_object_begin(&j);
	xlb_cfg_changes_json(&c, 1, &j);
	xlb_json_object_end(&j);
	assert_int_equal(xlb_json_finish(&j), 0);
	fclose(f);
	assert_string_equal(text,
		"{\"changes\":{\"vips_added\":0,\"vips_removed\":0,\"vips_changed\":1,"
		"\"backends_added\":0,\"backends_removed\":0,\"backends_reweighted\":1,"
		"\"details\":[{\"change\":\"vip_changed\",\"vip\":\"web\","
		"\"what\":\"scheduler maglev -> sh\"}],\"details_omitted\":1},"
		"\"summary\":\"vip web: scheduler maglev -> sh; "
		"backend 192.0.2.12:80 of web weight 100 -> 50\"}\n");
	free(text);
	xlb_cfg_changes_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing),
		cmocka_unit_test(test_reweight),
		cmocka_unit_test(test_add_remove),
		cmocka_unit_test(test_vip_changed),
		cmocka_unit_test(test_nat_port),
		cmocka_unit_test(test_line_fits),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
