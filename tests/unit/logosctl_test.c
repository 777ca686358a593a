// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl on the host, without logos.ko: usage errors and exit statuses,
 * --help of every subcommand, "logosd is not running", and what logosctl
 * makes of logosd's answers, served by a fake control socket that answers
 * each "cmd" with a canned line (and, for subscribe, a few events). That
 * --json output is JSON is checked with json-c.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon_test.h"

#define LOGOSCTL TOP "/build/tools/logosctl"

static char dir[] = "/tmp/logosctl-test.XXXXXX";
static char sock[256], out[1 << 16], err[1 << 16];
static pid_t server;

struct canned {
	const char *cmd;
	const char *answer;	/* may hold several lines */
};

static void serve(int fd, const struct canned *c)
{
	char buf[8192];
	size_t len = 0;
	ssize_t n;

	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0) {
		char *nl;

		len += n;
		buf[len] = 0;
		while ((nl = strchr(buf, '\n'))) {
			const char *a = "{\"ok\":false,\"error\":\"unknown command\",\"errno\":95}";
			char want[64];

			*nl = 0;
			for (int i = 0; c[i].cmd; i++) {
				snprintf(want, sizeof(want), "\"cmd\":\"%s\"", c[i].cmd);
				if (strstr(buf, want)) {
					a = c[i].answer;
					break;
				}
			}
			if (write(fd, a, strlen(a)) < 0 || write(fd, "\n", 1) < 0)
				return;
			len -= nl + 1 - buf;
			memmove(buf, nl + 1, len + 1);
		}
	}
}

/* A fake logosd on sock answering from @c until stop_server(). */
static void start_server(const struct canned *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	unlink(sock);
	strcpy(sa.sun_path, sock);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 8)) {
		perror("fake logosd");
		exit(1);
	}
	server = fork();
	if (server == 0) {
		for (;;) {
			int cfd = accept(fd, NULL, NULL);

			if (cfd < 0)
				_exit(0);
			if (fork() == 0) {
				serve(cfd, c);
				_exit(0);
			}
			close(cfd);
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
		}
	}
	close(fd);
}

static void stop_server(void)
{
	if (server > 0) {
		kill(server, SIGKILL);
		waitpid(server, NULL, 0);
	}
	server = 0;
	unlink(sock);
}

static void slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? 0 : read(fd, buf, cap - 1);

	buf[n > 0 ? n : 0] = 0;
	if (fd >= 0)
		close(fd);
}

