// SPDX-License-Identifier: GPL-2.0-only
/*
 * xlbctl conns (conns.h); lookup is in lookup.c. Idle times are whole seconds on the data
 * path's clock (xlb_view_idle_s()): 0 means in use.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli/conns.h"
#include "cli/report.h"
#include "common/names.h"
#include "common/output.h"
#include "dispatch/sched.h"
#include "xlb/hash.h"

#define ENDPOINT_LEN (INET6_ADDRSTRLEN + sizeof("[]:65535"))

static const char *endpoint_str(uint8_t family, const void *addr, __be16 port, char *buf,
				size_t len)
{
	char a[INET6_ADDRSTRLEN];
	bool v6 = family == XLB_FAMILY_V6;

	xlb_addr_ntop(family, addr, a, sizeof(a));
	snprintf(buf, len, "%s%s%s:%u", v6 ? "[" : "", a, v6 ? "]" : "", ntohs(port));
	return buf;
}

static bool backend_matches(const struct xlb_view *v, uint32_t id, const struct xlb_addr *want)
{
	const struct xlb_backend *be;

	if (!want)
		return true;
	if (id >= XLB_MAX_BACKENDS)
		return false;
	be = &v->backends[id].be;
	return (be->flags & XLB_BE_F_USED) && be->family == want->family &&
	       !memcmp(be->addr, want->w, sizeof(be->addr));
}

static bool vip_wanted(const struct xlb_conns_opts *o, uint32_t vip_id)
{
	return !o->want_vip || (vip_id < XLB_MAX_VIPS && o->want_vip[vip_id]);
}

static const char *where_str(const struct xlb_view *v, unsigned int iface)
{
	return iface == XLB_VIEW_SHARED ? "syns" : v->ifnames[iface];
}

static int show_flows(const struct xlb_view *v, const struct xlb_conns_opts *o)
{
	static const struct xlb_table_col cols[] = {
		{ "TABLE" }, { "PROTO" }, { "CLIENT" }, { "VIP" },
		{ "BACKEND" }, { "STATE" }, { "IDLE", true },
	};
	char client[ENDPOINT_LEN], be[INET6_ADDRSTRLEN], pn[XLB_PROTO_NAME_LEN];
	struct xlb_table *t = NULL;
	struct xlb_json j;
	size_t i;
	int err;

	if (o->json) {
		xlb_json_init(&j, stdout);
		xlb_json_object_begin(&j);
		xlb_json_key(&j, "conns");
		xlb_json_array_begin(&j);
	} else if (!(t = xlb_table_new(cols, sizeof(cols) / sizeof(cols[0])))) {
		return -ENOMEM;
	}
	for (i = 0; i < v->n_conn_list; i++) {
		const struct xlb_view_conn *e = &v->conn_list[i];
		const char *vip = xlb_view_vip_name(v, e->c.vip_id);

		if (e->flow.pad[0] != XLB_FLOW_K_CONN || !vip_wanted(o, e->c.vip_id) ||
		    !backend_matches(v, e->c.backend, o->backend))
			continue;
		endpoint_str(e->flow.family, e->flow.src, e->flow.sport, client, sizeof(client));
		xlb_view_backend_addr(v, e->c.backend, be, sizeof(be));
		if (o->json) {
			xlb_json_object_begin(&j);
			xlb_json_kv_string(&j, "table", where_str(v, e->iface));
			xlb_json_kv_string(&j, "protocol", xlb_proto_name(e->flow.proto, pn));
			xlb_json_kv_string(&j, "client", client);
			xlb_json_kv_string(&j, "vip", vip);
			xlb_json_kv_uint(&j, "vip_port", ntohs(e->flow.dport));
			xlb_json_kv_string(&j, "backend", xlb_view_backend_addr(v, e->c.backend, be, sizeof(be)));
			xlb_json_kv_uint(&j, "backend_id", e->c.backend);
			xlb_json_kv_string(&j, "state",
					   xlb_conn_state_name(e->c.state, e->flow.proto));
			xlb_json_kv_uint(&j, "idle_s", xlb_view_idle_s(e->c.last_seen));
			xlb_json_object_end(&j);
			continue;
		}
		xlb_table_cell(t, "%s", where_str(v, e->iface));
		xlb_table_cell(t, "%s", xlb_proto_name(e->flow.proto, pn));
		xlb_table_cell(t, "%s", client);
		xlb_table_cell(t, "%s:%u", vip ? vip : "-", ntohs(e->flow.dport));
		xlb_table_cell(t, "%s", xlb_view_backend_addr(v, e->c.backend, be, sizeof(be)));
		xlb_table_cell(t, "%s", xlb_conn_state_name(e->c.state, e->flow.proto));
		xlb_table_cell(t, "%llus", (unsigned long long)xlb_view_idle_s(e->c.last_seen));
	}
	if (o->json) {
		xlb_json_array_end(&j);
		xlb_json_object_end(&j);
		return xlb_json_finish(&j);
	}
	err = xlb_table_print(t, stdout);
	xlb_table_free(t);
	return err;
}

/* One template row: proven (templates) or pending (a syns entry of kind template). */
static void template_row(const struct xlb_view *v, const struct xlb_conns_opts *o,
			 struct xlb_table *t, struct xlb_json *j, uint8_t family,
			 const void *client, uint32_t vip_id, uint32_t backend, bool pending,
			 uint64_t idle)
{
	char c[INET6_ADDRSTRLEN], be[INET6_ADDRSTRLEN];
	const char *vip = xlb_view_vip_name(v, vip_id);

	if (!vip_wanted(o, vip_id) || !backend_matches(v, backend, o->backend))
		return;
	xlb_addr_ntop(family, client, c, sizeof(c));
	xlb_view_backend_addr(v, backend, be, sizeof(be));
	if (j) {
		xlb_json_object_begin(j);
		xlb_json_kv_string(j, "client", c);
		xlb_json_kv_string(j, "vip", vip);
		xlb_json_kv_string(j, "backend", be);
		xlb_json_kv_uint(j, "backend_id", backend);
		xlb_json_kv_string(j, "state", pending ? "pending" : "persistent");
		xlb_json_kv_uint(j, "idle_s", idle);
		xlb_json_object_end(j);
		return;
	}
	xlb_table_cell(t, "%s", c);
	xlb_table_cell(t, "%s", vip ? vip : "-");
	xlb_table_cell(t, "%s", be);
	xlb_table_cell(t, "%s", pending ? "pending" : "persistent");
	xlb_table_cell(t, "%llus", (unsigned long long)idle);
}

