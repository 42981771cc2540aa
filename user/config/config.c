// SPDX-License-Identifier: GPL-2.0-only
/*
 * xlbd's config parser. libyaml's event stream is walked by hand: every mapping is read against a
 * small table of keys for its section and validated when it ends, so checks that span keys (a
 * backend's family against its VIP's, defaults, duplicates) run once everything they need is known,
 * whatever order the keys came in. Errors are collected rather than fatal so that one run of
 * `xlbd --check` shows every mistake; only a YAML syntax error (libyaml cannot resume after one)
 * or running out of memory ends the walk early.
 *
 * Health checks are the one section read in two layers: a VIP's `health` gives defaults and a
 * backend's overrides them key by key. Both are kept as written, with where each key was, until
 * the VIP ends; then each backend's check is merged and validated, and a mistake is reported
 * where it was written, once, however many backends inherit it.
 *
 * One check spans sections: a VRRP track may name a VIP written anywhere in the file, so it runs
 * when the top level ends.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <yaml.h>

#include "common/names.h"
#include "config/config.h"
#include "dispatch/fwd.h"
#include "dispatch/maglev.h"
#include "dispatch/sched.h"

#define XLB_CFG_MAX_KEYS 14		/* keys in the largest section (vrrp) */
#define XLB_CFG_MAX_ERRORS 100		/* past this the rest is noise from the same mistake */
#define XLB_CFG_MAX_FILE (16 << 20)	/* a config this big is a wrong path, not a config */
/*
 * Open collections at once; a config needs 6. libyaml keeps a possible simple key per open
 * flow level and rescans them on every token, so 40k '[' took seconds, on the loop.
 */
#define XLB_CFG_MAX_DEPTH 64
#define XLB_CFG_DEFAULT_WEIGHT 100

#define XLB_CFG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A value's position and whether it was accepted, kept for checks that compare items. */
struct xlb_cfg_mark {
	struct xlb_cfg_pos at;
	bool ok;
};

/* A health mapping's keys, in the order of their XLB_HC_SET_* bits: key i is bit 1 << i. */
enum {
	XLB_CFG_HC_TYPE,
	XLB_CFG_HC_PORT,
	XLB_CFG_HC_INTERVAL,
	XLB_CFG_HC_TIMEOUT,
	XLB_CFG_HC_RISE,
	XLB_CFG_HC_FALL,
	XLB_CFG_HC_PATH,
	XLB_CFG_HC_STATUS,
	XLB_CFG_HC_BODY,
	XLB_CFG_HC_PAYLOAD,
	XLB_CFG_HC_EXPECT,
	XLB_CFG_HC_COMMAND,
	XLB_CFG_HC_N_KEYS,
};
_Static_assert(XLB_HC_SET_TYPE == 1u << XLB_CFG_HC_TYPE &&
		       XLB_HC_SET_PORT == 1u << XLB_CFG_HC_PORT &&
		       XLB_HC_SET_INTERVAL == 1u << XLB_CFG_HC_INTERVAL &&
		       XLB_HC_SET_TIMEOUT == 1u << XLB_CFG_HC_TIMEOUT &&
		       XLB_HC_SET_RISE == 1u << XLB_CFG_HC_RISE &&
		       XLB_HC_SET_FALL == 1u << XLB_CFG_HC_FALL &&
		       XLB_HC_SET_PATH == 1u << XLB_CFG_HC_PATH &&
		       XLB_HC_SET_STATUS == 1u << XLB_CFG_HC_STATUS &&
		       XLB_HC_SET_BODY == 1u << XLB_CFG_HC_BODY &&
		       XLB_HC_SET_PAYLOAD == 1u << XLB_CFG_HC_PAYLOAD &&
		       XLB_HC_SET_EXPECT == 1u << XLB_CFG_HC_EXPECT &&
		       XLB_HC_SET_COMMAND == 1u << XLB_CFG_HC_COMMAND,
	       "health keys out of step with XLB_HC_SET_*");

/* Where one health mapping's keys were, for the checks that run once it is merged. */
struct xlb_cfg_hc_marks {
	struct xlb_cfg_pos key[XLB_CFG_HC_N_KEYS]; /* line 0: not given */
	struct xlb_cfg_pos val[XLB_CFG_HC_N_KEYS];
	uint32_t bad; /* XLB_HC_SET_* given but rejected: checks that need them are skipped */
};

struct xlb_cfg_parser {
	yaml_parser_t yp;
	yaml_event_t ev;		/* the current event; the walk holds exactly one */
	bool have_ev;
	const char *text;		/* for positions of reader (encoding) errors */
	size_t len;
	struct xlb_config *cfg;
	struct xlb_cfg_errors *errs;
	int stop;			/* -EINVAL (syntax error, too many errors), -ENOMEM */
	unsigned int depth;		/* collections open at the current event */
	struct xlb_cfg_mark *if_name;	/* parallel to cfg->ifaces: the name value */
	struct xlb_cfg_mark *vip_addr;	/* parallel to cfg->vips: address; ok = whole key valid */
	struct xlb_cfg_mark *vip_name;	/* parallel to cfg->vips: name (address if defaulted) */
	struct xlb_cfg_vip *vip;	/* the VIP whose backends are being read */
	struct xlb_cfg_mark *be_addr;	/* parallel to vip->backends: the address value */
	struct xlb_cfg_hc_marks *be_hc;	/* parallel to vip->backends: their health mappings */
	struct xlb_cfg_hc_marks vip_hc;	/* the current VIP's health mapping */
	struct xlb_cfg_hc_marks *hc;	/* the health mapping being read */
	struct xlb_cfg_mark fallback;	/* the current VIP's fallback value */
	size_t n_backends;		/* over all VIPs, fallbacks too: ids share one map */
	struct xlb_cfg_pos *peer_at;	/* parallel to cfg->vrrp.unicast_peers */
	struct xlb_cfg_mark *track_at;	/* parallel to cfg->vrrp.tracks: its interface or vip
					 * value; ok = the track is whole */
	struct xlb_cfg_pos sync_peer_at; /* the sync peer value */
};

enum xlb_cfg_kind {
	XLB_CFG_SCALAR,
	XLB_CFG_LIST,
	XLB_CFG_MAP,
};

struct xlb_cfg_key {
	const char *name;
	enum xlb_cfg_kind kind;
	bool required;
	/*
	 * Consume the value node at the current event, leaving its last event current. Returns 0
	 * when the value was taken, 1 when it was rejected (error recorded), or p->stop.
	 */
	int (*parse)(struct xlb_cfg_parser *p, void *obj);
};

struct xlb_cfg_section {
	const char *where; /* "in vip", as messages say it */
	const struct xlb_cfg_key *keys;
	size_t n_keys;
	/* Cross-key checks and defaults; seen[i]: where keys[i] was, and whether it was taken. */
	int (*end)(struct xlb_cfg_parser *p, void *obj, struct xlb_cfg_pos start,
		   const struct xlb_cfg_mark *seen);
};

/* A word a scalar may hold, and what it means. */
struct xlb_cfg_word {
	const char *word;
	int val;
};

#define XLB_CFG_NOT_YET (-2) /* a value xlb knows but does not implement yet */

/*
 * Make room for element n of a growing array. The capacity doubles each time n reaches a power of
 * two, so it follows from n and needs no field of its own (n = 0 restarts an array at one slot).
 */
#define xlb_cfg_grow(p, arr, n)                                                          \
	({                                                                               \
		size_t __n = (n);                                                        \
		typeof(arr) __a = (arr);                                                 \
		if (!(__n & (__n - 1))) {                                                \
			__a = reallocarray((arr), __n ? 2 * __n : 1, sizeof(*(arr)));    \
			if (__a)                                                         \
				(arr) = __a;                                             \
			else                                                             \
				(p)->stop = -ENOMEM;                                     \
		}                                                                        \
		__a ? 0 : -ENOMEM;                                                       \
	})

static struct xlb_cfg_pos xlb_cfg_pos_of(yaml_mark_t m)
{
	return (struct xlb_cfg_pos){ .line = m.line + 1, .col = m.column + 1 };
}

static struct xlb_cfg_pos xlb_cfg_at(const struct xlb_cfg_parser *p)
{
	return xlb_cfg_pos_of(p->ev.start_mark);
}

static const char *xlb_cfg_str(const struct xlb_cfg_parser *p)
{
	return (const char *)p->ev.data.scalar.value;
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

static void __attribute__((format(printf, 3, 4)))
xlb_cfg_error(struct xlb_cfg_parser *p, struct xlb_cfg_pos at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xlb_cfg_verror(p, at, fmt, ap);
	va_end(ap);
}

/* Record an error against a value and tell the walk the value was not taken. */
static int __attribute__((format(printf, 3, 4)))
xlb_cfg_reject(struct xlb_cfg_parser *p, struct xlb_cfg_pos at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xlb_cfg_verror(p, at, fmt, ap);
	va_end(ap);
	return p->stop ?: 1;
}

/*
 * Like xlb_cfg_error(), but not again at a position that already has this message: a VIP's
 * health is checked once for itself and again in every backend that inherits it.
 */
static void __attribute__((format(printf, 3, 4)))
xlb_cfg_error_once(struct xlb_cfg_parser *p, struct xlb_cfg_pos at, const char *fmt, ...)
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

/* Step over the node starting at the current event, leaving its last event current. */
static int xlb_cfg_skip(struct xlb_cfg_parser *p)
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
	char known[192];
	size_t i, off = 0;

	known[0] = '\0';
	for (i = 0; i < sec->n_keys && off < sizeof(known); i++)
		off += snprintf(known + off, sizeof(known) - off, "%s%s", i ? ", " : "",
				sec->keys[i].name);
	xlb_cfg_error(p, xlb_cfg_at(p), "unknown key '%.32s' %s (expected %s)", xlb_cfg_str(p),
		      sec->where, known);
}

/*
 * Read the mapping starting at the current event against sec's keys, then run sec->end. Unknown,
 * duplicate and ill-kinded keys are reported and stepped over so the rest of the mapping is still
 * checked.
 */
static int xlb_cfg_walk_map(struct xlb_cfg_parser *p, const struct xlb_cfg_section *sec, void *obj)
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
		ret = k->parse(p, obj);
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

/*
 * Read the list starting at the current event, handing each entry, which must be of `kind`
 * (a mapping, or a scalar), to item(). Returns the number of entries, or p->stop.
 */
static int xlb_cfg_walk_list(struct xlb_cfg_parser *p, const char *key, enum xlb_cfg_kind kind,
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

static int xlb_cfg_lookup(const struct xlb_cfg_word *w, const char *s)
{
	for (; w->word; w++)
		if (!strcasecmp(w->word, s))
			return w->val;
	return -1;
}

/*
 * Decimal only. YAML 1.1 readers take 010 as octal and 0x10 as hex, and strtoul() would take
 * " 10" or "10abc"; refusing everything else means every tool reads the same number.
 * Returns 0, -EINVAL (not a decimal integer) or -ERANGE.
 */
static int xlb_cfg_uint(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	const char *d;

	if (s[0] == '-' && s[1]) {
		for (d = s + 1; *d >= '0' && *d <= '9'; d++)
			;
		return *d ? -EINVAL : -ERANGE;
	}
	if (!*s || (s[0] == '0' && s[1]))
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (*s - '0');
		/* Checked every digit, so v never gets near overflowing. */
		if (v > max)
			return -ERANGE;
	}
	if (v < min)
		return -ERANGE;
	*out = v;
	return 0;
}

/* Parse an integer value of key `what` in [min, max], reporting at the value. */
static int xlb_cfg_int_val(struct xlb_cfg_parser *p, const char *what, uint32_t min, uint32_t max,
			   uint32_t *out)
{
	const char *s = xlb_cfg_str(p);
	int err = xlb_cfg_uint(s, min, max, out);

	if (err == -EINVAL)
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "%s '%.32s' is not a decimal integer (expected %u..%u)",
				      what, s, min, max);
	if (err)
		return xlb_cfg_reject(p, xlb_cfg_at(p), "%s %.32s is out of range (%u..%u)",
				      what, s, min, max);
	return 0;
}

/* Copy the string value of key `what` into buf, refusing one that does not fit. */
static int xlb_cfg_text_val(struct xlb_cfg_parser *p, const char *what, char *buf, size_t size)
{
	const char *s = xlb_cfg_str(p);
	size_t len = strlen(s);

	if (len >= size)
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "%s '%.32s...' is longer than %zu characters", what, s,
				      size - 1);
	memcpy(buf, s, len + 1);
	return 0;
}

