// SPDX-License-Identifier: GPL-2.0
/*
 * Starting a module: the child side runs between clone3() and execveat()
 * in a copy of a possibly multithreaded logosd (and, with a pid namespace,
 * stays for the module's life as its init): it must not take glibc locks
 * (no malloc, no stdio) and calls credential system calls directly
 * (glibc's setresuid() would try to synchronise threads that do not exist
 * here). The plan it follows is made in sandbox_plan.c.
 */
#include "sandbox.h"
#include "config.h"
#include "seccomp.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <linux/mount.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/*
 * Landlock after ABI 2 (Debian 12's headers stop there), with the values of
 * the kernel's include/uapi/linux/landlock.h: ABI 3 (6.2) truncate, ABI 4
 * (6.7) TCP bind and connect, ABI 5 (6.10) device ioctls, ABI 6 (6.12)
 * scoping of abstract UNIX sockets and signals to the domain.
 */
#define LL_FS_TRUNCATE		(1ULL << 14)
#define LL_FS_IOCTL_DEV		(1ULL << 15)
#define LL_NET_BIND_TCP		(1ULL << 0)
#define LL_NET_CONNECT_TCP	(1ULL << 1)
#define LL_SCOPE_ABSTRACT_UNIX	(1ULL << 0)
#define LL_SCOPE_SIGNAL		(1ULL << 1)

/* struct landlock_ruleset_attr of ABI 6; the kernel is given the part its ABI knows */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;	/* ABI 4 */
	uint64_t scoped;		/* ABI 6 */
};

/* ---- the child -------------------------------------------------------- */

static int errfd = -1;

static size_t slen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* "step\0detail\0" + errno, then exit: read by report_failure(). */
static void __attribute__((noreturn)) fail(const char *step, const char *detail, int err)
{
	char buf[PATH_MAX + 128];
	size_t a = slen(step), b = detail ? slen(detail) : 0;

	if (a > 100)
		a = 100;
	if (b > PATH_MAX)
		b = PATH_MAX;
	memcpy(buf, step, a);
	buf[a] = 0;
	if (b)
		memcpy(buf + a + 1, detail, b);
	buf[a + 1 + b] = 0;
	memcpy(buf + a + 2 + b, &err, sizeof(err));
	if (write(errfd, buf, a + 2 + b + sizeof(err)) < 0) {
		/* nothing more to do */
	}
	_exit(127);
}

#define TRY(expr, step, detail) do {				\
	if ((expr) < 0)						\
		fail(step, detail, errno);			\
} while (0)

/* mkdir -p of @path's parents (not @path itself). */
static void make_parents(const char *path)
{
	char buf[PATH_MAX];
	size_t n = slen(path);

	if (n >= sizeof(buf))
		fail("path", path, ENAMETOOLONG);
	memcpy(buf, path, n + 1);
	for (size_t i = 1; i < n; i++) {
		if (buf[i] != '/')
			continue;
		buf[i] = 0;
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			fail("mkdir", buf, errno);
		buf[i] = '/';
	}
}

static void join(char *out, size_t cap, const char *a, const char *b)
{
	size_t x = slen(a), y = slen(b);

	if (x + y + 1 > cap)
		fail("path", a, ENAMETOOLONG);
	memcpy(out, a, x);
	memcpy(out + x, b, y + 1);
}

/* Mount flags on @path, and with @recursive on every mount below it. */
static void set_attr(const char *path, uint64_t set, bool recursive)
{
	struct mount_attr attr = { .attr_set = set };

	if (syscall(SYS_mount_setattr, AT_FDCWD, path, recursive ? AT_RECURSIVE : 0, &attr,
		    sizeof(attr)) == 0)
		return;
	if (errno != ENOSYS)
		fail("mount_setattr", path, errno);
	/* before 5.12: the top mount only */
	TRY(mount(NULL, path, NULL, MS_REMOUNT | MS_BIND |
		  (set & MOUNT_ATTR_RDONLY ? MS_RDONLY : 0) |
		  (set & MOUNT_ATTR_NOSUID ? MS_NOSUID : 0) |
		  (set & MOUNT_ATTR_NODEV ? MS_NODEV : 0) |
		  (set & MOUNT_ATTR_NOEXEC ? MS_NOEXEC : 0), NULL), "remount", path);
}

