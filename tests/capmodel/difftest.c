// SPDX-License-Identifier: GPL-2.0
/*
 * capmodel-difftest: random sequences of capability operations applied to
 * logos.ko and to the reference model (model.c), every result compared.
 * On a divergence the sequence is shrunk (delta debugging: drop operations
 * while the same divergence persists, each candidate replayed from fresh
 * modules) and printed with its seed.
 *
 *   capmodel-difftest [--seconds S] [--seed N] [--len L] [--keep-going]
 *		[--polish S] [--finding4-as-kernel]
 * --keep-going reports each kind of divergence once instead of stopping at
 * the first; without it, --polish S (15) more seconds of short sequences
 * look for a shorter reproduction. --finding4-as-kernel gives the model
 * the kernel's old rule for review finding 4, to look past it.
 *   capmodel-difftest --self-check	(the model alone, no kernel)
 *
 * Prints TAP-like "ok"/"not ok" lines and "# " comments; exit 0 only when
 * kernel and model agreed on everything.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/logos.h>

#include "gen.h"
#include "kexec.h"
#include "model.h"

#define MAX_FOUND 16
#define POLISH_LEN 20	/* short enough to shrink fast, long enough to diverge */

static const char *const kind_names[CM_KIND_MAX] = {
	[CM_MEM_CREATE] = "MEM_CREATE", [CM_EVENT_CREATE] = "EVENT_CREATE",
	[CM_CHANNEL_CREATE] = "CHANNEL_CREATE",
	[CM_DUP] = "DUPLICATE", [CM_REPLACE] = "REPLACE", [CM_CLOSE] = "CLOSE",
	[CM_INFO] = "INFO", [CM_REVOKE] = "REVOKE", [CM_GIVE] = "GIVE",
	[CM_SEND] = "SEND", [CM_RECV] = "RECV", [CM_MMAP] = "MMAP",
	[CM_MUNMAP] = "MUNMAP", [CM_TOUCH] = "TOUCH", [CM_MEM_INFO] = "MEM_INFO",
	[CM_SET_QUOTA] = "SET_QUOTA", [CM_USAGE] = "MODULE_INFO", [CM_TERMINATE] = "TERMINATE",
};

/* Where and how one replay diverged. */
struct divergence {
	int at;			/* index in the replayed ops, or nops + k for the final sweep */
	struct cm_op op;	/* the operation that diverged */
	const char *field;
	struct cm_res k, m;
};

static struct cm_model model;	/* big: static, one at a time */
static struct kx kx;
static bool finding4;	/* --finding4-as-kernel */
/* What the random operations did in the kernel: [kind][errno], 0 success. */
static uint64_t coverage[CM_KIND_MAX][EHWPOISON + 2];	/* last: SIGBUS */
static bool counting;
static uint64_t total_ops;	/* every operation applied, replays included */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *const res_names[CM_NRES] = {
	[CM_RES_HANDLES] = "HANDLES", [CM_RES_MAPPED] = "MAPPED_PAGES",
	[CM_RES_MEMORY] = "MEMORY_PAGES",
};

static const char *ctx_name(int ctx)
{
	static const char *const names[CM_NCTX] = { "sup", "m1", "m2", "m3" };

	return names[ctx];
}

static const char *rights_str(uint32_t r, char *buf)
{
	static const char *const bits[] = { "R", "W", "T", "D", "MR", "MW", "C", "V" };
	int i, n = 0;

	if (r == LOGOS_RIGHTS_SAME)
		return "SAME";
	buf[0] = 0;
	for (i = 0; i < 8; i++)
		if (r & (1U << i))
			n += sprintf(buf + n, "%s%s", n ? "|" : "", bits[i]);
	if (r & ~LOGOS_RIGHTS_ALL)
		n += sprintf(buf + n, "%s0x%x", n ? "|" : "", r & ~LOGOS_RIGHTS_ALL);
	if (!n)
		strcpy(buf, "0");
	return buf;
}

