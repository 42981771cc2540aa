/* SPDX-License-Identifier: GPL-2.0-only */
/* The one spelling of the names the daemon logs and reports and xlbctl shows. */
#ifndef XLB_NAMES_H
#define XLB_NAMES_H

#include <stdint.h>

#define XLB_PROTO_NAME_LEN 4 /* "255" and its NUL */

/* "tcp", "udp", or the number (a protocol a newer xlbd knows is shown, not hidden). */
const char *xlb_proto_name(uint8_t proto, char buf[XLB_PROTO_NAME_LEN]);

/* enum xlb_reason as xlbctl shows it ("drop_no_backend"); "unknown" past XLB_R_MAX. */
const char *xlb_reason_name(unsigned int reason);

/* enum xlb_conn_state of a flow of protocol proto: "established", "closing", "syn_seen", "udp";
 * "unknown" past XLB_CS_MAX. */
const char *xlb_conn_state_name(unsigned int state, uint8_t proto);

#endif /* XLB_NAMES_H */
