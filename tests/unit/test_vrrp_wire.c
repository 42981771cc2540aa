// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for VRRPv2/v3's wire format (user/pair/vrrp_pkt.c) against adverts captured from
 * keepalived 2.2.7.
 *
 * Every VRRP frame of the pcaps in tests/data/keepalived-2.2.7 (the Makefile compiles its
 * path in as XLB_TEST_DATA; XLB_VRRP_VECTORS overrides it) decodes to the expected fields,
 * re-encodes byte for byte, and its IPv4 / IPv6 header rebuilds byte for byte (given the
 * captured IP id / flow label), v2 adverts included; a table of mutations is refused with the
 * right reason. A missing capture is a failure, never a skip. The test parses the captures and
 * checks checksums with its own code, not the library's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/log.h"
#include "common/loop.h"
#include "pair/vrrp.h"
#include "pair/vrrp_pkt.h"

#include "vrrp_test.h"

/* The test's own Internet checksum, so the library is not checked against itself. */
static uint16_t t_csum(const uint8_t *p, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Recompute the VRRP checksum of buf in place (after a mutation), pseudo-header included. */
static void t_fix_csum(uint8_t *buf, size_t len, const struct xlb_addr *src,
		       const struct xlb_addr *dst)
{
	uint8_t tmp[64 + 4096];
	size_t off;
	uint16_t c;

	if (src->family == XLB_FAMILY_V4) {
		memcpy(tmp, src->w, 4);
		memcpy(tmp + 4, dst->w, 4);
		tmp[8] = 0;
		tmp[9] = 112;
		tmp[10] = (uint8_t)(len >> 8);
		tmp[11] = (uint8_t)len;
		off = 12;
	} else {
		memcpy(tmp, src->w, 16);
		memcpy(tmp + 16, dst->w, 16);
		memset(tmp + 32, 0, 8);
		tmp[34] = (uint8_t)(len >> 8);
		tmp[35] = (uint8_t)len;
		tmp[39] = 112;
		off = 40;
	}
	buf[6] = buf[7] = 0;
	memcpy(tmp + off, buf, len);
	c = t_csum(tmp, off + len, 0);
	buf[6] = c >> 8;
	buf[7] = c & 0xff;
}

/* ---- a tiny pcap reader ------------------------------------------------------------------ */

struct pcap {
	uint8_t *data;
	size_t len, off;
	bool swapped; /* file written on a host of the other byte order */
};

static uint32_t pcap_u32(const struct pcap *p, const uint8_t *b)
{
	if (p->swapped)
		return (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
	return (uint32_t)b[3] << 24 | b[2] << 16 | b[1] << 8 | b[0];
}

#ifndef XLB_TEST_DATA
#error "build with -DXLB_TEST_DATA='\"<checkout>/tests/data\"' (the Makefile does)"
#endif

static const char *vectors_dir(void)
{
	const char *d = getenv("XLB_VRRP_VECTORS");

	return d ? d : XLB_TEST_DATA "/keepalived-2.2.7";
}

/* A capture that is not there fails the test: it is in the tree, so missing means broken. */
static void pcap_open(struct pcap *p, const char *name)
{
	char path[512];
	uint32_t magic;
	FILE *f;
	long n;

	memset(p, 0, sizeof(*p));
	snprintf(path, sizeof(path), "%s/%s", vectors_dir(), name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("capture %s: %s", path, strerror(errno));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 24);
	rewind(f);
	p->data = malloc((size_t)n);
	assert_non_null(p->data);
	assert_int_equal(fread(p->data, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	p->len = (size_t)n;
	magic = (uint32_t)p->data[0] | p->data[1] << 8 | p->data[2] << 16 |
		(uint32_t)p->data[3] << 24;
	if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d)
		p->swapped = false;
	else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1)
		p->swapped = true;
	else
		fail_msg("%s: not a pcap file", name);
	assert_int_equal(pcap_u32(p, p->data + 20), 1); /* LINKTYPE_ETHERNET */
	p->off = 24;
}

static bool pcap_next(struct pcap *p, const uint8_t **frame, size_t *caplen)
{
	uint32_t incl;

	if (p->off + 16 > p->len)
		return false;
	incl = pcap_u32(p, p->data + p->off + 8);
	assert_true(p->off + 16 + incl <= p->len);
	*frame = p->data + p->off + 16;
	*caplen = incl;
	p->off += 16 + incl;
	return true;
}

static void pcap_close(struct pcap *p)
{
	free(p->data);
	p->data = NULL;
}

/* A VRRP frame taken apart by the test (not by xlb_vrrp_ip4_parse). */
struct vframe {
	uint8_t family;
	const uint8_t *ip; /* IP header */
	size_t ip_hlen;
	const uint8_t *vrrp;
	size_t vrrp_len;
	struct xlb_addr src, dst;
	uint8_t ttl;
	uint16_t ip_id;    /* IPv4 */
	uint32_t flow;     /* IPv6 flow label */
	size_t frame_left; /* bytes from the IP header to the end of the frame */
};

static bool frame_vrrp(const uint8_t *f, size_t n, struct vframe *v)
{
	const uint8_t *ip = f + 14;
	uint16_t et;

	memset(v, 0, sizeof(*v));
	if (n < 14)
		return false;
	et = (uint16_t)(f[12] << 8 | f[13]);
	v->ip = ip;
	v->frame_left = n - 14;
	if (et == 0x0800 && n >= 34 && ip[9] == 112) {
		size_t ihl = (ip[0] & 0x0f) * 4u, tot = (size_t)ip[2] << 8 | ip[3];

		assert_true(14 + tot <= n);
		v->family = XLB_FAMILY_V4;
		v->ip_hlen = ihl;
		v->vrrp = ip + ihl;
		v->vrrp_len = tot - ihl;
		v->src.family = v->dst.family = XLB_FAMILY_V4;
		memcpy(v->src.w, ip + 12, 4);
		memcpy(v->dst.w, ip + 16, 4);
		v->ttl = ip[8];
		v->ip_id = (uint16_t)(ip[4] << 8 | ip[5]);
		return true;
	}
	if (et == 0x86dd && n >= 54 && ip[6] == 112) {
		size_t plen = (size_t)ip[4] << 8 | ip[5];

		assert_true(54 + plen <= n);
		v->family = XLB_FAMILY_V6;
		v->ip_hlen = 40;
		v->vrrp = ip + 40;
		v->vrrp_len = plen;
		v->src.family = v->dst.family = XLB_FAMILY_V6;
		memcpy(v->src.w, ip + 8, 16);
		memcpy(v->dst.w, ip + 24, 16);
		v->ttl = ip[7];
		v->flow = (uint32_t)(ip[1] & 0x0f) << 16 | ip[2] << 8 | ip[3];
		return true;
	}
	return false;
}

/*
 * Decode a captured advert, re-encode it from the decoded fields, rebuild its IP header:
 * all three must reproduce the capture byte for byte.
 */
static void check_roundtrip(const struct vframe *v, const char *what)
{
	struct xlb_vrrp_advert a;
	uint8_t buf[4096], hdr[40];
	int n;

	n = xlb_vrrp_decode(v->vrrp, v->vrrp_len, &v->src, &v->dst, v->ttl, &a);
	if (n)
		fail_msg("%s: decode: %s", what, xlb_vrrp_err_str(n));
	n = xlb_vrrp_encode(&a, &v->src, &v->dst, buf, sizeof(buf));
	assert_int_equal(n, (int)v->vrrp_len);
	if (memcmp(buf, v->vrrp, v->vrrp_len))
		fail_msg("%s: re-encoded VRRP differs from the capture", what);
	if (v->family == XLB_FAMILY_V4) {
		n = xlb_vrrp_ip4_build(hdr, sizeof(hdr), &v->src, &v->dst, v->ip_id, v->vrrp_len);
		assert_int_equal(n, 20);
		assert_int_equal(v->ip_hlen, 20);
		if (memcmp(hdr, v->ip, 20))
			fail_msg("%s: rebuilt IPv4 header differs from the capture", what);
		/* and the capture's IP header checksum verifies with the test's own sum */
		assert_int_equal(t_csum(v->ip, 20, 0), 0);
	} else {
		n = xlb_vrrp_ip6_build(hdr, sizeof(hdr), &v->src, &v->dst, v->flow, v->vrrp_len);
		assert_int_equal(n, 40);
		if (memcmp(hdr, v->ip, 40))
			fail_msg("%s: rebuilt IPv6 header differs from the capture", what);
	}
}

/* ---- wire format ------------------------------------------------------------------------- */

struct vector_case {
	const char *file;
	uint8_t family, vrid, priority;
	uint16_t interval_cs;
};

/*
 * Test that each single-advert capture decodes to what keepalived was configured with and
 * re-encodes byte for byte. The README says VRID 51 throughout; the IPv6 capture carries 52
 * (the pair ran one instance per family), and that is what is on the wire.
 */
static void test_pcap_v3_adverts(void **state)
{
	static const struct vector_case cases[] = {
		{ "one_vrrpv3_ipv4_advert_adv1s.pcap", XLB_FAMILY_V4, 51, 100, 100 },
		{ "one_vrrpv3_ipv4_advert_adv100ms.pcap", XLB_FAMILY_V4, 51, 100, 10 },
		{ "one_vrrpv3_ipv4_advert_adv10ms.pcap", XLB_FAMILY_V4, 51, 100, 1 },
		{ "one_vrrpv3_ipv4_prio0.pcap", XLB_FAMILY_V4, 51, 0, 100 },
		{ "one_vrrpv3_ipv6_advert.pcap", XLB_FAMILY_V6, 52, 100, 100 },
	};
	struct xlb_addr vip4 = A("10.250.0.100"), vip6 = A("fd25:250::100"), grp;
	struct xlb_vrrp_advert a;
	size_t i, caplen;
	const uint8_t *f;
	struct vframe v;
	struct pcap p;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct vector_case *c = &cases[i];

		pcap_open(&p, c->file);
		assert_true(pcap_next(&p, &f, &caplen));
		assert_true(frame_vrrp(f, caplen, &v));
		assert_int_equal(v.family, c->family);
		assert_int_equal(v.ttl, 255);
		assert_int_equal(xlb_vrrp_group(c->family, &grp), 0);
		assert_true(addr_eq(&v.dst, &grp));

		assert_int_equal(xlb_vrrp_decode(v.vrrp, v.vrrp_len, &v.src, &v.dst, v.ttl, &a), 0);
		assert_int_equal(a.vrid, c->vrid);
		assert_int_equal(a.priority, c->priority);
		assert_int_equal(a.interval_cs, c->interval_cs);
		assert_int_equal(a.family, c->family);
		assert_int_equal(a.n_addrs, 1);
		assert_true(addr_eq(&a.addrs[0], c->family == XLB_FAMILY_V4 ? &vip4 : &vip6));
		check_roundtrip(&v, c->file);
		assert_false(pcap_next(&p, &f, &caplen));
		pcap_close(&p);
	}
}

/*
 * Test that every VRRP frame of the mixed capture (both families, two senders: the master at
 * 100, its graceful stop, the backup taking over at 90 and stopping in turn) round-trips byte
 * for byte, including the second sender's own IPv6 flow label.
 */
static void test_pcap_mixed_exchange(void **state)
{
	struct xlb_vrrp_advert a;
	unsigned int n_v4 = 0, n_v6 = 0, n_prio0 = 0, n_prio90 = 0;
	const uint8_t *f;
	struct vframe v;
	struct pcap p;
	size_t caplen;
	char what[64];

	(void)state;
	pcap_open(&p, "v3_ipv4_ipv6_garp_na.pcap");
	while (pcap_next(&p, &f, &caplen)) {
		if (!frame_vrrp(f, caplen, &v))
			continue;
		snprintf(what, sizeof(what), "mixed frame %u", n_v4 + n_v6);
		assert_int_equal(xlb_vrrp_decode(v.vrrp, v.vrrp_len, &v.src, &v.dst, v.ttl, &a), 0);
		assert_int_equal(a.vrid, v.family == XLB_FAMILY_V4 ? 51 : 52);
		assert_int_equal(a.interval_cs, 100);
		assert_true(a.priority == 100 || a.priority == 90 || a.priority == 0);
		n_prio0 += a.priority == 0;
		n_prio90 += a.priority == 90;
		check_roundtrip(&v, what);
		if (v.family == XLB_FAMILY_V4)
			n_v4++;
		else
			n_v6++;
	}
	pcap_close(&p);
	assert_int_equal(n_v4, 20);
	assert_int_equal(n_v6, 20);
	assert_int_equal(n_prio0, 4);   /* each node's graceful stop, both families */
	assert_int_equal(n_prio90, 18); /* the backup as master */
}

/*
 * Test that keepalived's VRRPv2 adverts (no auth, priority 0, PASS "1111") decode to their
 * fields, verify with the test's own checksum over the VRRP part alone (RFC 3768: no
 * pseudo-header) and re-encode byte for byte.
 */
static void test_pcap_v2_adverts(void **state)
{
	static const struct {
		const char *file;
		uint8_t prio, auth;
		const char *pass;
	} cases[] = {
		{ "one_vrrpv2_ipv4_advert.pcap", 100, XLB_VRRP_AUTH_NONE, "" },
		{ "one_vrrpv2_ipv4_prio0.pcap", 0, XLB_VRRP_AUTH_NONE, "" },
		{ "one_vrrpv2_ipv4_pass.pcap", 100, XLB_VRRP_AUTH_PASS, "1111" },
	};
	uint8_t want_auth[XLB_VRRP_AUTH_LEN];
	struct xlb_vrrp_advert a;
	const uint8_t *f;
	struct vframe v;
	struct pcap p;
	size_t i, caplen;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pcap_open(&p, cases[i].file);
		assert_true(pcap_next(&p, &f, &caplen));
		assert_true(frame_vrrp(f, caplen, &v));
		assert_int_equal(v.vrrp[0] >> 4, 2);
		assert_int_equal(v.vrrp_len, 8 + 4 + 8);
		assert_int_equal(t_csum(v.vrrp, v.vrrp_len, 0), 0);
		assert_int_equal(xlb_vrrp_decode(v.vrrp, v.vrrp_len, &v.src, &v.dst, v.ttl, &a), 0);
		assert_int_equal(a.version, XLB_VRRP_V2);
		assert_int_equal(a.priority, cases[i].prio);
		assert_int_equal(a.interval_cs, 100);
		assert_int_equal(a.auth_type, cases[i].auth);
		memset(want_auth, 0, sizeof(want_auth));
		memcpy(want_auth, cases[i].pass, strlen(cases[i].pass));
		assert_memory_equal(a.auth_data, want_auth, XLB_VRRP_AUTH_LEN);
		assert_int_equal(a.n_addrs, 1);
		check_roundtrip(&v, cases[i].file);
		pcap_close(&p);
	}
}

