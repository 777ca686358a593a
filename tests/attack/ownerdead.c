// SPDX-License-Identifier: GPL-2.0
/*
 * LOGOS_CALL_OWNERDEAD (ABI 0.3) as a hostile module would use it. The
 * rule under attack (uapi struct logos_channel_call, ipc.md "A server that
 * dies with a call taken"): a call made with the flag fails with
 * -EOWNERDEAD when the file through which its request was received is
 * released before the call is answered; a reply and the release race so
 * that exactly one wins; a parked call gets the error when resumed; a
 * request still queued waits for the next instance.
 *
 * This process plays the supervisor (it keeps the server's endpoint, as
 * logosd does), the caller (on /dev/logos) and the server module B (a
 * module file). Sub-tests, all with the round count of argv[1]:
 *   flags     every unknown flag bit is -EINVAL
 *   race      B takes a call; the supervisor replies through its own
 *             handle while B's file is released, and every other round a
 *             signal parks the caller, which resumes: reply 0 <=> caller
 *             got that reply, reply -ENOENT <=> caller got -EOWNERDEAD
 *   many      8 callers; B takes up to 8 calls and leaves 7 of them
 *             unanswered; B's thread answers with REPLY_RECEIVE and takes
 *             new calls while B's file is closed; the supervisor then
 *             serves what is still queued: each call ends with its own
 *             reply or -EOWNERDEAD, and -EOWNERDEAD only for a call B
 *             took and did not answer
 *   parked    20 calls taken by B and parked by signals, B released: the
 *             a 21st parked call B never took abandons the 5 oldest
 *             (-ENOENT), the other 15 resume with -EOWNERDEAD, the
 *             untaken one is served by the supervisor
 *   timeout   release against the caller's 1-3 ms timeout
 *   fork      B's file shared with a forked child which takes the call:
 *             the child's exit releases nothing; the last close does
 *   epipe     B holds the only server handle, takes the call, closes it
 *   kinds     the flag on a topic, a subscriber endpoint, a mapped endpoint
 *   revoke    B's copy of the endpoint revoked after it took the call
 *   supfile   a second /dev/logos file takes a call (its module's) and closes
 *   callerdead the caller's module killed before/after B takes its call
 *   walk      the release walk against a module's parked calls: time of
 *             close() and of the caller's -EOWNERDEAD with 0 and many
 *             parked calls on other endpoints (a measurement)
 * OD_ONLY=name runs one sub-test.
 */
#include "common.h"

#include <stdatomic.h>
#include <sys/wait.h>

struct mod {
	int fd;
	uint32_t h;
};

static int sx(unsigned long req, void *arg)
{
	return xioctl(sup_fd, req, arg);
}

static struct mod mod_new(int unlimited_channels)
{
	struct logos_module_create mc = { .name = "od" };
	struct mod m;
	int ret;

	if (unlimited_channels) {
		mc.limits[LOGOS_RES_CHANNELS] = LOGOS_LIMIT_UNLIMITED;
		mc.limits[LOGOS_RES_HANDLES] = LOGOS_LIMIT_UNLIMITED;
		mc.limits[LOGOS_RES_OBJECTS] = LOGOS_LIMIT_UNLIMITED;
		mc.limits[LOGOS_RES_MSGS_QUEUED] = LOGOS_LIMIT_UNLIMITED;
	}
	ret = sx(LOGOS_IOC_MODULE_CREATE, &mc);
	if (ret)
		die("MODULE_CREATE", ret);
	m.fd = mc.fd;
	m.h = mc.handle;
	return m;
}

static void mod_end(struct mod *m)
{
	struct logos_handle_close c = { .handle = m->h };

	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
	sx(LOGOS_IOC_HANDLE_CLOSE, &c);
}

static void sclose(uint32_t h)
{
	struct logos_handle_close c = { .handle = h };

	sx(LOGOS_IOC_HANDLE_CLOSE, &c);
}

static uint32_t give(struct mod *m, uint32_t h, int move)
{
	struct logos_handle_give g = { .module = m->h, .handle = h,
				       .rights = LOGOS_RIGHTS_SAME,
				       .flags = move ? LOGOS_GIVE_MOVE : 0 };
	int ret = sx(LOGOS_IOC_HANDLE_GIVE, &g);

	if (ret)
		die("GIVE", ret);
	return g.new_handle;
}

static void chan(uint32_t *c0, uint32_t *c1)
{
	struct logos_channel_create cc = { 0 };
	int ret = sx(LOGOS_IOC_CHANNEL_CREATE, &cc);

	if (ret)
		die("CHANNEL_CREATE", ret);
	*c0 = cc.handle0;
	*c1 = cc.handle1;
}