/* Name n is made by operation n / CM_SUBS: print it after that operation. */
static const char *hname(int name, char *buf)
{
	if (name % CM_SUBS)
		sprintf(buf, "h%d.%d", name / CM_SUBS, name % CM_SUBS);
	else
		sprintf(buf, "h%d", name / CM_SUBS);
	return buf;
}

/* One line per operation, numbered by its id, which names what it makes. */
static void print_op(FILE *f, const char *prefix, const struct cm_op *op)
{
	char rb[64], nb[32], nb2[32];
	int i, idx = op->id;

	if (idx < CM_MAX_OPS)
		fprintf(f, "%s%3d: ", prefix, idx);
	else
		fprintf(f, "%s", prefix);	/* the final sweep's: no number */
	switch (op->kind) {
	case CM_MEM_CREATE:
		fprintf(f, "%s: h%d = MEM_CREATE(%u pages)\n", ctx_name(op->ctx), idx, op->pages);
		return;
	case CM_EVENT_CREATE:
		fprintf(f, "%s: h%d = EVENT_CREATE()\n", ctx_name(op->ctx), idx);
		return;
	case CM_CHANNEL_CREATE:
		fprintf(f, "%s: h%d, h%d.1 = CHANNEL_CREATE()\n", ctx_name(op->ctx), idx, idx);
		return;
	case CM_DUP:
		fprintf(f, "h%d = DUPLICATE(%s, %s)\n", idx, hname(op->name, nb),
			rights_str(op->rights, rb));
		return;
	case CM_GIVE:
		fprintf(f, "%s: h%d = GIVE(%s, %s%s)\n", ctx_name(op->to), idx,
			hname(op->name, nb), rights_str(op->rights, rb), op->flags & CM_MOVE ? ", MOVE" : "");
		return;
	case CM_REPLACE:
		fprintf(f, "REPLACE(%s, %s)\n", hname(op->name, nb), rights_str(op->rights, rb));
		return;
	case CM_CLOSE: case CM_INFO: case CM_REVOKE: case CM_MEM_INFO:
		fprintf(f, "%s(%s)\n", kind_names[op->kind], hname(op->name, nb));
		return;
	case CM_SEND:
		fprintf(f, "%s: SEND(to %s:", ctx_name(op->ctx), ctx_name(op->to));
		for (i = 0; i < op->nh; i++)
			fprintf(f, " %s %s%s", hname(op->hn[i], nb), rights_str(op->hr[i], rb),
				op->hf[i] & CM_MOVE ? " MOVE" : "");
		fprintf(f, ")\n");
		return;
	case CM_RECV:
		fprintf(f, "%s: %s, %s = RECV()\n", ctx_name(op->ctx), hname(cm_name_of(idx, 0), nb),
			hname(cm_name_of(idx, 1), nb2));
		return;
	case CM_MMAP:
		fprintf(f, "map%d = MMAP(%s, %u pages, %s)\n", idx, hname(op->name, nb), op->pages,
			op->flags & CM_WRITE ? "PROT_READ|PROT_WRITE" : "PROT_READ");
		return;
	case CM_MUNMAP:
		fprintf(f, "MUNMAP(map%d)\n", op->map);
		return;
	case CM_TOUCH:
		if (op->flags & CM_WRITE)
			fprintf(f, "TOUCH(map%d page %u: write %u, read)\n", op->map, op->pages,
				op->value);
		else
			fprintf(f, "TOUCH(map%d page %u: read)\n", op->map, op->pages);
		return;
	case CM_SET_QUOTA:
		fprintf(f, "SET_QUOTA(%s, %s, %" PRIu64 ")\n", ctx_name(op->ctx),
			res_names[op->res], op->limit);
		return;
	case CM_USAGE:
		fprintf(f, "MODULE_INFO(%s)\n", ctx_name(op->ctx));
		return;
	case CM_TERMINATE:
		fprintf(f, "TERMINATE(%s: unmap its mappings, close its module file)\n",
			ctx_name(op->ctx));
		return;
	case CM_KIND_MAX:
		return;
	}
}

