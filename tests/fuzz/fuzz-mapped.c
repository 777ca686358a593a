// SPDX-License-Identifier: GPL-2.0
/*
 * logos-fuzz: mapped channels (ABI 0.2), the random operations.
 *
 * Random operations: LOGOS_IOC_MAPPED_CREATE, _MAP, _NOTIFY and _WAIT with
 * bad sizes, flags, reserved fields and handles; mmap of the ring and
 * control handles MAP returns (whole, partial, too long, writable control
 * page, private, executable); work on the rings through those mappings
 * (producing, consuming, scribbling on the headers the kernel never
 * trusts); munmap, mprotect and mremap of ring mappings; closes of
 * attachment, ring and control handles in random order. Endpoints and
 * attachments are remembered like any other handle, so the generic
 * operations (duplicate, give, send in a message, revoke, close, watch,
 * wait) meet them too.
 *
 * The mapped story, which completes what random choice rarely does, is in
 * fuzz-mapped-story.c; the CALL retried after a signal in fuzz-mm-nl.c.
 */
#include "fuzz.h"

#include <stddef.h>

#define MAX_MATTS 8
static struct matt matts[MAX_MATTS] = { [0 ... MAX_MATTS - 1] = { .file = -1 } };

static sigjmp_buf mjmp;
static volatile int mtouching;

static void on_mfault(int sig)
{
	if (mtouching)
		siglongjmp(mjmp, sig);
	on_fault(sig);
}

/* Runs @fn with SIGBUS/SIGSEGV caught: false when it faulted. */
bool guarded(void (*fn)(void *), void *arg)
{
	struct sigaction sa = { .sa_handler = on_mfault, .sa_flags = SA_NODEFER }, ob, os;
	bool ok = true;

	sigaction(SIGBUS, &sa, &ob);
	sigaction(SIGSEGV, &sa, &os);
	if (sigsetjmp(mjmp, 1)) {
		ok = false;
		__atomic_fetch_add(&stats->sigbus, 1, __ATOMIC_RELAXED);
	} else {
		mtouching = 1;
		fn(arg);
	}
	mtouching = 0;
	sigaction(SIGBUS, &ob, NULL);
	sigaction(SIGSEGV, &os, NULL);
	return ok;
}

void read_byte(void *p)
{
	(void)*(volatile uint8_t *)p;
}

void unmap_matt(struct matt *m)
{
	if (m->ring_map)
		munmap(m->ring_map, m->ring_len);
	if (m->ctl_map)
		munmap((void *)m->ctl_map, PAGE);
	m->ring_map = NULL;
	m->ctl_map = NULL;
}

/* A forked child inherits no logos mapping (VM_DONTCOPY): forget them. */
void mapped_after_fork(void)
{
	for (int i = 0; i < MAX_MATTS; i++) {
		matts[i].ring_map = NULL;
		matts[i].ctl_map = NULL;
	}
}

void mapped_cleanup(void)
{
	for (int i = 0; i < MAX_MATTS; i++) {
		unmap_matt(&matts[i]);
		matts[i].file = -1;
	}
}

static struct matt *pick_matt(bool need_maps)
{
	int idx[MAX_MATTS], n = 0;

	for (int i = 0; i < MAX_MATTS; i++)
		if (matts[i].file >= 0 && files[matts[i].file].fd >= 0 &&
		    (!need_maps || (matts[i].ring_map && matts[i].ctl_map)))
			idx[n++] = i;
	return n ? &matts[idx[rnd(n)]] : NULL;
}

/* A file that may use mapped channels: a supervisor or an allowed module. */
static int pick_mapped_file(void)
{
	for (int tries = 0; tries < 6; tries++) {
		int f = pick_file(false);

		if (f >= 0 && (files[f].supervisor || files[f].allow_mapped))
			return f;
	}
	return pick_file(false);
}

