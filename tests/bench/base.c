// SPDX-License-Identifier: GPL-2.0
/*
 * The Linux baselines. Every case gets fresh resources, made by the client
 * and handed to the server over the control socket (SCM_RIGHTS).
 *
 * A round trip is always: the client sends a message of the case's size,
 * the server receives all of it and answers with an 8-byte ack, the client
 * receives the ack. In "touch" mode the client writes every byte before
 * sending and the server reads every byte before answering.
 */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

/* Socket buffers: large enough for the biggest message (root may force). */
static int sock_buffers(struct side *s, int fd, uint64_t size)
{
	int v = (int)(size * 2 + 64 * KiB);

	if (v < (int)(4 * MiB))
		v = 4 * MiB;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)))
		return fail(s, errno, "SO_SNDBUFFORCE/SO_RCVBUFFORCE %d", v);
	return 0;
}

static int pair(struct side *s, int type, int *server_fds)
{
	int sv[2];

	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv))
		return fail(s, errno, "socketpair");
	s->fd[0] = sv[0];
	server_fds[0] = sv[1];
	if (sock_buffers(s, sv[0], s->c->size) || sock_buffers(s, sv[1], s->c->size))
		return -1;
	return 0;
}

static void close_fds(struct side *s)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (s->fd[i] >= 0)
			close(s->fd[i]);
		s->fd[i] = -1;
	}
	if (s->map) {
		munmap(s->map, s->map_len);
		s->map = NULL;
	}
}

static int send_ack(struct side *s, int fd, uint32_t i)
{
	uint64_t ack = i;

	return write_all(s, fd, &ack, sizeof(ack));
}

static int recv_ack(struct side *s, int fd, uint32_t i)
{
	uint64_t ack;

	if (read_all(s, fd, &ack, sizeof(ack)))
		return -1;
	if (ack != i)
		return fail(s, EPROTO, "ack %llu, expected %u", (unsigned long long)ack, i);
	return 0;
}

/* ---- AF_UNIX SOCK_SEQPACKET: one message per request ---- */

static int seq_probe(struct side *s)
{
	int sv[2], ret = 0;
	ssize_t n;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	if (sock_buffers(s, sv[0], s->c->size) || sock_buffers(s, sv[1], s->c->size)) {
		ret = -EINVAL;
		goto out;
	}
	n = send(sv[0], s->buf, s->c->size, MSG_DONTWAIT);
	if (n != (ssize_t)s->c->size) {
		ret = n < 0 ? -errno : -EMSGSIZE;
		goto out;
	}
	n = recv(sv[1], s->buf, s->c->size, MSG_DONTWAIT);
	if (n != (ssize_t)s->c->size)
		ret = n < 0 ? -errno : -EMSGSIZE;
out:
	close(sv[0]);
	close(sv[1]);
	return ret;
}

static int seq_client_setup(struct side *s, int *server_fds)
{
	return pair(s, SOCK_SEQPACKET, server_fds);
}

static int seq_client_iter(struct side *s, uint32_t i)
{
	size_t n = s->c->size;
	ssize_t r;

	if (s->c->mode == MODE_TOUCH)
		touch_write(s->buf, n, i);
	r = send(s->fd[0], s->buf, n, 0);
	if (r != (ssize_t)n)
		return fail(s, r < 0 ? errno : EPROTO, "seqpacket send %zd of %zu", r, n);
	return recv_ack(s, s->fd[0], i);
}

static int seq_server_run(struct side *s)
{
	size_t n = s->c->size;
	uint32_t i;
	ssize_t r;

	for (i = 0; i < s->c->iters; i++) {
		r = recv(s->fd[0], s->buf, n, MSG_TRUNC);
		if (r != (ssize_t)n)
			return fail(s, r < 0 ? errno : EPROTO, "seqpacket recv %zd of %zu", r, n);
		if (s->c->mode == MODE_TOUCH && touch_read(s, s->buf, n, i))
			return -1;
		if (send_ack(s, s->fd[0], i))
			return -1;
	}
	return 0;
}