static void print_res(FILE *f, const char *who, const struct cm_op *op, const struct cm_res *r)
{
	char rb[64], nb[32];

	fprintf(f, "#   %s: %s", who, r->err ? strerror(-r->err) : "0");
	switch (op->kind) {
	case CM_REVOKE:
		fprintf(f, ", revoked %u", r->count);
		break;
	case CM_INFO:
		fprintf(f, ", type %u, rights %s, parent %s (cap_id %" PRIu64 ")", r->type,
			rights_str(r->rights, rb), r->parent >= 0 ? hname(r->parent, nb) :
			r->parent == CM_PARENT_NONE ? "none" : "?", r->parent_cap_id);
		break;
	case CM_MEM_INFO:
		fprintf(f, ", size %" PRIu64 ", mappings %" PRIu64, r->size, r->mappings);
		break;
	case CM_TOUCH:
		fprintf(f, ", %s, read %u", r->bus == 1 ? "SIGBUS" : r->bus ? "SIGSEGV" : "no fault",
			r->value);
		break;
	case CM_RECV:
		fprintf(f, ", %d handles", r->nh);
		for (int i = 0; i < r->nh && i < CM_MSG_HANDLES; i++)
			fprintf(f, " [type %u, %s%s]", r->htype[i], rights_str(r->hrights[i], rb),
				r->hflags[i] & LOGOS_HANDLE_F_REVOKED ? ", revoked" : "");
		break;
	case CM_USAGE:
		fprintf(f, ", handles %" PRIu64 ", mapped pages %" PRIu64 ", memory pages %" PRIu64,
			r->usage[CM_RES_HANDLES], r->usage[CM_RES_MAPPED], r->usage[CM_RES_MEMORY]);
		break;
	default:
		break;
	}
	fprintf(f, "\n");
}

/* The first field in which kernel and model disagree, or NULL. */
static const char *compare(const struct cm_op *op, const struct cm_res *k, const struct cm_res *m)
{
	int i;

	if (k->err != m->err)
		return "errno";
	if (k->err)
		return NULL;
	switch (op->kind) {
	case CM_REVOKE:
		return k->count != m->count ? "revoked count" : NULL;
	case CM_INFO:
		if (k->type != m->type)
			return "type";
		if (k->rights != m->rights)
			return "rights";
		if (m->parent == CM_PARENT_NONE && k->parent_cap_id)
			return "parent (a root has none)";
		if (m->parent >= 0 && kx.capid[m->parent] && k->parent_cap_id != kx.capid[m->parent])
			return "parent";
		return NULL;
	case CM_MEM_INFO:
		if (k->size != m->size)
			return "size";
		return k->mappings != m->mappings ? "mappings" : NULL;
	case CM_TOUCH:
		if (k->bus != m->bus)
			return "fault";
		return k->value != m->value ? "data" : NULL;
	case CM_RECV:
		if (k->nh != m->nh)
			return "handle count";
		for (i = 0; i < m->nh; i++) {
			if (k->htype[i] != m->htype[i])
				return "received type";
			if (k->hrights[i] != m->hrights[i])
				return "received rights";
			if (k->hflags[i] != m->hflags[i])
				return "received flags";
		}
		return NULL;
	case CM_USAGE:
		if (k->usage[CM_RES_HANDLES] != m->usage[CM_RES_HANDLES])
			return "usage of HANDLES";
		if (k->usage[CM_RES_MAPPED] != m->usage[CM_RES_MAPPED])
			return "usage of MAPPED_PAGES";
		return k->usage[CM_RES_MEMORY] != m->usage[CM_RES_MEMORY] ?
			"usage of MEMORY_PAGES" : NULL;
	default:
		return NULL;
	}
}

