// SPDX-License-Identifier: GPL-2.0-only
/*
 * xlbctl: the operator's window into the XDP data path. Reads the maps xlbd pins under
 * <pin_dir>/<ifname>/ and prints them as tables for people or JSON for scripts; writes only
 * when told to zero the counters (-Z). Counts are printed in full so that two runs diff
 * exactly; bytes in tables in binary units (--json: in full).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "cli/agent_state.h"
#include "cli/attached.h"
#include "cli/conns.h"
#include "cli/decap.h"
#include "cli/maps_view.h"
#include "cli/master.h"
#include "cli/rates.h"
#include "cli/report.h"
#include "cli/zero.h"
#include "common/addr.h"
#include "common/names.h"
#include "common/output.h"
#include "config/config.h" /* XLB_CONTROL_SOCKET, XLB_PIN_ROOT */
#include "dispatch/fwd.h"
#include "dispatch/sched.h"
#include "import/import.h"
#include "xlb/abi.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define MAC_STR_LEN sizeof("aa:bb:cc:dd:ee:ff")

enum ctl_exit {
	CTL_EXIT_OK = 0,
	CTL_EXIT_FAIL = 1,  /* the maps could not be read, or the VIP asked for does not exist */
	CTL_EXIT_USAGE = 2, /* bad command line, or -c FILE invalid */
	/* 3 is import-keepalived's: something was left out */
	CTL_EXIT_NOT_RUNNING = 4, /* a command for xlbd, and no xlbd listens on the socket */
	CTL_EXIT_DETACHED = 5,    /* maps pinned, no program attached: a stopped xlbd's */
};

struct ctl_opts {
	const char *pin_dir;
	const char *control; /* xlbd's control socket */
	const char *ifname; /* NULL: every interface, summed */
	bool json;
	/* conns only */
	const char *vip;     /* --vip: as `backends VIP` names one */
	const char *backend; /* --backend ADDR */
	bool templates;      /* --templates */
	bool stale;          /* --stale: the maps of a detached program, said on stderr */
	/* stats only */
	double rate_s; /* --rate [SECONDS]: per-second rates over that long; 0: the counters */
	bool zero;     /* -Z: the counters to zero (after stats prints them) */
};

