// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the flow sync codec (user/pair/sync_pkt.c): round trips, the encoder's limits, and a
 * decoder that takes a datagram whole or not at all. Hostile inputs come in two kinds: damage
 * anywhere (truncation, every single bit flip, wrong key) must be caught by the MAC or the first
 * structural checks; well-formed lies (wrong count, bad records) are built by tampering with an
 * encoded datagram and re-MACing it with the right key, so the structural checks are shown to hold
 * on their own, not only behind the MAC.
 *
 * Bulk sync's transfer (user/pair/sync_bulk.c) runs on the real loop between a sender and a receiver
 * joined by a fake wire that drops, duplicates and reorders datagrams, every one encoded and
 * decoded by the real codec (so a reordered datagram is refused as a replay, as on the network).
 *
 * The channel (user/pair/sync.c) runs on the real loop over loopback UDP against a fake node
 * behind struct xlb_sync_ops, the test playing the peer: what reaches the node, and when.
 *
 * Addresses: clients 198.51.100.0/24 and 2001:db8:1::/64, VIPs 203.0.113.10 and 2001:db8:f::10,
 * backends 10.0.0.0/24 and 2001:db8:b::/64.
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

#define NOW 1700000000000ull /* 2023-11-14, unix ms */
#define OWN_NODE 0x0b0b0b0bu /* the receiver's own node id */
#define PEER_NODE 0x1234abcdu
#define HDR sizeof(struct xlb_sync_hdr)
#define REC sizeof(struct xlb_sync_wire_rec)
#define MAC XLB_SYNC_MAC_BYTES

static uint8_t key[XLB_SYNC_KEY_BYTES];
static uint8_t other_key[XLB_SYNC_KEY_BYTES];

static int setup_keys(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(key); i++) {
		key[i] = i;
		other_key[i] = i;
	}
	other_key[31] ^= 1; /* one bit away: a wrong key need not be far from the right one */
	return 0;
}

/* Flow i of 203.0.113.10:443/tcp from 198.51.100.(i+1):(40000+i), backend 10.0.0.(i%250+1). */
static void mk_rec4(unsigned int i, struct xlb_sync_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->flow.src[0] = htonl(0xc6336400 + 1 + (i & 0xff));
	r->flow.dst[0] = htonl(0xcb00710a);
	r->flow.sport = htons(40000 + i);
	r->flow.dport = htons(443);
	r->flow.proto = IPPROTO_TCP;
	r->flow.family = XLB_FAMILY_V4;
	r->vip.addr[0] = r->flow.dst[0];
	r->vip.port = htons(443);
	r->vip.proto = IPPROTO_TCP;
	r->vip.family = XLB_FAMILY_V4;
	r->backend.family = XLB_FAMILY_V4;
	r->backend.w[0] = htonl(0x0a000000 + 1 + i % 250);
	r->age_s = i;
}

/* Flow i of the every-port UDP VIP 2001:db8:f::10 (port 53) from 2001:db8:1::(i+1). */
static void mk_rec6(unsigned int i, struct xlb_sync_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->flow.src[0] = htonl(0x20010db8);
	r->flow.src[1] = htonl(0x00010000);
	r->flow.src[3] = htonl(i + 1);
	r->flow.dst[0] = htonl(0x20010db8);
	r->flow.dst[1] = htonl(0x000f0000);
	r->flow.dst[3] = htonl(0x10);
	r->flow.sport = htons(50000 + i);
	r->flow.dport = htons(53);
	r->flow.proto = IPPROTO_UDP;
	r->flow.family = XLB_FAMILY_V6;
	memcpy(r->vip.addr, r->flow.dst, sizeof(r->vip.addr));
	r->vip.port = 0;
	r->vip.proto = IPPROTO_UDP;
	r->vip.family = XLB_FAMILY_V6;
	r->backend.family = XLB_FAMILY_V6;
	r->backend.w[0] = htonl(0x20010db8);
	r->backend.w[1] = htonl(0x000b0000);
	r->backend.w[3] = htonl(i + 1);
	r->age_s = 0xfffffff0u + (i & 0xf); /* exercises the top bits of the field */
}

/* v4 for even i, v6 for odd i. */
static void mk_rec_mixed(unsigned int i, struct xlb_sync_rec *r)
{
	if (i & 1)
		mk_rec6(i, r);
	else
		mk_rec4(i, r);
}

static void assert_rec_eq(const struct xlb_sync_rec *a, const struct xlb_sync_rec *b)
{
	/* Field by field: struct xlb_addr has padding that memcmp would read. */
	assert_memory_equal(&a->flow, &b->flow, sizeof(a->flow));
	assert_memory_equal(&a->vip, &b->vip, sizeof(a->vip));
	assert_int_equal(a->backend.family, b->backend.family);
	assert_memory_equal(a->backend.w, b->backend.w, sizeof(a->backend.w));
	assert_int_equal(a->age_s, b->age_s);
}

/* Encode n records made by mk into buf; returns the length. */
static size_t encode(uint8_t *buf, uint8_t type, uint32_t node, uint64_t seq, uint64_t ts,
		     void (*mk)(unsigned int, struct xlb_sync_rec *), unsigned int n,
		     const uint8_t *k)
{
	struct xlb_sync_enc e;
	struct xlb_sync_rec r;
	unsigned int i;
	size_t len;

	xlb_sync_enc_init(&e, type, node, seq, ts);
	for (i = 0; i < n; i++) {
		mk(i, &r);
		assert_int_equal(xlb_sync_enc_add(&e, &r), 0);
	}
	len = xlb_sync_enc_finish(&e, k);
	assert_int_equal(len, XLB_SYNC_DGRAM_LEN(n));
	memcpy(buf, e.buf, len);
	return len;
}

/* Re-MAC a tampered datagram with the right key, so only the structural checks can catch it. */
static void remac(uint8_t *buf, size_t len)
{
	crypto_auth(buf + len - MAC, buf, len - MAC, key);
}

/* Decode against a fresh peer state, as the first datagram a receiver sees. */
static int decode_fresh(const uint8_t *buf, size_t len, struct xlb_sync_msg *m)
{
	struct xlb_sync_peer_state p;

	xlb_sync_peer_init(&p, OWN_NODE, 0);
	return xlb_sync_decode(buf, len, key, NOW, &p, m);
}

/* Encode n records made by mk, decode, compare each. */
static void roundtrip(void (*mk)(unsigned int, struct xlb_sync_rec *), unsigned int n)
{
	static struct xlb_sync_msg m;
	uint8_t buf[XLB_SYNC_MAX_DGRAM];
	struct xlb_sync_rec want;
	unsigned int i;
	size_t len;

	len = encode(buf, XLB_SYNC_FLOWS, PEER_NODE, 7, NOW, mk, n, key);
	assert_true(len <= XLB_SYNC_MAX_DGRAM);
	assert_int_equal(decode_fresh(buf, len, &m), 0);
	assert_int_equal(m.type, XLB_SYNC_FLOWS);
	assert_int_equal(m.count, n);
	assert_int_equal(m.node, PEER_NODE);
	assert_int_equal(m.seq, 7);
	assert_int_equal(m.ts_ms, NOW);
	assert_true(m.new_node);
	for (i = 0; i < n; i++) {
		mk(i, &want);
		assert_rec_eq(&m.recs[i], &want);
	}
}

/* Test that the wire sizes are what the header comment promises — 15 records, 1348 bytes. */
static void test_sizes(void **state)
{
	(void)state;
	assert_int_equal(HDR, 56);
	assert_int_equal(REC, 84);
	assert_int_equal(XLB_SYNC_MAX_RECS, 15);
	assert_int_equal(XLB_SYNC_DGRAM_LEN(XLB_SYNC_MAX_RECS), 1348);
	assert_true(XLB_SYNC_DGRAM_LEN(XLB_SYNC_MAX_RECS + 1) > XLB_SYNC_MAX_DGRAM);
}

/* Test that one IPv4 record survives encode/decode — byte for byte. */
static void test_roundtrip_one_v4(void **state)
{
	(void)state;
	roundtrip(mk_rec4, 1);
}

/* Test that one IPv6 record of an every-port VIP survives encode/decode. */
static void test_roundtrip_one_v6(void **state)
{
	(void)state;
	roundtrip(mk_rec6, 1);
}

