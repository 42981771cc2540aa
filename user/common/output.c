// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/output.h"

struct xlb_table {
	const struct xlb_table_col *cols;
	unsigned int n_cols;
	char **cells; /* row-major, n_cells of cap */
	size_t n_cells;
	size_t cap;
	int err; /* first failure, reported by xlb_table_print() */
};

struct xlb_table *xlb_table_new(const struct xlb_table_col *cols, unsigned int n_cols)
{
	struct xlb_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->cols = cols;
	t->n_cols = n_cols;
	return t;
}

void xlb_table_cell(struct xlb_table *t, const char *fmt, ...)
{
	va_list ap;
	char *s, *p;
	int n;

	if (t->err)
		return;
	if (t->n_cells == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char **cells = realloc(t->cells, cap * sizeof(*cells));

		if (!cells) {
			t->err = -ENOMEM;
			return;
		}
		t->cells = cells;
		t->cap = cap;
	}
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		t->err = -ENOMEM;
		return;
	}
	/* A name with a newline or an escape sequence must not break the rows or the terminal. */
	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	t->cells[t->n_cells++] = s;
}

/* Terminal columns, near enough: one per UTF-8 sequence. */
static size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static void print_padded(FILE *out, const char *s, size_t width, bool right, bool last)
{
	size_t pad = width - text_width(s);

	if (right)
		fprintf(out, "%*s", (int)pad, "");
	fputs(s, out);
	/* No trailing blanks at the end of a line: diffs and copy-paste stay clean. */
	if (!right && !last)
		fprintf(out, "%*s", (int)pad, "");
}

int xlb_table_print(const struct xlb_table *t, FILE *out)
{
	size_t *width, i;
	unsigned int c;

	if (t->err)
		return t->err;
	width = calloc(t->n_cols, sizeof(*width));
	if (!width)
		return -ENOMEM;
	for (c = 0; c < t->n_cols; c++)
		width[c] = text_width(t->cols[c].name);
	for (i = 0; i < t->n_cells; i++) {
		size_t w = text_width(t->cells[i]);

		if (w > width[i % t->n_cols])
			width[i % t->n_cols] = w;
	}
	for (c = 0; c < t->n_cols; c++) {
		print_padded(out, t->cols[c].name, width[c], t->cols[c].right, c + 1 == t->n_cols);
		fputs(c + 1 == t->n_cols ? "\n" : "  ", out);
	}
	for (i = 0; i < t->n_cells; i++) {
		c = i % t->n_cols;
		print_padded(out, t->cells[i], width[c], t->cols[c].right, c + 1 == t->n_cols);
		fputs(c + 1 == t->n_cols || i + 1 == t->n_cells ? "\n" : "  ", out);
	}
	free(width);
	return ferror(out) ? -EIO : 0;
}

void xlb_table_free(struct xlb_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n_cells; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

const char *xlb_fmt_bytes(double bytes, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned int u = 0;

	if (bytes < 1024) {
		snprintf(buf, len, "%.0f B", bytes);
		return buf;
	}
	bytes /= 1024;
	/* Rounded to one decimal, 1023.96 would read 1024.0 KiB: the next unit up it is. */
	while (bytes >= 1023.95 && u + 1 < sizeof(units) / sizeof(units[0])) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f %s", bytes, units[u]);
	return buf;
}

/* What json-c is told: one line, and "/" as it is ("\/" is legal JSON but nobody's habit). */
#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static void json_fail(struct xlb_json *j, int err)
{
	if (!j->err)
		j->err = err;
}

void xlb_json_init(struct xlb_json *j, FILE *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
}

static struct xlb_json_frame *json_top(struct xlb_json *j)
{
	return &j->frames[j->depth];
}

/* Write v (any json-c value, NULL for null) as text; v stays the caller's. */
static void json_write(struct xlb_json *j, struct json_object *v)
{
	const char *s = json_object_to_json_string_ext(v, JSON_FLAGS);

	if (!s)
		json_fail(j, -ENOMEM);
	else
		fputs(s, j->out);
}

/*
 * Before a member of a container being written: the comma, and in an object the key. The
 * stream itself (depth 0) holds one value and no key.
 */
static void json_write_lead(struct xlb_json *j)
{
	struct xlb_json_frame *f = json_top(j);
	struct json_object *key;

	if (f->has_member)
		fputc(',', j->out);
	f->has_member = true;
	if (!j->depth || f->array)
		return;
	if (!f->key) {
		json_fail(j, -EINVAL);
		return;
	}
	key = json_object_new_string(f->key);
	if (!key)
		json_fail(j, -ENOMEM);
	json_write(j, key);
	json_object_put(key);
	fputc(':', j->out);
	free(f->key);
	f->key = NULL;
}

/* A complete value (owned: written or handed to the element being built) in the open container. */
static void json_add(struct xlb_json *j, struct json_object *v)
{
	struct xlb_json_frame *f = json_top(j);
	int err;

	if (j->overflow) {
		json_object_put(v);
		return;
	}
	if (!f->obj) {
		json_write_lead(j);
		json_write(j, v);
		json_object_put(v);
		return;
	}
	if (f->array) {
		err = json_object_array_add(f->obj, v);
	} else if (!f->key) {
		err = -EINVAL;
	} else {
		err = json_object_object_add(f->obj, f->key, v);
		free(f->key);
		f->key = NULL;
	}
	if (err) {
		json_fail(j, err == -EINVAL ? err : -ENOMEM);
		json_object_put(v);
	}
}

/* A new value that json-c could not allocate is a failure, not a null. */
static void json_add_new(struct xlb_json *j, struct json_object *v)
{
	if (!v)
		json_fail(j, -ENOMEM);
	else
		json_add(j, v);
}

static void json_open(struct xlb_json *j, bool array)
{
	struct xlb_json_frame *parent = json_top(j), *f;

	if (j->overflow || j->depth == XLB_JSON_MAX_DEPTH) {
		json_fail(j, -EINVAL);
		j->overflow++;
		return;
	}
	/* An element of an array, or a part of one, is built; anything above it is written. */
	if (parent->obj || (j->depth && parent->array)) {
		struct json_object *obj = array ? json_object_new_array() : json_object_new_object();

		if (!obj) {
			json_fail(j, -ENOMEM);
			j->overflow++;
			return;
		}
		f = &j->frames[++j->depth];
		memset(f, 0, sizeof(*f));
		f->obj = obj;
	} else {
		json_write_lead(j);
		fputc(array ? '[' : '{', j->out);
		f = &j->frames[++j->depth];
		memset(f, 0, sizeof(*f));
	}
	f->array = array;
}

static void json_close(struct xlb_json *j, bool array)
{
	struct xlb_json_frame *f = json_top(j);
	struct json_object *obj;

	if (j->overflow) {
		j->overflow--;
		return;
	}
	if (!j->depth || f->array != array) {
		json_fail(j, -EINVAL);
		return;
	}
	if (f->key)
		json_fail(j, -EINVAL); /* a key with no value */
	free(f->key);
	f->key = NULL;
	obj = f->obj;
	j->depth--;
	if (obj)
		json_add(j, obj);
	else
		fputc(array ? ']' : '}', j->out);
}

void xlb_json_object_begin(struct xlb_json *j)
{
	json_open(j, false);
}

void xlb_json_object_end(struct xlb_json *j)
{
	json_close(j, false);
}

void xlb_json_array_begin(struct xlb_json *j)
{
	json_open(j, true);
}

void xlb_json_array_end(struct xlb_json *j)
{
	json_close(j, true);
}

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, no surrogates), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	/* A NUL fails this test too, so the walk never runs past the end of the string. */
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/*
 * A copy of str (malloc'd) that is valid UTF-8. json-c escapes quotes and control characters
 * but copies other bytes as they are, so a name that is not UTF-8 would make the whole line
 * invalid JSON: each byte of a bad sequence becomes U+FFFD.
 */
