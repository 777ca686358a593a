// SPDX-License-Identifier: GPL-2.0
/*
 * logos-fuzz: a structured fuzzer of logos.ko's ioctl and netlink surface.
 *
 * Runs in the guest as root (tests/fuzz/run). Several worker processes each
 * hold supervisor files (/dev/logos) and module files, and issue random but
 * plausible sequences: create modules, events, channels, memory objects and
 * topics; duplicate, replace, give, close, revoke handles and move them in
 * messages; send, receive, call and reply; map, touch and unmap memory;
 * drive lifecycles and quotas; add and read watches; query and poke the
 * netlink family. Mixed in: random bad arguments (sizes, pointers, flags,
 * reserved fields, handle values, ioctl numbers, malformed netlink). Workers
 * also fork short-lived children on the same files (so calls meet replies
 * and blocking calls meet SIGKILL) and kill them at random moments.
 *
 * The kernel is the oracle (KASAN, lockdep, WARN, hung tasks, kmemleak: the
 * harness reads them); this program checks what userspace can see: no
 * ioctl returns > 0 or an errno outside the documented set, workers do not
 * hang, and once every file is closed no logos object is left alive.
 *
 *   logos-fuzz [--seed N] [--duration S] [--procs N] [--trace]
 *
 * The seed is printed first; each worker's random stream is derived from it
 * and its index, so `--seed N` replays the same per-worker choices (the
 * interleaving of the workers, and so the kernel's answers, may differ;
 * `--procs 1` comes closest to an exact replay). --trace prints every
 * operation before it is issued.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/genetlink.h>
#include <linux/logos.h>
#include <linux/netlink.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_FILES	12	/* per worker: supervisor + module files */
#define MAX_HANDLES	96	/* remembered per file */
#define MAX_MODS	8
#define MAX_MAPS	16
#define MAX_TXNS	16
#define MAX_CHILDREN	3
#define PAGE		4096UL

/* ---- randomness: xorshift64*, one stream per process ---------------- */

static uint64_t rng_state;

static uint64_t rnd64(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static uint32_t rnd(uint32_t n)	/* 0..n-1 */
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

static bool chance(uint32_t percent)
{
	return rnd(100) < percent;
}

static void seed_stream(uint64_t seed, uint64_t salt)
{
	rng_state = (seed ^ (salt * 0x9E3779B97F4A7C15ULL)) | 1;
	for (int i = 0; i < 8; i++)
		rnd64();
}

/* ---- shared statistics (anonymous shared mapping) --------------------- */

enum { OP_MAX = 64 };

struct stats {
	uint64_t ops[OP_MAX];
	uint64_t ok[OP_MAX];
	uint64_t err[OP_MAX][136];	/* by errno */
	uint64_t iterations;
	uint64_t children;
	uint64_t kills;
	uint64_t sigbus;
	uint64_t nl_msgs;
	int failures;
	char failure[8][160];
};

static struct stats *stats;
static void setup_signals(void);
static pid_t wait_child(pid_t pid, int *status, int options);
static bool trace;
static int worker_id;
static bool in_child;	/* a forked child: shares its parent's files */

static void fail(const char *fmt, ...)
{
	char buf[160];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	n = __atomic_fetch_add(&stats->failures, 1, __ATOMIC_SEQ_CST);
	if (n < 8)
		snprintf(stats->failure[n], sizeof(stats->failure[n]), "%s", buf);
	fprintf(stderr, "fuzz: FAIL (worker %d): %s\n", worker_id, buf);
}

/* ---- the worker's view of its files ------------------------------------ */

struct hnd {
	uint32_t value;
	uint32_t type;	/* enum logos_object_type as far as we know, 0 unknown */
};

struct file {
	int fd;			/* -1: free slot */
	bool supervisor;
	uint32_t self_handle;	/* module files: the module's handle in the supervisor's table */
	int sup;		/* module files: index of that supervisor file */
	uint32_t module_id;
	uint32_t state;		/* module files: the state we last set */
	int nh;
	struct hnd h[MAX_HANDLES];
};

struct map {
	void *addr;
	size_t len;
	int prot;
};

struct txn {
	int file;
	uint32_t endpoint;
	uint64_t id;
};

static struct file files[MAX_FILES];
static struct map maps[MAX_MAPS];
static struct txn txns[MAX_TXNS];
static pid_t children[MAX_CHILDREN];
static void *bad_page;		/* PROT_NONE: a pointer that faults */
static int nl_sock = -1;
static uint16_t nl_family;
static uint32_t nl_group;
static uint32_t known_module_ids[32];

static const char *const op_names[OP_MAX] = {
	"version", "module_create", "set_state", "ready", "set_quota", "module_info",
	"event_create", "event_signal", "wait", "channel_create", "send", "recv",
	"call", "reply", "mem_create", "mem_info", "topic_create", "subscribe",
	"publish", "watch", "watch_read", "poll", "dup", "replace", "close",
	"info", "revoke", "give", "mmap", "touch", "munmap", "mprotect",
	"close_file", "open_sup", "raw_ioctl", "nl_query", "nl_garbage",
	"fork_child", "kill_child", "nl_events", "param", "grant_story",
	"call_story",
};

enum {
	O_VERSION, O_MODULE_CREATE, O_SET_STATE, O_READY, O_SET_QUOTA, O_MODULE_INFO,
	O_EVENT_CREATE, O_EVENT_SIGNAL, O_WAIT, O_CHANNEL_CREATE, O_SEND, O_RECV,
	O_CALL, O_REPLY, O_MEM_CREATE, O_MEM_INFO, O_TOPIC_CREATE, O_SUBSCRIBE,
	O_PUBLISH, O_WATCH, O_WATCH_READ, O_POLL, O_DUP, O_REPLACE, O_CLOSE,
	O_INFO, O_REVOKE, O_GIVE, O_MMAP, O_TOUCH, O_MUNMAP, O_MPROTECT,
	O_CLOSE_FILE, O_OPEN_SUP, O_RAW_IOCTL, O_NL_QUERY, O_NL_GARBAGE,
	O_FORK_CHILD, O_KILL_CHILD, O_NL_EVENTS, O_PARAM, O_GRANT_STORY,
	O_CALL_STORY, O_COUNT
};

/* Documented errnos of the ABI, plus what any syscall may give. */
static bool errno_allowed(int e)
{
	switch (e) {
	case EBADF: case EKEYREVOKED: case EPROTOTYPE: case EPERM: case EDQUOT:
	case ENOSPC: case EINVAL: case E2BIG: case EFAULT: case ENOTTY:
	case ESRCH: case EAGAIN: case ETIMEDOUT: case EINTR: case EPIPE:
	case EMSGSIZE: case ENOENT: case ENOMEM: case EACCES: case EMFILE:
		return true;
	}
	return false;
}

/* Every logos ioctl goes through here. */
static int xioctl(int op, int fd, unsigned long cmd, void *arg)
{
	int ret;

	__atomic_fetch_add(&stats->ops[op], 1, __ATOMIC_RELAXED);
	if (trace)
		printf("fuzz[%d]: %s fd=%d cmd=%#lx arg=%p\n", worker_id, op_names[op],
		       fd, cmd, arg);
	ret = ioctl(fd, cmd, arg);
	if (ret > 0) {
		fail("%s: ioctl %#lx returned %d", op_names[op], cmd, ret);
		return -EINVAL;
	}
	if (ret < 0) {
		/* LOGOS_IOC_MODULE_CREATE may also fail to get an fd. */
		if (!errno_allowed(errno) && !(errno == ENFILE))
			fail("%s: ioctl %#lx gave unexpected errno %d (%s)", op_names[op], cmd,
			     errno, strerror(errno));
		if (errno < 136)
			__atomic_fetch_add(&stats->err[op][errno], 1, __ATOMIC_RELAXED);
		return -errno;
	}
	__atomic_fetch_add(&stats->ok[op], 1, __ATOMIC_RELAXED);
	return 0;
}

/* ---- picking things --------------------------------------------------- */

static int pick_file(bool need_supervisor)
{
	int idx[MAX_FILES], n = 0;

	for (int i = 0; i < MAX_FILES; i++)
		if (files[i].fd >= 0 && (!need_supervisor || files[i].supervisor))
			idx[n++] = i;
	return n ? idx[rnd(n)] : -1;
}

static void remember(int f, uint32_t value, uint32_t type)
{
	struct file *fl = &files[f];

	if (!value || f < 0)
		return;
	if (fl->nh < MAX_HANDLES) {
		fl->h[fl->nh++] = (struct hnd){ value, type };
	} else {
		/* Forget one; sometimes close it so tables do not just grow
		 * (not in a child: its parent still counts on the handle). */
		int i = rnd(MAX_HANDLES);

		if (!in_child && chance(50)) {
			struct logos_handle_close c = { .handle = fl->h[i].value };

			xioctl(O_CLOSE, fl->fd, LOGOS_IOC_HANDLE_CLOSE, &c);
		}
		fl->h[i] = (struct hnd){ value, type };
	}
}

static void forget(int f, uint32_t value)
{
	struct file *fl = &files[f];

	for (int i = 0; i < fl->nh; i++)
		if (fl->h[i].value == value) {
			fl->h[i] = fl->h[--fl->nh];
			return;
		}
}

/* A handle that turned out not to exist (a child closed it, say). */
static void stale(int f, uint32_t value, int ret)
{
	if (ret == -EBADF && chance(70))
		forget(f, value);
}

/* A handle of @f, of @type when there is one (0: any), or a bad value. */
static uint32_t pick_handle(int f, uint32_t type)
{
	struct file *fl = &files[f];
	int idx[MAX_HANDLES], n = 0;

	if (chance(4)) {
		switch (rnd(5)) {
		case 0: return 0;
		case 1: return LOGOS_HANDLE_SELF;
		case 2: return (uint32_t)rnd64();
		case 3: {	/* someone else's handle */
			int g = pick_file(false);

			if (g >= 0 && files[g].nh)
				return files[g].h[rnd(files[g].nh)].value;
			return 1;
		}
		default: return fl->nh ? fl->h[rnd(fl->nh)].value ^ (1u << rnd(32)) : 7;
		}
	}
	for (int i = 0; i < fl->nh; i++)
		if (!type || fl->h[i].type == type || (fl->h[i].type == 0 && chance(30)))
			idx[n++] = i;
	if (n && (type || chance(90)))
		return fl->h[idx[rnd(n)]].value;
	if (fl->nh)
		return fl->h[rnd(fl->nh)].value;
	return (uint32_t)rnd64() | 1;
}

static uint32_t pick_rights(void)
{
	switch (rnd(6)) {
	case 0: case 1: return LOGOS_RIGHTS_SAME;
	case 2: return LOGOS_RIGHTS_ALL;
	case 3: return rnd(256);
	case 4: return (uint32_t)rnd64();	/* mostly invalid bits */
	default: return LOGOS_RIGHT_READ | LOGOS_RIGHT_WRITE | LOGOS_RIGHT_TRANSFER |
			(chance(50) ? LOGOS_RIGHT_DUPLICATE : 0) |
			(chance(50) ? LOGOS_RIGHT_MAP_READ | LOGOS_RIGHT_MAP_WRITE : 0);
	}
}

static uint32_t pick_flags(uint32_t valid)
{
	if (chance(90))
		return valid ? (uint32_t)rnd64() & valid : 0;
	return chance(50) ? 1u << rnd(32) : (uint32_t)rnd64();
}

static int64_t pick_timeout(bool may_block)
{
	if (!may_block || chance(50))
		return 0;
	switch (rnd(6)) {
	case 0: return -1 - (int64_t)rnd(3);	/* -1 infinite, -2, -3: odd */
	case 1: return (int64_t)rnd64();
	default: return (int64_t)(rnd(20) + 1) * 1000000;	/* 1..20 ms */
	}
}

/* A user pointer that is good, NULL, unmapped, or kernel space. */
static uint64_t pick_ptr(void *good)
{
	if (chance(94))
		return (uint64_t)(uintptr_t)good;
	switch (rnd(5)) {
	case 0: return 0;
	case 1: return (uint64_t)(uintptr_t)bad_page + rnd(PAGE);
	case 2: return 0xffff888000000000ULL + rnd64() % (1ULL << 30);
	case 3: return (uint64_t)(uintptr_t)good + 1;	/* misaligned */
	default: return rnd64();
	}
}

/* Corrupts an argument structure now and then: a flipped bit anywhere. */
static void maybe_corrupt(void *arg, size_t size)
{
	if (chance(6)) {
		size_t i = rnd(size);

		((uint8_t *)arg)[i] ^= 1u << rnd(8);
	}
}

/* The ioctl number, sometimes with another argument size. */
static unsigned long maybe_resize(unsigned long cmd)
{
	if (!chance(3))
		return cmd;
	switch (rnd(4)) {
	case 0: return _IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), 0);
	case 1: return _IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), _IOC_SIZE(cmd) - rnd(9));
	case 2: return _IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), _IOC_SIZE(cmd) + 8 * rnd(9));
	default: return _IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), rnd(1 << 14));
	}
}