static int show_templates(const struct xlb_view *v, const struct xlb_conns_opts *o)
{
	static const struct xlb_table_col cols[] = {
		{ "CLIENT" }, { "VIP" }, { "BACKEND" }, { "STATE" }, { "IDLE", true },
	};
	struct xlb_table *t = NULL;
	struct xlb_json j, *jp = o->json ? &j : NULL;
	size_t i;
	int err;

	if (jp) {
		xlb_json_init(jp, stdout);
		xlb_json_object_begin(jp);
		xlb_json_key(jp, "templates");
		xlb_json_array_begin(jp);
	} else if (!(t = xlb_table_new(cols, sizeof(cols) / sizeof(cols[0])))) {
		return -ENOMEM;
	}
	for (i = 0; i < v->n_templates; i++) {
		const struct xlb_view_template *e = &v->templates[i];

		template_row(v, o, t, jp, e->key.family, e->key.client, e->key.vip_id,
			     e->t.backend, false, xlb_view_idle_s(e->t.last_seen));
	}
	for (i = 0; i < v->n_conn_list; i++) {
		const struct xlb_view_conn *e = &v->conn_list[i];

		if (e->flow.pad[0] == XLB_FLOW_K_TEMPLATE)
			template_row(v, o, t, jp, e->flow.family, e->flow.src, e->c.vip_id,
				     e->c.backend, true, xlb_view_idle_s(e->c.last_seen));
	}
	if (jp) {
		xlb_json_array_end(jp);
		xlb_json_object_end(jp);
		return xlb_json_finish(jp);
	}
	err = xlb_table_print(t, stdout);
	xlb_table_free(t);
	return err;
}

int xlb_conns_show(const struct xlb_view *v, const struct xlb_conns_opts *o)
{
	int err = o->templates ? show_templates(v, o) : show_flows(v, o);

	if (err)
		xlb_cli_err("cannot write the output: %s", strerror(-err));
	return err;
}
