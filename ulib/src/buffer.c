// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Zero-copy buffers: memory objects mapped, granted and released. */
#include "internal.h"

#include <logos/buffer.h>
#include <sys/mman.h>

int logos_buf_map(int fd, logos_handle_t h, int prot, struct logos_buf *buf)
{
	struct logos_mem_info info;
	void *addr;
	int ret;

	ret = logos_mem_get_info(fd, h, &info);
	if (ret)
		return ret;
	ret = logos_mem_map(fd, h, info.size, prot, &addr);
	if (ret)
		return ret;
	buf->fd = fd;
	buf->handle = h;
	buf->addr = addr;
	buf->size = info.size;
	return 0;
}

int logos_buf_alloc(int fd, size_t size, struct logos_buf *buf)
{
	logos_handle_t h;
	int ret = logos_mem_create(fd, size, &h, NULL);

	if (ret)
		return ret;
	ret = logos_buf_map(fd, h, PROT_READ | PROT_WRITE, buf);
	if (ret)
		logos_handle_close(fd, h);
	return ret;
}

int logos_buf_put(struct logos_wire_writer *w, uint8_t tag, struct logos_buf *buf,
		  uint32_t rights, uint32_t flags)
{
	if (flags & ~LOGOS_BUF_MOVE)
		return -EINVAL;
	if (buf->handle == LOGOS_HANDLE_INVALID)
		return -EBADF;
	if (flags & LOGOS_BUF_MOVE)
		return logos_wire_put_handle(w, tag, buf->handle, LOGOS_RIGHTS_SAME,
					     LOGOS_MSG_HANDLE_MOVE);
	return logos_wire_put_handle(w, tag, buf->handle, rights, 0);
}

int logos_buf_take(struct logos_rx *rx, uint8_t tag, int prot, struct logos_buf *buf)
{
	logos_handle_t h;
	int ret = logos_rx_take_handle(rx, tag, &h);

	if (ret)
		return ret;
	ret = logos_buf_map(rx->fd, h, prot, buf);
	if (ret)
		logos_handle_close(rx->fd, h);
	return ret;
}

int logos_buf_revoke(struct logos_buf *buf, uint32_t *revoked)
{
	if (buf->handle == LOGOS_HANDLE_INVALID)
		return -EBADF;
	return logos_handle_revoke(buf->fd, buf->handle, revoked);
}

void logos_buf_release(struct logos_buf *buf)
{
	if (buf->addr)
		munmap(buf->addr, buf->size);
	/* After a move the handle is gone: -EBADF, nothing to do. */
	if (buf->handle != LOGOS_HANDLE_INVALID)
		logos_handle_close(buf->fd, buf->handle);
	memset(buf, 0, sizeof(*buf));
}