/* Test that 7 records, v4 and v6 interleaved, come back in order. */
static void test_roundtrip_many_mixed(void **state)
{
	(void)state;
	roundtrip(mk_rec_mixed, 7);
}

/* Test that a full datagram of IPv4 records round-trips. */
static void test_roundtrip_max_v4(void **state)
{
	(void)state;
	roundtrip(mk_rec4, XLB_SYNC_MAX_RECS);
}

/* Test that a full datagram of IPv6 records round-trips. */
static void test_roundtrip_max_v6(void **state)
{
	(void)state;
	roundtrip(mk_rec6, XLB_SYNC_MAX_RECS);
}

/* Field by field: the struct has padding. */
static void assert_bulk_eq(const struct xlb_sync_bulk_fields *a, const struct xlb_sync_bulk_fields *b)
{
	assert_int_equal(a->bulk, b->bulk);
	assert_int_equal(a->chunk, b->chunk);
	assert_int_equal(a->total, b->total);
	assert_int_equal(a->ack_seq, b->ack_seq);
	assert_int_equal(a->sack, b->sack);
}

/* Encode a record-less message with these bulk fields into buf; returns the length. */
static size_t encode_bulk(uint8_t *buf, uint8_t type, uint64_t seq,
			  const struct xlb_sync_bulk_fields *f)
{
	struct xlb_sync_enc e;
	size_t len;

	xlb_sync_enc_init(&e, type, PEER_NODE, seq, NOW);
	xlb_sync_enc_bulk(&e, f);
	len = xlb_sync_enc_finish(&e, key);
	memcpy(buf, e.buf, len);
	return len;
}

/*
 * Test that BULK_REQUEST, BULK_END and BULK_ACK carry no records — header + MAC, 88 bytes — and
 * decode with their bulk fields intact, the 64-bit ones in full.
 */
static void test_roundtrip_control(void **state)
{
	static struct xlb_sync_msg m;
	struct xlb_sync_bulk_fields end = { .bulk = 0xdeadbeef, .chunk = 3, .total = 30 };
	struct xlb_sync_bulk_fields ack = { .bulk = 0xdeadbeef, .chunk = 0xfffffffe,
					    .ack_seq = 0x0123456789abcdefull,
					    .sack = 0x8000000000000001ull };
	struct xlb_sync_peer_state p;
	uint8_t buf[XLB_SYNC_MAX_DGRAM];
	size_t len;

	(void)state;
	xlb_sync_peer_init(&p, OWN_NODE, 0);
	len = encode(buf, XLB_SYNC_BULK_REQUEST, PEER_NODE, 1, NOW, mk_rec4, 0, key);
	assert_int_equal(len, 88);
	assert_int_equal(xlb_sync_decode(buf, len, key, NOW, &p, &m), 0);
	assert_int_equal(m.type, XLB_SYNC_BULK_REQUEST);
	assert_int_equal(m.count, 0);
	len = encode_bulk(buf, XLB_SYNC_BULK_END, 2, &end);
	assert_int_equal(xlb_sync_decode(buf, len, key, NOW, &p, &m), 0);
	assert_int_equal(m.type, XLB_SYNC_BULK_END);
	assert_bulk_eq(&m.b, &end);
	assert_false(m.new_node);
	len = encode_bulk(buf, XLB_SYNC_BULK_ACK, 3, &ack);
	assert_int_equal(len, 88);
	assert_int_equal(xlb_sync_decode(buf, len, key, NOW, &p, &m), 0);
	assert_int_equal(m.type, XLB_SYNC_BULK_ACK);
	assert_bulk_eq(&m.b, &ack);
}

/* Test that a full encoder refuses the next record with -ENOSPC — and the full datagram decodes. */
static void test_enc_full(void **state)
{
	static struct xlb_sync_enc e;
	static struct xlb_sync_msg m;
	struct xlb_sync_rec r;
	unsigned int i;
	size_t len;

	(void)state;
	xlb_sync_enc_init(&e, XLB_SYNC_FLOWS, PEER_NODE, 1, NOW);
	for (i = 0; i < XLB_SYNC_MAX_RECS; i++) {
		assert_false(xlb_sync_enc_full(&e));
		mk_rec_mixed(i, &r);
		assert_int_equal(xlb_sync_enc_add(&e, &r), 0);
	}
	assert_true(xlb_sync_enc_full(&e));
	assert_int_equal(xlb_sync_enc_add(&e, &r), -ENOSPC);
	assert_int_equal(xlb_sync_enc_add(&e, &r), -ENOSPC);
	len = xlb_sync_enc_finish(&e, key);
	assert_int_equal(len, XLB_SYNC_DGRAM_LEN(XLB_SYNC_MAX_RECS));
	assert_int_equal(decode_fresh(e.buf, len, &m), 0);
	assert_int_equal(m.count, XLB_SYNC_MAX_RECS);
}

/* Test that the encoder refuses what the peer would reject — bad record, wrong type, finished. */
static void test_enc_refuses(void **state)
{
	static struct xlb_sync_enc e;
	struct xlb_sync_rec r;
	size_t len;

	(void)state;
	xlb_sync_enc_init(&e, XLB_SYNC_FLOWS, PEER_NODE, 1, NOW);
	mk_rec4(0, &r);
	r.flow.family = 5;
	r.vip.family = 5;
	assert_int_equal(xlb_sync_enc_add(&e, &r), -EINVAL);
	mk_rec4(0, &r);
	r.flow.proto = r.vip.proto = IPPROTO_ICMP;
	assert_int_equal(xlb_sync_enc_add(&e, &r), -EINVAL);
	assert_int_equal(e.count, 0);

	mk_rec4(0, &r);
	assert_int_equal(xlb_sync_enc_add(&e, &r), 0);
	len = xlb_sync_enc_finish(&e, key);
	assert_int_equal(xlb_sync_enc_add(&e, &r), -EINVAL);
	assert_int_equal(xlb_sync_enc_finish(&e, key), len); /* idempotent, not MAC over MAC */
	assert_int_equal(len, XLB_SYNC_DGRAM_LEN(1));

	xlb_sync_enc_init(&e, XLB_SYNC_BULK_REQUEST, PEER_NODE, 1, NOW);
	assert_int_equal(xlb_sync_enc_add(&e, &r), -EINVAL);
}

/* Test that every truncation of a valid datagram, and one byte appended, is rejected. */
static void truncations(void (*mk)(unsigned int, struct xlb_sync_rec *), unsigned int n)
{
	static struct xlb_sync_msg m;
	uint8_t buf[XLB_SYNC_MAX_DGRAM + 1];
	size_t len, l;

	len = encode(buf, XLB_SYNC_FLOWS, PEER_NODE, 1, NOW, mk, n, key);
	for (l = 0; l < len; l++)
		assert_int_equal(decode_fresh(buf, l, &m),
				 l < HDR + MAC ? -XLB_SYNC_E_SHORT : -XLB_SYNC_E_MAC);
	buf[len] = 0;
	assert_int_equal(decode_fresh(buf, len + 1, &m), -XLB_SYNC_E_MAC);
	assert_int_equal(decode_fresh(buf, len, &m), 0);
}

static void test_truncation_one(void **state)
{
	(void)state;
	truncations(mk_rec4, 1);
}

static void test_truncation_max(void **state)
{
	(void)state;
	truncations(mk_rec_mixed, XLB_SYNC_MAX_RECS);
}

/* Test that a datagram longer than 1400 bytes is refused before any hashing. */
static void test_too_long(void **state)
{
	static uint8_t buf[XLB_SYNC_MAX_DGRAM + 64];
	static struct xlb_sync_msg m;
	size_t len;

	(void)state;
	len = encode(buf, XLB_SYNC_FLOWS, PEER_NODE, 1, NOW, mk_rec4, XLB_SYNC_MAX_RECS, key);
	assert_int_equal(decode_fresh(buf, XLB_SYNC_MAX_DGRAM + 1, &m), -XLB_SYNC_E_LONG);
	assert_int_equal(decode_fresh(buf, sizeof(buf), &m), -XLB_SYNC_E_LONG);
	assert_int_equal(decode_fresh(buf, len, &m), 0);
}

