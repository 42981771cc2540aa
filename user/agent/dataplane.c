// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "agent/dataplane.h"
#include "common/iface.h"
#include "common/log.h"
#include "xlb.skel.h"

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	char *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

static bool on_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

static int mount_bpffs(const char *mnt)
{
	int err;

	if (mount("bpf", mnt, "bpf", 0, "mode=0700")) {
		err = -errno;
		pr_err("cannot mount bpffs on %s: %s", mnt, strerror(-err));
		return err;
	}
	pr_info("mounted bpffs on %s", mnt);
	return 0;
}

/*
 * Under /sys/fs/bpf, bpffs goes where everyone expects it, not on our subdirectory, and before
 * the subdirectory is made: without bpffs, /sys/fs/bpf is sysfs, where nobody can mkdir (a
 * fresh /sys, as `ip netns exec` gives). Anywhere else, the directory first, then bpffs on it.
 */
int xlb_bpffs_ensure(const char *pin_root)
{
	static const char sys_bpf[] = "/sys/fs/bpf";
	bool under_sys = !strncmp(pin_root, sys_bpf, sizeof(sys_bpf) - 1) &&
			 pin_root[sizeof(sys_bpf) - 1] == '/';
	int err;

	if (on_bpffs(pin_root))
		return 0;
	if (under_sys && !on_bpffs(sys_bpf)) {
		err = mount_bpffs(sys_bpf);
		if (err)
			return err;
	}
	err = mkdir_p(pin_root);
	if (err) {
		pr_err("cannot create %s: %s", pin_root, strerror(-err));
		return err;
	}
	if (on_bpffs(pin_root))
		return 0;
	return mount_bpffs(pin_root);
}

int xlb_pin_lock(const char *pin_root)
{
	int fd, err;

	fd = open(pin_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		pr_err("pin dir %s: %s", pin_root, strerror(-err));
		return err;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		err = -errno;
		close(fd);
		if (err == -EWOULDBLOCK)
			err = -EBUSY;
		pr_err("pin dir %s: %s", pin_root,
		       err == -EBUSY ? "a running xlbd uses it" : strerror(-err));
		return err;
	}
	return fd;
}

int xlb_dp_open(struct xlb_dp *dp, const char *pin_root, const char *ifname)
{
	struct bpf_map *map;
	int err;

	memset(dp, 0, sizeof(*dp));
	snprintf(dp->ifname, sizeof(dp->ifname), "%s", ifname);
	dp->ifindex = if_nametoindex(ifname);
	if (!dp->ifindex) {
		err = -errno;
		pr_err("interface %s: %s", ifname, strerror(-err));
		return err;
	}
	err = xlb_iface_mac(ifname, dp->mac);
	if (err) {
		pr_err("interface %s: cannot read its MAC: %s", ifname, strerror(-err));
		return err;
	}
	if (snprintf(dp->pin_dir, sizeof(dp->pin_dir), "%s/%s", pin_root, ifname) >=
	    (int)sizeof(dp->pin_dir))
		return -ENAMETOOLONG;
	err = mkdir_p(dp->pin_dir);
	if (err) {
		pr_err("cannot create %s: %s", dp->pin_dir, strerror(-err));
		return err;
	}

	dp->skel = xlb_bpf__open();
	if (!dp->skel) {
		err = -errno;
		pr_err("cannot open the BPF object: %s", strerror(-err));
		return err;
	}
	memcpy((void *)dp->skel->rodata->iface_mac, dp->mac, sizeof(dp->mac));
	bpf_object__for_each_map(map, dp->skel->obj) {
		char path[PATH_MAX + 64];

		/* .rodata and friends belong to this program instance, not to the pinned state. */
		if (bpf_map__is_internal(map))
			continue;
		/*
		 * tx_ports is written whole at every start (xlb_dps_tx_ports()), so nothing needs
		 * it pinned; and a pinned devmap cannot be reused by this libbpf: the kernel adds
		 * BPF_F_RDONLY_PROG to a devmap's flags, which then differ from the object's.
		 */
		if (map == dp->skel->maps.tx_ports)
			continue;
		/* Wants and their rate limit are for the xlbd reading them now; none outlives it. */
		if (map == dp->skel->maps.neigh_wants || map == dp->skel->maps.neigh_slots)
			continue;
		/* libbpf reuses what is pinned at the path: one of each for every interface. */
		if (xlb_dp_map_shared(bpf_map__name(map)))
			snprintf(path, sizeof(path), "%s/%s", pin_root, bpf_map__name(map));
		else
			snprintf(path, sizeof(path), "%s/%s", dp->pin_dir, bpf_map__name(map));
		err = bpf_map__set_pin_path(map, path);
		if (err) {
			pr_err("pin path %s: %s", path, strerror(-err));
			goto fail;
		}
	}
	err = xlb_bpf__load(dp->skel);
	if (err) {
		pr_err("cannot load the XDP program for %s: %s (maps pinned in %s by an "
		       "incompatible xlb? remove that directory)", ifname, strerror(-err), dp->pin_dir);
		goto fail;
	}
	dp->vips_fd = bpf_map__fd(dp->skel->maps.vips);
	dp->backends_fd = bpf_map__fd(dp->skel->maps.backends);
	dp->maglev_fd = bpf_map__fd(dp->skel->maps.maglev_tables);
	dp->conns_fd = bpf_map__fd(dp->skel->maps.conns);
	dp->vip_stats_fd = bpf_map__fd(dp->skel->maps.vip_stats);
	dp->backend_stats_fd = bpf_map__fd(dp->skel->maps.backend_stats);
	dp->vip_names_fd = bpf_map__fd(dp->skel->maps.vip_names);
	dp->tunnel_fd = bpf_map__fd(dp->skel->maps.tunnel);
	dp->nat_flows_fd = bpf_map__fd(dp->skel->maps.nat_flows);
	dp->templates_fd = bpf_map__fd(dp->skel->maps.templates);
	dp->tx_ports_fd = bpf_map__fd(dp->skel->maps.tx_ports);
	pr_info("%s: program loaded, maps pinned in %s", ifname, dp->pin_dir);
	return 0;
fail:
	xlb_bpf__destroy(dp->skel);
	dp->skel = NULL;
	return err;
}

