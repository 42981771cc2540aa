/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The schedulers a VIP may name, one row per enum xlb_sched (include/xlb/abi.h): the words the
 * config accepts for it and, once xlb implements it, the builder of the per-VIP table the data
 * path reads, and its size. A new scheduler is a row here and a builder beside maglev's.
 */
#ifndef XLB_DISPATCH_SCHED_H
#define XLB_DISPATCH_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a table builder is told of each backend. */
struct xlb_sched_backend {
	const void *key; /* stable identity bytes (e.g. the address); decides its slots */
	size_t key_len;
	uint32_t weight; /* 0 = owns no slot */
	uint32_t id;     /* value written to the slots it owns */
};

struct xlb_scheduler {
	unsigned int id;            /* enum xlb_sched */
	const char *name;           /* how xlbctl shows it */
	const char *const *aliases; /* the config's words for it (keepalived's lb_algo too) */
	bool implemented;           /* false: the config refuses it as "not supported yet" */
	/*
	 * Fill table[0..size) with backend ids; a VIP whose backends are unchanged gets the same
	 * table on every dispatcher. Returns 0 or -EINVAL / -ENOMEM. NULL when not implemented.
	 */
	int (*build)(const struct xlb_sched_backend *be, size_t n, uint32_t *table, uint32_t size);
	/*
	 * The slots its table needs for these backends; maglev_size is the configured Maglev
	 * size (maglev and sh use it). NULL when not implemented.
	 */
	uint32_t (*size)(const struct xlb_sched_backend *be, size_t n, uint32_t maglev_size);
};

/*
 * Order of two backends' keys (memcmp, then the shorter first): builders sort by it, so the
 * caller's order never leaks into a table. <0, 0 or >0.
 */
int xlb_sched_key_cmp(const void *a, size_t a_len, const void *b, size_t b_len);

/*
 * How many of be[0..n) own slots (non-zero weight), or -EINVAL if one of them cannot: an id of
 * XLB_NO_BACKEND would read as an empty slot, here and in the data path.
 */
long xlb_sched_members(const struct xlb_sched_backend *be, size_t n);

/* The row of enum xlb_sched id; NULL for an id this build does not know. */
const struct xlb_scheduler *xlb_sched_get(unsigned int id);

/* Its name; "unknown" for an id a newer xlbd wrote (shown, not hidden). */
const char *xlb_sched_name(unsigned int id);

/*
 * The scheduler a config word names, without case. Returns 0 and *out, -EOPNOTSUPP for a word
 * xlb knows but does not implement (a reserved row, or one of keepalived's other lb_algo names),
 * -ENOENT for anything else.
 */
int xlb_sched_lookup(const char *word, const struct xlb_scheduler **out);

#endif /* XLB_DISPATCH_SCHED_H */