/* Issues @cmd on @f with @arg (size @size): usually as is, sometimes bent. */
static int issue(int op, int f, unsigned long cmd, void *arg, size_t size)
{
	static uint8_t big[2 * PAGE];
	unsigned long c = maybe_resize(cmd);

	maybe_corrupt(arg, size);
	if (_IOC_SIZE(c) > size) {
		/* A longer caller: our struct, then a tail, usually zero. */
		memset(big, 0, sizeof(big));
		memcpy(big, arg, size);
		if (chance(30))
			big[size + rnd(_IOC_SIZE(c) - size)] = (uint8_t)rnd64() | 1;
		if (_IOC_SIZE(c) <= sizeof(big)) {
			int ret = xioctl(op, files[f].fd, c, big);

			memcpy(arg, big, size);
			return ret;
		}
	}
	if (chance(2))
		return xioctl(op, files[f].fd, c, (void *)(uintptr_t)pick_ptr(NULL));
	return xioctl(op, files[f].fd, c, arg);
}

/* ---- operations --------------------------------------------------------- */

static void op_version(void)
{
	struct logos_version v;
	int f = pick_file(false);

	if (f >= 0)
		issue(O_VERSION, f, LOGOS_IOC_VERSION, &v, sizeof(v));
}

static int add_file(int fd, bool supervisor)
{
	for (int i = 0; i < MAX_FILES; i++)
		if (files[i].fd < 0) {
			memset(&files[i], 0, sizeof(files[i]));
			files[i].fd = fd;
			files[i].supervisor = supervisor;
			files[i].sup = -1;
			return i;
		}
	return -1;
}

static void op_module_create(void)
{
	static const char charset[] = "abcXYZ019._-/ \x01\xff";
	struct logos_module_create a = { 0 };
	int f = pick_file(true), len, slot;

	if (f < 0)
		return;
	len = chance(90) ? 1 + rnd(12) : rnd(LOGOS_NAME_MAX + 1);
	for (int i = 0; i < len && i < LOGOS_NAME_MAX; i++)
		a.name[i] = chance(97) ? "fuzzmod"[i % 7] : charset[rnd(sizeof(charset) - 1)];
	a.trust_level = chance(95) ? rnd(__LOGOS_TRUST_MAX) : rnd64();
	a.flags = pick_flags(0);
	for (int i = 0; i < LOGOS_RES_COUNT; i++) {
		if (chance(70))
			continue;
		switch (rnd(4)) {
		case 0: a.limits[i] = LOGOS_LIMIT_UNLIMITED; break;
		case 1: a.limits[i] = rnd(8); break;	/* tight: quota paths */
		case 2: a.limits[i] = rnd(200); break;
		default: a.limits[i] = rnd64(); break;
		}
	}
	if (issue(O_MODULE_CREATE, f, LOGOS_IOC_MODULE_CREATE, &a, sizeof(a)))
		return;
	if (a.fd < 0)
		return;	/* a corrupted struct may make the kernel's answer odd */
	remember(f, a.handle, LOGOS_OBJ_MODULE);
	known_module_ids[rnd(32)] = a.module_id;
	slot = add_file(a.fd, false);
	if (slot < 0) {
		close(a.fd);	/* the module terminates at once */
		return;
	}
	files[slot].self_handle = a.handle;
	files[slot].sup = f;
	files[slot].module_id = a.module_id;
}

/* A module file of ours, or -1. */
static int pick_module_file(void)
{
	for (int tries = 0; tries < 6; tries++) {
		int g = pick_file(false);

		if (g >= 0 && !files[g].supervisor && files[g].sup >= 0 &&
		    files[files[g].sup].fd >= 0)
			return g;
	}
	return -1;
}

static void op_set_state(void)
{
	/* The next state along the lifecycle, from where we left it. */
	static const uint32_t next[][3] = {
		[LOGOS_STATE_LOADED] = { LOGOS_STATE_INITIALIZING, LOGOS_STATE_INITIALIZING,
					 LOGOS_STATE_TERMINATING },
		[LOGOS_STATE_INITIALIZING] = { LOGOS_STATE_RUNNING, LOGOS_STATE_RUNNING,
					       LOGOS_STATE_TERMINATING },
		[LOGOS_STATE_RUNNING] = { LOGOS_STATE_PAUSED, LOGOS_STATE_PAUSED,
					  LOGOS_STATE_TERMINATING },
		[LOGOS_STATE_PAUSED] = { LOGOS_STATE_RUNNING, LOGOS_STATE_RUNNING,
					 LOGOS_STATE_TERMINATING },
		[LOGOS_STATE_TERMINATING] = { LOGOS_STATE_RUNNING, LOGOS_STATE_PAUSED,
					      LOGOS_STATE_LOADED },
	};
	struct logos_module_set_state a = { 0 };
	int g = pick_module_file(), f = pick_file(false);

	if (g >= 0 && chance(80)) {
		f = files[g].sup;
		a.handle = files[g].self_handle;
		a.state = next[files[g].state % LOGOS_STATE_TERMINATED][rnd(3)];
	} else {
		if (f < 0)
			return;
		a.handle = pick_handle(f, LOGOS_OBJ_MODULE);
		a.state = chance(95) ? rnd(__LOGOS_STATE_MAX) : rnd64();
	}
	a.flags = pick_flags(0);
	a.reserved = chance(97) ? 0 : 1;
	if (!issue(O_SET_STATE, f, LOGOS_IOC_MODULE_SET_STATE, &a, sizeof(a)) && g >= 0 &&
	    a.handle == files[g].self_handle)
		files[g].state = a.state;
}

static void op_ready(void)
{
	int f = pick_file(false);

	if (f >= 0)
		xioctl(O_READY, files[f].fd, maybe_resize(LOGOS_IOC_MODULE_READY), NULL);
}