static char *utf8_clean(const char *str)
{
	static const char fffd[] = "\xef\xbf\xbd";
	const unsigned char *s = (const unsigned char *)str;
	size_t n, len = 0;
	char *clean;

	for (; *s; s += n) {
		n = utf8_len(s);
		if (!n)
			break;
	}
	if (!*s)
		return strdup(str);
	clean = malloc(strlen(str) * 3 + 1);
	if (!clean)
		return NULL;
	for (s = (const unsigned char *)str; *s; s += n) {
		n = utf8_len(s);
		if (n) {
			memcpy(clean + len, s, n);
			len += n;
		} else {
			memcpy(clean + len, fffd, 3);
			len += 3;
			n = 1;
		}
	}
	clean[len] = '\0';
	return clean;
}

void xlb_json_key(struct xlb_json *j, const char *key)
{
	struct xlb_json_frame *f = json_top(j);

	if (j->overflow)
		return;
	if (!j->depth || f->array || f->key) {
		json_fail(j, -EINVAL);
		return;
	}
	f->key = utf8_clean(key);
	if (!f->key)
		json_fail(j, -ENOMEM);
}

void xlb_json_string(struct xlb_json *j, const char *s)
{
	char *clean;

	if (!s) {
		json_add(j, NULL);
		return;
	}
	clean = utf8_clean(s);
	if (!clean) {
		json_fail(j, -ENOMEM);
		return;
	}
	json_add_new(j, json_object_new_string(clean));
	free(clean);
}

void xlb_json_uint(struct xlb_json *j, uint64_t v)
{
	json_add_new(j, json_object_new_uint64(v));
}

void xlb_json_double(struct xlb_json *j, double v)
{
	char text[64];

	/* json-c's own "%.17g" writes 0.1 as 0.10000000000000001. */
	snprintf(text, sizeof(text), "%.2f", v);
	json_add_new(j, json_object_new_double_s(v, text));
}

void xlb_json_bool(struct xlb_json *j, bool v)
{
	json_add_new(j, json_object_new_boolean(v));
}

void xlb_json_value(struct xlb_json *j, struct json_object *v)
{
	/* A reference of ours: the caller's value stays the caller's to put. */
	json_add(j, json_object_get(v));
}

void xlb_json_kv_bool(struct xlb_json *j, const char *key, bool v)
{
	xlb_json_key(j, key);
	xlb_json_bool(j, v);
}

void xlb_json_kv_string(struct xlb_json *j, const char *key, const char *s)
{
	xlb_json_key(j, key);
	xlb_json_string(j, s);
}

void xlb_json_kv_uint(struct xlb_json *j, const char *key, uint64_t v)
{
	xlb_json_key(j, key);
	xlb_json_uint(j, v);
}

void xlb_json_kv_double(struct xlb_json *j, const char *key, double v)
{
	xlb_json_key(j, key);
	xlb_json_double(j, v);
}

int xlb_json_finish(struct xlb_json *j)
{
	/* Containers left open (a caller that gave up half-way): freed, and said. */
	if (j->depth || j->overflow)
		json_fail(j, -EINVAL);
	for (; j->depth; j->depth--) {
		json_object_put(j->frames[j->depth].obj);
		free(j->frames[j->depth].key);
	}
	fputc('\n', j->out);
	if (ferror(j->out))
		json_fail(j, -EIO);
	return j->err;
}
