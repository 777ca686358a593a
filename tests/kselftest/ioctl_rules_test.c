// SPDX-License-Identifier: GPL-2.0
/*
 * The rules of the uapi header that every logos ioctl follows, checked on
 * each of them with an otherwise valid argument, so the rule under test is
 * the only thing wrong:
 *   - a structure shorter than its first published size: -EINVAL
 *   - a bad user pointer: -EFAULT
 *   - a longer structure: accepted with a zero tail, -E2BIG otherwise
 *   - an unknown bit in "flags": -EINVAL
 *   - a nonzero "reserved" or padding field: -EINVAL
 * Every refused call must change nothing: the same argument with the rule
 * respected succeeds afterwards (a close still finds its handle, a state
 * change still starts from LOADED, ...).
 */
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include "helpers.h"
#include "kselftest_harness.h"

/* What a valid argument of any ioctl needs. */
struct ctx {
	int dev;
	__u32 ev;			/* event, all its rights */
	struct logos_test_module m;	/* LOADED module */
	struct logos_wait_item item;	/* on ev, which has signal 1 set */
};

static int ctx_init(struct ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->m.fd = -1;
	c->dev = logos_open_dev();
	if (c->dev < 0)
		return -errno;
	if (logos_event_new(c->dev, &c->ev) ||
	    logos_signal(c->dev, c->ev, 0, 1) ||
	    logos_module_new(c->dev, "rules", LOGOS_TRUST_USER, NULL, &c->m))
		return -EIO;
	return 0;
}

static void ctx_fini(struct ctx *c)
{
	logos_module_release(&c->m);
	close(c->dev);
}

/* Fills @arg (of @cmd) so that the call succeeds. Returns its size. */
static size_t prepare(struct ctx *c, unsigned long cmd, void *arg)
{
	memset(arg, 0, _IOC_SIZE(cmd));
	switch (cmd) {
	case LOGOS_IOC_HANDLE_DUPLICATE: {
		struct logos_handle_dup *a = arg;

		a->handle = c->ev;
		a->rights = LOGOS_RIGHTS_SAME;
		break;
	}
	case LOGOS_IOC_HANDLE_REPLACE: {
		struct logos_handle_replace *a = arg;

		a->handle = c->ev;
		a->rights = LOGOS_EVENT_RIGHTS;
		break;
	}
	case LOGOS_IOC_HANDLE_CLOSE: {
		struct logos_handle_close *a = arg;

		if (logos_dup(c->dev, c->ev, LOGOS_RIGHTS_SAME, &a->handle))
			a->handle = LOGOS_HANDLE_INVALID;
		break;
	}
	case LOGOS_IOC_HANDLE_INFO:
		((struct logos_handle_info *)arg)->handle = c->ev;
		break;
	case LOGOS_IOC_HANDLE_REVOKE:
		((struct logos_handle_revoke *)arg)->handle = c->ev;
		break;
	case LOGOS_IOC_HANDLE_GIVE: {
		struct logos_handle_give *a = arg;

		a->module = c->m.handle;
		a->handle = c->ev;
		a->rights = LOGOS_RIGHTS_SAME;
		break;
	}
	case LOGOS_IOC_MODULE_CREATE: {
		struct logos_module_create *a = arg;

		strcpy(a->name, "rules-new");
		a->trust_level = LOGOS_TRUST_USER;
		break;
	}
	case LOGOS_IOC_MODULE_SET_STATE: {
		struct logos_module_set_state *a = arg;

		a->handle = c->m.handle;
		a->state = LOGOS_STATE_INITIALIZING;
		break;
	}
	case LOGOS_IOC_MODULE_SET_QUOTA: {
		struct logos_module_set_quota *a = arg;

		a->handle = c->m.handle;
		a->resource = LOGOS_RES_EVENTS;
		a->limit = 100;
		break;
	}
	case LOGOS_IOC_MODULE_INFO:
		((struct logos_module_info *)arg)->handle = c->m.handle;
		break;
	case LOGOS_IOC_EVENT_CREATE:
		break;
	case LOGOS_IOC_EVENT_SIGNAL: {
		struct logos_event_signal *a = arg;

		a->handle = c->ev;
		a->set = 1;
		break;
	}
	case LOGOS_IOC_WAIT: {
		struct logos_wait *a = arg;

		c->item.handle = c->ev;
		c->item.signals = 1;
		c->item.observed = 0;
		c->item.reserved = 0;
		a->items = (__u64)(unsigned long)&c->item;
		a->count = 1;
		a->timeout_ns = 0;
		break;
	}
	}
	return _IOC_SIZE(cmd);
}

