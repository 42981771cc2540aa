/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The config module's own header (only user/config/ includes it): the libyaml walk that every
 * schema shares. A section is a table of keys; the walk reads a mapping against it, reports
 * unknown, duplicate, missing and ill-kinded keys, hands each value to its key (keys.h) and runs
 * the section's end check. Errors are collected at file:line:col, not fatal.
 */
#ifndef XLB_CONFIG_WALK_H
#define XLB_CONFIG_WALK_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <yaml.h>

#include "config/config.h"

#define XLB_CFG_MAX_KEYS 18		/* keys in the largest section (vrrp) */
#define XLB_CFG_MAX_ERRORS 100		/* past this the rest is noise from the same mistake */
/*
 * Open collections at once; a config needs 6. libyaml keeps a possible simple key per open
 * flow level and rescans them on every token, so 40k '[' took seconds, on the loop.
 */
#define XLB_CFG_MAX_DEPTH 64

#define XLB_CFG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A key's or value's position and whether it was accepted, kept for checks that compare items. */
struct xlb_cfg_mark {
	struct xlb_cfg_pos at;
	struct xlb_cfg_pos val; /* in a section's seen[]: the value, if its kind was right */
	bool ok;
};

/* What the schemas remember between sections (schema.h); the walk only carries it. */
struct xlb_cfg_state;

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
	struct xlb_cfg_state *st;
};

enum xlb_cfg_kind {
	XLB_CFG_SCALAR,
	XLB_CFG_LIST,
	XLB_CFG_MAP,
	XLB_CFG_SCALAR_OR_MAP, /* a list's entries only: a short form, or the mapping it stands for */
	XLB_CFG_MAP_OR_LIST,   /* one of a thing, or several: its parse() looks which */
};

/* A word a scalar may hold, and what it means. */
struct xlb_cfg_word {
	const char *word;
	int val;
};

/* How a key's value is read: by its own parse(), or by keys.c from the row's data. */
enum xlb_cfg_type {
	XLB_CFG_T_FN,      /* parse() */
	XLB_CFG_T_UINT,    /* decimal in [min, max], into a u8/u16/u32 of `size` bytes */
	XLB_CFG_T_MS,      /* a duration in [min, max] ms, into a u32 */
	XLB_CFG_T_BOOL,    /* true or false, into a u8 */
	XLB_CFG_T_TEXT,    /* a string, into char[size] */
	XLB_CFG_T_COMMAND, /* a non-empty command for /bin/sh -c, into char[size] */
	XLB_CFG_T_PATH,    /* an absolute path to a file, into char[size] */
	XLB_CFG_T_IFNAME,  /* an interface name, into char[IF_NAMESIZE] */
	XLB_CFG_T_WORD,    /* one of words[], into an integer of `size` bytes */
	XLB_CFG_T_SECTION, /* a mapping read against *sub, into the field */
	XLB_CFG_T_LIST,    /* a list whose entries go to item(), at least min of them */
};

struct xlb_cfg_section;

struct xlb_cfg_key {
	const char *name;
	enum xlb_cfg_kind kind;
	bool required;
	enum xlb_cfg_type type;
	enum xlb_cfg_kind entry;           /* LIST: what each entry must be */
	size_t off;                        /* the field, from the section's object */
	size_t size;                       /* its size */
	uint32_t min, max;                 /* UINT, MS: the bounds; LIST: 1 = must not be empty */
	const char *what;                  /* how messages name it; NULL: by its key */
	const struct xlb_cfg_word *words;  /* WORD */
	const char *expect;                /* WORD: "auto, native or generic"; LIST: "interface" */
	const struct xlb_cfg_section *sub; /* SECTION */
	/*
	 * FN: consume the value node at the current event, leaving its last event current; LIST:
	 * the same for one entry. Returns 0 when the value was taken, 1 when it was rejected (error
	 * recorded), or p->stop.
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

/* A section over the key table k: `where` as messages say it; `end` or NULL. */
#define XLB_CFG_SECTION(w, k, e)                                                         \
	{                                                                                \
		.where = (w), .keys = (k), .end = (e),                                   \
		/* a negative array size when k outgrows seen[] */                       \
		.n_keys = XLB_CFG_ARRAY_SIZE(k) +                                        \
			  0 * sizeof(char[XLB_CFG_ARRAY_SIZE(k) <= XLB_CFG_MAX_KEYS ? 1 : -1]) \
	}

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

/* Where the current event starts. */
static inline struct xlb_cfg_pos xlb_cfg_at(const struct xlb_cfg_parser *p)
{
	return (struct xlb_cfg_pos){ .line = p->ev.start_mark.line + 1,
				     .col = p->ev.start_mark.column + 1 };
}

/* The current scalar's text. */
static inline const char *xlb_cfg_str(const struct xlb_cfg_parser *p)
{
	return (const char *)p->ev.data.scalar.value;
}

/* Is a after b in the file? Of two keys that exclude each other, the later one is the mistake. */
static inline bool xlb_cfg_pos_after(struct xlb_cfg_pos a, struct xlb_cfg_pos b)
{
	return a.line > b.line || (a.line == b.line && a.col > b.col);
}

void xlb_cfg_error(struct xlb_cfg_parser *p, struct xlb_cfg_pos at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Record an error against a value and tell the walk the value was not taken: 1 or p->stop. */
int xlb_cfg_reject(struct xlb_cfg_parser *p, struct xlb_cfg_pos at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * Like xlb_cfg_error(), but not again at a position that already has this message: a VIP's
 * health is checked once for itself and again in every backend that inherits it.
 */
void xlb_cfg_error_once(struct xlb_cfg_parser *p, struct xlb_cfg_pos at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Read the mapping starting at the current event against sec's keys, then run sec->end. Unknown,
 * duplicate and ill-kinded keys are reported and stepped over so the rest of the mapping is still
 * checked. Returns p->stop.
 */
int xlb_cfg_walk_map(struct xlb_cfg_parser *p, const struct xlb_cfg_section *sec, void *obj);
/*
 * Read the list starting at the current event, handing each entry, which must be of `kind`
 * (a mapping, or a scalar), to item(). Returns the number of entries, or p->stop.
 */
int xlb_cfg_walk_list(struct xlb_cfg_parser *p, const char *key, enum xlb_cfg_kind kind,
		      int (*item)(struct xlb_cfg_parser *p, void *obj), void *obj);
/* Step over the node starting at the current event, leaving its last event current: p->stop. */
int xlb_cfg_skip(struct xlb_cfg_parser *p);
/* The stream: one document whose root is read against top. Returns p->stop. */
int xlb_cfg_walk(struct xlb_cfg_parser *p, const struct xlb_cfg_section *top);
/* Sort by position, stably: errors at one position keep the order they were found in. */
void xlb_cfg_errors_sort(struct xlb_cfg_errors *errs);

#endif /* XLB_CONFIG_WALK_H */
