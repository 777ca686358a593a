// SPDX-License-Identifier: GPL-2.0
/*
 * Memory objects and their mappings. Each mapping is a node in the
 * object's derivation tree, a child of the handle it was made through, so
 * a revoke reaches mappings exactly as it reaches handles; the pages of a
 * revoked mapping are then zapped and the next access gets SIGBUS.
 *
 * Locking: mmap_lock (of the mapping's mm) nests outside map_lock. A
 * revoker never sleeps on a grantee's mmap_lock: see logos_memory_zap().
 */

#include "memory.h"
#include "handle.h"
#include "ioctl.h"
#include "module.h"
#include "quota.h"

#include <linux/delay.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pfn_t.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

struct logos_memory {
	struct logos_object obj;
	u32 nr_pages;
	struct page **pages;
	struct mutex map_lock;		/* guards mappings */
	struct list_head mappings;
	atomic64_t nr_mappings;
	struct work_struct zap_work;	/* zaps a revoker could not wait for */
};

/* Zaps left by revokers; drained at unload. */
static struct workqueue_struct *logos_zap_wq;

int __init logos_memory_init(void)
{
	logos_zap_wq = alloc_workqueue("logos_zap", WQ_UNBOUND, 0);
	return logos_zap_wq ? 0 : -ENOMEM;
}

void logos_memory_uninit(void)
{
	destroy_workqueue(logos_zap_wq);
}

struct logos_mapping {
	struct list_head node;
	struct logos_memory *mem;
	struct logos_cap *cap;		/* this mapping's node in the tree */
	struct vm_area_struct *vma;
	struct mm_struct *mm;		/* valid while the vma is */
	unsigned long base_pgoff;	/* vm_pgoff of the mmap: page 0 of the object */
	struct logos_module *module;	/* charged for the pages; a reference */
	u32 nr_pages;
	bool zapped;
};

static inline struct logos_memory *logos_memory_from_obj(struct logos_object *obj)
{
	return container_of(obj, struct logos_memory, obj);
}

u32 logos_memory_nr_pages(struct logos_object *obj)
{
	return logos_memory_from_obj(obj)->nr_pages;
}

static void logos_memory_free_pages(struct page **pages, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		/* NFR-005: nothing a module wrote survives the object. */
		clear_highpage(pages[i]);
		__free_page(pages[i]);
	}
	kvfree(pages);
}

static void logos_memory_free(struct logos_object *obj)
{
	struct logos_memory *mem = logos_memory_from_obj(obj);

	if (obj->owner)
		logos_uncharge(obj->owner, LOGOS_RES_MEMORY_PAGES, mem->nr_pages);
	logos_memory_free_pages(mem->pages, mem->nr_pages);
	kfree(mem);
}

/*
 * A revoked mapping stops counting at once, in the mapper's quota and in
 * the object's mappings, though its vma lives until munmap.
 */
static void logos_mapping_unaccount(struct logos_mapping *m)
{
	lockdep_assert_held(&m->mem->map_lock);
	m->zapped = true;
	atomic64_dec(&m->mem->nr_mappings);
	if (m->module)
		logos_uncharge(m->module, LOGOS_RES_MAPPED_PAGES, m->nr_pages);
}

/*
 * Takes @mm's mmap_lock for reading. A revoker (@wait false) tries for a
 * few milliseconds only: a hostile grantee can keep its own mmap_lock
 * taken (a writer queued behind a fault it stalls) for as long as it
 * likes, and must not park the revoker, often logosd, in D state.
 */
static bool logos_mmap_read_lock(struct mm_struct *mm, bool wait)
{
	int tries;

	if (wait) {
		mmap_read_lock(mm);
		return true;
	}
	for (tries = 0; tries < 20; tries++) {
		if (mmap_read_trylock(mm))
			return true;
		usleep_range(500, 1000);
	}
	return false;
}

/*
 * Unmaps every mapping whose node was revoked, one address space at a
 * time. Returns false when an address space's lock could not be had
 * without waiting (@wait false): the caller leaves the rest to the work
 * item. Until then that grantee's faults already SIGBUS (the node is
 * revoked); only pages it mapped before stay reachable, while it holds
 * its own lock.
 */
