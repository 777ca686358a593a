// SPDX-License-Identifier: GPL-2.0
/*
 * logos-bench: round trips and throughput of logos IPC next to Linux
 * baselines, in one run, with two processes pinned to two CPUs.
 *
 * This process is the client (CPU 0) and, for logos, the supervisor; a
 * forked child is the server (CPU 1). Each case is described to the server
 * over a control socket (with the baseline's fds as SCM_RIGHTS), gets
 * fresh resources, a pilot run to calibrate the iteration count, then the
 * measured run. See README.md.
 */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __x86_64__
#include <x86intrin.h>
#endif

const struct transport_ops *const transports[T_COUNT] = {
	[T_LOGOS_CALL] = &t_logos_call,
	[T_LOGOS_SENDRECV] = &t_logos_sendrecv,
	[T_LOGOS_GRANT] = &t_logos_grant,
	[T_LOGOS_GRANT_MAP] = &t_logos_grant_map,
	[T_SEQPACKET] = &t_seqpacket,
	[T_STREAM] = &t_stream,
	[T_PIPE] = &t_pipe,
	[T_EVENTFD_SHM] = &t_eventfd_shm,
	[T_MEMFD_SCM] = &t_memfd_scm,
	[T_MEMFD_SCM_KEPT] = &t_memfd_scm_kept,
};

static const char *const mode_names[MODE_COUNT] = { "touch", "transfer" };

#define NSIZES 5
static const uint64_t sizes[NSIZES] = { 64, 4 * KiB, 64 * KiB, 1 * MiB, 16 * MiB };
static const char *const size_labels[NSIZES] = { "64 B", "4 KiB", "64 KiB", "1 MiB", "16 MiB" };

enum { RES_NONE, RES_OK, RES_NA, RES_ERR };

struct result {
	int status;
	uint32_t iters;
	uint64_t p10, p50, p99, mean, min;
	double mbps;
	char note[600];
};

/*
 * Placements: the two processes on two CPUs (as asked), and both on CPU 0,
 * where a round trip needs no cross-CPU wake-up (see README: under QEMU TCG
 * on a busy host, a cross-CPU wake-up costs milliseconds of host
 * scheduling and hides the IPC costs).
 */
enum { P_CROSS, P_SAME, P_COUNT };
static const char *const placement_names[P_COUNT] = { "cross_cpu", "same_cpu" };
static const char *const placement_labels[P_COUNT] = { "cross-CPU", "same CPU" };
static const char *const placement_text[P_COUNT] = {
	"client on CPU 0, server on CPU 1", "client and server both on CPU 0",
};
static const int placement_cpu[P_COUNT] = { 1, 0 };
static bool placement_on[P_COUNT] = { true, true };

static struct result res[P_COUNT][T_COUNT][NSIZES][MODE_COUNT];

/* Scale points: 64 B logos call RTT, "transfer" mode. */
enum { SC_10, SC_10K, SC_10K_MODS, SC_COUNT };
static struct result scale_res[P_COUNT][SC_COUNT];
static const char *scale_names[SC_COUNT];
static uint32_t scale_channels[SC_COUNT], scale_modules[SC_COUNT];

static struct {
	bool done;
	uint32_t channels, modules;
	double slab_per_channel, meminfo_per_channel;
	double slab_per_module, meminfo_per_module;
	double vmalloc_per_channel, vmalloc_per_module;
	char top_caches[512];
} mem;

/* Options. */
static uint64_t budget_ns = 400000000ULL;
static uint32_t min_iters = 10, max_iters = 20000;
static int rounds = 3;
static bool baselines_only, logos_only, no_scale;
static uint32_t opt_channels = 10000, opt_modules = 1000;
static unsigned int size_mask = (1U << NSIZES) - 1;
static const char *out_dir;
static int spin;			/* SCHED_IDLE spinners: off unless --spin */
static pid_t spinners[2] = { -1, -1 };

static int server_cpu = 1;

static bool logos_ok;
static char logos_why[200];
static int errors;
static int ncpus;
long page_size;

static uint8_t *cbuf;			/* the client's private buffer */
static pid_t server_pid = -1;
static int ctl = -1;
static int *idle_fds;			/* module files of the scale modules */
static uint32_t nidle_fds;

/* ---------------------------------------------------------------- helpers */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * The client's clock. Under QEMU TCG the guest has no usable TSC
 * clocksource (hpet: every clock_gettime is a system call and an MMIO
 * read), so the raw TSC of CPU 0 (the client is pinned there) is used,
 * calibrated against CLOCK_MONOTONIC.
 */
static bool use_tsc;
static double ns_per_tick;
static double timer_cost_ns, clock_gettime_cost_ns;

static inline uint64_t bench_now(void)
{
#ifdef __x86_64__
	if (use_tsc)
		return (uint64_t)((double)__rdtsc() * ns_per_tick);
#endif
	return now_ns();
}

static void timer_init(const char *cs)
{
	uint64_t t0, t1, c0 = 0, c1 = 0;
	int k;

	t0 = now_ns();
	for (k = 0; k < 1000; k++)
		now_ns();
	clock_gettime_cost_ns = (double)(now_ns() - t0) / 1000;
#ifdef __x86_64__
	if (strcmp(cs, "tsc")) {
		t0 = now_ns();
		c0 = __rdtsc();
		usleep(200000);
		t1 = now_ns();
		c1 = __rdtsc();
		if (c1 > c0) {
			ns_per_tick = (double)(t1 - t0) / (double)(c1 - c0);
			use_tsc = true;
		}
	}
#else
	(void)cs;
	(void)c0;
	(void)c1;
	(void)t1;
#endif
	t0 = now_ns();
	for (k = 0; k < 1000; k++)
		bench_now();
	timer_cost_ns = (double)(now_ns() - t0) / 1000;
}

int fail(struct side *s, int err, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s)
		snprintf(s->err, sizeof(s->err), "%s: %s", msg, strerror(err));
	else
		fprintf(stderr, "logos-bench: %s: %s\n", msg, strerror(err));
	return -1;
}

size_t page_round(size_t n)
{
	return (n + (size_t)page_size - 1) & ~((size_t)page_size - 1);
}

static uint8_t pattern(uint32_t i)
{
	return (uint8_t)(i % 251 + 1);
}

/* "touch": the sender writes every byte. */
void touch_write(void *p, size_t n, uint32_t i)
{
	memset(p, pattern(i), n);
}

uint64_t sum_words(const void *p, size_t n)
{
	const uint64_t *w = p;
	uint64_t sum = 0;
	size_t k;

	for (k = 0; k < n / 8; k++)
		sum += w[k];
	__asm__ volatile("" : : "r"(sum) : "memory");
	return sum;
}

/* "touch": the receiver reads every byte, and checks what it read. */
int touch_read(struct side *s, const void *p, size_t n, uint32_t i)
{
	uint64_t want = pattern(i) * 0x0101010101010101ULL * (n / 8);

	if (sum_words(p, n) != want)
		return fail(s, EIO, "data of iteration %u is not what was sent", i);
	return 0;
}

