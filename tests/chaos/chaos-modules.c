// SPDX-License-Identifier: GPL-2.0
/*
 * The module bodies of logos-chaos (see logos-chaos.c): ping, pong,
 * producers, consumers, the publisher, the subscribers, the mapper and the
 * hostile module, and the accounting of their batches in shared memory.
 */
#include "logos-chaos.h"

struct shared *sh;

const char *const hstep_name[] = {
	"events (EDQUOT)", "channel endpoints (EDQUOT)", "objects (EDQUOT)", "handles (EDQUOT)",
	"memory pages (EDQUOT)", "mapped pages (mmap EDQUOT)", "queued messages (EDQUOT)",
	"queued bytes (EDQUOT)", "a full queue, not a quota (EAGAIN)",
	"usage back to zero after each step", "denied_quota counts every denial",
};

/* ---- small things --------------------------------------------------------- */

uint64_t rng = 88172645463325252ULL;

static uint64_t rnd64(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

uint64_t now_ms(void)
{
	return now_ns() / 1000000;
}

void sleep_us(unsigned int us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000L };

	nanosleep(&ts, NULL);
}

int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

/* A failure seen by a module process; the supervisor reports it. */
void child_fail(const char *fmt, ...)
{
	int i = __atomic_fetch_add(&sh->nfail, 1, __ATOMIC_SEQ_CST);
	va_list ap;

	if (i >= 16)
		return;
	va_start(ap, fmt);
	vsnprintf(sh->fail[i], sizeof(sh->fail[i]), fmt, ap);
	va_end(ap);
}

static void fill_pattern(struct payload *p, uint32_t len)
{
	for (uint32_t i = 16; i < len; i++)
		((uint8_t *)p)[i] = (uint8_t)(p->seq * 7 + i);
}

static bool pattern_ok(const struct payload *p, uint32_t len)
{
	for (uint32_t i = 16; i < len; i++)
		if (((const uint8_t *)p)[i] != (uint8_t)(p->seq * 7 + i))
			return false;
	return true;
}

/* ---- the modules ---------------------------------------------------------- */

int mfd;			/* a module process's module file */
uint32_t hA, hB;		/* its given handles */
int my_pair;
uint32_t my_stream;

void ping_main(void)
{
	struct payload req = { .magic = MAGIC }, rep;
	uint64_t seq = 0;

	while (sh->phase < PH_STOP_SEND) {
		struct logos_channel_call c = {
			.handle = hA, .timeout_ns = 5000000000LL,
			.request = { .data = PTR(&req), .data_len = 64 },
			.reply = { .data = PTR(&rep), .data_len = sizeof(rep) },
		};
		int phase = sh->phase, window = sh->window;
		uint64_t t0;
		int ret;

		req.seq = ++seq;
		fill_pattern(&req, 64);
		t0 = now_ns();
		ret = xioctl(mfd, LOGOS_IOC_CHANNEL_CALL, &c);
		t0 = now_ns() - t0;
		__atomic_add_fetch(&sh->calls, 1, __ATOMIC_RELAXED);
		if (ret) {
			sh->call_err++;
			child_fail("ping: call %llu failed: %s", (unsigned long long)seq, strerror(-ret));
		} else if (rep.magic != MAGIC || rep.seq != seq || c.reply.data_len != 64 ||
			   !pattern_ok(&rep, 64)) {
			sh->call_bad++;
			child_fail("ping: call %llu got a wrong reply (seq %llu)",
				   (unsigned long long)seq, (unsigned long long)rep.seq);
		} else {
			sh->call_ok++;
			if (phase == sh->phase && window == sh->window && sh->nsamples < MAX_SAMPLES)
				sh->samples[sh->nsamples++] = (struct sample){
					.us = t0 / 1000 > UINT32_MAX ? UINT32_MAX : t0 / 1000,
					.window = window, .phase = phase };
		}
		sleep_us(300);
	}
}

