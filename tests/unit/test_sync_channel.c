// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the sync channel (user/pair/sync.c): it runs on the real loop over loopback UDP
 * against a fake node behind struct xlb_sync_ops, the test playing the peer: what reaches the
 * node, and when.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <cmocka.h>
#include <sodium.h>

#include "common/loop.h"
#include "pair/sync.h"
#include "pair/sync_bulk.h"
#include "pair/sync_pkt.h"
#include "xlb/abi.h"

#include "sync_test.h"

/* ---- the channel, on the real loop, over loopback, with a fake node behind its ops ---- */

#define CH_VIP_ID 7
#define CH_BACKEND_ID 3

/*
 * The node: one VIP (mk_rec4's) with one backend, 10.0.0.1; what sync asked of it. Its tables
 * are maps the test makes (-1: none, an empty table).
 */
struct fake_node {
	unsigned int installs, template_installs, unknown_asks, announces;
	int streaming; /* -1: never set */
	struct xlb_flow flow;
	struct xlb_conn conn;
	struct xlb_template_key tkey;
	struct xlb_template tmpl;
	int conns_fd, templates_fd;
};

static int fake_resolve(void *arg, const struct xlb_vip_key *vip, const struct xlb_addr *backend,
			uint32_t *vip_id, uint32_t *backend_id)
{
	struct fake_node *n = arg;
	struct xlb_sync_rec known;

	mk_rec4(0, &known);
	if (memcmp(vip, &known.vip, sizeof(*vip)) ||
	    memcmp(backend, &known.backend, sizeof(*backend))) {
		n->unknown_asks++;
		return -ENOENT;
	}
	*vip_id = CH_VIP_ID;
	*backend_id = CH_BACKEND_ID;
	return 0;
}

static int fake_describe(void *arg, uint32_t vip_id, uint32_t backend_id, struct xlb_vip_key *vip,
			 struct xlb_addr *backend)
{
	struct xlb_sync_rec known;

	(void)arg;
	if (vip_id != CH_VIP_ID || backend_id != CH_BACKEND_ID)
		return -ENOENT;
	mk_rec4(0, &known);
	*vip = known.vip;
	*backend = known.backend;
	return 0;
}

static void fake_install(void *arg, const struct xlb_flow *flow, const struct xlb_conn *c)
{
	struct fake_node *n = arg;

	n->installs++;
	n->flow = *flow;
	n->conn = *c;
}

static void fake_install_template(void *arg, const struct xlb_template_key *k,
				  const struct xlb_template *t)
{
	struct fake_node *n = arg;

	n->template_installs++;
	n->tkey = *k;
	n->tmpl = *t;
}

static int fake_conns_fd(void *arg)
{
	return ((struct fake_node *)arg)->conns_fd;
}

static int fake_templates_fd(void *arg)
{
	return ((struct fake_node *)arg)->templates_fd;
}

static void fake_set_streaming(void *arg, bool on)
{
	((struct fake_node *)arg)->streaming = on;
}

static int fake_ring_fd(void *arg, size_t i)
{
	(void)arg;
	(void)i;
	return -ENOENT;
}

static void fake_peer_became_backup(void *arg)
{
	((struct fake_node *)arg)->announces++;
}

static const struct xlb_sync_ops fake_ops = {
	.resolve = fake_resolve,
	.describe = fake_describe,
	.install = fake_install,
	.install_template = fake_install_template,
	.conns_fd = fake_conns_fd,
	.templates_fd = fake_templates_fd,
	.set_streaming = fake_set_streaming,
	.ring_fd = fake_ring_fd,
	.peer_became_backup = fake_peer_became_backup,
};

static void on_ch_stop(struct xlb_loop *loop, struct xlb_timer *t)
{
	(void)t;
	xlb_loop_stop(loop);
}

static void run_loop_ms(struct xlb_loop *loop, unsigned int ms)
{
	struct xlb_timer t = {};

	xlb_timer_init(&t, on_ch_stop, NULL);
	assert_int_equal(xlb_timer_arm(loop, &t, ms * 1000000ull), 0);
	assert_int_equal(xlb_loop_run(loop), 0);
	loop->stop = false;
}

