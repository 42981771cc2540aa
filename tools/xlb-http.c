// SPDX-License-Identifier: GPL-2.0-only
/*
 * xlb-http: the smallest HTTP/1.x server and clients the netns tests and the demo need.
 *
 *   xlb-http serve --name NAME [--bind ADDR] [--port 80] [--log FILE] [--idle-ms I]
 *	Answers every request with "NAME\n". An HTTP/1.0 request, or one with
 *	"Connection: close", gets its reply and the connection is closed; an
 *	HTTP/1.1 request without it is answered with
 *	"HTTP/1.1 200 OK\r\nContent-Length: N\r\n\r\nNAME\n" and the connection
 *	stays open for the next one (idle for I ms, default 5000, it is dropped:
 *	a test that keeps connections idle longer says so). Listens on a
 *	dual-stack "::" socket by default, so one server answers both the IPv4 and
 *	the IPv6 VIP held on the backend's loopback. --log appends one line a
 *	request answered to FILE, "ADDR PORT": the peer as accept() saw it (an
 *	IPv4 peer without its ::ffff: prefix), so a test can tell the client's
 *	own address from a load balancer's.
 *
 *   xlb-http get --url-host ADDR --port P (--count N | --duration-ms D)
 *		  [--rate R] [--concurrency C] [--timeout-ms T] [--json]
 *	Makes requests, each on a connection of its own (so each is a new flow
 *	for the load balancer), C in flight: N of them, or as many as start
 *	within D ms (both given: whichever ends first); with --rate, R a second,
 *	paced from the start. Tallies the replies by body, i.e. by the name of the
 *	backend that answered. SIGTERM/SIGINT: start no more, finish those in
 *	flight, report. Exit 0 when every request got a 200, 1 otherwise. --json
 *	prints one line:
 *	{"ok":N,"failed":N,"backends":{"b1":N,...},"errors":{"connect":N,...},
 *	 "start_unix_ms":MS,"elapsed_ms":MS,"first_fail_ms":MS,"last_fail_ms":MS,
 *	 "last_fail_start_ms":MS[,"connect_error":"Connection refused"]}
 *	where errors counts the failures by kind (connect, timeout, reset,
 *	status, body); the *_fail_ms are ms since the start (start_unix_ms, wall
 *	clock) at which the first and the last failure were seen and at which the
 *	last failed request had been started, null without failures.
 *
 *   xlb-http hold --url-host ADDR --port P [--conns N] [--duration-ms D]
 *		   [--interval-ms I] [--timeout-ms T] [--idle] [--json]
 *	Opens N long-lived HTTP/1.1 keep-alive connections and on each sends a
 *	request every I ms for D ms (the connections' schedules staggered over
 *	one interval), checking every reply. A connection that fails (reset,
 *	closed by the server, timeout, bad reply) is closed and not reopened.
 *	Once every connection has its first reply (or failed), prints
 *	"xlb-http hold: N of N connections up (...)" on stderr. SIGTERM/SIGINT
 *	end the run early, as D does. With --idle, each connection goes silent
 *	after its first reply (not a packet either way: a load balancer's idle
 *	entry) until SIGUSR1; then each sends one more request (staggered over
 *	one interval) and is closed once that is answered, and the run ends when
 *	all are (or at D); a connection that kept its backend through the idle
 *	time has "ok":2. Reports, per connection, the backend whose
 *	name came back first, whether any later reply came from another one
 *	("switched"), and how it ended. Exit 1 when a connection failed or
 *	switched. --json prints one line:
 *	{"conns":N,"requests_ok":N,"requests_failed":N,"resets":N,
 *	 "failed_conns":N,"switched":N,"no_reply":N,"per_backend":{"b1":N,...},
 *	 "per_backend_failed":{"b2":N,...},"start_unix_ms":MS,
 *	 "connections":[{"backend":"b1","ok":N,"failed":0|1,"switched":false,
 *	 "error":null|"reset"|...,"fail_ms":null|MS},...]}
 *	per_backend counts connections by their first backend, requests_failed
 *	one per failed connection (its requests stop there), resets those lost to
 *	an RST or to the server closing them, no_reply those that never got one.
 *
 *   xlb-http fetch --url-host ADDR --port P [--path PATH] [--timeout-ms T]
 *	One HTTP/1.0 GET of PATH (default /metrics), its body written to stdout
 *	whatever its size: a scrape of xlbd's metrics. Exit 0 on a 200; else
 *	"xlb-http fetch: status N" (or why there was none) on stderr, and 1.
 *
 * libc only (and tools/tool.c, shared with xlb-probe): non-blocking sockets and poll(), no
 * threads.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tool.h"

#define HEAD_MAX	4096	/* request head or whole reply, bytes */
#define NAME_MAX_LEN	64	/* backend name as it appears in a reply body */
#define MAX_NAMES	256	/* distinct backend names tallied by get */
#define MAX_CONNS	1024	/* connections open at once, either side */
#define SERVE_IDLE_MS	5000	/* serve drops a client silent this long, by default */

enum exit_code {
	EXIT_OK = 0,
	EXIT_FAILED = 1,	/* get: a request failed; hold: a connection failed or switched */
	EXIT_USAGE = 2,
};

/* Print a ms offset, or null for "never" (< 0). */
static void print_ms_or_null(int64_t ms)
{
	if (ms < 0)
		printf("null");
	else
		printf("%lld", (long long)ms);
}

/* ---- serve ---------------------------------------------------------------- */

static unsigned int srv_idle_ms = SERVE_IDLE_MS;	/* --idle-ms */

