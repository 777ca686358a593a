// SPDX-License-Identifier: GPL-2.0
/*
 * Mapped channels at the ioctl level: argument rules, geometry, rights
 * and types, one attachment per side, the read-only control page, the
 * doorbell (level-triggered, cleared by WAIT, woken from sleep), the end
 * of a side by close, by an attached module's death and by revocation
 * (status word, PEER_CLOSED, the ended side's mappings unmapped, the
 * survivor's kept), the policy flag, and the memory charge.
 */
#include <stdlib.h>
#include <string.h>

#include "ipc_helpers.h"
#include "kselftest_harness.h"

#define EP_RIGHTS (LOGOS_RIGHT_READ | LOGOS_RIGHT_WRITE | LOGOS_RIGHT_TRANSFER | \
		   LOGOS_RIGHT_DUPLICATE | LOGOS_RIGHT_REVOKE)

static int mc_create(int fd, __u32 slot, __u32 nr, __u32 *h0, __u32 *h1)
{
	struct logos_mapped_create a = { .slot_size = slot, .nr_slots = nr };
	int ret = logos_ioctl(fd, LOGOS_IOC_MAPPED_CREATE, &a);

	if (!ret) {
		*h0 = a.handle0;
		*h1 = a.handle1;
	}
	return ret;
}

static int mc_map(int fd, __u32 h, struct logos_mapped_map *m)
{
	memset(m, 0, sizeof(*m));
	m->handle = h;
	return logos_ioctl(fd, LOGOS_IOC_MAPPED_MAP, m);
}

static int mc_notify(int fd, __u32 att)
{
	struct logos_mapped_notify a = { .handle = att };

	return logos_ioctl(fd, LOGOS_IOC_MAPPED_NOTIFY, &a);
}

static int mc_wait(int fd, __u32 att, __s64 timeout, __u32 *observed)
{
	struct logos_mapped_wait a = { .handle = att, .timeout_ns = timeout };
	int ret = logos_ioctl(fd, LOGOS_IOC_MAPPED_WAIT, &a);

	if (!ret && observed)
		*observed = a.observed;
	return ret;
}

FIXTURE(mapped) {
	int dev;
	long ps;
	__u32 h0, h1;
};

FIXTURE_SETUP(mapped)
{
	self->dev = logos_open_dev();
	ASSERT_LE(0, self->dev);
	self->ps = logos_page_size();
	ASSERT_EQ(0, mc_create(self->dev, 0, 0, &self->h0, &self->h1));
}

FIXTURE_TEARDOWN(mapped)
{
	close(self->dev);
}

TEST_F(mapped, create_gives_two_endpoints_and_checks_its_arguments)
{
	struct logos_mapped_create a;
	struct logos_handle_info info;
	__u32 x, y;

	ASSERT_EQ(0, logos_info(self->dev, self->h0, &info));
	EXPECT_EQ(LOGOS_OBJ_MAPPED, info.type);
	EXPECT_EQ(EP_RIGHTS, info.rights);
	EXPECT_EQ(EP_RIGHTS, logos_rights_of(self->dev, self->h1));

	memset(&a, 0, sizeof(a));
	a.flags = 1;
	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_MAPPED_CREATE, &a));
	memset(&a, 0, sizeof(a));
	a.reserved = 1;
	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_MAPPED_CREATE, &a));
	EXPECT_EQ(-EINVAL, mc_create(self->dev, 96, 8, &x, &y));	/* not a power of two */
	EXPECT_EQ(-EINVAL, mc_create(self->dev, 32, 8, &x, &y));	/* below the minimum */
	EXPECT_EQ(-EINVAL, mc_create(self->dev, 131072, 8, &x, &y));
	EXPECT_EQ(-EINVAL, mc_create(self->dev, 64, 1, &x, &y));
	EXPECT_EQ(-EINVAL, mc_create(self->dev, 64, 3, &x, &y));
	EXPECT_EQ(-EINVAL, mc_create(self->dev, 64, 131072, &x, &y));
	/* 2 x 64 KiB x 65536 slots is far beyond LOGOS_MEM_MAX_PAGES. */
	EXPECT_EQ(-EINVAL, mc_create(self->dev, 65536, 65536, &x, &y));
	EXPECT_EQ(0, mc_create(self->dev, 4096, 2, &x, &y));
}

