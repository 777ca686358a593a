/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Verification before every start (FR-008): the manifest and executable
 * are read once, hashed (BLAKE2b) and checked against MANIFEST.sig and a
 * key of trusted.d/; the trust level the manifest asks for must be within
 * the key's MaxTrust, and what it asks for (network, raw sockets, extra
 * system calls, host paths, fewer namespaces, another uid, limits above
 * the level's ceilings, loader variables) within that level's policy;
 * limits it leaves out get the level's defaults; the kernel ABI it needs
 * must be there. What was verified is what runs: the manifest is parsed
 * from the hashed bytes and the executable is executed from a sealed
 * memfd copy of the hashed bytes. The signature (sign.h) also binds the
 * module's name, version and trust level.
 */
#ifndef LOGOSD_VERIFY_H
#define LOGOSD_VERIFY_H

#include <linux/logos.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "sign.h"

/* Where the files logosd's own copies of updated modules' executables live. */
#define STORE_DIR "@store"	/* '@' is in no module name */
#define SIG_MAX (64 * 1024)

struct verified {
	struct manifest *m;
	char *manifest, *sig;	/* the verified bytes (sig NULL: unsigned, DevMode) */
	size_t manifest_len, sig_len;
	int exec_fd;		/* sealed memfd, O_CLOEXEC */
	uint32_t trust;		/* effective trust level */
	bool signed_;		/* false: accepted unsigned in DevMode */
	bool stored;		/* the executable is logosd's copy in STORE_DIR */
	char key_id[KEY_ID_LEN + 1];
	char manifest_hash[2 * HASH_BYTES + 1];
	char binary_hash[2 * HASH_BYTES + 1];
};

/* What to verify: the bytes, read once by the caller. */
struct verify_src {
	const char *path;	/* the manifest's path, for messages */
	const char *manifest;
	size_t manifest_len;
	const char *sig;	/* NULL: there is no signature */
	size_t sig_len;
	int exe_fd;		/* -1: logosd's stored copy, else Executable= */
	const char *expect_name;	/* NULL: any module */
};

/*
 * 0 and @out, or a negative errno with the reason in @why:
 * -EINVAL (bad manifest), -ENOENT/-EACCES (unreadable), -ENOEXEC (not
 * ELF), -ENOKEY (unsigned, or unknown key), -EBADMSG (changed after
 * signing), -EKEYREJECTED (bad signature), -EPERM (trust or policy),
 * -EPROTO (kernel ABI), and sig_check()'s: -EKEYREVOKED, -EKEYEXPIRED,
 * -EPROTONOSUPPORT (algorithm). verify_module() reads MANIFEST and
 * MANIFEST.sig from disk; verify_module_src() verifies bytes already read
 * (and -EPERM when the manifest is not @src->expect_name's).
 */
int verify_module_src(const struct daemon_config *cfg, const struct keyring *kr,
		      const struct logos_version *kver, const struct verify_src *src,
		      struct verified *out, char *why, size_t cap);
int verify_module(const struct daemon_config *cfg, const struct keyring *kr,
		  const struct logos_version *kver, const char *manifest_path,
		  struct verified *out, char *why, size_t cap);
void verified_free(struct verified *v);
/* STATE_DIR/@store/NAME[/HASH]: -ENAMETOOLONG. */
int store_path(const struct daemon_config *cfg, const char *name, const char *hash_hex,
	       char *buf, size_t cap);

/*
 * [Module] User= to a uid and gid: a plain decimal uid below 4294967295
 * (gid = uid) or a user name from the passwd database. -EINVAL for
 * anything else ("-1", "+0", "00", "4294967296"), -ENOENT for an unknown
 * name; @why says which.
 */
int user_resolve(const char *user, uint32_t *uid, uint32_t *gid, char *why, size_t cap);

#endif
