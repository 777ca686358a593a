/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The channel tests' fixture and small helpers, shared by channel_test.c,
 * channel_queue_test.c and channel_batch_test.c. Include after
 * kselftest_harness.h.
 */
#ifndef _LOGOS_CHANNEL_FIXTURE_H
#define _LOGOS_CHANNEL_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "ipc_helpers.h"

FIXTURE(ch) {
	int dev;
	__u32 a, b;	/* the two endpoints of a channel with default bounds */
};

FIXTURE_SETUP(ch)
{
	self->dev = logos_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", LOGOS_DEVICE_PATH, strerror(errno));
	ASSERT_EQ(0, logos_chan_new(self->dev, 0, 0, &self->a, &self->b));
}

FIXTURE_TEARDOWN(ch)
{
	close(self->dev);
}

/* Nothing is queued on @h: a receive that may not wait finds nothing. */
static inline int queue_is_empty(int fd, __u32 h)
{
	char buf[8];

	return logos_recv(fd, h, buf, sizeof(buf), NULL, 0, 0, NULL) == -EAGAIN;
}

/* Sends the 32-bit value @v, never waiting. */
static inline int send_u32(int fd, __u32 h, __u32 v, __u32 flags)
{
	return logos_send(fd, h, &v, sizeof(v), NULL, 0, flags, 0);
}

/* Receives one 32-bit value, never waiting; ~0U if there was none. */
static inline __u32 recv_u32(int fd, __u32 h)
{
	__u32 v;

	return logos_recv_bytes(fd, h, &v, sizeof(v), 0) == sizeof(v) ? v : ~0U;
}

#endif /* _LOGOS_CHANNEL_FIXTURE_H */
