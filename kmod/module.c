// SPDX-License-Identifier: GPL-2.0
/*
 * Modules and their lifecycle. A module is an object (supervisors hold
 * handles to it) and owns a context: the handle table its process works
 * through, reached by the module file. The module object outlives the
 * file, so a supervisor can still see how the module ended.
 */

#include "module.h"
#include "call.h"
#include "grant.h"
#include "ioctl.h"
#include "memory.h"
#include "netlink.h"

#include <linux/anon_inodes.h>
#include <linux/ctype.h>
#include <linux/file.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/cputime.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/xarray.h>

/* Every module by id, for netlink; entries leave when the object dies. */
static DEFINE_XARRAY_FLAGS(logos_modules, XA_FLAGS_ALLOC1);
static u32 logos_next_module_id;

#define BY_SUPERVISOR	BIT(0)
#define BY_MODULE	BIT(1)

/* The transition table of uapi/linux/logos.h; anything else is -EINVAL. */
static const u8 logos_transitions[__LOGOS_STATE_MAX][__LOGOS_STATE_MAX] = {
	[LOGOS_STATE_LOADED] = {
		[LOGOS_STATE_INITIALIZING] = BY_SUPERVISOR,
		[LOGOS_STATE_TERMINATING] = BY_SUPERVISOR,
	},
	[LOGOS_STATE_INITIALIZING] = {
		[LOGOS_STATE_RUNNING] = BY_SUPERVISOR | BY_MODULE,
		[LOGOS_STATE_TERMINATING] = BY_SUPERVISOR,
	},
	[LOGOS_STATE_RUNNING] = {
		[LOGOS_STATE_PAUSED] = BY_SUPERVISOR,
		[LOGOS_STATE_TERMINATING] = BY_SUPERVISOR,
	},
	[LOGOS_STATE_PAUSED] = {
		[LOGOS_STATE_RUNNING] = BY_SUPERVISOR,
		[LOGOS_STATE_TERMINATING] = BY_SUPERVISOR,
	},
};

static void logos_module_free_rcu(struct rcu_head *rcu)
{
	kfree(container_of(rcu, struct logos_module, rcu));
}

static void logos_module_free(struct logos_object *obj)
{
	struct logos_module *m = logos_module_from_obj(obj);

	xa_erase(&logos_modules, m->id);
	logos_grants_release(m);
	put_pid(m->pid);
	logos_global_uncharge(LOGOS_GLOBAL_MODULES);
	/* netlink finds modules under RCU. */
	call_rcu(&m->rcu, logos_module_free_rcu);
}

static const struct logos_object_ops logos_module_ops = {
	.type = LOGOS_OBJ_MODULE,
	.free = logos_module_free,
};

struct logos_module *logos_module_find(u32 id)
{
	struct logos_module *m;

	rcu_read_lock();
	m = xa_load(&logos_modules, id);
	if (m && !kref_get_unless_zero(&m->obj.ref))
		m = NULL;
	rcu_read_unlock();
	return m;
}

/* The module at *@index or after it, with a reference; for dumps. */
struct logos_module *logos_module_next(unsigned long *index)
{
	struct logos_module *m;

	rcu_read_lock();
	for (;;) {
		m = xa_find(&logos_modules, index, ULONG_MAX, XA_PRESENT);
		if (!m || kref_get_unless_zero(&m->obj.ref))
			break;
		(*index)++;
	}
	rcu_read_unlock();
	return m;
}

static int logos_module_transition(struct logos_module *m, u32 state, u8 who)
{
	u32 old;

	if (state >= __LOGOS_STATE_MAX)
		return -EINVAL;
	spin_lock(&m->state_lock);
	old = m->state;
	if (!(logos_transitions[old][state] & who)) {
		spin_unlock(&m->state_lock);
		return -EINVAL;
	}
	m->state = state;
	spin_unlock(&m->state_lock);

	logos_object_signal(&m->obj, 0, LOGOS_SIGNAL_STATE_CHANGED);
	logos_nl_event_state(m, old, state);
	return 0;
}

/*
 * The module file is gone (exit, crash or close): release everything the
 * module holds, then tell the world how it ended.
 */
static int logos_module_file_release(struct inode *inode, struct file *file)
{
	struct logos_ctx *ctx = file->private_data;
	struct logos_module *m = ctx->module;
	u32 old;

	logos_watch_set_release(&ctx->watches);
	/* Before the table: a taken call is orphaned, not merely -EPIPE. */
	logos_ctx_calls_orphan(ctx);
	logos_table_release(&m->table);

	spin_lock(&m->state_lock);
	old = m->state;
	m->state = LOGOS_STATE_TERMINATED;
	if (old != LOGOS_STATE_TERMINATING)
		m->exit_flags |= LOGOS_EXIT_CRASHED;
	spin_unlock(&m->state_lock);

	logos_object_signal(&m->obj, 0, LOGOS_SIGNAL_STATE_CHANGED | LOGOS_SIGNAL_TERMINATED);
	logos_nl_event_state(m, old, LOGOS_STATE_TERMINATED);
	logos_module_put(m);
	return 0;
}

