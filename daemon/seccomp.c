// SPDX-License-Identifier: GPL-2.0
#include "seccomp.h"
#include "util.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <linux/logos.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* clone() flags of new namespaces (CLONE_NEWTIME is clone3/unshare only) */
#define CLONE_NS_FLAGS (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | \
			CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)

/* What an ordinary process needs: files it can reach, memory, threads,
 * its own processes and signals, time, polling, local sockets. */
static const char *const allowed[] = {
	"read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev",
	"preadv2", "pwritev2", "lseek", "close", "close_range",
	"stat", "fstat", "lstat", "newfstatat", "statx", "statfs", "fstatfs", "access",
	"faccessat", "faccessat2", "readlink", "readlinkat", "getdents", "getdents64",
	"getcwd", "chdir", "fchdir", "rmdir", "unlink", "unlinkat",
	"rename", "renameat", "renameat2", "link", "linkat", "symlink", "symlinkat", "truncate", "ftruncate", "fallocate", "fsync", "fdatasync",
	"sync_file_range", "flock", "fcntl", "dup", "dup2", "dup3", "pipe", "pipe2", "umask",
	"utimensat", "utime", "utimes", "futimesat", "sendfile", "copy_file_range", "splice",
	"tee", "munmap", "mremap", "madvise", "brk", "msync", "mincore",
	"membarrier", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigsuspend",
	"rt_sigpending", "rt_sigtimedwait", "sigaltstack", "kill", "tgkill", "tkill",
	"getpid", "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid", "getresuid",
	"getresgid", "getgroups", "getpgrp", "getpgid", "getsid", "setsid", "setpgid",
	"uname", "sysinfo", "getrlimit", "getrusage", "times", "clock_gettime",
	"clock_getres", "clock_nanosleep", "nanosleep", "gettimeofday", "time", "futex",
	"set_robust_list", "get_robust_list", "set_tid_address", "rseq", "arch_prctl",
	"prctl", "sched_yield", "sched_getaffinity", "sched_setaffinity", "sched_getparam",
	"sched_getscheduler", "sched_get_priority_max", "sched_get_priority_min", "getcpu",
	"fork", "vfork", "exit", "exit_group",
	"wait4", "waitid", "poll", "ppoll", "select", "pselect6", "epoll_create",
	"epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd",
	"eventfd2", "timerfd_create", "timerfd_settime", "timerfd_gettime", "signalfd",
	"signalfd4", "inotify_init1", "inotify_add_watch", "inotify_rm_watch", "connect",
	"accept", "accept4", "bind", "listen", "getsockname", "getpeername", "sendto",
	"recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "shutdown", "setsockopt",
	"getsockopt", "getrandom", "restart_syscall", "alarm", "pause",
	"getitimer", "setitimer", "capget", "shmget", "shmdt", "shmctl", "semget",
	"semop", "semtimedop", "semctl", "msgget", "msgsnd", "msgrcv", "msgctl",
	/* what ordinary libraries call and would break without: timers,
	 * libsodium's sodium_mlock(), pidfds of its own children, read-only
	 * extended attributes, POSIX message queues (its own IPC namespace),
	 * and Landlock or seccomp to restrict itself further */
	"timer_create", "timer_settime", "timer_gettime", "timer_getoverrun", "timer_delete",
	"mlock", "mlock2", "munlock", "mlockall", "munlockall", "get_mempolicy", "pidfd_open",
	"pidfd_send_signal", "fadvise64", "readahead", "getxattr", "lgetxattr", "fgetxattr",
	"listxattr", "llistxattr", "flistxattr", "mq_open", "mq_unlink", "mq_timedsend",
	"mq_timedreceive", "mq_notify", "mq_getsetattr", "landlock_create_ruleset",
	"landlock_add_rule", "landlock_restrict_self", "seccomp", "sched_getattr",
	"sched_rr_get_interval", "getpriority", "ioprio_get", "sync", "syncfs",
	"pkey_alloc", "pkey_free",
};

static const char *const priority_calls[] = {
	"setpriority", "getpriority", "sched_setscheduler", "sched_setparam", "sched_setattr",
	"sched_getattr", "ioprio_set", "ioprio_get",
};

/*
 * System calls that take a file mode: allowed only without the setuid and
 * setgid bits (systemd's RestrictSUIDSGID=). A module that made a setuid
 * file in a host directory it may write would hand its uid to whoever runs
 * it. The number is the mode's argument; open and openat create only with
 * O_CREAT or O_TMPFILE, their mode is ignored (and garbage) otherwise.
 */
