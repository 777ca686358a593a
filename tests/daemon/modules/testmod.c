// SPDX-License-Identifier: GPL-2.0
/*
 * testmod: the module of logosd's guest tests. It speaks
 * Documentation/protocol.md directly (raw ioctls and liblogos's wire
 * format, no runtime), and does what its environment says:
 *
 *   PROVIDE="svc:1.2 other:2.0"  REGISTER these services, then serve calls
 *   LOOKUP="svc:1.0:1.65535"     LOOKUP a service (name:min:max), call it
 *                                every CALL_MS (200) and log the answers
 *   MARK=text                    put into every answer ("v1", "v2")
 *   CRASH_AFTER_MS=n             exit with status 70 n ms after starting
 *   NO_READY=1                   never send READY
 *   HEARTBEAT_STOP_MS=n          stop the heartbeats after n ms
 *   ESCAPE=all|memory|pids|handles|landlock|harden  try to break out of the
 *                                sandbox or quotas
 *   TARGET_PID=n                 for ESCAPE: a sibling to ptrace
 *   NET_PORT=n                   for ESCAPE: a TCP port on 127.0.0.1 outside
 *   NET_PROBE=1 NET_LISTEN=port NET_CONNECT="ip:port ..." NET_ABSTRACT=name
 *   NET_ADMIN=1                  network probes of tests/net (net_probes())
 *   WAIT_MS=n                    longest sleep of its loop (50): an idle module of
 *                                the scale benchmark sleeps long
 *   SERVE_DELAY_MS=n             sleep n ms between taking a call and answering it
 *   OWNERDEAD=1                  calls with LOGOS_CALL_OWNERDEAD; an error is logged
 *                                with its time ("at=" CLOCK_BOOTTIME in ms)
 *
 * It reports to $LOGOS_STATE_DIR/result, one "key=value" line per fact,
 * which the tests read from outside.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/logos.h>
#include <linux/sched.h>
#include <logos/bootstrap.h>
#include <logos/wire.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/un.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testmod.h"

#define PTR(p) ((uint64_t)(uintptr_t)(p))
#define MAX_EPS 16

int fd = 3;
static uint32_t boot;
const char *state_dir, *name;
static const char *mark;
static uint64_t counter;	/* calls served, carried over by SAVE/RESTORE_STATE */
static uint32_t eps[MAX_EPS];
static int nr_eps;
static uint32_t client_ep;
static uint64_t t0;
static bool terminating, paused;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

void result(const char *fmt, ...)
{
	char path[4096], line[1024];
	va_list ap;
	int f, n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	line[n++] = '\n';
	snprintf(path, sizeof(path), "%s/result", state_dir);
	f = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (f >= 0) {
		if (write(f, line, n) < 0) {
			/* nothing to do */
		}
		close(f);
	} else {
		printf("%s: cannot write %s: %s\n", name, path, strerror(errno));
	}
	printf("%s: %.*s", name, n, line);
	fflush(stdout);
}