static void op_set_quota(void)
{
	struct logos_module_set_quota a = { 0 };
	int f = pick_file(false);

	if (f < 0)
		return;
	a.handle = pick_handle(f, LOGOS_OBJ_MODULE);
	a.resource = chance(95) ? rnd(__LOGOS_RES_MAX) : rnd(LOGOS_RES_COUNT + 4);
	switch (rnd(4)) {
	case 0: a.limit = LOGOS_LIMIT_DEFAULT; break;
	case 1: a.limit = LOGOS_LIMIT_UNLIMITED; break;
	case 2: a.limit = rnd(10); break;
	default: a.limit = rnd64() >> rnd(64); break;
	}
	issue(O_SET_QUOTA, f, LOGOS_IOC_MODULE_SET_QUOTA, &a, sizeof(a));
}

static void op_module_info(void)
{
	struct logos_module_info a = { 0 };
	int f = pick_file(false);

	if (f < 0)
		return;
	a.handle = !files[f].supervisor && chance(40) ? LOGOS_HANDLE_SELF
						       : pick_handle(f, LOGOS_OBJ_MODULE);
	a.flags = pick_flags(0);
	issue(O_MODULE_INFO, f, LOGOS_IOC_MODULE_INFO, &a, sizeof(a));
}

static void op_event_create(void)
{
	struct logos_event_create a = { .flags = pick_flags(0) };
	int f = pick_file(false);

	if (f >= 0 && !issue(O_EVENT_CREATE, f, LOGOS_IOC_EVENT_CREATE, &a, sizeof(a)))
		remember(f, a.handle, LOGOS_OBJ_EVENT);
}

static void op_event_signal(void)
{
	struct logos_event_signal a = { 0 };
	int f = pick_file(false);

	if (f < 0)
		return;
	a.handle = pick_handle(f, LOGOS_OBJ_EVENT);
	a.clear = chance(90) ? rnd64() & LOGOS_SIGNAL_USER_MASK : rnd64();
	a.set = chance(90) ? rnd64() & LOGOS_SIGNAL_USER_MASK : rnd64();
	a.flags = pick_flags(0);
	stale(f, a.handle, issue(O_EVENT_SIGNAL, f, LOGOS_IOC_EVENT_SIGNAL, &a, sizeof(a)));
}

static void op_wait(bool may_block)
{
	static struct logos_wait_item items[80];
	struct logos_wait a = { 0 };
	int f = pick_file(false), n;

	if (f < 0)
		return;
	n = chance(90) ? 1 + rnd(8) : rnd(80);
	for (int i = 0; i < n; i++) {
		items[i].handle = pick_handle(f, 0);
		items[i].signals = chance(80) ? (uint32_t)rnd64() : ~0u;
		items[i].observed = 0;
		items[i].reserved = chance(98) ? 0 : 1;
	}
	a.items = pick_ptr(items);
	a.count = chance(97) ? (uint32_t)n : (chance(50) ? LOGOS_WAIT_MAX_ITEMS + 1 : (uint32_t)rnd64());
	a.flags = pick_flags(LOGOS_WAIT_CLEAR_STATE_CHANGED);
	a.timeout_ns = pick_timeout(may_block);
	issue(O_WAIT, f, LOGOS_IOC_WAIT, &a, sizeof(a));
}

static void op_channel_create(void)
{
	struct logos_channel_create a = { 0 };
	int f = pick_file(false);

	if (f < 0)
		return;
	a.flags = pick_flags(0);
	a.max_msgs = chance(50) ? 0 : (chance(80) ? rnd(6) : (uint32_t)rnd64());
	a.max_bytes = chance(50) ? 0 : (chance(80) ? rnd(1 << 16) : (uint32_t)rnd64());
	if (issue(O_CHANNEL_CREATE, f, LOGOS_IOC_CHANNEL_CREATE, &a, sizeof(a)))
		return;
	remember(f, a.handle0, LOGOS_OBJ_CHANNEL);
	/* The other end usually goes to another file: a peer. */
	if (chance(60)) {
		int g = pick_file(false);
		struct logos_handle_give give = {
			.module = 0, .handle = a.handle1, .rights = LOGOS_RIGHTS_SAME,
			.flags = LOGOS_GIVE_MOVE,
		};

		if (g >= 0 && !files[g].supervisor && files[g].sup == f) {
			give.module = files[g].self_handle;
			if (!xioctl(O_GIVE, files[f].fd, LOGOS_IOC_HANDLE_GIVE, &give)) {
				remember(g, give.new_handle, LOGOS_OBJ_CHANNEL);
				return;
			}
		}
	}
	remember(f, a.handle1, LOGOS_OBJ_CHANNEL);
}

/* Buffers shared by message operations. */
static uint8_t msgdata[LOGOS_BATCH_MAX][512];
static uint8_t bigdata[LOGOS_MSG_MAX_BYTES + 64];
static struct logos_msg_handle msghandles[LOGOS_BATCH_MAX][8];
static struct logos_msg msgs[LOGOS_BATCH_MAX];

static void fill_msg(int f, struct logos_msg *m, int i, bool for_send)
{
	uint32_t nh;

	memset(m, 0, sizeof(*m));
	if (chance(3)) {
		m->data = pick_ptr(bigdata);
		m->data_len = chance(50) ? LOGOS_MSG_MAX_BYTES : LOGOS_MSG_MAX_BYTES + 1 + rnd(64);
	} else {
		m->data = pick_ptr(msgdata[i]);
		m->data_len = for_send ? rnd(512) : (chance(80) ? 512 : rnd(16));
	}
	if (for_send)
		for (uint32_t k = 0; k < 8 && k < m->data_len; k++)
			msgdata[i][k] = (uint8_t)rnd64();
	nh = for_send ? (chance(60) ? 0 : 1 + rnd(3)) : (chance(80) ? 8 : rnd(2));
	if (chance(2))
		nh = LOGOS_MSG_MAX_HANDLES + 1 + rnd(8);
	m->nr_handles = nh > 8 && !chance(50) ? 8 : nh;
	for (uint32_t k = 0; k < 8; k++) {
		msghandles[i][k] = (struct logos_msg_handle){ 0 };
		if (for_send && k < m->nr_handles) {
			msghandles[i][k].handle = pick_handle(f, 0);
			msghandles[i][k].rights = pick_rights();
			msghandles[i][k].flags = pick_flags(LOGOS_MSG_HANDLE_MOVE);
			msghandles[i][k].type = chance(97) ? 0 : 1;
		}
	}
	m->handles = pick_ptr(msghandles[i]);
	m->flags = for_send ? pick_flags(LOGOS_MSG_URGENT) : pick_flags(0);
	if (chance(2))
		m->header.msg_id = 1;
	if (chance(2))
		m->reserved = 1;
}

/* Handles that were moved out of the sender's table are forgotten. */
static void after_send(int f, struct logos_msg *m, int n_sent)
{
	for (int i = 0; i < n_sent; i++)
		for (uint32_t k = 0; k < m[i].nr_handles && k < 8; k++)
			if (msghandles[i][k].flags & LOGOS_MSG_HANDLE_MOVE)
				forget(f, msghandles[i][k].handle);
}

/* Handles that arrived are remembered; calls are kept to reply to. */
static void after_recv(int f, uint32_t endpoint, struct logos_msg *m, int n)
{
	for (int i = 0; i < n; i++) {
		for (uint32_t k = 0; k < m[i].nr_handles && k < 8; k++)
			remember(f, msghandles[i][k].handle, msghandles[i][k].type);
		if (m[i].header.flags & LOGOS_MSG_CALL)
			txns[rnd(MAX_TXNS)] = (struct txn){ f, endpoint, m[i].header.txn_id };
	}
}

static void op_send(bool may_block)
{
	struct logos_channel_io a = { 0 };
	int f = pick_file(false), n, ret;

	if (f < 0)
		return;
	n = chance(80) ? 1 : 1 + rnd(chance(90) ? 8 : LOGOS_BATCH_MAX);
	for (int i = 0; i < n; i++)
		fill_msg(f, &msgs[i], i, true);
	a.handle = pick_handle(f, LOGOS_OBJ_CHANNEL);
	a.flags = pick_flags(0);
	a.msgs = pick_ptr(msgs);
	a.count = chance(97) ? (uint32_t)n : (chance(50) ? 0 : LOGOS_BATCH_MAX + 1);
	a.timeout_ns = pick_timeout(may_block);
	ret = issue(O_SEND, f, LOGOS_IOC_CHANNEL_SEND, &a, sizeof(a));
	if (!ret)
		after_send(f, msgs, a.done <= (uint32_t)n ? (int)a.done : 0);
	stale(f, a.handle, ret);
}

static void op_recv(bool may_block)
{
	struct logos_channel_io a = { 0 };
	int f = pick_file(false), n, ret;

	if (f < 0)
		return;
	n = chance(70) ? 1 : 1 + rnd(8);
	for (int i = 0; i < n; i++)
		fill_msg(f, &msgs[i], i, false);
	a.handle = pick_handle(f, LOGOS_OBJ_CHANNEL);
	a.flags = pick_flags(0);
	a.msgs = pick_ptr(msgs);
	a.count = chance(97) ? (uint32_t)n : LOGOS_BATCH_MAX + 1;
	a.timeout_ns = pick_timeout(may_block);
	ret = issue(O_RECV, f, LOGOS_IOC_CHANNEL_RECV, &a, sizeof(a));
	if (!ret)
		after_recv(f, a.handle, msgs, a.done <= (uint32_t)n ? (int)a.done : 0);
	stale(f, a.handle, ret);
}

