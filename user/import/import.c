// SPDX-License-Identifier: GPL-2.0-only
/* The file's top level, global_defs and virtual servers; vrrp.c and sync.c write failover. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import/im.h"
#include "import/yaml_out.h"

void xlb_im_warn(struct xlb_im *m, const struct xlb_kc_node *n, const char *fmt, ...)
{
	va_list ap;

	fprintf(m->err, "%s:%d: keepalived %s: ", n->file, n->line, n->words[0]);
	va_start(ap, fmt);
	vfprintf(m->err, fmt, ap);
	va_end(ap);
	fputc('\n', m->err);
	m->warned = 1;
}

const struct xlb_kc_node *xlb_im_child(const struct xlb_kc_node *n, const char *kw)
{
	int i;

	for (i = 0; n && i < n->nkids; i++)
		if (im_is(&n->kids[i], kw))
			return &n->kids[i];
	return NULL;
}

void xlb_im_iface(struct xlb_im *m, const char *name, const char *why)
{
	int i;

	for (i = 0; i < m->nifaces; i++)
		if (!strcmp(m->ifaces[i], name))
			return;
	if (m->nifaces == XLB_IM_MAX_IFACES)
		return;
	snprintf(m->ifaces[m->nifaces], sizeof(m->ifaces[0]), "%s", name);
	snprintf(m->ifwhy[m->nifaces++], sizeof(m->ifwhy[0]), "%s", why);
}

void xlb_im_secs(char *buf, size_t len, const char *s)
{
	double v = strtod(s, NULL);

	if (v == (long)v)
		snprintf(buf, len, "%lds", (long)v);
	else
		snprintf(buf, len, "%ldms", (long)(v * 1000 + 0.5));
}

static double im_num(const char *s, double def)
{
	char *end;
	double v;

	if (!*s)
		return def;
	v = strtod(s, &end);
	return *end ? def : v;
}

/* ---- real servers and their checks ---- */

struct im_hc {
	const char *type;
	double timeout, interval;
	int fall, port;
	const char *path, *command;
	int status;
	char pathbuf[256];
};

/* xlb's http path is printable ASCII without blanks: what a client would send anyway. */
static void im_pct(char *s, size_t len)
{
	char out[256];
	const char *c;
	size_t o = 0;

	for (c = s; *c && o + 4 < sizeof(out); c++) {
		if (*c > ' ' && *c < 0x7f)
			out[o++] = *c;
		else
			o += snprintf(out + o, sizeof(out) - o, "%%%02X", (unsigned char)*c);
	}
	out[o] = 0;
	snprintf(s, len, "%s", out);
}

static void im_check(struct xlb_im *m, const struct xlb_kc_node *c, struct im_hc *hc)
{
	int i, retry = 1;

	if (im_is(c, "TCP_CHECK")) {
		hc->type = "tcp";
	} else if (im_is(c, "HTTP_GET")) {
		hc->type = "http";
	} else if (im_is(c, "SSL_GET")) {
		hc->type = "tcp";
		xlb_im_warn(m, c, "xlb has no TLS check: mapped to a tcp connect to the same port");
	} else if (im_is(c, "MISC_CHECK")) {
		hc->type = "exec";
		hc->timeout = 5; /* keepalived's misc_timeout default is delay_loop; xlb needs < */
	} else {
		xlb_im_warn(m, c, "no such check in xlb: left out (the backend is checked by tcp)");
		return;
	}
	for (i = 0; i < c->nkids; i++) {
		const struct xlb_kc_node *k = &c->kids[i];

		if (im_is(k, "connect_timeout") || im_is(k, "misc_timeout")) {
			hc->timeout = im_num(im_arg(k, 1), hc->timeout);
		} else if (im_is(k, "connect_port")) {
			hc->port = atoi(im_arg(k, 1));
		} else if (im_is(k, "retry") || im_is(k, "nb_get_retry")) {
			retry = atoi(im_arg(k, 1));
		} else if (im_is(k, "delay_before_retry")) {
			xlb_im_warn(m, k, "xlb retries at the check's interval: left out (a down backend "
				    "is found after fall x interval, not after delay_before_retry)");
		} else if (im_is(k, "delay_loop")) {
			hc->interval = im_num(im_arg(k, 1), hc->interval);
		} else if (im_is(k, "url")) {
			const struct xlb_kc_node *u;

			if (hc->path) {
				xlb_im_warn(m, k, "xlb checks one path: only the first url is kept");
				continue;
			}
			u = xlb_im_child(k, "path");
			snprintf(hc->pathbuf, sizeof(hc->pathbuf), "%s", u ? im_arg(u, 1) : "/");
			im_pct(hc->pathbuf, sizeof(hc->pathbuf));
			hc->path = hc->pathbuf;
			u = xlb_im_child(k, "status_code");
			hc->status = u ? atoi(im_arg(u, 1)) : 0;
			if ((u = xlb_im_child(k, "digest")))
				xlb_im_warn(m, u, "xlb checks the status and a body substring, not an MD5 "
					    "digest: left out");
		} else if (im_is(k, "misc_path")) {
			hc->command = im_arg(k, 1);
		} else if (im_is(k, "misc_dynamic")) {
			xlb_im_warn(m, k, "xlb takes exit 0 as up, anything else down; no weight "
				    "changes from the exit code: left out");
		} else {
			xlb_im_warn(m, k, "unknown check keyword: left out");
		}
	}
	/* keepalived takes a server down after the first failure and `retry` more. */
	hc->fall = retry + 1;
	if (im_is(c, "SSL_GET"))
		hc->path = NULL, hc->status = 0;
}

