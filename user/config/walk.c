// SPDX-License-Identifier: GPL-2.0-only
/*
 * The walk over libyaml's event stream that every section of the config shares: one event held
 * at a time, positions, the error list, and a mapping read against a section's key table. Errors
 * are collected rather than fatal so that one run of `xlbd --check` shows every mistake; only a
 * YAML syntax error (libyaml cannot resume after one) or running out of memory ends the walk
 * early.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config/keys.h"
#include "config/walk.h"

static struct xlb_cfg_pos xlb_cfg_pos_of(yaml_mark_t m)
{
	return (struct xlb_cfg_pos){ .line = m.line + 1, .col = m.column + 1 };
}

static void __attribute__((format(printf, 3, 0)))
xlb_cfg_verror(struct xlb_cfg_parser *p, struct xlb_cfg_pos at, const char *fmt, va_list ap)
{
	struct xlb_cfg_errors *errs = p->errs;
	struct xlb_cfg_error *e;

	if (p->stop)
		return;
	if (xlb_cfg_grow(p, errs->v, errs->n))
		return;
	e = &errs->v[errs->n++];
	e->pos = at;
	if (errs->n == XLB_CFG_MAX_ERRORS) {
		snprintf(e->msg, sizeof(e->msg), "too many errors, giving up");
		p->stop = -EINVAL;
		return;
	}
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
}

void xlb_cfg_error(struct xlb_cfg_parser *p, struct xlb_cfg_pos at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xlb_cfg_verror(p, at, fmt, ap);
	va_end(ap);
}

int xlb_cfg_reject(struct xlb_cfg_parser *p, struct xlb_cfg_pos at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xlb_cfg_verror(p, at, fmt, ap);
	va_end(ap);
	return p->stop ?: 1;
}

void xlb_cfg_error_once(struct xlb_cfg_parser *p, struct xlb_cfg_pos at, const char *fmt, ...)
{
	const struct xlb_cfg_errors *errs = p->errs;
	char msg[sizeof(errs->v[0].msg)];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (i = 0; i < errs->n; i++)
		if (errs->v[i].pos.line == at.line && errs->v[i].pos.col == at.col &&
		    !strcmp(errs->v[i].msg, msg))
			return;
	xlb_cfg_error(p, at, "%s", msg);
}

/* Reader errors (bad encoding) carry a byte offset, not a mark. */
static struct xlb_cfg_pos xlb_cfg_offset_pos(const struct xlb_cfg_parser *p, size_t off)
{
	struct xlb_cfg_pos at = { 1, 1 };
	size_t i;

	for (i = 0; i < off && i < p->len; i++) {
		if (p->text[i] == '\n') {
			at.line++;
			at.col = 1;
		} else if (((unsigned char)p->text[i] & 0xc0) != 0x80) {
			at.col++;
		}
	}
	return at;
}

static void xlb_cfg_syntax_error(struct xlb_cfg_parser *p)
{
	const yaml_parser_t *yp = &p->yp;
	const char *problem = yp->problem ?: "malformed YAML";
	struct xlb_cfg_pos at;

	if (yp->error == YAML_MEMORY_ERROR) {
		p->stop = -ENOMEM;
		return;
	}
	if (yp->error == YAML_READER_ERROR) {
		at = xlb_cfg_offset_pos(p, yp->problem_offset);
		xlb_cfg_error(p, at, "YAML syntax error: %s", problem);
	} else if (yp->context) {
		at = xlb_cfg_pos_of(yp->problem_mark);
		xlb_cfg_error(p, at, "YAML syntax error: %s (%s at line %zu)", problem, yp->context,
			      yp->context_mark.line + 1);
	} else {
		at = xlb_cfg_pos_of(yp->problem_mark);
		xlb_cfg_error(p, at, "YAML syntax error: %s", problem);
	}
	p->stop = p->stop ?: -EINVAL;
}

/*
 * Move to the next event, freeing the current one: the walk holds one event at a time, so a caller
 * copies what it needs from an event before moving on.
 */
static int xlb_cfg_next(struct xlb_cfg_parser *p)
{
	if (p->stop)
		return p->stop;
	if (p->have_ev) {
		yaml_event_delete(&p->ev);
		p->have_ev = false;
	}
	if (!yaml_parser_parse(&p->yp, &p->ev)) {
		xlb_cfg_syntax_error(p);
		return p->stop;
	}
	p->have_ev = true;
	switch (p->ev.type) {
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		/* Stop the parse right here: libyaml's cost grows with the depth it is asked for. */
		if (++p->depth > XLB_CFG_MAX_DEPTH) {
			xlb_cfg_error(p, xlb_cfg_at(p), "nested deeper than %d levels",
				      XLB_CFG_MAX_DEPTH);
			p->stop = p->stop ?: -EINVAL;
			return p->stop;
		}
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		p->depth--;
		break;
	default:
		break;
	}
	return 0;
}

