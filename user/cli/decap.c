// SPDX-License-Identifier: GPL-2.0-only
/*
 * xlbctl decap: the backends' side of tun forwarding. `attach` loads bpf/decap.bpf.c onto an
 * interface through a BPF link and pins the link with the program's maps under
 * <pin-root>/<ifname>/, so the program outlives xlbctl and `stats` and `detach` find it again;
 * `detach` detaches the link and removes the folder. Unlike the rest of xlbctl this writes:
 * a backend runs no xlbd, so there is nobody else to do it.
 */
#include <errno.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <limits.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli/decap.h"
#include "cli/report.h"
#include "common/addr.h"
#include "common/output.h"
#include "decap.skel.h"
#include "xlb/decap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const reason_names[] = {
	[XLB_DECAP_R_STRIPPED] = "stripped",
	[XLB_DECAP_R_NOT_TUNNEL] = "pass_not_tunnel",
	[XLB_DECAP_R_NOT_ALLOWED] = "pass_not_allowed",
	[XLB_DECAP_R_TRUNCATED] = "pass_truncated",
	[XLB_DECAP_R_OPTIONS] = "pass_options",
	[XLB_DECAP_R_FRAGMENT] = "pass_fragment",
	[XLB_DECAP_R_BAD_CSUM] = "pass_bad_csum",
	[XLB_DECAP_R_BAD_INNER] = "pass_bad_inner",
	[XLB_DECAP_R_ADJUST] = "pass_adjust_failed",
};
_Static_assert(ARRAY_SIZE(reason_names) == XLB_DECAP_R_MAX, "a decap reason without a name");

struct decap_opts {
	const char *root;
	const char *ifname;
	struct xlb_addr addrs[XLB_DECAP_MAX_ADDRS];
	unsigned int n_addrs;
	__u32 xdp_flags;
	bool json;
};

static const char *const pins[] = { "link", "decap_addrs", "decap_stats" };

static void decap_usage(FILE *out)
{
	fprintf(out,
		"Usage: xlbctl decap attach IFACE [--addr ADDR ...] [--xdp-mode native|generic]\n"
		"       xlbctl decap detach IFACE\n"
		"       xlbctl decap stats IFACE [--json]\n"
		"\n"
		"On a backend of a VIP forwarded by tun: strip the dispatcher's outer IPIP, 6in4,\n"
		"IP6IP6 or 4in6 header from packets arriving on IFACE to one of the ADDRs, and hand the\n"
		"inner packet to the kernel (for hosts without the ipip / ip6_tunnel modules). Without\n"
		"--addr, the addresses IFACE has now. Other packets pass unchanged, counted by reason.\n"
		"\n"
		"Options:\n"
		"      --pin-root DIR   pins under DIR/IFACE/ (default %s)\n"
		"      --addr ADDR      an outer destination to accept (repeatable, up to %d)\n"
		"      --xdp-mode MODE  native (default) or generic\n"
		"      --json           stats as one JSON object\n",
		XLB_DECAP_PIN_ROOT, XLB_DECAP_MAX_ADDRS);
}

static int pin_path(const struct decap_opts *o, const char *name, char *buf, size_t len)
{
	int n = name ? snprintf(buf, len, "%s/%s/%s", o->root, o->ifname, name)
		     : snprintf(buf, len, "%s/%s", o->root, o->ifname);

	if (n < 0 || (size_t)n >= len) {
		xlb_cli_err("pin path too long under %s", o->root);
		return -ENAMETOOLONG;
	}
	return 0;
}

static int add_addr(struct decap_opts *o, const struct xlb_addr *a)
{
	unsigned int i;

	for (i = 0; i < o->n_addrs; i++)
		if (!memcmp(&o->addrs[i], a, sizeof(*a)))
			return 0;
	if (o->n_addrs == XLB_DECAP_MAX_ADDRS) {
		xlb_cli_err("more than %d addresses", XLB_DECAP_MAX_ADDRS);
		return -E2BIG;
	}
	o->addrs[o->n_addrs++] = *a;
	return 0;
}

/* Without --addr: every address IFACE holds now (a later one needs a new attach). */
static int iface_addrs(struct decap_opts *o)
{
	struct ifaddrs *ifa, *i;
	int err = 0;

	if (getifaddrs(&ifa)) {
		err = -errno;
		xlb_cli_err("cannot list addresses: %s", strerror(-err));
		return err;
	}
	for (i = ifa; i && !err; i = i->ifa_next) {
		struct xlb_addr a = {};

		if (!i->ifa_addr || strcmp(i->ifa_name, o->ifname))
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			a.family = XLB_FAMILY_V4;
			memcpy(a.w, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			a.family = XLB_FAMILY_V6;
			memcpy(a.w, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, 16);
		} else {
			continue;
		}
		err = add_addr(o, &a);
	}
	freeifaddrs(ifa);
	if (!err && !o->n_addrs) {
		xlb_cli_err("%s has no address; give --addr", o->ifname);
		err = -EADDRNOTAVAIL;
	}
	return err;
}

