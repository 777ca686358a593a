/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the IPC guest tests (channel, call, memory, topic, watch):
 * one wrapper per IPC ioctl, a thread that blocks in an ioctl, a probe
 * that survives SIGBUS, and readers of logos.ko's module parameters.
 */
#ifndef _LOGOS_TEST_IPC_HELPERS_H
#define _LOGOS_TEST_IPC_HELPERS_H

#include <setjmp.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "helpers.h"

#ifndef MS
#define MS	1000000LL
#endif
#ifndef SEC
#define SEC	1000000000LL
#endif

#define PTR(p)	((__u64)(unsigned long)(p))

/* Rights of a fresh channel endpoint: everything but MAP_*. */
#define LOGOS_ENDPOINT_RIGHTS \
	(LOGOS_RIGHTS_ALL & ~(LOGOS_RIGHT_MAP_READ | LOGOS_RIGHT_MAP_WRITE))
/* Rights of a subscriber's endpoint and of a topic's memory grant. */
#define LOGOS_SUB_RIGHTS \
	(LOGOS_RIGHT_READ | LOGOS_RIGHT_DUPLICATE | LOGOS_RIGHT_TRANSFER)
#define LOGOS_TOPIC_GRANT_RIGHTS \
	(LOGOS_RIGHT_READ | LOGOS_RIGHT_MAP_READ | LOGOS_RIGHT_DUPLICATE)

/* ---- logos.ko parameters -------------------------------------------- */

/* A numeric parameter of logos.ko, or -1 when it cannot be read. */
static inline long long logos_param(const char *name)
{
	char path[128], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/logos/parameters/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtoll(buf, NULL, 0);
}

static inline long long logos_live_objects(void)
{
	return logos_param("live_objects");
}

/*
 * Objects are released when the last reference goes; some of that may
 * happen just after the call that dropped it returns (RCU, a work item).
 * Waits up to 2 s for live_objects to reach @want and returns what it saw.
 */
static inline long long logos_live_objects_settle(long long want)
{
	long long live = logos_live_objects();
	int i;

	for (i = 0; i < 200 && live != want; i++) {
		usleep(10000);
		live = logos_live_objects();
	}
	return live;
}

/* ---- channels ----------------------------------------------------------- */

static inline int logos_chan_new(int fd, __u32 max_msgs, __u32 max_bytes,
				 __u32 *h0, __u32 *h1)
{
	struct logos_channel_create arg = { .max_msgs = max_msgs, .max_bytes = max_bytes };
	int ret = logos_ioctl(fd, LOGOS_IOC_CHANNEL_CREATE, &arg);

	if (!ret) {
		*h0 = arg.handle0;
		*h1 = arg.handle1;
	}
	return ret;
}

/* SEND or RECV of @count messages; *done is filled whatever the result. */
static inline int logos_chan_io(int fd, unsigned long cmd, __u32 h, struct logos_msg *msgs,
				__u32 count, __s64 timeout_ns, __u32 *done)
{
	struct logos_channel_io io = {
		.handle = h, .msgs = PTR(msgs), .count = count, .timeout_ns = timeout_ns,
	};
	int ret = logos_ioctl(fd, cmd, &io);

	if (done)
		*done = io.done;
	return ret;
}

/* One message of bytes and handles; @flags are the message's flags. */
static inline int logos_send(int fd, __u32 h, const void *data, __u32 len,
			     struct logos_msg_handle *hs, __u32 nr, __u32 flags,
			     __s64 timeout_ns)
{
	struct logos_msg msg = {
		.data = PTR(data), .data_len = len, .nr_handles = nr,
		.handles = PTR(hs), .flags = flags,
	};

	return logos_chan_io(fd, LOGOS_IOC_CHANNEL_SEND, h, &msg, 1, timeout_ns, NULL);
}

/* Bytes only, never waiting. */
static inline int logos_send_bytes(int fd, __u32 h, const void *data, __u32 len)
{
	return logos_send(fd, h, data, len, NULL, 0, 0, 0);
}

/*
 * One receive into @buf (@size bytes) and @hs (@nr slots). *out, if given,
 * gets the buffer descriptor as the kernel left it, whatever the result:
 * sizes and header on success, the sizes needed on -EMSGSIZE.
 */
static inline int logos_recv(int fd, __u32 h, void *buf, __u32 size,
			     struct logos_msg_handle *hs, __u32 nr, __s64 timeout_ns,
			     struct logos_msg *out)
{
	struct logos_msg msg = {
		.data = PTR(buf), .data_len = size, .nr_handles = nr, .handles = PTR(hs),
	};
	int ret = logos_chan_io(fd, LOGOS_IOC_CHANNEL_RECV, h, &msg, 1, timeout_ns, NULL);

	if (out)
		*out = msg;
	return ret;
}

