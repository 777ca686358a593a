// SPDX-License-Identifier: GPL-2.0
/*
 * logosctl monitor [-n COUNT] [--kernel|--daemon]: events as they happen,
 * from the kernel (the "events" netlink group) and from logosd (its audit
 * records, through the control socket's subscribe), and how many of each
 * were dropped: a gap in the kernel's sequence numbers or an overflowed
 * netlink socket; logosd's {"dropped":N} or a gap in its record numbers.
 * With -n, exits after COUNT events: 0, or 7 if any were dropped.
 */
#include <errno.h>
#include <netlink/socket.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "nl.h"
#include "subcommands.h"

struct monitor {
	unsigned long long kseq, dseq, dropped;
	long left;
};

static const char *event_name(__u32 type)
{
	switch (type) {
	case LOGOS_EVENT_STATE: return "state";
	case LOGOS_EVENT_QUOTA_WARNING: return "quota-warning";
	case LOGOS_EVENT_QUOTA_EXCEEDED: return "quota-exceeded";
	case LOGOS_EVENT_REVOKE: return "revoke";
	case LOGOS_EVENT_RIGHTS_DENIED: return "rights-denied";
	default: return "unknown";
	}
}

static void dropped(struct monitor *mon, const char *source, unsigned long long n,
		    const char *why)
{
	mon->dropped += n ? n : 1;	/* 0: an unknown number */
	if (json_out) {
		printf("{\"source\":\"%s\",\"dropped\":%llu}\n", source, n);
	} else if (n) {
		printf("!! %s: %llu event%s dropped (%s)\n", source, n, n == 1 ? "" : "s", why);
	} else {
		printf("!! %s: events dropped (%s)\n", source, why);
	}
	fflush(stdout);
}

/* true when COUNT events have been shown */
static bool counted(struct monitor *mon)
{
	fflush(stdout);
	return mon->left > 0 && --mon->left == 0;
}

static __u32 u32_or0(struct nlattr **a, int t) { return a[t] ? nla_get_u32(a[t]) : 0; }
static __u64 u64_or0(struct nlattr **a, int t) { return a[t] ? nla_get_u64(a[t]) : 0; }

static int kernel_event(struct nlattr **a, void *arg)
{
	struct monitor *mon = arg;
	unsigned long long seq = u64_or0(a, LOGOS_A_EVENT_SEQ);
	__u32 type = u32_or0(a, LOGOS_A_EVENT_TYPE), flags = u32_or0(a, LOGOS_A_MODULE_EXIT_FLAGS);
	char name[LOGOS_NAME_MAX] = "-";
	json_object *o;

	if (mon->kseq && seq > mon->kseq + 1)
		dropped(mon, "kernel", seq - mon->kseq - 1, "the netlink socket overflowed");
	mon->kseq = seq;
	if (a[LOGOS_A_MODULE_NAME])
		nla_strlcpy(name, a[LOGOS_A_MODULE_NAME], sizeof(name));
	if (json_out) {
		o = json_object_new_object();
		json_object_object_add(o, "source", json_object_new_string("kernel"));
		json_object_object_add(o, "seq", json_object_new_uint64(seq));
		json_object_object_add(o, "type", json_object_new_string(event_name(type)));
		json_object_object_add(o, "module_id", json_object_new_int64(u32_or0(a, LOGOS_A_MODULE_ID)));
		json_object_object_add(o, "module", json_object_new_string(name));
		switch (type) {
		case LOGOS_EVENT_STATE:
			json_object_object_add(o, "from", json_object_new_string(
				lnl_state_name(u32_or0(a, LOGOS_A_STATE_OLD))));
			json_object_object_add(o, "to", json_object_new_string(
				lnl_state_name(u32_or0(a, LOGOS_A_MODULE_STATE))));
			json_object_object_add(o, "crashed",
					       json_object_new_boolean(flags & LOGOS_EXIT_CRASHED));
			break;
		case LOGOS_EVENT_QUOTA_WARNING:
		case LOGOS_EVENT_QUOTA_EXCEEDED:
			json_object_object_add(o, "resource", json_object_new_string(
				lnl_resource_name(u32_or0(a, LOGOS_A_RESOURCE))));
			json_object_object_add(o, "usage", json_object_new_uint64(u64_or0(a, LOGOS_A_USAGE)));
			json_object_object_add(o, "limit", json_object_new_uint64(u64_or0(a, LOGOS_A_LIMIT)));
			break;
		case LOGOS_EVENT_REVOKE:
		case LOGOS_EVENT_RIGHTS_DENIED:
			json_object_object_add(o, "object", json_object_new_uint64(
				u64_or0(a, LOGOS_A_OBJECT_ID)));
			json_object_object_add(o, type == LOGOS_EVENT_REVOKE ? "handles" : "missing_rights",
					       json_object_new_int64(type == LOGOS_EVENT_REVOKE ?
						       u32_or0(a, LOGOS_A_COUNT) : u32_or0(a, LOGOS_A_RIGHTS)));
			break;
		}
		json_print(o);
		json_object_put(o);
		return counted(mon) ? -ECANCELED : 0;
	}
	printf("kernel #%llu %-14s module %u (%s)", seq, event_name(type),
	       u32_or0(a, LOGOS_A_MODULE_ID), name);
	switch (type) {
	case LOGOS_EVENT_STATE:
		printf(" %s -> %s%s", lnl_state_name(u32_or0(a, LOGOS_A_STATE_OLD)),
		       lnl_state_name(u32_or0(a, LOGOS_A_MODULE_STATE)),
		       flags & LOGOS_EXIT_CRASHED ? " (crashed)" : "");
		break;
	case LOGOS_EVENT_QUOTA_WARNING:
	case LOGOS_EVENT_QUOTA_EXCEEDED:
		printf(" %s %llu of %llu", lnl_resource_name(u32_or0(a, LOGOS_A_RESOURCE)),
		       (unsigned long long)u64_or0(a, LOGOS_A_USAGE),
		       (unsigned long long)u64_or0(a, LOGOS_A_LIMIT));
		break;
	case LOGOS_EVENT_REVOKE:
		printf(" object %llu, %u handles", (unsigned long long)u64_or0(a, LOGOS_A_OBJECT_ID),
		       u32_or0(a, LOGOS_A_COUNT));
		break;
	case LOGOS_EVENT_RIGHTS_DENIED:
		printf(" object %llu, missing rights 0x%x",
		       (unsigned long long)u64_or0(a, LOGOS_A_OBJECT_ID), u32_or0(a, LOGOS_A_RIGHTS));
		break;
	}
	printf("\n");
	return counted(mon) ? -ECANCELED : 0;
}

