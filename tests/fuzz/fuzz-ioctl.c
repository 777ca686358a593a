// SPDX-License-Identifier: GPL-2.0
/*
 * logos-fuzz: the operations on /dev/logos files: modules, lifecycles and
 * quotas, events, channels and messages, memory objects, topics, watches,
 * poll, handles; opening and closing files; wild ioctl numbers.
 */
#include "fuzz.h"

/* ---- operations --------------------------------------------------------- */

void op_version(void)
{
	struct logos_version v;
	int f = pick_file(false);

	if (f >= 0)
		issue(O_VERSION, f, LOGOS_IOC_VERSION, &v, sizeof(v));
}

static int add_file(int fd, bool supervisor)
{
	for (int i = 0; i < MAX_FILES; i++)
		if (files[i].fd < 0) {
			memset(&files[i], 0, sizeof(files[i]));
			files[i].fd = fd;
			files[i].supervisor = supervisor;
			files[i].sup = -1;
			return i;
		}
	return -1;
}

void op_module_create(void)
{
	static const char charset[] = "abcXYZ019._-/ \x01\xff";
	struct logos_module_create a = { 0 };
	int f = pick_file(true), len;

	if (f < 0)
		return;
	len = chance(90) ? 1 + rnd(12) : rnd(LOGOS_NAME_MAX + 1);
	for (int i = 0; i < len && i < LOGOS_NAME_MAX; i++)
		a.name[i] = chance(97) ? "fuzzmod"[i % 7] : charset[rnd(sizeof(charset) - 1)];
	a.trust_level = chance(95) ? rnd(__LOGOS_TRUST_MAX) : rnd64();
	a.flags = pick_flags(LOGOS_MODULE_ALLOW_MAPPED);	/* half of them may map */
	for (int i = 0; i < LOGOS_RES_COUNT; i++) {
		if (chance(70))
			continue;
		switch (rnd(4)) {
		case 0: a.limits[i] = LOGOS_LIMIT_UNLIMITED; break;
		case 1: a.limits[i] = rnd(8); break;	/* tight: quota paths */
		case 2: a.limits[i] = rnd(200); break;
		default: a.limits[i] = rnd64(); break;
		}
	}
	if (issue(O_MODULE_CREATE, f, LOGOS_IOC_MODULE_CREATE, &a, sizeof(a)))
		return;
	if (a.fd < 0)
		return;	/* a corrupted struct may make the kernel's answer odd */
	adopt_module(f, &a);
}

/* A module supervisor @f just made: its handle and file; the file's index or -1. */
int adopt_module(int f, const struct logos_module_create *a)
{
	int slot;

	remember(f, a->handle, LOGOS_OBJ_MODULE);
	known_module_ids[rnd(32)] = a->module_id;
	slot = add_file(a->fd, false);
	if (slot < 0) {
		close(a->fd);	/* the module terminates at once */
		return -1;
	}
	files[slot].self_handle = a->handle;
	files[slot].sup = f;
	files[slot].module_id = a->module_id;
	files[slot].allow_mapped = a->flags & LOGOS_MODULE_ALLOW_MAPPED;
	return slot;
}

/* A module file of ours, or -1. */
int pick_module_file(void)
{
	for (int tries = 0; tries < 6; tries++) {
		int g = pick_file(false);

		if (g >= 0 && !files[g].supervisor && files[g].sup >= 0 &&
		    files[files[g].sup].fd >= 0)
			return g;
	}
	return -1;
}

