// SPDX-License-Identifier: GPL-2.0-only
/*
 * xlb-conns-fill: give a pinned conns map N more flows, fast, for tests that need a big table
 * (bulk sync of 200,000 flows). The flows copy the first entry the map holds (its VIP, protocol
 * and binding, so they name a VIP and backend xlbd knows), from clients 198.51.100.1-254 on
 * ports 1024-65023, last seen now; N at most 254 x 64000. The first entry must be an IPv4 flow.
 *
 *   xlb-conns-fill PINNED_CONNS N
 *
 * Written with BPF_MAP_UPDATE_BATCH, a few thousand entries per call. Prints the count written.
 * Exit 0, 2 on bad usage, 1 when it could not.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "xlb/abi.h"

#define PORTS 64000u
#define BATCH 4096u

int main(int argc, char **argv)
{
	static struct xlb_flow keys[BATCH];
	static struct xlb_conn vals[BATCH];
	struct xlb_flow tk;
	struct xlb_conn tv;
	struct timespec ts;
	unsigned long n, i, done = 0;
	char *end;
	int fd;

	if (argc != 3 || !(n = strtoul(argv[2], &end, 10)) || *end || n > 254ul * PORTS) {
		fprintf(stderr, "usage: xlb-conns-fill PINNED_CONNS N (1 .. %lu)\n", 254ul * PORTS);
		return 2;
	}
	fd = bpf_obj_get(argv[1]);
	if (fd < 0) {
		fprintf(stderr, "xlb-conns-fill: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (bpf_map_get_next_key(fd, NULL, &tk) || bpf_map_lookup_elem(fd, &tk, &tv)) {
		fprintf(stderr, "xlb-conns-fill: %s holds no flow to copy\n", argv[1]);
		return 1;
	}
	/* The clock bpf_ktime_get_coarse_ns() reads: the flows are fresh to the data path. */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	tv.last_seen = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	while (done < n) {
		__u32 count = 0;
		LIBBPF_OPTS(bpf_map_batch_opts, opts);

		for (i = 0; i < BATCH && done + i < n; i++) {
			unsigned long k = done + i;

			memset(&keys[i], 0, sizeof(keys[i]));
			keys[i] = tk;
			memset(keys[i].src, 0, sizeof(keys[i].src));
			keys[i].src[0] = htonl(0xc6336400u + 1 + k / PORTS);
			keys[i].sport = htons(1024 + k % PORTS);
			vals[i] = tv;
			count++;
		}
		if (bpf_map_update_batch(fd, keys, vals, &count, &opts)) {
			fprintf(stderr, "xlb-conns-fill: update: %s after %lu\n", strerror(errno),
				done + count);
			return 1;
		}
		done += count;
	}
	printf("%lu\n", done);
	return 0;
}
