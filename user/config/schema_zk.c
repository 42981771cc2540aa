// SPDX-License-Identifier: GPL-2.0-only
/*
 * failover.zookeeper: {hosts, path, session_timeout, interface, virtual_addresses, name}: the
 * ZooKeeper ensemble the nodes elect their master through, and what the master holds. The
 * virtual addresses are read as a VRRP instance's (schema_pair.c); `sync` stays failover's.
 */
#include <arpa/inet.h>
#include <string.h>

#include "config/keys.h"
#include "config/schema.h"

/* A path the servers take (PATH/nodes/<session>-<10 digits> must fit their 1 MB packet
 * easily) and that reads well in a log line. */
#define XLB_CFG_ZK_PATH_MAX 200

enum {
	XLB_CFG_ZK_HOSTS,
	XLB_CFG_ZK_PATH,
	XLB_CFG_ZK_SESSION_TIMEOUT,
	XLB_CFG_ZK_INTERFACE,
	XLB_CFG_ZK_VIRTUAL_ADDRESSES,
	XLB_CFG_ZK_NAME,
};

/* One "HOST:PORT" of hosts: an IPv4 address or name, or [IPv6]; the client needs the port. */
static const char *xlb_cfg_zk_host_bad(const char *h, size_t len)
{
	const char *colon, *port;
	char buf[INET6_ADDRSTRLEN];
	struct in6_addr a6;
	uint32_t v;
	size_t hl;

	if (!len)
		return "is empty";
	if (h[0] == '[') {
		colon = memchr(h, ']', len);
		if (!colon || colon + 1 == h + len || colon[1] != ':')
			return "is not [IPV6]:PORT";
		hl = colon - h - 1;
		if (hl >= sizeof(buf))
			return "has a bad IPv6 address";
		memcpy(buf, h + 1, hl);
		buf[hl] = '\0';
		if (inet_pton(AF_INET6, buf, &a6) != 1)
			return "has a bad IPv6 address";
		port = colon + 2;
	} else {
		colon = memchr(h, ':', len);
		/* 2001:db8::3:2181 might mean port 2181 or an address ending in :2181 */
		if (colon && memchr(colon + 1, ':', h + len - colon - 1))
			return "is an IPv6 address: write it in brackets, as [2001:db8::3]:2181";
		if (!colon)
			return "has no :PORT (the client needs one, usually 2181)";
		hl = colon - h;
		if (!hl || strspn(h, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				     "0123456789.-") < hl)
			return "is not HOST:PORT";
		port = colon + 1;
	}
	hl = h + len - port;
	if (!hl || hl > 5 || strspn(port, "0123456789") < hl)
		return "has a bad port (expected 1..65535)";
	memcpy(buf, port, hl);
	buf[hl] = '\0';
	if (xlb_cfg_uint(buf, 1, 65535, &v))
		return "has a bad port (expected 1..65535)";
	return NULL;
}

/* "HOST:PORT,HOST:PORT,...": a chroot suffix is refused, path says where the election is. */
static int xlb_cfg_zk_hosts(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_zk *zk = obj;
	const char *s = xlb_cfg_str(p), *h, *end, *why;
	size_t len = strlen(s);

	if (!len)
		return xlb_cfg_reject(p, xlb_cfg_at(p), "hosts is empty (expected HOST:PORT,...)");
	if (len >= sizeof(zk->hosts))
		return xlb_cfg_reject(p, xlb_cfg_at(p), "hosts is too long (at most %zu bytes)",
				      sizeof(zk->hosts) - 1);
	if (strchr(s, '/'))
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "hosts '%.64s' has a chroot suffix: give the znode as path "
				      "instead",
				      s);
	for (h = s; h <= s + len; h = end + 1) {
		end = strchr(h, ',') ?: s + len;
		why = xlb_cfg_zk_host_bad(h, end - h);
		if (why)
			return xlb_cfg_reject(p, xlb_cfg_at(p), "zookeeper host '%.*s' %s",
					      (int)(end - h > 64 ? 64 : end - h), h, why);
	}
	memcpy(zk->hosts, s, len + 1);
	return 0;
}

/*
 * An absolute znode path as the servers take it (PathUtils.validatePath): no empty, "." or ".."
 * component, no trailing slash; and not under /zookeeper, which is the servers' own.
 */
