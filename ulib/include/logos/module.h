/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The module runtime: what a module process does with what logosd hands
 * it (Documentation/protocol.md §1, §3).
 *
 *	struct logos_module *m;
 *	logos_module_init(&m, &ops, arg, 0);	// fd 3, LOGOS_BOOTSTRAP, ABI check
 *	... create objects, logos_service_register() ...
 *	logos_module_ready(m);			// RUNNING + READY to logosd
 *	logos_module_run(m);			// until TERMINATE (or logos_loop_stop())
 *	... clean up within logos_module_time_left_ns() ...
 *	logos_module_free(m);			// the module ends (cleanly if asked to)
 *
 * logosd's requests reach the callbacks of struct logos_module_ops from
 * the module's loop (logos_module_loop()), which the module may use for
 * its own watches and fds, run standalone, or embed in its own
 * poll/epoll loop (see <logos/loop.h>). When LOGOS_WATCHDOG_USEC is set,
 * the loop sends HEARTBEAT three times per interval by itself; a module
 * that stops dispatching the loop for longer stops the heartbeat, which
 * is the point of a watchdog.
 *
 * Thread safety: callbacks run in the thread that dispatches the module's
 * loop. logos_module_ready(), logos_module_heartbeat() and the service
 * calls (<logos/service.h>) may be called from any thread; the getters
 * too. logos_module_free() only once nothing else uses the module.
 */
#ifndef LOGOS_MODULE_H
#define LOGOS_MODULE_H

#include <logos/bootstrap.h>
#include <logos/core.h>
#include <logos/loop.h>