/* The peer sends one datagram of type with these records, as its sync would. */
static void peer_send(int fd, const struct sockaddr_in *to, uint8_t type, uint64_t seq,
		      const struct xlb_sync_rec *recs, unsigned int n)
{
	static struct xlb_sync_enc enc;
	unsigned int i;
	size_t len;

	xlb_sync_enc_init(&enc, type, PEER_NODE, seq, xlb_sync_now_ms());
	for (i = 0; i < n; i++)
		assert_int_equal(xlb_sync_enc_add(&enc, &recs[i]), 0);
	len = xlb_sync_enc_finish(&enc, key);
	assert_int_equal(sendto(fd, enc.buf, len, 0, (const struct sockaddr *)to, sizeof(*to)),
			 (ssize_t)len);
}

/*
 * Test the channel against its node: a backup asks the peer for a bulk sync as it starts and
 * stops the data path's streaming; of a datagram's flows, the one naming a VIP and backend the
 * node has is installed with the node's ids, the other counted unknown and not installed; as
 * master, a peer's bulk request makes the node announce itself (peer_became_backup), and stop
 * turns streaming off.
 */
static void test_channel_fake_node(void **state)
{
	static struct xlb_sync s;
	static struct xlb_sync_msg msg;
	struct fake_node node = { .streaming = -1, .conns_fd = -1, .templates_fd = -1 };
	struct xlb_cfg_sync cfg = {};
	struct sockaddr_in peer = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	struct sockaddr_in at = { .sin_family = AF_INET };
	struct xlb_sync_peer_state replay;
	struct xlb_sync_rec recs[2];
	struct xlb_loop loop;
	socklen_t sl = sizeof(peer);
	uint8_t buf[XLB_SYNC_MAX_DGRAM + 1];
	ssize_t n;
	int pfd;

	(void)state;
	pfd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(pfd >= 0);
	assert_int_equal(bind(pfd, (struct sockaddr *)&peer, sizeof(peer)), 0);
	assert_int_equal(getsockname(pfd, (struct sockaddr *)&peer, &sl), 0);
	snprintf(cfg.key_file, sizeof(cfg.key_file), "%s", key_file("key", key, sizeof(key), 0600));
	cfg.listen_addr.family = cfg.peer_addr.family = XLB_FAMILY_V4;
	cfg.listen_addr.w[0] = cfg.peer_addr.w[0] = htonl(0x7f000001);
	cfg.listen_port = 0; /* any: read back below */
	cfg.peer_port = ntohs(peer.sin_port);

	assert_int_equal(xlb_loop_init(&loop, NULL, NULL, NULL), 0);
	assert_int_equal(xlb_sync_start(&s, &loop, &cfg, &fake_ops, &node), 0);
	sl = sizeof(at);
	assert_int_equal(getsockname(s.fd, (struct sockaddr *)&at, &sl), 0);

	/* Backup: streaming off, and a bulk request reaches the peer. */
	xlb_sync_set_master(&s, false);
	assert_int_equal(node.streaming, 0);
	run_loop_ms(&loop, 50);
	n = recv(pfd, buf, sizeof(buf), MSG_DONTWAIT);
	assert_true(n > 0);
	xlb_sync_peer_init(&replay, PEER_NODE, 0);
	assert_int_equal(xlb_sync_decode(buf, n, key, xlb_sync_now_ms(), &replay, &msg), 0);
	assert_int_equal(msg.type, XLB_SYNC_BULK_REQUEST);

	/* Live flows: 10.0.0.1 is the node's, 10.0.0.2 is not. */
	mk_rec4(0, &recs[0]);
	mk_rec4(1, &recs[1]);
	peer_send(pfd, &at, XLB_SYNC_FLOWS, 1, recs, 2);
	run_loop_ms(&loop, 50);
	assert_int_equal(s.stats.recv_dgrams, 1);
	assert_int_equal(node.installs, 1);
	assert_int_equal(s.stats.installed, 1);
	assert_int_equal(node.unknown_asks, 1);
	assert_int_equal(s.stats.unknown, 1);
	assert_memory_equal(&node.flow, &recs[0].flow, sizeof(node.flow));
	assert_int_equal(node.conn.vip_id, CH_VIP_ID);
	assert_int_equal(node.conn.backend, CH_BACKEND_ID);
	assert_int_equal(node.announces, 0);

	/* Master: the peer's bulk request means it just became backup. */
	xlb_sync_set_master(&s, true);
	assert_int_equal(node.streaming, 1);
	peer_send(pfd, &at, XLB_SYNC_BULK_REQUEST, 2, NULL, 0);
	run_loop_ms(&loop, 50);
	assert_int_equal(node.announces, 1);
	assert_int_equal(node.installs, 1);

	xlb_sync_stop(&s);
	assert_int_equal(node.streaming, 0);
	xlb_sync_stop(&s); /* a stopped channel stops again as a no-op */
	xlb_loop_fini(&loop);
	close(pfd);
}