/* One operation on both sides; true if they agree. */
static bool step(int idx, const struct cm_op *op, struct divergence *d)
{
	struct cm_res kr, mr;
	int ctx = cm_op_ctx(&model, op);

	/* Names come from the id, so a shrunk sequence keeps them. */
	kx_apply(&kx, op->id, ctx, op, &kr);
	cm_apply(&model, op->id, op, &mr);
	total_ops++;
	if (counting && -kr.err <= EHWPOISON)
		coverage[op->kind][kr.bus ? EHWPOISON + 1 : -kr.err]++;
	d->field = compare(op, &kr, &mr);
	if (!d->field)
		return true;
	d->at = idx;
	d->op = *op;
	d->k = kr;
	d->m = mr;
	return false;
}

/*
 * After the last operation, everything still observable: every live
 * handle, every mapping (touched), every module's usage. Part of every
 * replay, so a divergence that only shows here shrinks like any other.
 */
static bool sweep(int base, struct divergence *d)
{
	struct cm_op op;
	int i, k = base;

	/* Touches first: the most direct evidence, and the shortest to show. */
	for (i = 0; i < CM_MAX_OPS; i++) {
		if (!model.maps[i].used)
			continue;
		op = (struct cm_op){ .kind = CM_TOUCH, .id = k, .map = i };
		if (!step(k++, &op, d))
			return false;
	}
	for (i = 1; i < CM_NCTX; i++) {
		op = (struct cm_op){ .kind = CM_USAGE, .id = k, .ctx = i };
		if (!step(k++, &op, d))
			return false;
	}
	for (i = 0; i < CM_MAX_NAMES; i++) {
		if (!model.names[i].live)
			continue;
		op = (struct cm_op){ .kind = CM_INFO, .id = k, .name = i };
		if (!step(k++, &op, d))
			return false;
		if (model.objs[model.nodes[model.names[i].node].obj].type != LOGOS_OBJ_MEMORY)
			continue;
		op.kind = CM_MEM_INFO;
		if (!step(k++, &op, d))
			return false;
	}
	return true;
}

static void setup_or_die(void)
{
	int ret = kx_setup(&kx);

	if (ret) {
		printf("not ok 1 - cannot set up modules and channels on %s: %s\n",
		       LOGOS_DEVICE_PATH, strerror(-ret));
		exit(1);
	}
	cm_init(&model);
	model.finding4 = finding4;
}

/*
 * Replays @ops (skipping those whose handles no longer exist) from fresh
 * state; true if it diverged (then *d says where).
 */
static bool replay(const struct cm_op *ops, int n, struct divergence *d)
{
	bool agree = true;
	int i;

	setup_or_die();
	for (i = 0; i < n && agree; i++)
		if (cm_op_valid(&model, &ops[i]))
			agree = step(i, &ops[i], d);
	if (agree)
		agree = sweep(CM_MAX_OPS, d);
	kx_teardown(&kx);
	return !agree;
}

/* Same operation, same field, same direction (who said what). */
static bool same_kind(const struct divergence *a, const struct divergence *b)
{
	if (a->op.kind != b->op.kind || strcmp(a->field, b->field))
		return false;
	if (!strcmp(a->field, "errno"))
		return a->k.err == b->k.err && a->m.err == b->m.err;
	if (!strcmp(a->field, "fault"))
		return a->k.bus == b->k.bus;
	return true;
}

/*
 * Delta debugging: remove chunks, halving their size, while the replay
 * still shows a divergence of the same kind (operation and field); done
 * when no single operation can go.
 */
static int shrink(struct cm_op *ops, int n, struct divergence *d)
{
	static struct cm_op cand[CM_MAX_OPS];
	struct divergence cd;
	int chunk, start, c;

	if (d->at < CM_MAX_OPS)
		n = d->at + 1;
	for (chunk = n / 2; chunk >= 1; chunk /= 2) {
		for (start = 0; start < n;) {
			int len = start + chunk > n ? n - start : chunk;

			memcpy(cand, ops, start * sizeof(*ops));
			memcpy(cand + start, ops + start + len, (n - start - len) * sizeof(*ops));
			c = n - len;
			if (c > 0 && replay(cand, c, &cd) && same_kind(&cd, d)) {
				memcpy(ops, cand, c * sizeof(*ops));
				n = cd.at < CM_MAX_OPS ? cd.at + 1 : c;
				*d = cd;
				continue;	/* the same start, now on what followed */
			}
			start += len;
		}
	}
	return n;
}

