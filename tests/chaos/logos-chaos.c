// SPDX-License-Identifier: GPL-2.0
/*
 * logos-chaos: logos.ko under load while modules die, stop and misbehave.
 *
 * Runs in the guest as root (tests/chaos/run). This program is the
 * supervisor, doing what logosd does for each module: it creates the
 * module context (LOGOS_IOC_MODULE_CREATE), gives it its endpoints
 * (derived handles; the supervisor keeps the roots, so a module's queue
 * outlives a crash of the module, as logosd keeps a provider's endpoint),
 * forks the module process with the module file, and pauses (kernel
 * PAUSED and SIGSTOP, as logosd's PAUSED and cgroup freezer), resumes and
 * restarts it. The modules (their bodies in chaos-modules.c, what both
 * halves share in logos-chaos.h):
 *
 *   ping, pong      neighbours: ping calls pong (LOGOS_IOC_CHANNEL_CALL)
 *                   again and again and times each call; never disturbed
 *   prodN -> consN  streams of one-way messages, batched, each carrying its
 *                   stream id, a per-sender sequence number and a pattern
 *   pub -> subN     a drop-oldest topic; the publisher's message quota is
 *                   below what the subscribers' queues hold
 *   mapper          maps the memory grants the supervisor sends it and
 *                   reads them until the supervisor revokes the grant
 *   hostile         exhausts each of its quotas in turn, checks the errno
 *                   and the usage it gets, gives everything back, again
 *
 * Time alternates between calm windows (traffic only) and chaos windows
 * (traffic, plus random SIGKILLs and pauses of every module but ping and
 * pong, grant revocations and the hostile's rounds). The ping latencies of
 * both kinds of window, interleaved in the same boot, give the latency
 * ratio.
 *
 * Nothing may be lost silently: the send and receive buffers of the
 * streams (logos_channel_io and its messages) live in shared memory, so
 * what a killed process's last ioctl did is still known after its death
 * (the ioctl finishes before SIGKILL takes effect: a send with timeout 0
 * never sleeps). Every stream must end with accepted == delivered, every
 * message in order and intact; every refused send was told (an errno, or a
 * short batch) and is counted.
 *
 *   logos-chaos [--duration S] [--calm S] [--window S] [--pairs N] [--seed N]
 *
 * Prints "ok - ..." / "not ok - ..." lines, the figures, and
 * "chaos-guest: N passed, N failed". Exit status 0 when nothing failed.
 */
#include "logos-chaos.h"

static const char *const role_name[] = { "ping", "pong", "prod", "cons", "mapper", "hostile",
					 "pub", "sub" };

static int passed, failed;

static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (ok)
		passed++;
	else
		failed++;
}

/* The hostile module's limits: each is reached before the others. */
static const uint64_t hostile_limits[LOGOS_RES_COUNT] = {
	[LOGOS_RES_HANDLES] = 96,
	[LOGOS_RES_OBJECTS] = 64,
	[LOGOS_RES_EVENTS] = 24,
	[LOGOS_RES_CHANNELS] = 16,
	[LOGOS_RES_MSGS_QUEUED] = 32,
	[LOGOS_RES_BYTES_QUEUED] = 65536,
	[LOGOS_RES_MEMORY_PAGES] = 128,
	[LOGOS_RES_MAPPED_PAGES] = 16,
};

/* ---- the supervisor ------------------------------------------------------- */

struct slot {
	enum role role;
	int pair;
	bool victim;
	pid_t pid;
	uint32_t mod;		/* module handle in the supervisor's table */
	uint32_t give[2];	/* supervisor's endpoints to give it */
	bool killed, paused;
	uint64_t resume_at, restart_at;
	int incarnations;
};

static int sfd;
static struct slot slots[5 + NSUBS + 2 * MAX_PAIRS];
static int nslots, npairs = 2;
static uint32_t next_stream = 1;
static uint64_t kills, pauses, kernel_paused, resumes, paused_killed, revokes, restarts;
static uint64_t sigbus_seen, revoke_then_killed;
static uint64_t post_mortem_bad, state_bad, unexpected_deaths, pause_skipped;
static char first_problem[200];

static void problem(const char *fmt, ...)
{
	va_list ap;

	if (first_problem[0])
		return;
	va_start(ap, fmt);
	vsnprintf(first_problem, sizeof(first_problem), fmt, ap);
	va_end(ap);
	fprintf(stderr, "chaos: %s\n", first_problem);
}