static void im_backend(struct xlb_im *m, FILE *o, const struct xlb_kc_node *rs, const char *kind,
		       const char *vport, double delay_loop, int route)
{
	struct im_hc hc = { .timeout = 5, .interval = delay_loop };
	char buf[32];
	int i, weight = 1, nchecks = 0;

	fprintf(o, "      - address: ");
	xlb_yo_scalar(o, im_arg(rs, 1));
	fputc('\n', o);
	if (!strcmp(kind, "nat"))
		fprintf(o, "        port: %s\n", im_arg(rs, 2));
	else if (strcmp(im_arg(rs, 2), vport))
		xlb_im_warn(m, rs, "port %s differs from the virtual server's %s: %s keeps the "
			    "destination port, left out", im_arg(rs, 2), vport, kind);
	for (i = 0; i < rs->nkids; i++) {
		const struct xlb_kc_node *k = &rs->kids[i];

		if (im_is(k, "weight")) {
			weight = atoi(im_arg(k, 1));
		} else if (im_is(k, "inhibit_on_failure")) {
			xlb_im_warn(m, k, "xlb takes a failed backend out of the table (its flows move) "
				    "instead of setting its weight to 0");
		} else if (strstr(k->words[0], "_CHECK") || strstr(k->words[0], "_GET")) {
			if (nchecks++) {
				xlb_im_warn(m, k, "xlb runs one check per backend: left out");
				continue;
			}
			im_check(m, k, &hc);
		} else {
			xlb_im_warn(m, k, "unknown real_server keyword: left out");
		}
	}
	fprintf(o, "        weight: %d\n", weight);
	if (m->env->route_ifname) {
		char ifn[64], why[96];

		if (!route && !m->tun_if[0] &&
		    !m->env->route_ifname(m->env->ctx, im_arg(rs, 1), ifn, sizeof(ifn)))
			snprintf(m->tun_if, sizeof(m->tun_if), "%s", ifn);
		else if (route && !m->env->route_ifname(m->env->ctx, im_arg(rs, 1), ifn, sizeof(ifn))) {
			snprintf(why, sizeof(why), "routes %s", im_arg(rs, 1));
			xlb_im_iface(m, ifn, why);
		}
	}
	if (!nchecks)
		hc.type = "none";
	fprintf(o, "        health:\n          type: %s\n", hc.type);
	if (!nchecks)
		return;
	if (hc.timeout >= hc.interval) {
		xlb_im_warn(m, rs, "check timeout %gs is not below delay_loop %gs as xlb needs: "
			    "timeout set to half of it", hc.timeout, hc.interval);
		hc.timeout = hc.interval / 2;
	}
	snprintf(buf, sizeof(buf), "%g", hc.interval);
	xlb_im_secs(buf, sizeof(buf), buf);
	fprintf(o, "          interval: %s\n", buf);
	snprintf(buf, sizeof(buf), "%g", hc.timeout);
	xlb_im_secs(buf, sizeof(buf), buf);
	fprintf(o, "          timeout: %s\n", buf);
	fprintf(o, "          rise: 1\n          fall: %d\n", hc.fall > 100 ? 100 : hc.fall);
	if (hc.port)
		fprintf(o, "          port: %d\n", hc.port);
	if (hc.path)
		xlb_yo_kv(o, 10, "path", hc.path);
	if (hc.status)
		fprintf(o, "          expect_status: %d\n", hc.status);
	if (hc.command)
		xlb_yo_kv(o, 10, "command", hc.command);
}