/* A CALL carrying @val; the reply's value in *@out. *@txn: in the id of a
 * parked call to resume (or 0), out what the kernel wrote back. */
static int call(int fd, uint32_t h, uint32_t flags, int64_t timeout, uint64_t val,
		uint64_t *out, uint64_t *txn)
{
	struct logos_channel_call c = { .handle = h, .flags = flags, .timeout_ns = timeout };
	int ret;

	c.request.data = (uintptr_t)&val;
	c.request.data_len = sizeof(val);
	c.request.header.txn_id = txn ? *txn : 0;
	c.reply.data = (uintptr_t)out;
	c.reply.data_len = sizeof(*out);
	ret = xioctl(fd, LOGOS_IOC_CHANNEL_CALL, &c);
	if (txn)
		*txn = c.request.header.txn_id;
	return ret;
}

static int recv1(int fd, uint32_t h, int64_t timeout, uint64_t *val, uint64_t *txn)
{
	struct logos_msg m = { .data = (uintptr_t)val, .data_len = sizeof(*val) };
	struct logos_channel_io io = { .handle = h, .msgs = (uintptr_t)&m, .count = 1,
				       .timeout_ns = timeout };
	int ret = xioctl(fd, LOGOS_IOC_CHANNEL_RECV, &io);

	*txn = m.header.txn_id;
	return ret;
}

static int reply1(int fd, uint32_t h, uint64_t txn, uint64_t val)
{
	struct logos_channel_reply r = { .handle = h, .txn_id = txn };

	r.reply.data = (uintptr_t)&val;
	r.reply.data_len = sizeof(val);
	return xioctl(fd, LOGOS_IOC_CHANNEL_REPLY, &r);
}

static void on_sig(int sig)
{
	(void)sig;
}

static void spin_us(long us)
{
	double end = now_s() + us / 1e6;

	while (now_s() < end)
		;
}

/* ---- flags ---- */
static void t_flags(void)
{
	uint32_t c0, c1, bad = 0;
	uint64_t out;
	int bit, ret;

	chan(&c0, &c1);
	for (bit = 1; bit < 32; bit++) {
		ret = call(sup_fd, c0, 1U << bit | LOGOS_CALL_OWNERDEAD, 1000000, 1, &out, NULL);
		if (ret != -EINVAL) {
			bad++;
			printf("# flag bit %d: %s\n", bit, strerror(-ret));
		}
	}
	check(!bad, "flags: 31 unknown bits (with and without OWNERDEAD) are -EINVAL (%u not)", bad);
	sclose(c0);
	sclose(c1);
}

/* ---- race: supervisor's reply vs B's release ---- */
struct race_caller {
	uint32_t c0;
	uint64_t val, out;
	int ret;
	long eintr;
};

static void *race_caller_fn(void *p)
{
	struct race_caller *rc = p;
	uint64_t txn = 0;

	/* Interrupted (no SA_RESTART): parked, resumed with its id. */
	do {
		rc->ret = call(sup_fd, rc->c0, LOGOS_CALL_OWNERDEAD, 5000000000LL, rc->val,
			       &rc->out, &txn);
		if (rc->ret == -EINTR)
			rc->eintr++;
	} while (rc->ret == -EINTR && txn);
	return NULL;
}

struct race_replier {
	uint32_t c1;
	uint64_t txn, val;
	long delay;
	atomic_int *go;
	int ret;
};

static void *race_replier_fn(void *p)
{
	struct race_replier *rr = p;

	while (!atomic_load(rr->go))
		;
	spin_us(rr->delay);
	rr->ret = reply1(sup_fd, rr->c1, rr->txn, rr->val);
	return NULL;
}

