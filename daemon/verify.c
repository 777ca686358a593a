// SPDX-License-Identifier: GPL-2.0
#include "verify.h"
#include "seccomp.h"
#include "util.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <logos/core.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MANIFEST_MAX (256 * 1024)
#define BINARY_MAX (256ULL << 20)

/* A sealed memfd copy of the executable open at @src: what is hashed is what is executed. */
static int copy_sealed(int src, const char *path, const char *name, int *out, char *why,
		       size_t cap)
{
	char magic[4];
	struct stat st;
	int mfd, ret = 0;
	off_t off = 0;

	if (fstat(src, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > BINARY_MAX) {
		snprintf(why, cap, "the executable %s is not a regular file of at most 256 MiB", path);
		return -ENOEXEC;
	}
	if (pread(src, magic, 4, 0) != 4 || memcmp(magic, "\x7f" "ELF", 4)) {
		snprintf(why, cap, "the executable %s is not an ELF binary (scripts cannot be verified and then run)",
			 path);
		return -ENOEXEC;
	}
	/* the module's process name becomes "memfd:NAME" */
	mfd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return -errno;
	while (off < st.st_size) {
		ssize_t n = sendfile(mfd, src, &off, st.st_size - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			snprintf(why, cap, "cannot copy the executable %s: %s", path, strerror(-ret));
			break;
		}
	}
	if (!ret && fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE |
			  F_SEAL_SEAL) < 0) {
		ret = -errno;
		snprintf(why, cap, "cannot seal the copy of %s: %s", path, strerror(errno));
	}
	if (ret) {
		close(mfd);
		return ret;
	}
	*out = mfd;
	return 0;
}

int store_path(const struct daemon_config *cfg, const char *name, const char *hash_hex,
	       char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "%s/" STORE_DIR "/%s%s%s", cfg->state_dir, name,
			 hash_hex ? "/" : "", hash_hex ? hash_hex : "");

	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

/*
 * The executable to verify: the one the caller opened (an update), else
 * logosd's own copy of the binary the signature names (installed by an
 * update), else the manifest's Executable=.
 */
static int open_executable(const struct daemon_config *cfg, const struct verify_src *src,
			   const struct manifest *m, const struct sig_info *sig, bool *stored,
			   char *what, size_t wcap, char *why, size_t cap)
{
	struct sig_claim c;
	char path[PATH_MAX], h[2 * HASH_BYTES + 1], ignore[256];
	int fd;

	if (src->exe_fd >= 0) {
		snprintf(what, wcap, "%s", m->executable);
		fd = fcntl(src->exe_fd, F_DUPFD_CLOEXEC, 3);
		return fd < 0 ? -errno : fd;
	}
	if (sig && !sig_claim_parse(sig->comment, &c, ignore, sizeof(ignore))) {
		hex_encode(c.binary_hash, HASH_BYTES, h);
		if (!store_path(cfg, m->name, h, path, sizeof(path))) {
			fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
			if (fd >= 0) {
				snprintf(what, wcap, "%s", path);
				*stored = true;
				return fd;
			}
		}
	}
	snprintf(what, wcap, "%s", m->executable);
	fd = open(m->executable, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		fd = -errno;
		snprintf(why, cap, "cannot open the executable %s: %s", m->executable,
			 strerror(errno));
	}
	return fd;
}

/* File offset of virtual address @va in the PT_LOAD segments, or -1. */
static off_t elf_offset(const Elf64_Phdr *ph, unsigned int n, uint64_t va)
{
	for (unsigned int i = 0; i < n; i++)
		if (ph[i].p_type == PT_LOAD && va >= ph[i].p_vaddr &&
		    va - ph[i].p_vaddr < ph[i].p_filesz)
			return (off_t)(ph[i].p_offset + (va - ph[i].p_vaddr));
	return -1;
}