struct srv_conn {
	size_t len;		/* bytes of request head read so far */
	int64_t deadline;	/* drop the connection after this (ms) */
	char peer[INET6_ADDRSTRLEN + 8];	/* "ADDR PORT", for --log */
	char buf[HEAD_MAX];
};

/*
 * The closing reply: as an HTTP/1.0 server to HTTP/1.0 (and to a head that
 * filled the buffer), as HTTP/1.1 with "Connection: close" to an HTTP/1.1
 * request that asked for it.
 */
static void srv_reply(int fd, const char *name, bool http11)
{
	char resp[HEAD_MAX];
	int body = (int)strlen(name) + 1;
	int n;

	n = snprintf(resp, sizeof(resp),
		     "HTTP/1.%d 200 OK\r\n"
		     "Content-Type: text/plain\r\n"
		     "Content-Length: %d\r\n"
		     "Connection: close\r\n"
		     "\r\n"
		     "%s\n", http11, body, name);
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

/* A keep-alive reply; the connection stays open. Returns 0, or -1 to drop it. */
static int srv_reply_keep(int fd, const char *name)
{
	char resp[HEAD_MAX];
	int n;

	n = snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s\n",
		     (int)strlen(name) + 1, name);
	/*
	 * The client reads each reply before its next request, so the send
	 * buffer always has room; a short write means a client that does not
	 * read, and it loses the connection.
	 */
	return send(fd, resp, n, MSG_NOSIGNAL) == n ? 0 : -1;
}

/* Does the request line (head NUL-terminated) end in HTTP/1.1? */
static bool srv_is_http11(const char *head)
{
	const char *eol = strchr(head, '\n');
	size_t n;

	if (!eol)
		return false;
	n = eol - head;
	if (n && head[n - 1] == '\r')
		n--;
	return n >= 8 && !memcmp(head + n - 8, "HTTP/1.1", 8);
}

/*
 * Does the head (NUL-terminated, request line first) leave the connection
 * open? Only HTTP/1.1 without a "Connection: close" header does.
 */
static bool srv_keep_alive(const char *head)
{
	const char *eol = strchr(head, '\n'), *line;

	if (!srv_is_http11(head))
		return false;
	for (line = eol + 1; *line; line = eol + 1) {
		eol = strchr(line, '\n');
		if (!eol)
			eol = line + strlen(line) - 1;
		if (!strncasecmp(line, "connection:", 11)) {
			char val[128];
			size_t len = eol - line - 11;

			if (len >= sizeof(val))
				len = sizeof(val) - 1;
			memcpy(val, line + 11, len);
			val[len] = '\0';
			if (strcasestr(val, "close"))
				return false;
		}
	}
	return true;
}

/*
 * Answer every complete request head at the front of sc->buf (a client may
 * pipeline). Returns true when the connection is done: a closing reply went
 * out, or a keep-alive one could not be sent.
 */
static bool srv_answer(int fd, struct srv_conn *sc, const char *name, FILE *alog, int64_t now)
{
	for (;;) {
		char *crlf = strstr(sc->buf, "\r\n\r\n"), *lf = strstr(sc->buf, "\n\n");
		size_t head;
		char c;
		bool keep, http11;

		if (crlf && (!lf || crlf < lf))
			head = crlf + 4 - sc->buf;
		else if (lf)
			head = lf + 2 - sc->buf;
		else if (sc->len == sizeof(sc->buf) - 1)
			head = sc->len; /* an oversized head gets its answer, then the door */
		else
			return false;

		c = sc->buf[head];
		sc->buf[head] = '\0';
		keep = head < sizeof(sc->buf) - 1 && srv_keep_alive(sc->buf);
		http11 = head < sizeof(sc->buf) - 1 && srv_is_http11(sc->buf);
		sc->buf[head] = c;
		if (alog)
			fprintf(alog, "%s\n", sc->peer);
		if (!keep) {
			srv_reply(fd, name, http11);
			return true;
		}
		if (srv_reply_keep(fd, name))
			return true;
		memmove(sc->buf, sc->buf + head, sc->len - head + 1);
		sc->len -= head;
		sc->deadline = now + srv_idle_ms;
	}
}

/* "ADDR PORT" of an accepted peer; an IPv4 one on the dual-stack socket as plain IPv4. */
static void srv_peer_name(const struct sockaddr_storage *ss, char *out, size_t size)
{
	const struct sockaddr_in6 *sin6 = (const void *)ss;
	const struct sockaddr_in *sin = (const void *)ss;
	char addr[INET6_ADDRSTRLEN] = "?";
	unsigned int port = 0;

	if (ss->ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12], addr, sizeof(addr));
		port = ntohs(sin6->sin6_port);
	} else if (ss->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr));
		port = ntohs(sin6->sin6_port);
	} else if (ss->ss_family == AF_INET) {
		inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
		port = ntohs(sin->sin_port);
	}
	snprintf(out, size, "%s %u", addr, port);
}