static const char *im_sched(struct xlb_im *m, const struct xlb_kc_node *n)
{
	static const char *const ok[] = { "rr", "wrr", "lc", "wlc", "sh", "mh" };
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcasecmp(im_arg(n, 1), ok[i]))
			return ok[i];
	/* A consistent hash serves a pair best: both boxes pick the same backend. */
	xlb_im_warn(m, n, "xlb has no '%s': mapped to maglev (consistent hashing)", im_arg(n, 1));
	return "maglev";
}

static void im_vs(struct xlb_im *m, FILE *o, const struct xlb_kc_node *vs)
{
	const char *kind = "nat", *proto = "tcp", *sched = "wlc";
	double delay_loop = 60;
	int i;

	/* keepalived's defaults: lb_kind NAT, lb_algo wlc, protocol TCP, delay_loop 60. */
	for (i = 0; i < vs->nkids; i++) {
		const struct xlb_kc_node *k = &vs->kids[i];

		if (im_is(k, "lb_kind")) {
			kind = !strcasecmp(im_arg(k, 1), "DR") ? "dr" :
			       !strcasecmp(im_arg(k, 1), "TUN") ? "tun" : "nat";
		} else if (im_is(k, "protocol")) {
			if (!strcasecmp(im_arg(k, 1), "UDP"))
				proto = "udp";
			else if (strcasecmp(im_arg(k, 1), "TCP"))
				xlb_im_warn(m, k, "xlb balances tcp and udp: taken as tcp");
		} else if (im_is(k, "lb_algo")) {
			sched = im_sched(m, k);
		} else if (im_is(k, "delay_loop")) {
			delay_loop = im_num(im_arg(k, 1), 60);
		}
	}
	fprintf(o, "  - address: ");
	xlb_yo_scalar(o, im_arg(vs, 1));
	fprintf(o, "\n    port: %d\n    protocol: %s\n    scheduler: %s\n    forwarding: %s\n",
		atoi(im_arg(vs, 2)), proto, sched, kind);
	for (i = 0; i < vs->nkids; i++) {
		const struct xlb_kc_node *k = &vs->kids[i];
		char buf[32];

		if (im_is(k, "persistence_timeout")) {
			xlb_im_secs(buf, sizeof(buf), im_arg(k, 1));
			fprintf(o, "    persistence_timeout: %s\n", buf);
		} else if (im_is(k, "persistence_granularity")) {
			xlb_im_warn(m, k, "xlb's persistence is per client address: left out");
		} else if (im_is(k, "sorry_server")) {
			fprintf(o, "    fallback: ");
			xlb_yo_scalar(o, im_arg(k, 1));
			fputc('\n', o);
			if (k->nwords > 2 && strcmp(im_arg(k, 2), im_arg(vs, 2)))
				xlb_im_warn(m, k, "xlb's fallback keeps the destination port: port %s "
					    "left out", im_arg(k, 2));
		} else if (!im_is(k, "lb_kind") && !im_is(k, "protocol") && !im_is(k, "lb_algo") &&
			   !im_is(k, "delay_loop") && !im_is(k, "real_server")) {
			xlb_im_warn(m, k, "unknown virtual_server keyword: left out");
		}
	}
	fprintf(o, "    backends:\n");
	for (i = 0; i < vs->nkids; i++)
		if (im_is(&vs->kids[i], "real_server"))
			im_backend(m, o, &vs->kids[i], kind, im_arg(vs, 2), delay_loop,
				   strcmp(kind, "tun"));
}

/* ---- global_defs ---- */

static void im_global(struct xlb_im *m)
{
	int i;

	for (i = 0; m->global && i < m->global->nkids; i++) {
		const struct xlb_kc_node *k = &m->global->kids[i];

		if (im_is(k, "vrrp_version") || im_is(k, "lvs_sync_daemon"))
			continue;
		if (im_is(k, "router_id"))
			xlb_im_warn(m, k, "xlb names no router: left out");
		else if (!strncmp(k->words[0], "notification_email", 18) ||
			 !strncmp(k->words[0], "smtp_", 5))
			xlb_im_warn(m, k, "xlb sends no mail (use notify): left out");
		else if (im_is(k, "script_user") || im_is(k, "enable_script_security"))
			xlb_im_warn(m, k, "xlb runs notify and exec checks as xlbd's own user: left out");
		else
			xlb_im_warn(m, k, "unknown global_defs keyword: left out");
	}
}

