// SPDX-License-Identifier: GPL-2.0
/*
 * The liblogos event loop against logos.ko watches: callbacks on handles,
 * fds and timers, standalone and embedded in the caller's epoll loop,
 * stopping from another thread and from a signal handler.
 */
#include "helpers.h"

#include <sys/epoll.h>

#include "kselftest_harness.h"

struct counts {
	int calls;
	uint32_t last_observed;
	logos_handle_t last_handle;
	int fd;
	bool drain;
	uint64_t unwatch;	/* a watch to remove from the callback */
	struct logos_loop *loop;
};

static void count_cb(struct logos_loop *loop, logos_handle_t h, uint32_t observed, void *arg)
{
	struct counts *c = arg;
	struct logos_msg m;
	char buf[16];

	c->calls++;
	c->last_observed = observed;
	c->last_handle = h;
	if (c->drain) {
		logos_msg_prepare(&m, buf, sizeof(buf), NULL, 0);
		while (!logos_channel_recv(c->fd, h, &m, 0))
			logos_msg_prepare(&m, buf, sizeof(buf), NULL, 0);
	}
	if (c->unwatch) {
		logos_loop_unwatch(loop, c->unwatch);
		c->unwatch = 0;
	}
}

FIXTURE(loop) {
	int fd;
	logos_handle_t a, b;
	struct logos_loop *loop;
};

FIXTURE_SETUP(loop)
{
	self->fd = logos_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, logos_channel_create(self->fd, 0, 0, &self->a, &self->b));
	ASSERT_EQ(0, logos_loop_new(self->fd, &self->loop));
}

FIXTURE_TEARDOWN(loop)
{
	logos_loop_free(self->loop);
	close(self->fd);
}

TEST_F(loop, watch_is_level_triggered_until_drained)
{
	struct counts c = { .fd = self->fd };
	uint64_t id;

	ASSERT_EQ(0, logos_loop_watch(self->loop, self->b, LOGOS_SIGNAL_READABLE, 0, count_cb, &c,
				      &id));
	EXPECT_EQ(0, logos_loop_dispatch(self->loop, 0));
	ASSERT_EQ(0, logos_channel_send(self->fd, self->a, "x", 1, NULL, 0, 0, 0));
	EXPECT_EQ(1, logos_loop_dispatch(self->loop, 5000));
	EXPECT_EQ(1, c.calls);
	EXPECT_EQ(self->b, c.last_handle);
	EXPECT_NE(0, c.last_observed & LOGOS_SIGNAL_READABLE);
	/* Not drained: reported again. */
	EXPECT_EQ(1, logos_loop_dispatch(self->loop, 5000));
	EXPECT_EQ(2, c.calls);
	c.drain = true;
	EXPECT_EQ(1, logos_loop_dispatch(self->loop, 5000));
	EXPECT_EQ(0, logos_loop_dispatch(self->loop, 50));
	EXPECT_EQ(3, c.calls);
	EXPECT_EQ(0, logos_loop_unwatch(self->loop, id));
	EXPECT_EQ(-ENOENT, logos_loop_unwatch(self->loop, id));
	ASSERT_EQ(0, logos_channel_send(self->fd, self->a, "x", 1, NULL, 0, 0, 0));
	EXPECT_EQ(0, logos_loop_dispatch(self->loop, 50));
	EXPECT_EQ(3, c.calls);
}

TEST_F(loop, oneshot_watch_fires_once)
{
	struct counts c = { .fd = self->fd };
	uint64_t id;

	ASSERT_EQ(0, logos_channel_send(self->fd, self->a, "x", 1, NULL, 0, 0, 0));
	ASSERT_EQ(0, logos_loop_watch(self->loop, self->b, LOGOS_SIGNAL_READABLE,
				      LOGOS_WATCH_ONESHOT, count_cb, &c, &id));
	EXPECT_EQ(1, logos_loop_dispatch(self->loop, 5000));
	EXPECT_EQ(0, logos_loop_dispatch(self->loop, 50));
	EXPECT_EQ(1, c.calls);
	EXPECT_EQ(-ENOENT, logos_loop_unwatch(self->loop, id));
	EXPECT_EQ(-EINVAL, logos_loop_watch(self->loop, self->b, 1, 0x80, count_cb, &c, NULL));
}

TEST_F(loop, callback_may_remove_another_pending_watch)
{
	struct counts c1 = { .fd = self->fd }, c2 = { .fd = self->fd };
	logos_handle_t b2;
	uint64_t id1, id2;

	ASSERT_EQ(0, logos_handle_duplicate(self->fd, self->b, LOGOS_RIGHTS_SAME, &b2));
	ASSERT_EQ(0, logos_loop_watch(self->loop, self->b, LOGOS_SIGNAL_READABLE, 0, count_cb, &c1,
				      &id1));
	ASSERT_EQ(0, logos_loop_watch(self->loop, b2, LOGOS_SIGNAL_READABLE, 0, count_cb, &c2,
				      &id2));
	ASSERT_EQ(0, logos_channel_send(self->fd, self->a, "x", 1, NULL, 0, 0, 0));
	/* Whichever runs first removes the other: exactly one call in total. */
	c1.unwatch = id2;
	c2.unwatch = id1;
	logos_loop_dispatch(self->loop, 5000);
	EXPECT_EQ(1, c1.calls + c2.calls);
}

