// SPDX-License-Identifier: GPL-2.0
/*
 * Files a control client names, opened with the client's credentials.
 *
 * "update MODULE manifest=PATH" names three files: the manifest, PATH.sig
 * and the manifest's Executable=. logosd runs as root; had it opened them
 * itself, any operator could have it read a file the operator may not
 * (and learn of it from the error). Instead a short-lived child drops to
 * the client's SO_PEERCRED uid and gid and its SO_PEERGROUPS (no
 * capabilities, not dumpable, every inherited fd closed), opens each path
 * it is sent, and passes the fd back over a socketpair (SCM_RIGHTS). logosd
 * reads the manifest from that fd to learn its Executable=; it never opens
 * any of the paths itself, so what the child was allowed to open is what
 * logosd reads (no check-then-reopen race). Root clients are served
 * in-process, with the same checks.
 *
 * Paths are resolved in logosd's mount namespace; symlinks are followed,
 * as the client (a link can only lead where the client may read). Each
 * file must be a regular file (a FIFO would block the opener: files are
 * opened O_NONBLOCK, then checked with fstat). The whole exchange has
 * OPEN_TIMEOUT_MS; a child that does not answer in time is killed.
 */
#include "clientfs.h"
#include "config.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define OPEN_TIMEOUT_MS 3000
#define MANIFEST_MAX (256 * 1024)

/* The raw calls: they change this thread only, which in the child is all. */
#ifdef SYS_setgroups32
#define SYS_SETGROUPS SYS_setgroups32
#define SYS_SETRESGID SYS_setresgid32
#define SYS_SETRESUID SYS_setresuid32
#else
#define SYS_SETGROUPS SYS_setgroups
#define SYS_SETRESGID SYS_setresgid
#define SYS_SETRESUID SYS_setresuid
#endif

void update_src_close(struct update_src *s)
{
	if (!s)
		return;
	free(s->path);
	s->path = NULL;
	if (s->manifest_fd >= 0)
		close(s->manifest_fd);
	if (s->sig_fd >= 0)
		close(s->sig_fd);
	if (s->exe_fd >= 0)
		close(s->exe_fd);
	s->manifest_fd = s->sig_fd = s->exe_fd = -1;
}

/* A regular file, read-only: the fd or -errno. Async-signal-safe. */
static int open_regular(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EBADFD;
	}
	return fd;
}

/* One answer: an int (0 or -errno) and, with 0, the fd. */
static int send_fd(int sk, int err, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &err, .iov_len = sizeof(err) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (!err) {
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	return sendmsg(sk, &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

/* The child: the client's credentials, then one open per path received. */
static __attribute__((noreturn)) void opener(int sk, uid_t uid, gid_t gid, const gid_t *groups,
					      size_t ngroups)
{
	char path[PATH_MAX + 1];
	ssize_t n;

	/* nothing of logosd's (the kernel fd, the audit log) stays here */
	if (sk > 0)
		syscall(SYS_close_range, 0U, (unsigned int)sk - 1, 0U);
	syscall(SYS_close_range, (unsigned int)sk + 1, ~0U, 0U);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (syscall(SYS_SETGROUPS, ngroups, groups) < 0 ||
	    syscall(SYS_SETRESGID, gid, gid, gid) < 0 || syscall(SYS_SETRESUID, uid, uid, uid) < 0) {
		send_fd(sk, -errno, -1);
		_exit(1);
	}
	/* a uid change makes it undumpable already; say so anyway */
	prctl(PR_SET_DUMPABLE, 0);
	if (geteuid() != uid || getegid() != gid) {
		send_fd(sk, -EPERM, -1);
		_exit(1);
	}
	while ((n = recv(sk, path, sizeof(path) - 1, 0)) > 0) {
		int fd;

		path[n] = 0;
		fd = open_regular(path);
		if (send_fd(sk, fd < 0 ? fd : 0, fd) < 0)
			break;
		if (fd >= 0)
			close(fd);
	}
	_exit(0);
}

struct opener_ctx {
	pid_t pid;		/* 0: open in-process (a root client) */
	int sk;
	uint64_t deadline_ms;
};

static int recv_fd(struct opener_ctx *o, int *fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	int err = -EIO;
	struct iovec iov = { .iov_base = &err, .iov_len = sizeof(err) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct pollfd p = { .fd = o->sk, .events = POLLIN };
	struct cmsghdr *cm;
	ssize_t n;

	*fd = -1;
	for (;;) {
		uint64_t now = now_ms();
		int r;

		if (now >= o->deadline_ms)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)(o->deadline_ms - now));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		break;
	}
	n = recvmsg(o->sk, &mh, MSG_CMSG_CLOEXEC);
	if (n != sizeof(err))
		return -EIO;
	cm = CMSG_FIRSTHDR(&mh);
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
	    cm->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(fd, CMSG_DATA(cm), sizeof(int));
	if (err > 0 || (!err && *fd < 0)) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return -EIO;
	}
	if (err) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return err;
	}
	return 0;
}

