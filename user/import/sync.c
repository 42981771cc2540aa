// SPDX-License-Identifier: GPL-2.0-only
/*
 * failover.sync, the flow sync to the other box: from the command line's --sync-peer and
 * --sync-key when given (a keepalived file names no key), else from lvs_sync_daemon.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "common/addr.h"
#include "import/im.h"
#include "import/yaml_out.h"

/* A problem with the command line's options: no line of the file to name. */
static void im_opt_warn(struct xlb_im *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void im_opt_warn(struct xlb_im *m, const char *fmt, ...)
{
	va_list ap;

	fprintf(m->err, "%s: --sync-peer %s: ", m->path, m->opts->sync_peer);
	va_start(ap, fmt);
	vfprintf(m->err, fmt, ap);
	va_end(ap);
	fputc('\n', m->err);
	m->warned = 1;
}

/* lvs_sync_daemon IF INSTANCE: listen on IF's address, the peer is INSTANCE's unicast peer. */
static void im_sync_daemon(struct xlb_im *m, FILE *o, const struct xlb_kc_node *d)
{
	const struct xlb_kc_node *inst = NULL, *u;
	char addr[64];
	int i;

	for (i = 0; i < m->ninst; i++)
		if (!strcmp(im_arg(m->inst[i], 1), im_arg(d, 2)))
			inst = m->inst[i];
	u = xlb_im_child(inst, "unicast_peer");
	if (!u || u->nkids != 1) {
		xlb_im_warn(m, d, "xlb's sync needs its peer's address: left out; run with "
			    "--sync-peer OTHER_BOX --sync-key /etc/xlb/sync.key, or add "
			    "failover.sync {listen: THIS_BOX:8849, peer: OTHER_BOX:8849, key_file: "
			    "/etc/xlb/sync.key}");
		return;
	}
	/* listen is the interface's IPv4 address, and sync's two ends share a family */
	if (strchr(u->kids[0].words[0], ':')) {
		xlb_im_warn(m, d, "the unicast peer %s is IPv6, the interface's sync address IPv4: "
			    "left out; run with --sync-peer '[%s]' --sync-key /etc/xlb/sync.key",
			    u->kids[0].words[0], u->kids[0].words[0]);
		return;
	}
	if (!m->env->iface_ipv4 ||
	    m->env->iface_ipv4(m->env->ctx, im_arg(d, 1), addr, sizeof(addr))) {
		xlb_im_warn(m, d, "%s has no IPv4 address on this machine: sync left out; add "
			    "failover.sync.listen", im_arg(d, 1));
		return;
	}
	fprintf(o, "  # listen: %s's IPv4 address on this machine\n", im_arg(d, 1));
	fprintf(o, "  sync:\n    listen: %s:8849\n    peer: %s:8849\n"
		"    key_file: /etc/xlb/sync.key\n", addr, u->kids[0].words[0]);
	if (d->nwords > 3)
		xlb_im_warn(m, d, "options after the instance left out (xlb syncs on its own port)");
}

/* listen is where this machine's route to the peer leaves from, on the peer's port. */
static void im_sync_opts(struct xlb_im *m, FILE *o)
{
	char host[64], src[64], hn[64], sn[64], listen[80];
	struct xlb_addr h, s;
	unsigned int port;
	int err, v6;

	if (xlb_import_hostport(m->opts->sync_peer, host, sizeof(host), &port, XLB_IM_SYNC_PORT)) {
		im_opt_warn(m, "not ADDR[:PORT]: failover.sync left out");
		return;
	}
	err = m->env->route_src ? m->env->route_src(m->env->ctx, host, src, sizeof(src)) :
				  -EOPNOTSUPP;
	if (err) {
		im_opt_warn(m, "no route to it from this machine (%s): failover.sync left out",
			    strerror(-err));
		return;
	}
	if (!xlb_addr_parse(host, &h) && !xlb_addr_parse(src, &s) &&
	    !strcmp(xlb_addr_str(&h, hn, sizeof(hn)), xlb_addr_str(&s, sn, sizeof(sn)))) {
		im_opt_warn(m, "an address of this machine, not of the other box: failover.sync "
			    "left out");
		return;
	}
	v6 = !!strchr(src, ':');
	snprintf(listen, sizeof(listen), "%s%s%s:%u", v6 ? "[" : "", src, v6 ? "]" : "", port);
	fprintf(o, "  # sync: peer and key_file from the command line (--sync-peer, --sync-key);\n"
		"  # listen from this machine: its source address toward %s, the peer's port\n",
		host);
	fprintf(o, "  sync:\n");
	xlb_yo_kv(o, 4, "listen", listen);
	xlb_yo_kv(o, 4, "peer", m->opts->sync_peer);
	xlb_yo_kv(o, 4, "key_file", m->opts->sync_key);
}

void xlb_im_sync(struct xlb_im *m, FILE *o)
{
	const struct xlb_kc_node *d = xlb_im_child(m->global, "lvs_sync_daemon");
	int opts = m->opts && m->opts->sync_peer;

	if (d && !m->ninst)
		xlb_im_warn(m, d, "no vrrp_instance: left out");
	else if (d && opts)
		xlb_im_warn(m, d, "--sync-peer and --sync-key replace it: listen is this machine's "
			    "source address toward the peer, not %s's", im_arg(d, 1));
	if (opts && !m->ninst)
		im_opt_warn(m, "no vrrp_instance, so no failover: failover.sync left out");
	else if (opts)
		im_sync_opts(m, o);
	else if (d && m->ninst)
		im_sync_daemon(m, o, d);
}
