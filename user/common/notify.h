/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sd_notify(3) for Type=notify: one datagram to the socket systemd names in NOTIFY_SOCKET.
 * Written here (the protocol is a datagram of "KEY=value" lines) rather than linking libsystemd
 * for one call; without NOTIFY_SOCKET it does nothing.
 */
#ifndef XLB_NOTIFY_H
#define XLB_NOTIFY_H

/* Sends state ("READY=1", "STOPPING=1", ...). Returns 1 when sent, 0 without a socket, -errno. */
int xlb_notify(const char *state);
/* "RELOADING=1" with MONOTONIC_USEC=, as systemd 253+ asks of Type=notify-reload. */
int xlb_notify_reloading(void);

#endif /* XLB_NOTIFY_H */
