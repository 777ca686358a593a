/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The client side of logosd's control socket
 * (Documentation/control-protocol.md): one JSON object per line each way.
 */
#ifndef _LOGOSCTL_CTL_H
#define _LOGOSCTL_CTL_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

struct ctl {
	int fd;
	char path[108];
	char *buf;		/* received, not yet returned */
	size_t len, cap;
	bool refused;		/* the error came from logosd, not the transport */
	char error[512];	/* logosd's sentence for the last refusal */
};

/* $LOGOS_CONFIG, else /etc/logos. */
const char *ctl_config_dir(void);
/* 0, or -errno (-ENOENT, -ECONNREFUSED: logosd is not running). */
int ctl_connect(struct ctl *c);
void ctl_close(struct ctl *c);
/*
 * One request, its answer. 0 with *@answer (the caller puts it), or -errno:
 * logosd's "errno" (c->refused, c->error) or a transport error.
 */
int ctl_request(struct ctl *c, json_object *req, json_object **answer);
/* {"cmd":@cmd, "module":@module (unless NULL)} */
int ctl_call(struct ctl *c, const char *cmd, const char *module, json_object **answer);
/* Connect, one ctl_call(), close: 0 and *@answer, or the exit status
 * (the error said on stderr). */
int ctl_query(const char *cmd, const char *module, json_object **answer);
/* The next line as JSON; -ETIMEDOUT after @timeout_ms (-1: wait). */
int ctl_read(struct ctl *c, json_object **obj, int timeout_ms);
/* A whole line is buffered: ctl_read() returns it without waiting. */
bool ctl_has_line(struct ctl *c);
/* The sentence for @err on stderr; the exit status for it. */
int ctl_fail(struct ctl *c, int err, const char *module);
/* The same as a "note: " when logosd's view is optional. */
int ctl_note(struct ctl *c, int err);

/* Members of an answer, with defaults when absent. */
const char *jstr(json_object *o, const char *key);
long long jint(json_object *o, const char *key);
bool jbool(json_object *o, const char *key);
/* The whole object on stdout, one line. */
void json_print(json_object *o);

#endif
