// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of sync's node ids and keys (user/pair/sync_pkt.c, user/pair/sync.c): a node id is
 * never 0, a hex key is exactly 64 digits, and a key file loads only when nobody else may read
 * or rewrite it.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "common/loop.h"
#include "pair/sync.h"
#include "pair/sync_bulk.h"
#include "pair/sync_pkt.h"
#include "xlb/abi.h"

#include "sync_test.h"

/* Test that node ids are never 0 and not constant. */
static void test_node_id(void **state)
{
	uint32_t a, b;
	int i, same = 0;

	(void)state;
	for (i = 0; i < 8; i++) {
		a = xlb_sync_node_id_new();
		b = xlb_sync_node_id_new();
		assert_true(a && b);
		same += a == b;
	}
	assert_true(same < 8);
	assert_true(xlb_sync_now_ms() > NOW);
}

/* Test xlb_sync_key_from_hex — exactly 64 hex digits, either case. */
static void test_key_from_hex(void **state)
{
	static const char hex[] = "000102030405060708090a0b0c0d0e0f"
				  "101112131415161718191A1B1C1D1E1F";
	uint8_t k[XLB_SYNC_KEY_BYTES];
	char bad[80];

	(void)state;
	assert_int_equal(xlb_sync_key_from_hex(hex, k), 0);
	assert_memory_equal(k, key, sizeof(k));
	assert_int_equal(xlb_sync_key_from_hex("", k), -EINVAL);
	assert_int_equal(xlb_sync_key_from_hex(hex + 1, k), -EINVAL);
	snprintf(bad, sizeof(bad), "%s0", hex);
	assert_int_equal(xlb_sync_key_from_hex(bad, k), -EINVAL);
	snprintf(bad, sizeof(bad), "%s\n", hex);
	assert_int_equal(xlb_sync_key_from_hex(bad, k), -EINVAL);
	snprintf(bad, sizeof(bad), "%s", hex);
	bad[40] = 'g';
	assert_int_equal(xlb_sync_key_from_hex(bad, k), -EINVAL);
	bad[40] = ' ';
	assert_int_equal(xlb_sync_key_from_hex(bad, k), -EINVAL);
}


/*
 * Test key files — 32 raw bytes and 64 hex characters (with or without a newline) load; other
 * sizes, non-hex, a directory and a missing file are refused; a file others may read is refused
 * with -EPERM and a reason naming the mode.
 */
static void test_key_load(void **state)
{
	static const char hex[] = "000102030405060708090a0b0c0d0e0f"
				  "101112131415161718191a1b1c1d1e1f";
	static const size_t bad_sizes[] = { 0, 1, 31, 33, 63, 66, 100, 4096 };
	uint8_t k[XLB_SYNC_KEY_BYTES];
	uint8_t junk[4096];
	char text[80], why[256];
	const char *path;
	size_t i;

	(void)state;
	memset(junk, 'a', sizeof(junk));

	path = key_file("raw", key, sizeof(key), 0600);
	memset(k, 0, sizeof(k));
	assert_int_equal(xlb_sync_key_load(path, k), 0);
	assert_memory_equal(k, key, sizeof(k));

	snprintf(text, sizeof(text), "%s\n", hex);
	path = key_file("hex-nl", text, strlen(text), 0400);
	memset(k, 0, sizeof(k));
	assert_int_equal(xlb_sync_key_load(path, k), 0);
	assert_memory_equal(k, key, sizeof(k));

	path = key_file("hex", hex, 64, 0600);
	memset(k, 0, sizeof(k));
	assert_int_equal(xlb_sync_key_load_why(path, k, why, sizeof(why)), 0);
	assert_memory_equal(k, key, sizeof(k));

	for (i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		path = key_file("size", junk, bad_sizes[i], 0600);
		assert_int_equal(xlb_sync_key_load_why(path, k, why, sizeof(why)), -EINVAL);
		assert_non_null(strstr(why, "32 raw bytes or 64 hex"));
	}
	/* 64 characters, not all hex; and 65 not ending in a newline. */
	snprintf(text, sizeof(text), "%s", hex);
	text[10] = 'x';
	path = key_file("nothex", text, 64, 0600);
	assert_int_equal(xlb_sync_key_load_why(path, k, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "not 64 hex"));
	snprintf(text, sizeof(text), "%s ", hex);
	path = key_file("hex-space", text, 65, 0600);
	assert_int_equal(xlb_sync_key_load(path, k), -EINVAL);
	snprintf(text, sizeof(text), "%s\r\n", hex);
	path = key_file("hex-crlf", text, 66, 0600);
	assert_int_equal(xlb_sync_key_load(path, k), -EINVAL);

	/* Too open, as ssh would say. */
	path = key_file("open", key, sizeof(key), 0644);
	assert_int_equal(xlb_sync_key_load_why(path, k, why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "0644"));
	assert_non_null(strstr(why, "too open"));
	assert_non_null(strstr(why, path));
	path = key_file("group", key, sizeof(key), 0640);
	assert_int_equal(xlb_sync_key_load(path, k), -EPERM);
	path = key_file("other-write", key, sizeof(key), 0602);
	assert_int_equal(xlb_sync_key_load(path, k), -EPERM);
	path = key_file("group-exec", key, sizeof(key), 0610);
	assert_int_equal(xlb_sync_key_load(path, k), -EPERM);

	snprintf(text, sizeof(text), "%s/missing", tmpdir);
	assert_int_equal(xlb_sync_key_load_why(text, k, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "missing"));
	assert_int_equal(xlb_sync_key_load_why(tmpdir, k, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "not a regular file"));
}

/* Test that a key file owned by someone else is refused — they could rewrite it. Needs root. */
static void test_key_load_owner(void **state)
{
	char why[256];
	const char *path;
	uint8_t k[XLB_SYNC_KEY_BYTES];

	(void)state;
	if (geteuid() != 0) {
		print_message("skipped: only root can give a file away to another uid\n");
		skip();
	}
	path = key_file("nobody", key, sizeof(key), 0600);
	assert_int_equal(chown(path, 65534, 65534), 0);
	assert_int_equal(xlb_sync_key_load_why(path, k, why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "owned by uid 65534"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node_id),
		cmocka_unit_test(test_key_from_hex),
		cmocka_unit_test_setup_teardown(test_key_load, setup_tmpdir, teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_key_load_owner, setup_tmpdir, teardown_tmpdir),
	};

	return sync_test_main("test_sync_keys", tests, sizeof(tests) / sizeof(tests[0]));
}
