// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of the config walk (user/config/walk.c, keys.c): YAML syntax, keys unknown, missing,
 * duplicate or of the wrong kind, the error list (every mistake in one run, in file order,
 * capped), the map limits, nesting, files that cannot be read, and addresses.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "config_test.h"

/* Test that a file that cannot be read is an errno, with no config errors. */
static void test_file_errors(void **state)
{
	struct xlb_cfg_errors errs;
	struct xlb_config cfg;

	(void)state;
	assert_int_equal(xlb_cfg_parse_file("configs/no-such-file.yaml", &cfg, &errs), -ENOENT);
	assert_int_equal(errs.n, 0);
	assert_null(errs.v);
	assert_null(cfg.path);
	assert_int_equal(xlb_cfg_parse_file("/", &cfg, &errs), -EISDIR);
	assert_int_equal(errs.n, 0);
}

/* Invalid configs: one mistake each, at an exact position. */

static const struct bad_case walk_cases[] = {
	/* YAML itself */
	{ "syntax: bad indentation",
	  "interfaces:\n"
	  "  - name: eth0\n"
	  "   xdp_mode: auto\n",
	  3, 4, "YAML syntax error: did not find expected '-' indicator" },
	{ "syntax: unterminated quote",
	  "interfaces: [{name: \"eth0}]\n"
	  "vips: []\n",
	  3, 1, "YAML syntax error: found unexpected end of stream" },
	{ "syntax: unclosed flow list",
	  "interfaces: [{name: eth0}\n"
	  "vips: []\n",
	  2, 1, "did not find expected ',' or ']'" },
	{ "syntax: tab indentation",
	  "interfaces:\n"
	  "\t- name: eth0\n",
	  2, 1, "found character that cannot start any token" },
	{ "syntax: invalid UTF-8",
	  IFACE
	  "vips: [] # \xff\n",
	  2, 12, "invalid leading UTF-8 octet" },
	{ "empty config",
	  "# nothing here\n",
	  1, 1, "config is empty" },
	{ "top level is a list",
	  "- interfaces\n"
	  "- vips\n",
	  1, 1, "top level must be a mapping, not a list" },
	{ "top level is a scalar",
	  "interfaces\n",
	  1, 1, "top level must be a mapping, not a scalar" },
	{ "two documents",
	  IFACE
	  "vips: []\n"
	  "---\n"
	  "vips: []\n",
	  3, 1, "only one YAML document is allowed" },
	{ "alias",
	  "interfaces: &i [{name: eth0}]\n"
	  "vips: *i\n",
	  2, 7, "YAML aliases are not supported" },
	{ "key is not a scalar",
	  IFACE
	  "vips: []\n"
	  "[a]: 1\n",
	  3, 1, "keys must be scalars, not a list" },
	{ "duplicate key",
	  IFACE VIP80
	  "    backends: []\n"
	  "    port: 81\n",
	  6, 5, "duplicate key 'port' (first at line 4)" },

	/* keys: unknown, missing, wrong kind */
	{ "unknown top-level key",
	  IFACE
	  "vips: []\n"
	  "health: {}\n",
	  3, 1, "unknown key 'health' at the top level" },
	{ "unknown key in vip (typo)",
	  IFACE
	  "vips:\n"
	  "  - adress: 203.0.113.1\n"
	  "    port: 80\n"
	  "    backends: []\n",
	  3, 5, "unknown key 'adress' in vip", 2 },
	{ "missing address, reported at the entry",
	  IFACE
	  "vips:\n"
	  "  - adress: 203.0.113.1\n"
	  "    port: 80\n"
	  "    backends: []\n",
	  3, 5, "missing required key 'address' in vip", 2 },
	{ "missing interfaces",
	  "vips: []\n",
	  1, 1, "missing required key 'interfaces' at the top level" },
	{ "missing vips",
	  "\n"
	  IFACE,
	  2, 1, "missing required key 'vips'" },
	{ "missing port",
	  IFACE
	  "vips:\n"
	  "  - name: web\n"
	  "    address: 203.0.113.1\n"
	  "    backends: []\n",
	  3, 5, "missing required key 'port' in vip" },
	{ "missing backends",
	  IFACE
	  "vips:\n"
	  "  - {address: 203.0.113.1, port: 80}\n",
	  3, 5, "missing required key 'backends' in vip" },
	{ "missing backend address",
	  IFACE BACKENDS
	  "      - weight: 5\n",
	  6, 9, "missing required key 'address' in backend" },
	{ "missing interface name",
	  "interfaces:\n"
	  "  - xdp_mode: native\n"
	  "vips: []\n",
	  2, 5, "missing required key 'name' in interface" },
	{ "interfaces is a scalar",
	  "interfaces: eth0\n"
	  "vips: []\n",
	  1, 13, "'interfaces' must be a list, not a scalar" },
	{ "interfaces has no value",
	  "interfaces:\n"
	  "vips: []\n",
	  1, 12, "'interfaces' must be a list, not an empty value" },
	{ "port is a list",
	  IFACE
	  "vips:\n"
	  "  - address: 203.0.113.1\n"
	  "    port: [80, 443]\n"
	  "    backends: []\n",
	  4, 11, "'port' must be a scalar, not a list" },
	{ "maglev is a list",
	  IFACE
	  "maglev: [65537]\n"
	  "vips: []\n",
	  2, 9, "'maglev' must be a mapping, not a list" },
	{ "name has no value",
	  IFACE
	  "vips:\n"
	  "  - name:\n"
	  "    address: 203.0.113.1\n"
	  "    port: 80\n"
	  "    backends: []\n",
	  3, 10, "missing value for 'name'" },
	{ "vip entry is not a mapping",
	  IFACE
	  "vips:\n"
	  "  - 203.0.113.1:80\n",
	  3, 5, "an entry of 'vips' must be a mapping, not a scalar" },
	{ "NUL in a value",
	  "interfaces: [{name: \"et\\0h0\"}]\n"
	  "vips: []\n",
	  1, 21, "'name' contains a NUL character" },

};

