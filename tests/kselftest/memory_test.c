// SPDX-License-Identifier: GPL-2.0
/*
 * Memory objects: creation and its limits and quota, zeroed pages,
 * mmap(2) on the file that holds the handle, shared pages between
 * mappings and between modules after a grant, read-only grants (no
 * writable mapping, no mprotect), the refused mmap shapes, revocation
 * (SIGBUS for the receiver, the revoker's mapping keeps working), and
 * MAPPED_PAGES and MEM_INFO accounting.
 */
#include <stdlib.h>
#include <string.h>

#include "ipc_helpers.h"
#include "kselftest_harness.h"

#define ALL_RIGHTS	LOGOS_RIGHTS_ALL

FIXTURE(mem) {
	int dev;
	long ps;
};

FIXTURE_SETUP(mem)
{
	self->dev = logos_open_dev();
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", LOGOS_DEVICE_PATH, strerror(errno));
	self->ps = logos_page_size();
}

FIXTURE_TEARDOWN(mem)
{
	close(self->dev);
}

/* ---- creation -------------------------------------------------------------------- */

TEST_F(mem, create_returns_a_memory_handle_with_all_rights_and_its_offset)
{
	struct logos_handle_info info;
	__u64 off = 0;
	__u32 h;

	ASSERT_EQ(0, logos_mem_new(self->dev, 2 * self->ps, &h, &off));
	ASSERT_EQ(0, logos_info(self->dev, h, &info));
	EXPECT_EQ(LOGOS_OBJ_MEMORY, info.type);
	EXPECT_EQ(ALL_RIGHTS, info.rights);
	EXPECT_EQ((__u64)h * self->ps, off);
}

TEST_F(mem, size_is_rounded_up_to_whole_pages)
{
	struct logos_mem_info info;
	__u32 h1, h2, h3;

	ASSERT_EQ(0, logos_mem_new(self->dev, 1, &h1, NULL));
	ASSERT_EQ(0, logos_mem_new(self->dev, self->ps, &h2, NULL));
	ASSERT_EQ(0, logos_mem_new(self->dev, self->ps + 1, &h3, NULL));
	ASSERT_EQ(0, logos_mem_info(self->dev, h1, &info));
	EXPECT_EQ(self->ps, info.size);
	EXPECT_EQ((__u64)h1 * self->ps, info.mmap_offset);
	ASSERT_EQ(0, logos_mem_info(self->dev, h2, &info));
	EXPECT_EQ(self->ps, info.size);
	ASSERT_EQ(0, logos_mem_info(self->dev, h3, &info));
	EXPECT_EQ(2 * self->ps, info.size);
}

TEST_F(mem, size_0_is_einval)
{
	__u32 h;

	EXPECT_EQ(-EINVAL, logos_mem_new(self->dev, 0, &h, NULL));
}

TEST_F(mem, more_than_the_most_pages_is_einval)
{
	__u32 h;

	EXPECT_EQ(-EINVAL, logos_mem_new(self->dev, (__u64)LOGOS_MEM_MAX_PAGES * self->ps + 1,
					 &h, NULL));
	EXPECT_EQ(-EINVAL, logos_mem_new(self->dev, (__u64)(LOGOS_MEM_MAX_PAGES + 1) * self->ps,
					 &h, NULL));
	EXPECT_EQ(-EINVAL, logos_mem_new(self->dev, ~0ULL, &h, NULL));
	EXPECT_EQ(-EINVAL, logos_mem_new(self->dev, 1ULL << 63, &h, NULL));
}

TEST_F(mem, create_with_flags_is_einval)
{
	struct logos_mem_create arg = { .size = 4096, .flags = 1 };

	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_MEM_CREATE, &arg));
	arg.flags = 0x80000000U;
	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_MEM_CREATE, &arg));
}

TEST_F(mem, create_with_bad_pointer_is_efault)
{
	EXPECT_EQ(-EFAULT, logos_ioctl(self->dev, LOGOS_IOC_MEM_CREATE, NULL));
	EXPECT_EQ(-EFAULT, logos_ioctl(self->dev, LOGOS_IOC_MEM_INFO, NULL));
}

