// SPDX-License-Identifier: GPL-2.0-only
/*
 * Flow sync wire format: encoder, decoder and key loading. See sync_pkt.h for the layout.
 *
 * The decoder treats every datagram as hostile until the MAC says otherwise, and checks only what
 * it must (length, magic, version) before spending a hash on it. After the MAC the sender is the
 * peer, but its records are still checked one by one: a bug there must not reach the conns map.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "pair/sync_pkt.h"

_Static_assert(crypto_auth_BYTES == XLB_SYNC_MAC_BYTES, "MAC is HMAC-SHA-512-256, 32 bytes");
_Static_assert(crypto_auth_KEYBYTES == XLB_SYNC_KEY_BYTES, "key is 32 bytes");

static const char *const err_names[XLB_SYNC_E_MAX] = {
	[0] = "ok",
	[XLB_SYNC_E_SHORT] = "short",
	[XLB_SYNC_E_LONG] = "long",
	[XLB_SYNC_E_MAGIC] = "magic",
	[XLB_SYNC_E_VERSION] = "version",
	[XLB_SYNC_E_MAC] = "mac",
	[XLB_SYNC_E_TYPE] = "type",
	[XLB_SYNC_E_PAD] = "pad",
	[XLB_SYNC_E_COUNT] = "count",
	[XLB_SYNC_E_STALE] = "stale",
	[XLB_SYNC_E_FUTURE] = "future",
	[XLB_SYNC_E_SELF] = "self",
	[XLB_SYNC_E_REPLAY] = "replay",
	[XLB_SYNC_E_OLD_NODE] = "old_node",
	[XLB_SYNC_E_FAMILY] = "family",
	[XLB_SYNC_E_ADDR] = "addr",
	[XLB_SYNC_E_PROTO] = "proto",
	[XLB_SYNC_E_VIP] = "vip",
	[XLB_SYNC_E_BULK] = "bulk",
	[XLB_SYNC_E_STATE] = "state",
	[XLB_SYNC_E_KIND] = "kind",
};

const char *xlb_sync_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err >= XLB_SYNC_E_MAX || !err_names[err])
		return "unknown";
	return err_names[err];
}

int xlb_sync_init(void)
{
	/* 1 = already initialised, which is fine. */
	return sodium_init() < 0 ? -EIO : 0;
}

uint32_t xlb_sync_node_id_new(void)
{
	uint32_t id;

	/* 0 is what a zeroed peer state would call "us"; never hand it out. */
	do
		id = randombytes_random();
	while (!id);
	return id;
}

uint64_t xlb_sync_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- keys ---- */

