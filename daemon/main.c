// SPDX-License-Identifier: GPL-2.0
/*
 * logosd: the supervisor of Logos modules. Command line, then either a
 * one-shot command (cli.c) or the daemon.
 */
#include "cli.h"
#include "daemon.h"
#include "kernel.h"
#include "log.h"
#include "sign.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void print_errors(char **errs, bool audit)
{
	for (size_t i = 0; errs && errs[i]; i++) {
		log_err("config: %s", errs[i]);
		if (audit)
			AUDIT("config", "problem", errs[i]);
	}
}

/* SIGHUP and the control socket's "reload". Paths only change on restart. */
int reload_config(char ***errors)
{
	struct daemon_config nc;
	int ret;

	notify_send("RELOADING=1");
	ret = daemon_config_load(D.cfg.config_dir, &nc, errors);
	if (ret) {
		print_errors(*errors, true);
		daemon_config_free(&nc);
		notify_send("READY=1");
		return ret;
	}
#define KEEP(f) do { free(nc.f); nc.f = D.cfg.f; D.cfg.f = NULL; } while (0)
	KEEP(state_dir);
	KEEP(runtime_dir);
	KEEP(control_socket);
	KEEP(cgroup_root);
	KEEP(audit_path);
	KEEP(audit_key);
#undef KEEP
	/* the network is set up at start: its settings too change on restart only */
	{
		struct net_config keep = D.cfg.net;

		D.cfg.net = nc.net;
		nc.net = keep;
	}
	daemon_config_free(&D.cfg);
	D.cfg = nc;
	log_set_level(D.cfg.log_level);
	control_configure();
	D.audit.every = D.cfg.audit_checkpoint_every;
	D.audit.interval_ms = D.cfg.audit_checkpoint_ms;
	D.audit.max_size = D.cfg.audit_max_size;
	D.audit.keep = D.cfg.audit_keep;
	D.audit.mod_rate = D.cfg.audit_mod_rate;
	D.audit.mod_burst = D.cfg.audit_mod_burst;
	ret = sup_load(errors);
	print_errors(*errors, true);
	AUDIT("daemon", "event", "reload", "problems", strv_len(*errors) ? "yes" : "no");
	sup_autostart();
	notify_send("READY=1");
	return ret;
}

/*
 * The main loop waits on one epoll instance. Each watched fd's data says
 * what it is: a kind in the low bits and, for a module's fds, its
 * instance's serial above them (looked up again on every event, so an
 * event of an instance freed meanwhile finds nothing). No cap on the
 * number of modules but the fd limit (LimitNOFILE).
 */
#define KIND_BITS 3
#define KIND_MASK ((1ULL << KIND_BITS) - 1)

static int epfd = -1;

int loop_watch(int fd, enum fd_kind kind, uint64_t serial)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = serial << KIND_BITS | kind };

	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	return 0;
}

void loop_unwatch(int fd)
{
	if (fd >= 0)
		epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
}

static void reap(struct instance *in)
{
	siginfo_t si = { 0 };

	if (in->exited)
		return;
	if (waitid(P_PIDFD, in->pidfd, &si, WEXITED | WNOHANG) < 0 || si.si_pid == 0)
		return;
	in->exited = true;
	loop_unwatch(in->pidfd);	/* stays readable once reaped */
	instance_exit_status(in, &si);
	sup_on_exit(in);
}

static int setup(const char *config_dir, bool verbose)
{
	char **errs = calloc(1, sizeof(char *)), why[512];
	struct audit_cfg ac;
	int ret;

	if (crypto_setup()) {
		log_err("libsodium cannot start");
		return -EIO;
	}
	ret = daemon_config_load(config_dir, &D.cfg, &errs);
	print_errors(errs, false);
	strv_free(errs);
	if (ret) {
		log_err("refusing to start with errors in %s/logosd.conf", config_dir);
		return ret;
	}
	log_set_level(verbose ? LL_DEBUG : D.cfg.log_level);
	D.kfd = kernel_open(&D.kver, why, sizeof(why));
	if (D.kfd < 0) {
		log_err("%s", why);
		return D.kfd;
	}
	sandbox_probe(&D.feat);
	log_info("kernel ABI %u.%u; Landlock ABI %d; user namespaces %s", D.kver.major,
		 D.kver.minor, D.feat.landlock_abi, D.feat.user_ns ? "available" :
		 "unavailable (modules run under a uid of their own instead)");
	ret = cgroup_setup(D.cfg.cgroup_root, &D.cg, why, sizeof(why));
	if (ret) {
		log_err("cgroup: %s", why);
		return ret;
	}
	mkdir_p(D.cfg.runtime_dir, 0755);
	ret = mkdir_p(D.cfg.state_dir, 0755);
	if (ret) {
		log_err("cannot create StateDirectory %s: %s", D.cfg.state_dir, strerror(-ret));
		return ret;
	}
	ac = (struct audit_cfg){
		.path = D.cfg.audit_path, .key_path = D.cfg.audit_key,
		.max_size = D.cfg.audit_max_size, .keep = D.cfg.audit_keep,
		.every = D.cfg.audit_checkpoint_every, .interval_ms = D.cfg.audit_checkpoint_ms,
		.mod_rate = D.cfg.audit_mod_rate, .mod_burst = D.cfg.audit_mod_burst,
	};
	ret = audit_open(&D.audit, &ac, why, sizeof(why));
	if (ret) {
		log_err("audit: %s: refusing to run without an audit log", why);
		return ret;
	}
	D.audit_ok = true;
	D.audit.tap = control_publish;
	snprintf(why, sizeof(why), "%u.%u", D.kver.major, D.kver.minor);
	AUDIT("daemon", "event", "start", "kernel_abi", why, "config", config_dir,
	      "dev_mode", D.cfg.dev_mode ? "yes" : "no");
	/*
	 * Without the node's network (no bridge or nf_tables in the kernel)
	 * logosd still runs: the modules without [Network] Allow need none,
	 * the others are refused with the reason.
	 */
	if (net_init(why, sizeof(why))) {
		log_err("network: %s: modules with [Network] Allow = yes will not start", why);
		AUDIT("network", "event", "unavailable", "reason", why);
	}
	ret = boot_setup();
	if (!ret)
		ret = control_open(why, sizeof(why));
	if (ret) {
		log_err("control: %s", why);
		return ret;
	}
	events_open();
	errs = calloc(1, sizeof(char *));
	sup_load(&errs);
	print_errors(errs, true);
	strv_free(errs);
	return 0;
}