static void setup_mounts(const struct spawn_plan *p)
{
	const char *root = p->root_dir;
	char path[PATH_MAX];

	TRY(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), "make / private", NULL);
	TRY(mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m"),
	    "mount the root tmpfs", root);
	join(path, sizeof(path), root, "/tmp");
	TRY(mkdir(path, 01777), "mkdir", path);
	TRY(mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, p->tmp_opts),
	    "mount /tmp", path);
	for (size_t i = 0; i < p->nr_binds; i++) {
		const struct bind *b = &p->binds[i];
		uint64_t attr = MOUNT_ATTR_NOSUID;

		make_parents(b->dst);
		if (b->symlink) {
			TRY(symlink(b->target, b->dst), "symlink", b->dst);
			continue;
		}
		if (b->file) {
			int fd = open(b->dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

			if (fd < 0 && errno != EEXIST && errno != EROFS)
				fail("create the mount point", b->dst, errno);
			if (fd >= 0)
				close(fd);
		} else if (mkdir(b->dst, 0755) < 0 && errno != EEXIST) {
			fail("mkdir", b->dst, errno);
		}
		TRY(mount(b->src, b->dst, NULL, MS_BIND | MS_REC, NULL), "bind", b->src);
		if (!b->rw)
			attr |= MOUNT_ATTR_RDONLY;
		if (strncmp(b->src, "/dev/", 5))
			attr |= MOUNT_ATTR_NODEV;
		if (b->rw && strncmp(b->src, "/dev/", 5))
			attr |= MOUNT_ATTR_NOEXEC;
		set_attr(b->dst, attr, true);
	}
	if (p->shm) {
		/* POSIX shared memory: private, its size that of /tmp, charged to the cgroup */
		join(path, sizeof(path), root, "/dev/shm");
		make_parents(path);
		TRY(mkdir(path, 01777), "mkdir", path);
		TRY(mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, p->tmp_opts),
		    "mount /dev/shm", path);
	}
	if (p->terminal) {
		/* pseudo-terminals of its own: a new devpts instance, /dev/ptmx its ptmx */
		join(path, sizeof(path), root, "/dev/pts");
		make_parents(path);
		TRY(mkdir(path, 0755), "mkdir", path);
		TRY(mount("devpts", path, "devpts", MS_NOSUID | MS_NOEXEC,
			  "newinstance,ptmxmode=0666,mode=0600"), "mount /dev/pts", path);
		join(path, sizeof(path), root, "/dev/ptmx");
		TRY(symlink("pts/ptmx", path), "symlink", path);
	}
	join(path, sizeof(path), root, "/proc");
	if (mkdir(path, 0555) < 0 && errno != EEXIST)
		fail("mkdir", path, errno);
	if (mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "hidepid=invisible,subset=pid") < 0)
		TRY(mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2"),
		    "mount /proc", path);
	TRY(chdir(root), "chdir", root);
	TRY(syscall(SYS_pivot_root, ".", "."), "pivot_root", root);
	TRY(umount2(".", MNT_DETACH), "detach the old root", NULL);
	TRY(chdir("/"), "chdir", "/");
	/* the root itself only: /tmp and the state directory stay writable */
	set_attr("/", MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, false);
}

static void loopback_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return;
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close(s);
}

static uint64_t landlock_rights(int abi)
{
	uint64_t r = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;	/* ABI 1 */

	if (abi >= 2)
		r |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		r |= LL_FS_TRUNCATE;
	if (abi >= 5)
		r |= LL_FS_IOCTL_DEV;
	return r;
}

