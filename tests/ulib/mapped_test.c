// SPDX-License-Identifier: GPL-2.0
/*
 * Mapped channels through liblogos against logos.ko: ordering, batches,
 * full and empty rings, payloads larger than a slot, wake-ups with both
 * sides sleeping, the event loop, peer death, revocation mid-stream, a
 * deliberately corrupted ring, the trust policy, and a multi-million
 * message stress run with every message checked.
 */
#include "helpers.h"

#include <stdatomic.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"

/* LOGOS_MAPPED_STRESS=N in the environment changes the stress run's count. */
static uint64_t stress_msgs(void)
{
	const char *s = getenv("LOGOS_MAPPED_STRESS");

	return s && *s ? strtoull(s, NULL, 0) : 2000000ULL;
}

/* A module context allowed to use mapped channels, and a channel to it. */
struct peer {
	logos_handle_t module, ep;	/* supervisor side */
	int fd;				/* the module file */
	logos_handle_t boot;		/* the module's end, in its table */
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * SEC + ts.tv_nsec;
}

static int peer_create(int sfd, uint32_t flags, struct peer *p)
{
	struct logos_module_create a = { .trust_level = LOGOS_TRUST_SYSTEM, .flags = flags };
	logos_handle_t ep1;
	int ret;

	strcpy(a.name, "mapped-peer");
	ret = ioctl(sfd, LOGOS_IOC_MODULE_CREATE, &a) ? -errno : 0;
	if (ret)
		return ret;
	p->module = a.handle;
	p->fd = a.fd;
	ret = logos_channel_create(sfd, 0, 0, &p->ep, &ep1);
	if (!ret)
		ret = logos_handle_give(sfd, p->module, ep1, EP_RIGHTS, LOGOS_GIVE_MOVE, &p->boot);
	return ret;
}

static void peer_release(int sfd, struct peer *p)
{
	if (p->fd >= 0)
		close(p->fd);
	logos_handle_close(sfd, p->ep);
	logos_handle_close(sfd, p->module);
}

/* Both sides in this process, on the supervisor file. */
static int local_pair(int fd, uint32_t slot, uint32_t nr, struct logos_mapped **a,
		      struct logos_mapped **b)
{
	logos_handle_t e0, e1;
	int ret;

	ret = logos_mapped_create(fd, slot, nr, a);
	if (!ret)
		ret = logos_channel_create(fd, 0, 0, &e0, &e1);
	if (!ret)
		ret = logos_mapped_offer(*a, e0, 0);
	if (!ret)
		ret = logos_mapped_accept(fd, e1, 0, b);
	logos_handle_close(fd, e0);
	logos_handle_close(fd, e1);
	return ret;
}

/* The payload of message @i: its index, then bytes derived from it. */
static void fill(uint8_t *buf, size_t len, uint64_t i)
{
	uint64_t x = i * 0x9e3779b97f4a7c15ULL + 1;

	memcpy(buf, &i, len < 8 ? len : 8);
	for (size_t k = 8; k < len; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[k] = (uint8_t)x;
	}
}

static int check(const uint8_t *buf, size_t len, uint64_t i)
{
	uint8_t want[LOGOS_MAPPED_MAX_SLOT];

	fill(want, len, i);
	return memcmp(buf, want, len) ? -1 : 0;
}

FIXTURE(mapped) {
	int fd;
	struct logos_mapped *a, *b;
};

FIXTURE_SETUP(mapped)
{
	self->fd = logos_open();
	ASSERT_LE(0, self->fd);
	self->a = self->b = NULL;
}

FIXTURE_TEARDOWN(mapped)
{
	logos_mapped_close(self->a);
	logos_mapped_close(self->b);
	close(self->fd);
}