bool xlb_dp_map_shared(const char *name)
{
	static const char *const shared[] = {
		XLB_NAT_FLOWS_PIN, "syns", "templates", "backend_conns",
	};
	size_t i;

	for (i = 0; i < sizeof(shared) / sizeof(shared[0]); i++)
		if (!strcmp(name, shared[i]))
			return true;
	return false;
}

static const char *xdp_mode_name(uint32_t flags)
{
	if (flags & XDP_FLAGS_DRV_MODE)
		return "native";
	if (flags & XDP_FLAGS_SKB_MODE)
		return "generic";
	return "?";
}

int xlb_dp_attach(struct xlb_dp *dp, enum xlb_xdp_mode mode)
{
	int prog_fd = bpf_program__fd(dp->skel->progs.xlb_xdp);
	uint32_t flags = mode == XLB_XDP_GENERIC ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	int err;

	/* No UPDATE_IF_NOEXIST: a program left by a crashed xlbd is replaced in one step. */
	err = bpf_xdp_attach(dp->ifindex, prog_fd, flags, NULL);
	if (err && mode == XLB_XDP_AUTO) {
		pr_warn("%s: native XDP refused (%s); falling back to generic XDP, which is slow",
			dp->ifname, strerror(-err));
		flags = XDP_FLAGS_SKB_MODE;
		err = bpf_xdp_attach(dp->ifindex, prog_fd, flags, NULL);
	}
	if (err) {
		pr_err("%s: cannot attach XDP (%s mode): %s", dp->ifname, xdp_mode_name(flags),
		       strerror(-err));
		return err;
	}
	dp->xdp_flags = flags;
	pr_info("%s: XDP program attached in %s mode", dp->ifname, xdp_mode_name(flags));
	return 0;
}

void xlb_dp_detach(struct xlb_dp *dp)
{
	int err;

	if (!dp->xdp_flags)
		return;
	err = bpf_xdp_detach(dp->ifindex, dp->xdp_flags, NULL);
	if (err)
		pr_warn("%s: cannot detach XDP: %s", dp->ifname, strerror(-err));
	else
		pr_info("%s: XDP program detached", dp->ifname);
	dp->xdp_flags = 0;
}

void xlb_dp_close(struct xlb_dp *dp, bool unpin)
{
	if (!dp->skel)
		return;
	if (unpin) {
		struct bpf_map *map;

		/* Unpinning a shared map would leave the other interfaces on a map that no next
		 * program finds: theirs and a fresh one would split the state in two. */
		bpf_object__for_each_map(map, dp->skel->obj)
			if (bpf_map__is_pinned(map) && !xlb_dp_map_shared(bpf_map__name(map)))
				bpf_map__unpin(map, NULL);
		rmdir(dp->pin_dir);
	}
	xlb_bpf__destroy(dp->skel);
	dp->skel = NULL;
}

int xlb_dp_zero_counters(int map_fd, uint32_t idx)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xlb_counters *zero;
	int err = 0;

	if (ncpu < 0)
		return ncpu;
	zero = calloc(ncpu, sizeof(*zero));
	if (!zero)
		return -ENOMEM;
	if (bpf_map_update_elem(map_fd, &idx, zero, BPF_ANY))
		err = -errno;
	free(zero);
	return err;
}