static void landlock_rule(int ruleset, const char *path, uint64_t access)
{
	struct landlock_path_beneath_attr pb = { .allowed_access = access };

	pb.parent_fd = open(path, O_PATH | O_CLOEXEC);
	if (pb.parent_fd < 0 && (errno == ENOENT || errno == ENOTDIR))
		return;	/* a path that is not there needs no rule */
	if (pb.parent_fd < 0)
		fail("landlock: open", path, errno);	/* a rule left out denies, e.g. exec */
	TRY(syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0),
	    "landlock_add_rule", path);
	close(pb.parent_fd);
}

static void setup_landlock(const struct spawn_plan *p)
{
	int abi = p->landlock_abi;
	struct ll_ruleset_attr attr = { 0 };
	uint64_t all, ro, rw;
	size_t size = sizeof(attr.handled_access_fs);
	int fd;

	if (abi <= 0)
		return;
	all = landlock_rights(abi);
	ro = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
	rw = all & ~(LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
		     LANDLOCK_ACCESS_FS_EXECUTE | LL_FS_IOCTL_DEV);
	attr.handled_access_fs = all;
	if (abi >= 4) {
		/* networked: any TCP port; else none (the filter already refuses AF_INET) */
		if (!p->network)
			attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
		size = offsetof(struct ll_ruleset_attr, scoped);
	}
	if (abi >= 6) {
		/* no signal to, no abstract socket of, anything outside it (its init too) */
		attr.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
		size = sizeof(attr);
	}
	fd = syscall(SYS_landlock_create_ruleset, &attr, size, 0);
	if (fd < 0)
		fail("landlock_create_ruleset", NULL, errno);
	landlock_rule(fd, "/", ro);
	landlock_rule(fd, "/dev", LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE);
	landlock_rule(fd, "/tmp", rw);
	if (p->shm)
		landlock_rule(fd, "/dev/shm", rw);
	if (p->terminal && abi >= 5)
		landlock_rule(fd, "/dev/pts", LANDLOCK_ACCESS_FS_READ_FILE |
			      LANDLOCK_ACCESS_FS_WRITE_FILE | LL_FS_IOCTL_DEV);
	for (size_t i = 0; i < p->nr_landlock_rw; i++)
		landlock_rule(fd, p->landlock_rw[i], rw);
	TRY(syscall(SYS_landlock_restrict_self, fd, 0), "landlock_restrict_self", NULL);
	close(fd);
}

/* The module's uid and gid, no capability but @keep (bit per CAP_*, ambient). */
static void drop_privileges(const struct spawn_plan *p, uint64_t keep)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	for (int c = 0; c < 64; c++)
		if (!(keep & (1ULL << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 &&
		    errno != EINVAL)
			fail("drop the capability bounding set", NULL, errno);
	if (keep)
		TRY(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), "PR_SET_KEEPCAPS", NULL);
	TRY(syscall(SYS_setgroups, 0, NULL), "setgroups", NULL);
	TRY(syscall(SYS_setresgid, p->gid, p->gid, p->gid), "setresgid", NULL);
	TRY(syscall(SYS_setresuid, p->uid, p->uid, p->uid), "setresuid", NULL);
	memset(data, 0, sizeof(data));
	for (int c = 0; c < 64; c++) {
		if (!(keep & (1ULL << c)))
			continue;
		data[c / 32].effective |= 1U << (c % 32);
		data[c / 32].permitted |= 1U << (c % 32);
		data[c / 32].inheritable |= 1U << (c % 32);
	}
	TRY(syscall(SYS_capset, &hdr, data), "capset", NULL);
	for (int c = 0; c < 64; c++)
		if (keep & (1ULL << c))
			TRY(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0), "ambient capability",
			    NULL);
	if (!keep)
		prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
}

/* Hands the filter's listener to logosd (SCM_RIGHTS); no allocation here. */
static void send_listener(int sock, int fd)
{
	char data = 'L';
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	TRY(sendmsg(sock, &msg, MSG_NOSIGNAL), "hand the seccomp listener to logosd", NULL);
}

