// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stddef.h>
#include <strings.h>

#include "dispatch/maglev.h"
#include "dispatch/sched.h"
#include "xlb/abi.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const maglev_words[] = { "maglev", "mh", NULL };
static const char *const sh_words[] = { "sh", NULL };
static const char *const wrr_words[] = { "wrr", NULL };
static const char *const wlc_words[] = { "wlc", NULL };

static const struct xlb_scheduler scheds[] = {
	[XLB_SCHED_MAGLEV] = { XLB_SCHED_MAGLEV, "maglev", maglev_words, true, xlb_maglev_build },
	[XLB_SCHED_SH] = { XLB_SCHED_SH, "sh", sh_words },
	[XLB_SCHED_WRR] = { XLB_SCHED_WRR, "wrr", wrr_words },
	[XLB_SCHED_WLC] = { XLB_SCHED_WLC, "wlc", wlc_words },
};

/* keepalived's other lb_algo names: its users are told "not yet" rather than "unknown". */
static const char *const keepalived_only[] = {
	"rr", "lc", "lblc", "lblcr", "dh", "sed", "nq", "fo", "ovf", "twos",
};

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
