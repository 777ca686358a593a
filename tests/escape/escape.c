// SPDX-License-Identifier: GPL-2.0
/*
 * escape: the attacker of tests/escape. A logos module (signed at trust
 * user by the suite) that tries, one after the other, every way out of
 * logosd's sandbox the suite knows of, and writes one line per attempt to
 * $LOGOS_STATE_DIR/result:
 *
 *   attempt NAME blocked ERRNO     the sandbox refused it
 *   attempt NAME ALLOWED DETAIL    it worked: a hole
 *   control NAME ok|FAILED ERRNO   something benign a module may do
 *
 * and "done" at the end. It does not need logosd to answer: it sends no
 * READY and exits when done (the manifest gives it a long StartTimeout).
 * The environment (from the manifest) says what to aim at:
 *
 *   ESCAPE_MODE=all|balloon|read|audit_flood  all attempts | eat memory
 *                                 until killed | only read READ_PATH | cause
 *                                 FLOOD_COUNT (20000) kernel rights denials,
 *                                 each an audit record were it not limited
 *   TARGET_PID      host pid of another module (signal, ptrace, /proc)
 *   AUDIT_KEY       logosd's audit signing key (a host path)
 *   OTHER_STATE     a file in another module's state directory
 *   CONTROL_SOCKET  logosd's control socket
 *   CGROUP_OTHER    another module's cgroup directory (host path)
 *   ABSTRACT_NAME   an abstract UNIX socket a host process listens on
 *   HOST_PORT       a TCP port on the host's 127.0.0.1
 *   READ_PATH       for ESCAPE_MODE=read
 *
 * Attempts that would replace or end this process (exec, a fork bomb)
 * run in children.
 */
#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/logos.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452	/* Linux 6.6; unknown to 6.1, which must say ENOSYS */
#endif

static const char *state_dir = "/tmp";

static void out(const char *fmt, ...)
{
	char path[4096], line[1024];
	va_list ap;
	int f, n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	snprintf(path, sizeof(path), "%s/result", state_dir);
	f = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (f >= 0) {
		if (write(f, line, n) < 0) {
			/* stdout below still has it */
		}
		close(f);
	}
	fwrite(line, 1, n, stdout);
	fflush(stdout);
}

