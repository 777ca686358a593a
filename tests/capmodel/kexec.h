/* SPDX-License-Identifier: GPL-2.0 */
/* Applies capmodel operations to the real logos.ko (kexec.c). */
#ifndef CAPMODEL_KEXEC_H
#define CAPMODEL_KEXEC_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct kx {
	int fd[CM_NCTX];			/* [0]: /dev/logos, else a module file */
	uint32_t modh[CM_NCTX];			/* the supervisor's module handles */
	uint32_t inbox[CM_NCTX];		/* each context's receiving endpoint */
	uint32_t sendh[CM_NCTX][CM_NCTX];	/* [c][d]: c's endpoint into d's inbox */
	uint32_t val[CM_MAX_NAMES];		/* name -> handle value in its table */
	uint64_t capid[CM_MAX_NAMES];		/* name -> cap_id, 0 if unknown */
	void *addr[CM_MAX_OPS];			/* mapping -> address, NULL if none */
	size_t len[CM_MAX_OPS];
	int mctx[CM_MAX_OPS];			/* mapping -> the context that made it */
};

/* A fresh supervisor file and CM_NMOD fresh modules; 0 or -errno. */
int kx_setup(struct kx *k);
void kx_teardown(struct kx *k);
/* @ctx is the context the model says @op runs in. */
void kx_apply(struct kx *k, int idx, int ctx, const struct cm_op *op, struct cm_res *res);
/* Installs the SIGBUS/SIGSEGV handlers TOUCH needs. */
void kx_init_signals(void);

#endif
