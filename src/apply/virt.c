/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdlib.h>
#include <string.h>

#include "shared/dlopen.h"
#include "shared/macro.h"
#include "apply/virt.h"

/*
 * libvirt and the ~50 libraries under it (gnutls, krb5, curl, glib, ICU)
 * cost every command several milliseconds to load, and only vm talks to
 * libvirt: it is loaded here, on first use (-Dlibvirt-dlopen=true, the
 * default). Each sym_ pointer has the type libvirt's header declares; with
 * -Dlibvirt-dlopen=false they are bound at link time instead.
 */
#if VFIOKIT_LIBVIRT_DLOPEN
#define VIRT_SYM(name) static typeof(name) *sym_##name
#else
#define VIRT_SYM(name) static typeof(name) *const sym_##name = &name
#endif
VIRT_SYM(virInitialize);
VIRT_SYM(virGetVersion);
VIRT_SYM(virSetErrorFunc);
VIRT_SYM(virGetLastError);
VIRT_SYM(virGetLastErrorMessage);
VIRT_SYM(virConnectAuthPtrDefault);
VIRT_SYM(virConnectOpenAuth);
VIRT_SYM(virConnectClose);
VIRT_SYM(virConnectGetLibVersion);
VIRT_SYM(virDomainLookupByName);
VIRT_SYM(virDomainDefineXML);
VIRT_SYM(virDomainGetXMLDesc);
VIRT_SYM(virDomainGetUUIDString);
VIRT_SYM(virDomainUndefineFlags);
VIRT_SYM(virDomainFree);
VIRT_SYM(virNetworkLookupByName);
VIRT_SYM(virNetworkIsActive);
VIRT_SYM(virNetworkGetAutostart);
VIRT_SYM(virNetworkFree);

#define LIBVIRT_SONAME "libvirt.so.0"

/* 0 once libvirt's symbols are there; -EOPNOTSUPP with err when the
 * library or one of its symbols is missing. */
static int virt_load(struct error *err)
{
#if VFIOKIT_LIBVIRT_DLOPEN
	static void *dl;
	_cleanup_error_ struct error why = { 0 };
	int r;

	r = dlopen_many_sym(&dl, LIBVIRT_SONAME, &why,
			    DLSYM_ARG(virInitialize),
			    DLSYM_ARG(virGetVersion),
			    DLSYM_ARG(virSetErrorFunc),
			    DLSYM_ARG(virGetLastError),
			    DLSYM_ARG(virGetLastErrorMessage),
			    DLSYM_ARG(virConnectAuthPtrDefault),
			    DLSYM_ARG(virConnectOpenAuth),
			    DLSYM_ARG(virConnectClose),
			    DLSYM_ARG(virConnectGetLibVersion),
			    DLSYM_ARG(virDomainLookupByName),
			    DLSYM_ARG(virDomainDefineXML),
			    DLSYM_ARG(virDomainGetXMLDesc),
			    DLSYM_ARG(virDomainGetUUIDString),
			    DLSYM_ARG(virDomainUndefineFlags),
			    DLSYM_ARG(virDomainFree),
			    DLSYM_ARG(virNetworkLookupByName),
			    DLSYM_ARG(virNetworkIsActive),
			    DLSYM_ARG(virNetworkGetAutostart),
			    DLSYM_ARG(virNetworkFree),
			    NULL);
	if (r == -EOPNOTSUPP)
		return error_set(err, -EOPNOTSUPP, ERROR_FAILED,
				 "libvirt (%s) could not be loaded: %s; install it: 'apt install libvirt0' (Debian), "
				 "'dnf install libvirt-libs' (Fedora)",
				 LIBVIRT_SONAME, why.msg);
	return r;
#else
	return 0;
#endif
}

struct virt {
	virConnectPtr conn;
	char *uri;
};

/* libvirt prints every error to stderr by default; vfiokit reports them. */
static void quiet(void *data, virErrorPtr e)
{
}

static int lv_error(struct error *err, const char *what)
{
	const char *m = sym_virGetLastErrorMessage();

	return error_set(err, -EIO, ERROR_FAILED, "%s: %s", what, m && *m ? m : "unknown libvirt error");
}

