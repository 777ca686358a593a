// SPDX-License-Identifier: GPL-2.0
/*
 * Every ioctl is described once here: which files may use it, and the
 * size of its argument. The argument is copied in and out in one place, so
 * handlers never touch user memory for it and the size rules of the uapi
 * header hold for every call.
 */

#include "ioctl.h"
#include "channel.h"
#include "device.h"
#include "event.h"
#include "handle.h"
#include "mapped.h"
#include "memory.h"
#include "module.h"
#include "topic.h"
#include "watch.h"

#include <linux/file.h>
#include <linux/uaccess.h>

#define ON_SUPERVISOR	BIT(0)
#define ON_MODULE	BIT(1)
#define ON_BOTH		(ON_SUPERVISOR | ON_MODULE)

struct logos_ioctl_desc {
	unsigned int cmd;	/* the number of the current header */
	u16 min_size;		/* sizeof its first published structure; 0: same */
	u8 files;		/* ON_* */
	long (*handler)(struct logos_call *call);
};

static long logos_ioctl_version(struct logos_call *call)
{
	logos_fill_version(call->arg);
	return 0;
}

static long logos_ioctl_handle_duplicate(struct logos_call *call)
{
	struct logos_handle_dup *arg = call->arg;

	if (arg->flags)
		return -EINVAL;
	return logos_handle_duplicate(call->ctx->table, arg->handle, arg->rights,
				      &arg->new_handle);
}

static long logos_ioctl_handle_replace(struct logos_call *call)
{
	struct logos_handle_replace *arg = call->arg;

	if (arg->flags || arg->reserved)
		return -EINVAL;
	return logos_handle_replace(call->ctx->table, arg->handle, arg->rights);
}

static long logos_ioctl_handle_close(struct logos_call *call)
{
	struct logos_handle_close *arg = call->arg;

	if (arg->flags)
		return -EINVAL;
	return logos_handle_close(call->ctx->table, arg->handle);
}

static long logos_ioctl_handle_info(struct logos_call *call)
{
	struct logos_handle_info *arg = call->arg;
	u32 handle = arg->handle;

	if (arg->flags || arg->reserved)
		return -EINVAL;
	memset(arg, 0, sizeof(*arg));
	arg->handle = handle;
	return logos_handle_info(call->ctx->table, arg);
}

static long logos_ioctl_handle_revoke(struct logos_call *call)
{
	struct logos_handle_revoke *arg = call->arg;

	if (arg->flags || arg->reserved)
		return -EINVAL;
	return logos_handle_revoke(call->ctx->table, arg->handle, &arg->revoked);
}

#define LOGOS_IOCTL(c, fn, on) { .cmd = (c), .files = (on), .handler = (fn) }

/* ABI 0.1: every structure is at its first published size. */
static const struct logos_ioctl_desc logos_ioctls[] = {
	LOGOS_IOCTL(LOGOS_IOC_VERSION, logos_ioctl_version, ON_BOTH),
	LOGOS_IOCTL(LOGOS_IOC_HANDLE_DUPLICATE, logos_ioctl_handle_duplicate, ON_BOTH),
	LOGOS_IOCTL(LOGOS_IOC_HANDLE_REPLACE, logos_ioctl_handle_replace, ON_BOTH),
	LOGOS_IOCTL(LOGOS_IOC_HANDLE_CLOSE, logos_ioctl_handle_close, ON_BOTH),
	LOGOS_IOCTL(LOGOS_IOC_HANDLE_INFO, logos_ioctl_handle_info, ON_BOTH),
	LOGOS_IOCTL(LOGOS_IOC_HANDLE_REVOKE, logos_ioctl_handle_revoke, ON_BOTH),
	LOGOS_IOCTL(LOGOS_IOC_HANDLE_GIVE, logos_ioctl_handle_give, ON_BOTH),
	LOGOS_IOCTL(LOGOS_IOC_MODULE_CREATE, logos_ioctl_module_create, ON_SUPERVISOR),
	LOGOS_IOCTL(LOGOS_IOC_MODULE_SET_STATE, logos_ioctl_module_set_state, ON_BOTH),
	LOGOS_IOCTL(LOGOS_IOC_MODULE_READY, logos_ioctl_module_ready, ON_MODULE),
	LOGOS_IOCTL(LOGOS_IOC_MODULE_SET_QUOTA, logos_ioctl_module_set_quota, ON_BOTH),
	LOGOS_IOCTL(LOGOS_IOC_MODULE_INFO, logos_ioctl_module_info, ON_BOTH),
	LOGOS_IOCTL(LOGOS_IOC_EVENT_CREATE, logos_ioctl_event_create, ON_BOTH),
	LOGOS_IOCTL(LOGOS_IOC_EVENT_SIGNAL, logos_ioctl_event_signal, ON_BOTH),
	LOGOS_IOCTL(LOGOS_IOC_WAIT, logos_ioctl_wait, ON_BOTH),
	LOGOS_IOCTL(LOGOS_IOC_CHANNEL_CREATE, logos_ioctl_channel_create, ON_BOTH),
	LOGOS_IOCTL(LOGOS_IOC_CHANNEL_SEND, logos_ioctl_channel_send, ON_BOTH),
	LOGOS_IOCTL(LOGOS_IOC_CHANNEL_RECV, logos_ioctl_channel_recv, ON_BOTH),
	LOGOS_IOCTL(LOGOS_IOC_CHANNEL_CALL, logos_ioctl_channel_call, ON_BOTH),
	LOGOS_IOCTL(LOGOS_IOC_CHANNEL_REPLY, logos_ioctl_channel_reply, ON_BOTH),
	LOGOS_IOCTL(LOGOS_IOC_MEM_CREATE, logos_ioctl_mem_create, ON_BOTH),
	LOGOS_IOCTL(LOGOS_IOC_MEM_INFO, logos_ioctl_mem_info, ON_BOTH),
	LOGOS_IOCTL(LOGOS_IOC_TOPIC_CREATE, logos_ioctl_topic_create, ON_BOTH),
	LOGOS_IOCTL(LOGOS_IOC_TOPIC_SUBSCRIBE, logos_ioctl_topic_subscribe, ON_BOTH),
	LOGOS_IOCTL(LOGOS_IOC_TOPIC_PUBLISH, logos_ioctl_topic_publish, ON_BOTH),
	LOGOS_IOCTL(LOGOS_IOC_WATCH, logos_ioctl_watch, ON_BOTH),
	LOGOS_IOCTL(LOGOS_IOC_WATCH_READ, logos_ioctl_watch_read, ON_BOTH),
	LOGOS_IOCTL(LOGOS_IOC_MAPPED_CREATE, logos_ioctl_mapped_create, ON_BOTH),
	LOGOS_IOCTL(LOGOS_IOC_MAPPED_MAP, logos_ioctl_mapped_map, ON_BOTH),
	LOGOS_IOCTL(LOGOS_IOC_MAPPED_NOTIFY, logos_ioctl_mapped_notify, ON_BOTH),
	LOGOS_IOCTL(LOGOS_IOC_MAPPED_WAIT, logos_ioctl_mapped_wait, ON_BOTH),
};

