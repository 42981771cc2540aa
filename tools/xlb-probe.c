// SPDX-License-Identifier: GPL-2.0-only
/*
 * xlb-probe: what a failover looks like to a client. Starts a new TCP connection with one
 * HTTP/1.0 GET every I ms, on schedule whatever the earlier ones are doing (non-blocking, so a
 * probe that hangs overlaps the next ones), gives each T ms to get a whole "200" reply, and
 * reports the outage as the longest time between the starts of two successful probes in a row.
 *
 *   xlb-probe --addr ADDR --port P [--interval-ms I] [--duration-ms D] [--timeout-ms T]
 *	       [--gap-ms G] [--json]
 *
 * I defaults to 5 ms, T to 200 ms. Without D it runs until SIGTERM / SIGINT; either way no probe
 * is started after that, those in flight are finished (or time out), and the report is printed:
 * one line of JSON with --json,
 *	{"probes":N,"ok":N,"failed":N,"errors":{"connect":N,"timeout":N,"reset":N,"bad":N},
 *	 "backends":{"b1":N,...},"interval_ms":I,"start_unix_ms":MS,"elapsed_ms":MS,
 *	 "max_gap_ms":X,"max_gap_start_ms":S,"first_fail_ms":MS,"last_fail_ms":MS,
 *	 "last_ok_ms":MS,"recovered":true|false,"gaps":[{"start_ms":S,"ms":X,"failed":N},...]}
 * where every *_ms but elapsed_ms and interval_ms is a probe's start, in ms since start_unix_ms
 * (wall clock) and null when there is none. A gap runs from the start of one successful probe
 * to the start of the next successful one; the run's own start and the moment the next probe
 * would have started after the last one count as successful starts, so that an outage at
 * either end is seen. In the fault-free case every gap is about I. "gaps" lists those of at
 * least G ms (default 4 x I, at least 20), the first 32; "recovered" says whether the last
 * probe succeeded. Backends are tallied by reply body, as xlb-http serve names them.
 *
 * Exit 0 whatever the probes saw (the caller judges), 2 on bad usage, 1 when it could not run.
 * One file, libc only: non-blocking sockets and poll(), no threads.
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

#define MAX_INFLIGHT	1024	/* probes in flight at once; more would be a runaway */
#define REPLY_MAX	1024	/* a whole reply from xlb-http serve, bytes */
#define NAME_MAX_LEN	64	/* a backend's name in a reply body */
#define MAX_NAMES	64	/* distinct backend names tallied */
#define MAX_GAPS	32	/* gaps listed in the report */

enum exit_code {
	EXIT_OK = 0,
	EXIT_RUN = 1,	/* could not run at all (no memory, no socket) */
	EXIT_USAGE = 2,
};

enum probe_err {
	PE_NONE,
	PE_CONNECT,	/* refused, unreachable: the connect itself failed */
	PE_TIMEOUT,	/* no whole reply within T */
	PE_RESET,	/* reset or closed before a whole reply */
	PE_BAD,		/* a reply, but not "200" with a name */
	PE_MAX,
};

static const char *const err_names[PE_MAX] = {
	[PE_CONNECT] = "connect",
	[PE_TIMEOUT] = "timeout",
	[PE_RESET] = "reset",
	[PE_BAD] = "bad",
};

/* One probe's outcome, by start order. */
struct probe {
	int64_t start_us;	/* since the run's start */
	bool done;
	bool ok;
};

/* A probe in flight. */
struct slot {
	int fd;		/* -1: free */
	size_t idx;	/* into the probes array */
	bool sent;	/* connected and the request written */
	int64_t deadline_us;
	size_t len;
	char buf[REPLY_MAX + 1];
};

struct name_count {
	char name[NAME_MAX_LEN + 1];
	unsigned long n;
};

static struct probe *probes;
static size_t n_probes, cap_probes;
static struct slot slots[MAX_INFLIGHT];
static size_t n_inflight;
static struct name_count names[MAX_NAMES];
static size_t n_names;
static unsigned long err_count[PE_MAX];

static void tally_name(const char *name)
{
	size_t i;

	for (i = 0; i < n_names; i++) {
		if (!strcmp(names[i].name, name)) {
			names[i].n++;
			return;
		}
	}
	if (n_names == MAX_NAMES)
		return;
	snprintf(names[n_names].name, sizeof(names[n_names].name), "%s", name);
	names[n_names++].n = 1;
}

