// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ZooKeeper failover backend: leader election through a ZooKeeper ensemble, driven from
 * xlbd's loop. Every node holds an ephemeral sequential znode under PATH/nodes/ (named by its
 * session, zk_elect.h); the lowest is master: it takes the virtual addresses through the
 * announcer VRRP uses (GARP / NA), tells its host, and publishes itself at PATH/master
 * (ephemeral, JSON). The others watch the list and PATH/master.
 *
 * The client is the single-threaded C library (libzookeeper_st): zookeeper_interest() names
 * the socket, what to wait for and when to call again; zookeeper_process() runs completions
 * and watchers on this thread, from our loop. Only asynchronous calls are made. (The mt
 * library runs its own I/O and completion threads: its callbacks would race this loop.)
 *
 * Safety: a master that stops hearing from the servers gives the addresses up 2/3 of the
 * negotiated session timeout after the send time of its last answered request (its "contact",
 * a lower bound of the servers' last touch of the session), before they can expire the session
 * and let another node win (xlb_zk_release_at()). Requests go out every 1/6 of the timeout, so
 * a healthy master always has a fresh contact. A session the servers expired is dropped: a
 * new one, and a new node, as if the node had just started.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <zookeeper/zookeeper.h>

#include "common/log.h"
#include "common/output.h"
#include "common/prom.h"
#include "pair/announce.h"
#include "pair/failover.h"
#include "pair/vaddr.h"
#include "pair/zk_elect.h"

/* GARP / NA on taking the addresses, and again a second later for a switch that missed them. */
#define ZK_GARP_REPEAT 3
#define ZK_GARP_AGAIN_NS (1000 * XLB_MS)
/* A new session after the last one expired or could not be made. */
#define ZK_RESTART_NS (1000 * XLB_MS)
/* PATH/nodes or PATH/master; a node's full path. */
#define ZK_PATH_SIZE (sizeof(((struct xlb_cfg_zk *)0)->path) + sizeof("/master"))
#define ZK_NODE_SIZE (ZK_PATH_SIZE + 64)

enum zk_state {
	ZK_CONNECTING, /* no session yet, or a new one after expiry */
	ZK_JOINING,    /* a session: our node is being created */
	ZK_BACKUP,     /* our node is not the lowest */
	ZK_MASTER,     /* it is: we hold the addresses */
	ZK_CUT_OFF,    /* was master, heard nothing for too long: released, waiting for contact */
};

static const char *const zk_state_names[] = {
	[ZK_CONNECTING] = "connecting", [ZK_JOINING] = "joining", [ZK_BACKUP] = "backup",
	[ZK_MASTER] = "master", [ZK_CUT_OFF] = "cut_off",
};

struct fo_zk {
	struct xlb_failover *fo;
	const struct xlb_cfg_zk *cfg;
	struct xlb_loop *loop;
	zhandle_t *zh;
	unsigned int gen;  /* the session's; requests of an older one are dropped unread */
	int fd;            /* the client's socket as watched in the loop; -1: none */
	struct xlb_timer io_timer;      /* zookeeper_interest()'s timeout */
	struct xlb_timer hb_timer;      /* the next request that proves contact */
	struct xlb_timer release_timer; /* master: contact + 2/3 of the timeout */
	struct xlb_timer restart_timer; /* a new session, outside the client's callbacks */
	struct xlb_timer garp_timer;    /* the second round of GARP / NA */
	struct xlb_vaddr_set vaddrs;
	struct xlb_announcer an;
	char name[64];                  /* ours in PATH/master */
	char nodes[ZK_PATH_SIZE];       /* PATH/nodes */
	char master_path[ZK_PATH_SIZE]; /* PATH/master */
	char prefix[XLB_ZK_PREFIX_SIZE];
	char node[ZK_NODE_SIZE];        /* our node once created; "" none */
	char master[64];                /* the master's name as PATH/master says; "" unknown */
	int64_t session;
	uint32_t timeout_ms;            /* negotiated (asked for until connected) */
	enum zk_state state;
	bool connected, creating, listing, relist, hb_pending, holding;
	uint64_t contact_ns;            /* send time of the latest request answered */
	uint64_t state_since_ns;
	struct timespec master_since;   /* wall clock, for PATH/master */
	struct {
		uint64_t sessions, expired, disconnects, elections, to_master, to_backup;
		uint64_t released_cut_off, heartbeats, heartbeats_failed, published;
	} stats;
};

/* One request in flight: its send time is the contact its answer proves. */
struct zk_req {
	struct fo_zk *z;
	unsigned int gen;
	uint64_t sent_ns;
};

static void zk_pump(struct fo_zk *z);
static void zk_list(struct fo_zk *z);
static void zk_read_master(struct fo_zk *z);
static void zk_publish(struct fo_zk *z);
static void zk_republish(struct fo_zk *z);

static struct zk_req *zk_req(struct fo_zk *z)
{
	struct zk_req *r = malloc(sizeof(*r));

	if (r)
		*r = (struct zk_req){ .z = z, .gen = z->gen, .sent_ns = xlb_now_ns() };
	else
		pr_err("zookeeper: out of memory for a request");
	return r;
}

/* The request's fo_zk if it is of the current session (r is freed either way), else NULL. */
static struct fo_zk *zk_answered(const void *data, uint64_t *sent_ns)
{
	struct zk_req *r = (struct zk_req *)data;
	struct fo_zk *z = r->z;
	bool current = z->zh && r->gen == z->gen;

	*sent_ns = r->sent_ns;
	free(r);
	return current ? z : NULL;
}

/* A call that failed at once: its completion will not run. */
static void zk_call_failed(struct zk_req *r, const char *what, int rc)
{
	pr_warn("zookeeper: %s: %s", what, zerror(rc));
	free(r);
}

static void zk_set_state(struct fo_zk *z, enum zk_state s)
{
	if (z->state == s)
		return;
	pr_info("zookeeper: %s -> %s", zk_state_names[z->state], zk_state_names[s]);
	z->state = s;
	z->state_since_ns = xlb_now_ns();
}

/* Give the addresses up (if held) and tell the host; state is where this leaves us. */
static void zk_demote(struct fo_zk *z, enum zk_state state, const char *why)
{
	if (z->holding) {
		z->an.ops->release(z->an.arg);
		z->holding = false;
		xlb_timer_cancel(z->loop, &z->garp_timer);
		xlb_timer_cancel(z->loop, &z->release_timer);
		z->stats.to_backup++;
		pr_warn("zookeeper: released the virtual addresses: %s", why);
		zk_set_state(z, state);
		z->fo->host.role_changed(z->fo->host.arg, false);
		return;
	}
	zk_set_state(z, state);
}

static void zk_arm_release(struct fo_zk *z)
{
	uint64_t at = xlb_zk_release_at(z->contact_ns, z->timeout_ms), now = xlb_now_ns();

	xlb_timer_arm(z->loop, &z->release_timer, at > now ? at - now : 0);
}

static void zk_promote(struct fo_zk *z)
{
	int i;

	if (z->state == ZK_MASTER)
		return;
	/* the contact that elected us is fresh, or we would not be here: held for 2/3 T from it */
	if (xlb_now_ns() >= xlb_zk_release_at(z->contact_ns, z->timeout_ms))
		return;
	z->an.ops->hold(z->an.arg);
	for (i = 0; i < ZK_GARP_REPEAT; i++)
		z->an.ops->announce(z->an.arg);
	z->holding = true;
	clock_gettime(CLOCK_REALTIME, &z->master_since);
	xlb_timer_arm(z->loop, &z->garp_timer, ZK_GARP_AGAIN_NS);
	zk_arm_release(z);
	z->stats.to_master++;
	snprintf(z->master, sizeof(z->master), "%s", z->name);
	pr_info("zookeeper: master (%s is the lowest node): holding the virtual addresses", z->node);
	zk_set_state(z, ZK_MASTER);
	z->fo->host.role_changed(z->fo->host.arg, true);
	zk_publish(z);
}

/* An answer came: the servers touched the session no sooner than the request left. */
static void zk_contact(struct fo_zk *z, uint64_t sent_ns)
{
	if (sent_ns <= z->contact_ns)
		return;
	z->contact_ns = sent_ns;
	if (z->state == ZK_MASTER) {
		zk_arm_release(z);
	} else if (z->state == ZK_CUT_OFF) {
		pr_info("zookeeper: the servers answer again, same session: electing again");
		zk_set_state(z, ZK_JOINING);
		zk_list(z);
	}
}

/* ---- our node ---- */

static void zk_on_created(int rc, const char *value, const void *data)
{
	uint64_t sent;
	struct fo_zk *z = zk_answered(data, &sent);

	if (!z)
		return;
	z->creating = false;
	if (rc != ZOK) {
		/* lost with the connection, it may exist: the next list finds it by its prefix */
		pr_warn("zookeeper: creating our node under %s: %s", z->nodes, zerror(rc));
		return;
	}
	zk_contact(z, sent);
	snprintf(z->node, sizeof(z->node), "%s", value);
	pr_info("zookeeper: joined as %s", z->node);
	zk_list(z);
}

static void zk_create_node(struct fo_zk *z)
{
	char path[ZK_NODE_SIZE];
	struct zk_req *r;
	int rc;

	if (z->creating || !z->connected)
		return;
	r = zk_req(z);
	if (!r)
		return;
	snprintf(path, sizeof(path), "%s/%s", z->nodes, z->prefix);
	rc = zoo_acreate(z->zh, path, z->name, strlen(z->name), &ZOO_OPEN_ACL_UNSAFE,
			 ZOO_EPHEMERAL | ZOO_SEQUENCE, zk_on_created, r);
	if (rc != ZOK)
		return zk_call_failed(r, "creating our node", rc);
	z->creating = true;
}

static void zk_on_parent(int rc, const char *value, const void *data)
{
	uint64_t sent;
	struct fo_zk *z = zk_answered(data, &sent);

	(void)value;
	if (z && rc != ZOK && rc != ZNODEEXISTS && rc != ZCONNECTIONLOSS)
		pr_warn("zookeeper: creating the election's znodes (%s): %s", z->nodes, zerror(rc));
}

/*
 * PATH's components and PATH/nodes, persistent; those that exist answer ZNODEEXISTS. Answers
 * come back in the order the requests went, so a create or list sent after these finds them.
 */
static void zk_ensure_path(struct fo_zk *z)
{
	char path[ZK_PATH_SIZE];
	struct zk_req *r;
	char *slash;
	int rc;

	snprintf(path, sizeof(path), "%s", z->nodes);
	for (slash = strchr(path + 1, '/');; slash = strchr(slash + 1, '/')) {
		if (slash)
			*slash = '\0';
		r = zk_req(z);
		if (!r)
			return;
		rc = zoo_acreate(z->zh, path, NULL, -1, &ZOO_OPEN_ACL_UNSAFE, 0, zk_on_parent, r);
		if (rc != ZOK)
			return zk_call_failed(r, "creating the election's znodes", rc);
		if (!slash)
			return;
		*slash = '/';
	}
}

/* ---- the election ---- */

static void zk_node_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx);

