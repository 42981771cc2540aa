// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/report.h"
#include "common/output.h"

/* Enough for any command's chain of causes; past it the first ones are what matter. */
#define REPORT_MAX 16

static struct {
	const char *prog;
	bool json;
	char *msgs[REPORT_MAX];
	unsigned int n;
} report = {.prog = "xlbctl"};

void xlb_cli_report_init(const char *prog, bool json)
{
	report.prog = prog;
	report.json = json;
}

void xlb_cli_report_json(bool json)
{
	report.json = json;
}

static void text_line(const char *kind, const char *msg)
{
	fprintf(stderr, "%s: %s%s\n", report.prog, kind, msg);
}

/* An error (kept under --json) or a warning (always said at once). */
static void report_msg(bool warning, const char *fmt, va_list ap)
{
	char *msg;

	if (vasprintf(&msg, fmt, ap) < 0) {
		text_line("", "out of memory writing a message");
		return;
	}
	if (warning || !report.json) {
		text_line(warning ? "warning: " : "", msg);
		free(msg);
	} else if (report.n < REPORT_MAX) {
		report.msgs[report.n++] = msg;
	} else {
		free(msg);
	}
}

void xlb_cli_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_msg(false, fmt, ap);
	va_end(ap);
}

void xlb_cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_msg(true, fmt, ap);
	va_end(ap);
}

int xlb_cli_exit(int code)
{
	struct xlb_json j;
	unsigned int i;

	if (report.json && code) {
		xlb_json_init(&j, stdout);
		xlb_json_object_begin(&j);
		xlb_json_kv_bool(&j, "ok", false);
		/* A failure with nothing said: the exit status is all there is (man xlbctl). */
		xlb_json_kv_string(&j, "error", report.n ? report.msgs[0] : "failed");
		xlb_json_key(&j, "errors");
		xlb_json_array_begin(&j);
		for (i = 0; i < report.n; i++)
			xlb_json_string(&j, report.msgs[i]);
		xlb_json_array_end(&j);
		xlb_json_kv_uint(&j, "exit", code);
		xlb_json_object_end(&j);
		xlb_json_finish(&j);
		fflush(stdout);
	} else {
		for (i = 0; i < report.n; i++)
			text_line("", report.msgs[i]);
	}
	for (i = 0; i < report.n; i++)
		free(report.msgs[i]);
	report.n = 0;
	return code;
}
