// SPDX-License-Identifier: GPL-2.0
/*
 * Mapped channels: MAP vs close vs revoke (mapped.c logos_mapped_attach,
 * logos_mapped_zero_handles, logos_mapped_end, logos_mapped_revoke_side).
 * Each round: MAPPED_CREATE (h0, h1), d0 = dup(h0); side 1 is attached
 * up front and its thread rings the doorbell / waits in a loop. Then on a
 * barrier: T1 MAPs side 0 through d0 and mmaps the ring at once; T2
 * either revokes h0 (odd rounds) or closes d0 after h0 was closed (even
 * rounds). After a revoke, side 0's ring must SIGBUS if T1 mapped it
 * (ipc.md: the memory handles are revoked when the side ends, mappings
 * too); MAP may only fail with -EPIPE, -EBADF, -EKEYREVOKED. Nothing may
 * leak (live_objects) and the kernel must stay quiet.
 */
#include "common.h"

#include <setjmp.h>

static __thread sigjmp_buf jb;
static __thread volatile int armed;
static pthread_barrier_t bar;
static volatile int quit, bell_stop;
static uint32_t h0, h1, d0, att1;
static int mode;
static struct logos_mapped_map mm0;
static int map_ret;
static char *ring0;
static size_t ring0_len;

static void on_fault(int sig)
{
	if (armed)
		siglongjmp(jb, sig);
	_exit(3);
}

static int touch(volatile char *p)
{
	int sig;

	armed = 1;
	sig = sigsetjmp(jb, 1);
	if (!sig)
		(void)*p;
	armed = 0;
	return sig;
}

static void *mapper(void *p)
{
	(void)p;
	pin_cpu(0);
	for (;;) {	/* quit is read after the barrier */
		pthread_barrier_wait(&bar);
		if (quit)
			break;
		memset(&mm0, 0, sizeof(mm0));
		mm0.handle = d0;
		map_ret = M(LOGOS_IOC_MAPPED_MAP, &mm0);
		ring0 = NULL;
		if (!map_ret) {
			ring0_len = mm0.ring_size;
			ring0 = mmap(NULL, ring0_len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd,
				     mm0.ring_mmap_offset);
			if (ring0 == MAP_FAILED)
				ring0 = NULL;
		}
		pthread_barrier_wait(&bar);
	}
	return NULL;
}

static void *ender(void *p)
{
	(void)p;
	pin_cpu(1);
	for (;;) {	/* quit is read after the barrier */
		pthread_barrier_wait(&bar);
		if (quit)
			break;
		usleep(rand() % 100);
		if (mode)
			hrevoke(h0, NULL);
		else
			hclose(d0);
		pthread_barrier_wait(&bar);
	}
	return NULL;
}

static void *bell(void *p)
{
	(void)p;
	pin_cpu(1);
	while (!bell_stop) {
		struct logos_mapped_notify n = { .handle = att1 };
		struct logos_mapped_wait w = { .handle = att1, .timeout_ns = 0 };

		M(LOGOS_IOC_MAPPED_NOTIFY, &n);
		M(LOGOS_IOC_MAPPED_WAIT, &w);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long rounds = rounds_arg(argc, argv, 1500), i, live0, bad_err = 0, not_sigbus = 0;
	long mapped_ok = 0, revoked_mapped = 0;
	long errs[4] = { 0 };
	pthread_t t[3];

	attack_name = "mapped_race";
	signal(SIGBUS, on_fault);
	signal(SIGSEGV, on_fault);
	live0 = live_objects();
	new_module(LOGOS_MODULE_ALLOW_MAPPED);
	pthread_barrier_init(&bar, NULL, 3);
	pthread_create(&t[0], NULL, mapper, NULL);
	pthread_create(&t[1], NULL, ender, NULL);
	for (i = 0; i < rounds; i++) {
		struct logos_mapped_create mc = { .slot_size = 64, .nr_slots = 2 };
		struct logos_mapped_map m1 = { 0 };

		if (M(LOGOS_IOC_MAPPED_CREATE, &mc))
			die("MAPPED_CREATE", -errno);
		h0 = mc.handle0;
		h1 = mc.handle1;
		if (hdup(h0, LOGOS_RIGHTS_SAME, &d0))
			die("dup", -EIO);
		m1.handle = h1;
		if (M(LOGOS_IOC_MAPPED_MAP, &m1))
			die("MAP side 1", -EIO);
		att1 = m1.attach_handle;
		bell_stop = 0;
		pthread_create(&t[2], NULL, bell, NULL);
		mode = i & 1;
		if (!mode)
			hclose(h0);
		pthread_barrier_wait(&bar);
		pthread_barrier_wait(&bar);
		if (!map_ret) {
			mapped_ok++;
			if (mode && ring0) {
				revoked_mapped++;
				if (touch(ring0) != SIGBUS)
					not_sigbus++;
			}
		} else if (map_ret == -EPIPE) {
			errs[0]++;
		} else if (map_ret == -EBADF) {
			errs[1]++;
		} else if (map_ret == -EKEYREVOKED) {
			errs[2]++;
		} else {
			errs[3]++;
			if (bad_err++ < 3)
				printf("# round %ld: MAP %s\n", i, strerror(-map_ret));
		}
		/* Stop the bell thread before tearing down side 1. */
		bell_stop = 1;
		pthread_join(t[2], NULL);
		if (ring0)
			munmap(ring0, ring0_len);
		if (!map_ret) {
			hclose(mm0.attach_handle);
			hclose(mm0.ring_handle);
			hclose(mm0.ctl_handle);
		}
		hclose(att1);
		hclose(m1.ring_handle);
		hclose(m1.ctl_handle);
		hclose(h0);
		hclose(d0);
		hclose(h1);
	}
	quit = 1;
	pthread_barrier_wait(&bar);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	printf("# %ld rounds: MAP ok %ld (%ld mapped on revoke rounds), EPIPE %ld, EBADF %ld, "
	       "EKEYREVOKED %ld, other %ld\n", rounds, mapped_ok, revoked_mapped, errs[0], errs[1],
	       errs[2], errs[3]);
	check(bad_err == 0, "MAP fails only with EPIPE/EBADF/EKEYREVOKED (%ld other)", bad_err);
	check(not_sigbus == 0, "a ring mapped before its side was revoked SIGBUSes "
	      "(%ld of %ld did not)", not_sigbus, revoked_mapped);
	{
		struct logos_module_info mi = self_info();

		check(mi.usage[LOGOS_RES_OBJECTS] == 0 && mi.usage[LOGOS_RES_HANDLES] == 0 &&
		      mi.usage[LOGOS_RES_MEMORY_PAGES] == 0 && mi.usage[LOGOS_RES_MAPPED_PAGES] == 0,
		      "usage back to 0 (objects %llu handles %llu memory %llu mapped %llu)",
		      (unsigned long long)mi.usage[LOGOS_RES_OBJECTS],
		      (unsigned long long)mi.usage[LOGOS_RES_HANDLES],
		      (unsigned long long)mi.usage[LOGOS_RES_MEMORY_PAGES],
		      (unsigned long long)mi.usage[LOGOS_RES_MAPPED_PAGES]);
	}
	end_module();
	usleep(100000);
	check(live_objects() == live0, "live_objects back to %ld (now %ld)", live0, live_objects());
	return finish();
}
