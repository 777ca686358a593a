// SPDX-License-Identifier: GPL-2.0
/*
 * A pause is transparent. A process stopped (SIGSTOP/SIGCONT) or frozen
 * (the cgroup v2 freezer) while blocked in RECV, SEND, WAIT, CALL,
 * WATCH_READ or MAPPED-less waits carries on after the thaw as if nothing
 * happened: untimed waits are restarted by the kernel, timed ones resume
 * with the time that was left, and a CALL whose request already went out
 * is never sent twice. An SA_RESTART handler is just as transparent; one
 * without it sees -EINTR (call_test.c covers that).
 *
 * The blocked party is a child process (stopping it must not stop the
 * test); its result comes back through shared memory.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "ipc_helpers.h"
#include "kselftest_harness.h"

enum blocked_op { OP_RECV, OP_SEND, OP_WAIT, OP_CALL, OP_WATCH };

/* What the child does, and what it saw; in memory shared with the test. */
struct blocked {
	int dev;
	enum blocked_op op;
	__u32 h;
	__s64 timeout_ns;
	bool sa_restart;	/* install an SA_RESTART handler for SIGUSR1 */
	/* out */
	int ret;
	__u64 elapsed_ns;
	char data[32];
	__u32 len;
};

static void on_usr1(int sig)
{
	(void)sig;
}

static int blocked_main(void *p)
{
	struct blocked *b = p;
	struct logos_test_call c;
	struct logos_watch_report r;
	__u64 start;
	int ret;

	if (b->sa_restart) {
		struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };

		sigemptyset(&sa.sa_mask);
		sigaction(SIGUSR1, &sa, NULL);
	}
	start = logos_now_ns();
	switch (b->op) {
	case OP_RECV:
		ret = logos_recv_bytes(b->dev, b->h, b->data, sizeof(b->data), b->timeout_ns);
		if (ret >= 0) {
			b->len = ret;
			ret = 0;
		}
		break;
	case OP_SEND:
		ret = logos_send(b->dev, b->h, "child", 5, NULL, 0, 0, b->timeout_ns);
		break;
	case OP_WAIT:
		ret = logos_wait_one(b->dev, b->h, 0x1, b->timeout_ns, NULL);
		break;
	case OP_CALL:
		logos_call_prep(&c, b->h, "req", 3, b->timeout_ns);
		ret = logos_ioctl(b->dev, LOGOS_IOC_CHANNEL_CALL, &c.arg);
		if (!ret) {
			b->len = c.arg.reply.data_len;
			memcpy(b->data, c.reply, b->len < sizeof(b->data) ? b->len : 0);
		}
		break;
	case OP_WATCH:
		ret = logos_watch_read(b->dev, &r, 1, b->timeout_ns, NULL);
		break;
	default:
		ret = -EINVAL;
	}
	b->elapsed_ns = logos_now_ns() - start;
	__atomic_store_n(&b->ret, ret, __ATOMIC_SEQ_CST);
	return 0;
}

/* The state letter of process @pid in /proc, or 0. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* Waits up to 5 s for @pid to reach state @want ('S' asleep, 'T' stopped). */
static int wait_state(pid_t pid, char want)
{
	int i;

	for (i = 0; i < 5000; i++) {
		if (proc_state(pid) == want)
			return 0;
		usleep(1000);
	}
	return -ETIMEDOUT;
}

FIXTURE(pause) {
	int dev;
	__u32 a, b;		/* a channel: the child uses a, the test b */
	struct blocked *bl;
	pid_t child;
};

FIXTURE_SETUP(pause)
{
	self->dev = logos_open_dev();
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, logos_chan_new(self->dev, 1, 0, &self->a, &self->b));
	self->bl = mmap(NULL, sizeof(*self->bl), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->bl);
	memset(self->bl, 0, sizeof(*self->bl));
	self->bl->dev = self->dev;
	self->bl->ret = 1;
	self->child = 0;
}

FIXTURE_TEARDOWN(pause)
{
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		logos_reap(self->child);
	}
	munmap(self->bl, sizeof(*self->bl));
	close(self->dev);
}

/* Starts the child blocked in @op on @h; returns once it sleeps there. */
static int start_blocked(struct _test_data_pause *self, enum blocked_op op, __u32 h,
			 __s64 timeout_ns)
{
	self->bl->op = op;
	self->bl->h = h;
	self->bl->timeout_ns = timeout_ns;
	self->child = logos_spawn(blocked_main, self->bl);
	if (self->child < 0)
		return -errno;
	return wait_state(self->child, 'S');
}