static int noop_setup(struct side *s)
{
	(void)s;
	return 0;
}

const struct transport_ops t_seqpacket = {
	.name = "unix_seqpacket",
	.label = "AF_UNIX seqpacket",
	.nfds = 1,
	.probe = seq_probe,
	.client_setup = seq_client_setup,
	.client_iter = seq_client_iter,
	.client_teardown = close_fds,
	.server_setup = noop_setup,
	.server_run = seq_server_run,
	.server_teardown = close_fds,
};

/* ---- AF_UNIX SOCK_STREAM and pipes: a byte stream ---- */

static int stream_client_setup(struct side *s, int *server_fds)
{
	return pair(s, SOCK_STREAM, server_fds);
}

/* fd[0]: where requests go (client) or come from (server); fd[1]: acks. */
static int stream_client_iter(struct side *s, uint32_t i)
{
	int out = s->fd[0], in = s->fd[1] >= 0 ? s->fd[1] : s->fd[0];

	if (s->c->mode == MODE_TOUCH)
		touch_write(s->buf, s->c->size, i);
	if (write_all(s, out, s->buf, s->c->size))
		return -1;
	return recv_ack(s, in, i);
}

static int stream_server_run(struct side *s)
{
	int in = s->fd[0], out = s->fd[1] >= 0 ? s->fd[1] : s->fd[0];
	size_t n = s->c->size;
	uint32_t i;

	for (i = 0; i < s->c->iters; i++) {
		if (read_all(s, in, s->buf, n))
			return -1;
		if (s->c->mode == MODE_TOUCH && touch_read(s, s->buf, n, i))
			return -1;
		if (send_ack(s, out, i))
			return -1;
	}
	return 0;
}

const struct transport_ops t_stream = {
	.name = "unix_stream",
	.label = "AF_UNIX stream",
	.nfds = 1,
	.client_setup = stream_client_setup,
	.client_iter = stream_client_iter,
	.client_teardown = close_fds,
	.server_setup = noop_setup,
	.server_run = stream_server_run,
	.server_teardown = close_fds,
};

/* Pipes get the largest size an unprivileged process may set (1 MiB). */
static int pipe_client_setup(struct side *s, int *server_fds)
{
	int c2s[2], s2c[2];

	if (pipe2(c2s, O_CLOEXEC))
		return fail(s, errno, "pipe2");
	if (pipe2(s2c, O_CLOEXEC)) {
		close(c2s[0]);
		close(c2s[1]);
		return fail(s, errno, "pipe2");
	}
	s->fd[0] = c2s[1];
	s->fd[1] = s2c[0];
	server_fds[0] = c2s[0];
	server_fds[1] = s2c[1];
	if (fcntl(c2s[1], F_SETPIPE_SZ, (int)MiB) < 0)
		return fail(s, errno, "F_SETPIPE_SZ");
	return 0;
}

const struct transport_ops t_pipe = {
	.name = "pipe",
	.label = "pipe",
	.nfds = 2,
	.client_setup = pipe_client_setup,
	.client_iter = stream_client_iter,
	.client_teardown = close_fds,
	.server_setup = noop_setup,
	.server_run = stream_server_run,
	.server_teardown = close_fds,
};

/* ---- eventfd + shared memory: a memfd mapped by both, set up once ---- */