/*
 * The liblogos major the executable was linked against (its DT_NEEDED
 * liblogos.so.N), 0 when it does not use the shared library (static, or
 * not a 64-bit ELF we can read: the loader judges those), or -ENOEXEC
 * for a dynamic section that does not hold together.
 */
static int elf_liblogos_major(int fd)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph[64];
	Elf64_Dyn dyn[512];
	uint64_t strtab = 0, strsz = 0;
	ssize_t n, nd = 0;
	off_t stroff;
	int major = 0;

	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0)
		return 0;
	if (eh.e_phnum > ARRAY_SIZE(ph))
		return -ENOEXEC;
	n = (ssize_t)eh.e_phnum * (ssize_t)sizeof(Elf64_Phdr);
	if (pread(fd, ph, n, (off_t)eh.e_phoff) != n)
		return -ENOEXEC;
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type != PT_DYNAMIC)
			continue;
		n = ph[i].p_filesz < sizeof(dyn) ? (ssize_t)ph[i].p_filesz : (ssize_t)sizeof(dyn);
		if (pread(fd, dyn, n, (off_t)ph[i].p_offset) != n)
			return -ENOEXEC;
		nd = n / (ssize_t)sizeof(Elf64_Dyn);
	}
	for (ssize_t i = 0; i < nd && dyn[i].d_tag != DT_NULL; i++) {
		if (dyn[i].d_tag == DT_STRTAB)
			strtab = dyn[i].d_un.d_ptr;
		else if (dyn[i].d_tag == DT_STRSZ)
			strsz = dyn[i].d_un.d_val;
	}
	if (!nd)
		return 0;
	stroff = elf_offset(ph, eh.e_phnum, strtab);
	if (stroff < 0 || !strsz)
		return -ENOEXEC;
	for (ssize_t i = 0; i < nd && dyn[i].d_tag != DT_NULL; i++) {
		char name[64];
		unsigned int v;

		if (dyn[i].d_tag != DT_NEEDED || dyn[i].d_un.d_val >= strsz)
			continue;
		n = pread(fd, name, sizeof(name) - 1, stroff + (off_t)dyn[i].d_un.d_val);
		if (n <= 0)
			return -ENOEXEC;
		name[n] = 0;
		if (sscanf(name, "liblogos.so.%u", &v) == 1)
			major = v ? (int)v : -ENOEXEC;
	}
	return major;
}

/* liblogos is versioned by its SONAME: a module linked against another major cannot load. */
static int check_liblogos(int fd, char *why, size_t cap)
{
	int major = elf_liblogos_major(fd);

	if (major < 0) {
		snprintf(why, cap, "the executable's dynamic section is malformed");
		return -ENOEXEC;
	}
	if (major && major != LOGOS_LIB_VERSION_MAJOR) {
		snprintf(why, cap, "needs liblogos.so.%d, this logosd goes with liblogos.so.%d (rebuild the module against liblogos %d.x)",
			 major, LOGOS_LIB_VERSION_MAJOR, LOGOS_LIB_VERSION_MAJOR);
		return -EPROTO;
	}
	return 0;
}

/* A user name as useradd(8) accepts it: not a number, no sign, no NSS "+" entry. */
static bool valid_user_name(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_' ||
		      *s == '-' || *s == '.' || (*s >= '0' && *s <= '9') || (*s == '$' && !s[1])))
			return false;
	return true;
}

