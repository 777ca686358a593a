// SPDX-License-Identifier: GPL-2.0
/*
 * Watches: a file with watches is readable for poll(2)/epoll(7) when a
 * watched handle's signals match, and WATCH_READ says which and why.
 * Level triggering, ONESHOT, REMOVE, watches ending with their handle,
 * REVOKED and PEER_CLOSED reports, other signals, blocking reads,
 * timeouts, signals, and the argument errors of both ioctls.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "ipc_helpers.h"
#include "kselftest_harness.h"

FIXTURE(watch) {
	int dev;
	__u32 a, b;	/* a channel: messages sent on a make b READABLE */
};

FIXTURE_SETUP(watch)
{
	self->dev = logos_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", LOGOS_DEVICE_PATH, strerror(errno));
	ASSERT_EQ(0, logos_chan_new(self->dev, 0, 0, &self->a, &self->b));
}

FIXTURE_TEARDOWN(watch)
{
	close(self->dev);
}

/* poll(2) on @fd for @ms: its revents, 0 if nothing, -1 on error. */
static int poll_in(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = poll(&p, 1, ms);

	return n < 0 ? -1 : n == 0 ? 0 : p.revents;
}

/* Nothing to report: WATCH_READ gives up after 100 ms. */
static int nothing_reported(int fd)
{
	struct logos_watch_report r;

	return logos_watch_read(fd, &r, 1, 100 * MS, NULL) == -ETIMEDOUT;
}

/* ---- readiness of the file ------------------------------------------------------- */

TEST_F(watch, file_without_watches_is_not_readable)
{
	EXPECT_EQ(0, poll_in(self->dev, 0));
}

TEST_F(watch, message_on_a_watched_channel_makes_the_file_readable)
{
	struct logos_watch_report r[2];
	__u32 ready = 0;

	ASSERT_EQ(0, logos_watch(self->dev, self->b, LOGOS_SIGNAL_READABLE, 0, 42));
	EXPECT_EQ(0, poll_in(self->dev, 0));
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "x", 1));
	EXPECT_TRUE(poll_in(self->dev, 1000) & POLLIN);
	memset(r, 0xff, sizeof(r));
	ASSERT_EQ(0, logos_watch_read(self->dev, r, 2, 0, &ready));
	ASSERT_EQ(1, ready);
	EXPECT_EQ(42, r[0].key);
	EXPECT_EQ(self->b, r[0].handle);
	EXPECT_TRUE(r[0].observed & LOGOS_SIGNAL_READABLE);
	EXPECT_FALSE(r[0].observed & LOGOS_SIGNAL_REVOKED);
}

TEST_F(watch, signals_not_asked_for_do_not_make_the_file_readable)
{
	ASSERT_EQ(0, logos_watch(self->dev, self->b, LOGOS_SIGNAL_PEER_CLOSED, 0, 1));
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "x", 1));
	EXPECT_EQ(0, poll_in(self->dev, 100));
	EXPECT_TRUE(nothing_reported(self->dev));
}

TEST_F(watch, epoll_reports_the_file_when_a_message_arrives)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int ep = epoll_create1(EPOLL_CLOEXEC);

	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->dev, &ev));
	ASSERT_EQ(0, logos_watch(self->dev, self->b, LOGOS_SIGNAL_READABLE, 0, 1));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "x", 1));
	EXPECT_EQ(1, epoll_wait(ep, &out, 1, 1000));
	EXPECT_TRUE(out.events & EPOLLIN);
	close(ep);
}

struct late_sender {
	int fd;
	__u32 h;
	int ret;
};

static void *send_later(void *p)
{
	struct late_sender *s = p;

	usleep(200000);
	s->ret = logos_send_bytes(s->fd, s->h, "late", 4);
	return NULL;
}