/*
 * Test that every single-bit flip anywhere is rejected — magic bytes by the magic check, the
 * version byte by the version check, every other bit (header, records, MAC) by the MAC.
 */
static void bitflips(void (*mk)(unsigned int, struct xlb_sync_rec *), unsigned int n)
{
	static struct xlb_sync_msg m;
	uint8_t buf[XLB_SYNC_MAX_DGRAM];
	size_t len, byte;
	unsigned int bit;
	int want;

	len = encode(buf, XLB_SYNC_FLOWS, PEER_NODE, 1, NOW, mk, n, key);
	for (byte = 0; byte < len; byte++) {
		if (byte < offsetof(struct xlb_sync_hdr, version))
			want = -XLB_SYNC_E_MAGIC;
		else if (byte == offsetof(struct xlb_sync_hdr, version))
			want = -XLB_SYNC_E_VERSION;
		else
			want = -XLB_SYNC_E_MAC;
		for (bit = 0; bit < 8; bit++) {
			buf[byte] ^= 1u << bit;
			assert_int_equal(decode_fresh(buf, len, &m), want);
			buf[byte] ^= 1u << bit;
		}
	}
	assert_int_equal(decode_fresh(buf, len, &m), 0);
}

static void test_bitflip_three_mixed(void **state)
{
	(void)state;
	bitflips(mk_rec_mixed, 3);
}

static void test_bitflip_max_v6(void **state)
{
	(void)state;
	bitflips(mk_rec6, XLB_SYNC_MAX_RECS);
}

static void test_bitflip_control(void **state)
{
	(void)state;
	bitflips(mk_rec4, 0);
}

/* Test that a datagram MACed with another key is rejected, both ways round. */
static void test_wrong_key(void **state)
{
	static struct xlb_sync_msg m;
	struct xlb_sync_peer_state p;
	uint8_t buf[XLB_SYNC_MAX_DGRAM];
	size_t len;

	(void)state;
	len = encode(buf, XLB_SYNC_FLOWS, PEER_NODE, 1, NOW, mk_rec4, 2, other_key);
	assert_int_equal(decode_fresh(buf, len, &m), -XLB_SYNC_E_MAC);
	len = encode(buf, XLB_SYNC_FLOWS, PEER_NODE, 1, NOW, mk_rec4, 2, key);
	xlb_sync_peer_init(&p, OWN_NODE, 0);
	assert_int_equal(xlb_sync_decode(buf, len, other_key, NOW, &p, &m), -XLB_SYNC_E_MAC);
	assert_false(p.seen); /* a rejected datagram leaves no trace */
}

/* Decode a one-record FLOWS datagram {node, seq, ts} against p; *new_node as decoded. */
static int decode_hdr(struct xlb_sync_peer_state *p, uint32_t node, uint64_t seq, uint64_t ts,
		      bool *new_node)
{
	static struct xlb_sync_msg m;
	uint8_t buf[XLB_SYNC_MAX_DGRAM];
	size_t len;
	int err;

	len = encode(buf, XLB_SYNC_FLOWS, node, seq, ts, mk_rec4, 1, key);
	err = xlb_sync_decode(buf, len, key, NOW, p, &m);
	if (!err && new_node)
		*new_node = m.new_node;
	return err;
}

/*
 * Test replay protection — the same seq twice and a lower seq are rejected; a new node id (a
 * restarted peer, newer timestamp) starts over at any seq; the previous run's datagrams are then
 * rejected even with a higher seq; our own node id is rejected.
 */
static void test_replay(void **state)
{
	struct xlb_sync_peer_state p;
	const uint32_t node2 = 0x5555aaaau;
	bool nn = false;

	(void)state;
	xlb_sync_peer_init(&p, OWN_NODE, 0);
	assert_int_equal(decode_hdr(&p, PEER_NODE, 10, NOW - 100, &nn), 0);
	assert_true(nn);
	assert_int_equal(decode_hdr(&p, PEER_NODE, 10, NOW - 100, NULL), -XLB_SYNC_E_REPLAY);
	assert_int_equal(decode_hdr(&p, PEER_NODE, 9, NOW - 90, NULL), -XLB_SYNC_E_REPLAY);
	assert_int_equal(decode_hdr(&p, PEER_NODE, 0, NOW - 90, NULL), -XLB_SYNC_E_REPLAY);
	assert_int_equal(decode_hdr(&p, PEER_NODE, 11, NOW - 90, &nn), 0);
	assert_false(nn);
	/* Gaps are fine: lost datagrams are not replays. */
	assert_int_equal(decode_hdr(&p, PEER_NODE, 1000, NOW - 80, &nn), 0);

	/* The peer restarted: new node id, sequence from 1 again. */
	assert_int_equal(decode_hdr(&p, node2, 1, NOW - 50, &nn), 0);
	assert_true(nn);
	assert_int_equal(decode_hdr(&p, node2, 1, NOW - 50, NULL), -XLB_SYNC_E_REPLAY);
	assert_int_equal(decode_hdr(&p, node2, 2, NOW - 40, &nn), 0);
	assert_false(nn);
	/* A capture of the previous run, still inside the window: not a restart. */
	assert_int_equal(decode_hdr(&p, PEER_NODE, 1001, NOW - 79, NULL), -XLB_SYNC_E_OLD_NODE);
	assert_int_equal(decode_hdr(&p, PEER_NODE, 1001, NOW - 40, NULL), -XLB_SYNC_E_OLD_NODE);
	assert_int_equal(p.node, node2);
	assert_int_equal(p.seq, 2);
	/* Our own datagram reflected back at us. */
	assert_int_equal(decode_hdr(&p, OWN_NODE, 3, NOW - 30, NULL), -XLB_SYNC_E_SELF);
	/* Yet another run, later still: accepted. */
	assert_int_equal(decode_hdr(&p, PEER_NODE, 1, NOW - 30, &nn), 0);
	assert_true(nn);
}

/* Test the timestamp window — inclusive at ±30 s by default, configurable, no wrap near 0. */
static void test_timestamp_window(void **state)
{
	static struct xlb_sync_msg m;
	struct xlb_sync_peer_state p;
	uint8_t buf[XLB_SYNC_MAX_DGRAM];
	uint64_t seq = 1;
	size_t len;

	(void)state;
	xlb_sync_peer_init(&p, OWN_NODE, 0);
	assert_int_equal(p.window_ms, 30000);
	assert_int_equal(decode_hdr(&p, PEER_NODE, seq++, NOW - 30001, NULL), -XLB_SYNC_E_STALE);
	assert_int_equal(decode_hdr(&p, PEER_NODE, seq++, NOW + 30001, NULL), -XLB_SYNC_E_FUTURE);
	assert_int_equal(decode_hdr(&p, PEER_NODE, seq++, 0, NULL), -XLB_SYNC_E_STALE);
	assert_int_equal(decode_hdr(&p, PEER_NODE, seq++, UINT64_MAX, NULL), -XLB_SYNC_E_FUTURE);
	assert_false(p.seen);
	assert_int_equal(decode_hdr(&p, PEER_NODE, seq++, NOW - 30000, NULL), 0);
	assert_int_equal(decode_hdr(&p, PEER_NODE, seq++, NOW + 30000, NULL), 0);
	assert_int_equal(decode_hdr(&p, PEER_NODE, seq++, NOW, NULL), 0);

	xlb_sync_peer_init(&p, OWN_NODE, 5000);
	assert_int_equal(decode_hdr(&p, PEER_NODE, seq++, NOW - 6000, NULL), -XLB_SYNC_E_STALE);
	assert_int_equal(decode_hdr(&p, PEER_NODE, seq++, NOW + 6000, NULL), -XLB_SYNC_E_FUTURE);
	assert_int_equal(decode_hdr(&p, PEER_NODE, seq++, NOW - 5000, NULL), 0);

	/* A local clock near 0 (unset RTC): now - window must not wrap. */
	xlb_sync_peer_init(&p, OWN_NODE, 0);
	len = encode(buf, XLB_SYNC_FLOWS, PEER_NODE, 1, 0, mk_rec4, 1, key);
	assert_int_equal(xlb_sync_decode(buf, len, key, 1000, &p, &m), 0);
	len = encode(buf, XLB_SYNC_FLOWS, PEER_NODE, 2, 40000, mk_rec4, 1, key);
	assert_int_equal(xlb_sync_decode(buf, len, key, 1000, &p, &m), -XLB_SYNC_E_FUTURE);
}