static void op_call(bool may_block)
{
	static struct logos_channel_call a;
	int f = pick_file(false);

	if (f < 0)
		return;
	memset(&a, 0, sizeof(a));
	a.handle = pick_handle(f, LOGOS_OBJ_CHANNEL);
	a.flags = pick_flags(0);
	/* Never wait long: the server may be this very process. */
	a.timeout_ns = may_block ? (int64_t)(1 + rnd(30)) * 1000000 : (chance(50) ? 0 : 1000000);
	fill_msg(f, &a.request, 0, true);
	fill_msg(f, &a.reply, 1, false);
	if (!issue(O_CALL, f, LOGOS_IOC_CHANNEL_CALL, &a, sizeof(a))) {
		after_send(f, &a.request, 1);
		/* The reply's handles are in msghandles[1]. */
		for (uint32_t k = 0; k < a.reply.nr_handles && k < 8; k++)
			remember(f, msghandles[1][k].handle, msghandles[1][k].type);
	}
}

static void op_reply(bool may_block)
{
	static struct logos_channel_reply a;
	int f, t = rnd(MAX_TXNS);

	memset(&a, 0, sizeof(a));
	if (txns[t].id && files[txns[t].file].fd >= 0 && chance(85)) {
		f = txns[t].file;
		a.handle = txns[t].endpoint;
		a.txn_id = txns[t].id;
		if (chance(70))
			txns[t].id = 0;
	} else {
		f = pick_file(false);
		if (f < 0)
			return;
		a.handle = pick_handle(f, LOGOS_OBJ_CHANNEL);
		a.txn_id = chance(50) ? rnd(100) : rnd64();
	}
	a.flags = pick_flags(LOGOS_REPLY_RECEIVE);
	a.timeout_ns = pick_timeout(may_block && (a.flags & LOGOS_REPLY_RECEIVE));
	fill_msg(f, &a.reply, 0, true);
	fill_msg(f, &a.next, 1, false);
	if (!issue(O_REPLY, f, LOGOS_IOC_CHANNEL_REPLY, &a, sizeof(a))) {
		after_send(f, &a.reply, 1);
		if (a.flags & LOGOS_REPLY_RECEIVE)
			for (uint32_t k = 0; k < a.next.nr_handles && k < 8; k++)
				remember(f, msghandles[1][k].handle, msghandles[1][k].type);
	}
}

static void op_mem_create(void)
{
	struct logos_mem_create a = { 0 };
	int f = pick_file(false);

	if (f < 0)
		return;
	/* Small objects only (a 2 GiB guest, several workers); the big
	 * sizes are the invalid ones: over the maximum, or overflowing when
	 * rounded up to pages. */
	switch (rnd(12)) {
	case 0: a.size = 0; break;
	case 1: a.size = (uint64_t)LOGOS_MEM_MAX_PAGES * PAGE + 1 + rnd(2) * PAGE; break;
	case 2: a.size = chance(50) ? ~0ULL - rnd(PAGE) : rnd64() | (1ULL << 63); break;
	case 3: a.size = (1 + rnd(64)) * PAGE; break;
	default: a.size = 1 + rnd(8 * PAGE); break;
	}
	a.flags = pick_flags(0);
	if (!issue(O_MEM_CREATE, f, LOGOS_IOC_MEM_CREATE, &a, sizeof(a)))
		remember(f, a.handle, LOGOS_OBJ_MEMORY);
}

static void op_mem_info(void)
{
	struct logos_mem_info a = { 0 };
	int f = pick_file(false);

	if (f < 0)
		return;
	a.handle = pick_handle(f, LOGOS_OBJ_MEMORY);
	a.flags = pick_flags(0);
	issue(O_MEM_INFO, f, LOGOS_IOC_MEM_INFO, &a, sizeof(a));
}

static void op_topic_create(void)
{
	struct logos_topic_create a = { 0 };
	int f = pick_file(false);

	if (f < 0)
		return;
	a.flags = chance(90) ? (chance(50) ? LOGOS_TOPIC_BACKPRESSURE : LOGOS_TOPIC_DROP_OLDEST)
			     : pick_flags(3);
	a.max_msgs = chance(50) ? 0 : rnd(5);
	if (!issue(O_TOPIC_CREATE, f, LOGOS_IOC_TOPIC_CREATE, &a, sizeof(a)))
		remember(f, a.handle, LOGOS_OBJ_TOPIC);
}

static void op_subscribe(void)
{
	struct logos_topic_subscribe a = { 0 };
	int f = pick_file(false);

	if (f < 0)
		return;
	a.handle = pick_handle(f, LOGOS_OBJ_TOPIC);
	a.flags = pick_flags(0);
	if (!issue(O_SUBSCRIBE, f, LOGOS_IOC_TOPIC_SUBSCRIBE, &a, sizeof(a)))
		remember(f, a.endpoint, LOGOS_OBJ_CHANNEL);
}

static void op_publish(bool may_block)
{
	static struct logos_topic_publish a;
	int f = pick_file(false);

	if (f < 0)
		return;
	memset(&a, 0, sizeof(a));
	a.handle = pick_handle(f, LOGOS_OBJ_TOPIC);
	a.flags = pick_flags(0);
	a.timeout_ns = pick_timeout(may_block);
	fill_msg(f, &a.msg, 0, true);
	/* Topics carry memory handles only: mostly give them one. */
	for (uint32_t k = 0; k < a.msg.nr_handles && k < 8; k++)
		if (chance(80))
			msghandles[0][k].handle = pick_handle(f, LOGOS_OBJ_MEMORY);
	issue(O_PUBLISH, f, LOGOS_IOC_TOPIC_PUBLISH, &a, sizeof(a));
}

static void op_watch(void)
{
	struct logos_watch a = { 0 };
	int f = pick_file(false);

	if (f < 0)
		return;
	a.handle = pick_handle(f, 0);
	a.signals = chance(80) ? (uint32_t)rnd64() : ~0u;
	a.flags = pick_flags(LOGOS_WATCH_ONESHOT | (chance(20) ? LOGOS_WATCH_REMOVE : 0));
	a.key = chance(50) ? rnd(16) : rnd64();
	a.reserved = chance(98) ? 0 : 1;
	issue(O_WATCH, f, LOGOS_IOC_WATCH, &a, sizeof(a));
}

static void op_watch_read(bool may_block)
{
	static struct logos_watch_report reports[64];
	struct logos_watch_read a = { 0 };
	int f = pick_file(false);

	if (f < 0)
		return;
	a.reports = pick_ptr(reports);
	a.count = chance(95) ? 1 + rnd(64) : (chance(50) ? 0 : LOGOS_WATCH_MAX + 1);
	a.flags = pick_flags(0);
	a.timeout_ns = pick_timeout(may_block);
	issue(O_WATCH_READ, f, LOGOS_IOC_WATCH_READ, &a, sizeof(a));
}

static void op_poll(void)
{
	struct pollfd p = { .events = POLLIN | POLLOUT | POLLPRI };
	int f = pick_file(false);

	if (f < 0)
		return;
	p.fd = files[f].fd;
	__atomic_fetch_add(&stats->ops[O_POLL], 1, __ATOMIC_RELAXED);
	poll(&p, 1, rnd(3));
}

static void op_dup(void)
{
	struct logos_handle_dup a = { 0 };
	int f = pick_file(false), ret;

	if (f < 0)
		return;
	a.handle = pick_handle(f, 0);
	a.rights = pick_rights();
	a.flags = pick_flags(0);
	ret = issue(O_DUP, f, LOGOS_IOC_HANDLE_DUPLICATE, &a, sizeof(a));
	stale(f, a.handle, ret);
	if (!ret) {
		for (int i = 0; i < files[f].nh; i++)
			if (files[f].h[i].value == a.handle) {
				remember(f, a.new_handle, files[f].h[i].type);
				return;
			}
		remember(f, a.new_handle, 0);
	}
}

static void op_replace(void)
{
	struct logos_handle_replace a = { 0 };
	int f = pick_file(false);

	if (f < 0)
		return;
	a.handle = pick_handle(f, 0);
	a.rights = chance(80) ? rnd(256) : pick_rights();
	a.flags = pick_flags(0);
	a.reserved = chance(98) ? 0 : 1;
	issue(O_REPLACE, f, LOGOS_IOC_HANDLE_REPLACE, &a, sizeof(a));
}

static void op_close(void)
{
	struct logos_handle_close a = { 0 };
	int f = pick_file(false);

	if (f < 0)
		return;
	a.handle = pick_handle(f, 0);
	a.flags = pick_flags(0);
	if (!issue(O_CLOSE, f, LOGOS_IOC_HANDLE_CLOSE, &a, sizeof(a)) || chance(50))
		forget(f, a.handle);
}

static void op_info(void)
{
	struct logos_handle_info a = { 0 };
	int f = pick_file(false), ret;

	if (f < 0)
		return;
	a.handle = pick_handle(f, 0);
	a.flags = pick_flags(0);
	ret = issue(O_INFO, f, LOGOS_IOC_HANDLE_INFO, &a, sizeof(a));
	stale(f, a.handle, ret);
	if (!ret)
		for (int i = 0; i < files[f].nh; i++)
			if (files[f].h[i].value == a.handle && a.type < __LOGOS_OBJ_MAX)
				files[f].h[i].type = a.type;
}

static void op_revoke(void)
{
	struct logos_handle_revoke a = { 0 };
	int f = pick_file(false);

	if (f < 0)
		return;
	a.handle = pick_handle(f, 0);
	a.flags = pick_flags(0);
	stale(f, a.handle, issue(O_REVOKE, f, LOGOS_IOC_HANDLE_REVOKE, &a, sizeof(a)));
}