/* ---- states and templates through the channel (wire version 3) ---- */

/* A channel on the loop and the test's peer socket: what each test below starts from. */
struct ch {
	struct xlb_sync s;
	struct xlb_loop loop;
	struct fake_node node;
	struct sockaddr_in at; /* the channel's address */
	int pfd;               /* the peer's socket */
	struct xlb_sync_peer_state replay; /* the peer's, for what the channel sends */
	uint64_t peer_seq;
};

static void ch_start(struct ch *c, bool master)
{
	struct sockaddr_in peer = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	struct xlb_cfg_sync cfg = {};
	socklen_t sl = sizeof(peer);

	c->at = (struct sockaddr_in){ .sin_family = AF_INET };
	c->pfd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(c->pfd >= 0);
	assert_int_equal(bind(c->pfd, (struct sockaddr *)&peer, sizeof(peer)), 0);
	assert_int_equal(getsockname(c->pfd, (struct sockaddr *)&peer, &sl), 0);
	snprintf(cfg.key_file, sizeof(cfg.key_file), "%s", key_file("key", key, sizeof(key), 0600));
	cfg.listen_addr.family = cfg.peer_addr.family = XLB_FAMILY_V4;
	cfg.listen_addr.w[0] = cfg.peer_addr.w[0] = htonl(0x7f000001);
	cfg.peer_port = ntohs(peer.sin_port);
	assert_int_equal(xlb_loop_init(&c->loop, NULL, NULL, NULL), 0);
	assert_int_equal(xlb_sync_start(&c->s, &c->loop, &cfg, &fake_ops, &c->node), 0);
	sl = sizeof(c->at);
	assert_int_equal(getsockname(c->s.fd, (struct sockaddr *)&c->at, &sl), 0);
	xlb_sync_peer_init(&c->replay, PEER_NODE, 0);
	xlb_sync_set_master(&c->s, master);
	run_loop_ms(&c->loop, 20);
	/* A backup's first bulk request is not what the tests look at. */
	while (recv(c->pfd, (uint8_t[XLB_SYNC_MAX_DGRAM + 1]){}, XLB_SYNC_MAX_DGRAM + 1,
		    MSG_DONTWAIT) > 0)
		;
}

static void ch_stop(struct ch *c)
{
	xlb_sync_stop(&c->s);
	xlb_loop_fini(&c->loop);
	close(c->pfd);
}

/* The next datagram the channel sent the peer, decoded into *m: 0, or -EAGAIN when none. */
static int ch_recv(struct ch *c, struct xlb_sync_msg *m)
{
	uint8_t buf[XLB_SYNC_MAX_DGRAM + 1];
	ssize_t n = recv(c->pfd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n < 0)
		return -EAGAIN;
	assert_int_equal(xlb_sync_decode(buf, n, key, xlb_sync_now_ms(), &c->replay, m), 0);
	return 0;
}

/* mk_rec4(i)'s client's persistence template of 203.0.113.10:443. */
static void mk_tmpl4(unsigned int i, struct xlb_sync_rec *r)
{
	mk_rec4(i, r);
	r->kind = XLB_FLOW_K_TEMPLATE;
	r->state = XLB_CS_ACTIVE;
	r->flow.sport = 0;
}

/*
 * Test that a backup installs what version 3 adds — a flow with its state (CLOSING here) into
 * conns, a template into templates in the node's own ids (its client, family, backend and age) —
 * and that a version-2 datagram and one with an unknown state are refused whole and counted by
 * reason, nothing of them installed.
 */