TEST_F(mapped, messages_arrive_in_order_both_ways)
{
	uint8_t buf[64];
	uint64_t i;
	int n;

	ASSERT_EQ(0, local_pair(self->fd, 64, 16, &self->a, &self->b));
	EXPECT_EQ(56, logos_mapped_slot_payload(self->a));
	for (i = 0; i < 1000; i++) {
		fill(buf, 56, i);
		ASSERT_EQ(0, logos_mapped_send(self->a, buf, 56, LONG));
		ASSERT_EQ(0, logos_mapped_send(self->b, buf, (size_t)(i % 57), LONG));
		n = logos_mapped_recv(self->b, buf, sizeof(buf), NULL, LONG);
		ASSERT_EQ(56, n);
		ASSERT_EQ(0, check(buf, 56, i));
		n = logos_mapped_recv(self->a, buf, sizeof(buf), NULL, LONG);
		ASSERT_EQ((int)(i % 57), n);
	}
	EXPECT_EQ(-EAGAIN, logos_mapped_recv(self->a, buf, sizeof(buf), NULL, 0));
}

TEST_F(mapped, batches_keep_order_and_stop_at_the_ring_size)
{
	uint8_t data[40][64], out[40][64];
	struct iovec v[40], r[40];
	uint32_t sent = 0, got = 0;
	int i, n;

	ASSERT_EQ(0, local_pair(self->fd, 64, 32, &self->a, &self->b));
	for (i = 0; i < 40; i++) {
		fill(data[i], 56, (uint64_t)i);
		v[i].iov_base = data[i];
		v[i].iov_len = 8 + (size_t)i;
	}
	ASSERT_EQ(0, logos_mapped_send_batch(self->a, v, 40, 0, &sent));
	EXPECT_EQ(32, sent);
	EXPECT_EQ(-EAGAIN, logos_mapped_send_batch(self->a, v + 32, 8, 0, &sent));
	while (got < 32) {
		for (i = 0; i < 40; i++) {
			r[i].iov_base = out[i];
			r[i].iov_len = sizeof(out[i]);
		}
		n = logos_mapped_recv_batch(self->b, r, 10, 0);
		ASSERT_LT(0, n);
		ASSERT_GE(10, n);
		for (i = 0; i < n; i++) {
			ASSERT_EQ(8 + got + i, r[i].iov_len);
			ASSERT_EQ(0, check(out[i], r[i].iov_len, got + i));
		}
		got += (uint32_t)n;
	}
	EXPECT_EQ(-EAGAIN, logos_mapped_recv_batch(self->b, r, 10, 0));
}

TEST_F(mapped, a_full_ring_refuses_and_an_empty_one_waits)
{
	char buf[64] = "x";
	size_t need = 0;
	int64_t t0;

	ASSERT_EQ(0, local_pair(self->fd, 64, 4, &self->a, &self->b));
	EXPECT_EQ(-EAGAIN, logos_mapped_recv(self->b, buf, sizeof(buf), NULL, 0));
	t0 = now_ns();
	EXPECT_EQ(-ETIMEDOUT, logos_mapped_recv(self->b, buf, sizeof(buf), NULL, 50 * MS));
	EXPECT_LE(50 * MS, now_ns() - t0);
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(0, logos_mapped_send(self->a, "abcd", 4, 0));
	/* Full: never an overwrite. */
	EXPECT_EQ(-EAGAIN, logos_mapped_send(self->a, "efgh", 4, 0));
	EXPECT_EQ(-ETIMEDOUT, logos_mapped_send(self->a, "efgh", 4, 30 * MS));
	EXPECT_EQ(-EMSGSIZE, logos_mapped_recv(self->b, buf, 2, &need, 0));
	EXPECT_EQ(4, need);
	EXPECT_EQ(4, logos_mapped_recv(self->b, buf, sizeof(buf), NULL, 0));
	EXPECT_EQ(0, logos_mapped_send(self->a, "efgh", 4, 0));
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(4, logos_mapped_recv(self->b, buf, sizeof(buf), NULL, 0));
	EXPECT_EQ(0, memcmp(buf, "efgh", 4));
}