static bool logos_memory_zap(struct logos_memory *mem, bool wait)
{
	struct logos_mapping *m;
	struct mm_struct *mm;

	for (;;) {
		mm = NULL;
		mutex_lock(&mem->map_lock);
		list_for_each_entry(m, &mem->mappings, node) {
			if (!m->zapped && READ_ONCE(m->cap->revoked)) {
				if (mmget_not_zero(m->mm)) {
					mm = m->mm;
					break;
				}
				logos_mapping_unaccount(m);	/* exiting anyway */
			}
		}
		mutex_unlock(&mem->map_lock);
		if (!mm)
			return true;

		if (!logos_mmap_read_lock(mm, wait)) {
			mmput(mm);
			return false;
		}
		mutex_lock(&mem->map_lock);
		list_for_each_entry(m, &mem->mappings, node) {
			if (m->mm != mm || m->zapped || !READ_ONCE(m->cap->revoked))
				continue;
			zap_vma_ptes(m->vma, m->vma->vm_start, m->vma->vm_end - m->vma->vm_start);
			logos_mapping_unaccount(m);
		}
		mutex_unlock(&mem->map_lock);
		mmap_read_unlock(mm);
		mmput(mm);
	}
}

static void logos_memory_zap_work(struct work_struct *work)
{
	struct logos_memory *mem = container_of(work, struct logos_memory, zap_work);

	logos_memory_zap(mem, true);
	logos_object_put(&mem->obj);
}

/* Handles or mappings of @obj were revoked: unmap the mappings. */
static void logos_memory_revoked(struct logos_object *obj)
{
	struct logos_memory *mem = logos_memory_from_obj(obj);

	if (logos_memory_zap(mem, false))
		return;
	/* The work item holds the object; one already queued will see ours too. */
	logos_object_get(obj);
	if (!queue_work(logos_zap_wq, &mem->zap_work))
		logos_object_put(obj);
}

static const struct logos_object_ops logos_memory_ops = {
	.type = LOGOS_OBJ_MEMORY,
	.free = logos_memory_free,
	.revoked = logos_memory_revoked,
};

struct page *logos_memory_page(struct logos_object *obj, u32 index)
{
	return logos_memory_from_obj(obj)->pages[index];
}

/*
 * A memory object of @nr_pages zeroed pages charged to @owner (NULL: a
 * supervisor); the caller gets the only reference and makes a root cap.
 */
struct logos_object *logos_memory_new(struct logos_module *owner, u64 nr_pages)
{
	struct logos_memory *mem;
	u32 i;
	int ret;

	if (!nr_pages || nr_pages > LOGOS_MEM_MAX_PAGES)
		return ERR_PTR(-EINVAL);
	if (owner) {
		ret = logos_charge(owner, LOGOS_RES_MEMORY_PAGES, nr_pages);
		if (ret)
			return ERR_PTR(ret);
	}
	ret = -ENOMEM;
	mem = kzalloc(sizeof(*mem), GFP_KERNEL_ACCOUNT);
	if (!mem)
		goto err_charge;
	mem->pages = kvcalloc(nr_pages, sizeof(*mem->pages), GFP_KERNEL_ACCOUNT);
	if (!mem->pages)
		goto err_mem;
	for (i = 0; i < nr_pages; i++) {
		mem->pages[i] = alloc_page(GFP_HIGHUSER | __GFP_ZERO | __GFP_ACCOUNT);
		if (!mem->pages[i]) {
			logos_memory_free_pages(mem->pages, i);
			goto err_mem;
		}
	}
	mem->nr_pages = nr_pages;
	mutex_init(&mem->map_lock);
	INIT_LIST_HEAD(&mem->mappings);
	INIT_WORK(&mem->zap_work, logos_memory_zap_work);
	atomic64_set(&mem->nr_mappings, 0);
	ret = logos_object_init(&mem->obj, &logos_memory_ops, owner);
	if (ret) {
		logos_memory_free_pages(mem->pages, nr_pages);
		goto err_mem;
	}
	/* From here, the object's release returns the page charge. */
	return &mem->obj;

err_mem:
	kfree(mem);
err_charge:
	if (owner)
		logos_uncharge(owner, LOGOS_RES_MEMORY_PAGES, nr_pages);
	return ERR_PTR(ret);
}

long logos_ioctl_mem_create(struct logos_call *call)
{
	struct logos_mem_create *arg = call->arg;
	struct logos_object *obj;
	struct logos_cap *cap;
	u64 nr_pages;
	int ret;

	if (arg->flags)
		return -EINVAL;
	nr_pages = DIV_ROUND_UP_ULL(arg->size, PAGE_SIZE);
	obj = logos_memory_new(call->ctx->module, nr_pages);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	cap = logos_cap_new_root(obj, LOGOS_RIGHTS_ALL);
	if (!cap) {
		logos_object_put(obj);
		return -ENOMEM;
	}
	ret = logos_table_install(call->ctx->table, cap, &arg->handle);
	if (ret) {
		logos_cap_free(cap);
		return ret;
	}
	arg->size = nr_pages << PAGE_SHIFT;
	arg->mmap_offset = (u64)arg->handle << PAGE_SHIFT;
	return 0;
}

