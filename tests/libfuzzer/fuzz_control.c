// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for logosd's control protocol (daemon/control.c over
 * daemon/json.c): the input is what a client writes to the socket. It is
 * cut into lines as control.c's read_client() does (a request longer than
 * the buffer ends the connection), each line is parsed as handle_line()
 * does, and the members the daemon reads are taken out. Besides "no crash,
 * no leak", the writer is checked against the reader: every member of an
 * accepted request is written back into an answer (as the daemon echoes
 * names and errors), the answer must parse, and from the second answer on
 * writing what was parsed gives the same bytes (a fixed point).
 */
#include "json.h"

#include <stdlib.h>
#include <string.h>

#define REQ_MAX 8192	/* control.c's request buffer */

/* An answer echoing every member of @o, as the daemon echoes names. */
static char *echo(const struct jobj *o)
{
	struct jobj one = { .n = 1 };	/* @m alone: duplicate keys are allowed */
	struct jw w;
	int64_t v;

	jw_init(&w);
	jw_obj_begin(&w, NULL);
	for (size_t i = 0; i < o->n; i++) {
		const struct jmember *m = &o->m[i];

		switch (m->type) {
		case J_STR:
			jw_str(&w, m->key, m->str);
			break;
		case J_NUM:
			/* As the daemon reads numbers: integers only. */
			one.m = (struct jmember *)m;
			if (!jobj_int(&one, m->key, &v))
				jw_int(&w, m->key, v);
			else
				jw_null(&w, m->key);
			break;
		case J_BOOL:
			jw_bool(&w, m->key, m->b);
			break;
		default:
			jw_null(&w, m->key);
			break;
		}
	}
	jw_obj_end(&w);
	return jw_finish(&w);
}

/* @a parsed and written again; whatever the writer writes, the reader reads. */
static char *reparse(const char *a)
{
	struct jobj o;
	char *b;

	if (json_parse_object(a, strlen(a), &o))
		abort();	/* the writer wrote what the reader refuses */
	b = echo(&o);
	jobj_free(&o);
	if (!b)
		abort();
	return b;
}

static void one_line(const char *line)
{
	struct jobj req;
	const char *cmd, *name;
	char *a1, *a2, *a3;
	int64_t v;

	if (json_parse_object(line, strlen(line), &req))
		return;
	/* What answer() reads. */
	cmd = jobj_str(&req, "cmd");
	name = jobj_str(&req, "module");
	(void)jobj_str(&req, "manifest");
	(void)jobj_int(&req, "lines", &v);
	if (cmd && strlen(cmd) > REQ_MAX)
		abort();
	if (name && strlen(name) > REQ_MAX)
		abort();
	a1 = echo(&req);
	jobj_free(&req);
	if (!a1)
		return;	/* out of memory, or too deep */
	a2 = reparse(a1);
	a3 = reparse(a2);
	/* The writer's replacements of invalid UTF-8 (\ufffd) are read back as
	 * UTF-8 and written as such: a fixed point from the second answer on. */
	if (strcmp(a2, a3))
		abort();
	free(a1);
	free(a2);
	free(a3);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[REQ_MAX];
	size_t len = 0;
	char *nl;

	while (size) {
		size_t n = size < sizeof(buf) - 1 - len ? size : sizeof(buf) - 1 - len;

		memcpy(buf + len, data, n);
		data += n;
		size -= n;
		len += n;
		buf[len] = 0;
		while ((nl = memchr(buf, '\n', len))) {
			*nl = 0;
			one_line(buf);
			len -= nl + 1 - buf;
			memmove(buf, nl + 1, len);
			buf[len] = 0;
		}
		if (len == sizeof(buf) - 1)
			return 0;	/* "request too long": the client is dropped */
	}
	return 0;
}
