/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LOGOS_NETLINK_H
#define _LOGOS_NETLINK_H

int logos_genetlink_init(void);
void logos_genetlink_uninit(void);

#endif /* _LOGOS_NETLINK_H */
