// SPDX-License-Identifier: GPL-2.0-only
/*
 * The skeleton names the per-interface maps, so a folder is only emptied of what an xlbd pins
 * there: anything else in it (an operator's file) keeps the folder, and says so.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "agent/dataplane.h"
#include "agent/stale_pins.h"
#include "common/log.h"
#include "common/xdp_query.h"
#include "xlb.skel.h"

static bool configured(const struct xlb_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_ifaces; i++)
		if (!strcmp(cfg->ifaces[i].name, name))
			return true;
	return false;
}

/* Unpin dir's per-interface maps and remove dir; the number of pins removed, or -errno. */
static int remove_folder(struct xlb_bpf *skel, const char *dir)
{
	struct bpf_map *map;
	char path[PATH_MAX];
	int n = 0;

	bpf_object__for_each_map(map, skel->obj)
	{
		if (bpf_map__is_internal(map) || xlb_dp_map_shared(bpf_map__name(map)))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, bpf_map__name(map)) >=
		    (int)sizeof(path))
			return -ENAMETOOLONG;
		if (!unlink(path))
			n++;
		else if (errno != ENOENT)
			return -errno;
	}
	return rmdir(dir) ? -errno : n;
}

static void check_folder(struct xlb_bpf *skel, const char *pin_root, const char *ifname)
{
	char dir[PATH_MAX], vips[PATH_MAX];
	const char *what = "";
	struct stat st;
	int ret;

	if (snprintf(dir, sizeof(dir), "%s/%s", pin_root, ifname) >= (int)sizeof(dir) ||
	    snprintf(vips, sizeof(vips), "%s/vips", dir) >= (int)sizeof(vips))
		return;
	/* Not a data path's folder: not ours to judge. */
	if (stat(vips, &st))
		return;
	ret = xlb_xdp_uses_pinned_map(ifname, vips, &what);
	if (ret > 0) {
		pr_warn("interface %s: not in the config, but the XDP program attached to it uses "
			"the "
			"maps in %s: it balances with nobody to update it; detach it "
			"(ip link set dev %s xdp off) or configure %s again",
			ifname, dir, ifname, ifname);
		return;
	}
	if (ret < 0) {
		pr_warn("interface %s: not in the config; its maps in %s stay: %s: %s", ifname, dir,
			what, strerror(-ret));
		return;
	}
	ret = remove_folder(skel, dir);
	if (ret < 0)
		pr_warn("interface %s: not in the config; removing its maps in %s: %s", ifname, dir,
			strerror(-ret));
	else
		pr_info("interface %s: not in the config: removed its %d maps in %s", ifname, ret,
			dir);
}

void xlb_stale_pins_remove(const char *pin_root, const struct xlb_config *cfg)
{
	struct xlb_bpf *skel;
	struct dirent *e;
	DIR *d;

	d = opendir(pin_root);
	if (!d)
		return;
	skel = xlb_bpf__open();
	if (!skel) {
		pr_warn("pin dir %s: cannot open the BPF object to look for stale folders: %s",
			pin_root, strerror(errno));
		closedir(d);
		return;
	}
	while ((e = readdir(d))) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.' || configured(cfg, e->d_name))
			continue;
		check_folder(skel, pin_root, e->d_name);
	}
	xlb_bpf__destroy(skel);
	closedir(d);
}