TEST_F(mem, creation_in_a_module_is_charged_to_its_memory_pages)
{
	struct logos_test_module m;
	__u32 h;

	ASSERT_EQ(0, logos_module_new(self->dev, "mem", LOGOS_TRUST_USER, NULL, &m));
	EXPECT_EQ(0, logos_usage(self->dev, m.handle, LOGOS_RES_MEMORY_PAGES));
	ASSERT_EQ(0, logos_mem_new(m.fd, 3 * self->ps - 1, &h, NULL));
	EXPECT_EQ(3, logos_usage(self->dev, m.handle, LOGOS_RES_MEMORY_PAGES));
	EXPECT_EQ(1, logos_usage(self->dev, m.handle, LOGOS_RES_OBJECTS));
	ASSERT_EQ(0, logos_close_handle(m.fd, h));
	EXPECT_EQ(0, logos_usage(self->dev, m.handle, LOGOS_RES_MEMORY_PAGES));
}

TEST_F(mem, creation_over_the_memory_quota_is_edquot)
{
	__u64 limits[LOGOS_RES_COUNT] = { [LOGOS_RES_MEMORY_PAGES] = 4 };
	struct logos_test_module m;
	__u32 h;

	ASSERT_EQ(0, logos_module_new(self->dev, "memquota", LOGOS_TRUST_USER, limits, &m));
	ASSERT_EQ(0, logos_mem_new(m.fd, 3 * self->ps, &h, NULL));
	EXPECT_EQ(-EDQUOT, logos_mem_new(m.fd, 2 * self->ps, &h, NULL));
	EXPECT_EQ(3, logos_usage(self->dev, m.handle, LOGOS_RES_MEMORY_PAGES));
	EXPECT_EQ(0, logos_mem_new(m.fd, self->ps, &h, NULL));
	EXPECT_EQ(4, logos_usage(self->dev, m.handle, LOGOS_RES_MEMORY_PAGES));
}

/* ---- mapping ------------------------------------------------------------------------- */

TEST_F(mem, new_pages_are_zero)
{
	size_t len = 8 * self->ps, i;
	unsigned char *p;
	__u32 h;

	ASSERT_EQ(0, logos_mem_new(self->dev, len, &h, NULL));
	p = logos_map(self->dev, h, len, PROT_READ);
	ASSERT_NE(NULL, p) TH_LOG("mmap: %s", strerror(errno));
	for (i = 0; i < len; i++)
		if (p[i])
			break;
	EXPECT_EQ(len, i);
	munmap(p, len);
}

TEST_F(mem, map_at_the_returned_offset)
{
	__u64 off = 0;
	char *p;
	__u32 h;

	ASSERT_EQ(0, logos_mem_new(self->dev, self->ps, &h, &off));
	p = mmap(NULL, self->ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->dev, off);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	p[0] = 1;
	p[self->ps - 1] = 2;
	EXPECT_EQ(1, p[0]);
	EXPECT_EQ(2, p[self->ps - 1]);
	munmap(p, self->ps);
}

TEST_F(mem, write_through_one_mapping_reads_through_another)
{
	size_t len = 2 * self->ps;
	char *p, *q;
	__u32 h;

	ASSERT_EQ(0, logos_mem_new(self->dev, len, &h, NULL));
	p = logos_map(self->dev, h, len, PROT_READ | PROT_WRITE);
	q = logos_map(self->dev, h, len, PROT_READ);
	ASSERT_NE(NULL, p);
	ASSERT_NE(NULL, q);
	ASSERT_NE(p, q);
	strcpy(p, "shared");
	strcpy(p + self->ps, "page two");
	EXPECT_STREQ("shared", q);
	EXPECT_STREQ("page two", q + self->ps);
	munmap(p, len);
	munmap(q, len);
}

TEST_F(mem, a_duplicate_handle_maps_the_same_pages)
{
	char *p, *q;
	__u32 h, d;

	ASSERT_EQ(0, logos_mem_new(self->dev, self->ps, &h, NULL));
	ASSERT_EQ(0, logos_dup(self->dev, h, LOGOS_RIGHTS_SAME, &d));
	p = logos_map(self->dev, h, self->ps, PROT_READ | PROT_WRITE);
	q = logos_map(self->dev, d, self->ps, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, p);
	ASSERT_NE(NULL, q);
	strcpy(q, "through the copy");
	EXPECT_STREQ("through the copy", p);
	munmap(p, self->ps);
	munmap(q, self->ps);
}

