// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "sync.h"
#include "xlb.skel.h"
#include "xlbd.h"

#define MS (1000000ull)
#define SYNC_FLUSH_NS (10 * MS)     /* a new flow reaches the backup within this, batched */
#define SYNC_BULK_SLICE 256         /* conns entries walked per loop turn */
#define SYNC_BULK_RETRY_NS (1000 * MS)

static uint64_t coarse_ns(void)
{
	struct timespec ts;

	/* The clock bpf_ktime_get_coarse_ns() reads, so ages convert both ways. */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void sync_send(struct xlb_sync *s)
{
	size_t len;

	if (!s->enc_open)
		return;
	len = xlb_sync_enc_finish(&s->enc, s->key);
	s->enc_open = false;
	if (sendto(s->fd, s->enc.buf, len, MSG_DONTWAIT, (struct sockaddr *)&s->peer,
		   s->peer_len) < 0) {
		pr_debug("sync: send: %s", strerror(errno));
		return;
	}
	s->stats.sent_dgrams++;
	s->stats.sent_flows += s->enc.count;
}

static void sync_open(struct xlb_sync *s, uint8_t type)
{
	if (s->enc_open && s->enc.type != type)
		sync_send(s);
	if (s->enc_open)
		return;
	xlb_sync_enc_init(&s->enc, type, s->node, ++s->seq, xlb_sync_now_ms());
	s->enc_open = true;
}

static void sync_add(struct xlb_sync *s, const struct xlb_sync_rec *r)
{
	sync_open(s, XLB_SYNC_FLOWS);
	if (xlb_sync_enc_add(&s->enc, r) == -ENOSPC) {
		sync_send(s);
		sync_open(s, XLB_SYNC_FLOWS);
		xlb_sync_enc_add(&s->enc, r);
	}
	if (xlb_sync_enc_full(&s->enc))
		sync_send(s);
	else if (!xlb_timer_armed(&s->flush_timer))
		xlb_timer_arm(&s->d->loop, &s->flush_timer, SYNC_FLUSH_NS);
}

/* A binding as the wire carries it: VIP by key, backend by address. */
static int rec_from_binding(struct xlb_sync *s, const struct xlb_flow *flow, uint32_t backend,
			    uint32_t vip_id, uint64_t last_seen, struct xlb_sync_rec *r)
{
	struct xlb_lb_vip *v = xlb_lb_vip_by_id(&s->d->lb, vip_id);
	struct xlb_lb_backend *b = xlb_lb_backend_by_id(v, backend);
	uint64_t now = coarse_ns();

	if (!b)
		return -ENOENT;
	memset(r, 0, sizeof(*r));
	r->flow = *flow;
	r->vip = v->key;
	r->backend = b->addr;
	r->age_s = last_seen && now > last_seen ? (now - last_seen) / 1000000000ull : 0;
	return 0;
}

static int on_flow_event(void *ctx, void *data, size_t len)
{
	const struct xlb_flow_event *ev = data;
	struct xlb_sync *s = ctx;
	struct xlb_sync_rec r;

	if (len < sizeof(*ev) || !s->master)
		return 0;
	if (!rec_from_binding(s, &ev->flow, ev->backend, ev->vip_id, 0, &r))
		sync_add(s, &r);
	return 0;
}

static void on_ring(struct xlb_loop *loop, int fd, uint32_t events, void *arg)
{
	struct xlb_sync *s = arg;

	(void)loop;
	(void)fd;
	(void)events;
	ring_buffer__consume(s->rb);
}

static void on_flush(struct xlb_loop *loop, struct xlb_timer *t)
{
	(void)loop;
	sync_send(t->arg);
}

static void sync_control(struct xlb_sync *s, uint8_t type)
{
	sync_open(s, type);
	sync_send(s);
}

/* Master: walk a slice of conns per turn, so adverts and checks keep their timing. */
static void on_bulk_slice(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct xlb_sync *s = t->arg;
	int fd = s->d->dps[0].conns_fd;
	struct xlb_flow next;
	struct xlb_conn c;
	struct xlb_sync_rec r;
	int i;

	for (i = 0; i < SYNC_BULK_SLICE; i++) {
		if (bpf_map_get_next_key(fd, s->bulk_has_cursor ? &s->bulk_cursor : NULL, &next)) {
			sync_send(s);
			sync_control(s, XLB_SYNC_BULK_END);
			s->bulk_active = false;
			s->stats.bulk_sent++;
			pr_info("sync: bulk sync sent to the peer");
			return;
		}
		s->bulk_cursor = next;
		s->bulk_has_cursor = true;
		if (bpf_map_lookup_elem(fd, &next, &c))
			continue;
		if (!rec_from_binding(s, &next, c.backend, c.vip_id, c.last_seen, &r))
			sync_add(s, &r);
	}
	xlb_timer_arm(loop, t, 0);
}

static void bulk_start(struct xlb_sync *s)
{
	s->bulk_active = true;
	s->bulk_has_cursor = false;
	xlb_timer_arm(&s->d->loop, &s->bulk_timer, 0);
}

static void on_bulk_request_timer(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct xlb_sync *s = t->arg;

	if (s->master || s->bulk_done)
		return;
	sync_control(s, XLB_SYNC_BULK_REQUEST);
	xlb_timer_arm(loop, t, SYNC_BULK_RETRY_NS);
}

/* Backup: write a binding into every interface's conns, with this node's ids. */
static void install(struct xlb_sync *s, const struct xlb_sync_rec *r)
{
	struct xlb_vip_key key = r->vip;
	struct xlb_lb_vip *v = xlb_lb_vip_by_key(&s->d->lb, &key);
	struct xlb_lb_backend *b = xlb_lb_backend_by_addr(v, &r->backend);
	struct xlb_conn c = {};
	uint64_t now = coarse_ns(), age = (uint64_t)r->age_s * 1000000000ull;
	size_t i;

	if (!b) {
		s->stats.unknown++;
		return;
	}
	c.backend = b->id;
	c.vip_id = v->val.id;
	c.last_seen = now > age ? now - age : 0;
	for (i = 0; i < s->d->n_dps; i++)
		bpf_map_update_elem(s->d->dps[i].conns_fd, &r->flow, &c, BPF_ANY);
	s->stats.installed++;
}

static void on_datagram(struct xlb_loop *loop, int fd, uint32_t events, void *arg)
{
	static struct xlb_sync_msg msg; /* big; the loop is single-threaded */
	struct xlb_sync *s = arg;
	uint8_t buf[XLB_SYNC_MAX_DGRAM + 1];
	ssize_t n;
	int err, i;

	(void)loop;
	(void)events;
	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) >= 0) {
		err = xlb_sync_decode(buf, n, s->key, xlb_sync_now_ms(), &s->replay, &msg);
		if (err) {
			s->stats.rejected++;
			if (-err > 0 && -err < XLB_SYNC_E_MAX)
				s->stats.rejected_by[-err]++;
			pr_debug("sync: datagram refused: %s", xlb_sync_strerror(err));
			continue;
		}
		s->stats.recv_dgrams++;
		switch (msg.type) {
		case XLB_SYNC_FLOWS:
			if (s->master)
				break; /* both masters during a split: the RFC's rules settle it */
			for (i = 0; i < msg.count; i++)
				install(s, &msg.recs[i]);
			break;
		case XLB_SYNC_BULK_REQUEST:
			if (!s->master)
				break;
			/* The peer has just become backup, perhaps as a split brain heals: clients
			 * may still point at it, and RFC 5798 sends no GARP on that path. */
			xlb_fo_announce(&s->d->fo);
			if (!s->bulk_active) {
				pr_info("sync: the peer asks for a bulk sync");
				bulk_start(s);
			}
			break;
		case XLB_SYNC_BULK_END:
			if (!s->master && !s->bulk_done) {
				s->bulk_done = true;
				s->stats.bulk_received++;
				pr_info("sync: bulk sync from the peer complete (%llu flows so far)",
					(unsigned long long)s->stats.installed);
			}
			break;
		}
	}
}

