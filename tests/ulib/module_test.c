// SPDX-License-Identifier: GPL-2.0
/*
 * The module runtime against logos.ko, with the test playing logosd:
 * the hand-over (fd 3 and environment, or explicit values), READY,
 * PAUSE/RESUME/TERMINATE, SAVE_STATE/RESTORE_STATE, CONNECT,
 * SERVICE_STATE, unknown and malformed requests, the watchdog heartbeat,
 * and logosd going away.
 */
#include "helpers.h"

#include "kselftest_harness.h"

struct seen {
	int pauses, resumes, terminates, restores, connects, states;
	int pause_ret;
	uint32_t deadline_ms;
	char restored[64];
	logos_handle_t restored_mem;
	bool keep_mem;
	char service[64];
	uint32_t client, service_state;
	logos_handle_t ep;
	bool save_fails;
	logos_handle_t save_mem;
	bool custom_terminate;
};

static int on_pause(struct logos_module *m, void *arg)
{
	struct seen *s = arg;

	(void)m;
	s->pauses++;
	return s->pause_ret;
}

static void on_resume(struct logos_module *m, void *arg)
{
	(void)m;
	((struct seen *)arg)->resumes++;
}

static void on_terminate(struct logos_module *m, uint32_t deadline_ms, void *arg)
{
	struct seen *s = arg;

	s->terminates++;
	s->deadline_ms = deadline_ms;
	logos_loop_stop(logos_module_loop(m));
}

static int on_save(struct logos_module *m, struct logos_state *st, void *arg)
{
	static const char state[] = "counter=42";
	struct seen *s = arg;

	(void)m;
	if (s->save_fails)
		return -ENOSPC;
	st->data = state;
	st->len = sizeof(state);
	st->memory = s->save_mem;
	return 0;
}

static void on_restore(struct logos_module *m, struct logos_state *st, void *arg)
{
	struct seen *s = arg;

	(void)m;
	s->restores++;
	if (st->data)
		snprintf(s->restored, sizeof(s->restored), "%.*s", (int)st->len,
			 (const char *)st->data);
	s->restored_mem = st->memory;
	if (s->keep_mem)
		st->memory = LOGOS_HANDLE_INVALID;
}

static void on_connect(struct logos_module *m, const char *service, uint32_t client,
		       logos_handle_t ep, void *arg)
{
	struct seen *s = arg;

	(void)m;
	s->connects++;
	snprintf(s->service, sizeof(s->service), "%s", service);
	s->client = client;
	s->ep = ep;
}

static void on_service_state(struct logos_module *m, const char *service, uint32_t state,
			     void *arg)
{
	struct seen *s = arg;

	(void)m;
	s->states++;
	snprintf(s->service, sizeof(s->service), "%s", service);
	s->service_state = state;
}

static const struct logos_module_ops ops = {
	.pause = on_pause,
	.resume = on_resume,
	.terminate = on_terminate,
	.save_state = on_save,
	.restore_state = on_restore,
	.connect = on_connect,
	.service_state = on_service_state,
};

/* Waits up to 10 s for *@counter to reach @want. */
static int wait_for(volatile int *counter, int want)
{
	int i;

	for (i = 0; i < 1000 && *counter < want; i++)
		usleep(10000);
	return *counter;
}

static void *run_module(void *arg)
{
	logos_module_run(arg);
	return NULL;
}

FIXTURE(rt) {
	int sfd;
	struct tmod t;
	struct logos_module *m;
	struct seen seen;
	pthread_t thread;
	bool running;
	struct logos_rx *rx;
	uint8_t buf[1024];
};

FIXTURE_SETUP(rt)
{
	memset(&self->seen, 0, sizeof(self->seen));
	self->seen.save_mem = LOGOS_HANDLE_INVALID;
	self->sfd = logos_open();
	ASSERT_LE(0, self->sfd);
	ASSERT_EQ(0, tmod_create(self->sfd, "rt-test", &self->t));
	ASSERT_EQ(0, logos_module_attach(self->t.fd, self->t.boot, "rt-test", 0, &ops, &self->seen,
					 0, &self->m));
	self->rx = logos_rx_new();
	ASSERT_NE(NULL, self->rx);
}