static void set_limits(const struct spawn_plan *p)
{
	if (p->nofile.rlim_cur || p->nofile.rlim_max)
		TRY(setrlimit(RLIMIT_NOFILE, &p->nofile), "setrlimit", "RLIMIT_NOFILE");
	if (p->nproc.rlim_cur || p->nproc.rlim_max)
		TRY(setrlimit(RLIMIT_NPROC, &p->nproc), "setrlimit", "RLIMIT_NPROC");
}

static unsigned long hex(const char **s)
{
	unsigned long v = 0;

	for (;; (*s)++) {
		char c = **s;

		if (c >= '0' && c <= '9')
			v = v * 16 + (c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (c - 'a' + 10);
		else
			return v;
	}
}

static void drop(unsigned long start, unsigned long end)
{
	if (start < end)
		syscall(SYS_madvise, start, end - start, MADV_DONTNEED);
}

/* Kept around the thread pointer: the TLS block below it, the TCB above. */
#define TLS_BELOW (256UL << 10)
#define TCB_ABOVE (64UL << 10)

/*
 * One line of /proc/self/maps: a private writable anonymous mapping (the
 * heap, malloc's mappings, other threads' stacks) is dropped
 * (MADV_DONTNEED), but for the one that holds this stack and, in the one
 * that holds this thread's TLS (anonymous mappings merge: the allocation
 * of the TLS may share one with malloc's), the pages around it.
 */
static void shed_line(const char *l, unsigned long sp, unsigned long tp)
{
	unsigned long start, end;
	const char *f = l;

	/* "start-end perms offset dev inode   name" */
	start = hex(&f);
	if (*f++ != '-')
		return;
	end = hex(&f);
	if (strncmp(f, " rw-p ", 6))
		return;
	f += 6;
	hex(&f);
	if (*f++ != ' ')
		return;
	while (*f && *f != ' ')
		f++;
	if (*f++ != ' ' || *f++ != '0' || (*f && *f != ' '))
		return;	/* a file's */
	while (*f == ' ')
		f++;
	if (*f && strcmp(f, "[heap]"))
		return;	/* [stack], [vvar], ... */
	if (sp >= start && sp < end)
		return;
	if (tp >= start && tp < end) {
		unsigned long lo = tp > start + TLS_BELOW ? (tp - TLS_BELOW) & ~4095UL : start;
		unsigned long hi = (tp + TCB_ABOVE + 4095) & ~4095UL;

		drop(start, lo);
		drop(hi < end ? hi : end, end);
		return;
	}
	drop(start, end);
}

/*
 * Init never execs: it holds a copy-on-write copy of logosd's memory. Every
 * page logosd wrote after the fork would stay allocated for each init (one
 * per module). It needs none of logosd's heap: its loop uses its stack and
 * TLS only, and makes its system calls through syscall(), bound long
 * before (a first call of any other libc function would go through the
 * dynamic linker's lazy binding, whose data may be gone). Best effort:
 * /proc/self/maps unreadable leaves the memory be.
 */
static void shed_memory(void)
{
	char buf[4096], line[512];
	unsigned long sp = (unsigned long)&buf, tp = (unsigned long)__builtin_thread_pointer();
	size_t n = 0;
	ssize_t r;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < r; i++) {
			if (buf[i] != '\n') {
				if (n < sizeof(line) - 1)
					line[n++] = buf[i];
				continue;
			}
			line[n] = 0;
			shed_line(line, sp, tp);
			n = 0;
		}
	}
	close(fd);
}

/* The signals init passes on to the module (its own SIGCHLD aside). */
static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2 };

/*
 * PID 1 of the module's pid namespace: the process logosd's clone3()
 * made, after the module's fork. It keeps nothing of the module's: one fd
 * (the status pipe to logosd, as fd 0), the module's uid without any
 * capability, no_new_privs, not dumpable (no ptrace, no /proc/1/mem, hidden
 * by /proc's hidepid). It waits for signals only: the forwarded ones go to
 * the module, SIGCHLD reaps every child (orphans of the module's children
 * come here). When the module ends, init tells logosd how (the
 * CLD_* code and status waitid() gave it: a pid-ns init cannot re-raise a
 * signal on itself, the kernel drops every signal with the default action
 * that the namespace sends its init), and exits; the kernel then kills what
 * is left in the namespace.
 */
