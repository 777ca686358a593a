// SPDX-License-Identifier: GPL-2.0
/*
 * Event objects and LOGOS_IOC_WAIT: user signal bits, polling, blocking
 * waits woken by another thread or module, timeouts, interruption by a
 * signal, the item array's validation, and the kernel signals of module
 * objects (STATE_CHANGED, TERMINATED).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>

#include "helpers.h"
#include "kselftest_harness.h"

#define MS	1000000LL
#define SEC	1000000000LL

FIXTURE(ev) {
	int dev;
	__u32 e;	/* an event, root handle */
};

FIXTURE_SETUP(ev)
{
	self->dev = logos_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", LOGOS_DEVICE_PATH, strerror(errno));
	ASSERT_EQ(0, logos_event_new(self->dev, &self->e));
}

FIXTURE_TEARDOWN(ev)
{
	close(self->dev);
}

/* LOGOS_IOC_WAIT on an item array; returns -errno, fills *ready. */
static int wait_items(int fd, struct logos_wait_item *items, __u32 count, __u32 flags,
		      __s64 timeout_ns, __u32 *ready)
{
	struct logos_wait w = {
		.items = (__u64)(unsigned long)items, .count = count,
		.flags = flags, .timeout_ns = timeout_ns,
	};
	int ret = logos_ioctl(fd, LOGOS_IOC_WAIT, &w);

	if (ready)
		*ready = w.ready;
	return ret;
}

/* The event's current signals, read with a poll on every user bit. */
static __u32 signals_of(int fd, __u32 h)
{
	__u32 observed = 0;
	int ret = logos_wait_one(fd, h, LOGOS_SIGNAL_USER_MASK, 0, &observed);

	return ret == 0 ? observed : ret == -ETIMEDOUT ? 0 : 0xdeadbeef;
}

/* ---- EVENT_SIGNAL ---------------------------------------------------------- */

TEST_F(ev, new_event_has_no_signal)
{
	__u32 observed = ~0U;

	EXPECT_EQ(-ETIMEDOUT, logos_wait_one(self->dev, self->e, LOGOS_SIGNAL_USER_MASK, 0,
					     &observed));
}

TEST_F(ev, signal_sets_bits)
{
	__u32 observed = 0;

	ASSERT_EQ(0, logos_signal(self->dev, self->e, 0, 0x5));
	ASSERT_EQ(0, logos_wait_one(self->dev, self->e, 0x1, 0, &observed));
	EXPECT_EQ(0x5, observed);
	ASSERT_EQ(0, logos_signal(self->dev, self->e, 0, 0x800000));
	EXPECT_EQ(0x800005, signals_of(self->dev, self->e));
}

TEST_F(ev, every_user_bit_can_be_set)
{
	ASSERT_EQ(0, logos_signal(self->dev, self->e, 0, LOGOS_SIGNAL_USER_MASK));
	EXPECT_EQ(LOGOS_SIGNAL_USER_MASK, signals_of(self->dev, self->e));
}

TEST_F(ev, signal_clears_bits)
{
	ASSERT_EQ(0, logos_signal(self->dev, self->e, 0, 0x7));
	ASSERT_EQ(0, logos_signal(self->dev, self->e, 0x3, 0));
	EXPECT_EQ(0x4, signals_of(self->dev, self->e));
	ASSERT_EQ(0, logos_signal(self->dev, self->e, LOGOS_SIGNAL_USER_MASK, 0));
	EXPECT_EQ(0, signals_of(self->dev, self->e));
}

TEST_F(ev, signal_clears_before_it_sets)
{
	ASSERT_EQ(0, logos_signal(self->dev, self->e, 0, 0x3));
	/* Clear and set the same bit: it ends up set. */
	ASSERT_EQ(0, logos_signal(self->dev, self->e, 0x3, 0x2));
	EXPECT_EQ(0x2, signals_of(self->dev, self->e));
}