int write_all(struct side *s, int fd, const void *p, size_t n)
{
	const uint8_t *b = p;
	ssize_t r;

	while (n) {
		r = write(fd, b, n);
		if (r <= 0)
			return fail(s, r < 0 ? errno : EPIPE, "write");
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

int read_all(struct side *s, int fd, void *p, size_t n)
{
	uint8_t *b = p;
	ssize_t r;

	while (n) {
		r = read(fd, b, n);
		if (r <= 0)
			return fail(s, r < 0 ? errno : EPIPE, "read");
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

static void pin(int cpu)
{
	cpu_set_t set;

	if (ncpus < 2)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fail(NULL, errno, "sched_setaffinity(%d)", cpu);
}

static uint8_t *big_buffer(void)
{
	void *p = mmap(NULL, BENCH_MAX_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		fail(NULL, errno, "mmap %lu bytes", BENCH_MAX_SIZE);
		exit(1);
	}
	memset(p, 0x5a, BENCH_MAX_SIZE);	/* no page faults while measuring */
	return p;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * The server died: whatever blocking call the client is in, or is about
 * to make, is interrupted within a second (the signal itself may land
 * outside a blocking call).
 */
static volatile sig_atomic_t child_died;

static void on_child(int sig)
{
	(void)sig;
	child_died = 1;
	alarm(1);
}

/*
 * Keeps a CPU from going idle: a SCHED_IDLE busy loop, which any woken
 * task preempts at once. Under QEMU TCG a halted vCPU thread sleeps on the
 * host and takes milliseconds to wake up, which would hide every IPC cost
 * behind the host's scheduler; a spinning vCPU takes the wake-up IPI at
 * once, as an idle CPU of real hardware does.
 */
static void start_spinners(void)
{
	struct sched_param sp = { 0 };
	pid_t parent = getpid();
	int cpu;

	for (cpu = 0; cpu < 2 && cpu < ncpus; cpu++) {
		fflush(stdout);
		spinners[cpu] = fork();
		if (spinners[cpu] < 0) {
			fail(NULL, errno, "fork");
			errors++;
			return;
		}
		if (!spinners[cpu]) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(0);
			pin(cpu);
			if (sched_setscheduler(0, SCHED_IDLE, &sp))
				_exit(1);
			for (;;)
				__asm__ volatile("pause");
		}
	}
}

static void stop_spinners(void)
{
	int cpu;

	for (cpu = 0; cpu < 2; cpu++)
		if (spinners[cpu] > 0) {
			kill(spinners[cpu], SIGKILL);
			while (waitpid(spinners[cpu], NULL, 0) < 0 && errno == EINTR)
				;
			alarm(0);
			child_died = 0;
			spinners[cpu] = -1;
		}
}

/* ------------------------------------------------------- control socket */

static int send_case(const struct bench_case *c, const int *fds, int nfds)
{
	char cb[CMSG_SPACE(4 * sizeof(int))];
	struct iovec iov = { .iov_base = (void *)c, .iov_len = sizeof(*c) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (nfds) {
		memset(cb, 0, sizeof(cb));
		mh.msg_control = cb;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	return sendmsg(ctl, &mh, MSG_NOSIGNAL) == sizeof(*c) ? 0 : -1;
}

static void send_status(int fd, uint32_t phase, int rc, const char *text)
{
	struct bench_status st = { .rc = rc, .phase = phase };

	snprintf(st.text, sizeof(st.text), "%s", text);
	if (send(fd, &st, sizeof(st), MSG_NOSIGNAL) != sizeof(st))
		_exit(3);
}

/* Waits up to @ms for the server's status; -1 if it died or is silent. */
static int recv_status(struct bench_status *st, int ms)
{
	struct pollfd pfd = { .fd = ctl, .events = POLLIN };
	ssize_t n;

	if (poll(&pfd, 1, ms) != 1)
		return -1;
	n = recv(ctl, st, sizeof(*st), 0);
	return n == sizeof(*st) ? 0 : -1;
}

/* ---------------------------------------------------------------- server */

static void server_main(int fd, int mfd)
{
	uint8_t *buf = big_buffer();
	char cb[CMSG_SPACE(4 * sizeof(int))];
	struct bench_case c;
	struct iovec iov = { .iov_base = &c, .iov_len = sizeof(c) };
	struct msghdr mh;
	struct cmsghdr *cm;
	const char *fail_name = getenv("LOGOS_BENCH_FAIL");
	const struct transport_ops *t;
	struct side s;
	int rc, k;

	for (;;) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cb;
		mh.msg_controllen = sizeof(cb);
		if (recvmsg(fd, &mh, MSG_CMSG_CLOEXEC) != sizeof(c) || c.cmd != CASE_RUN)
			_exit(0);
		memset(&s, 0, sizeof(s));
		for (k = 0; k < 4; k++)
			s.fd[k] = -1;
		cm = CMSG_FIRSTHDR(&mh);
		if (c.nfds) {
			if (!cm || cm->cmsg_type != SCM_RIGHTS || c.nfds > 4)
				_exit(4);
			memcpy(s.fd, CMSG_DATA(cm), c.nfds * sizeof(int));
		}
		pin(c.server_cpu);
		s.c = &c;
		s.mfd = mfd;
		s.ep = c.handle;
		s.buf = buf;
		t = transports[c.transport];
		rc = t->server_setup(&s);
		/* Testing the error path: LOGOS_BENCH_FAIL=<transport name>. */
		if (!rc && fail_name && !strcmp(fail_name, t->name) && c.iters > 3) {
			send_status(fd, PHASE_READY, 0, "");
			fail(&s, EIO, "LOGOS_BENCH_FAIL=%s", fail_name);
			send_status(fd, PHASE_DONE, -EIO, s.err);
			_exit(1);
		}
		send_status(fd, PHASE_READY, rc, s.err);
		if (!rc)
			rc = t->server_run(&s);
		t->server_teardown(&s);
		if (rc) {
			send_status(fd, PHASE_DONE, rc, s.err);
			_exit(1);	/* the client sees its peer gone */
		}
		send_status(fd, PHASE_DONE, 0, "");
	}
}

static int spawn_server(void)
{
	char why[128];
	pid_t parent = getpid();
	int sv[2], ret;
	uint32_t k;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return fail(NULL, errno, "socketpair");
	if (logos_ok) {
		ret = lg_new_module("bench-server", true, &lg.server_mod, &lg.server_fd);
		if (ret) {
			snprintf(why, sizeof(why), "creating module bench-server");
			fail(NULL, -ret, "%s", why);
			logos_ok = false;
			snprintf(logos_why, sizeof(logos_why), "%s: %s", why, strerror(-ret));
			errors++;
		}
	}
	fflush(stdout);
	server_pid = fork();
	if (server_pid < 0)
		return fail(NULL, errno, "fork");
	if (!server_pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(5);
		close(sv[0]);
		/* The module process keeps its own module file only. */
		if (lg.dev >= 0)
			close(lg.dev);
		if (lg.client_fd >= 0)
			close(lg.client_fd);
		for (k = 0; k < nidle_fds; k++)
			close(idle_fds[k]);
		pin(1);
		server_main(sv[1], lg.server_fd);
		_exit(0);
	}
	close(sv[1]);
	if (lg.server_fd >= 0)
		close(lg.server_fd);	/* the supervisor keeps only the handle */
	lg.server_fd = -1;
	ctl = sv[0];
	return 0;
}

static void stop_server(bool kill_it)
{
	struct bench_case c = { .cmd = CASE_EXIT };
	int status;

	if (server_pid <= 0)
		return;
	if (kill_it)
		kill(server_pid, SIGKILL);
	else
		send_case(&c, NULL, 0);
	while (waitpid(server_pid, &status, 0) < 0 && errno == EINTR)
		;
	alarm(0);
	child_died = 0;
	server_pid = -1;
	close(ctl);
	ctl = -1;
	if (logos_ok && lg.server_mod) {
		lg_close(lg.dev, lg.server_mod);
		lg.server_mod = 0;
	}
}

/* ----------------------------------------------------------------- cases */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t percentile(const uint64_t *v, uint32_t n, double p)
{
	uint32_t k = (uint32_t)ceil(p / 100.0 * n);

	return v[k ? k - 1 : 0];
}

/* Samples of one transport/size/mode, gathered over several runs. */
struct acc {
	uint64_t *v;
	uint32_t n, cap;
	uint64_t elapsed;	/* ns of the measured round trips, all runs */
};

static void acc_free(struct acc *a)
{
	free(a->v);
	memset(a, 0, sizeof(*a));
}

/*
 * One run of @iters round trips (the first @warm not recorded) with fresh
 * resources, appended to @a. 0, or -1 with r->note set and r->status
 * RES_ERR (the server is then restarted).
 */
static int run_case(int tr, uint64_t size, int mode, uint32_t iters, uint32_t warm,
		    struct acc *a, struct result *r)
{
	const struct transport_ops *t = transports[tr];
	struct bench_case c = {
		.cmd = CASE_RUN, .transport = tr, .mode = mode, .iters = iters,
		.size = size, .nfds = t->nfds, .server_cpu = server_cpu,
	};
	struct side s = { .c = &c, .fd = { -1, -1, -1, -1 }, .mfd = lg.client_fd, .buf = cbuf };
	int sfds[4] = { -1, -1, -1, -1 }, k, rc = 0;
	uint64_t t0, t1 = 0, start = 0;
	struct bench_status st = { 0 };
	uint32_t i, n = iters - warm;

	if (a->n + n > a->cap) {
		uint64_t *v = realloc(a->v, (a->n + n) * sizeof(*v));

		if (!v) {
			snprintf(r->note, sizeof(r->note), "out of memory");
			r->status = RES_ERR;
			return -1;
		}
		a->v = v;
		a->cap = a->n + n;
	}
	if (t->client_setup(&s, sfds)) {
		snprintf(r->note, sizeof(r->note), "client setup: %s", s.err);
		for (k = 0; k < 4; k++)
			if (sfds[k] >= 0)
				close(sfds[k]);
		t->client_teardown(&s);
		r->status = RES_ERR;
		return -1;
	}
	c.handle = s.peer_ep;
	rc = send_case(&c, sfds, t->nfds);
	for (k = 0; k < 4; k++)
		if (sfds[k] >= 0)
			close(sfds[k]);
	if (rc || recv_status(&st, 60000) || st.phase != PHASE_READY || st.rc) {
		snprintf(r->note, sizeof(r->note), "server setup: %s",
			 rc ? "control socket" : st.text);
		goto broken;
	}
	fflush(stdout);
	usleep(20000);		/* let the console drain before measuring */
	alarm(120);
	if (child_died)
		alarm(1);
	for (i = 0; i < iters; i++) {
		t0 = bench_now();
		rc = t->client_iter(&s, i);
		t1 = bench_now();
		if (rc)
			break;
		if (i == warm)
			start = t0;
		if (i >= warm)
			a->v[a->n + i - warm] = t1 - t0;
	}
	alarm(0);
	if (rc) {
		snprintf(r->note, sizeof(r->note), "client: %s", s.err);
		if (!recv_status(&st, 200) && st.phase == PHASE_READY)
			recv_status(&st, 200);
		if (st.phase == PHASE_DONE && st.rc) {
			k = (int)strlen(r->note);
			snprintf(r->note + k, sizeof(r->note) - k, "; server: %s", st.text);
		}
		goto broken;
	}
	if (recv_status(&st, 60000) || st.phase != PHASE_DONE || st.rc) {
		snprintf(r->note, sizeof(r->note), "server: %s", st.text);
		goto broken;
	}
	t->client_teardown(&s);
	a->n += n;
	a->elapsed += t1 - start;
	return 0;

broken:
	t->client_teardown(&s);
	stop_server(true);
	spawn_server();
	r->status = RES_ERR;
	return -1;
}

static void finish(struct result *r, struct acc *a, uint64_t size)
{
	uint64_t sum = 0;
	uint32_t i;

	if (r->status == RES_ERR || !a->n)
		return;
	qsort(a->v, a->n, sizeof(*a->v), cmp_u64);
	for (i = 0; i < a->n; i++)
		sum += a->v[i];
	r->status = RES_OK;
	r->iters = a->n;
	r->min = a->v[0];
	r->p10 = percentile(a->v, a->n, 10);
	r->p50 = percentile(a->v, a->n, 50);
	r->p99 = percentile(a->v, a->n, 99);
	r->mean = sum / a->n;
	r->mbps = a->elapsed ? (double)size * a->n / (double)a->elapsed * 1000.0 : 0;
}

static void print_result_line(const char *label, const char *size, const char *mode,
			      const struct result *r)
{
	printf("  %-17s %-7s %-8s ", label, size, mode);
	if (r->status == RES_OK)
		printf("p50 %10llu ns  p99 %10llu ns  %10.2f MB/s  (%u iterations)\n",
		       (unsigned long long)r->p50, (unsigned long long)r->p99, r->mbps, r->iters);
	else
		printf("%s: %s\n", r->status == RES_NA ? "n/a" : "ERROR", r->note);
	fflush(stdout);
}

/*
 * Whether @tr can run at this size; if so, a pilot run gives the number of
 * round trips that fit the time budget. 0 (with *iters), or 1 when r holds
 * the outcome (n/a or error).
 */
static int calibrate(int tr, int si, int mode, struct result *r, uint32_t *iters)
{
	const struct transport_ops *t = transports[tr];
	uint64_t size = sizes[si];
	struct bench_case c = { .transport = tr, .mode = mode, .size = size };
	struct side s = { .c = &c, .fd = { -1, -1, -1, -1 }, .buf = cbuf };
	struct acc pilot = { 0 };
	uint32_t pn, n;
	uint64_t mean;
	int ret;

	memset(r, 0, sizeof(*r));
	if (t->logos && !logos_ok) {
		r->status = RES_ERR;
		snprintf(r->note, sizeof(r->note), "logos unavailable: %s", logos_why);
		return 1;
	}
	if (t->max_size && size > t->max_size) {
		r->status = RES_NA;
		snprintf(r->note, sizeof(r->note), "inline messages are limited to %llu bytes",
			 (unsigned long long)t->max_size);
		return 1;
	}
	if (t->probe) {
		ret = t->probe(&s);
		if (ret) {
			r->status = RES_NA;
			snprintf(r->note, sizeof(r->note), "the kernel refuses one %llu-byte message: %s",
				 (unsigned long long)size, strerror(-ret));
			return 1;
		}
	}
	pn = size >= MiB ? 1 : size >= 64 * KiB ? 5 : 20;
	if (run_case(tr, size, mode, pn + 1, 1, &pilot, r)) {
		errors++;
		acc_free(&pilot);
		return 1;
	}
	mean = pilot.elapsed / pilot.n;
	acc_free(&pilot);
	n = mean ? (uint32_t)(budget_ns / mean) : max_iters;
	*iters = n < min_iters ? min_iters : n > max_iters ? max_iters : n;
	return 0;
}

/*
 * Measures transports @trs[0..@ntr) at one size and mode: calibrates each,
 * then runs them in turn, @rounds times, so that a drift of the machine's
 * speed (QEMU shares the host) reaches all of them alike.
 */
static void measure_group(const int *trs, int ntr, int si, int mode, struct result **out)
{
	struct acc accs[T_COUNT] = { 0 };
	uint32_t iters[T_COUNT] = { 0 }, n, warm;
	bool live[T_COUNT] = { false };
	int k, round;

	for (k = 0; k < ntr; k++)
		live[k] = !calibrate(trs[k], si, mode, out[k], &iters[k]);
	for (round = 0; round < rounds; round++)
		for (k = 0; k < ntr; k++) {
			if (!live[k])
				continue;
			n = (iters[k] + rounds - 1 - round) / rounds;
			if (!n)
				continue;
			/* The first round warms up more; later ones just refill caches. */
			warm = round ? 1 : n / 10 < 1 ? 1 : n / 10 > 100 ? 100 : n / 10;
			if (run_case(trs[k], sizes[si], mode, n + warm, warm, &accs[k], out[k])) {
				errors++;
				live[k] = false;
			}
		}
	for (k = 0; k < ntr; k++) {
		finish(out[k], &accs[k], sizes[si]);
		acc_free(&accs[k]);
	}
}

static void measure(int tr, int si, int mode, struct result *r)
{
	measure_group(&tr, 1, si, mode, &r);
}

/* ----------------------------------------------------------------- scale */

struct slab {
	char name[64];
	uint64_t bytes;
};

struct slab_snap {
	struct slab *v;
	int n;
	uint64_t total;		/* active objects x object size, all caches */
	uint64_t meminfo_slab;	/* /proc/meminfo Slab, bytes */
	uint64_t vmalloc;	/* /proc/meminfo VmallocUsed, bytes */
};

static void snap_slabs(struct slab_snap *sn)
{
	char line[512], name[64];
	unsigned long active, num, objsize;
	FILE *f;

	memset(sn, 0, sizeof(*sn));
	f = fopen("/proc/slabinfo", "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "%63s %lu %lu %lu", name, &active, &num, &objsize) != 4)
				continue;
			sn->v = realloc(sn->v, (sn->n + 1) * sizeof(*sn->v));
			if (!sn->v)
				exit(1);
			snprintf(sn->v[sn->n].name, sizeof(sn->v[sn->n].name), "%s", name);
			sn->v[sn->n].bytes = (uint64_t)active * objsize;
			sn->total += sn->v[sn->n].bytes;
			sn->n++;
		}
		fclose(f);
	}
	f = fopen("/proc/meminfo", "r");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "Slab: %lu kB", &active) == 1)
				sn->meminfo_slab = (uint64_t)active * 1024;
			else if (sscanf(line, "VmallocUsed: %lu kB", &active) == 1)
				sn->vmalloc = (uint64_t)active * 1024;
		fclose(f);
	}
}

/* The caches that grew most, "name +bytes", into @out. */
static void slab_growth(const struct slab_snap *a, const struct slab_snap *b, char *out,
			size_t len)
{
	int64_t best[3] = { 0 };
	int who[3] = { -1, -1, -1 }, i, j, k;
	size_t used = 0;

	for (i = 0; i < b->n; i++) {
		int64_t d = (int64_t)b->v[i].bytes;

		for (j = 0; j < a->n; j++)
			if (!strcmp(a->v[j].name, b->v[i].name)) {
				d -= (int64_t)a->v[j].bytes;
				break;
			}
		for (k = 0; k < 3; k++)
			if (d > best[k]) {
				memmove(&best[k + 1], &best[k], (2 - k) * sizeof(best[0]));
				memmove(&who[k + 1], &who[k], (2 - k) * sizeof(who[0]));
				best[k] = d;
				who[k] = i;
				break;
			}
	}
	out[0] = 0;
	for (k = 0; k < 3 && who[k] >= 0 && used < len; k++)
		used += snprintf(out + used, len - used, "%s%s +%lld", k ? ", " : "",
				 b->v[who[k]].name, (long long)best[k]);
}

static int idle_channels(uint32_t n)
{
	uint32_t a, b, i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = lg_channel_between(&a, &b);
		if (ret)
			return fail(NULL, -ret, "creating idle channel %u of %u", i + 1, n);
	}
	return 0;
}