static const char *mac_str(const __u8 mac[6], char buf[MAC_STR_LEN])
{
	snprintf(buf, MAC_STR_LEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
	return buf;
}

/*
 * One word a script can match: live or down, then ",no-mac" while the MAC is unresolved, for
 * a backend of a mode that forwards to its MAC (tun and nat ones take their next hop from the
 * FIB, and xlbd keeps no MAC for them).
 */
static const char *state_str(const struct xlb_view *v, const struct xlb_backend *be)
{
	const struct xlb_fwd_mode *fwd = NULL;
	bool live = be->flags & XLB_BE_F_LIVE, mac = be->flags & XLB_BE_F_MAC;
	size_t i;

	for (i = 0; i < v->n_vips && !fwd; i++)
		if (v->vips[i].vip.id == be->vip_id)
			fwd = xlb_fwd_get(v->vips[i].vip.fwd);
	mac |= fwd && !fwd->needs_mac;

	if (live)
		return mac ? "live" : "live,no-mac";
	return mac ? "down" : "down,no-mac";
}

static int output_err(int err)
{
	xlb_cli_err("cannot write the output: %s", strerror(-err));
	return err;
}

static int vips_table(const struct xlb_view *v)
{
	static const struct xlb_table_col cols[] = {
		{ "NAME" },	     { "VIP" },		 { "SCHED" },	  { "FWD" },
		{ "BACKENDS", true }, { "PACKETS", true }, { "BYTES", true }, { "NEW_FLOWS", true },
	};
	struct xlb_table *t = xlb_table_new(cols, ARRAY_SIZE(cols));
	char vip[XLB_VIEW_VIP_STR_LEN], bytes[XLB_FMT_BYTES_LEN];
	size_t i;
	int err;

	if (!t)
		return output_err(-ENOMEM);
	for (i = 0; i < v->n_vips; i++) {
		const struct xlb_view_vip *vv = &v->vips[i];
		const char *name = xlb_view_vip_name(v, vv->vip.id);

		xlb_table_cell(t, "%s", name ? name : "-");
		xlb_table_cell(t, "%s", xlb_view_vip_str(&vv->key, vip, sizeof(vip)));
		xlb_table_cell(t, "%s", xlb_sched_name(vv->vip.sched));
		xlb_table_cell(t, "%s", xlb_fwd_name(vv->vip.fwd));
		xlb_table_cell(t, "%u", vv->n_backends);
		xlb_table_cell(t, "%llu", (unsigned long long)vv->stats.packets);
		xlb_table_cell(t, "%s", xlb_fmt_bytes(vv->stats.bytes, bytes, sizeof(bytes)));
		xlb_table_cell(t, "%llu", (unsigned long long)vv->stats.new_flows);
	}
	err = xlb_table_print(t, stdout);
	xlb_table_free(t);
	return err ? output_err(err) : 0;
}

static int vips_json(const struct xlb_view *v)
{
	struct xlb_json j;
	size_t i;
	int err;

	xlb_json_init(&j, stdout);
	xlb_json_object_begin(&j);
	xlb_json_key(&j, "vips");
	xlb_json_array_begin(&j);
	for (i = 0; i < v->n_vips; i++) {
		const struct xlb_view_vip *vv = &v->vips[i];

		xlb_json_object_begin(&j);
		xlb_view_vip_json(&j, v, vv);
		xlb_json_kv_string(&j, "scheduler", xlb_sched_name(vv->vip.sched));
		xlb_json_kv_string(&j, "forwarding", xlb_fwd_name(vv->vip.fwd));
		xlb_json_kv_uint(&j, "backends", vv->n_backends);
		xlb_json_kv_uint(&j, "packets", vv->stats.packets);
		xlb_json_kv_uint(&j, "bytes", vv->stats.bytes);
		xlb_json_kv_uint(&j, "new_flows", vv->stats.new_flows);
		xlb_json_object_end(&j);
	}
	xlb_json_array_end(&j);
	xlb_json_object_end(&j);
	err = xlb_json_finish(&j);
	return err ? output_err(err) : 0;
}

/*
 * xlb_view_load(), and whether each interface read still has the program its maps belong to:
 * counters of a stopped xlbd no longer move, and saying so is the difference between "no
 * traffic" and "no load balancer". -ENOLINK when one has none (and not --stale), said once.
 */
#define DETACHED_FMT "no xlb program is attached to %s (maps in %s/%s are from a stopped xlbd)"

static int view_load(const struct ctl_opts *o, struct xlb_view *v, unsigned int parts)
{
	char pin[PATH_MAX];
	unsigned int i, detached = 0;
	int err;

	err = xlb_view_load(v, o->pin_dir, o->ifname, parts);
	if (err)
		return err;
	for (i = 0; i < v->n_ifaces; i++) {
		snprintf(pin, sizeof(pin), "%s/%s/vips", o->pin_dir, v->ifnames[i]);
		err = xlb_cli_attached(v->ifnames[i], pin);
		if (err < 0)
			goto fail;
		if (!err)
			detached++;
	}
	/*
	 * Beside a live one, a detached interface is one xlbd no longer drives (taken out of the
	 * config): its folder is said, not fatal. Only when none is attached is xlbd stopped.
	 */
	for (i = 0; detached && i < v->n_ifaces; i++) {
		snprintf(pin, sizeof(pin), "%s/%s/vips", o->pin_dir, v->ifnames[i]);
		if (xlb_cli_attached(v->ifnames[i], pin) > 0)
			continue;
		if (o->stale || detached < v->n_ifaces)
			xlb_cli_warn(DETACHED_FMT, v->ifnames[i], o->pin_dir, v->ifnames[i]);
		else
			xlb_cli_err(DETACHED_FMT, v->ifnames[i], o->pin_dir, v->ifnames[i]);
	}
	if (!detached || o->stale || detached < v->n_ifaces)
		return 0;
	xlb_cli_err("--stale shows them anyway");
	err = -ENOLINK;
fail:
	xlb_view_free(v);
	return err;
}

static int do_vips(const struct ctl_opts *o, int argc, char **argv)
{
	struct xlb_view v;
	int err;

	(void)argc;
	(void)argv;
	err = view_load(o, &v, XLB_VIEW_VIPS | XLB_VIEW_BACKENDS);
	if (err)
		return err;
	err = o->json ? vips_json(&v) : vips_table(&v);
	xlb_view_free(&v);
	return err;
}

/*
 * Which VIPs `backends VIP` means: the one so named, or those at an address, written as
 * ADDR, ADDR:PORT or [ADDR6]:PORT, each optionally followed by /tcp or /udp; '*' is port 0.
 */
struct vip_filter {
	const char *text;
	bool is_addr; /* text also parsed as an address */
	__u8 family;
	__be32 addr[4];
	bool has_port;
	__be16 port;
	bool has_proto;
	__u8 proto;
};

static bool parse_filter_port(const char *s, struct vip_filter *f)
{
	unsigned long port;
	char *end;

	if (!strcmp(s, "*")) {
		port = 0;
	} else {
		if (*s < '0' || *s > '9')
			return false;
		errno = 0;
		port = strtoul(s, &end, 10);
		if (errno || *end || port > 65535)
			return false;
	}
	f->port = htons(port);
	f->has_port = true;
	return true;
}

static void parse_vip_filter(const char *text, struct vip_filter *f)
{
	char buf[INET6_ADDRSTRLEN + 16], *host, *port = NULL, *p;

	memset(f, 0, sizeof(*f));
	f->text = text;
	if (strlen(text) >= sizeof(buf))
		return;
	strcpy(buf, text);
	p = strrchr(buf, '/');
	if (p) {
		if (!strcmp(p + 1, "tcp"))
			f->proto = IPPROTO_TCP;
		else if (!strcmp(p + 1, "udp"))
			f->proto = IPPROTO_UDP;
		else
			return;
		f->has_proto = true;
		*p = '\0';
	}
	host = buf;
	if (buf[0] == '[') {
		p = strchr(buf, ']');
		if (!p || (p[1] && p[1] != ':'))
			return;
		*p = '\0';
		host = buf + 1;
		if (p[1])
			port = p + 2;
	} else if ((p = strchr(buf, ':')) && p == strrchr(buf, ':')) {
		/* One colon: IPv4 with a port. More: a bare IPv6 address. */
		*p = '\0';
		port = p + 1;
	}
	if (inet_pton(AF_INET, host, f->addr) == 1)
		f->family = XLB_FAMILY_V4;
	else if (inet_pton(AF_INET6, host, f->addr) == 1)
		f->family = XLB_FAMILY_V6;
	else
		return;
	if (port && !parse_filter_port(port, f))
		return;
	f->is_addr = true;
}

static bool vip_filter_matches(const struct vip_filter *f, const struct xlb_view *v,
			       const struct xlb_view_vip *vv)
{
	const char *name = xlb_view_vip_name(v, vv->vip.id);

	if (name && !strcmp(name, f->text))
		return true;
	return f->is_addr && vv->key.family == f->family &&
	       !memcmp(vv->key.addr, f->addr, sizeof(f->addr)) &&
	       (!f->has_port || vv->key.port == f->port) &&
	       (!f->has_proto || vv->key.proto == f->proto);
}

static int cmp_backend(const void *a, const void *b, void *arg)
{
	const struct xlb_view *v = arg;
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;
	__u32 vx = v->backends[x].be.vip_id, vy = v->backends[y].be.vip_id;

	if (vx != vy)
		return vx < vy ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Ids of the used backends to show, by VIP id then backend id. want NULL: all of them. */
static size_t select_backends(const struct xlb_view *v, const bool *want, __u32 *ids)
{
	size_t n = 0;
	__u32 id;

	for (id = 0; id < XLB_MAX_BACKENDS; id++) {
		const struct xlb_backend *be = &v->backends[id].be;

		if (!(be->flags & XLB_BE_F_USED))
			continue;
		if (want && (be->vip_id >= XLB_MAX_VIPS || !want[be->vip_id]))
			continue;
		ids[n++] = id;
	}
	qsort_r(ids, n, sizeof(*ids), cmp_backend, (void *)v);
	return n;
}

static void since_str(uint64_t ms, char *buf, size_t len)
{
	if (ms < 100000)
		snprintf(buf, len, "%.1fs", ms / 1000.0);
	else if (ms < 2 * 3600 * 1000)
		snprintf(buf, len, "%llum", (unsigned long long)ms / 60000);
	else
		snprintf(buf, len, "%lluh", (unsigned long long)ms / 3600000);
}

/*
 * A count as the data path holds it. Below zero is a race the sweep has yet to correct (a
 * decrement seen before its increment): no connections.
 */
static unsigned int conn_count(__s32 n)
{
	return n > 0 ? (unsigned int)n : 0;
}

static int backends_table(const struct xlb_view *v, const __u32 *ids, size_t n,
			  const struct xlb_agent_state *st)
{
	static const struct xlb_table_col cols[] = {
		{ "VIP" },	   { "ADDRESS" },      { "WEIGHT", true },    { "MAC" },
		{ "STATE" },	   { "SINCE", true },  { "LAST_CHECK" },      { "LATENCY", true },
		{ "DATAPATH" },	   { "PACKETS", true }, { "BYTES", true },    { "NEW_FLOWS", true },
		{ "ACTIVECONN", true }, { "INACTCONN", true },
	};
	struct xlb_table *t = xlb_table_new(cols, ARRAY_SIZE(cols));
	char addr[INET6_ADDRSTRLEN], mac[MAC_STR_LEN], bytes[XLB_FMT_BYTES_LEN];
	size_t i;
	int err;

	if (!t)
		return output_err(-ENOMEM);
	for (i = 0; i < n; i++) {
		const struct xlb_view_backend *vb = &v->backends[ids[i]];
		const char *name = xlb_view_vip_name(v, vb->be.vip_id);

		xlb_table_cell(t, "%s", name ? name : "-");
		xlb_table_cell(t, "%s",
			       xlb_addr_ntop(vb->be.family, vb->be.addr, addr, sizeof(addr)));
		xlb_table_cell(t, "%u", vb->be.weight);
		const struct xlb_agent_backend *ab = xlb_agent_find(st, name, addr);
		char since[32];

		xlb_table_cell(t, "%s", vb->be.flags & XLB_BE_F_MAC ? mac_str(vb->be.mac, mac) : "-");
		if (ab) {
			since_str(ab->since_ms, since, sizeof(since));
			xlb_table_cell(t, "%s", ab->state);
			xlb_table_cell(t, "%s", since);
			xlb_table_cell(t, "%s", ab->last[0] ? ab->last : "-");
			if (ab->latency_us >= 0)
				xlb_table_cell(t, "%.1fms", ab->latency_us / 1000.0);
			else
				xlb_table_cell(t, "-");
		} else {
			xlb_table_cell(t, "-");
			xlb_table_cell(t, "-");
			xlb_table_cell(t, "-");
			xlb_table_cell(t, "-");
		}
		xlb_table_cell(t, "%s", state_str(v, &vb->be));
		xlb_table_cell(t, "%llu", (unsigned long long)vb->stats.packets);
		xlb_table_cell(t, "%s", xlb_fmt_bytes(vb->stats.bytes, bytes, sizeof(bytes)));
		xlb_table_cell(t, "%llu", (unsigned long long)vb->stats.new_flows);
		xlb_table_cell(t, "%u", conn_count(vb->conns.active));
		xlb_table_cell(t, "%u", conn_count(vb->conns.inactive));
	}
	err = xlb_table_print(t, stdout);
	xlb_table_free(t);
	return err ? output_err(err) : 0;
}

static int backends_json(const struct xlb_view *v, const __u32 *ids, size_t n,
			 const struct xlb_agent_state *st)
{
	char addr[INET6_ADDRSTRLEN], mac[MAC_STR_LEN];
	struct xlb_json j;
	size_t i;
	int err;

	xlb_json_init(&j, stdout);
	xlb_json_object_begin(&j);
	xlb_json_key(&j, "backends");
	xlb_json_array_begin(&j);
	for (i = 0; i < n; i++) {
		const struct xlb_view_backend *vb = &v->backends[ids[i]];
		const struct xlb_agent_backend *ab;

		xlb_json_object_begin(&j);
		xlb_json_kv_string(&j, "vip", xlb_view_vip_name(v, vb->be.vip_id));
		xlb_json_kv_string(&j, "address",
				   xlb_addr_ntop(vb->be.family, vb->be.addr, addr, sizeof(addr)));
		xlb_json_kv_uint(&j, "weight", vb->be.weight);
		xlb_json_kv_string(&j, "mac",
				   vb->be.flags & XLB_BE_F_MAC ? mac_str(vb->be.mac, mac) : NULL);
		ab = xlb_agent_find(st, xlb_view_vip_name(v, vb->be.vip_id), addr);
		xlb_json_kv_string(&j, "state", ab ? ab->state : NULL);
		xlb_json_key(&j, "since_ms");
		if (ab)
			xlb_json_uint(&j, ab->since_ms);
		else
			xlb_json_string(&j, NULL);
		xlb_json_kv_string(&j, "last_check", ab && ab->last[0] ? ab->last : NULL);
		xlb_json_key(&j, "latency_us");
		if (ab && ab->latency_us >= 0)
			xlb_json_uint(&j, ab->latency_us);
		else
			xlb_json_string(&j, NULL);
		xlb_json_kv_string(&j, "datapath", state_str(v, &vb->be));
		xlb_json_kv_uint(&j, "packets", vb->stats.packets);
		xlb_json_kv_uint(&j, "bytes", vb->stats.bytes);
		xlb_json_kv_uint(&j, "new_flows", vb->stats.new_flows);
		xlb_json_kv_uint(&j, "active_conns", conn_count(vb->conns.active));
		xlb_json_kv_uint(&j, "inactive_conns", conn_count(vb->conns.inactive));
		xlb_json_object_end(&j);
	}
	xlb_json_array_end(&j);
	xlb_json_object_end(&j);
	err = xlb_json_finish(&j);
	return err ? output_err(err) : 0;
}

/* Mark in want[] the ids of the VIPs text names; false (said) when none does. */
static bool want_vips(const struct xlb_view *v, const char *text, bool *want)
{
	struct vip_filter f;
	bool matched = false;
	size_t i;

	parse_vip_filter(text, &f);
	for (i = 0; i < v->n_vips; i++) {
		if (!vip_filter_matches(&f, v, &v->vips[i]))
			continue;
		matched = true;
		if (v->vips[i].vip.id < XLB_MAX_VIPS)
			want[v->vips[i].vip.id] = true;
	}
	if (!matched)
		xlb_cli_err("no VIP matches '%s'", text);
	return matched;
}

static int do_backends(const struct ctl_opts *o, int argc, char **argv)
{
	bool want[XLB_MAX_VIPS] = {};
	struct xlb_agent_state st = {};
	struct xlb_view v;
	__u32 *ids;
	size_t n;
	int err;

	err = view_load(o, &v, XLB_VIEW_VIPS | XLB_VIEW_BACKENDS);
	if (err)
		return err;
	ids = calloc(XLB_MAX_BACKENDS, sizeof(*ids));
	if (!ids) {
		err = output_err(-ENOMEM);
		goto cleanup;
	}
	if (argc && !want_vips(&v, argv[0], want)) {
		err = -ENOENT;
		goto cleanup;
	}
	n = select_backends(&v, argc ? want : NULL, ids);
	/*
	 * Health is the agent's to tell; without xlbd the data path's view still stands, and
	 * stderr says why its columns are empty.
	 */
	if (xlb_agent_state(o->control, &st, 0))
		xlb_cli_warn("backends: STATE, SINCE, LAST_CHECK and LATENCY are xlbd's: "
			     "'-'");
	err = o->json ? backends_json(&v, ids, n, &st) : backends_table(&v, ids, n, &st);
	xlb_agent_state_free(&st);
cleanup:
	free(ids);
	xlb_view_free(&v);
	return err;
}

static int do_conns(const struct ctl_opts *o, int argc, char **argv)
{
	struct xlb_conns_opts co = { .pin_dir = o->pin_dir, .json = o->json,
				     .templates = o->templates };
	bool want[XLB_MAX_VIPS] = {};
	struct xlb_addr be;
	struct xlb_view v;
	int err;

	if (o->backend && xlb_addr_parse(o->backend, &be)) {
		xlb_cli_err("--backend wants an address, not '%s'", o->backend);
		return -EINVAL;
	}
	err = view_load(o, &v, XLB_VIEW_VIPS | XLB_VIEW_BACKENDS | XLB_VIEW_CONNS);
	if (err)
		return err;
	if (o->vip && !want_vips(&v, o->vip, want)) {
		err = -ENOENT;
		goto out;
	}
	co.want_vip = o->vip ? want : NULL;
	co.backend = o->backend ? &be : NULL;
	err = argc ? xlb_lookup_show(&v, &co, argv) : xlb_conns_show(&v, &co);
out:
	xlb_view_free(&v);
	return err;
}

static int stats_table(const struct xlb_view *v)
{
	static const struct xlb_table_col cols[] = {
		{ "REASON" },
		{ "PACKETS", true },
		{ "BYTES", true },
	};
	struct xlb_table *t = xlb_table_new(cols, ARRAY_SIZE(cols));
	char bytes[XLB_FMT_BYTES_LEN];
	int r, err;

	if (!t)
		return output_err(-ENOMEM);
	for (r = 0; r < XLB_R_MAX; r++) {
		xlb_table_cell(t, "%s", xlb_reason_name(r));
		xlb_table_cell(t, "%llu", (unsigned long long)v->reasons[r].packets);
		xlb_table_cell(t, "%s", xlb_fmt_bytes(v->reasons[r].bytes, bytes, sizeof(bytes)));
	}
	err = xlb_table_print(t, stdout);
	xlb_table_free(t);
	if (err)
		return output_err(err);
	printf("\nconns in use: %llu\n", (unsigned long long)v->conns);
	return 0;
}

static int stats_json(const struct xlb_view *v)
{
	struct xlb_json j;
	int r, err;

	xlb_json_init(&j, stdout);
	xlb_json_object_begin(&j);
	xlb_json_key(&j, "reasons");
	xlb_json_object_begin(&j);
	for (r = 0; r < XLB_R_MAX; r++) {
		xlb_json_key(&j, xlb_reason_name(r));
		xlb_json_object_begin(&j);
		xlb_json_kv_uint(&j, "packets", v->reasons[r].packets);
		xlb_json_kv_uint(&j, "bytes", v->reasons[r].bytes);
		xlb_json_object_end(&j);
	}
	xlb_json_object_end(&j);
	xlb_json_kv_uint(&j, "conns", v->conns);
	xlb_json_object_end(&j);
	err = xlb_json_finish(&j);
	return err ? output_err(err) : 0;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * Two reads, o->rate_s apart as the clock measured it (the first read's own time included),
 * each timed when it starts: its counters are read early, and in the same order both times.
 */
static int stats_rate(const struct ctl_opts *o, struct xlb_view *b)
{
	const unsigned int parts = XLB_VIEW_VIPS | XLB_VIEW_BACKENDS | XLB_VIEW_REASONS;
	uint64_t t0, t1, until;
	struct xlb_view a;
	struct timespec ts;
	int err;

	t0 = mono_ns();
	err = view_load(o, &a, parts);
	if (err)
		return err;
	until = t0 + (uint64_t)(o->rate_s * 1e9);
	ts.tv_sec = until / 1000000000ull;
	ts.tv_nsec = until % 1000000000ull;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
	t1 = mono_ns();
	err = view_load(o, b, parts);
	if (!err)
		err = xlb_rates_show(&a, b, (t1 - t0) / 1e9, o->json);
	xlb_view_free(&a);
	return err;
}

static int do_stats(const struct ctl_opts *o, int argc, char **argv)
{
	struct xlb_view v;
	int err;

	(void)argc;
	(void)argv;
	if (o->rate_s > 0) {
		err = stats_rate(o, &v);
		if (err)
			return err;
	} else {
		err = view_load(o, &v, XLB_VIEW_REASONS);
		if (err)
			return err;
		err = o->json ? stats_json(&v) : stats_table(&v);
	}
	/* As ipvsadm -L -Z: what was counted is shown, then the next count starts. */
	if (!err && o->zero)
		err = xlb_cli_zero(&v, o->pin_dir);
	xlb_view_free(&v);
	return err;
}

/* xlbctl -Z with no command: zero, and say which interfaces. */
static int do_zero(const struct ctl_opts *o)
{
	struct xlb_json j;
	struct xlb_view v;
	unsigned int i;
	int err;

	err = view_load(o, &v, 0);
	if (err)
		return err;
	err = xlb_cli_zero(&v, o->pin_dir);
	if (!err && o->json) {
		xlb_json_init(&j, stdout);
		xlb_json_object_begin(&j);
		xlb_json_key(&j, "zeroed");
		xlb_json_array_begin(&j);
		for (i = 0; i < v.n_ifaces; i++)
			xlb_json_string(&j, v.ifnames[i]);
		xlb_json_array_end(&j);
		xlb_json_object_end(&j);
		err = xlb_json_finish(&j);
		if (err)
			output_err(err);
	} else if (!err) {
		printf("counters zeroed:");
		for (i = 0; i < v.n_ifaces; i++)
			printf(" %s", v.ifnames[i]);
		printf("\n");
	}
	xlb_view_free(&v);
	return err;
}

/* --rate's SECONDS, 0.1 to 60. false (said) when text is not one. */
static bool parse_rate(const char *text, double *secs)
{
	char *end;

	errno = 0;
	*secs = strtod(text, &end);
	if (errno || end == text || *end || !(*secs >= 0.1 && *secs <= 60)) {
		xlb_cli_err("--rate wants SECONDS from 0.1 to 60, not '%s'", text);
		return false;
	}
	return true;
}

static int64_t jint(struct json_object *o, const char *key)
{
	struct json_object *x;

	return json_object_object_get_ex(o, key, &x) ? json_object_get_int64(x) : 0;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *x;

	return json_object_object_get_ex(o, key, &x) && x ? json_object_get_string(x) : "-";
}

/* " (not_a_peer 40, ttl 2)": why adverts were refused, the reasons that occurred. */
static void rejected_reasons(struct json_object *v)
{
	struct json_object *by;
	const char *sep = " (";

	if (!json_object_object_get_ex(v, "adverts_rejected_by", &by) ||
	    !json_object_is_type(by, json_type_object))
		return;
	json_object_object_foreach(by, reason, n) {
		if (!json_object_get_int64(n))
			continue;
		printf("%s%s %lld", sep, reason, (long long)json_object_get_int64(n));
		sep = ", ";
	}
	if (*sep == ',')
		printf(")");
}

/* The pair, above the backends: the first thing to know when traffic moved. */
static void vrrp_summary(struct json_object *v)
{
	struct json_object *g;
	char since[32];

	since_str(jint(v, "in_state_ms"), since, sizeof(since));
	printf("vrrp %s vrid %lld on %s", jstr(v, "name"), (long long)jint(v, "vrid"),
	       jstr(v, "interface"));
	if (json_object_object_get_ex(v, "sync_group", &g) && json_object_get_string(g))
		printf(" (sync group %s)", json_object_get_string(g));
	printf(": %s for %s, priority %lld (effective %lld), master %s (priority %lld)\n",
	       jstr(v, "state"), since, (long long)jint(v, "priority"),
	       (long long)jint(v, "effective_priority"), jstr(v, "master"),
	       (long long)jint(v, "master_priority"));
	printf("  adverts sent %lld, received %lld, rejected %lld", (long long)jint(v, "adverts_sent"),
	       (long long)jint(v, "adverts_received"), (long long)jint(v, "adverts_rejected"));
	rejected_reasons(v);
	printf("; became master %lld times, backup %lld times\n\n",
	       (long long)jint(v, "to_master"), (long long)jint(v, "to_backup"));
}

/* ZooKeeper mode's election, above the backends as VRRP's is. */
static void zk_summary(struct json_object *v)
{
	char since[32];

	since_str(jint(v, "in_state_ms"), since, sizeof(since));
	printf("zookeeper %s at %s: %s for %s, master %s, session %s (timeout %lld ms), node %s\n",
	       jstr(v, "path"), jstr(v, "hosts"), jstr(v, "state"), since, jstr(v, "master"),
	       jstr(v, "session"), (long long)jint(v, "session_timeout_ms"), jstr(v, "node"));
	printf("  became master %lld times, backup %lld times; released cut off %lld; sessions "
	       "%lld (%lld expired), reconnects %lld\n\n",
	       (long long)jint(v, "to_master"), (long long)jint(v, "to_backup"),
	       (long long)jint(v, "released_cut_off"), (long long)jint(v, "sessions"),
	       (long long)jint(v, "expired"), (long long)jint(v, "disconnects"));
}

/* Flow sync: whether the standby holds the flows, and how complete the last bulk sync was. */
static void sync_summary(struct json_object *v)
{
	printf("sync: sent %lld datagrams (%lld records), received %lld (%lld flows and %lld "
	       "templates installed, %lld unknown), rejected %lld (%lld of another version), lost "
	       "%lld (seq gaps)\n",
	       (long long)jint(v, "sent_datagrams"), (long long)jint(v, "sent_flows"),
	       (long long)jint(v, "received_datagrams"), (long long)jint(v, "installed_flows"),
	       (long long)jint(v, "installed_templates"), (long long)jint(v, "unknown_flows"),
	       (long long)jint(v, "rejected_datagrams"), (long long)jint(v, "rejected_version"),
	       (long long)jint(v, "lost_datagrams"));
	printf("  bulk: sent %lld whole, %lld incomplete (%lld datagrams sent again); received "
	       "%lld whole, %lld incomplete; last: %lld of %lld flows in %lld ms\n\n",
	       (long long)jint(v, "bulk_sent"), (long long)jint(v, "bulk_sent_incomplete"),
	       (long long)jint(v, "bulk_retransmits"), (long long)jint(v, "bulk_received"),
	       (long long)jint(v, "bulk_incomplete"), (long long)jint(v, "bulk_last_flows"),
	       (long long)jint(v, "bulk_last_expected"), (long long)jint(v, "bulk_last_ms"));
}

/* The fleet's routes: which VIPs this node attracts traffic for, and why the others not. */
static void announce_summary(struct json_object *v)
{
	struct json_object *vips, *x;
	size_t i;

	printf("announce %s: table %lld (protocol %lld), %zu routes; added %lld, withdrawn %lld, "
	       "refused %lld\n", jstr(v, "mode"), (long long)jint(v, "table"),
	       (long long)jint(v, "protocol"),
	       json_object_object_get_ex(v, "routes", &x) ? json_object_array_length(x) : 0,
	       (long long)jint(v, "added"), (long long)jint(v, "withdrawn"),
	       (long long)jint(v, "failed"));
	if (!json_object_object_get_ex(v, "vips", &vips))
		return;
	for (i = 0; i < json_object_array_length(vips); i++) {
		struct json_object *vip = json_object_array_get_idx(vips, i);
		bool on = json_object_object_get_ex(vip, "announced", &x) &&
			  json_object_get_boolean(x);

		printf("  %s %s: %s (%s)\n", jstr(vip, "name"), jstr(vip, "address"),
		       on ? "announced" : "not announced", jstr(vip, "reason"));
	}
	printf("\n");
}

static int state_table(struct json_object *reply)
{
	static const struct xlb_table_col cols[] = {
		{ "VIP" },	   { "BACKEND" },	{ "WEIGHT", true }, { "STATE" },
		{ "SINCE", true }, { "CHECK" },		{ "LAST_CHECK" },   { "LATENCY", true },
		{ "CHECKS", true }, { "FAILED", true },
	};
	struct json_object *vips, *vip, *bes, *be, *x;
	struct xlb_table *t = xlb_table_new(cols, ARRAY_SIZE(cols));
	size_t i, k;
	int err;

	if (!t)
		return output_err(-ENOMEM);
	/* every instance; an xlbd from before instances has only "vrrp" */
	if (json_object_object_get_ex(reply, "vrrp_instances", &x))
		for (i = 0; i < json_object_array_length(x); i++)
			vrrp_summary(json_object_array_get_idx(x, i));
	else if (json_object_object_get_ex(reply, "vrrp", &x))
		vrrp_summary(x);
	if (json_object_object_get_ex(reply, "zookeeper", &x))
		zk_summary(x);
	if (json_object_object_get_ex(reply, "sync", &x))
		sync_summary(x);
	if (json_object_object_get_ex(reply, "announce", &x))
		announce_summary(x);
	if (json_object_object_get_ex(reply, "vips", &vips)) {
		for (i = 0; i < json_object_array_length(vips); i++) {
			vip = json_object_array_get_idx(vips, i);
			if (!json_object_object_get_ex(vip, "backends", &bes))
				continue;
			for (k = 0; k < json_object_array_length(bes); k++) {
				char since[32];

#define FIELD(o, key) (json_object_object_get_ex(o, key, &x) ? json_object_get_string(x) : "-")
				be = json_object_array_get_idx(bes, k);
				xlb_table_cell(t, "%s", FIELD(vip, "name"));
				xlb_table_cell(t, "%s%s", FIELD(be, "address"),
					       json_object_object_get_ex(be, "fallback", &x) &&
							       json_object_get_boolean(x) ?
						       " (fallback)" : "");
				xlb_table_cell(t, "%s", FIELD(be, "weight"));
				xlb_table_cell(t, "%s", FIELD(be, "state"));
				since_str(json_object_object_get_ex(be, "since_ms", &x) ?
						  json_object_get_int64(x) : 0,
					  since, sizeof(since));
				xlb_table_cell(t, "%s", since);
				xlb_table_cell(t, "%s", FIELD(be, "check"));
				xlb_table_cell(t, "%s", json_object_object_get_ex(be, "last_result", &x) &&
							       x ? json_object_get_string(x) : "-");
				if (json_object_object_get_ex(be, "latency_us", &x) &&
				    json_object_is_type(x, json_type_int))
					xlb_table_cell(t, "%.1fms", json_object_get_int64(x) / 1000.0);
				else
					xlb_table_cell(t, "-");
				xlb_table_cell(t, "%s", FIELD(be, "checks"));
				xlb_table_cell(t, "%s", FIELD(be, "failed"));
#undef FIELD
			}
		}
	}
	err = xlb_table_print(t, stdout);
	xlb_table_free(t);
	return err ? output_err(err) : 0;
}

/* xlbd's reply as it sent it, through the one serializer. */
static int reply_json(struct json_object *reply)
{
	struct xlb_json j;
	int err;

	xlb_json_init(&j, stdout);
	xlb_json_value(&j, reply);
	err = xlb_json_finish(&j);
	return err ? output_err(err) : 0;
}

static int do_state(const struct ctl_opts *o, int argc, char **argv)
{
	struct json_object *reply;
	char *req[] = { "state" };
	int err;

	(void)argc;
	(void)argv;
	err = xlb_agent_call(o->control, 1, req, &reply, 0);
	if (err)
		return err;
	if (o->json)
		err = reply_json(reply);
	else
		err = state_table(reply);
	json_object_put(reply);
	return err;
}

/* drain, enable, disable, reload: the request is the command line; the reply says what changed. */
static int do_request(const struct ctl_opts *o, int argc, char **argv)
{
	struct json_object *reply, *x;
	int err;

	/* argv[-1] is the command itself: main() hands over what follows it. */
	err = xlb_agent_call(o->control, argc + 1, argv - 1, &reply, 0);
	if (err)
		return err;
	if (o->json)
		err = reply_json(reply);
	else if (json_object_object_get_ex(reply, "changed", &x))
		printf("%s %s: %d backend(s) changed\n", argv[-1], argv[0], json_object_get_int(x));
	else if (json_object_object_get_ex(reply, "summary", &x))
		printf("%s: ok: %s\n", argv[-1], json_object_get_string(x));
	else
		printf("%s: ok\n", argv[-1]);
	json_object_put(reply);
	return err;
}

/* What a command needs: the exit status says which of them was missing. */
enum ctl_needs {
	NEEDS_NOTHING,
	NEEDS_MAPS,  /* the pinned maps, of an attached program unless --stale */
	NEEDS_AGENT, /* a running xlbd, through its control socket */
};

static int do_help(const struct ctl_opts *o, int argc, char **argv);

/*
 * One row per command: the dispatch, the arguments it takes, and its help, so that the global
 * list and `xlbctl CMD --help` are the same words. decap, master and import-keepalived parse
 * their own command lines (their own --help) and are not rows.
 */
static const struct ctl_cmd {
	const char *name;
	int (*fn)(const struct ctl_opts *o, int argc, char **argv);
	int min_args;
	int max_args;
	enum ctl_needs needs;
	bool conns_opts; /* takes --vip, --backend, --templates */
	const char *args;    /* the synopsis after the name */
	const char *summary; /* one line in `xlbctl --help` */
	const char *help;    /* `xlbctl CMD --help`: what it does and prints */
} cmds[] = {
	{ "vips", do_vips, 0, 0, NEEDS_MAPS, false, "",
	  "VIPs: scheduler, forwarding, backends, traffic",
	  "One row per VIP (per port and protocol): NAME VIP SCHED FWD BACKENDS PACKETS BYTES\n"
	  "NEW_FLOWS, counters summed over the interfaces read; BYTES in binary units (1.2 MiB).\n"
	  "--json: {\"vips\": [...]}, every count in full.\n" },
	{ "backends", do_backends, 0, 1, NEEDS_MAPS, false, "[VIP]",
	  "backends of every VIP, or of one",
	  "One row per backend of every VIP, or of the VIP given by name, ADDR, ADDR:PORT or\n"
	  "[ADDR6]:PORT (optionally /tcp, /udp): VIP ADDRESS WEIGHT MAC, xlbd's STATE SINCE\n"
	  "LAST_CHECK LATENCY ('-' when xlbd does not answer), the data path's DATAPATH and\n"
	  "PACKETS BYTES NEW_FLOWS ACTIVECONN INACTCONN (BYTES in binary units; --json: in\n"
	  "full). Exit 1 when no VIP matches.\n" },
	{ "stats", do_stats, 0, 1, NEEDS_MAPS, false, "[--rate [SECONDS]] [-Z]",
	  "packets per verdict reason, and connections in use",
	  "PACKETS and BYTES per verdict reason (every reason, zeros too), then the number of\n"
	  "connection entries in use.\n"
	  "      --rate [SECONDS] per-second rates instead, from two reads SECONDS apart (1;\n"
	  "                       0.1 to 60): PACKETS/S BYTES/S of each reason, and with\n"
	  "                       NEW_FLOWS/S of each VIP and each backend. --json: numbers,\n"
	  "                       {\"interval_s\", \"reasons\", \"vips\", \"backends\"}\n"
	  "  -Z, --zero           then zero the counters (vip_stats, backend_stats,\n"
	  "                       reason_stats of each interface read), as ipvsadm -Z\n" },
	{ "conns", do_conns, 0, 0, NEEDS_MAPS, true, "[--vip VIP] [--backend ADDR] [--templates]",
	  "the connection tables (conns of each interface, syns)",
	  "Each flow's client, VIP, backend, state and idle time, from every interface's conns\n"
	  "and the shared syns table.\n"
	  "      --vip VIP        only the flows to VIP (as `backends VIP` names one)\n"
	  "      --backend ADDR   only the flows to backend ADDR\n"
	  "      --templates      the persistence templates instead of the flows\n" },
	{ "lookup", do_conns, 3, 3, NEEDS_MAPS, false, "tcp|udp SRC:PORT DST:PORT",
	  "where that flow goes and why",
	  "Where a packet of that flow goes and why: its connection entry, its syns entry, a\n"
	  "persistence template, or the VIP's table.\n" },
	{ "state", do_state, 0, 0, NEEDS_AGENT, false, "",
	  "what xlbd thinks: each backend's health and checks",
	  "The failover state (VRRP or ZooKeeper, sync, announce) when configured, then one row\n"
	  "per backend: VIP BACKEND WEIGHT STATE SINCE CHECK LAST_CHECK LATENCY CHECKS FAILED.\n"
	  "--json: xlbd's reply as it sent it.\n" },
	{ "drain", do_request, 1, 2, NEEDS_AGENT, false, "BACKEND [VIPNAME]",
	  "no new flows to BACKEND; established ones stay",
	  "No new flows to BACKEND (of every VIP, or of VIPNAME); its established flows stay.\n"
	  "Prints how many backends changed. Survives reloads until `enable`.\n" },
	{ "disable", do_request, 1, 2, NEEDS_AGENT, false, "BACKEND [VIPNAME]",
	  "take BACKEND out; its flows move to live backends",
	  "Take BACKEND (of every VIP, or of VIPNAME) out: its flows move to live backends.\n"
	  "Prints how many backends changed. Survives reloads until `enable`.\n" },
	{ "enable", do_request, 1, 2, NEEDS_AGENT, false, "BACKEND [VIPNAME]",
	  "undo drain / disable",
	  "Undo `drain` or `disable` of BACKEND (of every VIP, or of VIPNAME). Prints how many\n"
	  "backends changed.\n" },
	{ "reload", do_request, 0, 0, NEEDS_AGENT, false, "",
	  "make xlbd re-read its config; refused if it is invalid",
	  "Make xlbd re-read its config file. An invalid one is refused (exit 1, xlbd's\n"
	  "file:line:col messages on stderr) and the running config stays.\n" },
	{ "help", do_help, 0, 0, NEEDS_NOTHING, false, "", "this text", "The global help.\n" },
};

static const char global_opts[] =
	"Options (before or after the command):\n"
	"  -c, --config FILE        xlbd's config: its control_socket\n"
	"      --pin-dir DIR        where xlbd pins its maps (default " XLB_PIN_ROOT ")\n"
	"  -i, --interface IFNAME   one interface only\n"
	"      --control PATH       xlbd's control socket (default: -c FILE's, else\n"
	"                           " XLB_CONTROL_SOCKET ")\n"
	"      --stale              show the maps even when no xlb program is attached\n"
	"      --json               one JSON object instead of a table; errors too, on stdout:\n"
	"                           {\"ok\":false,\"error\",\"errors\":[...],\"exit\":N}\n"
	"  -Z, --zero               zero the traffic counters (alone, or after stats)\n"
	"  -h, --help               this text, or after a command its own\n"
	"      --version            print the version\n";

static const char exit_status[] =
	"Exit status: 0 ok; 1 the maps could not be read, no such VIP, or xlbd refused;\n"
	"2 bad usage; 4 xlbd is not running (no socket, or nobody listening on it); 5 the\n"
	"maps are pinned but no xlb program is attached (a stopped xlbd: --stale shows them).\n";

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: xlbctl [OPTIONS] COMMAND [ARGS]\n"
		     "\n"
		     "Show what xlb's XDP data path holds and counts, from the maps xlbd pins under\n"
		     "DIR/<ifname>/, and ask xlbd through its control socket. Without -i, every\n"
		     "interface found there is shown, counters summed.\n"
		     "\n"
		     "Commands (xlbctl COMMAND --help for each):\n");
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		char syn[80];

		snprintf(syn, sizeof(syn), "%s%s%s", cmds[i].name, *cmds[i].args ? " " : "",
			 cmds[i].args);
		if (strlen(syn) <= 24)
			fprintf(out, "  %-24s %s\n", syn, cmds[i].summary);
		else
			fprintf(out, "  %s\n  %-24s %s\n", syn, "", cmds[i].summary);
	}
	fprintf(out,
		"  decap attach|detach|stats IFACE\n"
		"                           a backend's tunnel endpoint (xlbctl decap --help)\n"
		"  master --zookeeper HOSTS --path PATH [--watch] [--json]\n"
		"                           a zookeeper fleet's master (xlbctl master --help)\n"
		"  import-keepalived [--sync-peer ADDR[:PORT] --sync-key FILE] FILE\n"
		"                           a keepalived.conf as xlb YAML; exit 0, 3 when something\n"
		"                           was left out, 2 unparsable (import-keepalived -h)\n"
		"\n%s\n%s",
		global_opts, exit_status);
}

static void cmd_usage(const struct ctl_cmd *cmd, FILE *out)
{
	fprintf(out, "Usage: xlbctl [OPTIONS] %s%s%s\n\n%s\n%s\n%s", cmd->name,
		*cmd->args ? " " : "", cmd->args, cmd->help, global_opts, exit_status);
}

static int do_help(const struct ctl_opts *o, int argc, char **argv)
{
	(void)o;
	(void)argc;
	(void)argv;
	usage(stdout);
	return 0;
}

static const struct ctl_cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(name, cmds[i].name))
			return &cmds[i];
	return NULL;
}