/* Valid geometry mostly, small (several workers share a 2 GiB guest). */
static void pick_geometry(uint32_t *slot_size, uint32_t *nr_slots)
{
	switch (rnd(10)) {
	case 0:	/* the defaults: 64 x 1024 */
		*slot_size = 0;
		*nr_slots = 0;
		return;
	case 1:	/* not a power of two, out of range, or too large in all */
		*slot_size = chance(50) ? 64 + 1 + rnd(200) : 1u << rnd(32);
		*nr_slots = chance(50) ? 1 + rnd(4) : 1u << rnd(32);
		return;
	default:
		*slot_size = LOGOS_MAPPED_MIN_SLOT << rnd(7);	/* 64..4096 */
		*nr_slots = 2u << rnd(5);			/* 2..32 */
	}
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* What a successful MAP answered must be what the header describes. */
bool check_map_answer(const struct logos_mapped_map *a, const char *who)
{
	uint64_t ring_bytes = (LOGOS_MAPPED_RING_HDR + (uint64_t)a->slot_size * a->nr_slots +
			       PAGE - 1) & ~(PAGE - 1);

	if (a->side > 1 || !is_pow2(a->slot_size) || a->slot_size < LOGOS_MAPPED_MIN_SLOT ||
	    a->slot_size > LOGOS_MAPPED_MAX_SLOT || !is_pow2(a->nr_slots) || a->nr_slots < 2 ||
	    a->nr_slots > LOGOS_MAPPED_MAX_SLOTS || a->ring_size != 2 * ring_bytes ||
	    a->ring_mmap_offset != (uint64_t)a->ring_handle * PAGE ||
	    a->ctl_mmap_offset != (uint64_t)a->ctl_handle * PAGE || !a->attach_handle ||
	    !a->ring_handle || !a->ctl_handle) {
		fail("%s: MAP answered side %u slot %u x %u ring %llu offsets %#llx %#llx", who,
		     a->side, a->slot_size, a->nr_slots, (unsigned long long)a->ring_size,
		     (unsigned long long)a->ring_mmap_offset, (unsigned long long)a->ctl_mmap_offset);
		return false;
	}
	return true;
}

struct ctl_check {
	const volatile struct logos_mapped_ctl *ctl;
	const struct matt *m;
	struct logos_mapped_ctl seen;
	bool bad;
};

static void read_ctl(void *arg)
{
	struct ctl_check *c = arg;
	const volatile struct logos_mapped_ctl *ctl = c->ctl;

	struct logos_mapped_ctl *s = &c->seen;

	memcpy(s, (const void *)ctl, sizeof(*s));
	c->bad = s->magic != LOGOS_MAPPED_CTL_MAGIC || s->slot_size != c->m->slot_size ||
		 s->nr_slots != c->m->nr_slots || s->ring_size != c->m->ring_size ||
		 s->ring_offset[0] != 0 || s->ring_offset[1] != c->m->ring_size / 2 ||
		 (s->status & ~0xfU) || s->reserved[0] || s->reserved[1] || s->reserved[2];
}

/* The control page as the kernel keeps it; -1 when it faulted (revoked). */
int64_t ctl_status(const struct matt *m, const char *who)
{
	struct ctl_check c = { .ctl = m->ctl_map, .m = m };

	if (!m->ctl_map || !guarded(read_ctl, &c))
		return -1;
	/* A handle value closed and reused maps something else: not a finding. */
	if (c.bad && m->trusted)
		fail("%s: control page %#x %#x %ux%u %llu, MAP said %ux%u %llu (pid %d)", who,
		     c.seen.magic, c.seen.status, c.seen.slot_size, c.seen.nr_slots,
		     (unsigned long long)c.seen.ring_size, m->slot_size, m->nr_slots,
		     (unsigned long long)m->ring_size, (int)getpid());
	return c.seen.status;
}

/* The cap id behind handle @h of file @f, 0 if none: names it across reuse. */
static uint64_t cap_of(int f, uint32_t h)
{
	struct logos_handle_info i = { .handle = h };

	return xioctl(O_INFO, files[f].fd, LOGOS_IOC_HANDLE_INFO, &i) ? 0 : i.cap_id;
}

void fill_matt(struct matt *m, int f, const struct logos_mapped_map *a)
{
	*m = (struct matt){
		.file = f, .att = a->attach_handle, .ring = a->ring_handle, .ctl = a->ctl_handle,
		.side = a->side, .slot_size = a->slot_size, .nr_slots = a->nr_slots,
		.ring_size = a->ring_size,
	};
}

static struct matt *new_matt(int f, const struct logos_mapped_map *a)
{
	struct matt *m = NULL;

	for (int i = 0; i < MAX_MATTS && !m; i++)
		if (matts[i].file < 0 || files[matts[i].file].fd < 0)
			m = &matts[i];
	if (!m)
		m = &matts[rnd(MAX_MATTS)];
	unmap_matt(m);
	fill_matt(m, f, a);
	return m;
}

/* Maps @m's ring and control page whole, as liblogos does; true if both. */
bool map_matt(struct matt *m)
{
	void *r, *c;

	unmap_matt(m);
	r = mmap(NULL, m->ring_size, PROT_READ | PROT_WRITE, MAP_SHARED, files[m->file].fd,
		 (off_t)m->ring * (off_t)PAGE);
	c = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, files[m->file].fd, (off_t)m->ctl * (off_t)PAGE);
	m->ring_map = r == MAP_FAILED ? NULL : r;
	m->ring_len = m->ring_size;
	m->ctl_map = c == MAP_FAILED ? NULL : c;
	return m->ring_map && m->ctl_map;
}