/*
 * true or false, in any case. YAML 1.1's yes/no/on/off are refused: other YAML 1.2 readers take
 * them as strings, and one config should not mean two things.
 */
static int xlb_cfg_bool_val(struct xlb_cfg_parser *p, const char *what, bool *out)
{
	const char *s = xlb_cfg_str(p);

	if (!strcasecmp(s, "true"))
		*out = true;
	else if (!strcasecmp(s, "false"))
		*out = false;
	else
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "%s '%.32s' is not a boolean (expected true or false)", what,
				      s);
	return 0;
}

/* A file xlbd opens: absolute (xlbd may chdir, xlbctl runs from anywhere), not a directory. */
static int xlb_cfg_abs_path_val(struct xlb_cfg_parser *p, const char *what, char *buf,
				size_t size)
{
	const char *s = xlb_cfg_str(p);

	if (s[0] != '/')
		return xlb_cfg_reject(p, xlb_cfg_at(p), "%s '%.48s' must be an absolute path", what,
				      s);
	if (s[strlen(s) - 1] == '/')
		return xlb_cfg_reject(p, xlb_cfg_at(p), "%s '%.48s' names a directory", what, s);
	return xlb_cfg_text_val(p, what, buf, size);
}

/* A command for /bin/sh -c. */
static int xlb_cfg_command_val(struct xlb_cfg_parser *p, const char *what, char *buf, size_t size)
{
	if (!*xlb_cfg_str(p))
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "%s must not be empty (leave it out for none)", what);
	return xlb_cfg_text_val(p, what, buf, size);
}

/* How messages say a duration: in the largest unit that divides it. */
static const char *xlb_cfg_ms_str(uint32_t ms, char *buf, size_t len)
{
	if (ms && !(ms % 60000))
		snprintf(buf, len, "%um", ms / 60000);
	else if (ms && !(ms % 1000))
		snprintf(buf, len, "%us", ms / 1000);
	else
		snprintf(buf, len, "%ums", ms);
	return buf;
}

/*
 * A duration of key `what` in [min, max] ms: a number and a unit, ms, s or m ("100ms", "2s",
 * "1m"), the number written as xlb_cfg_uint() wants it plus an optional fraction ("1.5s") that
 * must come to whole milliseconds. A bare number is refused rather than guessed at: keepalived's
 * delays are seconds, Go's durations nanoseconds.
 */
static int xlb_cfg_duration_val(struct xlb_cfg_parser *p, const char *what, uint32_t min,
				uint32_t max, uint32_t *out)
{
	static const struct {
		const char *unit;
		uint32_t ms;
	} units[] = { { "ms", 1 }, { "s", 1000 }, { "m", 60000 } };
	const char *s = xlb_cfg_str(p), *c = s;
	struct xlb_cfg_pos at = xlb_cfg_at(p);
	uint64_t whole = 0, frac = 0, scale = 1, ms;
	char lo[16], hi[16];
	size_t i;

	if (*c < '0' || *c > '9' || (c[0] == '0' && c[1] >= '0' && c[1] <= '9'))
		goto bad;
	for (; *c >= '0' && *c <= '9'; c++)
		if (whole <= max) /* past max it is out of range whatever follows */
			whole = whole * 10 + (*c - '0');
	if (*c == '.') {
		if (*++c < '0' || *c > '9')
			goto bad;
		/* Six places are finer than a millisecond in any unit; more is a typo. */
		for (; *c >= '0' && *c <= '9'; c++) {
			if (scale == 1000000)
				goto bad;
			frac = frac * 10 + (*c - '0');
			scale *= 10;
		}
	}
	if (!*c)
		return xlb_cfg_reject(p, at, "duration '%.32s' needs a unit (ms, s, m)", s);
	for (i = 0; i < XLB_CFG_ARRAY_SIZE(units) && strcmp(units[i].unit, c); i++)
		;
	if (i == XLB_CFG_ARRAY_SIZE(units)) {
		if (strspn(c, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(c))
			goto bad;
		return xlb_cfg_reject(p, at,
				      "duration '%.32s' has an unknown unit '%.8s' "
				      "(expected ms, s or m)",
				      s, c);
	}
	ms = (whole * scale + frac) * units[i].ms;
	if (ms % scale)
		return xlb_cfg_reject(p, at, "duration '%.32s' is finer than 1ms", s);
	ms /= scale;
	if (ms < min || ms > max)
		return xlb_cfg_reject(p, at, "%s %.32s is out of range (%s..%s)", what, s,
				      xlb_cfg_ms_str(min, lo, sizeof(lo)),
				      xlb_cfg_ms_str(max, hi, sizeof(hi)));
	*out = ms;
	return 0;
bad:
	return xlb_cfg_reject(p, at, "%s '%.32s' is not a duration (like 100ms, 2s, 1.5s or 1m)",
			      what, s);
}

static bool xlb_addr_eq(const struct xlb_addr *a, const struct xlb_addr *b)
{
	return a->family == b->family && !memcmp(a->w, b->w, sizeof(a->w));
}

/*
 * Addresses that parse but can never be a VIP or a real server: traffic to them is not unicast
 * to one host, and an IPv4-mapped IPv6 address never appears on the wire as such.
 */
static const char *xlb_cfg_addr_unusable(const struct xlb_addr *a)
{
	const uint8_t *b = (const uint8_t *)a->w;
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (a->family == XLB_FAMILY_V4) {
		if (!a->w[0])
			return "is unspecified";
		if (b[0] >= 224 && b[0] <= 239)
			return "is multicast";
		if (a->w[0] == 0xffffffff)
			return "is broadcast";
		return NULL;
	}
	if (!a->w[0] && !a->w[1] && !a->w[2] && !a->w[3])
		return "is unspecified";
	if (b[0] == 0xff)
		return "is multicast";
	if (!memcmp(b, mapped, sizeof(mapped)))
		return "is IPv4-mapped; write the IPv4 address";
	return NULL;
}

static int xlb_cfg_addr_val(struct xlb_cfg_parser *p, struct xlb_addr *out)
{
	const char *s = xlb_cfg_str(p);
	const char *why;
	char buf[INET6_ADDRSTRLEN];

	if (xlb_addr_parse(s, out))
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "bad address '%.48s': not an IPv4 or IPv6 address", s);
	why = xlb_cfg_addr_unusable(out);
	if (why)
		return xlb_cfg_reject(p, xlb_cfg_at(p), "address %s %s",
				      xlb_addr_str(out, buf, sizeof(buf)), why);
	return 0;
}

/* "203.0.113.100:80/tcp", "[2001:db8::100]:443/udp": the default name, and how messages say it. */
static const char *xlb_cfg_vip_str(const struct xlb_cfg_vip *vip, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], pn[XLB_PROTO_NAME_LEN];

	xlb_addr_str(&vip->addr, a, sizeof(a));
	snprintf(buf, len, vip->addr.family == XLB_FAMILY_V6 ? "[%s]:%u/%s" : "%s:%u/%s", a,
		 vip->port, xlb_proto_name(vip->proto, pn));
	return buf;
}

/* interfaces: [{name, xdp_mode}] */

static const struct xlb_cfg_word xlb_cfg_xdp_modes[] = {
	{ "auto", XLB_XDP_AUTO },
	{ "native", XLB_XDP_NATIVE },
	{ "generic", XLB_XDP_GENERIC },
	{},
};

/* An interface name as the kernel takes it, into name (at least IF_NAMESIZE bytes). */
static int xlb_cfg_ifname_val(struct xlb_cfg_parser *p, char *name)
{
	struct xlb_cfg_pos at = xlb_cfg_at(p);
	const char *s = xlb_cfg_str(p);
	size_t len = strlen(s);

	if (!len)
		return xlb_cfg_reject(p, at, "interface name must not be empty");
	if (len >= IF_NAMESIZE)
		return xlb_cfg_reject(p, at, "interface name '%.32s' is longer than %d characters",
				      s, IF_NAMESIZE - 1);
	/* What the kernel's dev_valid_name() refuses. */
	if (strpbrk(s, "/: \t\n\r\v\f") || !strcmp(s, ".") || !strcmp(s, ".."))
		return xlb_cfg_reject(p, at, "'%s' is not a valid interface name", s);
	memcpy(name, s, len + 1);
	return 0;
}

static int xlb_cfg_iface_name(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_iface *ifc = obj;
	struct xlb_cfg_mark *m = &p->if_name[ifc - p->cfg->ifaces];
	int ret;

	m->at = xlb_cfg_at(p);
	ret = xlb_cfg_ifname_val(p, ifc->name);
	m->ok = !ret;
	return ret;
}

static int xlb_cfg_iface_xdp_mode(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_iface *ifc = obj;
	int v = xlb_cfg_lookup(xlb_cfg_xdp_modes, xlb_cfg_str(p));

	if (v < 0)
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "bad xdp_mode '%.32s' (expected auto, native or generic)",
				      xlb_cfg_str(p));
	ifc->xdp_mode = v;
	return 0;
}

static int xlb_cfg_iface_end(struct xlb_cfg_parser *p, void *obj, struct xlb_cfg_pos start,
			     const struct xlb_cfg_mark *seen)
{
	struct xlb_config *cfg = p->cfg;
	struct xlb_cfg_iface *ifc = obj;
	size_t i, n = ifc - cfg->ifaces;

	(void)start;
	(void)seen;
	if (!p->if_name[n].ok)
		return p->stop;
	for (i = 0; i < n; i++) {
		if (p->if_name[i].ok && !strcmp(cfg->ifaces[i].name, ifc->name)) {
			xlb_cfg_error(p, p->if_name[n].at,
				      "duplicate interface '%s' (first at line %u)", ifc->name,
				      p->if_name[i].at.line);
			break;
		}
	}
	return p->stop;
}

static const struct xlb_cfg_key xlb_cfg_iface_keys[] = {
	{ "name", XLB_CFG_SCALAR, true, xlb_cfg_iface_name },
	{ "xdp_mode", XLB_CFG_SCALAR, false, xlb_cfg_iface_xdp_mode },
};
_Static_assert(XLB_CFG_ARRAY_SIZE(xlb_cfg_iface_keys) <= XLB_CFG_MAX_KEYS,
	       "raise XLB_CFG_MAX_KEYS");

static const struct xlb_cfg_section xlb_cfg_iface_section = {
	.where = "in interface",
	.keys = xlb_cfg_iface_keys,
	.n_keys = XLB_CFG_ARRAY_SIZE(xlb_cfg_iface_keys),
	.end = xlb_cfg_iface_end,
};

static int xlb_cfg_iface(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_config *cfg = p->cfg;
	struct xlb_cfg_iface *ifc;
	size_t n = cfg->n_ifaces;

	(void)obj;
	if (xlb_cfg_grow(p, cfg->ifaces, n) || xlb_cfg_grow(p, p->if_name, n))
		return p->stop;
	ifc = &cfg->ifaces[n];
	*ifc = (struct xlb_cfg_iface){ .xdp_mode = XLB_XDP_AUTO, .pos = xlb_cfg_at(p) };
	p->if_name[n] = (struct xlb_cfg_mark){};
	cfg->n_ifaces++;
	return xlb_cfg_walk_map(p, &xlb_cfg_iface_section, ifc);
}

static int xlb_cfg_interfaces(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_pos at = xlb_cfg_at(p);
	int n;

	n = xlb_cfg_walk_list(p, "interfaces", XLB_CFG_MAP, xlb_cfg_iface, obj);
	if (n < 0)
		return n;
	if (!n)
		return xlb_cfg_reject(p, at, "'interfaces' must list at least one interface");
	return 0;
}

/* maglev: {table_size} */

static int xlb_cfg_maglev_size(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_config *cfg = obj;
	uint32_t v, next;
	int ret;

	ret = xlb_cfg_int_val(p, "table_size", XLB_MAGLEV_MIN_SIZE, XLB_MAGLEV_MAX_SIZE, &v);
	if (ret)
		return ret;
	/* Maglev's permutations only cover every slot when the size is prime. */
	if (!xlb_is_prime(v)) {
		for (next = v + 1; next < XLB_MAGLEV_MAX_SIZE && !xlb_is_prime(next); next++)
			;
		return xlb_cfg_reject(p, xlb_cfg_at(p), "table_size %u is not prime (try %u)", v,
				      next);
	}
	cfg->maglev_size = v;
	return 0;
}

static const struct xlb_cfg_key xlb_cfg_maglev_keys[] = {
	{ "table_size", XLB_CFG_SCALAR, false, xlb_cfg_maglev_size },
};
_Static_assert(XLB_CFG_ARRAY_SIZE(xlb_cfg_maglev_keys) <= XLB_CFG_MAX_KEYS,
	       "raise XLB_CFG_MAX_KEYS");

