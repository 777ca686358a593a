// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/logos: opening rules and the version ioctl, including the size,
 * pointer and number rules every logos ioctl follows.
 */
#include <grp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "helpers.h"
#include "kselftest_harness.h"

TEST(device_node_is_root_only)
{
	struct stat st;

	ASSERT_EQ(0, stat(LOGOS_DEVICE_PATH, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
}

TEST(unprivileged_open_is_refused)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd;

		if (logos_drop_privileges())
			_exit(2);
		fd = logos_open_dev();
		_exit(fd < 0 && (errno == EACCES || errno == EPERM) ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* Permission bits alone are not enough: CAP_SYS_ADMIN is the rule. */
TEST(open_without_cap_sys_admin_is_refused)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Still uid 0, but without CAP_SYS_ADMIN in any set. */
		if (prctl(PR_CAPBSET_DROP, 21 /* CAP_SYS_ADMIN */, 0, 0, 0))
			_exit(2);
		if (setuid(0))
			_exit(2);
		{
			struct { __u32 v, p; } hdr = { 0x20080522 /* v3 */, 0 };
			struct { __u32 e, p, i; } data[2] = {};

			if (syscall(SYS_capget, &hdr, data))
				_exit(2);
			data[0].e &= ~(1U << 21);
			data[0].p &= ~(1U << 21);
			if (syscall(SYS_capset, &hdr, data))
				_exit(2);
		}
		_exit(logos_open_dev() < 0 && errno == EPERM ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = logos_open_dev();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", LOGOS_DEVICE_PATH, strerror(errno));
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

TEST_F(dev, version_reports_the_abi_of_the_header)
{
	struct logos_version ver;

	memset(&ver, 0xff, sizeof(ver));
	ASSERT_EQ(0, logos_ioctl(self->fd, LOGOS_IOC_VERSION, &ver));
	EXPECT_EQ(LOGOS_ABI_MAJOR, ver.major);
	EXPECT_EQ(LOGOS_ABI_MINOR, ver.minor);
	EXPECT_EQ(0, ver.flags);
	EXPECT_EQ(0, ver.reserved[0]);
	EXPECT_EQ(0, ver.reserved[1]);
	EXPECT_TRUE(ver.features & LOGOS_FEATURE_NETLINK);
}

TEST_F(dev, version_with_bad_pointer_is_efault)
{
	EXPECT_EQ(-EFAULT, logos_ioctl(self->fd, LOGOS_IOC_VERSION, NULL));
	EXPECT_EQ(-EFAULT, logos_ioctl(self->fd, LOGOS_IOC_VERSION, (void *)1));
}

TEST_F(dev, version_into_read_only_memory_is_efault)
{
	void *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(-EFAULT, logos_ioctl(self->fd, LOGOS_IOC_VERSION, ro));
	munmap(ro, 4096);
}

TEST_F(dev, short_argument_is_einval)
{
	struct logos_version ver;
	unsigned long cmd = logos_resize(LOGOS_IOC_VERSION, 8);

	EXPECT_EQ(-EINVAL, logos_ioctl(self->fd, cmd, &ver));
}

/* A newer caller's longer structure: known part filled, tail cleared. */
TEST_F(dev, long_argument_gets_a_zeroed_tail)
{
	unsigned char buf[sizeof(struct logos_version) + 16];
	struct logos_version *ver = (void *)buf;
	unsigned long cmd = logos_resize(LOGOS_IOC_VERSION, sizeof(buf));
	size_t i;

	memset(buf, 0xee, sizeof(buf));
	ASSERT_EQ(0, logos_ioctl(self->fd, cmd, buf));
	EXPECT_EQ(LOGOS_ABI_MAJOR, ver->major);
	for (i = sizeof(*ver); i < sizeof(buf); i++)
		EXPECT_EQ(0, buf[i]);
}

TEST_F(dev, absurd_argument_size_is_einval)
{
	static unsigned char big[16384];
	unsigned long cmd = logos_resize(LOGOS_IOC_VERSION, sizeof(big) - 1);

	EXPECT_EQ(-EINVAL, logos_ioctl(self->fd, cmd, big));
}

TEST_F(dev, unknown_ioctls_are_enotty)
{
	struct logos_version ver;

	/* An unused number, a wrong direction, a foreign magic. */
	EXPECT_EQ(-ENOTTY, logos_ioctl(self->fd, _IOR(LOGOS_IOC_MAGIC, 0xfe, __u64), &ver));
	EXPECT_EQ(-ENOTTY, logos_ioctl(self->fd,
				       _IOW(LOGOS_IOC_MAGIC, _IOC_NR(LOGOS_IOC_VERSION),
					    struct logos_version), &ver));
	EXPECT_EQ(-ENOTTY, logos_ioctl(self->fd, _IOR('T', 0x00, struct logos_version), &ver));
}

TEST_HARNESS_MAIN
