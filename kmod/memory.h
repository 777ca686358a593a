/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory objects: pages that modules map and grant to each other without
 * copying, revocably.
 */
#ifndef _LOGOS_MEMORY_H
#define _LOGOS_MEMORY_H

#include <linux/types.h>

struct file;
struct logos_call;
struct logos_module;
struct page;
struct vm_area_struct;

struct logos_object;

int logos_memory_init(void);
void logos_memory_uninit(void);
int logos_memory_mmap(struct file *file, struct vm_area_struct *vma);
u32 logos_memory_nr_pages(struct logos_object *obj);
struct logos_object *logos_memory_new(struct logos_module *owner, u64 nr_pages);
struct page *logos_memory_page(struct logos_object *obj, u32 index);

long logos_ioctl_mem_create(struct logos_call *call);
long logos_ioctl_mem_info(struct logos_call *call);

#endif /* _LOGOS_MEMORY_H */