#ifdef __cplusplus
extern "C" {
#endif

struct logos_module;

/*
 * State handed over for restarts and updates: bytes and/or a memory object.
 * On restore, liblogos also says how old it is (the last three fields,
 * filled from a 32-byte trailer liblogos adds to the saved bytes; they
 * are ignored on save).
 */
struct logos_state {
	const void *data;	/* NULL when none */
	size_t len;
	logos_handle_t memory;	/* LOGOS_HANDLE_INVALID when none */
	uint32_t freshness;	/* restore: LOGOS_STATE_NEWEST, _EARLIER or _UNKNOWN */
	uint64_t seq;		/* restore: logos_module_state_commit()'s number when saved */
	int64_t saved_ns;	/* restore: CLOCK_REALTIME when saved; 0 if unknown */
};

/*
 * struct logos_state.freshness. NEWEST: saved by the instance that ran
 * just before this one, at its controlled stop (logosctl restart, update),
 * and no durable commit is newer. EARLIER: an instance ran after the one
 * that saved it — typically it crashed, and a crash saves nothing — or a
 * commit is newer: the state is from an earlier point (see @seq and
 * @saved_ns); prefer logos_module_state_load(). UNKNOWN: no state
 * directory, or saved by a liblogos older than this field.
 */
#define LOGOS_STATE_UNKNOWN	0U
#define LOGOS_STATE_NEWEST	1U
#define LOGOS_STATE_EARLIER	2U

/*
 * Callbacks; any may be NULL. Each gets the @arg of logos_module_init().
 *
 * pause:	 about to be frozen: reach a quiescent point and return 0 (or
 *		 a negative errno to refuse). Default: 0.
 * resume:	 thawed.
 * terminate:	 finish within @deadline_ms and exit 0; logosd kills the
 *		 process after it. Default: logos_loop_stop() on the
 *		 module's loop, so logos_module_run() returns. Also called,
 *		 with 0, when the bootstrap channel closes (logosd is gone).
 * save_state:	 fill @state (bytes, copied when the callback returns, and/or
 *		 a memory handle, which is moved to logosd) and return 0, or
 *		 a negative errno. Default: -EOPNOTSUPP.
 * restore_state: the state last saved by an instance of this module, at a
 *		 controlled stop (logosctl restart, update). After a crash it is
 *		 the state saved before it, however old: check
 *		 @state->freshness. logosd queues it
 *		 before the process starts, so it normally arrives from within
 *		 logos_module_init(), before READY. A memory handle still in
 *		 @state->memory when the callback returns is closed: set it to
 *		 LOGOS_HANDLE_INVALID to keep it.
 * connect:	 a client connected to service @service: @ep is the provider's
 *		 endpoint of a new channel, now the module's (e.g. give it to
 *		 logos_rpc_attach()). Default: the endpoint is closed.
 * service_state: a service this module looked up changed state
 *		 (enum logos_service_state).
 */
struct logos_module_ops {
	int (*pause)(struct logos_module *m, void *arg);
	void (*resume)(struct logos_module *m, void *arg);
	void (*terminate)(struct logos_module *m, uint32_t deadline_ms, void *arg);
	int (*save_state)(struct logos_module *m, struct logos_state *state, void *arg);
	void (*restore_state)(struct logos_module *m, struct logos_state *state, void *arg);
	void (*connect)(struct logos_module *m, const char *service, uint32_t client_module,
			logos_handle_t ep, void *arg);
	void (*service_state)(struct logos_module *m, const char *service, uint32_t state,
			      void *arg);
};

/* logos_module_init() flags. */
#define LOGOS_MODULE_INIT_READY	0x1U	/* call logos_module_ready() at once */

/*
 * Picks up what logosd handed over: the module file (LOGOS_MODULE_FD,
 * normally 3, made close-on-exec so child processes do not hold the module
 * alive), the bootstrap endpoint (LOGOS_BOOTSTRAP), the name, state
 * directory and watchdog interval; checks the ABI (-EPROTO on another
 * major version) and that the bootstrap handle is a channel endpoint.
 * -ENXIO when the process was not started as a module. Requests already
 * queued on the bootstrap channel (normally RESTORE_STATE) are handled
 * before it returns, so their callbacks may run from within it.
 */
LOGOS_API int logos_module_init(struct logos_module **m, const struct logos_module_ops *ops,
				void *arg, unsigned int flags);
/*
 * The same from explicit values (tests, launchers, modules hosted in
 * another process): @fd a module file, @bootstrap an endpoint in it. The
 * module takes over @fd. @name may be NULL. @watchdog_usec 0: none.
 */
LOGOS_API int logos_module_attach(int fd, logos_handle_t bootstrap, const char *name,
				  uint64_t watchdog_usec, const struct logos_module_ops *ops,
				  void *arg, unsigned int flags, struct logos_module **m);
/*
 * Reports ready: LOGOS_IOC_MODULE_READY (INITIALIZING -> RUNNING) and a
 * READY message to logosd. Calling it again does nothing.
 */
LOGOS_API int logos_module_ready(struct logos_module *m);
/* Sends one HEARTBEAT now (the loop does it by itself with a watchdog). */
LOGOS_API int logos_module_heartbeat(struct logos_module *m);
/* Runs the module's loop until it is stopped (by default, TERMINATE). */
LOGOS_API int logos_module_run(struct logos_module *m);
/*
 * Nanoseconds left before logosd's deadline after TERMINATE (0 once it
 * passed), or -1 when no termination was asked for.
 */
LOGOS_API int64_t logos_module_time_left_ns(const struct logos_module *m);
/*
 * Frees everything and closes the module file: the module ends (cleanly
 * after TERMINATE, as a crash otherwise).
 */
LOGOS_API void logos_module_free(struct logos_module *m);

LOGOS_API int logos_module_fd(const struct logos_module *m);
LOGOS_API logos_handle_t logos_module_bootstrap(const struct logos_module *m);
LOGOS_API struct logos_loop *logos_module_loop(const struct logos_module *m);
LOGOS_API uint32_t logos_module_id(const struct logos_module *m);
/* The manifest name ("" if unknown) and state directory (NULL if none). */
LOGOS_API const char *logos_module_name(const struct logos_module *m);
LOGOS_API const char *logos_module_state_dir(const struct logos_module *m);
/* Timeout of the calls to logosd (service calls); default 30 s. */
LOGOS_API void logos_module_set_call_timeout(struct logos_module *m, int64_t timeout_ns);

/*
 * Durable state, crash-safe: logos_state_write() replaces the file @name
 * in directory @dir atomically — a temporary file is written and
 * fsync()ed, renamed over @name, and the directory fsync()ed — so after a
 * crash or power cut at any point @name holds either the old state or
 * the new one, whole. The file carries @seq, the time it was written and
 * a BLAKE2b checksum. Not for two writers of one @name at once.
 * -EINVAL bad name (empty, "/", "." or ".."), errno of the file system.
 */
LOGOS_API int logos_state_write(const char *dir, const char *name, uint64_t seq,
				const void *data, size_t len);
/*
 * Reads what logos_state_write() wrote: *@data malloc()ed (free() it;
 * may be NULL), *@len, *@seq, *@saved_ns (CLOCK_REALTIME); any may be
 * NULL. -ENOENT never written; -EBADMSG not such a file, or damaged.
 */
LOGOS_API int logos_state_read(const char *dir, const char *name, void **data, size_t *len,
			       uint64_t *seq, int64_t *saved_ns);
/*
 * The module's durable state in its state directory (LOGOS_STATE_DIR,
 * file "logos.state"), numbered 1, 2, ... across instances: commit it
 * before answering a request that changed it, and a crash loses nothing
 * that was answered. *@seq (may be NULL): the number it got. Thread-safe.
 * -ENXIO without a state directory.
 */
LOGOS_API int logos_module_state_commit(struct logos_module *m, const void *data, size_t len,
					uint64_t *seq);
/* The last commit, as logos_state_read(); -ENOENT none yet, -ENXIO no directory. */
LOGOS_API int logos_module_state_load(struct logos_module *m, void **data, size_t *len,
				      uint64_t *seq);

#ifdef __cplusplus
}
#endif

#endif /* LOGOS_MODULE_H */
