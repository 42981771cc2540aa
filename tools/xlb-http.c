// SPDX-License-Identifier: GPL-2.0-only
/*
 * xlb-http: the smallest HTTP/1.0 pair the netns tests and the demo need.
 *
 *   xlb-http serve --name NAME [--bind ADDR] [--port 80]
 *	Answers every request with "NAME\n" and closes. Listens on a dual-stack
 *	"::" socket by default, so one server answers both the IPv4 and the IPv6
 *	VIP held on the backend's loopback.
 *
 *   xlb-http get --url-host ADDR --port P --count N [--concurrency C]
 *		  [--timeout-ms T] [--json]
 *	Makes N requests, each on a connection of its own (so each is a new flow
 *	for the load balancer), C in flight, and tallies the replies by body,
 *	i.e. by the name of the backend that answered. Exit 0 when every request
 *	got a 200, 1 otherwise. --json prints one line:
 *	{"ok":N,"failed":N,"backends":{"b1":N,...},"errors":{"connect":N,...}}
 *	where errors counts the failures by kind (connect, timeout, reset,
 *	status, body).
 *
 * One file, libc only: non-blocking sockets and poll(), no threads.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HEAD_MAX	4096	/* request head or whole reply, bytes */
#define NAME_MAX_LEN	64	/* backend name as it appears in a reply body */
#define MAX_NAMES	256	/* distinct backend names tallied by get */
#define MAX_CONNS	1024	/* connections open at once, either side */
#define SERVE_IDLE_MS	5000	/* serve drops a client silent this long */

enum exit_code {
	EXIT_OK = 0,
	EXIT_FAILED = 1,	/* get: at least one request failed */
	EXIT_USAGE = 2,
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Parse ADDR (IPv4, IPv6, or IPv6 in brackets as in a URL) and PORT into a
 * sockaddr. Returns 0 or -EINVAL.
 */
static int parse_addr(const char *s, unsigned int port,
		      struct sockaddr_storage *ss, socklen_t *len)
{
	char buf[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(s);

	if (n >= sizeof(buf))
		return -EINVAL;
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		memcpy(buf, s + 1, n - 2);
		buf[n - 2] = '\0';
	} else {
		memcpy(buf, s, n + 1);
	}

	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	if (inet_pton(AF_INET, buf, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, buf, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*len = sizeof(*sin6);
		return 0;
	}
	return -EINVAL;
}

static int parse_uint(const char *s, const char *what, unsigned int max,
		      unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max) {
		fprintf(stderr, "xlb-http: bad %s '%s'\n", what, s);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* ---- serve ---------------------------------------------------------------- */

struct srv_conn {
	size_t len;		/* bytes of request head read so far */
	int64_t deadline;	/* drop the connection after this (ms) */
	char buf[HEAD_MAX];
};

static void srv_reply(int fd, const char *name)
{
	char resp[HEAD_MAX];
	int body = (int)strlen(name) + 1;
	int n;

	n = snprintf(resp, sizeof(resp),
		     "HTTP/1.0 200 OK\r\n"
		     "Content-Type: text/plain\r\n"
		     "Content-Length: %d\r\n"
		     "Connection: close\r\n"
		     "\r\n"
		     "%s\n", body, name);
	/*
	 * The reply is far smaller than any socket send buffer, so one send on
	 * a fresh connection completes; a short write is the peer's problem.
	 */
	if (send(fd, resp, n, MSG_NOSIGNAL) < 0 && errno != EPIPE &&
	    errno != ECONNRESET)
		fprintf(stderr, "xlb-http: send: %s\n", strerror(errno));
	/*
	 * Half-close before close: the whole request head has been consumed,
	 * so the close sends FIN rather than RST and the reply is not lost.
	 */
	shutdown(fd, SHUT_WR);
}

static int do_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "bind", required_argument, NULL, 'b' },
		{ "port", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static struct pollfd pfd[MAX_CONNS + 1];
	static struct srv_conn *conn[MAX_CONNS + 1];
	const char *name = NULL, *bind_addr = "::";
	unsigned int port = 80;
	struct sockaddr_storage ss;
	struct sigaction sa = { .sa_handler = on_signal };
	socklen_t sslen;
	int nconn = 0, lfd, one = 1, zero = 0, err = EXIT_OK, c;

	while ((c = getopt_long(argc, argv, "n:b:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			name = optarg;
			break;
		case 'b':
			bind_addr = optarg;
			break;
		case 'p':
			if (parse_uint(optarg, "port", 65535, &port))
				return EXIT_USAGE;
			break;
		default:
			fprintf(stderr,
				"usage: xlb-http serve --name NAME [--bind ADDR] [--port 80]\n");
			return EXIT_USAGE;
		}
	}
	if (!name || !*name || strlen(name) > NAME_MAX_LEN || strchr(name, '\n')) {
		fprintf(stderr, "xlb-http serve: --name NAME (1..%d chars) is required\n",
			NAME_MAX_LEN);
		return EXIT_USAGE;
	}
	if (parse_addr(bind_addr, port, &ss, &sslen)) {
		fprintf(stderr, "xlb-http serve: bad --bind address '%s'\n", bind_addr);
		return EXIT_USAGE;
	}

	/* No SA_RESTART: SIGTERM must interrupt poll() so the loop sees stop. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (lfd < 0) {
		fprintf(stderr, "xlb-http serve: socket: %s\n", strerror(errno));
		return EXIT_FAILED;
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* Dual stack regardless of net.ipv6.bindv6only: v4 VIPs arrive as mapped. */
	if (ss.ss_family == AF_INET6)
		setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(lfd, (struct sockaddr *)&ss, sslen) < 0 || listen(lfd, 1024) < 0) {
		fprintf(stderr, "xlb-http serve: bind/listen %s port %u: %s\n",
			bind_addr, port, strerror(errno));
		close(lfd);
		return EXIT_FAILED;
	}
	fprintf(stderr, "xlb-http serve: %s listening on %s port %u\n",
		name, bind_addr, port);

	pfd[0].fd = lfd;
	pfd[0].events = POLLIN;
	while (!stop) {
		int64_t now = now_ms(), next = -1;
		int i, n, timeout;

		for (i = 1; i <= nconn; i++)
			if (next < 0 || conn[i]->deadline < next)
				next = conn[i]->deadline;
		timeout = next < 0 ? -1 : next > now ? (int)(next - now) : 0;
		/* Stop accepting while full; existing connections drain first. */
		pfd[0].events = nconn < MAX_CONNS ? POLLIN : 0;

		n = poll(pfd, nconn + 1, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "xlb-http serve: poll: %s\n", strerror(errno));
			err = EXIT_FAILED;
			break;
		}

		now = now_ms();
		/* Walk backwards so removing slot i (swap with last) is safe. */
		for (i = nconn; i >= 1; i--) {
			struct srv_conn *sc = conn[i];
			bool done = false;

			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) {
				ssize_t r = recv(pfd[i].fd, sc->buf + sc->len,
						 sizeof(sc->buf) - 1 - sc->len, 0);

				if (r > 0) {
					sc->len += r;
					sc->buf[sc->len] = '\0';
					if (strstr(sc->buf, "\r\n\r\n") ||
					    strstr(sc->buf, "\n\n") ||
					    sc->len == sizeof(sc->buf) - 1) {
						srv_reply(pfd[i].fd, name);
						done = true;
					}
				} else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
					done = true;
				}
			}
			if (!done && now >= sc->deadline)
				done = true;
			if (done) {
				close(pfd[i].fd);
				free(sc);
				pfd[i] = pfd[nconn];
				conn[i] = conn[nconn];
				nconn--;
			}
		}

