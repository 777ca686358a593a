// SPDX-License-Identifier: GPL-2.0
/*
 * A restarted CALL must never send its request twice (ipc.md, channel.c
 * logos_call_park). A client CALLs with an infinite timeout while the
 * main thread showers it with signals: phase 1 with an SA_RESTART
 * handler (the kernel restarts, the parked call resumes), phase 2 without
 * (the caller sees -EINTR and retries the same argument, as documented).
 * A slow server counts how often it saw each request sequence number.
 * Any request seen twice, a reply for the wrong request, or a CALL error
 * other than -EINTR is a finding. Also: live_objects returns to its value.
 */
#include "common.h"

#define SEQS 4000
static uint32_t c_h, s_h;
static volatile int stop;
static unsigned char seen[SEQS * 2 + 8];
static pthread_t client_tid;
static volatile long calls_done, eintr, dup_reqs, bad_replies, errors, resumes;
static int phase;

static void on_sig(int sig) { (void)sig; }

static void *server(void *p)
{
	uint64_t seq;
	struct logos_msg m;
	int ret;

	(void)p;
	pin_cpu(1);
	while (!stop) {
		ret = recv_msg(s_h, &seq, sizeof(seq), NULL, 0, 50 * 1000 * 1000, &m);
		if (ret == -ETIMEDOUT || ret == -EINTR || ret == -EAGAIN)
			continue;
		if (ret)
			break;
		if (seq < sizeof(seen) && seen[seq]++)
			__atomic_add_fetch(&dup_reqs, 1, __ATOMIC_RELAXED);
		usleep(rand() % 400);	/* slow: the signal lands while the caller waits */
		{
			struct logos_channel_reply r = { .handle = s_h,
							 .txn_id = m.header.txn_id };

			r.reply.data = (uintptr_t)&seq;
			r.reply.data_len = sizeof(seq);
			M(LOGOS_IOC_CHANNEL_REPLY, &r);
		}
	}
	return NULL;
}

static void *client(void *p)
{
	uint64_t seq, base = phase * SEQS, got;
	int ret;

	(void)p;
	pin_cpu(0);
	for (seq = base; seq < base + SEQS && !stop; seq++) {
		struct logos_channel_call c = { .handle = c_h, .timeout_ns = -1 };

		c.request.data = (uintptr_t)&seq;
		c.request.data_len = sizeof(seq);
		c.reply.data = (uintptr_t)&got;
		c.reply.data_len = sizeof(got);
		got = ~0ULL;
		for (;;) {
			ret = M(LOGOS_IOC_CHANNEL_CALL, &c);
			if (ret != -EINTR)
				break;
			eintr++;
			/* ipc.md: retrying the same argument resumes the parked call. */
			if (c.request.header.txn_id)
				resumes++;
		}
		if (ret) {
			errors++;
			printf("# CALL seq %llu: %s\n", (unsigned long long)seq, strerror(-ret));
			continue;
		}
		if (got != seq)
			bad_replies++;
		calls_done++;
	}
	return NULL;
}

static void run_phase(int restart)
{
	struct sigaction sa = { .sa_handler = on_sig, .sa_flags = restart ? SA_RESTART : 0 };
	long before_done = calls_done;
	pthread_t srv;
	double t0 = now_s();
	long sigs = 0;

	sigaction(SIGUSR1, &sa, NULL);
	stop = 0;
	pthread_create(&srv, NULL, server, NULL);
	pthread_create(&client_tid, NULL, client, NULL);
	while (__atomic_load_n(&calls_done, __ATOMIC_RELAXED) - before_done + errors < SEQS &&
	       now_s() - t0 < 60) {
		pthread_kill(client_tid, SIGUSR1);
		sigs++;
		usleep(rand() % 300);
	}
	stop = 1;
	pthread_join(client_tid, NULL);
	pthread_join(srv, NULL);
	printf("# phase %s: %ld signals, %ld calls done in %.1f s, %ld EINTR, %ld resumes\n",
	       restart ? "SA_RESTART" : "EINTR", sigs, calls_done - before_done, now_s() - t0,
	       eintr, resumes);
}

int main(int argc, char **argv)
{
	long live0;

	(void)argc; (void)argv;
	attack_name = "call_restart";
	live0 = live_objects();
	new_module(0);
	if (chan_create(&c_h, &s_h))
		die("channel", -EIO);
	phase = 0;
	run_phase(1);
	check(dup_reqs == 0, "SA_RESTART: no request delivered twice (%ld duplicates)", dup_reqs);
	check(bad_replies == 0 && errors == 0, "SA_RESTART: every CALL got its own reply "
	      "(%ld wrong, %ld errors)", bad_replies, errors);
	dup_reqs = bad_replies = errors = 0;
	phase = 1;
	run_phase(0);
	check(dup_reqs == 0, "EINTR+retry: no request delivered twice (%ld duplicates)", dup_reqs);
	check(bad_replies == 0 && errors == 0, "EINTR+retry: every CALL got its own reply "
	      "(%ld wrong, %ld errors)", bad_replies, errors);
	end_module();
	usleep(100000);
	check(live_objects() == live0, "live_objects back to %ld (now %ld)", live0, live_objects());
	return finish();
}