/* Test that one run reports every mistake, in file order. */
static void test_many_errors(void **state)
{
	static const char yaml[] =
		"interfaces:\n"                /* 1 */
		"  - name: eth0\n"             /* 2 */
		"    xdp_mode: turbo\n"        /* 3 */
		"maglev:\n"                    /* 4 */
		"  table_size: 100\n"          /* 5 */
		"vips:\n"                      /* 6 */
		"  - address: 203.0.113.1\n"   /* 7 */
		"    port: 99999\n"            /* 8 */
		"    protocol: sctp\n"         /* 9 */
		"    backends:\n"              /* 10 */
		"      - address: 192.0.2.1\n" /* 11 */
		"        weight: heavy\n"      /* 12 */
		"      - address: 192.0.2.1\n" /* 13 */
		"  - port: 80\n"               /* 14 */
		"    backends: []\n"           /* 15 */
		"    colour: blue\n";          /* 16 */
	static const struct {
		unsigned int line, col;
		const char *msg;
	} want[] = {
		{ 3, 15, "bad xdp_mode 'turbo'" },
		{ 5, 15, "table_size 100 is not prime (try 101)" },
		{ 8, 11, "port 99999 is out of range" },
		{ 9, 15, "bad protocol 'sctp'" },
		{ 12, 17, "weight 'heavy' is not a decimal integer" },
		{ 13, 18, "duplicate backend 192.0.2.1 (first at line 11)" },
		{ 14, 5, "missing required key 'address' in vip" },
		{ 16, 5, "unknown key 'colour' in vip" },
	};
	struct xlb_cfg_errors errs;
	struct xlb_config cfg;
	size_t i;

	(void)state;
	assert_int_equal(parse(yaml, &cfg, &errs), -EINVAL);
	if (errs.n != sizeof(want) / sizeof(want[0]))
		dump_errors(&errs);
	assert_int_equal(errs.n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < errs.n; i++) {
		assert_int_equal(errs.v[i].pos.line, want[i].line);
		assert_int_equal(errs.v[i].pos.col, want[i].col);
		assert_non_null(strstr(errs.v[i].msg, want[i].msg));
	}
	xlb_cfg_errors_free(&errs);
	assert_null(errs.v);
}

/* Test that a flood of mistakes is cut off rather than printed without end. */
static void test_error_cap(void **state)
{
	struct xlb_cfg_errors errs;
	struct xlb_config cfg;
	char *yaml;
	size_t len;
	FILE *f;
	int i;

	(void)state;
	f = yaml_stream(&yaml, &len);
	fprintf(f, IFACE "vips:\n");
	for (i = 0; i < 150; i++)
		fprintf(f, "  - {address: 203.0.113.%d, port: x, backends: []}\n", i);
	fclose(f);
	assert_int_equal(parse(yaml, &cfg, &errs), -EINVAL);
	assert_int_equal(errs.n, 100);
	assert_non_null(strstr(errs.v[0].msg, "port 'x'"));
	assert_non_null(strstr(errs.v[99].msg, "too many errors"));
	xlb_cfg_errors_free(&errs);
	free(yaml);
}