static const char *ename(int e)
{
	static char buf[32];
	static const struct { int e; const char *s; } names[] = {
		{ EPERM, "EPERM" }, { EACCES, "EACCES" }, { ENOENT, "ENOENT" },
		{ ESRCH, "ESRCH" }, { EAGAIN, "EAGAIN" }, { ENOSYS, "ENOSYS" },
		{ EROFS, "EROFS" }, { EINVAL, "EINVAL" }, { ECONNREFUSED, "ECONNREFUSED" },
		{ ENETUNREACH, "ENETUNREACH" }, { EAFNOSUPPORT, "EAFNOSUPPORT" },
		{ ENOTTY, "ENOTTY" }, { EBADF, "EBADF" }, { ENOMEM, "ENOMEM" },
		{ ENODEV, "ENODEV" }, { ENOTDIR, "ENOTDIR" }, { EXDEV, "EXDEV" },
		{ ENODATA, "ENODATA" }, { EOPNOTSUPP, "EOPNOTSUPP" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].s;
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

/* One attempt: @ret < 0 is a refusal with errno @err; else it worked. */
static void attempt(const char *name, long ret, int err)
{
	if (ret < 0)
		out("attempt %s blocked %s", name, ename(err));
	else
		out("attempt %s ALLOWED %ld", name, ret);
}

/* A benign call a module may make: it must not be refused by the filter. */
static void control(const char *name, long ret, int err)
{
	if (ret < 0 && (err == EPERM || err == ENOSYS || err == EACCES))
		out("control %s FAILED %s", name, ename(err));
	else
		out("control %s ok %s", name, ret < 0 ? ename(err) : "0");
}

static const char *env(const char *k, const char *dflt)
{
	const char *v = getenv(k);

	return v && *v ? v : dflt;
}

static long open_close(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0600);

	if (fd >= 0)
		close(fd);
	return fd;
}

/* ---- files and other processes ------------------------------------------ */

static void files_and_processes(void)
{
	int target = atoi(env("TARGET_PID", "0"));
	char path[4096];
	long r;

	r = open_close("/etc/shadow", O_RDONLY);
	attempt("read_etc_shadow", r, errno);
	r = open_close(env("AUDIT_KEY", "/etc/logos/audit.key"), O_RDONLY);
	attempt("read_audit_key", r, errno);
	r = open_close(env("OTHER_STATE", "/var/lib/logos/victim"), O_RDONLY);
	attempt("read_other_module_state", r, errno);
	r = open_close("/dev/logos", O_RDWR);
	attempt("open_dev_logos", r, errno);
	r = open_close("/dev/mem", O_RDONLY);
	attempt("open_dev_mem", r, errno);
	r = open_close("/proc/sysrq-trigger", O_WRONLY);
	attempt("write_proc_sysrq_trigger", r, errno);
	r = open_close("/usr/logos-escape", O_WRONLY | O_CREAT);
	attempt("write_usr", r, errno);

	/* Another module, by its host pid: kill, ptrace, /proc. The pids of
	 * our own namespace are small (nothing forked yet), a host pid is not. */
	if (target <= 1) {
		out("attempt kill_other_module ALLOWED no TARGET_PID given");
	} else {
		r = kill(target, SIGKILL);
		attempt("kill_other_module", r, errno);
		r = syscall(SYS_pidfd_open, target, 0);
		attempt("pidfd_open_other_module", r, errno);
		r = ptrace(PTRACE_ATTACH, target, NULL, NULL);
		attempt("ptrace_other_module", r, errno);
		snprintf(path, sizeof(path), "/proc/%d/mem", target);
		r = open_close(path, O_RDONLY);
		attempt("proc_mem_other_module", r, errno);
		snprintf(path, sizeof(path), "/proc/%d/root/etc/shadow", target);
		r = open_close(path, O_RDONLY);
		attempt("proc_root_other_module", r, errno);
	}
	/* the host's pid 1 is invisible; ours is the module's init */
	r = open_close("/proc/1/root/etc/shadow", O_RDONLY);
	attempt("proc_1_root_shadow", r, errno);

	/*
	 * Our init (pid 1 of the namespace, our parent): it must not die, be
	 * traced or read. A SIGKILL from inside the namespace is dropped by
	 * the kernel (kill() says 0): had it worked, init's end would have
	 * killed this process too, and no line below would be written.
	 */
	{
		char buf[16] = { 0 };
		struct iovec local = { buf, sizeof(buf) }, remote = { buf, sizeof(buf) };
		int pfd;

		r = kill(1, SIGKILL);
		usleep(200000);
		out("attempt kill_init blocked %s", r < 0 ? ename(errno) : "dropped, init lives");
		pfd = syscall(SYS_pidfd_open, 1, 0);
		r = pfd < 0 ? pfd : syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0);
		usleep(200000);
		out("attempt kill_init_pidfd blocked %s", r < 0 ? ename(errno) : "dropped, init lives");
		if (pfd >= 0)
			close(pfd);
		r = ptrace(PTRACE_ATTACH, 1, NULL, NULL);
		attempt("ptrace_init", r, errno);
		if (r == 0)
			ptrace(PTRACE_DETACH, 1, NULL, NULL);
		r = process_vm_readv(1, &local, 1, &remote, 1, 0);
		attempt("process_vm_readv_init", r, errno);
		r = open_close("/proc/1/mem", O_RDONLY);
		attempt("proc_init_mem", r, errno);
		r = open_close("/proc/1/environ", O_RDONLY);
		attempt("proc_init_environ", r, errno);
		/* RLIMIT_CPU on init: the kernel would kill it (red team) */
		{
			struct rlimit cpu = { 1, 1 };

			r = syscall(SYS_prlimit64, 1, RLIMIT_CPU, &cpu, NULL);
			attempt("prlimit_init", r, errno);
		}
		out("init_alive=%s ppid=%d", kill(1, 0) == 0 && getppid() == 1 ? "yes" : "NO",
		    (int)getppid());
	}

	/* our own child: ptrace and process_vm_readv are refused whoever the target */
	{
		pid_t c = fork();
		char buf[16] = { 0 };
		struct iovec local = { buf, sizeof(buf) }, remote = { buf, sizeof(buf) };

		if (c == 0) {
			pause();
			_exit(0);
		}
		r = ptrace(PTRACE_ATTACH, c, NULL, NULL);
		attempt("ptrace_child", r, errno);
		if (r == 0)
			ptrace(PTRACE_DETACH, c, NULL, NULL);
		r = process_vm_readv(c, &local, 1, &remote, 1, 0);
		attempt("process_vm_readv_child", r, errno);
		kill(c, SIGKILL);
		waitpid(c, NULL, 0);
	}
	r = ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	attempt("ptrace_traceme", r, errno);
}

