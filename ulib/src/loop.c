// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The event loop: one epoll set holding the logos file (readable while a
 * kernel watch is ready), an eventfd for logos_loop_stop(), and the
 * caller's fds and timers. Watch keys and epoll data carry a slot index
 * and a generation, so a report for a removed entry is never delivered
 * to whatever took its slot.
 */
#include "internal.h"

#include <logos/ipc.h>
#include <logos/loop.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

enum { SRC_LOGOS = 1, SRC_STOP = 2, SRC_FD = 3 };

#define REPORTS_PER_READ 64
#define EVENTS_PER_WAIT 32

struct watch_slot {
	bool used;		/* first: see slot_alloc() */
	uint32_t gen;
	uint32_t flags;
	logos_watch_fn fn;
	void *arg;
};

struct fd_slot {
	bool used;		/* first: see slot_alloc() */
	bool timer;		/* a timerfd the loop owns */
	uint32_t gen;
	int fd;
	logos_fd_fn fn;
	void *arg;
};

struct logos_loop {
	int fd;
	int epfd;
	int stopfd;
	volatile int stop;
	struct watch_slot *watches;
	uint32_t nr_watches;
	struct fd_slot *fds;
	uint32_t nr_fds;
	uint32_t next_gen;
};

static uint64_t ep_data(uint32_t src, uint32_t gen, uint32_t idx)
{
	return (uint64_t)src << 56 | (uint64_t)(gen & 0xffffff) << 32 | idx;
}

/*
 * Finds a free slot in @array (@nr elements of @size), growing it if need
 * be; returns its index. Both slot types start with their "used" flag.
 */
static int slot_alloc(void **array, uint32_t *nr, size_t size)
{
	uint32_t i, n = *nr ? *nr * 2 : 8;
	char *p;

	for (i = 0; i < *nr; i++) {
		if (!*(bool *)((char *)*array + i * size))
			return (int)i;
	}
	p = realloc(*array, n * size);
	if (!p)
		return -ENOMEM;
	memset(p + *nr * size, 0, (n - *nr) * size);
	*array = p;
	i = *nr;
	*nr = n;
	return (int)i;
}

int logos_loop_new(int fd, struct logos_loop **out)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct logos_loop *loop = calloc(1, sizeof(*loop));
	int ret;

	if (!loop)
		return -ENOMEM;
	loop->fd = fd;
	loop->next_gen = 1;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	loop->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (loop->epfd < 0 || loop->stopfd < 0)
		goto err;
	ev.data.u64 = ep_data(SRC_LOGOS, 0, 0);
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev))
		goto err;
	ev.data.u64 = ep_data(SRC_STOP, 0, 0);
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->stopfd, &ev))
		goto err;
	*out = loop;
	return 0;
err:
	ret = -errno;
	if (loop->epfd >= 0)
		close(loop->epfd);
	if (loop->stopfd >= 0)
		close(loop->stopfd);
	free(loop);
	return ret;
}

void logos_loop_free(struct logos_loop *loop)
{
	uint32_t i;

	if (!loop)
		return;
	for (i = 0; i < loop->nr_watches; i++) {
		if (loop->watches[i].used)
			logos_watch_remove(loop->fd, (uint64_t)loop->watches[i].gen << 32 | i);
	}
	for (i = 0; i < loop->nr_fds; i++) {
		if (loop->fds[i].used && loop->fds[i].timer)
			close(loop->fds[i].fd);
	}
	close(loop->epfd);
	close(loop->stopfd);
	free(loop->watches);
	free(loop->fds);
	free(loop);
}

int logos_loop_logos_fd(const struct logos_loop *loop)
{
	return loop->fd;
}

int logos_loop_fd(const struct logos_loop *loop)
{
	return loop->epfd;
}

/* ---- watches -------------------------------------------------------- */

int logos_loop_watch(struct logos_loop *loop, logos_handle_t h, uint32_t signals, uint32_t flags,
		     logos_watch_fn fn, void *arg, uint64_t *id)
{
	struct watch_slot *w;
	uint64_t key;
	int i, ret;

	if (!fn || (flags & ~LOGOS_WATCH_ONESHOT))
		return -EINVAL;
	i = slot_alloc((void **)&loop->watches, &loop->nr_watches, sizeof(*w));
	if (i < 0)
		return i;
	w = &loop->watches[i];
	w->gen = loop->next_gen++;
	key = (uint64_t)w->gen << 32 | (uint32_t)i;
	ret = logos_watch_add(loop->fd, h, signals, flags, key);
	if (ret)
		return ret;
	w->used = true;
	w->flags = flags;
	w->fn = fn;
	w->arg = arg;
	if (id)
		*id = key;
	return 0;
}

static struct watch_slot *watch_find(struct logos_loop *loop, uint64_t key)
{
	uint32_t i = (uint32_t)key;

	if (i >= loop->nr_watches || !loop->watches[i].used ||
	    loop->watches[i].gen != (uint32_t)(key >> 32))
		return NULL;
	return &loop->watches[i];
}

int logos_loop_unwatch(struct logos_loop *loop, uint64_t id)
{
	struct watch_slot *w = watch_find(loop, id);
	int ret;

	if (!w)
		return -ENOENT;
	w->used = false;
	/* Gone already when its handle was closed or a oneshot fired. */
	ret = logos_watch_remove(loop->fd, id);
	return ret == -ENOENT ? 0 : ret;
}

/* ---- fds and timers ------------------------------------------------- */

