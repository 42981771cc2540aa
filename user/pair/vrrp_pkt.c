// SPDX-License-Identifier: GPL-2.0-only
/* VRRPv2/v3 advert encode/decode and the IP headers around it; see vrrp_pkt.h. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "pair/vrrp_pkt.h"

static size_t addr_size(uint8_t family)
{
	switch (family) {
	case XLB_FAMILY_V4:
		return 4;
	case XLB_FAMILY_V6:
		return 16;
	default:
		return 0;
	}
}

/* v2 carries 8 bytes of authentication data after the addresses, and only IPv4. */
static size_t vrrp_len_v(uint8_t version, uint8_t family, unsigned int n_addrs)
{
	size_t as = addr_size(family);

	if (version == XLB_VRRP_V2)
		return family == XLB_FAMILY_V4 ? XLB_VRRP_HDR_LEN + n_addrs * 4 + XLB_VRRP_AUTH_LEN : 0;
	return as ? XLB_VRRP_HDR_LEN + n_addrs * as : 0;
}

size_t xlb_vrrp_len(uint8_t family, unsigned int n_addrs)
{
	size_t as = addr_size(family);

	return as ? XLB_VRRP_HDR_LEN + n_addrs * as : 0;
}

/* struct xlb_addr keeps network-order words, so its bytes are the wire bytes. */
static void addr_put(uint8_t *p, const struct xlb_addr *a)
{
	memcpy(p, a->w, addr_size(a->family));
}

static void addr_get(struct xlb_addr *a, uint8_t family, const uint8_t *p)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->w, p, addr_size(family));
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* One's-complement sum of big-endian 16-bit words; an odd tail is padded with a zero byte. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += get16(p + i);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Sum of the pseudo-header for a VRRP part of vlen bytes. */
static uint32_t pseudo_sum(const struct xlb_addr *src, const struct xlb_addr *dst, size_t vlen)
{
	uint8_t ph[40] = {};
	size_t as = addr_size(src->family);

	addr_put(ph, src);
	addr_put(ph + as, dst);
	if (src->family == XLB_FAMILY_V4) {
		/* {src, dst, zero, protocol, length}: 12 bytes */
		ph[9] = XLB_VRRP_PROTO;
		put16(ph + 10, (uint16_t)vlen);
		return csum_add(0, ph, 12);
	}
	/* RFC 8200 8.1: {src, dst, 32-bit length, 3 zero bytes, next header}: 40 bytes */
	ph[32] = (uint8_t)(vlen >> 24);
	ph[33] = (uint8_t)(vlen >> 16);
	ph[34] = (uint8_t)(vlen >> 8);
	ph[35] = (uint8_t)vlen;
	ph[39] = XLB_VRRP_PROTO;
	return csum_add(0, ph, 40);
}

static bool family_ok(const struct xlb_addr *src, const struct xlb_addr *dst)
{
	return addr_size(src->family) && src->family == dst->family;
}

int xlb_vrrp_encode(const struct xlb_vrrp_advert *a, const struct xlb_addr *src,
		    const struct xlb_addr *dst, uint8_t *buf, size_t len)
{
	uint8_t version = a->version ? a->version : XLB_VRRP_V3;
	size_t as, need, i;
	uint32_t sum = 0;

	if (!family_ok(src, dst) || a->family != src->family || !a->n_addrs)
		return -EINVAL;
	if (version == XLB_VRRP_V2) {
		/* Adver Int is 8 bits of whole seconds */
		if (a->interval_cs % 100 || a->interval_cs < 100 ||
		    a->interval_cs > XLB_VRRP_V2_INTERVAL_MAX_S * 100)
			return -EINVAL;
	} else if (version != XLB_VRRP_V3 || !a->interval_cs ||
		   a->interval_cs > XLB_VRRP_INTERVAL_MAX_CS) {
		return -EINVAL;
	}
	need = vrrp_len_v(version, a->family, a->n_addrs);
	if (!need)
		return -EINVAL;
	as = addr_size(a->family);
	if (len < need)
		return -ENOSPC;

	buf[0] = (uint8_t)(version << 4 | XLB_VRRP_TYPE_ADVERT);
	buf[1] = a->vrid;
	buf[2] = a->priority;
	buf[3] = a->n_addrs;
	if (version == XLB_VRRP_V2) {
		buf[4] = a->auth_type;
		buf[5] = (uint8_t)(a->interval_cs / 100);
	} else {
		put16(buf + 4, a->interval_cs); /* the 4 reserved bits stay 0 */
	}
	put16(buf + 6, 0);
	for (i = 0; i < a->n_addrs; i++) {
		if (a->addrs[i].family != a->family)
			return -EINVAL;
		addr_put(buf + XLB_VRRP_HDR_LEN + i * as, &a->addrs[i]);
	}
	if (version == XLB_VRRP_V2) {
		/* keepalived writes the password only for PASS; zeros otherwise */
		memset(buf + need - XLB_VRRP_AUTH_LEN, 0, XLB_VRRP_AUTH_LEN);
		if (a->auth_type == XLB_VRRP_AUTH_PASS)
			memcpy(buf + need - XLB_VRRP_AUTH_LEN, a->auth_data, XLB_VRRP_AUTH_LEN);
	} else {
		/* RFC 3768's checksum is over the VRRP packet alone; RFC 5798's adds a pseudo-header */
		sum = pseudo_sum(src, dst, need);
	}
	put16(buf + 6, csum_fold(csum_add(sum, buf, need)));
	return (int)need;
}