/* ---- namespaces, mounts, credentials ------------------------------------ */

static long reap(long pid)
{
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return pid;
}

static void namespaces_and_mounts(void)
{
	long r;
	int fd;

	r = mount("none", "/tmp", "tmpfs", 0, NULL);
	attempt("mount_tmpfs", r, errno);
	r = mount(state_dir, "/tmp", NULL, MS_BIND, NULL);
	attempt("mount_bind", r, errno);
	r = umount2("/proc", MNT_DETACH);
	attempt("umount_proc", r, errno);
	r = chroot("/tmp");
	attempt("chroot", r, errno);
	r = syscall(SYS_pivot_root, "/tmp", "/tmp");
	attempt("pivot_root", r, errno);
	r = unshare(CLONE_NEWNS);
	attempt("unshare_mount_ns", r, errno);
	r = unshare(CLONE_NEWUSER);
	attempt("unshare_user_ns", r, errno);
	fd = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
	r = setns(fd, 0);
	attempt("setns", fd < 0 ? -1 : r, errno);
	if (fd >= 0)
		close(fd);
	r = reap(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL));
	attempt("clone_new_user_ns", r, errno);
	{
		struct clone_args ca = { .flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUSER,
					 .exit_signal = SIGCHLD };

		r = reap(syscall(SYS_clone3, &ca, sizeof(ca)));
		attempt("clone3_namespaces", r, errno);
	}
	r = setuid(0);
	attempt("setuid_root", getuid() == 0 ? 0 : -1, errno);
	r = setresuid(65534, 65534, 65534);
	attempt("setresuid_other_uid", r, errno);
	r = setgroups(0, NULL);
	attempt("setgroups", r, errno);
}

/* ---- kernel interfaces ---------------------------------------------------- */

static void kernel_interfaces(void)
{
	union bpf_attr battr;
	struct io_uring_params up;
	struct perf_event_attr pe;
	long r;

	r = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, "escape");
	attempt("keyctl", r, errno);
	r = syscall(SYS_add_key, "user", "escape", "x", 1, KEY_SPEC_PROCESS_KEYRING);
	attempt("add_key", r, errno);
	memset(&battr, 0, sizeof(battr));
	battr.map_type = BPF_MAP_TYPE_ARRAY;
	battr.key_size = 4;
	battr.value_size = 4;
	battr.max_entries = 1;
	r = syscall(SYS_bpf, BPF_MAP_CREATE, &battr, sizeof(battr));
	attempt("bpf", r, errno);
	memset(&up, 0, sizeof(up));
	r = syscall(SYS_io_uring_setup, 4, &up);
	attempt("io_uring_setup", r, errno);
	r = syscall(SYS_userfaultfd, O_CLOEXEC);
	attempt("userfaultfd", r, errno);
	memset(&pe, 0, sizeof(pe));
	pe.type = PERF_TYPE_SOFTWARE;
	pe.size = sizeof(pe);
	pe.config = PERF_COUNT_SW_CPU_CLOCK;
	r = syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0);
	attempt("perf_event_open", r, errno);
	r = syscall(SYS_init_module, "", 0, "");
	attempt("init_module", r, errno);
	r = syscall(SYS_kexec_load, 0, 0, NULL, 0);
	attempt("kexec_load", r, errno);
	r = syscall(SYS_syslog, 3 /* SYSLOG_ACTION_READ_ALL */, NULL, 0);
	attempt("syslog_read", r, errno);
	{
		struct timespec ts = { 1, 0 };

		r = clock_settime(CLOCK_REALTIME, &ts);
		attempt("clock_settime", r, errno);
	}
	/* ioctls: logos.ko's only on the module's own fd 3, no TIOCSTI */
	{
		struct logos_version v;
		int d = fcntl(3, F_DUPFD_CLOEXEC, 20);

		r = ioctl(d, LOGOS_IOC_VERSION, &v);
		attempt("logos_ioctl_on_other_fd", d < 0 ? -1 : r, d < 0 ? EBADF : errno);
		if (d >= 0)
			close(d);
		r = ioctl(3, LOGOS_IOC_VERSION, &v);
		control("logos_ioctl_on_fd_3", r, errno);
	}
	{
		char c = 'x';

		r = ioctl(1, TIOCSTI, &c);
		attempt("ioctl_tiocsti", r, errno);
	}
}