/* Removes what attach pinned; missing pins are fine (a failed attach, a second detach). */
static void unpin_all(const struct decap_opts *o)
{
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pins); i++)
		if (!pin_path(o, pins[i], path, sizeof(path)))
			unlink(path);
	if (!pin_path(o, NULL, path, sizeof(path)))
		rmdir(path);
}

static int fill_addrs(const struct decap_bpf *skel, const struct decap_opts *o)
{
	unsigned int i;
	__u8 one = 1;

	for (i = 0; i < o->n_addrs; i++) {
		struct xlb_decap_addr key = { .family = o->addrs[i].family };

		memcpy(key.addr, o->addrs[i].w, sizeof(key.addr));
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.decap_addrs), &key, &one, BPF_ANY)) {
			int err = -errno;

			xlb_cli_err("cannot fill decap_addrs: %s", strerror(-err));
			return err;
		}
	}
	return 0;
}

static int pin_maps(const struct decap_bpf *skel, const struct decap_opts *o)
{
	struct bpf_map *maps[] = { skel->maps.decap_addrs, skel->maps.decap_stats };
	char path[PATH_MAX];
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(maps); i++) {
		err = pin_path(o, bpf_map__name(maps[i]), path, sizeof(path));
		if (!err)
			err = bpf_map__pin(maps[i], path);
		if (err) {
			xlb_cli_err("cannot pin %s: %s", path, strerror(-err));
			return err;
		}
	}
	return 0;
}

static int do_attach(struct decap_opts *o)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct decap_bpf *skel = NULL;
	int ifindex, link_fd = -1, err;
	LIBBPF_OPTS(bpf_link_create_opts, lopts, .flags = o->xdp_flags);

	ifindex = if_nametoindex(o->ifname);
	if (!ifindex) {
		xlb_cli_err("no interface %s", o->ifname);
		return -ENODEV;
	}
	err = o->n_addrs ? 0 : iface_addrs(o);
	if (err)
		return err;
	if ((err = pin_path(o, NULL, dir, sizeof(dir))) || (err = pin_path(o, "link", path, sizeof(path))))
		return err;
	if (mkdir(o->root, 0700) && errno != EEXIST) {
		err = -errno;
		xlb_cli_err("cannot create %s: %s", o->root, strerror(-err));
		return err;
	}
	if (mkdir(dir, 0700)) {
		err = -errno;
		if (err == -EEXIST)
			xlb_cli_err("%s exists: already attached? (detach first)", dir);
		else
			xlb_cli_err("cannot create %s: %s", dir, strerror(-err));
		return err;
	}
	skel = decap_bpf__open_and_load();
	if (!skel) {
		err = -errno;
		xlb_cli_err("cannot load the decap program: %s", strerror(-err));
		goto fail;
	}
	err = fill_addrs(skel, o);
	if (err)
		goto fail;
	err = pin_maps(skel, o);
	if (err)
		goto fail;
	link_fd = bpf_link_create(bpf_program__fd(skel->progs.xlb_decap), ifindex, BPF_XDP, &lopts);
	if (link_fd < 0) {
		err = -errno;
		xlb_cli_err("cannot attach to %s: %s%s", o->ifname, strerror(-err),
			    err == -EBUSY || err == -EEXIST ? " (another XDP program is attached)"
							    : "");
		goto fail;
	}
	if (bpf_obj_pin(link_fd, path)) {
		err = -errno;
		xlb_cli_err("cannot pin %s: %s", path, strerror(-err));
		goto fail;
	}
	close(link_fd);
	decap_bpf__destroy(skel);
	printf("decap: attached to %s, %u address(es) accepted, pinned under %s\n", o->ifname,
	       o->n_addrs, dir);
	return 0;

fail:
	/* Closing the unpinned link detaches the program again. */
	if (link_fd >= 0)
		close(link_fd);
	decap_bpf__destroy(skel);
	unpin_all(o);
	return err;
}

static int do_detach(const struct decap_opts *o)
{
	char path[PATH_MAX];
	int fd, err;

	err = pin_path(o, "link", path, sizeof(path));
	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd < 0) {
		err = -errno;
		xlb_cli_err("%s: %s (not attached by xlbctl decap?)", path, strerror(-err));
		return err;
	}
	/* Detach now, even if something else holds the link open. */
	if (bpf_link_detach(fd)) {
		err = -errno;
		xlb_cli_err("cannot detach from %s: %s", o->ifname, strerror(-err));
	}
	close(fd);
	unpin_all(o);
	if (!err)
		printf("decap: detached from %s\n", o->ifname);
	return err;
}

static int read_stats(const struct decap_opts *o, struct xlb_decap_counters sum[XLB_DECAP_R_MAX])
{
	struct xlb_decap_counters *v = NULL;
	char path[PATH_MAX];
	int fd, ncpus, c, err;
	__u32 r;

	err = pin_path(o, "decap_stats", path, sizeof(path));
	if (err)
		return err;
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0) {
		xlb_cli_err("cannot count CPUs");
		return ncpus ? ncpus : -EINVAL;
	}
	fd = bpf_obj_get(path);
	if (fd < 0) {
		err = -errno;
		xlb_cli_err("%s: %s (not attached?)", path, strerror(-err));
		return err;
	}
	v = calloc(ncpus, sizeof(*v));
	if (!v) {
		err = -ENOMEM;
		goto out;
	}
	for (r = 0; r < XLB_DECAP_R_MAX; r++) {
		if (bpf_map_lookup_elem(fd, &r, v)) {
			err = -errno;
			xlb_cli_err("cannot read %s: %s", path, strerror(-err));
			goto out;
		}
		sum[r] = (struct xlb_decap_counters){};
		for (c = 0; c < ncpus; c++) {
			sum[r].packets += v[c].packets;
			sum[r].bytes += v[c].bytes;
		}
	}
