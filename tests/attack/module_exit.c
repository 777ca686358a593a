// SPDX-License-Identifier: GPL-2.0
/*
 * Module death vs everything in flight (module.c
 * logos_module_file_release, handle.c logos_table_release, memory.c
 * logos_memory_revoked vs an exiting mm, channel.c parked calls). Each
 * round the supervisor (this process) makes a module, a channel and a
 * 64 KiB memory object, and GIVEs the module one channel end and a
 * duplicate of the memory. A forked child plays the module with two
 * threads: one maps/touches/unmaps the grant in a loop, one CALLs the
 * supervisor with a short timeout and is interrupted by signals (parked
 * calls). After a random delay the supervisor, at the same time: replies
 * to what it received, revokes the memory root, GIVEs another handle into
 * the module, and SIGKILLs the child. The kernel must stay quiet, the
 * module must end TERMINATED, and live_objects must return to its value.
 */
#include "common.h"

#include <sys/wait.h>

#define PG 4096UL

static uint32_t chan_end, grant;

static void on_sig(int sig) { (void)sig; }

static void *child_mapper(void *p)
{
	(void)p;
	for (;;) {
		char *a = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, mfd,
			       (off_t)grant << 12);

		if (a == MAP_FAILED)
			continue;
		a[0] = 1;
		mprotect(a + 3 * PG, PG, PROT_READ);
		munmap(a + 8 * PG, 8 * PG);
		munmap(a, 8 * PG);
	}
	return NULL;
}

static void child(void)
{
	pthread_t t, self = pthread_self();
	struct sigaction sa = { .sa_handler = on_sig };
	uint64_t v = 1, r;

	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGBUS, &(struct sigaction){ .sa_handler = SIG_IGN }, NULL);
	pthread_create(&t, NULL, child_mapper, NULL);
	for (;;) {
		struct logos_channel_call c = { .handle = chan_end, .timeout_ns = 3000000 };

		c.request.data = (uintptr_t)&v;
		c.request.data_len = sizeof(v);
		c.reply.data = (uintptr_t)&r;
		c.reply.data_len = sizeof(r);
		pthread_kill(self, SIGUSR1);
		M(LOGOS_IOC_CHANNEL_CALL, &c);	/* EINTR leaves it parked */
	}
}

static int sup(unsigned long req, void *arg)
{
	return xioctl(sup_fd, req, arg);
}

int main(int argc, char **argv)
{
	long rounds = rounds_arg(argc, argv, 150), i, live0, not_terminated = 0;
	int status;

	attack_name = "module_exit";
	live0 = live_objects();
	for (i = 0; i < rounds; i++) {
		struct logos_channel_create cc = { 0 };
		struct logos_mem_create mc = { .size = 16 * PG };
		struct logos_handle_dup d = { .rights = LOGOS_RIGHTS_SAME };
		struct logos_handle_give g1 = { .rights = LOGOS_RIGHTS_SAME };
		struct logos_handle_give g2 = { .rights = LOGOS_RIGHTS_SAME };
		struct logos_handle_revoke rv = { 0 };
		struct logos_module_info mi = { 0 };
		struct logos_handle_close cl = { 0 };
		pid_t pid;
		int k;

		new_module(0);
		if (sup(LOGOS_IOC_CHANNEL_CREATE, &cc) || sup(LOGOS_IOC_MEM_CREATE, &mc))
			die("supervisor objects", -errno);
		d.handle = mc.handle;
		sup(LOGOS_IOC_HANDLE_DUPLICATE, &d);
		g1.module = mod_handle;
		g1.handle = cc.handle1;
		g1.flags = LOGOS_GIVE_MOVE;
		g2.module = mod_handle;
		g2.handle = d.new_handle;
		if (sup(LOGOS_IOC_HANDLE_GIVE, &g1) || sup(LOGOS_IOC_HANDLE_GIVE, &g2))
			die("GIVE", -errno);
		chan_end = g1.new_handle;
		grant = g2.new_handle;
		pid = fork();
		if (pid == 0) {
			close(sup_fd);
			child();
			_exit(0);
		}
		close(mfd);	/* the child's copy is now the module file */
		mfd = -1;
		usleep(rand() % 20000);
		/* Answer a few requests, then everything at once. */
		for (k = 0; k < 4; k++) {
			uint64_t v;
			struct logos_msg m = { .data = (uintptr_t)&v, .data_len = sizeof(v) };
			struct logos_channel_io io = { .handle = cc.handle0, .msgs = (uintptr_t)&m,
						       .count = 1 };

			if (sup(LOGOS_IOC_CHANNEL_RECV, &io))
				break;
			{
				struct logos_channel_reply r = { .handle = cc.handle0,
								 .txn_id = m.header.txn_id };

				r.reply.data = (uintptr_t)&v;
				r.reply.data_len = sizeof(v);
				sup(LOGOS_IOC_CHANNEL_REPLY, &r);
			}
		}
		rv.handle = mc.handle;
		sup(LOGOS_IOC_HANDLE_REVOKE, &rv);
		kill(pid, SIGKILL);
		g1.handle = mc.handle;
		g1.flags = 0;
		sup(LOGOS_IOC_HANDLE_GIVE, &g1);	/* into a dying module: ok or ESRCH */
		waitpid(pid, &status, 0);
		mi.handle = mod_handle;
		sup(LOGOS_IOC_MODULE_INFO, &mi);
		if (mi.state != LOGOS_STATE_TERMINATED)
			not_terminated++;
		cl.handle = cc.handle0;
		sup(LOGOS_IOC_HANDLE_CLOSE, &cl);
		cl.handle = mc.handle;
		sup(LOGOS_IOC_HANDLE_CLOSE, &cl);
		cl.handle = d.new_handle;	/* GIVE without MOVE kept it */
		sup(LOGOS_IOC_HANDLE_CLOSE, &cl);
		end_module();
		if (i < 3 || i == rounds - 1)
			printf("# round %ld: live_objects %ld after the module's end\n", i,
			       live_objects());
	}
	check(not_terminated == 0, "%ld rounds: every killed module is TERMINATED (%ld not)",
	      rounds, not_terminated);
	{
		double t0 = now_s();
		long l = live_objects();

		printf("# live_objects right after: %ld\n", l);
		while (l != live0 && now_s() - t0 < 20) {
			usleep(100000);
			l = live_objects();
		}
		printf("# live_objects %ld after %.1f s\n", l, now_s() - t0);
		check(l == live0, "live_objects back to %ld within 20 s (now %ld)", live0, l);
	}
	return finish();
}
