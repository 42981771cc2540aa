/* SPDX-License-Identifier: GPL-2.0-only */
/* xlbctl -Z: the traffic counters back to zero, as ipvsadm -Z. */
#ifndef XLB_CLI_ZERO_H
#define XLB_CLI_ZERO_H

struct xlb_view;

/*
 * Zero vip_stats, backend_stats and reason_stats of every interface the view read (under
 * pin_dir/<ifname>/): each key, every CPU's slot. 0, or -errno after reporting it. Packets
 * counted on another CPU while a key is written may be lost: a start, not an audit.
 */
int xlb_cli_zero(const struct xlb_view *v, const char *pin_dir);

#endif /* XLB_CLI_ZERO_H */
