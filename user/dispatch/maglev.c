// SPDX-License-Identifier: GPL-2.0-only
/*
 * Weighted Maglev table builder (Eisenbud et al., NSDI 2016, section 3.4).
 *
 * Each backend walks its own permutation of the slots, permutation[j] = (offset + j * skip) % size,
 * claiming the first slot nobody holds yet. The paper lets backends take turns round-robin; here
 * the turns are weighted: a backend's c-th claim happens at virtual time c / weight and claims are
 * served in order of (virtual time, rank by key). With equal weights this is exactly the paper's
 * round-robin. Using exact virtual times instead of credit rounded to max_weight makes the order of
 * the other backends' claims independent of who else is present, which keeps disruption low when
 * the heaviest backend comes or goes.
 *
 * Shares: when the table fills at virtual time T, backend i holds floor(T * w_i) or one less, so
 * its slot count is within (-2, 2 * n * w_i / W) of size * w_i / W, W being the sum of weights.
 *
 * Cost: a min-heap of backends keyed by their next claim time gives O(size * log n) for the turns;
 * every backend only ever moves forward along its permutation, and a full permutation visits each
 * slot once, so probing is at most size steps per backend and in practice a few per claim.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch/maglev.h"
#include "xlb/abi.h"

/* Two independent seeds so that offset and skip are unrelated even for near-identical keys. */
#define MAGLEV_SEED_OFFSET 0x6d61676c65763031ULL /* "maglev01" */
#define MAGLEV_SEED_SKIP 0x78c2b7f0a5e3d419ULL

#define FNV64_BASIS 0xcbf29ce484222325ULL
#define FNV64_PRIME 0x00000100000001b3ULL

struct maglev_state {
	const uint8_t *key; /* borrowed from the caller, for ranking only */
	size_t key_len;
	uint32_t weight;
	uint32_t id;
	uint32_t pos;    /* next slot of this backend's permutation to probe */
	uint32_t skip;   /* permutation stride, 1..size-1 */
	uint64_t claims; /* slots claimed so far */
};

int xlb_is_prime(uint32_t n)
{
	uint32_t d;

	if (n < 2)
		return 0;
	if (n < 4)
		return 1;
	if (n % 2 == 0 || n % 3 == 0)
		return 0;
	/* Every prime above 3 is 6k +- 1; d * d cannot overflow as d stays below 2^16 + 6. */
	for (d = 5; (uint64_t)d * d <= n; d += 6) {
		if (n % d == 0 || n % (d + 2) == 0)
			return 0;
	}
	return 1;
}

/*
 * FNV-1a spreads every byte through the state but leaves the low bits weak and two seeds related;
 * the splitmix64-style finaliser then avalanches each input bit over the whole word.
 */
static uint64_t maglev_hash(const uint8_t *key, size_t len, uint64_t seed)
{
	uint64_t h = FNV64_BASIS ^ seed;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= key[i];
		h *= FNV64_PRIME;
	}
	/* The length and seed go in again so "a" and "a\0" differ and the two seeds stay apart. */
	h ^= (uint64_t)len * 0x9e3779b97f4a7c15ULL;
	h += seed;
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

/* A total order on everything the table depends on, so input order cannot leak into the result. */
static int maglev_rank_cmp(const void *a, const void *b)
{
	const struct maglev_state *x = a, *y = b;
	int r = xlb_sched_key_cmp(x->key, x->key_len, y->key, y->key_len);

	if (r)
		return r;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	if (x->weight != y->weight)
		return x->weight < y->weight ? -1 : 1;
	return 0;
}

/*
 * Does a claim before b? Next claim times are (claims + 1) / weight; compare them cross-multiplied.
 * claims <= size < 2^21 and weight < 2^32, so the products fit in 64 bits. Ties go to the lower
 * rank, which is what makes equal weights plain round-robin in key order.
 */
static int maglev_before(const struct maglev_state *st, uint32_t a, uint32_t b)
{
	uint64_t ta = (st[a].claims + 1) * st[b].weight;
	uint64_t tb = (st[b].claims + 1) * st[a].weight;

	if (ta != tb)
		return ta < tb;
	return a < b;
}

static void maglev_sift_down(const struct maglev_state *st, uint32_t *heap, uint32_t n, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i, tmp;

		if (l < n && maglev_before(st, heap[l], heap[m]))
			m = l;
		if (r < n && maglev_before(st, heap[r], heap[m]))
			m = r;
		if (m == i)
			return;
		tmp = heap[i];
		heap[i] = heap[m];
		heap[m] = tmp;
		i = m;
	}
}

int xlb_maglev_build(const struct xlb_sched_backend *be, size_t n, uint32_t *table, uint32_t size)
{
	struct maglev_state *st = NULL;
	uint32_t *heap = NULL;
	uint32_t active, filled, i;
	long members;
	size_t k;
	int err = 0;

	/* The ABI's size limits also bound claims * weight below 2^64 in maglev_before(). */
	if (!table || size < XLB_MAGLEV_MIN_SIZE || size > XLB_MAGLEV_MAX_SIZE ||
	    !xlb_is_prime(size))
		return -EINVAL;
	members = xlb_sched_members(be, n);
	if (members < 0)
		return (int)members;
	active = (uint32_t)members;

	if (active) {
		st = calloc(active, sizeof(*st));
		heap = calloc(active, sizeof(*heap));
		if (!st || !heap) {
			err = -ENOMEM;
			goto cleanup;
		}
	}

	/* The table doubles as the "taken" bitmap: a slot is free while it names no backend. */
	for (i = 0; i < size; i++)
		table[i] = XLB_NO_BACKEND;
	if (!active)
		goto cleanup;

	for (k = 0, i = 0; k < n; k++) {
		if (!be[k].weight)
			continue;
		st[i].key = be[k].key;
		st[i].key_len = be[k].key_len;
		st[i].weight = be[k].weight;
		st[i].id = be[k].id;
		i++;
	}
	qsort(st, active, sizeof(*st), maglev_rank_cmp);

	for (i = 0; i < active; i++) {
		st[i].pos = maglev_hash(st[i].key, st[i].key_len, MAGLEV_SEED_OFFSET) % size;
		st[i].skip = maglev_hash(st[i].key, st[i].key_len, MAGLEV_SEED_SKIP) % (size - 1) + 1;
		heap[i] = i;
	}
	for (i = active / 2; i-- > 0;)
		maglev_sift_down(st, heap, active, i);

	/*
	 * size is prime and 0 < skip < size, so each permutation covers every slot: whoever's turn
	 * it is always finds a free one while any is left, and the loop ends after size claims.
	 */
	for (filled = 0; filled < size; filled++) {
		struct maglev_state *s = &st[heap[0]];

		while (table[s->pos] != XLB_NO_BACKEND) {
			s->pos += s->skip;
			if (s->pos >= size)
				s->pos -= size;
		}
		table[s->pos] = s->id;
		s->pos += s->skip;
		if (s->pos >= size)
			s->pos -= size;
		s->claims++;
		maglev_sift_down(st, heap, active, 0);
	}

cleanup:
	free(heap);
	free(st);
	return err;
}