static void t_race(long rounds)
{
	long r, replied = 0, dead = 0, bad = 0, eintr = 0;
	long live0 = live_objects();

	for (r = 0; r < rounds; r++) {
		struct mod b = mod_new(0);
		struct race_caller rc = { .val = 1000 + r };
		struct race_replier rr = { .val = 5000 + r };
		atomic_int go = 0;
		pthread_t tc, tr;
		uint32_t sb;
		uint64_t v = 0, txn = 0;
		int ret;

		chan(&rc.c0, &rr.c1);
		sb = give(&b, rr.c1, 0);
		rr.go = &go;
		pthread_create(&tr, NULL, race_replier_fn, &rr);
		pthread_create(&tc, NULL, race_caller_fn, &rc);
		ret = recv1(b.fd, sb, 2000000000LL, &v, &txn);
		if (ret || v != rc.val) {
			check(0, "race: B's receive: %s, value %llu", strerror(-ret),
			      (unsigned long long)v);
			mod_end(&b);
			atomic_store(&go, 1);
			pthread_join(tr, NULL);
			pthread_join(tc, NULL);
			sclose(rc.c0);
			sclose(rr.c1);
			continue;
		}
		rr.txn = txn;
		rr.delay = rand() % 200;
		atomic_store(&go, 1);
		spin_us(rand() % 600);
		if (r & 1)
			pthread_kill(tc, SIGUSR1);	/* the caller parks and resumes */
		close(b.fd);	/* B's file released */
		b.fd = -1;
		pthread_join(tr, NULL);
		pthread_join(tc, NULL);
		eintr += rc.eintr;
		if (rr.ret == 0 && rc.ret == 0 && rc.out == rr.val) {
			replied++;
		} else if (rr.ret == -ENOENT && rc.ret == -EOWNERDEAD) {
			dead++;
		} else {
			bad++;
			printf("# race round %ld: reply %s, caller %s (value %llu, sent %llu)\n", r,
			       strerror(-rr.ret), strerror(-rc.ret), (unsigned long long)rc.out,
			       (unsigned long long)rr.val);
		}
		sclose(rc.c0);
		sclose(rr.c1);
		mod_end(&b);
	}
	check(!bad, "race: %ld rounds: %ld replied (reply 0, caller got it), %ld EOWNERDEAD (reply ENOENT), %ld inconsistent; %ld parked and resumed",
	      rounds, replied, dead, bad, eintr);
	check(live_objects() == live0, "race: live_objects back (%ld -> %ld)", live0,
	      live_objects());
}

/* ---- many: REPLY_RECEIVE vs release, the supervisor serves the rest ---- */
#define MANY_CALLERS 8
#define MANY_SEQ 4096

static atomic_int many_taken[MANY_CALLERS][MANY_SEQ];	/* 1 taken by B, 2 answered by B */
static atomic_int many_stop, many_done, many_server_done;
static uint32_t many_c0;

struct many_caller {
	int idx;
	long replies, dead, bad, other;
};

static void *many_caller_fn(void *p)
{
	struct many_caller *mc = p;
	int seq;

	for (seq = 0; seq < MANY_SEQ && !atomic_load(&many_stop); seq++) {
		uint64_t val = (uint64_t)mc->idx << 32 | (unsigned int)seq, out = 0;
		int ret = call(sup_fd, many_c0, LOGOS_CALL_OWNERDEAD, 5000000000LL, val, &out,
			       NULL);
		int st;

		if (ret == -EOWNERDEAD)	/* B's thread records what it took */
			while (!atomic_load(&many_server_done))
				usleep(100);
		st = atomic_load(&many_taken[mc->idx][seq]);
		if (!ret) {
			if (out != val + 1000) {
				mc->bad++;
				printf("# many: call %llx got the reply %llx\n",
				       (unsigned long long)val, (unsigned long long)out);
			}
			mc->replies++;
		} else if (ret == -EOWNERDEAD) {
			if (st != 1) {
				mc->bad++;
				printf("# many: call %llx EOWNERDEAD but B's state %d\n",
				       (unsigned long long)val, st);
			}
			mc->dead++;
		} else {
			mc->other++;
			printf("# many: call %llx: %s\n", (unsigned long long)val, strerror(-ret));
			break;
		}
	}
	atomic_fetch_add(&many_done, 1);
	return NULL;
}

struct many_server {
	int fd;
	uint32_t h;
	long answered;
};

static void many_serve(struct many_server *ms)
{
	uint64_t val = 0, ans, first;
	struct logos_channel_reply r = { .handle = ms->h };
	int ret, i;

	/* The first one with a plain receive. */
	ret = recv1(ms->fd, ms->h, 1000000000LL, &val, &first);
	if (ret)
		return;
	r.txn_id = first;
	atomic_store(&many_taken[val >> 32][val & 0xffffffff], 1);
	/* Up to 7 more taken and never answered: released all at once. */
	for (i = 1; i < MANY_CALLERS; i++) {
		uint64_t v2, t2;

		if (recv1(ms->fd, ms->h, 50000000, &v2, &t2))
			break;
		atomic_store(&many_taken[v2 >> 32][v2 & 0xffffffff], 1);
	}
	for (;;) {
		uint64_t prev = val, txn = r.txn_id;

		ans = val + 1000;
		r.flags = LOGOS_REPLY_RECEIVE;
		r.timeout_ns = 20000000;
		r.reply.data = (uintptr_t)&ans;
		r.reply.data_len = sizeof(ans);
		r.next = (struct logos_msg){ .data = (uintptr_t)&val, .data_len = sizeof(val) };
		ret = xioctl(ms->fd, LOGOS_IOC_CHANNEL_REPLY, &r);
		if (txn && !r.txn_id) {
			/* The reply went out (the kernel said so). */
			atomic_store(&many_taken[prev >> 32][prev & 0xffffffff], 2);
			ms->answered++;
		}
		if (ret == -ETIMEDOUT || ret == -EAGAIN) {
			r.txn_id = 0;
			continue;
		}
		if (ret)
			break;
		r.txn_id = r.next.header.txn_id;
		atomic_store(&many_taken[val >> 32][val & 0xffffffff], 1);
	}
}

