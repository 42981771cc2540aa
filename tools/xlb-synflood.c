// SPDX-License-Identifier: GPL-2.0-only
/*
 * xlb-synflood: spoofed TCP SYNs from random sources to one VIP, as fast as one core can write
 * them, for the netns flood tests (tests/netns/flood.sh): a SYN flood must neither evict the
 * load balancer's established flows nor flood the sync channel of a pair.
 *
 *   xlb-synflood --dev IF --dst ADDR:PORT --dst-mac MAC --src-net PREFIX
 *                [--count N] [--seed S] [--src-mac MAC] [--json]
 *
 * N (default 1000000) Ethernet frames, each a SYN from a random address inside PREFIX and a
 * random port 1024..65535, with a random ISN and an MSS option, to ADDR:PORT ([ADDR]:PORT for
 * IPv6), sent out of IF to MAC (the load balancer's) from IF's own MAC unless --src-mac says
 * otherwise; IP and TCP checksums complete, as a NIC would put them on the wire. The same
 * --seed (default 1) gives the same frames. PREFIX must lie in a documentation range
 * (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32; RFC 5737, RFC 3849) and be of
 * ADDR's family: spoofed sources never name a real host. Prints
 * "xlb-synflood: N frames in MS ms (R frames/s)" on stdout, or with --json one line
 * {"frames":N,"ms":MS,"frames_per_s":R}. SIGTERM/SIGINT end it early and it reports what it sent.
 * Exit 0 when all N went, 1 on an error, 2 on bad usage.
 *
 * AF_PACKET raw frames in batches of sendmmsg(), with PACKET_QDISC_BYPASS: the frames go from
 * the socket straight to the driver, neither queued nor seen by this host's IP stack. libc only
 * (and tools/tool.c), no threads.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tool.h"

#define BATCH		256	/* frames per sendmmsg() */
#define TCP_HLEN	24	/* a TCP header with one option: MSS */
#define FRAME_MAX	(ETH_HLEN + sizeof(struct ip6_hdr) + TCP_HLEN)
#define SYN_MSS		1460
#define SYN_WINDOW	64240	/* what Linux offers in a SYN */

enum exit_code {
	EXIT_OK = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
};

/* The documentation ranges, the only ones a spoofed source may come from. */
static const struct {
	int family;
	const char *addr;
	unsigned int len;
} doc_nets[] = {
	{ AF_INET, "192.0.2.0", 24 },
	{ AF_INET, "198.51.100.0", 24 },
	{ AF_INET, "203.0.113.0", 24 },
	{ AF_INET6, "2001:db8::", 32 },
};

struct flood {
	int family;
	uint8_t dst[16], net[16];	/* destination; source prefix, host bits cleared */
	unsigned int net_len, alen;	/* prefix length; address length (4 or 16) */
	uint16_t dport;			/* network order */
	uint8_t dmac[ETH_ALEN], smac[ETH_ALEN];
	uint64_t rng;
};

/* splitmix64: fast, and a seed gives the same run again. */
static uint64_t rnd(struct flood *f)
{
	uint64_t z = (f->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Ones' complement sum of len bytes (even) into sum, not folded. */
static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	return sum;
}

/* Folded and inverted, in network order. */
static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* A random address inside the source prefix into out. */
static void rnd_source(struct flood *f, uint8_t *out)
{
	unsigned int i;
	uint64_t r[2] = { rnd(f), rnd(f) };

	memcpy(out, r, f->alen);
	for (i = 0; i < f->alen; i++) {
		unsigned int bits = f->net_len > i * 8 ? f->net_len - i * 8 : 0;
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);

		out[i] = (f->net[i] & mask) | (out[i] & ~mask);
	}
}

