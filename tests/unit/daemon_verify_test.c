// SPDX-License-Identifier: GPL-2.0
/*
 * logosd's verification before a start (daemon/verify.c), on the host:
 * what is accepted runs from a sealed copy of the hashed bytes; trust,
 * policy, kernel ABI, liblogos major, DevMode and non-ELF executables are
 * checked.
 */
#include "daemon_test.h"
#include "cli.h"
#include "config.h"
#include "sign.h"
#include "util.h"
#include "verify.h"

#include <errno.h>
#include <fcntl.h>
#include <logos/core.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/logosd-verify-XXXXXX";
static char manifest[300], key[400], cmd[1024];
static struct daemon_config cfg;
static struct keyring kr;
static const struct logos_version kver = { .major = LOGOS_ABI_MAJOR, .minor = LOGOS_ABI_MINOR };

static void write_manifest(const char *body, bool sign)
{
	FILE *f = fopen(manifest, "w");
	char **errs = calloc(1, sizeof(char *)), sig[320];

	fprintf(f, "[Module]\nExecutable = %s/bin\nVersion = 1\n%s", dir, body);
	fclose(f);
	snprintf(sig, sizeof(sig), "%s.sig", manifest);
	unlink(sig);
	if (sign)
		sign_module(key, manifest, &errs);
	strv_free(errs);
}

static int verify(char *why, size_t cap)
{
	struct verified v;
	int ret = verify_module(&cfg, &kr, &kver, manifest, &v, why, cap);

	printf("# %s\n", why);
	if (!ret)
		verified_free(&v);
	return ret;
}