#define SUID_SGID (S_ISUID | S_ISGID)
#ifndef __O_TMPFILE
#define __O_TMPFILE 020000000
#endif
static const struct {
	const char *name;
	unsigned int mode_arg;
	int flags_arg;		/* -1: always creates */
} mode_calls[] = {
	{ "chmod", 1, -1 }, { "fchmod", 1, -1 }, { "fchmodat", 2, -1 }, { "creat", 1, -1 },
	{ "mkdir", 1, -1 }, { "mkdirat", 2, -1 }, { "open", 2, 1 }, { "openat", 3, 2 },
	{ "fchmodat2", 2, -1 },
};

/* ioctls a module may use besides logos.ko's (type 0xBC). */
static const unsigned long tty_ioctls[] = { TCGETS, TIOCGWINSZ, FIONREAD, FIONBIO, FIOCLEX, FIONCLEX };
/*
 * With [Sandbox] Terminal, those of its own pseudo-terminals (posix_openpt,
 * unlockpt, ptsname, termios, window size, a controlling terminal). Never
 * TIOCSTI (typing into a terminal), TIOCCONS or TIOCLINUX.
 */
static const unsigned long pty_ioctls[] = {
	TIOCGPTN, TIOCSPTLCK, TIOCGPTPEER, TCSETS, TCSETSW, TCSETSF, TIOCSWINSZ, TIOCSCTTY,
	TIOCNOTTY, TIOCGPGRP, TIOCSPGRP, TIOCGSID, TCFLSH, TCSBRK, TCXONC,
};

/* Calls allowed only with argument checks (or with WriteExecute). */
static const char *const checked_calls[] = {
	"clone", "clone3", "ioctl", "socket", "socketpair", "mmap", "mprotect", "pkey_mprotect",
	"shmat", "memfd_create", "fchmodat2", "execve", "execveat", "openat2",
};

bool filter_checks_arguments(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(checked_calls); i++)
		if (!strcmp(name, checked_calls[i]))
			return true;
	for (size_t i = 0; i < ARRAY_SIZE(mode_calls); i++)
		if (!strcmp(name, mode_calls[i].name))
			return true;
	return false;
}

static int allow(scmp_filter_ctx ctx, const char *name, char *why, size_t cap)
{
	int nr = seccomp_syscall_resolve_name(name);
	int ret;

	if (nr == __NR_SCMP_ERROR) {
		snprintf(why, cap, "unknown system call \"%s\"", name);
		return -EINVAL;
	}
	ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	if (ret && ret != -EEXIST)
		snprintf(why, cap, "cannot allow %s: %s", name, strerror(-ret));
	return ret == -EEXIST ? 0 : ret;
}

static bool names(char **list, const char *name)
{
	for (; list && *list; list++)
		if (!strcmp(*list, name))
			return true;
	return false;
}

/*
 * Numbers this libseccomp cannot name (gaps in the table) fail with
 * ENOSYS, as the kernel itself answers for a call it does not have:
 * callers then fall back to an older call, where EPERM would stop them.
 * Numbers above the table are handled by the prefix of filter_build().
 */
static int unknown_enosys(scmp_filter_ctx ctx, int *max_known, char *why, size_t cap)
{
	int ret = 0;

	*max_known = -1;
	for (int nr = 0; nr < 4096; nr++) {
		char *n = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);

		if (n)
			*max_known = nr;
		free(n);
	}
	for (int nr = 0; nr <= *max_known && !ret; nr++) {
		char *n = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);

		if (!n)
			ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
		free(n);
	}
	if (ret)
		snprintf(why, cap, "cannot add the rules of unknown system calls: %s", strerror(-ret));
	return ret;
}

