/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the lb tests share (test_lb_*.c, tests of user/agent/lb.c): the configs, the fixture, the
 * log of map writes with its failure injection, the watch of what a packet would find between
 * two writes, and the snapshots of the maps read back whole. lb_test.c holds their code; it also
 * defines bpf_map_update_elem(), bpf_map_delete_elem() and bpf_map_create(), the seam that logs
 * every write and makes a chosen one fail (see lb_test.c).
 */
#ifndef XLB_TEST_LB_H
#define XLB_TEST_LB_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <netinet/in.h>

#include "agent/dataplane.h"
#include "agent/lb.h"
#include "config/config.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A small prime keeps building and reading tables fast; every config here uses it. */
#define TABLE 251

/* Configs, one backend per line. Every VIP of these is on 203.0.113.0/24 or 2001:db8::/32. */
#define HEAD                           \
	"interfaces: [{name: eth0}]\n" \
	"maglev: {table_size: 251}\n"  \
	"vips:\n"
#define VIP(name, addr, port, proto)       \
	"  - name: " name "\n"             \
	"    address: " addr "\n"          \
	"    port: " #port "\n"            \
	"    protocol: " proto "\n"        \
	"    backends:\n"
#define BE(addr, weight) "      - {address: " addr ", weight: " #weight "}\n"
#define FALLBACK(addr) "    fallback: " addr "\n"

#define WEB_VIP VIP("web", "203.0.113.1", 80, "tcp")
#define WEB_3 WEB_VIP BE("192.0.2.11", 1) BE("192.0.2.12", 2) BE("192.0.2.13", 3)
#define DNS_2 VIP("dns", "203.0.113.2", 53, "udp") BE("192.0.2.21", 100) BE("192.0.2.22", 100)
#define V6_1 VIP("v6", "2001:db8::1", 443, "tcp") BE("2001:db8::11", 100)
#define API_2 VIP("api", "203.0.113.3", 8080, "tcp") BE("192.0.2.31", 1) BE("192.0.2.32", 1)

/* web 1:2:3, dns 1:1, v6 alone. */
#define BASE HEAD WEB_3 DNS_2 V6_1
/* A reload touching every kind of thing: a weight, a new backend, a new VIP; v6 as it was. */
#define CHANGED                                                                          \
	HEAD WEB_VIP BE("192.0.2.11", 1) BE("192.0.2.12", 5) BE("192.0.2.13", 3) DNS_2 BE( \
		"192.0.2.23", 100) V6_1 API_2

struct vip_ref {
	const char *name;
	const char *addr;
	uint16_t port;
	uint8_t proto;
};

static const struct vip_ref WEB = { "web", "203.0.113.1", 80, IPPROTO_TCP };
static const struct vip_ref DNS = { "dns", "203.0.113.2", 53, IPPROTO_UDP };
static const struct vip_ref V6 = { "v6", "2001:db8::1", 443, IPPROTO_TCP };
static const struct vip_ref API = { "api", "203.0.113.3", 8080, IPPROTO_TCP };

struct be_ref {
	const char *addr;
	uint32_t weight;
};

static const struct be_ref WEB_BE[] = { { "192.0.2.11", 1 },
					 { "192.0.2.12", 2 },
					 { "192.0.2.13", 3 } };
static const struct be_ref DNS_BE[] = { { "192.0.2.21", 100 }, { "192.0.2.22", 100 } };
static const struct be_ref V6_BE[] = { { "2001:db8::11", 100 } };

enum map_role {
	R_NONE = 0,
	R_VIPS,
	R_BACKENDS,
	R_MAGLEV,
	R_CONNS,
	R_VIP_STATS,
	R_BE_STATS,
	R_NAMES,
	R_TUNNEL,
	R_NAT_FLOWS,
	R_TEMPLATES,
};

extern struct lb_inject {
	int create_at;    /* fail the n-th bpf_map_create() from now (1-based); 0 = never */
	int update_fd;    /* fail an update of this map ... */
	int update_at;    /* ... the n-th from now; 0 = never */
	bool fired;
} inject;

