/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keepalived.conf -> xlb YAML (`xlbctl import-keepalived`). Facts the file lacks come from
 * this machine through xlb_import_env, so tests can inject their own.
 */
#ifndef XLB_IMPORT_H
#define XLB_IMPORT_H

#include <stddef.h>
#include <stdio.h>

struct xlb_import_env {
	/* The interface the kernel routes addr through: 0 and name, or -errno. */
	int (*route_ifname)(void *ctx, const char *addr, char *name, size_t len);
	/* An IPv4 address of ifname: 0 and addr, or -errno. */
	int (*iface_ipv4)(void *ctx, const char *ifname, char *addr, size_t len);
	void *ctx;
};

enum {
	XLB_IMPORT_OK = 0,
	XLB_IMPORT_PARSE = 2,   /* the file could not be read or parsed */
	XLB_IMPORT_PARTIAL = 3, /* something was left out or changed meaning (warned) */
};

/* This machine's answers (common/route.h, getifaddrs). */
extern const struct xlb_import_env xlb_import_host_env;

/* Write the YAML to out, one "FILE:LINE: keepalived KEYWORD: ..." per problem to err. */
int xlb_import_keepalived(const char *path, const struct xlb_import_env *env, FILE *out,
			  FILE *err);

#endif /* XLB_IMPORT_H */
