/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the config tests share (test_config_*.c). YAML is written as C literals, one line per
 * literal, so the line numbers in the tables can be checked by eye; the macros below are the
 * prefixes cases start with, each saying on which line a case's own lines start. An invalid
 * config is a row { description, YAML, line, col, message }: run_config_tests() makes each row a
 * named test, so a failure names the case. Run from the repo root (the tests read configs/).
 */
#ifndef XLB_TEST_CONFIG_H
#define XLB_TEST_CONFIG_H

#include "config/config.h"

/* One interface on line 1, so a case's own lines start at 2. */
#define IFACE "interfaces: [{name: eth0}]\n"

/* After IFACE, a VIP on lines 2-4 still taking keys, so a case's own lines start at 5. */
#define VIP80                        \
	"vips:\n"                    \
	"  - address: 203.0.113.1\n" \
	"    port: 80\n"

/* ... and its backends list, still taking entries: a case's lines start at 6. */
#define BACKENDS VIP80 "    backends:\n" /* 5 */

/* After IFACE, no VIPs and a failover mapping still taking keys: a case's lines start at 4. */
#define FAILOVER          \
	"vips: []\n"  /* 2 */ \
	"failover:\n" /* 3 */

/* Values longer than the fields they go to. */
#define X16 "xxxxxxxxxxxxxxxx"
#define X64 X16 X16 X16 X16
#define X256 X64 X64 X64 X64

/* After IFACE, no VIPs and a vrrp mapping that has its interface: a case's lines start at 7. */
#define VRRP_HEAD                         \
	"vips: []\n"            /* 2 */   \
	"failover:\n"           /* 3 */   \
	"  mode: vrrp\n"        /* 4 */   \
	"  vrrp:\n"             /* 5 */   \
	"    interface: eth0\n" /* 6 */

/* ... and the rest a vrrp mapping needs: a case's lines start at 9. */
#define VRRP                                               \
	VRRP_HEAD                                          \
	"    vrid: 51\n"                             /* 7 */ \
	"    virtual_addresses: [203.0.113.100/24]\n" /* 8 */

/* ... and a sync mapping still taking keys: a case's lines start at 10. */
#define SYNC VRRP "  sync:\n" /* 9 */

static inline int parse(const char *yaml, struct xlb_config *cfg, struct xlb_cfg_errors *errs)
{
	return xlb_cfg_parse_string("test.yaml", yaml, strlen(yaml), cfg, errs);
}

static inline void dump_errors(const struct xlb_cfg_errors *errs)
{
	xlb_cfg_errors_print(errs, "test.yaml", stderr);
}

/* Parse a config that must be valid; on failure show why. */
static inline void parse_ok(const char *yaml, struct xlb_config *cfg)
{
	struct xlb_cfg_errors errs;
	int err;

	err = parse(yaml, cfg, &errs);
	if (err) {
		dump_errors(&errs);
		xlb_cfg_errors_free(&errs);
		fail_msg("valid config rejected: %d", err);
	}
	assert_int_equal(errs.n, 0);
}

/* parse_ok() of the config a printf format makes: one template, a value per case. */
static inline void __attribute__((format(printf, 2, 3)))
parse_okf(struct xlb_config *cfg, const char *fmt, ...)
{
	char yaml[512];
	va_list ap;

	va_start(ap, fmt);
	assert_true((size_t)vsnprintf(yaml, sizeof(yaml), fmt, ap) < sizeof(yaml));
	va_end(ap);
	parse_ok(yaml, cfg);
}

/* Parse a shipped config file that must be valid; on failure show why. */
static inline void parse_file_ok(const char *path, struct xlb_config *cfg)
{
	struct xlb_cfg_errors errs;
	int err = xlb_cfg_parse_file(path, cfg, &errs);

	if (err)
		xlb_cfg_errors_print(&errs, path, stderr);
	assert_int_equal(err, 0);
}

/* Parse yaml, which must be refused with one error only: at line:col, containing msg. */
static inline void refused_once(const char *yaml, unsigned int line, unsigned int col,
				const char *msg)
{
	struct xlb_cfg_errors errs;
	struct xlb_config cfg;

	assert_int_equal(parse(yaml, &cfg, &errs), -EINVAL);
	assert_int_equal(errs.n, 1);
	assert_int_equal(errs.v[0].pos.line, line);
	assert_int_equal(errs.v[0].pos.col, col);
	assert_non_null(strstr(errs.v[0].msg, msg));
	xlb_cfg_errors_free(&errs);
}

/* A stream to write a long generated config into; *yaml holds it once the stream is closed. */
static inline FILE *yaml_stream(char **yaml, size_t *len)
{
	FILE *f;

	*yaml = NULL;
	f = open_memstream(yaml, len);
	assert_non_null(f);
	return f;
}