/*
 * The command a bad command line was for, so its usage is the one shown: the first argument
 * that names one (getopt stops at the bad option, maybe before the command).
 */
static const struct ctl_cmd *cmd_in_argv(int argc, char **argv)
{
	const struct ctl_cmd *cmd = NULL;
	int i;

	for (i = 1; i < argc && !cmd; i++)
		cmd = find_cmd(argv[i]);
	return cmd;
}

static int usage_err(int argc, char **argv)
{
	const struct ctl_cmd *cmd = cmd_in_argv(argc, argv);

	if (cmd)
		cmd_usage(cmd, stderr);
	else
		usage(stderr);
	return CTL_EXIT_USAGE;
}

/* An interface name is one path component of the pin directory, and a real ifname. */
static bool ifname_ok(const char *s)
{
	return *s && strlen(s) < IF_NAMESIZE && !strchr(s, '/') && strcmp(s, ".") &&
	       strcmp(s, "..");
}

/* -c FILE: the control socket xlbd uses with it, unless --control named one. 0 or exit code. */
static int read_config(const char *path, struct ctl_opts *o, struct xlb_config *cfg)
{
	struct xlb_cfg_errors errs = {};
	int err;

	err = xlb_cfg_parse_file(path, cfg, &errs);
	if (err == -EINVAL) {
		xlb_cfg_errors_print(&errs, path, stderr);
		xlb_cfg_errors_free(&errs);
		return CTL_EXIT_USAGE;
	}
	xlb_cfg_errors_free(&errs);
	if (err) {
		xlb_cli_err("%s: %s", path, strerror(-err));
		return CTL_EXIT_USAGE;
	}
	if (!o->control)
		o->control = cfg->control_socket[0] ? cfg->control_socket : XLB_CONTROL_SOCKET;
	return 0;
}