/* Test v2 encode: Adver Int in whole seconds 1..255, IPv4 only, auth bytes zero without PASS. */
static void test_v2_encode(void **state)
{
	struct xlb_addr s4 = A("192.0.2.1"), d4 = A("224.0.0.18");
	struct xlb_addr s6 = A("fe80::1"), d6 = A("ff02::12");
	struct xlb_vrrp_advert *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	uint8_t buf[64];
	int n;

	(void)state;
	a->version = XLB_VRRP_V2;
	a->vrid = 7;
	a->priority = 100;
	a->family = XLB_FAMILY_V4;
	a->n_addrs = 1;
	a->addrs[0] = A("192.0.2.100");
	a->interval_cs = 2500;
	a->auth_type = XLB_VRRP_AUTH_NONE;
	memcpy(a->auth_data, "ignored", 7);
	n = xlb_vrrp_encode(a, &s4, &d4, buf, sizeof(buf));
	assert_int_equal(n, 20);
	assert_int_equal(buf[0], 0x21);
	assert_int_equal(buf[4], 0);
	assert_int_equal(buf[5], 25);
	assert_memory_equal(buf + 12, "\0\0\0\0\0\0\0\0", 8);
	assert_int_equal(t_csum(buf, 20, 0), 0); /* no pseudo-header */
	assert_int_equal(xlb_vrrp_decode(buf, 20, &s4, &d4, 255, b), 0);
	assert_int_equal(b->interval_cs, 2500);
	assert_int_equal(b->version, XLB_VRRP_V2);
	/* a longer or shorter v2 packet is refused, as keepalived does */
	assert_int_equal(xlb_vrrp_decode(buf, 19, &s4, &d4, 255, b), -XLB_VRRP_E_LENGTH);
	buf[20] = 0;
	assert_int_equal(xlb_vrrp_decode(buf, 21, &s4, &d4, 255, b), -XLB_VRRP_E_LENGTH);
	/* Adver Int 0 */
	buf[5] = 0;
	buf[6] = buf[7] = 0;
	n = t_csum(buf, 20, 0);
	buf[6] = (uint8_t)(n >> 8);
	buf[7] = (uint8_t)n;
	assert_int_equal(xlb_vrrp_decode(buf, 20, &s4, &d4, 255, b), -XLB_VRRP_E_INTERVAL);
	assert_int_equal(xlb_vrrp_encode(a, &s4, &d4, buf, 19), -ENOSPC);
	a->interval_cs = 25500;
	assert_int_equal(xlb_vrrp_encode(a, &s4, &d4, buf, sizeof(buf)), 20);
	assert_int_equal(buf[5], 255);
	a->interval_cs = 25600;
	assert_int_equal(xlb_vrrp_encode(a, &s4, &d4, buf, sizeof(buf)), -EINVAL);
	a->interval_cs = 150;
	assert_int_equal(xlb_vrrp_encode(a, &s4, &d4, buf, sizeof(buf)), -EINVAL);
	a->interval_cs = 50;
	assert_int_equal(xlb_vrrp_encode(a, &s4, &d4, buf, sizeof(buf)), -EINVAL);
	a->interval_cs = 100;
	a->family = XLB_FAMILY_V6;
	a->addrs[0] = A("fd00::100");
	assert_int_equal(xlb_vrrp_encode(a, &s6, &d6, buf, sizeof(buf)), -EINVAL);
	a->version = 4;
	assert_int_equal(xlb_vrrp_encode(a, &s6, &d6, buf, sizeof(buf)), -EINVAL);
	free(a);
	free(b);
}

