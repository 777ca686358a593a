// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The module runtime: the hand-over from logosd (protocol.md §1), READY,
 * HEARTBEAT, and the dispatch of logosd's requests on the bootstrap
 * channel to the module's callbacks (§3).
 */
#include "internal.h"
#include "module.h"

#include <fcntl.h>
#include <limits.h>
#include <logos/ipc.h>
#include <logos/rpc.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#define BOOT_BATCH 16

/* ---- hand-over ------------------------------------------------------ */

static int parse_ulong(const char *s, int base, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s)
		return -ENXIO;
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || *end || v > max)
		return -ENXIO;
	*out = v;
	return 0;
}

static int attach(int fd, logos_handle_t bootstrap, const char *name, uint64_t watchdog_usec,
		  const char *state_dir, const struct logos_module_ops *ops, void *arg,
		  unsigned int flags, struct logos_module **out);

int logos_module_init(struct logos_module **m, const struct logos_module_ops *ops, void *arg,
		      unsigned int flags)
{
	unsigned long fd, boot, wd = 0;
	const char *s;
	int ret;

	ret = parse_ulong(getenv(LOGOS_ENV_MODULE_FD), 10, INT_MAX, &fd);
	if (!ret)
		ret = parse_ulong(getenv(LOGOS_ENV_BOOTSTRAP), 16, UINT32_MAX, &boot);
	if (ret)
		return ret;
	s = getenv(LOGOS_ENV_WATCHDOG_USEC);
	if (s && *s && parse_ulong(s, 10, ULONG_MAX, &wd))
		return -EINVAL;
	if (fcntl((int)fd, F_SETFD, FD_CLOEXEC))
		return -ENXIO;
	s = getenv(LOGOS_ENV_STATE_DIR);
	return attach((int)fd, (logos_handle_t)boot, getenv(LOGOS_ENV_MODULE_NAME), wd,
		      s && *s ? s : NULL, ops, arg, flags, m);
}

static void on_bootstrap(struct logos_loop *loop, logos_handle_t h, uint32_t observed, void *arg);

static void on_heartbeat(struct logos_loop *loop, int fd, uint32_t events, void *arg)
{
	(void)loop;
	(void)fd;
	(void)events;
	logos_module_heartbeat(arg);
}

int logos_module_attach(int fd, logos_handle_t bootstrap, const char *name,
			uint64_t watchdog_usec, const struct logos_module_ops *ops, void *arg,
			unsigned int flags, struct logos_module **out)
{
	return attach(fd, bootstrap, name, watchdog_usec, NULL, ops, arg, flags, out);
}

static int attach(int fd, logos_handle_t bootstrap, const char *name, uint64_t watchdog_usec,
		  const char *state_dir, const struct logos_module_ops *ops, void *arg,
		  unsigned int flags, struct logos_module **out)
{
	static const struct logos_module_ops no_ops;
	struct logos_module_info info;
	struct logos_handle_info hinfo;
	struct logos_module *m;
	int ret;

	if (flags & ~LOGOS_MODULE_INIT_READY)
		return -EINVAL;
	ret = logos_check_abi(fd);
	if (ret)
		return ret == -ENOTTY || ret == -EBADF ? -ENXIO : ret;
	ret = logos_module_get_info(fd, LOGOS_HANDLE_SELF, &info);
	if (ret)
		return ret == -EBADF ? -ENXIO : ret;	/* /dev/logos, not a module file */
	ret = logos_handle_info(fd, bootstrap, &hinfo);
	if (ret || hinfo.type != LOGOS_OBJ_CHANNEL)
		return -ENXIO;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->fd = fd;
	m->boot = bootstrap;
	m->id = info.module_id;
	m->ops = ops ? ops : &no_ops;
	m->arg = arg;
	m->heartbeat_timer = -1;
	m->deadline_ns = -1;
	m->call_timeout_ns = 30 * LOGOS_NSEC_PER_SEC;
	snprintf(m->name, sizeof(m->name), "%s", name ? name : "");
	pthread_mutex_init(&m->state_lock, NULL);
	m->rx = logos_rx_new();
	m->reply_buf = malloc(LOGOS_MSG_MAX_BYTES);
	m->state_dir = state_dir ? strdup(state_dir) : NULL;
	ret = -ENOMEM;
	if (!m->rx || !m->reply_buf || (state_dir && !m->state_dir))
		goto err;
	/* Before RESTORE_STATE is handled: it is judged against this. */
	logos__state_start(m);
	ret = logos_loop_new(fd, &m->loop);
	if (ret)
		goto err;
	ret = logos_loop_watch(m->loop, bootstrap, LOGOS_SIGNAL_READABLE | LOGOS_SIGNAL_PEER_CLOSED,
			       0, on_bootstrap, m, &m->boot_watch);
	if (ret)
		goto err;
	if (watchdog_usec) {
		/* "at least twice per interval": three times leaves room for lateness. */
		int64_t ns = (int64_t)(watchdog_usec * 1000 / 3);

		ret = logos_loop_add_timer(m->loop, ns > 0 ? ns : 1, on_heartbeat, m,
					   &m->heartbeat_timer);
		if (ret)
			goto err;
	}
	/*
	 * logosd queues RESTORE_STATE before the process starts: handle what
	 * is already there now, so the state is restored before READY.
	 */
	on_bootstrap(m->loop, bootstrap, 0, m);
	if (flags & LOGOS_MODULE_INIT_READY) {
		ret = logos_module_ready(m);
		if (ret)
			goto err;
	}
	*out = m;
	return 0;
err:
	m->fd = -1;	/* the caller keeps its fd on failure */
	logos_module_free(m);
	return ret;
}