/* One SYN frame into buf; its length. */
static size_t build_syn(struct flood *f, uint8_t *buf)
{
	struct ether_header *eth = (struct ether_header *)buf;
	uint8_t *l3 = buf + ETH_HLEN, *src, *dst;
	size_t l3len = f->family == AF_INET ? sizeof(struct iphdr) : sizeof(struct ip6_hdr);
	struct tcphdr *tcp = (struct tcphdr *)(l3 + l3len);
	uint8_t *opt = (uint8_t *)(tcp + 1);
	uint32_t sum;

	memcpy(eth->ether_dhost, f->dmac, ETH_ALEN);
	memcpy(eth->ether_shost, f->smac, ETH_ALEN);
	if (f->family == AF_INET) {
		struct iphdr *ip = (struct iphdr *)l3;

		eth->ether_type = htons(ETHERTYPE_IP);
		memset(ip, 0, sizeof(*ip));
		ip->version = 4;
		ip->ihl = 5;
		ip->tot_len = htons(sizeof(*ip) + TCP_HLEN);
		ip->id = (uint16_t)rnd(f);
		ip->frag_off = htons(IP_DF);
		ip->ttl = 64;
		ip->protocol = IPPROTO_TCP;
		src = (uint8_t *)&ip->saddr;
		dst = (uint8_t *)&ip->daddr;
	} else {
		struct ip6_hdr *ip6 = (struct ip6_hdr *)l3;

		eth->ether_type = htons(ETHERTYPE_IPV6);
		memset(ip6, 0, sizeof(*ip6));
		ip6->ip6_flow = htonl(6u << 28);
		ip6->ip6_plen = htons(TCP_HLEN);
		ip6->ip6_nxt = IPPROTO_TCP;
		ip6->ip6_hlim = 64;
		src = (uint8_t *)&ip6->ip6_src;
		dst = (uint8_t *)&ip6->ip6_dst;
	}
	rnd_source(f, src);
	memcpy(dst, f->dst, f->alen);
	if (f->family == AF_INET) {
		struct iphdr *ip = (struct iphdr *)l3;

		ip->check = csum_fold(csum_add(0, ip, sizeof(*ip)));
	}

	memset(tcp, 0, TCP_HLEN);
	tcp->source = htons(1024 + rnd(f) % (65536 - 1024));
	tcp->dest = f->dport;
	tcp->seq = (uint32_t)rnd(f);
	tcp->doff = TCP_HLEN / 4;
	tcp->syn = 1;
	tcp->window = htons(SYN_WINDOW);
	opt[0] = 2;	/* MSS, RFC 9293 3.2 */
	opt[1] = 4;
	opt[2] = SYN_MSS >> 8;
	opt[3] = SYN_MSS & 0xff;
	/* The pseudo-header: both addresses, the protocol, the TCP length. */
	sum = csum_add(0, src, f->alen);
	sum = csum_add(sum, dst, f->alen);
	sum += IPPROTO_TCP + TCP_HLEN;
	tcp->check = csum_fold(csum_add(sum, tcp, TCP_HLEN));
	return ETH_HLEN + l3len + TCP_HLEN;
}

static int parse_mac(const char *s, uint8_t mac[ETH_ALEN])
{
	unsigned int b[ETH_ALEN];
	char end;
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &end) != ETH_ALEN)
		return -EINVAL;
	for (i = 0; i < ETH_ALEN; i++) {
		if (b[i] > 0xff)
			return -EINVAL;
		mac[i] = b[i];
	}
	return 0;
}

/* ADDR:PORT, or [ADDR]:PORT for IPv6, into f's destination. */
static int parse_dst(struct flood *f, const char *s)
{
	const char *colon = strrchr(s, ':');
	struct sockaddr_storage ss;
	unsigned int port;
	socklen_t len;
	char host[INET6_ADDRSTRLEN + 2];

	if (!colon || (size_t)(colon - s) >= sizeof(host) ||
	    parse_uint(colon + 1, "port", 65535, &port) || !port)
		return -EINVAL;
	memcpy(host, s, colon - s);
	host[colon - s] = '\0';
	/* A bare IPv6 address has colons of its own: it must come in brackets. */
	if (strchr(host, ':') && host[0] != '[')
		return -EINVAL;
	if (parse_addr(host, port, &ss, &len))
		return -EINVAL;
	f->family = ss.ss_family;
	if (f->family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;

		f->alen = 4;
		memcpy(f->dst, &sin->sin_addr, 4);
		f->dport = sin->sin_port;
	} else {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&ss;

		f->alen = 16;
		memcpy(f->dst, &sin6->sin6_addr, 16);
		f->dport = sin6->sin6_port;
	}
	return 0;
}