static void test_channel_backup_states_templates(void **state)
{
	static struct ch c;
	struct xlb_sync_rec recs[2];
	static struct xlb_sync_enc enc;
	uint64_t now_ns;
	struct timespec ts;
	size_t len;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.node = (struct fake_node){ .streaming = -1, .conns_fd = -1, .templates_fd = -1 };
	ch_start(&c, false);

	mk_rec4(0, &recs[0]);
	recs[0].state = XLB_CS_CLOSING;
	mk_tmpl4(0, &recs[1]);
	recs[1].age_s = 30;
	peer_send(c.pfd, &c.at, XLB_SYNC_FLOWS, 1, recs, 2);
	run_loop_ms(&c.loop, 50);
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	now_ns = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	assert_int_equal(c.node.installs, 1);
	assert_int_equal(c.node.conn.state, XLB_CS_CLOSING);
	assert_int_equal(c.node.conn.vip_id, CH_VIP_ID);
	assert_int_equal(c.node.template_installs, 1);
	assert_int_equal(c.s.stats.installed, 1);
	assert_int_equal(c.s.stats.installed_templates, 1);
	assert_memory_equal(c.node.tkey.client, recs[1].flow.src, sizeof(c.node.tkey.client));
	assert_int_equal(c.node.tkey.vip_id, CH_VIP_ID);
	assert_int_equal(c.node.tkey.family, XLB_FAMILY_V4);
	assert_int_equal(c.node.tkey.pad[0] | c.node.tkey.pad[1] | c.node.tkey.pad[2], 0);
	assert_int_equal(c.node.tmpl.backend, CH_BACKEND_ID);
	assert_int_equal(c.node.tmpl.pad, 0);
	/* 30 s old, to within the test's own run time. */
	assert_true(c.node.tmpl.last_seen <= now_ns - 30000000000ull + 1000000000ull);
	assert_true(c.node.tmpl.last_seen >= now_ns - 31000000000ull);

	/* A version-2 peer: refused by version, counted both ways. */
	xlb_sync_enc_init(&enc, XLB_SYNC_FLOWS, PEER_NODE, 2, xlb_sync_now_ms());
	assert_int_equal(xlb_sync_enc_add(&enc, &recs[0]), 0);
	len = xlb_sync_enc_finish(&enc, key);
	enc.buf[offsetof(struct xlb_sync_hdr, version)] = 2;
	crypto_auth(enc.buf + len - MAC, enc.buf, len - MAC, key);
	assert_int_equal(sendto(c.pfd, enc.buf, len, 0, (struct sockaddr *)&c.at, sizeof(c.at)),
			 (ssize_t)len);
	/* An unknown state, MACed right: refused by its record. */
	xlb_sync_enc_init(&enc, XLB_SYNC_FLOWS, PEER_NODE, 3, xlb_sync_now_ms());
	assert_int_equal(xlb_sync_enc_add(&enc, &recs[0]), 0);
	assert_int_equal(xlb_sync_enc_add(&enc, &recs[1]), 0);
	len = xlb_sync_enc_finish(&enc, key);
	enc.buf[HDR + offsetof(struct xlb_sync_wire_rec, state)] = XLB_CS_MAX;
	crypto_auth(enc.buf + len - MAC, enc.buf, len - MAC, key);
	assert_int_equal(sendto(c.pfd, enc.buf, len, 0, (struct sockaddr *)&c.at, sizeof(c.at)),
			 (ssize_t)len);
	run_loop_ms(&c.loop, 50);
	assert_int_equal(c.s.stats.rejected, 2);
	assert_int_equal(c.s.stats.rejected_version, 1);
	assert_int_equal(c.s.stats.rejected_by[XLB_SYNC_E_VERSION], 1);
	assert_int_equal(c.s.stats.rejected_by[XLB_SYNC_E_STATE], 1);
	assert_int_equal(c.node.installs, 1);
	assert_int_equal(c.node.template_installs, 1);
	ch_stop(&c);
}

/* A flow_events record as the data path writes it: the flow of mk_rec4(i), kind in pad[0]. */
static struct xlb_flow_event mk_event(unsigned int i, uint8_t kind, uint8_t state)
{
	struct xlb_flow_event ev = {};
	struct xlb_sync_rec r;

	kind == XLB_FLOW_K_TEMPLATE ? mk_tmpl4(i, &r) : mk_rec4(i, &r);
	ev.flow = r.flow;
	ev.flow.pad[0] = kind;
	ev.backend = CH_BACKEND_ID;
	ev.vip_id = CH_VIP_ID;
	ev.state = state;
	return ev;
}