TEST_F(ev, kernel_bits_cannot_be_set)
{
	unsigned int bit;

	ASSERT_EQ(0, logos_signal(self->dev, self->e, 0, 0x1));
	for (bit = 24; bit < 32; bit++) {
		EXPECT_EQ(-EINVAL, logos_signal(self->dev, self->e, 0, 1U << bit))
			TH_LOG("set bit %u", bit);
		/* Not even along with user bits: nothing is applied. */
		EXPECT_EQ(-EINVAL, logos_signal(self->dev, self->e, 0x1, 0x2 | (1U << bit)))
			TH_LOG("set bit %u with user bits", bit);
	}
	EXPECT_EQ(0x1, signals_of(self->dev, self->e));
}

TEST_F(ev, kernel_bits_cannot_be_cleared)
{
	unsigned int bit;

	ASSERT_EQ(0, logos_signal(self->dev, self->e, 0, 0x1));
	for (bit = 24; bit < 32; bit++) {
		EXPECT_EQ(-EINVAL, logos_signal(self->dev, self->e, 1U << bit, 0))
			TH_LOG("clear bit %u", bit);
	}
	EXPECT_EQ(-EINVAL, logos_signal(self->dev, self->e, ~0U, 0));
	EXPECT_EQ(0x1, signals_of(self->dev, self->e));
}

TEST_F(ev, signal_without_write_right_is_eperm)
{
	__u32 ro;

	ASSERT_EQ(0, logos_dup(self->dev, self->e, LOGOS_EVENT_RIGHTS & ~LOGOS_RIGHT_WRITE, &ro));
	EXPECT_EQ(-EPERM, logos_signal(self->dev, ro, 0, 1));
	EXPECT_EQ(-EPERM, logos_signal(self->dev, ro, 1, 0));
	EXPECT_EQ(0, signals_of(self->dev, self->e));
}

/* ---- polling ------------------------------------------------------------------ */

TEST_F(ev, poll_with_nothing_set_is_etimedout_at_once)
{
	__u64 start = logos_now_ns();

	EXPECT_EQ(-ETIMEDOUT, logos_wait_one(self->dev, self->e, 0x1, 0, NULL));
	EXPECT_GT(500 * MS, (__s64)(logos_now_ns() - start));
}

TEST_F(ev, poll_ignores_signals_not_asked_for)
{
	__u32 observed = 0;

	ASSERT_EQ(0, logos_signal(self->dev, self->e, 0, 0x2));
	EXPECT_EQ(-ETIMEDOUT, logos_wait_one(self->dev, self->e, 0x1, 0, &observed));
}

TEST_F(ev, signals_are_level_triggered)
{
	ASSERT_EQ(0, logos_signal(self->dev, self->e, 0, 0x8));
	EXPECT_EQ(0, logos_wait_one(self->dev, self->e, 0x8, 0, NULL));
	EXPECT_EQ(0, logos_wait_one(self->dev, self->e, 0x8, 0, NULL));
	EXPECT_EQ(0, logos_wait_one(self->dev, self->e, 0x8, 100 * MS, NULL));
}

TEST_F(ev, ready_counts_the_items_with_a_wanted_signal)
{
	struct logos_wait_item items[4] = {};
	__u32 e2, e3, ready = 0;

	ASSERT_EQ(0, logos_event_new(self->dev, &e2));
	ASSERT_EQ(0, logos_event_new(self->dev, &e3));
	ASSERT_EQ(0, logos_signal(self->dev, self->e, 0, 0x1));
	ASSERT_EQ(0, logos_signal(self->dev, e3, 0, 0x6));
	items[0] = (struct logos_wait_item){ .handle = self->e, .signals = 0x1 };
	items[1] = (struct logos_wait_item){ .handle = e2, .signals = 0x1 };
	items[2] = (struct logos_wait_item){ .handle = e3, .signals = 0x3 };
	items[3] = (struct logos_wait_item){ .handle = e3, .signals = 0x1 };
	ASSERT_EQ(0, wait_items(self->dev, items, 4, 0, 0, &ready));
	EXPECT_EQ(2, ready);
	EXPECT_EQ(0x1, items[0].observed);
	EXPECT_EQ(0, items[1].observed);
	EXPECT_EQ(0x6, items[2].observed);
	EXPECT_EQ(0x6, items[3].observed);
}

