// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the flow hash (include/xlb/hash.h) the data path picks Maglev slots with.
 *
 * Test that xlb_flow_hash() is MurmurHash3_x86_32 over the byte string hash.h defines — gets the
 * known answers of hash_kat.h, and agrees with a byte-wise reference on random flows. The
 * reference reads bytes, never words, so it means the same on any host; it is first checked
 * against MurmurHash3's published answers. The big-endian side is `make unit`'s hash-be check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "xlb/hash.h"
#include "hash_kat.h"

static uint32_t ref_rotl(uint32_t x, int r)
{
	return (x << r) | (x >> (32 - r));
}

static uint32_t ref_block(uint32_t k)
{
	k *= 0xcc9e2d51u;
	k = ref_rotl(k, 15);
	return k * 0x1b873593u;
}

/* MurmurHash3_x86_32, blocks assembled from bytes. */
static uint32_t ref_murmur3(const uint8_t *b, size_t len, uint32_t seed)
{
	uint32_t h = seed, k = 0;
	size_t i, tail = len & ~(size_t)3;

	for (i = 0; i < tail; i += 4) {
		k = b[i] | b[i + 1] << 8 | b[i + 2] << 16 | (uint32_t)b[i + 3] << 24;
		h ^= ref_block(k);
		h = ref_rotl(h, 13) * 5 + 0xe6546b64u;
	}
	k = 0;
	switch (len & 3) {
	case 3:
		k ^= b[tail + 2] << 16;
		/* fall through */
	case 2:
		k ^= b[tail + 1] << 8;
		/* fall through */
	case 1:
		k ^= b[tail];
		h ^= ref_block(k);
	}
	h ^= len;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ (h >> 16);
}

/* The 40-byte string hash.h defines for a flow. */
static uint32_t ref_flow_hash(const struct xlb_flow *f)
{
	uint8_t s[40] = {};

	memcpy(s, f->src, 16);
	memcpy(s + 16, f->dst, 16);
	memcpy(s + 32, &f->dport, 2);
	memcpy(s + 34, &f->sport, 2);
	s[36] = f->family;
	s[37] = f->proto;
	return ref_murmur3(s, sizeof(s), XLB_HASH_SEED);
}

static void test_reference_gives_published_answers(void **state)
{
	static const char fox[] = "The quick brown fox jumps over the lazy dog";

	(void)state;
	assert_int_equal(ref_murmur3((const uint8_t *)"", 0, 0), 0);
	assert_int_equal(ref_murmur3((const uint8_t *)"", 0, 1), 0x514e28b7);
	assert_int_equal(ref_murmur3((const uint8_t *)"hello", 5, 0), 0x248bfa47);
	assert_int_equal(ref_murmur3((const uint8_t *)"foo", 3, 0), 0xf6a5c420);
	assert_int_equal(ref_murmur3((const uint8_t *)fox, sizeof(fox) - 1, 0), 0x2e4ff723);
}

static void test_known_answers(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < XLB_HASH_KATS; i++) {
		uint32_t got = xlb_flow_hash(&xlb_hash_kats[i].flow);

		if (got != xlb_hash_kats[i].hash)
			fail_msg("known answer %zu: xlb_flow_hash %#x, want %#x", i, got,
				 xlb_hash_kats[i].hash);
		assert_int_equal(ref_flow_hash(&xlb_hash_kats[i].flow), xlb_hash_kats[i].hash);
	}
}

static void test_random_flows_match_reference(void **state)
{
	uint64_t x = 0x243f6a8885a308d3ull;
	struct xlb_flow f;
	uint8_t *b = (uint8_t *)&f;
	size_t i, j;

	(void)state;
	for (i = 0; i < 100000; i++) {
		for (j = 0; j < sizeof(f); j++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			b[j] = (uint8_t)x;
		}
		f.pad[0] = f.pad[1] = 0;
		if (xlb_flow_hash(&f) != ref_flow_hash(&f))
			fail_msg("flow %zu: xlb_flow_hash %#x, reference %#x", i, xlb_flow_hash(&f),
				 ref_flow_hash(&f));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_gives_published_answers),
		cmocka_unit_test(test_known_answers),
		cmocka_unit_test(test_random_flows_match_reference),
	};

	return cmocka_run_group_tests_name("flow hash", tests, NULL, NULL);
}