static int do_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "bind", required_argument, NULL, 'b' },
		{ "port", required_argument, NULL, 'p' },
		{ "log", required_argument, NULL, 'l' },
		{ "idle-ms", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static struct pollfd pfd[MAX_CONNS + 1];
	static struct srv_conn *conn[MAX_CONNS + 1];
	const char *name = NULL, *bind_addr = "::", *log_path = NULL;
	FILE *alog = NULL;
	unsigned int port = 80;
	struct sockaddr_storage ss;
	socklen_t sslen;
	int nconn = 0, lfd, one = 1, zero = 0, err = EXIT_OK, c;

	while ((c = getopt_long(argc, argv, "n:b:p:l:i:h", opts, NULL)) != -1) {
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
		case 'l':
			log_path = optarg;
			break;
		case 'i':
			if (parse_uint(optarg, "idle-ms", 86400000, &srv_idle_ms) || !srv_idle_ms)
				return EXIT_USAGE;
			break;
		default:
			fprintf(stderr, "usage: xlb-http serve --name NAME [--bind ADDR] [--port 80]"
				" [--log FILE] [--idle-ms I]\n");
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

	catch_stop_signals();

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
	if (log_path) {
		alog = fopen(log_path, "ae");
		if (!alog) {
			fprintf(stderr, "xlb-http serve: %s: %s\n", log_path, strerror(errno));
			close(lfd);
			return EXIT_FAILED;
		}
		/* Whole lines as they happen: a test reads the file while the server runs. */
		setvbuf(alog, NULL, _IOLBF, 0);
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
					done = srv_answer(pfd[i].fd, sc, name, alog, now);
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
				struct sockaddr_storage peer;
				socklen_t plen = sizeof(peer);
				int fd = accept4(lfd, (struct sockaddr *)&peer, &plen,
						 SOCK_NONBLOCK | SOCK_CLOEXEC);
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
				srv_peer_name(&peer, sc->peer, sizeof(sc->peer));
				sc->deadline = now + srv_idle_ms;
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
	if (alog)
		fclose(alog);
	if (stop)
		fprintf(stderr, "xlb-http serve: %s stopping\n", name);
	return err;
}

/* ---- get, hold: the clients' common options -------------------------------- */

/* The options get and hold share, and the address they make of --url-host and --port. */
struct client_opts {
	const char *host;
	unsigned int port, timeout_ms;
	bool json;
	struct sockaddr_storage ss;
	socklen_t sslen;
};

/* The entries of the options client_getopt() takes, which every client's table starts with. */
#define CLIENT_OPTIONS \
	{ "url-host", required_argument, NULL, 'u' }, \
	{ "port", required_argument, NULL, 'p' }, \
	{ "timeout-ms", required_argument, NULL, 't' }, \
	{ "json", no_argument, NULL, 'j' }, \
	{ "help", no_argument, NULL, 'h' }

/*
 * getopt_long(), taking the shared options into o: the next other option, -1 at the end, 0
 * for a bad value (said). nonzero_timeout: --timeout-ms 0 is a bad value too.
 */
static int client_getopt(int argc, char **argv, const char *optstring,
			 const struct option *opts, struct client_opts *o, bool nonzero_timeout)
{
	int c;

	while ((c = getopt_long(argc, argv, optstring, opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			o->host = optarg;
			break;
		case 'p':
			if (parse_uint(optarg, "port", 65535, &o->port))
				return 0;
			break;
		case 't':
			if (parse_uint(optarg, "timeout-ms", 3600000, &o->timeout_ms) ||
			    (nonzero_timeout && !o->timeout_ms))
				return 0;
			break;
		case 'j':
			o->json = true;
			break;
		default:
			return c;
		}
	}
	return -1;
}

/* Once the options are read: o->ss from --url-host and --port; 0, or -1 (said). */
static int client_target(struct client_opts *o, const char *cmd)
{
	if (o->host && !parse_addr(o->host, o->port, &o->ss, &o->sslen))
		return 0;
	fprintf(stderr, "xlb-http %s: --url-host needs an IPv4 or IPv6 address\n", cmd);
	return -1;
}

/* ---- get ------------------------------------------------------------------ */

enum get_fail {
	FAIL_CONNECT,	/* connect() refused, unreachable, ... */
	FAIL_TIMEOUT,	/* no complete reply within --timeout-ms */
	FAIL_RESET,	/* error while sending or reading */
	FAIL_STATUS,	/* reply not "HTTP/1.x 200" */
	FAIL_BODY,	/* malformed or oversized reply */
	FAIL_CLOSED,	/* hold: the server closed a keep-alive connection */
	FAIL_MAX,
};

/* get reports the kinds before this one; only hold's connections outlive a reply. */
#define FAIL_GET_MAX FAIL_CLOSED

static const char *const fail_names[FAIL_MAX] = {
	[FAIL_CONNECT] = "connect",
	[FAIL_TIMEOUT] = "timeout",
	[FAIL_RESET] = "reset",
	[FAIL_STATUS] = "status",
	[FAIL_BODY] = "body",
	[FAIL_CLOSED] = "closed",
};

enum req_state {
	REQ_IDLE,
	REQ_CONNECTING,
	REQ_READING,	/* request sent, reading until the server closes */
};

struct req {
	enum req_state state;
	int fd;
	int64_t started;	/* ms, monotonic */
	int64_t deadline;
	size_t len;
	char buf[HEAD_MAX];
};

struct tally {
	unsigned int ok;
	unsigned int failed;
	unsigned int fail[FAIL_MAX];
	int64_t t0;		/* start of the run, ms, monotonic */
	int64_t t0_unix;	/* the same moment, ms, wall clock */
	int64_t first_fail;	/* ms since t0 a failure was first seen; -1: none */
	int64_t last_fail;	/* ... last seen */
	int64_t last_fail_start; /* ... the last failed request had started */
	int connect_errno;	/* the last failed connect's, for the summary; 0: none */
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
	int64_t now = now_ms() - t->t0;

	t->failed++;
	t->fail[why]++;
	if (t->first_fail < 0)
		t->first_fail = now;
	t->last_fail = now;
	if (r->started - t->t0 > t->last_fail_start)
		t->last_fail_start = r->started - t->t0;
	req_close(r);
}

static int req_start(struct req *r, const struct sockaddr_storage *ss,
		     socklen_t sslen, int64_t now, int64_t deadline)
{
	int fd;

	r->started = now;
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
		for (i = 0; i < FAIL_GET_MAX; i++)
			printf("%s\"%s\":%u", i ? "," : "", fail_names[i], t->fail[i]);
		printf("},\"start_unix_ms\":%lld,\"elapsed_ms\":%lld,\"first_fail_ms\":",
		       (long long)t->t0_unix, (long long)(now_ms() - t->t0));
		print_ms_or_null(t->first_fail);
		printf(",\"last_fail_ms\":");
		print_ms_or_null(t->last_fail);
		printf(",\"last_fail_start_ms\":");
		print_ms_or_null(t->last_fail_start);
		/* Which way a connect failed (a RST, an ICMP, a local error) says who refused it. */
		if (t->connect_errno)
			printf(",\"connect_error\":\"%s\"", strerror(t->connect_errno));
		printf("}\n");
		return;
	}

	printf("%-16s %8s %7s\n", "backend", "replies", "share");
	for (i = 0; i < t->nnames; i++)
		printf("%-16s %8u %6.1f%%\n", t->names[i].name, t->names[i].count,
		       t->ok ? 100.0 * t->names[i].count / t->ok : 0.0);
	printf("total %u: ok %u failed %u", total, t->ok, t->failed);
	if (t->failed) {
		printf(" (");
		for (i = 0; i < FAIL_GET_MAX; i++)
			if (t->fail[i])
				printf(" %s %u", fail_names[i], t->fail[i]);
		printf(" ), the first %lld ms, the last %lld ms after the start",
		       (long long)t->first_fail, (long long)t->last_fail);
	}
	printf("\n");
}

/* Is there another request to start: not stopped, under --count, inside --duration-ms? */
static bool get_more(unsigned int started, unsigned int count, int64_t now, int64_t end)
{
	return !stop && (!count || started < count) && (end < 0 || now < end);
}

static int do_get(int argc, char **argv)
{
	static const struct option opts[] = {
		CLIENT_OPTIONS,
		{ "count", required_argument, NULL, 'n' },
		{ "duration-ms", required_argument, NULL, 'd' },
		{ "rate", required_argument, NULL, 'r' },
		{ "concurrency", required_argument, NULL, 'c' },
		{ 0 }
	};
	static struct tally t;
	static struct req reqs[MAX_CONNS];
	static struct pollfd pfd[MAX_CONNS];
	struct client_opts o = { .port = 80, .timeout_ms = 2000 };
	unsigned int count = 0, conc = 8, rate = 0;
	unsigned int duration_ms = 0, started = 0, i;
	int64_t t0_us, end_us = -1;
	bool busy = true;
	int c;

	while ((c = client_getopt(argc, argv, "u:p:n:d:r:c:t:jh", opts, &o, false)) != -1) {
		switch (c) {
		case 0:
			return EXIT_USAGE;
		case 'n':
			if (parse_uint(optarg, "count", 100000000, &count) || !count) {
				fprintf(stderr, "xlb-http get: count is 1..100000000\n");
				return EXIT_USAGE;
			}
			break;
		case 'd':
			if (parse_uint(optarg, "duration-ms", 86400000, &duration_ms) ||
			    !duration_ms) {
				fprintf(stderr, "xlb-http get: duration-ms is 1..86400000\n");
				return EXIT_USAGE;
			}
			break;
		case 'r':
			if (parse_uint(optarg, "rate", 1000000, &rate) || !rate) {
				fprintf(stderr, "xlb-http get: rate is 1..1000000 a second\n");
				return EXIT_USAGE;
			}
			break;
		case 'c':
			if (parse_uint(optarg, "concurrency", MAX_CONNS, &conc) || !conc) {
				fprintf(stderr, "xlb-http get: concurrency is 1..%d\n", MAX_CONNS);
				return EXIT_USAGE;
			}
			break;
		default:
			fprintf(stderr, "usage: xlb-http get --url-host ADDR --port P "
				"(--count N | --duration-ms D) [--rate R]\n"
				"                    [--concurrency C] [--timeout-ms T] [--json]\n");
			return EXIT_USAGE;
		}
	}
	if (client_target(&o, "get"))
		return EXIT_USAGE;
	if (!count && !duration_ms)
		count = 1;
	catch_stop_signals();

	for (i = 0; i < conc; i++) {
		reqs[i].fd = -1;
		reqs[i].state = REQ_IDLE;
	}
	t0_us = now_us();
	t.t0 = t0_us / 1000;
	t.t0_unix = unix_ms();
	t.first_fail = t.last_fail = t.last_fail_start = -1;
	if (duration_ms)
		end_us = t0_us + (int64_t)duration_ms * 1000;

	while (busy || get_more(started, count, now_us(), end_us)) {
		int64_t now = now_us(), next = -1, due = -1;
		int n;

		/*
		 * Fill idle slots (with --rate, only requests already due: the
		 * i-th is due i/R s after the start), then poll every busy one.
		 */
		busy = false;
		for (i = 0; i < conc; i++) {
			struct req *r = &reqs[i];

			if (r->state == REQ_IDLE && get_more(started, count, now, end_us)) {
				due = rate ? t0_us + (int64_t)started * 1000000 / rate : now;
				if (due <= now) {
					started++;
					int err = req_start(r, &o.ss, o.sslen, now / 1000,
							    now / 1000 + o.timeout_ms);

					if (err < 0) {
						t.connect_errno = -err;
						req_fail(r, &t, FAIL_CONNECT);
					}
					due = -1;
				}
			}
			pfd[i].fd = r->state == REQ_IDLE ? -1 : r->fd;
			pfd[i].events = r->state == REQ_CONNECTING ? POLLOUT : POLLIN;
			pfd[i].revents = 0;
			if (r->state != REQ_IDLE) {
				busy = true;
				if (next < 0 || r->deadline * 1000 < next)
					next = r->deadline * 1000;
			}
		}
		/* The next paced start, or the end of the run, may come before any deadline. */
		if (due >= 0 && (next < 0 || due < next))
			next = due;
		if (end_us >= 0 && now < end_us && (next < 0 || end_us < next))
			next = end_us;
		if (!busy && next < 0)
			continue;	/* every start failed at once; loop refills or ends */

		n = poll(pfd, conc, next < 0 ? -1 : next > now ? (int)((next - now + 999) / 1000) : 0);
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "xlb-http get: poll: %s\n", strerror(errno));
			return EXIT_FAILED;
		}

		now = now_ms();	/* ms from here on, as the deadlines are */
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
					t.connect_errno = soerr;
					req_fail(r, &t, FAIL_CONNECT);
					continue;
				}
				if (req_send(r, o.host) < 0) {
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
		busy = false;
		for (i = 0; i < conc; i++)
			busy |= reqs[i].state != REQ_IDLE;
	}

	print_summary(&t, o.json);
	return t.failed ? EXIT_FAILED : EXIT_OK;
}

