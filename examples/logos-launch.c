// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * logos-launch: a tiny stand-in for logosd, to run modules built with
 * liblogos without it. It plays logosd's side of Documentation/protocol.md
 * and nothing more: no manifests, signatures, sandbox, policy or restarts.
 *
 *	logos-launch [-t SECONDS] [-w WATCHDOG_MS] [-P] [-d STATE_DIR]
 *		     -s 'NAME:PROGRAM ARGS...' ... -c 'NAME:PROGRAM ARGS...' ...
 *
 * -s starts a service module, -c a client module; they start in the order
 * given, each once the one before reported READY. The launcher answers
 * REGISTER (any name), LOOKUP (best version in range) with CONNECT to the
 * provider, and counts HEARTBEATs. When every client has exited, or after
 * -t SECONDS, or on SIGINT/SIGTERM, it asks the services to TERMINATE
 * (5 s deadline, then SIGKILL). -P pauses and resumes each service once
 * after start-up. Exit status 0 when every module exited 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <logos/logos.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_MODULES	16
#define MAX_SERVICES	32
#define SEC		LOGOS_NSEC_PER_SEC
#define DEADLINE_MS	5000

struct mod {
	char name[LOGOS_NAME_MAX];
	char *argv[32];
	bool client;
	logos_handle_t handle;	/* the module object */
	logos_handle_t ep;	/* our end of its bootstrap channel */
	uint32_t id;
	pid_t pid;
	bool ready, exited;
	int status;
	unsigned int heartbeats;
	uint64_t watch;
};

struct service {
	char name[LOGOS_SERVICE_NAME_MAX + 1];
	uint32_t version;
	struct mod *provider;
};

static struct mod mods[MAX_MODULES];
static int nr_mods;
static struct service services[MAX_SERVICES];
static int nr_services;
static int sfd;
static struct logos_loop *loop;
static struct logos_rx *rx;
static uint8_t txbuf[4096];
static uint64_t watchdog_usec;
static const char *state_dir = "/tmp/logos-launch";

#define say(...) do { fprintf(stderr, "logos-launch: " __VA_ARGS__); fputc('\n', stderr); } while (0)

static void reply_error(struct mod *m, int err, const char *text)
{
	logos_rpc_reply_error(sfd, m->ep, rx->msg.header.txn_id, rx->wire.kind, 0, err, text);
}

static void on_register(struct mod *m)
{
	struct logos_wire_writer w;
	struct service *s;
	int i;

	if (nr_services == MAX_SERVICES) {
		reply_error(m, ENOSPC, "the launcher's registry is full");
		return;
	}
	s = &services[nr_services];
	if (logos_wire_get_string(&rx->wire, LOGOS_TAG_SERVICE, s->name, sizeof(s->name)) ||
	    logos_wire_get_u32(&rx->wire, LOGOS_TAG_VERSION, &s->version)) {
		reply_error(m, EBADMSG, "REGISTER needs a name and a version");
		return;
	}
	for (i = 0; i < nr_services; i++) {
		if (!strcmp(services[i].name, s->name) && services[i].version == s->version) {
			reply_error(m, EEXIST, "this service and version are registered already");
			return;
		}
	}
	s->provider = m;
	nr_services++;
	say("%s provides %s %u.%u", m->name, s->name, LOGOS_SERVICE_MAJOR(s->version),
	    LOGOS_SERVICE_MINOR(s->version));
	logos_rpc_reply_init(&w, txbuf, sizeof(txbuf), &rx->wire);
	logos_rpc_reply(sfd, m->ep, rx->msg.header.txn_id, &w);
}

