/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Flow sync between the two xlbd of an active/standby pair: the wire format and its codec (no
 * sockets, no event loop here).
 *
 * The master streams every new flow -> backend binding, every change of a flow's state and every
 * persistence template it proves to the backup in UDP datagrams, so that established flows, their
 * states and clients' backends survive a failover (best effort: a lost one shows as a gap in
 * seq); a backup that (re)starts sends BULK_REQUEST and the master answers with its whole table:
 * a bulk sync, numbered chunks (one FLOWS datagram each, from chunk 1; its conns, then its
 * templates) closed by a BULK_END that is a chunk too and carries the number of records sent.
 * The backup acknowledges with BULK_ACK (cumulative chunk, a bitmap of the 64 chunks after it,
 * and the last seq it took), the master keeps at most 64 chunks unacknowledged and sends again
 * what was lost (see sync_bulk.h). Backend ids are local to each node, so a record names the VIP
 * by its key and the backend by its address.
 *
 * A datagram is
 *
 *	struct xlb_sync_hdr | count x struct xlb_sync_wire_rec | MAC (32 bytes)
 *
 * where MAC = crypto_auth (HMAC-SHA-512-256) with the pair's shared 32-byte key over every byte
 * before it. All multi-byte fields are big-endian. Any change to the layout bumps XLB_SYNC_VERSION.
 *
 * Call xlb_sync_init() once before anything else here (it initialises libsodium).
 */
#ifndef XLB_SYNC_PKT_H
#define XLB_SYNC_PKT_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "xlb/abi.h"

#define XLB_SYNC_MAGIC "XLBS"
/*
 * 2: the bulk fields of the header and BULK_ACK. 3: a record's kind (flow or persistence
 * template) and state, in what were the record's first pad bytes. An older peer is refused
 * (E_VERSION): a version-2 backup would install templates as flows.
 */
#define XLB_SYNC_VERSION 3
#define XLB_SYNC_KEY_BYTES 32
#define XLB_SYNC_MAC_BYTES 32
/* 1400 + 40 (IPv6) + 8 (UDP) fits a 1500-byte MTU with room to spare for an encapsulation. */
#define XLB_SYNC_MAX_DGRAM 1400
/* Default accepted distance between a datagram's timestamp and the local clock. */
#define XLB_SYNC_DEFAULT_WINDOW_MS 30000

enum xlb_sync_type {
	XLB_SYNC_FLOWS = 1,        /* master -> backup: flow records */
	XLB_SYNC_BULK_REQUEST = 2, /* backup -> master: send me your whole table; no records */
	XLB_SYNC_BULK_END = 3,     /* master -> backup: the whole table has been sent; no records */
	XLB_SYNC_BULK_ACK = 4,     /* backup -> master: what of a bulk arrived; no records */
};

/* Datagram header. */
struct xlb_sync_hdr {
	__u8 magic[4]; /* XLB_SYNC_MAGIC, no NUL */
	__u8 version;  /* XLB_SYNC_VERSION */
	__u8 type;     /* enum xlb_sync_type */
	__be16 count;  /* records that follow; 0 unless type is FLOWS */
	__be32 node;   /* sender's node id, random per xlbd start: a new one = a restarted peer */
	__be32 bulk;   /* a bulk sync's id: non-zero in its FLOWS, BULK_END and BULK_ACK, else 0 */
	__be64 seq;    /* per sender, strictly increasing: receivers drop seq <= the last taken */
	__be64 ts_ms;  /* sender's CLOCK_REALTIME, unix ms: bounds how long a capture replays */
	/*
	 * FLOWS of a bulk: its chunk number, from 1. BULK_END: its own chunk number, one past the
	 * last FLOWS. BULK_ACK: every chunk up to this one arrived (0: none yet). Else 0.
	 */
	__be32 chunk;
	__be32 total;   /* BULK_END: records (flows and templates) in the bulk, at most 15 per chunk
			 * before it; else 0 */
	__be64 ack_seq; /* BULK_ACK: the last seq its sender took from the peer; else 0 */
	__be64 sack;    /* BULK_ACK: bit i set = chunk + 2 + i arrived too; else 0 */
} __attribute__((packed));

