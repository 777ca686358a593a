// SPDX-License-Identifier: GPL-2.0
/*
 * logosd configuration parsing (daemon/config.c, manifest.c, inifile.c):
 * good files, and malformed ones that must be reported with FILE:LINE
 * while the other modules load.
 */
#include "daemon_test.h"
#include "config.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char good[] =
	"# a comment\n"
	"[Module]\n"
	"Name = echo\n"
	"Executable = /usr/lib/logos/echo\n"
	"Arguments = --fast --quiet\n"
	"Version = 1.2.0\n"
	"Trust = system\n"
	"\n"
	"[Services]\n"
	"Provides = echo 1.2\n"
	"Provides = stats 0.1\n"
	"Requires = kv >=1.0 <2.0\n"
	"\n"
	"[Restart]\n"
	"Policy = always\n"
	"BackoffStart = 250ms\n"
	"BackoffMax = 10s\n"
	"ResetAfter = 2min\n"
	"Burst = 3\n"
	"Watchdog = 2s\n"
	"\n"
	"[Limits]\n"
	"MemoryMax = 64M\n"
	"PidsMax = 16\n"
	"CPUMax = 50%\n"
	"Handles = 128\n"
	"Channels = max\n"
	"\n"
	"[Sandbox]\n"
	"Namespaces = pid mount ipc\n"
	"ReadOnlyPaths = /etc/ssl /usr/share/zoneinfo\n"
	"SystemCalls = ptrace\n"
	"\n"
	"[Network]\n"
	"Allow = yes\n"
	"\n"
	"[Environment]\n"
	"MODE = test value\n";

/* Parses @text as @file; returns 0/-EINVAL and the error vector. */
static int parse(const char *file, const char *text, struct manifest **m, char ***errs)
{
	*errs = calloc(1, sizeof(char *));
	*m = NULL;
	return manifest_parse(file, text, strlen(text), m, errs);
}

/* True when exactly one error was reported and it contains @what. */
static bool one_error(char **errs, const char *what)
{
	if (strv_len(errs) != 1) {
		for (size_t i = 0; errs && errs[i]; i++)
			printf("# error: %s\n", errs[i]);
		return false;
	}
	printf("# %s\n", errs[0]);
	return strstr(errs[0], what) != NULL;
}

static void bad_len(const char *what, const char *text, size_t len, const char *expect)
{
	struct manifest *m = NULL;
	char **errs = calloc(1, sizeof(char *));
	int ret = manifest_parse("/etc/logos/modules.d/x.module", text, len, &m, &errs);

	CHECK(ret < 0 && !m && one_error(errs, expect), "%s: reported as \"%s\"", what, expect);
	strv_free(errs);
}

static void bad(const char *what, const char *text, const char *expect)
{
	bad_len(what, text, strlen(text), expect);
}

#define HEAD "[Module]\nExecutable = /bin/x\nVersion = 1\n"

