// SPDX-License-Identifier: GPL-2.0
/*
 * The child side runs between clone3() and execveat() in a copy of a
 * possibly multithreaded logosd: it must not take glibc locks (no malloc,
 * no stdio) and calls credential system calls directly (glibc's
 * setresuid() would try to synchronise threads that do not exist here).
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

/* ---- the plan (parent) ------------------------------------------------ */

static const char *const system_paths[] = {
	"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
	"/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
};
static const char *const network_paths[] = {
	"/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/host.conf",
	"/etc/gai.conf", "/etc/services", "/etc/protocols",
};
static const char *const device_paths[] = {
	"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom",
};

static int add_bind_at(struct spawn_plan *p, const char *path, const char *inside, bool rw,
		       bool follow, bool required, char *why, size_t cap)
{
	char dst[PATH_MAX], target[PATH_MAX];
	struct bind *b;
	struct stat st;
	ssize_t n;

	for (size_t i = 0; i < p->nr_binds; i++)
		if (!strcmp(p->binds[i].src, path))
			return 0;
	if ((follow ? stat(path, &st) : lstat(path, &st)) < 0) {
		if (!required)
			return 0;
		snprintf(why, cap, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (p->nr_binds == SANDBOX_MAX_BINDS) {
		snprintf(why, cap, "more than %d paths to bind", SANDBOX_MAX_BINDS);
		return -E2BIG;
	}
	if (snprintf(dst, sizeof(dst), "%s%s", p->root_dir, inside) >= (int)sizeof(dst))
		return -ENAMETOOLONG;
	b = &p->binds[p->nr_binds];
	memset(b, 0, sizeof(*b));
	if (S_ISLNK(st.st_mode)) {
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			return 0;
		target[n] = 0;
		b->symlink = true;
		b->target = strdup(target);
	} else if (!S_ISDIR(st.st_mode)) {
		b->file = true;
	}
	b->src = strdup(path);
	b->dst = strdup(dst);
	b->rw = rw;
	p->nr_binds++;
	return 0;
}

static int add_bind(struct spawn_plan *p, const char *path, bool rw, bool follow,
		    bool required, char *why, size_t cap)
{
	return add_bind_at(p, path, path, rw, follow, required, why, cap);
}

static int cmp_bind(const void *a, const void *b)
{
	return strcmp(((const struct bind *)a)->dst, ((const struct bind *)b)->dst);
}

/* Is @path strictly below the directory @dir? */
static bool below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return n > 1 && !strncmp(path, dir, n) && path[n] == '/';
}

/*
 * Drops the binds that a bind of a directory above them already shows as
 * they would: the symlinks (the host's own is there) and binds with the
 * same access. Recreating them failed: ReadOnlyPaths = /etc made the
 * set-up stop at "symlink .../etc/localtime: File exists". A read-only
 * path below a read-write one (or the reverse) is kept: it changes the
 * access. @p->binds is sorted, so parents come first.
 */
static void drop_covered(struct spawn_plan *p)
{
	size_t out = 0;

	for (size_t i = 0; i < p->nr_binds; i++) {
		struct bind *b = &p->binds[i];
		bool covered = false;

		for (size_t j = 0; j < out && !covered; j++) {
			const struct bind *d = &p->binds[j];

			covered = !d->file && !d->symlink && below(b->src, d->src) &&
				  (b->symlink || b->rw == d->rw);
		}
		if (covered) {
			free(b->src);
			free(b->dst);
			free(b->target);
			continue;
		}
		p->binds[out++] = *b;
	}
	p->nr_binds = out;
}

int sandbox_plan_binds(struct spawn_plan *p, char **ro, char **rw, const char *state_dir,
		       bool network, char *why, size_t cap)
{
	int ret = 0;

	for (size_t i = 0; i < ARRAY_SIZE(system_paths) && !ret; i++)
		ret = add_bind(p, system_paths[i], false, false, false, why, cap);
	/* the operator's resolv.conf ([Network] DNS) instead of the host's */
	if (network && p->resolv_conf)
		ret = add_bind_at(p, p->resolv_conf, "/etc/resolv.conf", false, true, true, why, cap);
	for (size_t i = 0; network && i < ARRAY_SIZE(network_paths) && !ret; i++)
		if (!p->resolv_conf || strcmp(network_paths[i], "/etc/resolv.conf"))
			ret = add_bind(p, network_paths[i], false, true, false, why, cap);
	for (size_t i = 0; i < ARRAY_SIZE(device_paths) && !ret; i++)
		ret = add_bind(p, device_paths[i], true, true, false, why, cap);
	for (char **v = ro; v && *v && !ret; v++)
		ret = add_bind(p, *v, false, true, true, why, cap);
	for (char **v = rw; v && *v && !ret; v++) {
		ret = add_bind(p, *v, true, true, true, why, cap);
		if (!ret && p->nr_landlock_rw < SANDBOX_MAX_BINDS)
			p->landlock_rw[p->nr_landlock_rw++] = *v;
	}
	if (!ret && state_dir) {
		ret = add_bind(p, state_dir, true, true, true, why, cap);
		if (!ret && p->nr_landlock_rw < SANDBOX_MAX_BINDS)
			p->landlock_rw[p->nr_landlock_rw++] = state_dir;
	}
	/* parents before children */
	qsort(p->binds, p->nr_binds, sizeof(p->binds[0]), cmp_bind);
	drop_covered(p);
	return ret;
}

void sandbox_plan_free(struct spawn_plan *p)
{
	for (size_t i = 0; i < p->nr_binds; i++) {
		free(p->binds[i].src);
		free(p->binds[i].dst);
		free(p->binds[i].target);
	}
	p->nr_binds = 0;
}

void sandbox_probe(struct sandbox_features *f)
{
	pid_t pid;
	int status;

	memset(f, 0, sizeof(*f));
	f->landlock_abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
				  LANDLOCK_CREATE_RULESET_VERSION);
	if (f->landlock_abi < 0)
		f->landlock_abi = 0;
	pid = fork();
	if (pid == 0)
		_exit(unshare(CLONE_NEWUSER) ? 1 : 0);
	if (pid > 0 && waitpid(pid, &status, 0) == pid)
		f->user_ns = WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

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
#ifdef LANDLOCK_ACCESS_FS_TRUNCATE
	if (abi >= 3)
		r |= LANDLOCK_ACCESS_FS_TRUNCATE;
#endif
	return r;
}

