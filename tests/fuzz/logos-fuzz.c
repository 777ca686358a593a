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
 *
 * This file: randomness, the shared state, picking arguments, the worker
 * loop, main and the report. The operations are in fuzz-ioctl.c (files and
 * their ioctls), fuzz-mm-nl.c (mappings, stories, netlink, parameters) and
 * fuzz-mapped.c (mapped channels); fuzz.h is what they share.
 */
#include "fuzz.h"

/* ---- randomness: xorshift64*, one stream per process ---------------- */

static uint64_t rng_state;

uint64_t rnd64(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

uint32_t rnd(uint32_t n)	/* 0..n-1 */
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

bool chance(uint32_t percent)
{
	return rnd(100) < percent;
}

static void seed_stream(uint64_t seed, uint64_t salt)
{
	rng_state = (seed ^ (salt * 0x9E3779B97F4A7C15ULL)) | 1;
	for (int i = 0; i < 8; i++)
		rnd64();
}

struct stats *stats;
bool trace;
int worker_id;
static bool in_child;	/* a forked child: shares its parent's files */

void fail(const char *fmt, ...)
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
struct file files[MAX_FILES];
struct map maps[MAX_MAPS];
struct txn txns[MAX_TXNS];
static pid_t children[MAX_CHILDREN];
static void *bad_page;		/* PROT_NONE: a pointer that faults */
int nl_sock = -1;
uint16_t nl_family;
uint32_t nl_group;
uint32_t known_module_ids[32];

static const char *const op_names[OP_MAX] = {
	"version", "module_create", "set_state", "ready", "set_quota", "module_info",
	"event_create", "event_signal", "wait", "channel_create", "send", "recv",
	"call", "reply", "mem_create", "mem_info", "topic_create", "subscribe",
	"publish", "watch", "watch_read", "poll", "dup", "replace", "close",
	"info", "revoke", "give", "mmap", "touch", "munmap", "mprotect",
	"close_file", "open_sup", "raw_ioctl", "nl_query", "nl_garbage",
	"fork_child", "kill_child", "nl_events", "param", "grant_story",
	"call_story", "mapped_create", "mapped_map", "mapped_notify", "mapped_wait",
	"mapped_mmap", "mapped_ring", "mapped_teardown", "mapped_story", "call_retry",
};

/* Documented errnos of the ABI, plus what any syscall may give. */
static bool errno_allowed(int op, int e)
{
	/* -EBUSY only from MAP: a side already attached. */
	if (e == EBUSY)
		return op == O_MAPPED_MAP || op == O_MAPPED_STORY;
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
int xioctl(int op, int fd, unsigned long cmd, void *arg)
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
		if (!errno_allowed(op, errno) && !(errno == ENFILE))
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

int pick_file(bool need_supervisor)
{
	int idx[MAX_FILES], n = 0;

	for (int i = 0; i < MAX_FILES; i++)
		if (files[i].fd >= 0 && (!need_supervisor || files[i].supervisor))
			idx[n++] = i;
	return n ? idx[rnd(n)] : -1;
}

void remember(int f, uint32_t value, uint32_t type)
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

void forget(int f, uint32_t value)
{
	struct file *fl = &files[f];

	for (int i = 0; i < fl->nh; i++)
		if (fl->h[i].value == value) {
			fl->h[i] = fl->h[--fl->nh];
			return;
		}
}

/* A handle that turned out not to exist (a child closed it, say). */
void stale(int f, uint32_t value, int ret)
{
	if (ret == -EBADF && chance(70))
		forget(f, value);
}

/* A handle of @f, of @type when there is one (0: any), or a bad value. */
uint32_t pick_handle(int f, uint32_t type)
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

uint32_t pick_rights(void)
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

uint32_t pick_flags(uint32_t valid)
{
	if (chance(90))
		return valid ? (uint32_t)rnd64() & valid : 0;
	return chance(50) ? 1u << rnd(32) : (uint32_t)rnd64();
}

int64_t pick_timeout(bool may_block)
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
uint64_t pick_ptr(void *good)
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
unsigned long maybe_resize(unsigned long cmd)
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
int issue(int op, int f, unsigned long cmd, void *arg, size_t size)
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

/* ---- the loop ---------------------------------------------------------- */

/* waitpid() that the interval timer cannot interrupt. */
pid_t wait_child(pid_t pid, int *status, int options)
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

/* Ends every child: a story that must be alone on its files. */
void kill_children(void)
{
	reap_children(true);
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
		{ O_MAPPED_CREATE, 4 }, { O_MAPPED_MAP, 4 }, { O_MAPPED_NOTIFY, 3 },
		{ O_MAPPED_WAIT, 3 }, { O_MAPPED_MMAP, 3 }, { O_MAPPED_RING, 4 },
		{ O_MAPPED_TEARDOWN, 2 }, { O_MAPPED_STORY, 2 }, { O_CALL_RETRY, 1 },
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
	case O_MAPPED_CREATE: op_mapped_create(); break;
	case O_MAPPED_MAP: op_mapped_map(); break;
	case O_MAPPED_NOTIFY: op_mapped_notify(); break;
	case O_MAPPED_WAIT: op_mapped_wait(may_block); break;
	case O_MAPPED_MMAP: op_mapped_mmap(); break;
	case O_MAPPED_RING: op_mapped_ring(); break;
	case O_MAPPED_TEARDOWN: op_mapped_teardown(); break;
	case O_MAPPED_STORY: if (!is_child) op_mapped_story(); break;
	case O_CALL_RETRY: if (!is_child) op_call_retry(); break;
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
	/*
	 * No logos mapping is inherited (VM_DONTCOPY): forget them, or an
	 * munmap of an address the child reused for a mapping of its own
	 * would pull that away under it.
	 */
	memset(maps, 0, sizeof(maps));
	mapped_after_fork();
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
void setup_signals(void)
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
	mapped_cleanup();
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
	printf("fuzz: call retry: %llu calls interrupted, %llu parked, %llu retried calls got their reply\n",
	       (unsigned long long)stats->call_intr, (unsigned long long)stats->call_parked,
	       (unsigned long long)stats->call_retried_ok);
	printf("fuzz: mapped story: side 1 ended and checked %llu times by revoke, %llu by close (%llu with a waiter, %llu a toucher, %llu a mapper)\n",
	       (unsigned long long)stats->mapped_ended[0], (unsigned long long)stats->mapped_ended[1],
	       (unsigned long long)stats->mapped_procs[0], (unsigned long long)stats->mapped_procs[1],
	       (unsigned long long)stats->mapped_procs[2]);
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