/* Receives one message of bytes only; returns its length or -errno. */
static inline int logos_recv_bytes(int fd, __u32 h, void *buf, __u32 size, __s64 timeout_ns)
{
	struct logos_msg msg;
	int ret = logos_recv(fd, h, buf, size, NULL, 0, timeout_ns, &msg);

	return ret ? ret : (int)msg.data_len;
}

/* A handle to put in a message. */
static inline struct logos_msg_handle logos_mh(__u32 handle, __u32 rights, __u32 flags)
{
	struct logos_msg_handle mh = { .handle = handle, .rights = rights, .flags = flags };

	return mh;
}

/* ---- calls -------------------------------------------------------------------- */

/* A call whose request and reply are bytes only. */
struct logos_test_call {
	struct logos_channel_call arg;
	char reply[256];
	int ret;
};

static inline void logos_call_prep(struct logos_test_call *c, __u32 h, const void *req,
				   __u32 len, __s64 timeout_ns)
{
	memset(c, 0, sizeof(*c));
	c->arg.handle = h;
	c->arg.timeout_ns = timeout_ns;
	c->arg.request.data = PTR(req);
	c->arg.request.data_len = len;
	c->arg.reply.data = PTR(c->reply);
	c->arg.reply.data_len = sizeof(c->reply);
	c->ret = 1;
}

static inline int logos_reply(int fd, __u32 h, __u64 txn, const void *data, __u32 len)
{
	struct logos_channel_reply arg = {
		.handle = h, .txn_id = txn,
		.reply = { .data = PTR(data), .data_len = len },
	};

	return logos_ioctl(fd, LOGOS_IOC_CHANNEL_REPLY, &arg);
}

/* ---- memory --------------------------------------------------------------- */

static inline long logos_page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

static inline int logos_mem_new(int fd, __u64 size, __u32 *h, __u64 *offset)
{
	struct logos_mem_create arg = { .size = size };
	int ret = logos_ioctl(fd, LOGOS_IOC_MEM_CREATE, &arg);

	if (!ret) {
		*h = arg.handle;
		if (offset)
			*offset = arg.mmap_offset;
	}
	return ret;
}

static inline int logos_mem_info(int fd, __u32 h, struct logos_mem_info *info)
{
	struct logos_mem_info arg = { .handle = h };
	int ret = logos_ioctl(fd, LOGOS_IOC_MEM_INFO, &arg);

	if (!ret)
		*info = arg;
	return ret;
}

/* mmap(2) of a memory handle on @fd (MAP_SHARED); NULL with errno set on failure. */
static inline void *logos_map(int fd, __u32 h, size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, (off_t)h * logos_page_size());

	return p == MAP_FAILED ? NULL : p;
}

/* -errno of an mmap(2) that is expected to fail, 0 if it succeeded. */
static inline int logos_map_err(int fd, off_t offset, size_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags, fd, offset);

	if (p == MAP_FAILED)
		return -errno;
	munmap(p, len);
	return 0;
}

/* A module's usage of one resource, or ~0ULL when it cannot be read. */
static inline __u64 logos_usage(int fd, __u32 module, __u32 res)
{
	struct logos_module_info mi;

	return logos_module_info(fd, module, &mi) ? ~0ULL : mi.usage[res];
}

/*
 * Touching memory that may fault: 0 when the access went through,
 * SIGBUS or SIGSEGV when it faulted.
 */
static sigjmp_buf logos_probe_jmp;

static inline void logos_probe_handler(int sig)
{
	siglongjmp(logos_probe_jmp, sig);
}

static inline int logos_probe(volatile char *p, int write, char value, char *seen)
{
	struct sigaction sa = { .sa_handler = logos_probe_handler }, obus, osegv;
	int sig;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &obus);
	sigaction(SIGSEGV, &sa, &osegv);
	sig = sigsetjmp(logos_probe_jmp, 1);
	if (!sig) {
		if (write)
			*p = value;
		else if (seen)
			*seen = *p;
		else
			(void)*p;
	}
	sigaction(SIGBUS, &obus, NULL);
	sigaction(SIGSEGV, &osegv, NULL);
	return sig;
}

/* ---- topics ------------------------------------------------------------------- */

static inline int logos_topic_new(int fd, __u32 flags, __u32 max_msgs, __u32 *h)
{
	struct logos_topic_create arg = { .flags = flags, .max_msgs = max_msgs };
	int ret = logos_ioctl(fd, LOGOS_IOC_TOPIC_CREATE, &arg);

	if (!ret)
		*h = arg.handle;
	return ret;
}

static inline int logos_subscribe(int fd, __u32 topic, __u32 *ep)
{
	struct logos_topic_subscribe arg = { .handle = topic };
	int ret = logos_ioctl(fd, LOGOS_IOC_TOPIC_SUBSCRIBE, &arg);

	if (!ret)
		*ep = arg.endpoint;
	return ret;
}