/* Record a probe's end and free its slot. A timed-out connection is reset, not left lingering. */
static void finish(struct slot *s, enum probe_err err)
{
	struct probe *p = &probes[s->idx];

	if (err == PE_TIMEOUT) {
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(s->fd);
	s->fd = -1;
	n_inflight--;
	p->done = true;
	p->ok = err == PE_NONE;
	err_count[err]++;
}

/*
 * Judge a whole reply (the server has closed): "HTTP/1.x 200", a blank line, and a body whose
 * first line names the backend. PE_NONE, or PE_BAD.
 */
static enum probe_err judge(struct slot *s)
{
	char *body, *nl;
	int maj, min, status;

	s->buf[s->len] = '\0';
	if (sscanf(s->buf, "HTTP/%d.%d %d", &maj, &min, &status) != 3 || status != 200)
		return PE_BAD;
	body = strstr(s->buf, "\r\n\r\n");
	if (!body)
		return PE_BAD;
	body += 4;
	nl = strpbrk(body, "\r\n");
	if (nl)
		*nl = '\0';
	if (!*body || strlen(body) > NAME_MAX_LEN)
		return PE_BAD;
	tally_name(body);
	return PE_NONE;
}

/* Start the next probe, due now, and give it until deadline_us (absolute, CLOCK_MONOTONIC). */
static int start_probe(const struct sockaddr_storage *ss, socklen_t sl, int64_t t0_us,
		       int64_t deadline_us)
{
	struct slot *s = NULL;
	struct probe *p;
	size_t i;
	int fd;

	if (n_probes == cap_probes) {
		size_t cap = cap_probes ? 2 * cap_probes : 4096;
		struct probe *np = realloc(probes, cap * sizeof(*np));

		if (!np)
			return -ENOMEM;
		probes = np;
		cap_probes = cap;
	}
	p = &probes[n_probes];
	memset(p, 0, sizeof(*p));
	p->start_us = now_us() - t0_us;

	for (i = 0; i < MAX_INFLIGHT; i++) {
		if (slots[i].fd < 0) {
			s = &slots[i];
			break;
		}
	}
	if (!s) {
		/* Every slot hangs: this probe would have hung too. */
		p->done = true;
		err_count[PE_TIMEOUT]++;
		n_probes++;
		return 0;
	}
	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		if (errno != EMFILE && errno != ENFILE && errno != ENOBUFS && errno != ENOMEM)
			return -errno;
		/* Out of descriptors: as failed as a probe gets, but no reason to stop. */
		p->done = true;
		err_count[PE_CONNECT]++;
		n_probes++;
		return 0;
	}
	s->fd = fd;
	s->idx = n_probes++;
	s->sent = false;
	s->len = 0;
	s->deadline_us = deadline_us;
	n_inflight++;
	if (connect(fd, (const struct sockaddr *)ss, sl) && errno != EINPROGRESS)
		finish(s, PE_CONNECT);
	return 0;
}

/* The connect finished (POLLOUT): check it and send the request. */
static void on_writable(struct slot *s, const char *host)
{
	char q[256];
	socklen_t el = sizeof(int);
	int err = 0, n;

	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &el) || err) {
		finish(s, err == ECONNRESET ? PE_RESET : PE_CONNECT);
		return;
	}
	n = snprintf(q, sizeof(q), "GET / HTTP/1.0\r\nHost: %s\r\nUser-Agent: xlb-probe\r\n\r\n",
		     host);
	/* A fresh connection's send buffer takes a request this small whole. */
	if (send(s->fd, q, n, MSG_NOSIGNAL) != n) {
		finish(s, errno == ECONNRESET || errno == EPIPE ? PE_RESET : PE_CONNECT);
		return;
	}
	s->sent = true;
}