TEST_F(mem, a_shorter_mapping_is_allowed)
{
	char *p;
	__u32 h;

	ASSERT_EQ(0, logos_mem_new(self->dev, 4 * self->ps, &h, NULL));
	p = logos_map(self->dev, h, self->ps, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, p) TH_LOG("mmap: %s", strerror(errno));
	munmap(p, self->ps);
}

TEST_F(mem, map_private_is_einval)
{
	__u32 h;

	ASSERT_EQ(0, logos_mem_new(self->dev, self->ps, &h, NULL));
	EXPECT_EQ(-EINVAL, logos_map_err(self->dev, (off_t)h * self->ps, self->ps, PROT_READ,
					 MAP_PRIVATE));
	EXPECT_EQ(-EINVAL, logos_map_err(self->dev, (off_t)h * self->ps, self->ps,
					 PROT_READ | PROT_WRITE, MAP_PRIVATE));
}

TEST_F(mem, length_beyond_the_object_is_einval)
{
	__u32 h;

	ASSERT_EQ(0, logos_mem_new(self->dev, 2 * self->ps, &h, NULL));
	EXPECT_EQ(-EINVAL, logos_map_err(self->dev, (off_t)h * self->ps, 3 * self->ps, PROT_READ,
					 MAP_SHARED));
	EXPECT_EQ(-EINVAL, logos_map_err(self->dev, (off_t)h * self->ps, 2 * self->ps + 1,
					 PROT_READ, MAP_SHARED));
}

TEST_F(mem, offset_of_no_handle_is_ebadf)
{
	__u32 h;

	ASSERT_EQ(0, logos_mem_new(self->dev, self->ps, &h, NULL));
	ASSERT_EQ(0, logos_close_handle(self->dev, h));
	EXPECT_EQ(-EBADF, logos_map_err(self->dev, (off_t)h * self->ps, self->ps, PROT_READ,
					MAP_SHARED));
	EXPECT_EQ(-EBADF, logos_map_err(self->dev, 0, self->ps, PROT_READ, MAP_SHARED));
}

TEST_F(mem, offset_of_an_event_is_eprototype)
{
	__u32 e;

	ASSERT_EQ(0, logos_event_new(self->dev, &e));
	EXPECT_EQ(-EPROTOTYPE, logos_map_err(self->dev, (off_t)e * self->ps, self->ps, PROT_READ,
					     MAP_SHARED));
}

TEST_F(mem, a_module_file_maps_through_its_own_table_only)
{
	struct logos_test_module m;
	__u32 h, mh;
	char *p;

	ASSERT_EQ(0, logos_module_new(self->dev, "mapper", LOGOS_TRUST_USER, NULL, &m));
	ASSERT_EQ(0, logos_mem_new(self->dev, self->ps, &h, NULL));
	ASSERT_EQ(0, logos_mem_new(m.fd, self->ps, &mh, NULL));
	if (h != mh)
		EXPECT_EQ(-EBADF, logos_map_err(m.fd, (off_t)h * self->ps, self->ps, PROT_READ,
						MAP_SHARED));
	p = logos_map(m.fd, mh, self->ps, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, p) TH_LOG("mmap: %s", strerror(errno));
	munmap(p, self->ps);
}

/* ---- rights --------------------------------------------------------------------------- */

TEST_F(mem, handle_without_map_read_cannot_be_mapped)
{
	__u32 h, blind;

	ASSERT_EQ(0, logos_mem_new(self->dev, self->ps, &h, NULL));
	ASSERT_EQ(0, logos_dup(self->dev, h, ALL_RIGHTS & ~LOGOS_RIGHT_MAP_READ, &blind));
	EXPECT_EQ(-EPERM, logos_map_err(self->dev, (off_t)blind * self->ps, self->ps, PROT_READ,
					MAP_SHARED));
}

TEST_F(mem, handle_without_map_write_cannot_be_mapped_writable)
{
	__u32 h, ro;
	char *p;

	ASSERT_EQ(0, logos_mem_new(self->dev, self->ps, &h, NULL));
	ASSERT_EQ(0, logos_dup(self->dev, h, ALL_RIGHTS & ~LOGOS_RIGHT_MAP_WRITE, &ro));
	EXPECT_EQ(-EPERM, logos_map_err(self->dev, (off_t)ro * self->ps, self->ps,
					PROT_READ | PROT_WRITE, MAP_SHARED));
	EXPECT_EQ(-EPERM, logos_map_err(self->dev, (off_t)ro * self->ps, self->ps, PROT_WRITE,
					MAP_SHARED));
	p = logos_map(self->dev, ro, self->ps, PROT_READ);
	ASSERT_NE(NULL, p) TH_LOG("read-only mmap: %s", strerror(errno));
	munmap(p, self->ps);
}