/*
 * One flow -> backend binding, or one persistence template (a client -> backend binding for every
 * flow of a VIP). The flow's fields are spelled out rather than embedding struct xlb_flow so that
 * a change to the map ABI cannot change the wire format behind the version's back. IPv4
 * addresses live in word 0, the other three zero, as in the maps. A template is keyed as syns
 * keys a pending one: src = the client, dst = the VIP's address, dport = the VIP key's port (0
 * for an every-port VIP), sport 0.
 */
struct xlb_sync_wire_rec {
	/* The flow as the client sent it (conns key), or the template. */
	__be32 src[4];      /* client address */
	__be32 dst[4];      /* VIP address */
	__be16 sport;       /* client port; 0 in a template */
	__be16 dport;       /* VIP port; a template's: the VIP key's port */
	__u8 proto;         /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 family;        /* enum xlb_family */
	__u8 kind;          /* enum xlb_flow_kind */
	__u8 state;         /* enum xlb_conn_state; XLB_CS_ACTIVE in a template */
	/* The VIP it was scheduled for (vips key): the receiver maps it to its own VIP id. */
	__be32 vip_addr[4]; /* same as dst */
	__be16 vip_port;    /* dport, or 0 for an every-port VIP */
	__u8 vip_proto;     /* same as proto */
	__u8 vip_family;    /* same as family */
	/* The backend, by address: the receiver maps it to its own backend id. */
	__be32 be_addr[4];  /* real server address */
	__u8 be_family;     /* enum xlb_family */
	__u8 pad1[3];       /* zero */
	__be32 age_s;       /* seconds since the sender last saw a packet of the flow (the
			     * template last chose a backend) */
} __attribute__((packed));

_Static_assert(sizeof(struct xlb_sync_hdr) == 56, "sync header is 56 bytes on the wire");
_Static_assert(sizeof(struct xlb_sync_wire_rec) == 84, "sync record is 84 bytes on the wire");

/*
 * (1400 - 56 - 32) / 84 = 15 records; a full datagram is 56 + 15 * 84 + 32 = 1348 bytes. Version 3
 * kept the size: kind and state took the record's first pad.
 */
#define XLB_SYNC_MAX_RECS                                                                          \
	((XLB_SYNC_MAX_DGRAM - sizeof(struct xlb_sync_hdr) - XLB_SYNC_MAC_BYTES) /                 \
	 sizeof(struct xlb_sync_wire_rec))
#define XLB_SYNC_DGRAM_LEN(n)                                                                      \
	(sizeof(struct xlb_sync_hdr) + (n) * sizeof(struct xlb_sync_wire_rec) + XLB_SYNC_MAC_BYTES)

_Static_assert(XLB_SYNC_MAX_RECS >= 1 && XLB_SYNC_MAX_RECS <= 0xffff, "count fits the header");
_Static_assert(XLB_SYNC_DGRAM_LEN(XLB_SYNC_MAX_RECS) <= XLB_SYNC_MAX_DGRAM, "full datagram fits");

/* A record as the rest of xlbd wants it. */
struct xlb_sync_rec {
	struct xlb_flow flow;    /* conns key (a template: as the wire keys it); pad zero */
	struct xlb_vip_key vip;  /* vips key */
	struct xlb_addr backend; /* backend's real address */
	uint32_t age_s;          /* seconds since the flow was last seen */
	uint8_t kind;            /* enum xlb_flow_kind */
	uint8_t state;           /* enum xlb_conn_state */
};

/*
 * Why a datagram was rejected; xlb_sync_decode() returns the negated value. Indexes a counter
 * array of XLB_SYNC_E_MAX entries (0 unused).
 */
