/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Whether the maps pinned for an interface belong to a program that runs: xlbd detaches its
 * program when it stops and leaves the maps pinned for the next start, so the maps alone say
 * nothing about whether their counters still move.
 */
#ifndef XLB_CLI_ATTACHED_H
#define XLB_CLI_ATTACHED_H

/*
 * 1 when the XDP program attached to ifname (in this network namespace, in any mode) uses the
 * map pinned at vips_pin, 0 when none does (no program, another program, no such interface),
 * or -errno when the pinned map or the program cannot be read (logged).
 */
int xlb_cli_attached(const char *ifname, const char *vips_pin);

#endif /* XLB_CLI_ATTACHED_H */