TEST_F(mapped, payloads_larger_than_a_slot_travel_as_grants)
{
	static uint8_t big[100000], out[100000];
	size_t need = 0;

	ASSERT_EQ(0, local_pair(self->fd, 64, 8, &self->a, &self->b));
	fill(big, sizeof(big), 7);
	ASSERT_EQ(0, logos_mapped_send(self->a, "small", 5, 0));
	ASSERT_EQ(0, logos_mapped_send(self->a, big, sizeof(big), 0));
	ASSERT_EQ(0, logos_mapped_send(self->a, "after", 5, 0));
	EXPECT_EQ(5, logos_mapped_recv(self->b, out, sizeof(out), NULL, 0));
	EXPECT_EQ(-EMSGSIZE, logos_mapped_recv(self->b, out, 100, &need, 0));
	EXPECT_EQ(sizeof(big), need);
	EXPECT_EQ((int)sizeof(big), logos_mapped_recv(self->b, out, sizeof(out), NULL, 0));
	EXPECT_EQ(0, memcmp(big, out, sizeof(big)));
	EXPECT_EQ(5, logos_mapped_recv(self->b, out, sizeof(out), NULL, 0));
	EXPECT_EQ(0, memcmp(out, "after", 5));
}

struct pingpong {
	struct logos_mapped *mc;
	int rounds;
	int err;
};

static void *echo_thread(void *arg)
{
	struct pingpong *p = arg;
	uint8_t buf[64];
	int n;

	for (int i = 0; i < p->rounds; i++) {
		n = logos_mapped_recv(p->mc, buf, sizeof(buf), NULL, LONG);
		if (n < 0) {
			p->err = n;
			break;
		}
		n = logos_mapped_send(p->mc, buf, (size_t)n, LONG);
		if (n < 0) {
			p->err = n;
			break;
		}
	}
	return NULL;
}

/* Spin 0: every wait ends in the kernel, so every message needs a ring. */
TEST_F_TIMEOUT(mapped, wakeups_are_never_lost_with_both_sides_sleeping, 300)
{
	struct pingpong p = { .rounds = 1000 };
	uint8_t buf[64];
	pthread_t t;

	ASSERT_EQ(0, local_pair(self->fd, 64, 4, &self->a, &self->b));
	logos_mapped_set_spin(self->a, 0);
	logos_mapped_set_spin(self->b, 0);
	p.mc = self->b;
	ASSERT_EQ(0, pthread_create(&t, NULL, echo_thread, &p));
	for (int i = 0; i < p.rounds; i++) {
		fill(buf, 16, (uint64_t)i);
		ASSERT_EQ(0, logos_mapped_send(self->a, buf, 16, LONG));
		ASSERT_EQ(16, logos_mapped_recv(self->a, buf, sizeof(buf), NULL, LONG));
		ASSERT_EQ(0, check(buf, 16, (uint64_t)i));
	}
	pthread_join(t, NULL);
	EXPECT_EQ(0, p.err);
}

struct producer {
	struct logos_mapped *mc;
	uint64_t count;
	int err;
};

static void *produce_thread(void *arg)
{
	struct producer *p = arg;
	uint8_t buf[56];

	for (uint64_t i = 0; i < p->count; i++) {
		fill(buf, sizeof(buf), i);
		p->err = logos_mapped_send(p->mc, buf, sizeof(buf), LONG);
		if (p->err)
			break;
	}
	return NULL;
}

/* Sleeping producer on a 2-slot ring against a slow consumer: room wake-ups. */
TEST_F_TIMEOUT(mapped, a_producer_sleeping_for_room_is_woken, 300)
{
	struct producer p = { .count = 2000 };
	uint8_t buf[64];
	pthread_t t;

	ASSERT_EQ(0, local_pair(self->fd, 64, 2, &self->a, &self->b));
	logos_mapped_set_spin(self->a, 0);
	logos_mapped_set_spin(self->b, 0);
	p.mc = self->a;
	ASSERT_EQ(0, pthread_create(&t, NULL, produce_thread, &p));
	for (uint64_t i = 0; i < p.count; i++) {
		ASSERT_EQ(56, logos_mapped_recv(self->b, buf, sizeof(buf), NULL, LONG));
		ASSERT_EQ(0, check(buf, 56, i));
		if (i % 500 == 0)
			usleep(20000);
	}
	pthread_join(t, NULL);
	EXPECT_EQ(0, p.err);
}