static void print_sequence(const struct cm_op *ops, int n, const struct divergence *d)
{
	int i;

	for (i = 0; i < n; i++)
		print_op(stdout, "#  ", &ops[i]);
	if (d->at >= CM_MAX_OPS)
		print_op(stdout, "#  then, checking what is left: ", &d->op);
	printf("#   diverges in: %s\n", d->field);
	print_res(stdout, "kernel", &d->op, &d->k);
	print_res(stdout, "model ", &d->op, &d->m);
}

/* Which outcomes the random operations reached: a test that never fails an
 * operation would prove little. */
static void print_coverage(void)
{
	int k, e;

	for (k = 0; k < CM_KIND_MAX; k++) {
		printf("# coverage %-14s", kind_names[k]);
		for (e = 0; e <= EHWPOISON + 1; e++)
			if (coverage[k][e])
				printf(" %s:%" PRIu64, !e ? "ok" : e > EHWPOISON ? "SIGBUS" :
				       strerrorname_np(e), coverage[k][e]);
		printf("\n");
	}
}

static int self_check(void)
{
	/* Finding 4 of the 2026-12 review, on the model alone. */
	static const struct cm_op seq[] = {
		{ .kind = CM_MEM_CREATE, .ctx = 0, .pages = 1 },
		{ .kind = CM_GIVE, .name = 0, .to = 1, .rights = LOGOS_RIGHTS_SAME },
		{ .kind = CM_MMAP, .name = 4, .pages = 1, .flags = CM_WRITE },
		{ .kind = CM_CLOSE, .name = 4 },
		{ .kind = CM_REVOKE, .name = 0 },
		{ .kind = CM_TOUCH, .map = 2 },
		{ .kind = CM_MEM_INFO, .name = 0 },
	};
	struct cm_res r[7];
	int i, ok;

	cm_init(&model);
	for (i = 0; i < 7; i++)
		cm_apply(&model, i, &seq[i], &r[i]);
	ok = !r[4].err && r[4].count == 0 && r[5].bus == 1 && r[6].mappings == 0;
	printf("%s - model: a grantee's mapping dies with the granter's revoke, even after the "
	       "grantee closed its handle\n", ok ? "ok" : "not ok");
	return ok ? 0 : 1;
}

/* One random sequence from @seq_seed; true if kernel and model agreed. */
static bool run_sequence(struct cm_op *ops, int len, uint64_t seq_seed, int *n,
			 struct divergence *d, uint64_t *random_ops)
{
	uint64_t rng = seq_seed;
	bool agree = true;
	int i;

	setup_or_die();
	counting = true;
	for (i = 0; i < len && agree; i++) {
		cm_gen(&model, &rng, &ops[i]);
		ops[i].id = i;
		agree = step(i, &ops[i], d);
	}
	counting = false;
	*n = i;
	*random_ops += i;
	if (agree)
		agree = sweep(CM_MAX_OPS, d);
	kx_teardown(&kx);
	return agree;
}

/*
 * After the first divergence: shorter sequences for a few seconds, each
 * divergence shrunk, to print the shortest reproduction of any of them.
 */
static void polish(double seconds, uint64_t seed)
{
	uint64_t ignored = 0;	/* not part of the random search's throughput */
	static struct cm_op ops[CM_MAX_OPS], best[CM_MAX_OPS];
	struct divergence d, bestd;
	uint64_t seq, best_seed = 0;
	int n, nbest = 0, tries = 0;
	double t0 = now();

	for (seq = 0; now() - t0 < seconds && (!nbest || nbest > 5); seq++) {
		if (run_sequence(ops, POLISH_LEN, seed + seq, &n, &d, &ignored))
			continue;
		tries++;
		n = shrink(ops, n, &d);
		if (!nbest || n < nbest) {
			memcpy(best, ops, n * sizeof(*ops));
			nbest = n;
			bestd = d;
			best_seed = seed + seq;
		}
	}
	if (!nbest)
		return;
	printf("# shortest of %d more divergences found in %.1f s of %d-operation sequences"
	       " (%d operations, seed %" PRIu64 " --len %d):\n", tries, now() - t0, POLISH_LEN,
	       nbest, best_seed, POLISH_LEN);
	print_sequence(best, nbest, &bestd);
}