static int fd_add(struct logos_loop *loop, int fd, uint32_t events, logos_fd_fn fn, void *arg,
		  bool timer)
{
	struct epoll_event ev = { .events = events };
	struct fd_slot *s;
	uint32_t i;
	int n;

	if (!fn)
		return -EINVAL;
	for (i = 0; i < loop->nr_fds; i++) {
		if (loop->fds[i].used && loop->fds[i].fd == fd)
			return -EEXIST;
	}
	n = slot_alloc((void **)&loop->fds, &loop->nr_fds, sizeof(*s));
	if (n < 0)
		return n;
	s = &loop->fds[n];
	s->gen = loop->next_gen++;
	ev.data.u64 = ep_data(SRC_FD, s->gen, (uint32_t)n);
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	s->used = true;
	s->timer = timer;
	s->fd = fd;
	s->fn = fn;
	s->arg = arg;
	return 0;
}

static struct fd_slot *fd_find(struct logos_loop *loop, int fd)
{
	uint32_t i;

	for (i = 0; i < loop->nr_fds; i++) {
		if (loop->fds[i].used && loop->fds[i].fd == fd)
			return &loop->fds[i];
	}
	return NULL;
}

int logos_loop_add_fd(struct logos_loop *loop, int fd, uint32_t events, logos_fd_fn fn, void *arg)
{
	return fd_add(loop, fd, events, fn, arg, false);
}

int logos_loop_remove_fd(struct logos_loop *loop, int fd)
{
	struct fd_slot *s = fd_find(loop, fd);

	if (!s || s->timer)
		return -ENOENT;
	s->used = false;
	/* The caller may have closed it already: then epoll dropped it. */
	if (epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL) && errno != EBADF && errno != ENOENT)
		return -errno;
	return 0;
}

int logos_loop_add_timer(struct logos_loop *loop, int64_t interval_ns, logos_fd_fn fn, void *arg,
			 int *id)
{
	struct itimerspec its;
	int tfd, ret;

	if (interval_ns <= 0)
		return -EINVAL;
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (tfd < 0)
		return -errno;
	its.it_interval.tv_sec = interval_ns / LOGOS_NSEC_PER_SEC;
	its.it_interval.tv_nsec = interval_ns % LOGOS_NSEC_PER_SEC;
	its.it_value = its.it_interval;
	if (timerfd_settime(tfd, 0, &its, NULL)) {
		ret = -errno;
		close(tfd);
		return ret;
	}
	ret = fd_add(loop, tfd, EPOLLIN, fn, arg, true);
	if (ret) {
		close(tfd);
		return ret;
	}
	if (id)
		*id = tfd;
	return 0;
}

int logos_loop_remove_timer(struct logos_loop *loop, int id)
{
	struct fd_slot *s = fd_find(loop, id);

	if (!s || !s->timer)
		return -ENOENT;
	s->used = false;
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, id, NULL);
	close(id);
	return 0;
}

/* ---- dispatching ---------------------------------------------------- */

static int dispatch_watches(struct logos_loop *loop)
{
	struct logos_watch_report reports[REPORTS_PER_READ];
	uint32_t i, ready = 0;
	int ret, ran = 0;

	ret = logos_watch_read(loop->fd, reports, REPORTS_PER_READ, 0, &ready);
	if (ret == -ETIMEDOUT || ret == -EAGAIN)
		return 0;
	if (ret)
		return ret;
	for (i = 0; i < ready; i++) {
		struct watch_slot *w = watch_find(loop, reports[i].key);
		logos_watch_fn fn;
		void *arg;

		if (!w)
			continue;	/* removed by an earlier callback */
		fn = w->fn;
		arg = w->arg;
		if (w->flags & LOGOS_WATCH_ONESHOT)
			w->used = false;
		/* Even after a stop: a oneshot report read here would be lost. */
		fn(loop, reports[i].handle, reports[i].observed, arg);
		ran++;
	}
	return ran;
}

int logos_loop_dispatch(struct logos_loop *loop, int timeout_ms)
{
	struct epoll_event evs[EVENTS_PER_WAIT];
	int i, n, ret, ran = 0;

	n = epoll_wait(loop->epfd, evs, EVENTS_PER_WAIT, timeout_ms);
	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		uint64_t d = evs[i].data.u64;
		uint32_t idx = (uint32_t)d, gen = (d >> 32) & 0xffffff;
		uint64_t count;
		struct fd_slot *s;

		switch (d >> 56) {
		case SRC_LOGOS:
			ret = dispatch_watches(loop);
			if (ret < 0)
				return ret;
			ran += ret;
			break;
		case SRC_STOP:
			if (read(loop->stopfd, &count, sizeof(count)) < 0 && errno != EAGAIN)
				return -errno;
			loop->stop = 1;
			break;
		case SRC_FD:
			if (idx >= loop->nr_fds)
				break;
			s = &loop->fds[idx];
			if (!s->used || (s->gen & 0xffffff) != gen)
				break;
			if (s->timer && read(s->fd, &count, sizeof(count)) < 0)
				break;	/* a spurious wake-up: nothing expired */
			s->fn(loop, s->fd, evs[i].events, s->arg);
			ran++;
			break;
		}
		if (loop->stop)
			break;
	}
	return ran;
}

int logos_loop_run(struct logos_loop *loop)
{
	int ret = 0;

	while (!loop->stop) {
		ret = logos_loop_dispatch(loop, -1);
		if (ret == -EINTR)
			ret = 0;
		if (ret < 0)
			break;
		ret = 0;
	}
	loop->stop = 0;
	return ret;
}

void logos_loop_stop(struct logos_loop *loop)
{
	uint64_t one = 1;
	int saved = errno;

	loop->stop = 1;
	if (write(loop->stopfd, &one, sizeof(one)) < 0) {
		/* The counter is full: a wake-up is pending anyway. */
	}
	errno = saved;
}
