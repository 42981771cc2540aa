// SPDX-License-Identifier: GPL-2.0-only
#include <netinet/in.h>
#include <stdio.h>

#include "common/names.h"
#include "xlb/abi.h"

static const char *const reason_names[] = {
	[XLB_R_FORWARDED] = "forwarded",
	[XLB_R_PASS_NOT_IP] = "pass_not_ip",
	[XLB_R_PASS_NOT_VIP] = "pass_not_vip",
	[XLB_R_PASS_NOT_L4] = "pass_not_l4",
	[XLB_R_PASS_FRAGMENT] = "pass_fragment",
	[XLB_R_PASS_IP_EXT] = "pass_ip_ext",
	[XLB_R_DROP_TRUNCATED] = "drop_truncated",
	[XLB_R_DROP_BAD_HEADER] = "drop_bad_header",
	[XLB_R_DROP_NO_BACKEND] = "drop_no_backend",
	[XLB_R_DROP_NO_MAC] = "drop_no_mac",
	[XLB_R_PASS_OTHER_HOST] = "pass_other_host",
	[XLB_R_PASS_FRAG_UNKNOWN] = "pass_frag_unknown",
	[XLB_R_PASS_VLAN_DEPTH] = "pass_vlan_depth",
	[XLB_R_DROP_NO_TUN_SRC] = "drop_no_tun_src",
	[XLB_R_DROP_NO_ROUTE] = "drop_no_route",
	[XLB_R_DROP_TOO_BIG] = "drop_too_big",
	[XLB_R_NAT_REPLY] = "nat_reply",
	[XLB_R_PASS_TTL] = "pass_ttl",
	[XLB_R_DROP_NO_TX_PORT] = "drop_no_tx_port",
	[XLB_R_PASS_NAT_VLAN] = "pass_nat_vlan",
	[XLB_R_ICMP_TOO_BIG] = "icmp_too_big",
};
_Static_assert(sizeof(reason_names) / sizeof(reason_names[0]) == XLB_R_MAX,
	       "reason_names must name every xlb_reason");

const char *xlb_reason_name(unsigned int reason)
{
	return reason < XLB_R_MAX ? reason_names[reason] : "unknown";
}

const char *xlb_proto_name(uint8_t proto, char buf[XLB_PROTO_NAME_LEN])
{
	if (proto == IPPROTO_TCP)
		return "tcp";
	if (proto == IPPROTO_UDP)
		return "udp";
	snprintf(buf, XLB_PROTO_NAME_LEN, "%u", proto);
	return buf;
}

const char *xlb_conn_state_name(unsigned int state, uint8_t proto)
{
	switch (state) {
	case XLB_CS_ACTIVE:
		return proto == IPPROTO_UDP ? "udp" : "established";
	case XLB_CS_CLOSING:
		return "closing";
	case XLB_CS_SYN:
		return "syn_seen";
	default:
		return "unknown";
	}
}
