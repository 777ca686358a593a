/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The liblogos event loop: callbacks on kernel watches (a handle's signals)
 * and on ordinary file descriptors, over one epoll set.
 *
 * Standalone:	logos_loop_run() until logos_loop_stop().
 * Embedded:	add logos_loop_fd() to your own poll/epoll/select loop
 *		(readable = work to do) and call logos_loop_dispatch(loop, 0)
 *		when it is readable. Nothing else is needed: the module
 *		runtime's heartbeat timer lives inside the same fd.
 *
 * Watches are level-triggered (as in logos.ko): a channel that stays
 * readable is reported again on the next dispatch until it is drained.
 * Closing a watched handle ends its kernel watch; call logos_loop_unwatch()
 * for it as well, to free the callback slot.
 *
 * Thread safety: a loop belongs to one thread, the one that dispatches
 * it; callbacks run in that thread and may add or remove watches and fds
 * (including their own). Only logos_loop_stop() may be called from any
 * thread, and from a signal handler (it writes an eventfd).
 */
#ifndef LOGOS_LOOP_H
#define LOGOS_LOOP_H

#include <logos/core.h>

#ifdef __cplusplus
extern "C" {
#endif

struct logos_loop;

/* @observed: the object's signals (or LOGOS_SIGNAL_REVOKED). */
typedef void (*logos_watch_fn)(struct logos_loop *loop, logos_handle_t h, uint32_t observed,
			       void *arg);
/* @events: EPOLLIN, EPOLLOUT, EPOLLHUP... as epoll reported them. */
typedef void (*logos_fd_fn)(struct logos_loop *loop, int fd, uint32_t events, void *arg);

/* A loop over the logos file @fd (the loop does not own it). */
LOGOS_API int logos_loop_new(int fd, struct logos_loop **loop);
/* Removes every watch the loop made and frees it; fds are not closed. */
LOGOS_API void logos_loop_free(struct logos_loop *loop);
/* The logos file the loop watches. */
LOGOS_API int logos_loop_logos_fd(const struct logos_loop *loop);

/*
 * Calls @fn when @h has one of @signals (LOGOS_SIGNAL_REVOKED always
 * counts). @flags: LOGOS_WATCH_ONESHOT (the watch ends after one call) or
 * 0. @id (may be NULL) gets the watch's id for logos_loop_unwatch().
 */
LOGOS_API int logos_loop_watch(struct logos_loop *loop, logos_handle_t h, uint32_t signals,
			       uint32_t flags, logos_watch_fn fn, void *arg, uint64_t *id);
/* Ends a watch; its callback is not called again. -ENOENT if unknown. */
LOGOS_API int logos_loop_unwatch(struct logos_loop *loop, uint64_t id);
/* Calls @fn when @fd has @events (EPOLLIN, EPOLLOUT...). One entry per fd. */
LOGOS_API int logos_loop_add_fd(struct logos_loop *loop, int fd, uint32_t events,
				logos_fd_fn fn, void *arg);
LOGOS_API int logos_loop_remove_fd(struct logos_loop *loop, int fd);
/*
 * Calls @fn every @interval_ns (a timerfd in the loop's epoll set; @fn
 * gets the timerfd). @id (may be NULL) names the timer for removal.
 */
LOGOS_API int logos_loop_add_timer(struct logos_loop *loop, int64_t interval_ns,
				   logos_fd_fn fn, void *arg, int *id);
LOGOS_API int logos_loop_remove_timer(struct logos_loop *loop, int id);

/* For embedding: readable (POLLIN) whenever dispatch has work. */
LOGOS_API int logos_loop_fd(const struct logos_loop *loop);
/*
 * Waits up to @timeout_ms (-1 for ever, 0 not at all) for work and runs
 * the callbacks of what is ready. Returns how many callbacks ran, or
 * -errno (-EINTR when a signal arrived first).
 */
LOGOS_API int logos_loop_dispatch(struct logos_loop *loop, int timeout_ms);
/* Dispatches until logos_loop_stop(); returns 0, or the first error. */
LOGOS_API int logos_loop_run(struct logos_loop *loop);
/* Makes logos_loop_run() return after the current callback. */
LOGOS_API void logos_loop_stop(struct logos_loop *loop);

#ifdef __cplusplus
}
#endif

#endif /* LOGOS_LOOP_H */
