// SPDX-License-Identifier: GPL-2.0
/*
 * Memory scenarios: revocation must reach a grantee's mapping after the
 * grantee closed its handle (review #4), a failed MAPPED_MAP must not leak
 * (#7), close vs revoke of one handle, and revoke vs mmap/munmap/mremap/
 * mprotect/fault on a grant.
 */
#include "race.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE		4096UL
#define GRANT_RIGHTS	(LOGOS_RIGHT_READ | LOGOS_RIGHT_MAP_READ | LOGOS_RIGHT_MAP_WRITE)

static struct {
	int sfd, fd[2];
	uint32_t mh[2];
	uint32_t r, g, g2;
	char *p, *extra;
	size_t len;
	int ret[3], mode, op;
	uint32_t revoked;
} m = { .sfd = -1, .fd = { -1, -1 } };

static int mem_begin_n(struct race *r, int n, uint32_t flags)
{
	int i;

	m.sfd = sup_open();
	if (m.sfd < 0)
		return race_fail(r, "open %s: %s", LOGOS_DEVICE_PATH, strerror(-m.sfd));
	for (i = 0; i < n; i++) {
		m.fd[i] = mod_create(m.sfd, flags, &m.mh[i]);
		if (m.fd[i] < 0)
			return race_fail(r, "MODULE_CREATE: %s", strerror(-m.fd[i]));
	}
	return 0;
}

static int mem_begin(struct race *r)
{
	return mem_begin_n(r, 1, 0);
}

static void mem_end(struct race *r)
{
	(void)r;
	if (m.p)
		munmap(m.p, m.len);
	if (m.extra)
		munmap(m.extra, m.len);
	m.p = m.extra = NULL;
	close_fd(&m.fd[0]);
	close_fd(&m.fd[1]);
	close_fd(&m.sfd);
}

static char *map_handle(int fd, uint32_t h, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)h << 12);

	return p == MAP_FAILED ? NULL : p;
}

static const char *sig_name(int sig)
{
	return sig == SIGBUS ? "SIGBUS" : sig == SIGSEGV ? "SIGSEGV" : "no signal";
}

/*
 * After the revoke the mapping must be dead: the control case keeps the
 * grantee's handle open (the documented SIGBUS), the real case closes it
 * right after mmap, which must change nothing.
 */
static int expect_sigbus(struct race *r, const char *how, bool closed, char *p, uint32_t revoked)
{
	int sig = touch(p, false);

	if (sig == SIGBUS)
		return 0;
	return race_fail(r, "%s%s: the mapping still works after the revoke (%s on read, revoked=%u)",
			 how, closed ? ", grantee's handle closed after mmap" : " (control: handle kept)",
			 sig_name(sig), revoked);
}

/* ---- F4: a DUPLICATE grant ---- */

static int f4_dup_case(struct race *r, bool close_grant)
{
	int fd = m.fd[0], ret;
	char *p;

	ret = mem_create(fd, PAGE, &m.r);
	if (!ret)
		ret = hdup(fd, m.r, GRANT_RIGHTS, &m.g);
	if (ret)
		return race_fail(r, "MEM_CREATE/DUPLICATE: %s", strerror(-ret));
	p = map_handle(fd, m.g, PAGE);
	if (!p)
		return race_fail(r, "mmap of the grant: %s", strerror(errno));
	if (close_grant)
		hclose(fd, m.g);
	ret = hrevoke(fd, m.r, &m.revoked);
	if (!ret)
		ret = expect_sigbus(r, "DUPLICATE grant", close_grant, p, m.revoked);
	else
		race_fail(r, "HANDLE_REVOKE: %s", strerror(-ret));
	munmap(p, PAGE);
	if (!close_grant)
		hclose(fd, m.g);
	hclose(fd, m.r);
	return ret;
}

static int f4_dup(struct race *r)
{
	if (f4_dup_case(r, false))
		return -1;
	return f4_dup_case(r, true);
}

const struct scenario sc_f4_dup = {
	.name = "F4-dup", .group = "F4",
	.what = "revoke reaches a DUPLICATE grant's mapping after its handle closed (#4)",
	.begin = mem_begin, .once = f4_dup, .end = mem_end,
};

/* ---- F4: a grant given by the supervisor (HANDLE_GIVE) ---- */

