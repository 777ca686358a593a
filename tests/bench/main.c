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
#include "driver.h"

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

const char *const mode_names[MODE_COUNT] = { "touch", "transfer" };

const uint64_t sizes[NSIZES] = { 64, 4 * KiB, 64 * KiB, 1 * MiB, 16 * MiB };
const char *const size_labels[NSIZES] = { "64 B", "4 KiB", "64 KiB", "1 MiB", "16 MiB" };

const char *const placement_names[P_COUNT] = { "cross_cpu", "same_cpu" };
const char *const placement_labels[P_COUNT] = { "cross-CPU", "same CPU" };
const char *const placement_text[P_COUNT] = {
	"client on CPU 0, server on CPU 1", "client and server both on CPU 0",
};
const int placement_cpu[P_COUNT] = { 1, 0 };
bool placement_on[P_COUNT] = { true, true };

struct result res[P_COUNT][T_COUNT][NSIZES][MODE_COUNT];

struct result scale_res[P_COUNT][SC_COUNT];
const char *scale_names[SC_COUNT];
uint32_t scale_channels[SC_COUNT], scale_modules[SC_COUNT];

struct mem_report mem;

/* Options. */
uint64_t budget_ns = 400000000ULL;
uint32_t min_iters = 10, max_iters = 20000;
int rounds = 3;
bool baselines_only, logos_only, no_scale;
uint32_t opt_channels = 10000, opt_modules = 1000;
unsigned int size_mask = (1U << NSIZES) - 1;
const char *out_dir;
const char *host_load = "unknown";	/* the host's /proc/loadavg at start */
/* What the run's "ns" are: wall-clock, or guest time under QEMU -icount. */
const char *clock_label = "wall-clock";
int spin;			/* SCHED_IDLE spinners: off unless --spin */
static pid_t spinners[2] = { -1, -1 };

int server_cpu = 1;

bool logos_ok;
char logos_why[200];
int errors;
int ncpus;
long page_size;

uint8_t *cbuf;			/* the client's private buffer */
static pid_t server_pid = -1;
static int ctl = -1;
int *idle_fds;			/* module files of the scale modules */
uint32_t nidle_fds;

/* ---------------------------------------------------------------- helpers */

/*
 * The client's clock. Under QEMU TCG the guest has no usable TSC
 * clocksource (hpet: every clock_gettime is a system call and an MMIO
 * read), so the raw TSC of CPU 0 (the client is pinned there) is used,
 * calibrated against CLOCK_MONOTONIC.
 */
bool use_tsc;
double ns_per_tick;
double timer_cost_ns, clock_gettime_cost_ns;

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
volatile sig_atomic_t child_died;

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

int send_case(const struct bench_case *c, const int *fds, int nfds)
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
int recv_status(struct bench_status *st, int ms)
{
	struct pollfd pfd = { .fd = ctl, .events = POLLIN };
	ssize_t n;

	if (poll(&pfd, 1, ms) != 1)
		return -1;
	n = recv(ctl, st, sizeof(*st), 0);
	return n == sizeof(*st) ? 0 : -1;
}

/* ---------------------------------------------------------------- server */

/* @mfd, @ref_mfd: the module files of the main and reference servers. */
static void server_main(int fd, int mfd, int ref_mfd)
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
		s.mfd = c.pair == PAIR_REF ? ref_mfd : mfd;
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

int spawn_server(void)
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
	if (logos_ok && lg.want_ref) {
		ret = lg_new_module("bench-server-ref", true, &lg.ref_server_mod, &lg.ref_server_fd);
		if (ret) {
			fail(NULL, -ret, "creating module bench-server-ref");
			lg.want_ref = false;
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
		if (lg.ref_client_fd >= 0)
			close(lg.ref_client_fd);
		for (k = 0; k < nidle_fds; k++)
			close(idle_fds[k]);
		pin(1);
		server_main(sv[1], lg.server_fd, lg.ref_server_fd);
		_exit(0);
	}
	close(sv[1]);
	if (lg.server_fd >= 0)
		close(lg.server_fd);	/* the supervisor keeps only the handle */
	lg.server_fd = -1;
	if (lg.ref_server_fd >= 0)
		close(lg.ref_server_fd);
	lg.ref_server_fd = -1;
	ctl = sv[0];
	return 0;
}

void stop_server(bool kill_it)
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
	if (logos_ok && lg.ref_server_mod) {
		lg_close(lg.dev, lg.ref_server_mod);
		lg.ref_server_mod = 0;
	}
}
const char *clocksource(void)
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
	       "  --out DIR          also write results.csv, ratios.csv, results.json to DIR\n"
	       "  --host-load TEXT   the host's load average at start, for the record\n"
	       "  --clock-label TEXT what the times are, in every table heading (default wall-clock;\n"
	       "                     tests/bench/run --icount passes the QEMU -icount setting)\n");
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
		{ "host-load", required_argument, NULL, 'L' },
		{ "clock-label", required_argument, NULL, 'C' },
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
		case 'L': host_load = optarg; break;
		case 'C': clock_label = optarg; break;
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
	printf("logos-bench: host load average at start: %s\n", host_load);
	printf("logos-bench: times are %s\n", clock_label);
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
	/* The scale test's reference server lives from the start (see README). */
	lg.want_ref = !no_scale && !baselines_only;
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
				measure_group(trs, NULL, ntr, si, m, outs);
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