static void on_lookup(struct mod *m)
{
	char name[LOGOS_SERVICE_NAME_MAX + 1];
	struct service *best = NULL;
	struct logos_wire_writer w;
	uint32_t min = 0, max = ~0U;
	logos_handle_t c, s;
	int i, ret;

	if (logos_wire_get_string(&rx->wire, LOGOS_TAG_SERVICE, name, sizeof(name))) {
		reply_error(m, EBADMSG, "LOOKUP needs a name");
		return;
	}
	logos_wire_get_u32(&rx->wire, LOGOS_TAG_MIN_VERSION, &min);
	logos_wire_get_u32(&rx->wire, LOGOS_TAG_MAX_VERSION, &max);
	for (i = 0; i < nr_services; i++) {
		struct service *sv = &services[i];

		if (!strcmp(sv->name, name) && sv->version >= min && sv->version <= max &&
		    !sv->provider->exited && (!best || sv->version > best->version))
			best = sv;
	}
	if (!best) {
		reply_error(m, ENOENT, "no module provides this service in that version range");
		return;
	}
	ret = logos_channel_create(sfd, 0, 0, &c, &s);
	if (ret) {
		reply_error(m, -ret, "cannot create a channel");
		return;
	}
	/* The provider's end first, in a CONNECT. */
	logos_wire_writer_init(&w, txbuf, sizeof(txbuf), LOGOS_BOOT_CONNECT, 0, 0);
	logos_wire_put_string(&w, LOGOS_TAG_SERVICE, name);
	logos_wire_put_u32(&w, LOGOS_TAG_CLIENT, m->id);
	logos_wire_put_handle(&w, LOGOS_TAG_CONNECT_EP, s,
			      LOGOS_RIGHT_READ | LOGOS_RIGHT_WRITE | LOGOS_RIGHT_TRANSFER,
			      LOGOS_MSG_HANDLE_MOVE);
	ret = logos_wire_send(sfd, best->provider->ep, &w, 0, SEC);
	if (ret) {
		logos_handle_close(sfd, c);
		logos_handle_close(sfd, s);
		reply_error(m, -ret, "the provider cannot be reached");
		return;
	}
	logos_rpc_reply_init(&w, txbuf, sizeof(txbuf), &rx->wire);
	logos_wire_put_handle(&w, LOGOS_TAG_LOOKUP_EP, c,
			      LOGOS_RIGHT_READ | LOGOS_RIGHT_WRITE | LOGOS_RIGHT_TRANSFER,
			      LOGOS_MSG_HANDLE_MOVE);
	logos_wire_put_u32(&w, LOGOS_TAG_LOOKUP_VERSION, best->version);
	if (logos_rpc_reply(sfd, m->ep, rx->msg.header.txn_id, &w))
		logos_handle_close(sfd, c);
	say("%s connected to %s (%s)", m->name, name, best->provider->name);
}

/* Everything a module sends on its bootstrap channel. */
static void on_bootstrap(struct logos_loop *l, logos_handle_t ep, uint32_t observed, void *arg)
{
	struct mod *m = arg;
	int i, ret;

	(void)l;
	for (i = 0; i < 32; i++) {
		ret = logos_rx_recv(sfd, ep, rx, 0);
		if (ret == -EBADMSG) {
			say("%s sent a malformed message", m->name);
			continue;
		}
		if (ret)
			break;
		switch (rx->wire.kind) {
		case LOGOS_BOOT_READY:
			m->ready = true;
			say("%s (module %u, pid %d) is ready", m->name, m->id, (int)m->pid);
			break;
		case LOGOS_BOOT_HEARTBEAT:
			m->heartbeats++;
			break;
		case LOGOS_BOOT_REGISTER:
			on_register(m);
			break;
		case LOGOS_BOOT_LOOKUP:
			on_lookup(m);
			break;
		default:
			if (rx->msg.header.flags & LOGOS_MSG_CALL)
				reply_error(m, EOPNOTSUPP, "logos-launch does not know this kind");
			break;
		}
		logos_rx_release(rx);
	}
	if (ret == -EPIPE || (observed & LOGOS_SIGNAL_REVOKED)) {
		logos_loop_unwatch(loop, m->watch);
		m->watch = 0;
	}
}