static void scale_point(int k)
{
	int p;

	for (p = 0; p < P_COUNT; p++) {
		if (!placement_on[p])
			continue;
		server_cpu = placement_cpu[p];
		budget_ns *= 2;		/* two runs far apart in time are compared */
		measure(T_LOGOS_CALL, 0, MODE_TRANSFER, &scale_res[p][k]);
		budget_ns /= 2;
		printf("  %-9s", placement_labels[p]);
		print_result_line(scale_names[k], "64 B", "transfer", &scale_res[p][k]);
	}
	server_cpu = 1;
}

static void scale(void)
{
	struct slab_snap s0, s1, s2, s3;
	struct rlimit rl;
	char name[32];
	uint32_t h, k;
	int ret, p;

	scale_names[SC_10] = "10 channels";
	scale_names[SC_10K] = "10k channels";
	scale_names[SC_10K_MODS] = "10k channels + 1k modules";
	scale_channels[SC_10] = 10;
	scale_channels[SC_10K] = scale_channels[SC_10K_MODS] = opt_channels;
	scale_modules[SC_10] = scale_modules[SC_10K] = 2;
	scale_modules[SC_10K_MODS] = 2 + opt_modules;
	if (!logos_ok) {
		for (p = 0; p < P_COUNT; p++)
			for (k = 0; k < SC_COUNT && placement_on[p]; k++) {
				scale_res[p][k].status = RES_ERR;
				snprintf(scale_res[p][k].note, sizeof(scale_res[p][k].note),
					 "logos unavailable: %s", logos_why);
			}
		return;
	}
	printf("\nscale: 64 B logos call, transfer mode (each case adds its own channel)\n");
	/* 9 idle + the case's own = 10 channels. */
	if (idle_channels(9))
		goto err;
	scale_point(SC_10);

	snap_slabs(&s0);
	if (idle_channels(opt_channels - 10))
		goto err;
	snap_slabs(&s1);
	mem.channels = opt_channels - 10;
	mem.slab_per_channel = ((double)s1.total - (double)s0.total) / mem.channels;
	mem.meminfo_per_channel = ((double)s1.meminfo_slab - (double)s0.meminfo_slab) /
				  mem.channels;
	mem.vmalloc_per_channel = ((double)s1.vmalloc - (double)s0.vmalloc) / mem.channels;
	slab_growth(&s0, &s1, mem.top_caches, sizeof(mem.top_caches));
	scale_point(SC_10K);

	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < opt_modules + 64) {
		rl.rlim_cur = opt_modules + 64;
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;
		if (setrlimit(RLIMIT_NOFILE, &rl)) {
			fail(NULL, errno, "setrlimit(RLIMIT_NOFILE, %u)", opt_modules + 64);
			goto err;
		}
	}
	idle_fds = calloc(opt_modules, sizeof(int));
	if (!idle_fds)
		goto err;
	snap_slabs(&s2);
	for (k = 0; k < opt_modules; k++) {
		snprintf(name, sizeof(name), "idle-%u", k);
		ret = lg_new_module(name, false, &h, &idle_fds[k]);
		if (ret) {
			fail(NULL, -ret, "LOGOS_IOC_MODULE_CREATE (module %u of %u)", k + 1,
			     opt_modules);
			goto err;
		}
		nidle_fds++;
	}
	snap_slabs(&s3);
	mem.modules = opt_modules;
	mem.slab_per_module = ((double)s3.total - (double)s2.total) / opt_modules;
	mem.meminfo_per_module = ((double)s3.meminfo_slab - (double)s2.meminfo_slab) /
				 opt_modules;
	mem.vmalloc_per_module = ((double)s3.vmalloc - (double)s2.vmalloc) / opt_modules;
	mem.done = true;
	scale_point(SC_10K_MODS);
	free(s0.v);
	free(s1.v);
	free(s2.v);
	free(s3.v);
	return;