/* Ops logged since ops_reset(), and the maps created. */
extern size_t n_ops, n_creates;

/* Possible CPUs, for the per-CPU counters; set by lb_test_init(). */
extern int ncpu;

/* Everything the maps hold that lb.c writes, read back. */
struct snap {
	size_t n_vips;
	struct {
		struct xlb_vip_key key;
		struct xlb_vip val;
	} vips[XLB_MAX_VIPS * 2]; /* sorted by key */
	struct xlb_vip_name names[XLB_MAX_VIPS];
	struct xlb_backend be[XLB_MAX_BACKENDS];
	uint32_t inner[XLB_MAX_VIPS]; /* id of the inner map the VIP of this id reads; 0 = none */
	uint32_t size[XLB_MAX_VIPS];  /* its slots (only the first TABLE are in table[]) */
	uint32_t table[XLB_MAX_VIPS][TABLE];
};

#define MAX_SNAPS 16

struct fail_case;

struct fixture {
	int fds_before; /* open fds before setup; teardown wants the same number back */
	int inner_fd;   /* maglev_tables' inner map template */
	struct xlb_dp dp[2];
	struct xlb_dps dps;  /* lb's: dp[0], or both */
	struct xlb_dps dps2; /* lb2's: dp[1] alone */
	struct xlb_lb lb, lb2;
	bool lb2_used;
	const struct fail_case *fail_case; /* for the table of failed-apply cases */
	struct snap *snaps[MAX_SNAPS]; /* freed by teardown, so a failed assertion leaks nothing */
};

void ops_reset(void);
void watch_start(const struct xlb_dp *dp);
void watch_stop(void);
int op_first(char kind, int fd, const void *key);
int op_last(char kind, int fd, const void *key);
size_t ops_on(enum map_role role);
void assert_before(int a, const char *what_a, int b, const char *what_b);
void dp_create(struct xlb_dp *dp, int inner_fd);
struct snap *snap_take(struct fixture *f, const struct xlb_dp *dp);
void vip_key(const struct vip_ref *r, struct xlb_vip_key *k);
const struct xlb_vip *snap_vip_find(const struct snap *s, const struct vip_ref *r);
uint32_t snap_vip_id(const struct snap *s, const struct vip_ref *r);
uint32_t snap_be_find(const struct snap *s, uint32_t vip_id, const char *addr);
uint32_t snap_be_id(const struct snap *s, uint32_t vip_id, const char *addr);
size_t snap_used(const struct snap *s);
size_t slots_of(const struct snap *s, uint32_t vip_id, uint32_t be_id);
void assert_shares(const struct snap *s, const struct vip_ref *r, const struct be_ref *be,
		   size_t n);
void assert_snap_equal(const struct snap *a, const struct snap *b, bool same_objects,
		       const char *what);
void assert_table_kept(const struct snap *now, const struct snap *was,
		       const struct vip_ref *r);
void assert_table_rebuilt(const struct snap *now, const struct snap *was,
			  const struct vip_ref *r);
bool counters_zero(int fd, uint32_t id);
void counters_junk(int fd, uint32_t id);
int apply(struct xlb_lb *lb, const char *yaml);
void apply_ok(struct xlb_lb *lb, const char *yaml);
struct xlb_lb_vip *lb_vip(struct xlb_lb *lb, const struct vip_ref *r);
struct xlb_lb_backend *lb_be(struct xlb_lb_vip *v, const char *addr);
int set_state(struct xlb_lb *lb, struct xlb_lb_vip *v, const char *addr, bool healthy,
	      enum xlb_admin admin);
int setup(void **state);
int teardown(void **state);

/* Restarts: a fresh struct xlb_lb over maps an earlier one filled. */
void restart(struct fixture *f);

/* A case on a fresh fixture. */
#define LB_CASE(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* A group of cases, run under its name. */
struct lb_test_group {
	const char *name;
	const struct CMUnitTest *tests;
	size_t n;
};

/* Each test_lb_*'s main(): run the groups (prog names the binary); the exit code (77: skipped). */
int lb_test_main(const char *prog, const struct lb_test_group *groups, size_t n);

#endif