TEST_F(watch, poll_sleeps_until_a_message_arrives_from_another_thread)
{
	struct late_sender s = { .fd = self->dev, .h = self->a, .ret = 1 };
	__u64 start;
	pthread_t th;
	int rev;

	ASSERT_EQ(0, logos_watch(self->dev, self->b, LOGOS_SIGNAL_READABLE, 0, 1));
	ASSERT_EQ(0, pthread_create(&th, NULL, send_later, &s));
	start = logos_now_ns();
	rev = poll_in(self->dev, 10000);
	EXPECT_LE(150 * MS, (__s64)(logos_now_ns() - start));
	EXPECT_TRUE(rev & POLLIN);
	pthread_join(th, NULL);
	EXPECT_EQ(0, s.ret);
}

TEST_F(watch, epoll_sleeps_until_a_message_arrives_from_another_thread)
{
	struct late_sender s = { .fd = self->dev, .h = self->a, .ret = 1 };
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	pthread_t th;

	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->dev, &ev));
	ASSERT_EQ(0, logos_watch(self->dev, self->b, LOGOS_SIGNAL_READABLE, 0, 1));
	ASSERT_EQ(0, pthread_create(&th, NULL, send_later, &s));
	EXPECT_EQ(1, epoll_wait(ep, &out, 1, 10000));
	pthread_join(th, NULL);
	close(ep);
}

/* ---- WATCH_READ ------------------------------------------------------------------------ */

TEST_F(watch, watch_read_sleeps_until_a_report)
{
	struct logos_watch_report r = { 0 };
	struct logos_watch_read arg = { .reports = PTR(&r), .count = 1, .timeout_ns = 10 * SEC };
	struct logos_bg bg;

	ASSERT_EQ(0, logos_watch(self->dev, self->b, LOGOS_SIGNAL_READABLE, 0, 5));
	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_WATCH_READ, &arg));
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "x", 1));
	EXPECT_EQ(0, logos_bg_join(&bg));
	EXPECT_EQ(1, arg.ready);
	EXPECT_EQ(5, r.key);
}

TEST_F(watch, watch_read_times_out_after_about_its_timeout)
{
	struct logos_watch_report r;
	__u64 start;
	__s64 elapsed;

	ASSERT_EQ(0, logos_watch(self->dev, self->b, LOGOS_SIGNAL_READABLE, 0, 5));
	start = logos_now_ns();
	EXPECT_EQ(-ETIMEDOUT, logos_watch_read(self->dev, &r, 1, 300 * MS, NULL));
	elapsed = logos_now_ns() - start;
	EXPECT_LE(300 * MS, elapsed);
	EXPECT_GT(2 * SEC, elapsed);
}

TEST_F(watch, signal_interrupts_watch_read_with_eintr)
{
	struct logos_watch_report r;
	struct logos_watch_read arg = {
		.reports = PTR(&r), .count = 1, .timeout_ns = LOGOS_TIMEOUT_INFINITE,
	};
	struct logos_bg bg;

	ASSERT_EQ(0, logos_install_noop(SIGUSR1));
	ASSERT_EQ(0, logos_watch(self->dev, self->b, LOGOS_SIGNAL_READABLE, 0, 5));
	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_WATCH_READ, &arg));
	ASSERT_EQ(0, pthread_kill(bg.thread, SIGUSR1));
	EXPECT_EQ(-EINTR, logos_bg_join(&bg));
}

TEST_F(watch, watches_are_level_triggered)
{
	struct logos_watch_report r;
	__u32 ready = 0;

	ASSERT_EQ(0, logos_watch(self->dev, self->b, LOGOS_SIGNAL_READABLE, 0, 9));
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "x", 1));
	ASSERT_EQ(0, logos_watch_read(self->dev, &r, 1, 0, &ready));
	EXPECT_EQ(1, ready);
	/* Still readable: reported again, and the file stays readable. */
	EXPECT_TRUE(poll_in(self->dev, 0) & POLLIN);
	ASSERT_EQ(0, logos_watch_read(self->dev, &r, 1, 0, &ready));
	EXPECT_EQ(1, ready);
	EXPECT_EQ(9, r.key);
	/* Drained: no more reports. */
	ASSERT_EQ(1, logos_recv_bytes(self->dev, self->b, (char[8]){}, 8, 0));
	EXPECT_TRUE(nothing_reported(self->dev));
	EXPECT_EQ(0, poll_in(self->dev, 0));
}