out:
	free(v);
	close(fd);
	return err;
}

static int do_stats(const struct decap_opts *o)
{
	static const struct xlb_table_col cols[] = {
		{ "REASON" }, { "PACKETS", true }, { "BYTES", true },
	};
	struct xlb_decap_counters sum[XLB_DECAP_R_MAX];
	char bytes[XLB_FMT_BYTES_LEN];
	struct xlb_table *t;
	struct xlb_json j;
	unsigned int r;
	int err;

	err = read_stats(o, sum);
	if (err)
		return err;
	if (o->json) {
		xlb_json_init(&j, stdout);
		xlb_json_object_begin(&j);
		for (r = 0; r < XLB_DECAP_R_MAX; r++) {
			xlb_json_key(&j, reason_names[r]);
			xlb_json_object_begin(&j);
			xlb_json_kv_uint(&j, "packets", sum[r].packets);
			xlb_json_kv_uint(&j, "bytes", sum[r].bytes);
			xlb_json_object_end(&j);
		}
		xlb_json_object_end(&j);
		err = xlb_json_finish(&j);
	} else {
		t = xlb_table_new(cols, ARRAY_SIZE(cols));
		if (!t)
			return -ENOMEM;
		for (r = 0; r < XLB_DECAP_R_MAX; r++) {
			xlb_table_cell(t, "%s", reason_names[r]);
			xlb_table_cell(t, "%llu", (unsigned long long)sum[r].packets);
			xlb_table_cell(t, "%s", xlb_fmt_bytes(sum[r].bytes, bytes, sizeof(bytes)));
		}
		err = xlb_table_print(t, stdout);
		xlb_table_free(t);
	}
	if (err)
		xlb_cli_err("cannot write the output: %s", strerror(-err));
	return err;
}

enum { OPT_ROOT = 256, OPT_ADDR, OPT_MODE, OPT_JSON };

static int parse_opts(int argc, char **argv, struct decap_opts *o)
{
	static const struct option long_opts[] = {
		{ "pin-root", required_argument, NULL, OPT_ROOT },
		{ "addr", required_argument, NULL, OPT_ADDR },
		{ "xdp-mode", required_argument, NULL, OPT_MODE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct xlb_addr a;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT:
			o->root = optarg;
			break;
		case OPT_ADDR:
			if (xlb_addr_parse(optarg, &a)) {
				xlb_cli_err("bad address '%s'", optarg);
				return -EINVAL;
			}
			if (add_addr(o, &a))
				return -EINVAL;
			break;
		case OPT_MODE:
			if (!strcmp(optarg, "native")) {
				o->xdp_flags = XDP_FLAGS_DRV_MODE;
			} else if (!strcmp(optarg, "generic")) {
				o->xdp_flags = XDP_FLAGS_SKB_MODE;
			} else {
				xlb_cli_err("--xdp-mode is native or generic");
				return -EINVAL;
			}
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case 'h':
			decap_usage(stdout);
			exit(0);
		default:
			xlb_cli_err("bad option '%s'", argv[optind - 1]);
			return -EINVAL;
		}
	}
	return 0;
}

int xlb_decap_main(int argc, char **argv)
{
	struct decap_opts o = { .root = XLB_DECAP_PIN_ROOT, .xdp_flags = XDP_FLAGS_DRV_MODE };
	const char *cmd;
	int err;

	xlb_cli_report_init("xlbctl decap", false);
	/* argv[0] is "decap"; getopt permutes, so options may come anywhere after it. */
	if (parse_opts(argc, argv, &o) || argc - optind != 2 || !*o.root) {
		decap_usage(stderr);
		return 2;
	}
	xlb_cli_report_json(o.json);
	cmd = argv[optind];
	o.ifname = argv[optind + 1];
	if (!*o.ifname || strlen(o.ifname) >= IF_NAMESIZE || strchr(o.ifname, '/') ||
	    !strcmp(o.ifname, ".") || !strcmp(o.ifname, "..")) {
		xlb_cli_err("bad interface name '%s'", o.ifname);
		return xlb_cli_exit(2);
	}
	if (!strcmp(cmd, "attach"))
		err = do_attach(&o);
	else if (!strcmp(cmd, "detach"))
		err = do_detach(&o);
	else if (!strcmp(cmd, "stats"))
		err = do_stats(&o);
	else {
		xlb_cli_err("unknown command '%s'", cmd);
		decap_usage(stderr);
		return xlb_cli_exit(2);
	}
	return xlb_cli_exit(err ? 1 : 0);
}
