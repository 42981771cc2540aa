/* SPDX-License-Identifier: GPL-2.0-only */
/* Addresses as the maps hold them, and their one text form and one sockaddr form. */
#ifndef XLB_ADDR_H
#define XLB_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "xlb/abi.h"

/* An address as the maps want it: family + four network-order words (IPv4 in w[0]). */
struct xlb_addr {
	uint8_t family; /* enum xlb_family */
	uint32_t w[4];  /* network order */
};

static inline bool xlb_addr_eq(const struct xlb_addr *a, const struct xlb_addr *b)
{
	return a->family == b->family && !memcmp(a->w, b->w, sizeof(a->w));
}

/* "203.0.113.1" / "2001:db8::1" <-> struct xlb_addr. Parse returns 0 or -EINVAL. */
int xlb_addr_parse(const char *s, struct xlb_addr *out);
const char *xlb_addr_str(const struct xlb_addr *a, char *buf, size_t len);
/* The same for an address as the map ABI spells it (family, 16 bytes); "?" for no family. */
const char *xlb_addr_ntop(uint8_t family, const void *w, char *buf, size_t len);
/* "[2001:db8::1]:65535" and its NUL: the longest xlb_addr_port_str(). */
#define XLB_ADDR_PORT_STRLEN 56
/*
 * How logs, replies and metrics name a backend or VIP: "192.0.2.11:80", "[2001:db8::1]:80",
 * the address alone for port 0 (every port). port in host order.
 */
const char *xlb_addr_port_str(const struct xlb_addr *a, uint16_t port, char *buf, size_t len);
/* addr:port as a sockaddr for the socket calls; ifindex scopes an IPv6 link-local address. */
struct sockaddr_storage;
void xlb_addr_sockaddr(const struct xlb_addr *a, uint16_t port, int ifindex,
		       struct sockaddr_storage *ss, unsigned int *len);

#endif /* XLB_ADDR_H */