TEST_F(watch, oneshot_reports_once)
{
	struct logos_watch_report r;
	__u32 ready = 0;

	ASSERT_EQ(0, logos_watch(self->dev, self->b, LOGOS_SIGNAL_READABLE, LOGOS_WATCH_ONESHOT, 3));
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "x", 1));
	ASSERT_EQ(0, logos_watch_read(self->dev, &r, 1, 0, &ready));
	EXPECT_EQ(1, ready);
	EXPECT_EQ(3, r.key);
	/* Still readable, but the watch is gone. */
	EXPECT_TRUE(nothing_reported(self->dev));
	EXPECT_EQ(0, poll_in(self->dev, 0));
	/* A new watch with the same key works. */
	ASSERT_EQ(0, logos_watch(self->dev, self->b, LOGOS_SIGNAL_READABLE, LOGOS_WATCH_ONESHOT, 3));
	ASSERT_EQ(0, logos_watch_read(self->dev, &r, 1, 0, &ready));
	EXPECT_EQ(1, ready);
}

TEST_F(watch, remove_deletes_the_watch_with_that_key)
{
	struct logos_watch_report r[2];
	__u32 ready = 0;

	ASSERT_EQ(0, logos_watch(self->dev, self->b, LOGOS_SIGNAL_READABLE, 0, 7));
	ASSERT_EQ(0, logos_watch(self->dev, self->b, LOGOS_SIGNAL_READABLE, 0, 8));
	ASSERT_EQ(0, logos_watch(self->dev, self->b, 0, LOGOS_WATCH_REMOVE, 7));
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "x", 1));
	ASSERT_EQ(0, logos_watch_read(self->dev, r, 2, 0, &ready));
	EXPECT_EQ(1, ready);
	EXPECT_EQ(8, r[0].key);
	ASSERT_EQ(0, logos_watch(self->dev, self->b, 0, LOGOS_WATCH_REMOVE, 8));
	EXPECT_TRUE(nothing_reported(self->dev));
	EXPECT_EQ(0, poll_in(self->dev, 0));
}

TEST_F(watch, remove_of_an_unknown_key_is_enoent)
{
	ASSERT_EQ(0, logos_watch(self->dev, self->b, LOGOS_SIGNAL_READABLE, 0, 7));
	EXPECT_EQ(-ENOENT, logos_watch(self->dev, self->b, 0, LOGOS_WATCH_REMOVE, 70));
	ASSERT_EQ(0, logos_watch(self->dev, self->b, 0, LOGOS_WATCH_REMOVE, 7));
	EXPECT_EQ(-ENOENT, logos_watch(self->dev, self->b, 0, LOGOS_WATCH_REMOVE, 7));
}

TEST_F(watch, closing_the_handle_ends_the_watch)
{
	__u32 b2;

	ASSERT_EQ(0, logos_dup(self->dev, self->b, LOGOS_RIGHTS_SAME, &b2));
	ASSERT_EQ(0, logos_watch(self->dev, b2, LOGOS_SIGNAL_READABLE, 0, 11));
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "x", 1));
	EXPECT_TRUE(poll_in(self->dev, 0) & POLLIN);
	ASSERT_EQ(0, logos_close_handle(self->dev, b2));
	EXPECT_TRUE(nothing_reported(self->dev));
	EXPECT_EQ(0, poll_in(self->dev, 0));
	EXPECT_EQ(-ENOENT, logos_watch(self->dev, b2, 0, LOGOS_WATCH_REMOVE, 11));
}

