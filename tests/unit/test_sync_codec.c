// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the flow sync codec (user/pair/sync_pkt.c): round trips, the encoder's limits, and a
 * decoder that takes a datagram whole or not at all. Hostile inputs come in two kinds: damage
 * anywhere (truncation, every single bit flip, wrong key) must be caught by the MAC or the first
 * structural checks; well-formed lies (wrong count, bad records) are built by tampering with an
 * encoded datagram and re-MACing it with the right key, so the structural checks are shown to hold
 * on their own, not only behind the MAC.
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
	r->state = (i + 1) % XLB_CS_MAX;
}

/* v4 for even i, v6 for odd i. */
static void mk_rec_mixed(unsigned int i, struct xlb_sync_rec *r)
{
	if (i & 1)
		mk_rec6(i, r);
	else
		mk_rec4(i, r);
}

/* The persistence template of mk_rec4's (even i) or mk_rec6's (odd i) client i: no client port. */
static void mk_tmpl(unsigned int i, struct xlb_sync_rec *r)
{
	if (i & 1)
		mk_rec6(i, r);
	else
		mk_rec4(i, r);
	r->kind = XLB_FLOW_K_TEMPLATE;
	r->state = XLB_CS_ACTIVE;
	r->flow.sport = 0;
	r->flow.dport = r->vip.port; /* 443, or 0 for the every-port VIP */
}

/* Flows and templates interleaved, as the master streams them. */
static void mk_rec_kinds(unsigned int i, struct xlb_sync_rec *r)
{
	if (i % 3 == 2)
		mk_tmpl(i, r);
	else
		mk_rec_mixed(i, r);
}

static void assert_rec_eq(const struct xlb_sync_rec *a, const struct xlb_sync_rec *b)
{
	/* Field by field: struct xlb_addr has padding that memcmp would read. */
	assert_memory_equal(&a->flow, &b->flow, sizeof(a->flow));
	assert_memory_equal(&a->vip, &b->vip, sizeof(a->vip));
	assert_int_equal(a->backend.family, b->backend.family);
	assert_memory_equal(a->backend.w, b->backend.w, sizeof(a->backend.w));
	assert_int_equal(a->age_s, b->age_s);
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->state, b->state);
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

/*
 * Test that persistence templates and flows in every state, v4 and v6, round-trip in one full
 * datagram — kind, state and the template's port-less key come back as sent.
 */
