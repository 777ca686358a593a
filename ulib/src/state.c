// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Durable module state (issue 21): one file per name in a directory,
 * replaced atomically (write a temporary file, fsync it, rename it over
 * the old one, fsync the directory), with a sequence number, the time it
 * was written and a checksum. And what tells restore_state whether the
 * state logosd handed over is the newest: a trailer liblogos adds to the
 * saved bytes, naming the instance that saved it, compared with the
 * instance counter kept in the state directory.
 */
#include "internal.h"
#include "module.h"

#include <endian.h>
#include <fcntl.h>
#include <limits.h>
#include <logos/module.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * The file: magic, seq, saved_ns, len (little-endian u64s), a 16-byte
 * BLAKE2b of those 32 bytes and the data, then the data.
 */
#define STATE_MAGIC	"LOGOSST1"
#define STATE_HDR	32
#define STATE_HASH	16
#define STATE_OFF	(STATE_HDR + STATE_HASH)
#define STATE_MAX	((size_t)1 << 30)

/* Appended by liblogos to the bytes of SAVE_STATE: magic, instance, seq, saved_ns. */
#define TRAILER_MAGIC	"LGSTATE1"
#define TRAILER_LEN	32

#define INSTANCE_FILE	".logos-instance"
#define MODULE_FILE	"logos.state"

static int64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * LOGOS_NSEC_PER_SEC + ts.tv_nsec;
}

static void put64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