int xlb_vrrp_decode(const uint8_t *buf, size_t len, const struct xlb_addr *src,
		    const struct xlb_addr *dst, uint8_t ttl_or_hoplimit,
		    struct xlb_vrrp_advert *out)
{
	uint8_t version;
	uint32_t sum = 0;
	size_t as, i;

	if (!family_ok(src, dst))
		return -XLB_VRRP_E_FAMILY;
	/* RFC 5798 7.1: a TTL below 255 means the packet crossed a router; drop first. */
	if (ttl_or_hoplimit != XLB_VRRP_TTL)
		return -XLB_VRRP_E_TTL;
	if (len < XLB_VRRP_HDR_LEN)
		return -XLB_VRRP_E_LENGTH;
	version = buf[0] >> 4;
	if (version != XLB_VRRP_V2 && version != XLB_VRRP_V3)
		return -XLB_VRRP_E_VERSION;
	if ((buf[0] & 0x0f) != XLB_VRRP_TYPE_ADVERT)
		return -XLB_VRRP_E_TYPE;
	/* RFC 3768 is IPv4 only (keepalived's v2 over IPv6 is its own extension) */
	if (version == XLB_VRRP_V2 && src->family != XLB_FAMILY_V4)
		return -XLB_VRRP_E_FAMILY;
	/*
	 * Exactly the advertised addresses (+ auth data in v2), as keepalived: trailing bytes
	 * are as bad as missing. RFC 5798 5.2.5: at least one address.
	 */
	if (!buf[3] || len != vrrp_len_v(version, src->family, buf[3]))
		return -XLB_VRRP_E_LENGTH;
	if (version == XLB_VRRP_V3)
		sum = pseudo_sum(src, dst, len);
	if (csum_fold(csum_add(sum, buf, len)))
		return -XLB_VRRP_E_CHECKSUM;

	memset(out->auth_data, 0, sizeof(out->auth_data));
	if (version == XLB_VRRP_V2) {
		if (!buf[5])
			return -XLB_VRRP_E_INTERVAL;
		out->interval_cs = (uint16_t)(buf[5] * 100);
		out->auth_type = buf[4];
		memcpy(out->auth_data, buf + len - XLB_VRRP_AUTH_LEN, XLB_VRRP_AUTH_LEN);
	} else {
		if (!(get16(buf + 4) & 0x0fff))
			return -XLB_VRRP_E_INTERVAL;
		out->interval_cs = get16(buf + 4) & 0x0fff;
		out->auth_type = XLB_VRRP_AUTH_NONE;
	}
	as = addr_size(src->family);
	out->version = version;
	out->vrid = buf[1];
	out->priority = buf[2];
	out->family = src->family;
	out->n_addrs = buf[3];
	for (i = 0; i < out->n_addrs; i++)
		addr_get(&out->addrs[i], src->family, buf + XLB_VRRP_HDR_LEN + i * as);
	return 0;
}