struct loop_state {
	struct logos_mapped *mc;
	uint64_t got;
	uint64_t want;
	int err;
};

static void on_ring(struct logos_loop *loop, logos_handle_t h, uint32_t observed, void *arg)
{
	struct loop_state *s = arg;
	uint8_t buf[64];
	int n;

	(void)h;
	(void)observed;
	logos_mapped_ack(s->mc);
	for (;;) {
		while ((n = logos_mapped_recv(s->mc, buf, sizeof(buf), NULL, 0)) >= 0) {
			if (check(buf, (size_t)n, s->got++))
				s->err = -EBADMSG;
		}
		if (n != -EAGAIN) {
			s->err = n;
			break;
		}
		n = logos_mapped_arm(s->mc);
		if (n <= 0) {
			if (n < 0)
				s->err = n;
			break;
		}
	}
	if (s->got >= s->want || s->err)
		logos_loop_stop(loop);
}

TEST_F_TIMEOUT(mapped, the_event_loop_receives_on_the_doorbell, 300)
{
	struct producer p = { .count = 5000 };
	struct loop_state s = { .want = 5000 };
	struct logos_loop *loop;
	pthread_t t;

	ASSERT_EQ(0, local_pair(self->fd, 64, 16, &self->a, &self->b));
	logos_mapped_set_spin(self->a, 0);
	s.mc = self->b;
	ASSERT_EQ(0, logos_loop_new(self->fd, &loop));
	ASSERT_EQ(0, logos_loop_watch(loop, logos_mapped_handle(self->b),
				      LOGOS_MAPPED_WATCH_SIGNALS, 0, on_ring, &s, NULL));
	ASSERT_EQ(0, logos_mapped_arm(self->b));
	p.mc = self->a;
	ASSERT_EQ(0, pthread_create(&t, NULL, produce_thread, &p));
	ASSERT_EQ(0, logos_loop_run(loop));
	pthread_join(t, NULL);
	logos_loop_free(loop);
	EXPECT_EQ(0, p.err);
	EXPECT_EQ(0, s.err);
	EXPECT_EQ(5000, s.got);
}

/* The child: the peer module, accepting over its bootstrap channel. */
static int child_stream(const struct peer *p, uint64_t count, bool forever)
{
	struct logos_mapped *mc;
	uint8_t buf[56];
	int ret;

	ret = logos_mapped_accept(p->fd, p->boot, LONG, &mc);
	if (ret)
		return 10;
	for (uint64_t i = 0; forever || i < count; i++) {
		fill(buf, sizeof(buf), i);
		ret = logos_mapped_send(mc, buf, sizeof(buf), LONG);
		if (ret == -EKEYREVOKED)
			return 20;
		if (ret)
			return 11;
	}
	return 0;
}

TEST_F(mapped, the_survivor_sees_peer_death_after_draining)
{
	struct peer p;
	uint8_t buf[64];
	uint32_t side;
	pid_t pid;
	int status;

	ASSERT_EQ(0, peer_create(self->fd, LOGOS_MODULE_ALLOW_MAPPED, &p));
	ASSERT_EQ(0, logos_mapped_create(self->fd, 64, 64, &self->a));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(child_stream(&p, 10, false));
	close(p.fd);
	p.fd = -1;
	ASSERT_EQ(0, logos_mapped_offer(self->a, p.ep, LONG));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	/* What it sent before it died is still there, then -EPIPE. */
	for (uint64_t i = 0; i < 10; i++) {
		ASSERT_EQ(56, logos_mapped_recv(self->a, buf, sizeof(buf), NULL, LONG));
		ASSERT_EQ(0, check(buf, 56, i));
	}
	EXPECT_EQ(-EPIPE, logos_mapped_recv(self->a, buf, sizeof(buf), NULL, LONG));
	EXPECT_EQ(-EPIPE, logos_mapped_send(self->a, buf, 8, LONG));
	EXPECT_EQ(LOGOS_MAPPED_CLOSED(1), logos_mapped_status(self->a, &side));
	EXPECT_EQ(0, side);
	peer_release(self->fd, &p);
}