TEST_F(watch, several_ready_watches_come_in_one_read_and_count_limits_it)
{
	struct logos_watch_report r[8];
	__u32 e, ready = 0, i;
	int seen_b = 0, seen_e = 0;

	ASSERT_EQ(0, logos_event_new(self->dev, &e));
	ASSERT_EQ(0, logos_watch(self->dev, self->b, LOGOS_SIGNAL_READABLE, 0, 100));
	ASSERT_EQ(0, logos_watch(self->dev, e, 0x1, 0, 200));
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "x", 1));
	ASSERT_EQ(0, logos_signal(self->dev, e, 0, 0x1));
	ASSERT_EQ(0, logos_watch_read(self->dev, r, 1, 0, &ready));
	EXPECT_EQ(1, ready);
	ASSERT_EQ(0, logos_watch_read(self->dev, r, 8, 0, &ready));
	ASSERT_EQ(2, ready);
	for (i = 0; i < ready; i++) {
		if (r[i].key == 100 && r[i].handle == self->b)
			seen_b++;
		if (r[i].key == 200 && r[i].handle == e && r[i].observed == 0x1)
			seen_e++;
	}
	EXPECT_EQ(1, seen_b);
	EXPECT_EQ(1, seen_e);
}

/* ---- what is reported --------------------------------------------------------------------- */

TEST_F(watch, revoked_handle_reports_revoked)
{
	struct logos_watch_report r;
	__u32 b2, ready = 0;

	ASSERT_EQ(0, logos_dup(self->dev, self->b, LOGOS_RIGHTS_SAME, &b2));
	ASSERT_EQ(0, logos_watch(self->dev, b2, LOGOS_SIGNAL_READABLE, 0, 13));
	EXPECT_EQ(0, poll_in(self->dev, 0));
	ASSERT_EQ(0, logos_revoke(self->dev, self->b, NULL));
	EXPECT_TRUE(poll_in(self->dev, 1000) & POLLIN);
	ASSERT_EQ(0, logos_watch_read(self->dev, &r, 1, 0, &ready));
	EXPECT_EQ(1, ready);
	EXPECT_EQ(13, r.key);
	EXPECT_EQ(b2, r.handle);
	EXPECT_EQ(LOGOS_SIGNAL_REVOKED, r.observed);
}

TEST_F(watch, revoke_wakes_a_sleeping_watch_read)
{
	struct logos_watch_report r = { 0 };
	struct logos_watch_read arg = { .reports = PTR(&r), .count = 1, .timeout_ns = 10 * SEC };
	struct logos_bg bg;
	__u32 e, e2;

	ASSERT_EQ(0, logos_event_new(self->dev, &e));
	ASSERT_EQ(0, logos_dup(self->dev, e, LOGOS_RIGHTS_SAME, &e2));
	ASSERT_EQ(0, logos_watch(self->dev, e2, 0x1, 0, 14));
	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_WATCH_READ, &arg));
	ASSERT_EQ(0, logos_revoke(self->dev, e, NULL));
	EXPECT_EQ(0, logos_bg_join(&bg));
	EXPECT_EQ(14, r.key);
	EXPECT_EQ(LOGOS_SIGNAL_REVOKED, r.observed);
}

TEST_F(watch, peer_closed_is_reported)
{
	struct logos_watch_report r;
	__u32 ready = 0;

	ASSERT_EQ(0, logos_watch(self->dev, self->b, LOGOS_SIGNAL_PEER_CLOSED, 0, 15));
	EXPECT_EQ(0, poll_in(self->dev, 0));
	ASSERT_EQ(0, logos_close_handle(self->dev, self->a));
	EXPECT_TRUE(poll_in(self->dev, 1000) & POLLIN);
	ASSERT_EQ(0, logos_watch_read(self->dev, &r, 1, 0, &ready));
	EXPECT_EQ(1, ready);
	EXPECT_EQ(15, r.key);
	EXPECT_TRUE(r.observed & LOGOS_SIGNAL_PEER_CLOSED);
}

