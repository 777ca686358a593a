// SPDX-License-Identifier: GPL-2.0
/*
 * logosd's seccomp filter (daemon/seccomp.c), installed for real in a
 * child on the host: setuid/setgid file modes are refused at every trust
 * level, writable+executable memory and memfd_create unless the module
 * has WriteExecute; the ordinary calls around them still work (a filter
 * that refused everything would pass the first half alone).
 */
#include "daemon_test.h"
#include "seccomp.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/seccomp.h>

enum probe {
	P_CHMOD_SUID, P_CHMOD_PLAIN, P_FCHMOD_SGID, P_FCHMODAT_SUID, P_OPEN_CREAT_SUID,
	P_OPEN_CREAT_PLAIN, P_OPEN_NOCREAT_MODEBITS, P_OPENAT_CREAT_SGID, P_CREAT_SUID,
	P_MKDIR_SGID, P_MKDIR_PLAIN, P_TMPFILE_SUID,
	P_MMAP_WX, P_MMAP_RW, P_MMAP_RX_FILE, P_MPROTECT_X, P_MPROTECT_R, P_SHMAT_EXEC,
	P_SHMAT_PLAIN, P_MEMFD, NR_PROBES,
};

static const char *const probe_names[NR_PROBES] = {
	"chmod 04755", "chmod 0755", "fchmod 02755", "fchmodat 04700",
	"open(O_CREAT, 04755)", "open(O_CREAT, 0644)", "open without O_CREAT, mode bits 06000",
	"openat(O_CREAT, 02755)", "creat 04755", "mkdir 02755", "mkdir 0755",
	"open(O_TMPFILE, 04700)",
	"mmap RWX", "mmap RW", "mmap RX of a file", "mprotect to RX", "mprotect to R",
	"shmat SHM_EXEC", "shmat", "memfd_create",
};

static char dir[] = "/tmp/logosd-seccomp-XXXXXX";

