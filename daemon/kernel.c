// SPDX-License-Identifier: GPL-2.0
#include "kernel.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define PTR(p) ((uint64_t)(uintptr_t)(p))

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, cmd, arg);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : 0;
}

int kernel_open(struct logos_version *ver, char *why, size_t cap)
{
	int fd = open(LOGOS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	int ret;

	if (fd < 0) {
		ret = -errno;
		snprintf(why, cap, "cannot open %s: %s%s", LOGOS_DEVICE_PATH, strerror(errno),
			 errno == ENOENT ? " (is logos.ko loaded?)" :
			 errno == EPERM || errno == EACCES ? " (logosd needs CAP_SYS_ADMIN)" : "");
		return ret;
	}
	memset(ver, 0, sizeof(*ver));
	ret = xioctl(fd, LOGOS_IOC_VERSION, ver);
	if (ret) {
		snprintf(why, cap, "LOGOS_IOC_VERSION failed: %s", strerror(-ret));
		close(fd);
		return ret;
	}
	if (ver->major != LOGOS_ABI_MAJOR) {
		snprintf(why, cap, "logos.ko speaks ABI %u.%u, this logosd was built for %u.%u",
			 ver->major, ver->minor, LOGOS_ABI_MAJOR, LOGOS_ABI_MINOR);
		close(fd);
		return -EPROTO;
	}
	return fd;
}

int k_module_create(int fd, const char *name, uint32_t trust, uint32_t flags,
		    const uint64_t *limits, uint32_t *handle, int *module_fd, uint32_t *id)
{
	struct logos_module_create a = { .trust_level = trust, .flags = flags };
	int ret;

	str_copy(a.name, sizeof(a.name), name);
	if (limits)
		memcpy(a.limits, limits, sizeof(a.limits));
	ret = xioctl(fd, LOGOS_IOC_MODULE_CREATE, &a);
	if (!ret) {
		*handle = a.handle;
		*module_fd = a.fd;
		*id = a.module_id;
	}
	return ret;
}

int k_set_state(int fd, uint32_t module, uint32_t state)
{
	struct logos_module_set_state a = { .handle = module, .state = state };

	return xioctl(fd, LOGOS_IOC_MODULE_SET_STATE, &a);
}

int k_module_info(int fd, uint32_t module, struct logos_module_info *info)
{
	memset(info, 0, sizeof(*info));
	info->handle = module;
	return xioctl(fd, LOGOS_IOC_MODULE_INFO, info);
}

int k_channel_create(int fd, uint32_t *h0, uint32_t *h1)
{
	struct logos_channel_create a = { 0 };
	int ret = xioctl(fd, LOGOS_IOC_CHANNEL_CREATE, &a);

	if (!ret) {
		*h0 = a.handle0;
		*h1 = a.handle1;
	}
	return ret;
}

int k_give(int fd, uint32_t module, uint32_t h, uint32_t rights, uint32_t flags,
	   uint32_t *given)
{
	struct logos_handle_give a = { .module = module, .handle = h, .rights = rights,
				       .flags = flags };
	int ret = xioctl(fd, LOGOS_IOC_HANDLE_GIVE, &a);

	if (!ret && given)
		*given = a.new_handle;
	return ret;
}

int k_close(int fd, uint32_t h)
{
	struct logos_handle_close a = { .handle = h };

	if (!h)
		return 0;
	return xioctl(fd, LOGOS_IOC_HANDLE_CLOSE, &a);
}

int k_revoke(int fd, uint32_t h, uint32_t *count)
{
	struct logos_handle_revoke a = { .handle = h };
	int ret = xioctl(fd, LOGOS_IOC_HANDLE_REVOKE, &a);

	if (!ret && count)
		*count = a.revoked;
	return ret;
}

int k_duplicate(int fd, uint32_t h, uint32_t rights, uint32_t *copy)
{
	struct logos_handle_dup a = { .handle = h, .rights = rights };
	int ret = xioctl(fd, LOGOS_IOC_HANDLE_DUPLICATE, &a);

	if (!ret)
		*copy = a.new_handle;
	return ret;
}

int k_watch(int fd, uint32_t h, uint32_t signals, uint64_t key)
{
	struct logos_watch a = { .handle = h, .signals = signals, .key = key };

	return xioctl(fd, LOGOS_IOC_WATCH, &a);
}

int k_unwatch(int fd, uint32_t h, uint64_t key)
{
	struct logos_watch a = { .handle = h, .flags = LOGOS_WATCH_REMOVE, .key = key };

	return xioctl(fd, LOGOS_IOC_WATCH, &a);
}

int k_watch_read(int fd, struct logos_watch_report *r, uint32_t cap)
{
	struct logos_watch_read a = { .reports = PTR(r), .count = cap, .timeout_ns = 0 };
	int ret = xioctl(fd, LOGOS_IOC_WATCH_READ, &a);

	if (ret == -ETIMEDOUT || ret == -EAGAIN)
		return 0;
	return ret ? ret : (int)a.ready;
}

int k_send(int fd, uint32_t h, const void *data, uint32_t len,
	   const struct logos_msg_handle *hs, uint32_t nr)
{
	struct logos_msg m = { .data = PTR(data), .data_len = len, .handles = PTR(hs),
			       .nr_handles = nr };
	struct logos_channel_io io = { .handle = h, .msgs = PTR(&m), .count = 1 };

	return xioctl(fd, LOGOS_IOC_CHANNEL_SEND, &io);
}

int k_recv(int fd, uint32_t h, void *buf, uint32_t cap, struct logos_msg_handle *hs,
	   uint32_t nr, struct logos_msg *msg)
{
	struct logos_channel_io io = { .handle = h, .msgs = PTR(msg), .count = 1 };

	memset(msg, 0, sizeof(*msg));
	msg->data = PTR(buf);
	msg->data_len = cap;
	msg->handles = PTR(hs);
	msg->nr_handles = nr;
	return xioctl(fd, LOGOS_IOC_CHANNEL_RECV, &io);
}

int k_call(int fd, uint32_t h, const void *data, uint32_t len,
	   const struct logos_msg_handle *hs, uint32_t nr, int64_t timeout_ns, void *rbuf,
	   uint32_t rcap, struct logos_msg_handle *rhs, uint32_t rnr, struct logos_msg *reply)
{
	struct logos_channel_call c = {
		.handle = h, .timeout_ns = timeout_ns,
		.request = { .data = PTR(data), .data_len = len, .handles = PTR(hs),
			     .nr_handles = nr },
		.reply = { .data = PTR(rbuf), .data_len = rcap, .handles = PTR(rhs),
			   .nr_handles = rnr },
	};
	int ret;

	/* not retried on EINTR: the kernel refuses a late reply after it */
	ret = ioctl(fd, LOGOS_IOC_CHANNEL_CALL, &c) < 0 ? -errno : 0;
	*reply = c.reply;
	return ret;
}

int k_reply(int fd, uint32_t h, uint64_t txn, const void *data, uint32_t len,
	    const struct logos_msg_handle *hs, uint32_t nr)
{
	struct logos_channel_reply r = {
		.handle = h, .txn_id = txn,
		.reply = { .data = PTR(data), .data_len = len, .handles = PTR(hs),
			   .nr_handles = nr },
	};

	return xioctl(fd, LOGOS_IOC_CHANNEL_REPLY, &r);
}

const char *state_name(uint32_t state)
{
	static const char *const names[] = {
		"LOADED", "INITIALIZING", "RUNNING", "PAUSED", "TERMINATING", "TERMINATED",
	};

	return state < ARRAY_SIZE(names) ? names[state] : "?";
}

int k_set_quota(int fd, uint32_t module, uint32_t resource, uint64_t limit)
{
	struct logos_module_set_quota a = { .handle = module, .resource = resource,
					    .limit = limit };

	return xioctl(fd, LOGOS_IOC_MODULE_SET_QUOTA, &a);
}