TEST_F(mapped, a_sleeping_survivor_is_woken_by_a_crash)
{
	struct peer p;
	uint8_t buf[64];
	pid_t pid;
	int status;

	ASSERT_EQ(0, peer_create(self->fd, LOGOS_MODULE_ALLOW_MAPPED, &p));
	ASSERT_EQ(0, logos_mapped_create(self->fd, 64, 64, &self->a));
	logos_mapped_set_spin(self->a, 0);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct logos_mapped *mc;

		if (logos_mapped_accept(p.fd, p.boot, LONG, &mc))
			_exit(10);
		usleep(200000);
		raise(SIGKILL);
	}
	close(p.fd);
	p.fd = -1;
	ASSERT_EQ(0, logos_mapped_offer(self->a, p.ep, LONG));
	EXPECT_EQ(-EPIPE, logos_mapped_recv(self->a, buf, sizeof(buf), NULL, LONG));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	peer_release(self->fd, &p);
}

TEST_F_TIMEOUT(mapped, revocation_mid_stream_ends_the_channel_for_both, 120)
{
	struct peer p;
	uint8_t buf[64];
	uint64_t i;
	pid_t pid;
	int status, n;

	ASSERT_EQ(0, peer_create(self->fd, LOGOS_MODULE_ALLOW_MAPPED, &p));
	ASSERT_EQ(0, logos_mapped_create(self->fd, 64, 64, &self->a));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(child_stream(&p, 0, true));
	close(p.fd);
	p.fd = -1;
	ASSERT_EQ(0, logos_mapped_offer(self->a, p.ep, LONG));
	for (i = 0; i < 1000; i++) {
		ASSERT_EQ(56, logos_mapped_recv(self->a, buf, sizeof(buf), NULL, LONG));
		ASSERT_EQ(0, check(buf, 56, i));
	}
	ASSERT_EQ(0, logos_mapped_revoke_peer(self->a));
	/* The survivor drains what was published, checked, then learns why. */
	while ((n = logos_mapped_recv(self->a, buf, sizeof(buf), NULL, LONG)) == 56)
		ASSERT_EQ(0, check(buf, 56, i++));
	EXPECT_EQ(-EKEYREVOKED, n);
	EXPECT_EQ(LOGOS_MAPPED_REVOKED(1), logos_mapped_status(self->a, NULL) & LOGOS_MAPPED_REVOKED(1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	/* The revoked side learns it, or touches its unmapped ring (SIGBUS). */
	EXPECT_TRUE((WIFEXITED(status) && WEXITSTATUS(status) == 20) ||
		    (WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS))
		TH_LOG("child status %#x", status);
	peer_release(self->fd, &p);
}

/* The attacker is side 1 mapped by hand; side 0 is liblogos. */
struct raw_side {
	logos_handle_t h0, h1;
	struct logos_mapped_map map;
	uint8_t *ring;
	struct logos_mapped_ring *hdr;	/* the ring side 1 produces */
};

static int raw_pair(int fd, struct raw_side *r, struct logos_mapped **mc)
{
	struct logos_mapped_create c = { .slot_size = 64, .nr_slots = 8 };
	const struct logos_mapped_ctl *ctl;
	void *p;

	if (ioctl(fd, LOGOS_IOC_MAPPED_CREATE, &c))
		return -errno;
	r->h0 = c.handle0;
	r->h1 = c.handle1;
	memset(&r->map, 0, sizeof(r->map));
	r->map.handle = r->h1;
	if (ioctl(fd, LOGOS_IOC_MAPPED_MAP, &r->map))
		return -errno;
	p = mmap(NULL, r->map.ring_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)r->map.ring_mmap_offset);
	if (p == MAP_FAILED)
		return -errno;
	r->ring = p;
	ctl = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, (off_t)r->map.ctl_mmap_offset);
	if (ctl == MAP_FAILED)
		return -errno;
	r->hdr = (struct logos_mapped_ring *)(r->ring + ctl->ring_offset[1]);
	munmap((void *)ctl, 4096);
	return logos_mapped_open(fd, r->h0, LOGOS_HANDLE_INVALID, mc);
}

