// SPDX-License-Identifier: GPL-2.0
/*
 * The logos transports. This process is the supervisor (it opened
 * /dev/logos) and creates two modules, "bench-client" and "bench-server",
 * with unlimited quotas, driven to RUNNING. The client side runs in this
 * process on the client module's file; the server runs in a forked child
 * that holds the server module's file (this process closes its copy, as a
 * supervisor does). Every case gets a fresh channel: the supervisor creates
 * it on /dev/logos and gives one endpoint to each module with
 * LOGOS_IOC_HANDLE_GIVE (LOGOS_GIVE_MOVE), so all IPC goes through the
 * module files, as modules really do it.
 */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

struct lg_env lg = {
	.dev = -1, .client_fd = -1, .server_fd = -1, .ref_client_fd = -1, .ref_server_fd = -1,
};

#define PTR(p) ((__u64)(unsigned long)(p))

int lg_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

int lg_close(int fd, uint32_t h)
{
	struct logos_handle_close arg = { .handle = h };

	return lg_ioctl(fd, LOGOS_IOC_HANDLE_CLOSE, &arg);
}

static int lg_set_state(uint32_t mod, uint32_t state)
{
	struct logos_module_set_state arg = { .handle = mod, .state = state };

	return lg_ioctl(lg.dev, LOGOS_IOC_MODULE_SET_STATE, &arg);
}

/* A module, LOADED; with @unlimited, no quota and driven to RUNNING. */
int lg_new_module(const char *name, bool unlimited, uint32_t *handle, int *fd)
{
	struct logos_module_create arg = { .trust_level = LOGOS_TRUST_USER };
	int ret, i;

	snprintf(arg.name, sizeof(arg.name), "%s", name);
	for (i = 0; unlimited && i < __LOGOS_RES_MAX; i++)
		arg.limits[i] = LOGOS_LIMIT_UNLIMITED;
	ret = lg_ioctl(lg.dev, LOGOS_IOC_MODULE_CREATE, &arg);
	if (ret)
		return ret;
	*handle = arg.handle;
	*fd = arg.fd;
	if (unlimited) {
		ret = lg_set_state(arg.handle, LOGOS_STATE_INITIALIZING);
		if (!ret)
			ret = lg_set_state(arg.handle, LOGOS_STATE_RUNNING);
	}
	return ret;
}

