// SPDX-License-Identifier: GPL-2.0
/*
 * The consequence of the queue cycle of reap_chain.c: dead modules pile
 * up. Two channels whose receiving ends sit in each other's queues keep
 * each other, and their creator's module object, alive after every
 * handle is closed and the module file is gone; only rmmod
 * (logos_channel_uninit) frees them. So a module that logosd restarts
 * keeps a max_modules slot per death. Demonstration: max_modules is set
 * to the modules alive now + 5 (the parameter is 0644; restored at the
 * end), then 10 times: a module is created, builds ONE cycle, closes
 * everything and dies. Without the cycle (control run) all 10 must
 * succeed; with it, MODULE_CREATE failing with -ENOSPC while no module
 * is alive is the finding. Also: per life, how many objects a module
 * leaves behind at default quotas (as many cycles as its channel quota
 * allows).
 */
#include "common.h"

#define PARAM "/sys/module/logos/parameters/max_modules"

static long read_param(void)
{
	FILE *f = fopen(PARAM, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static void write_param(long v)
{
	FILE *f = fopen(PARAM, "w");

	if (f) {
		fprintf(f, "%ld\n", v);
		fclose(f);
	}
}

/* x1 queued at y1 and y1 queued at x1; every handle closed. */
static int one_cycle(void)
{
	uint32_t x0, x1, y0, y1, mv = LOGOS_MSG_HANDLE_MOVE;
	int ret;

	ret = chan_create(&x0, &x1);
	if (ret)
		return ret;
	ret = chan_create(&y0, &y1);
	if (ret)
		return ret;
	ret = send_msg(x0, "a", 1, &y1, &mv, 1, 0);
	if (!ret)
		ret = send_msg(y0, "b", 1, &x1, &mv, 1, 0);
	hclose(x0);
	hclose(y0);
	return ret;
}

/* 10 module lives; returns how many MODULE_CREATEs succeeded. */
static int lives(int cycles)
{
	struct logos_module_create mc = { .name = "hostile" };
	int i, ok = 0;

	for (i = 0; i < 10; i++) {
		struct logos_handle_close c = { 0 };

		if (xioctl(sup_fd, LOGOS_IOC_MODULE_CREATE, &mc)) {
			printf("# life %d: MODULE_CREATE: %s\n", i, strerror(errno));
			continue;
		}
		ok++;
		mfd = mc.fd;
		if (cycles && one_cycle())
			printf("# life %d: cycle not built\n", i);
		close(mfd);
		mfd = -1;
		c.handle = mc.handle;
		xioctl(sup_fd, LOGOS_IOC_HANDLE_CLOSE, &c);
	}
	return ok;
}

int main(void)
{
	long saved, live0, live1, n = 0;
	int ok;

	attack_name = "cycle_dos";
	sup_fd = open(LOGOS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (sup_fd < 0)
		die("open", -errno);
	saved = read_param();
	live0 = live_objects();
	/* No module is alive now (each test module is gone): 5 slots. */
	write_param(5);
	ok = lives(0);
	check(ok == 10, "control: 10 module lives without a cycle under max_modules=5 (%d)", ok);
	ok = lives(1);
	printf("# with one cycle per life: %d of 10 modules could be created\n", ok);
	check(ok == 10, "10 module lives, each leaving one channel cycle, under max_modules=5 (%d)",
	      ok);
	write_param(saved);
	live1 = live_objects();
	printf("# live_objects: %ld before, %ld after (no module alive)\n", live0, live1);

	/* How much one life can leave behind at default quotas. */
	new_module(0);
	while (one_cycle() == 0)
		n++;
	end_module();
	usleep(100000);
	printf("# one module life at default quotas: %ld cycles, live_objects now %ld "
	       "(+%ld)\n", n, live_objects(), live_objects() - live1);
	check(live_objects() == live0, "nothing outlives the modules (live_objects %ld, was %ld)",
	      live_objects(), live0);
	return finish();
}
