/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The forwarding modes a VIP may name, one row per enum xlb_fwd (include/xlb/abi.h): the word
 * the config accepts, whether xlb implements it, and what it asks of a backend, so the config
 * and the agent decide from the mode's row rather than from its name.
 */
#ifndef XLB_DISPATCH_FWD_H
#define XLB_DISPATCH_FWD_H

#include <stdbool.h>

struct xlb_fwd_mode {
	unsigned int id;  /* enum xlb_fwd */
	const char *name; /* the config's word (keepalived's lb_kind, without case) and xlbctl's */
	bool implemented; /* false: the config refuses it as "not supported yet" */
	/*
	 * The frame goes out unchanged but for its Ethernet header, to the backend's own MAC:
	 * the backend must be on-link, and gets no traffic until its neighbour entry resolves.
	 */
	bool needs_mac;
	/* The backend's own port replaces the VIP's: a backend may name one (`port`). */
	bool backend_port;
};

/* The row of enum xlb_fwd id; NULL for an id this build does not know. */
const struct xlb_fwd_mode *xlb_fwd_get(unsigned int id);

/* Its name; "unknown" for an id a newer xlbd wrote (shown, not hidden). */
const char *xlb_fwd_name(unsigned int id);

/*
 * The mode a config word names, without case (ipvsadm's "masq" too). Returns 0 and *out, -EOPNOTSUPP for a mode xlb
 * knows but does not implement, -ENOENT for anything else.
 */
int xlb_fwd_lookup(const char *word, const struct xlb_fwd_mode **out);

#endif /* XLB_DISPATCH_FWD_H */