static void *many_server_fn(void *p)
{
	many_serve(p);
	atomic_store(&many_server_done, 1);
	return NULL;
}

static void t_many(long rounds)
{
	long r, replies = 0, dead = 0, bad = 0, other = 0, served = 0;
	long live0 = live_objects();

	for (r = 0; r < rounds; r++) {
		struct many_caller mc[MANY_CALLERS];
		pthread_t tc[MANY_CALLERS], ts;
		struct many_server ms;
		struct mod b = mod_new(0);
		uint32_t c1;
		int i;

		memset(many_taken, 0, sizeof(many_taken));
		atomic_store(&many_done, 0);
		atomic_store(&many_server_done, 0);
		atomic_store(&many_stop, 0);
		chan(&many_c0, &c1);
		ms.fd = b.fd;
		ms.h = give(&b, c1, 0);
		ms.answered = 0;
		for (i = 0; i < MANY_CALLERS; i++) {
			mc[i] = (struct many_caller){ .idx = i };
			pthread_create(&tc[i], NULL, many_caller_fn, &mc[i]);
		}
		pthread_create(&ts, NULL, many_server_fn, &ms);
		usleep(2000 + rand() % 20000);
		close(b.fd);	/* released when the server's ioctl returns */
		b.fd = -1;
		pthread_join(ts, NULL);
		atomic_store(&many_stop, 1);
		/* The next instance: the supervisor serves whatever is queued. */
		while (atomic_load(&many_done) < MANY_CALLERS) {
			uint64_t val, txn;

			if (!recv1(sup_fd, c1, 20000000, &val, &txn)) {
				reply1(sup_fd, c1, txn, val + 1000);
				served++;
			}
		}
		for (i = 0; i < MANY_CALLERS; i++) {
			pthread_join(tc[i], NULL);
			replies += mc[i].replies;
			dead += mc[i].dead;
			bad += mc[i].bad;
			other += mc[i].other;
		}
		sclose(many_c0);
		sclose(c1);
		mod_end(&b);
	}
	check(!bad && !other,
	      "many: %ld rounds x %d callers: %ld replies (%ld by the supervisor after B), %ld EOWNERDEAD, %ld wrong, %ld other errors",
	      rounds, MANY_CALLERS, replies, served, dead, bad, other);
	check(dead > 0, "many: some calls were taken by B when its file was released (%ld)",
	      dead);
	check(live_objects() == live0, "many: live_objects back (%ld -> %ld)", live0,
	      live_objects());
}

/* ---- parked: 20 calls taken and parked, then B released ---- */
struct park_caller {
	uint32_t c0;
	uint64_t val, txn;
	int ret;
};

static void *park_caller_fn(void *p)
{
	struct park_caller *pc = p;
	uint64_t out;

	pc->txn = 0;
	pc->ret = call(sup_fd, pc->c0, LOGOS_CALL_OWNERDEAD, 0, pc->val, &out, &pc->txn);
	return NULL;
}