		if (pfd[0].revents & POLLIN) {
			while (nconn < MAX_CONNS) {
				int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
				struct srv_conn *sc;

				if (fd < 0)
					break;
				sc = malloc(sizeof(*sc));
				if (!sc) {
					close(fd);
					break;
				}
				sc->len = 0;
				sc->buf[0] = '\0';
				sc->deadline = now + SERVE_IDLE_MS;
				nconn++;
				conn[nconn] = sc;
				pfd[nconn].fd = fd;
				pfd[nconn].events = POLLIN;
				pfd[nconn].revents = 0;
			}
		}
	}

	for (int i = 1; i <= nconn; i++) {
		close(pfd[i].fd);
		free(conn[i]);
	}
	close(lfd);
	if (stop)
		fprintf(stderr, "xlb-http serve: %s stopping\n", name);
	return err;
}

/* ---- get ------------------------------------------------------------------ */

enum get_fail {
	FAIL_CONNECT,	/* connect() refused, unreachable, ... */
	FAIL_TIMEOUT,	/* no complete reply within --timeout-ms */
	FAIL_RESET,	/* error while sending or reading */
	FAIL_STATUS,	/* reply not "HTTP/1.x 200" */
	FAIL_BODY,	/* malformed or oversized reply */
	FAIL_MAX,
};

static const char *const fail_names[FAIL_MAX] = {
	[FAIL_CONNECT] = "connect",
	[FAIL_TIMEOUT] = "timeout",
	[FAIL_RESET] = "reset",
	[FAIL_STATUS] = "status",
	[FAIL_BODY] = "body",
};

enum req_state {
	REQ_IDLE,
	REQ_CONNECTING,
	REQ_READING,	/* request sent, reading until the server closes */
};

