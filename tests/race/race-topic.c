// SPDX-License-Identifier: GPL-2.0
/*
 * Topic scenarios: topic close vs subscriber close (review #2), a blocking
 * publish while a subscriber closes (#6), and publish vs unsubscribe vs
 * topic close.
 */
#include "race.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static struct {
	int sfd, mfd;
	uint32_t mh, topic, sub[3];
	int ret[3];
	uint32_t delivered;
	atomic_int tid;
} t = { .sfd = -1, .mfd = -1 };

static int topic_begin(struct race *r)
{
	t.sfd = sup_open();
	if (t.sfd < 0)
		return race_fail(r, "open %s: %s", LOGOS_DEVICE_PATH, strerror(-t.sfd));
	t.mfd = mod_create(t.sfd, 0, &t.mh);
	if (t.mfd < 0)
		return race_fail(r, "MODULE_CREATE: %s", strerror(-t.mfd));
	return 0;
}

static void topic_end(struct race *r)
{
	(void)r;
	close_fd(&t.mfd);
	close_fd(&t.sfd);
}

/* ---- F2: the topic's last handle and a subscriber's closed at once ---- */

static int f2_setup(struct race *r)
{
	int ret = topic_create(t.mfd, LOGOS_TOPIC_DROP_OLDEST, 0, &t.topic);

	if (!ret)
		ret = topic_subscribe(t.mfd, t.topic, &t.sub[0]);
	if (!ret)
		ret = topic_subscribe(t.mfd, t.topic, &t.sub[1]);
	return ret ? race_fail(r, "topic setup: %s", strerror(-ret)) : 0;
}

static void f2_act(struct race *r, int who)
{
	(void)r;
	t.ret[who] = hclose(t.mfd, who ? t.sub[1] : t.topic);
}

static int f2_check(struct race *r)
{
	int ret = hclose(t.mfd, t.sub[0]);

	if (t.ret[0] || t.ret[1] || ret)
		return race_fail(r, "HANDLE_CLOSE of topic %s, of subscriber %s, of the other %s",
				 strerror(-t.ret[0]), strerror(-t.ret[1]), strerror(-ret));
	return 0;
}

const struct scenario sc_f2 = {
	.name = "F2-topic-sub", .group = "F2", .nthreads = 2, .jitter = 300,
	.what = "topic close vs subscriber endpoint close (list corruption, #2)",
	.begin = topic_begin, .setup = f2_setup, .act = f2_act, .check = f2_check,
	.end = topic_end,
};

/* ---- F6: backpressure publish while a subscriber closes ---- */

static void *publisher(void *p)
{
	(void)p;
	atomic_store(&t.tid, (int)syscall(SYS_gettid));
	t.ret[0] = topic_publish(t.mfd, t.topic, LOGOS_TIMEOUT_INFINITE, &t.delivered);
	return NULL;
}

static int recv_one(struct race *r, uint32_t ep)
{
	int ret = chan_recv(t.mfd, ep, NULL, 0, 0);

	return ret ? race_fail(r, "RECV: %s", strerror(-ret)) : 0;
}

/*
 * The review's sequence, made deterministic by waiting until the
 * publisher sleeps: it retries over a snapshot where the closed
 * subscriber's entry was set to NULL.
 */