enum {
	OPT_PIN_DIR = 256,
	OPT_JSON,
	OPT_CONTROL,
	OPT_VIP,
	OPT_BACKEND,
	OPT_TEMPLATES,
	OPT_STALE,
	OPT_VERSION,
	OPT_RATE,
};

static int ctl_main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "pin-dir", required_argument, NULL, OPT_PIN_DIR },
		{ "interface", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "control", required_argument, NULL, OPT_CONTROL },
		{ "vip", required_argument, NULL, OPT_VIP },
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "templates", no_argument, NULL, OPT_TEMPLATES },
		{ "stale", no_argument, NULL, OPT_STALE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "rate", optional_argument, NULL, OPT_RATE },
		{ "zero", no_argument, NULL, 'Z' },
		{},
	};
	struct ctl_opts o = { .pin_dir = XLB_PIN_ROOT };
	const struct ctl_cmd *cmd;
	struct xlb_config cfg = {};
	const char *cfg_path = NULL;
	bool help = false, rate = false;
	int c, err, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:hi:Z", long_opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cfg_path = optarg;
			break;
		case OPT_PIN_DIR:
			o.pin_dir = optarg;
			break;
		case 'i':
			if (!ifname_ok(optarg)) {
				xlb_cli_err("bad interface name '%s'", optarg);
				return CTL_EXIT_USAGE;
			}
			o.ifname = optarg;
			break;
		case OPT_JSON:
			o.json = true;
			/* From here on errors are JSON too; those before stay text. */
			xlb_cli_report_json(true);
			break;
		case OPT_CONTROL:
			o.control = optarg;
			break;
		case OPT_VIP:
			o.vip = optarg;
			break;
		case OPT_BACKEND:
			o.backend = optarg;
			break;
		case OPT_TEMPLATES:
			o.templates = true;
			break;
		case OPT_STALE:
			o.stale = true;
			break;
		case OPT_RATE:
			rate = true;
			o.rate_s = 1;
			if (optarg && !parse_rate(optarg, &o.rate_s))
				return usage_err(argc, argv);
			break;
		case 'Z':
			o.zero = true;
			break;
		case 'h':
			help = true;
			break;
		case OPT_VERSION:
			printf("xlbctl %s\n", XLB_VERSION);
			return CTL_EXIT_OK;
		case ':':
			xlb_cli_err("option '%s' needs a value", argv[optind - 1]);
			return usage_err(argc, argv);
		default:
			if (optopt > 0 && optopt < 256)
				xlb_cli_err("unknown option '-%c'", optopt);
			else
				xlb_cli_err("unknown option '%s'", argv[optind - 1]);
			return usage_err(argc, argv);
		}
	}
	cmd = optind < argc ? find_cmd(argv[optind]) : NULL;
	if (help) {
		if (cmd)
			cmd_usage(cmd, stdout);
		else
			usage(stdout);
		return CTL_EXIT_OK;
	}
	if (!*o.pin_dir) {
		xlb_cli_err("--pin-dir needs a directory");
		return CTL_EXIT_USAGE;
	}
	if (optind == argc && o.zero && !rate) {
		err = do_zero(&o);
		if (err)
			return err == -ENOLINK ? CTL_EXIT_DETACHED : CTL_EXIT_FAIL;
		return fflush(stdout) ? CTL_EXIT_FAIL : CTL_EXIT_OK;
	}
	if (optind == argc) {
		xlb_cli_err("no command given");
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (!cmd) {
		xlb_cli_err("unknown command '%s'", argv[optind]);
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	optind++;
	if (argc - optind > cmd->max_args || argc - optind < cmd->min_args) {
		xlb_cli_err("wrong number of arguments for '%s'", cmd->name);
		cmd_usage(cmd, stderr);
		return CTL_EXIT_USAGE;
	}
	if ((o.vip || o.backend || o.templates) && !cmd->conns_opts) {
		xlb_cli_err("--vip, --backend and --templates are options of 'conns'");
		cmd_usage(cmd, stderr);
		return CTL_EXIT_USAGE;
	}
	if ((rate || o.zero) && cmd->fn != do_stats) {
		xlb_cli_err("--rate and -Z are options of 'stats' (-Z also alone)");
		cmd_usage(cmd, stderr);
		return CTL_EXIT_USAGE;
	}
	/* stats --rate SECONDS: getopt leaves an optional argument given apart to the command. */
	if (cmd->fn == do_stats && argc - optind == 1 &&
	    (!rate || !parse_rate(argv[optind++], &o.rate_s))) {
		if (!rate)
			xlb_cli_err("wrong number of arguments for '%s'", cmd->name);
		cmd_usage(cmd, stderr);
		return CTL_EXIT_USAGE;
	}
	if (cfg_path) {
		ret = read_config(cfg_path, &o, &cfg);
		if (ret)
			return ret;
	}
	if (!o.control)
		o.control = XLB_CONTROL_SOCKET;

	err = cmd->fn(&o, argc - optind, argv + optind);
	xlb_cfg_free(&cfg);
	if (err == -ESRCH && cmd->needs == NEEDS_AGENT)
		return CTL_EXIT_NOT_RUNNING;
	if (err == -ENOLINK && cmd->needs == NEEDS_MAPS)
		return CTL_EXIT_DETACHED;
	if (err)
		return CTL_EXIT_FAIL;
	if (fflush(stdout) || ferror(stdout)) {
		xlb_cli_err("cannot write the output: %s", strerror(errno ? errno : EIO));
		return CTL_EXIT_FAIL;
	}
	return CTL_EXIT_OK;
}

int main(int argc, char **argv)
{
	/* decap works on a backend, where no xlbd pins maps: its own options, none of these. */
	if (argc > 1 && !strcmp(argv[1], "decap"))
		return xlb_decap_main(argc - 1, argv + 1);
	/* Asks ZooKeeper, not xlbd: the fleet's master as its clients see it. */
	if (argc > 1 && !strcmp(argv[1], "master"))
		return xlb_master_main(argc - 1, argv + 1);
	/* Reads a file, talks to no xlbd: its exit codes are its own (import/import.h). */
	if (argc > 1 && !strcmp(argv[1], "import-keepalived"))
		return xlb_import_main(argc - 1, argv + 1, &xlb_import_host_env, stdout, stderr);
	xlb_cli_report_init("xlbctl", false);
	return xlb_cli_exit(ctl_main(argc, argv));
}