static int set_state(struct slot *s, uint32_t state)
{
	struct logos_module_set_state a = { .handle = s->mod, .state = state };

	return xioctl(sfd, LOGOS_IOC_MODULE_SET_STATE, &a);
}

static int mod_info(struct slot *s, struct logos_module_info *mi)
{
	memset(mi, 0, sizeof(*mi));
	mi->handle = s->mod;
	return xioctl(sfd, LOGOS_IOC_MODULE_INFO, mi);
}

static void sclose(uint32_t h)
{
	struct logos_handle_close c = { .handle = h };

	if (h)
		xioctl(sfd, LOGOS_IOC_HANDLE_CLOSE, &c);
}

static int spawn(struct slot *s)
{
	struct logos_module_create mc = { .trust_level = LOGOS_TRUST_USER };
	uint32_t given[2] = { 0 };
	int ret;
	pid_t pid;

	snprintf(mc.name, sizeof(mc.name), "%s%d.%d", role_name[s->role], s->pair,
		 s->incarnations);
	if (s->role == R_HOSTILE)
		memcpy(mc.limits, hostile_limits, sizeof(mc.limits));
	if (s->role == R_PUB)
		mc.limits[LOGOS_RES_MSGS_QUEUED] = PUB_MSGS_QUOTA;
	ret = xioctl(sfd, LOGOS_IOC_MODULE_CREATE, &mc);
	if (ret) {
		problem("MODULE_CREATE %s: %s", mc.name, strerror(-ret));
		return ret;
	}
	s->mod = mc.handle;
	ret = set_state(s, LOGOS_STATE_INITIALIZING);
	for (int i = 0; !ret && i < 2; i++) {
		struct logos_handle_give g = { .module = s->mod, .handle = s->give[i],
					       .rights = LOGOS_RIGHTS_SAME };

		if (!s->give[i])
			continue;
		ret = xioctl(sfd, LOGOS_IOC_HANDLE_GIVE, &g);
		given[i] = g.new_handle;
	}
	if (ret) {
		problem("setting up %s: %s", mc.name, strerror(-ret));
		close(mc.fd);
		return ret;
	}
	if (s->role == R_PROD) {
		my_stream = next_stream++;
		if (my_stream >= MAX_STREAMS) {
			problem("out of stream slots");
			close(mc.fd);
			return -ENOSPC;
		}
		sh->streams[my_stream].pair = s->pair;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(mc.fd);
		return ret;
	}
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(sfd);
		mfd = mc.fd;
		hA = given[0];
		hB = given[1];
		my_pair = s->pair;
		rng ^= (uint64_t)getpid() * 0x9E3779B97F4A7C15ULL;
		if (xioctl(mfd, LOGOS_IOC_MODULE_READY, NULL))
			child_fail("%s: READY refused", mc.name);
		/*
		 * The neighbours run at nice -10, as logosd's Priority = yes lets a
		 * latency-critical module: the ratio then measures logos.ko's
		 * isolation, not how two vCPUs are shared among a dozen processes.
		 */
		if ((s->role == R_PING || s->role == R_PONG) && setpriority(PRIO_PROCESS, 0, -10))
			child_fail("%s: setpriority: %s", mc.name, strerror(errno));
		switch (s->role) {
		case R_PING: ping_main(); break;
		case R_PONG: pong_main(); break;
		case R_PROD: prod_main(); break;
		case R_CONS: cons_main(); break;
		case R_MAPPER: mapper_main(); break;
		case R_HOSTILE: hostile_main(); break;
		case R_PUB: pub_main(); break;
		case R_SUB: sub_main(); break;
		}
		_exit(0);
	}
	close(mc.fd);
	s->pid = pid;
	s->killed = s->paused = false;
	s->restart_at = 0;
	s->incarnations++;
	return 0;
}