/* The file's vrrp_instance and vrrp_sync_group blocks, for vrrp.c and sync.c. */
static void im_collect(struct xlb_im *m, const struct xlb_kc_node *root)
{
	int i;

	for (i = 0; i < root->nkids; i++) {
		const struct xlb_kc_node *k = &root->kids[i];

		if (im_is(k, "global_defs"))
			m->global = k;
		else if (im_is(k, "vrrp_instance") && m->ninst < XLB_IM_MAX_INST)
			m->inst[m->ninst++] = k;
		else if (im_is(k, "vrrp_sync_group") && m->ngroup < XLB_IM_MAX_INST)
			m->group[m->ngroup++] = k;
		else if (im_is(k, "vrrp_instance") || im_is(k, "vrrp_sync_group"))
			xlb_im_warn(m, k, "xlb takes %d at the most: left out", XLB_IM_MAX_INST);
	}
}

static int im_group_notify(const struct xlb_kc_node *k)
{
	return xlb_im_child(k, "notify_master") || xlb_im_child(k, "notify_backup") ||
	       xlb_im_child(k, "notify_fault") || xlb_im_child(k, "notify");
}

int xlb_import_keepalived(const char *path, const struct xlb_import_env *env,
			  const struct xlb_import_opts *opts, FILE *out, FILE *err)
{
	struct xlb_im m = { .env = env, .opts = opts, .path = path, .err = err };
	struct xlb_kc_tree t;
	char *body = NULL;
	size_t blen = 0;
	FILE *o;
	int i, nvs = 0;

	if (xlb_kc_parse(path, &t, err))
		return XLB_IMPORT_PARSE;
	o = open_memstream(&body, &blen);
	if (!o) {
		xlb_kc_free(&t);
		return XLB_IMPORT_PARSE;
	}
	im_collect(&m, &t.root);
	im_global(&m);
	fprintf(o, "vips:\n");
	for (i = 0; i < t.root.nkids; i++) {
		const struct xlb_kc_node *k = &t.root.kids[i];

		if (im_is(k, "virtual_server") && !strcasecmp(im_arg(k, 1), "fwmark"))
			xlb_im_warn(&m, k, "XDP runs before netfilter and cannot see marks: fwmark %s "
				    "left out", im_arg(k, 2));
		else if (im_is(k, "virtual_server") && !strcasecmp(im_arg(k, 1), "group"))
			xlb_im_warn(&m, k, "virtual_server_group is not mapped: left out; list each "
				    "address as a VIP");
		else if (im_is(k, "virtual_server") && ++nvs)
			im_vs(&m, o, k);
		else if (im_is(k, "vrrp_script"))
			xlb_im_warn(&m, k, "xlb has no track scripts: left out");
		else if (im_is(k, "vrrp_sync_group") && im_group_notify(k))
			xlb_im_warn(&m, k, "the group's notify scripts are left out (use the instance's)");
		else if (!im_is(k, "global_defs") && !im_is(k, "vrrp_instance") &&
			 !im_is(k, "vrrp_sync_group") && !im_is(k, "virtual_server_group"))
			xlb_im_warn(&m, k, "unknown keyword: left out");
	}
	if (!nvs)
		fprintf(o, "  []\n");
	xlb_im_vrrp(&m, o, &t.root);
	xlb_im_sync(&m, o);
	if (m.tun_if[0]) {
		char a[64];

		if (m.env->iface_ipv4 && !m.env->iface_ipv4(m.env->ctx, m.tun_if, a, sizeof(a)))
			fprintf(o, "tunnel:\n  source: %s   # %s's IPv4 address on this machine, where "
				"the tun backends are routed\n", a, m.tun_if);
	}
	fclose(o);
	fprintf(out, "# Imported from %s by xlbctl import-keepalived.\ninterfaces:\n", path);
	for (i = 0; i < m.nifaces; i++)
		fprintf(out, "  - name: %s   # %s (from this machine)\n", m.ifaces[i], m.ifwhy[i]);
	if (!m.nifaces)
		fprintf(out, "  - name: eth0   # no interface found: edit\n");
	fputs(body, out);
	free(body);
	xlb_kc_free(&t);
	return m.warned ? XLB_IMPORT_PARTIAL : XLB_IMPORT_OK;
}
