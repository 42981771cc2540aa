// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the JSON writer on json-c (user/common/output.c): the bytes of nested output
 * (elements of arrays built, everything above them written as it comes), null for a NULL
 * string, U+FFFD for bytes that are not UTF-8, control characters escaped, "/" as it is, the
 * first error kept; byte counts for tables in binary units; and that a listing of 300000 elements
 * holds one element's memory, not the listing's (xlbctl conns prints up to 262144 flows).
 */
#include <errno.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "common/output.h"

struct out {
	FILE *f;
	char *buf;
	size_t len;
};

static struct xlb_json *open_out(struct out *o, struct xlb_json *j)
{
	o->f = open_memstream(&o->buf, &o->len);
	assert_non_null(o->f);
	xlb_json_init(j, o->f);
	return j;
}

/* Finish j, compare what it wrote with want (the line, newline included) and its return. */
static void check_out(struct out *o, struct xlb_json *j, int want_ret, const char *want)
{
	assert_int_equal(xlb_json_finish(j), want_ret);
	fclose(o->f);
	assert_string_equal(o->buf, want);
	free(o->buf);
}

static void test_nested_bytes(void **state)
{
	struct xlb_json j;
	struct out o;

	(void)state;
	open_out(&o, &j);
	xlb_json_object_begin(&j);
	xlb_json_kv_bool(&j, "ok", true);
	xlb_json_kv_uint(&j, "big", UINT64_MAX);
	xlb_json_kv_string(&j, "path", "/run/xlb/xlbd.sock");
	xlb_json_kv_string(&j, "none", NULL);
	xlb_json_key(&j, "vips");
	xlb_json_array_begin(&j);
	xlb_json_object_begin(&j);
	xlb_json_kv_string(&j, "name", "web");
	xlb_json_key(&j, "backends");
	xlb_json_array_begin(&j);
	xlb_json_uint(&j, 1);
	xlb_json_string(&j, NULL);
	xlb_json_object_begin(&j);
	xlb_json_object_end(&j);
	xlb_json_array_end(&j);
	xlb_json_kv_double(&j, "rate", 0.1);
	xlb_json_object_end(&j);
	xlb_json_uint(&j, 7);
	xlb_json_array_begin(&j);
	xlb_json_array_end(&j);
	xlb_json_array_end(&j);
	xlb_json_key(&j, "sub");
	xlb_json_object_begin(&j);
	xlb_json_kv_bool(&j, "x", false);
	xlb_json_object_end(&j);
	xlb_json_object_end(&j);
	check_out(&o, &j, 0,
		  "{\"ok\":true,\"big\":18446744073709551615,\"path\":\"/run/xlb/xlbd.sock\","
		  "\"none\":null,\"vips\":[{\"name\":\"web\",\"backends\":[1,null,{}],"
		  "\"rate\":0.10},7,[]],\"sub\":{\"x\":false}}\n");
}

static void test_strings(void **state)
{
	struct xlb_json j;
	struct out o;

	(void)state;
	open_out(&o, &j);
	xlb_json_array_begin(&j);
	/* bad bytes: a lone continuation, an overlong '/', a surrogate, a truncated sequence */
	xlb_json_string(&j, "a\x80" "b\xc0\xaf" "c\xed\xa0\x80" "d\xe2\x82");
	xlb_json_string(&j, "q\"\\\n\t\x01 \xc3\xa9 \xf0\x9f\x98\x80");
	xlb_json_object_begin(&j);
	/* keys are strings too, inside an element (built) and above one (written) */
	xlb_json_kv_string(&j, "k\xff", "v");
	xlb_json_object_end(&j);
	xlb_json_array_end(&j);
	check_out(&o, &j, 0,
		  "[\"a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd" "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
		  "d\xef\xbf\xbd\xef\xbf\xbd\","
		  "\"q\\\"\\\\\\n\\t\\u0001 \xc3\xa9 \xf0\x9f\x98\x80\",{\"k\xef\xbf\xbd\":\"v\"}]\n");
}

/* A reply json-c parsed goes out as it came, inside a document of ours or as the document. */
static void test_value(void **state)
{
	struct json_object *v = json_tokener_parse("{\"ok\":true,\"vips\":[{\"n\":\"a/b\"}]}");
	struct xlb_json j;
	struct out o;

	(void)state;
	assert_non_null(v);
	open_out(&o, &j);
	xlb_json_object_begin(&j);
	xlb_json_kv_uint(&j, "at", 5);
	xlb_json_key(&j, "master");
	xlb_json_value(&j, v);
	xlb_json_key(&j, "none");
	xlb_json_value(&j, NULL);
	xlb_json_object_end(&j);
	check_out(&o, &j, 0,
		  "{\"at\":5,\"master\":{\"ok\":true,\"vips\":[{\"n\":\"a/b\"}]},\"none\":null}\n");
	open_out(&o, &j);
	xlb_json_value(&j, v);
	check_out(&o, &j, 0, "{\"ok\":true,\"vips\":[{\"n\":\"a/b\"}]}\n");
	json_object_put(v);
}

