/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the packet fuzzers share: one deterministic random stream (xorshift64*, from the seed
 * each prints), byte-order helpers, the mutations that know nothing of any header, the frame
 * printer for a violation, and the environment knobs. Each fuzzer includes it once, after
 * fixture.h.
 */
#ifndef XLB_TEST_FUZZ_RNG_H
#define XLB_TEST_FUZZ_RNG_H

#include <inttypes.h>
#include <time.h>

#include "fixture.h"

static uint64_t rng_state; /* one stream per process: the fuzzers are single-threaded */

static inline uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static inline uint32_t rnd_below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

static inline bool rnd_chance(uint32_t one_in)
{
	return rnd_below(one_in) == 0;
}

static inline uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static inline void put16(uint8_t *b, uint16_t v)
{
	b[0] = v >> 8;
	b[1] = v & 0xff;
}

/* The frame cut anywhere after its Ethernet header. */
static inline void mut_truncate(struct pkt *p)
{
	if (p->len > ETH_HLEN)
		p->len = ETH_HLEN + rnd_below(p->len - ETH_HLEN);
}

static inline void mut_bit_flip(struct pkt *p)
{
	uint32_t n = 1 + rnd_below(8), i;

	for (i = 0; i < n; i++) {
		uint32_t bit = rnd_below(p->len * 8);

		p->data[bit / 8] ^= 1u << (bit % 8);
	}
}

static inline void print_frame(const struct pkt *p)
{
	uint32_t i;

	for (i = 0; i < p->len; i++)
		fprintf(stderr, "%02x%s", p->data[i], i % 32 == 31 ? "\n  " : "");
	fprintf(stderr, "\n");
}

static inline uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : dflt;
}

/*
 * Seed the stream from env_seed (else the clock and pid) and read the frame count from
 * env_frames; both printed, so a failing run says how to repeat it.
 */
static inline uint64_t fuzz_start(const char *name, const char *env_seed, const char *env_frames,
				  uint64_t dflt_frames, uint64_t *frames)
{
	uint64_t seed = env_u64(env_seed, (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32));

	*frames = env_u64(env_frames, dflt_frames);
	rng_state = seed ? seed : 1;
	printf("%s: seed %" PRIu64 " (%s=%" PRIu64 " reproduces), %" PRIu64 " frames\n", name, seed,
	       env_seed, seed, *frames);
	fflush(stdout);
	return seed;
}

#endif /* XLB_TEST_FUZZ_RNG_H */
