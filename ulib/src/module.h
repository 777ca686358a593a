/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* The module runtime's state, shared by module.c and service.c. */
#ifndef LOGOS_SRC_MODULE_H
#define LOGOS_SRC_MODULE_H

#include <logos/module.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

struct logos_rx;

struct logos_module {
	int fd;
	logos_handle_t boot;
	uint32_t id;
	char name[64];
	char *state_dir;
	const struct logos_module_ops *ops;
	void *arg;
	struct logos_loop *loop;
	uint64_t boot_watch;
	int heartbeat_timer;
	_Atomic int ready;
	int64_t deadline_ns;		/* CLOCK_MONOTONIC, -1: not terminating */
	int64_t call_timeout_ns;
	struct logos_rx *rx;		/* the loop thread's receive buffer */
	uint8_t *reply_buf;		/* the loop thread's reply buffer */
	/* Durable state (state.c). */
	pthread_mutex_t state_lock;	/* guards durable_seq and commits */
	uint64_t durable_seq;		/* of the last commit, read at start */
	uint64_t instance;		/* this instance's number, 0: unknown */
	uint64_t prev_instance;		/* the one that ran before it */
};

/* state.c */
__attribute__((visibility("hidden"))) void logos__state_start(struct logos_module *m);
__attribute__((visibility("hidden"))) int logos__state_frame(struct logos_module *m,
							      const struct logos_state *st,
							      uint8_t **out, size_t *out_len);
__attribute__((visibility("hidden"))) void logos__state_judge(struct logos_module *m,
							       struct logos_state *st);

#endif /* LOGOS_SRC_MODULE_H */
