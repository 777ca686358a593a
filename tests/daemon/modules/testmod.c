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

#define PTR(p) ((uint64_t)(uintptr_t)(p))
#define MAX_EPS 16

static int fd = 3;
static uint32_t boot;
static const char *state_dir, *name, *mark;
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

static void result(const char *fmt, ...)
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

static int xioctl(unsigned long cmd, void *arg)
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
static int call(uint32_t ep, struct logos_wire_writer *w, uint8_t *rbuf, size_t rcap,
		struct logos_msg_handle *rh, struct logos_wire *rw, int64_t timeout_ms)
{
	struct logos_channel_call c = { .handle = ep, .timeout_ns = timeout_ms * 1000000 };
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

static const char *ename(int e)
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
	result("call=%s seq=%llu", ename(ret), (unsigned long long)seq);
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

/* ---- network probes (tests/net) --------------------------------------- */

/* A TCP connect to "A.B.C.D:PORT" within 3 s: 0 or an errno. */
static int tcp_try(const char *spec)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct pollfd pfd = { .events = POLLOUT };
	char ip[64];
	const char *colon = strrchr(spec, ':');
	int err = 0;
	socklen_t len = sizeof(err);

	if (!colon || colon - spec >= (int)sizeof(ip))
		return EINVAL;
	memcpy(ip, spec, colon - spec);
	ip[colon - spec] = 0;
	sa.sin_port = htons(atoi(colon + 1));
	if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1)
		return EINVAL;
	pfd.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (pfd.fd < 0)
		return errno;
	if (connect(pfd.fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = errno;
		if (err == EINPROGRESS) {
			err = poll(&pfd, 1, 3000) == 1 ? 0 : ETIMEDOUT;
			if (!err && getsockopt(pfd.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
				err = errno;
		}
	}
	close(pfd.fd);
	return err;
}

/* One rtnetlink request with a 4-byte attribute pair: the kernel's answer. */
static int rtnl_try(uint16_t type, const void *hdr, size_t hlen, uint16_t a1, uint32_t v1,
		    uint16_t a2, uint32_t v2)
{
	struct {
		struct nlmsghdr nh;
		char body[128];
	} req = { 0 }, ack;
	struct rtattr *ra;
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), err;
	ssize_t n;

	if (s < 0)
		return errno;
	req.nh.nlmsg_type = type;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
	memcpy(req.body, hdr, hlen);
	req.nh.nlmsg_len = NLMSG_LENGTH(NLMSG_ALIGN(hlen));
	for (int i = 0; i < 2; i++) {
		ra = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));
		ra->rta_type = i ? a2 : a1;
		ra->rta_len = RTA_LENGTH(4);
		memcpy(RTA_DATA(ra), i ? &v2 : &v1, 4);
		req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_ALIGN(ra->rta_len);
	}
	if (send(s, &req, req.nh.nlmsg_len, 0) < 0) {
		err = errno;
	} else {
		n = recv(s, &ack, sizeof(ack), 0);
		err = n < (ssize_t)NLMSG_LENGTH(sizeof(int)) || ack.nh.nlmsg_type != NLMSG_ERROR ? EIO :
		      -((struct nlmsgerr *)NLMSG_DATA(&ack.nh))->error;
	}
	close(s);
	return err;
}

/* Its own address and routes: rtnetlink needs CAP_NET_ADMIN in its namespace. */
static void net_admin_try(void)
{
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = 24,
				 .ifa_index = if_nametoindex("eth0") };
	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_dst_len = 16, .rtm_table = RT_TABLE_MAIN,
			     .rtm_protocol = RTPROT_BOOT, .rtm_scope = RT_SCOPE_LINK,
			     .rtm_type = RTN_UNICAST };
	uint32_t a = htonl(0x0a630009), d = htonl(0x0a620000);	/* 10.99.0.9, 10.98.0.0/16 */
	int err;

	err = rtnl_try(RTM_NEWADDR, &ifa, sizeof(ifa), IFA_LOCAL, a, IFA_ADDRESS, a);
	result("set_addr=%s %s", err ? "blocked" : "ALLOWED", err ? ename(err) : "");
	err = rtnl_try(RTM_NEWROUTE, &rtm, sizeof(rtm), RTA_DST, d, RTA_OIF, ifa.ifa_index);
	result("add_route=%s %s", err ? "blocked" : "ALLOWED", err ? ename(err) : "");
}