static void __attribute__((noreturn)) run_init(const struct spawn_plan *p, pid_t module,
					       int status_fd, const sigset_t *wait_set)
{
	int32_t rec[2] = { CLD_EXITED, 127 };
	siginfo_t si;

	/* still reported on errfd, which logosd reads until the module's exec */
	drop_privileges(p, 0);
	TRY(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "init: not dumpable", NULL);
	TRY(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "init: no_new_privs", NULL);
	if (dup2(status_fd, 0) < 0)
		fail("init: dup2", NULL, errno);
	/* fds 1-3 are the module's, errfd and the sockets logosd's */
	TRY(syscall(SYS_close_range, 1, ~0U, 0), "init: close_range", NULL);
	/* from here on no global of logosd's is read: fail() and @p are done with */
	shed_memory();
	for (;;) {
		long sig = syscall(SYS_rt_sigtimedwait, wait_set, &si, NULL, _NSIG / 8);

		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			syscall(SYS_kill, module, sig);
			continue;
		}
		for (;;) {
			si.si_pid = 0;
			if (syscall(SYS_waitid, P_ALL, 0, &si, WEXITED | WNOHANG, NULL) < 0 ||
			    !si.si_pid)
				break;
			if (si.si_pid != module)
				continue;
			rec[0] = si.si_code;
			rec[1] = si.si_status;
			/* logosd sees init's own exit below if this fails */
			syscall(SYS_write, 0, rec, sizeof(rec));
			syscall(SYS_exit_group, rec[0] == CLD_EXITED ? rec[1] & 0xff :
				128 + (rec[1] & 0x7f));
		}
	}
}

/* @fd as @to (close-on-exec), the old number closed; fail()s on error. */
static int keep_fd(int fd, int to)
{
	if (fd == to)
		return fd;
	if (syscall(SYS_dup3, fd, to, O_CLOEXEC) < 0)
		fail("set up file descriptors", NULL, errno);
	close(fd);
	return to;
}

