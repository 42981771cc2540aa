/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fire-and-forget commands (notify scripts) run by /bin/sh -c, reaped through a pidfd in the
 * event loop so xlbd never waits for them, and killed if they outlive their timeout.
 */
#ifndef XLB_SPAWN_H
#define XLB_SPAWN_H

#include <stdint.h>

#include "common/loop.h"

/* env: "NAME=value" strings, NULL-terminated; added to a minimal PATH. Returns 0 or -errno. */
int xlb_spawn(struct xlb_loop *loop, const char *command, char *const env[], uint64_t timeout_ns);
/*
 * Before xlb_loop_fini(): stop watching the children spawned on loop and free what tracks them.
 * Those still running carry on (a STOP notify must be able to finish) and are not killed.
 */
void xlb_spawn_fini(struct xlb_loop *loop);

#endif /* XLB_SPAWN_H */
