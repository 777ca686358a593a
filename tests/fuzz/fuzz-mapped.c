// SPDX-License-Identifier: GPL-2.0
/*
 * logos-fuzz: mapped channels (ABI 0.2) and the interrupted call.
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
 * Two stories complete what random choice rarely does:
 * - the mapped story: a channel created by a supervisor, side 1 moved to
 *   a module (given, or sent in a message), both sides mapped, a message
 *   through the ring and a doorbell, then side 1 revoked by its creator
 *   while a forked process of that module waits on its doorbell or keeps
 *   touching its ring mapping;
 * - the call retry: a CALL that the 50 ms timer interrupts while the
 *   server holds it, retried with the same argument (the kernel parked it
 *   and wrote its id into request.header.txn_id): the reply must arrive
 *   once, the request must reach the server once.
 * Each checks what the ABI promises (see uapi/linux/logos.h): a failure is
 * a result the header rules out, never merely an unlucky interleaving.
 */
#include "fuzz.h"

#include <stddef.h>

/* An attachment we made, with what MAP told us and what we mapped. */
struct matt {
	int file;		/* -1: free */
	uint32_t att, ring, ctl, side;
	uint32_t slot_size, nr_slots;
	uint64_t ring_size;
	uint8_t *ring_map;	/* the ring memory, or NULL */
	size_t ring_len;	/* bytes of it still mapped (a tail may be gone) */
	const volatile struct logos_mapped_ctl *ctl_map;
	uint64_t produced, consumed;	/* our own counters of the two rings */
};

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
static bool guarded(void (*fn)(void *), void *arg)
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

static void read_byte(void *p)
{
	(void)*(volatile uint8_t *)p;
}

static void unmap_matt(struct matt *m)
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
static bool check_map_answer(const struct logos_mapped_map *a, const char *who)
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
	uint32_t status;
	bool bad;
};

static void read_ctl(void *arg)
{
	struct ctl_check *c = arg;
	const volatile struct logos_mapped_ctl *ctl = c->ctl;

	c->status = ctl->status;
	c->bad = ctl->magic != LOGOS_MAPPED_CTL_MAGIC || ctl->slot_size != c->m->slot_size ||
		 ctl->nr_slots != c->m->nr_slots || ctl->ring_size != c->m->ring_size ||
		 ctl->ring_offset[0] != 0 || ctl->ring_offset[1] != c->m->ring_size / 2 ||
		 (c->status & ~0xfU) || ctl->reserved[0] || ctl->reserved[1] || ctl->reserved[2];
}

/* The control page as the kernel keeps it; -1 when it faulted (revoked). */
static int64_t ctl_status(const struct matt *m, const char *who)
{
	struct ctl_check c = { .ctl = m->ctl_map, .m = m };

	if (!m->ctl_map || !guarded(read_ctl, &c))
		return -1;
	if (c.bad)
		fail("%s: the control page does not match MAP (status %#x)", who, c.status);
	return c.status;
}

static void fill_matt(struct matt *m, int f, const struct logos_mapped_map *a)
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
static bool map_matt(struct matt *m)
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
	bool ctl = chance(40), must_fail = false;
	size_t len;
	off_t off;
	void *p;

	if (!m)
		return;
	if (chance(30)) {	/* the liblogos way, kept for the ring operations */
		__atomic_fetch_add(&stats->ops[O_MAPPED_MMAP], 1, __ATOMIC_RELAXED);
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
	case 1: len += PAGE * (1 + rnd(2)); must_fail = true; break;	/* too long */
	case 2: prot |= PROT_WRITE; must_fail = ctl; break;
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
	if (must_fail)
		fail("mapped_mmap: %s mapping (len %zu prot %#x flags %#x) was allowed",
		     ctl ? "control page" : "ring", len, prot, flags);
	if (ctl && !(prot & PROT_WRITE) && !mprotect(p, len, PROT_READ | PROT_WRITE))
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

/* ---- the mapped story ------------------------------------------------------ */

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A sleep the 50 ms timer does not cut short. */
static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
}