/*
 * NET_LISTEN=PORT: a TCP listener on it (the kernel completes connects
 * without accept()); NET_CONNECT="A.B.C.D:PORT ...": "tcp_SPEC=ok|ERRNO";
 * NET_ABSTRACT=NAME: a connect to that abstract UNIX socket; NET_ADMIN=1:
 * try to change its own address and routes. "ifaces=" lists its links.
 */
static void net_listen(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char *e = getenv("NET_LISTEN");
	int s, one = 1;

	if (!e)
		return;
	sa.sin_port = htons(atoi(e));
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 64) < 0)
		result("listen=%s", ename(errno));
	else
		result("listen=ok");
}

static void net_probes(void)
{
	/* its links, from /proc/self/net/dev (no socket needed): "lo,eth0" */
	char list[256] = "", line[256], *e, *spec, *save;
	FILE *f = fopen("/proc/self/net/dev", "re");
	size_t n = 0;

	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *name = line;

		if (!colon)
			continue;
		*colon = 0;
		while (*name == ' ')
			name++;
		n += snprintf(list + n, n < sizeof(list) ? sizeof(list) - n : 0, "%s%s",
			      n ? "," : "", name);
	}
	result("ifaces=%s", f ? list : ename(errno));
	if (f)
		fclose(f);
	if ((e = getenv("NET_CONNECT"))) {
		e = strdup(e);
		for (spec = strtok_r(e, " ", &save); spec; spec = strtok_r(NULL, " ", &save)) {
			int err = tcp_try(spec);

			result("tcp_%s=%s", spec, err ? ename(err) : "ok");
		}
		free(e);
	}
	if ((e = getenv("NET_ABSTRACT"))) {
		struct sockaddr_un su = { .sun_family = AF_UNIX };
		int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), r;

		snprintf(su.sun_path + 1, sizeof(su.sun_path) - 1, "%s", e);
		r = connect(s, (struct sockaddr *)&su, offsetof(struct sockaddr_un, sun_path) + 1 +
			    strlen(e));
		result("abstract=%s", r < 0 ? ename(errno) : "ok");
		if (s >= 0)
			close(s);
	}
	if (getenv("NET_ADMIN"))
		net_admin_try();
	result("net_done=1");
}

/* ---- escapes ------------------------------------------------------------ */

static void try_(const char *what, int ret, int err)
{
	result("escape_%s=%s %s", what, ret < 0 ? "blocked" : "ALLOWED", ret < 0 ? ename(err) : "");
}

static void escape_all(void)
{
	char *target = getenv("TARGET_PID"), *port = getenv("NET_PORT");
	int r, s;

	r = open("/etc/shadow", O_RDONLY);
	try_("read_shadow", r, errno);
	r = open("/dev/logos", O_RDWR);
	try_("open_dev_logos", r, errno);
	r = ptrace(PTRACE_ATTACH, target ? atoi(target) : 1, NULL, NULL);
	try_("ptrace_sibling", r, errno);
	r = kill(target ? atoi(target) : 1, SIGKILL);
	try_("kill_sibling", target ? r : -1, target ? errno : ESRCH);
	r = mount("none", "/tmp", "tmpfs", 0, NULL);
	try_("mount", r, errno);
	r = open("/usr/logos-escape", O_WRONLY | O_CREAT, 0644);
	try_("write_usr", r, errno);
	r = open("/etc/passwd", O_RDONLY);
	try_("read_etc_passwd", r, errno);
	r = open("/tmp/logosd-test-secret", O_RDONLY);
	try_("read_host_tmp", r, errno);
	r = syscall(SYS_unshare, CLONE_NEWUSER);
	try_("unshare_user", r, errno);
	/* a user namespace through clone() or clone3() instead of unshare() */
	r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid(r, NULL, 0);
	try_("clone_newuser", r, errno);
	{
		struct clone_args ca = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };

		r = syscall(SYS_clone3, &ca, sizeof(ca));
		if (r == 0)
			_exit(0);
		if (r > 0)
			waitpid(r, NULL, 0);
		try_("clone3_newuser", r, errno);
	}
	r = setuid(0);
	try_("setuid_root", getuid() == 0 ? 0 : -1, errno);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s >= 0 && port) {
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(atoi(port)),
					  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

		r = connect(s, (struct sockaddr *)&sa, sizeof(sa));
		try_("network", r, errno);
	} else {
		try_("network", s < 0 ? -1 : 0, errno);
	}
	if (s >= 0)
		close(s);
	s = socket(AF_NETLINK, SOCK_RAW, 16 /* NETLINK_GENERIC: logos events */);
	try_("netlink_generic", s, errno);
	if (s >= 0)
		close(s);
	/* raw sockets: CAP_NET_RAW, and AF_PACKET only with [Network] RawSockets */
	s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	try_("raw_socket", s, errno);
	if (s >= 0)
		close(s);
	s = socket(AF_PACKET, SOCK_RAW, 0);
	try_("packet_socket", s, errno);
	if (s >= 0)
		close(s);
	r = setpriority(PRIO_PROCESS, 0, -5);
	try_("priority", r, errno);
	{
		char path[4096];

		snprintf(path, sizeof(path), "%s/own-file", state_dir);
		r = open(path, O_WRONLY | O_CREAT, 0600);
		result("state_dir_writable=%s", r >= 0 ? "yes" : ename(errno));
	}
	result("uid=%u", (unsigned int)getuid());
	{
		FILE *f = fopen("/proc/self/status", "r");
		char line[256];

		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "CapEff:", 7) || !strncmp(line, "NoNewPrivs:", 11) ||
			    !strncmp(line, "Seccomp:", 8))
				result("%.*s", (int)strcspn(line, "\n"), line);
		if (f)
			fclose(f);
	}
	result("pid_in_namespace=%d", (int)getpid());
}

