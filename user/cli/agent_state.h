/* SPDX-License-Identifier: GPL-2.0-only */
/* xlbctl's side of the control socket: requests to xlbd, replies parsed with json-c. */
#ifndef XLB_AGENT_STATE_H
#define XLB_AGENT_STATE_H

#include <stddef.h>
#include <stdint.h>

struct json_object;

/* What xlbd says about one backend. */
struct xlb_agent_backend {
	char vip[64];
	char address[48];
	char state[16]; /* up, down, drain, disabled */
	char check[8];  /* tcp, http, udp, exec, none */
	char last[96];  /* last check's result, "" before the first */
	uint64_t since_ms;
	int64_t latency_us; /* -1 before the first check */
};

struct xlb_agent_state {
	struct xlb_agent_backend *v;
	size_t n;
};

/*
 * Send argv as one request and parse the reply into *reply (json_object_put() it). Returns 0,
 * -ESRCH when xlbd is not running (no socket, or none listening), -errno when it cannot be
 * reached otherwise, or -EREMOTEIO when it refused (message printed unless quiet).
 */
int xlb_agent_call(const char *sock, int argc, char **argv, struct json_object **reply, int quiet);

/* Every backend's state, from "state". */
int xlb_agent_state(const char *sock, struct xlb_agent_state *st, int quiet);
void xlb_agent_state_free(struct xlb_agent_state *st);
const struct xlb_agent_backend *xlb_agent_find(const struct xlb_agent_state *st, const char *vip,
					       const char *address);

#endif /* XLB_AGENT_STATE_H */
