// SPDX-License-Identifier: GPL-2.0
/*
 * Reproducer (found by logos-fuzz, seed 99, on the debug kernel): a
 * message whose handle list is refused with -EINVAL leaks the capability
 * nodes already allocated for the handles before the bad one.
 *
 * logos_handle_take() (kmod/handle.c) validates hs[i] and allocates
 * caps[i] (logos_cap_alloc(), for every handle sent without MOVE) in one
 * loop; its checks of a later entry (unknown flags, type != 0, rights
 * outside LOGOS_RIGHTS_ALL, the same handle twice with MOVE) "return
 * -EINVAL" directly instead of "goto err_free", so caps[0..i-1] are never
 * freed. Seen as kmemleak suspects (72-byte logos_cap objects allocated in
 * logos_handle_take <- logos_kmsg_new <- logos_send_one / topic publish /
 * channel call) and, at rmmod, "BUG logos_cap: Objects remaining in
 * logos_cap on __kmem_cache_shutdown()" plus a WARNING in
 * kmem_cache_destroy. live_objects stays 0: the leaked nodes hold no
 * object.
 *
 *   make -C tests/fuzz repro
 *   tests/vm/run --debug-kernel -- build/fuzz/msg-handle-einval-leak
 *       (exit 120 for the "Objects remaining" BUG at rmmod; kmemleak.log
 *       has the allocation backtraces)
 * Debian's stock kernel says nothing: its slab merging folds logos_cap
 * into a shared cache, whose destroy checks no leftovers (exit 0).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/logos.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void)
{
	struct logos_channel_create cc = { 0 };
	struct logos_event_create ec = { 0 };
	int fd = open(LOGOS_DEVICE_PATH, O_RDWR), leaked = 0;

	if (fd < 0 || ioctl(fd, LOGOS_IOC_CHANNEL_CREATE, &cc) ||
	    ioctl(fd, LOGOS_IOC_EVENT_CREATE, &ec)) {
		perror("setup");
		return 1;
	}
	for (int i = 0; i < 100; i++) {
		/* handle 0: fine, copied (a cap is allocated for it);
		 * handle 1: an unknown flag, refused with -EINVAL. */
		struct logos_msg_handle hs[2] = {
			{ .handle = ec.handle, .rights = LOGOS_RIGHTS_SAME },
			{ .handle = ec.handle, .rights = LOGOS_RIGHTS_SAME, .flags = 0x2 },
		};
		struct logos_msg m = {
			.nr_handles = 2, .handles = (uint64_t)(uintptr_t)hs,
		};
		struct logos_channel_io io = {
			.handle = cc.handle0, .msgs = (uint64_t)(uintptr_t)&m, .count = 1,
		};

		if (ioctl(fd, LOGOS_IOC_CHANNEL_SEND, &io) && errno == EINVAL)
			leaked++;
	}
	printf("%d sends refused with EINVAL, each leaking one logos_cap\n", leaked);
	close(fd);
	return 0;
}
