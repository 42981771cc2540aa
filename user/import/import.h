/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * keepalived.conf -> xlb YAML (`xlbctl import-keepalived`). Facts the file lacks come from
 * this machine through xlb_import_env, so tests can inject their own, or from the command line.
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
	/* The source address this machine picks on its route to addr: 0 and src, or -errno. */
	int (*route_src)(void *ctx, const char *addr, char *src, size_t len);
	void *ctx;
};

/* What a keepalived file cannot hold; NULL members when not given. */
struct xlb_import_opts {
	const char *sync_peer; /* ADDR[:PORT], the other box's failover.sync.listen */
	const char *sync_key;  /* an absolute path; given with sync_peer or not at all */
};

enum {
	XLB_IMPORT_OK = 0,
	XLB_IMPORT_PARSE = 2,   /* the file could not be read or parsed */
	XLB_IMPORT_USAGE = 2,   /* bad arguments: xlbctl's own code for bad usage */
	XLB_IMPORT_PARTIAL = 3, /* something was left out or changed meaning (warned) */
};

/* This machine's answers (common/route.h, getifaddrs, a connected UDP socket). */
extern const struct xlb_import_env xlb_import_host_env;

/* Write the YAML to out, one "FILE:LINE: keepalived KEYWORD: ..." per problem to err. */
int xlb_import_keepalived(const char *path, const struct xlb_import_env *env,
			  const struct xlb_import_opts *opts, FILE *out, FILE *err);

/*
 * `import-keepalived [--sync-peer ADDR[:PORT] --sync-key FILE] FILE`, argv[0] the command's
 * name: the exit code above, the usage on err when the arguments are wrong.
 */
int xlb_import_main(int argc, char **argv, const struct xlb_import_env *env, FILE *out,
		    FILE *err);

/* Split ADDR[:PORT] ([V6]:PORT for IPv6) into host and port (def without one): 0 or -EINVAL. */
int xlb_import_hostport(const char *s, char *host, size_t len, unsigned int *port,
			unsigned int def);

#endif /* XLB_IMPORT_H */