int user_resolve(const char *user, uint32_t *uid, uint32_t *gid, char *why, size_t cap)
{
	struct passwd *pw;

	/*
	 * Plain decimal only. strtoul() takes "-1" (which is (uid_t)-1, "leave
	 * unchanged" to setresuid(), so the module would stay root), "+0",
	 * "00" and "4294967296" (which wraps to 0): none of these may reach the
	 * policy as anything but what it is.
	 */
	if (*user >= '0' && *user <= '9') {
		uint64_t v = 0;

		for (const char *c = user; *c; c++) {
			if (*c < '0' || *c > '9' || (c == user + 1 && *user == '0') || c - user >= 10)
				goto bad;
			v = v * 10 + (uint64_t)(*c - '0');
		}
		if (v >= UINT32_MAX)	/* (uid_t)-1 means "no change" */
			goto bad;
		*uid = *gid = (uint32_t)v;
		return 0;
	}
	if (!valid_user_name(user))
		goto bad;
	pw = getpwnam(user);
	if (!pw) {
		snprintf(why, cap, "no user named %s ([Module] User)", user);
		return -ENOENT;
	}
	if (pw->pw_uid == (uid_t)-1 || pw->pw_gid == (gid_t)-1)
		goto bad;
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
bad:
	snprintf(why, cap, "\"%s\" is not a user name or a uid from 0 to 4294967294 ([Module] User)",
		 user);
	return -EINVAL;
}

/* Does one of @a and @b contain the other (whole path components)? */
static bool path_overlaps(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), n;

	while (la > 1 && a[la - 1] == '/')
		la--;
	while (lb > 1 && b[lb - 1] == '/')
		lb--;
	n = la < lb ? la : lb;
	if (n == 1)	/* "/" contains everything */
		return true;
	if (strncmp(a, b, n))
		return false;
	return la == lb || (la > n ? a[n] : b[n]) == '/';
}

/* Host places that hand out more than files: kernel interfaces, other processes'
 * sockets (a bind of /run or /tmp reaches host daemons' UNIX sockets), root's home. */
static const char *const host_private[] = {
	"/proc", "/sys", "/dev", "/run", "/var/run", "/root", "/tmp/.X11-unix", "/tmp/.ICE-unix",
};
/* Shared by everyone: not themselves, but a directory of their own in them is fine
 * (a build tree in /tmp). */
static const char *const host_shared[] = { "/tmp", "/var/tmp" };

/* Is @path @dir itself or one of its parents? */
static bool path_contains(const char *path, const char *dir)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	return n == 1 || (!strncmp(dir, path, n) && (dir[n] == '/' || !dir[n]));
}

/* A host path a module below core may not see: logosd's own files (keys, other
 * modules' state, the audit log), and the places above. */
