// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "cli/maps_view.h"
#include "cli/rates.h"
#include "cli/report.h"
#include "common/addr.h"
#include "common/names.h"
#include "common/output.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct rate {
	double packets, bytes, new_flows; /* per second */
};

static double per_s(uint64_t before, uint64_t after, double secs)
{
	return (after >= before ? after - before : after) / secs;
}

static struct rate rate_of(const struct xlb_counters *a, const struct xlb_counters *b, double secs)
{
	static const struct xlb_counters none;
	struct rate r;

	if (!a)
		a = &none;
	r.packets = per_s(a->packets, b->packets, secs);
	r.bytes = per_s(a->bytes, b->bytes, secs);
	r.new_flows = per_s(a->new_flows, b->new_flows, secs);
	return r;
}

/* The same VIP in the first read: by key, as the view merges interfaces. NULL for a new one. */
static const struct xlb_counters *vip_before(const struct xlb_view *a,
					     const struct xlb_view_vip *vb)
{
	size_t i;

	for (i = 0; i < a->n_vips; i++)
		if (!memcmp(&a->vips[i].key, &vb->key, sizeof(vb->key)))
			return &a->vips[i].stats;
	return NULL;
}

/* The same backend in the first read: its id, while it held the same VIP. */
static const struct xlb_counters *backend_before(const struct xlb_view *a, uint32_t id,
						 const struct xlb_backend *be)
{
	const struct xlb_backend *old = &a->backends[id].be;

	return (old->flags & XLB_BE_F_USED) && old->vip_id == be->vip_id ? &a->backends[id].stats
									     : NULL;
}

static void rate_cells(struct xlb_table *t, const struct rate *r, bool flows)
{
	char bytes[XLB_FMT_BYTES_LEN];

	xlb_table_cell(t, "%.1f", r->packets);
	xlb_table_cell(t, "%s", xlb_fmt_bytes(r->bytes, bytes, sizeof(bytes)));
	if (flows)
		xlb_table_cell(t, "%.1f", r->new_flows);
}

/* Print t, free it, and a blank line after it. */
static int table_done(struct xlb_table *t, bool last)
{
	int err;

	if (!t)
		return -ENOMEM;
	err = xlb_table_print(t, stdout);
	xlb_table_free(t);
	if (!err && !last)
		putchar('\n');
	return err;
}

static int rates_table(const struct xlb_view *a, const struct xlb_view *b, double secs)
{
	static const struct xlb_table_col reason_cols[] = {
		{ "REASON" }, { "PACKETS/S", true }, { "BYTES/S", true },
	};
	static const struct xlb_table_col vip_cols[] = {
		{ "NAME" }, { "VIP" }, { "PACKETS/S", true }, { "BYTES/S", true },
		{ "NEW_FLOWS/S", true },
	};
	static const struct xlb_table_col be_cols[] = {
		{ "VIP" }, { "BACKEND" }, { "PACKETS/S", true }, { "BYTES/S", true },
		{ "NEW_FLOWS/S", true },
	};
	char vip[XLB_VIEW_VIP_STR_LEN], addr[INET6_ADDRSTRLEN];
	struct xlb_table *t;
	struct rate r;
	size_t i;
	int err;

	printf("rates over %.2f s\n\n", secs);
	t = xlb_table_new(reason_cols, ARRAY_SIZE(reason_cols));
	for (i = 0; t && i < XLB_R_MAX; i++) {
		r = rate_of(&a->reasons[i], &b->reasons[i], secs);
		xlb_table_cell(t, "%s", xlb_reason_name(i));
		rate_cells(t, &r, false);
	}
	err = table_done(t, false);
	if (err)
		return err;
	t = xlb_table_new(vip_cols, ARRAY_SIZE(vip_cols));
	for (i = 0; t && i < b->n_vips; i++) {
		const struct xlb_view_vip *vv = &b->vips[i];
		const char *name = xlb_view_vip_name(b, vv->vip.id);

		r = rate_of(vip_before(a, vv), &vv->stats, secs);
		xlb_table_cell(t, "%s", name ? name : "-");
		xlb_table_cell(t, "%s", xlb_view_vip_str(&vv->key, vip, sizeof(vip)));
		rate_cells(t, &r, true);
	}
	err = table_done(t, false);
	if (err)
		return err;
	t = xlb_table_new(be_cols, ARRAY_SIZE(be_cols));
	for (i = 0; t && i < XLB_MAX_BACKENDS; i++) {
		const struct xlb_view_backend *vb = &b->backends[i];
		const char *name = xlb_view_vip_name(b, vb->be.vip_id);

		if (!(vb->be.flags & XLB_BE_F_USED))
			continue;
		r = rate_of(backend_before(a, i, &vb->be), &vb->stats, secs);
		xlb_table_cell(t, "%s", name ? name : "-");
		xlb_table_cell(t, "%s",
			       xlb_addr_ntop(vb->be.family, vb->be.addr, addr, sizeof(addr)));
		rate_cells(t, &r, true);
	}
	return table_done(t, true);
}