/* Does prefix a/alen lie inside b/blen (addresses of n bytes)? */
static bool prefix_inside(const uint8_t *a, unsigned int alen, const uint8_t *b, unsigned int blen)
{
	unsigned int i;

	if (alen < blen)
		return false;
	for (i = 0; i < blen; i++)
		if ((a[i / 8] ^ b[i / 8]) & (0x80 >> (i % 8)))
			return false;
	return true;
}

/* PREFIX (ADDR/LEN) into f's source net; refused unless inside a documentation range. */
static int parse_src_net(struct flood *f, const char *s)
{
	char buf[INET6_ADDRSTRLEN + 4];
	unsigned int len, i;
	uint8_t doc[16];
	char *slash;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	if (inet_pton(f->family, buf, f->net) != 1 ||
	    parse_uint(slash + 1, "prefix length", f->alen * 8, &len))
		return -EINVAL;
	f->net_len = len;
	for (i = 0; i < sizeof(doc_nets) / sizeof(doc_nets[0]); i++) {
		if (doc_nets[i].family != f->family)
			continue;
		inet_pton(f->family, doc_nets[i].addr, doc);
		if (prefix_inside(f->net, len, doc, doc_nets[i].len))
			return 0;
	}
	fprintf(stderr, "xlb-synflood: --src-net %s is not inside a documentation range of the"
		" destination's family (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,"
		" 2001:db8::/32)\n", s);
	return -EPERM;
}

/* The raw socket on IF, bound to it, bypassing the qdisc; IF's MAC into smac unless given. */
static int open_dev(const char *dev, struct flood *f, bool have_smac, struct sockaddr_ll *sll)
{
	struct ifreq ifr = { 0 };
	int fd, one = 1, err;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, "xlb-synflood: socket(AF_PACKET): %s\n", strerror(-err));
		return err;
	}
	if (strlen(dev) >= sizeof(ifr.ifr_name)) {
		close(fd);
		return -EINVAL;
	}
	strcpy(ifr.ifr_name, dev);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
		goto fail;
	memset(sll, 0, sizeof(*sll));
	sll->sll_family = AF_PACKET;
	sll->sll_ifindex = ifr.ifr_ifindex;
	sll->sll_halen = ETH_ALEN;
	memcpy(sll->sll_addr, f->dmac, ETH_ALEN);
	if (!have_smac) {
		if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
			goto fail;
		memcpy(f->smac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	}
	/* Protocol 0: the socket receives nothing, so no frame is copied back to it. */
	if (bind(fd, (struct sockaddr *)sll, sizeof(*sll)) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) < 0)
		goto fail;
	return fd;
fail:
	err = -errno;
	fprintf(stderr, "xlb-synflood: %s: %s\n", dev, strerror(-err));
	close(fd);
	return err;
}