static void t_parked(long rounds)
{
	long r, bad = 0, ok_rounds = 0;
	long live0 = live_objects();

	for (r = 0; r < rounds; r++) {
		struct mod b = mod_new(0);
		uint64_t txns[21], out, v, t;
		uint32_t c0, c1, sb;
		int i, ret, eod = 0, enoent = 0, rbad = 0;

		chan(&c0, &c1);
		sb = give(&b, c1, 0);
		for (i = 0; i < 21; i++) {
			struct park_caller pc = { .c0 = c0, .val = 100 + i };
			pthread_t t_;

			pthread_create(&t_, NULL, park_caller_fn, &pc);
			if (i < 20) {
				ret = recv1(b.fd, sb, 2000000000LL, &v, &t);
				if (ret || v != pc.val)
					rbad++;
			} else {
				usleep(2000);	/* the 21st stays queued */
			}
			/* Interrupt until parked. */
			while (pthread_tryjoin_np(t_, NULL) == EBUSY) {
				pthread_kill(t_, SIGUSR1);
				usleep(200);
			}
			if (pc.ret != -EINTR || !pc.txn)
				rbad++;
			txns[i] = pc.txn;
		}
		close(b.fd);
		b.fd = -1;
		for (i = 0; i < 20; i++) {
			t = txns[i];
			ret = call(sup_fd, c0, LOGOS_CALL_OWNERDEAD, 100000000, 100 + i, &out, &t);
			if (i < 5 ? ret == -ENOENT : ret == -EOWNERDEAD)
				i < 5 ? enoent++ : eod++;
			else {
				rbad++;
				printf("# parked round %ld: call %d resumed: %s\n", r, i,
				       strerror(-ret));
			}
		}
		/* The untaken one: queued; the next instance (we) serves it.
		 * The 4 abandoned ones are still queued ahead of it. */
		for (i = 0; i < 5; i++) {
			ret = recv1(sup_fd, c1, 100000000, &v, &t);
			if (!ret && v == 120)
				reply1(sup_fd, c1, t, v + 1000);
		}
		t = txns[20];
		ret = call(sup_fd, c0, LOGOS_CALL_OWNERDEAD, 100000000, 120, &out, &t);
		if (ret || out != 1120) {
			rbad++;
			printf("# parked round %ld: the untaken call: %s, %llu\n", r,
			       strerror(-ret), (unsigned long long)out);
		}
		if (rbad)
			bad++;
		else
			ok_rounds++;
		(void)eod;
		(void)enoent;
		sclose(c0);
		sclose(c1);
		mod_end(&b);
	}
	check(!bad, "parked: %ld rounds: 21 parked (20 taken): 15 taken newest EOWNERDEAD, 5 oldest ENOENT (abandoned), the untaken one served by the next instance (%ld wrong rounds)",
	      rounds, bad);
	check(live_objects() == live0, "parked: live_objects back (%ld -> %ld)", live0,
	      live_objects());
}

/* ---- timeout: release against a 1-3 ms timeout ---- */
struct to_caller {
	uint32_t c0;
	int64_t timeout;
	int ret;
};

static void *to_caller_fn(void *p)
{
	struct to_caller *tc = p;
	uint64_t out;

	tc->ret = call(sup_fd, tc->c0, LOGOS_CALL_OWNERDEAD, tc->timeout, 7, &out, NULL);
	return NULL;
}

static void t_timeout(long rounds)
{
	long r, et = 0, eod = 0, bad = 0;
	long live0 = live_objects();

	for (r = 0; r < rounds; r++) {
		struct mod b = mod_new(0);
		struct to_caller tc = { .timeout = 1000000 + rand() % 2000000 };
		uint32_t c1, sb;
		uint64_t v, t;
		pthread_t th;

		chan(&tc.c0, &c1);
		sb = give(&b, c1, 0);
		pthread_create(&th, NULL, to_caller_fn, &tc);
		recv1(b.fd, sb, 3000000, &v, &t);
		spin_us(rand() % 2500);
		close(b.fd);
		b.fd = -1;
		pthread_join(th, NULL);
		if (tc.ret == -ETIMEDOUT)
			et++;
		else if (tc.ret == -EOWNERDEAD)
			eod++;
		else {
			bad++;
			printf("# timeout round %ld: %s\n", r, strerror(-tc.ret));
		}
		sclose(tc.c0);
		sclose(c1);
		mod_end(&b);
	}
	check(!bad, "timeout: %ld rounds: %ld ETIMEDOUT, %ld EOWNERDEAD, %ld other", rounds, et,
	      eod, bad);
	check(live_objects() == live0, "timeout: live_objects back (%ld -> %ld)", live0,
	      live_objects());
}

/* ---- fork: the file shared with a child ---- */
static void t_fork(void)
{
	struct mod b = mod_new(0);
	struct race_caller rc = { .val = 42 };
	uint32_t c1, sb;
	pthread_t tc;
	pid_t pid;
	int st;

	chan(&rc.c0, &c1);
	sb = give(&b, c1, 0);
	pthread_create(&tc, NULL, race_caller_fn, &rc);
	pid = fork();
	if (pid == 0) {
		uint64_t v, t;

		_exit(recv1(b.fd, sb, 2000000000LL, &v, &t) ? 1 : 0);
	}
	waitpid(pid, &st, 0);
	usleep(100000);
	check(WIFEXITED(st) && !WEXITSTATUS(st) && pthread_tryjoin_np(tc, NULL) == EBUSY,
	      "fork: the child took the call and exited; the parent's copy keeps the file: the call still waits");
	close(b.fd);
	b.fd = -1;
	pthread_join(tc, NULL);
	check(rc.ret == -EOWNERDEAD, "fork: the last close: %s", strerror(-rc.ret));
	sclose(rc.c0);
	sclose(c1);
	mod_end(&b);
}