static const struct file_operations logos_module_fops = {
	.owner = THIS_MODULE,
	.release = logos_module_file_release,
	.unlocked_ioctl = logos_ioctl,
	.poll = logos_watch_poll,
	.mmap = logos_memory_mmap,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/* The first process to use the module file is the module's process. */
void logos_module_bind(struct logos_module *m)
{
	struct pid *pid = get_pid(task_tgid(current));

	if (cmpxchg(&m->pid, NULL, pid))
		put_pid(pid);
}

static u64 logos_module_cpu_time(struct logos_module *m)
{
	struct task_struct *task, *t;
	u64 utime, stime, sum = 0;

	rcu_read_lock();
	task = pid_task(READ_ONCE(m->pid), PIDTYPE_TGID);
	if (task) {
		for_each_thread(task, t) {
			task_cputime_adjusted(t, &utime, &stime);
			sum += utime + stime;
		}
	}
	rcu_read_unlock();
	return sum;
}

void logos_module_fill_info(struct logos_module *m, struct logos_module_info *info,
			    bool init_ns)
{
	struct pid *pid = READ_ONCE(m->pid);
	int i;

	info->module_id = m->id;
	info->trust_level = m->trust_level;
	spin_lock(&m->state_lock);
	info->state = m->state;
	info->exit_flags = m->exit_flags;
	spin_unlock(&m->state_lock);
	info->pid = pid ? (init_ns ? pid_nr(pid) : pid_vnr(pid)) : 0;
	memcpy(info->name, m->name, sizeof(info->name));
	for (i = 0; i < LOGOS_RES_COUNT; i++) {
		info->usage[i] = atomic64_read(&m->quota.usage[i]);
		info->limit[i] = READ_ONCE(m->quota.limit[i]);
	}
	info->cpu_time_ns = logos_module_cpu_time(m);
	info->denied_rights = atomic64_read(&m->quota.denied_rights);
	info->denied_quota = atomic64_read(&m->quota.denied_quota);
	info->msgs_sent = atomic64_read(&m->quota.msgs_sent);
	info->bytes_sent = atomic64_read(&m->quota.bytes_sent);
	info->msgs_received = atomic64_read(&m->quota.msgs_received);
	info->bytes_received = atomic64_read(&m->quota.bytes_received);
}

static int logos_check_name(const char *name)
{
	size_t len = strnlen(name, LOGOS_NAME_MAX), i;

	if (!len || len == LOGOS_NAME_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (!isalnum(name[i]) && name[i] != '.' && name[i] != '_' && name[i] != '-')
			return -EINVAL;
	}
	return 0;
}

static struct logos_module *logos_module_alloc(const struct logos_module_create *arg)
{
	struct logos_module *m;
	int ret;

	ret = logos_global_charge(LOGOS_GLOBAL_MODULES);
	if (ret)
		return ERR_PTR(ret);
	m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
	if (!m) {
		ret = -ENOMEM;
		goto err_charge;
	}
	ret = logos_quota_init(&m->quota, arg->limits);
	if (ret)
		goto err_free;
	memcpy(m->name, arg->name, sizeof(m->name));
	m->trust_level = arg->trust_level;
	m->state = LOGOS_STATE_LOADED;
	spin_lock_init(&m->state_lock);
	logos_table_init(&m->table, m);
	m->ctx.table = &m->table;
	m->ctx.module = m;
	logos_watch_set_init(&m->ctx.watches);
	logos_ctx_calls_init(&m->ctx);
	spin_lock_init(&m->grants_lock);
	INIT_LIST_HEAD(&m->grants);

	ret = logos_object_init(&m->obj, &logos_module_ops, NULL);
	if (ret)
		goto err_free;
	/* From here on the object's release undoes everything. */
	ret = xa_alloc_cyclic(&logos_modules, &m->id, m, XA_LIMIT(1, INT_MAX),
			      &logos_next_module_id, GFP_KERNEL);
	if (ret < 0) {
		logos_module_put(m);
		return ERR_PTR(ret);
	}
	return m;

err_free:
	kfree(m);
err_charge:
	logos_global_uncharge(LOGOS_GLOBAL_MODULES);
	return ERR_PTR(ret);
}

long logos_ioctl_module_create(struct logos_call *call)
{
	struct logos_module_create *arg = call->arg;
	struct logos_ctx *ctx = call->ctx;
	struct logos_module *m;
	struct logos_cap *cap;
	struct file *file;
	int fd, ret;

	if (ctx->module)
		return -EPERM;
	if ((arg->flags & ~LOGOS_MODULE_ALLOW_MAPPED) || arg->reserved)
		return -EINVAL;
	if (arg->trust_level >= __LOGOS_TRUST_MAX || logos_check_name(arg->name))
		return -EINVAL;

	m = logos_module_alloc(arg);
	if (IS_ERR(m))
		return PTR_ERR(m);
	m->flags = arg->flags;

	/* The supervisor's handle takes over the allocation's reference. */
	cap = logos_cap_new_root(&m->obj, LOGOS_RIGHTS_ALL);
	if (!cap) {
		logos_module_put(m);
		return -ENOMEM;
	}
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_cap;
	}
	/* The file's reference: it keeps @m alive from here on. */
	logos_module_get(m);
	file = anon_inode_getfile("[logos-module]", &logos_module_fops, &m->ctx, O_RDWR);
	if (IS_ERR(file)) {
		logos_module_put(m);
		ret = PTR_ERR(file);
		goto err_fd;
	}
	/*
	 * The handle last: from then on another thread may close it, and
	 * only the file's reference keeps @m (never the cap, untouched).
	 */
	ret = logos_table_install(ctx->table, cap, &arg->handle);
	if (ret)
		goto err_file;
	arg->fd = fd;
	arg->module_id = m->id;
	call->install_file = file;
	call->install_fd = fd;
	logos_nl_event_state(m, LOGOS_STATE_LOADED, LOGOS_STATE_LOADED);
	return 0;

err_file:
	fput(file);
err_fd:
	put_unused_fd(fd);
err_cap:
	logos_cap_free(cap);
	return ret;
}