TEST_F(mem, read_only_mapping_cannot_be_made_writable_with_mprotect)
{
	__u32 h, ro;
	char *p, *q;

	ASSERT_EQ(0, logos_mem_new(self->dev, self->ps, &h, NULL));
	ASSERT_EQ(0, logos_dup(self->dev, h, ALL_RIGHTS & ~LOGOS_RIGHT_MAP_WRITE, &ro));
	p = logos_map(self->dev, ro, self->ps, PROT_READ);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(-1, mprotect(p, self->ps, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(SIGSEGV, logos_probe(p, 1, 'w', NULL));
	/* A writable mapping, by contrast, may drop write and take it back. */
	q = logos_map(self->dev, h, self->ps, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, q);
	ASSERT_EQ(0, mprotect(q, self->ps, PROT_READ));
	EXPECT_EQ(0, mprotect(q, self->ps, PROT_READ | PROT_WRITE));
	EXPECT_EQ(0, logos_probe(q, 1, 'w', NULL));
	EXPECT_EQ('w', p[0]);
	munmap(p, self->ps);
	munmap(q, self->ps);
}

/* ---- grants between modules ------------------------------------------------------------- */

/* Two modules joined by a channel: A sends on ha, B receives on hb. */
FIXTURE(grant) {
	int dev;
	long ps;
	struct logos_test_module a, b;
	__u32 ha, hb;
	__u32 mem;	/* a 2-page object of A's */
	char *amap;	/* A's writable mapping of it */
};

FIXTURE_SETUP(grant)
{
	__u32 c0, c1;

	self->dev = logos_open_dev();
	ASSERT_LE(0, self->dev);
	self->ps = logos_page_size();
	ASSERT_EQ(0, logos_chan_new(self->dev, 0, 0, &c0, &c1));
	ASSERT_EQ(0, logos_module_with(self->dev, "granter", NULL, c0, &self->a, &self->ha));
	ASSERT_EQ(0, logos_module_with(self->dev, "grantee", NULL, c1, &self->b, &self->hb));
	ASSERT_EQ(0, logos_mem_new(self->a.fd, 2 * self->ps, &self->mem, NULL));
	self->amap = logos_map(self->a.fd, self->mem, 2 * self->ps, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, self->amap) TH_LOG("mmap: %s", strerror(errno));
	strcpy(self->amap, "from A");
}

FIXTURE_TEARDOWN(grant)
{
	close(self->dev);
}

/* A sends its object to B with @rights and @flags; B's handle, or 0. */
static __u32 grant(int afd, __u32 ha, int bfd, __u32 hb, __u32 mem, __u32 rights, __u32 flags)
{
	struct logos_msg_handle mh = logos_mh(mem, rights, flags), rx = { 0 };

	if (logos_send(afd, ha, "grant", 5, &mh, 1, 0, 0))
		return 0;
	if (logos_recv(bfd, hb, (char[8]){}, 8, &rx, 1, 0, NULL))
		return 0;
	return rx.type == LOGOS_OBJ_MEMORY ? rx.handle : 0;
}

TEST_F(grant, the_receiver_maps_the_same_pages)
{
	struct logos_mem_info info;
	__u32 bh;
	char *bmap;

	bh = grant(self->a.fd, self->ha, self->b.fd, self->hb, self->mem, LOGOS_RIGHTS_SAME, 0);
	ASSERT_NE(0, bh);
	ASSERT_EQ(0, logos_mem_info(self->b.fd, bh, &info));
	EXPECT_EQ(2 * self->ps, info.size);
	EXPECT_EQ((__u64)bh * self->ps, info.mmap_offset);
	bmap = logos_map(self->b.fd, bh, 2 * self->ps, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, bmap) TH_LOG("mmap: %s", strerror(errno));
	EXPECT_STREQ("from A", bmap);
	strcpy(bmap + self->ps, "from B");
	EXPECT_STREQ("from B", self->amap + self->ps);
	munmap(bmap, 2 * self->ps);
}

TEST_F(grant, the_pages_stay_charged_to_the_creator)
{
	ASSERT_NE(0, grant(self->a.fd, self->ha, self->b.fd, self->hb, self->mem,
			   LOGOS_RIGHTS_SAME, 0));
	EXPECT_EQ(2, logos_usage(self->dev, self->a.handle, LOGOS_RES_MEMORY_PAGES));
	EXPECT_EQ(0, logos_usage(self->dev, self->b.handle, LOGOS_RES_MEMORY_PAGES));
}

TEST_F(grant, read_only_grant_maps_readable_but_never_writable)
{
	__u32 ro = LOGOS_RIGHT_READ | LOGOS_RIGHT_MAP_READ | LOGOS_RIGHT_TRANSFER;
	__u32 bh;
	char *bmap;

	bh = grant(self->a.fd, self->ha, self->b.fd, self->hb, self->mem, ro, 0);
	ASSERT_NE(0, bh);
	EXPECT_EQ(ro, logos_rights_of(self->b.fd, bh));
	EXPECT_EQ(-EPERM, logos_map_err(self->b.fd, (off_t)bh * self->ps, self->ps,
					PROT_READ | PROT_WRITE, MAP_SHARED));
	bmap = logos_map(self->b.fd, bh, 2 * self->ps, PROT_READ);
	ASSERT_NE(NULL, bmap) TH_LOG("mmap: %s", strerror(errno));
	EXPECT_STREQ("from A", bmap);
	EXPECT_EQ(-1, mprotect(bmap, self->ps, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(SIGSEGV, logos_probe(bmap, 1, 'x', NULL));
	EXPECT_EQ('f', self->amap[0]);
	/* Nor can B hand on more than it has. */
	EXPECT_EQ(-EPERM, logos_dup(self->b.fd, bh, ro | LOGOS_RIGHT_MAP_WRITE, &bh));
	munmap(bmap, 2 * self->ps);
}

TEST_F(grant, move_grant_takes_the_senders_handle)
{
	struct logos_handle_info info;
	__u32 bh;

	bh = grant(self->a.fd, self->ha, self->b.fd, self->hb, self->mem, LOGOS_RIGHTS_SAME,
		   LOGOS_MSG_HANDLE_MOVE);
	ASSERT_NE(0, bh);
	EXPECT_EQ(-EBADF, logos_info(self->a.fd, self->mem, &info));
	EXPECT_EQ(-EBADF, logos_map_err(self->a.fd, (off_t)self->mem * self->ps, self->ps,
					PROT_READ, MAP_SHARED));
	EXPECT_NE(NULL, logos_map(self->b.fd, bh, self->ps, PROT_READ));
}

TEST_F(grant, revoke_gives_the_receiver_sigbus_and_keeps_the_revokers_mapping)
{
	__u32 bh, revoked = 0;
	char *bmap, seen = 0;

	bh = grant(self->a.fd, self->ha, self->b.fd, self->hb, self->mem, LOGOS_RIGHTS_SAME, 0);
	ASSERT_NE(0, bh);
	bmap = logos_map(self->b.fd, bh, 2 * self->ps, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, bmap);
	ASSERT_EQ(0, logos_probe(bmap, 0, 0, &seen));
	EXPECT_EQ('f', seen);

	ASSERT_EQ(0, logos_revoke(self->a.fd, self->mem, &revoked));
	EXPECT_EQ(1, revoked);	/* B's handle; mappings are not handles */
	EXPECT_EQ(SIGBUS, logos_probe(bmap, 0, 0, &seen));
	EXPECT_EQ(SIGBUS, logos_probe(bmap + self->ps, 0, 0, &seen));
	EXPECT_EQ(SIGBUS, logos_probe(bmap, 1, 'x', NULL));
	/* A's own mapping, made through the revoking handle, still works. */
	EXPECT_EQ(0, logos_probe(self->amap, 1, 'F', NULL));
	EXPECT_EQ(0, logos_probe(self->amap + self->ps, 1, 'G', NULL));
	EXPECT_EQ('F', self->amap[0]);
	EXPECT_EQ('G', self->amap[self->ps]);
	munmap(bmap, 2 * self->ps);
}

TEST_F(grant, revoke_gives_sigbus_even_to_pages_never_touched)
{
	__u32 bh;
	char *bmap;

	bh = grant(self->a.fd, self->ha, self->b.fd, self->hb, self->mem, LOGOS_RIGHTS_SAME, 0);
	ASSERT_NE(0, bh);
	bmap = logos_map(self->b.fd, bh, 2 * self->ps, PROT_READ);
	ASSERT_NE(NULL, bmap);
	ASSERT_EQ(0, logos_revoke(self->a.fd, self->mem, NULL));
	EXPECT_EQ(SIGBUS, logos_probe(bmap + self->ps + 17, 0, 0, NULL));
	munmap(bmap, 2 * self->ps);
}

TEST_F(grant, revoke_updates_the_receivers_accounting_and_the_mapping_count)
{
	struct logos_mem_info info;
	__u32 bh;
	char *bmap;

	bh = grant(self->a.fd, self->ha, self->b.fd, self->hb, self->mem, LOGOS_RIGHTS_SAME, 0);
	ASSERT_NE(0, bh);
	bmap = logos_map(self->b.fd, bh, 2 * self->ps, PROT_READ);
	ASSERT_NE(NULL, bmap);
	EXPECT_EQ(2, logos_usage(self->dev, self->b.handle, LOGOS_RES_MAPPED_PAGES));
	ASSERT_EQ(0, logos_mem_info(self->a.fd, self->mem, &info));
	EXPECT_EQ(2, info.mappings);
	ASSERT_EQ(0, logos_revoke(self->a.fd, self->mem, NULL));
	EXPECT_EQ(0, logos_usage(self->dev, self->b.handle, LOGOS_RES_MAPPED_PAGES));
	EXPECT_EQ(2, logos_usage(self->dev, self->a.handle, LOGOS_RES_MAPPED_PAGES));
	ASSERT_EQ(0, logos_mem_info(self->a.fd, self->mem, &info));
	EXPECT_EQ(1, info.mappings);
	munmap(bmap, 2 * self->ps);
	EXPECT_EQ(0, logos_usage(self->dev, self->b.handle, LOGOS_RES_MAPPED_PAGES));
}

TEST_F(grant, revoked_grant_cannot_be_mapped_again)
{
	__u32 bh;

	bh = grant(self->a.fd, self->ha, self->b.fd, self->hb, self->mem, LOGOS_RIGHTS_SAME, 0);
	ASSERT_NE(0, bh);
	ASSERT_EQ(0, logos_revoke(self->a.fd, self->mem, NULL));
	EXPECT_EQ(-EKEYREVOKED, logos_map_err(self->b.fd, (off_t)bh * self->ps, self->ps,
					      PROT_READ, MAP_SHARED));
}

TEST_F(grant, revoke_of_a_grant_revoked_in_flight_leaves_nothing_mappable)
{
	struct logos_msg_handle mh = logos_mh(self->mem, LOGOS_RIGHTS_SAME, 0), rx = { 0 };

	ASSERT_EQ(0, logos_send(self->a.fd, self->ha, NULL, 0, &mh, 1, 0, 0));
	ASSERT_EQ(0, logos_revoke(self->a.fd, self->mem, NULL));
	ASSERT_EQ(0, logos_recv(self->b.fd, self->hb, NULL, 0, &rx, 1, 0, NULL));
	EXPECT_EQ(LOGOS_HANDLE_F_REVOKED, rx.flags);
	EXPECT_EQ(-EKEYREVOKED, logos_map_err(self->b.fd, (off_t)rx.handle * self->ps, self->ps,
					      PROT_READ, MAP_SHARED));
}

/* ---- accounting --------------------------------------------------------------------------- */

TEST_F(mem, mapped_pages_go_up_with_mmap_and_down_with_munmap)
{
	struct logos_test_module m;
	char *p, *q;
	__u32 h;

	ASSERT_EQ(0, logos_module_new(self->dev, "mapped", LOGOS_TRUST_USER, NULL, &m));
	ASSERT_EQ(0, logos_mem_new(m.fd, 4 * self->ps, &h, NULL));
	EXPECT_EQ(0, logos_usage(self->dev, m.handle, LOGOS_RES_MAPPED_PAGES));
	p = logos_map(m.fd, h, 2 * self->ps, PROT_READ);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(2, logos_usage(self->dev, m.handle, LOGOS_RES_MAPPED_PAGES));
	q = logos_map(m.fd, h, 4 * self->ps, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, q);
	EXPECT_EQ(6, logos_usage(self->dev, m.handle, LOGOS_RES_MAPPED_PAGES));
	ASSERT_EQ(0, munmap(p, 2 * self->ps));
	EXPECT_EQ(4, logos_usage(self->dev, m.handle, LOGOS_RES_MAPPED_PAGES));
	ASSERT_EQ(0, munmap(q, 4 * self->ps));
	EXPECT_EQ(0, logos_usage(self->dev, m.handle, LOGOS_RES_MAPPED_PAGES));
}

/*
 * Splits and moves map nothing more: MAPPED_PAGES stays what was mapped
 * (the old node's count used to stay whole while each piece added its
 * own), a revoked mapping stops counting, and its pieces never count.
 */
TEST_F(mem, splits_and_moves_keep_mapped_pages_exact)
{
	struct logos_test_module m;
	struct logos_mem_info mi;
	__u32 h, g;
	char *p, *far;

	ASSERT_EQ(0, logos_module_new(self->dev, "splits", LOGOS_TRUST_USER, NULL, &m));
	ASSERT_EQ(0, logos_mem_new(m.fd, 16 * self->ps, &h, NULL));
	ASSERT_EQ(0, logos_dup(m.fd, h, LOGOS_RIGHTS_SAME, &g));
	p = logos_map(m.fd, g, 16 * self->ps, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, mprotect(p + 5 * self->ps, self->ps, PROT_READ));
	EXPECT_EQ(16, logos_usage(self->dev, m.handle, LOGOS_RES_MAPPED_PAGES));
	/* A page moved elsewhere, then the hole it left: still 16, then 15. */
	far = mmap(NULL, self->ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, far);
	ASSERT_EQ(far, mremap(p + 9 * self->ps, self->ps, self->ps,
			      MREMAP_MAYMOVE | MREMAP_FIXED, far));
	EXPECT_EQ(16, logos_usage(self->dev, m.handle, LOGOS_RES_MAPPED_PAGES));
	ASSERT_EQ(0, munmap(p + 12 * self->ps, self->ps));
	EXPECT_EQ(15, logos_usage(self->dev, m.handle, LOGOS_RES_MAPPED_PAGES));
	/* Revoked: nothing counts, and splitting the pieces counts nothing again. */
	EXPECT_EQ(0, logos_revoke(m.fd, h, NULL));
	EXPECT_EQ(0, logos_usage(self->dev, m.handle, LOGOS_RES_MAPPED_PAGES));
	ASSERT_EQ(0, mprotect(p + 2 * self->ps, self->ps, PROT_READ));
	EXPECT_EQ(0, logos_usage(self->dev, m.handle, LOGOS_RES_MAPPED_PAGES));
	ASSERT_EQ(0, logos_mem_info(m.fd, h, &mi));
	EXPECT_EQ(0, mi.mappings);
	ASSERT_EQ(0, munmap(p, 16 * self->ps));
	ASSERT_EQ(0, munmap(far, self->ps));
	EXPECT_EQ(0, logos_usage(self->dev, m.handle, LOGOS_RES_MAPPED_PAGES));
}

TEST_F(mem, supervisor_mappings_are_not_charged_to_a_module)
{
	struct logos_test_module m;
	__u32 h, given;
	char *p;

	ASSERT_EQ(0, logos_module_new(self->dev, "bystander", LOGOS_TRUST_USER, NULL, &m));
	ASSERT_EQ(0, logos_mem_new(self->dev, self->ps, &h, NULL));
	ASSERT_EQ(0, logos_give(self->dev, m.handle, h, LOGOS_RIGHTS_SAME, 0, &given));
	p = logos_map(self->dev, h, self->ps, PROT_READ);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(0, logos_usage(self->dev, m.handle, LOGOS_RES_MAPPED_PAGES));
	munmap(p, self->ps);
}

TEST_F(mem, mapping_over_the_mapped_pages_quota_is_edquot)
{
	__u64 limits[LOGOS_RES_COUNT] = { [LOGOS_RES_MAPPED_PAGES] = 3 };
	struct logos_test_module m;
	char *p;
	__u32 h;

	ASSERT_EQ(0, logos_module_new(self->dev, "mapquota", LOGOS_TRUST_USER, limits, &m));
	ASSERT_EQ(0, logos_mem_new(m.fd, 2 * self->ps, &h, NULL));
	p = logos_map(m.fd, h, 2 * self->ps, PROT_READ);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(-EDQUOT, logos_map_err(m.fd, (off_t)h * self->ps, 2 * self->ps, PROT_READ,
					 MAP_SHARED));
	EXPECT_EQ(2, logos_usage(self->dev, m.handle, LOGOS_RES_MAPPED_PAGES));
	EXPECT_EQ(0, logos_map_err(m.fd, (off_t)h * self->ps, self->ps, PROT_READ, MAP_SHARED));
	munmap(p, 2 * self->ps);
	EXPECT_EQ(0, logos_usage(self->dev, m.handle, LOGOS_RES_MAPPED_PAGES));
}

TEST_F(mem, mem_info_counts_live_mappings_of_all_modules)
{
	struct logos_test_module m;
	struct logos_mem_info info;
	__u32 h, given;
	char *p, *q, *r;

	ASSERT_EQ(0, logos_module_new(self->dev, "counter", LOGOS_TRUST_USER, NULL, &m));
	ASSERT_EQ(0, logos_mem_new(self->dev, self->ps, &h, NULL));
	ASSERT_EQ(0, logos_mem_info(self->dev, h, &info));
	EXPECT_EQ(0, info.mappings);
	p = logos_map(self->dev, h, self->ps, PROT_READ);
	q = logos_map(self->dev, h, self->ps, PROT_READ);
	ASSERT_NE(NULL, p);
	ASSERT_NE(NULL, q);
	ASSERT_EQ(0, logos_give(self->dev, m.handle, h, LOGOS_RIGHTS_SAME, 0, &given));
	r = logos_map(m.fd, given, self->ps, PROT_READ);
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, logos_mem_info(self->dev, h, &info));
	EXPECT_EQ(3, info.mappings);
	ASSERT_EQ(0, logos_mem_info(m.fd, given, &info));
	EXPECT_EQ(3, info.mappings);
	munmap(q, self->ps);
	ASSERT_EQ(0, logos_mem_info(self->dev, h, &info));
	EXPECT_EQ(2, info.mappings);
	munmap(p, self->ps);
	munmap(r, self->ps);
	ASSERT_EQ(0, logos_mem_info(self->dev, h, &info));
	EXPECT_EQ(0, info.mappings);
}

TEST_F(mem, mem_info_needs_read_or_a_map_right)
{
	struct logos_mem_info info = { 0 };
	__u32 h, only_transfer, only_map_read, only_map_write;

	ASSERT_EQ(0, logos_mem_new(self->dev, self->ps, &h, NULL));
	ASSERT_EQ(0, logos_dup(self->dev, h, LOGOS_RIGHT_TRANSFER, &only_transfer));
	ASSERT_EQ(0, logos_dup(self->dev, h, LOGOS_RIGHT_MAP_READ, &only_map_read));
	ASSERT_EQ(0, logos_dup(self->dev, h, LOGOS_RIGHT_MAP_WRITE, &only_map_write));
	EXPECT_EQ(-EPERM, logos_mem_info(self->dev, only_transfer, &info));
	EXPECT_EQ(0, logos_mem_info(self->dev, only_map_read, &info));
	EXPECT_EQ(self->ps, info.size);
	EXPECT_EQ(0, logos_mem_info(self->dev, only_map_write, &info));
}

TEST_F(mem, mem_info_with_flags_is_einval_and_on_an_event_eprototype)
{
	struct logos_mem_info arg;
	__u32 h, e;

	ASSERT_EQ(0, logos_mem_new(self->dev, self->ps, &h, NULL));
	ASSERT_EQ(0, logos_event_new(self->dev, &e));
	arg = (struct logos_mem_info){ .handle = h, .flags = 1 };
	EXPECT_EQ(-EINVAL, logos_ioctl(self->dev, LOGOS_IOC_MEM_INFO, &arg));
	EXPECT_EQ(-EPROTOTYPE, logos_mem_info(self->dev, e, &arg));
	EXPECT_EQ(-EBADF, logos_mem_info(self->dev, 0, &arg));
}

TEST_F(mem, closing_every_handle_and_mapping_frees_the_object)
{
	long long live0 = logos_live_objects();
	char *p;
	__u32 h;

	ASSERT_LE(0, live0);
	ASSERT_EQ(0, logos_mem_new(self->dev, 2 * self->ps, &h, NULL));
	EXPECT_EQ(live0 + 1, logos_live_objects());
	p = logos_map(self->dev, h, 2 * self->ps, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, logos_close_handle(self->dev, h));
	ASSERT_EQ(0, munmap(p, 2 * self->ps));
	EXPECT_EQ(live0, logos_live_objects_settle(live0));
}

TEST_HARNESS_MAIN