/* @path opened as the client: 0 and *@fd (blocking again), or -errno. */
static int open_as(struct opener_ctx *o, const char *path, int *fd)
{
	int ret, fl;

	*fd = -1;
	if (!o->pid) {
		ret = open_regular(path);
		if (ret < 0)
			return ret;
		*fd = ret;
	} else {
		if (send(o->sk, path, strlen(path), MSG_NOSIGNAL) < 0)
			return -errno;
		ret = recv_fd(o, fd);
		if (ret)
			return ret;
	}
	fl = fcntl(*fd, F_GETFL);
	if (fl >= 0)
		fcntl(*fd, F_SETFL, fl & ~O_NONBLOCK);
	return 0;
}

static const char *open_error(int err)
{
	switch (-err) {
	case EBADFD:
		return "not a regular file";
	case ETIMEDOUT:
		return "the open did not finish within 3 s";
	default:
		return strerror(-err);
	}
}

/* The Executable= of the manifest read from @fd. */
static int manifest_executable(const char *path, int fd, char **exe, char *why, size_t cap)
{
	char **errs = calloc(1, sizeof(char *)), *data = malloc(MANIFEST_MAX + 1);
	struct manifest *m = NULL;
	size_t len = 0;
	int ret = 0;

	if (!errs || !data) {
		ret = -ENOMEM;
		goto out;
	}
	while (len <= MANIFEST_MAX) {
		ssize_t n = pread(fd, data + len, MANIFEST_MAX + 1 - len, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			snprintf(why, cap, "cannot read the new manifest %s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += n;
	}
	if (len > MANIFEST_MAX) {
		ret = -EFBIG;
		snprintf(why, cap, "the new manifest %s is larger than %d KiB", path,
			 MANIFEST_MAX / 1024);
		goto out;
	}
	ret = manifest_parse(path, data, len, &m, &errs);
	if (ret) {
		snprintf(why, cap, "bad manifest: %s", errs[0] ? errs[0] : path);
		goto out;
	}
	*exe = strdup(m->executable);
	if (!*exe)
		ret = -ENOMEM;
out:
	manifest_free(m);
	strv_free(errs);
	free(data);
	return ret;
}

int clientfs_open_update(const char *path, uid_t uid, gid_t gid, const gid_t *groups,
			 size_t ngroups, struct update_src *out, char *why, size_t cap)
{
	struct opener_ctx o = { .sk = -1, .deadline_ms = now_ms() + OPEN_TIMEOUT_MS };
	char sig[PATH_MAX], *exe = NULL;
	int sk[2], ret;

	memset(out, 0, sizeof(*out));
	out->manifest_fd = out->sig_fd = out->exe_fd = -1;
	if (path[0] != '/') {
		snprintf(why, cap, "the new manifest must be an absolute path, not \"%s\"", path);
		return -EINVAL;
	}
	if (snprintf(sig, sizeof(sig), "%s.sig", path) >= (int)sizeof(sig)) {
		snprintf(why, cap, "the new manifest's path is too long");
		return -ENAMETOOLONG;
	}
	out->path = strdup(path);
	if (!out->path)
		return -ENOMEM;
	if (uid != 0) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sk) < 0) {
			ret = -errno;
			snprintf(why, cap, "cannot make the opener's socketpair: %s", strerror(errno));
			goto fail;
		}
		o.pid = fork();
		if (o.pid < 0) {
			ret = -errno;
			snprintf(why, cap, "cannot fork the opener: %s", strerror(errno));
			close(sk[0]);
			close(sk[1]);
			goto fail;
		}
		if (o.pid == 0) {
			close(sk[0]);
			opener(sk[1], uid, gid, groups, ngroups);
		}
		close(sk[1]);
		o.sk = sk[0];
	}
	ret = open_as(&o, path, &out->manifest_fd);
	if (ret) {
		snprintf(why, cap, "uid %u cannot read the new manifest %s: %s", (unsigned int)uid,
			 path, open_error(ret));
		goto fail;
	}
	ret = open_as(&o, sig, &out->sig_fd);
	if (ret == -ENOENT) {
		ret = 0;	/* unsigned: verification decides (DevMode) */
	} else if (ret) {
		snprintf(why, cap, "uid %u cannot read the signature %s: %s", (unsigned int)uid, sig,
			 open_error(ret));
		goto fail;
	}
	ret = manifest_executable(path, out->manifest_fd, &exe, why, cap);
	if (ret)
		goto fail;
	ret = open_as(&o, exe, &out->exe_fd);
	if (ret) {
		snprintf(why, cap, "uid %u cannot read the new executable %s: %s", (unsigned int)uid,
			 exe, open_error(ret));
		goto fail;
	}
	goto done;
fail:
	update_src_close(out);
done:
	free(exe);
	if (o.pid > 0) {
		close(o.sk);	/* the child's recv() ends: it exits */
		if (ret)
			kill(o.pid, SIGKILL);
		while (waitpid(o.pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	return ret;
}
