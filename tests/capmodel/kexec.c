// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel side of the differential test: one supervisor file and
 * CM_NMOD module files in this one process, each operation an ioctl (or
 * mmap, munmap, a load or a store) on the file of the context it runs in.
 *
 * Every context gets an inbox channel (a receiving endpoint in its table)
 * and every context a sending endpoint into every inbox, made by the
 * supervisor and given to the modules: that is how handles travel between
 * modules in messages. These handles are the model's CM_BASE_HANDLES; the
 * random operations never touch them.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/logos.h>

#include "kexec.h"

static const uint32_t resources[CM_NRES] = {
	[CM_RES_HANDLES] = LOGOS_RES_HANDLES,
	[CM_RES_MAPPED] = LOGOS_RES_MAPPED_PAGES,
	[CM_RES_MEMORY] = LOGOS_RES_MEMORY_PAGES,
};

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

static sigjmp_buf touch_jmp;
static volatile sig_atomic_t touch_armed;

static void on_fault(int sig)
{
	if (!touch_armed) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	siglongjmp(touch_jmp, sig);
}

void kx_init_signals(void)
{
	struct sigaction sa = { .sa_handler = on_fault };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

static int give(struct kx *k, int to, uint32_t h, uint32_t rights, uint32_t flags,
		uint32_t *out)
{
	struct logos_handle_give g = { .module = k->modh[to], .handle = h, .rights = rights,
				       .flags = flags };
	int ret = xioctl(k->fd[0], LOGOS_IOC_HANDLE_GIVE, &g);

	*out = g.new_handle;
	return ret;
}

int kx_setup(struct kx *k)
{
	int c, d, ret;

	memset(k, 0, sizeof(*k));
	for (c = 0; c < CM_NCTX; c++)
		k->fd[c] = -1;
	k->fd[0] = open(LOGOS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (k->fd[0] < 0)
		return -errno;
	for (c = 1; c < CM_NCTX; c++) {
		struct logos_module_create mc = { .trust_level = LOGOS_TRUST_USER };

		memcpy(mc.name, "capmodel", 8);
		mc.limits[LOGOS_RES_HANDLES] = CM_LIMIT_HANDLES;
		mc.limits[LOGOS_RES_MAPPED_PAGES] = CM_LIMIT_MAPPED;
		ret = xioctl(k->fd[0], LOGOS_IOC_MODULE_CREATE, &mc);
		if (ret)
			return ret;
		k->fd[c] = mc.fd;
		k->modh[c] = mc.handle;
	}
	for (d = 0; d < CM_NCTX; d++) {
		struct logos_channel_create cc = { .max_msgs = CM_QUEUE_MAX };

		ret = xioctl(k->fd[0], LOGOS_IOC_CHANNEL_CREATE, &cc);
		if (ret)
			return ret;
		k->inbox[d] = cc.handle0;
		if (d && (ret = give(k, d, cc.handle0, LOGOS_RIGHTS_SAME, LOGOS_GIVE_MOVE,
				     &k->inbox[d])))
			return ret;
		k->sendh[0][d] = cc.handle1;
		for (c = 1; c < CM_NCTX; c++)
			if ((ret = give(k, c, cc.handle1, LOGOS_RIGHTS_SAME, 0, &k->sendh[c][d])))
				return ret;
	}
	return 0;
}

void kx_teardown(struct kx *k)
{
	int i;

	for (i = 0; i < CM_MAX_OPS; i++)
		if (k->addr[i])
			munmap(k->addr[i], k->len[i]);
	/* Module files first: the supervisor's file holds the module objects. */
	for (i = CM_NCTX - 1; i >= 0; i--)
		if (k->fd[i] >= 0)
			close(k->fd[i]);
	memset(k->addr, 0, sizeof(k->addr));
}

/* Remembers a new handle's value and, if the kernel tells, its cap id. */
static void learn(struct kx *k, int ctx, int name, uint32_t value)
{
	struct logos_handle_info hi = { .handle = value };

	k->val[name] = value;
	k->capid[name] = xioctl(k->fd[ctx], LOGOS_IOC_HANDLE_INFO, &hi) ? 0 : hi.cap_id;
}

static void send(struct kx *k, int ctx, const struct cm_op *op, struct cm_res *r)
{
	struct logos_msg_handle hs[CM_MSG_HANDLES] = { 0 };
	char byte = 'x';
	struct logos_msg msg = { .data = (uintptr_t)&byte, .data_len = 1,
				 .nr_handles = op->nh, .handles = (uintptr_t)hs };
	struct logos_channel_io io = { .handle = k->sendh[ctx][op->to],
				       .msgs = (uintptr_t)&msg, .count = 1 };
	int i;

	for (i = 0; i < op->nh; i++) {
		hs[i].handle = k->val[op->hn[i]];
		hs[i].rights = op->hr[i];
		hs[i].flags = op->hf[i] & CM_MOVE ? LOGOS_MSG_HANDLE_MOVE : 0;
	}
	r->err = xioctl(k->fd[ctx], LOGOS_IOC_CHANNEL_SEND, &io);
	if (!r->err && io.done != 1)
		r->err = -EPROTO;	/* never a silent success that sent nothing */
}

static void recv(struct kx *k, int idx, int ctx, struct cm_res *r)
{
	struct logos_msg_handle hs[CM_MSG_HANDLES] = { 0 };
	char buf[16];
	struct logos_msg msg = { .data = (uintptr_t)buf, .data_len = sizeof(buf),
				 .nr_handles = CM_MSG_HANDLES, .handles = (uintptr_t)hs };
	struct logos_channel_io io = { .handle = k->inbox[ctx], .msgs = (uintptr_t)&msg,
				       .count = 1 };
	int i;

	r->err = xioctl(k->fd[ctx], LOGOS_IOC_CHANNEL_RECV, &io);
	if (r->err)
		return;
	r->nh = msg.nr_handles;
	for (i = 0; i < r->nh && i < CM_MSG_HANDLES; i++) {
		r->htype[i] = hs[i].type;
		r->hrights[i] = hs[i].rights;
		r->hflags[i] = hs[i].flags;
		learn(k, ctx, cm_name_of(idx, i), hs[i].handle);
	}
}

static void touch(struct kx *k, const struct cm_op *op, struct cm_res *r)
{
	volatile uint8_t *p = (volatile uint8_t *)k->addr[op->map] + (size_t)op->pages * 4096;
	int sig;

	touch_armed = 1;
	sig = sigsetjmp(touch_jmp, 1);
	if (!sig) {
		if (op->flags & CM_WRITE)
			*p = op->value;
		r->value = *p;
	} else {
		r->bus = sig == SIGBUS ? 1 : 2;	/* 2: SIGSEGV, never expected */
	}
	touch_armed = 0;
}

void kx_apply(struct kx *k, int idx, int ctx, const struct cm_op *op, struct cm_res *r)
{
	int fd = k->fd[ctx], name0 = cm_name_of(idx, 0);

	memset(r, 0, sizeof(*r));
	switch (op->kind) {
	case CM_MEM_CREATE: {
		struct logos_mem_create a = { .size = (uint64_t)op->pages * 4096 };

		r->err = xioctl(fd, LOGOS_IOC_MEM_CREATE, &a);
		if (!r->err)
			learn(k, ctx, name0, a.handle);
		break;
	}
	case CM_EVENT_CREATE: {
		struct logos_event_create a = { 0 };

		r->err = xioctl(fd, LOGOS_IOC_EVENT_CREATE, &a);
		if (!r->err)
			learn(k, ctx, name0, a.handle);
		break;
	}
	case CM_CHANNEL_CREATE: {
		struct logos_channel_create a = { 0 };

		r->err = xioctl(fd, LOGOS_IOC_CHANNEL_CREATE, &a);
		if (!r->err) {
			learn(k, ctx, name0, a.handle0);
			learn(k, ctx, name0 + 1, a.handle1);
		}
		break;
	}
	case CM_DUP: {
		struct logos_handle_dup a = { .handle = k->val[op->name], .rights = op->rights };

		r->err = xioctl(fd, LOGOS_IOC_HANDLE_DUPLICATE, &a);
		if (!r->err)
			learn(k, ctx, name0, a.new_handle);
		break;
	}
	case CM_GIVE: {
		uint32_t v;

		r->err = give(k, op->to, k->val[op->name], op->rights,
			      op->flags & CM_MOVE ? LOGOS_GIVE_MOVE : 0, &v);
		if (!r->err)
			learn(k, op->to, name0, v);
		break;
	}
	case CM_REPLACE: {
		struct logos_handle_replace a = { .handle = k->val[op->name], .rights = op->rights };

		r->err = xioctl(fd, LOGOS_IOC_HANDLE_REPLACE, &a);
		break;
	}
	case CM_CLOSE: {
		struct logos_handle_close a = { .handle = k->val[op->name] };

		r->err = xioctl(fd, LOGOS_IOC_HANDLE_CLOSE, &a);
		break;
	}
	case CM_INFO: {
		struct logos_handle_info a = { .handle = k->val[op->name] };

		r->err = xioctl(fd, LOGOS_IOC_HANDLE_INFO, &a);
		r->type = a.type;
		r->rights = a.rights;
		r->parent_cap_id = a.parent_cap_id;
		break;
	}
	case CM_REVOKE: {
		struct logos_handle_revoke a = { .handle = k->val[op->name] };

		r->err = xioctl(fd, LOGOS_IOC_HANDLE_REVOKE, &a);
		r->count = a.revoked;
		break;
	}
	case CM_SEND:
		send(k, ctx, op, r);
		break;
	case CM_RECV:
		recv(k, idx, ctx, r);
		break;
	case CM_MMAP: {
		size_t len = (size_t)op->pages * 4096;
		int prot = PROT_READ | (op->flags & CM_WRITE ? PROT_WRITE : 0);
		void *p = mmap(NULL, len, prot, MAP_SHARED, fd, (off_t)k->val[op->name] << 12);

		if (p == MAP_FAILED) {
			r->err = -errno;
			break;
		}
		k->addr[idx] = p;
		k->len[idx] = len;
		k->mctx[idx] = ctx;
		break;
	}
	case CM_MUNMAP:
		r->err = munmap(k->addr[op->map], k->len[op->map]) ? -errno : 0;
		k->addr[op->map] = NULL;
		break;
	case CM_TOUCH:
		touch(k, op, r);
		break;
	case CM_MEM_INFO: {
		struct logos_mem_info a = { .handle = k->val[op->name] };

		r->err = xioctl(fd, LOGOS_IOC_MEM_INFO, &a);
		r->size = a.size;
		r->mappings = a.mappings;
		break;
	}
	case CM_SET_QUOTA: {
		struct logos_module_set_quota a = { .handle = k->modh[op->ctx],
						    .resource = resources[op->res],
						    .limit = op->limit };

		r->err = xioctl(k->fd[0], LOGOS_IOC_MODULE_SET_QUOTA, &a);
		break;
	}
	case CM_USAGE: {
		struct logos_module_info a = { .handle = k->modh[op->ctx] };

		r->err = xioctl(k->fd[0], LOGOS_IOC_MODULE_INFO, &a);
		for (int i = 0; i < CM_NRES; i++)
			r->usage[i] = a.usage[resources[i]];
		break;
	}
	case CM_TERMINATE:
		/* A mapping holds the module file: unmap first, as a dying process would. */
		for (int i = 0; i < CM_MAX_OPS; i++) {
			if (k->addr[i] && k->mctx[i] == ctx) {
				munmap(k->addr[i], k->len[i]);
				k->addr[i] = NULL;
			}
		}
		r->err = close(k->fd[ctx]) ? -errno : 0;
		k->fd[ctx] = -1;
		break;
	case CM_KIND_MAX:
		break;
	}
}
