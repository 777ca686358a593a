/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers shared by the guest tests: opening the device, issuing an
 * ioctl with an arbitrary argument size, dropping privileges.
 */
#ifndef _LOGOS_TEST_HELPERS_H
#define _LOGOS_TEST_HELPERS_H

#include <errno.h>
#include <fcntl.h>
#include <linux/logos.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static inline int logos_open_dev(void)
{
	return open(LOGOS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
}

/* The same ioctl with another argument size, as an older/newer caller. */
static inline unsigned long logos_resize(unsigned long cmd, size_t size)
{
	return _IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), size);
}

/* Returns -errno or the ioctl's result, so tests compare one value. */
static inline int logos_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

/* Become an unprivileged user (nobody) with no capabilities left. */
static inline int logos_drop_privileges(void)
{
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		return -errno;
	return 0;
}

#endif /* _LOGOS_TEST_HELPERS_H */