/* After a module process died: what the kernel must have done. */
static void post_mortem(struct slot *s, int status)
{
	struct logos_module_info mi;
	bool crash = s->killed;

	if (s->role == R_PUB && sh->pub.pending)
		pub_account(0, true);
	if (s->role == R_SUB && sh->sub[s->pair].b.pending)
		sub_account(s->pair, true);
	if (s->role == R_PROD && sh->prod[s->pair].pending)
		prod_account(&sh->prod[s->pair], 0, true);
	if (s->role == R_CONS && sh->cons[s->pair].pending)
		cons_account(&sh->cons[s->pair], s->pair, true);
	if (s->killed ? !(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) :
			!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		unexpected_deaths++;
		problem("%s%d died unexpectedly (status 0x%x)", role_name[s->role], s->pair, status);
	}
	if (mod_info(s, &mi) || mi.state != LOGOS_STATE_TERMINATED ||
	    !!(mi.exit_flags & LOGOS_EXIT_CRASHED) != crash) {
		state_bad++;
		problem("%s%d: after its death state %u, exit flags %u", role_name[s->role],
			s->pair, mi.state, mi.exit_flags);
	}
	for (int r = 0; r < __LOGOS_RES_MAX; r++) {
		/* a producer's messages still queued stay charged until received */
		if ((s->role == R_PROD || s->role == R_PUB) &&
		    (r == LOGOS_RES_MSGS_QUEUED || r == LOGOS_RES_BYTES_QUEUED))
			continue;
		if (mi.usage[r]) {
			post_mortem_bad++;
			problem("%s%d: usage of resource %d is %llu after its death",
				role_name[s->role], s->pair, r, (unsigned long long)mi.usage[r]);
		}
	}
	sclose(s->mod);
	s->mod = 0;
	s->pid = 0;
}

/* ---- grants and revocations ----------------------------------------------- */

enum gstate { G_IDLE, G_SENT, G_MAPPED, G_REVOKED };
static struct {
	enum gstate state;
	uint32_t root, ep;	/* the memory object; the supervisor's endpoint to the mapper */
	uint64_t *map;
	uint64_t gen, due;
} g;

static void grant_drop(void)
{
	if (g.root) {
		struct logos_handle_revoke r = { .handle = g.root };

		xioctl(sfd, LOGOS_IOC_HANDLE_REVOKE, &r);
		sclose(g.root);
	}
	if (g.map)
		munmap(g.map, GRANT_PAGES * PAGE);
	g.root = 0;
	g.map = NULL;
	g.state = G_IDLE;
}

static void grant_step(struct slot *mapper, uint64_t now)
{
	if (!mapper->pid || mapper->killed)
		return;
	switch (g.state) {
	case G_IDLE: {
		struct logos_mem_create c = { .size = GRANT_PAGES * PAGE };
		struct logos_msg_handle mh;
		struct logos_msg m = { .data = PTR(&g.gen), .data_len = sizeof(g.gen),
				       .handles = PTR(&mh), .nr_handles = 1 };
		struct logos_channel_io io = { .handle = g.ep, .msgs = PTR(&m), .count = 1 };
		int ret = xioctl(sfd, LOGOS_IOC_MEM_CREATE, &c);

		if (ret) {
			problem("MEM_CREATE: %s", strerror(-ret));
			return;
		}
		g.root = c.handle;
		g.map = mmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, sfd, c.mmap_offset);
		if (g.map == MAP_FAILED) {
			g.map = NULL;
			problem("mmap of a grant: %s", strerror(errno));
			grant_drop();
			return;
		}
		g.gen++;
		for (size_t i = 0; i < GRANT_PAGES * PAGE / 8; i++)
			g.map[i] = g.gen;
		mh = (struct logos_msg_handle){ .handle = g.root,
						.rights = LOGOS_RIGHT_READ | LOGOS_RIGHT_MAP_READ };
		ret = xioctl(sfd, LOGOS_IOC_CHANNEL_SEND, &io);
		if (ret) {
			problem("sending a grant: %s", strerror(-ret));
			grant_drop();
			return;
		}
		g.state = G_SENT;
		break;
	}
	case G_SENT:
		if (sh->mapped_gen == g.gen) {
			g.state = G_MAPPED;
			g.due = now + 20 + rnd(300);
		}
		break;
	case G_MAPPED:
		if (sh->phase == PH_CHAOS && now >= g.due && !mapper->paused) {
			struct logos_handle_revoke r = { .handle = g.root };
			int ret = xioctl(sfd, LOGOS_IOC_HANDLE_REVOKE, &r);

			if (ret || !r.revoked)
				problem("revoke of a mapped grant: %s, %u revoked",
					strerror(-ret), r.revoked);
			revokes++;
			g.state = G_REVOKED;
			g.due = now + 10000;
		}
		break;
	case G_REVOKED:
		if (sh->sigbus_gen == g.gen) {
			sigbus_seen++;
			grant_drop();
		} else if (now >= g.due && !mapper->paused) {
			problem("grant %llu revoked 10 s ago, the mapper never got SIGBUS",
				(unsigned long long)g.gen);
			grant_drop();
		}
		break;
	}
}

