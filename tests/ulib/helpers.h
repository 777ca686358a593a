/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the liblogos guest tests: the test process is the supervisor
 * (/dev/logos) and creates module contexts whose module files it uses
 * itself, or hands to a forked child the way logosd does (fd 3 and the
 * LOGOS_* environment).
 */
#ifndef _LOGOS_ULIB_TEST_HELPERS_H
#define _LOGOS_ULIB_TEST_HELPERS_H

#include <errno.h>
#include <fcntl.h>
#include <logos/logos.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MS	LOGOS_NSEC_PER_MSEC
#define SEC	LOGOS_NSEC_PER_SEC
/* Generous: the guest is TCG on a shared 2-core machine. */
#define LONG	(20 * SEC)

#define EP_RIGHTS (LOGOS_RIGHT_READ | LOGOS_RIGHT_WRITE | LOGOS_RIGHT_TRANSFER)

/* A module context as logosd would set it up, before the process starts. */
struct tmod {
	logos_handle_t module;	/* the supervisor's handle to it */
	int fd;			/* the module file */
	uint32_t id;
	logos_handle_t sup_ep;	/* the supervisor's end of the bootstrap channel */
	logos_handle_t boot;	/* the module's end, in the module's table */
};

static inline int tmod_create(int sfd, const char *name, struct tmod *m)
{
	logos_handle_t ep1;
	int ret;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	ret = logos_module_create(sfd, name, LOGOS_TRUST_USER, NULL, &m->module, &m->fd, &m->id);
	if (!ret)
		ret = logos_channel_create(sfd, 0, 0, &m->sup_ep, &ep1);
	if (!ret)
		ret = logos_handle_give(sfd, m->module, ep1, EP_RIGHTS, LOGOS_GIVE_MOVE, &m->boot);
	if (!ret)
		ret = logos_module_set_state(sfd, m->module, LOGOS_STATE_INITIALIZING);
	return ret;
}

/* Everything a tmod holds on the supervisor's side (the fd is the module's). */
static inline void tmod_release(int sfd, struct tmod *m)
{
	logos_handle_close(sfd, m->sup_ep);
	logos_handle_close(sfd, m->module);
}

static inline uint32_t tmod_state(int sfd, const struct tmod *m)
{
	struct logos_module_info info;

	return logos_module_get_info(sfd, m->module, &info) ? ~0U : info.state;
}

/* Receives on the supervisor's end until a message of @kind (others dropped). */
static inline int sup_expect(int sfd, logos_handle_t ep, uint16_t kind, struct logos_rx *rx,
			     int64_t timeout)
{
	int ret;

	do {
		ret = logos_rx_recv(sfd, ep, rx, timeout);
	} while (!ret && rx->wire.kind != kind);
	return ret;
}

/* A bootstrap message with no fields, sent (or called) by the supervisor. */
static inline int sup_send_kind(int sfd, logos_handle_t ep, uint16_t kind)
{
	struct logos_wire_writer w;
	uint8_t buf[64];

	logos_wire_writer_init(&w, buf, sizeof(buf), kind, 0, 0);
	return logos_wire_send(sfd, ep, &w, 0, LONG);
}

/* A thread that runs a loop until it is stopped. */
struct loop_thread {
	pthread_t tid;
	struct logos_loop *loop;
	int ret;
};

static inline void *loop_thread_main(void *arg)
{
	struct loop_thread *t = arg;

	t->ret = logos_loop_run(t->loop);
	return NULL;
}

static inline int loop_thread_start(struct loop_thread *t, struct logos_loop *loop)
{
	t->loop = loop;
	t->ret = 0;
	return pthread_create(&t->tid, NULL, loop_thread_main, t);
}

static inline int loop_thread_stop(struct loop_thread *t)
{
	logos_loop_stop(t->loop);
	pthread_join(t->tid, NULL);
	return t->ret;
}

/* Waits up to 2 s for logos.ko's live_objects to reach @want. */
static inline long long live_objects_settle(long long want)
{
	long long live = -1;
	int i;

	for (i = 0; i < 200; i++) {
		FILE *f = fopen("/sys/module/logos/parameters/live_objects", "r");

		if (!f)
			return -1;
		if (fscanf(f, "%lld", &live) != 1)
			live = -1;
		fclose(f);
		if (live == want)
			break;
		usleep(10000);
	}
	return live;
}

#endif /* _LOGOS_ULIB_TEST_HELPERS_H */
