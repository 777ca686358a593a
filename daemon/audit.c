// SPDX-License-Identifier: GPL-2.0
#include "audit.h"
#include "json.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHECKPOINT_DOMAIN "logos-audit-checkpoint-v1\n"
#define LINE_MAX_BYTES (64 * 1024)

static void checkpoint_sig(const uint8_t *sk, const char *hash_hex, uint8_t sig[SIG_BYTES])
{
	char msg[128];
	size_t n = snprintf(msg, sizeof(msg), CHECKPOINT_DOMAIN "%s", hash_hex);

	crypto_sign_detached(sig, NULL, (const uint8_t *)msg, n, sk);
}

static bool checkpoint_ok(const uint8_t *pk, const char *hash_hex, const uint8_t sig[SIG_BYTES])
{
	char msg[128];
	size_t n = snprintf(msg, sizeof(msg), CHECKPOINT_DOMAIN "%s", hash_hex);

	return !crypto_sign_verify_detached(sig, (const uint8_t *)msg, n, pk);
}

/* Writes one record; @sign makes it a signed checkpoint. */
static int write_record(struct audit *a, const char *type, const char *members, bool sign)
{
	char when[40], prev[2 * HASH_BYTES + 1], hh[2 * HASH_BYTES + 1];
	uint8_t h[HASH_BYTES];
	struct jw w;
	char *line, *l2;
	size_t n;
	int ret;

	if (a->fd < 0)
		return -EBADF;
	format_utc(wall_ns(), when, sizeof(when));
	hex_encode(a->last, HASH_BYTES, prev);
	jw_init(&w);
	jw_obj_begin(&w, NULL);
	jw_uint(&w, "seq", a->seq + 1);
	jw_str(&w, "time", when);
	jw_str(&w, "type", type);
	jw_str(&w, "prev", prev);
	jw_raw_members(&w, members);
	if (sign && a->have_key)
		jw_str(&w, "key", a->key_id);
	if (w.err) {
		jw_free(&w);
		return -ENOMEM;
	}
	/* the hash covers everything so far */
	hash_buf(w.buf, w.len, h);
	hex_encode(h, HASH_BYTES, hh);
	jw_str(&w, "hash", hh);
	if (sign && a->have_key) {
		uint8_t sig[SIG_BYTES];
		char sh[2 * SIG_BYTES + 1];

		checkpoint_sig(a->sk, hh, sig);
		hex_encode(sig, SIG_BYTES, sh);
		jw_str(&w, "sig", sh);
	}
	jw_obj_end(&w);
	line = jw_finish(&w);
	if (!line)
		return -ENOMEM;
	n = strlen(line);
	l2 = realloc(line, n + 2);	/* the newline goes out in the same write */
	if (!l2) {
		free(line);
		return -ENOMEM;
	}
	line = l2;
	line[n] = '\n';
	line[n + 1] = 0;
	ret = write_all(a->fd, line, n + 1);
	if (!ret) {
		a->size += n + 1;
		a->seq++;
		memcpy(a->last, h, HASH_BYTES);
		if (a->tap)
			a->tap(line, n);
	}
	free(line);
	if (!ret && sign) {
		fdatasync(a->fd);
		/*
		 * An anchor outside the file: in the journal (where a collector
		 * may keep it off the node), `logosctl audit verify --anchors`
		 * finds a log cut back to an earlier checkpoint.
		 */
		log_notice("audit-checkpoint seq=%llu hash=%s", (unsigned long long)a->seq, hh);
	}
	return ret;
}

int audit_checkpoint(struct audit *a, const char *reason)
{
	char members[128];
	int ret;

	snprintf(members, sizeof(members), "\"reason\":\"%s\",\"signed\":%s", reason,
		 a->have_key ? "true" : "false");
	ret = write_record(a, "checkpoint", members, true);
	if (!ret) {
		a->since_checkpoint = 0;
		a->last_checkpoint_ms = now_ms();
	}
	return ret;
}