/* ---- the run -------------------------------------------------------------- */

static void reap(uint64_t now)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (int i = 0; i < nslots; i++) {
			struct slot *s = &slots[i];

			if (s->pid != pid)
				continue;
			if (s->paused) {
				s->paused = false;	/* the pause ended with the kill */
				paused_killed++;
			}
			post_mortem(s, status);
			if (s->role == R_MAPPER && g.state == G_REVOKED) {
				if (sh->sigbus_gen == g.gen)
					sigbus_seen++;
				else
					revoke_then_killed++;	/* died before touching it again */
			}
			if (s->role == R_MAPPER)
				grant_drop();
			if (sh->phase < PH_STOP_SEND)
				s->restart_at = now + 20 + rnd(80);
		}
	}
}

static void chaos_action(uint64_t now)
{
	struct slot *v[ARRAY_SIZE(slots)];
	struct slot *s;
	int n = 0;

	for (int i = 0; i < nslots; i++)
		if (slots[i].victim && slots[i].pid && !slots[i].killed)
			v[n++] = &slots[i];
	if (!n)
		return;
	s = v[rnd(n)];
	if (rnd(100) < 45) {
		kill(s->pid, SIGKILL);
		s->killed = true;
		kills++;
	} else if (!s->paused) {
		int ret = set_state(s, LOGOS_STATE_PAUSED);
		struct logos_module_info mi;

		if (ret == -EINVAL) {
			pause_skipped++;	/* not RUNNING yet: READY still on its way */
			return;
		}
		if (ret)
			problem("PAUSED: %s", strerror(-ret));
		kill(s->pid, SIGSTOP);
		if (!mod_info(s, &mi) && mi.state == LOGOS_STATE_PAUSED)
			kernel_paused++;
		s->paused = true;
		s->resume_at = now + 50 + rnd(400);
		pauses++;
	}
}