int xioctl(unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

static int send_msg(uint32_t ep, struct logos_wire_writer *w)
{
	struct logos_msg m = { 0 };
	struct logos_channel_io io = { .handle = ep, .msgs = PTR(&m), .count = 1 };
	size_t len;
	int ret = logos_wire_finish(w, &len);

	if (ret)
		return ret;
	m.data = PTR(w->buf);
	m.data_len = len;
	m.handles = PTR(w->handles);
	m.nr_handles = w->nr_handles;
	return xioctl(LOGOS_IOC_CHANNEL_SEND, &io);
}

static int notify(uint16_t kind)
{
	uint8_t buf[64];
	struct logos_wire_writer w;

	logos_wire_writer_init(&w, buf, sizeof(buf), kind, 0, 0);
	return send_msg(boot, &w);
}

static int reply(uint32_t ep, uint64_t txn, struct logos_wire_writer *w)
{
	struct logos_channel_reply r = { .handle = ep, .txn_id = txn };
	size_t len;
	int ret = logos_wire_finish(w, &len);

	if (ret)
		return ret;
	r.reply.data = PTR(w->buf);
	r.reply.data_len = len;
	r.reply.handles = PTR(w->handles);
	r.reply.nr_handles = w->nr_handles;
	return xioctl(LOGOS_IOC_CHANNEL_REPLY, &r);
}

/* A call on @ep; the decoded reply in @rw (buffer @rbuf), handles in @rh. */
static bool ownerdead;		/* OWNERDEAD=1 */
static unsigned int serve_delay_ms;	/* SERVE_DELAY_MS */

static int call(uint32_t ep, struct logos_wire_writer *w, uint8_t *rbuf, size_t rcap,
		struct logos_msg_handle *rh, struct logos_wire *rw, int64_t timeout_ms)
{
	struct logos_channel_call c = { .handle = ep, .timeout_ns = timeout_ms * 1000000,
					.flags = ownerdead ? LOGOS_CALL_OWNERDEAD : 0 };
	size_t len;
	int ret = logos_wire_finish(w, &len);

	if (ret)
		return ret;
	c.request.data = PTR(w->buf);
	c.request.data_len = len;
	c.reply.data = PTR(rbuf);
	c.reply.data_len = rcap;
	c.reply.handles = PTR(rh);
	c.reply.nr_handles = 4;
	ret = xioctl(LOGOS_IOC_CHANNEL_CALL, &c);
	if (ret)
		return ret;
	if (logos_wire_decode(rbuf, c.reply.data_len, c.reply.nr_handles, rw))
		return -EBADMSG;
	if (rw->flags & LOGOS_WIRE_F_ERROR) {
		int32_t e = EIO;

		logos_wire_get_i32(rw, LOGOS_WIRE_TAG_ERRNO, &e);
		return -e;
	}
	return 0;
}

const char *ename(int e)
{
	static char buf[32];

	switch (e < 0 ? -e : e) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EAGAIN: return "EAGAIN";
	case ENETUNREACH: return "ENETUNREACH";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EHOSTUNREACH: return "EHOSTUNREACH";
	case ENODEV: return "ENODEV";
	case EPIPE: return "EPIPE";
	case EOWNERDEAD: return "EOWNERDEAD";
	case EROFS: return "EROFS";
	case ENOSYS: return "ENOSYS";
	case EKEYREVOKED: return "EKEYREVOKED";
	}
	snprintf(buf, sizeof(buf), "E%d", e < 0 ? -e : e);
	return buf;
}

/* ---- services -------------------------------------------------------- */

static void do_register(const char *spec)
{
	char svc[64];
	unsigned int maj, min;
	uint8_t buf[256], rbuf[256];
	struct logos_msg_handle rh[4];
	struct logos_wire_writer w;
	struct logos_wire rw;
	int ret;

	if (sscanf(spec, "%63[^:]:%u.%u", svc, &maj, &min) != 3)
		return;
	logos_wire_writer_init(&w, buf, sizeof(buf), LOGOS_BOOT_REGISTER, 0, 0);
	logos_wire_put_string(&w, LOGOS_TAG_SERVICE, svc);
	logos_wire_put_u32(&w, LOGOS_TAG_VERSION, LOGOS_SERVICE_VERSION(maj, min));
	logos_wire_put_string(&w, LOGOS_TAG_CAPS, "test");
	ret = call(boot, &w, rbuf, sizeof(rbuf), rh, &rw, 10000);
	result("register_%s=%s", svc, ename(ret));
}