void op_set_state(void)
{
	/* The next state along the lifecycle, from where we left it. */
	static const uint32_t next[][3] = {
		[LOGOS_STATE_LOADED] = { LOGOS_STATE_INITIALIZING, LOGOS_STATE_INITIALIZING,
					 LOGOS_STATE_TERMINATING },
		[LOGOS_STATE_INITIALIZING] = { LOGOS_STATE_RUNNING, LOGOS_STATE_RUNNING,
					       LOGOS_STATE_TERMINATING },
		[LOGOS_STATE_RUNNING] = { LOGOS_STATE_PAUSED, LOGOS_STATE_PAUSED,
					  LOGOS_STATE_TERMINATING },
		[LOGOS_STATE_PAUSED] = { LOGOS_STATE_RUNNING, LOGOS_STATE_RUNNING,
					 LOGOS_STATE_TERMINATING },
		[LOGOS_STATE_TERMINATING] = { LOGOS_STATE_RUNNING, LOGOS_STATE_PAUSED,
					      LOGOS_STATE_LOADED },
	};
	struct logos_module_set_state a = { 0 };
	int g = pick_module_file(), f = pick_file(false);

	if (g >= 0 && chance(80)) {
		f = files[g].sup;
		a.handle = files[g].self_handle;
		a.state = next[files[g].state % LOGOS_STATE_TERMINATED][rnd(3)];
	} else {
		if (f < 0)
			return;
		a.handle = pick_handle(f, LOGOS_OBJ_MODULE);
		a.state = chance(95) ? rnd(__LOGOS_STATE_MAX) : rnd64();
	}
	a.flags = pick_flags(0);
	a.reserved = chance(97) ? 0 : 1;
	if (!issue(O_SET_STATE, f, LOGOS_IOC_MODULE_SET_STATE, &a, sizeof(a)) && g >= 0 &&
	    a.handle == files[g].self_handle)
		files[g].state = a.state;
}

void op_ready(void)
{
	int f = pick_file(false);

	if (f >= 0)
		xioctl(O_READY, files[f].fd, maybe_resize(LOGOS_IOC_MODULE_READY), NULL);
}

void op_set_quota(void)
{
	struct logos_module_set_quota a = { 0 };
	int f = pick_file(false);

	if (f < 0)
		return;
	a.handle = pick_handle(f, LOGOS_OBJ_MODULE);
	a.resource = chance(95) ? rnd(__LOGOS_RES_MAX) : rnd(LOGOS_RES_COUNT + 4);
	switch (rnd(4)) {
	case 0: a.limit = LOGOS_LIMIT_DEFAULT; break;
	case 1: a.limit = LOGOS_LIMIT_UNLIMITED; break;
	case 2: a.limit = rnd(10); break;
	default: a.limit = rnd64() >> rnd(64); break;
	}
	issue(O_SET_QUOTA, f, LOGOS_IOC_MODULE_SET_QUOTA, &a, sizeof(a));
}

void op_module_info(void)
{
	struct logos_module_info a = { 0 };
	int f = pick_file(false);

	if (f < 0)
		return;
	a.handle = !files[f].supervisor && chance(40) ? LOGOS_HANDLE_SELF
						       : pick_handle(f, LOGOS_OBJ_MODULE);
	a.flags = pick_flags(0);
	issue(O_MODULE_INFO, f, LOGOS_IOC_MODULE_INFO, &a, sizeof(a));
}

void op_event_create(void)
{
	struct logos_event_create a = { .flags = pick_flags(0) };
	int f = pick_file(false);

	if (f >= 0 && !issue(O_EVENT_CREATE, f, LOGOS_IOC_EVENT_CREATE, &a, sizeof(a)))
		remember(f, a.handle, LOGOS_OBJ_EVENT);
}

void op_event_signal(void)
{
	struct logos_event_signal a = { 0 };
	int f = pick_file(false);

	if (f < 0)
		return;
	a.handle = pick_handle(f, LOGOS_OBJ_EVENT);
	a.clear = chance(90) ? rnd64() & LOGOS_SIGNAL_USER_MASK : rnd64();
	a.set = chance(90) ? rnd64() & LOGOS_SIGNAL_USER_MASK : rnd64();
	a.flags = pick_flags(0);
	stale(f, a.handle, issue(O_EVENT_SIGNAL, f, LOGOS_IOC_EVENT_SIGNAL, &a, sizeof(a)));
}