/* ---- network ---------------------------------------------------------------- */

static void network(void)
{
	long r;
	int s;

	s = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	attempt("raw_socket", s, errno);
	if (s >= 0)
		close(s);
	s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	attempt("packet_socket", s, errno);
	if (s >= 0)
		close(s);
	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 16 /* NETLINK_GENERIC: logos events */);
	attempt("netlink_generic", s, errno);
	if (s >= 0)
		close(s);
	/* the host's loopback: no AF_INET without [Network], and a net namespace anyway */
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s >= 0) {
		struct sockaddr_in sa = { .sin_family = AF_INET,
					  .sin_port = htons(atoi(env("HOST_PORT", "4445"))),
					  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

		r = connect(s, (struct sockaddr *)&sa, sizeof(sa));
		attempt("host_loopback_tcp", r, errno);
		close(s);
	} else {
		attempt("host_loopback_tcp", s, errno);
	}
	/* abstract UNIX sockets belong to the network namespace */
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s >= 0) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		const char *name = env("ABSTRACT_NAME", "logos-escape-host");
		size_t n = strlen(name);

		if (n > sizeof(sa.sun_path) - 2)
			n = sizeof(sa.sun_path) - 2;
		memcpy(sa.sun_path + 1, name, n);
		r = connect(s, (struct sockaddr *)&sa, offsetof(struct sockaddr_un, sun_path) + 1 + n);
		attempt("host_abstract_unix_socket", r, errno);
		close(s);
	}
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s >= 0) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };

		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s",
			 env("CONTROL_SOCKET", "/run/logos/control"));
		r = connect(s, (struct sockaddr *)&sa, sizeof(sa));
		attempt("logosd_control_socket", r, errno);
		close(s);
	}
}

/* ---- code that was never signed -------------------------------------------- */

/*
 * Runs @fn in a child and reports whether it got to exec: the child writes
 * its errno to a pipe (O_CLOEXEC: a successful exec closes it unwritten).
 */
static void exec_attempt(const char *name, int (*fn)(void))
{
	int p[2], err = 0;
	pid_t c;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) < 0) {
		out("attempt %s ALLOWED cannot test: pipe", name);
		return;
	}
	c = fork();
	if (c == 0) {
		close(p[0]);
		err = fn() < 0 ? errno : 0;
		if (write(p[1], &err, sizeof(err)) < 0)
			_exit(2);
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], &err, sizeof(err));
	close(p[0]);
	if (c > 0)
		waitpid(c, NULL, 0);
	if (c < 0)
		attempt(name, -1, errno);
	else if (n == sizeof(err) && err)
		attempt(name, -1, err);
	else
		out("attempt %s ALLOWED the exec happened", name);
}

/* argv[0] of every exec attempt: a re-run of this program stops at once */
#define PROBE "escape-exec-probe"
static char *const true_argv[] = { PROBE, NULL };
static char *const no_env[] = { NULL };

static int exec_true(void)
{
	return execve("/bin/true", true_argv, no_env);
}

static int exec_self(void)
{
	return execve("/proc/self/exe", true_argv, no_env);
}

/* A copy of /bin/true where the module may write: @dir/name. */
static int copy_true(const char *dir, char *path, size_t cap)
{
	char buf[65536];
	int in, o;
	ssize_t n;

	snprintf(path, cap, "%s/escape-true", dir);
	unlink(path);
	in = open("/bin/true", O_RDONLY | O_CLOEXEC);
	o = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
	if (in < 0 || o < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(o, buf, n) != n)
			break;
	close(in);
	close(o);
	return 0;
}