static int f6_once(struct race *r)
{
	pthread_t pub;
	int i, ret;

	ret = topic_create(t.mfd, LOGOS_TOPIC_BACKPRESSURE, 1, &t.topic);
	for (i = 0; i < 3 && !ret; i++)
		ret = topic_subscribe(t.mfd, t.topic, &t.sub[i]);
	if (!ret)
		ret = topic_publish(t.mfd, t.topic, 0, NULL);	/* every queue full */
	if (ret)
		return race_fail(r, "topic setup: %s", strerror(-ret));
	if (recv_one(r, t.sub[0]))
		return -1;
	if (pthread_create(&pub, NULL, publisher, NULL))
		return race_fail(r, "pthread_create failed");
	while (!atomic_load(&t.tid))
		usleep(1000);
	/* Reserved sub 0, found sub 1 full: now asleep on sub 1. */
	if (!wait_sleeping(t.tid, 10))
		race_fail(r, "the publisher never blocked on the full subscriber");
	usleep(50000);
	ret = hclose(t.mfd, t.sub[0]);
	t.sub[0] = 0;
	if (ret)
		race_fail(r, "HANDLE_CLOSE of subscriber 0: %s", strerror(-ret));
	/* Room on sub 1: the publisher retries, skips sub 0, sleeps on sub 2. */
	if (recv_one(r, t.sub[1]))
		return -1;
	usleep(50000);
	wait_sleeping(t.tid, 10);
	usleep(50000);
	printf("# subscriber closed during the wait; making room for the retry\n");
	fflush(stdout);
	/* Room on sub 2: the retry runs over the snapshot again. */
	if (recv_one(r, t.sub[2]))
		return -1;
	pthread_join(pub, NULL);
	if (t.ret[0])
		return race_fail(r, "the blocked PUBLISH failed: %s", strerror(-t.ret[0]));
	if (t.delivered != 2)
		return race_fail(r, "PUBLISH delivered to %u subscribers, 2 are left",
				 t.delivered);
	hclose_all(t.mfd, t.sub, 3);
	hclose(t.mfd, t.topic);
	return r->reason[0] ? -1 : 0;
}

const struct scenario sc_f6 = {
	.name = "F6-backpressure", .group = "F6",
	.what = "blocking publish while a subscriber closes (NULL deref, #6)",
	.begin = topic_begin, .once = f6_once, .end = topic_end,
};

/* ---- publish vs unsubscribe vs topic close ---- */

static int pub_setup(struct race *r)
{
	uint32_t flags = race_rand(r, 0) & 1 ? LOGOS_TOPIC_BACKPRESSURE : LOGOS_TOPIC_DROP_OLDEST;
	int i, ret;

	ret = topic_create(t.mfd, flags, 1, &t.topic);
	for (i = 0; i < 3 && !ret; i++)
		ret = topic_subscribe(t.mfd, t.topic, &t.sub[i]);
	/* Full queues half of the time, so backpressure waits. */
	if (!ret && race_rand(r, 0) & 2)
		ret = topic_publish(t.mfd, t.topic, 0, NULL);
	return ret ? race_fail(r, "topic setup: %s", strerror(-ret)) : 0;
}

static void pub_act(struct race *r, int who)
{
	switch (who) {
	case 0:
		t.ret[0] = topic_publish(t.mfd, t.topic, 2000000, NULL);
		break;
	case 1:
		t.ret[1] = hclose(t.mfd, t.sub[race_rand(r, 1) % 3]);
		if (race_rand(r, 1) & 1)
			chan_recv(t.mfd, t.sub[race_rand(r, 1) % 3], NULL, 0, 0);
		break;
	default:
		t.ret[2] = hclose(t.mfd, t.topic);
		break;
	}
}

static int pub_check(struct race *r)
{
	int ret = t.ret[0];

	hclose_all(t.mfd, t.sub, 3);	/* one is closed already: -EBADF */
	t.topic = 0;
	if (ret && ret != -EAGAIN && ret != -ETIMEDOUT && ret != -EBADF && ret != -EPIPE)
		return race_fail(r, "PUBLISH returned %s", strerror(-ret));
	if (t.ret[1] || t.ret[2])
		return race_fail(r, "HANDLE_CLOSE of subscriber %s, of the topic %s",
				 strerror(-t.ret[1]), strerror(-t.ret[2]));
	return 0;
}

const struct scenario sc_pub_close = {
	.name = "publish-close", .group = "pair", .nthreads = 3, .jitter = 600,
	.what = "topic publish vs unsubscribe vs topic close",
	.begin = topic_begin, .setup = pub_setup, .act = pub_act, .check = pub_check,
	.end = topic_end,
};
