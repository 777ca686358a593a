// SPDX-License-Identifier: GPL-2.0
/*
 * logosd's leveled log (daemon/log.c): the level filter, the plain
 * stderr format, and the journal's "<N>" priority prefix under systemd.
 */
#include "daemon_test.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int pipefd[2], saved_stderr;

/* What the log wrote to stderr since the last call. */
static const char *drain(void)
{
	static char buf[8192];
	ssize_t n = read(pipefd[0], buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = 0;
	return buf;
}

int main(void)
{
	const char *out;
	char big[4096];

	if (pipe2(pipefd, O_NONBLOCK) < 0)
		return 1;
	saved_stderr = dup(STDERR_FILENO);
	dup2(pipefd[1], STDERR_FILENO);

	CHECK(log_level_parse("debug") == LL_DEBUG && log_level_parse("ERROR") == LL_ERR &&
	      log_level_parse("warn") == LL_WARN && log_level_parse("warning") == LL_WARN,
	      "level names parse (any case, warn and warning)");
	CHECK(log_level_parse("loud") == -EINVAL && log_level_parse("") == -EINVAL,
	      "an unknown level is refused");

	unsetenv("JOURNAL_STREAM");
	log_init();
	log_set_level(LL_NOTICE);
	log_info("not shown %d", 1);
	log_debug("not shown either");
	CHECK(!*drain(), "messages below the level are dropped");
	log_notice("started %s", "kv");
	out = drain();
	CHECK(strstr(out, " logosd notice: started kv\n") && out[2] == ':' && out[5] == ':',
	      "stderr: \"HH:MM:SS.mmm logosd LEVEL: text\" (%.*s)", (int)strcspn(out, "\n"), out);
	log_err("cannot open %s", "x");
	log_warn("slow");
	out = drain();
	CHECK(strstr(out, "logosd error: cannot open x\n") && strstr(out, "logosd warning: slow\n"),
	      "errors and warnings pass a notice level, one line each");
	log_set_level(LL_DEBUG);
	log_debug("now shown");
	CHECK(strstr(drain(), "logosd debug: now shown\n"), "raising the level shows debug");

	setenv("JOURNAL_STREAM", "8:1234", 1);
	log_init();
	log_err("disk full");
	log_info("hello");
	out = drain();
	CHECK(!strcmp(out, "<3>disk full\n<6>hello\n"),
	      "under systemd: the journal's priority prefix, no timestamp (%s)", out);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	log_warn("%s", big);
	out = drain();
	CHECK(!strncmp(out, "<4>xxx", 6) && strlen(out) < 2100 && out[strlen(out) - 1] == '\n' &&
	      !strchr(out, '\n')[1], "an over-long message is cut to one line, still ended");

	dup2(saved_stderr, STDERR_FILENO);
	return test_done();
}