enum mut {
	M_NONE,
	M_TTL254,
	M_TTL0,
	M_CSUM_FLIP,
	M_ADDR_FLIP,    /* VIP byte changed, checksum left stale */
	M_WRONG_DST,    /* pseudo-header with another destination */
	M_SET,          /* byte at set to val (count, type, version), checksum fixed */
	M_TRAILING,     /* one byte more than the count says */
	M_INTERVAL0,    /* checksum fixed */
	M_RSVD_BITS,    /* reserved bits set, checksum fixed: ignored on reception */
	M_MIXED_FAMILY, /* src and dst of different families */
};

struct mut_case {
	const char *name;
	enum mut m;
	int expect; /* 0 or -XLB_VRRP_E_* */
	int at;     /* M_SET: which byte */
	uint8_t val;
	int expect6; /* IPv6's reason where it differs (v2 is IPv4 only); 0 = as expect */
};

static void mutate_and_check(const uint8_t *orig, size_t olen, const struct xlb_addr *src0,
			     const struct xlb_addr *dst0, const struct mut_case *c)
{
	struct xlb_addr src = *src0, dst = *dst0, other = A("10.0.0.1");
	struct xlb_vrrp_advert a;
	uint8_t buf[64] = {}, ttl = 255;
	size_t len = olen;
	int r, expect;

	memcpy(buf, orig, olen);
	switch (c->m) {
	case M_NONE:
		break;
	case M_TTL254:
		ttl = 254;
		break;
	case M_TTL0:
		ttl = 0;
		break;
	case M_CSUM_FLIP:
		buf[7] ^= 0x01;
		break;
	case M_ADDR_FLIP:
		buf[olen - 1] ^= 0x01;
		break;
	case M_WRONG_DST:
		dst.w[0] ^= htonl(1);
		break;
	case M_SET:
		buf[c->at] = c->val;
		t_fix_csum(buf, len, &src, &dst);
		break;
	case M_TRAILING:
		len++;
		t_fix_csum(buf, len, &src, &dst);
		break;
	case M_INTERVAL0:
		buf[4] = buf[5] = 0;
		t_fix_csum(buf, len, &src, &dst);
		break;
	case M_RSVD_BITS:
		buf[4] |= 0xf0;
		t_fix_csum(buf, len, &src, &dst);
		break;
	case M_MIXED_FAMILY:
		if (src.family == XLB_FAMILY_V4)
			dst = A("ff02::12");
		else
			dst = other;
		break;
	}
	expect = src.family == XLB_FAMILY_V6 && c->expect6 ? c->expect6 : c->expect;
	r = xlb_vrrp_decode(buf, len, &src, &dst, ttl, &a);
	if (r != expect)
		fail_msg("%s (%s): got %d (%s), want %d (%s)", c->name,
			 src.family == XLB_FAMILY_V4 ? "ipv4" : "ipv6", r, xlb_vrrp_err_str(r),
			 expect, xlb_vrrp_err_str(expect));
	if (!r)
		assert_int_equal(a.interval_cs, 100);
}

