/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared scaffolding of the attack programs: only uapi/linux/logos.h and
 * libc. A supervisor (this process, root) creates one module and then
 * plays it: every attack runs on the module file, the hostile module's
 * only authority. Each program prints "attack NAME: ..." lines and a
 * last line "NAME: N passed, N failed"; a "failed" check is a finding
 * (wrong behaviour seen from userspace). Kernel splats are the harness's
 * job (tests/vm/run exits 120/122).
 */
#ifndef LOGOS_ATTACK_COMMON_H
#define LOGOS_ATTACK_COMMON_H

#define _GNU_SOURCE
#include <linux/logos.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static int sup_fd = -1;		/* /dev/logos */
static int mfd = -1;		/* the module file */
static uint32_t mod_handle;	/* the supervisor's handle to the module */
static int n_pass, n_fail;
static const char *attack_name = "attack";

static inline int xioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}
#define M(req, arg) xioctl(mfd, req, arg)

static inline void check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %s: ", ok ? "ok" : "not ok", attack_name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (ok)
		n_pass++;
	else
		n_fail++;
}

static inline int finish(void)
{
	printf("%s: %d passed, %d failed\n", attack_name, n_pass, n_fail);
	return n_fail ? 1 : 0;
}

static inline void die(const char *what, int err)
{
	printf("not ok %s: setup %s: %s\n", attack_name, what, strerror(-err));
	printf("%s: %d passed, %d failed\n", attack_name, n_pass, n_fail + 1);
	exit(2);
}

static inline long live_objects(void)
{
	FILE *f = fopen("/sys/module/logos/parameters/live_objects", "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* A fresh module; its file replaces mfd (the old one is closed). */
static inline void new_module(uint32_t flags)
{
	struct logos_module_create mc = { .name = "hostile", .flags = flags };
	int ret;

	if (sup_fd < 0) {
		sup_fd = open(LOGOS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		if (sup_fd < 0)
			die("open /dev/logos", -errno);
	}
	if (mfd >= 0) {
		struct logos_handle_close c = { .handle = mod_handle };

		close(mfd);
		xioctl(sup_fd, LOGOS_IOC_HANDLE_CLOSE, &c);
	}
	ret = xioctl(sup_fd, LOGOS_IOC_MODULE_CREATE, &mc);
	if (ret)
		die("MODULE_CREATE", ret);
	mfd = mc.fd;
	mod_handle = mc.handle;
}

static inline void end_module(void)
{
	struct logos_handle_close c = { .handle = mod_handle };

	if (mfd >= 0)
		close(mfd);
	mfd = -1;
	xioctl(sup_fd, LOGOS_IOC_HANDLE_CLOSE, &c);
}

static inline int hclose(uint32_t h)
{
	struct logos_handle_close c = { .handle = h };

	return M(LOGOS_IOC_HANDLE_CLOSE, &c);
}

static inline int hdup(uint32_t h, uint32_t rights, uint32_t *out)
{
	struct logos_handle_dup d = { .handle = h, .rights = rights };
	int ret = M(LOGOS_IOC_HANDLE_DUPLICATE, &d);

	*out = d.new_handle;
	return ret;
}

static inline int hrevoke(uint32_t h, uint32_t *count)
{
	struct logos_handle_revoke r = { .handle = h };
	int ret = M(LOGOS_IOC_HANDLE_REVOKE, &r);

	if (count)
		*count = r.revoked;
	return ret;
}

static inline int chan_create(uint32_t *h0, uint32_t *h1)
{
	struct logos_channel_create cc = { 0 };
	int ret = M(LOGOS_IOC_CHANNEL_CREATE, &cc);

	*h0 = cc.handle0;
	*h1 = cc.handle1;
	return ret;
}

/* One message on @h with @n handles (flags per handle in @hflags). */
static inline int send_msg(uint32_t h, const void *data, uint32_t len, const uint32_t *hs,
		    const uint32_t *hflags, uint32_t n, int64_t timeout)
{
	struct logos_msg_handle mh[LOGOS_MSG_MAX_HANDLES];
	struct logos_msg m = { .data = (uintptr_t)data, .data_len = len,
			       .nr_handles = n, .handles = (uintptr_t)mh };
	struct logos_channel_io io = { .handle = h, .msgs = (uintptr_t)&m, .count = 1,
				       .timeout_ns = timeout };
	uint32_t i;

	memset(mh, 0, sizeof(mh));
	for (i = 0; i < n; i++) {
		mh[i].handle = hs[i];
		mh[i].rights = LOGOS_RIGHTS_SAME;
		mh[i].flags = hflags ? hflags[i] : 0;
	}
	return M(LOGOS_IOC_CHANNEL_SEND, &io);
}

static inline int recv_msg(uint32_t h, void *data, uint32_t len, struct logos_msg_handle *hs,
		    uint32_t n, int64_t timeout, struct logos_msg *out)
{
	struct logos_msg m = { .data = (uintptr_t)data, .data_len = len,
			       .nr_handles = n, .handles = (uintptr_t)hs };
	struct logos_channel_io io = { .handle = h, .msgs = (uintptr_t)&m, .count = 1,
				       .timeout_ns = timeout };
	int ret = M(LOGOS_IOC_CHANNEL_RECV, &io);

	if (out)
		*out = m;
	return ret;
}

static inline int mem_create(uint64_t size, uint32_t *h, uint64_t *off)
{
	struct logos_mem_create mc = { .size = size };
	int ret = M(LOGOS_IOC_MEM_CREATE, &mc);

	*h = mc.handle;
	if (off)
		*off = mc.mmap_offset;
	return ret;
}

static inline struct logos_module_info self_info(void)
{
	struct logos_module_info mi = { .handle = LOGOS_HANDLE_SELF };

	M(LOGOS_IOC_MODULE_INFO, &mi);
	return mi;
}

static inline void pin_cpu(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu % (int)sysconf(_SC_NPROCESSORS_ONLN), &s);
	sched_setaffinity(0, sizeof(s), &s);
}

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Rounds from argv[1], or @def. */
static inline long rounds_arg(int argc, char **argv, long def)
{
	return argc > 1 ? atol(argv[1]) : def;
}

#endif