void op_wait(bool may_block)
{
	static struct logos_wait_item items[80];
	struct logos_wait a = { 0 };
	int f = pick_file(false), n;

	if (f < 0)
		return;
	n = chance(90) ? 1 + rnd(8) : rnd(80);
	for (int i = 0; i < n; i++) {
		items[i].handle = pick_handle(f, 0);
		items[i].signals = chance(80) ? (uint32_t)rnd64() : ~0u;
		items[i].observed = 0;
		items[i].reserved = chance(98) ? 0 : 1;
	}
	a.items = pick_ptr(items);
	a.count = chance(97) ? (uint32_t)n : (chance(50) ? LOGOS_WAIT_MAX_ITEMS + 1 : (uint32_t)rnd64());
	a.flags = pick_flags(LOGOS_WAIT_CLEAR_STATE_CHANGED);
	a.timeout_ns = pick_timeout(may_block);
	issue(O_WAIT, f, LOGOS_IOC_WAIT, &a, sizeof(a));
}

void op_channel_create(void)
{
	struct logos_channel_create a = { 0 };
	int f = pick_file(false);

	if (f < 0)
		return;
	a.flags = pick_flags(0);
	a.max_msgs = chance(50) ? 0 : (chance(80) ? rnd(6) : (uint32_t)rnd64());
	a.max_bytes = chance(50) ? 0 : (chance(80) ? rnd(1 << 16) : (uint32_t)rnd64());
	if (issue(O_CHANNEL_CREATE, f, LOGOS_IOC_CHANNEL_CREATE, &a, sizeof(a)))
		return;
	remember(f, a.handle0, LOGOS_OBJ_CHANNEL);
	/* The other end usually goes to another file: a peer. */
	if (chance(60)) {
		int g = pick_file(false);
		struct logos_handle_give give = {
			.module = 0, .handle = a.handle1, .rights = LOGOS_RIGHTS_SAME,
			.flags = LOGOS_GIVE_MOVE,
		};

		if (g >= 0 && !files[g].supervisor && files[g].sup == f) {
			give.module = files[g].self_handle;
			if (!xioctl(O_GIVE, files[f].fd, LOGOS_IOC_HANDLE_GIVE, &give)) {
				remember(g, give.new_handle, LOGOS_OBJ_CHANNEL);
				return;
			}
		}
	}
	remember(f, a.handle1, LOGOS_OBJ_CHANNEL);
}

/* Buffers shared by message operations. */
static uint8_t msgdata[LOGOS_BATCH_MAX][512];
static uint8_t bigdata[LOGOS_MSG_MAX_BYTES + 64];
static struct logos_msg_handle msghandles[LOGOS_BATCH_MAX][8];
static struct logos_msg msgs[LOGOS_BATCH_MAX];

static void fill_msg(int f, struct logos_msg *m, int i, bool for_send)
{
	uint32_t nh;

	memset(m, 0, sizeof(*m));
	if (chance(3)) {
		m->data = pick_ptr(bigdata);
		m->data_len = chance(50) ? LOGOS_MSG_MAX_BYTES : LOGOS_MSG_MAX_BYTES + 1 + rnd(64);
	} else {
		m->data = pick_ptr(msgdata[i]);
		m->data_len = for_send ? rnd(512) : (chance(80) ? 512 : rnd(16));
	}
	if (for_send)
		for (uint32_t k = 0; k < 8 && k < m->data_len; k++)
			msgdata[i][k] = (uint8_t)rnd64();
	nh = for_send ? (chance(60) ? 0 : 1 + rnd(3)) : (chance(80) ? 8 : rnd(2));
	if (chance(2))
		nh = LOGOS_MSG_MAX_HANDLES + 1 + rnd(8);
	m->nr_handles = nh > 8 && !chance(50) ? 8 : nh;
	for (uint32_t k = 0; k < 8; k++) {
		msghandles[i][k] = (struct logos_msg_handle){ 0 };
		if (for_send && k < m->nr_handles) {
			msghandles[i][k].handle = pick_handle(f, 0);
			msghandles[i][k].rights = pick_rights();
			msghandles[i][k].flags = pick_flags(LOGOS_MSG_HANDLE_MOVE);
			msghandles[i][k].type = chance(97) ? 0 : 1;
		}
	}
	m->handles = pick_ptr(msghandles[i]);
	m->flags = for_send ? pick_flags(LOGOS_MSG_URGENT) : pick_flags(0);
	if (chance(2))
		m->header.msg_id = 1;
	if (chance(2))
		m->reserved = 1;
}