static void op_give(void)
{
	struct logos_handle_give a = { 0 };
	int f = pick_file(false), g = -1, m = pick_module_file();

	if (m >= 0 && chance(80))
		f = files[m].sup;
	if (f < 0)
		return;
	/* To a module this file controls, usually. */
	for (int tries = 0; tries < 4; tries++) {
		int c = pick_file(false);

		if (c >= 0 && !files[c].supervisor && files[c].sup == f) {
			g = c;
			break;
		}
	}
	a.module = g >= 0 && chance(90) ? files[g].self_handle : pick_handle(f, LOGOS_OBJ_MODULE);
	a.handle = pick_handle(f, 0);
	a.rights = pick_rights();
	a.flags = pick_flags(LOGOS_GIVE_MOVE);
	a.reserved = chance(98) ? 0 : 1;
	if (!issue(O_GIVE, f, LOGOS_IOC_HANDLE_GIVE, &a, sizeof(a))) {
		if (a.flags & LOGOS_GIVE_MOVE)
			forget(f, a.handle);
		if (g >= 0 && a.module == files[g].self_handle)
			remember(g, a.new_handle, 0);
	}
}

/* ---- memory mappings --------------------------------------------------- */

static __thread sigjmp_buf touch_jmp;
static __thread volatile int touching;

static void on_fault(int sig)
{
	if (touching)
		siglongjmp(touch_jmp, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void op_mmap(void)
{
	int f = pick_file(false), slot = rnd(MAX_MAPS), prot, flags;
	uint32_t h;
	size_t len;
	off_t off;
	void *p;

	if (f < 0)
		return;
	h = pick_handle(f, LOGOS_OBJ_MEMORY);
	len = chance(90) ? (1 + rnd(4)) * PAGE : (chance(50) ? 0 : rnd64() % (1UL << 30));
	prot = chance(90) ? (PROT_READ | (chance(50) ? PROT_WRITE : 0)) : (int)rnd(8);
	flags = chance(95) ? MAP_SHARED : MAP_PRIVATE;
	off = chance(95) ? (off_t)h * (off_t)PAGE : (off_t)((rnd64() & ~(PAGE - 1)) >> 12);
	if (chance(3))
		off += PAGE;
	if (maps[slot].addr) {
		munmap(maps[slot].addr, maps[slot].len);
		maps[slot].addr = NULL;
	}
	__atomic_fetch_add(&stats->ops[O_MMAP], 1, __ATOMIC_RELAXED);
	p = mmap(NULL, len, prot, flags, files[f].fd, off);
	if (p == MAP_FAILED)
		return;
	__atomic_fetch_add(&stats->ok[O_MMAP], 1, __ATOMIC_RELAXED);
	maps[slot] = (struct map){ p, len, prot };
}

static void op_touch(void)
{
	struct map *m = &maps[rnd(MAX_MAPS)];
	volatile uint8_t *p;
	size_t at;

	if (!m->addr || !m->len)
		return;
	__atomic_fetch_add(&stats->ops[O_TOUCH], 1, __ATOMIC_RELAXED);
	at = rnd(m->len);
	p = (volatile uint8_t *)m->addr + at;
	if (sigsetjmp(touch_jmp, 1)) {
		touching = 0;
		__atomic_fetch_add(&stats->sigbus, 1, __ATOMIC_RELAXED);
		return;
	}
	touching = 1;
	if ((m->prot & PROT_WRITE) && chance(50))
		*p = (uint8_t)rnd64();
	else if (m->prot & PROT_READ)
		(void)*p;
	touching = 0;
}

static void op_munmap(void)
{
	struct map *m = &maps[rnd(MAX_MAPS)];

	if (!m->addr)
		return;
	__atomic_fetch_add(&stats->ops[O_MUNMAP], 1, __ATOMIC_RELAXED);
	if (chance(20) && m->len > PAGE) {
		/* Part of it: splits the vma. */
		munmap((uint8_t *)m->addr + PAGE, PAGE);
		m->len = PAGE;
		return;
	}
	munmap(m->addr, m->len);
	m->addr = NULL;
}

static void op_mprotect(void)
{
	struct map *m = &maps[rnd(MAX_MAPS)];
	int prot = rnd(8);

	if (!m->addr)
		return;
	__atomic_fetch_add(&stats->ops[O_MPROTECT], 1, __ATOMIC_RELAXED);
	if (!mprotect(m->addr, m->len, prot))
		m->prot = prot;
}

/*
 * A grant's whole life: memory given to a module (or duplicated), mapped
 * through the derived handle, touched, revoked from the parent while
 * mapped, touched again (SIGBUS expected), unmapped. Steps fail when the
 * fuzzing around has broken their preconditions, which is fine.
 */
static void op_grant_story(void)
{
	struct logos_mem_create mc = { .size = (1 + rnd(4)) * PAGE };
	struct logos_handle_dup dup = { 0 };
	struct logos_handle_give give = { 0 };
	struct logos_handle_revoke rv = { 0 };
	int f = pick_file(false), g;
	volatile int target;
	volatile uint32_t derived;
	uint8_t *volatile p;
	size_t len;

	if (f < 0 || xioctl(O_GRANT_STORY, files[f].fd, LOGOS_IOC_MEM_CREATE, &mc))
		return;
	g = pick_module_file();
	if (g >= 0 && files[g].sup == f && chance(60)) {
		give.module = files[g].self_handle;
		give.handle = mc.handle;
		give.rights = chance(70) ? LOGOS_RIGHTS_SAME
					 : LOGOS_RIGHT_READ | LOGOS_RIGHT_MAP_READ | LOGOS_RIGHT_TRANSFER;
		if (xioctl(O_GRANT_STORY, files[f].fd, LOGOS_IOC_HANDLE_GIVE, &give))
			goto out;
		derived = give.new_handle;
		target = g;
	} else {
		dup.handle = mc.handle;
		dup.rights = LOGOS_RIGHTS_SAME;
		if (xioctl(O_GRANT_STORY, files[f].fd, LOGOS_IOC_HANDLE_DUPLICATE, &dup))
			goto out;
		derived = dup.new_handle;
		target = f;
	}
	len = mc.size;
	p = mmap(NULL, len, PROT_READ | (chance(60) ? PROT_WRITE : 0), MAP_SHARED,
		 files[target].fd, (off_t)derived * (off_t)PAGE);
	if (p != MAP_FAILED) {
		if (!sigsetjmp(touch_jmp, 1)) {
			touching = 1;
			(void)*(volatile uint8_t *)(p + rnd(len));
			touching = 0;
		}
		touching = 0;
		if (chance(20)) {
			pid_t pid = fork();	/* a copy of the mapping, gone at once */

			if (pid == 0)
				_exit(0);
			if (pid > 0)
				wait_child(pid, NULL, 0);
		}
	}
	rv.handle = mc.handle;
	if (p != MAP_FAILED && chance(25)) {
		/*
		 * Revoke from another process while this one unmaps: the
		 * revoke's zap and munmap's teardown of the same vma race.
		 */
		pid_t pid;

		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			for (volatile uint32_t spin = rnd(20000); spin; spin--)
				;
			ioctl(files[f].fd, LOGOS_IOC_HANDLE_REVOKE, &rv);
			_exit(0);
		}
		for (volatile uint32_t spin = rnd(20000); spin; spin--)
			;
		munmap(p, len);
		p = MAP_FAILED;
		if (pid > 0)
			wait_child(pid, NULL, 0);
	}
	if (!xioctl(O_GRANT_STORY, files[f].fd, LOGOS_IOC_HANDLE_REVOKE, &rv) && p != MAP_FAILED) {
		if (sigsetjmp(touch_jmp, 1)) {
			__atomic_fetch_add(&stats->sigbus, 1, __ATOMIC_RELAXED);
		} else {
			touching = 1;
			(void)*(volatile uint8_t *)(p + rnd(len));
			touching = 0;
			fail("grant story: a revoked mapping was still readable");
		}
		touching = 0;
	}
	if (p != MAP_FAILED)
		munmap(p, len);
	if (chance(50))
		remember(target, derived, LOGOS_OBJ_MEMORY);
out:
	remember(f, mc.handle, LOGOS_OBJ_MEMORY);
}

/*
 * A call that meets its server: a channel, a child that receives and
 * replies (sometimes with the next receive, sometimes late, sometimes it
 * dies first), and this process calling.
 */
static void op_call_story(void)
{
	struct logos_channel_create cc = { 0 };
	struct logos_channel_call call = { 0 };
	int f = pick_file(false), g = chance(50) ? pick_module_file() : -1, server = f;
	uint8_t req[64], rep[64];
	pid_t pid;

	if (f < 0 || xioctl(O_CALL_STORY, files[f].fd, LOGOS_IOC_CHANNEL_CREATE, &cc))
		return;
	if (g >= 0 && files[g].sup == f) {
		struct logos_handle_give give = {
			.module = files[g].self_handle, .handle = cc.handle1,
			.rights = LOGOS_RIGHTS_SAME, .flags = LOGOS_GIVE_MOVE,
		};

		if (!xioctl(O_CALL_STORY, files[f].fd, LOGOS_IOC_HANDLE_GIVE, &give)) {
			cc.handle1 = give.new_handle;
			server = g;
		}
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct logos_channel_reply r = { 0 };
		struct logos_channel_io io = { 0 };
		struct logos_msg m = { 0 };
		uint8_t buf[64];
		int serve = 1 + rnd(3);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		setup_signals();
		while (serve-- > 0) {
			m = (struct logos_msg){ .data = (uint64_t)(uintptr_t)buf, .data_len = sizeof(buf) };
			io = (struct logos_channel_io){
				.handle = cc.handle1, .msgs = (uint64_t)(uintptr_t)&m, .count = 1,
				.timeout_ns = 40000000,
			};
			if (xioctl(O_CALL_STORY, files[server].fd, LOGOS_IOC_CHANNEL_RECV, &io))
				continue;
			if (chance(10))
				_exit(0);	/* the server dies holding the call */
			if (chance(10))
				usleep(rnd(20000));	/* late: the caller may have given up */
			r = (struct logos_channel_reply){
				.handle = cc.handle1, .txn_id = m.header.txn_id,
				.flags = chance(30) ? LOGOS_REPLY_RECEIVE : 0,
				.timeout_ns = 10000000,
				.reply = { .data = (uint64_t)(uintptr_t)buf, .data_len = rnd(64) },
				.next = { .data = (uint64_t)(uintptr_t)buf, .data_len = sizeof(buf) },
			};
			xioctl(O_CALL_STORY, files[server].fd, LOGOS_IOC_CHANNEL_REPLY, &r);
		}
		_exit(0);
	}
	for (int i = 0, n = 1 + rnd(3); i < n && pid > 0; i++) {
		call = (struct logos_channel_call){
			.handle = cc.handle0, .timeout_ns = (int64_t)(5 + rnd(40)) * 1000000,
			.request = { .data = (uint64_t)(uintptr_t)req, .data_len = rnd(64) },
			.reply = { .data = (uint64_t)(uintptr_t)rep,
				   .data_len = chance(90) ? sizeof(rep) : rnd(4) },
		};
		xioctl(O_CALL_STORY, files[f].fd, LOGOS_IOC_CHANNEL_CALL, &call);
	}
	if (pid > 0) {
		if (chance(30))
			kill(pid, SIGKILL);
		wait_child(pid, NULL, 0);
	}
	remember(f, cc.handle0, LOGOS_OBJ_CHANNEL);
	if (chance(50))
		remember(server, cc.handle1, LOGOS_OBJ_CHANNEL);
}

/* ---- files ------------------------------------------------------------- */

static void close_file(int f)
{
	close(files[f].fd);
	files[f].fd = -1;
	files[f].nh = 0;
	for (int i = 0; i < MAX_TXNS; i++)
		if (txns[i].file == f)
			txns[i].id = 0;
	/* Module files of a closed supervisor keep their module alive. */
}

static void op_close_file(void)
{
	int f = pick_file(false);

	if (f < 0)
		return;
	/* Keep at least one supervisor. */
	if (files[f].supervisor) {
		int n = 0;

		for (int i = 0; i < MAX_FILES; i++)
			n += files[i].fd >= 0 && files[i].supervisor;
		if (n < 2)
			return;
	}
	__atomic_fetch_add(&stats->ops[O_CLOSE_FILE], 1, __ATOMIC_RELAXED);
	close_file(f);
}

static void op_open_sup(void)
{
	int fd;

	__atomic_fetch_add(&stats->ops[O_OPEN_SUP], 1, __ATOMIC_RELAXED);
	fd = open(LOGOS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	if (add_file(fd, true) < 0)
		close(fd);
}

/* Any ioctl number of the magic, any size, any direction, odd arguments. */
static void op_raw_ioctl(void)
{
	static uint64_t buf[PAGE / 8 + 8];
	int f = pick_file(false);
	unsigned long cmd;

	if (f < 0)
		return;
	for (size_t i = 0; i < 64; i++)
		buf[i] = chance(70) ? 0 : rnd64();
	cmd = _IOC(rnd(4), chance(95) ? LOGOS_IOC_MAGIC : rnd(256), rnd(0x70),
		   chance(50) ? rnd(400) : rnd(1 << 14));
	__atomic_fetch_add(&stats->ops[O_RAW_IOCTL], 1, __ATOMIC_RELAXED);
	if (trace)
		printf("fuzz[%d]: raw_ioctl fd=%d cmd=%#lx\n", worker_id, files[f].fd, cmd);
	/* No errno check: a wild command may legitimately give anything. */
	ioctl(files[f].fd, cmd, chance(80) ? (void *)buf : (void *)(uintptr_t)pick_ptr(buf));
}

/* ---- netlink ----------------------------------------------------------- */

struct nlbuf {
	struct nlmsghdr n;
	struct genlmsghdr g;
	uint8_t attrs[1024];
};

static int nl_put(struct nlbuf *b, size_t *off, uint16_t type, const void *data, uint16_t len)
{
	struct nlattr *a = (struct nlattr *)(b->attrs + *off);

	if (*off + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(b->attrs))
		return -1;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
	*off += NLA_HDRLEN + NLA_ALIGN(len);
	return 0;
}

/* Reads answers for a while; dumps may need many reads. */
static void nl_drain(int max_ms)
{
	static uint8_t rbuf[32768];
	struct pollfd p = { .fd = nl_sock, .events = POLLIN };

	for (int i = 0; i < 64; i++) {
		ssize_t n;

		if (poll(&p, 1, i ? 1 : max_ms) <= 0)
			return;
		n = recv(nl_sock, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		if (n <= 0)
			return;
		__atomic_fetch_add(&stats->nl_msgs, 1, __ATOMIC_RELAXED);
		for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				if (e->error > 0)
					fail("netlink: positive error %d", e->error);
				if (!(h->nlmsg_flags & NLM_F_MULTI))
					return;
			}
		}
	}
}

static int nl_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct nlbuf b = { 0 };
	uint8_t rbuf[8192];
	size_t off = 0;
	ssize_t n;

	nl_sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl_sock < 0 || bind(nl_sock, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	b.n.nlmsg_type = GENL_ID_CTRL;
	b.n.nlmsg_flags = NLM_F_REQUEST;
	b.g.cmd = CTRL_CMD_GETFAMILY;
	b.g.version = 1;
	nl_put(&b, &off, CTRL_ATTR_FAMILY_NAME, LOGOS_GENL_NAME, sizeof(LOGOS_GENL_NAME));
	b.n.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + off;
	if (send(nl_sock, &b, b.n.nlmsg_len, 0) < 0)
		return -1;
	n = recv(nl_sock, rbuf, sizeof(rbuf), 0);
	for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; n > 0 && NLMSG_OK(h, (size_t)n);
	     h = NLMSG_NEXT(h, n)) {
		struct nlattr *a;
		int len;

		if (h->nlmsg_type != GENL_ID_CTRL)
			continue;
		a = (struct nlattr *)((uint8_t *)NLMSG_DATA(h) + GENL_HDRLEN);
		len = h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
		for (; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len;
		     len -= NLA_ALIGN(a->nla_len),
		     a = (struct nlattr *)((uint8_t *)a + NLA_ALIGN(a->nla_len))) {
			if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID)
				nl_family = *(uint16_t *)((uint8_t *)a + NLA_HDRLEN);
			if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_MCAST_GROUPS) {
				/* One group: [ [ID, NAME] ]. */
				struct nlattr *g = (struct nlattr *)((uint8_t *)a + NLA_HDRLEN);
				struct nlattr *x = (struct nlattr *)((uint8_t *)g + NLA_HDRLEN);

				for (int left = g->nla_len - NLA_HDRLEN; left >= NLA_HDRLEN;
				     left -= NLA_ALIGN(x->nla_len),
				     x = (struct nlattr *)((uint8_t *)x + NLA_ALIGN(x->nla_len))) {
					if (x->nla_len < NLA_HDRLEN)
						break;
					if ((x->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_MCAST_GRP_ID)
						nl_group = *(uint32_t *)((uint8_t *)x + NLA_HDRLEN);
				}
			}
		}
	}
	return nl_family ? 0 : -1;
}