/* Test that each damaged advert is refused with the reason naming the damage, both families. */
static void test_decode_mutations(void **state)
{
	static const struct mut_case cases[] = {
		{ "unchanged", M_NONE, 0 },
		{ "ttl 254", M_TTL254, -XLB_VRRP_E_TTL },
		{ "ttl 0", M_TTL0, -XLB_VRRP_E_TTL },
		{ "checksum byte flipped", M_CSUM_FLIP, -XLB_VRRP_E_CHECKSUM },
		{ "address byte flipped", M_ADDR_FLIP, -XLB_VRRP_E_CHECKSUM },
		{ "other destination in pseudo-header", M_WRONG_DST, -XLB_VRRP_E_CHECKSUM },
		/* Byte 0: version (high nibble), type; byte 3: the address count. */
		{ "count 2 for one address", M_SET, -XLB_VRRP_E_LENGTH, 3, 2 },
		{ "count 0", M_SET, -XLB_VRRP_E_LENGTH, 3, 0 },
		{ "count 255", M_SET, -XLB_VRRP_E_LENGTH, 3, 255 },
		{ "trailing byte", M_TRAILING, -XLB_VRRP_E_LENGTH },
		{ "type 2", M_SET, -XLB_VRRP_E_TYPE, 0, 0x32 },
		{ "type 0", M_SET, -XLB_VRRP_E_TYPE, 0, 0x30 },
		/* a v3 advert relabelled v2 lacks the 8 auth bytes */
		{ "version 2", M_SET, -XLB_VRRP_E_LENGTH, 0, 0x21, -XLB_VRRP_E_FAMILY },
		{ "version 1", M_SET, -XLB_VRRP_E_VERSION, 0, 0x11 },
		{ "version 4", M_SET, -XLB_VRRP_E_VERSION, 0, 0x41 },
		{ "interval 0", M_INTERVAL0, -XLB_VRRP_E_INTERVAL },
		{ "reserved bits set", M_RSVD_BITS, 0 },
		{ "mixed families", M_MIXED_FAMILY, -XLB_VRRP_E_FAMILY },
	};
	struct xlb_addr s4 = A("10.250.0.1"), d4 = A("224.0.0.18");
	struct xlb_addr s6 = A("fe80::aff:fefa:1"), d6 = A("ff02::12");
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mutate_and_check(adv4, sizeof(adv4), &s4, &d4, &cases[i]);
		mutate_and_check(adv6, sizeof(adv6), &s6, &d6, &cases[i]);
	}
}