static void on_signal(int sigfd)
{
	struct signalfd_siginfo si;

	while (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			char **errs = calloc(1, sizeof(char *));

			log_notice("SIGHUP: reloading the configuration");
			reload_config(&errs);
			strv_free(errs);
		} else if (!D.shutting_down) {
			log_notice("signal %d: stopping every module", si.ssi_signo);
			notify_send("STOPPING=1");
			AUDIT("daemon", "event", "shutdown requested");
			D.shutdown_deadline_ms = now_ms() + D.cfg.shutdown_timeout_ms;
			sup_shutdown();
			/* no new commands while stopping */
			loop_unwatch(control_fd());
		}
	}
}

static void on_event(const struct epoll_event *ev, int sigfd)
{
	enum fd_kind kind = ev->data.u64 & KIND_MASK;
	struct instance *in = NULL;

	if (kind == FD_PIDFD || kind == FD_OUTPUT) {
		in = sup_instance(ev->data.u64 >> KIND_BITS);
		if (!in)
			return;
	}
	switch (kind) {
	case FD_SIGNAL:
		on_signal(sigfd);
		break;
	case FD_KERNEL:
		boot_watch_ready();
		break;
	case FD_CALLS:
		boot_calls_done();
		break;
	case FD_EVENTS:
		events_read();
		break;
	case FD_CONTROL:
		control_handle();
		break;
	case FD_PIDFD:
		reap(in);
		break;
	case FD_QUOTA:
		sup_quota_event();
		break;
	case FD_OUTPUT:
		if (in->out_fd < 0)
			break;
		instance_output(in);
		if (ev->events & (EPOLLHUP | EPOLLERR) && !(ev->events & EPOLLIN)) {
			close(in->out_fd);	/* leaves the epoll set with it */
			in->out_fd = -1;
		}
		break;
	}
}

