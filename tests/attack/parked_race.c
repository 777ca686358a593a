// SPDX-License-Identifier: GPL-2.0
/*
 * Parked CALLs (channel.c logos_call_park/unpark, logos_calls_drop_parked)
 * against everything that can happen to them at once. Each round:
 * a client CALL is interrupted (no SA_RESTART) and parked, its txn_id
 * handed back; then three threads on a barrier: one resumes the parked
 * call, one closes the client's endpoint (its last handle), one (the
 * server) replies to that txn with a memory handle in the reply. Every
 * combination must end cleanly: the resume gets the reply, -EPIPE,
 * -ENOENT or -EBADF, never anything else, and nothing leaks. A second
 * phase parks the maximum (16) calls, answers them all with handles and
 * closes the endpoint without resuming (the drop path).
 */
#include "common.h"

static pthread_barrier_t bar;
static uint32_t c_h, s_h, mem_h;
static struct logos_channel_call parked_call;
static uint64_t reply_buf;
static struct logos_msg_handle reply_hs[2];
static uint64_t req_txn;
static volatile int quit;
static long res_ok, res_pipe, res_noent, res_badf, res_other, res_timeout;
static int last_other;

static void on_sig(int sig) { (void)sig; }

static volatile int call_back;

/* Signals until the CALL came back: one signal could land before it sleeps. */
static void *interrupter(void *p)
{
	pthread_t t = *(pthread_t *)p;

	while (!call_back) {
		usleep(2000);
		if (!call_back)
			pthread_kill(t, SIGUSR1);
	}
	return NULL;
}

/* Parks one CALL on c_h; returns its txn_id (0: not parked). */
static uint64_t park_one(struct logos_channel_call *c)
{
	pthread_t self = pthread_self(), it;
	uint64_t v = 7;
	int ret;

	memset(c, 0, sizeof(*c));
	c->handle = c_h;
	c->timeout_ns = 2000LL * 1000 * 1000;
	c->request.data = (uintptr_t)&v;
	c->request.data_len = sizeof(v);
	c->reply.data = (uintptr_t)&reply_buf;
	c->reply.data_len = sizeof(reply_buf);
	c->reply.handles = (uintptr_t)reply_hs;
	c->reply.nr_handles = 2;
	call_back = 0;
	pthread_create(&it, NULL, interrupter, &self);
	ret = M(LOGOS_IOC_CHANNEL_CALL, c);
	call_back = 1;
	pthread_join(it, NULL);
	if (ret != -EINTR)
		return 0;
	return c->request.header.txn_id;
}

static void *resumer(void *p)
{
	int ret, i;

	(void)p;
	pin_cpu(0);
	for (;;) {	/* quit is read after the barrier */
		pthread_barrier_wait(&bar);
		if (quit)
			break;
		parked_call.timeout_ns = 20 * 1000 * 1000;
		ret = M(LOGOS_IOC_CHANNEL_CALL, &parked_call);
		if (!ret) {
			res_ok++;
			for (i = 0; i < (int)parked_call.reply.nr_handles; i++)
				hclose(reply_hs[i].handle);
		} else if (ret == -EPIPE) {
			res_pipe++;
		} else if (ret == -ENOENT) {
			res_noent++;
		} else if (ret == -EBADF) {
			res_badf++;
		} else if (ret == -ETIMEDOUT) {
			res_timeout++;
		} else {
			res_other++;
			last_other = ret;
		}
		pthread_barrier_wait(&bar);
	}
	return NULL;
}

static void *closer(void *p)
{
	(void)p;
	pin_cpu(1);
	for (;;) {	/* quit is read after the barrier */
		pthread_barrier_wait(&bar);
		if (quit)
			break;
		usleep(rand() % 50);
		hclose(c_h);
		pthread_barrier_wait(&bar);
	}
	return NULL;
}