void logos_module_free(struct logos_module *m)
{
	if (!m)
		return;
	logos_loop_free(m->loop);
	logos_rx_free(m->rx);
	free(m->reply_buf);
	free(m->state_dir);
	pthread_mutex_destroy(&m->state_lock);
	if (m->fd >= 0)
		close(m->fd);
	free(m);
}

/* ---- module -> logosd ------------------------------------------------- */

static int notify(struct logos_module *m, uint16_t kind)
{
	struct logos_wire_writer w;
	uint8_t buf[LOGOS_WIRE_HEADER_SIZE];

	logos_wire_writer_init(&w, buf, sizeof(buf), kind, 0, 0);
	return logos_wire_send(m->fd, m->boot, &w, 0, 0);
}

int logos_module_ready(struct logos_module *m)
{
	int ret;

	if (atomic_exchange(&m->ready, 1))
		return 0;
	ret = logos_module_report_ready(m->fd);
	if (!ret)
		ret = notify(m, LOGOS_BOOT_READY);
	if (ret)
		atomic_store(&m->ready, 0);
	return ret;
}

int logos_module_heartbeat(struct logos_module *m)
{
	return notify(m, LOGOS_BOOT_HEARTBEAT);
}

int logos_module_run(struct logos_module *m)
{
	return logos_loop_run(m->loop);
}

int64_t logos_module_time_left_ns(const struct logos_module *m)
{
	int64_t left;

	if (m->deadline_ns < 0)
		return -1;
	left = m->deadline_ns - logos__now_ns();
	return left > 0 ? left : 0;
}

int logos_module_fd(const struct logos_module *m)
{
	return m->fd;
}

logos_handle_t logos_module_bootstrap(const struct logos_module *m)
{
	return m->boot;
}

struct logos_loop *logos_module_loop(const struct logos_module *m)
{
	return m->loop;
}

uint32_t logos_module_id(const struct logos_module *m)
{
	return m->id;
}

const char *logos_module_name(const struct logos_module *m)
{
	return m->name;
}

const char *logos_module_state_dir(const struct logos_module *m)
{
	return m->state_dir;
}

void logos_module_set_call_timeout(struct logos_module *m, int64_t timeout_ns)
{
	m->call_timeout_ns = timeout_ns;
}

/* ---- logosd -> module ------------------------------------------------- */

static void reply_ok(struct logos_module *m, struct logos_rx *rx)
{
	struct logos_wire_writer w;
	uint8_t buf[LOGOS_WIRE_HEADER_SIZE];

	logos_rpc_reply_init(&w, buf, sizeof(buf), &rx->wire);
	logos_rpc_reply(m->fd, m->boot, rx->msg.header.txn_id, &w);
}

static void reply_err(struct logos_module *m, struct logos_rx *rx, int err, const char *text)
{
	logos_rpc_reply_error(m->fd, m->boot, rx->msg.header.txn_id, rx->wire.kind,
			      rx->wire.method, err, text);
}

static void do_terminate(struct logos_module *m, uint32_t deadline_ms)
{
	m->deadline_ns = logos__now_ns() + (int64_t)deadline_ms * LOGOS_NSEC_PER_MSEC;
	if (m->ops->terminate)
		m->ops->terminate(m, deadline_ms, m->arg);
	else
		logos_loop_stop(m->loop);
}

static void do_save_state(struct logos_module *m, struct logos_rx *rx)
{
	struct logos_state st = { .memory = LOGOS_HANDLE_INVALID };
	struct logos_wire_writer w;
	int ret = m->ops->save_state ? m->ops->save_state(m, &st, m->arg) : -EOPNOTSUPP;
	uint8_t *bytes = NULL;
	size_t len = 0;

	if (ret) {
		reply_err(m, rx, ret, "the module cannot save its state");
		return;
	}
	/* The module's bytes and the trailer restore_state is judged by. */
	ret = logos__state_frame(m, &st, &bytes, &len);
	if (ret) {
		if (st.memory != LOGOS_HANDLE_INVALID)
			logos_handle_close(m->fd, st.memory);
		reply_err(m, rx, ret, "saved state too large for one message: use a memory object");
		return;
	}
	logos_rpc_reply_init(&w, m->reply_buf, LOGOS_MSG_MAX_BYTES, &rx->wire);
	logos_wire_put_bytes(&w, LOGOS_TAG_STATE_BYTES, bytes, len);
	free(bytes);
	if (st.memory != LOGOS_HANDLE_INVALID)
		logos_wire_put_handle(&w, LOGOS_TAG_STATE_MEMORY, st.memory, LOGOS_RIGHTS_SAME,
				      LOGOS_MSG_HANDLE_MOVE);
	ret = logos_wire_finish(&w, NULL);
	if (ret) {
		reply_err(m, rx, ret, "saved state too large for one message: use a memory object");
		return;
	}
	logos_rpc_reply(m->fd, m->boot, rx->msg.header.txn_id, &w);
}