static void test_roundtrip_templates_states(void **state)
{
	struct xlb_sync_rec r;
	unsigned int i, kinds[2] = {}, states[XLB_CS_MAX] = {};

	(void)state;
	roundtrip(mk_rec_kinds, XLB_SYNC_MAX_RECS);
	for (i = 0; i < XLB_SYNC_MAX_RECS; i++) {
		mk_rec_kinds(i, &r);
		kinds[r.kind]++;
		if (r.kind == XLB_FLOW_K_CONN)
			states[r.state]++;
	}
	/* The datagram did carry both kinds and every state. */
	assert_true(kinds[XLB_FLOW_K_CONN] && kinds[XLB_FLOW_K_TEMPLATE]);
	for (i = 0; i < XLB_CS_MAX; i++)
		assert_true(states[i]);
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
	{ "state XLB_CS_MAX", R(state), XLB_CS_MAX, -XLB_SYNC_E_STATE },
	{ "state 0xff", R(state), 0xff, -XLB_SYNC_E_STATE },
	{ "kind 2", R(kind), 2, -XLB_SYNC_E_KIND },
	{ "kind 0x80", R(kind), 0x80, -XLB_SYNC_E_KIND },
	{ "a template with a client port", R(kind), XLB_FLOW_K_TEMPLATE, -XLB_SYNC_E_KIND },
	{ "pad1", R(pad1), 0x40, -XLB_SYNC_E_PAD },
	{ "pad1 byte 2", R(pad1) + 2, 1, -XLB_SYNC_E_PAD },
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

/*
 * Test the template's own rules — its port is the VIP key's and it has no client port (E_KIND),
 * its state is ACTIVE (E_STATE) — on the host record and on the wire with a valid MAC.
 */
static void test_template_check(void **state)
{
	static struct xlb_sync_msg m;
	uint8_t buf[XLB_SYNC_MAX_DGRAM];
	struct xlb_sync_rec r;
	size_t len;

	(void)state;
	mk_tmpl(0, &r);
	assert_int_equal(xlb_sync_rec_check(&r), 0);
	r.flow.dport = htons(80);
	assert_int_equal(xlb_sync_rec_check(&r), -XLB_SYNC_E_VIP); /* not the VIP's port */
	mk_tmpl(1, &r);
	assert_int_equal(xlb_sync_rec_check(&r), 0);
	r.flow.dport = htons(53); /* a flow's port, where the every-port VIP's template has 0 */
	assert_int_equal(xlb_sync_rec_check(&r), -XLB_SYNC_E_KIND);
	mk_tmpl(0, &r);
	r.flow.sport = htons(1);
	assert_int_equal(xlb_sync_rec_check(&r), -XLB_SYNC_E_KIND);
	mk_tmpl(0, &r);
	r.state = XLB_CS_CLOSING;
	assert_int_equal(xlb_sync_rec_check(&r), -XLB_SYNC_E_STATE);
	r.state = XLB_CS_SYN;
	assert_int_equal(xlb_sync_rec_check(&r), -XLB_SYNC_E_STATE);

	/* On the wire: template 1 of three (a v6 one) made CLOSING, re-MACed. */
	len = encode(buf, XLB_SYNC_FLOWS, PEER_NODE, 1, NOW, mk_tmpl, 3, key);
	assert_int_equal(decode_fresh(buf, len, &m), 0);
	assert_int_equal(m.recs[1].kind, XLB_FLOW_K_TEMPLATE);
	buf[HDR + REC + offsetof(struct xlb_sync_wire_rec, state)] = XLB_CS_CLOSING;
	remac(buf, len);
	assert_int_equal(decode_fresh(buf, len, &m), -XLB_SYNC_E_STATE);
	buf[HDR + REC + offsetof(struct xlb_sync_wire_rec, state)] = XLB_CS_ACTIVE;
	buf[HDR + REC + offsetof(struct xlb_sync_wire_rec, sport) + 1] = 9;
	remac(buf, len);
	assert_int_equal(decode_fresh(buf, len, &m), -XLB_SYNC_E_KIND);
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
	assert_string_equal(xlb_sync_strerror(-XLB_SYNC_E_STATE), "state");
	assert_string_equal(xlb_sync_strerror(-XLB_SYNC_E_KIND), "kind");
	assert_string_equal(xlb_sync_strerror(-XLB_SYNC_E_MAX), "unknown");
	assert_string_equal(xlb_sync_strerror(-1000), "unknown");
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

/*
 * Test that a version-1 or version-2 peer is refused by its version — before the MAC is even
 * computed (the wrong key shows it) — flows and control messages alike: a version-2 backup would
 * take a template for a flow.
 */
static void test_version_1_refused(void **state)
{
	static struct xlb_sync_msg m;
	uint8_t buf[XLB_SYNC_MAX_DGRAM];
	size_t len;
	uint8_t v;

	(void)state;
	assert_int_equal(XLB_SYNC_VERSION, 3);
	for (v = 1; v < XLB_SYNC_VERSION; v++) {
		len = encode(buf, XLB_SYNC_BULK_REQUEST, PEER_NODE, 1, NOW, mk_rec4, 0, key);
		buf[offsetof(struct xlb_sync_hdr, version)] = v;
		remac(buf, len);
		assert_int_equal(decode_fresh(buf, len, &m), -XLB_SYNC_E_VERSION);
		len = encode(buf, XLB_SYNC_FLOWS, PEER_NODE, 1, NOW, mk_rec_mixed, 4, other_key);
		buf[offsetof(struct xlb_sync_hdr, version)] = v;
		assert_int_equal(decode_fresh(buf, len, &m), -XLB_SYNC_E_VERSION);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_roundtrip_one_v4),
		cmocka_unit_test(test_roundtrip_one_v6),
		cmocka_unit_test(test_roundtrip_many_mixed),
		cmocka_unit_test(test_roundtrip_templates_states),
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
		cmocka_unit_test(test_template_check),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_bulk_fields_checked),
		cmocka_unit_test(test_bulk_chunk_fields),
		cmocka_unit_test(test_version_1_refused),
		cmocka_unit_test(test_seq_gap),
	};

	return sync_test_main("test_sync_codec", tests, sizeof(tests) / sizeof(tests[0]));
}
