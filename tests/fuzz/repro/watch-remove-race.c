// SPDX-License-Identifier: GPL-2.0
/*
 * Reproducer (found by logos-fuzz, seed 777): LOGOS_IOC_WATCH with
 * LOGOS_WATCH_REMOVE frees a watch that a concurrent LOGOS_IOC_WATCH_READ
 * on the same file holds in its private batch list (taken from set->ready,
 * processed with set->lock dropped around logos_handle_peek() and
 * copy_to_user()). logos_watch_unlink()'s list_del_init(&w->ready_node)
 * then edits the reader's batch and the reader touches freed memory:
 * "list_del corruption" (CONFIG_DEBUG_LIST) or a KASAN use-after-free in
 * logos_ioctl_watch_read().
 *
 *   make -C tests/fuzz repro
 *   tests/vm/run -- build/fuzz/watch-remove-race            (stock kernel)
 *   tests/vm/run --debug-kernel -- build/fuzz/watch-remove-race
 *
 * One process, two threads on one supervisor file: an event whose signal
 * is set (so its watches are always ready), one thread adding and removing
 * watches on it by key, the other reading watches in a loop. Runs for 20 s
 * and exits 0 if the kernel survived.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/logos.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static int fd;
static uint32_t event;
static volatile int stop;

static void *reader(void *arg)
{
	struct logos_watch_report reports[64];
	unsigned long n = 0;

	(void)arg;
	while (!stop) {
		struct logos_watch_read r = {
			.reports = (uint64_t)(uintptr_t)reports, .count = 64, .timeout_ns = 0,
		};

		ioctl(fd, LOGOS_IOC_WATCH_READ, &r);
		n++;
	}
	printf("reader: %lu reads\n", n);
	return NULL;
}

int main(void)
{
	struct logos_event_create ec = { 0 };
	pthread_t t[2];
	time_t end = time(NULL) + 20;
	unsigned long n = 0;

	fd = open(LOGOS_DEVICE_PATH, O_RDWR);
	if (fd < 0 || ioctl(fd, LOGOS_IOC_EVENT_CREATE, &ec)) {
		perror("setup");
		return 1;
	}
	event = ec.handle;
	struct logos_event_signal sig = { .handle = event, .set = 1 };
	if (ioctl(fd, LOGOS_IOC_EVENT_SIGNAL, &sig)) {
		perror("signal");
		return 1;
	}
	pthread_create(&t[0], NULL, reader, NULL);
	pthread_create(&t[1], NULL, reader, NULL);
	while (time(NULL) < end) {
		for (uint64_t key = 0; key < 16; key++) {
			struct logos_watch w = { .handle = event, .signals = 1, .key = key };

			ioctl(fd, LOGOS_IOC_WATCH, &w);
		}
		for (uint64_t key = 0; key < 16; key++) {
			struct logos_watch w = { .flags = LOGOS_WATCH_REMOVE, .key = key };

			ioctl(fd, LOGOS_IOC_WATCH, &w);
		}
		n++;
	}
	stop = 1;
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	printf("writer: %lu rounds; the kernel survived\n", n);
	return 0;
}