static int open_file(struct audit *a)
{
	a->fd = open(a->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (a->fd < 0)
		return -errno;
	return 0;
}

/* All Keep rotated files are there: rotating would have to delete one. */
static bool all_kept(const struct audit *a)
{
	char last[PATH_MAX];

	snprintf(last, sizeof(last), "%s.%u", a->path, a->keep);
	return access(last, F_OK) == 0;
}

static void set_full(struct audit *a, bool full)
{
	char n[24];

	if (a->full == full)
		return;
	a->full = full;
	if (full) {
		log_err("audit: %s and its %u rotated files are full: nothing is deleted; "
			 "records modules cause are counted, not written, until %s.%u is archived "
			 "(moved away)", a->path, a->keep, a->path, a->keep);
		write_record(a, "audit", "\"event\":\"full\",\"note\":\"records modules cause are counted, not written\"",
			     false);
		return;
	}
	snprintf(n, sizeof(n), "%llu", (unsigned long long)a->full_suppressed);
	log_notice("audit: room again; %s records modules caused were not written while full", n);
	a->full_suppressed = 0;
	audit_log(a, "audit", "event", "no longer full", "suppressed", n, NULL);
}

/*
 * PATH -> PATH.1 -> ... -> PATH.Keep. Nothing is ever deleted: once
 * PATH.Keep exists the log is full (set_full()) and PATH grows past
 * MaxSize with logosd's own records only, so a module that floods the
 * log cannot push history out of it.
 */
static int rotate(struct audit *a)
{
	char from[PATH_MAX], to[PATH_MAX];
	int ret;

	if (all_kept(a)) {
		set_full(a, true);
		return 0;
	}
	audit_checkpoint(a, "rotate");
	close(a->fd);
	a->fd = -1;
	/* PATH.Keep is free, so no rename below replaces a file */
	for (unsigned int i = a->keep; i > 1; i--) {
		snprintf(from, sizeof(from), "%s.%u", a->path, i - 1);
		snprintf(to, sizeof(to), "%s.%u", a->path, i);
		if (access(from, F_OK) == 0 && access(to, F_OK) != 0)
			rename(from, to);
	}
	snprintf(to, sizeof(to), "%s.1", a->path);
	if (access(to, F_OK) == 0 || rename(a->path, to) < 0)
		log_warn("audit: cannot rotate %s: %m", a->path);
	ret = open_file(a);
	if (ret)
		return ret;
	a->size = 0;
	ret = audit_checkpoint(a, "continue");
	set_full(a, false);
	return ret;
}

int audit_append(struct audit *a, const char *type, const char *members)
{
	int ret;

	if (a->fd < 0)
		return -EBADF;
	ret = write_record(a, type, members, false);
	if (ret) {
		log_err("audit: cannot append to %s: %s", a->path, strerror(-ret));
		return ret;
	}
	if (++a->since_checkpoint >= a->every)
		audit_checkpoint(a, "periodic");
	if (a->size >= a->max_size && !a->full)
		rotate(a);
	return 0;
}

static char *members_of(va_list ap)
{
	struct jw w;
	const char *k;

	jw_init(&w);
	while ((k = va_arg(ap, const char *))) {
		const char *v = va_arg(ap, const char *);

		jw_str(&w, k, v);
	}
	return jw_finish(&w);
}

static int append_va(struct audit *a, const char *type, va_list ap)
{
	char *members = members_of(ap);
	int ret;

	if (!members)
		return -ENOMEM;
	ret = audit_append(a, type, members);
	free(members);
	return ret;
}

int audit_log(struct audit *a, const char *type, ...)
{
	va_list ap;
	int ret;

	va_start(ap, type);
	ret = append_va(a, type, ap);
	va_end(ap);
	return ret;
}

static struct audit_rate *rate_of(struct audit *a, const char *module, uint64_t now)
{
	struct audit_rate *r;

	for (size_t i = 0; i < a->nr_rates; i++)
		if (!strcmp(a->rates[i].module, module))
			return &a->rates[i];
	r = realloc(a->rates, (a->nr_rates + 1) * sizeof(*r));
	if (!r)
		return NULL;
	a->rates = r;
	r = &a->rates[a->nr_rates++];
	memset(r, 0, sizeof(*r));
	str_copy(r->module, sizeof(r->module), module);
	r->tokens_milli = (uint64_t)a->mod_burst * 1000;
	r->last_ms = now;
	return r;
}

/* {"type":"suppressed"}: what @r's module caused and was not written. */
static void report_suppressed(struct audit *a, struct audit_rate *r)
{
	char n[24];
	uint64_t count = r->suppressed;

	if (!count)
		return;
	r->suppressed = 0;	/* first: the record below goes through audit_append */
	snprintf(n, sizeof(n), "%llu", (unsigned long long)count);
	audit_log(a, "suppressed", "module", r->module, "records", n, "reason",
		  "over ModuleRate", NULL);
}

int audit_log_module(struct audit *a, const char *module, const char *type, ...)
{
	uint64_t now = a->clock ? a->clock() : now_ms();
	struct audit_rate *r = NULL;
	va_list ap;
	int ret;

	if (a->fd < 0)
		return -EBADF;
	if (a->full) {
		a->full_suppressed++;
		return -EDQUOT;
	}
	if (a->mod_rate && module) {
		r = rate_of(a, module, now);
		if (r) {
			r->tokens_milli += (now - r->last_ms) * a->mod_rate;
			r->tokens_milli = MIN(r->tokens_milli, (uint64_t)a->mod_burst * 1000);
			r->last_ms = now;
			if (r->tokens_milli < 1000) {
				if (!r->suppressed++)
					r->suppressed_since_ms = now;
				/* once a minute per module, or the log floods instead */
				if (!r->warned_ms || now - r->warned_ms >= 60000) {
					r->warned_ms = now;
					log_warn("audit: module %s causes more than %u records a second: "
						 "the rest are counted, not written", module, a->mod_rate);
				}
				return -EDQUOT;
			}
			r->tokens_milli -= 1000;
			report_suppressed(a, r);
		}
	}
	va_start(ap, type);
	ret = append_va(a, type, ap);
	va_end(ap);
	return ret;
}

void audit_tick(struct audit *a, uint64_t now)
{
	/* a module that went quiet: its count, a second after it began */
	for (size_t i = 0; i < a->nr_rates && !a->full && a->fd >= 0; i++) {
		struct audit_rate *r = &a->rates[i];

		if (r->suppressed && now - r->suppressed_since_ms >= 1000)
			report_suppressed(a, r);
	}
	/* full: has the operator archived the oldest file? */
	if (a->full && a->fd >= 0 && now - a->full_checked_ms >= 1000) {
		a->full_checked_ms = now;
		if (!all_kept(a))
			rotate(a);
	}
	if (a->fd >= 0 && a->since_checkpoint && a->interval_ms &&
	    now - a->last_checkpoint_ms >= a->interval_ms)
		audit_checkpoint(a, "periodic");
}

uint64_t audit_next_deadline(const struct audit *a)
{
	uint64_t next = UINT64_MAX;

	if (a->fd < 0)
		return next;
	for (size_t i = 0; i < a->nr_rates && !a->full; i++)
		if (a->rates[i].suppressed)
			next = MIN(next, a->rates[i].suppressed_since_ms + 1000);
	if (a->full)
		next = MIN(next, a->full_checked_ms + 1000);
	if (a->since_checkpoint && a->interval_ms)
		next = MIN(next, a->last_checkpoint_ms + a->interval_ms);
	return next;
}

/* The "seq" and "hash" of the last complete line of @path. */
static int read_tail(const char *path, uint64_t *seq, uint8_t hash[HASH_BYTES])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char buf[LINE_MAX_BYTES + 1];
	struct jobj o;
	off_t size, off;
	ssize_t n;
	char *start, *end;
	int64_t s;
	const char *h;
	int ret = -EBADMSG;

	if (fd < 0)
		return -errno;
	size = lseek(fd, 0, SEEK_END);
	if (size == 0) {
		close(fd);
		return -ENODATA;
	}
	off = size > LINE_MAX_BYTES ? size - LINE_MAX_BYTES : 0;
	n = pread(fd, buf, size - off, off);
	close(fd);
	if (n <= 0 || buf[n - 1] != '\n')
		return -EBADMSG;
	buf[n - 1] = 0;
	end = buf + n - 1;
	start = strrchr(buf, '\n');
	start = start ? start + 1 : buf;
	if (json_parse_object(start, end - start, &o))
		return -EBADMSG;
	h = jobj_str(&o, "hash");
	if (!jobj_int(&o, "seq", &s) && s > 0 && h && !hex_decode(h, hash, HASH_BYTES)) {
		*seq = s;
		ret = 0;
	}
	jobj_free(&o);
	return ret;
}