static const struct xlb_cfg_section xlb_cfg_maglev_section = {
	.where = "in maglev",
	.keys = xlb_cfg_maglev_keys,
	.n_keys = XLB_CFG_ARRAY_SIZE(xlb_cfg_maglev_keys),
};

static int xlb_cfg_maglev(struct xlb_cfg_parser *p, void *obj)
{
	return xlb_cfg_walk_map(p, &xlb_cfg_maglev_section, obj);
}

/*
 * health: {type, port, interval, timeout, rise, fall, path, expect_status, expect_body, payload,
 * expect, command}, under a VIP (defaults for its backends) or under a backend (overrides, key by
 * key). Values are checked here; how they fit together only once the VIP ends (see
 * xlb_cfg_vip_health_end()).
 */

#define XLB_CFG_HC_MAX_MS (60 * 60 * 1000) /* an hour: interval and timeout at most */
/* What every check but none takes; exec gets its port in XLB_PORT. */
#define XLB_CFG_HC_COMMON                                                               \
	(XLB_HC_SET_TYPE | XLB_HC_SET_PORT | XLB_HC_SET_INTERVAL | XLB_HC_SET_TIMEOUT | \
	 XLB_HC_SET_RISE | XLB_HC_SET_FALL)

static const struct xlb_cfg_word xlb_cfg_hc_types[] = {
	{ "none", XLB_HC_NONE },
	{ "tcp", XLB_HC_TCP },
	{ "http", XLB_HC_HTTP },
	{ "udp", XLB_HC_UDP },
	{ "exec", XLB_HC_EXEC },
	{},
};

/* The keys each type of check takes; any other key given with it is a mistake. */
static const uint32_t xlb_cfg_hc_takes[] = {
	[XLB_HC_NONE] = XLB_HC_SET_TYPE,
	[XLB_HC_TCP] = XLB_CFG_HC_COMMON,
	[XLB_HC_HTTP] = XLB_CFG_HC_COMMON | XLB_HC_SET_PATH | XLB_HC_SET_STATUS | XLB_HC_SET_BODY,
	[XLB_HC_UDP] = XLB_CFG_HC_COMMON | XLB_HC_SET_PAYLOAD | XLB_HC_SET_EXPECT,
	[XLB_HC_EXEC] = XLB_CFG_HC_COMMON | XLB_HC_SET_COMMAND,
};

const char *xlb_hc_type_name(int type)
{
	const struct xlb_cfg_word *w;

	for (w = xlb_cfg_hc_types; w->word; w++)
		if (w->val == type)
			return w->word;
	return "unknown";
}

/* Note where key i's value is: the current event. */
static struct xlb_cfg_pos xlb_cfg_hc_val(struct xlb_cfg_parser *p, int i)
{
	return p->hc->val[i] = xlb_cfg_at(p);
}

static int xlb_cfg_hc_type(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_health *h = obj;
	struct xlb_cfg_pos at = xlb_cfg_hc_val(p, XLB_CFG_HC_TYPE);
	int v = xlb_cfg_lookup(xlb_cfg_hc_types, xlb_cfg_str(p));

	if (v < 0)
		return xlb_cfg_reject(p, at,
				      "bad health check type '%.32s' "
				      "(expected tcp, http, udp, exec or none)",
				      xlb_cfg_str(p));
	h->type = v;
	return 0;
}

static int xlb_cfg_hc_port(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_health *h = obj;
	uint32_t v;
	int ret;

	xlb_cfg_hc_val(p, XLB_CFG_HC_PORT);
	ret = xlb_cfg_int_val(p, "port", 1, 65535, &v);
	if (!ret)
		h->port = v;
	return ret;
}

static int xlb_cfg_hc_interval(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_health *h = obj;

	xlb_cfg_hc_val(p, XLB_CFG_HC_INTERVAL);
	return xlb_cfg_duration_val(p, "interval", 10, XLB_CFG_HC_MAX_MS, &h->interval_ms);
}

static int xlb_cfg_hc_timeout(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_health *h = obj;

	xlb_cfg_hc_val(p, XLB_CFG_HC_TIMEOUT);
	return xlb_cfg_duration_val(p, "timeout", 1, XLB_CFG_HC_MAX_MS, &h->timeout_ms);
}

static int xlb_cfg_hc_rise(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_health *h = obj;

	xlb_cfg_hc_val(p, XLB_CFG_HC_RISE);
	return xlb_cfg_int_val(p, "rise", 1, 100, &h->rise);
}

static int xlb_cfg_hc_fall(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_health *h = obj;

	xlb_cfg_hc_val(p, XLB_CFG_HC_FALL);
	return xlb_cfg_int_val(p, "fall", 1, 100, &h->fall);
}

/* Sent as written in "GET <path> HTTP/1.1", so it must already be a valid request target. */
static int xlb_cfg_hc_path(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_health *h = obj;
	struct xlb_cfg_pos at = xlb_cfg_hc_val(p, XLB_CFG_HC_PATH);
	const unsigned char *c = (const unsigned char *)xlb_cfg_str(p);

	if (*c != '/')
		return xlb_cfg_reject(p, at, "path '%.32s' must start with '/'", xlb_cfg_str(p));
	for (; *c; c++)
		if (*c <= ' ' || *c >= 0x7f)
			return xlb_cfg_reject(p, at,
					      "path '%.32s' must be printable ASCII without spaces "
					      "(percent-encode the rest)",
					      xlb_cfg_str(p));
	return xlb_cfg_text_val(p, "path", h->path, sizeof(h->path));
}

static int xlb_cfg_hc_status(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_health *h = obj;
	uint32_t v;
	int ret;

	xlb_cfg_hc_val(p, XLB_CFG_HC_STATUS);
	ret = xlb_cfg_int_val(p, "expect_status", 100, 599, &v);
	if (!ret)
		h->expect_status = v;
	return ret;
}

static int xlb_cfg_hc_body(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_health *h = obj;

	xlb_cfg_hc_val(p, XLB_CFG_HC_BODY);
	return xlb_cfg_text_val(p, "expect_body", h->expect_body, sizeof(h->expect_body));
}

static int xlb_cfg_hc_payload(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_health *h = obj;

	xlb_cfg_hc_val(p, XLB_CFG_HC_PAYLOAD);
	return xlb_cfg_text_val(p, "payload", h->payload, sizeof(h->payload));
}

static int xlb_cfg_hc_expect(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_health *h = obj;

	xlb_cfg_hc_val(p, XLB_CFG_HC_EXPECT);
	return xlb_cfg_text_val(p, "expect", h->expect, sizeof(h->expect));
}

static int xlb_cfg_hc_command(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_health *h = obj;
	struct xlb_cfg_pos at = xlb_cfg_hc_val(p, XLB_CFG_HC_COMMAND);

	if (!*xlb_cfg_str(p))
		return xlb_cfg_reject(p, at, "command must not be empty");
	return xlb_cfg_text_val(p, "command", h->command, sizeof(h->command));
}

/* Which keys were given, and where, for the merge at the VIP's end. */
static int xlb_cfg_hc_end(struct xlb_cfg_parser *p, void *obj, struct xlb_cfg_pos start,
			  const struct xlb_cfg_mark *seen)
{
	struct xlb_cfg_health *h = obj;
	struct xlb_cfg_hc_marks *m = p->hc;
	int i;

	(void)start;
	for (i = 0; i < XLB_CFG_HC_N_KEYS; i++) {
		m->key[i] = seen[i].at;
		if (seen[i].ok)
			h->set |= 1u << i;
		else if (seen[i].at.line)
			m->bad |= 1u << i;
	}
	return p->stop;
}

static const struct xlb_cfg_key xlb_cfg_hc_keys[] = {
	[XLB_CFG_HC_TYPE] = { "type", XLB_CFG_SCALAR, false, xlb_cfg_hc_type },
	[XLB_CFG_HC_PORT] = { "port", XLB_CFG_SCALAR, false, xlb_cfg_hc_port },
	[XLB_CFG_HC_INTERVAL] = { "interval", XLB_CFG_SCALAR, false, xlb_cfg_hc_interval },
	[XLB_CFG_HC_TIMEOUT] = { "timeout", XLB_CFG_SCALAR, false, xlb_cfg_hc_timeout },
	[XLB_CFG_HC_RISE] = { "rise", XLB_CFG_SCALAR, false, xlb_cfg_hc_rise },
	[XLB_CFG_HC_FALL] = { "fall", XLB_CFG_SCALAR, false, xlb_cfg_hc_fall },
	[XLB_CFG_HC_PATH] = { "path", XLB_CFG_SCALAR, false, xlb_cfg_hc_path },
	[XLB_CFG_HC_STATUS] = { "expect_status", XLB_CFG_SCALAR, false, xlb_cfg_hc_status },
	[XLB_CFG_HC_BODY] = { "expect_body", XLB_CFG_SCALAR, false, xlb_cfg_hc_body },
	[XLB_CFG_HC_PAYLOAD] = { "payload", XLB_CFG_SCALAR, false, xlb_cfg_hc_payload },
	[XLB_CFG_HC_EXPECT] = { "expect", XLB_CFG_SCALAR, false, xlb_cfg_hc_expect },
	[XLB_CFG_HC_COMMAND] = { "command", XLB_CFG_SCALAR, false, xlb_cfg_hc_command },
};
_Static_assert(XLB_CFG_ARRAY_SIZE(xlb_cfg_hc_keys) == XLB_CFG_HC_N_KEYS, "a health key is missing");
_Static_assert(XLB_CFG_ARRAY_SIZE(xlb_cfg_hc_keys) <= XLB_CFG_MAX_KEYS,
	       "raise XLB_CFG_MAX_KEYS");

static const struct xlb_cfg_section xlb_cfg_hc_section = {
	.where = "in health",
	.keys = xlb_cfg_hc_keys,
	.n_keys = XLB_CFG_ARRAY_SIZE(xlb_cfg_hc_keys),
	.end = xlb_cfg_hc_end,
};

/* Read a health mapping into h (what was given; the rest stays 0) and its positions into m. */
static int xlb_cfg_health(struct xlb_cfg_parser *p, struct xlb_cfg_health *h,
			  struct xlb_cfg_hc_marks *m)
{
	h->pos = xlb_cfg_at(p);
	p->hc = m;
	return xlb_cfg_walk_map(p, &xlb_cfg_hc_section, h);
}

/* A health as it applies to a VIP or a backend, with where each of its keys was written. */
struct xlb_cfg_hc_view {
	struct xlb_cfg_health h;
	struct xlb_cfg_hc_marks at; /* line 0: a default */
	uint32_t own;               /* keys written in the mapping being checked, not inherited */
};

static void xlb_cfg_hc_defaults(struct xlb_cfg_health *h)
{
	/* memset, not an initialiser: the padding too is zero, so resolved checks compare. */
	memset(h, 0, sizeof(*h));
	h->type = XLB_HC_TCP;
	h->interval_ms = XLB_HC_DEFAULT_INTERVAL_MS;
	h->timeout_ms = XLB_HC_DEFAULT_TIMEOUT_MS;
	h->rise = XLB_HC_DEFAULT_RISE;
	h->fall = XLB_HC_DEFAULT_FALL;
	h->path[0] = '/';
	h->expect_status = 200;
}

/* Copy the values of `keys` (XLB_HC_SET_*) from src to dst. */
static void xlb_cfg_hc_copy(struct xlb_cfg_health *dst, const struct xlb_cfg_health *src,
			    uint32_t keys)
{
	if (keys & XLB_HC_SET_TYPE)
		dst->type = src->type;
	if (keys & XLB_HC_SET_PORT)
		dst->port = src->port;
	if (keys & XLB_HC_SET_INTERVAL)
		dst->interval_ms = src->interval_ms;
	if (keys & XLB_HC_SET_TIMEOUT)
		dst->timeout_ms = src->timeout_ms;
	if (keys & XLB_HC_SET_RISE)
		dst->rise = src->rise;
	if (keys & XLB_HC_SET_FALL)
		dst->fall = src->fall;
	if (keys & XLB_HC_SET_PATH)
		memcpy(dst->path, src->path, sizeof(dst->path));
	if (keys & XLB_HC_SET_STATUS)
		dst->expect_status = src->expect_status;
	if (keys & XLB_HC_SET_BODY)
		memcpy(dst->expect_body, src->expect_body, sizeof(dst->expect_body));
	if (keys & XLB_HC_SET_PAYLOAD)
		memcpy(dst->payload, src->payload, sizeof(dst->payload));
	if (keys & XLB_HC_SET_EXPECT)
		memcpy(dst->expect, src->expect, sizeof(dst->expect));
	if (keys & XLB_HC_SET_COMMAND)
		memcpy(dst->command, src->command, sizeof(dst->command));
}