struct req {
	enum req_state state;
	int fd;
	int64_t deadline;
	size_t len;
	char buf[HEAD_MAX];
};

struct tally {
	unsigned int ok;
	unsigned int failed;
	unsigned int fail[FAIL_MAX];
	unsigned int nnames;
	struct {
		char name[NAME_MAX_LEN + 1];
		unsigned int count;
	} names[MAX_NAMES];
};

static void tally_name(struct tally *t, const char *name)
{
	unsigned int i;

	for (i = 0; i < t->nnames; i++) {
		if (!strcmp(t->names[i].name, name)) {
			t->names[i].count++;
			return;
		}
	}
	if (t->nnames == MAX_NAMES) {
		/* More distinct bodies than any test has backends: count it as bad. */
		t->ok--;
		t->failed++;
		t->fail[FAIL_BODY]++;
		return;
	}
	snprintf(t->names[i].name, sizeof(t->names[i].name), "%s", name);
	t->names[i].count = 1;
	t->nnames++;
}

/*
 * Judge a complete reply: status 200 and a one-line body naming the backend.
 * Returns -1 on success after tallying the name, else the enum get_fail.
 */
static int req_finish(struct req *r, struct tally *t)
{
	char *body, *nl;
	int maj, min, status;

	r->buf[r->len] = '\0';
	if (sscanf(r->buf, "HTTP/%d.%d %d", &maj, &min, &status) != 3)
		return FAIL_BODY;
	if (status != 200)
		return FAIL_STATUS;
	body = strstr(r->buf, "\r\n\r\n");
	if (!body)
		return FAIL_BODY;
	body += 4;
	nl = strpbrk(body, "\r\n");
	if (nl)
		*nl = '\0';
	if (!*body || strlen(body) > NAME_MAX_LEN)
		return FAIL_BODY;
	t->ok++;
	tally_name(t, body);
	return -1;
}

static void req_close(struct req *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->state = REQ_IDLE;
}

static void req_fail(struct req *r, struct tally *t, enum get_fail why)
{
	t->failed++;
	t->fail[why]++;
	req_close(r);
}

static int req_start(struct req *r, const struct sockaddr_storage *ss,
		     socklen_t sslen, int64_t deadline)
{
	int fd;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r->fd = fd;
	r->len = 0;
	r->deadline = deadline;
	r->state = REQ_CONNECTING;
	if (connect(fd, (const struct sockaddr *)ss, sslen) < 0 &&
	    errno != EINPROGRESS)
		return -errno;
	return 0;
}