/*
 * Landlock on its own: run without a mount namespace, the module sees the
 * host's filesystem, where /var/tmp is writable by anyone; only the
 * ruleset (writes in /tmp and the state directory only) stops it.
 */
static void escape_landlock(void)
{
	char path[64];
	int r;

	snprintf(path, sizeof(path), "/var/tmp/logosd-landlock-%d", (int)getpid());
	r = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	try_("write_var_tmp", r, errno);
	if (r >= 0) {
		close(r);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/own-file", state_dir);
	r = open(path, O_WRONLY | O_CREAT, 0600);
	result("state_dir_writable=%s", r >= 0 ? "yes" : ename(errno));
	if (r >= 0)
		close(r);
}

/*
 * The holes closed by trust-level hardening: a setuid file in a directory
 * it may write, code that was never signed (writable+executable memory,
 * memory made executable later, an anonymous file executed), and writing
 * its own text through /proc/self/mem. With WriteExecute the memory ones
 * are ALLOWED: the control that shows the probes can succeed.
 */
static void escape_harden(void)
{
	char path[4096];
	void *p;
	int r, fd;

	snprintf(path, sizeof(path), "%s/suid", state_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
	r = fd < 0 ? -1 : fchmod(fd, 04755);
	try_("setuid_fchmod", r, errno);
	r = chmod(path, 02755);
	try_("setgid_chmod", r, errno);
	snprintf(path, sizeof(path), "%s/suid-new", state_dir);
	r = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 04755);
	try_("setuid_create", r, errno);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	try_("mmap_wx", p == MAP_FAILED ? -1 : 0, errno);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	r = p == MAP_FAILED ? -1 : mprotect(p, 4096, PROT_READ | PROT_EXEC);
	try_("mprotect_x", r, errno);
	/* an unsigned program run from memory: a copy of /bin/true */
	fd = syscall(SYS_memfd_create, "unsigned", 0);
	try_("memfd_create", fd, errno);
	if (fd < 0) {
		try_("memfd_exec", -1, errno);
	} else {
		int src = open("/bin/true", O_RDONLY | O_CLOEXEC), st = -1;
		char buf[65536];
		ssize_t n;
		pid_t pid;

		while (src >= 0 && (n = read(src, buf, sizeof(buf))) > 0)
			if (write(fd, buf, n) != n)
				break;
		pid = fork();
		if (pid == 0) {
			char *argv[] = { "unsigned", NULL }, *envp[] = { NULL };

			syscall(SYS_execveat, fd, "", argv, envp, 0x1000 /* AT_EMPTY_PATH */);
			_exit(errno);
		}
		if (pid > 0)
			waitpid(pid, &st, 0);
		try_("memfd_exec", pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1,
		     pid > 0 && WIFEXITED(st) ? WEXITSTATUS(st) : errno);
	}
	/* a host program: the module's own exec was its last */
	{
		pid_t pid = fork();
		int st = -1;

		if (pid == 0) {
			char *argv[] = { "true", NULL }, *envp[] = { NULL };

			execve("/bin/true", argv, envp);
			_exit(errno);
		}
		if (pid > 0)
			waitpid(pid, &st, 0);
		try_("execve_host", pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1,
		     pid > 0 && WIFEXITED(st) ? WEXITSTATUS(st) : errno);
	}
	r = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	try_("proc_self_mem_write", r, errno);
	result("ids=%u:%u", (unsigned int)getuid(), (unsigned int)getgid());
}

static void escape_pids(void)
{
	int n = 0, err = 0;

	for (; n < 10000; n++) {
		pid_t p = fork();

		if (p == 0) {
			pause();
			_exit(0);
		}
		if (p < 0) {
			err = errno;
			break;
		}
	}
	result("escape_pids=%s forked=%d", err ? "blocked" : "ALLOWED", n);
	kill(-1, SIGKILL);	/* every other process of its namespace but its init */
	while (waitpid(-1, NULL, 0) > 0)
		;
}

static void escape_memory(void)
{
	size_t mb = 0;

	for (;;) {
		char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			result("escape_memory=blocked mmap %zu", mb);
			return;
		}
		memset(p, 1, 1 << 20);
		mb++;
		if (mb % 16 == 0)
			result("memory_mb=%zu", mb);
		if (mb >= 4096) {
			result("escape_memory=ALLOWED %zu", mb);
			return;
		}
	}
}