static int start(struct mod *m)
{
	logos_handle_t theirs;
	char hex[16], dir[PATH_MAX], wd[32];
	int mfd, ret;

	ret = logos_module_create(sfd, m->name, LOGOS_TRUST_USER, NULL, &m->handle, &mfd, &m->id);
	if (!ret)
		ret = logos_channel_create(sfd, 0, 0, &m->ep, &theirs);
	if (!ret)
		ret = logos_handle_give(sfd, m->handle, theirs,
					LOGOS_RIGHT_READ | LOGOS_RIGHT_WRITE | LOGOS_RIGHT_TRANSFER,
					LOGOS_GIVE_MOVE, &theirs);
	if (!ret)
		ret = logos_module_set_state(sfd, m->handle, LOGOS_STATE_INITIALIZING);
	if (!ret)
		ret = logos_loop_watch(loop, m->ep, LOGOS_SIGNAL_READABLE | LOGOS_SIGNAL_PEER_CLOSED,
				       0, on_bootstrap, m, &m->watch);
	if (ret) {
		say("cannot set up %s: %s", m->name, logos_strerror(ret));
		return ret;
	}
	snprintf(hex, sizeof(hex), "0x%x", theirs);
	if (snprintf(dir, sizeof(dir), "%s/%s", state_dir, m->name) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	mkdir(state_dir, 0700);
	mkdir(dir, 0700);
	m->pid = fork();
	if (m->pid < 0)
		return -errno;
	if (m->pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (dup2(mfd, LOGOS_MODULE_FD_DEFAULT) < 0)
			_exit(127);
		setenv(LOGOS_ENV_MODULE_FD, "3", 1);
		setenv(LOGOS_ENV_BOOTSTRAP, hex, 1);
		setenv(LOGOS_ENV_MODULE_NAME, m->name, 1);
		setenv(LOGOS_ENV_STATE_DIR, dir, 1);
		if (watchdog_usec) {
			snprintf(wd, sizeof(wd), "%llu", (unsigned long long)watchdog_usec);
			setenv(LOGOS_ENV_WATCHDOG_USEC, wd, 1);
		}
		execvp(m->argv[0], m->argv);
		fprintf(stderr, "logos-launch: cannot run %s: %s\n", m->argv[0], strerror(errno));
		_exit(127);
	}
	close(mfd);	/* the module's process holds it now */
	return 0;
}

static void reap(void)
{
	int status, i;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < nr_mods; i++) {
			if (mods[i].pid != pid)
				continue;
			mods[i].exited = true;
			mods[i].status = status;
			if (WIFEXITED(status))
				say("%s exited with status %d", mods[i].name, WEXITSTATUS(status));
			else
				say("%s was killed by signal %d", mods[i].name, WTERMSIG(status));
		}
	}
}

static bool quit;

static void on_signal(struct logos_loop *l, int fd, uint32_t events, void *arg)
{
	struct signalfd_siginfo si;

	(void)events;
	(void)arg;
	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			reap();
		} else {
			say("signal %u: stopping", si.ssi_signo);
			quit = true;
		}
	}
	(void)l;	/* run_until() re-checks what to do after each dispatch */
}

/* Runs the loop until @done() or the deadline (@until, CLOCK_MONOTONIC s). */
static bool run_until(bool (*done)(void *), void *arg, time_t until)
{
	struct timespec now;

	for (;;) {
		if (done(arg))
			return true;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (quit || now.tv_sec >= until)
			return false;
		logos_loop_dispatch(loop, 200);
	}
}

static bool is_ready(void *arg)
{
	struct mod *m = arg;

	return m->ready || m->exited;
}

static bool clients_done(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < nr_mods; i++) {
		if (mods[i].client && !mods[i].exited)
			return false;
	}
	return true;
}

static bool has_exited(void *arg)
{
	return ((struct mod *)arg)->exited;
}

static time_t deadline_in(int seconds)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec + seconds;
}

/* A call to a module on its bootstrap channel (PAUSE, TERMINATE). */
static int call(struct mod *m, uint16_t kind, uint32_t deadline_ms)
{
	struct logos_wire_writer w;
	int ret;

	logos_wire_writer_init(&w, txbuf, sizeof(txbuf), kind, 0, 0);
	if (kind == LOGOS_BOOT_TERMINATE)
		logos_wire_put_u32(&w, LOGOS_TAG_DEADLINE_MS, deadline_ms);
	ret = logos_rpc_call(sfd, m->ep, &w, rx, 5 * SEC);
	logos_rx_release(rx);
	return ret;
}

static void pause_resume(struct mod *m)
{
	int ret = call(m, LOGOS_BOOT_PAUSE, 0);

	if (!ret)
		ret = logos_module_set_state(sfd, m->handle, LOGOS_STATE_PAUSED);
	if (!ret)
		ret = logos_module_set_state(sfd, m->handle, LOGOS_STATE_RUNNING);
	if (!ret) {
		struct logos_wire_writer w;

		logos_wire_writer_init(&w, txbuf, sizeof(txbuf), LOGOS_BOOT_RESUME, 0, 0);
		ret = logos_wire_send(sfd, m->ep, &w, 0, SEC);
	}
	say("%s paused and resumed: %s", m->name, ret ? logos_strerror(ret) : "ok");
}

