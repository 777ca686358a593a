// SPDX-License-Identifier: GPL-2.0
/*
 * logos-fuzz: memory mappings of grants (map, touch, unmap, mprotect), the
 * grant and call stories, the generic netlink family, and the module
 * parameters moved under load.
 */
#include "fuzz.h"

/* ---- memory mappings --------------------------------------------------- */

static __thread sigjmp_buf touch_jmp;
static __thread volatile int touching;

void on_fault(int sig)
{
	if (touching)
		siglongjmp(touch_jmp, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

void op_mmap(void)
{
	int f = pick_file(false), slot = rnd(MAX_MAPS), prot, flags;
	uint32_t h;
	size_t len;
	off_t off;
	void *p;

	if (f < 0)
		return;
	h = pick_handle(f, LOGOS_OBJ_MEMORY);
	len = chance(90) ? (1 + rnd(4)) * PAGE : (chance(50) ? 0 : rnd64() % (1UL << 30));
	prot = chance(90) ? (PROT_READ | (chance(50) ? PROT_WRITE : 0)) : (int)rnd(8);
	flags = chance(95) ? MAP_SHARED : MAP_PRIVATE;
	off = chance(95) ? (off_t)h * (off_t)PAGE : (off_t)((rnd64() & ~(PAGE - 1)) >> 12);
	if (chance(3))
		off += PAGE;
	if (maps[slot].addr) {
		munmap(maps[slot].addr, maps[slot].len);
		maps[slot].addr = NULL;
	}
	__atomic_fetch_add(&stats->ops[O_MMAP], 1, __ATOMIC_RELAXED);
	p = mmap(NULL, len, prot, flags, files[f].fd, off);
	if (p == MAP_FAILED)
		return;
	__atomic_fetch_add(&stats->ok[O_MMAP], 1, __ATOMIC_RELAXED);
	maps[slot] = (struct map){ p, len, prot };
}

void op_touch(void)
{
	struct map *m = &maps[rnd(MAX_MAPS)];
	volatile uint8_t *p;
	size_t at;

	if (!m->addr || !m->len)
		return;
	__atomic_fetch_add(&stats->ops[O_TOUCH], 1, __ATOMIC_RELAXED);
	at = rnd(m->len);
	p = (volatile uint8_t *)m->addr + at;
	if (sigsetjmp(touch_jmp, 1)) {
		touching = 0;
		__atomic_fetch_add(&stats->sigbus, 1, __ATOMIC_RELAXED);
		return;
	}
	touching = 1;
	if ((m->prot & PROT_WRITE) && chance(50))
		*p = (uint8_t)rnd64();
	else if (m->prot & PROT_READ)
		(void)*p;
	touching = 0;
}

void op_munmap(void)
{
	struct map *m = &maps[rnd(MAX_MAPS)];

	if (!m->addr)
		return;
	__atomic_fetch_add(&stats->ops[O_MUNMAP], 1, __ATOMIC_RELAXED);
	if (chance(20) && m->len > PAGE) {
		/* Part of it: splits the vma. */
		munmap((uint8_t *)m->addr + PAGE, PAGE);
		m->len = PAGE;
		return;
	}
	munmap(m->addr, m->len);
	m->addr = NULL;
}

void op_mprotect(void)
{
	struct map *m = &maps[rnd(MAX_MAPS)];
	int prot = rnd(8);

	if (!m->addr)
		return;
	__atomic_fetch_add(&stats->ops[O_MPROTECT], 1, __ATOMIC_RELAXED);
	if (!mprotect(m->addr, m->len, prot))
		m->prot = prot;
}

/*
 * A grant's whole life: memory given to a module (or duplicated), mapped
 * through the derived handle, touched, revoked from the parent while
 * mapped, touched again (SIGBUS expected), unmapped. Steps fail when the
 * fuzzing around has broken their preconditions, which is fine.
 */
void op_grant_story(void)
{
	struct logos_mem_create mc = { .size = (1 + rnd(4)) * PAGE };
	struct logos_handle_dup dup = { 0 };
	struct logos_handle_give give = { 0 };
	struct logos_handle_revoke rv = { 0 };
	int f = pick_file(false), g;
	volatile int target;
	volatile uint32_t derived;
	uint8_t *volatile p;
	size_t len;

	if (f < 0 || xioctl(O_GRANT_STORY, files[f].fd, LOGOS_IOC_MEM_CREATE, &mc))
		return;
	g = pick_module_file();
	if (g >= 0 && files[g].sup == f && chance(60)) {
		give.module = files[g].self_handle;
		give.handle = mc.handle;
		give.rights = chance(70) ? LOGOS_RIGHTS_SAME
					 : LOGOS_RIGHT_READ | LOGOS_RIGHT_MAP_READ | LOGOS_RIGHT_TRANSFER;
		if (xioctl(O_GRANT_STORY, files[f].fd, LOGOS_IOC_HANDLE_GIVE, &give))
			goto out;
		derived = give.new_handle;
		target = g;
	} else {
		dup.handle = mc.handle;
		dup.rights = LOGOS_RIGHTS_SAME;
		if (xioctl(O_GRANT_STORY, files[f].fd, LOGOS_IOC_HANDLE_DUPLICATE, &dup))
			goto out;
		derived = dup.new_handle;
		target = f;
	}
	len = mc.size;
	p = mmap(NULL, len, PROT_READ | (chance(60) ? PROT_WRITE : 0), MAP_SHARED,
		 files[target].fd, (off_t)derived * (off_t)PAGE);
	if (p != MAP_FAILED) {
		if (!sigsetjmp(touch_jmp, 1)) {
			touching = 1;
			(void)*(volatile uint8_t *)(p + rnd(len));
			touching = 0;
		}
		touching = 0;
		if (chance(20)) {
			pid_t pid = fork();	/* a copy of the mapping, gone at once */

			if (pid == 0)
				_exit(0);
			if (pid > 0)
				wait_child(pid, NULL, 0);
		}
	}
	rv.handle = mc.handle;
	if (p != MAP_FAILED && chance(25)) {
		/*
		 * Revoke from another process while this one unmaps: the
		 * revoke's zap and munmap's teardown of the same vma race.
		 */
		pid_t pid;

		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			for (volatile uint32_t spin = rnd(20000); spin; spin--)
				;
			ioctl(files[f].fd, LOGOS_IOC_HANDLE_REVOKE, &rv);
			_exit(0);
		}
		for (volatile uint32_t spin = rnd(20000); spin; spin--)
			;
		munmap(p, len);
		p = MAP_FAILED;
		if (pid > 0)
			wait_child(pid, NULL, 0);
	}
	if (!xioctl(O_GRANT_STORY, files[f].fd, LOGOS_IOC_HANDLE_REVOKE, &rv) && p != MAP_FAILED) {
		if (sigsetjmp(touch_jmp, 1)) {
			__atomic_fetch_add(&stats->sigbus, 1, __ATOMIC_RELAXED);
		} else {
			touching = 1;
			(void)*(volatile uint8_t *)(p + rnd(len));
			touching = 0;
			fail("grant story: a revoked mapping was still readable");
		}
		touching = 0;
	}
	if (p != MAP_FAILED)
		munmap(p, len);
	if (chance(50))
		remember(target, derived, LOGOS_OBJ_MEMORY);
out:
	remember(f, mc.handle, LOGOS_OBJ_MEMORY);
}

/*
 * A call that meets its server: a channel, a child that receives and
 * replies (sometimes with the next receive, sometimes late, sometimes it
 * dies first), and this process calling.
 */
void op_call_story(void)
{
	struct logos_channel_create cc = { 0 };
	struct logos_channel_call call = { 0 };
	int f = pick_file(false), g = chance(50) ? pick_module_file() : -1, server = f;
	uint8_t req[64], rep[64];
	pid_t pid;

	if (f < 0 || xioctl(O_CALL_STORY, files[f].fd, LOGOS_IOC_CHANNEL_CREATE, &cc))
		return;
	if (g >= 0 && files[g].sup == f) {
		struct logos_handle_give give = {
			.module = files[g].self_handle, .handle = cc.handle1,
			.rights = LOGOS_RIGHTS_SAME, .flags = LOGOS_GIVE_MOVE,
		};

		if (!xioctl(O_CALL_STORY, files[f].fd, LOGOS_IOC_HANDLE_GIVE, &give)) {
			cc.handle1 = give.new_handle;
			server = g;
		}
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct logos_channel_reply r = { 0 };
		struct logos_channel_io io = { 0 };
		struct logos_msg m = { 0 };
		uint8_t buf[64];
		int serve = 1 + rnd(3);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		setup_signals();
		while (serve-- > 0) {
			m = (struct logos_msg){ .data = (uint64_t)(uintptr_t)buf, .data_len = sizeof(buf) };
			io = (struct logos_channel_io){
				.handle = cc.handle1, .msgs = (uint64_t)(uintptr_t)&m, .count = 1,
				.timeout_ns = 40000000,
			};
			if (xioctl(O_CALL_STORY, files[server].fd, LOGOS_IOC_CHANNEL_RECV, &io))
				continue;
			if (chance(10))
				_exit(0);	/* the server dies holding the call */
			if (chance(10))
				usleep(rnd(20000));	/* late: the caller may have given up */
			r = (struct logos_channel_reply){
				.handle = cc.handle1, .txn_id = m.header.txn_id,
				.flags = chance(30) ? LOGOS_REPLY_RECEIVE : 0,
				.timeout_ns = 10000000,
				.reply = { .data = (uint64_t)(uintptr_t)buf, .data_len = rnd(64) },
				.next = { .data = (uint64_t)(uintptr_t)buf, .data_len = sizeof(buf) },
			};
			xioctl(O_CALL_STORY, files[server].fd, LOGOS_IOC_CHANNEL_REPLY, &r);
		}
		_exit(0);
	}
	for (int i = 0, n = 1 + rnd(3); i < n && pid > 0; i++) {
		call = (struct logos_channel_call){
			.handle = cc.handle0, .timeout_ns = (int64_t)(5 + rnd(40)) * 1000000,
			.request = { .data = (uint64_t)(uintptr_t)req, .data_len = rnd(64) },
			.reply = { .data = (uint64_t)(uintptr_t)rep,
				   .data_len = chance(90) ? sizeof(rep) : rnd(4) },
		};
		xioctl(O_CALL_STORY, files[f].fd, LOGOS_IOC_CHANNEL_CALL, &call);
	}
	if (pid > 0) {
		if (chance(30))
			kill(pid, SIGKILL);
		wait_child(pid, NULL, 0);
	}
	remember(f, cc.handle0, LOGOS_OBJ_CHANNEL);
	if (chance(50))
		remember(server, cc.handle1, LOGOS_OBJ_CHANNEL);
}

/*
 * A call the 50 ms timer interrupts while its server holds it, retried
 * with the same argument: the kernel parked it and wrote its id into
 * request.header.txn_id, so the retry waits for the same reply and never
 * sends the request again. Sometimes one retry names a wrong id first
 * (-ENOENT). Checked: the reply arrives whole, the id is 0 again after,
 * and the server saw the request exactly once.
 */
static void retry_server(uint32_t handle, int f, const uint8_t *req, size_t req_len)
{
	struct timespec nap = { 0, (long)(60 + rnd(200)) * 1000000 }, now;
	uint64_t until = 0;
	int calls = 0, bad = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setup_signals();
	/* The parent kills it once its call failed: no limit needed before. */
	for (;;) {
		struct logos_msg m;
		struct logos_channel_io io;
		struct logos_channel_reply r;
		uint8_t buf[64], out[16];

		m = (struct logos_msg){ .data = (uint64_t)(uintptr_t)buf, .data_len = sizeof(buf) };
		io = (struct logos_channel_io){
			.handle = handle, .msgs = (uint64_t)(uintptr_t)&m, .count = 1,
			.timeout_ns = 40000000,
		};
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (until && (uint64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 > until)
			break;
		if (xioctl(O_CALL_RETRY, files[f].fd, LOGOS_IOC_CHANNEL_RECV, &io) || io.done != 1)
			continue;
		if (!(m.header.flags & LOGOS_MSG_CALL))
			continue;
		calls++;
		if (m.data_len != req_len || memcmp(buf, req, req_len))
			bad = 1;
		if (calls > 1)
			continue;
		/* Hold the call across a few timer ticks of the caller. */
		while (clock_nanosleep(CLOCK_MONOTONIC, 0, &nap, &nap) == EINTR)
			;
		for (size_t k = 0; k < sizeof(out); k++)
			out[k] = req[k] ^ 0xa5;
		r = (struct logos_channel_reply){
			.handle = handle, .txn_id = m.header.txn_id,
			.reply = { .data = (uint64_t)(uintptr_t)out, .data_len = sizeof(out) },
		};
		xioctl(O_CALL_RETRY, files[f].fd, LOGOS_IOC_CHANNEL_REPLY, &r);
		/* Then 200 ms more: a request sent twice would arrive. */
		clock_gettime(CLOCK_MONOTONIC, &now);
		until = (uint64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 + 200;
	}
	_exit(bad ? 100 : calls);
}

void op_call_retry(void)
{
	struct logos_channel_create cc = { 0 };
	static struct logos_channel_call call;
	uint8_t req[32], rep[64];
	int f = pick_file(false), ret = -EINTR, status = 0, calls;
	bool maybe_resent = false, wrong_id_tried = false;
	int interrupted = 0;
	pid_t pid;

	if (f < 0)
		return;
	kill_children();	/* alone: no child may receive from our channel */
	if (xioctl(O_CALL_RETRY, files[f].fd, LOGOS_IOC_CHANNEL_CREATE, &cc))
		return;
	for (size_t k = 0; k < sizeof(req); k++)
		req[k] = (uint8_t)rnd64();
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		retry_server(cc.handle1, f, req, sizeof(req));
	call = (struct logos_channel_call){
		.handle = cc.handle0, .timeout_ns = 3000000000LL,
		.request = { .data = (uint64_t)(uintptr_t)req, .data_len = sizeof(req) },
		.reply = { .data = (uint64_t)(uintptr_t)rep, .data_len = sizeof(rep) },
	};
	for (int tries = 0; pid > 0 && ret == -EINTR && tries < 400; tries++) {
		ret = xioctl(O_CALL_RETRY, files[f].fd, LOGOS_IOC_CHANNEL_CALL, &call);
		if (ret != -EINTR)
			break;
		__atomic_fetch_add(&stats->call_intr, 1, __ATOMIC_RELAXED);
		interrupted++;
		if (!call.request.header.txn_id) {
			/* Not sent yet, or abandoned (16 parked, no memory):
			 * the retry sends it (again). */
			maybe_resent = true;
			continue;
		}
		__atomic_fetch_add(&stats->call_parked, 1, __ATOMIC_RELAXED);
		if (!wrong_id_tried && chance(25)) {
			uint64_t id = call.request.header.txn_id;
			int r;

			wrong_id_tried = true;
			call.request.header.txn_id = id + 1 + rnd(1000);
			r = xioctl(O_CALL_RETRY, files[f].fd, LOGOS_IOC_CHANNEL_CALL, &call);
			if (r != -ENOENT && r != -EINTR)
				fail("call retry: an id naming no parked call gave %d, not -ENOENT", r);
			if (r == -EINTR)
				maybe_resent = true;	/* what did it do? unknown */
			call.request.header.txn_id = id;
		}
	}
	if (!ret) {
		if (call.request.header.txn_id)
			fail("call retry: the id stayed %llu after the call ended",
			     (unsigned long long)call.request.header.txn_id);
		if (call.reply.data_len != 16 || rep[0] != (req[0] ^ 0xa5) ||
		    rep[15] != (req[15] ^ 0xa5))
			fail("call retry: the reply came back as %u bytes, not the server's 16",
			     call.reply.data_len);
		else if (interrupted)
			__atomic_fetch_add(&stats->call_retried_ok, 1, __ATOMIC_RELAXED);
	}
	if (pid > 0) {
		/* After its reply the server looks 200 ms for a duplicate,
		 * then exits with its count; one that never replied (the call
		 * failed before) is killed after a second, uncounted. */
		for (int i = 0; i < (ret ? 100 : 1000) && wait_child(pid, &status, WNOHANG) == 0; i++)
			usleep(10000);
		if (kill(pid, SIGKILL) == 0) {
			wait_child(pid, &status, 0);
			if (!ret)
				fail("call retry: the server did not end 10 s after its reply");
		}
		calls = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		if (calls == 100)
			fail("call retry: the server got another request than was sent");
		else if (calls > 1 && !maybe_resent)
			fail("call retry: the request reached the server %d times", calls);
		else if (!ret && calls == 0)
			fail("call retry: the call succeeded but the server saw no request");
	}
	remember(f, cc.handle0, LOGOS_OBJ_CHANNEL);
	remember(f, cc.handle1, LOGOS_OBJ_CHANNEL);
}

/* ---- netlink ----------------------------------------------------------- */

struct nlbuf {
	struct nlmsghdr n;
	struct genlmsghdr g;
	uint8_t attrs[1024];
};

static int nl_put(struct nlbuf *b, size_t *off, uint16_t type, const void *data, uint16_t len)
{
	struct nlattr *a = (struct nlattr *)(b->attrs + *off);

	if (*off + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(b->attrs))
		return -1;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
	*off += NLA_HDRLEN + NLA_ALIGN(len);
	return 0;
}

/* Reads answers for a while; dumps may need many reads. */
static void nl_drain(int max_ms)
{
	static uint8_t rbuf[32768];
	struct pollfd p = { .fd = nl_sock, .events = POLLIN };

	for (int i = 0; i < 64; i++) {
		ssize_t n;

		if (poll(&p, 1, i ? 1 : max_ms) <= 0)
			return;
		n = recv(nl_sock, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		if (n <= 0)
			return;
		__atomic_fetch_add(&stats->nl_msgs, 1, __ATOMIC_RELAXED);
		for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				if (e->error > 0)
					fail("netlink: positive error %d", e->error);
				if (!(h->nlmsg_flags & NLM_F_MULTI))
					return;
			}
		}
	}
}

int nl_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct nlbuf b = { 0 };
	uint8_t rbuf[8192];
	size_t off = 0;
	ssize_t n;

	nl_sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl_sock < 0 || bind(nl_sock, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	b.n.nlmsg_type = GENL_ID_CTRL;
	b.n.nlmsg_flags = NLM_F_REQUEST;
	b.g.cmd = CTRL_CMD_GETFAMILY;
	b.g.version = 1;
	nl_put(&b, &off, CTRL_ATTR_FAMILY_NAME, LOGOS_GENL_NAME, sizeof(LOGOS_GENL_NAME));
	b.n.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + off;
	if (send(nl_sock, &b, b.n.nlmsg_len, 0) < 0)
		return -1;
	n = recv(nl_sock, rbuf, sizeof(rbuf), 0);
	for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; n > 0 && NLMSG_OK(h, (size_t)n);
	     h = NLMSG_NEXT(h, n)) {
		struct nlattr *a;
		int len;

		if (h->nlmsg_type != GENL_ID_CTRL)
			continue;
		a = (struct nlattr *)((uint8_t *)NLMSG_DATA(h) + GENL_HDRLEN);
		len = h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
		for (; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len;
		     len -= NLA_ALIGN(a->nla_len),
		     a = (struct nlattr *)((uint8_t *)a + NLA_ALIGN(a->nla_len))) {
			if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID)
				nl_family = *(uint16_t *)((uint8_t *)a + NLA_HDRLEN);
			if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_MCAST_GROUPS) {
				/* One group: [ [ID, NAME] ]. */
				struct nlattr *g = (struct nlattr *)((uint8_t *)a + NLA_HDRLEN);
				struct nlattr *x = (struct nlattr *)((uint8_t *)g + NLA_HDRLEN);

				for (int left = g->nla_len - NLA_HDRLEN; left >= NLA_HDRLEN;
				     left -= NLA_ALIGN(x->nla_len),
				     x = (struct nlattr *)((uint8_t *)x + NLA_ALIGN(x->nla_len))) {
					if (x->nla_len < NLA_HDRLEN)
						break;
					if ((x->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_MCAST_GRP_ID)
						nl_group = *(uint32_t *)((uint8_t *)x + NLA_HDRLEN);
				}
			}
		}
	}
	return nl_family ? 0 : -1;
}

