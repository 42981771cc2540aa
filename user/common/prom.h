/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Prometheus' text exposition format, version 0.0.4: a metric family (HELP, TYPE) and then its
 * samples, each with label pairs. A family's samples follow its header before the next family
 * begins: the format groups them, and promtool refuses a family written twice. Labels are given
 * as name, value pairs ending in NULL; names are the caller's constants, values are escaped.
 * Writes go to a stdio stream (a memory one per scrape); its error flag says if one failed.
 */
#ifndef XLB_PROM_H
#define XLB_PROM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The Content-Type of what these functions write. */
#define XLB_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

enum xlb_prom_type {
	XLB_PROM_COUNTER,
	XLB_PROM_GAUGE,
	XLB_PROM_HISTOGRAM,
};

/* "# HELP name help" (help escaped) and "# TYPE name type". */
void xlb_prom_family(FILE *f, const char *name, enum xlb_prom_type type, const char *help);

/* One sample: name{label="value",...} v. */
void xlb_prom_uint(FILE *f, const char *name, uint64_t v, ...) __attribute__((sentinel));
void xlb_prom_double(FILE *f, const char *name, double v, ...) __attribute__((sentinel));

/*
 * One histogram's samples (after xlb_prom_family(name, XLB_PROM_HISTOGRAM)): n upper bounds le[]
 * in ascending order and counts[] of n + 1 observations per bucket, not cumulative, the last
 * above le[n - 1]. Written as name_bucket{...,le="..."} cumulative up to le="+Inf", name_sum
 * and name_count.
 */
void xlb_prom_histogram(FILE *f, const char *name, const double *le, const uint64_t *counts,
			size_t n, double sum, ...) __attribute__((sentinel));

#endif /* XLB_PROM_H */
