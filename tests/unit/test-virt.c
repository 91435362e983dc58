/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vm's network check through libvirt's own test driver (test:///default,
 * shared by every connection of this process): its "default" network runs,
 * one defined here ("off") does not, another name is not there. The state
 * virt_network_state() reads goes through vm_plan_network(), which warns
 * how to start a network that does not run and refuses a missing one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <libvirt/libvirt.h>

#include "apply/virt.h"
#include "plan/vm.h"
#include "shared/macro.h"

#define URI "test:///default"

static virConnectPtr keep; /* holds the test driver's state for the tests */

static int define_inactive(void **state)
{
	virNetworkPtr n;

	keep = virConnectOpen(URI);
	if (!keep)
		return -1;
	n = virNetworkDefineXML(keep, "<network><name>off</name><bridge name='virbr7'/>"
				      "<ip address='192.168.157.1' netmask='255.255.255.0'/></network>");
	if (!n)
		return -1;
	virNetworkFree(n);
	return 0;
}

static int close_keep(void **state)
{
	virConnectClose(keep);
	return 0;
}

static enum vm_net_state state_of(struct virt *v, const char *name, bool *autostart)
{
	_cleanup_error_ struct error err = { 0 };
	bool active;
	int k = virt_network_state(v, name, &active, autostart, &err);

	if (k == -ENOENT)
		return VM_NET_MISSING;
	if (k < 0)
		return VM_NET_UNKNOWN;
	return active ? VM_NET_ACTIVE : VM_NET_INACTIVE;
}

static void test_states(void **state)
{
	struct virt *v = NULL;
	_cleanup_error_ struct error err = { 0 };
	bool autostart = true;

	assert_int_equal(virt_open(URI, &v, &err), 0);
	assert_int_equal(state_of(v, "default", &autostart), VM_NET_ACTIVE);
	assert_false(autostart);
	assert_int_equal(state_of(v, "off", &autostart), VM_NET_INACTIVE);
	assert_int_equal(state_of(v, "nosuch", &autostart), VM_NET_MISSING);
	virt_close(v);
}

/* What vm says of each, as vm create --connect does. */
static void test_plan(void **state)
{
	struct virt *v = NULL;
	_cleanup_error_ struct error err = { 0 };
	struct {
		const char *net;
		int code;
		const char *says; /* in the warning, note or error */
	} t[] = {
		{ "off", 0, "the libvirt network 'off' on test:///default is not running: the guest will not start "
			    "until it is: virsh -c 'test:///default' net-start 'off' (and net-autostart" },
		{ "default", 0, "virsh -c 'test:///default' net-autostart 'default'" },
		{ "nosuch", -EPERM, "there is no libvirt network 'nosuch' on test:///default" },
	};

	assert_int_equal(virt_open(URI, &v, &err), 0);
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct vm_request rq = { .network = t[i].net, .network_named = true, .uri = URI };
		struct vm_plan p = { .vcpus = 4 };
		_cleanup_free_ char *w = NULL, *n = NULL;
		_cleanup_error_ struct error e = { 0 };

		rq.net_state = state_of(v, t[i].net, &rq.net_autostart);
		assert_int_equal(vm_plan_network(&rq, &p, &e), t[i].code);
		w = strv_join(&p.warnings, "|");
		n = strv_join(&p.notes, "|");
		assert_non_null(w);
		assert_non_null(n);
		if (!strstr(e.msg ? e.msg : "", t[i].says) && !strstr(w, t[i].says) && !strstr(n, t[i].says))
			fail_msg("%s: '%s' not in error '%s', warnings '%s', notes '%s'", t[i].net, t[i].says,
				 e.msg ? e.msg : "", w, n);
		vm_plan_free(&p);
	}
	virt_close(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_plan),
	};

	return cmocka_run_group_tests(tests, define_inactive, close_keep);
}
