// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/xdp_query.h"

/* 1 if program prog_id uses map map_id, 0 if not or gone since the query, or -errno. */
static int prog_uses_map(__u32 prog_id, __u32 map_id)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), *ids = NULL, n, i;
	int fd, err, found = 0;

	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	if (err)
		goto out;
	n = info.nr_map_ids;
	ids = calloc(n ? n : 1, sizeof(*ids));
	if (!ids) {
		err = -ENOMEM;
		goto out;
	}
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = n;
	info.map_ids = (__u64)(unsigned long)ids;
	len = sizeof(info);
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	if (err)
		goto out;
	for (i = 0; i < n && i < info.nr_map_ids; i++)
		found |= ids[i] == map_id;
out:
	free(ids);
	close(fd);
	return err ? err : found;
}

int xlb_xdp_uses_pinned_map(const char *ifname, const char *map_pin, const char **what)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), ids[3];
	unsigned int ifindex, i;
	int fd, err;

	ifindex = if_nametoindex(ifname);
	if (!ifindex)
		return 0;
	*what = "reading its pinned vips map";
	fd = bpf_obj_get(map_pin);
	if (fd < 0)
		return -errno;
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	if (err)
		return err;
	*what = "asking for its XDP programs";
	err = bpf_xdp_query(ifindex, 0, &q);
	if (err)
		return err;
	*what = "reading its XDP program";
	ids[0] = q.drv_prog_id;
	ids[1] = q.skb_prog_id;
	ids[2] = q.hw_prog_id;
	for (i = 0; i < 3; i++) {
		if (!ids[i])
			continue;
		err = prog_uses_map(ids[i], info.id);
		if (err)
			return err;
	}
	return 0;
}