/* ---- random operations --------------------------------------------------- */

void op_mapped_create(void)
{
	struct logos_mapped_create a = { 0 };
	int f = pick_mapped_file();

	if (f < 0)
		return;
	pick_geometry(&a.slot_size, &a.nr_slots);
	a.flags = pick_flags(0);
	a.reserved = chance(97) ? 0 : 1;
	if (issue(O_MAPPED_CREATE, f, LOGOS_IOC_MAPPED_CREATE, &a, sizeof(a)))
		return;
	remember(f, a.handle0, LOGOS_OBJ_MAPPED);
	/* Side 1 is meant for a peer: give it to a module of ours, usually derived. */
	if (files[f].supervisor && chance(60)) {
		int g = pick_module_file();

		if (g >= 0 && files[g].sup == f) {
			struct logos_handle_give give = {
				.module = files[g].self_handle, .handle = a.handle1,
				.rights = LOGOS_RIGHTS_SAME, .flags = chance(30) ? LOGOS_GIVE_MOVE : 0,
			};

			if (!xioctl(O_GIVE, files[f].fd, LOGOS_IOC_HANDLE_GIVE, &give)) {
				remember(g, give.new_handle, LOGOS_OBJ_MAPPED);
				if (give.flags & LOGOS_GIVE_MOVE)
					return;
			}
		}
	}
	remember(f, a.handle1, LOGOS_OBJ_MAPPED);
}

void op_mapped_map(void)
{
	struct logos_mapped_map a = { 0 };
	int f = pick_mapped_file(), ret;
	struct matt *m;

	if (f < 0)
		return;
	a.handle = pick_handle(f, LOGOS_OBJ_MAPPED);
	a.flags = pick_flags(0);
	if (chance(3))	/* outputs the kernel must overwrite, never read */
		memset(&a.attach_handle, 0xa5,
		       sizeof(a) - offsetof(struct logos_mapped_map, attach_handle));
	ret = issue(O_MAPPED_MAP, f, LOGOS_IOC_MAPPED_MAP, &a, sizeof(a));
	stale(f, a.handle, ret);
	if (ret || !check_map_answer(&a, "mapped_map"))
		return;
	remember(f, a.attach_handle, LOGOS_OBJ_MAPPED);
	remember(f, a.ring_handle, LOGOS_OBJ_MEMORY);
	remember(f, a.ctl_handle, LOGOS_OBJ_MEMORY);
	m = new_matt(f, &a);
	m->ring_cap = cap_of(f, a.ring_handle);
	m->ctl_cap = cap_of(f, a.ctl_handle);
	m->trusted = m->ring_cap && m->ctl_cap;
	if (chance(70) && map_matt(m))
		ctl_status(m, "mapped_map");
}

static uint32_t pick_attachment(int *f)
{
	struct matt *m = pick_matt(false);

	if (m && chance(80)) {
		*f = m->file;
		return m->att;
	}
	*f = pick_mapped_file();
	return *f >= 0 ? pick_handle(*f, LOGOS_OBJ_MAPPED) : 0;
}

void op_mapped_notify(void)
{
	struct logos_mapped_notify a = { 0 };
	int f;

	a.handle = pick_attachment(&f);
	if (f < 0)
		return;
	a.flags = pick_flags(0);
	stale(f, a.handle, issue(O_MAPPED_NOTIFY, f, LOGOS_IOC_MAPPED_NOTIFY, &a, sizeof(a)));
}

void op_mapped_wait(bool may_block)
{
	struct logos_mapped_wait a = { 0 };
	int f, ret;

	a.handle = pick_attachment(&f);
	if (f < 0)
		return;
	a.flags = pick_flags(0);
	a.reserved = chance(97) ? 0 : 1;
	a.timeout_ns = pick_timeout(may_block);
	if (!may_block && a.timeout_ns < 0)
		a.timeout_ns = 0;
	ret = issue(O_MAPPED_WAIT, f, LOGOS_IOC_MAPPED_WAIT, &a, sizeof(a));
	stale(f, a.handle, ret);
	/* Success means something was observed: a ring, an end, a revoke. */
	if (!ret && !(a.observed & (LOGOS_SIGNAL_DOORBELL | LOGOS_SIGNAL_PEER_CLOSED |
				    LOGOS_SIGNAL_REVOKED)))
		fail("mapped_wait: succeeded observing %#x", a.observed);
}

