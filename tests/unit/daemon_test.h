/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal TAP producer for the host unit tests of logosd: CHECK()
 * prints "ok N - what" or "not ok N - what (file:line)"; test_done()
 * prints the plan and the kselftest totals line tests/unit/run reads, and
 * returns the exit status.
 */
#ifndef DAEMON_TEST_H
#define DAEMON_TEST_H

#include <stdio.h>

static int t_run, t_failed;

#define CHECK(cond, ...) do {						\
	int t_ok_ = !!(cond);						\
	t_run++;							\
	if (t_ok_) {							\
		printf("ok %d - ", t_run);				\
	} else {							\
		t_failed++;						\
		printf("not ok %d - ", t_run);				\
	}								\
	printf(__VA_ARGS__);						\
	if (!t_ok_)							\
		printf(" (%s:%d: %s)", __FILE__, __LINE__, #cond);	\
	printf("\n");							\
} while (0)

static inline int test_done(void)
{
	printf("1..%d\n", t_run);
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n", t_run - t_failed,
	       t_failed);
	return t_failed ? 1 : 0;
}

#endif