/* A module of supervisor @f allowed to map, made when there is none. */
static int mapped_module_of(int f)
{
	struct logos_module_create mc = {
		.name = "fuzzmapped", .trust_level = 0, .flags = LOGOS_MODULE_ALLOW_MAPPED,
	};

	for (int i = 0; i < MAX_FILES; i++)
		if (files[i].fd >= 0 && !files[i].supervisor && files[i].sup == f &&
		    files[i].allow_mapped && chance(80))
			return i;
	if (xioctl(O_MAPPED_STORY, files[f].fd, LOGOS_IOC_MODULE_CREATE, &mc) || mc.fd < 0)
		return -1;
	return adopt_module(f, &mc);
}

/* Side 1's endpoint into @g: given (derived), or sent in a message. */
static uint32_t move_endpoint(int f, int g, uint32_t h1)
{
	struct logos_channel_create cc = { 0 };
	struct logos_handle_give give = {
		.module = files[g].self_handle, .rights = LOGOS_RIGHTS_SAME,
	};
	struct logos_msg_handle mh = { .handle = h1, .rights = LOGOS_RIGHTS_SAME };
	struct logos_msg m = { .nr_handles = 1, .handles = (uint64_t)(uintptr_t)&mh };
	struct logos_channel_io io = { .msgs = (uint64_t)(uintptr_t)&m, .count = 1 };

	if (chance(50)) {
		give.handle = h1;
		if (xioctl(O_MAPPED_STORY, files[f].fd, LOGOS_IOC_HANDLE_GIVE, &give))
			return 0;
		return give.new_handle;
	}
	/* A channel to the module, the endpoint copied (derived) through it. */
	if (xioctl(O_MAPPED_STORY, files[f].fd, LOGOS_IOC_CHANNEL_CREATE, &cc))
		return 0;
	remember(f, cc.handle0, LOGOS_OBJ_CHANNEL);
	give.handle = cc.handle1;
	give.flags = LOGOS_GIVE_MOVE;
	if (xioctl(O_MAPPED_STORY, files[f].fd, LOGOS_IOC_HANDLE_GIVE, &give))
		return 0;
	remember(g, give.new_handle, LOGOS_OBJ_CHANNEL);
	io.handle = cc.handle0;
	if (xioctl(O_MAPPED_STORY, files[f].fd, LOGOS_IOC_CHANNEL_SEND, &io))
		return 0;
	io = (struct logos_channel_io){
		.handle = give.new_handle, .msgs = (uint64_t)(uintptr_t)&m, .count = 1,
	};
	m = (struct logos_msg){ .nr_handles = 1, .handles = (uint64_t)(uintptr_t)&mh };
	mh = (struct logos_msg_handle){ 0 };
	if (xioctl(O_MAPPED_STORY, files[g].fd, LOGOS_IOC_CHANNEL_RECV, &io) || io.done != 1)
		return 0;
	if (m.nr_handles != 1 || mh.type != LOGOS_OBJ_MAPPED) {
		fail("mapped story: the endpoint arrived as %u handle(s) of type %u", m.nr_handles,
		     mh.type);
		return 0;
	}
	return mh.handle;
}

/*
 * Side 1 in a forked process of the module while it ends: waiting on its
 * doorbell (mode 0) or touching its own ring mapping (mode 1). @ended is
 * a pipe that says when the side was ended. Exit 0: what the ABI says.
 */
static void side_child(int mode, int g, const struct logos_mapped_map *mb, int ended)
{
	uint64_t end = mono_ms() + 10000;
	uint8_t *ring;
	char c;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setup_signals();	/* the 50 ms timer: its waits are interrupted */
	if (mode == 0) {
		while (mono_ms() < end) {
			struct logos_mapped_wait w = { .handle = mb->attach_handle, .timeout_ns = -1 };
			int ret = xioctl(O_MAPPED_STORY, files[g].fd, LOGOS_IOC_MAPPED_WAIT, &w);

			if (ret == -EINTR || (!ret && !(w.observed & ~LOGOS_SIGNAL_DOORBELL)))
				continue;
			/* Woken by the end; or the attachment itself was closed. */
			if ((!ret && (w.observed & LOGOS_SIGNAL_PEER_CLOSED)) || ret == -EBADF)
				_exit(0);
			_exit(10);
		}
		_exit(11);
	}
	ring = mmap(NULL, mb->ring_size, PROT_READ | PROT_WRITE, MAP_SHARED, files[g].fd,
		    (off_t)mb->ring_mmap_offset);
	if (ring == MAP_FAILED)
		_exit(0);	/* too late: already ended */
	while (mono_ms() < end) {
		bool told = read(ended, &c, 1) == 1;

		if (!guarded(read_byte, ring + rnd(mb->ring_size))) {
			struct pollfd p = { .fd = ended, .events = POLLIN };
			uint64_t limit = mono_ms() + 5000;

			/* A fault is right only once the side ended: the parent
			 * says so right after its revoke or close returned. */
			while (!told && mono_ms() < limit)
				if (poll(&p, 1, 100) > 0)
					told = true;
			_exit(told ? 0 : 12);
		}
		if (told)
			_exit(13);	/* ended, and still readable */
	}
	_exit(0);
}