FIXTURE_TEARDOWN(rt)
{
	if (self->running) {
		logos_loop_stop(logos_module_loop(self->m));
		pthread_join(self->thread, NULL);
	}
	logos_module_free(self->m);
	logos_rx_free(self->rx);
	tmod_release(self->sfd, &self->t);
	close(self->sfd);
}

static void start_loop(struct _test_data_rt *self)
{
	pthread_create(&self->thread, NULL, run_module, self->m);
	self->running = true;
}

/* A call from "logosd" to the module: 0 or the module's error. */
static int sup_call(struct _test_data_rt *self, uint16_t kind, uint32_t deadline_ms)
{
	struct logos_wire_writer w;

	logos_wire_writer_init(&w, self->buf, sizeof(self->buf), kind, 0, 0);
	if (kind == LOGOS_BOOT_TERMINATE)
		logos_wire_put_u32(&w, LOGOS_TAG_DEADLINE_MS, deadline_ms);
	return logos_rpc_call(self->sfd, self->t.sup_ep, &w, self->rx, LONG);
}

TEST_F(rt, ready_moves_to_running_and_tells_logosd_once)
{
	EXPECT_EQ(LOGOS_STATE_INITIALIZING, tmod_state(self->sfd, &self->t));
	ASSERT_EQ(0, logos_module_ready(self->m));
	EXPECT_EQ(LOGOS_STATE_RUNNING, tmod_state(self->sfd, &self->t));
	ASSERT_EQ(0, logos_rx_recv(self->sfd, self->t.sup_ep, self->rx, LONG));
	EXPECT_EQ(LOGOS_BOOT_READY, self->rx->wire.kind);
	EXPECT_EQ(self->t.id, self->rx->msg.header.sender_module);
	EXPECT_EQ(0, logos_module_ready(self->m));
	EXPECT_EQ(-EAGAIN, logos_rx_recv(self->sfd, self->t.sup_ep, self->rx, 0));
	EXPECT_EQ(self->t.id, logos_module_id(self->m));
	EXPECT_STREQ("rt-test", logos_module_name(self->m));
	EXPECT_EQ(NULL, logos_module_state_dir(self->m));
	EXPECT_EQ(-1, logos_module_time_left_ns(self->m));
}

TEST_F(rt, pause_and_resume_reach_the_callbacks)
{
	start_loop(self);
	EXPECT_EQ(0, sup_call(self, LOGOS_BOOT_PAUSE, 0));
	EXPECT_EQ(1, self->seen.pauses);
	self->seen.pause_ret = -EBUSY;
	EXPECT_EQ(-EBUSY, sup_call(self, LOGOS_BOOT_PAUSE, 0));
	EXPECT_NE(0, self->rx->error_text[0]);
	ASSERT_EQ(0, sup_send_kind(self->sfd, self->t.sup_ep, LOGOS_BOOT_RESUME));
	EXPECT_EQ(1, wait_for(&self->seen.resumes, 1));
}

TEST_F(rt, terminate_gives_the_deadline_and_stops)
{
	int64_t left;

	start_loop(self);
	EXPECT_EQ(0, sup_call(self, LOGOS_BOOT_TERMINATE, 3000));
	pthread_join(self->thread, NULL);
	self->running = false;
	EXPECT_EQ(1, self->seen.terminates);
	EXPECT_EQ(3000, self->seen.deadline_ms);
	left = logos_module_time_left_ns(self->m);
	EXPECT_LE(0, left);
	EXPECT_GE(3000 * MS, left);
}

