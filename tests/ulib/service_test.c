// SPDX-License-Identifier: GPL-2.0
/*
 * The registry client against a registry played by the test (the logosd
 * side of protocol.md §3): REGISTER and LOOKUP carry the documented
 * fields, errors come back as errnos, and a looked-up endpoint reaches
 * the provider.
 */
#include "helpers.h"

#include "kselftest_harness.h"

struct registry {
	int sfd;
	logos_handle_t ep;	/* the supervisor's end of the module's bootstrap */
	int answer;		/* errno to refuse with, or 0 */
	char name[64], caps[256];
	uint32_t version, min, max;
	logos_handle_t give;	/* endpoint to hand out on LOOKUP */
	int served;
	int ret;
};

/* Serves one REGISTER or LOOKUP call. */
static void *serve_one(void *arg)
{
	struct registry *r = arg;
	struct logos_rx *rx = logos_rx_new();
	struct logos_wire_writer w;
	uint8_t buf[256];

	r->ret = logos_rx_recv(r->sfd, r->ep, rx, LONG);
	if (r->ret)
		goto out;
	r->ret = -EPROTO;
	if (!(rx->msg.header.flags & LOGOS_MSG_CALL))
		goto out;
	logos_wire_get_string(&rx->wire, LOGOS_TAG_SERVICE, r->name, sizeof(r->name));
	if (rx->wire.kind == LOGOS_BOOT_REGISTER) {
		logos_wire_get_u32(&rx->wire, LOGOS_TAG_VERSION, &r->version);
		logos_wire_get_string(&rx->wire, LOGOS_TAG_CAPS, r->caps, sizeof(r->caps));
	} else if (rx->wire.kind == LOGOS_BOOT_LOOKUP) {
		logos_wire_get_u32(&rx->wire, LOGOS_TAG_MIN_VERSION, &r->min);
		logos_wire_get_u32(&rx->wire, LOGOS_TAG_MAX_VERSION, &r->max);
	} else {
		goto out;
	}
	r->served++;
	if (r->answer) {
		r->ret = logos_rpc_reply_error(r->sfd, r->ep, rx->msg.header.txn_id, rx->wire.kind,
					       0, r->answer, "refused by the test registry");
		goto out;
	}
	logos_rpc_reply_init(&w, buf, sizeof(buf), &rx->wire);
	if (rx->wire.kind == LOGOS_BOOT_LOOKUP) {
		logos_wire_put_handle(&w, LOGOS_TAG_LOOKUP_EP, r->give, EP_RIGHTS,
				      LOGOS_MSG_HANDLE_MOVE);
		logos_wire_put_u32(&w, LOGOS_TAG_LOOKUP_VERSION, LOGOS_SERVICE_VERSION(1, 4));
	}
	r->ret = logos_rpc_reply(r->sfd, r->ep, rx->msg.header.txn_id, &w);
out:
	logos_rx_free(rx);
	return NULL;
}

FIXTURE(svc) {
	int sfd;
	struct tmod t;
	struct logos_module *m;
	struct registry reg;
	pthread_t thread;
};

FIXTURE_SETUP(svc)
{
	self->sfd = logos_open();
	ASSERT_LE(0, self->sfd);
	ASSERT_EQ(0, tmod_create(self->sfd, "svc-test", &self->t));
	ASSERT_EQ(0, logos_module_attach(self->t.fd, self->t.boot, NULL, 0, NULL, NULL, 0,
					 &self->m));
	memset(&self->reg, 0, sizeof(self->reg));
	self->reg.sfd = self->sfd;
	self->reg.ep = self->t.sup_ep;
}

FIXTURE_TEARDOWN(svc)
{
	logos_module_free(self->m);
	tmod_release(self->sfd, &self->t);
	close(self->sfd);
}

