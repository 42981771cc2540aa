// SPDX-License-Identifier: GPL-2.0-only
/*
 * Writes the encoder-built seeds of tests/fuzz/corpus/ (`make fuzz-seeds`): sync datagrams of
 * every type from xlb_sync_enc, VRRP adverts of both families from xlb_vrrp_encode, in the
 * harnesses' input formats (see fuzz_sync.c, fuzz_vrrp.c), and control requests. The other
 * seeds are configs/ and the config unit test's cases, and keepalived's own adverts (its 2.2.7
 * captures, in the vrrp harness's format); they were copied in once, not generated.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "pair/sync_pkt.h"
#include "pair/vrrp_pkt.h"

static const char *dir;

static int put(const char *harness, const char *name, const void *a, size_t alen, const void *b,
	       size_t blen)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, harness, name);
	f = fopen(path, "w");
	if (!f || fwrite(a, 1, alen, f) != alen || (blen && fwrite(b, 1, blen, f) != blen)) {
		perror(path);
		return 1;
	}
	return fclose(f) ? 1 : 0;
}

static struct xlb_addr addr(const char *s)
{
	struct xlb_addr a;

	xlb_addr_parse(s, &a);
	return a;
}

/* The key fuzz_sync.c MACs with. */
static const uint8_t key[XLB_SYNC_KEY_BYTES] = "fuzz key, 32 bytes, not a secret";

static struct xlb_sync_rec rec(int v6, int i, uint16_t vip_port)
{
	struct xlb_sync_rec r = {};
	struct xlb_addr c = addr(v6 ? "2001:db8::10" : "198.51.100.10");
	struct xlb_addr v = addr(v6 ? "2001:db8:1::1" : "203.0.113.1");

	c.w[v6 ? 3 : 0] = htonl(ntohl(c.w[v6 ? 3 : 0]) + i);
	r.flow.family = r.vip.family = c.family;
	memcpy(r.flow.src, c.w, sizeof(c.w));
	memcpy(r.flow.dst, v.w, sizeof(v.w));
	memcpy(r.vip.addr, v.w, sizeof(v.w));
	r.flow.sport = htons(40000 + i);
	r.flow.dport = htons(80);
	r.flow.proto = r.vip.proto = i & 1 ? IPPROTO_UDP : IPPROTO_TCP;
	r.vip.port = htons(vip_port);
	r.backend = addr(v6 ? "2001:db8:2::5" : "192.0.2.5");
	r.age_s = i * 7;
	/* Version 3: flows in every state, and every fourth record a persistence template. */
	r.state = i % XLB_CS_MAX;
	if (i % 4 == 3) {
		r.kind = XLB_FLOW_K_TEMPLATE;
		r.state = XLB_CS_ACTIVE;
		r.flow.sport = 0;
		r.flow.dport = r.vip.port;
	}
	return r;
}

/* flags: bit 0 re-MAC after mutation; clock = the timestamp. Written with and without it. */
static int sync_seed(const char *name, uint8_t type, int n, int v6,
		     const struct xlb_sync_bulk_fields *b)
{
	uint8_t head[2] = { 0, 0 };
	struct xlb_sync_enc e;
	char remac[64];
	size_t len;
	int i;

	xlb_sync_enc_init(&e, type, 0x1234 + n, 1000 + n, 1764633600000ull);
	if (b)
		xlb_sync_enc_bulk(&e, b);
	for (i = 0; i < n; i++) {
		struct xlb_sync_rec r = rec(v6, i, i % 3 ? 80 : 0);

		if (xlb_sync_enc_add(&e, &r))
			return 1;
	}
	len = xlb_sync_enc_finish(&e, key);
	snprintf(remac, sizeof(remac), "remac-%s", name);
	if (put("sync", name, head, sizeof(head), e.buf, len))
		return 1;
	head[0] = 1;
	return put("sync", remac, head, sizeof(head), e.buf, len);
}

