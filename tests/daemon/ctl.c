// SPDX-License-Identifier: GPL-2.0
/*
 * ctl: a minimal client of logosd's control socket for the tests
 * (Documentation/control-protocol.md; logosctl is the real one). In C
 * because the tests call it hundreds of times in a slow guest.
 *
 *   ctl CMD [MODULE] [key=value ...] [--get PATH]
 *
 * The socket is $LOGOS_CONTROL (default /run/logos/control). Prints the
 * answer, or with --get a.b.0.c that member (strings unquoted, nothing for
 * a missing member). Exits 0 when the answer has "ok": true, 1 when not,
 * 2 when logosd cannot be reached.
 */
#include "json.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static const char *ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* The end of the JSON value at @p (NULL if malformed). */
static const char *skip(const char *p)
{
	int depth = 0;

	p = ws(p);
	do {
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && p[1])
					p++;
			if (!*p)
				return NULL;
			p++;
		} else if (*p == '{' || *p == '[') {
			depth++;
			p++;
		} else if (*p == '}' || *p == ']') {
			depth--;
			p++;
		} else if (*p == ',' || *p == ':' || *p == ' ' || *p == '\n' || *p == '\t') {
			p++;
		} else if (*p) {
			while (*p && !strchr(",]} \n\t", *p))
				p++;
		} else {
			return NULL;
		}
	} while (depth > 0);
	return p;
}

/* The value at @path ("a.0.b") inside the value at @p, or NULL. */
static const char *find(const char *p, const char *path)
{
	char part[128];
	size_t n;

	while (*path) {
		n = strcspn(path, ".");
		if (n >= sizeof(part))
			return NULL;
		memcpy(part, path, n);
		part[n] = 0;
		path += n + (path[n] == '.');
		p = ws(p);
		if (*p == '{') {
			p = ws(p + 1);
			for (;;) {
				const char *k = p + 1, *end;
				bool hit;

				if (*p != '"')
					return NULL;
				end = skip(p);
				if (!end)
					return NULL;
				hit = (size_t)(end - 1 - k) == n && !memcmp(k, part, n);
				p = ws(end);
				if (*p++ != ':')
					return NULL;
				if (hit)
					break;
				p = skip(p);
				if (!p)
					return NULL;
				p = ws(p);
				if (*p != ',')
					return NULL;
				p = ws(p + 1);
			}
		} else if (*p == '[') {
			long i = strtol(part, NULL, 10);

			p = ws(p + 1);
			while (i-- > 0) {
				p = skip(p);
				if (!p)
					return NULL;
				p = ws(p);
				if (*p != ',')
					return NULL;
				p = ws(p + 1);
			}
			if (*p == ']')
				return NULL;
		} else {
			return NULL;
		}
	}
	return ws(p);
}

static void print_value(const char *p)
{
	const char *end = skip(p);

	if (!end)
		return;
	if (*p != '"') {
		printf("%.*s\n", (int)(end - p), p);
		return;
	}
	for (p++; p < end - 1; p++) {
		if (*p == '\\') {
			p++;
			putchar(*p == 'n' ? '\n' : *p == 't' ? '\t' : *p);
		} else {
			putchar(*p);
		}
	}
	putchar('\n');
}

int main(int argc, char **argv)
{
	const char *path = getenv("LOGOS_CONTROL"), *get = NULL, *ok;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[1 << 20], *req;
	size_t len = 0;
	struct jw w;
	int i = 1, fd;

	if (!path)
		path = "/run/logos/control";
	jw_init(&w);
	jw_obj_begin(&w, NULL);
	for (; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (!strcmp(argv[i], "--get") && i + 1 < argc) {
			get = argv[++i];
		} else if (i == 1) {
			jw_str(&w, "cmd", argv[i]);
		} else if (eq) {
			*eq = 0;
			if (!strcmp(eq + 1, "true") || !strcmp(eq + 1, "false"))
				jw_bool(&w, argv[i], eq[1] == 't');	/* allow_downgrade=true */
			else
				jw_str(&w, argv[i], eq + 1);
		} else {
			jw_str(&w, "module", argv[i]);
		}
	}
	jw_obj_end(&w);
	req = jw_finish(&w);
	if (argc < 2 || !req || strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: ctl CMD [MODULE] [key=value ...] [--get PATH]\n");
		return 2;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "ctl: %s: %s\n", path, strerror(errno));
		return 2;
	}
	/*
	 * logosd refuses a peer by answering and closing before it reads the
	 * request: a failed write (EPIPE, no SIGPIPE) still leaves that
	 * answer to read below.
	 */
	signal(SIGPIPE, SIG_IGN);
	if ((write(fd, req, strlen(req)) < 0 || write(fd, "\n", 1) != 1) &&
	    errno != EPIPE && errno != ECONNRESET) {
		fprintf(stderr, "ctl: %s: %s\n", path, strerror(errno));
		return 2;
	}
	while (len < sizeof(buf) - 1 && (len == 0 || buf[len - 1] != '\n')) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);

		if (n <= 0)
			break;
		len += n;
	}
	buf[len] = 0;
	if (!len) {
		fprintf(stderr, "ctl: no answer\n");
		return 2;
	}
	if (get) {
		const char *v = find(buf, get);

		if (v)
			print_value(v);
		else
			putchar('\n');
	} else {
		fputs(buf, stdout);
	}
	ok = find(buf, "ok");
	return ok && !strncmp(ok, "true", 4) ? 0 : 1;
}