static int req_send(struct req *r, const char *host)
{
	char q[512];
	int n = snprintf(q, sizeof(q),
			 "GET / HTTP/1.0\r\n"
			 "Host: %s\r\n"
			 "User-Agent: xlb-http\r\n"
			 "Connection: close\r\n"
			 "\r\n", host);

	/* A fresh connection's send buffer always takes a few hundred bytes. */
	if (send(r->fd, q, n, MSG_NOSIGNAL) != n)
		return -EIO;
	r->state = REQ_READING;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void print_summary(struct tally *t, bool json)
{
	unsigned int i, total = t->ok + t->failed;

	qsort(t->names, t->nnames, sizeof(t->names[0]), cmp_names);
	if (json) {
		printf("{\"ok\":%u,\"failed\":%u,\"backends\":{", t->ok, t->failed);
		for (i = 0; i < t->nnames; i++)
			printf("%s\"%s\":%u", i ? "," : "", t->names[i].name,
			       t->names[i].count);
		printf("},\"errors\":{");
		for (i = 0; i < FAIL_MAX; i++)
			printf("%s\"%s\":%u", i ? "," : "", fail_names[i], t->fail[i]);
		printf("}}\n");
		return;
	}

	printf("%-16s %8s %7s\n", "backend", "replies", "share");
	for (i = 0; i < t->nnames; i++)
		printf("%-16s %8u %6.1f%%\n", t->names[i].name, t->names[i].count,
		       t->ok ? 100.0 * t->names[i].count / t->ok : 0.0);
	printf("total %u: ok %u failed %u", total, t->ok, t->failed);
	if (t->failed) {
		printf(" (");
		for (i = 0; i < FAIL_MAX; i++)
			if (t->fail[i])
				printf(" %s %u", fail_names[i], t->fail[i]);
		printf(" )");
	}
	printf("\n");
}

static int do_get(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "url-host", required_argument, NULL, 'u' },
		{ "port", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'n' },
		{ "concurrency", required_argument, NULL, 'c' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static struct tally t;
	static struct req reqs[MAX_CONNS];
	static struct pollfd pfd[MAX_CONNS];
	unsigned int port = 80, count = 1, conc = 8, timeout_ms = 2000;
	unsigned int started = 0, i;
	const char *host = NULL;
	struct sockaddr_storage ss;
	socklen_t sslen;
	bool json = false;
	int c;

	while ((c = getopt_long(argc, argv, "u:p:n:c:t:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			host = optarg;
			break;
		case 'p':
			if (parse_uint(optarg, "port", 65535, &port))
				return EXIT_USAGE;
			break;
		case 'n':
			if (parse_uint(optarg, "count", 100000000, &count))
				return EXIT_USAGE;
			break;
		case 'c':
			if (parse_uint(optarg, "concurrency", MAX_CONNS, &conc) || !conc) {
				fprintf(stderr, "xlb-http get: concurrency is 1..%d\n", MAX_CONNS);
				return EXIT_USAGE;
			}
			break;
		case 't':
			if (parse_uint(optarg, "timeout-ms", 3600000, &timeout_ms))
				return EXIT_USAGE;
			break;
		case 'j':
			json = true;
			break;
		default:
			fprintf(stderr, "usage: xlb-http get --url-host ADDR --port P --count N "
				"[--concurrency C] [--timeout-ms T] [--json]\n");
			return EXIT_USAGE;
		}
	}
	if (!host || parse_addr(host, port, &ss, &sslen)) {
		fprintf(stderr, "xlb-http get: --url-host needs an IPv4 or IPv6 address\n");
		return EXIT_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);

	for (i = 0; i < conc; i++) {
		reqs[i].fd = -1;
		reqs[i].state = REQ_IDLE;
	}

	while (t.ok + t.failed < count) {
		int64_t now = now_ms(), next = -1;
		int n;

		/* Fill idle slots, then poll every busy one. */
		for (i = 0; i < conc; i++) {
			struct req *r = &reqs[i];

			if (r->state == REQ_IDLE && started < count) {
				started++;
				if (req_start(r, &ss, sslen, now + timeout_ms) < 0)
					req_fail(r, &t, FAIL_CONNECT);
			}
			pfd[i].fd = r->state == REQ_IDLE ? -1 : r->fd;
			pfd[i].events = r->state == REQ_CONNECTING ? POLLOUT : POLLIN;
			pfd[i].revents = 0;
			if (r->state != REQ_IDLE && (next < 0 || r->deadline < next))
				next = r->deadline;
		}
		if (next < 0)
			continue;	/* every start failed at once; loop refills */

		n = poll(pfd, conc, next > now ? (int)(next - now) : 0);
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "xlb-http get: poll: %s\n", strerror(errno));
			return EXIT_FAILED;
		}

		now = now_ms();
		for (i = 0; i < conc; i++) {
			struct req *r = &reqs[i];
			short ev = pfd[i].revents;

			if (r->state == REQ_IDLE)
				continue;
			if (r->state == REQ_CONNECTING && ev) {
				int soerr = 0;
				socklen_t l = sizeof(soerr);

				getsockopt(r->fd, SOL_SOCKET, SO_ERROR, &soerr, &l);
				if (soerr) {
					req_fail(r, &t, FAIL_CONNECT);
					continue;
				}
				if (req_send(r, host) < 0) {
					req_fail(r, &t, FAIL_RESET);
					continue;
				}
			} else if (r->state == REQ_READING && ev) {
				ssize_t got;

				if (r->len == sizeof(r->buf) - 1) {
					req_fail(r, &t, FAIL_BODY);
					continue;
				}
				got = recv(r->fd, r->buf + r->len,
					   sizeof(r->buf) - 1 - r->len, 0);
				if (got > 0) {
					r->len += got;
				} else if (got == 0) {
					int why = req_finish(r, &t);

					if (why >= 0)
						req_fail(r, &t, why);
					else
						req_close(r);
					continue;
				} else if (errno != EAGAIN && errno != EINTR) {
					req_fail(r, &t, FAIL_RESET);
					continue;
				}
			}
			if (now >= r->deadline)
				req_fail(r, &t, FAIL_TIMEOUT);
		}
	}

	print_summary(&t, json);
	return t.failed ? EXIT_FAILED : EXIT_OK;
}

/* ---- main ----------------------------------------------------------------- */

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} cmds[] = {
	{ "serve", do_serve },
	{ "get", do_get },
};

static void usage(void)
{
	fprintf(stderr,
		"usage: xlb-http serve --name NAME [--bind ADDR] [--port 80]\n"
		"       xlb-http get --url-host ADDR --port P --count N [--concurrency C]\n"
		"                    [--timeout-ms T] [--json]\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage();
		return EXIT_USAGE;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	usage();
	return EXIT_USAGE;
}
