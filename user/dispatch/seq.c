// SPDX-License-Identifier: GPL-2.0-only
/* The tables of rr, wrr, lc and wlc (dispatch/seq.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch/seq.h"
#include "xlb/abi.h"

/* A backend of the table: its position in the caller's array and the weight the table uses. */
struct seq_member {
	const struct xlb_sched_backend *be;
	uint64_t weight;
	int64_t current; /* smooth wrr's running credit */
};

/* Key order, then id: whatever order the caller lists backends in, the table comes out alike. */
static int seq_cmp(const void *a, const void *b)
{
	const struct xlb_sched_backend *x = ((const struct seq_member *)a)->be;
	const struct xlb_sched_backend *y = ((const struct seq_member *)b)->be;
	int r = xlb_sched_key_cmp(x->key, x->key_len, y->key, y->key_len);

	if (r)
		return r;
	return x->id < y->id ? -1 : x->id > y->id;
}

static uint64_t gcd64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/*
 * The members of non-zero weight, sorted, with the weights the table uses (flat: all 1) reduced
 * by their gcd and scaled below XLB_MAGLEV_MAX_SIZE. *out is NULL when there are none; *cycle is
 * the weights' sum. Returns their count, or -EINVAL / -ENOMEM.
 */
static long seq_members(const struct xlb_sched_backend *be, size_t n, int flat,
			struct seq_member **out, uint64_t *cycle)
{
	const uint64_t cap = XLB_MAGLEV_MAX_SIZE;
	struct seq_member *m;
	uint64_t g = 0, sum = 0;
	long members = xlb_sched_members(be, n);
	size_t k, cnt;

	*out = NULL;
	*cycle = 0;
	if (members <= 0)
		return members;
	cnt = (size_t)members;
	/* More members than slots could ever hold: even weight 1 each would not fit. */
	if (cnt * 2 >= cap)
		return -EINVAL;
	m = calloc(cnt, sizeof(*m));
	if (!m)
		return -ENOMEM;
	for (k = 0, cnt = 0; k < n; k++) {
		if (!be[k].weight)
			continue;
		m[cnt].be = &be[k];
		m[cnt].weight = flat ? 1 : be[k].weight;
		g = gcd64(g, m[cnt].weight);
		cnt++;
	}
	for (k = 0; k < cnt; k++) {
		m[k].weight /= g;
		sum += m[k].weight;
	}
	if (sum > cap) {
		/* The bound on the shares' error is in dispatch/seq.h. */
		uint64_t room = cap - cnt, scaled = 0;

		for (k = 0, g = 0; k < cnt; k++) {
			m[k].weight = m[k].weight * room / sum;
			if (!m[k].weight)
				m[k].weight = 1;
			g = gcd64(g, m[k].weight);
		}
		for (k = 0; k < cnt; k++) {
			m[k].weight /= g;
			scaled += m[k].weight;
		}
		sum = scaled;
	}
	qsort(m, cnt, sizeof(*m), seq_cmp);
	*out = m;
	*cycle = sum;
	return (long)cnt;
}

static uint32_t seq_size(const struct xlb_sched_backend *be, size_t n, int flat)
{
	struct seq_member *m;
	uint64_t cycle;
	long cnt = seq_members(be, n, flat, &m, &cycle);

	free(m);
	return cnt > 0 ? (uint32_t)cycle : 1;
}

static int seq_build(const struct xlb_sched_backend *be, size_t n, uint32_t *table,
		     uint32_t size, int flat)
{
	struct seq_member *m;
	uint64_t cycle, t;
	long cnt, k;

	if (!table || !size)
		return -EINVAL;
	cnt = seq_members(be, n, flat, &m, &cycle);
	if (cnt < 0)
		return (int)cnt;
	if (!cnt) {
		free(m);
		if (size != 1)
			return -EINVAL;
		table[0] = XLB_NO_BACKEND;
		return 0;
	}
	if (size != cycle) {
		free(m);
		return -EINVAL;
	}
	/* nginx's ngx_http_upstream_get_peer(): ties go to the first, in key order. */
	for (t = 0; t < cycle; t++) {
		long best = 0;

		for (k = 0; k < cnt; k++) {
			m[k].current += (int64_t)m[k].weight;
			if (m[k].current > m[best].current)
				best = k;
		}
		m[best].current -= (int64_t)cycle;
		table[t] = m[best].be->id;
	}
	free(m);
	return 0;
}

uint32_t xlb_wrr_size(const struct xlb_sched_backend *be, size_t n, uint32_t maglev_size)
{
	(void)maglev_size;
	return seq_size(be, n, 0);
}

int xlb_wrr_build(const struct xlb_sched_backend *be, size_t n, uint32_t *table, uint32_t size)
{
	return seq_build(be, n, table, size, 0);
}

uint32_t xlb_rr_size(const struct xlb_sched_backend *be, size_t n, uint32_t maglev_size)
{
	(void)maglev_size;
	return seq_size(be, n, 1);
}

int xlb_rr_build(const struct xlb_sched_backend *be, size_t n, uint32_t *table, uint32_t size)
{
	return seq_build(be, n, table, size, 1);
}

uint32_t xlb_lc_size(const struct xlb_sched_backend *be, size_t n, uint32_t maglev_size)
{
	uint32_t size = xlb_rr_size(be, n, maglev_size);

	return size > XLB_LC_MAX_BACKENDS ? XLB_LC_MAX_BACKENDS : size;
}

/* rr's one cycle lists each member once in key order: exactly lc's list. */
int xlb_lc_build(const struct xlb_sched_backend *be, size_t n, uint32_t *table, uint32_t size)
{
	uint32_t all = xlb_rr_size(be, n, 0);

	if (all > XLB_LC_MAX_BACKENDS || size != all)
		return -EINVAL;
	return seq_build(be, n, table, size, 1);
}
