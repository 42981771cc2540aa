/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * How xlbctl says what went wrong: every error and warning through here. As text, each is one
 * "xlbctl: message" line on stderr as it happens. Under --json the errors are kept and, when
 * the command fails, written at exit as one object on stdout that a script parses like any
 * other answer: {"ok":false,"error":"<the first>","errors":[...every one...],"exit":N}.
 * Warnings stay on stderr in both forms: the answer on stdout still stands.
 */
#ifndef XLB_CLI_REPORT_H
#define XLB_CLI_REPORT_H

#include <stdbool.h>

/* prog: the prefix of text lines ("xlbctl", "xlbctl decap"); json: --json was given. */
void xlb_cli_report_init(const char *prog, bool json);
void xlb_cli_report_json(bool json);
void xlb_cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void xlb_cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * The process's exit status, code: under --json and code != 0, the errors object goes to stdout
 * first; errors kept by a command that still succeeded go to stderr as text.
 */
int xlb_cli_exit(int code);

#endif /* XLB_CLI_REPORT_H */