void pong_main(void)
{
	struct payload buf;
	uint64_t expect = 1;

	while (sh->phase < PH_STOP) {
		struct logos_msg m = { .data = PTR(&buf), .data_len = sizeof(buf) };
		struct logos_channel_io io = { .handle = hB, .msgs = PTR(&m), .count = 1,
					       .timeout_ns = 100000000 };
		struct logos_channel_reply r = { .handle = hB };
		int ret = xioctl(mfd, LOGOS_IOC_CHANNEL_RECV, &io);

		if (ret == -ETIMEDOUT || ret == -EAGAIN || ret == -EINTR)
			continue;
		if (ret) {
			child_fail("pong: receive failed: %s", strerror(-ret));
			return;
		}
		if (!(m.header.flags & LOGOS_MSG_CALL) || buf.seq != expect) {
			sh->pong_bad++;
			child_fail("pong: call with seq %llu, expected %llu",
				   (unsigned long long)buf.seq, (unsigned long long)expect);
		}
		expect = buf.seq + 1;
		r.txn_id = m.header.txn_id;
		r.reply = (struct logos_msg){ .data = PTR(&buf), .data_len = m.data_len };
		ret = xioctl(mfd, LOGOS_IOC_CHANNEL_REPLY, &r);
		if (ret)
			child_fail("pong: reply failed: %s", strerror(-ret));
	}
}

/*
 * What a producer's batch did. The supervisor runs it again for a killed
 * producer (@killed): io.done, in shared memory, says what the kernel took
 * even when the process died before it could look.
 */
void prod_account(struct iobuf *b, int ret, bool killed)
{
	struct stream *s = &sh->streams[b->stream];
	struct counts n = s->c[s->cur];
	uint32_t done = b->io.done;

	if (n.batch == b->batch)
		return;		/* accounted already */
	n.batch = b->batch;
	n.accepted = b->base - 1 + done;
	n.offered += b->count;
	if (done < b->count && killed) {
		n.abandoned += b->count - done;
	} else if (done < b->count) {
		n.refused += b->count - done;
		if (ret == -EAGAIN)
			n.refused_eagain += b->count - done;
		else if (!ret)
			n.refused_short += b->count - done;
		else
			n.refused_other += b->count - done;
	}
	s->c[!s->cur] = n;
	__atomic_store_n(&s->cur, !s->cur, __ATOMIC_SEQ_CST);
}

void prod_main(void)
{
	struct iobuf *b = &sh->prod[my_pair];
	uint64_t seq = 1;

	while (sh->phase < PH_STOP_SEND) {
		uint32_t n = 1 + rnd(BATCH);
		int ret;

		for (uint32_t k = 0; k < n; k++) {
			uint32_t len = 16 + rnd(MSG_MAX - 15);

			b->data[k].magic = MAGIC;
			b->data[k].stream = my_stream;
			b->data[k].seq = seq + k;
			fill_pattern(&b->data[k], len);
			b->msgs[k] = (struct logos_msg){ .data = PTR(&b->data[k]), .data_len = len };
		}
		b->stream = my_stream;
		b->batch++;
		b->base = seq;
		b->count = n;
		b->io = (struct logos_channel_io){ .handle = hA, .msgs = PTR(b->msgs), .count = n };
		__atomic_store_n(&b->pending, 1, __ATOMIC_SEQ_CST);
		ret = xioctl(mfd, LOGOS_IOC_CHANNEL_SEND, &b->io);
		prod_account(b, ret, false);
		if (ret && ret != -EAGAIN)
			child_fail("prod%d: send refused with %s", my_pair, strerror(-ret));
		seq += b->io.done;
		__atomic_store_n(&b->pending, 0, __ATOMIC_SEQ_CST);
		sleep_us(ret == -EAGAIN ? 5000 : 2000);
	}
}

/*
 * Takes what a consumer's batch received. The supervisor runs it again for
 * a killed consumer (@salvage), when some of the batch may be counted.
 */