/* ---- hold ----------------------------------------------------------------- */

/* --idle: set by SIGUSR1, the end of the connections' silence. */
static volatile sig_atomic_t hold_woken;

static void on_usr1(int sig)
{
	(void)sig;
	hold_woken = 1;
}

enum hold_state {
	HOLD_CONNECTING,
	HOLD_IDLE,	/* between requests; watched for the server closing it */
	HOLD_READING,	/* request sent, reply not complete */
	HOLD_DONE,	/* closed by us at the end of the run */
	HOLD_DEAD,	/* failed; why in fail */
};

struct hold_conn {
	enum hold_state state;
	int fd;
	int64_t next_us;	/* the next request is due */
	int64_t deadline_us;	/* of the connect or the reply in flight */
	size_t len;
	char buf[HEAD_MAX];
	char backend[NAME_MAX_LEN + 1];	/* "" until the first reply */
	unsigned int ok;
	bool switched;		/* a reply named another backend than the first */
	int fail;		/* enum get_fail, or -1 */
	int64_t fail_ms;	/* since the start of the run */
};

/* Content-Length of a NUL-terminated reply head, or -1. */
static long hold_content_length(const char *head)
{
	const char *line;

	for (line = strchr(head, '\n'); line; line = strchr(line + 1, '\n')) {
		char *end;
		long v;

		if (strncasecmp(line + 1, "content-length:", 15))
			continue;
		errno = 0;
		v = strtol(line + 16, &end, 10);
		if (errno || end == line + 16 || v < 0)
			return -1;
		return v;
	}
	return -1;
}