TEST_F(loop, closed_handle_ends_its_watch)
{
	struct counts c = { .fd = self->fd };
	uint64_t id;

	ASSERT_EQ(0, logos_loop_watch(self->loop, self->b, LOGOS_SIGNAL_READABLE, 0, count_cb, &c,
				      &id));
	ASSERT_EQ(0, logos_channel_send(self->fd, self->a, "x", 1, NULL, 0, 0, 0));
	ASSERT_EQ(0, logos_handle_close(self->fd, self->b));
	logos_loop_dispatch(self->loop, 50);
	EXPECT_EQ(0, c.calls);
	EXPECT_EQ(0, logos_loop_unwatch(self->loop, id));
}

static void tick_cb(struct logos_loop *loop, int fd, uint32_t events, void *arg)
{
	int *n = arg;

	(void)loop;
	(void)fd;
	(void)events;
	(*n)++;		/* the loop has read the timerfd already */
}

static void fd_cb(struct logos_loop *loop, int fd, uint32_t events, void *arg)
{
	int *n = arg;
	char b[16];

	(void)loop;
	(void)events;
	if (read(fd, b, sizeof(b)) < 0)
		return;
	(*n)++;
}

TEST_F(loop, fds_and_timers)
{
	int p[2], n = 0, ticks = 0, timer;
	int64_t t0;

	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, logos_loop_add_fd(self->loop, p[0], EPOLLIN, fd_cb, &n));
	EXPECT_EQ(-EEXIST, logos_loop_add_fd(self->loop, p[0], EPOLLIN, fd_cb, &n));
	ASSERT_EQ(1, write(p[1], "x", 1));
	EXPECT_EQ(1, logos_loop_dispatch(self->loop, 5000));
	EXPECT_EQ(1, n);
	EXPECT_EQ(0, logos_loop_remove_fd(self->loop, p[0]));
	EXPECT_EQ(-ENOENT, logos_loop_remove_fd(self->loop, p[0]));
	ASSERT_EQ(1, write(p[1], "x", 1));
	EXPECT_EQ(0, logos_loop_dispatch(self->loop, 50));

	ASSERT_EQ(0, logos_loop_add_timer(self->loop, 20 * MS, tick_cb, &ticks, &timer));
	t0 = time(NULL);
	while (ticks < 3 && time(NULL) - t0 < 20)
		logos_loop_dispatch(self->loop, 1000);
	EXPECT_EQ(3, ticks);
	EXPECT_EQ(0, logos_loop_remove_timer(self->loop, timer));
	EXPECT_EQ(-ENOENT, logos_loop_remove_timer(self->loop, timer));
	EXPECT_EQ(-EINVAL, logos_loop_add_timer(self->loop, 0, tick_cb, &ticks, NULL));
	close(p[0]);
	close(p[1]);
}

TEST_F(loop, embedded_in_the_callers_epoll)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct counts c = { .fd = self->fd, .drain = true };
	int ep = epoll_create1(0);

	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, logos_loop_fd(self->loop), &ev));
	ASSERT_EQ(0, logos_loop_watch(self->loop, self->b, LOGOS_SIGNAL_READABLE, 0, count_cb, &c,
				      NULL));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 50));
	ASSERT_EQ(0, logos_channel_send(self->fd, self->a, "x", 1, NULL, 0, 0, 0));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 5000));
	EXPECT_EQ(1, logos_loop_dispatch(self->loop, 0));
	EXPECT_EQ(1, c.calls);
	/*
	 * logos.ko re-queues a reported watch and re-checks it on the next
	 * read (level-triggered): one more readable state with nothing to do.
	 */
	if (epoll_wait(ep, &out, 1, 50) == 1)
		EXPECT_EQ(0, logos_loop_dispatch(self->loop, 0));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 50));
	EXPECT_EQ(1, c.calls);
	close(ep);
}

static void *stopper(void *arg)
{
	usleep(100000);
	logos_loop_stop(arg);
	return NULL;
}

TEST_F(loop, stop_from_another_thread_ends_run)
{
	pthread_t t;

	ASSERT_EQ(0, pthread_create(&t, NULL, stopper, self->loop));
	EXPECT_EQ(0, logos_loop_run(self->loop));
	pthread_join(t, NULL);
}

static struct logos_loop *sig_loop;

static void on_alarm(int sig)
{
	(void)sig;
	logos_loop_stop(sig_loop);
}

TEST_F(loop, stop_from_a_signal_handler_ends_run)
{
	struct sigaction sa = { .sa_handler = on_alarm };

	sig_loop = self->loop;
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ualarm(100000, 0);
	EXPECT_EQ(0, logos_loop_run(self->loop));
}

TEST_HARNESS_MAIN
