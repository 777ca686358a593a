// SPDX-License-Identifier: GPL-2.0
/*
 * Watches (watch.c): a reader's private batch vs remove-by-key vs the
 * object's wake-ups, revokes and closes. Three threads for SECONDS:
 * T1 WATCH_READs in a loop (timeout 1 ms); T2 adds and removes watches
 * under a handful of keys (some ONESHOT) on an event and its duplicate;
 * T3 signals the event, revokes the duplicate, closes and re-creates
 * both. Afterwards the module dies and live_objects must return to its
 * value; the kernel must stay quiet.
 */
#include "common.h"

#define SECONDS 20
#include <dirent.h>
#include <sys/syscall.h>
static volatile uint32_t ev, dup_h;
static volatile long churned;
static volatile int quit;
static long reads, reported, adds, removes;

static pthread_t reader_tid;
static void on_usr1(int sig) { (void)sig; }

static void *reader(void *p)
{
	struct logos_watch_report rep[16];

	(void)p;
	pin_cpu(0);
	while (!quit) {
		struct logos_watch_read r = { .reports = (uintptr_t)rep, .count = 16,
					      .timeout_ns = 1000000 };

		if (M(LOGOS_IOC_WATCH_READ, &r) == 0)
			reported += r.ready;
		reads++;
	}
	return NULL;
}

static void *watcher(void *p)
{
	unsigned int seed = 2;

	(void)p;
	pin_cpu(1);
	while (!quit) {
		struct logos_watch w = { 0 };

		w.key = rand_r(&seed) % 8;
		if (rand_r(&seed) % 3 == 0) {
			w.flags = LOGOS_WATCH_REMOVE;
			if (M(LOGOS_IOC_WATCH, &w) == 0)
				removes++;
			continue;
		}
		w.handle = rand_r(&seed) & 1 ? ev : dup_h;
		w.signals = 0x1 | LOGOS_SIGNAL_REVOKED;
		w.flags = rand_r(&seed) & 1 ? LOGOS_WATCH_ONESHOT : 0;
		if (M(LOGOS_IOC_WATCH, &w) == 0)
			adds++;
	}
	return NULL;
}

static void *churn(void *p)
{
	unsigned int seed = 3;

	(void)p;
	pin_cpu(1);
	while (!quit) {
		struct logos_event_signal s = { .handle = ev };
		int op = rand_r(&seed) % 4;

		if (op == 0) {
			s.set = 1;
			M(LOGOS_IOC_EVENT_SIGNAL, &s);
		} else if (op == 1) {
			s.clear = 1;
			M(LOGOS_IOC_EVENT_SIGNAL, &s);
		} else if (op == 2) {
			hrevoke(ev, NULL);
		} else {
			struct logos_event_create ec = { 0 };
			uint32_t d;

			hclose(dup_h);
			hclose(ev);
			if (M(LOGOS_IOC_EVENT_CREATE, &ec) == 0) {
				ev = ec.handle;
				if (hdup(ev, LOGOS_RIGHTS_SAME, &d) == 0)
					dup_h = d;
			}
			churned++;
		}
	}
	return NULL;
}