static void zk_on_children(int rc, const struct String_vector *names, const void *data)
{
	uint64_t sent;
	struct fo_zk *z = zk_answered(data, &sent);
	struct xlb_zk_view v;

	if (!z)
		return;
	z->listing = false;
	if (z->relist) {
		z->relist = false;
		zk_list(z);
	}
	if (rc != ZOK) {
		if (rc != ZCONNECTIONLOSS)
			pr_warn("zookeeper: listing %s: %s", z->nodes, zerror(rc));
		return;
	}
	zk_contact(z, sent);
	if (z->state == ZK_CUT_OFF)
		return; /* zk_contact() listed again: it would not be fresh enough to promote */
	z->stats.elections++;
	xlb_zk_elect((const char *const *)names->data, names->count, z->prefix, &v);
	if (v.mine < 0) {
		if (z->node[0])
			pr_warn("zookeeper: our node %s is gone", z->node);
		z->node[0] = '\0';
		zk_demote(z, ZK_JOINING, "our node is gone");
		zk_create_node(z);
		return;
	}
	snprintf(z->node, sizeof(z->node), "%s/%s", z->nodes, names->data[v.mine]);
	if (v.mine == v.lowest) {
		zk_promote(z);
		return;
	}
	zk_demote(z, ZK_BACKUP, "a lower node is master");
	zk_read_master(z);
}