/*
 * mmap of a ring or control handle, right or wrong. What must fail: the
 * control page writable (it has no MAP_WRITE, and mprotect() may not add
 * it later), anything executable, more than the object.
 */
void op_mapped_mmap(void)
{
	struct matt *m = pick_matt(false);
	int slot = rnd(MAX_MAPS), prot, flags, fd;
	bool ctl = chance(40), must_fail = false, same = false;
	size_t len;
	off_t off;
	void *p;

	if (!m)
		return;
	if (chance(30)) {	/* the liblogos way, kept for the ring operations */
		__atomic_fetch_add(&stats->ops[O_MAPPED_MMAP], 1, __ATOMIC_RELAXED);
		m->trusted = m->ring_cap && m->ring_cap == cap_of(m->file, m->ring) &&
			     m->ctl_cap && m->ctl_cap == cap_of(m->file, m->ctl);
		if (map_matt(m))
			__atomic_fetch_add(&stats->ok[O_MAPPED_MMAP], 1, __ATOMIC_RELAXED);
		return;
	}
	fd = files[m->file].fd;
	off = (off_t)(ctl ? m->ctl : m->ring) * (off_t)PAGE;
	len = ctl ? PAGE : m->ring_size;
	prot = ctl ? PROT_READ : PROT_READ | PROT_WRITE;
	flags = MAP_SHARED;
	switch (rnd(8)) {
	case 0: len = PAGE * (1 + rnd(len / PAGE)); break;		/* a part */
	case 1: len += PAGE * (1 + rnd(2)); must_fail = same = true; break;	/* too long */
	case 2: prot |= PROT_WRITE; must_fail = same = ctl; break;
	case 3: prot |= PROT_EXEC; must_fail = true; break;
	case 4: flags = MAP_PRIVATE; must_fail = true; break;
	case 5: off += PAGE * (1 + rnd(2)); break;	/* another handle's offset */
	default: break;
	}
	if (maps[slot].addr) {
		munmap(maps[slot].addr, maps[slot].len);
		maps[slot].addr = NULL;
	}
	__atomic_fetch_add(&stats->ops[O_MAPPED_MMAP], 1, __ATOMIC_RELAXED);
	p = mmap(NULL, len, prot, flags, fd, off);
	if (p == MAP_FAILED)
		return;
	__atomic_fetch_add(&stats->ok[O_MAPPED_MMAP], 1, __ATOMIC_RELAXED);
	/* Executable or private: refused for any memory. Too long or a
	 * writable control page: only if the handle still is that one. */
	if (must_fail && (!same || (m->ctl_cap && m->ring_cap &&
				    cap_of(m->file, ctl ? m->ctl : m->ring) ==
				    (ctl ? m->ctl_cap : m->ring_cap))))
		fail("mapped_mmap: %s mapping (len %zu prot %#x flags %#x) was allowed",
		     ctl ? "control page" : "ring", len, prot, flags);
	if (ctl && off == (off_t)m->ctl * (off_t)PAGE && !(prot & PROT_WRITE) &&
	    !mprotect(p, len, PROT_READ | PROT_WRITE) && m->ctl_cap &&
	    cap_of(m->file, m->ctl) == m->ctl_cap)
		fail("mapped_mmap: mprotect made the control page writable");
	maps[slot] = (struct map){ p, len, prot };
}

struct ring_work {
	struct matt *m;
	bool corrupt;
	int consumed;
};

/* One step of a ring, both directions, as a producer and consumer would. */
static void ring_step(void *arg)
{
	struct ring_work *w = arg;
	struct matt *m = w->m;
	uint64_t half = m->ring_size / 2;
	struct logos_mapped_ring *out = (void *)(m->ring_map + m->side * half);
	struct logos_mapped_ring *in = (void *)(m->ring_map + (1 - m->side) * half);
	uint64_t head, tail;

	if (w->corrupt) {	/* the kernel trusts none of it */
		uint8_t *p = m->ring_map + rnd(m->ring_len);

		*p = (uint8_t)rnd64();
		if (chance(30) && m->ring_len == m->ring_size)
			__atomic_store_n(&in->tail, rnd64(), __ATOMIC_RELEASE);
		return;
	}
	head = __atomic_load_n(&out->head, __ATOMIC_ACQUIRE);
	tail = out->tail;
	if (tail - head < m->nr_slots) {
		uint8_t *slot = (uint8_t *)out + LOGOS_MAPPED_RING_HDR +
				(tail & (m->nr_slots - 1)) * m->slot_size;
		struct logos_mapped_slot *s = (void *)slot;

		s->len = rnd(m->slot_size - LOGOS_MAPPED_SLOT_HDR + 1);
		s->flags = 0;
		memset(slot + LOGOS_MAPPED_SLOT_HDR, 0x5a, s->len < 64 ? s->len : 64);
		__atomic_store_n(&out->tail, tail + 1, __ATOMIC_RELEASE);
	}
	tail = __atomic_load_n(&in->tail, __ATOMIC_ACQUIRE);
	head = in->head;
	while (tail != head && tail - head <= m->nr_slots && w->consumed < 4) {
		head++;
		w->consumed++;
	}
	__atomic_store_n(&in->head, head, __ATOMIC_RELEASE);
}