TEST_F(watch, peer_closed_with_messages_left_reports_both)
{
	struct logos_watch_report r;
	__u32 ready = 0;

	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "x", 1));
	ASSERT_EQ(0, logos_close_handle(self->dev, self->a));
	ASSERT_EQ(0, logos_watch(self->dev, self->b,
				 LOGOS_SIGNAL_READABLE | LOGOS_SIGNAL_PEER_CLOSED, 0, 16));
	ASSERT_EQ(0, logos_watch_read(self->dev, &r, 1, 0, &ready));
	EXPECT_EQ(1, ready);
	EXPECT_EQ(LOGOS_SIGNAL_READABLE | LOGOS_SIGNAL_PEER_CLOSED,
		  r.observed & (LOGOS_SIGNAL_READABLE | LOGOS_SIGNAL_PEER_CLOSED));
}

TEST_F(watch, writable_follows_room_in_the_peers_queue)
{
	struct logos_watch_report r;
	__u32 a, b, ready = 0;

	ASSERT_EQ(0, logos_chan_new(self->dev, 1, 0, &a, &b));
	ASSERT_EQ(0, logos_watch(self->dev, a, LOGOS_SIGNAL_WRITABLE, 0, 17));
	ASSERT_EQ(0, logos_watch_read(self->dev, &r, 1, 0, &ready));
	EXPECT_EQ(1, ready);
	EXPECT_TRUE(r.observed & LOGOS_SIGNAL_WRITABLE);
	ASSERT_EQ(0, logos_send_bytes(self->dev, a, "x", 1));
	EXPECT_TRUE(nothing_reported(self->dev));
	ASSERT_EQ(1, logos_recv_bytes(self->dev, b, (char[8]){}, 8, 0));
	ASSERT_EQ(0, logos_watch_read(self->dev, &r, 1, 1 * SEC, &ready));
	EXPECT_EQ(1, ready);
}

TEST_F(watch, event_bits_are_reported)
{
	struct logos_watch_report r;
	__u32 e, ready = 0;

	ASSERT_EQ(0, logos_event_new(self->dev, &e));
	ASSERT_EQ(0, logos_watch(self->dev, e, 0x10, 0, 18));
	ASSERT_EQ(0, logos_signal(self->dev, e, 0, 0x1));
	EXPECT_TRUE(nothing_reported(self->dev));
	ASSERT_EQ(0, logos_signal(self->dev, e, 0, 0x10));
	ASSERT_EQ(0, logos_watch_read(self->dev, &r, 1, 0, &ready));
	EXPECT_EQ(1, ready);
	EXPECT_EQ(0x11, r.observed);
}

TEST_F(watch, module_state_change_is_reported)
{
	struct logos_test_module m;
	struct logos_watch_report r;
	__u32 ready = 0;

	ASSERT_EQ(0, logos_module_new(self->dev, "watched", LOGOS_TRUST_USER, NULL, &m));
	ASSERT_EQ(0, logos_watch(self->dev, m.handle, LOGOS_SIGNAL_TERMINATED, 0, 19));
	EXPECT_EQ(0, poll_in(self->dev, 0));
	logos_module_release(&m);
	EXPECT_TRUE(poll_in(self->dev, 5000) & POLLIN);
	ASSERT_EQ(0, logos_watch_read(self->dev, &r, 1, 0, &ready));
	EXPECT_EQ(1, ready);
	EXPECT_TRUE(r.observed & LOGOS_SIGNAL_TERMINATED);
}

TEST_F(watch, a_module_file_is_pollable_for_its_own_watches)
{
	struct logos_test_module m;
	struct logos_watch_report r;
	__u32 mb, ready = 0;

	ASSERT_EQ(0, logos_module_with(self->dev, "looper", NULL, self->b, &m, &mb));
	ASSERT_EQ(0, logos_watch(m.fd, mb, LOGOS_SIGNAL_READABLE, 0, 20));
	EXPECT_EQ(0, poll_in(m.fd, 0));
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "x", 1));
	EXPECT_TRUE(poll_in(m.fd, 1000) & POLLIN);
	EXPECT_EQ(0, poll_in(self->dev, 0));	/* the supervisor watches nothing */
	ASSERT_EQ(0, logos_watch_read(m.fd, &r, 1, 0, &ready));
	EXPECT_EQ(1, ready);
	EXPECT_EQ(mb, r.handle);
	EXPECT_EQ(20, r.key);
}