/* The list, with a watch: a child event lists again. One list in flight at a time. */
static void zk_list(struct fo_zk *z)
{
	struct zk_req *r;
	int rc;

	if (!z->connected)
		return;
	if (z->listing) {
		z->relist = true;
		return;
	}
	r = zk_req(z);
	if (!r)
		return;
	rc = zoo_awget_children(z->zh, z->nodes, zk_node_watcher, z, zk_on_children, r);
	if (rc != ZOK)
		return zk_call_failed(r, "listing the nodes", rc);
	z->listing = true;
}

/* ---- PATH/master ---- */

static void zk_watch_master(struct fo_zk *z);

static void zk_on_master_data(int rc, const char *value, int len, const struct Stat *stat,
			      const void *data)
{
	uint64_t sent;
	struct fo_zk *z = zk_answered(data, &sent);

	(void)stat;
	if (!z)
		return;
	if (rc == ZOK) {
		zk_contact(z, sent);
		if (!value || len <= 0 ||
		    xlb_zk_json_str(value, len, "node", z->master, sizeof(z->master)))
			z->master[0] = '\0';
	} else if (rc == ZNONODE) {
		zk_contact(z, sent);
		z->master[0] = '\0';
		/* no data watch on a node that is not there: one on its creation */
		zk_watch_master(z);
	}
}

