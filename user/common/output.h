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

/* Room for xlb_fmt_bytes()'s longest: "1023.9 EiB". */
#define XLB_FMT_BYTES_LEN 16
/*
 * A byte count or rate for people, in binary units with one decimal ("512 B", "1.2 MiB"):
 * tables only; --json keeps the number.
 */
const char *xlb_fmt_bytes(double bytes, char *buf, size_t len);

#define XLB_JSON_MAX_DEPTH 32

struct json_object;

/*
 * Compact JSON on one line, serialized by json-c; the caller nests begin/end calls correctly.
 * Containers outside any array are written as they open and close, their members as they come;
 * each element of such an array is built as a json-c value and written, then freed, when it
 * closes. Memory is one element's, however long the listing (xlbctl conns: 262144 flows).
 */
struct xlb_json_frame {
	struct json_object *obj; /* an element being built; NULL for a container being written */
	char *key;               /* the key given for the next member of this object */
	bool array;
	bool has_member; /* written containers: a member went out, the next one needs a comma */
};

struct xlb_json {
	FILE *out;
	unsigned int depth;    /* open containers; frames[0] is the stream itself */
	unsigned int overflow; /* containers opened past XLB_JSON_MAX_DEPTH, dropped */
	int err;               /* the first failure, reported by xlb_json_finish() */
	struct xlb_json_frame frames[XLB_JSON_MAX_DEPTH + 1];
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
/* Two decimals: a rate, not a counter. */
void xlb_json_double(struct xlb_json *j, double v);
void xlb_json_bool(struct xlb_json *j, bool v);
/* A value json-c already holds (a parsed reply), as it is; NULL is null. */
void xlb_json_value(struct xlb_json *j, struct json_object *v);
void xlb_json_kv_bool(struct xlb_json *j, const char *key, bool v);
void xlb_json_kv_string(struct xlb_json *j, const char *key, const char *s);
void xlb_json_kv_uint(struct xlb_json *j, const char *key, uint64_t v);
void xlb_json_kv_double(struct xlb_json *j, const char *key, double v);
/*
 * End the line and free what is left. 0, or the first -errno: -ENOMEM, -EINVAL for calls that
 * do not nest, -EIO (when the stream cannot tell) if anything failed to write.
 */
int xlb_json_finish(struct xlb_json *j);

#endif /* XLB_CTL_OUTPUT_H */
