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

#include "common/log.h"
#include "common/output.h"
#include "common/prom.h"
#include "pair/sync.h"

#define SYNC_FLUSH_NS (10 * XLB_MS)     /* a new flow reaches the backup within this, batched */
#define SYNC_BULK_RETRY_NS (1000 * XLB_MS)
/* A bulk that has not moved for this long has stopped: the backup reports it and asks again. */
#define SYNC_BULK_STALL_NS (3000 * XLB_MS)
#define SYNC_ACK_EVERY 16           /* chunks taken between two acks while a burst is read */
/*
 * Time spent reading per wakeup. Acks keep the master sending, so the socket may never run dry,
 * and a datagram costs up to 15 map updates here (the backup) or a window's worth of table walk
 * (the master): without a bound the loop would not get back to its timers and adverts in time.
 */
#define SYNC_READ_BUDGET_NS (5 * XLB_MS)

static uint64_t coarse_ns(void)
{
	struct timespec ts;

	/* The clock bpf_ktime_get_coarse_ns() reads, so ages convert both ways. */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* One datagram, numbered when it leaves so that seq grows in sending order. Returns its seq or 0. */
static uint64_t sync_send(struct xlb_sync *s, uint8_t type, const struct xlb_sync_bulk_fields *f,
			  const struct xlb_sync_rec *recs, unsigned int n)
{
	static struct xlb_sync_enc enc; /* big; the loop is single-threaded */
	uint64_t seq = ++s->seq;
	unsigned int i;
	size_t len;

	xlb_sync_enc_init(&enc, type, s->node, seq, xlb_sync_now_ms());
	if (f)
		xlb_sync_enc_bulk(&enc, f);
	for (i = 0; i < n; i++)
		xlb_sync_enc_add(&enc, &recs[i]); /* a record the peer would refuse stays out */
	len = xlb_sync_enc_finish(&enc, s->key);
	if (sendto(s->fd, enc.buf, len, MSG_DONTWAIT, (struct sockaddr *)&s->peer,
		   s->peer_len) < 0) {
		pr_debug("sync: send: %s", strerror(errno));
		return 0;
	}
	s->stats.sent_dgrams++;
	s->stats.sent_flows += enc.count;
	return seq;
}

static void live_flush(struct xlb_sync *s)
{
	if (!s->n_live)
		return;
	sync_send(s, XLB_SYNC_FLOWS, NULL, s->live, s->n_live);
	s->n_live = 0;
}

static void live_add(struct xlb_sync *s, const struct xlb_sync_rec *r)
{
	s->live[s->n_live++] = *r;
	if (s->n_live == XLB_SYNC_MAX_RECS)
		live_flush(s);
	else if (!xlb_timer_armed(&s->flush_timer))
		xlb_timer_arm(s->loop, &s->flush_timer, SYNC_FLUSH_NS);
}

/* A binding as the wire carries it: VIP by key, backend by address. */
static int rec_from_binding(struct xlb_sync *s, const struct xlb_flow *flow, uint8_t kind,
			    uint8_t state, uint32_t backend, uint32_t vip_id, uint64_t last_seen,
			    struct xlb_sync_rec *r)
{
	uint64_t now = coarse_ns();

	memset(r, 0, sizeof(*r));
	if (s->ops->describe(s->ops_arg, vip_id, backend, &r->vip, &r->backend))
		return -ENOENT;
	r->flow = *flow;
	/* The kind travels in its own field; in the maps' keys it is pad[0]. */
	r->flow.pad[0] = r->flow.pad[1] = 0;
	r->kind = kind;
	r->state = state;
	r->age_s = last_seen && now > last_seen ? (now - last_seen) / 1000000000ull : 0;
	return 0;
}

/* The encoder leaves out what the peer would refuse (an unknown kind or state). */
void xlb_sync_flow_event(struct xlb_sync *s, const struct xlb_flow_event *ev)
{
	struct xlb_sync_rec r;

	if (!s->master)
		return;
	if (!rec_from_binding(s, &ev->flow, ev->flow.pad[0], ev->state, ev->backend, ev->vip_id, 0,
			      &r))
		live_add(s, &r);
}

static int on_flow_event(void *ctx, void *data, size_t len)
{
	if (len >= sizeof(struct xlb_flow_event))
		xlb_sync_flow_event(ctx, data);
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
	live_flush(t->arg);
}

/* ---- master: the bulk's source and wire ---- */

/* The next of templates, keyed as the wire keys it: the VIP's address and port, no client port. */
static int bulk_next_template(struct xlb_sync *s, struct xlb_sync_rec *r)
{
	int fd = s->ops->templates_fd(s->ops_arg);
	struct xlb_template_key next;
	struct xlb_template t;
	struct xlb_flow f;

	if (fd < 0)
		return -ENOENT;
	for (;;) {
		if (bpf_map_get_next_key(fd, s->bulk_has_cursor ? &s->bulk_tcursor : NULL, &next))
			return -ENOENT;
		s->bulk_tcursor = next;
		s->bulk_has_cursor = true;
		if (bpf_map_lookup_elem(fd, &next, &t))
			continue;
		memset(&f, 0, sizeof(f));
		memcpy(f.src, next.client, sizeof(f.src));
		f.family = next.family;
		if (rec_from_binding(s, &f, XLB_FLOW_K_TEMPLATE, XLB_CS_ACTIVE, t.backend,
				     next.vip_id, t.last_seen, r))
			continue;
		memcpy(r->flow.dst, r->vip.addr, sizeof(r->flow.dst));
		r->flow.dport = r->vip.port;
		r->flow.proto = r->vip.proto;
		/* A client of the other family than its VIP's is no template the peer takes. */
		if (!xlb_sync_rec_check(r))
			return 0;
	}
}

/*
 * The next binding of conns, then the next template, skipping entries gone since or naming what
 * we no longer have.
 */
static int bulk_next(void *arg, struct xlb_sync_rec *r)
{
	struct xlb_sync *s = arg;
	int fd = s->ops->conns_fd(s->ops_arg);
	struct xlb_flow next;
	struct xlb_conn c;

	while (!s->bulk_templates) {
		if (bpf_map_get_next_key(fd, s->bulk_has_cursor ? &s->bulk_cursor : NULL, &next)) {
			s->bulk_templates = true;
			s->bulk_has_cursor = false;
			break;
		}
		s->bulk_cursor = next;
		s->bulk_has_cursor = true;
		if (bpf_map_lookup_elem(fd, &next, &c))
			continue;
		if (!rec_from_binding(s, &next, XLB_FLOW_K_CONN, c.state, c.backend, c.vip_id,
				      c.last_seen, r))
			return 0;
	}
	return bulk_next_template(s, r);
}

static uint64_t bulk_send(void *arg, uint8_t type, const struct xlb_sync_bulk_fields *f,
			  const struct xlb_sync_rec *recs, unsigned int n)
{
	return sync_send(arg, type, f, recs, n);
}

static void bulk_done(void *arg, const struct xlb_sync_bulk_tx *tx, const char *why)
{
	struct xlb_sync *s = arg;

	s->stats.bulk_retransmits += tx->retransmits;
	s->stats.bulk_timeouts += tx->timeouts_all;
	s->stats.bulk_last_flows = why ? tx->acked_flows : tx->flows;
	s->stats.bulk_last_expected = tx->flows;
	s->stats.bulk_last_ms = tx->elapsed_ns / XLB_MS;
	if (!why) {
		s->stats.bulk_sent++;
		pr_info("sync: bulk sync complete: %llu of %llu flows acknowledged by the peer, "
			"%llu datagrams, %llu sent again, %llu ms",
			(unsigned long long)tx->flows, (unsigned long long)tx->flows,
			(unsigned long long)tx->dgrams, (unsigned long long)tx->retransmits,
			(unsigned long long)(tx->elapsed_ns / XLB_MS));
		return;
	}
	s->stats.bulk_sent_incomplete++;
	pr_warn("sync: bulk sync incomplete: %llu of %llu flows acknowledged by the peer (%s), "
		"%llu datagrams, %llu sent again, %llu ms",
		(unsigned long long)tx->acked_flows, (unsigned long long)tx->flows, why,
		(unsigned long long)tx->dgrams, (unsigned long long)tx->retransmits,
		(unsigned long long)(tx->elapsed_ns / XLB_MS));
}

static const struct xlb_sync_bulk_ops bulk_ops = {
	.next = bulk_next,
	.send = bulk_send,
	.done = bulk_done,
};

static void bulk_start(struct xlb_sync *s)
{
	s->bulk_has_cursor = false;
	s->bulk_templates = false;
	if (!++s->bulk_id)
		s->bulk_id = 1;
	if (xlb_sync_bulk_tx_start(&s->tx, s->bulk_id))
		pr_err("sync: bulk sync: %s", strerror(ENOMEM));
}

/* ---- backup ---- */

static void rx_incomplete(struct xlb_sync *s, const char *why)
{
	const struct xlb_sync_bulk_rx *rx = &s->rx;

	s->stats.bulk_incomplete++;
	s->stats.bulk_last_flows = rx->flows;
	s->stats.bulk_last_expected = rx->expected;
	s->stats.bulk_last_ms = (xlb_now_ns() - s->rx_start_ns) / XLB_MS;
	if (rx->end_chunk)
		pr_warn("sync: bulk sync incomplete: %llu of %u flows (%s)",
			(unsigned long long)rx->flows, rx->expected, why);
	else
		pr_warn("sync: bulk sync incomplete: %llu flows, the end not seen (%s)",
			(unsigned long long)rx->flows, why);
	/* Reported once; should the rest of it still come, it is taken all the same. */
	s->rx_reported = true;
}

static void on_bulk_request_timer(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct xlb_sync *s = t->arg;

	if (s->master || s->bulk_done)
		return;
	if (s->rx.active && !s->rx.complete) {
		/* A bulk on its way is not asked for again. */
		if (xlb_now_ns() - s->rx_last_ns < SYNC_BULK_STALL_NS) {
			xlb_timer_arm(loop, t, SYNC_BULK_RETRY_NS);
			return;
		}
		if (!s->rx_reported)
			rx_incomplete(s, "it stopped coming");
	}
	sync_send(s, XLB_SYNC_BULK_REQUEST, NULL, NULL, 0);
	xlb_timer_arm(loop, t, SYNC_BULK_RETRY_NS);
}

/*
 * Backup: write a binding, with its state, into every interface's conns, or a template into
 * templates, with this node's ids. The counts in backend_conns are left to the sweep.
 */
static void install(struct xlb_sync *s, const struct xlb_sync_rec *r)
{
	uint64_t now = coarse_ns(), age = (uint64_t)r->age_s * 1000000000ull;
	uint64_t last_seen = now > age ? now - age : 0;
	struct xlb_conn c = { .state = r->state, .last_seen = last_seen };
	uint32_t vip_id, backend;

	if (s->ops->resolve(s->ops_arg, &r->vip, &r->backend, &vip_id, &backend)) {
		s->stats.unknown++;
		return;
	}
	if (r->kind == XLB_FLOW_K_TEMPLATE) {
		struct xlb_template_key k = { .vip_id = vip_id, .family = r->flow.family };
		struct xlb_template t = { .backend = backend, .last_seen = last_seen };

		memcpy(k.client, r->flow.src, sizeof(k.client));
		s->ops->install_template(s->ops_arg, &k, &t);
		s->stats.installed_templates++;
		return;
	}
	c.backend = backend;
	c.vip_id = vip_id;
	s->ops->install(s->ops_arg, &r->flow, &c);
	s->stats.installed++;
}

/* Backup: a chunk or the END of a bulk (each calls for an ack, sent by the caller). */
static void on_bulk_chunk(struct xlb_sync *s, const struct xlb_sync_msg *m)
{
	struct xlb_sync_bulk_rx *rx = &s->rx;
	bool was_complete = rx->active && rx->complete && rx->id == m->b.bulk;
	int i;

	if (rx->active && !rx->complete && !s->rx_reported && rx->id != m->b.bulk)
		rx_incomplete(s, "the master started another");
	if (!rx->active || rx->id != m->b.bulk) {
		s->rx_start_ns = s->rx_last_ns = xlb_now_ns();
		s->rx_reported = false;
	}
	switch (xlb_sync_bulk_rx_chunk(rx, m->type, &m->b, m->count)) {
	case XLB_SYNC_BULK_TAKE:
		s->rx_last_ns = xlb_now_ns(); /* progress: what the stall timer watches */
		for (i = 0; i < m->count; i++)
			install(s, &m->recs[i]);
		break;
	case XLB_SYNC_BULK_DUP:
		s->stats.bulk_dups++;
		break;
	case XLB_SYNC_BULK_DROP:
		break;
	}
	if (!rx->complete || was_complete)
		return;
	s->stats.bulk_last_flows = rx->flows;
	s->stats.bulk_last_expected = rx->expected;
	s->stats.bulk_last_ms = (xlb_now_ns() - s->rx_start_ns) / XLB_MS;
	s->bulk_done = true;
	if (rx->flows == rx->expected) {
		s->stats.bulk_received++;
		pr_info("sync: bulk sync complete: %llu of %u flows, %llu ms (%llu flows and %llu "
			"templates installed in all, %llu unknown here)",
			(unsigned long long)rx->flows, rx->expected,
			(unsigned long long)s->stats.bulk_last_ms,
			(unsigned long long)s->stats.installed,
			(unsigned long long)s->stats.installed_templates,
			(unsigned long long)s->stats.unknown);
	} else {
		/* Every chunk arrived, but the master counted more than they held. */
		s->stats.bulk_incomplete++;
		pr_warn("sync: bulk sync incomplete: %llu of %u flows (records left out by the master)",
			(unsigned long long)rx->flows, rx->expected);
	}
}

static void send_ack(struct xlb_sync *s)
{
	struct xlb_sync_bulk_fields f;

	xlb_sync_bulk_rx_ack(&s->rx, s->replay.seq, &f);
	sync_send(s, XLB_SYNC_BULK_ACK, &f, NULL, 0);
}

static void refused(struct xlb_sync *s, const uint8_t *buf, size_t n, int err)
{
	s->stats.rejected++;
	if (-err > 0 && -err < XLB_SYNC_E_MAX)
		s->stats.rejected_by[-err]++;
	if (err == -XLB_SYNC_E_VERSION) {
		s->stats.rejected_version++;
		/* Loud once: a pair on two versions syncs nothing until both are upgraded. */
		if (!s->version_warned)
			pr_warn("sync: the peer speaks protocol version %u, this xlbd %u: its "
				"datagrams are refused", n > 4 ? buf[4] : 0, XLB_SYNC_VERSION);
		s->version_warned = true;
	}
	pr_debug("sync: datagram refused: %s", xlb_sync_strerror(err));
}

static void on_datagram(struct xlb_loop *loop, int fd, uint32_t events, void *arg)
{
	static struct xlb_sync_msg msg; /* big; the loop is single-threaded */
	struct xlb_sync *s = arg;
	uint8_t buf[XLB_SYNC_MAX_DGRAM + 1];
	uint64_t until = xlb_now_ns() + SYNC_READ_BUDGET_NS;
	unsigned int ack_due = 0;
	ssize_t n;
	int err;

	(void)loop;
	(void)events;
	while (xlb_now_ns() < until && (n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) >= 0) {
		err = xlb_sync_decode(buf, n, s->key, xlb_sync_now_ms(), &s->replay, &msg);
		if (err) {
			refused(s, buf, n, err);
			continue;
		}
		s->stats.recv_dgrams++;
		/* Live sync is best effort; what it lost shows here. */
		s->stats.lost_dgrams += msg.gap;
		switch (msg.type) {
		case XLB_SYNC_FLOWS:
			if (s->master)
				break; /* both masters during a split: the RFC's rules settle it */
			if (msg.b.bulk) {
				on_bulk_chunk(s, &msg);
				ack_due++;
				break;
			}
			for (int i = 0; i < msg.count; i++)
				install(s, &msg.recs[i]);
			break;
		case XLB_SYNC_BULK_END:
			if (s->master)
				break;
			on_bulk_chunk(s, &msg);
			ack_due++;
			break;
		case XLB_SYNC_BULK_ACK:
			if (s->master)
				xlb_sync_bulk_tx_ack(&s->tx, &msg.b);
			break;
		case XLB_SYNC_BULK_REQUEST:
			if (!s->master)
				break;
			/* The peer has just become backup, perhaps as a split brain heals: clients
			 * may still point at it, and RFC 5798 sends no GARP on that path. */
			s->ops->peer_became_backup(s->ops_arg);
			/*
			 * A backup asks only when no bulk is reaching it: while ours runs, that means
			 * it restarted or gave the bulk up, and the rest of ours is of no use to it.
			 */
			pr_info("sync: the peer asks for a bulk sync%s",
				s->tx.active ? " again: starting over" : "");
			bulk_start(s);
			break;
		}
		/* The sender's window moves with our acks: one per burst read, more in a long one. */
		if (ack_due >= SYNC_ACK_EVERY) {
			send_ack(s);
			ack_due = 0;
		}
	}
	if (ack_due)
		send_ack(s);
}

void xlb_sync_set_master(struct xlb_sync *s, bool master)
{
	if (s->fd < 0)
		return;
	s->master = master;
	s->ops->set_streaming(s->ops_arg, master);
	if (master) {
		xlb_timer_cancel(s->loop, &s->bulk_req_timer);
		if (s->rx.active && !s->rx.complete && !s->rx_reported)
			rx_incomplete(s, "this node became master");
		s->rx.active = false;
		/* Drain what piled up while this node was backup: those flows are not ours. */
		if (s->rb)
			ring_buffer__consume(s->rb);
	} else {
		xlb_sync_bulk_tx_stop(&s->tx, "this node is no longer master");
		s->rx.active = false;
		s->bulk_done = false;
		xlb_timer_arm(s->loop, &s->bulk_req_timer, 0);
	}
}

int xlb_sync_start(struct xlb_sync *s, struct xlb_loop *loop, const struct xlb_cfg_sync *cfg,
		   const struct xlb_sync_ops *ops, void *ops_arg)
{
	struct sockaddr_storage ss;
	unsigned int sl;
	size_t i;
	int err, one = 1, map_fd;
	char why[256] = "";

	memset(s, 0, sizeof(*s));
	s->loop = loop;
	s->ops = ops;
	s->ops_arg = ops_arg;
	s->fd = -1;
	s->rb_fd = -1;
	xlb_timer_init(&s->flush_timer, on_flush, s);
	xlb_sync_bulk_tx_init(&s->tx, loop, &bulk_ops, s);
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
	/* Bulk ids count from a random start: a restarted master's first bulk is a new one. */
	s->bulk_id = xlb_sync_node_id_new();
	xlb_sync_peer_init(&s->replay, s->node, 0);
	xlb_addr_sockaddr(&cfg->peer_addr, cfg->peer_port, 0, &s->peer, &s->peer_len);

	xlb_addr_sockaddr(&cfg->listen_addr, cfg->listen_port, 0, &ss, &sl);
	s->fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -errno;
	/*
	 * IP_FREEBIND: the listen address may be one VRRP has not put on the interface yet. No
	 * SO_REUSEADDR: on UDP it lets a second xlbd (or anything else setting it) share the port
	 * and steal the peer's datagrams, where a refused start is what is wanted.
	 */
	setsockopt(s->fd, ss.ss_family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP,
		   ss.ss_family == AF_INET6 ? IPV6_FREEBIND : IP_FREEBIND, &one, sizeof(one));
	if (bind(s->fd, (struct sockaddr *)&ss, sl)) {
		err = -errno;
		pr_err("sync: cannot listen: %s", strerror(-err));
		goto fail;
	}
	err = xlb_loop_add_fd(loop, s->fd, EPOLLIN, on_datagram, s);
	if (err)
		goto fail;

	for (i = 0; (map_fd = ops->ring_fd(ops_arg, i)) >= 0; i++) {
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
	/* No ring (a node with no data path, as in the unit tests): nothing to stream. */
	if (s->rb) {
		s->rb_fd = ring_buffer__epoll_fd(s->rb);
		err = xlb_loop_add_fd(loop, s->rb_fd, EPOLLIN, on_ring, s);
		if (err)
			goto fail;
	}
	pr_info("sync: listening, peer set, node id %08x", s->node);
	return 0;
fail:
	xlb_sync_stop(s);
	return err;
}

void xlb_sync_stop(struct xlb_sync *s)
{
	if (!s->loop)
		return;
	xlb_timer_cancel(s->loop, &s->flush_timer);
	xlb_timer_cancel(s->loop, &s->bulk_req_timer);
	xlb_sync_bulk_tx_stop(&s->tx, "xlbd stops");
	if (s->fd >= 0) {
		live_flush(s);
		s->ops->set_streaming(s->ops_arg, false);
		xlb_loop_del_fd(s->loop, s->fd);
		close(s->fd);
	}
	if (s->rb_fd >= 0)
		xlb_loop_del_fd(s->loop, s->rb_fd);
	ring_buffer__free(s->rb);
	s->rb = NULL;
	s->fd = s->rb_fd = -1;
	s->loop = NULL;
}

void xlb_sync_state_json(const struct xlb_sync *s, struct xlb_json *j)
{
	const struct xlb_sync_stats *st = &s->stats;

	xlb_json_key(j, "sync");
	xlb_json_object_begin(j);
	xlb_json_kv_uint(j, "sent_datagrams", st->sent_dgrams);
	xlb_json_kv_uint(j, "sent_flows", st->sent_flows);
	xlb_json_kv_uint(j, "received_datagrams", st->recv_dgrams);
	xlb_json_kv_uint(j, "installed_flows", st->installed);
	xlb_json_kv_uint(j, "installed_templates", st->installed_templates);
	xlb_json_kv_uint(j, "unknown_flows", st->unknown);
	xlb_json_kv_uint(j, "rejected_datagrams", st->rejected);
	xlb_json_kv_uint(j, "rejected_version", st->rejected_version);
	xlb_json_kv_uint(j, "lost_datagrams", st->lost_dgrams);
	xlb_json_kv_uint(j, "bulk_sent", st->bulk_sent);
	xlb_json_kv_uint(j, "bulk_sent_incomplete", st->bulk_sent_incomplete);
	xlb_json_kv_uint(j, "bulk_retransmits", st->bulk_retransmits);
	xlb_json_kv_uint(j, "bulk_timeouts", st->bulk_timeouts);
	xlb_json_kv_uint(j, "bulk_received", st->bulk_received);
	xlb_json_kv_uint(j, "bulk_incomplete", st->bulk_incomplete);
	xlb_json_kv_uint(j, "bulk_duplicates", st->bulk_dups);
	xlb_json_kv_uint(j, "bulk_last_flows", st->bulk_last_flows);
	xlb_json_kv_uint(j, "bulk_last_expected", st->bulk_last_expected);
	xlb_json_kv_uint(j, "bulk_last_ms", st->bulk_last_ms);
	xlb_json_object_end(j);
}

/* A counter family of one sample. */
static void sync_counter(FILE *f, const char *name, const char *help, uint64_t v)
{
	xlb_prom_family(f, name, XLB_PROM_COUNTER, help);
	xlb_prom_uint(f, name, v, NULL);
}

void xlb_sync_metrics(const struct xlb_sync *s, FILE *f)
{
	const struct xlb_sync_stats *st = &s->stats;
	int e;

	sync_counter(f, "xlb_sync_datagrams_sent_total", "Flow sync datagrams sent to the peer.",
		     st->sent_dgrams);
	sync_counter(f, "xlb_sync_datagrams_received_total",
		     "Flow sync datagrams received from the peer and accepted.", st->recv_dgrams);
	xlb_prom_family(f, "xlb_sync_datagrams_refused_total", XLB_PROM_COUNTER,
			"Flow sync datagrams refused, by reason (mac: a wrong key or a forgery; "
			"replay, stale, future: outside the replay window).");
	for (e = 1; e < XLB_SYNC_E_MAX; e++)
		xlb_prom_uint(f, "xlb_sync_datagrams_refused_total", st->rejected_by[e], "reason",
			      xlb_sync_strerror(e), NULL);
	sync_counter(f, "xlb_sync_datagrams_lost_total",
		     "Gaps in the peer's sequence: its datagrams that never arrived.",
		     st->lost_dgrams);
	sync_counter(f, "xlb_sync_flows_sent_total", "Flow bindings streamed to the peer.",
		     st->sent_flows);
	sync_counter(f, "xlb_sync_flows_installed_total",
		     "Flow bindings from the peer written to the connection tables.", st->installed);
	sync_counter(f, "xlb_sync_templates_installed_total",
		     "Persistence templates from the peer written to the templates map.",
		     st->installed_templates);
	sync_counter(f, "xlb_sync_flows_unknown_total",
		     "Records from the peer naming a VIP or backend this node does not have.",
		     st->unknown);
	xlb_prom_family(f, "xlb_sync_bulk_total", XLB_PROM_COUNTER,
			"Bulk syncs (the whole table, for a backup that starts), by direction and "
			"outcome.");
	xlb_prom_uint(f, "xlb_sync_bulk_total", st->bulk_sent, "direction", "sent", "result",
		      "complete", NULL);
	xlb_prom_uint(f, "xlb_sync_bulk_total", st->bulk_sent_incomplete, "direction", "sent",
		      "result", "incomplete", NULL);
	xlb_prom_uint(f, "xlb_sync_bulk_total", st->bulk_received, "direction", "received",
		      "result", "complete", NULL);
	xlb_prom_uint(f, "xlb_sync_bulk_total", st->bulk_incomplete, "direction", "received",
		      "result", "incomplete", NULL);
}