/* One VIP with n backends, backend i on line 6 + i. */
static void vip_with_backends(FILE *f, int n)
{
	int i;

	fprintf(f, IFACE "vips:\n  - address: 203.0.113.1\n    port: 80\n    backends:\n");
	for (i = 0; i < n; i++)
		fprintf(f, "      - {address: 10.%d.%d.1}\n", i / 256, i % 256);
}

/*
 * Test that the map limits are enforced, at the first entry past each; fallbacks count. So does
 * the advert's limit on virtual addresses.
 */
static void test_limits(void **state)
{
	char *yaml;
	size_t len;
	FILE *f;
	int i;

	(void)state;
	f = yaml_stream(&yaml, &len);
	fprintf(f, IFACE "vips:\n"); /* VIP i on line 3 + i */
	for (i = 0; i <= XLB_MAX_VIPS; i++)
		fprintf(f, "  - {address: 10.0.%d.%d, port: 80, backends: []}\n", i / 256, i % 256);
	fclose(f);
	refused_once(yaml, 3 + XLB_MAX_VIPS, 5, "too many VIPs");
	free(yaml);

	f = yaml_stream(&yaml, &len);
	vip_with_backends(f, XLB_MAX_BACKENDS + 1);
	fclose(f);
	refused_once(yaml, 6 + XLB_MAX_BACKENDS, 9, "too many backends");
	free(yaml);

	/* A fallback takes a backend id too. */
	f = yaml_stream(&yaml, &len);
	vip_with_backends(f, XLB_MAX_BACKENDS);
	fprintf(f, "    fallback: 192.0.2.50\n");
	fclose(f);
	refused_once(yaml, 6 + XLB_MAX_BACKENDS, 15, "too many backends");
	free(yaml);

	/* An advert counts its addresses in 8 bits. */
	f = yaml_stream(&yaml, &len);
	fprintf(f, IFACE "vips: []\nfailover:\n  mode: vrrp\n  vrrp:\n    interface: eth0\n"
		       "    vrid: 1\n    virtual_addresses:\n");
	for (i = 0; i <= 255; i++) /* address i on line 9 + i */
		fprintf(f, "      - 10.%d.%d.1\n", i / 256, i % 256);
	fclose(f);
	refused_once(yaml, 9 + 255, 9, "too many virtual addresses (at most 255");
	free(yaml);
}

/* Test the "file:line:col: message" format the operator sees. */
static void test_errors_print(void **state)
{
	struct xlb_cfg_errors errs;
	struct xlb_config cfg;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(parse("interfaces: []\nvips: []\nfoo: 1\n", &cfg, &errs), -EINVAL);
	f = open_memstream(&out, &len);
	assert_non_null(f);
	xlb_cfg_errors_print(&errs, "xlbd.yaml", f);
	fclose(f);
	assert_string_equal(out,
			    "xlbd.yaml:1:13: 'interfaces' must list at least one interface\n"
			    "xlbd.yaml:3:1: unknown key 'foo' at the top level "
			    "(expected interfaces, maglev, vips, notify, failover, control, tunnel, "
			    "timeouts, announce, metrics)\n");
	free(out);
	xlb_cfg_errors_free(&errs);
}

/* Addresses. */

/* Test that addresses survive parse -> str in canonical form, in the maps' layout. */
static void test_addr_round_trip(void **state)
{
	static const struct {
		const char *in, *out;
		uint8_t family;
	} cases[] = {
		{ "192.0.2.1", "192.0.2.1", XLB_FAMILY_V4 },
		{ "0.0.0.0", "0.0.0.0", XLB_FAMILY_V4 },
		{ "255.255.255.255", "255.255.255.255", XLB_FAMILY_V4 },
		{ "2001:db8::1", "2001:db8::1", XLB_FAMILY_V6 },
		{ "2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1", XLB_FAMILY_V6 },
		{ "::", "::", XLB_FAMILY_V6 },
		{ "::1", "::1", XLB_FAMILY_V6 },
		{ "fe80::1:2:3:4", "fe80::1:2:3:4", XLB_FAMILY_V6 },
		{ "::ffff:192.0.2.1", "::ffff:192.0.2.1", XLB_FAMILY_V6 },
	};
	char buf[INET6_ADDRSTRLEN];
	struct xlb_addr a, b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(xlb_addr_parse(cases[i].in, &a), 0);
		assert_int_equal(a.family, cases[i].family);
		assert_string_equal(xlb_addr_str(&a, buf, sizeof(buf)), cases[i].out);
		assert_int_equal(xlb_addr_parse(buf, &b), 0);
		assert_int_equal(b.family, a.family);
		assert_memory_equal(b.w, a.w, sizeof(a.w));
	}

	/* IPv4 in w[0], network order, the rest zero. */
	assert_int_equal(xlb_addr_parse("192.0.2.1", &a), 0);
	assert_int_equal(a.w[0], htonl(0xc0000201));
	assert_int_equal(a.w[1] | a.w[2] | a.w[3], 0);
	assert_int_equal(xlb_addr_parse("2001:db8::1", &a), 0);
	assert_int_equal(a.w[0], htonl(0x20010db8));
	assert_int_equal(a.w[3], htonl(1));

	/* A buffer too small, or no family, gives "?" rather than garbage. */
	assert_string_equal(xlb_addr_str(&a, buf, 4), "?");
	a.family = XLB_FAMILY_NONE;
	assert_string_equal(xlb_addr_str(&a, buf, sizeof(buf)), "?");
}