struct story {
	int f, g;
	uint32_t h0, h1, ep1;
	struct logos_mapped_map ma, mb;
	struct matt a, b;
};

/* Checks after side 1 ended (@why: its status bit), while side 0 lives. */
static void check_ended(struct story *s, uint32_t why)
{
	struct logos_mapped_notify n = { .handle = s->ma.attach_handle };
	struct logos_mapped_wait w = { .handle = s->ma.attach_handle };
	struct logos_mapped_map again = { .handle = s->ep1 };
	int64_t st = ctl_status(&s->a, "mapped story");
	int ret;

	if (st >= 0 && !(st & why))
		fail("mapped story: side 1 ended, status %#llx lacks %#x", (long long)st, why);
	if (s->b.ring_map && guarded(read_byte, s->b.ring_map + rnd(s->b.ring_size)))
		fail("mapped story: an ended side's ring mapping was still readable");
	if (s->b.ctl_map && guarded(read_byte, (void *)s->b.ctl_map))
		fail("mapped story: an ended side's control page was still readable");
	ret = xioctl(O_MAPPED_STORY, files[s->f].fd, LOGOS_IOC_MAPPED_NOTIFY, &n);
	if (ret != -EPIPE)
		fail("mapped story: NOTIFY on an ended channel gave %d, not -EPIPE", ret);
	ret = xioctl(O_MAPPED_STORY, files[s->f].fd, LOGOS_IOC_MAPPED_WAIT, &w);
	if (ret || !(w.observed & LOGOS_SIGNAL_PEER_CLOSED))
		fail("mapped story: the survivor's WAIT gave %d observing %#x", ret, w.observed);
	/* The survivor keeps its mappings (unless side 0 ended as well). */
	if (s->a.ring_map && !guarded(read_byte, s->a.ring_map + rnd(s->a.ring_size)) &&
	    !(ctl_status(&s->a, "mapped story") & (LOGOS_MAPPED_CLOSED(0) | LOGOS_MAPPED_REVOKED(0))))
		fail("mapped story: the survivor lost its ring mapping");
	if (!xioctl(O_MAPPED_STORY, files[s->g].fd, LOGOS_IOC_MAPPED_MAP, &again))
		fail("mapped story: MAP of an ended side succeeded");
}

/* A message through ring 0 and a doorbell, as liblogos would move it. */
static void ring_exchange(void *arg)
{
	struct story *s = arg;
	struct logos_mapped_ring *out = (void *)s->a.ring_map;
	struct logos_mapped_ring *in = (void *)s->b.ring_map;	/* the same ring, side 1's view */
	struct logos_mapped_wait w = { .handle = s->mb.attach_handle };
	struct logos_mapped_notify n = { .handle = s->ma.attach_handle };
	uint64_t tail = out->tail;
	struct logos_mapped_slot *slot = (void *)((uint8_t *)out + LOGOS_MAPPED_RING_HDR +
						  (tail & (s->a.nr_slots - 1)) * s->a.slot_size);
	struct logos_mapped_slot *seen = (void *)((uint8_t *)in + LOGOS_MAPPED_RING_HDR +
						  (tail & (s->b.nr_slots - 1)) * s->b.slot_size);
	uint64_t word = rnd64();
	int ret;

	slot->len = 8;
	slot->flags = 0;
	memcpy(slot + 1, &word, 8);
	__atomic_store_n(&out->tail, tail + 1, __ATOMIC_RELEASE);
	ret = xioctl(O_MAPPED_STORY, files[s->f].fd, LOGOS_IOC_MAPPED_NOTIFY, &n);
	if (ret)
		fail("mapped story: NOTIFY on an open channel gave %d", ret);
	ret = xioctl(O_MAPPED_STORY, files[s->g].fd, LOGOS_IOC_MAPPED_WAIT, &w);
	if (ret || !(w.observed & LOGOS_SIGNAL_DOORBELL))
		fail("mapped story: a rung doorbell polled as %d observing %#x", ret, w.observed);
	if (__atomic_load_n(&in->tail, __ATOMIC_ACQUIRE) != tail + 1 || seen->len != 8 ||
	    memcmp(seen + 1, &word, 8))
		fail("mapped story: the peer's view of ring 0 differs from the producer's");
	__atomic_store_n(&in->head, tail + 1, __ATOMIC_RELEASE);
}