int virt_open(const char *uri, struct virt **ret, struct error *err)
{
	struct virt *v;
	int r;

	r = virt_load(err);
	if (r < 0)
		return r;
	sym_virSetErrorFunc(NULL, quiet);
	if (sym_virInitialize() < 0)
		return lv_error(err, "libvirt");
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->conn = sym_virConnectOpenAuth(uri, *sym_virConnectAuthPtrDefault, 0);
	if (!v->conn) {
		free(v);
		_cleanup_free_ char *what = strdupf("cannot connect to %s", uri);
		return lv_error(err, what ? what : "cannot connect");
	}
	v->uri = strdup(uri);
	if (!v->uri) {
		virt_close(v);
		return -ENOMEM;
	}
	*ret = v;
	return 0;
}

void virt_close(struct virt *v)
{
	if (!v)
		return;
	sym_virConnectClose(v->conn);
	free(v->uri);
	free(v);
}

unsigned long virt_version(struct virt *v)
{
	unsigned long ver = 0;

	return sym_virConnectGetLibVersion(v->conn, &ver) == 0 ? ver : 0;
}

int virt_local_version(unsigned long *ver, struct error *err)
{
	int r;

	*ver = 0;
	r = virt_load(err);
	if (r < 0)
		return r;
	if (sym_virGetVersion(ver, NULL, NULL) < 0)
		*ver = 0;
	return 0;
}

int virt_get_xml(struct virt *v, const char *name, char **xml, struct error *err)
{
	virDomainPtr d = sym_virDomainLookupByName(v->conn, name);

	*xml = NULL;
	if (!d) {
		virErrorPtr e = sym_virGetLastError();
		if (e && e->code == VIR_ERR_NO_DOMAIN)
			return error_set(err, -ENOENT, ERROR_FAILED, "no domain called '%s' on %s", name, v->uri);
		return lv_error(err, "looking up the domain");
	}
	*xml = sym_virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
	sym_virDomainFree(d);
	return *xml ? 0 : lv_error(err, "reading the domain's XML");
}

int virt_define(struct virt *v, const char *xml, char **stored, char **uuid, struct error *err)
{
	char buf[VIR_UUID_STRING_BUFLEN];
	virDomainPtr d = sym_virDomainDefineXML(v->conn, xml);

	*stored = *uuid = NULL;
	if (!d)
		return lv_error(err, "libvirt refused the domain");
	*stored = sym_virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE);
	if (sym_virDomainGetUUIDString(d, buf) == 0)
		*uuid = strdup(buf);
	sym_virDomainFree(d);
	if (!*stored)
		return lv_error(err, "reading the defined domain back");
	return *uuid ? 0 : -ENOMEM;
}

int virt_undefine(struct virt *v, const char *name, bool keep_nvram, struct error *err)
{
	virDomainPtr d = sym_virDomainLookupByName(v->conn, name);
	int r;

	if (!d)
		return lv_error(err, "looking up the domain");
	r = sym_virDomainUndefineFlags(d, keep_nvram ? VIR_DOMAIN_UNDEFINE_KEEP_NVRAM : VIR_DOMAIN_UNDEFINE_NVRAM);
	sym_virDomainFree(d);
	return r == 0 ? 0 : lv_error(err, "libvirt refused to undefine the domain");
}

int virt_network_state(struct virt *v, const char *name, bool *active, bool *autostart, struct error *err)
{
	virNetworkPtr n = sym_virNetworkLookupByName(v->conn, name);
	int a, auto_ = 0;

	*active = *autostart = false;
	if (!n) {
		virErrorPtr e = sym_virGetLastError();
		if (e && e->code == VIR_ERR_NO_NETWORK)
			return -ENOENT;
		_cleanup_free_ char *what = strdupf("cannot tell whether the network '%s' exists on %s", name, v->uri);
		return lv_error(err, what ? what : "looking up the network");
	}
	a = sym_virNetworkIsActive(n);
	if (a >= 0 && sym_virNetworkGetAutostart(n, &auto_) < 0)
		a = -1;
	if (a < 0) {
		/* Before virNetworkFree(), which clears libvirt's last error. */
		_cleanup_free_ char *what = strdupf("cannot tell whether the network '%s' on %s runs", name, v->uri);
		int r = lv_error(err, what ? what : "reading the network's state");
		sym_virNetworkFree(n);
		return r;
	}
	sym_virNetworkFree(n);
	*active = a == 1;
	*autostart = auto_ != 0;
	return 0;
}
