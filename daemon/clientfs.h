/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LOGOSD_CLIENTFS_H
#define LOGOSD_CLIENTFS_H

#include <stddef.h>
#include <sys/types.h>

struct update_src {
	char *path;       /* the manifest path the client gave, for messages and audit */
	int manifest_fd;  /* opened with the client's credentials */
	int sig_fd;
	int exe_fd;
};
void update_src_close(struct update_src *s);   /* closes the fds, frees path */
int clientfs_open_update(const char *path, uid_t uid, gid_t gid, const gid_t *groups,
			 size_t ngroups, struct update_src *out, char *why, size_t cap);

#endif