static void nl_send(struct nlbuf *b, size_t off, int wait_ms)
{
	b->n.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + off;
	b->n.nlmsg_seq = (uint32_t)rnd64();
	if (trace)
		printf("fuzz[%d]: netlink cmd=%u flags=%#x len=%u\n", worker_id, b->g.cmd,
		       b->n.nlmsg_flags, b->n.nlmsg_len);
	if (send(nl_sock, b, b->n.nlmsg_len, 0) >= 0)
		nl_drain(wait_ms);
}

static uint32_t pick_module_id(void)
{
	uint32_t id = known_module_ids[rnd(32)];

	if (chance(10))
		return chance(50) ? 0 : (uint32_t)rnd64();
	return id ? id : 1 + rnd(50);
}

/* Well-formed requests of every command, with plausible values. */
static void op_nl_query(void)
{
	struct nlbuf b = { 0 };
	size_t off = 0;
	uint32_t u32;
	uint64_t u64;

	if (nl_sock < 0)
		return;
	__atomic_fetch_add(&stats->ops[O_NL_QUERY], 1, __ATOMIC_RELAXED);
	b.n.nlmsg_type = nl_family;
	b.n.nlmsg_flags = NLM_F_REQUEST | (chance(50) ? NLM_F_ACK : 0);
	b.g.version = LOGOS_GENL_VERSION;
	switch (rnd(7)) {
	case 0:
		b.g.cmd = LOGOS_CMD_GET_VERSION;
		break;
	case 1:
		b.g.cmd = LOGOS_CMD_GET_MODULE;
		b.n.nlmsg_flags |= NLM_F_DUMP;
		break;
	case 2:
		b.g.cmd = LOGOS_CMD_GET_MODULE;
		u32 = pick_module_id();
		nl_put(&b, &off, LOGOS_A_MODULE_ID, &u32, 4);
		break;
	case 3:
		b.g.cmd = LOGOS_CMD_GET_HANDLES;
		b.n.nlmsg_flags |= NLM_F_DUMP;
		u32 = pick_module_id();
		if (chance(95))
			nl_put(&b, &off, LOGOS_A_MODULE_ID, &u32, 4);
		break;
	case 4:
		b.g.cmd = LOGOS_CMD_GET_STATS;
		break;
	case 5:
		b.g.cmd = LOGOS_CMD_GET_GRANTS;
		b.n.nlmsg_flags |= NLM_F_DUMP;
		break;
	default:
		b.g.cmd = LOGOS_CMD_SET_QUOTA;
		u32 = pick_module_id();
		nl_put(&b, &off, LOGOS_A_MODULE_ID, &u32, 4);
		u32 = chance(95) ? rnd(__LOGOS_RES_MAX) : rnd(20);
		nl_put(&b, &off, LOGOS_A_RESOURCE, &u32, 4);
		u64 = chance(30) ? LOGOS_LIMIT_UNLIMITED : rnd(chance(50) ? 10 : 100000);
		nl_put(&b, &off, LOGOS_A_LIMIT, &u64, 8);
		break;
	}
	nl_send(&b, off, 20);
}