/* Big enough for every argument structure; checked at build time. */
#define LOGOS_IOCTL_MAX_ARG 320

long logos_ioctl(struct file *file, unsigned int cmd, unsigned long uarg)
{
	struct logos_ctx *ctx = file->private_data;
	const struct logos_ioctl_desc *desc = NULL;
	void __user *argp = (void __user *)uarg;
	size_t usize = _IOC_SIZE(cmd);
	u64 buf[LOGOS_IOCTL_MAX_ARG / sizeof(u64)];
	struct logos_call call = { .ctx = ctx, .arg = buf };
	size_t ksize, min_size;
	unsigned int dir, i;
	long ret;

	BUILD_BUG_ON(sizeof(struct logos_module_info) > sizeof(buf));
	BUILD_BUG_ON(sizeof(struct logos_module_create) > sizeof(buf));

	if (_IOC_TYPE(cmd) != LOGOS_IOC_MAGIC)
		return -ENOTTY;
	/* A short scan: cheaper than a cache miss on a sparse table. */
	for (i = 0; i < ARRAY_SIZE(logos_ioctls); i++) {
		if (_IOC_NR(logos_ioctls[i].cmd) == _IOC_NR(cmd)) {
			desc = &logos_ioctls[i];
			break;
		}
	}
	if (!desc || _IOC_DIR(cmd) != _IOC_DIR(desc->cmd))
		return -ENOTTY;
	if (!(desc->files & (ctx->module ? ON_MODULE : ON_SUPERVISOR)))
		return -EPERM;
	dir = _IOC_DIR(desc->cmd);
	ksize = _IOC_SIZE(desc->cmd);
	min_size = desc->min_size ?: ksize;
	if (usize < min_size || usize > PAGE_SIZE || (dir == _IOC_NONE && usize))
		return -EINVAL;

	memset(buf, 0, ksize);
	if (dir & _IOC_WRITE) {
		ret = copy_struct_from_user(buf, ksize, argp, usize);
		if (ret)
			return ret;
	} else if (usize > ksize && clear_user(argp + ksize, usize - ksize)) {
		/* A newer caller's output tail is ours to clear. */
		return -EFAULT;
	}
	if (ctx->module && !READ_ONCE(ctx->module->pid))
		logos_module_bind(ctx->module);

	ret = desc->handler(&call);
	/* A too-small buffer learns the sizes it needs. */
	if (ret < 0 && ret != -EMSGSIZE && !call.copy_out_on_error)
		return ret;

	if ((dir & _IOC_READ) && copy_to_user(argp, buf, min(usize, ksize)))
		ret = -EFAULT;
	if (call.install_file) {
		if (ret < 0) {
			fput(call.install_file);
			put_unused_fd(call.install_fd);
		} else {
			fd_install(call.install_fd, call.install_file);
		}
	}
	return ret;
}

/*
 * A wait that a signal interrupted (@ret -ERESTARTSYS) is restarted by the
 * kernel when the task was only stopped and continued (SIGSTOP/SIGCONT,
 * the cgroup freezer) or the handler has SA_RESTART, so a pause is
 * invisible; a handler without SA_RESTART sees -EINTR. A finite timeout
 * resumes with the time that was left: it is written back into
 * *@timeout_ns of the argument, which the restarted call reads again
 * (time spent stopped does not count). Returns what the handler returns.
 */
int logos_wait_interrupted(struct logos_call *call, s64 *timeout_ns, ktime_t deadline,
			   int ret)
{
	s64 left;

	if (ret != -ERESTARTSYS || *timeout_ns <= 0)
		return ret;
	left = ktime_to_ns(ktime_sub(deadline, ktime_get()));
	if (left <= 0)
		return -ETIMEDOUT;
	*timeout_ns = left;
	call->copy_out_on_error = true;
	return ret;
}