int xlb_cfg_skip(struct xlb_cfg_parser *p)
{
	int depth = 0;

	for (;;) {
		switch (p->ev.type) {
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			depth++;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		default:
			break;
		}
		if (depth <= 0)
			return 0;
		if (xlb_cfg_next(p))
			return p->stop;
	}
}

/* `key:` with nothing after it, or ~ / null: YAML's null, not an empty string. */
static bool xlb_cfg_is_null(const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;

	return ev->type == YAML_SCALAR_EVENT && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
		!strcmp(s, "NULL"));
}

static const char *xlb_cfg_kind_str(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return xlb_cfg_is_null(ev) ? "an empty value" : "a scalar";
	case YAML_SEQUENCE_START_EVENT:
		return "a list";
	case YAML_MAPPING_START_EVENT:
		return "a mapping";
	case YAML_ALIAS_EVENT:
		return "an alias";
	default:
		return "something else";
	}
}

/* Is the current node of the kind `what` needs? If not, say so at the node. */
static bool xlb_cfg_want(struct xlb_cfg_parser *p, const char *what, enum xlb_cfg_kind kind)
{
	static const char *const kinds[] = {
		[XLB_CFG_SCALAR] = "a scalar",
		[XLB_CFG_LIST] = "a list",
		[XLB_CFG_MAP] = "a mapping",
	};
	static const yaml_event_type_t starts[] = {
		[XLB_CFG_SCALAR] = YAML_SCALAR_EVENT,
		[XLB_CFG_LIST] = YAML_SEQUENCE_START_EVENT,
		[XLB_CFG_MAP] = YAML_MAPPING_START_EVENT,
	};
	struct xlb_cfg_pos at = xlb_cfg_at(p);

	if (kind == XLB_CFG_SCALAR_OR_MAP && p->ev.type == YAML_SEQUENCE_START_EVENT) {
		xlb_cfg_error(p, at, "%s must be a scalar or a mapping, not a list", what);
		return false;
	}
	if (kind == XLB_CFG_SCALAR_OR_MAP)
		kind = p->ev.type == YAML_MAPPING_START_EVENT ? XLB_CFG_MAP : XLB_CFG_SCALAR;
	if (kind == XLB_CFG_MAP_OR_LIST && p->ev.type != YAML_MAPPING_START_EVENT &&
	    p->ev.type != YAML_SEQUENCE_START_EVENT && p->ev.type != YAML_ALIAS_EVENT) {
		xlb_cfg_error(p, at, "%s must be a mapping or a list of mappings, not %s", what,
			      xlb_cfg_kind_str(&p->ev));
		return false;
	}
	if (kind == XLB_CFG_MAP_OR_LIST)
		kind = p->ev.type == YAML_SEQUENCE_START_EVENT ? XLB_CFG_LIST : XLB_CFG_MAP;
	/* An alias would make one node the value of several keys; nothing here needs that. */
	if (p->ev.type == YAML_ALIAS_EVENT) {
		xlb_cfg_error(p, at, "YAML aliases are not supported");
		return false;
	}
	if (kind == XLB_CFG_SCALAR && xlb_cfg_is_null(&p->ev)) {
		xlb_cfg_error(p, at, "missing value for %s", what);
		return false;
	}
	if (p->ev.type != starts[kind]) {
		xlb_cfg_error(p, at, "%s must be %s, not %s", what, kinds[kind],
			      xlb_cfg_kind_str(&p->ev));
		return false;
	}
	/* Every string below is used as a C string; an embedded NUL would silently cut it. */
	if (kind == XLB_CFG_SCALAR && strlen(xlb_cfg_str(p)) != p->ev.data.scalar.length) {
		xlb_cfg_error(p, at, "%s contains a NUL character", what);
		return false;
	}
	return true;
}

static void xlb_cfg_unknown_key(struct xlb_cfg_parser *p, const struct xlb_cfg_section *sec)
{
	char known[256];
	size_t i, off = 0;

	known[0] = '\0';
	for (i = 0; i < sec->n_keys && off < sizeof(known); i++)
		off += snprintf(known + off, sizeof(known) - off, "%s%s", i ? ", " : "",
				sec->keys[i].name);
	xlb_cfg_error(p, xlb_cfg_at(p), "unknown key '%.32s' %s (expected %s)", xlb_cfg_str(p),
		      sec->where, known);
}