static void zk_on_master_exists(int rc, const struct Stat *stat, const void *data)
{
	uint64_t sent;
	struct fo_zk *z = zk_answered(data, &sent);

	if (!z || (rc != ZOK && rc != ZNONODE))
		return;
	zk_contact(z, sent);
	if (z->state == ZK_MASTER) {
		/* ours from before a cut-off of this session: update it; another's: its watch */
		if (rc == ZOK && stat->ephemeralOwner == z->session)
			zk_republish(z);
		else if (rc == ZNONODE)
			zk_publish(z);
	} else if (rc == ZOK) {
		zk_read_master(z);
	}
}

/* Watch PATH/master: its data if it exists, else its creation. */
static void zk_watch_master(struct fo_zk *z)
{
	struct zk_req *r = zk_req(z);
	int rc;

	if (!r)
		return;
	rc = zoo_awexists(z->zh, z->master_path, zk_node_watcher, z, zk_on_master_exists, r);
	if (rc != ZOK)
		zk_call_failed(r, "watching the master", rc);
}

static void zk_read_master(struct fo_zk *z)
{
	struct zk_req *r;
	int rc;

	if (!z->connected)
		return;
	r = zk_req(z);
	if (!r)
		return;
	rc = zoo_awget(z->zh, z->master_path, zk_node_watcher, z, zk_on_master_data, r);
	if (rc != ZOK)
		zk_call_failed(r, "reading the master", rc);
}

static void zk_on_published(int rc, const char *value, const void *data)
{
	uint64_t sent;
	struct fo_zk *z = zk_answered(data, &sent);

	(void)value;
	if (!z)
		return;
	if (rc == ZOK) {
		zk_contact(z, sent);
		z->stats.published++;
	} else if (rc == ZNODEEXISTS) {
		/* the old master's session is closing, or ours from before a cut-off */
		zk_contact(z, sent);
		zk_watch_master(z);
	} else if (rc != ZCONNECTIONLOSS) {
		pr_warn("zookeeper: publishing %s: %s", z->master_path, zerror(rc));
	}
}

static void zk_on_republished(int rc, const struct Stat *stat, const void *data)
{
	uint64_t sent;
	struct fo_zk *z = zk_answered(data, &sent);

	(void)stat;
	if (z && rc == ZOK) {
		zk_contact(z, sent);
		z->stats.published++;
	}
}

static void zk_publish(struct fo_zk *z)
{
	char json[1024];
	struct zk_req *r;
	int n, rc;

	if (z->state != ZK_MASTER || !z->connected)
		return;
	n = xlb_zk_master_json(json, sizeof(json), z->name, z->node, z->session,
			       z->cfg->vaddrs, z->cfg->n_vaddrs, &z->master_since);
	if (n < 0) {
		pr_warn("zookeeper: %s: too many addresses to publish", z->master_path);
		return;
	}
	r = zk_req(z);
	if (!r)
		return;
	/* a create fails on an existing node: ours gets a set (zk_on_master_exists()) */
	rc = zoo_acreate(z->zh, z->master_path, json, n, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL,
			 zk_on_published, r);
	if (rc != ZOK)
		return zk_call_failed(r, "publishing the master", rc);
}

