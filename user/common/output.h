/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xlbctl's two output forms: a text table with aligned columns for people, and a JSON writer for
 * scripts. Both keep their first error and report it at the end, so callers emit cells and values
 * without checking each call.
 */
#ifndef XLB_CTL_OUTPUT_H
#define XLB_CTL_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct xlb_table_col {
	const char *name; /* header, in caps */
	bool right;       /* right-aligned: numbers */
};

struct xlb_table;

/* NULL when out of memory. cols must outlive the table. */
struct xlb_table *xlb_table_new(const struct xlb_table_col *cols, unsigned int n_cols);
/* The next cell, left to right; a row ends after n_cols cells. Control characters become '?'. */
void xlb_table_cell(struct xlb_table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Header, then every row, each column as wide as its widest cell. 0, or the first -errno. */
int xlb_table_print(const struct xlb_table *t, FILE *out);
void xlb_table_free(struct xlb_table *t);

#define XLB_JSON_MAX_DEPTH 32

/* Compact JSON on one line; the caller nests begin/end calls correctly. */
struct xlb_json {
	FILE *out;
	unsigned int depth;
	uint32_t need_comma; /* bit d: the container at depth d already holds a member */
	bool after_key;      /* a key was written; its value needs no comma */
};

void xlb_json_init(struct xlb_json *j, FILE *out);
void xlb_json_object_begin(struct xlb_json *j);
void xlb_json_object_end(struct xlb_json *j);
void xlb_json_array_begin(struct xlb_json *j);
void xlb_json_array_end(struct xlb_json *j);
void xlb_json_key(struct xlb_json *j, const char *key);
/* NULL is written as null; bytes that are not valid UTF-8 become U+FFFD. */
void xlb_json_string(struct xlb_json *j, const char *s);
void xlb_json_uint(struct xlb_json *j, uint64_t v);
void xlb_json_bool(struct xlb_json *j, bool v);
void xlb_json_kv_bool(struct xlb_json *j, const char *key, bool v);
void xlb_json_kv_string(struct xlb_json *j, const char *key, const char *s);
void xlb_json_kv_uint(struct xlb_json *j, const char *key, uint64_t v);
/* End the line. 0, or -errno (-EIO when the stream cannot tell) if anything failed to write. */
int xlb_json_finish(struct xlb_json *j);

#endif /* XLB_CTL_OUTPUT_H */
