// SPDX-License-Identifier: GPL-2.0-only
/*
 * xlb-xfer: one bulk TCP transfer, for the netns tests that check a long stream arrives intact
 * through a forwarding mode (tests/netns/modes.sh compares sha256sum of both ends).
 *
 *   xlb-xfer listen [--bind ADDR] --port P [--timeout-ms T]
 *   xlb-xfer connect --addr ADDR --port P [--timeout-ms T]
 *
 * On one connection (listen accepts one and closes its listener), both ways at once: stdin is
 * sent to the peer, then the write side shut down; what the peer sends goes to stdout until its
 * end. So `listen <file` serves a download, `connect <file` an upload, and `</dev/null` a side
 * that only receives. listen says "xlb-xfer: listening ..." on stderr once it listens; each
 * side ends with "xlb-xfer: sent N received N bytes in MS ms" there. Exit 0 when both ways
 * ended, 1 on an error or when T ms (default 10000) pass without a byte either way, 2 on bad
 * usage. libc only, one connection, no threads.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tool.h"

#define CHUNK (64 * 1024)

enum exit_code {
	EXIT_OK = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
};

/* Wait up to timeout_ms for events on fd; 1 when they came, 0 on timeout or a stop signal. */
static int wait_fd(int fd, short events, unsigned int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;

	do
		n = poll(&p, 1, (int)timeout_ms);
	while (n < 0 && errno == EINTR && !stop);
	return n > 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		len -= w;
	}
	return 0;
}

/* The listening side: bind, say so, accept one connection within timeout_ms. */
static int open_listen(const struct sockaddr_storage *ss, socklen_t len, unsigned int timeout_ms)
{
	int lfd, fd, one = 1, zero = 0;

	lfd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		return -1;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* Dual stack, as xlb-http serve: one listener takes both VIPs. */
	if (ss->ss_family == AF_INET6)
		setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(lfd, (const struct sockaddr *)ss, len) < 0 || listen(lfd, 1) < 0) {
		fprintf(stderr, "xlb-xfer: bind/listen: %s\n", strerror(errno));
		close(lfd);
		return -1;
	}
	fprintf(stderr, "xlb-xfer: listening\n");
	if (!wait_fd(lfd, POLLIN, timeout_ms)) {
		fprintf(stderr, "xlb-xfer: no connection within %u ms\n", timeout_ms);
		close(lfd);
		return -1;
	}
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		fprintf(stderr, "xlb-xfer: accept: %s\n", strerror(errno));
	close(lfd);
	return fd;
}

/* The connecting side: a non-blocking connect given timeout_ms. */
static int open_connect(const struct sockaddr_storage *ss, socklen_t len, unsigned int timeout_ms)
{
	int fd, err = 0;
	socklen_t elen = sizeof(err);

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)ss, len) < 0 && errno != EINPROGRESS)
		err = errno;
	else if (!wait_fd(fd, POLLOUT, timeout_ms))
		err = ETIMEDOUT;
	else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
		err = errno;
	if (err) {
		fprintf(stderr, "xlb-xfer: connect: %s\n", strerror(err));
		close(fd);
		return -1;
	}
	return fd;
}

/* stdin to fd, then SHUT_WR; fd to stdout until EOF. 0, or -1 said on stderr. */
static int pump(int fd, unsigned int timeout_ms)
{
	static char sbuf[CHUNK], rbuf[CHUNK];
	size_t soff = 0, slen = 0;
	uint64_t sent = 0, got = 0;
	bool in_eof = false, peer_eof = false;
	int64_t t0 = now_ms();

	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	while (!in_eof || slen || !peer_eof) {
		struct pollfd p = { .fd = fd };
		ssize_t n;

		if (stop) {
			fprintf(stderr, "xlb-xfer: stopped\n");
			return -1;
		}
		/* Refill from stdin (a file or /dev/null: it never blocks for long). */
		if (!slen && !in_eof) {
			n = read(STDIN_FILENO, sbuf, sizeof(sbuf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				fprintf(stderr, "xlb-xfer: stdin: %s\n", strerror(errno));
				return -1;
			}
			soff = 0;
			slen = n;
			if (!n) {
				in_eof = true;
				shutdown(fd, SHUT_WR);
			}
		}
		p.events = (slen ? POLLOUT : 0) | (peer_eof ? 0 : POLLIN);
		if (!p.events)
			continue;
		n = poll(&p, 1, (int)timeout_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "xlb-xfer: %s after %llu sent, %llu received\n",
				n ? strerror(errno) : "idle timeout", (unsigned long long)sent,
				(unsigned long long)got);
			return -1;
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			n = recv(fd, rbuf, sizeof(rbuf), 0);
			if (n > 0) {
				if (write_all(STDOUT_FILENO, rbuf, n)) {
					fprintf(stderr, "xlb-xfer: stdout: %s\n", strerror(errno));
					return -1;
				}
				got += n;
			} else if (!n) {
				peer_eof = true;
			} else if (errno != EAGAIN && errno != EINTR) {
				fprintf(stderr, "xlb-xfer: recv: %s\n", strerror(errno));
				return -1;
			}
		}
		if (slen && (p.revents & POLLOUT)) {
			n = send(fd, sbuf + soff, slen, MSG_NOSIGNAL);
			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				fprintf(stderr, "xlb-xfer: send: %s\n", strerror(errno));
				return -1;
			}
			if (n > 0) {
				soff += n;
				slen -= n;
				sent += n;
			}
		}
	}
	fprintf(stderr, "xlb-xfer: sent %llu received %llu bytes in %lld ms\n",
		(unsigned long long)sent, (unsigned long long)got, (long long)(now_ms() - t0));
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "addr", required_argument, NULL, 'a' },
		{ "bind", required_argument, NULL, 'b' },
		{ "port", required_argument, NULL, 'p' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ 0 }
	};
	const char *addr = NULL;
	unsigned int port = 0, timeout_ms = 10000;
	struct sockaddr_storage ss;
	socklen_t sslen;
	bool listening;
	int c, fd, rc;

	if (argc < 2 || (strcmp(argv[1], "listen") && strcmp(argv[1], "connect")))
		goto usage;
	listening = !strcmp(argv[1], "listen");
	if (listening)
		addr = "::";
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "a:b:p:t:", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
		case 'b':
			if ((c == 'b') != listening)
				goto usage;
			addr = optarg;
			break;
		case 'p':
			if (parse_uint(optarg, "port", 65535, &port))
				return EXIT_USAGE;
			break;
		case 't':
			if (parse_uint(optarg, "timeout-ms", 3600000, &timeout_ms) || !timeout_ms)
				return EXIT_USAGE;
			break;
		default:
			goto usage;
		}
	}
	if (!addr || !port || optind != argc || parse_addr(addr, port, &ss, &sslen))
		goto usage;

	catch_stop_signals();
	fd = listening ? open_listen(&ss, sslen, timeout_ms) : open_connect(&ss, sslen, timeout_ms);
	if (fd < 0)
		return EXIT_FAILED;
	rc = pump(fd, timeout_ms);
	close(fd);
	return rc ? EXIT_FAILED : EXIT_OK;

usage:
	fprintf(stderr, "usage: xlb-xfer listen [--bind ADDR] --port P [--timeout-ms T]\n"
			"       xlb-xfer connect --addr ADDR --port P [--timeout-ms T]\n");
	return EXIT_USAGE;
}