/* 0 or the errno of one probe, run under the filter. */
static int run_probe(enum probe p)
{
	char path[300];
	void *m;
	int fd, ret = 0, id;

	snprintf(path, sizeof(path), "%s/p%d", dir, (int)p);
	switch (p) {
	case P_CHMOD_SUID:
	case P_CHMOD_PLAIN:
		ret = chmod(dir, p == P_CHMOD_SUID ? 04755 : 0755);
		break;
	case P_FCHMOD_SGID:
		fd = open(dir, O_RDONLY | O_DIRECTORY);
		ret = fd < 0 ? -1 : fchmod(fd, 02755);
		break;
	case P_FCHMODAT_SUID:
		ret = fchmodat(AT_FDCWD, dir, 04700, 0);
		break;
	case P_OPEN_CREAT_SUID:
	case P_OPEN_CREAT_PLAIN:
		ret = syscall(SYS_open, path, O_CREAT | O_WRONLY | O_CLOEXEC,
			      p == P_OPEN_CREAT_SUID ? 04755 : 0644);
		break;
	case P_OPEN_NOCREAT_MODEBITS:
		ret = syscall(SYS_open, dir, O_RDONLY | O_CLOEXEC, 06777);
		break;
	case P_OPENAT_CREAT_SGID:
		ret = syscall(SYS_openat, AT_FDCWD, path, O_CREAT | O_WRONLY | O_CLOEXEC, 02755);
		break;
	case P_CREAT_SUID:
		ret = syscall(SYS_creat, path, 04755);
		break;
	case P_MKDIR_SGID:
	case P_MKDIR_PLAIN:
		ret = mkdir(path, p == P_MKDIR_SGID ? 02755 : 0755);
		break;
	case P_TMPFILE_SUID:
		ret = syscall(SYS_openat, AT_FDCWD, dir, O_TMPFILE | O_WRONLY, 04700);
		break;
	case P_MMAP_WX:
	case P_MMAP_RW:
		m = mmap(NULL, 4096, PROT_READ | PROT_WRITE | (p == P_MMAP_WX ? PROT_EXEC : 0),
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ret = m == MAP_FAILED ? -1 : 0;
		break;
	case P_MMAP_RX_FILE:
		/* what the dynamic loader does with every library */
		fd = open("/bin/true", O_RDONLY | O_CLOEXEC);
		m = fd < 0 ? MAP_FAILED : mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
		ret = m == MAP_FAILED ? -1 : 0;
		break;
	case P_MPROTECT_X:
	case P_MPROTECT_R:
		m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ret = m == MAP_FAILED ? -1 : mprotect(m, 4096, PROT_READ |
						     (p == P_MPROTECT_X ? PROT_EXEC : 0));
		break;
	case P_SHMAT_EXEC:
	case P_SHMAT_PLAIN:
		id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
		m = id < 0 ? (void *)-1 : shmat(id, NULL, p == P_SHMAT_EXEC ? SHM_EXEC : 0);
		ret = m == (void *)-1 ? -1 : 0;
		if (id >= 0)
			shmctl(id, IPC_RMID, NULL);
		break;
	case P_MEMFD:
		ret = syscall(SYS_memfd_create, "x", 0);
		break;
	case NR_PROBES:
		break;
	}
	return ret < 0 ? errno : 0;
}

/* Every probe's errno under the filter built from @o, in a child. */
static int run_all(const struct filter_opts *o, int res[NR_PROBES])
{
	struct sock_fprog prog;
	char why[256] = "";
	int pfd[2], status;
	pid_t pid;

	if (filter_build(o, &prog, why, sizeof(why))) {
		printf("# filter_build: %s\n", why);
		return -1;
	}
	if (pipe(pfd) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int r[NR_PROBES];

		close(pfd[0]);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
			_exit(2);
		for (int i = 0; i < NR_PROBES; i++)
			r[i] = run_probe(i);
		_exit(write(pfd[1], r, sizeof(r)) == sizeof(r) ? 0 : 3);
	}
	close(pfd[1]);
	filter_free(&prog);
	if (pid < 0 || read(pfd[0], res, sizeof(int) * NR_PROBES) != (ssize_t)(sizeof(int) * NR_PROBES)) {
		close(pfd[0]);
		if (pid > 0)
			waitpid(pid, &status, 0);
		return -1;
	}
	close(pfd[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void expect(const int *res, enum probe p, int want, const char *mode)
{
	CHECK(res[p] == want, "%s: %s %s (errno %d)", mode, probe_names[p],
	      want ? "is refused with EPERM" : "works", res[p]);
}

int main(void)
{
	static const enum probe suid[] = {
		P_CHMOD_SUID, P_FCHMOD_SGID, P_FCHMODAT_SUID, P_OPEN_CREAT_SUID,
		P_OPENAT_CREAT_SGID, P_CREAT_SUID, P_MKDIR_SGID, P_TMPFILE_SUID,
	};
	static const enum probe plain[] = {
		P_CHMOD_PLAIN, P_OPEN_CREAT_PLAIN, P_OPEN_NOCREAT_MODEBITS, P_MKDIR_PLAIN,
		P_MMAP_RW, P_MMAP_RX_FILE, P_MPROTECT_R, P_SHMAT_PLAIN,
	};
	static const enum probe wx[] = { P_MMAP_WX, P_MPROTECT_X, P_SHMAT_EXEC, P_MEMFD };
	struct filter_opts o = { 0 };
	int res[NR_PROBES];
	char cmd[128];

	if (!mkdtemp(dir))
		return 1;
	CHECK(run_all(&o, res) == 0, "the default filter installs and the probes run under it");
	for (size_t i = 0; i < ARRAY_SIZE(suid); i++)
		expect(res, suid[i], EPERM, "default");
	for (size_t i = 0; i < ARRAY_SIZE(plain); i++)
		expect(res, plain[i], 0, "default");
	for (size_t i = 0; i < ARRAY_SIZE(wx); i++)
		expect(res, wx[i], EPERM, "default");

	snprintf(cmd, sizeof(cmd), "rm -rf %s/p*", dir);
	CHECK(system(cmd) == 0, "fresh directory");
	o.write_execute = true;
	CHECK(run_all(&o, res) == 0, "the WriteExecute filter installs");
	for (size_t i = 0; i < ARRAY_SIZE(wx); i++)
		expect(res, wx[i], 0, "WriteExecute");
	for (size_t i = 0; i < ARRAY_SIZE(suid); i++)
		expect(res, suid[i], EPERM, "WriteExecute");

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0, "cleanup");
	return test_done();
}