static void landlock_rule(int ruleset, const char *path, uint64_t access)
{
	struct landlock_path_beneath_attr pb = { .allowed_access = access };

	pb.parent_fd = open(path, O_PATH | O_CLOEXEC);
	if (pb.parent_fd < 0)
		return;	/* a path that is not there needs no rule */
	TRY(syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0),
	    "landlock_add_rule", path);
	close(pb.parent_fd);
}

static void setup_landlock(const struct spawn_plan *p)
{
	int abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	struct landlock_ruleset_attr attr;
	uint64_t all, ro, rw;
	int fd;

	if (abi <= 0)
		return;
	all = landlock_rights(abi);
	ro = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
	rw = all & ~(LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
		     LANDLOCK_ACCESS_FS_EXECUTE);
	attr.handled_access_fs = all;
	fd = syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0)
		fail("landlock_create_ruleset", NULL, errno);
	landlock_rule(fd, "/", ro);
	landlock_rule(fd, "/dev", LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE);
	landlock_rule(fd, "/tmp", rw);
	for (size_t i = 0; i < p->nr_landlock_rw; i++)
		landlock_rule(fd, p->landlock_rw[i], rw);
	TRY(syscall(SYS_landlock_restrict_self, fd, 0), "landlock_restrict_self", NULL);
	close(fd);
}

static void drop_privileges(const struct spawn_plan *p)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	for (int c = 0; c < 64; c++)
		if (!(p->keep_caps & (1ULL << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 &&
		    errno != EINVAL)
			fail("drop the capability bounding set", NULL, errno);
	if (p->keep_caps)
		TRY(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), "PR_SET_KEEPCAPS", NULL);
	TRY(syscall(SYS_setgroups, 0, NULL), "setgroups", NULL);
	TRY(syscall(SYS_setresgid, p->gid, p->gid, p->gid), "setresgid", NULL);
	TRY(syscall(SYS_setresuid, p->uid, p->uid, p->uid), "setresuid", NULL);
	memset(data, 0, sizeof(data));
	for (int c = 0; c < 64; c++) {
		if (!(p->keep_caps & (1ULL << c)))
			continue;
		data[c / 32].effective |= 1U << (c % 32);
		data[c / 32].permitted |= 1U << (c % 32);
		data[c / 32].inheritable |= 1U << (c % 32);
	}
	TRY(syscall(SYS_capset, &hdr, data), "capset", NULL);
	for (int c = 0; c < 64; c++)
		if (p->keep_caps & (1ULL << c))
			TRY(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0), "ambient capability",
			    NULL);
	if (!p->keep_caps)
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

