/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mapped channels: shared-memory rings between exactly two endpoints, with
 * kernel doorbells and a kernel-written control page.
 */
#ifndef _LOGOS_MAPPED_H
#define _LOGOS_MAPPED_H

struct logos_call;

long logos_ioctl_mapped_create(struct logos_call *call);
long logos_ioctl_mapped_map(struct logos_call *call);
long logos_ioctl_mapped_notify(struct logos_call *call);
long logos_ioctl_mapped_wait(struct logos_call *call);

#endif /* _LOGOS_MAPPED_H */
