// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tool.h"

volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

void catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int64_t clock_us(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t now_ms(void)
{
	return clock_us(CLOCK_MONOTONIC) / 1000;
}

int64_t now_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}

int64_t unix_ms(void)
{
	return clock_us(CLOCK_REALTIME) / 1000;
}

int parse_uint(const char *s, const char *what, unsigned int max, unsigned int *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max) {
		fprintf(stderr, "%s: bad %s '%s'\n", program_invocation_short_name, what, s);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int parse_addr(const char *s, unsigned int port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	char buf[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(s);

	if (n >= sizeof(buf))
		return -EINVAL;
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		memcpy(buf, s + 1, n - 2);
		buf[n - 2] = '\0';
	} else {
		memcpy(buf, s, n + 1);
	}
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, buf, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, buf, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*len = sizeof(*sin6);
		return 0;
	}
	return -EINVAL;
}
