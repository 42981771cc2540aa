/* SPDX-License-Identifier: GPL-2.0-only */
/* The importer's YAML: scalars written plain when safe, double-quoted otherwise. */
#ifndef XLB_IMPORT_YAML_OUT_H
#define XLB_IMPORT_YAML_OUT_H

#include <stdio.h>

/* Write s as a YAML scalar: plain if it cannot be read as anything else, else quoted. */
void xlb_yo_scalar(FILE *f, const char *s);
/* "  key: value\n" at indent spaces. */
void xlb_yo_kv(FILE *f, int indent, const char *key, const char *value);

#endif /* XLB_IMPORT_YAML_OUT_H */