void cons_account(struct iobuf *b, int pair, bool salvage)
{
	for (uint32_t k = 0; k < b->io.done; k++) {
		struct payload *p = &b->data[k];
		uint32_t len = b->msgs[k].data_len;
		struct stream *s;

		if (p->magic != MAGIC || !p->stream || p->stream >= MAX_STREAMS || len < 16 ||
		    len > MSG_MAX) {
			child_fail("cons%d: a damaged message (%u bytes)", pair, len);
			continue;
		}
		s = &sh->streams[p->stream];
		if (p->seq <= s->delivered && salvage)
			continue;	/* counted before the consumer died */
		if (s->pair != (uint32_t)pair || p->seq != s->delivered + 1 || !pattern_ok(p, len)) {
			s->bad++;
			child_fail("cons%d: stream %u: seq %llu after %llu%s", pair, p->stream,
				   (unsigned long long)p->seq, (unsigned long long)s->delivered,
				   pattern_ok(p, len) ? "" : " (damaged)");
		}
		if (p->seq > s->delivered)
			s->delivered = p->seq;
	}
}

void cons_main(void)
{
	struct iobuf *b = &sh->cons[my_pair];

	for (;;) {
		int ret;

		for (int k = 0; k < BATCH; k++) {
			b->data[k].magic = 0;
			b->msgs[k] = (struct logos_msg){ .data = PTR(&b->data[k]),
							 .data_len = MSG_MAX };
		}
		b->io = (struct logos_channel_io){ .handle = hB, .msgs = PTR(b->msgs),
						   .count = BATCH, .timeout_ns = 100000000 };
		__atomic_store_n(&b->pending, 1, __ATOMIC_SEQ_CST);
		ret = xioctl(mfd, LOGOS_IOC_CHANNEL_RECV, &b->io);
		cons_account(b, my_pair, false);
		__atomic_store_n(&b->pending, 0, __ATOMIC_SEQ_CST);
		if (ret == -ETIMEDOUT || ret == -EAGAIN) {
			if (sh->phase == PH_STOP)
				return;	/* drained: the producers are gone */
			continue;
		}
		if (ret == -EINTR) {
			/* a stop, not a signal: must not happen (a pause is transparent) */
			__atomic_add_fetch(&sh->eintr, 1, __ATOMIC_RELAXED);
		} else if (ret) {
			child_fail("cons%d: receive failed: %s", my_pair, strerror(-ret));
			sleep_us(10000);
		}
	}
}

#define PUB_UNSET	0xffffffffU	/* arg.delivered before the ioctl wrote it */

/* What a publish did; the supervisor runs it again for a killed publisher. */
void pub_account(int ret, bool killed)
{
	struct pubstate *p = &sh->pub;
	struct pubcounts n = p->c[p->cur];

	if (n.seq >= p->data.seq)
		return;		/* accounted already */
	if (p->arg.delivered == PUB_UNSET) {
		/* refused (nothing copied back), or never issued */
		if (killed)
			return;
		n.refused++;
		if (ret != -EDQUOT)
			child_fail("pub: publish refused with %s", strerror(-ret));
	} else {
		n.seq = p->data.seq;
		n.delivered += p->arg.delivered;
		n.dropped += p->arg.dropped;
	}
	p->c[!p->cur] = n;
	__atomic_store_n(&p->cur, !p->cur, __ATOMIC_SEQ_CST);
}

void pub_main(void)
{
	struct pubstate *p = &sh->pub;

	while (sh->phase < PH_STOP_SEND) {
		uint32_t len = 16 + rnd(240);
		int ret;

		p->data.magic = MAGIC;
		p->data.stream = 0;
		p->data.seq = p->c[p->cur].seq + 1;
		fill_pattern(&p->data, len);
		p->arg = (struct logos_topic_publish){
			.handle = hA, .msg = { .data = PTR(&p->data), .data_len = len },
			.delivered = PUB_UNSET };
		__atomic_store_n(&p->pending, 1, __ATOMIC_SEQ_CST);
		ret = xioctl(mfd, LOGOS_IOC_TOPIC_PUBLISH, &p->arg);
		if (ret)
			p->arg.delivered = PUB_UNSET;
		pub_account(ret, false);
		__atomic_store_n(&p->pending, 0, __ATOMIC_SEQ_CST);
		sleep_us(3000);
	}
}