static int exec_tmp(void)
{
	char path[256];

	if (copy_true("/tmp", path, sizeof(path)))
		return -1;
	return execve(path, true_argv, no_env);
}

static int exec_state_dir(void)
{
	char path[4096];

	if (copy_true(state_dir, path, sizeof(path)))
		return -1;
	return execve(path, true_argv, no_env);
}

/* The reviewer's attack: an anonymous file filled with code, then execveat. */
static int exec_memfd(void)
{
	char buf[65536];
	int mfd = syscall(SYS_memfd_create, "payload", 0), in;
	ssize_t n;

	if (mfd < 0)
		return -1;
	in = open("/bin/true", O_RDONLY | O_CLOEXEC);
	while (in >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(mfd, buf, n) != n)
			break;
	return syscall(SYS_execveat, mfd, "", true_argv, no_env, AT_EMPTY_PATH);
}

static void unsigned_code(void)
{
	long page = sysconf(_SC_PAGESIZE), r;
	void *p;

	exec_attempt("second_execve", exec_true);
	exec_attempt("reexec_self", exec_self);
	exec_attempt("exec_from_tmp", exec_tmp);
	exec_attempt("exec_from_state_dir", exec_state_dir);
	exec_attempt("memfd_create_execveat", exec_memfd);
	r = syscall(SYS_memfd_create, "escape", MFD_CLOEXEC);
	attempt("memfd_create", r, errno);
	if (r >= 0)
		close(r);

	p = mmap(NULL, page, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	attempt("mmap_write_exec", p == MAP_FAILED ? -1 : 0, errno);
	if (p != MAP_FAILED)
		munmap(p, page);
	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED) {
		r = mprotect(p, page, PROT_READ | PROT_EXEC);
		attempt("mprotect_add_exec", r, errno);
		r = syscall(SYS_pkey_mprotect, p, page, PROT_READ | PROT_EXEC, -1);
		attempt("pkey_mprotect_add_exec", r, errno);
		munmap(p, page);
	}
	{
		int id = shmget(IPC_PRIVATE, page, IPC_CREAT | 0600);
		void *s = id >= 0 ? shmat(id, NULL, SHM_EXEC) : (void *)-1;

		attempt("shmat_exec", id < 0 || s == (void *)-1 ? -1 : 0, errno);
		if (s != (void *)-1)
			shmdt(s);
		if (id >= 0)
			shmctl(id, IPC_RMID, NULL);
	}
	/* a file the module wrote, mapped executable: writable places are noexec */
	{
		char path[256];
		int fd = copy_true("/tmp", path, sizeof(path)) ? -1 : open(path, O_RDONLY | O_CLOEXEC);

		p = fd < 0 ? MAP_FAILED : mmap(NULL, page, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
		attempt("mmap_exec_written_file", p == MAP_FAILED ? -1 : 0, errno);
		if (p != MAP_FAILED)
			munmap(p, page);
		if (fd >= 0)
			close(fd);
	}
	/* READ_IMPLIES_EXEC would make every readable mapping executable */
	r = personality(READ_IMPLIES_EXEC);
	if (r >= 0)
		r = (personality(0xffffffff) & READ_IMPLIES_EXEC) ? 0 : -1;
	attempt("personality_read_implies_exec", r, errno);
	/* writing our own code through /proc/self/mem ignores page protections */
	r = open_close("/proc/self/mem", O_RDWR);
	attempt("write_proc_self_mem", r, errno);
}

/* ---- setuid files, device nodes ------------------------------------------------ */

static void file_modes(void)
{
	char path[4096];
	struct stat st;
	long r;
	int fd;

	snprintf(path, sizeof(path), "%s/suid", state_dir);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
	r = chmod(path, 04755);
	attempt("chmod_setuid", r, errno);
	r = chmod(path, 02755);
	attempt("chmod_setgid", r, errno);
	r = fd < 0 ? -1 : fchmod(fd, 04755);
	attempt("fchmod_setuid", r, errno);
	r = fchmodat(AT_FDCWD, path, 04755, 0);
	attempt("fchmodat_setuid", r, errno);
	r = syscall(__NR_fchmodat2, AT_FDCWD, path, 04755, 0);
	attempt("fchmodat2_setuid", r, errno);
	if (fd >= 0)
		close(fd);
	/* the mode given at creation */
	snprintf(path, sizeof(path), "%s/suid-new", state_dir);
	unlink(path);
	umask(0);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 04755);
	r = fd < 0 ? -1 : (fstat(fd, &st) == 0 && (st.st_mode & S_ISUID)) ? 0 : -1;
	attempt("open_creat_setuid", r, fd < 0 ? errno : EPERM);
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof(path), "%s/sgid-dir", state_dir);
	rmdir(path);
	r = mkdir(path, 02755);
	if (r == 0)
		r = (stat(path, &st) == 0 && (st.st_mode & S_ISGID)) ? 0 : -1;
	attempt("mkdir_setgid", r, errno);
	umask(022);
	/* and whatever is there: the sandbox's mounts are nosuid */
	r = mknod("/tmp/escape-null", S_IFCHR | 0666, makedev(1, 3));
	attempt("mknod_char_device", r, errno);
	snprintf(path, sizeof(path), "%s/escape-sda", state_dir);
	r = mknod(path, S_IFBLK | 0600, makedev(8, 0));
	attempt("mknod_block_device", r, errno);
}