enum xlb_sync_err {
	XLB_SYNC_E_SHORT = 1, /* shorter than a header and a MAC */
	XLB_SYNC_E_LONG,      /* longer than XLB_SYNC_MAX_DGRAM */
	XLB_SYNC_E_MAGIC,     /* not "XLBS": not ours at all */
	XLB_SYNC_E_VERSION,   /* a peer speaking another version */
	XLB_SYNC_E_MAC,       /* wrong key, or damaged/forged in transit */
	XLB_SYNC_E_TYPE,      /* unknown message type */
	XLB_SYNC_E_PAD,       /* a padding field is not zero */
	XLB_SYNC_E_COUNT,     /* record count disagrees with the length or the type */
	XLB_SYNC_E_STALE,     /* timestamp older than the window: old capture, or clock skew */
	XLB_SYNC_E_FUTURE,    /* timestamp newer than the window: clock skew */
	XLB_SYNC_E_SELF,      /* carries our own node id: reflected back at us, or peer = self */
	XLB_SYNC_E_REPLAY,    /* seq not above the last one taken from that node */
	XLB_SYNC_E_OLD_NODE,  /* new node id but not newer than the last taken: a past run */
	XLB_SYNC_E_FAMILY,    /* a record's family is not 4 or 6 */
	XLB_SYNC_E_ADDR,      /* an IPv4 address with non-zero upper words */
	XLB_SYNC_E_PROTO,     /* a record's protocol is not TCP or UDP */
	XLB_SYNC_E_VIP,       /* a record's VIP key does not match its flow */
	XLB_SYNC_E_BULK,      /* bulk fields that the type does not allow, or that disagree */
	XLB_SYNC_E_STATE,     /* a record's state is unknown (or not ACTIVE in a template) */
	XLB_SYNC_E_KIND,      /* a record's kind is unknown, or a template names a client port */
	XLB_SYNC_E_MAX,
};

/* Short name of a reason ("mac", "replay", ...), for logs and counters; takes err or -err. */
const char *xlb_sync_strerror(int err);

/* Initialise libsodium. Returns 0 or -EIO. */
int xlb_sync_init(void);
/* A fresh random node id, for one run of xlbd. */
uint32_t xlb_sync_node_id_new(void);
/* CLOCK_REALTIME in unix ms: what timestamps are made of. */
uint64_t xlb_sync_now_ms(void);

/*
 * Load the shared key from a file holding exactly 32 raw bytes, or 64 hex characters optionally
 * followed by a newline. Like ssh with a private key, the file must be a regular file owned by us
 * (or root) and not accessible by group or others. Returns 0, -EPERM (ownership or mode), -EINVAL
 * (not a regular file, size, not hex) or the -errno of open/read. The _why variant also writes a
 * one-line reason, naming the file, into why (if non-NULL) for the caller to log.
 */
int xlb_sync_key_load(const char *path, uint8_t key[XLB_SYNC_KEY_BYTES]);
int xlb_sync_key_load_why(const char *path, uint8_t key[XLB_SYNC_KEY_BYTES], char *why,
			  size_t why_len);
/* Exactly 64 hex characters (either case), nothing else. Returns 0 or -EINVAL. */
int xlb_sync_key_from_hex(const char *hex, uint8_t key[XLB_SYNC_KEY_BYTES]);

/*
 * Check a record as a receiver would install it: families 4/6 (IPv4 with upper words zero),
 * protocol TCP/UDP, the VIP key consistent with the flow (same address, protocol and family; port
 * equal or 0; a template's port equal), a known kind and state (a template: sport 0, state
 * ACTIVE). Returns 0 or -XLB_SYNC_E_*.
 */
int xlb_sync_rec_check(const struct xlb_sync_rec *r);
/* Host record <-> wire record. from_wire validates (as xlb_sync_rec_check, plus the pads). */
void xlb_sync_rec_to_wire(const struct xlb_sync_rec *r, struct xlb_sync_wire_rec *w);
int xlb_sync_rec_from_wire(const struct xlb_sync_wire_rec *w, struct xlb_sync_rec *r);

