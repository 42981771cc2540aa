// SPDX-License-Identifier: GPL-2.0-only
#include <netinet/in.h>
#include <stdio.h>

#include "common/names.h"

const char *xlb_proto_name(uint8_t proto, char buf[XLB_PROTO_NAME_LEN])
{
	if (proto == IPPROTO_TCP)
		return "tcp";
	if (proto == IPPROTO_UDP)
		return "udp";
	snprintf(buf, XLB_PROTO_NAME_LEN, "%u", proto);
	return buf;
}
