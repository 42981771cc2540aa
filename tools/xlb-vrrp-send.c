// SPDX-License-Identifier: GPL-2.0-only
/*
 * xlb-vrrp-send: another host on the segment speaking VRRPv3, for the tests. Sends COUNT
 * IPv4 adverts, one every WAIT ms, from any source address it is given (IP_HDRINCL: the source
 * is not checked against the interface, as an impostor's would not be), TTL 255, to each
 * destination (default 224.0.0.18), encoded by xlbd's own encoder so they are exactly what a
 * real peer sends.
 *
 *   xlb-vrrp-send --dev IFACE --src ADDR --vrid N --priority P --vip ADDR [--vip ADDR ...]
 *                 [--dst ADDR ...] [--count N] [--wait-ms MS] [--interval-cs CS]
 *
 * COUNT defaults to 1, WAIT to 100 ms, the advertised interval to 100 cs. Prints
 * "sent N adverts" (N = adverts x destinations). Exit 0, 1 when a send failed, 2 on bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pair/vrrp_pkt.h"

#define MAX_DSTS 8

static struct xlb_vrrp_advert adv;

static void usage(void)
{
	fprintf(stderr,
		"usage: xlb-vrrp-send --dev IFACE --src ADDR --vrid N --priority P --vip ADDR...\n"
		"                     [--dst ADDR...] [--count N] [--wait-ms MS] "
		"[--interval-cs CS]\n");
	exit(2);
}

static long num(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi) {
		fprintf(stderr, "xlb-vrrp-send: '%s' is not a number in %ld..%ld\n", s, lo, hi);
		usage();
	}
	return v;
}

static void ipv4(const char *s, struct xlb_addr *out)
{
	if (xlb_addr_parse(s, out) || out->family != XLB_FAMILY_V4) {
		fprintf(stderr, "xlb-vrrp-send: '%s' is not an IPv4 address\n", s);
		usage();
	}
}

/* One advert from src to dst, IPv4 header included. */
static int send_one(int fd, const struct xlb_addr *src, const struct xlb_addr *dst)
{
	uint8_t pkt[XLB_VRRP_IP4_HDR_LEN + XLB_VRRP_HDR_LEN + 4 * XLB_VRRP_MAX_ADDRS];
	struct sockaddr_storage ss;
	unsigned int sl;
	int len;

	len = xlb_vrrp_encode(&adv, src, dst, pkt + XLB_VRRP_IP4_HDR_LEN,
			      sizeof(pkt) - XLB_VRRP_IP4_HDR_LEN);
	if (len < 0)
		return len;
	xlb_vrrp_ip4_build(pkt, XLB_VRRP_IP4_HDR_LEN, src, dst, 0, (size_t)len);
	xlb_addr_sockaddr(dst, 0, 0, &ss, &sl);
	if (sendto(fd, pkt, XLB_VRRP_IP4_HDR_LEN + len, 0, (struct sockaddr *)&ss, sl) < 0)
		return -errno;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'i' },
		{ "src", required_argument, NULL, 's' },
		{ "vrid", required_argument, NULL, 'r' },
		{ "priority", required_argument, NULL, 'p' },
		{ "vip", required_argument, NULL, 'a' },
		{ "dst", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'n' },
		{ "wait-ms", required_argument, NULL, 'w' },
		{ "interval-cs", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct xlb_addr src = {}, dsts[MAX_DSTS];
	const char *dev = NULL;
	long count = 1, wait_ms = 100, sent = 0, i;
	size_t n_dsts = 0, k;
	int c, fd, one = 1, err, ret = 0;

	adv.family = XLB_FAMILY_V4;
	adv.interval_cs = 100;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			dev = optarg;
			break;
		case 's':
			ipv4(optarg, &src);
			break;
		case 'r':
			adv.vrid = (uint8_t)num(optarg, 1, 255);
			break;
		case 'p':
			adv.priority = (uint8_t)num(optarg, 0, 255);
			break;
		case 'a':
			if (adv.n_addrs == XLB_VRRP_MAX_ADDRS)
				usage();
			ipv4(optarg, &adv.addrs[adv.n_addrs++]);
			break;
		case 'd':
			if (n_dsts == MAX_DSTS)
				usage();
			ipv4(optarg, &dsts[n_dsts++]);
			break;
		case 'n':
			count = num(optarg, 1, 1000000);
			break;
		case 'w':
			wait_ms = num(optarg, 0, 60000);
			break;
		case 'c':
			adv.interval_cs = (uint16_t)num(optarg, 1, XLB_VRRP_INTERVAL_MAX_CS);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !dev || !src.family || !adv.vrid || !adv.n_addrs)
		usage();
	if (!n_dsts)
		xlb_vrrp_group(XLB_FAMILY_V4, &dsts[n_dsts++]);

	fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, XLB_VRRP_PROTO);
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, strlen(dev) + 1)) {
		perror("xlb-vrrp-send: raw socket");
		return 1;
	}
	for (i = 0; i < count; i++) {
		struct timespec ts = { wait_ms / 1000, (wait_ms % 1000) * 1000000L };

		if (i)
			nanosleep(&ts, NULL);
		for (k = 0; k < n_dsts; k++) {
			err = send_one(fd, &src, &dsts[k]);
			if (err) {
				fprintf(stderr, "xlb-vrrp-send: %s\n", strerror(-err));
				ret = 1;
				continue;
			}
			sent++;
		}
	}
	close(fd);
	printf("sent %ld adverts\n", sent);
	return ret;
}