void xlb_sync_set_master(struct xlb_sync *s, bool master)
{
	size_t i;

	if (s->fd < 0)
		return;
	s->master = master;
	for (i = 0; i < s->d->n_dps; i++)
		s->d->dps[i].skel->bss->sync_flows = master;
	if (master) {
		xlb_timer_cancel(&s->d->loop, &s->bulk_req_timer);
		/* Drain what piled up while this node was backup: those flows are not ours. */
		ring_buffer__consume(s->rb);
	} else {
		s->bulk_active = false;
		xlb_timer_cancel(&s->d->loop, &s->bulk_timer);
		s->bulk_done = false;
		xlb_timer_arm(&s->d->loop, &s->bulk_req_timer, 0);
	}
}

int xlb_sync_start(struct xlb_sync *s, struct xlbd *d, const struct xlb_cfg_sync *cfg)
{
	struct sockaddr_storage ss;
	unsigned int sl;
	size_t i;
	int err, one = 1;
	char why[256] = "";

	memset(s, 0, sizeof(*s));
	s->d = d;
	s->fd = -1;
	s->rb_fd = -1;
	xlb_timer_init(&s->flush_timer, on_flush, s);
	xlb_timer_init(&s->bulk_timer, on_bulk_slice, s);
	xlb_timer_init(&s->bulk_req_timer, on_bulk_request_timer, s);

	err = xlb_sync_init();
	if (!err)
		err = xlb_sync_key_load_why(cfg->key_file, s->key, why, sizeof(why));
	if (err) {
		/* why names the file already. */
		if (why[0])
			pr_err("sync: key %s", why);
		else
			pr_err("sync: key %s: %s", cfg->key_file, strerror(-err));
		return err;
	}
	s->node = xlb_sync_node_id_new();
	xlb_sync_peer_init(&s->replay, s->node, 0);
	xlb_addr_sockaddr(&cfg->peer_addr, cfg->peer_port, 0, &s->peer, &s->peer_len);

	xlb_addr_sockaddr(&cfg->listen_addr, cfg->listen_port, 0, &ss, &sl);
	s->fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -errno;
	/* IP_FREEBIND: the listen address may be one VRRP has not put on the interface yet. */
	setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(s->fd, ss.ss_family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP,
		   ss.ss_family == AF_INET6 ? IPV6_FREEBIND : IP_FREEBIND, &one, sizeof(one));
	if (bind(s->fd, (struct sockaddr *)&ss, sl)) {
		err = -errno;
		pr_err("sync: cannot listen: %s", strerror(-err));
		goto fail;
	}
	err = xlb_loop_add_fd(&d->loop, s->fd, EPOLLIN, on_datagram, s);
	if (err)
		goto fail;

	for (i = 0; i < d->n_dps; i++) {
		int map_fd = bpf_map__fd(d->dps[i].skel->maps.flow_events);

		if (!s->rb)
			s->rb = ring_buffer__new(map_fd, on_flow_event, s, NULL);
		else if (ring_buffer__add(s->rb, map_fd, on_flow_event, s))
			s->rb = NULL;
		if (!s->rb) {
			err = -errno;
			pr_err("sync: flow events: %s", strerror(-err));
			goto fail;
		}
	}
	s->rb_fd = ring_buffer__epoll_fd(s->rb);
	err = xlb_loop_add_fd(&d->loop, s->rb_fd, EPOLLIN, on_ring, s);
	if (err)
		goto fail;
	pr_info("sync: listening, peer set, node id %08x", s->node);
	return 0;
fail:
	xlb_sync_stop(s);
	return err;
}

void xlb_sync_stop(struct xlb_sync *s)
{
	size_t i;

	if (!s->d)
		return;
	xlb_timer_cancel(&s->d->loop, &s->flush_timer);
	xlb_timer_cancel(&s->d->loop, &s->bulk_timer);
	xlb_timer_cancel(&s->d->loop, &s->bulk_req_timer);
	if (s->fd >= 0) {
		sync_send(s);
		for (i = 0; i < s->d->n_dps; i++)
			if (s->d->dps[i].skel)
				s->d->dps[i].skel->bss->sync_flows = 0;
		xlb_loop_del_fd(&s->d->loop, s->fd);
		close(s->fd);
	}
	if (s->rb_fd >= 0)
		xlb_loop_del_fd(&s->d->loop, s->rb_fd);
	ring_buffer__free(s->rb);
	s->rb = NULL;
	s->fd = s->rb_fd = -1;
	s->d = NULL;
}