int xlb_cfg_walk_map(struct xlb_cfg_parser *p, const struct xlb_cfg_section *sec, void *obj)
{
	struct xlb_cfg_mark seen[XLB_CFG_MAX_KEYS] = {};
	struct xlb_cfg_pos start = xlb_cfg_at(p);
	const struct xlb_cfg_key *k;
	char what[48];
	size_t i;
	int ret;

	for (;;) {
		if (xlb_cfg_next(p))
			return p->stop;
		if (p->ev.type == YAML_MAPPING_END_EVENT)
			break;

		k = NULL;
		if (p->ev.type != YAML_SCALAR_EVENT) {
			xlb_cfg_error(p, xlb_cfg_at(p), "keys must be scalars, not %s",
				      xlb_cfg_kind_str(&p->ev));
			if (xlb_cfg_skip(p))
				return p->stop;
		} else {
			for (i = 0; i < sec->n_keys; i++)
				if (!strcmp(sec->keys[i].name, xlb_cfg_str(p)))
					break;
			if (i == sec->n_keys) {
				xlb_cfg_unknown_key(p, sec);
			} else if (seen[i].at.line) {
				xlb_cfg_error(p, xlb_cfg_at(p),
					      "duplicate key '%s' (first at line %u)",
					      sec->keys[i].name, seen[i].at.line);
			} else {
				k = &sec->keys[i];
				seen[i].at = xlb_cfg_at(p);
			}
		}

		if (xlb_cfg_next(p))
			return p->stop;
		if (k)
			snprintf(what, sizeof(what), "'%s'", k->name);
		if (!k || !xlb_cfg_want(p, what, k->kind)) {
			if (xlb_cfg_skip(p))
				return p->stop;
			continue;
		}
		seen[i].val = xlb_cfg_at(p);
		ret = xlb_cfg_key_value(p, k, obj);
		if (ret < 0)
			return ret;
		seen[i].ok = ret == 0;
	}

	/* At the mapping's start: a missing key has no position of its own. */
	for (i = 0; i < sec->n_keys; i++)
		if (sec->keys[i].required && !seen[i].at.line)
			xlb_cfg_error(p, start, "missing required key '%s' %s", sec->keys[i].name,
				      sec->where);
	return sec->end ? sec->end(p, obj, start, seen) : p->stop;
}

int xlb_cfg_walk_list(struct xlb_cfg_parser *p, const char *key, enum xlb_cfg_kind kind,
		      int (*item)(struct xlb_cfg_parser *p, void *obj), void *obj)
{
	char what[48];
	int n = 0;

	snprintf(what, sizeof(what), "an entry of '%s'", key);
	for (;;) {
		if (xlb_cfg_next(p))
			return p->stop;
		if (p->ev.type == YAML_SEQUENCE_END_EVENT)
			return n;
		n++;
		if (!xlb_cfg_want(p, what, kind)) {
			if (xlb_cfg_skip(p))
				return p->stop;
			continue;
		}
		if (item(p, obj) < 0)
			return p->stop;
	}
}

int xlb_cfg_walk(struct xlb_cfg_parser *p, const struct xlb_cfg_section *top)
{
	if (xlb_cfg_next(p) || xlb_cfg_next(p))
		return p->stop;
	if (p->ev.type == YAML_STREAM_END_EVENT) {
		/* Not at stream-end, which comes after any comments: the whole file is at fault. */
		xlb_cfg_error(p, (struct xlb_cfg_pos){ 1, 1 }, "config is empty");
		return p->stop;
	}
	if (xlb_cfg_next(p))
		return p->stop;
	if (p->ev.type == YAML_SCALAR_EVENT && xlb_cfg_is_null(&p->ev)) {
		xlb_cfg_error(p, xlb_cfg_at(p), "config is empty");
	} else if (p->ev.type != YAML_MAPPING_START_EVENT) {
		xlb_cfg_error(p, xlb_cfg_at(p), "top level must be a mapping, not %s",
			      xlb_cfg_kind_str(&p->ev));
		if (xlb_cfg_skip(p))
			return p->stop;
	} else if (xlb_cfg_walk_map(p, top, p->cfg)) {
		return p->stop;
	}
	/* document-end, then stream-end or another document. */
	if (xlb_cfg_next(p) || xlb_cfg_next(p))
		return p->stop;
	if (p->ev.type == YAML_DOCUMENT_START_EVENT)
		xlb_cfg_error(p, xlb_cfg_at(p), "only one YAML document is allowed");
	return p->stop;
}

void xlb_cfg_errors_sort(struct xlb_cfg_errors *errs)
{
	struct xlb_cfg_error e;
	size_t i, j;

	for (i = 1; i < errs->n; i++) {
		e = errs->v[i];
		for (j = i; j > 0; j--) {
			const struct xlb_cfg_pos *q = &errs->v[j - 1].pos;

			if (q->line < e.pos.line || (q->line == e.pos.line && q->col <= e.pos.col))
				break;
			errs->v[j] = errs->v[j - 1];
		}
		errs->v[j] = e;
	}
}
