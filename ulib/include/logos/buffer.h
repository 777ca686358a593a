/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Zero-copy buffers: memory objects that travel in messages as grants.
 *
 * Sender:	logos_buf_alloc() (create + map read-write), fill buf.addr,
 *		logos_buf_put() it in a wire message (a grant: the receiver
 *		maps the same pages, nothing is copied), send, then
 *		logos_buf_release() when done with it.
 * Receiver:	logos_buf_take() from the received message (maps it),
 *		read buf.addr, logos_buf_release().
 *
 * A grant derived from the sender's handle (no LOGOS_BUF_MOVE) stays
 * revocable: logos_buf_revoke() unmaps every receiver's mapping (their
 * next access gets SIGBUS). With LOGOS_BUF_MOVE the handle itself goes to
 * the receiver; the sender keeps only its mapping.
 *
 * Thread safety: a struct logos_buf is plain memory of its owner; the
 * calls are system calls (any thread).
 */
#ifndef LOGOS_BUFFER_H
#define LOGOS_BUFFER_H

#include <logos/rpc.h>

#ifdef __cplusplus
extern "C" {
#endif

struct logos_buf {
	int fd;			/* the logos file of the handle and mapping */
	logos_handle_t handle;	/* the memory object (stale after a move) */
	void *addr;		/* the mapping, NULL if none */
	size_t size;		/* bytes mapped (whole pages) */
};

/* Rights of a read-only grant: map it readable, learn its size. */
#define LOGOS_BUF_READ_ONLY	(LOGOS_RIGHT_READ | LOGOS_RIGHT_MAP_READ)
/* Rights of a writable grant. */
#define LOGOS_BUF_READ_WRITE	(LOGOS_BUF_READ_ONLY | LOGOS_RIGHT_MAP_WRITE)

/* With logos_buf_put(): the handle itself goes (it cannot be revoked). */
#define LOGOS_BUF_MOVE		0x1U

/* A new memory object of at least @size bytes, mapped read-write. */
LOGOS_API int logos_buf_alloc(int fd, size_t size, struct logos_buf *buf);
/*
 * Maps memory handle @h (taken over by @buf) with @prot (PROT_READ, and
 * PROT_WRITE if the handle allows it).
 */
LOGOS_API int logos_buf_map(int fd, logos_handle_t h, int prot, struct logos_buf *buf);
/*
 * Puts @buf in @w as handle field @tag: a grant with @rights (e.g.
 * LOGOS_BUF_READ_ONLY; revocable by the sender), or with LOGOS_BUF_MOVE the
 * handle itself (@rights ignored): once the message is sent, buf->handle
 * is no longer the sender's, and only logos_buf_release() is left to do.
 */
LOGOS_API int logos_buf_put(struct logos_wire_writer *w, uint8_t tag, struct logos_buf *buf,
			    uint32_t rights, uint32_t flags);
/* Takes handle field @tag of @rx and maps it with @prot. */
LOGOS_API int logos_buf_take(struct logos_rx *rx, uint8_t tag, int prot, struct logos_buf *buf);
/* Revokes every grant made from @buf; @revoked (may be NULL) gets the count. */
LOGOS_API int logos_buf_revoke(struct logos_buf *buf, uint32_t *revoked);
/* Unmaps and closes what @buf still holds, then zeroes it. */
LOGOS_API void logos_buf_release(struct logos_buf *buf);

#ifdef __cplusplus
}
#endif

#endif /* LOGOS_BUFFER_H */