/* Our own PATH/master exists already (this session's, before a cut-off): set its data. */
static void zk_republish(struct fo_zk *z)
{
	char json[1024];
	struct zk_req *r;
	int n, rc;

	n = xlb_zk_master_json(json, sizeof(json), z->name, z->node, z->session,
			       z->cfg->vaddrs, z->cfg->n_vaddrs, &z->master_since);
	if (n < 0)
		return;
	r = zk_req(z);
	if (!r)
		return;
	rc = zoo_aset(z->zh, z->master_path, json, n, -1, zk_on_republished, r);
	if (rc != ZOK)
		zk_call_failed(r, "updating the master", rc);
}

/* ---- the session ---- */

static void zk_node_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx)
{
	struct fo_zk *z = ctx;

	(void)state;
	/* session events reach every watcher too: zk_watcher() has them */
	if (zh != z->zh || type == ZOO_SESSION_EVENT || !path)
		return;
	if (!strcmp(path, z->nodes)) {
		zk_list(z);
	} else if (!strcmp(path, z->master_path)) {
		if (z->state == ZK_MASTER && type == ZOO_DELETED_EVENT)
			zk_publish(z);
		else if (z->state != ZK_MASTER)
			zk_read_master(z);
	}
}

static void zk_on_connected(struct fo_zk *z)
{
	const clientid_t *id = zoo_client_id(z->zh);

	z->connected = true;
	z->timeout_ms = zoo_recv_timeout(z->zh);
	if (z->session != id->client_id) {
		z->session = id->client_id;
		xlb_zk_node_prefix(z->session, z->prefix);
		pr_info("zookeeper: session 0x%" PRIx64 ", timeout %ums", (uint64_t)z->session,
			z->timeout_ms);
		zk_ensure_path(z);
		zk_set_state(z, ZK_JOINING);
	}
	/* the list finds our node or creates it; it proves contact too */
	zk_list(z);
}

static void zk_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx)
{
	struct fo_zk *z = ctx;

	(void)path;
	if (zh != z->zh || type != ZOO_SESSION_EVENT)
		return;
	if (state == ZOO_CONNECTED_STATE) {
		zk_on_connected(z);
	} else if (state == ZOO_EXPIRED_SESSION_STATE || state == ZOO_AUTH_FAILED_STATE) {
		pr_warn("zookeeper: session 0x%" PRIx64 " %s: starting over", (uint64_t)z->session,
			state == ZOO_EXPIRED_SESSION_STATE ? "expired" : "refused");
		z->stats.expired++;
		z->connected = false;
		zk_demote(z, ZK_CONNECTING, "the session expired");
		/* not from inside the client's own call: the restart closes the handle */
		xlb_timer_arm(z->loop, &z->restart_timer, 0);
	} else if (z->connected) {
		/* connecting to another server, same session: the release timer guards the VIPs */
		z->connected = false;
		z->stats.disconnects++;
		pr_info("zookeeper: lost the server, reconnecting (session 0x%" PRIx64 ")",
			(uint64_t)z->session);
	}
}

/* The client's view of its socket, in the loop. */
static void zk_on_io(struct xlb_loop *loop, int fd, uint32_t events, void *arg)
{
	struct fo_zk *z = arg;
	int ev = 0;

	(void)loop;
	(void)fd;
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		ev |= ZOOKEEPER_READ;
	if (events & EPOLLOUT)
		ev |= ZOOKEEPER_WRITE;
	zookeeper_process(z->zh, ev);
	zk_pump(z);
}

static void zk_unwatch_fd(struct fo_zk *z)
{
	if (z->fd >= 0)
		xlb_loop_del_fd(z->loop, z->fd);
	z->fd = -1;
}

/*
 * After every call into the client: watch what it wants to wait for. The socket is watched
 * anew each time: the client may have closed it and opened another under the same number.
 */