static int f4_give_case(struct race *r, bool close_grant)
{
	int ret;
	char *p;

	ret = mem_create(m.sfd, PAGE, &m.r);
	if (!ret)
		ret = hgive(m.sfd, m.mh[0], m.r, GRANT_RIGHTS, 0, &m.g);
	if (ret)
		return race_fail(r, "MEM_CREATE/HANDLE_GIVE: %s", strerror(-ret));
	p = map_handle(m.fd[0], m.g, PAGE);
	if (!p)
		return race_fail(r, "mmap of the given grant: %s", strerror(errno));
	if (close_grant)
		hclose(m.fd[0], m.g);
	ret = hrevoke(m.sfd, m.r, &m.revoked);
	if (!ret)
		ret = expect_sigbus(r, "HANDLE_GIVE grant", close_grant, p, m.revoked);
	else
		race_fail(r, "HANDLE_REVOKE: %s", strerror(-ret));
	munmap(p, PAGE);
	if (!close_grant)
		hclose(m.fd[0], m.g);
	hclose(m.sfd, m.r);
	return ret;
}

static int f4_give(struct race *r)
{
	if (f4_give_case(r, false))
		return -1;
	return f4_give_case(r, true);
}

const struct scenario sc_f4_give = {
	.name = "F4-give", .group = "F4",
	.what = "revoke reaches a HANDLE_GIVE grant's mapping after its handle closed (#4)",
	.begin = mem_begin, .once = f4_give, .end = mem_end,
};

/* ---- F4: a grant sent in a message from module A to module B ---- */

static int f4_msg_case(struct race *r, bool close_grant)
{
	uint32_t c0, c1, a0, b1;
	struct logos_msg_handle mh[1];
	int ret;
	char *p;

	ret = chan_create(m.sfd, 0, &c0, &c1);
	if (!ret)
		ret = hgive(m.sfd, m.mh[0], c0, LOGOS_RIGHTS_SAME, LOGOS_GIVE_MOVE, &a0);
	if (!ret)
		ret = hgive(m.sfd, m.mh[1], c1, LOGOS_RIGHTS_SAME, LOGOS_GIVE_MOVE, &b1);
	if (!ret)
		ret = mem_create(m.fd[0], PAGE, &m.r);
	if (!ret)
		ret = chan_send(m.fd[0], a0, &m.r, 1, 0, 0);	/* derived: A can revoke */
	if (!ret)
		ret = chan_recv(m.fd[1], b1, mh, 1, 0);
	if (ret)
		return race_fail(r, "sending the grant: %s", strerror(-ret));
	m.g = mh[0].handle;
	p = map_handle(m.fd[1], m.g, PAGE);
	if (!p)
		return race_fail(r, "mmap of the received grant: %s", strerror(errno));
	if (close_grant)
		hclose(m.fd[1], m.g);
	ret = hrevoke(m.fd[0], m.r, &m.revoked);
	if (!ret)
		ret = expect_sigbus(r, "message grant", close_grant, p, m.revoked);
	else
		race_fail(r, "HANDLE_REVOKE: %s", strerror(-ret));
	munmap(p, PAGE);
	if (!close_grant)
		hclose(m.fd[1], m.g);
	hclose(m.fd[0], m.r);
	hclose(m.fd[0], a0);
	hclose(m.fd[1], b1);
	return ret;
}

static int f4_msg_begin(struct race *r)
{
	return mem_begin_n(r, 2, 0);
}

static int f4_msg(struct race *r)
{
	if (f4_msg_case(r, false))
		return -1;
	return f4_msg_case(r, true);
}

const struct scenario sc_f4_msg = {
	.name = "F4-msg", .group = "F4",
	.what = "revoke reaches a message grant's mapping after its handle closed (#4)",
	.begin = f4_msg_begin, .once = f4_msg, .end = mem_end,
};

/* ---- F4: a mapped-channel side that closes ring_handle after mmap ---- */

static int mapped_map(int fd, uint32_t ep, struct logos_mapped_map *mm)
{
	*mm = (struct logos_mapped_map){ .handle = ep };
	return lx(fd, LOGOS_IOC_MAPPED_MAP, mm);
}

static int f4_mapped_case(struct race *r, bool close_ring)
{
	struct logos_mapped_create mc = { .nr_slots = 2 };
	struct logos_mapped_map mm;
	int fd = m.fd[0], ret;
	char *p;

	ret = lx(fd, LOGOS_IOC_MAPPED_CREATE, &mc);
	if (!ret)
		ret = mapped_map(fd, mc.handle0, &mm);
	if (ret)
		return race_fail(r, "MAPPED_CREATE/MAP: %s", strerror(-ret));
	p = mmap(NULL, mm.ring_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)mm.ring_mmap_offset);
	if (p == MAP_FAILED)
		return race_fail(r, "mmap of the ring: %s", strerror(errno));
	if (close_ring)
		hclose(fd, mm.ring_handle);
	/* Closing the attachment ends the side: its ring mapping must die. */
	ret = hclose(fd, mm.attach_handle);
	if (!ret)
		ret = expect_sigbus(r, "mapped-channel side ended", close_ring, p, 0);
	else
		race_fail(r, "HANDLE_CLOSE of the attachment: %s", strerror(-ret));
	munmap(p, mm.ring_size);
	if (!close_ring)
		hclose(fd, mm.ring_handle);
	hclose(fd, mm.ctl_handle);
	hclose(fd, mc.handle0);
	hclose(fd, mc.handle1);
	return ret;
}