long logos_ioctl_module_set_state(struct logos_call *call)
{
	struct logos_module_set_state *arg = call->arg;
	struct logos_object *obj;
	int ret;

	if (arg->flags || arg->reserved || arg->state >= __LOGOS_STATE_MAX)
		return -EINVAL;
	obj = logos_handle_get(call->ctx->table, arg->handle, LOGOS_OBJ_MODULE,
			       LOGOS_RIGHT_CONTROL);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	ret = logos_module_transition(logos_module_from_obj(obj), arg->state, BY_SUPERVISOR);
	logos_object_put(obj);
	return ret;
}

long logos_ioctl_module_ready(struct logos_call *call)
{
	struct logos_module *m = call->ctx->module;

	if (!m)
		return -EPERM;
	return logos_module_transition(m, LOGOS_STATE_RUNNING, BY_MODULE);
}

int logos_module_set_quota(struct logos_module *m, u32 resource, u64 limit)
{
	return logos_quota_set(m, resource, limit);
}

long logos_ioctl_module_set_quota(struct logos_call *call)
{
	struct logos_module_set_quota *arg = call->arg;
	struct logos_object *obj;
	int ret;

	if (arg->resource >= __LOGOS_RES_MAX)
		return -EINVAL;
	obj = logos_handle_get(call->ctx->table, arg->handle, LOGOS_OBJ_MODULE,
			       LOGOS_RIGHT_CONTROL);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	ret = logos_module_set_quota(logos_module_from_obj(obj), arg->resource, arg->limit);
	logos_object_put(obj);
	return ret;
}

long logos_ioctl_module_info(struct logos_call *call)
{
	struct logos_module_info *arg = call->arg;
	struct logos_ctx *ctx = call->ctx;
	struct logos_object *obj;
	u32 handle = arg->handle;

	if (arg->flags || arg->reserved0 || memchr_inv(arg->reserved, 0, sizeof(arg->reserved)))
		return -EINVAL;
	if (handle == LOGOS_HANDLE_SELF) {
		if (!ctx->module)
			return -EBADF;
		obj = logos_object_get(&ctx->module->obj);
	} else {
		obj = logos_handle_get(ctx->table, handle, LOGOS_OBJ_MODULE, LOGOS_RIGHT_READ);
		if (IS_ERR(obj))
			return PTR_ERR(obj);
	}
	memset(arg, 0, sizeof(*arg));
	arg->handle = handle;
	logos_module_fill_info(logos_module_from_obj(obj), arg, false);
	logos_object_put(obj);
	return 0;
}

long logos_ioctl_handle_give(struct logos_call *call)
{
	struct logos_handle_give *arg = call->arg;
	struct logos_ctx *ctx = call->ctx;
	struct logos_object *obj;
	int ret;

	if ((arg->flags & ~LOGOS_GIVE_MOVE) || arg->reserved)
		return -EINVAL;
	obj = logos_handle_get(ctx->table, arg->module, LOGOS_OBJ_MODULE, LOGOS_RIGHT_CONTROL);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	ret = logos_handle_give(ctx->table, arg->handle, arg->rights,
				&logos_module_from_obj(obj)->table,
				arg->flags & LOGOS_GIVE_MOVE, &arg->new_handle);
	logos_object_put(obj);
	return ret;
}

/* Calls @fn for each live grant record, resuming at index *pos. */
int logos_module_visit_grants(struct logos_module *m, u32 *pos, logos_grant_visit_t fn,
			      void *arg)
{
	struct logos_grant *g;
	u32 i = 0;
	int ret = 0;

	spin_lock(&m->grants_lock);
	list_for_each_entry(g, &m->grants, node) {
		u32 handles = atomic_read(&g->handles);

		if (i++ < *pos || !handles)
			continue;
		ret = fn(arg, g->from, handles, atomic64_read(&g->pages));
		if (ret)
			break;
		*pos = i;
	}
	spin_unlock(&m->grants_lock);
	return ret;
}

int __init logos_module_init(void)
{
	return 0;
}

void logos_module_uninit(void)
{
	/* Module objects are freed after an RCU grace period. */
	rcu_barrier();
	WARN_ON(!xa_empty(&logos_modules));
}