/* ---- epipe: the taker closes its endpoint (the only handle) ---- */
static void t_epipe(void)
{
	struct mod b = mod_new(0);
	struct race_caller rc = { .val = 43 };
	struct logos_handle_close hc = { 0 };
	int cret;
	uint32_t c1;
	uint64_t v, t;
	pthread_t tc;

	chan(&rc.c0, &c1);
	hc.handle = give(&b, c1, 1);
	pthread_create(&tc, NULL, race_caller_fn, &rc);
	recv1(b.fd, hc.handle, 2000000000LL, &v, &t);
	cret = xioctl(b.fd, LOGOS_IOC_HANDLE_CLOSE, &hc);
	if (cret)
		printf("# epipe: HANDLE_CLOSE: %s\n", strerror(-cret));
	usleep(50000);
	if (pthread_tryjoin_np(tc, NULL) == EBUSY) {
		close(b.fd);
		b.fd = -1;
		pthread_join(tc, NULL);
		printf("# epipe: the call ended only with B's file: %s\n", strerror(-rc.ret));
	} else {
		printf("# epipe: a taken call whose taker is alive and closed the endpoint: %s\n",
		       strerror(-rc.ret));
	}
	/* Only an observation: the text does not say which. */
	check(rc.ret == -EPIPE || rc.ret == -EOWNERDEAD, "epipe: %s", strerror(-rc.ret));
	sclose(rc.c0);
	mod_end(&b);

	/* The killed taker holding the only handle: EOWNERDEAD first. */
	b = mod_new(0);
	rc.val = 44;
	chan(&rc.c0, &c1);
	hc.handle = give(&b, c1, 1);
	pthread_create(&tc, NULL, race_caller_fn, &rc);
	recv1(b.fd, hc.handle, 2000000000LL, &v, &t);
	close(b.fd);
	b.fd = -1;
	pthread_join(tc, NULL);
	check(rc.ret == -EOWNERDEAD,
	      "epipe: taker released with the only handle of the endpoint: %s (EOWNERDEAD takes precedence)",
	      strerror(-rc.ret));
	sclose(rc.c0);
	mod_end(&b);
}

/* ---- walk: cost of the release against parked calls elsewhere ---- */
static atomic_int walk_stop;

static void *sig_pump(void *p)
{
	pthread_t t = *(pthread_t *)p;

	while (!atomic_load(&walk_stop)) {
		pthread_kill(t, SIGUSR1);
		usleep(50);
	}
	return NULL;
}

/* Module @h parks up to 16 calls on each of @n own channels (nobody
 * receives them); returns how many were parked. */
static long park_many(struct mod *h, long n)
{
	pthread_t self = pthread_self(), pump;
	long parked = 0, i;
	int k;

	atomic_store(&walk_stop, 0);
	pthread_create(&pump, NULL, sig_pump, &self);
	for (i = 0; i < n; i++) {
		struct logos_channel_create cc = { .max_msgs = 64 };
		uint64_t out;

		if (xioctl(h->fd, LOGOS_IOC_CHANNEL_CREATE, &cc))
			break;
		for (k = 0; k < 16;) {
			uint64_t t = 0;
			int ret = call(h->fd, cc.handle0, LOGOS_CALL_OWNERDEAD, 0, k, &out, &t);

			if (ret == -EINTR && t) {
				k++;
				parked++;
			} else if (ret != -EINTR) {
				break;
			}
		}
	}
	atomic_store(&walk_stop, 1);
	pthread_join(pump, NULL);
	return parked;
}

static void walk_once(double *close_ms, double *call_ms)
{
	struct mod b = mod_new(0);
	struct race_caller rc = { .val = 9 };
	uint32_t c1, sb;
	uint64_t v, t;
	pthread_t tc;
	double t0;

	chan(&rc.c0, &c1);
	sb = give(&b, c1, 0);
	pthread_create(&tc, NULL, race_caller_fn, &rc);
	recv1(b.fd, sb, 2000000000LL, &v, &t);
	t0 = now_s();
	close(b.fd);
	*close_ms = (now_s() - t0) * 1e3;
	b.fd = -1;
	pthread_join(tc, NULL);
	*call_ms = (now_s() - t0) * 1e3;
	if (rc.ret != -EOWNERDEAD)
		printf("# walk: %s\n", strerror(-rc.ret));
	sclose(rc.c0);
	sclose(c1);
	mod_end(&b);
}

static double walk_best(void)
{
	double c, k, best = 1e9;
	int i;

	for (i = 0; i < 5; i++) {
		walk_once(&c, &k);
		if (c < best)
			best = c;
	}
	return best;
}

