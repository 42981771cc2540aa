// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "agent/dps.h"
#include "common/log.h"
#include "xlb.skel.h"

int xlb_dps_open(struct xlb_dps *dps, const char *pin_root, const struct xlb_config *cfg)
{
	size_t i;
	int err;

	memset(dps, 0, sizeof(*dps));
	if (cfg->n_ifaces > XLB_DPS_MAX) {
		pr_err("%zu interfaces: xlbd drives at most %d", cfg->n_ifaces, XLB_DPS_MAX);
		return -E2BIG;
	}
	dps->v = calloc(cfg->n_ifaces, sizeof(*dps->v));
	if (!dps->v) {
		pr_err("%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	for (i = 0; i < cfg->n_ifaces; i++) {
		err = xlb_dp_open(&dps->v[i], pin_root, cfg->ifaces[i].name);
		if (err)
			return err;
		dps->n++;
	}
	return 0;
}

int xlb_dps_tx_ports(const struct xlb_dps *dps)
{
	size_t i, j;
	int err;

	for (i = 0; i < dps->n; i++) {
		const struct xlb_dp *dp = &dps->v[i];

		for (j = 0; j < dps->n; j++) {
			uint32_t ifindex = dps->v[j].ifindex;

			err = xlb_dp_update(dp, XLB_DP_TX_PORTS, &ifindex, &ifindex);
			if (err) {
				pr_err("%s: cannot add %s to its tx ports: %s", dp->ifname,
				       dps->v[j].ifname, strerror(-err));
				return err;
			}
		}
	}
	return 0;
}

/* /proc/sys/net/<family>/conf/<ifname>/forwarding is "1". */
static bool forwards(const char *family, const char *ifname)
{
	char path[96], v = '0';
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/forwarding", family, ifname);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (fread(&v, 1, 1, f) != 1)
		v = '0';
	fclose(f);
	return v == '1';
}

void xlb_dps_check_forwarding(const struct xlb_dps *dps, const struct xlb_config *cfg)
{
	static const char *const sysctl[] = { [XLB_FAMILY_V4] = "ipv4", [XLB_FAMILY_V6] = "ipv6" };
	static const int families[] = { XLB_FAMILY_V4, XLB_FAMILY_V6 };
	bool need[XLB_FAMILY_V6 + 1] = {};
	size_t i, j, k;

	/* The family the FIB is asked in is the backend's (tun may carry IPv4 in IPv6). */
	for (i = 0; i < cfg->n_vips; i++) {
		const struct xlb_cfg_vip *v = &cfg->vips[i];

		if (v->fwd != XLB_FWD_NAT && v->fwd != XLB_FWD_TUN)
			continue;
		for (j = 0; j < v->n_backends; j++)
			need[v->backends[j].addr.family] = true;
		need[v->fallback.family] = true;
	}
	for (k = 0; k < sizeof(families) / sizeof(families[0]); k++) {
		int f = families[k];
		const char *fam = sysctl[f];
		char off[XLB_DPS_MAX * (IF_NAMESIZE + 2)] = "";

		for (i = 0; need[f] && i < dps->n; i++) {
			if (forwards(fam, dps->v[i].ifname))
				continue;
			if (*off)
				strcat(off, ", ");
			strcat(off, dps->v[i].ifname);
		}
		if (*off)
			pr_warn("net.%s.conf.<if>.forwarding is 0 on %s: bpf_fib_lookup() fails there, "
				"so nat and tun VIPs of IPv%d backends drop their packets; set "
				"net.%s.conf.all.forwarding=1", fam, off, f, fam);
	}
}

int xlb_dps_attach(struct xlb_dps *dps, const struct xlb_config *cfg, int mode)
{
	size_t i;
	int err;

	for (i = 0; i < dps->n; i++) {
		err = xlb_dp_attach(&dps->v[i], mode >= 0 ? mode : (int)cfg->ifaces[i].xdp_mode);
		if (err)
			return err;
	}
	return 0;
}

void xlb_dps_close(struct xlb_dps *dps)
{
	size_t i;

	for (i = 0; i < dps->n; i++) {
		xlb_dp_detach(&dps->v[i]);
		xlb_dp_close(&dps->v[i], false);
	}
	free(dps->v);
	dps->v = NULL;
	dps->n = 0;
}

/* The first interface of the config: any would do, as they hold the same; this one is stable. */
struct xlb_dp *xlb_dps_primary(const struct xlb_dps *dps)
{
	return dps->n ? &dps->v[0] : NULL;
}

int xlb_dps_index(const struct xlb_dps *dps, int ifindex)
{
	size_t i;

	for (i = 0; i < dps->n; i++)
		if (dps->v[i].ifindex == ifindex)
			return i;
	return -ENODEV;
}

int xlb_dp_map_fd(const struct xlb_dp *dp, enum xlb_dp_map map)
{
	switch (map) {
	case XLB_DP_VIPS:
		return dp->vips_fd;
	case XLB_DP_BACKENDS:
		return dp->backends_fd;
	case XLB_DP_MAGLEV:
		return dp->maglev_fd;
	case XLB_DP_CONNS:
		return dp->conns_fd;
	case XLB_DP_VIP_STATS:
		return dp->vip_stats_fd;
	case XLB_DP_BACKEND_STATS:
		return dp->backend_stats_fd;
	case XLB_DP_VIP_NAMES:
		return dp->vip_names_fd;
	case XLB_DP_TUNNEL:
		return dp->tunnel_fd;
	case XLB_DP_NAT_FLOWS:
		return dp->nat_flows_fd;
	case XLB_DP_TX_PORTS:
		return dp->tx_ports_fd;
	case XLB_DP_TEMPLATES:
		return dp->templates_fd;
	}
	return -1;
}

int xlb_dp_update(const struct xlb_dp *dp, enum xlb_dp_map map, const void *key, const void *val)
{
	return bpf_map_update_elem(xlb_dp_map_fd(dp, map), key, val, BPF_ANY) ? -errno : 0;
}

int xlb_dps_update(const struct xlb_dps *dps, enum xlb_dp_map map, const void *key,
		   const void *val)
{
	size_t i;
	int err;

	for (i = 0; i < dps->n; i++) {
		err = xlb_dp_update(&dps->v[i], map, key, val);
		if (err)
			return err;
	}
	return 0;
}

int xlb_dps_delete(const struct xlb_dps *dps, enum xlb_dp_map map, const void *key)
{
	size_t i;
	int err = 0;

	for (i = 0; i < dps->n; i++)
		if (bpf_map_delete_elem(xlb_dp_map_fd(&dps->v[i], map), key) && errno != ENOENT &&
		    !err)
			err = -errno;
	return err;
}

int xlb_dps_zero_counters(const struct xlb_dps *dps, enum xlb_dp_map map, uint32_t idx)
{
	size_t i;
	int err;

	for (i = 0; i < dps->n; i++) {
		err = xlb_dp_zero_counters(xlb_dp_map_fd(&dps->v[i], map), idx);
		if (err)
			return err;
	}
	return 0;
}

void xlb_dps_set_sync_flows(const struct xlb_dps *dps, bool on)
{
	size_t i;

	for (i = 0; i < dps->n; i++)
		if (dps->v[i].skel)
			dps->v[i].skel->bss->sync_flows = on;
}

int xlb_dps_flow_events_fd(const struct xlb_dps *dps, size_t i)
{
	return i < dps->n ? bpf_map__fd(dps->v[i].skel->maps.flow_events) : -ENOENT;
}