static void __attribute__((noreturn)) child(const struct spawn_plan *p, int err_fd, int sync_fd,
					    int listener_sock, int status_fd)
{
	struct rlimit no_core = { 0, 0 };
	sigset_t all, wait_set;
	int mfd, ofd, xfd, nfd, lsock = -1, sfd = -1;
	char c;

	errfd = fcntl(err_fd, F_DUPFD_CLOEXEC, 10);
	if (errfd < 0)
		_exit(126);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	if (sync_fd >= 0) {
		if (read(sync_fd, &c, 1) != 1)
			_exit(126);	/* logosd gave up */
	}
	if (sync_fd >= 0 && (p->namespaces & NS_USER)) {
		/*
		 * In a user namespace our own uid is unmapped until we take the
		 * module's: files could not be created. Its capabilities in the
		 * namespace stay (no change from uid 0 happens).
		 */
		TRY(syscall(SYS_setgroups, 0, NULL), "setgroups", NULL);
		TRY(syscall(SYS_setresgid, p->gid, p->gid, p->gid), "setresgid", NULL);
		TRY(syscall(SYS_setresuid, p->uid, p->uid, p->uid), "setresuid", NULL);
	}
	TRY(setsid(), "setsid", NULL);
	/* fds 0-3 of the module; everything else closes at exec */
	mfd = fcntl(p->module_fd, F_DUPFD_CLOEXEC, 10);
	ofd = fcntl(p->out_fd, F_DUPFD_CLOEXEC, 10);
	xfd = fcntl(p->exec_fd, F_DUPFD_CLOEXEC, 10);
	nfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (listener_sock >= 0)
		lsock = fcntl(listener_sock, F_DUPFD_CLOEXEC, 10);
	if (status_fd >= 0)
		sfd = fcntl(status_fd, F_DUPFD_CLOEXEC, 10);
	if (mfd < 0 || ofd < 0 || xfd < 0 || nfd < 0 || (listener_sock >= 0 && lsock < 0) ||
	    (status_fd >= 0 && sfd < 0))
		fail("set up file descriptors", NULL, errno);
	TRY(dup2(nfd, 0), "dup2", NULL);
	TRY(dup2(ofd, 1), "dup2", NULL);
	TRY(dup2(ofd, 2), "dup2", NULL);
	TRY(dup2(mfd, 3), "dup2", NULL);
	/*
	 * Everything of logosd's goes now, not at exec: with thousands of
	 * modules logosd holds more fds than a module's LimitNOFILE, and
	 * below that limit no fd could be opened after set_limits() (Landlock
	 * failed with EMFILE, or its rules' paths did not open and exec was
	 * denied: make bench-scale stopped at 330 modules). Ours move to 4-7.
	 */
	errfd = keep_fd(errfd, 4);
	xfd = keep_fd(xfd, 5);
	if (lsock >= 0)
		lsock = keep_fd(lsock, 6);
	if (sfd >= 0)
		sfd = keep_fd(sfd, 7);
	TRY(syscall(SYS_close_range, 8, ~0U, 0), "close_range", NULL);

	if (p->namespaces & NS_MOUNT)
		setup_mounts(p);
	if (p->namespaces & NS_UTS)
		TRY(sethostname(p->name, slen(p->name)), "sethostname", NULL);
	if (p->namespaces & NS_NET)
		loopback_up();
	TRY(setrlimit(RLIMIT_CORE, &no_core), "setrlimit", NULL);
	/* as root still: a limit above logosd's own needs CAP_SYS_RESOURCE */
	set_limits(p);
	if (sfd >= 0) {
		pid_t pid;

		/* blocked before the fork: none is lost, none has init's default action */
		sigemptyset(&wait_set);
		sigaddset(&wait_set, SIGCHLD);
		for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
			sigaddset(&wait_set, forwarded[i]);
		sigprocmask(SIG_BLOCK, &wait_set, NULL);
		/* a raw fork: no glibc atfork handlers or locks in this copy of logosd */
		pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
		if (pid < 0)
			fail("fork the module", NULL, errno);
		if (pid > 0)
			run_init(p, pid, sfd, &wait_set);
		/* the module: a session of its own (a terminal needs it), signals as they were */
		close(sfd);
		sigprocmask(SIG_SETMASK, &all, NULL);
		TRY(setsid(), "setsid", NULL);
	}
	drop_privileges(p, p->keep_caps);
	TRY(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs", NULL);
	if (p->landlock)
		setup_landlock(p);
	if (p->filter && lsock >= 0) {
		/* exec goes to the listener from here on: logosd passes ours only */
		int lfd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				  SECCOMP_FILTER_FLAG_NEW_LISTENER, p->filter);

		if (lfd < 0)
			fail("seccomp (with a listener)", NULL, errno);
		send_listener(lsock, lfd);
		close(lfd);
	} else if (p->filter) {
		TRY(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, p->filter), "seccomp", NULL);
	}
	syscall(SYS_execveat, xfd, "", p->argv, p->envp, AT_EMPTY_PATH);
	fail("execute the module", NULL, errno);
}

/* ---- the parent ------------------------------------------------------- */

static int write_map(pid_t pid, const char *file, const char *text)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	return write_string(path, text);
}

static int report_failure(int fd, char *why, size_t cap)
{
	char buf[PATH_MAX + 128];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int err;

	/* the child execs or fails within milliseconds; 20 s is for slow guests */
	if (poll(&pfd, 1, 20000) <= 0) {
		snprintf(why, cap, "the sandboxed child did not reach exec in 20 s");
		return -ETIMEDOUT;
	}
	n = read(fd, buf, sizeof(buf));
	if (n <= 0)
		return 0;	/* closed by a successful exec */
	if ((size_t)n < 2 + sizeof(int)) {
		snprintf(why, cap, "the sandboxed child failed");
		return -EIO;
	}
	memcpy(&err, buf + n - sizeof(int), sizeof(int));
	buf[n - sizeof(int) - 1] = 0;
	{
		const char *step = buf, *detail = buf + strlen(buf) + 1;

		snprintf(why, cap, "sandbox setup failed at \"%s%s%s\": %s", step,
			 *detail ? " " : "", detail, strerror(err));
	}
	return -err;
}

