// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VRRP advert decoder (user/pair/vrrp_pkt.c), fed what a raw socket delivers.
 *
 * Input: byte 0 even: an IPv4 packet, header included, as the IPv4 raw socket gives it
 * (xlb_vrrp_ip4_parse, then xlb_vrrp_decode of its payload). Byte 0 odd: IPv6, where the
 * kernel strips the header and the addresses and hop limit come from ancillary data: 16 bytes
 * source, 16 destination, 1 hop limit, then the VRRP part. Byte 0 bit 1: write the right
 * checksum first (computed here, independently of vrrp_pkt.c), or mutations would stop at it:
 * with a pseudo-header for v3, over the VRRP part alone when the version nibble says 2.
 *
 * Properties beyond "no crash": a decoded advert re-encodes (from the same addresses) to the
 * bytes received, but for v3's 4 reserved bits, v2's auth data when the auth type is not PASS
 * (sent as zeros), and the checksum word that covers them, and
 * decodes again to the same advert; an IPv4 header rebuilt around it parses back to the
 * same addresses, TTL and payload.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "pair/vrrp_pkt.h"

static bool fix_csum;

/* RFC 1071 over the pseudo-header (RFC 5798 5.2.8, RFC 8200 8.1) and the VRRP part. */
static void csum_fix(uint8_t *vrrp, size_t len, const struct xlb_addr *src,
		     const struct xlb_addr *dst)
{
	size_t as = src->family == XLB_FAMILY_V4 ? 4 : 16, i;
	uint8_t ph[40] = {};
	uint32_t sum = 0;

	if (!fix_csum || len < XLB_VRRP_HDR_LEN || src->family != dst->family)
		return;
	memcpy(ph, src->w, as);
	memcpy(ph + as, dst->w, as);
	if (as == 4) {
		ph[9] = XLB_VRRP_PROTO;
		ph[10] = (uint8_t)(len >> 8);
		ph[11] = (uint8_t)len;
	} else {
		ph[34] = (uint8_t)(len >> 8);
		ph[35] = (uint8_t)len;
		ph[39] = XLB_VRRP_PROTO;
	}
	vrrp[6] = vrrp[7] = 0;
	for (i = 0; vrrp[0] >> 4 != XLB_VRRP_V2 && i < 2 * as + (as == 4 ? 4 : 8); i += 2)
		sum += (uint32_t)(ph[i] << 8 | ph[i + 1]);
	for (i = 0; i < len; i++)
		sum += i & 1 ? vrrp[i] : (uint32_t)vrrp[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	vrrp[6] = (uint8_t)(~sum >> 8);
	vrrp[7] = (uint8_t)~sum;
}

static void check_advert(const uint8_t *vrrp, size_t len, const struct xlb_addr *src,
			 const struct xlb_addr *dst, uint8_t ttl, const struct xlb_vrrp_advert *a)
{
	static uint8_t buf[XLB_VRRP_HDR_LEN + XLB_VRRP_MAX_ADDRS * 16];
	static struct xlb_vrrp_advert again;
	bool v2 = a->version == XLB_VRRP_V2, same = true;
	size_t i;
	int n;

	FUZZ_CHECK(ttl == XLB_VRRP_TTL);
	FUZZ_CHECK(a->family == src->family && a->n_addrs == vrrp[3]);
	FUZZ_CHECK(a->version == vrrp[0] >> 4);
	if (v2) {
		FUZZ_CHECK(a->family == XLB_FAMILY_V4 && a->auth_type == vrrp[4]);
		FUZZ_CHECK(a->interval_cs >= 100 && a->interval_cs == vrrp[5] * 100);
		FUZZ_CHECK(len == xlb_vrrp_len(a->family, a->n_addrs) + XLB_VRRP_AUTH_LEN);
		FUZZ_CHECK(!memcmp(a->auth_data, vrrp + len - XLB_VRRP_AUTH_LEN, XLB_VRRP_AUTH_LEN));
	} else {
		FUZZ_CHECK(a->version == XLB_VRRP_V3);
		FUZZ_CHECK(a->interval_cs >= 1 && a->interval_cs <= XLB_VRRP_INTERVAL_MAX_CS);
		FUZZ_CHECK(len == xlb_vrrp_len(a->family, a->n_addrs));
	}

	n = xlb_vrrp_encode(a, src, dst, buf, sizeof(buf));
	FUZZ_CHECK(n == (int)len);
	for (i = 0; i < len; i++) {
		uint8_t want = vrrp[i];

		if (i == 6 || i == 7)
			continue;
		if (!v2 && i == 4)
			want &= 0x0f;
		if (v2 && i >= len - XLB_VRRP_AUTH_LEN && a->auth_type != XLB_VRRP_AUTH_PASS)
			want = 0;
		same &= want == vrrp[i];
		FUZZ_CHECK(buf[i] == want);
	}
	/* Where nothing was zeroed the checksum is the same, up to one's complement's two zeros. */
	if (same) {
		uint16_t mine = (uint16_t)(buf[6] << 8 | buf[7]), got = (uint16_t)(vrrp[6] << 8 | vrrp[7]);

		FUZZ_CHECK(mine == got || (mine == 0 && got == 0xffff) || (mine == 0xffff && !got));
	}

	memset(&again, 0, sizeof(again));
	FUZZ_CHECK(xlb_vrrp_decode(buf, len, src, dst, ttl, &again) == 0);
	FUZZ_CHECK(again.vrid == a->vrid && again.priority == a->priority &&
		   again.family == a->family && again.n_addrs == a->n_addrs &&
		   again.interval_cs == a->interval_cs && again.version == a->version &&
		   again.auth_type == a->auth_type);
	FUZZ_CHECK(!memcmp(again.addrs, a->addrs, a->n_addrs * sizeof(a->addrs[0])));
}

static void fuzz_ip4(uint8_t *pkt, size_t len)
{
	static uint8_t rebuilt[0x10000];
	static struct xlb_vrrp_advert a;
	struct xlb_addr src, dst, src2, dst2;
	size_t off, plen, off2, plen2;
	uint8_t ttl, ttl2;
	int ret;

	if (xlb_vrrp_ip4_parse(pkt, len, &src, &dst, &ttl, &off, &plen))
		return;
	FUZZ_CHECK(off >= XLB_VRRP_IP4_HDR_LEN && off + plen <= len);

	/* The header keepalived sends, around the same payload, parses back to the same. */
	FUZZ_CHECK(plen <= sizeof(rebuilt) - XLB_VRRP_IP4_HDR_LEN);
	FUZZ_CHECK(xlb_vrrp_ip4_build(rebuilt, sizeof(rebuilt), &src, &dst, 1, plen) ==
		   XLB_VRRP_IP4_HDR_LEN);
	memcpy(rebuilt + XLB_VRRP_IP4_HDR_LEN, pkt + off, plen);
	FUZZ_CHECK(xlb_vrrp_ip4_parse(rebuilt, XLB_VRRP_IP4_HDR_LEN + plen, &src2, &dst2, &ttl2,
				      &off2, &plen2) == 0);
	FUZZ_CHECK(!memcmp(&src, &src2, sizeof(src)) && !memcmp(&dst, &dst2, sizeof(dst)));
	FUZZ_CHECK(ttl2 == XLB_VRRP_TTL && off2 == XLB_VRRP_IP4_HDR_LEN && plen2 == plen);

	csum_fix(pkt + off, plen, &src, &dst);
	memset(&a, 0, sizeof(a));
	ret = xlb_vrrp_decode(pkt + off, plen, &src, &dst, ttl, &a);
	FUZZ_CHECK(ret <= 0 && -ret < XLB_VRRP_E_MAX);
	if (!ret)
		check_advert(pkt + off, plen, &src, &dst, ttl, &a);
}

static void fuzz_ip6(uint8_t *in, size_t len)
{
	static struct xlb_vrrp_advert a;
	struct xlb_addr src = { .family = XLB_FAMILY_V6 }, dst = { .family = XLB_FAMILY_V6 };
	uint8_t ttl;
	int ret;

	if (len < 33)
		return;
	memcpy(src.w, in, 16);
	memcpy(dst.w, in + 16, 16);
	ttl = in[32];
	csum_fix(in + 33, len - 33, &src, &dst);
	memset(&a, 0, sizeof(a));
	ret = xlb_vrrp_decode(in + 33, len - 33, &src, &dst, ttl, &a);
	FUZZ_CHECK(ret <= 0 && -ret < XLB_VRRP_E_MAX);
	if (!ret)
		check_advert(in + 33, len - 33, &src, &dst, ttl, &a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pkt[0x10000];

	if (!size || size - 1 > sizeof(pkt))
		return 0;
	memcpy(pkt, data + 1, size - 1);
	fix_csum = data[0] & 2;
	if (data[0] & 1)
		fuzz_ip6(pkt, size - 1);
	else
		fuzz_ip4(pkt, size - 1);
	return 0;
}