static void test_good(void)
{
	struct manifest *m;
	char **errs;
	int ret = parse("/etc/logos/modules.d/echo.module", good, &m, &errs);

	CHECK(ret == 0 && m && strv_len(errs) == 0, "a complete manifest parses");
	if (!m)
		return;
	CHECK(!strcmp(m->name, "echo") && !strcmp(m->executable, "/usr/lib/logos/echo"),
	      "name and executable");
	CHECK(strv_len(m->arguments) == 2 && !strcmp(m->arguments[1], "--quiet"), "arguments");
	CHECK(m->trust == LOGOS_TRUST_SYSTEM, "trust system");
	CHECK(m->nr_provides == 2 && m->provides[0].version == version_make(1, 2) &&
	      !strcmp(m->provides[1].name, "stats"), "two provided services");
	CHECK(m->nr_requires == 1 && m->requires[0].range.min == version_make(1, 0) &&
	      m->requires[0].range.max == version_make(1, 65535), "required range");
	CHECK(m->restart == RESTART_ALWAYS && m->backoff_start_ms == 250 &&
	      m->backoff_max_ms == 10000 && m->reset_after_ms == 120000 && m->burst == 3 &&
	      m->watchdog_ms == 2000, "restart section");
	CHECK(m->memory_max == 64 << 20 && m->pids_max == 16 && m->cpu_quota_us == 50000 &&
	      m->cpu_period_us == 100000, "cgroup limits");
	CHECK(m->kquota[LOGOS_RES_HANDLES] == 128 &&
	      m->kquota[LOGOS_RES_CHANNELS] == LOGOS_LIMIT_UNLIMITED &&
	      m->kquota[LOGOS_RES_EVENTS] == LOGOS_LIMIT_DEFAULT, "kernel quotas");
	CHECK(m->namespaces == (NS_PID | NS_MOUNT | NS_IPC | NS_NET),
	      "network allowed: a net namespace of its own all the same (FR-007)");
	CHECK(strv_len(m->ro_paths) == 2 && strv_len(m->syscalls) == 1, "sandbox lists");
	CHECK(m->network && !m->raw_sockets, "network");
	CHECK(strv_len(m->env) == 1 && !strcmp(m->env[0], "MODE=test value"), "environment");
	manifest_free(m);
	strv_free(errs);

	ret = parse("/x/min.module", HEAD, &m, &errs);
	CHECK(ret == 0 && m && !strcmp(m->name, "min"), "the name defaults to the file name");
	if (m) {
		CHECK(m->namespaces == NS_ALL && m->restart == RESTART_ON_FAILURE &&
		      m->memory_max == LIMIT_UNSET && m->pids_max == LIMIT_UNSET && m->landlock &&
		      !m->write_execute && m->autostart && m->trust == LOGOS_TRUST_USER,
		      "defaults: every namespace, on-failure, limits left to the trust level, no W+X");
		CHECK(!m->shared_memory && !m->terminal, "defaults: no /dev/shm, no /dev/pts");
		manifest_free(m);
	}
	strv_free(errs);
	ret = parse("/x/dev.module", HEAD "[Sandbox]\nSharedMemory = yes\nTerminal = yes\n"
		    "[Limits]\nPidsMax = 2\n", &m, &errs);
	CHECK(ret == 0 && m && m->shared_memory && m->terminal && m->pids_max == 2,
	      "SharedMemory = yes, Terminal = yes and PidsMax = 2 parse");
	manifest_free(m);
	strv_free(errs);
	ret = parse("/x/nopid.module", HEAD "[Sandbox]\nNamespaces = mount ipc uts\n"
		    "[Limits]\nPidsMax = 1\n", &m, &errs);
	CHECK(ret == 0 && m && m->pids_max == 1, "PidsMax = 1 without a pid namespace (no init) parses");
	manifest_free(m);
	strv_free(errs);
}

