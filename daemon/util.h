/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers shared by every part of logosd: time, files, parsing of
 * durations, sizes and booleans, string vectors, hex. Every function that
 * can fail returns 0 or a negative errno.
 */
#ifndef LOGOSD_UTIL_H
#define LOGOSD_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* CLOCK_MONOTONIC in milliseconds and nanoseconds; CLOCK_REALTIME in ns. */
uint64_t now_ms(void);
uint64_t now_ns(void);
uint64_t wall_ns(void);
/* "2026-11-25T13:24:30.123Z" for a CLOCK_REALTIME time in ns. */
void format_utc(uint64_t ns, char *buf, size_t cap);

/* Whole file into a new NUL-terminated buffer; -EFBIG beyond @max bytes. */
int read_file(const char *path, char **data, size_t *len, size_t max);
/* Whole fd (from its current offset) into a new buffer. */
int read_fd(int fd, char **data, size_t *len, size_t max);
/* Writes @len bytes to @path through a temporary file and rename(2). */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode);
/* A short string into an existing file (sysfs, cgroupfs, /proc). */
int write_string(const char *path, const char *s);
/* First line of a small file, without the newline. */
int read_line(const char *path, char *buf, size_t cap);
int write_all(int fd, const void *buf, size_t len);
int mkdir_p(const char *path, mode_t mode);

/* "5", "5s", "500ms", "2min", "1h", "100us" -> milliseconds. */
int parse_duration_ms(const char *s, uint64_t *ms);
/* "4096", "64K", "64M", "1G" (powers of 1024) -> bytes. */
int parse_size(const char *s, uint64_t *bytes);
int parse_u64(const char *s, uint64_t *v);
/* yes/no, true/false, on/off, 1/0. */
int parse_bool(const char *s, bool *v);

/* NULL-terminated string vectors. */
char **strv_split(const char *s);	/* on blanks; never NULL on success */
int strv_push(char ***v, const char *s);
size_t strv_len(char *const *v);
bool strv_contains(char *const *v, const char *s);
char **strv_copy(char *const *v);
void strv_free(char **v);

void hex_encode(const uint8_t *in, size_t len, char *out);	/* out: 2*len+1 */
int hex_decode(const char *in, uint8_t *out, size_t len);	/* exactly 2*len digits */

/* snprintf into a fixed buffer; -ENAMETOOLONG when truncated. */
int path_join(char *buf, size_t cap, const char *a, const char *b);

bool valid_name(const char *s);	/* module name: [A-Za-z0-9._-]{1,31} */
bool valid_service_name(const char *s);	/* the same, 1 to 63 characters */



/* strlcpy: copies what fits, always terminates; -ENAMETOOLONG if cut. */
int str_copy(char *dst, size_t cap, const char *src);

#endif
