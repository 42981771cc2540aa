// SPDX-License-Identifier: GPL-2.0-only
/*
 * The config parser (user/config/), fed bytes as the content of a config file.
 *
 * xlb_cfg_parse_file() only reads the file whole and hands it to xlb_cfg_parse_string(), so
 * the harness calls the latter: the same parse, without a file per input.
 *
 * Properties beyond "no crash": a config is either taken with no error or refused with 1 to
 * 100 errors, in file order, each at a position inside the input, and leaves nothing behind;
 * a taken config is within the maps' limits and its addresses print and parse back to
 * themselves.
 */
#include <errno.h>
#include <string.h>

#include "config/config.h"
#include "fuzz.h"

static void check_addr(const struct xlb_addr *a)
{
	char buf[64];
	struct xlb_addr back;

	FUZZ_CHECK(a->family == XLB_FAMILY_V4 || a->family == XLB_FAMILY_V6);
	FUZZ_CHECK(xlb_addr_parse(xlb_addr_str(a, buf, sizeof(buf)), &back) == 0);
	FUZZ_CHECK(back.family == a->family && !memcmp(back.w, a->w, sizeof(a->w)));
}

static void check_taken(const struct xlb_config *cfg)
{
	size_t i, j, k;

	FUZZ_CHECK(cfg->path && !strcmp(cfg->path, "fuzz.yaml"));
	FUZZ_CHECK(cfg->n_vips <= XLB_MAX_VIPS && cfg->n_ifaces >= 1);
	for (i = 0; i < cfg->n_vips; i++) {
		const struct xlb_cfg_vip *v = &cfg->vips[i];

		check_addr(&v->addr);
		FUZZ_CHECK(v->n_backends <= XLB_MAX_BACKENDS);
		for (j = 0; j < v->n_backends; j++) {
			check_addr(&v->backends[j].addr);
			FUZZ_CHECK(v->backends[j].weight <= XLB_WEIGHT_MAX);
		}
	}
	FUZZ_CHECK(cfg->n_vrrps <= XLB_CFG_VRRP_MAX_INSTANCES);
	FUZZ_CHECK(cfg->failover_mode != XLB_FAILOVER_VRRP || cfg->n_vrrps >= 1);
	for (k = 0; k < cfg->n_vrrps; k++) {
		const struct xlb_cfg_vrrp *r = &cfg->vrrps[k];

		FUZZ_CHECK(r->name[0] && r->sync_group < (int)cfg->n_sync_groups);
		for (i = 0; i < r->n_vaddrs; i++)
			check_addr(&r->vaddrs[i].addr);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xlb_cfg_errors errs;
	struct xlb_config cfg;
	unsigned int lines = 1;
	size_t i;
	int ret;

	/* YAML's line breaks (libyaml's IS_BREAK): CR, LF, NEL, LS, PS; CR LF counts twice here. */
	for (i = 0; i < size; i++)
		lines += data[i] == '\n' || data[i] == '\r' ||
			 (i + 1 < size && data[i] == 0xc2 && data[i + 1] == 0x85) ||
			 (i + 2 < size && data[i] == 0xe2 && data[i + 1] == 0x80 &&
			  (data[i + 2] == 0xa8 || data[i + 2] == 0xa9));
	ret = xlb_cfg_parse_string("fuzz.yaml", (const char *)data, size, &cfg, &errs);
	FUZZ_CHECK(ret == 0 || ret == -EINVAL || ret == -ENOMEM);
	if (!ret) {
		FUZZ_CHECK(errs.n == 0);
		check_taken(&cfg);
		xlb_cfg_free(&cfg);
		xlb_cfg_errors_free(&errs);
		return 0;
	}
	FUZZ_CHECK(!cfg.path && !cfg.vips && !cfg.ifaces);
	if (ret == -EINVAL) {
		FUZZ_CHECK(errs.n >= 1 && errs.n <= 100);
		for (i = 0; i < errs.n; i++) {
			const struct xlb_cfg_error *e = &errs.v[i];

			FUZZ_CHECK(e->pos.line >= 1 && e->pos.line <= lines + 1 && e->pos.col >= 1);
			FUZZ_CHECK(e->msg[0] && memchr(e->msg, '\0', sizeof(e->msg)));
			if (i)
				FUZZ_CHECK(e->pos.line > e[-1].pos.line ||
					   (e->pos.line == e[-1].pos.line &&
					    e->pos.col >= e[-1].pos.col));
		}
	}
	xlb_cfg_errors_free(&errs);
	return 0;
}
