// SPDX-License-Identifier: GPL-2.0
#include "verify.h"
#include "util.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <logos/core.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#define MANIFEST_MAX (256 * 1024)
#define BINARY_MAX (256ULL << 20)

/* A sealed memfd copy of @path: what is hashed is what is executed. */
static int copy_sealed(const char *path, const char *name, int *out, char *why, size_t cap)
{
	char magic[4];
	struct stat st;
	int src, mfd, ret = 0;
	off_t off = 0;

	src = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (src < 0) {
		ret = -errno;
		snprintf(why, cap, "cannot open the executable %s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(src, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > BINARY_MAX) {
		snprintf(why, cap, "the executable %s is not a regular file of at most 256 MiB", path);
		close(src);
		return -ENOEXEC;
	}
	if (pread(src, magic, 4, 0) != 4 || memcmp(magic, "\x7f" "ELF", 4)) {
		snprintf(why, cap, "the executable %s is not an ELF binary (scripts cannot be verified and then run)",
			 path);
		close(src);
		return -ENOEXEC;
	}
	/* the module's process name becomes "memfd:NAME" */
	mfd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0) {
		ret = -errno;
		close(src);
		return ret;
	}
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
	close(src);
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

/* What the manifest asks for, against the policy of @trust. */
static int check_policy(const struct daemon_config *cfg, const struct manifest *m,
			uint32_t trust, char *why, size_t cap)
{
	const struct trust_policy *t = &cfg->trust[trust];
	const char *lvl = trust_name(trust);
	unsigned int wanted = NS_PID | NS_MOUNT | NS_IPC | NS_UTS | (m->network ? 0 : NS_NET);

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
	else if ((m->namespaces & wanted) != wanted && !t->host_namespaces)
		snprintf(why, cap, "trust level %s requires the pid, mount, ipc, uts%s namespaces ([Sandbox] Namespaces)",
			 lvl, m->network ? "" : " and net");
	else if (m->user && (!strcmp(m->user, "0") || !strcmp(m->user, "root")) &&
		 trust != LOGOS_TRUST_CORE)
		snprintf(why, cap, "only trust level core may run as root ([Module] User)");
	else
		return 0;
	return -EPERM;
}

int verify_module(const struct daemon_config *cfg, const struct keyring *kr,
		  const struct logos_version *kver, const char *manifest_path,
		  struct verified *out, char *why, size_t cap)
{
	char sigpath[PATH_MAX], **errs = calloc(1, sizeof(char *)), *data = NULL;
	uint8_t mh[HASH_BYTES], bh[HASH_BYTES];
	const struct pubkey *signer = NULL;
	struct sig_info sig;
	size_t len;
	int ret;

	memset(out, 0, sizeof(*out));
	out->exec_fd = -1;
	ret = read_file(manifest_path, &data, &len, MANIFEST_MAX);
	if (ret) {
		snprintf(why, cap, "cannot read the manifest %s: %s", manifest_path, strerror(-ret));
		goto out;
	}
	hash_buf(data, len, mh);
	ret = manifest_parse(manifest_path, data, len, &out->m, &errs);
	if (ret) {
		snprintf(why, cap, "bad manifest: %s", errs[0] ? errs[0] : "?");
		goto out;
	}
	ret = copy_sealed(out->m->executable, out->m->name, &out->exec_fd, why, cap);
	if (ret)
		goto out;
	ret = hash_fd(out->exec_fd, bh);
	if (ret) {
		snprintf(why, cap, "cannot hash the executable: %s", strerror(-ret));
		goto out;
	}
	hex_encode(mh, HASH_BYTES, out->manifest_hash);
	hex_encode(bh, HASH_BYTES, out->binary_hash);

	snprintf(sigpath, sizeof(sigpath), "%s.sig", manifest_path);
	if (access(sigpath, F_OK) < 0 && errno == ENOENT) {
		if (!cfg->dev_mode) {
			snprintf(why, cap, "not signed (no %s) and DevMode is off", sigpath);
			ret = -ENOKEY;
			goto out;
		}
		out->trust = LOGOS_TRUST_UNTRUSTED;
	} else {
		ret = sig_load(sigpath, &sig, &errs);
		if (ret) {
			snprintf(why, cap, "unreadable signature: %s", errs[0] ? errs[0] : sigpath);
			ret = -EKEYREJECTED;
			goto out;
		}
		ret = sig_check(kr, &sig, mh, bh, &signer, why, cap);
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
	ret = check_policy(cfg, out->m, out->trust, why, cap);
	if (!ret)
		snprintf(why, cap, "%s, trust %s, binary %.16s", out->signed_ ? "signed" :
			 "UNSIGNED (DevMode)", trust_name(out->trust), out->binary_hash);
out:
	free(data);
	strv_free(errs);
	if (ret)
		verified_free(out);
	return ret;
}

void verified_free(struct verified *v)
{
	manifest_free(v->m);
	v->m = NULL;
	if (v->exec_fd >= 0)
		close(v->exec_fd);
	v->exec_fd = -1;
}