static int add_rules(scmp_filter_ctx ctx, const struct filter_opts *o, char *why, size_t cap)
{
	int ret = 0;

	for (size_t i = 0; i < ARRAY_SIZE(allowed) && !ret; i++) {
		/* a name this libseccomp or arch does not know is skipped */
		if (seccomp_syscall_resolve_name(allowed[i]) == __NR_SCMP_ERROR)
			continue;
		ret = allow(ctx, allowed[i], why, cap);
	}
	/*
	 * Processes and threads, but no namespaces: clone() without any
	 * CLONE_NEW* flag (a new user namespace would open the kernel's
	 * namespaced-capability attack surface, unshare() is not allowed
	 * either). clone3() passes its flags in memory a filter cannot read:
	 * it fails with ENOSYS, on which glibc falls back to clone().
	 */
	if (!ret)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				       SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NS_FLAGS, 0));
	if (!ret)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	/*
	 * prlimit64 on itself only (pid 0, what glibc's getrlimit/setrlimit
	 * pass): on another pid of its uid it could give the module's init
	 * an RLIMIT_CPU and have the kernel kill it (the red-team's finding).
	 * Any other pid gets the filter's default, EPERM.
	 */
	if (!ret)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 1,
				       SCMP_A0(SCMP_CMP_EQ, 0));
	if (ret && !why[0])
		snprintf(why, cap, "cannot add the clone and prlimit64 rules: %s", strerror(-ret));
	if (o->priority)
		for (size_t i = 0; i < ARRAY_SIZE(priority_calls) && !ret; i++)
			ret = allow(ctx, priority_calls[i], why, cap);
	for (char **e = o->extra; e && *e && !ret; e++)
		ret = allow(ctx, *e, why, cap);
	if (ret)
		return ret;

	for (size_t i = 0; i < ARRAY_SIZE(mode_calls) && !ret; i++) {
		int nr = seccomp_syscall_resolve_name(mode_calls[i].name);
		struct scmp_arg_cmp no_suid = {
			.arg = mode_calls[i].mode_arg, .op = SCMP_CMP_MASKED_EQ,
			.datum_a = SUID_SGID, .datum_b = 0,
		};

		if (nr == __NR_SCMP_ERROR)
			continue;
		ret = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, 1, &no_suid);
		if (!ret && mode_calls[i].flags_arg >= 0) {
			struct scmp_arg_cmp no_create = {
				.arg = mode_calls[i].flags_arg, .op = SCMP_CMP_MASKED_EQ,
				.datum_a = O_CREAT | __O_TMPFILE, .datum_b = 0,
			};

			ret = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, 1, &no_create);
		}
	}
	/*
	 * Memory that is writable and executable at once, or made executable
	 * later, and memfd_create() (an anonymous file a module can fill and
	 * then map executable or execveat()) are how a process runs code that
	 * was never signed: only with [Sandbox] WriteExecute (systemd's
	 * MemoryDenyWriteExecute= otherwise). Files on disk cannot serve: every
	 * place a module may write is mounted noexec and Landlock gives no
	 * execute right there.
	 */
	if (!ret && o->write_execute) {
		ret = allow(ctx, "mmap", why, cap);
		if (!ret)
			ret = allow(ctx, "mprotect", why, cap);
		if (!ret)
			ret = allow(ctx, "pkey_mprotect", why, cap);
		if (!ret)
			ret = allow(ctx, "shmat", why, cap);
		if (!ret)
			ret = allow(ctx, "memfd_create", why, cap);
	} else if (!ret) {
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_WRITE | PROT_EXEC, 0));
		if (!ret)
			ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
					       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_WRITE | PROT_EXEC,
						       PROT_WRITE));
		if (!ret)
			ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
					       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_WRITE | PROT_EXEC,
						       PROT_EXEC));
		if (!ret)
			ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
					       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
		if (!ret)
			ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(pkey_mprotect), 1,
					       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
		if (!ret)
			ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(shmat), 1,
					       SCMP_A2(SCMP_CMP_MASKED_EQ, SHM_EXEC, 0));
	}
	/*
	 * One exec: the launcher's. execve and execveat go to the listener of
	 * the filter, which logosd holds while it starts the module: it lets
	 * the launcher's execveat of the verified binary continue and closes
	 * the listener, after which the kernel fails every exec with ENOSYS
	 * (sandbox.c). A module that could exec again could run any program
	 * of the root it sees, none of them verified. SystemCalls = execve
	 * (trust core only: filter_checks_arguments()) lifts this.
	 */
	if (!ret && !names(o->extra, "execve") && !names(o->extra, "execveat")) {
		ret = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(execve), 0);
		if (!ret)
			ret = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(execveat), 0);
	} else if (!ret) {
		/* either one lifts the rule: the launcher's own exec is an execveat */
		ret = allow(ctx, "execve", why, cap);
		if (!ret)
			ret = allow(ctx, "execveat", why, cap);
	}
	/*
	 * openat2() takes its mode in a structure a filter cannot read, so it
	 * could create a setuid file: ENOSYS makes its callers fall back to
	 * openat(), which is checked (systemd does the same).
	 */
	if (!ret && !names(o->extra, "openat2"))
		ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(openat2), 0);
	if (ret) {
		if (!why[0])
			snprintf(why, cap, "cannot add the file mode and memory rules: %s",
				 strerror(-ret));
		return ret;
	}

	/*
	 * ioctl: logos.ko's on the module's own fd 3 only (a type-0xBC ioctl
	 * on any other file would reach whatever driver chose that number),
	 * and a few harmless ones of terminals and files.
	 */
	ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2,
			       SCMP_A0(SCMP_CMP_EQ, MODULE_FD),
			       SCMP_A1(SCMP_CMP_MASKED_EQ, 0xff00, LOGOS_IOC_MAGIC << 8));
	for (size_t i = 0; i < ARRAY_SIZE(tty_ioctls) && !ret; i++)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				       SCMP_A1(SCMP_CMP_EQ, tty_ioctls[i]));
	for (size_t i = 0; o->terminal && i < ARRAY_SIZE(pty_ioctls) && !ret; i++)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				       SCMP_A1(SCMP_CMP_EQ, pty_ioctls[i]));
	/* sockets: local always; the network only when allowed */
	if (!ret)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				       SCMP_A0(SCMP_CMP_EQ, AF_UNIX));
	if (!ret)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socketpair), 1,
				       SCMP_A0(SCMP_CMP_EQ, AF_UNIX));
	if (!ret && o->network) {
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				       SCMP_A0(SCMP_CMP_EQ, AF_INET));
		if (!ret)
			ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
					       SCMP_A0(SCMP_CMP_EQ, AF_INET6));
		/* routing information only: never generic netlink (logos events) */
		if (!ret)
			ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 2,
					       SCMP_A0(SCMP_CMP_EQ, AF_NETLINK),
					       SCMP_A2(SCMP_CMP_EQ, 0));
	}
	if (!ret && o->raw_sockets)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				       SCMP_A0(SCMP_CMP_EQ, AF_PACKET));
	if (ret)
		snprintf(why, cap, "cannot add an argument rule: %s", strerror(-ret));
	return ret;
}

