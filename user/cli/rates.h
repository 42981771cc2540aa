/* SPDX-License-Identifier: GPL-2.0-only */
/* xlbctl stats --rate: per-second rates from two reads of the counters, as ipvsadm --rate. */
#ifndef XLB_CLI_RATES_H
#define XLB_CLI_RATES_H

#include <stdbool.h>

struct xlb_view;

/*
 * The rates between view a and view b, read secs apart (both with XLB_VIEW_VIPS,
 * XLB_VIEW_BACKENDS and XLB_VIEW_REASONS): packets, bytes and new flows per second of every
 * verdict reason, VIP and backend; tables, bytes in binary units, or JSON numbers. A counter
 * lower in b than in a was zeroed between them: what it holds is what came since. 0, or -errno
 * after reporting it.
 */
int xlb_rates_show(const struct xlb_view *a, const struct xlb_view *b, double secs, bool json);

#endif /* XLB_CLI_RATES_H */