int lg_open(char *why, size_t len)
{
	struct logos_version v = { 0 };
	uint64_t need = LOGOS_FEATURE_CHANNELS | LOGOS_FEATURE_MEMORY;
	int ret;

	lg.dev = open(LOGOS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (lg.dev < 0) {
		snprintf(why, len, "open %s: %s", LOGOS_DEVICE_PATH, strerror(errno));
		return -errno;
	}
	ret = lg_ioctl(lg.dev, LOGOS_IOC_VERSION, &v);
	if (ret) {
		snprintf(why, len, "LOGOS_IOC_VERSION: %s", strerror(-ret));
		return ret;
	}
	lg.abi_major = v.major;
	lg.abi_minor = v.minor;
	lg.features = v.features;
	if (v.major != LOGOS_ABI_MAJOR) {
		snprintf(why, len, "ABI %u.%u, this benchmark is built for %u.x",
			 v.major, v.minor, LOGOS_ABI_MAJOR);
		return -EPROTO;
	}
	if ((v.features & need) != need) {
		snprintf(why, len, "logos.ko %u.%u lacks %s%s(features 0x%llx)",
			 v.major, v.minor,
			 v.features & LOGOS_FEATURE_CHANNELS ? "" : "CHANNELS ",
			 v.features & LOGOS_FEATURE_MEMORY ? "" : "MEMORY ",
			 (unsigned long long)v.features);
		return -EOPNOTSUPP;
	}
	ret = lg_new_module("bench-client", true, &lg.client_mod, &lg.client_fd);
	if (ret) {
		snprintf(why, len, "creating module bench-client: %s", strerror(-ret));
		return ret;
	}
	return 0;
}

/* The client module's file of the pair in use. */
static int lg_client_fd(void)
{
	return lg.pair == PAIR_REF ? lg.ref_client_fd : lg.client_fd;
}

/* A channel with one endpoint in each module of the pair in use. */
int lg_channel_between(uint32_t *client_ep, uint32_t *server_ep)
{
	struct logos_channel_create cc = { 0 };
	struct logos_handle_give g0 = { 0 }, g1 = { 0 };
	bool ref = lg.pair == PAIR_REF;
	int ret;

	ret = lg_ioctl(lg.dev, LOGOS_IOC_CHANNEL_CREATE, &cc);
	if (ret)
		return ret;
	g0.module = ref ? lg.ref_client_mod : lg.client_mod;
	g0.handle = cc.handle0;
	g0.rights = LOGOS_RIGHTS_SAME;
	g0.flags = LOGOS_GIVE_MOVE;
	g1 = g0;
	g1.module = ref ? lg.ref_server_mod : lg.server_mod;
	g1.handle = cc.handle1;
	ret = lg_ioctl(lg.dev, LOGOS_IOC_HANDLE_GIVE, &g0);
	if (ret) {
		lg_close(lg.dev, cc.handle0);
		lg_close(lg.dev, cc.handle1);
		return ret;
	}
	ret = lg_ioctl(lg.dev, LOGOS_IOC_HANDLE_GIVE, &g1);
	if (ret) {
		lg_close(lg_client_fd(), g0.new_handle);
		lg_close(lg.dev, cc.handle1);
		return ret;
	}
	*client_ep = g0.new_handle;
	*server_ep = g1.new_handle;
	return 0;
}

static int lfail(struct side *s, int ret, const char *what)
{
	return fail(s, -ret, "%s", what);
}

static int logos_client_setup(struct side *s, int *server_fds)
{
	int ret;

	(void)server_fds;
	s->mfd = lg_client_fd();
	ret = lg_channel_between(&s->ep, &s->peer_ep);
	if (ret)
		return lfail(s, ret, "channel create/give");
	return 0;
}

static void logos_client_teardown(struct side *s)
{
	if (s->map)
		munmap(s->map, s->map_len);
	s->map = NULL;
	if (s->mem)
		lg_close(s->mfd, s->mem);
	s->mem = 0;
	if (s->ep)
		lg_close(s->mfd, s->ep);
	s->ep = 0;
}

static int logos_server_setup(struct side *s)
{
	(void)s;
	return 0;
}

static void logos_server_teardown(struct side *s)
{
	if (s->map)
		munmap(s->map, s->map_len);
	s->map = NULL;
	if (s->cached_handle)
		lg_close(s->mfd, s->cached_handle);
	s->cached_handle = 0;
	if (s->ep)
		lg_close(s->mfd, s->ep);
	s->ep = 0;
}

static int logos_probe_inline(struct side *s)
{
	return s->c->size > LOGOS_MSG_MAX_BYTES ? -EMSGSIZE : 0;
}

/* ---- logos call: CHANNEL_CALL / CHANNEL_REPLY with LOGOS_REPLY_RECEIVE ---- */

static int call_client_iter(struct side *s, uint32_t i)
{
	uint64_t ack = ~0ULL;
	struct logos_channel_call call = {
		.handle = s->ep,
		.timeout_ns = LOGOS_TIMEOUT_INFINITE,
		.request = { .data = PTR(s->buf), .data_len = (__u32)s->c->size },
		.reply = { .data = PTR(&ack), .data_len = sizeof(ack) },
	};
	int ret;

	if (s->c->mode == MODE_TOUCH)
		touch_write(s->buf, s->c->size, i);
	ret = lg_ioctl(s->mfd, LOGOS_IOC_CHANNEL_CALL, &call);
	if (ret)
		return lfail(s, ret, "LOGOS_IOC_CHANNEL_CALL");
	if (call.reply.data_len != sizeof(ack) || ack != i ||
	    !(call.reply.header.flags & LOGOS_MSG_REPLY))
		return fail(s, EPROTO, "call: reply of %u bytes, ack %llu, flags 0x%x (iteration %u)",
			    call.reply.data_len, (unsigned long long)ack,
			    call.reply.header.flags, i);
	return 0;
}

/* Receives the first request; later ones come with each REPLY. */
static int server_first_recv(struct side *s, struct logos_msg *m)
{
	struct logos_channel_io io = {
		.handle = s->ep, .msgs = PTR(m), .count = 1,
		.timeout_ns = LOGOS_TIMEOUT_INFINITE,
	};
	int ret = lg_ioctl(s->mfd, LOGOS_IOC_CHANNEL_RECV, &io);

	if (ret)
		return lfail(s, ret, "LOGOS_IOC_CHANNEL_RECV (first request)");
	if (io.done != 1)
		return fail(s, EPROTO, "RECV: done=%u", io.done);
	return 0;
}

/* Replies to @m; unless it was the last, receives the next into @m. */
static int server_reply(struct side *s, struct logos_msg *m, uint32_t i,
			void *data, uint32_t cap, struct logos_msg_handle *hbuf)
{
	uint64_t ack = i;
	bool last = i + 1 == s->c->iters;
	struct logos_channel_reply rep = {
		.handle = s->ep,
		.flags = last ? 0 : LOGOS_REPLY_RECEIVE,
		.txn_id = m->header.txn_id,
		.timeout_ns = LOGOS_TIMEOUT_INFINITE,
		.reply = { .data = PTR(&ack), .data_len = sizeof(ack) },
	};
	int ret;

	if (!last) {
		rep.next.data = PTR(data);
		rep.next.data_len = cap;
		rep.next.handles = PTR(hbuf);
		rep.next.nr_handles = hbuf ? 1 : 0;
	}
	ret = lg_ioctl(s->mfd, LOGOS_IOC_CHANNEL_REPLY, &rep);
	if (ret)
		return lfail(s, ret, last ? "LOGOS_IOC_CHANNEL_REPLY" :
			     "LOGOS_IOC_CHANNEL_REPLY with LOGOS_REPLY_RECEIVE");
	if (!last)
		*m = rep.next;
	return 0;
}

static int check_call(struct side *s, const struct logos_msg *m, uint32_t len,
		      uint32_t nh, uint32_t i)
{
	if (m->data_len != len || m->nr_handles != nh || !(m->header.flags & LOGOS_MSG_CALL))
		return fail(s, EPROTO, "request %u: %u bytes, %u handles, flags 0x%x; expected %u, %u, CALL",
			    i, m->data_len, m->nr_handles, m->header.flags, len, nh);
	return 0;
}

static int call_server_run(struct side *s)
{
	uint32_t n = (uint32_t)s->c->size, i;
	struct logos_msg m = { .data = PTR(s->buf), .data_len = n };

	if (server_first_recv(s, &m))
		return -1;
	for (i = 0; i < s->c->iters; i++) {
		if (check_call(s, &m, n, 0, i))
			return -1;
		if (s->c->mode == MODE_TOUCH && touch_read(s, s->buf, n, i))
			return -1;
		if (server_reply(s, &m, i, s->buf, n, NULL))
			return -1;
	}
	return 0;
}

const struct transport_ops t_logos_call = {
	.name = "logos_call",
	.label = "logos call",
	.max_size = LOGOS_MSG_MAX_BYTES,
	.logos = true,
	.probe = logos_probe_inline,
	.client_setup = logos_client_setup,
	.client_iter = call_client_iter,
	.client_teardown = logos_client_teardown,
	.server_setup = logos_server_setup,
	.server_run = call_server_run,
	.server_teardown = logos_server_teardown,
};

/* ---- logos send/receive: SEND then RECV on each side ---- */

static int io1(struct side *s, unsigned long cmd, struct logos_msg *m, const char *what)
{
	struct logos_channel_io io = {
		.handle = s->ep, .msgs = PTR(m), .count = 1,
		.timeout_ns = LOGOS_TIMEOUT_INFINITE,
	};
	int ret = lg_ioctl(s->mfd, cmd, &io);

	if (ret)
		return lfail(s, ret, what);
	if (io.done != 1)
		return fail(s, EPROTO, "%s: done=%u", what, io.done);
	return 0;
}

static int sr_client_iter(struct side *s, uint32_t i)
{
	uint64_t ack = ~0ULL;
	struct logos_msg m = { .data = PTR(s->buf), .data_len = (__u32)s->c->size };
	struct logos_msg r = { .data = PTR(&ack), .data_len = sizeof(ack) };

	if (s->c->mode == MODE_TOUCH)
		touch_write(s->buf, s->c->size, i);
	if (io1(s, LOGOS_IOC_CHANNEL_SEND, &m, "LOGOS_IOC_CHANNEL_SEND"))
		return -1;
	if (io1(s, LOGOS_IOC_CHANNEL_RECV, &r, "LOGOS_IOC_CHANNEL_RECV"))
		return -1;
	if (r.data_len != sizeof(ack) || ack != i)
		return fail(s, EPROTO, "send/recv: ack of %u bytes, %llu (iteration %u)",
			    r.data_len, (unsigned long long)ack, i);
	return 0;
}

static int sr_server_run(struct side *s)
{
	uint32_t n = (uint32_t)s->c->size, i;
	uint64_t ack;
	struct logos_msg m, a;

	for (i = 0; i < s->c->iters; i++) {
		memset(&m, 0, sizeof(m));
		m.data = PTR(s->buf);
		m.data_len = n;
		if (io1(s, LOGOS_IOC_CHANNEL_RECV, &m, "LOGOS_IOC_CHANNEL_RECV"))
			return -1;
		if (m.data_len != n)
			return fail(s, EPROTO, "RECV: %u bytes, expected %u", m.data_len, n);
		if (s->c->mode == MODE_TOUCH && touch_read(s, s->buf, n, i))
			return -1;
		ack = i;
		memset(&a, 0, sizeof(a));
		a.data = PTR(&ack);
		a.data_len = sizeof(ack);
		if (io1(s, LOGOS_IOC_CHANNEL_SEND, &a, "LOGOS_IOC_CHANNEL_SEND"))
			return -1;
	}
	return 0;
}

const struct transport_ops t_logos_sendrecv = {
	.name = "logos_sendrecv",
	.label = "logos send/recv",
	.max_size = LOGOS_MSG_MAX_BYTES,
	.logos = true,
	.probe = logos_probe_inline,
	.client_setup = logos_client_setup,
	.client_iter = sr_client_iter,
	.client_teardown = logos_client_teardown,
	.server_setup = logos_server_setup,
	.server_run = sr_server_run,
	.server_teardown = logos_server_teardown,
};

/*
 * ---- logos grant ----
 * The client creates one memory object per case (on its module file) and
 * maps it once. Every transfer is a call whose request carries a 16-byte
 * header and a grant of the object: a derived handle with READ|MAP_READ.
 * The server answers with the usual 8-byte reply (REPLY + RECEIVE).
 *
 * logos grant:     the server maps the first grant and keeps that mapping
 *                  and handle; each later grant is checked to be the same
 *                  object (LOGOS_IOC_HANDLE_INFO object_id) and closed.
 * logos grant+map: the server maps every grant, reads, unmaps and closes
 *                  the handle: the same work as memfd + SCM_RIGHTS.
 */
#define GRANT_RIGHTS (LOGOS_RIGHT_READ | LOGOS_RIGHT_MAP_READ)

static int grant_client_setup(struct side *s, int *server_fds)
{
	struct logos_mem_create mc = { 0 };
	int ret;

	if (logos_client_setup(s, server_fds))
		return -1;
	s->map_len = page_round(s->c->size);
	mc.size = s->map_len;
	ret = lg_ioctl(s->mfd, LOGOS_IOC_MEM_CREATE, &mc);
	if (ret)
		return lfail(s, ret, "LOGOS_IOC_MEM_CREATE");
	s->mem = mc.handle;
	s->map = mmap(NULL, s->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, s->mfd,
		      (off_t)mc.mmap_offset);
	if (s->map == MAP_FAILED) {
		s->map = NULL;
		return fail(s, errno, "mmap of a memory object (offset 0x%llx)",
			    (unsigned long long)mc.mmap_offset);
	}
	memset(s->map, 0x5a, s->map_len);	/* fault it in once */
	return 0;
}

static int grant_client_iter(struct side *s, uint32_t i)
{
	uint64_t hdr[2] = { s->c->size, i }, ack = ~0ULL;
	struct logos_msg_handle mh = { .handle = s->mem, .rights = GRANT_RIGHTS };
	struct logos_channel_call call = {
		.handle = s->ep,
		.timeout_ns = LOGOS_TIMEOUT_INFINITE,
		.request = {
			.data = PTR(hdr), .data_len = sizeof(hdr),
			.handles = PTR(&mh), .nr_handles = 1,
		},
		.reply = { .data = PTR(&ack), .data_len = sizeof(ack) },
	};
	int ret;

	if (s->c->mode == MODE_TOUCH)
		touch_write(s->map, s->c->size, i);
	ret = lg_ioctl(s->mfd, LOGOS_IOC_CHANNEL_CALL, &call);
	if (ret)
		return lfail(s, ret, "LOGOS_IOC_CHANNEL_CALL with a grant");
	if (call.reply.data_len != sizeof(ack) || ack != i)
		return fail(s, EPROTO, "grant: reply of %u bytes, ack %llu (iteration %u)",
			    call.reply.data_len, (unsigned long long)ack, i);
	return 0;
}

static int object_id(struct side *s, uint32_t h, uint64_t *id)
{
	struct logos_handle_info info = { .handle = h };
	int ret = lg_ioctl(s->mfd, LOGOS_IOC_HANDLE_INFO, &info);

	if (ret)
		return lfail(s, ret, "LOGOS_IOC_HANDLE_INFO on a grant");
	if (info.type != LOGOS_OBJ_MEMORY || (info.rights & GRANT_RIGHTS) != GRANT_RIGHTS)
		return fail(s, EPROTO, "grant arrived as type %u rights 0x%x", info.type,
			    info.rights);
	*id = info.object_id;
	return 0;
}

static void *map_grant(struct side *s, uint32_t h, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ, MAP_SHARED, s->mfd, (off_t)h * page_size);

	if (p == MAP_FAILED) {
		fail(s, errno, "mmap of a granted memory object (handle 0x%x)", h);
		return NULL;
	}
	return p;
}