static void why_set(char *why, size_t why_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void why_set(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	if (!why || !why_len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
}

/* Exactly len == 64 hex digits; sodium_hex2bin fails on a stray character or a short count. */
static int key_hex_decode(const char *hex, size_t len, uint8_t key[XLB_SYNC_KEY_BYTES])
{
	size_t bin_len = 0;

	if (len != 2 * XLB_SYNC_KEY_BYTES)
		return -EINVAL;
	if (sodium_hex2bin(key, XLB_SYNC_KEY_BYTES, hex, len, NULL, &bin_len, NULL) != 0 ||
	    bin_len != XLB_SYNC_KEY_BYTES) {
		sodium_memzero(key, XLB_SYNC_KEY_BYTES);
		return -EINVAL;
	}
	return 0;
}

int xlb_sync_key_from_hex(const char *hex, uint8_t key[XLB_SYNC_KEY_BYTES])
{
	return key_hex_decode(hex, strnlen(hex, 2 * XLB_SYNC_KEY_BYTES + 1), key);
}

int xlb_sync_key_load(const char *path, uint8_t key[XLB_SYNC_KEY_BYTES])
{
	return xlb_sync_key_load_why(path, key, NULL, 0);
}

int xlb_sync_key_load_why(const char *path, uint8_t key[XLB_SYNC_KEY_BYTES], char *why,
			  size_t why_len)
{
	/* One byte more than the longest valid file (64 hex + '\n'), to tell "too long" apart. */
	uint8_t buf[2 * XLB_SYNC_KEY_BYTES + 2];
	struct stat st;
	size_t n = 0;
	int fd, err;

	why_set(why, why_len, "%s: ok", path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		err = -errno;
		why_set(why, why_len, "%s: %s", path, strerror(-err));
		return err;
	}
	/* fstat, not stat: judge the file we opened, not whatever the path names by now. */
	if (fstat(fd, &st) < 0) {
		err = -errno;
		why_set(why, why_len, "%s: %s", path, strerror(-err));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
		why_set(why, why_len, "%s: not a regular file", path);
		goto out;
	}
	/* Whoever owns the file can rewrite the key; as ssh, trust only ourselves and root. */
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		err = -EPERM;
		why_set(why, why_len, "%s: owned by uid %u; a key must be owned by uid %u or root",
			path, (unsigned int)st.st_uid, (unsigned int)geteuid());
		goto out;
	}
	/*
	 * Anyone who can read the key can forge flow records into the standby; refuse the file
	 * rather than use a key that may already be leaked, as ssh does with a private key.
	 */
	if (st.st_mode & 077) {
		err = -EPERM;
		why_set(why, why_len,
			"%s: permissions %04o are too open; a key must be accessible by its "
			"owner only (chmod 600 %s)",
			path, (unsigned int)(st.st_mode & 07777), path);
		goto out;
	}
	while (n < sizeof(buf)) {
		ssize_t r = read(fd, buf + n, sizeof(buf) - n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			why_set(why, why_len, "%s: %s", path, strerror(-err));
			goto out;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	if (n == XLB_SYNC_KEY_BYTES) {
		memcpy(key, buf, XLB_SYNC_KEY_BYTES);
		err = 0;
	} else if (n == 2 * XLB_SYNC_KEY_BYTES ||
		   (n == 2 * XLB_SYNC_KEY_BYTES + 1 && buf[n - 1] == '\n')) {
		err = key_hex_decode((const char *)buf, 2 * XLB_SYNC_KEY_BYTES, key);
		if (err)
			why_set(why, why_len, "%s: %zu bytes but not 64 hex characters", path, n);
	} else {
		err = -EINVAL;
		why_set(why, why_len,
			"%s: %s%zu bytes; a key is 32 raw bytes or 64 hex characters "
			"(and a newline)",
			path, n == sizeof(buf) ? "more than " : "", n == sizeof(buf) ? n - 1 : n);
	}
out:
	sodium_memzero(buf, sizeof(buf));
	close(fd);
	return err;
}

/* ---- records ---- */

static int addr_check(uint8_t family, const uint32_t a[4])
{
	switch (family) {
	case XLB_FAMILY_V4:
		/* The maps keep IPv4 in word 0 with the rest zero; anything else never matches. */
		return a[1] | a[2] | a[3] ? -XLB_SYNC_E_ADDR : 0;
	case XLB_FAMILY_V6:
		return 0;
	default:
		return -XLB_SYNC_E_FAMILY;
	}
}

static bool proto_ok(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

int xlb_sync_rec_check(const struct xlb_sync_rec *r)
{
	const struct xlb_flow *f = &r->flow;
	const struct xlb_vip_key *v = &r->vip;
	int err;

	if ((err = addr_check(f->family, f->src)) || (err = addr_check(f->family, f->dst)) ||
	    (err = addr_check(v->family, v->addr)) ||
	    (err = addr_check(r->backend.family, r->backend.w)))
		return err;
	if (!proto_ok(f->proto) || !proto_ok(v->proto))
		return -XLB_SYNC_E_PROTO;
	/*
	 * The backup installs the flow under this VIP; a VIP the flow could not have hit would
	 * bind it to another service's backend.
	 */
	if (v->family != f->family || v->proto != f->proto ||
	    memcmp(v->addr, f->dst, sizeof(v->addr)) || (v->port && v->port != f->dport))
		return -XLB_SYNC_E_VIP;
	switch (r->kind) {
	case XLB_FLOW_K_CONN:
		/* A state the backup's data path does not know would count and expire as nothing. */
		return r->state < XLB_CS_MAX ? 0 : -XLB_SYNC_E_STATE;
	case XLB_FLOW_K_TEMPLATE:
		/* One template per client of the VIP: keyed by the VIP's own port, no client port. */
		if (f->sport || f->dport != v->port)
			return -XLB_SYNC_E_KIND;
		return r->state == XLB_CS_ACTIVE ? 0 : -XLB_SYNC_E_STATE;
	}
	return -XLB_SYNC_E_KIND;
}

void xlb_sync_rec_to_wire(const struct xlb_sync_rec *r, struct xlb_sync_wire_rec *w)
{
	/* Addresses and ports are network order on both sides already; only age_s is host order. */
	memset(w, 0, sizeof(*w));
	memcpy(w->src, r->flow.src, sizeof(w->src));
	memcpy(w->dst, r->flow.dst, sizeof(w->dst));
	w->sport = r->flow.sport;
	w->dport = r->flow.dport;
	w->proto = r->flow.proto;
	w->family = r->flow.family;
	w->kind = r->kind;
	w->state = r->state;
	memcpy(w->vip_addr, r->vip.addr, sizeof(w->vip_addr));
	w->vip_port = r->vip.port;
	w->vip_proto = r->vip.proto;
	w->vip_family = r->vip.family;
	memcpy(w->be_addr, r->backend.w, sizeof(w->be_addr));
	w->be_family = r->backend.family;
	w->age_s = htobe32(r->age_s);
}

int xlb_sync_rec_from_wire(const struct xlb_sync_wire_rec *w, struct xlb_sync_rec *r)
{
	if (w->pad1[0] | w->pad1[1] | w->pad1[2])
		return -XLB_SYNC_E_PAD;
	/* Zeroed first: flow is a map key, its pad and any struct padding must be zero. */
	memset(r, 0, sizeof(*r));
	memcpy(r->flow.src, w->src, sizeof(r->flow.src));
	memcpy(r->flow.dst, w->dst, sizeof(r->flow.dst));
	r->flow.sport = w->sport;
	r->flow.dport = w->dport;
	r->flow.proto = w->proto;
	r->flow.family = w->family;
	r->kind = w->kind;
	r->state = w->state;
	memcpy(r->vip.addr, w->vip_addr, sizeof(r->vip.addr));
	r->vip.port = w->vip_port;
	r->vip.proto = w->vip_proto;
	r->vip.family = w->vip_family;
	memcpy(r->backend.w, w->be_addr, sizeof(r->backend.w));
	r->backend.family = w->be_family;
	r->age_s = be32toh(w->age_s);
	return xlb_sync_rec_check(r);
}

/* ---- encoder ---- */

void xlb_sync_enc_init(struct xlb_sync_enc *e, uint8_t type, uint32_t node, uint64_t seq,
		       uint64_t now_ms)
{
	struct xlb_sync_hdr h = {
		.magic = { 'X', 'L', 'B', 'S' },
		.version = XLB_SYNC_VERSION,
		.type = type,
		.node = htobe32(node),
		.seq = htobe64(seq),
		.ts_ms = htobe64(now_ms),
	};

	/* Zero the whole buffer so nothing uninitialised can ever be sent or MACed. */
	memset(e, 0, sizeof(*e));
	memcpy(e->buf, &h, sizeof(h));
	e->len = sizeof(h);
	e->type = type;
}

void xlb_sync_enc_bulk(struct xlb_sync_enc *e, const struct xlb_sync_bulk_fields *f)
{
	struct xlb_sync_hdr h;

	if (e->finished)
		return;
	memcpy(&h, e->buf, sizeof(h));
	h.bulk = htobe32(f->bulk);
	h.chunk = htobe32(f->chunk);
	h.total = htobe32(f->total);
	h.ack_seq = htobe64(f->ack_seq);
	h.sack = htobe64(f->sack);
	memcpy(e->buf, &h, sizeof(h));
}

int xlb_sync_enc_add(struct xlb_sync_enc *e, const struct xlb_sync_rec *r)
{
	struct xlb_sync_wire_rec w;

	if (e->finished || e->type != XLB_SYNC_FLOWS)
		return -EINVAL;
	if (e->count >= XLB_SYNC_MAX_RECS)
		return -ENOSPC;
	/* The peer drops a datagram with a bad record whole, good records included. */
	if (xlb_sync_rec_check(r))
		return -EINVAL;
	xlb_sync_rec_to_wire(r, &w);
	memcpy(e->buf + e->len, &w, sizeof(w));
	e->len += sizeof(w);
	e->count++;
	return 0;
}

size_t xlb_sync_enc_finish(struct xlb_sync_enc *e, const uint8_t key[XLB_SYNC_KEY_BYTES])
{
	__be16 count = htobe16(e->count);

	if (e->finished)
		return e->len;
	memcpy(e->buf + offsetof(struct xlb_sync_hdr, count), &count, sizeof(count));
	crypto_auth(e->buf + e->len, e->buf, e->len, key);
	e->len += XLB_SYNC_MAC_BYTES;
	e->finished = true;
	return e->len;
}

/* ---- decoder ---- */

void xlb_sync_peer_init(struct xlb_sync_peer_state *p, uint32_t own_node, uint32_t window_ms)
{
	memset(p, 0, sizeof(*p));
	p->own_node = own_node;
	p->window_ms = window_ms ? window_ms : XLB_SYNC_DEFAULT_WINDOW_MS;
}

/*
 * What each type may carry in the bulk fields; everything else must be zero, so that no field
 * means something to one reader and nothing to another.
 */
static int bulk_check(uint8_t type, uint16_t count, const struct xlb_sync_bulk_fields *b)
{
	bool rest_zero = !b->total && !b->ack_seq && !b->sack;

	switch (type) {
	case XLB_SYNC_FLOWS:
		/* Live (bulk 0, chunk 0) or a bulk's chunk, which is never empty. */
		if (!b->bulk)
			return !b->chunk && rest_zero ? 0 : -XLB_SYNC_E_BULK;
		return b->chunk && count && rest_zero ? 0 : -XLB_SYNC_E_BULK;
	case XLB_SYNC_BULK_REQUEST:
		return !b->bulk && !b->chunk && rest_zero ? 0 : -XLB_SYNC_E_BULK;
	case XLB_SYNC_BULK_END:
		/* total cannot exceed what the chunks before the END could carry. */
		if (!b->bulk || !b->chunk || b->ack_seq || b->sack ||
		    b->total > (uint64_t)(b->chunk - 1) * XLB_SYNC_MAX_RECS)
			return -XLB_SYNC_E_BULK;
		return 0;
	case XLB_SYNC_BULK_ACK:
		return b->bulk && !b->total ? 0 : -XLB_SYNC_E_BULK;
	}
	return -XLB_SYNC_E_TYPE;
}

int xlb_sync_decode(const uint8_t *buf, size_t len, const uint8_t key[XLB_SYNC_KEY_BYTES],
		    uint64_t now_ms, struct xlb_sync_peer_state *replay, struct xlb_sync_msg *out)
{
	struct xlb_sync_bulk_fields b;
	struct xlb_sync_hdr h;
	uint64_t seq, ts;
	uint16_t count;
	uint32_t node;
	bool new_node;
	size_t body, i;
	int err;

	if (len < sizeof(h) + XLB_SYNC_MAC_BYTES)
		return -XLB_SYNC_E_SHORT;
	/* Bounds the hashing work an unauthenticated sender can make us do. */
	if (len > XLB_SYNC_MAX_DGRAM)
		return -XLB_SYNC_E_LONG;
	/* Copies, not casts: buf need not be aligned, and the header is small. */
	memcpy(&h, buf, sizeof(h));
	if (memcmp(h.magic, XLB_SYNC_MAGIC, sizeof(h.magic)))
		return -XLB_SYNC_E_MAGIC;
	if (h.version != XLB_SYNC_VERSION)
		return -XLB_SYNC_E_VERSION;

	/* The MAC sits in the last 32 bytes whatever count says; count is trusted only after. */
	body = len - XLB_SYNC_MAC_BYTES;
	if (crypto_auth_verify(buf + body, buf, body, key) != 0)
		return -XLB_SYNC_E_MAC;

	if (h.type < XLB_SYNC_FLOWS || h.type > XLB_SYNC_BULK_ACK)
		return -XLB_SYNC_E_TYPE;
	count = be16toh(h.count);
	if (count > XLB_SYNC_MAX_RECS || XLB_SYNC_DGRAM_LEN((size_t)count) != len)
		return -XLB_SYNC_E_COUNT;
	if (count && h.type != XLB_SYNC_FLOWS)
		return -XLB_SYNC_E_COUNT;
	b.bulk = be32toh(h.bulk);
	b.chunk = be32toh(h.chunk);
	b.total = be32toh(h.total);
	b.ack_seq = be64toh(h.ack_seq);
	b.sack = be64toh(h.sack);
	err = bulk_check(h.type, count, &b);
	if (err)
		return err;

	/* Written as differences so that neither side can wrap around. */
	ts = be64toh(h.ts_ms);
	if (ts < now_ms && now_ms - ts > replay->window_ms)
		return -XLB_SYNC_E_STALE;
	if (ts > now_ms && ts - now_ms > replay->window_ms)
		return -XLB_SYNC_E_FUTURE;

	node = be32toh(h.node);
	seq = be64toh(h.seq);
	if (node == replay->own_node)
		return -XLB_SYNC_E_SELF;
	new_node = !replay->seen || node != replay->node;
	if (!new_node && seq <= replay->seq)
		return -XLB_SYNC_E_REPLAY;
	/*
	 * A restarted peer's clock is past everything its previous run sent. Without this, a
	 * captured datagram of the previous run, replayed inside the window, would pass as yet
	 * another restart and reset the sequence for the next replay.
	 */
	if (new_node && replay->seen && ts <= replay->max_ts_ms)
		return -XLB_SYNC_E_OLD_NODE;

	for (i = 0; i < count; i++) {
		struct xlb_sync_wire_rec w;

		memcpy(&w, buf + sizeof(h) + i * sizeof(w), sizeof(w));
		err = xlb_sync_rec_from_wire(&w, &out->recs[i]);
		if (err)
			return err;
	}
	out->type = h.type;
	out->count = count;
	out->node = node;
	out->seq = seq;
	out->ts_ms = ts;
	out->new_node = new_node;
	out->gap = new_node ? 0 : seq - replay->seq - 1;
	out->b = b;

	/* Everything checked: take the datagram. */
	if (ts > replay->max_ts_ms)
		replay->max_ts_ms = ts;
	replay->seen = true;
	replay->node = node;
	replay->seq = seq;
	return 0;
}