/* Takes what a subscriber's batch received; @salvage as for cons_account(). */
void sub_account(int i, bool salvage)
{
	struct substate *st = &sh->sub[i];
	struct iobuf *b = &st->b;

	for (uint32_t k = 0; k < b->io.done; k++) {
		struct payload *p = &b->data[k];
		uint32_t len = b->msgs[k].data_len;
		struct subcounts n = st->c[st->cur];

		if (p->magic != MAGIC || p->stream || len < 16 || len > MSG_MAX ||
		    !pattern_ok(p, len)) {
			child_fail("sub%d: a damaged message (%u bytes)", i, len);
			continue;
		}
		if (p->seq <= n.last) {
			if (!salvage)
				child_fail("sub%d: seq %llu after %llu", i,
					   (unsigned long long)p->seq, (unsigned long long)n.last);
			continue;	/* counted before the subscriber died */
		}
		n.last = p->seq;
		n.received++;
		n.dropped += b->msgs[k].header.dropped;
		/* every message before this one was received or reported dropped */
		if (n.received + n.dropped < n.last && !n.silent) {
			n.silent = n.last - n.received - n.dropped;
			child_fail("sub%d: at seq %llu, %llu messages missing without a drop count",
				   i, (unsigned long long)n.last, (unsigned long long)n.silent);
		}
		st->c[!st->cur] = n;
		__atomic_store_n(&st->cur, !st->cur, __ATOMIC_SEQ_CST);
	}
}

void sub_main(void)
{
	struct iobuf *b = &sh->sub[my_pair].b;

	for (;;) {
		int ret;

		for (int k = 0; k < BATCH; k++)
			b->msgs[k] = (struct logos_msg){ .data = PTR(&b->data[k]),
							 .data_len = MSG_MAX };
		b->io = (struct logos_channel_io){ .handle = hB, .msgs = PTR(b->msgs),
						   .count = BATCH, .timeout_ns = 100000000 };
		__atomic_store_n(&b->pending, 1, __ATOMIC_SEQ_CST);
		ret = xioctl(mfd, LOGOS_IOC_CHANNEL_RECV, &b->io);
		sub_account(my_pair, false);
		__atomic_store_n(&b->pending, 0, __ATOMIC_SEQ_CST);
		if (ret == -ETIMEDOUT || ret == -EAGAIN) {
			if (sh->phase == PH_STOP)
				return;
			continue;
		}
		if (ret == -EINTR) {
			/* a stop, not a signal: must not happen (a pause is transparent) */
			__atomic_add_fetch(&sh->eintr, 1, __ATOMIC_RELAXED);
		} else if (ret) {
			child_fail("sub%d: receive failed: %s", my_pair, strerror(-ret));
			sleep_us(10000);
		}
		sleep_us(2000);	/* slower than the publisher when it is busy */
	}
}

static sigjmp_buf bus_jmp;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(bus_jmp, 1);
}

void mapper_main(void)
{
	struct sigaction sa = { .sa_handler = on_sigbus };

	sigaction(SIGBUS, &sa, NULL);
	while (sh->phase < PH_STOP) {
		uint64_t gen;
		struct logos_msg_handle mh = { 0 };
		struct logos_msg m = { .data = PTR(&gen), .data_len = sizeof(gen),
				       .handles = PTR(&mh), .nr_handles = 1 };
		struct logos_channel_io io = { .handle = hB, .msgs = PTR(&m), .count = 1,
					       .timeout_ns = 100000000 };
		struct logos_mem_info mi = { 0 };
		struct logos_handle_close hc = { 0 };
		volatile uint64_t *volatile map = NULL;
		volatile size_t size = 0;
		int ret = xioctl(mfd, LOGOS_IOC_CHANNEL_RECV, &io);

		if (ret == -ETIMEDOUT || ret == -EAGAIN || ret == -EINTR)
			continue;
		if (ret || m.nr_handles != 1 || m.data_len != sizeof(gen)) {
			child_fail("mapper: receive: %s, %u handles", strerror(-ret), m.nr_handles);
			sleep_us(10000);
			continue;
		}
		hc.handle = mh.handle;
		mi.handle = mh.handle;
		ret = xioctl(mfd, LOGOS_IOC_MEM_INFO, &mi);
		if (!ret) {
			void *p = mmap(NULL, mi.size, PROT_READ, MAP_SHARED, mfd, mi.mmap_offset);

			ret = p == MAP_FAILED ? -errno : 0;
			if (!ret) {
				map = p;
				size = mi.size;
			}
		}
		if (ret == -EKEYREVOKED) {
			sh->stale_grants++;	/* revoked in flight: the supervisor gave up on it */
		} else if (ret) {
			sh->map_errors++;
			child_fail("mapper: grant %llu: %s", (unsigned long long)gen, strerror(-ret));
		} else if (!sigsetjmp(bus_jmp, 1)) {
			sh->mapped_gen = gen;
			while (sh->phase < PH_STOP) {
				for (size_t i = 0; i < size / 8; i++) {
					if (map[i] != gen) {
						sh->corrupt++;
						child_fail("mapper: grant %llu word %zu reads %llu",
							   (unsigned long long)gen, i,
							   (unsigned long long)map[i]);
						break;
					}
				}
				sleep_us(500);
			}
		} else {
			sh->sigbus++;
			sh->sigbus_gen = gen;
		}
		if (map)
			munmap((void *)map, size);
		xioctl(mfd, LOGOS_IOC_HANDLE_CLOSE, &hc);
	}
}

