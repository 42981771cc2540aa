/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One interface's data path: the XDP program loaded from the skeleton, its maps pinned under
 * <pin_root>/<ifname>/, and its attachment. Maps already pinned there by an earlier xlbd are
 * reused, so a restart keeps the connection table and the program keeps forwarding meanwhile.
 * Some maps are not the interface's own and are pinned once at <pin_root>/<name>, every data
 * path reusing that pin: nat_flows, which NAT's replies read on another interface than the one
 * their flow came in on; and the tables a client's or a backend's flows share whatever interface
 * they arrive on (syns, templates, backend_conns). xlb_dp_map_shared() says which.
 */
#ifndef XLB_DATAPLANE_H
#define XLB_DATAPLANE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"

struct xlb_bpf;

struct xlb_dp {
	char ifname[IF_NAMESIZE];
	int ifindex;
	uint8_t mac[6];
	char pin_dir[PATH_MAX];
	struct xlb_bpf *skel;
	uint32_t xdp_flags; /* as attached; 0 when not attached */
	/* Map fds, borrowed from the skeleton. */
	int vips_fd;
	int backends_fd;
	int maglev_fd;
	int conns_fd;
	int vip_stats_fd;
	int backend_stats_fd;
	int vip_names_fd;
	int tunnel_fd;
	int nat_flows_fd; /* the same map in every data path */
	int templates_fd; /* the same map in every data path */
	int tx_ports_fd;
};

/* nat_flows' pin under the pin root, beside the interfaces' folders. */
#define XLB_NAT_FLOWS_PIN "nat_flows"

/* Is the data path map of this name pinned once at the pin root, shared by every interface? */
bool xlb_dp_map_shared(const char *name);

/*
 * Make pin_root a directory on bpffs: mount one at /sys/fs/bpf first when pin_root is under it
 * and it has none, else on pin_root itself when that is on another filesystem. 0 or -errno,
 * logged.
 */
int xlb_bpffs_ensure(const char *pin_root);
/*
 * Hold pin_root for this process with an flock on the folder, so that a second xlbd on the same
 * pins (with another control socket) refuses to start before it rewrites a live one's maps.
 * Returns the fd to keep open (the lock ends with it, also when xlbd dies), or -errno, logged:
 * -EBUSY when another process holds it.
 */
int xlb_pin_lock(const char *pin_root);

int xlb_dp_open(struct xlb_dp *dp, const char *pin_root, const char *ifname);
int xlb_dp_attach(struct xlb_dp *dp, enum xlb_xdp_mode mode);
void xlb_dp_detach(struct xlb_dp *dp);
/*
 * Free the skeleton; pinned maps stay for xlbctl and the next xlbd unless unpin. The shared
 * nat_flows pin stays either way: the other interfaces' programs, and the next xlbd, use it.
 */
void xlb_dp_close(struct xlb_dp *dp, bool unpin);

/* Zero one entry of a per-CPU counters map (a freshly allocated id must start from zero). */
int xlb_dp_zero_counters(int map_fd, uint32_t idx);

#endif /* XLB_DATAPLANE_H */
