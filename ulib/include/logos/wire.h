/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The liblogos wire format, version 1 ("LOG1"): the bytes of every
 * bootstrap, registry and service message (Documentation/protocol.md §2),
 * documented byte by byte in Documentation/wire-format.md.
 *
 *	header	u32 magic "LOG1", u16 kind, u16 flags, u32 method, u32 length
 *	payload	fields: u8 type, u8 tag (1..255), then the value
 *
 * All integers are little-endian. Handles are not bytes: a handle field
 * carries an index into the message's handle array, and the writer keeps
 * that array for the send.
 *
 * The decoder checks a whole message once (logos_wire_decode()) and fails
 * with -EBADMSG on anything malformed: bad magic, unknown flags or field
 * types, tag 0, truncation, a length that overruns, input larger than
 * LOGOS_MSG_MAX_BYTES, nesting deeper than LOGOS_WIRE_MAX_DEPTH, a bool
 * other than 0/1, a string that is not UTF-8 or holds a NUL, a handle
 * index beyond the message's handles. Afterwards the getters cannot read
 * out of bounds.
 *
 * Thread safety: a writer or a decoded message is plain memory owned by
 * its caller; use one from one thread at a time. The functions keep no
 * other state.
 */
#ifndef LOGOS_WIRE_H
#define LOGOS_WIRE_H

#include <logos/core.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LOGOS_WIRE_MAGIC	0x4C4F4731U	/* "LOG1", format version 1 */
#define LOGOS_WIRE_HEADER_SIZE	16U
#define LOGOS_WIRE_MAX_SIZE	LOGOS_MSG_MAX_BYTES
#define LOGOS_WIRE_MAX_DEPTH	8U	/* nested fields inside nested fields */

/* Header flags. */
#define LOGOS_WIRE_F_REPLY	0x1U	/* an answer to a call */
#define LOGOS_WIRE_F_ERROR	0x2U	/* an error answer (needs F_REPLY) */
#define LOGOS_WIRE_F_ALL	0x3U

/* Message kinds (header.kind). */
#define LOGOS_KIND_BOOTSTRAP_MAX 0x00FFU	/* 1..0xFF: protocol.md §3 */
#define LOGOS_KIND_LIB_MIN	0x0100U		/* 0x100..0x1FF: liblogos itself */
#define LOGOS_KIND_SERVICE_MIN	0x1000U		/* services */

/* Field types (the first byte of a field). */
enum logos_wire_type {
	LOGOS_WIRE_U32 = 1,	/* 4 bytes */
	LOGOS_WIRE_U64 = 2,	/* 8 bytes */
	LOGOS_WIRE_I32 = 3,	/* 4 bytes, two's complement */
	LOGOS_WIRE_I64 = 4,	/* 8 bytes, two's complement */
	LOGOS_WIRE_BOOL = 5,	/* 1 byte, 0 or 1 */
	LOGOS_WIRE_BYTES = 6,	/* u32 length, then the bytes */
	LOGOS_WIRE_STRING = 7,	/* u32 length, then UTF-8 without NUL */
	LOGOS_WIRE_HANDLE = 8,	/* u8 index into the message's handles */
	LOGOS_WIRE_NESTED = 9,	/* u32 length, then fields */
};

/* An error reply's payload: i32 tag 1 = errno (> 0), string tag 2 = text. */
#define LOGOS_WIRE_TAG_ERRNO	1
#define LOGOS_WIRE_TAG_ERRTEXT	2

/* ---- writing -------------------------------------------------------- */

struct logos_wire_writer {
	uint8_t *buf;
	uint32_t cap;		/* at most LOGOS_WIRE_MAX_SIZE */
	uint32_t len;
	int err;		/* sticky: the first error */
	uint32_t depth;
	uint32_t nest[LOGOS_WIRE_MAX_DEPTH];	/* offsets of open length fields */
	uint32_t nr_handles;
	struct logos_msg_handle handles[LOGOS_MSG_MAX_HANDLES];
};

/*
 * Starts a message in @buf (@cap bytes; more than LOGOS_WIRE_MAX_SIZE is
 * not used). Every put returns 0 or the writer's first error, after which
 * the writer does nothing more: -EMSGSIZE when the message would not fit
 * (or exceed LOGOS_WIRE_MAX_SIZE, or LOGOS_MSG_MAX_HANDLES handles),
 * -EINVAL for tag 0, a string with a NUL or bad UTF-8, nesting too deep
 * or unbalanced.
 */
LOGOS_API void logos_wire_writer_init(struct logos_wire_writer *w, void *buf, size_t cap,
				      uint16_t kind, uint16_t flags, uint32_t method);
LOGOS_API int logos_wire_put_u32(struct logos_wire_writer *w, uint8_t tag, uint32_t v);
LOGOS_API int logos_wire_put_u64(struct logos_wire_writer *w, uint8_t tag, uint64_t v);
LOGOS_API int logos_wire_put_i32(struct logos_wire_writer *w, uint8_t tag, int32_t v);
LOGOS_API int logos_wire_put_i64(struct logos_wire_writer *w, uint8_t tag, int64_t v);
LOGOS_API int logos_wire_put_bool(struct logos_wire_writer *w, uint8_t tag, bool v);
LOGOS_API int logos_wire_put_bytes(struct logos_wire_writer *w, uint8_t tag,
				   const void *data, size_t len);
