// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli/maps_view.h"
#include "cli/report.h"
#include "cli/zero.h"
#include "xlb/abi.h"

/* The per-CPU counter maps of an interface, by the names xlbd pins them under. */
static const char *const counter_maps[] = { "vip_stats", "backend_stats", "reason_stats" };

/* Every key of the per-CPU array at path to zeros (zero: a value for ncpus CPUs). */
static int zero_map(const char *path, const struct xlb_counters *zero)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), key;
	int fd, err = 0;

	fd = bpf_obj_get(path);
	if (fd < 0) {
		err = -errno;
		xlb_cli_err("%s: %s", path, strerror(-err));
		return err;
	}
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		xlb_cli_err("%s: %s", path, strerror(-err));
		goto out;
	}
	/* Not the layout this xlbctl reads: writing our zeros into it would be a guess. */
	if (info.type != BPF_MAP_TYPE_PERCPU_ARRAY || info.key_size != sizeof(__u32) ||
	    info.value_size != sizeof(struct xlb_counters)) {
		xlb_cli_err("%s: not a per-CPU array of xlb counters (xlbd and xlbctl from "
			    "different builds?)",
			    path);
		err = -EPROTO;
		goto out;
	}
	for (key = 0; key < info.max_entries; key++) {
		if (bpf_map_update_elem(fd, &key, zero, BPF_EXIST)) {
			err = -errno;
			xlb_cli_err("%s: cannot zero key %u: %s", path, key, strerror(-err));
			break;
		}
	}
out:
	close(fd);
	return err;
}

int xlb_cli_zero(const struct xlb_view *v, const char *pin_dir)
{
	struct xlb_counters *zero;
	char path[PATH_MAX];
	unsigned int i, m;
	int ncpus, err = 0;

	ncpus = libbpf_num_possible_cpus();
	if (ncpus < 0) {
		xlb_cli_err("cannot count possible CPUs: %s", strerror(-ncpus));
		return ncpus;
	}
	zero = calloc(ncpus, sizeof(*zero));
	if (!zero) {
		xlb_cli_err("%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	for (i = 0; i < v->n_ifaces && !err; i++) {
		for (m = 0; m < sizeof(counter_maps) / sizeof(counter_maps[0]) && !err; m++) {
			if (snprintf(path, sizeof(path), "%s/%s/%s", pin_dir, v->ifnames[i],
				     counter_maps[m]) >= (int)sizeof(path)) {
				xlb_cli_err("%s/%s: %s", pin_dir, v->ifnames[i],
					    strerror(ENAMETOOLONG));
				err = -ENAMETOOLONG;
				break;
			}
			err = zero_map(path, zero);
		}
	}
	free(zero);
	return err;
}
