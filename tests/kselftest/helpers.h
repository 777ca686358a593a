/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers shared by the guest tests: opening the device, issuing an
 * ioctl with an arbitrary argument size, dropping privileges, and one
 * wrapper per ioctl.
 */
#ifndef _LOGOS_TEST_HELPERS_H
#define _LOGOS_TEST_HELPERS_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/logos.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static inline int logos_open_dev(void)
{
	return open(LOGOS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
}

/* The same ioctl with another argument size, as an older/newer caller. */
static inline unsigned long logos_resize(unsigned long cmd, size_t size)
{
	return _IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), size);
}

/* Returns -errno or the ioctl's result, so tests compare one value. */
static inline int logos_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

/* Become an unprivileged user (nobody) with no capabilities left. */
static inline int logos_drop_privileges(void)
{
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		return -errno;
	return 0;
}

/*
 * Thin wrappers around the logos ioctls. Each returns 0 or -errno and fills
 * its out-parameters only on success, so a test asserts one value.
 */

/* Rights of a freshly created event: everything but MAP_*. */
#define LOGOS_EVENT_RIGHTS \
	(LOGOS_RIGHTS_ALL & ~(LOGOS_RIGHT_MAP_READ | LOGOS_RIGHT_MAP_WRITE))

static inline int logos_event_new(int fd, __u32 *handle)
{
	struct logos_event_create arg = { 0 };
	int ret = logos_ioctl(fd, LOGOS_IOC_EVENT_CREATE, &arg);

	if (!ret)
		*handle = arg.handle;
	return ret;
}

static inline int logos_dup(int fd, __u32 handle, __u32 rights, __u32 *copy)
{
	struct logos_handle_dup arg = { .handle = handle, .rights = rights };
	int ret = logos_ioctl(fd, LOGOS_IOC_HANDLE_DUPLICATE, &arg);

	if (!ret)
		*copy = arg.new_handle;
	return ret;
}

static inline int logos_replace(int fd, __u32 handle, __u32 rights)
{
	struct logos_handle_replace arg = { .handle = handle, .rights = rights };

	return logos_ioctl(fd, LOGOS_IOC_HANDLE_REPLACE, &arg);
}

static inline int logos_close_handle(int fd, __u32 handle)
{
	struct logos_handle_close arg = { .handle = handle };

	return logos_ioctl(fd, LOGOS_IOC_HANDLE_CLOSE, &arg);
}

static inline int logos_info(int fd, __u32 handle, struct logos_handle_info *info)
{
	struct logos_handle_info arg = { .handle = handle };
	int ret = logos_ioctl(fd, LOGOS_IOC_HANDLE_INFO, &arg);

	if (!ret)
		*info = arg;
	return ret;
}

/* Just the rights of a handle, or ~0U when it cannot be described. */
static inline __u32 logos_rights_of(int fd, __u32 handle)
{
	struct logos_handle_info info;

	return logos_info(fd, handle, &info) ? ~0U : info.rights;
}

static inline int logos_revoke(int fd, __u32 handle, __u32 *revoked)
{
	struct logos_handle_revoke arg = { .handle = handle };
	int ret = logos_ioctl(fd, LOGOS_IOC_HANDLE_REVOKE, &arg);

	if (!ret && revoked)
		*revoked = arg.revoked;
	return ret;
}

static inline int logos_give(int fd, __u32 module, __u32 handle, __u32 rights,
			     __u32 flags, __u32 *given)
{
	struct logos_handle_give arg = {
		.module = module, .handle = handle, .rights = rights, .flags = flags,
	};
	int ret = logos_ioctl(fd, LOGOS_IOC_HANDLE_GIVE, &arg);

	if (!ret && given)
		*given = arg.new_handle;
	return ret;
}

static inline int logos_signal(int fd, __u32 handle, __u32 clear, __u32 set)
{
	struct logos_event_signal arg = { .handle = handle, .clear = clear, .set = set };

	return logos_ioctl(fd, LOGOS_IOC_EVENT_SIGNAL, &arg);
}

/* LOGOS_IOC_WAIT on one handle; *observed is filled whatever the result. */
static inline int logos_wait_one(int fd, __u32 handle, __u32 signals,
				 __s64 timeout_ns, __u32 *observed)
{
	struct logos_wait_item item = { .handle = handle, .signals = signals };
	struct logos_wait arg = {
		.items = (__u64)(unsigned long)&item, .count = 1,
		.timeout_ns = timeout_ns,
	};
	int ret = logos_ioctl(fd, LOGOS_IOC_WAIT, &arg);

	if (observed)
		*observed = item.observed;
	return ret;
}

static inline int logos_set_state(int fd, __u32 module, __u32 state)
{
	struct logos_module_set_state arg = { .handle = module, .state = state };

	return logos_ioctl(fd, LOGOS_IOC_MODULE_SET_STATE, &arg);
}

static inline int logos_set_quota(int fd, __u32 module, __u32 resource, __u64 limit)
{
	struct logos_module_set_quota arg = {
		.handle = module, .resource = resource, .limit = limit,
	};

	return logos_ioctl(fd, LOGOS_IOC_MODULE_SET_QUOTA, &arg);
}

static inline int logos_module_info(int fd, __u32 module, struct logos_module_info *mi)
{
	struct logos_module_info arg = { .handle = module };
	int ret = logos_ioctl(fd, LOGOS_IOC_MODULE_INFO, &arg);

	if (!ret)
		*mi = arg;
	return ret;
}