long logos_ioctl_mem_info(struct logos_call *call)
{
	struct logos_mem_info *arg = call->arg;
	struct logos_memory *mem;
	struct logos_object *obj;
	u32 handle = arg->handle;

	if (arg->flags)
		return -EINVAL;
	obj = logos_handle_get_any(call->ctx->table, handle, LOGOS_OBJ_MEMORY,
				   LOGOS_RIGHT_READ | LOGOS_RIGHT_MAP_READ | LOGOS_RIGHT_MAP_WRITE);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	mem = logos_memory_from_obj(obj);
	memset(arg, 0, sizeof(*arg));
	arg->handle = handle;
	arg->size = (u64)mem->nr_pages << PAGE_SHIFT;
	arg->mmap_offset = (u64)handle << PAGE_SHIFT;
	arg->mappings = atomic64_read(&mem->nr_mappings);
	logos_object_put(obj);
	return 0;
}

static void logos_mapping_attach(struct logos_mapping *m, struct vm_area_struct *vma)
{
	m->vma = vma;
	m->mm = vma->vm_mm;
	m->nr_pages = vma_pages(vma);
	vma->vm_private_data = m;
	mutex_lock(&m->mem->map_lock);
	list_add_tail(&m->node, &m->mem->mappings);
	mutex_unlock(&m->mem->map_lock);
	atomic64_inc(&m->mem->nr_mappings);
}

static void logos_mapping_release(struct logos_mapping *m)
{
	struct logos_memory *mem = m->mem;

	mutex_lock(&mem->map_lock);
	list_del(&m->node);
	if (!m->zapped)
		logos_mapping_unaccount(m);
	mutex_unlock(&mem->map_lock);
	if (m->module)
		logos_module_put(m->module);
	/* May free the object (and its pages) if this was the last user. */
	logos_cap_free(m->cap);
	kfree(m);
}

/* A split (never fork: VM_DONTCOPY): the new vma gets a node of its own. */
static void logos_vm_open(struct vm_area_struct *vma)
{
	struct logos_mapping *old = vma->vm_private_data, *m;
	bool split;

	vma->vm_private_data = NULL;
	if (!old)
		return;
	m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
	if (m && logos_cap_derive_mapping(old->cap, &m->cap)) {
		kfree(m);
		m = NULL;
	}
	if (!m) {
		/*
		 * No node, so no revoke could reach it: no pages either. For
		 * a split, zapping empties it; an mremap moves its PTEs in
		 * only after this, and logos_vm_mremap() refuses it then.
		 */
		zap_vma_ptes(vma, vma->vm_start, vma->vm_end - vma->vm_start);
		return;
	}
	m->base_pgoff = old->base_pgoff;
	m->mem = old->mem;
	m->module = old->module;
	if (m->module)
		logos_module_get(m->module);
	m->vma = vma;
	m->mm = vma->vm_mm;
	m->nr_pages = vma_pages(vma);
	vma->vm_private_data = m;
	/* A split's piece lies inside the old vma; an mremap move's does not. */
	split = vma->vm_start >= old->vma->vm_start && vma->vm_end <= old->vma->vm_end;
	/*
	 * A split maps nothing more: the piece's pages move from the old
	 * node's count (the old vma shrinks by as much right after). A move
	 * counts the new range (even past the quota: it cannot be refused
	 * here) until the old one is unmapped at the end of the mremap. A
	 * piece of a revoked, zapped mapping is born revoked and zapped, and
	 * counts nowhere.
	 */
	mutex_lock(&m->mem->map_lock);
	m->zapped = old->zapped;
	if (split)
		old->nr_pages -= min(old->nr_pages, m->nr_pages);
	else if (m->module && !m->zapped)
		atomic64_add(m->nr_pages,
			     &logos_module_quota(m->module)->usage[LOGOS_RES_MAPPED_PAGES]);
	list_add_tail(&m->node, &m->mem->mappings);
	if (!m->zapped)
		atomic64_inc(&m->mem->nr_mappings);
	mutex_unlock(&m->mem->map_lock);
}

static void logos_vm_close(struct vm_area_struct *vma)
{
	struct logos_mapping *m = vma->vm_private_data;

	if (m)
		logos_mapping_release(m);
}

/*
 * An mremap move: the PTEs are in the new vma now. One that got no node
 * in logos_vm_open() (out of memory) would be a mapping no revoke
 * reaches, holding no reference on the pages: refused, and the kernel
 * moves the PTEs back.
 */
