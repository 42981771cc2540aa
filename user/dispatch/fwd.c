// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stddef.h>
#include <strings.h>

#include "dispatch/fwd.h"
#include "xlb/abi.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct xlb_fwd_mode fwds[] = {
	[XLB_FWD_DR] = { XLB_FWD_DR, "dr", .implemented = true, .needs_mac = true },
	/* Both reach the backend through the routing table: its own MAC is never needed. */
	[XLB_FWD_TUN] = { XLB_FWD_TUN, "tun", .implemented = true },
	/* Rewrites the destination, so a backend may listen on another port than the VIP's. */
	[XLB_FWD_NAT] = { XLB_FWD_NAT, "nat", .implemented = true, .backend_port = true },
};

/* Other tools' words for a mode: ipvsadm's --masquerading shows as "Masq". */
static const struct {
	const char *word;
	unsigned int id;
} aliases[] = {
	{ "masq", XLB_FWD_NAT },
};

const struct xlb_fwd_mode *xlb_fwd_get(unsigned int id)
{
	return id < ARRAY_SIZE(fwds) && fwds[id].name ? &fwds[id] : NULL;
}

const char *xlb_fwd_name(unsigned int id)
{
	const struct xlb_fwd_mode *f = xlb_fwd_get(id);

	return f ? f->name : "unknown";
}

int xlb_fwd_lookup(const char *word, const struct xlb_fwd_mode **out)
{
	const struct xlb_fwd_mode *f = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fwds) && !f; i++)
		if (!strcasecmp(fwds[i].name, word))
			f = &fwds[i];
	for (i = 0; i < ARRAY_SIZE(aliases) && !f; i++)
		if (!strcasecmp(aliases[i].word, word))
			f = &fwds[aliases[i].id];
	if (!f)
		return -ENOENT;
	if (!f->implemented)
		return -EOPNOTSUPP;
	*out = f;
	return 0;
}