static void escape_handles(void)
{
	int n = 0, ret = 0;

	for (; n < 100000; n++) {
		struct logos_event_create ev = { 0 };

		ret = xioctl(LOGOS_IOC_EVENT_CREATE, &ev);
		if (ret)
			break;
	}
	result("escape_handles=%s %s created=%d", ret ? "blocked" : "ALLOWED",
	       ret == -EDQUOT ? "EDQUOT" : ename(ret), n);
}

/*
 * Under its init (INIT_PROBE): where it is in its pid namespace, whether an
 * orphaned grandchild is reaped, what /dev holds, whether POSIX shared
 * memory and a pseudo-terminal work, and whether it can touch its init.
 */
static int zombies(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d))) {
		char path[300], buf[256], *p;
		int f;
		ssize_t r;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = open(path, O_RDONLY | O_CLOEXEC);
		if (f < 0)
			continue;
		r = read(f, buf, sizeof(buf) - 1);
		close(f);
		buf[r > 0 ? r : 0] = 0;
		p = strrchr(buf, ')');
		if (p && p[1] == ' ' && p[2] == 'Z')
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

static void init_probe(void)
{
	pid_t c;
	int m, s;

	result("init_probe pid=%d ppid=%d", (int)getpid(), (int)getppid());
	c = fork();
	if (c == 0) {
		/* the grandchild outlives its parent: an orphan for pid 1 */
		if (fork() == 0) {
			usleep(300000);
			_exit(0);
		}
		_exit(0);
	}
	waitpid(c, NULL, 0);
	usleep(1500000);
	result("init_probe zombies=%d", zombies());
	result("init_probe dev_shm=%s dev_pts=%s dev_ptmx=%s", access("/dev/shm", F_OK) ? "no" : "yes",
	       access("/dev/pts/ptmx", F_OK) ? "no" : "yes", access("/dev/ptmx", F_OK) ? "no" : "yes");
	s = shm_open("/logos-init-probe", O_CREAT | O_RDWR | O_EXCL, 0600);
	if (s >= 0 && !ftruncate(s, 4096)) {
		char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, s, 0);

		result("init_probe shm=%s", p != MAP_FAILED && (p[0] = 1) ? "ok" : ename(-errno));
		shm_unlink("/logos-init-probe");
	} else {
		result("init_probe shm=%s", ename(-errno));
	}
	if (s >= 0)
		close(s);
	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m >= 0 && !grantpt(m) && !unlockpt(m) && ptsname(m)) {
		int sl = open(ptsname(m), O_RDWR | O_NOCTTY | O_CLOEXEC);

		result("init_probe pty=%s %s", sl >= 0 ? "ok" : ename(-errno), ptsname(m));
		if (sl >= 0)
			close(sl);
	} else {
		result("init_probe pty=%s", ename(-errno));
	}
	if (m >= 0)
		close(m);
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