TEST_F(ev, the_most_items_allowed_are_accepted)
{
	struct logos_wait_item *items = calloc(LOGOS_WAIT_MAX_ITEMS, sizeof(*items));
	__u32 ready = 0;
	int i;

	ASSERT_NE(NULL, items);
	ASSERT_EQ(0, logos_signal(self->dev, self->e, 0, 0x1));
	for (i = 0; i < LOGOS_WAIT_MAX_ITEMS; i++)
		items[i] = (struct logos_wait_item){ .handle = self->e, .signals = 0x1 };
	EXPECT_EQ(0, wait_items(self->dev, items, LOGOS_WAIT_MAX_ITEMS, 0, 0, &ready));
	EXPECT_EQ(LOGOS_WAIT_MAX_ITEMS, ready);
	free(items);
}

/* A caller looping over one item array leaves the last answers in it. */
TEST_F(ev, stale_observed_and_ready_are_ignored)
{
	struct logos_wait_item item = { .handle = self->e, .signals = 0x1, .observed = ~0U };
	struct logos_wait w = {
		.items = (__u64)(unsigned long)&item, .count = 1, .ready = 7,
	};

	ASSERT_EQ(0, logos_signal(self->dev, self->e, 0, 0x1));
	ASSERT_EQ(0, logos_ioctl(self->dev, LOGOS_IOC_WAIT, &w));
	EXPECT_EQ(1, w.ready);
	EXPECT_EQ(0x1, item.observed);
	/* Again, with the answers of the first call left in place. */
	ASSERT_EQ(0, logos_signal(self->dev, self->e, 0x1, 0x2));
	item.signals = 0x2;
	ASSERT_EQ(0, logos_ioctl(self->dev, LOGOS_IOC_WAIT, &w));
	EXPECT_EQ(0x2, item.observed);
}

/* ---- validation of the wait ---------------------------------------------------- */

TEST_F(ev, item_count_zero_or_above_the_maximum_is_einval)
{
	struct logos_wait_item *items = calloc(LOGOS_WAIT_MAX_ITEMS + 1, sizeof(*items));
	int i;

	ASSERT_NE(NULL, items);
	ASSERT_EQ(0, logos_signal(self->dev, self->e, 0, 0x1));
	for (i = 0; i <= LOGOS_WAIT_MAX_ITEMS; i++)
		items[i] = (struct logos_wait_item){ .handle = self->e, .signals = 0x1 };
	EXPECT_EQ(-EINVAL, wait_items(self->dev, items, 0, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, wait_items(self->dev, items, LOGOS_WAIT_MAX_ITEMS + 1, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, wait_items(self->dev, items, ~0U, 0, 0, NULL));
	free(items);
}

TEST_F(ev, bad_items_pointer_is_efault)
{
	void *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, none);
	ASSERT_EQ(0, logos_signal(self->dev, self->e, 0, 0x1));
	EXPECT_EQ(-EFAULT, wait_items(self->dev, NULL, 1, 0, 0, NULL));
	EXPECT_EQ(-EFAULT, wait_items(self->dev, (void *)1, 1, 0, 0, NULL));
	EXPECT_EQ(-EFAULT, wait_items(self->dev, none, 1, 0, 0, NULL));
	munmap(none, 4096);
}

TEST_F(ev, items_running_off_their_mapping_are_efault)
{
	unsigned char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct logos_wait_item *items;

	ASSERT_NE(MAP_FAILED, page);
	ASSERT_EQ(0, munmap(page + 4096, 4096));
	ASSERT_EQ(0, logos_signal(self->dev, self->e, 0, 0x1));
	/* Two items; the second would lie in the unmapped page. */
	items = (void *)(page + 4096 - sizeof(*items));
	items[0] = (struct logos_wait_item){ .handle = self->e, .signals = 0x1 };
	EXPECT_EQ(-EFAULT, wait_items(self->dev, items, 2, 0, 0, NULL));
	EXPECT_EQ(0, wait_items(self->dev, items, 1, 0, 0, NULL));
	munmap(page, 4096);
}

TEST_F(ev, read_only_items_are_efault)
{
	struct logos_wait_item item = { .handle = self->e, .signals = 0x1 };
	void *ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, ro);
	memcpy(ro, &item, sizeof(item));
	ASSERT_EQ(0, mprotect(ro, 4096, PROT_READ));
	ASSERT_EQ(0, logos_signal(self->dev, self->e, 0, 0x1));
	/* @observed cannot be written back. */
	EXPECT_EQ(-EFAULT, wait_items(self->dev, ro, 1, 0, 0, NULL));
	munmap(ro, 4096);
}

