/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the test tools xlb-http, xlb-probe, xlb-xfer and xlb-synflood share: their clocks, the
 * stop flag SIGTERM/SIGINT set, and the parsing of their numeric and address arguments. libc
 * only, like the tools.
 */
#ifndef XLB_TOOL_H
#define XLB_TOOL_H

#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>

/* Set by SIGTERM / SIGINT once catch_stop_signals() ran. */
extern volatile sig_atomic_t stop;

/* SIGTERM and SIGINT set stop; no SA_RESTART, so a blocked poll() returns and sees it. */
void catch_stop_signals(void);

int64_t now_ms(void); /* CLOCK_MONOTONIC */
int64_t now_us(void);
/* Wall clock, ms: lets a script line our timeline up with its own `date +%s%N`. */
int64_t unix_ms(void);

/* A decimal 0..max into *out; else "<tool>: bad WHAT 'S'" on stderr and -EINVAL. */
int parse_uint(const char *s, const char *what, unsigned int max, unsigned int *out);
/* ADDR (IPv4, IPv6, or IPv6 in brackets as in a URL) and PORT into a sockaddr; 0 or -EINVAL. */
int parse_addr(const char *s, unsigned int port, struct sockaddr_storage *ss, socklen_t *len);

#endif /* XLB_TOOL_H */