static void set_count(uint8_t *buf, uint16_t count)
{
	uint16_t be = htons(count);

	memcpy(buf + offsetof(struct xlb_sync_hdr, count), &be, sizeof(be));
}

/*
 * Test that structural lies with a valid MAC are rejected — a count that disagrees with the
 * length (either way, or a length that is no whole number of records), records in a control
 * message, an unknown type, bulk fields where the type has none.
 */
static void test_structure_valid_mac(void **state)
{
	static struct xlb_sync_msg m;
	uint8_t buf[XLB_SYNC_MAX_DGRAM];
	uint8_t orig[XLB_SYNC_MAX_DGRAM];
	size_t len;

	(void)state;
	len = encode(orig, XLB_SYNC_FLOWS, PEER_NODE, 1, NOW, mk_rec_mixed, 3, key);

	memcpy(buf, orig, len);
	set_count(buf, 2);
	remac(buf, len);
	assert_int_equal(decode_fresh(buf, len, &m), -XLB_SYNC_E_COUNT);
	set_count(buf, 4);
	remac(buf, len);
	assert_int_equal(decode_fresh(buf, len, &m), -XLB_SYNC_E_COUNT);
	set_count(buf, 0);
	remac(buf, len);
	assert_int_equal(decode_fresh(buf, len, &m), -XLB_SYNC_E_COUNT);
	set_count(buf, 0xffff);
	remac(buf, len);
	assert_int_equal(decode_fresh(buf, len, &m), -XLB_SYNC_E_COUNT);

	/* Last record cut off, count left at 3. */
	memcpy(buf, orig, len);
	remac(buf, len - REC);
	assert_int_equal(decode_fresh(buf, len - REC, &m), -XLB_SYNC_E_COUNT);
	/* Half a record more. */
	memcpy(buf, orig, len - MAC);
	memset(buf + len - MAC, 0, REC / 2);
	remac(buf, len + REC / 2);
	assert_int_equal(decode_fresh(buf, len + REC / 2, &m), -XLB_SYNC_E_COUNT);

	/* A control message with records. */
	memcpy(buf, orig, len);
	buf[offsetof(struct xlb_sync_hdr, type)] = XLB_SYNC_BULK_END;
	remac(buf, len);
	assert_int_equal(decode_fresh(buf, len, &m), -XLB_SYNC_E_COUNT);
	buf[offsetof(struct xlb_sync_hdr, type)] = XLB_SYNC_BULK_REQUEST;
	remac(buf, len);
	assert_int_equal(decode_fresh(buf, len, &m), -XLB_SYNC_E_COUNT);

	/* Unknown types. */
	buf[offsetof(struct xlb_sync_hdr, type)] = 0;
	remac(buf, len);
	assert_int_equal(decode_fresh(buf, len, &m), -XLB_SYNC_E_TYPE);
	buf[offsetof(struct xlb_sync_hdr, type)] = XLB_SYNC_BULK_ACK + 1;
	remac(buf, len);
	assert_int_equal(decode_fresh(buf, len, &m), -XLB_SYNC_E_TYPE);

	/* A live datagram with a chunk number but no bulk. */
	memcpy(buf, orig, len);
	buf[offsetof(struct xlb_sync_hdr, chunk) + 3] = 1;
	remac(buf, len);
	assert_int_equal(decode_fresh(buf, len, &m), -XLB_SYNC_E_BULK);

	/* The untouched original still passes: the failures above are the tampering's. */
	assert_int_equal(decode_fresh(orig, len, &m), 0);
}

/* One tampering of record 1 (the middle one) and the reason it must be rejected for. */
struct rec_case {
	const char *name;
	size_t off;    /* byte offset in struct xlb_sync_wire_rec */
	uint8_t value; /* written there */
	int want;      /* -XLB_SYNC_E_* */
};

#define R(f) offsetof(struct xlb_sync_wire_rec, f)

static const struct rec_case rec_cases[] = {
	{ "flow family 0", R(family), 0, -XLB_SYNC_E_FAMILY },
	{ "flow family 5", R(family), 5, -XLB_SYNC_E_FAMILY },
	{ "flow family 2 (AF_INET)", R(family), 2, -XLB_SYNC_E_FAMILY },
	{ "vip family 10 (AF_INET6)", R(vip_family), 10, -XLB_SYNC_E_FAMILY },
	{ "backend family 0", R(be_family), 0, -XLB_SYNC_E_FAMILY },
	{ "backend family 7", R(be_family), 7, -XLB_SYNC_E_FAMILY },
	{ "flow proto icmp", R(proto), IPPROTO_ICMP, -XLB_SYNC_E_PROTO },
	{ "flow proto 0", R(proto), 0, -XLB_SYNC_E_PROTO },
	{ "vip proto sctp", R(vip_proto), IPPROTO_SCTP, -XLB_SYNC_E_PROTO },
	{ "v4 src word 1", R(src) + 4, 1, -XLB_SYNC_E_ADDR },
	{ "v4 dst word 3", R(dst) + 15, 0x80, -XLB_SYNC_E_ADDR },
	{ "v4 backend word 2", R(be_addr) + 8, 1, -XLB_SYNC_E_ADDR },
	{ "vip addr != dst", R(vip_addr) + 3, 99, -XLB_SYNC_E_VIP },
	{ "vip port != dport", R(vip_port) + 1, 80, -XLB_SYNC_E_VIP },
	{ "vip proto udp, flow tcp", R(vip_proto), IPPROTO_UDP, -XLB_SYNC_E_VIP },
	{ "vip family 6, flow 4", R(vip_family), XLB_FAMILY_V6, -XLB_SYNC_E_VIP },
	{ "pad0", R(pad0) + 1, 1, -XLB_SYNC_E_PAD },
	{ "pad1", R(pad1), 0x40, -XLB_SYNC_E_PAD },
};

/*
 * Test that one bad record, with a valid MAC, rejects the whole datagram — for each way a record
 * can be bad — and that the rejection does not advance the replay state.
 */
static void test_bad_record(void **state)
{
	static struct xlb_sync_msg m;
	struct xlb_sync_peer_state p;
	uint8_t orig[XLB_SYNC_MAX_DGRAM];
	uint8_t buf[XLB_SYNC_MAX_DGRAM];
	size_t len, i;
	int err;

	(void)state;
	/* Records 0..2 all IPv4 TCP to port 443. */
	len = encode(orig, XLB_SYNC_FLOWS, PEER_NODE, 5, NOW, mk_rec4, 3, key);
	xlb_sync_peer_init(&p, OWN_NODE, 0);
	for (i = 0; i < sizeof(rec_cases) / sizeof(rec_cases[0]); i++) {
		const struct rec_case *c = &rec_cases[i];

		memcpy(buf, orig, len);
		buf[HDR + REC + c->off] = c->value;
		remac(buf, len);
		err = xlb_sync_decode(buf, len, key, NOW, &p, &m);
		if (err != c->want)
			fail_msg("%s: got %d (%s), want %d (%s)", c->name, err,
				 xlb_sync_strerror(err), c->want, xlb_sync_strerror(c->want));
	}
	assert_false(p.seen);
	/* seq 5 was never taken. */
	assert_int_equal(xlb_sync_decode(orig, len, key, NOW, &p, &m), 0);
	assert_int_equal(p.seq, 5);
}

/*
 * Test xlb_sync_rec_check's edges — a backend of the other family is allowed (but must be
 * well-formed), a port-0 VIP matches any dport, and the host flow's pad comes back zero.
 */