TEST_F(ev, nonzero_item_reserved_is_einval)
{
	struct logos_wait_item items[2] = {
		{ .handle = self->e, .signals = 0x1 },
		{ .handle = self->e, .signals = 0x1, .reserved = 1 },
	};

	ASSERT_EQ(0, logos_signal(self->dev, self->e, 0, 0x1));
	EXPECT_EQ(-EINVAL, wait_items(self->dev, items, 2, 0, 0, NULL));
	items[1].reserved = 0x80000000;
	EXPECT_EQ(-EINVAL, wait_items(self->dev, items, 2, 0, 0, NULL));
	items[1].reserved = 0;
	EXPECT_EQ(0, wait_items(self->dev, items, 2, 0, 0, NULL));
}

TEST_F(ev, any_bad_handle_in_the_items_fails_the_wait)
{
	struct logos_wait_item items[2] = {
		{ .handle = self->e, .signals = 0x1 },
		{ .handle = self->e ^ 0x40000000, .signals = 0x1 },
	};
	__u32 closed;

	ASSERT_EQ(0, logos_signal(self->dev, self->e, 0, 0x1));
	EXPECT_EQ(-EBADF, wait_items(self->dev, items, 2, 0, 0, NULL));
	ASSERT_EQ(0, logos_dup(self->dev, self->e, LOGOS_RIGHTS_SAME, &closed));
	ASSERT_EQ(0, logos_close_handle(self->dev, closed));
	items[1].handle = closed;
	EXPECT_EQ(-EBADF, wait_items(self->dev, items, 2, 0, 0, NULL));
	items[1].handle = LOGOS_HANDLE_INVALID;
	EXPECT_EQ(-EBADF, wait_items(self->dev, items, 2, 0, 0, NULL));
}

TEST_F(ev, wait_without_read_right_is_eperm)
{
	struct logos_wait_item items[2] = {
		{ .handle = self->e, .signals = 0x1 },
		{ .signals = 0x1 },
	};
	__u32 blind;

	ASSERT_EQ(0, logos_dup(self->dev, self->e, LOGOS_EVENT_RIGHTS & ~LOGOS_RIGHT_READ,
			       &blind));
	ASSERT_EQ(0, logos_signal(self->dev, self->e, 0, 0x1));
	EXPECT_EQ(-EPERM, logos_wait_one(self->dev, blind, 0x1, 0, NULL));
	items[1].handle = blind;
	EXPECT_EQ(-EPERM, wait_items(self->dev, items, 2, 0, 0, NULL));
}

/* ---- blocking ------------------------------------------------------------------ */

TEST_F(ev, wait_forever_is_woken_by_another_thread)
{
	struct logos_waiter w = { .signals = 0x10, .timeout_ns = -1 };

	w.fd = self->dev;
	w.handle = self->e;
	ASSERT_EQ(0, logos_waiter_start(&w));
	usleep(50000);
	ASSERT_EQ(0, logos_signal(self->dev, self->e, 0, 0x30));
	logos_waiter_join(&w);
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(1, w.ready);
	EXPECT_EQ(0x30, w.observed);
	EXPECT_LE(50 * MS, (__s64)w.elapsed_ns);
}

TEST_F(ev, unwanted_signal_does_not_end_the_wait)
{
	struct logos_waiter w = { .signals = 0x1, .timeout_ns = 300 * MS };

	w.fd = self->dev;
	w.handle = self->e;
	ASSERT_EQ(0, logos_waiter_start(&w));
	ASSERT_EQ(0, logos_signal(self->dev, self->e, 0, 0x2));
	logos_waiter_join(&w);
	EXPECT_EQ(-ETIMEDOUT, w.ret);
	EXPECT_LE(300 * MS, (__s64)w.elapsed_ns);
}