err:
	errors++;
	for (p = 0; p < P_COUNT; p++)
		for (k = 0; k < SC_COUNT && placement_on[p]; k++)
			if (scale_res[p][k].status == RES_NONE) {
				scale_res[p][k].status = RES_ERR;
				snprintf(scale_res[p][k].note, sizeof(scale_res[p][k].note),
					 "setting up the scale test failed");
			}
}

/* ---------------------------------------------------------------- report */

static bool ok(const struct result *r)
{
	return r->status == RES_OK;
}

static const char *status_name(int st)
{
	return st == RES_OK ? "ok" : st == RES_NA ? "n/a" : st == RES_ERR ? "error" : "skipped";
}

/* Throughput ratio logos/baseline (higher: logos faster). */
static double thr_ratio(int p, int lt, int bt, int si, int m)
{
	const struct result *a = &res[p][lt][si][m], *b = &res[p][bt][si][m];

	return ok(a) && ok(b) && b->mbps > 0 ? a->mbps / b->mbps : NAN;
}

/* RTT p50 ratio logos/baseline (lower: logos faster). */
static double rtt_ratio(int p, int lt, int bt, int si, int m)
{
	const struct result *a = &res[p][lt][si][m], *b = &res[p][bt][si][m];

	return ok(a) && ok(b) && b->p50 ? (double)a->p50 / (double)b->p50 : NAN;
}

