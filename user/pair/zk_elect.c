// SPDX-License-Identifier: GPL-2.0-only
/* ZooKeeper leader election's decisions, without a server (zk_elect.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/loop.h"
#include "pair/zk_elect.h"

#define XLB_ZK_SEQ_DIGITS 10

void xlb_zk_node_prefix(int64_t session, char *buf)
{
	snprintf(buf, XLB_ZK_PREFIX_SIZE, "%016" PRIx64 "-", (uint64_t)session);
}

int64_t xlb_zk_seq(const char *name)
{
	size_t len = strlen(name);
	const char *d = name + len - XLB_ZK_SEQ_DIGITS;
	int64_t v = 0;

	/* the prefix's 16 hex and '-', then the digits */
	if (len != XLB_ZK_PREFIX_SIZE - 1 + XLB_ZK_SEQ_DIGITS || d[-1] != '-' ||
	    strspn(name, "0123456789abcdef") != XLB_ZK_PREFIX_SIZE - 2 ||
	    strspn(d, "0123456789") != XLB_ZK_SEQ_DIGITS)
		return -1;
	for (; *d; d++)
		v = v * 10 + (*d - '0');
	return v;
}

void xlb_zk_elect(const char *const *names, size_t n, const char *prefix, struct xlb_zk_view *v)
{
	int64_t low = -1, my = -1, s;
	size_t i;

	v->mine = v->lowest = -1;
	for (i = 0; i < n; i++) {
		s = xlb_zk_seq(names[i]);
		if (s < 0)
			continue;
		if (low < 0 || s < low) {
			low = s;
			v->lowest = i;
		}
		if (!strncmp(names[i], prefix, XLB_ZK_PREFIX_SIZE - 1) && (my < 0 || s < my)) {
			my = s;
			v->mine = i;
		}
	}
}

uint64_t xlb_zk_release_at(uint64_t contact_ns, uint32_t timeout_ms)
{
	return contact_ns + (uint64_t)timeout_ms * 2 / 3 * XLB_MS;
}

/* Six a timeout: two heartbeats may be lost before the release deadline comes near. */
uint64_t xlb_zk_heartbeat_ns(uint32_t timeout_ms)
{
	return (uint64_t)timeout_ms / 6 * XLB_MS;
}

int xlb_zk_master_json(char *buf, size_t len, const char *name, const char *znode,
		       int64_t session, const struct xlb_cfg_vaddr *vaddrs, size_t n,
		       const struct timespec *since)
{
	char a[INET6_ADDRSTRLEN], when[32];
	size_t off = 0, i;
	struct tm tm;
	int w;

	gmtime_r(&since->tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	/* name and znode are of [A-Za-z0-9_.-/] (the config's and ours): nothing to escape */
	w = snprintf(buf, len, "{\"node\":\"%s\",\"znode\":\"%s\",\"session\":\"0x%" PRIx64 "\","
			       "\"addresses\":[",
		     name, znode, (uint64_t)session);
	for (i = 0; w >= 0 && (size_t)w < len - off && i < n; i++) {
		off += w;
		w = snprintf(buf + off, len - off, "%s\"%s/%u\"", i ? "," : "",
			     xlb_addr_str(&vaddrs[i].addr, a, sizeof(a)), vaddrs[i].prefix);
	}
	if (w >= 0 && (size_t)w < len - off) {
		off += w;
		w = snprintf(buf + off, len - off, "],\"since\":\"%s.%03ldZ\"}", when,
			     since->tv_nsec / 1000000);
	}
	if (w < 0 || (size_t)w >= len - off)
		return -ENOSPC;
	return off + w;
}

int xlb_zk_json_str(const char *json, size_t json_len, const char *key, char *out, size_t len)
{
	char pat[40];
	const char *s, *e, *end = json + json_len;
	int n;

	n = snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	if (n < 0 || (size_t)n >= sizeof(pat))
		return -ENOENT;
	s = memmem(json, json_len, pat, n);
	if (!s)
		return -ENOENT;
	s += n;
	e = memchr(s, '"', end - s);
	if (!e || (size_t)(e - s) >= len || memchr(s, '\\', e - s))
		return -ENOENT;
	memcpy(out, s, e - s);
	out[e - s] = '\0';
	return 0;
}