static void zk_pump(struct fo_zk *z)
{
	struct timeval tv = { .tv_sec = 1 };
	int fd = -1, interest = 0, rc, err;
	uint32_t events = 0;
	uint64_t ns;

	if (!z->zh)
		return;
	rc = zookeeper_interest(z->zh, &fd, &interest, &tv);
	zk_unwatch_fd(z);
	if (rc == ZINVALIDSTATE) {
		xlb_timer_cancel(z->loop, &z->io_timer);
		return; /* expired or closing: the restart timer takes it from here */
	}
	if (interest & ZOOKEEPER_READ)
		events |= EPOLLIN;
	if (interest & ZOOKEEPER_WRITE)
		events |= EPOLLOUT;
	if (fd >= 0 && events) {
		err = xlb_loop_add_fd(z->loop, fd, events, zk_on_io, z);
		if (err)
			pr_err("zookeeper: cannot watch the client's socket: %s", strerror(-err));
		else
			z->fd = fd;
	}
	ns = (uint64_t)tv.tv_sec * 1000000000ull + (uint64_t)tv.tv_usec * 1000;
	/* a 0 after an error means "at once": not a busy loop if it says so again */
	xlb_timer_arm(z->loop, &z->io_timer, ns ?: XLB_MS);
}

static void zk_on_io_timer(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct fo_zk *z = t->arg;

	(void)loop;
	zookeeper_process(z->zh, 0);
	zk_pump(z);
}

static void zk_on_hb(int rc, const struct Stat *stat, const void *data)
{
	uint64_t sent;
	struct fo_zk *z = zk_answered(data, &sent);

	(void)stat;
	if (!z)
		return;
	z->hb_pending = false;
	if (rc == ZOK || rc == ZNONODE) {
		z->stats.heartbeats++;
		zk_contact(z, sent);
		/* our node gone while the session lives: someone deleted it */
		if (rc == ZNONODE && z->node[0])
			zk_list(z);
	} else {
		z->stats.heartbeats_failed++;
	}
}

static void zk_on_hb_timer(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct fo_zk *z = t->arg;
	struct zk_req *r;
	int rc;

	xlb_timer_arm(loop, t, xlb_zk_heartbeat_ns(z->timeout_ms));
	if (!z->zh || !z->connected || z->hb_pending)
		return;
	r = zk_req(z);
	if (!r)
		return;
	rc = zoo_aexists(z->zh, z->node[0] ? z->node : z->nodes, 0, zk_on_hb, r);
	if (rc != ZOK)
		return zk_call_failed(r, "heartbeat", rc);
	z->hb_pending = true;
	zk_pump(z);
}

static void zk_on_release_timer(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct fo_zk *z = t->arg;

	(void)loop;
	if (z->state != ZK_MASTER)
		return;
	z->stats.released_cut_off++;
	pr_warn("zookeeper: no answer from the servers for %" PRIu64 "ms (2/3 of the %ums "
		"session): giving the addresses up before the session can expire",
		(uint64_t)((xlb_now_ns() - z->contact_ns) / XLB_MS), z->timeout_ms);
	zk_demote(z, ZK_CUT_OFF, "cut off from zookeeper");
}

static void zk_on_garp_timer(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct fo_zk *z = t->arg;
	int i;

	(void)loop;
	if (!z->holding)
		return;
	for (i = 0; i < ZK_GARP_REPEAT; i++)
		z->an.ops->announce(z->an.arg);
}

/* The client's lines into our log, as debug: it logs each failed connect, several a second
 * while the servers are away; our own lines and counters say what changed. */
static void zk_log(const char *msg)
{
	pr_debug("zookeeper client: %s", msg);
}

static void zk_session_end(struct fo_zk *z)
{
	zk_unwatch_fd(z);
	xlb_timer_cancel(z->loop, &z->io_timer);
	if (z->zh) {
		zhandle_t *zh = z->zh;

		/* answers still queued run as ZCLOSING: of an old generation, dropped */
		z->gen++;
		z->zh = NULL;
		zookeeper_close(zh);
	}
	z->connected = z->creating = z->listing = z->relist = z->hb_pending = false;
	z->node[0] = '\0';
	z->session = 0;
}

static int zk_session_start(struct fo_zk *z)
{
	int err;

	z->gen++;
	z->timeout_ms = z->cfg->session_timeout_ms;
	zk_set_state(z, ZK_CONNECTING);
	/* hosts are addresses, or names the resolver answers at once (/etc/hosts): init looks
	 * them up here */
	z->zh = zookeeper_init2(z->cfg->hosts, zk_watcher, z->cfg->session_timeout_ms, NULL, z, 0,
				zk_log);
	if (!z->zh) {
		err = -errno ?: -EINVAL;
		pr_err("zookeeper: cannot start a client for %s: %s", z->cfg->hosts, strerror(-err));
		return err;
	}
	z->stats.sessions++;
	zk_pump(z);
	return 0;
}

