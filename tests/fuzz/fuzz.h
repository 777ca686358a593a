/* SPDX-License-Identifier: GPL-2.0 */
/*
 * logos-fuzz: what its three files share (see logos-fuzz.c).
 *
 * logos-fuzz.c: randomness, picking arguments, the worker loop, main, reporting
 * fuzz-ioctl.c: the operations on /dev/logos files (ioctls, files)
 * fuzz-mm-nl.c: memory mappings, the grant, call and call-retry stories,
 *               netlink, module parameters
 * fuzz-mapped.c: mapped channels (ABI 0.2): their ioctls, mappings, rings,
 *               teardown
 * fuzz-mapped-story.c: a mapped channel's whole life, ended under a peer
 */
#ifndef LOGOS_FUZZ_H
#define LOGOS_FUZZ_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/genetlink.h>
#include <linux/logos.h>
#include <linux/netlink.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_FILES	12	/* per worker: supervisor + module files */
#define MAX_HANDLES	96	/* remembered per file */
#define MAX_MODS	8
#define MAX_MAPS	16
#define MAX_TXNS	16
#define MAX_CHILDREN	3
#define PAGE		4096UL

/* ---- shared statistics (anonymous shared mapping) --------------------- */

enum { OP_MAX = 64 };

struct stats {
	uint64_t ops[OP_MAX];
	uint64_t ok[OP_MAX];
	uint64_t err[OP_MAX][136];	/* by errno */
	uint64_t iterations;
	uint64_t children;
	uint64_t kills;
	uint64_t sigbus;
	uint64_t nl_msgs;
	uint64_t call_intr;	/* CALLs interrupted by the timer (call retry story) */
	uint64_t call_parked;	/* ... of them parked, with an id to retry with */
	uint64_t call_retried_ok;	/* retried calls that got their reply */
	uint64_t mapped_ended[2];	/* mapped story: side 1 revoked, closed, and checked */
	uint64_t mapped_procs[3];	/* ... with a waiter, a toucher, a mapper in the module */
	int failures;
	char failure[8][160];
};

/* ---- the worker's view of its files ------------------------------------ */

struct hnd {
	uint32_t value;
	uint32_t type;	/* enum logos_object_type as far as we know, 0 unknown */
};

struct file {
	int fd;			/* -1: free slot */
	bool supervisor;
	uint32_t self_handle;	/* module files: the module's handle in the supervisor's table */
	int sup;		/* module files: index of that supervisor file */
	uint32_t module_id;
	uint32_t state;		/* module files: the state we last set */
	bool allow_mapped;	/* module files: made with LOGOS_MODULE_ALLOW_MAPPED */
	int nh;
	struct hnd h[MAX_HANDLES];
};

struct map {
	void *addr;
	size_t len;
	int prot;
};

struct txn {
	int file;
	uint32_t endpoint;
	uint64_t id;
};

enum {
	O_VERSION, O_MODULE_CREATE, O_SET_STATE, O_READY, O_SET_QUOTA, O_MODULE_INFO,
	O_EVENT_CREATE, O_EVENT_SIGNAL, O_WAIT, O_CHANNEL_CREATE, O_SEND, O_RECV,
	O_CALL, O_REPLY, O_MEM_CREATE, O_MEM_INFO, O_TOPIC_CREATE, O_SUBSCRIBE,
	O_PUBLISH, O_WATCH, O_WATCH_READ, O_POLL, O_DUP, O_REPLACE, O_CLOSE,
	O_INFO, O_REVOKE, O_GIVE, O_MMAP, O_TOUCH, O_MUNMAP, O_MPROTECT,
	O_CLOSE_FILE, O_OPEN_SUP, O_RAW_IOCTL, O_NL_QUERY, O_NL_GARBAGE,
	O_FORK_CHILD, O_KILL_CHILD, O_NL_EVENTS, O_PARAM, O_GRANT_STORY,
	O_CALL_STORY, O_MAPPED_CREATE, O_MAPPED_MAP, O_MAPPED_NOTIFY, O_MAPPED_WAIT,
	O_MAPPED_MMAP, O_MAPPED_RING, O_MAPPED_TEARDOWN, O_MAPPED_STORY, O_CALL_RETRY,
	O_COUNT
};