/* ---- the hostile module --------------------------------------------------- */

static void hclose(uint32_t h)
{
	struct logos_handle_close c = { .handle = h };

	xioctl(mfd, LOGOS_IOC_HANDLE_CLOSE, &c);
}

static int hinfo(struct logos_module_info *mi)
{
	memset(mi, 0, sizeof(*mi));
	mi->handle = LOGOS_HANDLE_SELF;
	return xioctl(mfd, LOGOS_IOC_MODULE_INFO, mi);
}

/* Records whether step @st ended as it must: @ret is @want and usage of
 * @res could not take @need more. */
static void hjudge(int st, int ret, int want, int res, uint64_t need)
{
	struct logos_module_info mi;
	bool ok = ret == want;

	if (ok && res >= 0 && !hinfo(&mi))
		ok = mi.usage[res] + need > mi.limit[res] && mi.usage[res] <= mi.limit[res];
	if (ok) {
		sh->hok[st]++;
	} else {
		sh->hbad[st]++;
		child_fail("hostile: %s: got %s", hstep_name[st], strerror(-ret));
	}
}

static void hzero(void)
{
	struct logos_module_info mi;
	bool ok = !hinfo(&mi);

	for (int r = 0; ok && r < __LOGOS_RES_MAX; r++)
		ok = !mi.usage[r];
	if (ok) {
		sh->hok[H_RELEASE]++;
	} else {
		sh->hbad[H_RELEASE]++;
		child_fail("hostile: usage not back to zero after a step");
	}
}