static void t_walk(long nchan)
{
	double b0, b1, b2;
	struct mod h;
	long parked, i;

	b0 = walk_best();
	h = mod_new(1);
	for (i = 0; i < nchan; i++) {
		struct logos_channel_create cc = { .max_msgs = 64 };

		if (xioctl(h.fd, LOGOS_IOC_CHANNEL_CREATE, &cc))
			break;
	}
	b1 = walk_best();
	parked = park_many(&h, nchan);
	b2 = walk_best();
	printf("# walk: release of a taker (best of 5 close()): %.3f ms alone, %.3f ms with %ld idle endpoints more, %.3f ms with %ld calls parked on %ld endpoints more\n",
	       b0, b1, 2 * nchan, b2, parked, nchan);
	check(parked > 0, "walk: %.1f ns per endpoint, %.1f ns per parked call, under logos_endpoints_lock",
	      (b1 - b0) * 1e6 / (2 * nchan), parked ? (b2 - b1) * 1e6 / parked : 0.0);
	mod_end(&h);
}


/* ---- kinds: the flag on objects that are not call endpoints ---- */
static void t_kinds(void)
{
	struct logos_topic_create tc = { .flags = LOGOS_TOPIC_DROP_OLDEST };
	struct logos_topic_subscribe ts = { 0 };
	struct logos_mapped_create mc = { 0 };
	uint64_t out;
	int r1, r2, r3 = -EPROTOTYPE, r;

	r = sx(LOGOS_IOC_TOPIC_CREATE, &tc);
	if (r)
		die("TOPIC_CREATE", r);
	ts.handle = tc.handle;
	r = sx(LOGOS_IOC_TOPIC_SUBSCRIBE, &ts);
	if (r)
		die("TOPIC_SUBSCRIBE", r);
	r1 = call(sup_fd, tc.handle, LOGOS_CALL_OWNERDEAD, 1000000, 1, &out, NULL);
	r2 = call(sup_fd, ts.endpoint, LOGOS_CALL_OWNERDEAD, 1000000, 1, &out, NULL);
	if (!sx(LOGOS_IOC_MAPPED_CREATE, &mc)) {
		r3 = call(sup_fd, mc.handle0, LOGOS_CALL_OWNERDEAD, 1000000, 1, &out, NULL);
		sclose(mc.handle0);
		sclose(mc.handle1);
	}
	printf("# kinds: CALL with the flag on a topic: %s, on a subscriber endpoint: %s, on a mapped endpoint: %s\n",
	       strerror(-r1), strerror(-r2), strerror(-r3));
	check(r1 == -EPROTOTYPE && r2 == -EPERM && r3 == -EPROTOTYPE,
	      "kinds: topic EPROTOTYPE, subscriber EPERM (no WRITE), mapped EPROTOTYPE");
	sclose(ts.endpoint);
	sclose(tc.handle);
}

/* ---- supfile: a second supervisor file takes the call, then is closed;
 * the caller is a module of that supervisor. ---- */
struct fd_caller {
	int fd;
	uint32_t h;
	uint64_t val, out;
	int ret;
};

static void *fd_caller_fn(void *p)
{
	struct fd_caller *fc = p;

	fc->ret = call(fc->fd, fc->h, LOGOS_CALL_OWNERDEAD, 5000000000LL, fc->val, &fc->out,
		       NULL);
	return NULL;
}