static void do_lookup(const char *spec)
{
	char svc[64];
	unsigned int a, b, c, d;
	uint8_t buf[256], rbuf[256];
	struct logos_msg_handle rh[4];
	struct logos_wire_writer w;
	struct logos_wire rw;
	uint32_t idx, ver = 0;
	int ret;

	if (sscanf(spec, "%63[^:]:%u.%u:%u.%u", svc, &a, &b, &c, &d) != 5)
		return;
	logos_wire_writer_init(&w, buf, sizeof(buf), LOGOS_BOOT_LOOKUP, 0, 0);
	logos_wire_put_string(&w, LOGOS_TAG_SERVICE, svc);
	logos_wire_put_u32(&w, LOGOS_TAG_MIN_VERSION, LOGOS_SERVICE_VERSION(a, b));
	logos_wire_put_u32(&w, LOGOS_TAG_MAX_VERSION, LOGOS_SERVICE_VERSION(c, d));
	ret = call(boot, &w, rbuf, sizeof(rbuf), rh, &rw, 10000);
	if (!ret && (logos_wire_get_handle(&rw, LOGOS_TAG_LOOKUP_EP, &idx) || idx >= 4))
		ret = -EBADMSG;
	if (!ret) {
		client_ep = rh[idx].handle;
		logos_wire_get_u32(&rw, LOGOS_TAG_LOOKUP_VERSION, &ver);
	}
	result("lookup_%s=%s version=%u.%u", svc, ename(ret), ver >> 16, ver & 0xffff);
}

