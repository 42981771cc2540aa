// SPDX-License-Identifier: GPL-2.0-only
/*
 * xlb-tun: the two ends of a tunnelled UDP datagram, for the tests of the backends' decap
 * program (bpf/decap.bpf.c) on hosts without tunnel modules.
 *
 *   xlb-tun send --outer ADDR --src ADDR --dst ADDR --port P --token TEXT
 *   xlb-tun recv --bind ADDR --port P [--timeout-ms MS]
 *
 * send builds an inner IPv4 or IPv6 UDP datagram src -> dst:P carrying TEXT (checksums filled
 * in) and sends it through a raw socket to the outer address, so the kernel writes the outer
 * header as the dispatcher does in tun mode: IPv4 protocol 4 (IPIP) or 41 (6in4), IPv6 next
 * header 41 (IP6IP6) or 4 (4in6), TTL / hop limit 64. recv binds a UDP socket, prints "ready",
 * then "got SRC TEXT" for the first datagram. Exit 0, 1 on failure or timeout (default 3000 ms),
 * 2 on bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TOKEN_MAX 256

struct addr {
	int family;
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} u;
};

static void usage(void)
{
	fprintf(stderr, "usage: xlb-tun send --outer ADDR --src ADDR --dst ADDR --port P --token TEXT\n"
			"       xlb-tun recv --bind ADDR --port P [--timeout-ms MS]\n");
	exit(2);
}

static void parse_addr(const char *s, struct addr *a)
{
	if (inet_pton(AF_INET, s, &a->u.v4) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, s, &a->u.v6) == 1)
		a->family = AF_INET6;
	else
		usage();
}

static uint32_t sum16(uint32_t sum, const void *buf, size_t len)
{
	const uint8_t *b = buf;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* The inner datagram into buf; its length. */
static size_t build(uint8_t *buf, const struct addr *src, const struct addr *dst, uint16_t port,
		    const char *token)
{
	size_t tlen = strlen(token), ulen = 8 + tlen, hlen = src->family == AF_INET ? 20 : 40;
	uint8_t *udp = buf + hlen;
	uint16_t c;
	uint32_t sum;

	memset(buf, 0, hlen + ulen);
	if (src->family == AF_INET) {
		buf[0] = 0x45;
		buf[2] = (hlen + ulen) >> 8;
		buf[3] = (hlen + ulen) & 0xff;
		buf[8] = 64;
		buf[9] = IPPROTO_UDP;
		memcpy(buf + 12, &src->u.v4, 4);
		memcpy(buf + 16, &dst->u.v4, 4);
		c = fold(sum16(0, buf, 20));
		memcpy(buf + 10, &c, 2);
		sum = sum16(0, buf + 12, 8);
	} else {
		buf[0] = 0x60;
		buf[4] = ulen >> 8;
		buf[5] = ulen & 0xff;
		buf[6] = IPPROTO_UDP;
		buf[7] = 64;
		memcpy(buf + 8, &src->u.v6, 16);
		memcpy(buf + 24, &dst->u.v6, 16);
		sum = sum16(0, buf + 8, 32);
	}
	udp[0] = 40000 >> 8;
	udp[1] = 40000 & 0xff;
	udp[2] = port >> 8;
	udp[3] = port & 0xff;
	udp[4] = ulen >> 8;
	udp[5] = ulen & 0xff;
	memcpy(udp + 8, token, tlen);
	sum += IPPROTO_UDP + ulen;
	c = fold(sum16(sum, udp, ulen));
	/* 0 means "no checksum" in UDP; its one's-complement twin is sent instead. */
	if (!c)
		c = 0xffff;
	memcpy(udp + 6, &c, 2);
	return hlen + ulen;
}

static int do_send(const struct addr *outer, const struct addr *src, const struct addr *dst,
		   uint16_t port, const char *token)
{
	uint8_t buf[60 + TOKEN_MAX];
	struct sockaddr_storage ss = {};
	socklen_t sl;
	size_t len;
	int fd;

	if (src->family != dst->family || strlen(token) > TOKEN_MAX)
		usage();
	len = build(buf, src, dst, port, token);
	fd = socket(outer->family, SOCK_RAW, src->family == AF_INET ? IPPROTO_IPIP : IPPROTO_IPV6);
	if (fd < 0) {
		perror("xlb-tun: socket");
		return 1;
	}
	if (outer->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_addr = outer->u.v4;
		sl = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = outer->u.v6;
		sl = sizeof(*sin6);
	}
	if (sendto(fd, buf, len, 0, (struct sockaddr *)&ss, sl) != (ssize_t)len) {
		perror("xlb-tun: sendto");
		close(fd);
		return 1;
	}
	close(fd);
	printf("sent %zu bytes\n", len);
	return 0;
}

static int do_recv(const struct addr *bind_addr, uint16_t port, int timeout_ms)
{
	struct sockaddr_storage ss = {}, from;
	socklen_t sl, fl = sizeof(from);
	char buf[TOKEN_MAX + 1], src[INET6_ADDRSTRLEN];
	struct pollfd pfd;
	ssize_t n;
	int fd;

	if (bind_addr->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_addr = bind_addr->u.v4;
		sin->sin_port = htons(port);
		sl = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = bind_addr->u.v6;
		sin6->sin6_port = htons(port);
		sl = sizeof(*sin6);
	}
	fd = socket(bind_addr->family, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, sl)) {
		perror("xlb-tun: bind");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	if (poll(&pfd, 1, timeout_ms) != 1) {
		fprintf(stderr, "xlb-tun: nothing within %d ms\n", timeout_ms);
		close(fd);
		return 1;
	}
	n = recvfrom(fd, buf, TOKEN_MAX, 0, (struct sockaddr *)&from, &fl);
	close(fd);
	if (n < 0) {
		perror("xlb-tun: recvfrom");
		return 1;
	}
	buf[n] = 0;
	if (from.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&from)->sin_addr, src, sizeof(src));
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&from)->sin6_addr, src, sizeof(src));
	printf("got %s %s\n", src, buf);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "outer", required_argument, NULL, 'o' }, { "src", required_argument, NULL, 's' },
		{ "dst", required_argument, NULL, 'd' },   { "port", required_argument, NULL, 'p' },
		{ "token", required_argument, NULL, 't' }, { "bind", required_argument, NULL, 'b' },
		{ "timeout-ms", required_argument, NULL, 'w' }, {},
	};
	struct addr outer = {}, src = {}, dst = {}, bind_addr = {};
	const char *token = NULL;
	long port = 0, timeout = 3000;
	int c;

	if (argc < 2)
		usage();
	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (c) {
		case 'o': parse_addr(optarg, &outer); break;
		case 's': parse_addr(optarg, &src); break;
		case 'd': parse_addr(optarg, &dst); break;
		case 'b': parse_addr(optarg, &bind_addr); break;
		case 't': token = optarg; break;
		case 'p': port = strtol(optarg, NULL, 10); break;
		case 'w': timeout = strtol(optarg, NULL, 10); break;
		default: usage();
		}
	}
	if (port <= 0 || port > 65535 || optind != argc - 1)
		usage();
	if (!strcmp(argv[1], "send") && outer.family && src.family && dst.family && token)
		return do_send(&outer, &src, &dst, port, token);
	if (!strcmp(argv[1], "recv") && bind_addr.family && timeout > 0)
		return do_recv(&bind_addr, port, timeout);
	usage();
	return 2;
}