static int shm_client_setup(struct side *s, int *server_fds)
{
	int efd_c2s, efd_s2c, mfd;

	s->map_len = page_round(s->c->size);
	mfd = memfd_create("bench-shm", MFD_CLOEXEC);
	if (mfd < 0)
		return fail(s, errno, "memfd_create");
	server_fds[2] = mfd;
	if (ftruncate(mfd, (off_t)s->map_len))
		return fail(s, errno, "ftruncate");
	s->map = mmap(NULL, s->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (s->map == MAP_FAILED) {
		s->map = NULL;
		return fail(s, errno, "mmap shm");
	}
	memset(s->map, 0x5a, s->map_len);	/* fault it in once */
	efd_c2s = eventfd(0, EFD_CLOEXEC);
	efd_s2c = eventfd(0, EFD_CLOEXEC);
	if (efd_c2s < 0 || efd_s2c < 0)
		return fail(s, errno, "eventfd");
	s->fd[0] = efd_c2s;
	s->fd[1] = efd_s2c;
	server_fds[0] = dup(efd_c2s);
	server_fds[1] = dup(efd_s2c);
	if (server_fds[0] < 0 || server_fds[1] < 0)
		return fail(s, errno, "dup");
	return 0;
}

static int shm_client_iter(struct side *s, uint32_t i)
{
	uint64_t one = 1, v;

	if (s->c->mode == MODE_TOUCH)
		touch_write(s->map, s->c->size, i);
	if (write(s->fd[0], &one, sizeof(one)) != sizeof(one))
		return fail(s, errno, "eventfd write");
	if (read(s->fd[1], &v, sizeof(v)) != sizeof(v))
		return fail(s, errno, "eventfd read");
	return 0;
}

static int shm_server_setup(struct side *s)
{
	s->map_len = page_round(s->c->size);
	s->map = mmap(NULL, s->map_len, PROT_READ, MAP_SHARED, s->fd[2], 0);
	if (s->map == MAP_FAILED) {
		s->map = NULL;
		return fail(s, errno, "mmap shm");
	}
	/* Fault it in once: this baseline pays no page faults per transfer. */
	sum_words(s->map, s->map_len);
	return 0;
}

static int shm_server_run(struct side *s)
{
	uint64_t one = 1, v;
	uint32_t i;

	for (i = 0; i < s->c->iters; i++) {
		if (read(s->fd[0], &v, sizeof(v)) != sizeof(v))
			return fail(s, errno, "eventfd read");
		if (s->c->mode == MODE_TOUCH && touch_read(s, s->map, s->c->size, i))
			return -1;
		if (write(s->fd[1], &one, sizeof(one)) != sizeof(one))
			return fail(s, errno, "eventfd write");
	}
	return 0;
}

const struct transport_ops t_eventfd_shm = {
	.name = "eventfd_shm",
	.label = "eventfd+shm",
	.nfds = 3,
	.client_setup = shm_client_setup,
	.client_iter = shm_client_iter,
	.client_teardown = close_fds,
	.server_setup = shm_server_setup,
	.server_run = shm_server_run,
	.server_teardown = close_fds,
};

/*
 * ---- memfd + SCM_RIGHTS + mmap per transfer ----
 * The sender keeps one memfd mapped; every transfer passes the fd in an
 * SCM_RIGHTS message, the receiver maps it, reads, unmaps and closes it.
 */
static int memfd_client_setup(struct side *s, int *server_fds)
{
	int mfd;

	if (pair(s, SOCK_SEQPACKET, server_fds))
		return -1;
	s->map_len = page_round(s->c->size);
	mfd = memfd_create("bench-grant", MFD_CLOEXEC);
	if (mfd < 0)
		return fail(s, errno, "memfd_create");
	s->fd[1] = mfd;
	if (ftruncate(mfd, (off_t)s->map_len))
		return fail(s, errno, "ftruncate");
	s->map = mmap(NULL, s->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (s->map == MAP_FAILED) {
		s->map = NULL;
		return fail(s, errno, "mmap memfd");
	}
	memset(s->map, 0x5a, s->map_len);
	return 0;
}

static int memfd_client_iter(struct side *s, uint32_t i)
{
	uint64_t hdr[2] = { s->c->size, i };
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = hdr, .iov_len = sizeof(hdr) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;

	if (s->c->mode == MODE_TOUCH)
		touch_write(s->map, s->c->size, i);
	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &s->fd[1], sizeof(int));
	if (sendmsg(s->fd[0], &mh, 0) != sizeof(hdr))
		return fail(s, errno, "sendmsg SCM_RIGHTS");
	return recv_ack(s, s->fd[0], i);
}

static int memfd_server_run(struct side *s)
{
	size_t len = page_round(s->c->size);
	char cbuf[CMSG_SPACE(sizeof(int))];
	uint64_t hdr[2];
	struct iovec iov = { .iov_base = hdr, .iov_len = sizeof(hdr) };
	struct msghdr mh;
	struct cmsghdr *cm;
	uint32_t i;
	void *p;
	int fd;

	for (i = 0; i < s->c->iters; i++) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		if (recvmsg(s->fd[0], &mh, MSG_CMSG_CLOEXEC) != sizeof(hdr))
			return fail(s, errno, "recvmsg SCM_RIGHTS");
		cm = CMSG_FIRSTHDR(&mh);
		if (!cm || cm->cmsg_type != SCM_RIGHTS || hdr[0] != s->c->size || hdr[1] != i)
			return fail(s, EPROTO, "bad memfd message");
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
		p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			return fail(s, errno, "mmap received memfd");
		if (s->c->mode == MODE_TOUCH && touch_read(s, p, s->c->size, i))
			return -1;
		munmap(p, len);
		close(fd);
		if (send_ack(s, s->fd[0], i))
			return -1;
	}
	return 0;
}

