// SPDX-License-Identifier: GPL-2.0
/*
 * logos-fuzz: the mapped story. A mapped channel created by a supervisor,
 * side 1 moved to one of its modules (given, or sent in a message), both
 * sides mapped, a message through the ring and a doorbell, then side 1
 * ended by its creator's revoke (or its attachment's close) while a forked
 * process of that module waits on its doorbell, keeps touching its ring
 * mapping, or is just calling MAP. Checked is what the ABI promises (see
 * uapi/linux/logos.h): a failure is a result the header rules out, never
 * merely an unlucky interleaving, because the story runs alone on its
 * files (the worker's children are ended first).
 */
#include "fuzz.h"

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

static const char *const side_modes[] = { "waiter", "toucher", "mapper" };

/*
 * Side 1 in a forked process of the module while it ends: waiting on its
 * doorbell (mode 0), touching its own ring mapping (mode 1), or attaching
 * with MAP, then mapping and touching (mode 2: MAP races the revoke, and
 * no memory handle it derives may escape it). @ended is a pipe that says
 * when the side was ended. Exit 0: what the ABI says.
 */
static void side_child(int mode, int g, const struct logos_mapped_map *mb, int ended)
{
	uint64_t end = mono_ms() + 10000;
	struct logos_mapped_map mine;
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
	if (mode == 2) {
		mine = (struct logos_mapped_map){ .handle = mb->handle };
		if (xioctl(O_MAPPED_STORY, files[g].fd, LOGOS_IOC_MAPPED_MAP, &mine))
			_exit(0);	/* ended first: -EKEYREVOKED, -EPIPE */
		if (!check_map_answer(&mine, "mapped story (mapper)"))
			_exit(14);
		mb = &mine;
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
	int mode = rnd(4), pfd[2] = { -1, -1 }, ret, status = 0;
	bool by_revoke = mode == 2 || chance(75);	/* a mapper has no attachment to close */
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
	if (mode != 2 && xioctl(O_MAPPED_STORY, files[s.g].fd, LOGOS_IOC_MAPPED_MAP, &s.mb)) {
		s.mb = (struct logos_mapped_map){ 0 };
		goto out;
	}
	if (!check_map_answer(&s.ma, "mapped story") ||
	    (mode != 2 && !check_map_answer(&s.mb, "mapped story")))
		goto out;
	if (s.ma.side != 0 || (mode != 2 && s.mb.side != 1))
		fail("mapped story: handle0 mapped side %u, handle1 side %u", s.ma.side, s.mb.side);
	ret = xioctl(O_MAPPED_STORY, files[s.f].fd, LOGOS_IOC_MAPPED_MAP, &(struct logos_mapped_map){
		.handle = s.h0 });
	if (ret != -EBUSY)
		fail("mapped story: a second MAP of side 0 gave %d, not -EBUSY", ret);
	dup.handle = s.ma.ring_handle;
	if (!xioctl(O_MAPPED_STORY, files[s.f].fd, LOGOS_IOC_HANDLE_DUPLICATE, &dup))
		fail("mapped story: a ring memory handle was duplicated");
	fill_matt(&s.a, s.f, &s.ma);
	s.a.trusted = true;	/* alone on these files: fresh handles */
	if (!map_matt(&s.a))
		goto out;
	if (mode != 2) {
		fill_matt(&s.b, s.g, &s.mb);
		s.b.trusted = true;
		if (!map_matt(&s.b))
			goto out;
	}
	if (ctl_status(&s.a, "mapped story") != 0 ||
	    (s.b.ctl_map && ctl_status(&s.b, "mapped story") != 0))
		fail("mapped story: a fresh channel's status is not 0");
	if (mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, files[s.f].fd,
		 (off_t)s.ma.ctl_mmap_offset) != MAP_FAILED)
		fail("mapped story: the control page was mapped writable");
	if (mode != 2 && !guarded(ring_exchange, &s))
		fail("mapped story: the ring of an open channel faulted");

	/* Side 1 ends, with or without a process of the module at it. */
	if (mode < 3 && !pipe2(pfd, O_NONBLOCK | O_CLOEXEC)) {
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
			     side_modes[mode]);
			break;
		}
		sleep_ms(5);
	}
	if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status))
		fail("mapped story: side 1's %s saw what the ABI rules out (exit %d)",
		     side_modes[mode], WEXITSTATUS(status));
	else if (pid > 0 && WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL)
		fail("mapped story: side 1's process died of signal %d", WTERMSIG(status));
out:
	if (pfd[0] >= 0) {
		close(pfd[0]);
		close(pfd[1]);
	}
	story_cleanup(&s);
}