/* ---- cgroups and resources ------------------------------------------------------ */

static void cgroups(void)
{
	char line[512], path[1024];
	const char *other = env("CGROUP_OTHER", "/sys/fs/cgroup/logos");
	FILE *f = fopen("/proc/self/cgroup", "re");
	long r;

	snprintf(path, sizeof(path), "/sys/fs/cgroup/memory.max");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3))
			snprintf(path, sizeof(path), "/sys/fs/cgroup%.*s/memory.max",
				 (int)strcspn(line + 3, "\n"), line + 3);
	if (f)
		fclose(f);
	r = open_close(path, O_WRONLY);
	attempt("write_own_cgroup_memory_max", r, errno);
	snprintf(path, sizeof(path), "%s/pids.max", other);
	r = open_close(path, O_WRONLY);
	attempt("write_other_cgroup_pids_max", r, errno);
	r = open_close("/sys/fs/cgroup/cgroup.procs", O_WRONLY);
	attempt("write_root_cgroup_procs", r, errno);
	{
		struct rlimit rl;

		getrlimit(RLIMIT_NOFILE, &rl);
		rl.rlim_max = rl.rlim_max == RLIM_INFINITY ? RLIM_INFINITY : rl.rlim_max + 1;
		rl.rlim_cur = rl.rlim_max;
		r = setrlimit(RLIMIT_NOFILE, &rl);
		attempt("raise_rlimit_nofile", r, errno);
	}
}

/* Forks until the kernel says no; contained if that is well before 5000. */
static void fork_bomb(void)
{
	struct rlimit np;
	int n = 0, err = 0;

	for (; n < 5000; n++) {
		pid_t p = fork();

		if (p == 0) {
			pause();
			_exit(0);
		}
		if (p < 0) {
			err = errno;
			break;
		}
	}
	getrlimit(RLIMIT_NPROC, &np);
	if (err)
		out("attempt fork_bomb blocked %s after %d processes (RLIMIT_NPROC %lld)", ename(err),
		    n, np.rlim_cur == RLIM_INFINITY ? -1LL : (long long)np.rlim_cur);
	else
		out("attempt fork_bomb ALLOWED %d processes", n);
	kill(-1, SIGKILL);	/* every other process of its namespace but its init (pid 1) */
	while (waitpid(-1, NULL, 0) > 0)
		;
}

/* ---- what a well-behaved module may still do --------------------------------- */