static void terminate(struct mod *m)
{
	int ret;

	if (m->exited)
		return;
	logos_module_set_state(sfd, m->handle, LOGOS_STATE_TERMINATING);
	ret = call(m, LOGOS_BOOT_TERMINATE, DEADLINE_MS);
	if (ret)
		say("%s did not answer TERMINATE: %s", m->name, logos_strerror(ret));
	if (!run_until(has_exited, m, deadline_in(DEADLINE_MS / 1000))) {
		say("%s missed its deadline: SIGKILL", m->name);
		kill(m->pid, SIGKILL);
		run_until(has_exited, m, deadline_in(5));
	}
}

static int parse(char *spec, bool client)
{
	struct mod *m = &mods[nr_mods];
	char *colon = strchr(spec, ':'), *tok, *save;
	int n = 0;

	if (nr_mods == MAX_MODULES || !colon || colon == spec ||
	    (size_t)(colon - spec) >= sizeof(m->name))
		return -1;
	memcpy(m->name, spec, (size_t)(colon - spec));
	for (tok = strtok_r(colon + 1, " ", &save); tok && n < 31; tok = strtok_r(NULL, " ", &save))
		m->argv[n++] = tok;
	if (!n)
		return -1;
	m->client = client;
	nr_mods++;
	return 0;
}

int main(int argc, char **argv)
{
	int opt, i, ret, timeout = 120, status = 0, sigfd;
	bool do_pause = false;
	sigset_t mask;

	while ((opt = getopt(argc, argv, "t:w:Pd:s:c:h")) != -1) {
		switch (opt) {
		case 't': timeout = atoi(optarg); break;
		case 'w': watchdog_usec = strtoull(optarg, NULL, 10) * 1000; break;
		case 'P': do_pause = true; break;
		case 'd': state_dir = optarg; break;
		case 's':
		case 'c':
			if (parse(optarg, opt == 'c')) {
				fprintf(stderr, "bad module spec '%s' (NAME:PROGRAM ARGS...)\n", optarg);
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: %s [-t SECONDS] [-w WATCHDOG_MS] [-P] [-d DIR] "
				"-s 'NAME:PROGRAM ARGS' ... -c 'NAME:PROGRAM ARGS' ...\n", argv[0]);
			return 2;
		}
	}
	if (!nr_mods) {
		fprintf(stderr, "%s: no module to run (-s or -c)\n", argv[0]);
		return 2;
	}
	sfd = logos_open();
	if (sfd < 0) {
		say("cannot open %s: %s", LOGOS_DEVICE_PATH, logos_strerror(sfd));
		return 1;
	}
	ret = logos_check_abi(sfd);
	if (!ret)
		ret = logos_loop_new(sfd, &loop);
	rx = logos_rx_new();
	if (ret || !rx) {
		say("%s", logos_strerror(ret ? ret : -ENOMEM));
		return 1;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	logos_loop_add_fd(loop, sigfd, EPOLLIN, on_signal, NULL);

	for (i = 0; i < nr_mods && !quit; i++) {
		if (start(&mods[i]) ||
		    !run_until(is_ready, &mods[i], deadline_in(30)) || mods[i].exited) {
			say("%s did not become ready", mods[i].name);
			status = 1;
			quit = true;
		}
	}
	if (do_pause && !quit) {
		for (i = 0; i < nr_mods; i++) {
			if (!mods[i].client && !mods[i].exited)
				pause_resume(&mods[i]);
		}
	}
	if (!quit && !run_until(clients_done, NULL, deadline_in(timeout)) && !quit) {
		say("timeout after %d s", timeout);
		status = 1;
	}
	for (i = nr_mods - 1; i >= 0; i--) {
		if (mods[i].pid > 0)
			terminate(&mods[i]);
	}
	for (i = 0; i < nr_mods; i++) {
		if (mods[i].pid <= 0 || !WIFEXITED(mods[i].status) || WEXITSTATUS(mods[i].status))
			status = 1;
		if (watchdog_usec && !mods[i].client)
			say("%s sent %u heartbeats", mods[i].name, mods[i].heartbeats);
		logos_handle_close(sfd, mods[i].ep);
		logos_handle_close(sfd, mods[i].handle);
	}
	logos_loop_free(loop);
	logos_rx_free(rx);
	close(sfd);
	return status;
}
