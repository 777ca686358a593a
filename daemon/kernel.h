/* SPDX-License-Identifier: GPL-2.0 */
/*
 * logos.ko from the supervisor's side: thin wrappers of the ioctls of
 * uapi/linux/logos.h on /dev/logos, each returning 0 or -errno.
 */
#ifndef LOGOSD_KERNEL_H
#define LOGOSD_KERNEL_H

#include <linux/logos.h>
#include <stddef.h>
#include <stdint.h>

/* Opens /dev/logos and checks the ABI major; @why gets the reason. */
int kernel_open(struct logos_version *ver, char *why, size_t cap);

int k_module_create(int fd, const char *name, uint32_t trust, uint32_t flags,
		    const uint64_t *limits, uint32_t *handle, int *module_fd, uint32_t *id);
int k_set_state(int fd, uint32_t module, uint32_t state);
int k_set_quota(int fd, uint32_t module, uint32_t resource, uint64_t limit);
int k_module_info(int fd, uint32_t module, struct logos_module_info *info);
int k_channel_create(int fd, uint32_t *h0, uint32_t *h1);
int k_give(int fd, uint32_t module, uint32_t h, uint32_t rights, uint32_t flags,
	   uint32_t *given);
int k_close(int fd, uint32_t h);
int k_revoke(int fd, uint32_t h, uint32_t *count);
int k_duplicate(int fd, uint32_t h, uint32_t rights, uint32_t *copy);
int k_watch(int fd, uint32_t h, uint32_t signals, uint64_t key);
int k_unwatch(int fd, uint32_t h, uint64_t key);
/* Up to @cap ready watches, never waiting; returns how many. */
int k_watch_read(int fd, struct logos_watch_report *r, uint32_t cap);

/* One message: bytes and handles (struct logos_msg_handle). */
int k_send(int fd, uint32_t h, const void *data, uint32_t len,
	   const struct logos_msg_handle *hs, uint32_t nr);
/*
 * One message into @buf/@hs (sizes in, sizes out through @msg), never
 * waiting: -EAGAIN when the queue is empty, -EPIPE when the peer is gone.
 */
int k_recv(int fd, uint32_t h, void *buf, uint32_t cap, struct logos_msg_handle *hs,
	   uint32_t nr, struct logos_msg *msg);
/* A call with a timeout; the reply lands in @rbuf/@rhs, sizes in @reply. */
int k_call(int fd, uint32_t h, const void *data, uint32_t len,
	   const struct logos_msg_handle *hs, uint32_t nr, int64_t timeout_ns, void *rbuf,
	   uint32_t rcap, struct logos_msg_handle *rhs, uint32_t rnr, struct logos_msg *reply);
int k_reply(int fd, uint32_t h, uint64_t txn, const void *data, uint32_t len,
	    const struct logos_msg_handle *hs, uint32_t nr);

const char *state_name(uint32_t state);

#endif