static void on_readable(struct slot *s)
{
	ssize_t n;

	for (;;) {
		if (s->len == REPLY_MAX) {
			finish(s, PE_BAD);
			return;
		}
		n = recv(s->fd, s->buf + s->len, REPLY_MAX - s->len, 0);
		if (n > 0) {
			s->len += n;
			continue;
		}
		if (n == 0) {
			/* HTTP/1.0: the server closes after the reply. */
			finish(s, s->len ? judge(s) : PE_RESET);
			return;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		if (errno == EINTR)
			continue;
		finish(s, errno == ECONNREFUSED ? PE_CONNECT : PE_RESET);
		return;
	}
}

static void print_ms_or_null(int64_t us)
{
	if (us < 0)
		printf("null");
	else
		printf("%lld", (long long)(us / 1000));
}

/* ms with one decimal: gaps of a few ms must not all read as the same number. */
static void print_ms1(int64_t us)
{
	printf("%lld.%lld", (long long)(us / 1000), (long long)(us % 1000 / 100));
}

static void report(bool json, int64_t start_unix_ms, int64_t elapsed_us, int64_t end_us,
		   unsigned int interval_ms, unsigned int gap_ms)
{
	int64_t prev_ok = 0, max_gap = -1, max_gap_start = 0, first_fail = -1, last_fail = -1;
	int64_t last_ok = -1;
	struct {
		int64_t start, len;
		unsigned long failed;
	} gaps[MAX_GAPS];
	unsigned long ok = 0, failed = 0, failed_in_gap = 0;
	size_t i, n_gaps = 0, more_gaps = 0;

	/* The run's start, every ok probe, and the end sentinel are the successful starts. */
	for (i = 0; i <= n_probes; i++) {
		bool is_ok = i == n_probes || probes[i].ok;
		int64_t t = i == n_probes ? end_us : probes[i].start_us;
		int64_t gap;

		if (i < n_probes) {
			if (probes[i].ok) {
				ok++;
				last_ok = t;
			} else {
				failed++;
				failed_in_gap++;
				if (first_fail < 0)
					first_fail = t;
				last_fail = t;
			}
		}
		if (!is_ok)
			continue;
		gap = t - prev_ok;
		if (gap > max_gap) {
			max_gap = gap;
			max_gap_start = prev_ok;
		}
		if (gap >= (int64_t)gap_ms * 1000) {
			if (n_gaps < MAX_GAPS) {
				gaps[n_gaps].start = prev_ok;
				gaps[n_gaps].len = gap;
				gaps[n_gaps].failed = failed_in_gap;
				n_gaps++;
			} else {
				more_gaps++;
			}
		}
		prev_ok = t;
		failed_in_gap = 0;
	}

	if (!json) {
		printf("%lu probes, %lu ok, %lu failed; longest gap %lld.%lld ms from %lld ms\n",
		       ok + failed, ok, failed, (long long)(max_gap / 1000),
		       (long long)(max_gap % 1000 / 100), (long long)(max_gap_start / 1000));
		for (i = 0; i < n_gaps; i++)
			printf("  gap %lld ms at %lld ms, %lu probes failed\n",
			       (long long)(gaps[i].len / 1000), (long long)(gaps[i].start / 1000),
			       gaps[i].failed);
		if (more_gaps)
			printf("  and %zu more gaps\n", more_gaps);
		return;
	}

	printf("{\"probes\":%lu,\"ok\":%lu,\"failed\":%lu,\"errors\":{", ok + failed, ok, failed);
	for (i = 1; i < PE_MAX; i++)
		printf("%s\"%s\":%lu", i > 1 ? "," : "", err_names[i], err_count[i]);
	printf("},\"backends\":{");
	for (i = 0; i < n_names; i++)
		printf("%s\"%s\":%lu", i ? "," : "", names[i].name, names[i].n);
	printf("},\"interval_ms\":%u,\"start_unix_ms\":%lld,\"elapsed_ms\":%lld,\"max_gap_ms\":",
	       interval_ms, (long long)start_unix_ms, (long long)(elapsed_us / 1000));
	print_ms1(max_gap);
	printf(",\"max_gap_start_ms\":%lld,\"first_fail_ms\":", (long long)(max_gap_start / 1000));
	print_ms_or_null(first_fail);
	printf(",\"last_fail_ms\":");
	print_ms_or_null(last_fail);
	printf(",\"last_ok_ms\":");
	print_ms_or_null(last_ok);
	printf(",\"recovered\":%s,\"gaps\":[",
	       n_probes && probes[n_probes - 1].ok ? "true" : "false");
	for (i = 0; i < n_gaps; i++) {
		printf("%s{\"start_ms\":%lld,\"ms\":", i ? "," : "",
		       (long long)(gaps[i].start / 1000));
		print_ms1(gaps[i].len);
		printf(",\"failed\":%lu}", gaps[i].failed);
	}
	printf("]}\n");
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xlb-probe --addr ADDR --port P [--interval-ms I] [--duration-ms D]\n"
		"                 [--timeout-ms T] [--gap-ms G] [--json]\n");
}