static void test_rec_check(void **state)
{
	struct xlb_sync_rec r;

	(void)state;
	mk_rec6(0, &r);
	assert_int_equal(xlb_sync_rec_check(&r), 0);
	/* A v6 flow to a v4 backend (a tunnel, one day): the codec does not forbid it. */
	r.backend.family = XLB_FAMILY_V4;
	memset(r.backend.w, 0, sizeof(r.backend.w));
	r.backend.w[0] = htonl(0x0a000001);
	assert_int_equal(xlb_sync_rec_check(&r), 0);
	r.backend.w[3] = 1;
	assert_int_equal(xlb_sync_rec_check(&r), -XLB_SYNC_E_ADDR);
	/* An every-port VIP matches any dport; an exact one only its own. */
	mk_rec4(0, &r);
	r.vip.port = 0;
	assert_int_equal(xlb_sync_rec_check(&r), 0);
	r.vip.port = htons(444);
	assert_int_equal(xlb_sync_rec_check(&r), -XLB_SYNC_E_VIP);
	/* The host flow's pad never reaches the wire, and comes back zero. */
	{
		struct xlb_sync_wire_rec w;
		struct xlb_sync_rec back;

		mk_rec4(3, &r);
		r.flow.pad[0] = 0xaa;
		xlb_sync_rec_to_wire(&r, &w);
		assert_int_equal(xlb_sync_rec_from_wire(&w, &back), 0);
		assert_int_equal(back.flow.pad[0], 0);
		assert_int_equal(be32toh(w.age_s), 3);
	}
}

/* Test that every reason has its own name. */
static void test_strerror(void **state)
{
	int i, j;

	(void)state;
	for (i = 1; i < XLB_SYNC_E_MAX; i++) {
		assert_string_not_equal(xlb_sync_strerror(-i), "unknown");
		assert_string_equal(xlb_sync_strerror(-i), xlb_sync_strerror(i));
		for (j = 1; j < i; j++)
			assert_string_not_equal(xlb_sync_strerror(-i), xlb_sync_strerror(-j));
	}
	assert_string_equal(xlb_sync_strerror(-XLB_SYNC_E_MAX), "unknown");
	assert_string_equal(xlb_sync_strerror(-1000), "unknown");
}

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

static char tmpdir[64];

static int setup_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/xlb-test-sync.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmpdir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Write a key file with exactly this content and mode; returns its path (static buffer). */
static const char *key_file(const char *name, const void *data, size_t len, mode_t mode)
{
	static char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	/* fchmod, not the open mode: the umask must not decide what the test checks. */
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
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

/* ---- bulk sync's wire rules ---- */

/* Test that each type's bulk fields are checked — what it must not carry is refused (E_BULK). */
static void test_bulk_fields_checked(void **state)
{
	static const struct {
		const char *what;
		uint8_t type;
		struct xlb_sync_bulk_fields f;
		int want;
	} cases[] = {
		{ "request", XLB_SYNC_BULK_REQUEST, {}, 0 },
		{ "request with a bulk id", XLB_SYNC_BULK_REQUEST, { .bulk = 1 }, -XLB_SYNC_E_BULK },
		{ "request with a sack", XLB_SYNC_BULK_REQUEST, { .sack = 1 }, -XLB_SYNC_E_BULK },
		{ "end", XLB_SYNC_BULK_END, { .bulk = 7, .chunk = 3, .total = 30 }, 0 },
		{ "end of an empty table", XLB_SYNC_BULK_END, { .bulk = 7, .chunk = 1 }, 0 },
		{ "end without a bulk", XLB_SYNC_BULK_END, { .chunk = 3 }, -XLB_SYNC_E_BULK },
		{ "end as chunk 0", XLB_SYNC_BULK_END, { .bulk = 7 }, -XLB_SYNC_E_BULK },
		{ "end counting more than its chunks held", XLB_SYNC_BULK_END,
		  { .bulk = 7, .chunk = 3, .total = 31 }, -XLB_SYNC_E_BULK },
		{ "end with an ack_seq", XLB_SYNC_BULK_END, { .bulk = 7, .chunk = 3, .ack_seq = 1 },
		  -XLB_SYNC_E_BULK },
		{ "ack", XLB_SYNC_BULK_ACK, { .bulk = 7, .chunk = 9, .ack_seq = 5, .sack = 3 }, 0 },
		{ "ack of nothing yet", XLB_SYNC_BULK_ACK, { .bulk = 7 }, 0 },
		{ "ack without a bulk", XLB_SYNC_BULK_ACK, { .chunk = 9 }, -XLB_SYNC_E_BULK },
		{ "ack with a total", XLB_SYNC_BULK_ACK, { .bulk = 7, .total = 1 }, -XLB_SYNC_E_BULK },
		{ "live flows with a total", XLB_SYNC_FLOWS, { .total = 1 }, -XLB_SYNC_E_BULK },
	};
	static struct xlb_sync_msg m;
	uint8_t buf[XLB_SYNC_MAX_DGRAM];
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = encode_bulk(buf, cases[i].type, 1, &cases[i].f);
		if (decode_fresh(buf, len, &m) != cases[i].want)
			fail_msg("%s: decoded to %d, want %d", cases[i].what,
				 decode_fresh(buf, len, &m), cases[i].want);
	}
}

/* Test that a chunk of a bulk carries records and needs a chunk number; an empty one is refused. */
static void test_bulk_chunk_fields(void **state)
{
	struct xlb_sync_bulk_fields f = { .bulk = 7, .chunk = 2 };
	static struct xlb_sync_msg m;
	uint8_t buf[XLB_SYNC_MAX_DGRAM];
	struct xlb_sync_enc e;
	struct xlb_sync_rec r;
	size_t len;

	(void)state;
	xlb_sync_enc_init(&e, XLB_SYNC_FLOWS, PEER_NODE, 1, NOW);
	xlb_sync_enc_bulk(&e, &f);
	mk_rec4(0, &r);
	assert_int_equal(xlb_sync_enc_add(&e, &r), 0);
	len = xlb_sync_enc_finish(&e, key);
	memcpy(buf, e.buf, len);
	assert_int_equal(decode_fresh(buf, len, &m), 0);
	assert_int_equal(m.b.bulk, 7);
	assert_int_equal(m.b.chunk, 2);
	/* chunk 0 of a bulk */
	buf[offsetof(struct xlb_sync_hdr, chunk) + 3] = 0;
	remac(buf, len);
	assert_int_equal(decode_fresh(buf, len, &m), -XLB_SYNC_E_BULK);
	/* an empty chunk */
	len = encode_bulk(buf, XLB_SYNC_FLOWS, 1, &f);
	assert_int_equal(decode_fresh(buf, len, &m), -XLB_SYNC_E_BULK);
}

/*
 * Test that a gap in seq is reported as the datagrams it skipped — 0 for the next one, 3 after
 * seqs 3-5 went missing, 0 for a restarted peer's first — so live sync's losses are counted.
 */
static void test_seq_gap(void **state)
{
	static const struct {
		uint32_t node;
		uint64_t seq, ts;
		uint64_t gap;
	} steps[] = {
		{ PEER_NODE, 1, NOW, 0 },
		{ PEER_NODE, 2, NOW, 0 },
		{ PEER_NODE, 6, NOW, 3 },
		{ PEER_NODE + 1, 1000, NOW + 1, 0 }, /* restarted: a new sequence */
	};
	static struct xlb_sync_msg m;
	struct xlb_sync_peer_state p;
	uint8_t buf[XLB_SYNC_MAX_DGRAM];
	size_t i, len;

	(void)state;
	xlb_sync_peer_init(&p, OWN_NODE, 0);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		len = encode(buf, XLB_SYNC_FLOWS, steps[i].node, steps[i].seq, steps[i].ts, mk_rec4,
			     1, key);
		assert_int_equal(xlb_sync_decode(buf, len, key, NOW, &p, &m), 0);
		assert_int_equal(m.gap, steps[i].gap);
	}
}

/* Test that a version-1 peer is refused by its version — before the MAC is even computed. */
static void test_version_1_refused(void **state)
{
	static struct xlb_sync_msg m;
	uint8_t buf[XLB_SYNC_MAX_DGRAM];
	size_t len;

	(void)state;
	len = encode(buf, XLB_SYNC_BULK_REQUEST, PEER_NODE, 1, NOW, mk_rec4, 0, key);
	buf[offsetof(struct xlb_sync_hdr, version)] = 1;
	remac(buf, len);
	assert_int_equal(decode_fresh(buf, len, &m), -XLB_SYNC_E_VERSION);
}

/* ---- bulk sync's receiver ---- */

static enum xlb_sync_bulk_verdict rx_feed_of(struct xlb_sync_bulk_rx *rx, uint32_t bulk,
					     uint32_t chunk, unsigned int n)
{
	struct xlb_sync_bulk_fields f = { .bulk = bulk, .chunk = chunk };

	return xlb_sync_bulk_rx_chunk(rx, XLB_SYNC_FLOWS, &f, n);
}