/* Cleans up after a successful call (a created module's file). */
static void after_success(unsigned long cmd, void *arg)
{
	if (cmd == LOGOS_IOC_MODULE_CREATE)
		close(((struct logos_module_create *)arg)->fd);
}

/* ---- sizes, pointers and tails: every ioctl with an argument ------------ */

FIXTURE(abi) {
	struct ctx c;
	unsigned char arg[512];
};

FIXTURE_VARIANT(abi) {
	unsigned long cmd;
	size_t size_0_1;	/* first published size (ABI 0.1): smaller is -EINVAL */
};

/* Literal sizes on purpose: they must not follow the header if it grows. */
FIXTURE_VARIANT_ADD(abi, handle_duplicate) { LOGOS_IOC_HANDLE_DUPLICATE, 16 };
FIXTURE_VARIANT_ADD(abi, handle_replace) { LOGOS_IOC_HANDLE_REPLACE, 16 };
FIXTURE_VARIANT_ADD(abi, handle_close) { LOGOS_IOC_HANDLE_CLOSE, 8 };
FIXTURE_VARIANT_ADD(abi, handle_info) { LOGOS_IOC_HANDLE_INFO, 48 };
FIXTURE_VARIANT_ADD(abi, handle_revoke) { LOGOS_IOC_HANDLE_REVOKE, 16 };
FIXTURE_VARIANT_ADD(abi, handle_give) { LOGOS_IOC_HANDLE_GIVE, 24 };
FIXTURE_VARIANT_ADD(abi, module_create) { LOGOS_IOC_MODULE_CREATE, 120 };
FIXTURE_VARIANT_ADD(abi, module_set_state) { LOGOS_IOC_MODULE_SET_STATE, 16 };
FIXTURE_VARIANT_ADD(abi, module_set_quota) { LOGOS_IOC_MODULE_SET_QUOTA, 16 };
FIXTURE_VARIANT_ADD(abi, module_info) { LOGOS_IOC_MODULE_INFO, 272 };
FIXTURE_VARIANT_ADD(abi, event_create) { LOGOS_IOC_EVENT_CREATE, 8 };
FIXTURE_VARIANT_ADD(abi, event_signal) { LOGOS_IOC_EVENT_SIGNAL, 16 };
FIXTURE_VARIANT_ADD(abi, wait) { LOGOS_IOC_WAIT, 32 };

FIXTURE_SETUP(abi)
{
	ASSERT_EQ(0, ctx_init(&self->c));
}

FIXTURE_TEARDOWN(abi)
{
	ctx_fini(&self->c);
}

TEST_F(abi, valid_argument_succeeds)
{
	prepare(&self->c, variant->cmd, self->arg);
	ASSERT_EQ(0, logos_ioctl(self->c.dev, variant->cmd, self->arg));
	after_success(variant->cmd, self->arg);
}

TEST_F(abi, shorter_structure_is_einval)
{
	size_t size = variant->size_0_1;
	size_t shorter[] = { size - 4, size - 8, 1 };
	unsigned int i;

	for (i = 0; i < sizeof(shorter) / sizeof(shorter[0]); i++) {
		EXPECT_EQ(-EINVAL, logos_ioctl(self->c.dev,
					       logos_resize(variant->cmd, shorter[i]),
					       self->arg))
			TH_LOG("size %zu, first published %zu", shorter[i], size);
	}
	/* Nothing happened: the full argument still works. */
	prepare(&self->c, variant->cmd, self->arg);
	ASSERT_LE(size, _IOC_SIZE(variant->cmd));
	ASSERT_EQ(0, logos_ioctl(self->c.dev, variant->cmd, self->arg));
	after_success(variant->cmd, self->arg);
}

