// SPDX-License-Identifier: GPL-2.0
/*
 * stop-interrupts-call: a pause that is not transparent.
 *
 * logosd pauses a module with the cgroup freezer (tests/chaos: kernel
 * PAUSED and SIGSTOP). A task blocked in a logos ioctl that is frozen or
 * stopped leaves the ioctl to stop in get_signal(); logos.ko answers such a
 * wake-up with -EINTR (object.c: logos_object_wait(), event.c, watch.c), not
 * with a restart, so after the thaw the module sees its blocking call fail
 * although no signal was ever delivered to it. For LOGOS_IOC_CHANNEL_CALL
 * the request has already reached the server: the call is abandoned, the
 * server's reply fails with -ENOENT and is thrown away.
 *
 * This program: a child calls on one end of a channel with an infinite
 * timeout; the parent receives the request on the other end, stops the
 * child (SIGSTOP), continues it (SIGCONT), then replies. Exit 0 when the
 * call survived the stop and got its reply; 1 (the bug) when the caller saw
 * an error or the reply was refused. Run in the guest:
 *   make -C tests/chaos repro && tests/vm/run -- build/chaos/stop-interrupts-call
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/logos.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define PTR(p) ((uint64_t)(uintptr_t)(p))

int main(void)
{
	struct logos_channel_create cc = { 0 };
	char req[8] = "ping", rep[8] = "", buf[8];
	struct logos_msg m = { .data = PTR(buf), .data_len = sizeof(buf) };
	struct logos_channel_io io = { .msgs = PTR(&m), .count = 1, .timeout_ns = 5000000000LL };
	struct logos_channel_reply r = { 0 };
	int fd = open(LOGOS_DEVICE_PATH, O_RDWR), status, ret;
	pid_t pid;

	if (fd < 0 || ioctl(fd, LOGOS_IOC_CHANNEL_CREATE, &cc)) {
		perror("setup");
		return 2;
	}
	pid = fork();
	if (!pid) {
		struct logos_channel_call c = {
			.handle = cc.handle0, .timeout_ns = LOGOS_TIMEOUT_INFINITE,
			.request = { .data = PTR(req), .data_len = sizeof(req) },
			.reply = { .data = PTR(rep), .data_len = sizeof(rep) },
		};

		if (ioctl(fd, LOGOS_IOC_CHANNEL_CALL, &c)) {
			printf("caller: the call failed after SIGSTOP/SIGCONT: %s\n", strerror(errno));
			_exit(1);
		}
		printf("caller: the call survived the stop and got \"%s\"\n", rep);
		_exit(0);
	}
	io.handle = cc.handle1;
	if (ioctl(fd, LOGOS_IOC_CHANNEL_RECV, &io)) {
		perror("server: receive");
		return 2;
	}
	usleep(100000);		/* the caller sleeps in the call now */
	kill(pid, SIGSTOP);
	usleep(100000);
	kill(pid, SIGCONT);
	usleep(100000);
	r.handle = cc.handle1;
	r.txn_id = m.header.txn_id;
	r.reply = (struct logos_msg){ .data = PTR("pong"), .data_len = 5 };
	ret = ioctl(fd, LOGOS_IOC_CHANNEL_REPLY, &r) ? errno : 0;
	printf("server: reply %s\n", ret ? strerror(ret) : "accepted");
	if (ret)
		kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	ret = ret || !WIFEXITED(status) || WEXITSTATUS(status);
	printf("stop-interrupts-call: %s\n", ret ? "the bug is there, a stop failed the call" : "fine");
	return ret;
}
