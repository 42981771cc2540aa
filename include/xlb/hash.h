/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The flow hash that picks a Maglev slot. Shared so userspace (tests, `xlbctl lookup`, a peer
 * dispatcher of an ECMP fleet) computes exactly what the data path computes.
 * A fleet needs every node to hash alike, whatever its byte order, so the hash is defined on
 * bytes: MurmurHash3_x86_32, seed XLB_HASH_SEED, over the 40 bytes
 *     src[16] dst[16] dport[2] sport[2] family proto 0 0
 * (addresses and ports in network order, as struct xlb_flow stores them), each 4-byte block read
 * little-endian as MurmurHash3 does. A little-endian host loads each word as it is; a big-endian
 * one swaps it, so both compute the same number. tests/unit/hash_kat.h holds known answers.
 */
#ifndef XLB_HASH_H
#define XLB_HASH_H

#include <linux/types.h>
#include "abi.h"

#ifndef XLB_HASH_INLINE
#define XLB_HASH_INLINE static inline __attribute__((always_inline))
#endif

#define XLB_HASH_SEED 0x9e3779b9u

/* A stored word or half-word as its bytes read little-endian: free where the host is. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define xlb_hash_le32(x) __builtin_bswap32(x)
#define xlb_hash_le16(x) __builtin_bswap16(x)
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define xlb_hash_le32(x) ((__u32)(x))
#define xlb_hash_le16(x) ((__u16)(x))
#else
#error "xlb/hash.h: __BYTE_ORDER__ is needed to read the flow's bytes little-endian"
#endif

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
	h = xlb_hash_mix(h, xlb_hash_le32(f->src[0]));
	h = xlb_hash_mix(h, xlb_hash_le32(f->src[1]));
	h = xlb_hash_mix(h, xlb_hash_le32(f->src[2]));
	h = xlb_hash_mix(h, xlb_hash_le32(f->src[3]));
	h = xlb_hash_mix(h, xlb_hash_le32(f->dst[0]));
	h = xlb_hash_mix(h, xlb_hash_le32(f->dst[1]));
	h = xlb_hash_mix(h, xlb_hash_le32(f->dst[2]));
	h = xlb_hash_mix(h, xlb_hash_le32(f->dst[3]));
	/* Bytes dport[0..1] sport[0..1] read little-endian; family and proto are single bytes. */
	h = xlb_hash_mix(h, ((__u32)xlb_hash_le16(f->sport) << 16) | xlb_hash_le16(f->dport));
	h = xlb_hash_mix(h, ((__u32)f->proto << 8) | f->family);
	return xlb_hash_final(h, sizeof(*f));
}

/*
 * The client hash: the slot of sh, and of a persistent maglev VIP's first flow from a client (so
 * that connections a client opens at once agree before any template exists). MurmurHash3_x86_32,
 * seed XLB_HASH_SEED, over the 20 bytes src[16] family 0 0 0.
 */
XLB_HASH_INLINE __u32 xlb_client_hash(const struct xlb_flow *f)
{
	__u32 h = XLB_HASH_SEED;

	h = xlb_hash_mix(h, xlb_hash_le32(f->src[0]));
	h = xlb_hash_mix(h, xlb_hash_le32(f->src[1]));
	h = xlb_hash_mix(h, xlb_hash_le32(f->src[2]));
	h = xlb_hash_mix(h, xlb_hash_le32(f->src[3]));
	h = xlb_hash_mix(h, f->family);
	return xlb_hash_final(h, 20);
}

#endif /* XLB_HASH_H */