int main(int argc, char **argv)
{
	static struct cm_op ops[CM_MAX_OPS];
	static const struct option longopts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "len", required_argument, NULL, 'l' },
		{ "keep-going", no_argument, NULL, 'k' },
		{ "polish", required_argument, NULL, 'p' },
		{ "self-check", no_argument, NULL, 'c' },
		{ "finding4-as-kernel", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct divergence found[MAX_FOUND], d;
	double seconds = 90, t0, elapsed, shrinking = 0, ts;
	uint64_t random_ops = 0;
	uint64_t seed = (uint64_t)time(NULL) << 20, seq_seed;
	int len = 60, keep_going = 0, nfound = 0, c, n;
	double polish_seconds = 15;
	unsigned long sequences = 0;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's': seconds = atof(optarg); break;
		case 'S': seed = strtoull(optarg, NULL, 0); break;
		case 'l': len = atoi(optarg); break;
		case 'k': keep_going = 1; break;
		case 'p': polish_seconds = atof(optarg); break;
		case 'f': finding4 = true; break;
		case 'c': return self_check();
		default:
			fprintf(stderr, "usage: %s [--seconds S] [--seed N] [--len L] [--keep-going]"
				" [--polish S] [--finding4-as-kernel] | --self-check\n", argv[0]);
			return 2;
		}
	}
	if (len < 1 || len > CM_MAX_OPS)
		len = 60;
	setvbuf(stdout, NULL, _IOLBF, 0);
	kx_init_signals();
	printf("# capmodel: seed %" PRIu64 ", %.0f s, %d operations per sequence%s\n", seed, seconds,
	       len, finding4 ? ", model with the kernel's finding-4 rule" : "");

	t0 = now();
	while (now() - t0 < seconds && nfound < MAX_FOUND) {
		/* Each sequence has its own seed: the report names it. */
		seq_seed = seed + sequences;
		sequences++;
		if (run_sequence(ops, len, seq_seed, &n, &d, &random_ops))
			continue;
		for (c = 0; c < nfound; c++)
			if (same_kind(&found[c], &d))
				break;
		if (c < nfound)
			continue;	/* a divergence already reported */
		found[nfound++] = d;
		elapsed = now() - t0;
		printf("not ok %d - %s diverges (%s) after %.1f s, sequence %lu (seed %" PRIu64
		       " --len %d)\n", nfound, kind_names[d.op.kind], d.field, elapsed,
		       sequences, seq_seed, len);
		ts = now();
		n = shrink(ops, n, &d);
		shrinking += now() - ts;
		printf("# shortest sequence found (%d operations):\n", n);
		print_sequence(ops, n, &d);
		if (!keep_going) {
			ts = now();
			if (n > 5)
				polish(polish_seconds, seq_seed + 1);
			shrinking += now() - ts;
			break;
		}
	}
	elapsed = now() - t0;
	print_coverage();
	if (!nfound)
		printf("ok 1 - kernel and model agree: %lu sequences, %" PRIu64 " operations\n",
		       sequences, random_ops);
	/* Throughput of the random search alone; shrinking replays are extra. */
	printf("# throughput: %.0f random operations/s (%" PRIu64 " in %lu sequences, %.1f s);"
	       " shrinking %.1f s; %" PRIu64 " operations applied in all, replays included\n",
	       random_ops / (elapsed - shrinking), random_ops, sequences, elapsed - shrinking,
	       shrinking, total_ops);
	return nfound ? 1 : 0;
}