/* Each call carries a sequence number (tag 2) that the answer must echo. */
static void call_service(void)
{
	static uint64_t seq;
	uint8_t buf[64], rbuf[512];
	struct logos_msg_handle rh[4];
	struct logos_wire_writer w;
	struct logos_wire rw;
	char text[256] = "";
	uint64_t echo = 0;
	int ret;

	logos_wire_writer_init(&w, buf, sizeof(buf), LOGOS_KIND_SERVICE_MIN, 0, 1);
	logos_wire_put_u64(&w, 2, ++seq);
	ret = call(client_ep, &w, rbuf, sizeof(rbuf), rh, &rw, 20000);
	if (!ret) {
		logos_wire_get_string(&rw, 1, text, sizeof(text));
		if (logos_wire_get_u64(&rw, 2, &echo) || echo != seq) {
			result("call=WRONGSEQ seq=%llu echo=%llu", (unsigned long long)seq,
			       (unsigned long long)echo);
			return;
		}
		result("call=0 %s seq=%llu", text, (unsigned long long)seq);
		return;
	}
	{
		struct timespec ts;

		clock_gettime(CLOCK_BOOTTIME, &ts);
		result("call=%s seq=%llu at=%lld", ename(ret), (unsigned long long)seq,
		       (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
	}
}

static void serve(uint32_t ep)
{
	uint8_t rx[4096];
	struct logos_msg_handle hs[4];
	struct logos_msg m = { .data = PTR(rx), .data_len = sizeof(rx), .handles = PTR(hs),
			       .nr_handles = 4 };
	struct logos_channel_io io = { .handle = ep, .msgs = PTR(&m), .count = 1 };
	uint8_t buf[512];
	struct logos_wire_writer w;
	struct logos_wire req;
	char text[256];
	uint64_t seq = 0;

	if (xioctl(LOGOS_IOC_CHANNEL_RECV, &io))
		return;
	if (!(m.header.flags & LOGOS_MSG_CALL))
		return;
	if (!logos_wire_decode(rx, m.data_len, m.nr_handles, &req))
		logos_wire_get_u64(&req, 2, &seq);
	if (serve_delay_ms) {
		result("taken seq=%llu", (unsigned long long)seq);
		usleep(serve_delay_ms * 1000);
	}
	counter++;
	snprintf(text, sizeof(text), "%s %s n=%llu", name, mark, (unsigned long long)counter);
	logos_wire_writer_init(&w, buf, sizeof(buf), LOGOS_KIND_SERVICE_MIN, LOGOS_WIRE_F_REPLY, 1);
	logos_wire_put_string(&w, 1, text);
	logos_wire_put_u64(&w, 2, seq);
	reply(ep, m.header.txn_id, &w);
}

/* ---- the bootstrap channel --------------------------------------------- */

static void save_counter_file(void)
{
	char path[4096], v[32];
	int f;

	snprintf(path, sizeof(path), "%s/counter", state_dir);
	f = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (f >= 0) {
		int n = snprintf(v, sizeof(v), "%llu\n", (unsigned long long)counter);

		if (write(f, v, n) < 0) {
			/* nothing to do */
		}
		close(f);
	}
}

static void handle_boot(void)
{
	uint8_t rx[65536];
	struct logos_msg_handle hs[8];
	struct logos_msg m = { .data = PTR(rx), .data_len = sizeof(rx), .handles = PTR(hs),
			       .nr_handles = 8 };
	struct logos_channel_io io = { .handle = boot, .msgs = PTR(&m), .count = 1 };
	uint8_t buf[256];
	struct logos_wire_writer w;
	struct logos_wire msg;
	const void *data;
	size_t len;
	uint32_t idx, deadline = 0;

	if (xioctl(LOGOS_IOC_CHANNEL_RECV, &io))
		return;
	if (logos_wire_decode(rx, m.data_len, m.nr_handles, &msg))
		return;
	switch (msg.kind) {
	case LOGOS_BOOT_PAUSE:
		result("paused=1");
		paused = true;	/* quiescent: no more calls served until RESUME */
		logos_wire_writer_init(&w, buf, sizeof(buf), msg.kind, LOGOS_WIRE_F_REPLY, 0);
		reply(boot, m.header.txn_id, &w);
		break;
	case LOGOS_BOOT_RESUME:
		result("resumed=1");
		paused = false;
		break;
	case LOGOS_BOOT_TERMINATE:
		logos_wire_get_u32(&msg, LOGOS_TAG_DEADLINE_MS, &deadline);
		result("terminate deadline_ms=%u", deadline);
		save_counter_file();
		logos_wire_writer_init(&w, buf, sizeof(buf), msg.kind, LOGOS_WIRE_F_REPLY, 0);
		reply(boot, m.header.txn_id, &w);
		terminating = true;
		break;
	case LOGOS_BOOT_SAVE_STATE:
		logos_wire_writer_init(&w, buf, sizeof(buf), msg.kind, LOGOS_WIRE_F_REPLY, 0);
		logos_wire_put_bytes(&w, LOGOS_TAG_STATE_BYTES, &counter, sizeof(counter));
		reply(boot, m.header.txn_id, &w);
		result("saved=%llu", (unsigned long long)counter);
		break;
	case LOGOS_BOOT_RESTORE_STATE:
		if (!logos_wire_get_bytes(&msg, LOGOS_TAG_STATE_BYTES, &data, &len) &&
		    len == sizeof(counter)) {
			memcpy(&counter, data, sizeof(counter));
			result("restored=%llu", (unsigned long long)counter);
		}
		break;
	case LOGOS_BOOT_CONNECT:
		if (!logos_wire_get_handle(&msg, LOGOS_TAG_CONNECT_EP, &idx) && idx < m.nr_handles &&
		    nr_eps < MAX_EPS) {
			eps[nr_eps++] = hs[idx].handle;
			result("connected=1");
		}
		break;
	case LOGOS_BOOT_SERVICE_STATE: {
		uint32_t st = 9;

		logos_wire_get_u32(&msg, LOGOS_TAG_SERVICE_STATE, &st);
		result("service_state=%s", st == 0 ? "up" : st == 1 ? "restarting" : "gone");
		break;
	}
	default:
		if (m.header.flags & LOGOS_MSG_CALL) {
			logos_wire_writer_init(&w, buf, sizeof(buf), msg.kind,
					       LOGOS_WIRE_F_REPLY | LOGOS_WIRE_F_ERROR, 0);
			logos_wire_put_i32(&w, LOGOS_WIRE_TAG_ERRNO, EOPNOTSUPP);
			reply(boot, m.header.txn_id, &w);
		}
	}
}

/* ---- main ------------------------------------------------------------- */

int main(void)
{
	char *e, *spec, *save = NULL;
	struct logos_version ver = { 0 };
	uint64_t wd_us = 0, last_hb = 0, next_call = 0, crash_at = 0, hb_stop = 0;
	unsigned int call_ms = 200;
	uint64_t wait_ms = 50;

	setvbuf(stdout, NULL, _IOLBF, 0);
	t0 = now_ms();
	name = getenv(LOGOS_ENV_MODULE_NAME) ? getenv(LOGOS_ENV_MODULE_NAME) : "?";
	state_dir = getenv(LOGOS_ENV_STATE_DIR) ? getenv(LOGOS_ENV_STATE_DIR) : "/tmp";
	mark = getenv("MARK") ? getenv("MARK") : "v1";
	e = getenv(LOGOS_ENV_BOOTSTRAP);
	boot = e ? strtoul(e, NULL, 0) : 0;
	if ((e = getenv(LOGOS_ENV_WATCHDOG_USEC)))
		wd_us = strtoull(e, NULL, 10);
	if ((e = getenv("CRASH_AFTER_MS")))
		crash_at = t0 + atoi(e);
	if ((e = getenv("HEARTBEAT_STOP_MS")))
		hb_stop = t0 + atoi(e);
	if ((e = getenv("WAIT_MS")))
		wait_ms = strtoull(e, NULL, 10);
	if ((e = getenv("SERVE_DELAY_MS")))
		serve_delay_ms = (unsigned int)atoi(e);
	ownerdead = getenv("OWNERDEAD") != NULL;
	if ((e = getenv("CALL_MS")))
		call_ms = atoi(e);
	if (xioctl(LOGOS_IOC_VERSION, &ver) || !boot) {
		result("init=failed (fd 3 or LOGOS_BOOTSTRAP missing)");
		return 2;
	}
	result("started pid=%d abi=%u.%u", (int)getpid(), ver.major, ver.minor);
	if ((e = getenv("ESCAPE"))) {
		if (!strcmp(e, "pids"))
			escape_pids();
		else if (!strcmp(e, "memory"))
			escape_memory();
		else if (!strcmp(e, "handles"))
			escape_handles();
		else if (!strcmp(e, "landlock"))
			escape_landlock();
		else if (!strcmp(e, "harden"))
			escape_harden();
		else
			escape_all();
	}
	if (getenv("INIT_PROBE"))
		init_probe();
	if ((e = getenv("EXIT_SIGNAL")))
		raise(atoi(e));	/* not pid 1: the default action ends it */
	if ((e = getenv("PROVIDE"))) {
		e = strdup(e);
		for (spec = strtok_r(e, " ", &save); spec; spec = strtok_r(NULL, " ", &save))
			do_register(spec);
		free(e);
	}
	net_listen();
	if (!getenv("NO_READY")) {
		ioctl(fd, LOGOS_IOC_MODULE_READY);
		notify(LOGOS_BOOT_READY);
		result("ready=1");
	}
	if ((e = getenv("LOOKUP")))
		do_lookup(e);
	if (getenv("NET_PROBE"))
		net_probes();
	while (!terminating) {
		struct logos_wait_item items[MAX_EPS + 1];
		struct logos_wait wt = { .items = PTR(items), .timeout_ns = wait_ms * 1000000LL };
		uint64_t now = now_ms();
		int n = 0;

		if (crash_at && now >= crash_at) {
			result("crashing=1");
			_exit(70);
		}
		if (wd_us && now - last_hb >= wd_us / 3000 && (!hb_stop || now < hb_stop)) {
			notify(LOGOS_BOOT_HEARTBEAT);
			last_hb = now;
		}
		if (client_ep && now >= next_call) {
			call_service();
			next_call = now_ms() + call_ms;
		}
		items[n++] = (struct logos_wait_item){ .handle = boot, .signals = LOGOS_SIGNAL_READABLE |
						       LOGOS_SIGNAL_PEER_CLOSED };
		for (int i = 0; i < nr_eps && !paused; i++)
			items[n++] = (struct logos_wait_item){ .handle = eps[i],
							       .signals = LOGOS_SIGNAL_READABLE };
		wt.count = n;
		if (xioctl(LOGOS_IOC_WAIT, &wt))
			continue;
		if (items[0].observed & LOGOS_SIGNAL_READABLE)
			handle_boot();
		else if (items[0].observed & LOGOS_SIGNAL_PEER_CLOSED)
			break;	/* logosd is gone */
		for (int i = 1; i < n; i++)
			if (items[i].observed & LOGOS_SIGNAL_READABLE)
				serve(eps[i - 1]);
	}
	result("exiting");
	return 0;
}