/* SIGSTOP, held for @ms while the test checks it is stopped, then SIGCONT. */
static int stop_and_continue(pid_t pid, int ms)
{
	if (kill(pid, SIGSTOP) || wait_state(pid, 'T'))
		return -1;
	usleep(ms * 1000);
	if (proc_state(pid) != 'T' || kill(pid, SIGCONT))
		return -1;
	/* Back in the call, asleep again: not returned with an error. */
	return wait_state(pid, 'S');
}

/* The child's result once it exited (it must within 5 s). */
static int child_result(struct _test_data_pause *self)
{
	int status = logos_reap(self->child);

	self->child = 0;
	return status ? 1000 + status : self->bl->ret;
}

/* cgroup v2 freezer: moves @pid into a fresh cgroup and freezes it (1) or thaws (0). */
static int freezer(pid_t pid, int freeze)
{
	static const char dir[] = "/sys/fs/cgroup/logos-pause-test";
	char path[128], buf[256];
	int fd, i;
	ssize_t n;

	if (pid) {
		if (mkdir(dir, 0755) && errno != EEXIST)
			return -errno;
		snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		n = dprintf(fd, "%d\n", (int)pid);
		close(fd);
		if (n < 0)
			return -EIO;
	}
	snprintf(path, sizeof(path), "%s/cgroup.freeze", dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, freeze ? "1" : "0", 1);
	close(fd);
	if (n != 1)
		return -EIO;
	/* cgroup.events says "frozen 1" once every task is frozen. */
	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	for (i = 0; i < 5000; i++) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = 0;
		if (strstr(buf, freeze ? "frozen 1" : "frozen 0"))
			return 0;
		usleep(1000);
	}
	return -ETIMEDOUT;
}

static void freezer_cleanup(void)
{
	rmdir("/sys/fs/cgroup/logos-pause-test");
}

TEST_F(pause, recv_untimed_survives_stop_and_continue)
{
	char buf[8];

	ASSERT_EQ(0, start_blocked(self, OP_RECV, self->a, LOGOS_TIMEOUT_INFINITE));
	ASSERT_EQ(0, stop_and_continue(self->child, 100));
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->b, "hello", 5));
	EXPECT_EQ(0, child_result(self));
	EXPECT_EQ(5, self->bl->len);
	EXPECT_EQ(0, memcmp(self->bl->data, "hello", 5));
	EXPECT_EQ(-EAGAIN, logos_recv_bytes(self->dev, self->a, buf, sizeof(buf), 0));
}

TEST_F(pause, recv_timed_resumes_and_gets_the_message)
{
	ASSERT_EQ(0, start_blocked(self, OP_RECV, self->a, 5 * SEC));
	ASSERT_EQ(0, stop_and_continue(self->child, 100));
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->b, "late", 4));
	EXPECT_EQ(0, child_result(self));
	EXPECT_EQ(4, self->bl->len);
}

TEST_F(pause, recv_timed_resumes_with_the_time_left_not_more)
{
	/* 1 s of timeout, 300 ms stopped: it times out, after at least 1 s. */
	ASSERT_EQ(0, start_blocked(self, OP_RECV, self->a, 1 * SEC));
	ASSERT_EQ(0, stop_and_continue(self->child, 300));
	EXPECT_EQ(-ETIMEDOUT, child_result(self));
	EXPECT_LE(1 * SEC, (__s64)self->bl->elapsed_ns);
	/* Stopped time does not count, but the wait is not started again either. */
	EXPECT_GT(3 * SEC, (__s64)self->bl->elapsed_ns);
}

TEST_F(pause, send_blocked_on_a_full_queue_sends_once)
{
	char buf[8];

	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "full", 4));	/* max_msgs 1 */
	ASSERT_EQ(0, start_blocked(self, OP_SEND, self->a, LOGOS_TIMEOUT_INFINITE));
	ASSERT_EQ(0, stop_and_continue(self->child, 100));
	ASSERT_EQ(4, logos_recv_bytes(self->dev, self->b, buf, sizeof(buf), 0));
	EXPECT_EQ(0, child_result(self));
	EXPECT_EQ(5, logos_recv_bytes(self->dev, self->b, buf, sizeof(buf), 0));
	EXPECT_EQ(-EAGAIN, logos_recv_bytes(self->dev, self->b, buf, sizeof(buf), 0));
}

TEST_F(pause, wait_survives_stop_and_continue)
{
	__u32 ev;

	ASSERT_EQ(0, logos_event_new(self->dev, &ev));
	ASSERT_EQ(0, start_blocked(self, OP_WAIT, ev, 10 * SEC));
	ASSERT_EQ(0, stop_and_continue(self->child, 100));
	ASSERT_EQ(0, logos_signal(self->dev, ev, 0, 0x1));
	EXPECT_EQ(0, child_result(self));
}