int main(void)
{
	struct logos_event_create ec = { 0 };
	pthread_t t[3];
	long live0;
	uint32_t d;
	int k;

	attack_name = "watch_race";
	live0 = live_objects();
	new_module(0);
	if (M(LOGOS_IOC_EVENT_CREATE, &ec) || hdup(ec.handle, LOGOS_RIGHTS_SAME, &d))
		die("event", -EIO);
	ev = ec.handle;
	dup_h = d;
	pthread_create(&t[0], NULL, reader, NULL);
	reader_tid = t[0];
	pthread_create(&t[1], NULL, watcher, NULL);
	pthread_create(&t[2], NULL, churn, NULL);
	for (k = 0; k < SECONDS; k++) {
		sleep(1);
		printf("# t=%d s: reads %ld reported %ld adds %ld removes %ld churn %ld\n", k + 1,
		       reads, reported, adds, removes, churned);
		fflush(stdout);
	}
	quit = 1;
	for (k = 0; k < 30; k++) {
		long r0 = reads;

		sleep(1);
		if (reads != r0 || k > 3)
			break;
	}
	if (k > 3) {
		/* The reader never came back: show where each thread is. */
		DIR *d = opendir("/proc/self/task");
		struct dirent *de;
		char path[512], buf[4096];

		printf("# the threads did not stop within 4 s of the end\n");
		while (d && (de = readdir(d))) {
			FILE *f;
			size_t n;

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/self/task/%s/stack", de->d_name);
			f = fopen(path, "r");
			if (!f)
				continue;
			n = fread(buf, 1, sizeof(buf) - 1, f);
			buf[n] = 0;
			fclose(f);
			printf("# task %s kernel stack:\n%s", de->d_name, buf);
			snprintf(path, sizeof(path), "/proc/self/task/%s/syscall", de->d_name);
			f = fopen(path, "r");
			if (f) {
				n = fread(buf, 1, 200, f);
				buf[n] = 0;
				fclose(f);
				printf("# syscall: %s", buf);
			}
			snprintf(path, sizeof(path), "/proc/self/task/%s/wchan", de->d_name);
			f = fopen(path, "r");
			if (f) {
				n = fread(buf, 1, 200, f);
				buf[n] = 0;
				fclose(f);
				printf("# wchan: %s\n", buf);
			}
			snprintf(path, sizeof(path), "/proc/self/task/%s/stat", de->d_name);
			f = fopen(path, "r");
			if (f) {
				n = fread(buf, 1, 200, f);
				buf[n] = 0;
				fclose(f);
				printf("# stat: %s\n", buf);
			}
		}
		{
			/* Every task's kernel stack into the console log. */
			FILE *f = fopen("/proc/sys/kernel/sysrq", "w");

			if (f) {
				fputs("1\n", f);
				fclose(f);
			}
			f = fopen("/proc/sysrq-trigger", "w");
			if (f) {
				fputs("t\n", f);
				fclose(f);
			}
			printf("# reader tid-side timeout_ns after the stall: see console log\n");
		}
		{
			/* Is it the guest's timer? Time a 1 ms WATCH_READ from CPU 0 now. */
			struct logos_watch_report rep[4];
			struct logos_watch_read r = { .reports = (uintptr_t)rep, .count = 4,
						      .timeout_ns = 1000000 };
			long r0 = reads;
			double t1;
			int ret;

			pin_cpu(0);
			t1 = now_s();
			ret = M(LOGOS_IOC_WATCH_READ, &r);
			printf("# a fresh WATCH_READ on CPU 0 (1 ms timeout): %s after %.4f s; "
			       "reader moved on: %s\n", ret ? strerror(-ret) : "ok", now_s() - t1,
			       reads != r0 ? "yes" : "no");
			sleep(1);
			printf("# 1 s later the reader moved on: %s\n", reads != r0 ? "yes" : "no");
			signal(SIGUSR1, on_usr1);
			pthread_kill(reader_tid, SIGUSR1);
			sleep(1);
			printf("# after a signal to it, the reader moved on: %s\n",
			       reads != r0 ? "yes" : "no");
		}
		check(0, "WATCH_READ (timeout 1 ms) did not return for 4 s: reads stuck at %ld",
		      reads);
		fflush(stdout);
		_exit(finish());
	}
	for (k = 0; k < 3; k++)
		pthread_join(t[k], NULL);
	printf("# %d s: %ld reads, %ld reported, %ld watches added, %ld removed\n", SECONDS,
	       reads, reported, adds, removes);
	check(adds > 100 && reads > 100, "the race ran (%ld adds, %ld reads)", adds, reads);
	end_module();
	usleep(100000);
	check(live_objects() == live0, "live_objects back to %ld (now %ld)", live0, live_objects());
	return finish();
}