static void zk_on_restart_timer(struct xlb_loop *loop, struct xlb_timer *t)
{
	struct fo_zk *z = t->arg;

	zk_session_end(z);
	if (zk_session_start(z))
		xlb_timer_arm(loop, t, ZK_RESTART_NS);
}

static int zk_start(struct xlb_failover *fo)
{
	const struct xlb_cfg_zk *c = fo->host.zk;
	struct fo_zk *z;
	int err;

	if (!c) {
		pr_err("zookeeper: no failover.zookeeper settings");
		return -EINVAL;
	}
	z = calloc(1, sizeof(*z));
	if (!z)
		return -ENOMEM;
	z->fo = fo;
	z->cfg = c;
	z->loop = fo->host.loop;
	z->fd = -1;
	z->state_since_ns = xlb_now_ns();
	xlb_timer_init(&z->io_timer, zk_on_io_timer, z);
	xlb_timer_init(&z->hb_timer, zk_on_hb_timer, z);
	xlb_timer_init(&z->release_timer, zk_on_release_timer, z);
	xlb_timer_init(&z->restart_timer, zk_on_restart_timer, z);
	xlb_timer_init(&z->garp_timer, zk_on_garp_timer, z);
	snprintf(z->nodes, sizeof(z->nodes), "%s/nodes", c->path);
	snprintf(z->master_path, sizeof(z->master_path), "%s/master", c->path);
	if (c->name[0])
		snprintf(z->name, sizeof(z->name), "%s", c->name);
	else if (gethostname(z->name, sizeof(z->name) - 1) || !z->name[0])
		snprintf(z->name, sizeof(z->name), "xlbd-%d", (int)getpid());
	err = xlb_vaddr_set_init(&z->vaddrs, c->interface, c->vaddrs, c->n_vaddrs);
	if (err)
		goto fail;
	z->an.ops = &xlb_vaddr_announcer;
	z->an.arg = &z->vaddrs;
	/* a crashed run's addresses: nobody holds them until elected */
	z->an.ops->release(z->an.arg);
	zoo_set_debug_level(ZOO_LOG_LEVEL_WARN);
	err = zk_session_start(z);
	if (err)
		goto fail;
	fo->state = z;
	xlb_timer_arm(z->loop, &z->hb_timer, xlb_zk_heartbeat_ns(z->timeout_ms));
	fo->host.role_changed(fo->host.arg, false);
	return 0;
fail:
	xlb_vaddr_set_fini(&z->vaddrs);
	free(z);
	return err;
}

/* Either way the session is closed, not left to expire: the others elect at once. */
static void zk_stop(struct xlb_failover *fo, bool graceful)
{
	struct fo_zk *z = fo->state;

	(void)graceful;
	if (z->holding) {
		z->an.ops->release(z->an.arg);
		z->holding = false;
	}
	zk_session_end(z);
	xlb_timer_cancel(z->loop, &z->hb_timer);
	xlb_timer_cancel(z->loop, &z->release_timer);
	xlb_timer_cancel(z->loop, &z->restart_timer);
	xlb_timer_cancel(z->loop, &z->garp_timer);
	xlb_vaddr_set_fini(&z->vaddrs);
	free(z);
	fo->state = NULL;
}

static void zk_announce(struct xlb_failover *fo)
{
	struct fo_zk *z = fo->state;

	if (z->holding)
		z->an.ops->announce(z->an.arg);
}