static void story_cleanup(struct story *s)
{
	/* Handles and mappings go in random order; some handles are kept. */
	struct { int f; uint32_t h; } hs[] = {
		{ s->f, s->h0 }, { s->f, s->h1 }, { s->f, s->ma.attach_handle },
		{ s->f, s->ma.ring_handle }, { s->f, s->ma.ctl_handle }, { s->g, s->ep1 },
		{ s->g, s->mb.attach_handle }, { s->g, s->mb.ring_handle },
		{ s->g, s->mb.ctl_handle }, { -1, 0 }, { -1, 1 },
	};
	const int n = sizeof(hs) / sizeof(hs[0]);

	for (int i = n - 1; i > 0; i--) {
		int j = rnd(i + 1);
		typeof(hs[0]) t = hs[i];

		hs[i] = hs[j];
		hs[j] = t;
	}
	for (int i = 0; i < n; i++) {
		struct logos_handle_close c = { .handle = hs[i].h };

		if (hs[i].f < 0) {
			unmap_matt(hs[i].h ? &s->b : &s->a);
		} else if (hs[i].h && files[hs[i].f].fd >= 0) {
			if (chance(75))
				xioctl(O_MAPPED_STORY, files[hs[i].f].fd, LOGOS_IOC_HANDLE_CLOSE, &c);
			else
				remember(hs[i].f, hs[i].h, chance(50) ? LOGOS_OBJ_MAPPED : 0);
		}
	}
}

/*
 * A whole mapped channel: created by a supervisor, side 1 moved to one of
 * its modules, both sides mapped, a message and a doorbell, then side 1
 * ended by its creator's revoke (or its attachment's close) while a
 * process of the module waits on the doorbell or touches its ring.
 */
