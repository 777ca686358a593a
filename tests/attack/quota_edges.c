// SPDX-License-Identifier: GPL-2.0
/*
 * Deterministic quota-exhaustion paths (review finding 7 and its kin):
 * every failure at a quota edge must leave nothing behind and change
 * nothing. Steps:
 *  1. MAPPED_MAP with room for fewer than its 3 handles: -EDQUOT; after
 *     the limit is raised the same side must attach (not -EBUSY).
 *  2. MAPPED_CREATE over LOGOS_RES_MEMORY_PAGES: -EDQUOT, no object left.
 *  3. mmap over LOGOS_RES_MAPPED_PAGES: fails, usage unchanged.
 *  4. CHANNEL_CREATE over LOGOS_RES_CHANNELS / OBJECTS: fails whole.
 *  5. RECV of a message with 2 handles into a table with room for 1:
 *     -EDQUOT, the message stays queued and arrives whole later.
 * After each step the module's usage must be what it was, and at the end
 * live_objects must return to its value.
 */
#include "common.h"

#define PG 4096UL

static void set_limit(uint32_t res, uint64_t limit)
{
	struct logos_module_set_quota q = { .handle = mod_handle, .resource = res, .limit = limit };

	if (xioctl(sup_fd, LOGOS_IOC_MODULE_SET_QUOTA, &q))
		die("SET_QUOTA", -errno);
}

static unsigned long long usage(uint32_t res)
{
	return self_info().usage[res];
}

int main(void)
{
	struct logos_mapped_create mc = { .slot_size = 64, .nr_slots = 2 };
	struct logos_mapped_map mm = { 0 };
	unsigned long long h0, o0, m0, p0;
	uint32_t c0, c1, e1, e2, mem;
	long live0;
	int ret;

	attack_name = "quota_edges";
	live0 = live_objects();
	new_module(LOGOS_MODULE_ALLOW_MAPPED);

	/* 1. */
	if (M(LOGOS_IOC_MAPPED_CREATE, &mc))
		die("MAPPED_CREATE", -errno);
	h0 = usage(LOGOS_RES_HANDLES);
	o0 = usage(LOGOS_RES_OBJECTS);
	set_limit(LOGOS_RES_HANDLES, h0 + 2);
	mm.handle = mc.handle0;
	ret = M(LOGOS_IOC_MAPPED_MAP, &mm);
	check(ret == -EDQUOT, "MAP with room for 2 of 3 handles: -EDQUOT (%s)", strerror(-ret));
	check(usage(LOGOS_RES_HANDLES) == h0 && usage(LOGOS_RES_OBJECTS) == o0,
	      "nothing charged after it (handles %llu/%llu objects %llu/%llu)",
	      usage(LOGOS_RES_HANDLES), h0, usage(LOGOS_RES_OBJECTS), o0);
	set_limit(LOGOS_RES_HANDLES, LOGOS_LIMIT_DEFAULT);
	ret = M(LOGOS_IOC_MAPPED_MAP, &mm);
	check(ret == 0, "the same side attaches after the limit is raised (%s)",
	      ret ? strerror(-ret) : "ok");
	if (!ret) {
		hclose(mm.attach_handle);
		hclose(mm.ring_handle);
		hclose(mm.ctl_handle);
	}
	hclose(mc.handle0);
	hclose(mc.handle1);

	/* 2. */
	m0 = usage(LOGOS_RES_MEMORY_PAGES);
	o0 = usage(LOGOS_RES_OBJECTS);
	set_limit(LOGOS_RES_MEMORY_PAGES, 2);
	ret = M(LOGOS_IOC_MAPPED_CREATE, &mc);
	check(ret == -EDQUOT, "MAPPED_CREATE over MEMORY_PAGES: -EDQUOT (%s)", strerror(-ret));
	check(usage(LOGOS_RES_MEMORY_PAGES) == m0 && usage(LOGOS_RES_OBJECTS) == o0,
	      "nothing left (pages %llu objects %llu)", usage(LOGOS_RES_MEMORY_PAGES),
	      usage(LOGOS_RES_OBJECTS));
	set_limit(LOGOS_RES_MEMORY_PAGES, LOGOS_LIMIT_DEFAULT);

	/* 3. */
	if (mem_create(8 * PG, &mem, NULL))
		die("mem", -EIO);
	set_limit(LOGOS_RES_MAPPED_PAGES, 4);
	p0 = usage(LOGOS_RES_MAPPED_PAGES);
	{
		void *a = mmap(NULL, 8 * PG, PROT_READ, MAP_SHARED, mfd, (off_t)mem << 12);

		check(a == MAP_FAILED, "mmap of 8 pages over a limit of 4 fails (%s)",
		      a == MAP_FAILED ? strerror(errno) : "mapped");
		if (a != MAP_FAILED)
			munmap(a, 8 * PG);
	}
	check(usage(LOGOS_RES_MAPPED_PAGES) == p0, "MAPPED_PAGES unchanged (%llu)",
	      usage(LOGOS_RES_MAPPED_PAGES));
	set_limit(LOGOS_RES_MAPPED_PAGES, LOGOS_LIMIT_DEFAULT);

	/* 4. */
	o0 = usage(LOGOS_RES_OBJECTS);
	set_limit(LOGOS_RES_CHANNELS, usage(LOGOS_RES_CHANNELS) + 1);
	ret = chan_create(&c0, &c1);
	check(ret == -EDQUOT && usage(LOGOS_RES_OBJECTS) == o0,
	      "CHANNEL_CREATE with room for 1 end: -EDQUOT, objects %llu/%llu (%s)",
	      usage(LOGOS_RES_OBJECTS), o0, strerror(-ret));
	set_limit(LOGOS_RES_CHANNELS, LOGOS_LIMIT_DEFAULT);

	/* 5. */
	if (chan_create(&c0, &c1))
		die("channel", -EIO);
	{
		struct logos_event_create ec = { 0 };
		uint32_t hs[2];
		struct logos_msg_handle rh[2];
		struct logos_msg m;
		char b[4];

		M(LOGOS_IOC_EVENT_CREATE, &ec);
		e1 = ec.handle;
		M(LOGOS_IOC_EVENT_CREATE, &ec);
		e2 = ec.handle;
		hs[0] = e1;
		hs[1] = e2;
		send_msg(c0, "2", 1, hs, NULL, 2, 0);
		set_limit(LOGOS_RES_HANDLES, usage(LOGOS_RES_HANDLES) + 1);
		ret = recv_msg(c1, b, sizeof(b), rh, 2, 0, &m);
		check(ret == -EDQUOT, "RECV of 2 handles with room for 1: -EDQUOT (%s)",
		      strerror(-ret));
		set_limit(LOGOS_RES_HANDLES, LOGOS_LIMIT_DEFAULT);
		ret = recv_msg(c1, b, sizeof(b), rh, 2, 0, &m);
		check(ret == 0 && m.nr_handles == 2, "then it arrives whole (%s, %u handles)",
		      ret ? strerror(-ret) : "ok", m.nr_handles);
		if (!ret) {
			hclose(rh[0].handle);
			hclose(rh[1].handle);
		}
	}
	hclose(e1);
	hclose(e2);
	hclose(c0);
	hclose(c1);
	hclose(mem);
	{
		struct logos_module_info mi = self_info();
		int k, bad = 0;

		for (k = 0; k < LOGOS_RES_COUNT; k++)
			bad |= mi.usage[k] != 0;
		check(!bad, "all usage back to 0");
	}
	end_module();
	usleep(100000);
	check(live_objects() == live0, "live_objects back to %ld (now %ld)", live0, live_objects());
	return finish();
}