static void t_supfile(long rounds)
{
	long r, eod = 0, other = 0;
	long live0 = live_objects();

	for (r = 0; r < rounds; r++) {
		int fd2 = open(LOGOS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		struct logos_module_create mc = { .name = "odcaller" };
		struct logos_channel_create cc = { 0 };
		struct logos_handle_give g = { .rights = LOGOS_RIGHTS_SAME,
					       .flags = LOGOS_GIVE_MOVE };
		struct fd_caller fc = { .val = 300 + r };
		uint64_t v, t;
		pthread_t th;

		if (fd2 < 0 || xioctl(fd2, LOGOS_IOC_MODULE_CREATE, &mc) ||
		    xioctl(fd2, LOGOS_IOC_CHANNEL_CREATE, &cc))
			die("second supervisor", -errno);
		g.module = mc.handle;
		g.handle = cc.handle0;
		if (xioctl(fd2, LOGOS_IOC_HANDLE_GIVE, &g))
			die("GIVE", -errno);
		fc.fd = mc.fd;
		fc.h = g.new_handle;
		pthread_create(&th, NULL, fd_caller_fn, &fc);
		if (recv1(fd2, cc.handle1, 2000000000LL, &v, &t))
			other++;
		close(fd2);	/* the taker's file: also the endpoint's last table */
		pthread_join(th, NULL);
		if (fc.ret == -EOWNERDEAD) {
			eod++;
		} else {
			other++;
			printf("# supfile round %ld: %s\n", r, strerror(-fc.ret));
		}
		close(mc.fd);
	}
	check(!other, "supfile: %ld rounds: a supervisor file that took the call and closed: %ld EOWNERDEAD, %ld other",
	      rounds, eod, other);
	check(live_objects() == live0, "supfile: live_objects back (%ld -> %ld)", live0,
	      live_objects());
}

/* ---- revoke: B's handle revoked after it took the call ---- */
static void t_revoke(void)
{
	struct mod b = mod_new(0);
	struct race_caller rc = { .val = 55 };
	struct logos_handle_revoke rv = { 0 };
	uint32_t c1, sb;
	uint64_t v, t;
	pthread_t tc;
	int r1, r2;

	chan(&rc.c0, &c1);
	sb = give(&b, c1, 0);
	pthread_create(&tc, NULL, race_caller_fn, &rc);
	recv1(b.fd, sb, 2000000000LL, &v, &t);
	rv.handle = c1;
	r1 = sx(LOGOS_IOC_HANDLE_REVOKE, &rv);
	r2 = reply1(b.fd, sb, t, 1);
	close(b.fd);
	b.fd = -1;
	pthread_join(tc, NULL);
	check(!r1 && r2 == -EKEYREVOKED && rc.ret == -EOWNERDEAD,
	      "revoke: supervisor revoked B's copy (%s, %u handles), B's reply %s, B released: caller %s",
	      strerror(-r1), rv.revoked, strerror(-r2), strerror(-rc.ret));
	sclose(rc.c0);
	sclose(c1);
	mod_end(&b);
}

/* ---- callerdead: the caller's module killed around the taking ---- */
static void t_callerdead(long rounds)
{
	long r, bad = 0;
	long live0 = live_objects();

	for (r = 0; r < rounds; r++) {
		struct mod a = mod_new(0), b = mod_new(0);
		uint32_t c0, c1, ah, bh;
		uint64_t v, t;
		int before = r & 1, st, ret;
		pid_t pid;

		chan(&c0, &c1);
		ah = give(&a, c0, 1);
		bh = give(&b, c1, 1);
		pid = fork();
		if (pid == 0) {
			uint64_t out;

			close(b.fd);
			_exit(call(a.fd, ah, LOGOS_CALL_OWNERDEAD, 0, 900, &out, NULL) ? 1 : 0);
		}
		close(a.fd);	/* the child's copy is the caller module's file */
		a.fd = -1;
		if (before) {
			usleep(rand() % 3000);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
		}
		ret = recv1(b.fd, bh, 200000000, &v, &t);
		if (!before) {
			spin_us(rand() % 300);
			kill(pid, SIGKILL);
		}
		spin_us(rand() % 300);
		close(b.fd);
		b.fd = -1;
		if (!before)
			waitpid(pid, &st, 0);
		if (ret && ret != -ETIMEDOUT && ret != -EPIPE && ret != -EAGAIN) {
			bad++;
			printf("# callerdead round %ld: B's receive %s\n", r, strerror(-ret));
		}
		mod_end(&a);
		mod_end(&b);
	}
	usleep(100000);
	check(!bad, "callerdead: %ld rounds (caller killed before/after B took the call)",
	      rounds);
	check(live_objects() == live0, "callerdead: live_objects back (%ld -> %ld)", live0,
	      live_objects());
}

static int want(const char *name)
{
	const char *only = getenv("OD_ONLY");

	return !only || !strcmp(only, name);
}

int main(int argc, char **argv)
{
	long rounds = rounds_arg(argc, argv, 300);
	struct sigaction sa = { .sa_handler = on_sig };

	attack_name = "ownerdead";
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART: -EINTR, parked */
	srand(getpid());
	sup_fd = open(LOGOS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (sup_fd < 0)
		die("open /dev/logos", -errno);
	if (want("flags"))
		t_flags();
	if (want("fork"))
		t_fork();
	if (want("epipe"))
		t_epipe();
	if (want("kinds"))
		t_kinds();
	if (want("revoke"))
		t_revoke();
	if (want("supfile"))
		t_supfile(rounds / 3 + 1);
	if (want("callerdead"))
		t_callerdead(rounds / 3 + 1);
	if (want("race"))
		t_race(rounds);
	if (want("timeout"))
		t_timeout(rounds);
	if (want("parked"))
		t_parked(rounds / 30 + 1);
	if (want("many"))
		t_many(rounds / 30 + 1);
	if (want("walk"))
		t_walk(getenv("OD_WALK") ? atol(getenv("OD_WALK")) : 64);
	return finish();
}
