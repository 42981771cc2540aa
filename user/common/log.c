// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "common/log.h"

static const char *log_prog = "xlb";
static enum xlb_log_level log_level = XLB_LOG_INFO;

void xlb_log_init(const char *prog, enum xlb_log_level level)
{
	log_prog = prog;
	log_level = level;
}

static void xlb_vlog(enum xlb_log_level level, const char *fmt, va_list ap)
{
	static const char *const tag[] = {
		[XLB_LOG_ERR] = "error: ",
		[XLB_LOG_WARN] = "warning: ",
		[XLB_LOG_INFO] = "",
		[XLB_LOG_DEBUG] = "debug: ",
	};

	if (level > log_level)
		return;
	fprintf(stderr, "%s: %s", log_prog, tag[level]);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void xlb_log(enum xlb_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xlb_vlog(level, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	enum xlb_log_level l = level == LIBBPF_WARN ? XLB_LOG_INFO : XLB_LOG_DEBUG;
	char line[1024];
	size_t n;

	if (l > log_level)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	if (n && line[n - 1] == '\n')
		line[n - 1] = '\0';
	xlb_log(l, "%s", line); /* libbpf prefixes its own name */
	return 0;
}

void xlb_log_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
