/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the sync tests share (test_sync_*.c, tests of user/pair/sync*.c): the clock and node ids
 * they stamp, the two keys (one bit apart), the IPv4 flow records they make, a scratch folder
 * for key files; sync_test.c holds their code. Addresses: clients 198.51.100.0/24 and
 * 2001:db8:1::/64, VIPs 203.0.113.10 and 2001:db8:f::10, backends 10.0.0.0/24 and
 * 2001:db8:b::/64.
 */
#ifndef XLB_TEST_SYNC_H
#define XLB_TEST_SYNC_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cmocka.h>

#include "pair/sync.h"
#include "pair/sync_pkt.h"

#define NOW 1700000000000ull /* 2023-11-14, unix ms */
#define OWN_NODE 0x0b0b0b0bu /* the receiver's own node id */
#define PEER_NODE 0x1234abcdu
#define HDR sizeof(struct xlb_sync_hdr)
#define REC sizeof(struct xlb_sync_wire_rec)
#define MAC XLB_SYNC_MAC_BYTES

/* What setup_keys() fills in, before every group. */
extern uint8_t key[XLB_SYNC_KEY_BYTES];
extern uint8_t other_key[XLB_SYNC_KEY_BYTES];

/*
 * Flow i of 203.0.113.10:443/tcp from 198.51.100.(i+1):(40000+i), backend 10.0.0.(i%250+1), in
 * state i % XLB_CS_MAX (ACTIVE, CLOSING, SYN, ...).
 */
void mk_rec4(unsigned int i, struct xlb_sync_rec *r);

/* The scratch folder of the cases run between setup_tmpdir() and teardown_tmpdir(). */
extern char tmpdir[64];
int setup_tmpdir(void **state);
int teardown_tmpdir(void **state);

/* Write a key file with exactly this content and mode; returns its path (static buffer). */
const char *key_file(const char *name, const void *data, size_t len, mode_t mode);

/* Each test_sync_*'s main(): libsodium set up, then the cases, the keys filled in first. */
int sync_test_main(const char *group, const struct CMUnitTest *tests, size_t n);

#endif