static void __attribute__((noreturn)) child(const struct spawn_plan *p, int err_fd, int sync_fd,
					    int listener_sock)
{
	struct rlimit no_core = { 0, 0 };
	sigset_t all;
	int mfd, ofd, xfd, nfd;
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
	if (mfd < 0 || ofd < 0 || xfd < 0 || nfd < 0)
		fail("set up file descriptors", NULL, errno);
	TRY(dup2(nfd, 0), "dup2", NULL);
	TRY(dup2(ofd, 1), "dup2", NULL);
	TRY(dup2(ofd, 2), "dup2", NULL);
	TRY(dup2(mfd, 3), "dup2", NULL);
	TRY(syscall(SYS_close_range, 4, ~0U, CLOSE_RANGE_CLOEXEC), "close_range", NULL);

	if (p->namespaces & NS_MOUNT)
		setup_mounts(p);
	if (p->namespaces & NS_UTS)
		TRY(sethostname(p->name, slen(p->name)), "sethostname", NULL);
	if (p->namespaces & NS_NET)
		loopback_up();
	TRY(setrlimit(RLIMIT_CORE, &no_core), "setrlimit", NULL);
	/* as root still: a limit above logosd's own needs CAP_SYS_RESOURCE */
	set_limits(p);
	drop_privileges(p);
	TRY(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs", NULL);
	if (p->landlock)
		setup_landlock(p);
	if (p->filter && listener_sock >= 0) {
		/* exec goes to the listener from here on: logosd passes ours only */
		int lfd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				  SECCOMP_FILTER_FLAG_NEW_LISTENER, p->filter);

		if (lfd < 0)
			fail("seccomp (with a listener)", NULL, errno);
		send_listener(listener_sock, lfd);
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

static int recv_listener(int sock)
{
	char data;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;
	int fd = -1;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
	    c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/*
 * The one exec the module's filter lets through: the child hands over the
 * listener of its filter, then calls execveat() of the verified binary,
 * which waits for us. We let that one continue and close the listener;
 * from then on the kernel fails execve and execveat with ENOSYS (a filter
 * whose listener is gone). The first exec is always the launcher's: the
 * child is one thread and calls nothing else that execs. A child that
 * failed before says so on @errfd, which report_failure() reads.
 */
static int pass_one_exec(pid_t pid, int sock, int errfd, char *why, size_t cap)
{
	struct pollfd pfd[2] = { { .fd = sock, .events = POLLIN }, { .fd = errfd, .events = POLLIN } };
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	int lfd, ret = 0;

	if (poll(pfd, 2, 20000) <= 0) {
		snprintf(why, cap, "the sandboxed child did not install its seccomp filter in 20 s");
		return -ETIMEDOUT;
	}
	if (!(pfd[0].revents & POLLIN))
		return 0;	/* it failed first: report_failure() says why */
	lfd = recv_listener(sock);
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
			if (req.pid == (uint32_t)pid && req.data.nr == SYS_execveat) {
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

int sandbox_spawn(const struct spawn_plan *p, pid_t *pidp, int *pidfdp, char *why, size_t cap)
{
	struct clone_args ca;
	int errp[2], syncp[2] = { -1, -1 }, lsock[2] = { -1, -1 }, pidfd = -1, ret;
	pid_t pid;

	if (pipe2(errp, O_CLOEXEC) < 0)
		return -errno;
	if (((p->namespaces & NS_USER || p->net_hook) && pipe2(syncp, O_CLOEXEC) < 0) ||
	    (filter_notifies(p->filter) &&
	     socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, lsock) < 0)) {
		ret = -errno;
		close(errp[0]);
		close(errp[1]);
		if (syncp[0] >= 0) {
			close(syncp[0]);
			close(syncp[1]);
		}
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
		child(p, errp[1], syncp[0], lsock[1]);
	ret = pid < 0 ? -errno : 0;
	close(errp[1]);
	if (syncp[0] >= 0)
		close(syncp[0]);
	if (lsock[1] >= 0)
		close(lsock[1]);
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
		ret = pass_one_exec(pid, lsock[0], errp[0], why, cap);
	if (!ret)
		ret = report_failure(errp[0], why, cap);
	if (ret) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(pidfd);
		goto out;
	}
	*pidp = pid;
	*pidfdp = pidfd;
out:
	close(errp[0]);
	if (syncp[1] >= 0)
		close(syncp[1]);
	if (lsock[0] >= 0)
		close(lsock[0]);
	return ret;
}