/*
 * The program libseccomp exported, behind a prefix that answers ENOSYS
 * for every number above the highest it knows: a system call newer than
 * this libseccomp (or this logosd) is "not there" for the module, not
 * "forbidden". Other ABIs and x32 numbers go on to libseccomp's checks,
 * which kill them.
 */
static int add_prefix(struct sock_fprog *prog, int max_known)
{
#if defined(__x86_64__)
	const struct sock_filter prefix[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000 /* __X32_SYSCALL_BIT */, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (uint32_t)max_known, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
	};
	size_t n = ARRAY_SIZE(prefix);
	struct sock_filter *f = malloc((prog->len + n) * sizeof(*f));

	if (max_known < 0)
		return 0;
	if (!f)
		return -ENOMEM;
	memcpy(f, prefix, sizeof(prefix));
	memcpy(f + n, prog->filter, prog->len * sizeof(*f));
	free(prog->filter);
	prog->filter = f;
	prog->len += n;
#else
	(void)prog;
	(void)max_known;
#endif
	return 0;
}

int filter_build(const struct filter_opts *o, struct sock_fprog *prog, char *why, size_t cap)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	char *data = NULL;
	size_t len;
	int fd = -1, max_known, ret;

	memset(prog, 0, sizeof(*prog));
	if (!ctx) {
		snprintf(why, cap, "seccomp_init failed");
		return -ENOMEM;
	}
	/* other ABIs (x32, i386) are killed, not filtered */
	seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	ret = add_rules(ctx, o, why, cap);
	if (!ret)
		ret = unknown_enosys(ctx, &max_known, why, cap);
	if (ret)
		goto out;
	fd = memfd_create("logosd-seccomp", MFD_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(why, cap, "memfd_create: %s", strerror(errno));
		goto out;
	}
	ret = seccomp_export_bpf(ctx, fd);
	if (ret) {
		snprintf(why, cap, "seccomp_export_bpf: %s", strerror(-ret));
		goto out;
	}
	lseek(fd, 0, SEEK_SET);
	ret = read_fd(fd, &data, &len, 1 << 20);
	if (ret || len == 0 || len % sizeof(struct sock_filter)) {
		snprintf(why, cap, "cannot read the exported filter");
		ret = ret ? ret : -EIO;
		free(data);
		goto out;
	}
	prog->filter = (struct sock_filter *)data;
	prog->len = len / sizeof(struct sock_filter);
	ret = add_prefix(prog, max_known);
	if (!ret && prog->len > BPF_MAXINSNS)
		ret = -E2BIG;
	if (ret) {
		snprintf(why, cap, "cannot finish the filter: %s", strerror(-ret));
		filter_free(prog);
	}
out:
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	return ret;
}

bool filter_notifies(const struct sock_fprog *prog)
{
	for (unsigned int i = 0; prog && i < prog->len; i++)
		if (prog->filter[i].code == (BPF_RET | BPF_K) &&
		    (prog->filter[i].k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF)
			return true;
	return false;
}

void filter_free(struct sock_fprog *prog)
{
	free(prog->filter);
	prog->filter = NULL;
	prog->len = 0;
}