/* Calls that do not nest: -EINVAL from finish, the first error only, nothing leaked. */
static void test_misuse(void **state)
{
	struct xlb_json j;
	struct out o;

	(void)state;
	open_out(&o, &j);
	xlb_json_object_begin(&j);
	xlb_json_uint(&j, 1); /* a member with no key */
	xlb_json_object_end(&j);
	check_out(&o, &j, -EINVAL, "{1}\n");

	open_out(&o, &j);
	xlb_json_array_begin(&j);
	xlb_json_object_begin(&j);
	xlb_json_key(&j, "left");
	xlb_json_array_begin(&j);
	xlb_json_uint(&j, 1);
	/* given up half-way: the element being built is freed by finish */
	check_out(&o, &j, -EINVAL, "[\n");

	open_out(&o, &j);
	xlb_json_array_begin(&j);
	xlb_json_object_end(&j); /* the wrong kind */
	xlb_json_array_end(&j);
	check_out(&o, &j, -EINVAL, "[]\n");
}

/* Deeper than XLB_JSON_MAX_DEPTH: said, and the levels that fit still close right. */
static void test_too_deep(void **state)
{
	struct xlb_json j;
	struct out o;
	int i;

	(void)state;
	open_out(&o, &j);
	for (i = 0; i < XLB_JSON_MAX_DEPTH + 3; i++)
		xlb_json_array_begin(&j);
	xlb_json_uint(&j, 1);
	for (i = 0; i < XLB_JSON_MAX_DEPTH + 3; i++)
		xlb_json_array_end(&j);
	assert_int_equal(xlb_json_finish(&j), -EINVAL);
	fclose(o.f);
	assert_int_equal(o.buf[0], '[');
	assert_int_equal(o.buf[o.len - 2], ']');
	free(o.buf);
}

/* Table cells for bytes: binary units, one decimal; the next unit where rounding says 1024. */
static void test_fmt_bytes(void **state)
{
	static const struct {
		double in;
		const char *want;
	} cases[] = {
		{ 0, "0 B" },
		{ 1023, "1023 B" },
		{ 1024, "1.0 KiB" },
		{ 1229, "1.2 KiB" },
		{ 1048575, "1.0 MiB" },
		{ 1.5 * 1024 * 1024 * 1024, "1.5 GiB" },
		{ 18446744073709551615.0, "16.0 EiB" },
	};
	char buf[XLB_FMT_BYTES_LEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(xlb_fmt_bytes(cases[i].in, buf, sizeof(buf)), cases[i].want);
}

static size_t heap_in_use(void)
{
	return mallinfo2().uordblks;
}

#define MANY 300000

/*
 * 300000 conns-like elements to /dev/null: the heap in use after the last one is within 64 KiB
 * of what it was after the first thousand. Held until the end, they would be ~100 MB.
 */
static void test_listing_memory(void **state)
{
	char client[64];
	struct xlb_json j;
	size_t base = 0;
	FILE *f;
	int i;

	(void)state;
	if (!heap_in_use()) {
		/* ASan's allocator answers mallinfo2 with zeros: nothing to compare. */
		print_message("heap not measurable here (sanitizer's allocator); written only\n");
	}
	f = fopen("/dev/null", "w");
	assert_non_null(f);
	xlb_json_init(&j, f);
	xlb_json_object_begin(&j);
	xlb_json_key(&j, "conns");
	xlb_json_array_begin(&j);
	for (i = 0; i < MANY; i++) {
		snprintf(client, sizeof(client), "198.51.100.%d:%d", i % 250, 1024 + i % 60000);
		xlb_json_object_begin(&j);
		xlb_json_kv_string(&j, "table", "eth0");
		xlb_json_kv_string(&j, "protocol", "tcp");
		xlb_json_kv_string(&j, "client", client);
		xlb_json_kv_string(&j, "vip", "web");
		xlb_json_kv_uint(&j, "vip_port", 80);
		xlb_json_kv_string(&j, "backend", "192.0.2.11");
		xlb_json_kv_uint(&j, "backend_id", i % 64);
		xlb_json_kv_string(&j, "state", "established");
		xlb_json_kv_uint(&j, "idle_s", i % 300);
		xlb_json_object_end(&j);
		if (i == 1000)
			base = heap_in_use();
	}
	if (base)
		assert_in_range(heap_in_use(), 0, base + 64 * 1024);
	xlb_json_array_end(&j);
	xlb_json_object_end(&j);
	assert_int_equal(xlb_json_finish(&j), 0);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested_bytes),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_value),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_too_deep),
		cmocka_unit_test(test_listing_memory),
		cmocka_unit_test(test_fmt_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