static int check_name(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (!n || n > 200 || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	return 0;
}

static int hash(uint8_t out[STATE_HASH], const uint8_t *hdr, const void *data, size_t len)
{
	crypto_generichash_state st;

	if (logos__sodium_init() ||
	    crypto_generichash_init(&st, NULL, 0, STATE_HASH) ||
	    crypto_generichash_update(&st, hdr, STATE_HDR) ||
	    (len && crypto_generichash_update(&st, data, len)) ||
	    crypto_generichash_final(&st, out, STATE_HASH))
		return -EIO;
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int logos_state_write(const char *dir, const char *name, uint64_t seq, const void *data,
		      size_t len)
{
	uint8_t head[STATE_OFF];
	char tmp[256];
	int dfd, fd, ret;

	if (!dir || check_name(name) || (len && !data) || len > STATE_MAX)
		return -EINVAL;
	memcpy(head, STATE_MAGIC, 8);
	put64(head + 8, seq);
	put64(head + 16, (uint64_t)realtime_ns());
	put64(head + 24, len);
	ret = hash(head + STATE_HDR, head, data, len);
	if (ret)
		return ret;
	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	ret = write_all(fd, head, sizeof(head));
	if (!ret && len)
		ret = write_all(fd, data, len);
	/* The bytes reach the disk before the name points at them. */
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && renameat(dfd, tmp, dfd, name))
		ret = -errno;
	/* And the rename itself: after this the new state survives a power cut. */
	if (!ret && fsync(dfd))
		ret = -errno;
	if (ret)
		unlinkat(dfd, tmp, 0);
out:
	close(dfd);
	return ret;
}

int logos_state_read(const char *dir, const char *name, void **data, size_t *len,
		     uint64_t *seq, int64_t *saved_ns)
{
	uint8_t head[STATE_OFF], sum[STATE_HASH];
	uint64_t n;
	struct stat st;
	uint8_t *buf = NULL;
	int dfd, fd, ret;
	ssize_t got;

	if (!dir || check_name(name))
		return -EINVAL;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	close(dfd);
	if (fd < 0)
		return -errno;
	ret = -EBADMSG;
	if (fstat(fd, &st) || st.st_size < STATE_OFF)
		goto out;
	got = pread(fd, head, sizeof(head), 0);
	if (got != (ssize_t)sizeof(head) || memcmp(head, STATE_MAGIC, 8))
		goto out;
	n = get64(head + 24);
	if (n > STATE_MAX || (uint64_t)st.st_size != STATE_OFF + n)
		goto out;
	buf = malloc(n ? n : 1);
	ret = -ENOMEM;
	if (!buf)
		goto out;
	ret = -EBADMSG;
	if (n && pread(fd, buf, n, STATE_OFF) != (ssize_t)n)
		goto out;
	if (hash(sum, head, buf, n) || sodium_memcmp(sum, head + STATE_HDR, STATE_HASH))
		goto out;
	if (seq)
		*seq = get64(head + 8);
	if (saved_ns)
		*saved_ns = (int64_t)get64(head + 16);
	if (len)
		*len = n;
	if (data) {
		*data = buf;
		buf = NULL;
	}
	ret = 0;
out:
	free(buf);
	close(fd);
	return ret;
}

/* ---- the module runtime's use of it ------------------------------------ */

/*
 * At start, before any request of logosd is handled: the durable state's
 * sequence number (commits continue it), and the instance counter, read
 * and then counted up for this instance. Without a state directory, or
 * if the counter cannot be written, freshness stays unknown.
 */
void logos__state_start(struct logos_module *m)
{
	uint64_t prev = 0;
	int ret;

	if (!m->state_dir)
		return;
	if (logos_state_read(m->state_dir, MODULE_FILE, NULL, NULL, &m->durable_seq, NULL))
		m->durable_seq = 0;
	ret = logos_state_read(m->state_dir, INSTANCE_FILE, NULL, NULL, &prev, NULL);
	if (ret && ret != -ENOENT)
		return;
	if (logos_state_write(m->state_dir, INSTANCE_FILE, prev + 1, NULL, 0))
		return;
	m->prev_instance = prev;
	m->instance = prev + 1;
}

/* The bytes to hand logosd for @st: the module's, then the trailer. */
int logos__state_frame(struct logos_module *m, const struct logos_state *st, uint8_t **out,
		       size_t *out_len)
{
	size_t len = st->data ? st->len : 0;
	uint8_t *p;

	if (len > LOGOS_MSG_MAX_BYTES)
		return -EMSGSIZE;
	p = malloc(len + TRAILER_LEN);
	if (!p)
		return -ENOMEM;
	if (len)
		memcpy(p, st->data, len);
	memcpy(p + len, TRAILER_MAGIC, 8);
	put64(p + len + 8, m->instance);
	pthread_mutex_lock(&m->state_lock);
	put64(p + len + 16, m->durable_seq);
	pthread_mutex_unlock(&m->state_lock);
	put64(p + len + 24, (uint64_t)realtime_ns());
	*out = p;
	*out_len = len + TRAILER_LEN;
	return 0;
}

/* Strips the trailer from what logosd handed over, and judges its age. */
void logos__state_judge(struct logos_module *m, struct logos_state *st)
{
	const uint8_t *t;
	uint64_t saver;

	st->freshness = LOGOS_STATE_UNKNOWN;
	if (!st->data || st->len < TRAILER_LEN)
		return;
	t = (const uint8_t *)st->data + st->len - TRAILER_LEN;
	if (memcmp(t, TRAILER_MAGIC, 8))
		return;	/* saved by a liblogos without the trailer */
	st->len -= TRAILER_LEN;
	if (!st->len)
		st->data = NULL;
	saver = get64(t + 8);
	st->seq = get64(t + 16);
	st->saved_ns = (int64_t)get64(t + 24);
	if (!saver || !m->instance)
		return;
	/*
	 * Newest only if the instance that saved it is the one that ran last
	 * (a crashed instance saves nothing, a rolled-back update ran on
	 * after saving), and nothing newer was committed since.
	 */
	st->freshness = saver == m->prev_instance && st->seq >= m->durable_seq ?
			LOGOS_STATE_NEWEST : LOGOS_STATE_EARLIER;
}

int logos_module_state_commit(struct logos_module *m, const void *data, size_t len,
			      uint64_t *seq)
{
	int ret;

	if (!m->state_dir)
		return -ENXIO;
	pthread_mutex_lock(&m->state_lock);
	ret = logos_state_write(m->state_dir, MODULE_FILE, m->durable_seq + 1, data, len);
	if (!ret) {
		m->durable_seq++;
		if (seq)
			*seq = m->durable_seq;
	}
	pthread_mutex_unlock(&m->state_lock);
	return ret;
}

int logos_module_state_load(struct logos_module *m, void **data, size_t *len, uint64_t *seq)
{
	if (!m->state_dir)
		return -ENXIO;
	return logos_state_read(m->state_dir, MODULE_FILE, data, len, seq, NULL);
}