/* Malformed requests: wrong commands, attributes, types, lengths. */
static void op_nl_garbage(void)
{
	struct nlbuf b = { 0 };
	size_t off = 0;
	uint8_t payload[64];

	if (nl_sock < 0)
		return;
	__atomic_fetch_add(&stats->ops[O_NL_GARBAGE], 1, __ATOMIC_RELAXED);
	b.n.nlmsg_type = chance(95) ? nl_family : (uint16_t)rnd64();
	b.n.nlmsg_flags = NLM_F_REQUEST | (chance(40) ? NLM_F_DUMP : 0) | (chance(50) ? NLM_F_ACK : 0);
	b.g.cmd = chance(80) ? rnd(__LOGOS_CMD_MAX + 2) : (uint8_t)rnd64();
	b.g.version = chance(80) ? LOGOS_GENL_VERSION : (uint8_t)rnd64();
	for (int i = 0, n = rnd(6); i < n; i++) {
		uint16_t type = chance(90) ? rnd(LOGOS_A_MAX + 3) : (uint16_t)rnd64();
		uint16_t len = chance(50) ? (uint16_t)(4 << rnd(2)) : (uint16_t)rnd(sizeof(payload));

		for (size_t k = 0; k < sizeof(payload); k++)
			payload[k] = chance(50) ? 0 : (uint8_t)rnd64();
		if (chance(10))
			type |= NLA_F_NESTED;
		if (nl_put(&b, &off, type, payload, len))
			break;
	}
	b.n.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + off;
	if (chance(10) && off) {
		/* A lying attribute length. */
		((struct nlattr *)b.attrs)->nla_len = (uint16_t)rnd(2048);
	}
	b.n.nlmsg_seq = (uint32_t)rnd64();
	if (trace)
		printf("fuzz[%d]: netlink garbage cmd=%u len=%u\n", worker_id, b.g.cmd,
		       b.n.nlmsg_len);
	if (send(nl_sock, &b, chance(95) ? b.n.nlmsg_len : rnd(b.n.nlmsg_len + 1), 0) >= 0)
		nl_drain(10);
}

static void op_nl_events(void)
{
	if (nl_sock < 0 || !nl_group)
		return;
	__atomic_fetch_add(&stats->ops[O_NL_EVENTS], 1, __ATOMIC_RELAXED);
	setsockopt(nl_sock, SOL_NETLINK, chance(70) ? NETLINK_ADD_MEMBERSHIP
						    : NETLINK_DROP_MEMBERSHIP,
		   &nl_group, sizeof(nl_group));
	nl_drain(1);
}

/* Global limits and queue bounds (module parameters) move under load. */
static const char *const params[] = {
	"channel_max_msgs", "channel_max_bytes", "max_modules", "max_objects",
	"max_handles", "default_max_handles", "default_max_objects",
	"default_max_msgs_queued", "default_max_memory_pages",
};
static char param_saved[sizeof(params) / sizeof(params[0])][32];

static void param_path(char *buf, size_t len, int i)
{
	snprintf(buf, len, "/sys/module/logos/parameters/%s", params[i]);
}

static void params_save(void)
{
	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		char path[128];
		FILE *f;

		param_path(path, sizeof(path), i);
		f = fopen(path, "r");
		if (f) {
			if (!fgets(param_saved[i], sizeof(param_saved[i]), f))
				param_saved[i][0] = 0;
			fclose(f);
		}
	}
}

static void param_write(int i, const char *value)
{
	char path[128];
	int fd;

	param_path(path, sizeof(path), i);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, value, strlen(value)) < 0) {
			/* refused values are fine */
		}
		close(fd);
	}
}

static void params_restore(void)
{
	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++)
		if (param_saved[i][0])
			param_write(i, param_saved[i]);
}

static void op_param(void)
{
	int i = rnd(sizeof(params) / sizeof(params[0]));
	char value[32];

	__atomic_fetch_add(&stats->ops[O_PARAM], 1, __ATOMIC_RELAXED);
	if (chance(75) && param_saved[i][0]) {
		param_write(i, param_saved[i]);
		return;
	}
	/* Small values squeeze; big ones stay modest for memory's sake. */
	snprintf(value, sizeof(value), "%u", chance(70) ? 1 + rnd(64) : 1 + rnd(1 << 14));
	param_write(i, value);
}

/* ---- the loop ---------------------------------------------------------- */

/* waitpid() that the interval timer cannot interrupt. */
static pid_t wait_child(pid_t pid, int *status, int options)
{
	pid_t ret;
	int st = 0;

	do
		ret = waitpid(pid, &st, options);
	while (ret < 0 && errno == EINTR);
	if (status)
		*status = st;
	return ret;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void run_child(uint64_t seed, uint64_t deadline);

static void op_fork_child(uint64_t seed, uint64_t deadline)
{
	int slot = rnd(MAX_CHILDREN);
	uint64_t child_seed = rnd64();
	pid_t pid;

	if (children[slot])
		return;
	__atomic_fetch_add(&stats->ops[O_FORK_CHILD], 1, __ATOMIC_RELAXED);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		(void)seed;
		run_child(child_seed, deadline);
		_exit(0);
	}
	children[slot] = pid;
	__atomic_fetch_add(&stats->children, 1, __ATOMIC_RELAXED);
}

static void reap_children(bool kill_them)
{
	for (int i = 0; i < MAX_CHILDREN; i++) {
		int status;

		if (!children[i])
			continue;
		if (kill_them) {
			kill(children[i], SIGKILL);
			if (wait_child(children[i], &status, 0) != children[i])
				status = 0;
		} else {
			pid_t r = wait_child(children[i], &status, WNOHANG);

			if (r == 0)
				continue;
			if (r != children[i])
				status = 0;	/* already gone */
		}
		if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL)
			fail("child %d died of signal %d", children[i], WTERMSIG(status));
		children[i] = 0;
	}
}

static void op_kill_child(void)
{
	int i = rnd(MAX_CHILDREN);

	if (!children[i])
		return;
	__atomic_fetch_add(&stats->ops[O_KILL_CHILD], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&stats->kills, 1, __ATOMIC_RELAXED);
	/* Often while it sleeps in a blocking call. */
	if (chance(50))
		usleep(rnd(3000));
	kill(children[i], SIGKILL);
	reap_children(false);
}