static void hostile_round(void)
{
	static uint32_t hs[512];
	struct logos_module_info mi;
	uint64_t denied0;
	int n, ret, denials = 0;
	uint8_t big[8192] = { 0 };

	if (hinfo(&mi))
		return;
	denied0 = mi.denied_quota;

	/* events */
	for (n = 0, ret = 0; n < 512; n++) {
		struct logos_event_create e = { 0 };

		ret = xioctl(mfd, LOGOS_IOC_EVENT_CREATE, &e);
		if (ret)
			break;
		hs[n] = e.handle;
	}
	hjudge(H_EVENTS, ret, -EDQUOT, LOGOS_RES_EVENTS, 1);
	denials++;
	while (n--)
		hclose(hs[n]);
	hzero();

	/* channel endpoints */
	for (n = 0, ret = 0; n < 256; n++) {
		struct logos_channel_create c = { 0 };

		ret = xioctl(mfd, LOGOS_IOC_CHANNEL_CREATE, &c);
		if (ret)
			break;
		hs[2 * n] = c.handle0;
		hs[2 * n + 1] = c.handle1;
	}
	hjudge(H_CHANNELS, ret, -EDQUOT, LOGOS_RES_CHANNELS, 2);
	denials++;
	for (n *= 2; n--;)
		hclose(hs[n]);
	hzero();

	/* objects: one-page memory objects, the object limit comes first */
	for (n = 0, ret = 0; n < 512; n++) {
		struct logos_mem_create c = { .size = PAGE };

		ret = xioctl(mfd, LOGOS_IOC_MEM_CREATE, &c);
		if (ret)
			break;
		hs[n] = c.handle;
	}
	hjudge(H_OBJECTS, ret, -EDQUOT, LOGOS_RES_OBJECTS, 1);
	denials++;
	while (n--)
		hclose(hs[n]);
	hzero();

	/* handles: duplicates of one event */
	{
		struct logos_event_create e = { 0 };

		if (!xioctl(mfd, LOGOS_IOC_EVENT_CREATE, &e)) {
			for (n = 0, ret = 0; n < 512; n++) {
				struct logos_handle_dup d = { .handle = e.handle,
							      .rights = LOGOS_RIGHTS_SAME };

				ret = xioctl(mfd, LOGOS_IOC_HANDLE_DUPLICATE, &d);
				if (ret)
					break;
				hs[n] = d.new_handle;
			}
			hjudge(H_HANDLES, ret, -EDQUOT, LOGOS_RES_HANDLES, 1);
			denials++;
			while (n--)
				hclose(hs[n]);
			hclose(e.handle);
			hzero();
		}
	}

	/* memory pages: 32-page objects */
	for (n = 0, ret = 0; n < 512; n++) {
		struct logos_mem_create c = { .size = 32 * PAGE };

		ret = xioctl(mfd, LOGOS_IOC_MEM_CREATE, &c);
		if (ret)
			break;
		hs[n] = c.handle;
	}
	hjudge(H_MEMORY, ret, -EDQUOT, LOGOS_RES_MEMORY_PAGES, 32);
	denials++;
	while (n--)
		hclose(hs[n]);
	hzero();

	/* mapped pages: 4-page mappings of one object */
	{
		struct logos_mem_create c = { .size = 64 * PAGE };
		void *maps[64];

		if (!xioctl(mfd, LOGOS_IOC_MEM_CREATE, &c)) {
			for (n = 0, ret = 0; n < 64; n++) {
				maps[n] = mmap(NULL, 4 * PAGE, PROT_READ, MAP_SHARED, mfd,
					       c.mmap_offset);
				if (maps[n] == MAP_FAILED) {
					ret = -errno;
					break;
				}
			}
			hjudge(H_MAPPED, ret, -EDQUOT, LOGOS_RES_MAPPED_PAGES, 4);
			denials++;
			while (n--)
				munmap(maps[n], 4 * PAGE);
			hclose(c.handle);
			hzero();
		}
	}

	/* queued messages, queued bytes, a full queue */
	for (int st = H_MSGS; st <= H_QUEUE_FULL; st++) {
		struct logos_channel_create c = { .max_msgs = st == H_QUEUE_FULL ? 4 : 0 };
		uint32_t len = st == H_BYTES ? sizeof(big) : 16;

		if (xioctl(mfd, LOGOS_IOC_CHANNEL_CREATE, &c))
			continue;
		for (n = 0, ret = 0; n < 512; n++) {
			struct logos_msg m = { .data = PTR(big), .data_len = len };
			struct logos_channel_io io = { .handle = c.handle0, .msgs = PTR(&m),
						       .count = 1 };

			ret = xioctl(mfd, LOGOS_IOC_CHANNEL_SEND, &io);
			if (ret)
				break;
		}
		if (st == H_QUEUE_FULL) {
			hjudge(st, ret, -EAGAIN, -1, 0);
		} else {
			hjudge(st, ret, -EDQUOT,
			       st == H_MSGS ? LOGOS_RES_MSGS_QUEUED : LOGOS_RES_BYTES_QUEUED,
			       st == H_MSGS ? 1 : len);
			denials++;
		}
		hclose(c.handle0);
		hclose(c.handle1);
		hzero();
	}

	if (!hinfo(&mi) && mi.denied_quota - denied0 == (uint64_t)denials) {
		sh->hok[H_DENIED]++;
	} else {
		sh->hbad[H_DENIED]++;
		child_fail("hostile: denied_quota grew by %llu, %d denials",
			   (unsigned long long)(mi.denied_quota - denied0), denials);
	}
	sh->hostile_rounds++;
}

void hostile_main(void)
{
	while (sh->phase < PH_STOP) {
		if (sh->phase == PH_CHAOS)
			hostile_round();
		sleep_us(20000 + rnd(30000));
	}
}