/* Test that an advert cut short at every length is refused as too short, never read past. */
static void test_decode_truncated(void **state)
{
	struct xlb_addr s4 = A("10.250.0.1"), d4 = A("224.0.0.18");
	struct xlb_addr s6 = A("fe80::aff:fefa:1"), d6 = A("ff02::12");
	struct xlb_vrrp_advert a;
	uint8_t *copy;
	size_t len;

	(void)state;
	for (len = 0; len < sizeof(adv4); len++) {
		/* an exact-size heap copy, so valgrind sees any read past the end */
		copy = malloc(len ? len : 1);
		memcpy(copy, adv4, len);
		assert_int_equal(xlb_vrrp_decode(copy, len, &s4, &d4, 255, &a), -XLB_VRRP_E_LENGTH);
		free(copy);
	}
	for (len = 0; len < sizeof(adv6); len++) {
		copy = malloc(len ? len : 1);
		memcpy(copy, adv6, len);
		assert_int_equal(xlb_vrrp_decode(copy, len, &s6, &d6, 255, &a), -XLB_VRRP_E_LENGTH);
		free(copy);
	}
}

/* Test that encode refuses what the wire cannot carry, and round-trips the largest advert. */
static void test_encode_limits(void **state)
{
	struct xlb_addr s4 = A("10.250.0.1"), d4 = A("224.0.0.18");
	struct xlb_addr s6 = A("fe80::1"), d6 = A("ff02::12");
	struct xlb_vrrp_advert *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	uint8_t buf[8 + 255 * 16];
	unsigned int i;

	(void)state;
	a->vrid = 7;
	a->priority = 200;
	a->family = XLB_FAMILY_V4;
	a->interval_cs = XLB_VRRP_INTERVAL_MAX_CS;
	a->n_addrs = 255;
	for (i = 0; i < 255; i++) {
		a->addrs[i].family = XLB_FAMILY_V4;
		a->addrs[i].w[0] = htonl(0x0a000000 + i);
	}
	assert_int_equal(xlb_vrrp_encode(a, &s4, &d4, buf, sizeof(buf)), 8 + 255 * 4);
	assert_int_equal(xlb_vrrp_decode(buf, 8 + 255 * 4, &s4, &d4, 255, b), 0);
	assert_int_equal(b->n_addrs, 255);
	assert_int_equal(b->interval_cs, 4095);
	assert_int_equal(memcmp(a->addrs, b->addrs, sizeof(a->addrs)), 0);

	assert_int_equal(xlb_vrrp_encode(a, &s4, &d4, buf, 8 + 255 * 4 - 1), -ENOSPC);
	assert_int_equal(xlb_vrrp_encode(a, &s6, &d6, buf, sizeof(buf)), -EINVAL); /* family */
	assert_int_equal(xlb_vrrp_encode(a, &s4, &d6, buf, sizeof(buf)), -EINVAL);
	a->interval_cs = 4096;
	assert_int_equal(xlb_vrrp_encode(a, &s4, &d4, buf, sizeof(buf)), -EINVAL);
	a->interval_cs = 0;
	assert_int_equal(xlb_vrrp_encode(a, &s4, &d4, buf, sizeof(buf)), -EINVAL);
	a->interval_cs = 100;
	a->n_addrs = 0;
	assert_int_equal(xlb_vrrp_encode(a, &s4, &d4, buf, sizeof(buf)), -EINVAL);
	a->n_addrs = 2;
	a->addrs[1] = A("fd00::1"); /* an IPv6 VIP in an IPv4 advert */
	assert_int_equal(xlb_vrrp_encode(a, &s4, &d4, buf, sizeof(buf)), -EINVAL);

	/* IPv6, several addresses */
	a->family = XLB_FAMILY_V6;
	a->n_addrs = 3;
	for (i = 0; i < 3; i++) {
		a->addrs[i] = A("fd25:250::100");
		a->addrs[i].w[3] = htonl(0x100 + i);
	}
	assert_int_equal(xlb_vrrp_encode(a, &s6, &d6, buf, sizeof(buf)), 8 + 3 * 16);
	assert_int_equal(xlb_vrrp_decode(buf, 8 + 3 * 16, &s6, &d6, 255, b), 0);
	assert_true(addr_eq(&b->addrs[2], &a->addrs[2]));
	assert_int_equal(xlb_vrrp_len(XLB_FAMILY_V6, 3), 56);
	assert_int_equal(xlb_vrrp_len(0, 3), 0);
	free(a);
	free(b);
}