TEST_F(rt, module_freed_after_terminate_ends_cleanly)
{
	struct logos_module_info info;

	ASSERT_EQ(0, logos_module_ready(self->m));
	ASSERT_EQ(0, logos_module_set_state(self->sfd, self->t.module, LOGOS_STATE_TERMINATING));
	start_loop(self);
	EXPECT_EQ(0, sup_call(self, LOGOS_BOOT_TERMINATE, 1000));
	pthread_join(self->thread, NULL);
	self->running = false;
	logos_module_free(self->m);
	self->m = NULL;
	ASSERT_EQ(0, logos_module_get_info(self->sfd, self->t.module, &info));
	EXPECT_EQ(LOGOS_STATE_TERMINATED, info.state);
	EXPECT_EQ(0, info.exit_flags & LOGOS_EXIT_CRASHED);
}

TEST_F(rt, save_state_replies_bytes_and_moves_memory)
{
	logos_handle_t mem, got;
	struct logos_handle_info info;
	const void *p;
	size_t n;

	ASSERT_EQ(0, logos_mem_create(self->t.fd, 4096, &mem, NULL));
	self->seen.save_mem = mem;
	start_loop(self);
	ASSERT_EQ(0, sup_call(self, LOGOS_BOOT_SAVE_STATE, 0));
	ASSERT_EQ(0, logos_wire_get_bytes(&self->rx->wire, LOGOS_TAG_STATE_BYTES, &p, &n));
	EXPECT_EQ(0, strcmp(p, "counter=42"));
	ASSERT_EQ(0, logos_rx_take_handle(self->rx, LOGOS_TAG_STATE_MEMORY, &got));
	ASSERT_EQ(0, logos_handle_info(self->sfd, got, &info));
	EXPECT_EQ(LOGOS_OBJ_MEMORY, info.type);
	/* Moved: gone from the module's table. */
	EXPECT_EQ(-EBADF, logos_handle_info(self->t.fd, mem, &info));
	logos_handle_close(self->sfd, got);
	self->seen.save_fails = true;
	EXPECT_EQ(-ENOSPC, sup_call(self, LOGOS_BOOT_SAVE_STATE, 0));
}

TEST_F(rt, save_state_without_a_callback_is_eopnotsupp)
{
	struct logos_module_ops none = { 0 };
	struct logos_module *m2;
	struct tmod t2;

	ASSERT_EQ(0, tmod_create(self->sfd, "rt-none", &t2));
	ASSERT_EQ(0, logos_module_attach(t2.fd, t2.boot, NULL, 0, &none, NULL, 0, &m2));
	{
		pthread_t th;
		struct logos_wire_writer w;

		pthread_create(&th, NULL, run_module, m2);
		logos_wire_writer_init(&w, self->buf, sizeof(self->buf), LOGOS_BOOT_SAVE_STATE, 0, 0);
		EXPECT_EQ(-EOPNOTSUPP, logos_rpc_call(self->sfd, t2.sup_ep, &w, self->rx, LONG));
		/* Without a terminate callback the loop stops by itself. */
		logos_wire_writer_init(&w, self->buf, sizeof(self->buf), LOGOS_BOOT_TERMINATE, 0, 0);
		EXPECT_EQ(0, logos_rpc_call(self->sfd, t2.sup_ep, &w, self->rx, LONG));
		pthread_join(th, NULL);
	}
	logos_module_free(m2);
	tmod_release(self->sfd, &t2);
}