/*
 * Judge what has arrived of a keep-alive reply. Returns 0 while it is
 * incomplete, 1 when it is complete and good (its body, the backend's name,
 * in name), or -(enum get_fail) + -1 when it is bad.
 */
static int hold_parse(struct hold_conn *hc, char name[NAME_MAX_LEN + 1])
{
	char *end, *body, *nl;
	int maj, min, status;
	size_t head;
	long clen;

	hc->buf[hc->len] = '\0';
	end = strstr(hc->buf, "\r\n\r\n");
	if (!end)
		return hc->len == sizeof(hc->buf) - 1 ? -FAIL_BODY - 1 : 0;
	head = end + 4 - hc->buf;
	if (sscanf(hc->buf, "HTTP/%d.%d %d", &maj, &min, &status) != 3)
		return -FAIL_BODY - 1;
	if (status != 200)
		return -FAIL_STATUS - 1;
	*end = '\0';
	clen = hold_content_length(hc->buf);
	*end = '\r';
	/* Without a length the reply would end at EOF: no keep-alive, so no use here. */
	if (clen < 1 || (size_t)clen > NAME_MAX_LEN + 2 || head + clen > sizeof(hc->buf) - 1)
		return -FAIL_BODY - 1;
	if (hc->len < head + clen)
		return 0;
	/* One reply per request: anything after it was never asked for. */
	if (hc->len > head + clen)
		return -FAIL_BODY - 1;
	body = hc->buf + head;
	body[clen] = '\0';
	nl = strpbrk(body, "\r\n");
	if (nl)
		*nl = '\0';
	if (!*body || strlen(body) > NAME_MAX_LEN)
		return -FAIL_BODY - 1;
	snprintf(name, NAME_MAX_LEN + 1, "%s", body);
	hc->len = 0;
	return 1;
}

static void hold_fail(struct hold_conn *hc, enum get_fail why, int64_t t0_us)
{
	if (hc->fd >= 0)
		close(hc->fd);
	hc->fd = -1;
	hc->state = HOLD_DEAD;
	hc->fail = why;
	hc->fail_ms = (now_us() - t0_us) / 1000;
}

static int hold_send(struct hold_conn *hc, const char *host)
{
	char q[512];
	int n = snprintf(q, sizeof(q),
			 "GET / HTTP/1.1\r\n"
			 "Host: %s\r\n"
			 "User-Agent: xlb-http\r\n"
			 "\r\n", host);

	/* The previous reply has been read whole, so the send buffer is empty. */
	if (send(hc->fd, q, n, MSG_NOSIGNAL) != n)
		return -1;
	hc->len = 0;
	hc->state = HOLD_READING;
	return 0;
}