static void do_restore_state(struct logos_module *m, struct logos_rx *rx)
{
	struct logos_state st = { .memory = LOGOS_HANDLE_INVALID };
	const void *data;
	size_t len;

	if (!logos_wire_get_bytes(&rx->wire, LOGOS_TAG_STATE_BYTES, &data, &len)) {
		st.data = data;
		st.len = len;
	}
	logos_rx_take_handle(rx, LOGOS_TAG_STATE_MEMORY, &st.memory);
	logos__state_judge(m, &st);
	if (m->ops->restore_state)
		m->ops->restore_state(m, &st, m->arg);
	if (st.memory != LOGOS_HANDLE_INVALID)
		logos_handle_close(m->fd, st.memory);
}

static void do_connect(struct logos_module *m, struct logos_rx *rx)
{
	char name[LOGOS_SERVICE_NAME_MAX + 1];
	uint32_t client = 0;
	logos_handle_t ep;

	if (logos_rx_take_handle(rx, LOGOS_TAG_CONNECT_EP, &ep))
		return;
	if (logos_wire_get_string(&rx->wire, LOGOS_TAG_SERVICE, name, sizeof(name)) ||
	    !m->ops->connect) {
		logos_handle_close(m->fd, ep);
		return;
	}
	logos_wire_get_u32(&rx->wire, LOGOS_TAG_CLIENT, &client);
	m->ops->connect(m, name, client, ep, m->arg);
}

static void do_service_state(struct logos_module *m, struct logos_rx *rx)
{
	char name[LOGOS_SERVICE_NAME_MAX + 1];
	uint32_t state;

	if (!m->ops->service_state ||
	    logos_wire_get_string(&rx->wire, LOGOS_TAG_SERVICE, name, sizeof(name)) ||
	    logos_wire_get_u32(&rx->wire, LOGOS_TAG_SERVICE_STATE, &state))
		return;
	m->ops->service_state(m, name, state, m->arg);
}

static void dispatch(struct logos_module *m, struct logos_rx *rx)
{
	bool call = rx->msg.header.flags & LOGOS_MSG_CALL;
	uint32_t deadline_ms = 0;
	int ret;

	switch (rx->wire.kind) {
	case LOGOS_BOOT_PAUSE:
		ret = m->ops->pause ? m->ops->pause(m, m->arg) : 0;
		if (!call)
			break;
		if (ret)
			reply_err(m, rx, ret, "the module refused to pause");
		else
			reply_ok(m, rx);
		break;
	case LOGOS_BOOT_RESUME:
		if (m->ops->resume)
			m->ops->resume(m, m->arg);
		break;
	case LOGOS_BOOT_TERMINATE:
		logos_wire_get_u32(&rx->wire, LOGOS_TAG_DEADLINE_MS, &deadline_ms);
		if (call)
			reply_ok(m, rx);
		do_terminate(m, deadline_ms);
		break;
	case LOGOS_BOOT_SAVE_STATE:
		if (call)
			do_save_state(m, rx);
		break;
	case LOGOS_BOOT_RESTORE_STATE:
		do_restore_state(m, rx);
		break;
	case LOGOS_BOOT_CONNECT:
		do_connect(m, rx);
		break;
	case LOGOS_BOOT_SERVICE_STATE:
		do_service_state(m, rx);
		break;
	default:
		/* protocol.md: unknown kinds are refused if calls, else ignored. */
		if (call)
			reply_err(m, rx, EOPNOTSUPP, "unknown bootstrap message kind");
		break;
	}
}

static void on_bootstrap(struct logos_loop *loop, logos_handle_t h, uint32_t observed, void *arg)
{
	struct logos_module *m = arg;
	int i, ret = 0;

	(void)loop;
	(void)observed;
	for (i = 0; i < BOOT_BATCH; i++) {
		ret = logos_rx_recv(m->fd, h, m->rx, 0);
		if (ret == -EBADMSG) {
			if (m->rx->msg.header.flags & LOGOS_MSG_CALL)
				logos_rpc_reply_error(m->fd, h, m->rx->msg.header.txn_id, 0, 0,
						      EBADMSG, "malformed bootstrap message");
			continue;
		}
		if (ret)
			break;
		dispatch(m, m->rx);
		logos_rx_release(m->rx);
	}
	if (ret && ret != -EAGAIN) {
		/* logosd is gone (-EPIPE) or the endpoint is unusable: stop watching. */
		logos_loop_unwatch(m->loop, m->boot_watch);
		do_terminate(m, 0);
	}
}
