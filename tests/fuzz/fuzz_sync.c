// SPDX-License-Identifier: GPL-2.0-only
/*
 * The flow-sync datagram decoder (user/pair/sync_pkt.c), fed datagrams.
 *
 * Input: byte 0 flags, byte 1 the local clock's offset from the datagram's timestamp in
 * seconds (signed, so the window's edges are reached), then the datagram. Flag bit 0 writes
 * the right MAC over the last 32 bytes first: without it nothing gets past the MAC check, and
 * a fuzzer cannot forge HMAC-SHA-512-256.
 *
 * Properties beyond "no crash": a datagram taken re-encodes with xlb_sync_enc to exactly the
 * bytes received (decode(encode(x)) == x the other way round), is refused as a replay when
 * sent again, and is refused with one MAC bit flipped by a fresh receiver; every record taken has
 * a known kind and state, a template no client port and state ACTIVE (what the backup installs).
 */
#include <endian.h>
#include <string.h>

#include <sodium.h>

#include "fuzz.h"
#include "pair/sync_pkt.h"

#define OWN_NODE 0x0b5e55edu

static const uint8_t key[XLB_SYNC_KEY_BYTES] = "fuzz key, 32 bytes, not a secret";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t dgram[XLB_SYNC_MAX_DGRAM + 64];
	static struct xlb_sync_msg msg, again;
	static struct xlb_sync_enc enc;
	static bool inited;
	struct xlb_sync_peer_state peer, fresh;
	struct xlb_sync_hdr h;
	uint64_t now = 0, ts;
	size_t len, i;
	int ret;

	if (!inited) {
		FUZZ_CHECK(xlb_sync_init() == 0);
		inited = true;
	}
	if (size < 2 || size - 2 > sizeof(dgram))
		return 0;
	len = size - 2;
	memcpy(dgram, data + 2, len);
	if ((data[0] & 1) && len >= XLB_SYNC_MAC_BYTES)
		crypto_auth(dgram + len - XLB_SYNC_MAC_BYTES, dgram, len - XLB_SYNC_MAC_BYTES, key);
	if (len >= sizeof(h)) {
		memcpy(&h, dgram, sizeof(h));
		ts = be64toh(h.ts_ms);
		now = ts + (int64_t)(int8_t)data[1] * 1000;
	}

	xlb_sync_peer_init(&peer, OWN_NODE, 0);
	ret = xlb_sync_decode(dgram, len, key, now, &peer, &msg);
	FUZZ_CHECK(ret <= 0 && -ret < XLB_SYNC_E_MAX);
	if (ret)
		return 0;

	FUZZ_CHECK(peer.seen && peer.node == msg.node && peer.seq == msg.seq && msg.new_node);
	FUZZ_CHECK(msg.node != OWN_NODE && msg.count <= XLB_SYNC_MAX_RECS);
	FUZZ_CHECK(len == XLB_SYNC_DGRAM_LEN((size_t)msg.count));
	FUZZ_CHECK(msg.type == XLB_SYNC_FLOWS || msg.count == 0);

	/* Round trip: the encoder makes the same bytes from what was decoded. */
	xlb_sync_enc_init(&enc, msg.type, msg.node, msg.seq, msg.ts_ms);
	xlb_sync_enc_bulk(&enc, &msg.b);
	for (i = 0; i < msg.count; i++) {
		const struct xlb_sync_rec *r = &msg.recs[i];

		FUZZ_CHECK(xlb_sync_rec_check(r) == 0);
		FUZZ_CHECK(r->state < XLB_CS_MAX && !r->flow.pad[0] && !r->flow.pad[1]);
		FUZZ_CHECK(r->kind == XLB_FLOW_K_CONN ||
			   (r->kind == XLB_FLOW_K_TEMPLATE && !r->flow.sport &&
			    r->flow.dport == r->vip.port && r->state == XLB_CS_ACTIVE));
		FUZZ_CHECK(xlb_sync_enc_add(&enc, r) == 0);
	}
	FUZZ_CHECK(xlb_sync_enc_finish(&enc, key) == len);
	FUZZ_CHECK(!memcmp(enc.buf, dgram, len));

	/* Taken once: the same datagram again is a replay. */
	FUZZ_CHECK(xlb_sync_decode(dgram, len, key, now, &peer, &again) == -XLB_SYNC_E_REPLAY);

	/* One bit of the MAC wrong: refused, before anything else is believed. */
	dgram[len - 1 - data[1] % XLB_SYNC_MAC_BYTES] ^= (uint8_t)(1u << (data[0] >> 5));
	xlb_sync_peer_init(&fresh, OWN_NODE, 0);
	FUZZ_CHECK(xlb_sync_decode(dgram, len, key, now, &fresh, &again) == -XLB_SYNC_E_MAC);
	FUZZ_CHECK(!fresh.seen);
	return 0;
}