/* A complete good reply arrived: tally it, schedule the next request. */
static void hold_reply(struct hold_conn *hc, const char *name, int64_t now, unsigned int interval_us)
{
	if (!hc->backend[0])
		snprintf(hc->backend, sizeof(hc->backend), "%s", name);
	else if (strcmp(hc->backend, name))
		hc->switched = true;
	hc->ok++;
	hc->state = HOLD_IDLE;
	/* Keep to the schedule; a late reply does not make the next ones come in a burst. */
	hc->next_us += interval_us;
	if (hc->next_us < now)
		hc->next_us = now;
}

/* Read what the socket has; on the way, fail or complete the connection's request. */
static void hold_read(struct hold_conn *hc, int64_t t0_us, unsigned int interval_us)
{
	char name[NAME_MAX_LEN + 1];
	ssize_t got;
	int ret;

	got = recv(hc->fd, hc->buf + hc->len, sizeof(hc->buf) - 1 - hc->len, 0);
	if (got < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (got < 0) {
		hold_fail(hc, FAIL_RESET, t0_us);
		return;
	}
	if (got == 0) {
		hold_fail(hc, FAIL_CLOSED, t0_us);
		return;
	}
	if (hc->state == HOLD_IDLE) {
		hold_fail(hc, FAIL_BODY, t0_us);	/* bytes nobody asked for */
		return;
	}
	hc->len += got;
	ret = hold_parse(hc, name);
	if (ret < 0)
		hold_fail(hc, -ret - 1, t0_us);
	else if (ret > 0)
		hold_reply(hc, name, now_us(), interval_us);
}

struct hold_count {
	char name[NAME_MAX_LEN + 1];
	unsigned int conns;
	unsigned int failed;
};

static int cmp_hold_counts(const void *a, const void *b)
{
	return strcmp(((const struct hold_count *)a)->name, ((const struct hold_count *)b)->name);
}

/* Connections by their first backend; n_out distinct names. */
static struct hold_count *hold_count_backends(const struct hold_conn *conns, unsigned int n,
					      unsigned int *n_out)
{
	static struct hold_count counts[MAX_NAMES];
	unsigned int i, j, nc = 0;

	for (i = 0; i < n; i++) {
		if (!conns[i].backend[0])
			continue;
		for (j = 0; j < nc; j++)
			if (!strcmp(counts[j].name, conns[i].backend))
				break;
		if (j == nc) {
			if (nc == MAX_NAMES)
				continue;
			snprintf(counts[nc].name, sizeof(counts[nc].name), "%s", conns[i].backend);
			counts[nc].conns = counts[nc].failed = 0;
			nc++;
		}
		counts[j].conns++;
		counts[j].failed += conns[i].state == HOLD_DEAD;
	}
	qsort(counts, nc, sizeof(counts[0]), cmp_hold_counts);
	*n_out = nc;
	return counts;
}

/* stderr, once every connection has had its first reply or failed: a script waits for it. */
static void hold_announce(const struct hold_conn *conns, unsigned int n)
{
	struct hold_count *counts;
	unsigned int i, nc, up = 0;
	char line[1024];
	size_t off;

	for (i = 0; i < n; i++)
		up += conns[i].state != HOLD_DEAD;
	counts = hold_count_backends(conns, n, &nc);
	off = snprintf(line, sizeof(line), "xlb-http hold: %u of %u connections up (", up, n);
	for (i = 0; i < nc && off < sizeof(line); i++)
		off += snprintf(line + off, sizeof(line) - off, "%s%s %u", i ? ", " : "",
				counts[i].name, counts[i].conns);
	/* One write: a script polling the file never sees half the line. */
	fprintf(stderr, "%.*s)\n", (int)(off < sizeof(line) ? off : sizeof(line) - 1), line);
}

static bool hold_summary(const struct hold_conn *conns, unsigned int n, int64_t t0_unix,
			 bool json)
{
	unsigned int i, nc, ok = 0, failed = 0, resets = 0, switched = 0, no_reply = 0;
	struct hold_count *counts = hold_count_backends(conns, n, &nc);

	for (i = 0; i < n; i++) {
		const struct hold_conn *hc = &conns[i];

		ok += hc->ok;
		failed += hc->state == HOLD_DEAD;
		resets += hc->state == HOLD_DEAD &&
			  (hc->fail == FAIL_RESET || hc->fail == FAIL_CLOSED);
		switched += hc->switched;
		no_reply += !hc->backend[0];
	}

	if (json) {
		printf("{\"conns\":%u,\"requests_ok\":%u,\"requests_failed\":%u,\"resets\":%u,"
		       "\"failed_conns\":%u,\"switched\":%u,\"no_reply\":%u,\"per_backend\":{",
		       n, ok, failed, resets, failed, switched, no_reply);
		for (i = 0; i < nc; i++)
			printf("%s\"%s\":%u", i ? "," : "", counts[i].name, counts[i].conns);
		printf("},\"per_backend_failed\":{");
		for (i = 0; i < nc; i++)
			printf("%s\"%s\":%u", i ? "," : "", counts[i].name, counts[i].failed);
		printf("},\"start_unix_ms\":%lld,\"connections\":[", (long long)t0_unix);
		for (i = 0; i < n; i++) {
			const struct hold_conn *hc = &conns[i];
			bool dead = hc->state == HOLD_DEAD;

			printf("%s{\"backend\":\"%s\",\"ok\":%u,\"failed\":%d,\"switched\":%s,"
			       "\"error\":", i ? "," : "", hc->backend, hc->ok, dead,
			       hc->switched ? "true" : "false");
			if (dead)
				printf("\"%s\",\"fail_ms\":%lld}", fail_names[hc->fail],
				       (long long)hc->fail_ms);
			else
				printf("null,\"fail_ms\":null}");
		}
		printf("]}\n");
	} else {
		printf("%-5s %-16s %8s %-8s %s\n", "conn", "backend", "replies", "switched",
		       "end");
		for (i = 0; i < n; i++) {
			const struct hold_conn *hc = &conns[i];
			char end[64];

			if (hc->state == HOLD_DEAD)
				snprintf(end, sizeof(end), "%s after %lld ms", fail_names[hc->fail],
					 (long long)hc->fail_ms);
			else
				snprintf(end, sizeof(end), "ok");
			printf("%-5u %-16s %8u %-8s %s\n", i, hc->backend[0] ? hc->backend : "-",
			       hc->ok, hc->switched ? "yes" : "no", end);
		}
		printf("connections %u: failed %u (reset %u), switched %u; requests ok %u, "
		       "failed %u\n", n, failed, resets, switched, ok, failed);
	}
	return failed || switched;
}

static int do_hold(int argc, char **argv)
{
	static const struct option opts[] = {
		CLIENT_OPTIONS,
		{ "conns", required_argument, NULL, 'n' },
		{ "duration-ms", required_argument, NULL, 'd' },
		{ "interval-ms", required_argument, NULL, 'i' },
		{ "idle", no_argument, NULL, 'I' },
		{ 0 }
	};
	static struct hold_conn conns[MAX_CONNS];
	struct sigaction usr1 = { .sa_handler = on_usr1 };
	static struct pollfd pfd[MAX_CONNS];
	struct client_opts o = { .port = 80, .timeout_ms = 2000 };
	unsigned int n = 10, duration_ms = 5000, interval_ms = 100;
	unsigned int i, live;
	int64_t t0_us, t0_unix, end_us;
	bool announced = false, idle = false, woken = false;
	int c;

	while ((c = client_getopt(argc, argv, "u:p:n:d:i:t:Ijh", opts, &o, true)) != -1) {
		switch (c) {
		case 0:
			return EXIT_USAGE;
		case 'n':
			if (parse_uint(optarg, "conns", MAX_CONNS, &n) || !n) {
				fprintf(stderr, "xlb-http hold: conns is 1..%d\n", MAX_CONNS);
				return EXIT_USAGE;
			}
			break;
		case 'd':
			if (parse_uint(optarg, "duration-ms", 86400000, &duration_ms))
				return EXIT_USAGE;
			break;
		case 'i':
			if (parse_uint(optarg, "interval-ms", 3600000, &interval_ms) ||
			    !interval_ms) {
				fprintf(stderr, "xlb-http hold: interval-ms is 1..3600000\n");
				return EXIT_USAGE;
			}
			break;
		case 'I':
			idle = true;
			break;
		default:
			fprintf(stderr, "usage: xlb-http hold --url-host ADDR --port P [--conns N] "
				"[--duration-ms D]\n"
				"                     [--interval-ms I] [--timeout-ms T] [--idle] "
				"[--json]\n");
			return EXIT_USAGE;
		}
	}
	if (client_target(&o, "hold"))
		return EXIT_USAGE;
	catch_stop_signals();
	/* No SA_RESTART, as for the stop signals: poll() returns and the loop sees it. */
	sigaction(SIGUSR1, &usr1, NULL);

	t0_us = now_us();
	t0_unix = unix_ms();
	end_us = t0_us + (int64_t)duration_ms * 1000;
	for (i = 0; i < n; i++) {
		struct hold_conn *hc = &conns[i];

		hc->fail = -1;
		hc->state = HOLD_CONNECTING;
		hc->deadline_us = t0_us + (int64_t)o.timeout_ms * 1000;
		/* Staggered over one interval: the requests do not all go out at once. */
		hc->next_us = t0_us + (int64_t)interval_ms * 1000 * i / n;
		hc->fd = socket(o.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (hc->fd < 0 || (connect(hc->fd, (struct sockaddr *)&o.ss, o.sslen) < 0 &&
				   errno != EINPROGRESS))
			hold_fail(hc, FAIL_CONNECT, t0_us);
	}

	for (;;) {
		int64_t now = now_us(), next = -1;
		bool ending = stop || now >= end_us;
		int ret;

		live = 0;
		if (idle && hold_woken && !woken) {
			woken = true;
			for (i = 0; i < n; i++)
				conns[i].next_us = now + (int64_t)interval_ms * 1000 * i / n;
		}
		for (i = 0; i < n; i++) {
			struct hold_conn *hc = &conns[i];
			/* Silent until SIGUSR1; closed once the request after it is answered. */
			bool quiet = idle && !woken && hc->ok, done = idle && hc->ok >= 2;
			int64_t wake = -1;

			if (hc->state == HOLD_IDLE && (ending || done)) {
				close(hc->fd);
				hc->fd = -1;
				hc->state = HOLD_DONE;
			} else if (hc->state == HOLD_IDLE && !quiet && now >= hc->next_us) {
				if (hold_send(hc, o.host) < 0)
					hold_fail(hc, FAIL_RESET, t0_us);
				else
					hc->deadline_us = now + (int64_t)o.timeout_ms * 1000;
			}
			pfd[i].fd = -1;
			pfd[i].revents = 0;
			switch (hc->state) {
			case HOLD_CONNECTING:
				pfd[i].fd = hc->fd;
				pfd[i].events = POLLOUT;
				wake = hc->deadline_us;
				break;
			case HOLD_IDLE:
				pfd[i].fd = hc->fd;
				pfd[i].events = POLLIN;
				/* A SIGUSR1 just before poll() is seen within 100 ms. */
				wake = quiet ? now + 100000 : hc->next_us;
				break;
			case HOLD_READING:
				pfd[i].fd = hc->fd;
				pfd[i].events = POLLIN;
				wake = hc->deadline_us;
				break;
			default:
				break;
			}
			if (pfd[i].fd >= 0)
				live++;
			if (wake >= 0 && (next < 0 || wake < next))
				next = wake;
		}
		if (!announced) {
			for (i = 0; i < n; i++)
				if (!conns[i].ok && conns[i].state != HOLD_DEAD &&
				    conns[i].state != HOLD_DONE)
					break;
			if (i == n) {
				hold_announce(conns, n);
				announced = true;
			}
		}
		if (!live)
			break;
		if (!ending && end_us < next)
			next = end_us;

		ret = poll(pfd, n, next > now ? (int)((next - now + 999) / 1000) : 0);
		if (ret < 0 && errno != EINTR) {
			fprintf(stderr, "xlb-http hold: poll: %s\n", strerror(errno));
			return EXIT_FAILED;
		}

		now = now_us();
		for (i = 0; i < n; i++) {
			struct hold_conn *hc = &conns[i];
			short ev = pfd[i].revents;

			if (hc->state == HOLD_CONNECTING && ev) {
				int soerr = 0;
				socklen_t l = sizeof(soerr);

				getsockopt(hc->fd, SOL_SOCKET, SO_ERROR, &soerr, &l);
				if (soerr)
					hold_fail(hc, FAIL_CONNECT, t0_us);
				else
					hc->state = HOLD_IDLE;
			} else if ((hc->state == HOLD_IDLE || hc->state == HOLD_READING) && ev) {
				hold_read(hc, t0_us, interval_ms * 1000);
			}
			if ((hc->state == HOLD_CONNECTING || hc->state == HOLD_READING) &&
			    now >= hc->deadline_us)
				hold_fail(hc, FAIL_TIMEOUT, t0_us);
		}
	}

	if (!announced)
		hold_announce(conns, n);
	return hold_summary(conns, n, t0_unix, o.json) ? EXIT_FAILED : EXIT_OK;
}

/* ---- fetch ---------------------------------------------------------------- */

/* Wait for events on fd until the deadline: > 0 ready, 0 timed out, < 0 an error or a stop. */
static int fetch_wait(int fd, short events, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int64_t left = deadline - now_ms();

	if (left <= 0 || stop)
		return stop ? -1 : 0;
	return poll(&p, 1, (int)left);
}

static int do_fetch(int argc, char **argv)
{
	static const struct option opts[] = {
		CLIENT_OPTIONS,
		{ "path", required_argument, NULL, 'P' },
		{},
	};
	struct client_opts o = { .timeout_ms = 5000 };
	const char *path = "/metrics", *body, *why = NULL;
	char req[512], *buf = NULL, *grown;
	size_t len = 0, cap = 0;
	int64_t deadline;
	int c, fd, status = 0, err = 0;
	socklen_t elen = sizeof(err);
	ssize_t n;

	while ((c = client_getopt(argc, argv, "u:p:t:P:h", opts, &o, true)) != -1) {
		if (c == 'P') {
			path = optarg;
			continue;
		}
		if (c)
			fprintf(stderr, "usage: xlb-http fetch --url-host ADDR --port P "
				"[--path PATH] [--timeout-ms T]\n");
		return EXIT_USAGE;
	}
	if (client_target(&o, "fetch"))
		return EXIT_USAGE;
	catch_stop_signals();
	deadline = now_ms() + o.timeout_ms;
	snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", path, o.host);
	fd = socket(o.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || (connect(fd, (struct sockaddr *)&o.ss, o.sslen) && errno != EINPROGRESS) ||
	    fetch_wait(fd, POLLOUT, deadline) <= 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) || err ||
	    send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req)) {
		why = "connect";
		goto out;
	}
	/* The server closes after an HTTP/1.0 reply: read to the end. */
	for (;;) {
		if (len + 4096 > cap) {
			cap = cap ? 2 * cap : 65536;
			grown = realloc(buf, cap + 1);
			if (!grown) {
				why = "out of memory";
				goto out;
			}
			buf = grown;
		}
		n = recv(fd, buf + len, cap - len, 0);
		if (n > 0) {
			len += n;
		} else if (!n) {
			break;
		} else if (errno != EAGAIN || fetch_wait(fd, POLLIN, deadline) <= 0) {
			why = errno == EAGAIN ? "timeout" : "reset";
			goto out;
		}
	}
	buf[len] = '\0';
	body = strstr(buf, "\r\n\r\n");
	if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1 || !body) {
		why = "not an HTTP reply";
		goto out;
	}
	body += 4;
	fwrite(body, 1, len - (body - buf), stdout);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	if (why)
		fprintf(stderr, "xlb-http fetch: %s\n", why);
	else if (status != 200)
		fprintf(stderr, "xlb-http fetch: status %d\n", status);
	return !why && status == 200 ? EXIT_OK : EXIT_FAILED;
}

/* ---- main ----------------------------------------------------------------- */

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} cmds[] = {
	{ "serve", do_serve },
	{ "get", do_get },
	{ "hold", do_hold },
	{ "fetch", do_fetch },
};

static void usage(void)
{
	fprintf(stderr,
		"usage: xlb-http serve --name NAME [--bind ADDR] [--port 80] [--log FILE]\n"
		"                      [--idle-ms I]\n"
		"       xlb-http get --url-host ADDR --port P (--count N | --duration-ms D)\n"
		"                    [--rate R] [--concurrency C] [--timeout-ms T] [--json]\n"
		"       xlb-http hold --url-host ADDR --port P [--conns N] [--duration-ms D]\n"
		"                     [--interval-ms I] [--timeout-ms T] [--idle] [--json]\n"
		"       xlb-http fetch --url-host ADDR --port P [--path PATH] [--timeout-ms T]\n");
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
