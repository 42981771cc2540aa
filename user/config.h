/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xlbd's configuration: what the YAML file says, validated. Parsed with libyaml; every error is
 * reported as "file:line:col: message" (1-based, pointing at the offending key or value).
 */
#ifndef XLB_CONFIG_H
#define XLB_CONFIG_H

#include <net/if.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "xlb/abi.h"

/* Where a value sat in the file, 1-based. */
struct xlb_cfg_pos {
	unsigned int line;
	unsigned int col;
};

/* An address as the maps want it: family + four network-order words (IPv4 in w[0]). */
struct xlb_addr {
	uint8_t family; /* enum xlb_family */
	uint32_t w[4];  /* network order */
};

enum xlb_xdp_mode {
	XLB_XDP_AUTO = 0, /* native, generic with a warning when native is refused */
	XLB_XDP_NATIVE,
	XLB_XDP_GENERIC,
};

struct xlb_cfg_iface {
	char name[IF_NAMESIZE];
	enum xlb_xdp_mode xdp_mode;
	struct xlb_cfg_pos pos;
};

struct xlb_cfg_backend {
	struct xlb_addr addr;
	uint32_t weight; /* 0..XLB_WEIGHT_MAX; default 100; 0 = no new flows */
	struct xlb_cfg_pos pos;
};

struct xlb_cfg_vip {
	char name[64];        /* unique; default "<address>:<port>/<proto>" */
	struct xlb_addr addr;
	uint16_t port;        /* host order; 0 = every port */
	uint8_t proto;        /* IPPROTO_TCP / IPPROTO_UDP; default tcp */
	uint8_t sched;        /* enum xlb_sched; default maglev */
	uint8_t fwd;          /* enum xlb_fwd; default dr */
	struct xlb_cfg_backend *backends;
	size_t n_backends;
	struct xlb_cfg_pos pos;
};

struct xlb_config {
	char *path;
	struct xlb_cfg_iface *ifaces;
	size_t n_ifaces;
	uint32_t maglev_size; /* prime; default XLB_MAGLEV_DEFAULT_SIZE */
	struct xlb_cfg_vip *vips;
	size_t n_vips;
};

struct xlb_cfg_error {
	struct xlb_cfg_pos pos;
	char msg[160];
};

struct xlb_cfg_errors {
	struct xlb_cfg_error *v;
	size_t n;
};

/*
 * Parse and validate. On success returns 0 and fills *cfg (free with xlb_cfg_free()). On a bad
 * config returns -EINVAL with every error found in *errs (free with xlb_cfg_errors_free());
 * other failures return -errno (-ENOENT for a missing file, ...). `name` is what messages call
 * the file.
 */
int xlb_cfg_parse_file(const char *path, struct xlb_config *cfg, struct xlb_cfg_errors *errs);
int xlb_cfg_parse_string(const char *name, const char *text, size_t len, struct xlb_config *cfg,
			 struct xlb_cfg_errors *errs);
void xlb_cfg_free(struct xlb_config *cfg);
void xlb_cfg_errors_free(struct xlb_cfg_errors *errs);
/* Print each error as "file:line:col: message\n". */
void xlb_cfg_errors_print(const struct xlb_cfg_errors *errs, const char *name, FILE *out);

/* "203.0.113.1" / "2001:db8::1" <-> struct xlb_addr. Parse returns 0 or -EINVAL. */
int xlb_addr_parse(const char *s, struct xlb_addr *out);
const char *xlb_addr_str(const struct xlb_addr *a, char *buf, size_t len);

#endif /* XLB_CONFIG_H */
