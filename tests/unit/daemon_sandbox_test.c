// SPDX-License-Identifier: GPL-2.0
/*
 * logosd's launcher (daemon/sandbox.c) on the host, for real: this test
 * starts itself through sandbox_spawn() with logosd's default filter and
 * no namespaces, as a "module" that probes what it may do. The launcher's
 * exec must get through the filter's listener; any exec after it must
 * not (ENOSYS); unknown system calls and openat2 say ENOSYS; logos.ko's
 * ioctl type passes the filter on fd 3 only; the benign calls work; the
 * plan's RLIMIT_NOFILE and RLIMIT_NPROC are in force. And the bind plan
 * for ReadOnlyPaths = /etc no longer recreates what /etc already holds.
 *
 * Needs root (it changes uid and drops capabilities like logosd); as
 * another user it reports a skip, never a pass.
 */
#include "daemon_test.h"
#include "config.h"
#include "sandbox.h"
#include "seccomp.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/logos.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROBE_ARGV0 "sandbox-probe"
#define NOFILE 123
#define NPROC 77

static int err_of(long r)
{
	return r < 0 ? errno : 0;
}

/* The "module": one line per probe, "name errno", on stdout. */
static int probe(void)
{
	char *argv[] = { "true", NULL }, *envp[] = { NULL };
	struct logos_version v;
	struct rlimit rl;
	struct sigevent sev = { .sigev_notify = SIGEV_NONE };
	timer_t t;
	char buf[64] = { 0 };
	struct { uint64_t flags, mode, resolve; } how = { O_RDONLY, 0, 0 };
	const char *mode = getenv("PROBE_MODE");
	int d;

	if (mode) {
		/* under an init: where it is, then how it ends */
		printf("pid %d\nppid %d\n", (int)getpid(), (int)getppid());
		fflush(stdout);
		if (!strcmp(mode, "segv"))
			raise(SIGSEGV);
		if (!strcmp(mode, "wait"))
			pause();
		return atoi(mode);
	}
	printf("execve %d\n", err_of(execve("/bin/true", argv, envp)));
	printf("unknown %d\n", err_of(syscall(1023, 0, 0, 0)));
	printf("openat2 %d\n", err_of(syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how))));
	/* fd 3 is /dev/null: through the filter, the driver says ENOTTY */
	printf("ioctl3 %d\n", err_of(ioctl(3, LOGOS_IOC_VERSION, &v)));
	d = dup(3);
	printf("ioctl_dup %d\n", err_of(ioctl(d, LOGOS_IOC_VERSION, &v)));
	printf("mlock %d\n", err_of(mlock(buf, sizeof(buf))));
	printf("timer_create %d\n", err_of(timer_create(CLOCK_MONOTONIC, &sev, &t)));
	printf("pidfd_open %d\n", err_of(syscall(SYS_pidfd_open, getpid(), 0)));
	getrlimit(RLIMIT_NOFILE, &rl);
	printf("nofile %llu\n", (unsigned long long)rl.rlim_cur);
	getrlimit(RLIMIT_NPROC, &rl);
	printf("nproc %llu\n", (unsigned long long)rl.rlim_cur);
	printf("uid %u\n", (unsigned int)getuid());
	return 0;
}

static const char *line_of(const char *out, const char *name, char *buf, size_t cap)
{
	size_t n = strlen(name);

	for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncmp(p, name, n) && p[n] == ' ') {
			snprintf(buf, cap, "%.*s", (int)strcspn(p + n + 1, "\n"), p + n + 1);
			return buf;
		}
	}
	snprintf(buf, cap, "missing");
	return buf;
}

static long value(const char *out, const char *name)
{
	char buf[64];

	line_of(out, name, buf, sizeof(buf));
	return strcmp(buf, "missing") ? atol(buf) : -99999;
}

/* A copy of this program in a memfd, as logosd runs a sealed memfd copy. */
static int module_copy(void)
{
	int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int exe = memfd_create("probe", MFD_CLOEXEC);
	struct stat st;
	off_t off = 0;

	if (self >= 0 && exe >= 0 && !fstat(self, &st))
		while (off < st.st_size && sendfile(exe, self, &off, st.st_size - off) > 0)
			;
	if (self >= 0)
		close(self);
	return exe;
}

/*
 * Starts the probe with @namespaces and PROBE_MODE=@mode (NULL: the filter
 * probes), waits for it (with @term: after a SIGTERM to the process
 * clone3() made, once the probe has said where it is), and returns its
 * output, the wait status of that process and the status pipe (-1: none).
 */
/* "Anonymous:" of /proc/@pid/smaps_rollup, in kB; -1 if unreadable */
static long anon_kb(pid_t pid)
{
	char path[64], *text = NULL, *a;
	size_t len = 0;
	long kb = -1;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && !read_fd(fd, &text, &len, 1 << 16) && (a = strstr(text, "\nAnonymous:")))
		kb = atol(a + strlen("\nAnonymous:"));
	if (fd >= 0)
		close(fd);
	free(text);
	return kb;
}