/* Lay the mapping h (positions m) over v: its keys now win, and are the ones v's checks own. */
static void xlb_cfg_hc_overlay(struct xlb_cfg_hc_view *v, const struct xlb_cfg_health *h,
			       const struct xlb_cfg_hc_marks *m)
{
	int i;

	xlb_cfg_hc_copy(&v->h, h, h->set);
	for (i = 0; i < XLB_CFG_HC_N_KEYS; i++) {
		if (!((h->set | m->bad) & (1u << i)))
			continue;
		v->at.key[i] = m->key[i];
		v->at.val[i] = m->val[i];
	}
	v->h.set |= h->set;
	v->h.pos = h->pos;
	/* A key rejected here hides the inherited one; one given here clears an inherited bad. */
	v->at.bad = (v->at.bad & ~h->set) | m->bad;
	v->own = h->set;
}

/*
 * Inherited keys that do not apply to the type a backend's own mapping gives go back to their
 * defaults: an http VIP's path says nothing about the one backend that is checked over tcp.
 */
static void xlb_cfg_hc_drop_foreign(struct xlb_cfg_hc_view *v, const struct xlb_cfg_health *be,
				    const struct xlb_cfg_hc_marks *m)
{
	struct xlb_cfg_health dflt;
	unsigned int type = be->set & XLB_HC_SET_TYPE ? be->type : v->h.type;
	uint32_t drop;
	int i;

	if (m->bad & XLB_HC_SET_TYPE)
		return;
	drop = v->h.set & ~be->set & ~xlb_cfg_hc_takes[type];
	xlb_cfg_hc_defaults(&dflt);
	xlb_cfg_hc_copy(&v->h, &dflt, drop);
	v->h.set &= ~drop;
	for (i = 0; i < XLB_CFG_HC_N_KEYS; i++) {
		if (drop & (1u << i)) {
			v->at.key[i] = (struct xlb_cfg_pos){};
			v->at.val[i] = (struct xlb_cfg_pos){};
		}
	}
}

/* "path only applies to http checks": the one type of check that takes key i. */
static const char *xlb_cfg_hc_taker(int i)
{
	unsigned int t;

	for (t = XLB_HC_TCP; t < XLB_CFG_ARRAY_SIZE(xlb_cfg_hc_takes); t++)
		if (xlb_cfg_hc_takes[t] & (1u << i))
			return xlb_hc_type_name(t);
	return "?";
}

/*
 * Check a merged health: keys owned by the mapping being checked must apply to its type (error at
 * the key) and timeout must be less than interval (at the value written last in the chain). With
 * `runs`, it is a backend's and is about to be run, so what a check needs must be there too: an
 * exec check's command, and a port when the VIP's is 0. Mistakes inherited from the VIP are
 * reported where the VIP wrote them, once.
 */
static void xlb_cfg_hc_check(struct xlb_cfg_parser *p, const struct xlb_cfg_hc_view *v,
			     const struct xlb_cfg_vip *vip, bool vip_port_ok, bool runs)
{
	const struct xlb_cfg_health *h = &v->h;
	const struct xlb_cfg_hc_marks *at = &v->at;
	const char *type = xlb_hc_type_name(h->type);
	bool type_ok = !(at->bad & XLB_HC_SET_TYPE);
	bool type_given = at->val[XLB_CFG_HC_TYPE].line;
	char to[16], iv[16];
	struct xlb_cfg_pos pos;
	uint32_t foreign;
	int k;

	foreign = type_ok ? v->own & ~at->bad & ~xlb_cfg_hc_takes[h->type] : 0;
	for (k = 0; k < XLB_CFG_HC_N_KEYS; k++) {
		if (!(foreign & (1u << k)))
			continue;
		if (h->type == XLB_HC_NONE)
			xlb_cfg_error_once(p, at->key[k], "%s does not apply to type none",
					   xlb_cfg_hc_keys[k].name);
		else
			xlb_cfg_error_once(p, at->key[k], "%s only applies to %s checks, not %s",
					   xlb_cfg_hc_keys[k].name, xlb_cfg_hc_taker(k), type);
	}

	if (h->type != XLB_HC_NONE && !(at->bad & (XLB_HC_SET_INTERVAL | XLB_HC_SET_TIMEOUT)) &&
	    h->timeout_ms >= h->interval_ms) {
		if (v->own & XLB_HC_SET_TIMEOUT)
			pos = at->val[XLB_CFG_HC_TIMEOUT];
		else if (v->own & XLB_HC_SET_INTERVAL)
			pos = at->val[XLB_CFG_HC_INTERVAL];
		else if (at->val[XLB_CFG_HC_TIMEOUT].line)
			pos = at->val[XLB_CFG_HC_TIMEOUT];
		else
			pos = at->val[XLB_CFG_HC_INTERVAL];
		xlb_cfg_error_once(p, pos, "timeout %s%s must be less than interval %s%s",
				   xlb_cfg_ms_str(h->timeout_ms, to, sizeof(to)),
				   at->val[XLB_CFG_HC_TIMEOUT].line ? "" : " (the default)",
				   xlb_cfg_ms_str(h->interval_ms, iv, sizeof(iv)),
				   at->val[XLB_CFG_HC_INTERVAL].line ? "" : " (the default)");
	}

	if (!runs || !type_ok)
		return;
	/* exec is never the default, so the type was written somewhere. */
	if (h->type == XLB_HC_EXEC && !(h->set & XLB_HC_SET_COMMAND) &&
	    !(at->bad & XLB_HC_SET_COMMAND))
		xlb_cfg_error_once(p, at->val[XLB_CFG_HC_TYPE], "exec check needs a command");
	if ((h->type == XLB_HC_TCP || h->type == XLB_HC_HTTP || h->type == XLB_HC_UDP) &&
	    vip_port_ok && !vip->port && !h->port && !(at->bad & XLB_HC_SET_PORT)) {
		/* At the type that asks for a port, else the mapping, else the VIP left it out. */
		pos = type_given ? at->val[XLB_CFG_HC_TYPE] : h->pos.line ? h->pos : vip->pos;
		xlb_cfg_error_once(p, pos,
				   "%s check%s needs a port: the VIP's port is 0 (every port); "
				   "set health port, or type none",
				   type, type_given ? "" : " (the default)");
	}
}

/*
 * vips: [{name, address, port, protocol, scheduler, forwarding, health, fallback,
 *         backends: [{address, weight, health}]}]
 */

static const struct xlb_cfg_word xlb_cfg_protos[] = {
	{ "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP },
	{},
};

enum {
	XLB_CFG_VIP_NAME,
	XLB_CFG_VIP_ADDRESS,
	XLB_CFG_VIP_PORT,
	XLB_CFG_VIP_PROTOCOL,
	XLB_CFG_VIP_SCHEDULER,
	XLB_CFG_VIP_FORWARDING,
	XLB_CFG_VIP_BACKENDS,
	XLB_CFG_VIP_HEALTH,
	XLB_CFG_VIP_FALLBACK,
};

/* A VIP's name, given to the VIP or naming one (a track's vip). */
static int xlb_cfg_vip_name_val(struct xlb_cfg_parser *p, char *name, size_t size)
{
	struct xlb_cfg_pos at = xlb_cfg_at(p);
	const char *s = xlb_cfg_str(p);
	size_t len = strlen(s);

	if (!len)
		return xlb_cfg_reject(p, at, "VIP name must not be empty");
	if (len >= size)
		return xlb_cfg_reject(p, at, "VIP name '%.32s...' is longer than %zu characters", s,
				      size - 1);
	memcpy(name, s, len + 1);
	return 0;
}

static int xlb_cfg_vip_name(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vip *vip = obj;
	struct xlb_cfg_mark *m = &p->vip_name[vip - p->cfg->vips];
	int ret;

	m->at = xlb_cfg_at(p);
	ret = xlb_cfg_vip_name_val(p, vip->name, sizeof(vip->name));
	m->ok = !ret;
	return ret;
}

static int xlb_cfg_vip_address(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vip *vip = obj;
	struct xlb_cfg_mark *m = &p->vip_addr[vip - p->cfg->vips];
	int ret;

	m->at = xlb_cfg_at(p);
	ret = xlb_cfg_addr_val(p, &vip->addr);
	m->ok = !ret;
	return ret;
}

static int xlb_cfg_vip_port(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vip *vip = obj;
	uint32_t v;
	int ret;

	ret = xlb_cfg_int_val(p, "port", 0, 65535, &v);
	if (!ret)
		vip->port = v;
	return ret;
}

static int xlb_cfg_vip_protocol(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vip *vip = obj;
	int v = xlb_cfg_lookup(xlb_cfg_protos, xlb_cfg_str(p));

	if (v < 0)
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "bad protocol '%.32s' (expected tcp or udp)", xlb_cfg_str(p));
	vip->proto = v;
	return 0;
}

static int xlb_cfg_vip_scheduler(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vip *vip = obj;
	const struct xlb_scheduler *sched;
	int err = xlb_sched_lookup(xlb_cfg_str(p), &sched);

	if (err == -EOPNOTSUPP)
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "scheduler '%s' is not supported yet (only maglev)",
				      xlb_cfg_str(p));
	if (err)
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "unknown scheduler '%.32s' (expected maglev)",
				      xlb_cfg_str(p));
	vip->sched = sched->id;
	return 0;
}

static int xlb_cfg_vip_forwarding(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vip *vip = obj;
	const struct xlb_fwd_mode *fwd;
	int err = xlb_fwd_lookup(xlb_cfg_str(p), &fwd);

	if (err == -EOPNOTSUPP)
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "forwarding '%s' is not supported yet (only dr)",
				      xlb_cfg_str(p));
	if (err)
		return xlb_cfg_reject(p, xlb_cfg_at(p), "unknown forwarding '%.32s' (expected dr)",
				      xlb_cfg_str(p));
	vip->fwd = fwd->id;
	return 0;
}

static int xlb_cfg_be_address(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_backend *be = obj;
	struct xlb_cfg_mark *m = &p->be_addr[be - p->vip->backends];
	int ret;

	m->at = xlb_cfg_at(p);
	ret = xlb_cfg_addr_val(p, &be->addr);
	m->ok = !ret;
	return ret;
}

static int xlb_cfg_be_weight(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_backend *be = obj;

	return xlb_cfg_int_val(p, "weight", 0, XLB_WEIGHT_MAX, &be->weight);
}

static int xlb_cfg_be_health(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_backend *be = obj;

	return xlb_cfg_health(p, &be->health, &p->be_hc[be - p->vip->backends]);
}

static const struct xlb_cfg_key xlb_cfg_be_keys[] = {
	{ "address", XLB_CFG_SCALAR, true, xlb_cfg_be_address },
	{ "weight", XLB_CFG_SCALAR, false, xlb_cfg_be_weight },
	{ "health", XLB_CFG_MAP, false, xlb_cfg_be_health },
};
_Static_assert(XLB_CFG_ARRAY_SIZE(xlb_cfg_be_keys) <= XLB_CFG_MAX_KEYS,
	       "raise XLB_CFG_MAX_KEYS");

static const struct xlb_cfg_section xlb_cfg_be_section = {
	.where = "in backend",
	.keys = xlb_cfg_be_keys,
	.n_keys = XLB_CFG_ARRAY_SIZE(xlb_cfg_be_keys),
};

static int xlb_cfg_backend(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vip *vip = obj;
	struct xlb_cfg_backend *be;
	size_t n = vip->n_backends;

	if (xlb_cfg_grow(p, vip->backends, n) || xlb_cfg_grow(p, p->be_addr, n) ||
	    xlb_cfg_grow(p, p->be_hc, n))
		return p->stop;
	be = &vip->backends[n];
	memset(be, 0, sizeof(*be));
	be->weight = XLB_CFG_DEFAULT_WEIGHT;
	be->pos = xlb_cfg_at(p);
	p->be_addr[n] = (struct xlb_cfg_mark){};
	memset(&p->be_hc[n], 0, sizeof(p->be_hc[n]));
	vip->n_backends++;
	if (++p->n_backends == XLB_MAX_BACKENDS + 1)
		xlb_cfg_error(p, be->pos, "too many backends (at most %d over all VIPs)",
			      XLB_MAX_BACKENDS);
	return xlb_cfg_walk_map(p, &xlb_cfg_be_section, be);
}

