// SPDX-License-Identifier: GPL-2.0-only
/*
 * json-c parses xlbd's replies: they nest (vips → backends → fields) and a hand-written reader
 * for that would be more code to get wrong than the library is to depend on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli/client.h"
#include "cli/agent_state.h"
#include "cli/report.h"

int xlb_agent_call(const char *sock, int argc, char **argv, struct json_object **reply, int quiet)
{
	struct json_object *ok, *msg;
	char *text = NULL;
	int err;

	*reply = NULL;
	err = xlb_ctl_request(sock, argc, argv, &text);
	/* No socket, or a socket nobody listens on: what a stopped (or crashed) xlbd leaves. */
	if (err == -ENOENT || err == -ECONNREFUSED) {
		if (!quiet)
			xlb_cli_err("xlbd is not running (socket %s: %s)", sock, strerror(-err));
		return -ESRCH;
	}
	if (err) {
		if (!quiet)
			xlb_cli_err("cannot reach xlbd at %s: %s", sock, strerror(-err));
		return err;
	}
	*reply = json_tokener_parse(text);
	free(text);
	if (!*reply || !json_object_object_get_ex(*reply, "ok", &ok)) {
		if (!quiet)
			xlb_cli_err("xlbd sent a reply that is not JSON");
		json_object_put(*reply);
		*reply = NULL;
		return -EPROTO;
	}
	if (!json_object_get_boolean(ok)) {
		if (!quiet)
			xlb_cli_err("%s: %s", argv[0],
				    json_object_object_get_ex(*reply, "error", &msg)
					    ? json_object_get_string(msg)
					    : "refused");
		json_object_put(*reply);
		*reply = NULL;
		return -EREMOTEIO;
	}
	return 0;
}

static void copy_str(char *dst, size_t len, struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (json_object_object_get_ex(obj, key, &v) && json_object_is_type(v, json_type_string))
		snprintf(dst, len, "%s", json_object_get_string(v));
	else
		dst[0] = '\0';
}

int xlb_agent_state(const char *sock, struct xlb_agent_state *st, int quiet)
{
	struct json_object *reply, *vips, *vip, *bes, *be, *v;
	char *argv[] = { "state" };
	size_t i, k, n = 0;
	int err;

	memset(st, 0, sizeof(*st));
	err = xlb_agent_call(sock, 1, argv, &reply, quiet);
	if (err)
		return err;
	if (!json_object_object_get_ex(reply, "vips", &vips) ||
	    !json_object_is_type(vips, json_type_array))
		goto bad;
	for (i = 0; i < json_object_array_length(vips); i++) {
		vip = json_object_array_get_idx(vips, i);
		if (json_object_object_get_ex(vip, "backends", &bes) &&
		    json_object_is_type(bes, json_type_array))
			n += json_object_array_length(bes);
	}
	st->v = calloc(n ? n : 1, sizeof(*st->v));
	if (!st->v) {
		json_object_put(reply);
		return -ENOMEM;
	}
	for (i = 0; i < json_object_array_length(vips); i++) {
		vip = json_object_array_get_idx(vips, i);
		if (!json_object_object_get_ex(vip, "backends", &bes) ||
		    !json_object_is_type(bes, json_type_array))
			continue;
		for (k = 0; k < json_object_array_length(bes); k++) {
			struct xlb_agent_backend *b = &st->v[st->n++];

			be = json_object_array_get_idx(bes, k);
			copy_str(b->vip, sizeof(b->vip), vip, "name");
			copy_str(b->address, sizeof(b->address), be, "address");
			copy_str(b->state, sizeof(b->state), be, "state");
			copy_str(b->check, sizeof(b->check), be, "check");
			copy_str(b->last, sizeof(b->last), be, "last_result");
			b->since_ms = json_object_object_get_ex(be, "since_ms", &v) ?
					      (uint64_t)json_object_get_int64(v) : 0;
			b->latency_us = json_object_object_get_ex(be, "latency_us", &v) &&
						json_object_is_type(v, json_type_int) ?
						json_object_get_int64(v) : -1;
		}
	}
	json_object_put(reply);
	return 0;
bad:
	json_object_put(reply);
	if (!quiet)
		xlb_cli_err("xlbd's state reply has no vips");
	return -EPROTO;
}

void xlb_agent_state_free(struct xlb_agent_state *st)
{
	free(st->v);
	st->v = NULL;
	st->n = 0;
}

const struct xlb_agent_backend *xlb_agent_find(const struct xlb_agent_state *st, const char *vip,
					       const char *address)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (!strcmp(st->v[i].vip, vip ? vip : "") && !strcmp(st->v[i].address, address))
			return &st->v[i];
	return NULL;
}