/* Handles that were moved out of the sender's table are forgotten. */
static void after_send(int f, struct logos_msg *m, int n_sent)
{
	for (int i = 0; i < n_sent; i++)
		for (uint32_t k = 0; k < m[i].nr_handles && k < 8; k++)
			if (msghandles[i][k].flags & LOGOS_MSG_HANDLE_MOVE)
				forget(f, msghandles[i][k].handle);
}

/* Handles that arrived are remembered; calls are kept to reply to. */
static void after_recv(int f, uint32_t endpoint, struct logos_msg *m, int n)
{
	for (int i = 0; i < n; i++) {
		for (uint32_t k = 0; k < m[i].nr_handles && k < 8; k++)
			remember(f, msghandles[i][k].handle, msghandles[i][k].type);
		if (m[i].header.flags & LOGOS_MSG_CALL)
			txns[rnd(MAX_TXNS)] = (struct txn){ f, endpoint, m[i].header.txn_id };
	}
}

void op_send(bool may_block)
{
	struct logos_channel_io a = { 0 };
	int f = pick_file(false), n, ret;

	if (f < 0)
		return;
	n = chance(80) ? 1 : 1 + rnd(chance(90) ? 8 : LOGOS_BATCH_MAX);
	for (int i = 0; i < n; i++)
		fill_msg(f, &msgs[i], i, true);
	a.handle = pick_handle(f, LOGOS_OBJ_CHANNEL);
	a.flags = pick_flags(0);
	a.msgs = pick_ptr(msgs);
	a.count = chance(97) ? (uint32_t)n : (chance(50) ? 0 : LOGOS_BATCH_MAX + 1);
	a.timeout_ns = pick_timeout(may_block);
	ret = issue(O_SEND, f, LOGOS_IOC_CHANNEL_SEND, &a, sizeof(a));
	if (!ret)
		after_send(f, msgs, a.done <= (uint32_t)n ? (int)a.done : 0);
	stale(f, a.handle, ret);
}

void op_recv(bool may_block)
{
	struct logos_channel_io a = { 0 };
	int f = pick_file(false), n, ret;

	if (f < 0)
		return;
	n = chance(70) ? 1 : 1 + rnd(8);
	for (int i = 0; i < n; i++)
		fill_msg(f, &msgs[i], i, false);
	a.handle = pick_handle(f, LOGOS_OBJ_CHANNEL);
	a.flags = pick_flags(0);
	a.msgs = pick_ptr(msgs);
	a.count = chance(97) ? (uint32_t)n : LOGOS_BATCH_MAX + 1;
	a.timeout_ns = pick_timeout(may_block);
	ret = issue(O_RECV, f, LOGOS_IOC_CHANNEL_RECV, &a, sizeof(a));
	if (!ret)
		after_recv(f, a.handle, msgs, a.done <= (uint32_t)n ? (int)a.done : 0);
	stale(f, a.handle, ret);
}

void op_call(bool may_block)
{
	static struct logos_channel_call a;
	int f = pick_file(false);

	if (f < 0)
		return;
	memset(&a, 0, sizeof(a));
	a.handle = pick_handle(f, LOGOS_OBJ_CHANNEL);
	a.flags = pick_flags(0);
	/* Never wait long: the server may be this very process. */
	a.timeout_ns = may_block ? (int64_t)(1 + rnd(30)) * 1000000 : (chance(50) ? 0 : 1000000);
	fill_msg(f, &a.request, 0, true);
	fill_msg(f, &a.reply, 1, false);
	if (!issue(O_CALL, f, LOGOS_IOC_CHANNEL_CALL, &a, sizeof(a))) {
		after_send(f, &a.request, 1);
		/* The reply's handles are in msghandles[1]. */
		for (uint32_t k = 0; k < a.reply.nr_handles && k < 8; k++)
			remember(f, msghandles[1][k].handle, msghandles[1][k].type);
	}
}