static int xlb_cfg_vip_backends(struct xlb_cfg_parser *p, void *obj)
{
	int n = xlb_cfg_walk_list(p, "backends", XLB_CFG_MAP, xlb_cfg_backend, obj);

	return n < 0 ? n : 0;
}

static int xlb_cfg_vip_health(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vip *vip = obj;

	return xlb_cfg_health(p, &vip->health, &p->vip_hc);
}

/* keepalived's sorry_server: where new flows go while no backend is up. */
static int xlb_cfg_vip_fallback(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vip *vip = obj;
	struct xlb_cfg_mark *m = &p->fallback;
	int ret;

	m->at = xlb_cfg_at(p);
	/* It gets a backend id like any backend. */
	if (++p->n_backends == XLB_MAX_BACKENDS + 1)
		xlb_cfg_error(p, m->at,
			      "too many backends (at most %d over all VIPs, fallbacks too)",
			      XLB_MAX_BACKENDS);
	ret = xlb_cfg_addr_val(p, &vip->fallback);
	m->ok = !ret;
	return ret;
}

/* Backends are checked against each other and their VIP here: the VIP's address may come last. */
static void xlb_cfg_vip_check_backends(struct xlb_cfg_parser *p, const struct xlb_cfg_vip *vip,
				       bool vip_addr_ok)
{
	const struct xlb_cfg_backend *be = vip->backends;
	struct xlb_cfg_mark *m = p->be_addr;
	char a[INET6_ADDRSTRLEN];
	size_t i, j;

	for (i = 0; i < vip->n_backends; i++) {
		if (!m[i].ok)
			continue;
		if (vip_addr_ok && be[i].addr.family != vip->addr.family) {
			xlb_cfg_error(p, m[i].at,
				      "backend family differs from the VIP "
				      "(%s is IPv%u, the VIP IPv%u)",
				      xlb_addr_str(&be[i].addr, a, sizeof(a)), be[i].addr.family,
				      vip->addr.family);
			m[i].ok = false;
			continue;
		}
		for (j = 0; j < i; j++) {
			if (m[j].ok && xlb_addr_eq(&be[i].addr, &be[j].addr)) {
				xlb_cfg_error(p, m[i].at, "duplicate backend %s (first at line %u)",
					      xlb_addr_str(&be[i].addr, a, sizeof(a)),
					      m[j].at.line);
				break;
			}
		}
	}
}

static void xlb_cfg_vip_check_fallback(struct xlb_cfg_parser *p, const struct xlb_cfg_vip *vip,
				       bool vip_addr_ok)
{
	const struct xlb_cfg_mark *m = &p->fallback, *be = p->be_addr;
	char a[INET6_ADDRSTRLEN];
	size_t i;

	if (!m->ok)
		return;
	xlb_addr_str(&vip->fallback, a, sizeof(a));
	if (vip_addr_ok && vip->fallback.family != vip->addr.family) {
		xlb_cfg_error(p, m->at,
			      "fallback family differs from the VIP (%s is IPv%u, the VIP IPv%u)",
			      a, vip->fallback.family, vip->addr.family);
		return;
	}
	if (vip_addr_ok && xlb_addr_eq(&vip->fallback, &vip->addr)) {
		xlb_cfg_error(p, m->at, "fallback %s is the VIP's own address", a);
		return;
	}
	/* It would be in the table and out of it at once. */
	for (i = 0; i < vip->n_backends; i++) {
		if (be[i].ok && xlb_addr_eq(&vip->fallback, &vip->backends[i].addr)) {
			xlb_cfg_error(p, m->at,
				      "fallback %s is also a backend of this VIP (line %u)", a,
				      be[i].at.line);
			return;
		}
	}
}

/*
 * Resolve the VIP's health (defaults under what it gave) and each backend's (the VIP's under what
 * the backend gave), and check each. The VIP's is checked as a whole for consistency only: what
 * a check needs to run (command, port) is asked of the backends that run it, so a VIP may leave
 * the command or the port to each of its backends.
 */
static void xlb_cfg_vip_health_end(struct xlb_cfg_parser *p, struct xlb_cfg_vip *vip,
				   bool vip_port_ok)
{
	struct xlb_cfg_hc_view v, b;
	size_t i;

	memset(&v, 0, sizeof(v));
	xlb_cfg_hc_defaults(&v.h);
	/* A tcp connect says nothing about a UDP service, and a port-0 VIP has no port to try:
	 * without any health mapping, those are not checked. */
	if (!vip->health.pos.line && (vip->proto != IPPROTO_TCP || !vip->port))
		v.h.type = XLB_HC_NONE;
	if (vip->health.pos.line)
		xlb_cfg_hc_overlay(&v, &vip->health, &p->vip_hc);
	xlb_cfg_hc_check(p, &v, vip, vip_port_ok, false);

	for (i = 0; i < vip->n_backends; i++) {
		struct xlb_cfg_backend *be = &vip->backends[i];

		memcpy(&b, &v, sizeof(b));
		b.own = 0;
		/* A backend's own mapping asks for a check: tcp unless it says otherwise. */
		if (be->health.pos.line && !vip->health.pos.line)
			b.h.type = XLB_HC_TCP;
		if (be->health.pos.line) {
			xlb_cfg_hc_drop_foreign(&b, &be->health, &p->be_hc[i]);
			xlb_cfg_hc_overlay(&b, &be->health, &p->be_hc[i]);
		}
		xlb_cfg_hc_check(p, &b, vip, vip_port_ok, true);
		memcpy(&be->health, &b.h, sizeof(be->health));
	}
	memcpy(&vip->health, &v.h, sizeof(vip->health));
}

static int xlb_cfg_vip_end(struct xlb_cfg_parser *p, void *obj, struct xlb_cfg_pos start,
			   const struct xlb_cfg_mark *seen)
{
	struct xlb_config *cfg = p->cfg;
	struct xlb_cfg_vip *vip = obj;
	size_t i, n = vip - cfg->vips;
	struct xlb_cfg_mark *addr = &p->vip_addr[n], *name = &p->vip_name[n];
	const struct xlb_cfg_mark *proto = &seen[XLB_CFG_VIP_PROTOCOL];
	char s[96];

	if (n == XLB_MAX_VIPS)
		xlb_cfg_error(p, start, "too many VIPs (at most %d)", XLB_MAX_VIPS);

	xlb_cfg_vip_check_backends(p, vip, addr->ok);
	xlb_cfg_vip_check_fallback(p, vip, addr->ok);
	xlb_cfg_vip_health_end(p, vip, seen[XLB_CFG_VIP_PORT].ok);

	/* From here on addr->ok means the whole key {family, address, port, protocol} is known. */
	addr->ok = addr->ok && seen[XLB_CFG_VIP_PORT].ok && (proto->ok || !proto->at.line);
	if (addr->ok && !seen[XLB_CFG_VIP_NAME].at.line) {
		xlb_cfg_vip_str(vip, vip->name, sizeof(vip->name));
		*name = (struct xlb_cfg_mark){ .at = addr->at, .ok = true };
	}

	for (i = 0; addr->ok && i < n; i++) {
		const struct xlb_cfg_vip *o = &cfg->vips[i];

		if (p->vip_addr[i].ok && xlb_addr_eq(&o->addr, &vip->addr) &&
		    o->port == vip->port && o->proto == vip->proto) {
			xlb_cfg_error(p, addr->at, "duplicate VIP %s (first at line %u)",
				      xlb_cfg_vip_str(vip, s, sizeof(s)), p->vip_addr[i].at.line);
			/* Its default name would collide too; one error is enough. */
			return p->stop;
		}
	}

	for (i = 0; name->ok && i < n; i++) {
		if (p->vip_name[i].ok && !strcmp(cfg->vips[i].name, vip->name)) {
			xlb_cfg_error(p, name->at, "duplicate VIP name '%s' (first at line %u)",
				      vip->name, p->vip_name[i].at.line);
			break;
		}
	}
	return p->stop;
}

static const struct xlb_cfg_key xlb_cfg_vip_keys[] = {
	[XLB_CFG_VIP_NAME] = { "name", XLB_CFG_SCALAR, false, xlb_cfg_vip_name },
	[XLB_CFG_VIP_ADDRESS] = { "address", XLB_CFG_SCALAR, true, xlb_cfg_vip_address },
	[XLB_CFG_VIP_PORT] = { "port", XLB_CFG_SCALAR, true, xlb_cfg_vip_port },
	[XLB_CFG_VIP_PROTOCOL] = { "protocol", XLB_CFG_SCALAR, false, xlb_cfg_vip_protocol },
	[XLB_CFG_VIP_SCHEDULER] = { "scheduler", XLB_CFG_SCALAR, false, xlb_cfg_vip_scheduler },
	[XLB_CFG_VIP_FORWARDING] = { "forwarding", XLB_CFG_SCALAR, false, xlb_cfg_vip_forwarding },
	[XLB_CFG_VIP_BACKENDS] = { "backends", XLB_CFG_LIST, true, xlb_cfg_vip_backends },
	[XLB_CFG_VIP_HEALTH] = { "health", XLB_CFG_MAP, false, xlb_cfg_vip_health },
	[XLB_CFG_VIP_FALLBACK] = { "fallback", XLB_CFG_SCALAR, false, xlb_cfg_vip_fallback },
};
_Static_assert(XLB_CFG_ARRAY_SIZE(xlb_cfg_vip_keys) <= XLB_CFG_MAX_KEYS,
	       "raise XLB_CFG_MAX_KEYS");

static const struct xlb_cfg_section xlb_cfg_vip_section = {
	.where = "in vip",
	.keys = xlb_cfg_vip_keys,
	.n_keys = XLB_CFG_ARRAY_SIZE(xlb_cfg_vip_keys),
	.end = xlb_cfg_vip_end,
};

static int xlb_cfg_vip(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_config *cfg = p->cfg;
	struct xlb_cfg_vip *vip;
	size_t n = cfg->n_vips;

	(void)obj;
	if (xlb_cfg_grow(p, cfg->vips, n) || xlb_cfg_grow(p, p->vip_addr, n) ||
	    xlb_cfg_grow(p, p->vip_name, n))
		return p->stop;
	vip = &cfg->vips[n];
	memset(vip, 0, sizeof(*vip));
	vip->proto = IPPROTO_TCP;
	vip->sched = XLB_SCHED_MAGLEV;
	vip->fwd = XLB_FWD_DR;
	vip->pos = xlb_cfg_at(p);
	p->vip_addr[n] = p->vip_name[n] = p->fallback = (struct xlb_cfg_mark){};
	memset(&p->vip_hc, 0, sizeof(p->vip_hc));
	p->vip = vip;
	cfg->n_vips++;
	return xlb_cfg_walk_map(p, &xlb_cfg_vip_section, vip);
}

static int xlb_cfg_vips(struct xlb_cfg_parser *p, void *obj)
{
	int n = xlb_cfg_walk_list(p, "vips", XLB_CFG_MAP, xlb_cfg_vip, obj);

	return n < 0 ? n : 0;
}

/* notify: "command"; control: {socket} */

static int xlb_cfg_notify(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_config *cfg = obj;

	return xlb_cfg_command_val(p, "notify", cfg->notify, sizeof(cfg->notify));
}

static int xlb_cfg_control_socket(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_config *cfg = obj;

	/* sun_path's size, NUL included. */
	return xlb_cfg_abs_path_val(p, "control socket", cfg->control_socket,
				    sizeof(cfg->control_socket));
}

static const struct xlb_cfg_key xlb_cfg_control_keys[] = {
	{ "socket", XLB_CFG_SCALAR, false, xlb_cfg_control_socket },
};
_Static_assert(XLB_CFG_ARRAY_SIZE(xlb_cfg_control_keys) <= XLB_CFG_MAX_KEYS,
	       "raise XLB_CFG_MAX_KEYS");

static const struct xlb_cfg_section xlb_cfg_control_section = {
	.where = "in control",
	.keys = xlb_cfg_control_keys,
	.n_keys = XLB_CFG_ARRAY_SIZE(xlb_cfg_control_keys),
};

static int xlb_cfg_control(struct xlb_cfg_parser *p, void *obj)
{
	return xlb_cfg_walk_map(p, &xlb_cfg_control_section, obj);
}

/*
 * failover: {mode, vrrp: {...}, sync: {listen, peer, key_file}}. One VRRPv3 virtual router
 * (RFC 5798) with keepalived's names and defaults where it has them, and the flow sync to the
 * peer. Whether a track's vip names a VIP is only known once the whole file is read: see
 * xlb_cfg_top_end().
 */