/*
 * Test that a master streams flow_events as they come: a new flow (ACTIVE), its state changes
 * (CLOSING) and a proved template, in one datagram within the flush interval, with their kind
 * and state — the template's kind out of pad[0] into its own field, its key with no client port;
 * an event of an unknown state or kind is left out, as one naming an unknown backend.
 */
static void test_channel_master_streams_events(void **state)
{
	static struct xlb_sync_msg m;
	static struct ch c;
	struct xlb_flow_event ev;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.node = (struct fake_node){ .streaming = -1, .conns_fd = -1, .templates_fd = -1 };
	ch_start(&c, true);
	ev = mk_event(0, XLB_FLOW_K_CONN, XLB_CS_ACTIVE);
	xlb_sync_flow_event(&c.s, &ev);
	ev = mk_event(0, XLB_FLOW_K_CONN, XLB_CS_CLOSING);
	xlb_sync_flow_event(&c.s, &ev);
	ev = mk_event(0, XLB_FLOW_K_TEMPLATE, XLB_CS_ACTIVE);
	xlb_sync_flow_event(&c.s, &ev);
	ev = mk_event(1, XLB_FLOW_K_CONN, XLB_CS_MAX);
	xlb_sync_flow_event(&c.s, &ev);
	ev = mk_event(2, 7, XLB_CS_ACTIVE);
	xlb_sync_flow_event(&c.s, &ev);
	ev = mk_event(3, XLB_FLOW_K_CONN, XLB_CS_ACTIVE);
	ev.backend = CH_BACKEND_ID + 1;
	xlb_sync_flow_event(&c.s, &ev);
	run_loop_ms(&c.loop, 50);

	assert_int_equal(ch_recv(&c, &m), 0);
	assert_int_equal(m.type, XLB_SYNC_FLOWS);
	assert_int_equal(m.b.bulk, 0);
	assert_int_equal(m.count, 3);
	assert_int_equal(m.recs[0].kind, XLB_FLOW_K_CONN);
	assert_int_equal(m.recs[0].state, XLB_CS_ACTIVE);
	assert_int_equal(m.recs[1].kind, XLB_FLOW_K_CONN);
	assert_int_equal(m.recs[1].state, XLB_CS_CLOSING);
	assert_int_equal(m.recs[2].kind, XLB_FLOW_K_TEMPLATE);
	assert_int_equal(m.recs[2].state, XLB_CS_ACTIVE);
	assert_int_equal(m.recs[2].flow.sport, 0);
	assert_int_equal(m.recs[2].flow.dport, htons(443));
	assert_int_equal(m.recs[2].flow.pad[0], 0);
	assert_int_equal(ch_recv(&c, &m), -EAGAIN);
	ch_stop(&c);
}

#define BULK_FLOWS 40
#define BULK_TEMPLATES 10

static int map_make(uint32_t key_size, uint32_t value_size)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "sync_test", key_size, value_size, 1024, NULL);

	if (fd < 0)
		fail_msg("bpf_map_create: %s", strerror(errno));
	return fd;
}

/*
 * Test that a bulk sync walks conns and then templates: the peer (a backup) gets every flow with
 * its state and every template as a template record (the VIP's address and port, no client
 * port, its age), the END counting both, the master reporting the bulk complete; entries naming
 * a VIP or backend the node does not have are left out of the walk and of the count.
 */