struct target {
	const char *name, *text;
	double limit;
	bool at_most;		/* value <= limit passes; else value >= limit */
	double value[P_COUNT];
	const char *status[P_COUNT];	/* PASS, MISS, or n/a when not measured */
};

#define NTARGETS 5
static struct target targets[NTARGETS] = {
	{ .name = "call_64B_rtt_vs_seqpacket",
	  .text = "64 B logos call RTT p50 <= 0.7 x AF_UNIX seqpacket (transfer)",
	  .limit = 0.7, .at_most = true },
	{ .name = "grant_16MiB_transfer_vs_stream",
	  .text = "16 MiB logos grant throughput, transfer, >= 20 x AF_UNIX stream",
	  .limit = 20 },
	{ .name = "grant_16MiB_transfer_vs_memfd",
	  .text = "16 MiB logos grant throughput, transfer, >= 1 x memfd+SCM_RIGHTS",
	  .limit = 1 },
	{ .name = "grant_16MiB_touch_vs_stream",
	  .text = "16 MiB logos grant throughput, touch, >= 1.8 x AF_UNIX stream",
	  .limit = 1.8 },
	{ .name = "rtt_10k_vs_10_channels",
	  .text = "64 B logos call RTT p50 at 10k channels <= 1.2 x at 10 channels",
	  .limit = 1.2, .at_most = true },
};

static int size_index(uint64_t size)
{
	int i;

	for (i = 0; i < NSIZES; i++)
		if (sizes[i] == size)
			return i;
	return 0;
}

static void eval_targets(void)
{
	int s64 = size_index(64), s16m = size_index(16 * MiB), p, k;

	for (p = 0; p < P_COUNT; p++) {
		const struct result *a = &scale_res[p][SC_10], *b = &scale_res[p][SC_10K];

		targets[0].value[p] = rtt_ratio(p, T_LOGOS_CALL, T_SEQPACKET, s64, MODE_TRANSFER);
		targets[1].value[p] = thr_ratio(p, T_LOGOS_GRANT, T_STREAM, s16m, MODE_TRANSFER);
		targets[2].value[p] = thr_ratio(p, T_LOGOS_GRANT, T_MEMFD_SCM, s16m, MODE_TRANSFER);
		targets[3].value[p] = thr_ratio(p, T_LOGOS_GRANT, T_STREAM, s16m, MODE_TOUCH);
		targets[4].value[p] = ok(a) && ok(b) ? (double)b->p50 / (double)a->p50 : NAN;
		for (k = 0; k < NTARGETS; k++) {
			struct target *t = &targets[k];

			if (isnan(t->value[p]))
				t->status[p] = "n/a";
			else if (t->at_most)
				t->status[p] = t->value[p] <= t->limit ? "PASS" : "MISS";
			else
				t->status[p] = t->value[p] >= t->limit ? "PASS" : "MISS";
		}
	}
}

static void cell(const struct result *r)
{
	if (r->status == RES_OK)
		printf(" %6u %10llu %10llu %10.2f", r->iters, (unsigned long long)r->p50,
		       (unsigned long long)r->p99, r->mbps);
	else
		printf(" %6s %10s %10s %10s", "", status_name(r->status), "", "");
}

static void print_main_table(int p)
{
	int si, tr;

	printf("\n== Round trips, %s: an N-byte request, an 8-byte reply\n", placement_text[p]);
	printf("   touch: the sender writes every byte, the receiver reads every byte\n");
	printf("   transfer: moving the data alone. MB/s = N x round trips / time (1 MB = 10^6 B)\n\n");
	printf("%-6s %-17s |%-38s |%-38s\n", "", "", " touch", " transfer");
	printf("%-6s %-17s |%6s %10s %10s %10s |%6s %10s %10s %10s\n", "size", "transport",
	       "iters", "p50 ns", "p99 ns", "MB/s", "iters", "p50 ns", "p99 ns", "MB/s");
	for (si = 0; si < NSIZES; si++) {
		if (!(size_mask & (1U << si)))
			continue;
		for (tr = 0; tr < T_COUNT; tr++) {
			if (res[p][tr][si][0].status == RES_NONE && res[p][tr][si][1].status == RES_NONE)
				continue;
			printf("%-6s %-17s |", size_labels[si], transports[tr]->label);
			cell(&res[p][tr][si][MODE_TOUCH]);
			printf(" |");
			cell(&res[p][tr][si][MODE_TRANSFER]);
			printf("\n");
		}
		printf("\n");
	}
}

static void print_ratios(int p)
{
	int si, tr, m, bt;
	double a, b;

	printf("\n== Ratios, %s, logos / baseline: throughput x (higher is better) / RTT p50 x (lower is better)\n",
	       placement_labels[p]);
	for (m = 0; m < MODE_COUNT; m++) {
		printf("\n%-8s %-6s %-15s", mode_names[m], "size", "logos");
		for (bt = T_FIRST_BASELINE; bt < T_COUNT; bt++)
			printf(" %17s", transports[bt]->label);
		printf("\n");
		for (si = 0; si < NSIZES; si++) {
			if (!(size_mask & (1U << si)))
				continue;
			for (tr = 0; tr < T_FIRST_BASELINE; tr++) {
				if (res[p][tr][si][m].status == RES_NONE)
					continue;
				printf("%-8s %-6s %-15s", "", size_labels[si], transports[tr]->label);
				for (bt = T_FIRST_BASELINE; bt < T_COUNT; bt++) {
					a = thr_ratio(p, tr, bt, si, m);
					b = rtt_ratio(p, tr, bt, si, m);
					if (isnan(a))
						printf(" %17s", "n/a");
					else
						printf(" %8.2f/%-8.2f", a, b);
				}
				printf("\n");
			}
		}
	}
}