TEST_F(rt, restore_state_hands_bytes_and_memory)
{
	struct logos_wire_writer w;
	struct logos_handle_info info;
	logos_handle_t mem;

	start_loop(self);
	ASSERT_EQ(0, logos_mem_create(self->sfd, 4096, &mem, NULL));
	logos_wire_writer_init(&w, self->buf, sizeof(self->buf), LOGOS_BOOT_RESTORE_STATE, 0, 0);
	logos_wire_put_bytes(&w, LOGOS_TAG_STATE_BYTES, "counter=41", 10);
	logos_wire_put_handle(&w, LOGOS_TAG_STATE_MEMORY, mem, LOGOS_RIGHTS_SAME,
			      LOGOS_MSG_HANDLE_MOVE);
	ASSERT_EQ(0, logos_wire_send(self->sfd, self->t.sup_ep, &w, 0, LONG));
	EXPECT_EQ(1, wait_for(&self->seen.restores, 1));
	EXPECT_STREQ("counter=41", self->seen.restored);
	/* Not kept by the callback: closed by the runtime. */
	usleep(100000);
	EXPECT_EQ(-EBADF, logos_handle_info(self->t.fd, self->seen.restored_mem, &info));

	self->seen.keep_mem = true;
	ASSERT_EQ(0, logos_mem_create(self->sfd, 4096, &mem, NULL));
	logos_wire_writer_init(&w, self->buf, sizeof(self->buf), LOGOS_BOOT_RESTORE_STATE, 0, 0);
	logos_wire_put_handle(&w, LOGOS_TAG_STATE_MEMORY, mem, LOGOS_RIGHTS_SAME,
			      LOGOS_MSG_HANDLE_MOVE);
	ASSERT_EQ(0, logos_wire_send(self->sfd, self->t.sup_ep, &w, 0, LONG));
	EXPECT_EQ(2, wait_for(&self->seen.restores, 2));
	usleep(100000);
	EXPECT_EQ(0, logos_handle_info(self->t.fd, self->seen.restored_mem, &info));
}

TEST(state_queued_before_start_is_restored_before_ready)
{
	struct seen seen = { .save_mem = LOGOS_HANDLE_INVALID };
	struct logos_wire_writer w;
	struct logos_module *m;
	uint8_t buf[128];
	struct tmod t;
	int sfd = logos_open();

	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, tmod_create(sfd, "rt-restore", &t));
	/* What logosd does for a restarted instance, before it runs. */
	logos_wire_writer_init(&w, buf, sizeof(buf), LOGOS_BOOT_RESTORE_STATE, 0, 0);
	logos_wire_put_bytes(&w, LOGOS_TAG_STATE_BYTES, "counter=7", 9);
	ASSERT_EQ(0, logos_wire_send(sfd, t.sup_ep, &w, 0, LONG));
	ASSERT_EQ(0, logos_module_attach(t.fd, t.boot, NULL, 0, &ops, &seen, 0, &m));
	EXPECT_EQ(1, seen.restores);
	EXPECT_STREQ("counter=7", seen.restored);
	EXPECT_EQ(LOGOS_STATE_INITIALIZING, tmod_state(sfd, &t));
	logos_module_free(m);
	tmod_release(sfd, &t);
	close(sfd);
}

TEST_F(rt, connect_hands_the_provider_its_endpoint)
{
	struct logos_wire_writer w;
	logos_handle_t c, s;
	struct logos_msg m;
	char buf[8];

	start_loop(self);
	ASSERT_EQ(0, logos_channel_create(self->sfd, 0, 0, &c, &s));
	logos_wire_writer_init(&w, self->buf, sizeof(self->buf), LOGOS_BOOT_CONNECT, 0, 0);
	logos_wire_put_string(&w, LOGOS_TAG_SERVICE, "echo");
	logos_wire_put_u32(&w, LOGOS_TAG_CLIENT, 77);
	logos_wire_put_handle(&w, LOGOS_TAG_CONNECT_EP, s, EP_RIGHTS, LOGOS_MSG_HANDLE_MOVE);
	ASSERT_EQ(0, logos_wire_send(self->sfd, self->t.sup_ep, &w, 0, LONG));
	EXPECT_EQ(1, wait_for(&self->seen.connects, 1));
	EXPECT_STREQ("echo", self->seen.service);
	EXPECT_EQ(77, self->seen.client);
	/* The endpoint works from the module's file. */
	ASSERT_EQ(0, logos_channel_send(self->sfd, c, "hi", 2, NULL, 0, 0, 0));
	logos_msg_prepare(&m, buf, sizeof(buf), NULL, 0);
	ASSERT_EQ(0, logos_channel_recv(self->t.fd, self->seen.ep, &m, LONG));
	EXPECT_EQ(0, memcmp(buf, "hi", 2));
	logos_handle_close(self->sfd, c);
}

