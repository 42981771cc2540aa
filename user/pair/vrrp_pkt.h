/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VRRP adverts on the wire, byte-compatible with keepalived 2.2: VRRPv3 (RFC 5798 section 5),
 * IPv4 and IPv6, and VRRPv2 (RFC 3768 section 5), IPv4 only; encode, decode + the receive
 * checks of RFC 5798 / 3768 7.1 that need no configuration, and the IPv4/IPv6 headers
 * keepalived puts around them. No sockets here.
 *
 *     0                   1                   2                   3
 *    +-------+-------+---------------+---------------+---------------+
 *    |Vers=3 |Type=1 | Virtual Rtr ID|   Priority    |Count IPvX Addr|
 *    +-------+-------+---------------+---------------+---------------+
 *    |(rsvd) |     Max Adver Int     |          Checksum             |
 *    +-------+-----------------------+-------------------------------+
 *    |                 IPvX Address(es), Count of them               |
 *
 * The v3 checksum covers a pseudo-header in both families: IPv4 {src, dst, 0, 112, VRRP length}
 * (what keepalived sends and checks for v3), IPv6 the RFC 8200 one.
 *
 * v2 differs in byte 0 (version 2), bytes 4-5 (Auth Type, Adver Int in whole seconds), 8 bytes
 * of Authentication Data after the addresses (PASS: the password zero-padded; zeros for none),
 * and a checksum over the VRRP packet alone. keepalived 2.2.7 wants the length exact
 * (8 + 4 * count + 8) and compares all 8 auth bytes.
 */
#ifndef XLB_VRRP_PKT_H
#define XLB_VRRP_PKT_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

#define XLB_VRRP_PROTO 112         /* IP protocol / next header */
#define XLB_VRRP_VERSION 3         /* the default; XLB_VRRP_V2 is RFC 3768's */
#define XLB_VRRP_V2 2
#define XLB_VRRP_V3 3
#define XLB_VRRP_AUTH_NONE 0       /* v2 Auth Type: none */
#define XLB_VRRP_AUTH_PASS 1       /* v2 Auth Type: simple text password (keepalived's PASS) */
#define XLB_VRRP_AUTH_AH 2         /* v2 Auth Type: IP AH; recognised, not supported */
#define XLB_VRRP_AUTH_LEN 8        /* v2 Authentication Data: always 8 bytes on the wire */
#define XLB_VRRP_V2_INTERVAL_MAX_S 255 /* v2 Adver Int: 8 bits of seconds */
#define XLB_VRRP_TYPE_ADVERT 1
#define XLB_VRRP_TTL 255           /* sent, and the only TTL / hop limit accepted */
#define XLB_VRRP_TOS 0xc0          /* IPv4 TOS / IPv6 traffic class: network control */
#define XLB_VRRP_HDR_LEN 8         /* fixed part, before the addresses */
#define XLB_VRRP_MAX_ADDRS 255     /* the count field is 8 bits */
#define XLB_VRRP_INTERVAL_MAX_CS 4095 /* 12 bits of centiseconds */
#define XLB_VRRP_IP4_HDR_LEN 20
#define XLB_VRRP_IP6_HDR_LEN 40

/*
 * Why an advert was refused; decode and the state machine return these negated, and a virtual
 * router counts them per reason (struct xlb_vrrp_stats.rx_rejected).
 */
enum xlb_vrrp_err {
	XLB_VRRP_OK = 0,
	XLB_VRRP_E_TTL,           /* TTL / hop limit is not 255: came through a router */
	XLB_VRRP_E_VERSION,       /* neither v2 nor v3; the router: not its configured version */
	XLB_VRRP_E_TYPE,          /* not an advertisement */
	XLB_VRRP_E_LENGTH,        /* < 8 bytes, count 0, not 8 + count * address size (+ 8 in v2) */
	XLB_VRRP_E_CHECKSUM,      /* checksum (v3: with the pseudo-header) does not verify */
	XLB_VRRP_E_INTERVAL,      /* interval 0; the router: a v2 Adver Int other than its own */
	XLB_VRRP_E_FAMILY,        /* src/dst of mixed or unknown family, or not ours; v2 over IPv6 */
	XLB_VRRP_E_IP,            /* IPv4 header unusable (version, IHL, total length, proto) */
	XLB_VRRP_E_VRID,          /* another virtual router's advert: ignored, not an error */
	XLB_VRRP_E_ADDR_COUNT,    /* count differs from our configured VIP list */
	XLB_VRRP_E_ADDR_MISMATCH, /* one of our VIPs is not in the advert */
	XLB_VRRP_E_SOURCE,        /* unicast peers set and the source is none of them */
	XLB_VRRP_E_AUTH,          /* v2: auth type or password differs from ours */
	XLB_VRRP_E_MAX,
};