static void test_channel_bulk_states_templates(void **state)
{
	static struct xlb_sync_msg m;
	static struct ch c;
	struct xlb_sync_bulk_rx rx = {};
	struct xlb_sync_bulk_fields f;
	unsigned int i, flows = 0, templates = 0, by_state[XLB_CS_MAX] = {}, rounds;
	struct xlb_sync_rec r;
	struct timespec ts;
	uint64_t now_ns;
	bool end = false;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.node = (struct fake_node){ .streaming = -1 };
	c.node.conns_fd = map_make(sizeof(struct xlb_flow), sizeof(struct xlb_conn));
	c.node.templates_fd = map_make(sizeof(struct xlb_template_key),
				       sizeof(struct xlb_template));
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	now_ns = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	for (i = 0; i <= BULK_FLOWS; i++) {
		struct xlb_conn v = { .backend = CH_BACKEND_ID, .vip_id = CH_VIP_ID,
				      .state = i % XLB_CS_MAX, .last_seen = now_ns };

		mk_rec4(i, &r);
		if (i == BULK_FLOWS)
			v.backend = CH_BACKEND_ID + 1; /* not the node's: left out */
		assert_int_equal(bpf_map_update_elem(c.node.conns_fd, &r.flow, &v, 0), 0);
	}
	for (i = 0; i <= BULK_TEMPLATES; i++) {
		struct xlb_template_key k = { .vip_id = CH_VIP_ID, .family = XLB_FAMILY_V4 };
		struct xlb_template v = { .backend = CH_BACKEND_ID,
					  .last_seen = now_ns - 60000000000ull };

		k.client[0] = htonl(0xc6336400 + 100 + i);
		if (i == BULK_TEMPLATES)
			k.vip_id = CH_VIP_ID + 1; /* not the node's: left out */
		assert_int_equal(bpf_map_update_elem(c.node.templates_fd, &k, &v, 0), 0);
	}
	ch_start(&c, true);
	peer_send(c.pfd, &c.at, XLB_SYNC_BULK_REQUEST, ++c.peer_seq, NULL, 0);
	for (rounds = 0; !rx.complete && rounds < 50; rounds++) {
		run_loop_ms(&c.loop, 20);
		while (!ch_recv(&c, &m)) {
			if (m.type != XLB_SYNC_FLOWS && m.type != XLB_SYNC_BULK_END)
				continue;
			assert_int_not_equal(m.b.bulk, 0);
			if (xlb_sync_bulk_rx_chunk(&rx, m.type, &m.b, m.count) != XLB_SYNC_BULK_TAKE)
				continue;
			end |= m.type == XLB_SYNC_BULK_END;
			for (i = 0; i < m.count; i++) {
				const struct xlb_sync_rec *g = &m.recs[i];

				if (g->kind == XLB_FLOW_K_CONN) {
					/* conns first, every flow before any template */
					assert_int_equal(templates, 0);
					flows++;
					by_state[g->state]++;
					continue;
				}
				templates++;
				assert_int_equal(g->kind, XLB_FLOW_K_TEMPLATE);
				assert_int_equal(g->state, XLB_CS_ACTIVE);
				assert_int_equal(g->flow.sport, 0);
				assert_int_equal(g->flow.dport, htons(443));
				assert_int_equal(g->flow.proto, IPPROTO_TCP);
				assert_int_equal(g->flow.dst[0], htonl(0xcb00710a));
				assert_true(g->age_s >= 59 && g->age_s <= 61);
			}
		}
		xlb_sync_bulk_rx_ack(&rx, c.replay.seq, &f);
		{
			static struct xlb_sync_enc enc;
			size_t len;

			xlb_sync_enc_init(&enc, XLB_SYNC_BULK_ACK, PEER_NODE, ++c.peer_seq,
					  xlb_sync_now_ms());
			xlb_sync_enc_bulk(&enc, &f);
			len = xlb_sync_enc_finish(&enc, key);
			assert_int_equal(sendto(c.pfd, enc.buf, len, 0, (struct sockaddr *)&c.at,
						sizeof(c.at)), (ssize_t)len);
		}
	}
	run_loop_ms(&c.loop, 20);
	assert_true(end && rx.complete);
	assert_int_equal(flows, BULK_FLOWS);
	assert_int_equal(templates, BULK_TEMPLATES);
	assert_int_equal(rx.expected, BULK_FLOWS + BULK_TEMPLATES);
	for (i = 0; i < XLB_CS_MAX; i++)
		assert_true(by_state[i] >= BULK_FLOWS / XLB_CS_MAX);
	assert_int_equal(c.s.stats.bulk_sent, 1);
	assert_int_equal(c.s.stats.bulk_last_flows, BULK_FLOWS + BULK_TEMPLATES);
	ch_stop(&c);
	close(c.node.conns_fd);
	close(c.node.templates_fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_channel_fake_node, setup_tmpdir, teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_channel_backup_states_templates, setup_tmpdir,
						teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_channel_master_streams_events, setup_tmpdir,
						teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_channel_bulk_states_templates, setup_tmpdir,
						teardown_tmpdir),
	};

	return sync_test_main("test_sync_channel", tests, sizeof(tests) / sizeof(tests[0]));
}
