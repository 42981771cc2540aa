// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of the exposition-format writer (user/common/prom.h): family headers, samples with and
 * without labels, the escaping of label values and HELP text, numbers as Prometheus reads them,
 * and a histogram's cumulative buckets, +Inf, _sum and _count — each against the exact text.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/prom.h"

struct out {
	FILE *f;
	char *buf;
	size_t len;
};

static FILE *out_open(struct out *o)
{
	o->buf = NULL;
	o->f = open_memstream(&o->buf, &o->len);
	assert_non_null(o->f);
	return o->f;
}

/* Close the stream and check that it holds exactly want. */
static void out_is(struct out *o, const char *want)
{
	assert_int_equal(ferror(o->f), 0);
	assert_int_equal(fclose(o->f), 0);
	assert_string_equal(o->buf, want);
	free(o->buf);
}

/* Test a counter family: HELP then TYPE, a sample without labels, one with two. */
static void test_counter(void **state)
{
	struct out o;
	FILE *f = out_open(&o);

	(void)state;
	xlb_prom_family(f, "xlb_vip_packets_total", XLB_PROM_COUNTER, "Packets to the VIP.");
	xlb_prom_uint(f, "xlb_vip_packets_total", 0, NULL);
	xlb_prom_uint(f, "xlb_vip_packets_total", UINT64_MAX, "vip", "web", "backend",
		      "192.0.2.11:80", NULL);
	out_is(&o, "# HELP xlb_vip_packets_total Packets to the VIP.\n"
		   "# TYPE xlb_vip_packets_total counter\n"
		   "xlb_vip_packets_total 0\n"
		   "xlb_vip_packets_total{vip=\"web\",backend=\"192.0.2.11:80\"} "
		   "18446744073709551615\n");
}

/* Test that a label value escapes backslash, double quote and newline, and nothing else. */
static void test_label_escaping(void **state)
{
	struct out o;
	FILE *f = out_open(&o);

	(void)state;
	xlb_prom_uint(f, "m", 1, "vip", "a\\b\"c\nd'e{}=,", NULL);
	xlb_prom_uint(f, "m", 2, "vip", "", NULL);
	xlb_prom_uint(f, "m", 3, "vip", "[2001:db8::1]:80", NULL);
	out_is(&o, "m{vip=\"a\\\\b\\\"c\\nd'e{}=,\"} 1\n"
		   "m{vip=\"\"} 2\n"
		   "m{vip=\"[2001:db8::1]:80\"} 3\n");
}

/* Test that HELP escapes backslash and newline but keeps double quotes as they are. */
static void test_help_escaping(void **state)
{
	struct out o;
	FILE *f = out_open(&o);

	(void)state;
	xlb_prom_family(f, "xlb_up", XLB_PROM_GAUGE, "1 \"up\"\\ok\nsecond line");
	out_is(&o, "# HELP xlb_up 1 \"up\"\\\\ok\\nsecond line\n"
		   "# TYPE xlb_up gauge\n");
}

/* Test that doubles are written in the shortest form that reads back, and the special values. */
static void test_doubles(void **state)
{
	struct out o;
	FILE *f = out_open(&o);

	(void)state;
	xlb_prom_double(f, "g", 0.005, NULL);
	xlb_prom_double(f, "g", 1764633600.25, NULL);
	xlb_prom_double(f, "g", 0.1 + 0.2, NULL);
	xlb_prom_double(f, "g", 1e-7, NULL);
	xlb_prom_double(f, "g", 410, NULL);
	xlb_prom_double(f, "g", 1e20, NULL);
	xlb_prom_double(f, "g", -2, "l", "x", NULL);
	xlb_prom_double(f, "g", INFINITY, NULL);
	xlb_prom_double(f, "g", -INFINITY, NULL);
	xlb_prom_double(f, "g", NAN, NULL);
	out_is(&o, "g 0.005\n"
		   "g 1764633600.25\n"
		   "g 0.30000000000000004\n"
		   "g 1e-07\n"
		   "g 410\n"
		   "g 1e+20\n"
		   "g{l=\"x\"} -2\n"
		   "g +Inf\n"
		   "g -Inf\n"
		   "g NaN\n");
}

/* Test a histogram: per-bucket counts made cumulative, +Inf holding all, _sum and _count. */
static void test_histogram(void **state)
{
	static const double le[] = { 0.0005, 0.001, 0.0025 };
	static const uint64_t counts[] = { 2, 0, 3, 1 };
	struct out o;
	FILE *f = out_open(&o);

	(void)state;
	xlb_prom_family(f, "xlb_backend_check_duration_seconds", XLB_PROM_HISTOGRAM,
			"Check latency.");
	xlb_prom_histogram(f, "xlb_backend_check_duration_seconds", le, counts, 3, 0.0125, "vip",
			   "web", NULL);
	out_is(&o, "# HELP xlb_backend_check_duration_seconds Check latency.\n"
		   "# TYPE xlb_backend_check_duration_seconds histogram\n"
		   "xlb_backend_check_duration_seconds_bucket{vip=\"web\",le=\"0.0005\"} 2\n"
		   "xlb_backend_check_duration_seconds_bucket{vip=\"web\",le=\"0.001\"} 2\n"
		   "xlb_backend_check_duration_seconds_bucket{vip=\"web\",le=\"0.0025\"} 5\n"
		   "xlb_backend_check_duration_seconds_bucket{vip=\"web\",le=\"+Inf\"} 6\n"
		   "xlb_backend_check_duration_seconds_sum{vip=\"web\"} 0.0125\n"
		   "xlb_backend_check_duration_seconds_count{vip=\"web\"} 6\n");
}

/* Test a histogram without labels and with no observations: le is the only label. */
static void test_histogram_empty(void **state)
{
	static const double le[] = { 1 };
	static const uint64_t counts[] = { 0, 0 };
	struct out o;
	FILE *f = out_open(&o);

	(void)state;
	xlb_prom_histogram(f, "h", le, counts, 1, 0, NULL);
	out_is(&o, "h_bucket{le=\"1\"} 0\n"
		   "h_bucket{le=\"+Inf\"} 0\n"
		   "h_sum 0\n"
		   "h_count 0\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counter),
		cmocka_unit_test(test_label_escaping),
		cmocka_unit_test(test_help_escaping),
		cmocka_unit_test(test_doubles),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_histogram_empty),
	};

	return cmocka_run_group_tests_name("prom", tests, NULL, NULL);
}