void op_reply(bool may_block)
{
	static struct logos_channel_reply a;
	int f, t = rnd(MAX_TXNS);

	memset(&a, 0, sizeof(a));
	if (txns[t].id && files[txns[t].file].fd >= 0 && chance(85)) {
		f = txns[t].file;
		a.handle = txns[t].endpoint;
		a.txn_id = txns[t].id;
		if (chance(70))
			txns[t].id = 0;
	} else {
		f = pick_file(false);
		if (f < 0)
			return;
		a.handle = pick_handle(f, LOGOS_OBJ_CHANNEL);
		a.txn_id = chance(50) ? rnd(100) : rnd64();
	}
	a.flags = pick_flags(LOGOS_REPLY_RECEIVE);
	a.timeout_ns = pick_timeout(may_block && (a.flags & LOGOS_REPLY_RECEIVE));
	fill_msg(f, &a.reply, 0, true);
	fill_msg(f, &a.next, 1, false);
	if (!issue(O_REPLY, f, LOGOS_IOC_CHANNEL_REPLY, &a, sizeof(a))) {
		after_send(f, &a.reply, 1);
		if (a.flags & LOGOS_REPLY_RECEIVE)
			for (uint32_t k = 0; k < a.next.nr_handles && k < 8; k++)
				remember(f, msghandles[1][k].handle, msghandles[1][k].type);
	}
}

void op_mem_create(void)
{
	struct logos_mem_create a = { 0 };
	int f = pick_file(false);

	if (f < 0)
		return;
	/* Small objects only (a 2 GiB guest, several workers); the big
	 * sizes are the invalid ones: over the maximum, or overflowing when
	 * rounded up to pages. */
	switch (rnd(12)) {
	case 0: a.size = 0; break;
	case 1: a.size = (uint64_t)LOGOS_MEM_MAX_PAGES * PAGE + 1 + rnd(2) * PAGE; break;
	case 2: a.size = chance(50) ? ~0ULL - rnd(PAGE) : rnd64() | (1ULL << 63); break;
	case 3: a.size = (1 + rnd(64)) * PAGE; break;
	default: a.size = 1 + rnd(8 * PAGE); break;
	}
	a.flags = pick_flags(0);
	if (!issue(O_MEM_CREATE, f, LOGOS_IOC_MEM_CREATE, &a, sizeof(a)))
		remember(f, a.handle, LOGOS_OBJ_MEMORY);
}

void op_mem_info(void)
{
	struct logos_mem_info a = { 0 };
	int f = pick_file(false);

	if (f < 0)
		return;
	a.handle = pick_handle(f, LOGOS_OBJ_MEMORY);
	a.flags = pick_flags(0);
	issue(O_MEM_INFO, f, LOGOS_IOC_MEM_INFO, &a, sizeof(a));
}

void op_topic_create(void)
{
	struct logos_topic_create a = { 0 };
	int f = pick_file(false);

	if (f < 0)
		return;
	a.flags = chance(90) ? (chance(50) ? LOGOS_TOPIC_BACKPRESSURE : LOGOS_TOPIC_DROP_OLDEST)
			     : pick_flags(3);
	a.max_msgs = chance(50) ? 0 : rnd(5);
	if (!issue(O_TOPIC_CREATE, f, LOGOS_IOC_TOPIC_CREATE, &a, sizeof(a)))
		remember(f, a.handle, LOGOS_OBJ_TOPIC);
}

void op_subscribe(void)
{
	struct logos_topic_subscribe a = { 0 };
	int f = pick_file(false);

	if (f < 0)
		return;
	a.handle = pick_handle(f, LOGOS_OBJ_TOPIC);
	a.flags = pick_flags(0);
	if (!issue(O_SUBSCRIBE, f, LOGOS_IOC_TOPIC_SUBSCRIBE, &a, sizeof(a)))
		remember(f, a.endpoint, LOGOS_OBJ_CHANNEL);
}

