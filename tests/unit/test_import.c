// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test that xlbctl import-keepalived turns each tests/data/keepalived-import/NAME.conf into
 * exactly NAME.yaml on stdout and NAME.err on stderr, exits with NAME.rc (0 without one), and
 * that every YAML it prints is a config xlb's own parser accepts. NAME.args, when there is one,
 * holds the arguments before the file (blank-separated words), run through the command's own
 * argument parser. The machine's routes and addresses come from a fake: 198.51.100.0/24 via
 * eth1 from 198.51.100.2, 10.0.0.0/8 unreachable, the rest via eth0 from 192.0.2.2.
 * `test_import --write` rewrites the expected files from the importer (review the diff).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "import/import.h"

static const char *const cases[] = {
	"seed", "dr_http", "checks", "vrrp_full", "sync", "sync_nopeer", "include",
	"parse_error", "missing_include", "clean", "globals", "quoted", "groups3", "group_one",
	"group_missing", "auth_trunc", "names", "sync_opts", "sync_opts6", "sync_noroute",
	"sync_half", "sync_badpeer", "sync_v6peer",
};

static int write_mode;

static int fake_route(void *ctx, const char *addr, char *name, size_t len)
{
	(void)ctx;
	if (!strncmp(addr, "10.", 3))
		return -ENETUNREACH;
	snprintf(name, len, "%s", !strncmp(addr, "198.51.100.", 11) ? "eth1" : "eth0");
	return 0;
}

static int fake_ipv4(void *ctx, const char *ifname, char *addr, size_t len)
{
	(void)ctx;
	if (strcmp(ifname, "eth0"))
		return -EADDRNOTAVAIL;
	snprintf(addr, len, "192.0.2.2");
	return 0;
}

static int fake_src(void *ctx, const char *addr, char *src, size_t len)
{
	(void)ctx;
	if (!strncmp(addr, "10.", 3))
		return -ENETUNREACH;
	snprintf(src, len, "%s", !strncmp(addr, "198.51.100.", 11) ? "198.51.100.2" :
				 strchr(addr, ':') ? "2001:db8::2" : "192.0.2.2");
	return 0;
}

static const struct xlb_import_env fake_env = { fake_route, fake_ipv4, fake_src, NULL };

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	int c;

	if (!f)
		return NULL;
	m = open_memstream(&buf, &len);
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(m);
	fclose(f);
	return buf;
}

static void spill(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void check_case(const char *name)
{
	char path[256], conf[256], *out = NULL, *err = NULL, *want, *args, *w;
	char *argv[16] = { "import-keepalived" };
	size_t olen = 0, elen = 0;
	FILE *o = open_memstream(&out, &olen), *e = open_memstream(&err, &elen);
	int rc, want_rc = 0, argc = 1;

	snprintf(path, sizeof(path), "%s.args", name);
	args = slurp(path);
	for (w = args ? strtok(args, " \t\n") : NULL; w && argc < 15; w = strtok(NULL, " \t\n"))
		argv[argc++] = w;
	snprintf(conf, sizeof(conf), "%s.conf", name);
	argv[argc++] = conf;
	rc = xlb_import_main(argc, argv, &fake_env, o, e);
	free(args);
	fclose(o);
	fclose(e);
	if (write_mode) {
		char rcs[8];

		snprintf(path, sizeof(path), "%s.yaml", name);
		spill(path, out);
		snprintf(path, sizeof(path), "%s.err", name);
		spill(path, err);
		snprintf(path, sizeof(path), "%s.rc", name);
		snprintf(rcs, sizeof(rcs), "%d\n", rc);
		spill(path, rcs);
		free(out);
		free(err);
		return;
	}
	snprintf(path, sizeof(path), "%s.rc", name);
	want = slurp(path);
	if (want)
		want_rc = atoi(want);
	free(want);
	assert_int_equal(rc, want_rc);
	snprintf(path, sizeof(path), "%s.yaml", name);
	want = slurp(path);
	assert_non_null(want);
	assert_string_equal(out, want);
	free(want);
	snprintf(path, sizeof(path), "%s.err", name);
	want = slurp(path);
	assert_non_null(want);
	assert_string_equal(err, want);
	free(want);
	if (rc != XLB_IMPORT_PARSE) {
		struct xlb_config cfg;
		struct xlb_cfg_errors errs = { 0 };
		int ret = xlb_cfg_parse_string(name, out, strlen(out), &cfg, &errs);

		if (ret)
			xlb_cfg_errors_print(&errs, name, stderr);
		assert_int_equal(ret, 0);
		xlb_cfg_free(&cfg);
		xlb_cfg_errors_free(&errs);
	} else {
		assert_string_equal(out, "");
	}
	free(out);
	free(err);
}

static void test_case(void **state)
{
	check_case(*state);
}

#define CASE(n) cmocka_unit_test_prestate_setup_teardown(test_case, NULL, NULL, (void *)n)

int main(int argc, char **argv)
{
	struct CMUnitTest tests[sizeof(cases) / sizeof(cases[0])];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tests[i] = (struct CMUnitTest)CASE(cases[i]);
		tests[i].name = cases[i];
	}
	write_mode = argc > 1 && !strcmp(argv[1], "--write");
	if (chdir(XLB_TEST_DATA "/keepalived-import"))
		return 1;
	return _cmocka_run_group_tests("import", tests, i, NULL, NULL);
}
