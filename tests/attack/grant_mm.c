// SPDX-License-Identifier: GPL-2.0
/*
 * mremap/mprotect/munmap/faults on a grant mapping while it is revoked
 * (memory.c: logos_vm_open, logos_vm_fault, logos_memory_revoked).
 * Each round: a memory object (root R), a duplicate G (the "grantee's"
 * handle), a 16-page mapping through G. Thread A splits it (mprotect),
 * moves pieces (mremap MAYMOVE|FIXED), unmaps pieces and touches pages;
 * thread B revokes R at a random moment. Afterwards every page still
 * mapped anywhere must SIGBUS (security-model.md: after HANDLE_REVOKE a
 * grantee's mapping SIGBUSes); a page that reads or writes fine is a
 * revocation bypass. Also: LOGOS_RES_MAPPED_PAGES back to 0 after the
 * munmaps, and live_objects back to its value.
 */
#include "common.h"

#include <setjmp.h>

#define NP 16
#define PG 4096UL

static __thread sigjmp_buf jb;
static __thread volatile int armed;
static pthread_barrier_t bar;
static volatile int revoked_flag, quit;
static uint32_t root_h;
static char *base, *target;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)si; (void)uc;
	if (armed)
		siglongjmp(jb, sig);
	_exit(3);
}

/* 0: accessible, SIGBUS or SIGSEGV. */
static int touch(volatile char *p, int write)
{
	int sig;

	armed = 1;
	sig = sigsetjmp(jb, 1);
	if (!sig) {
		if (write)
			*p = 1;
		else
			(void)*p;
	}
	armed = 0;
	return sig;
}

static void *mangler(void *p)
{
	unsigned int seed = 1;

	(void)p;
	pin_cpu(0);
	for (;;) {	/* quit is read after the barrier */
		int k, j = 0;

		pthread_barrier_wait(&bar);
		if (quit)
			break;
		while (!revoked_flag || j < 20) {
			k = rand_r(&seed) % NP;
			switch (rand_r(&seed) % 5) {
			case 0:
				mprotect(base + k * PG, PG * (1 + rand_r(&seed) % 3),
					 rand_r(&seed) & 1 ? PROT_READ : PROT_READ | PROT_WRITE);
				break;
			case 1:
				mremap(base + k * PG, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED,
				       target + k * PG);
				break;
			case 2:
				if (rand_r(&seed) % 4 == 0)
					munmap(base + k * PG, PG);
				break;
			default:
				touch(base + k * PG, rand_r(&seed) & 1);
				touch(target + k * PG, 0);
				break;
			}
			if (revoked_flag)
				j++;
		}
		pthread_barrier_wait(&bar);
	}
	return NULL;
}

static void *revoker(void *p)
{
	(void)p;
	pin_cpu(1);
	for (;;) {	/* quit is read after the barrier */
		pthread_barrier_wait(&bar);
		if (quit)
			break;
		usleep(rand() % 300);
		hrevoke(root_h, NULL);
		revoked_flag = 1;
		pthread_barrier_wait(&bar);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long rounds = rounds_arg(argc, argv, 400), i, live0, bypass = 0, bypass_rounds = 0;
	long mapped_after = 0, mapped_bad = 0;
	struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_NODEFER };
	pthread_t ta, tb;
	int k;

	attack_name = "grant_mm";
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	live0 = live_objects();
	new_module(0);
	/* A reserved area to move pieces into: MREMAP_FIXED replaces only it. */
	target = mmap(NULL, NP * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pthread_barrier_init(&bar, NULL, 3);
	pthread_create(&ta, NULL, mangler, NULL);
	pthread_create(&tb, NULL, revoker, NULL);

	for (i = 0; i < rounds; i++) {
		uint32_t g;
		uint64_t off;
		long here = 0;

		if (mem_create(NP * PG, &root_h, NULL) || hdup(root_h, LOGOS_RIGHTS_SAME, &g))
			die("mem", -EIO);
		off = (uint64_t)g << 12;
		base = mmap(NULL, NP * PG, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, off);
		if (base == MAP_FAILED)
			die("mmap", -errno);
		memset(base, 0x5a, NP * PG);
		revoked_flag = 0;
		pthread_barrier_wait(&bar);
		pthread_barrier_wait(&bar);
		/* Everything still mapped must fault now. */
		for (k = 0; k < NP; k++) {
			if (touch(base + k * PG, 0) == 0)
				here++;
			if (touch(target + k * PG, 0) == 0)
				here++;
		}
		if (here) {
			bypass += here;
			bypass_rounds++;
			if (bypass_rounds <= 3)
				printf("# round %ld: %ld pages still readable after the revoke\n", i,
				       here);
		}
		{
			struct logos_module_info mi = self_info();

			if (mi.usage[LOGOS_RES_MAPPED_PAGES] != 0) {
				mapped_after++;
				if (mapped_after <= 3)
					printf("# round %ld: MAPPED_PAGES %llu while every mapping "
					       "is revoked\n", i,
					       (unsigned long long)mi.usage[LOGOS_RES_MAPPED_PAGES]);
			}
		}
		munmap(base, NP * PG);
		mmap(target, NP * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		hclose(g);
		hclose(root_h);
		{
			struct logos_module_info mi = self_info();

			if (mi.usage[LOGOS_RES_MAPPED_PAGES] != 0 ||
			    mi.usage[LOGOS_RES_MEMORY_PAGES] != 0) {
				mapped_bad++;
				if (mapped_bad <= 3)
					printf("# round %ld: after munmap MAPPED_PAGES %llu "
					       "MEMORY_PAGES %llu\n", i,
					       (unsigned long long)mi.usage[LOGOS_RES_MAPPED_PAGES],
					       (unsigned long long)mi.usage[LOGOS_RES_MEMORY_PAGES]);
			}
		}
	}
	quit = 1;
	pthread_barrier_wait(&bar);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	check(bypass == 0, "no page readable after the revoke (%ld pages in %ld of %ld rounds)",
	      bypass, bypass_rounds, rounds);
	check(mapped_after == 0, "revoked mappings stop counting at once (%ld rounds counted)",
	      mapped_after);
	check(mapped_bad == 0, "usage back to 0 after munmap (%ld rounds not)", mapped_bad);
	end_module();
	usleep(100000);
	check(live_objects() == live0, "live_objects back to %ld (now %ld)", live0, live_objects());
	return finish();
}