TEST_F(rt, service_state_reaches_the_callback)
{
	struct logos_wire_writer w;

	start_loop(self);
	logos_wire_writer_init(&w, self->buf, sizeof(self->buf), LOGOS_BOOT_SERVICE_STATE, 0, 0);
	logos_wire_put_string(&w, LOGOS_TAG_SERVICE, "store");
	logos_wire_put_u32(&w, LOGOS_TAG_SERVICE_STATE, LOGOS_SERVICE_RESTARTING);
	ASSERT_EQ(0, logos_wire_send(self->sfd, self->t.sup_ep, &w, 0, LONG));
	EXPECT_EQ(1, wait_for(&self->seen.states, 1));
	EXPECT_STREQ("store", self->seen.service);
	EXPECT_EQ(LOGOS_SERVICE_RESTARTING, self->seen.service_state);
}

TEST_F(rt, unknown_and_malformed_calls_get_error_replies)
{
	struct logos_msg req;
	struct logos_rx *rx = self->rx;
	int32_t err = 0;

	start_loop(self);
	EXPECT_EQ(-EOPNOTSUPP, sup_call(self, 0x42, 0));
	/* An unknown notification is ignored; the loop goes on. */
	ASSERT_EQ(0, sup_send_kind(self->sfd, self->t.sup_ep, 0x43));
	logos_msg_prepare(&req, "garbage", 7, NULL, 0);
	logos_msg_prepare(&rx->msg, rx->data, sizeof(rx->data), rx->handles,
			  LOGOS_MSG_MAX_HANDLES);
	rx->fd = self->sfd;
	ASSERT_EQ(0, logos_channel_call(self->sfd, self->t.sup_ep, &req, &rx->msg, LONG));
	ASSERT_EQ(0, logos_rx_decode(rx));
	EXPECT_EQ(0, logos_wire_get_i32(&rx->wire, LOGOS_WIRE_TAG_ERRNO, &err));
	EXPECT_EQ(EBADMSG, err);
	EXPECT_EQ(0, sup_call(self, LOGOS_BOOT_PAUSE, 0));
}

TEST_F(rt, logosd_going_away_terminates_with_no_deadline)
{
	start_loop(self);
	ASSERT_EQ(0, logos_handle_close(self->sfd, self->t.sup_ep));
	EXPECT_EQ(1, wait_for(&self->seen.terminates, 1));
	EXPECT_EQ(0, self->seen.deadline_ms);
	pthread_join(self->thread, NULL);
	self->running = false;
}

TEST(attach_refuses_what_is_not_a_module)
{
	struct logos_module *m;
	struct tmod t;
	int sfd = logos_open();
	logos_handle_t ev;

	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, tmod_create(sfd, "rt-bad", &t));
	/* /dev/logos is not a module file. */
	EXPECT_EQ(-ENXIO, logos_module_attach(sfd, t.boot, NULL, 0, NULL, NULL, 0, &m));
	/* Not a logos file at all. */
	EXPECT_EQ(-ENXIO, logos_module_attach(0, t.boot, NULL, 0, NULL, NULL, 0, &m));
	/* A bootstrap handle that is no channel. */
	ASSERT_EQ(0, logos_event_create(t.fd, &ev));
	EXPECT_EQ(-ENXIO, logos_module_attach(t.fd, ev, NULL, 0, NULL, NULL, 0, &m));
	EXPECT_EQ(-ENXIO, logos_module_attach(t.fd, 0x1234, NULL, 0, NULL, NULL, 0, &m));
	EXPECT_EQ(-EINVAL, logos_module_attach(t.fd, t.boot, NULL, 0, NULL, NULL, 0x80, &m));
	/* The fd stays the caller's after a failure. */
	EXPECT_EQ(0, fcntl(t.fd, F_GETFD) < 0);
	close(t.fd);
	tmod_release(sfd, &t);
	close(sfd);
}