/* The listener, and the pid (in logosd's namespace) of the process that sent it. */
static int recv_listener(int sock, pid_t *sender)
{
	char data;
	union {
		char buf[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;
	struct ucred cred;
	int fd = -1;

	*sender = 0;
	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int))) {
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
		} else if (c->cmsg_type == SCM_CREDENTIALS &&
			   c->cmsg_len == CMSG_LEN(sizeof(cred))) {
			memcpy(&cred, CMSG_DATA(c), sizeof(cred));
			*sender = cred.pid;
		}
	}
	if (fd >= 0 && *sender <= 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/*
 * The one exec the module's filter lets through: the child hands over the
 * listener of its filter, then calls execveat() of the verified binary,
 * which waits for us. We let that one continue and close the listener;
 * from then on the kernel fails execve and execveat with ENOSYS (a filter
 * whose listener is gone). The first exec is always the launcher's: the
 * child is one thread and calls nothing else that execs. With a pid
 * namespace that child is init's, not the process clone3() made: its pid
 * comes with the listener (SCM_CREDENTIALS, translated into our namespace
 * by the kernel). A child that failed before says so on @errfd, which
 * report_failure() reads.
 */
static int pass_one_exec(pid_t pid, bool has_init, int sock, int errfd, char *why, size_t cap)
{
	struct pollfd pfd[2] = { { .fd = sock, .events = POLLIN }, { .fd = errfd, .events = POLLIN } };
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	pid_t module;
	int lfd, ret = 0;

	if (poll(pfd, 2, 20000) <= 0) {
		snprintf(why, cap, "the sandboxed child did not install its seccomp filter in 20 s");
		return -ETIMEDOUT;
	}
	if (!(pfd[0].revents & POLLIN))
		return 0;	/* it failed first: report_failure() says why */
	lfd = recv_listener(sock, &module);
	if (lfd < 0)
		return 0;
	pfd[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
	if (poll(pfd, 2, 20000) <= 0) {
		snprintf(why, cap, "the sandboxed child did not reach exec in 20 s");
		ret = -ETIMEDOUT;
	} else if (pfd[0].revents & POLLIN) {
		memset(&req, 0, sizeof(req));
		if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
			ret = -errno;
			snprintf(why, cap, "cannot read the exec of the sandboxed child: %s",
				 strerror(errno));
		} else {
			memset(&resp, 0, sizeof(resp));
			resp.id = req.id;
			/* with an init, the module is its child; else the process itself */
			if (req.pid == (uint32_t)module && req.data.nr == SYS_execveat &&
			    (module == pid) != has_init) {
				resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
			} else {
				resp.error = -EPERM;
				ret = -EPERM;
				snprintf(why, cap, "the sandboxed child made system call %d, not its exec",
					 req.data.nr);
			}
			if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && !ret) {
				ret = -errno;
				snprintf(why, cap, "cannot let the sandboxed child exec: %s",
					 strerror(errno));
			}
		}
	}
	close(lfd);
	return ret;
}