static void rate_members(struct xlb_json *j, const struct rate *r, bool flows)
{
	xlb_json_kv_double(j, "packets_s", r->packets);
	xlb_json_kv_double(j, "bytes_s", r->bytes);
	if (flows)
		xlb_json_kv_double(j, "new_flows_s", r->new_flows);
}

static int rates_json(const struct xlb_view *a, const struct xlb_view *b, double secs)
{
	char addr[INET6_ADDRSTRLEN];
	struct xlb_json j;
	struct rate r;
	size_t i;

	xlb_json_init(&j, stdout);
	xlb_json_object_begin(&j);
	xlb_json_kv_double(&j, "interval_s", secs);
	xlb_json_key(&j, "reasons");
	xlb_json_object_begin(&j);
	for (i = 0; i < XLB_R_MAX; i++) {
		r = rate_of(&a->reasons[i], &b->reasons[i], secs);
		xlb_json_key(&j, xlb_reason_name(i));
		xlb_json_object_begin(&j);
		rate_members(&j, &r, false);
		xlb_json_object_end(&j);
	}
	xlb_json_object_end(&j);
	xlb_json_key(&j, "vips");
	xlb_json_array_begin(&j);
	for (i = 0; i < b->n_vips; i++) {
		const struct xlb_view_vip *vv = &b->vips[i];

		r = rate_of(vip_before(a, vv), &vv->stats, secs);
		xlb_json_object_begin(&j);
		xlb_view_vip_json(&j, b, vv);
		rate_members(&j, &r, true);
		xlb_json_object_end(&j);
	}
	xlb_json_array_end(&j);
	xlb_json_key(&j, "backends");
	xlb_json_array_begin(&j);
	for (i = 0; i < XLB_MAX_BACKENDS; i++) {
		const struct xlb_view_backend *vb = &b->backends[i];

		if (!(vb->be.flags & XLB_BE_F_USED))
			continue;
		r = rate_of(backend_before(a, i, &vb->be), &vb->stats, secs);
		xlb_json_object_begin(&j);
		xlb_json_kv_string(&j, "vip", xlb_view_vip_name(b, vb->be.vip_id));
		xlb_json_kv_string(&j, "address",
				   xlb_addr_ntop(vb->be.family, vb->be.addr, addr, sizeof(addr)));
		xlb_json_kv_uint(&j, "backend_id", i);
		rate_members(&j, &r, true);
		xlb_json_object_end(&j);
	}
	xlb_json_array_end(&j);
	xlb_json_object_end(&j);
	return xlb_json_finish(&j);
}

int xlb_rates_show(const struct xlb_view *a, const struct xlb_view *b, double secs, bool json)
{
	int err = json ? rates_json(a, b, secs) : rates_table(a, b, secs);

	if (err)
		xlb_cli_err("cannot write the output: %s", strerror(-err));
	return err;
}
