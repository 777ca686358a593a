/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shared by liblogos's own files only; never installed. Everything here is
 * hidden (-fvisibility=hidden): only LOGOS_API functions are exported.
 */
#ifndef LOGOS_INTERNAL_H
#define LOGOS_INTERNAL_H

#define LOGOS_BUILDING_LIBRARY 1

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include <logos/core.h>

#define LOGOS_HIDDEN __attribute__((visibility("hidden")))
#define LOGOS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ioctl(2) returning 0 or -errno, retried on nothing. */
static inline int logos__ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

static inline uint64_t logos__ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* sodium_init(), once: 0 or -EIO. */
LOGOS_HIDDEN int logos__sodium_init(void);
LOGOS_HIDDEN bool logos__utf8_valid(const uint8_t *s, size_t len);
/* CLOCK_MONOTONIC in nanoseconds. */
LOGOS_HIDDEN int64_t logos__now_ns(void);
/* What is left of a timeout started at @start (never below 0; -1 stays -1). */
LOGOS_HIDDEN int64_t logos__remaining(int64_t timeout_ns, int64_t start);

#endif /* LOGOS_INTERNAL_H */
