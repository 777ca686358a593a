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
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_FDS 512

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
	daemon_config_free(&D.cfg);
	D.cfg = nc;
	log_set_level(D.cfg.log_level);
	D.audit.every = D.cfg.audit_checkpoint_every;
	D.audit.interval_ms = D.cfg.audit_checkpoint_ms;
	D.audit.max_size = D.cfg.audit_max_size;
	D.audit.keep = D.cfg.audit_keep;
	ret = sup_load(errors);
	print_errors(*errors, true);
	AUDIT("daemon", "event", "reload", "problems", strv_len(*errors) ? "yes" : "no");
	sup_autostart();
	notify_send("READY=1");
	return ret;
}

/* What each pollfd stands for. */
enum fd_kind { FD_SIGNAL, FD_KERNEL, FD_CALLS, FD_EVENTS, FD_PIDFD, FD_OUTPUT };

struct fd_ref {
	enum fd_kind kind;
	uint64_t serial;
};

static void add_fd(struct pollfd *p, struct fd_ref *r, int *n, int fd, enum fd_kind k,
		   uint64_t serial)
{
	if (fd < 0 || *n >= MAX_FDS)
		return;
	p[*n] = (struct pollfd){ .fd = fd, .events = POLLIN };
	r[*n] = (struct fd_ref){ .kind = k, .serial = serial };
	(*n)++;
}

static void add_instance(struct pollfd *p, struct fd_ref *r, int *n, struct instance *in)
{
	if (!in)
		return;
	if (!in->exited)
		add_fd(p, r, n, in->pidfd, FD_PIDFD, in->serial);
	add_fd(p, r, n, in->out_fd, FD_OUTPUT, in->serial);
}

static void reap(struct instance *in)
{
	siginfo_t si = { 0 };

	if (in->exited)
		return;
	if (waitid(P_PIDFD, in->pidfd, &si, WEXITED | WNOHANG) < 0 || si.si_pid == 0)
		return;
	in->exited = true;
	in->exit_code = si.si_code;
	in->exit_status = si.si_status;
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

static int run_daemon(const char *config_dir, bool verbose)
{
	static struct pollfd p[MAX_FDS];
	static struct fd_ref r[MAX_FDS];
	uint64_t sd_wd = 0, sd_next = 0;
	struct signalfd_siginfo si;
	sigset_t mask;
	int sigfd, ret;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	ret = setup(config_dir, verbose);
	if (ret)
		return 1;
	sup_autostart();
	notify_send("READY=1\nSTATUS=supervising");
	sd_wd = notify_watchdog_usec() / 2000;
	log_notice("logosd ready: %zu module(s), control socket %s", D.nr_mods,
		   D.cfg.control_socket);
	for (;;) {
		uint64_t now = now_ms(), next = sup_next_deadline();
		int n = 0, ctl_start, timeout;

		add_fd(p, r, &n, sigfd, FD_SIGNAL, 0);
		add_fd(p, r, &n, D.kfd, FD_KERNEL, 0);
		add_fd(p, r, &n, D.call_pipe[0], FD_CALLS, 0);
		add_fd(p, r, &n, events_fd(), FD_EVENTS, 0);
		for (size_t i = 0; i < D.nr_mods; i++) {
			add_instance(p, r, &n, D.mods[i]->cur);
			add_instance(p, r, &n, D.mods[i]->next);
			add_instance(p, r, &n, D.mods[i]->old);
		}
		ctl_start = n;
		if (!D.shutting_down)
			control_poll_fds(p, &n, MAX_FDS);
		if (sd_wd)
			next = MIN(next, sd_next);
		timeout = next > now ? (int)MIN(next - now, 1000) : 0;
		if (poll(p, n, timeout) < 0 && errno != EINTR) {
			log_err("poll: %m");
			break;
		}
		for (int i = 0; i < ctl_start; i++) {
			struct instance *in;

			if (!p[i].revents)
				continue;
			switch (r[i].kind) {
			case FD_SIGNAL:
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
					}
				}
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
			case FD_PIDFD:
				in = sup_instance(r[i].serial);
				if (in)
					reap(in);
				break;
			case FD_OUTPUT:
				in = sup_instance(r[i].serial);
				if (in && in->out_fd >= 0) {
					instance_output(in);
					if (p[i].revents & (POLLHUP | POLLERR) && !(p[i].revents & POLLIN)) {
						close(in->out_fd);
						in->out_fd = -1;
					}
				}
				break;
			}
		}
		control_handle(p + ctl_start, n - ctl_start);
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
		"       logosd --keygen PREFIX [--max-trust LEVEL] [--comment TEXT]\n"
		"       logosd --sign KEY MANIFEST                write MANIFEST.sig\n"
		"       logosd --verify MANIFEST [--config-dir DIR]\n"
		"       logosd --audit-verify FILE... [--key PUB] oldest file first\n");
}

int main(int argc, char **argv)
{
	enum { OPT_KEYGEN = 256, OPT_SIGN, OPT_VERIFY, OPT_AUDIT_VERIFY, OPT_CHECK,
	       OPT_MAX_TRUST, OPT_COMMENT, OPT_KEY };
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
		{ NULL, 0, NULL, 0 },
	};
	const char *config_dir = "/etc/logos", *keygen_prefix = NULL, *sign_key = NULL;
	const char *verify = NULL, *max_trust = NULL, *comment = NULL, *key = NULL;
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
		return cli_keygen(keygen_prefix, max_trust, comment);
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
		return cli_audit_verify(config_dir, key, argv + optind, argc - optind);
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	return run_daemon(config_dir, verbose);
}