static void nl_send(struct nlbuf *b, size_t off, int wait_ms)
{
	b->n.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + off;
	b->n.nlmsg_seq = (uint32_t)rnd64();
	if (trace)
		printf("fuzz[%d]: netlink cmd=%u flags=%#x len=%u\n", worker_id, b->g.cmd,
		       b->n.nlmsg_flags, b->n.nlmsg_len);
	if (send(nl_sock, b, b->n.nlmsg_len, 0) >= 0)
		nl_drain(wait_ms);
}

static uint32_t pick_module_id(void)
{
	uint32_t id = known_module_ids[rnd(32)];

	if (chance(10))
		return chance(50) ? 0 : (uint32_t)rnd64();
	return id ? id : 1 + rnd(50);
}

/* Well-formed requests of every command, with plausible values. */
void op_nl_query(void)
{
	struct nlbuf b = { 0 };
	size_t off = 0;
	uint32_t u32;
	uint64_t u64;

	if (nl_sock < 0)
		return;
	__atomic_fetch_add(&stats->ops[O_NL_QUERY], 1, __ATOMIC_RELAXED);
	b.n.nlmsg_type = nl_family;
	b.n.nlmsg_flags = NLM_F_REQUEST | (chance(50) ? NLM_F_ACK : 0);
	b.g.version = LOGOS_GENL_VERSION;
	switch (rnd(7)) {
	case 0:
		b.g.cmd = LOGOS_CMD_GET_VERSION;
		break;
	case 1:
		b.g.cmd = LOGOS_CMD_GET_MODULE;
		b.n.nlmsg_flags |= NLM_F_DUMP;
		break;
	case 2:
		b.g.cmd = LOGOS_CMD_GET_MODULE;
		u32 = pick_module_id();
		nl_put(&b, &off, LOGOS_A_MODULE_ID, &u32, 4);
		break;
	case 3:
		b.g.cmd = LOGOS_CMD_GET_HANDLES;
		b.n.nlmsg_flags |= NLM_F_DUMP;
		u32 = pick_module_id();
		if (chance(95))
			nl_put(&b, &off, LOGOS_A_MODULE_ID, &u32, 4);
		break;
	case 4:
		b.g.cmd = LOGOS_CMD_GET_STATS;
		break;
	case 5:
		b.g.cmd = LOGOS_CMD_GET_GRANTS;
		b.n.nlmsg_flags |= NLM_F_DUMP;
		break;
	default:
		b.g.cmd = LOGOS_CMD_SET_QUOTA;
		u32 = pick_module_id();
		nl_put(&b, &off, LOGOS_A_MODULE_ID, &u32, 4);
		u32 = chance(95) ? rnd(__LOGOS_RES_MAX) : rnd(20);
		nl_put(&b, &off, LOGOS_A_RESOURCE, &u32, 4);
		u64 = chance(30) ? LOGOS_LIMIT_UNLIMITED : rnd(chance(50) ? 10 : 100000);
		nl_put(&b, &off, LOGOS_A_LIMIT, &u64, 8);
		break;
	}
	nl_send(&b, off, 20);
}

