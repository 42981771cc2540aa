/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The virtual addresses a VRRP master holds: added to and removed from an interface with
 * rtnetlink, and announced with gratuitous ARP (IPv4, RFC 5227) or unsolicited neighbour
 * advertisements (IPv6, RFC 4861 7.2.6) so switches and neighbours move to the new owner.
 * Together they are the virtual-address announcer (announce.h).
 */
#ifndef XLB_VADDR_H
#define XLB_VADDR_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "pair/announce.h"

/* Add addr/prefix to ifindex (0 if it was there already), or delete it (0 if it was absent). */
int xlb_vaddr_add(int ifindex, const struct xlb_addr *addr, uint8_t prefix);
int xlb_vaddr_del(int ifindex, const struct xlb_addr *addr, uint8_t prefix);

/* One gratuitous ARP request (sender = target = addr, to broadcast) from mac on ifindex. */
int xlb_garp_send(int ifindex, const uint8_t mac[6], const struct xlb_addr *addr);
/* One unsolicited NA for addr to ff02::1 (Override set), with mac as target link-layer address. */
int xlb_una_send(int ifindex, const uint8_t mac[6], const struct xlb_addr *addr);

/* Where one virtual address goes on and is announced from. */
struct xlb_vaddr_link {
	int ifindex;
	uint8_t mac[6];
};

/*
 * The announcer's state: the addresses, and for each the interface it goes on and is announced
 * from: its own (a NAT pair's backends' gateway, on the backends' side) or vrrp's.
 */
struct xlb_vaddr_set {
	const struct xlb_cfg_vaddr *vaddrs;
	size_t n_vaddrs;
	struct xlb_vaddr_link *links; /* parallel to vaddrs */
};

/*
 * Resolve each address's interface (its own, else ifname) to its index and MAC. 0 or -errno,
 * logged; xlb_vaddr_set_fini() either way.
 */
int xlb_vaddr_set_init(struct xlb_vaddr_set *vs, const char *ifname,
		       const struct xlb_cfg_vaddr *vaddrs, size_t n);
void xlb_vaddr_set_fini(struct xlb_vaddr_set *vs);

/* Its arg is a struct xlb_vaddr_set. */
extern const struct xlb_announcer_ops xlb_vaddr_announcer;

#endif /* XLB_VADDR_H */