/* Written as is and as fix-<name>, with byte 0 bit 1 (checksum fixed after mutation) set. */
static int vrrp_seed(const char *name, int v6, uint8_t prio, uint16_t cs, int n, uint8_t version,
		     uint8_t auth)
{
	struct xlb_addr src = addr(v6 ? "fe80::1" : "192.0.2.1"), dst;
	static struct xlb_vrrp_advert a;
	uint8_t buf[2048], in[2048];
	char fix[64];
	int len, i, hlen;

	xlb_vrrp_group(src.family, &dst);
	memset(&a, 0, sizeof(a));
	a.vrid = 51;
	a.priority = prio;
	a.family = src.family;
	a.n_addrs = n;
	a.interval_cs = cs;
	a.version = version;
	a.auth_type = auth;
	if (auth == XLB_VRRP_AUTH_PASS)
		memcpy(a.auth_data, "1111", 4);
	for (i = 0; i < n; i++) {
		a.addrs[i] = addr(v6 ? "2001:db8::100" : "203.0.113.100");
		a.addrs[i].w[v6 ? 3 : 0] = htonl(ntohl(a.addrs[i].w[v6 ? 3 : 0]) + i);
	}
	len = xlb_vrrp_encode(&a, &src, &dst, buf, sizeof(buf));
	if (len < 0)
		return 1;
	if (v6) {
		in[0] = 1;
		memcpy(in + 1, src.w, 16);
		memcpy(in + 17, dst.w, 16);
		in[33] = XLB_VRRP_TTL;
		hlen = 34;
	} else {
		in[0] = 0;
		hlen = 1 + xlb_vrrp_ip4_build(in + 1, sizeof(in) - 1, &src, &dst, 1, len);
	}
	if (put("vrrp", name, in, hlen, buf, len))
		return 1;
	in[0] |= 2;
	snprintf(fix, sizeof(fix), "fix-%s", name);
	return put("vrrp", fix, in, hlen, buf, len);
}

int main(int argc, char **argv)
{
	static const char *const reqs[] = {
		"state\n", "reload\n", "drain 192.0.2.1\n", "drain 192.0.2.1 web\n",
		"enable 2001:db8::5 web\n", "disable 192.0.2.1 203.0.113.1:80/tcp\n",
		"  state  \n", "wide a b c d e f g\n", "state extra\n", "nope\n", "\n", "drain",
		"pi\x01ng\n", "state\r\n", "a b c d e f g h i\n",
	};
	char name[32];
	size_t i;
	int err = 0;

	if (argc != 2 || xlb_sync_init())
		return 2;
	dir = argv[1];
	err |= sync_seed("flows-1-v4", XLB_SYNC_FLOWS, 1, 0, NULL);
	err |= sync_seed("flows-15-v4", XLB_SYNC_FLOWS, XLB_SYNC_MAX_RECS, 0, NULL);
	err |= sync_seed("flows-3-v6", XLB_SYNC_FLOWS, 3, 1, NULL);
	err |= sync_seed("flows-8-v6", XLB_SYNC_FLOWS, 8, 1, NULL); /* two templates */
	err |= sync_seed("flows-0", XLB_SYNC_FLOWS, 0, 0, NULL);
	err |= sync_seed("bulk-request", XLB_SYNC_BULK_REQUEST, 0, 0, NULL);
	/* A bulk's chunks, its end (the chunk after the last, with the total) and an ack. */
	err |= sync_seed("bulk-chunk-1", XLB_SYNC_FLOWS, 2, 0, &(struct xlb_sync_bulk_fields){
		.bulk = 7, .chunk = 1 });
	err |= sync_seed("bulk-chunk-2-v6", XLB_SYNC_FLOWS, XLB_SYNC_MAX_RECS, 1,
			 &(struct xlb_sync_bulk_fields){ .bulk = 7, .chunk = 2 });
	err |= sync_seed("bulk-end", XLB_SYNC_BULK_END, 0, 0, &(struct xlb_sync_bulk_fields){
		.bulk = 7, .chunk = 3, .total = 17 });
	err |= sync_seed("bulk-ack", XLB_SYNC_BULK_ACK, 0, 0, &(struct xlb_sync_bulk_fields){
		.bulk = 7, .chunk = 1, .ack_seq = 1002, .sack = 0x5 });
	err |= vrrp_seed("enc-v4-1", 0, 100, 100, 1, 0, 0);
	err |= vrrp_seed("enc-v4-prio0", 0, 0, 100, 1, 0, 0);
	err |= vrrp_seed("enc-v4-255", 0, 255, 1, 255, 0, 0);
	err |= vrrp_seed("enc-v6-1", 1, 100, 100, 1, 0, 0);
	err |= vrrp_seed("enc-v6-4", 1, 254, 4095, 4, 0, 0);
	err |= vrrp_seed("enc-v2-v4-1", 0, 100, 100, 1, XLB_VRRP_V2, XLB_VRRP_AUTH_NONE);
	err |= vrrp_seed("enc-v2-v4-pass", 0, 100, 300, 2, XLB_VRRP_V2, XLB_VRRP_AUTH_PASS);
	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		snprintf(name, sizeof(name), "req-%02zu", i);
		err |= put("control", name, reqs[i], strlen(reqs[i]), NULL, 0);
	}
	err |= put("control", "req-nul", "pi\0ng\n", 6, NULL, 0);
	return err;
}
