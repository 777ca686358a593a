// SPDX-License-Identifier: GPL-2.0 OR MIT
/* IPC wrappers: channels, memory objects, topics, watches. */
#include "internal.h"

#include <logos/ipc.h>
#include <sys/mman.h>
#include <unistd.h>

/* ---- channels ------------------------------------------------------- */

int logos_channel_create(int fd, uint32_t max_msgs, uint32_t max_bytes,
			 logos_handle_t *ep0, logos_handle_t *ep1)
{
	struct logos_channel_create a = { .max_msgs = max_msgs, .max_bytes = max_bytes };
	int ret = logos__ioctl(fd, LOGOS_IOC_CHANNEL_CREATE, &a);

	if (!ret) {
		*ep0 = a.handle0;
		*ep1 = a.handle1;
	}
	return ret;
}

static int channel_io(int fd, unsigned long cmd, logos_handle_t ep, struct logos_msg *msgs,
		      uint32_t count, int64_t timeout_ns, uint32_t *done)
{
	struct logos_channel_io a = {
		.handle = ep, .msgs = logos__ptr(msgs), .count = count, .timeout_ns = timeout_ns,
	};
	int ret = logos__ioctl(fd, cmd, &a);

	if (!ret && done)
		*done = a.done;
	return ret;
}

int logos_channel_send(int fd, logos_handle_t ep, const void *data, size_t len,
		       const struct logos_msg_handle *handles, uint32_t nr_handles,
		       uint32_t flags, int64_t timeout_ns)
{
	struct logos_msg m;

	if (len > LOGOS_MSG_MAX_BYTES)
		return -EMSGSIZE;
	logos_msg_prepare(&m, (void *)data, (uint32_t)len,
			  (struct logos_msg_handle *)handles, nr_handles);
	m.flags = flags;
	return channel_io(fd, LOGOS_IOC_CHANNEL_SEND, ep, &m, 1, timeout_ns, NULL);
}

int logos_channel_send_batch(int fd, logos_handle_t ep, struct logos_msg *msgs, uint32_t count,
			     int64_t timeout_ns, uint32_t *done)
{
	return channel_io(fd, LOGOS_IOC_CHANNEL_SEND, ep, msgs, count, timeout_ns, done);
}

int logos_channel_recv(int fd, logos_handle_t ep, struct logos_msg *msg, int64_t timeout_ns)
{
	return channel_io(fd, LOGOS_IOC_CHANNEL_RECV, ep, msg, 1, timeout_ns, NULL);
}

int logos_channel_recv_batch(int fd, logos_handle_t ep, struct logos_msg *msgs, uint32_t count,
			     int64_t timeout_ns, uint32_t *done)
{
	return channel_io(fd, LOGOS_IOC_CHANNEL_RECV, ep, msgs, count, timeout_ns, done);
}

/* Set once logos.ko refused LOGOS_CALL_OWNERDEAD (older than ABI 0.3). */
static int no_ownerdead;

int logos_channel_call(int fd, logos_handle_t ep, const struct logos_msg *request,
		       struct logos_msg *reply, int64_t timeout_ns)
{
	struct logos_channel_call a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.handle = ep;
	a.timeout_ns = timeout_ns;
	a.request = *request;
	a.reply = *reply;
	/*
	 * A call whose server took the request and died fails at once with
	 * -EOWNERDEAD (ABI 0.3). A logos.ko without it refuses the flag with
	 * -EINVAL before anything is sent: then the call goes without it,
	 * and later calls do not try again.
	 */
	if (!__atomic_load_n(&no_ownerdead, __ATOMIC_RELAXED))
		a.flags = LOGOS_CALL_OWNERDEAD;
	ret = logos__ioctl(fd, LOGOS_IOC_CHANNEL_CALL, &a);
	if (ret == -EINVAL && a.flags) {
		a.flags = 0;
		ret = logos__ioctl(fd, LOGOS_IOC_CHANNEL_CALL, &a);
		if (ret != -EINVAL)
			__atomic_store_n(&no_ownerdead, 1, __ATOMIC_RELAXED);
	}
	if (!ret)
		*reply = a.reply;
	return ret;
}

static int channel_reply(int fd, logos_handle_t ep, uint64_t txn_id, const struct logos_msg *reply,
			 struct logos_msg *next, int64_t timeout_ns, int *replied)
{
	struct logos_channel_reply a;
	int ret;

	if (reply->data_len > LOGOS_MSG_MAX_BYTES || reply->nr_handles > LOGOS_MSG_MAX_HANDLES)
		return -EMSGSIZE;
	memset(&a, 0, sizeof(a));
	a.handle = ep;
	a.txn_id = txn_id;
	a.reply = *reply;
	if (next) {
		a.flags = LOGOS_REPLY_RECEIVE;
		a.timeout_ns = timeout_ns;
		a.next = *next;
	}
	ret = logos__ioctl(fd, LOGOS_IOC_CHANNEL_REPLY, &a);
	if (next && !ret)
		*next = a.next;
	/*
	 * logos.ko copies nothing back on an error, so which step failed is
	 * told by the errno: only the receive waits (-EAGAIN, -ETIMEDOUT,
	 * -EINTR), sees the peer gone (-EPIPE: the reply step says -ENOENT)
	 * or a small buffer (-EMSGSIZE: the reply's size was checked above).
	 */
	if (replied)
		*replied = !ret || (next && (ret == -EAGAIN || ret == -ETIMEDOUT || ret == -EINTR ||
					     ret == -EPIPE || ret == -EMSGSIZE));
	return ret;
}