TEST_F(mapped, map_returns_the_geometry_and_a_read_only_control_page)
{
	const struct logos_mapped_ctl *ctl;
	struct logos_mapped_map m;
	struct logos_handle_info info;
	char *ring;

	ASSERT_EQ(0, mc_map(self->dev, self->h1, &m));
	EXPECT_EQ(1, m.side);
	EXPECT_EQ(LOGOS_MAPPED_DEFAULT_SLOT, m.slot_size);
	EXPECT_EQ(LOGOS_MAPPED_DEFAULT_SLOTS, m.nr_slots);
	EXPECT_EQ((__u64)m.ring_handle * self->ps, m.ring_mmap_offset);
	ASSERT_EQ(0, logos_info(self->dev, m.attach_handle, &info));
	EXPECT_EQ(LOGOS_OBJ_MAPPED, info.type);
	EXPECT_EQ(LOGOS_RIGHT_READ | LOGOS_RIGHT_WRITE, info.rights);
	/* The memory can be mapped, never moved or copied. */
	EXPECT_EQ(LOGOS_RIGHT_READ | LOGOS_RIGHT_MAP_READ | LOGOS_RIGHT_MAP_WRITE,
		  logos_rights_of(self->dev, m.ring_handle));
	EXPECT_EQ(LOGOS_RIGHT_READ | LOGOS_RIGHT_MAP_READ, logos_rights_of(self->dev, m.ctl_handle));

	ctl = logos_map(self->dev, m.ctl_handle, self->ps, PROT_READ);
	ASSERT_NE(NULL, ctl);
	EXPECT_EQ(LOGOS_MAPPED_CTL_MAGIC, ctl->magic);
	EXPECT_EQ(0, ctl->status);
	EXPECT_EQ(m.slot_size, ctl->slot_size);
	EXPECT_EQ(m.nr_slots, ctl->nr_slots);
	EXPECT_EQ(0, ctl->ring_offset[0]);
	EXPECT_EQ(m.ring_size / 2, ctl->ring_offset[1]);
	EXPECT_EQ(m.ring_size, ctl->ring_size);
	EXPECT_EQ(-EPERM, logos_map_err(self->dev, (off_t)m.ctl_mmap_offset, self->ps,
					PROT_READ | PROT_WRITE, MAP_SHARED));
	EXPECT_NE(0, mprotect((void *)ctl, self->ps, PROT_READ | PROT_WRITE));

	ring = logos_map(self->dev, m.ring_handle, m.ring_size, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, ring);
	EXPECT_EQ(0, ring[0]);			/* zeroed */
	ring[m.ring_size - 1] = 1;
	munmap(ring, m.ring_size);
	munmap((void *)ctl, self->ps);
}

TEST_F(mapped, each_side_is_attached_once_and_data_ioctls_want_the_attachment)
{
	struct logos_mapped_map m, m2;
	struct logos_mapped_notify n = { 0 };

	ASSERT_EQ(0, mc_map(self->dev, self->h0, &m));
	EXPECT_EQ(0, m.side);
	EXPECT_EQ(-EBUSY, mc_map(self->dev, self->h0, &m2));
	EXPECT_EQ(-EPROTOTYPE, mc_map(self->dev, m.attach_handle, &m2));
	EXPECT_EQ(-EPROTOTYPE, mc_notify(self->dev, self->h0));
	EXPECT_EQ(-EPROTOTYPE, mc_wait(self->dev, self->h1, 0, NULL));
	/* The peer is not attached yet: nothing to ring, not an error. */
	EXPECT_EQ(0, mc_notify(self->dev, m.attach_handle));
	n.handle = m.attach_handle;
	n.flags = 2;
	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_MAPPED_NOTIFY, &n));
	m2.handle = self->h1;
	m2.flags = 1;
	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_MAPPED_MAP, &m2));
	/* MAP needs READ and WRITE on the endpoint. */
	ASSERT_EQ(0, logos_replace(self->dev, self->h1, LOGOS_RIGHT_READ));
	EXPECT_EQ(-EPERM, mc_map(self->dev, self->h1, &m2));
}

TEST_F(mapped, the_doorbell_is_level_triggered_and_cleared_by_wait)
{
	struct logos_mapped_map a, b;
	__u32 seen = 0;

	ASSERT_EQ(0, mc_map(self->dev, self->h0, &a));
	ASSERT_EQ(0, mc_map(self->dev, self->h1, &b));
	EXPECT_EQ(-ETIMEDOUT, mc_wait(self->dev, b.attach_handle, 0, NULL));
	EXPECT_EQ(-ETIMEDOUT, mc_wait(self->dev, b.attach_handle, 10 * MS, NULL));
	/* Rung before anyone waits: not lost. */
	ASSERT_EQ(0, mc_notify(self->dev, a.attach_handle));
	ASSERT_EQ(0, mc_notify(self->dev, a.attach_handle));
	EXPECT_EQ(0, mc_wait(self->dev, b.attach_handle, 0, &seen));
	EXPECT_EQ(LOGOS_SIGNAL_DOORBELL, seen);
	/* Consumed by that wait; the ringer's own bell is untouched. */
	EXPECT_EQ(-ETIMEDOUT, mc_wait(self->dev, b.attach_handle, 0, NULL));
	EXPECT_EQ(-ETIMEDOUT, mc_wait(self->dev, a.attach_handle, 0, NULL));
	EXPECT_EQ(-EINVAL, mc_wait(self->dev, b.attach_handle, -2, NULL));
}