static void print_tables(void)
{
	int p, si, tr, m, k;
	double a, b;
	int s16m = size_index(16 * MiB);

	for (p = 0; p < P_COUNT; p++) {
		if (!placement_on[p])
			continue;
		print_main_table(p);
		print_ratios(p);
	}
	for (p = 0; p < P_COUNT; p++)
		for (tr = 0; tr < T_COUNT; tr++)
			for (si = 0; si < NSIZES; si++)
				for (m = 0; m < MODE_COUNT; m++)
					if (res[p][tr][si][m].status == RES_ERR)
						printf("ERROR %s %s %s %s: %s\n", placement_labels[p],
						       transports[tr]->label, size_labels[si],
						       mode_names[m], res[p][tr][si][m].note);

	if (!no_scale && !baselines_only) {
		printf("\n== Scale: 64 B logos call RTT, transfer mode\n");
		for (p = 0; p < P_COUNT; p++) {
			if (!placement_on[p])
				continue;
			for (k = 0; k < SC_COUNT; k++) {
				const struct result *r = &scale_res[p][k], *r0 = &scale_res[p][SC_10];

				printf("%-9s %-26s channels %6u modules %5u  ", placement_labels[p],
				       scale_names[k], scale_channels[k], scale_modules[k]);
				if (ok(r))
					printf("p50 %9llu ns  p99 %9llu ns  x%.2f of 10 channels\n",
					       (unsigned long long)r->p50, (unsigned long long)r->p99,
					       ok(r0) ? (double)r->p50 / (double)r0->p50 : NAN);
				else
					printf("%s: %s\n", status_name(r->status), r->note);
			}
		}
		if (mem.done) {
			printf("kernel memory per idle channel (both endpoints and their handles, over %u channels):\n",
			       mem.channels);
			printf("  /proc/slabinfo active objects: %.0f bytes; /proc/meminfo Slab: %.0f bytes, VmallocUsed: %.0f bytes\n",
			       mem.slab_per_channel, mem.meminfo_per_channel, mem.vmalloc_per_channel);
			printf("  caches that grew most: %s\n", mem.top_caches);
			printf("kernel memory per module context (over %u modules): slabinfo %.0f bytes, meminfo Slab %.0f bytes, VmallocUsed %.0f bytes\n",
			       mem.modules, mem.slab_per_module, mem.meminfo_per_module,
			       mem.vmalloc_per_module);
		}
	}

	eval_targets();
	printf("\n== Targets (issue 4), ratios from this run\n");
	for (k = 0; k < NTARGETS; k++)
		for (p = 0; p < P_COUNT; p++) {
			struct target *t = &targets[k];

			if (!placement_on[p])
				continue;
			if (isnan(t->value[p]))
				printf("TARGET %-4s %-9s %s: not measured\n", t->status[p],
				       placement_labels[p], t->text);
			else
				printf("TARGET %-4s %-9s %s: %.3f x\n", t->status[p],
				       placement_labels[p], t->text, t->value[p]);
		}
	for (p = 0; p < P_COUNT; p++) {
		if (!placement_on[p])
			continue;
		a = thr_ratio(p, T_LOGOS_GRANT_MAP, T_MEMFD_SCM, s16m, MODE_TRANSFER);
		b = thr_ratio(p, T_LOGOS_GRANT_MAP, T_MEMFD_SCM, s16m, MODE_TOUCH);
		printf("info: %-9s 16 MiB logos grant+map vs memfd+SCM_RIGHTS (both map per transfer): transfer %.3f x, touch %.3f x\n",
		       placement_labels[p], a, b);
		a = thr_ratio(p, T_LOGOS_GRANT, T_MEMFD_SCM_KEPT, s16m, MODE_TRANSFER);
		b = thr_ratio(p, T_LOGOS_GRANT, T_MEMFD_SCM_KEPT, s16m, MODE_TOUCH);
		printf("info: %-9s 16 MiB logos grant vs memfd+SCM kept (both keep the mapping): transfer %.3f x, touch %.3f x\n",
		       placement_labels[p], a, b);
		a = rtt_ratio(p, T_LOGOS_CALL, T_SEQPACKET, size_index(64), MODE_TOUCH);
		printf("info: %-9s 64 B logos call RTT p50 vs AF_UNIX seqpacket in touch mode: %.3f x\n",
		       placement_labels[p], a);
		{
			const struct result *c = &res[p][T_LOGOS_CALL][size_index(64)][MODE_TRANSFER];
			const struct result *q = &res[p][T_SEQPACKET][size_index(64)][MODE_TRANSFER];

			if (ok(c) && ok(q))
				printf("info: %-9s 64 B logos call vs AF_UNIX seqpacket, transfer, RTT p10 (least disturbed by the host): %.3f x\n",
				       placement_labels[p], (double)c->p10 / (double)q->p10);
		}
	}
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void json_num(FILE *f, double v)
{
	if (isnan(v))
		fprintf(f, "null");
	else
		fprintf(f, "%.4f", v);
}

static void csv_row(FILE *f, const char *section, int p, const char *name, const char *label,
		    const char *mode, uint64_t size, const struct result *r)
{
	fprintf(f, "%s,%s,%s,%s,%s,%llu,%s,", section, placement_names[p], name, label, mode,
		(unsigned long long)size, status_name(r->status));
	if (ok(r))
		fprintf(f, "%u,%llu,%llu,%llu,%.3f,%llu,%llu,", r->iters,
			(unsigned long long)r->p50, (unsigned long long)r->p99,
			(unsigned long long)r->mean, r->mbps, (unsigned long long)r->p10,
			(unsigned long long)r->min);
	else
		fprintf(f, ",,,,,,,");
	fputc('"', f);
	for (const char *c = r->note; *c; c++)
		fputc(*c == '"' ? '\'' : *c, f);
	fprintf(f, "\"\n");
}

static void json_result(FILE *f, int p, const char *name, const char *label, const char *mode,
			uint64_t size, const struct result *r)
{
	fprintf(f, "{\"placement\": \"%s\", \"transport\": ", placement_names[p]);
	json_str(f, name);
	fprintf(f, ", \"label\": ");
	json_str(f, label);
	fprintf(f, ", \"mode\": \"%s\", \"size\": %llu, \"status\": \"%s\"", mode,
		(unsigned long long)size, status_name(r->status));
	if (ok(r))
		fprintf(f, ", \"iterations\": %u, \"rtt_p50_ns\": %llu, \"rtt_p99_ns\": %llu, \"rtt_mean_ns\": %llu, \"rtt_p10_ns\": %llu, \"rtt_min_ns\": %llu, \"throughput_mbps\": %.3f",
			r->iters, (unsigned long long)r->p50, (unsigned long long)r->p99,
			(unsigned long long)r->mean, (unsigned long long)r->p10,
			(unsigned long long)r->min, r->mbps);
	if (r->note[0]) {
		fprintf(f, ", \"note\": ");
		json_str(f, r->note);
	}
	fprintf(f, "}");
}

static char *clocksource(void)
{
	static char cs[64] = "unknown";
	FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");

	if (f) {
		if (fgets(cs, sizeof(cs), f))
			cs[strcspn(cs, "\n")] = 0;
		fclose(f);
	}
	return cs;
}

static void emit(const char *name, char *text, size_t len)
{
	char path[4096];
	FILE *f;

	printf("==== LOGOS-BENCH FILE %s ====\n", name);
	fwrite(text, 1, len, stdout);
	printf("==== LOGOS-BENCH END %s ====\n", name);
	if (out_dir) {
		snprintf(path, sizeof(path), "%s/%s", out_dir, name);
		f = fopen(path, "w");
		if (!f || fwrite(text, 1, len, f) != len || fclose(f)) {
			fail(NULL, errno, "writing %s", path);
			errors++;
		}
	}
}

static void write_files(void)
{
	char *csv, *rcsv, *json;
	size_t csv_len, rcsv_len, json_len;
	FILE *c = open_memstream(&csv, &csv_len);
	FILE *rc = open_memstream(&rcsv, &rcsv_len);
	FILE *j = open_memstream(&json, &json_len);
	struct utsname u;
	int p, si, tr, m, bt, k;
	bool first = true;

	if (!c || !rc || !j)
		exit(1);
	uname(&u);
	fprintf(c, "section,placement,transport,label,mode,size_bytes,status,iterations,rtt_p50_ns,rtt_p99_ns,rtt_mean_ns,throughput_mbps,rtt_p10_ns,rtt_min_ns,note\n");
	fprintf(rc, "placement,mode,size_bytes,logos,baseline,throughput_ratio,rtt_p50_ratio\n");
	fprintf(j, "{\n  \"meta\": {\"kernel\": ");
	json_str(j, u.release);
	fprintf(j, ", \"cpus\": %d, \"clocksource\": ", ncpus);
	json_str(j, clocksource());
	fprintf(j, ", \"budget_ms\": %llu, \"logos_abi\": \"%u.%u\", \"logos_features\": %llu, \"logos\": %s",
		(unsigned long long)(budget_ns / 1000000), lg.abi_major, lg.abi_minor,
		(unsigned long long)lg.features, logos_ok ? "true" : "false");
	fprintf(j, ", \"timer\": \"%s\", \"timer_cost_ns\": %.1f, \"rounds\": %d, \"spinners\": %s",
		use_tsc ? "rdtsc" : "clock_gettime", timer_cost_ns, rounds, spin ? "true" : "false");
	fprintf(j, ", \"placements\": {\"cross_cpu\": \"%s\", \"same_cpu\": \"%s\"}",
		placement_text[P_CROSS], placement_text[P_SAME]);
	fprintf(j, ", \"request\": \"N bytes\", \"reply\": \"8 bytes\", \"mb\": 1000000},\n");
	fprintf(j, "  \"results\": [");
	for (p = 0; p < P_COUNT; p++)
		for (si = 0; si < NSIZES; si++)
			for (tr = 0; tr < T_COUNT; tr++)
				for (m = 0; m < MODE_COUNT; m++) {
					const struct result *r = &res[p][tr][si][m];

					if (r->status == RES_NONE)
						continue;
					csv_row(c, "ipc", p, transports[tr]->name, transports[tr]->label,
						mode_names[m], sizes[si], r);
					fprintf(j, "%s\n    ", first ? "" : ",");
					json_result(j, p, transports[tr]->name, transports[tr]->label,
						    mode_names[m], sizes[si], r);
					first = false;
				}
	fprintf(j, "\n  ],\n  \"ratios\": [");
	first = true;
	for (p = 0; p < P_COUNT; p++)
		for (m = 0; m < MODE_COUNT; m++)
			for (si = 0; si < NSIZES; si++)
				for (tr = 0; tr < T_FIRST_BASELINE; tr++)
					for (bt = T_FIRST_BASELINE; bt < T_COUNT; bt++) {
						double a = thr_ratio(p, tr, bt, si, m);
						double b = rtt_ratio(p, tr, bt, si, m);

						if (res[p][tr][si][m].status == RES_NONE ||
						    res[p][bt][si][m].status == RES_NONE)
							continue;
						fprintf(rc, "%s,%s,%llu,%s,%s,", placement_names[p],
							mode_names[m], (unsigned long long)sizes[si],
							transports[tr]->name, transports[bt]->name);
						if (isnan(a))
							fprintf(rc, ",\n");
						else
							fprintf(rc, "%.4f,%.4f\n", a, b);
						fprintf(j, "%s\n    {\"placement\": \"%s\", \"mode\": \"%s\", \"size\": %llu, \"logos\": \"%s\", \"baseline\": \"%s\", \"throughput_ratio\": ",
							first ? "" : ",", placement_names[p], mode_names[m],
							(unsigned long long)sizes[si], transports[tr]->name,
							transports[bt]->name);
						json_num(j, a);
						fprintf(j, ", \"rtt_p50_ratio\": ");
						json_num(j, b);
						fprintf(j, "}");
						first = false;
					}
	fprintf(j, "\n  ],\n  \"targets\": [");
	first = true;
	for (k = 0; k < NTARGETS; k++)
		for (p = 0; p < P_COUNT; p++) {
			if (!placement_on[p])
				continue;
			fprintf(j, "%s\n    {\"name\": \"%s\", \"placement\": \"%s\", \"text\": ",
				first ? "" : ",", targets[k].name, placement_names[p]);
			json_str(j, targets[k].text);
			fprintf(j, ", \"value\": ");
			json_num(j, targets[k].value[p]);
			fprintf(j, ", \"limit\": %.2f, \"op\": \"%s\", \"status\": \"%s\"}",
				targets[k].limit, targets[k].at_most ? "<=" : ">=",
				targets[k].status[p]);
			first = false;
		}
	fprintf(j, "\n  ],\n  \"scale\": {\"points\": [");
	first = true;
	for (p = 0; p < P_COUNT; p++)
		for (k = 0; k < SC_COUNT; k++) {
			char name[64];

			if (scale_res[p][k].status == RES_NONE)
				continue;
			snprintf(name, sizeof(name), "channels=%u modules=%u", scale_channels[k],
				 scale_modules[k]);
			csv_row(c, "scale", p, "logos_call", name, "transfer", 64, &scale_res[p][k]);
			fprintf(j, "%s\n    {\"name\": \"%s\", \"channels\": %u, \"modules\": %u, \"result\": ",
				first ? "" : ",", scale_names[k], scale_channels[k], scale_modules[k]);
			json_result(j, p, "logos_call", "logos call", "transfer", 64, &scale_res[p][k]);
			fprintf(j, "}");
			first = false;
		}
	fprintf(j, "\n  ]");
	if (mem.done) {
		fprintf(j, ", \"memory\": {\"channels_created\": %u, \"bytes_per_channel_slabinfo\": %.1f, \"bytes_per_channel_meminfo_slab\": %.1f, \"bytes_per_channel_vmalloc\": %.1f, \"modules_created\": %u, \"bytes_per_module_slabinfo\": %.1f, \"bytes_per_module_meminfo_slab\": %.1f, \"bytes_per_module_vmalloc\": %.1f, \"top_caches\": ",
			mem.channels, mem.slab_per_channel, mem.meminfo_per_channel,
			mem.vmalloc_per_channel, mem.modules, mem.slab_per_module,
			mem.meminfo_per_module, mem.vmalloc_per_module);
		json_str(j, mem.top_caches);
		fprintf(j, "}");
	}
	fprintf(j, "},\n  \"errors\": %d\n}\n", errors);
	fclose(c);
	fclose(rc);
	fclose(j);
	printf("\n");
	emit("results.csv", csv, csv_len);
	emit("ratios.csv", rcsv, rcsv_len);
	emit("results.json", json, json_len);
	free(csv);
	free(rcsv);
	free(json);
}

/* ------------------------------------------------------------------ main */

static void usage(void)
{
	printf("usage: logos-bench [options]\n"
	       "  --baselines-only   only the Linux baselines (no /dev/logos needed)\n"
	       "  --logos-only       only the logos transports\n"
	       "  --no-scale         skip the 10k-channel / 1k-module scale test\n"
	       "  --placement P      cross (client CPU 0, server CPU 1), same (both on CPU 0)\n"
	       "                     or both (default): see README\n"
	       "  --spin             keep idle CPUs busy with SCHED_IDLE spinners (see README)\n"
	       "  --budget-ms N      time per measured case, all rounds (default 400)\n"
	       "  --max-iters N      at most N round trips per case (default 20000)\n"
	       "  --rounds N         runs per case, interleaved with the other transports (default 3)\n"
	       "  --sizes LIST       comma-separated sizes in bytes (default all five)\n"
	       "  --channels N       channels in the scale test (default 10000)\n"
	       "  --modules N        module contexts in the scale test (default 1000)\n"
	       "  --out DIR          also write results.csv, ratios.csv, results.json to DIR\n");
}

static void parse_sizes(char *list)
{
	char *tok, *save = NULL;
	int i;

	size_mask = 0;
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned long long v = strtoull(tok, NULL, 0);

		for (i = 0; i < NSIZES; i++)
			if (sizes[i] == v)
				size_mask |= 1U << i;
		if (!v) {
			usage();
			exit(2);
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "baselines-only", no_argument, NULL, 'b' },
		{ "logos-only", no_argument, NULL, 'l' },
		{ "no-scale", no_argument, NULL, 'n' },
		{ "placement", required_argument, NULL, 'P' },
		{ "spin", no_argument, NULL, 'S' },
		{ "budget-ms", required_argument, NULL, 't' },
		{ "max-iters", required_argument, NULL, 'i' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "sizes", required_argument, NULL, 's' },
		{ "channels", required_argument, NULL, 'c' },
		{ "modules", required_argument, NULL, 'm' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct sigaction sa = { .sa_handler = on_alarm }, sc = { .sa_handler = on_child };
	struct utsname u;
	int o, si, m, tr, k, p, done = 0, total = 0;
	uint64_t t_start = now_ns();

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'b': baselines_only = true; break;
		case 'l': logos_only = true; break;
		case 'n': no_scale = true; break;
		case 'P':
			placement_on[P_CROSS] = !strcmp(optarg, "cross") || !strcmp(optarg, "both");
			placement_on[P_SAME] = !strcmp(optarg, "same") || !strcmp(optarg, "both");
			if (!placement_on[P_CROSS] && !placement_on[P_SAME]) {
				usage();
				return 2;
			}
			break;
		case 'S': spin = 1; break;
		case 't': budget_ns = strtoull(optarg, NULL, 0) * 1000000ULL; break;
		case 'i': max_iters = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'r': rounds = atoi(optarg); break;
		case 's': parse_sizes(optarg); break;
		case 'c': opt_channels = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'm': opt_modules = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'o': out_dir = optarg; break;
		case 'h': usage(); return 0;
		default: usage(); return 2;
		}
	}
	if (opt_channels < 20 || !budget_ns || max_iters < min_iters || rounds < 1) {
		usage();
		return 2;
	}
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	page_size = sysconf(_SC_PAGESIZE);
	ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpus < 2) {
		placement_on[P_CROSS] = false;
		placement_on[P_SAME] = true;
	}
	/*
	 * No SA_RESTART: a case stuck for too long (SIGALRM) or whose server
	 * died (SIGCHLD) gets EINTR in its blocking call.
	 */
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGCHLD, &sc, NULL);
	signal(SIGPIPE, SIG_IGN);
	pin(0);
	cbuf = big_buffer();

	uname(&u);
	timer_init(clocksource());
	printf("logos-bench: kernel %s, %d CPUs, clocksource %s, budget %llu ms per case in %d rounds, placements:%s%s\n",
	       u.release, ncpus, clocksource(), (unsigned long long)(budget_ns / 1000000), rounds,
	       placement_on[P_CROSS] ? " cross-CPU" : "", placement_on[P_SAME] ? " same-CPU" : "");
	printf("logos-bench: timer %s, %.0f ns per reading (clock_gettime %.0f ns)\n",
	       use_tsc ? "rdtsc on CPU 0, calibrated against CLOCK_MONOTONIC" : "clock_gettime(CLOCK_MONOTONIC)",
	       timer_cost_ns, clock_gettime_cost_ns);
	if (ncpus < 2)
		printf("logos-bench: fewer than 2 CPUs: not pinned\n");
	if (spin) {
		printf("logos-bench: idle CPUs kept busy by SCHED_IDLE spinners (a halted TCG vCPU wakes in ms)\n");
		start_spinners();
	}
	if (!baselines_only) {
		logos_ok = !lg_open(logos_why, sizeof(logos_why));
		if (logos_ok)
			printf("logos-bench: logos.ko ABI %u.%u, features 0x%llx\n", lg.abi_major,
			       lg.abi_minor, (unsigned long long)lg.features);
		else {
			printf("logos-bench: ERROR: logos unavailable: %s\n", logos_why);
			errors++;
		}
	}
	if (spawn_server())
		return 1;

	for (si = 0; si < NSIZES; si++)
		for (tr = 0; tr < T_COUNT; tr++)
			if ((size_mask & (1U << si)) &&
			    !(baselines_only && transports[tr]->logos) &&
			    !(logos_only && !transports[tr]->logos))
				total += MODE_COUNT * (placement_on[0] + placement_on[1]);
	for (si = 0; si < NSIZES; si++) {
		if (!(size_mask & (1U << si)))
			continue;
		for (m = 0; m < MODE_COUNT; m++)
			for (p = 0; p < P_COUNT; p++) {
				int trs[T_COUNT], ntr = 0;
				struct result *outs[T_COUNT];

				if (!placement_on[p])
					continue;
				for (tr = 0; tr < T_COUNT; tr++) {
					if (baselines_only && transports[tr]->logos)
						continue;
					if (logos_only && !transports[tr]->logos)
						continue;
					outs[ntr] = &res[p][tr][si][m];
					trs[ntr++] = tr;
				}
				server_cpu = placement_cpu[p];
				measure_group(trs, ntr, si, m, outs);
				for (k = 0; k < ntr; k++) {
					printf("[%3d/%d] %-9s", ++done, total, placement_labels[p]);
					print_result_line(transports[trs[k]]->label, size_labels[si],
							  mode_names[m], outs[k]);
				}
			}
	}
	server_cpu = 1;
	if (!no_scale && !baselines_only)
		scale();
	stop_server(false);
	stop_spinners();

	print_tables();
	write_files();
	printf("\nlogos-bench: %d error(s), %.1f s\n", errors,
	       (double)(now_ns() - t_start) / 1e9);
	fflush(stdout);
	return errors ? 1 : 0;
}