/* The "seq" and "hash" of @line if its hash matches its bytes. */
static bool good_line(const char *line, size_t len, uint64_t *seq, uint8_t hash[HASH_BYTES])
{
	const char *hashpos = memmem(line, len, ",\"hash\":\"", 9), *h;
	uint8_t got[HASH_BYTES];
	struct jobj o;
	int64_t s;
	bool ok = false;

	if (!hashpos || memchr(line, 0, len) || json_parse_object(line, len, &o))
		return false;
	h = jobj_str(&o, "hash");
	hash_buf(line, hashpos - line, got);
	if (!jobj_int(&o, "seq", &s) && s > 0 && h && !hex_decode(h, hash, HASH_BYTES) &&
	    !memcmp(got, hash, HASH_BYTES)) {
		*seq = s;
		ok = true;
	}
	jobj_free(&o);
	return ok;
}

/*
 * The end of the log is not a whole, intact record (a crash mid-write, or
 * someone cut it): the bytes after the last intact record are moved to
 * PATH.damaged-TIME, and the chain goes on from that record with a
 * "damaged" record saying so (@damage: its members), which `audit verify`
 * reports. Never a fresh chain that would verify as intact.
 */
static int recover_tail(struct audit *a, char *damage, size_t cap)
{
	char aside[PATH_MAX], *data;
	size_t len, good = 0, off = 0;
	uint64_t seq = 0;
	uint8_t hash[HASH_BYTES];
	int ret, fd;

	ret = read_file(a->path, &data, &len, SIZE_MAX / 2);
	if (ret)
		return ret;
	while (off < len) {
		char *nl = memchr(data + off, '\n', len - off);
		uint64_t s;
		uint8_t h[HASH_BYTES];

		if (!nl || !good_line(data + off, nl - (data + off), &s, h))
			break;
		seq = s;
		memcpy(hash, h, HASH_BYTES);
		off = good = nl + 1 - data;
	}
	snprintf(aside, sizeof(aside), "%s.damaged-%llu", a->path,
		 (unsigned long long)(wall_ns() / 1000000000ULL));
	fd = open(aside, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ret = fd < 0 ? -errno : write_all(fd, data + good, len - good);
	if (!ret && fsync(fd) < 0)
		ret = -errno;
	if (!ret && truncate(a->path, good) < 0)
		ret = -errno;
	if (fd >= 0)
		close(fd);
	free(data);
	if (ret)
		return ret;
	a->seq = seq;
	if (seq)
		memcpy(a->last, hash, HASH_BYTES);
	else
		memset(a->last, 0, sizeof(a->last));
	log_err("audit: the end of %s is damaged: %zu bytes after record %llu moved to %s; "
		"the chain continues with a \"damaged\" record", a->path, len - good,
		(unsigned long long)seq, aside);
	{
		struct jw w;
		char n[24], *m;

		jw_init(&w);
		snprintf(n, sizeof(n), "%llu", (unsigned long long)seq);
		jw_str(&w, "after_seq", n);
		snprintf(n, sizeof(n), "%zu", len - good);
		jw_str(&w, "bytes", n);
		jw_str(&w, "aside", aside);
		m = jw_finish(&w);
		str_copy(damage, cap, m ? m : "");
		free(m);
	}
	return 0;
}

int audit_open(struct audit *a, const struct audit_cfg *cfg, char *why, size_t cap)
{
	char dir[PATH_MAX], *slash, **errors = NULL, damage[PATH_MAX + 128] = "";
	struct stat st;
	int ret;

	memset(a, 0, sizeof(*a));
	a->fd = -1;
	a->mod_rate = cfg->mod_rate;
	a->mod_burst = cfg->mod_burst ? cfg->mod_burst : cfg->mod_rate;
	/* locked, guarded, left out of core dumps */
	a->sk = sodium_malloc(SK_BYTES);
	if (!a->sk) {
		snprintf(why, cap, "cannot allocate locked memory for the audit key");
		return -ENOMEM;
	}
	a->path = strdup(cfg->path);
	a->max_size = cfg->max_size;
	a->keep = cfg->keep;
	a->every = cfg->every ? cfg->every : 64;
	a->interval_ms = cfg->interval_ms;
	str_copy(dir, sizeof(dir), cfg->path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		mkdir_p(dir, 0750);
	}
	if (cfg->key_path) {
		if (stat(cfg->key_path, &st) < 0 && errno == ENOENT) {
			char prefix[PATH_MAX];
			size_t n = strlen(cfg->key_path);

			str_copy(prefix, sizeof(prefix), cfg->key_path);
			if (n > 4 && !strcmp(prefix + n - 4, ".key"))
				prefix[n - 4] = 0;
			ret = keygen(prefix, 0, "logosd audit checkpoints");
			if (ret)
				log_warn("audit: cannot create the key %s (%s): checkpoints will not be signed",
					 cfg->key_path, strerror(-ret));
			else
				log_notice("audit: created the checkpoint key %s", cfg->key_path);
		}
		if (!seckey_load(cfg->key_path, a->sk, &errors)) {
			a->have_key = true;
			key_id(a->sk + 32, a->key_id);
		} else {
			for (char **e = errors; e && *e; e++)
				log_warn("audit: %s", *e);
		}
		strv_free(errors);
	}
	ret = read_tail(a->path, &a->seq, a->last);
	if (ret == -EBADMSG) {
		ret = recover_tail(a, damage, sizeof(damage));
		if (ret) {
			snprintf(why, cap, "the end of %s is damaged and cannot be set aside: %s",
				 a->path, strerror(-ret));
			return ret;
		}
	} else if (ret && ret != -ENOENT && ret != -ENODATA) {
		snprintf(why, cap, "cannot read %s: %s", a->path, strerror(-ret));
		return ret;
	}
	ret = open_file(a);
	if (ret) {
		snprintf(why, cap, "cannot open %s: %s", a->path, strerror(-ret));
		return ret;
	}
	if (fstat(a->fd, &st) == 0)
		a->size = st.st_size;
	/* continues the chain of the last good record: the damage is on record */
	if (damage[0])
		write_record(a, "damaged", damage, false);
	return audit_checkpoint(a, a->seq ? "reopen" : "start");
}

void audit_close(struct audit *a)
{
	if (a->fd >= 0) {
		audit_checkpoint(a, "close");
		close(a->fd);
	}
	a->fd = -1;
	sodium_free(a->sk);	/* zeroes it */
	a->sk = NULL;
	free(a->path);
	a->path = NULL;
	free(a->rates);
	a->rates = NULL;
	a->nr_rates = 0;
}

/* ---- verification ---------------------------------------------------- */

static int fail(char *why, size_t cap, uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(char *why, size_t cap, uint64_t line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(why, cap, "line %llu: %s", (unsigned long long)line, msg);
	return -EBADMSG;
}

int audit_verify_file(const char *path, const uint8_t *pk, const uint8_t *prev,
		      uint64_t prev_seq, struct audit_report *rep, char *why, size_t cap)
{
	return audit_verify_anchored(path, pk, prev, prev_seq, NULL, 0, rep, why, cap);
}

int audit_verify_anchored(const char *path, const uint8_t *pk, const uint8_t *prev,
			  uint64_t prev_seq, struct audit_anchor *anchors, size_t nr_anchors,
			  struct audit_report *rep, char *why, size_t cap)
{
	char *data, *line, *next;
	size_t len;
	uint64_t lineno = 0, seq = prev_seq;
	uint8_t last[HASH_BYTES];
	int ret;

	memset(rep, 0, sizeof(*rep));
	ret = read_file(path, &data, &len, SIZE_MAX / 2);
	if (ret) {
		snprintf(why, cap, "cannot read %s: %s", path, strerror(-ret));
		return ret;
	}
	if (prev)
		memcpy(last, prev, HASH_BYTES);
	if (len && data[len - 1] != '\n') {
		free(data);
		return fail(why, cap, 0, "the file does not end with a complete line (truncated?)");
	}
	for (line = data; line < data + len; line = next) {
		struct jobj o;
		const char *h, *p, *type, *hashpos;
		uint8_t want[HASH_BYTES], got[HASH_BYTES], pv[HASH_BYTES];
		int64_t s;

		/* The file ends with a newline, so every line has one. */
		next = memchr(line, '\n', data + len - line);
		*next++ = 0;
		lineno++;
		/* What follows a NUL would be covered by no hash. */
		if (strlen(line) != (size_t)(next - 1 - line)) {
			ret = fail(why, cap, lineno, "a NUL byte in the record (edited?)");
			break;
		}
		if (json_parse_object(line, strlen(line), &o)) {
			ret = fail(why, cap, lineno, "not a JSON object (edited?)");
			break;
		}
		h = jobj_str(&o, "hash");
		p = jobj_str(&o, "prev");
		type = jobj_str(&o, "type");
		hashpos = strstr(line, ",\"hash\":\"");
		if (!h || !p || !type || jobj_int(&o, "seq", &s) || !hashpos ||
		    hex_decode(h, want, HASH_BYTES) || hex_decode(p, pv, HASH_BYTES)) {
			jobj_free(&o);
			ret = fail(why, cap, lineno, "seq, type, prev or hash missing or malformed");
			break;
		}
		hash_buf(line, hashpos - line, got);
		if (memcmp(got, want, HASH_BYTES)) {
			jobj_free(&o);
			ret = fail(why, cap, lineno, "record %lld does not match its hash (edited)",
				   (long long)s);
			break;
		}
		if (lineno == 1) {
			rep->first_seq = s;
			memcpy(rep->first_prev, pv, HASH_BYTES);
			rep->continues = !sodium_is_zero(pv, HASH_BYTES);
			if (prev && (memcmp(pv, last, HASH_BYTES) || (uint64_t)s != seq + 1)) {
				jobj_free(&o);
				ret = fail(why, cap, lineno,
					   "does not continue the previous file (records deleted or files out of order)");
				break;
			}
			if (!prev && !rep->continues && s != 1) {
				jobj_free(&o);
				ret = fail(why, cap, lineno, "the chain starts at record %lld, not 1",
					   (long long)s);
				break;
			}
			if (strcmp(type, "checkpoint")) {
				jobj_free(&o);
				ret = fail(why, cap, lineno,
					   "the file does not start with a checkpoint (records deleted at the start)");
				break;
			}
		} else {
			if ((uint64_t)s != seq + 1) {
				jobj_free(&o);
				ret = fail(why, cap, lineno, "record %lld follows record %llu (%s)",
					   (long long)s, (unsigned long long)seq,
					   (uint64_t)s <= seq ? "reordered or duplicated" : "records deleted");
				break;
			}
			if (memcmp(pv, last, HASH_BYTES)) {
				jobj_free(&o);
				ret = fail(why, cap, lineno,
					   "record %lld does not chain to the record before it (deleted, inserted or reordered)",
					   (long long)s);
				break;
			}
		}
		rep->uncovered++;
		for (size_t i = 0; i < nr_anchors; i++) {
			if (anchors[i].seq != (uint64_t)s)
				continue;
			if (memcmp(anchors[i].hash, want, HASH_BYTES))
				anchors[i].mismatch = true;
			else
				anchors[i].seen = true;
		}
		if (!strcmp(type, "damaged")) {
			const char *after = jobj_str(&o, "after_seq"), *bytes = jobj_str(&o, "bytes");
			const char *aside = jobj_str(&o, "aside");

			if (!rep->damaged++)
				snprintf(rep->damage, sizeof(rep->damage),
					 "line %llu: logosd found the log damaged after record %s and set %s bytes aside in %s",
					 (unsigned long long)lineno, after ? after : "?",
					 bytes ? bytes : "?", aside ? aside : "?");
		}
		if (!strcmp(type, "checkpoint")) {
			const char *sig = jobj_str(&o, "sig");
			uint8_t sb[SIG_BYTES];

			if (pk) {
				if (!sig || hex_decode(sig, sb, SIG_BYTES) || !checkpoint_ok(pk, h, sb)) {
					jobj_free(&o);
					ret = fail(why, cap, lineno,
						   "checkpoint %lld has no valid signature by the audit key",
						   (long long)s);
					break;
				}
				rep->uncovered = 0;
			} else if (!sig) {
				/* unsigned checkpoint: nothing is covered */
			} else {
				rep->uncovered = 0;
			}
			rep->checkpoints++;
		}
		seq = s;
		memcpy(last, want, HASH_BYTES);
		rep->records++;
		jobj_free(&o);
	}
	free(data);
	if (ret)
		return ret;
	rep->last_seq = seq;
	memcpy(rep->last_hash, last, HASH_BYTES);
	return 0;
}