static void raw_put(struct raw_side *r, uint64_t index, uint32_t len, uint32_t flags)
{
	struct logos_mapped_slot *s = (void *)((uint8_t *)r->hdr + LOGOS_MAPPED_RING_HDR +
					       (index & 7) * 64);

	s->len = len;
	s->flags = flags;
	__atomic_store_n(&r->hdr->tail, index + 1, __ATOMIC_RELEASE);
}

TEST_F(mapped, a_corrupt_tail_is_an_error_not_an_overread)
{
	struct raw_side r;
	uint8_t buf[64];

	ASSERT_EQ(0, raw_pair(self->fd, &r, &self->a));
	raw_put(&r, 0, 5, 0);
	EXPECT_EQ(5, logos_mapped_recv(self->a, buf, sizeof(buf), NULL, 0));
	/* A tail far ahead of head: more slots than the ring has. */
	__atomic_store_n(&r.hdr->tail, 1000, __ATOMIC_RELEASE);
	EXPECT_EQ(-EBADMSG, logos_mapped_recv(self->a, buf, sizeof(buf), NULL, 0));
	/* For good: repairing it does not revive the channel. */
	__atomic_store_n(&r.hdr->tail, 1, __ATOMIC_RELEASE);
	EXPECT_EQ(-EBADMSG, logos_mapped_recv(self->a, buf, sizeof(buf), NULL, 0));
	munmap(r.ring, r.map.ring_size);
	logos_handle_close(self->fd, r.h1);
}

TEST_F(mapped, corrupt_lengths_flags_and_grants_are_refused)
{
	static const struct { uint32_t len, flags; } bad[] = {
		{ 57, 0 },			/* longer than a slot's payload */
		{ 0xffffffff, 0 },
		{ 4, 0x80 },			/* unknown flag */
		{ 4, LOGOS_MAPPED_SLOT_GRANT },	/* a grant with no companion channel */
	};
	uint8_t buf[64];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct logos_mapped *mc;
		struct raw_side r;

		ASSERT_EQ(0, raw_pair(self->fd, &r, &mc));
		raw_put(&r, 0, bad[i].len, bad[i].flags);
		EXPECT_EQ(-EBADMSG, logos_mapped_recv(mc, buf, sizeof(buf), NULL, 0))
			TH_LOG("case %zu", i);
		logos_mapped_close(mc);
		munmap(r.ring, r.map.ring_size);
		logos_handle_close(self->fd, r.h1);
	}
}

TEST_F(mapped, a_corrupt_head_stops_the_producer)
{
	struct raw_side r;
	/* Ring 0 is what side 0 produces; side 1 consumes it and lies. */
	struct logos_mapped_ring *h0;

	ASSERT_EQ(0, raw_pair(self->fd, &r, &self->a));
	h0 = (struct logos_mapped_ring *)r.ring;
	ASSERT_EQ(0, logos_mapped_send(self->a, "a", 1, 0));
	__atomic_store_n(&h0->head, 77, __ATOMIC_RELEASE);
	EXPECT_EQ(-EBADMSG, logos_mapped_send(self->a, "b", 1, 0));
	munmap(r.ring, r.map.ring_size);
	logos_handle_close(self->fd, r.h1);
}