/* count SYNs in batches; how many went into *sent. 0, or -errno said on stderr. */
static int flood_send(int fd, struct flood *f, const struct sockaddr_ll *sll, unsigned int count,
		      unsigned int *sent)
{
	static uint8_t frames[BATCH][FRAME_MAX];
	static struct iovec iov[BATCH];
	static struct mmsghdr msgs[BATCH];
	unsigned int i, n;
	int r, err;

	*sent = 0;
	while (*sent < count && !stop) {
		n = count - *sent < BATCH ? count - *sent : BATCH;
		for (i = 0; i < n; i++) {
			iov[i].iov_base = frames[i];
			iov[i].iov_len = build_syn(f, frames[i]);
			msgs[i].msg_hdr = (struct msghdr){
				.msg_name = (void *)sll,
				.msg_namelen = sizeof(*sll),
				.msg_iov = &iov[i],
				.msg_iovlen = 1,
			};
		}
		for (i = 0; i < n;) {
			r = sendmmsg(fd, msgs + i, n - i, 0);
			if (r < 0 && (errno == EINTR || errno == ENOBUFS || errno == EAGAIN)) {
				if (stop)
					return 0;
				continue;
			}
			if (r < 0) {
				err = -errno;
				fprintf(stderr, "xlb-synflood: sendmmsg: %s\n", strerror(-err));
				return err;
			}
			i += r;
			*sent += r;
		}
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: xlb-synflood --dev IF --dst ADDR:PORT --dst-mac MAC"
		" --src-net PREFIX\n"
		"                    [--count N] [--seed S] [--src-mac MAC] [--json]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'i' },
		{ "dst", required_argument, NULL, 'd' },
		{ "dst-mac", required_argument, NULL, 'm' },
		{ "src-mac", required_argument, NULL, 'M' },
		{ "src-net", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 }
	};
	const char *dev = NULL, *dst = NULL, *src_net = NULL;
	struct flood f = { 0 };
	struct sockaddr_ll sll;
	unsigned int count = 1000000, seed = 1, sent;
	bool have_dmac = false, have_smac = false, json = false;
	int64_t t0, us;
	uint64_t rate;
	int c, fd, err;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			dev = optarg;
			break;
		case 'd':
			dst = optarg;
			break;
		case 'm':
		case 'M':
			if (parse_mac(optarg, c == 'm' ? f.dmac : f.smac)) {
				fprintf(stderr, "xlb-synflood: bad MAC '%s'\n", optarg);
				return EXIT_USAGE;
			}
			have_dmac |= c == 'm';
			have_smac |= c == 'M';
			break;
		case 's':
			src_net = optarg;
			break;
		case 'n':
			if (parse_uint(optarg, "count", 0xffffffffu, &count))
				return EXIT_USAGE;
			break;
		case 'S':
			if (parse_uint(optarg, "seed", 0xffffffffu, &seed))
				return EXIT_USAGE;
			break;
		case 'j':
			json = true;
			break;
		default:
			usage();
			return EXIT_USAGE;
		}
	}
	if (optind != argc || !dev || !dst || !have_dmac || !src_net) {
		usage();
		return EXIT_USAGE;
	}
	if (parse_dst(&f, dst)) {
		fprintf(stderr, "xlb-synflood: bad --dst '%s' (ADDR:PORT, [ADDR]:PORT for IPv6)\n",
			dst);
		return EXIT_USAGE;
	}
	err = parse_src_net(&f, src_net);
	if (err == -EINVAL)
		fprintf(stderr, "xlb-synflood: bad --src-net '%s' (ADDR/LEN)\n", src_net);
	if (err)
		return EXIT_USAGE;
	f.rng = seed;

	fd = open_dev(dev, &f, have_smac, &sll);
	if (fd < 0)
		return EXIT_FAILED;
	catch_stop_signals();
	t0 = now_us();
	err = flood_send(fd, &f, &sll, count, &sent);
	us = now_us() - t0;
	close(fd);
	rate = us > 0 ? (uint64_t)sent * 1000000 / (uint64_t)us : 0;
	if (json)
		printf("{\"frames\":%u,\"ms\":%lld,\"frames_per_s\":%llu}\n", sent,
		       (long long)(us / 1000), (unsigned long long)rate);
	else
		printf("xlb-synflood: %u frames in %lld ms (%llu frames/s)\n", sent,
		       (long long)(us / 1000), (unsigned long long)rate);
	return err || sent != count ? EXIT_FAILED : EXIT_OK;
}
