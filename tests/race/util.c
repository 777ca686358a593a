// SPDX-License-Identifier: GPL-2.0
/*
 * Thin wrappers over the logos ioctls (uapi/linux/logos.h only), so the
 * scenarios read as the sequence they race, and the SIGBUS catcher.
 */
#include "race.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

int lx(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

int sup_open(void)
{
	int fd = open(LOGOS_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int mod_create(int sfd, uint32_t flags, uint32_t *module_handle)
{
	struct logos_module_create mc = { .flags = flags };
	int ret;

	strcpy(mc.name, "race");
	ret = lx(sfd, LOGOS_IOC_MODULE_CREATE, &mc);
	if (ret)
		return ret;
	*module_handle = mc.handle;
	return mc.fd;
}

int mod_usage(int fd, uint32_t res, uint64_t *usage)
{
	struct logos_module_info mi = { .handle = LOGOS_HANDLE_SELF };
	int ret = lx(fd, LOGOS_IOC_MODULE_INFO, &mi);

	if (!ret)
		*usage = mi.usage[res];
	return ret;
}

int set_quota(int sfd, uint32_t module_handle, uint32_t res, uint64_t limit)
{
	struct logos_module_set_quota q = { .handle = module_handle, .resource = res,
					    .limit = limit };

	return lx(sfd, LOGOS_IOC_MODULE_SET_QUOTA, &q);
}

int hclose(int fd, uint32_t h)
{
	struct logos_handle_close c = { .handle = h };

	return lx(fd, LOGOS_IOC_HANDLE_CLOSE, &c);
}

int hdup(int fd, uint32_t h, uint32_t rights, uint32_t *out)
{
	struct logos_handle_dup d = { .handle = h, .rights = rights };
	int ret = lx(fd, LOGOS_IOC_HANDLE_DUPLICATE, &d);

	*out = ret ? 0 : d.new_handle;
	return ret;
}

int hrevoke(int fd, uint32_t h, uint32_t *revoked)
{
	struct logos_handle_revoke r = { .handle = h };
	int ret = lx(fd, LOGOS_IOC_HANDLE_REVOKE, &r);

	if (revoked)
		*revoked = ret ? 0 : r.revoked;
	return ret;
}

int hgive(int sfd, uint32_t module_handle, uint32_t h, uint32_t rights, uint32_t flags,
	  uint32_t *out)
{
	struct logos_handle_give g = { .module = module_handle, .handle = h, .rights = rights,
				       .flags = flags };
	int ret = lx(sfd, LOGOS_IOC_HANDLE_GIVE, &g);

	if (out)
		*out = ret ? 0 : g.new_handle;
	return ret;
}

int chan_create(int fd, uint32_t max_msgs, uint32_t *h0, uint32_t *h1)
{
	struct logos_channel_create cc = { .max_msgs = max_msgs };
	int ret = lx(fd, LOGOS_IOC_CHANNEL_CREATE, &cc);

	*h0 = ret ? 0 : cc.handle0;
	*h1 = ret ? 0 : cc.handle1;
	return ret;
}

int chan_send(int fd, uint32_t ep, const uint32_t *hs, uint32_t n, uint32_t flags,
	      int64_t timeout_ns)
{
	struct logos_msg_handle mh[LOGOS_MSG_MAX_HANDLES];
	struct logos_msg m = { .nr_handles = n, .handles = (uintptr_t)mh };
	struct logos_channel_io io = { .handle = ep, .msgs = (uintptr_t)&m, .count = 1,
				       .timeout_ns = timeout_ns };
	uint32_t i;

	for (i = 0; i < n; i++)
		mh[i] = (struct logos_msg_handle){ .handle = hs[i], .rights = LOGOS_RIGHTS_SAME,
						   .flags = flags };
	return lx(fd, LOGOS_IOC_CHANNEL_SEND, &io);
}

int chan_recv(int fd, uint32_t ep, struct logos_msg_handle *hs, uint32_t n, int64_t timeout_ns)
{
	char data[64];
	struct logos_msg m = { .data = (uintptr_t)data, .data_len = sizeof(data),
			       .nr_handles = n, .handles = (uintptr_t)hs };
	struct logos_channel_io io = { .handle = ep, .msgs = (uintptr_t)&m, .count = 1,
				       .timeout_ns = timeout_ns };

	return lx(fd, LOGOS_IOC_CHANNEL_RECV, &io);
}

int mem_create(int fd, uint64_t size, uint32_t *h)
{
	struct logos_mem_create mc = { .size = size };
	int ret = lx(fd, LOGOS_IOC_MEM_CREATE, &mc);

	*h = ret ? 0 : mc.handle;
	return ret;
}

int mem_mappings(int fd, uint32_t h, uint64_t *mappings)
{
	struct logos_mem_info mi = { .handle = h };
	int ret = lx(fd, LOGOS_IOC_MEM_INFO, &mi);

	*mappings = ret ? 0 : mi.mappings;
	return ret;
}

int event_create(int fd, uint32_t *h)
{
	struct logos_event_create ec = { 0 };
	int ret = lx(fd, LOGOS_IOC_EVENT_CREATE, &ec);

	*h = ret ? 0 : ec.handle;
	return ret;
}

int event_signal(int fd, uint32_t h, uint32_t set)
{
	struct logos_event_signal s = { .handle = h, .set = set, .clear = LOGOS_SIGNAL_USER_MASK };

	return lx(fd, LOGOS_IOC_EVENT_SIGNAL, &s);
}

int topic_create(int fd, uint32_t flags, uint32_t max_msgs, uint32_t *h)
{
	struct logos_topic_create tc = { .flags = flags, .max_msgs = max_msgs };
	int ret = lx(fd, LOGOS_IOC_TOPIC_CREATE, &tc);

	*h = ret ? 0 : tc.handle;
	return ret;
}

int topic_subscribe(int fd, uint32_t topic, uint32_t *ep)
{
	struct logos_topic_subscribe ts = { .handle = topic };
	int ret = lx(fd, LOGOS_IOC_TOPIC_SUBSCRIBE, &ts);

	*ep = ret ? 0 : ts.endpoint;
	return ret;
}

int topic_publish(int fd, uint32_t topic, int64_t timeout_ns, uint32_t *delivered)
{
	char byte = 'x';
	struct logos_topic_publish p = {
		.handle = topic, .timeout_ns = timeout_ns,
		.msg = { .data = (uintptr_t)&byte, .data_len = 1 },
	};
	int ret = lx(fd, LOGOS_IOC_TOPIC_PUBLISH, &p);

	if (delivered)
		*delivered = ret ? 0 : p.delivered;
	return ret;
}

/*
 * The free list of a handle table is LIFO and a closed slot's generation
 * moves on by one, so the next install reuses the slot just freed with
 * generation + 1: how a hostile module predicts a value (review #5).
 */
uint32_t next_value(uint32_t closed)
{
	return ((((closed >> 17) + 1) & 0x7fffU) << 17) | (closed & 0x1ffffU);
}

void hclose_all(int fd, uint32_t *hs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (hs[i])
			hclose(fd, hs[i]);
		hs[i] = 0;
	}
}

void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* volatile: the stores around the access must not be merged away. */
static __thread sigjmp_buf *volatile touch_jmp;

static void touch_handler(int sig)
{
	if (touch_jmp)
		siglongjmp(*touch_jmp, sig);
	/* Not inside touch(): a real crash of the harness. */
	signal(sig, SIG_DFL);
	raise(sig);
}

void touch_init(void)
{
	struct sigaction sa = { .sa_handler = touch_handler, .sa_flags = SA_NODEFER };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

int touch(volatile char *p, bool write)
{
	sigjmp_buf jb;
	int sig = sigsetjmp(jb, 1);

	if (sig) {
		touch_jmp = NULL;
		return sig;
	}
	touch_jmp = &jb;
	if (write)
		p[0] = 1;
	else
		(void)p[0];
	touch_jmp = NULL;
	return 0;
}

/* State 'S' or 'D' in /proc/self/task/TID/stat: asleep in the kernel. */
bool wait_sleeping(int tid, double max_s)
{
	double until = race_now() + max_s;
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	while (race_now() < until) {
		FILE *f = fopen(path, "r");
		size_t n;

		if (!f)
			return false;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = 0;
		p = strrchr(buf, ')');
		if (p && (p[2] == 'S' || p[2] == 'D'))
			return true;
		usleep(2000);
	}
	return false;
}
