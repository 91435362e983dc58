/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdlib.h>
#include <string.h>

#include "shared/macro.h"
#include "apply/virt.h"

struct virt {
	virConnectPtr conn;
	char *uri;
};

/* libvirt prints every error to stderr by default; vfiokit reports them. */
static void quiet(void *data, virErrorPtr e)
{
}

static int error(char **err, const char *what)
{
	const char *m = virGetLastErrorMessage();

	*err = strdupf("%s: %s", what, m && *m ? m : "unknown libvirt error");
	return *err ? -EIO : -ENOMEM;
}

int virt_open(const char *uri, struct virt **ret, char **err)
{
	struct virt *v;

	*err = NULL;
	virSetErrorFunc(NULL, quiet);
	if (virInitialize() < 0)
		return error(err, "libvirt");
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->conn = virConnectOpenAuth(uri, virConnectAuthPtrDefault, 0);
	if (!v->conn) {
		free(v);
		_cleanup_free_ char *what = strdupf("cannot connect to %s", uri);
		return error(err, what ? what : "cannot connect");
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
	virConnectClose(v->conn);
	free(v->uri);
	free(v);
}

unsigned long virt_version(struct virt *v)
{
	unsigned long ver = 0;

	return virConnectGetLibVersion(v->conn, &ver) == 0 ? ver : 0;
}

unsigned long virt_local_version(void)
{
	unsigned long ver = 0;

	return virGetVersion(&ver, NULL, NULL) == 0 ? ver : 0;
}

int virt_get_xml(struct virt *v, const char *name, char **xml, char **err)
{
	virDomainPtr d = virDomainLookupByName(v->conn, name);

	*xml = NULL;
	*err = NULL;
	if (!d) {
		virErrorPtr e = virGetLastError();
		if (e && e->code == VIR_ERR_NO_DOMAIN) {
			*err = strdupf("no domain called '%s' on %s", name, v->uri);
			return *err ? -ENOENT : -ENOMEM;
		}
		return error(err, "looking up the domain");
	}
	*xml = virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
	virDomainFree(d);
	return *xml ? 0 : error(err, "reading the domain's XML");
}

int virt_define(struct virt *v, const char *xml, char **stored, char **uuid, char **err)
{
	char buf[VIR_UUID_STRING_BUFLEN];
	virDomainPtr d = virDomainDefineXML(v->conn, xml);

	*stored = *uuid = NULL;
	*err = NULL;
	if (!d)
		return error(err, "libvirt refused the domain");
	*stored = virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE);
	if (virDomainGetUUIDString(d, buf) == 0)
		*uuid = strdup(buf);
	virDomainFree(d);
	if (!*stored)
		return error(err, "reading the defined domain back");
	return *uuid ? 0 : -ENOMEM;
}

int virt_undefine(struct virt *v, const char *name, bool keep_nvram, char **err)
{
	virDomainPtr d = virDomainLookupByName(v->conn, name);
	int r;

	*err = NULL;
	if (!d)
		return error(err, "looking up the domain");
	r = virDomainUndefineFlags(d, keep_nvram ? VIR_DOMAIN_UNDEFINE_KEEP_NVRAM : VIR_DOMAIN_UNDEFINE_NVRAM);
	virDomainFree(d);
	return r == 0 ? 0 : error(err, "libvirt refused to undefine the domain");
}