TEST(watchdog_interval_makes_the_loop_send_heartbeats)
{
	struct logos_rx *rx = logos_rx_new();
	struct logos_module *m;
	struct tmod t;
	pthread_t th;
	int sfd = logos_open(), beats = 0;
	int64_t start;

	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, tmod_create(sfd, "rt-wd", &t));
	ASSERT_EQ(0, logos_module_attach(t.fd, t.boot, NULL, 150000, NULL, NULL, 0, &m));
	pthread_create(&th, NULL, run_module, m);
	start = time(NULL);
	while (beats < 4 && time(NULL) - start < 10) {
		if (!logos_rx_recv(sfd, t.sup_ep, rx, SEC) && rx->wire.kind == LOGOS_BOOT_HEARTBEAT)
			beats++;
	}
	EXPECT_EQ(4, beats);
	logos_loop_stop(logos_module_loop(m));
	pthread_join(th, NULL);
	/* A heartbeat on demand, too. */
	EXPECT_EQ(0, logos_module_heartbeat(m));
	logos_module_free(m);
	logos_rx_free(rx);
	tmod_release(sfd, &t);
	close(sfd);
}

/* ---- a real module process: fork, fd 3 and the environment ---------- */

static int child_main(void)
{
	struct logos_module *m;
	int ret = logos_module_init(&m, NULL, NULL, LOGOS_MODULE_INIT_READY);

	if (ret) {
		fprintf(stderr, "logos_module_init: %s\n", logos_strerror(ret));
		return 10;
	}
	if (strcmp(logos_module_name(m), "env-mod") ||
	    !logos_module_state_dir(m) || strcmp(logos_module_state_dir(m), "/tmp/env-mod"))
		return 11;
	if (!(fcntl(3, F_GETFD) & FD_CLOEXEC))
		return 12;	/* children of the module must not inherit it */
	ret = logos_module_run(m);	/* until TERMINATE */
	logos_module_free(m);
	return ret ? 13 : 0;
}

TEST(module_process_started_like_logosd_does)
{
	struct logos_rx *rx = logos_rx_new();
	struct logos_wire_writer w;
	struct logos_module_info info;
	uint8_t buf[64];
	char hex[16];
	struct tmod t;
	int sfd = logos_open(), status;
	pid_t pid;

	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, tmod_create(sfd, "env-mod", &t));
	snprintf(hex, sizeof(hex), "0x%x", t.boot);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (dup2(t.fd, 3) < 0)
			_exit(20);
		setenv(LOGOS_ENV_MODULE_FD, "3", 1);
		setenv(LOGOS_ENV_BOOTSTRAP, hex, 1);
		setenv(LOGOS_ENV_MODULE_NAME, "env-mod", 1);
		setenv(LOGOS_ENV_STATE_DIR, "/tmp/env-mod", 1);
		_exit(child_main());
	}
	close(t.fd);
	ASSERT_EQ(0, sup_expect(sfd, t.sup_ep, LOGOS_BOOT_READY, rx, LONG));
	ASSERT_EQ(0, logos_module_get_info(sfd, t.module, &info));
	EXPECT_EQ(LOGOS_STATE_RUNNING, info.state);
	EXPECT_EQ((uint32_t)pid, info.pid);
	ASSERT_EQ(0, logos_module_set_state(sfd, t.module, LOGOS_STATE_TERMINATING));
	logos_wire_writer_init(&w, buf, sizeof(buf), LOGOS_BOOT_TERMINATE, 0, 0);
	logos_wire_put_u32(&w, LOGOS_TAG_DEADLINE_MS, 5000);
	EXPECT_EQ(0, logos_rpc_call(sfd, t.sup_ep, &w, rx, LONG));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, logos_module_get_info(sfd, t.module, &info));
	EXPECT_EQ(LOGOS_STATE_TERMINATED, info.state);
	EXPECT_EQ(0, info.exit_flags & LOGOS_EXIT_CRASHED);
	logos_rx_free(rx);
	tmod_release(sfd, &t);
	close(sfd);
}

