// SPDX-License-Identifier: GPL-2.0
/*
 * logosd's control socket, as logosctl speaks it. Errors are -errno inside;
 * ctl_fail() turns them into the sentences of Documentation/logosctl.md.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "ctl.h"
#include "subcommands.h"
#include "util.h"

const char *ctl_config_dir(void)
{
	const char *dir = getenv("LOGOS_CONFIG");

	return dir && *dir ? dir : "/etc/logos";
}

/* $LOGOS_CONTROL, else ControlSocket of logosd.conf, else the default. */
static void socket_path(char *buf, size_t cap)
{
	const char *env = getenv("LOGOS_CONTROL");
	char **errs = calloc(1, sizeof(char *));
	struct daemon_config cfg;

	if (env && *env) {
		str_copy(buf, cap, env);
	} else if (errs && !daemon_config_load(ctl_config_dir(), &cfg, &errs)) {
		if (cfg.control_socket)
			str_copy(buf, cap, cfg.control_socket);
		else
			snprintf(buf, cap, "%s/control", cfg.runtime_dir);
		daemon_config_free(&cfg);
	} else {
		str_copy(buf, cap, "/run/logos/control");
	}
	strv_free(errs);
}

int ctl_connect(struct ctl *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	socket_path(c->path, sizeof(c->path));
	if (strlen(c->path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, c->path, strlen(c->path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = -errno;

		close(c->fd);
		c->fd = -1;
		return err;
	}
	return 0;
}

void ctl_close(struct ctl *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = 0;
}

int ctl_read(struct ctl *c, json_object **obj, int timeout_ms)
{
	char *nl;

	while (!(nl = c->buf ? memchr(c->buf, '\n', c->len) : NULL)) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		ssize_t n;

		if (c->len + 4096 > c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 65536;
			char *b = realloc(c->buf, cap);

			if (!b)
				return -ENOMEM;
			c->buf = b;
			c->cap = cap;
		}
		n = poll(&p, 1, timeout_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ETIMEDOUT;
		n = read(c->fd, c->buf + c->len, c->cap - c->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET;	/* logosd went away */
		c->len += n;
	}
	*nl = 0;
	*obj = json_tokener_parse(c->buf);
	c->len -= nl + 1 - c->buf;
	memmove(c->buf, nl + 1, c->len);
	return *obj && json_object_is_type(*obj, json_type_object) ? 0 : -EBADMSG;
}

bool ctl_has_line(struct ctl *c)
{
	return c->buf && memchr(c->buf, '\n', c->len);
}

int ctl_request(struct ctl *c, json_object *req, json_object **answer)
{
	const char *s = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	size_t n = strlen(s);
	json_object *a = NULL;
	int ret;

	c->refused = false;
	c->error[0] = 0;
	ret = write_all(c->fd, s, n);
	if (!ret)
		ret = write_all(c->fd, "\n", 1);
	/*
	 * logosd refuses a peer (credentials) by answering and closing before
	 * it reads the request: the write then fails, but the refusal is
	 * already in our receive queue and says more than EPIPE.
	 */
	if (ret && ret != -EPIPE && ret != -ECONNRESET)
		return ret;
	if (ret) {
		int why = ret;

		ret = ctl_read(c, &a, 0);
		if (ret) {
			json_object_put(a);
			return why;
		}
	} else {
		ret = ctl_read(c, &a, 60000);
	}
	if (ret) {
		json_object_put(a);
		return ret;
	}
	if (!jbool(a, "ok")) {
		long long e = jint(a, "errno");

		c->refused = true;
		str_copy(c->error, sizeof(c->error), jstr(a, "error"));
		json_object_put(a);
		return e > 0 ? (int)-e : -EIO;
	}
	*answer = a;
	return 0;
}

int ctl_call(struct ctl *c, const char *cmd, const char *module, json_object **answer)
{
	json_object *req = json_object_new_object();
	int ret;

	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	if (module)
		json_object_object_add(req, "module", json_object_new_string(module));
	ret = ctl_request(c, req, answer);
	json_object_put(req);
	return ret;
}

static const char *lead;	/* what error lines start with */

int ctl_note(struct ctl *c, int err)
{
	int ret;

	lead = "note";
	ret = ctl_fail(c, err, NULL);
	lead = NULL;
	return ret;
}

int ctl_query(const char *cmd, const char *module, json_object **answer)
{
	struct ctl c;
	int ret = ctl_connect(&c);

	if (!ret)
		ret = ctl_call(&c, cmd, module, answer);
	if (ret)
		ret = ctl_fail(&c, ret, module);
	ctl_close(&c);
	return ret;
}

int ctl_fail(struct ctl *c, int err, const char *module)
{
	const char *who = lead ? lead : prog;

	if (!c->refused) {
		switch (-err) {
		case ENOENT:
		case ECONNREFUSED:
			fprintf(stderr, "%s: logosd is not running (%s %s): start it with systemctl start logosd\n",
				who, err == -ENOENT ? "no socket at" : "nobody listens on", c->path);
			return EXIT_NO_LOGOSD;
		case EACCES:
		case EPERM:
			fprintf(stderr, "%s: permission denied: run as root or join group logos (%s)\n",
				who, c->path);
			return EXIT_PERM;
		case ECONNRESET:
		case EPIPE:
			fprintf(stderr, "%s: logosd closed the connection (did it stop?)\n", who);
			return EXIT_NO_LOGOSD;
		case ETIMEDOUT:
			fprintf(stderr, "%s: logosd did not answer within 60 s\n", who);
			return EXIT_ERROR;
		case EBADMSG:
			fprintf(stderr, "%s: logosd's answer is not a JSON object\n", who);
			return EXIT_ERROR;
		default:
			fprintf(stderr, "%s: %s: %s\n", who, c->path, strerror(-err));
			return EXIT_ERROR;
		}
	}
	/* logosd's own sentence: which role or file was refused, and why */
	if (err == -EACCES || err == -EPERM) {
		fprintf(stderr, "%s: %s\n", who,
			*c->error ? c->error : "permission denied: run as root or join group logos");
		return EXIT_PERM;
	}
	if (err == -ENOENT && module && !strncmp(c->error, "no module named", 15)) {
		fprintf(stderr, "%s: no module named %s: see '%s list'\n", who, module, prog);
		return EXIT_NO_MODULE;
	}
	fprintf(stderr, "%s: %s\n", who, *c->error ? c->error : strerror(-err));
	return EXIT_ERROR;
}

const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

long long jint(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return 0;
	return json_object_get_int64(v);
}

bool jbool(json_object *o, const char *key)
{
	json_object *v;

	return o && json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

void json_print(json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
}