static void test_bad(void)
{
	bad("unknown key", HEAD "Colour = blue\n", "x.module:4: unknown key Colour in [Module]");
	bad("unknown section", HEAD "[Frobnicate]\nA = b\n", "x.module:5: unknown section [Frobnicate]");
	bad("no equals sign", HEAD "[Restart]\nPolicy always\n", "x.module:5: syntax error");
	bad("unterminated section", HEAD "[Restart\n", "x.module:4: syntax error");
	bad("bad duration", HEAD "[Restart]\nBackoffStart = soon\n",
	    "x.module:5: BackoffStart must be a duration");
	bad("bad boolean", HEAD "[Network]\nAllow = maybe\n", "x.module:5: Allow must be yes or no");
	bad("bad trust", HEAD "Trust = god\n", "x.module:4: Trust must be untrusted, user, system or core");
	bad("bad policy", HEAD "[Restart]\nPolicy = sometimes\n", "x.module:5: Policy must be");
	bad("key given twice", HEAD "Version = 2\n", "x.module:4: Version given twice");
	/* Found by tests/libfuzzer: the second AbiVersion used an unset value. */
	bad("AbiVersion given twice", HEAD "AbiVersion = 0.1\nAbiVersion = 0.2\n",
	    "x.module:5: AbiVersion given twice");
	bad("no executable", "[Module]\nVersion = 1\n", "x.module: no Executable");
	bad("no version", "[Module]\nExecutable = /bin/x\n", "x.module: no Version");
	bad("relative executable", "[Module]\nExecutable = bin/x\nVersion = 1\n",
	    "x.module:2: Executable must be an absolute path");
	bad("name does not match the file", HEAD "Name = other\n",
	    "Name other does not match the file name x.module");
	bad("bad module name", HEAD "Name = a/b\n", "x.module:4: \"a/b\" is not a module name");
	bad("bad provides", HEAD "[Services]\nProvides = echo\n", "x.module:5: Provides must be");
	bad("bad service version", HEAD "[Services]\nProvides = echo 1.x\n",
	    "x.module:5: \"1.x\" is not a service version");
	bad("bad range", HEAD "[Services]\nRequires = kv >=2.0 <1.0\n",
	    "x.module:5: \">=2.0 <1.0\" is not a version range");
	bad("bad memory limit", HEAD "[Limits]\nMemoryMax = lots\n", "x.module:5: MemoryMax must be");
	bad("bad CPU limit", HEAD "[Limits]\nCPUMax = fast\n", "x.module:5: CPUMax must be");
	bad("zero pids", HEAD "[Limits]\nPidsMax = 0\n", "x.module:5: PidsMax must be");
	bad("bad quota", HEAD "[Limits]\nHandles = -1\n", "x.module:5: Handles must be");
	bad("unknown namespace", HEAD "[Sandbox]\nNamespaces = pid time\n",
	    "x.module:5: unknown namespace \"time\"");
	bad("relative path", HEAD "[Sandbox]\nReadOnlyPaths = etc\n",
	    "ReadOnlyPaths: \"etc\" is not an absolute path");
	bad("dot-dot path", HEAD "[Sandbox]\nReadWritePaths = /var/../etc\n",
	    "ReadWritePaths: \"/var/../etc\" is not an absolute path");
	bad("raw sockets without network", HEAD "[Network]\nRawSockets = yes\n",
	    "RawSockets needs Allow = yes");
	bad("listen without network", HEAD "[Network]\nListen = tcp:80\n",
	    "Connect, Listen and Peers need Allow = yes");
	bad("bad listen protocol", HEAD "[Network]\nAllow = yes\nListen = tcp:80 sctp:9\n",
	    "Listen: \"sctp:9\" is not tcp:PORT or udp:PORT");
	bad("listen port 0", HEAD "[Network]\nAllow = yes\nListen = udp:0\n",
	    "Listen: \"udp:0\" is not tcp:PORT or udp:PORT");
	bad("listen port above 65535", HEAD "[Network]\nAllow = yes\nListen = tcp:65536\n",
	    "Listen: \"tcp:65536\" is not tcp:PORT or udp:PORT");
	bad("bad connect", HEAD "[Network]\nAllow = yes\nConnect = everywhere\n",
	    "Connect must be uplink, any or none, not \"everywhere\"");
	bad("itself as a peer", HEAD "[Network]\nAllow = yes\nPeers = x\n",
	    "Peers: \"x\" is not another module's name");
	bad("reserved environment", HEAD "[Environment]\nLOGOS_BOOTSTRAP = 1\n",
	    "x.module:5: LOGOS_BOOTSTRAP: variables named LOGOS_* are set by logosd");
	bad("bad environment name", HEAD "[Environment]\n1X = 1\n",
	    "x.module:5: \"1X\" is not a valid environment variable name");
	bad("backoff start above max", HEAD "[Restart]\nBackoffStart = 10s\nBackoffMax = 1s\n",
	    "BackoffStart must be above 0 and at most BackoffMax");
	bad("watchdog too short", HEAD "[Restart]\nWatchdog = 10ms\n", "Watchdog must be at least 100ms");
	bad("ABI major mismatch", HEAD "AbiVersion = 7.0\n", "AbiVersion 7.0 needs logos.h ABI major 7");
	bad("SharedMemory not a boolean", HEAD "[Sandbox]\nSharedMemory = maybe\n",
	    "x.module:5: SharedMemory must be yes or no");
	bad("Terminal not a boolean", HEAD "[Sandbox]\nTerminal = 1x\n",
	    "x.module:5: Terminal must be yes or no");
	bad("Terminal without the mount namespace", HEAD "[Sandbox]\nNamespaces = pid ipc\nTerminal = yes\n",
	    "SharedMemory and Terminal need the mount namespace");
	bad("SharedMemory without the mount namespace", HEAD "[Sandbox]\nNamespaces = pid\nSharedMemory = yes\n",
	    "SharedMemory and Terminal need the mount namespace");
	bad("PidsMax 1 with a pid namespace (its init counts)", HEAD "[Limits]\nPidsMax = 1\n",
	    "PidsMax and LimitNPROC count the module's init too");
	bad("LimitNPROC 1 with a pid namespace (its init counts)", HEAD "[Limits]\nLimitNPROC = 1\n",
	    "PidsMax and LimitNPROC count the module's init too");
	bad_len("NUL byte", HEAD "A\0B = c\n", sizeof(HEAD "A\0B = c\n") - 1,
		"x.module:4: the line holds a NUL byte");
	{
		char text[600];

		snprintf(text, sizeof(text), HEAD "Description = %0300d\n", 7);
		bad("overlong line", text, "x.module:4: the line is longer than");
	}

	/* several problems: every one reported with its own line */
	{
		struct manifest *m;
		char **errs;
		int ret = parse("/d/x.module",
				HEAD "Trust = god\n[Restart]\nPolicy = x\nBurst = lots\n", &m, &errs);

		CHECK(ret < 0 && strv_len(errs) == 3 && strstr(errs[0], "x.module:4:") &&
		      strstr(errs[1], "x.module:6:") && strstr(errs[2], "x.module:7:"),
		      "three errors, three lines (4, 6, 7)");
		strv_free(errs);
	}
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

static void test_scan(void)
{
	char dir[] = "/tmp/logosd-unit-XXXXXX", path[256];
	struct manifest **list;
	char **errs = calloc(1, sizeof(char *));
	size_t n;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/a.module", dir);
	write_text(path, "[Module]\nExecutable = /bin/a\nVersion = 1\n");
	snprintf(path, sizeof(path), "%s/b.module", dir);
	write_text(path, "[Module]\nExecutable = /bin/b\nVersion = 1\nOops\n");
	snprintf(path, sizeof(path), "%s/c.module", dir);
	write_text(path, "[Module]\nExecutable = /bin/c\nVersion = 1\n");
	snprintf(path, sizeof(path), "%s/README", dir);
	write_text(path, "not a manifest\n");
	CHECK(manifests_scan(dir, &list, &n, &errs) == 0, "scan succeeds despite a bad file");
	CHECK(n == 2 && !strcmp(list[0]->name, "a") && !strcmp(list[1]->name, "c"),
	      "the good modules load, in name order");
	for (size_t i = 0; errs[i]; i++)
		printf("# %s\n", errs[i]);
	CHECK(strv_len(errs) == 1 && strstr(errs[0], "b.module:4: syntax error"),
	      "the bad one is reported with file and line");
	for (size_t i = 0; i < n; i++)
		manifest_free(list[i]);
	free(list);
	strv_free(errs);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	CHECK(system(path) == 0, "cleanup");
}

static void test_daemon_conf(void)
{
	static const char conf[] =
		"[Daemon]\nLogLevel = debug\nDevMode = yes\nStateDirectory = /tmp/s\n"
		"ModuleUsers = 70000-70010\nDefaultAccess = deny\n"
		"[Audit]\nPath = /tmp/a.log\nMaxSize = 64K\nKeep = 3\n"
		"[Trust.user]\nAllowNetwork = yes\nMemoryMax = 4G\nDefaultMemoryMax = 3G\nPidsMax = max\n"
		"DefaultCPUMax = 150%\nLimitNOFILE = 8192\nDefaultCPUWeight = 50\n"
		"AllowWriteExecute = yes\nAllowReadOnlyPaths = no\n"
		"[Trust.system]\nAllowOtherUsers = yes\n"
		"[Access]\nkv = echo client-*\nkv = admin\necho = *\n";
	struct daemon_config c;
	char **errs = calloc(1, sizeof(char *));

	CHECK(daemon_config_parse("/etc/logos", "logosd.conf", conf, strlen(conf), &c, &errs) == 0,
	      "logosd.conf parses");
	CHECK(c.log_level == 7 && c.dev_mode && !strcmp(c.state_dir, "/tmp/s") &&
	      c.uid_min == 70000 && c.uid_max == 70010, "daemon keys");
	CHECK(!strcmp(c.control_socket, "/run/logos/control"), "control socket default");
	CHECK(!strcmp(c.control_read_group, "") && c.control_timeout_ms == 30000,
	      "no ControlReadGroup, ControlTimeout 30 s by default");
	CHECK(c.audit_max_size == 65536 && c.audit_keep == 3 && !strcmp(c.audit_key,
	      "/etc/logos/audit.key"), "audit keys and the key default");
	CHECK(c.trust[LOGOS_TRUST_USER].network && !c.trust[LOGOS_TRUST_UNTRUSTED].network &&
	      c.trust[LOGOS_TRUST_CORE].raw_sockets, "trust policies: set and defaults");
	CHECK(c.trust[LOGOS_TRUST_USER].max[LIM_MEMORY_MAX] == 4ULL << 30 &&
	      c.trust[LOGOS_TRUST_USER].def[LIM_MEMORY_MAX] == 3ULL << 30 &&
	      c.trust[LOGOS_TRUST_USER].max[LIM_PIDS_MAX] == LIMIT_NONE &&
	      c.trust[LOGOS_TRUST_USER].def[LIM_CPU_MAX] == 150000 &&
	      c.trust[LOGOS_TRUST_USER].max[LIM_NOFILE] == 8192 &&
	      c.trust[LOGOS_TRUST_USER].def[LIM_CPU_WEIGHT] == 50 &&
	      c.trust[LOGOS_TRUST_USER].write_execute && !c.trust[LOGOS_TRUST_USER].ro_paths &&
	      c.trust[LOGOS_TRUST_SYSTEM].other_users, "trust policies: limits and the new Allow keys");
	CHECK(c.trust[LOGOS_TRUST_UNTRUSTED].def[LIM_MEMORY_MAX] == 128ULL << 20 &&
	      c.trust[LOGOS_TRUST_UNTRUSTED].max[LIM_MEMORY_MAX] == 256ULL << 20 &&
	      c.trust[LOGOS_TRUST_UNTRUSTED].def[LIM_PIDS_MAX] == 64 &&
	      c.trust[LOGOS_TRUST_UNTRUSTED].def[LIM_CPU_MAX] == 50000 &&
	      c.trust[LOGOS_TRUST_SYSTEM].max[LIM_PIDS_MAX] == 4096 &&
	      c.trust[LOGOS_TRUST_SYSTEM].def[LIM_MEMORY_SWAP_MAX] == 0 &&
	      c.trust[LOGOS_TRUST_CORE].max[LIM_MEMORY_MAX] == LIMIT_NONE &&
	      c.trust[LOGOS_TRUST_CORE].def[LIM_NOFILE] == LIMIT_NONE &&
	      !c.trust[LOGOS_TRUST_UNTRUSTED].ro_paths && !c.trust[LOGOS_TRUST_SYSTEM].ro_paths &&
	      c.trust[LOGOS_TRUST_CORE].ro_paths && c.trust[LOGOS_TRUST_SYSTEM].write_execute &&
	      !c.trust[LOGOS_TRUST_UNTRUSTED].write_execute && !c.trust[LOGOS_TRUST_USER].other_users,
	      "trust defaults: limits below core, host paths at core only");
	CHECK(access_allowed(&c, "kv", "echo") && access_allowed(&c, "kv", "client-7") &&
	      access_allowed(&c, "kv", "admin"), "access: listed clients and patterns allowed");
	CHECK(!access_allowed(&c, "kv", "other") && access_allowed(&c, "echo", "anyone"),
	      "access: others denied, * allows all");
	CHECK(!access_allowed(&c, "unlisted", "echo"), "DefaultAccess = deny for unlisted services");
	CHECK(!strcmp(c.net.bridge, "logos0") && c.net.pool4 == 0x0ac90000 && c.net.pool4_len == 16 &&
	      !c.net.uplink[0] && c.net.nat && c.net.mtu == 1500 && !c.net.dns[0],
	      "[Network] defaults");
	daemon_config_free(&c);
	strv_free(errs);
	{
		static const char net[] = "[Network]\nBridge = br-x\nIPv4Pool = 10.9.0.0/20\n"
					  "Uplink = eth1\nNAT = no\nMTU = 9000\nDNS = 10.9.0.1 1.1.1.1\n"
					  "HostAllow = udp:53 tcp:53\n";
		static const char badnet[] = "[Network]\nIPv4Pool = 10.9.0.1/20\nBridge = lgs1\n"
					     "DNS = dns.example\nHostAllow = tcp:http\nMTU = 100\n";

		errs = calloc(1, sizeof(char *));
		CHECK(daemon_config_parse("/etc/logos", "logosd.conf", net, strlen(net), &c,
					  &errs) == 0 && !strcmp(c.net.bridge, "br-x") &&
		      c.net.pool4 == 0x0a090000 && c.net.pool4_len == 20 &&
		      !strcmp(c.net.uplink, "eth1") && !c.net.nat && c.net.mtu == 9000 &&
		      strv_len(c.net.dns) == 2 && strv_len(c.net.host_allow) == 2, "[Network] keys");
		daemon_config_free(&c);
		strv_free(errs);
		errs = calloc(1, sizeof(char *));
		daemon_config_parse("/etc/logos", "logosd.conf", badnet, strlen(badnet), &c, &errs);
		for (char **e = errs; *e; e++)
			printf("# %s\n", *e);
		CHECK(strv_len(errs) == 5 && strstr(errs[0], ":2: IPv4Pool") &&
		      strstr(errs[1], ":3: Bridge") && strstr(errs[2], ":4: DNS") &&
		      strstr(errs[3], ":5: HostAllow") && strstr(errs[4], ":6: MTU"),
		      "bad [Network] keys: host bits in the pool, lgs* bridge, names for addresses");
		daemon_config_free(&c);
		strv_free(errs);
	}

	errs = calloc(1, sizeof(char *));
	{
		static const char badconf[] = "[Daemon]\nLogLevel = loud\n[Trust.god]\nX = 1\n"
					      "[Daemon]\nModuleUsers = 5-1\n";

		int ret = daemon_config_parse("/etc/logos", "logosd.conf", badconf, strlen(badconf),
					      &c, &errs);

		for (size_t i = 0; errs[i]; i++)
			printf("# %s\n", errs[i]);
		CHECK(ret < 0 && strv_len(errs) == 3 &&
		      strstr(errs[0], "logosd.conf:2: LogLevel") &&
		      strstr(errs[1], "logosd.conf:4: unknown trust level") &&
		      strstr(errs[2], "logosd.conf:6: ModuleUsers"),
		      "bad logosd.conf: each error with its line");
		daemon_config_free(&c);
	}
	strv_free(errs);
	errs = calloc(1, sizeof(char *));
	{
		static const char ctl[] = "[Daemon]\nControlReadGroup = logos-read\nControlTimeout = 5s\n";
		static const char zero[] = "[Daemon]\nControlTimeout = 0\n";

		CHECK(daemon_config_parse("/etc/logos", "logosd.conf", ctl, strlen(ctl), &c, &errs) == 0 &&
		      !strcmp(c.control_read_group, "logos-read") && c.control_timeout_ms == 5000,
		      "ControlReadGroup and ControlTimeout");
		daemon_config_free(&c);
		CHECK(daemon_config_parse("/etc/logos", "logosd.conf", zero, strlen(zero), &c, &errs) < 0 &&
		      errs[0] && strstr(errs[0], "ControlTimeout must be more than 0"),
		      "ControlTimeout = 0 is an error");
		daemon_config_free(&c);
	}
	strv_free(errs);
	{
		static const char bad_limits[] =
			"[Trust.user]\nDefaultPidsMax = 2000\nCPUWeight = 0\nMemorySwapMax = 0\n"
			"DefaultCPUMax = fast\nLimitNPROC = lots\n";

		int ret;

		errs = calloc(1, sizeof(char *));
		ret = daemon_config_parse("/etc/logos", "logosd.conf", bad_limits,
					  strlen(bad_limits), &c, &errs);
		for (char **e = errs; *e; e++)
			printf("# %s\n", *e);
		CHECK(ret < 0 && strv_len(errs) == 4 && strstr(errs[0], "logosd.conf:3: CPUWeight") &&
		      strstr(errs[1], "logosd.conf:5: DefaultCPUMax") &&
		      strstr(errs[2], "logosd.conf:6: LimitNPROC") &&
		      strstr(errs[3], "[Trust.user] DefaultPidsMax = 2000 is above PidsMax = 1024"),
		      "bad trust limits, and a default above its ceiling, are reported");
		daemon_config_free(&c);
		strv_free(errs);
	}
}

int main(void)
{
	test_good();
	test_bad();
	test_scan();
	test_daemon_conf();
	return test_done();
}
