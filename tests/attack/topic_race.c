// SPDX-License-Identifier: GPL-2.0
/*
 * Topic close vs subscribe vs publish (topic.c logos_topic_zero_handles,
 * logos_topic_unsubscribe, logos_topic_reserve_all; review findings 2
 * and 6). Each round a fresh topic (backpressure on even rounds, drop
 * oldest on odd ones, queues of 2 messages) with 3 subscribers whose
 * queues are full; then on a barrier: T1 publishes with a memory handle
 * and a 2 ms timeout (it waits for room), T2 closes one subscriber and
 * subscribes a new one, T3 closes the topic's last handle and receives on
 * another subscriber (making room). The kernel must stay quiet; usage and
 * live_objects must return.
 */
#include "common.h"

static pthread_barrier_t bar;
static uint32_t topic_h, subs[4], mem_h;
static volatile int quit;
static long pub_res[8];

static void *publisher(void *p)
{
	(void)p;
	pin_cpu(0);
	for (;;) {	/* quit is read after the barrier */
		struct logos_msg_handle mh = { .handle = mem_h, .rights = LOGOS_RIGHTS_SAME };
		struct logos_topic_publish tp = { .timeout_ns = 2000000 };
		int ret;

		pthread_barrier_wait(&bar);
		if (quit)
			break;
		tp.handle = topic_h;
		tp.msg.data = (uintptr_t)"pub";
		tp.msg.data_len = 3;
		tp.msg.handles = (uintptr_t)&mh;
		tp.msg.nr_handles = 1;
		ret = M(LOGOS_IOC_TOPIC_PUBLISH, &tp);
		pub_res[ret == 0 ? 0 : ret == -ETIMEDOUT ? 1 : ret == -EBADF ? 2 : 3]++;
		pthread_barrier_wait(&bar);
	}
	return NULL;
}

static void *churner(void *p)
{
	(void)p;
	pin_cpu(1);
	for (;;) {	/* quit is read after the barrier */
		struct logos_topic_subscribe ts = { 0 };

		pthread_barrier_wait(&bar);
		if (quit)
			break;
		hclose(subs[0]);
		ts.handle = topic_h;
		subs[0] = M(LOGOS_IOC_TOPIC_SUBSCRIBE, &ts) ? 0 : ts.endpoint;
		pthread_barrier_wait(&bar);
	}
	return NULL;
}

static void *closer(void *p)
{
	char buf[8];
	struct logos_msg_handle hs[2];
	struct logos_msg m;

	(void)p;
	pin_cpu(1);
	for (;;) {	/* quit is read after the barrier */
		pthread_barrier_wait(&bar);
		if (quit)
			break;
		usleep(rand() % 200);
		hclose(topic_h);
		if (recv_msg(subs[1], buf, sizeof(buf), hs, 2, 0, &m) == 0 && m.nr_handles)
			hclose(hs[0].handle);
		pthread_barrier_wait(&bar);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long rounds = rounds_arg(argc, argv, 1000), i, live0;
	double t0 = now_s();
	pthread_t t[3];
	int k, j;

	attack_name = "topic_race";
	live0 = live_objects();
	new_module(0);
	if (mem_create(4096, &mem_h, NULL))
		die("mem", -EIO);
	pthread_barrier_init(&bar, NULL, 4);
	pthread_create(&t[0], NULL, publisher, NULL);
	pthread_create(&t[1], NULL, churner, NULL);
	pthread_create(&t[2], NULL, closer, NULL);
	for (i = 0; i < rounds; i++) {
		struct logos_topic_create tc = { .max_msgs = 2 };

		tc.flags = i & 1 ? LOGOS_TOPIC_DROP_OLDEST : LOGOS_TOPIC_BACKPRESSURE;
		if (M(LOGOS_IOC_TOPIC_CREATE, &tc))
			die("topic", -errno);
		topic_h = tc.handle;
		for (k = 0; k < 3; k++) {
			struct logos_topic_subscribe ts = { .handle = topic_h };

			if (M(LOGOS_IOC_TOPIC_SUBSCRIBE, &ts))
				die("subscribe", -errno);
			subs[k] = ts.endpoint;
		}
		for (j = 0; j < 2; j++) {
			struct logos_topic_publish tp = { .handle = topic_h };

			tp.msg.data = (uintptr_t)"fill";
			tp.msg.data_len = 4;
			M(LOGOS_IOC_TOPIC_PUBLISH, &tp);
		}
		pthread_barrier_wait(&bar);
		pthread_barrier_wait(&bar);
		if (i % 250 == 0) {
			printf("# round %ld (%.1f s)\n", i, now_s() - t0);
			fflush(stdout);
		}
		hclose(topic_h);
		for (k = 0; k < 3; k++)
			hclose(subs[k]);
	}
	quit = 1;
	pthread_barrier_wait(&bar);
	for (k = 0; k < 3; k++)
		pthread_join(t[k], NULL);
	printf("# publish: ok %ld, ETIMEDOUT %ld, EBADF %ld, other %ld\n", pub_res[0], pub_res[1],
	       pub_res[2], pub_res[3]);
	hclose(mem_h);
	{
		struct logos_module_info mi = self_info();
		int bad = 0;

		for (k = 0; k < LOGOS_RES_COUNT; k++)
			bad |= mi.usage[k] != 0;
		check(!bad, "usage back to 0 (handles %llu objects %llu msgs %llu bytes %llu)",
		      (unsigned long long)mi.usage[0], (unsigned long long)mi.usage[1],
		      (unsigned long long)mi.usage[4], (unsigned long long)mi.usage[5]);
	}
	end_module();
	usleep(100000);
	check(live_objects() == live0, "%ld rounds: live_objects back to %ld (now %ld)", rounds,
	      live0, live_objects());
	return finish();
}