/* Malformed requests: wrong commands, attributes, types, lengths. */
void op_nl_garbage(void)
{
	struct nlbuf b = { 0 };
	size_t off = 0;
	uint8_t payload[64];

	if (nl_sock < 0)
		return;
	__atomic_fetch_add(&stats->ops[O_NL_GARBAGE], 1, __ATOMIC_RELAXED);
	b.n.nlmsg_type = chance(95) ? nl_family : (uint16_t)rnd64();
	b.n.nlmsg_flags = NLM_F_REQUEST | (chance(40) ? NLM_F_DUMP : 0) | (chance(50) ? NLM_F_ACK : 0);
	b.g.cmd = chance(80) ? rnd(__LOGOS_CMD_MAX + 2) : (uint8_t)rnd64();
	b.g.version = chance(80) ? LOGOS_GENL_VERSION : (uint8_t)rnd64();
	for (int i = 0, n = rnd(6); i < n; i++) {
		uint16_t type = chance(90) ? rnd(LOGOS_A_MAX + 3) : (uint16_t)rnd64();
		uint16_t len = chance(50) ? (uint16_t)(4 << rnd(2)) : (uint16_t)rnd(sizeof(payload));

		for (size_t k = 0; k < sizeof(payload); k++)
			payload[k] = chance(50) ? 0 : (uint8_t)rnd64();
		if (chance(10))
			type |= NLA_F_NESTED;
		if (nl_put(&b, &off, type, payload, len))
			break;
	}
	b.n.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + off;
	if (chance(10) && off) {
		/* A lying attribute length. */
		((struct nlattr *)b.attrs)->nla_len = (uint16_t)rnd(2048);
	}
	b.n.nlmsg_seq = (uint32_t)rnd64();
	if (trace)
		printf("fuzz[%d]: netlink garbage cmd=%u len=%u\n", worker_id, b.g.cmd,
		       b.n.nlmsg_len);
	if (send(nl_sock, &b, chance(95) ? b.n.nlmsg_len : rnd(b.n.nlmsg_len + 1), 0) >= 0)
		nl_drain(10);
}

