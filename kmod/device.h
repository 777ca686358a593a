/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LOGOS_DEVICE_H
#define _LOGOS_DEVICE_H

#include <uapi/linux/logos.h>

int logos_device_init(void);
void logos_device_uninit(void);
void logos_fill_version(struct logos_version *ver);

#endif /* _LOGOS_DEVICE_H */