static int f4_mapped_begin(struct race *r)
{
	return mem_begin_n(r, 1, LOGOS_MODULE_ALLOW_MAPPED);
}

static int f4_mapped(struct race *r)
{
	if (f4_mapped_case(r, false))
		return -1;
	return f4_mapped_case(r, true);
}

const struct scenario sc_f4_mapped = {
	.name = "F4-mapped", .group = "F4",
	.what = "a mapped side's ring mapping dies when the side ends, ring_handle closed (#4)",
	.begin = f4_mapped_begin, .once = f4_mapped, .end = mem_end,
};

/* ---- F7: MAPPED_MAP with exactly one handle slot left ---- */

static void close_map(int fd, const struct logos_mapped_map *mm)
{
	hclose(fd, mm->attach_handle);
	hclose(fd, mm->ring_handle);
	hclose(fd, mm->ctl_handle);
}

static int f7_once(struct race *r)
{
	struct logos_mapped_create mc = { .nr_slots = 2 };
	struct logos_mapped_map mm;
	int fd = m.fd[0], ret;
	uint64_t used;

	ret = lx(fd, LOGOS_IOC_MAPPED_CREATE, &mc);
	if (!ret)
		ret = mod_usage(fd, LOGOS_RES_HANDLES, &used);
	if (!ret)
		ret = set_quota(m.sfd, m.mh[0], LOGOS_RES_HANDLES, used + 1);
	if (ret)
		return race_fail(r, "setup: %s", strerror(-ret));
	ret = mapped_map(fd, mc.handle0, &mm);
	set_quota(m.sfd, m.mh[0], LOGOS_RES_HANDLES, LOGOS_LIMIT_DEFAULT);
	if (ret != -EDQUOT) {
		race_fail(r, "MAP with one handle slot left (it needs 3): %s, expected %s",
			  ret ? strerror(-ret) : "success", strerror(EDQUOT));
		if (!ret)
			close_map(fd, &mm);
	} else {
		/* The failed MAP must have left the side free. */
		ret = mapped_map(fd, mc.handle0, &mm);
		if (ret)
			race_fail(r, "MAP after the failed MAP: %s (the failed one left the side attached)",
				  strerror(-ret));
		else
			close_map(fd, &mm);
	}
	hclose(fd, mc.handle0);
	hclose(fd, mc.handle1);
	close_fd(&m.fd[0]);	/* the module exits: nothing of it may stay */
	return r->reason[0] ? -1 : 0;
}

const struct scenario sc_f7 = {
	.name = "F7-map-quota", .group = "F7",
	.what = "MAPPED_MAP with one handle slot left: no leak after close (#7)",
	.begin = f4_mapped_begin, .once = f7_once, .end = mem_end,
};

/* ---- close vs revoke of the same handle ---- */

static int cr_setup(struct race *r)
{
	int fd = m.fd[0], ret;

	m.mode = race_rand(r, 0) & 1;	/* 0: revoke the root, 1: revoke the closed one */
	ret = mem_create(fd, PAGE, &m.r);
	if (!ret)
		ret = hdup(fd, m.r, LOGOS_RIGHTS_SAME, &m.g);
	if (!ret)
		ret = hdup(fd, m.g, LOGOS_RIGHTS_SAME, &m.g2);
	return ret ? race_fail(r, "MEM_CREATE/DUPLICATE: %s", strerror(-ret)) : 0;
}

static void cr_act(struct race *r, int who)
{
	(void)r;
	if (who == 0)
		m.ret[0] = hclose(m.fd[0], m.g);
	else
		m.ret[1] = hrevoke(m.fd[0], m.mode ? m.g : m.r, &m.revoked);
}