void op_publish(bool may_block)
{
	static struct logos_topic_publish a;
	int f = pick_file(false);

	if (f < 0)
		return;
	memset(&a, 0, sizeof(a));
	a.handle = pick_handle(f, LOGOS_OBJ_TOPIC);
	a.flags = pick_flags(0);
	a.timeout_ns = pick_timeout(may_block);
	fill_msg(f, &a.msg, 0, true);
	/* Topics carry memory handles only: mostly give them one. */
	for (uint32_t k = 0; k < a.msg.nr_handles && k < 8; k++)
		if (chance(80))
			msghandles[0][k].handle = pick_handle(f, LOGOS_OBJ_MEMORY);
	issue(O_PUBLISH, f, LOGOS_IOC_TOPIC_PUBLISH, &a, sizeof(a));
}

void op_watch(void)
{
	struct logos_watch a = { 0 };
	int f = pick_file(false);

	if (f < 0)
		return;
	a.handle = pick_handle(f, 0);
	a.signals = chance(80) ? (uint32_t)rnd64() : ~0u;
	a.flags = pick_flags(LOGOS_WATCH_ONESHOT | (chance(20) ? LOGOS_WATCH_REMOVE : 0));
	a.key = chance(50) ? rnd(16) : rnd64();
	a.reserved = chance(98) ? 0 : 1;
	issue(O_WATCH, f, LOGOS_IOC_WATCH, &a, sizeof(a));
}

void op_watch_read(bool may_block)
{
	static struct logos_watch_report reports[64];
	struct logos_watch_read a = { 0 };
	int f = pick_file(false);

	if (f < 0)
		return;
	a.reports = pick_ptr(reports);
	a.count = chance(95) ? 1 + rnd(64) : (chance(50) ? 0 : LOGOS_WATCH_MAX + 1);
	a.flags = pick_flags(0);
	a.timeout_ns = pick_timeout(may_block);
	issue(O_WATCH_READ, f, LOGOS_IOC_WATCH_READ, &a, sizeof(a));
}

void op_poll(void)
{
	struct pollfd p = { .events = POLLIN | POLLOUT | POLLPRI };
	int f = pick_file(false);

	if (f < 0)
		return;
	p.fd = files[f].fd;
	__atomic_fetch_add(&stats->ops[O_POLL], 1, __ATOMIC_RELAXED);
	poll(&p, 1, rnd(3));
}

void op_dup(void)
{
	struct logos_handle_dup a = { 0 };
	int f = pick_file(false), ret;

	if (f < 0)
		return;
	a.handle = pick_handle(f, 0);
	a.rights = pick_rights();
	a.flags = pick_flags(0);
	ret = issue(O_DUP, f, LOGOS_IOC_HANDLE_DUPLICATE, &a, sizeof(a));
	stale(f, a.handle, ret);
	if (!ret) {
		for (int i = 0; i < files[f].nh; i++)
			if (files[f].h[i].value == a.handle) {
				remember(f, a.new_handle, files[f].h[i].type);
				return;
			}
		remember(f, a.new_handle, 0);
	}
}

void op_replace(void)
{
	struct logos_handle_replace a = { 0 };
	int f = pick_file(false);

	if (f < 0)
		return;
	a.handle = pick_handle(f, 0);
	a.rights = chance(80) ? rnd(256) : pick_rights();
	a.flags = pick_flags(0);
	a.reserved = chance(98) ? 0 : 1;
	issue(O_REPLACE, f, LOGOS_IOC_HANDLE_REPLACE, &a, sizeof(a));
}

void op_close(void)
{
	struct logos_handle_close a = { 0 };
	int f = pick_file(false);

	if (f < 0)
		return;
	a.handle = pick_handle(f, 0);
	a.flags = pick_flags(0);
	if (!issue(O_CLOSE, f, LOGOS_IOC_HANDLE_CLOSE, &a, sizeof(a)) || chance(50))
		forget(f, a.handle);
}