static void resume(struct slot *s)
{
	int ret;

	kill(s->pid, SIGCONT);
	ret = set_state(s, LOGOS_STATE_RUNNING);
	if (ret)
		problem("RUNNING after PAUSED: %s", strerror(-ret));
	else
		resumes++;
	s->paused = false;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* p-th percentile of the samples of @phase (and @window unless -1), in µs. */
static uint32_t percentile(int phase, int window, double p, uint64_t *count)
{
	uint32_t *v = malloc(sizeof(*v) * (sh->nsamples + 1));
	uint64_t n = 0;
	uint32_t r = 0;

	for (uint64_t i = 0; v && i < sh->nsamples; i++)
		if (sh->samples[i].phase == phase && (window < 0 || sh->samples[i].window == window))
			v[n++] = sh->samples[i].us;
	if (v && n) {
		uint64_t k = (uint64_t)(p * n + 0.999999);

		qsort(v, n, sizeof(*v), cmp_u32);
		r = v[k ? k - 1 : 0];
	}
	free(v);
	if (count)
		*count = n;
	return r;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "calm", required_argument, NULL, 'c' },
		{ "window", required_argument, NULL, 'w' },
		{ "pairs", required_argument, NULL, 'p' },
		{ "seed", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	double duration = 60, calm = 2, window = 4, ratio, ratios[512];
	uint64_t seed = 0, t_start, chaos_ms = 0, calm_ms = 0, phase_end, next_action = 0;
	uint32_t mapper_ep[2], ping_ep[2], pair_ep[MAX_PAIRS][2], topic, sub_ep[NSUBS];
	int c, nratios = 0, nwindows;
	uint64_t marker = 0, marker_dropped = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': duration = atof(optarg); break;
		case 'c': calm = atof(optarg); break;
		case 'w': window = atof(optarg); break;
		case 'p': npairs = atoi(optarg); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: %s [--duration S] [--calm S] [--window S] "
				"[--pairs N] [--seed N]\n", argv[0]);
			return 2;
		}
	}
	if (npairs < 1 || npairs > MAX_PAIRS || duration <= 0 || calm <= 0 || window <= 0) {
		fprintf(stderr, "chaos: bad arguments\n");
		return 2;
	}
	if (!seed)
		seed = now_ns() ^ ((uint64_t)getpid() << 32);
	rng = seed | 1;
	printf("chaos: seed %llu, %.0f s of chaos in %.0f s windows, %.0f s calm windows between, %d stream pairs\n",
	       (unsigned long long)seed, duration, window, calm, npairs);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	sfd = open(LOGOS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (sh == MAP_FAILED || sfd < 0) {
		perror("chaos: setup");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);

	/* the supervisor keeps every endpoint's root: queues outlive crashes */
	{
		struct logos_channel_create cc = { 0 };

		if (xioctl(sfd, LOGOS_IOC_CHANNEL_CREATE, &cc))
			return perror("chaos: channel"), 1;
		ping_ep[0] = cc.handle0, ping_ep[1] = cc.handle1;
		memset(&cc, 0, sizeof(cc));
		if (xioctl(sfd, LOGOS_IOC_CHANNEL_CREATE, &cc))
			return perror("chaos: channel"), 1;
		mapper_ep[0] = cc.handle0, mapper_ep[1] = cc.handle1;
		for (int i = 0; i < npairs; i++) {
			/* short queues: a paused consumer soon pushes back */
			memset(&cc, 0, sizeof(cc));
			cc.max_msgs = 64;
			if (xioctl(sfd, LOGOS_IOC_CHANNEL_CREATE, &cc))
				return perror("chaos: channel"), 1;
			pair_ep[i][0] = cc.handle0, pair_ep[i][1] = cc.handle1;
		}
	}
	{
		struct logos_topic_create tc = { .flags = LOGOS_TOPIC_DROP_OLDEST,
						 .max_msgs = TOPIC_QUEUE };

		if (xioctl(sfd, LOGOS_IOC_TOPIC_CREATE, &tc))
			return perror("chaos: topic"), 1;
		topic = tc.handle;
		for (int i = 0; i < NSUBS; i++) {
			struct logos_topic_subscribe ts = { .handle = topic };

			if (xioctl(sfd, LOGOS_IOC_TOPIC_SUBSCRIBE, &ts))
				return perror("chaos: subscribe"), 1;
			sub_ep[i] = ts.endpoint;
		}
	}
	g.ep = mapper_ep[0];
	slots[nslots++] = (struct slot){ .role = R_PONG, .give = { 0, ping_ep[1] } };
	slots[nslots++] = (struct slot){ .role = R_PING, .give = { ping_ep[0], 0 } };
	for (int i = 0; i < npairs; i++) {
		slots[nslots++] = (struct slot){ .role = R_CONS, .pair = i, .victim = true,
						 .give = { 0, pair_ep[i][1] } };
		slots[nslots++] = (struct slot){ .role = R_PROD, .pair = i, .victim = true,
						 .give = { pair_ep[i][0], 0 } };
	}
	for (int i = 0; i < NSUBS; i++)
		slots[nslots++] = (struct slot){ .role = R_SUB, .pair = i, .victim = true,
						 .give = { 0, sub_ep[i] } };
	slots[nslots++] = (struct slot){ .role = R_PUB, .victim = true, .give = { topic, 0 } };
	slots[nslots++] = (struct slot){ .role = R_MAPPER, .victim = true,
					 .give = { 0, mapper_ep[1] } };
	slots[nslots++] = (struct slot){ .role = R_HOSTILE, .victim = true };
	for (int i = 0; i < nslots; i++)
		if (spawn(&slots[i]))
			return 1;
	check(!first_problem[0], "%d modules started under one supervisor", nslots);

	/* calm first, then alternate */
	t_start = now_ms();
	sh->phase = PH_CALM;
	sh->window = 0;
	phase_end = t_start + (uint64_t)(calm * 1000);
	for (;;) {
		uint64_t now = now_ms();

		reap(now);
		for (int i = 0; i < nslots; i++) {
			struct slot *s = &slots[i];

			/* a killed one is TERMINATED: its pause ends when it is reaped */
			if (s->paused && !s->killed &&
			    (now >= s->resume_at || sh->phase != PH_CHAOS))
				resume(s);
			if (!s->pid && s->restart_at && now >= s->restart_at) {
				if (spawn(s))
					goto stop;
				restarts++;
			}
		}
		grant_step(&slots[nslots - 2], now);
		if (sh->phase == PH_CHAOS && now >= next_action) {
			chaos_action(now);
			next_action = now + 30 + rnd(200);
		}
		if (now >= phase_end) {
			if (sh->phase == PH_CALM) {
				calm_ms += now - (phase_end - (uint64_t)(calm * 1000));
				if (chaos_ms >= duration * 1000)
					break;
				sh->window++;
				sh->phase = PH_CHAOS;
				phase_end = now + (uint64_t)(window * 1000);
			} else {
				chaos_ms += now - (phase_end - (uint64_t)(window * 1000));
				sh->window++;
				sh->phase = PH_CALM;
				phase_end = now + (uint64_t)(calm * 1000);
			}
		}
		sleep_us(5000);
	}
stop:
	nwindows = sh->window + 1;
	/* resume everyone, wait for restarts, then stop the senders */
	for (int i = 0; i < nslots; i++)
		if (slots[i].paused && !slots[i].killed)
			resume(&slots[i]);
	for (uint64_t end = now_ms() + 5000; now_ms() < end;) {
		bool all = true;

		reap(now_ms());
		for (int i = 0; i < nslots; i++) {
			if (!slots[i].pid && slots[i].restart_at) {
				if (!spawn(&slots[i]))
					restarts++;
			}
			all &= slots[i].pid != 0;
		}
		if (all)
			break;
		sleep_us(10000);
	}
	for (int i = 0; i < nslots; i++)
		if (slots[i].pid && set_state(&slots[i], LOGOS_STATE_TERMINATING))
			problem("TERMINATING %s: refused", role_name[slots[i].role]);
	sh->phase = PH_STOP_SEND;
	for (uint64_t end = now_ms() + 20000; now_ms() < end;) {
		bool any = false;

		reap(now_ms());
		for (int i = 0; i < nslots; i++)
			any |= (slots[i].role == R_PROD || slots[i].role == R_PING ||
				slots[i].role == R_PUB) && slots[i].pid;
		if (!any)
			break;
		sleep_us(10000);
	}
	/* the last publish: carries every subscriber's pending drop count */
	{
		struct payload p = { .magic = MAGIC, .seq = sh->pub.c[sh->pub.cur].seq + 1 };
		struct logos_topic_publish a = { .handle = topic,
						 .msg = { .data = PTR(&p), .data_len = 16 } };
		int ret = xioctl(sfd, LOGOS_IOC_TOPIC_PUBLISH, &a);

		if (ret || a.delivered != NSUBS)
			problem("the final publish: %s, delivered %u", strerror(-ret), a.delivered);
		marker = p.seq;
		marker_dropped = a.dropped;
	}
	sh->phase = PH_STOP;
	for (uint64_t end = now_ms() + 30000; now_ms() < end;) {
		bool any = false;

		reap(now_ms());
		for (int i = 0; i < nslots; i++)
			any |= slots[i].pid != 0;
		if (!any)
			break;
		sleep_us(10000);
	}
	for (int i = 0; i < nslots; i++) {
		if (slots[i].pid) {
			problem("%s%d did not stop within 30 s", role_name[slots[i].role],
				slots[i].pair);
			kill(slots[i].pid, SIGKILL);
			slots[i].killed = true;
			waitpid(slots[i].pid, NULL, 0);
			slots[i].pid = 0;
			unexpected_deaths++;
		}
	}
	grant_drop();

	/* ---- the verdict ---- */
	{
		uint64_t offered = 0, accepted = 0, delivered = 0, refused = 0, eagain = 0,
			 shrt = 0, other = 0, abandoned = 0, bad = 0, lost = 0, leftover = 0;
		int nstreams = 0;

		for (uint32_t i = 1; i < next_stream; i++) {
			struct stream *s = &sh->streams[i];
			struct counts *c = &s->c[s->cur];

			nstreams++;
			offered += c->offered;
			accepted += c->accepted;
			delivered += s->delivered;
			refused += c->refused;
			eagain += c->refused_eagain;
			shrt += c->refused_short;
			other += c->refused_other;
			abandoned += c->abandoned;
			bad += s->bad;
			if (s->delivered != c->accepted) {
				lost++;
				if (lost <= 3)
					printf("# stream %u (pair %u): accepted %llu, delivered %llu\n", i,
					       s->pair, (unsigned long long)c->accepted,
					       (unsigned long long)s->delivered);
			}
		}
		/* nothing may be left in the supervisor-held queues */
		for (int i = 0; i < npairs; i++) {
			struct payload p;
			struct logos_msg m = { .data = PTR(&p), .data_len = sizeof(p) };
			struct logos_channel_io io = { .handle = pair_ep[i][1], .msgs = PTR(&m),
						       .count = 1 };

			while (!xioctl(sfd, LOGOS_IOC_CHANNEL_RECV, &io))
				leftover++;
		}
		printf("# chaos: %.1f s of chaos, %.1f s calm, %d windows\n", chaos_ms / 1000.0,
		       calm_ms / 1000.0, nwindows);
		printf("# chaos: kills %llu, restarts %llu, pauses %llu (kernel PAUSED %llu, skipped before READY %llu), resumes %llu, paused then killed %llu, revokes %llu\n",
		       (unsigned long long)kills, (unsigned long long)restarts,
		       (unsigned long long)pauses, (unsigned long long)kernel_paused,
		       (unsigned long long)pause_skipped, (unsigned long long)resumes, (unsigned long long)paused_killed,
		       (unsigned long long)revokes);
		printf("# streams: %d (one per producer incarnation); messages offered %llu = accepted %llu + refused %llu (EAGAIN %llu, behind a full queue in a batch %llu, other %llu) + unsent when killed %llu; delivered %llu\n",
		       nstreams, (unsigned long long)offered, (unsigned long long)accepted,
		       (unsigned long long)refused, (unsigned long long)eagain,
		       (unsigned long long)shrt, (unsigned long long)other,
		       (unsigned long long)abandoned, (unsigned long long)delivered);
		printf("# calls: %llu made, %llu answered, %llu failed, %llu wrong\n",
		       (unsigned long long)sh->calls, (unsigned long long)sh->call_ok,
		       (unsigned long long)sh->call_err, (unsigned long long)sh->call_bad);
		printf("# grants: revoked while mapped %llu, SIGBUS %llu, mapper killed before its next read %llu, corrupt reads %llu, revoked in flight %llu\n",
		       (unsigned long long)revokes, (unsigned long long)sigbus_seen,
		       (unsigned long long)revoke_then_killed,
		       (unsigned long long)sh->corrupt, (unsigned long long)sh->stale_grants);
		printf("# hostile: %llu rounds\n", (unsigned long long)sh->hostile_rounds);
		check(pauses > 0 && !sh->eintr,
		      "a pause is transparent: no blocking call failed with EINTR although no handler ran (%llu, pauses %llu; tests/chaos/repro/stop-interrupts-call.c)",
		      (unsigned long long)sh->eintr, (unsigned long long)pauses);
		{
			struct pubcounts *pc = &sh->pub.c[sh->pub.cur];
			uint64_t srecv = 0, sdrop = 0, silent = 0;
			bool all = true;

			for (int i = 0; i < NSUBS; i++) {
				struct subcounts *c = &sh->sub[i].c[sh->sub[i].cur];

				printf("# topic: sub%d received %llu, told of %llu dropped, last %llu\n", i,
				       (unsigned long long)c->received, (unsigned long long)c->dropped,
				       (unsigned long long)c->last);
				srecv += c->received;
				sdrop += c->dropped;
				silent += c->silent;
				all &= c->last == marker && c->received + c->dropped == marker;
			}
			printf("# topic: %llu publishes accepted (+1 final), %llu refused; publishers told delivered %llu, dropped %llu\n",
			       (unsigned long long)pc->seq, (unsigned long long)pc->refused,
			       (unsigned long long)pc->delivered, (unsigned long long)pc->dropped);
			check(pc->seq > 0 && all && !silent,
			      "topic: each subscriber received or was told of the drop of every accepted publish (%llu + %llu = %d x %llu)",
			      (unsigned long long)srecv, (unsigned long long)sdrop, NSUBS,
			      (unsigned long long)marker);
			check(pc->dropped + marker_dropped == sdrop,
			      "topic: the publishers were told of as many drops as the subscribers (%llu, %llu)",
			      (unsigned long long)(pc->dropped + marker_dropped),
			      (unsigned long long)sdrop);
		}

		check(kills > 0 && restarts > 0, "modules SIGKILLed at random (%llu) and restarted (%llu)",
		      (unsigned long long)kills, (unsigned long long)restarts);
		check(!unexpected_deaths, "no module died but those killed (%llu others)",
		      (unsigned long long)unexpected_deaths);
		check(!state_bad, "every dead module is TERMINATED, crashed exactly when killed");
		check(!post_mortem_bad, "a dead module holds nothing (handles, objects, mappings)");
		check(pauses > 0 && kernel_paused == pauses && resumes + paused_killed == pauses,
		      "pauses (%llu): kernel PAUSED and stopped, then resumed to RUNNING (%llu) or killed (%llu)",
		      (unsigned long long)pauses, (unsigned long long)resumes,
		      (unsigned long long)paused_killed);
		check(accepted > 0 && !other && offered == accepted + refused + abandoned,
		      "every message offered was accepted, refused with an answer, or unsent when its sender was killed (%llu = %llu + %llu + %llu)",
		      (unsigned long long)offered, (unsigned long long)accepted,
		      (unsigned long long)refused, (unsigned long long)abandoned);
		check(!lost && accepted == delivered,
		      "every accepted message was delivered (%llu of %llu; %llu streams short)",
		      (unsigned long long)delivered, (unsigned long long)accepted,
		      (unsigned long long)lost);
		check(!bad, "in order, once, intact (%llu bad)", (unsigned long long)bad);
		check(!leftover, "no message left in a queue at the end (%llu)",
		      (unsigned long long)leftover);
		check(sh->calls > 0 && sh->call_ok == sh->calls && !sh->pong_bad,
		      "neighbours: every call answered in order (%llu of %llu)",
		      (unsigned long long)sh->call_ok, (unsigned long long)sh->calls);
		check(revokes > 0 && sigbus_seen + revoke_then_killed == revokes && !sh->map_errors,
		      "grants revoked while mapped (%llu): the mapper's next read got SIGBUS each time (%llu; killed before reading again %llu)",
		      (unsigned long long)revokes, (unsigned long long)sigbus_seen,
		      (unsigned long long)revoke_then_killed);
		check(!sh->corrupt, "a mapped grant never read anything but its contents");
		for (int st = 0; st < __H_MAX; st++)
			check(sh->hok[st] > 0 && !sh->hbad[st], "hostile: %s (%llu times, %llu wrong)",
			      hstep_name[st], (unsigned long long)sh->hok[st],
			      (unsigned long long)sh->hbad[st]);
	}

	/* latency: pooled over the interleaved windows, and window by window */
	{
		uint64_t ncalm, nchaos;
		uint32_t calm99 = percentile(PH_CALM, -1, 0.99, &ncalm);
		uint32_t chaos99 = percentile(PH_CHAOS, -1, 0.99, &nchaos);
		uint32_t calm50 = percentile(PH_CALM, -1, 0.50, NULL);
		uint32_t chaos50 = percentile(PH_CHAOS, -1, 0.50, NULL);

		for (int w = 1; w + 1 < nwindows && nratios < 512; w += 2) {
			uint64_t a, b;
			uint32_t before = percentile(PH_CALM, w - 1, 0.99, &a);
			uint32_t during = percentile(PH_CHAOS, w, 0.99, &b);

			if (a >= 40 && b >= 40 && before)
				ratios[nratios++] = (double)during / before;
		}
		qsort(ratios, nratios, sizeof(double), cmp_double);
		ratio = calm99 ? (double)chaos99 / calm99 : 0;
		printf("# latency of ping's calls: calm p50 %u us p99 %u us (%llu calls), chaos p50 %u us p99 %u us (%llu calls)\n",
		       calm50, calm99, (unsigned long long)ncalm, chaos50, chaos99,
		       (unsigned long long)nchaos);
		printf("# latency ratio p99 chaos/calm: %.2f pooled; window by window (chaos window / the calm one before it): median %.2f, min %.2f, max %.2f over %d pairs\n",
		       ratio, nratios ? ratios[nratios / 2] : 0, nratios ? ratios[0] : 0,
		       nratios ? ratios[nratios - 1] : 0, nratios);
		check(ncalm >= 100 && nchaos >= 100 && ratio <= 2.0,
		      "neighbours' p99 latency under chaos within 2x of calm (%.2f)", ratio);
	}

	for (int i = 0; i < sh->nfail && i < 16; i++)
		printf("# module: %s\n", sh->fail[i]);
	check(!sh->nfail, "no module process saw anything wrong (%d reports)", sh->nfail);
	if (first_problem[0])
		printf("# supervisor: %s\n", first_problem);
	check(!first_problem[0], "the supervisor saw nothing wrong");

	/* close everything: nothing may outlive it */
	close(sfd);
	{
		FILE *f = fopen("/sys/module/logos/parameters/live_objects", "r");
		long live = -1;

		if (f) {
			if (fscanf(f, "%ld", &live) != 1)
				live = -1;
			fclose(f);
		}
		check(live == 0, "no logos object outlives the supervisor (live_objects %ld)", live);
	}
	printf("chaos-guest: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
