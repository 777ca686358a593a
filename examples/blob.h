/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* The blob store's protocol, shared by blob-store and blob-client. */
#ifndef BLOB_H
#define BLOB_H

#define BLOB_SERVICE	"blobstore"
#define BLOB_VERSION	LOGOS_SERVICE_VERSION(1, 0)
#define BLOB_KIND	0x1003

/*
 * PUT    (string name, handle memory (moved), u64 size) -> u64 checksum
 * GET    (string name) -> handle memory (read-only grant), u64 size, u64 checksum
 * DELETE (string name) -> u32 grants revoked
 * Payloads never travel as bytes: only the memory objects move.
 */
#define BLOB_PUT	1
#define BLOB_GET	2
#define BLOB_DELETE	3

#define BLOB_TAG_NAME	1
#define BLOB_TAG_MEMORY	2
#define BLOB_TAG_SIZE	3
#define BLOB_TAG_SUM	4
#define BLOB_TAG_REVOKED 5

/* 64-bit FNV-1a: cheap enough to show both sides read the same pages. */
static inline uint64_t blob_sum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 14695981039346656037ULL;

	while (n--) {
		h ^= *b++;
		h *= 1099511628211ULL;
	}
	return h;
}

#endif