#define XLB_CFG_VRRP_MAX_ADDRS 255	/* the advert's Count IPvX Addr is 8 bits */
#define XLB_CFG_VRRP_MAX_CS 4095	/* the advert's Max Adver Int: 12 bits of centiseconds */
#define XLB_CFG_FAILOVER_MAX_MS (60 * 60 * 1000) /* an hour: delays and refresh at most */
#define XLB_CFG_SYNC_DEFAULT_PORT 8849

static const struct xlb_cfg_word xlb_cfg_failover_modes[] = {
	{ "none", XLB_FAILOVER_NONE },
	{ "vrrp", XLB_FAILOVER_VRRP },
	{ "zookeeper", XLB_CFG_NOT_YET },
	{},
};

/* Is a after b in the file? Of two keys that exclude each other, the later one is the mistake. */
static bool xlb_cfg_pos_after(struct xlb_cfg_pos a, struct xlb_cfg_pos b)
{
	return a.line > b.line || (a.line == b.line && a.col > b.col);
}

/*
 * "ADDR:PORT", "[IPV6]:PORT", or either without ":PORT" for default_port. A bare IPv6 address is
 * refused rather than guessed at: in 2001:db8::2:8849 the last group may be meant as a port.
 */
static int xlb_cfg_hostport_val(struct xlb_cfg_parser *p, const char *what,
				uint16_t default_port, struct xlb_addr *addr, uint16_t *port)
{
	const char *s = xlb_cfg_str(p), *host = s, *end, *ps = NULL, *why;
	struct xlb_cfg_pos at = xlb_cfg_at(p);
	char buf[INET6_ADDRSTRLEN];
	uint32_t v = default_port;
	struct xlb_addr a;
	size_t len;
	int err;

	if (s[0] == '[') {
		host = s + 1;
		end = strchr(host, ']');
		if (!end || (end[1] && end[1] != ':'))
			goto bad;
		len = end - host;
		if (end[1])
			ps = end + 2;
	} else {
		end = strchr(s, ':');
		if (end && strchr(end + 1, ':')) {
			if (xlb_addr_parse(s, &a))
				goto bad;
			return xlb_cfg_reject(p, at,
					      "%s '%.48s': write an IPv6 address in brackets, "
					      "as [2001:db8::2]:%u",
					      what, s, default_port);
		}
		len = end ? (size_t)(end - s) : strlen(s);
		if (end)
			ps = end + 1;
	}
	if (len >= sizeof(buf))
		goto bad;
	memcpy(buf, host, len);
	buf[len] = '\0';
	if (xlb_addr_parse(buf, &a))
		return xlb_cfg_reject(p, at,
				      "bad address '%.48s' in %s '%.48s': not an IPv4 or IPv6 "
				      "address",
				      buf, what, s);
	if (host != s && a.family != XLB_FAMILY_V6)
		return xlb_cfg_reject(p, at, "%s '%.48s': brackets are for IPv6 addresses only",
				      what, s);
	why = xlb_cfg_addr_unusable(&a);
	if (why)
		return xlb_cfg_reject(p, at, "address %s %s", buf, why);
	if (ps) {
		err = xlb_cfg_uint(ps, 1, 65535, &v);
		if (err == -EINVAL)
			return xlb_cfg_reject(p, at,
					      "%s port '%.16s' is not a decimal integer "
					      "(expected 1..65535)",
					      what, ps);
		if (err)
			return xlb_cfg_reject(p, at, "%s port %.16s is out of range (1..65535)",
					      what, ps);
	}
	*addr = a;
	*port = v;
	return 0;
bad:
	return xlb_cfg_reject(p, at,
			      "%s '%.48s' is not ADDRESS[:PORT] (like 192.0.2.2:%u or "
			      "[2001:db8::2]:%u)",
			      what, s, default_port, default_port);
}

/* track: [{interface | vip, weight}] */

enum {
	XLB_CFG_TRACK_INTERFACE,
	XLB_CFG_TRACK_VIP,
	XLB_CFG_TRACK_WEIGHT,
};

static int xlb_cfg_track_interface(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_track *t = obj;

	p->track_at[t - p->cfg->vrrp.tracks].at = xlb_cfg_at(p);
	t->is_vip = 0;
	return xlb_cfg_ifname_val(p, t->name);
}

static int xlb_cfg_track_vip(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_track *t = obj;

	p->track_at[t - p->cfg->vrrp.tracks].at = xlb_cfg_at(p);
	t->is_vip = 1;
	return xlb_cfg_vip_name_val(p, t->name, sizeof(t->name));
}

static int xlb_cfg_track_weight(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_track *t = obj;
	uint32_t v;
	int ret;

	/* 255 would take any priority to 0, which is "master leaving", not a priority. */
	ret = xlb_cfg_int_val(p, "weight", 1, 254, &v);
	if (!ret)
		t->weight = v;
	return ret;
}

static int xlb_cfg_track_end(struct xlb_cfg_parser *p, void *obj, struct xlb_cfg_pos start,
			     const struct xlb_cfg_mark *seen)
{
	const struct xlb_cfg_mark *ifc = &seen[XLB_CFG_TRACK_INTERFACE];
	const struct xlb_cfg_mark *vip = &seen[XLB_CFG_TRACK_VIP];
	const struct xlb_cfg_vrrp *vrrp = &p->cfg->vrrp;
	const struct xlb_cfg_track *t = obj;
	size_t i, n = t - vrrp->tracks;
	struct xlb_cfg_mark *m = &p->track_at[n];

	if (ifc->at.line && vip->at.line) {
		xlb_cfg_error(p, xlb_cfg_pos_after(vip->at, ifc->at) ? vip->at : ifc->at,
			      "a track takes interface or vip, not both");
		return p->stop;
	}
	if (!ifc->at.line && !vip->at.line) {
		xlb_cfg_error(p, start, "a track needs interface or vip");
		return p->stop;
	}
	m->ok = ifc->ok || vip->ok;
	for (i = 0; m->ok && i < n; i++) {
		if (p->track_at[i].ok && vrrp->tracks[i].is_vip == t->is_vip &&
		    !strcmp(vrrp->tracks[i].name, t->name)) {
			xlb_cfg_error(p, m->at, "duplicate track of %s '%s' (first at line %u)",
				      t->is_vip ? "VIP" : "interface", t->name,
				      p->track_at[i].at.line);
			m->ok = false;
		}
	}
	return p->stop;
}

static const struct xlb_cfg_key xlb_cfg_track_keys[] = {
	[XLB_CFG_TRACK_INTERFACE] = { "interface", XLB_CFG_SCALAR, false, xlb_cfg_track_interface },
	[XLB_CFG_TRACK_VIP] = { "vip", XLB_CFG_SCALAR, false, xlb_cfg_track_vip },
	[XLB_CFG_TRACK_WEIGHT] = { "weight", XLB_CFG_SCALAR, true, xlb_cfg_track_weight },
};
_Static_assert(XLB_CFG_ARRAY_SIZE(xlb_cfg_track_keys) <= XLB_CFG_MAX_KEYS,
	       "raise XLB_CFG_MAX_KEYS");

static const struct xlb_cfg_section xlb_cfg_track_section = {
	.where = "in track",
	.keys = xlb_cfg_track_keys,
	.n_keys = XLB_CFG_ARRAY_SIZE(xlb_cfg_track_keys),
	.end = xlb_cfg_track_end,
};

static int xlb_cfg_track(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vrrp *vrrp = obj;
	struct xlb_cfg_track *t;
	size_t n = vrrp->n_tracks;

	if (xlb_cfg_grow(p, vrrp->tracks, n) || xlb_cfg_grow(p, p->track_at, n))
		return p->stop;
	t = &vrrp->tracks[n];
	memset(t, 0, sizeof(*t));
	t->pos = xlb_cfg_at(p);
	p->track_at[n] = (struct xlb_cfg_mark){};
	vrrp->n_tracks++;
	return xlb_cfg_walk_map(p, &xlb_cfg_track_section, t);
}

/*
 * vrrp: {interface, vrid, priority, advert_interval, preempt, preempt_delay, nopreempt,
 *        unicast_peers, virtual_addresses, garp_repeat, garp_delay, garp_refresh, notify, track}
 */

enum {
	XLB_CFG_VRRP_INTERFACE,
	XLB_CFG_VRRP_VRID,
	XLB_CFG_VRRP_PRIORITY,
	XLB_CFG_VRRP_ADVERT_INTERVAL,
	XLB_CFG_VRRP_PREEMPT,
	XLB_CFG_VRRP_PREEMPT_DELAY,
	XLB_CFG_VRRP_NOPREEMPT,
	XLB_CFG_VRRP_UNICAST_PEERS,
	XLB_CFG_VRRP_VIRTUAL_ADDRESSES,
	XLB_CFG_VRRP_GARP_REPEAT,
	XLB_CFG_VRRP_GARP_DELAY,
	XLB_CFG_VRRP_GARP_REFRESH,
	XLB_CFG_VRRP_NOTIFY,
	XLB_CFG_VRRP_TRACK,
};

static int xlb_cfg_vrrp_interface(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vrrp *vrrp = obj;

	return xlb_cfg_ifname_val(p, vrrp->interface);
}

static int xlb_cfg_vrrp_vrid(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vrrp *vrrp = obj;
	uint32_t v;
	int ret;

	ret = xlb_cfg_int_val(p, "vrid", 1, 255, &v);
	if (!ret)
		vrrp->vrid = v;
	return ret;
}

static int xlb_cfg_vrrp_priority(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vrrp *vrrp = obj;
	uint32_t v;
	int ret;

	/* 0 is what a leaving master sends; 255 says this box owns the addresses. */
	ret = xlb_cfg_int_val(p, "priority", 1, 255, &v);
	if (!ret)
		vrrp->priority = v;
	return ret;
}

/*
 * The advert carries it in centiseconds: a duration that is not a whole number of them is a
 * mistake somewhere, not something to round.
 */
static int xlb_cfg_vrrp_advert_interval(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vrrp *vrrp = obj;
	uint32_t ms;
	int ret;

	ret = xlb_cfg_duration_val(p, "advert_interval", 10, XLB_CFG_VRRP_MAX_CS * 10, &ms);
	if (ret)
		return ret;
	if (ms % 10)
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "advert_interval %.32s is not a whole number of centiseconds "
				      "(VRRPv3 counts it in 10ms steps)",
				      xlb_cfg_str(p));
	vrrp->advert_cs = ms / 10;
	return 0;
}

static int xlb_cfg_vrrp_preempt(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vrrp *vrrp = obj;
	bool b = false;
	int ret;

	ret = xlb_cfg_bool_val(p, "preempt", &b);
	if (!ret)
		vrrp->preempt = b;
	return ret;
}

/* keepalived's spelling; with preempt too it is an error (xlb_cfg_vrrp_end()). */
static int xlb_cfg_vrrp_nopreempt(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vrrp *vrrp = obj;
	bool b = false;
	int ret;

	ret = xlb_cfg_bool_val(p, "nopreempt", &b);
	if (!ret)
		vrrp->preempt = !b;
	return ret;
}

static int xlb_cfg_vrrp_preempt_delay(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vrrp *vrrp = obj;

	return xlb_cfg_duration_val(p, "preempt_delay", 0, XLB_CFG_FAILOVER_MAX_MS,
				    &vrrp->preempt_delay_ms);
}

static int xlb_cfg_vrrp_peer(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vrrp *vrrp = obj;
	struct xlb_cfg_pos at = xlb_cfg_at(p);
	size_t i, n = vrrp->n_unicast_peers;
	char s[INET6_ADDRSTRLEN];
	struct xlb_addr a;
	int ret;

	ret = xlb_cfg_addr_val(p, &a);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		if (xlb_addr_eq(&a, &vrrp->unicast_peers[i]))
			return xlb_cfg_reject(p, at, "duplicate unicast peer %s (first at line %u)",
					      xlb_addr_str(&a, s, sizeof(s)), p->peer_at[i].line);
	if (xlb_cfg_grow(p, vrrp->unicast_peers, n) || xlb_cfg_grow(p, p->peer_at, n))
		return p->stop;
	vrrp->unicast_peers[n] = a;
	p->peer_at[n] = at;
	vrrp->n_unicast_peers++;
	return 0;
}

static int xlb_cfg_vrrp_peers(struct xlb_cfg_parser *p, void *obj)
{
	int n = xlb_cfg_walk_list(p, "unicast_peers", XLB_CFG_SCALAR, xlb_cfg_vrrp_peer, obj);

	return n < 0 ? n : 0;
}

