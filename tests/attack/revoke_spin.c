// SPDX-License-Identifier: GPL-2.0
/*
 * Can a grantee hold its granter's HANDLE_REVOKE in the kernel?
 * memory.c logos_memory_revoked() loops until no mapping is "revoked and
 * not yet zapped" in a live mm. An mremap move of a revoked mapping makes
 * a new mapping node (logos_vm_open: derived from the revoked node, so
 * born revoked, but not zapped), which the loop must then visit again.
 * Setup: the supervisor (the granter here; logosd in real life) gives a
 * module a duplicate of a 1-page memory object; the module (a forked
 * child) maps it and, once told, moves that page back and forth with
 * mremap(MREMAP_FIXED) for ATTACK_S seconds. The supervisor revokes the
 * root meanwhile and times its ioctl. A revoke that lasts as long as the
 * attack (instead of milliseconds) is a finding: a hostile grantee pins
 * its granter in the kernel; it is also not killable there (no signal
 * check in the loop), which the second phase tests by SIGKILLing a
 * revoking thread-process and timing how long it takes to die.
 */
#include "common.h"

#include <sys/wait.h>

#define PG 4096UL
#define ATTACK_S 8

static uint32_t grant;

static void child(int go_fd)
{
	char *a, *b, c;
	double t0;
	long moves = 0;

	a = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, (off_t)grant << 12);
	b = mmap(NULL, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED || b == MAP_FAILED)
		_exit(4);
	a[0] = 1;
	if (read(go_fd, &c, 1) != 1)
		_exit(5);
	t0 = now_s();
	while (now_s() - t0 < ATTACK_S) {
		if (mremap(a, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, b) != MAP_FAILED) {
			char *t = a;

			a = b;
			b = t;
			moves++;
		}
	}
	printf("# module: %ld mremap moves of the revoked page in %d s\n", moves, ATTACK_S);
	fflush(stdout);
	_exit(0);
}

static int sup(unsigned long req, void *arg)
{
	return xioctl(sup_fd, req, arg);
}

/* One round; returns how long the revoke took, in seconds. */
static double round_trip(int kill_revoker, double *die_s)
{
	struct logos_mem_create mc = { .size = PG };
	struct logos_handle_dup d = { .rights = LOGOS_RIGHTS_SAME };
	struct logos_handle_give g = { .rights = LOGOS_RIGHTS_SAME };
	struct logos_handle_close cl = { 0 };
	int go[2], st;
	pid_t pid, rpid = 0;
	double t0, t;

	new_module(0);
	if (sup(LOGOS_IOC_MEM_CREATE, &mc))
		die("MEM_CREATE", -errno);
	d.handle = mc.handle;
	sup(LOGOS_IOC_HANDLE_DUPLICATE, &d);
	g.module = mod_handle;
	g.handle = d.new_handle;
	if (sup(LOGOS_IOC_HANDLE_GIVE, &g))
		die("GIVE", -errno);
	grant = g.new_handle;
	if (pipe(go))
		die("pipe", -errno);
	pid = fork();
	if (pid == 0) {
		close(go[1]);
		child(go[0]);
	}
	close(go[0]);
	close(mfd);
	mfd = -1;
	usleep(200000);
	if (write(go[1], "g", 1) != 1)
		die("write", -errno);
	usleep(300000);	/* the module is moving its page now */
	t0 = now_s();
	if (!kill_revoker) {
		struct logos_handle_revoke rv = { .handle = mc.handle };

		sup(LOGOS_IOC_HANDLE_REVOKE, &rv);
		t = now_s() - t0;
	} else {
		/* The revoke in a process of its own, SIGKILLed 1 s in. */
		rpid = fork();
		if (rpid == 0) {
			struct logos_handle_revoke rv = { .handle = mc.handle };

			sup(LOGOS_IOC_HANDLE_REVOKE, &rv);
			_exit(0);
		}
		usleep(1000000);
		t = now_s();
		kill(rpid, SIGKILL);
		waitpid(rpid, &st, 0);
		*die_s = now_s() - t;
		t = now_s() - t0;
	}
	waitpid(pid, &st, 0);
	close(go[1]);
	cl.handle = mc.handle;
	sup(LOGOS_IOC_HANDLE_CLOSE, &cl);
	cl.handle = d.new_handle;
	sup(LOGOS_IOC_HANDLE_CLOSE, &cl);
	end_module();
	return t;
}

int main(void)
{
	double t, die_s = 0;
	long live0;

	attack_name = "revoke_spin";
	live0 = live_objects();
	t = round_trip(0, NULL);
	printf("# HANDLE_REVOKE took %.3f s while the grantee moved its mapping\n", t);
	check(t < 1.0, "a grantee cannot hold its granter's revoke (%.3f s; attack lasts %d s)",
	      t, ATTACK_S);
	round_trip(1, &die_s);
	printf("# a SIGKILLed revoker took %.3f s to die\n", die_s);
	check(die_s < 1.0, "a revoker stuck that way can still be killed (%.3f s)", die_s);
	usleep(100000);
	check(live_objects() == live0, "live_objects back to %ld (now %ld)", live0, live_objects());
	return finish();
}