/* logosctl ARGS... (NULL-terminated); its exit status, out and err. */
static int run(const char *arg, ...)
{
	const char *argv[32] = { "logosctl" };
	char o[300], e[300];
	int n = 1, status;
	va_list ap;
	pid_t pid;

	va_start(ap, arg);
	for (; arg && n < 31; arg = va_arg(ap, const char *))
		argv[n++] = arg;
	va_end(ap);
	argv[n] = NULL;
	snprintf(o, sizeof(o), "%s/out", dir);
	snprintf(e, sizeof(e), "%s/err", dir);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int fo = open(o, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int fe = open(e, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(fo, 1);
		dup2(fe, 2);
		execv(LOGOSCTL, (char *const *)argv);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	slurp(o, out, sizeof(out));
	slurp(e, err, sizeof(err));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Every line of @s is a JSON object. */
static bool json_lines(const char *s)
{
	char *copy = strdup(s), *save, *line;
	int n = 0;
	bool ok = true;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_object *o = json_tokener_parse(line);

		ok &= o && json_object_is_type(o, json_type_object);
		json_object_put(o);
		n++;
	}
	free(copy);
	return ok && n > 0;
}

/* The JSON value at "a.b" of the one object in @s, as a string. */
static const char *member(const char *s, const char *path)
{
	static char buf[256];
	json_object *o = json_tokener_parse(s), *v = o;
	char p[128], *save, *k;

	strcpy(p, path);
	for (k = strtok_r(p, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(v, k, &v))
			v = NULL;
	snprintf(buf, sizeof(buf), "%s", v ? json_object_get_string(v) : "(absent)");
	json_object_put(o);
	return buf;
}

/* What bash completion offers for @line (ending where the cursor is),
 * sorted, blank-separated, into @buf. */
static bool complete(const char *line, char *buf)
{
	char cmd[1024];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd),
		 "PATH=%s/build/tools:$PATH bash -c '. /usr/share/bash-completion/bash_completion; "
		 ". %s/tools/completion/logosctl.bash; COMP_LINE=\"%s\"; COMP_POINT=${#COMP_LINE}; "
		 "read -ra COMP_WORDS <<<\"$COMP_LINE\"; [[ $COMP_LINE == *\" \" ]] && COMP_WORDS+=(\"\"); "
		 "COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _logosctl; printf \"%%s\\n\" \"${COMPREPLY[@]}\" | sort | xargs'",
		 TOP, TOP, line);
	p = popen(cmd, "r");
	if (!p)
		return false;
	n = fread(buf, 1, 1000, p);
	buf[n] = 0;
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = 0;
	return pclose(p) == 0;
}

static const char *const subcommands[] = {
	"list", "status", "start", "stop", "restart", "pause", "resume", "reload", "update",
	"rollback", "services", "top", "handles", "quota", "grants", "stats", "monitor", "audit", "keygen",
	"sign", "verify", "version",
	"key",
};

/* logosctl key: endorse, list, show, revoke (files of LOGOS_CONFIG=dir) */
static void key_tests(void)
{
	static const struct canned reload[] = {
		{ "reload", "{\"problems\":[],\"ok\":true}" },
		{ NULL, NULL },
	};
	char cmd[1500], root[300], k1[300], pub[300], rootid[32], k1id[32], text[4096], want[200];
	int rc;

	snprintf(root, sizeof(root), "%s/root", dir);
	snprintf(k1, sizeof(k1), "%s/k1", dir);
	snprintf(pub, sizeof(pub), "%s/trusted.d/endorsed/k1.pub", dir);
	rc = run("keygen", root, "--max-trust", "system", NULL) | run("keygen", k1, "--max-trust", "core", NULL);
	snprintf(cmd, sizeof(cmd), "echo 'Role = endorse' >>%s.pub && mkdir -p %s/trusted.d/endorsed && cp %s.pub %s/trusted.d/",
		 root, dir, root, dir);
	CHECK(rc == 0 && system(cmd) == 0, "keys root (Role = endorse, in trusted.d) and k1");
	rc = run("key", "endorse", "root.key", NULL);
	CHECK(rc == 2, "key endorse without NEW.pub: exit 2");
	snprintf(cmd, sizeof(cmd), "%s.key", root);
	snprintf(text, sizeof(text), "%s.pub", k1);
	rc = run("key", "endorse", cmd, text, "--max-trust", "godlike", NULL);
	CHECK(rc == 2 && strstr(err, "--max-trust must be"), "key endorse --max-trust godlike: exit 2");
	rc = run("key", "endorse", cmd, text, "--max-trust", "user", "--not-after", "2099-12-31", NULL);
	CHECK(rc == 0 && strstr(out, "wrote ") && strstr(out, "max trust user"),
	      "key endorse writes NEW.pub.endorsement (%s)", out);
	snprintf(cmd, sizeof(cmd), "cp %s.pub %s.pub.endorsement %s/trusted.d/endorsed/", k1, k1, dir);
	CHECK(system(cmd) == 0, "k1 and its endorsement into trusted.d/endorsed/");
	rc = run("key", "show", pub, "--json", NULL);
	snprintf(k1id, sizeof(k1id), "%s", member(out, "id"));
	snprintf(rootid, sizeof(rootid), "%s", member(out, "endorsement.by"));
	CHECK(rc == 0 && strlen(k1id) == 16 && strlen(rootid) == 16 &&
	      !strcmp(member(out, "endorsement.key"), k1id) &&
	      !strcmp(member(out, "endorsement.max_trust"), "user") &&
	      !strcmp(member(out, "endorsement.not_after"), "2099-12-31"),
	      "key show --json: the key and what its endorsement says");
	rc = run("key", "list", NULL);
	snprintf(want, sizeof(want), "%s Ed  sign, endorse user      2099-12-31 no               %s ",
		 k1id, rootid);
	CHECK(rc == 0 && strstr(out, want) && strstr(out, "endorse       system"),
	      "key list: the endorsed key with its bounded limits and its endorser (%s)", out);
	rc = run("key", "revoke", "0123", NULL);
	CHECK(rc == 2 && strstr(err, "not a key id"), "key revoke of a non-id: exit 2");
	stop_server();
	rc = run("key", "revoke", rootid, NULL);
	snprintf(cmd, sizeof(cmd), "%s/trusted.d/revoked", dir);
	slurp(cmd, text, sizeof(text));
	CHECK(rc == 0 && strstr(out, "logosd is not running") && !strncmp(text, rootid, 16),
	      "key revoke without logosd: the id appended to trusted.d/revoked, said");
	rc = run("key", "list", "--json", NULL);
	snprintf(want, sizeof(want), "\"id\":\"%s\",\"algorithm\":\"Ed\",\"role\":\"sign, endorse\",\"max_trust\":\"user\",\"not_after\":\"2099-12-31\",\"revoked\":true,\"revoked_by\":\"%s\"",
		 k1id, rootid);
	CHECK(rc == 0 && json_lines(out) && strstr(out, want),
	      "key list --json: the endorsed key is revoked with its root");
	start_server(reload);
	rc = run("key", "revoke", pub, "--json", NULL);
	slurp(cmd, text, sizeof(text));
	CHECK(rc == 0 && json_lines(out) && !strcmp(member(out, "reloaded"), "true") &&
	      !strncmp(text, rootid, 16) && strstr(text, k1id),
	      "key revoke PUB with logosd: appended (the old line kept), logosd reloaded");
	stop_server();
	CHECK(complete("logosctl key ", text) && !strcmp(text, "endorse list revoke show"),
	      "completion: key list|show|endorse|revoke (%s)", text);
	CHECK(complete("logosctl key endorse x.key y.pub --", text) && strstr(text, "--max-trust") &&
	      strstr(text, "--not-after"), "completion: key endorse options (%s)", text);
}

#define RUNNING "{\"modules\":[{\"name\":\"kv\",\"state\":\"running\",\"version\":\"1.4\"," \
	"\"pid\":42,\"restarts\":0,\"last_error\":\"\",\"updating\":false,\"trust\":\"user\"}],\"ok\":true}"

int main(void)
{
	char path[300];
	int rc;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(sock, sizeof(sock), "%s/control", dir);
	setenv("LOGOS_CONTROL", sock, 1);
	setenv("LOGOS_CONFIG", dir, 1);	/* no logosd.conf: defaults */

	/* ---- usage ---- */
	rc = run(NULL);
	CHECK(rc == 2 && strstr(err, "Usage: logosctl <cmd>"), "no subcommand: usage, exit 2");
	rc = run("help", NULL);
	CHECK(rc == 0 && strstr(out, "Exit status:") && strstr(out, "3  logosd is not running"),
	      "help: the subcommands and the exit statuses, exit 0");
	rc = run("frobnicate", NULL);
	CHECK(rc == 2 && strstr(err, "invalid subcommand 'frobnicate'"), "unknown subcommand: exit 2");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		char want[64];

		snprintf(want, sizeof(want), "Usage: logosctl %s", subcommands[i]);
		rc = run(subcommands[i], "--help", NULL);
		CHECK(rc == 0 && strstr(out, want) && strstr(out, "[--json]"),
		      "%s --help: its usage on stdout, exit 0", subcommands[i]);
	}
	rc = run("start", NULL);
	CHECK(rc == 2 && strstr(err, "Usage: logosctl start NAME"), "start without NAME: exit 2");
	rc = run("start", "a", "b", NULL);
	CHECK(rc == 2, "start with two names: exit 2");
	rc = run("start", "kv", "--timeout", "soon", NULL);
	CHECK(rc == 2 && strstr(err, "--timeout takes seconds"), "start --timeout soon: exit 2");
	rc = run("update", "kv", NULL);
	CHECK(rc == 2, "update without MANIFEST: exit 2");
	rc = run("audit", NULL);
	CHECK(rc == 2 && strstr(err, "show"), "audit without show/verify: exit 2");
	rc = run("monitor", "-n", "0", NULL);
	CHECK(rc == 2, "monitor -n 0: exit 2");
	rc = run("quota", "kv", "bogus=1", NULL);
	CHECK(rc == 2 && strstr(err, "unknown resource 'bogus'"), "quota of an unknown resource: exit 2");

	/* ---- logosd is not running ---- */
	rc = run("start", "kv", NULL);
	CHECK(rc == 3, "start without logosd: exit 3");
	CHECK(strstr(err, "logosd is not running (no socket at ") && strstr(err, sock) &&
	      strstr(err, "start it with systemctl start logosd"),
	      "... says so, where it looked, and what to do");
	rc = run("services", "--json", NULL);
	CHECK(rc == 3 && !*out, "services --json without logosd: exit 3, nothing on stdout");
	{	/* a socket file nobody listens on (logosd was killed) */
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);

		strcpy(sa.sun_path, sock);
		bind(fd, (struct sockaddr *)&sa, sizeof(sa));
		close(fd);
		rc = run("stop", "kv", NULL);
		CHECK(rc == 3 && strstr(err, "nobody listens on"), "a stale socket: exit 3, nobody listens");
		unlink(sock);
	}
	rc = run("list", NULL);
	CHECK(rc == 6 && strstr(err, "logosd is not running") && strstr(err, "logos.ko is not loaded"),
	      "list with neither logosd nor logos.ko: both said, exit 6");
	rc = run("status", "kv", NULL);
	CHECK(rc == 6, "status with neither: exit 6");
	rc = run("version", "--json", NULL);
	CHECK(rc == 6 && json_lines(out) &&
	      strstr(out, "\"ioctl\":null"), "version --json without logos.ko: exit 6, ioctl null");
	rc = run("top", "-n", "x", NULL);
	CHECK(rc == 2, "top -n x: exit 2");
	rc = run("quota", "kv", "handles=10", "--persist", NULL);
	CHECK(rc == 3 && strstr(err, "--persist needs logosd"), "quota --persist without logosd: exit 3");

	/* ---- a fake logosd ---- */
	{
		static const struct canned c[] = {
			{ "list", "{\"modules\":[{\"name\":\"kv\",\"state\":\"running\",\"version\":\"1.4\",\"pid\":42,\"restarts\":2,\"last_error\":\"\",\"updating\":false,\"kernel_module_id\":7},{\"name\":\"idle\",\"state\":\"stopped\",\"version\":\"0.9\",\"pid\":0,\"restarts\":0,\"last_error\":\"\",\"updating\":false}],\"ok\":true}" },
			{ "start", "{\"ok\":true}" },
			{ "stop", "{\"ok\":false,\"error\":\"kv is already stopped\",\"errno\":114}" },
			{ "pause", "{\"ok\":false,\"error\":\"no module named nope\",\"errno\":2}" },
			{ "resume", "{\"ok\":false,\"error\":\"kv is not paused\",\"errno\":22}" },
			{ "restart", "{\"ok\":false,\"error\":\"permission denied: restart needs root or group logos; uid 1000 may only read (list, status, services, audit, version, subscribe)\",\"errno\":1}" },
			{ "status", RUNNING },
			{ "quota", "{\"ok\":true}" },
			{ "rollback", "{\"ok\":false,\"error\":\"no earlier version of kv is kept: it has not been updated here\",\"errno\":61}" },
			{ "services", "{\"services\":[{\"service\":\"kv\",\"version\":\"1.4\",\"module\":\"kv\",\"capabilities\":\"get,put\",\"active\":true,\"clients\":2}],\"connections\":[{\"client\":\"wallet\",\"service\":\"kv\",\"version\":\"1.4\",\"provider\":\"kv\",\"state\":\"up\"}],\"ok\":true}" },
			{ "reload", "{\"problems\":[\"/etc/logos/modules.d/x.module:3: syntax error\"],\"ok\":true}" },
			{ "subscribe", "{\"seq\":10,\"ok\":true}\n"
				"{\"event\":{\"seq\":11,\"time\":\"t\",\"type\":\"admin\",\"command\":\"start\",\"module\":\"kv\"}}\n"
				"{\"dropped\":3}\n"
				"{\"event\":{\"seq\":15,\"time\":\"t\",\"type\":\"lifecycle\",\"module\":\"kv\",\"to\":\"running\"}}" },
			{ NULL, NULL },
		};

		start_server(c);
		rc = run("start", "kv", NULL);
		CHECK(rc == 0 && strstr(out, "kv: running (version 1.4, pid 42)"),
		      "start: waits for running, says version and pid");
		rc = run("start", "kv", "--json", NULL);
		CHECK(rc == 0 && json_lines(out) && !strcmp(member(out, "state"), "running"),
		      "start --json: the module's status as JSON");
		rc = run("start", "kv", "--no-wait", NULL);
		CHECK(rc == 0 && strstr(out, "kv: starting"), "start --no-wait");
		rc = run("stop", "kv", "--no-wait", NULL);
		CHECK(rc == 0 && strstr(err, "already stopped"), "stop of a stopped module: exit 0, said");
		rc = run("pause", "nope", NULL);
		CHECK(rc == 4 && strstr(err, "no module named nope: see 'logosctl list'"),
		      "no such module: exit 4");
		rc = run("resume", "kv", NULL);
		CHECK(rc == 1 && strstr(err, "logosctl: kv is not paused"),
		      "a refusal: logosd's sentence, exit 1");
		rc = run("restart", "kv", NULL);
		CHECK(rc == 5 && strstr(err, "logosctl: permission denied: restart needs root or group logos; uid 1000 may only read"),
		      "refused by logosd's role check (EPERM): logosd's sentence, exit 5");
		rc = run("quota", "kv", "handles=10", "--persist", NULL);
		CHECK(rc == 0 && strstr(out, "kv: handles limit set to 10 (by logosd, audited; kept for its later starts)"),
		      "quota of a module logosd supervises: through logosd, audited, kept");
		rc = run("rollback", "kv", NULL);
		CHECK(rc == 1 && strstr(err, "logosctl: no earlier version of kv is kept"),
		      "rollback with nothing kept: logosd's sentence, exit 1");
		rc = run("services", NULL);
		CHECK(rc == 0 && strstr(out, "kv ") && strstr(out, "wallet") && strstr(out, "get,put"),
		      "services: both tables");
		rc = run("services", "--json", NULL);
		CHECK(rc == 0 && json_lines(out) && !strcmp(member(out, "connections"),
		      "[ { \"client\": \"wallet\", \"service\": \"kv\", \"version\": \"1.4\", \"provider\": \"kv\", \"state\": \"up\" } ]"),
		      "services --json");
		rc = run("reload", NULL);
		CHECK(rc == 1 && strstr(err, "x.module:3: syntax error") && strstr(out, "1 problem"),
		      "reload: problems on stderr, exit 1");
		rc = run("reload", "--json", NULL);
		CHECK(rc == 1 && json_lines(out), "reload --json");
		rc = run("list", NULL);
		CHECK(rc == 0 && strstr(err, "logos.ko is not loaded") && strstr(err, "logosd's view only"),
		      "list without logos.ko: logosd's view, said on stderr");
		CHECK(strstr(out, "kv ") && strstr(out, "1.4") && strstr(out, "idle ") &&
		      strstr(out, "stopped"), "list: logosd's modules");
		rc = run("list", "--json", NULL);
		CHECK(rc == 0 && json_lines(out) && !strcmp(member(out, "kernel"), "false") &&
		      !strcmp(member(out, "logosd"), "true"), "list --json: which views it has");
		rc = run("status", "kv", "--json", NULL);
		CHECK(rc == 0 && json_lines(out) && !strcmp(member(out, "logosd.version"), "1.4"),
		      "status --json: logosd's view");
		CHECK(complete("logosctl st", out) && !strcmp(out, "start stats status stop"),
		      "completion: subcommands (%s)", out);
		CHECK(complete("logosctl start ", out) && !strcmp(out, "idle kv"),
		      "completion: module names from logosd (%s)", out);
		CHECK(complete("logosctl stop kv --", out) && strstr(out, "--no-wait") &&
		      strstr(out, "--timeout"), "completion: options after the name (%s)", out);
		CHECK(complete("logosctl quota kv mem", out) && !strcmp(out, "memory_pages="),
		      "completion: quota resources (%s)", out);
		CHECK(complete("logosctl audit ", out) && !strcmp(out, "show verify"),
		      "completion: audit show|verify (%s)", out);
		rc = run("monitor", "--daemon", "-n", "2", NULL);
		CHECK(rc == 7, "monitor: dropped events make exit 7 (%d)", rc);
		CHECK(strstr(out, "logosd #11 admin") && strstr(out, "command=start") &&
		      strstr(out, "3 events dropped") && strstr(out, "logosd #15 lifecycle"),
		      "monitor: logosd's events and the dropped count");
		rc = run("monitor", "--daemon", "-n", "2", "--json", NULL);
		CHECK(rc == 7 && json_lines(out) && strstr(out, "\"dropped\":3") &&
		      strstr(out, "\"source\":\"logosd\""), "monitor --json: one object per line");
		stop_server();
	}
	{
		static const struct canned c[] = {
			{ "start", "{\"ok\":true}" },
			{ "status", "{\"modules\":[{\"name\":\"kv\",\"state\":\"failed\",\"version\":\"1.4\",\"pid\":0,\"restarts\":3,\"last_error\":\"crashed 3 times in a row\",\"updating\":false}],\"ok\":true}" },
			{ NULL, NULL },
		};

		start_server(c);
		rc = run("start", "kv", NULL);
		CHECK(rc == 1 && strstr(err, "kv is failed: crashed 3 times in a row"),
		      "start of a module that fails: its last error, exit 1");
		stop_server();
	}
	{
		static const struct canned c[] = {
			{ "start", "{\"ok\":true}" },
			{ "status", "{\"modules\":[{\"name\":\"kv\",\"state\":\"waiting\",\"pid\":0}],\"ok\":true}" },
			{ NULL, NULL },
		};

		start_server(c);
		rc = run("start", "kv", "--timeout", "1", NULL);
		CHECK(rc == 1 && strstr(err, "kv is still waiting after 1 s"), "start --timeout: gives up, exit 1");
		stop_server();
	}
	{
		static const struct canned c[] = {
			{ "services", "this is not JSON" },
			{ NULL, NULL },
		};

		start_server(c);
		rc = run("services", NULL);
		CHECK(rc == 1 && strstr(err, "not a JSON object"), "garbage from the socket: exit 1, said");
		stop_server();
	}

	/* ---- keygen and verify: logosd's code ---- */
	snprintf(path, sizeof(path), "%s/k", dir);
	rc = run("keygen", path, "--json", NULL);
	CHECK(rc == 0 && json_lines(out) && !strcmp(member(out, "ok"), "true") &&
	      strstr(err, "wrote "), "keygen --json: JSON on stdout, the sentence on stderr");
	rc = run("keygen", path, NULL);
	CHECK(rc == 1 && strstr(err, "cannot write"), "keygen does not overwrite: exit 1");
	rc = run("verify", "/nonexistent.module", "--config", dir, NULL);
	CHECK(rc == 1 && strstr(err, "refused"), "verify of a missing manifest: refused, exit 1");

	key_tests();

	snprintf(path, sizeof(path), "rm -rf %s", dir);
	if (system(path))
		return 1;
	return test_done();
}
