// SPDX-License-Identifier: GPL-2.0
/*
 * Deterministic: the mapped-pages accounting of a split grant mapping
 * (memory.c logos_vm_open, logos_mapping_unaccount). uapi: usage of
 * LOGOS_RES_MAPPED_PAGES is "pages mapped into the module"; memory.c: "A
 * revoked mapping stops counting at once, in the mapper's quota and in
 * the object's mappings". Steps, one thread:
 *  1. mmap 16 pages through a duplicate G of root R: expect 16.
 *  2. mprotect one page in the middle (three vmas, still 16 pages).
 *  3. with MAPPED_PAGES limited to 32: a second 16-page mmap must fit.
 *  4. revoke R: expect 0 pages and MEM_INFO.mappings 0.
 *  5. mprotect again (splits the revoked mapping): expect still 0.
 *  6. munmap everything: expect 0.
 */
#include "common.h"

#define PG 4096UL

static unsigned long long mapped_pages(void)
{
	return self_info().usage[LOGOS_RES_MAPPED_PAGES];
}

static unsigned long long mappings(uint32_t h)
{
	struct logos_mem_info mi = { .handle = h };

	M(LOGOS_IOC_MEM_INFO, &mi);
	return mi.mappings;
}

int main(void)
{
	struct logos_module_set_quota q = { .resource = LOGOS_RES_MAPPED_PAGES, .limit = 32 };
	uint32_t r, g;
	char *a, *b;
	unsigned long long v;
	long live0;

	attack_name = "split_account";
	live0 = live_objects();
	new_module(0);
	q.handle = mod_handle;
	if (xioctl(sup_fd, LOGOS_IOC_MODULE_SET_QUOTA, &q))
		die("SET_QUOTA", -errno);
	if (mem_create(16 * PG, &r, NULL) || hdup(r, LOGOS_RIGHTS_SAME, &g))
		die("mem", -EIO);
	a = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, (off_t)g << 12);
	if (a == MAP_FAILED)
		die("mmap", -errno);
	v = mapped_pages();
	check(v == 16, "16-page mapping counts 16 (%llu)", v);
	mprotect(a + 5 * PG, PG, PROT_READ);
	v = mapped_pages();
	check(v == 16, "after mprotect of one page (3 vmas): 16 (%llu)", v);
	b = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, (off_t)g << 12);
	check(b != MAP_FAILED, "a second 16-page mapping fits a limit of 32 (%s)",
	      b == MAP_FAILED ? strerror(errno) : "ok");
	if (b != MAP_FAILED)
		munmap(b, 16 * PG);
	hrevoke(r, NULL);
	v = mapped_pages();
	check(v == 0, "after revoke: 0 (%llu), MEM_INFO.mappings %llu", v, mappings(r));
	mprotect(a + 9 * PG, PG, PROT_READ);
	mprotect(a + 12 * PG, 2 * PG, PROT_READ);
	v = mapped_pages();
	check(v == 0, "splitting the revoked mapping: still 0 (%llu), MEM_INFO.mappings %llu", v,
	      mappings(r));
	munmap(a, 16 * PG);
	v = mapped_pages();
	check(v == 0, "after munmap: 0 (%llu)", v);
	hclose(g);
	hclose(r);
	end_module();
	usleep(100000);
	check(live_objects() == live0, "live_objects back to %ld (now %ld)", live0, live_objects());
	return finish();
}