TEST_F(svc, register_sends_name_version_and_capabilities)
{
	pthread_create(&self->thread, NULL, serve_one, &self->reg);
	EXPECT_EQ(0, logos_service_register(self->m, "echo", LOGOS_SERVICE_VERSION(1, 2),
					    "echo,reverse"));
	pthread_join(self->thread, NULL);
	EXPECT_EQ(0, self->reg.ret);
	EXPECT_STREQ("echo", self->reg.name);
	EXPECT_EQ(0x00010002, self->reg.version);
	EXPECT_STREQ("echo,reverse", self->reg.caps);
}

TEST_F(svc, register_refused_by_policy_is_eperm)
{
	self->reg.answer = EPERM;
	pthread_create(&self->thread, NULL, serve_one, &self->reg);
	EXPECT_EQ(-EPERM, logos_service_register(self->m, "secret", 1, NULL));
	pthread_join(self->thread, NULL);
	EXPECT_STREQ("", self->reg.caps);
}

TEST_F(svc, lookup_returns_a_working_endpoint_and_the_version)
{
	logos_handle_t mine, ep = 0;
	uint32_t version = 0;
	struct logos_msg m;
	char buf[8];

	ASSERT_EQ(0, logos_channel_create(self->sfd, 0, 0, &mine, &self->reg.give));
	pthread_create(&self->thread, NULL, serve_one, &self->reg);
	ASSERT_EQ(0, logos_service_lookup(self->m, "echo", LOGOS_SERVICE_VERSION(1, 0),
					  LOGOS_SERVICE_VERSION(1, 0xffff), &ep, &version));
	pthread_join(self->thread, NULL);
	EXPECT_EQ(0x00010000, self->reg.min);
	EXPECT_EQ(0x0001ffff, self->reg.max);
	EXPECT_EQ(LOGOS_SERVICE_VERSION(1, 4), version);
	EXPECT_EQ(1, LOGOS_SERVICE_MAJOR(version));
	EXPECT_EQ(4, LOGOS_SERVICE_MINOR(version));
	ASSERT_EQ(0, logos_channel_send(self->t.fd, ep, "hey", 3, NULL, 0, 0, 0));
	logos_msg_prepare(&m, buf, sizeof(buf), NULL, 0);
	ASSERT_EQ(0, logos_channel_recv(self->sfd, mine, &m, LONG));
	EXPECT_EQ(0, memcmp(buf, "hey", 3));
	EXPECT_EQ(self->t.id, m.header.sender_module);
}

TEST_F(svc, lookup_of_nothing_is_enoent_and_policy_is_eacces)
{
	logos_handle_t ep = 5;

	self->reg.answer = ENOENT;
	pthread_create(&self->thread, NULL, serve_one, &self->reg);
	EXPECT_EQ(-ENOENT, logos_service_lookup(self->m, "nope", 0, ~0U, &ep, NULL));
	pthread_join(self->thread, NULL);
	self->reg.answer = EACCES;
	pthread_create(&self->thread, NULL, serve_one, &self->reg);
	EXPECT_EQ(-EACCES, logos_service_lookup(self->m, "nope", 0, ~0U, &ep, NULL));
	pthread_join(self->thread, NULL);
	EXPECT_EQ(5, ep);
}

TEST_F(svc, bad_arguments_never_reach_logosd)
{
	char longname[80];
	logos_handle_t ep;

	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	EXPECT_EQ(-EINVAL, logos_service_register(self->m, "", 1, NULL));
	EXPECT_EQ(-EINVAL, logos_service_register(self->m, longname, 1, NULL));
	EXPECT_EQ(-EINVAL, logos_service_register(self->m, "bad\xff", 1, NULL));
	EXPECT_EQ(-EINVAL, logos_service_lookup(self->m, "x", 3, 2, &ep, NULL));
	EXPECT_EQ(0, self->reg.served);
}

TEST_F(svc, silent_registry_times_out)
{
	logos_module_set_call_timeout(self->m, 100 * MS);
	EXPECT_EQ(-ETIMEDOUT, logos_service_register(self->m, "echo", 1, NULL));
}

TEST_HARNESS_MAIN