static void zk_state_json(const struct xlb_failover *fo, struct xlb_json *j)
{
	const struct fo_zk *z = fo->state;
	char sid[24];
	uint64_t now = xlb_now_ns();

	snprintf(sid, sizeof(sid), "0x%" PRIx64, (uint64_t)z->session);
	xlb_json_key(j, "zookeeper");
	xlb_json_object_begin(j);
	xlb_json_kv_string(j, "state", zk_state_names[z->state]);
	xlb_json_kv_uint(j, "in_state_ms", (now - z->state_since_ns) / XLB_MS);
	xlb_json_kv_string(j, "hosts", z->cfg->hosts);
	xlb_json_kv_string(j, "path", z->cfg->path);
	xlb_json_kv_string(j, "name", z->name);
	xlb_json_kv_bool(j, "connected", z->connected);
	xlb_json_kv_string(j, "session", z->session ? sid : NULL);
	xlb_json_kv_uint(j, "session_timeout_ms", z->timeout_ms);
	xlb_json_kv_string(j, "node", z->node[0] ? z->node : NULL);
	xlb_json_kv_string(j, "master", z->master[0] ? z->master : NULL);
	xlb_json_kv_bool(j, "holding", z->holding);
	if (z->contact_ns)
		xlb_json_kv_uint(j, "last_contact_ms", (now - z->contact_ns) / XLB_MS);
	xlb_json_kv_uint(j, "sessions", z->stats.sessions);
	xlb_json_kv_uint(j, "expired", z->stats.expired);
	xlb_json_kv_uint(j, "disconnects", z->stats.disconnects);
	xlb_json_kv_uint(j, "elections", z->stats.elections);
	xlb_json_kv_uint(j, "to_master", z->stats.to_master);
	xlb_json_kv_uint(j, "to_backup", z->stats.to_backup);
	xlb_json_kv_uint(j, "released_cut_off", z->stats.released_cut_off);
	xlb_json_kv_uint(j, "heartbeats", z->stats.heartbeats);
	xlb_json_kv_uint(j, "heartbeats_failed", z->stats.heartbeats_failed);
	xlb_json_kv_uint(j, "published", z->stats.published);
	xlb_json_object_end(j);
}

/* A counter family of one sample. */
static void zk_counter(FILE *f, const char *name, const char *help, uint64_t v)
{
	xlb_prom_family(f, name, XLB_PROM_COUNTER, help);
	xlb_prom_uint(f, name, v, NULL);
}

static void zk_metrics(const struct xlb_failover *fo, FILE *f)
{
	const struct fo_zk *z = fo->state;
	size_t k;

	xlb_prom_family(f, "xlb_zk_master", XLB_PROM_GAUGE,
			"1 while this node holds the virtual addresses as the ZooKeeper election's "
			"master.");
	xlb_prom_uint(f, "xlb_zk_master", z->holding, NULL);
	xlb_prom_family(f, "xlb_zk_state", XLB_PROM_GAUGE,
			"1 for the state of the ZooKeeper election this node is in, 0 for the "
			"others.");
	for (k = 0; k < sizeof(zk_state_names) / sizeof(zk_state_names[0]); k++)
		xlb_prom_uint(f, "xlb_zk_state", z->state == k, "state", zk_state_names[k], NULL);
	xlb_prom_family(f, "xlb_zk_connected", XLB_PROM_GAUGE,
			"1 while the ZooKeeper session is connected to a server.");
	xlb_prom_uint(f, "xlb_zk_connected", z->connected, NULL);
	zk_counter(f, "xlb_zk_sessions_total", "ZooKeeper sessions established.",
		   z->stats.sessions);
	zk_counter(f, "xlb_zk_session_expirations_total", "ZooKeeper sessions that expired.",
		   z->stats.expired);
	zk_counter(f, "xlb_zk_disconnects_total", "Connections to a ZooKeeper server lost.",
		   z->stats.disconnects);
	zk_counter(f, "xlb_zk_elections_total", "Elections this node took part in.",
		   z->stats.elections);
	xlb_prom_family(f, "xlb_zk_transitions_total", XLB_PROM_COUNTER,
			"Role changes of this node, by the role taken.");
	xlb_prom_uint(f, "xlb_zk_transitions_total", z->stats.to_master, "state", "master", NULL);
	xlb_prom_uint(f, "xlb_zk_transitions_total", z->stats.to_backup, "state", "backup", NULL);
	zk_counter(f, "xlb_zk_heartbeat_failures_total",
		   "Requests that prove contact with ZooKeeper and failed.",
		   z->stats.heartbeats_failed);
}

const struct xlb_failover_ops xlb_fo_zk = {
	.name = "zookeeper",
	.start = zk_start,
	.stop = zk_stop,
	.announce = zk_announce,
	.state_json = zk_state_json,
	.metrics = zk_metrics,
};