TEST_F(mapped, modules_without_the_policy_flag_are_refused)
{
	struct logos_mapped_create c = { 0 };
	struct logos_mapped_map m = { 0 };
	struct peer p, q;
	logos_handle_t given;

	ASSERT_EQ(0, peer_create(self->fd, 0, &p));
	EXPECT_EQ(-1, ioctl(p.fd, LOGOS_IOC_MAPPED_CREATE, &c));
	EXPECT_EQ(EPERM, errno);
	/* An endpoint it is given is no use to it either. */
	ASSERT_EQ(0, ioctl(self->fd, LOGOS_IOC_MAPPED_CREATE, &c));
	ASSERT_EQ(0, logos_handle_give(self->fd, p.module, c.handle1, LOGOS_RIGHTS_SAME, 0, &given));
	m.handle = given;
	EXPECT_EQ(-1, ioctl(p.fd, LOGOS_IOC_MAPPED_MAP, &m));
	EXPECT_EQ(EPERM, errno);
	/* With the flag, the same works. */
	ASSERT_EQ(0, peer_create(self->fd, LOGOS_MODULE_ALLOW_MAPPED, &q));
	ASSERT_EQ(0, logos_handle_give(self->fd, q.module, c.handle1, LOGOS_RIGHTS_SAME, 0, &given));
	m.handle = given;
	EXPECT_EQ(0, ioctl(q.fd, LOGOS_IOC_MAPPED_MAP, &m));
	EXPECT_EQ(1, m.side);
	/* Exactly two: the side is taken. */
	m.handle = c.handle1;
	EXPECT_EQ(-1, ioctl(self->fd, LOGOS_IOC_MAPPED_MAP, &m));
	EXPECT_EQ(EBUSY, errno);
	logos_handle_close(self->fd, c.handle0);
	logos_handle_close(self->fd, c.handle1);
	peer_release(self->fd, &p);
	peer_release(self->fd, &q);
}

/* Millions of messages between two processes, every one checked. */
TEST_F_TIMEOUT(mapped, stress_millions_of_messages_each_checked, 600)
{
	uint64_t total = stress_msgs(), i = 0;
	struct iovec r[32];
	uint8_t out[32][64];
	struct peer p;
	int64_t t0, dt;
	pid_t pid;
	int status, n;

	ASSERT_EQ(0, peer_create(self->fd, LOGOS_MODULE_ALLOW_MAPPED, &p));
	ASSERT_EQ(0, logos_mapped_create(self->fd, 64, 1024, &self->a));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(child_stream(&p, total, false));
	close(p.fd);
	p.fd = -1;
	ASSERT_EQ(0, logos_mapped_offer(self->a, p.ep, LONG));
	t0 = now_ns();
	while (i < total) {
		for (int k = 0; k < 32; k++) {
			r[k].iov_base = out[k];
			r[k].iov_len = sizeof(out[k]);
		}
		n = logos_mapped_recv_batch(self->a, r, 32, LONG);
		ASSERT_LT(0, n) TH_LOG("after %llu messages: %s", (unsigned long long)i,
				       logos_strerror(n));
		for (int k = 0; k < n; k++, i++) {
			ASSERT_EQ(56, r[k].iov_len);
			ASSERT_EQ(0, check(out[k], 56, i)) TH_LOG("message %llu", (unsigned long long)i);
		}
	}
	dt = now_ns() - t0;
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	EXPECT_EQ(-EPIPE, logos_mapped_recv(self->a, out[0], 64, NULL, LONG));
	TH_LOG("%llu messages checked in %.2f s (%.0f msg/s)", (unsigned long long)total,
	       dt / 1e9, total / (dt / 1e9));
	peer_release(self->fd, &p);
}

TEST_HARNESS_MAIN