/* logos-fuzz.c: randomness, shared state, picking arguments, the loop */
uint64_t rnd64(void);
uint32_t rnd(uint32_t n);
bool chance(uint32_t percent);
extern struct stats *stats;
void setup_signals(void);
pid_t wait_child(pid_t pid, int *status, int options);
extern bool trace;
extern int worker_id;
void fail(const char *fmt, ...);
extern struct file files[MAX_FILES];
extern struct map maps[MAX_MAPS];
extern struct txn txns[MAX_TXNS];
extern int nl_sock;
extern uint16_t nl_family;
extern uint32_t nl_group;
extern uint32_t known_module_ids[32];
int xioctl(int op, int fd, unsigned long cmd, void *arg);
int pick_file(bool need_supervisor);
void remember(int f, uint32_t value, uint32_t type);
void forget(int f, uint32_t value);
void stale(int f, uint32_t value, int ret);
uint32_t pick_handle(int f, uint32_t type);
uint32_t pick_rights(void);
uint32_t pick_flags(uint32_t valid);
int64_t pick_timeout(bool may_block);
uint64_t pick_ptr(void *good);
unsigned long maybe_resize(unsigned long cmd);
int issue(int op, int f, unsigned long cmd, void *arg, size_t size);
void kill_children(void);

/* fuzz-ioctl.c: operations on /dev/logos files */
void op_version(void);
void op_module_create(void);
int pick_module_file(void);
int adopt_module(int f, const struct logos_module_create *a);
void op_set_state(void);
void op_ready(void);
void op_set_quota(void);
void op_module_info(void);
void op_event_create(void);
void op_event_signal(void);
void op_wait(bool may_block);
void op_channel_create(void);
void op_send(bool may_block);
void op_recv(bool may_block);
void op_call(bool may_block);
void op_reply(bool may_block);
void op_mem_create(void);
void op_mem_info(void);
void op_topic_create(void);
void op_subscribe(void);
void op_publish(bool may_block);
void op_watch(void);
void op_watch_read(bool may_block);
void op_poll(void);
void op_dup(void);
void op_replace(void);
void op_close(void);
void op_info(void);
void op_revoke(void);
void op_give(void);
void close_file(int f);
void op_close_file(void);
void op_open_sup(void);
void op_raw_ioctl(void);

/* fuzz-mm-nl.c: memory mappings, stories, netlink, parameters */
void on_fault(int sig);
void op_mmap(void);
void op_touch(void);
void op_munmap(void);
void op_mprotect(void);
void op_grant_story(void);
void op_call_story(void);
void op_call_retry(void);
int nl_open(void);
void op_nl_query(void);
void op_nl_garbage(void);
void op_nl_events(void);
void params_save(void);
void params_restore(void);
void op_param(void);

/* fuzz-mapped.c: mapped channels, the random operations */
/* An attachment we made, with what MAP told us and what we mapped. */
struct matt {
	int file;		/* -1: free */
	uint32_t att, ring, ctl, side;
	uint32_t slot_size, nr_slots;
	uint64_t ring_size;
	uint8_t *ring_map;	/* the ring memory, or NULL */
	size_t ring_len;	/* bytes of it still mapped (a tail may be gone) */
	const volatile struct logos_mapped_ctl *ctl_map;
	uint64_t ring_cap, ctl_cap;	/* their cap ids, to tell a reused handle value */
	bool trusted;		/* ctl_map is the control page of this channel */
};

bool guarded(void (*fn)(void *), void *arg);
void read_byte(void *p);
void unmap_matt(struct matt *m);
bool check_map_answer(const struct logos_mapped_map *a, const char *who);
int64_t ctl_status(const struct matt *m, const char *who);
void fill_matt(struct matt *m, int f, const struct logos_mapped_map *a);
bool map_matt(struct matt *m);
void op_mapped_create(void);
void op_mapped_map(void);
void op_mapped_notify(void);
void op_mapped_wait(bool may_block);
void op_mapped_mmap(void);
void op_mapped_ring(void);
void op_mapped_teardown(void);
void mapped_after_fork(void);
void mapped_cleanup(void);

/* fuzz-mapped-story.c: the mapped story */
void op_mapped_story(void);

#endif /* LOGOS_FUZZ_H */