static enum xlb_sync_bulk_verdict rx_feed(struct xlb_sync_bulk_rx *rx, uint32_t chunk,
					  unsigned int n)
{
	return rx_feed_of(rx, 9, chunk, n);
}

/*
 * Test that the receiver takes chunks in any order, each once — a duplicate is DUP and not
 * counted again, one past its 64-chunk window is DROP — and is complete only when every chunk up
 * to the END arrived, whichever came last.
 */
static void test_bulk_rx_order(void **state)
{
	struct xlb_sync_bulk_fields end = { .bulk = 9, .chunk = 5, .total = 60 };
	struct xlb_sync_bulk_fields ack;
	struct xlb_sync_bulk_rx rx = {};

	(void)state;
	assert_int_equal(rx_feed(&rx, 3, 15), XLB_SYNC_BULK_TAKE);
	assert_int_equal(rx.cum, 0);
	assert_int_equal(rx.sack, 1 << 1); /* chunk 3 = cum + 2 + 1 */
	assert_int_equal(rx_feed(&rx, 3, 15), XLB_SYNC_BULK_DUP);
	assert_int_equal(xlb_sync_bulk_rx_chunk(&rx, XLB_SYNC_BULK_END, &end, 0),
			 XLB_SYNC_BULK_TAKE);
	assert_false(rx.complete);
	assert_int_equal(rx_feed(&rx, 1, 15), XLB_SYNC_BULK_TAKE);
	assert_int_equal(rx.cum, 1);
	assert_int_equal(rx_feed(&rx, 67, 15), XLB_SYNC_BULK_DROP); /* cum + 66: beyond */
	assert_int_equal(rx_feed(&rx, 2, 15), XLB_SYNC_BULK_TAKE);
	assert_int_equal(rx.cum, 3);
	assert_int_equal(rx_feed(&rx, 1, 15), XLB_SYNC_BULK_DUP);
	xlb_sync_bulk_rx_ack(&rx, 42, &ack);
	assert_int_equal(ack.bulk, 9);
	assert_int_equal(ack.chunk, 3);
	assert_int_equal(ack.sack, 1); /* chunk 5, the END */
	assert_int_equal(ack.ack_seq, 42);
	assert_false(rx.complete);
	assert_int_equal(rx_feed(&rx, 4, 15), XLB_SYNC_BULK_TAKE);
	assert_true(rx.complete);
	assert_int_equal(rx.cum, 5);
	assert_int_equal(rx.flows, 60);
	assert_int_equal(rx.expected, 60);
	assert_int_equal(rx.dups, 2);
	assert_int_equal(rx.dropped, 1);
	/* The same bulk's chunk again is a duplicate; another bulk's starts afresh. */
	assert_int_equal(rx_feed(&rx, 1, 15), XLB_SYNC_BULK_DUP);
	assert_int_equal(rx_feed_of(&rx, 10, 1, 15), XLB_SYNC_BULK_TAKE);
	assert_int_equal(rx.id, 10);
	assert_int_equal(rx.cum, 1);
	assert_int_equal(rx.flows, 15);
	assert_false(rx.complete);
}

/* ---- bulk sync's sender and receiver over a fake wire, on the real loop ---- */

#define WIRE_Q 512
#define MASTER_NODE 0x0a0a0a0au
#define WIRE_TICK_NS 1000000ull /* the wire delivers every 1 ms */

struct dgram {
	size_t len;
	uint8_t buf[XLB_SYNC_MAX_DGRAM];
};

struct wire {
	struct xlb_loop loop;
	struct xlb_sync_bulk_tx tx;
	struct xlb_sync_bulk_rx rx;
	struct xlb_timer tick, deadline;
	unsigned int n_flows, next_flow; /* the master's table: flows 0 .. n_flows - 1 */
	unsigned int *seen;              /* times each flow was taken by the receiver */
	uint64_t m_seq, b_seq;           /* each side's last seq sent */
	struct xlb_sync_peer_state at_b, at_m; /* each side's replay state of the other */
	struct dgram q[WIRE_Q];          /* master -> backup, this tick */
	unsigned int nq;
	/* What the wire does. */
	unsigned int drop_every;   /* drop every k-th master datagram (0: none) */
	uint64_t acks_lost_until;  /* drop every ack sent before this (ns) */
	bool mute;                 /* the backup never acks */
	bool swap;                 /* reverse each tick's datagrams: reordering */
	bool dup;                  /* deliver every datagram twice */
	unsigned int sent, dropped, acks, refused;
	/* The end. */
	bool done;
	const char *why;
	uint64_t done_ns;
};

static int wire_next(void *arg, struct xlb_sync_rec *r)
{
	struct wire *w = arg;

	if (w->next_flow >= w->n_flows)
		return -ENOENT;
	mk_rec4(w->next_flow++, r);
	return 0;
}

static uint64_t wire_send(void *arg, uint8_t type, const struct xlb_sync_bulk_fields *f,
			  const struct xlb_sync_rec *recs, unsigned int n)
{
	struct wire *w = arg;
	struct xlb_sync_enc e;
	unsigned int i;

	xlb_sync_enc_init(&e, type, MASTER_NODE, ++w->m_seq, NOW);
	xlb_sync_enc_bulk(&e, f);
	for (i = 0; i < n; i++)
		assert_int_equal(xlb_sync_enc_add(&e, &recs[i]), 0);
	w->sent++;
	if (w->drop_every && w->sent % w->drop_every == 0) {
		w->dropped++;
		return w->m_seq; /* gone on the way, as a full socket buffer would */
	}
	assert_true(w->nq < WIRE_Q);
	w->q[w->nq].len = xlb_sync_enc_finish(&e, key);
	memcpy(w->q[w->nq].buf, e.buf, w->q[w->nq].len);
	w->nq++;
	return w->m_seq;
}

static void wire_done(void *arg, const struct xlb_sync_bulk_tx *tx, const char *why)
{
	struct wire *w = arg;

	(void)tx;
	w->done = true;
	w->why = why;
	w->done_ns = xlb_now_ns();
}

static const struct xlb_sync_bulk_ops wire_ops = {
	.next = wire_next,
	.send = wire_send,
	.done = wire_done,
};

/* The backup: decode as xlbd does, take the chunk, remember which flows arrived. */
static bool backup_recv(struct wire *w, const struct dgram *g)
{
	static struct xlb_sync_msg m;
	unsigned int i;

	if (xlb_sync_decode(g->buf, g->len, key, NOW, &w->at_b, &m)) {
		w->refused++;
		return false;
	}
	if (xlb_sync_bulk_rx_chunk(&w->rx, m.type, &m.b, m.count) == XLB_SYNC_BULK_TAKE)
		for (i = 0; i < m.count; i++)
			w->seen[ntohs(m.recs[i].flow.sport) - 40000]++;
	return true;
}

/* The backup acks what it holds; the master decodes the ack and takes it. */
static void backup_ack(struct wire *w)
{
	static struct xlb_sync_msg m;
	struct xlb_sync_bulk_fields f;
	struct xlb_sync_enc e;
	size_t len;

	xlb_sync_bulk_rx_ack(&w->rx, w->at_b.seq, &f);
	xlb_sync_enc_init(&e, XLB_SYNC_BULK_ACK, PEER_NODE, ++w->b_seq, NOW);
	xlb_sync_enc_bulk(&e, &f);
	len = xlb_sync_enc_finish(&e, key);
	if (w->mute || xlb_now_ns() < w->acks_lost_until)
		return;
	assert_int_equal(xlb_sync_decode(e.buf, len, key, NOW, &w->at_m, &m), 0);
	w->acks++;
	xlb_sync_bulk_tx_ack(&w->tx, &m.b);
}

static void on_tick(struct xlb_loop *loop, struct xlb_timer *t)
{
	static struct dgram batch[WIRE_Q];
	struct wire *w = t->arg;
	unsigned int i, n = w->nq, took = 0;

	memcpy(batch, w->q, n * sizeof(batch[0]));
	w->nq = 0;
	for (i = 0; i < n; i++) {
		const struct dgram *g = &batch[w->swap ? n - 1 - i : i];

		took += backup_recv(w, g);
		if (w->dup)
			backup_recv(w, g);
	}
	if (took)
		backup_ack(w); /* may send more, into w->q, for the next tick */
	if (w->done)
		xlb_loop_stop(loop);
	else
		xlb_timer_arm(loop, t, WIRE_TICK_NS);
}

