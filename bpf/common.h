/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* BPF-side basics: includes every data path header needs, and the verdict conventions. */
#ifndef XLB_BPF_COMMON_H
#define XLB_BPF_COMMON_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "xlb/abi.h"

#define XLB_HASH_INLINE static __always_inline
#include "xlb/hash.h"

/*
 * Helpers return an XDP action when the packet's fate is decided, or XLB_CONTINUE to go on.
 * Actions are 0..4, so the sentinel cannot collide with one.
 */
#define XLB_CONTINUE (-1)

#endif /* XLB_BPF_COMMON_H */