void op_info(void)
{
	struct logos_handle_info a = { 0 };
	int f = pick_file(false), ret;

	if (f < 0)
		return;
	a.handle = pick_handle(f, 0);
	a.flags = pick_flags(0);
	ret = issue(O_INFO, f, LOGOS_IOC_HANDLE_INFO, &a, sizeof(a));
	stale(f, a.handle, ret);
	if (!ret)
		for (int i = 0; i < files[f].nh; i++)
			if (files[f].h[i].value == a.handle && a.type < __LOGOS_OBJ_MAX)
				files[f].h[i].type = a.type;
}

void op_revoke(void)
{
	struct logos_handle_revoke a = { 0 };
	int f = pick_file(false);

	if (f < 0)
		return;
	a.handle = pick_handle(f, 0);
	a.flags = pick_flags(0);
	stale(f, a.handle, issue(O_REVOKE, f, LOGOS_IOC_HANDLE_REVOKE, &a, sizeof(a)));
}

void op_give(void)
{
	struct logos_handle_give a = { 0 };
	int f = pick_file(false), g = -1, m = pick_module_file();

	if (m >= 0 && chance(80))
		f = files[m].sup;
	if (f < 0)
		return;
	/* To a module this file controls, usually. */
	for (int tries = 0; tries < 4; tries++) {
		int c = pick_file(false);

		if (c >= 0 && !files[c].supervisor && files[c].sup == f) {
			g = c;
			break;
		}
	}
	a.module = g >= 0 && chance(90) ? files[g].self_handle : pick_handle(f, LOGOS_OBJ_MODULE);
	a.handle = pick_handle(f, 0);
	a.rights = pick_rights();
	a.flags = pick_flags(LOGOS_GIVE_MOVE);
	a.reserved = chance(98) ? 0 : 1;
	if (!issue(O_GIVE, f, LOGOS_IOC_HANDLE_GIVE, &a, sizeof(a))) {
		if (a.flags & LOGOS_GIVE_MOVE)
			forget(f, a.handle);
		if (g >= 0 && a.module == files[g].self_handle)
			remember(g, a.new_handle, 0);
	}
}

/* ---- files ------------------------------------------------------------- */

void close_file(int f)
{
	close(files[f].fd);
	files[f].fd = -1;
	files[f].nh = 0;
	for (int i = 0; i < MAX_TXNS; i++)
		if (txns[i].file == f)
			txns[i].id = 0;
	/* Module files of a closed supervisor keep their module alive. */
}

void op_close_file(void)
{
	int f = pick_file(false);

	if (f < 0)
		return;
	/* Keep at least one supervisor. */
	if (files[f].supervisor) {
		int n = 0;

		for (int i = 0; i < MAX_FILES; i++)
			n += files[i].fd >= 0 && files[i].supervisor;
		if (n < 2)
			return;
	}
	__atomic_fetch_add(&stats->ops[O_CLOSE_FILE], 1, __ATOMIC_RELAXED);
	close_file(f);
}

void op_open_sup(void)
{
	int fd;

	__atomic_fetch_add(&stats->ops[O_OPEN_SUP], 1, __ATOMIC_RELAXED);
	fd = open(LOGOS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	if (add_file(fd, true) < 0)
		close(fd);
}

/* Any ioctl number of the magic, any size, any direction, odd arguments. */
void op_raw_ioctl(void)
{
	static uint64_t buf[PAGE / 8 + 8];
	int f = pick_file(false);
	unsigned long cmd;

	if (f < 0)
		return;
	for (size_t i = 0; i < 64; i++)
		buf[i] = chance(70) ? 0 : rnd64();
	cmd = _IOC(rnd(4), chance(95) ? LOGOS_IOC_MAGIC : rnd(256), rnd(0x78),
		   chance(50) ? rnd(400) : rnd(1 << 14));
	__atomic_fetch_add(&stats->ops[O_RAW_IOCTL], 1, __ATOMIC_RELAXED);
	if (trace)
		printf("fuzz[%d]: raw_ioctl fd=%d cmd=%#lx\n", worker_id, files[f].fd, cmd);
	/* No errno check: a wild command may legitimately give anything. */
	ioctl(files[f].fd, cmd, chance(80) ? (void *)buf : (void *)(uintptr_t)pick_ptr(buf));
}