/* Test that the IPv4 splitter finds the VRRP part, drops link padding and refuses bad headers. */
static void test_ip4_parse(void **state)
{
	/* the adv1s capture's IPv4 packet plus 14 bytes of Ethernet padding */
	static const uint8_t pkt[] = { 0x45, 0xc0, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0xff, 0x70,
				       0xcf, 0x9f, 0x0a, 0xfa, 0x00, 0x01, 0xe0, 0x00, 0x00, 0x12,
				       0x31, 0x33, 0x64, 0x01, 0x00, 0x64, 0x73, 0x7f, 0x0a, 0xfa,
				       0x00, 0x64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	struct xlb_addr src, dst, s = A("10.250.0.1"), d = A("224.0.0.18");
	struct xlb_vrrp_advert a;
	size_t off, plen;
	uint8_t ttl, bad[sizeof(pkt)];

	(void)state;
	assert_int_equal(xlb_vrrp_ip4_parse(pkt, sizeof(pkt), &src, &dst, &ttl, &off, &plen), 0);
	assert_true(addr_eq(&src, &s));
	assert_true(addr_eq(&dst, &d));
	assert_int_equal(ttl, 255);
	assert_int_equal(off, 20);
	assert_int_equal(plen, 12);
	assert_int_equal(xlb_vrrp_decode(pkt + off, plen, &src, &dst, ttl, &a), 0);

	assert_int_equal(xlb_vrrp_ip4_parse(pkt, 31, &src, &dst, &ttl, &off, &plen),
			 -XLB_VRRP_E_LENGTH);
	assert_int_equal(xlb_vrrp_ip4_parse(pkt, 19, &src, &dst, &ttl, &off, &plen),
			 -XLB_VRRP_E_IP);
	memcpy(bad, pkt, sizeof(pkt));
	bad[0] = 0x65;
	assert_int_equal(xlb_vrrp_ip4_parse(bad, sizeof(bad), &src, &dst, &ttl, &off, &plen),
			 -XLB_VRRP_E_IP);
	bad[0] = 0x44;
	assert_int_equal(xlb_vrrp_ip4_parse(bad, sizeof(bad), &src, &dst, &ttl, &off, &plen),
			 -XLB_VRRP_E_IP);
	memcpy(bad, pkt, sizeof(pkt));
	bad[9] = 17;
	assert_int_equal(xlb_vrrp_ip4_parse(bad, sizeof(bad), &src, &dst, &ttl, &off, &plen),
			 -XLB_VRRP_E_IP);
	memcpy(bad, pkt, sizeof(pkt));
	bad[3] = 0x10; /* total length 16 < IHL */
	assert_int_equal(xlb_vrrp_ip4_parse(bad, sizeof(bad), &src, &dst, &ttl, &off, &plen),
			 -XLB_VRRP_E_IP);
}

/* Test that every reason has a name, negated or not. */
static void test_err_names(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < XLB_VRRP_E_MAX; i++) {
		assert_non_null(xlb_vrrp_err_str(i));
		assert_string_equal(xlb_vrrp_err_str(i), xlb_vrrp_err_str(-i));
		assert_string_not_equal(xlb_vrrp_err_str(i), "unknown");
	}
	assert_string_equal(xlb_vrrp_err_str(XLB_VRRP_E_MAX), "unknown");
	assert_string_equal(xlb_vrrp_err_str(-XLB_VRRP_E_TTL), "ttl");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcap_v3_adverts),
		cmocka_unit_test(test_pcap_mixed_exchange),
		cmocka_unit_test(test_pcap_v2_adverts),
		cmocka_unit_test(test_v2_encode),
		cmocka_unit_test(test_decode_mutations),
		cmocka_unit_test(test_decode_truncated),
		cmocka_unit_test(test_encode_limits),
		cmocka_unit_test(test_ip4_parse),
		cmocka_unit_test(test_err_names),
	};

	xlb_log_init("test_vrrp_wire", getenv("XLB_TEST_VERBOSE") ? XLB_LOG_DEBUG : XLB_LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