TEST_F(abi, bad_pointer_is_efault)
{
	void *unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, unmapped);
	EXPECT_EQ(-EFAULT, logos_ioctl(self->c.dev, variant->cmd, NULL));
	EXPECT_EQ(-EFAULT, logos_ioctl(self->c.dev, variant->cmd, (void *)1));
	EXPECT_EQ(-EFAULT, logos_ioctl(self->c.dev, variant->cmd, unmapped));
	/* A structure running off the end of a mapping. */
	{
		unsigned char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		size_t size = _IOC_SIZE(variant->cmd);

		ASSERT_NE(MAP_FAILED, page);
		ASSERT_EQ(0, munmap(page + 4096, 4096));
		prepare(&self->c, variant->cmd, self->arg);
		memcpy(page + 4096 - size + 4, self->arg, size - 4);
		EXPECT_EQ(-EFAULT, logos_ioctl(self->c.dev, variant->cmd, page + 4096 - size + 4));
		munmap(page, 4096);
	}
	munmap(unmapped, 4096);
}

TEST_F(abi, longer_structure_with_zero_tail_is_accepted)
{
	size_t size = prepare(&self->c, variant->cmd, self->arg);
	size_t i;

	memset(self->arg + size, 0, 32);
	ASSERT_EQ(0, logos_ioctl(self->c.dev, logos_resize(variant->cmd, size + 32), self->arg));
	for (i = size; i < size + 32; i++) {
		EXPECT_EQ(0, self->arg[i]) TH_LOG("tail byte %zu", i - size);
	}
	after_success(variant->cmd, self->arg);
}

TEST_F(abi, longer_structure_with_nonzero_tail_is_e2big)
{
	size_t size = prepare(&self->c, variant->cmd, self->arg);
	size_t where[] = { 0, 7, 31 };
	unsigned int i;

	for (i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		prepare(&self->c, variant->cmd, self->arg);
		memset(self->arg + size, 0, 32);
		self->arg[size + where[i]] = 1;
		EXPECT_EQ(-E2BIG, logos_ioctl(self->c.dev, logos_resize(variant->cmd, size + 32),
					      self->arg))
			TH_LOG("nonzero tail byte %zu", where[i]);
	}
	/* Nothing happened: the same call with a zero tail works. */
	prepare(&self->c, variant->cmd, self->arg);
	memset(self->arg + size, 0, 32);
	ASSERT_EQ(0, logos_ioctl(self->c.dev, logos_resize(variant->cmd, size + 32), self->arg));
	after_success(variant->cmd, self->arg);
}

/* ---- flags: every ioctl with a flags field ------------------------------- */

FIXTURE(flags) {
	struct ctx c;
	unsigned char arg[512];
};

FIXTURE_VARIANT(flags) {
	unsigned long cmd;
	size_t offset;		/* of the __u32 flags field */
	__u32 known;		/* flags the header defines */
};

#define FLAGS_AT(type)	offsetof(type, flags)
FIXTURE_VARIANT_ADD(flags, handle_duplicate) {
	LOGOS_IOC_HANDLE_DUPLICATE, FLAGS_AT(struct logos_handle_dup), 0 };
FIXTURE_VARIANT_ADD(flags, handle_replace) {
	LOGOS_IOC_HANDLE_REPLACE, FLAGS_AT(struct logos_handle_replace), 0 };
FIXTURE_VARIANT_ADD(flags, handle_close) {
	LOGOS_IOC_HANDLE_CLOSE, FLAGS_AT(struct logos_handle_close), 0 };
FIXTURE_VARIANT_ADD(flags, handle_info) {
	LOGOS_IOC_HANDLE_INFO, FLAGS_AT(struct logos_handle_info), 0 };
FIXTURE_VARIANT_ADD(flags, handle_revoke) {
	LOGOS_IOC_HANDLE_REVOKE, FLAGS_AT(struct logos_handle_revoke), 0 };
FIXTURE_VARIANT_ADD(flags, handle_give) {
	LOGOS_IOC_HANDLE_GIVE, FLAGS_AT(struct logos_handle_give), LOGOS_GIVE_MOVE };
FIXTURE_VARIANT_ADD(flags, module_create) {
	LOGOS_IOC_MODULE_CREATE, FLAGS_AT(struct logos_module_create), LOGOS_MODULE_ALLOW_MAPPED };