static int xlb_cfg_zk_path(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_zk *zk = obj;
	const char *s = xlb_cfg_str(p), *c, *e;
	size_t len = strlen(s);

	if (s[0] != '/' || len < 2)
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "path '%.64s' is not an absolute znode path below / (like "
				      "/xlb/web)",
				      s);
	if (len > XLB_CFG_ZK_PATH_MAX)
		return xlb_cfg_reject(p, xlb_cfg_at(p), "path is too long (at most %u bytes)",
				      XLB_CFG_ZK_PATH_MAX);
	if (strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-/") < len)
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "path '%.64s' must be of A-Z a-z 0-9 _ . - and /", s);
	for (c = s + 1; c <= s + len; c = e + 1) {
		e = strchr(c, '/') ?: s + len;
		if (e == c || (e - c == 1 && c[0] == '.') || (e - c == 2 && !strncmp(c, "..", 2)))
			return xlb_cfg_reject(p, xlb_cfg_at(p),
					      "path '%.64s' has an empty, '.' or '..' component", s);
	}
	if (!strncmp(s, "/zookeeper", 10) && (!s[10] || s[10] == '/'))
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "path '%.64s' is under /zookeeper, the servers' own", s);
	memcpy(zk->path, s, len + 1);
	return 0;
}

static int xlb_cfg_zk_vaddr(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_zk *zk = obj;
	struct xlb_cfg_vaddr_list l = { &zk->vaddrs, &zk->n_vaddrs };

	return xlb_cfg_vaddr_entry(p, &l);
}

/* What path/master shows and xlbctl master prints: printable bare, in JSON too. */
static int xlb_cfg_zk_name(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_zk *zk = obj;
	const char *s = xlb_cfg_str(p);
	size_t len = strlen(s);

	if (!len || len >= sizeof(zk->name) ||
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") != len)
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "node name '%.64s' must be 1 to %zu of A-Z a-z 0-9 _ . -", s,
				      sizeof(zk->name) - 1);
	memcpy(zk->name, s, len + 1);
	return 0;
}

static const struct xlb_cfg_key xlb_cfg_zk_keys[] = {
	[XLB_CFG_ZK_HOSTS] = XLB_CFG_KEY_FN("hosts", XLB_CFG_SCALAR, true, xlb_cfg_zk_hosts),
	[XLB_CFG_ZK_PATH] = XLB_CFG_KEY_FN("path", XLB_CFG_SCALAR, true, xlb_cfg_zk_path),
	[XLB_CFG_ZK_SESSION_TIMEOUT] = XLB_CFG_KEY_MS("session_timeout", false, struct xlb_cfg_zk,
						      session_timeout_ms,
						      XLB_CFG_ZK_MIN_SESSION_MS,
						      XLB_CFG_ZK_MAX_SESSION_MS),
	[XLB_CFG_ZK_INTERFACE] = XLB_CFG_KEY_IFNAME("interface", true, struct xlb_cfg_zk,
						    interface),
	[XLB_CFG_ZK_VIRTUAL_ADDRESSES] = XLB_CFG_KEY_LIST("virtual_addresses", true,
							  XLB_CFG_SCALAR_OR_MAP, xlb_cfg_zk_vaddr,
							  "address"),
	[XLB_CFG_ZK_NAME] = XLB_CFG_KEY_FN("name", XLB_CFG_SCALAR, false, xlb_cfg_zk_name),
};

static const struct xlb_cfg_section xlb_cfg_zk_section =
	XLB_CFG_SECTION("in zookeeper", xlb_cfg_zk_keys, NULL);

int xlb_cfg_failover_zk(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_config *cfg = obj;

	if (!cfg->zk) {
		cfg->zk = calloc(1, sizeof(*cfg->zk));
		if (!cfg->zk)
			return p->stop = -ENOMEM;
	}
	cfg->zk->session_timeout_ms = XLB_CFG_ZK_DEFAULT_SESSION_MS;
	cfg->zk->pos = xlb_cfg_at(p);
	return xlb_cfg_walk_map(p, &xlb_cfg_zk_section, cfg->zk);
}

/* Mode zookeeper takes its section and sync; VRRP's keys, and it with another mode, are errors. */
void xlb_cfg_zk_mode_check(struct xlb_cfg_parser *p, uint8_t mode, struct xlb_cfg_pos start,
			   const struct xlb_cfg_mark *zk, const struct xlb_cfg_mark *vrrp,
			   const struct xlb_cfg_mark *groups)
{
	if (mode != XLB_FAILOVER_ZK) {
		if (zk->at.line)
			xlb_cfg_error(p, zk->at, "zookeeper needs mode zookeeper (mode is %s)",
				      mode == XLB_FAILOVER_VRRP ? "vrrp" : "none");
		return;
	}
	if (!zk->at.line)
		xlb_cfg_error(p, start,
			      "missing required key 'zookeeper' in failover (mode is zookeeper)");
	if (vrrp->at.line)
		xlb_cfg_error(p, vrrp->at, "vrrp does not apply to mode zookeeper");
	if (groups->at.line)
		xlb_cfg_error(p, groups->at, "sync_groups does not apply to mode zookeeper");
}

void xlb_cfg_zk_free(struct xlb_cfg_zk *zk)
{
	if (!zk)
		return;
	free(zk->vaddrs);
	free(zk);
}