static const char *exposed(const struct daemon_config *cfg, const char *path)
{
	static char hit[PATH_MAX];
	const char *own[] = { cfg->config_dir, cfg->state_dir, cfg->runtime_dir, cfg->audit_path,
			      cfg->audit_key };
	char real[PATH_MAX];

	/* the bind follows symlinks: judge where it leads */
	if (!realpath(path, real))
		str_copy(real, sizeof(real), path);
	for (size_t i = 0; i < ARRAY_SIZE(own); i++) {
		char o[PATH_MAX];

		if (!own[i])
			continue;
		if (!realpath(own[i], o))
			str_copy(o, sizeof(o), own[i]);
		if (path_overlaps(real, o) || path_overlaps(path, own[i])) {
			str_copy(hit, sizeof(hit), own[i]);
			return hit;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(host_private); i++)
		if (path_overlaps(real, host_private[i]) || path_overlaps(path, host_private[i]))
			return host_private[i];
	for (size_t i = 0; i < ARRAY_SIZE(host_shared); i++)
		if (path_contains(real, host_shared[i]) || path_contains(path, host_shared[i]))
			return host_shared[i];
	return NULL;
}

/* Environment variables that change which code the dynamic loader runs. */
static bool loader_variable(const char *kv)
{
	return !strncmp(kv, "LD_", 3) || !strncmp(kv, "GLIBC_TUNABLES=", 15) ||
	       !strncmp(kv, "MALLOC_", 7);
}

/* A limit the manifest asks for (or LIMIT_UNSET) against the level's ceiling. */
static bool above(uint64_t asked, uint64_t ceiling)
{
	return asked != LIMIT_UNSET && ceiling != LIMIT_NONE &&
	       (asked == LIMIT_NONE || asked > ceiling);
}

/* What the manifest asks for, against the policy of @trust. */
static int check_policy(const struct daemon_config *cfg, const struct manifest *m,
			uint32_t trust, char *why, size_t cap)
{
	const struct trust_policy *t = &cfg->trust[trust];
	const char *lvl = trust_name(trust), *hit;
	bool keeps_caps = m->raw_sockets || m->priority;
	/* a module that keeps a capability for the host has no user namespace (launch.c) */
	unsigned int wanted = NS_PID | NS_MOUNT | NS_IPC | NS_UTS | (m->network ? 0 : NS_NET) |
			      (keeps_caps ? 0 : NS_USER);
	char lim[32];

	if (m->network && !t->network)
		snprintf(why, cap, "trust level %s does not allow network access ([Network] Allow)", lvl);
	else if (m->raw_sockets && !t->raw_sockets)
		snprintf(why, cap, "trust level %s does not allow raw sockets ([Network] RawSockets)", lvl);
	else if (m->priority && !t->priority)
		snprintf(why, cap, "trust level %s does not allow priority scheduling ([Network] Priority)",
			 lvl);
	else if (strv_len(m->syscalls) && !t->extra_syscalls)
		snprintf(why, cap, "trust level %s does not allow extra system calls ([Sandbox] SystemCalls)",
			 lvl);
	else if (strv_len(m->rw_paths) && !t->rw_paths)
		snprintf(why, cap, "trust level %s does not allow writable host paths ([Sandbox] ReadWritePaths)",
			 lvl);
	else if (strv_len(m->ro_paths) && !t->ro_paths)
		snprintf(why, cap, "trust level %s does not allow host paths ([Sandbox] ReadOnlyPaths)",
			 lvl);
	else if (m->write_execute && !t->write_execute)
		snprintf(why, cap, "trust level %s does not allow writable and executable memory ([Sandbox] WriteExecute)",
			 lvl);
	else if ((m->namespaces & wanted) != wanted && !t->host_namespaces)
		snprintf(why, cap, "trust level %s requires the pid, mount, ipc, uts%s%s namespaces ([Sandbox] Namespaces)",
			 lvl, m->network ? "" : ", net", keeps_caps ? "" : " and user");
	else if (m->user && (m->uid == 0 || m->gid == 0) && trust != LOGOS_TRUST_CORE)
		snprintf(why, cap, "only trust level core may run as root ([Module] User)");
	else if (m->user && !t->other_users && !(*m->user >= '0' && *m->user <= '9'))
		snprintf(why, cap, "trust level %s may not name a host account (%s): only a uid of ModuleUsers %u-%u ([Module] User)",
			 lvl, m->user, cfg->uid_min, cfg->uid_max);
	else if (m->user && !t->other_users &&
		 (m->uid < cfg->uid_min || m->uid > cfg->uid_max || m->gid < cfg->uid_min ||
		  m->gid > cfg->uid_max))
		snprintf(why, cap, "trust level %s may run only as a uid and gid of ModuleUsers %u-%u, not %s (%u:%u) ([Module] User)",
			 lvl, cfg->uid_min, cfg->uid_max, m->user, m->uid, m->gid);
	else
		goto limits;
	return -EPERM;
limits:
	for (int l = 0; l < NR_LIMITS; l++) {
		if (above(manifest_limit(m, l), t->max[l])) {
			limit_format(l, t->max[l], lim, sizeof(lim));
			snprintf(why, cap, "trust level %s allows at most %s = %s ([Limits])", lvl,
				 limit_names[l], lim);
			return -EPERM;
		}
	}
	if (trust == LOGOS_TRUST_CORE)
		return 0;
	for (char **c = m->syscalls; c && *c; c++) {
		if (filter_checks_arguments(*c)) {
			snprintf(why, cap, "SystemCalls: %s is allowed only with argument checks, which naming it would lift: trust level core only ([Sandbox])",
				 *c);
			return -EPERM;
		}
	}
	for (char **e = m->env; e && *e; e++) {
		if (loader_variable(*e)) {
			snprintf(why, cap, "trust level %s may not set %.*s: it changes which code the loader runs, which the signature does not cover; only trust level core may ([Environment])",
				 lvl, (int)strcspn(*e, "="), *e);
			return -EPERM;
		}
	}
	for (int rw = 0; rw < 2; rw++) {
		for (char **v = rw ? m->rw_paths : m->ro_paths; v && *v; v++) {
			if ((hit = exposed(cfg, *v))) {
				snprintf(why, cap, "%s: %s overlaps %s, which only trust level core may see ([Sandbox])",
					 rw ? "ReadWritePaths" : "ReadOnlyPaths", *v, hit);
				return -EPERM;
			}
		}
	}
	return 0;
}

int verify_module_src(const struct daemon_config *cfg, const struct keyring *kr,
		      const struct logos_version *kver, const struct verify_src *src,
		      struct verified *out, char *why, size_t cap)
{
	char **errs = calloc(1, sizeof(char *)), exe[PATH_MAX];
	uint8_t mh[HASH_BYTES], bh[HASH_BYTES];
	const struct pubkey *signer = NULL;
	struct sig_info sig;
	struct sig_claim expect = { 0 };
	int ret, fd;

	memset(out, 0, sizeof(*out));
	out->exec_fd = -1;
	if (src->manifest_len > MANIFEST_MAX) {
		snprintf(why, cap, "the manifest %s is larger than %d KiB", src->path,
			 MANIFEST_MAX / 1024);
		ret = -EFBIG;
		goto out;
	}
	out->manifest = malloc(src->manifest_len + 1);
	out->sig = src->sig ? malloc(src->sig_len + 1) : NULL;
	if (!out->manifest || (src->sig && !out->sig)) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(out->manifest, src->manifest, src->manifest_len);
	out->manifest_len = src->manifest_len;
	if (src->sig) {
		memcpy(out->sig, src->sig, src->sig_len);
		out->sig_len = src->sig_len;
	}
	hash_buf(out->manifest, out->manifest_len, mh);
	ret = manifest_parse(src->path, out->manifest, out->manifest_len, &out->m, &errs);
	if (ret) {
		snprintf(why, cap, "bad manifest: %s", errs[0] ? errs[0] : "?");
		goto out;
	}
	/*
	 * An update names any manifest file: one signed for another module
	 * would run that module's binary with this one's uid and state.
	 */
	if (src->expect_name && strcmp(out->m->name, src->expect_name)) {
		snprintf(why, cap, "the manifest %s is module %s's, not %s's", src->path,
			 out->m->name, src->expect_name);
		ret = -EPERM;
		goto out;
	}
	if (out->sig) {
		ret = sig_parse(out->sig, out->sig_len, &sig, why, cap);
		if (ret)
			goto out;
	}
	fd = open_executable(cfg, src, out->m, out->sig ? &sig : NULL, &out->stored, exe,
			     sizeof(exe), why, cap);
	if (fd < 0) {
		ret = fd;
		goto out;
	}
	ret = copy_sealed(fd, exe, out->m->name, &out->exec_fd, why, cap);
	close(fd);
	if (ret)
		goto out;
	ret = hash_fd(out->exec_fd, bh);
	if (ret) {
		snprintf(why, cap, "cannot hash the executable: %s", strerror(-ret));
		goto out;
	}
	hex_encode(mh, HASH_BYTES, out->manifest_hash);
	hex_encode(bh, HASH_BYTES, out->binary_hash);

	if (!out->sig) {
		if (!cfg->dev_mode) {
			snprintf(why, cap, "not signed (no %s.sig) and DevMode is off", src->path);
			ret = -ENOKEY;
			goto out;
		}
		out->trust = LOGOS_TRUST_UNTRUSTED;
	} else {
		str_copy(expect.name, sizeof(expect.name), out->m->name);
		str_copy(expect.version, sizeof(expect.version), out->m->version);
		str_copy(expect.trust, sizeof(expect.trust), trust_name(out->m->trust));
		memcpy(expect.binary_hash, bh, HASH_BYTES);
		ret = sig_check(kr, &sig, out->manifest, out->manifest_len, &expect, time(NULL),
				&signer, why, cap);
		if (ret)
			goto out;
		if (out->m->trust > signer->max_trust) {
			snprintf(why, cap, "asks for trust level %s, but key %s may grant at most %s",
				 trust_name(out->m->trust), signer->id, trust_name(signer->max_trust));
			ret = -EPERM;
			goto out;
		}
		out->signed_ = true;
		out->trust = out->m->trust;
		str_copy(out->key_id, sizeof(out->key_id), signer->id);
	}
	if (out->m->abi_major != kver->major || out->m->abi_minor > kver->minor) {
		snprintf(why, cap, "needs kernel ABI %u.%u, logos.ko has %u.%u", out->m->abi_major,
			 out->m->abi_minor, kver->major, kver->minor);
		ret = -EPROTO;
		goto out;
	}
	ret = check_liblogos(out->exec_fd, why, cap);
	if (ret)
		goto out;
	if (out->m->user) {
		ret = user_resolve(out->m->user, &out->m->uid, &out->m->gid, why, cap);
		if (ret)
			goto out;
	}
	ret = check_policy(cfg, out->m, out->trust, why, cap);
	if (!ret) {
		const struct trust_policy *t = &cfg->trust[out->trust];

		for (int l = 0; l < NR_LIMITS; l++)
			if (manifest_limit(out->m, l) == LIMIT_UNSET)
				manifest_set_limit(out->m, l, t->def[l]);
	}
	if (!ret)
		snprintf(why, cap, "%s, trust %s, binary %.16s%s", out->signed_ ? "signed" :
			 "UNSIGNED (DevMode)", trust_name(out->trust), out->binary_hash,
			 out->stored ? " (from logosd's store)" : "");
out:
	strv_free(errs);
	if (ret)
		verified_free(out);
	return ret;
}

int verify_module(const struct daemon_config *cfg, const struct keyring *kr,
		  const struct logos_version *kver, const char *manifest_path,
		  struct verified *out, char *why, size_t cap)
{
	struct verify_src src = { .path = manifest_path, .exe_fd = -1 };
	char sigpath[PATH_MAX], *m = NULL, *sig = NULL;
	size_t mlen, slen;
	int ret;

	memset(out, 0, sizeof(*out));
	out->exec_fd = -1;
	ret = read_file(manifest_path, &m, &mlen, MANIFEST_MAX);
	if (ret) {
		snprintf(why, cap, "cannot read the manifest %s: %s", manifest_path, strerror(-ret));
		return ret;
	}
	snprintf(sigpath, sizeof(sigpath), "%s.sig", manifest_path);
	ret = read_file(sigpath, &sig, &slen, SIG_MAX);
	if (ret && ret != -ENOENT) {
		snprintf(why, cap, "cannot read the signature %s: %s", sigpath, strerror(-ret));
		free(m);
		return ret;
	}
	src.manifest = m;
	src.manifest_len = mlen;
	src.sig = sig;
	src.sig_len = sig ? slen : 0;
	ret = verify_module_src(cfg, kr, kver, &src, out, why, cap);
	free(m);
	free(sig);
	return ret;
}

void verified_free(struct verified *v)
{
	manifest_free(v->m);
	v->m = NULL;
	free(v->manifest);
	free(v->sig);
	v->manifest = v->sig = NULL;
	if (v->exec_fd >= 0)
		close(v->exec_fd);
	v->exec_fd = -1;
}