TEST_F(mapped, a_sleeper_is_woken_by_the_ring)
{
	struct logos_mapped_wait w = { .timeout_ns = 20 * SEC };
	struct logos_mapped_map a, b;
	struct logos_bg bg;

	ASSERT_EQ(0, mc_map(self->dev, self->h0, &a));
	ASSERT_EQ(0, mc_map(self->dev, self->h1, &b));
	w.handle = b.attach_handle;
	ASSERT_EQ(0, logos_bg_start(&bg, self->dev, LOGOS_IOC_MAPPED_WAIT, &w));
	EXPECT_EQ(1, logos_bg_wait(&bg, 100));	/* still asleep */
	ASSERT_EQ(0, mc_notify(self->dev, a.attach_handle));
	EXPECT_EQ(0, logos_bg_join(&bg));
	EXPECT_EQ(LOGOS_SIGNAL_DOORBELL, w.observed);
}

TEST_F(mapped, closing_an_attachment_ends_the_side_for_both)
{
	const struct logos_mapped_ctl *ctl;
	struct logos_mapped_map a, b;
	__u32 seen = 0;
	char *ring_a, *ring_b;

	ASSERT_EQ(0, mc_map(self->dev, self->h0, &a));
	ASSERT_EQ(0, mc_map(self->dev, self->h1, &b));
	ctl = logos_map(self->dev, a.ctl_handle, self->ps, PROT_READ);
	ring_a = logos_map(self->dev, a.ring_handle, a.ring_size, PROT_READ | PROT_WRITE);
	ring_b = logos_map(self->dev, b.ring_handle, b.ring_size, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, ctl);
	ASSERT_NE(NULL, ring_a);
	ASSERT_NE(NULL, ring_b);
	ring_b[0] = 7;
	/* An attached side lives on without its endpoint handle. */
	ASSERT_EQ(0, logos_close_handle(self->dev, self->h1));
	EXPECT_EQ(0, ctl->status);
	ASSERT_EQ(0, logos_close_handle(self->dev, b.attach_handle));
	EXPECT_EQ(LOGOS_MAPPED_CLOSED(1), ctl->status);
	EXPECT_EQ(0, mc_wait(self->dev, a.attach_handle, 0, &seen));
	EXPECT_EQ(LOGOS_SIGNAL_PEER_CLOSED, seen & LOGOS_SIGNAL_PEER_CLOSED);
	EXPECT_EQ(-EPIPE, mc_notify(self->dev, a.attach_handle));
	/* The ended side's mapping is gone; the survivor's still reads. */
	EXPECT_EQ(SIGBUS, logos_probe(ring_b, 0, 0, NULL));
	EXPECT_EQ(0, logos_probe(ring_a, 0, 0, NULL));
	EXPECT_EQ(7, ring_a[0]);
	munmap(ring_a, a.ring_size);
	munmap(ring_b, b.ring_size);
	munmap((void *)ctl, self->ps);
}

TEST_F(mapped, an_endpoint_closed_before_any_map_ends_its_side)
{
	struct logos_mapped_map a, b;
	__u32 seen = 0;

	ASSERT_EQ(0, mc_map(self->dev, self->h0, &a));
	ASSERT_EQ(0, logos_close_handle(self->dev, self->h1));
	EXPECT_EQ(0, mc_wait(self->dev, a.attach_handle, 0, &seen));
	EXPECT_NE(0, seen & LOGOS_SIGNAL_PEER_CLOSED);
	EXPECT_EQ(-EPIPE, mc_notify(self->dev, a.attach_handle));
	ASSERT_EQ(0, mc_create(self->dev, 0, 0, &self->h0, &self->h1));
	ASSERT_EQ(0, logos_close_handle(self->dev, self->h0));
	EXPECT_EQ(-EPIPE, mc_map(self->dev, self->h1, &b));
}

