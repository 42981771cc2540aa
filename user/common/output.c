// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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

void xlb_json_init(struct xlb_json *j, FILE *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
}

/* Separate this value or key from the previous member of its container. */
static void json_member(struct xlb_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->need_comma & (1u << j->depth))
		fputc(',', j->out);
	j->need_comma |= 1u << j->depth;
}

static void json_open(struct xlb_json *j, char c)
{
	json_member(j);
	fputc(c, j->out);
	if (j->depth + 1 < XLB_JSON_MAX_DEPTH)
		j->depth++;
	j->need_comma &= ~(1u << j->depth);
}

static void json_close(struct xlb_json *j, char c)
{
	if (j->depth)
		j->depth--;
	fputc(c, j->out);
}

void xlb_json_object_begin(struct xlb_json *j)
{
	json_open(j, '{');
}

void xlb_json_object_end(struct xlb_json *j)
{
	json_close(j, '}');
}

void xlb_json_array_begin(struct xlb_json *j)
{
	json_open(j, '[');
}

void xlb_json_array_end(struct xlb_json *j)
{
	json_close(j, ']');
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

static void json_quote(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	fputc('"', out);
	while (*s) {
		switch (*s) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (*s < 0x20) {
				fprintf(out, "\\u%04x", *s);
				break;
			}
			n = utf8_len(s);
			if (!n) {
				fputs("\\ufffd", out);
				break;
			}
			fwrite(s, 1, n, out);
			s += n;
			continue;
		}
		s++;
	}
	fputc('"', out);
}

void xlb_json_key(struct xlb_json *j, const char *key)
{
	json_member(j);
	json_quote(j->out, key);
	fputc(':', j->out);
	j->after_key = true;
}

void xlb_json_string(struct xlb_json *j, const char *s)
{
	json_member(j);
	if (s)
		json_quote(j->out, s);
	else
		fputs("null", j->out);
}

void xlb_json_uint(struct xlb_json *j, uint64_t v)
{
	json_member(j);
	fprintf(j->out, "%" PRIu64, v);
}

void xlb_json_bool(struct xlb_json *j, bool v)
{
	json_member(j);
	fputs(v ? "true" : "false", j->out);
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

int xlb_json_finish(struct xlb_json *j)
{
	fputc('\n', j->out);
	return ferror(j->out) ? -EIO : 0;
}