int xlb_vrrp_ip4_build(uint8_t *buf, size_t len, const struct xlb_addr *src,
		       const struct xlb_addr *dst, uint16_t id, size_t payload_len)
{
	if (src->family != XLB_FAMILY_V4 || dst->family != XLB_FAMILY_V4 ||
	    payload_len > 0xffff - XLB_VRRP_IP4_HDR_LEN)
		return -EINVAL;
	if (len < XLB_VRRP_IP4_HDR_LEN)
		return -ENOSPC;
	buf[0] = 0x45;
	buf[1] = XLB_VRRP_TOS;
	put16(buf + 2, (uint16_t)(XLB_VRRP_IP4_HDR_LEN + payload_len));
	put16(buf + 4, id);
	put16(buf + 6, 0); /* keepalived 2.2.7 sets neither DF nor an offset */
	buf[8] = XLB_VRRP_TTL;
	buf[9] = XLB_VRRP_PROTO;
	put16(buf + 10, 0);
	addr_put(buf + 12, src);
	addr_put(buf + 16, dst);
	put16(buf + 10, csum_fold(csum_add(0, buf, XLB_VRRP_IP4_HDR_LEN)));
	return XLB_VRRP_IP4_HDR_LEN;
}

int xlb_vrrp_ip4_parse(const uint8_t *pkt, size_t len, struct xlb_addr *src, struct xlb_addr *dst,
		       uint8_t *ttl, size_t *payload_off, size_t *payload_len)
{
	size_t ihl, tot;

	if (len < XLB_VRRP_IP4_HDR_LEN || pkt[0] >> 4 != 4)
		return -XLB_VRRP_E_IP;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	tot = get16(pkt + 2);
	if (ihl < XLB_VRRP_IP4_HDR_LEN || tot < ihl || pkt[9] != XLB_VRRP_PROTO)
		return -XLB_VRRP_E_IP;
	if (ihl > len || tot > len)
		return -XLB_VRRP_E_LENGTH;
	addr_get(src, XLB_FAMILY_V4, pkt + 12);
	addr_get(dst, XLB_FAMILY_V4, pkt + 16);
	*ttl = pkt[8];
	*payload_off = ihl;
	*payload_len = tot - ihl;
	return 0;
}

int xlb_vrrp_ip6_build(uint8_t *buf, size_t len, const struct xlb_addr *src,
		       const struct xlb_addr *dst, uint32_t flow_label, size_t payload_len)
{
	if (src->family != XLB_FAMILY_V6 || dst->family != XLB_FAMILY_V6 ||
	    payload_len > 0xffff || flow_label > 0xfffff)
		return -EINVAL;
	if (len < XLB_VRRP_IP6_HDR_LEN)
		return -ENOSPC;
	buf[0] = 0x60 | XLB_VRRP_TOS >> 4;
	buf[1] = (uint8_t)((XLB_VRRP_TOS & 0x0f) << 4 | flow_label >> 16);
	put16(buf + 2, flow_label & 0xffff);
	put16(buf + 4, (uint16_t)payload_len);
	buf[6] = XLB_VRRP_PROTO;
	buf[7] = XLB_VRRP_TTL;
	addr_put(buf + 8, src);
	addr_put(buf + 24, dst);
	return XLB_VRRP_IP6_HDR_LEN;
}

int xlb_vrrp_group(uint8_t family, struct xlb_addr *out)
{
	static const uint8_t g4[4] = { 224, 0, 0, 18 };
	static const uint8_t g6[16] = { 0xff, 0x02, [15] = 0x12 };

	if (!addr_size(family))
		return -EINVAL;
	addr_get(out, family, family == XLB_FAMILY_V4 ? g4 : g6);
	return 0;
}

const char *xlb_vrrp_err_str(int reason)
{
	static const char *const names[XLB_VRRP_E_MAX] = {
		[XLB_VRRP_OK] = "ok",
		[XLB_VRRP_E_TTL] = "ttl",
		[XLB_VRRP_E_VERSION] = "version",
		[XLB_VRRP_E_TYPE] = "type",
		[XLB_VRRP_E_LENGTH] = "length",
		[XLB_VRRP_E_CHECKSUM] = "checksum",
		[XLB_VRRP_E_INTERVAL] = "interval",
		[XLB_VRRP_E_FAMILY] = "family",
		[XLB_VRRP_E_IP] = "ip_header",
		[XLB_VRRP_E_VRID] = "other_vrid",
		[XLB_VRRP_E_ADDR_COUNT] = "addr_count",
		[XLB_VRRP_E_ADDR_MISMATCH] = "addr_mismatch",
		[XLB_VRRP_E_SOURCE] = "not_a_peer",
		[XLB_VRRP_E_AUTH] = "auth",
	};

	if (reason < 0)
		reason = -reason;
	if (reason >= XLB_VRRP_E_MAX)
		return "unknown";
	return names[reason];
}
