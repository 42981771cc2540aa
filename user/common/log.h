/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Logging for xlbd and xlbctl: one line per event on stderr, prefixed with the program's name.
 * A daemon's lines carry a UTC timestamp, or, when stderr is the journal, their priority.
 */
#ifndef XLB_LOG_H
#define XLB_LOG_H

#include <stdbool.h>

enum xlb_log_level {
	XLB_LOG_ERR = 0,
	XLB_LOG_WARN,
	XLB_LOG_INFO,
	XLB_LOG_DEBUG,
};

/* How a line starts: "xlbctl: warning: ", "2026-12-02T14:52:01.123Z xlbd: ...", "<4>warning: " */
enum xlb_log_style {
	XLB_LOG_PLAIN = 0, /* a command's: the terminal shows when */
	XLB_LOG_STAMPED,   /* a daemon's outside the journal */
	XLB_LOG_JOURNAL,   /* a daemon's into the journal: the priority, no name, no time */
};

void xlb_log_init(const char *prog, enum xlb_log_level level);
/* Whether fd 2 is the journal stream systemd named in JOURNAL_STREAM (dev:inode of fd 2). */
bool xlb_log_to_journal(void);
/* A daemon's style, chosen from fd 2 and the environment as they are now; returns it. */
enum xlb_log_style xlb_log_daemon(void);
void xlb_log(enum xlb_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Route libbpf's messages through xlb_log, one level quieter than libbpf thinks they are. */
void xlb_log_libbpf(void);

#define pr_err(...) xlb_log(XLB_LOG_ERR, __VA_ARGS__)
#define pr_warn(...) xlb_log(XLB_LOG_WARN, __VA_ARGS__)
#define pr_info(...) xlb_log(XLB_LOG_INFO, __VA_ARGS__)
#define pr_debug(...) xlb_log(XLB_LOG_DEBUG, __VA_ARGS__)

#endif /* XLB_LOG_H */