FIXTURE_VARIANT_ADD(flags, module_set_state) {
	LOGOS_IOC_MODULE_SET_STATE, FLAGS_AT(struct logos_module_set_state), 0 };
FIXTURE_VARIANT_ADD(flags, module_info) {
	LOGOS_IOC_MODULE_INFO, FLAGS_AT(struct logos_module_info), 0 };
FIXTURE_VARIANT_ADD(flags, event_create) {
	LOGOS_IOC_EVENT_CREATE, FLAGS_AT(struct logos_event_create), 0 };
FIXTURE_VARIANT_ADD(flags, event_signal) {
	LOGOS_IOC_EVENT_SIGNAL, FLAGS_AT(struct logos_event_signal), 0 };
FIXTURE_VARIANT_ADD(flags, wait) {
	LOGOS_IOC_WAIT, FLAGS_AT(struct logos_wait), LOGOS_WAIT_CLEAR_STATE_CHANGED };

FIXTURE_SETUP(flags)
{
	ASSERT_EQ(0, ctx_init(&self->c));
}

FIXTURE_TEARDOWN(flags)
{
	ctx_fini(&self->c);
}

TEST_F(flags, every_unknown_flag_is_einval)
{
	unsigned int bit;
	__u32 value;

	for (bit = 0; bit < 32; bit++) {
		if (variant->known & (1U << bit))
			continue;
		prepare(&self->c, variant->cmd, self->arg);
		value = 1U << bit;
		memcpy(self->arg + variant->offset, &value, sizeof(value));
		EXPECT_EQ(-EINVAL, logos_ioctl(self->c.dev, variant->cmd, self->arg))
			TH_LOG("flags 0x%08x", value);
	}
	/* All unknown bits together, even next to a known one. */
	prepare(&self->c, variant->cmd, self->arg);
	value = ~0U;
	memcpy(self->arg + variant->offset, &value, sizeof(value));
	EXPECT_EQ(-EINVAL, logos_ioctl(self->c.dev, variant->cmd, self->arg));

	/* Nothing happened: flags 0 works on the same state. */
	prepare(&self->c, variant->cmd, self->arg);
	ASSERT_EQ(0, logos_ioctl(self->c.dev, variant->cmd, self->arg));
	after_success(variant->cmd, self->arg);
}

/* ---- reserved and padding fields ------------------------------------------ */

FIXTURE(reserved) {
	struct ctx c;
	unsigned char arg[512];
};

FIXTURE_VARIANT(reserved) {
	unsigned long cmd;
	size_t offset;		/* of the reserved field */
	size_t size;		/* its size in bytes */
};

#define RESERVED(type, field) offsetof(type, field), sizeof(((type *)0)->field)
FIXTURE_VARIANT_ADD(reserved, handle_replace) {
	LOGOS_IOC_HANDLE_REPLACE, RESERVED(struct logos_handle_replace, reserved) };
FIXTURE_VARIANT_ADD(reserved, handle_give) {
	LOGOS_IOC_HANDLE_GIVE, RESERVED(struct logos_handle_give, reserved) };
FIXTURE_VARIANT_ADD(reserved, module_create) {
	LOGOS_IOC_MODULE_CREATE, RESERVED(struct logos_module_create, reserved) };
FIXTURE_VARIANT_ADD(reserved, module_set_state) {
	LOGOS_IOC_MODULE_SET_STATE, RESERVED(struct logos_module_set_state, reserved) };
FIXTURE_VARIANT_ADD(reserved, wait) {
	LOGOS_IOC_WAIT, RESERVED(struct logos_wait, reserved) };
/* Fields documented "out: 0" are still "reserved ... zero on input". */
FIXTURE_VARIANT_ADD(reserved, handle_info_out_only) {
	LOGOS_IOC_HANDLE_INFO, RESERVED(struct logos_handle_info, reserved) };
FIXTURE_VARIANT_ADD(reserved, handle_revoke_out_only) {
	LOGOS_IOC_HANDLE_REVOKE, RESERVED(struct logos_handle_revoke, reserved) };
FIXTURE_VARIANT_ADD(reserved, module_info_reserved0_out_only) {
	LOGOS_IOC_MODULE_INFO, RESERVED(struct logos_module_info, reserved0) };
