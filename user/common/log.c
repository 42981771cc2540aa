// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <bpf/libbpf.h>

#include "common/log.h"

static const char *log_prog = "xlb";
static enum xlb_log_level log_level = XLB_LOG_INFO;
static enum xlb_log_style log_style = XLB_LOG_PLAIN;

void xlb_log_init(const char *prog, enum xlb_log_level level)
{
	log_prog = prog;
	log_level = level;
}

bool xlb_log_to_journal(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	int n = 0;

	/* systemd sets it for the service's own stderr; a child's redirected fd 2 is not that. */
	if (!env || sscanf(env, "%llu:%llu%n", &dev, &ino, &n) != 2 || env[n])
		return false;
	if (fstat(2, &st))
		return false;
	return st.st_dev == dev && st.st_ino == ino;
}

enum xlb_log_style xlb_log_daemon(void)
{
	log_style = xlb_log_to_journal() ? XLB_LOG_JOURNAL : XLB_LOG_STAMPED;
	return log_style;
}

/* ISO 8601 in UTC with milliseconds: one clock for every host of a pair, whatever its TZ. */
static void put_stamp(FILE *f)
{
	struct timespec ts;
	struct tm tm;
	char buf[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(f, "%s.%03ldZ ", buf, ts.tv_nsec / 1000000);
}

static void xlb_vlog(enum xlb_log_level level, const char *fmt, va_list ap)
{
	static const char *const tag[] = {
		[XLB_LOG_ERR] = "error: ",
		[XLB_LOG_WARN] = "warning: ",
		[XLB_LOG_INFO] = "",
		[XLB_LOG_DEBUG] = "debug: ",
	};
	/* sd-daemon.h's SD_ERR, SD_WARNING, SD_INFO, SD_DEBUG: journald reads and strips them. */
	static const char *const prio[] = {
		[XLB_LOG_ERR] = "<3>",
		[XLB_LOG_WARN] = "<4>",
		[XLB_LOG_INFO] = "<6>",
		[XLB_LOG_DEBUG] = "<7>",
	};
	int saved = errno;

	if (level > log_level)
		return;
	/* The journal stamps each line and names the unit: the priority is all it lacks. */
	if (log_style == XLB_LOG_JOURNAL)
		fprintf(stderr, "%s%s", prio[level], tag[level]);
	else {
		if (log_style == XLB_LOG_STAMPED)
			put_stamp(stderr);
		fprintf(stderr, "%s: %s", log_prog, tag[level]);
	}
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	errno = saved;
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