static void on_deadline(struct xlb_loop *loop, struct xlb_timer *t)
{
	(void)t;
	xlb_loop_stop(loop);
}

static struct wire *wire_new(unsigned int n_flows)
{
	struct wire *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	w->seen = calloc(n_flows ? n_flows : 1, sizeof(*w->seen));
	assert_non_null(w->seen);
	w->n_flows = n_flows;
	assert_int_equal(xlb_loop_init(&w->loop, NULL, NULL, NULL), 0);
	xlb_sync_bulk_tx_init(&w->tx, &w->loop, &wire_ops, w);
	xlb_sync_peer_init(&w->at_b, PEER_NODE, 0);
	xlb_sync_peer_init(&w->at_m, MASTER_NODE, 0);
	xlb_timer_init(&w->tick, on_tick, w);
	xlb_timer_init(&w->deadline, on_deadline, w);
	return w;
}

/* Run the bulk to its end, or for at most limit_ms. */
static void wire_run(struct wire *w, uint64_t limit_ms)
{
	assert_int_equal(xlb_sync_bulk_tx_start(&w->tx, 0x5eed), 0);
	xlb_timer_arm(&w->loop, &w->tick, WIRE_TICK_NS);
	xlb_timer_arm(&w->loop, &w->deadline, limit_ms * 1000000ull);
	assert_int_equal(xlb_loop_run(&w->loop), 0);
}

static void wire_free(struct wire *w)
{
	xlb_sync_bulk_tx_stop(&w->tx, "test over");
	xlb_timer_cancel(&w->loop, &w->tick);
	xlb_timer_cancel(&w->loop, &w->deadline);
	xlb_loop_fini(&w->loop);
	free(w->seen);
	free(w);
}

/* Every flow taken exactly once, both ends saying complete, N of N. */
static void assert_complete(struct wire *w)
{
	unsigned int i;

	if (!w->done || w->why)
		fail_msg("the bulk did not complete: %s", w->done ? w->why : "still running");
	assert_true(w->rx.complete);
	assert_int_equal(w->rx.flows, w->n_flows);
	assert_int_equal(w->rx.expected, w->n_flows);
	assert_int_equal(w->tx.flows, w->n_flows);
	assert_int_equal(w->tx.acked_flows, w->n_flows);
	for (i = 0; i < w->n_flows; i++)
		if (w->seen[i] != 1)
			fail_msg("flow %u taken %u times", i, w->seen[i]);
}

/* Test that a lossless wire carries 3,000 flows (200 chunks) whole, nothing sent twice. */
static void test_bulk_lossless(void **state)
{
	struct wire *w = wire_new(3000);

	(void)state;
	wire_run(w, 5000);
	assert_complete(w);
	assert_int_equal(w->tx.retransmits, 0);
	assert_int_equal(w->tx.dgrams, 201); /* 200 chunks and the END */
	wire_free(w);
}

/* Test that an empty table is one END of 0 flows, acknowledged: complete, 0 of 0. */
static void test_bulk_empty(void **state)
{
	struct wire *w = wire_new(0);

	(void)state;
	wire_run(w, 5000);
	assert_complete(w);
	assert_int_equal(w->tx.dgrams, 1);
	wire_free(w);
}

/*
 * Test that dropped datagrams are sent again — one in 7 lost on the way, the END included when
 * its turn comes — and the receiver still reports 3,000 of 3,000, each flow once; the losses are
 * found from the acks, within a few ticks, not by waiting for timeouts.
 */
static void test_bulk_drops_retransmitted(void **state)
{
	struct wire *w = wire_new(3000);

	(void)state;
	w->drop_every = 7;
	wire_run(w, 5000);
	assert_complete(w);
	assert_true(w->dropped > 0);
	assert_true(w->tx.retransmits >= w->dropped);
	assert_int_equal(w->tx.timeouts_all, 0);
	wire_free(w);
}

/*
 * Test that the sender waits for a silent receiver without flooding it — acks lost for 300 ms:
 * at most a window in flight, resent on timeouts — and completes once acks flow again; what the
 * receiver got twice meanwhile is counted as duplicates, not as flows.
 */
static void test_bulk_acks_lost(void **state)
{
	struct wire *w = wire_new(3000);

	(void)state;
	w->acks_lost_until = xlb_now_ns() + 300 * 1000000ull;
	wire_run(w, 5000);
	assert_complete(w);
	assert_true(w->tx.timeouts_all >= 1);
	assert_true(w->rx.dups > 0);
	assert_true(w->tx.next_chunk - 1 <= 201);
	wire_free(w);
}

/*
 * Test that reordered and duplicated datagrams are handled — each tick's datagrams delivered in
 * reverse and twice: the decoder refuses the older and the copies as replays, the sender finds
 * those lost from the acks' ack_seq and sends them again — and the result is still 3,000 of
 * 3,000, each flow once.
 */
static void test_bulk_reordered_duplicated(void **state)
{
	struct wire *w = wire_new(3000);

	(void)state;
	w->swap = true;
	w->dup = true;
	wire_run(w, 10000);
	assert_complete(w);
	assert_true(w->refused > 0);
	assert_true(w->tx.retransmits > 0);
	wire_free(w);
}

/*
 * Test that a receiver that never acknowledges is given up after the bounded retries — timeouts
 * 10, 20, 40, 40 ms here, 4 in a row — with the reason, 0 flows acknowledged, while the receiver
 * has its part and knows it is incomplete.
 */
static void test_bulk_peer_mute(void **state)
{
	struct wire *w = wire_new(3000);
	uint64_t t0 = xlb_now_ns();

	(void)state;
	w->mute = true;
	w->tx.rto0_ns = 10 * 1000000ull;
	w->tx.rto_max_ns = 40 * 1000000ull;
	w->tx.retries = 4;
	wire_run(w, 5000);
	assert_true(w->done);
	assert_non_null(w->why);
	assert_string_equal(w->why, "the peer stopped acknowledging");
	assert_int_equal(w->tx.acked_flows, 0);
	assert_int_equal(w->tx.timeouts_all, 4);
	/* The first window, sent again at each timeout, and never more. */
	assert_int_equal(w->tx.dgrams, XLB_SYNC_BULK_CWND0 * 5);
	assert_true(w->done_ns - t0 >= 110 * 1000000ull);
	assert_false(w->rx.complete);
	assert_int_equal(w->rx.flows, XLB_SYNC_BULK_CWND0 * XLB_SYNC_MAX_RECS);
	wire_free(w);
}

/* ---- the channel, on the real loop, over loopback, with a fake node behind its ops ---- */

#define CH_VIP_ID 7
#define CH_BACKEND_ID 3

/* The node: one VIP (mk_rec4's) with one backend, 10.0.0.1; what sync asked of it. */
struct fake_node {
	unsigned int installs, unknown_asks, announces;
	int streaming; /* -1: never set */
	struct xlb_flow flow;
	struct xlb_conn conn;
};

static int fake_resolve(void *arg, const struct xlb_vip_key *vip, const struct xlb_addr *backend,
			uint32_t *vip_id, uint32_t *backend_id)
{
	struct fake_node *n = arg;
	struct xlb_sync_rec known;

	mk_rec4(0, &known);
	if (memcmp(vip, &known.vip, sizeof(*vip)) ||
	    memcmp(backend, &known.backend, sizeof(*backend))) {
		n->unknown_asks++;
		return -ENOENT;
	}
	*vip_id = CH_VIP_ID;
	*backend_id = CH_BACKEND_ID;
	return 0;
}

static int fake_describe(void *arg, uint32_t vip_id, uint32_t backend_id, struct xlb_vip_key *vip,
			 struct xlb_addr *backend)
{
	(void)arg;
	(void)vip_id;
	(void)backend_id;
	(void)vip;
	(void)backend;
	return -ENOENT;
}

static void fake_install(void *arg, const struct xlb_flow *flow, const struct xlb_conn *c)
{
	struct fake_node *n = arg;

	n->installs++;
	n->flow = *flow;
	n->conn = *c;
}