/* One advert, decoded or to encode. Addresses are in the advert's family. */
struct xlb_vrrp_advert {
	uint8_t version;      /* XLB_VRRP_V2 or XLB_VRRP_V3; encode: 0 means 3 */
	uint8_t auth_type;    /* v2 only: XLB_VRRP_AUTH_*, as received (decode does not judge it) */
	uint8_t auth_data[XLB_VRRP_AUTH_LEN]; /* v2: the 8 bytes received; encode: sent for PASS */
	uint8_t vrid;         /* 1..255 */
	uint8_t priority;     /* 0 = master is leaving, 255 = address owner */
	uint8_t family;       /* enum xlb_family of the addresses (decode: of src) */
	uint8_t n_addrs;      /* the Count field */
	uint16_t interval_cs; /* Max Adver Int, centiseconds, 1..4095; v2: whole seconds * 100 */
	struct xlb_addr addrs[XLB_VRRP_MAX_ADDRS];
};

/* Bytes of a v3 VRRP part for n addresses of this family (v2: 8 more), 0 for an unknown family. */
size_t xlb_vrrp_len(uint8_t family, unsigned int n_addrs);

/*
 * Write the VRRP part of advert a, sent from src to dst (the checksum's pseudo-header), into
 * buf (v2: src/dst unused but for their family). Returns the bytes written, -EINVAL for a bad
 * advert (family mismatch, count 0, interval 0 or over 4095; v2: not IPv4 or the interval not
 * whole seconds 1..255; another version) or -ENOSPC if len is too small.
 */
int xlb_vrrp_encode(const struct xlb_vrrp_advert *a, const struct xlb_addr *src,
		    const struct xlb_addr *dst, uint8_t *buf, size_t len);

/*
 * Check and decode the VRRP part of a received packet (len = exactly the IP payload, no link
 * padding) that came from src to dst with this TTL / hop limit. Returns 0 or a negated
 * enum xlb_vrrp_err: _TTL, _LENGTH, _VERSION, _TYPE, _CHECKSUM, _INTERVAL, _FAMILY. v2 and v3
 * both decode (out->version says which); version and type come before the length, which
 * depends on them. VRID, version wanted, auth and address list are the virtual router's checks.
 */
int xlb_vrrp_decode(const uint8_t *buf, size_t len, const struct xlb_addr *src,
		    const struct xlb_addr *dst, uint8_t ttl_or_hoplimit,
		    struct xlb_vrrp_advert *out);

/*
 * The IPv4 header keepalived 2.2.7 sends: version 4, IHL 5, TOS 0xc0, no DF, no fragment
 * offset, TTL 255, protocol 112, header checksum filled in; id as given (keepalived counts
 * from 1). Writes 20 bytes, returns 20, -EINVAL (not IPv4, payload too big) or -ENOSPC.
 */
int xlb_vrrp_ip4_build(uint8_t *buf, size_t len, const struct xlb_addr *src,
		       const struct xlb_addr *dst, uint16_t id, size_t payload_len);

/*
 * Split what an IPv4 raw socket delivers: header fields and where the VRRP part is. The
 * payload ends at the header's total length, so link padding never reaches decode. Returns 0,
 * -XLB_VRRP_E_IP or -XLB_VRRP_E_LENGTH (total length beyond what was received).
 */
int xlb_vrrp_ip4_parse(const uint8_t *pkt, size_t len, struct xlb_addr *src, struct xlb_addr *dst,
		       uint8_t *ttl, size_t *payload_off, size_t *payload_len);

/*
 * An IPv6 header as keepalived's kernel sends it: traffic class 0xc0, the flow label given
 * (the kernel picks one per socket; 0 is fine), next header 112, hop limit 255. For tests and
 * for IPV6_HDRINCL senders. Returns 40, -EINVAL or -ENOSPC.
 */
int xlb_vrrp_ip6_build(uint8_t *buf, size_t len, const struct xlb_addr *src,
		       const struct xlb_addr *dst, uint32_t flow_label, size_t payload_len);

/* The multicast group adverts go to: 224.0.0.18 or ff02::12. Returns 0 or -EINVAL. */
int xlb_vrrp_group(uint8_t family, struct xlb_addr *out);

/* "ttl", "version", ... for a reason, negated or not; "unknown" past the end. */
const char *xlb_vrrp_err_str(int reason);

#endif /* XLB_VRRP_PKT_H */