static void controls(void)
{
	char buf[4096] = { 0 }, path[4096];
	timer_t t;
	struct sigevent sev = { .sigev_notify = SIGEV_NONE };
	long r;
	int fd;

	r = mlock(buf, sizeof(buf));
	control("mlock", r, errno);
	if (!r)
		munlock(buf, sizeof(buf));
	r = timer_create(CLOCK_MONOTONIC, &sev, &t);
	control("timer_create", r, errno);
	if (!r)
		timer_delete(t);
	r = syscall(SYS_pidfd_open, getpid(), 0);
	control("pidfd_open_self", r, errno);
	if (r >= 0)
		close(r);
	snprintf(path, sizeof(path), "%s/plain", state_dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	control("create_file_in_state_dir", fd, errno);
	if (fd >= 0) {
		r = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		control("posix_fadvise", r ? -1 : 0, r);
		r = fchmod(fd, 0600);
		control("fchmod_plain_mode", r, errno);
		close(fd);
	}
	r = syscall(SYS_getxattr, "/usr", "user.none", buf, sizeof(buf));
	control("getxattr", r, errno);
	/* openat2 (5.6): refused as unknown (ENOSYS, so callers fall back to
	 * openat) or allowed, but never EPERM */
	{
		struct { uint64_t flags, mode, resolve; } how = { O_RDONLY, 0, 0 };

		r = syscall(SYS_openat2, AT_FDCWD, "/usr", &how, sizeof(how));
		if (r < 0 && errno == ENOSYS)
			out("control openat2_or_enosys ok ENOSYS");
		else
			control("openat2_or_enosys", r, errno);
		if (r >= 0)
			close(r);
	}
	/* a system call the filter cannot know must say ENOSYS (glibc falls back) */
	r = syscall(1023, 0, 0, 0);
	out("control unknown_syscall_is_enosys %s %s", r < 0 && errno == ENOSYS ? "ok" : "FAILED",
	    r < 0 ? ename(errno) : "returned");
}

/* ---- modes ----------------------------------------------------------------------- */

/*
 * Hide its actions from the audit trail by drowning them: every denial is
 * an event logosd audits, and rotation used to delete the oldest file.
 */
static void audit_flood(void)
{
	const char *b = env("LOGOS_BOOTSTRAP", "0");
	struct logos_handle_dup d = { .handle = strtoul(b, NULL, 0), .rights = LOGOS_RIGHTS_SAME };
	long n = atol(env("FLOOD_COUNT", "20000")), denied = 0;

	struct logos_channel_create cc = { 0 };
	long revoked = 0;

	for (long i = 0; i < n; i++)
		denied += ioctl(3, LOGOS_IOC_HANDLE_DUPLICATE, &d) < 0 && errno == EPERM;
	/* revoking its own handles is allowed, and each is a REVOKE event */
	if (ioctl(3, LOGOS_IOC_CHANNEL_CREATE, &cc) == 0) {
		for (long i = 0; i < n; i++) {
			struct logos_handle_revoke rv = { .handle = cc.handle0 };

			revoked += ioctl(3, LOGOS_IOC_HANDLE_REVOKE, &rv) == 0;
		}
	}
	out("audit_flood denials=%ld revokes=%ld of %ld", denied, revoked, n);
}

static void balloon(void)
{
	size_t mb = 0, step = 16;

	for (; mb < 8192; mb += step) {
		char *p = mmap(NULL, step << 20, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			out("attempt memory_balloon blocked %s at %zu MiB", ename(errno), mb);
			return;
		}
		memset(p, 1, step << 20);
		out("memory_mb=%zu", mb + step);
	}
	out("attempt memory_balloon ALLOWED %zu MiB", mb);
}

int main(int argc, char **argv)
{
	const char *mode = env("ESCAPE_MODE", "all");

	if (argc > 0 && !strcmp(argv[0], PROBE))
		return 0;	/* reexec_self got through: the parent reports it */
	setvbuf(stdout, NULL, _IOLBF, 0);
	state_dir = env("LOGOS_STATE_DIR", "/tmp");
	out("started pid=%d uid=%u", (int)getpid(), (unsigned int)getuid());
	if (!strcmp(mode, "balloon")) {
		balloon();
	} else if (!strcmp(mode, "audit_flood")) {
		audit_flood();
	} else if (!strcmp(mode, "read")) {
		long r = open_close(env("READ_PATH", "/etc/shadow"), O_RDONLY);

		attempt("read_path", r, errno);
	} else {
		files_and_processes();
		namespaces_and_mounts();
		kernel_interfaces();
		network();
		unsigned_code();
		file_modes();
		cgroups();
		controls();
		fork_bomb();
	}
	out("done");
	return 0;
}
