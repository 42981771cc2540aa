// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>

#include <bpf/libbpf.h>

#include "agent/neigh.h"
#include "agent/neigh_wants.h"
#include "common/log.h"
#include "xlb.skel.h"

/* A destination probed this recently is not probed again: its resolution is under way. */
#define DEDUP_NS (100ull * XLB_MS)

static bool recent(struct xlb_neigh_wants *w, const struct xlb_addr *a, uint64_t now)
{
	size_t i;

	for (i = 0; i < XLB_NEIGH_RECENT; i++)
		if (w->recent[i].addr.family == a->family &&
		    !memcmp(w->recent[i].addr.w, a->w, sizeof(a->w)) &&
		    now - w->recent[i].ns < DEDUP_NS)
			return true;
	w->recent[w->next].addr = *a;
	w->recent[w->next].ns = now;
	w->next = (w->next + 1) % XLB_NEIGH_RECENT;
	return false;
}

static int on_want(void *ctx, void *data, size_t len)
{
	const struct xlb_neigh_want *ev = data;
	struct xlb_neigh_wants *w = ctx;
	struct xlb_addr a = {};
	char buf[64];
	int err;

	if (len < sizeof(*ev) || (ev->family != XLB_FAMILY_V4 && ev->family != XLB_FAMILY_V6))
		return 0;
	a.family = ev->family;
	memcpy(a.w, ev->addr, sizeof(a.w));
	if (recent(w, &a, xlb_now_ns()))
		return 0;
	w->probes++;
	err = xlb_neigh_probe(NULL, &a);
	if (err)
		pr_debug("neighbour probe toward %s: %s", xlb_addr_str(&a, buf, sizeof(buf)),
			 strerror(-err));
	return 0;
}

static void on_ring(struct xlb_loop *loop, int fd, uint32_t events, void *arg)
{
	struct xlb_neigh_wants *w = arg;

	(void)loop, (void)fd, (void)events;
	ring_buffer__consume(w->rb);
}

int xlb_neigh_wants_open(struct xlb_neigh_wants *w, struct xlb_loop *loop,
			 const struct xlb_dps *dps)
{
	size_t i;
	int err;

	memset(w, 0, sizeof(*w));
	w->rb_fd = -1;
	for (i = 0; i < dps->n; i++) {
		int map_fd = bpf_map__fd(dps->v[i].skel->maps.neigh_wants);

		if (!w->rb)
			w->rb = ring_buffer__new(map_fd, on_want, w, NULL);
		else if (ring_buffer__add(w->rb, map_fd, on_want, w))
			goto fail;
		if (!w->rb)
			goto fail;
	}
	if (!w->rb)
		return 0;
	w->rb_fd = ring_buffer__epoll_fd(w->rb);
	err = xlb_loop_add_fd(loop, w->rb_fd, EPOLLIN, on_ring, w);
	if (err) {
		pr_err("neighbour wants: %s", strerror(-err));
		w->rb_fd = -1;
		xlb_neigh_wants_close(w);
		return err;
	}
	w->loop = loop;
	return 0;
fail:
	err = -errno;
	pr_err("neighbour wants: %s", strerror(-err));
	xlb_neigh_wants_close(w);
	return err;
}

void xlb_neigh_wants_close(struct xlb_neigh_wants *w)
{
	if (w->loop && w->rb_fd >= 0)
		xlb_loop_del_fd(w->loop, w->rb_fd);
	ring_buffer__free(w->rb);
	w->rb = NULL;
	w->rb_fd = -1;
	w->loop = NULL;
}