static int run_daemon(const char *config_dir, bool verbose)
{
	struct epoll_event ev[64];
	uint64_t sd_wd = 0, sd_next = 0;
	sigset_t mask;
	int sigfd, ret;

	signal(SIGPIPE, SIG_IGN);
	/* no core dumps, no ptrace by other root processes without
	 * CAP_SYS_PTRACE: the audit key is in this process */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (sigfd < 0 || epfd < 0) {
		log_err("cannot make the main loop's %s: %m", sigfd < 0 ? "signalfd" : "epoll fd");
		return 1;
	}
	ret = setup(config_dir, verbose);
	if (ret)
		return 1;
	if (loop_watch(sigfd, FD_SIGNAL, 0) || loop_watch(D.kfd, FD_KERNEL, 0) ||
	    loop_watch(D.call_pipe[0], FD_CALLS, 0) ||
	    (events_fd() >= 0 && loop_watch(events_fd(), FD_EVENTS, 0)) ||
	    loop_watch(control_fd(), FD_CONTROL, 0)) {
		log_err("cannot watch logosd's own fds: %m");
		return 1;
	}
	sup_autostart();
	notify_send("READY=1\nSTATUS=supervising");
	sd_wd = notify_watchdog_usec() / 2000;
	log_notice("logosd ready: %zu module(s), control socket %s", D.nr_mods,
		   D.cfg.control_socket);
	for (;;) {
		uint64_t now = now_ms(), next = sup_next_deadline();
		int n, timeout;

		if (!D.shutting_down)
			control_prepare();
		if (sd_wd)
			next = MIN(next, sd_next);
		if (D.shutting_down)
			next = MIN(next, D.shutdown_deadline_ms + 1);
		/* no deadline: sleep until an event (no periodic wake-up) */
		timeout = next == UINT64_MAX ? -1 : next > now ? (int)MIN(next - now, INT_MAX) : 0;
		n = epoll_wait(epfd, ev, ARRAY_SIZE(ev), timeout);
		if (n < 0 && errno != EINTR) {
			log_err("epoll_wait: %m");
			break;
		}
		for (int i = 0; i < n; i++)
			on_event(&ev[i], sigfd);
		now = now_ms();
		sup_tick(now);
		if (sd_wd && now >= sd_next) {
			notify_send("WATCHDOG=1");
			sd_next = now + sd_wd;
		}
		if (D.shutting_down) {
			if (sup_all_stopped())
				break;
			if (now > D.shutdown_deadline_ms) {
				log_warn("shutdown: modules still running after ShutdownTimeout: killing them");
				for (size_t i = 0; i < D.nr_mods; i++) {
					if (D.mods[i]->cur)
						instance_kill(D.mods[i]->cur);
				}
				D.shutdown_deadline_ms = now + 5000;
			}
		}
	}
	net_exit();
	AUDIT("daemon", "event", "stop");
	audit_close(&D.audit);
	unlink(D.cfg.control_socket);
	log_notice("logosd stopped");
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: logosd [--config-dir DIR] [--verbose]     run the supervisor (foreground)\n"
		"       logosd --check-config [--config-dir DIR]  parse logosd.conf and modules.d/\n"
		"       logosd --keygen PREFIX [--max-trust LEVEL] [--comment TEXT] [--not-after YYYY-MM-DD]\n"
		"       logosd --sign KEY MANIFEST                write MANIFEST.sig\n"
		"       logosd --verify MANIFEST [--config-dir DIR]\n"
		"       logosd --audit-verify FILE... [--key PUB] [--anchors FILE]\n"
		"                                                 oldest file first\n");
}

int main(int argc, char **argv)
{
	enum { OPT_KEYGEN = 256, OPT_SIGN, OPT_VERIFY, OPT_AUDIT_VERIFY, OPT_CHECK,
	       OPT_MAX_TRUST, OPT_COMMENT, OPT_KEY, OPT_ANCHORS, OPT_NOT_AFTER };
	static const struct option opts[] = {
		{ "config-dir", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "keygen", required_argument, NULL, OPT_KEYGEN },
		{ "sign", required_argument, NULL, OPT_SIGN },
		{ "verify", required_argument, NULL, OPT_VERIFY },
		{ "audit-verify", no_argument, NULL, OPT_AUDIT_VERIFY },
		{ "check-config", no_argument, NULL, OPT_CHECK },
		{ "max-trust", required_argument, NULL, OPT_MAX_TRUST },
		{ "comment", required_argument, NULL, OPT_COMMENT },
		{ "key", required_argument, NULL, OPT_KEY },
		{ "anchors", required_argument, NULL, OPT_ANCHORS },
		{ "not-after", required_argument, NULL, OPT_NOT_AFTER },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_dir = "/etc/logos", *keygen_prefix = NULL, *sign_key = NULL;
	const char *verify = NULL, *max_trust = NULL, *comment = NULL, *key = NULL;
	const char *anchors = NULL;
	const char *not_after = NULL;
	bool audit_verify = false, check = false, verbose = false;
	int c;

	log_init();
	while ((c = getopt_long(argc, argv, "c:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config_dir = optarg; break;
		case 'v': verbose = true; break;
		case 'h': usage(stdout); return 0;
		case OPT_KEYGEN: keygen_prefix = optarg; break;
		case OPT_SIGN: sign_key = optarg; break;
		case OPT_VERIFY: verify = optarg; break;
		case OPT_AUDIT_VERIFY: audit_verify = true; break;
		case OPT_CHECK: check = true; break;
		case OPT_MAX_TRUST: max_trust = optarg; break;
		case OPT_COMMENT: comment = optarg; break;
		case OPT_KEY: key = optarg; break;
		case OPT_ANCHORS: anchors = optarg; break;
		case OPT_NOT_AFTER: not_after = optarg; break;
		default: usage(stderr); return 2;
		}
	}
	if (keygen_prefix || sign_key) {
		if (crypto_setup()) {
			fprintf(stderr, "logosd: libsodium cannot start\n");
			return 1;
		}
	}
	if (keygen_prefix)
		return cli_keygen(keygen_prefix, max_trust, comment, not_after);
	if (sign_key) {
		if (optind != argc - 1) {
			usage(stderr);
			return 2;
		}
		return cli_sign(sign_key, argv[optind]);
	}
	if (verify)
		return cli_verify(config_dir, verify);
	if (check)
		return cli_check_config(config_dir);
	if (audit_verify) {
		if (optind >= argc) {
			usage(stderr);
			return 2;
		}
		return cli_audit_verify(config_dir, key, anchors, argv + optind, argc - optind);
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	return run_daemon(config_dir, verbose);
}
