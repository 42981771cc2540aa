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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_channel_fake_node, setup_tmpdir, teardown_tmpdir),
	};

	return sync_test_main("test_sync_channel", tests, sizeof(tests) / sizeof(tests[0]));
}