TEST_F(watch, watches_of_one_file_are_not_seen_by_another)
{
	int dev2 = logos_open_dev();

	ASSERT_LE(0, dev2);
	ASSERT_EQ(0, logos_watch(self->dev, self->b, LOGOS_SIGNAL_READABLE, 0, 21));
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "x", 1));
	EXPECT_TRUE(poll_in(self->dev, 1000) & POLLIN);
	EXPECT_EQ(0, poll_in(dev2, 0));
	close(dev2);
}

/* ---- arguments ----------------------------------------------------------------------------- */

TEST_F(watch, watch_with_unknown_flags_or_reserved_is_einval)
{
	struct logos_watch arg = {
		.handle = self->b, .signals = LOGOS_SIGNAL_READABLE, .flags = 0x4,
	};

	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_WATCH, &arg));
	arg.flags = 0x80000000U;
	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_WATCH, &arg));
	arg.flags = 0;
	arg.reserved = 1;
	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_WATCH, &arg));
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "x", 1));
	EXPECT_TRUE(nothing_reported(self->dev));
}

TEST_F(watch, watch_needs_read_on_a_live_handle)
{
	__u32 no_read, gone;

	ASSERT_EQ(0, logos_dup(self->dev, self->b, LOGOS_ENDPOINT_RIGHTS & ~LOGOS_RIGHT_READ,
			       &no_read));
	EXPECT_EQ(-EPERM, logos_watch(self->dev, no_read, LOGOS_SIGNAL_READABLE, 0, 1));
	ASSERT_EQ(0, logos_dup(self->dev, self->b, LOGOS_RIGHTS_SAME, &gone));
	ASSERT_EQ(0, logos_close_handle(self->dev, gone));
	EXPECT_EQ(-EBADF, logos_watch(self->dev, gone, LOGOS_SIGNAL_READABLE, 0, 1));
	EXPECT_EQ(-EBADF, logos_watch(self->dev, 0, LOGOS_SIGNAL_READABLE, 0, 1));
}

TEST_F(watch, watch_and_watch_read_with_bad_pointer_are_efault)
{
	EXPECT_EQ(-EFAULT, logos_ioctl(self->dev, LOGOS_IOC_WATCH, NULL));
	EXPECT_EQ(-EFAULT, logos_ioctl(self->dev, LOGOS_IOC_WATCH_READ, NULL));
}

TEST_F(watch, watch_read_into_a_bad_buffer_is_efault)
{
	ASSERT_EQ(0, logos_watch(self->dev, self->b, LOGOS_SIGNAL_READABLE, 0, 1));
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "x", 1));
	EXPECT_EQ(-EFAULT, logos_watch_read(self->dev, (void *)8, 1, 0, NULL));
}

TEST_F(watch, watch_read_count_outside_1_to_max_is_einval)
{
	static struct logos_watch_report r[LOGOS_WATCH_MAX + 1];

	ASSERT_EQ(0, logos_watch(self->dev, self->b, LOGOS_SIGNAL_READABLE, 0, 1));
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "x", 1));
	EXPECT_EQ(-EINVAL, logos_watch_read(self->dev, r, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, logos_watch_read(self->dev, r, LOGOS_WATCH_MAX + 1, 0, NULL));
	EXPECT_EQ(0, logos_watch_read(self->dev, r, LOGOS_WATCH_MAX, 0, NULL));
}

TEST_F(watch, watch_read_with_flags_or_reserved_is_einval)
{
	struct logos_watch_report r;
	struct logos_watch_read arg = { .reports = PTR(&r), .count = 1, .flags = 1 };

	ASSERT_EQ(0, logos_watch(self->dev, self->b, LOGOS_SIGNAL_READABLE, 0, 1));
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "x", 1));
	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_WATCH_READ, &arg));
	arg.flags = 0;
	arg.reserved = 1;
	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_WATCH_READ, &arg));
}

