// SPDX-License-Identifier: GPL-2.0
/*
 * The update opener (daemon/clientfs.c), on the host as root: the
 * manifest, its .sig and its Executable= are opened with the client's
 * uid, gid and groups, never logosd's root, and what is opened is what
 * logosd reads.
 */
#include "daemon_test.h"
#include "clientfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NOBODY 65534
#define GROUP 4242	/* a gid nobody has */

static char dir[] = "/tmp/logosd-clientfs-XXXXXX";
static char manifest[300], sig[310], exe[300];

static void put(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static int open_as(uid_t uid, const gid_t *groups, size_t n, struct update_src *s, char *why,
		   size_t cap)
{
	int ret;

	why[0] = 0;
	ret = clientfs_open_update(manifest, uid, uid ? NOBODY : 0, groups, n, s, why, cap);
	printf("# uid %u: %d %s\n", (unsigned int)uid, ret, why);
	return ret;
}

int main(void)
{
	char why[512], body[400], got[400] = "";
	const gid_t member[] = { GROUP };
	struct update_src s;
	ssize_t n;
	int ret;

	if (geteuid() != 0) {
		printf("1..0\n# SKIP needs root (it drops to other uids)\n");
		printf("# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0\n");
		return 0;
	}
	if (!mkdtemp(dir))
		return 1;
	chmod(dir, 0755);
	snprintf(manifest, sizeof(manifest), "%s/m.module", dir);
	snprintf(sig, sizeof(sig), "%s.sig", manifest);
	snprintf(exe, sizeof(exe), "%s/bin", dir);
	snprintf(body, sizeof(body), "[Module]\nExecutable = %s\nVersion = 2\n", exe);
	put(manifest, body, 0600);
	put(exe, "\x7f" "ELF", 0755);

	ret = open_as(NOBODY, NULL, 0, &s, why, sizeof(why));
	CHECK(ret == -EACCES && strstr(why, "uid 65534 cannot read the new manifest"),
	      "a manifest only root may read is refused to another uid (EACCES), and said so");
	CHECK(s.manifest_fd < 0 && s.sig_fd < 0 && s.exe_fd < 0 && !s.path,
	      "a refusal leaves no fd open");

	ret = open_as(0, NULL, 0, &s, why, sizeof(why));
	CHECK(ret == 0 && s.manifest_fd >= 0 && s.exe_fd >= 0, "root opens it");
	CHECK(s.sig_fd == -1, "no .sig: sig_fd is -1 (verification decides, DevMode)");
	update_src_close(&s);

	chown(manifest, 0, GROUP);
	chmod(manifest, 0640);
	CHECK(open_as(NOBODY, NULL, 0, &s, why, sizeof(why)) == -EACCES,
	      "mode 0640 group %d: refused without the group", GROUP);
	ret = open_as(NOBODY, member, 1, &s, why, sizeof(why));
	CHECK(ret == 0, "... and opened with it as a supplementary group (SO_PEERGROUPS)");
	update_src_close(&s);

	chmod(manifest, 0644);
	ret = open_as(NOBODY, NULL, 0, &s, why, sizeof(why));
	CHECK(ret == 0 && s.manifest_fd >= 0 && s.exe_fd >= 0 && s.sig_fd == -1 &&
	      !strcmp(s.path, manifest), "a readable manifest and executable are opened");
	if (!ret) {
		n = pread(s.manifest_fd, got, sizeof(got) - 1, 0);
		got[n > 0 ? n : 0] = 0;
		CHECK(!strcmp(got, body), "the manifest fd has the file's bytes, at offset 0");
		CHECK(!(fcntl(s.manifest_fd, F_GETFL) & O_NONBLOCK) &&
		      (fcntl(s.manifest_fd, F_GETFD) & FD_CLOEXEC), "blocking again, close-on-exec");
	}
	update_src_close(&s);

	put(sig, "x", 0600);
	ret = open_as(NOBODY, NULL, 0, &s, why, sizeof(why));
	CHECK(ret == -EACCES && strstr(why, "signature"), "an unreadable .sig is refused");
	chmod(sig, 0644);
	ret = open_as(NOBODY, NULL, 0, &s, why, sizeof(why));
	CHECK(ret == 0 && s.sig_fd >= 0, "a readable .sig is opened");
	update_src_close(&s);

	chmod(exe, 0700);
	ret = open_as(NOBODY, NULL, 0, &s, why, sizeof(why));
	CHECK(ret == -EACCES && strstr(why, "cannot read the new executable"),
	      "an Executable= the client cannot read is refused");
	chmod(exe, 0755);

	unlink(manifest);
	mkfifo(manifest, 0644);
	ret = open_as(NOBODY, NULL, 0, &s, why, sizeof(why));
	CHECK(ret == -EBADFD && strstr(why, "not a regular file"),
	      "a FIFO is refused at once, not waited on");
	unlink(manifest);
	symlink("/etc/shadow", manifest);
	CHECK(open_as(NOBODY, NULL, 0, &s, why, sizeof(why)) == -EACCES,
	      "a symlink leads only where the client may read (/etc/shadow: EACCES)");
	unlink(manifest);

	put(manifest, "[Module]\nVersion = 2\n", 0644);
	ret = open_as(NOBODY, NULL, 0, &s, why, sizeof(why));
	CHECK(ret == -EINVAL && strstr(why, "bad manifest"), "a manifest without Executable= is refused");

	ret = clientfs_open_update("relative.module", 0, 0, NULL, 0, &s, why, sizeof(why));
	CHECK(ret == -EINVAL && strstr(why, "absolute"), "a relative path is refused");

	unlink(manifest);
	unlink(sig);
	unlink(exe);
	rmdir(dir);
	return test_done();
}
