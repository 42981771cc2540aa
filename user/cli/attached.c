// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>

#include "cli/attached.h"
#include "cli/report.h"
#include "common/xdp_query.h"

int xlb_cli_attached(const char *ifname, const char *vips_pin)
{
	const char *what = "";
	int ret;

	ret = xlb_xdp_uses_pinned_map(ifname, vips_pin, &what);
	if (ret < 0)
		xlb_cli_err("%s: %s (%s): %s", ifname, what, vips_pin, strerror(-ret));
	return ret;
}