static void close_pair(int fds[2])
{
	for (int i = 0; i < 2; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

int sandbox_spawn(const struct spawn_plan *p, pid_t *pidp, int *pidfdp, int *statusfdp,
		  char *why, size_t cap)
{
	struct clone_args ca;
	int errp[2], syncp[2] = { -1, -1 }, lsock[2] = { -1, -1 }, statp[2] = { -1, -1 };
	int pidfd = -1, one = 1, ret;
	bool has_init = p->namespaces & NS_PID;
	pid_t pid;

	*statusfdp = -1;
	if (pipe2(errp, O_CLOEXEC) < 0)
		return -errno;
	if (((p->namespaces & NS_USER || p->net_hook) && pipe2(syncp, O_CLOEXEC) < 0) ||
	    (has_init && pipe2(statp, O_CLOEXEC) < 0) ||
	    (filter_notifies(p->filter) &&
	     (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, lsock) < 0 ||
	      setsockopt(lsock[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0))) {
		ret = -errno;
		close_pair(errp);
		close_pair(syncp);
		close_pair(statp);
		close_pair(lsock);
		return ret;
	}
	memset(&ca, 0, sizeof(ca));
	ca.flags = CLONE_PIDFD;
	ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
	ca.exit_signal = SIGCHLD;
	if (p->cgroup_fd >= 0) {
		ca.flags |= CLONE_INTO_CGROUP;
		ca.cgroup = p->cgroup_fd;
	}
	if (p->namespaces & NS_PID)
		ca.flags |= CLONE_NEWPID;
	if (p->namespaces & NS_MOUNT)
		ca.flags |= CLONE_NEWNS;
	if (p->namespaces & NS_IPC)
		ca.flags |= CLONE_NEWIPC;
	if (p->namespaces & NS_UTS)
		ca.flags |= CLONE_NEWUTS;
	if (p->namespaces & NS_NET)
		ca.flags |= CLONE_NEWNET;
	if (p->namespaces & NS_USER)
		ca.flags |= CLONE_NEWUSER;
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == 0)
		child(p, errp[1], syncp[0], lsock[1], statp[1]);
	ret = pid < 0 ? -errno : 0;
	close(errp[1]);
	if (syncp[0] >= 0)
		close(syncp[0]);
	if (lsock[1] >= 0)
		close(lsock[1]);
	if (statp[1] >= 0)
		close(statp[1]);
	statp[1] = -1;
	if (ret) {
		snprintf(why, cap, "clone3 failed: %s", strerror(-ret));
		goto out;
	}
	if (p->namespaces & NS_USER) {
		char map[64];

		/* logosd is privileged: setgroups stays allowed, the child drops them */
		snprintf(map, sizeof(map), "%u %u 1\n", (unsigned int)p->uid, (unsigned int)p->uid);
		ret = write_map(pid, "uid_map", map);
		snprintf(map, sizeof(map), "%u %u 1\n", (unsigned int)p->gid, (unsigned int)p->gid);
		if (!ret)
			ret = write_map(pid, "gid_map", map);
		if (ret)
			snprintf(why, cap, "cannot write the user namespace maps: %s", strerror(-ret));
	}
	/* the child waits in its new network namespace: its veth goes in now */
	if (!ret && p->net_hook)
		ret = p->net_hook(p->net_arg, pid, why, cap);
	if (!ret && syncp[1] >= 0 && write(syncp[1], "x", 1) != 1)
		ret = -EIO;
	if (!ret && lsock[0] >= 0)
		ret = pass_one_exec(pid, has_init, lsock[0], errp[0], why, cap);
	if (!ret)
		ret = report_failure(errp[0], why, cap);
	if (ret) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(pidfd);
		goto out;
	}
	if (statp[0] >= 0)
		fcntl(statp[0], F_SETFL, O_NONBLOCK);
	*pidp = pid;
	*pidfdp = pidfd;
	*statusfdp = statp[0];
	statp[0] = -1;
out:
	close(errp[0]);
	close_pair(statp);
	if (syncp[1] >= 0)
		close(syncp[1]);
	if (lsock[0] >= 0)
		close(lsock[0]);
	return ret;
}

bool sandbox_exit_status(int status_fd, int *code, int *status)
{
	int32_t rec[2];

	if (status_fd < 0 || read(status_fd, rec, sizeof(rec)) != (ssize_t)sizeof(rec))
		return false;
	/* init's word, checked: a code waitid() gives for an exit, a status that fits it */
	if (rec[0] == CLD_EXITED ? rec[1] < 0 || rec[1] > 255 :
	    (rec[0] != CLD_KILLED && rec[0] != CLD_DUMPED) || rec[1] <= 0 || rec[1] >= NSIG)
		return false;
	*code = rec[0];
	*status = rec[1];
	return true;
}