TEST_F(mapped, revoking_the_peers_endpoint_unmaps_it_and_wakes_the_survivor)
{
	const struct logos_mapped_ctl *ctl;
	struct logos_mapped_map a, b;
	__u32 copy, n = 0, seen = 0;
	char *ring_b;

	ASSERT_EQ(0, mc_map(self->dev, self->h0, &a));
	ASSERT_EQ(0, logos_dup(self->dev, self->h1, LOGOS_RIGHT_READ | LOGOS_RIGHT_WRITE, &copy));
	ASSERT_EQ(0, mc_map(self->dev, copy, &b));
	ring_b = logos_map(self->dev, b.ring_handle, b.ring_size, PROT_READ | PROT_WRITE);
	ctl = logos_map(self->dev, a.ctl_handle, self->ps, PROT_READ);
	ASSERT_NE(NULL, ring_b);
	ASSERT_NE(NULL, ctl);
	ASSERT_EQ(0, logos_revoke(self->dev, self->h1, &n));
	EXPECT_EQ(1, n);
	EXPECT_EQ(LOGOS_MAPPED_REVOKED(1), ctl->status);
	EXPECT_EQ(SIGBUS, logos_probe(ring_b, 0, 0, NULL));
	EXPECT_EQ(0, mc_wait(self->dev, a.attach_handle, 0, &seen));
	EXPECT_NE(0, seen & LOGOS_SIGNAL_PEER_CLOSED);
	/* The revoked side's memory handles are revoked too. */
	EXPECT_EQ(-EKEYREVOKED, logos_mem_info(self->dev, b.ring_handle, NULL));
	EXPECT_EQ(-EPIPE, mc_notify(self->dev, b.attach_handle));
	munmap(ring_b, b.ring_size);
	munmap((void *)ctl, self->ps);
}

TEST_F(mapped, an_attached_module_that_dies_ends_its_side)
{
	struct logos_mapped_map a, b;
	struct logos_test_module m;
	__u32 in_module, seen = 0;
	const struct logos_mapped_ctl *ctl;
	struct logos_module_create mc = { .trust_level = LOGOS_TRUST_USER,
					  .flags = LOGOS_MODULE_ALLOW_MAPPED };

	strcpy(mc.name, "mapped-kself");
	ASSERT_EQ(0, logos_ioctl(self->dev, LOGOS_IOC_MODULE_CREATE, &mc));
	m.handle = mc.handle;
	m.fd = mc.fd;
	ASSERT_EQ(0, logos_give(self->dev, m.handle, self->h1, LOGOS_RIGHTS_SAME, 0, &in_module));
	ASSERT_EQ(0, mc_map(self->dev, self->h0, &a));
	ASSERT_EQ(0, mc_map(m.fd, in_module, &b));
	EXPECT_EQ(1, b.side);
	ctl = logos_map(self->dev, a.ctl_handle, self->ps, PROT_READ);
	ASSERT_NE(NULL, ctl);
	/* The creator still holds the endpoint's root; the side ends anyway. */
	close(m.fd);
	EXPECT_EQ(0, mc_wait(self->dev, a.attach_handle, 5 * SEC, &seen));
	EXPECT_NE(0, seen & LOGOS_SIGNAL_PEER_CLOSED);
	EXPECT_EQ(LOGOS_MAPPED_CLOSED(1), ctl->status);
	munmap((void *)ctl, self->ps);
	logos_close_handle(self->dev, m.handle);
}

TEST_F(mapped, a_module_needs_the_policy_flag)
{
	struct logos_mapped_create c = { 0 };
	struct logos_mapped_map b;
	struct logos_test_module m;
	__u32 in_module;

	ASSERT_EQ(0, logos_module_new(self->dev, "mapped-nopol", LOGOS_TRUST_USER, NULL, &m));
	EXPECT_EQ(-EPERM, logos_ioctl(m.fd, LOGOS_IOC_MAPPED_CREATE, &c));
	ASSERT_EQ(0, logos_give(self->dev, m.handle, self->h1, LOGOS_RIGHTS_SAME, 0, &in_module));
	EXPECT_EQ(-EPERM, mc_map(m.fd, in_module, &b));
	close(m.fd);
	logos_close_handle(self->dev, m.handle);
}

TEST_F(mapped, the_rings_are_charged_to_the_creating_module)
{
	struct logos_mapped_create c = { .slot_size = 4096, .nr_slots = 16 };
	struct logos_module_create mc = { .trust_level = LOGOS_TRUST_USER,
					  .flags = LOGOS_MODULE_ALLOW_MAPPED };
	__u64 before;

	strcpy(mc.name, "mapped-quota");
	ASSERT_EQ(0, logos_ioctl(self->dev, LOGOS_IOC_MODULE_CREATE, &mc));
	before = logos_usage(self->dev, mc.handle, LOGOS_RES_MEMORY_PAGES);
	ASSERT_EQ(0, logos_ioctl(mc.fd, LOGOS_IOC_MAPPED_CREATE, &c));
	/* Two rings of a header page plus 16 pages each, and the control page. */
	EXPECT_EQ(before + 2 * 17 + 1, logos_usage(self->dev, mc.handle, LOGOS_RES_MEMORY_PAGES));
	ASSERT_EQ(0, logos_set_quota(self->dev, mc.handle, LOGOS_RES_MEMORY_PAGES, 40));
	EXPECT_EQ(-EDQUOT, logos_ioctl(mc.fd, LOGOS_IOC_MAPPED_CREATE, &c));
	close(mc.fd);
	logos_close_handle(self->dev, mc.handle);
}

TEST_HARNESS_MAIN