void op_mapped_ring(void)
{
	struct matt *m = pick_matt(true);
	struct ring_work w = { .m = m, .corrupt = chance(10) };

	if (!m)
		return;
	if (m->ring_len != m->ring_size)
		w.corrupt = true;	/* scribbles only where the mapping is left */
	__atomic_fetch_add(&stats->ops[O_MAPPED_RING], 1, __ATOMIC_RELAXED);
	ctl_status(m, "mapped_ring");
	if (guarded(ring_step, &w))
		__atomic_fetch_add(&stats->ok[O_MAPPED_RING], 1, __ATOMIC_RELAXED);
	if (chance(50)) {
		struct logos_mapped_notify n = { .handle = m->att };

		xioctl(O_MAPPED_NOTIFY, files[m->file].fd, LOGOS_IOC_MAPPED_NOTIFY, &n);
	}
}

/*
 * The ring mappings and handles go, in random order and pieces: munmap
 * (whole or a page), mprotect, mremap (moved, shrunk, grown), closes of
 * the attachment, ring and control handles.
 */
void op_mapped_teardown(void)
{
	struct matt *m = pick_matt(false);
	uint32_t hs[3];
	int f;

	if (!m)
		return;
	f = m->file;
	hs[0] = m->att;
	hs[1] = m->ring;
	hs[2] = m->ctl;
	__atomic_fetch_add(&stats->ops[O_MAPPED_TEARDOWN], 1, __ATOMIC_RELAXED);
	if (m->ring_map) {
		void *p;

		switch (rnd(5)) {
		case 0:	/* moved to a fixed place (logos_vm_mremap) */
			p = mmap(NULL, m->ring_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p != MAP_FAILED) {
				void *q = mremap(m->ring_map, m->ring_len, m->ring_len,
						 MREMAP_MAYMOVE | MREMAP_FIXED, p);

				if (q == MAP_FAILED)
					munmap(p, m->ring_len);
				else
					m->ring_map = q;
			}
			break;
		case 1:	/* grown: VM_DONTEXPAND refuses it */
			p = mremap(m->ring_map, m->ring_len, m->ring_len + PAGE, MREMAP_MAYMOVE);
			if (p != MAP_FAILED) {
				fail("mapped_teardown: mremap grew a ring mapping");
				m->ring_map = p;
				m->ring_len += PAGE;
			}
			break;
		case 2:	/* the tail unmapped, or shrunk by mremap: a split vma */
			if (m->ring_len > PAGE) {
				size_t keep = PAGE * (1 + rnd(m->ring_len / PAGE - 1));

				if (chance(50))
					munmap(m->ring_map + keep, m->ring_len - keep);
				else if (mremap(m->ring_map, m->ring_len, keep, 0) == MAP_FAILED)
					break;
				m->ring_len = keep;
			}
			break;
		case 3:
			mprotect(m->ring_map, m->ring_len, rnd(2) ? PROT_READ : PROT_NONE);
			break;
		default:
			break;
		}
		guarded(read_byte, m->ring_map + rnd(m->ring_len));
	}
	/* The three handles, in some order, some of them. */
	for (int i = 0; i < 3; i++) {
		int j = rnd(3);
		uint32_t t = hs[i];

		hs[i] = hs[j];
		hs[j] = t;
	}
	for (int i = 0, n = 1 + rnd(3); i < n; i++) {
		struct logos_handle_close c = { .handle = hs[i] };

		if (!xioctl(O_MAPPED_TEARDOWN, files[f].fd, LOGOS_IOC_HANDLE_CLOSE, &c))
			forget(f, hs[i]);
		if (m->ctl_map && chance(50))
			ctl_status(m, "mapped_teardown");
	}
	if (chance(50)) {
		unmap_matt(m);
		m->file = -1;
	}
}
