/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The flow hash that picks a Maglev slot. Shared so userspace (tests, `xlbctl lookup`, a peer
 * dispatcher of an ECMP fleet) computes exactly what the data path computes.
 * MurmurHash3's 32-bit body and finaliser over the ten words of struct xlb_flow; the words are
 * taken in network order as stored, so the result does not depend on host endianness.
 */
#ifndef XLB_HASH_H
#define XLB_HASH_H

#include <linux/types.h>
#include "abi.h"

#ifndef XLB_HASH_INLINE
#define XLB_HASH_INLINE static inline __attribute__((always_inline))
#endif

#define XLB_HASH_SEED 0x9e3779b9u

XLB_HASH_INLINE __u32 xlb_rotl32(__u32 x, int r)
{
	return (x << r) | (x >> (32 - r));
}

XLB_HASH_INLINE __u32 xlb_hash_mix(__u32 h, __u32 k)
{
	k *= 0xcc9e2d51u;
	k = xlb_rotl32(k, 15);
	k *= 0x1b873593u;
	h ^= k;
	h = xlb_rotl32(h, 13);
	return h * 5 + 0xe6546b64u;
}

XLB_HASH_INLINE __u32 xlb_hash_final(__u32 h, __u32 len)
{
	h ^= len;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

XLB_HASH_INLINE __u32 xlb_flow_hash(const struct xlb_flow *f)
{
	__u32 h = XLB_HASH_SEED;

	/* Written out, not looped: the verifier and the optimiser both like straight code. */
	h = xlb_hash_mix(h, f->src[0]);
	h = xlb_hash_mix(h, f->src[1]);
	h = xlb_hash_mix(h, f->src[2]);
	h = xlb_hash_mix(h, f->src[3]);
	h = xlb_hash_mix(h, f->dst[0]);
	h = xlb_hash_mix(h, f->dst[1]);
	h = xlb_hash_mix(h, f->dst[2]);
	h = xlb_hash_mix(h, f->dst[3]);
	h = xlb_hash_mix(h, ((__u32)f->sport << 16) | f->dport);
	h = xlb_hash_mix(h, ((__u32)f->proto << 8) | f->family);
	return xlb_hash_final(h, sizeof(*f));
}

#endif /* XLB_HASH_H */
