// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the durable state file (logos_state_write/read,
 * issue 21): round trip, replacement, sequence and time, damage found,
 * no temporary file left behind, names refused, and an interrupted write
 * leaves the previous state readable.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <logos/module.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"

FIXTURE(st) {
	char dir[64];
	char path[128];
};

FIXTURE_SETUP(st)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/logos-state-test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/counter", self->dir);
}

FIXTURE_TEARDOWN(st)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	if (system(cmd))
		TH_LOG("could not remove %s", self->dir);
}

static int entries(const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void flip_byte(const char *path, off_t off)
{
	int fd = open(path, O_RDWR);
	unsigned char c;

	if (fd < 0)
		return;
	if (pread(fd, &c, 1, off) == 1) {
		c ^= 0x40;
		if (pwrite(fd, &c, 1, off) != 1)
			c = 0;
	}
	close(fd);
}

TEST_F(st, what_is_written_is_read_back_with_its_sequence_and_time)
{
	struct timespec ts;
	int64_t before, saved = 0;
	uint64_t seq = 0;
	size_t len = 0;
	void *data = NULL;
	struct stat sb;

	clock_gettime(CLOCK_REALTIME, &ts);
	before = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	ASSERT_EQ(0, logos_state_write(self->dir, "counter", 7, "2331", 4));
	ASSERT_EQ(0, logos_state_read(self->dir, "counter", &data, &len, &seq, &saved));
	EXPECT_EQ(4, len);
	EXPECT_EQ(0, memcmp(data, "2331", 4));
	EXPECT_EQ(7, seq);
	EXPECT_LE(before, saved);
	EXPECT_GT(before + 60 * 1000000000LL, saved);
	free(data);
	/* Only the state file is left, private to its owner. */
	EXPECT_EQ(1, entries(self->dir));
	ASSERT_EQ(0, stat(self->path, &sb));
	EXPECT_EQ(0600, sb.st_mode & 0777);
}

TEST_F(st, a_new_write_replaces_the_old_state_whole)
{
	uint64_t seq;
	size_t len;
	void *data;

	ASSERT_EQ(0, logos_state_write(self->dir, "counter", 1, "a longer old state", 18));
	ASSERT_EQ(0, logos_state_write(self->dir, "counter", 2, "new", 3));
	ASSERT_EQ(0, logos_state_read(self->dir, "counter", &data, &len, &seq, NULL));
	EXPECT_EQ(3, len);
	EXPECT_EQ(2, seq);
	EXPECT_EQ(0, memcmp(data, "new", 3));
	free(data);
	EXPECT_EQ(1, entries(self->dir));
}

TEST_F(st, empty_state_and_null_outputs)
{
	uint64_t seq = 0;
	size_t len = 99;
	void *data = NULL;

	ASSERT_EQ(0, logos_state_write(self->dir, "counter", 3, NULL, 0));
	ASSERT_EQ(0, logos_state_read(self->dir, "counter", &data, &len, NULL, NULL));
	EXPECT_EQ(0, len);
	free(data);
	ASSERT_EQ(0, logos_state_read(self->dir, "counter", NULL, NULL, &seq, NULL));
	EXPECT_EQ(3, seq);
}

TEST_F(st, missing_state_is_enoent)
{
	void *data;

	EXPECT_EQ(-ENOENT, logos_state_read(self->dir, "counter", &data, NULL, NULL, NULL));
	EXPECT_EQ(-ENOENT, logos_state_read("/nonexistent-logos-dir", "x", NULL, NULL, NULL, NULL));
}

TEST_F(st, every_damaged_byte_is_ebadmsg)
{
	off_t off;
	void *data;

	/* Header (magic, seq, time, length), checksum and data alike. */
	for (off = 0; off < 48 + 5; off++) {
		ASSERT_EQ(0, logos_state_write(self->dir, "counter", 5, "hello", 5));
		flip_byte(self->path, off);
		EXPECT_EQ(-EBADMSG, logos_state_read(self->dir, "counter", &data, NULL, NULL, NULL)) {
			TH_LOG("byte %ld flipped went unnoticed", (long)off);
		}
	}
}

TEST_F(st, truncated_or_foreign_files_are_ebadmsg)
{
	int fd;

	ASSERT_EQ(0, logos_state_write(self->dir, "counter", 5, "hello", 5));
	ASSERT_EQ(0, truncate(self->path, 50));
	EXPECT_EQ(-EBADMSG, logos_state_read(self->dir, "counter", NULL, NULL, NULL, NULL));
	ASSERT_EQ(0, truncate(self->path, 10));
	EXPECT_EQ(-EBADMSG, logos_state_read(self->dir, "counter", NULL, NULL, NULL, NULL));
	fd = open(self->path, O_WRONLY | O_TRUNC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(60, write(fd, "not a logos state file, just some text of sixty bytes or so.", 60));
	close(fd);
	EXPECT_EQ(-EBADMSG, logos_state_read(self->dir, "counter", NULL, NULL, NULL, NULL));
}

TEST_F(st, a_write_interrupted_before_its_rename_leaves_the_old_state)
{
	char tmp[160];
	uint64_t seq;
	size_t len;
	void *data;
	int fd;

	ASSERT_EQ(0, logos_state_write(self->dir, "counter", 1, "old", 3));
	/* What a crash half-way through the next write leaves: its temporary file. */
	snprintf(tmp, sizeof(tmp), "%s/.counter.tmp", self->dir);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(8, write(fd, "LOGOSST1", 8));
	close(fd);
	ASSERT_EQ(0, logos_state_read(self->dir, "counter", &data, &len, &seq, NULL));
	EXPECT_EQ(1, seq);
	EXPECT_EQ(0, memcmp(data, "old", 3));
	free(data);
	/* The next write goes through and tidies it away. */
	ASSERT_EQ(0, logos_state_write(self->dir, "counter", 2, "new", 3));
	EXPECT_EQ(1, entries(self->dir));
}

TEST_F(st, bad_names_and_arguments_are_einval)
{
	EXPECT_EQ(-EINVAL, logos_state_write(self->dir, "", 1, "x", 1));
	EXPECT_EQ(-EINVAL, logos_state_write(self->dir, "a/b", 1, "x", 1));
	EXPECT_EQ(-EINVAL, logos_state_write(self->dir, "..", 1, "x", 1));
	EXPECT_EQ(-EINVAL, logos_state_write(self->dir, ".", 1, "x", 1));
	EXPECT_EQ(-EINVAL, logos_state_write(NULL, "x", 1, "x", 1));
	EXPECT_EQ(-EINVAL, logos_state_write(self->dir, "x", 1, NULL, 1));
	EXPECT_EQ(-EINVAL, logos_state_read(self->dir, "../x", NULL, NULL, NULL, NULL));
	EXPECT_EQ(0, entries(self->dir));
	EXPECT_EQ(-ENOENT, logos_state_write("/nonexistent-logos-dir", "x", 1, "x", 1));
}

TEST_HARNESS_MAIN
