/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xlbd's control socket: a unix stream socket, root only (checked by peer credentials). A client
 * sends one request line, "COMMAND [ARG...]\n", and reads one JSON reply line,
 * {"ok":true,...} or {"ok":false,"error":"..."}, then the server closes. A malformed request
 * gets an error reply and changes nothing.
 */
#ifndef XLB_CTL_WIRE_H
#define XLB_CTL_WIRE_H

#define XLB_CTL_MAX_LINE 4096
#define XLB_CTL_MAX_ARGS 8

#endif /* XLB_CTL_WIRE_H */