/* One random operation; children (may_block) favour blocking ones. */
static void one_op(bool may_block, bool is_child, uint64_t seed, uint64_t deadline)
{
	static const struct { int op; int weight; } table[] = {
		{ O_VERSION, 1 }, { O_MODULE_CREATE, 4 }, { O_SET_STATE, 5 }, { O_READY, 2 },
		{ O_SET_QUOTA, 4 }, { O_MODULE_INFO, 3 }, { O_EVENT_CREATE, 5 },
		{ O_EVENT_SIGNAL, 5 }, { O_WAIT, 4 }, { O_CHANNEL_CREATE, 6 }, { O_SEND, 12 },
		{ O_RECV, 12 }, { O_CALL, 4 }, { O_REPLY, 5 }, { O_MEM_CREATE, 5 },
		{ O_MEM_INFO, 2 }, { O_TOPIC_CREATE, 3 }, { O_SUBSCRIBE, 4 }, { O_PUBLISH, 5 },
		{ O_WATCH, 5 }, { O_WATCH_READ, 4 }, { O_POLL, 2 }, { O_DUP, 8 },
		{ O_REPLACE, 3 }, { O_CLOSE, 7 }, { O_INFO, 3 }, { O_REVOKE, 5 }, { O_GIVE, 6 },
		{ O_MMAP, 5 }, { O_TOUCH, 6 }, { O_MUNMAP, 3 }, { O_MPROTECT, 2 },
		{ O_CLOSE_FILE, 1 }, { O_OPEN_SUP, 1 }, { O_RAW_IOCTL, 2 }, { O_NL_QUERY, 4 },
		{ O_NL_GARBAGE, 3 }, { O_FORK_CHILD, 1 }, { O_KILL_CHILD, 1 },
		{ O_NL_EVENTS, 1 }, { O_PARAM, 1 }, { O_GRANT_STORY, 3 }, { O_CALL_STORY, 2 },
	};
	static int total;
	int r, op = 0;

	if (!total)
		for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
			total += table[i].weight;
	r = rnd(total);
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		r -= table[i].weight;
		if (r < 0) {
			op = table[i].op;
			break;
		}
	}
	switch (op) {
	case O_VERSION: op_version(); break;
	case O_MODULE_CREATE: op_module_create(); break;
	case O_SET_STATE: op_set_state(); break;
	case O_READY: op_ready(); break;
	case O_SET_QUOTA: op_set_quota(); break;
	case O_MODULE_INFO: op_module_info(); break;
	case O_EVENT_CREATE: op_event_create(); break;
	case O_EVENT_SIGNAL: op_event_signal(); break;
	case O_WAIT: op_wait(may_block); break;
	case O_CHANNEL_CREATE: op_channel_create(); break;
	case O_SEND: op_send(may_block); break;
	case O_RECV: op_recv(may_block); break;
	case O_CALL: op_call(may_block); break;
	case O_REPLY: op_reply(may_block); break;
	case O_MEM_CREATE: op_mem_create(); break;
	case O_MEM_INFO: op_mem_info(); break;
	case O_TOPIC_CREATE: op_topic_create(); break;
	case O_SUBSCRIBE: op_subscribe(); break;
	case O_PUBLISH: op_publish(may_block); break;
	case O_WATCH: op_watch(); break;
	case O_WATCH_READ: op_watch_read(may_block); break;
	case O_POLL: op_poll(); break;
	case O_DUP: op_dup(); break;
	case O_REPLACE: op_replace(); break;
	case O_CLOSE: op_close(); break;
	case O_INFO: op_info(); break;
	case O_REVOKE: op_revoke(); break;
	case O_GIVE: op_give(); break;
	case O_MMAP: op_mmap(); break;
	case O_TOUCH: op_touch(); break;
	case O_MUNMAP: op_munmap(); break;
	case O_MPROTECT: op_mprotect(); break;
	case O_CLOSE_FILE: op_close_file(); break;
	case O_OPEN_SUP: op_open_sup(); break;
	case O_RAW_IOCTL: op_raw_ioctl(); break;
	case O_NL_QUERY: op_nl_query(); break;
	case O_NL_GARBAGE: op_nl_garbage(); break;
	case O_FORK_CHILD: if (!is_child) op_fork_child(seed, deadline); break;
	case O_KILL_CHILD: if (!is_child) op_kill_child(); break;
	case O_NL_EVENTS: op_nl_events(); break;
	case O_PARAM: if (!is_child) op_param(); break;
	case O_GRANT_STORY: op_grant_story(); break;
	case O_CALL_STORY: if (!is_child) op_call_story(); break;
	}
	__atomic_fetch_add(&stats->iterations, 1, __ATOMIC_RELAXED);
}

/* A child: the same files, blocking calls allowed, a short life. */
static void run_child(uint64_t seed, uint64_t deadline)
{
	uint64_t end = now_ms() + 20 + rnd(800);

	seed_stream(seed, 0x5eed);
	in_child = true;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setup_signals();	/* timers are not inherited */
	if (end > deadline)
		end = deadline;
	memset(children, 0, sizeof(children));
	/* Its own netlink socket: the parent's one is shared. */
	nl_sock = -1;
	nl_open();
	while (now_ms() < end)
		one_op(true, true, seed, deadline);
	/* Sometimes it dies holding everything open, sometimes it cleans up. */
	if (chance(50))
		for (int i = 0; i < MAX_FILES; i++)
			if (files[i].fd >= 0)
				close(files[i].fd);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * SIGBUS/SIGSEGV from touching revoked or odd mappings are expected. A
 * timer interrupts every blocking call within 50 ms (no SA_RESTART): a
 * corrupted timeout cannot stall a worker, and the -EINTR paths of every
 * wait get exercised; a wait that ignores signals hangs and is found.
 */
static void setup_signals(void)
{
	struct sigaction sa = { .sa_handler = on_fault, .sa_flags = SA_NODEFER };
	struct sigaction alarm_sa = { .sa_handler = on_alarm };
	struct itimerval it = {
		.it_interval = { .tv_usec = 50000 }, .it_value = { .tv_usec = 50000 },
	};

	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGALRM, &alarm_sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	setitimer(ITIMER_REAL, &it, NULL);
}

static int run_worker(int id, uint64_t seed, uint64_t deadline)
{
	uint64_t n = 0;

	worker_id = id;
	seed_stream(seed, (uint64_t)id + 1);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setup_signals();
	for (int i = 0; i < MAX_FILES; i++)
		files[i].fd = -1;
	op_open_sup();
	if (pick_file(true) < 0) {
		fail("cannot open %s: %s", LOGOS_DEVICE_PATH, strerror(errno));
		return 1;
	}
	if (nl_open())
		fail("cannot resolve the netlink family %s", LOGOS_GENL_NAME);
	while (now_ms() < deadline) {
		/* Keep a supervisor and a few modules around. */
		if (pick_file(true) < 0)
			op_open_sup();
		one_op(false, false, seed, deadline);
		if ((++n & 63) == 0)
			reap_children(false);
	}
	reap_children(true);
	for (int i = 0; i < MAX_MAPS; i++)
		if (maps[i].addr)
			munmap(maps[i].addr, maps[i].len);
	for (int i = 0; i < MAX_FILES; i++)
		if (files[i].fd >= 0)
			close_file(i);
	if (nl_sock >= 0)
		close(nl_sock);
	return 0;
}

static long read_live_objects(void)
{
	FILE *f = fopen("/sys/module/logos/parameters/live_objects", "r");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static void usage(void)
{
	fprintf(stderr, "usage: logos-fuzz [--seed N] [--duration S] [--procs N] [--trace]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'd' },
		{ "procs", required_argument, NULL, 'p' },
		{ "trace", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	uint64_t seed = 0, start, deadline;
	int procs = 4, duration = 60, c, bad = 0;
	bool seeded = false;
	pid_t pids[64];
	long live = -1;

	while ((c = getopt_long(argc, argv, "s:d:p:th", opts, NULL)) != -1) {
		switch (c) {
		case 's': seed = strtoull(optarg, NULL, 0); seeded = true; break;
		case 'd': duration = atoi(optarg); break;
		case 'p': procs = atoi(optarg); break;
		case 't': trace = true; break;
		default: usage();
		}
	}
	if (duration < 1 || procs < 1 || procs > 64)
		usage();
	if (!seeded) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("fuzz: seed %llu (replay: --seed %llu --procs %d), %d s, %d processes\n",
	       (unsigned long long)seed, (unsigned long long)seed, procs, duration, procs);

	stats = mmap(NULL, sizeof(*stats), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	bad_page = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (stats == MAP_FAILED || bad_page == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	params_save();
	start = now_ms();
	deadline = start + (uint64_t)duration * 1000;
	for (int i = 0; i < procs; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(run_worker(i, seed, deadline));
	}

	/* Progress every 10 s; a worker that outlives the deadline by 120 s hangs. */
	uint64_t next_progress = start + 10000;

	for (int left = procs; left > 0;) {
		int status;
		pid_t p = waitpid(-1, &status, WNOHANG);

		if (p > 0) {
			left--;
			if (!WIFEXITED(status) || WEXITSTATUS(status)) {
				fail("worker pid %d ended with status %#x", p, status);
				bad = 1;
			}
			continue;
		}
		if (now_ms() > deadline + 120000) {
			fail("%d worker(s) still running 120 s after the deadline: hang", left);
			for (int i = 0; i < procs; i++)
				kill(pids[i], SIGKILL);
			bad = 1;
			break;
		}
		usleep(100000);
		if (now_ms() >= next_progress && !(next_progress += 10000, 0))
			printf("fuzz: %llu s, %llu operations\n",
			       (unsigned long long)(now_ms() - start) / 1000,
			       (unsigned long long)stats->iterations);
	}
	params_restore();

	/* Every file is closed: nothing may stay alive (frees may lag a little). */
	for (int i = 0; i < 100; i++) {
		live = read_live_objects();
		if (live <= 0)
			break;
		usleep(100000);
	}

	printf("fuzz: %llu operations in %.1f s by %d processes (%llu children, %llu killed, %llu SIGBUS on revoked mappings, %llu netlink answers)\n",
	       (unsigned long long)stats->iterations, (now_ms() - start) / 1000.0, procs,
	       (unsigned long long)stats->children, (unsigned long long)stats->kills,
	       (unsigned long long)stats->sigbus, (unsigned long long)stats->nl_msgs);
	for (int i = 0; i < O_COUNT; i++) {
		char errs[128] = "";
		size_t len = 0;

		/* The three commonest errnos of each operation. */
		for (int k = 0; k < 3; k++) {
			int best = 0;

			for (int e = 1; e < 136; e++)
				if (stats->err[i][e] > stats->err[i][best] &&
				    !strstr(errs, strerrorname_np(e)))
					best = e;
			if (!best || !stats->err[i][best])
				break;
			len += snprintf(errs + len, sizeof(errs) - len, " %s:%llu",
					strerrorname_np(best), (unsigned long long)stats->err[i][best]);
		}
		printf("fuzz:   %-15s %9llu issued %9llu succeeded%s\n", op_names[i],
		       (unsigned long long)stats->ops[i], (unsigned long long)stats->ok[i], errs);
	}
	if (live > 0)
		fail("%ld logos objects still alive after every file was closed", live);
	else if (live < 0)
		fail("live_objects not readable: is logos.ko loaded?");
	else
		printf("fuzz: live_objects is 0\n");
	for (int i = 0; i < stats->failures && i < 8; i++)
		printf("fuzz: failure: %s\n", stats->failure[i]);
	printf("fuzz: seed %llu: %s\n", (unsigned long long)seed,
	       stats->failures || bad ? "FAILED" : "passed");
	return stats->failures || bad ? 1 : 0;
}