TEST(init_without_the_environment_is_enxio)
{
	struct logos_module *m;

	unsetenv(LOGOS_ENV_MODULE_FD);
	unsetenv(LOGOS_ENV_BOOTSTRAP);
	EXPECT_EQ(-ENXIO, logos_module_init(&m, NULL, NULL, 0));
	setenv(LOGOS_ENV_MODULE_FD, "3", 1);
	setenv(LOGOS_ENV_BOOTSTRAP, "zz", 1);
	EXPECT_EQ(-ENXIO, logos_module_init(&m, NULL, NULL, 0));
	setenv(LOGOS_ENV_BOOTSTRAP, "0x10", 1);
	/* fd 3 is not open (or not a module file) here. */
	EXPECT_EQ(-ENXIO, logos_module_init(&m, NULL, NULL, 0));
}

/* ---- state and crashes (issue 21): restore_state says how old it is --- */

struct fresh {
	int report;		/* pipe to the parent */
	char value[16];		/* what save_state hands over */
	uint32_t freshness;
	uint64_t seq;
	char restored[16];
};

static int fresh_save(struct logos_module *m, struct logos_state *st, void *arg)
{
	struct fresh *f = arg;

	(void)m;
	st->data = f->value;
	st->len = strlen(f->value);
	return 0;
}

static void fresh_restore(struct logos_module *m, struct logos_state *st, void *arg)
{
	struct fresh *f = arg;

	(void)m;
	f->freshness = st->freshness;
	f->seq = st->seq;
	snprintf(f->restored, sizeof(f->restored), "%.*s", (int)st->len,
		 st->data ? (const char *)st->data : "");
}

/*
 * A module instance in @dir: restores (if logosd queued something), reads
 * its durable state, commits @commit if not NULL, reports one line to the
 * parent, and runs until TERMINATE or SIGKILL.
 */
static int fresh_child(int report, const char *value, const char *commit)
{
	static const struct logos_module_ops fops = {
		.save_state = fresh_save, .restore_state = fresh_restore,
	};
	struct fresh f = { .report = report, .freshness = 99 };
	struct logos_module *m;
	uint64_t dseq = 0, cseq = 0;
	char line[160], *data = NULL;
	size_t len = 0;
	int ret;

	snprintf(f.value, sizeof(f.value), "%s", value);
	ret = logos_module_init(&m, &fops, &f, 0);
	if (ret)
		return 10;
	if (!logos_module_state_load(m, (void **)&data, &len, &dseq) && len < 16)
		data[len] = 0;
	if (commit && logos_module_state_commit(m, commit, strlen(commit), &cseq))
		return 11;
	snprintf(line, sizeof(line), "%u %llu %s | %llu %s | %llu\n", f.freshness,
		 (unsigned long long)f.seq, f.restored[0] ? f.restored : "-",
		 (unsigned long long)dseq, data ? data : "-", (unsigned long long)cseq);
	free(data);
	if (write(report, line, strlen(line)) < 0)
		return 12;
	if (logos_module_ready(m))
		return 13;
	ret = logos_module_run(m);
	logos_module_free(m);
	return ret ? 14 : 0;
}

struct instance {
	struct tmod t;
	pid_t pid;
	char line[160];
};

