/* SPDX-License-Identifier: GPL-2.0 */
/*
 * logos-bench: IPC benchmark of logos.ko against Linux baselines.
 * See tests/bench/README.md for what is measured and how.
 */
#ifndef _LOGOS_BENCH_H
#define _LOGOS_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/logos.h>

#define KiB (1024UL)
#define MiB (1024UL * 1024UL)

/* The largest message/buffer of the run. */
#define BENCH_MAX_SIZE (16 * MiB)
#define BENCH_ACK_LEN 8

enum bench_mode { MODE_TOUCH, MODE_TRANSFER, MODE_COUNT };

enum bench_transport {
	T_LOGOS_CALL,
	T_LOGOS_SENDRECV,
	T_LOGOS_GRANT,		/* receiver keeps one mapping per object */
	T_LOGOS_GRANT_MAP,	/* receiver maps and unmaps every grant */
	T_SEQPACKET,
	T_STREAM,
	T_PIPE,
	T_EVENTFD_SHM,
	T_MEMFD_SCM,
	T_MEMFD_SCM_KEPT,	/* receiver keeps one mapping per file */
	T_COUNT
};

#define T_FIRST_BASELINE T_SEQPACKET

/* What the client tells the server before a case. */
struct bench_case {
	uint32_t cmd;		/* CASE_RUN or CASE_EXIT */
	uint32_t transport;
	uint32_t mode;
	uint32_t iters;
	uint64_t size;
	uint32_t handle;	/* logos: the server's endpoint */
	uint32_t nfds;
	int32_t server_cpu;	/* where the server runs this case */
	uint32_t pair;		/* logos: which module pair (PAIR_*) */
};

/* The module pairs: the main one, and the scale test's reference. */
#define PAIR_MAIN 0
#define PAIR_REF 1

#define CASE_RUN 1
#define CASE_EXIT 2

/* What the server answers: once set up (READY), once finished (DONE). */
struct bench_status {
	int32_t rc;		/* 0 or -errno */
	uint32_t phase;
	char text[240];
};

#define PHASE_READY 1
#define PHASE_DONE 2

/* Per-case state of the side that runs it. */
struct side {
	const struct bench_case *c;
	int fd[4];		/* transport fds of this side */
	int mfd;		/* logos: this side's module file */
	uint32_t ep;		/* logos: this side's endpoint */
	uint32_t peer_ep;	/* logos client: the server's endpoint */
	uint32_t mem;		/* logos client: the memory object */
	void *map;		/* shared mapping (shm, memfd, memory object) */
	size_t map_len;
	uint8_t *buf;		/* BENCH_MAX_SIZE private buffer */
	uint64_t cached_obj;	/* logos grant server: object id mapped */
	uint32_t cached_handle;
	char err[240];
};

struct transport_ops {
	const char *name;	/* CSV/JSON key */
	const char *label;	/* table label */
	uint64_t max_size;	/* 0: any size */
	bool logos;
	int nfds;		/* fds handed to the server */
	/* client: create resources; fds[0..nfds) go to the server. */
	int (*client_setup)(struct side *s, int *server_fds);
	int (*client_iter)(struct side *s, uint32_t i);
	void (*client_teardown)(struct side *s);
	/* server: everything from receiving the case to the last reply. */
	int (*server_setup)(struct side *s);
	int (*server_run)(struct side *s);
	void (*server_teardown)(struct side *s);
	/* client: can the kernel move this size at all? 0, or -errno: n/a. */
	int (*probe)(struct side *s);
};

extern const struct transport_ops *const transports[T_COUNT];
extern const struct transport_ops t_logos_call, t_logos_sendrecv, t_logos_grant,
	t_logos_grant_map, t_seqpacket, t_stream, t_pipe, t_eventfd_shm, t_memfd_scm,
	t_memfd_scm_kept;

/* Helpers shared by the transports (main.c). */
int fail(struct side *s, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void touch_write(void *p, size_t n, uint32_t i);
uint64_t sum_words(const void *p, size_t n);
int touch_read(struct side *s, const void *p, size_t n, uint32_t i);
int write_all(struct side *s, int fd, const void *p, size_t n);
int read_all(struct side *s, int fd, void *p, size_t n);
size_t page_round(size_t n);
extern long page_size;

/* logos helpers (logos.c). */
int lg_ioctl(int fd, unsigned long cmd, void *arg);
struct lg_env {
	int dev;		/* /dev/logos, the supervisor file */
	uint32_t client_mod;	/* module handles in the supervisor's table */
	uint32_t server_mod;
	int client_fd;		/* the client module's file (this process) */
	int server_fd;		/* the server module's file (until forked) */
	uint64_t features;
	uint32_t abi_major, abi_minor;
	/*
	 * The scale test's second pair, "bench-client-ref" and
	 * "bench-server-ref": a few channels only, measured in alternation
	 * with the main pair once that holds 10k (see README).
	 */
	bool want_ref;		/* spawn_server() makes the reference server too */
	uint32_t ref_client_mod, ref_server_mod;
	int ref_client_fd, ref_server_fd;
	uint32_t pair;		/* PAIR_*: the pair of the next case */
};
extern struct lg_env lg;
int lg_open(char *why, size_t len);
int lg_new_module(const char *name, bool unlimited, uint32_t *handle, int *fd);
int lg_channel_between(uint32_t *client_ep, uint32_t *server_ep);
int lg_close(int fd, uint32_t h);

#endif /* _LOGOS_BENCH_H */