static int logos_vm_mremap(struct vm_area_struct *vma)
{
	return vma->vm_private_data ? 0 : -ENOMEM;
}

static vm_fault_t logos_vm_fault(struct vm_fault *vmf)
{
	struct logos_mapping *m = vmf->vma->vm_private_data;
	unsigned long index;
	vm_fault_t ret;

	if (!m)
		return VM_FAULT_SIGBUS;
	/* vm_pgoff moves with a split; the object's page 0 does not. */
	index = vmf->pgoff - m->base_pgoff;
	if (index >= m->mem->nr_pages)
		return VM_FAULT_SIGBUS;
	/*
	 * Under map_lock, which the revoke's zap holds too: a fault that
	 * checked before the node was revoked has inserted its PFN before
	 * the zap runs, and one after sees it revoked.
	 */
	mutex_lock(&m->mem->map_lock);
	if (m->zapped || READ_ONCE(m->cap->revoked))
		ret = VM_FAULT_SIGBUS;
	else
		ret = vmf_insert_pfn(vmf->vma, vmf->address, page_to_pfn(m->mem->pages[index]));
	mutex_unlock(&m->mem->map_lock);
	return ret;
}

static const struct vm_operations_struct logos_vm_ops = {
	.open = logos_vm_open,
	.close = logos_vm_close,
	.mremap = logos_vm_mremap,
	.fault = logos_vm_fault,
};

/*
 * mmap(2) on a logos file: the offset names the handle, and the rights of
 * that handle decide the protections the mapping can ever have.
 */
int logos_memory_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct logos_ctx *ctx = file->private_data;
	u32 handle = vma->vm_pgoff, need = LOGOS_RIGHT_MAP_READ;
	unsigned long nr_pages = vma_pages(vma), i;
	struct logos_memory *mem;
	struct logos_object *obj;
	struct logos_mapping *m;
	u64 parent_id;
	int ret;

	/* VM_MAYSHARE: VM_SHARED is cleared for a file opened read-only. */
	if (vma->vm_pgoff > U32_MAX || !(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	/* Granted memory is data, never code. */
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	if (vma->vm_flags & VM_WRITE)
		need |= LOGOS_RIGHT_MAP_WRITE;
	obj = logos_handle_get(ctx->table, handle, LOGOS_OBJ_MEMORY, need);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	mem = logos_memory_from_obj(obj);
	ret = -EINVAL;
	if (nr_pages > mem->nr_pages)
		goto out;

	ret = -ENOMEM;
	m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
	if (!m)
		goto out;
	m->mem = mem;
	if (ctx->module) {
		ret = logos_charge(ctx->module, LOGOS_RES_MAPPED_PAGES, nr_pages);
		if (ret)
			goto err_m;
		m->module = ctx->module;
		logos_module_get(m->module);
	}
	ret = logos_handle_derive(ctx->table, handle, need, need, true, &m->cap, &parent_id);
	if (ret)
		goto err_charge;

	/* Mapped without PROT_WRITE, mprotect() can never make it writable. */
	if (!(need & LOGOS_RIGHT_MAP_WRITE))
		vma->vm_flags &= ~VM_MAYWRITE;
	/*
	 * PFN mappings: pages nobody can pin (vmsplice, O_DIRECT) past a
	 * revoke; not inherited by fork, whose copies no revoke would reach.
	 */
	vma->vm_flags &= ~VM_MAYEXEC;
	vma->vm_flags |= VM_PFNMAP | VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP | VM_IO;
	vma->vm_ops = &logos_vm_ops;
	m->base_pgoff = vma->vm_pgoff;
	logos_mapping_attach(m, vma);

	/* Revoked between the derive and the attach: the revoke missed us. */
	if (READ_ONCE(m->cap->revoked)) {
		vma->vm_private_data = NULL;
		logos_mapping_release(m);
		ret = -EKEYREVOKED;
		goto out;
	}
	/* One pass now instead of a fault per page later. */
	for (i = 0; i < nr_pages; i++) {
		vm_fault_t vmf = vmf_insert_pfn(vma, vma->vm_start + i * PAGE_SIZE,
					       page_to_pfn(mem->pages[i]));

		if (vmf != VM_FAULT_NOPAGE)
			break;	/* faults map what is missing */
	}
	ret = 0;
	goto out;

err_charge:
	if (m->module) {
		logos_uncharge(m->module, LOGOS_RES_MAPPED_PAGES, vma_pages(vma));
		logos_module_put(m->module);
	}
err_m:
	kfree(m);
out:
	logos_object_put(obj);
	return ret;
}