/*
 * The same, but the receiver keeps the mapping of the first memfd it gets
 * and only checks that each later fd is the same file (fstat: device and
 * inode) before closing it: the Linux counterpart of "logos grant".
 */
static int memfd_kept_server_run(struct side *s)
{
	size_t len = page_round(s->c->size);
	char cbuf[CMSG_SPACE(sizeof(int))];
	uint64_t hdr[2];
	struct iovec iov = { .iov_base = hdr, .iov_len = sizeof(hdr) };
	struct msghdr mh;
	struct cmsghdr *cm;
	struct stat st, first = { 0 };
	uint32_t i;
	int fd;

	for (i = 0; i < s->c->iters; i++) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		if (recvmsg(s->fd[0], &mh, MSG_CMSG_CLOEXEC) != sizeof(hdr))
			return fail(s, errno, "recvmsg SCM_RIGHTS");
		cm = CMSG_FIRSTHDR(&mh);
		if (!cm || cm->cmsg_type != SCM_RIGHTS || hdr[0] != s->c->size || hdr[1] != i)
			return fail(s, EPROTO, "bad memfd message");
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
		if (fstat(fd, &st))
			return fail(s, errno, "fstat received memfd");
		if (!s->map) {
			s->map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
			if (s->map == MAP_FAILED) {
				s->map = NULL;
				return fail(s, errno, "mmap received memfd");
			}
			s->map_len = len;
			first = st;
		} else if (st.st_dev != first.st_dev || st.st_ino != first.st_ino) {
			return fail(s, EPROTO, "memfd of another file");
		}
		close(fd);
		if (s->c->mode == MODE_TOUCH && touch_read(s, s->map, s->c->size, i))
			return -1;
		if (send_ack(s, s->fd[0], i))
			return -1;
	}
	return 0;
}

const struct transport_ops t_memfd_scm_kept = {
	.name = "memfd_scm_rights_kept",
	.label = "memfd+SCM kept",
	.nfds = 1,
	.client_setup = memfd_client_setup,
	.client_iter = memfd_client_iter,
	.client_teardown = close_fds,
	.server_setup = noop_setup,
	.server_run = memfd_kept_server_run,
	.server_teardown = close_fds,
};

const struct transport_ops t_memfd_scm = {
	.name = "memfd_scm_rights",
	.label = "memfd+SCM_RIGHTS",
	.nfds = 1,
	.client_setup = memfd_client_setup,
	.client_iter = memfd_client_iter,
	.client_teardown = close_fds,
	.server_setup = noop_setup,
	.server_run = memfd_server_run,
	.server_teardown = close_fds,
};