/* Test that only plain IPv4 / IPv6 literals parse, and a failure leaves the output alone. */
static void test_addr_parse_invalid(void **state)
{
	static const char *const bad[] = {
		"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "0x7f.0.0.1", " 1.2.3.4",
		"1.2.3.4 ", "1.2.3.4/32", "2001:db8::1::2", "2001:db8::g", "fe80::1%eth0",
		"[2001:db8::1]", "localhost",
	};
	struct xlb_addr a = { .family = 99 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (xlb_addr_parse(bad[i], &a) != -EINVAL)
			fail_msg("'%s' parsed", bad[i]);
		assert_int_equal(a.family, 99);
	}
}

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * Parse yaml, which must be refused; whether an error at line:col says msg (shown when it does
 * not and want), and the CPU ms it took.
 */
static bool refused_at(const char *yaml, unsigned int line, unsigned int col, const char *msg,
		       bool want, double *ms)
{
	struct xlb_cfg_errors errs;
	struct xlb_config cfg;
	double t0 = cpu_ms();
	bool found = false;
	size_t i;

	assert_int_equal(parse(yaml, &cfg, &errs), -EINVAL);
	*ms = cpu_ms() - t0;
	for (i = 0; i < errs.n; i++)
		if (errs.v[i].pos.line == line && errs.v[i].pos.col == col &&
		    strstr(errs.v[i].msg, msg))
			found = true;
	if (!found && want) {
		print_error("want an error at %u:%u containing \"%s\", got:\n", line, col, msg);
		dump_errors(&errs);
	}
	xlb_cfg_errors_free(&errs);
	return found;
}

/*
 * Test that nesting deeper than 64 collections is refused where it goes past 64, at once: 40k
 * '[' after "vips: " kept libyaml busy for seconds, on the loop, at a reload.
 */
static void test_nesting_bound(void **state)
{
	const int deep = 40000;
	char *yaml = malloc(deep + 64);
	double ms;
	int i;

	(void)state;
	assert_non_null(yaml);
	/* The top mapping is level 1, so the 64th '[' (column 7 + 63) is level 65. */
	for (const char *open = "[{"; *open; open++) {
		strcpy(yaml, "vips: ");
		memset(yaml + 6, *open, deep);
		yaml[6 + deep] = '\0';
		assert_true(refused_at(yaml, 1, 70, "nested deeper than 64 levels", true, &ms));
		if (ms > 200)
			fail_msg("40000 '%c' took %.0f ms of CPU to refuse", *open, ms);
	}

	/* Block nesting counts alike: key i sits on line i + 1, at column i + 1. */
	yaml[0] = '\0';
	for (i = 0; i < 70; i++)
		sprintf(yaml + strlen(yaml), "%*sk%d:\n", i, "", i);
	assert_true(refused_at(yaml, 65, 65, "nested deeper than 64 levels", true, &ms));

	/* 64 levels are not refused for their depth. */
	strcpy(yaml, "vips: ");
	memset(yaml + 6, '[', 63);
	memset(yaml + 69, ']', 63);
	yaml[132] = '\0';
	assert_false(refused_at(yaml, 1, 70, "nested deeper", false, &ms));
	free(yaml);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_many_errors),
		cmocka_unit_test(test_error_cap),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_nesting_bound),
		cmocka_unit_test(test_errors_print),
		cmocka_unit_test(test_addr_round_trip),
		cmocka_unit_test(test_addr_parse_invalid),
	};

	return run_config_tests("config_walk", tests, sizeof(tests) / sizeof(tests[0]), walk_cases,
				sizeof(walk_cases) / sizeof(walk_cases[0]));
}