/* "ADDR" or "ADDR/PREFIX", as `ip addr add` takes it; the prefix defaults to a host route. */
static int xlb_cfg_vrrp_vaddr(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vrrp *vrrp = obj;
	struct xlb_cfg_pos at = xlb_cfg_at(p);
	const char *s = xlb_cfg_str(p), *slash = strchr(s, '/'), *why;
	size_t i, n = vrrp->n_vaddrs, len = slash ? (size_t)(slash - s) : strlen(s);
	char buf[INET6_ADDRSTRLEN], first[INET6_ADDRSTRLEN];
	const struct xlb_cfg_vaddr *o;
	struct xlb_cfg_vaddr v;
	uint32_t max, prefix;
	int err;

	memset(&v, 0, sizeof(v));
	v.pos = at;
	if (len >= sizeof(buf))
		len = sizeof(buf) - 1; /* too long for any address: fails to parse */
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (xlb_addr_parse(buf, &v.addr))
		return xlb_cfg_reject(p, at,
				      "bad address '%.48s': not an IPv4 or IPv6 address "
				      "(with an optional /prefix)",
				      s);
	why = xlb_cfg_addr_unusable(&v.addr);
	if (why)
		return xlb_cfg_reject(p, at, "address %s %s", buf, why);
	max = v.addr.family == XLB_FAMILY_V4 ? 32 : 128;
	prefix = max;
	if (slash) {
		/* xlb_cfg_uint() would call a netmask's leading 255 out of range. */
		err = strspn(slash + 1, "0123456789") == strlen(slash + 1)
			      ? xlb_cfg_uint(slash + 1, 1, max, &prefix)
			      : -EINVAL;
		if (err == -EINVAL)
			return xlb_cfg_reject(p, at,
					      "bad prefix '/%.16s' in '%.48s' (expected /1../%u)",
					      slash + 1, s, max);
		if (err)
			return xlb_cfg_reject(p, at,
					      "prefix /%.16s is out of range for IPv%u (/1../%u)",
					      slash + 1, v.addr.family, max);
	}
	v.prefix = prefix;

	/* Only addresses taken are in the array: vaddrs[0] is the first good one. */
	o = vrrp->vaddrs;
	xlb_addr_str(&v.addr, buf, sizeof(buf));
	if (n && o[0].addr.family != v.addr.family)
		return xlb_cfg_reject(p, at,
				      "virtual_addresses mix IPv4 and IPv6 (%s, and %s at line "
				      "%u): VRRPv3 runs one family per virtual router",
				      buf, xlb_addr_str(&o[0].addr, first, sizeof(first)),
				      o[0].pos.line);
	for (i = 0; i < n && !xlb_addr_eq(&o[i].addr, &v.addr); i++)
		;
	if (i < n)
		return xlb_cfg_reject(p, at, "duplicate virtual address %s (first at line %u)",
				      buf, o[i].pos.line);
	if (xlb_cfg_grow(p, vrrp->vaddrs, n))
		return p->stop;
	vrrp->vaddrs[vrrp->n_vaddrs++] = v;
	/* Once, at the first past the limit. */
	if (n == XLB_CFG_VRRP_MAX_ADDRS)
		return xlb_cfg_reject(p, at,
				      "too many virtual addresses (at most %d in an advert)",
				      XLB_CFG_VRRP_MAX_ADDRS);
	return 0;
}

static int xlb_cfg_vrrp_vaddrs(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_pos at = xlb_cfg_at(p);
	int n;

	n = xlb_cfg_walk_list(p, "virtual_addresses", XLB_CFG_SCALAR, xlb_cfg_vrrp_vaddr, obj);
	if (n < 0)
		return n;
	if (!n)
		return xlb_cfg_reject(p, at, "'virtual_addresses' must list at least one address");
	return 0;
}

static int xlb_cfg_vrrp_garp_repeat(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vrrp *vrrp = obj;

	return xlb_cfg_int_val(p, "garp_repeat", 1, 100, &vrrp->garp_repeat);
}

static int xlb_cfg_vrrp_garp_delay(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vrrp *vrrp = obj;

	return xlb_cfg_duration_val(p, "garp_delay", 0, XLB_CFG_FAILOVER_MAX_MS,
				    &vrrp->garp_delay_ms);
}

static int xlb_cfg_vrrp_garp_refresh(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vrrp *vrrp = obj;

	return xlb_cfg_duration_val(p, "garp_refresh", 0, XLB_CFG_FAILOVER_MAX_MS,
				    &vrrp->garp_refresh_ms);
}

static int xlb_cfg_vrrp_notify(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_vrrp *vrrp = obj;

	return xlb_cfg_command_val(p, "notify", vrrp->notify, sizeof(vrrp->notify));
}

static int xlb_cfg_vrrp_track(struct xlb_cfg_parser *p, void *obj)
{
	int n = xlb_cfg_walk_list(p, "track", XLB_CFG_MAP, xlb_cfg_track, obj);

	return n < 0 ? n : 0;
}

/* Peers may come before the addresses whose family they must share. */
static int xlb_cfg_vrrp_end(struct xlb_cfg_parser *p, void *obj, struct xlb_cfg_pos start,
			    const struct xlb_cfg_mark *seen)
{
	const struct xlb_cfg_mark *pre = &seen[XLB_CFG_VRRP_PREEMPT];
	const struct xlb_cfg_mark *nopre = &seen[XLB_CFG_VRRP_NOPREEMPT];
	const struct xlb_cfg_vrrp *vrrp = obj;
	char a[INET6_ADDRSTRLEN];
	uint8_t family;
	size_t i;

	(void)start;
	if (pre->at.line && nopre->at.line)
		xlb_cfg_error(p, xlb_cfg_pos_after(pre->at, nopre->at) ? pre->at : nopre->at,
			      "give preempt or nopreempt, not both (nopreempt: true is "
			      "preempt: false)");
	if (!vrrp->n_vaddrs)
		return p->stop;
	family = vrrp->vaddrs[0].addr.family;
	for (i = 0; i < vrrp->n_unicast_peers; i++) {
		const struct xlb_addr *peer = &vrrp->unicast_peers[i];

		xlb_addr_str(peer, a, sizeof(a));
		if (peer->family != family)
			xlb_cfg_error(p, p->peer_at[i],
				      "unicast peer %s is IPv%u, the virtual addresses IPv%u", a,
				      peer->family, family);
		/*
		 * Unicast peers are also the only sources adverts are taken from, and IPv6
		 * adverts come from the sender's link-local address (RFC 5798 5.1.2.1): a
		 * global address here would refuse the real peer and leave two masters.
		 */
		else if (family == XLB_FAMILY_V6 && !IN6_IS_ADDR_LINKLOCAL((struct in6_addr *)peer->w))
			xlb_cfg_error(p, p->peer_at[i],
				      "unicast peer %s: IPv6 adverts come from the peer's link-local "
				      "address (fe80::/10); give that", a);
	}
	return p->stop;
}

static const struct xlb_cfg_key xlb_cfg_vrrp_keys[] = {
	[XLB_CFG_VRRP_INTERFACE] = { "interface", XLB_CFG_SCALAR, true, xlb_cfg_vrrp_interface },
	[XLB_CFG_VRRP_VRID] = { "vrid", XLB_CFG_SCALAR, true, xlb_cfg_vrrp_vrid },
	[XLB_CFG_VRRP_PRIORITY] = { "priority", XLB_CFG_SCALAR, false, xlb_cfg_vrrp_priority },
	[XLB_CFG_VRRP_ADVERT_INTERVAL] = { "advert_interval", XLB_CFG_SCALAR, false,
					   xlb_cfg_vrrp_advert_interval },
	[XLB_CFG_VRRP_PREEMPT] = { "preempt", XLB_CFG_SCALAR, false, xlb_cfg_vrrp_preempt },
	[XLB_CFG_VRRP_PREEMPT_DELAY] = { "preempt_delay", XLB_CFG_SCALAR, false,
					 xlb_cfg_vrrp_preempt_delay },
	[XLB_CFG_VRRP_NOPREEMPT] = { "nopreempt", XLB_CFG_SCALAR, false, xlb_cfg_vrrp_nopreempt },
	[XLB_CFG_VRRP_UNICAST_PEERS] = { "unicast_peers", XLB_CFG_LIST, false,
					 xlb_cfg_vrrp_peers },
	[XLB_CFG_VRRP_VIRTUAL_ADDRESSES] = { "virtual_addresses", XLB_CFG_LIST, true,
					     xlb_cfg_vrrp_vaddrs },
	[XLB_CFG_VRRP_GARP_REPEAT] = { "garp_repeat", XLB_CFG_SCALAR, false,
				       xlb_cfg_vrrp_garp_repeat },
	[XLB_CFG_VRRP_GARP_DELAY] = { "garp_delay", XLB_CFG_SCALAR, false,
				      xlb_cfg_vrrp_garp_delay },
	[XLB_CFG_VRRP_GARP_REFRESH] = { "garp_refresh", XLB_CFG_SCALAR, false,
					xlb_cfg_vrrp_garp_refresh },
	[XLB_CFG_VRRP_NOTIFY] = { "notify", XLB_CFG_SCALAR, false, xlb_cfg_vrrp_notify },
	[XLB_CFG_VRRP_TRACK] = { "track", XLB_CFG_LIST, false, xlb_cfg_vrrp_track },
};
_Static_assert(XLB_CFG_ARRAY_SIZE(xlb_cfg_vrrp_keys) <= XLB_CFG_MAX_KEYS,
	       "raise XLB_CFG_MAX_KEYS");

static const struct xlb_cfg_section xlb_cfg_vrrp_section = {
	.where = "in vrrp",
	.keys = xlb_cfg_vrrp_keys,
	.n_keys = XLB_CFG_ARRAY_SIZE(xlb_cfg_vrrp_keys),
	.end = xlb_cfg_vrrp_end,
};

/* sync: {listen, peer, key_file} */

enum {
	XLB_CFG_SYNC_LISTEN,
	XLB_CFG_SYNC_PEER,
	XLB_CFG_SYNC_KEY_FILE,
};

static int xlb_cfg_sync_listen(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_sync *sync = obj;

	return xlb_cfg_hostport_val(p, "listen", XLB_CFG_SYNC_DEFAULT_PORT, &sync->listen_addr,
				    &sync->listen_port);
}

static int xlb_cfg_sync_peer(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_sync *sync = obj;

	p->sync_peer_at = xlb_cfg_at(p);
	return xlb_cfg_hostport_val(p, "peer", XLB_CFG_SYNC_DEFAULT_PORT, &sync->peer_addr,
				    &sync->peer_port);
}

/* Only the name: xlbd reads the key when it starts, so --check works without it. */
static int xlb_cfg_sync_key_file(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_cfg_sync *sync = obj;

	return xlb_cfg_abs_path_val(p, "key_file", sync->key_file, sizeof(sync->key_file));
}

static int xlb_cfg_sync_end(struct xlb_cfg_parser *p, void *obj, struct xlb_cfg_pos start,
			    const struct xlb_cfg_mark *seen)
{
	const struct xlb_cfg_sync *sync = obj;
	char a[INET6_ADDRSTRLEN];

	(void)start;
	if (!seen[XLB_CFG_SYNC_LISTEN].ok || !seen[XLB_CFG_SYNC_PEER].ok)
		return p->stop;
	xlb_addr_str(&sync->peer_addr, a, sizeof(a));
	if (sync->peer_addr.family != sync->listen_addr.family)
		xlb_cfg_error(p, p->sync_peer_at, "sync peer %s is IPv%u, listen IPv%u", a,
			      sync->peer_addr.family, sync->listen_addr.family);
	else if (xlb_addr_eq(&sync->peer_addr, &sync->listen_addr) &&
		 sync->peer_port == sync->listen_port)
		xlb_cfg_error(p, p->sync_peer_at,
			      "sync peer %s port %u is the listen address itself", a,
			      sync->peer_port);
	return p->stop;
}

static const struct xlb_cfg_key xlb_cfg_sync_keys[] = {
	[XLB_CFG_SYNC_LISTEN] = { "listen", XLB_CFG_SCALAR, true, xlb_cfg_sync_listen },
	[XLB_CFG_SYNC_PEER] = { "peer", XLB_CFG_SCALAR, true, xlb_cfg_sync_peer },
	[XLB_CFG_SYNC_KEY_FILE] = { "key_file", XLB_CFG_SCALAR, true, xlb_cfg_sync_key_file },
};
_Static_assert(XLB_CFG_ARRAY_SIZE(xlb_cfg_sync_keys) <= XLB_CFG_MAX_KEYS,
	       "raise XLB_CFG_MAX_KEYS");