static int fake_conns_fd(void *arg)
{
	(void)arg;
	return -1; /* an empty table: a bulk sync ends at once */
}

static void fake_set_streaming(void *arg, bool on)
{
	((struct fake_node *)arg)->streaming = on;
}

static int fake_ring_fd(void *arg, size_t i)
{
	(void)arg;
	(void)i;
	return -ENOENT;
}

static void fake_peer_became_backup(void *arg)
{
	((struct fake_node *)arg)->announces++;
}

static const struct xlb_sync_ops fake_ops = {
	.resolve = fake_resolve,
	.describe = fake_describe,
	.install = fake_install,
	.conns_fd = fake_conns_fd,
	.set_streaming = fake_set_streaming,
	.ring_fd = fake_ring_fd,
	.peer_became_backup = fake_peer_became_backup,
};

static void on_ch_stop(struct xlb_loop *loop, struct xlb_timer *t)
{
	(void)t;
	xlb_loop_stop(loop);
}

static void run_loop_ms(struct xlb_loop *loop, unsigned int ms)
{
	struct xlb_timer t = {};

	xlb_timer_init(&t, on_ch_stop, NULL);
	assert_int_equal(xlb_timer_arm(loop, &t, ms * 1000000ull), 0);
	assert_int_equal(xlb_loop_run(loop), 0);
	loop->stop = false;
}

/* The peer sends one datagram of type with these records, as its sync would. */
static void peer_send(int fd, const struct sockaddr_in *to, uint8_t type, uint64_t seq,
		      const struct xlb_sync_rec *recs, unsigned int n)
{
	static struct xlb_sync_enc enc;
	unsigned int i;
	size_t len;

	xlb_sync_enc_init(&enc, type, PEER_NODE, seq, xlb_sync_now_ms());
	for (i = 0; i < n; i++)
		assert_int_equal(xlb_sync_enc_add(&enc, &recs[i]), 0);
	len = xlb_sync_enc_finish(&enc, key);
	assert_int_equal(sendto(fd, enc.buf, len, 0, (const struct sockaddr *)to, sizeof(*to)),
			 (ssize_t)len);
}

/*
 * Test the channel against its node: a backup asks the peer for a bulk sync as it starts and
 * stops the data path's streaming; of a datagram's flows, the one naming a VIP and backend the
 * node has is installed with the node's ids, the other counted unknown and not installed; as
 * master, a peer's bulk request makes the node announce itself (peer_became_backup), and stop
 * turns streaming off.
 */
static void test_channel_fake_node(void **state)
{
	static struct xlb_sync s;
	static struct xlb_sync_msg msg;
	struct fake_node node = { .streaming = -1 };
	struct xlb_cfg_sync cfg = {};
	struct sockaddr_in peer = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	struct sockaddr_in at = { .sin_family = AF_INET };
	struct xlb_sync_peer_state replay;
	struct xlb_sync_rec recs[2];
	struct xlb_loop loop;
	socklen_t sl = sizeof(peer);
	uint8_t buf[XLB_SYNC_MAX_DGRAM + 1];
	ssize_t n;
	int pfd;

	(void)state;
	pfd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(pfd >= 0);
	assert_int_equal(bind(pfd, (struct sockaddr *)&peer, sizeof(peer)), 0);
	assert_int_equal(getsockname(pfd, (struct sockaddr *)&peer, &sl), 0);
	snprintf(cfg.key_file, sizeof(cfg.key_file), "%s", key_file("key", key, sizeof(key), 0600));
	cfg.listen_addr.family = cfg.peer_addr.family = XLB_FAMILY_V4;
	cfg.listen_addr.w[0] = cfg.peer_addr.w[0] = htonl(0x7f000001);
	cfg.listen_port = 0; /* any: read back below */
	cfg.peer_port = ntohs(peer.sin_port);

	assert_int_equal(xlb_loop_init(&loop, NULL, NULL, NULL), 0);
	assert_int_equal(xlb_sync_start(&s, &loop, &cfg, &fake_ops, &node), 0);
	sl = sizeof(at);
	assert_int_equal(getsockname(s.fd, (struct sockaddr *)&at, &sl), 0);

	/* Backup: streaming off, and a bulk request reaches the peer. */
	xlb_sync_set_master(&s, false);
	assert_int_equal(node.streaming, 0);
	run_loop_ms(&loop, 50);
	n = recv(pfd, buf, sizeof(buf), MSG_DONTWAIT);
	assert_true(n > 0);
	xlb_sync_peer_init(&replay, PEER_NODE, 0);
	assert_int_equal(xlb_sync_decode(buf, n, key, xlb_sync_now_ms(), &replay, &msg), 0);
	assert_int_equal(msg.type, XLB_SYNC_BULK_REQUEST);

	/* Live flows: 10.0.0.1 is the node's, 10.0.0.2 is not. */
	mk_rec4(0, &recs[0]);
	mk_rec4(1, &recs[1]);
	peer_send(pfd, &at, XLB_SYNC_FLOWS, 1, recs, 2);
	run_loop_ms(&loop, 50);
	assert_int_equal(s.stats.recv_dgrams, 1);
	assert_int_equal(node.installs, 1);
	assert_int_equal(s.stats.installed, 1);
	assert_int_equal(node.unknown_asks, 1);
	assert_int_equal(s.stats.unknown, 1);
	assert_memory_equal(&node.flow, &recs[0].flow, sizeof(node.flow));
	assert_int_equal(node.conn.vip_id, CH_VIP_ID);
	assert_int_equal(node.conn.backend, CH_BACKEND_ID);
	assert_int_equal(node.announces, 0);

	/* Master: the peer's bulk request means it just became backup. */
	xlb_sync_set_master(&s, true);
	assert_int_equal(node.streaming, 1);
	peer_send(pfd, &at, XLB_SYNC_BULK_REQUEST, 2, NULL, 0);
	run_loop_ms(&loop, 50);
	assert_int_equal(node.announces, 1);
	assert_int_equal(node.installs, 1);

	xlb_sync_stop(&s);
	assert_int_equal(node.streaming, 0);
	xlb_sync_stop(&s); /* a stopped channel stops again as a no-op */
	xlb_loop_fini(&loop);
	close(pfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_roundtrip_one_v4),
		cmocka_unit_test(test_roundtrip_one_v6),
		cmocka_unit_test(test_roundtrip_many_mixed),
		cmocka_unit_test(test_roundtrip_max_v4),
		cmocka_unit_test(test_roundtrip_max_v6),
		cmocka_unit_test(test_roundtrip_control),
		cmocka_unit_test(test_enc_full),
		cmocka_unit_test(test_enc_refuses),
		cmocka_unit_test(test_truncation_one),
		cmocka_unit_test(test_truncation_max),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_bitflip_three_mixed),
		cmocka_unit_test(test_bitflip_max_v6),
		cmocka_unit_test(test_bitflip_control),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_replay),
		cmocka_unit_test(test_timestamp_window),
		cmocka_unit_test(test_structure_valid_mac),
		cmocka_unit_test(test_bad_record),
		cmocka_unit_test(test_rec_check),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_node_id),
		cmocka_unit_test(test_key_from_hex),
		cmocka_unit_test_setup_teardown(test_key_load, setup_tmpdir, teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_key_load_owner, setup_tmpdir, teardown_tmpdir),
		cmocka_unit_test(test_bulk_fields_checked),
		cmocka_unit_test(test_bulk_chunk_fields),
		cmocka_unit_test(test_version_1_refused),
		cmocka_unit_test(test_seq_gap),
		cmocka_unit_test(test_bulk_rx_order),
		cmocka_unit_test(test_bulk_lossless),
		cmocka_unit_test(test_bulk_empty),
		cmocka_unit_test(test_bulk_drops_retransmitted),
		cmocka_unit_test(test_bulk_acks_lost),
		cmocka_unit_test(test_bulk_reordered_duplicated),
		cmocka_unit_test(test_bulk_peer_mute),
		cmocka_unit_test_setup_teardown(test_channel_fake_node, setup_tmpdir, teardown_tmpdir),
	};

	if (xlb_sync_init()) {
		fprintf(stderr, "libsodium failed to initialise\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, setup_keys, NULL);
}
