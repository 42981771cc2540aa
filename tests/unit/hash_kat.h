/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Known answers for xlb_flow_hash(), shared by the native test and the big-endian compile check.
 * Flows are given as the bytes of struct xlb_flow, so they mean the same on any host. The hashes
 * come from an independent implementation of MurmurHash3_x86_32 (Python, from the published
 * algorithm, itself checked against the published answers for "", "hello" and "The quick brown
 * fox ...") over the 40-byte string include/xlb/hash.h defines.
 */
#ifndef XLB_TEST_HASH_KAT_H
#define XLB_TEST_HASH_KAT_H

#include "xlb/abi.h"

struct xlb_hash_kat {
	union {
		__u8 bytes[sizeof(struct xlb_flow)];
		struct xlb_flow flow;
	};
	__u32 hash;
};

#define KAT_V4(a, b, c, d) a, b, c, d, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
#define KAT_PORT(p) (p) >> 8, (p) & 0xff

static const struct xlb_hash_kat xlb_hash_kats[] = {
	/* 192.0.2.1:40001 -> 203.0.113.10:80 tcp */
	{ { { KAT_V4(192, 0, 2, 1), KAT_V4(203, 0, 113, 10), KAT_PORT(40001), KAT_PORT(80),
	      6, 4, 0, 0 } }, 0x95fb0b41 },
	/* 192.0.2.77:1 -> 203.0.113.20:65535 udp */
	{ { { KAT_V4(192, 0, 2, 77), KAT_V4(203, 0, 113, 20), KAT_PORT(1), KAT_PORT(65535),
	      17, 4, 0, 0 } }, 0x1363a050 },
	/* [2001:db8:c::1]:40001 -> [2001:db8:a::10]:443 tcp */
	{ { { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
	      0x20, 0x01, 0x0d, 0xb8, 0, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
	      KAT_PORT(40001), KAT_PORT(443), 6, 6, 0, 0 } }, 0x1ed686b7 },
	/* [2001:db8:c::beef]:5353 -> [2001:db8:a::10]:53 udp */
	{ { { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0xbe, 0xef,
	      0x20, 0x01, 0x0d, 0xb8, 0, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
	      KAT_PORT(5353), KAT_PORT(53), 17, 6, 0, 0 } }, 0x95aaaacd },
	/* all zero */
	{ { { 0 } }, 0xb6ab4d9f },
};

#define XLB_HASH_KATS (sizeof(xlb_hash_kats) / sizeof(xlb_hash_kats[0]))

#endif /* XLB_TEST_HASH_KAT_H */
