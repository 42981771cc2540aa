// SPDX-License-Identifier: GPL-2.0-only
/*
 * xlbctl master --zookeeper HOSTS --path PATH [--watch] [--json]: read PATH/master, the
 * ephemeral znode a ZooKeeper-mode master publishes (user/pair/failover_zk.c), as a client
 * library following it would: with a watch, so --watch prints every change as the servers
 * report it. The client is the single-threaded library xlbd uses, driven here by poll(): no
 * loop of xlbd's is linked into xlbctl.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <zookeeper/zookeeper.h>

#include "cli/master.h"
#include "cli/report.h"
#include "common/output.h"

#define MASTER_CONNECT_MS 10000
#define MASTER_SESSION_MS 10000

enum { EXIT_MASTER = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_NONE = 3 };

struct master_cli {
	zhandle_t *zh;
	char path[512];
	bool watch, json;
	bool connected, reading, answered;
	bool failed;          /* session expired or refused */
	int exit_code;
	char *last;           /* what was printed last: the data, or "" for none */
};

static void master_read(struct master_cli *m);

static void master_print(struct master_cli *m, const char *data, int len)
{
	char *now = len >= 0 ? strndup(data, len) : strdup("");
	struct json_object *o, *x;
	struct timespec ts;
	char when[32];
	struct tm tm;

	if (!now)
		return;
	m->answered = true;
	m->exit_code = len >= 0 ? EXIT_MASTER : EXIT_NONE;
	if (m->last && !strcmp(m->last, now)) {
		free(now);
		return;
	}
	free(m->last);
	m->last = now;
	clock_gettime(CLOCK_REALTIME, &ts);
	o = len >= 0 ? json_tokener_parse(now) : NULL;
	if (m->json) {
		struct xlb_json j;

		/* {"at": unix ms when seen, "master": its object, or null} */
		xlb_json_init(&j, stdout);
		xlb_json_object_begin(&j);
		xlb_json_kv_uint(&j, "at", (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
		xlb_json_key(&j, "master");
		if (o || len < 0)
			xlb_json_value(&j, o);
		else
			xlb_json_string(&j, "(not JSON)");
		xlb_json_object_end(&j);
		xlb_json_finish(&j);
	} else {
		if (m->watch) {
			localtime_r(&ts.tv_sec, &tm);
			strftime(when, sizeof(when), "%H:%M:%S", &tm);
			printf("[%s.%03ld] ", when, ts.tv_nsec / 1000000);
		}
		if (len < 0)
			printf("no master\n");
		else if (!o)
			printf("master: %s (not JSON)\n", now);
		else {
			printf("master %s",
			       json_object_object_get_ex(o, "node", &x) ? json_object_get_string(x)
									 : "?");
			if (json_object_object_get_ex(o, "addresses", &x) &&
			    json_object_is_type(x, json_type_array)) {
				size_t i;

				for (i = 0; i < json_object_array_length(x); i++)
					printf("%s%s", i ? " " : " holds ",
					       json_object_get_string(json_object_array_get_idx(x, i)));
			}
			if (json_object_object_get_ex(o, "since", &x))
				printf(" since %s", json_object_get_string(x));
			if (json_object_object_get_ex(o, "session", &x))
				printf(" (session %s)", json_object_get_string(x));
			printf("\n");
		}
	}
	json_object_put(o);
	fflush(stdout);
}

static void master_on_exists(int rc, const struct Stat *stat, const void *data)
{
	struct master_cli *m = (struct master_cli *)data;

	(void)stat;
	/* created between our read and this watch: read it */
	if (rc == ZOK)
		master_read(m);
}

static void master_node_watcher(zhandle_t *zh, int type, int state, const char *path,
				void *ctx)
{
	(void)zh;
	(void)state;
	(void)path;
	if (type != ZOO_SESSION_EVENT)
		master_read(ctx);
}

static void master_on_data(int rc, const char *value, int len, const struct Stat *stat,
			   const void *data)
{
	struct master_cli *m = (struct master_cli *)data;

	(void)stat;
	m->reading = false;
	if (rc == ZOK) {
		master_print(m, value ? value : "", value ? len : 0);
	} else if (rc == ZNONODE) {
		master_print(m, NULL, -1);
		/* no data watch on a node that is not there: wait for its creation */
		if (m->watch)
			zoo_awexists(m->zh, m->path, master_node_watcher, m, master_on_exists, m);
	} else if (rc != ZCONNECTIONLOSS) {
		xlb_cli_err("reading %s: %s", m->path, zerror(rc));
		m->failed = true;
	}
}

static void master_read(struct master_cli *m)
{
	int rc;

	if (!m->connected || m->reading)
		return;
	rc = zoo_awget(m->zh, m->path, m->watch ? master_node_watcher : NULL, m, master_on_data,
		       m);
	if (rc == ZOK)
		m->reading = true;
}

static void master_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx)
{
	struct master_cli *m = ctx;

	(void)zh;
	(void)path;
	if (type != ZOO_SESSION_EVENT)
		return;
	if (state == ZOO_CONNECTED_STATE) {
		m->connected = true;
		/* again after a reconnect too: the watch survives, a change may not have waited */
		master_read(m);
	} else if (state == ZOO_EXPIRED_SESSION_STATE || state == ZOO_AUTH_FAILED_STATE) {
		xlb_cli_err("session %s",
			    state == ZOO_EXPIRED_SESSION_STATE ? "expired" : "refused");
		m->failed = true;
	} else {
		m->connected = false;
		m->reading = false;
	}
}

/* One round of the client: wait as it asks (at most until deadline_ms, -1 none), then process. */
static int master_step(struct master_cli *m, int max_ms)
{
	struct timeval tv = { .tv_sec = 1 };
	int fd = -1, interest = 0, ms, ev = 0, rc;
	struct pollfd p;

	rc = zookeeper_interest(m->zh, &fd, &interest, &tv);
	if (rc == ZINVALIDSTATE)
		return -ENOTCONN;
	ms = tv.tv_sec * 1000 + tv.tv_usec / 1000;
	if (max_ms >= 0 && ms > max_ms)
		ms = max_ms;
	p = (struct pollfd){ .fd = fd,
			     .events = (interest & ZOOKEEPER_READ ? POLLIN : 0) |
				       (interest & ZOOKEEPER_WRITE ? POLLOUT : 0) };
	if (poll(&p, fd >= 0 && p.events ? 1 : 0, ms ?: 1) < 0 && errno != EINTR)
		return -errno;
	if (p.revents & (POLLIN | POLLHUP | POLLERR))
		ev |= ZOOKEEPER_READ;
	if (p.revents & POLLOUT)
		ev |= ZOOKEEPER_WRITE;
	zookeeper_process(m->zh, fd >= 0 ? ev : 0);
	return 0;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The client's own lines (each failed connect, several a second): ours say what matters. */
static void master_log(const char *msg)
{
	(void)msg;
}

static void master_usage(FILE *out)
{
	fprintf(out,
		"Usage: xlbctl master --zookeeper HOSTS --path PATH [--watch] [--json]\n"
		"\n"
		"The master of a fleet in failover mode zookeeper, as PATH/master says: its name,\n"
		"addresses, since when and its session. HOSTS as in failover.zookeeper.hosts.\n"
		"  --watch   print it, then every change as the servers report it, until killed\n"
		"  --json    one object a line: {\"at\": unix ms seen, \"master\": PATH/master's\n"
		"            object, or null}\n"
		"\n"
		"Exit status: 0 a master, 3 none, 1 no answer from the servers, 2 bad usage.\n");
}

int xlb_master_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "zookeeper", required_argument, NULL, 'z' },
		{ "path", required_argument, NULL, 'p' },
		{ "watch", no_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct master_cli m = { .exit_code = EXIT_FAILED };
	const char *hosts = NULL, *path = NULL;
	uint64_t deadline;
	int c, err = 0;

	xlb_cli_report_init("xlbctl master", false);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'z':
			hosts = optarg;
			break;
		case 'p':
			path = optarg;
			break;
		case 'w':
			m.watch = true;
			break;
		case 'j':
			m.json = true;
			xlb_cli_report_json(true);
			break;
		case 'h':
			master_usage(stdout);
			return 0;
		default:
			xlb_cli_err("%s '%s'",
				    c == ':' ? "option needs a value:" : "unknown option",
				    argv[optind - 1]);
			master_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!hosts || !path || optind != argc || path[0] != '/' ||
	    strlen(path) + sizeof("/master") > sizeof(m.path)) {
		xlb_cli_err("give --zookeeper HOSTS and --path /ABSOLUTE/PATH");
		master_usage(stderr);
		return xlb_cli_exit(EXIT_USAGE);
	}
	snprintf(m.path, sizeof(m.path), "%s/master", path);
	m.zh = zookeeper_init2(hosts, master_watcher, MASTER_SESSION_MS, NULL, &m, 0, master_log);
	if (!m.zh) {
		xlb_cli_err("cannot start a client for %s: %s", hosts, strerror(errno));
		return xlb_cli_exit(EXIT_FAILED);
	}
	deadline = mono_ms() + MASTER_CONNECT_MS;
	while (!m.failed && !err && (m.watch || !m.answered)) {
		int left = m.watch ? -1 : (int)(deadline - mono_ms());

		if (!m.watch && (int64_t)(deadline - mono_ms()) <= 0)
			break;
		err = master_step(&m, left);
	}
	if (!m.answered)
		xlb_cli_err("no answer from %s", hosts);
	zookeeper_close(m.zh);
	free(m.last);
	/* No master (3) is an answer, {"master":null}, not an error. */
	return m.answered && !m.failed ? m.exit_code : xlb_cli_exit(EXIT_FAILED);
}