FIXTURE_VARIANT_ADD(reserved, module_info_reserved_out_only) {
	LOGOS_IOC_MODULE_INFO, RESERVED(struct logos_module_info, reserved) };

FIXTURE_SETUP(reserved)
{
	ASSERT_EQ(0, ctx_init(&self->c));
}

FIXTURE_TEARDOWN(reserved)
{
	ctx_fini(&self->c);
}

TEST_F(reserved, nonzero_reserved_is_einval)
{
	size_t i;

	/* Each byte of the field on its own. */
	for (i = 0; i < variant->size; i++) {
		prepare(&self->c, variant->cmd, self->arg);
		self->arg[variant->offset + i] = 0x01;
		EXPECT_EQ(-EINVAL, logos_ioctl(self->c.dev, variant->cmd, self->arg))
			TH_LOG("reserved byte %zu", i);
	}
	/* Nothing happened: zero works on the same state. */
	prepare(&self->c, variant->cmd, self->arg);
	ASSERT_EQ(0, logos_ioctl(self->c.dev, variant->cmd, self->arg));
	after_success(variant->cmd, self->arg);
}


/* ---- output fields: whatever a caller leaves in them is ignored ------------ */

/*
 * Only flags and reserved fields must be zero on input. A caller that
 * reuses a structure (a loop calling WAIT, a second CREATE) leaves old
 * answers in the "out" fields; the call must still work.
 */
FIXTURE(outputs) {
	struct ctx c;
	unsigned char arg[512];
};

FIXTURE_VARIANT(outputs) {
	unsigned long cmd;
	size_t from, to;	/* byte range of out-only fields */
};

#define OUT_RANGE(type, first, last) \
	offsetof(type, first), offsetof(type, last) + sizeof(((type *)0)->last)
FIXTURE_VARIANT_ADD(outputs, handle_duplicate) {
	LOGOS_IOC_HANDLE_DUPLICATE, OUT_RANGE(struct logos_handle_dup, new_handle, new_handle) };
FIXTURE_VARIANT_ADD(outputs, handle_info) {
	LOGOS_IOC_HANDLE_INFO, OUT_RANGE(struct logos_handle_info, type, owner_module) };
FIXTURE_VARIANT_ADD(outputs, handle_revoke) {
	LOGOS_IOC_HANDLE_REVOKE, OUT_RANGE(struct logos_handle_revoke, revoked, revoked) };
FIXTURE_VARIANT_ADD(outputs, handle_give) {
	LOGOS_IOC_HANDLE_GIVE, OUT_RANGE(struct logos_handle_give, new_handle, new_handle) };
FIXTURE_VARIANT_ADD(outputs, module_create) {
	LOGOS_IOC_MODULE_CREATE, OUT_RANGE(struct logos_module_create, handle, module_id) };
FIXTURE_VARIANT_ADD(outputs, module_info_ids) {
	LOGOS_IOC_MODULE_INFO, OUT_RANGE(struct logos_module_info, module_id, exit_flags) };
FIXTURE_VARIANT_ADD(outputs, module_info_counters) {
	LOGOS_IOC_MODULE_INFO, OUT_RANGE(struct logos_module_info, name, denied_quota) };
FIXTURE_VARIANT_ADD(outputs, event_create) {
	LOGOS_IOC_EVENT_CREATE, OUT_RANGE(struct logos_event_create, handle, handle) };
FIXTURE_VARIANT_ADD(outputs, wait) {
	LOGOS_IOC_WAIT, OUT_RANGE(struct logos_wait, ready, ready) };

FIXTURE_SETUP(outputs)
{
	ASSERT_EQ(0, ctx_init(&self->c));
}

FIXTURE_TEARDOWN(outputs)
{
	ctx_fini(&self->c);
}

TEST_F(outputs, stale_output_fields_are_ignored)
{
	prepare(&self->c, variant->cmd, self->arg);
	memset(self->arg + variant->from, 0xa5, variant->to - variant->from);
	ASSERT_EQ(0, logos_ioctl(self->c.dev, variant->cmd, self->arg));
	after_success(variant->cmd, self->arg);
}

TEST_HARNESS_MAIN