/* The module's state, or ~0U when MODULE_INFO fails. */
static inline __u32 logos_state_of(int fd, __u32 module)
{
	struct logos_module_info mi;

	return logos_module_info(fd, module, &mi) ? ~0U : mi.state;
}

/* A module as the supervisor sees it after LOGOS_IOC_MODULE_CREATE. */
struct logos_test_module {
	__u32 handle;	/* in the supervisor's table, LOGOS_RIGHTS_ALL */
	int fd;		/* the module file, -1 once closed */
	__u32 id;
};

/* limits may be NULL for all defaults. */
static inline int logos_module_new(int dev, const char *name, __u32 trust,
				   const __u64 *limits, struct logos_test_module *m)
{
	struct logos_module_create arg = { .trust_level = trust };
	int ret, i;

	memcpy(arg.name, name, strnlen(name, sizeof(arg.name) - 1));
	for (i = 0; limits && i < LOGOS_RES_COUNT; i++)
		arg.limits[i] = limits[i];
	ret = logos_ioctl(dev, LOGOS_IOC_MODULE_CREATE, &arg);
	if (!ret) {
		m->handle = arg.handle;
		m->fd = arg.fd;
		m->id = arg.module_id;
	}
	return ret;
}

/* Closes the module file: the module becomes TERMINATED. */
static inline void logos_module_release(struct logos_test_module *m)
{
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

/* Drives a LOADED module to @state along allowed transitions. */
static inline int logos_module_drive(int dev, struct logos_test_module *m, __u32 state)
{
	static const __u32 path[][4] = {
		[LOGOS_STATE_LOADED] = { 0 },
		[LOGOS_STATE_INITIALIZING] = { 1, LOGOS_STATE_INITIALIZING },
		[LOGOS_STATE_RUNNING] = { 2, LOGOS_STATE_INITIALIZING, LOGOS_STATE_RUNNING },
		[LOGOS_STATE_PAUSED] = { 3, LOGOS_STATE_INITIALIZING, LOGOS_STATE_RUNNING,
					 LOGOS_STATE_PAUSED },
		[LOGOS_STATE_TERMINATING] = { 1, LOGOS_STATE_TERMINATING },
	};
	__u32 i;
	int ret;

	if (state == LOGOS_STATE_TERMINATED) {
		logos_module_release(m);
		return 0;
	}
	if (state >= LOGOS_STATE_TERMINATED)
		return -EINVAL;
	for (i = 1; i <= path[state][0]; i++) {
		ret = logos_set_state(dev, m->handle, path[state][i]);
		if (ret)
			return ret;
	}
	return 0;
}

static inline __u64 logos_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Runs @fn(@arg) in a child process that dies with the test (PDEATHSIG),
 * so no module file outlives a failed test. Returns the child's pid.
 */
static inline pid_t logos_spawn(int (*fn)(void *), void *arg)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid)
		return pid;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(99);
	_exit(fn(arg));
}

/*
 * Waits until thread @tid of this process sleeps (state S in /proc), i.e.
 * is blocked in the call it was about to make. Returns 0, or -ETIMEDOUT
 * after 5 s.
 */
static inline int logos_wait_until_sleeping(pid_t tid)
{
	char path[64], buf[512], *p;
	int i, fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	for (i = 0; i < 5000; i++) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = 0;
			p = strrchr(buf, ')');
			if (p && p[1] == ' ' && p[2] == 'S')
				return 0;
		}
		usleep(1000);
	}
	return -ETIMEDOUT;
}

/* A thread blocked in LOGOS_IOC_WAIT on one handle. */
struct logos_waiter {
	int fd;
	__u32 handle, signals;
	__s64 timeout_ns;
	/* out */
	pid_t tid;
	int ret;
	__u32 observed, ready;
	__u64 elapsed_ns;
	pthread_t thread;
};

static inline void *logos_waiter_main(void *arg)
{
	struct logos_waiter *w = arg;
	struct logos_wait_item item = { .handle = w->handle, .signals = w->signals };
	struct logos_wait wait = {
		.items = (__u64)(unsigned long)&item, .count = 1,
		.timeout_ns = w->timeout_ns,
	};
	__u64 start = logos_now_ns();

	__atomic_store_n(&w->tid, gettid(), __ATOMIC_SEQ_CST);
	w->ret = logos_ioctl(w->fd, LOGOS_IOC_WAIT, &wait);
	w->elapsed_ns = logos_now_ns() - start;
	w->observed = item.observed;
	w->ready = wait.ready;
	return NULL;
}

/* Starts the waiter and returns once it sleeps in the wait: 0 or -errno. */
static inline int logos_waiter_start(struct logos_waiter *w)
{
	pid_t tid;
	int i;

	w->tid = 0;
	w->ret = 1;
	if (pthread_create(&w->thread, NULL, logos_waiter_main, w))
		return -EAGAIN;
	for (i = 0; i < 5000; i++) {
		tid = __atomic_load_n(&w->tid, __ATOMIC_SEQ_CST);
		if (tid)
			return logos_wait_until_sleeping(tid);
		usleep(1000);
	}
	return -ETIMEDOUT;
}

static inline void logos_waiter_join(struct logos_waiter *w)
{
	pthread_join(w->thread, NULL);
}

/* Waits for a child; returns its exit status, or 128+signal. */
static inline int logos_reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

#endif /* _LOGOS_TEST_HELPERS_H */