static int run_probe(struct sock_fprog *prog, int exe, unsigned int namespaces, const char *mode,
		     bool term, long *init_anon, char **out, int *status, int *statusfd, char *why,
		     size_t cap)
{
	char *argv[] = { PROBE_ARGV0, NULL }, env[64], *envp[] = { env, NULL };
	struct spawn_plan plan;
	int outp[2], pidfd = -1, ret;
	size_t len = 0;
	pid_t pid = -1;

	*out = NULL;
	*status = -1;
	snprintf(env, sizeof(env), "PROBE_MODE=%s", mode ? mode : "");
	if (!mode)
		envp[0] = NULL;
	if (pipe2(outp, O_CLOEXEC) < 0)
		return -errno;
	memset(&plan, 0, sizeof(plan));
	plan.name = "probe";
	plan.exec_fd = exe;
	plan.module_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	plan.out_fd = outp[1];
	plan.cgroup_fd = -1;
	plan.namespaces = namespaces;
	plan.uid = plan.gid = 65534;
	plan.argv = argv;
	plan.envp = envp;
	plan.root_dir = "/nonexistent";
	plan.filter = prog;
	plan.nofile = (struct rlimit){ NOFILE, NOFILE };
	plan.nproc = (struct rlimit){ NPROC, NPROC };
	ret = sandbox_spawn(&plan, &pid, &pidfd, statusfd, why, cap);
	close(outp[1]);
	if (!ret) {
		if (term) {
			char c;

			/* its first line says it runs: the SIGTERM finds it past its exec */
			if (read(outp[0], &c, 1) == 1) {
				usleep(100000);
				if (init_anon)
					*init_anon = anon_kb(pid);
				kill(pid, SIGTERM);
			}
		}
		waitpid(pid, status, 0);
		close(pidfd);
		read_fd(outp[0], out, &len, 1 << 16);
	}
	close(outp[0]);
	close(plan.module_fd);
	return ret;
}

/* Under an init (a pid namespace): pid 2, child of 1; its end reported as it was. */
static void init_tests(struct sock_fprog *prog, int exe)
{
	static const struct {
		const char *mode;
		bool term;
		int code, st, init_exit;
		const char *what;
	} cases[] = {
		{ "0", false, CLD_EXITED, 0, 0, "exit 0" },
		{ "7", false, CLD_EXITED, 7, 7, "exit 7" },
		{ "segv", false, CLD_KILLED, SIGSEGV, 128 + SIGSEGV, "killed by SIGSEGV" },
		{ "wait", true, CLD_KILLED, SIGTERM, 128 + SIGTERM,
		  "killed by the SIGTERM sent to its init, which passed it on" },
	};
	char why[512];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *out = NULL;
		int status, statusfd = -1, code = -1, st = -1, ret;

		why[0] = 0;
		long init_anon = -1;
		char *ballast = NULL;

		/* logosd's heap, written before the fork: init must not keep it */
		if (cases[i].term) {
			ballast = malloc(32 << 20);
			if (ballast)
				memset(ballast, 1, 32 << 20);
		}
		ret = run_probe(prog, exe, NS_PID, cases[i].mode, cases[i].term, &init_anon, &out,
				&status, &statusfd, why, sizeof(why));
		if (ballast) {
			CHECK(init_anon >= 0 && init_anon < 4096,
			      "init keeps none of the 32 MiB its parent had written (%ld kB anonymous)",
			      init_anon);
			free(ballast);
		}
		CHECK(ret == 0 && statusfd >= 0, "%s: starts under an init (%s)", cases[i].what,
		      ret ? why : "started");
		if (ret) {
			free(out);
			continue;
		}
		if (i == 0)
			CHECK(value(out, "pid") == 2 && value(out, "ppid") == 1,
			      "the module is pid 2 of its namespace, its init's child (pid %ld, ppid %ld)",
			      value(out, "pid"), value(out, "ppid"));
		/* a core dump (to a core_pattern pipe) says CLD_DUMPED: a death by the same signal */
		CHECK(sandbox_exit_status(statusfd, &code, &st) &&
		      (code == cases[i].code || (cases[i].code == CLD_KILLED && code == CLD_DUMPED)) &&
		      st == cases[i].st, "%s: init reports CLD code %d status %d (%d %d)",
		      cases[i].what, cases[i].code, cases[i].st, code, st);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == cases[i].init_exit,
		      "%s: init itself exits with %d", cases[i].what, cases[i].init_exit);
		close(statusfd);
		free(out);
	}
}