/* *delivered and *dropped (if given) are filled on success only. */
static inline int logos_publish(int fd, __u32 topic, const void *data, __u32 len,
				struct logos_msg_handle *hs, __u32 nr, __s64 timeout_ns,
				__u32 *delivered, __u32 *dropped)
{
	struct logos_topic_publish arg = {
		.handle = topic, .timeout_ns = timeout_ns,
		.msg = { .data = PTR(data), .data_len = len, .nr_handles = nr,
			 .handles = PTR(hs) },
	};
	int ret = logos_ioctl(fd, LOGOS_IOC_TOPIC_PUBLISH, &arg);

	if (!ret && delivered)
		*delivered = arg.delivered;
	if (!ret && dropped)
		*dropped = arg.dropped;
	return ret;
}

/* ---- watches ------------------------------------------------------------------ */

static inline int logos_watch(int fd, __u32 h, __u32 signals, __u32 flags, __u64 key)
{
	struct logos_watch arg = { .handle = h, .signals = signals, .flags = flags, .key = key };

	return logos_ioctl(fd, LOGOS_IOC_WATCH, &arg);
}

/* *ready is filled whatever the result (0 when nothing was written). */
static inline int logos_watch_read(int fd, struct logos_watch_report *r, __u32 count,
				   __s64 timeout_ns, __u32 *ready)
{
	struct logos_watch_read arg = {
		.reports = PTR(r), .count = count, .timeout_ns = timeout_ns,
	};
	int ret = logos_ioctl(fd, LOGOS_IOC_WATCH_READ, &arg);

	if (ready)
		*ready = ret ? 0 : arg.ready;
	return ret;
}

/* ---- an ioctl in a thread of its own -------------------------------------------- */

/*
 * Runs ioctl(@fd, @cmd, @arg) in a thread, so the test can watch it block,
 * wake it, or interrupt it. @ret is 1 until the call returned.
 */
struct logos_bg {
	int fd;
	unsigned long cmd;
	void *arg;
	/* out */
	pid_t tid;
	int ret;
	__u64 elapsed_ns;
	pthread_t thread;
};

static inline void *logos_bg_main(void *p)
{
	struct logos_bg *bg = p;
	__u64 start = logos_now_ns();
	int ret;

	__atomic_store_n(&bg->tid, gettid(), __ATOMIC_SEQ_CST);
	ret = logos_ioctl(bg->fd, bg->cmd, bg->arg);
	bg->elapsed_ns = logos_now_ns() - start;
	__atomic_store_n(&bg->ret, ret, __ATOMIC_SEQ_CST);
	return NULL;
}

/* The call's result so far: 1 while it still runs. */
static inline int logos_bg_ret(struct logos_bg *bg)
{
	return __atomic_load_n(&bg->ret, __ATOMIC_SEQ_CST);
}

/*
 * Starts the call and returns 0 once the thread sleeps in it; -ESRCH if
 * the call already returned (see bg->ret after logos_bg_join()).
 */
static inline int logos_bg_start(struct logos_bg *bg, int fd, unsigned long cmd, void *arg)
{
	pid_t tid = 0;
	int i, ret;

	bg->fd = fd;
	bg->cmd = cmd;
	bg->arg = arg;
	bg->tid = 0;
	bg->ret = 1;
	if (pthread_create(&bg->thread, NULL, logos_bg_main, bg))
		return -EAGAIN;
	for (i = 0; i < 5000 && !tid; i++) {
		tid = __atomic_load_n(&bg->tid, __ATOMIC_SEQ_CST);
		if (!tid)
			usleep(1000);
	}
	if (!tid)
		return -ETIMEDOUT;
	ret = logos_wait_until_sleeping(tid);
	if (logos_bg_ret(bg) != 1)
		return -ESRCH;
	return ret;
}

static inline int logos_bg_join(struct logos_bg *bg)
{
	pthread_join(bg->thread, NULL);
	return bg->ret;
}

/* Waits up to @ms for the call to return; its result, or 1 if it still runs. */
static inline int logos_bg_wait(struct logos_bg *bg, int ms)
{
	int i;

	for (i = 0; i < ms && logos_bg_ret(bg) == 1; i++)
		usleep(1000);
	return logos_bg_ret(bg);
}

/* A handler that does nothing, installed without SA_RESTART: -EINTR. */
static inline void logos_noop_handler(int sig)
{
	(void)sig;
}

static inline int logos_install_noop(int sig)
{
	struct sigaction sa = { .sa_handler = logos_noop_handler };

	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

/* ---- modules -------------------------------------------------------------------- */

/*
 * A module that holds one endpoint (moved into its table from the
 * supervisor's): *in_module is the handle's value there.
 */
static inline int logos_module_with(int dev, const char *name, const __u64 *limits,
				    __u32 handle, struct logos_test_module *m,
				    __u32 *in_module)
{
	int ret = logos_module_new(dev, name, LOGOS_TRUST_USER, limits, m);

	if (ret)
		return ret;
	return logos_give(dev, m->handle, handle, LOGOS_RIGHTS_SAME, LOGOS_GIVE_MOVE,
			  in_module);
}

#endif /* _LOGOS_TEST_IPC_HELPERS_H */
