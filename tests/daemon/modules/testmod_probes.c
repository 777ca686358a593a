// SPDX-License-Identifier: GPL-2.0
/*
 * testmod's probes: what the sandbox, escape and net suites have a module
 * try (ESCAPE=..., NET_* in its environment; see testmod.c).
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
void net_listen(void)
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

void net_probes(void)
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

void escape_all(void)
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
void escape_landlock(void)
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
void escape_harden(void)
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

void escape_pids(void)
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

void escape_memory(void)
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

void escape_handles(void)
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

void init_probe(void)
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