static const struct xlb_cfg_section xlb_cfg_sync_section = {
	.where = "in sync",
	.keys = xlb_cfg_sync_keys,
	.n_keys = XLB_CFG_ARRAY_SIZE(xlb_cfg_sync_keys),
	.end = xlb_cfg_sync_end,
};

/* failover: {mode, vrrp, sync} */

enum {
	XLB_CFG_FAILOVER_MODE,
	XLB_CFG_FAILOVER_VRRP,
	XLB_CFG_FAILOVER_SYNC,
};

static int xlb_cfg_failover_mode(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_config *cfg = obj;
	int v = xlb_cfg_lookup(xlb_cfg_failover_modes, xlb_cfg_str(p));

	if (v == XLB_CFG_NOT_YET)
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "failover mode '%s' is not supported yet "
				      "(expected vrrp or none)",
				      xlb_cfg_str(p));
	if (v < 0)
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "unknown failover mode '%.32s' (expected vrrp or none)",
				      xlb_cfg_str(p));
	cfg->failover_mode = v;
	return 0;
}

static int xlb_cfg_failover_vrrp(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_config *cfg = obj;

	cfg->vrrp.pos = xlb_cfg_at(p);
	return xlb_cfg_walk_map(p, &xlb_cfg_vrrp_section, &cfg->vrrp);
}

static int xlb_cfg_failover_sync(struct xlb_cfg_parser *p, void *obj)
{
	struct xlb_config *cfg = obj;

	cfg->sync.enabled = 1;
	cfg->sync.pos = xlb_cfg_at(p);
	return xlb_cfg_walk_map(p, &xlb_cfg_sync_section, &cfg->sync);
}

/* What the mode needs, and what only another mode takes; nothing to say if the mode is bad. */
static int xlb_cfg_failover_end(struct xlb_cfg_parser *p, void *obj, struct xlb_cfg_pos start,
				const struct xlb_cfg_mark *seen)
{
	const struct xlb_config *cfg = obj;

	if (!seen[XLB_CFG_FAILOVER_MODE].ok)
		return p->stop;
	if (cfg->failover_mode == XLB_FAILOVER_VRRP && !seen[XLB_CFG_FAILOVER_VRRP].at.line)
		xlb_cfg_error(p, start, "missing required key 'vrrp' in failover (mode is vrrp)");
	if (cfg->failover_mode != XLB_FAILOVER_NONE)
		return p->stop;
	if (seen[XLB_CFG_FAILOVER_VRRP].at.line)
		xlb_cfg_error(p, seen[XLB_CFG_FAILOVER_VRRP].at,
			      "vrrp does not apply to mode none (set mode: vrrp, or leave it out)");
	/* Flows are synced to the standby: without VRRP there is none. */
	if (seen[XLB_CFG_FAILOVER_SYNC].at.line)
		xlb_cfg_error(p, seen[XLB_CFG_FAILOVER_SYNC].at,
			      "sync needs mode vrrp (mode is none)");
	return p->stop;
}

static const struct xlb_cfg_key xlb_cfg_failover_keys[] = {
	[XLB_CFG_FAILOVER_MODE] = { "mode", XLB_CFG_SCALAR, true, xlb_cfg_failover_mode },
	[XLB_CFG_FAILOVER_VRRP] = { "vrrp", XLB_CFG_MAP, false, xlb_cfg_failover_vrrp },
	[XLB_CFG_FAILOVER_SYNC] = { "sync", XLB_CFG_MAP, false, xlb_cfg_failover_sync },
};
_Static_assert(XLB_CFG_ARRAY_SIZE(xlb_cfg_failover_keys) <= XLB_CFG_MAX_KEYS,
	       "raise XLB_CFG_MAX_KEYS");

static const struct xlb_cfg_section xlb_cfg_failover_section = {
	.where = "in failover",
	.keys = xlb_cfg_failover_keys,
	.n_keys = XLB_CFG_ARRAY_SIZE(xlb_cfg_failover_keys),
	.end = xlb_cfg_failover_end,
};

static int xlb_cfg_failover(struct xlb_cfg_parser *p, void *obj)
{
	return xlb_cfg_walk_map(p, &xlb_cfg_failover_section, obj);
}

/* The top level. */

enum {
	XLB_CFG_TOP_INTERFACES,
	XLB_CFG_TOP_MAGLEV,
	XLB_CFG_TOP_VIPS,
	XLB_CFG_TOP_NOTIFY,
	XLB_CFG_TOP_FAILOVER,
	XLB_CFG_TOP_CONTROL,
};

/*
 * A track's vip must name a VIP of this config, wherever in the file the vips are. When a VIP's
 * name is unknown (its address was rejected), that VIP already has its error; a name not found
 * may be its, so none is reported.
 */
static int xlb_cfg_top_end(struct xlb_cfg_parser *p, void *obj, struct xlb_cfg_pos start,
			   const struct xlb_cfg_mark *seen)
{
	const struct xlb_config *cfg = obj;
	const struct xlb_cfg_vrrp *vrrp = &cfg->vrrp;
	size_t i, j;

	(void)start;
	if (!seen[XLB_CFG_TOP_VIPS].ok)
		return p->stop;
	for (j = 0; j < cfg->n_vips; j++)
		if (!p->vip_name[j].ok)
			return p->stop;
	for (i = 0; i < vrrp->n_tracks; i++) {
		if (!vrrp->tracks[i].is_vip || !p->track_at[i].ok)
			continue;
		for (j = 0; j < cfg->n_vips && strcmp(cfg->vips[j].name, vrrp->tracks[i].name); j++)
			;
		if (j == cfg->n_vips)
			xlb_cfg_error(p, p->track_at[i].at, "no VIP named '%s'",
				      vrrp->tracks[i].name);
	}
	return p->stop;
}

static const struct xlb_cfg_key xlb_cfg_top_keys[] = {
	[XLB_CFG_TOP_INTERFACES] = { "interfaces", XLB_CFG_LIST, true, xlb_cfg_interfaces },
	[XLB_CFG_TOP_MAGLEV] = { "maglev", XLB_CFG_MAP, false, xlb_cfg_maglev },
	[XLB_CFG_TOP_VIPS] = { "vips", XLB_CFG_LIST, true, xlb_cfg_vips },
	[XLB_CFG_TOP_NOTIFY] = { "notify", XLB_CFG_SCALAR, false, xlb_cfg_notify },
	[XLB_CFG_TOP_FAILOVER] = { "failover", XLB_CFG_MAP, false, xlb_cfg_failover },
	[XLB_CFG_TOP_CONTROL] = { "control", XLB_CFG_MAP, false, xlb_cfg_control },
};
_Static_assert(XLB_CFG_ARRAY_SIZE(xlb_cfg_top_keys) <= XLB_CFG_MAX_KEYS,
	       "raise XLB_CFG_MAX_KEYS");

static const struct xlb_cfg_section xlb_cfg_top_section = {
	.where = "at the top level",
	.keys = xlb_cfg_top_keys,
	.n_keys = XLB_CFG_ARRAY_SIZE(xlb_cfg_top_keys),
	.end = xlb_cfg_top_end,
};

/* stream-start, one document whose root is the top-level mapping, stream-end. */
static int xlb_cfg_walk(struct xlb_cfg_parser *p)
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
	} else if (xlb_cfg_walk_map(p, &xlb_cfg_top_section, p->cfg)) {
		return p->stop;
	}
	/* document-end, then stream-end or another document. */
	if (xlb_cfg_next(p) || xlb_cfg_next(p))
		return p->stop;
	if (p->ev.type == YAML_DOCUMENT_START_EVENT)
		xlb_cfg_error(p, xlb_cfg_at(p), "only one YAML document is allowed");
	return p->stop;
}

/* Stable, so errors at one position keep the order they were found in; n stays small. */
static void xlb_cfg_errors_sort(struct xlb_cfg_errors *errs)
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

int xlb_cfg_parse_string(const char *name, const char *text, size_t len, struct xlb_config *cfg,
			 struct xlb_cfg_errors *errs)
{
	struct xlb_cfg_parser p = {
		.text = text,
		.len = len,
		.cfg = cfg,
		.errs = errs,
	};
	int err;

	memset(cfg, 0, sizeof(*cfg));
	memset(errs, 0, sizeof(*errs));
	cfg->maglev_size = XLB_MAGLEV_DEFAULT_SIZE;
	_Static_assert(sizeof(XLB_CONTROL_SOCKET) <= sizeof(cfg->control_socket),
		       "XLB_CONTROL_SOCKET does not fit");
	memcpy(cfg->control_socket, XLB_CONTROL_SOCKET, sizeof(XLB_CONTROL_SOCKET));
	/* keepalived's defaults; they hold whether or not the file has a vrrp section. */
	cfg->vrrp.priority = XLB_VRRP_DEFAULT_PRIORITY;
	cfg->vrrp.advert_cs = XLB_VRRP_DEFAULT_INTERVAL_CS;
	cfg->vrrp.preempt = 1;
	cfg->vrrp.garp_repeat = XLB_VRRP_DEFAULT_GARP_REPEAT;
	cfg->vrrp.garp_delay_ms = XLB_VRRP_DEFAULT_GARP_DELAY_MS;
	cfg->sync.listen_port = XLB_CFG_SYNC_DEFAULT_PORT;
	cfg->sync.peer_port = XLB_CFG_SYNC_DEFAULT_PORT;
	cfg->path = strdup(name ?: "<config>");
	if (!cfg->path)
		return -ENOMEM;
	if (!yaml_parser_initialize(&p.yp)) {
		free(cfg->path);
		cfg->path = NULL;
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&p.yp, (const unsigned char *)text, len);

	xlb_cfg_walk(&p);

	if (p.have_ev)
		yaml_event_delete(&p.ev);
	yaml_parser_delete(&p.yp);
	free(p.if_name);
	free(p.vip_addr);
	free(p.vip_name);
	free(p.be_addr);
	free(p.be_hc);
	free(p.peer_at);
	free(p.track_at);

	err = p.stop == -ENOMEM ? -ENOMEM : errs->n ? -EINVAL : 0;
	if (err) {
		xlb_cfg_free(cfg);
		if (err == -ENOMEM)
			xlb_cfg_errors_free(errs);
		else
			xlb_cfg_errors_sort(errs);
	}
	return err;
}

/* Read all of path; works for pipes and /dev/stdin too, which have no useful st_size. */
static int xlb_cfg_read(const char *path, char **textp, size_t *lenp)
{
	size_t len = 0, cap = 0;
	char *text = NULL, *t;
	ssize_t r;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (len == cap) {
			if (cap >= XLB_CFG_MAX_FILE) {
				err = -EFBIG;
				break;
			}
			cap = cap ? cap * 2 : 4096;
			t = realloc(text, cap);
			if (!t) {
				err = -ENOMEM;
				break;
			}
			text = t;
		}
		r = read(fd, text + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			break;
		}
		if (!r)
			break;
		len += r;
	}
	close(fd);
	if (err) {
		free(text);
		return err;
	}
	*textp = text;
	*lenp = len;
	return 0;
}

int xlb_cfg_parse_file(const char *path, struct xlb_config *cfg, struct xlb_cfg_errors *errs)
{
	size_t len = 0;
	char *text = NULL;
	int err;

	memset(cfg, 0, sizeof(*cfg));
	memset(errs, 0, sizeof(*errs));
	err = xlb_cfg_read(path, &text, &len);
	if (err)
		return err;
	err = xlb_cfg_parse_string(path, text ?: "", len, cfg, errs);
	free(text);
	return err;
}

void xlb_cfg_free(struct xlb_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->n_vips; i++)
		free(cfg->vips[i].backends);
	free(cfg->vips);
	free(cfg->ifaces);
	free(cfg->vrrp.unicast_peers);
	free(cfg->vrrp.vaddrs);
	free(cfg->vrrp.tracks);
	free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}

void xlb_cfg_errors_free(struct xlb_cfg_errors *errs)
{
	free(errs->v);
	memset(errs, 0, sizeof(*errs));
}

void xlb_cfg_errors_print(const struct xlb_cfg_errors *errs, const char *name, FILE *out)
{
	size_t i;

	for (i = 0; i < errs->n; i++)
		fprintf(out, "%s:%u:%u: %s\n", name ?: "<config>", errs->v[i].pos.line,
			errs->v[i].pos.col, errs->v[i].msg);
}
