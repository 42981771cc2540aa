/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The config module's scalar validators, and keys as data (only user/config/ includes it). A key
 * that only checks its value against constant bounds and stores it is a row of a section's
 * table, { name, offset, type, bounds }, in the spirit of xdp-tools' DEFINE_OPTION; the one
 * handler below reads every such row. Each macro checks at compile time that the field has the
 * type the row says. Validators report at the current value and return 0, 1 (rejected) or
 * p->stop, as a key's parse() does.
 */
#ifndef XLB_CONFIG_KEYS_H
#define XLB_CONFIG_KEYS_H

#include <net/if.h>
#include <string.h>

#include "config/walk.h"

/* A compile-time check inside an initialiser: 0, or a negative array size. */
#define XLB_CFG_CHECK(c) (0 * sizeof(char[(c) ? 1 : -1]))
#define XLB_CFG_TYPEOF(st, f) typeof(((st *)0)->f)
#define XLB_CFG_IS(st, f, t) __builtin_types_compatible_p(XLB_CFG_TYPEOF(st, f), t)
#define XLB_CFG_IS_UINT(st, f) \
	(XLB_CFG_IS(st, f, uint8_t) || XLB_CFG_IS(st, f, uint16_t) || XLB_CFG_IS(st, f, uint32_t))
#define XLB_CFG_IS_TEXT(st, f) XLB_CFG_IS(st, f, char[sizeof(((st *)0)->f)])
#define XLB_CFG_FIELD(st, f, ok) \
	.off = offsetof(st, f), .size = sizeof(((st *)0)->f) + XLB_CFG_CHECK(ok)

#define XLB_CFG_ROW(n, req, t, k) .name = (n), .required = (req), .type = (t), .kind = (k)

/* hi fits in the field. */
#define XLB_CFG_FITS(st, f, hi) ((uint64_t)(hi) >> (8 * sizeof(((st *)0)->f)) == 0)

/* A decimal integer in [lo, hi] into a u8, u16 or u32 that holds hi. */
#define XLB_CFG_KEY_UINT(n, req, st, f, lo, hi)                                           \
	{ XLB_CFG_ROW(n, req, XLB_CFG_T_UINT, XLB_CFG_SCALAR),                              \
	  XLB_CFG_FIELD(st, f, XLB_CFG_IS_UINT(st, f) && XLB_CFG_FITS(st, f, hi)),           \
	  .min = (lo), .max = (hi) }
/* A duration in [lo, hi] milliseconds into a u32. */
#define XLB_CFG_KEY_MS(n, req, st, f, lo, hi)                                             \
	{ XLB_CFG_ROW(n, req, XLB_CFG_T_MS, XLB_CFG_SCALAR),                                 \
	  XLB_CFG_FIELD(st, f, XLB_CFG_IS(st, f, uint32_t)), .min = (lo), .max = (hi) }
/* true or false into a u8. */
#define XLB_CFG_KEY_BOOL(n, req, st, f)                                                   \
	{ XLB_CFG_ROW(n, req, XLB_CFG_T_BOOL, XLB_CFG_SCALAR),                               \
	  XLB_CFG_FIELD(st, f, XLB_CFG_IS(st, f, uint8_t)) }
/* A string (TEXT), a command (COMMAND) or an absolute path (PATH) into a char array. */
#define XLB_CFG_KEY_STR(n, req, t, st, f, w)                                              \
	{ XLB_CFG_ROW(n, req, XLB_CFG_T_##t, XLB_CFG_SCALAR),                                \
	  XLB_CFG_FIELD(st, f, XLB_CFG_IS_TEXT(st, f)), .what = (w) }
/* An interface name into a char[IF_NAMESIZE]. */
#define XLB_CFG_KEY_IFNAME(n, req, st, f)                                                 \
	{ XLB_CFG_ROW(n, req, XLB_CFG_T_IFNAME, XLB_CFG_SCALAR),                             \
	  XLB_CFG_FIELD(st, f, XLB_CFG_IS(st, f, char[IF_NAMESIZE])) }
/* One of the words ws (matched without case) into an integer; "bad <w> 'x' (expected <e>)". */
#define XLB_CFG_KEY_WORD(n, req, st, f, ws, w, e)                                         \
	{ XLB_CFG_ROW(n, req, XLB_CFG_T_WORD, XLB_CFG_SCALAR),                               \
	  XLB_CFG_FIELD(st, f, sizeof(((st *)0)->f) == 1 || sizeof(((st *)0)->f) == 4),      \
	  .words = (ws), .what = (w), .expect = (e) }
/* A mapping read against the section s, with the same object. */
#define XLB_CFG_KEY_SECTION(n, req, s) \
	{ XLB_CFG_ROW(n, req, XLB_CFG_T_SECTION, XLB_CFG_MAP), .sub = (s) }
/*
 * A list of e (XLB_CFG_MAP or XLB_CFG_SCALAR) entries, each read by fn with the same object;
 * with a noun, "'<n>' must list at least one <noun>" when it is empty.
 */
#define XLB_CFG_KEY_LIST(n, req, e, fn, noun)                                             \
	{ XLB_CFG_ROW(n, req, XLB_CFG_T_LIST, XLB_CFG_LIST), .entry = (e), .parse = (fn),    \
	  .min = (noun) ? 1 : 0, .expect = (noun) }
/* A key that does what no row can say: fn reads the value. */
#define XLB_CFG_KEY_FN(n, k, req, fn) { XLB_CFG_ROW(n, req, XLB_CFG_T_FN, k), .parse = (fn) }

/* Read the current value for key k of obj, from its row or by its parse(). */
int xlb_cfg_key_value(struct xlb_cfg_parser *p, const struct xlb_cfg_key *k, void *obj);

/* The value of the word s in w (without case), or -1. */
int xlb_cfg_lookup(const struct xlb_cfg_word *w, const char *s);
/* A decimal integer in [min, max]: 0, -EINVAL (not a decimal integer) or -ERANGE. */
int xlb_cfg_uint(const char *s, uint32_t min, uint32_t max, uint32_t *out);
/* How messages say a duration: in the largest unit that divides it. */
const char *xlb_cfg_ms_str(uint32_t ms, char *buf, size_t len);

int xlb_cfg_int_val(struct xlb_cfg_parser *p, const char *what, uint32_t min, uint32_t max,
		    uint32_t *out);
int xlb_cfg_text_val(struct xlb_cfg_parser *p, const char *what, char *buf, size_t size);
int xlb_cfg_bool_val(struct xlb_cfg_parser *p, const char *what, bool *out);
int xlb_cfg_abs_path_val(struct xlb_cfg_parser *p, const char *what, char *buf, size_t size);
int xlb_cfg_command_val(struct xlb_cfg_parser *p, const char *what, char *buf, size_t size);
int xlb_cfg_duration_val(struct xlb_cfg_parser *p, const char *what, uint32_t min, uint32_t max,
			 uint32_t *out);
/* An interface name as the kernel takes it, into name (at least IF_NAMESIZE bytes). */
int xlb_cfg_ifname_val(struct xlb_cfg_parser *p, char *name);
/* The same for s, a part of the value at `at`. */
int xlb_cfg_ifname_str(struct xlb_cfg_parser *p, struct xlb_cfg_pos at, const char *s, char *name);
/* A unicast address a VIP or a real server can have. */
int xlb_cfg_addr_val(struct xlb_cfg_parser *p, struct xlb_addr *out);
/* Why a parsed address can never be a VIP or a real server ("is multicast"), or NULL. */
const char *xlb_cfg_addr_unusable(const struct xlb_addr *a);

#endif /* XLB_CONFIG_KEYS_H */