TEST_F(ev, two_waiters_are_both_woken)
{
	struct logos_waiter w1 = { .signals = 0x1, .timeout_ns = 5 * SEC };
	struct logos_waiter w2 = { .signals = 0x1, .timeout_ns = 5 * SEC };

	w1.fd = w2.fd = self->dev;
	w1.handle = w2.handle = self->e;
	ASSERT_EQ(0, logos_waiter_start(&w1));
	ASSERT_EQ(0, logos_waiter_start(&w2));
	ASSERT_EQ(0, logos_signal(self->dev, self->e, 0, 0x1));
	logos_waiter_join(&w1);
	logos_waiter_join(&w2);
	EXPECT_EQ(0, w1.ret);
	EXPECT_EQ(0, w2.ret);
}

/* A module waits on an event it was given; the supervisor signals it. */
TEST_F(ev, waiter_in_a_module_is_woken_by_the_supervisor)
{
	struct logos_waiter w = { .signals = 0x100, .timeout_ns = 5 * SEC };
	struct logos_test_module m;

	ASSERT_EQ(0, logos_module_new(self->dev, "waiter", LOGOS_TRUST_USER, NULL, &m));
	ASSERT_EQ(0, logos_give(self->dev, m.handle, self->e, LOGOS_RIGHT_READ, 0, &w.handle));
	w.fd = m.fd;
	ASSERT_EQ(0, logos_waiter_start(&w));
	ASSERT_EQ(0, logos_signal(self->dev, self->e, 0, 0x100));
	logos_waiter_join(&w);
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(0x100, w.observed);
	logos_module_release(&m);
}

TEST_F(ev, timeout_is_honoured)
{
	__u64 start = logos_now_ns(), elapsed;

	EXPECT_EQ(-ETIMEDOUT, logos_wait_one(self->dev, self->e, 0x1, 200 * MS, NULL));
	elapsed = logos_now_ns() - start;
	EXPECT_LE(200 * MS, (__s64)elapsed);
	EXPECT_GT(3 * SEC, (__s64)elapsed);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * A repeating alarm: on a loaded host a single one can fire before the
 * wait has started, and the wait would then never see it.
 */
static const struct itimerval alarm_every_100ms = {
	.it_value = { .tv_usec = 100000 }, .it_interval = { .tv_usec = 100000 },
};
static const struct itimerval alarm_off;

TEST_F(ev, signal_interrupts_the_wait_with_eintr)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	__u64 start, elapsed;

	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	start = logos_now_ns();
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &alarm_every_100ms, NULL));
	EXPECT_EQ(-EINTR, logos_wait_one(self->dev, self->e, 0x1, 5 * SEC, NULL));
	elapsed = logos_now_ns() - start;
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &alarm_off, NULL));
	/* It blocked until the signal, and not until the timeout. */
	EXPECT_LE(100 * MS, (__s64)elapsed);
	EXPECT_GT(4 * SEC, (__s64)elapsed);
}

TEST_F(ev, signal_interrupts_an_endless_wait_with_eintr)
{
	struct sigaction sa = { .sa_handler = on_alarm };

	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &alarm_every_100ms, NULL));
	EXPECT_EQ(-EINTR, logos_wait_one(self->dev, self->e, 0x1, -1, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &alarm_off, NULL));
}

/* ---- module signals ------------------------------------------------------------ */

TEST_F(ev, module_has_no_signal_before_a_transition)
{
	struct logos_test_module m;

	ASSERT_EQ(0, logos_module_new(self->dev, "sig", LOGOS_TRUST_USER, NULL, &m));
	EXPECT_EQ(-ETIMEDOUT, logos_wait_one(self->dev, m.handle, ~0U, 0, NULL));
	logos_module_release(&m);
}