static void spawn_tests(void)
{
	struct filter_opts fo = { 0 };
	struct sock_fprog prog;
	char why[512] = "", *out = NULL;
	int exe, status = -1, statusfd = -1, ret;

	CHECK(filter_build(&fo, &prog, why, sizeof(why)) == 0, "logosd's default filter builds (%s)",
	      why);
	CHECK(filter_notifies(&prog), "it sends execve/execveat to a listener");
	{
		char *execve_only[] = { "execve", NULL };
		struct filter_opts lifted = { .extra = execve_only };
		struct sock_fprog p2;

		/* trust core's SystemCalls = execve: exec allowed, and the launcher's execveat too */
		CHECK(filter_build(&lifted, &p2, why, sizeof(why)) == 0 && !filter_notifies(&p2),
		      "SystemCalls = execve builds a filter without the one-exec listener");
		filter_free(&p2);
	}
	exe = module_copy();
	ret = run_probe(&prog, exe, 0, NULL, false, NULL, &out, &status, &statusfd, why,
			sizeof(why));
	CHECK(ret == 0, "the launcher's own exec gets through the listener (%s)",
	      ret ? why : "started");
	CHECK(statusfd == -1, "without a pid namespace there is no init (no status pipe)");
	if (!out)
		out = strdup("");
	for (char *l = out, *nl; *l; l = nl + 1) {
		nl = strchr(l, '\n');
		if (!nl)
			break;
		printf("# probe: %.*s\n", (int)(nl - l), l);
	}
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the probe ran to its end");
	CHECK(value(out, "execve") == ENOSYS, "a second exec fails with ENOSYS (%ld)", value(out, "execve"));
	CHECK(value(out, "unknown") == ENOSYS, "an unknown system call (1023) fails with ENOSYS (%ld)",
	      value(out, "unknown"));
	CHECK(value(out, "openat2") == ENOSYS, "openat2 fails with ENOSYS, callers fall back (%ld)",
	      value(out, "openat2"));
	CHECK(value(out, "ioctl3") == ENOTTY, "a logos ioctl on fd 3 passes the filter (ENOTTY from /dev/null: %ld)",
	      value(out, "ioctl3"));
	CHECK(value(out, "ioctl_dup") == EPERM, "a logos ioctl on another fd is refused by the filter (%ld)",
	      value(out, "ioctl_dup"));
	CHECK(value(out, "mlock") == 0 && value(out, "timer_create") == 0 &&
	      value(out, "pidfd_open") == 0, "mlock, timer_create and pidfd_open work");
	CHECK(value(out, "nofile") == NOFILE && value(out, "nproc") == NPROC,
	      "RLIMIT_NOFILE %d and RLIMIT_NPROC %d of the plan are in force (%ld, %ld)", NOFILE,
	      NPROC, value(out, "nofile"), value(out, "nproc"));
	CHECK(value(out, "uid") == 65534, "it runs as the plan's uid");
	free(out);
	init_tests(&prog, exe);
	close(exe);
	filter_free(&prog);
}

static bool has_bind(const struct spawn_plan *p, const char *src)
{
	for (size_t i = 0; i < p->nr_binds; i++)
		if (!strcmp(p->binds[i].src, src))
			return true;
	return false;
}

static void bind_tests(void)
{
	char *ro_etc[] = { "/etc", NULL }, *none[] = { NULL };
	char dir[] = "/tmp/logosd-binds-XXXXXX", sub[64], *ro[2] = { sub, NULL }, *rw[2] = { dir, NULL };
	struct spawn_plan p;
	char why[256] = "";

	memset(&p, 0, sizeof(p));
	p.root_dir = "/run/logos-test-root";
	CHECK(sandbox_plan_binds(&p, ro_etc, none, NULL, false, why, sizeof(why)) == 0,
	      "ReadOnlyPaths = /etc plans (%s)", why);
	CHECK(has_bind(&p, "/etc") && !has_bind(&p, "/etc/localtime") &&
	      !has_bind(&p, "/etc/ld.so.cache") && has_bind(&p, "/usr"),
	      "/etc is bound once: /etc/localtime and /etc/ld.so.cache are not recreated inside it");
	sandbox_plan_free(&p);
	if (!mkdtemp(dir))
		return;
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	mkdir(sub, 0755);
	memset(&p, 0, sizeof(p));
	p.root_dir = "/run/logos-test-root";
	CHECK(sandbox_plan_binds(&p, ro, rw, NULL, false, why, sizeof(why)) == 0 &&
	      has_bind(&p, dir) && has_bind(&p, sub),
	      "a read-only directory below a read-write one keeps its own bind");
	sandbox_plan_free(&p);
	rmdir(sub);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	if (argc > 0 && !strcmp(argv[0], PROBE_ARGV0))
		return probe();
	bind_tests();
	if (geteuid() != 0) {
		printf("1..%d\n# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:1 error:0\n", t_run,
		       t_run - t_failed, t_failed);
		printf("# SKIP sandbox_spawn needs root\n");
		return t_failed ? 1 : 0;
	}
	spawn_tests();
	return test_done();
}