void op_mapped_story(void)
{
	struct story s = { .f = pick_file(true), .a.file = -1, .b.file = -1 };
	struct logos_mapped_create mc = { 0 };
	struct logos_handle_dup dup = { .rights = LOGOS_RIGHTS_SAME };
	struct logos_handle_revoke rv = { 0 };
	struct logos_handle_close cl = { 0 };
	int mode = rnd(3), pfd[2] = { -1, -1 }, ret, status = 0;
	bool by_revoke = chance(75);
	pid_t pid = -1;
	uint64_t until;

	if (s.f < 0)
		return;
	/* Alone on these files: no child of ours may hold a stale handle value. */
	kill_children();
	s.g = mapped_module_of(s.f);
	if (s.g < 0)
		return;
	mc.slot_size = LOGOS_MAPPED_MIN_SLOT << rnd(4);
	mc.nr_slots = 2u << rnd(4);
	if (xioctl(O_MAPPED_STORY, files[s.f].fd, LOGOS_IOC_MAPPED_CREATE, &mc))
		return;
	s.h0 = mc.handle0;
	s.h1 = mc.handle1;
	s.ep1 = move_endpoint(s.f, s.g, s.h1);
	s.ma.handle = s.h0;
	s.mb.handle = s.ep1;
	if (!s.ep1 || xioctl(O_MAPPED_STORY, files[s.f].fd, LOGOS_IOC_MAPPED_MAP, &s.ma))
		goto out;
	if (xioctl(O_MAPPED_STORY, files[s.g].fd, LOGOS_IOC_MAPPED_MAP, &s.mb)) {
		s.mb = (struct logos_mapped_map){ 0 };
		goto out;
	}
	if (!check_map_answer(&s.ma, "mapped story") || !check_map_answer(&s.mb, "mapped story"))
		goto out;
	if (s.ma.side != 0 || s.mb.side != 1)
		fail("mapped story: handle0 mapped side %u, handle1 side %u", s.ma.side, s.mb.side);
	ret = xioctl(O_MAPPED_STORY, files[s.f].fd, LOGOS_IOC_MAPPED_MAP, &(struct logos_mapped_map){
		.handle = s.h0 });
	if (ret != -EBUSY)
		fail("mapped story: a second MAP of side 0 gave %d, not -EBUSY", ret);
	dup.handle = s.ma.ring_handle;
	if (!xioctl(O_MAPPED_STORY, files[s.f].fd, LOGOS_IOC_HANDLE_DUPLICATE, &dup))
		fail("mapped story: a ring memory handle was duplicated");
	fill_matt(&s.a, s.f, &s.ma);
	fill_matt(&s.b, s.g, &s.mb);
	if (!map_matt(&s.a) || !map_matt(&s.b))
		goto out;
	if (ctl_status(&s.a, "mapped story") != 0 || ctl_status(&s.b, "mapped story") != 0)
		fail("mapped story: a fresh channel's status is not 0");
	if (mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, files[s.f].fd,
		 (off_t)s.ma.ctl_mmap_offset) != MAP_FAILED)
		fail("mapped story: the control page was mapped writable");
	if (!guarded(ring_exchange, &s))
		fail("mapped story: the ring of an open channel faulted");

	/* Side 1 ends, with or without a process of the module at it. */
	if (mode < 2 && !pipe2(pfd, O_NONBLOCK | O_CLOEXEC)) {
		fflush(stdout);
		pid = fork();
		if (pid == 0)
			side_child(mode, s.g, &s.mb, pfd[0]);
	}
	sleep_ms(rnd(30));
	if (by_revoke) {
		rv.handle = s.h1;
		ret = xioctl(O_MAPPED_STORY, files[s.f].fd, LOGOS_IOC_HANDLE_REVOKE, &rv);
	} else {
		cl.handle = s.mb.attach_handle;
		ret = xioctl(O_MAPPED_STORY, files[s.g].fd, LOGOS_IOC_HANDLE_CLOSE, &cl);
		s.mb.attach_handle = 0;
	}
	if (!ret && (!by_revoke || rv.revoked >= 1)) {
		if (pfd[1] >= 0 && write(pfd[1], "x", 1) != 1)
			fail("mapped story: pipe write: %s", strerror(errno));
		check_ended(&s, by_revoke ? LOGOS_MAPPED_REVOKED(1) : LOGOS_MAPPED_CLOSED(1));
		__atomic_fetch_add(&stats->mapped_ended[!by_revoke], 1, __ATOMIC_RELAXED);
		if (pid > 0)
			__atomic_fetch_add(&stats->mapped_procs[mode], 1, __ATOMIC_RELAXED);
	} else {
		if (by_revoke)
			fail("mapped story: revoking the root of a moved endpoint gave %d, %u revoked",
			     ret, rv.revoked);
		if (pid > 0)
			kill(pid, SIGKILL);	/* the side did not end: nothing to see */
	}
	until = mono_ms() + 10000;
	while (pid > 0 && wait_child(pid, &status, WNOHANG) == 0) {
		if (mono_ms() > until) {
			kill(pid, SIGKILL);
			wait_child(pid, &status, 0);
			fail("mapped story: side 1's %s was not woken by its end in 10 s",
			     mode ? "toucher" : "waiter");
			break;
		}
		sleep_ms(5);
	}
	if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status))
		fail("mapped story: side 1's %s saw what the ABI rules out (exit %d)",
		     mode ? "toucher" : "waiter", WEXITSTATUS(status));
	else if (pid > 0 && WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL)
		fail("mapped story: side 1's process died of signal %d", WTERMSIG(status));
out:
	if (pfd[0] >= 0) {
		close(pfd[0]);
		close(pfd[1]);
	}
	story_cleanup(&s);
}