TEST_F(ev, transition_sets_state_changed_until_cleared)
{
	struct logos_wait_item item = { .signals = LOGOS_SIGNAL_STATE_CHANGED };
	struct logos_test_module m;
	__u32 ready = 0;

	ASSERT_EQ(0, logos_module_new(self->dev, "sig", LOGOS_TRUST_USER, NULL, &m));
	item.handle = m.handle;
	ASSERT_EQ(0, logos_set_state(self->dev, m.handle, LOGOS_STATE_INITIALIZING));
	/* Level-triggered: a plain wait leaves it set. */
	ASSERT_EQ(0, wait_items(self->dev, &item, 1, 0, 0, &ready));
	EXPECT_EQ(1, ready);
	EXPECT_EQ(LOGOS_SIGNAL_STATE_CHANGED, item.observed);
	ASSERT_EQ(0, wait_items(self->dev, &item, 1, LOGOS_WAIT_CLEAR_STATE_CHANGED, 0, &ready));
	EXPECT_EQ(LOGOS_SIGNAL_STATE_CHANGED, item.observed);
	EXPECT_EQ(-ETIMEDOUT, wait_items(self->dev, &item, 1, 0, 0, &ready));
	/* The next transition sets it again. */
	ASSERT_EQ(0, logos_set_state(self->dev, m.handle, LOGOS_STATE_RUNNING));
	EXPECT_EQ(0, wait_items(self->dev, &item, 1, 0, 0, &ready));
	logos_module_release(&m);
}

TEST_F(ev, clear_state_changed_leaves_user_bits_alone)
{
	struct logos_wait_item items[2] = {
		{ .signals = LOGOS_SIGNAL_STATE_CHANGED },
		{ .handle = self->e, .signals = 0x1 },
	};
	struct logos_test_module m;
	__u32 ready = 0;

	ASSERT_EQ(0, logos_module_new(self->dev, "sig", LOGOS_TRUST_USER, NULL, &m));
	items[0].handle = m.handle;
	ASSERT_EQ(0, logos_set_state(self->dev, m.handle, LOGOS_STATE_INITIALIZING));
	ASSERT_EQ(0, logos_signal(self->dev, self->e, 0, 0x1));
	ASSERT_EQ(0, wait_items(self->dev, items, 2, LOGOS_WAIT_CLEAR_STATE_CHANGED, 0, &ready));
	EXPECT_EQ(2, ready);
	EXPECT_EQ(0x1, signals_of(self->dev, self->e));
	EXPECT_EQ(-ETIMEDOUT, wait_items(self->dev, items, 1, 0, 0, &ready));
	logos_module_release(&m);
}

TEST_F(ev, closed_module_file_signals_terminated)
{
	struct logos_test_module m;
	__u32 observed = 0;

	ASSERT_EQ(0, logos_module_new(self->dev, "sig", LOGOS_TRUST_USER, NULL, &m));
	EXPECT_EQ(-ETIMEDOUT, logos_wait_one(self->dev, m.handle, LOGOS_SIGNAL_TERMINATED, 0,
					     &observed));
	logos_module_release(&m);
	ASSERT_EQ(0, logos_wait_one(self->dev, m.handle, LOGOS_SIGNAL_TERMINATED, 0, &observed));
	EXPECT_EQ(LOGOS_SIGNAL_TERMINATED | LOGOS_SIGNAL_STATE_CHANGED, observed);
}

TEST_F(ev, waiter_on_a_module_wakes_when_its_file_closes)
{
	struct logos_waiter w = { .signals = LOGOS_SIGNAL_TERMINATED, .timeout_ns = 5 * SEC };
	struct logos_test_module m;

	ASSERT_EQ(0, logos_module_new(self->dev, "sig", LOGOS_TRUST_USER, NULL, &m));
	ASSERT_EQ(0, logos_set_state(self->dev, m.handle, LOGOS_STATE_INITIALIZING));
	w.fd = self->dev;
	w.handle = m.handle;
	ASSERT_EQ(0, logos_waiter_start(&w));
	logos_module_release(&m);
	logos_waiter_join(&w);
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(1, w.ready);
	EXPECT_EQ(LOGOS_SIGNAL_TERMINATED, w.observed & LOGOS_SIGNAL_TERMINATED);
}

TEST_HARNESS_MAIN