TEST_F(watch, the_most_watches_allowed_per_file_are_accepted_and_no_more)
{
	__u64 k;
	int ret;

	for (k = 0; k < LOGOS_WATCH_MAX; k++)
		ASSERT_EQ(0, logos_watch(self->dev, self->b, LOGOS_SIGNAL_READABLE, 0, k))
			TH_LOG("watch %llu", (unsigned long long)k);
	/* The header names no errno for this limit; logos.ko says -ENOSPC. */
	ret = logos_watch(self->dev, self->b, LOGOS_SIGNAL_READABLE, 0, k);
	EXPECT_EQ(-ENOSPC, ret);
	/* Removing one makes room for one. */
	ASSERT_EQ(0, logos_watch(self->dev, self->b, 0, LOGOS_WATCH_REMOVE, 0));
	EXPECT_EQ(0, logos_watch(self->dev, self->b, LOGOS_SIGNAL_READABLE, 0, k));
}

/* ---- concurrency ------------------------------------------------------------------ */

struct watch_race {
	int dev;
	__u32 h;
	volatile int stop;
	int bad;	/* a result outside the ABI, or -errno */
};

static void *race_reader(void *arg)
{
	struct watch_race *r = arg;
	struct logos_watch_report rep[64];

	while (!r->stop) {
		int ret = logos_watch_read(r->dev, rep, 64, 0, NULL);

		if (ret && ret != -ETIMEDOUT)
			r->bad = ret;
	}
	return NULL;
}

static void *race_remover(void *arg)
{
	struct watch_race *r = arg;
	__u64 k = 0;

	while (!r->stop) {
		int ret = logos_watch(r->dev, 0, 0, LOGOS_WATCH_REMOVE, k++ % 16);

		if (ret && ret != -ENOENT)
			r->bad = ret;
	}
	return NULL;
}

/*
 * Watches added and removed by key while other threads read them: a watch
 * removed while a reader held it in its batch used to be freed under the
 * reader (list corruption, use-after-free), and one removed between its
 * creation and its arming on the wait queue too. Found by tests/fuzz.
 * Needs two CPUs to race (the debug suite's guest has them).
 */
TEST_F(watch, watches_removed_while_other_threads_read_them)
{
	struct watch_race r = { .dev = self->dev, .h = self->b };
	struct timespec t0, t;
	pthread_t th[3];
	unsigned long rounds = 0;
	__u64 k;
	int i, ret;

	/* b stays READABLE: every watch on it is always ready. */
	ASSERT_EQ(0, logos_send_bytes(self->dev, self->a, "x", 1));
	ASSERT_EQ(0, pthread_create(&th[0], NULL, race_reader, &r));
	ASSERT_EQ(0, pthread_create(&th[1], NULL, race_reader, &r));
	ASSERT_EQ(0, pthread_create(&th[2], NULL, race_remover, &r));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (k = 0; k < 16; k++) {
			ret = logos_watch(self->dev, self->b, LOGOS_SIGNAL_READABLE,
					  k & 1 ? LOGOS_WATCH_ONESHOT : 0, k);
			if (ret)
				r.bad = ret;
		}
		for (k = 0; k < 16; k++) {
			ret = logos_watch(self->dev, 0, 0, LOGOS_WATCH_REMOVE, k);
			if (ret && ret != -ENOENT)
				r.bad = ret;
		}
		rounds++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < 3);
	r.stop = 1;
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	TH_LOG("%lu rounds of 16 watches", rounds);
	EXPECT_EQ(0, r.bad);
	/* Whatever is left is consistent: remove it, then nothing is reported. */
	for (k = 0; k < 16; k++)
		logos_watch(self->dev, 0, 0, LOGOS_WATCH_REMOVE, k);
	EXPECT_TRUE(nothing_reported(self->dev));
	EXPECT_EQ(0, poll_in(self->dev, 0));
}

TEST_HARNESS_MAIN