/* The bulk fields of a header, host order; all zero outside a bulk sync. */
struct xlb_sync_bulk_fields {
	uint32_t bulk;
	uint32_t chunk;
	uint32_t total;
	uint64_t ack_seq;
	uint64_t sack;
};

/* Builds one datagram; send buf[0 .. xlb_sync_enc_finish()). */
struct xlb_sync_enc {
	uint8_t buf[XLB_SYNC_MAX_DGRAM];
	size_t len;     /* bytes written: header, then records, then (once finished) the MAC */
	uint16_t count; /* records added */
	uint8_t type;   /* enum xlb_sync_type */
	bool finished;  /* MAC written; adding more would leave it stale */
};

void xlb_sync_enc_init(struct xlb_sync_enc *e, uint8_t type, uint32_t node, uint64_t seq,
		       uint64_t now_ms);
/* Set the bulk fields (zero after init); before finish. */
void xlb_sync_enc_bulk(struct xlb_sync_enc *e, const struct xlb_sync_bulk_fields *f);
/*
 * Append a record. Returns 0, -ENOSPC when the datagram holds XLB_SYNC_MAX_RECS already (finish
 * it and start another), or -EINVAL for a record the peer would reject (see xlb_sync_rec_check),
 * a type that carries no records, or a finished datagram.
 */
int xlb_sync_enc_add(struct xlb_sync_enc *e, const struct xlb_sync_rec *r);
static inline bool xlb_sync_enc_full(const struct xlb_sync_enc *e)
{
	return e->count >= XLB_SYNC_MAX_RECS;
}
/* Write the count and the MAC; returns the datagram's length. Idempotent. */
size_t xlb_sync_enc_finish(struct xlb_sync_enc *e, const uint8_t key[XLB_SYNC_KEY_BYTES]);

/* What a receiver remembers about its peer, for replay protection. */
struct xlb_sync_peer_state {
	uint32_t own_node;  /* our own node id: a datagram bearing it was reflected back at us */
	uint32_t window_ms; /* accepted |timestamp - now| */
	bool seen;          /* the fields below hold the last datagram taken */
	uint32_t node;      /* its sender's node id */
	uint64_t seq;       /* its sequence number */
	uint64_t max_ts_ms; /* newest timestamp taken from that node; a new node id must beat it */
};

/* window_ms 0 means XLB_SYNC_DEFAULT_WINDOW_MS. */
void xlb_sync_peer_init(struct xlb_sync_peer_state *p, uint32_t own_node, uint32_t window_ms);

/* A verified datagram. */
struct xlb_sync_msg {
	uint8_t type;      /* enum xlb_sync_type */
	uint16_t count;    /* valid entries of recs */
	uint32_t node;     /* sender's node id */
	uint64_t seq;
	uint64_t ts_ms;
	bool new_node;     /* first datagram taken from this node id: the peer (re)started */
	uint64_t gap;      /* seqs skipped since the last one taken: datagrams lost (or late) */
	struct xlb_sync_bulk_fields b;
	struct xlb_sync_rec recs[XLB_SYNC_MAX_RECS];
};

/*
 * Verify a datagram, in this order: length, magic, version, MAC (constant time), type, count
 * against length and type, the bulk fields against the type (E_BULK), timestamp within the window of now_ms, node id and sequence
 * against *replay, every record. Only then is *replay advanced: a datagram is taken whole or
 * not at all. A new node id restarts the sequence (the peer restarted), provided
 * its timestamp is newer than any taken from the previous one, so a past incarnation's datagrams
 * cannot be replayed in between. Returns 0 or -XLB_SYNC_E_*; *out is undefined on error.
 */
int xlb_sync_decode(const uint8_t *buf, size_t len, const uint8_t key[XLB_SYNC_KEY_BYTES],
		    uint64_t now_ms, struct xlb_sync_peer_state *replay, struct xlb_sync_msg *out);

#endif /* XLB_SYNC_PKT_H */