TEST_F(pause, watch_read_survives_stop_and_continue)
{
	__u32 ev;

	ASSERT_EQ(0, logos_event_new(self->dev, &ev));
	ASSERT_EQ(0, logos_watch(self->dev, ev, 0x1, 0, 7));
	ASSERT_EQ(0, start_blocked(self, OP_WATCH, 0, LOGOS_TIMEOUT_INFINITE));
	ASSERT_EQ(0, stop_and_continue(self->child, 100));
	ASSERT_EQ(0, logos_signal(self->dev, ev, 0, 0x1));
	EXPECT_EQ(0, child_result(self));
}

/* The server takes the request, the caller is stopped, then the reply goes. */
TEST_F(pause, call_in_flight_survives_stop_and_is_sent_once)
{
	char buf[8];
	struct logos_msg m;

	__u64 txn;

	ASSERT_EQ(0, start_blocked(self, OP_CALL, self->a, LOGOS_TIMEOUT_INFINITE));
	ASSERT_EQ(0, logos_recv(self->dev, self->b, buf, sizeof(buf), NULL, 0, 5 * SEC, &m));
	txn = m.header.txn_id;
	ASSERT_EQ(0, stop_and_continue(self->child, 100));
	/* The restarted call did not send its request again. */
	EXPECT_EQ(-EAGAIN, logos_recv(self->dev, self->b, buf, sizeof(buf), NULL, 0, 0, &m));
	EXPECT_EQ(0, logos_reply(self->dev, self->b, txn, "ok", 2));
	EXPECT_EQ(0, child_result(self));
	EXPECT_EQ(2, self->bl->len);
	EXPECT_EQ(0, memcmp(self->bl->data, "ok", 2));
}

/* A reply that arrives while the caller is stopped is kept for it. */
TEST_F(pause, call_reply_while_stopped_is_kept)
{
	char buf[8];
	struct logos_msg m;

	ASSERT_EQ(0, start_blocked(self, OP_CALL, self->a, 10 * SEC));
	ASSERT_EQ(0, logos_recv(self->dev, self->b, buf, sizeof(buf), NULL, 0, 5 * SEC, &m));
	ASSERT_EQ(0, kill(self->child, SIGSTOP));
	ASSERT_EQ(0, wait_state(self->child, 'T'));
	EXPECT_EQ(0, logos_reply(self->dev, self->b, m.header.txn_id, "kept", 4));
	ASSERT_EQ(0, kill(self->child, SIGCONT));
	EXPECT_EQ(0, child_result(self));
	EXPECT_EQ(4, self->bl->len);
	EXPECT_EQ(-EAGAIN, logos_recv(self->dev, self->b, buf, sizeof(buf), NULL, 0, 0, &m));
}

TEST_F(pause, sa_restart_handler_is_transparent_to_a_call)
{
	char buf[8];
	struct logos_msg m;

	self->bl->sa_restart = true;
	ASSERT_EQ(0, start_blocked(self, OP_CALL, self->a, LOGOS_TIMEOUT_INFINITE));
	ASSERT_EQ(0, logos_recv(self->dev, self->b, buf, sizeof(buf), NULL, 0, 5 * SEC, &m));
	ASSERT_EQ(0, kill(self->child, SIGUSR1));
	usleep(50000);
	ASSERT_EQ(0, wait_state(self->child, 'S'));
	EXPECT_EQ(-EAGAIN, logos_recv(self->dev, self->b, buf, sizeof(buf), NULL, 0, 0, NULL));
	EXPECT_EQ(0, logos_reply(self->dev, self->b, m.header.txn_id, "ok", 2));
	EXPECT_EQ(0, child_result(self));
}

TEST_F(pause, freezer_is_transparent_to_recv_and_call)
{
	char buf[8];
	struct logos_msg m;
	int ret;

	ASSERT_EQ(0, start_blocked(self, OP_CALL, self->a, LOGOS_TIMEOUT_INFINITE));
	ASSERT_EQ(0, logos_recv(self->dev, self->b, buf, sizeof(buf), NULL, 0, 5 * SEC, &m));
	ret = freezer(self->child, 1);
	if (ret == -ENOENT || ret == -EROFS)
		SKIP(return, "no cgroup v2 freezer here (%d)", ret);
	ASSERT_EQ(0, ret);
	usleep(100000);
	ASSERT_EQ(0, freezer(0, 0));
	ASSERT_EQ(0, wait_state(self->child, 'S'));
	EXPECT_EQ(-EAGAIN, logos_recv(self->dev, self->b, buf, sizeof(buf), NULL, 0, 0, NULL));
	EXPECT_EQ(0, logos_reply(self->dev, self->b, m.header.txn_id, "ok", 2));
	EXPECT_EQ(0, child_result(self));
	freezer_cleanup();
}

TEST_HARNESS_MAIN