/* One line from logosd: {"event":RECORD} or {"dropped":N}. */
static bool daemon_event(struct monitor *mon, json_object *line)
{
	json_object *r, *o;
	unsigned long long seq;

	if (jint(line, "dropped") > 0) {
		dropped(mon, "logosd", jint(line, "dropped"), "this monitor did not keep up");
		return false;
	}
	if (!json_object_object_get_ex(line, "event", &r))
		return false;
	seq = jint(r, "seq");
	if (mon->dseq && seq > mon->dseq + 1 && !jint(line, "dropped"))
		dropped(mon, "logosd", seq - mon->dseq - 1, "records missing");
	mon->dseq = seq;
	if (json_out) {
		o = json_object_get(r);
		json_object_object_add(o, "source", json_object_new_string("logosd"));
		json_print(o);
		json_object_put(o);
		return counted(mon);
	}
	printf("logosd #%llu %-11s", seq, jstr(r, "type"));
	json_object_object_foreach(r, k, v) {
		if (strcmp(k, "seq") && strcmp(k, "time") && strcmp(k, "type") && strcmp(k, "prev") &&
		    strcmp(k, "hash") && strcmp(k, "sig"))
			printf(" %s=%s", k, json_object_get_string(v));
	}
	printf("\n");
	return counted(mon);
}

int monitor_main(int argc, char *argv[])
{
	struct monitor mon = { .left = -1 };
	bool want_kernel = true, want_daemon = true, have_kernel, have_daemon;
	json_object *ans;
	struct lnl nl = { 0 };
	struct ctl c;
	int kret, dret, i;
	char *end;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			mon.left = strtol(argv[++i], &end, 10);
			if (*end || mon.left <= 0)
				return usage();
		} else if (!strcmp(argv[i], "--kernel")) {
			want_daemon = false;
		} else if (!strcmp(argv[i], "--daemon")) {
			want_kernel = false;
		} else {
			return usage();
		}
	}
	if (!want_kernel && !want_daemon)
		return usage();
	kret = want_kernel ? lnl_open(&nl) : -ENODEV;
	if (!kret)
		kret = lnl_subscribe_events(&nl);
	dret = want_daemon ? ctl_connect(&c) : -ENOENT;
	if (want_daemon && !dret)
		dret = ctl_call(&c, "subscribe", NULL, &ans);
	if (want_daemon && !dret) {
		mon.dseq = jint(ans, "seq");
		json_object_put(ans);
	}
	have_kernel = !kret;
	have_daemon = !dret;
	if (want_kernel && kret && (!want_daemon || !have_daemon))
		return kernel_fail(kret, NULL);
	if (want_daemon && dret && (!want_kernel || !have_kernel))
		return ctl_fail(&c, dret, NULL);
	if (want_kernel && kret)
		fprintf(stderr, "note: %s: logosd's events only\n", lnl_strerror(kret));
	if (want_daemon && dret) {
		ctl_note(&c, dret);
		fprintf(stderr, "note: the kernel's events only\n");
	}
	for (;;) {
		struct pollfd p[2];
		int n = 0, ret;

		if (have_kernel)
			p[n++] = (struct pollfd){ .fd = nl_socket_get_fd(nl.sk), .events = POLLIN };
		if (have_daemon)
			p[n++] = (struct pollfd){ .fd = c.fd, .events = POLLIN };
		/* lines already buffered come first */
		ret = have_daemon && ctl_has_line(&c) ? 0 : poll(p, n, -1);
		if (ret < 0 && errno == EINTR)
			continue;
		if (have_kernel && p[0].revents) {
			ret = lnl_receive(&nl, kernel_event, &mon);
			if (ret == -ECANCELED)
				break;
			if (ret == -ENOMEM || ret == -EIO)
				dropped(&mon, "kernel", 0, "the netlink socket overflowed");
			else if (ret)
				return kernel_fail(ret, NULL);
		}
		if (have_daemon && (ctl_has_line(&c) || p[n - 1].revents)) {
			json_object *line = NULL;

			ret = ctl_read(&c, &line, 1000);
			if (!ret && daemon_event(&mon, line)) {
				json_object_put(line);
				break;
			}
			json_object_put(line);
			if (ret == -ECONNRESET) {
				fprintf(stderr, "note: logosd closed the connection (did it stop?)\n");
				have_daemon = false;
				if (!have_kernel)
					return EXIT_NO_LOGOSD;
			} else if (ret && ret != -ETIMEDOUT && ret != -EBADMSG) {
				return ctl_fail(&c, ret, NULL);
			}
		}
	}
	if (have_kernel)
		lnl_close(&nl);
	if (have_daemon)
		ctl_close(&c);
	return mon.dropped ? EXIT_DROPPED : EXIT_OK;
}
