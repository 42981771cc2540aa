// SPDX-License-Identifier: GPL-2.0-only
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>

#include "common/prom.h"

static const char *const type_names[] = {
	[XLB_PROM_COUNTER] = "counter",
	[XLB_PROM_GAUGE] = "gauge",
	[XLB_PROM_HISTOGRAM] = "histogram",
};

/* HELP text escapes backslash and newline; a label value also the double quote. */
static void put_escaped(FILE *f, const char *s, int quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == quote)
			fputs("\\\"", f);
		else
			putc(*s, f);
	}
}

/* The shortest decimal that reads back as v (a bucket's le="0.005", not 0.0050000000000000001). */
static void put_double(FILE *f, double v)
{
	char buf[32];
	int prec;

	if (isnan(v)) {
		fputs("NaN", f);
		return;
	}
	if (isinf(v)) {
		fputs(v > 0 ? "+Inf" : "-Inf", f);
		return;
	}
	/* Integers as integers: a weight of 100 is "100", not "1e+02". */
	if (v > -1e15 && v < 1e15 && (double)(int64_t)v == v) {
		fprintf(f, "%lld", (long long)v);
		return;
	}
	for (prec = 1; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	snprintf(buf, sizeof(buf), "%.*g", prec, v);
	fputs(buf, f);
}

void xlb_prom_family(FILE *f, const char *name, enum xlb_prom_type type, const char *help)
{
	fprintf(f, "# HELP %s ", name);
	put_escaped(f, help, 0);
	fprintf(f, "\n# TYPE %s %s\n", name, type_names[type]);
}

/* name{a="x",b="y"[,le="..."]}, and the space before the value; no braces without labels. */
static void put_series(FILE *f, const char *name, const char *suffix, va_list ap,
		       const double *le)
{
	const char *k, *v;
	int n = 0;

	fprintf(f, "%s%s", name, suffix);
	while ((k = va_arg(ap, const char *))) {
		v = va_arg(ap, const char *);
		fprintf(f, "%s%s=\"", n++ ? "," : "{", k);
		put_escaped(f, v ? v : "", '"');
		putc('"', f);
	}
	if (le) {
		fprintf(f, "%sle=\"", n++ ? "," : "{");
		put_double(f, *le);
		putc('"', f);
	}
	fputs(n ? "} " : " ", f);
}

void xlb_prom_uint(FILE *f, const char *name, uint64_t v, ...)
{
	va_list ap;

	va_start(ap, v);
	put_series(f, name, "", ap, NULL);
	va_end(ap);
	fprintf(f, "%llu\n", (unsigned long long)v);
}

void xlb_prom_double(FILE *f, const char *name, double v, ...)
{
	va_list ap;

	va_start(ap, v);
	put_series(f, name, "", ap, NULL);
	va_end(ap);
	put_double(f, v);
	putc('\n', f);
}

void xlb_prom_histogram(FILE *f, const char *name, const double *le, const uint64_t *counts,
			size_t n, double sum, ...)
{
	static const double inf = INFINITY;
	uint64_t cum = 0;
	va_list ap, aq;
	size_t i;

	va_start(ap, sum);
	for (i = 0; i <= n; i++) {
		cum += counts[i];
		va_copy(aq, ap);
		put_series(f, name, "_bucket", aq, i < n ? &le[i] : &inf);
		va_end(aq);
		fprintf(f, "%llu\n", (unsigned long long)cum);
	}
	va_copy(aq, ap);
	put_series(f, name, "_sum", aq, NULL);
	va_end(aq);
	put_double(f, sum);
	putc('\n', f);
	put_series(f, name, "_count", ap, NULL);
	va_end(ap);
	fprintf(f, "%llu\n", (unsigned long long)cum);
}