/* A NUL-terminated string (the NUL is not sent). */
LOGOS_API int logos_wire_put_string(struct logos_wire_writer *w, uint8_t tag, const char *s);
LOGOS_API int logos_wire_put_string_len(struct logos_wire_writer *w, uint8_t tag,
					const char *s, size_t len);
/*
 * Adds @h to the message's handles (arriving with @rights, a subset or
 * LOGOS_RIGHTS_SAME; @flags LOGOS_MSG_HANDLE_MOVE or 0) and writes its
 * index. Nothing happens to @h until the message is sent.
 */
LOGOS_API int logos_wire_put_handle(struct logos_wire_writer *w, uint8_t tag, logos_handle_t h,
				    uint32_t rights, uint32_t flags);
/* Opens and closes a nested field: the fields put in between are inside. */
LOGOS_API int logos_wire_begin_nested(struct logos_wire_writer *w, uint8_t tag);
LOGOS_API int logos_wire_end_nested(struct logos_wire_writer *w);
/*
 * Completes the header; @len (may be NULL) gets the message size. Returns
 * the writer's error, or -EINVAL if a nested field is still open. The
 * send helpers (logos_wire_send(), logos_rpc_call(), ...) call it.
 */
LOGOS_API int logos_wire_finish(struct logos_wire_writer *w, size_t *len);

/* ---- reading -------------------------------------------------------- */

/* A checked message (or the inside of a nested field). */
struct logos_wire {
	uint16_t kind;
	uint16_t flags;
	uint32_t method;
	const uint8_t *payload;	/* the fields; points into the caller's buffer */
	uint32_t len;
	uint32_t nr_handles;
};

struct logos_wire_field {
	uint8_t type;		/* enum logos_wire_type */
	uint8_t tag;
	union {
		uint32_t u32;
		uint64_t u64;
		int32_t i32;
		int64_t i64;
		bool b;
		uint32_t handle;	/* index into the message's handles */
		struct {
			const uint8_t *data;	/* BYTES, STRING (not NUL-terminated), NESTED */
			uint32_t len;
		} bytes;
	} v;
};

struct logos_wire_iter {
	const uint8_t *p;
	const uint8_t *end;
};

/*
 * Checks @len bytes of @buf, which arrived with @nr_handles handles, and
 * describes them in @msg. 0 or -EBADMSG. @msg points into @buf.
 */
LOGOS_API int logos_wire_decode(const void *buf, size_t len, uint32_t nr_handles,
				struct logos_wire *msg);
/* Fields in order; logos_wire_next() returns 1 with a field, 0 at the end. */
LOGOS_API void logos_wire_iter_init(struct logos_wire_iter *it, const struct logos_wire *msg);
LOGOS_API int logos_wire_next(struct logos_wire_iter *it, struct logos_wire_field *f);
/* The inside of NESTED field @f of @parent, as a message of its own. */
LOGOS_API int logos_wire_nested(const struct logos_wire *parent, const struct logos_wire_field *f,
				struct logos_wire *out);
/*
 * The first field with @tag: 0, -ENOENT if there is none, -EBADMSG if it
 * has another type than @type. A later field with the same tag (a list)
 * is reached with the iterator.
 */
LOGOS_API int logos_wire_find(const struct logos_wire *msg, uint8_t tag, uint8_t type,
			      struct logos_wire_field *f);
LOGOS_API int logos_wire_get_u32(const struct logos_wire *msg, uint8_t tag, uint32_t *v);
LOGOS_API int logos_wire_get_u64(const struct logos_wire *msg, uint8_t tag, uint64_t *v);
LOGOS_API int logos_wire_get_i32(const struct logos_wire *msg, uint8_t tag, int32_t *v);
LOGOS_API int logos_wire_get_i64(const struct logos_wire *msg, uint8_t tag, int64_t *v);
LOGOS_API int logos_wire_get_bool(const struct logos_wire *msg, uint8_t tag, bool *v);
/* Points into the message; *@len gets the size. */
LOGOS_API int logos_wire_get_bytes(const struct logos_wire *msg, uint8_t tag,
				   const void **data, size_t *len);
/* Copies a string with its NUL into @buf: -ERANGE if @cap is too small. */
LOGOS_API int logos_wire_get_string(const struct logos_wire *msg, uint8_t tag,
				    char *buf, size_t cap);
/* The handle's index into the message's handle array. */
LOGOS_API int logos_wire_get_handle(const struct logos_wire *msg, uint8_t tag, uint32_t *index);

/* A method id from a method name (32-bit FNV-1a), for name-based APIs. */
LOGOS_API uint32_t logos_method_id(const char *name);

#ifdef __cplusplus
}
#endif

#endif /* LOGOS_WIRE_H */
