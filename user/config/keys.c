// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scalar validators and the one handler of keys as data (keys.h). Numbers are decimal only,
 * booleans only true or false, durations always carry a unit: one config should mean the same
 * to every YAML reader and every operator.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config/keys.h"

int xlb_cfg_lookup(const struct xlb_cfg_word *w, const char *s)
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
int xlb_cfg_uint(const char *s, uint32_t min, uint32_t max, uint32_t *out)
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
int xlb_cfg_int_val(struct xlb_cfg_parser *p, const char *what, uint32_t min, uint32_t max,
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
int xlb_cfg_text_val(struct xlb_cfg_parser *p, const char *what, char *buf, size_t size)
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
int xlb_cfg_bool_val(struct xlb_cfg_parser *p, const char *what, bool *out)
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
int xlb_cfg_abs_path_val(struct xlb_cfg_parser *p, const char *what, char *buf,
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
int xlb_cfg_command_val(struct xlb_cfg_parser *p, const char *what, char *buf, size_t size)
{
	if (!*xlb_cfg_str(p))
		return xlb_cfg_reject(p, xlb_cfg_at(p),
				      "%s must not be empty (leave it out for none)", what);
	return xlb_cfg_text_val(p, what, buf, size);
}

/* How messages say a duration: in the largest unit that divides it. */
const char *xlb_cfg_ms_str(uint32_t ms, char *buf, size_t len)
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
int xlb_cfg_duration_val(struct xlb_cfg_parser *p, const char *what, uint32_t min,
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

/*
 * Addresses that parse but can never be a VIP or a real server: traffic to them is not unicast
 * to one host, and an IPv4-mapped IPv6 address never appears on the wire as such.
 */
const char *xlb_cfg_addr_unusable(const struct xlb_addr *a)
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

int xlb_cfg_addr_val(struct xlb_cfg_parser *p, struct xlb_addr *out)
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

/* An interface name as the kernel takes it, into name (at least IF_NAMESIZE bytes). */
int xlb_cfg_ifname_val(struct xlb_cfg_parser *p, char *name)
{
	return xlb_cfg_ifname_str(p, xlb_cfg_at(p), xlb_cfg_str(p), name);
}

int xlb_cfg_ifname_str(struct xlb_cfg_parser *p, struct xlb_cfg_pos at, const char *s, char *name)
{
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

/* A u8, u16 or u32 field. */
static void xlb_cfg_store(void *field, size_t size, uint32_t v)
{
	uint16_t v16 = v;
	uint8_t v8 = v;

	if (size == 1)
		memcpy(field, &v8, 1);
	else if (size == 2)
		memcpy(field, &v16, 2);
	else
		memcpy(field, &v, 4);
}

int xlb_cfg_key_value(struct xlb_cfg_parser *p, const struct xlb_cfg_key *k, void *obj)
{
	const char *what = k->what ?: k->name;
	struct xlb_cfg_pos at = xlb_cfg_at(p);
	char *field = (char *)obj + k->off;
	uint32_t v = 0;
	bool b = false;
	int ret;

	switch (k->type) {
	case XLB_CFG_T_FN:
		return k->parse(p, obj);
	case XLB_CFG_T_UINT:
		ret = xlb_cfg_int_val(p, what, k->min, k->max, &v);
		break;
	case XLB_CFG_T_MS:
		ret = xlb_cfg_duration_val(p, what, k->min, k->max, &v);
		break;
	case XLB_CFG_T_BOOL:
		ret = xlb_cfg_bool_val(p, what, &b);
		v = b;
		break;
	case XLB_CFG_T_WORD:
		ret = xlb_cfg_lookup(k->words, xlb_cfg_str(p));
		if (ret < 0)
			return xlb_cfg_reject(p, at, "bad %s '%.32s' (expected %s)", what,
					      xlb_cfg_str(p), k->expect);
		v = ret;
		ret = 0;
		break;
	case XLB_CFG_T_TEXT:
		return xlb_cfg_text_val(p, what, field, k->size);
	case XLB_CFG_T_COMMAND:
		return xlb_cfg_command_val(p, what, field, k->size);
	case XLB_CFG_T_PATH:
		return xlb_cfg_abs_path_val(p, what, field, k->size);
	case XLB_CFG_T_IFNAME:
		return xlb_cfg_ifname_val(p, field);
	case XLB_CFG_T_SECTION:
		return xlb_cfg_walk_map(p, k->sub, field);
	case XLB_CFG_T_LIST:
		ret = xlb_cfg_walk_list(p, k->name, k->entry, k->parse, obj);
		if (ret < 0)
			return ret;
		if (ret < (int)k->min)
			return xlb_cfg_reject(p, at, "'%s' must list at least one %s", k->name,
					      k->expect);
		return 0;
	default:
		return -EINVAL;
	}
	if (!ret)
		xlb_cfg_store(field, k->size, v);
	return ret;
}
