// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "common/addr.h"

int xlb_addr_parse(const char *s, struct xlb_addr *out)
{
	struct xlb_addr a = {};

	/* inet_pton(AF_INET) takes only dotted quads: no "10.1", no octal, no trailing junk. */
	if (inet_pton(AF_INET, s, &a.w[0]) == 1)
		a.family = XLB_FAMILY_V4;
	else if (inet_pton(AF_INET6, s, a.w) == 1)
		a.family = XLB_FAMILY_V6;
	else
		return -EINVAL;
	*out = a;
	return 0;
}

void xlb_addr_sockaddr(const struct xlb_addr *a, uint16_t port, int ifindex,
		       struct sockaddr_storage *ss, unsigned int *len)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == XLB_FAMILY_V6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, a->w, 16);
		s6->sin6_scope_id = ifindex;
		*len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, a->w, 4);
		*len = sizeof(*s4);
	}
}

const char *xlb_addr_ntop(uint8_t family, const void *w, char *buf, size_t len)
{
	const char *s = NULL;

	if (family == XLB_FAMILY_V4)
		s = inet_ntop(AF_INET, w, buf, len);
	else if (family == XLB_FAMILY_V6)
		s = inet_ntop(AF_INET6, w, buf, len);
	if (!s && len)
		snprintf(buf, len, "?");
	return buf;
}

const char *xlb_addr_str(const struct xlb_addr *a, char *buf, size_t len)
{
	return xlb_addr_ntop(a->family, a->w, buf, len);
}

const char *xlb_addr_port_str(const struct xlb_addr *a, uint16_t port, char *buf, size_t len)
{
	char as[INET6_ADDRSTRLEN];

	xlb_addr_str(a, as, sizeof(as));
	if (!port)
		snprintf(buf, len, "%s", as);
	else if (a->family == XLB_FAMILY_V6)
		snprintf(buf, len, "[%s]:%u", as, port);
	else
		snprintf(buf, len, "%s:%u", as, port);
	return buf;
}