/* Starts one instance like logosd does, with @restore (if any) queued first. */
static int instance_start(int sfd, const char *dir, struct instance *in, const void *restore,
			  size_t restore_len, const char *value, const char *commit)
{
	struct logos_wire_writer w;
	uint8_t buf[256];
	char hex[16];
	int p[2];
	ssize_t n;

	if (tmod_create(sfd, "fresh", &in->t) || pipe(p))
		return -1;
	if (restore) {
		logos_wire_writer_init(&w, buf, sizeof(buf), LOGOS_BOOT_RESTORE_STATE, 0, 0);
		logos_wire_put_bytes(&w, LOGOS_TAG_STATE_BYTES, restore, restore_len);
		if (logos_wire_send(sfd, in->t.sup_ep, &w, 0, LONG))
			return -1;
	}
	snprintf(hex, sizeof(hex), "0x%x", in->t.boot);
	in->pid = fork();
	if (in->pid < 0)
		return -1;
	if (in->pid == 0) {
		close(p[0]);
		if (dup2(in->t.fd, 3) < 0)
			_exit(20);
		setenv(LOGOS_ENV_MODULE_FD, "3", 1);
		setenv(LOGOS_ENV_BOOTSTRAP, hex, 1);
		setenv(LOGOS_ENV_MODULE_NAME, "fresh", 1);
		setenv(LOGOS_ENV_STATE_DIR, dir, 1);
		_exit(fresh_child(p[1], value, commit));
	}
	close(p[1]);
	close(in->t.fd);
	n = read(p[0], in->line, sizeof(in->line) - 1);
	close(p[0]);
	in->line[n > 0 ? n : 0] = 0;
	return n > 0 ? 0 : -1;
}

TEST(restore_state_after_a_crash_is_marked_earlier_and_the_commit_survives)
{
	struct logos_rx *rx = logos_rx_new();
	struct instance a, b, c;
	uint8_t saved[128], buf[64];
	struct logos_wire_writer w;
	char dir[] = "/tmp/logos-fresh.XXXXXX", cmd[64];
	const void *p;
	size_t n = 0;
	int sfd = logos_open(), status;

	ASSERT_LE(0, sfd);
	ASSERT_NE(NULL, mkdtemp(dir));
	/* A: first start; a controlled restart saves "v1". */
	ASSERT_EQ(0, instance_start(sfd, dir, &a, NULL, 0, "v1", NULL));
	EXPECT_STREQ("99 0 - | 0 - | 0\n", a.line);
	ASSERT_EQ(0, sup_expect(sfd, a.t.sup_ep, LOGOS_BOOT_READY, rx, LONG));
	logos_wire_writer_init(&w, buf, sizeof(buf), LOGOS_BOOT_SAVE_STATE, 0, 0);
	ASSERT_EQ(0, logos_rpc_call(sfd, a.t.sup_ep, &w, rx, LONG));
	ASSERT_EQ(0, logos_wire_get_bytes(&rx->wire, LOGOS_TAG_STATE_BYTES, &p, &n));
	ASSERT_GE(sizeof(saved), n);
	memcpy(saved, p, n);
	logos_wire_writer_init(&w, buf, sizeof(buf), LOGOS_BOOT_TERMINATE, 0, 0);
	logos_wire_put_u32(&w, LOGOS_TAG_DEADLINE_MS, 5000);
	EXPECT_EQ(0, logos_rpc_call(sfd, a.t.sup_ep, &w, rx, LONG));
	ASSERT_EQ(a.pid, waitpid(a.pid, &status, 0));
	tmod_release(sfd, &a.t);

	/* B gets it right after: the newest. It commits "v2", then crashes. */
	ASSERT_EQ(0, instance_start(sfd, dir, &b, saved, n, "v2", "v2"));
	EXPECT_STREQ("1 0 v1 | 0 - | 1\n", b.line);
	kill(b.pid, SIGKILL);
	ASSERT_EQ(b.pid, waitpid(b.pid, &status, 0));
	tmod_release(sfd, &b.t);

	/* C: logosd hands over the same old bytes: marked earlier; the commit is there. */
	ASSERT_EQ(0, instance_start(sfd, dir, &c, saved, n, "v3", NULL));
	EXPECT_STREQ("2 0 v1 | 1 v2 | 0\n", c.line);
	kill(c.pid, SIGKILL);
	ASSERT_EQ(c.pid, waitpid(c.pid, &status, 0));
	tmod_release(sfd, &c.t);

	logos_rx_free(rx);
	close(sfd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	EXPECT_EQ(0, system(cmd));
}

TEST_HARNESS_MAIN