void op_nl_events(void)
{
	if (nl_sock < 0 || !nl_group)
		return;
	__atomic_fetch_add(&stats->ops[O_NL_EVENTS], 1, __ATOMIC_RELAXED);
	setsockopt(nl_sock, SOL_NETLINK, chance(70) ? NETLINK_ADD_MEMBERSHIP
						    : NETLINK_DROP_MEMBERSHIP,
		   &nl_group, sizeof(nl_group));
	nl_drain(1);
}

/* Global limits and queue bounds (module parameters) move under load. */
static const char *const params[] = {
	"channel_max_msgs", "channel_max_bytes", "max_modules", "max_objects",
	"max_handles", "default_max_handles", "default_max_objects",
	"default_max_msgs_queued", "default_max_memory_pages",
};
static char param_saved[sizeof(params) / sizeof(params[0])][32];

static void param_path(char *buf, size_t len, int i)
{
	snprintf(buf, len, "/sys/module/logos/parameters/%s", params[i]);
}

void params_save(void)
{
	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		char path[128];
		FILE *f;

		param_path(path, sizeof(path), i);
		f = fopen(path, "r");
		if (f) {
			if (!fgets(param_saved[i], sizeof(param_saved[i]), f))
				param_saved[i][0] = 0;
			fclose(f);
		}
	}
}

static void param_write(int i, const char *value)
{
	char path[128];
	int fd;

	param_path(path, sizeof(path), i);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, value, strlen(value)) < 0) {
			/* refused values are fine */
		}
		close(fd);
	}
}

void params_restore(void)
{
	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++)
		if (param_saved[i][0])
			param_write(i, param_saved[i]);
}

void op_param(void)
{
	int i = rnd(sizeof(params) / sizeof(params[0]));
	char value[32];

	__atomic_fetch_add(&stats->ops[O_PARAM], 1, __ATOMIC_RELAXED);
	if (chance(75) && param_saved[i][0]) {
		param_write(i, param_saved[i]);
		return;
	}
	/* Small values squeeze; big ones stay modest for memory's sake. */
	snprintf(value, sizeof(value), "%u", chance(70) ? 1 + rnd(64) : 1 + rnd(1 << 14));
	param_write(i, value);
}