static int grant_server_loop(struct side *s, bool cached)
{
	size_t len = page_round(s->c->size);
	uint64_t hdr[2], id = 0;
	struct logos_msg_handle hbuf;
	struct logos_msg m = {
		.data = PTR(hdr), .data_len = sizeof(hdr),
		.handles = PTR(&hbuf), .nr_handles = 1,
	};
	uint32_t i, h;
	void *p;
	int ret;

	if (server_first_recv(s, &m))
		return -1;
	for (i = 0; i < s->c->iters; i++) {
		if (check_call(s, &m, sizeof(hdr), 1, i))
			return -1;
		if (hdr[0] != s->c->size || hdr[1] != i || hbuf.type != LOGOS_OBJ_MEMORY)
			return fail(s, EPROTO, "grant %u: header %llu/%llu, type %u", i,
				    (unsigned long long)hdr[0], (unsigned long long)hdr[1],
				    hbuf.type);
		h = hbuf.handle;
		if (cached) {
			if (object_id(s, h, &id))
				return -1;
			if (!s->map) {
				s->map = map_grant(s, h, len);
				if (!s->map)
					return -1;
				s->map_len = len;
				s->cached_handle = h;
				s->cached_obj = id;
			} else {
				if (id != s->cached_obj)
					return fail(s, EPROTO, "grant of another object");
				ret = lg_close(s->mfd, h);
				if (ret)
					return lfail(s, ret, "LOGOS_IOC_HANDLE_CLOSE on a grant");
			}
			if (s->c->mode == MODE_TOUCH && touch_read(s, s->map, s->c->size, i))
				return -1;
		} else {
			p = map_grant(s, h, len);
			if (!p)
				return -1;
			if (s->c->mode == MODE_TOUCH && touch_read(s, p, s->c->size, i)) {
				munmap(p, len);
				return -1;
			}
			munmap(p, len);
			ret = lg_close(s->mfd, h);
			if (ret)
				return lfail(s, ret, "LOGOS_IOC_HANDLE_CLOSE on a grant");
		}
		if (server_reply(s, &m, i, hdr, sizeof(hdr), &hbuf))
			return -1;
	}
	return 0;
}

static int grant_server_run(struct side *s)
{
	return grant_server_loop(s, true);
}

static int grant_map_server_run(struct side *s)
{
	return grant_server_loop(s, false);
}

const struct transport_ops t_logos_grant = {
	.name = "logos_grant",
	.label = "logos grant",
	.logos = true,
	.client_setup = grant_client_setup,
	.client_iter = grant_client_iter,
	.client_teardown = logos_client_teardown,
	.server_setup = logos_server_setup,
	.server_run = grant_server_run,
	.server_teardown = logos_server_teardown,
};

const struct transport_ops t_logos_grant_map = {
	.name = "logos_grant_map",
	.label = "logos grant+map",
	.logos = true,
	.client_setup = grant_client_setup,
	.client_iter = grant_client_iter,
	.client_teardown = logos_client_teardown,
	.server_setup = logos_server_setup,
	.server_run = grant_map_server_run,
	.server_teardown = logos_server_teardown,
};
