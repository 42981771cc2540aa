/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the VRRP tests share (test_vrrp_*.c): addresses written as literals, and compared; a
 * known-good advert per family.
 */
#ifndef XLB_TEST_VRRP_H
#define XLB_TEST_VRRP_H

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/addr.h"

static inline struct xlb_addr A(const char *s)
{
	struct xlb_addr a = {};

	if (inet_pton(AF_INET, s, a.w) == 1)
		a.family = XLB_FAMILY_V4;
	else if (inet_pton(AF_INET6, s, a.w) == 1)
		a.family = XLB_FAMILY_V6;
	else
		fail_msg("bad address literal %s", s);
	return a;
}

static inline bool addr_eq(const struct xlb_addr *a, const struct xlb_addr *b)
{
	return a->family == b->family && !memcmp(a->w, b->w, sizeof(a->w));
}

static inline bool addr_is(const struct xlb_addr *a, const char *s)
{
	struct xlb_addr b = A(s);

	return addr_eq(a, &b);
}

/* A known-good advert per family, as captured (so the mutation and input tests need no pcap). */
static const uint8_t adv4[] = { 0x31, 0x33, 0x64, 0x01, 0x00, 0x64, 0x73, 0x7f,
				0x0a, 0xfa, 0x00, 0x64 };
static const uint8_t adv6[] = { 0x31, 0x34, 0x64, 0x01, 0x00, 0x64, 0x61, 0xd7,
				0xfd, 0x25, 0x02, 0x50, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00 };

#endif
