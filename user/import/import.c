// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import/import.h"
#include "import/kconf.h"
#include "import/yaml_out.h"

#define IM_MAX_IFACES 8
#define IM_MAX_INST 16

struct im {
	const struct xlb_import_env *env;
	FILE *err;
	int warned;
	const struct xlb_kc_node *global;
	const struct xlb_kc_node *inst[IM_MAX_INST];
	int ninst;
	const struct xlb_kc_node *group[IM_MAX_INST];
	int ngroup;
	char ifaces[IM_MAX_IFACES][64];
	char ifwhy[IM_MAX_IFACES][96];
	int nifaces;
	char tun_if[64];
};

static void im_warn(struct im *m, const struct xlb_kc_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void im_warn(struct im *m, const struct xlb_kc_node *n, const char *fmt, ...)
{
	va_list ap;

	fprintf(m->err, "%s:%d: keepalived %s: ", n->file, n->line, n->words[0]);
	va_start(ap, fmt);
	vfprintf(m->err, fmt, ap);
	va_end(ap);
	fputc('\n', m->err);
	m->warned = 1;
}

static const char *arg(const struct xlb_kc_node *n, int i)
{
	return i < n->nwords ? n->words[i] : "";
}

static int is(const struct xlb_kc_node *n, const char *kw)
{
	return !strcasecmp(n->words[0], kw);
}

static const struct xlb_kc_node *child(const struct xlb_kc_node *n, const char *kw)
{
	int i;

	for (i = 0; n && i < n->nkids; i++)
		if (is(&n->kids[i], kw))
			return &n->kids[i];
	return NULL;
}

static void im_iface(struct im *m, const char *name, const char *why)
{
	int i;

	for (i = 0; i < m->nifaces; i++)
		if (!strcmp(m->ifaces[i], name))
			return;
	if (m->nifaces == IM_MAX_IFACES)
		return;
	snprintf(m->ifaces[m->nifaces], sizeof(m->ifaces[0]), "%s", name);
	snprintf(m->ifwhy[m->nifaces++], sizeof(m->ifwhy[0]), "%s", why);
}

/* keepalived durations are seconds, maybe fractional: "1" -> "1s", "0.5" -> "500ms". */
static void im_secs(char *buf, size_t len, const char *s)
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

static void im_check(struct im *m, const struct xlb_kc_node *c, struct im_hc *hc)
{
	int i, retry = 1;

	if (is(c, "TCP_CHECK")) {
		hc->type = "tcp";
	} else if (is(c, "HTTP_GET")) {
		hc->type = "http";
	} else if (is(c, "SSL_GET")) {
		hc->type = "tcp";
		im_warn(m, c, "xlb has no TLS check: mapped to a tcp connect to the same port");
	} else if (is(c, "MISC_CHECK")) {
		hc->type = "exec";
		hc->timeout = 5; /* keepalived's misc_timeout default is delay_loop; xlb needs < */
	} else {
		im_warn(m, c, "no such check in xlb: left out (the backend is checked by tcp)");
		return;
	}
	for (i = 0; i < c->nkids; i++) {
		const struct xlb_kc_node *k = &c->kids[i];

		if (is(k, "connect_timeout") || is(k, "misc_timeout")) {
			hc->timeout = im_num(arg(k, 1), hc->timeout);
		} else if (is(k, "connect_port")) {
			hc->port = atoi(arg(k, 1));
		} else if (is(k, "retry") || is(k, "nb_get_retry")) {
			retry = atoi(arg(k, 1));
		} else if (is(k, "delay_before_retry")) {
			im_warn(m, k, "xlb retries at the check's interval: left out (a down backend "
				"is found after fall x interval, not after delay_before_retry)");
		} else if (is(k, "delay_loop")) {
			hc->interval = im_num(arg(k, 1), hc->interval);
		} else if (is(k, "url")) {
			const struct xlb_kc_node *u;

			if (hc->path) {
				im_warn(m, k, "xlb checks one path: only the first url is kept");
				continue;
			}
			u = child(k, "path");
			snprintf(hc->pathbuf, sizeof(hc->pathbuf), "%s", u ? arg(u, 1) : "/");
			im_pct(hc->pathbuf, sizeof(hc->pathbuf));
			hc->path = hc->pathbuf;
			u = child(k, "status_code");
			hc->status = u ? atoi(arg(u, 1)) : 0;
			if ((u = child(k, "digest")))
				im_warn(m, u, "xlb checks the status and a body substring, not an MD5 "
					"digest: left out");
		} else if (is(k, "misc_path")) {
			hc->command = arg(k, 1);
		} else if (is(k, "misc_dynamic")) {
			im_warn(m, k, "xlb takes exit 0 as up, anything else down; no weight "
				"changes from the exit code: left out");
		} else {
			im_warn(m, k, "unknown check keyword: left out");
		}
	}
	/* keepalived takes a server down after the first failure and `retry` more. */
	hc->fall = retry + 1;
	if (is(c, "SSL_GET"))
		hc->path = NULL, hc->status = 0;
}

static void im_backend(struct im *m, FILE *o, const struct xlb_kc_node *rs, const char *kind,
		       const char *vport, double delay_loop, int route)
{
	struct im_hc hc = { .timeout = 5, .interval = delay_loop };
	char buf[32];
	int i, weight = 1, nchecks = 0;

	fprintf(o, "      - address: ");
	xlb_yo_scalar(o, arg(rs, 1));
	fputc('\n', o);
	if (!strcmp(kind, "nat"))
		fprintf(o, "        port: %s\n", arg(rs, 2));
	else if (strcmp(arg(rs, 2), vport))
		im_warn(m, rs, "port %s differs from the virtual server's %s: %s keeps the "
			"destination port, left out", arg(rs, 2), vport, kind);
	for (i = 0; i < rs->nkids; i++) {
		const struct xlb_kc_node *k = &rs->kids[i];

		if (is(k, "weight")) {
			weight = atoi(arg(k, 1));
		} else if (is(k, "inhibit_on_failure")) {
			im_warn(m, k, "xlb takes a failed backend out of the table (its flows move) "
				"instead of setting its weight to 0");
		} else if (strstr(k->words[0], "_CHECK") || strstr(k->words[0], "_GET")) {
			if (nchecks++) {
				im_warn(m, k, "xlb runs one check per backend: left out");
				continue;
			}
			im_check(m, k, &hc);
		} else {
			im_warn(m, k, "unknown real_server keyword: left out");
		}
	}
	fprintf(o, "        weight: %d\n", weight);
	if (m->env->route_ifname) {
		char ifn[64], why[96];

		if (!route && !m->tun_if[0] &&
		    !m->env->route_ifname(m->env->ctx, arg(rs, 1), ifn, sizeof(ifn)))
			snprintf(m->tun_if, sizeof(m->tun_if), "%s", ifn);
		else if (route && !m->env->route_ifname(m->env->ctx, arg(rs, 1), ifn, sizeof(ifn))) {
			snprintf(why, sizeof(why), "routes %s", arg(rs, 1));
			im_iface(m, ifn, why);
		}
	}
	if (!nchecks)
		hc.type = "none";
	fprintf(o, "        health:\n          type: %s\n", hc.type);
	if (!nchecks)
		return;
	if (hc.timeout >= hc.interval) {
		im_warn(m, rs, "check timeout %gs is not below delay_loop %gs as xlb needs: "
			"timeout set to half of it", hc.timeout, hc.interval);
		hc.timeout = hc.interval / 2;
	}
	snprintf(buf, sizeof(buf), "%g", hc.interval);
	im_secs(buf, sizeof(buf), buf);
	fprintf(o, "          interval: %s\n", buf);
	snprintf(buf, sizeof(buf), "%g", hc.timeout);
	im_secs(buf, sizeof(buf), buf);
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

static const char *im_sched(struct im *m, const struct xlb_kc_node *n)
{
	static const char *const ok[] = { "rr", "wrr", "lc", "wlc", "sh", "mh" };
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcasecmp(arg(n, 1), ok[i]))
			return ok[i];
	/* A consistent hash serves a pair best: both boxes pick the same backend. */
	im_warn(m, n, "xlb has no '%s': mapped to maglev (consistent hashing)", arg(n, 1));
	return "maglev";
}

static void im_vs(struct im *m, FILE *o, const struct xlb_kc_node *vs)
{
	const char *kind = "nat", *proto = "tcp", *sched = "wlc";
	double delay_loop = 60;
	int i;

	/* keepalived's defaults: lb_kind NAT, lb_algo wlc, protocol TCP, delay_loop 60. */
	for (i = 0; i < vs->nkids; i++) {
		const struct xlb_kc_node *k = &vs->kids[i];

		if (is(k, "lb_kind")) {
			kind = !strcasecmp(arg(k, 1), "DR") ? "dr" :
			       !strcasecmp(arg(k, 1), "TUN") ? "tun" : "nat";
		} else if (is(k, "protocol")) {
			if (!strcasecmp(arg(k, 1), "UDP"))
				proto = "udp";
			else if (strcasecmp(arg(k, 1), "TCP"))
				im_warn(m, k, "xlb balances tcp and udp: taken as tcp");
		} else if (is(k, "lb_algo")) {
			sched = im_sched(m, k);
		} else if (is(k, "delay_loop")) {
			delay_loop = im_num(arg(k, 1), 60);
		}
	}
	fprintf(o, "  - address: ");
	xlb_yo_scalar(o, arg(vs, 1));
	fprintf(o, "\n    port: %d\n    protocol: %s\n    scheduler: %s\n    forwarding: %s\n",
		atoi(arg(vs, 2)), proto, sched, kind);
	for (i = 0; i < vs->nkids; i++) {
		const struct xlb_kc_node *k = &vs->kids[i];
		char buf[32];

		if (is(k, "persistence_timeout")) {
			im_secs(buf, sizeof(buf), arg(k, 1));
			fprintf(o, "    persistence_timeout: %s\n", buf);
		} else if (is(k, "persistence_granularity")) {
			im_warn(m, k, "xlb's persistence is per client address: left out");
		} else if (is(k, "sorry_server")) {
			fprintf(o, "    fallback: ");
			xlb_yo_scalar(o, arg(k, 1));
			fputc('\n', o);
			if (k->nwords > 2 && strcmp(arg(k, 2), arg(vs, 2)))
				im_warn(m, k, "xlb's fallback keeps the destination port: port %s "
					"left out", arg(k, 2));
		} else if (!is(k, "lb_kind") && !is(k, "protocol") && !is(k, "lb_algo") &&
			   !is(k, "delay_loop") && !is(k, "real_server")) {
			im_warn(m, k, "unknown virtual_server keyword: left out");
		}
	}
	fprintf(o, "    backends:\n");
	for (i = 0; i < vs->nkids; i++)
		if (is(&vs->kids[i], "real_server"))
			im_backend(m, o, &vs->kids[i], kind, arg(vs, 2), delay_loop,
				   strcmp(kind, "tun"));
}

/* ---- VRRP ---- */

static void im_vaddrs(struct im *m, FILE *o, const struct xlb_kc_node *blk, const char *dev,
		      int *v6)
{
	int i, j;

	for (i = 0; blk && i < blk->nkids; i++) {
		const struct xlb_kc_node *a = &blk->kids[i];
		int is6 = !!strchr(a->words[0], ':');
		char buf[160];
		const char *d = dev;

		if (*v6 < 0)
			*v6 = is6;
		if (*v6 != is6) {
			im_warn(m, a, "xlb's VRRP runs one family per virtual router: left out");
			continue;
		}
		for (j = 1; j + 1 < a->nwords; j += 2) {
			if (!strcmp(a->words[j], "dev"))
				d = a->words[j + 1];
			else
				im_warn(m, a, "'%s %s' has no xlb equivalent: left out",
					a->words[j], a->words[j + 1]);
		}
		snprintf(buf, sizeof(buf), "%s%s%s%s", a->words[0],
			 strchr(a->words[0], '/') ? "" : (strchr(a->words[0], ':') ? "/128" : "/32"),
			 d ? " dev " : "", d ? d : "");
		fprintf(o, "      - ");
		xlb_yo_scalar(o, buf);
		fputc('\n', o);
	}
}

static int im_has_addr(const struct xlb_kc_node *inst, const char *addr)
{
	const struct xlb_kc_node *v = child(inst, "virtual_ipaddress");
	size_t len = strlen(addr);
	int i;

	for (i = 0; v && i < v->nkids; i++)
		if (!strncmp(v->kids[i].words[0], addr, len) &&
		    (!v->kids[i].words[0][len] || v->kids[i].words[0][len] == '/'))
			return 1;
	return 0;
}

static const struct xlb_kc_node *im_group_of(struct im *m, const char *name)
{
	const struct xlb_kc_node *g;
	int i, j;

	for (i = 0; i < m->ngroup; i++) {
		g = child(m->group[i], "group");
		for (j = 0; g && j < g->nkids; j++)
			if (!strcmp(g->kids[j].words[0], name))
				return m->group[i];
	}
	return NULL;
}

/*
 * xlb runs one VRRP instance: the first one (or the one holding a virtual server's address)
 * becomes failover.vrrp; its sync group's other members ride along as "ADDR dev IF"; the rest
 * is left out. The one place to change when xlb gains several instances.
 */
static const struct xlb_kc_node *im_pick_instance(struct im *m, const struct xlb_kc_node *root,
						  const struct xlb_kc_node **ride, int *nride)
{
	const struct xlb_kc_node *pick = m->ninst ? m->inst[0] : NULL, *grp, *g;
	int i, j, k;

	for (i = 0; i < root->nkids; i++)
		if (is(&root->kids[i], "virtual_server"))
			for (j = 0; j < m->ninst; j++)
				if (im_has_addr(m->inst[j], arg(&root->kids[i], 1))) {
					pick = m->inst[j];
					goto found;
				}
found:
	*nride = 0;
	if (!pick)
		return NULL;
	grp = im_group_of(m, arg(pick, 1));
	g = grp ? child(grp, "group") : NULL;
	for (i = 0; i < m->ninst; i++) {
		if (m->inst[i] == pick)
			continue;
		for (k = 0; g && k < g->nkids; k++)
			if (!strcmp(g->kids[k].words[0], arg(m->inst[i], 1)))
				break;
		if (g && k < g->nkids) {
			ride[(*nride)++] = m->inst[i];
			im_warn(m, m->inst[i], "%s merged into %s: xlb runs one instance, so its "
				"addresses follow %s's VRID and adverts", arg(m->inst[i], 1),
				arg(pick, 1), arg(pick, 1));
		} else {
			im_warn(m, m->inst[i], "%s left out: xlb runs one VRRP instance (%s)",
				arg(m->inst[i], 1), arg(pick, 1));
		}
	}
	return pick;
}

static void im_notify(struct im *m, FILE *o, const struct xlb_kc_node *inst)
{
	static const char *const st[] = { "notify_master", "notify_backup", "notify_fault",
					  "notify_stop" };
	/* The words xlbd's VRRP passes in XLB_VRRP_STATE (pair/vrrp.c). */
	static const char *const word[] = { "MASTER", "BACKUP", "FAULT", "STOP" };
	char buf[2048];
	size_t off = 0, i;
	const struct xlb_kc_node *n, *any = NULL;

	off += snprintf(buf + off, sizeof(buf) - off, "case \"$XLB_VRRP_STATE\" in");
	for (i = 0; i < 4; i++) {
		if (!(n = child(inst, st[i])))
			continue;
		any = n;
		off += snprintf(buf + off, sizeof(buf) - off, " %s) %s ;;", word[i], arg(n, 1));
		if (off >= sizeof(buf))
			break;
	}
	if (off < sizeof(buf))
		snprintf(buf + off, sizeof(buf) - off, " esac");
	if ((n = child(inst, "notify"))) {
		any = n;
		snprintf(buf, sizeof(buf), "%s", arg(n, 1));
	}
	if (!any)
		return;
	im_warn(m, any, "xlb runs one notify command with XLB_VRRP_STATE set: mapped to a "
		"shell case on it (keepalived's arguments GROUP|INSTANCE NAME STATE are not "
		"passed)");
	xlb_yo_kv(o, 4, "notify", buf);
}

static void im_vrrp(struct im *m, FILE *o, const struct xlb_kc_node *root)
{
	const struct xlb_kc_node *ride[IM_MAX_INST], *inst, *n, *ad;
	int nride, i, version = 2, v6;
	char buf[64];

	inst = im_pick_instance(m, root, ride, &nride);
	if (!inst)
		return;
	if ((n = child(m->global, "vrrp_version")) && atoi(arg(n, 1)) == 3)
		version = 3;
	if ((n = child(inst, "version")))
		version = atoi(arg(n, 1)) == 3 ? 3 : 2;
	fprintf(o, "failover:\n  mode: vrrp\n  vrrp:\n");
	n = child(inst, "interface");
	xlb_yo_kv(o, 4, "interface", n ? arg(n, 1) : "eth0");
	if (n)
		im_iface(m, arg(n, 1), "the vrrp interface");
	fprintf(o, "    version: %d\n", version);
	n = child(inst, "virtual_router_id");
	fprintf(o, "    vrid: %d\n", n ? atoi(arg(n, 1)) : 1);
	n = child(inst, "priority");
	fprintf(o, "    priority: %d\n", n ? atoi(arg(n, 1)) : 100);
	n = child(inst, "advert_int");
	im_secs(buf, sizeof(buf), n ? arg(n, 1) : "1");
	fprintf(o, "    advert_interval: %s\n", buf);
	for (i = 0; i < inst->nkids; i++) {
		const struct xlb_kc_node *k = &inst->kids[i];

		if (is(k, "state")) {
			fprintf(o, "    state: %s\n",
				!strcasecmp(arg(k, 1), "MASTER") ? "master" : "backup");
		} else if (is(k, "nopreempt")) {
			fprintf(o, "    preempt: false\n");
		} else if (is(k, "preempt_delay") || is(k, "garp_master_delay") ||
			   is(k, "garp_master_refresh")) {
			im_secs(buf, sizeof(buf), arg(k, 1));
			fprintf(o, "    %s: %s\n", is(k, "preempt_delay") ? "preempt_delay" :
				is(k, "garp_master_delay") ? "garp_delay" : "garp_refresh", buf);
		} else if (is(k, "garp_master_repeat")) {
			fprintf(o, "    garp_repeat: %d\n", atoi(arg(k, 1)));
		} else if (is(k, "authentication")) {
			if (version == 3) {
				im_warn(m, k, "VRRPv3 has no authentication (RFC 5798; keepalived "
					"ignores it too): left out");
				continue;
			}
			ad = child(k, "auth_type");
			if (ad && strcasecmp(arg(ad, 1), "PASS")) {
				im_warn(m, ad, "xlb has no AH authentication: left out");
				continue;
			}
			ad = child(k, "auth_pass");
			snprintf(buf, 9, "%s", ad ? arg(ad, 1) : "");
			if (ad && strlen(arg(ad, 1)) > 8)
				im_warn(m, ad, "longer than 8 characters: keepalived uses the first "
					"8, so does this config (\"%s\")", buf);
			fprintf(o, "    authentication: {type: pass, password: ");
			xlb_yo_scalar(o, buf);
			fprintf(o, "}\n");
		} else if (is(k, "unicast_peer")) {
			int j;

			fprintf(o, "    unicast_peers:\n");
			for (j = 0; j < k->nkids; j++) {
				fprintf(o, "      - ");
				xlb_yo_scalar(o, k->kids[j].words[0]);
				fputc('\n', o);
			}
		} else if (is(k, "track_interface")) {
			int j;

			fprintf(o, "    track:\n");
			for (j = 0; j < k->nkids; j++) {
				const struct xlb_kc_node *t = &k->kids[j];

				fprintf(o, "      - {interface: ");
				xlb_yo_scalar(o, t->words[0]);
				if (t->nwords >= 3 && !strcmp(t->words[1], "weight"))
					fprintf(o, ", weight: %d", abs(atoi(t->words[2])));
				fprintf(o, "}\n");
			}
		} else if (is(k, "track_script")) {
			im_warn(m, k, "xlb has no track scripts (it tracks interfaces and VIPs): "
				"left out");
		} else if (is(k, "unicast_src_ip")) {
			im_warn(m, k, "xlb sends from the interface's own address: left out");
		} else if (is(k, "smtp_alert") || is(k, "dont_track_primary")) {
			im_warn(m, k, "no xlb equivalent: left out");
		} else if (is(k, "virtual_ipaddress_excluded")) {
			im_warn(m, k, "xlb lists every address in its adverts: mapped to "
				"virtual_addresses");
		} else if (!is(k, "interface") && !is(k, "virtual_router_id") &&
			   !is(k, "priority") && !is(k, "advert_int") && !is(k, "version") &&
			   !is(k, "virtual_ipaddress") && strncmp(k->words[0], "notify", 6)) {
			im_warn(m, k, "unknown vrrp_instance keyword: left out");
		}
	}
	fprintf(o, "    virtual_addresses:\n");
	v6 = -1;
	im_vaddrs(m, o, child(inst, "virtual_ipaddress"), NULL, &v6);
	im_vaddrs(m, o, child(inst, "virtual_ipaddress_excluded"), NULL, &v6);
	for (i = 0; i < nride; i++) {
		n = child(ride[i], "interface");
		if (n)
			im_iface(m, arg(n, 1), "a merged instance's interface");
		im_vaddrs(m, o, child(ride[i], "virtual_ipaddress"), n ? arg(n, 1) : NULL, &v6);
	}
	im_notify(m, o, inst);
}

/* ---- global_defs and sync ---- */

static void im_global(struct im *m)
{
	int i;

	for (i = 0; m->global && i < m->global->nkids; i++) {
		const struct xlb_kc_node *k = &m->global->kids[i];

		if (is(k, "vrrp_version") || is(k, "lvs_sync_daemon"))
			continue;
		if (is(k, "router_id"))
			im_warn(m, k, "xlb names no router: left out");
		else if (!strncmp(k->words[0], "notification_email", 18) ||
			 !strncmp(k->words[0], "smtp_", 5))
			im_warn(m, k, "xlb sends no mail (use notify): left out");
		else if (is(k, "script_user") || is(k, "enable_script_security"))
			im_warn(m, k, "xlb runs notify and exec checks as xlbd's own user: left out");
		else
			im_warn(m, k, "unknown global_defs keyword: left out");
	}
}

static void im_sync(struct im *m, FILE *o)
{
	const struct xlb_kc_node *d = child(m->global, "lvs_sync_daemon"), *inst = NULL, *u;
	char addr[64];
	int i;

	if (!d)
		return;
	for (i = 0; i < m->ninst; i++)
		if (!strcmp(arg(m->inst[i], 1), arg(d, 2)))
			inst = m->inst[i];
	u = child(inst, "unicast_peer");
	if (!u || u->nkids != 1) {
		im_warn(m, d, "xlb's sync needs its peer's address: left out; add failover.sync "
			"{listen: THIS_BOX:8849, peer: OTHER_BOX:8849, key_file: /etc/xlb/sync.key}");
		return;
	}
	if (!m->env->iface_ipv4 || m->env->iface_ipv4(m->env->ctx, arg(d, 1), addr, sizeof(addr))) {
		im_warn(m, d, "%s has no IPv4 address on this machine: sync left out; add "
			"failover.sync.listen", arg(d, 1));
		return;
	}
	fprintf(o, "  # listen: %s's IPv4 address on this machine\n", arg(d, 1));
	fprintf(o, "  sync:\n    listen: %s:8849\n    peer: %s:8849\n"
		"    key_file: /etc/xlb/sync.key\n", addr, u->kids[0].words[0]);
	if (d->nwords > 3)
		im_warn(m, d, "options after the instance left out (xlb syncs on its own port)");
}

int xlb_import_keepalived(const char *path, const struct xlb_import_env *env, FILE *out,
			  FILE *err)
{
	struct im m = { .env = env, .err = err };
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
	for (i = 0; i < t.root.nkids; i++) {
		const struct xlb_kc_node *k = &t.root.kids[i];

		if (is(k, "global_defs"))
			m.global = k;
		else if (is(k, "vrrp_instance") && m.ninst < IM_MAX_INST)
			m.inst[m.ninst++] = k;
		else if (is(k, "vrrp_sync_group") && m.ngroup < IM_MAX_INST)
			m.group[m.ngroup++] = k;
	}
	im_global(&m);
	fprintf(o, "vips:\n");
	for (i = 0; i < t.root.nkids; i++) {
		const struct xlb_kc_node *k = &t.root.kids[i];

		if (is(k, "virtual_server") && !strcasecmp(arg(k, 1), "fwmark"))
			im_warn(&m, k, "XDP runs before netfilter and cannot see marks: fwmark %s "
				"left out", arg(k, 2));
		else if (is(k, "virtual_server") && !strcasecmp(arg(k, 1), "group"))
			im_warn(&m, k, "virtual_server_group is not mapped: left out; list each "
				"address as a VIP");
		else if (is(k, "virtual_server") && ++nvs)
			im_vs(&m, o, k);
		else if (is(k, "vrrp_script"))
			im_warn(&m, k, "xlb has no track scripts: left out");
		else if (is(k, "vrrp_sync_group") && (child(k, "notify_master") ||
			 child(k, "notify_backup") || child(k, "notify_fault") || child(k, "notify")))
			im_warn(&m, k, "the group's notify scripts are left out (use the instance's)");
		else if (!is(k, "global_defs") && !is(k, "vrrp_instance") &&
			 !is(k, "vrrp_sync_group") && !is(k, "virtual_server_group"))
			im_warn(&m, k, "unknown keyword: left out");
	}
	if (!nvs)
		fprintf(o, "  []\n");
	im_vrrp(&m, o, &t.root);
	if (child(m.global, "lvs_sync_daemon") && !m.ninst)
		im_warn(&m, child(m.global, "lvs_sync_daemon"), "no vrrp_instance: left out");
	else if (m.ninst)
		im_sync(&m, o);
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