int main(void)
{
	char why[512], prefix[300], trusted[300], **errs = calloc(1, sizeof(char *));
	struct verified v;
	int ret;

	CHECK(crypto_setup() == 0, "libsodium starts");
	if (!mkdtemp(dir))
		return 1;
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/trusted.d && cp /bin/true %s/bin", dir, dir);
	CHECK(system(cmd) == 0, "a tree with an ELF executable");
	snprintf(prefix, sizeof(prefix), "%s/vendor", dir);
	keygen(prefix, LOGOS_TRUST_SYSTEM, "vendor");
	snprintf(key, sizeof(key), "%s.key", prefix);
	snprintf(cmd, sizeof(cmd), "cp %s.pub %s/trusted.d/", prefix, dir);
	CHECK(system(cmd) == 0, "the key is trusted");
	snprintf(trusted, sizeof(trusted), "%s/trusted.d", dir);
	keyring_load(trusted, &kr, &errs);
	daemon_config_parse(dir, "logosd.conf", "", 0, &cfg, &errs);
	snprintf(manifest, sizeof(manifest), "%s/m.module", dir);

	write_manifest("Trust = system\n", true);
	CHECK(verify_module(&cfg, &kr, &kver, manifest, &v, why, sizeof(why)) == 0,
	      "a signed module is accepted (%s)", why);
	if (v.m) {
		uint8_t h[HASH_BYTES], h2[HASH_BYTES];
		char bin[320];

		snprintf(bin, sizeof(bin), "%s/bin", dir);
		hash_fd(v.exec_fd, h);
		hash_file(bin, h2);
		CHECK(!memcmp(h, h2, HASH_BYTES) && v.trust == LOGOS_TRUST_SYSTEM && v.signed_,
		      "it runs from a copy of the verified bytes, at its trust level");
		CHECK(write(v.exec_fd, "x", 1) < 0 && (errno == EPERM || errno == EBADF),
		      "the copy is sealed against writes");
		CHECK(fcntl(v.exec_fd, F_GET_SEALS) & F_SEAL_WRITE, "F_SEAL_WRITE is set");
		verified_free(&v);
	}
	write_manifest("Trust = core\n", true);
	CHECK(verify(why, sizeof(why)) == -EPERM && strstr(why, "may grant at most system"),
	      "trust above the key's MaxTrust is refused");
	write_manifest("[Network]\nAllow = yes\n", true);
	CHECK(verify(why, sizeof(why)) == -EPERM && strstr(why, "does not allow network"),
	      "network at trust user is refused by the policy");
	write_manifest("Trust = system\n[Sandbox]\nReadWritePaths = /srv\n", true);
	CHECK(verify(why, sizeof(why)) == -EPERM && strstr(why, "writable host paths"),
	      "writable host paths at trust system are refused");
	write_manifest("Trust = system\n[Sandbox]\nNamespaces = mount\n", true);
	CHECK(verify(why, sizeof(why)) == -EPERM && strstr(why, "requires the pid, mount"),
	      "fewer namespaces at trust system are refused");
	write_manifest("Trust = system\nUser = root\n", true);
	CHECK(verify(why, sizeof(why)) == -EPERM && strstr(why, "only trust level core may run as root"),
	      "root below trust core is refused");
	/* User=: strtoul() used to turn these into root or "no change" (uid -1) */
	{
		static const char *const tricks[] = { "-1", "+0", "00", "4294967296", "4294967295",
						      " 0", "0x0", "+root", "61000a" };

		for (size_t i = 0; i < ARRAY_SIZE(tricks); i++) {
			char body[128];

			snprintf(body, sizeof(body), "User = %s\n[Sandbox]\nNamespaces = pid mount ipc uts net\n",
				 tricks[i]);
			write_manifest(body, true);
			CHECK(verify(why, sizeof(why)) < 0, "User = %s is refused at trust user (%s)",
			      tricks[i], why);
		}
	}
	write_manifest("User = 0\n", true);
	CHECK(verify(why, sizeof(why)) == -EPERM && strstr(why, "only trust level core may run as root"),
	      "User = 0 is refused below core");
	write_manifest("User = nobody\n", true);
	CHECK(verify(why, sizeof(why)) == -EPERM && strstr(why, "may not name a host account"),
	      "a host account (nobody) is refused below core");
	write_manifest("User = daemon\n", true);
	CHECK(verify(why, sizeof(why)) == -EPERM && strstr(why, "may not name a host account"),
	      "a host account (daemon, uid 1) is refused below core");
	write_manifest("User = 65534\n", true);
	CHECK(verify(why, sizeof(why)) == -EPERM && strstr(why, "only as a uid and gid of ModuleUsers"),
	      "a uid outside ModuleUsers (65534) is refused below core");
	write_manifest("User = 61005\n", true);
	CHECK(verify_module(&cfg, &kr, &kver, manifest, &v, why, sizeof(why)) == 0 &&
	      v.m->uid == 61005 && v.m->gid == 61005, "a uid of ModuleUsers is accepted (%s)", why);
	verified_free(&v);
	write_manifest("User = 4294967294\n", true);
	CHECK(verify(why, sizeof(why)) == -EPERM && strstr(why, "(4294967294:4294967294)"),
	      "the highest uid parses as itself, and is outside ModuleUsers");
	/* the user namespace is one of the required ones now */
	write_manifest("[Sandbox]\nNamespaces = pid mount ipc uts net\n", true);
	CHECK(verify(why, sizeof(why)) == -EPERM && strstr(why, "and user namespaces"),
	      "leaving out the user namespace is refused below core");
	/* ReadOnlyPaths: none below core by default */
	write_manifest("Trust = system\n[Sandbox]\nReadOnlyPaths = /usr/share/zoneinfo\n", true);
	CHECK(verify(why, sizeof(why)) == -EPERM && strstr(why, "does not allow host paths"),
	      "ReadOnlyPaths at trust system is refused by default (AllowReadOnlyPaths = no)");
	/* where the operator allows them: never logosd's own files, the host's kernel and sockets */
	cfg.trust[LOGOS_TRUST_USER].ro_paths = true;
	{
		static const char *const hidden[] = { "/", "/proc", "/sys/kernel", "/run",
						      "/tmp", "/var/run/dbus", "/dev" };

		for (size_t i = 0; i < ARRAY_SIZE(hidden); i++) {
			char body[256];

			snprintf(body, sizeof(body), "[Sandbox]\nReadOnlyPaths = /usr/share %s\n",
				 hidden[i]);
			write_manifest(body, true);
			CHECK(verify(why, sizeof(why)) == -EPERM && strstr(why, "overlaps"),
			      "ReadOnlyPaths = %s is refused below core", hidden[i]);
		}
	}
	{
		char body[512];

		/* this test's config dir is in /tmp too: any dir of its own is refused */
		snprintf(body, sizeof(body), "[Sandbox]\nReadOnlyPaths = %s/trusted.d\n", dir);
		write_manifest(body, true);
		CHECK(verify(why, sizeof(why)) == -EPERM && strstr(why, "overlaps"),
		      "ReadOnlyPaths inside logosd's config directory is refused");
		char *own = cfg.config_dir;

		cfg.config_dir = (char *)"/etc/logos";	/* as installed: the audit and signing keys */
		write_manifest("[Sandbox]\nReadOnlyPaths = /etc\n", true);
		CHECK(verify(why, sizeof(why)) == -EPERM && strstr(why, "overlaps /etc/logos"),
		      "ReadOnlyPaths = /etc is refused when the config is /etc/logos (the audit key)");
		cfg.config_dir = own;
		write_manifest("[Sandbox]\nReadOnlyPaths = /var/tmp/logosd-build/lib\n", true);
		CHECK(verify(why, sizeof(why)) == 0,
		      "a directory of its own below /var/tmp is accepted (a build tree) (%s)", why);
		write_manifest("[Sandbox]\nReadOnlyPaths = /var\n", true);
		CHECK(verify(why, sizeof(why)) == -EPERM && strstr(why, "/var overlaps"),
		      "ReadOnlyPaths = /var (holding logosd's state, /var/run, /var/tmp) is refused");
		write_manifest("[Sandbox]\nReadOnlyPaths = /tmp/.X11-unix\n", true);
		CHECK(verify(why, sizeof(why)) == -EPERM && strstr(why, "overlaps /tmp/.X11-unix"),
		      "ReadOnlyPaths = /tmp/.X11-unix (the X server's sockets) is refused");
		/* Debian's /etc/mtab is a symlink into /proc: the bind would follow it */
		write_manifest("[Sandbox]\nReadOnlyPaths = /etc/mtab\n", true);
		CHECK(verify(why, sizeof(why)) == -EPERM && strstr(why, "overlaps /proc"),
		      "ReadOnlyPaths through a symlink (/etc/mtab -> /proc/self/mounts) is refused");
		write_manifest("[Sandbox]\nReadOnlyPaths = /usr/share/zoneinfo\n", true);
		CHECK(verify(why, sizeof(why)) == 0,
		      "ReadOnlyPaths = /usr/share/zoneinfo is accepted at trust user (%s)", why);
	}
	cfg.trust[LOGOS_TRUST_USER].ro_paths = false;
	write_manifest("[Sandbox]\nReadOnlyPaths = /usr/share/zoneinfo\n", true);
	CHECK(verify(why, sizeof(why)) == -EPERM && strstr(why, "does not allow host paths"),
	      "AllowReadOnlyPaths = no refuses them");
	/* limits: the level's default when left out, up to its ceiling when asked */
	write_manifest("", true);
	ret = verify_module(&cfg, &kr, &kver, manifest, &v, why, sizeof(why));
	CHECK(ret == 0, "a manifest without limits is accepted (%s)", why);
	if (!ret) {
		CHECK(v.m->memory_max == 512ULL << 20 && v.m->memory_high == LIMIT_NONE &&
		      v.m->memory_swap_max == 0 && v.m->pids_max == 256 &&
		      v.m->cpu_quota_us == 100000 && v.m->cpu_period_us == 100000 &&
		      v.m->cpu_weight == 100 && v.m->nofile == 1024 && v.m->nproc == 256,
		      "trust user's defaults: 512M, no swap, 256 tasks, one CPU, weight 100, 1024 files, 256 processes");
		verified_free(&v);
	}
	write_manifest("[Limits]\nMemoryMax = 64M\nPidsMax = 8\nLimitNOFILE = 64\nCPUMax = 10%\n", true);
	CHECK(verify_module(&cfg, &kr, &kver, manifest, &v, why, sizeof(why)) == 0 &&
	      v.m->memory_max == 64ULL << 20 && v.m->pids_max == 8 && v.m->nofile == 64 &&
	      v.m->cpu_quota_us == 10000, "lower limits are kept");
	verified_free(&v);
	write_manifest("[Limits]\nMemoryMax = 2G\nPidsMax = 1024\nCPUMax = 200%\nLimitNPROC = 1000\n", true);
	CHECK(verify_module(&cfg, &kr, &kver, manifest, &v, why, sizeof(why)) == 0 &&
	      v.m->memory_max == 2ULL << 30 && v.m->pids_max == 1024 && v.m->nproc == 1000 &&
	      v.m->cpu_quota_us == 200000, "more than the default, up to the ceiling, is kept (%s)", why);
	verified_free(&v);
	{
		static const struct { const char *ask, *says; } over[] = {
			{ "MemoryMax = max", "at most MemoryMax = 2048M" },
			{ "MemoryMax = 3G", "at most MemoryMax = 2048M" },
			{ "PidsMax = 100000", "at most PidsMax = 1024" },
			{ "MemorySwapMax = 1G", "at most MemorySwapMax = 0" },
			{ "CPUMax = 300%", "at most CPUMax = 200%" },
			{ "CPUMax = 210000 100000", "at most CPUMax = 200%" },
			{ "CPUMax = max", "at most CPUMax = 200%" },
			{ "CPUWeight = 1000", "at most CPUWeight = 100" },
			{ "LimitNOFILE = 65536", "at most LimitNOFILE = 4096" },
			{ "LimitNPROC = max", "at most LimitNPROC = 1024" },
		};

		for (size_t i = 0; i < ARRAY_SIZE(over); i++) {
			char body[128];

			snprintf(body, sizeof(body), "[Limits]\n%s\n", over[i].ask);
			write_manifest(body, true);
			CHECK(verify(why, sizeof(why)) == -EPERM && strstr(why, over[i].says),
			      "%s is refused at trust user", over[i].ask);
		}
	}
	write_manifest("Trust = system\n[Limits]\nMemorySwapMax = 1G\nCPUWeight = 1000\n", true);
	CHECK(verify(why, sizeof(why)) == 0, "trust system may ask for swap and weight 1000 (%s)", why);
	/* W+X memory and loader variables: code the signature does not cover */
	write_manifest("[Sandbox]\nWriteExecute = yes\n", true);
	CHECK(verify(why, sizeof(why)) == -EPERM && strstr(why, "writable and executable memory"),
	      "WriteExecute = yes is refused at trust user");
	write_manifest("Trust = system\n[Sandbox]\nWriteExecute = yes\n", true);
	CHECK(verify(why, sizeof(why)) == 0, "WriteExecute = yes is accepted at trust system");
	write_manifest("[Environment]\nLD_PRELOAD = /usr/lib/x.so\n", true);
	CHECK(verify(why, sizeof(why)) == -EPERM && strstr(why, "may not set LD_PRELOAD"),
	      "LD_PRELOAD is refused at trust user");
	write_manifest("Trust = system\n[Environment]\nLD_LIBRARY_PATH = /opt/lib\n", true);
	CHECK(verify(why, sizeof(why)) == -EPERM && strstr(why, "may not set LD_LIBRARY_PATH"),
	      "LD_LIBRARY_PATH is refused at trust system too");
	write_manifest("Trust = system\n[Environment]\nLD_AUDIT = /opt/a.so\n", true);
	CHECK(verify(why, sizeof(why)) == -EPERM && strstr(why, "may not set LD_AUDIT"),
	      "LD_AUDIT is refused at trust system");
	write_manifest("[Environment]\nGLIBC_TUNABLES = glibc.rtld.x=1\n", true);
	CHECK(verify(why, sizeof(why)) == -EPERM && strstr(why, "GLIBC_TUNABLES"),
	      "GLIBC_TUNABLES is refused at trust user");
	/* SystemCalls may add calls, not lift the argument checks of allowed ones */
	write_manifest("Trust = system\n[Sandbox]\nSystemCalls = chmod\n", true);
	CHECK(verify(why, sizeof(why)) == -EPERM && strstr(why, "SystemCalls: chmod is allowed only with argument checks"),
	      "SystemCalls = chmod (it would lift the setuid check) is refused at trust system");
	write_manifest("Trust = system\n[Sandbox]\nSystemCalls = memfd_create\n", true);
	CHECK(verify(why, sizeof(why)) == -EPERM && strstr(why, "memfd_create"),
	      "SystemCalls = memfd_create is refused at trust system");
	write_manifest("Trust = system\n[Sandbox]\nSystemCalls = mlock\n", true);
	CHECK(verify(why, sizeof(why)) == 0, "SystemCalls = mlock is accepted at trust system (%s)", why);
	write_manifest("AbiVersion = 0.999\n", true);
	CHECK(verify(why, sizeof(why)) == -EPROTO && strstr(why, "needs kernel ABI"),
	      "a newer kernel ABI minor than logos.ko's is refused");
	write_manifest("", false);
	CHECK(verify(why, sizeof(why)) == -ENOKEY && strstr(why, "DevMode is off"),
	      "unsigned is refused without DevMode");
	cfg.dev_mode = true;
	CHECK(verify_module(&cfg, &kr, &kver, manifest, &v, why, sizeof(why)) == 0 &&
	      v.trust == LOGOS_TRUST_UNTRUSTED && !v.signed_,
	      "unsigned in DevMode runs at trust untrusted");
	verified_free(&v);
	write_manifest("Trust = system\n[Network]\nAllow = yes\n", false);
	CHECK(verify(why, sizeof(why)) == -EPERM && strstr(why, "trust level untrusted does not"),
	      "DevMode caps the trust level: the untrusted policy applies");
	cfg.dev_mode = false;
	/* an update: the bytes and the executable's fd, read once by the caller */
	{
		struct verify_src src = { .path = manifest, .expect_name = "m" };
		char *mdata = NULL, *sdata = NULL, sigp[400], binp[320], h[2 * HASH_BYTES + 1] = "";
		size_t mlen = 0, slen = 0;

		write_manifest("", true);
		snprintf(sigp, sizeof(sigp), "%s.sig", manifest);
		snprintf(binp, sizeof(binp), "%s/bin", dir);
		read_file(manifest, &mdata, &mlen, 1 << 20);
		read_file(sigp, &sdata, &slen, 1 << 20);
		src.manifest = mdata;
		src.manifest_len = mlen;
		src.sig = sdata;
		src.sig_len = slen;
		src.exe_fd = open(binp, O_RDONLY | O_CLOEXEC);
		ret = verify_module_src(&cfg, &kr, &kver, &src, &v, why, sizeof(why));
		CHECK(ret == 0 && !v.stored, "an update's bytes and executable fd verify (%s)", why);
		if (!ret) {
			memcpy(h, v.binary_hash, sizeof(h));
			verified_free(&v);
		}
		src.expect_name = "other";
		CHECK(verify_module_src(&cfg, &kr, &kver, &src, &v, why, sizeof(why)) == -EPERM &&
		      strstr(why, "is module m's, not other's"),
		      "an update whose manifest is another module's is refused");
		close(src.exe_fd);
		/* later starts take the binary the signature names from logosd's store */
		free(cfg.state_dir);
		cfg.state_dir = strdup(dir);
		snprintf(cmd, sizeof(cmd), "mkdir -p %s/@store/m && cp %s %s/@store/m/%s && printf x >>%s",
			 dir, binp, dir, h, binp);
		CHECK(system(cmd) == 0, "an installed copy in the store; Executable= changed after");
		CHECK(verify(why, sizeof(why)) == 0 && strstr(why, "from logosd's store"),
		      "a start runs the stored copy the signature names, not the changed Executable=");
		snprintf(cmd, sizeof(cmd), "rm -rf %s/@store", dir);
		CHECK(system(cmd) == 0 && verify(why, sizeof(why)) == -EBADMSG &&
		      strstr(why, "executable does not match"),
		      "without the stored copy the changed Executable= is refused");
		free(mdata);
		free(sdata);
	}
	/* liblogos is checked by its SONAME in the executable's DT_NEEDED */
	snprintf(cmd, sizeof(cmd),
		 "cd %s && echo 'int logos_x(void) { return 0; }' >l.c && echo 'int logos_x(void); int main(void) { return logos_x(); }' >m.c && "
		 "cc -shared -fPIC -Wl,-soname,liblogos.so.%d -o liblogos.so l.c && cc -o bin m.c ./liblogos.so",
		 dir, LOGOS_LIB_VERSION_MAJOR);
	CHECK(system(cmd) == 0, "an executable linked against liblogos.so.%d", LOGOS_LIB_VERSION_MAJOR);
	write_manifest("", true);
	CHECK(verify(why, sizeof(why)) == 0, "a module linked against this liblogos major is accepted");
	snprintf(cmd, sizeof(cmd),
		 "cd %s && cc -shared -fPIC -Wl,-soname,liblogos.so.%d -o liblogos.so l.c && cc -o bin m.c ./liblogos.so",
		 dir, LOGOS_LIB_VERSION_MAJOR + 1);
	CHECK(system(cmd) == 0, "an executable linked against liblogos.so.%d", LOGOS_LIB_VERSION_MAJOR + 1);
	write_manifest("", true);
	CHECK(verify(why, sizeof(why)) == -EPROTO && strstr(why, "needs liblogos.so."),
	      "a module linked against another liblogos major is refused");
	snprintf(cmd, sizeof(cmd), "printf '#!/bin/sh\\n' > %s/bin", dir);
	CHECK(system(cmd) == 0, "the executable becomes a script");
	write_manifest("", true);
	CHECK(verify(why, sizeof(why)) == -ENOEXEC && strstr(why, "not an ELF"),
	      "a script is refused (it could not be run from the verified bytes)");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0, "cleanup");
	keyring_free(&kr);
	daemon_config_free(&cfg);
	strv_free(errs);
	return test_done();
}