static int cr_check(struct race *r)
{
	int fd = m.fd[0], ret = 0;
	uint32_t probe;
	int use;

	if (m.ret[0])
		ret = race_fail(r, "HANDLE_CLOSE racing a revoke: %s", strerror(-m.ret[0]));
	else if (m.ret[1] && !(m.mode && m.ret[1] == -EBADF))
		ret = race_fail(r, "HANDLE_REVOKE racing a close: %s", strerror(-m.ret[1]));
	if (!ret && !m.ret[1]) {
		/* Whatever the order, the grandchild must be revoked now. */
		use = hdup(fd, m.g2, LOGOS_RIGHTS_SAME, &probe);
		if (use != -EKEYREVOKED) {
			ret = race_fail(r, "a handle derived from the revoked one still works (%s, mode %d, revoked=%u)",
					use ? strerror(-use) : "DUPLICATE succeeded", m.mode,
					m.revoked);
			if (!use)
				hclose(fd, probe);
		}
	}
	hclose(fd, m.g2);
	hclose(fd, m.r);
	return ret;
}

const struct scenario sc_close_revoke = {
	.name = "close-revoke", .group = "pair", .nthreads = 2, .jitter = 400,
	.what = "HANDLE_CLOSE vs HANDLE_REVOKE of the same handle (and of its parent)",
	.begin = mem_begin, .setup = cr_setup, .act = cr_act, .check = cr_check,
	.end = mem_end,
};

/* ---- revoke vs mmap / munmap / mremap / mprotect / fault on a grant ---- */

enum { MM_PAGES = 4 };

static int mm_setup(struct race *r)
{
	int fd = m.fd[0], ret;

	m.len = MM_PAGES * PAGE;
	m.op = race_rand(r, 0) % 4;
	ret = mem_create(fd, m.len, &m.r);
	if (!ret)
		ret = hdup(fd, m.r, GRANT_RIGHTS | LOGOS_RIGHT_DUPLICATE, &m.g);
	if (ret)
		return race_fail(r, "MEM_CREATE/DUPLICATE: %s", strerror(-ret));
	m.p = map_handle(fd, m.g, m.len);
	if (!m.p)
		return race_fail(r, "mmap of the grant: %s", strerror(errno));
	return 0;
}

static void mm_act(struct race *r, int who)
{
	char *p = m.p, *q;
	int i;

	switch (who) {
	case 0:
		m.ret[0] = hrevoke(m.fd[0], m.r, &m.revoked);
		break;
	case 1:
		switch (m.op) {
		case 0:		/* punch a hole (page 0 always stays) */
			munmap(p + PAGE * (1 + race_rand(r, 1) % (MM_PAGES - 1)), PAGE);
			break;
		case 1:		/* move it */
			q = mremap(p, m.len, m.len, MREMAP_MAYMOVE);
			if (q != MAP_FAILED)
				m.p = q;
			break;
		case 2:		/* split it */
			mprotect(p + PAGE, PAGE, PROT_READ);
			break;
		default:	/* a second mapping through the grant */
			m.extra = map_handle(m.fd[0], m.g, m.len);
			break;
		}
		break;
	default:
		for (i = 0; i < MM_PAGES; i++)
			touch(p + PAGE * i, race_rand(r, 2) & 1);
		break;
	}
}

static int mm_check(struct race *r)
{
	int fd = m.fd[0], ret = 0, sig;
	uint64_t maps = 0, pages = 0;

	if (m.ret[0])
		ret = race_fail(r, "HANDLE_REVOKE: %s", strerror(-m.ret[0]));
	/* Every mapping made through the grant is dead, whatever raced. */
	sig = touch(m.p, false);
	if (!ret && sig != SIGBUS)
		ret = race_fail(r, "the grant's mapping survived the revoke (op %d: %s on read)",
				m.op, sig_name(sig));
	if (!ret && m.extra && (sig = touch(m.extra, false)) != SIGBUS)
		ret = race_fail(r, "a mapping made during the revoke survived it (%s on read)",
				sig_name(sig));
	munmap(m.p, m.len);
	if (m.extra)
		munmap(m.extra, m.len);
	m.p = m.extra = NULL;
	if (!ret && !mem_mappings(fd, m.r, &maps) && maps)
		ret = race_fail(r, "MEM_INFO: %llu mappings after every range was unmapped (op %d)",
				(unsigned long long)maps, m.op);
	if (!ret && !mod_usage(fd, LOGOS_RES_MAPPED_PAGES, &pages) && pages)
		ret = race_fail(r, "MAPPED_PAGES usage %llu after munmap (op %d)",
				(unsigned long long)pages, m.op);
	hclose(fd, m.g);
	hclose(fd, m.r);
	return ret;
}

const struct scenario sc_revoke_mm = {
	.name = "revoke-mm", .group = "pair", .nthreads = 3, .jitter = 800,
	.what = "revoke vs mmap, munmap, mremap, mprotect and faults on a grant",
	.begin = mem_begin, .setup = mm_setup, .act = mm_act, .check = mm_check,
	.end = mem_end,
};
