/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the libFuzzer targets: parsers that read a file get the
 * input through a memfd, named by its /proc/self/fd path.
 */
#ifndef LOGOS_FUZZ_UTIL_H
#define LOGOS_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* A memfd holding @data; its path in @path. Aborts on failure. */
static inline int fuzz_memfd(const uint8_t *data, size_t size, char *path, size_t cap)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	fchmod(fd, 0600);	/* a secret key file must not be readable by others */
	snprintf(path, cap, "/proc/self/fd/%d", fd);
	return fd;
}

#endif