int logos_channel_reply(int fd, logos_handle_t ep, uint64_t txn_id, const struct logos_msg *reply)
{
	return channel_reply(fd, ep, txn_id, reply, NULL, 0, NULL);
}

int logos_channel_reply_recv(int fd, logos_handle_t ep, uint64_t txn_id,
			     const struct logos_msg *reply, struct logos_msg *next,
			     int64_t timeout_ns, int *replied)
{
	return channel_reply(fd, ep, txn_id, reply, next, timeout_ns, replied);
}

/* ---- memory objects ------------------------------------------------- */

int logos_mem_create(int fd, size_t size, logos_handle_t *mem, size_t *actual)
{
	struct logos_mem_create a = { .size = size };
	int ret = logos__ioctl(fd, LOGOS_IOC_MEM_CREATE, &a);

	if (!ret) {
		*mem = a.handle;
		if (actual)
			*actual = a.size;
	}
	return ret;
}

int logos_mem_get_info(int fd, logos_handle_t mem, struct logos_mem_info *info)
{
	struct logos_mem_info a = { .handle = mem };
	int ret = logos__ioctl(fd, LOGOS_IOC_MEM_INFO, &a);

	if (!ret)
		*info = a;
	return ret;
}

int logos_mem_map(int fd, logos_handle_t mem, size_t len, int prot, void **addr)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	if (!len) {
		struct logos_mem_info info;
		int ret = logos_mem_get_info(fd, mem, &info);

		if (ret)
			return ret;
		len = info.size;
	}
	p = mmap(NULL, len, prot, MAP_SHARED, fd, (off_t)mem * page);
	if (p == MAP_FAILED)
		return -errno;
	*addr = p;
	return 0;
}

int logos_mem_unmap(void *addr, size_t len)
{
	return munmap(addr, len) ? -errno : 0;
}

/* ---- topics --------------------------------------------------------- */

int logos_topic_create(int fd, uint32_t policy, uint32_t max_msgs, logos_handle_t *topic)
{
	struct logos_topic_create a = { .flags = policy, .max_msgs = max_msgs };
	int ret = logos__ioctl(fd, LOGOS_IOC_TOPIC_CREATE, &a);

	if (!ret)
		*topic = a.handle;
	return ret;
}

int logos_topic_subscribe(int fd, logos_handle_t topic, logos_handle_t *ep)
{
	struct logos_topic_subscribe a = { .handle = topic };
	int ret = logos__ioctl(fd, LOGOS_IOC_TOPIC_SUBSCRIBE, &a);

	if (!ret)
		*ep = a.endpoint;
	return ret;
}

int logos_topic_publish(int fd, logos_handle_t topic, const void *data, size_t len,
			const struct logos_msg_handle *handles, uint32_t nr_handles,
			int64_t timeout_ns, uint32_t *delivered, uint32_t *dropped)
{
	struct logos_topic_publish a;
	int ret;

	if (len > LOGOS_MSG_MAX_BYTES)
		return -EMSGSIZE;
	memset(&a, 0, sizeof(a));
	a.handle = topic;
	a.timeout_ns = timeout_ns;
	logos_msg_prepare(&a.msg, (void *)data, (uint32_t)len,
			  (struct logos_msg_handle *)handles, nr_handles);
	ret = logos__ioctl(fd, LOGOS_IOC_TOPIC_PUBLISH, &a);
	if (!ret) {
		if (delivered)
			*delivered = a.delivered;
		if (dropped)
			*dropped = a.dropped;
	}
	return ret;
}

/* ---- watches -------------------------------------------------------- */

int logos_watch_add(int fd, logos_handle_t h, uint32_t signals, uint32_t flags, uint64_t key)
{
	struct logos_watch a = { .handle = h, .signals = signals, .flags = flags, .key = key };

	return logos__ioctl(fd, LOGOS_IOC_WATCH, &a);
}

int logos_watch_remove(int fd, uint64_t key)
{
	struct logos_watch a = { .flags = LOGOS_WATCH_REMOVE, .key = key };

	return logos__ioctl(fd, LOGOS_IOC_WATCH, &a);
}

int logos_watch_read(int fd, struct logos_watch_report *reports, uint32_t count,
		     int64_t timeout_ns, uint32_t *ready)
{
	struct logos_watch_read a = {
		.reports = logos__ptr(reports), .count = count, .timeout_ns = timeout_ns,
	};
	int ret = logos__ioctl(fd, LOGOS_IOC_WATCH_READ, &a);

	if (!ret && ready)
		*ready = a.ready;
	return ret;
}
