// SPDX-License-Identifier: GPL-2.0-only
/* What xlbd answers on its control socket: state, drain, enable, disable, reload. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agent/xlbd.h"
#include "check/health.h"
#include "common/addr.h"
#include "common/names.h"

static const char *admin_name(uint8_t admin)
{
	switch (admin) {
	case XLB_ADMIN_DRAIN:
		return "drain";
	case XLB_ADMIN_DISABLED:
		return "disabled";
	default:
		return "enabled";
	}
}

static void state_backend(struct xlb_json *j, const struct xlb_lb_backend *b, uint64_t now)
{
	const struct xlb_hc *hc = b->checker;
	char as[INET6_ADDRSTRLEN];

	xlb_json_object_begin(j);
	xlb_json_kv_string(j, "address", xlb_addr_str(&b->addr, as, sizeof(as)));
	xlb_json_kv_uint(j, "weight", b->weight);
	xlb_json_kv_bool(j, "fallback", b->is_fallback);
	xlb_json_kv_string(j, "state", xlb_lb_backend_state(b));
	xlb_json_kv_string(j, "health", b->healthy ? "up" : "down");
	xlb_json_kv_string(j, "admin", admin_name(b->admin));
	xlb_json_kv_uint(j, "since_ms", (now - b->since_ns) / 1000000);
	xlb_json_kv_bool(j, "mac", xlb_lb_backend_has_mac(b));
	xlb_json_kv_string(j, "check", b->is_fallback ? "none" : xlb_hc_type_name(b->health.type));
	if (hc && hc->has_result) {
		xlb_json_kv_string(j, "last_result", hc->last_result);
		xlb_json_kv_uint(j, "latency_us", hc->last_latency_us);
	} else {
		xlb_json_key(j, "last_result");
		xlb_json_string(j, NULL);
		xlb_json_key(j, "latency_us");
		xlb_json_string(j, NULL);
	}
	xlb_json_kv_uint(j, "checks", hc ? hc->checks : 0);
	xlb_json_kv_uint(j, "failed", hc ? hc->failed : 0);
	xlb_json_object_end(j);
}

static int cmd_state(void *arg, int argc, char **argv, struct xlb_json *j, char *err, size_t errlen)
{
	struct xlbd *d = arg;
	uint64_t now = xlb_now_ns();
	size_t i, k;

	(void)argc;
	(void)argv;
	(void)err;
	(void)errlen;
	xlb_json_kv_string(j, "config", d->cfg_path);
	xlb_json_kv_uint(j, "uptime_ms", (now - d->started) / 1000000);
	xlb_json_kv_uint(j, "reloads", d->reloads);
	xlb_json_kv_uint(j, "reload_errors", d->reload_errors);
	xlbd_pair_state_json(d, j);
	xlb_announce_state_json(&d->ann, j);
	xlb_json_key(j, "vips");
	xlb_json_array_begin(j);
	for (i = 0; i < d->lb.n_vips; i++) {
		const struct xlb_lb_vip *v = &d->lb.vips[i];
		char as[INET6_ADDRSTRLEN], pn[XLB_PROTO_NAME_LEN];

		xlb_json_object_begin(j);
		xlb_json_kv_string(j, "name", v->name);
		xlb_json_kv_string(j, "address", xlb_addr_ntop(v->key.family, v->key.addr, as, sizeof(as)));
		xlb_json_kv_uint(j, "port", ntohs(v->key.port));
		xlb_json_kv_string(j, "protocol", xlb_proto_name(v->key.proto, pn));
		xlb_json_key(j, "backends");
		xlb_json_array_begin(j);
		for (k = 0; k < v->n_backends; k++)
			state_backend(j, &v->backends[k], now);
		xlb_json_array_end(j);
		xlb_json_object_end(j);
	}
	xlb_json_array_end(j);
	return 0;
}

static int set_admin(void *arg, int argc, char **argv, struct xlb_json *j, char *err, size_t errlen,
		     enum xlb_admin admin)
{
	struct xlbd *d = arg;
	unsigned int changed;
	int ret;

	ret = xlb_mon_set_admin(&d->mon, argv[0], argc > 1 ? argv[1] : NULL, admin, &changed);
	if (ret == -EINVAL)
		snprintf(err, errlen, "'%.64s' is not an IPv4 or IPv6 address", argv[0]);
	else if (ret == -ENOENT)
		snprintf(err, errlen, "no backend %.64s%s%.64s", argv[0], argc > 1 ? " in vip " : "",
			 argc > 1 ? argv[1] : "");
	if (ret)
		return ret;
	xlb_json_kv_uint(j, "changed", changed);
	return 0;
}

static int cmd_drain(void *arg, int argc, char **argv, struct xlb_json *j, char *err, size_t errlen)
{
	return set_admin(arg, argc, argv, j, err, errlen, XLB_ADMIN_DRAIN);
}

static int cmd_enable(void *arg, int argc, char **argv, struct xlb_json *j, char *err, size_t errlen)
{
	return set_admin(arg, argc, argv, j, err, errlen, XLB_ADMIN_ENABLED);
}

static int cmd_disable(void *arg, int argc, char **argv, struct xlb_json *j, char *err,
		       size_t errlen)
{
	return set_admin(arg, argc, argv, j, err, errlen, XLB_ADMIN_DISABLED);
}

/* A reply lists this many changes at most (the counts are whole): it stays one short line. */
#define RELOAD_REPLY_CHANGES 64

static int cmd_reload(void *arg, int argc, char **argv, struct xlb_json *j, char *err, size_t errlen)
{
	struct xlb_cfg_changes changes;
	struct xlbd *d = arg;
	int ret;

	(void)argc;
	(void)argv;
	ret = xlbd_reload(d, err, errlen, &changes);
	if (ret)
		return ret;
	xlb_json_kv_uint(j, "vips", d->lb.n_vips);
	xlb_cfg_changes_json(&changes, RELOAD_REPLY_CHANGES, j);
	xlb_cfg_changes_free(&changes);
	return 0;
}

const struct xlb_ctl_cmd xlbd_ctl_cmds[] = {
	{ "state", 0, 0, cmd_state },
	{ "drain", 1, 2, cmd_drain },
	{ "enable", 1, 2, cmd_enable },
	{ "disable", 1, 2, cmd_disable },
	{ "reload", 0, 0, cmd_reload },
	{},
};
