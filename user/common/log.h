/* SPDX-License-Identifier: GPL-2.0-only */
/* Logging for xlbd and xlbctl: one line per event on stderr, prefixed with the program's name. */
#ifndef XLB_LOG_H
#define XLB_LOG_H

enum xlb_log_level {
	XLB_LOG_ERR = 0,
	XLB_LOG_WARN,
	XLB_LOG_INFO,
	XLB_LOG_DEBUG,
};

void xlb_log_init(const char *prog, enum xlb_log_level level);
void xlb_log(enum xlb_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Route libbpf's messages through xlb_log, one level quieter than libbpf thinks they are. */
void xlb_log_libbpf(void);

#define pr_err(...) xlb_log(XLB_LOG_ERR, __VA_ARGS__)
#define pr_warn(...) xlb_log(XLB_LOG_WARN, __VA_ARGS__)
#define pr_info(...) xlb_log(XLB_LOG_INFO, __VA_ARGS__)
#define pr_debug(...) xlb_log(XLB_LOG_DEBUG, __VA_ARGS__)

#endif /* XLB_LOG_H */