static void *replier(void *p)
{
	(void)p;
	pin_cpu(1);
	for (;;) {	/* quit is read after the barrier */
		pthread_barrier_wait(&bar);
		if (quit)
			break;
		{
			struct logos_msg_handle mh = { .handle = mem_h, .rights = LOGOS_RIGHTS_SAME };
			struct logos_channel_reply r = { .handle = s_h, .txn_id = req_txn };
			uint64_t v = 9;

			r.reply.data = (uintptr_t)&v;
			r.reply.data_len = sizeof(v);
			r.reply.handles = (uintptr_t)&mh;
			r.reply.nr_handles = 1;
			M(LOGOS_IOC_CHANNEL_REPLY, &r);
		}
		pthread_barrier_wait(&bar);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long rounds = rounds_arg(argc, argv, 300), i, parked = 0, live0;
	struct sigaction sa = { .sa_handler = on_sig };
	struct logos_channel_call many[20];
	pthread_t t[3];
	int k, n;

	attack_name = "parked_race";
	sigaction(SIGUSR1, &sa, NULL);
	live0 = live_objects();
	new_module(0);
	if (mem_create(4096, &mem_h, NULL))
		die("mem", -EIO);
	pthread_barrier_init(&bar, NULL, 4);
	pthread_create(&t[0], NULL, resumer, NULL);
	pthread_create(&t[1], NULL, closer, NULL);
	pthread_create(&t[2], NULL, replier, NULL);
	for (i = 0; i < rounds; i++) {
		struct logos_msg m;
		uint64_t v;

		if (chan_create(&c_h, &s_h))
			die("channel", -EIO);
		req_txn = park_one(&parked_call);
		if (!req_txn) {
			hclose(c_h);
			hclose(s_h);
			continue;
		}
		parked++;
		/* The server has the request; its txn is what the reply names. */
		if (recv_msg(s_h, &v, sizeof(v), NULL, 0, 0, &m) == 0)
			req_txn = m.header.txn_id;
		pthread_barrier_wait(&bar);
		pthread_barrier_wait(&bar);
		if (i % 100 == 0) {
			printf("# round %ld\n", i);
			fflush(stdout);
		}
		hclose(c_h);	/* usually closed already */
		hclose(s_h);
	}
	quit = 1;
	pthread_barrier_wait(&bar);
	for (k = 0; k < 3; k++)
		pthread_join(t[k], NULL);
	printf("# %ld rounds, %ld parked: ok %ld, EPIPE %ld, ENOENT %ld, EBADF %ld, "
	       "ETIMEDOUT %ld, other %ld\n", rounds, parked, res_ok, res_pipe, res_noent, res_badf,
	       res_timeout, res_other);
	check(parked > rounds / 2, "calls were parked (%ld of %ld)", parked, rounds);
	check(res_other == 0, "resume ends in reply/EPIPE/ENOENT/EBADF only (%ld other, last %s)",
	      res_other, res_other ? strerror(-last_other) : "-");

	/* Phase 2: 16 parked calls, all answered with a handle, then dropped. */
	for (i = 0; i < 40; i++) {
		if (chan_create(&c_h, &s_h))
			die("channel", -EIO);
		for (n = 0; n < 18; n++) {
			if (!park_one(&many[n]))
				break;
		}
		for (k = 0; k < n; k++) {
			struct logos_msg m;
			uint64_t v;
			struct logos_msg_handle mh = { .handle = mem_h, .rights = LOGOS_RIGHTS_SAME };
			struct logos_channel_reply r = { .handle = s_h };

			if (recv_msg(s_h, &v, sizeof(v), NULL, 0, 0, &m))
				break;
			r.txn_id = m.header.txn_id;
			r.reply.data = (uintptr_t)&v;
			r.reply.data_len = sizeof(v);
			r.reply.handles = (uintptr_t)&mh;
			r.reply.nr_handles = 1;
			M(LOGOS_IOC_CHANNEL_REPLY, &r);
		}
		if (i % 20 == 0)
			printf("# phase 2 round %ld\n", i);
		if (i == 0)
			printf("# phase 2: %d calls parked on one endpoint (bound 16)\n", n);
		hclose(c_h);
		hclose(s_h);
	}
	hclose(mem_h);
	{
		struct logos_module_info mi = self_info();

		check(mi.usage[LOGOS_RES_HANDLES] == 0 && mi.usage[LOGOS_RES_MSGS_QUEUED] == 0 &&
		      mi.usage[LOGOS_RES_OBJECTS] == 0,
		      "usage back to 0 (handles %llu, msgs %llu, objects %llu)",
		      (unsigned long long)mi.usage[LOGOS_RES_HANDLES],
		      (unsigned long long)mi.usage[LOGOS_RES_MSGS_QUEUED],
		      (unsigned long long)mi.usage[LOGOS_RES_OBJECTS]);
	}
	end_module();
	usleep(100000);
	check(live_objects() == live0, "live_objects back to %ld (now %ld)", live0, live_objects());
	return finish();
}