static inline uint32_t v4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static inline void assert_addr(const struct xlb_addr *a, const char *want)
{
	char buf[INET6_ADDRSTRLEN];

	assert_string_equal(xlb_addr_str(a, buf, sizeof(buf)), want);
}

/* The demo's topology, which the shipped pair shares: one interface, one VIP, three backends. */
static inline void assert_demo_topology(const struct xlb_config *cfg)
{
	const struct xlb_cfg_vip *v = &cfg->vips[0];

	assert_int_equal(cfg->n_ifaces, 1);
	assert_string_equal(cfg->ifaces[0].name, "eth0");
	assert_int_equal(cfg->n_vips, 1);
	assert_string_equal(v->name, "web");
	assert_addr(&v->addr, "203.0.113.100");
	assert_int_equal(v->port, 80);
	assert_int_equal(v->n_backends, 3);
	assert_addr(&v->backends[0].addr, "192.0.2.11");
	assert_addr(&v->backends[1].addr, "192.0.2.12");
	assert_addr(&v->backends[2].addr, "192.0.2.13");
}

/* A check nobody configured: tcp on the VIP's port, every setting its default. */
static inline void assert_health_defaults(const struct xlb_cfg_health *h)
{
	assert_int_equal(h->type, XLB_HC_TCP);
	assert_int_equal(h->port, 0);
	assert_int_equal(h->interval_ms, XLB_HC_DEFAULT_INTERVAL_MS);
	assert_int_equal(h->timeout_ms, XLB_HC_DEFAULT_TIMEOUT_MS);
	assert_int_equal(h->rise, XLB_HC_DEFAULT_RISE);
	assert_int_equal(h->fall, XLB_HC_DEFAULT_FALL);
	assert_string_equal(h->path, "/");
	assert_int_equal(h->expect_status, 200);
	assert_string_equal(h->expect_body, "");
	assert_string_equal(h->payload, "");
	assert_string_equal(h->expect, "");
	assert_string_equal(h->command, "");
	assert_int_equal(h->set, 0);
	assert_int_equal(h->pos.line, 0);
	assert_int_equal(h->pos.col, 0);
}

/* Valid configs. */


struct bad_case {
	const char *desc;
	const char *yaml;
	unsigned int line;
	unsigned int col;
	const char *msg;    /* substring of the error at line:col */
	unsigned int n_errs; /* errors in all; 0 means 1 */
};

/* Test that the case's error is reported at its line:col, and nothing else is. */
static inline void test_bad_case(void **state)
{
	const struct bad_case *c = *state;
	unsigned int want_n = c->n_errs ?: 1;
	struct xlb_cfg_errors errs;
	struct xlb_config cfg;
	bool found = false;
	size_t i;
	int err;

	err = parse(c->yaml, &cfg, &errs);
	for (i = 0; i < errs.n; i++)
		if (errs.v[i].pos.line == c->line && errs.v[i].pos.col == c->col &&
		    strstr(errs.v[i].msg, c->msg))
			found = true;
	if (err != -EINVAL || !found || errs.n != want_n) {
		print_error("%s: want %u error(s), one at %u:%u containing \"%s\"; got %d:\n",
			    c->desc, want_n, c->line, c->col, c->msg, err);
		dump_errors(&errs);
	}
	/* A rejected config leaves nothing to free. */
	assert_null(cfg.path);
	assert_null(cfg.vips);
	assert_int_equal(err, -EINVAL);
	assert_true(found);
	assert_int_equal(errs.n, want_n);
	xlb_cfg_errors_free(&errs);
}

/* Run the group `name`, then one test per row of bad[], named by its description. */
static inline int run_config_tests(const char *name, const struct CMUnitTest *tests, size_t n,
				   const struct bad_case *bad, size_t n_bad)
{
	struct CMUnitTest *rows;
	char bad_name[64];
	size_t i;
	int failed;

	failed = _cmocka_run_group_tests(name, tests, n, NULL, NULL);
	rows = calloc(n_bad, sizeof(*rows));
	if (!rows)
		return 1;
	for (i = 0; i < n_bad; i++)
		rows[i] = (struct CMUnitTest){
			.name = bad[i].desc,
			.test_func = test_bad_case,
			.initial_state = (void *)&bad[i],
		};
	snprintf(bad_name, sizeof(bad_name), "%s_invalid", name);
	failed += _cmocka_run_group_tests(bad_name, rows, n_bad, NULL, NULL);
	free(rows);
	return failed ? 1 : 0;
}

#endif /* XLB_TEST_CONFIG_H */