int main(int argc, char **argv)
{
	enum { OPT_ADDR = 256, OPT_PORT, OPT_INTERVAL, OPT_DURATION, OPT_TIMEOUT, OPT_GAP,
	       OPT_JSON };
	static const struct option opts[] = {
		{ "addr", required_argument, NULL, OPT_ADDR },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "interval-ms", required_argument, NULL, OPT_INTERVAL },
		{ "duration-ms", required_argument, NULL, OPT_DURATION },
		{ "timeout-ms", required_argument, NULL, OPT_TIMEOUT },
		{ "gap-ms", required_argument, NULL, OPT_GAP },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	unsigned int port = 0, interval_ms = 5, duration_ms = 0, timeout_ms = 200, gap_ms = 0;
	struct pollfd pfd[MAX_INFLIGHT];
	struct slot *ps[MAX_INFLIGHT];
	int64_t t0, next, end_sched = 0, start_unix, iv;
	const char *addr = NULL;
	struct sockaddr_storage ss;
	bool json = false;
	socklen_t sl;
	size_t i;
	int c, err;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_ADDR:
			addr = optarg;
			break;
		case OPT_PORT:
			if (parse_uint(optarg, "port", 65535, &port))
				return EXIT_USAGE;
			break;
		case OPT_INTERVAL:
			if (parse_uint(optarg, "interval", 60000, &interval_ms))
				return EXIT_USAGE;
			break;
		case OPT_DURATION:
			if (parse_uint(optarg, "duration", 86400000, &duration_ms))
				return EXIT_USAGE;
			break;
		case OPT_TIMEOUT:
			if (parse_uint(optarg, "timeout", 600000, &timeout_ms))
				return EXIT_USAGE;
			break;
		case OPT_GAP:
			if (parse_uint(optarg, "gap", 86400000, &gap_ms))
				return EXIT_USAGE;
			break;
		case OPT_JSON:
			json = true;
			break;
		default:
			usage();
			return EXIT_USAGE;
		}
	}
	if (optind != argc || !addr || !port || !interval_ms || !timeout_ms) {
		usage();
		return EXIT_USAGE;
	}
	if (parse_addr(addr, port, &ss, &sl)) {
		fprintf(stderr, "xlb-probe: --addr needs an IPv4 or IPv6 address, not '%s'\n",
			addr);
		return EXIT_USAGE;
	}
	if (!gap_ms)
		gap_ms = interval_ms * 4 > 20 ? interval_ms * 4 : 20;

	catch_stop_signals();
	for (i = 0; i < MAX_INFLIGHT; i++)
		slots[i].fd = -1;

	iv = (int64_t)interval_ms * 1000;
	start_unix = unix_ms();
	t0 = now_us();
	next = t0;
	for (;;) {
		int64_t now = now_us(), wait_us;
		size_t n = 0;
		int r;

		if (!stop && duration_ms && now - t0 >= (int64_t)duration_ms * 1000)
			stop = 1;
		/* Start what is due; after a stall of more than an interval, one now, no burst. */
		while (!stop && now >= next) {
			err = start_probe(&ss, sl, t0, now + (int64_t)timeout_ms * 1000);
			if (err) {
				fprintf(stderr, "xlb-probe: %s\n", strerror(-err));
				return EXIT_RUN;
			}
			next += iv;
			if (now - next >= iv)
				next = now + iv;
			end_sched = now - t0 + iv;
		}
		if (stop && !n_inflight)
			break;

		wait_us = stop ? INT64_MAX : next - now;
		for (i = 0; i < MAX_INFLIGHT && n < n_inflight; i++) {
			struct slot *s = &slots[i];

			if (s->fd < 0)
				continue;
			if (s->deadline_us <= now) {
				finish(s, PE_TIMEOUT);
				continue;
			}
			if (s->deadline_us - now < wait_us)
				wait_us = s->deadline_us - now;
			pfd[n].fd = s->fd;
			pfd[n].events = s->sent ? POLLIN : POLLOUT;
			pfd[n].revents = 0;
			ps[n++] = s;
		}
		if (stop && !n_inflight)
			break;
		if (wait_us == INT64_MAX) {
			r = ppoll(pfd, n, NULL, NULL);
		} else {
			struct timespec ts = { .tv_sec = wait_us / 1000000,
					       .tv_nsec = wait_us % 1000000 * 1000 };

			/* µs, not poll()'s ms: at I = 5 ms a whole ms of lateness shows. */
			r = ppoll(pfd, n, &ts, NULL);
		}
		if (r < 0 && errno != EINTR) {
			fprintf(stderr, "xlb-probe: poll: %s\n", strerror(errno));
			return EXIT_RUN;
		}
		for (i = 0; r > 0 && i < n; i++) {
			if (!pfd[i].revents || ps[i]->fd < 0)
				continue;
			if (!ps[i]->sent)
				on_writable(ps[i], addr);
			else
				on_readable(ps[i]);
		}
	}
	report(json, start_unix, now_us() - t0, end_sched, interval_ms, gap_ms);
	free(probes);
	return EXIT_OK;
}
