// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "dispatch/maglev.h"
#include "dispatch/sched.h"
#include "dispatch/seq.h"
#include "xlb/abi.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const maglev_words[] = { "maglev", "mh", NULL };
static const char *const sh_words[] = { "sh", NULL };
static const char *const wrr_words[] = { "wrr", NULL };
static const char *const wlc_words[] = { "wlc", NULL };
static const char *const rr_words[] = { "rr", NULL };
static const char *const lc_words[] = { "lc", NULL };

static uint32_t maglev_size(const struct xlb_sched_backend *be, size_t n, uint32_t size)
{
	(void)be;
	(void)n;
	return size;
}

/* sh shares maglev's table; only the data path's hash differs (the client address). */
static const struct xlb_scheduler scheds[] = {
	[XLB_SCHED_MAGLEV] = { XLB_SCHED_MAGLEV, "maglev", maglev_words, true, xlb_maglev_build,
			       maglev_size },
	[XLB_SCHED_SH] = { XLB_SCHED_SH, "sh", sh_words, true, xlb_maglev_build, maglev_size },
	[XLB_SCHED_WRR] = { XLB_SCHED_WRR, "wrr", wrr_words, true, xlb_wrr_build, xlb_wrr_size },
	[XLB_SCHED_WLC] = { XLB_SCHED_WLC, "wlc", wlc_words, true, xlb_lc_build, xlb_lc_size },
	[XLB_SCHED_RR] = { XLB_SCHED_RR, "rr", rr_words, true, xlb_rr_build, xlb_rr_size },
	[XLB_SCHED_LC] = { XLB_SCHED_LC, "lc", lc_words, true, xlb_lc_build, xlb_lc_size },
};

/* keepalived's other lb_algo names: its users are told "not yet" rather than "unknown". */
static const char *const keepalived_only[] = {
	"lblc", "lblcr", "dh", "sed", "nq", "fo", "ovf", "twos",
};

int xlb_sched_key_cmp(const void *a, size_t a_len, const void *b, size_t b_len)
{
	size_t len = a_len < b_len ? a_len : b_len;
	int r = len ? memcmp(a, b, len) : 0;

	if (r || a_len == b_len)
		return r;
	return a_len < b_len ? -1 : 1;
}

long xlb_sched_members(const struct xlb_sched_backend *be, size_t n)
{
	long cnt = 0;
	size_t k;

	if (n && !be)
		return -EINVAL;
	for (k = 0; k < n; k++) {
		if (!be[k].weight)
			continue;
		if (be[k].id == XLB_NO_BACKEND || (be[k].key_len && !be[k].key))
			return -EINVAL;
		cnt++;
	}
	return cnt;
}

const struct xlb_scheduler *xlb_sched_get(unsigned int id)
{
	return id < ARRAY_SIZE(scheds) && scheds[id].name ? &scheds[id] : NULL;
}

const char *xlb_sched_name(unsigned int id)
{
	const struct xlb_scheduler *s = xlb_sched_get(id);

	return s ? s->name : "unknown";
}

int xlb_sched_lookup(const char *word, const struct xlb_scheduler **out)
{
	const char *const *a;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(scheds); i++) {
		for (a = scheds[i].aliases; *a; a++) {
			if (strcasecmp(*a, word))
				continue;
			if (!scheds[i].implemented)
				return -EOPNOTSUPP;
			*out = &scheds[i];
			return 0;
		}
	}
	for (i = 0; i < ARRAY_SIZE(keepalived_only); i++)
		if (!strcasecmp(keepalived_only[i], word))
			return -EOPNOTSUPP;
	return -ENOENT;
}
