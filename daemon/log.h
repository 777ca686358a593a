/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Leveled logging to stderr. Under systemd (JOURNAL_STREAM set) every line
 * starts with the syslog priority ("<3>") so the journal keeps the level.
 */
#ifndef LOGOSD_LOG_H
#define LOGOSD_LOG_H

#include <stdarg.h>

enum log_level {
	LL_ERR = 3,
	LL_WARN = 4,
	LL_NOTICE = 5,
	LL_INFO = 6,
	LL_DEBUG = 7,
};

void log_init(void);
void log_set_level(int level);
int log_get_level(void);
/* "error", "warning", "notice", "info", "debug" -> level, or -EINVAL. */
int log_level_parse(const char *s);

void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(int level, const char *fmt, va_list ap);

#define log_err(...)	log_msg(LL_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LL_WARN, __VA_ARGS__)
#define log_notice(...)	log_msg(LL_NOTICE, __VA_ARGS__)
#define log_info(...)	log_msg(LL_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LL_DEBUG, __VA_ARGS__)

#endif
